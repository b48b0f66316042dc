"""Snap points to the nearest point of the nearest road and insert them as join nodes."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree

from lvliang_coverage.config import NetworkRules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._csr import Csr, build_csr
from lvliang_coverage.network._joined import END_FRACTION
from lvliang_coverage.network.offroad import OffroadModel
from lvliang_coverage.network.terrain import DEM, warn_missing_elevations

if TYPE_CHECKING:
    from lvliang_coverage.network.routing import TravelNetwork


_SNAP_CACHE_SIZE = 8
"""Point layers whose snapping results a snapper keeps."""

_GRID_ENTRIES = 6
"""Most cell entries per segment in the snapping grid (technical setting: coarser cells else)."""


def points_metric(points: gpd.GeoDataFrame, to_metric: pyproj.Transformer) -> np.ndarray:
    """Point geometries of a layer in a metric CRS, validated (see :func:`metric_xy`).

    Returns
    -------
    numpy.ndarray of Point
        The points in the metric CRS.
    """
    return np.asarray(shapely.points(metric_xy(points, to_metric)), dtype=object)


def metric_xy(points: gpd.GeoDataFrame, to_metric: pyproj.Transformer) -> np.ndarray:
    """Coordinates of a point layer in a metric CRS, validated.

    Parameters
    ----------
    points : GeoDataFrame
        Point layer in any CRS.
    to_metric : pyproj.Transformer
        Transformer from EPSG:4326 (longitude, latitude) to the metric CRS (metres).

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` coordinates in the metric CRS (metres).

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
    bad = shapely.get_type_id(geoms) != 0  # -1 where missing
    if not bad.any():
        xy = shapely.get_coordinates(geoms)
        if len(xy) != len(geoms):  # an empty point has no coordinates
            bad = shapely.is_empty(geoms)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        msg = "每一行都需要点几何 / every row needs a point geometry"
        raise InputError(msg, row=row, column="geometry")
    if not _is_storage_crs(points.crs):
        xy = shapely.get_coordinates(points.geometry.to_crs(STORAGE_CRS).to_numpy())
    mx, my = to_metric.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([mx, my])


@functools.cache
def _storage_crs() -> pyproj.CRS:
    """Return the storage CRS (EPSG:4326), parsed once."""
    return pyproj.CRS(STORAGE_CRS)


def _is_storage_crs(crs: pyproj.CRS) -> bool:
    """Whether a layer's CRS is the storage CRS (EPSG:4326), by identity first (cheap)."""
    storage = _storage_crs()
    return crs is storage or crs == storage or pyproj.CRS(crs).equals(storage)


def as_xy(points: np.ndarray) -> np.ndarray:
    """``(k, 2)`` coordinates of an array of Points, or the coordinate array itself."""
    if points.dtype == object:
        return shapely.get_coordinates(points)
    return np.asarray(points, dtype=float).reshape(-1, 2)


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


class _SegmentIndex:
    """Straight segments of the roads in a uniform grid of cells (metric CRS), numpy only.

    The nearest segment of a point is found exactly and for all points at once: the nearest
    road vertex (k-d tree) bounds the distance, every segment is listed in the cells its box
    meets, and numpy measures the segments of the cells under the square of that half-width
    around the point. Points whose square spans more than 2 x 2 cells (far from every road)
    ask an STRtree, built then, for the segments whose boxes meet their square. Built lazily,
    on the first snap.
    """

    def __init__(self, road_lines: np.ndarray) -> None:
        coords, idx = shapely.get_coordinates(road_lines, return_index=True)
        seg = np.flatnonzero(idx[1:] == idx[:-1])
        self.seg_road = idx[seg]
        self.seg_a, self.seg_b = coords[seg], coords[seg + 1]
        seg_len = np.hypot(*(self.seg_b - self.seg_a).T)
        csum = np.cumsum(seg_len)
        first = np.ones(len(seg), dtype=bool)
        first[1:] = self.seg_road[1:] != self.seg_road[:-1]
        run_start = np.flatnonzero(first)
        counts = np.diff(np.r_[run_start, len(seg)])
        self.seg_offset = csum - seg_len - np.repeat((csum - seg_len)[run_start], counts)
        self.road_len = np.bincount(self.seg_road, weights=seg_len, minlength=len(road_lines))
        order = np.lexsort((coords[:, 1], coords[:, 0]))
        srt = coords[order]
        distinct = np.r_[True, np.any(srt[1:] != srt[:-1], axis=1)]
        self._kd = cKDTree(srt[distinct])  # every vertex once (junctions are shared)
        self._tree: shapely.STRtree | None = None
        self._grid(seg_len)

    def _grid(self, seg_len: np.ndarray) -> None:
        """List every segment in the cells its box meets (cells of about a segment's length)."""
        lo = np.minimum(self.seg_a, self.seg_b)
        hi = np.maximum(self.seg_a, self.seg_b)
        self._origin = lo.min(axis=0) if len(lo) else np.zeros(2)
        cell = max(float(np.median(seg_len)) if len(seg_len) else 1.0, 1.0)
        while True:  # coarser cells while long segments would fill too many
            c0 = np.floor((lo - self._origin) / cell).astype(np.int64)
            c1 = np.floor((hi - self._origin) / cell).astype(np.int64)
            span = c1 - c0 + 1
            per_seg = span[:, 0] * span[:, 1]
            if int(per_seg.sum()) <= _GRID_ENTRIES * max(len(lo), 1):
                break
            cell *= 2.0
        self._cell = cell
        self._width = int(c1[:, 0].max()) + 3 if len(lo) else 3
        total = int(per_seg.sum())
        seg = np.repeat(np.arange(len(lo)), per_seg)
        k = np.arange(total) - np.repeat(np.cumsum(per_seg) - per_seg, per_seg)
        cx = c0[seg, 0] + k % span[seg, 0]
        cy = c0[seg, 1] + k // span[seg, 0]
        ids = self._cell_id(cx, cy)
        order = np.argsort(ids, kind="stable")
        self._cell_ids, self._cell_segs = ids[order], seg[order]

    def _cell_id(self, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
        """Linear number of the cells in columns ``cx``, rows ``cy``; -1 outside the grid.

        One spare column each side keeps the numbers of the 3 x 3 cells around any point of
        the grid distinct; cells beyond hold no segment.
        """
        inside = (cx >= -1) & (cx <= self._width - 2) & (cy >= -1)
        return np.where(inside, (cy + 1) * self._width + (cx + 1), -1)

    def nearest(self, pxy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest segment of every point (ties: the lowest segment number).

        Parameters
        ----------
        pxy : numpy.ndarray
            ``(k, 2)`` point coordinates in the metric CRS (metres).

        Returns
        -------
        (numpy.ndarray, numpy.ndarray, numpy.ndarray)
            Segment numbers, metres from the segment's start to the nearest point on it, and
            the ``(k, 2)`` coordinates of those nearest points.
        """
        if len(pxy) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros((0, 2))
        seg = self._nearest_in_grid(pxy)
        rest = np.flatnonzero(seg < 0)
        if len(rest):
            seg[rest] = self._nearest_by_tree(pxy[rest])
        t, _ = self._project(pxy, seg)
        ab = self.seg_b[seg] - self.seg_a[seg]
        return seg, t * np.hypot(ab[:, 0], ab[:, 1]), self.seg_a[seg] + t[:, None] * ab

    def _nearest_in_grid(self, pxy: np.ndarray) -> np.ndarray:
        """Nearest segment by the grid: -1 where the search square spans over 2 x 2 cells.

        The nearest road vertex bounds the distance, so the nearest segment's box meets the
        square of that half-width around the point, and so one of the cells under the square.
        """
        bound, _ = self._kd.query(pxy)
        pad = (bound * (1.0 + 1e-9) + 1e-6)[:, None]
        c0 = np.floor((pxy - pad - self._origin) / self._cell).astype(np.int64)
        c1 = np.floor((pxy + pad - self._origin) / self._cell).astype(np.int64)
        small = np.all(c1 - c0 <= 1, axis=1)
        offsets = np.array([(0, 0), (1, 0), (0, 1), (1, 1)])
        cx = c0[:, None, 0] + offsets[:, 0]
        cy = c0[:, None, 1] + offsets[:, 1]
        use = (cx <= c1[:, None, 0]) & (cy <= c1[:, None, 1]) & small[:, None]
        cells = np.where(use, self._cell_id(cx, cy), -1).ravel()
        lo = np.searchsorted(self._cell_ids, cells)
        counts = np.searchsorted(self._cell_ids, cells, side="right") - lo
        total = int(counts.sum())
        pi = np.repeat(np.arange(len(cells)) // len(offsets), counts)
        si = self._cell_segs[np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total)]
        seg = np.full(len(pxy), -1, dtype=np.int64)
        if total == 0:
            return seg
        new = np.r_[True, pi[1:] != pi[:-1]]
        starts = np.flatnonzero(new)
        group = np.cumsum(new) - 1  # points with candidates, in order
        _, d2 = self._project(pxy[pi], si)
        best = np.minimum.reduceat(d2, starts)
        pick = np.minimum.reduceat(np.where(d2 <= best[group], si, len(self.seg_road)), starts)
        seg[pi[starts]] = pick
        return seg

    def _nearest_by_tree(self, pxy: np.ndarray) -> np.ndarray:
        """Nearest segment of every point by the k-d tree bound and the STRtree (exact)."""
        if self._tree is None:
            lines = shapely.linestrings(np.stack([self.seg_a, self.seg_b], axis=1))
            self._tree = shapely.STRtree(np.asarray(lines))
        bound, _ = self._kd.query(pxy)
        pad = (bound * (1.0 + 1e-9) + 1e-6)[:, None]
        # a diagonal of the square: its envelope is the square, and a line is cheap to make
        diagonals = shapely.linestrings(np.stack([pxy - pad, pxy + pad], axis=1))
        pi, si = self._tree.query(diagonals)
        if len(pi) > 1 and np.any(pi[1:] < pi[:-1]):
            order = np.argsort(pi, kind="stable")
            pi, si = pi[order], si[order]
        starts = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]])
        _, d2 = self._project(pxy[pi], si)
        best = np.minimum.reduceat(d2, starts)
        return np.minimum.reduceat(np.where(d2 <= best[pi], si, len(self.seg_road)), starts)

    def _project(self, pxy: np.ndarray, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position (0-1 along each segment) of the nearest point, and its squared distance."""
        a = self.seg_a[seg]
        ab = self.seg_b[seg] - a
        ap = pxy - a
        len2 = np.einsum("ij,ij->i", ab, ab)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(len2 > 0, np.einsum("ij,ij->i", ap, ab) / len2, 0.0)
        np.clip(t, 0.0, 1.0, out=t)
        off = ap - t[:, None] * ab
        return t, np.einsum("ij,ij->i", off, off)


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
        self._road_lines = road_lines
        self._index: _SegmentIndex | None = None
        self._cache: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}

    @property
    def index(self) -> _SegmentIndex:
        """The segment index, built on the first snap (a network never snapped costs nothing)."""
        if self._index is None:
            self._index = _SegmentIndex(self._road_lines)
        return self._index

    def snap(self, points: np.ndarray, index: pd.Index) -> tuple[pd.DataFrame, np.ndarray]:
        """Snap points in the metric CRS; the frame of ``TravelNetwork.snap`` and the joins.

        The last few results are kept, keyed by a hash of the coordinates, because workflows
        query the same villages and facilities several times.

        Parameters
        ----------
        points : numpy.ndarray
            ``(k, 2)`` coordinates (or Points) in the metric CRS (metres).
        index : pandas.Index
            Index of the returned frame.

        Returns
        -------
        (pandas.DataFrame, numpy.ndarray)
            One row per point (see :meth:`TravelNetwork.snap`) and the ``(k, 2)`` coordinates
            of the join points on the roads in the metric CRS.
        """
        pxy = np.ascontiguousarray(as_xy(points))
        digest = hashlib.blake2b(pxy.tobytes(), digest_size=16)
        cache_key = digest.hexdigest()
        if cache_key in self._cache:
            frame, join = self._cache[cache_key]
            return frame.set_axis(index, axis=0), join
        frame, join = self._snap_new(pxy, index)
        if len(self._cache) >= _SNAP_CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[cache_key] = (frame, join)
        return frame, join

    def _snap_new(self, pxy: np.ndarray, index: pd.Index) -> tuple[pd.DataFrame, np.ndarray]:
        ix = self.index
        seg, local, jxy = ix.nearest(pxy)
        road = ix.seg_road[seg]
        total = ix.road_len[road]
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(total > 0, (ix.seg_offset[seg] + local) / total, 0.0)
        frac = np.clip(frac, 0.0, 1.0)
        dist = np.hypot(pxy[:, 0] - jxy[:, 0], pxy[:, 1] - jxy[:, 1])
        net = self.network
        leg_m = dist * net.offroad_winding
        z_point = z_join = np.full(len(pxy), np.nan)
        if self.dem is not None:
            z = self.dem.sample(
                np.r_[pxy[:, 0], jxy[:, 0]], np.r_[pxy[:, 1], jxy[:, 1]], crs=self.metric_crs
            )
            z_point, z_join = z[: len(pxy)], z[len(pxy) :]
            warn_missing_elevations(self.dem, int(np.isnan(z_point).sum()), len(pxy), "points")
        jx, jy = self._to_storage.transform(jxy[:, 0], jxy[:, 1])
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
        ), jxy


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
    points, joins : sequence of numpy.ndarray
        The layers' points and join points in the metric CRS: ``(k, 2)`` coordinates or
        Points.

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
    pxy = np.concatenate([as_xy(p) for p in points])
    jxy = np.concatenate([as_xy(j) for j in joins])
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
