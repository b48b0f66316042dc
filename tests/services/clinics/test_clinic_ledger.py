"""Clinic ledger: which clinic each column means, a time per mode, a concrete fix per row."""

import datetime
import re

import pandas as pd
import pytest
from netfixtures import lonlat, point_rows, road_graph, write_osm
from openpyxl import load_workbook
from typer.testing import CliRunner

from lvliang_coverage import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.report.workbook import write_ledger_files
from lvliang_coverage.services.clinics.analysis import run_check
from lvliang_coverage.services.clinics.check import check_compliance
from lvliang_coverage.services.clinics.cli import app as clinics_app
from lvliang_coverage.services.clinics.ledger import (
    check_ledger,
    clinic_ledger,
    ledger_headers,
    ledger_summary,
)
from lvliang_coverage.services.clinics.plan import plan_clinics
from lvliang_coverage.services.clinics.service import SERVICE
from lvliang_coverage.study import Study

ZH_HEADERS = [
    "县",
    "乡镇",
    "村",
    "常住人口",
    "最近卫生室(直线)",
    "直线距离(公里)",
    "最快可达卫生室",
    "路网距离(公里)",
    "步行时间(分钟)",
    "是否达标",
    "问题",
    "整改措施",
    "规划服务卫生室",
    "责任单位",
    "完成时限",
]
COMMAND = re.compile(r"lvliang-coverage|clinics (?:plan|check)|--no-plan|运行|\brun\b", re.I)
"""Text of a command line: never in a ledger cell."""

# A road 0-6 km along y = 0 (nodes every 500 m); the clinic k at x = 0.
ROWS = [
    ("a", "甲县", 1000, 100),  # complies: 1 km, 12 min
    ("b", "甲县", 4000, 100),  # fails; the large village c at 5 km can host a clinic
    ("c", "乙县", 5000, 900),  # large: 60 min, fails the 30-minute promise
    ("d", "乙县", 6000, 60),  # fails; covered by the same new clinic
]


def case():
    nodes = {i: (500.0 * i, 0.0) for i in range(13)}
    graph = road_graph(nodes, [(i, i + 1) for i in range(12)])
    villages = point_rows(
        [
            {
                "village_id": v,
                "name": f"村{v}",
                "county": c,
                "township": "镇",
                "population": p,
                "x": x,
                "y": 0,
            }
            for v, c, x, p in ROWS
        ],
        id_col="village_id",
    )
    clinics = point_rows(
        [{"facility_id": "k", "name": "甲卫生室", "x": 0, "y": 0}], id_col="facility_id"
    )
    return villages, clinics, graph


def networks(graph, *modes):
    return {m: TravelNetwork.from_graph(graph, mode=m) for m in modes}


def test_ledger_rows_say_which_clinic_and_give_the_plan_fix(tmp_path):
    villages, clinics, graph = case()
    nets = networks(graph, "walk")
    table = check_compliance(villages, clinics, nets)
    plan = plan_clinics(villages, clinics, nets["walk"])
    assert plan.lscp.selected == ["C-c"]
    reach = plan.reach(villages[villages["village_id"] == "c"], nets["walk"])
    rows = clinic_ledger(table, clinics, plan=plan, reach=reach)
    assert list(rows.columns) == ZH_HEADERS
    assert rows["村"].tolist() == ["村c", "村d", "村b"]  # sorted by county (乙 < 甲 in code order)
    by = rows.set_index("村")
    assert by["最近卫生室(直线)"].eq("甲卫生室（k）").all()
    assert by.loc["村b", "直线距离(公里)"] == pytest.approx(4.0)
    assert by.loc["村b", "步行时间(分钟)"] == pytest.approx(48.0)  # 4 km at 5 km/h
    # the fix names the new central clinic in 村c and its minutes: 1 km = 12 min
    assert by.loc["村b", "整改措施"] == "邻村共建：纳入新建中心村卫生室「村c」服务范围（12分钟）"
    assert by.loc["村d", "整改措施"] == "邻村共建：纳入新建中心村卫生室「村c」服务范围（12分钟）"
    assert by.loc["村b", "规划服务卫生室"] == "村c"
    # the large village hosts the new clinic itself: 0 minutes
    assert by.loc["村c", "整改措施"].startswith("由规划新建的中心村卫生室「村c」服务（0分钟）")
    assert by.loc["村b", "问题"] == "未达标：2.5公里内没有卫生室（最近的k在4.0公里外）"
    assert by.loc["村c", "问题"] == "未达标：步行30分钟内到不了卫生室（最快可达的k需60分钟）"
    assert by.loc["村b", "责任单位"] == "甲县人民政府、市医保局、市卫健委、市扶贫办"
    assert by.loc["村c", "责任单位"] == "乙县人民政府、市医保局、市卫健委、市扶贫办"
    assert set(by["是否达标"]) == {"否"}
    due = by["完成时限"].iloc[0]
    assert isinstance(due, datetime.date)
    assert due >= datetime.date.today()

    summary = ledger_summary(table, "walk")
    total = summary.iloc[-1].tolist()
    assert total[:6] == ["全市", 4, 3, 260, 1, 2]


def test_one_time_column_per_mode_in_the_workbook(tmp_path):
    villages, clinics, graph = case()
    nets = networks(graph, "walk", "motorcycle")
    table = check_compliance(villages, clinics, nets)
    plan = plan_clinics(villages, clinics, nets["walk"])
    rows = clinic_ledger(table, clinics, plan=plan, mode="walk")
    assert ledger_headers(["walk", "motorcycle"], "zh")[8:10] == [
        "步行时间(分钟)",
        "摩托车/电动三轮时间(分钟)",
    ]
    assert list(rows.columns) == [*ZH_HEADERS[:9], "摩托车/电动三轮时间(分钟)", *ZH_HEADERS[9:]]
    moto = rows.set_index("村")["摩托车/电动三轮时间(分钟)"]
    assert moto["村b"] == pytest.approx(9.6)  # 4 km of unclassified road at 25 km/h
    assert moto["村d"] == pytest.approx(14.4)
    english = clinic_ledger(table, clinics, plan=plan, mode="walk", lang="en")
    assert list(english.columns[8:10]) == ["walking time (min)", "motorcycle time (min)"]
    assert english.columns[4] == "Nearest clinic (straight line)"
    assert english.set_index("Village").loc["村b", "Fix proposed"] == (
        "Shared clinic: served by the new central clinic '村c' (12 min)"
    )


def test_workbook_of_a_two_mode_check_reads_back(tmp_path):
    s = study(tmp_path)
    result = run_check(s, s.rules, modes=["walk", "motorcycle"])
    out = tmp_path / "out"
    out.mkdir()
    files = write_ledger_files(check_ledger(result, "zh"), out)
    wb = load_workbook(files[0])
    assert {"甲县", "乙县"} <= set(wb.sheetnames)
    for county in ("甲县", "乙县"):
        cells = [[c.value for c in row] for row in wb[county].iter_rows()]
        assert any(r[0] and "村卫生室覆盖问题台账" in str(r[0]) for r in cells)  # the title row
        header = next(r for r in cells if r and "步行时间(分钟)" in r)
        assert "摩托车/电动三轮时间(分钟)" in header
        data = cells[cells.index(header) + 1 :]
        assert data
        for col in ("问题", "整改措施", "责任单位"):
            at = header.index(col)
            assert all(isinstance(r[at], str) and r[at] for r in data), col
        due = header.index("完成时限")
        assert all(isinstance(r[due], datetime.date) for r in data)
        assert all(f"{county}人民政府" in r[header.index("责任单位")] for r in data)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and COMMAND.search(value)), value


def test_without_a_plan_the_fix_says_so_in_words():
    villages, clinics, graph = case()
    table = check_compliance(villages, clinics, networks(graph, "walk"))
    rows = clinic_ledger(table, clinics).set_index("村")
    assert rows.loc["村b", "整改措施"] == "待规划：本次核查未计算共建方案"
    # a larger village does not wait for the plan: a clinic of its own
    assert rows.loc["村c", "整改措施"] == (
        "在本村设立村卫生室，确保30分钟内就医（现最快可达的「甲卫生室（k）」需60分钟）"
    )
    assert (rows["规划服务卫生室"] == "").all()
    english = clinic_ledger(table, clinics, lang="en").set_index("Village")
    assert english.loc["村b", "Fix proposed"] == (
        "To be planned: no shared-clinic plan was computed in this check"
    )
    assert english["Compliant"].eq("no").all()


def study(tmp_path):
    """A small own-data study: the villages of :data:`ROWS`, one clinic, an OSM road."""
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(13)}
    roads = write_osm(tmp_path / "r.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})])
    villages, clinics, _ = case()
    clinics = clinics.assign(kind="clinic")
    return Study(villages=villages, facilities=clinics, roads_path=roads)


def test_uncoverable_village_gets_a_clinic_of_its_own(tmp_path):
    s = study(tmp_path)
    # no village can host a central clinic: the plan covers nothing new
    s = Study(
        villages=s.villages,
        facilities=s.facilities,
        roads_path=s.roads_path,
        rules=load_rules({"clinic": {"candidate_min_residents": 10_000}}),
    )
    result = run_check(s, s.rules)
    assert result.plan is not None
    assert result.plan.lscp.n_new == 0
    rows = check_ledger(result, "zh").rows.set_index("村")
    assert rows.loc["村b", "整改措施"] == (
        "2.5公里、30分钟内没有可共建的中心村：在本村设立村卫生室，"
        "或由「甲卫生室（k）」（48分钟可达）定期派村医巡诊"
    )


def test_plan_task_files_the_same_ledger_as_the_check(tmp_path):
    s = study(tmp_path)
    plan_result = SERVICE.analyse(s, s.rules, task="plan")
    check_result = SERVICE.analyse(s, s.rules, task="check")
    plan_ledger = SERVICE.ledger(plan_result, "zh")
    check_ledger_ = SERVICE.ledger(check_result, "zh")
    assert plan_ledger is not None
    assert check_ledger_ is not None
    assert plan_ledger.name == check_ledger_.name == "clinic_ledger"
    assert plan_ledger.title == "村卫生室覆盖问题台账"
    assert plan_ledger.filer == "吕梁市卫生健康委员会"
    assert plan_ledger.county_filer == "{county}卫生健康局"
    pd.testing.assert_frame_equal(plan_ledger.rows, check_ledger_.rows)
    fixes = plan_ledger.rows["整改措施"]
    assert fixes.str.len().gt(0).all()
    assert not fixes.str.contains("待规划").any()


def own_files(tmp_path):
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(13)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )
    lines = ["村名,常住人口,经度,纬度,县,乡镇"]
    for v, county, x, pop in ROWS:
        lon, lat = lonlat(x, 0.0)
        lines.append(f"村{v},{pop},{lon:.7f},{lat:.7f},{county},镇")
    villages = tmp_path / "villages.csv"
    villages.write_text("\n".join(lines), encoding="utf-8")
    lon, lat = lonlat(0.0, 0.0)
    clinics = tmp_path / "clinics.csv"
    clinics.write_text(f"name,lon,lat\n甲卫生室,{lon:.7f},{lat:.7f}\n", encoding="utf-8")
    return [f"--villages={villages}", f"--clinics={clinics}", f"--roads={roads}"]


def ledger_fixes(folder):
    table = pd.read_csv(folder / "clinic_ledger.csv", encoding="utf-8-sig")
    return table.set_index("村")["整改措施"]


def test_commands_on_own_files_plan_by_default(tmp_path):
    files = own_files(tmp_path)
    runner = CliRunner()
    for task, extra in (("check", []), ("plan", []), ("check", ["--no-plan"])):
        out = tmp_path / f"{task}{len(extra)}"
        args = [task, "--out", str(out), "--no-maps", *files, *extra]
        result = runner.invoke(clinics_app, args)
        assert result.exit_code == 0, result.output
        fixes = ledger_fixes(out)
        if extra:
            assert fixes["村b"] == "待规划：本次核查未计算共建方案"
        else:
            assert fixes["村b"] == "邻村共建：纳入新建中心村卫生室「村c」服务范围（12分钟）"
        assert not fixes.str.contains(COMMAND).any()


def test_default_ledger_has_a_fix_for_every_failing_village(default_study):
    s = default_study
    result = run_check(s, s.rules, modes=["walk", "motorcycle"])
    ledger = check_ledger(result, "zh")
    rows = ledger.rows
    walk = result.mode_table()
    assert len(rows) == int((~walk["compliant"]).sum())
    assert {"步行时间(分钟)", "摩托车/电动三轮时间(分钟)"} <= set(rows.columns)
    assert rows["整改措施"].str.len().gt(0).all()
    assert not rows["整改措施"].str.contains("待规划").any()
    assert not rows.astype(str).apply(lambda c: c.str.contains(COMMAND)).any().any()
    small = rows[rows["整改措施"].str.startswith("邻村共建")]
    assert len(small) == 251 - 193  # the small villages the plan's new clinics cover
    # the planned clinic column names the new central clinic of every sharing-group fix
    assert (small["规划服务卫生室"] != "").all()
    assert rows["问题"].str.startswith("未达标").all()


def test_headlines_are_bilingual_with_plain_numbers(default_study):
    s = default_study
    check = SERVICE.analyse(s, s.rules, task="check")
    plan = SERVICE.analyse(s, s.rules, task="plan")
    for result in (check, plan):
        for h in SERVICE.headlines(result):
            assert " / " in h.title
            for label, value in h.items.items():
                assert " / " in label, label
                assert not re.search(r"[a-z]+_[a-z]+", label), label  # no raw key
                assert value is None or isinstance(value, int | float | str), value
    items = SERVICE.headlines(check)[0].items
    assert items["达标自然村 / settlements served"] == 193
    assert items["200人以下行政村 / administrative villages under 200"] == 369
    assert items["达标行政村 / compliant administrative villages"] == 179
    assert items["需新建中心村卫生室 / new central clinics needed"] == 49
    plan_items = SERVICE.headlines(plan)[0]
    assert plan_items.items["需新建中心村卫生室 / new central clinics needed"] == 49
    assert plan_items.solver is plan.plan.lscp.report
    doctors = SERVICE.headlines(check)[-1].items
    assert doctors["缺口 / shortfall"] == 108
