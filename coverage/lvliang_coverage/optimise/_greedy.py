"""Private greedy incumbents: covering greedy, maximal-covering greedy, pruning, an LP bound."""

from __future__ import annotations

import heapq

import numpy as np
from scipy import optimize, sparse


def _col_rows(a: sparse.csr_array) -> sparse.csr_array:
    """Columns as rows (the transpose in CSR), to read the rows each column covers."""
    return sparse.csr_array(a.T)


def greedy_cover(
    a: sparse.csr_array, cost: np.ndarray, *, first: np.ndarray | None = None
) -> np.ndarray:
    """Covering greedy: open the column covering most uncovered rows per cost until all are.

    Lazy evaluation (a heap of stale ratios, re-checked when popped): one step per column
    opened. Every row must have a column.

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows x columns, 0/1.
    cost : numpy.ndarray
        Cost per column (any unit, >= 0).
    first : numpy.ndarray, optional
        Columns opened before the greedy starts (e.g. an LP solution rounded up).

    Returns
    -------
    numpy.ndarray
        Boolean per column: open; redundant columns pruned (:func:`prune_cover`).
    """
    n_r, n_c = a.shape
    t = _col_rows(a)
    chosen = np.zeros(n_c, dtype=bool)
    uncovered = np.ones(n_r, dtype=bool)
    if first is not None and len(first):
        chosen[first] = True
        uncovered[t[first].indices] = False
    left = int(uncovered.sum())
    gain = t @ uncovered.astype(np.int64)
    scale = np.maximum(cost, 1e-12)
    heap = [(-g / s, int(j)) for j, (g, s) in enumerate(zip(gain, scale, strict=True)) if g > 0]
    heapq.heapify(heap)
    while left > 0 and heap:  # one step per column opened (plus stale re-checks)
        _, j = heapq.heappop(heap)
        mine = t.indices[t.indptr[j] : t.indptr[j + 1]]
        new = mine[uncovered[mine]]
        if len(new) == 0:
            continue
        ratio = len(new) / scale[j]
        if heap and ratio < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-ratio, j))
            continue
        chosen[j] = True
        uncovered[new] = False
        left -= len(new)
    return prune_cover(a, chosen, cost)


def prune_cover(a: sparse.csr_array, chosen: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Close open columns whose rows all have another open column, costliest first.

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows x columns, 0/1.
    chosen : numpy.ndarray
        Boolean per column: open (a cover).
    cost : numpy.ndarray
        Cost per column.

    Returns
    -------
    numpy.ndarray
        A cover with no redundant column.
    """
    out = chosen.copy()
    t = _col_rows(a)
    count = a @ out.astype(np.int64)
    open_cols = np.flatnonzero(out)
    for j in open_cols[np.argsort(-cost[open_cols], kind="stable")]:  # one step per open column
        mine = t.indices[t.indptr[j] : t.indptr[j + 1]]
        if (count[mine] >= 2).all():
            out[j] = False
            count[mine] -= 1
    return out


def greedy_max_cover(a: sparse.csr_array, weight: np.ndarray, p_max: int) -> np.ndarray:
    """Maximal-covering greedy: open, one at a time, the column adding most weight.

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows x columns, 0/1.
    weight : numpy.ndarray
        Weight per row (residents), > 0.
    p_max : int
        Columns to open at most.

    Returns
    -------
    numpy.ndarray
        Columns in the order opened (stops early when nothing more is gained); the first k
        are the greedy plan for p = k.
    """
    t = _col_rows(a)
    uncovered = np.ones(a.shape[0], dtype=bool)
    gain = t @ weight
    heap = [(-float(g), int(j)) for j, g in enumerate(gain) if g > 0]
    heapq.heapify(heap)
    order: list[int] = []
    while len(order) < p_max and heap:  # one step per column opened (plus stale re-checks)
        _, j = heapq.heappop(heap)
        mine = t.indices[t.indptr[j] : t.indptr[j + 1]]
        new = mine[uncovered[mine]]
        g = float(weight[new].sum())
        if g <= 0:
            continue
        if heap and g < -heap[0][0] - 1e-9 * max(g, 1.0):
            heapq.heappush(heap, (-g, j))
            continue
        order.append(j)
        uncovered[new] = False
    return np.asarray(order, dtype=np.int64)


def cover_lp(
    a: sparse.csr_array, cost: np.ndarray, time_limit_s: float
) -> tuple[float, np.ndarray | None]:
    """LP relaxation of set covering (HiGHS interior point): lower bound and solution.

    Returns ``(bound, x)``; ``(-inf, None)`` when the LP did not finish in time.
    """
    res = optimize.linprog(
        cost,
        A_ub=-sparse.csr_array(a, dtype=float),
        b_ub=-np.ones(a.shape[0]),
        bounds=(0.0, 1.0),
        method="highs-ipm",  # interior point: far faster than simplex on these LPs
        options={"time_limit": max(time_limit_s, 1e-3)},
    )
    if res.status != 0 or res.x is None:
        return -np.inf, None
    return float(res.fun), np.asarray(res.x, dtype=float)


def max_cover_lp(a: sparse.csr_array, weight: np.ndarray, p: int, time_limit_s: float) -> float:
    """LP relaxation of maximal covering for ``p`` columns: an upper bound (inf if not in time)."""
    n_r, n_c = a.shape
    # Variables y (columns) | z (rows): z_i <= sum_j a_ij y_j, sum y <= p, maximise w z.
    cover = sparse.hstack([-sparse.csr_array(a, dtype=float), sparse.eye_array(n_r)], format="csr")
    count = sparse.csr_array(np.concatenate([np.ones(n_c), np.zeros(n_r)])[None, :])
    res = optimize.linprog(
        np.concatenate([np.zeros(n_c), -weight]),
        A_ub=sparse.vstack([cover, count], format="csr"),
        b_ub=np.concatenate([np.zeros(n_r), [float(p)]]),
        bounds=(0.0, 1.0),
        method="highs-ipm",  # interior point: far faster than simplex on these LPs
        options={"time_limit": max(time_limit_s, 1e-3)},
    )
    if res.status != 0 or res.x is None:
        return np.inf
    return -float(res.fun)
