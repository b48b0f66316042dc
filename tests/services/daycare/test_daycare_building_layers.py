"""The day-care maps: idle buildings and conversions with their own icons, popups in words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from netfixtures import lonlat, point_rows, road_graph
from shapely.geometry import box

from lvliang_coverage import kinds
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.services.daycare.analysis import run_check, run_plan
from lvliang_coverage.services.daycare.map import NEW_COLOUR, STATUS_COLOURS, check_map, plan_map
from lvliang_coverage.services.daycare.status import status_sentences
from lvliang_coverage.study import Study

# A straight road 0..3 km along y = 0 with a node every 100 m: 1 km of walking is 12 minutes.
NODES = {i: (100.0 * i, 0.0) for i in range(31)}
EDGES = [(i, i + 1) for i in range(30)]
RAW = re.compile(r"_km|_id|_min|too_|no_elderly|unserved|uncoverable")
"""Column keys and codes that no popup may show."""


def _specs(m):
    page = m.get_html()
    calls = re.findall(r'LVC\.build\(("(?:[^"\\]|\\.)*"), (.*)\);$', page, flags=re.MULTILINE)
    return {json.loads(n): json.loads(p) for n, p in calls}


@pytest.fixture
def study():
    """A centre D at 0 km, an idle school at 2.8 km; villages at 1, 2.6 and 1.5 km (no 60+)."""
    rows = [("near", 1000, 30), ("far", 2600, 20), ("young", 1500, 0)]
    villages = point_rows(
        [
            {"village_id": v, "name": f"村{v}", "county": "样例县", "township": "样例镇"}
            | {"population": 100, "elderly": e, "x": x, "y": 0.0}
            for v, x, e in rows
        ],
        id_col="village_id",
    )
    facilities = point_rows(
        [
            {
                "facility_id": "D",
                "name": "照料中心D",
                "kind": "daycare",
                "idle": False,
                "x": 0,
                "y": 0,
            },
            {
                "facility_id": "S",
                "name": "闲置学校S",
                "kind": "school",
                "idle": True,
                "x": 2800,
                "y": 0,
            },
        ],
        id_col="facility_id",
    )
    (x0, y0), (x1, y1) = lonlat(-500, -500), lonlat(3500, 500)
    townships = gpd.GeoDataFrame(
        {"county": ["样例县"], "name": ["样例镇"]}, geometry=[box(x0, y0, x1, y1)], crs="EPSG:4326"
    )
    return Study(
        villages=villages,
        facilities=facilities,
        roads_path=Path("unused.osm"),
        townships=townships,
        _graph=road_graph(NODES, EDGES),
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_check_map_popups_and_idle_buildings(study, lang):
    result = run_check(study, study.rules)
    specs = _specs(check_map(study, result, lang=lang))
    name = (
        "自然村（60岁以上人口覆盖情况）"
        if lang == "zh"
        else "Villages (residents aged 60+ within reach)"
    )
    (villages,) = specs[name]
    t = result.table
    assert villages["note"] == status_sentences(t, lang, result.settings).tolist()
    cols = villages["cols"]
    assert not [c for c in cols if RAW.search(c)]
    assert not [v for row in villages["rows"] for v in row if RAW.search(v)]
    assert villages["minZoom"] == sty.SHARE_MAX_ZOOM
    fills = [villages["cats"][k]["style"]["fillColor"] for k in villages["k"]]
    assert fills == [
        STATUS_COLOURS["served"],
        STATUS_COLOURS["unserved"],
        STATUS_COLOURS["no_elderly"],
    ]
    served = next(c for c in cols if c.startswith(("服务中心", "Serving")))
    assert villages["rows"][0][cols.index(served)] == (
        "照料中心D（D）" if lang == "zh" else "照料中心D (D)"
    )
    # the idle school: one icon for idle buildings, switched off at first
    idle_name = (
        "闲置校舍、卫生院（候选）" if lang == "zh" else "Idle schools and clinics (candidates)"
    )
    (idle,) = specs[idle_name]
    assert idle["cats"][0]["icon"] == sty.idle_icon()
    assert idle["rows"][0][1] == kinds.get("school").label(lang)
    (area, _labels) = specs[
        "乡镇：60岁以上人口覆盖比例"
        if lang == "zh"
        else "Townships: residents aged 60+ within reach"
    ]
    assert area["rows"][0][2:] == ["50", "30", "60%"]  # 30 of 50 residents aged 60+


def test_plan_map_converts_the_idle_school(study):
    result = run_plan(study, study.rules, p=1)
    assert result.plan.selected == ["S"]
    specs = _specs(plan_map(study, result))
    (new,) = specs["规划改建的闲置建筑"]
    icon = new["cats"][0]["icon"]
    assert NEW_COLOUR in icon
    assert icon.replace(NEW_COLOUR, "#000000") == sty.facility_icon(
        "daycare", kinds.get("daycare").icon_px + 2, colour="#000000"
    )
    (villages,) = specs["自然村（规划后）"]
    fills = [villages["cats"][k]["style"]["fillColor"] for k in villages["k"]]
    # near: the existing centre; far: the converted school (0.2 km); young: no residents 60+
    assert fills == [
        STATUS_COLOURS["served"],
        STATUS_COLOURS["planned"],
        STATUS_COLOURS["no_elderly"],
    ]
    assert villages["note"][1] == "规划后由改建的闲置学校S（S）服务（步行2分钟）"
    (area, _labels) = specs["乡镇：规划后60岁以上人口覆盖比例"]
    assert area["rows"][0][2:] == ["50", "50", "100%"]
