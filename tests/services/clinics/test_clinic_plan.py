"""Shared-clinic planning: set covering optimal by brute force, limits checked with networkx."""

import itertools

import networkx as nx
import numpy as np
import pytest
from netfixtures import METRIC, point_rows, road_graph

from lvliang_coverage import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.services.clinics.plan import candidate_sites, plan_clinics

SIDE = 7
STEP = 700.0  # metres between grid nodes


def grid_case(seed):
    rng = np.random.default_rng(seed)
    nodes = {r * SIDE + c: (STEP * c, STEP * r) for r in range(SIDE) for c in range(SIDE)}
    edges = [(n, n + 1) for n in nodes if n % SIDE < SIDE - 1]
    edges += [(n, n + SIDE) for n in nodes if n + SIDE in nodes]
    keep = rng.random(len(edges)) > 0.2
    graph = road_graph(nodes, [e for e, k in zip(edges, keep, strict=True) if k])
    chosen = rng.choice(len(nodes), size=22, replace=False)
    pops = rng.integers(30, 600, size=len(chosen))
    villages = point_rows(
        [
            {
                "village_id": f"v{n}",
                "name": f"村{n}",
                "county": "甲县",
                "township": "乙镇",
                "population": int(p),
                "node": int(n),
                "x": nodes[n][0],
                "y": nodes[n][1],
            }
            for n, p in zip(chosen, pops, strict=True)
        ],
        id_col="village_id",
    )
    clinic_nodes = [
        n for n in rng.choice(len(nodes), size=2, replace=False) if n not in set(chosen)
    ][:1]
    clinics = point_rows(
        [
            {
                "facility_id": f"k{n}",
                "name": f"卫生室{n}",
                "node": int(n),
                "x": nodes[n][0],
                "y": nodes[n][1],
            }
            for n in clinic_nodes
        ],
        id_col="facility_id",
    )
    return graph, villages, clinics


def nx_oracle(graph, villages, sites_nodes):
    """Pairs (village, site) within 2.5 km straight line and 30 min walking (5 km/h, flat)."""
    und = nx.Graph(graph.to_undirected())
    vx = villages.to_crs(METRIC)
    ok = set()
    for _, v in villages.iterrows():
        lengths = nx.single_source_dijkstra_path_length(und, v["node"], weight="length")
        for sid, (node, geom) in sites_nodes.items():
            euclid = vx.loc[v.name].geometry.distance(geom)
            minutes = lengths.get(node, np.inf) / (5000.0 / 60.0)
            if euclid <= 2500.0 + 1e-6 and minutes <= 30.0 + 1e-9:
                ok.add((v["village_id"], sid))
    return ok


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lscp_optimal_and_truly_within_limits(seed):
    graph, villages, clinics = grid_case(seed)
    rules = load_rules({"clinic": {"candidate_min_residents": 350}})
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    plan = plan_clinics(villages, clinics, net, rules=rules)
    sites = plan.sites.to_crs(METRIC)
    node_of = {r.site_id: (r.village_id, r.geometry) for r in sites.itertuples()}
    vnode = villages.set_index("village_id")["node"]
    cnode = clinics.set_index("facility_id")["node"]
    sites_nodes = {
        sid: (vnode[vid] if vid is not None else cnode[sid], geom)
        for sid, (vid, geom) in node_of.items()
    }
    oracle = nx_oracle(graph, villages[villages["population"] < 200], sites_nodes)
    got = set(zip(plan.pairs["origin_id"], plan.pairs["destination_id"], strict=True))
    assert got == oracle

    existing = set(plan.sites.loc[plan.sites["kind"] == "existing", "site_id"])
    cands = sorted(set(plan.sites["site_id"]) - existing)
    demand = set(plan.demand["village_id"])
    coverable = {v for v, _ in oracle}
    assert set(plan.uncoverable["village_id"]) == demand - coverable

    def covers(open_sites):
        return {v for v, s in oracle if s in open_sites} == coverable

    best = next(
        k
        for k in range(len(cands) + 1)
        if any(covers(existing | set(c)) for c in itertools.combinations(cands, k))
    )
    assert plan.lscp.n_new == best
    assert covers(existing | set(plan.lscp.selected))
    assert plan.lscp.report.status == "optimal"
    # every assigned village is within both limits of its clinic
    assigned = set(
        zip(
            plan.assignment.assignment["demand_id"],
            plan.assignment.assignment["facility_id"],
            strict=True,
        )
    )
    assert assigned <= oracle
    assert {v for v, _ in assigned} == coverable
    # the curve never decreases and reaches full coverage at the LSCP size
    curve = plan.curve["covered_weight"].to_numpy()
    assert np.all(np.diff(curve) >= -1e-9)
    pop = plan.demand.set_index("village_id")["population"]
    assert curve[-1] == pytest.approx(pop[list(coverable)].sum())


def test_uncoverable_village_is_reported_not_infeasible():
    nodes = {
        0: (0.0, 0.0),
        1: (1000.0, 0.0),
        2: (2000.0, 0.0),
        10: (9000.0, 0.0),
        11: (9500.0, 0.0),
    }
    graph = road_graph(nodes, [(0, 1), (1, 2), (10, 11)])
    villages = point_rows(
        [
            {
                "village_id": "a",
                "name": "甲",
                "county": "c",
                "township": "t",
                "population": 100,
                "x": 2000,
                "y": 0,
            },
            {
                "village_id": "b",
                "name": "乙",
                "county": "c",
                "township": "t",
                "population": 400,
                "x": 1000,
                "y": 0,
            },
            {
                "village_id": "z",
                "name": "远",
                "county": "c",
                "township": "t",
                "population": 80,
                "x": 9500,
                "y": 0,
            },
        ],
        id_col="village_id",
    )
    clinics = point_rows(
        [{"facility_id": "k", "name": "卫生室", "x": 0, "y": 0}], id_col="facility_id"
    )
    plan = plan_clinics(villages, clinics, TravelNetwork.from_graph(graph, mode="walk"))
    # village a is 2 km from the clinic (24 min): covered by the existing clinic, nothing new
    assert plan.lscp.n_new == 0
    assert plan.lscp.covered_by_existing == ["a"]
    row = plan.uncoverable.set_index("village_id").loc["z"]
    assert row["reason"] == "unreachable;too_far"
    assert plan.summary()["uncoverable"] == 1


def test_capacity_splits_sharing_groups():
    # clinic at 0 and a candidate at 1.4 km; three small villages between them
    nodes = {i: (350.0 * i, 0.0) for i in range(5)}
    graph = road_graph(nodes, [(i, i + 1) for i in range(4)])
    villages = point_rows(
        [
            {
                "village_id": f"v{i}",
                "name": f"村{i}",
                "county": "c",
                "township": "t",
                "population": 150,
                "x": 350.0 * i,
                "y": 0,
            }
            for i in (1, 2, 3)
        ]
        + [
            {
                "village_id": "big",
                "name": "中心村",
                "county": "c",
                "township": "t",
                "population": 900,
                "x": 1400.0,
                "y": 0,
            }
        ],
        id_col="village_id",
    )
    clinics = point_rows(
        [{"facility_id": "k", "name": "卫生室", "x": 0, "y": 0}], id_col="facility_id"
    )
    net = TravelNetwork.from_graph(graph, mode="walk")
    free = plan_clinics(villages, clinics, net)
    assert free.lscp.n_new == 0
    assert free.assignment.assignment["facility_id"].eq("k").all()
    capped = plan_clinics(villages, clinics, net, capacity=300)
    # capacity does not change the covering model, only the sharing groups
    load = capped.assignment.load.set_index("facility_id")["load"]
    assert load.max() <= 300
    assert len(capped.assignment.unassigned) == 1  # 450 residents cannot fit in 300


def test_candidate_sites_exclude_clinic_villages():
    villages = point_rows(
        [
            {
                "village_id": "a",
                "name": "甲",
                "county": "c",
                "township": "t",
                "population": 500,
                "x": 0,
                "y": 0,
            },
            {
                "village_id": "b",
                "name": "乙",
                "county": "c",
                "township": "t",
                "population": 500,
                "x": 2000,
                "y": 0,
            },
            {
                "village_id": "s",
                "name": "丙",
                "county": "c",
                "township": "t",
                "population": 50,
                "x": 4000,
                "y": 0,
            },
        ],
        id_col="village_id",
    )
    clinics = point_rows(
        [{"facility_id": "k", "name": "卫生室", "x": 100, "y": 0}], id_col="facility_id"
    )
    sites = candidate_sites(villages, clinics)
    assert sites["site_id"].tolist() == ["k", "C-b"]
    assert sites["kind"].tolist() == ["existing", "candidate"]


def test_plan_reports_its_independent_components():
    """Three small villages on a triangle, three central villages on its sides: one component.

    Each central village (side midpoint) is 2 km by road from the two small villages at the ends
    of its side (24 min on foot) and 3.46 km straight from the third, so every small village has
    two candidates, none dominates another and nothing is forced: the component is 3 villages x
    3 sites, its LP optimum 1.5 and its integer optimum 2 (any two sides cover the three
    corners), solved exactly with gap 0. A second, separate triangle gives a second component.
    """
    side = 4000.0
    h = side * np.sqrt(3) / 2
    nodes, edges, rows = {}, [], []
    for t, x0 in enumerate((0.0, 30_000.0)):
        corners = [(x0, 0.0), (x0 + side, 0.0), (x0 + side / 2, h)]
        for k, (x, y) in enumerate(corners):
            nodes[10 * t + k] = (x, y)
            rows.append({"village_id": f"s{t}{k}", "population": 100, "x": x, "y": y})
        for k in range(3):
            a, b = corners[k], corners[(k + 1) % 3]
            mid = 10 * t + 3 + k
            nodes[mid] = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            edges += [(10 * t + k, mid), (mid, 10 * t + (k + 1) % 3)]
            rows.append(
                {
                    "village_id": f"c{t}{k}",
                    "population": 800,
                    "x": nodes[mid][0],
                    "y": nodes[mid][1],
                }
            )
    nodes[99], nodes[98] = (90_000.0, 0.0), (90_500.0, 0.0)
    edges.append((99, 98))
    villages = point_rows(
        [{**r, "name": r["village_id"], "county": "甲县", "township": "乙镇"} for r in rows],
        id_col="village_id",
    )
    clinics = point_rows(
        [{"facility_id": "k", "name": "卫生室", "x": 90_000.0, "y": 0.0}], id_col="facility_id"
    )
    plan = plan_clinics(
        villages, clinics, TravelNetwork.from_graph(road_graph(nodes, edges), mode="walk")
    )
    assert plan.lscp.n_new == 4  # two sides of each triangle
    comp = plan.lscp.components
    assert len(comp) == 2
    assert comp["n_demand"].tolist() == [3, 3]
    assert comp["n_candidates"].tolist() == [3, 3]
    assert comp["objective"].tolist() == [2, 2]
    assert (comp["gap"] == 0).all()
    summary = plan.summary()
    assert summary["components"] == 2
    assert summary["components_optimal"] == 2
    assert summary["largest_component_villages"] == 3
    assert summary["largest_component_sites"] == 3
    assert summary["worst_component_gap"] == 0.0
