"""Clinic maps say in words what the check and the plan found, at every scale."""

import json
import re

import geopandas as gpd
import numpy as np
import pytest
from netfixtures import lonlat, write_osm
from shapely.geometry import Point, box

from lvliang_coverage.maps import _style as sty
from lvliang_coverage.services.clinics.analysis import ClinicPlanResult
from lvliang_coverage.services.clinics.check import check_mode, village_status
from lvliang_coverage.services.clinics.map import (
    HOLLOW,
    PLAN_COLOURS,
    STATUS_COLOURS,
    compliance_map,
    plan_map,
)
from lvliang_coverage.services.clinics.plan import plan_clinics
from lvliang_coverage.services.clinics.service import SERVICE
from lvliang_coverage.services.clinics.status import status_sentences
from lvliang_coverage.study import Study

HOSTILE = "<script>alert(1)</script>"
RAW = re.compile(r"_km|_id|_min|small_|large_|too_|_yuan")
"""What no popup label, value or sentence may show: column keys and status codes."""


def _specs(m):
    """Layer name -> its encoded specs, decoded from the page."""
    page = m.get_html()
    calls = re.findall(r'LVC\.build\(("(?:[^"\\]|\\.)*"), (.*)\);$', page, flags=re.MULTILINE)
    return {json.loads(n): json.loads(p) for n, p in calls}


def study(tmp_path, *, centre: bool = True):
    """A road along x (0-4 km), a clinic at 0 km and (``centre``) a health centre at 4 km.

    Villages: a (1 km, 120 residents), b (3.5 km, 80), c (2 km, 600), d (3.1 km, 50) in one
    township drawn as a polygon.
    """
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(tmp_path / "r.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})])
    rows = [("a", HOSTILE, 1000, 120), ("b", "村乙", 3500, 80), ("c", "村丙", 2000, 600)]
    rows.append(("d", "村丁", 3100, 50))
    villages = gpd.GeoDataFrame(
        {
            "village_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "county": "县",
            "township": "镇",
            "population": [r[3] for r in rows],
        },
        geometry=[Point(lonlat(r[2], 0.0)) for r in rows],
        crs="EPSG:4326",
    )
    care = gpd.GeoDataFrame(
        {
            "facility_id": ["k", "h"],
            "name": ["卫生室", "镇卫生院"],
            "kind": ["clinic", "health_centre"],
        },
        geometry=[Point(lonlat(0.0, 0.0)), Point(lonlat(4000.0, 0.0))],
        crs="EPSG:4326",
    )
    care = care if centre else care.iloc[:1]
    (x0, y0), (x1, y1) = lonlat(-500.0, -500.0), lonlat(4500.0, 500.0)
    townships = gpd.GeoDataFrame(
        {"county": ["县"], "name": ["镇"]}, geometry=[box(x0, y0, x1, y1)], crs="EPSG:4326"
    )
    return Study(villages=villages, facilities=care, roads_path=roads, townships=townships)


@pytest.fixture
def checked(tmp_path):
    s = study(tmp_path)
    table = check_mode(s.villages, s.care_facilities, s.network("walk"), s.rules)
    return s, table


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compliance_popups_say_the_status_and_the_clinics_behind_it(checked, lang):
    s, table = checked
    m = compliance_map(
        s, table, s.care_facilities, status=village_status(table), radius_m=2500.0, lang=lang
    )
    specs = _specs(m)
    name = "自然村（达标情况）" if lang == "zh" else "Villages (compliance)"
    (villages,) = specs[name]
    # the same sentence as the ledger's 问题 column, row by row
    expected = status_sentences(table, lang, s.rules).tolist()
    assert villages["note"][1:] == expected[1:]
    assert villages["note"][0] == expected[0]  # (names are escaped, sentences name ids)
    cols = villages["cols"]
    assert not [c for c in cols if RAW.search(c)]
    assert not [v for row in villages["rows"] for v in row if RAW.search(v)]
    assert not [n for n in villages["note"] if RAW.search(n)]
    rows = {
        vid: dict(zip(cols, row, strict=True))
        for vid, row in zip("abcd", villages["rows"], strict=True)
    }
    t = table.set_index("village_id")
    nearest = "最近卫生室（直线）" if lang == "zh" else "Nearest clinic (straight line)"
    served = next(c for c in cols if c.startswith(("服务卫生室", "Serving")))
    label = {"k": "卫生室（k）", "h": "镇卫生院（h）"}
    if lang == "en":
        label = {"k": "卫生室 (k)", "h": "镇卫生院 (h)"}
    for vid in "abcd":
        assert rows[vid][nearest] == label[t.loc[vid, "nearest_clinic_id"]]
        by = t.loc[vid, "served_by"]
        assert rows[vid][served] == (label[by] if by else ("无" if lang == "zh" else "none"))
    # d: the nearest is the health centre (0.9 km), not the clinic at 3.1 km
    assert t.loc["d", "nearest_clinic_id"] == "h"


def test_compliance_classes_scales_and_icons(checked):
    s, table = checked
    status = village_status(table)
    m = compliance_map(
        s,
        table,
        s.care_facilities,
        status=status,
        service_areas=s.network("walk").service_areas(s.care_facilities, [30]),
        radius_m=2500.0,
    )
    html = m.get_html()
    assert HOSTILE not in html
    specs = _specs(m)
    assert list(specs) == [
        "乡镇界",
        "道路",
        "乡镇：200人以下村达标比例",
        "卫生室30分钟等时圈（步行）",
        "卫生室2.5公里服务半径",
        "自然村（达标情况）",
        "村卫生室",
        "乡镇卫生院",
    ]
    # township: share of its villages under 200 that comply, computed here by hand
    small = table[table["small_village"]]
    share = small["compliant"].mean()
    (area, label) = specs["乡镇：200人以下村达标比例"]
    assert area["k"] == [int(sty.share_class(np.array([share]))[0])]
    assert area["maxZoom"] == sty.SHARE_MAX_ZOOM
    assert label["text"] == ["镇"]
    (villages,) = specs["自然村（达标情况）"]
    assert villages["minZoom"] == sty.SHARE_MAX_ZOOM
    cats = villages["cats"]
    for vid, code, k in zip(table["village_id"], status, villages["k"], strict=True):
        style = cats[k]["style"]
        colour = STATUS_COLOURS[code]
        if code in HOLLOW:
            assert (style["color"], style["fillColor"]) == (colour, "#ffffff"), vid
        else:
            assert style["fillColor"] == colour, vid
    assert status[table["village_id"] == "c"].item().startswith("large_")
    # each kind of care facility wears its own icon
    (clinic,) = specs["村卫生室"]
    (centre,) = specs["乡镇卫生院"]
    assert clinic["cats"][0]["icon"] != centre["cats"][0]["icon"]
    assert "200人以下村：未达标" in html or "200人以下村：达标" in html


def test_plan_map_names_the_clinic_that_will_serve_each_village(tmp_path):
    s = study(tmp_path, centre=False)
    plan = plan_clinics(s.villages, s.care_facilities, s.network("walk"), rules=s.rules)
    m = plan_map(s, ClinicPlanResult(plan))
    specs = _specs(m)
    assert "共建分组（村→卫生室）" in specs
    assert "新建中心村卫生室" in specs
    (villages,) = specs["200人以下村（规划后）"]
    a = plan.assignment.assignment.set_index("demand_id")
    kinds = plan.sites.set_index("site_id")["kind"]
    order = plan.demand["village_id"].tolist()
    cats = [c["style"]["fillColor"] for c in villages["cats"]]
    # b and d are served by a new central clinic in c (600 residents)
    assert a.loc["b", "facility_id"] == a.loc["d", "facility_id"] == "C-c"
    for i, vid in enumerate(order):
        site = a.loc[vid, "facility_id"]
        expected = "existing" if kinds[site] == "existing" else "new"
        assert cats[villages["k"][i]] == PLAN_COLOURS[expected], vid
        minutes = round(float(a.loc[vid, "unit_cost"]))
        assert f"{minutes}分钟" in villages["note"][i], villages["note"][i]
        assert str(site) in villages["note"][i]
    # its own classes: never the compliance map's codes or labels
    page = m.get_html()
    assert "small_ok" not in page
    assert "200人以下村：达标" not in page
    (new,) = specs["新建中心村卫生室"]
    assert sty.RESULT_COLOURS["planned"] in new["cats"][0]["icon"]


BASELINE_BYTES = 2_497_595
"""Size of the default compliance map before the township layer, labels and popups of issue 12."""


@pytest.mark.slow
def test_default_compliance_map_stays_under_twice_its_old_size(default_study, tmp_path):
    task = SERVICE.task("check")
    result = SERVICE.analyse(default_study, default_study.rules, task="check", **task.options)
    path = SERVICE.map(result, "zh", study=default_study).save(tmp_path / "m.html")
    assert path.stat().st_size < 2 * BASELINE_BYTES
