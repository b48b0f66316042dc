"""The village column the monthly visits read: chronic patients among the registered poor."""

from __future__ import annotations

from lvliang_coverage.inputs.columns import Column, register_column

CHRONIC_POOR = "chronic_poor"
"""Canonical village column: chronic patients among the registered poor (慢性病贫困人口), int."""

CHRONIC_POOR_COLUMN = register_column(
    "villages", Column(CHRONIC_POOR, "int", ("chronic_poor", "慢性病贫困人口", "建档立卡慢病患者"))
)
"""Chronic patients among the registered poor of a village (residents); optional: where a
registry lacks it, ``visits.chronic_share_default`` x ``registered_poor`` is used and every
output says so. Registered when this module is imported (before the villages are read)."""
