"""Vectorised sub-lines: the part of each LineString between two length fractions."""

from __future__ import annotations

import numpy as np
import shapely


def line_pieces(lines: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Cut every line between normalised length fractions ``start <= end`` (0..1).

    Parameters
    ----------
    lines : numpy.ndarray of LineString
        Lines in a metric CRS.
    start, end : numpy.ndarray
        Fractions of each line's length where the piece begins and ends.

    Returns
    -------
    numpy.ndarray of LineString
        The pieces, following the original vertices in between (same order as ``lines``).
    """
    n = len(lines)
    if n == 0:
        return np.empty(0, dtype=object)
    lines = np.asarray(lines, dtype=object)
    total = shapely.length(lines)
    da, db = start * total, end * total
    p0 = shapely.get_coordinates(shapely.line_interpolate_point(lines, da))
    p1 = shapely.get_coordinates(shapely.line_interpolate_point(lines, db))
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    step = np.zeros(len(coords))
    same = idx[1:] == idx[:-1]
    step[1:] = np.where(same, np.hypot(*(coords[1:] - coords[:-1]).T), 0.0)
    cum = np.cumsum(step)
    first = np.ones(len(idx), dtype=bool)
    first[1:] = ~same
    cum -= np.repeat(cum[first], np.bincount(idx, minlength=n))
    inner = (cum > da[idx]) & (cum < db[idx])
    all_xy = np.concatenate([p0, coords[inner], p1])
    all_id = np.concatenate([np.arange(n), idx[inner], np.arange(n)])
    all_pos = np.concatenate([da, cum[inner], db])
    all_rank = np.concatenate([np.zeros(n), np.ones(int(inner.sum())), np.full(n, 2.0)])
    order = np.lexsort((all_rank, all_pos, all_id))
    return np.asarray(shapely.linestrings(all_xy[order], indices=all_id[order]), dtype=object)
