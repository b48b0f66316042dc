"""Fast travel-time queries on a compact sparse (CSR) road network: nearest, within, isochrones.

Points (villages, facilities, sites) join the network at the nearest point of the nearest
road, with an off-road walking leg. Every query inserts those join points into the network as
virtual nodes (splitting the roads they sit on) and runs ``scipy.sparse.csgraph.dijkstra``, so
distances are exact: a point in the middle of a 100 m road is 50 m from either end, plus its leg.
The travel time of part of a road is the same share of the road's time as of its length (exact
on a uniform slope; a road's time itself follows its sampled elevation profile).

Measures run FROM origins (villages) TO facilities: nearest-facility queries search the reversed
network from all facilities at once, so one-way roads count in the direction people travel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS, metric_crs_for
from lvliang_coverage.network._areas import buffered_area
from lvliang_coverage.network._edges import edge_arrays
from lvliang_coverage.network._substring import line_pieces
from lvliang_coverage.network.terrain import DEM, as_dem, tobler_speed_kmh
from lvliang_coverage.network.travel import (
    base_speed_kmh,
    directional_times_s,
    is_walking,
    max_speed_mps,
)

_BATCH_CELLS = 12_000_000
"""Cells (sources x nodes) of one bounded Dijkstra batch: about 100 MB of float64."""

_END_FRACTION = 1e-9
"""Join points this close (as a fraction of the road) to a road end are taken to be at it."""

_TILE_SOURCES = 32
"""Sources searched together in one subgraph window by the bounded matrix."""

_SNAP_CACHE_SIZE = 8
"""Point layers whose snapping results a network keeps."""

_SNAP_SEARCH_M = 3000.0
"""First search radius (metres) for the nearest road; farther points get an unbounded search."""

_STRAIGHT_SLACK = 1.01
"""Margin on straight-line pruning radii for the metric projection's scale error (< 0.1 %)."""


@dataclass
class _Aug:
    """A network with query points inserted: directed edges and their geometry references."""

    n: int
    tail: np.ndarray
    head: np.ndarray
    length: np.ndarray
    time: np.ndarray
    geom: np.ndarray  # index into roads (>= 0) or -1 - leg number for off-road legs
    f0: np.ndarray  # fraction along the geometry where the edge starts
    f1: np.ndarray  # ... and ends
    point_node: np.ndarray  # node index of every inserted point
    leg_lines: np.ndarray  # metric LineStrings point -> join point
    xy: np.ndarray  # metric coordinates of every node (graph nodes, join nodes, point nodes)


@dataclass
class _Csr:
    """Directed graph in CSR form with the primary weight and the other measure per edge."""

    matrix: sparse.csr_matrix
    other: np.ndarray
    keys: np.ndarray  # tail * n + head, sorted, aligned with ``other``
    n: int

    def other_of(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Look up the other measure on edges ``tail -> head`` (which must exist)."""
        pos = np.searchsorted(self.keys, tail.astype(np.int64) * self.n + head)
        return self.other[pos]

    def subgraph(self, idx: np.ndarray, lookup: np.ndarray) -> _Csr:
        """Induced subgraph on the sorted node indices ``idx``; ``lookup`` maps them to 0..k-1."""
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
        sub = sparse.csr_matrix((m.data[eid], head.astype(np.int32), indptr), shape=(k, k))
        return _Csr(matrix=sub, other=self.other[eid], keys=tail.astype(np.int64) * k + head, n=k)


def _csr(tail: np.ndarray, head: np.ndarray, w: np.ndarray, other: np.ndarray, n: int) -> _Csr:
    """CSR matrix keeping, of parallel edges, the one of least ``w`` (explicit zeros kept)."""
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
    return _Csr(matrix=matrix, other=other, keys=keys, n=n)


def _tree_sums(pred: np.ndarray, g: _Csr) -> np.ndarray:
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


def _walk_back(pred: np.ndarray, rows: np.ndarray, nodes: np.ndarray, g: _Csr) -> np.ndarray:
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


def _bounded(  # noqa: PLR0917 - private helper with positional query arrays
    g: _Csr,
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
        chunk = max(1, _BATCH_CELLS // max(len(idx), 1))
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
                oth[pairs[ok]] = _walk_back(res[1], rows[ok], cols[ok], sub)
        lookup[idx] = -1
    return prim, oth


class TravelNetwork:
    """A road network for one travel mode, converted once to arrays for fast queries.

    Build it with :meth:`from_graph`. Roads keep their geometry (in a metric CRS) so points can
    join anywhere along them; each road may be usable forward (a->b), backward or both.

    Attributes
    ----------
    mode : str
        Travel mode (``"walk"``, ``"motorcycle"``, ``"car"``).
    rules : Rules
        Rules in force.
    metric_crs : str
        Metric CRS used for snapping and buffers.
    node_ids : numpy.ndarray
        Graph node ids by node index (``n_nodes`` of them).
    x, y : numpy.ndarray
        Node longitude/latitude in degrees (EPSG:4326); ``node_xy`` the same in ``metric_crs``.
    road_a, road_b : numpy.ndarray
        Node indices at the two ends of every road (``n_roads`` of them).
    len_fwd, len_bwd : numpy.ndarray
        Road length in metres from a to b and from b to a.
    time_fwd, time_bwd : numpy.ndarray
        Travel time in seconds from a to b and from b to a; NaN where the mode may not go.
    road_lines : numpy.ndarray of LineString
        Road geometries from a to b in ``metric_crs`` (metres).
    dem : DEM or None
        Elevation model used for slopes and off-road legs.
    """

    def __init__(
        self,
        *,
        mode: str,
        rules: Rules,
        dem: DEM | None,
        node_ids: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        road_a: np.ndarray,
        road_b: np.ndarray,
        len_fwd: np.ndarray,
        len_bwd: np.ndarray,
        time_fwd: np.ndarray,
        time_bwd: np.ndarray,
        road_lines: np.ndarray,
        metric_crs: str,
    ) -> None:
        self.mode = mode
        self.rules = rules
        self.dem = dem
        self.node_ids = node_ids
        self.x, self.y = x, y
        self.road_a, self.road_b = road_a, road_b
        self.len_fwd, self.len_bwd = len_fwd, len_bwd
        self.time_fwd, self.time_bwd = time_fwd, time_bwd
        self.metric_crs = metric_crs
        self._to_metric = pyproj.Transformer.from_crs(STORAGE_CRS, metric_crs, always_xy=True)
        self._to_storage = pyproj.Transformer.from_crs(metric_crs, STORAGE_CRS, always_xy=True)
        self.road_lines = shapely.transform(road_lines, self._metric_coords)
        coords, idx = shapely.get_coordinates(self.road_lines, return_index=True)
        seg = np.flatnonzero(idx[1:] == idx[:-1])
        self._seg_road = idx[seg]
        self._seg_lines = shapely.linestrings(np.stack([coords[seg], coords[seg + 1]], axis=1))
        seg_len = shapely.length(self._seg_lines)
        csum = np.cumsum(seg_len)
        first = np.ones(len(seg), dtype=bool)
        first[1:] = self._seg_road[1:] != self._seg_road[:-1]
        run_start = np.flatnonzero(first)
        counts = np.diff(np.r_[run_start, len(seg)])
        self._seg_offset = csum - seg_len - np.repeat((csum - seg_len)[run_start], counts)
        self._road_len_metric = np.bincount(self._seg_road, weights=seg_len, minlength=len(road_a))
        self._tree = shapely.STRtree(self._seg_lines)
        self.node_xy = np.column_stack(self._to_metric.transform(x, y))
        self._base: dict[tuple[str, bool], _Csr] = {}
        self._snap_cache: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}
        walk = rules.speeds.get("walk", {})
        self._walk_flat_kmh = float(
            walk.get("flat_kmh")
            or next(t["flat_kmh"] for t in rules.speeds.values() if "flat_kmh" in t)
        )
        self.max_speed_mps = max_speed_mps(mode, rules)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_graph(
        cls,
        graph: nx.MultiDiGraph,
        *,
        mode: str = "walk",
        rules: Rules | None = None,
        dem: str | Path | DEM | None = None,
    ) -> TravelNetwork:
        """Convert a road graph for one travel mode.

        The two directed edges of a two-way road (same end nodes, same length) become one road
        usable both ways. Walking ignores one-way restrictions; motor modes respect them and
        drop classes without a speed (see :mod:`lvliang_coverage.network.travel`).

        Parameters
        ----------
        graph : networkx.MultiDiGraph
            Road graph from :func:`lvliang_coverage.network.graph.graph_from_osm` or osmnx.
        mode : str, default "walk"
            Travel mode.
        rules : Rules, optional
            Rules in force (default: the shipped rules).
        dem : str, Path or DEM, optional
            Elevation model for slope-dependent times (per vertex of each road). Without it,
            node ``elevation`` attributes give end-to-end grades, or flat ground.

        Returns
        -------
        TravelNetwork
            The network.
        """
        rules = rules or load_rules()
        model = as_dem(dem)
        arr = edge_arrays(graph)
        lo, hi = np.minimum(arr.u, arr.v), np.maximum(arr.u, arr.v)
        frame = pd.DataFrame(
            {
                "lo": lo,
                "hi": hi,
                "lk": np.round(arr.length * 1000.0).astype(np.int64),
                "fwd": arr.u <= arr.v,
            }
        )
        frame["rank"] = frame.groupby(["lo", "hi", "lk", "fwd"], sort=False).cumcount()
        road_of = frame.groupby(["lo", "hi", "lk", "rank"], sort=True).ngroup().to_numpy()
        n_roads = int(road_of.max()) + 1
        fwd = frame["fwd"].to_numpy()
        e_fwd = np.full(n_roads, -1, dtype=np.int64)
        e_bwd = np.full(n_roads, -1, dtype=np.int64)
        e_fwd[road_of[fwd]] = np.flatnonzero(fwd)
        e_bwd[road_of[~fwd]] = np.flatnonzero(~fwd)
        rep = np.where(e_fwd >= 0, e_fwd, e_bwd)
        lines = arr.geometry[rep].copy()
        only_bwd = e_fwd < 0
        if only_bwd.any():
            lines[only_bwd] = shapely.reverse(lines[only_bwd])
        road_a = np.where(only_bwd, arr.v[rep], arr.u[rep])
        road_b = np.where(only_bwd, arr.u[rep], arr.v[rep])
        base = base_speed_kmh(arr.highway[rep], arr.tracktype[rep], mode, rules)
        length = arr.length[rep]
        z0 = z1 = None
        if arr.elevation is not None and model is None:
            z0, z1 = arr.elevation[road_a], arr.elevation[road_b]
        t_f, t_b = directional_times_s(
            lines, length, base, mode, rules=rules, dem=model, z_start=z0, z_end=z1
        )
        len_f = np.where(e_fwd >= 0, arr.length[e_fwd], length)
        len_b = np.where(e_bwd >= 0, arr.length[e_bwd], length)
        if not is_walking(mode, rules):
            t_f = np.where(e_fwd >= 0, t_f, np.nan)
            t_b = np.where(e_bwd >= 0, t_b, np.nan)
        usable = np.isfinite(t_f) | np.isfinite(t_b)
        if not usable.any():
            msg = f"no road of the graph may be used in mode {mode!r}"
            raise InputError(msg, column="mode")
        metric = metric_crs_for(
            (arr.x.min() + arr.x.max()) / 2.0, (arr.y.min() + arr.y.max()) / 2.0
        )
        return cls(
            mode=mode,
            rules=rules,
            dem=model,
            node_ids=arr.node_ids,
            x=arr.x,
            y=arr.y,
            road_a=road_a[usable],
            road_b=road_b[usable],
            len_fwd=len_f[usable],
            len_bwd=len_b[usable],
            time_fwd=t_f[usable],
            time_bwd=t_b[usable],
            road_lines=lines[usable],
            metric_crs=metric,
        )

    def _metric_coords(self, coords: np.ndarray) -> np.ndarray:
        return np.column_stack(self._to_metric.transform(coords[:, 0], coords[:, 1]))

    @property
    def n_nodes(self) -> int:
        """Number of graph nodes."""
        return len(self.node_ids)

    @property
    def n_roads(self) -> int:
        """Number of roads (undirected pieces usable in at least one direction)."""
        return len(self.road_a)

    # ------------------------------------------------------------------ snapping
    def snap(self, points: gpd.GeoDataFrame) -> pd.DataFrame:
        """Join points to the nearest point of the nearest usable road, with an off-road leg.

        Parameters
        ----------
        points : GeoDataFrame
            Point layer in any CRS.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``points``: ``edge`` (road number), ``u``/``v`` (graph node ids at the
            road ends), ``fraction`` (0 at ``u``, 1 at ``v``, by length), ``distance_m``
            (straight line to the road, metres), ``leg_m`` (distance_m x
            ``network.offroad_winding``), ``leg_s`` (seconds walking from the point to the
            road: Tobler on the straight-line slope with a DEM, flat otherwise, at speed x
            ``network.offpath_factor``), ``leg_in_s`` (seconds from the road to the point),
            ``off_network`` (leg_m > ``network.max_offroad_leg_m``; the time still counts),
            ``join_x``/``join_y`` (longitude/latitude of the join point).

        Raises
        ------
        InputError
            When the layer has no CRS or a row has no point geometry.
        """
        return self._snap(self._points_metric(points), points.index)[0].copy()

    def _snap(self, geoms: np.ndarray, index: pd.Index) -> tuple[pd.DataFrame, np.ndarray]:
        """Snap points already in the metric CRS (see :meth:`snap`); also the join points.

        The last few results are kept, keyed by a hash of the coordinates, because workflows
        query the same villages and facilities several times.
        """
        digest = hashlib.blake2b(shapely.get_coordinates(geoms).tobytes(), digest_size=16)
        cache_key = digest.hexdigest()
        if cache_key in self._snap_cache:
            frame, join = self._snap_cache[cache_key]
            return frame.set_axis(index, axis=0), join
        frame, join = self._snap_new(geoms, index)
        if len(self._snap_cache) >= _SNAP_CACHE_SIZE:
            self._snap_cache.pop(next(iter(self._snap_cache)))
        self._snap_cache[cache_key] = (frame, join)
        return frame, join

    def _snap_new(self, geoms: np.ndarray, index: pd.Index) -> tuple[pd.DataFrame, np.ndarray]:
        seg = np.full(len(geoms), -1, dtype=np.int64)
        hit = self._tree.query_nearest(geoms, max_distance=_SNAP_SEARCH_M, all_matches=False)
        seg[hit[0]] = hit[1]
        miss = np.flatnonzero(seg < 0)
        if len(miss):
            seg[miss] = self._tree.query_nearest(geoms[miss], all_matches=False)[1]
        road = self._seg_road[seg]
        lines = self._seg_lines[seg]
        local = shapely.line_locate_point(lines, geoms)
        join = shapely.line_interpolate_point(lines, local)
        total = self._road_len_metric[road]
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(total > 0, (self._seg_offset[seg] + local) / total, 0.0)
        frac = np.clip(frac, 0.0, 1.0)
        dist = shapely.distance(geoms, join)
        net = self.rules.network
        leg_m = dist * net.offroad_winding
        slope = np.zeros(len(geoms))
        if self.dem is not None:
            pxy = shapely.get_coordinates(geoms)
            jxy = shapely.get_coordinates(join)
            z = self.dem.sample(
                np.r_[pxy[:, 0], jxy[:, 0]], np.r_[pxy[:, 1], jxy[:, 1]], crs=self.metric_crs
            )
            zp, zj = z[: len(geoms)], z[len(geoms) :]
            with np.errstate(divide="ignore", invalid="ignore"):
                slope = np.nan_to_num(np.where(dist > 0, (zj - zp) / dist, 0.0))
        speed_out = tobler_speed_kmh(slope, self._walk_flat_kmh) * net.offpath_factor / 3.6
        speed_in = tobler_speed_kmh(-slope, self._walk_flat_kmh) * net.offpath_factor / 3.6
        jx, jy = self._to_storage.transform(*shapely.get_coordinates(join).T)
        return pd.DataFrame(
            {
                "edge": road,
                "u": self.node_ids[self.road_a[road]],
                "v": self.node_ids[self.road_b[road]],
                "fraction": frac,
                "distance_m": dist,
                "leg_m": leg_m,
                "leg_s": leg_m / speed_out,
                "leg_in_s": leg_m / speed_in,
                "off_network": leg_m > net.max_offroad_leg_m,
                "join_x": jx,
                "join_y": jy,
            },
            index=index,
        ), join

    def _points_metric(self, points: gpd.GeoDataFrame) -> np.ndarray:
        """Point geometries of a layer in the metric CRS, validated."""
        if points.crs is None:
            msg = "point layer has no CRS (expected EPSG:4326 longitude/latitude)"
            raise InputError(msg, column="geometry")
        geoms = np.asarray(points.geometry.to_numpy(), dtype=object)
        bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        bad |= shapely.get_type_id(geoms) != 0
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            msg = "every row needs a point geometry"
            raise InputError(msg, row=row, column="geometry")
        if not pyproj.CRS(points.crs).equals(STORAGE_CRS):
            geoms = np.asarray(points.geometry.to_crs(STORAGE_CRS).to_numpy(), dtype=object)
        xy = shapely.get_coordinates(geoms)
        mx, my = self._to_metric.transform(xy[:, 0], xy[:, 1])
        return shapely.points(mx, my)

    # ------------------------------------------------------------------ augmented graph
    def _augment(
        self,
        snaps: Sequence[pd.DataFrame],
        points: Sequence[np.ndarray],
        joins: Sequence[np.ndarray],
    ) -> _Aug:
        """Insert snapped points as virtual join nodes (splitting roads) plus point nodes."""
        n0 = self.n_nodes
        road = np.concatenate([s["edge"].to_numpy() for s in snaps]).astype(np.int64)
        frac = np.concatenate([s["fraction"].to_numpy() for s in snaps])
        leg_m = np.concatenate([s["leg_m"].to_numpy() for s in snaps])
        leg_out = np.concatenate([s["leg_s"].to_numpy() for s in snaps])
        leg_in = np.concatenate([s["leg_in_s"].to_numpy() for s in snaps])
        k = len(road)
        join_node = n0 + np.arange(k)
        point_node = n0 + k + np.arange(k)
        order = np.lexsort((frac, road))
        r_s, f_s, j_s = road[order], frac[order], join_node[order]
        new_road = np.ones(k, dtype=bool)
        new_road[1:] = r_s[1:] != r_s[:-1]
        prev_node = np.where(new_road, self.road_a[r_s], np.r_[0, j_s[:-1]])
        prev_frac = np.where(new_road, 0.0, np.r_[0.0, f_s[:-1]])
        last = np.ones(k, dtype=bool)
        last[:-1] = r_s[1:] != r_s[:-1]
        # pieces: prev -> join for every point, and join -> b after the last point of a road
        p_road = np.r_[r_s, r_s[last]]
        p_from = np.r_[prev_node, j_s[last]]
        p_to = np.r_[j_s, self.road_b[r_s[last]]]
        p_f0 = np.r_[prev_frac, f_s[last]]
        p_f1 = np.r_[f_s, np.ones(int(last.sum()))]
        share = p_f1 - p_f0
        keep = np.ones(self.n_roads, dtype=bool)
        keep[r_s] = False
        kr = np.flatnonzero(keep)
        ones, zeros = np.ones(len(kr)), np.zeros(len(kr))
        legs = np.arange(k)
        tail = np.r_[self.road_a[kr], self.road_b[kr], p_from, p_to, point_node, join_node]
        head = np.r_[self.road_b[kr], self.road_a[kr], p_to, p_from, join_node, point_node]
        length = np.r_[
            self.len_fwd[kr],
            self.len_bwd[kr],
            share * self.len_fwd[p_road],
            share * self.len_bwd[p_road],
            leg_m,
            leg_m,
        ]
        time = np.r_[
            self.time_fwd[kr],
            self.time_bwd[kr],
            share * self.time_fwd[p_road],
            share * self.time_bwd[p_road],
            leg_out,
            leg_in,
        ]
        geom = np.r_[kr, kr, p_road, p_road, -1 - legs, -1 - legs]
        f0 = np.r_[zeros, ones, p_f0, p_f1, np.zeros(k), np.ones(k)]
        f1 = np.r_[ones, zeros, p_f1, p_f0, np.ones(k), np.zeros(k)]
        # a join point at a road end IS that node: link it both ways at no cost, so a point
        # at a junction may take any road there (including one-way roads leaving it)
        at_a, at_b = frac <= _END_FRACTION, frac >= 1.0 - _END_FRACTION
        ends = np.r_[np.flatnonzero(at_a), np.flatnonzero(at_b)]
        end_node = np.r_[self.road_a[road[at_a]], self.road_b[road[at_b]]]
        n_e = len(ends)
        tail = np.r_[tail, join_node[ends], end_node]
        head = np.r_[head, end_node, join_node[ends]]
        length = np.r_[length, np.zeros(2 * n_e)]
        time = np.r_[time, np.zeros(2 * n_e)]
        geom = np.r_[geom, road[ends], road[ends]]
        f0 = np.r_[f0, frac[ends], frac[ends]]
        f1 = np.r_[f1, frac[ends], frac[ends]]
        pts = np.concatenate(points)
        pxy = shapely.get_coordinates(pts)
        jxy = shapely.get_coordinates(np.concatenate(joins))
        leg_lines = shapely.linestrings(np.stack([pxy, jxy], axis=1))
        return _Aug(
            n=n0 + 2 * k,
            tail=tail,
            head=head,
            length=length,
            time=time,
            geom=geom,
            f0=f0,
            f1=f1,
            point_node=point_node,
            leg_lines=leg_lines,
            xy=np.concatenate([self.node_xy, jxy, pxy]),
        )

    @staticmethod
    def _graph(aug: _Aug, by: str, *, reverse: bool) -> _Csr:
        w, other = (aug.time, aug.length) if by == "time" else (aug.length, aug.time)
        tail, head = (aug.head, aug.tail) if reverse else (aug.tail, aug.head)
        return _csr(tail, head, w, other, aug.n)

    # ------------------------------------------------------------------ queries
    def nearest(
        self,
        origins: gpd.GeoDataFrame,
        facilities: gpd.GeoDataFrame,
        *,
        id_col: str = "facility_id",
        nearest_by: str = "time",
    ) -> pd.DataFrame:
        """Nearest facility of every origin by travel time (or network distance).

        Travel is measured from the origin (village) TO the facility, so a single multi-source
        Dijkstra runs from all facilities on the REVERSED network (one-way roads count in the
        direction the villager travels).

        Parameters
        ----------
        origins : GeoDataFrame
            Origin points (any CRS).
        facilities : GeoDataFrame
            Facility points (any CRS) with an ``id_col`` column.
        id_col : str, default "facility_id"
            Facility id column.
        nearest_by : {"time", "distance"}
            Minimise travel time (default) or network distance.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``origins``: ``facility_id``, ``network_m`` (metres along the chosen
            path, both off-road legs included), ``time_s`` (seconds, legs included),
            ``reachable`` (bool), ``off_network`` (the origin's flag), ``leg_m`` (the origin's
            off-road leg, metres). Unreachable origins have NaN and ``reachable=False``.

        Raises
        ------
        InputError
            When ``id_col`` is missing or ``nearest_by`` is unknown.
        """
        if nearest_by not in {"time", "distance"}:
            msg = f"nearest_by must be 'time' or 'distance', got {nearest_by!r}"
            raise InputError(msg, column="nearest_by")
        if id_col not in facilities.columns:
            msg = f"facility layer has no column {id_col!r}"
            raise InputError(msg, column=id_col)
        ids = facilities[id_col].to_numpy()
        out = pd.DataFrame(index=origins.index)
        out["facility_id"] = pd.Series([None] * len(origins), index=origins.index, dtype=object)
        for col in ("network_m", "time_s", "leg_m"):
            out[col] = np.nan
        out["reachable"] = False
        out["off_network"] = False
        if len(origins) == 0:
            return out
        o_pts = self._points_metric(origins)
        so, o_join = self._snap(o_pts, origins.index)
        out["off_network"] = so["off_network"].to_numpy()
        out["leg_m"] = so["leg_m"].to_numpy()
        if len(facilities) == 0:
            return out
        f_pts = self._points_metric(facilities)
        sf, f_join = self._snap(f_pts, facilities.index)
        aug = self._augment([so, sf], [o_pts, f_pts], [o_join, f_join])
        by = "time" if nearest_by == "time" else "distance"
        g = self._graph(aug, by, reverse=True)
        n_o = len(origins)
        f_nodes = aug.point_node[n_o:]
        dist, pred, src = csgraph.dijkstra(
            g.matrix, directed=True, indices=f_nodes, min_only=True, return_predecessors=True
        )
        o_nodes = aug.point_node[:n_o]
        d = dist[o_nodes]
        ok = np.isfinite(d)
        other = np.full(n_o, np.nan)
        other[ok] = _tree_sums(pred, g)[o_nodes[ok]]
        fac_of_node = np.full(aug.n, -1, dtype=np.int64)
        fac_of_node[f_nodes] = np.arange(len(f_nodes))
        chosen = np.where(ok, fac_of_node[np.where(ok, src[o_nodes], f_nodes[0])], -1)
        fid = np.empty(n_o, dtype=object)
        fid[ok] = ids[chosen[ok]]
        out["facility_id"] = fid
        time_s, network_m = (d, other) if by == "time" else (other, d)
        out["time_s"] = np.where(ok, time_s, np.nan)
        out["network_m"] = np.where(ok, network_m, np.nan)
        out["reachable"] = ok
        return out

    def base_graph(self, by: str = "time", *, reverse: bool = False) -> _Csr:
        """Build (once, then cached) the CSR graph of the network's own nodes and roads.

        Parameters
        ----------
        by : {"time", "distance"}
            Primary weight: seconds or metres.
        reverse : bool, default False
            Reverse every edge (for distances TO targets).

        Returns
        -------
        _Csr
            Matrix (``.matrix``, node index = position in :attr:`node_ids`) and the other
            measure per edge.
        """
        key = (by, reverse)
        if key not in self._base:
            tail = np.r_[self.road_a, self.road_b]
            head = np.r_[self.road_b, self.road_a]
            length = np.r_[self.len_fwd, self.len_bwd]
            time = np.r_[self.time_fwd, self.time_bwd]
            w, other = (time, length) if by == "time" else (length, time)
            if reverse:
                tail, head = head, tail
            self._base[key] = _csr(tail, head, w, other, self.n_nodes)
        return self._base[key]

    def nearest_nodes(self, targets: Sequence[Any], *, nearest_by: str = "time") -> pd.DataFrame:
        """Nearest target node of every graph node (no snapping: targets are graph nodes).

        One multi-source Dijkstra on the reversed graph, so the measure runs from each node TO
        its nearest target, as in :meth:`nearest`.

        Parameters
        ----------
        targets : sequence
            Graph node ids of the targets.
        nearest_by : {"time", "distance"}
            Minimise travel time (default) or network distance.

        Returns
        -------
        pandas.DataFrame
            Indexed by graph node id: ``target`` (node id), ``network_m`` (metres), ``time_s``
            (seconds) along the chosen path, ``reachable``; NaN where no target is reachable.

        Raises
        ------
        InputError
            When a target is not a node of the graph.
        """
        if nearest_by not in {"time", "distance"}:
            msg = f"nearest_by must be 'time' or 'distance', got {nearest_by!r}"
            raise InputError(msg, column="nearest_by")
        order = np.argsort(self.node_ids, kind="stable")
        wanted = np.asarray(list(targets), dtype=self.node_ids.dtype)
        pos = np.clip(np.searchsorted(self.node_ids[order], wanted), 0, self.n_nodes - 1)
        found = self.node_ids[order][pos] == wanted
        if not found.all():
            msg = f"target {wanted[~found][0]!r} is not a node of the graph"
            raise InputError(msg, column="targets")
        t_idx = order[pos]
        g = self.base_graph("time" if nearest_by == "time" else "distance", reverse=True)
        dist, pred, src = csgraph.dijkstra(
            g.matrix, directed=True, indices=t_idx, min_only=True, return_predecessors=True
        )
        ok = np.isfinite(dist)
        other = np.full(self.n_nodes, np.nan)
        other[ok] = _tree_sums(pred, g)[ok]
        target = np.empty(self.n_nodes, dtype=object)
        target[ok] = self.node_ids[src[ok]]
        dist = np.where(ok, dist, np.nan)
        time_s, network_m = (dist, other) if nearest_by == "time" else (other, dist)
        return pd.DataFrame(
            {"target": target, "network_m": network_m, "time_s": time_s, "reachable": ok},
            index=pd.Index(self.node_ids, name="node"),
        )

    def within(
        self,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        *,
        max_m: float | None = None,
        max_s: float | None = None,
        id_cols: tuple[str | None, str | None] = (None, None),
    ) -> pd.DataFrame:
        """All origin-destination pairs within a network distance and/or travel time.

        Candidate pairs are pruned by straight-line distance (network distance is never
        shorter; with only ``max_s`` the bound is ``max_s`` x the mode's top speed), then one
        Dijkstra bounded by the limit runs per origin (``scipy.sparse.csgraph.dijkstra`` with
        ``limit``, in batches). With both limits, ``network_m`` is the shortest network distance
        and ``time_s`` the shortest travel time (possibly on different routes) and a pair must
        meet both; with one limit the other measure is taken along the route found.

        Parameters
        ----------
        origins, destinations : GeoDataFrame
            Point layers (any CRS).
        max_m : float, optional
            Network distance limit in metres (legs included).
        max_s : float, optional
            Travel time limit in seconds (legs included).
        id_cols : (str or None, str or None)
            Columns holding origin and destination ids; None uses the index.

        Returns
        -------
        pandas.DataFrame
            Columns ``origin_id``, ``destination_id``, ``network_m``, ``time_s``; one row per
            pair within the limits, sorted by origin then time.

        Raises
        ------
        InputError
            When neither limit is given or an id column is missing.
        """
        if max_m is None and max_s is None:
            msg = "within() needs max_m and/or max_s"
            raise InputError(msg, column="max_m")
        o_ids = self._ids(origins, id_cols[0])
        d_ids = self._ids(destinations, id_cols[1])
        empty = pd.DataFrame(
            {
                "origin_id": pd.Series([], dtype=object),
                "destination_id": pd.Series([], dtype=object),
                "network_m": pd.Series([], dtype=float),
                "time_s": pd.Series([], dtype=float),
            }
        )
        if len(origins) == 0 or len(destinations) == 0:
            return empty
        o_pts, d_pts = self._points_metric(origins), self._points_metric(destinations)
        radius = np.inf if max_m is None else float(max_m)
        if max_s is not None:
            radius = min(radius, float(max_s) * self.max_speed_mps)
        oi, di = self._candidates(o_pts, d_pts, radius * _STRAIGHT_SLACK)
        if len(oi) == 0:
            return empty
        (so, o_join), (sd, d_join) = (
            self._snap(o_pts, origins.index),
            self._snap(d_pts, destinations.index),
        )
        aug = self._augment([so, sd], [o_pts, d_pts], [o_join, d_join])
        n_o = len(origins)
        o_nodes, d_nodes = aug.point_node[:n_o], aug.point_node[n_o:]
        g_t = self._graph(aug, "time", reverse=False)
        g_m = self._graph(aug, "distance", reverse=False)
        reach_s = float(max_s) * self.max_speed_mps * _STRAIGHT_SLACK if max_s is not None else 0.0
        len_limit = radius * _STRAIGHT_SLACK if max_m is None else float(max_m)
        src_nodes, pair_src = np.unique(o_nodes[oi], return_inverse=True)
        dst = d_nodes[di]
        if max_s is not None and max_m is not None:
            res_s, _ = _bounded(g_t, aug.xy, src_nodes, pair_src, dst, float(max_s), reach_s)
            res_m, _ = _bounded(
                g_m, aug.xy, src_nodes, pair_src, dst, len_limit, len_limit * _STRAIGHT_SLACK
            )
        elif max_s is not None:
            res_s, res_m = _bounded(
                g_t, aug.xy, src_nodes, pair_src, dst, float(max_s), reach_s, other=True
            )
        else:
            res_m, res_s = _bounded(
                g_m,
                aug.xy,
                src_nodes,
                pair_src,
                dst,
                len_limit,
                len_limit * _STRAIGHT_SLACK,
                other=True,
            )
        keep = np.isfinite(res_m) & np.isfinite(res_s)
        if max_m is not None:
            keep &= res_m <= max_m
        if max_s is not None:
            keep &= res_s <= max_s
        out = pd.DataFrame(
            {
                "origin_id": o_ids[oi[keep]],
                "destination_id": d_ids[di[keep]],
                "network_m": res_m[keep],
                "time_s": res_s[keep],
                "_o": oi[keep],
            }
        )
        out = out.sort_values(["_o", "time_s"], kind="stable").drop(columns="_o")
        return out.reset_index(drop=True)

    @staticmethod
    def _ids(frame: gpd.GeoDataFrame, col: str | None) -> np.ndarray:
        if col is None:
            return frame.index.to_numpy()
        if col not in frame.columns:
            msg = f"point layer has no column {col!r}"
            raise InputError(msg, column=col)
        return frame[col].to_numpy()

    @staticmethod
    def _candidates(
        o_pts: np.ndarray, d_pts: np.ndarray, radius: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (origin, destination) whose straight-line distance is at most ``radius`` m."""
        o_xy, d_xy = shapely.get_coordinates(o_pts), shapely.get_coordinates(d_pts)
        if not np.isfinite(radius):
            oi, di = np.meshgrid(np.arange(len(o_xy)), np.arange(len(d_xy)), indexing="ij")
            return oi.ravel(), di.ravel()
        pairs = cKDTree(o_xy).sparse_distance_matrix(cKDTree(d_xy), radius, output_type="ndarray")
        return pairs["i"].astype(np.int64), pairs["j"].astype(np.int64)

    # ------------------------------------------------------------------ isochrones
    def isochrones(
        self,
        facilities: gpd.GeoDataFrame,
        minutes: Sequence[float] = (15, 30, 60),
        *,
        id_col: str = "facility_id",
        buffer_m: float = 200.0,
        area_method: str = "auto",
    ) -> gpd.GeoDataFrame:
        """Areas from which each facility is reached within given minutes.

        Built from the reached roads, including the reached part of partly reached roads (cut
        at the exact fraction), buffered by ``buffer_m`` metres in the metric CRS; never a
        convex hull. Times run TO the facility (reversed network), like :meth:`nearest`.

        Parameters
        ----------
        facilities : GeoDataFrame
            Facility points with an ``id_col`` column.
        minutes : sequence of float, default (15, 30, 60)
            Travel-time thresholds in minutes.
        id_col : str, default "facility_id"
            Facility id column.
        buffer_m : float, default 200
            Buffer around reached roads in metres.
        area_method : {"auto", "vector", "raster"}
            Exact vector buffers, or a raster approximation for very large areas (cells of
            about ``buffer_m / 3``); ``"auto"`` switches to the raster above 20,000 vertices.

        Returns
        -------
        GeoDataFrame
            Columns ``facility_id``, ``minutes``, geometry (EPSG:4326), one row per facility
            and threshold (larger thresholds first, for drawing).
        """
        if id_col not in facilities.columns:
            msg = f"facility layer has no column {id_col!r}"
            raise InputError(msg, column=id_col)
        mins = sorted({float(m) for m in minutes}, reverse=True)
        ids = facilities[id_col].to_numpy()
        if len(facilities) == 0:
            return gpd.GeoDataFrame(
                {"facility_id": [], "minutes": []}, geometry=[], crs=STORAGE_CRS
            )
        pts = self._points_metric(facilities)
        sf, f_join = self._snap(pts, facilities.index)
        aug = self._augment([sf], [pts], [f_join])
        g = self._graph(aug, "time", reverse=True)
        batch = max(1, _BATCH_CELLS // aug.n)
        parts: list[gpd.GeoDataFrame] = []
        for b0 in range(0, len(ids), batch):
            sel = np.arange(b0, min(b0 + batch, len(ids)))
            dist = csgraph.dijkstra(g.matrix, indices=aug.point_node[sel], limit=max(mins) * 60.0)
            for row, f in enumerate(sel):
                parts.append(
                    self._reached_areas(
                        aug, dist[row], mins, buffer_m, ids[f], area_method=area_method
                    )
                )
        out = pd.concat(parts, ignore_index=True)
        return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)

    def service_areas(
        self,
        facilities: gpd.GeoDataFrame,
        minutes: Sequence[float] = (15, 30, 60),
        *,
        buffer_m: float = 200.0,
        area_method: str = "auto",
    ) -> gpd.GeoDataFrame:
        """Union of the facilities' isochrones per threshold (one multi-source Dijkstra).

        Parameters
        ----------
        facilities : GeoDataFrame
            Facility points (any CRS).
        minutes : sequence of float, default (15, 30, 60)
            Thresholds in minutes.
        buffer_m : float, default 200
            Buffer around reached roads in metres.
        area_method : {"auto", "vector", "raster"}
            Exact vector buffers, or a raster approximation for very large areas (cells of
            about ``buffer_m / 3``); ``"auto"`` switches to the raster above 20,000 vertices.

        Returns
        -------
        GeoDataFrame
            Columns ``minutes`` and geometry (EPSG:4326), larger thresholds first.
        """
        mins = sorted({float(m) for m in minutes}, reverse=True)
        if len(facilities) == 0:
            return gpd.GeoDataFrame({"minutes": mins}, geometry=[None] * len(mins), crs=STORAGE_CRS)
        pts = self._points_metric(facilities)
        sf, f_join = self._snap(pts, facilities.index)
        aug = self._augment([sf], [pts], [f_join])
        g = self._graph(aug, "time", reverse=True)
        dist = csgraph.dijkstra(
            g.matrix, indices=aug.point_node, min_only=True, limit=max(mins) * 60.0
        )
        out = self._reached_areas(aug, dist, mins, buffer_m, None, area_method=area_method)
        out = out.drop(columns="facility_id")
        return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)

    def _reached_areas(
        self,
        aug: _Aug,
        dist: np.ndarray,
        mins: list[float],
        buffer_m: float,
        fid: Any,
        *,
        area_method: str = "auto",
    ) -> pd.DataFrame:
        """Buffered reached parts of edges for each threshold, given times-to-target per node.

        An edge tail -> head of time w is reached from position s (0 at tail, 1 at head) when
        ``(1 - s) * w + dist[head] <= T``, i.e. for ``s >= 1 - (T - dist[head]) / w``.
        """
        dh = dist[aug.head]
        cand = np.flatnonzero(np.isfinite(dh))
        w = aug.time[cand]
        geoms = []
        for m in mins:
            budget = m * 60.0 - dh[cand]
            ok = budget >= 0
            e = cand[ok]
            with np.errstate(divide="ignore", invalid="ignore"):
                s_min = np.clip(np.where(w[ok] > 0, 1.0 - budget[ok] / w[ok], 0.0), 0.0, 1.0)
            f0, f1 = aug.f0[e], aug.f1[e]
            start = f0 + s_min * (f1 - f0)
            a, b = np.minimum(start, f1), np.maximum(start, f1)
            gid = aug.geom[e]
            road = gid >= 0
            pieces = np.empty(len(e), dtype=object)
            if road.any():
                pieces[road] = line_pieces(self.road_lines[gid[road]], a[road], b[road])
            if (~road).any():
                pieces[~road] = line_pieces(aug.leg_lines[-1 - gid[~road]], a[~road], b[~road])
            geoms.append(buffered_area(pieces, buffer_m, method=area_method))
        geoms_ll = shapely.transform(
            np.asarray(geoms, dtype=object),
            lambda c: np.column_stack(self._to_storage.transform(c[:, 0], c[:, 1])),
        )
        return pd.DataFrame(
            {"facility_id": [fid] * len(mins), "minutes": mins, "geometry": geoms_ll}
        )
