"""Tests for the public layer readers in every format and encoding."""

import warnings

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from input_cases import (
    CN_HEADER,
    EN_HEADER,
    GEOD,
    GOOD,
    HDR,
    VILLAGES,
    assert_input_error,
    check_villages,
    snapshot,
    villages_gdf,
    write_csv,
)
from shapely.geometry import Point, Polygon, box

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import chinacrs, readers

# -------------------------------------------------------------------- formats


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_with_chinese_headers(tmp_path, encoding):
    path = write_csv(tmp_path / "villages.csv", CN_HEADER, [list(v) for v in VILLAGES], encoding)
    before = snapshot(path)
    gdf = readers.read_villages(path)
    check_villages(gdf)
    assert gdf["source"].unique().tolist() == ["villages.csv"]
    assert snapshot(path) == before


def test_csv_gbk(tmp_path):
    # GBK cannot hold the rare character of the third village: use the first two rows.
    path = write_csv(tmp_path / "v.csv", CN_HEADER, [list(v) for v in VILLAGES[:2]], "gbk")
    assert path.read_bytes().decode("gbk")  # really GBK bytes
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    gdf = readers.read_villages(path)
    assert gdf["name"].tolist() == ["张家庄", "李家沟"]
    assert gdf["township"].tolist() == ["城庄镇", "城庄镇"]


def test_csv_english_headers_case_and_space_insensitive(tmp_path):
    path = write_csv(tmp_path / "v.csv", EN_HEADER, [list(v) for v in VILLAGES])
    check_villages(readers.read_villages(path))


def test_csv_semicolon_and_thousands_separator(tmp_path):
    text = "id;name;人口（人）;lng;lat\nA;甲;1,250;111.1;37.5\n"
    path = tmp_path / "v.txt"
    path.write_text(text, encoding="utf-8")
    gdf = readers.read_villages(path)
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
    check_villages(readers.read_villages(path, sheet="自然村"))
    check_villages(readers.read_villages(path, sheet=1))
    with pytest.raises(InputError, match="sheet"):
        readers.read_villages(path, sheet="nope")
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
    assert_input_error(readers.read_villages, path, 2, "常住人口", "negative")


def test_xlsx_numeric_ids_become_text(tmp_path):
    path = tmp_path / "v.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["村编码", "人口", "经度", "纬度"])
    ws.append([14112300101, 10, 111.1, 37.5])
    ws.append([14112300102.0, 20, 111.2, 37.5])
    book.save(path)
    gdf = readers.read_villages(path)
    assert gdf["village_id"].tolist() == ["14112300101", "14112300102"]


def test_geopackage_layer(tmp_path):
    path = tmp_path / "data.gpkg"
    villages_gdf().to_file(path, layer="villages", engine="pyogrio")
    gpd.GeoDataFrame({"x": [1]}, geometry=[Point(0, 0)], crs=4326).to_file(
        path, layer="other", engine="pyogrio"
    )
    before = snapshot(path)
    check_villages(readers.read_villages(path, layer="villages"))
    assert snapshot(path) == before


def test_geojson_in_projected_crs_uses_its_own_crs(tmp_path):
    path = tmp_path / "v.geojson"
    villages_gdf("EPSG:4546").to_file(path, engine="pyogrio")
    check_villages(readers.read_villages(path))


def test_geojson_gcj02_on_request(tmp_path):
    gdf = villages_gdf()
    gx, gy = chinacrs.wgs84_to_gcj02(gdf.geometry.x, gdf.geometry.y)
    gdf = gdf.set_geometry(gpd.points_from_xy(gx, gy), crs=4326)
    path = tmp_path / "v.geojson"
    gdf.to_file(path, engine="pyogrio")
    check_villages(readers.read_villages(path, coords="gcj02"))
    shifted = readers.read_villages(path)  # without the option the points stay shifted
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
    out = readers.read_villages(path)
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
    out = readers.read_villages(path)
    assert out["name"].tolist() == ["张家庄", "李家沟"]
    assert out["population"].tolist() == [150, 1250]
    assert out["county"].tolist() == ["临县", "临县"]


# --------------------------------------------------------------- other layers


def test_facilities_kind_fill_and_filter(tmp_path):
    plain = write_csv(
        tmp_path / "clinics.csv", ["名称", "经度", "纬度"], [["甲卫生室", 111.1, 37.5]]
    )
    gdf = readers.read_facilities(plain, kind="村卫生室")
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
    all_ = readers.read_facilities(mixed)
    assert all_["kind"].tolist() == ["clinic", "health_centre", "school", "workshop"]
    assert all_["doctors"].tolist() == [0, 3, 0, 0]
    centres = readers.read_facilities(mixed, kind="health_centre")
    assert centres["facility_id"].tolist() == ["b"]
    assert centres["doctors"].tolist() == [3]


def test_facilities_unknown_kind(tmp_path):
    path = write_csv(
        tmp_path / "f.csv",
        ["类型", "经度", "纬度"],
        [["clinic", 111.1, 37.5], ["药店", 111.2, 37.5]],
    )
    assert_input_error(readers.read_facilities, path, 2, "类型", "unknown kind '药店'")


def test_facilities_missing_kind(tmp_path):
    path = write_csv(tmp_path / "f.csv", ["名称", "经度", "纬度"], [["甲", 111.1, 37.5]])
    assert_input_error(readers.read_facilities, path, None, "kind", "类型")


def test_water_sources(tmp_path):
    path = write_csv(
        tmp_path / "w.csv",
        ["水源编号", "水源名称", "水源类型", "供水能力（m3/d）", "海拔", "经度", "纬度"],
        [
            ["W1", "泉A", "泉", 120.5, 1350, 111.1, 37.5],
            ["W2", "水厂B", "水厂", "2,000", "", 111.2, 37.6],
        ],
    )
    gdf = readers.read_water_sources(path)
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
    gdf = readers.read_sites(path)
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
    gdf = readers.read_boundaries(path)
    assert gdf["name"].tolist() == ["临县"]
    assert gdf["adcode"].tolist() == ["141124"]
    assert gdf.geometry.iloc[0].equals(square)
    shifted = readers.read_boundaries(path, coords="gcj02")
    x0, y0 = shifted.geometry.iloc[0].exterior.coords[0]
    wx, wy = chinacrs.gcj02_to_wgs84(111.0, 37.0)
    assert abs(x0 - wx[0]) < 1e-9
    assert abs(y0 - wy[0]) < 1e-9


def test_boundaries_reject_points(tmp_path):
    path = tmp_path / "b.geojson"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(111, 37)], crs=4326).to_file(
        path, engine="pyogrio"
    )
    assert_input_error(readers.read_boundaries, path, 1, "geometry", "expected Polygon")


def test_boundaries_name_falls_back_to_city(tmp_path):
    path = tmp_path / "city.geojson"
    gpd.GeoDataFrame(
        {"adcode": ["141100"], "city": ["吕梁市"]}, geometry=[box(110, 36, 112, 39)], crs=4326
    ).to_file(path, engine="pyogrio")
    assert readers.read_boundaries(path)["name"].tolist() == ["吕梁市"]


def test_unknown_kind_argument(tmp_path):
    path = write_csv(tmp_path / "f.csv", ["名称", "经度", "纬度"], [["甲", 111.1, 37.5]])
    with pytest.raises(InputError, match="unknown kind 'pharmacy'") as info:
        readers.read_facilities(path, kind="pharmacy")
    assert info.value.column == "kind"
