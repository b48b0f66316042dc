"""Tests of the map layers: projection and GCJ-02 shift, encoding, roads, villages, results."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from map_cases import decode_xy, full_map, payloads
from shapely.geometry import LineString, Point, box

from lvliang_coverage import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.maps._encode import encode_geometries
from lvliang_coverage.maps._style import village_radius
from lvliang_coverage.maps.coverage_map import CoverageMap

# ----------------------------------------------------------------------------- GCJ-02


def test_gaode_overlays_are_shifted_to_gcj02(villages, facilities, edges, counties):
    chinacrs = pytest.importorskip("lvliang_coverage.inputs.chinacrs")
    page = full_map(villages, facilities, edges, counties, basemap="gaode").get_html()
    layers = payloads(page)
    lon, lat = villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy()
    glon, glat = chinacrs.wgs84_to_gcj02(lon.copy(), lat.copy())
    # the shift in Lüliang is a few hundred metres: far above the 1e-5 degree rounding
    assert np.min(np.hypot(glon - lon, glat - lat)) > 1e-3
    village_xy = decode_xy(layers[2][0]["geom"])
    np.testing.assert_allclose(village_xy[:, 0], glon, atol=6e-6)
    np.testing.assert_allclose(village_xy[:, 1], glat, atol=6e-6)
    # every other overlay too: boundaries, roads, facilities, lines
    counties_xy = decode_xy(layers[0][0]["geom"])
    ring = np.asarray(counties.geometry.iloc[0].exterior.coords)
    gx, gy = chinacrs.wgs84_to_gcj02(ring[:, 0].copy(), ring[:, 1].copy())
    np.testing.assert_allclose(counties_xy[: len(ring)], np.column_stack([gx, gy]), atol=6e-6)
    road_xy = decode_xy(layers[1][0]["geom"])
    first = np.asarray(edges.geometry.iloc[0].coords)
    rx, ry = chinacrs.wgs84_to_gcj02(first[:, 0].copy(), first[:, 1].copy())
    np.testing.assert_allclose(road_xy[: len(first)], np.column_stack([rx, ry]), atol=6e-6)
    clinic_xy = decode_xy(layers[3][0]["geom"])
    fx, fy = chinacrs.wgs84_to_gcj02(np.array([111.1]), np.array([37.45]))
    np.testing.assert_allclose(clinic_xy[0], [fx[0], fy[0]], atol=6e-6)
    line_xy = decode_xy(layers[-1][0]["geom"])
    lx, ly = chinacrs.wgs84_to_gcj02(np.array([111.10, 111.1]), np.array([37.50, 37.45]))
    np.testing.assert_allclose(line_xy, np.column_stack([lx, ly]), atol=6e-6)
    assert "autonavi.com" in page
    assert "tile.openstreetmap.org" not in page


def test_osm_overlays_are_not_shifted(villages, facilities, edges, counties):
    page = full_map(villages, facilities, edges, counties, basemap="osm").get_html()
    village_xy = decode_xy(payloads(page)[2][0]["geom"])
    np.testing.assert_allclose(village_xy[:, 0], villages.geometry.x, atol=6e-6)
    np.testing.assert_allclose(village_xy[:, 1], villages.geometry.y, atol=6e-6)
    assert "tile.openstreetmap.org" in page
    assert "autonavi" not in page


def test_layers_in_a_projected_crs_are_drawn_in_wgs84(villages, counties):
    projected = villages.to_crs("EPSG:4546")
    page = CoverageMap(counties, basemap="none").add_villages(projected).get_html()
    xy = decode_xy(payloads(page)[0][0]["geom"])
    np.testing.assert_allclose(xy[:, 0], villages.geometry.x, atol=6e-6)


# ----------------------------------------------------------------------------- layers


def test_encode_geometries_round_trip():
    geoms = np.array(
        [
            shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]),
            box(10, 10, 11, 11).difference(box(10.2, 10.2, 10.4, 10.4)),
        ]
    )
    enc = encode_geometries(geoms)
    assert enc["g"] == "A"
    _rings, polys, feats = enc["o"]
    assert feats == [0, 2, 3]  # two polygons, then one
    assert polys == [0, 1, 2, 4]  # the last polygon has a hole
    xy = decode_xy(enc)
    np.testing.assert_allclose(xy, shapely.get_coordinates(geoms), atol=1e-9)
    with pytest.raises(InputError):
        encode_geometries(np.array([Point(0, 0), LineString([(0, 0), (1, 1)])]))


def test_roads_drop_reverse_duplicates_and_classify(edges, counties):
    page = CoverageMap(counties).add_roads(edges).get_html()
    (spec,) = payloads(page)[0]
    assert spec["n"] == 4  # the reversed copy of the primary road is gone
    assert spec["merge"] is True
    # classes: primary -> major (0), tertiary list -> secondary class (1), track & footway -> 3
    assert spec["k"] == [0, 1, 3, 3]
    assert [c.get("minZoom") for c in spec["cats"]] == [0, 0, 10, 12]


def test_roads_are_simplified_in_metres(counties):
    x = np.linspace(111.0, 111.1, 200)
    wiggly = LineString(np.column_stack([x, 37.5 + 1e-6 * np.sin(np.arange(200))]))
    gdf = gpd.GeoDataFrame({"highway": ["secondary"]}, geometry=[wiggly], crs="EPSG:4326")
    (spec,) = payloads(CoverageMap(counties).add_roads(gdf).get_html())[0]
    assert len(spec["geom"]["xy"]) == 4  # a straight line: two vertices left


def test_village_colours_and_sizes(villages, counties):
    palette = {True: "#00ff00", False: "#ff0000"}
    m = CoverageMap(counties).add_villages(villages, status_col="covered", palette=palette)
    (spec,) = payloads(m.get_html())[0]
    assert [c["style"]["fillColor"] for c in spec["cats"]] == ["#00ff00", "#ff0000"]
    assert spec["k"] == [0, 1, 0, 1, 0]
    np.testing.assert_allclose(spec["r"], village_radius(villages["population"].to_numpy()))
    # the radius grows with the square root of residents
    r = village_radius(np.array([100.0, 400.0, 0.0]))
    assert r[1] - r[2] == pytest.approx(2 * (r[0] - r[2]), abs=0.1)


def test_service_circles_use_metres_from_the_rules(facilities, counties):
    radius = load_rules().clinic.service_radius_m
    m = CoverageMap(counties).add_circles(facilities.iloc[:2], radius)
    (spec,) = payloads(m.get_html())[0]
    assert spec["mode"] == "circle"
    assert spec["radius_m"] == radius
    assert m.layer_names == [f"{radius / 1000:g} 公里服务半径"]


def test_isochrones_longest_first(counties):
    centre = Point(111.2, 37.5)
    iso = gpd.GeoDataFrame(
        {"minutes": [15, 30, 60]},
        geometry=[centre.buffer(0.02), centre.buffer(0.05), centre.buffer(0.1)],
        crs="EPSG:4326",
    )
    (spec,) = payloads(CoverageMap(counties).add_isochrones(iso).get_html())[0]
    assert spec["rows"] == [["60"], ["30"], ["15"]]
    assert spec["k"] == [2, 1, 0]


def test_generic_layer_with_mixed_geometries(counties):
    gdf = gpd.GeoDataFrame(
        {"kind": ["a", "b", "a"]},
        geometry=[
            Point(111.1, 37.5),
            LineString([(111, 37.4), (111.2, 37.5)]),
            box(111, 37, 111.1, 37.1),
        ],
        crs="EPSG:4326",
    )
    m = CoverageMap(counties).add_layer(gdf, "混合", category_col="kind")
    specs = payloads(m.get_html())[0]
    assert [s["geom"]["g"] for s in specs] == ["A", "L", "P"]
    assert [s["k"] for s in specs] == [[0], [1], [0]]


def test_bad_arguments_raise_input_error(villages, counties, monkeypatch):
    with pytest.raises(InputError):
        CoverageMap(counties, lang="fr")
    with pytest.raises(InputError):
        CoverageMap(counties, basemap="bing")
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(InputError, match="TIANDITU_KEY"):
        CoverageMap(counties, basemap="tianditu")
    with pytest.raises(InputError):
        CoverageMap(villages.set_crs(None, allow_override=True))
    m = CoverageMap(counties)
    with pytest.raises(InputError):
        m.add_villages(villages, status_col="nope")
    with pytest.raises(InputError):
        m.add_circles(villages, -1.0)


def test_tianditu_key_from_environment(counties, monkeypatch):
    monkeypatch.setenv("TIANDITU_KEY", "abc123")
    page = CoverageMap(counties, basemap="tianditu").get_html()
    assert "vec_w/wmts" in page
    assert "cva_w/wmts" in page
    assert "tk=abc123" in page
