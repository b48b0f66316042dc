"""Capacitated facility location against hand-worked optima and brute-force enumeration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from lvliang_coverage.optimise.location import FacilityLocation

# ---------------------------------------------------------------- helpers


def brute_facility(pairs, dem, qty, weight, cand, fixed, cap, existing, budget):
    """Lexicographic optimum by enumeration: (served weight max, then total cost min)."""
    options = [
        [None, *pairs.loc[pairs["origin_id"] == d, ["destination_id", "cost"]].values.tolist()]
        for d in dem
    ]
    best = (-1.0, math.inf)
    for combo in itertools.product(*options):
        load = dict.fromkeys(cand, 0.0)
        served = cost = 0.0
        for d, choice in zip(dem, combo, strict=True):
            if choice is None:
                continue
            load[choice[0]] += qty[d]
            served += weight[d]
            cost += choice[1]
        if any(load[c] > cap[c] for c in cand):
            continue
        cost += sum(fixed[c] for c in cand if load[c] > 0 and c not in existing)
        if budget is not None and cost > budget + 1e-9:
            continue
        if served > best[0] + 1e-9 or (abs(served - best[0]) <= 1e-9 and cost < best[1]):
            best = (served, cost)
    return best


# ---------------------------------------------------------------- facility location


def test_facility_location_hand_worked():
    # Two villages near plant P (existing, free, capacity 30) and spring S (fixed 100).
    # a (20 m3/d) and b (15) do not fit together in P (30) nor in S (25). Cheapest: a->P (cost 50),
    # b->S (100 + 10) = 160; b->P (40) + a->S (100 + 5) = 145 -> the latter.
    pairs = pd.DataFrame(
        {
            "origin_id": ["a", "a", "b", "b", "c"],
            "destination_id": ["P", "S", "P", "S", "S"],
            "cost": [50.0, 5.0, 40.0, 10.0, 1.0],
        }
    )
    m = FacilityLocation.from_pairs(
        pairs,
        ["a", "b", "c", "d"],
        {"a": 20, "b": 15, "c": 500, "d": 1},
        ["P", "S"],
        fixed_cost={"P": 1e6, "S": 100.0},
        capacity={"P": 30.0, "S": 25.0},
        existing=["P"],
    ).solve()
    assert m.status == "optimal"
    assert m.opened == ["S"]
    assert m.existing_used == ["P"]
    got = dict(zip(m.assignment["demand_id"], m.assignment["facility_id"], strict=True))
    assert got == {"a": "S", "b": "P"}
    assert m.fixed_cost_total == pytest.approx(100.0)
    assert m.assignment_cost_total == pytest.approx(45.0)
    assert m.total_cost == pytest.approx(145.0)
    assert m.objective == pytest.approx(145.0)
    reasons = dict(zip(m.unserved["demand_id"], m.unserved["reason"], strict=True))
    assert reasons == {"c": "exceeds_capacity", "d": "no_pair"}
    fac = m.facilities.set_index("facility_id")
    assert fac.loc["P", "fixed_cost"] == 0.0
    assert fac.loc["S", "load"] == pytest.approx(20.0)


def test_facility_location_budget():
    pairs = pd.DataFrame(
        {
            "origin_id": ["a", "b", "c"],
            "destination_id": ["S1", "S1", "S2"],
            "cost": [10.0, 10.0, 10.0],
        }
    )
    args = (pairs, ["a", "b", "c"], 1.0, ["S1", "S2"], {"S1": 100.0, "S2": 50.0}, math.inf)
    weights = {"a": 100, "b": 100, "c": 150}
    # Budget 130: S1 with a and b (120, 200 residents) beats S2 with c (60, 150 residents).
    m = FacilityLocation.from_pairs(*args, weights=weights, budget=130.0).solve()
    assert m.opened == ["S1"]
    assert m.served_weight == pytest.approx(200.0)
    assert m.total_cost == pytest.approx(120.0)
    assert m.unserved["reason"].tolist() == ["budget"]
    # Budget 100: only S2 with c fits (60); S1 with a alone costs 110.
    m = FacilityLocation.from_pairs(*args, weights=weights, budget=100.0).solve()
    assert m.opened == ["S2"]
    assert m.total_cost <= 100.0
    # No budget: everything served.
    m = FacilityLocation.from_pairs(*args, weights=weights).solve()
    assert set(m.served) == {"a", "b", "c"}
    assert m.total_cost == pytest.approx(180.0)


@pytest.mark.parametrize("seed", range(20))
def test_facility_location_brute_force(seed):
    rng = np.random.default_rng(500 + seed)
    n_dem, n_cand = int(rng.integers(3, 7)), int(rng.integers(1, 4))
    mask = rng.random((n_dem, n_cand)) < 0.6
    i, j = np.nonzero(mask)
    dem = [f"v{k}" for k in range(n_dem)]
    cand = [f"s{k}" for k in range(n_cand)]
    pairs = pd.DataFrame(
        {
            "origin_id": [dem[k] for k in i],
            "destination_id": [cand[k] for k in j],
            "cost": rng.integers(1, 60, len(i)).astype(float),
        }
    )
    qty = dict(zip(dem, rng.integers(1, 20, n_dem).astype(float), strict=True))
    weight = dict(zip(dem, rng.integers(1, 300, n_dem).astype(float), strict=True))
    fixed = dict(zip(cand, rng.integers(0, 100, n_cand).astype(float), strict=True))
    cap = dict(zip(cand, rng.integers(10, 40, n_cand).astype(float), strict=True))
    existing = [cand[0]] if seed % 2 else []
    budget = float(rng.integers(20, 200)) if seed % 3 == 0 else None
    m = FacilityLocation.from_pairs(
        pairs, dem, qty, cand, fixed, cap, existing=existing, weights=weight, budget=budget
    ).solve()
    served, cost = brute_facility(pairs, dem, qty, weight, cand, fixed, cap, existing, budget)
    assert m.served_weight == pytest.approx(served)
    assert m.total_cost == pytest.approx(cost)
    loads = m.assignment.groupby("facility_id")["quantity"].sum()
    for c, load in loads.items():
        assert load <= cap[c] + 1e-9
    assert m.assignment["demand_id"].is_unique
    assert set(m.opened).isdisjoint(existing)
    if budget is not None:
        assert m.total_cost <= budget + 1e-6


def test_facility_location_sparse_input_matches_table():
    rng = np.random.default_rng(9)
    dem = [f"v{k}" for k in range(6)]
    cand = ["s0", "s1", "s2"]
    mask = rng.random((6, 3)) < 0.7
    cost = rng.integers(1, 50, (6, 3)).astype(float)
    i, j = np.nonzero(mask)
    table = pd.DataFrame(
        {
            "origin_id": [dem[k] for k in i],
            "destination_id": [cand[k] for k in j],
            "cost": cost[i, j],
        }
    )
    matrix = sparse.coo_array((cost[i, j], (i, j)), shape=(6, 3))
    args = (dem, rng.integers(1, 10, 6).astype(float), cand, [30.0, 10.0, 5.0], [20.0, 15.0, 25.0])
    a = FacilityLocation.from_pairs(table, *args).solve()
    b = FacilityLocation.from_pairs(matrix, *args).solve()
    assert a.total_cost == pytest.approx(b.total_cost)
    assert a.served == b.served
