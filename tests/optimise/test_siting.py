"""Tests of the siting models against hand-worked optima and brute-force enumeration."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, sparse

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise import _assign, siting
from lvliang_coverage.optimise import highs as _milp
from lvliang_coverage.optimise.siting import (
    LSCP,
    MCLP,
    CapacitatedAssignment,
    FacilityLocation,
    SolverError,
    assign,
    coverage_curve,
)

# ---------------------------------------------------------------- helpers


def random_cover(rng, n_dem, n_cand, density):
    mask = rng.random((n_dem, n_cand)) < density
    i, j = np.nonzero(mask)
    dem = [f"d{k}" for k in range(n_dem)]
    cand = [f"c{k}" for k in range(n_cand)]
    pairs = pd.DataFrame({"origin_id": [dem[k] for k in i], "destination_id": [cand[k] for k in j]})
    return pairs, dem, cand, mask


def covered_by(mask, open_cols):
    if not open_cols:
        return np.zeros(mask.shape[0], dtype=bool)
    return mask[:, list(open_cols)].any(axis=1)


def brute_lscp(mask, existing_cols):
    n_cand = mask.shape[1]
    coverable = mask.any(axis=1)
    new = [j for j in range(n_cand) if j not in existing_cols]
    for k in range(len(new) + 1):
        for subset in itertools.combinations(new, k):
            if (covered_by(mask, list(existing_cols) + list(subset)) >= coverable).all():
                return k
    raise AssertionError("unreachable: opening everything covers all coverable demands")


def brute_mclp(mask, weights, p, existing_cols):
    new = [j for j in range(mask.shape[1]) if j not in existing_cols]
    best = 0.0
    for k in range(min(p, len(new)) + 1):
        for subset in itertools.combinations(new, k):
            cov = covered_by(mask, list(existing_cols) + list(subset))
            best = max(best, float(weights[cov].sum()))
    return best


def check_pairs_cover(pairs, covered, open_ids):
    """Every covered demand has an open facility among its pairs, and vice versa."""
    hit = pairs.loc[pairs["destination_id"].isin(open_ids), "origin_id"]
    assert set(covered) == set(hit)


# ---------------------------------------------------------------- LSCP


HAND_PAIRS = pd.DataFrame(
    {
        "origin_id": ["a", "a", "b", "c", "c", "d"],
        "destination_id": ["X", "Y", "Y", "Y", "Z", "Z"],
    }
)


def test_lscp_hand_worked():
    # a:{X,Y} b:{Y} c:{Y,Z} d:{Z} e:{} -> Y and Z are forced (b and d), e cannot be covered.
    m = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"]).solve()
    assert m.status == "optimal"
    assert sorted(m.selected) == ["Y", "Z"]
    assert m.n_new == 2
    assert m.objective == pytest.approx(2.0)
    assert m.dual_bound == pytest.approx(2.0)
    assert m.mip_gap == pytest.approx(0.0)
    assert m.uncoverable == ["e"]
    assert sorted(m.covered) == ["a", "b", "c", "d"]
    table = m.coverage_table()
    assert table.loc["e", "status"] == "uncoverable"
    assert table.loc["c", "n_open_covering"] == 2


def test_lscp_existing_fixed_open_and_free():
    m = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"], existing=["Z"]).solve()
    assert m.selected == ["Y"]
    assert m.n_new == 1
    assert sorted(m.covered_by_existing) == ["c", "d"]
    assert set(m.open_ids) == {"Y", "Z"}
    # An existing facility that is not among the candidates is still accepted.
    pairs = pd.concat(
        [HAND_PAIRS, pd.DataFrame({"origin_id": ["b"], "destination_id": ["OLD"]})],
        ignore_index=True,
    )
    m2 = LSCP.from_pairs(pairs, list("abcde"), ["X", "Y", "Z"], existing=["OLD"]).solve()
    assert m2.n_new == 2
    assert "OLD" in m2.open_ids


def test_lscp_all_uncoverable_is_not_infeasible():
    pairs = pd.DataFrame({"origin_id": ["a"], "destination_id": ["X"]})
    m = LSCP.from_pairs(pairs, ["a", "b", "c"], ["X", "Y"], existing=["X"]).solve()
    assert m.status == "optimal"
    assert m.n_new == 0
    assert m.uncoverable == ["b", "c"]
    assert m.covered == ["a"]


def test_lscp_candidate_costs():
    # Covering a and b: X alone costs 5, Y + Z cost 2 + 2.
    pairs = pd.DataFrame(
        {"origin_id": ["a", "b", "a", "b"], "destination_id": ["X", "X", "Y", "Z"]}
    )
    m = LSCP.from_pairs(
        pairs, ["a", "b"], ["X", "Y", "Z"], candidate_costs={"X": 5, "Y": 2, "Z": 2}
    ).solve()
    assert sorted(m.selected) == ["Y", "Z"]
    assert m.objective == pytest.approx(4.0)


@pytest.mark.parametrize("seed", range(30))
def test_lscp_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_dem, n_cand = int(rng.integers(3, 11)), int(rng.integers(2, 9))
    pairs, dem, cand, mask = random_cover(rng, n_dem, n_cand, 0.3)
    n_exist = int(rng.integers(0, 3))
    existing_cols = sorted(rng.choice(n_cand, size=n_exist, replace=False).tolist())
    existing = [cand[j] for j in existing_cols]
    m = LSCP.from_pairs(pairs, dem, cand, existing=existing).solve()
    assert m.n_new == brute_lscp(mask, existing_cols)
    coverable = {dem[i] for i in np.flatnonzero(mask.any(axis=1))}
    assert set(m.covered) == coverable
    assert set(m.uncoverable) == set(dem) - coverable
    check_pairs_cover(pairs, m.covered, m.open_ids)
    assert not set(m.selected) & set(existing)


@pytest.mark.parametrize("seed", range(10))
def test_adding_existing_never_uncovers(seed):
    rng = np.random.default_rng(100 + seed)
    pairs, dem, cand, _ = random_cover(rng, 10, 8, 0.25)
    base = LSCP.from_pairs(pairs, dem, cand).solve()
    extra = [cand[int(rng.integers(0, 8))]]
    more = LSCP.from_pairs(pairs, dem, cand, existing=extra).solve()
    assert set(base.covered) <= set(more.covered)
    assert more.n_new <= base.n_new
    mc_base = MCLP.from_pairs(pairs, dem, np.ones(10), cand, 2).solve()
    mc_more = MCLP.from_pairs(pairs, dem, np.ones(10), cand, 2, existing=extra).solve()
    assert mc_more.covered_weight >= mc_base.covered_weight


def test_sparse_input_matches_table():
    rng = np.random.default_rng(7)
    pairs, dem, cand, mask = random_cover(rng, 9, 7, 0.3)
    a = LSCP.from_pairs(pairs, dem, cand).solve()
    b = LSCP.from_pairs(sparse.csr_array(mask.astype(float)), dem, cand).solve()
    assert a.n_new == b.n_new
    assert set(a.covered) == set(b.covered)
    assert a.uncoverable == b.uncoverable


def test_bad_input_raises_input_error():
    with pytest.raises(InputError, match="unknown id"):
        LSCP.from_pairs(HAND_PAIRS, list("abc"), ["X", "Y", "Z"])  # d is unknown
    with pytest.raises(InputError, match="duplicate"):
        LSCP.from_pairs(HAND_PAIRS, list("abcdd"), ["X", "Y", "Z"])
    with pytest.raises(InputError, match="no column"):
        LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"], demand_col="village_id")
    with pytest.raises(InputError, match="non-negative"):
        MCLP.from_pairs(HAND_PAIRS, list("abcde"), [1, 1, -1, 1, 1], ["X", "Y", "Z"], 1)
    with pytest.raises(InputError, match="p must be"):
        MCLP.from_pairs(HAND_PAIRS, list("abcde"), 1, ["X", "Y", "Z"], -1)
    with pytest.raises(InputError, match="shape"):
        LSCP.from_pairs(sparse.csr_array(np.ones((2, 2))), list("abc"), ["X", "Y"])


# ---------------------------------------------------------------- MCLP


def test_mclp_hand_worked():
    # weights a10 b1 c5 d20 e100 (e uncoverable); p=1: Z covers c+d = 25, Y covers a+b+c = 16.
    w = [10, 1, 5, 20, 100]
    m = MCLP.from_pairs(HAND_PAIRS, list("abcde"), w, ["X", "Y", "Z"], 1).solve()
    assert m.selected == ["Z"]
    assert m.covered_weight == pytest.approx(25.0)
    assert m.objective == pytest.approx(25.0)
    assert m.covered_share == pytest.approx(25 / 136)
    assert "e" in m.uncoverable
    # Existing Z: the best new one is Y (adds a + b), objective includes the existing 25.
    m2 = MCLP.from_pairs(HAND_PAIRS, list("abcde"), w, ["X", "Y", "Z"], 1, existing=["Z"])
    m2.solve()
    assert m2.selected == ["Y"]
    assert m2.objective == pytest.approx(36.0)
    assert m2.covered_weight == pytest.approx(36.0)
    # More facilities than useful: X adds nothing once Y and Z are open, so it is not chosen.
    m3 = MCLP.from_pairs(HAND_PAIRS, list("abcde"), w, ["X", "Y", "Z"], 3).solve()
    assert sorted(m3.selected) == ["Y", "Z"]
    assert m3.covered_weight == pytest.approx(36.0)


@pytest.mark.parametrize("seed", range(25))
def test_mclp_brute_force(seed):
    rng = np.random.default_rng(200 + seed)
    n_dem, n_cand = int(rng.integers(3, 11)), int(rng.integers(2, 9))
    pairs, dem, cand, mask = random_cover(rng, n_dem, n_cand, 0.3)
    weights = rng.integers(0, 500, n_dem).astype(float)
    p = int(rng.integers(0, 4))
    existing_cols = [int(rng.integers(0, n_cand))] if seed % 3 == 0 else []
    existing = [cand[j] for j in existing_cols]
    m = MCLP.from_pairs(pairs, dem, weights, cand, p, existing=existing).solve()
    best = brute_mclp(mask, weights, p, existing_cols)
    assert m.covered_weight == pytest.approx(best)
    assert m.objective == pytest.approx(best)
    assert m.n_new <= p
    check_pairs_cover(pairs, m.covered, existing + m.selected)


@pytest.mark.parametrize("seed", range(6))
def test_coverage_curve_non_decreasing_and_optimal(seed):
    rng = np.random.default_rng(300 + seed)
    pairs, dem, cand, mask = random_cover(rng, 10, 8, 0.2)
    weights = rng.integers(1, 300, 10).astype(float)
    curve = coverage_curve(pairs, dem, weights, cand, [3, 0, 1, 2, 5, 8])
    assert curve["p"].tolist() == [0, 1, 2, 3, 5, 8]
    assert (np.diff(curve["covered_weight"].to_numpy()) >= -1e-9).all()
    for row in curve.itertuples():
        assert row.covered_weight == pytest.approx(brute_mclp(mask, weights, row.p, []))
        assert row.covered_share == pytest.approx(row.covered_weight / weights.sum())
        assert len(row.new_ids) == row.n_new <= row.p
    # With every candidate allowed, everything coverable is covered.
    assert curve["covered_weight"].iloc[-1] == pytest.approx(weights[mask.any(axis=1)].sum())


# ---------------------------------------------------------------- assignment


def cost_pairs(rng, n_dem, n_fac, density):
    mask = rng.random((n_dem, n_fac)) < density
    i, j = np.nonzero(mask)
    cost = rng.integers(1, 40, len(i)).astype(float)
    pairs = pd.DataFrame(
        {"origin_id": [f"d{k}" for k in i], "destination_id": [f"f{k}" for k in j], "time_s": cost}
    )
    return pairs, [f"d{k}" for k in range(n_dem)], [f"f{k}" for k in range(n_fac)]


def brute_assign(pairs, dem, sizes, fac, cap):
    """Lexicographic optimum by enumeration: (assigned size max, then size x cost min)."""
    options = [
        [None, *pairs.loc[pairs["origin_id"] == d, ["destination_id", "time_s"]].values.tolist()]
        for d in dem
    ]
    best = (-1.0, 0.0)
    for combo in itertools.product(*options):
        load = dict.fromkeys(fac, 0.0)
        size_in = cost = 0.0
        for d, choice in zip(dem, combo, strict=True):
            if choice is None:
                continue
            load[choice[0]] += sizes[d]
            size_in += sizes[d]
            cost += sizes[d] * choice[1]
        if any(load[f] > cap[f] for f in fac):
            continue
        if size_in > best[0] or (size_in == best[0] and cost < best[1]):
            best = (size_in, cost)
    return best


def test_assign_uncapacitated_is_nearest():
    rng = np.random.default_rng(5)
    pairs, dem, fac = cost_pairs(rng, 30, 6, 0.3)
    sizes = pd.Series(rng.integers(1, 100, 30), index=dem)
    res = assign(pairs, dem, sizes, fac)
    nearest = pairs.loc[pairs.groupby("origin_id")["time_s"].idxmin()].set_index("origin_id")
    got = res.assignment.set_index("demand_id")
    assert set(got.index) == set(nearest.index)
    assert (got.loc[nearest.index, "unit_cost"] == nearest["time_s"]).all()
    assert res.total_cost == pytest.approx(float((sizes[nearest.index] * nearest["time_s"]).sum()))
    no_pair = set(dem) - set(nearest.index)
    assert set(res.unassigned["demand_id"]) == no_pair
    assert (res.unassigned["reason"] == "no_pair").all()


def test_assign_ignores_closed_facilities():
    pairs = pd.DataFrame(
        {"origin_id": ["a", "a", "b"], "destination_id": ["X", "Y", "Y"], "time_s": [1.0, 5.0, 2.0]}
    )
    res = assign(pairs, ["a", "b"], [10, 10], ["Y"])
    assert dict(zip(res.assignment["demand_id"], res.assignment["facility_id"], strict=True)) == {
        "a": "Y",
        "b": "Y",
    }
    assert res.total_cost == pytest.approx(70.0)


def test_assign_capacity_binding_hand_worked():
    # Y takes at most 11: a (10) + b (1) beats c (5) alone; d (20) fills Z; e has no pair.
    pairs = HAND_PAIRS.copy().assign(time_s=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    res = assign(pairs, list("abcde"), [10, 1, 5, 20, 100], ["Y", "Z"], capacity={"Y": 11, "Z": 20})
    got = dict(zip(res.assignment["demand_id"], res.assignment["facility_id"], strict=True))
    assert got == {"a": "Y", "b": "Y", "d": "Z"}
    reasons = dict(zip(res.unassigned["demand_id"], res.unassigned["reason"], strict=True))
    assert reasons == {"c": "capacity", "e": "no_pair"}
    assert res.total_cost == pytest.approx(10 * 2 + 1 * 3 + 20 * 6)
    assert res.load.set_index("facility_id")["spare"].tolist() == [0.0, 0.0]
    assert res.status == "optimal"
    assert res.report.phases == 2


def test_assign_too_large():
    pairs = pd.DataFrame(
        {"origin_id": ["a", "b"], "destination_id": ["X", "X"], "time_s": [1.0, 1.0]}
    )
    res = assign(pairs, ["a", "b"], [50, 5], ["X"], capacity=10)
    assert res.assignment["demand_id"].tolist() == ["b"]
    assert res.unassigned.set_index("demand_id").loc["a", "reason"] == "too_large"


@pytest.mark.parametrize("seed", range(20))
def test_assign_capacitated_brute_force(seed):
    rng = np.random.default_rng(400 + seed)
    n_dem, n_fac = int(rng.integers(3, 7)), int(rng.integers(1, 4))
    pairs, dem, fac = cost_pairs(rng, n_dem, n_fac, 0.6)
    sizes = dict(zip(dem, rng.integers(1, 30, n_dem).astype(float), strict=True))
    cap = dict(zip(fac, rng.integers(5, 50, n_fac).astype(float), strict=True))
    res = assign(pairs, dem, sizes, fac, capacity=cap)
    best_size, best_cost = brute_assign(pairs, dem, sizes, fac, cap)
    assert res.assignment["size"].sum() == pytest.approx(best_size)
    assert res.total_cost == pytest.approx(best_cost)
    loads = res.assignment.groupby("facility_id")["size"].sum()
    for f, load in loads.items():
        assert load <= cap[f] + 1e-9
    assert set(res.assignment["demand_id"]).isdisjoint(res.unassigned["demand_id"])
    assert len(res.assignment) + len(res.unassigned) == n_dem


# ---------------------------------------------------------------- facility location


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


# ---------------------------------------------------------------- relocation


def test_capacitated_assignment_reasons_and_optimum():
    pairs = pd.DataFrame(
        {
            "destination_id": ["a", "a", "b", "c", "d", "e", "f"],
            "origin_id": ["S", "T", "S", "S", "U", "S", "S"],
            "time_s": 60.0 * np.array([20.0, 30.0, 10.0, 40.0, 20.0, 200.0, 15.0]),
        }
    )
    county = {"a": "X", "b": "X", "c": "X", "d": "X", "e": "X", "f": "X", "g": "X"}
    site_county = {"S": "X", "T": "X", "U": "Y"}
    m = CapacitatedAssignment.from_pairs(
        pairs,
        list("abcdefg"),
        households={"a": 10, "b": 10, "c": 5, "d": 1, "e": 1, "f": 50, "g": 1},
        residents={"a": 40, "b": 30, "c": 20, "d": 4, "e": 4, "f": 200, "g": 3},
        site_ids=["S", "T", "U"],
        capacity={"S": 30, "T": 10, "U": 100},
        occupied={"S": 10, "T": 0, "U": 0},
        max_minutes=90.0,
        village_group=county,
        site_group=site_county,
    ).solve()
    # S has 20 households left: b (10) + a (10) at S would leave c out; c (5) fits with one.
    # Max residents: a->T (10 hh), b->S, c->S = 90 residents, all relocated.
    got = dict(zip(m.assignment["village_id"], m.assignment["site_id"], strict=True))
    assert got == {"a": "T", "b": "S", "c": "S"}
    assert m.total_resident_minutes == pytest.approx(40 * 30 + 30 * 10 + 20 * 40)
    reasons = dict(zip(m.unassigned["village_id"], m.unassigned["reason"], strict=True))
    assert reasons == {
        "d": "other_county",
        "e": "beyond_commute",
        "f": "too_large",
        "g": "no_pair",
    }
    sites = m.sites.set_index("site_id")
    assert sites.loc["S", "remaining"] == 20
    assert sites.loc["S", "spare"] == 5


def test_capacitated_assignment_capacity_reason_and_defaults():
    pairs = pd.DataFrame(
        {"destination_id": ["a", "b"], "origin_id": ["S", "S"], "time_s": [600.0, 600.0]}
    )
    m = CapacitatedAssignment.from_pairs(
        pairs, ["a", "b"], [8, 8], [100, 50], ["S"], capacity=10
    ).solve()
    assert m.assignment["village_id"].tolist() == ["a"]  # more residents relocated
    assert m.unassigned["reason"].tolist() == ["capacity"]
    # The default commute limit comes from the rules.
    limit = load_rules().relocation.max_commute_min
    far = pairs.assign(time_s=[(limit + 1.0) * 60.0, limit * 60.0])
    m = CapacitatedAssignment.from_pairs(far, ["a", "b"], [1, 1], [1, 1], ["S"], 10).solve()
    assert m.assignment["village_id"].tolist() == ["b"]
    assert m.unassigned["reason"].tolist() == ["beyond_commute"]


# ---------------------------------------------------------------- solver reporting


def test_settings_default_from_rules_and_reported():
    solver = load_rules().solver
    m = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"]).solve()
    assert m.time_limit_s == solver.time_limit_s
    assert m.mip_rel_gap == solver.mip_rel_gap
    m.solve(time_limit_s=7.5, mip_rel_gap=0.25)
    assert m.time_limit_s == 7.5
    assert m.mip_rel_gap == 0.25
    assert m.solve_seconds >= 0.0
    with pytest.raises(InputError):
        m.solve(time_limit_s=0)
    with pytest.raises(RuntimeError, match="solve"):
        _ = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"]).status


def test_time_limit_without_solution_raises_with_report():
    rng = np.random.default_rng(1)
    pairs, dem, cand, _ = random_cover(rng, 600, 400, 0.02)
    weights = rng.integers(1, 1000, 600)
    model = MCLP.from_pairs(pairs, dem, weights, cand, 15)
    failure = None
    try:
        model.solve(time_limit_s=1e-4)
    except SolverError as err:
        failure = err
    if failure is None:  # a machine fast enough to finish: then it must be proven optimal
        assert model.status == "optimal"
    else:
        assert failure.report.status == "time_limit"
        assert failure.report.time_limit_s == 1e-4
        assert not failure.report.has_solution


def test_time_limit_with_incumbent_is_reported(monkeypatch):
    """A HiGHS stop at the time limit with an incumbent keeps its gap and bound."""

    def fake_milp(c, **_):
        return optimize.OptimizeResult(
            status=1,
            message="Time limit reached.",
            x=np.array([1.0, 0.0]),
            fun=-12.0,
            mip_gap=0.25,
            mip_dual_bound=-16.0,
        )

    monkeypatch.setattr(_milp.optimize, "milp", fake_milp)
    x, report = _milp.run_milp(
        np.array([12.0, 16.0]),
        np.ones(2),
        np.zeros(2),
        np.ones(2),
        [],
        time_limit_s=3.0,
        mip_rel_gap=0.0,
        maximize=True,
        offset=100.0,
    )
    assert x.tolist() == [1.0, 0.0]
    assert report.status == "time_limit"
    assert report.objective == pytest.approx(112.0)
    assert report.dual_bound == pytest.approx(116.0)
    assert report.mip_gap == pytest.approx(0.25)
    assert report.time_limit_s == 3.0


def test_gap_setting_bounds_the_solution():
    rng = np.random.default_rng(11)
    pairs, dem, cand, _ = random_cover(rng, 200, 120, 0.03)
    weights = rng.integers(1, 1000, 200).astype(float)
    exact = MCLP.from_pairs(pairs, dem, weights, cand, 6).solve(mip_rel_gap=0.0)
    loose = MCLP.from_pairs(pairs, dem, weights, cand, 6).solve(mip_rel_gap=0.2)
    assert exact.mip_gap == pytest.approx(0.0, abs=1e-9)
    assert loose.mip_rel_gap == 0.2
    assert loose.mip_gap <= 0.2 + 1e-9
    assert loose.covered_weight >= 0.8 * exact.covered_weight - 1e-6
    assert loose.dual_bound >= exact.covered_weight - 1e-6


def test_report_describe_and_dict():
    m = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"]).solve(time_limit_s=5.0)
    zh = m.report.describe()
    assert "最优" in zh
    assert "时限 5 秒" in zh
    en = m.report.describe("en")
    assert en.startswith("solver status: optimal; objective 2;")
    assert m.report.as_dict()["time_limit_s"] == 5.0
    with pytest.raises(InputError):
        m.report.describe("fr")


def test_phase_two_failure_keeps_phase_one_plan(monkeypatch):
    calls = []
    real = _assign.run_milp

    def second_fails(*args, **kwargs):
        x, report = real(*args, **kwargs)
        calls.append(kwargs["time_limit_s"])
        if len(calls) == 2:
            return None, replace(report, status="time_limit", objective=math.nan)
        return x, report

    monkeypatch.setattr(_assign, "run_milp", second_fails)
    pairs = HAND_PAIRS.copy().assign(time_s=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    res = assign(
        pairs,
        list("abcde"),
        [10, 1, 5, 20, 100],
        ["Y", "Z"],
        capacity={"Y": 11, "Z": 20},
        time_limit_s=9.0,
    )
    assert len(calls) == 2
    assert calls[1] <= 9.0
    assert res.status == "time_limit"
    assert res.report.time_limit_s == 9.0
    # The phase-1 plan serves the most residents (31), whatever its cost.
    assert res.assignment["size"].sum() == pytest.approx(31.0)
    assert res.report.objective == pytest.approx(res.total_cost)


def test_sparse_costs_keep_explicit_zeros():
    # d0 -> f0 costs 0 (an explicit zero entry), d0 -> f1 costs 5, d1 -> f1 costs 2.
    matrix = sparse.coo_array(
        (np.array([0.0, 5.0, 2.0]), (np.array([0, 0, 1]), np.array([0, 1, 1]))), shape=(2, 2)
    )
    res = assign(matrix, ["d0", "d1"], [3, 4], ["f0", "f1"])
    got = dict(zip(res.assignment["demand_id"], res.assignment["facility_id"], strict=True))
    assert got == {"d0": "f0", "d1": "f1"}
    assert res.total_cost == pytest.approx(8.0)


def test_free_candidates_that_add_nothing_are_not_selected():
    # X costs nothing, so a solver may open it; it covers only a, which Y covers too.
    m = LSCP.from_pairs(
        HAND_PAIRS, list("abcd"), ["X", "Y", "Z"], candidate_costs={"X": 0, "Y": 1, "Z": 1}
    ).solve()
    assert sorted(m.selected) == ["Y", "Z"]
    assert set(m.covered) == set("abcd")
    assert m.objective == pytest.approx(2.0)


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


def test_drop_redundant_closes_facilities_that_add_nothing():
    dem = pd.Index(list("abcd"))
    cand = pd.Index(["X", "Y", "Z"])
    enc = _milp.encode_pairs(
        HAND_PAIRS, dem, cand, demand_col="origin_id", candidate_col="destination_id"
    )
    all_open = np.ones(3, dtype=bool)
    none_existing = np.zeros(3, dtype=bool)
    kept = siting._drop_redundant(all_open, none_existing, enc, np.ones(4, dtype=bool))
    assert kept.tolist() == [False, True, True]
    # An existing facility is never closed, even when it adds nothing.
    kept = siting._drop_redundant(
        all_open, np.array([True, False, False]), enc, np.ones(4, dtype=bool)
    )
    assert kept.tolist() == [True, True, True]
    # Coverage that need not be kept (zero weight) does not hold a facility open.
    kept = siting._drop_redundant(
        all_open, none_existing, enc, np.array([True, True, False, False])
    )
    assert kept.tolist() == [False, True, False]


def test_relocation_groups_must_come_in_pairs():
    pairs = pd.DataFrame({"destination_id": ["a"], "origin_id": ["S"], "time_s": [60.0]})
    with pytest.raises(InputError, match="both"):
        CapacitatedAssignment.from_pairs(pairs, ["a"], 1, 1, ["S"], 5, village_group={"a": "X"})
