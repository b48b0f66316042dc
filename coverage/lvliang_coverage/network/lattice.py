"""Terrain travel model: walking over a friction lattice plus the exact road network."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.sparse import csgraph

from lvliang_coverage.config import Rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network import _lattice_grid as lg
from lvliang_coverage.network._csr import STRAIGHT_SLACK, Csr, candidate_pairs, pair_measures
from lvliang_coverage.network._lattice_query import (
    Lattice,
    chain_keys,
    first_hops,
    joins,
    point_edges,
    road_only_surface,
    sources_only,
    walk_paths,
)
from lvliang_coverage.network._lattice_roads import Graph, insert, join_roads, merge
from lvliang_coverage.network._within import check_limits, no_pairs, pairs_within
from lvliang_coverage.network.offroad import walk_flat_kmh
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.snapping import layer_ids, points_metric
from lvliang_coverage.network.surface import TravelSurface
from lvliang_coverage.network.terrain import DEM, as_dem, tobler_max_factor


def _quiet(_: str) -> None:
    """Progress callback that prints nothing."""


class TerrainNetwork:
    """Hybrid travel model for one mode: walking over a terrain lattice plus the exact road network.

    Build it with :meth:`build`. Nodes are the walkable cells of the study area (cell centres,
    in the network's metric CRS), the road graph's nodes, and virtual nodes splitting every
    road at its vertices and, in every cell it passes through that holds none of its
    vertices, at the midpoint of its piece there (between its crossings with the cell
    edges). Edges:

    - lattice moves to the 8 neighbours (and the 8 knight's moves with 16 neighbours):
      walking, Tobler (1993) on the signed slope between the cell centres (uphill and
      downhill differ) x ``network.offpath_factor``, half the move in each cell at that
      cell's friction multiplier (the harmonic mean of the two speeds, as
      ``skimage.graph.MCP_Geometric``); a knight's move sees its end cells only;
    - road pieces between consecutive road nodes: the road mode's own times and one-way
      rules, the share of the road's time of the share of its length (as ``routing.py``);
    - walking legs both ways between every road node and the cell it lies in: every cell a
      road passes through is joined to that road.

    Barriers cut the moves and legs whose straight segment crosses them; roads cross them
    (bridges). A trip walks on the lattice and takes the mode on the road, switching at road
    nodes only. Query points join their cell (walking to its centre) and, when their
    snapped road leg (``TravelNetwork.snap``) is shorter than a cell and crosses no barrier,
    the road directly with that leg, so a point on a road gets the network model's trip
    whenever no walk is faster. Queries run from origins TO facilities on the reversed
    graph (``scipy.sparse.csgraph.dijkstra``). Move times are stored as float32 (1e-7
    relative); queries share the model's arrays, so one model serves one query at a time.

    Attributes
    ----------
    model_name : str
        ``"terrain"``.
    mode : str
        The road mode (walk, motorcycle, car).
    network : TravelNetwork
        The exact road network the model is built on.
    rules : Rules
        Rules in force.
    """

    model_name: str = "terrain"
    _lat: Lattice
    _n_moves: int
    _max_speed: float
    _tags: dict[str, str]
    _by_length: Graph | None = None

    def __init__(self, network: TravelNetwork, rules: Rules) -> None:
        self.network = network
        self.rules = rules
        self.mode = network.mode

    def __getattr__(self, name: str) -> Any:
        """Delegate what the model does not implement (snap, isochrones ...) to the network."""
        if name in {"network", "__setstate__", "__getstate__"} or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.network, name)

    # ------------------------------------------------------------------ construction
    @classmethod
    def build(
        cls,
        network: TravelNetwork,
        *,
        area: shapely.Geometry | gpd.GeoDataFrame,
        dem: DEM | str | Path | None,
        rules: Rules | None = None,
        friction: str | Path | None = None,
        barriers: gpd.GeoDataFrame | None = None,
        fords: gpd.GeoDataFrame | None = None,
        cell_m: float | None = None,
        neighbours: int | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> TerrainNetwork:
        """Build the lattice over the study area and join it to the road network.

        Parameters
        ----------
        network : TravelNetwork
            The road network of the mode (its metric CRS is the lattice's).
        area : shapely geometry or GeoDataFrame
            Study area; a geometry is in EPSG:4326, a frame in its CRS (EPSG:4326 if none).
        dem : DEM, str or Path
            Elevation model (metres); resampled to the lattice (rasterio, bilinear). None:
            flat ground (the network's own DEM, if any, still sets its road times).
        rules : Rules, optional
            Rules in force (default: the network's).
        friction : str or Path, optional
            GeoTIFF of speed multipliers, or of land-cover codes mapped by
            ``terrain.friction_classes`` (integer raster, non-empty table).
        barriers : GeoDataFrame, optional
            Lines or polygons (any CRS) that cannot be crossed on foot (e.g. the rivers).
        fords : GeoDataFrame, optional
            Points (any CRS) within ``terrain.ford_radius_m`` of which a barrier may be crossed.
        cell_m : float, optional
            Cell size in metres (default ``terrain.cell_m``).
        neighbours : {8, 16}, optional
            Moves per cell (default ``terrain.neighbours``).
        progress : callable, optional
            Progress callback (one bilingual line per step).

        Returns
        -------
        TerrainNetwork
            The model.

        Raises
        ------
        InputError
            For a cell size that is not positive, ``neighbours`` not 8 or 16, a friction
            raster that does not cover the area or holds unknown codes, non-point fords,
            barriers that are neither lines nor polygons, an empty study area.
        """
        rules = rules or network.rules
        say = progress or _quiet
        t = rules.terrain
        cell = float(t.cell_m if cell_m is None else cell_m)
        nb = int(t.neighbours if neighbours is None else neighbours)
        if nb not in {8, 16}:
            where = rules.source_of("terrain.neighbours") if neighbours is None else None
            msg = f"邻域只能是 8 或 16 / neighbours must be 8 or 16, got {nb}"
            raise InputError(msg, file=where, column="terrain.neighbours")
        unknown = [m for m in t.road_only_modes if m not in rules.modes]
        if unknown:
            key = "terrain.road_only_modes"
            msg = (
                f"未知的出行方式 {unknown} / unknown travel modes {unknown}; the rules define "
                f"{', '.join(rules.modes)}"
            )
            raise InputError(msg, file=rules.source_of(key), column=key)
        if not np.isfinite(cell) or cell <= 0:
            msg = f"格网边长必须为正 / cell_m must be positive, got {cell}"
            raise InputError(msg, column="terrain.cell_m")
        self = cls(network, rules)
        crs = network.metric_crs
        flat_kmh = walk_flat_kmh(rules)
        offpath = float(rules.network.offpath_factor)
        road_only = network.mode in t.road_only_modes
        say(f"构建地形格网 / building the terrain lattice ({cell:g} m, {nb} neighbours)")
        grid, inside = lg.make_grid(lg.area_metric(area, crs), cell, crs)
        model = as_dem(dem)
        z_grid = lg.resample_dem(model, grid)
        if friction is not None:
            mult_grid = lg.read_friction(friction, grid, inside, dict(t.friction_classes))
        else:
            mult_grid = inside.astype(np.float32)
        grid = lg.restrict(grid, inside & (mult_grid > 0))
        if grid.n == 0:
            msg = "研究区内没有可步行的格网单元 / no walkable lattice cell in the study area"
            raise InputError(msg, column="area")
        z = z_grid.ravel()[grid.cells]
        mult = mult_grid.ravel()[grid.cells]
        del z_grid, mult_grid
        bgeom = lg.barrier_geometry(barriers, fords, crs, float(t.ford_radius_m))
        barrier = lg.Barrier(bgeom, grid) if bgeom is not None else None
        say(f"计算格网步行时间 / walking moves of {grid.n:,} cells")
        moves = lg.lattice_moves(grid, z, mult, nb, flat_kmh, offpath, barrier)
        say("连接道路与格网 / joining the roads to the lattice")
        roads = join_roads(network, grid, model, z, mult, flat_kmh, offpath, barrier, road_only)
        n_nodes, base, n_virtual = network.n_nodes, grid.n, len(roads.virtual_road)
        graph = merge(moves, roads.edges, base + n_nodes + n_virtual)
        n_moves = len(moves.indices)
        del moves, roads.edges
        pair = np.sort(np.c_[network.road_a, network.road_b], axis=1).astype(np.int64)
        keys = pair[:, 0] * n_nodes + pair[:, 1]
        pair_order = np.argsort(keys, kind="stable")
        self._lat = Lattice(
            network=network,
            grid=grid,
            nearest_cell=lg.nearest_node_grid(grid),
            z=z,
            mult=mult,
            dem=model,
            barrier=barrier,
            chain=roads.chain,
            chain_key=chain_keys(roads.chain.road, roads.chain.frac),
            base=graph,
            is_road=np.r_[np.zeros(base, bool), np.ones(n_nodes + n_virtual, bool)],
            node_road=np.r_[np.full(base + n_nodes, -1), roads.virtual_road].astype(np.int64),
            xy=np.r_[grid.centres(grid.cells), roads.xy],
            pair_keys=keys[pair_order],
            pair_order=pair_order,
            cell_m=cell,
            flat_kmh=flat_kmh,
            offpath=offpath,
            road_only=road_only,
            to_metric=pyproj.Transformer.from_crs(STORAGE_CRS, crs, always_xy=True),
        )
        self._n_moves = n_moves
        top_walk = flat_kmh * tobler_max_factor() * offpath / 3.6
        self._max_speed = max(float(network.max_speed_mps), top_walk * float(mult.max()))
        self._tags = {
            "model": "terrain",
            "mode": network.mode,
            "cell_m": f"{cell:g}",
            "neighbours": str(nb),
            "friction": Path(friction).name if friction is not None else "none",
            "barriers": f"{len(barriers)} features" if barriers is not None else "none",
            "fords": f"{len(fords)} points" if fords is not None else "none",
            "offpath_factor": f"{offpath:g}",
            "flat_kmh": f"{flat_kmh:g}",
        }
        say(f"地形格网完成 / terrain lattice ready: {n_moves:,} moves")
        return self

    @property
    def n_cells(self) -> int:
        """Number of lattice nodes (walkable cells in the study area)."""
        return self._lat.grid.n

    @property
    def n_moves(self) -> int:
        """Number of directed lattice moves."""
        return self._n_moves

    @property
    def max_speed_mps(self) -> float:
        """Top speed (m/s) of any edge: the road mode's, or walking downhill at top friction."""
        return self._max_speed

    def _base(self, by: str) -> Graph:
        """Return the base graph weighted by seconds, or by metres (built on first use)."""
        if by == "time":
            return self._lat.base
        if self._by_length is None:
            self._by_length = self._lat.base.swapped()
        return self._by_length

    # ------------------------------------------------------------------ queries
    def nearest(
        self,
        origins: gpd.GeoDataFrame,
        facilities: gpd.GeoDataFrame,
        *,
        id_col: str = "facility_id",
        nearest_by: str = "time",
    ) -> pd.DataFrame:
        """Nearest facility of every origin by travel time (or path length), walking and road.

        Parameters
        ----------
        origins : GeoDataFrame
            Origin points (any CRS).
        facilities : GeoDataFrame
            Facility points (any CRS) with an ``id_col`` column.
        id_col : str, default "facility_id"
            Facility id column.
        nearest_by : {"time", "distance"}
            Minimise travel time (default) or path length.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``origins``: the columns of :meth:`TravelNetwork.nearest`
            (``facility_id``, ``network_m`` metres along the path, ``time_s`` seconds,
            ``reachable``, ``off_network``, ``leg_m`` of the network model's snap) plus
            ``offroad_s`` (seconds walked off road on the trip), ``join_road`` (road index
            of the first road entered, -1 when none) and ``join_m`` (straight metres from the
            origin to where it enters that road; NaN when none).

        Raises
        ------
        InputError
            When ``id_col`` is missing or ``nearest_by`` is unknown.
        """
        lat = self._lat
        if lat.road_only:
            out = self.network.nearest(origins, facilities, id_col=id_col, nearest_by=nearest_by)
            return self._road_only_columns(out, origins)
        _check_nearest_by(nearest_by)
        if id_col not in facilities.columns:
            msg = f"设施图层缺少列 {id_col!r} / facility layer has no column {id_col!r}"
            raise InputError(msg, column=id_col)
        out = pd.DataFrame(index=origins.index)
        out["facility_id"] = pd.Series([None] * len(origins), index=origins.index, dtype=object)
        for col in ("network_m", "time_s", "leg_m"):
            out[col] = np.nan
        out["reachable"] = False
        out["off_network"] = False
        out["offroad_s"] = np.nan
        out["join_road"] = np.full(len(origins), -1, dtype=np.int64)
        out["join_m"] = np.nan
        if len(origins) == 0:
            return out
        o = joins(lat, [origins])
        out["off_network"] = o.snap["off_network"].to_numpy()
        out["leg_m"] = o.snap["leg_m"].to_numpy()
        if len(facilities) == 0:
            return out
        f = joins(lat, [facilities])
        fp = point_edges(lat, f, -np.ones(len(facilities), np.int8))
        g = insert(self._base(nearest_by), sources_only(fp, lat.n_base), fp.n, nearest_by)
        dist, pred, src = csgraph.dijkstra(
            g.matrix, directed=True, indices=fp.node, min_only=True, return_predecessors=True
        )
        start = first_hops(lat, o, f, fp, dist, nearest_by)
        ok = np.isfinite(start.value)
        s_node = start.node[ok]
        other, off_s, road, entry = walk_paths(lat, g, dist, pred, s_node, fp, nearest_by)
        fac = np.full(fp.n, -1, dtype=np.int64)
        fac[fp.node] = np.arange(len(fp.node))
        chosen = fac[src[s_node]]
        fid = np.empty(len(origins), dtype=object)
        fid[ok] = facilities[id_col].to_numpy()[chosen]
        other = other + start.other[ok]
        prim = start.value[ok]
        time_s, network_m = (prim, other) if nearest_by == "time" else (other, prim)
        hop_road = start.road[ok]
        road = np.where(hop_road >= 0, hop_road, road)
        entry = np.where((hop_road >= 0)[:, None], start.entry[ok], entry)
        out["facility_id"] = fid
        out.loc[ok, "time_s"] = time_s
        out.loc[ok, "network_m"] = network_m
        out.loc[ok, "offroad_s"] = off_s + start.offroad_s[ok]
        jr = np.full(len(origins), -1, dtype=np.int64)
        jr[ok] = road
        out["join_road"] = jr
        jm = np.full(len(origins), np.nan)
        jm[ok] = np.where(road >= 0, np.hypot(*(entry - o.xy[ok]).T), np.nan)
        out["join_m"] = jm
        out["reachable"] = ok
        return out

    def _road_only_columns(self, out: pd.DataFrame, origins: gpd.GeoDataFrame) -> pd.DataFrame:
        """Network-model results with the terrain columns: the off-road leg, the snapped road."""
        o = joins(self._lat, [origins]) if len(origins) else None
        ok = out["reachable"].to_numpy(dtype=bool)
        if o is None:
            out["offroad_s"], out["join_road"], out["join_m"] = np.nan, -1, np.nan
            return out
        out["offroad_s"] = np.where(ok, o.leg_s, np.nan)
        out["join_road"] = np.where(ok, o.edge, -1).astype(np.int64)
        out["join_m"] = np.where(ok, np.hypot(*(o.jxy - o.xy).T), np.nan)
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
        """All origin-destination pairs within a path length and/or travel time.

        Same columns and semantics as :meth:`TravelNetwork.within` (``origin_id``,
        ``destination_id``, ``network_m`` metres, ``time_s`` seconds; sorted by origin then
        time): bounded Dijkstra searches from the destinations on the reversed graph, each
        in the window of nodes the limit can reach.

        Raises
        ------
        InputError
            When neither limit is given or an id column is missing.
        """
        lat = self._lat
        if lat.road_only:
            return self.network.within(
                origins, destinations, max_m=max_m, max_s=max_s, id_cols=id_cols
            )
        check_limits(max_m, max_s)
        o_ids = layer_ids(origins, id_cols[0])
        d_ids = layer_ids(destinations, id_cols[1])
        empty = no_pairs()
        if len(origins) == 0 or len(destinations) == 0:
            return empty
        o_pts = points_metric(origins, lat.to_metric)
        d_pts = points_metric(destinations, lat.to_metric)
        radius = np.inf if max_m is None else float(max_m)
        if max_s is not None:
            radius = min(radius, float(max_s) * self.max_speed_mps)
        oi, di = candidate_pairs(o_pts, d_pts, radius * STRAIGHT_SLACK)
        if len(oi) == 0:
            return empty
        n_o = len(origins)
        role = np.r_[np.ones(n_o, np.int8), -np.ones(len(destinations), np.int8)]
        pts = point_edges(lat, joins(lat, [origins, destinations]), role)
        o_nodes, d_nodes = pts.node[:n_o], pts.node[n_o:]
        xy = np.r_[lat.xy, pts.xy]
        reach_s = float(max_s) * self.max_speed_mps * STRAIGHT_SLACK if max_s is not None else 0.0
        len_limit = radius * STRAIGHT_SLACK if max_m is None else float(max_m)
        src_nodes, pair_src = np.unique(d_nodes[di], return_inverse=True)
        g_t = g_m = None
        if max_s is not None:
            g = insert(self._base("time"), pts.edges, pts.n, "time")
            g_t = Csr(matrix=g.matrix, other=g.other, keys=np.zeros(0, np.int64), n=g.n)
        if max_m is not None:
            g = insert(self._base("distance"), pts.edges, pts.n, "distance")
            g_m = Csr(matrix=g.matrix, other=g.other, keys=np.zeros(0, np.int64), n=g.n)
        res_m, res_s = pair_measures(
            g_t or g_m,  # type: ignore[arg-type]
            g_m or g_t,  # type: ignore[arg-type]
            xy,
            src_nodes,
            pair_src,
            o_nodes[oi],
            max_s=max_s,
            max_m=max_m,
            reach_s=reach_s,
            len_limit=len_limit,
        )
        return pairs_within(o_ids, d_ids, oi, di, res_m, res_s, max_m, max_s)

    def surface(
        self, facilities: gpd.GeoDataFrame, *, id_col: str = "facility_id"
    ) -> TravelSurface:
        """Minutes from every cell of the study area to its nearest facility.

        One multi-source Dijkstra from all facilities on the reversed graph: travel from the
        cell centre TO the facility, walking and the road mode.

        Parameters
        ----------
        facilities : GeoDataFrame
            Facility points (any CRS) with an ``id_col`` column.
        id_col : str, default "facility_id"
            Facility id column.

        Returns
        -------
        TravelSurface
            The surface on the lattice (NaN outside the area or unreached).

        Raises
        ------
        InputError
            When ``id_col`` is missing.
        """
        if id_col not in facilities.columns:
            msg = f"设施图层缺少列 {id_col!r} / facility layer has no column {id_col!r}"
            raise InputError(msg, column=id_col)
        lat = self._lat
        grid = lat.grid
        minutes = np.full(grid.rows * grid.cols, np.nan, dtype=np.float32)
        which = np.full(grid.rows * grid.cols, -1, dtype=np.int32)
        if len(facilities) and lat.road_only:
            d_s, f_pos = road_only_surface(lat, facilities, id_col)
            ok = np.isfinite(d_s)
            minutes[grid.cells[ok]] = d_s[ok] / 60.0
            which[grid.cells[ok]] = f_pos[ok]
        elif len(facilities):
            fp = point_edges(lat, joins(lat, [facilities]))
            g = insert(lat.base, sources_only(fp, lat.n_base), fp.n, "time")
            # the base arrays are float64 / int32 already, so scipy searches them in place
            # (no conversion copy); predecessors only because scipy returns ``sources``
            # (the facility of every cell) only with them
            dist, pred, src = csgraph.dijkstra(
                g.matrix, directed=True, indices=fp.node, min_only=True, return_predecessors=True
            )
            del g, pred
            d = dist[: grid.n]
            fac = np.full(fp.n, -1, dtype=np.int32)
            fac[fp.node] = np.arange(len(fp.node), dtype=np.int32)
            ok = np.isfinite(d)
            minutes[grid.cells[ok]] = (d[ok] / 60.0).astype(np.float32)
            which[grid.cells[ok]] = fac[src[: grid.n][ok]]
        tags = {**self._tags, "created": datetime.datetime.now(datetime.UTC).isoformat()}
        return TravelSurface(
            minutes=minutes.reshape(grid.rows, grid.cols),
            facility=which.reshape(grid.rows, grid.cols),
            facility_ids=facilities[id_col].to_numpy(),
            transform=grid.transform,
            crs=grid.crs,
            tags=tags,
        )


def _check_nearest_by(nearest_by: str) -> None:
    if nearest_by not in {"time", "distance"}:
        msg = (
            f"nearest_by 只能是 'time'（时间）或 'distance'（距离），收到 {nearest_by!r} / "
            f"nearest_by must be 'time' or 'distance', got {nearest_by!r}"
        )
        raise InputError(msg, column="nearest_by")
