"""Control characters in text cells are removed on reading, with a warning naming where."""

import re
import warnings

import geopandas as gpd
import openpyxl
import pytest
from input_cases import snapshot, write_csv
from shapely.geometry import Point

from lvliang_coverage.inputs import readers

HEADER = ["编号", "村名", "县区", "常住人口", "经度", "纬度"]


def test_control_characters_removed_with_a_warning(tmp_path):
    rows = [
        ["A", "张\x0b家庄", "临县", 10, 111.1, 37.5],
        ["B", "李家沟", "兴\x01县", 10, 111.2, 37.6],
        ["C", "王家\t峁", "临县", 10, 111.3, 37.7],
        ["D", "赵家塔", "临县", 10, 111.3, 37.7],
    ]
    path = write_csv(tmp_path / "v.csv", HEADER, rows)
    before = snapshot(path)
    with pytest.warns(readers.ControlCharacterWarning) as record:
        gdf = readers.read_villages(path)
    assert gdf["name"].tolist() == ["张家庄", "李家沟", "王家 峁", "赵家塔"]
    assert gdf["county"].tolist() == ["临县", "兴县", "临县", "临县"]
    message = str(record[0].message)
    assert "控制字符" in message
    assert "control characters removed from 3 text cell(s)" in message
    assert str(path) in message
    listed = "row 1 column '村名'; row 2 column '县区'; row 3 column '村名'"  # in row order
    assert listed in message
    assert snapshot(path) == before  # the input is never modified
    # the cleaned names can be written to a workbook (openpyxl refuses \x0b and \x01)
    book = openpyxl.Workbook()
    book.active.append(gdf["name"].tolist() + gdf["county"].tolist())


def test_every_cc_character_is_removed(tmp_path):
    controls = "".join(chr(c) for c in [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
    controls += "".join(chr(c) for c in range(0x7F, 0xA0))
    path = tmp_path / "v.csv"
    path.write_text(f"编号,村名,人口,经度,纬度\nA,甲{controls}乙,1,111.1,37.5\n", encoding="utf-8")
    with pytest.warns(readers.ControlCharacterWarning, match="1 text cell"):
        gdf = readers.read_villages(path)
    assert gdf["name"].tolist() == ["甲乙"]
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", gdf["name"].iloc[0])


def test_geojson_names_cleaned(tmp_path):
    path = tmp_path / "v.geojson"
    gpd.GeoDataFrame(
        {"name": ["村\x01一"], "county": ["临\x1f县"], "population": [5]},
        geometry=[Point(111.1, 37.5)],
        crs=4326,
    ).to_file(path, engine="pyogrio")
    with pytest.warns(readers.ControlCharacterWarning, match="2 text cell"):
        gdf = readers.read_villages(path)
    assert gdf["name"].tolist() == ["村一"]
    assert gdf["county"].tolist() == ["临县"]


def test_clean_file_gives_no_warning(tmp_path):
    path = write_csv(tmp_path / "v.csv", HEADER, [["A", "张家庄", "临县", 10, 111.1, 37.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gdf = readers.read_villages(path)
    assert gdf["name"].tolist() == ["张家庄"]
