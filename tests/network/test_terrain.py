"""Tests of DEM sampling, node elevations, edge grades, Tobler speeds and slope-aware times."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import rasterio
import shapely
from netfixtures import ORIGIN_X, ORIGIN_Y, lonlat, make_graph, node_points, points
from rasterio.transform import from_origin

from lvliang_coverage.config import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.terrain import (
    DEM,
    add_edge_grades,
    add_node_elevations,
    tobler_speed_kmh,
)
from lvliang_coverage.network.travel import directional_times_s

RULES = load_rules()


def _write_dem(
    path, data, crs="EPSG:4546", x0=ORIGIN_X - 1000, y0=ORIGIN_Y + 1000, res=10.0, nodata=None
):
    profile = {
        "driver": "GTiff",
        "height": data.shape[0],
        "width": data.shape[1],
        "count": 1,
        "dtype": data.dtype,
        "crs": crs,
        "transform": from_origin(x0, y0, res, res),
    }
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def test_tobler_values():
    assert tobler_speed_kmh(0.0, 5.0) == pytest.approx(5.0)
    assert tobler_speed_kmh(-0.05, 5.0) == pytest.approx(5.0 * math.exp(0.175))
    assert tobler_speed_kmh(0.1, 5.0) == pytest.approx(5.0 * math.exp(-3.5 * 0.15 + 0.175))
    assert tobler_speed_kmh(-0.1, 5.0) == pytest.approx(5.0)
    up, down = tobler_speed_kmh(np.array([0.2, -0.2]), 4.0)
    assert up < down


def test_bilinear_sampling_reproduces_a_plane(tmp_path):
    rows, cols = np.mgrid[0:200, 0:200]
    plane = (1000.0 + 0.5 * cols - 0.25 * rows).astype("float32")  # metres
    dem = DEM.open(_write_dem(tmp_path / "plane.tif", plane))
    # points in metres, away from the border: z = 1000 + 0.5 * (col - 0.5) - 0.25 * (row - 0.5)
    x = ORIGIN_X - 1000 + np.array([123.4, 777.7, 1500.0])
    y = ORIGIN_Y + 1000 - np.array([456.1, 99.9, 1234.5])
    col, row = (x - (ORIGIN_X - 1000)) / 10.0 - 0.5, (ORIGIN_Y + 1000 - y) / 10.0 - 0.5
    z = dem.sample(x, y, crs="EPSG:4546")
    assert np.allclose(z, 1000 + 0.5 * col - 0.25 * row, atol=1e-4)
    # the same points given as lon/lat
    lon, lat = zip(
        *(lonlat(a - ORIGIN_X, b - ORIGIN_Y) for a, b in zip(x, y, strict=True)), strict=True
    )
    assert np.allclose(dem.sample(lon, lat), z, atol=1e-3)
    near = dem.sample(x, y, crs="EPSG:4546", method="nearest")
    assert np.allclose(
        near, plane[np.floor(row + 0.5).astype(int), np.floor(col + 0.5).astype(int)]
    )
    assert np.isnan(dem.sample([ORIGIN_X + 5000], [ORIGIN_Y], crs="EPSG:4546")).all()


def test_nodata_becomes_nan_or_nearest(tmp_path):
    data = np.full((10, 10), 50, dtype="int16")
    data[:, 5:] = -9999
    dem = DEM.open(_write_dem(tmp_path / "nd.tif", data, nodata=-9999))
    z = dem.sample(
        [ORIGIN_X - 1000 + 15, ORIGIN_X - 1000 + 85], [ORIGIN_Y + 1000 - 15] * 2, crs="EPSG:4546"
    )
    assert z[0] == pytest.approx(50.0)
    assert np.isnan(z[1])


def test_node_elevations_and_grades(tmp_path):
    _rows, cols = np.mgrid[0:300, 0:300]
    plane = (100.0 + 1.0 * cols).astype("float32")  # rises 1 m per 10 m eastwards: grade 0.1
    path = _write_dem(tmp_path / "east.tif", plane)
    g = make_graph({1: (0, 0), 2: (500, 0), 3: (500, 500)}, [(1, 2, {}), (2, 3, {})])
    z = add_node_elevations(g, path)
    assert z[1] - z[0] == pytest.approx(50.0, abs=0.1)
    add_edge_grades(g)
    assert g.edges[1, 2, 0]["grade"] == pytest.approx(50.0 / g.edges[1, 2, 0]["length"], abs=1e-3)
    assert g.edges[2, 1, 0]["grade"] == pytest.approx(-g.edges[1, 2, 0]["grade"])
    assert g.edges[2, 3, 0]["grade_abs"] == pytest.approx(0.0, abs=1e-3)


def test_road_over_a_ridge_is_slow_both_ways(tmp_path):
    # a ridge peaking at x = 255 m between two nodes at the same elevation (kinks sit on pixel
    # centres so bilinear sampling is exact)
    _rows, cols = np.mgrid[0:200, 0:200]
    x = (cols + 0.5) * 10.0 - 1000.0  # local metres of pixel centres
    ridge = (100.0 + np.maximum(0.0, 50.0 - 0.2 * np.abs(x - 255.0))).astype("float32")
    path = _write_dem(tmp_path / "ridge.tif", ridge)
    nodes = {1: (5, 0), 2: (505, 0)}
    g = make_graph(nodes, [(1, 2, {})])
    length = g.edges[1, 2, 0]["length"]
    flat = TravelNetwork.from_graph(g, mode="walk")
    # straight edge without vertices: one segment, end-to-end grade 0
    net = TravelNetwork.from_graph(g, mode="walk", dem=path)
    t_flat = flat.nearest(node_points(g, [1]), node_points(g, [2])).loc[0, "time_s"]
    assert t_flat == pytest.approx(length / (5 / 3.6))
    # with vertices every 50 m the profile is sampled: 20 % up then 20 % down
    line = shapely.LineString([lonlat(xm, 0) for xm in range(5, 506, 50)])
    nx.set_edge_attributes(g, {(1, 2, 0): line, (2, 1, 0): shapely.reverse(line)}, "geometry")
    net = TravelNetwork.from_graph(g, mode="walk", dem=path)
    there = net.nearest(node_points(g, [1]), node_points(g, [2])).loc[0, "time_s"]
    back = net.nearest(node_points(g, [2]), node_points(g, [1])).loc[0, "time_s"]
    half = length / 2
    expected = half / (tobler_speed_kmh(0.2, 5.0) / 3.6) + half / (
        tobler_speed_kmh(-0.2, 5.0) / 3.6
    )
    assert there == pytest.approx(expected, rel=2e-3)
    assert back == pytest.approx(expected, rel=2e-3)
    assert there > 1.3 * t_flat


def test_directional_times_flat_and_forbidden():
    lines = np.array([shapely.LineString([(111.0, 37.5), (111.001, 37.5)])] * 2, dtype=object)
    fwd, bwd = directional_times_s(
        lines, np.array([100.0, 100.0]), np.array([5.0, np.nan]), "walk", rules=RULES
    )
    assert fwd[0] == pytest.approx(72.0)
    assert bwd[0] == pytest.approx(72.0)
    assert np.isnan(fwd[1])
    assert np.isnan(bwd[1])


def test_off_road_leg_uses_slope(tmp_path):
    rows, _cols = np.mgrid[0:200, 0:200]
    y = 1000.0 - (rows + 0.5) * 10.0  # local northing of pixel centres
    slope = (200.0 + 0.1 * y).astype("float32")  # rises 10 % northwards
    path = _write_dem(tmp_path / "north.tif", slope)
    g = make_graph({1: (0, 0), 2: (500, 0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="walk", dem=path)
    snap = net.snap(points([(250, 300)]))  # village 300 m north (uphill) of the road
    d = snap.loc[0, "distance_m"]
    leg = d * RULES.network.offroad_winding
    f = RULES.network.offpath_factor
    assert snap.loc[0, "leg_s"] == pytest.approx(
        leg / (tobler_speed_kmh(-0.1, 5.0) * f / 3.6), rel=1e-3
    )
    assert snap.loc[0, "leg_in_s"] == pytest.approx(
        leg / (tobler_speed_kmh(0.1, 5.0) * f / 3.6), rel=1e-3
    )
    assert snap.loc[0, "leg_in_s"] > snap.loc[0, "leg_s"]
