"""A time limit never loses the plan: facility location keeps a greedy assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lvliang_coverage.optimise import _assign
from lvliang_coverage.optimise.highs import SolveReport
from lvliang_coverage.optimise.location import FacilityLocation


def _no_solution(c, *_, time_limit_s, mip_rel_gap, **__):
    """A solver stopped by its time limit before any feasible solution."""
    report = SolveReport(
        status="time_limit",
        message="Time limit reached.",
        objective=np.nan,
        dual_bound=np.nan,
        mip_gap=np.nan,
        solve_seconds=time_limit_s,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        n_variables=len(c),
        n_constraints=0,
    )
    return None, report


def _instance(seed):
    rng = np.random.default_rng(seed)
    n_dem, n_cand = 12, 4
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
    return pairs, dem, qty, weight, cand, fixed, cap


@pytest.mark.parametrize(("seed", "budget"), [(s, b) for s in range(5) for b in (None, 150.0)])
def test_facility_location_keeps_a_feasible_greedy_plan(seed, budget, monkeypatch):
    pairs, dem, qty, weight, cand, fixed, cap = _instance(seed)

    def build():
        return FacilityLocation.from_pairs(
            pairs, dem, qty, cand, fixed, cap, existing=[cand[0]], weights=weight, budget=budget
        )

    exact = build().solve()
    monkeypatch.setattr(_assign, "run_milp", _no_solution)
    m = build().solve(time_limit_s=1.0)
    assert m.report.status == "time_limit"
    assert m.report.has_solution
    # Feasible: one facility per demand, within capacity and budget, costs as stated.
    assert m.assignment["demand_id"].is_unique
    loads = m.assignment.groupby("facility_id")["quantity"].sum()
    for c, load in loads.items():
        assert load <= cap[c] + 1e-9
    costs = pairs.set_index(["origin_id", "destination_id"])["cost"]
    used = pd.MultiIndex.from_frame(m.assignment[["demand_id", "facility_id"]])
    pair_cost = float(costs.loc[used].sum())
    assert m.assignment_cost_total == pytest.approx(pair_cost)
    assert m.fixed_cost_total == pytest.approx(sum(fixed[c] for c in m.opened))
    assert cand[0] not in m.opened
    if budget is not None:
        assert m.total_cost <= budget + 1e-9
    assert m.served_weight <= exact.served_weight + 1e-9
    assert m.served_weight > 0
