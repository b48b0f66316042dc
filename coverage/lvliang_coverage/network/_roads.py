"""Merge directed edges (of a graph or a road base) into roads usable one or both ways."""

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
from lvliang_coverage.network.roadbase import RoadBase
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
    metric_lines : numpy.ndarray of LineString or None
        The geometries in ``metric_crs`` (metres) when already known (shared with a road base).
    node_xy : numpy.ndarray or None
        Node coordinates in ``metric_crs`` when already known.
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
    metric_lines: np.ndarray | None = None
    node_xy: np.ndarray | None = None


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
    return _orientation_of(u, v, coords[first + 1], coords[first + counts - 2])


def _orientation_of(
    u: np.ndarray, v: np.ndarray, second: np.ndarray, penult: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_orientation` from the second and second-to-last vertex of each edge."""
    loop_fwd = (second[:, 0] < penult[:, 0]) | (
        (second[:, 0] == penult[:, 0]) & (second[:, 1] <= penult[:, 1])
    )
    fwd = np.where(u == v, loop_fwd, u < v)
    key = np.where(fwd[:, None], second, penult)
    sig = np.round(key * _SIG_SCALE).astype(np.int64)
    return fwd, sig[:, 0], sig[:, 1]


def _pair(  # noqa: PLR0917 - private helper on positional arrays
    u: np.ndarray,
    v: np.ndarray,
    length: np.ndarray,
    sig_x: np.ndarray,
    sig_y: np.ndarray,
    fwd: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pair the directed edges of one road: its forward and backward edge, or -1.

    Edges with the same end nodes, length (to the millimetre) and key vertex pair up, the
    k-th forward one with the k-th backward one in edge order; roads come sorted by
    (lower node, higher node, length, key, rank).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Per road: the forward edge, the backward edge (-1 where none), and the sort key
        columns (lo, hi, lk, sx, sy, rank) as an (n_roads, 6) int64 array.
    """
    frame = pd.DataFrame(
        {
            "lo": np.minimum(u, v),
            "hi": np.maximum(u, v),
            "lk": np.round(length * 1000.0).astype(np.int64),
            "sx": sig_x,
            "sy": sig_y,
            "fwd": fwd,
        }
    )
    pair_key = ["lo", "hi", "lk", "sx", "sy"]
    frame["rank"] = frame.groupby([*pair_key, "fwd"], sort=False).cumcount()
    road_of = frame.groupby([*pair_key, "rank"], sort=True).ngroup().to_numpy()
    n_roads = int(road_of.max()) + 1 if len(road_of) else 0
    e_fwd = np.full(n_roads, -1, dtype=np.int64)
    e_bwd = np.full(n_roads, -1, dtype=np.int64)
    e_fwd[road_of[fwd]] = np.flatnonzero(fwd)
    e_bwd[road_of[~fwd]] = np.flatnonzero(~fwd)
    keys = np.zeros((n_roads, 6), dtype=np.int64)
    keys[road_of] = frame[[*pair_key, "rank"]].to_numpy(dtype=np.int64)
    return e_fwd, e_bwd, keys


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
    fwd, sig_x, sig_y = _orientation(arr.u, arr.v, arr.geometry)
    e_fwd, e_bwd, _ = _pair(arr.u, arr.v, arr.length, sig_x, sig_y, fwd)
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


def _no_road(mode: str) -> InputError:
    msg = (
        f"路网中没有可供出行方式 {mode!r} 通行的道路 / "
        f"no road of the graph may be used in mode {mode!r}"
    )
    return InputError(msg, column="mode")


def roads_from_base(base: RoadBase, mode: str, *, rules: Rules, dem: DEM | None) -> RoadArrays:
    """Roads of a road base usable in ``mode``: the same roads as :func:`roads_from_graph`.

    Gives what :func:`roads_from_graph` gives on ``base.to_networkx()`` (same roads in the
    same order, same lengths and times) without building the graph: a piece whose end nodes,
    length and key vertex no other piece shares is one road at once; the few others (rings,
    parallel duplicates) are paired edge by edge as the graph path does. Lines are the base's
    own objects (no copies), in EPSG:4326 and in its metric CRS.

    Parameters
    ----------
    base : RoadBase
        Pieces of an OSM file.
    mode : str
        Travel mode.
    rules : Rules
        Rules in force.
    dem : DEM or None
        Elevation model for per-vertex slopes; flat ground without.

    Returns
    -------
    RoadArrays
        The usable roads, with ``metric_lines`` and ``node_xy`` from the base.

    Raises
    ------
    InputError
        When no road may be used in ``mode``, or ``dem`` does not cover the nodes.
    """
    if dem is not None:
        dem.check_covers(base.x, base.y, what="road nodes")
    u, v, length, oneway = base.u, base.v, base.length, base.oneway
    second, penult = base.ends
    lk = np.round(length * 1000.0).astype(np.int64)
    sig = np.round(second * _SIG_SCALE).astype(np.int64)
    loop = u == v
    order = np.lexsort((sig[:, 1], sig[:, 0], lk, v, u))
    key = np.column_stack((u, v, lk, sig))[order]
    same = np.zeros(len(u), dtype=bool)
    dup = np.all(key[1:] == key[:-1], axis=1)
    same[order[1:][dup]] = True
    same[order[:-1][dup]] = True
    simple = np.flatnonzero(~loop & ~same)
    hard = np.flatnonzero(loop | same)
    # simple pieces: one road each, from u (the lower node) to v, along the stored line
    piece = simple
    flip = np.zeros(len(simple), dtype=bool)
    has_f, has_b = oneway[simple] >= 0, oneway[simple] <= 0
    len_f = len_b = length[simple]
    keys = np.column_stack(
        (u[simple], v[simple], lk[simple], sig[simple], np.zeros_like(lk[simple]))
    )
    if len(hard):
        # the others edge by edge, as roads_from_graph pairs the graph's edges
        way_fwd = np.where(base.swapped, -oneway, oneway)[hard]
        has = np.column_stack((way_fwd >= 0, way_fwd <= 0)).ravel()
        e_piece = np.repeat(hard, 2)[has]
        along = np.tile([True, False], len(hard))[has]
        stored = along != base.swapped[e_piece]  # the edge runs u -> v of the stored line
        src = np.where(stored, u[e_piece], v[e_piece])
        dst = np.where(stored, v[e_piece], u[e_piece])
        e_second = np.where(stored[:, None], second[e_piece], penult[e_piece])
        e_penult = np.where(stored[:, None], penult[e_piece], second[e_piece])
        fwd, sx, sy = _orientation_of(src, dst, e_second, e_penult)
        e_fwd, e_bwd, hard_keys = _pair(src, dst, length[e_piece], sx, sy, fwd)
        only_bwd = e_fwd < 0
        rep = np.where(only_bwd, e_bwd, e_fwd)
        piece = np.r_[piece, e_piece[rep]]
        flip = np.r_[flip, stored[rep] == only_bwd]
        has_f, has_b = np.r_[has_f, e_fwd >= 0], np.r_[has_b, e_bwd >= 0]
        len_f = np.r_[len_f, np.where(only_bwd, length[e_piece[rep]], length[e_piece[e_fwd]])]
        len_b = np.r_[len_b, np.where(e_bwd >= 0, length[e_piece[e_bwd]], length[e_piece[rep]])]
        keys = np.r_[keys, hard_keys]
    sort = np.lexsort(keys.T[::-1])
    piece, flip, has_f, has_b = piece[sort], flip[sort], has_f[sort], has_b[sort]
    len_f, len_b = len_f[sort], len_b[sort]
    metric_all, node_xy = base.metric()
    lines = base.lines[piece]
    metric_lines = metric_all[piece]
    road_a = np.where(flip, v[piece], u[piece])
    road_b = np.where(flip, u[piece], v[piece])
    turn = np.flatnonzero(flip)
    if len(turn):
        lines[turn] = shapely.reverse(lines[turn])
        metric_lines[turn] = shapely.reverse(metric_lines[turn])
    speed = edge_speeds(base.tags, mode, rules)[base.tag_code[piece]]
    t_f, t_b = directional_times_s(lines, length[piece], speed, mode, rules=rules, dem=dem)
    if not is_walking(mode, rules):
        t_f = np.where(has_f, t_f, np.nan)
        t_b = np.where(has_b, t_b, np.nan)
    ok = np.isfinite(t_f) | np.isfinite(t_b)
    if not ok.any():
        raise _no_road(mode)
    usable = slice(None) if ok.all() else ok  # all usable: views of the arrays, no copies
    return RoadArrays(
        node_ids=base.node_ids,
        x=base.x,
        y=base.y,
        road_a=road_a[usable],
        road_b=road_b[usable],
        len_fwd=len_f[usable],
        len_bwd=len_b[usable],
        time_fwd=t_f[usable],
        time_bwd=t_b[usable],
        road_lines=lines[usable],
        metric_crs=base.metric_crs,
        metric_lines=metric_lines[usable],
        node_xy=node_xy,
    )
