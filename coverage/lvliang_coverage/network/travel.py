"""Edge travel times per mode in seconds from lengths, flat speeds and slope (Tobler, grades)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import shapely

from lvliang_coverage.config import Rules
from lvliang_coverage.network._edges import edge_arrays
from lvliang_coverage.network.graph import haversine_m
from lvliang_coverage.network.speeds import edge_speeds, mode_table
from lvliang_coverage.network.terrain import DEM, as_dem, tobler_speed_kmh


def segment_speed_kmh(
    base_kmh: np.ndarray, grade: np.ndarray, mode: str, rules: Rules | None = None
) -> np.ndarray:
    """Speed in km/h on segments of known grade.

    Parameters
    ----------
    base_kmh : numpy.ndarray
        Flat-ground speed per segment (km/h), from
        :func:`lvliang_coverage.network.speeds.edge_speeds`.
    grade : numpy.ndarray
        Signed grade (rise/run) in the direction of travel.
    mode : str
        Travel mode: walking uses Tobler, motor modes multiply by ``steep_factor`` where
        ``|grade| > steep_grade``.
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    numpy.ndarray
        km/h per segment.
    """
    table = mode_table(mode, rules)
    if "flat_kmh" in table:
        return tobler_speed_kmh(grade, 1.0) * base_kmh
    steep = float(table.get("steep_grade", np.inf))
    factor = float(table.get("steep_factor", 1.0))
    return np.where(np.abs(grade) > steep, base_kmh * factor, base_kmh)


def directional_times_s(
    lines: np.ndarray,
    length_m: np.ndarray,
    base_kmh: np.ndarray,
    mode: str,
    *,
    rules: Rules | None = None,
    dem: DEM | None = None,
    z_start: np.ndarray | None = None,
    z_end: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Travel time in seconds along lines, in their direction and against it.

    With a DEM every vertex is sampled and each segment gets its own grade (so a road over a
    ridge is slow both ways); the segment lengths are scaled so they add up to ``length_m``.
    Without one, the end-to-end grade from ``z_start``/``z_end`` (metres) is used, or flat
    ground when those are missing.

    Parameters
    ----------
    lines : numpy.ndarray of LineString
        Geometries in EPSG:4326 (degrees).
    length_m : numpy.ndarray
        Line lengths in metres (the graph's ``length``).
    base_kmh : numpy.ndarray
        Flat-ground speed per line in km/h (NaN = not allowed).
    mode : str
        Travel mode.
    rules : Rules, optional
        Rules in force.
    dem : DEM, optional
        Elevation model.
    z_start, z_end : numpy.ndarray, optional
        Elevations in metres at the line ends.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Seconds forward and backward; NaN where ``base_kmh`` is NaN.
    """
    n = len(lines)
    length_m = np.asarray(length_m, dtype=float)
    if dem is None:
        grade = np.zeros(n)
        if z_start is not None and z_end is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                grade = np.where(length_m > 0, (z_end - z_start) / length_m, 0.0)
            grade = np.nan_to_num(grade)
        fwd = length_m / (segment_speed_kmh(base_kmh, grade, mode, rules) / 3.6)
        bwd = length_m / (segment_speed_kmh(base_kmh, -grade, mode, rules) / 3.6)
        return fwd, bwd
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    z = dem.sample(coords[:, 0], coords[:, 1])
    same = idx[1:] == idx[:-1]
    a, b = np.flatnonzero(same), np.flatnonzero(same) + 1
    seg_idx = idx[a]
    run = haversine_m(coords[a, 0], coords[a, 1], coords[b, 0], coords[b, 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        grade = np.nan_to_num(np.where(run > 0, (z[b] - z[a]) / run, 0.0))
    total = np.bincount(seg_idx, weights=run, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(total > 0, length_m / total, 0.0)
    seg_len = run * scale[seg_idx]
    seg_base = base_kmh[seg_idx]
    fwd_seg = seg_len / (segment_speed_kmh(seg_base, grade, mode, rules) / 3.6)
    bwd_seg = seg_len / (segment_speed_kmh(seg_base, -grade, mode, rules) / 3.6)
    fwd = np.asarray(np.bincount(seg_idx, weights=fwd_seg, minlength=n), dtype=float)
    bwd = np.asarray(np.bincount(seg_idx, weights=bwd_seg, minlength=n), dtype=float)
    # zero-length lines: no segment carried the NaN of a forbidden class
    bad = np.isnan(base_kmh)
    fwd[bad], bwd[bad] = np.nan, np.nan
    return fwd, bwd


def graph_edge_times(
    graph: nx.MultiDiGraph,
    mode: str,
    *,
    rules: Rules | None = None,
    dem: str | Path | DEM | None = None,
) -> np.ndarray:
    """Travel time in seconds along every edge (in its u->v direction) for a mode.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Road graph (see :func:`lvliang_coverage.network.graph.graph_from_osm`).
    mode : str
        Travel mode.
    rules : Rules, optional
        Rules in force.
    dem : path or DEM, optional
        Elevation model; without it node ``elevation`` attributes are used when present.

    Returns
    -------
    numpy.ndarray
        Seconds per edge in ``graph.edges(keys=True)`` order; NaN where the mode may not use
        the edge. One-way restrictions are not applied here (the edge exists in its direction).
    """
    arr = edge_arrays(graph)
    model = as_dem(dem)
    if model is not None:
        model.check_covers(arr.x, arr.y, what="road nodes")
    base = edge_speeds(arr, mode, rules)
    z0 = z1 = None
    if arr.elevation is not None:
        z0, z1 = arr.elevation[arr.u], arr.elevation[arr.v]
    fwd, _ = directional_times_s(
        arr.geometry, arr.length, base, mode, rules=rules, dem=model, z_start=z0, z_end=z1
    )
    return fwd
