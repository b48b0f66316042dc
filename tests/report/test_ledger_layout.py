"""Ledger workbooks as a county office files them: title, 序号, filer and date, print setup."""

import csv
import dataclasses
import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from lvliang_coverage.report import workbook
from lvliang_coverage.report.cells import cell_widths, text_width
from lvliang_coverage.report.vocabulary import Terms
from lvliang_coverage.report.workbook import (
    Ledger,
    headed_table,
    header_row,
    read_ledger_sheet,
    write_ledger,
    write_ledger_files,
)

TODAY = datetime.date.today()
ZH_DATE = f"{TODAY.year}年{TODAY.month}月{TODAY.day}日"  # written out: the oracle
CODES = {"离石区": "141102", "兴县": "141123", "中阳县": "141129", "汾阳市": "141182"}
"""Division codes of the counties used (统计用区划代码 2023), written out as the oracle."""


def official(names):
    """Counties by division code, then names without a code in Unicode order."""
    known = sorted((n for n in names if n in CODES), key=CODES.__getitem__)
    return known + sorted(n for n in names if n not in CODES)


@pytest.fixture
def ledger():
    rows = pd.DataFrame(
        {
            "县": ["汾阳市", "兴县", "离石区", "兴县", "样例县", "中阳县", "兴县"],
            "村": [
                "甲",
                "乙",
                "丙",
                "丁",
                "戊",
                "己",
                "一个名字很长很长很长很长很长很长很长很长很长很长的村",
            ],
            "投资(元)": [1234567.0, 20.0, 3.0, None, 5.0, 6.0, 7.0],
            "完成时限": [datetime.date(TODAY.year, 12, 31)] * 7,
        }
    )
    summary = pd.DataFrame(
        {"县": ["离石区", "兴县", "全市"], "村数": [1, 3, 4], "投资(万元)": [0.0, 123.45, 123.45]}
    )
    return Ledger(
        "water_ledger",
        rows,
        summary,
        county_col="县",
        extra_sheets=[("水源工程", summary.iloc[:2])],
        title="农村饮水安全工程台账",
        filer="吕梁市水利局",
        county_filer="{county}水利局",
        money_cols=("投资(元)",),
        wan_cols=("投资(万元)",),
    )


def test_sheets_follow_the_official_county_order(ledger, tmp_path):
    xlsx, _ = write_ledger_files(ledger, tmp_path)
    names = load_workbook(xlsx).sheetnames
    assert names[:2] == ["汇总", "水源工程"]
    assert names[2] == "离石区"
    assert names[2:] == official(set(ledger.rows["县"]))
    assert names[-1] == "样例县"  # a name outside the division list comes last


def test_title_filer_and_date_rows(ledger, tmp_path):
    xlsx, _ = write_ledger_files(ledger, tmp_path)
    book = load_workbook(xlsx)
    xing = book["兴县"]
    assert xing["A1"].value == "吕梁市兴县 农村饮水安全工程台账"
    assert xing["A1"].font.bold
    assert xing["A1"].font.size > 11
    assert xing["A2"].value == f"填报单位：兴县水利局    填报日期：{ZH_DATE}"
    merged = {str(r) for r in xing.merged_cells.ranges}
    assert {"A1:E1", "A2:E2"} <= merged  # across the table: 序号 + 4 columns
    summary = book["汇总"]
    assert summary["A1"].value == "吕梁市 农村饮水安全工程台账（汇总）"
    assert summary["A2"].value == f"填报单位：吕梁市水利局    填报日期：{ZH_DATE}"
    assert book["水源工程"]["A1"].value == "吕梁市 农村饮水安全工程台账（水源工程）"
    assert header_row(xing) == 3  # no note: title, filer line, header


def test_a_given_report_date_and_english(ledger, tmp_path):
    en = dataclasses.replace(ledger, lang="en", report_date=datetime.date(2031, 3, 4))
    book = load_workbook(write_ledger_files(en, tmp_path)[0])
    ws = book["兴县"]
    assert ws["A1"].value == "Lüliang, 兴县: 农村饮水安全工程台账"
    assert ws["A2"].value == "Filed by: 兴县水利局    Date: 2031-03-04"
    assert ws.cell(header_row(ws), 1).value == "No."


def test_number_column_counts_each_sheet(ledger, tmp_path):
    xlsx, _ = write_ledger_files(ledger, tmp_path)
    book = load_workbook(xlsx)
    for county, part in ledger.rows.groupby("县"):
        ws = book[county]
        head = header_row(ws)
        assert ws.cell(head, 1).value == "序号"
        numbers = [ws.cell(r, 1).value for r in range(head + 1, ws.max_row + 1)]
        assert numbers == list(range(1, len(part) + 1))
    summary = book["汇总"]
    head = header_row(summary)
    assert [summary.cell(r, 1).value for r in range(head + 1, summary.max_row + 1)] == [1, 2, None]
    assert summary.cell(summary.max_row, 2).value == "全市"  # the total row has no number


def test_print_setup_and_panes(ledger, tmp_path):
    xlsx, _ = write_ledger_files(ledger, tmp_path)
    for ws in load_workbook(xlsx).worksheets:
        head = header_row(ws)
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert int(ws.page_setup.fitToWidth) == 1
        assert int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${head}:${head}"
        assert ws.freeze_panes == f"A{head + 1}"
        assert 0.2 <= ws.page_margins.left <= 1.0
        assert 0.2 <= ws.page_margins.top <= 1.0
        assert all(c.alignment.wrap_text for c in ws[head])


def test_number_formats_dates_and_wrapping(ledger, tmp_path):
    xlsx, _ = write_ledger_files(ledger, tmp_path)
    book = load_workbook(xlsx)
    ws = book["汾阳市"]
    head = header_row(ws)
    header = [c.value for c in ws[head]]
    money = ws.cell(head + 1, header.index("投资(元)") + 1)
    assert (money.value, money.number_format) == (1234567, "#,##0")
    due = ws.cell(head + 1, header.index("完成时限") + 1)
    assert due.is_date
    assert due.value.date() == datetime.date(TODAY.year, 12, 31)
    assert due.number_format == "yyyy-mm-dd"
    assert ws.cell(head + 1, header.index("村") + 1).alignment.wrap_text
    summary = book["汇总"]
    head = header_row(summary)
    wan = summary.cell(head + 2, 4)
    assert summary.cell(head, 4).value == "投资(万元)"
    assert (wan.value, wan.number_format) == (123.45, "#,##0.00")


def test_column_widths_fit_their_text(ledger, tmp_path):
    xlsx, _ = write_ledger_files(ledger, tmp_path)
    ws = load_workbook(xlsx)["兴县"]
    widths = {c: ws.column_dimensions[c].width for c in "ABCDE"}
    # 村: the long name (28 CJK characters = 56 widths) is capped and wraps
    assert widths["C"] == workbook.MAX_WIDTH
    # 投资(元): "1,234,567" is in 汾阳市 only; here "20" and the header (8 widths) decide
    assert 8 <= widths["D"] <= 12
    assert widths["E"] >= 10  # a date
    fen = load_workbook(xlsx)["汾阳市"]
    assert fen.column_dimensions["D"].width >= len("1,234,567")
    assert fen.column_dimensions["B"].width >= 6  # 汾阳市: three CJK characters


def test_synthetic_note_is_visible(ledger, tmp_path):
    xlsx, _ = write_ledger_files(dataclasses.replace(ledger, synthetic=True), tmp_path)
    for ws in load_workbook(xlsx).worksheets:
        note = ws["A3"]
        assert note.value.startswith("注意：本台账基于合成示例数据生成")
        assert "synthetic" in note.value
        assert note.font.color.rgb.endswith("C00000")  # red
        assert header_row(ws) == 4


def test_csv_twin_is_a_plain_numbered_table(ledger, tmp_path):
    _, path = write_ledger_files(ledger, tmp_path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        cells = list(csv.reader(fh))
    assert cells[0] == ["序号", "县", "村", "投资(元)", "完成时限"]
    assert [r[0] for r in cells[1:]] == [str(i) for i in range(1, 8)]
    counties = [r[1] for r in cells[1:]]
    assert list(dict.fromkeys(counties)) == official(set(counties))
    assert {r[4] for r in cells[1:]} == {f"{TODAY.year}-12-31"}


def test_read_back_helper(ledger, tmp_path):
    xlsx, _ = write_ledger_files(dataclasses.replace(ledger, synthetic=True), tmp_path)
    table = read_ledger_sheet(xlsx, "兴县")
    assert list(table.columns) == ["序号", "县", "村", "投资(元)", "完成时限"]
    assert table["村"].tolist() == ledger.rows.loc[ledger.rows["县"] == "兴县", "村"].tolist()


def test_formula_like_text_stays_inert_in_the_title_and_filer_rows(ledger, tmp_path, monkeypatch):
    # a county office may edit the wording so that the filer line starts with the unit
    terms = dict(workbook.TEXT.by_lang())
    keys = workbook.TEXT.keys()
    table = {k: (zh, en) for k, zh, en in zip(keys, terms["zh"], terms["en"], strict=True)}
    table["filed"] = ("{filer}", "{filer}")
    table["title_county"] = ("{county}", "{county}")
    monkeypatch.setattr(workbook, "TEXT", Terms(table))
    rows = ledger.rows.assign(县=["=1+2", "兴县", "兴县", "兴县", "兴县", "兴县", "兴县"])
    hostile = '=HYPERLINK("http://evil.example/x","点我")'
    path = write_ledger(
        rows,
        ledger.summary,
        tmp_path / "h.xlsx",
        county_col="县",
        title="@SUM(1)",
        filer=hostile,
        county_filer="-{county}\x01局",
    )
    book = load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    summary = book["汇总"]
    assert summary["A2"].value == hostile
    assert summary["A2"].data_type == "s"
    assert summary["A2"].quotePrefix
    odd = book["=1+2"]
    assert odd["A1"].value == "=1+2"
    assert odd["A1"].quotePrefix
    assert odd["A2"].value == "-=1+2局"  # control character removed, still text
    assert odd["A2"].quotePrefix


def test_rows_without_county_and_empty_ledgers(tmp_path):
    rows = pd.DataFrame({"县": ["兴县", None, ""], "村": ["甲", "乙", "丙"]})
    book = load_workbook(write_ledger(rows, rows.iloc[:0], tmp_path / "n.xlsx", county_col="县"))
    assert book.sheetnames == ["汇总", "兴县", "未填县"]
    ws = book["未填县"]
    assert read_ledger_sheet(tmp_path / "n.xlsx", "未填县")["村"].tolist() == ["乙", "丙"]
    assert ws["A1"].value == "吕梁市未填县 台账"
    empty = book["汇总"]
    assert [c.value for c in empty[header_row(empty)]] == ["序号", "县", "村"]
    assert empty.max_row == header_row(empty)


def test_headed_tables_keep_whole_numbers_with_blanks(tmp_path):
    yuan = pd.Series([1200.0, None, 3.0]).round(0).astype("Int64")
    table = headed_table(["县", "投资(元)"], [pd.Series(["兴县", "兴县", "临县"]), yuan])
    assert str(table["投资(元)"].dtype) == "Int64"
    ledger = Ledger("l", table, table.iloc[:0], county_col="县", money_cols=("投资(元)",))
    xlsx, path = write_ledger_files(ledger, tmp_path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        assert [r["投资(元)"] for r in csv.DictReader(fh)] == ["1200", "", "3"]
    assert read_ledger_sheet(xlsx, "兴县")["投资(元)"].tolist()[0] == 1200


def test_cell_widths_count_cjk_twice_and_money_with_separators():
    assert text_width("兴县ab") == 6
    assert text_width("ab\n长长长长") == 8  # the widest line
    table = pd.DataFrame(
        {
            "村": ["甲村", None, "tab\t"],
            "投资(元)": [1234567.0, -5.0, float("nan")],
            "投资(万元)": [123.45, 1.0, 0.0],
            "完成时限": [datetime.date(2030, 1, 1)] * 3,
            "n": [1.5, 10.25, 3.0],
        }
    )
    widths = cell_widths(table, money=["投资(元)"], wan=["投资(万元)"])
    assert widths["村"].tolist() == [4, 0, 4]
    assert widths["投资(元)"].tolist() == [len("1,234,567"), len("-5"), 0]
    assert widths["投资(万元)"].tolist() == [len("123.45"), len("1.00"), len("0.00")]
    assert widths["完成时限"].tolist() == [10, 10, 10]
    assert widths["n"].tolist() == [3, 5, 3]
