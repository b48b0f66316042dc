"""Shortest paths along the roads between given points: leg matrices and path geometry."""

from __future__ import annotations

import math
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.sparse import csgraph

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._csr import BATCH_CELLS, STRAIGHT_SLACK, Csr, walk_back
from lvliang_coverage.network.routing import TravelNetwork

SEARCH_LIMITS_S = (600.0, 1800.0, 7200.0)
"""First time limits (seconds) of the growing searches: most legs between neighbouring
villages are settled within minutes, in a small window of the network around them."""

PATH_BATCH = 64
"""Sources searched together when drawing paths (a batch's window spans their tiles)."""

_TILE_M = 5000.0  # tile of the spatial order of path sources, metres
_EPS = 1e-12  # fraction tolerance telling a road vertex from a piece's end


def _limits(max_s: float) -> Iterator[float]:
    """Search limits in seconds: :data:`SEARCH_LIMITS_S` below ``max_s``, then ``max_s``."""
    for limit in SEARCH_LIMITS_S:
        if limit < max_s:
            yield limit
    yield max_s


class PathFinder:
    """A travel network with one point layer inserted, for time-shortest legs between points.

    The points (villages, clinics) join the roads as in every other query (nearest point of
    the nearest usable road, an off-road leg, see :class:`TravelNetwork`); they are inserted
    once, then any number of leg matrices and path geometries are read from Dijkstra searches
    (``scipy.sparse.csgraph.dijkstra`` with growing time limits and predecessors). Travel runs
    from origin to destination, so one-way roads and uphill/downhill times count in the
    direction travelled (the matrices are asymmetric).

    Parameters
    ----------
    net : TravelNetwork
        Road network of one mode.
    points : GeoDataFrame
        The points, any CRS; queries name them by position (0 .. len - 1).

    Raises
    ------
    InputError
        When the layer has no CRS or a row has no point geometry.
    """

    def __init__(self, net: TravelNetwork, points: gpd.GeoDataFrame) -> None:
        self.net = net
        self.n_points = len(points)
        self._aug = net._insert(points.reset_index(drop=True))
        self._g = self._aug.csr("time", reverse=False)  # seconds, other measure: metres
        self._nodes = self._aug.point_node
        self._lines: tuple[np.ndarray, ...] | None = None
        self._by_x: np.ndarray | None = None
        self._vmax = max(float(net.max_speed_mps), 1e-9)
        self._to_storage = pyproj.Transformer.from_crs(net.metric_crs, STORAGE_CRS, always_xy=True)

    # ------------------------------------------------------------------ matrices
    def legs(
        self, members: np.ndarray, *, max_s: float = math.inf
    ) -> tuple[np.ndarray, np.ndarray]:
        """Travel time and road distance between every ordered pair of some points.

        Parameters
        ----------
        members : numpy.ndarray of int
            Positions of the points in the layer (k of them).
        max_s : float, default inf
            Longest leg wanted, seconds: longer legs are left at ``inf``.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            ``k x k`` seconds (``inf`` where there is no path within ``max_s``; 0 on the
            diagonal) and metres along the same fastest paths (NaN where the time is inf).
            Row = origin, column = destination; off-road legs included.
        """
        members = np.asarray(members, dtype=np.int64)
        self._check(members)
        k = len(members)
        time = np.full((k, k), np.inf)
        metres = np.full((k, k), np.nan)
        nodes = self._nodes[members]
        todo = np.arange(k)
        for limit in _limits(max_s):
            if len(todo) == 0:
                break
            sub, lookup, _ = self._window(nodes[todo], limit)
            cols = lookup[nodes]
            inside = np.flatnonzero(cols >= 0)
            unsettled = []
            for rows in self._chunks(todo, sub.n):
                dist, pred = csgraph.dijkstra(
                    sub.matrix, indices=lookup[nodes[rows]], limit=limit, return_predecessors=True
                )
                found = np.full((len(rows), k), np.inf)
                found[:, inside] = dist[:, cols[inside]]
                ok = np.isfinite(found)
                time[rows] = found
                r, c = np.nonzero(ok)
                metres[rows[r], c] = walk_back(pred, r, cols[c], sub)
                unsettled.append(rows[~ok.all(axis=1)])
            todo = np.concatenate(unsettled)
        return time, metres

    # ------------------------------------------------------------------ geometry
    def paths(self, origins: np.ndarray, destinations: np.ndarray) -> gpd.GeoDataFrame:
        """Draw the fastest path along the roads from each origin to its destination.

        Parameters
        ----------
        origins, destinations : numpy.ndarray of int
            Positions of the points in the layer, one pair per element.

        Returns
        -------
        GeoDataFrame
            One row per pair, in order: ``origin``, ``destination`` (positions), ``time_s``
            (seconds), ``network_m`` (metres) and the LineString of the path (EPSG:4326):
            the off-road leg from the origin, the roads (whole or in part) and the leg to the
            destination. Pairs without a path have NaN measures and no geometry; a pair of
            one point with itself gets a line of zero length at it.
        """
        o = np.asarray(origins, dtype=np.int64)
        d = np.asarray(destinations, dtype=np.int64)
        if o.shape != d.shape:
            msg = "起点与终点数量须相同 / origins and destinations must have the same length"
            raise InputError(msg, column="destinations")
        self._check(o)
        self._check(d)
        n_pairs = len(o)
        time = np.full(n_pairs, np.nan)
        metres = np.full(n_pairs, np.nan)
        e_pair: list[np.ndarray] = []
        e_step: list[np.ndarray] = []
        e_tail: list[np.ndarray] = []
        e_head: list[np.ndarray] = []
        src, pair_src = np.unique(o, return_inverse=True)
        done = np.zeros(n_pairs, dtype=bool)
        todo = self._spatial_order(np.arange(len(src)), self._nodes[src])
        for limit in _limits(math.inf):
            for batch in self._chunks(todo, self._g.n if math.isinf(limit) else 0):
                sub, lookup, idx = self._window(self._nodes[src[batch]], limit)
                rows = np.full(len(src), -1, dtype=np.int64)
                rows[batch] = np.arange(len(batch))
                dist, pred = csgraph.dijkstra(
                    sub.matrix,
                    indices=lookup[self._nodes[src[batch]]],
                    limit=limit,
                    return_predecessors=True,
                )
                pairs = np.flatnonzero((rows[pair_src] >= 0) & ~done)
                target = lookup[self._nodes[d[pairs]]]
                pairs, target = pairs[target >= 0], target[target >= 0]
                prow = rows[pair_src[pairs]]
                val = dist[prow, target]
                ok = np.isfinite(val)
                pairs, prow, target = pairs[ok], prow[ok], target[ok]
                done[pairs] = True
                time[pairs] = val[ok]
                metres[pairs] = walk_back(pred, prow, target, sub)
                p, step, tail, head = _chain_edges(pred, prow, target, pairs)
                e_pair.append(p)
                e_step.append(step)
                e_tail.append(idx[tail])
                e_head.append(idx[head])
            todo = np.unique(pair_src[~done])
            todo = self._spatial_order(todo, self._nodes[src[todo]])
            if len(todo) == 0:
                break
        if not e_pair:
            e_pair = e_step = e_tail = e_head = [np.empty(0, dtype=np.int64)]
        edges = tuple(np.concatenate(e) for e in (e_pair, e_step, e_tail, e_head))
        geometry = self._draw(edges, found=np.isfinite(time), origins=o)
        return gpd.GeoDataFrame(
            {"origin": o, "destination": d, "time_s": time, "network_m": metres},
            geometry=geometry,
            crs=STORAGE_CRS,
        )

    # ------------------------------------------------------------------ helpers
    def _window(self, sources: np.ndarray, limit: float) -> tuple[Csr, np.ndarray, np.ndarray]:
        """Cut out the subgraph a search from ``sources`` within ``limit`` seconds can reach.

        No path of at most ``limit`` seconds leaves the box around the sources widened by
        ``limit`` x the mode's top speed (a path is never shorter than the straight line),
        so the search on the subgraph is exact within the limit. Returns the subgraph, the
        map from node to subgraph index (-1 outside) and the subgraph's node indices.
        """
        n = self._g.n
        if not math.isfinite(limit):
            return self._g, np.arange(n), np.arange(n)
        xy = self._aug.xy
        reach = limit * self._vmax * STRAIGHT_SLACK
        lo = xy[sources].min(axis=0) - reach
        hi = xy[sources].max(axis=0) + reach
        if self._by_x is None:
            self._by_x = np.argsort(xy[:, 0], kind="stable")
        by_x = self._by_x
        xs = xy[by_x, 0]
        cand = by_x[np.searchsorted(xs, lo[0]) : np.searchsorted(xs, hi[0], side="right")]
        y = xy[cand, 1]
        idx = np.sort(cand[(y >= lo[1]) & (y <= hi[1])])
        lookup = np.full(n, -1, dtype=np.int64)
        lookup[idx] = np.arange(len(idx))
        return self._g.subgraph(idx, lookup), lookup, idx

    def _chunks(self, rows: np.ndarray, n_nodes: int) -> Iterator[np.ndarray]:
        """Split rows into batches of one Dijkstra call each.

        A batch holds at most :data:`BATCH_CELLS` cells, or :data:`PATH_BATCH` sources when
        the subgraph is not known yet (``n_nodes`` 0).
        """
        size = PATH_BATCH if n_nodes == 0 else max(1, BATCH_CELLS // max(n_nodes, 1))
        for c0 in range(0, len(rows), size):
            yield rows[c0 : c0 + size]

    def _spatial_order(self, rows: np.ndarray, nodes: np.ndarray | None) -> np.ndarray:
        """Sort rows by the square tile of their node, so batches of sources lie close."""
        if nodes is None or len(rows) < 2:
            return rows
        xy = self._aug.xy[nodes]
        tile = np.floor((xy - xy.min(axis=0)) / _TILE_M).astype(np.int64)
        return rows[np.lexsort((tile[:, 1], tile[:, 0]))]

    def _check(self, positions: np.ndarray) -> None:
        """Refuse positions outside the point layer."""
        bad = (positions < 0) | (positions >= self.n_points)
        if bad.any():
            msg = (
                f"点位序号超出范围 / point position {int(positions[bad][0])} is outside the "
                f"layer of {self.n_points} points"
            )
            raise InputError(msg, column="points")

    def _edge_ids(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Edge of the inserted network behind each CSR edge (the fastest of parallel ones)."""
        a = self._aug
        ok = np.flatnonzero(np.isfinite(a.time) & np.isfinite(a.length))
        keys = a.tail[ok].astype(np.int64) * a.n + a.head[ok]
        order = np.lexsort((a.time[ok], keys))  # as build_csr keeps them
        keys, ids = keys[order], ok[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        keys, ids = keys[first], ids[first]
        pos = np.searchsorted(keys, tail.astype(np.int64) * a.n + head)
        return ids[pos]

    def _line_table(self) -> tuple[np.ndarray, ...]:
        """Lines (roads, then off-road legs) in metres, their vertices and vertex fractions."""
        if self._lines is None:
            lines = np.concatenate([self.net.road_lines, self._aug.leg_lines])
            xy, idx = shapely.get_coordinates(lines, return_index=True)
            step = np.r_[0.0, np.hypot(*np.diff(xy, axis=0).T)]
            first = np.r_[True, idx[1:] != idx[:-1]]
            step[first] = 0.0
            run = np.cumsum(step)
            start = np.flatnonzero(first)
            counts = np.diff(np.r_[start, len(idx)])
            along = run - np.repeat(run[start], counts)
            total = np.repeat(np.maximum(along[np.r_[start[1:], len(idx)] - 1], 0.0), counts)
            frac = np.where(total > 0, along / np.where(total > 0, total, 1.0), 0.0)
            v_start = np.zeros(len(lines), dtype=np.int64)
            v_count = np.zeros(len(lines), dtype=np.int64)
            v_start[idx[start]] = start
            v_count[idx[start]] = counts
            self._lines = (lines, xy, frac, v_start, v_count)
        return self._lines

    def _draw(
        self, edges: tuple[np.ndarray, ...], *, found: np.ndarray, origins: np.ndarray
    ) -> np.ndarray:
        """Join the paths' edges into LineStrings (EPSG:4326; None where not found).

        ``edges`` holds per edge its pair, its step back from the target, tail and head.
        """
        pair, step, tail, head = edges
        n_pairs = len(found)
        out = np.full(n_pairs, None, dtype=object)
        if not found.any():
            return out
        order = np.lexsort((-step, pair))  # each path from its origin on
        pair, tail, head = pair[order], tail[order], head[order]
        a = self._aug
        e = self._edge_ids(tail, head)
        lines, vxy, vfrac, v_start, v_count = self._line_table()
        n_roads = len(self.net.road_lines)
        line = np.where(a.geom[e] >= 0, a.geom[e], n_roads - 1 - a.geom[e])
        f0, f1 = a.f0[e], a.f1[e]
        p_start = shapely.get_coordinates(
            shapely.line_interpolate_point(lines[line], f0, normalized=True)
        )
        p_end = shapely.get_coordinates(
            shapely.line_interpolate_point(lines[line], f1, normalized=True)
        )
        # interior vertices of every piece, in the direction travelled
        counts = v_count[line]
        total = int(counts.sum())
        piece = np.repeat(np.arange(len(e)), counts)
        j = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        back = f0[piece] > f1[piece]
        vid = v_start[line][piece] + np.where(back, counts[piece] - 1 - j, j)
        lo, hi = np.minimum(f0, f1)[piece], np.maximum(f0, f1)[piece]
        inner = (vfrac[vid] > lo + _EPS) & (vfrac[vid] < hi - _EPS)
        piece, vid = piece[inner], vid[inner]
        n_inner = np.bincount(piece, minlength=len(e))
        size = n_inner + 2
        base = np.cumsum(size) - size
        xy = np.empty((int(size.sum()), 2))
        xy[base] = p_start
        xy[base + size - 1] = p_end
        rank = np.arange(len(piece)) - np.repeat(np.cumsum(n_inner) - n_inner, n_inner)
        xy[base[piece] + 1 + rank] = vxy[vid]
        owner = np.repeat(pair, size)
        # paths without edges (a point with itself): a line of zero length at the point
        empty = np.flatnonzero(found & (np.bincount(pair, minlength=n_pairs) == 0))
        if len(empty):
            at = self._aug.xy[self._nodes[origins[empty]]]
            xy = np.concatenate([xy, at, at])
            owner = np.concatenate([owner, empty, empty])
            keep_order = np.argsort(owner, kind="stable")
            xy, owner = xy[keep_order], owner[keep_order]
        same = np.r_[False, (owner[1:] == owner[:-1]) & np.all(xy[1:] == xy[:-1], axis=1)]
        count = np.bincount(owner, minlength=n_pairs)
        one = (count - np.bincount(owner[same], minlength=n_pairs)) < 2
        same &= ~one[owner]  # keep a point-sized path's two coordinates
        xy, owner = xy[~same], owner[~same]
        lon, lat = self._to_storage.transform(xy[:, 0], xy[:, 1])
        drawn = np.unique(owner)
        out[drawn] = shapely.linestrings(np.column_stack([lon, lat]), indices=owner)
        return out


def _chain_edges(
    pred: np.ndarray, rows: np.ndarray, targets: np.ndarray, pairs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Edges of the predecessor chains from ``targets`` back to their sources (vectorised).

    Returns the pair of each edge, its step counted back from the target (0 = the edge into
    the target), its tail and its head (node indices).
    """
    cur = targets.astype(np.int64).copy()
    active = np.arange(len(cur))
    out_p, out_s, out_t, out_h = [], [], [], []
    step = 0
    while len(active):
        p = pred[rows[active], cur[active]].astype(np.int64)
        has = p >= 0
        active = active[has]
        p = p[has]
        out_p.append(pairs[active])
        out_s.append(np.full(len(active), step, dtype=np.int64))
        out_t.append(p)
        out_h.append(cur[active].copy())
        cur[active] = p
        step += 1
    if not out_p:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, empty
    return (
        np.concatenate(out_p),
        np.concatenate(out_s),
        np.concatenate(out_t),
        np.concatenate(out_h),
    )


def shortest_paths(
    net: TravelNetwork,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Draw the fastest path along the roads from each origin to the destination of its row.

    Parameters
    ----------
    net : TravelNetwork
        Road network of one mode.
    origins, destinations : GeoDataFrame
        Point layers of equal length, any CRS: row i of ``origins`` travels to row i of
        ``destinations``.

    Returns
    -------
    GeoDataFrame
        Indexed like ``origins``: ``time_s`` (seconds), ``network_m`` (metres) and the
        LineString of each path along the roads (EPSG:4326), off-road legs included; NaN and
        no geometry where there is no path.

    Raises
    ------
    InputError
        When the layers differ in length, have no CRS or hold a row without a point.
    """
    if len(origins) != len(destinations):
        msg = (
            f"起点与终点数量不同 / origins ({len(origins)}) and destinations "
            f"({len(destinations)}) differ in length"
        )
        raise InputError(msg, column="destinations")
    n = len(origins)
    layer = pd.concat(
        [origins.geometry.to_crs(STORAGE_CRS), destinations.geometry.to_crs(STORAGE_CRS)],
        ignore_index=True,
    )
    finder = PathFinder(net, gpd.GeoDataFrame(geometry=layer, crs=STORAGE_CRS))
    found = finder.paths(np.arange(n), n + np.arange(n))
    return gpd.GeoDataFrame(
        {"time_s": found["time_s"].to_numpy(), "network_m": found["network_m"].to_numpy()},
        geometry=found.geometry.to_numpy(),
        crs=STORAGE_CRS,
        index=origins.index,
    )
