"""Travel-time queries on a road network for one mode: nearest facility, pairs within limits."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._csr import (
    STRAIGHT_SLACK,
    Csr,
    build_csr,
    candidate_pairs,
    nearest_source,
)
from lvliang_coverage.network._joined import (
    bounded_joined,
    direct_trips,
    joins,
    nearest_joined,
    same_road_pairs,
    unique_inverse,
)
from lvliang_coverage.network._roads import RoadArrays, roads_from_base, roads_from_graph
from lvliang_coverage.network._within import check_limits, no_pairs, pairs_within
from lvliang_coverage.network.isochrones import IsochroneQueries
from lvliang_coverage.network.offroad import offroad_model, walk_flat_kmh
from lvliang_coverage.network.roadbase import RoadBase
from lvliang_coverage.network.snapping import (
    Augmented,
    RoadSnapper,
    augment,
    layer_ids,
    metric_xy,
)
from lvliang_coverage.network.speeds import max_speed_mps
from lvliang_coverage.network.terrain import DEM, as_dem


class TravelNetwork(IsochroneQueries):
    """A road network for one travel mode, converted once to arrays for fast queries.

    Build it with :meth:`from_roads` (a road base read from an OSM file, no networkx) or
    :meth:`from_graph` (osmnx or user graphs). Roads keep their geometry (in a metric CRS) so
    points can join anywhere along them; each road may be usable forward (a->b), backward or
    both.

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

    Notes
    -----
    Points (villages, facilities, sites) join the network at the nearest point of the nearest
    road, with an off-road walking leg (model ``network.offroad_model``, see
    :mod:`lvliang_coverage.network.offroad`). Every query inserts those join points into the
    network as virtual nodes (splitting the roads they sit on) and runs
    ``scipy.sparse.csgraph.dijkstra``, so distances are exact: a point in the middle of a 100 m
    road is 50 m from either end, plus its leg. The travel time of part of a road is the same
    share of the road's time as of its length (exact on a uniform slope; a road's time itself
    follows its sampled elevation profile).

    Measures run FROM origins (villages) TO facilities: nearest-facility queries search the
    reversed network from all facilities at once, so one-way roads count in the direction
    people travel.
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
        road_lines: np.ndarray | None = None,
        metric_crs: str,
        metric_lines: np.ndarray | None = None,
        node_xy: np.ndarray | None = None,
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
        if metric_lines is None:  # lines in EPSG:4326 given: convert them
            metric_lines = np.asarray(
                shapely.transform(road_lines, self._metric_coords), dtype=object
            )
        self.road_lines = metric_lines
        self.node_xy = (
            node_xy if node_xy is not None else np.column_stack(self._to_metric.transform(x, y))
        )
        self._base: dict[tuple[str, bool], Csr] = {}
        self._offroad = (offroad_model(rules), walk_flat_kmh(rules))  # checked here, used later
        self.max_speed_mps = max_speed_mps(mode, rules)

    @functools.cached_property
    def _snapper(self) -> RoadSnapper:
        """The nearest-road index, built at the first snap (a province's costs GBs)."""
        return RoadSnapper(
            self.road_lines,
            u_ids=self.node_ids[self.road_a],
            v_ids=self.node_ids[self.road_b],
            dem=self.dem,
            metric_crs=self.metric_crs,
            network=self.rules.network,
            offroad=self._offroad[0],
            flat_kmh=self._offroad[1],
        )

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
        drop classes without a speed (see :mod:`lvliang_coverage.network.speeds`).

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
        return cls._of_roads(
            roads_from_graph(graph, mode, rules=rules, dem=model), mode, rules, model
        )

    @classmethod
    def from_roads(
        cls,
        base: RoadBase,
        *,
        mode: str = "walk",
        rules: Rules | None = None,
        dem: str | Path | DEM | None = None,
    ) -> TravelNetwork:
        """Build the network of one travel mode from a road base, without a networkx graph.

        Gives the same network as :meth:`from_graph` on ``base.to_networkx()`` (same nodes,
        roads, lengths and times). The networks of several modes share the base's arrays:
        node ids and coordinates, and the road lines in EPSG:4326 and in the metric CRS
        (computed once on the base); each mode adds its own road ends, lengths and times.

        Parameters
        ----------
        base : RoadBase
            Roads of an OSM file (:func:`lvliang_coverage.network.graph.road_base_from_osm`).
        mode : str, default "walk"
            Travel mode.
        rules : Rules, optional
            Rules in force (default: the shipped rules).
        dem : str, Path or DEM, optional
            Elevation model for slope-dependent times (per vertex of each road).

        Returns
        -------
        TravelNetwork
            The network.

        Raises
        ------
        InputError
            When no road may be used in ``mode``, or the DEM does not cover the roads.
        """
        rules = rules or load_rules()
        model = as_dem(dem)
        return cls._of_roads(
            roads_from_base(base, mode, rules=rules, dem=model), mode, rules, model
        )

    @classmethod
    def _of_roads(
        cls, roads: RoadArrays, mode: str, rules: Rules, model: DEM | None
    ) -> TravelNetwork:
        """Wrap the road arrays of one mode."""
        return cls(
            mode=mode,
            rules=rules,
            dem=model,
            node_ids=roads.node_ids,
            x=roads.x,
            y=roads.y,
            road_a=roads.road_a,
            road_b=roads.road_b,
            len_fwd=roads.len_fwd,
            len_bwd=roads.len_bwd,
            time_fwd=roads.time_fwd,
            time_bwd=roads.time_bwd,
            road_lines=roads.road_lines,
            metric_crs=roads.metric_crs,
            metric_lines=roads.metric_lines,
            node_xy=roads.node_xy,
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
            road, by the ``network.offroad_model``; by default Tobler on the straight-line slope
            with a DEM, flat otherwise, at speed x ``network.offpath_factor``), ``leg_in_s``
            (seconds from the road to the point),
            ``off_network`` (leg_m > ``network.max_offroad_leg_m``; the time still counts),
            ``join_x``/``join_y`` (longitude/latitude of the join point).

        Raises
        ------
        InputError
            When the layer has no CRS or a row has no point geometry.
        """
        return self._snapper.snap(self._points_metric(points), points.index)[0].copy()

    def _points_metric(self, points: gpd.GeoDataFrame) -> np.ndarray:
        """``(k, 2)`` coordinates of a point layer in the metric CRS (metres), validated."""
        return metric_xy(points, self._to_metric)

    def _insert(self, points: gpd.GeoDataFrame) -> Augmented:
        """Snap one point layer and insert it into the network."""
        pts = self._points_metric(points)
        snapped, join = self._snapper.snap(pts, points.index)
        return augment(self, [snapped], [pts], [join])

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
        direction the villager travels). It runs on the cached base graph with one source row
        per facility appended (edges to its road's ends weighted by the leg and the part of the
        road); an origin's answer is the best of its road's two ends (plus its part of the road
        and its leg) and of the facilities on its own road. Exact, as if every point were
        inserted into the network.

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
            msg = (
                f"nearest_by 只能是 'time'（时间）或 'distance'（距离），收到 {nearest_by!r} / "
                f"nearest_by must be 'time' or 'distance', got {nearest_by!r}"
            )
            raise InputError(msg, column="nearest_by")
        if id_col not in facilities.columns:
            msg = f"设施图层缺少列 {id_col!r} / facility layer has no column {id_col!r}"
            raise InputError(msg, column=id_col)
        n_o = len(origins)
        fid = np.full(n_o, None, dtype=object)
        time_s, network_m, leg_m = (np.full(n_o, np.nan) for _ in range(3))
        ok, off = np.zeros(n_o, dtype=bool), np.zeros(n_o, dtype=bool)
        if n_o:
            o_pts = self._points_metric(origins)
            so, _ = self._snapper.snap(o_pts, origins.index)
            off = so["off_network"].to_numpy(dtype=bool)
            leg_m = so["leg_m"].to_numpy(dtype=float)
        if n_o and len(facilities):
            f_pts = self._points_metric(facilities)
            sf, _ = self._snapper.snap(f_pts, facilities.index)
            by = "time" if nearest_by == "time" else "distance"
            oi, fi = same_road_pairs(so, sf)
            d, other, chosen = nearest_joined(
                self.base_graph(by, reverse=True),
                joins(self, sf, by),
                joins(self, so, by),
                (oi, fi, *direct_trips(self, so, sf, oi, fi, by)),
            )
            ok = np.isfinite(d)
            fid[ok] = facilities[id_col].to_numpy()[chosen[ok]]
            t_s, n_m = (d, other) if by == "time" else (other, d)
            time_s, network_m = np.where(ok, t_s, np.nan), np.where(ok, n_m, np.nan)
        return pd.DataFrame(
            {
                "facility_id": fid,
                "network_m": network_m,
                "time_s": time_s,
                "leg_m": leg_m,
                "reachable": ok,
                "off_network": off,
            },
            index=origins.index,
        )

    def base_graph(self, by: str = "time", *, reverse: bool = False) -> Csr:
        """Build (once, then cached) the CSR graph of the network's own nodes and roads.

        Parameters
        ----------
        by : {"time", "distance"}
            Primary weight: seconds or metres.
        reverse : bool, default False
            Reverse every edge (for distances TO targets).

        Returns
        -------
        Csr
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
            self._base[key] = build_csr(tail, head, w, other, self.n_nodes)
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
            msg = (
                f"nearest_by 只能是 'time'（时间）或 'distance'（距离），收到 {nearest_by!r} / "
                f"nearest_by must be 'time' or 'distance', got {nearest_by!r}"
            )
            raise InputError(msg, column="nearest_by")
        order = np.argsort(self.node_ids, kind="stable")
        wanted = np.asarray(list(targets), dtype=self.node_ids.dtype)
        pos = np.clip(np.searchsorted(self.node_ids[order], wanted), 0, self.n_nodes - 1)
        found = self.node_ids[order][pos] == wanted
        if not found.all():
            msg = (
                f"目标 {wanted[~found][0]!r} 不是路网节点 / "
                f"target {wanted[~found][0]!r} is not a node of the graph"
            )
            raise InputError(msg, column="targets")
        t_idx = order[pos]
        g = self.base_graph("time" if nearest_by == "time" else "distance", reverse=True)
        dist, other, src = nearest_source(g, t_idx)
        ok = np.isfinite(dist)
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
        ``limit``), on a window of the base graph around a tile of origins (the nodes within
        the straight-line reach of the limit) with the origins appended as source rows; a
        destination is read at its road's two ends (plus the part of the road and its leg) or
        along a road it shares with the origin. Nothing is inserted into the whole network, so
        the cost follows the number of nearby pairs. With both limits, ``network_m`` is the
        shortest network distance and ``time_s`` the shortest travel time (possibly on
        different routes) and a pair must meet both; with one limit the other measure is taken
        along the route found.

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
        check_limits(max_m, max_s)
        o_ids = layer_ids(origins, id_cols[0])
        d_ids = layer_ids(destinations, id_cols[1])
        empty = no_pairs()
        if len(origins) == 0 or len(destinations) == 0:
            return empty
        o_pts, d_pts = self._points_metric(origins), self._points_metric(destinations)
        radius = np.inf if max_m is None else float(max_m)
        if max_s is not None:
            radius = min(radius, float(max_s) * self.max_speed_mps)
        oi, di = candidate_pairs(o_pts, d_pts, radius * STRAIGHT_SLACK)
        if len(oi) == 0:
            return empty
        so, _ = self._snapper.snap(o_pts, origins.index)
        sd, _ = self._snapper.snap(d_pts, destinations.index)
        src, pair_src = unique_inverse(oi)
        src_xy = o_pts[src]
        reach_s = float(max_s) * self.max_speed_mps * STRAIGHT_SLACK if max_s is not None else 0.0
        len_limit = radius * STRAIGHT_SLACK if max_m is None else float(max_m)

        def search(by: str, limit: float, reach: float, other: bool) -> tuple[np.ndarray, ...]:
            js = joins(self, so, by).take(src)
            jd = joins(self, sd, by).take(di)
            direct = direct_trips(self, so, sd, oi, di, by)
            g = self.base_graph(by, reverse=False)
            args = (g, self.node_xy, js, src_xy, pair_src, jd, direct, limit, reach)
            return bounded_joined(*args, other=other)

        if max_s is not None and max_m is not None:
            res_s, _ = search("time", float(max_s), reach_s, False)
            res_m, _ = search("distance", len_limit, len_limit * STRAIGHT_SLACK, False)
        elif max_s is not None:
            res_s, res_m = search("time", float(max_s), reach_s, True)
        else:
            res_m, res_s = search("distance", len_limit, len_limit * STRAIGHT_SLACK, True)
        return pairs_within(o_ids, d_ids, oi, di, res_m, res_s, max_m, max_s)
