"""Private large-component set covering: Lagrangian bound and neighbourhood search with HiGHS."""

from __future__ import annotations

import time

import numpy as np
from scipy import optimize, sparse
from scipy.sparse import csgraph

from lvliang_coverage.optimise._greedy import greedy_cover, prune_cover
from lvliang_coverage.optimise.highs import run_milp

REGION_COLS = 300
"""Technical setting: candidates freed at once in one neighbourhood-search step."""
SUB_LIMIT_S = 2.0
"""Technical setting: seconds one neighbourhood sub-problem may take at most."""


def lagrangian_bound(
    a: sparse.csr_array, cost: np.ndarray, upper: float, seconds: float
) -> tuple[float, np.ndarray | None]:
    """Lower bound on set covering by Lagrangian relaxation (subgradient, vectorised).

    For multipliers u >= 0 per row, ``sum(u) + sum(min(0, c - A^T u))`` is a lower bound on
    the optimum; the best over the iterations is returned, with the best cover built from the
    columns of negative reduced cost (greedy completion), or None when none was better than
    ``upper``.

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows x columns, 0/1; every row has a column.
    cost : numpy.ndarray
        Cost per column (> 0).
    upper : float
        Cost of a known cover (steers the step size).
    seconds : float
        Time allowed.

    Returns
    -------
    tuple
        ``(bound, cover or None)``.
    """
    start = time.perf_counter()
    af = sparse.csr_array(a, dtype=float)
    at = sparse.csr_array(af.T)
    deg = np.diff(sparse.csc_array(af).indptr).astype(float)
    ratio = cost / np.maximum(deg, 1.0)
    u = np.full(a.shape[0], np.inf)
    np.minimum.at(u, np.repeat(np.arange(a.shape[0]), np.diff(af.indptr)), ratio[af.indices])
    best, lam, stall, best_cover = -np.inf, 2.0, 0, None
    it = 0
    while time.perf_counter() - start < seconds and lam > 1e-4:  # vectorised iterations
        it += 1
        rc = cost - at @ u
        x = rc < 0
        value = float(u.sum() + rc[x].sum())
        if value > best + 1e-9:
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 20:
                lam, stall = lam / 2, 0
        g = 1.0 - af @ x.astype(float)
        g[(u <= 0) & (g < 0)] = 0.0
        norm = float(g @ g)
        if norm == 0:  # x covers every row exactly once: optimal
            best = value
            break
        u = np.maximum(u + lam * (upper - value) / norm * g, 0.0)
        if it % 25 == 0:
            cover = greedy_cover(a, cost, first=np.flatnonzero(x))
            found = float(cost[cover].sum())
            if found < upper:
                upper, best_cover = found, cover
    return best, best_cover


def neighbourhood_search(
    a: sparse.csr_array,
    cost: np.ndarray,
    chosen: np.ndarray,
    seconds: float,
    *,
    seed: int = 0,
) -> tuple[np.ndarray, int]:
    """Improve a cover by re-solving neighbourhoods exactly with HiGHS until time is up.

    Each step frees about :data:`REGION_COLS` columns around a random one; columns outside
    stay as they are, and the rows they leave uncovered are covered at least cost by the
    freed columns (a small MILP). The cover never gets worse.

    Returns
    -------
    tuple
        The improved cover and the number of sub-problems solved.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    adj = sparse.csr_array(a.T @ a)
    out = chosen.copy()
    steps = 0
    while (left := seconds - (time.perf_counter() - start)) > 0.2:  # one sub-MILP per step
        root = int(rng.integers(0, a.shape[1]))
        region = csgraph.breadth_first_order(adj, root, directed=False, return_predecessors=False)
        region = region[:REGION_COLS]
        free = np.zeros(a.shape[1], dtype=bool)
        free[region] = True
        fixed = out & ~free
        need = np.flatnonzero((a @ fixed.astype(np.int64)) == 0)
        if len(need) == 0:
            out[region] = False
            continue
        sub = sparse.csr_array(a[need][:, region])
        c = cost[region]
        n = len(region)
        x, _ = run_milp(
            c,
            np.ones(n),
            np.zeros(n),
            np.ones(n),
            [optimize.LinearConstraint(sub, 1.0, np.inf)],
            time_limit_s=min(SUB_LIMIT_S, left),
            mip_rel_gap=0.0,
        )
        steps += 1
        if x is not None and float(c @ x) < float(c[out[region]].sum()) - 1e-9:
            out[region] = x > 0.5
    return prune_cover(a, out, cost), steps
