"""Safe cells: no live formulas in workbooks or CSV, no characters a workbook cannot hold."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP CSV rule)."""

CSV_PREFIX = "'"
"""What a CSV text cell that starts like a formula is prefixed with (OWASP CSV injection rule)."""

_ILLEGAL: re.Pattern[str] = ILLEGAL_CHARACTERS_RE
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
