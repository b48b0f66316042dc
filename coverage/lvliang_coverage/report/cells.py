"""Safe cells: no live formulas, no characters a workbook cannot hold; how wide a cell shows."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP CSV rule)."""

CSV_PREFIX = "'"
"""What a CSV text cell that starts like a formula is prefixed with (OWASP CSV injection rule)."""

ILLEGAL_RE: re.Pattern[str] = ILLEGAL_CHARACTERS_RE
"""Control characters a workbook cannot hold (``U+0000``-``U+0008``, ``U+000B`` ...)."""
_ILLEGAL = ILLEGAL_RE
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def text_mask(column: pd.Series) -> np.ndarray:
    """Which values of a column are text (Python ``str``), as a boolean array.

    Parameters
    ----------
    column : pandas.Series
        Any column; numbers, booleans, dates and missing values are not text.

    Returns
    -------
    numpy.ndarray of bool
        Aligned with ``column`` by position.
    """
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return np.zeros(len(column), dtype=bool)
    return np.fromiter(
        (isinstance(v, str) for v in column.to_numpy(dtype=object)), bool, len(column)
    )


def strip_illegal(value: str) -> str:
    """Remove the control characters a workbook cannot hold (``U+0000``-``U+0008``, ``U+000B`` ...).

    Tab, line feed and carriage return are kept.
    """
    return _ILLEGAL.sub("", value)


def _map_text(table: pd.DataFrame, *, csv: bool) -> pd.DataFrame:
    """Clean every text cell and header of ``table``; neutralise formula starts when ``csv``."""
    columns = []
    for j in range(table.shape[1]):
        series = table.iloc[:, j]
        mask = text_mask(series)
        if mask.any():
            values = series.to_numpy(dtype=object).copy()
            text = pd.Series(values[mask], dtype=object).str.replace(_ILLEGAL, "", regex=True)
            if csv:
                risky = text.str.startswith(FORMULA_START).to_numpy(dtype=bool)
                text[risky] = CSV_PREFIX + text[risky]
            values[mask] = text.to_numpy(dtype=object)
            series = pd.Series(values, index=table.index, dtype=object)
        columns.append(series.rename(j))
    safe = pd.concat(columns, axis=1) if columns else pd.DataFrame(index=table.index)
    safe.columns = [csv_text(c) if csv else workbook_text(c) for c in table.columns]
    return safe


def workbook_text(value: object) -> object:
    """Make a header or cell value fit for a workbook: text without illegal characters."""
    return strip_illegal(value) if isinstance(value, str) else value


def csv_text(value: object) -> object:
    """Make a header or cell value fit for CSV: illegal characters removed, formulas quoted."""
    if not isinstance(value, str):
        return value
    clean = strip_illegal(value)
    return CSV_PREFIX + clean if clean.startswith(FORMULA_START) else clean


def for_workbook(table: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``table`` whose text cells and headers a workbook can hold.

    Only text changes (illegal control characters removed); numbers stay numbers. Formula
    starts are kept as typed: the workbook writer stores such cells as text (see
    :func:`formula_like`).

    Parameters
    ----------
    table : DataFrame
        The table.

    Returns
    -------
    DataFrame
        The cleaned copy (same index; text columns as ``object``).
    """
    return _map_text(table, csv=False)


def for_csv(table: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``table`` safe to open in a spreadsheet as CSV (OWASP CSV injection rule).

    Text cells and headers that start with ``=``, ``+``, ``-``, ``@``, tab or carriage return
    get a leading ``'``; illegal control characters are removed. Numbers stay numbers, so a
    negative number is written as ``-3``, unquoted.

    Parameters
    ----------
    table : DataFrame
        As in :func:`for_workbook`.

    Returns
    -------
    DataFrame
        The neutralised copy, shaped as the copy :func:`for_workbook` returns.
    """
    return _map_text(table, csv=True)


def formula_like(table: pd.DataFrame) -> np.ndarray:
    """Positions ``(row, column)`` of text cells that start like a formula (0-based).

    Parameters
    ----------
    table : DataFrame
        The table (after :func:`for_workbook`).

    Returns
    -------
    numpy.ndarray of int, shape (n, 2)
        Row and column positions, row-major.
    """
    hits = np.zeros(table.shape, dtype=bool)
    for j in range(table.shape[1]):
        series = table.iloc[:, j]
        mask = text_mask(series)
        if mask.any():
            starts = pd.Series(series.to_numpy(dtype=object)[mask], dtype=object)
            hits[np.flatnonzero(mask), j] = starts.str.startswith(FORMULA_START).to_numpy(
                dtype=bool
            )
    return np.argwhere(hits)


def sheet_title(name: object) -> str:
    """Make a worksheet title Excel accepts: none of ``[]:*?/`` or backslash, no edge ``'``.

    Parameters
    ----------
    name : object
        The wanted title (e.g. a county name).

    Returns
    -------
    str
        At most 31 characters; ``"sheet"`` when nothing is left.
    """
    title = strip_illegal(str(name)).translate(_SHEET_FORBIDDEN).strip("'")
    return title[:31].rstrip("'") or "sheet"


MAX_WIDTH = 40
"""Widest column, in character widths (a CJK character counts two); longer text wraps."""

MIN_WIDTH = 6
"""Narrowest column, in character widths."""

_HEADER_WRAP = 24  # a header wider than this wraps onto two lines
_WIDE = (  # characters a spreadsheet shows two columns wide (CJK, Hangul, full-width forms)
    r"[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff"
    r"\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
_WIDE_RE = re.compile(_WIDE)


def text_width(text: str) -> int:
    """Width of a text in character widths: its widest line, a CJK character counting two."""
    return max((len(line) + len(_WIDE_RE.findall(line)) for line in text.split("\n")), default=0)


def cell_widths(
    table: pd.DataFrame, money: Iterable[str] = (), wan: Iterable[str] = ()
) -> pd.DataFrame:
    """Width of every cell as a spreadsheet shows it, in character widths.

    Parameters
    ----------
    table : DataFrame
        A ledger table.
    money, wan : iterable of str
        Headers of yuan (``#,##0``) and 万元 (``#,##0.00``) columns.

    Returns
    -------
    pandas.DataFrame
        Integers shaped as ``table``: text by its widest line (CJK counting two), numbers
        in their format (thousands separators), dates 10, blanks 0.
    """
    yuan, tenk = set(money), set(wan)
    out = {
        j: _column_widths(table.iloc[:, j], 2 if c in tenk else 0 if c in yuan else None)
        for j, c in enumerate(table.columns)
    }
    widths = pd.DataFrame(out, index=table.index)
    widths.columns = table.columns
    return widths


def _column_widths(column: pd.Series, decimals: int | None) -> np.ndarray:
    """Widths of one column's cells; ``decimals`` of a money format (None: as written)."""
    widths = np.zeros(len(column), dtype=np.int64)
    text = text_mask(column)
    if text.any():
        s = pd.Series(column.to_numpy(dtype=object)[text], dtype=object)
        if s.str.contains("\n", regex=False).any():
            lines = s.str.split("\n").explode()
            w = (lines.str.len() + lines.str.count(_WIDE)).groupby(level=0).max()
        else:
            w = s.str.len() + s.str.count(_WIDE)
        widths[text] = w.to_numpy(np.int64)
    dates = date_mask(column) & ~text
    widths[dates] = 10
    rest = ~text & ~dates & column.notna().to_numpy()
    if rest.any():
        values = column[rest]
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        shown = values.astype(str).str.len().to_numpy(np.int64)
        if decimals is not None:
            x = np.abs(np.nan_to_num(numbers))
            digits = np.floor(np.log10(np.maximum(x, 1.0))).astype(np.int64) + 1
            formatted = digits + (digits - 1) // 3 + (decimals + 1 if decimals else 0)
            shown = np.where(np.isfinite(numbers), formatted + (numbers < 0), shown)
        widths[rest] = shown
    return widths


def header_width(header: str) -> int:
    """Width a header needs: its own, or about half on two lines when it is long."""
    width = text_width(header)
    if width <= _HEADER_WRAP:
        return width
    if _WIDE_RE.search(header):  # CJK text wraps between any two characters
        return -(-width // 2)
    return max(-(-width // 2), *(text_width(w) for w in header.split()))


def date_mask(column: pd.Series) -> np.ndarray:
    """Which values of a column are dates (``datetime.date``, ``datetime``, Timestamp)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.notna().to_numpy()
    values = column.to_numpy(dtype=object)
    return np.fromiter((isinstance(v, datetime.date) for v in values), bool, len(values))


@dataclass(frozen=True)
class SheetCells:
    """A table made ready for sheets once: clean values, the masks that choose each style.

    Every mask is per cell, so the rows of one sheet are a slice (:meth:`part`), and the
    work per sheet is the cells' own.
    """

    columns: list[object]  # headers, cleaned
    values: np.ndarray  # object, shape (rows, columns); None for a blank cell
    text: np.ndarray  # bool: a text cell
    dates: np.ndarray  # bool: a date cell
    formula: np.ndarray  # bool: a text cell that starts like a formula
    first: np.ndarray  # object: the first column as given (the city-total row has no 序号)

    @classmethod
    def of(cls, table: pd.DataFrame) -> SheetCells:
        """Prepare ``table`` (cleaned by :func:`for_workbook`, NaN as blank cells)."""
        clean = for_workbook(table)
        shape = clean.shape
        hits = np.zeros(shape, dtype=bool)
        pos = formula_like(clean)
        hits[pos[:, 0], pos[:, 1]] = True
        text = np.zeros(shape, dtype=bool)
        dates = np.zeros(shape, dtype=bool)
        for j in range(shape[1]):
            text[:, j] = text_mask(clean.iloc[:, j])
            dates[:, j] = date_mask(clean.iloc[:, j])
        values = clean.astype(object).where(clean.notna(), None).to_numpy(dtype=object)
        first = (
            table.iloc[:, 0].astype(object).to_numpy()
            if shape[1]
            else np.empty(shape[0], dtype=object)
        )
        return cls(list(clean.columns), values.reshape(shape), text, dates, hits, first)

    def part(self, at: np.ndarray | None, header: str, total: str) -> SheetCells:
        """Take the rows ``at`` (positions; None: all), numbered 1..n in a first column.

        As a ledger numbers its rows (``report.workbook.numbered``): the column ``header``
        (序号) holds 1..n, blank on the row whose first cell is ``total`` (全市); a table that
        has the column already is not numbered again.
        """
        sub = SheetCells(
            self.columns,
            *(
                a if at is None else a[at]
                for a in (self.values, self.text, self.dates, self.formula, self.first)
            ),
        )
        if header in sub.columns:
            return sub
        n, k = len(sub.values), len(sub.columns)
        number = pd.Series(np.arange(1, n + 1), dtype="Int64")
        if k:
            number[pd.Series(sub.first, dtype=object).eq(total).to_numpy()] = pd.NA
        numbers = number.astype(object).where(number.notna(), None).to_numpy(dtype=object)
        blank = np.zeros((n, 1), dtype=bool)
        return SheetCells(
            [header, *sub.columns],
            np.concatenate([numbers.reshape(n, 1), sub.values.reshape(n, k)], axis=1),
            np.concatenate([blank, sub.text.reshape(n, k)], axis=1),
            np.concatenate([blank, sub.dates.reshape(n, k)], axis=1),
            np.concatenate([blank, sub.formula.reshape(n, k)], axis=1),
            sub.first,
        )
