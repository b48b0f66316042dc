"""Snap points to the nearest point of the nearest road and insert them as join nodes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from lvliang_coverage.config import NetworkRules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._csr import Csr, build_csr
from lvliang_coverage.network.offroad import OffroadModel
from lvliang_coverage.network.terrain import DEM, warn_missing_elevations

if TYPE_CHECKING:
    from lvliang_coverage.network.routing import TravelNetwork

END_FRACTION = 1e-9
"""Join points this close (as a fraction of the road) to a road end are taken to be at it."""

_SNAP_CACHE_SIZE = 8
"""Point layers whose snapping results a snapper keeps."""

_SNAP_SEARCH_M = 3000.0
"""First search radius (metres) for the nearest road; farther points get an unbounded search."""


def points_metric(points: gpd.GeoDataFrame, to_metric: pyproj.Transformer) -> np.ndarray:
    """Point geometries of a layer in a metric CRS, validated.

    Parameters
    ----------
    points : GeoDataFrame
        Point layer in any CRS.
    to_metric : pyproj.Transformer
        Transformer from EPSG:4326 (longitude, latitude) to the metric CRS (metres).

    Returns
    -------
    numpy.ndarray of Point
        The points in the metric CRS.

    Raises
    ------
    InputError
        When the layer has no CRS or a row has no point geometry.
    """
    if points.crs is None:
        msg = (
            "点图层没有坐标参考系（应为 EPSG:4326 经纬度） / "
            "point layer has no CRS (expected EPSG:4326 longitude/latitude)"
        )
        raise InputError(msg, column="geometry")
    geoms = np.asarray(points.geometry.to_numpy(), dtype=object)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    bad |= shapely.get_type_id(geoms) != 0
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        msg = "每一行都需要点几何 / every row needs a point geometry"
        raise InputError(msg, row=row, column="geometry")
    if not pyproj.CRS(points.crs).equals(STORAGE_CRS):
        geoms = np.asarray(points.geometry.to_crs(STORAGE_CRS).to_numpy(), dtype=object)
    xy = shapely.get_coordinates(geoms)
    mx, my = to_metric.transform(xy[:, 0], xy[:, 1])
    return np.asarray(shapely.points(mx, my), dtype=object)


def layer_ids(frame: gpd.GeoDataFrame, col: str | None) -> np.ndarray:
    """Ids of a point layer: column ``col``, or the index when ``col`` is None.

    Raises
    ------
    InputError
        When the column is missing.
    """
    if col is None:
        return frame.index.to_numpy()
    if col not in frame.columns:
        msg = f"点图层缺少列 {col!r} / point layer has no column {col!r}"
        raise InputError(msg, column=col)
    return frame[col].to_numpy()


class RoadSnapper:
    """Nearest-road index over the straight segments of roads in a metric CRS.

    Parameters
    ----------
    road_lines : numpy.ndarray of LineString
        Road geometries from end a to end b in ``metric_crs`` (metres).
    u_ids, v_ids : numpy.ndarray
        Graph node ids at the a and b end of every road.
    dem : DEM or None
        Elevation model for the off-road legs' slopes.
    metric_crs : str
        The metric CRS of ``road_lines`` and of the points snapped.
    network : NetworkRules
        ``offroad_winding`` (leg length = straight line x winding), ``max_offroad_leg_m``.
    offroad : OffroadModel
        Model of the legs' walking time (see :mod:`lvliang_coverage.network.offroad`).
    flat_kmh : float
        Walking speed on flat ground in km/h, passed to ``offroad``.
    """

    def __init__(
        self,
        road_lines: np.ndarray,
        *,
        u_ids: np.ndarray,
        v_ids: np.ndarray,
        dem: DEM | None,
        metric_crs: str,
        network: NetworkRules,
        offroad: OffroadModel,
        flat_kmh: float,
    ) -> None:
        self.u_ids, self.v_ids = u_ids, v_ids
        self.dem = dem
        self.metric_crs = metric_crs
        self.network = network
        self.offroad = offroad
        self.flat_kmh = flat_kmh
        self._to_storage = pyproj.Transformer.from_crs(metric_crs, STORAGE_CRS, always_xy=True)
        coords, idx = shapely.get_coordinates(road_lines, return_index=True)
        seg = np.flatnonzero(idx[1:] == idx[:-1])
        self._seg_road = idx[seg]
        self._seg_lines = np.asarray(
            shapely.linestrings(np.stack([coords[seg], coords[seg + 1]], axis=1)), dtype=object
        )
        seg_len = shapely.length(self._seg_lines)
        csum = np.cumsum(seg_len)
        first = np.ones(len(seg), dtype=bool)
        first[1:] = self._seg_road[1:] != self._seg_road[:-1]
        run_start = np.flatnonzero(first)
        counts = np.diff(np.r_[run_start, len(seg)])
        self._seg_offset = csum - seg_len - np.repeat((csum - seg_len)[run_start], counts)
        self._road_len = np.bincount(self._seg_road, weights=seg_len, minlength=len(road_lines))
        self._tree = shapely.STRtree(self._seg_lines)
        self._cache: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}

    def snap(self, geoms: np.ndarray, index: pd.Index) -> tuple[pd.DataFrame, np.ndarray]:
        """Snap points in the metric CRS; the frame of ``TravelNetwork.snap`` and the joins.

        The last few results are kept, keyed by a hash of the coordinates, because workflows
        query the same villages and facilities several times.

        Parameters
        ----------
        geoms : numpy.ndarray of Point
            Points in the metric CRS (metres).
        index : pandas.Index
            Index of the returned frame.

        Returns
        -------
        (pandas.DataFrame, numpy.ndarray of Point)
            One row per point (see :meth:`TravelNetwork.snap`) and the join points on the roads
            in the metric CRS.
        """
        digest = hashlib.blake2b(shapely.get_coordinates(geoms).tobytes(), digest_size=16)
        cache_key = digest.hexdigest()
        if cache_key in self._cache:
            frame, join = self._cache[cache_key]
            return frame.set_axis(index, axis=0), join
        frame, join = self._snap_new(geoms, index)
        if len(self._cache) >= _SNAP_CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[cache_key] = (frame, join)
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
        join = np.asarray(shapely.line_interpolate_point(lines, local), dtype=object)
        total = self._road_len[road]
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(total > 0, (self._seg_offset[seg] + local) / total, 0.0)
        frac = np.clip(frac, 0.0, 1.0)
        dist = shapely.distance(geoms, join)
        net = self.network
        leg_m = dist * net.offroad_winding
        z_point = z_join = np.full(len(geoms), np.nan)
        if self.dem is not None:
            pxy = shapely.get_coordinates(geoms)
            jxy = shapely.get_coordinates(join)
            z = self.dem.sample(
                np.r_[pxy[:, 0], jxy[:, 0]], np.r_[pxy[:, 1], jxy[:, 1]], crs=self.metric_crs
            )
            z_point, z_join = z[: len(geoms)], z[len(geoms) :]
            warn_missing_elevations(self.dem, int(np.isnan(z_point).sum()), len(geoms), "points")
        jx, jy = self._to_storage.transform(*shapely.get_coordinates(join).T)
        return pd.DataFrame(
            {
                "edge": road,
                "u": self.u_ids[road],
                "v": self.v_ids[road],
                "fraction": frac,
                "distance_m": dist,
                "leg_m": leg_m,
                "leg_s": self.offroad(dist, z_point, z_join, net, self.flat_kmh),
                "leg_in_s": self.offroad(dist, z_join, z_point, net, self.flat_kmh),
                "off_network": leg_m > net.max_offroad_leg_m,
                "join_x": jx,
                "join_y": jy,
            },
            index=index,
        ), join


@dataclass
class Augmented:
    """A network with query points inserted: directed edges and their geometry references.

    Lengths are metres, times seconds; ``xy`` is in the network's metric CRS.
    """

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

    def csr(self, by: str, *, reverse: bool) -> Csr:
        """CSR graph weighted by ``"time"`` (seconds) or ``"distance"`` (metres)."""
        w, other = (self.time, self.length) if by == "time" else (self.length, self.time)
        tail, head = (self.head, self.tail) if reverse else (self.tail, self.head)
        return build_csr(tail, head, w, other, self.n)


def augment(
    roads: TravelNetwork,
    snaps: Sequence[pd.DataFrame],
    points: Sequence[np.ndarray],
    joins: Sequence[np.ndarray],
) -> Augmented:
    """Insert snapped points as virtual join nodes (splitting roads) plus point nodes.

    A piece of a road gets the same share of the road's time as of its length. Every point
    is linked to its join node by its off-road leg (``leg_s`` out, ``leg_in_s`` back).

    Parameters
    ----------
    roads : TravelNetwork
        The network whose roads the points split.
    snaps : sequence of pandas.DataFrame
        Snapping frames (see :meth:`RoadSnapper.snap`), one per point layer.
    points, joins : sequence of numpy.ndarray of Point
        The layers' points and join points in the metric CRS.

    Returns
    -------
    Augmented
        The network with ``n_nodes + 2 * k`` nodes for ``k`` points.
    """
    n0 = roads.n_nodes
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
    prev_node = np.where(new_road, roads.road_a[r_s], np.r_[0, j_s[:-1]])
    prev_frac = np.where(new_road, 0.0, np.r_[0.0, f_s[:-1]])
    last = np.ones(k, dtype=bool)
    last[:-1] = r_s[1:] != r_s[:-1]
    # pieces: prev -> join for every point, and join -> b after the last point of a road
    p_road = np.r_[r_s, r_s[last]]
    p_from = np.r_[prev_node, j_s[last]]
    p_to = np.r_[j_s, roads.road_b[r_s[last]]]
    p_f0 = np.r_[prev_frac, f_s[last]]
    p_f1 = np.r_[f_s, np.ones(int(last.sum()))]
    share = p_f1 - p_f0
    keep = np.ones(roads.n_roads, dtype=bool)
    keep[r_s] = False
    kr = np.flatnonzero(keep)
    ones, zeros = np.ones(len(kr)), np.zeros(len(kr))
    legs = np.arange(k)
    tail = np.r_[roads.road_a[kr], roads.road_b[kr], p_from, p_to, point_node, join_node]
    head = np.r_[roads.road_b[kr], roads.road_a[kr], p_to, p_from, join_node, point_node]

    def per_edge(fwd: np.ndarray, bwd: np.ndarray, out: np.ndarray, back: np.ndarray) -> np.ndarray:
        """Stack a road measure (both ways) on the new edges: roads, road pieces, then legs."""
        return np.r_[fwd[kr], bwd[kr], share * fwd[p_road], share * bwd[p_road], out, back]

    length = per_edge(roads.len_fwd, roads.len_bwd, leg_m, leg_m)
    time = per_edge(roads.time_fwd, roads.time_bwd, leg_out, leg_in)
    geom = np.r_[kr, kr, p_road, p_road, -1 - legs, -1 - legs]
    f0 = np.r_[zeros, ones, p_f0, p_f1, np.zeros(k), np.ones(k)]
    f1 = np.r_[ones, zeros, p_f1, p_f0, np.ones(k), np.zeros(k)]
    # a join point at a road end IS that node: link it both ways at no cost, so a point
    # at a junction may take any road there (including one-way roads leaving it)
    at_a, at_b = frac <= END_FRACTION, frac >= 1.0 - END_FRACTION
    ends = np.r_[np.flatnonzero(at_a), np.flatnonzero(at_b)]
    end_node = np.r_[roads.road_a[road[at_a]], roads.road_b[road[at_b]]]
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
    leg_lines = np.asarray(shapely.linestrings(np.stack([pxy, jxy], axis=1)), dtype=object)
    return Augmented(
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
        xy=np.concatenate([roads.node_xy, jxy, pxy]),
    )
