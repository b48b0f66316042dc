"""Stray points: the metric CRS ignores them, the study-area check names them, CRS mix-ups."""

import re
import warnings

import geopandas as gpd
import numpy as np
import pytest
from input_cases import GEOD, assert_input_error, lonlat_file, write_csv
from netfixtures import write_osm
from shapely.geometry import Point, box

from lvliang_coverage.inputs import readers
from lvliang_coverage.inputs.projection import LVLIANG_METRIC_CRS, metric_crs_of
from lvliang_coverage.network.distance import metric_xy

PARIS = (2.3522, 48.8566)
AREA = box(111.0, 37.0, 111.6, 37.8)  # a Lüliang-sized box, EPSG:4326


def _lvliang_points(n=40, seed=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(111.05, 111.55, n), rng.uniform(37.05, 37.75, n)


def test_metric_crs_ignores_one_stray_point():
    lon, lat = _lvliang_points()
    local = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    stray = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([*lon, PARIS[0]], [*lat, PARIS[1]]), crs=4326
    )
    # the centre of the extent lies near 57 E: the old rule picked UTM zone 40 (EPSG:32640)
    assert metric_crs_of(local) == LVLIANG_METRIC_CRS
    assert metric_crs_of(stray) == LVLIANG_METRIC_CRS
    # straight-line distances between the Lüliang points do not move with the stray point
    a = metric_xy(local)
    b = metric_xy(stray)[:-1]
    da = np.hypot(*(a[1:] - a[0]).T)
    db = np.hypot(*(b[1:] - b[0]).T)
    np.testing.assert_allclose(db, da, rtol=1e-12)
    geodesic = GEOD.inv(
        np.full(len(lon) - 1, lon[0]), np.full(len(lon) - 1, lat[0]), lon[1:], lat[1:]
    )[2]
    np.testing.assert_allclose(db, geodesic, rtol=2e-3)  # Gauss-Kruger CM 111E: < 0.2 % off


def test_metric_crs_elsewhere_and_of_polygons():
    ring = gpd.GeoSeries([box(116.0, 39.5, 117.0, 40.5)], crs=4326)  # Beijing: UTM zone 50
    assert metric_crs_of(ring) == "EPSG:32650"
    assert metric_crs_of(gpd.GeoSeries([], crs=4326)) == LVLIANG_METRIC_CRS


def _far_file(tmp_path):
    lon = [111.1, PARIS[0], 111.2, 112.5, 111.3]
    lat = [37.5, PARIS[1], 37.6, 37.5, 37.7]
    return lonlat_file(tmp_path, lon, lat)


def test_points_outside_named_by_row_and_count(tmp_path):
    path = _far_file(tmp_path)
    err = assert_input_error(
        readers.read_villages, path, 2, "x", "points outside the study area", study_area=AREA
    )
    assert "点位超出研究区" in err.message
    assert "2 of 5 point(s)" in err.message
    assert "rows 2, 4;" in err.message
    assert "--drop-outliers" in err.message
    km = float(re.search(r"lies ([0-9.]+) km", err.message).group(1))
    # oracle: geodesic distance from Paris to the densest sampling of the box outline
    t = np.linspace(0.0, 1.0, 4001)
    edge_lon = np.r_[
        111.0 + 0.6 * t, np.full_like(t, 111.6), 111.0 + 0.6 * t, np.full_like(t, 111.0)
    ]
    edge_lat = np.r_[np.full_like(t, 37.0), 37.0 + 0.8 * t, np.full_like(t, 37.8), 37.0 + 0.8 * t]
    oracle = GEOD.inv(
        np.full_like(edge_lon, PARIS[0]), np.full_like(edge_lat, PARIS[1]), edge_lon, edge_lat
    )[2]
    assert km == pytest.approx(oracle.min() / 1000.0, rel=0.01)


def test_drop_outliers_reports_them(tmp_path):
    path = _far_file(tmp_path)
    policy = readers.Outliers(drop=True)
    with pytest.warns(
        readers.OutliersDroppedWarning, match=r"dropped 2 of 5 point\(s\).*rows 2, 4"
    ):
        gdf = readers.read_villages(path, study_area=AREA, outliers=policy)
    assert gdf["village_id"].tolist() == ["V0", "V2", "V4"]
    table = policy.table()
    assert table["row"].tolist() == [2, 4]
    assert table["id"].tolist() == ["V1", "V3"]
    assert table["layer"].tolist() == ["villages", "villages"]
    np.testing.assert_allclose(table["lon"], [PARIS[0], 112.5])
    # 112.5 E lies 0.9 degrees of longitude east of the box at 37.5 N
    expected = GEOD.inv(112.5, 37.5, 111.6, 37.5)[2] / 1000.0
    assert table["outside_km"].iloc[1] == pytest.approx(expected, abs=0.2)


def test_every_point_outside_hints_at_coords(tmp_path):
    path = lonlat_file(tmp_path, [116.1, 116.2], [39.9, 40.0])
    err = assert_input_error(readers.read_villages, path, 1, "x", "outside", study_area=AREA)
    assert "every point lies outside" in err.message
    assert "--coords" in err.message


@pytest.mark.parametrize(
    ("x", "code"),
    [(508_842.5, "EPSG:4546"), (37_508_842.5, "EPSG:4525"), (19_508_842.5, "EPSG:4497")],
)
def test_projected_values_with_geographic_coords(tmp_path, x, code):
    path = lonlat_file(tmp_path, [x, x + 100.0], [4_152_006.8, 4_152_106.8])
    err = assert_input_error(readers.read_villages, path, 1, "y", "not degrees")
    assert "坐标看起来是投影坐标（米）" in err.message
    assert f"use --coords {code}" in err.message


def test_degree_values_with_projected_coords(tmp_path):
    path = lonlat_file(tmp_path, [111.1, 111.2], [37.5, 37.6])
    err = assert_input_error(
        readers.read_villages, path, 1, "x", "look like degrees", coords="EPSG:4546"
    )
    assert "坐标看起来是经纬度" in err.message
    assert "--coords wgs84" in err.message


def test_geometry_file_labelled_projected_holding_degrees(tmp_path):
    path = tmp_path / "v.gpkg"
    gpd.GeoDataFrame(
        {"population": [5, 6]}, geometry=[Point(111.1, 37.5), Point(111.2, 37.6)], crs=4546
    ).to_file(path, engine="pyogrio")
    err = assert_input_error(readers.read_villages, path, 1, "geometry", "look like degrees")
    assert ".prj" in err.message


def test_roads_extent_from_header_and_from_nodes(tmp_path, repo_root):
    header = readers.roads_extent(repo_root / "data" / "default" / "roads.osm.bz2")
    assert header == pytest.approx((110.385352, 36.7475399, 112.3080911, 38.7176386))
    nodes = {1: (0.0, 0.0), 2: (3000.0, 500.0), 3: (-1000.0, 2000.0)}
    path = write_osm(tmp_path / "r.osm", nodes, [(10, [1, 2, 3], {"highway": "track"})])
    assert "<bounds" not in path.read_text(encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    lon = [float(v) for v in re.findall(r"lon='([-0-9.]+)'", text)]
    lat = [float(v) for v in re.findall(r"lat='([-0-9.]+)'", text)]
    extent = readers.roads_extent(path)
    assert extent == pytest.approx((min(lon), min(lat), max(lon), max(lat)), abs=1e-7)
    bad = tmp_path / "bad.osm"
    bad.write_text("not osm", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert readers.roads_extent(bad) is None


def test_reading_inside_the_area_is_unchanged(tmp_path):
    path = write_csv(tmp_path / "v.csv", ["编号", "人口", "经度", "纬度"], [["A", 1, 111.1, 37.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gdf = readers.read_villages(path, study_area=AREA, outliers=readers.Outliers(drop=True))
    assert gdf["village_id"].tolist() == ["A"]
