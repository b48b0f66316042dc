"""Ledgers (台账): Excel workbooks with one sheet per county plus a summary, and CSV twins.

Every workbook and CSV the package writes goes through :func:`write_ledger` and
:func:`write_csv`, which make user text safe (:mod:`lvliang_coverage.report.cells`): text that
starts like a formula is stored as text in workbooks and quoted with ``'`` in CSV, and control
characters a workbook cannot hold are removed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from lvliang_coverage.report.cells import for_csv, for_workbook, formula_like, sheet_title

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _sheet_title(name: str, used: set[str]) -> str:
    """Make a unique worksheet title (Excel compares titles case-insensitively)."""
    base = sheet_title(name)
    title, k = base, 1
    while title.casefold() in used:
        k += 1
        title = f"{base[:28]}_{k}"
    used.add(title.casefold())
    return title


def _write_sheet(wb: Workbook, title: str, table: pd.DataFrame) -> None:
    """Write ``table`` as a sheet; text that starts like a formula is stored as text."""
    ws = wb.create_sheet(title)
    table = for_workbook(table)
    header = pd.DataFrame([[str(c) for c in table.columns]], dtype=object)
    ws.append(header.iloc[0].tolist())
    cells = table.astype(object).where(table.notna(), None)  # NaN -> blank cell
    for row in cells.itertuples(index=False, name=None):
        ws.append(list(row))
    for offset, part in ((1, header), (2, cells)):
        for i, j in formula_like(part):
            cell = ws.cell(row=int(i) + offset, column=int(j) + 1)
            cell.data_type = "s"  # never a formula, even when it starts with "="
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    for idx, col in enumerate(table.columns, start=1):
        values = table[col].astype(str).str.len().fillna(0)  # pandas 3 keeps NaN as NaN
        width = max(len(str(col)) * 2, int(values.max()) if len(values) else 0) + 2
        ws.column_dimensions[get_column_letter(idx)].width = min(max(width, 8), 60)


def write_ledger(
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    path: str | Path,
    *,
    county_col: str,
    summary_title: str = "汇总",
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = (),
) -> Path:
    """Write a ledger workbook: a summary sheet, then one sheet per county.

    Parameters
    ----------
    rows : DataFrame
        Ledger rows with the final (e.g. Chinese) headers; ``county_col`` names the county
        column used to split sheets.
    summary : DataFrame
        The summary table (first sheet).
    path : str or Path
        The ``.xlsx`` file to write.
    county_col : str
        Column of ``rows`` holding the county.
    summary_title : str
        Title of the summary sheet.
    extra_sheets : sequence of (title, DataFrame)
        More sheets appended after the summary (e.g. township staffing).

    Returns
    -------
    Path
        The file written.
    """
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    _write_sheet(wb, _sheet_title(summary_title, used), summary)
    for title, table in extra_sheets:
        _write_sheet(wb, _sheet_title(title, used), table)
    for county, part in rows.groupby(county_col, sort=True):
        _write_sheet(wb, _sheet_title(str(county), used), part)
    out = Path(path)
    wb.save(out)
    return out


@dataclass(frozen=True)
class Ledger:
    """A ledger (台账) ready to write: rows with their final headers, a summary, more sheets.

    Attributes
    ----------
    name : str
        File stem, e.g. ``"clinic_ledger"`` (gives ``clinic_ledger.xlsx`` and ``.csv``).
    rows : DataFrame
        Ledger rows with the final (e.g. Chinese) headers.
    summary : DataFrame
        The summary table (first sheet).
    county_col : str
        Column of ``rows`` that splits the rows into one sheet per county.
    summary_title : str
        Title of the summary sheet.
    extra_sheets : sequence of (title, DataFrame)
        More sheets after the summary.
    title : str
        The ledger's subject in ``lang``, e.g. ``"村卫生室覆盖问题台账"``; each sheet's title row
        reads "吕梁市<county> <title>" (the summary sheet "吕梁市 <title>（汇总）").
    lang : str
        Language of the headers and title rows (``"zh"`` or ``"en"``).
    filer : str
        填报单位 of the summary sheet (city level), e.g. ``"吕梁市卫生健康委员会"``.
    county_filer : str
        填报单位 of a county sheet, ``{county}`` filled in, e.g. ``"{county}卫生健康局"``.
    money_cols : sequence of str
        Headers whose values are yuan (written as ``#,##0``).
    wan_cols : sequence of str
        Headers whose values are 万元 (10,000 yuan; written as ``#,##0.00``).
    synthetic : bool
        True when the data behind the ledger are synthetic (a visible note on every sheet).
    report_date : datetime.date or None
        填报日期; ``None``: the day the file is written.
    """

    name: str
    rows: pd.DataFrame
    summary: pd.DataFrame
    county_col: str
    summary_title: str = "汇总"
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = field(default_factory=tuple)
    title: str = ""
    lang: str = "zh"
    filer: str = ""
    county_filer: str = ""
    money_cols: Sequence[str] = field(default_factory=tuple)
    wan_cols: Sequence[str] = field(default_factory=tuple)
    synthetic: bool = False
    report_date: datetime.date | None = None


def write_ledger_files(ledger: Ledger, folder: str | Path) -> list[Path]:
    """Write ``<name>.xlsx`` (summary, extra sheets, one sheet per county) and ``<name>.csv``.

    Parameters
    ----------
    ledger : Ledger
        The ledger.
    folder : str or Path
        Folder to write into.

    Returns
    -------
    list of Path
        The workbook and its CSV twin.
    """
    out = Path(folder)
    xlsx = write_ledger(
        ledger.rows,
        ledger.summary,
        out / f"{ledger.name}.xlsx",
        county_col=ledger.county_col,
        summary_title=ledger.summary_title,
        extra_sheets=ledger.extra_sheets,
    )
    return [xlsx, write_csv(ledger.rows, out / f"{ledger.name}.csv")]


def headed_table(headers: Sequence[str], values: Sequence[object]) -> pd.DataFrame:
    """Build a ledger table from its headers and one column of values each.

    Parameters
    ----------
    headers : sequence of str
        Column headers (e.g. Chinese ledger headers).
    values : sequence
        One Series, array or scalar (repeated down the column) per header.

    Returns
    -------
    pandas.DataFrame
        The table; Series are taken by position, not by index.
    """
    return pd.DataFrame(
        {
            h: (v.to_numpy() if isinstance(v, pd.Series) else v)
            for h, v in zip(headers, values, strict=True)
        }
    )


def write_json(data: object, path: str | Path) -> Path:
    """Write headline figures as UTF-8 JSON (Chinese kept readable, numpy numbers as floats).

    Parameters
    ----------
    data : object
        JSON-serialisable data.
    path : str or Path
        The ``.json`` file to write.

    Returns
    -------
    Path
        The file written.
    """
    out = Path(path)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    return out


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as UTF-8 CSV with a byte-order mark, so Excel in China opens it cleanly.

    Text cells and headers that start with ``=``, ``+``, ``-``, ``@``, tab or carriage return
    are prefixed with ``'`` (OWASP CSV injection rule), so a spreadsheet never runs them as a
    formula; control characters are removed. Numbers are written as numbers. Rows end in
    CRLF (RFC 4180), so cells with line breaks stay one cell.

    Parameters
    ----------
    table : DataFrame
        The table.
    path : str or Path
        The ``.csv`` file to write.

    Returns
    -------
    Path
        The file written.
    """
    out = Path(path)
    # CRLF rows (RFC 4180): a cell holding a line break or carriage return is then quoted
    for_csv(table).to_csv(out, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return out
