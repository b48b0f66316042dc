"""Private helper: the road routes of water mains, recovered from Dijkstra predecessors."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._csr import build_csr
from lvliang_coverage.network._substring import line_pieces
from lvliang_coverage.network.routing import TravelNetwork


def _segments(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Straight segments from the points ``a`` to the points ``b`` (arrays of x, y)."""
    return np.asarray(shapely.linestrings(np.stack([a, b], axis=1)))


def _road_matrix(net: TravelNetwork) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Undirected road graph (metres) and, per stored entry, the road it came from."""
    length = np.fmin(net.len_fwd, net.len_bwd)
    tail = np.r_[net.road_a, net.road_b].astype(np.int64)
    head = np.r_[net.road_b, net.road_a].astype(np.int64)
    road = np.r_[np.arange(net.n_roads), np.arange(net.n_roads)]
    g = build_csr(tail, head, np.r_[length, length], road, net.n_nodes)
    m = g.matrix
    matrix = sparse.csr_matrix((np.maximum(m.data, 1e-9), m.indices, m.indptr), shape=m.shape)
    return matrix, g.keys, g.other


def _path_edges(
    pred: np.ndarray, rows: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Walk every predecessor chain back at once: (route, tail node, head node) per step."""
    route, tails, heads = [], [], []
    cur = ends.astype(np.int64).copy()
    active = np.arange(len(cur))
    while len(active):
        p = pred[rows[active], cur[active]]
        ok = p >= 0
        active, p = active[ok], p[ok]
        route.append(active)
        tails.append(p)
        heads.append(cur[active])
        cur[active] = p
    if not route:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(route), np.concatenate(tails), np.concatenate(heads)


def pipe_routes(
    net: TravelNetwork,
    starts: gpd.GeoDataFrame,
    ends: gpd.GeoDataFrame,
    *,
    limit_m: float,
) -> np.ndarray:
    """Shortest road routes from each start point to the end point of the same row.

    Each point joins its nearest road (as :meth:`TravelNetwork.snap` does); the route runs
    point -> join point (straight) -> the cheaper end of that road -> shortest road path ->
    the cheaper end of the other point's road -> its join point -> the point. Two points on
    the same road are joined along it when that is shorter. Rows without a road path within
    ``limit_m`` (or with it) get a straight line.

    Parameters
    ----------
    net : TravelNetwork
        Network whose roads the routes follow (any mode; lengths in metres, both ways).
    starts, ends : GeoDataFrame
        Point layers of equal length (any CRS), paired row by row.
    limit_m : float
        Search limit in metres along roads.

    Returns
    -------
    numpy.ndarray of LineString or MultiLineString
        Routes in EPSG:4326, one per row.
    """
    k = len(starts)
    if k == 0:
        return np.empty(0, dtype=object)
    to_metric = pyproj.Transformer.from_crs(STORAGE_CRS, net.metric_crs, always_xy=True)
    to_ll = pyproj.Transformer.from_crs(net.metric_crs, STORAGE_CRS, always_xy=True)
    s_ll = starts.geometry.to_crs(STORAGE_CRS)
    e_ll = ends.geometry.to_crs(STORAGE_CRS)
    s_snap = net.snap(starts.set_geometry(s_ll.to_numpy()))
    e_snap = net.snap(ends.set_geometry(e_ll.to_numpy()))

    def metric(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.column_stack(to_metric.transform(x, y))

    s_xy, e_xy = (
        metric(s_ll.x.to_numpy(), s_ll.y.to_numpy()),
        metric(e_ll.x.to_numpy(), e_ll.y.to_numpy()),
    )
    sj = metric(s_snap["join_x"].to_numpy(), s_snap["join_y"].to_numpy())
    ej = metric(e_snap["join_x"].to_numpy(), e_snap["join_y"].to_numpy())
    s_road, e_road = s_snap["edge"].to_numpy(), e_snap["edge"].to_numpy()
    s_frac, e_frac = s_snap["fraction"].to_numpy(float), e_snap["fraction"].to_numpy(float)
    road_len = np.fmin(net.len_fwd, net.len_bwd)

    # the two ends of each point's road and the along-road metres to reach them
    s_nodes = np.stack([net.road_a[s_road], net.road_b[s_road]], axis=1)
    e_nodes = np.stack([net.road_a[e_road], net.road_b[e_road]], axis=1)
    s_off = np.stack([s_frac, 1.0 - s_frac], axis=1) * road_len[s_road, None]
    e_off = np.stack([e_frac, 1.0 - e_frac], axis=1) * road_len[e_road, None]
    matrix, keys, road_of_key = _road_matrix(net)
    src, inv = np.unique(s_nodes, return_inverse=True)
    inv = inv.reshape(s_nodes.shape)
    dist, pred = csgraph.dijkstra(matrix, indices=src, limit=limit_m, return_predecessors=True)
    total = np.full((k, 4), np.inf)
    for a in range(2):
        for b in range(2):
            total[:, 2 * a + b] = s_off[:, a] + dist[inv[:, a], e_nodes[:, b]] + e_off[:, b]
    best = np.argmin(total, axis=1)
    a_end, b_end = best // 2, best % 2
    via = total[np.arange(k), best]
    same = (s_road == e_road) & (np.abs(s_frac - e_frac) * road_len[s_road] <= via)
    found = np.isfinite(via) | same
    rows = np.flatnonzero(found & ~same)
    row_src = inv[rows, a_end[rows]]
    goal = e_nodes[rows, b_end[rows]]
    step_route, tail, head = _path_edges(pred, row_src, goal)
    step_road = road_of_key[np.searchsorted(keys, tail * net.n_nodes + head)]

    parts: list[np.ndarray] = []
    owner: list[np.ndarray] = []
    # road pieces on the two end roads, from the join point to the chosen end
    s_to = np.where(a_end[rows] == 0, 0.0, 1.0)
    e_to = np.where(b_end[rows] == 0, 0.0, 1.0)
    for road, frac, to in ((s_road[rows], s_frac[rows], s_to), (e_road[rows], e_frac[rows], e_to)):
        parts.append(line_pieces(net.road_lines[road], np.minimum(frac, to), np.maximum(frac, to)))
        owner.append(rows)
    parts.append(net.road_lines[step_road])
    owner.append(rows[step_route])
    one = np.flatnonzero(same)
    parts.append(
        line_pieces(
            net.road_lines[s_road[one]],
            np.minimum(s_frac[one], e_frac[one]),
            np.maximum(s_frac[one], e_frac[one]),
        )
    )
    owner.append(one)
    legs = np.flatnonzero(found)
    parts.append(_segments(s_xy[legs], sj[legs]))
    parts.append(_segments(ej[legs], e_xy[legs]))
    owner += [legs, legs]
    straight = np.flatnonzero(~found)
    parts.append(_segments(s_xy[straight], e_xy[straight]))
    owner.append(straight)

    geoms = np.concatenate(parts)
    idx = np.concatenate(owner)
    keep = shapely.length(geoms) > 0
    geoms, idx = geoms[keep], idx[keep]
    order = np.argsort(idx, kind="stable")
    out = np.full(k, None, dtype=object)
    shapely.multilinestrings(geoms[order], indices=idx[order], out=out)
    has = np.unique(idx)
    out[has] = shapely.line_merge(out[has])
    missing = np.setdiff1d(np.arange(k), has)
    if len(missing):  # start and end coincide
        out[missing] = _segments(s_xy[missing], e_xy[missing])
    return shapely.transform(out, lambda c: np.column_stack(to_ll.transform(c[:, 0], c[:, 1])))
