"""`graph --out`: GraphML carries the same per-mode edge times (seconds) as the GeoPackage."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import pytest
from netfixtures import write_osm
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.config import load_rules

runner = CliRunner()


@pytest.fixture
def roads(tmp_path):
    # a two-way rural road, a one-way street off it and a footpath closed to cars
    nodes = {1: (0.0, 0.0), 2: (600.0, 0.0), 3: (1200.0, 0.0), 4: (600.0, 500.0), 5: (0.0, 800.0)}
    ways = [
        (1, [1, 2, 3], {"highway": "unclassified"}),
        (2, [2, 4], {"highway": "residential", "oneway": "yes"}),
        (3, [4, 5], {"highway": "unclassified", "motorcar": "no"}),
    ]
    return write_osm(tmp_path / "roads.osm", nodes, ways)


def _export(roads, path, *extra):
    result = runner.invoke(app, ["graph", f"--roads={roads}", f"--out={path}", *extra])
    assert result.exit_code == 0, result.output
    return result


def _seconds(text):
    return float(text)  # osmnx writes every attribute as text; "nan" where a mode may not go


def test_graphml_edges_carry_the_geopackage_times(roads, tmp_path):
    _export(roads, tmp_path / "g.graphml")
    _export(roads, tmp_path / "g.gpkg")
    graph = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    edges = gpd.read_file(tmp_path / "g.gpkg", layer="edges", engine="pyogrio")
    modes = load_rules().modes
    assert set(modes) == {"walk", "motorcycle", "car"}
    assert graph.number_of_edges() == len(edges) > 0
    gpkg = {(str(r.u), str(r.v), int(r.key)): r for r in edges.itertuples()}
    for u, v, key, data in graph.edges(keys=True, data=True):
        row = gpkg[(u, v, int(key))]
        for mode in modes:
            seconds = _seconds(data[f"time_{mode}_s"])
            expected = getattr(row, f"time_{mode}_s")
            if math.isnan(expected):
                assert math.isnan(seconds), (u, v, mode)
            else:
                assert seconds == pytest.approx(expected, rel=1e-9), (u, v, mode)
                assert seconds > 0
        assert float(data["length"]) == pytest.approx(row.length, rel=1e-9)


def test_graphml_times_follow_speeds_and_access(roads, tmp_path):
    _export(roads, tmp_path / "g.graphml")
    graph = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    speeds = load_rules().speeds
    by_class = {}
    for _, _, data in graph.edges(data=True):
        by_class.setdefault(data["highway"], []).append(data)
    # flat ground (no DEM): car seconds = metres / (km/h / 3.6) on the rural road
    rural = [d for d in by_class["unclassified"] if not math.isnan(_seconds(d["time_car_s"]))]
    assert rural
    for d in rural:
        expected = float(d["length"]) / (speeds["car"]["unclassified"] / 3.6)
        assert _seconds(d["time_car_s"]) == pytest.approx(expected, rel=1e-6)
    # the footpath closed to cars: no car time, but a walking time
    closed = [d for d in by_class["unclassified"] if math.isnan(_seconds(d["time_car_s"]))]
    assert len(closed) == 2  # both directions of way 3
    assert all(_seconds(d["time_walk_s"]) > 0 for d in closed)


def test_mode_option_limits_the_exported_times(roads, tmp_path):
    _export(roads, tmp_path / "g.graphml", "--mode", "walk")
    graph = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    for _, _, data in graph.edges(data=True):
        assert "time_walk_s" in data
        assert "time_car_s" not in data


def test_unknown_mode_or_suffix_stops_before_reading_the_roads(roads, tmp_path):
    bad = runner.invoke(app, ["graph", f"--roads={roads}", "--out=x.txt"])
    assert bad.exit_code == 2
    assert "路网只能导出为" in bad.output
    assert ".graphml or .gpkg" in bad.output
    boat = runner.invoke(app, ["graph", f"--roads={roads}", "--mode", "boat"])
    assert boat.exit_code == 2
    assert "构建路网" not in boat.output  # refused before any work
    assert "boat" in boat.output
