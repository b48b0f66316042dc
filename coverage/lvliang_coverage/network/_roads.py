"""Merge a graph's directed edges into roads usable one or both ways, with lengths and times."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from lvliang_coverage.config import Rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import metric_crs_for
from lvliang_coverage.network._edges import edge_arrays
from lvliang_coverage.network.speeds import edge_speeds, is_walking
from lvliang_coverage.network.terrain import DEM
from lvliang_coverage.network.travel import directional_times_s


@dataclass
class RoadArrays:
    """Roads of a graph for one mode (see :class:`~lvliang_coverage.network.routing.TravelNetwork`).

    Attributes
    ----------
    node_ids, x, y : numpy.ndarray
        Graph node ids and their longitude/latitude in degrees (EPSG:4326).
    road_a, road_b : numpy.ndarray
        Node indices at the two ends of every road.
    len_fwd, len_bwd : numpy.ndarray
        Length in metres from a to b and from b to a.
    time_fwd, time_bwd : numpy.ndarray
        Seconds from a to b and from b to a; NaN where the mode may not go.
    road_lines : numpy.ndarray of LineString
        Geometries from a to b in EPSG:4326.
    metric_crs : str
        Metric CRS chosen for the graph's extent.
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    road_a: np.ndarray
    road_b: np.ndarray
    len_fwd: np.ndarray
    len_bwd: np.ndarray
    time_fwd: np.ndarray
    time_bwd: np.ndarray
    road_lines: np.ndarray
    metric_crs: str


_SIG_SCALE = 1e9
"""Vertex coordinates (degrees) are compared at 1e-9 degree (about 0.1 mm)."""


def _orientation(
    u: np.ndarray, v: np.ndarray, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether each directed edge runs from its lower to its higher end node, and a pairing key.

    An edge u->v with u < v runs "forward". A closed edge (u == v, a ring) has no lower end,
    so its direction comes from its geometry: forward when its second vertex sorts before its
    second-to-last one (x, then y), so the two directed edges of a two-way ring (one the
    reverse of the other) get opposite directions and join into one road usable both ways.
    The key is the second vertex of the geometry oriented forward (scaled to integer
    nano-degrees): the two directions of one road share it, parallel roads of equal length
    usually do not.

    Parameters
    ----------
    u, v : numpy.ndarray
        End node indices of every edge.
    lines : numpy.ndarray of LineString
        Edge geometries from u to v (EPSG:4326 degrees).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Boolean forward flags and the int64 x and y of the key vertex.
    """
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    counts = np.bincount(idx, minlength=len(lines))
    first = np.cumsum(counts) - counts
    second = coords[first + 1]
    penult = coords[first + counts - 2]
    loop_fwd = (second[:, 0] < penult[:, 0]) | (
        (second[:, 0] == penult[:, 0]) & (second[:, 1] <= penult[:, 1])
    )
    fwd = np.where(u == v, loop_fwd, u < v)
    key = np.where(fwd[:, None], second, penult)
    sig = np.round(key * _SIG_SCALE).astype(np.int64)
    return fwd, sig[:, 0], sig[:, 1]


def roads_from_graph(
    graph: nx.MultiDiGraph, mode: str, *, rules: Rules, dem: DEM | None
) -> RoadArrays:
    """Roads of a graph usable in ``mode``, with per-direction lengths and travel times.

    The two directed edges of a two-way road (same end nodes, same length to the millimetre,
    one geometry the reverse of the other) become one road usable both ways; so do the two
    directions of a two-way ring (a closed way, u == v), while a one-way ring (``oneway=yes``,
    ``junction=roundabout``) stays one way. Walking ignores one-way restrictions; motor modes
    respect them and drop classes without a speed (:mod:`lvliang_coverage.network.speeds`).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Road graph (lengths in metres).
    mode : str
        Travel mode.
    rules : Rules
        Rules in force.
    dem : DEM or None
        Elevation model for per-vertex slopes; without it node ``elevation`` attributes
        (metres) give end-to-end grades, or flat ground.

    Returns
    -------
    RoadArrays
        The usable roads.

    Raises
    ------
    InputError
        When no road may be used in ``mode``, or ``dem`` does not cover the graph
        (:meth:`~lvliang_coverage.network.terrain.DEM.check_covers`).
    """
    arr = edge_arrays(graph)
    if dem is not None:
        dem.check_covers(arr.x, arr.y, what="road nodes")
    lo, hi = np.minimum(arr.u, arr.v), np.maximum(arr.u, arr.v)
    fwd, sig_x, sig_y = _orientation(arr.u, arr.v, arr.geometry)
    frame = pd.DataFrame(
        {
            "lo": lo,
            "hi": hi,
            "lk": np.round(arr.length * 1000.0).astype(np.int64),
            "sx": sig_x,
            "sy": sig_y,
            "fwd": fwd,
        }
    )
    pair_key = ["lo", "hi", "lk", "sx", "sy"]
    frame["rank"] = frame.groupby([*pair_key, "fwd"], sort=False).cumcount()
    road_of = frame.groupby([*pair_key, "rank"], sort=True).ngroup().to_numpy()
    n_roads = int(road_of.max()) + 1
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
    base = edge_speeds(arr, mode, rules)[rep]
    length = arr.length[rep]
    z0 = z1 = None
    if arr.elevation is not None and dem is None:
        z0, z1 = arr.elevation[road_a], arr.elevation[road_b]
    t_f, t_b = directional_times_s(
        lines, length, base, mode, rules=rules, dem=dem, z_start=z0, z_end=z1
    )
    len_f = np.where(e_fwd >= 0, arr.length[e_fwd], length)
    len_b = np.where(e_bwd >= 0, arr.length[e_bwd], length)
    if not is_walking(mode, rules):
        t_f = np.where(e_fwd >= 0, t_f, np.nan)
        t_b = np.where(e_bwd >= 0, t_b, np.nan)
    usable = np.isfinite(t_f) | np.isfinite(t_b)
    if not usable.any():
        msg = (
            f"路网中没有可供出行方式 {mode!r} 通行的道路 / "
            f"no road of the graph may be used in mode {mode!r}"
        )
        raise InputError(msg, column="mode")
    metric = metric_crs_for((arr.x.min() + arr.x.max()) / 2.0, (arr.y.min() + arr.y.max()) / 2.0)
    return RoadArrays(
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
