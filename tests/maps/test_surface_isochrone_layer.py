"""Isochrones cut from a travel-time surface: nested polygons, legend rows in the map's language."""

import geopandas as gpd
import pytest
from map_cases import layer_names_in_page, legend_markup, payloads
from shapely.geometry import box

from lvliang_coverage.maps._isochrone_layers import SURFACE_ISOCHRONE_COLOURS
from lvliang_coverage.maps.coverage_map import CoverageMap


def nested():
    """Three nested squares round (111.0, 37.5): 15, 30 and 60 minutes (given out of order)."""
    return gpd.GeoDataFrame(
        {"minutes": [30.0, 15.0, 60.0], "area_km2": [4.0, 1.0, 16.0]},
        geometry=[
            box(110.98, 37.48, 111.02, 37.52),
            box(110.99, 37.49, 111.01, 37.51),
            box(110.96, 37.46, 111.04, 37.54),
        ],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize(
    ("lang", "name", "rows"),
    [
        ("zh", "地形模型等时圈（步行）", ["≤ 15 分钟可达", "≤ 30 分钟可达", "≤ 60 分钟可达"]),
        ("en", "Terrain isochrones (walking)", ["within 15 min", "within 30 min", "within 60 min"]),
    ],
)
def test_layer_name_and_legend_in_the_maps_language(lang, name, rows):
    iso = nested()
    m = CoverageMap(iso, title="t", lang=lang, basemap="none")
    m.add_surface_isochrones(iso, mode="步行" if lang == "zh" else "walking")
    page = m.get_html()
    assert layer_names_in_page(page) == [name]
    legend = legend_markup(page)
    assert name in legend
    positions = [legend.index(r) for r in rows]
    assert positions == sorted(positions)  # shortest limit first
    for colour in SURFACE_ISOCHRONE_COLOURS[:3]:
        assert colour in legend


def test_longest_limit_drawn_first_shortest_on_top():
    iso = nested()
    m = CoverageMap(iso, title="t", basemap="none")
    m.add_surface_isochrones(iso, mode="步行")
    (specs,) = payloads(m.get_html())
    (spec,) = specs
    assert spec["n"] == 3
    # categories by limit (0 = 15 min ...), drawn in the order 60, 30, 15 minutes
    assert spec["k"] == [2, 1, 0]
    fills = [c["style"]["fillColor"] for c in spec["cats"]]
    assert fills == list(SURFACE_ISOCHRONE_COLOURS[:3])
    assert spec["cols"] == ["到最近卫生机构（分钟）", "面积（平方公里）"]
    assert spec["rows"] == [["60", "16"], ["30", "4"], ["15", "1"]]
