"""Queries on the base CSR with query points joined by source rows: nearest and bounded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from lvliang_coverage.network._csr import BATCH_CELLS, Csr, walk_back

if TYPE_CHECKING:
    from lvliang_coverage.network.routing import TravelNetwork

END_FRACTION = 1e-9
"""Join points this close (as a fraction of the road) to a road end are taken to be at it."""

TILE_REACH = 2.0
"""Side of a tile of sources in search reaches (technical setting, measured at 100k nodes: each
search initialises its whole window, so windows stay a few times the searched area)."""

TILE_SOURCES = 16
"""Fewest sources a tile aims at where sources are dense (fewer, larger windows)."""


@dataclass
class Extended(Csr):
    """A CSR graph with extra source rows appended (no re-sort of the base graph's edges).

    Rows ``n_base .. n - 1`` are virtual sources (query points) whose edges lead to base nodes;
    nothing leads to them. ``keys`` and ``other`` are the base graph's (with ``n_base``).

    Attributes
    ----------
    n_base : int
        Nodes of the base graph.
    x_indptr, x_head, x_other : numpy.ndarray
        The extra rows' edges: start per row (``len = rows + 1``), head node, other measure.
    """

    n_base: int = 0
    x_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    x_head: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    x_other: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def other_of(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Look up the other measure on edges ``tail -> head`` (which must exist)."""
        out = np.empty(len(tail))
        base = tail < self.n_base
        if base.any():
            keys = tail[base].astype(np.int64) * self.n_base + head[base]
            out[base] = self.other[np.searchsorted(self.keys, keys)]
        if not base.all():
            row = tail[~base] - self.n_base
            pos = self.x_indptr[row]
            pos = np.where(self.x_head[pos] == head[~base], pos, pos + 1)  # rows of <= 2 edges
            out[~base] = self.x_other[pos]
        return out


def extend(
    g: Csr | tuple[np.ndarray, ...], ends: np.ndarray, w: np.ndarray, o: np.ndarray
) -> Extended:
    """Append one source row per query point with edges to two base nodes (its road's ends).

    Parameters
    ----------
    g : Csr or tuple
        Base graph (seconds or metres), or its arrays as :meth:`Csr.sub_arrays` gives them.
    ends : numpy.ndarray
        ``(k, 2)`` base node indices of each point's two road ends; negative: no such edge.
    w : numpy.ndarray
        ``(k, 2)`` primary weight of the point's edges to its ``ends``; inf or NaN means no
        such edge (a direction the mode may not use).
    o : numpy.ndarray
        ``(k, 2)`` other measure on those edges.

    Returns
    -------
    Extended
        The graph with ``n + k`` nodes for a base of ``n``; point ``i`` is node ``n + i``.
    """
    if isinstance(g, Csr):
        m = g.matrix
        indptr, indices, data, other, keys, n0 = m.indptr, m.indices, m.data, g.other, g.keys, g.n
    else:
        indptr, indices, data, other, keys = g
        n0 = len(indptr) - 1
    k = len(ends)
    ok = (ends >= 0) & np.isfinite(w)
    loop = ok.all(axis=1) & (ends[:, 0] == ends[:, 1])  # both ends at one node: the cheaper
    ok[loop, np.where(w[loop, 1] < w[loop, 0], 0, 1)] = False
    swap = ends[:, 1] < ends[:, 0]  # heads sorted within a row
    cols = np.where(swap[:, None], [1, 0], [0, 1])
    rows = np.arange(k)[:, None]
    ok, ends, w, o = ok[rows, cols], ends[rows, cols], w[rows, cols], o[rows, cols]
    heads = ends[ok]
    x_indptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(ok.sum(axis=1), out=x_indptr[1:])
    nnz = int(indptr[-1])
    n = n0 + k
    matrix = sparse.csr_matrix(
        (
            np.concatenate([data, w[ok]]),
            np.concatenate([indices, heads.astype(indices.dtype)]),
            np.concatenate([indptr, nnz + x_indptr[1:]]),
        ),
        shape=(n, n),
    )
    return Extended(
        matrix=matrix,
        other=other,
        keys=keys,
        n=n,
        n_base=n0,
        x_indptr=x_indptr,
        x_head=heads.astype(np.int64),
        x_other=o[ok].astype(float),
    )


@dataclass(frozen=True)
class Joins:
    """Query points joined to roads: their road's two end nodes and the costs to and from them.

    Costs are in the primary measure (seconds or metres) with the other measure beside them;
    they include the off-road leg and the part of the road between the join point and the end,
    inf where the mode may not travel that way. Column 0 is road end a, column 1 end b.

    Attributes
    ----------
    ends : numpy.ndarray
        ``(k, 2)`` node indices of the road ends.
    out_w, out_o : numpy.ndarray
        ``(k, 2)`` primary and other measure from the point to each end.
    in_w, in_o : numpy.ndarray
        ``(k, 2)`` primary and other measure from each end to the point.
    """

    ends: np.ndarray
    out_w: np.ndarray
    out_o: np.ndarray
    in_w: np.ndarray
    in_o: np.ndarray

    def take(self, idx: np.ndarray) -> Joins:
        """Return the joins of the points ``idx`` (positions)."""
        return Joins(
            self.ends[idx], self.out_w[idx], self.out_o[idx], self.in_w[idx], self.in_o[idx]
        )


def _best_of(via: np.ndarray, direct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least of the two ``via`` columns and ``direct`` per row, and which (0, 1 or 2 direct)."""
    cand = np.column_stack([via, direct])
    choice = np.argmin(cand, axis=1)
    return cand[np.arange(len(cand)), choice], choice


def unique_inverse(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique values of an integer array and the position of each element among them.

    Same as ``numpy.unique(a, return_inverse=True)`` on 1-D ``a``, by one stable sort.
    """
    order = np.argsort(a, kind="stable")
    s = a[order]
    new = np.r_[True, s[1:] != s[:-1]] if len(s) else np.zeros(0, dtype=bool)
    inv = np.empty(len(a), dtype=np.int64)
    inv[order] = np.cumsum(new) - 1
    return s[new], inv


def tree_steps(g: Extended, pred: np.ndarray) -> np.ndarray:
    """Other measure of every node's edge in a shortest-path tree (0 at roots, unreached).

    One vectorised pass over the edges: edge ``t -> h`` is ``h``'s tree edge when
    ``pred[h] == t`` (parallel edges were merged when the graph was built).
    """
    m = g.matrix
    tail = np.repeat(np.arange(g.n, dtype=np.int32), np.diff(m.indptr))
    head = m.indices
    tree = pred[head] == tail
    step = np.zeros(g.n)
    other = np.concatenate([g.other, g.x_other])
    step[head[tree]] = other[tree]
    return step


def path_sums(pred: np.ndarray, step: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Sum ``step`` along the predecessor chains from ``nodes`` back to their roots."""
    cur = nodes.astype(np.int64)
    acc = np.zeros(len(cur))
    active = np.arange(len(cur))
    while len(active):
        at = cur[active]
        acc[active] += step[at]
        up = pred[at]
        cur[active] = up
        active = active[up >= 0]
    return acc


def nearest_joined(
    g: Csr, targets: Joins, origins: Joins, direct: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest target of every origin point: one multi-source Dijkstra on the base graph.

    Every target becomes one source row appended to the REVERSED base graph ``g`` (see
    :func:`extend`), with edges to its road's ends weighted by the trip from that end to the
    target. An origin's answer is the best of its two road ends (search distance plus the trip
    from the origin to the end) and of the targets on its own road (``direct``).

    Parameters
    ----------
    g : Csr
        Reversed base graph (seconds or metres).
    targets, origins : Joins
        The targets' and the origins' joins (same primary measure as ``g``).
    direct : (numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Origin and target position, primary and other measure of every origin-target pair on
        one road, travelled along it (inf where the direction is closed).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Per origin: primary measure (inf where no target is reachable), other measure along the
        same route (NaN where unreachable) and the target position (-1 where unreachable).
    """
    n_t, n_o = len(targets.ends), len(origins.ends)
    ext = extend(g, targets.ends, targets.in_w, targets.in_o)
    dist, pred, src = csgraph.dijkstra(
        ext.matrix,
        directed=True,
        indices=g.n + np.arange(n_t),
        min_only=True,
        return_predecessors=True,
    )
    via = dist[origins.ends] + origins.out_w
    best = np.full(n_o, np.inf)
    d_t = np.full(n_o, -1, dtype=np.int64)
    d_w = np.full(n_o, np.inf)
    d_o = np.full(n_o, np.nan)
    d_oi, d_ti, w_dir, o_dir = direct
    if len(d_oi):
        order = np.lexsort((w_dir, d_oi))
        first = np.r_[True, d_oi[order][1:] != d_oi[order][:-1]]
        pick = order[first]
        d_w[d_oi[pick]], d_o[d_oi[pick]], d_t[d_oi[pick]] = w_dir[pick], o_dir[pick], d_ti[pick]
    best, choice = _best_of(via, d_w)
    ok = np.isfinite(best)
    end = np.where(choice == 1, origins.ends[:, 1], origins.ends[:, 0])
    use_end = ok & (choice < 2)
    other = np.full(n_o, np.nan)
    target = np.full(n_o, -1, dtype=np.int64)
    if use_end.any():
        rows = np.flatnonzero(use_end)
        back = path_sums(pred, tree_steps(ext, pred), end[rows])
        other[rows] = back + origins.out_o[rows, choice[rows]]
        target[rows] = src[end[rows]] - g.n
    direct_rows = ok & (choice == 2)
    other[direct_rows] = d_o[direct_rows]
    target[direct_rows] = d_t[direct_rows]
    return best, other, target


def bounded_joined(  # noqa: PLR0917 - private helper with positional query arrays
    g: Csr,
    xy: np.ndarray,
    sources: Joins,
    src_xy: np.ndarray,
    pair_src: np.ndarray,
    pair_dst: Joins,
    direct: tuple[np.ndarray, np.ndarray],
    limit: float,
    reach_m: float,
    *,
    other: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Bounded searches from query points on windows of the base graph, read at the pairs.

    Sources are grouped in square tiles; each tile searches only the subgraph of nodes within
    ``reach_m`` metres (straight line, metric ``xy``) of its source points, with one source row
    per point appended (see :func:`extend`), so nothing is inserted into the whole network.
    This is exact because no path within ``limit`` leaves that window: its length (network
    metres) is at most ``reach_m`` and a path never runs shorter than the straight line. A
    pair's measure is the best of the destination's two road ends (search distance plus the
    trip from the end to the destination) and of the direct trip along a shared road.

    Parameters
    ----------
    g : Csr
        Forward base graph (seconds or metres).
    xy : numpy.ndarray
        Metric coordinates of the base nodes (metres).
    sources : Joins
        Joins of the source points; ``src_xy`` their metric coordinates.
    pair_src : numpy.ndarray
        Source position of every pair.
    pair_dst : Joins
        Joins of every pair's destination (one row per pair).
    direct : (numpy.ndarray, numpy.ndarray)
        Primary and other measure of every pair along a shared road (inf where none).
    limit : float
        Search limit in the primary measure.
    reach_m : float
        Straight-line search reach in metres.
    other : bool, default False
        Also sum the other measure along the route found.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The primary measure per pair (NaN beyond ``limit``) and, with ``other=True``, the other
        measure along the same route (else NaN).
    """
    n = len(xy)
    prim = np.full(len(pair_src), np.nan)
    oth = np.full(len(pair_src), np.nan)
    span = np.ptp(src_xy, axis=0) if len(src_xy) else np.zeros(2)
    area = max(float(span[0] * span[1]), 1.0)
    dense = float(np.sqrt(area * TILE_SOURCES / max(len(src_xy), 1)))
    cell = max(TILE_REACH * reach_m, 1000.0, dense)
    tiles = np.floor(src_xy / cell).astype(np.int64)
    tile_order = np.lexsort((tiles[:, 1], tiles[:, 0]))
    tkeys = tiles[tile_order]
    cut = np.flatnonzero(np.any(tkeys[1:] != tkeys[:-1], axis=1)) + 1
    pair_order = np.argsort(pair_src, kind="stable")
    ps = pair_src[pair_order]
    pstart = np.searchsorted(ps, np.arange(len(src_xy)))
    pstop = np.searchsorted(ps, np.arange(len(src_xy)), side="right")
    by_x = np.argsort(xy[:, 0], kind="stable")
    xs = xy[by_x, 0]
    lookup = np.full(n, -1, dtype=np.int64)
    for group in np.split(tile_order, cut):
        lo_xy = src_xy[group].min(axis=0) - reach_m
        hi_xy = src_xy[group].max(axis=0) + reach_m
        cand = by_x[np.searchsorted(xs, lo_xy[0]) : np.searchsorted(xs, hi_xy[0], side="right")]
        y = xy[cand, 1]
        idx = np.sort(cand[(y >= lo_xy[1]) & (y <= hi_xy[1])])
        lookup[idx] = np.arange(len(idx))
        sub = g.sub_arrays(idx, lookup)
        chunk = max(1, BATCH_CELLS // max(len(idx) + len(group), 1))
        for c0 in range(0, len(group), chunk):
            srcs = group[c0 : c0 + chunk]
            counts = pstop[srcs] - pstart[srcs]
            total = int(counts.sum())
            if total == 0:
                continue
            pos = np.repeat(pstart[srcs] - np.cumsum(counts) + counts, counts) + np.arange(total)
            pairs = pair_order[pos]
            rows = np.repeat(np.arange(len(srcs)), counts)
            js = sources.take(srcs)
            ext = extend(sub, lookup[js.ends], js.out_w, js.out_o)
            res = csgraph.dijkstra(
                ext.matrix,
                indices=ext.n_base + np.arange(len(srcs)),
                limit=limit,
                return_predecessors=other,
            )
            dist = res[0] if other else res
            cols = lookup[pair_dst.ends[pairs]]
            via = np.where(cols >= 0, dist[rows[:, None], np.maximum(cols, 0)], np.inf)
            val, choice = _best_of(via + pair_dst.in_w[pairs], direct[0][pairs])
            ok = val <= limit
            prim[pairs[ok]] = val[ok]
            if not other or not ok.any():
                continue
            sel = np.flatnonzero(ok & (choice < 2))
            col = cols[sel, choice[sel]]
            oth[pairs[sel]] = (
                walk_back(res[1], rows[sel], col, ext) + pair_dst.in_o[pairs[sel], choice[sel]]
            )
            dsel = np.flatnonzero(ok & (choice == 2))
            oth[pairs[dsel]] = direct[1][pairs[dsel]]
        lookup[idx] = -1
    return prim, oth


def _measures(roads: TravelNetwork, by: str) -> tuple[np.ndarray, ...]:
    """Per road: primary and other measure forward, then backward (NaN where closed)."""
    t_f, t_b, m_f, m_b = roads.time_fwd, roads.time_bwd, roads.len_fwd, roads.len_bwd
    return (t_f, m_f, t_b, m_b) if by == "time" else (m_f, t_f, m_b, t_b)


def _leg(snap: pd.DataFrame, by: str, *, inward: bool) -> tuple[np.ndarray, np.ndarray]:
    """Primary and other measure of the off-road legs (out: point to road; in: road to point)."""
    leg_m = snap["leg_m"].to_numpy(dtype=float)
    leg_s = snap["leg_in_s" if inward else "leg_s"].to_numpy(dtype=float)
    return (leg_s, leg_m) if by == "time" else (leg_m, leg_s)


def road_part(
    roads: TravelNetwork, road: np.ndarray, f0: np.ndarray, f1: np.ndarray, by: str
) -> tuple[np.ndarray, np.ndarray]:
    """Primary and other measure along roads from fraction ``f0`` to ``f1`` (0 at end a).

    A part of a road gets the same share of the road's time as of its length; inf where the
    mode may not travel that way (a part of no length is open when either way is).
    """
    w_f, o_f, w_b, o_b = (m[road] for m in _measures(roads, by))
    open_f = np.isfinite(w_f) & np.isfinite(o_f)
    open_b = np.isfinite(w_b) & np.isfinite(o_b)
    fwd = f1 > f0
    share = np.abs(f1 - f0)
    is_open = np.where(fwd, open_f, open_b) | ((share == 0) & (open_f | open_b))
    with np.errstate(invalid="ignore"):
        w = np.where(fwd, w_f, w_b) * share
        o = np.where(fwd, o_f, o_b) * share
    return np.where(is_open, np.nan_to_num(w), np.inf), np.where(is_open, np.nan_to_num(o), np.nan)


def joins(roads: TravelNetwork, snap: pd.DataFrame, by: str) -> Joins:
    """Costs between snapped points and the two ends of their roads, legs included.

    Parameters
    ----------
    roads : TravelNetwork
        The network the points were snapped to.
    snap : pandas.DataFrame
        Snapping frame (see :meth:`RoadSnapper.snap`).
    by : {"time", "distance"}
        Primary measure (seconds or metres; the other is carried along).

    Returns
    -------
    Joins
        Road ends and costs; a join point within :data:`END_FRACTION` of an end IS that end
        (no cost to or from it, whatever the road's direction), as in :func:`augment`.
    """
    road = snap["edge"].to_numpy().astype(np.int64)
    frac = snap["fraction"].to_numpy(dtype=float)
    ends = np.column_stack([roads.road_a[road], roads.road_b[road]])
    w_f, o_f, w_b, o_b = (m[road] for m in _measures(roads, by))
    open_f = np.isfinite(w_f) & np.isfinite(o_f)
    open_b = np.isfinite(w_b) & np.isfinite(o_b)
    share = np.column_stack([frac, 1.0 - frac])
    at = np.column_stack([frac <= END_FRACTION, frac >= 1.0 - END_FRACTION])
    out_lw, out_lo = _leg(snap, by, inward=False)
    in_lw, in_lo = _leg(snap, by, inward=True)

    def part(
        a_side: np.ndarray, b_side: np.ndarray, is_open: np.ndarray, leg: np.ndarray
    ) -> np.ndarray:
        """Share of the road measure towards end a (column 0) and end b, legs added."""
        with np.errstate(invalid="ignore"):
            val = np.column_stack([a_side, b_side]) * share
        val = np.where(is_open, val, np.inf)
        return np.where(at, 0.0, val) + leg[:, None]

    # to end a runs backward along the road, to end b forward; from an end the other way
    out_open = np.column_stack([open_b, open_f])
    in_open = np.column_stack([open_f, open_b])
    return Joins(
        ends=ends,
        out_w=part(w_b, w_f, out_open, out_lw),
        out_o=part(o_b, o_f, out_open, out_lo),
        in_w=part(w_f, w_b, in_open, in_lw),
        in_o=part(o_f, o_b, in_open, in_lo),
    )


def direct_trips(  # noqa: PLR0917 - private helper with positional pair arrays
    roads: TravelNetwork,
    o_snap: pd.DataFrame,
    d_snap: pd.DataFrame,
    oi: np.ndarray,
    di: np.ndarray,
    by: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Primary and other measure of origin-destination pairs along a road they share.

    Legs included (out of the origin, into the destination); inf (and NaN) where the pair does
    not share a road or the road is closed in the direction from the origin to the destination.
    """
    ro = o_snap["edge"].to_numpy().astype(np.int64)[oi]
    same = ro == d_snap["edge"].to_numpy().astype(np.int64)[di]
    w = np.full(len(oi), np.inf)
    o = np.full(len(oi), np.nan)
    s = np.flatnonzero(same)
    if len(s):
        fo = o_snap["fraction"].to_numpy(dtype=float)[oi[s]]
        fd = d_snap["fraction"].to_numpy(dtype=float)[di[s]]
        pw, po = road_part(roads, ro[s], fo, fd, by)
        ow, oo = (x[oi[s]] for x in _leg(o_snap, by, inward=False))
        iw, io = (x[di[s]] for x in _leg(d_snap, by, inward=True))
        w[s], o[s] = pw + ow + iw, po + oo + io
    return w, o


def same_road_pairs(o_snap: pd.DataFrame, d_snap: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Every (origin, destination) pair of positions snapped to the same road."""
    ro = o_snap["edge"].to_numpy().astype(np.int64)
    rd = d_snap["edge"].to_numpy().astype(np.int64)
    d_order = np.argsort(rd, kind="stable")
    lo = np.searchsorted(rd[d_order], ro)
    hi = np.searchsorted(rd[d_order], ro, side="right")
    counts = hi - lo
    total = int(counts.sum())
    oi = np.repeat(np.arange(len(ro)), counts)
    pos = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total)
    return oi, d_order[pos]
