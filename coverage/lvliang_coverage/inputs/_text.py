"""Control characters in text cells: removed on reading, with a warning naming where."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from lvliang_coverage.inputs._readers import RawTable

CONTROL_PATTERN = r"[\x00-\x1f\x7f-\x9f]"
"""Unicode category Cc: C0 controls, DEL and C1 controls."""

_SPACING_PATTERN = r"[\t\n\r]+"
"""Tab, line feed and carriage return: replaced by one space (they separate words)."""

SHOWN = 5
"""Places listed in the warning before "..."."""


class ControlCharacterWarning(UserWarning):
    """Control characters were removed from text cells of an input file."""


def _clean(values: pd.Series) -> pd.Series:
    """Tabs and line breaks -> one space, other control characters dropped, then trimmed."""
    spaced = values.str.replace(_SPACING_PATTERN, " ", regex=True)
    return spaced.str.replace(CONTROL_PATTERN, "", regex=True).str.strip()


def _hits(values: pd.Series) -> pd.Series:
    """Whether each cell is text holding a control character (False for other cells)."""
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return pd.Series(False, index=values.index)
    try:
        found = values.str.contains(CONTROL_PATTERN, regex=True, na=False)
    except AttributeError:  # an object column without any text
        return pd.Series(False, index=values.index)
    return found.fillna(False).astype(bool)


def remove_controls(raw: RawTable, path: Path) -> RawTable:
    r"""Remove control characters from every text cell and header of ``raw``.

    Tab, CR and LF become a space; other characters of Unicode category Cc (``\x00``-
    ``\x1f``, ``\x7f``-``\x9f``, e.g. ``\x0b`` or ``\x01``) are dropped; the cell is then
    trimmed. Such characters cannot be written to an Excel workbook and are never part of
    a real name. The file itself is not modified.

    Parameters
    ----------
    raw : RawTable
        The file's rows as read.
    path : Path
        The file, for the warning.

    Returns
    -------
    RawTable
        ``raw`` itself when no cell holds a control character, else a cleaned copy.

    Warns
    -----
    ControlCharacterWarning
        "已删除控制字符 / control characters removed", naming the file and the row and column
        of the first few cells, and how many cells were changed.
    """
    frame = raw.frame
    places: list[tuple[int, str]] = []  # (row, where), row 0 for headers
    count = 0
    cleaned: dict[str, pd.Series] = {}
    for column in frame.columns:
        hits = _hits(frame[column])
        if hits.any():
            values = frame[column].copy()
            values[hits] = _clean(frame[column][hits])
            cleaned[column] = values
            count += int(hits.sum())
            places += [
                (int(r), f"row {r} column '{column}'") for r in raw.rows[hits.to_numpy()][:SHOWN]
            ]
    headers = pd.Series([str(c) for c in frame.columns], dtype=object)
    bad_headers = _hits(headers)
    if not cleaned and not bad_headers.any():
        return raw
    out = frame.assign(**cleaned) if cleaned else frame.copy()
    if bad_headers.any():
        new = headers.where(~bad_headers, _clean(headers))
        places += [(0, f"header '{h}'") for h in new[bad_headers]]
        count += int(bad_headers.sum())
        out.columns = new.tolist()
    listed = "; ".join(w for _, w in sorted(places)[:SHOWN]) + (" ..." if count > SHOWN else "")
    msg = (
        f"已删除文本中的控制字符 / control characters removed from {count} text cell(s) of "
        f"{path}: {listed} (tab and line breaks became spaces)"
    )
    warnings.warn(msg, ControlCharacterWarning, stacklevel=4)
    return RawTable(out, raw.rows, raw.geometry, shapefile=raw.shapefile)
