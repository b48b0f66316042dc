"""Maps read at every scale: areas by share and names at city zoom, villages when zoomed in."""

import re

import geopandas as gpd
import numpy as np
import pytest
from map_cases import layer_names_in_page, legend_markup, payloads
from shapely.geometry import box

from lvliang_coverage import kinds
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps.coverage_map import CoverageMap


@pytest.fixture
def townships() -> gpd.GeoDataFrame:
    """Five townships of one county with hand-picked shares (one with nothing to serve)."""
    return gpd.GeoDataFrame(
        {
            "county": ["临县"] * 5,
            "township": ["甲镇", "乙镇", "丙乡", "丁乡", "戊乡"],
            "units": [4, 3, 8, 10, 0],
            "served": [4, 2, 2, 0, 0],
            # 100 %, 66.7 %, 25 % (a class edge), 0 %, none
            "share": [1.0, 2 / 3, 0.25, 0.0, np.nan],
        },
        geometry=[box(111.0 + 0.1 * i, 37.4, 111.1 + 0.1 * i, 37.5) for i in range(5)],
        crs="EPSG:4326",
    )


def test_share_classes_follow_the_whole_percent():
    shares = np.array([0.0, 0.249, 0.25, 0.29, 0.5, 0.57, 0.7499, 0.75, 0.999, 1.0, np.nan])
    # hand-classed: 0-24 %, 25-49 %, 50-74 %, 75-99 %, all; -1 = nothing to serve
    assert sty.share_class(shares).tolist() == [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, -1]


def test_townships_coloured_by_share_below_the_village_zoom(townships, counties):
    m = CoverageMap(counties, basemap="none")
    m.add_shares(
        townships,
        "乡镇：200人以下村达标比例",
        units="200人以下村",
        popup_cols=["county", "township", "units", "served", "share"],
        popup_labels={"units": "200人以下村（个）", "served": "达标（个）", "share": "比例"},
    )
    page = m.get_html()
    (areas, labels) = payloads(page)[0]
    assert areas["k"] == [4, 2, 1, 0, 5]
    fills = [c["style"]["fillColor"] for c in areas["cats"]]
    assert fills == [*sty.SHARE_COLOURS, sty.RESULT_COLOURS["none"]]
    assert areas["maxZoom"] == sty.SHARE_MAX_ZOOM
    assert areas["tip"] == [
        "临县 甲镇：100%",
        "临县 乙镇：66%",
        "临县 丙乡：25%",
        "临县 丁乡：0%",
        "临县 戊乡：—",
    ]
    assert areas["cols"] == ["县（市、区）", "乡镇", "200人以下村（个）", "达标（个）", "比例"]
    assert areas["rows"][1] == ["临县", "乙镇", "3", "2", "66%"]
    # township names written on the map at county scale, until the villages take over
    assert labels["mode"] == "label"
    assert labels["text"] == ["甲镇", "乙镇", "丙乡", "丁乡", "戊乡"]
    assert (labels["minZoom"], labels["maxZoom"]) == (10, sty.SHARE_MAX_ZOOM)
    legend = re.sub(r"<[^>]+>", "|", legend_markup(page))
    rows = [r for r in legend.split("|") if "%" in r or r.startswith("无")]
    assert rows[:6] == ["全部（100%）", "75%–99%", "50%–74%", "25%–49%", "0%–24%", "无200人以下村"]


def test_english_share_legend(townships, counties):
    m = CoverageMap(counties, basemap="none", lang="en")
    m.add_shares(townships.iloc[:4], "Townships", units="villages under 200")
    page = m.get_html()
    assert "all (100%)" in page
    assert "0–24%" in page
    assert "no villages under 200" not in page  # every township has units to serve


def test_villages_appear_only_when_zoomed_in_and_rings_keep_colours_apart(villages, counties):
    status = np.array(["small_ok", "small_fail", "large_ok", "large_fail", "small_ok"])
    m = CoverageMap(counties, basemap="none").add_villages(
        villages.assign(status=status, note=["甲", "乙", "丙", "丁", "戊"]),
        status_col="status",
        palette={
            "small_ok": "#1a9850",
            "small_fail": "#e41a1c",
            "large_ok": "#1a9850",
            "large_fail": "#e41a1c",
        },
        labels={
            "small_ok": "达标",
            "small_fail": "未达标",
            "large_ok": "其他：达标",
            "large_fail": "其他：未达标",
        },
        hollow=["large_ok", "large_fail"],
        min_zoom=sty.SHARE_MAX_ZOOM,
        note_col="note",
        popup_cols=["village_id", "status"],
        popup_labels={"status": "达标情况"},
    )
    (spec,) = payloads(m.get_html())[0]
    assert spec["minZoom"] == sty.SHARE_MAX_ZOOM
    styles = {tuple(sorted(c["style"].items())) for c in spec["cats"]}
    assert len(styles) == 4
    rings = [c["style"] for c in spec["cats"] if c["style"]["fillColor"] == "#ffffff"]
    assert sorted(r["color"] for r in rings) == ["#1a9850", "#e41a1c"]
    assert spec["note"] == ["甲", "乙", "丙", "丁", "戊"]
    assert spec["cols"] == ["编号", "达标情况"]
    assert spec["search"] is True  # found by the search box at any zoom


def test_county_names_at_city_scale_township_names_from_county_scale(counties, townships):
    m = CoverageMap(counties, basemap="none")
    m.add_boundaries(counties, kind="county", labels=True)
    m.add_boundaries(townships, kind="township", name_col="township", labels=True, min_zoom=11)
    county, township = payloads(m.get_html())
    assert county[1]["text"] == ["临县", "&lt;script&gt;alert(1)&lt;/script&gt;"]
    assert county[1]["maxZoom"] == 11
    assert "minZoom" not in county[1]
    assert township[0]["minZoom"] == 11
    assert township[1]["minZoom"] == 11
    assert township[1]["cls"] == "lvc-label-township"


def test_crowded_facility_kinds_wait_for_the_zoom_given(counties):
    n = sty.CROWDED_FACILITIES + 1
    many = gpd.GeoDataFrame(
        {"name": [f"院{i}" for i in range(n)], "kind": ["health_centre"] * n},
        geometry=gpd.points_from_xy(np.linspace(111.0, 111.4, n), np.full(n, 37.5)),
        crs="EPSG:4326",
    )
    few = many.iloc[:3].assign(kind="hospital")
    m = CoverageMap(counties).add_facilities(
        gpd.GeoDataFrame(
            gpd.pd.concat([many, few], ignore_index=True), geometry="geometry", crs="EPSG:4326"
        ),
        crowded_min_zoom=11,
    )
    crowded, hospitals = payloads(m.get_html())
    assert crowded[0]["minZoom"] == 11
    assert "minZoom" not in hospitals[0]


def test_planned_sites_wear_their_kind_icon_in_a_result_colour(counties, facilities):
    m = CoverageMap(counties).add_sites(
        facilities.iloc[:2], "clinic", "新建中心村卫生室", colour="#ff8c00", tooltip_col="name"
    )
    (spec,) = payloads(m.get_html())[0]
    icon = spec["cats"][0]["icon"]
    assert spec["mode"] == "marker"
    assert "#ff8c00" in icon
    assert kinds.get("clinic").colour not in icon
    # the shape is the clinic's: the same drawing in another colour
    assert icon.replace("#ff8c00", "#000000") == sty.facility_icon(
        "clinic", kinds.get("clinic").icon_px + 2, colour="#000000"
    )


def test_idle_buildings_have_one_icon_of_their_own(counties, facilities):
    m = CoverageMap(counties).add_idle_buildings(facilities.iloc[:3])
    (spec,) = payloads(m.get_html())[0]
    assert spec["cats"][0]["icon"] == sty.idle_icon()
    assert sty.IDLE_COLOUR in spec["cats"][0]["icon"]
    assert layer_names_in_page(m.get_html()) == ["闲置校舍、卫生院"]
    assert all(k.colour != sty.IDLE_COLOUR for k in kinds.registered())
