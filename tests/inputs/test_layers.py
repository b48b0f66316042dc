"""Tests for the shared layer machinery: coordinates, geometry, study area and defaults."""

import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from input_cases import (
    GEOD,
    assert_input_error,
    check_villages,
    lonlat_file,
    villages_gdf,
    write_csv,
)
from shapely.geometry import MultiPoint, box

from lvliang_coverage.inputs import chinacrs, readers

# ---------------------------------------------------------------- coordinates


@pytest.mark.parametrize(
    ("system", "forward"),
    [("gcj02", chinacrs.wgs84_to_gcj02), ("bd09", chinacrs.wgs84_to_bd09)],
)
def test_web_coordinates_converted(tmp_path, system, forward):
    lon = np.array([111.1, 111.5, 110.9])
    lat = np.array([37.5, 38.0, 36.9])
    fx, fy = forward(lon, lat)
    gdf = readers.read_villages(lonlat_file(tmp_path, fx, fy), coords=system)
    d = np.asarray(GEOD.inv(gdf.geometry.x, gdf.geometry.y, lon, lat)[2])
    assert d.max() < 1.0


def test_projected_columns_with_epsg(tmp_path):
    lon, lat = [111.1, 111.5], [37.5, 38.0]
    x, y = pyproj.Transformer.from_crs(4326, 4546, always_xy=True).transform(lon, lat)
    gdf = readers.read_villages(lonlat_file(tmp_path, x, y), coords="EPSG:4546")
    np.testing.assert_allclose(gdf.geometry.x, lon, atol=1e-8)
    np.testing.assert_allclose(gdf.geometry.y, lat, atol=1e-8)


def test_cgcs2000_equals_wgs84(tmp_path):
    gdf = readers.read_villages(lonlat_file(tmp_path, [111.1], [37.5]), coords="cgcs2000")
    assert GEOD.inv(gdf.geometry.x[0], gdf.geometry.y[0], 111.1, 37.5)[2] < 1.0


def test_study_area_within_tolerance_accepted(tmp_path):
    area = box(111.0, 37.0, 111.3, 37.7)
    # 111.33 E is about 2.6 km east of the box: inside the default 5 km tolerance
    gdf = readers.read_villages(
        lonlat_file(tmp_path, [111.1, 111.33], [37.5, 37.5]), study_area=area
    )
    assert len(gdf) == 2


def test_study_area_from_file(tmp_path):
    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame({"name": ["区"]}, geometry=[box(111.0, 37.0, 111.3, 37.7)], crs=4326).to_file(
        area, engine="pyogrio"
    )
    inside = lonlat_file(tmp_path, [111.1], [37.5], name="in.csv")
    assert len(readers.read_villages(inside, study_area=area)) == 1
    outside = lonlat_file(tmp_path, [111.1, 112.0], [37.5, 37.6], name="out.csv")
    assert_input_error(
        readers.read_villages, outside, 2, "x", "outside the study area", study_area=area
    )


def test_shapefile_without_prj_needs_coords(tmp_path):
    path = tmp_path / "v.shp"
    with warnings.catch_warnings():  # GDAL warns about the 10-byte names
        warnings.simplefilter("ignore")
        villages_gdf("EPSG:4546").to_file(path, engine="pyogrio")
    (tmp_path / "v.prj").unlink()
    err = assert_input_error(readers.read_villages, path, 1, "geometry", "not degrees")
    assert ".prj" in err.message
    check_villages(readers.read_villages(path, coords="EPSG:4546"))


def test_point_layers_reject_polygons_accept_single_multipoints(tmp_path):
    gdf = villages_gdf()
    path = tmp_path / "multi.gpkg"
    gdf.set_geometry(
        gpd.GeoSeries(gdf.geometry.apply(lambda p: MultiPoint([p])), crs=4326)
    ).to_file(path, engine="pyogrio")
    check_villages(readers.read_villages(path))
    gdf.loc[2, "geometry"] = box(111.0, 37.0, 111.1, 37.1)
    bad = tmp_path / "poly.gpkg"
    gdf.to_file(bad, engine="pyogrio")
    assert_input_error(
        readers.read_villages, bad, 3, "geometry", "expected Point geometry, got Polygon"
    )


# ------------------------------------------------------------------- defaults


def test_missing_optional_columns_get_defaults(tmp_path):
    path = write_csv(
        tmp_path / "v.csv", ["人口", "经度", "纬度"], [[1, 111.1, 37.5], [29, 111.2, 37.5]]
    )
    gdf = readers.read_villages(path)
    assert gdf["village_id"].tolist() == ["V00001", "V00002"]
    assert gdf["name"].tolist() == ["V00001", "V00002"]
    assert gdf["households"].tolist() == [1, 10]  # at least 1; round(29 / 2.8) = 10
    assert gdf["registered_poor"].tolist() == [0, 0]
    assert gdf["water_safe"].tolist() == [True, True]
    assert gdf["relocate"].tolist() == [False, False]
    assert gdf["county"].tolist() == ["", ""]


def test_generated_ids_follow_file_rows_across_blank_lines(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("人口,经度,纬度\n10,111.1,37.5\n,,\n20,111.2,37.5\n", encoding="utf-8")
    gdf = readers.read_villages(path)
    assert gdf["village_id"].tolist() == ["V00001", "V00003"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Yes", True),
        ("no", False),
        ("1", True),
        ("0", False),
        ("TRUE", True),
        ("false", False),
        ("", False),
    ],
)
def test_boolean_words(tmp_path, word, expected):
    path = write_csv(
        tmp_path / "v.csv", ["人口", "经度", "纬度", "整村搬迁"], [[1, 111.1, 37.5, word]]
    )
    assert readers.read_villages(path)["relocate"].tolist() == [expected]


def test_extra_columns_kept(tmp_path):
    path = write_csv(
        tmp_path / "v.csv", ["人口", "经度", "纬度", "备注"], [[1, 111.1, 37.5, "山区"]]
    )
    gdf = readers.read_villages(path)
    assert gdf["备注"].tolist() == ["山区"]
    assert "经度" not in gdf.columns


def test_extra_columns_typed(tmp_path):
    path = write_csv(
        tmp_path / "v.csv",
        ["人口", "经度", "纬度", "elevation_m", "组数", "邮编", "通电", "备注"],
        [
            [1, 111.1, 37.5, 1203.5, 3, "033000", "True", ""],
            [2, 111.2, 37.5, 990, 4, "033100", "False", "x"],
        ],
    )
    gdf = readers.read_villages(path)
    assert gdf["elevation_m"].tolist() == [1203.5, 990.0]
    assert gdf["组数"].dtype == np.int64
    assert gdf["邮编"].tolist() == ["033000", "033100"]
    assert gdf["通电"].tolist() == [True, False]
    assert gdf["备注"].isna().tolist() == [True, False]
