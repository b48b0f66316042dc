"""HiGHS helper: solver settings (defaults, rules in force), reports, time limits and gaps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from optimise_cases import HAND_PAIRS, random_cover
from scipy import optimize

from lvliang_coverage.config import SolverRules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise import highs
from lvliang_coverage.optimise.assignment import CapacitatedAssignment, assign
from lvliang_coverage.optimise.covering import LSCP, MCLP, coverage_curve
from lvliang_coverage.optimise.location import FacilityLocation

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


def test_time_limit_returns_the_greedy_plan_with_its_gap():
    """A limit too short for HiGHS keeps the greedy plan, with an honest gap (no exception)."""
    rng = np.random.default_rng(11)
    pairs, dem, cand, mask = random_cover(rng, 200, 120, 0.03)
    weights = rng.integers(1, 1000, 200).astype(float)
    model = MCLP.from_pairs(pairs, dem, weights, cand, 6).solve(time_limit_s=1e-4)
    assert model.status in {"optimal", "time_limit"}
    assert model.report.has_solution
    assert model.n_new <= 6
    # The plan's weight is what its sites really cover; the bound is above it.
    open_cols = [cand.index(c) for c in model.selected]
    assert model.covered_weight == pytest.approx(weights[mask[:, open_cols].any(axis=1)].sum())
    assert model.objective == pytest.approx(model.covered_weight)
    assert model.dual_bound >= model.objective - 1e-9
    if model.status == "time_limit":
        gap = (model.dual_bound - model.objective) / model.objective
        assert model.mip_gap == pytest.approx(gap)
        assert model.mip_gap > 0
    exact = MCLP.from_pairs(pairs, dem, weights, cand, 6).solve()
    assert exact.status == "optimal"
    assert model.objective <= exact.objective + 1e-9 <= model.dual_bound + 1e-6
    assert "gap" in model.report.describe("en")


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

    monkeypatch.setattr(highs.optimize, "milp", fake_milp)
    x, report = highs.run_milp(
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


# ---------------------------------------------------------------- the rules in force

CUSTOM = SolverRules(time_limit_s=7.5, mip_rel_gap=0.05)
"""A user's ``[solver]`` settings, e.g. from ``--config``."""

COST_PAIRS = HAND_PAIRS.assign(time_s=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
"""The hand-worked pairs with a travel time (seconds) and a cost (yuan) per pair."""


def _solved_models(solver):
    """Every model of the optimisation layer, solved with ``solver``."""
    dem, fac = list("abcde"), ["X", "Y", "Z"]
    sizes = [10, 1, 5, 20, 100]
    relocation = COST_PAIRS.rename(columns={"origin_id": "destination_id", "destination_id": "x"})
    relocation = relocation.rename(columns={"x": "origin_id"})
    return {
        "LSCP": LSCP.from_pairs(HAND_PAIRS, dem, fac).solve(solver=solver),
        "MCLP": MCLP.from_pairs(HAND_PAIRS, dem, sizes, fac, 1).solve(solver=solver),
        "assign": assign(COST_PAIRS, dem, sizes, ["Y", "Z"], capacity=11, solver=solver),
        "FacilityLocation": FacilityLocation.from_pairs(
            COST_PAIRS.rename(columns={"time_s": "cost"}),
            dem,
            sizes,
            fac,
            fixed_cost=100.0,
            capacity=30.0,
        ).solve(solver=solver),
        "CapacitatedAssignment": CapacitatedAssignment.from_pairs(
            relocation, dem, [10, 1, 5, 20, 100], sizes, fac, 15
        ).solve(solver=solver),
    }


def test_custom_solver_rules_are_reported_back():
    for name, model in _solved_models(CUSTOM).items():
        assert model.report.time_limit_s == 7.5, name
        assert model.report.mip_rel_gap == 0.05, name
        assert "时限 7.5 秒" in model.report.describe(), name
        if hasattr(model, "time_limit_s"):
            assert model.time_limit_s == 7.5, name
            assert model.mip_rel_gap == 0.05, name


def test_rules_file_solver_section_is_reported_back():
    rules = load_rules({"solver": {"time_limit_s": 7.5, "mip_rel_gap": 0.05}})
    assert rules.solver == CUSTOM
    m = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"]).solve(solver=rules.solver)
    assert (m.time_limit_s, m.mip_rel_gap) == (7.5, 0.05)
    curve = coverage_curve(HAND_PAIRS, list("abcde"), 1.0, ["X", "Y", "Z"], [1, 2], solver=CUSTOM)
    assert curve["status"].eq("optimal").all()


def test_no_solver_rules_means_the_shipped_defaults():
    assert load_rules().solver == highs.DEFAULT_SOLVER
    for name, model in _solved_models(None).items():
        assert model.report.time_limit_s == highs.DEFAULT_SOLVER.time_limit_s, name
        assert model.report.mip_rel_gap == highs.DEFAULT_SOLVER.mip_rel_gap, name


def test_explicit_settings_override_the_rules_one_by_one():
    assert highs.solver_settings(None, None, CUSTOM) == (7.5, 0.05)
    assert highs.solver_settings(3.0, None, CUSTOM) == (3.0, 0.05)
    assert highs.solver_settings(None, 0.0, CUSTOM) == (7.5, 0.0)
    assert highs.solver_settings() == (60.0, 0.0)
    with pytest.raises(InputError, match="time_limit_s"):
        highs.solver_settings(solver=SolverRules(time_limit_s=0.0, mip_rel_gap=0.0))
    m = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"])
    m.solve(time_limit_s=2.0, solver=CUSTOM)
    assert (m.time_limit_s, m.mip_rel_gap) == (2.0, 0.05)


def test_optimise_never_reloads_the_rules():
    folder = Path(highs.__file__).parent
    for path in sorted(folder.glob("*.py")):
        assert "load_rules" not in path.read_text(encoding="utf-8"), path.name
