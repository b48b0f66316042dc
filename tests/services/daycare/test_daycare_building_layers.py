"""The day-care maps draw idle candidates and converted buildings through one layer helper."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from lvliang_coverage.services.daycare import map as daycare_map


class _Map:
    """Stands in for a CoverageMap: records the layers added."""

    def __init__(self) -> None:
        self.layers: list[tuple[gpd.GeoDataFrame, str, dict]] = []

    def add_layer(self, gdf: gpd.GeoDataFrame, name: str, **style: object) -> _Map:
        self.layers.append((gdf, name, style))
        return self


def _buildings(**columns: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=[Point(111.1, 37.5)], crs="EPSG:4326")


def test_idle_candidates_layer():
    m = _Map()
    idle = _buildings(facility_id=["SC1"], kind=["school"], county=["离石区"])
    daycare_map._add_buildings(m, idle, "idle", "zh")
    [(gdf, name, style)] = m.layers
    assert gdf is idle
    assert name == "闲置校舍、卫生院（候选）"
    assert style == {
        "color": daycare_map.IDLE_COLOUR,
        "radius": 4.0,
        "fill_opacity": 0.8,
        "popup_cols": ["facility_id", "kind", "county"],  # no township column here
        "tooltip_col": None,  # no name column
        "show": False,
    }


def test_converted_buildings_layer_in_english():
    m = _Map()
    new = _buildings(site_id=["SC1"], name=["甲校"], kind=["school"], county=["c"], township=["t"])
    daycare_map._add_buildings(m, new, "new", "en")
    [(_, name, style)] = m.layers
    assert name == "Idle buildings to convert"
    assert style["color"] == daycare_map.NEW_COLOUR
    assert (style["radius"], style["fill_opacity"], style["show"]) == (6.0, 0.9, True)
    assert style["popup_cols"] == ["site_id", "kind", "county", "township"]
    assert style["tooltip_col"] == "name"


def test_no_buildings_no_layer():
    m = _Map()
    daycare_map._add_buildings(m, _buildings(site_id=["x"]).iloc[:0], "new", "zh")
    assert m.layers == []
