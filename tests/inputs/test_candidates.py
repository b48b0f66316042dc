"""Candidate site lists: id, name and coordinates only; kind and notes are free text."""

import numpy as np
import pytest
from input_cases import assert_input_error, write_csv

import lvliang_coverage as lc
from lvliang_coverage.inputs import readers


def test_plain_english_candidate_list(tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        ["id", "name", "lon", "lat"],
        [["K1", "北村", 111.1, 37.5], ["K2", "南村", 111.2, 37.6]],
    )
    gdf = readers.read_candidates(path)
    assert gdf["site_id"].tolist() == ["K1", "K2"]
    assert gdf["name"].tolist() == ["北村", "南村"]
    np.testing.assert_allclose(gdf.geometry.x, [111.1, 111.2])
    np.testing.assert_allclose(gdf.geometry.y, [37.5, 37.6])
    assert gdf.crs == "EPSG:4326"
    # the same file is no resettlement-site list
    assert_input_error(readers.read_sites, path, None, "capacity_households", "missing required")


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_chinese_headers(tmp_path, encoding):
    path = write_csv(
        tmp_path / "c.csv",
        ["编号", "名称", "经度", "纬度", "类型", "备注"],
        [
            ["H01", "闲置小学", 111.1, 37.5, "闲置校舍", "2018年撤并"],
            ["H02", "村委会", 111.2, 37.6, "", ""],
        ],
        encoding=encoding,
    )
    gdf = lc.read_candidates(path)
    assert gdf["site_id"].tolist() == ["H01", "H02"]
    assert gdf["name"].tolist() == ["闲置小学", "村委会"]
    assert gdf["note_kind"].tolist() == ["闲置校舍", ""]  # free text, no facility-kind check
    assert gdf["notes"].tolist() == ["2018年撤并", ""]
    assert "kind" not in gdf.columns


def test_ids_and_names_default(tmp_path):
    path = write_csv(tmp_path / "c.csv", ["经度", "纬度"], [[111.1, 37.5], [111.2, 37.6]])
    gdf = readers.read_candidates(path)
    assert gdf["site_id"].tolist() == ["C00001", "C00002"]
    assert gdf["name"].tolist() == ["C00001", "C00002"]


def test_candidate_errors(tmp_path):
    no_coords = write_csv(tmp_path / "a.csv", ["编号", "名称"], [["H01", "甲"]])
    assert_input_error(readers.read_candidates, no_coords, None, "lon", "missing required")
    dup = write_csv(
        tmp_path / "b.csv", ["编号", "经度", "纬度"], [["H", 111.1, 37.5], ["H", 111.2, 37.6]]
    )
    assert_input_error(readers.read_candidates, dup, 2, "编号", "duplicate site_id")
