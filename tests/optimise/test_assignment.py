"""Assignment models (``assign``, relocation) against hand-worked optima and brute force."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from optimise_cases import HAND_PAIRS
from scipy import sparse

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise import _assign
from lvliang_coverage.optimise.assignment import (
    DEFAULT_MAX_COMMUTE_MIN,
    DEFAULT_SAME_GROUP,
    CapacitatedAssignment,
    assign,
)

# ---------------------------------------------------------------- helpers


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


# ---------------------------------------------------------------- assignment


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


def test_sparse_costs_keep_explicit_zeros():
    # d0 -> f0 costs 0 (an explicit zero entry), d0 -> f1 costs 5, d1 -> f1 costs 2.
    matrix = sparse.coo_array(
        (np.array([0.0, 5.0, 2.0]), (np.array([0, 0, 1]), np.array([0, 1, 1]))), shape=(2, 2)
    )
    res = assign(matrix, ["d0", "d1"], [3, 4], ["f0", "f1"])
    got = dict(zip(res.assignment["demand_id"], res.assignment["facility_id"], strict=True))
    assert got == {"d0": "f0", "d1": "f1"}
    assert res.total_cost == pytest.approx(8.0)


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


def test_relocation_groups_must_come_in_pairs():
    pairs = pd.DataFrame({"destination_id": ["a"], "origin_id": ["S"], "time_s": [60.0]})
    with pytest.raises(InputError, match="both"):
        CapacitatedAssignment.from_pairs(pairs, ["a"], 1, 1, ["S"], 5, village_group={"a": "X"})


def test_relocation_defaults_are_the_shipped_rules():
    rules = load_rules().relocation
    assert rules.max_commute_min == DEFAULT_MAX_COMMUTE_MIN
    assert rules.same_county is DEFAULT_SAME_GROUP
