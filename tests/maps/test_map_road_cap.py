"""A road network too large to draw whole: higher classes only, whole classes, and said so."""

import geopandas as gpd
import pytest
from map_cases import payloads
from shapely.geometry import LineString

from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._terms import MAP_TERMS
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import text


def _roads(classes: list[str]) -> gpd.GeoDataFrame:
    """One short east-west road per class, 0.01 degree apart (none a duplicate of another)."""
    lines = [
        LineString([(111.10, 37.40 + 0.01 * i), (111.12, 37.40 + 0.01 * i)])
        for i in range(len(classes))
    ]
    return gpd.GeoDataFrame({"highway": classes}, geometry=lines, crs="EPSG:4326")


ROADS = ["primary"] * 3 + ["tertiary"] * 4 + ["unclassified"] * 6 + ["track"] * 2


@pytest.mark.parametrize(
    ("cap", "drawn"),
    [
        (100, [0] * 3 + [1] * 4 + [2] * 6 + [3] * 2),  # within the cap: every road
        (13, [0] * 3 + [1] * 4 + [2] * 6),  # tracks left out: 15 roads > 13
        (12, [0] * 3 + [1] * 4),  # rural roads would make 13: left out with the tracks
        (5, [0] * 3),  # major roads only
        (2, [0] * 3),  # the highest class is drawn even beyond the cap
    ],
)
def test_large_networks_draw_their_higher_classes(counties, monkeypatch, cap, drawn):
    monkeypatch.setattr(sty, "ROAD_MAX_LINES", cap)
    m = CoverageMap(counties).add_roads(_roads(ROADS))
    (spec,) = payloads(m.get_html())[0]
    assert spec["n"] == len(drawn)
    assert spec["k"] == drawn
    capped = len(drawn) < len(ROADS)
    expected = MAP_TERMS.get("roads_capped", "zh") if capped else text("roads", "zh")
    assert m.layer_names == [expected]


def test_the_highest_class_present_is_kept_when_no_major_road_exists(counties, monkeypatch):
    monkeypatch.setattr(sty, "ROAD_MAX_LINES", 3)
    m = CoverageMap(counties, lang="en").add_roads(_roads(["track"] * 2 + ["unclassified"] * 5))
    (spec,) = payloads(m.get_html())[0]
    assert spec["k"] == [2] * 5  # the 5 rural roads, the tracks left out
    assert m.layer_names == ["Roads (too many to draw: higher classes only)"]
