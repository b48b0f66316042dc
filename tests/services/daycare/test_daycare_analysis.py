"""Day-care check and plan on hand-worked villages (flat ground, walking 5 km/h)."""

import datetime
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from netfixtures import point_rows, road_graph

from lvliang_coverage import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.services.access import covering_pairs
from lvliang_coverage.services.daycare.check import CHECK_COLUMNS, check_summary, check_villages
from lvliang_coverage.services.daycare.demand import elderly_demand
from lvliang_coverage.services.daycare.ledger import ledger_rows
from lvliang_coverage.services.daycare.plan import plan_daycare
from lvliang_coverage.services.daycare.settings import daycare_rules
from lvliang_coverage.services.daycare.sites import site_layer
from lvliang_coverage.services.daycare.status import status_sentences
from lvliang_coverage.study import Study

# A straight road 0..3 km along y = 0 with a node every 100 m: 1 km of walking is 12 minutes.
NODES = {i: (100.0 * i, 0.0) for i in range(31)}
EDGES = [(i, i + 1) for i in range(30)]


def village(vid, x, pop=100, elderly=30, y=0.0, **extra):
    return {
        "village_id": vid,
        "name": f"村{vid}",
        "county": "样例县",
        "township": "样例镇",
        "population": pop,
        "elderly": elderly,
        "x": x,
        "y": y,
        **extra,
    }


def facility(fid, x, kind="daycare", idle=False):
    return {"facility_id": fid, "name": f"设施{fid}", "kind": kind, "idle": idle, "x": x, "y": 0.0}


@pytest.fixture(scope="module")
def net():
    return TravelNetwork.from_graph(road_graph(NODES, EDGES), mode="walk", rules=load_rules())


def test_time_limit_just_inside_and_outside(net):
    settings = daycare_rules(load_rules())
    assert settings.max_travel_min == 15.0  # 1.25 km of flat walking
    villages = point_rows([village("in", 1200), village("out", 1300)], id_col="village_id")
    centres = point_rows([facility("D", 0)], id_col="facility_id")
    t = check_villages(villages, centres, net, settings).set_index("village_id")
    assert list(t.reset_index().columns) == CHECK_COLUMNS
    assert t.loc["in", "served"]
    assert t.loc["in", "travel_min"] == pytest.approx(14.4, abs=1e-6)
    assert t.loc["in", "served_by_name"] == "设施D"
    assert t.loc["in", "reason"] == ""
    assert not t.loc["out", "served"]
    assert t.loc["out", "within_radius"]  # 1.3 km < 2 km
    assert t.loc["out", "travel_min"] == pytest.approx(15.6, abs=1e-6)
    assert t.loc["out", "reason"] == "too_slow"


def test_radius_just_inside_and_outside(net):
    rules = load_rules({"daycare": {"max_travel_min": 60.0}})  # time no longer binds
    settings = daycare_rules(rules)
    villages = point_rows([village("in", 1900), village("out", 2100)], id_col="village_id")
    centres = point_rows([facility("D", 0)], id_col="facility_id")
    t = check_villages(villages, centres, net, settings).set_index("village_id")
    assert t.loc["in", "served"]
    assert t.loc["in", "euclid_km"] == pytest.approx(1.9, abs=1e-6)
    assert not t.loc["out", "served"]
    assert t.loc["out", "within_time"]  # 25.2 min < 60 min
    assert t.loc["out", "euclid_km"] == pytest.approx(2.1, abs=1e-6)
    assert t.loc["out", "reason"] == "too_far"


def test_summary_counts_elderly_served(net):
    settings = daycare_rules(load_rules())
    villages = point_rows(
        [village("a", 500, elderly=40), village("b", 2500, elderly=60)], id_col="village_id"
    )
    centres = point_rows([facility("D", 0)], id_col="facility_id")
    summary = check_summary(check_villages(villages, centres, net, settings))
    city = summary[summary["level"] == "city"].iloc[0]
    assert city["county"] == "全市"
    assert city["elderly"] == 100
    assert city["elderly_served"] == 40
    assert city["served_share"] == pytest.approx(0.4)
    assert city["villages_unserved"] == 1
    assert set(summary["level"]) == {"township", "county", "city"}


def test_missing_elderly_uses_the_rules_share():
    rules = load_rules({"daycare": {"elderly_share_default": 0.3}})
    settings = daycare_rules(rules)
    frame = pd.DataFrame({"population": [100, 255, 7]})
    elderly, estimated = elderly_demand(frame, settings)
    assert elderly.tolist() == [30, 76, 2]  # round(population x 0.3)
    assert estimated.all()
    partial = frame.assign(elderly=[40.0, np.nan, 9.0])  # 9 > 7 residents: capped
    elderly, estimated = elderly_demand(partial, settings)
    assert elderly.tolist() == [40, 76, 7]
    assert estimated.tolist() == [False, True, False]


def test_missing_column_is_flagged_in_the_check(net):
    settings = daycare_rules(load_rules())
    villages = point_rows([village("a", 500, pop=201)], id_col="village_id").drop(columns="elderly")
    centres = point_rows([facility("D", 0)], id_col="facility_id")
    t = check_villages(villages, centres, net, settings)
    assert t["elderly_estimated"].all()
    assert t["elderly"].tolist() == [50]  # round(201 x 0.25)


def test_idle_school_chosen_over_a_farther_one(net):
    settings = daycare_rules(load_rules())
    villages = point_rows([village("v", 0, elderly=50)], id_col="village_id")
    idle = point_rows(
        [
            facility("near", 500, kind="school", idle=True),  # 6 min
            facility("far", 1500, kind="school", idle=True),  # 18 min: too slow
        ],
        id_col="facility_id",
    )
    none = idle.iloc[:0]
    sites = site_layer(none, idle, crs=villages.crs)
    plan = plan_daycare(villages, sites, net, settings, p=1)
    assert plan.selected == ["near"]
    assert plan.curve["covered_weight"].tolist() == [0.0, 50.0, 50.0]  # p = 0, 1, 2
    table = plan.site_table()
    assert table["elderly_served"].tolist() == [50]
    assert plan.uncoverable.empty


def test_only_idle_buildings_are_candidates():
    settings = daycare_rules(load_rules())
    facilities = point_rows(
        [
            facility("D", 0),
            facility("idle_school", 500, kind="school", idle=True),
            facility("school", 600, kind="school"),  # in use: not a candidate
            facility("idle_clinic", 700, kind="clinic", idle=True),
        ],
        id_col="facility_id",
    )
    study = Study(villages=facilities.iloc[:0], facilities=facilities, roads_path=Path("none"))
    sites = site_layer(
        study.of_kind(*settings.existing_kinds),
        study.of_kind(*settings.candidate_kinds, idle=True),
    )
    assert dict(zip(sites["site_id"], sites["role"], strict=True)) == {
        "D": "existing",
        "idle_school": "idle",
        "idle_clinic": "idle",
    }


def test_uncoverable_village_is_listed_with_the_reason(net):
    settings = daycare_rules(load_rules())
    villages = point_rows([village("v", 0), village("gone", 3000, elderly=10)], id_col="village_id")
    idle = point_rows([facility("s", 300, kind="clinic", idle=True)], id_col="facility_id")
    sites = site_layer(idle.iloc[:0], idle, crs=villages.crs)
    plan = plan_daycare(villages, sites, net, settings, p=1)
    unc = plan.uncoverable.set_index("village_id")
    assert list(unc.index) == ["gone"]
    assert unc.loc["gone", "reason"] == "too_far;too_slow"
    assert unc.loc["gone", "nearest_site_id"] == "s"


def _grid(seed):
    rng = np.random.default_rng(seed)
    side, step = 5, 600.0
    nodes = {r * side + c: (step * c, step * r) for r in range(side) for c in range(side)}
    edges = [(n, n + 1) for n in nodes if n % side < side - 1]
    edges += [(n, n + side) for n in nodes if n + side in nodes]
    net = TravelNetwork.from_graph(road_graph(nodes, edges), mode="walk", rules=load_rules())
    picks = rng.permutation(len(nodes))
    vil = point_rows(
        [
            village(f"v{n}", *nodes[n][:1], elderly=int(e), y=nodes[n][1])
            for n, e in zip(picks[:12], rng.integers(5, 80, 12), strict=True)
        ],
        id_col="village_id",
    )
    cand = [
        facility(f"c{n}", 0, kind="school", idle=True) | {"x": nodes[n][0], "y": nodes[n][1]}
        for n in picks[12:18]
    ]
    exist = [facility(f"e{n}", 0) | {"x": nodes[n][0], "y": nodes[n][1]} for n in picks[18:19]]
    idle = point_rows(cand, id_col="facility_id")
    existing = point_rows(exist, id_col="facility_id")
    return net, vil, site_layer(existing, idle, crs=vil.crs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_curve_never_decreases_and_matches_brute_force(seed):
    net, villages, sites = _grid(seed)
    rules = load_rules({"daycare": {"max_travel_min": 10.0}})
    settings = daycare_rules(rules)
    plan = plan_daycare(villages, sites, net, settings, p=2, solver=rules.solver)
    covered = plan.curve["covered_weight"].to_numpy()
    assert plan.curve["p"].tolist() == list(range(7))  # 0 .. 6 candidates
    assert (np.diff(covered) >= 0).all()
    pairs = covering_pairs(villages, sites, net, settings.access_rule)
    reach = pairs.groupby("destination_id")["origin_id"].agg(set).to_dict()
    weight = villages.set_index("village_id")["elderly"]
    base = reach.get(sites.loc[sites["role"] == "existing", "site_id"].iloc[0], set())
    cands = sites.loc[sites["role"] == "idle", "site_id"].tolist()
    for p, got in zip(plan.curve["p"], covered, strict=True):
        best = max(
            weight[list(base.union(*(reach.get(c, set()) for c in combo)))].sum()
            for combo in itertools.combinations(cands, p)
        )
        assert got == pytest.approx(best), p
    assert (
        plan.curve.loc[plan.curve["p"] == 2, "covered_weight"].iloc[0]
        == plan.summary()["elderly_covered_after_plan"]
    )


# ---------------------------------------------------------------- centres named apart
# A bent road 0 -(1 km)- 1 -(1.5 km)- 2 -(1.414 km)- 3 -(2.5 km from 2)- 4, and a road of
# its own at 10 - 11. Centre N at node 3 is 0.5 km from node 0 in a straight line but 3.9 km
# by road; centre F at node 1 is 1 km away both ways.
BENT = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (1000.0, 1500.0), 3: (0.0, 500.0), 4: (1000.0, 4000.0)}
BENT |= {10: (5000.0, 0.0), 11: (5100.0, 0.0)}
BENT_EDGES = [(0, 1), (1, 2), (2, 3), (2, 4), (10, 11)]


@pytest.fixture(scope="module")
def bent():
    rules = load_rules()
    net = TravelNetwork.from_graph(road_graph(BENT, BENT_EDGES), mode="walk", rules=rules)
    villages = point_rows(
        [
            village("a", BENT[0][0]),
            village("b", BENT[2][0], y=BENT[2][1]),
            village("c", BENT[10][0]),
            village("e", BENT[11][0], elderly=0),
            village("g", BENT[4][0], y=BENT[4][1]),
        ],
        id_col="village_id",
    )
    centres = point_rows(
        [
            facility("N", BENT[3][0]) | {"y": BENT[3][1], "name": "中心N"},
            facility("F", BENT[1][0]) | {"name": "中心F"},
        ],
        id_col="facility_id",
    )
    settings = daycare_rules(rules)
    return check_villages(villages, centres, net, settings).set_index("village_id"), settings


def test_nearest_fastest_and_serving_centres_named_apart(bent):
    t, _ = bent
    a = t.loc["a"]
    assert (a["nearest_centre_id"], a["nearest_centre_name"]) == ("N", "中心N")
    assert a["euclid_km"] == pytest.approx(0.5, rel=5e-3)
    assert a["nearest_min"] == pytest.approx((1.0 + 1.5 + 2**0.5) * 12.0, rel=5e-3)
    assert (a["fastest_centre_id"], a["fastest_centre_name"]) == ("F", "中心F")
    assert a["network_km"] == pytest.approx(1.0, rel=5e-3)
    assert a["travel_min"] == pytest.approx(12.0, rel=5e-3)
    assert (a["served_by"], a["served_by_name"]) == ("F", "中心F")
    assert a["served_km"] == pytest.approx(1.0, rel=5e-3)
    assert a["served_min"] == pytest.approx(12.0, rel=5e-3)
    assert a["radius_km"] == pytest.approx(0.5, rel=5e-3)
    assert a["within_radius"]
    assert a["within_time"]
    assert a["served"]
    b = t.loc["b"]  # N: 1.41 km, 17 min; F: 1.5 km, 18 min; the limit is 15 min
    assert b["nearest_centre_id"] == b["fastest_centre_id"] == "N"
    assert b["travel_min"] == pytest.approx(2**0.5 * 12.0, rel=5e-3)
    assert b["nearest_min"] == pytest.approx(b["travel_min"])
    assert b["served_by"] == ""
    assert b["served_by_name"] == ""
    assert np.isnan(b["served_min"])
    assert b["within_radius"]
    assert not b["within_time"]
    assert not b["served"]
    assert b["reason"] == "too_slow"
    c = t.loc["c"]  # a road of its own: no centre reachable
    assert c["nearest_centre_id"] == "F"
    assert pd.isna(c["fastest_centre_id"])
    assert np.isnan(c["travel_min"])
    assert np.isnan(c["nearest_min"])
    assert c["reason"] == "unreachable;too_far"


def test_every_flag_follows_its_column_by_hand(bent):
    t, s = bent
    assert (t["radius_km"] == t["euclid_km"]).all()  # straight-line radius
    assert (t["within_radius"] == (t["radius_km"] <= s.service_radius_km)).all()
    assert (t["within_time"] == (t["travel_min"] <= s.max_travel_min)).all()
    assert (t["served"] == (t["served_by"] != "")).all()


def test_status_sentences_by_hand(bent):
    t, s = bent
    zh = status_sentences(t, "zh", s)
    en = status_sentences(t, "en", s)
    g = t.loc["g"]
    assert g["euclid_km"] == pytest.approx((1.0 + 3.5**2) ** 0.5, rel=5e-3)
    assert zh.to_dict() == {
        "a": f"覆盖：由中心F服务（{t.loc['a', 'served_km']:.1f}公里，步行12分钟）",
        "b": f"未覆盖：2公里内有日间照料中心（中心N），但步行需{t.loc['b', 'nearest_min']:.1f}"
        "分钟，超过15分钟",
        "c": "未覆盖：路网上无可达的日间照料中心",
        "e": "无60岁以上人口",
        "g": f"未覆盖：2公里内没有日间照料中心（最近的中心N在{g['euclid_km']:.2f}公里外）",
    }
    assert zh["a"] == "覆盖：由中心F服务（1.0公里，步行12分钟）"
    assert en["b"] == (
        f"not served: a day-care centre within 2 km (中心N), but {t.loc['b', 'nearest_min']:.1f}"
        " min walking, over 15 min"
    )
    assert en["c"] == "not served: no day-care centre is reachable by road"
    assert en["e"] == "no residents aged 60+"
    no_names = t.assign(nearest_centre_name="", fastest_centre_name="", served_by_name="")
    assert status_sentences(no_names, "zh", s)["a"].startswith("覆盖：由F服务")


def test_ledger_without_a_plan_says_so_in_words(bent):
    t, s = bent
    rows = ledger_rows(t.reset_index(), s, None, "zh")
    assert list(rows["村"]) == ["村b", "村c", "村g"]  # not served, with residents aged 60+
    assert (
        rows["整改措施"]
        == "待规划：本次核查未计算改建方案；可利用附近闲置校舍、卫生院改建日间照料中心"
    ).all()
    assert rows["问题"].tolist()[1] == "未覆盖：路网上无可达的日间照料中心"
    assert (rows["责任单位"] == "样例县人民政府、市人社局、市民政局、市妇联、市财政局").all()
    assert rows["最近日间照料中心(直线)"].tolist()[0] == "中心N"
    assert rows["最快可达日间照料中心"].tolist()[1] == ""  # none reachable


def test_deadline_and_filer_come_from_the_rules():
    today = datetime.date.today()
    settings = daycare_rules(load_rules())
    assert settings.deadline == datetime.date(today.year, 12, 31)  # "end_of_year"
    assert (settings.filer, settings.county_filer) == ("吕梁市民政局", "{county}民政局")
    later = daycare_rules(load_rules({"daycare": {"deadline": f"{today.year + 1}-06-30"}}))
    assert later.deadline == datetime.date(today.year + 1, 6, 30)
    with pytest.raises(InputError, match=r"daycare\.deadline") as err:
        daycare_rules(load_rules({"daycare": {"deadline": "2019-12-31"}}))
    assert "已过" in str(err.value)
    assert "in the past" in str(err.value)
