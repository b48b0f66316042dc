"""Decomposed covering: reductions, components, exact assembly, greedy incumbents, time limits."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, sparse
from scipy.spatial import cKDTree

from lvliang_coverage.optimise import _maxcover, _parts, _search, _setcover
from lvliang_coverage.optimise._cover import drop_redundant
from lvliang_coverage.optimise._greedy import greedy_cover, greedy_max_cover, prune_cover
from lvliang_coverage.optimise._pairs import Pairs
from lvliang_coverage.optimise._reduce import components, reduce_cover
from lvliang_coverage.optimise.covering import LSCP, MCLP, coverage_curve
from lvliang_coverage.report.headlines import solver_text


def geometric(seed, n_dem=80, n_cand=60, side=10_000.0, radius=1_200.0):
    """Random points in a square; a candidate covers a demand within ``radius`` metres."""
    rng = np.random.default_rng(seed)
    dem = rng.uniform(0, side, (n_dem, 2))
    cand = rng.uniform(0, side, (n_cand, 2))
    near = cKDTree(dem).sparse_distance_matrix(cKDTree(cand), radius, output_type="coo_matrix")
    a = sparse.csr_array((np.ones(near.nnz), (near.row, near.col)), shape=(n_dem, n_cand))
    weights = rng.integers(1, 500, n_dem).astype(float)
    return a, weights, rng


def whole_lscp(a, cost):
    """Optimum of set covering on the whole model (one HiGHS call; rows without columns dropped)."""
    a = sparse.csr_array(a)
    rows = np.flatnonzero(np.diff(a.indptr) > 0)
    n = a.shape[1]
    res = optimize.milp(
        cost,
        integrality=np.ones(n),
        bounds=optimize.Bounds(0, 1),
        constraints=optimize.LinearConstraint(a[rows], 1, np.inf),
    )
    assert res.status == 0
    return float(res.fun)


def whole_mclp(a, weights, p):
    """Optimum of maximal covering for p on the whole model (one HiGHS call)."""
    n_r, n_c = a.shape
    cover = sparse.hstack([-sparse.csr_array(a), sparse.eye_array(n_r)], format="csr")
    count = np.concatenate([np.ones(n_c), np.zeros(n_r)])[None, :]
    res = optimize.milp(
        -np.concatenate([np.zeros(n_c), weights]),
        integrality=np.concatenate([np.ones(n_c), np.zeros(n_r)]),
        bounds=optimize.Bounds(0, 1),
        constraints=[
            optimize.LinearConstraint(cover, -np.inf, 0),
            optimize.LinearConstraint(count, 0, p),
        ],
    )
    assert res.status == 0
    return -float(res.fun)


def covered(a, cols, weights):
    mask = np.zeros(a.shape[1])
    mask[list(cols)] = 1
    return float(weights[(sparse.csr_array(a) @ mask) > 0].sum())


# ---------------------------------------------------------------- reductions and components


@pytest.mark.parametrize("seed", range(12))
def test_reductions_keep_the_set_covering_optimum(seed):
    a, _, rng = geometric(seed, 40, 30, radius=2_000.0)
    rows = np.flatnonzero(np.diff(a.indptr) > 0)
    a = sparse.csr_array(a[rows])
    cost = rng.integers(1, 4, a.shape[1]).astype(float)
    red = reduce_cover(a, cost, set_cover=True)
    rest = whole_lscp(red.matrix, cost[red.cols]) if red.matrix.shape[0] else 0.0
    assert rest + cost[red.forced].sum() == pytest.approx(whole_lscp(a, cost))
    # Forced columns plus any cover of the reduced rows cover everything.
    x = np.zeros(a.shape[1])
    x[red.forced] = 1
    x[red.cols] = 1
    assert ((a @ x) > 0).all()


@pytest.mark.parametrize("seed", range(8))
def test_dominated_columns_keep_the_maximal_covering_optimum(seed):
    a, w, _ = geometric(seed, 30, 25, radius=2_000.0)
    rows = np.flatnonzero(np.diff(a.indptr) > 0)
    a, w = sparse.csr_array(a[rows]), w[rows]
    red = reduce_cover(a, np.ones(a.shape[1]), set_cover=False)
    assert len(red.rows) == a.shape[0]
    assert len(red.forced) == 0
    for p in range(4):
        assert whole_mclp(red.matrix, w, p) == pytest.approx(whole_mclp(a, w, p))


def test_reductions_hand_worked():
    # rows: r0 {0}, r1 {0,1}, r2 {1,2}, r3 {2,3}, r4 {3}; column 4 covers r2 only.
    dense = np.zeros((5, 5))
    for r, cs in enumerate([[0], [0, 1], [1, 2, 4], [2, 3], [3]]):
        dense[r, cs] = 1
    red = reduce_cover(sparse.csr_array(dense), np.ones(5), set_cover=True)
    # Round 1: r0 and r4 force 0 and 3, which cover r1 and r3; r2 {1, 2, 4} is left and its
    # columns are identical there, so the first (1) is kept. Round 2: r2 forces 1.
    assert red.forced.tolist() == [0, 1, 3]
    assert red.rows.tolist() == []
    assert red.rounds == 2
    # Costs decide among identical columns: 4 costs 1, columns 1 and 2 cost more.
    red = reduce_cover(sparse.csr_array(dense), np.array([1, 3, 2, 1, 1.0]), set_cover=True)
    assert red.forced.tolist() == [0, 3, 4]


def test_components_counts_and_sizes():
    # Two blocks: rows 0-1 x cols 0-1 (3 pairs) and rows 2-4 x col 2 (3 pairs).
    dense = np.zeros((5, 3))
    dense[0, 0] = dense[0, 1] = dense[1, 1] = 1
    dense[2:, 2] = 1
    comps = components(sparse.csr_array(dense))
    assert comps.n == 2
    order = np.argsort(comps.n_cols)
    assert comps.n_rows[order].tolist() == [3, 2]
    assert comps.n_cols[order].tolist() == [1, 2]
    assert comps.n_pairs[order].tolist() == [3, 3]
    assert comps.row_label[0] == comps.row_label[1] != comps.row_label[2]


# ---------------------------------------------------------------- LSCP and the curve, exact


@pytest.mark.parametrize("seed", range(15))
def test_decomposed_lscp_equals_the_whole_model(seed):
    a, _, rng = geometric(seed, 90, 70, radius=float(rng_radius(seed)))
    cost = rng.integers(1, 5, a.shape[1]).astype(float) if seed % 2 else np.ones(a.shape[1])
    existing = sorted(rng.choice(a.shape[1], 3, replace=False).tolist())
    ids, sites = list(range(a.shape[0])), list(range(a.shape[1]))
    m = LSCP.from_pairs(a, ids, sites, existing=existing, candidate_costs=cost).solve()
    # Whole model by hand: rows an existing site covers drop out, existing columns cost 0.
    free = cost.copy()
    free[existing] = 0.0
    assert m.status == "optimal"
    assert m.objective == pytest.approx(whole_lscp(a, free))
    assert float(cost[m.selected].sum()) == pytest.approx(m.objective)
    reach = (a @ np.ones(a.shape[1])) > 0
    assert set(m.covered) == set(np.flatnonzero(reach).tolist())
    comp = m.components
    assert (comp["gap"] == 0).all()
    assert (comp["status"] == "optimal").all()
    assert comp["objective"].sum() <= m.objective + 1e-9


def rng_radius(seed):
    return [900.0, 1_500.0, 2_200.0][seed % 3]


@pytest.mark.parametrize(("seed", "force"), [(s, f) for s in range(6) for f in ("", "highs")])
def test_curve_equals_maximal_covering_per_p(seed, force, monkeypatch):
    if force:  # no enumeration: every component gets one HiGHS solve per k
        monkeypatch.setattr(_maxcover, "ENUM_MAX_COLS", 0)
    a, w, rng = geometric(100 + seed, 70, 50, radius=rng_radius(seed))
    existing = [int(rng.integers(0, a.shape[1]))]
    ids, sites = list(range(a.shape[0])), list(range(a.shape[1]))
    top = LSCP.from_pairs(a, ids, sites, existing=existing).solve().n_new
    curve = coverage_curve(a, ids, w, sites, range(top + 2), existing=existing)
    base = a[:, existing] @ np.ones(1) > 0
    for row in curve.itertuples():
        # Whole model by hand: existing coverage counted, its rows out of the model.
        rest = whole_mclp(a[~base], w[~base], row.p) if row.p else 0.0
        assert row.covered_weight == pytest.approx(w[base].sum() + rest)
        assert row.covered_weight == pytest.approx(covered(a, existing + list(row.new_ids), w))
        assert row.status == "optimal"
        assert row.mip_gap == 0
        assert len(row.new_ids) == row.n_new <= row.p


@pytest.mark.parametrize("seed", range(4))
def test_direct_path_matches_the_curve(seed, monkeypatch):
    a, w, _ = geometric(200 + seed, 50, 40, radius=1_500.0)
    ids, sites = list(range(a.shape[0])), list(range(a.shape[1]))
    merged = coverage_curve(a, ids, w, sites, [0, 1, 3, 6])
    monkeypatch.setattr(_maxcover, "CURVE_MAX_COLS", 0)
    monkeypatch.setattr(_maxcover, "ENUM_MAX_COLS", 0)
    direct = coverage_curve(a, ids, w, sites, [0, 1, 3, 6])
    assert direct["covered_weight"].tolist() == pytest.approx(merged["covered_weight"].tolist())
    assert (direct["status"] == "optimal").all()


def test_mclp_solve_is_the_curve_point():
    a, w, _ = geometric(7, 80, 60, radius=1_500.0)
    ids, sites = list(range(a.shape[0])), list(range(a.shape[1]))
    curve = coverage_curve(a, ids, w, sites, [4])
    m = MCLP.from_pairs(a, ids, w, sites, 4).solve()
    assert m.covered_weight == pytest.approx(curve["covered_weight"].iloc[0])
    assert m.covered_weight == pytest.approx(whole_mclp(a, w, 4))
    assert m.report.has_solution
    assert "components" in m.report.message


# ---------------------------------------------------------------- greedy and time limits


@pytest.mark.parametrize("seed", range(6))
def test_greedy_cover_is_a_cover_without_redundant_sites(seed):
    a, _, rng = geometric(300 + seed, 120, 90, radius=1_800.0)
    rows = np.flatnonzero(np.diff(a.indptr) > 0)
    a = sparse.csr_array(a[rows])
    cost = rng.integers(1, 4, a.shape[1]).astype(float)
    chosen = greedy_cover(a, cost)
    count = a @ chosen.astype(float)
    assert (count >= 1).all()
    for j in np.flatnonzero(chosen):  # no open site can close
        assert (count[a[:, [j]].toarray().ravel() > 0] == 1).any()
    assert cost[chosen].sum() >= whole_lscp(a, cost) - 1e-9
    assert prune_cover(a, np.ones(a.shape[1], dtype=bool), cost).sum() <= a.shape[1]


def test_greedy_max_cover_takes_the_largest_gain_each_time():
    # c0 covers rows 0-2 (weight 3), c1 rows 2-3 (weight 2 + 5), c2 row 4 (weight 4).
    dense = np.zeros((5, 3))
    dense[[0, 1, 2], 0] = 1
    dense[[2, 3], 1] = 1
    dense[4, 2] = 1
    w = np.array([1.0, 1, 1, 5, 4])
    order = greedy_max_cover(sparse.csr_array(dense), w, 3)
    assert order.tolist() == [1, 2, 0]  # 6, then 4, then 2 more
    assert greedy_max_cover(sparse.csr_array(dense), w, 1).tolist() == [1]


def test_time_limited_lscp_keeps_the_greedy_plan_with_its_gap(monkeypatch):
    a, _, _ = geometric(5, 400, 300, side=20_000.0, radius=2_500.0)
    ids, sites = list(range(a.shape[0])), list(range(a.shape[1]))
    monkeypatch.setattr(_setcover, "run_milp", _no_solution)
    m = LSCP.from_pairs(a, ids, sites).solve(time_limit_s=5.0)
    reach = np.flatnonzero((a @ np.ones(a.shape[1])) > 0)
    assert set(m.covered) == set(reach.tolist())
    assert m.report.has_solution
    assert m.objective == m.n_new
    exact = whole_lscp(a, np.ones(a.shape[1]))
    assert m.dual_bound <= exact + 1e-9 <= m.objective + 1e-9
    assert m.mip_gap == pytest.approx((m.objective - m.dual_bound) / m.objective)
    if m.mip_gap > 0:
        assert m.status == "time_limit"
        assert (m.components["status"] == "time_limit").any()
        text = solver_text(m.report)
        assert "时限" in text
        assert f"{m.mip_gap:.2%}" in text


def _no_solution(c, *_, time_limit_s, mip_rel_gap, maximize=False, offset=0.0, **__):
    """A solver stopped by its time limit before any feasible solution."""
    report = _parts.SolveReport(
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


def test_time_limited_curve_returns_every_plan(monkeypatch):
    a, w, _ = geometric(9, 300, 200, side=15_000.0, radius=2_500.0)
    ids, sites = list(range(a.shape[0])), list(range(a.shape[1]))
    monkeypatch.setattr(_maxcover, "run_milp", _no_solution)
    curve = coverage_curve(a, ids, w, sites, [0, 2, 5, 10])
    assert curve["p"].tolist() == [0, 2, 5, 10]
    assert (np.diff(curve["covered_weight"]) >= 0).all()
    for row in curve.itertuples():
        assert row.covered_weight == pytest.approx(covered(a, row.new_ids, w))
        assert row.n_new <= row.p
        assert row.p == 0 or row.covered_weight <= whole_mclp(a, w, row.p) + 1e-6
        assert row.status in {"optimal", "time_limit"}
        assert np.isfinite(row.mip_gap)


@pytest.mark.parametrize(("seed", "lp"), [(s, lp) for s in range(3) for lp in (True, False)])
def test_large_component_search_keeps_a_valid_cover_and_bound(seed, lp, monkeypatch):
    """LP (or Lagrangian) bound and neighbourhood search, forced on a small instance, are honest."""
    monkeypatch.setattr(_setcover, "SEARCH_MIN_COLS", 10)
    if not lp:  # the LP does not finish in time: the Lagrangian bound stands in
        monkeypatch.setattr(_setcover, "cover_lp", lambda *_: (-np.inf, None))
    monkeypatch.setattr(_search, "REGION_COLS", 25)
    a, _, _ = geometric(500 + seed, 300, 200, side=12_000.0, radius=2_000.0)
    ids, sites = list(range(a.shape[0])), list(range(a.shape[1]))
    m = LSCP.from_pairs(a, ids, sites).solve(time_limit_s=3.0)
    reach = np.flatnonzero((a @ np.ones(a.shape[1])) > 0)
    assert set(m.covered) == set(reach.tolist())
    exact = whole_lscp(a, np.ones(a.shape[1]))
    assert m.dual_bound <= exact + 1e-9 <= m.objective + 1e-9
    assert m.objective == m.n_new
    assert m.solve_seconds < 3.0 + 2.5  # the limit, and at most one sub-problem beyond it


def test_lagrangian_bound_is_a_lower_bound():
    a, _, rng = geometric(42, 200, 150, radius=2_000.0)
    a = sparse.csr_array(a[np.diff(a.indptr) > 0])
    cost = rng.integers(1, 5, a.shape[1]).astype(float)
    bound, _ = _search.lagrangian_bound(a, cost, float(cost.sum()), 1.0)
    exact = whole_lscp(a, cost)
    assert bound <= exact + 1e-6
    assert bound >= 0.8 * exact  # close to the LP bound on such instances


# ---------------------------------------------------------------- pruning


def _sequential_drop(open_mask, existing_mask, pairs, keep):
    """The plain one-facility-at-a-time pruning, as a reference."""
    out = open_mask.copy()
    for j in np.flatnonzero(out & ~existing_mask):
        mine = pairs.i[pairs.j == j]
        mine = mine[keep[mine]]
        others = out.copy()
        others[j] = False
        count = np.bincount(pairs.i[others[pairs.j]], minlength=len(keep))
        if (count[mine] >= 1).all():
            out[j] = False
    return out


@pytest.mark.parametrize("seed", range(10))
def test_drop_redundant_matches_the_sequential_pass(seed):
    rng = np.random.default_rng(400 + seed)
    mask = rng.random((25, 15)) < 0.2
    i, j = np.nonzero(mask)
    pairs = Pairs(i.astype(np.int64), j.astype(np.int64), np.ones(len(i)))
    open_mask = rng.random(15) < 0.6
    existing = open_mask & (rng.random(15) < 0.3)
    keep = rng.random(25) < 0.8
    got = drop_redundant(open_mask, existing, pairs, keep)
    assert got.tolist() == _sequential_drop(open_mask, existing, pairs, keep).tolist()


def test_enumeration_matches_brute_force():
    rng = np.random.default_rng(3)
    dense = (rng.random((9, 7)) < 0.35).astype(float)
    dense[dense.sum(axis=1) == 0, 0] = 1
    cost = rng.integers(1, 4, 7).astype(float)
    part = _setcover._enumerate(sparse.csr_array(dense), cost)
    best = min(
        cost[list(s)].sum()
        for k in range(8)
        for s in itertools.combinations(range(7), k)
        if (dense[:, list(s)].sum(axis=1) > 0).all()
    )
    assert part.objective == pytest.approx(best)
    assert (dense[:, part.chosen].sum(axis=1) > 0).all()


def test_components_table_of_a_solved_model():
    pairs = pd.DataFrame(
        {"origin_id": ["a", "a", "b", "c", "d", "d"], "destination_id": list("XYYZZW")}
    )
    m = LSCP.from_pairs(pairs, list("abcd"), list("XYZW")).solve()
    assert m.n_new == 2
    assert m.report.status == "optimal"
    assert list(m.components.columns) == _parts.TABLE_COLUMNS


@pytest.mark.parametrize("seed", range(3))
def test_large_component_starts_from_lp_and_fix(seed, monkeypatch):
    """A large component takes the LP-and-fix cover as its start; the result stays honest."""
    monkeypatch.setattr(_setcover, "SEARCH_MIN_COLS", 10)
    seen: list[float] = []
    real = _setcover.lp_and_fix

    def spy(a, cost, x, seconds, solve):
        out = real(a, cost, x, seconds, solve)
        assert ((a @ out.astype(np.int64)) > 0).all()
        seen.append(float(cost[out].sum()))
        return out

    monkeypatch.setattr(_setcover, "lp_and_fix", spy)
    monkeypatch.setattr(_setcover, "neighbourhood_search", lambda a, c, ch, s: (ch, 0))
    a, _, _ = geometric(800 + seed, 300, 200, side=12_000.0, radius=2_000.0)
    ids, sites = list(range(a.shape[0])), list(range(a.shape[1]))
    m = LSCP.from_pairs(a, ids, sites).solve(time_limit_s=10.0)
    exact = whole_lscp(a, np.ones(a.shape[1]))
    assert seen
    assert m.dual_bound <= exact + 1e-9 <= m.objective + 1e-9
    big = m.components.sort_values("n_candidates").iloc[-1]
    assert big["objective"] <= min(seen) + 1e-9
    assert big["method"] in {"LP-and-fix", "LP rounding", "greedy"}
    reach = np.flatnonzero((a @ np.ones(a.shape[1])) > 0)
    assert set(m.covered) == set(reach.tolist())
