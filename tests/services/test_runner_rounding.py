"""The runner's shared output duties: tables rounded by column name, ledgers dated and marked."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from lvliang_coverage.config import load_rules
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import runner as runner_module
from lvliang_coverage.services.contract import Service, Task
from lvliang_coverage.services.runner import dated_ledger, round_columns, run_task, write_table


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3"],
            "pipe_m": [2045.4348843457847, 0.49, 12.5],
            "head_m": [254.61980299992024, np.nan, 3.0],
            "euclid_km": [3.91666, 0.004, np.nan],
            "travel_min": [12.3456, 83.04999, 0.0],
            "minutes": [53.152400642349384, 1.0, 2.25],
            "pipe_yuan": [245452.18612149416, 1355212.742626988, 0.5],
            "maintenance_yuan_year": [303.4, 2703.5, 657.0],
            "time_walk_s": [2873.2157, 574.64, np.nan],
            "lon": [111.112495123456, 111.2, 111.3],
            "lat": [37.48700012345, 37.5, 37.6],
            "covered_share": [0.123456, 0.5, 1.0],
            "population": [101, 121, 99],
            "name_m": ["甲", "乙", "丙"],  # text under a metre suffix stays text
        }
    )


def test_round_columns_by_suffix():
    table = _table()
    before = table.copy()
    out = round_columns(table)
    pd.testing.assert_frame_equal(table, before)  # the input is not modified
    assert out["pipe_m"].tolist() == [2045, 0, 12]  # whole metres (half to even)
    assert out["pipe_m"].dtype == np.int64
    assert out["head_m"].dtype == "Int64"  # whole metres with a missing value
    assert out["head_m"].tolist()[0] == 255
    assert out["head_m"].isna().tolist() == [False, True, False]
    assert out["euclid_km"].tolist()[:2] == [3.92, 0.0]
    assert np.isnan(out["euclid_km"].iloc[2])
    assert out["travel_min"].tolist() == [12.3, 83.0, 0.0]
    assert out["minutes"].tolist() == [53.2, 1.0, 2.2]
    assert out["pipe_yuan"].tolist() == [245452, 1355213, 0]
    assert out["maintenance_yuan_year"].tolist() == [303, 2704, 657]
    assert out["time_walk_s"].astype("Float64").round(0).tolist()[:2] == [2873, 575]
    for untouched in ("lon", "lat", "covered_share", "population", "name_m", "village_id"):
        pd.testing.assert_series_equal(out[untouched], table[untouched])


def test_a_table_with_nothing_to_round_is_returned_as_is():
    table = pd.DataFrame({"a": [1.23456], "lon": [111.0]})
    assert round_columns(table) is table


def test_csv_has_no_float_tails(tmp_path):
    path = write_table("t.csv", _table(), tmp_path)
    text = path.read_bytes().decode("utf-8-sig")
    header, first, second, _ = text.split("\r\n", 3)
    row = dict(zip(header.split(","), first.split(","), strict=True))
    assert row["pipe_m"] == "2045"
    assert row["head_m"] == "255"
    assert row["euclid_km"] == "3.92"
    assert row["travel_min"] == "12.3"
    assert row["pipe_yuan"] == "245452"
    assert row["lon"] == "111.112495123456"  # coordinates as computed
    other = dict(zip(header.split(","), second.split(","), strict=True))
    assert other["head_m"] == ""  # missing stays an empty cell, never 0
    assert "2045.43" not in text


def test_geojson_properties_rounded_and_coordinates_to_7_decimals(tmp_path):
    line = shapely.LineString([(111.1076792, 37.486159199999989), (111.123456789123, 37.1)])
    pipes = gpd.GeoDataFrame(
        {"village_id": ["V1"], "pipe_m": [2045.4348843457847], "cost_yuan": [307012.4]},
        geometry=[line],
        crs="EPSG:4326",
    )
    path = write_table("pipes.geojson", pipes, tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    feature = data["features"][0]
    assert feature["properties"] == {"village_id": "V1", "pipe_m": 2045, "cost_yuan": 307012}
    assert feature["geometry"]["coordinates"] == [[111.1076792, 37.4861592], [111.1234568, 37.1]]


def test_json_summary_rounded_by_key(tmp_path):
    summary = {
        "total_yuan": 511269383.49,
        "solve_seconds": 0.003099335999650066,
        "mean_commute_min": 51.16551,
        "time_limit_s": 7.5,  # a setting echoed: as given
        "mip_gap": 0.000123,
        "budget_yuan": None,
        "county": {"pipe_m": 2.6},
    }
    data = json.loads(write_table("p.json", summary, tmp_path).read_text(encoding="utf-8"))
    assert data == {
        "total_yuan": 511269383,
        "solve_seconds": 0.003,
        "mean_commute_min": 51.2,
        "time_limit_s": 7.5,
        "mip_gap": 0.000123,
        "budget_yuan": None,
        "county": {"pipe_m": 3},
    }


def _ledger(**kw) -> Ledger:
    rows = pd.DataFrame({"县": ["离石区"], "问题": ["x"]})
    return Ledger("t_ledger", rows, rows.iloc[:0], county_col="县", **kw)


@dataclass
class _Study:
    synthetic: bool
    rules: object = field(default_factory=load_rules)
    steps: list = field(default_factory=list)
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)

    def progress(self, message: str) -> None:
        self.steps.append(message)


def test_dated_ledger_marks_synthetic_data_and_the_day():
    day = datetime.date(2031, 5, 6)
    marked = dated_ledger(_ledger(), _Study(synthetic=True), today=day)
    assert (marked.synthetic, marked.report_date) == (True, day)
    own = dated_ledger(_ledger(), _Study(synthetic=False))
    assert (own.synthetic, own.report_date) == (False, datetime.date.today())
    kept = dated_ledger(_ledger(report_date=datetime.date(2030, 1, 2)), _Study(True), today=day)
    assert kept.report_date == datetime.date(2030, 1, 2)


class _Result:
    task = "check"

    def tables(self):
        return {"t.csv": pd.DataFrame({"pipe_m": [2045.43], "travel_min": [12.345]})}

    def summary(self):
        return {}


class _Fake(Service):
    name = "terminal_fake"
    title_zh = "测试"
    title_en = "Test"
    articles = (1,)
    kinds = ("clinic",)
    rules_section = "clinic"
    tasks = (Task("check", "核查", "Check.", ledger="x:y"),)

    def analyse(self, study, rules, *, task, **options):
        return _Result()

    def ledger(self, result, lang):
        return _ledger(lang=lang)

    def headlines(self, result):
        return []


@pytest.mark.parametrize("synthetic", [True, False])
def test_run_task_writes_a_dated_marked_ledger_and_rounded_tables(synthetic, tmp_path, monkeypatch):
    written: list[Ledger] = []

    def capture(ledger, folder):
        written.append(ledger)
        path = folder / f"{ledger.name}.xlsx"
        path.write_bytes(b"")
        return [path]

    monkeypatch.setattr(runner_module, "write_ledger_files", capture)
    study = _Study(synthetic=synthetic)
    run = run_task(_Fake(), study, "check", tmp_path / "out", maps=False)  # type: ignore[arg-type]
    [ledger] = written
    assert ledger.synthetic is synthetic
    assert ledger.report_date == datetime.date.today()
    table = (tmp_path / "out" / "t.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert table[:2] == ["pipe_m,travel_min", "2045,12.3"]
    assert [p.name for p in run.files] == ["t.csv", "t_ledger.xlsx"]
    assert "写入表格和台账 / writing the tables and ledgers" in study.steps
