"""No live formulas and no illegal characters in the workbooks and CSV files written."""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from netfixtures import lonlat, write_osm
from openpyxl import load_workbook
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.report.cells import for_csv, sheet_title
from lvliang_coverage.report.workbook import header_row, write_csv, write_ledger

HYPERLINK = '=HYPERLINK("http://evil.example/x","点我")'
DDE = "=cmd|' /C calc'!A0"
SUM = "=1+2"
RISKY = ("=", "+", "-", "@", "\t", "\r")

runner = CliRunner()


def csv_cells(path: Path) -> list[list[str]]:
    """Every cell of a CSV file as the text a spreadsheet sees (BOM removed)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_safe(path: Path) -> None:
    """No cell starts like a formula, except plain numbers such as ``-3``."""
    for r, row in enumerate(csv_cells(path)):
        for c, cell in enumerate(row):
            if cell.startswith(RISKY):
                assert cell.startswith("-"), (path.name, r, c, cell)
                assert is_number(cell), (path.name, r, c, cell)


def assert_workbook_safe(path: Path) -> None:
    """No formula cell and no formula-like text without a quote prefix."""
    book = load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(RISKY):
                    assert cell.data_type == "s"
                    assert cell.quotePrefix, (ws.title, cell.coordinate)


# ---------------------------------------------------------------- the writers on their own
@pytest.fixture
def hostile():
    rows = pd.DataFrame(
        {
            "县": ["兴县", SUM, "兴县", "临县"],
            "村": [HYPERLINK, DDE, "+86 村", "@村"],
            "常住人口": [-5, 120, 80, 7],  # negative numbers stay numbers
            "差额": [-1.5, np.nan, 2.0, -0.25],
            "备注": ["-3 户", None, "\t村", "\r村"],
        }
    )
    summary = pd.DataFrame({"县": [SUM, "兴县"], "差额": [-1.5, 2.0]})
    return rows, summary


def test_workbook_stores_formula_text_as_text(hostile, tmp_path):
    rows, summary = hostile
    path = write_ledger(rows, summary, tmp_path / "l.xlsx", county_col="县")
    assert_workbook_safe(path)
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "兴县", "临县", SUM]  # official order, unknown names last
    sheet = book[SUM]
    first = header_row(sheet) + 1
    assert [c.value for c in sheet[first]] == [1, SUM, DDE, 120, None, None]
    assert sheet[f"B{first}"].data_type == "s"
    xing = book["兴县"]
    assert xing[f"C{first}"].value == HYPERLINK
    assert (xing[f"D{first}"].value, xing[f"D{first}"].data_type) == (-5, "n")
    assert (xing[f"E{first}"].value, xing[f"E{first}"].data_type) == (-1.5, "n")
    total = book["汇总"][f"C{first}"]
    assert (total.value, total.data_type) == (-1.5, "n")
    assert book[SUM]["A1"].value.startswith(f"吕梁市{SUM} ")  # the county in the title row


def test_csv_quotes_formula_text_and_keeps_numbers(hostile, tmp_path):
    rows, _ = hostile
    path = write_csv(rows, tmp_path / "l.csv")
    assert_csv_safe(path)
    cells = csv_cells(path)
    assert cells[0] == ["县", "村", "常住人口", "差额", "备注"]
    assert [r[1] for r in cells[1:]] == [f"'{HYPERLINK}", f"'{DDE}", "'+86 村", "'@村"]
    assert [r[0] for r in cells[1:]] == ["兴县", f"'{SUM}", "兴县", "临县"]
    assert [r[2] for r in cells[1:]] == ["-5", "120", "80", "7"]
    assert [r[3] for r in cells[1:]] == ["-1.5", "", "2.0", "-0.25"]
    assert [r[4] for r in cells[1:]] == ["'-3 户", "", "'\t村", "'\r村"]
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["常住人口"].tolist() == [-5, 120, 80, 7]
    assert rows["村"].tolist()[0] == HYPERLINK  # the caller's table is not changed


def test_csv_headers_are_neutralised_too(tmp_path):
    table = pd.DataFrame({"=SUM(A1)": [1], "ok": ["x"]})
    assert csv_cells(write_csv(table, tmp_path / "h.csv"))[0] == ["'=SUM(A1)", "ok"]
    assert list(for_csv(table).columns) == ["'=SUM(A1)", "ok"]


def test_control_characters_never_crash_the_workbook(tmp_path):
    rows = pd.DataFrame(
        {
            "县": ["兴\x01县", "兴\x01县", "临县"],
            "村": ["村\x0b甲", "村\x00乙", "tab\tand\nline"],
            "常住人口": [1, 2, 3],
        }
    )
    summary = pd.DataFrame({"县\x1f": ["兴\x01县"], "村数": [2]})
    path = write_ledger(
        rows,
        summary,
        tmp_path / "c.xlsx",
        county_col="县",
        summary_title="汇\x02总",
        extra_sheets=[("额\x0c外", rows)],
    )
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "额外", "兴县", "临县"]
    head = header_row(book["兴县"])
    assert [c.value for c in book["兴县"]["C"]][head:] == ["村甲", "村乙"]
    assert book["临县"][f"C{head + 1}"].value == "tab\tand\nline"  # tab and line feed are kept
    assert book["汇总"][f"B{head}"].value == "县"
    assert book["兴县"]["A1"].value == "吕梁市兴县 台账"  # control character out of the title
    text = write_csv(rows, tmp_path / "c.csv").read_text(encoding="utf-8-sig")
    assert "\x0b" not in text
    assert "\x01" not in text
    assert "村甲" in text


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("'兴县'", "兴县"),
        ("a/b:c*d?e[f]g\\h", "a_b_c_d_e_f_g_h"),
        ("\x01\x02", "sheet"),
        ("长" * 40, "长" * 31),
    ],
)
def test_sheet_titles_excel_accepts(name, title):
    assert sheet_title(name) == title


def test_sheet_titles_unique_ignoring_case(tmp_path):
    rows = pd.DataFrame({"县": ["Lin", "LIN"], "n": [1, 2]})
    path = write_ledger(rows, rows, tmp_path / "u.xlsx", county_col="县", summary_title="lin")
    assert load_workbook(path).sheetnames == ["lin", "LIN_2", "Lin_3"]


# ---------------------------------------------------------------- through the command line
@pytest.fixture
def hostile_files(tmp_path):
    """A tiny registry whose names are formula payloads and control characters."""
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )
    villages = tmp_path / "villages.csv"
    rows = [
        (HYPERLINK, 4000, 120, "样例县"),  # every payload village beyond 2.5 km: in the ledger
        (DDE, 3500, 80, "样例县"),
        ("+村丙", 3000, 600, SUM),
        ("@村丁", 2800, 90, "样例\x01县"),
        ("-村戊", 2600, 60, "样例县"),
        ("村\x0b己", 1000, 70, "样例县"),
    ]
    with villages.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["村名", "常住人口", "经度", "纬度", "县", "乡镇"])
        for name, x, pop, county in rows:
            lon, lat = lonlat(x, 0.0)
            w.writerow([name, pop, f"{lon:.7f}", f"{lat:.7f}", county, "样例镇"])
    clinics = tmp_path / "clinics.csv"
    lon, lat = lonlat(0.0, 0.0)
    with clinics.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["name", "lon", "lat"], [SUM, f"{lon:.7f}", f"{lat:.7f}"]])
    return {"villages": villages, "clinics": clinics, "roads": roads}


@pytest.mark.parametrize("task", ["check", "plan"])
def test_cli_outputs_hold_no_live_formula(hostile_files, tmp_path, task):
    out = tmp_path / "out"
    args = ["clinics", task, "--out", str(out)]
    args += [f"--{k}={v}" for k, v in hostile_files.items()]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    tables = sorted(out.glob("*.csv"))
    assert len(tables) >= 4
    for path in tables:
        assert_csv_safe(path)
    if task == "plan":
        sites = pd.read_csv(out / "clinic_plan_sites.csv", encoding="utf-8-sig")
        assert set(sites["name"]) <= {f"'{HYPERLINK}", f"'{DDE}", "'+村丙", "'@村丁", "'-村戊"}
        assert len(sites) >= 1
        return
    workbooks = sorted(out.glob("*.xlsx"))  # per settlement and per administrative village
    assert [w.name for w in workbooks] == ["clinic_admin_ledger.xlsx", "clinic_ledger.xlsx"]
    for workbook in workbooks:
        assert_workbook_safe(workbook)
    admin = {cell for row in csv_cells(out / "clinic_admin_ledger.csv") for cell in row}
    assert not any(c[:1] in RISKY for c in admin if c), "no live formula per 行政村 either"
    ledger = csv_cells(out / "clinic_ledger.csv")
    seen = {cell for row in ledger for cell in row}
    assert {f"'{HYPERLINK}", f"'{DDE}", "'+村丙", "'@村丁", "'-村戊"} <= seen
    book = load_workbook(out / "clinic_ledger.xlsx")
    texts = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert {HYPERLINK, DDE, "+村丙", "@村丁", "-村戊"} <= texts
    assert not any(isinstance(t, str) and ("\x0b" in t or "\x01" in t) for t in texts)
    assert all("\x01" not in title for title in book.sheetnames)
    assert f"'{SUM}" in seen  # the clinic's name
    population = []
    for ws in book.worksheets[2:]:  # the county sheets, after the summary and the doctors
        head = header_row(ws)
        col = [c.value for c in ws[head]].index("常住人口") + 1
        population += [ws.cell(r, col) for r in range(head + 1, ws.max_row + 1)]
    assert population
    assert all(c.data_type == "n" for c in population)
    table = pd.read_csv(out / "clinic_compliance.csv", encoding="utf-8-sig")
    assert pd.api.types.is_numeric_dtype(table["population"])
    assert pd.api.types.is_numeric_dtype(table["travel_min"])
    assert f"'{HYPERLINK}" in set(table["name"])
