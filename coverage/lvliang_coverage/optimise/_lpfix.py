"""Private LP-and-fix: fix the LP's large values, solve the residual components exactly."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy import sparse

from lvliang_coverage.optimise._greedy import greedy_cover, prune_cover
from lvliang_coverage.optimise._reduce import components, reduce_cover

FIX_THRESHOLDS = (1.0 - 1e-6, 0.5)
"""Technical setting: LP values at or above which columns are fixed open, tried in order."""
FIX_MAX_COLS = 6_000
"""Technical setting: largest residual component (candidates) accepted at a threshold."""
SUPPORT_EPS = 1e-6
"""Technical setting: LP value above which a column stays a candidate in the residual."""

SolveFn = Callable[[sparse.csr_array, np.ndarray, float], np.ndarray | None]
"""``solve(sub, cost, seconds)``: boolean cover of one component, or None (then greedy)."""


def _residual(
    a: sparse.csr_array, x: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, sparse.csr_array]:
    """Split at ``threshold``: fixed columns, residual columns (of ``a``), residual matrix."""
    fix = x >= threshold
    open_rows = (a @ fix.astype(np.int64)) == 0
    keep = (x > SUPPORT_EPS) & ~fix
    sub = sparse.csr_array(a[np.flatnonzero(open_rows)][:, np.flatnonzero(keep)])
    if sub.shape[0] and np.diff(sub.indptr).min() == 0:  # a row only the LP's zeros cover
        keep = ~fix
        sub = sparse.csr_array(a[np.flatnonzero(open_rows)][:, np.flatnonzero(keep)])
    return np.flatnonzero(fix), np.flatnonzero(keep), sub


def lp_and_fix(
    a: sparse.csr_array,
    cost: np.ndarray,
    x: np.ndarray,
    seconds: float,
    solve: SolveFn,
) -> np.ndarray:
    """Build a cover from an LP solution: fix its large values, solve the rest by components.

    Columns with ``x_j`` at or above a threshold of :data:`FIX_THRESHOLDS` are opened; the
    rows they cover are dropped and so are the columns the LP leaves at zero. The residual is
    reduced (forced and dominated columns, dominated rows) and split into independent
    components, each solved by ``solve`` with a share of ``seconds`` proportional to its
    pairs (smallest first, greedy when it gives nothing). The first threshold whose largest
    residual component has at most :data:`FIX_MAX_COLS` candidates is used (the last one
    otherwise). Where the LP solution is integral the result is that solution.

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows x columns, 0/1; every row has a column.
    cost : numpy.ndarray
        Cost per column (>= 0).
    x : numpy.ndarray
        LP relaxation solution per column (0 .. 1).
    seconds : float
        Time allowed for the residual solves.
    solve : callable
        Exact (or time-limited) solver for one component, see :data:`SolveFn`.

    Returns
    -------
    numpy.ndarray
        Boolean per column: a cover of every row, redundant columns pruned.
    """
    start = time.perf_counter()
    for threshold in FIX_THRESHOLDS:  # at most a few thresholds
        fixed, keep, sub = _residual(a, x, threshold)
        if sub.shape[0] == 0:
            break
        red = reduce_cover(sub, cost[keep], set_cover=True)
        if red.matrix.shape[0] == 0 or components(red.matrix).n_cols.max() <= FIX_MAX_COLS:
            break
    chosen = np.zeros(a.shape[1], dtype=bool)
    chosen[fixed] = True
    if sub.shape[0]:
        rcost = cost[keep]
        red = reduce_cover(sub, rcost, set_cover=True)
        chosen[keep[red.forced]] = True
        if red.matrix.shape[0]:
            comps = components(red.matrix)
            rows_of, cols_of = comps.members()
            order = np.argsort(comps.n_pairs, kind="stable")
            pairs_left = float(comps.n_pairs.sum())
            for k in order:  # one solve per residual component
                cols = cols_of[k]
                part = sparse.csr_array(red.matrix[rows_of[k]][:, cols])
                c = rcost[red.cols[cols]]
                left = seconds - (time.perf_counter() - start)
                share = max(left, 0.0) * float(comps.n_pairs[k]) / max(pairs_left, 1.0)
                pairs_left -= float(comps.n_pairs[k])
                got = solve(part, c, share) if len(cols) > 1 else np.ones(1, dtype=bool)
                if got is None or not ((part @ got.astype(np.int64)) > 0).all():
                    got = greedy_cover(part, c)
                chosen[keep[red.cols[cols[got]]]] = True
    return prune_cover(a, chosen, cost)
