"""Private covering reductions (forced, dominated rows and columns) and independent components."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

MAX_PRODUCT_NNZ = 30_000_000
"""Technical setting: largest sparse product (A A^T or A^T A) a dominance test may form."""
MAX_ROUNDS = 25
"""Technical setting: rounds of reductions at most (each round is vectorised)."""


@dataclass(frozen=True)
class Reduced:
    """A covering matrix after reductions.

    Attributes
    ----------
    rows, cols : numpy.ndarray
        Positions (in the matrix given) of the rows and columns left.
    forced : numpy.ndarray
        Positions of the columns every optimum may take (singleton rows; set covering only).
    matrix : scipy.sparse.csr_array
        The matrix restricted to ``rows`` x ``cols`` (0/1).
    rounds : int
        Rounds of reductions run.
    """

    rows: np.ndarray
    cols: np.ndarray
    forced: np.ndarray
    matrix: sparse.csr_array
    rounds: int


def binary(matrix: sparse.csr_array | sparse.csr_matrix) -> sparse.csr_array:
    """Return the 0/1 pattern of a sparse matrix as a canonical CSR array (int32 data)."""
    out = sparse.csr_array(matrix, copy=True)
    out.sum_duplicates()
    out.eliminate_zeros()
    out.data = np.ones(len(out.data), dtype=np.int32)
    return out


def _subset_pairs(a: sparse.csr_array) -> tuple[np.ndarray, np.ndarray] | None:
    """Pairs (r, s) of distinct rows of ``a`` with set(r) a subset of set(s), or None if too big."""
    deg = np.diff(a.indptr)
    col_deg = np.bincount(a.indices, minlength=a.shape[1])
    if int((col_deg.astype(np.int64) ** 2).sum()) > MAX_PRODUCT_NNZ:
        return None
    prod = sparse.coo_array(a @ a.T)
    off = prod.row != prod.col
    r, s, n = prod.row[off], prod.col[off], prod.data[off]
    sub = n == deg[r]
    return r[sub].astype(np.int64), s[sub].astype(np.int64)


def dominated_rows(a: sparse.csr_array) -> np.ndarray:
    """Rows whose column set contains another row's (covering that row covers them).

    Of identical rows the first is kept. Returns a boolean mask over the rows.
    """
    drop = np.zeros(a.shape[0], dtype=bool)
    found = _subset_pairs(a)
    if found is None:
        return drop
    small, big = found  # set(small) is a subset of set(big): big is dominated
    deg = np.diff(a.indptr)
    strict = (deg[big] > deg[small]) | (big > small)
    drop[big[strict]] = True
    return drop


def dominated_cols(a: sparse.csr_array, cost: np.ndarray) -> np.ndarray:
    """Columns covering a subset of another column's rows at no lower cost.

    Of identical columns at the same cost the first is kept, so every dropped column has a
    kept column covering at least its rows at no more cost. Returns a boolean mask.
    """
    drop = np.zeros(a.shape[1], dtype=bool)
    found = _subset_pairs(sparse.csr_array(a.T))
    if found is None:
        return drop
    small, big = found  # rows of small are rows of big: small may be dominated
    deg = np.bincount(a.indices, minlength=a.shape[1])
    cheaper = cost[big] <= cost[small]
    strict = (deg[big] > deg[small]) | (cost[big] < cost[small]) | (big < small)
    drop[small[cheaper & strict]] = True
    return drop


def reduce_cover(matrix: sparse.csr_array, cost: np.ndarray, *, set_cover: bool) -> Reduced:
    """Shrink a covering problem without changing its optimum value.

    Set covering (``set_cover``): rows with one column force it (rows it covers drop out),
    rows containing another row's columns drop out, dominated columns drop out; repeated
    until nothing changes. Maximal covering: dominated columns only (every column counts one
    against p, ``cost`` is ignored), and rows keep their weights.

    Parameters
    ----------
    matrix : scipy.sparse.csr_array
        Rows (demands) x columns (candidates); stored entries are the coverage pairs.
    cost : numpy.ndarray
        Cost per column (set covering).
    set_cover : bool
        Set covering (True) or maximal covering (False).

    Returns
    -------
    Reduced
        Rows, columns and forced columns, with the reduced matrix.
    """
    a = binary(matrix)
    rows = np.arange(a.shape[0])
    cols = np.arange(a.shape[1])
    forced: list[np.ndarray] = []
    cost = np.asarray(cost, dtype=float) if set_cover else np.ones(a.shape[1])
    rounds = 0
    for rounds in range(1, MAX_ROUNDS + 1):  # noqa: B007 - rounds is reported
        n_before = a.shape[0] + a.shape[1]
        keep_r = np.ones(a.shape[0], dtype=bool)
        if set_cover:
            single = np.flatnonzero(np.diff(a.indptr) == 1)
            if len(single):
                force = np.unique(a.indices[a.indptr[single]])
                forced.append(cols[force])
                hit = np.zeros(a.shape[1], dtype=bool)
                hit[force] = True
                keep_r &= ~(a @ hit.astype(np.int32) > 0)
                a = a[keep_r]
                rows = rows[keep_r]
            drop_r = dominated_rows(a)
            a, rows = a[~drop_r], rows[~drop_r]
        drop_c = dominated_cols(a, cost[cols])
        drop_c |= np.bincount(a.indices, minlength=a.shape[1]) == 0
        keep_c = np.flatnonzero(~drop_c)
        a = sparse.csr_array(a[:, keep_c])
        cols = cols[keep_c]
        if not set_cover or a.shape[0] == 0 or a.shape[0] + a.shape[1] == n_before:
            break
    a.sort_indices()
    done = np.unique(np.concatenate(forced)) if forced else np.zeros(0, dtype=np.int64)
    return Reduced(rows, cols, done, a, rounds)


@dataclass(frozen=True)
class Components:
    """Connected components of the bipartite (row, column) coverage graph.

    Attributes
    ----------
    n : int
        Number of components.
    row_label, col_label : numpy.ndarray
        Component of each row and each column.
    n_rows, n_cols, n_pairs : numpy.ndarray
        Rows, columns and stored entries per component.
    """

    n: int
    row_label: np.ndarray
    col_label: np.ndarray
    n_rows: np.ndarray
    n_cols: np.ndarray
    n_pairs: np.ndarray

    def members(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Rows and columns of each component (positions, ascending)."""
        return _groups(self.row_label, self.n), _groups(self.col_label, self.n)


def _groups(label: np.ndarray, n: int) -> list[np.ndarray]:
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(n + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(n)]


def components(a: sparse.csr_array) -> Components:
    """Split a coverage matrix into independent components (``connected_components``).

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows x columns; every row and column has at least one entry.

    Returns
    -------
    Components
        Labels and sizes.
    """
    n_r = a.shape[0]
    graph = sparse.block_array([[None, a], [sparse.csr_array(a.T), None]], format="csr")
    n, labels = csgraph.connected_components(graph, directed=False)
    row_label, col_label = labels[:n_r], labels[n_r:]
    coo = sparse.coo_array(a)
    return Components(
        n=int(n),
        row_label=row_label,
        col_label=col_label,
        n_rows=np.bincount(row_label, minlength=n),
        n_cols=np.bincount(col_label, minlength=n),
        n_pairs=np.bincount(row_label[coo.row], minlength=n),
    )
