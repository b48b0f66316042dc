"""LP-and-fix: a valid cover, never below the exact optimum, the optimum where the LP is integral."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, sparse
from scipy.spatial import cKDTree

from lvliang_coverage.optimise import _lpfix
from lvliang_coverage.optimise._greedy import cover_lp
from lvliang_coverage.optimise._lpfix import lp_and_fix


def _instance(seed: int, n_dem: int = 120, n_cand: int = 90, radius: float = 1_500.0):
    """Random points in a 10 km square; rows without any column dropped."""
    rng = np.random.default_rng(seed)
    dem = rng.uniform(0, 10_000.0, (n_dem, 2))
    cand = rng.uniform(0, 10_000.0, (n_cand, 2))
    near = cKDTree(dem).sparse_distance_matrix(cKDTree(cand), radius, output_type="coo_matrix")
    a = sparse.csr_array((np.ones(near.nnz), (near.row, near.col)), shape=(n_dem, n_cand))
    return sparse.csr_array(a[np.diff(a.indptr) > 0]), rng


def _exact(a, cost):
    """Optimum by one HiGHS call on the whole model (the reference)."""
    n = a.shape[1]
    res = optimize.milp(
        cost,
        integrality=np.ones(n),
        bounds=optimize.Bounds(0, 1),
        constraints=optimize.LinearConstraint(a, 1, np.inf),
    )
    assert res.status == 0
    return float(res.fun)


def _solver(calls):
    def solve(a, cost, seconds):
        calls.append(a.shape)
        n = a.shape[1]
        res = optimize.milp(
            cost,
            integrality=np.ones(n),
            bounds=optimize.Bounds(0, 1),
            constraints=optimize.LinearConstraint(a, 1, np.inf),
        )
        return res.x > 0.5

    return solve


def _is_cover(a, chosen):
    return bool(((a @ chosen.astype(np.int64)) > 0).all())


@pytest.mark.parametrize(("seed", "unit"), [(s, u) for s in range(8) for u in (True, False)])
def test_lp_and_fix_is_a_cover_no_better_than_the_optimum(seed, unit):
    a, rng = _instance(700 + seed)
    cost = np.ones(a.shape[1]) if unit else rng.integers(1, 6, a.shape[1]).astype(float)
    bound, x = cover_lp(a, cost, 30.0)
    assert x is not None
    chosen = lp_and_fix(a, cost, x, 30.0, _solver([]))
    exact = _exact(a, cost)
    assert _is_cover(a, chosen)
    assert bound <= exact + 1e-6 <= float(cost[chosen].sum()) + 1e-6
    if np.all((x < 1e-6) | (x > 1 - 1e-6)):  # integral LP: the fixed columns are the optimum
        assert float(cost[chosen].sum()) == pytest.approx(exact)


def test_integral_lp_gives_the_optimum_without_a_residual_solve():
    # Column 0 covers both rows; columns 1 and 2 one each: the LP optimum x = (1, 0, 0) is unique.
    a = sparse.csr_array(np.array([[1, 1, 0], [1, 0, 1]], dtype=float))
    cost = np.ones(3)
    bound, x = cover_lp(a, cost, 10.0)
    calls: list = []
    chosen = lp_and_fix(a, cost, x, 10.0, _solver(calls))
    assert bound == pytest.approx(1.0)
    assert chosen.tolist() == [True, False, False]
    assert calls == []


def test_fractional_triangle_is_solved_exactly_in_the_residual():
    # Three rows, each column covers two of them: LP 1.5 (all x = 0.5), optimum 2.
    a = sparse.csr_array(np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1]], dtype=float))
    cost = np.ones(3)
    bound, x = cover_lp(a, cost, 10.0)
    chosen = lp_and_fix(a, cost, x, 10.0, _solver([]))
    assert bound == pytest.approx(1.5)
    assert _is_cover(a, chosen)
    assert int(chosen.sum()) == 2


def test_a_row_only_covered_by_lp_zeros_keeps_its_columns():
    # A made-up "LP solution" leaving row 1 to a column at zero: the residual takes every column.
    a = sparse.csr_array(np.array([[1, 0, 0], [0, 1, 1], [1, 0, 1]], dtype=float))
    cost = np.array([1.0, 1.0, 3.0])
    x = np.array([1.0, 0.0, 0.0])
    chosen = lp_and_fix(a, cost, x, 10.0, _solver([]))
    assert _is_cover(a, chosen)
    assert chosen.tolist() == [True, True, False]


def test_too_big_a_residual_falls_back_to_the_lower_threshold(monkeypatch):
    a, _ = _instance(5, 300, 200, radius=2_000.0)
    cost = np.ones(a.shape[1])
    _, x = cover_lp(a, cost, 30.0)
    monkeypatch.setattr(_lpfix, "FIX_MAX_COLS", 0)  # no threshold is accepted: the last is used
    calls: list = []
    chosen = lp_and_fix(a, cost, x, 30.0, _solver(calls))
    assert _is_cover(a, chosen)
    assert float(chosen.sum()) >= _exact(a, cost) - 1e-6
