"""Tests for loading and validating registries in every format and encoding."""

import csv
import io
import os
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyproj
import pytest
from shapely.geometry import MultiPoint, Point, Polygon, box

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import chinacrs
from lvliang_coverage.inputs import io as cio

GEOD = pyproj.Geod(ellps="WGS84")

# Three villages in Lüliang: id, name, county, township, population, poor, water safe, lon, lat
VILLAGES = [
    ("L001", "张家庄", "临县", "城庄镇", 150, 20, "是", 111.10, 37.50),
    ("L002", "李家沟", "临县", "城庄镇", 1250, 0, "否", 111.20, 37.60),
    ("L003", "𠀀家峁", "兴县", "蔚汾镇", 86, 86, "是", 111.15, 38.45),
]
CN_HEADER = ["编号", "村名", "县区", "乡镇", "常住人口", "建档立卡人口", "饮水安全", "经度", "纬度"]
EN_HEADER = [
    " Village_ID ",
    "NAME",
    "County",
    "township",
    "Population",
    "registered_poor",
    "water_safe",
    " Longitude",
    "LAT ",
]


def csv_text(header, rows):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(path, header, rows, encoding="utf-8"):
    path.write_bytes(csv_text(header, rows).encode(encoding))
    return path


def snapshot(path):
    path = Path(path)
    files = sorted(path.parent.glob(path.stem + ".*")) if path.suffix == ".shp" else [path]
    return [(p.name, p.read_bytes(), p.stat().st_mtime_ns) for p in files]


def villages_gdf(crs="EPSG:4326"):
    frame = pd.DataFrame(
        [v[:7] for v in VILLAGES],
        columns=[
            "village_id",
            "name",
            "county",
            "township",
            "population",
            "registered_poor",
            "water_safe",
        ],
    )
    points = gpd.points_from_xy([v[7] for v in VILLAGES], [v[8] for v in VILLAGES])
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326").to_crs(crs)


def check_villages(gdf, *, ids=("L001", "L002", "L003"), names=True):
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert gdf.crs == "EPSG:4326"
    assert list(gdf.columns[:11]) == [
        "village_id",
        "name",
        "county",
        "township",
        "population",
        "households",
        "registered_poor",
        "water_safe",
        "relocate",
        "admin_village",
        "source",
    ]
    assert gdf["village_id"].tolist() == list(ids)
    if names:
        assert gdf["name"].tolist() == [v[1] for v in VILLAGES]
        assert gdf["county"].tolist() == [v[2] for v in VILLAGES]
    assert gdf["population"].tolist() == [v[4] for v in VILLAGES]
    assert gdf["population"].dtype == np.int64
    assert gdf["registered_poor"].tolist() == [v[5] for v in VILLAGES]
    assert gdf["water_safe"].tolist() == [v[6] == "是" for v in VILLAGES]
    assert gdf["relocate"].tolist() == [False, False, False]
    # households default: round(population / 2.8)
    assert gdf["households"].tolist() == [54, 446, 31]
    np.testing.assert_allclose(gdf.geometry.x, [v[7] for v in VILLAGES], atol=1e-7)
    np.testing.assert_allclose(gdf.geometry.y, [v[8] for v in VILLAGES], atol=1e-7)


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_with_chinese_headers(tmp_path, encoding):
    path = write_csv(tmp_path / "villages.csv", CN_HEADER, [list(v) for v in VILLAGES], encoding)
    before = snapshot(path)
    gdf = cio.read_villages(path)
    check_villages(gdf)
    assert gdf["source"].unique().tolist() == ["villages.csv"]
    assert snapshot(path) == before


def test_csv_gbk(tmp_path):
    # GBK cannot hold the rare character of the third village: use the first two rows.
    path = write_csv(tmp_path / "v.csv", CN_HEADER, [list(v) for v in VILLAGES[:2]], "gbk")
    assert path.read_bytes().decode("gbk")  # really GBK bytes
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    gdf = cio.read_villages(path)
    assert gdf["name"].tolist() == ["张家庄", "李家沟"]
    assert gdf["township"].tolist() == ["城庄镇", "城庄镇"]


def test_csv_english_headers_case_and_space_insensitive(tmp_path):
    path = write_csv(tmp_path / "v.csv", EN_HEADER, [list(v) for v in VILLAGES])
    check_villages(cio.read_villages(path))


def test_csv_semicolon_and_thousands_separator(tmp_path):
    text = "id;name;人口（人）;lng;lat\nA;甲;1,250;111.1;37.5\n"
    path = tmp_path / "v.txt"
    path.write_text(text, encoding="utf-8")
    gdf = cio.read_villages(path)
    assert gdf["population"].tolist() == [1250]
    assert gdf["village_id"].tolist() == ["A"]


def test_xlsx_sheet_by_name_and_index(tmp_path):
    path = tmp_path / "villages.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["this sheet is notes"])
    ws = book.create_sheet("自然村")
    ws.append(CN_HEADER)
    for v in VILLAGES:
        ws.append([*v[:6], v[6] == "是", v[7], v[8]])  # Excel booleans
    ws.append([None] * len(CN_HEADER))  # trailing blank row
    book.save(path)
    before = snapshot(path)
    check_villages(cio.read_villages(path, sheet="自然村"))
    check_villages(cio.read_villages(path, sheet=1))
    with pytest.raises(InputError, match="sheet"):
        cio.read_villages(path, sheet="nope")
    assert snapshot(path) == before


def test_xlsx_title_line_above_header(tmp_path):
    path = tmp_path / "v.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["吕梁市自然村统计表"])
    ws.append(HDR)
    ws.append(GOOD[0])
    ws.append(["B", "乙", -3, 111.2, 37.6])
    book.save(path)
    assert_input_error(cio.read_villages, path, 2, "常住人口", "negative")


def test_xlsx_numeric_ids_become_text(tmp_path):
    path = tmp_path / "v.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["村编码", "人口", "经度", "纬度"])
    ws.append([14112300101, 10, 111.1, 37.5])
    ws.append([14112300102.0, 20, 111.2, 37.5])
    book.save(path)
    gdf = cio.read_villages(path)
    assert gdf["village_id"].tolist() == ["14112300101", "14112300102"]


def test_geopackage_layer(tmp_path):
    path = tmp_path / "data.gpkg"
    villages_gdf().to_file(path, layer="villages", engine="pyogrio")
    gpd.GeoDataFrame({"x": [1]}, geometry=[Point(0, 0)], crs=4326).to_file(
        path, layer="other", engine="pyogrio"
    )
    before = snapshot(path)
    check_villages(cio.read_villages(path, layer="villages"))
    assert snapshot(path) == before


def test_geojson_in_projected_crs_uses_its_own_crs(tmp_path):
    path = tmp_path / "v.geojson"
    villages_gdf("EPSG:4546").to_file(path, engine="pyogrio")
    check_villages(cio.read_villages(path))


def test_geojson_gcj02_on_request(tmp_path):
    gdf = villages_gdf()
    gx, gy = chinacrs.wgs84_to_gcj02(gdf.geometry.x, gdf.geometry.y)
    gdf = gdf.set_geometry(gpd.points_from_xy(gx, gy), crs=4326)
    path = tmp_path / "v.geojson"
    gdf.to_file(path, engine="pyogrio")
    check_villages(cio.read_villages(path, coords="gcj02"))
    shifted = cio.read_villages(path)  # without the option the points stay shifted
    d = GEOD.inv(
        shifted.geometry.x, shifted.geometry.y, [v[7] for v in VILLAGES], [v[8] for v in VILLAGES]
    )[2]
    assert np.all(np.asarray(d) > 300.0)


def test_shapefile_utf8_truncated_names(tmp_path):
    gdf = villages_gdf().rename(columns={"population": "常住人口", "name": "自然村名称"})
    gdf["admin_village"] = ["城庄村", "城庄村", "蔚汾村"]
    path = tmp_path / "v.shp"
    with warnings.catch_warnings():  # GDAL warns about the 10-byte names
        warnings.simplefilter("ignore")
        gdf.to_file(path, engine="pyogrio", encoding="utf-8")
    names = gpd.read_file(path, encoding="ISO-8859-1").columns
    # dBase names hold 10 bytes: 'registered_poor' -> 'registered', '常住人口' cut mid-character
    assert "registered" in names
    assert "admin_vill" in names
    assert (tmp_path / "v.cpg").read_text().strip().upper() == "UTF-8"
    before = snapshot(path)
    out = cio.read_villages(path)
    check_villages(out)
    assert out["admin_village"].tolist() == ["城庄村", "城庄村", "蔚汾村"]
    assert snapshot(path) == before


def test_shapefile_gbk_without_cpg(tmp_path):
    gdf = villages_gdf().iloc[:2].rename(columns={"population": "常住人口", "name": "村名"})
    path = tmp_path / "v.shp"
    with warnings.catch_warnings():  # GDAL warns about the 10-byte names
        warnings.simplefilter("ignore")
        gdf.to_file(path, engine="pyogrio", encoding="gbk")
    (tmp_path / "v.cpg").unlink()
    out = cio.read_villages(path)
    assert out["name"].tolist() == ["张家庄", "李家沟"]
    assert out["population"].tolist() == [150, 1250]
    assert out["county"].tolist() == ["临县", "临县"]


# --------------------------------------------------------------------------- coordinates


def lonlat_file(tmp_path, lon, lat, name="v.csv"):
    rows = [[f"V{i}", 100, x, y] for i, (x, y) in enumerate(zip(lon, lat, strict=True))]
    return write_csv(tmp_path / name, ["id", "pop", "x", "y"], rows)


@pytest.mark.parametrize(
    ("system", "forward"),
    [("gcj02", chinacrs.wgs84_to_gcj02), ("bd09", chinacrs.wgs84_to_bd09)],
)
def test_web_coordinates_converted(tmp_path, system, forward):
    lon = np.array([111.1, 111.5, 110.9])
    lat = np.array([37.5, 38.0, 36.9])
    fx, fy = forward(lon, lat)
    gdf = cio.read_villages(lonlat_file(tmp_path, fx, fy), coords=system)
    d = np.asarray(GEOD.inv(gdf.geometry.x, gdf.geometry.y, lon, lat)[2])
    assert d.max() < 1.0


def test_projected_columns_with_epsg(tmp_path):
    lon, lat = [111.1, 111.5], [37.5, 38.0]
    x, y = pyproj.Transformer.from_crs(4326, 4546, always_xy=True).transform(lon, lat)
    gdf = cio.read_villages(lonlat_file(tmp_path, x, y), coords="EPSG:4546")
    np.testing.assert_allclose(gdf.geometry.x, lon, atol=1e-8)
    np.testing.assert_allclose(gdf.geometry.y, lat, atol=1e-8)


def test_cgcs2000_equals_wgs84(tmp_path):
    gdf = cio.read_villages(lonlat_file(tmp_path, [111.1], [37.5]), coords="cgcs2000")
    assert GEOD.inv(gdf.geometry.x[0], gdf.geometry.y[0], 111.1, 37.5)[2] < 1.0


def test_study_area_within_tolerance_accepted(tmp_path):
    area = box(111.0, 37.0, 111.3, 37.7)
    # 111.33 E is about 2.6 km east of the box: inside the default 5 km tolerance
    gdf = cio.read_villages(lonlat_file(tmp_path, [111.1, 111.33], [37.5, 37.5]), study_area=area)
    assert len(gdf) == 2


# --------------------------------------------------------------------------- defaults


def test_missing_optional_columns_get_defaults(tmp_path):
    path = write_csv(
        tmp_path / "v.csv", ["人口", "经度", "纬度"], [[1, 111.1, 37.5], [29, 111.2, 37.5]]
    )
    gdf = cio.read_villages(path)
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
    gdf = cio.read_villages(path)
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
    assert cio.read_villages(path)["relocate"].tolist() == [expected]


def test_extra_columns_kept(tmp_path):
    path = write_csv(
        tmp_path / "v.csv", ["人口", "经度", "纬度", "备注"], [[1, 111.1, 37.5, "山区"]]
    )
    gdf = cio.read_villages(path)
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
    gdf = cio.read_villages(path)
    assert gdf["elevation_m"].tolist() == [1203.5, 990.0]
    assert gdf["组数"].dtype == np.int64
    assert gdf["邮编"].tolist() == ["033000", "033100"]
    assert gdf["通电"].tolist() == [True, False]
    assert gdf["备注"].isna().tolist() == [True, False]


# --------------------------------------------------------------------------- other layers


def test_facilities_kind_fill_and_filter(tmp_path):
    plain = write_csv(
        tmp_path / "clinics.csv", ["名称", "经度", "纬度"], [["甲卫生室", 111.1, 37.5]]
    )
    gdf = cio.read_facilities(plain, kind="村卫生室")
    assert gdf["kind"].tolist() == ["clinic"]
    assert gdf["doctors"].tolist() == [0]
    assert gdf["facility_id"].tolist() == ["F00001"]
    mixed = write_csv(
        tmp_path / "f.csv",
        ["编号", "名称", "类型", "医生数", "经度", "纬度"],
        [
            ["a", "甲", "村卫生室", 0, 111.1, 37.5],
            ["b", "乙", "乡镇卫生院", 3, 111.2, 37.5],
            ["c", "丙", "school", 0, 111.3, 37.5],
            ["d", "丁", "扶贫车间", "", 111.4, 37.5],
        ],
    )
    all_ = cio.read_facilities(mixed)
    assert all_["kind"].tolist() == ["clinic", "health_centre", "school", "workshop"]
    assert all_["doctors"].tolist() == [0, 3, 0, 0]
    centres = cio.read_facilities(mixed, kind="health_centre")
    assert centres["facility_id"].tolist() == ["b"]
    assert centres["doctors"].tolist() == [3]


def test_facilities_unknown_kind(tmp_path):
    path = write_csv(
        tmp_path / "f.csv",
        ["类型", "经度", "纬度"],
        [["clinic", 111.1, 37.5], ["药店", 111.2, 37.5]],
    )
    assert_input_error(cio.read_facilities, path, 2, "类型", "unknown kind '药店'")


def test_facilities_missing_kind(tmp_path):
    path = write_csv(tmp_path / "f.csv", ["名称", "经度", "纬度"], [["甲", 111.1, 37.5]])
    assert_input_error(cio.read_facilities, path, None, "kind", "类型")


def test_water_sources(tmp_path):
    path = write_csv(
        tmp_path / "w.csv",
        ["水源编号", "水源名称", "水源类型", "供水能力（m3/d）", "海拔", "经度", "纬度"],
        [
            ["W1", "泉A", "泉", 120.5, 1350, 111.1, 37.5],
            ["W2", "水厂B", "水厂", "2,000", "", 111.2, 37.6],
        ],
    )
    gdf = cio.read_water_sources(path)
    assert gdf["water_source_id"].tolist() == ["W1", "W2"]
    assert gdf["kind"].tolist() == ["spring", "plant"]
    assert gdf["capacity_m3d"].tolist() == [120.5, 2000.0]
    assert gdf["elevation_m"].iloc[0] == 1350.0
    assert np.isnan(gdf["elevation_m"].iloc[1])


def test_sites(tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        ["安置点名称", "县", "设计安置户数", "已安置户数", "lon", "lat"],
        [["新村", "临县", 300, 120, 111.1, 37.5], ["新区", "兴县", 80, "", 111.2, 38.4]],
    )
    gdf = cio.read_sites(path)
    assert gdf["site_id"].tolist() == ["S00001", "S00002"]
    assert gdf["capacity_households"].tolist() == [300, 80]
    assert gdf["occupied_households"].tolist() == [120, 0]
    assert gdf["county"].tolist() == ["临县", "兴县"]


def test_boundaries_polygons_and_gcj02(tmp_path):
    square = Polygon([(111.0, 37.0), (111.1, 37.0), (111.1, 37.1), (111.0, 37.1)])
    path = tmp_path / "counties.geojson"
    gpd.GeoDataFrame(
        {"county": ["临县"], "adcode": ["141124"]}, geometry=[square], crs=4326
    ).to_file(path, engine="pyogrio")
    gdf = cio.read_boundaries(path)
    assert gdf["name"].tolist() == ["临县"]
    assert gdf["adcode"].tolist() == ["141124"]
    assert gdf.geometry.iloc[0].equals(square)
    shifted = cio.read_boundaries(path, coords="gcj02")
    x0, y0 = shifted.geometry.iloc[0].exterior.coords[0]
    wx, wy = chinacrs.gcj02_to_wgs84(111.0, 37.0)
    assert abs(x0 - wx[0]) < 1e-9
    assert abs(y0 - wy[0]) < 1e-9


def test_boundaries_reject_points(tmp_path):
    path = tmp_path / "b.geojson"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(111, 37)], crs=4326).to_file(
        path, engine="pyogrio"
    )
    assert_input_error(cio.read_boundaries, path, 1, "geometry", "expected Polygon")


# --------------------------------------------------------------------------- bad input


def assert_input_error(func, path, row, column, match, **kwargs):
    before = snapshot(path) if Path(path).exists() else None
    with pytest.raises(InputError) as info:
        func(path, **kwargs)
    err = info.value
    assert err.file == str(path)
    assert err.row == row
    assert err.column == column
    assert re.search(match, err.message), err.message
    text = str(err)
    assert str(path) in text
    if row is not None:
        assert f"row {row}" in text
    if column is not None:
        assert f"'{column}'" in text
    if before is not None:
        assert snapshot(path) == before
    return err


GOOD = [["A", "甲", 100, 111.1, 37.5], ["B", "乙", 200, 111.2, 37.6]]
HDR = ["编号", "村名", "常住人口", "经度", "纬度"]


def bad_csv(tmp_path, row2, header=HDR):
    return write_csv(tmp_path / "bad.csv", header, [GOOD[0], row2])


def test_missing_required_column_lists_accepted_headers(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv", ["编号", "村名", "经度", "纬度"], [["A", "甲", 111.1, 37.5]]
    )
    err = assert_input_error(cio.read_villages, path, None, "population", "missing required column")
    for header in ("population", "pop", "常住人口", "人口"):
        assert header in err.message


def test_missing_coordinate_columns(tmp_path):
    path = write_csv(tmp_path / "bad.csv", ["人口", "经度"], [[1, 111.1]])
    err = assert_input_error(cio.read_villages, path, None, "lat", "missing required column")
    assert "纬度" in err.message


@pytest.mark.parametrize(
    ("value", "match"),
    [("abc", "not a number"), ("-5", "negative"), ("12.5", "whole number"), ("", "empty")],
)
def test_bad_population(tmp_path, value, match):
    path = bad_csv(tmp_path, ["B", "乙", value, 111.2, 37.6])
    assert_input_error(cio.read_villages, path, 2, "常住人口", match)


def test_row_numbers_count_blank_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "编号,常住人口,经度,纬度\nA,1,111.1,37.5\n,,,\nB,x,111.2,37.5\n", encoding="utf-8"
    )
    assert_input_error(cio.read_villages, path, 3, "常住人口", "not a number")


def test_registered_poor_above_population(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv", ["人口", "贫困人口", "经度", "纬度"], [[10, 11, 111.1, 37.5]]
    )
    assert_input_error(cio.read_villages, path, 1, "贫困人口", "exceeds population")


@pytest.mark.parametrize(
    ("lon", "lat", "column"), [("", 37.6, "经度"), (111.2, "", "纬度"), ("nan", 37.6, "经度")]
)
def test_empty_or_nan_coordinates(tmp_path, lon, lat, column):
    path = bad_csv(tmp_path, ["B", "乙", 200, lon, lat])
    assert_input_error(cio.read_villages, path, 2, column, "empty|not a number")


def test_empty_coordinate_in_xlsx(tmp_path):
    path = tmp_path / "bad.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HDR)
    book.active.append(GOOD[0])
    book.active.append(["B", "乙", 200, None, 37.6])
    book.save(path)
    assert_input_error(cio.read_villages, path, 2, "经度", "empty")


def test_swapped_coordinates(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 200, 37.6, 111.2])
    assert_input_error(cio.read_villages, path, 2, "纬度", "swapped")


def test_coordinates_out_of_range(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 200, 211.2, 37.6])
    assert_input_error(cio.read_villages, path, 2, "经度", "out of range")


def test_projected_numbers_without_epsg(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 200, 37_500_000.0, 4_150_000.0])
    assert_input_error(cio.read_villages, path, 2, "纬度", "EPSG")


def test_far_outside_study_area(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 200, 112.0, 37.6])
    area = gpd.GeoDataFrame(geometry=[box(111.0, 37.0, 111.3, 37.7)], crs=4326)
    # 112.0 E lies about 62 km east of the box edge at 111.3 E (at 37.6 N)
    err = assert_input_error(
        cio.read_villages, path, 2, "经度", "outside the study area", study_area=area
    )
    reported_km = float(re.search(r"lies ([0-9.]+) km", err.message).group(1))
    expected_km = GEOD.inv(112.0, 37.6, 111.3, 37.6)[2] / 1000.0  # geodesic oracle
    assert abs(reported_km - expected_km) < 0.3
    assert "swapped" not in err.message
    # a tighter tolerance rejects a point 2.6 km out
    path2 = lonlat_file(tmp_path, [111.1, 111.33], [37.5, 37.5], name="near.csv")
    assert_input_error(
        cio.read_villages, path2, 2, "x", "tolerance 1 km", study_area=area, tolerance_m=1000.0
    )


def test_outside_study_area_swapped_hint(tmp_path):
    # Both orders are valid degrees here; only the swapped order lies inside the area.
    area = box(49.0, 39.0, 51.0, 41.0)
    path = write_csv(
        tmp_path / "s.csv", HDR, [["A", "甲", 1, 50.0, 40.0], ["B", "乙", 1, 40.0, 50.0]]
    )
    err = assert_input_error(cio.read_villages, path, 2, "经度", "outside", study_area=area)
    assert "swapped" in err.message


def test_duplicate_ids_name_both_rows(tmp_path):
    path = write_csv(tmp_path / "bad.csv", HDR, [GOOD[0], GOOD[1], ["A", "丙", 5, 111.3, 37.5]])
    err = assert_input_error(cio.read_villages, path, 3, "编号", "duplicate village_id 'A'")
    assert "rows 1 and 3" in err.message


def test_header_only_file(tmp_path):
    path = write_csv(tmp_path / "bad.csv", HDR, [])
    assert_input_error(cio.read_villages, path, None, None, "no data rows")


def test_zero_byte_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"")
    assert_input_error(cio.read_villages, path, None, None, "empty")


def test_unreadable_encoding(tmp_path):
    path = tmp_path / "bad.csv"
    rng = np.random.default_rng(7)
    path.write_bytes(bytes(rng.integers(0, 256, 4000, dtype=np.uint8)))
    assert_input_error(cio.read_villages, path, None, None, "unreadable encoding")


def test_unknown_file_type(tmp_path):
    path = tmp_path / "villages.docx"
    path.write_bytes(b"PK\x03\x04")
    err = assert_input_error(cio.read_villages, path, None, None, "unknown file type")
    assert ".xlsx" in err.message


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    assert_input_error(cio.read_villages, path, None, None, "does not exist")


def test_empty_geometry_in_geojson(tmp_path):
    gdf = villages_gdf()
    gdf.loc[1, "geometry"] = None
    path = tmp_path / "bad.geojson"
    gdf.to_file(path, engine="pyogrio")
    assert_input_error(cio.read_villages, path, 2, "geometry", "empty geometry")


def test_bad_boolean(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv", ["人口", "经度", "纬度", "饮水安全"], [[1, 111.1, 37.5, "maybe"]]
    )
    assert_input_error(cio.read_villages, path, 1, "饮水安全", "是/否")


def test_unknown_coords_system(tmp_path):
    path = lonlat_file(tmp_path, [111.1], [37.5])
    with pytest.raises(InputError, match="unknown coordinate system"):
        cio.read_villages(path, coords="mars")


# --------------------------------------------------------------------------- default data


def test_default_data_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv(cio.DATA_DIR_ENV, str(tmp_path))
    assert cio.default_data_dir() == tmp_path
    monkeypatch.delenv(cio.DATA_DIR_ENV)
    assert cio.default_data_dir() == Path(cio.__file__).resolve().parents[3] / "data"


def test_load_default_lists_missing_files(tmp_path):
    (tmp_path / "lvliang").mkdir()
    (tmp_path / "lvliang" / "city.geojson").write_text("{}")
    with pytest.raises(InputError) as info:
        cio.load_default(tmp_path)
    assert "default/villages.csv" in info.value.message
    assert "lvliang/city.geojson" not in info.value.message


DATA_DIR = Path(
    os.environ.get(cio.DATA_DIR_ENV) or Path(cio.__file__).resolve().parents[3] / "data"
)


@pytest.mark.skipif(
    not (DATA_DIR / "default" / "villages.csv").exists(),
    reason="default data not generated yet (data/default/villages.csv missing)",
)
def test_load_default():
    data = cio.load_default()
    assert data.is_synthetic
    assert len(data.counties) == 13
    for layer, key in (
        (data.villages, "village_id"),
        (data.facilities, "facility_id"),
        (data.water_sources, "water_source_id"),
        (data.sites, "site_id"),
    ):
        assert layer.crs == "EPSG:4326"
        assert len(layer) > 0
        assert layer[key].is_unique
    assert data.villages["population"].dtype == np.int64
    assert set(data.facilities["kind"]) <= {
        "clinic",
        "health_centre",
        "hospital",
        "school",
        "workshop",
        "industrial_park",
    }
    city = data.city.to_crs(4546).union_all().buffer(1000.0)
    assert data.villages.to_crs(4546).within(city).all()
    assert data.roads_path.exists()
    assert data.dem_path.exists()


def test_study_area_from_file(tmp_path):
    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame({"name": ["区"]}, geometry=[box(111.0, 37.0, 111.3, 37.7)], crs=4326).to_file(
        area, engine="pyogrio"
    )
    inside = lonlat_file(tmp_path, [111.1], [37.5], name="in.csv")
    assert len(cio.read_villages(inside, study_area=area)) == 1
    outside = lonlat_file(tmp_path, [111.1, 112.0], [37.5, 37.6], name="out.csv")
    assert_input_error(
        cio.read_villages, outside, 2, "x", "outside the study area", study_area=area
    )


def test_shapefile_without_prj_needs_coords(tmp_path):
    path = tmp_path / "v.shp"
    with warnings.catch_warnings():  # GDAL warns about the 10-byte names
        warnings.simplefilter("ignore")
        villages_gdf("EPSG:4546").to_file(path, engine="pyogrio")
    (tmp_path / "v.prj").unlink()
    err = assert_input_error(cio.read_villages, path, 1, "geometry", "not degrees")
    assert ".prj" in err.message
    check_villages(cio.read_villages(path, coords="EPSG:4546"))


def test_point_layers_reject_polygons_accept_single_multipoints(tmp_path):
    gdf = villages_gdf()
    path = tmp_path / "multi.gpkg"
    gdf.set_geometry(
        gpd.GeoSeries(gdf.geometry.apply(lambda p: MultiPoint([p])), crs=4326)
    ).to_file(path, engine="pyogrio")
    check_villages(cio.read_villages(path))
    gdf.loc[2, "geometry"] = box(111.0, 37.0, 111.1, 37.1)
    bad = tmp_path / "poly.gpkg"
    gdf.to_file(bad, engine="pyogrio")
    assert_input_error(
        cio.read_villages, bad, 3, "geometry", "expected Point geometry, got Polygon"
    )


def test_boundaries_name_falls_back_to_city(tmp_path):
    path = tmp_path / "city.geojson"
    gpd.GeoDataFrame(
        {"adcode": ["141100"], "city": ["吕梁市"]}, geometry=[box(110, 36, 112, 39)], crs=4326
    ).to_file(path, engine="pyogrio")
    assert cio.read_boundaries(path)["name"].tolist() == ["吕梁市"]


def test_unknown_kind_argument(tmp_path):
    path = write_csv(tmp_path / "f.csv", ["名称", "经度", "纬度"], [["甲", 111.1, 37.5]])
    with pytest.raises(InputError, match="unknown kind 'pharmacy'") as info:
        cio.read_facilities(path, kind="pharmacy")
    assert info.value.column == "kind"


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip archive at all")
    assert_input_error(cio.read_villages, path, None, None, "not a readable .xlsx")


def test_old_xls_rejected_with_advice(tmp_path):
    path = tmp_path / "bad.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert_input_error(cio.read_villages, path, None, None, "save the sheet as .xlsx")
