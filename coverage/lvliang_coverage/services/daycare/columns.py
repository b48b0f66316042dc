"""Registry columns the day-care service reads: elderly residents (villages), idle (facilities)."""

from __future__ import annotations

from lvliang_coverage.inputs.columns import Column

ELDERLY = "elderly"
"""Canonical village column: residents aged 60 and over (60岁以上人口), int."""

IDLE = "idle"
"""Canonical facility column: the building stands idle (是否闲置), bool."""

ELDERLY_COLUMN = Column(ELDERLY, "int", ("elderly", "60岁以上人口", "老年人口", "60岁及以上人口"))
"""Residents aged 60 and over; optional (estimated from the population where missing)."""

IDLE_COLUMN = Column(IDLE, "bool", ("idle", "是否闲置", "闲置"), default=False)
"""Whether a school or clinic building stands idle (是/否); blank cells are 否."""

COLUMNS = (("villages", ELDERLY_COLUMN), ("facilities", IDLE_COLUMN))
"""Layer and column of every column the service declares to the input layer."""
