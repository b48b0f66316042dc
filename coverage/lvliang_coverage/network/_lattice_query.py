"""Terrain lattice queries: how points join cells and roads, reading trips off a Dijkstra tree."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._lattice_grid import Barrier, Grid, sample_z, walk_seconds
from lvliang_coverage.network._lattice_roads import (
    Chain,
    Edges,
    Graph,
    chain_edges,
    edge_positions,
)
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.snapping import points_metric
from lvliang_coverage.network.terrain import DEM

_CHAIN_TOP = 1.0 - 1e-12
"""Largest fraction used to place a join between two chain nodes (keeps it inside its road)."""

FRACTION_STEPS = 2**39
"""Steps of a road's fraction in the integer keys of the chain (``road * 2**40 + step``)."""


def chain_keys(road: np.ndarray, frac: np.ndarray, *, query: bool = False) -> np.ndarray:
    """Integer keys ordering (road, fraction) exactly; a query key stays below its road's end."""
    step = np.round(np.asarray(frac, dtype=np.float64) * FRACTION_STEPS).astype(np.int64)
    if query:
        step = np.minimum(step, FRACTION_STEPS - 1)
    return road.astype(np.int64) * (2 * FRACTION_STEPS) + step


@dataclass
class Lattice:
    """Arrays of a built terrain model (:class:`lattice.TerrainNetwork`).

    Node numbers: lattice cells ``0 .. grid.n - 1``, then the road graph's nodes, then the
    virtual nodes splitting the roads (``n_base`` in all); query points come after.
    """

    network: TravelNetwork
    grid: Grid
    nearest_cell: np.ndarray  # (rows, cols) nearest walkable cell's node of every cell
    z: np.ndarray  # elevation (metres, float32, NaN unknown) per cell node
    mult: np.ndarray  # friction speed multiplier per cell node
    dem: DEM | None
    barrier: Barrier | None
    chain: Chain
    chain_key: np.ndarray  # chain_keys(road, fraction), sorted like the chain
    base: Graph  # reversed graph of the base nodes, seconds primary, metres other
    is_road: np.ndarray  # bool per base node: road graph or virtual node
    node_road: np.ndarray  # road of every virtual node, -1 elsewhere
    xy: np.ndarray  # metric coordinates of every base node (cell centres, road nodes)
    pair_keys: np.ndarray  # sorted lo * n_nodes + hi of every road's end nodes
    pair_order: np.ndarray  # road index of each pair key
    cell_m: float
    flat_kmh: float
    offpath: float
    road_only: bool
    to_metric: pyproj.Transformer

    @property
    def n_base(self) -> int:
        """Nodes of the base graph."""
        return self.base.n

    def cell_node(self, xy: np.ndarray) -> np.ndarray:
        """Lattice node of the cell under metric points (the nearest walkable cell)."""
        g = self.grid
        r, c = g.cell_of(xy)
        rr, cc = np.clip(r, 0, g.rows - 1), np.clip(c, 0, g.cols - 1)
        return self.nearest_cell[rr, cc].astype(np.int64)

    def piece_road(self, a: np.ndarray, b: np.ndarray, node_road: np.ndarray) -> np.ndarray:
        """Road of the road pieces a - b: a split node's road, else the road with these ends."""
        r = np.where(node_road[a] >= 0, node_road[a], node_road[b])
        both = np.flatnonzero(r < 0)
        if len(both):
            nn = self.network.n_nodes
            u, v = a[both] - self.grid.n, b[both] - self.grid.n
            keys = np.minimum(u, v) * nn + np.maximum(u, v)
            pos = np.searchsorted(self.pair_keys, keys)
            r[both] = self.pair_order[np.clip(pos, 0, len(self.pair_keys) - 1)]
        return r


@dataclass
class Joins:
    """How query points join the model: their cell, and the road when it is close.

    Lengths in metres, times in seconds; ``xy`` and ``jxy`` in the metric CRS.
    """

    xy: np.ndarray
    cell: np.ndarray  # lattice node (-1 for road-only modes)
    cell_m: np.ndarray  # straight metres from the point to its cell centre
    out_s: np.ndarray  # seconds from the point to the cell centre
    in_s: np.ndarray  # seconds from the cell centre to the point
    road: np.ndarray  # bool: joins the road directly with the network's off-road leg
    edge: np.ndarray
    frac: np.ndarray
    leg_s: np.ndarray
    leg_in_s: np.ndarray
    leg_m: np.ndarray
    jxy: np.ndarray
    prev: np.ndarray  # chain position of the node before the join along its road
    snap: pd.DataFrame


def joins(lat: Lattice, layers: list[gpd.GeoDataFrame]) -> Joins:
    """Join points to their cell (walking to the cell centre) and, when close, the road.

    A point joins the road directly when its snapped leg (the network model's) is shorter
    than one cell and crosses no barrier; a road-only mode always joins the road only.
    """
    pts = np.concatenate([points_metric(p, lat.to_metric) for p in layers])
    snap = pd.concat([lat.network.snap(p) for p in layers], ignore_index=True)
    xy = shapely.get_coordinates(pts).reshape(-1, 2)
    k = len(xy)
    z = sample_z(lat.dem, xy, lat.network.metric_crs)
    cell = np.full(k, -1, dtype=np.int64)
    cell_len = out_s = in_s = np.zeros(k)
    if not lat.road_only and k:
        cell = lat.cell_node(xy)
        cxy = lat.grid.centres(lat.grid.cells[cell])
        cell_len = np.hypot(*(cxy - xy).T)
        zc = lat.z[cell].astype(np.float64)
        m = lat.mult[cell].astype(np.float64)
        out_s = walk_seconds(cell_len, z, zc, m, lat.flat_kmh, lat.offpath)
        in_s = walk_seconds(cell_len, zc, z, m, lat.flat_kmh, lat.offpath)
    edge = snap["edge"].to_numpy().astype(np.int64)
    frac = np.clip(snap["fraction"].to_numpy(dtype=float), 0.0, _CHAIN_TOP)
    jxy = shapely.get_coordinates(
        shapely.line_interpolate_point(lat.network.road_lines[edge], frac, normalized=True)
    ).reshape(-1, 2)
    road = (snap["distance_m"].to_numpy() < lat.cell_m) | lat.road_only
    if lat.barrier is not None and not lat.road_only:
        cand = np.flatnonzero(road)
        road[cand[lat.barrier.crossed(xy[cand], jxy[cand])]] = False
    prev = np.searchsorted(lat.chain_key, chain_keys(edge, frac, query=True), side="right") - 1
    return Joins(
        xy=xy,
        cell=cell,
        cell_m=cell_len,
        out_s=out_s,
        in_s=in_s,
        road=road,
        edge=edge,
        frac=frac,
        leg_s=snap["leg_s"].to_numpy(dtype=float),
        leg_in_s=snap["leg_in_s"].to_numpy(dtype=float),
        leg_m=snap["leg_m"].to_numpy(dtype=float),
        jxy=jxy,
        prev=prev,
        snap=snap,
    )


@dataclass
class Points:
    """Query points as nodes: the forward edges that join them, and the nodes' attributes."""

    node: np.ndarray  # node of every point
    join_node: np.ndarray  # road-join node of every point (-1: joins no road)
    edges: Edges
    n: int  # nodes with the points and their joins
    is_road: np.ndarray  # per node beyond the base
    node_road: np.ndarray  # per node beyond the base
    xy: np.ndarray  # per node beyond the base


def point_edges(lat: Lattice, j: Joins, role: np.ndarray | None = None) -> Points:
    """Nodes and forward edges of the points, their cell legs and road joins.

    ``role`` per point: 1 for an origin (only the edges leaving it), -1 for a destination
    (only those reaching it), 0 for both (the default), so that no trip passes through
    another query point.
    """
    n0 = lat.n_base
    k = len(j.xy)
    node = n0 + np.arange(k)
    role = np.zeros(k, dtype=np.int8) if role is None else role
    on = np.flatnonzero(j.road)
    jn = n0 + k + np.arange(len(on))
    join_node = np.full(k, -1, dtype=np.int64)
    join_node[on] = jn
    parts = []
    for (to, back), (w_out, w_in), m in (
        ((j.cell, np.flatnonzero(j.cell >= 0)), (j.out_s, j.in_s), j.cell_m),
        ((join_node, on), (j.leg_s, j.leg_in_s), j.leg_m),
    ):
        i = back
        leave, arrive = i[role[i] >= 0], i[role[i] <= 0]
        parts.append(
            Edges(
                np.r_[node[leave], to[arrive]],
                np.r_[to[leave], node[arrive]],
                np.r_[w_out[leave], w_in[arrive]],
                np.r_[m[leave], m[arrive]],
            )
        )
    # the join nodes inserted in the chain: only the ends of the pieces they split are
    # needed (the chain positions prev and prev + 1 of each join, on the join's road)
    ch = lat.chain
    ends = np.unique(np.r_[j.prev[on], j.prev[on] + 1])
    road = np.r_[ch.road[ends], j.edge[on]]
    frac = np.r_[ch.frac[ends], j.frac[on]]
    nodes = np.r_[ch.node[ends], jn]
    pick = np.r_[np.zeros(len(ends), bool), np.ones(len(on), bool)]
    order = np.lexsort((frac, road))
    net = lat.network
    parts.append(
        chain_edges(
            Chain(road[order], frac[order], nodes[order]),
            net.time_fwd,
            net.time_bwd,
            net.len_fwd,
            net.len_bwd,
            pick[order],
        )
    )
    return Points(
        node=node,
        join_node=join_node,
        edges=Edges.concat(parts),
        n=n0 + k + len(on),
        is_road=np.r_[np.zeros(k, bool), np.ones(len(on), bool)],
        node_road=np.r_[np.full(k, -1, dtype=np.int64), j.edge[on]],
        xy=np.r_[j.xy, j.jxy[on]].reshape(-1, 2),
    )


def sources_only(p: Points, n_base: int) -> Edges:
    """Keep the edges a search FROM the points needs on the reversed graph (heads beyond base)."""
    e = p.edges
    keep = e.head >= n_base
    return Edges(e.tail[keep], e.head[keep], e.time[keep], e.length[keep])


@dataclass
class Start:
    """The best first hop of every origin: the node it reaches and the hop's measures."""

    value: np.ndarray  # primary measure of the whole trip (inf: unreached)
    node: np.ndarray  # node the hop reaches (-1: unreached)
    other: np.ndarray  # other measure of the hop
    offroad_s: np.ndarray  # seconds of the hop off road
    road: np.ndarray  # road entered by the hop (-1: none)
    entry: np.ndarray  # metric point where it enters the road


def first_hops(  # noqa: PLR0917 - one vectorised read-off of the ways to start
    lat: Lattice, o: Joins, f: Joins, fp: Points, dist: np.ndarray, by: str
) -> Start:
    """Find the best way for each origin to start: walk to its cell, or take its road.

    ``dist`` holds the Dijkstra distances (reversed graph, from the facilities) of every
    node of the base graph and of the facility nodes ``fp``.
    """
    net, ch = lat.network, lat.chain
    k = len(o.xy)
    time_m = by == "time"
    val = np.full(k, np.inf)
    node = np.full(k, -1, dtype=np.int64)
    oth, off = np.zeros(k), np.zeros(k)
    road = np.full(k, -1, dtype=np.int64)
    entry = np.full((k, 2), np.nan)

    def offer(  # noqa: PLR0917 - local helper on the candidates' arrays
        idx: np.ndarray,
        v: np.ndarray,
        to: np.ndarray,
        ot: np.ndarray,
        of: np.ndarray,
        rd: np.ndarray,
    ) -> None:
        # one candidate per origin, its best (an origin may share its piece with several)
        order = np.lexsort((v, idx))
        first = np.ones(len(idx), dtype=bool)
        first[1:] = idx[order][1:] != idx[order][:-1]
        keep = order[first]
        idx, v, to, ot, of, rd = idx[keep], v[keep], to[keep], ot[keep], of[keep], rd[keep]
        better = v < val[idx]
        i = idx[better]
        val[i], node[i], oth[i], off[i] = v[better], to[better], ot[better], of[better]
        road[i] = rd[better]
        entry[i] = np.where((rd[better] >= 0)[:, None], o.jxy[i], np.nan)

    c = np.flatnonzero(o.cell >= 0)
    if len(c):
        w, w2 = (o.out_s[c], o.cell_m[c]) if time_m else (o.cell_m[c], o.out_s[c])
        offer(c, w + dist[o.cell[c]], o.cell[c], w2, o.out_s[c], np.full(len(c), -1))
    r = np.flatnonzero(o.road)
    if len(r):
        e, fr, pv = o.edge[r], o.frac[r], o.prev[r]
        for nxt in (pv, pv + 1):
            share = np.abs(fr - ch.frac[nxt])
            t_road = share * np.where(nxt == pv, net.time_bwd[e], net.time_fwd[e])
            m_road = share * np.where(nxt == pv, net.len_bwd[e], net.len_fwd[e])
            t, m = o.leg_s[r] + t_road, o.leg_m[r] + m_road
            w, w2 = (t, m) if time_m else (m, t)
            to = ch.node[nxt]
            ok = np.isfinite(w) & np.isfinite(w2)
            offer(r[ok], (w + dist[to])[ok], to[ok], w2[ok], o.leg_s[r][ok], e[ok])
    # same road piece as a facility's join: straight along the piece to that join
    fr_on = np.flatnonzero(f.road)
    if len(r) and len(fr_on):
        left = pd.DataFrame({"o": r, "piece": o.prev[r]})
        right = pd.DataFrame({"f": fr_on, "piece": f.prev[fr_on]})
        pairs = left.merge(right, on="piece")
        if len(pairs):
            oi, fi = pairs["o"].to_numpy(), pairs["f"].to_numpy()
            e = o.edge[oi]
            d = f.frac[fi] - o.frac[oi]
            t_road = np.abs(d) * np.where(d >= 0, net.time_fwd[e], net.time_bwd[e])
            m_road = np.abs(d) * np.where(d >= 0, net.len_fwd[e], net.len_bwd[e])
            t, m = o.leg_s[oi] + t_road, o.leg_m[oi] + m_road
            w, w2 = (t, m) if time_m else (m, t)
            to = fp.join_node[fi]
            ok = np.isfinite(w) & np.isfinite(w2)
            offer(oi[ok], (w + dist[to])[ok], to[ok], w2[ok], o.leg_s[oi][ok], e[ok])
    return Start(value=val, node=node, other=oth, offroad_s=off, road=road, entry=entry)


def walk_paths(  # noqa: PLR0917 - private helper on the query's arrays
    lat: Lattice,
    g: Graph,
    dist: np.ndarray,
    pred: np.ndarray,
    start: np.ndarray,
    extra: Points,
    by: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Follow the Dijkstra tree from ``start`` nodes to their facility (vectorised over paths).

    Returns, per path, the other measure along it (metres, or seconds with
    ``by="distance"``), the seconds off road, the first road entered (-1: none) and the
    metric point where it is entered. A step is on road when both its nodes are road nodes;
    its primary measure is the difference of the Dijkstra distances.
    """
    is_road = np.r_[lat.is_road, extra.is_road]
    node_road = np.r_[lat.node_road, extra.node_road]
    xy = np.r_[lat.xy, extra.xy]
    cur = start.astype(np.int64).copy()
    other = np.zeros(len(cur))
    offroad = np.zeros(len(cur))
    road = np.full(len(cur), -1, dtype=np.int64)
    entry = np.full((len(cur), 2), np.nan)
    active = np.flatnonzero(pred[cur] >= 0)
    while len(active):
        c = cur[active]
        p = pred[c].astype(np.int64)
        oth = g.other_at(edge_positions(g, p, c))
        other[active] += oth
        on_road = is_road[c] & is_road[p]
        step = dist[c] - dist[p] if by == "time" else oth
        offroad[active] += np.where(on_road, 0.0, step)
        first = on_road & (road[active] < 0)
        if first.any():
            a = active[first]
            road[a] = lat.piece_road(c[first], p[first], node_road)
            entry[a] = xy[c[first]]
        cur[active] = p
        active = active[pred[p] >= 0]
    return other, offroad, road, entry


ROAD_ONLY_CHUNK = 200_000
"""Cells per network query when a road-only mode's surface is read off the network model."""


def road_only_surface(
    lat: Lattice, facilities: gpd.GeoDataFrame, id_col: str
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and facility of every cell for a road-only mode: the network model's trips.

    The cell centres are queried as origins of :meth:`TravelNetwork.nearest` in chunks of
    :data:`ROAD_ONLY_CHUNK` cells (bounded memory; slow for millions of cells).
    """
    back = pyproj.Transformer.from_crs(lat.grid.crs, STORAGE_CRS, always_xy=True)
    lon, lat_ = back.transform(*lat.xy[: lat.grid.n].T)
    ids = pd.Index(facilities[id_col])
    secs = np.full(lat.grid.n, np.nan)
    which = np.full(lat.grid.n, -1, dtype=np.int32)
    for a in range(0, lat.grid.n, ROAD_ONLY_CHUNK):
        b = min(a + ROAD_ONLY_CHUNK, lat.grid.n)
        pts = gpd.points_from_xy(lon[a:b], lat_[a:b])
        cells = gpd.GeoDataFrame(geometry=pts, crs=STORAGE_CRS)
        res = lat.network.nearest(cells, facilities, id_col=id_col)
        ok = res["reachable"].to_numpy(dtype=bool)
        secs[a:b] = np.where(ok, res["time_s"].to_numpy(), np.nan)
        which[a:b] = np.where(ok, ids.get_indexer(res["facility_id"]), -1)
    return secs, which
