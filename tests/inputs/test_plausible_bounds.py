"""Plausibility bounds: absurd numbers stop reading with file, row and column; none wraps."""

import numpy as np
import openpyxl
import pytest
from input_cases import HDR, assert_input_error, bad_csv, write_csv

import lvliang_coverage  # noqa: F401 - loads the services, which register the elderly column
from lvliang_coverage import load_rules
from lvliang_coverage.inputs import readers


@pytest.mark.parametrize("value", ["1e20", "100000000000000000000", "1e12", "1000000000000"])
def test_huge_population_is_implausible_not_wrapped(tmp_path, value):
    path = bad_csv(tmp_path, ["B", "乙", value, 111.2, 37.6])
    err = assert_input_error(readers.read_villages, path, 2, "常住人口", "implausible value")
    assert "超出合理范围" in err.message
    assert value in err.message
    assert "inputs.max_village_residents" in err.message


def test_population_at_the_bound_is_read_exactly(tmp_path):
    limit = load_rules().inputs.max_village_residents
    ok = bad_csv(tmp_path, ["B", "乙", limit, 111.2, 37.6])
    gdf = readers.read_villages(ok)
    assert gdf["population"].tolist() == [100, limit]
    assert gdf["population"].dtype == np.int64
    over = write_csv(tmp_path / "over.csv", HDR, [["A", "甲", limit + 1, 111.1, 37.5]])
    assert_input_error(readers.read_villages, over, 1, "常住人口", "implausible")


def test_huge_number_in_an_excel_cell(tmp_path):
    path = tmp_path / "v.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HDR)
    book.active.append(["A", "甲", 1e20, 111.1, 37.5])
    book.save(path)
    assert_input_error(readers.read_villages, path, 1, "常住人口", "implausible")


@pytest.mark.parametrize(
    ("value", "match"),
    [("-5", "negative"), ("2.5", "whole number"), ("NaN", "not a number"), ("inf", "not a")],
)
def test_bad_households(tmp_path, value, match):
    path = write_csv(
        tmp_path / "h.csv",
        ["编号", "人口", "户数", "经度", "纬度"],
        [["A", 10, value, 111.1, 37.5]],
    )
    assert_input_error(readers.read_villages, path, 1, "户数", match)


def test_households_bound(tmp_path):
    path = write_csv(
        tmp_path / "h.csv",
        ["编号", "人口", "户数", "经度", "纬度"],
        [
            ["A", 10, 4, 111.1, 37.5],
            ["B", 10, load_rules().inputs.max_village_households + 1, 111.1, 37.5],
        ],
    )
    assert_input_error(readers.read_villages, path, 2, "户数", "implausible.*households")


def test_elderly_above_residents(tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        ["编号", "人口", "60岁以上人口", "经度", "纬度"],
        [["A", 100, 30, 111.1, 37.5], ["B", 100, 101, 111.1, 37.5]],
    )
    err = assert_input_error(readers.read_villages, path, 2, "60岁以上人口", "exceeds population")
    assert "implausible" in err.message


@pytest.mark.parametrize(
    ("reader", "header", "value", "extra"),
    [
        (readers.read_sites, ["编号", "安置规模", "经度", "纬度"], 1e6, []),
        (readers.read_water_sources, ["编号", "类型", "供水能力", "经度", "纬度"], 2e6, ["well"]),
        (readers.read_facilities, ["编号", "类型", "医生数", "经度", "纬度"], 5000, ["clinic"]),
        (readers.read_water_sources, ["编号", "类型", "供水能力", "高程", "经度", "纬度"], 1e5, []),
    ],
)
def test_capacities_and_doctors_bounded(tmp_path, reader, header, value, extra):
    if header[-3] == "高程":  # elevation 100 km above sea level
        row = ["A", "well", 10, value, 111.1, 37.5]
    else:
        row = ["A", *extra, value, 111.1, 37.5]
    path = write_csv(tmp_path / "x.csv", header, [row])
    column = header[-3]
    assert_input_error(reader, path, 1, column, "超出合理范围 / implausible value")


def test_bounds_come_from_the_rules_in_force(tmp_path):
    path = bad_csv(tmp_path, ["B", "乙", 1_000_000, 111.2, 37.6])
    assert_input_error(readers.read_villages, path, 2, "常住人口", "implausible")
    rules = load_rules({"inputs": {"max_village_residents": 2_000_000}})
    gdf = readers.read_villages(path, bounds=rules.inputs)
    assert gdf["population"].tolist() == [100, 1_000_000]
    strict = load_rules({"inputs": {"max_village_residents": 150}})
    assert_input_error(readers.read_villages, path, 2, "常住人口", "150", bounds=strict.inputs)


def test_huge_whole_number_in_an_extra_column_stays_float(tmp_path):
    path = write_csv(
        tmp_path / "x.csv",
        ["编号", "人口", "投资", "经度", "纬度"],
        [["A", 10, "1e20", 111.1, 37.5], ["B", 10, "5", 111.1, 37.5]],
    )
    gdf = readers.read_villages(path)
    assert gdf["投资"].tolist() == [1e20, 5.0]  # never -9223372036854775808
