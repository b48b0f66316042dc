"""Straight-line distances in a metric CRS (metres), vectorised."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from lvliang_coverage.inputs.projection import metric_crs_of


def metric_xy(points: gpd.GeoDataFrame, crs: str | None = None) -> np.ndarray:
    """Coordinates of point features in a metric CRS.

    Parameters
    ----------
    points : GeoDataFrame
        Point features in any CRS.
    crs : str, optional
        Metric CRS; chosen from the data's extent when omitted
        (:func:`lvliang_coverage.inputs.projection.metric_crs_of`).

    Returns
    -------
    numpy.ndarray
        Shape (n, 2), metres.
    """
    projected = points.geometry.to_crs(crs or metric_crs_of(points))
    return np.column_stack([projected.x.to_numpy(), projected.y.to_numpy()])


def pair_distances_m(
    a_xy: np.ndarray, b_xy: np.ndarray, ia: np.ndarray, ib: np.ndarray
) -> np.ndarray:
    """Straight-line distance in metres between ``a_xy[ia]`` and ``b_xy[ib]``, element-wise.

    Parameters
    ----------
    a_xy, b_xy : numpy.ndarray
        Metric coordinates, shape (n, 2) and (m, 2).
    ia, ib : numpy.ndarray of int
        Positions into ``a_xy`` and ``b_xy`` of equal length.

    Returns
    -------
    numpy.ndarray
        Distances in metres.
    """
    d = a_xy[np.asarray(ia, dtype=np.intp)] - b_xy[np.asarray(ib, dtype=np.intp)]
    return np.hypot(d[:, 0], d[:, 1])


def nearest_m(a_xy: np.ndarray, b_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest ``b`` point to every ``a`` point in a straight line.

    Parameters
    ----------
    a_xy, b_xy : numpy.ndarray
        Metric coordinates, shape (n, 2) and (m, 2).

    Returns
    -------
    distance : numpy.ndarray
        Metres to the nearest ``b`` (``inf`` when ``b`` is empty).
    index : numpy.ndarray of int
        Position of the nearest ``b`` (-1 when ``b`` is empty).
    """
    if len(b_xy) == 0:
        return np.full(len(a_xy), np.inf), np.full(len(a_xy), -1, dtype=np.intp)
    dist, idx = cKDTree(b_xy).query(a_xy, k=1)
    return np.asarray(dist, dtype=float), np.asarray(idx, dtype=np.intp)


def pairs_within_m(
    a_xy: np.ndarray, b_xy: np.ndarray, radius_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """All (a, b) pairs at most ``radius_m`` metres apart in a straight line.

    Parameters
    ----------
    a_xy, b_xy : numpy.ndarray
        Metric coordinates, shape (n, 2) and (m, 2).
    radius_m : float
        Radius in metres.

    Returns
    -------
    ia, ib : numpy.ndarray of int
        Positions of the pairs, sorted by ``ia`` then ``ib``.
    """
    if len(a_xy) == 0 or len(b_xy) == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    sparse = cKDTree(a_xy).sparse_distance_matrix(cKDTree(b_xy), radius_m, output_type="ndarray")
    order = np.lexsort((sparse["j"], sparse["i"]))
    return sparse["i"][order].astype(np.intp), sparse["j"][order].astype(np.intp)
