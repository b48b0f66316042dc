"""CSR road graphs: build from edge arrays, sum along shortest-path trees, bounded Dijkstra."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

BATCH_CELLS = 12_000_000
"""Cells (sources x nodes) of one bounded Dijkstra batch: about 100 MB of float64."""

STRAIGHT_SLACK = 1.01
"""Margin on straight-line pruning radii for the metric projection's scale error (< 0.1 %)."""

_TILE_SOURCES = 32
"""Sources searched together in one subgraph window by the bounded matrix."""


@dataclass
class Csr:
    """Directed graph in CSR form with the primary weight and the other measure per edge.

    The two measures are travel time (seconds) and network distance (metres), either way round.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``n x n`` matrix of the primary weight (explicit zeros are edges of no cost).
    other : numpy.ndarray
        The other measure per stored edge, aligned with ``keys``.
    keys : numpy.ndarray
        ``tail * n + head`` per stored edge, sorted.
    n : int
        Number of nodes.
    """

    matrix: sparse.csr_matrix
    other: np.ndarray
    keys: np.ndarray  # tail * n + head, sorted, aligned with ``other``
    n: int

    def other_of(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Look up the other measure on edges ``tail -> head`` (which must exist)."""
        pos = np.searchsorted(self.keys, tail.astype(np.int64) * self.n + head)
        return self.other[pos]

    def subgraph(self, idx: np.ndarray, lookup: np.ndarray) -> Csr:
        """Induced subgraph on the sorted node indices ``idx``; ``lookup`` maps them to 0..k-1."""
        indptr, head, data, other, keys = self.sub_arrays(idx, lookup)
        k = len(idx)
        sub = sparse.csr_matrix((data, head, indptr), shape=(k, k))
        return Csr(matrix=sub, other=other, keys=keys, n=k)

    def sub_arrays(self, idx: np.ndarray, lookup: np.ndarray) -> tuple[np.ndarray, ...]:
        """CSR arrays of the induced subgraph: indptr, indices, data, other measure, keys."""
        m = self.matrix
        starts, ends = m.indptr[idx], m.indptr[idx + 1]
        counts = ends - starts
        total = int(counts.sum())
        eid = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        head = lookup[m.indices[eid]]
        keep = head >= 0
        tail = np.repeat(np.arange(len(idx)), counts)[keep]
        head = head[keep]
        eid = eid[keep]
        k = len(idx)
        indptr = np.zeros(k + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail, minlength=k), out=indptr[1:])
        keys = tail.astype(np.int64) * k + head
        return indptr, head.astype(np.int32), m.data[eid], self.other[eid], keys


def build_csr(tail: np.ndarray, head: np.ndarray, w: np.ndarray, other: np.ndarray, n: int) -> Csr:
    """CSR matrix keeping, of parallel edges, the one of least ``w`` (explicit zeros kept).

    Parameters
    ----------
    tail, head : numpy.ndarray
        Node indices of every directed edge.
    w, other : numpy.ndarray
        Primary weight and other measure per edge (seconds or metres); edges where either is
        not finite are dropped (a direction the mode may not use).
    n : int
        Number of nodes.

    Returns
    -------
    Csr
        The graph.
    """
    ok = np.isfinite(w) & np.isfinite(other)  # a direction the mode may not use has no time
    tail, head, w, other = tail[ok], head[ok], w[ok], other[ok]
    keys = tail.astype(np.int64) * n + head
    order = np.lexsort((w, keys))
    tail, head, w, other, keys = tail[order], head[order], w[order], other[order], keys[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    tail, head, w, other, keys = tail[first], head[first], w[first], other[first], keys[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    matrix = sparse.csr_matrix((w, head.astype(np.int32), indptr), shape=(n, n))
    return Csr(matrix=matrix, other=other, keys=keys, n=n)


def tree_sums(pred: np.ndarray, g: Csr) -> np.ndarray:
    """Sum the other measure from every node back to its tree root (pointer jumping).

    ``pred`` is a 1-D predecessor array (negative for roots and unreached nodes); each node's
    step is the other measure of edge ``pred -> node``. Runs in O(n log depth) numpy steps.
    """
    has = np.flatnonzero(pred >= 0)
    acc = np.zeros(len(pred))
    acc[has] = g.other_of(pred[has], has)
    anc = np.where(pred >= 0, pred, -1).astype(np.int64)
    active = has
    while len(active):
        up = anc[active]
        acc_up, anc_up = acc[up], anc[up]
        acc[active] += acc_up
        anc[active] = anc_up
        active = active[anc_up >= 0]
    return acc


def nearest_source(g: Csr, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multi-source Dijkstra: the nearest source of every node and both measures to it.

    Parameters
    ----------
    g : Csr
        Graph (primary weight seconds or metres).
    sources : numpy.ndarray
        Source node indices.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Per node: the primary measure (inf where unreached), the other measure along the same
        path (NaN where unreached) and the source node index (negative where unreached).
    """
    dist, pred, src = csgraph.dijkstra(
        g.matrix, directed=True, indices=sources, min_only=True, return_predecessors=True
    )
    ok = np.isfinite(dist)
    other = np.full(len(dist), np.nan)
    other[ok] = tree_sums(pred, g)[ok]
    return dist, other, src


def walk_back(pred: np.ndarray, rows: np.ndarray, nodes: np.ndarray, g: Csr) -> np.ndarray:
    """Sum the other measure along predecessor chains from ``nodes`` back to the sources.

    ``pred`` is 1-D (one tree) or 2-D (one tree per row); the chain of a node follows
    ``pred[row, node]`` and each step adds the other measure of edge ``pred -> node``.
    """
    two_d = pred.ndim == 2
    cur = nodes.astype(np.int64).copy()
    acc = np.zeros(len(cur))

    def parent(sel: np.ndarray) -> np.ndarray:
        return pred[rows[sel], cur[sel]] if two_d else pred[cur[sel]]

    active = np.flatnonzero(parent(np.arange(len(cur))) >= 0)
    while len(active):
        p = parent(active)
        acc[active] += g.other_of(p, cur[active])
        cur[active] = p
        active = active[parent(active) >= 0]
    return acc


def bounded(  # noqa: PLR0917 - private helper with positional query arrays
    g: Csr,
    xy: np.ndarray,
    sources: np.ndarray,
    pair_src: np.ndarray,
    pair_dst: np.ndarray,
    limit: float,
    reach_m: float,
    *,
    other: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Bounded Dijkstra from every source, read at the pairs' destinations.

    Sources are grouped in square tiles; each tile searches only the subgraph of nodes within
    ``reach_m`` metres (straight line, metric ``xy``) of its sources. This is exact because no
    path within ``limit`` leaves that window: its length (network metres) is at most ``reach_m``
    and a path never runs shorter than the straight line.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The primary measure per pair (NaN beyond ``limit``) and, with ``other=True``, the other
        measure along the same route (else NaN).
    """
    n = len(xy)
    prim = np.full(len(pair_src), np.nan)
    oth = np.full(len(pair_src), np.nan)
    sxy = xy[sources]
    # tiles holding about _TILE_SOURCES sources each (never smaller than the search reach)
    span = np.ptp(sxy, axis=0) if len(sxy) else np.zeros(2)
    area = max(float(span[0] * span[1]), 1.0)
    cell = max(reach_m, 1000.0, float(np.sqrt(area * _TILE_SOURCES / max(len(sources), 1))))
    tiles = np.floor(sxy / cell).astype(np.int64)
    tile_order = np.lexsort((tiles[:, 1], tiles[:, 0]))
    tkeys = tiles[tile_order]
    cut = np.flatnonzero(np.any(tkeys[1:] != tkeys[:-1], axis=1)) + 1
    groups = np.split(tile_order, cut)
    pair_order = np.argsort(pair_src, kind="stable")
    pstart = np.searchsorted(pair_src[pair_order], np.arange(len(sources)))
    pstop = np.searchsorted(pair_src[pair_order], np.arange(len(sources)), side="right")
    by_x = np.argsort(xy[:, 0], kind="stable")
    xs = xy[by_x, 0]
    lookup = np.full(n, -1, dtype=np.int64)
    for group in groups:
        lo_xy = sxy[group].min(axis=0) - reach_m
        hi_xy = sxy[group].max(axis=0) + reach_m
        cand = by_x[np.searchsorted(xs, lo_xy[0]) : np.searchsorted(xs, hi_xy[0], side="right")]
        y = xy[cand, 1]
        idx = np.sort(cand[(y >= lo_xy[1]) & (y <= hi_xy[1])])
        lookup[idx] = np.arange(len(idx))
        sub = g.subgraph(idx, lookup)
        chunk = max(1, BATCH_CELLS // max(len(idx), 1))
        for c0 in range(0, len(group), chunk):
            srcs = group[c0 : c0 + chunk]
            counts = pstop[srcs] - pstart[srcs]
            total = int(counts.sum())
            if total == 0:
                continue
            pos = np.repeat(pstart[srcs] - np.cumsum(counts) + counts, counts) + np.arange(total)
            pairs = pair_order[pos]
            rows = np.repeat(np.arange(len(srcs)), counts)
            cols = lookup[pair_dst[pairs]]
            inside = cols >= 0
            res = csgraph.dijkstra(
                sub.matrix, indices=lookup[sources[srcs]], limit=limit, return_predecessors=other
            )
            dist = res[0] if other else res
            val = np.full(total, np.inf)
            val[inside] = dist[rows[inside], cols[inside]]
            ok = np.isfinite(val)
            prim[pairs[ok]] = val[ok]
            if other and ok.any():
                oth[pairs[ok]] = walk_back(res[1], rows[ok], cols[ok], sub)
        lookup[idx] = -1
    return prim, oth


def candidate_pairs(
    o_pts: np.ndarray, d_pts: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (origin, destination) whose straight-line distance is at most ``radius`` metres.

    Parameters
    ----------
    o_pts, d_pts : numpy.ndarray
        Origins and destinations in a metric CRS (metres): Points or ``(k, 2)`` coordinates.
    radius : float
        Radius in metres; ``inf`` gives every pair.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Origin and destination positions of the pairs (int64).
    """
    o_xy, d_xy = (shapely.get_coordinates(p) if p.dtype == object else p for p in (o_pts, d_pts))
    if not np.isfinite(radius):
        oi, di = np.meshgrid(np.arange(len(o_xy)), np.arange(len(d_xy)), indexing="ij")
        return oi.ravel(), di.ravel()
    pairs = cKDTree(o_xy).sparse_distance_matrix(cKDTree(d_xy), radius, output_type="ndarray")
    return pairs["i"].astype(np.int64), pairs["j"].astype(np.int64)


def pair_measures(  # noqa: PLR0917 - private helper with positional query arrays
    g_t: Csr,
    g_m: Csr,
    xy: np.ndarray,
    sources: np.ndarray,
    pair_src: np.ndarray,
    pair_dst: np.ndarray,
    *,
    max_s: float | None,
    max_m: float | None,
    reach_s: float,
    len_limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Network distance and travel time of source-destination pairs within the limits.

    With both limits each measure is minimised on its own (possibly different routes); with
    one, the other measure is read along the route found.

    Parameters
    ----------
    g_t, g_m : Csr
        The graph weighted by seconds and by metres.
    xy : numpy.ndarray
        Metric coordinates of every node (metres).
    sources : numpy.ndarray
        Source node indices; ``pair_src`` indexes them, ``pair_dst`` are destination nodes.
    pair_src, pair_dst : numpy.ndarray
        The pairs.
    max_s, max_m : float or None
        Time limit (seconds) and distance limit (metres); at least one is given.
    reach_s : float
        Straight-line search reach in metres of the time search.
    len_limit : float
        Distance bound in metres of the distance search (``max_m`` or one derived from time).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Metres and seconds per pair; NaN beyond the limits.
    """
    args = (xy, sources, pair_src, pair_dst)
    if max_s is not None and max_m is not None:
        res_s, _ = bounded(g_t, *args, float(max_s), reach_s)
        res_m, _ = bounded(g_m, *args, len_limit, len_limit * STRAIGHT_SLACK)
    elif max_s is not None:
        res_s, res_m = bounded(g_t, *args, float(max_s), reach_s, other=True)
    else:
        res_m, res_s = bounded(g_m, *args, len_limit, len_limit * STRAIGHT_SLACK, other=True)
    return res_m, res_s
