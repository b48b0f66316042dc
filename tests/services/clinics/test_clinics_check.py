"""Article-7 compliance on hand-worked villages (flat ground, walking 5 km/h)."""

import numpy as np
import pytest
from netfixtures import METRIC, point_rows, road_graph

from lvliang_coverage import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.services.clinics.check import (
    COMPLIANCE_COLUMNS,
    check_compliance,
    check_mode,
    compliance_summary,
)

# A straight road 0..6 km along y = 0 (nodes every 500 m) and an isolated road far north.
NODES = {i: (500.0 * i, 0.0) for i in range(13)} | {100: (3000.0, 5000.0), 101: (3500.0, 5000.0)}
EDGES = [(i, i + 1) for i in range(12)] + [(100, 101)]


def village(vid, x, y, pop):
    return {
        "village_id": vid,
        "name": f"村{vid}",
        "county": "样例县",
        "township": "样例镇",
        "population": pop,
        "x": x,
        "y": y,
    }


@pytest.fixture(scope="module")
def case():
    graph = road_graph(NODES, EDGES)
    villages = point_rows(
        [
            village("near", 1000, 0, 100),  # 1 km on the road: 12 min -> complies
            village("off", 2000, 1500, 100),  # 2.5 km straight, but a 1.5 km off-road walk
            village("far", 4000, 0, 100),  # 4 km: too far and 48 min: too slow
            village("big", 2400, 0, 500),  # large village, 28.8 min -> complies (time only)
            village("isle", 3200, 5000, 50),  # on a road not connected to the clinic
            village("bigslow", 3000, 0, 800),  # large village at 36 min -> fails time
        ],
        id_col="village_id",
    )
    clinics = point_rows(
        [{"facility_id": "A", "name": "卫生室A", "x": 0, "y": 0}], id_col="facility_id"
    )
    return graph, villages, clinics


def test_hand_worked_reasons(case):
    graph, villages, clinics = case
    rules = load_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    table = check_mode(villages, clinics, net, rules).set_index("village_id")
    assert list(table.reset_index().columns[: len(COMPLIANCE_COLUMNS)]) == COMPLIANCE_COLUMNS

    near = table.loc["near"]
    assert near["compliant"]
    assert near["reason"] == ""
    assert near["nearest_clinic_id"] == "A"
    assert near["network_km"] == pytest.approx(1.0, abs=1e-6)
    assert near["travel_min"] == pytest.approx(12.0, abs=1e-6)  # 1 km at 5 km/h

    off = table.loc["off"]
    assert off["off_network"]
    assert off["within_radius"]  # 2.5 km in a straight line
    assert not off["within_time"]
    assert not off["compliant"]
    assert off["reason"] == "off_network;too_slow"
    # off-road leg: 1.5 km x 1.2 winding at 5 km/h x 0.6 off-path = 36 min, then 2 km at 24 min
    assert off["travel_min"] == pytest.approx(36.0 + 24.0, abs=1e-6)
    assert off["network_km"] == pytest.approx(1.8 + 2.0, abs=1e-6)

    far = table.loc["far"]
    assert not far["within_radius"]
    assert not far["within_time"]
    assert far["reason"] == "too_far;too_slow"
    assert far["euclid_km"] == pytest.approx(4.0, abs=1e-6)

    big = table.loc["big"]
    assert big["compliant"]
    assert not big["small_village"]
    assert big["travel_min"] == pytest.approx(28.8, abs=1e-6)

    isle = table.loc["isle"]
    assert not isle["compliant"]
    assert np.isnan(isle["travel_min"])
    assert np.isnan(isle["network_km"])
    assert isle["reason"] == "unreachable;too_far"
    assert not isle["within_time"]

    bigslow = table.loc["bigslow"]
    assert not bigslow["compliant"]
    assert bigslow["reason"] == "too_slow"  # the radius does not bind large villages


def test_euclid_matches_geopandas(case):
    graph, villages, clinics = case
    net = TravelNetwork.from_graph(graph, mode="walk")
    table = check_mode(villages, clinics, net)
    expected = villages.to_crs(METRIC).distance(clinics.to_crs(METRIC).geometry.iloc[0]) / 1000
    assert np.allclose(table["euclid_km"].to_numpy(), expected.to_numpy(), atol=1e-6)


def test_radius_rule_is_a_setting(case):
    graph, villages, clinics = case
    rules = load_rules({"clinic": {"radius_measure": "network"}})
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    table = check_mode(villages, clinics, net, rules).set_index("village_id")
    # 2.5 km straight line but 3.8 km along the road and the off-road leg
    assert not table.loc["off", "within_radius"]
    assert table.loc["near", "within_radius"]


def test_modes_and_summary(case):
    graph, villages, clinics = case
    rules = load_rules()
    nets = {m: TravelNetwork.from_graph(graph, mode=m, rules=rules) for m in ("walk", "motorcycle")}
    table = check_compliance(villages, clinics, nets, rules)
    assert list(table["mode"].unique()) == ["walk", "motorcycle"]
    moto = table[table["mode"] == "motorcycle"].set_index("village_id")
    # 4 km of unclassified road at 25 km/h = 9.6 min, but 4 km is outside the 2.5 km radius
    assert moto.loc["far", "travel_min"] == pytest.approx(9.6, abs=1e-6)
    assert moto.loc["far", "reason"] == "too_far"
    assert moto.loc["bigslow", "compliant"]
    summary = compliance_summary(table)
    walk = summary[(summary["mode"] == "walk") & (summary["county"] == "全市")].iloc[0]
    assert walk["small_villages"] == 4
    assert walk["small_residents"] == 350
    assert walk["small_compliant"] == 1
    assert walk["residents_within_time"] == 100 + 500
    assert walk["unreachable"] == 1


def test_adding_a_clinic_never_breaks_compliance():
    rng = np.random.default_rng(7)
    side = 8
    nodes = {r * side + c: (600.0 * c, 600.0 * r) for r in range(side) for c in range(side)}
    edges = [(n, n + 1) for n in nodes if n % side < side - 1]
    edges += [(n, n + side) for n in nodes if n + side in nodes]
    keep = rng.random(len(edges)) > 0.25
    graph = road_graph(nodes, [e for e, k in zip(edges, keep, strict=True) if k])
    xy = rng.uniform(0, 600.0 * (side - 1), size=(40, 2))
    villages = point_rows(
        [
            village(f"v{i}", x, y, int(p))
            for i, ((x, y), p) in enumerate(zip(xy, rng.integers(20, 400, 40), strict=True))
        ],
        id_col="village_id",
    )
    cxy = rng.uniform(0, 600.0 * (side - 1), size=(6, 2))
    all_clinics = point_rows(
        [{"facility_id": f"c{i}", "x": x, "y": y} for i, (x, y) in enumerate(cxy)],
        id_col="facility_id",
    )
    net = TravelNetwork.from_graph(graph, mode="walk")
    before = check_mode(villages, all_clinics.iloc[:3], net)["compliant"].to_numpy()
    for k in range(4, 7):
        after = check_mode(villages, all_clinics.iloc[:k], net)["compliant"].to_numpy()
        assert not np.any(before & ~after)
        before = after
