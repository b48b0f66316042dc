"""Shortest-path legs and geometry along the roads (network/paths.py), on hand-made graphs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import shapely
from netfixtures import METRIC, node_points, points, road_graph

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network import paths as paths_module
from lvliang_coverage.network.paths import PathFinder, shortest_paths
from lvliang_coverage.network.routing import TravelNetwork

KMH = 25.0  # motorcycle on unclassified roads (rules.toml)
S_PER_M = 3.6 / KMH  # seconds per metre


def _net(nodes, edges, mode="motorcycle"):
    return TravelNetwork.from_graph(road_graph(nodes, edges), mode=mode, rules=load_rules())


def _reference_seconds(nodes, edges, src, dst):
    """Dijkstra on the networkx graph itself: planar metres x seconds per metre."""
    g = road_graph(nodes, edges)
    return nx.shortest_path_length(g, src, dst, weight="length") * S_PER_M


def test_legs_on_a_line_are_length_over_speed():
    nodes = {i: (1000.0 * i, 0.0) for i in range(4)}
    edges = [(i, i + 1) for i in range(3)]
    net = _net(nodes, edges)
    finder = PathFinder(net, node_points(road_graph(nodes, edges), list(nodes)))
    time, metres = finder.legs(np.arange(4))
    expected_m = 1000.0 * np.abs(np.subtract.outer(np.arange(4), np.arange(4)))
    np.testing.assert_allclose(metres, expected_m, atol=1e-6)
    np.testing.assert_allclose(time, expected_m * S_PER_M, atol=1e-6)
    assert np.all(np.diag(time) == 0.0)


def test_a_one_way_road_makes_the_legs_asymmetric():
    # 0 -> 1 is a one-way road of 1 km; back from 1 to 0 goes round by 2 (1.5 km + 1.5 km)
    nodes = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (500.0, 1414.213562)}
    edges = [(0, 1, {"oneway": True}), (1, 2), (2, 0)]
    net = _net(nodes, edges)
    finder = PathFinder(net, node_points(road_graph(nodes, edges), [0, 1]))
    time, metres = finder.legs(np.arange(2))
    assert time[0, 1] == pytest.approx(1000.0 * S_PER_M)
    assert metres[1, 0] == pytest.approx(3000.0, abs=1e-3)
    assert time[1, 0] == pytest.approx(_reference_seconds(nodes, edges, 1, 0))
    # walking ignores one-way roads: both ways 1 km
    walk = PathFinder(_net(nodes, edges, "walk"), node_points(road_graph(nodes, edges), [0, 1]))
    t_walk, _ = walk.legs(np.arange(2))
    assert t_walk[1, 0] == pytest.approx(t_walk[0, 1])


def test_a_leg_that_leaves_the_first_search_window_is_exact(monkeypatch):
    # two points 100 m apart joined only by a 40 km detour: the growing, windowed searches
    # must find the detour, and a limit below it leaves the leg open
    monkeypatch.setattr(paths_module, "SEARCH_LIMITS_S", (10.0, 60.0))
    nodes = {0: (0.0, 0.0), 1: (0.0, 100.0), 2: (20_000.0, 0.0), 3: (20_000.0, 100.0)}
    edges = [(0, 2), (2, 3), (3, 1)]
    net = _net(nodes, edges)
    finder = PathFinder(net, node_points(road_graph(nodes, edges), [0, 1]))
    time, metres = finder.legs(np.arange(2))
    assert metres[0, 1] == pytest.approx(40_100.0, abs=1e-3)
    assert time[0, 1] == pytest.approx(_reference_seconds(nodes, edges, 0, 1))
    capped, capped_m = finder.legs(np.arange(2), max_s=3600.0)  # the detour takes 96 min
    assert math.isinf(capped[0, 1])
    assert np.isnan(capped_m[0, 1])


def test_random_grid_legs_match_networkx():
    rng = np.random.default_rng(7)
    nodes = {
        i * 6 + j: (300.0 * i + rng.uniform(-50, 50), 300.0 * j) for i in range(6) for j in range(6)
    }
    edges = []
    for i in range(6):
        for j in range(6):
            if i < 5:
                edges.append((i * 6 + j, (i + 1) * 6 + j, {"oneway": bool(rng.random() < 0.2)}))
            if j < 5:
                edges.append((i * 6 + j, i * 6 + j + 1))
    g = road_graph(nodes, edges)
    net = TravelNetwork.from_graph(g, mode="motorcycle", rules=load_rules())
    picked = [0, 7, 14, 21, 35, 30]
    finder = PathFinder(net, node_points(g, picked))
    time, _ = finder.legs(np.arange(len(picked)))
    for a, u in enumerate(picked):
        reach = nx.single_source_dijkstra_path_length(g, u, weight="length")
        for b, v in enumerate(picked):
            want = reach.get(v, math.inf) * S_PER_M
            assert time[a, b] == pytest.approx(want), (u, v)


def test_paths_are_drawn_along_the_roads():
    # an L-shaped road 0 -> 1 -> 2 and a point joined 40 m off the middle of the first road
    nodes = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (1000.0, 1000.0)}
    edges = [(0, 1), (1, 2)]
    net = _net(nodes, edges)
    layer = points([(0.0, 0.0), (1000.0, 1000.0), (500.0, 40.0)])
    finder = PathFinder(net, layer)
    found = finder.paths(np.array([0, 1, 2, 0]), np.array([1, 0, 1, 0]))
    lines = found.to_crs(METRIC).geometry.to_numpy()
    # 0 -> 1 bends at node 1 and is 2 km long, as its network distance says
    xy = shapely.get_coordinates(lines[0]) - [500_000.0, 4_150_000.0]
    np.testing.assert_allclose(xy[[0, -1]], [[0.0, 0.0], [1000.0, 1000.0]], atol=0.05)
    assert any(np.allclose(p, [1000.0, 0.0], atol=0.05) for p in xy)
    assert shapely.length(lines[0]) == pytest.approx(found["network_m"].iloc[0], rel=1e-3)
    assert found["network_m"].iloc[0] == pytest.approx(2000.0, abs=0.01)
    # the way back is the same road reversed
    back = shapely.get_coordinates(lines[1]) - [500_000.0, 4_150_000.0]
    np.testing.assert_allclose(back[[0, -1]], [[1000.0, 1000.0], [0.0, 0.0]], atol=0.05)
    # from the point off the road: its leg (40 m, drawn straight), then half the road and more
    off = shapely.get_coordinates(lines[2]) - [500_000.0, 4_150_000.0]
    np.testing.assert_allclose(off[0], [500.0, 40.0], atol=0.05)
    np.testing.assert_allclose(off[1], [500.0, 0.0], atol=0.05)
    leg_m = 40.0 * load_rules().network.offroad_winding
    assert found["network_m"].iloc[2] == pytest.approx(leg_m + 500.0 + 1000.0, abs=0.01)
    # a point with itself: a line of zero length at it
    assert shapely.length(lines[3]) == pytest.approx(0.0, abs=1e-6)
    assert found["time_s"].iloc[3] == 0.0


def test_one_way_paths_go_round():
    nodes = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (500.0, 800.0)}
    edges = [(0, 1, {"oneway": True}), (1, 2), (2, 0)]
    net = _net(nodes, edges)
    g = road_graph(nodes, edges)
    finder = PathFinder(net, node_points(g, [0, 1]))
    found = finder.paths(np.array([0, 1]), np.array([1, 0]))
    out, back = found.to_crs(METRIC).geometry.to_numpy()
    assert len(shapely.get_coordinates(out)) == 2  # straight along the one-way road
    via = shapely.get_coordinates(back) - [500_000.0, 4_150_000.0]
    assert any(np.allclose(p, [500.0, 800.0], atol=0.05) for p in via)  # round by node 2
    assert found["time_s"].iloc[1] == pytest.approx(_reference_seconds(nodes, edges, 1, 0))


def test_unreachable_pairs_have_no_line():
    nodes = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (5000.0, 0.0), 3: (6000.0, 0.0)}
    edges = [(0, 1), (2, 3)]  # two separate roads
    net = _net(nodes, edges)
    finder = PathFinder(net, node_points(road_graph(nodes, edges), [0, 3]))
    found = finder.paths(np.array([0]), np.array([1]))
    assert found.geometry.iloc[0] is None
    assert np.isnan(found["time_s"].iloc[0])
    time, _ = finder.legs(np.arange(2))
    assert math.isinf(time[0, 1])


def test_shortest_paths_pairs_rows_and_checks_lengths():
    nodes = {i: (1000.0 * i, 0.0) for i in range(3)}
    net = _net(nodes, [(0, 1), (1, 2)])
    g = road_graph(nodes, [(0, 1), (1, 2)])
    starts, ends = node_points(g, [0, 2]), node_points(g, [2, 1])
    found = shortest_paths(net, starts, ends)
    np.testing.assert_allclose(found["network_m"], [2000.0, 1000.0], atol=1e-6)
    assert found.crs.to_epsg() == 4326
    with pytest.raises(InputError, match="differ in length"):
        shortest_paths(net, starts, ends.iloc[:1])
    with pytest.raises(InputError, match="outside the layer"):
        PathFinder(net, starts).legs(np.array([0, 5]))
