"""Ledger workbooks and staged output."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from lvliang_coverage.report.output import staged_output
from lvliang_coverage.report.workbook import header_row, write_csv, write_ledger


def test_ledger_sheets_and_headers(tmp_path):
    rows = pd.DataFrame(
        {
            "县": ["兴县", "临县", "兴县"],
            "村": ["甲", "乙", "丙"],
            "常住人口": [120, 80, float("nan")],
        }
    )
    summary = pd.DataFrame({"县": ["兴县", "临县"], "村数": [2, 1]})
    path = write_ledger(rows, summary, tmp_path / "l.xlsx", county_col="县")
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "兴县", "临县"]  # official order: 兴县 141123, 临县 141124
    ws = wb["兴县"]
    head = header_row(ws)
    assert head == 3  # title row, filer line, header
    assert [c.value for c in ws[head]] == ["序号", "县", "村", "常住人口"]
    assert [c.value for c in ws[head + 1]] == [1, "兴县", "甲", 120]
    assert ws.cell(head + 2, 4).value is None  # NaN written as a blank cell
    blank = rows.assign(常住人口=float("nan"))  # a column with no value at all
    assert load_workbook(write_ledger(blank, summary, tmp_path / "b.xlsx", county_col="县"))
    assert ws.max_row == head + 2
    assert wb["汇总"].cell(head + 1, 3).value == 2
    csv = write_csv(rows, tmp_path / "l.csv")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(csv, encoding="utf-8-sig")["村"].tolist() == ["甲", "乙", "丙"]


def test_staged_output_moves_on_success(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as stage:
        (stage / "a.csv").write_text("x", encoding="utf-8")
        (stage / "sub").mkdir()
        (stage / "sub" / "b.html").write_text("y", encoding="utf-8")
        assert not out.exists()
    assert (out / "a.csv").read_text(encoding="utf-8") == "x"
    assert (out / "sub" / "b.html").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_staged_output_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "out"

    def job() -> None:
        with staged_output(out) as stage:
            (stage / "a.csv").write_text("x", encoding="utf-8")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        job()
    assert list(tmp_path.iterdir()) == []


def test_staged_output_routes_by_suffix(tmp_path):
    with staged_output(tmp_path / "out", maps_dir=tmp_path / "maps") as stage:
        (stage / "a.csv").write_text("x", encoding="utf-8")
        (stage / "m.html").write_text("<p>", encoding="utf-8")
    assert (tmp_path / "out" / "a.csv").is_file()
    assert (tmp_path / "maps" / "m.html").is_file()
    assert not (tmp_path / "out" / "m.html").exists()
