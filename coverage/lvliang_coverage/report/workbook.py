"""Ledgers (台账) as a county office files them: titled, numbered, printable workbooks and CSV."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.report.cells import (
    FORMULA_START,
    ILLEGAL_RE,
    MAX_WIDTH,
    MIN_WIDTH,
    SheetCells,
    cell_widths,
    for_csv,
    for_workbook,
    header_width,
    sheet_title,
    text_width,
    workbook_text,
)
from lvliang_coverage.report.vocabulary import Terms, city_label

TEXT = Terms.from_package("lvliang_coverage.report", "vocabulary.toml", section="ledger")
"""The words around a ledger's table (``[ledger]`` of ``vocabulary.toml``): title rows, the
filer line, the synthetic-data note, 序号, the print footer, a county's government."""

MONEY_FORMAT = "#,##0"
"""Number format of yuan cells (:attr:`Ledger.money_cols`): whole yuan, thousands separated."""

WAN_FORMAT = "#,##0.00"
"""Number format of 万元 cells (:attr:`Ledger.wan_cols`, 10,000 yuan)."""

DATE_FORMAT = "yyyy-mm-dd"
"""Number format of date cells (e.g. 完成时限)."""

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_FONT = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=16)
_NOTE_FONT = Font(bold=True, color="FFC00000")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center")
_WRAP = Alignment(vertical="top", wrap_text=True)
_TOP = Alignment(vertical="top")


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

    def by_county(self) -> list[tuple[str, np.ndarray]]:
        """Split the rows by county, in the official order (离石区 first, unknown names last).

        Returns each county with the positions of its rows; rows without a county go under
        ``未填县`` (``No county``), last.
        """
        county = self.rows[self.county_col].astype(object)
        blank = county.isna().to_numpy() | (county.astype(str).str.strip() == "").to_numpy()
        names = county.astype(str).str.replace(ILLEGAL_RE, "", regex=True)
        names = names.where(~blank, TEXT.get("no_county", self.lang))
        order = county_order(names[~blank])
        if blank.any():
            order.append(TEXT.get("no_county", self.lang))
        positions = pd.Series(np.arange(len(names))).groupby(names.to_numpy(), sort=False)
        found = positions.indices
        return [(name, np.asarray(found[name])) for name in order]


def date_text(day: datetime.date, lang: str) -> str:
    """Write a date as a ledger does: ``2026年12月1日`` (zh) or ``2026-12-01`` (en)."""
    return TEXT.get("date", lang, y=day.year, m=day.month, d=day.day)


def numbered(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Put the 序号 column (``No.``) first: 1..n; a city-total row (全市 / City) has none.

    Parameters
    ----------
    table : DataFrame
        A ledger table; a table that has the column already is returned unchanged.
    lang : {"zh", "en"}
        Language of the header.

    Returns
    -------
    pandas.DataFrame
        A copy with the numbers (integers; the total row blank).
    """
    header = TEXT.get("number", lang)
    if header in table.columns:
        return table
    number = pd.Series(np.arange(1, len(table) + 1), index=table.index, dtype="Int64")
    if table.shape[1]:
        number[(table.iloc[:, 0].astype(object) == city_label(lang)).to_numpy()] = pd.NA
    return pd.concat([number.rename(header), table], axis=1)


def _text_cell(ws: Worksheet, row: int, text: str, ncols: int) -> None:
    """Write a line of text across the table (merged); never a formula, illegal characters out."""
    value = workbook_text(text)
    cell = ws.cell(row=row, column=1, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    if ncols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)


@dataclass(frozen=True)
class _Page:
    """What goes above and around one sheet's table."""

    lines: tuple[str, ...]  # title, filer line, then the note if any
    note: bool
    lang: str
    money: frozenset[str]
    wan: frozenset[str]


def _styles(wb: Workbook) -> None:
    """Register the cell styles of a ledger's table (one style per cell is fast to assign)."""
    for name, fmt, align in (
        ("ledger text", "General", _WRAP),
        ("ledger number", "General", _TOP),
        ("ledger yuan", MONEY_FORMAT, _TOP),
        ("ledger wan", WAN_FORMAT, _TOP),
        ("ledger date", DATE_FORMAT, _TOP),
    ):
        wb.add_named_style(NamedStyle(name, number_format=fmt, alignment=align))


_STYLE_NAMES = ("ledger text", "ledger number", "ledger yuan", "ledger wan", "ledger date")
"""The named styles of a table's cells (:func:`_styles`), by code 0-4."""


def _numbering(lang: str) -> tuple[str, str]:
    """Return the 序号 header and the city-total label that gets no number, in ``lang``."""
    return TEXT.get("number", lang), city_label(lang)


def _write_sheet(
    wb: Workbook, title: str, table: pd.DataFrame, page: _Page, widths: pd.Series | None = None
) -> Worksheet:
    """Write one sheet of a table (see :func:`_write_cells`)."""
    if widths is None:
        shown = for_workbook(numbered(table, page.lang))
        widths = cell_widths(shown, page.money, page.wan).max()
    return _write_cells(
        wb, title, SheetCells.of(table).part(None, *_numbering(page.lang)), page, widths
    )


def _write_cells(
    wb: Workbook, title: str, cells: SheetCells, page: _Page, widths: pd.Series | None = None
) -> Worksheet:
    """Write one sheet: title, filer line, note, header, numbered rows; print setup, widths.

    The cells are made with their named style in one pass (a style per cell, no lookups).
    ``widths`` gives each column's widest cell (:func:`cell_widths`), else it is computed.
    """
    ws = wb.create_sheet(title)
    columns = cells.columns
    ncols = max(len(columns), 1)
    for r, line in enumerate(page.lines, start=1):
        _text_cell(ws, r, line, ncols)
    ws.cell(1, 1).font = _TITLE_FONT
    ws.cell(1, 1).alignment = _CENTRE
    ws.row_dimensions[1].height = 30
    ws.cell(2, 1).alignment = _LEFT
    if page.note:
        ws.cell(3, 1).font = _NOTE_FONT
        ws.cell(3, 1).alignment = _LEFT
    head = len(page.lines) + 1
    header = [str(c) for c in columns]
    ws.append(header)
    for cell in ws[head]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTRE
    n = len(cells.values)
    last = head + n
    kinds = np.array(
        [
            2 if col in page.money else 3 if col in page.wan else 0 if cells.text[:, j].any() else 1
            for j, col in enumerate(columns)
        ],
        dtype=np.int64,
    )
    code = np.where(cells.dates, 4, kinds[None, :]) if n else np.zeros((0, len(columns)), int)
    arrays = [wb._named_styles[name].as_tuple() for name in _STYLE_NAMES]
    store = ws._cells  # the cells of the sheet, as ``ws.append`` fills them
    for i, (row, styles) in enumerate(zip(cells.values.tolist(), code.tolist(), strict=True)):
        r = head + 1 + i
        for j, (value, k) in enumerate(zip(row, styles, strict=True), start=1):
            store[(r, j)] = Cell(ws, row=r, column=j, value=value, style_array=arrays[k])
    ws._current_row = max(ws._current_row, last)  # as ``ws.append`` leaves it
    if widths is None:
        frame = pd.DataFrame(cells.values, columns=pd.Index(columns, dtype=object))
        widths = cell_widths(frame, page.money, page.wan).max()
    for j, col in enumerate(columns, start=1):
        shown = widths.get(col, text_width(str(n)))  # 序号: its largest number
        width = max(header_width(str(col)), int(0 if pd.isna(shown) else shown)) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    marks = [(head, 0, j) for j, h in enumerate(header) if h.startswith(FORMULA_START)]
    marks += [(head + 1, int(i), int(j)) for i, j in np.argwhere(cells.formula)]
    for offset, i, j in marks:
        cell = ws.cell(row=int(i) + offset, column=int(j) + 1)
        cell.data_type = "s"  # never a formula, even when it starts with "="
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    _print_setup(ws, head, last, ncols, page.lang)
    return ws


def _print_setup(ws: Worksheet, head: int, last: int, ncols: int, lang: str) -> None:
    """A4 landscape, one page wide, the header repeated on every page, panes frozen."""
    ws.freeze_panes = f"A{head + 1}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{head}:{head}"
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True
    ws.oddFooter.center.text = TEXT.get("footer", lang)
    if last > head:
        ws.auto_filter.ref = f"A{head}:{get_column_letter(ncols)}{last}"


def _page(ledger: Ledger, title: str, filer: str, day: datetime.date) -> _Page:
    """Gather the lines above a sheet's table and its number formats."""
    lines = [title, TEXT.get("filed", ledger.lang, filer=filer, date=date_text(day, ledger.lang))]
    if ledger.synthetic:
        lines.append(TEXT.get("synthetic", ledger.lang))
    return _Page(
        tuple(lines),
        ledger.synthetic,
        ledger.lang,
        frozenset(ledger.money_cols),
        frozenset(ledger.wan_cols),
    )


def _used_title(name: str, used: set[str]) -> str:
    """Make a unique worksheet title (Excel compares titles case-insensitively)."""
    base = sheet_title(name)
    title, k = base, 1
    while title.casefold() in used:
        k += 1
        title = f"{base[:28]}_{k}"
    used.add(title.casefold())
    return title


def write_ledger_workbook(ledger: Ledger, path: str | Path) -> Path:
    """Write a ledger workbook: the summary, the extra sheets, one sheet per county.

    Every sheet starts with a title row ("吕梁市<county> <title>"; city sheets
    "吕梁市 <title>（<sheet>）"), the line "填报单位：...    填报日期：YYYY年M月D日" (the
    county's filer on a county sheet), a red note when the data are synthetic, then the
    header and the rows, numbered (序号). Sheets print on A4 landscape, one page wide, the
    header repeated; text wraps, columns fit their text (at most :data:`MAX_WIDTH`), yuan
    as ``#,##0``, 万元 as ``#,##0.00``, dates as ``yyyy-mm-dd``. County sheets follow the
    official order. Text that starts like a formula, in the table or the lines above it, is
    stored as text.

    Parameters
    ----------
    ledger : Ledger
        The ledger.
    path : str or Path
        The ``.xlsx`` file to write.

    Returns
    -------
    Path
        The file written.
    """
    lang = ledger.lang
    day = ledger.report_date or datetime.date.today()
    subject = ledger.title or TEXT.get("untitled", lang)
    wb = Workbook()
    wb.remove(wb.active)
    _styles(wb)
    used: set[str] = set()
    for sheet, table in [(ledger.summary_title, ledger.summary), *ledger.extra_sheets]:
        title = TEXT.get("title_city", lang, title=subject, sheet=sheet)
        _write_sheet(wb, _used_title(sheet, used), table, _page(ledger, title, ledger.filer, day))
    rows = for_workbook(ledger.rows)
    widths = cell_widths(rows, ledger.money_cols, ledger.wan_cols)  # once for every county
    cells = SheetCells.of(ledger.rows)  # cleaned and classified once for every county
    for county, at in ledger.by_county():
        title = TEXT.get("title_county", lang, county=county, title=subject)
        filer = ledger.county_filer.replace("{county}", county) or ledger.filer
        page = _page(ledger, title, filer, day)
        part = cells.part(at, *_numbering(lang))
        _write_cells(wb, _used_title(county, used), part, page, widths.iloc[at].max())
    out = Path(path)
    wb.save(out)
    return out


def write_ledger(
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    path: str | Path,
    *,
    county_col: str,
    summary_title: str = "汇总",
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = (),
    title: str = "",
    lang: str = "zh",
    filer: str = "",
    county_filer: str = "",
    money_cols: Sequence[str] = (),
    wan_cols: Sequence[str] = (),
    synthetic: bool = False,
    report_date: datetime.date | None = None,
) -> Path:
    """Write a ledger workbook from its parts (see :func:`write_ledger_workbook`).

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
    title, lang, filer, county_filer, money_cols, wan_cols, synthetic, report_date
        As in :class:`Ledger`.

    Returns
    -------
    Path
        The file written.
    """
    ledger = Ledger(
        Path(path).stem,
        rows,
        summary,
        county_col,
        summary_title,
        tuple(extra_sheets),
        title=title,
        lang=lang,
        filer=filer,
        county_filer=county_filer,
        money_cols=tuple(money_cols),
        wan_cols=tuple(wan_cols),
        synthetic=synthetic,
        report_date=report_date,
    )
    return write_ledger_workbook(ledger, path)


def ledger_csv_table(ledger: Ledger) -> pd.DataFrame:
    """Order and number the rows as the CSV twin holds them: counties in the official order."""
    at = [p for _, p in ledger.by_county()]
    rows = ledger.rows.iloc[np.concatenate(at)] if at else ledger.rows
    return numbered(rows.reset_index(drop=True), ledger.lang)


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
        The workbook and its CSV twin (a plain table: no title rows, 序号 kept).
    """
    out = Path(folder)
    xlsx = write_ledger_workbook(ledger, out / f"{ledger.name}.xlsx")
    return [xlsx, write_csv(ledger_csv_table(ledger), out / f"{ledger.name}.csv")]


def header_row(ws: Worksheet) -> int:
    """Row number of a ledger sheet's header (the row above the frozen panes)."""
    pane = ws.freeze_panes or "A2"
    return int("".join(ch for ch in pane if ch.isdigit())) - 1


def read_ledger_sheet(path: str | Path, sheet: str | int = 0) -> pd.DataFrame:
    """Read one sheet of a ledger workbook back as a table: its header row, then the rows.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file.
    sheet : str or int
        Sheet title or position.

    Returns
    -------
    pandas.DataFrame
        The table below the title rows, 序号 included; cell values as stored (dates as
        ``datetime``).
    """
    wb = load_workbook(path)
    ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet]
    head = header_row(ws)
    values = list(ws.iter_rows(min_row=head, values_only=True))
    return pd.DataFrame(values[1:], columns=list(values[0]) if values else None)


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
        The table; Series are taken by position, not by index, with their dtype.
    """
    return pd.DataFrame(  # .array keeps nullable integers (whole yuan with blanks) as they are
        {
            h: (v.array if isinstance(v, pd.Series) else v)
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
