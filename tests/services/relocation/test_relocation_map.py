"""The resettlement map colours sites by pass or fail and says what a failing site misses."""

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from netfixtures import lonlat, point_rows, road_graph
from shapely.geometry import box

from lvliang_coverage import load_rules
from lvliang_coverage.maps._style import RESULT_COLOURS
from lvliang_coverage.services.relocation.analysis import run_plan
from lvliang_coverage.services.relocation.map import MOVER_COLOURS, SITE_COLOURS, relocation_map
from lvliang_coverage.services.relocation.status import site_sentences
from lvliang_coverage.study import Study

KM = 1000.0
RAW = re.compile(r"_km|_id|_min|_ok|health_centre|industrial_park|no_pair|beyond_commute")
"""Column keys and codes that no popup may show."""


def _specs(m):
    page = m.get_html()
    calls = re.findall(r'LVC\.build\(("(?:[^"\\]|\\.)*"), (.*)\);$', page, flags=re.MULTILINE)
    return {json.loads(n): json.loads(p) for n, p in calls}


@pytest.fixture
def study():
    """A 9 km road (walking, 12 min per km); site A at km 1 near every service, B at km 7.

    Services: clinic and school at km 1, health centre and workshop at km 2, industrial park
    at km 8. A passes; B (72 min to the clinic and school, 60 to the workshop) fails. The
    relocating village v1 (km 2) is placed at A; v2 lies on a road no site reaches.
    """
    nodes = {i: (KM * i, 0.0) for i in range(9)} | {100: (0.0, 50 * KM), 101: (KM, 50 * KM)}
    graph = road_graph(nodes, [(i, i + 1) for i in range(8)] + [(100, 101)])
    placed = [("clinic", 1), ("school", 1), ("health_centre", 2), ("workshop", 2)]
    placed.append(("industrial_park", 8))
    facilities = point_rows(
        [
            {"facility_id": f"F{i}", "name": f"设施{i}", "kind": k, "x": nodes[n][0], "y": 0.0}
            for i, (k, n) in enumerate(placed)
        ],
        id_col="facility_id",
    )
    sites = point_rows(
        [
            {"site_id": sid, "name": f"安置点{sid}", "county": "甲县", "township": "乙镇"}
            | {"capacity_households": 50, "occupied_households": 0, "x": x, "y": 0.0}
            for sid, x in (("A", KM), ("B", 7 * KM))
        ],
        id_col="site_id",
    )
    villages = point_rows(
        [
            {"village_id": vid, "name": f"村{vid}", "county": "甲县", "township": "乙镇"}
            | {"households": 10, "population": 40, "relocate": True, "x": x, "y": y}
            for vid, x, y in (("v1", 2 * KM, 0.0), ("v2", KM, 50 * KM))
        ],
        id_col="village_id",
    )
    (x0, y0), (x1, y1) = lonlat(-KM, -KM), lonlat(9 * KM, 51 * KM)
    townships = gpd.GeoDataFrame(
        {"county": ["甲县"], "name": ["乙镇"]}, geometry=[box(x0, y0, x1, y1)], crs="EPSG:4326"
    )
    return Study(
        villages=villages,
        facilities=facilities,
        roads_path=Path("unused.osm"),
        sites=sites,
        townships=townships,
        rules=load_rules({"relocation": {"mode": "walk"}}),
        _graph=graph,
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sites_pass_or_fail_with_what_is_missing(study, lang):
    result = run_plan(study, study.rules)
    sites = result.plan.sites.set_index("site_id")
    assert sites.loc["A", "passes"]
    assert not sites.loc["B", "passes"]
    specs = _specs(relocation_map(study, result, lang=lang))
    (spec,) = specs["安置点（是否达标）" if lang == "zh" else "Resettlement sites (pass or fail)"]
    fills = [spec["cats"][k]["style"]["fillColor"] for k in spec["k"]]
    assert fills == [SITE_COLOURS[True], SITE_COLOURS[False]]
    assert {c["style"]["color"] for c in spec["cats"]} == {"#222222"}  # ringed, unlike villages
    assert spec["note"] == site_sentences(result.plan.sites, lang, study.rules).tolist()
    cols = spec["cols"]
    missing = cols.index("缺少的服务" if lang == "zh" else "Services missing")
    # A passes; only the optional park (84 min) is beyond reach
    assert spec["rows"][0][missing] == ("产业园区" if lang == "zh" else "industrial park")
    b_missing = spec["rows"][1][missing]
    for word in ("村卫生室", "学校") if lang == "zh" else ("village clinic", "school"):
        assert word in b_missing
    assert not [c for c in cols if RAW.search(c)]
    assert not [v for row in spec["rows"] for v in row if RAW.search(v)]
    assert not [n for n in spec["note"] if RAW.search(n)]


def test_movers_placed_or_not_with_site_or_fix(study):
    result = run_plan(study, study.rules)
    specs = _specs(relocation_map(study, result))
    (movers,) = specs["整村搬迁村"]
    fills = [movers["cats"][k]["style"]["fillColor"] for k in movers["k"]]
    assert fills == [MOVER_COLOURS["placed"], MOVER_COLOURS["unplaced"]]
    assert MOVER_COLOURS["placed"] == RESULT_COLOURS["planned"]
    assert movers["note"][0] == "已安置：迁往安置点A（回原村步行12分钟）"
    assert movers["note"][1].startswith("未安置：路网上无可达安置点")
    (area, _labels) = specs["乡镇：整村搬迁人口已安置比例"]
    # 乙镇: v1 (40 residents) placed, v2 (40) not
    assert area["rows"] == [["甲县", "乙镇", "80", "40", "50%"]]
