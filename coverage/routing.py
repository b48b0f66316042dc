"""Fast travel-time queries on a compact sparse (CSR) road network: nearest, within, isochrones.

Points (villages, facilities, sites) join the network at the nearest point of the nearest
road, with an off-road walking leg. Every query inserts those join points into the network as
virtual nodes (splitting the roads they sit on) and runs ``scipy.sparse.csgraph.dijkstra``, so
distances are exact: a point in the middle of a 100 m road is 50 m from either end, plus its leg.
"""

from __future__ import annotations

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

from coverage._edges import edge_arrays
from coverage._substring import line_pieces
from coverage.config import Rules, load_rules
from coverage.errors import InputError
from coverage.projection import STORAGE_CRS, metric_crs_for
from coverage.terrain import DEM, as_dem, tobler_speed_kmh
from coverage.travel import base_speed_kmh, directional_times_s, is_walking, max_speed_mps

_BATCH_CELLS = 12_000_000
"""Cells (sources x nodes) of one bounded Dijkstra batch: about 100 MB of float64."""

_END_FRACTION = 1e-9
"""Join points this close (as a fraction of the road) to a road end are taken to be at it."""

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


def _csr(tail: np.ndarray, head: np.ndarray, w: np.ndarray, other: np.ndarray, n: int) -> _Csr:
    """CSR matrix keeping, of parallel edges, the one of least ``w`` (explicit zeros kept)."""
    ok = np.isfinite(w) & np.isfinite(other)  # a direction the mode may not use has no time
    tail, head, w, other = tail[ok], head[ok], w[ok], other[ok]
    order = np.lexsort((other, w, head, tail))
    tail, head, w, other = tail[order], head[order], w[order], other[order]
    keys = tail.astype(np.int64) * n + head
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    tail, head, w, other, keys = tail[first], head[first], w[first], other[first], keys[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    matrix = sparse.csr_matrix((w, head.astype(np.int32), indptr), shape=(n, n))
    return _Csr(matrix=matrix, other=other, keys=keys, n=n)


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
        Graph node ids by node index.
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
        self._tree = shapely.STRtree(self.road_lines)
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
        drop classes without a speed (see :mod:`coverage.travel`).

        Parameters
        ----------
        graph : networkx.MultiDiGraph
            Road graph from :func:`coverage.graph.graph_from_osm` or osmnx.
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
        geoms = self._points_metric(points)
        _, road = self._tree.query_nearest(geoms, all_matches=False)
        lines = self.road_lines[road]
        frac = shapely.line_locate_point(lines, geoms, normalized=True)
        join = shapely.line_interpolate_point(lines, frac, normalized=True)
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
            index=points.index,
        )

    def _points_metric(self, points: gpd.GeoDataFrame) -> np.ndarray:
        if points.crs is None:
            msg = "point layer has no CRS (expected EPSG:4326 longitude/latitude)"
            raise InputError(msg, column="geometry")
        geoms = points.geometry.to_crs(self.metric_crs).to_numpy()
        bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        bad |= shapely.get_type_id(geoms) != 0
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            msg = "every row needs a point geometry"
            raise InputError(msg, row=row, column="geometry")
        return geoms

    # ------------------------------------------------------------------ augmented graph
    def _augment(self, snaps: Sequence[pd.DataFrame], points: Sequence[np.ndarray]) -> _Aug:
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
        joins = shapely.line_interpolate_point(self.road_lines[road], frac, normalized=True)
        leg_lines = shapely.linestrings(
            np.stack([shapely.get_coordinates(pts), shapely.get_coordinates(joins)], axis=1)
        )
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
        so = self.snap(origins)
        out["off_network"] = so["off_network"].to_numpy()
        out["leg_m"] = so["leg_m"].to_numpy()
        if len(facilities) == 0:
            return out
        f_pts = self._points_metric(facilities)
        sf = self.snap(facilities)
        aug = self._augment([so, sf], [o_pts, f_pts])
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
        other[ok] = _walk_back(pred, np.zeros(int(ok.sum()), dtype=np.int64), o_nodes[ok], g)
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
        so, sd = self.snap(origins), self.snap(destinations)
        aug = self._augment([so, sd], [o_pts, d_pts])
        n_o = len(origins)
        o_nodes, d_nodes = aug.point_node[:n_o], aug.point_node[n_o:]
        g_t = self._graph(aug, "time", reverse=False)
        g_m = self._graph(aug, "distance", reverse=False)
        len_limit = radius * _STRAIGHT_SLACK if max_m is None else float(max_m)
        order = np.argsort(oi, kind="stable")
        oi, di = oi[order], di[order]
        sources, start = np.unique(oi, return_index=True)
        stop = np.r_[start[1:], len(oi)]
        batch = max(1, _BATCH_CELLS // aug.n)
        res_m = np.full(len(oi), np.nan)
        res_s = np.full(len(oi), np.nan)
        for b0 in range(0, len(sources), batch):
            src = sources[b0 : b0 + batch]
            lo, hi = start[b0], stop[min(b0 + batch, len(sources)) - 1]
            rows = np.searchsorted(src, oi[lo:hi])
            cols = d_nodes[di[lo:hi]]
            idx = o_nodes[src]
            if max_s is not None and max_m is not None:
                dt = csgraph.dijkstra(g_t.matrix, indices=idx, limit=float(max_s))
                dm = csgraph.dijkstra(g_m.matrix, indices=idx, limit=len_limit)
                res_s[lo:hi], res_m[lo:hi] = dt[rows, cols], dm[rows, cols]
            else:
                g = g_t if max_s is not None else g_m
                limit = float(max_s) if max_s is not None else len_limit
                dist, pred = csgraph.dijkstra(
                    g.matrix, indices=idx, limit=limit, return_predecessors=True
                )
                prim = dist[rows, cols]
                ok = np.isfinite(prim)
                oth = np.full(len(prim), np.nan)
                oth[ok] = _walk_back(pred, rows[ok], cols[ok], g)
                if max_s is not None:
                    res_s[lo:hi], res_m[lo:hi] = prim, oth
                else:
                    res_m[lo:hi], res_s[lo:hi] = prim, oth
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
        aug = self._augment([self.snap(facilities)], [pts])
        g = self._graph(aug, "time", reverse=True)
        batch = max(1, _BATCH_CELLS // aug.n)
        parts: list[gpd.GeoDataFrame] = []
        for b0 in range(0, len(ids), batch):
            sel = np.arange(b0, min(b0 + batch, len(ids)))
            dist = csgraph.dijkstra(g.matrix, indices=aug.point_node[sel], limit=max(mins) * 60.0)
            for row, f in enumerate(sel):
                parts.append(self._reached_areas(aug, dist[row], mins, buffer_m, ids[f]))
        out = pd.concat(parts, ignore_index=True)
        return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)

    def service_areas(
        self,
        facilities: gpd.GeoDataFrame,
        minutes: Sequence[float] = (15, 30, 60),
        *,
        buffer_m: float = 200.0,
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

        Returns
        -------
        GeoDataFrame
            Columns ``minutes`` and geometry (EPSG:4326), larger thresholds first.
        """
        mins = sorted({float(m) for m in minutes}, reverse=True)
        if len(facilities) == 0:
            return gpd.GeoDataFrame({"minutes": mins}, geometry=[None] * len(mins), crs=STORAGE_CRS)
        pts = self._points_metric(facilities)
        aug = self._augment([self.snap(facilities)], [pts])
        g = self._graph(aug, "time", reverse=True)
        dist = csgraph.dijkstra(
            g.matrix, indices=aug.point_node, min_only=True, limit=max(mins) * 60.0
        )
        out = self._reached_areas(aug, dist, mins, buffer_m, None).drop(columns="facility_id")
        return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)

    def _reached_areas(
        self, aug: _Aug, dist: np.ndarray, mins: list[float], buffer_m: float, fid: Any
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
            if len(pieces):
                area = shapely.buffer(shapely.union_all(pieces), buffer_m)
            else:
                area = shapely.Polygon()
            geoms.append(area)
        geoms_ll = shapely.transform(
            np.asarray(geoms, dtype=object),
            lambda c: np.column_stack(self._to_storage.transform(c[:, 0], c[:, 1])),
        )
        return pd.DataFrame(
            {"facility_id": [fid] * len(mins), "minutes": mins, "geometry": geoms_ll}
        )
