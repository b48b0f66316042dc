"""Closed ways (rings): two-way rings usable both ways round in motor modes, roundabouts one way."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from netfixtures import node_points, write_osm

from lvliang_coverage.network.graph import graph_from_osm
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.travel import graph_edge_times

# a village loop 1-2-3-4-5-1 (closed way, node 1 first and last) with a stem 10-1
# to the facility at node 10; vertices 2..5 are not junctions, so the loop is a
# single closed edge 1 -> 1 in the simplified graph
NODES = {
    1: (0.0, 0.0),
    2: (400.0, 0.0),
    3: (400.0, 300.0),
    4: (200.0, 520.0),
    5: (0.0, 300.0),
    10: (-300.0, 0.0),
    30: (900.0, 900.0),
}
RING = [1, 2, 3, 4, 5, 1]
# a point's share of a curved road is taken in the metric CRS, its length on the sphere: the
# two differ by up to about 0.1 % between north-south and east-west segments
REL = 2e-3


def _graphs(tmp_path, ring_tags: dict[str, str], at: int):
    """The graph under test and the oracle graph split at vertex ``at`` by a footway spur."""
    ways = [
        (100, RING, {"highway": "residential", **ring_tags}),
        (101, [10, 1], {"highway": "residential"}),
    ]
    plain = graph_from_osm(write_osm(tmp_path / "ring.osm", NODES, ways), use_cache=False)
    # the footway makes vertex `at` a graph node; no motor mode may use it
    spur = [*ways, (102, [at, 30], {"highway": "footway"})]
    split = graph_from_osm(write_osm(tmp_path / f"split{at}.osm", NODES, spur), use_cache=False)
    return plain, split


def _oracle(g: nx.MultiDiGraph, mode: str, *, directed: bool = True) -> nx.MultiDiGraph:
    """networkx graph of the edges usable in ``mode`` with ``length`` and ``time``."""
    t = graph_edge_times(g, mode)
    h = nx.MultiDiGraph()
    for (u, v, k, d), s in zip(g.edges(keys=True, data=True), t, strict=True):
        if np.isfinite(s):
            h.add_edge(u, v, k, length=d["length"], time=s)
            if not directed:
                h.add_edge(v, u, ("rev", k), length=d["length"], time=s)
    return h


def _village_at(split: nx.MultiDiGraph, node: int):
    return node_points(split, [node], "village_id")


def test_plain_ring_is_one_closed_edge(tmp_path):
    plain, _ = _graphs(tmp_path, {}, at=2)
    loops = [(u, v) for u, v in plain.edges() if u == v]
    assert loops == [(1, 1), (1, 1)]  # the two directions of the two-way ring


@pytest.mark.parametrize("mode", ["car", "motorcycle"])
@pytest.mark.parametrize("at", [2, 3, 4, 5])
def test_point_on_two_way_ring_leaves_both_ways_round(tmp_path, mode, at):
    plain, split = _graphs(tmp_path, {}, at=at)
    net = TravelNetwork.from_graph(plain, mode=mode)
    oracle = _oracle(split, mode)
    village, fac = _village_at(split, at), node_points(split, [10])
    res = net.nearest(village, fac)
    assert res.loc[0, "leg_m"] == pytest.approx(0.0, abs=1e-6)
    for by, col, weight in (("distance", "network_m", "length"), ("time", "time_s", "time")):
        res = net.nearest(village, fac, nearest_by=by)
        exp = nx.shortest_path_length(oracle, at, 10, weight=weight)
        assert res.loc[0, col] == pytest.approx(exp, rel=REL)
        # and from the facility to the village (the other direction of travel)
        back = net.within(fac, village, max_m=1e7, id_cols=("facility_id", "village_id"))
        exp_back = nx.shortest_path_length(oracle, 10, at, weight="length")
        assert back.loc[0, "network_m"] == pytest.approx(exp_back, rel=REL)
    if at == 2:  # against the ring's node order: straight back to node 1, not round the loop
        short = split.edges[2, 1, 0]["length"] + split.edges[1, 10, 0]["length"]
        assert res.loc[0, "network_m"] == pytest.approx(short, rel=REL)


@pytest.mark.parametrize("tags", [{"junction": "roundabout"}, {"oneway": "yes"}])
@pytest.mark.parametrize("at", [2, 5])
def test_one_way_ring_stays_one_way(tmp_path, tags, at):
    plain, split = _graphs(tmp_path, tags, at=at)
    car = TravelNetwork.from_graph(plain, mode="car")
    oracle = _oracle(split, "car")
    village, fac = _village_at(split, at), node_points(split, [10])
    got = car.nearest(village, fac, nearest_by="distance").loc[0, "network_m"]
    exp = nx.shortest_path_length(oracle, at, 10, weight="length")
    assert got == pytest.approx(exp, rel=REL)
    (ring_m,) = [d for u, v, d in plain.edges(data="length") if u == v]  # one direction only
    stem = split.edges[1, 10, 0]["length"]
    if at == 2:  # 1-2 is against the ring order: all the way round (1-2 is 400 m of it)
        assert got > 0.7 * ring_m + stem
    else:  # 5-1 is with the ring order: straight on
        assert got < 0.25 * ring_m + stem
    # walking ignores one-way: the short way back to node 1
    walk = TravelNetwork.from_graph(plain, mode="walk")
    w = walk.nearest(village, fac, nearest_by="distance").loc[0, "network_m"]
    und = _oracle(split, "walk", directed=False)
    assert w == pytest.approx(nx.shortest_path_length(und, at, 10, weight="length"), rel=REL)
