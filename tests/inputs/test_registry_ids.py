"""The registry's own ids: header aliases per layer, text ids, and a warning for unread ids."""

import csv
import warnings

import pandas as pd
import pytest
from input_cases import write_csv
from netfixtures import lonlat, write_osm
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.inputs import _columns
from lvliang_coverage.inputs.default_data import load_default
from lvliang_coverage.inputs.readers import (
    UnreadIdWarning,
    read_candidates,
    read_facilities,
    read_sites,
    read_villages,
    read_water_sources,
)

POINTS = [[111.10, 37.50], [111.20, 37.60]]


def _rows(ids, *cells):
    return [[i, *c, *p] for i, c, p in zip(ids, zip(*cells, strict=True), POINTS, strict=True)]


@pytest.mark.parametrize(
    "header",
    ["clinic_id", "Clinic ID", "卫生室编号", "机构编码", "机构代码", "医疗机构编码", "facility_id"],
)
def test_clinic_ids_are_kept(tmp_path, header):
    path = write_csv(
        tmp_path / "c.csv", [header, "名称", "经度", "纬度"], _rows(["007", "CL-9"], ["甲", "乙"])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreadIdWarning)
        f = read_facilities(path, kind="clinic")
    assert f["facility_id"].tolist() == ["007", "CL-9"]


@pytest.mark.parametrize("header", ["水源编号", "water_source_id", "工程编号"])
def test_water_source_ids_are_kept(tmp_path, header):
    rows = _rows(["001", "002"], ["甲泉", "乙井"], ["泉", "井"], [100, 50])
    path = write_csv(tmp_path / "w.csv", [header, "名称", "类型", "供水能力", "lon", "lat"], rows)
    assert read_water_sources(path)["water_source_id"].tolist() == ["001", "002"]


@pytest.mark.parametrize("header", ["安置点编号", "site_id", "安置点代码"])
def test_site_ids_are_kept(tmp_path, header):
    rows = _rows(["AZ01", "AZ02"], ["甲", "乙"], [100, 50])
    path = write_csv(tmp_path / "s.csv", [header, "名称", "安置规模", "lon", "lat"], rows)
    assert read_sites(path)["site_id"].tolist() == ["AZ01", "AZ02"]


@pytest.mark.parametrize("header", ["村编号", "自然村编号", "village_id", "村庄编号"])
def test_village_ids_are_kept(tmp_path, header):
    rows = _rows(["0001", "0002"], ["甲", "乙"], [10, 20])
    path = write_csv(tmp_path / "v.csv", [header, "村名", "常住人口", "lon", "lat"], rows)
    assert read_villages(path)["village_id"].tolist() == ["0001", "0002"]


def test_candidate_ids_are_kept(tmp_path):
    path = write_csv(
        tmp_path / "k.csv", ["候选点编号", "名称", "lon", "lat"], _rows(["K1", "K2"], ["甲", "乙"])
    )
    assert read_candidates(path)["site_id"].tolist() == ["K1", "K2"]


def test_every_layer_keeps_its_id_headers_first():
    specs = [_columns.VILLAGES, _columns.FACILITIES, _columns.WATER_SOURCES, _columns.SITES]
    for spec in specs:
        assert spec.id_aliases[0] == spec.id_column
    assert {"clinic_id", "卫生室编号", "机构编码", "医疗机构编码"} <= set(
        _columns.FACILITIES.id_aliases
    )


def test_an_unread_id_column_is_named_in_a_warning(tmp_path):
    rows = _rows(["001", "002"], ["甲", "乙"], ["a", "b"])
    path = write_csv(tmp_path / "c.csv", ["卫生室序列码", "名称", "old_id", "lon", "lat"], rows)
    # 卫生室序列码 is not an id header; old_id is not one either: both are named
    with pytest.warns(UnreadIdWarning) as record:
        f = read_facilities(path, kind="clinic")
    assert f["facility_id"].tolist() == ["F00001", "F00002"]
    [w] = record
    message = str(w.message)
    assert "old_id" in message
    assert str(path) in message
    assert "像是编号" in message  # Chinese
    assert "look like ids" in message  # and English
    assert "F00001" in message  # where the ids come from instead
    assert "卫生室序列码" not in message  # no 编号/编码/代码/id/code in it: not id-like
    # the unread id column is kept as text, leading zeros and all
    assert f["old_id"].tolist() == ["a", "b"]


def test_the_warning_names_the_id_column_used(tmp_path):
    rows = _rows(["001", "002"], ["甲", "乙"], ["7", "8"])
    path = write_csv(
        tmp_path / "v.csv",
        ["village_id", "村名", "编号2", "常住人口", "lon", "lat"],
        [[*r[:3], 10, *r[3:]] for r in rows],
    )
    with pytest.warns(UnreadIdWarning, match="village_id comes from column 'village_id'") as record:
        v = read_villages(path)
    assert "“编号2”" in str(record[0].message)
    assert v["编号2"].tolist() == ["7", "8"]  # an id column stays text, never 7, 8 as numbers


@pytest.mark.parametrize("header", ["idle", "adcode", "township_code", "county_code", "备注"])
def test_no_warning_for_columns_that_are_not_ids(tmp_path, header):
    rows = _rows(["001", "002"], ["甲", "乙"], ["是", "否"])
    path = write_csv(tmp_path / "c.csv", ["clinic_id", "名称", header, "lon", "lat"], rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreadIdWarning)
        read_facilities(path, kind="clinic")


def test_default_data_reads_without_id_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreadIdWarning)
        load_default()


def test_clinic_ids_reach_the_compliance_table(tmp_path):
    """Run ``clinics check`` on a tiny registry headed clinic_id / 村编号: the ids come through."""
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )
    villages = tmp_path / "villages.csv"
    with villages.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["村编号", "村名", "常住人口", "经度", "纬度", "县", "乡镇"])
        for vid, x in (("001", 1000.0), ("002", 3500.0)):
            lon, lat = lonlat(x, 0.0)
            w.writerow([vid, f"村{vid}", 100, f"{lon:.7f}", f"{lat:.7f}", "样例县", "样例镇"])
    clinics = tmp_path / "clinics.csv"
    with clinics.open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["clinic_id", "卫生室名称", "经度", "纬度"])
        for cid, x in (("0101", 0.0), ("0202", 4000.0)):
            lon, lat = lonlat(x, 0.0)
            w.writerow([cid, f"卫生室{cid}", f"{lon:.7f}", f"{lat:.7f}"])
    out = tmp_path / "out"
    args = ["clinics", "check", "--out", str(out), "--villages", str(villages)]
    args += ["--clinics", str(clinics), "--roads", str(roads), "--no-maps"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "clinic_compliance.csv", dtype=str, encoding="utf-8-sig")
    assert table["village_id"].tolist() == ["001", "002"]
    # village 001 is 1 km from clinic 0101, village 002 0.5 km from clinic 0202
    assert table["nearest_clinic_id"].tolist() == ["0101", "0202"]
    assert not table.isin(["F00001", "F00002"]).any().any()
