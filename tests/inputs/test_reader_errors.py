"""Tests for bad input: every error names the file, the data row and the column."""

import re

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from input_cases import (
    GEOD,
    GOOD,
    HDR,
    assert_input_error,
    bad_csv,
    lonlat_file,
    villages_gdf,
    write_csv,
)
from shapely.geometry import box

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import readers

# ------------------------------------------------------------------ bad input


def test_missing_required_column_lists_accepted_headers(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv", ["编号", "村名", "经度", "纬度"], [["A", "甲", 111.1, 37.5]]
    )
    err = assert_input_error(
        readers.read_villages, path, None, "population", "missing required column"
    )
    for header in ("population", "pop", "常住人口", "人口"):
        assert header in err.message


def test_missing_coordinate_columns(tmp_path):
    path = write_csv(tmp_path / "bad.csv", ["人口", "经度"], [[1, 111.1]])
    err = assert_input_error(readers.read_villages, path, None, "lat", "missing required column")
    assert "纬度" in err.message


@pytest.mark.parametrize(
    ("value", "match"),
    [("abc", "not a number"), ("-5", "negative"), ("12.5", "whole number"), ("", "empty")],
)
def test_bad_population(tmp_path, value, match):
    path = bad_csv(tmp_path, ["B", "乙", value, 111.2, 37.6])
    assert_input_error(readers.read_villages, path, 2, "常住人口", match)


def test_row_numbers_count_blank_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "编号,常住人口,经度,纬度\nA,1,111.1,37.5\n,,,\nB,x,111.2,37.5\n", encoding="utf-8"
    )
    assert_input_error(readers.read_villages, path, 3, "常住人口", "not a number")


def test_registered_poor_above_population(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv", ["人口", "贫困人口", "经度", "纬度"], [[10, 11, 111.1, 37.5]]
    )
    assert_input_error(readers.read_villages, path, 1, "贫困人口", "exceeds population")


@pytest.mark.parametrize(
    ("lon", "lat", "column"), [("", 37.6, "经度"), (111.2, "", "纬度"), ("nan", 37.6, "经度")]
)
def test_empty_or_nan_coordinates(tmp_path, lon, lat, column):
    path = bad_csv(tmp_path, ["B", "乙", 200, lon, lat])
    assert_input_error(readers.read_villages, path, 2, column, "empty|not a number")


def test_empty_coordinate_in_xlsx(tmp_path):
    path = tmp_path / "bad.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HDR)
    book.active.append(GOOD[0])
    book.active.append(["B", "乙", 200, None, 37.6])
    book.save(path)
    assert_input_error(readers.read_villages, path, 2, "经度", "empty")


def test_swapped_coordinates(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 200, 37.6, 111.2])
    assert_input_error(readers.read_villages, path, 2, "纬度", "swapped")


def test_coordinates_out_of_range(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 200, 211.2, 37.6])
    assert_input_error(readers.read_villages, path, 2, "经度", "out of range")


def test_projected_numbers_without_epsg(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 200, 37_500_000.0, 4_150_000.0])
    assert_input_error(readers.read_villages, path, 2, "纬度", "EPSG")


def test_far_outside_study_area(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 200, 112.0, 37.6])
    area = gpd.GeoDataFrame(geometry=[box(111.0, 37.0, 111.3, 37.7)], crs=4326)
    # 112.0 E lies about 62 km east of the box edge at 111.3 E (at 37.6 N)
    err = assert_input_error(
        readers.read_villages, path, 2, "经度", "outside the study area", study_area=area
    )
    reported_km = float(re.search(r"lies ([0-9.]+) km", err.message).group(1))
    expected_km = GEOD.inv(112.0, 37.6, 111.3, 37.6)[2] / 1000.0  # geodesic oracle
    assert abs(reported_km - expected_km) < 0.3
    assert "swapped" not in err.message
    # a tighter tolerance rejects a point 2.6 km out
    path2 = lonlat_file(tmp_path, [111.1, 111.33], [37.5, 37.5], name="near.csv")
    assert_input_error(
        readers.read_villages, path2, 2, "x", "tolerance 1 km", study_area=area, tolerance_m=1000.0
    )


def test_outside_study_area_swapped_hint(tmp_path):
    # Both orders are valid degrees here; only the swapped order lies inside the area.
    area = box(49.0, 39.0, 51.0, 41.0)
    path = write_csv(
        tmp_path / "s.csv", HDR, [["A", "甲", 1, 50.0, 40.0], ["B", "乙", 1, 40.0, 50.0]]
    )
    err = assert_input_error(readers.read_villages, path, 2, "经度", "outside", study_area=area)
    assert "swapped" in err.message


def test_duplicate_ids_name_both_rows(tmp_path):
    path = write_csv(tmp_path / "bad.csv", HDR, [GOOD[0], GOOD[1], ["A", "丙", 5, 111.3, 37.5]])
    err = assert_input_error(readers.read_villages, path, 3, "编号", "duplicate village_id 'A'")
    assert "rows 1 and 3" in err.message


def test_header_only_file(tmp_path):
    path = write_csv(tmp_path / "bad.csv", HDR, [])
    assert_input_error(readers.read_villages, path, None, None, "no data rows")


def test_zero_byte_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"")
    assert_input_error(readers.read_villages, path, None, None, "empty")


def test_unreadable_encoding(tmp_path):
    path = tmp_path / "bad.csv"
    rng = np.random.default_rng(7)
    path.write_bytes(bytes(rng.integers(0, 256, 4000, dtype=np.uint8)))
    assert_input_error(readers.read_villages, path, None, None, "unreadable encoding")


def test_unknown_file_type(tmp_path):
    path = tmp_path / "villages.docx"
    path.write_bytes(b"PK\x03\x04")
    err = assert_input_error(readers.read_villages, path, None, None, "unknown file type")
    assert ".xlsx" in err.message


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    assert_input_error(readers.read_villages, path, None, None, "does not exist")


def test_empty_geometry_in_geojson(tmp_path):
    gdf = villages_gdf()
    gdf.loc[1, "geometry"] = None
    path = tmp_path / "bad.geojson"
    gdf.to_file(path, engine="pyogrio")
    assert_input_error(readers.read_villages, path, 2, "geometry", "empty geometry")


def test_bad_boolean(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv", ["人口", "经度", "纬度", "饮水安全"], [[1, 111.1, 37.5, "maybe"]]
    )
    assert_input_error(readers.read_villages, path, 1, "饮水安全", "是/否")


def test_unknown_coords_system(tmp_path):
    path = lonlat_file(tmp_path, [111.1], [37.5])
    with pytest.raises(InputError, match="unknown coordinate system"):
        readers.read_villages(path, coords="mars")


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip archive at all")
    assert_input_error(readers.read_villages, path, None, None, "not a readable .xlsx")


def test_old_xls_rejected_with_advice(tmp_path):
    path = tmp_path / "bad.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert_input_error(readers.read_villages, path, None, None, "save the sheet as .xlsx")
