"""Clinic maps draw the analysis results: layers, status colours, escaped names, plan links."""

import re

import geopandas as gpd
from netfixtures import lonlat, write_osm
from shapely.geometry import Point

from lvliang_coverage.services.clinics.analysis import ClinicPlanResult
from lvliang_coverage.services.clinics.check import check_mode, village_status
from lvliang_coverage.services.clinics.map import compliance_map, plan_map
from lvliang_coverage.services.clinics.plan import plan_clinics
from lvliang_coverage.study import Study

HOSTILE = "<script>alert(1)</script>"


def study(tmp_path):
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(tmp_path / "r.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})])
    rows = [("a", HOSTILE, 1000, 120), ("b", "村乙", 3500, 80), ("c", "村丙", 2000, 600)]
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
    clinics = gpd.GeoDataFrame(
        {"facility_id": ["k"], "name": ["卫生室"], "kind": ["clinic"]},
        geometry=[Point(lonlat(0.0, 0.0))],
        crs="EPSG:4326",
    )
    return Study(villages=villages, facilities=clinics, roads_path=roads)


def test_compliance_map(tmp_path):
    s = study(tmp_path)
    net = s.network("walk")
    table = check_mode(s.villages, s.care_facilities, net, s.rules)
    areas = net.service_areas(s.care_facilities, [30])
    m = compliance_map(
        s,
        table,
        s.care_facilities,
        status=village_status(table),
        service_areas=areas,
        radius_m=2500.0,
    )
    html = m.get_html()
    for layer in (
        "道路",
        "卫生室2.5公里服务半径",
        "卫生室30分钟等时圈（步行）",
        "自然村",
        "村卫生室",
    ):
        assert layer in m.layer_names, layer
    assert HOSTILE not in html
    assert "200人以下村：未达标" in html
    assert not re.search(r"<script[^>]+src=", html)
    english = compliance_map(
        s, table, s.care_facilities, status=village_status(table), radius_m=2500.0, lang="en"
    )
    assert "Villages under 200: not compliant" in english.get_html()


def test_plan_map(tmp_path):
    s = study(tmp_path)
    plan = plan_clinics(s.villages, s.care_facilities, s.network("walk"), rules=s.rules)
    links = plan.links(s.villages)
    assert sorted(links["village_id"]) == ["a", "b"]
    assert links.set_index("village_id").loc["b", "site_id"] == "C-c"
    m = plan_map(s, ClinicPlanResult(plan))
    assert "共建分组（村→卫生室）" in m.layer_names
    assert "新建中心村卫生室" in m.get_html()
