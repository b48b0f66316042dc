"""The resettlement service: its declaration, its files, and site evaluation on the access core."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import typer
from netfixtures import point_rows, road_graph

from lvliang_coverage import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services import access as access_core
from lvliang_coverage.services.contract import Service, Task
from lvliang_coverage.services.relocation import evaluation
from lvliang_coverage.services.relocation.analysis import RelocationResult
from lvliang_coverage.services.relocation.evaluation import SERVICES, evaluate_sites
from lvliang_coverage.services.relocation.service import SERVICE, RelocationService
from lvliang_coverage.services.relocation.terms import SERVICE_NAMES
from lvliang_coverage.services.runner import run_task

KM = 1000.0
WALK_MIN_PER_KM = 12.0  # 5 km/h on flat ground
EMPTY = gpd.GeoDataFrame({"facility_id": [], "kind": []}, geometry=[], crs="EPSG:4326")


# ---------------------------------------------------------------- declaration
def test_service_declares_the_contract():
    assert isinstance(SERVICE, RelocationService)
    assert isinstance(SERVICE, Service)
    assert SERVICE.name == "relocation"
    assert SERVICE.title_zh == "易地扶贫搬迁安置点"
    assert SERVICE.title_en == "Resettlement sites"
    assert SERVICE.title("en") == "Resettlement sites"
    assert SERVICE.articles == (15, 16, 17)
    assert SERVICE.kinds == ("clinic", "health_centre", "school", "workshop", "industrial_park")
    assert SERVICE.kinds == SERVICES
    assert SERVICE.new_kinds == ()
    assert SERVICE.rules_section == "relocation"
    assert "relocation" in load_rules().raw
    assert [t.name for t in SERVICE.tasks] == ["plan"]
    task = SERVICE.task("plan")
    assert isinstance(task, Task)
    assert task.map_file == "relocation_plan.html"
    assert task.in_demo
    assert "安置点" in task.help_zh
    assert task.help_en
    assert isinstance(SERVICE.cli(), typer.Typer)
    with pytest.raises(KeyError):
        SERVICE.task("check")


def test_service_terms_name_every_service():
    assert SERVICE_NAMES.keys() == SERVICES


def test_run_task_writes_the_tables_and_the_ledger(default_study, tmp_path):
    run = run_task(SERVICE, default_study, "plan", tmp_path, maps=False)
    assert isinstance(run.result, RelocationResult)
    tables = list(run.result.tables())
    assert tables == [
        "relocation_sites.csv",
        "relocation_assignment.csv",
        "relocation_unassigned.csv",
        "relocation_plan.json",
    ]
    ledger = SERVICE.ledger(run.result, "zh")
    assert ledger is not None
    assert ledger.name == "relocation_ledger"
    names = [p.name for p in run.files]
    assert names == [*tables, "relocation_ledger.xlsx", "relocation_ledger.csv"]
    written = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]  # no journal
    assert sorted(written) == sorted(names)
    [headline] = SERVICE.headlines(run.result)
    assert isinstance(headline, Headline)
    assert headline.title == "第15-17条 易地扶贫搬迁安置 / articles 15-17 resettlement plan"
    summary = run.result.summary()
    items = dict(headline.items)
    assert items.pop("mode") == summary["mode"]  # printed as the mode's names
    for label, value in items.items():
        zh, sep, en = label.partition(" / ")
        assert all((zh, sep, en)), label  # every label in Chinese and English
        assert not isinstance(value, str), label  # numbers stay numbers
        assert "_" not in label, label  # no summary key
    assert items["公共服务达标的安置点 / sites meeting every required service"] == 20
    assert items["已安置村 / villages placed"] == 78
    assert items["已安置人数 / residents placed"] == 5707
    assert (
        items[
            "未安置：时限内的安置点均在外县 / not placed: the sites within the limit are all in other counties"
        ]
        == summary["unassigned_other_county"]
    )
    assert headline.solver["solver_status"] == summary["solver_status"]


def test_analyse_without_sites_raises(default_study):
    class NoSites:
        sites = None

    with pytest.raises(InputError, match="sites"):
        SERVICE.analyse(NoSites(), default_study.rules, task="plan")  # type: ignore[arg-type]


# ---------------------------------------------------------------- evaluation on the access core
@pytest.fixture
def bent_road():
    """Site at node 0; road 0 -(1 km)- 1 -(1.5 km)- 2 -(1.414 km)- 3, node 3 only 0.5 km away.

    Facilities: clinics at 1 and 2, schools at 1 and 3 (the one at 3 is nearer in a straight
    line, 0.5 km, but 3.914 km by road), a workshop at 2, an industrial park at 3, no
    health centre.
    """
    nodes = {0: (0.0, 0.0), 1: (KM, 0.0), 2: (KM, 1.5 * KM), 3: (0.0, 0.5 * KM)}
    graph = road_graph(nodes, [(0, 1), (1, 2), (2, 3)])
    placed = [
        ("clinic", 1),
        ("clinic", 2),
        ("school", 1),
        ("school", 3),
        ("workshop", 2),
        ("industrial_park", 3),
    ]
    facilities = point_rows(
        [
            {"facility_id": f"{k}{n}", "kind": k, "x": nodes[n][0], "y": nodes[n][1]}
            for k, n in placed
        ],
        id_col="facility_id",
    )
    sites = point_rows(
        [
            {
                "site_id": "S",
                "name": "安置点S",
                "county": "甲县",
                "township": "乙镇",
                "capacity_households": 40,
                "occupied_households": 5,
                "x": 0.0,
                "y": 0.0,
            }
        ],
        id_col="site_id",
    )
    rules = load_rules({"relocation": {"mode": "walk", "max_minutes_workshop": 40.0}})
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    return sites, facilities, net, rules


def test_evaluation_minutes_by_hand(bent_road):
    sites, facilities, net, rules = bent_road
    s = evaluate_sites(sites, facilities, net, rules).iloc[0]
    diagonal = math.hypot(KM, KM)
    expected = {  # fastest facility and minutes at 12 min/km
        "clinic": ("clinic1", 1.0 * WALK_MIN_PER_KM, True),
        "school": ("school1", 1.0 * WALK_MIN_PER_KM, True),  # not school3, nearer as the crow flies
        "workshop": ("workshop2", 2.5 * WALK_MIN_PER_KM, True),  # 30 min, limit 40
        "industrial_park": (
            "industrial_park3",
            (2.5 * KM + diagonal) / KM * WALK_MIN_PER_KM,  # 46.97 min, limit 60
            True,
        ),
    }
    for service, (fid, minutes, ok) in expected.items():
        assert s[f"fastest_{service}_id"] == fid, service
        assert s[f"{service}_min"] == pytest.approx(minutes, rel=5e-3), service
        assert s[f"{service}_ok"] == ok, service
        assert s[f"served_{service}_id"] == (fid if ok else ""), service
    # the school nearest in a straight line (node 3, 0.5 km) is not the fastest (node 1)
    assert s["nearest_school_id"] == "school3"
    assert s["school_euclid_km"] == pytest.approx(0.5, rel=5e-3)
    assert s["school_network_km"] == pytest.approx(1.0, rel=5e-3)
    assert s["nearest_clinic_id"] == "clinic1"
    assert s["clinic_euclid_km"] == pytest.approx(1.0, rel=5e-3)
    assert s["nearest_workshop_id"] == "workshop2"
    assert s["workshop_euclid_km"] == pytest.approx(math.hypot(1.0, 1.5), rel=5e-3)
    assert s["workshop_network_km"] == pytest.approx(2.5, rel=5e-3)
    assert s["health_centre_min"] != s["health_centre_min"]  # NaN: none at all
    assert s["fastest_health_centre_id"] is None
    assert s["nearest_health_centre_id"] is None
    assert s["served_health_centre_id"] == ""
    assert math.isnan(s["health_centre_min"])
    assert not s["health_centre_ok"]
    assert s["missing"] == "health_centre"
    assert s["services_met"] == 4
    assert not s["passes"]
    assert not s["off_network"]


def test_evaluation_goes_through_the_access_core(bent_road, monkeypatch):
    sites, facilities, net, rules = bent_road
    calls = []

    def spy(points, fac, router, rule, **kw):
        calls.append((set(fac["kind"]), rule, kw))
        return access_core.access(points, fac, router, rule, **kw)

    monkeypatch.setattr(evaluation, "access", spy)
    evaluate_sites(sites, facilities, net, rules)
    assert [kinds for kinds, _, _ in calls] == [
        {s} if s != "health_centre" else set() for s in SERVICES
    ]
    for service, (_, rule, kw) in zip(SERVICES, calls, strict=True):
        assert rule.max_s == pytest.approx(rules.relocation.max_minutes(service) * 60.0)
        assert math.isinf(rule.radius_m)  # time only
        assert kw["point_id"] == "site_id"


def test_evaluation_tight_limit_fails(bent_road):
    sites, facilities, net, _ = bent_road
    limits = {"max_minutes_clinic": 10.0, "max_minutes_workshop": 40.0}
    strict = load_rules({"relocation": {"mode": "walk", **limits}})
    s = evaluate_sites(sites, facilities, net, strict).iloc[0]
    assert s["clinic_min"] == pytest.approx(12.0, rel=5e-3)  # still reported
    assert not s["clinic_ok"]
    assert s["missing"] == "clinic;health_centre"


def test_access_copes_with_no_facility(bent_road):
    sites, _, net, _ = bent_road
    two = pd.concat([sites, sites.assign(site_id="T")], ignore_index=True)
    rule = access_core.AccessRule(max_s=1800.0)
    table = access_core.access(two, EMPTY, net, rule, point_id="site_id")
    assert list(table.columns) == access_core.ACCESS_COLUMNS
    assert len(table) == 2
    assert table["nearest_id"].isna().all()
    assert table["fastest_id"].isna().all()
    assert table["served_by"].isna().all()
    for col in ("nearest_euclid_m", "fastest_time_s", "fastest_network_m", "served_time_s"):
        assert table[col].isna().all(), col
    assert not table["reachable"].any()
    assert not table["within_time"].any()
    assert not table["served"].any()
    reasons = access_core.reasons(table, table["within_time"].to_numpy(), radius_applies=False)
    assert list(reasons) == ["unreachable", "unreachable"]


def test_evaluation_with_no_facility_at_all(bent_road):
    sites, _, net, rules = bent_road
    s = evaluate_sites(sites, EMPTY, net, rules).iloc[0]
    assert s["services_met"] == 0
    assert s["missing"] == ";".join(SERVICES)
    assert all(s[f"fastest_{k}_id"] is None for k in SERVICES)
    assert all(s[f"served_{k}_id"] == "" for k in SERVICES)
    assert np.isnan([s[f"{k}_min"] for k in SERVICES]).all()
