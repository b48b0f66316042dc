"""OSM access tags per travel mode: access/foot/vehicle/motor_vehicle/motorcar/motorcycle."""

from __future__ import annotations

import bz2
import pickle
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from netfixtures import make_graph, node_points, write_osm

import lvliang_coverage.network.graph as cg
from lvliang_coverage.config import load_rules
from lvliang_coverage.network._edges import edge_arrays
from lvliang_coverage.network.graph import graph_from_osm, road_classes
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.speeds import access_allowed, edge_speeds

DEFAULT_ROADS = Path(__file__).resolve().parents[2] / "data" / "default" / "roads.osm.bz2"
MODES = ("walk", "motorcycle", "car")
ACCESS_KEYS = ("access", "foot", "vehicle", "motor_vehicle", "motorcar", "motorcycle")

# case i: road 1000 i + 10 runs from node 100 i + 1 to 100 i + 2 directly (600 m) with the tags
# under test; road 1000 i + 20 is a longer detour via node 100 i + 3; cases lie 3 km apart
# tags on the direct road -> may (walk, motorcycle, car) use it
CASES = [
    ({}, (True, True, True)),
    ({"access": "private"}, (False, False, False)),
    ({"access": "no"}, (False, False, False)),
    ({"access": "private", "foot": "yes"}, (True, False, False)),
    ({"access": "no", "foot": "designated"}, (True, False, False)),
    ({"foot": "no"}, (False, True, True)),
    ({"motor_vehicle": "no"}, (True, False, False)),
    ({"motorcar": "no"}, (True, True, False)),
    ({"motorcar": "No"}, (True, True, False)),
    ({"motorcycle": "no"}, (True, False, True)),
    ({"vehicle": "no"}, (True, False, False)),
    ({"access": "destination"}, (True, True, True)),
    ({"access": "permissive"}, (True, True, True)),
    ({"access": "no", "motor_vehicle": "yes"}, (False, True, True)),
    ({"access": "private", "motorcar": "yes"}, (False, False, True)),
    ({"motor_vehicle": "no", "motorcar": "destination"}, (True, False, True)),
]


def _osm(tmp_path: Path, cases: list[dict[str, str]]) -> Path:
    nodes, ways = {}, []
    for i, tags in enumerate(cases):
        y = 3000.0 * i
        nodes |= {100 * i + 1: (0.0, y), 100 * i + 2: (600.0, y), 100 * i + 3: (300.0, y + 500)}
        a, b, c = 100 * i + 1, 100 * i + 2, 100 * i + 3
        ways.append((1000 * i + 10, [a, b], {"highway": "residential", **tags}))
        ways.append((1000 * i + 20, [a, c, b], {"highway": "residential"}))
    return write_osm(tmp_path / "access.osm", nodes, ways)


@pytest.fixture(scope="module")
def access_graph(tmp_path_factory):
    path = _osm(tmp_path_factory.mktemp("access"), [c for c, _ in CASES])
    return graph_from_osm(path, use_cache=False)


def test_builder_keeps_access_tags(access_graph):
    for i, (tags, _) in enumerate(CASES):
        direct = access_graph.edges[100 * i + 1, 100 * i + 2, 0]
        assert direct["osmid"] == 1000 * i + 10
        assert {k: direct[k] for k in ACCESS_KEYS if k in direct} == tags


@pytest.mark.parametrize("mode", MODES)
def test_access_tags_per_mode(access_graph, mode):
    g = access_graph
    col = MODES.index(mode)
    ok = np.array([allowed[col] for _, allowed in CASES])
    n = len(CASES)
    direct = np.array([g.edges[100 * i + 1, 100 * i + 2, 0]["length"] for i in range(n)])
    detour = {d["osmid"]: d["length"] for _, _, d in g.edges(data=True)}
    around = np.array([detour[1000 * i + 20] for i in range(n)])
    net = TravelNetwork.from_graph(g, mode=mode)
    start = node_points(g, [100 * i + 1 for i in range(n)], "village_id")
    res = net.nearest(start, node_points(g, [100 * i + 2 for i in range(n)]), nearest_by="distance")
    assert res["facility_id"].tolist() == [100 * i + 2 for i in range(n)]
    assert np.allclose(res["network_m"], np.where(ok, direct, around), rtol=0, atol=1e-6)
    arr = edge_arrays(g)
    case_of = np.array([d["osmid"] // 1000 for d in arr.attrs])
    is_direct = np.array([d["osmid"] % 1000 == 10 for d in arr.attrs])
    expected = ok[case_of] | ~is_direct
    assert (access_allowed(arr, mode) == expected).all()
    assert (np.isfinite(edge_speeds(arr, mode)) == expected).all()


def test_osmnx_style_graph_attributes_are_honoured():
    g = make_graph(
        {1: (0, 0), 2: (500, 0), 3: (250, 400)},
        [
            (1, 2, {"highway": "tertiary", "access": ["private", "no"]}),  # merged by osmnx
            (1, 3, {"highway": "tertiary"}),
            (3, 2, {"highway": "tertiary"}),
        ],
    )
    around = g.edges[1, 3, 0]["length"] + g.edges[3, 2, 0]["length"]
    for mode in MODES:
        net = TravelNetwork.from_graph(g, mode=mode)
        res = net.nearest(node_points(g, [1]), node_points(g, [2]), nearest_by="distance")
        assert res.loc[0, "network_m"] == pytest.approx(around, abs=1e-6)


def test_forbidden_values_are_a_rule():
    g = make_graph({1: (0, 0), 2: (500, 0)}, [(1, 2, {"motor_vehicle": "agricultural"})])
    arr = edge_arrays(g)
    assert access_allowed(arr, "car").all()
    strict = load_rules({"network": {"access_forbidden": ["no", "private", "agricultural"]}})
    assert not access_allowed(arr, "car", strict).any()
    assert access_allowed(arr, "walk", strict).all()
    # a mode's tag hierarchy is a rule too
    lax = load_rules({"speeds": {"car": {"access_tags": ["access"]}}})
    g2 = make_graph({1: (0, 0), 2: (500, 0)}, [(1, 2, {"motorcar": "no"})])
    assert access_allowed(edge_arrays(g2), "car", lax).all()
    assert not access_allowed(edge_arrays(g2), "car").any()


def test_old_cache_without_access_tags_is_not_reused(tmp_path):
    path = _osm(tmp_path, [{"motorcar": "no"}])
    classes = road_classes()
    old_key = cg._file_key(path, {"highways": classes, "builder": 1})
    stale = nx.MultiDiGraph(crs="EPSG:4326")
    stale.add_node(99, x=111.0, y=37.5)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"graph-{old_key}.pickle").write_bytes(pickle.dumps(stale))
    g = graph_from_osm(path, cache_dir=cache)
    assert 99 not in g
    assert g.edges[1, 2, 0]["motorcar"] == "no"


@pytest.mark.skipif(not DEFAULT_ROADS.is_file(), reason="default roads not generated yet")
def test_default_roads_carry_no_access_tags():
    # so the default figures cannot change with the access rules
    text = bz2.decompress(DEFAULT_ROADS.read_bytes()).decode("utf-8")
    keys = "|".join(ACCESS_KEYS)
    assert re.search(rf"""k=["']({keys})["']""", text) is None
    assert "<way" in text
