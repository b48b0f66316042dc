"""Travel modes and speeds: per-edge travel times in seconds for walking, motorcycle and car."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network._edges import edge_arrays
from lvliang_coverage.network.graph import haversine_m
from lvliang_coverage.network.terrain import DEM, as_dem, tobler_max_factor, tobler_speed_kmh

WALK = "walk"
"""Mode name of walking: Tobler's hiking function, one-way restrictions ignored."""

_NON_CLASS_KEYS = {"flat_kmh", "highways", "track_grade_factor", "steep_grade", "steep_factor"}


def mode_table(mode: str, rules: Rules | None = None) -> Mapping[str, Any]:
    """Speed table of a travel mode.

    Parameters
    ----------
    mode : str
        ``"walk"``, ``"motorcycle"``, ``"car"`` or any mode added in the rules.
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    Mapping
        The ``[speeds.<mode>]`` table.

    Raises
    ------
    InputError
        For an unknown mode.
    """
    rules = rules or load_rules()
    if mode not in rules.speeds:
        msg = f"unknown travel mode {mode!r}; configured modes: {', '.join(rules.modes)}"
        raise InputError(msg, column="mode")
    return rules.speeds[mode]


def is_walking(mode: str, rules: Rules | None = None) -> bool:
    """Whether ``mode`` is a walking mode (has ``flat_kmh``: Tobler speeds, no one-way)."""
    return "flat_kmh" in mode_table(mode, rules)


def max_speed_mps(mode: str, rules: Rules | None = None) -> float:
    """Highest speed any edge can have in ``mode``, metres per second (a bound for pruning)."""
    table = mode_table(mode, rules)
    if "flat_kmh" in table:
        return float(table["flat_kmh"]) * tobler_max_factor() / 3.6
    speeds = [float(v) for k, v in table.items() if k not in _NON_CLASS_KEYS]
    return max(speeds) / 3.6


def base_speed_kmh(
    highway: np.ndarray, tracktype: np.ndarray, mode: str, rules: Rules | None = None
) -> np.ndarray:
    """Speed on flat ground in km/h per edge; NaN where the mode may not use the edge.

    Walking: ``flat_kmh`` on the classes listed in ``highways``. Motor modes: the km/h of the
    highway class times ``track_grade_factor[tracktype]`` (a factor of 0 forbids the edge);
    classes without a speed are forbidden.

    Parameters
    ----------
    highway, tracktype : numpy.ndarray
        OSM ``highway`` and ``tracktype`` values per edge (None where absent).
    mode : str
        Travel mode.
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    numpy.ndarray
        km/h per edge.
    """
    table = mode_table(mode, rules)
    hw = np.asarray(highway, dtype=object).astype(str)
    if "flat_kmh" in table:
        allowed = np.isin(hw, np.asarray(list(table.get("highways", ())), dtype=str))
        return np.where(allowed, float(table["flat_kmh"]), np.nan)
    classes = {k: float(v) for k, v in table.items() if k not in _NON_CLASS_KEYS}
    names = np.asarray(list(classes), dtype=str)
    values = np.asarray(list(classes.values()), dtype=float)
    order = np.argsort(names)
    names, values = names[order], values[order]
    pos = np.clip(np.searchsorted(names, hw), 0, max(len(names) - 1, 0))
    found = names[pos] == hw if len(names) else np.zeros(len(hw), dtype=bool)
    speed = np.where(found, values[pos] if len(names) else np.nan, np.nan)
    factors = table.get("track_grade_factor", {})
    if factors:
        tt = np.asarray(tracktype, dtype=object).astype(str)
        factor = np.ones(len(hw))
        for grade, f in factors.items():
            factor[tt == grade] = float(f)
        speed = speed * factor
    speed[~(speed > 0)] = np.nan
    return speed


def segment_speed_kmh(
    base_kmh: np.ndarray, grade: np.ndarray, mode: str, rules: Rules | None = None
) -> np.ndarray:
    """Speed in km/h on segments of known grade.

    Parameters
    ----------
    base_kmh : numpy.ndarray
        Flat-ground speed per segment (km/h), from :func:`base_speed_kmh`.
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
    fwd = np.bincount(seg_idx, weights=fwd_seg, minlength=n)
    bwd = np.bincount(seg_idx, weights=bwd_seg, minlength=n)
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
    base = base_speed_kmh(arr.highway, arr.tracktype, mode, rules)
    z0 = z1 = None
    if arr.elevation is not None:
        z0, z1 = arr.elevation[arr.u], arr.elevation[arr.v]
    fwd, _ = directional_times_s(
        arr.geometry, arr.length, base, mode, rules=rules, dem=as_dem(dem), z_start=z0, z_end=z1
    )
    return fwd
