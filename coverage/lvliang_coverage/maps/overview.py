"""Whole-city overview map of the default data: boundaries, roads, rivers, villages, facilities."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd

from lvliang_coverage.errors import InputError
from lvliang_coverage.kinds import idle_rows
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import text

HIDDEN_KINDS = ("school", "workshop")
"""Facility kinds whose layers start switched off on the overview (they are many)."""

OVERVIEW_DETAIL_ZOOM = 10
"""Villages and crowded facility kinds (clinics, health centres) appear from county scale on;
at city scale the overview shows the counties with their names, hospitals, parks and
day-care centres."""


def _roads_of(data: Any) -> gpd.GeoDataFrame | None:
    for attr in ("edges", "roads"):
        value = getattr(data, attr, None)
        if isinstance(value, gpd.GeoDataFrame):
            return value
    path = getattr(data, "roads_path", None)
    if path is not None and Path(path).is_file():
        from lvliang_coverage.maps._roads import read_osm_roads  # noqa: PLC0415  (needs GDAL OSM)

        return read_osm_roads(Path(path))
    return None


def overview_map(
    data: Any,
    lang: str = "zh",
    *,
    roads: gpd.GeoDataFrame | None = None,
    basemap: str = "osm",
    kinds: Sequence[str] | None = None,
) -> CoverageMap:
    """Whole-city map of the default data: boundaries, roads, rivers, villages, facilities.

    County names are written on the map at city and county scale (township names with the
    township boundaries, switched off at first); villages and crowded facility kinds appear
    from :data:`OVERVIEW_DETAIL_ZOOM` on; every facility kind has its own icon.

    Parameters
    ----------
    data : DefaultData-like
        Object with GeoDataFrame attributes ``city``, ``counties``, ``townships``,
        ``villages``, ``facilities``, ``rivers`` (any may be missing or ``None``) and
        optionally ``edges``/``roads`` or ``roads_path`` (OpenStreetMap XML).
    lang : {"zh", "en"}
        Language of the labels.
    roads : GeoDataFrame, optional
        Road edges; defaults to the ones found on ``data``.
    basemap : str
        Base map, see :class:`CoverageMap`.
    kinds : sequence of str, optional
        Facility kinds to draw (e.g. every kind the registered services use); default all.
        Idle buildings (``idle`` true) are not drawn as facilities.

    Returns
    -------
    CoverageMap
        The map, ready to :meth:`~CoverageMap.save`.
    """

    def layer(attr: str) -> gpd.GeoDataFrame | None:
        value = getattr(data, attr, None)
        return value if isinstance(value, gpd.GeoDataFrame) and not value.empty else None

    city, counties, townships = layer("city"), layer("counties"), layer("townships")
    villages, facilities, rivers = layer("villages"), layer("facilities"), layer("rivers")
    area = next((g for g in (city, counties, villages) if g is not None), None)
    if area is None:
        msg = (
            "数据中没有可绘制的市界、县界或村庄 / "
            "the data has no city, counties or villages to draw"
        )
        raise InputError(msg)
    synthetic = bool(getattr(data, "is_synthetic", False)) or any(
        g is not None and "source" in g.columns and (g["source"] == "synthetic").any()
        for g in (villages, facilities, townships)
    )
    m = CoverageMap(
        area,
        title=text("overview_title", lang),
        lang=lang,
        basemap=basemap,
        data_note=text("overview_note", lang),
        synthetic=synthetic,
    )
    if townships is not None:
        m.add_boundaries(townships, kind="township", labels=True, show=False)
    if counties is not None:
        m.add_boundaries(counties, kind="county", labels=True)
    if city is not None:
        m.add_boundaries(city, kind="city")
    road_edges = roads if roads is not None else _roads_of(data)
    if road_edges is not None and not road_edges.empty:
        m.add_roads(road_edges)
    if rivers is not None:
        m.add_rivers(rivers)
    if villages is not None:
        m.add_villages(villages, min_zoom=OVERVIEW_DETAIL_ZOOM)
    if facilities is not None and kinds is not None:
        facilities = facilities[facilities["kind"].isin(list(kinds))]
    if facilities is not None:
        facilities = facilities[~idle_rows(facilities)]
    if facilities is not None and not facilities.empty:
        m.add_facilities(
            facilities, hidden_kinds=HIDDEN_KINDS, crowded_min_zoom=OVERVIEW_DETAIL_ZOOM
        )
    return m
