"""Terrain lattice: roads split at the cell edges, joins between roads and cells, the CSR merge."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy import sparse

from lvliang_coverage.network._lattice_grid import Barrier, Grid, Moves, sample_z, walk_seconds
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.terrain import DEM


@dataclass
class Edges:
    """Directed edges in the FORWARD direction (travel from tail to head).

    ``time`` in seconds, ``length`` in metres (float64).
    """

    tail: np.ndarray
    head: np.ndarray
    time: np.ndarray
    length: np.ndarray

    @classmethod
    def empty(cls) -> Edges:
        """No edges."""
        z = np.zeros(0)
        return cls(z.astype(np.int64), z.astype(np.int64), z, z)

    @classmethod
    def concat(cls, parts: list[Edges]) -> Edges:
        """All edges of ``parts``."""
        return cls(
            np.concatenate([p.tail for p in parts]),
            np.concatenate([p.head for p in parts]),
            np.concatenate([p.time for p in parts]),
            np.concatenate([p.length for p in parts]),
        )


@dataclass
class Chain:
    """Nodes along the roads, sorted by road then fraction (0 at end a, 1 at end b, by length).

    ``node`` are graph node numbers (road ends, virtual and join nodes).
    """

    road: np.ndarray
    frac: np.ndarray
    node: np.ndarray


def _crossings(
    p: np.ndarray, q: np.ndarray, origin: float, step: float
) -> tuple[np.ndarray, np.ndarray]:
    """Grid lines ``origin + k * step`` crossed by segments ``p``-``q`` (coordinates on one axis).

    Returns the segment of every crossing and its parameter along the segment (0 at ``p``,
    1 at ``q``); segments parallel to the lines cross none.
    """
    u1, u2 = (p - origin) / step, (q - origin) / step
    lo, hi = np.ceil(np.minimum(u1, u2)), np.floor(np.maximum(u1, u2))
    count = np.where(u1 != u2, np.maximum(hi - lo + 1.0, 0.0), 0.0).astype(np.int64)
    seg = np.repeat(np.arange(len(p)), count)
    k = lo[seg] + (np.arange(len(seg)) - np.repeat(np.cumsum(count) - count, count))
    return seg, (k - u1[seg]) / (u2[seg] - u1[seg])


def virtual_points(road_lines: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Split points of every road: its inner vertices, and a point in every cell it enters.

    The road between consecutive vertices and crossings with the lattice's cell edges is
    straight and lies in one cell; where a road passes through a walkable cell that holds
    none of its vertices (ends included), the midpoint of its first piece there is added,
    so that every walkable cell a road passes through holds a node of that road.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Road index and fraction along the road (by length) of every split point, sorted,
        without the road ends or repeats.
    """
    n = len(road_lines)
    total = shapely.length(road_lines)
    coords, idx = shapely.get_coordinates(road_lines, return_index=True)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    same = idx[1:] == idx[:-1]
    seg = np.where(same, seg, 0.0)
    cum = np.r_[0.0, np.cumsum(seg)]
    start = np.searchsorted(idx, np.arange(n))
    along = cum - cum[start[idx]]
    s = np.flatnonzero(same)
    roads, alongs, xys = [idx], [along], [coords]
    t = grid.transform
    for axis, origin, step in ((0, t.c, t.a), (1, t.f, t.e)):
        k, par = _crossings(coords[s, axis], coords[s + 1, axis], origin, step)
        a, b = coords[s[k]], coords[s[k] + 1]
        roads.append(idx[s[k]])
        alongs.append(along[s[k]] + par * seg[s[k]])
        xys.append(a + par[:, None] * (b - a))
    road, at, xy = np.concatenate(roads), np.concatenate(alongs), np.concatenate(xys)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(total[road] > 0, at / total[road], 0.0)
    order = np.lexsort((frac, road))
    road, frac, xy = road[order], np.clip(frac[order], 0.0, 1.0), xy[order]
    piece = np.flatnonzero((road[1:] == road[:-1]) & (frac[1:] - frac[:-1] > 1e-9))
    mid = 0.5 * (xy[piece] + xy[piece + 1])
    cell_v, cell_m = _cell_key(grid, coords), _cell_key(grid, mid)
    n_flat = grid.rows * grid.cols
    key_m = road[piece] * n_flat + cell_m
    need = (cell_m >= 0) & ~np.isin(key_m, idx[cell_v >= 0] * n_flat + cell_v[cell_v >= 0])
    _, first = np.unique(np.where(need, key_m, -1), return_index=True)
    first = first[need[first]]
    road = np.r_[idx, road[piece[first]]]
    frac = np.r_[
        along / np.where(total[idx] > 0, total[idx], 1.0),
        (frac[piece] + frac[piece + 1])[first] / 2,
    ]
    order = np.lexsort((frac, road))
    road, frac = road[order], frac[order]
    keep = np.ones(len(road), dtype=bool)
    keep[1:] = (road[1:] != road[:-1]) | (frac[1:] - frac[:-1] > 1e-9)
    keep &= (frac > 1e-9) & (frac < 1.0 - 1e-9)
    return road[keep], frac[keep]


def _cell_key(grid: Grid, xy: np.ndarray) -> np.ndarray:
    """Flat grid index of the walkable cell under metric points (-1: none)."""
    r, c = grid.cell_of(xy)
    on = (r >= 0) & (r < grid.rows) & (c >= 0) & (c < grid.cols)
    rr, cc = np.clip(r, 0, grid.rows - 1), np.clip(c, 0, grid.cols - 1)
    walkable = grid.node_of[rr, cc] >= 0
    return np.where(on & walkable, rr * grid.cols + cc, -1)


def chain_edges(  # noqa: PLR0917 - private helper on positional arrays
    chain: Chain,
    time_fwd: np.ndarray,
    time_bwd: np.ndarray,
    len_fwd: np.ndarray,
    len_bwd: np.ndarray,
    pick: np.ndarray | None = None,
) -> Edges:
    """Road pieces between consecutive nodes of a chain, both ways (NaN times: mode may not go).

    A piece gets the same share of its road's time and length as of the road's geometry.
    ``pick`` (bool per chain node) keeps only the pieces with a picked node at either end.
    """
    same = chain.road[1:] == chain.road[:-1]
    if pick is not None:
        same &= pick[1:] | pick[:-1]
    i = np.flatnonzero(same)
    p, q, r = chain.node[i], chain.node[i + 1], chain.road[i]
    share = chain.frac[i + 1] - chain.frac[i]
    return Edges(
        np.r_[p, q],
        np.r_[q, p],
        np.r_[share * time_fwd[r], share * time_bwd[r]],
        np.r_[share * len_fwd[r], share * len_bwd[r]],
    )


def cell_legs(  # noqa: PLR0917 - private helper on positional arrays
    grid: Grid,
    nodes: np.ndarray,
    xy: np.ndarray,
    z: np.ndarray,
    cell_node: np.ndarray,
    z_cells: np.ndarray,
    mult: np.ndarray,
    flat_kmh: float,
    offpath: float,
    barrier: Barrier | None,
) -> Edges:
    """Join points (graph nodes ``nodes`` at metric ``xy``) to cells by walking legs both ways.

    ``cell_node`` is the lattice node each point joins (-1: none); a leg is Tobler walking on
    the straight slope from the point to the cell centre, at the cell's friction; a leg that
    crosses a barrier is dropped.
    """
    ok = cell_node >= 0
    if barrier is not None:
        cxy = grid.centres(grid.cells[np.maximum(cell_node, 0)])
        cand = np.flatnonzero(ok & barrier.near_cells(grid, xy))
        ok[cand[barrier.crossed(xy[cand], cxy[cand])]] = False
    nodes, xy, z, cell = nodes[ok], xy[ok], z[ok], cell_node[ok]
    cxy = grid.centres(grid.cells[cell])
    length = np.hypot(*(cxy - xy).T)
    zc = z_cells[cell].astype(np.float64)
    m = mult[cell].astype(np.float64)
    out_s = walk_seconds(length, z, zc, m, flat_kmh, offpath)
    in_s = walk_seconds(length, zc, z, m, flat_kmh, offpath)
    return Edges(
        np.r_[nodes, cell].astype(np.int64),
        np.r_[cell, nodes].astype(np.int64),
        np.r_[out_s, in_s],
        np.r_[length, length],
    )


@dataclass
class RoadJoins:
    """The roads split into pieces and joined to the lattice (node numbers of the model).

    ``edges`` (forward) are the road pieces and the legs between road nodes and cells;
    ``virtual_road`` the road of every virtual node; ``xy`` the metric coordinates of the
    road graph's nodes then the virtual nodes.
    """

    chain: Chain
    edges: Edges
    virtual_road: np.ndarray
    xy: np.ndarray


def join_roads(  # noqa: PLR0917 - private builder step on the model's arrays
    network: TravelNetwork,
    grid: Grid,
    dem: DEM | None,
    z: np.ndarray,
    mult: np.ndarray,
    flat_kmh: float,
    offpath: float,
    barrier: Barrier | None,
    road_only: bool,
) -> RoadJoins:
    """Split every road at its vertices and in every cell it enters; join the nodes to cells.

    Node numbers: the cells ``0 .. grid.n - 1``, the road graph's nodes, then the virtual
    nodes (:func:`virtual_points`). Every road node (graph or virtual) is joined by walking
    legs both ways to the walkable cell it lies in (none for a road-only mode, or off the
    walkable cells), so every walkable cell a road passes through is joined to that road.
    """
    n_nodes, n_roads, base = network.n_nodes, network.n_roads, grid.n
    v_road, v_frac = virtual_points(network.road_lines, grid)
    v_xy = shapely.get_coordinates(
        shapely.line_interpolate_point(network.road_lines[v_road], v_frac, normalized=True)
    ).reshape(-1, 2)
    ends = np.arange(n_roads)
    road = np.r_[ends, ends, v_road]
    frac = np.r_[np.zeros(n_roads), np.ones(n_roads), v_frac]
    node = np.r_[base + network.road_a, base + network.road_b]
    node = np.r_[node, base + n_nodes + np.arange(len(v_road))]
    order = np.lexsort((frac, road))
    chain = Chain(road[order], frac[order], node[order])
    pieces = chain_edges(
        chain, network.time_fwd, network.time_bwd, network.len_fwd, network.len_bwd
    )
    r_xy = np.r_[network.node_xy, v_xy]
    legs = Edges.empty()
    if not road_only and len(r_xy):
        r_z = sample_z(dem, r_xy, grid.crs)
        r, c = grid.cell_of(r_xy)
        on = (r >= 0) & (r < grid.rows) & (c >= 0) & (c < grid.cols)
        rr, cc = np.clip(r, 0, grid.rows - 1), np.clip(c, 0, grid.cols - 1)
        r_cell = np.where(on, grid.node_of[rr, cc], -1).astype(np.int64)
        r_nodes = base + np.arange(n_nodes + len(v_road))
        legs = cell_legs(grid, r_nodes, r_xy, r_z, r_cell, z, mult, flat_kmh, offpath, barrier)
    return RoadJoins(chain=chain, edges=Edges.concat([pieces, legs]), virtual_road=v_road, xy=r_xy)


def dedupe(e: Edges, by: str) -> Edges:
    """Keep, of parallel edges, the one of least time (``by="time"``) or length."""
    ok = np.isfinite(e.time) & np.isfinite(e.length)
    t, h, w, o = e.tail[ok], e.head[ok], e.time[ok], e.length[ok]
    prim = w if by == "time" else o
    order = np.lexsort((prim, h, t))
    t, h, w, o = t[order], h[order], w[order], o[order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    return Edges(t[first], h[first], w[first], o[first])


SPARE_EDGES = 200_000
"""Edges of spare room after the base graph's arrays, filled by the query points' edges."""


@dataclass
class Graph:
    """A reversed graph in CSR form: lattice moves plus road, leg and point edges.

    ``matrix`` holds the primary measure (seconds or metres, float64) of the reversed edges
    (row = the head of the forward edge); ``other`` the other measure of the first
    ``len(other)`` stored edges and ``extra_other`` of those after them (see
    :meth:`other_at`). A base graph keeps spare room after its arrays (``room``) so that a
    query appending rows copies nothing.
    """

    matrix: sparse.csr_matrix
    other: np.ndarray
    n: int
    extra_other: np.ndarray = field(default_factory=lambda: np.zeros(0))
    room: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def with_room(
        cls, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, other: np.ndarray
    ) -> Graph:
        """Graph on copies of the arrays followed by :data:`SPARE_EDGES` edges of room."""
        nnz, n = len(data), len(indptr) - 1
        d_buf = np.empty(nnz + SPARE_EDGES)
        i_buf = np.empty(nnz + SPARE_EDGES, dtype=np.int32)
        d_buf[:nnz], i_buf[:nnz] = data, indices
        matrix = sparse.csr_matrix(
            (d_buf[:nnz], i_buf[:nnz], indptr.astype(np.int32)), shape=(n, n)
        )
        return cls(matrix=matrix, other=other, n=n, room=(d_buf, i_buf))

    def other_at(self, pos: np.ndarray) -> np.ndarray:
        """Other measure (float64) of the stored edges at positions ``pos``."""
        k = len(self.other)
        out = self.other[np.minimum(pos, k - 1)].astype(np.float64)
        beyond = pos >= k
        if beyond.any():
            out[beyond] = self.extra_other[pos[beyond] - k]
        return out

    def swapped(self) -> Graph:
        """Return the same graph weighted by the other measure (``other`` the primary one)."""
        m = self.matrix
        return Graph.with_room(self.other.astype(np.float64), m.indices, m.indptr, m.data)


def merge(moves: Moves, extra: Edges, n: int) -> Graph:
    """Reversed CSR (time primary) of the lattice moves and the (forward) extra edges.

    Lattice rows keep their moves first (their heads lie below every non-lattice node),
    then the extra edges; rows after the lattice hold only extra edges. Only the extra edges
    are sorted.
    """
    e = dedupe(extra, "time")
    tail, head = e.head, e.tail  # reversed
    order = np.lexsort((head, tail))
    tail, head, w_t, w_m = tail[order], head[order], e.time[order], e.length[order]
    n_lat = len(moves.indptr) - 1
    lat_count = np.zeros(n, dtype=np.int64)
    lat_count[:n_lat] = np.diff(moves.indptr)
    ex_count = np.bincount(tail, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lat_count + ex_count, out=indptr[1:])
    total = int(indptr[-1])
    first_ex = np.cumsum(ex_count) - ex_count
    ex_pos = indptr[tail] + lat_count[tail] + (np.arange(len(tail)) - first_ex[tail])
    is_lat = np.ones(total, dtype=bool)
    is_lat[ex_pos] = False
    d_buf = np.empty(total + SPARE_EDGES)
    i_buf = np.empty(total + SPARE_EDGES, dtype=np.int32)
    i_buf[:total][is_lat] = moves.indices
    i_buf[ex_pos] = head
    d_buf[:total][is_lat] = moves.time
    d_buf[ex_pos] = w_t
    other = np.empty(total, dtype=np.float32)
    other[is_lat] = moves.lengths.astype(np.float32)[moves.code]
    other[ex_pos] = w_m
    matrix = sparse.csr_matrix(
        (d_buf[:total], i_buf[:total], indptr.astype(np.int32)), shape=(n, n)
    )
    return Graph(matrix=matrix, other=other, n=n, room=(d_buf, i_buf))


def insert(base: Graph, extra: Edges, n: int, by: str) -> Graph:
    """Add (forward) extra edges to ``base`` (weighted by ``by``), ``n`` nodes in all.

    Every extra edge touches a node beyond the base, so it duplicates no base edge; in each
    row the extra edges follow the base ones. When they all leave new nodes (rows after the
    base) and fit the base's room, they are written there and nothing is copied: the graph
    returned shares the base's arrays and is valid until the next insert.
    """
    e = dedupe(extra, by)
    tail, head = e.head, e.tail
    order = np.lexsort((head, tail))
    tail, head = tail[order], head[order]
    prim, oth = (e.time, e.length) if by == "time" else (e.length, e.time)
    prim, oth = prim[order], oth[order]
    m = base.matrix
    nnz, k = len(m.data), len(tail)
    if k == 0 or tail[0] >= base.n:  # new rows only: append
        counts = np.bincount(tail - base.n, minlength=n - base.n)
        indptr = np.r_[m.indptr, nnz + np.cumsum(counts)].astype(np.int32)
        if base.room is not None and k <= len(base.room[0]) - nnz:
            d_buf, i_buf = base.room
            d_buf[nnz : nnz + k], i_buf[nnz : nnz + k] = prim, head
            data, indices = d_buf[: nnz + k], i_buf[: nnz + k]
        else:
            data, indices = np.r_[m.data, prim], np.r_[m.indices, head.astype(np.int32)]
        matrix = sparse.csr_matrix((data, indices, indptr), shape=(n, n))
        return Graph(matrix=matrix, other=base.other, n=n, extra_other=oth)
    bptr = np.full(n + 1, nnz, dtype=np.int64)
    bptr[: base.n + 1] = m.indptr
    ex_count = np.bincount(tail, minlength=n)
    indptr = bptr.copy()
    indptr[1:] += np.cumsum(ex_count)
    pos = bptr[tail + 1] + np.arange(k)
    total = nnz + k
    keep = np.ones(total, dtype=bool)
    keep[pos] = False
    indices = np.empty(total, dtype=np.int32)
    indices[keep], indices[pos] = m.indices, head
    data = np.empty(total)
    data[keep], data[pos] = m.data, prim
    other = np.empty(total)
    other[keep], other[pos] = base.other, oth
    matrix = sparse.csr_matrix((data, indices, indptr.astype(np.int32)), shape=(n, n))
    return Graph(matrix=matrix, other=other, n=n)


def edge_positions(g: Graph, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Positions in ``g.matrix.data`` of the existing edges ``tails -> heads`` (reversed graph)."""
    indptr, indices = g.matrix.indptr, g.matrix.indices
    pos = indptr[tails].astype(np.int64)
    stop = indptr[tails + 1]
    out = np.full(len(tails), -1, dtype=np.int64)
    active = np.arange(len(tails))
    while len(active):
        p = pos[active]
        hit = indices[p] == heads[active]
        out[active[hit]] = p[hit]
        pos[active] += 1
        active = active[~hit & (pos[active] < stop[active])]
    return out
