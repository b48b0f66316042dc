"""Isochrones and service areas: buffered reached parts of roads within travel-time thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.sparse import csgraph

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._areas import buffered_area
from lvliang_coverage.network._csr import BATCH_CELLS
from lvliang_coverage.network._substring import line_pieces
from lvliang_coverage.network.snapping import Augmented


@dataclass(frozen=True)
class AreaDrawing:
    """How reached roads become areas: their geometries, the way back to storage, the buffer.

    Attributes
    ----------
    road_lines : numpy.ndarray of LineString
        Road geometries in the metric CRS (metres).
    to_storage : pyproj.Transformer
        Metric CRS to EPSG:4326.
    buffer_m : float
        Buffer around reached roads in metres.
    area_method : {"auto", "vector", "raster"}
        See :func:`lvliang_coverage.network._areas.buffered_area`.
    """

    road_lines: np.ndarray
    to_storage: pyproj.Transformer
    buffer_m: float
    area_method: str = "auto"


def reached_areas(
    aug: Augmented,
    dist: np.ndarray,
    mins: list[float],
    fid: Any,
    drawing: AreaDrawing,
) -> pd.DataFrame:
    """Buffered reached parts of edges for each threshold, given times-to-target per node.

    An edge tail -> head of time w is reached from position s (0 at tail, 1 at head) when
    ``(1 - s) * w + dist[head] <= T``, i.e. for ``s >= 1 - (T - dist[head]) / w``.

    Parameters
    ----------
    aug : Augmented
        Network with the facilities inserted (metric CRS, seconds).
    dist : numpy.ndarray
        Seconds from every node of ``aug`` to the facility (inf where not reached).
    mins : list of float
        Thresholds in minutes.
    fid : Any
        Facility id written to the ``facility_id`` column.
    drawing : AreaDrawing
        Road geometries, the way back to EPSG:4326, the buffer and the area method.

    Returns
    -------
    pandas.DataFrame
        ``facility_id``, ``minutes`` and ``geometry`` (EPSG:4326), one row per threshold.
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
            pieces[road] = line_pieces(drawing.road_lines[gid[road]], a[road], b[road])
        if (~road).any():
            pieces[~road] = line_pieces(aug.leg_lines[-1 - gid[~road]], a[~road], b[~road])
        geoms.append(buffered_area(pieces, drawing.buffer_m, method=drawing.area_method))
    geoms_ll = shapely.transform(
        np.asarray(geoms, dtype=object),
        lambda c: np.column_stack(drawing.to_storage.transform(c[:, 0], c[:, 1])),
    )
    return pd.DataFrame({"facility_id": [fid] * len(mins), "minutes": mins, "geometry": geoms_ll})


def facility_isochrones(
    aug: Augmented, ids: np.ndarray, mins: list[float], drawing: AreaDrawing
) -> gpd.GeoDataFrame:
    """Isochrones of every inserted point, by batched Dijkstra on the reversed network.

    Parameters
    ----------
    aug : Augmented
        Network with the facilities (and only them) inserted, in the order of ``ids``.
    ids : numpy.ndarray
        Facility ids.
    mins : list of float
        Thresholds in minutes, larger first.
    drawing : AreaDrawing
        How reached roads become areas, as in :func:`reached_areas`.

    Returns
    -------
    GeoDataFrame
        ``facility_id``, ``minutes``, geometry (EPSG:4326) per facility and threshold.
    """
    g = aug.csr("time", reverse=True)
    batch = max(1, BATCH_CELLS // aug.n)
    parts: list[pd.DataFrame] = []
    for b0 in range(0, len(ids), batch):
        sel = np.arange(b0, min(b0 + batch, len(ids)))
        dist = csgraph.dijkstra(g.matrix, indices=aug.point_node[sel], limit=max(mins) * 60.0)
        parts.extend(
            reached_areas(aug, dist[row], mins, ids[f], drawing) for row, f in enumerate(sel)
        )
    out = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)


def union_service_areas(
    aug: Augmented, mins: list[float], drawing: AreaDrawing
) -> gpd.GeoDataFrame:
    """Union of the inserted points' isochrones per threshold (one multi-source Dijkstra).

    Parameters
    ----------
    aug, mins, drawing
        As for :func:`facility_isochrones` (the facilities inserted in any order).

    Returns
    -------
    GeoDataFrame
        ``minutes`` and geometry (EPSG:4326), one row per threshold.
    """
    g = aug.csr("time", reverse=True)
    dist = csgraph.dijkstra(g.matrix, indices=aug.point_node, min_only=True, limit=max(mins) * 60.0)
    out = reached_areas(aug, dist, mins, None, drawing).drop(columns="facility_id")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)


class IsochroneQueries:
    """Isochrone and service-area queries, mixed into :class:`~.routing.TravelNetwork`.

    Attributes
    ----------
    road_lines : numpy.ndarray of LineString
        Road geometries in the network's metric CRS (metres).
    """

    road_lines: np.ndarray
    _to_storage: pyproj.Transformer

    def _insert(self, points: gpd.GeoDataFrame) -> Augmented:
        """Snap one point layer and insert it into the network (provided by the network)."""
        raise NotImplementedError

    def _drawing(self, buffer_m: float, area_method: str) -> AreaDrawing:
        """How this network's reached roads become areas."""
        return AreaDrawing(self.road_lines, self._to_storage, buffer_m, area_method)

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
        convex hull. Times run TO the facility (reversed network), like
        :meth:`lvliang_coverage.network.routing.TravelNetwork.nearest`.

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
            msg = f"设施图层缺少列 {id_col!r} / facility layer has no column {id_col!r}"
            raise InputError(msg, column=id_col)
        mins = sorted({float(m) for m in minutes}, reverse=True)
        ids = facilities[id_col].to_numpy()
        if len(facilities) == 0:
            return gpd.GeoDataFrame(
                {"facility_id": [], "minutes": []}, geometry=[], crs=STORAGE_CRS
            )
        aug = self._insert(facilities)
        return facility_isochrones(aug, ids, mins, self._drawing(buffer_m, area_method))

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
        minutes, buffer_m, area_method
            Thresholds in minutes and how reached roads become areas, as for
            :meth:`isochrones`.

        Returns
        -------
        GeoDataFrame
            Columns ``minutes`` and geometry (EPSG:4326), larger thresholds first.
        """
        mins = sorted({float(m) for m in minutes}, reverse=True)
        if len(facilities) == 0:
            return gpd.GeoDataFrame({"minutes": mins}, geometry=[None] * len(mins), crs=STORAGE_CRS)
        aug = self._insert(facilities)
        return union_service_areas(aug, mins, self._drawing(buffer_m, area_method))
