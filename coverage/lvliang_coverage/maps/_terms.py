"""The map frame's own zh/en texts (``maps/terms.toml``): legend sections, base map, shares."""

from __future__ import annotations

from lvliang_coverage.report.vocabulary import Terms

MAP_TERMS = Terms.from_package("lvliang_coverage.maps", "terms.toml", section="map")
"""Texts of the map frame, ``key -> (zh, en)``."""
