"""The water ledger a county files: titled sheets, yuan and 万元, measures, units, deadline."""

import csv
import datetime
import re

import pytest
from netfixtures import point_rows, road_graph
from openpyxl import load_workbook

from lvliang_coverage import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.report.workbook import header_row, read_ledger_sheet, write_ledger_files
from lvliang_coverage.services import registry
from lvliang_coverage.services.runner import run_task
from lvliang_coverage.services.water.ledger import plan_ledger
from lvliang_coverage.services.water.plan import plan_water
from lvliang_coverage.services.water.service import SERVICE

# unit costs of the shipped rules (rules.toml [water]), written out as the oracle
PIPE_YUAN_PER_M = 120.0
WORKS_YUAN_PER_M3D = 1000.0
CONNECTION_YUAN = 1500.0
SPRING_YUAN = 80000.0
DEMAND_M3_PER_RESIDENT = 0.06
FUND_PER_PERSON = 3.0
TODAY = datetime.date.today()
END_OF_YEAR = datetime.date(TODAY.year, 12, 31)


def case():
    """Village a 1 km from spring s (100 m below it: gravity), b 2 km away in another county."""
    rows = [
        {"village_id": "a", "x": 1000, "y": 0, "county": "甲县"},
        {"village_id": "b", "x": 2000, "y": 0, "county": "丙县"},
    ]
    vil = point_rows(
        [
            {
                "name": "村" + r["village_id"],
                "township": "乙镇",
                "population": 400,
                "households": 100,
                "registered_poor": 0,
                "water_safe": False,
                "elevation_m": 900.0,
                **r,
            }
            for r in rows
        ],
        id_col="village_id",
    )
    src = point_rows(
        [
            {
                "water_source_id": "s",
                "name": "甲泉",
                "kind": "spring",
                "capacity_m3d": 1000.0,
                "elevation_m": 1000.0,
                "county": "甲县",
                "township": "乙镇",
                "x": 0,
                "y": 0,
            }
        ],
        id_col="water_source_id",
    )
    rules = load_rules()
    graph = road_graph({0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (2000.0, 0.0)}, [(0, 1), (1, 2)])
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    return plan_water(vil, src, net, rules=rules)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("water-ledger")
    plan = case()
    return plan, write_ledger_files(plan_ledger(plan), folder)


def test_hand_worked_measures(written):
    _, (xlsx, _) = written
    a = read_ledger_sheet(xlsx, "甲县").iloc[0]
    pipe = 1000 * PIPE_YUAN_PER_M
    works = 400 * DEMAND_M3_PER_RESIDENT * WORKS_YUAN_PER_M3D
    conn = 100 * CONNECTION_YUAN
    assert a["管网投资(元)"] == pipe
    assert a["提水投资(元)"] == 0
    assert a["净水工程(元)"] == works
    assert a["入户工程(元)"] == conn
    assert a["本村投资合计(元)"] == pipe + works + conn
    wan = (pipe + works + conn) / 10_000
    assert (
        a["整改措施"]
        == f"由泉「甲泉」（s，新建）供水：重力自流，管道1.0公里，本村投资约{wan:.1f}万元"
    )
    assert a["供水水源编号"] == "s"
    b = read_ledger_sheet(xlsx, "丙县").iloc[0]
    cheapest = (2000 * PIPE_YUAN_PER_M + works + conn) / 10_000
    assert b["整改措施"] == (
        "可用水源均在外县：建议跨县协调供水；"
        f"最省的可选方案：甲县泉「甲泉」（s），管道2.0公里，约{cheapest:.1f}万元"
    )
    assert b["本村投资合计(元)"] is None  # no project: blank, not 0
    assert b["供水水源"] is None


def test_csv_twin_writes_whole_yuan(written):
    _, (_, path) = written
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["村"]: r for r in csv.DictReader(fh)}
    works = 400 * DEMAND_M3_PER_RESIDENT * WORKS_YUAN_PER_M3D
    assert rows["村a"]["本村投资合计(元)"] == str(
        int(1000 * PIPE_YUAN_PER_M + works + 100 * CONNECTION_YUAN)
    )
    assert rows["村a"]["序号"] == "2"  # 丙县 (村b) comes first: unknown names in Unicode order
    assert rows["村b"]["本村投资合计(元)"] == ""
    assert rows["村a"]["完成时限"] == END_OF_YEAR.isoformat()


def test_summary_in_wan_yuan_in_the_official_order(written):
    _, (xlsx, _) = written
    summary = read_ledger_sheet(xlsx, "汇总")
    assert summary["县"].tolist() == ["丙县", "甲县", "全市"]  # unknown names in Unicode order
    jia = summary.set_index("县").loc["甲县"]
    works = 400 * DEMAND_M3_PER_RESIDENT * WORKS_YUAN_PER_M3D
    assert jia["水源及净水工程(万元)"] == pytest.approx((SPRING_YUAN + works) / 10_000)
    assert jia["管网(万元)"] == pytest.approx(12.0)
    total = SPRING_YUAN + works + 1000 * PIPE_YUAN_PER_M + 100 * CONNECTION_YUAN
    assert jia["总投资(万元)"] == pytest.approx(round(total / 10_000, 2))
    assert jia["年维修养护资金(万元/年)"] == pytest.approx(
        400 * FUND_PER_PERSON / 10_000, abs=0.005
    )
    assert summary["序号"].tolist()[:2] == [1, 2]
    assert summary["序号"].isna().tolist()[-1]


def test_number_formats(written):
    _, (xlsx, _) = written
    book = load_workbook(xlsx)
    for ws in book.worksheets:
        head = header_row(ws)
        for j, cell in enumerate(ws[head], start=1):
            fmt = ws.cell(head + 1, j).number_format if ws.max_row > head else None
            if fmt is None:
                continue
            if re.search(r"\((万元)", cell.value or ""):
                assert fmt == "#,##0.00", (ws.title, cell.value)
            elif re.search(r"\(元", cell.value or ""):
                assert fmt == "#,##0", (ws.title, cell.value)
            elif cell.value == "完成时限":
                assert fmt == "yyyy-mm-dd"
                assert ws.cell(head + 1, j).value.date() == END_OF_YEAR


def test_title_filer_and_county_government(written):
    _, (xlsx, _) = written
    book = load_workbook(xlsx)
    jia = book["甲县"]
    assert jia["A1"].value == "吕梁市甲县 农村饮水安全工程台账"
    assert jia["A2"].value.startswith("填报单位：甲县水利局    填报日期：")
    assert book["汇总"]["A1"].value == "吕梁市 农村饮水安全工程台账（汇总）"
    assert book["汇总"]["A2"].value.startswith("填报单位：吕梁市水利局")
    row = read_ledger_sheet(xlsx, "甲县").iloc[0]
    assert row["责任单位"] == "甲县人民政府、市水利局、市财政局"
    assert row["完成时限"].date() >= TODAY


def test_english_ledger(tmp_path):
    xlsx, _ = write_ledger_files(plan_ledger(case(), "en"), tmp_path)
    book = load_workbook(xlsx)
    assert book["甲县"]["A1"].value == "Lüliang, 甲县: Rural drinking-water projects ledger"
    row = read_ledger_sheet(xlsx, "甲县").iloc[0]
    assert row["Responsible units"] == "甲县 People's Government, 市水利局, 市财政局"
    assert row["Fix proposed"].startswith("Supplied from spring '甲泉' (s, new): gravity-fed")
    assert "Maintenance fund (10,000 yuan/year)" in read_ledger_sheet(xlsx, "Summary").columns


@pytest.fixture(scope="module")
def default_run(default_study, tmp_path_factory):
    out = tmp_path_factory.mktemp("water-default")
    return run_task(SERVICE, default_study, "site", out, maps=False), out


def test_default_ledger_has_a_measure_for_every_unsafe_village(default_run):
    run, out = default_run
    plan = run.result.plan
    xlsx = out / "water_ledger.xlsx"
    book = load_workbook(xlsx)
    counties = [ws for ws in book.sheetnames if ws not in ("汇总", "水源工程")]
    assert counties[0] == "离石区"
    rows = [read_ledger_sheet(xlsx, c) for c in counties]
    assert sum(len(r) for r in rows) == len(plan.villages) == 752
    for county, table in zip(counties, rows, strict=True):
        assert table["序号"].tolist() == list(range(1, len(table) + 1))
        assert table["整改措施"].str.len().gt(10).all()
        assert table["责任单位"].str.startswith(f"{county}人民政府、").all()
        served = table["供水水源编号"].notna()
        # a served village's measure names its source id and its money
        assert all(
            f"（{sid}，" in fix and "万元" in fix
            for sid, fix in zip(
                table.loc[served, "供水水源编号"], table.loc[served, "整改措施"], strict=True
            )
        )
        assert table.loc[~served, "整改措施"].str.contains("：建议|：列入|：请").all()


def test_no_ledger_cell_names_a_command(default_run):
    _, out = default_run
    commands = [f"{s.name} {t.name}" for s in registry.services() for t in s.tasks]
    assert "water site" in commands
    needles = ["lvliang-coverage", "--", *commands]
    book = load_workbook(out / "water_ledger.xlsx")
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    texts = [t for t in texts if isinstance(t, str)]
    assert texts
    for needle in needles:
        assert not [t for t in texts if needle in t], needle
    csv = (out / "water_ledger.csv").read_text(encoding="utf-8-sig")
    assert not [n for n in needles if n in csv]


def test_headlines_are_bilingual_and_pass_numbers(default_run):
    run, _ = default_run
    plan_figures, budget = SERVICE.headlines(run.result)
    assert " / " in plan_figures.title
    labels = [k for k in plan_figures.items if " / " in k]
    assert len(labels) >= 15
    raw = [k for k in plan_figures.items if " / " not in k]
    assert set(raw) <= {"solver_status", "mip_gap", "solve_seconds", "time_limit_s", "mip_rel_gap"}
    summary = run.result.summary()
    assert plan_figures.items["总投资（元） / total investment (yuan)"] == summary["total_yuan"]
    assert isinstance(plan_figures.items["规划供水村 / villages supplied"], int)
    assert not any("budget" in k for k in plan_figures.items)  # no budget given: no line
    counties = [r["县 / county"] for r in budget.rows]
    assert counties[0] == "离石区"
    assert counties[-1] == "全市 / city"
    assert len(counties) == 14
    city = budget.rows[-1]
    assert city["总投资（元） / total investment (yuan)"] == pytest.approx(summary["total_yuan"])
    assert all(" / " in h for h in budget.rows[0])
