"""Official statistical division codes (统计用区划代码): the list, its order and its unit types."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.default_data import default_data_dir

DIVISIONS_FILE = "lvliang/divisions_2023.csv"
"""The official 2023 division list of Lüliang, relative to the data directory."""

DIVISION_COLUMNS = [
    "code",
    "name",
    "level",
    "type",
    "city_code",
    "city",
    "county_code",
    "county",
    "township_code",
    "township",
]
"""Columns of the division list; every code is text (6, 9 or 12 digits)."""


@dataclass(frozen=True)
class Divisions:
    """An official division list (NBS 统计用区划代码), every code kept as text.

    Attributes
    ----------
    table : DataFrame
        One row per unit (:data:`DIVISION_COLUMNS`); ``level`` is ``county``,
        ``township`` or ``village``.
    path : Path or None
        The file read.
    """

    table: pd.DataFrame
    path: Path | None = None

    def level(self, level: str) -> pd.DataFrame:
        """Rows of one level (``"county"``, ``"township"`` or ``"village"``), in code order."""
        t = self.table
        return t[t["level"] == level].sort_values("code", kind="stable").reset_index(drop=True)

    @property
    def counties(self) -> pd.DataFrame:
        """The counties (county-level units), in code order."""
        return self.level("county")

    @property
    def townships(self) -> pd.DataFrame:
        """The townships (乡、镇、街道), in code order."""
        return self.level("township")

    @property
    def villages(self) -> pd.DataFrame:
        """The village-level units (村委会 and 居委会), in code order."""
        return self.level("village")


def read_divisions(path: str | Path) -> Divisions:
    """Read a division list CSV (UTF-8, the columns of :data:`DIVISION_COLUMNS`).

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    Divisions
        The list; codes as text, leading digits kept.

    Raises
    ------
    InputError
        When the file is missing or lacks a column.
    """
    p = Path(path)
    if not p.exists():
        msg = f"区划代码表不存在 / division list not found: {p}"
        raise InputError(msg, file=p)
    table = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in DIVISION_COLUMNS if c not in table.columns]
    if missing:
        msg = f"区划代码表缺少列 / division list lacks column(s): {', '.join(missing)}"
        raise InputError(msg, file=p, column=missing[0])
    return Divisions(table[DIVISION_COLUMNS].copy(), p)


@functools.cache
def _default() -> Divisions | None:
    """Read the shipped list; ``None`` when the data directory does not hold it."""
    p = default_data_dir() / DIVISIONS_FILE
    return read_divisions(p) if p.exists() else None


def load_divisions(path: str | Path | None = None) -> Divisions:
    """Load a division list: ``path``, else the shipped Lüliang list (2023).

    Raises
    ------
    InputError
        When no list can be found.
    """
    if path is not None:
        return read_divisions(path)
    d = _default()
    if d is None:
        return read_divisions(default_data_dir() / DIVISIONS_FILE)
    return d


def county_order(names: Iterable[str]) -> list[str]:
    """Order county names officially: by division code (离石区 first), unknown names last.

    Parameters
    ----------
    names : iterable of str
        County names (duplicates are dropped).

    Returns
    -------
    list of str
        The names known to the shipped list in code order, then the others in Unicode order.
    """
    unique = list(dict.fromkeys(str(n) for n in names))
    d = _default()
    rank: dict[str, str] = {}
    if d is not None:
        c = d.counties
        rank = dict(zip(c["name"], c["code"], strict=True))
    known = sorted((n for n in unique if n in rank), key=rank.__getitem__)
    return known + sorted(n for n in unique if n not in rank)
