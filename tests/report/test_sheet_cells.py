"""Ledger tables prepared once and cut per county: the same cells as one sheet written alone."""

import dataclasses
import datetime

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from lvliang_coverage.report.cells import SheetCells
from lvliang_coverage.report.workbook import Ledger, header_row, write_ledger_workbook

DAY = datetime.date(2026, 12, 1)


def test_part_numbers_each_slice_and_keeps_its_masks():
    table = pd.DataFrame(
        {
            "县": ["全市", "兴县", "临县", "兴县"],
            "说明": ["=SUM(A1)", 3.5, "普通", None],
            "完成时限": [DAY, DAY, None, DAY],
        }
    )
    cells = SheetCells.of(table)
    whole = cells.part(None, "序号", "全市")
    assert whole.columns == ["序号", "县", "说明", "完成时限"]
    assert whole.values[:, 0].tolist() == [None, 2, 3, 4]  # the city row has no number
    part = cells.part(np.array([1, 3]), "序号", "全市")
    assert part.values.tolist() == [[1, "兴县", 3.5, DAY], [2, "兴县", None, DAY]]
    assert part.text[:, 2].tolist() == [False, False]  # no text in this county's column
    assert whole.text[:, 2].tolist() == [True, False, True, False]
    assert whole.formula[:, 2].tolist() == [True, False, False, False]
    assert part.dates[:, 3].tolist() == [True, True]
    empty = cells.part(np.array([], dtype=np.int64), "序号", "全市")
    assert empty.values.shape == (0, 4)
    # a table numbered already keeps its numbers
    numbered = SheetCells.of(table.assign(序号=[9, 8, 7, 6])[["序号", "县"]])
    assert numbered.part(None, "序号", "全市").values[:, 0].tolist() == [9, 8, 7, 6]


def _sheet(path, title):
    ws = load_workbook(path)[title]
    head = header_row(ws)
    return [
        [(c.value, c.data_type, c.style, c.number_format, c.quotePrefix) for c in row]
        for row in ws.iter_rows(min_row=head)
    ]


def test_every_county_sheet_equals_the_county_written_alone(tmp_path):
    rng = np.random.default_rng(3)
    counties = [f"样例{i:03d}县" for i in range(121)]
    n = 600
    rows = pd.DataFrame(
        {
            "县": rng.choice(counties, n),
            "村": [f"村{i}" if i % 7 else f"=村{i}" for i in range(n)],
            "人口": rng.integers(0, 5000, n),
            "投资(元)": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 1e6, n)),
            "说明": np.where(rng.random(n) < 0.5, "有文字", None),
            "完成时限": [DAY if i % 3 else None for i in range(n)],
        }
    )
    summary = pd.DataFrame({"县": ["全市"], "村数": [n]})
    ledger = Ledger(
        "big", rows, summary, county_col="县", money_cols=("投资(元)",), report_date=DAY
    )
    book = write_ledger_workbook(ledger, tmp_path / "big.xlsx")
    names = load_workbook(book).sheetnames
    assert len(names) == 1 + rows["县"].nunique()
    for county in ("样例000县", "样例060县", "样例120县"):
        if county not in names:
            continue
        alone = dataclasses.replace(ledger, rows=rows[rows["县"] == county])
        one = write_ledger_workbook(alone, tmp_path / f"{county}.xlsx")
        got, expected = _sheet(book, county), _sheet(one, county)
        assert got == expected
        body = got[1:]
        assert {r[2][2] for r in body} == {"ledger text"}  # 村: text
        assert {r[3][2] for r in body} == {"ledger number"}
        assert {r[4][2] for r in body} == {"ledger yuan"}
        dates = {r[6][2] for r in body if r[6][0] is not None}
        assert dates == {"ledger date"}
        assert all(r[2][1] == "s" and r[2][4] for r in body if str(r[2][0]).startswith("="))
