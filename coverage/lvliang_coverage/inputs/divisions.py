"""Official statistical division codes (统计用区划代码): the list, its order and its unit types."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import _columns, _validate
from lvliang_coverage.inputs._readers import read_raw

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

VILLAGE_CODE_DIGITS = 12
"""Digits of a village-level code: county 6, township 3 more, village 3 more."""

URBAN_LAST = 199
"""Village-level units whose last three digits are 001-199 are urban 居委会 (NBS rule)."""

COMMITTEE = "村委会"
"""Type of a rural village committee (last three digits 200-399)."""

RESIDENTS_COMMITTEE = "居委会"
"""Type of an urban residents' committee (last three digits 001-199)."""

_LEVELS = ("county", "township", "village")
_CODE_HEADERS = ("code", "统计用区划代码", "区划代码", "代码", "行政区划代码", "admin_code")
_NAME_HEADERS = ("name", "名称", "单位名称", "区划名称")


def is_village_code(codes: pd.Series) -> np.ndarray:
    """Whether each code is a village-level code: 12 digits, last three not ``000``.

    Parameters
    ----------
    codes : pandas.Series of str
        Codes as text.

    Returns
    -------
    numpy.ndarray of bool
    """
    text = codes.astype(str)
    return (text.str.fullmatch(r"\d{12}") & ~text.str.endswith("000")).to_numpy(dtype=bool)


def is_urban(codes: pd.Series) -> np.ndarray:
    """Whether each code is an urban 居委会: a village-level code ending 001-199.

    Parameters
    ----------
    codes : pandas.Series of str
        Codes as text (blank or malformed codes are not urban).

    Returns
    -------
    numpy.ndarray of bool
    """
    last = _unit_number(codes)
    return (last >= 1) & (last <= URBAN_LAST)


def is_committee(codes: pd.Series) -> np.ndarray:
    """Whether each code is a rural 村委会: a village-level code ending 200-399.

    The NBS numbers 居委会 001-199, 村委会 200-399 and virtual communities (虚拟社区 of
    industrial parks, 类似居委会) 400-499; only 200-399 are village committees.

    Parameters
    ----------
    codes : pandas.Series of str
        Codes as text (blank or malformed codes are not committees).

    Returns
    -------
    numpy.ndarray of bool
    """
    last = _unit_number(codes)
    return (last >= 200) & (last <= 399)


def _unit_number(codes: pd.Series) -> np.ndarray:
    """Last three digits of each village-level code as a number (0 for any other code)."""
    village = is_village_code(codes)
    last = pd.to_numeric(codes.astype(str).str[-3:].where(village), errors="coerce")
    return last.fillna(0).to_numpy().astype(int)


def _level_of(codes: pd.Series) -> pd.Series:
    """Level of each code by its digits: county, township, village, else ``""`` (city ...)."""
    c = codes.astype(str)
    county = c.str.fullmatch(r"\d{4}(?!00)\d{2}(0{6})?")
    township = c.str.fullmatch(r"\d{6}(?!000)\d{3}(000)?")
    level = pd.Series("", index=codes.index, dtype=object)
    level[county.to_numpy()] = "county"
    level[township.to_numpy()] = "township"
    level[is_village_code(c)] = "village"
    return level


def _fill(given: pd.Series, derived: pd.Series) -> pd.Series:
    """``given`` where filled in, else ``derived``."""
    return given.where(given != "", derived.fillna(""))


def _complete(table: pd.DataFrame) -> pd.DataFrame:
    """Fill the columns a plain ``code, name`` list lacks from the codes themselves."""
    t = table.copy()
    for column in DIVISION_COLUMNS:
        if column not in t.columns:
            t[column] = ""
    t["level"] = _fill(t["level"], _level_of(t["code"]))
    t = t[t["level"].isin(_LEVELS)].copy()
    level = t["level"].to_numpy()
    code = t["code"].str[:6].where(level == "county", t["code"])
    code = code.str[:9].where(level == "township", code)
    t["code"] = code
    names = dict(zip(t["code"], t["name"], strict=False))
    t["county_code"] = _fill(t["county_code"], t["code"].str[:6])
    t["county"] = _fill(t["county"], t["county_code"].map(names))
    town_code = t["code"].str[:9].where(level != "county", "")
    t["township_code"] = _fill(t["township_code"], town_code)
    t["township"] = _fill(t["township"], t["township_code"].map(names))
    kind = pd.Series(np.where(is_urban(t["code"]), RESIDENTS_COMMITTEE, COMMITTEE), index=t.index)
    town = t["name"].str.extract(r"(街道|镇|乡)(?:办事处)?$", expand=False).fillna("其他")
    kind = kind.where(level == "village", town.where(level == "township", ""))
    t["type"] = _fill(t["type"], kind)
    return t[DIVISION_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class Divisions:
    """An official division list (NBS 统计用区划代码), every code kept as text.

    Attributes
    ----------
    table : DataFrame
        One row per unit (:data:`DIVISION_COLUMNS`); ``level`` is ``county``,
        ``township`` or ``village``; ``type`` of a village is 村委会 or 居委会.
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

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        """Code -> official name, every level."""
        return dict(zip(self.table["code"], self.table["name"], strict=False))

    def lookup(self, codes: pd.Series) -> pd.DataFrame:
        """Look codes up in the official list.

        Parameters
        ----------
        codes : pandas.Series of str
            Village-level codes as text (blank or malformed ones are unknown).

        Returns
        -------
        DataFrame
            Aligned with ``codes``: ``known`` (bool, a village-level unit of the list),
            ``name`` and ``type`` (村委会/居委会) of the unit, ``county_code``,
            ``county``, ``township_code``, ``township`` (from the first 6 and 9 digits,
            ``""`` where the list does not hold them) and ``urban`` (bool, 居委会 by the
            last three digits).
        """
        text = codes.astype(str)
        village = is_village_code(text)
        v = self.villages.set_index("code")
        county_code = pd.Series(np.where(village, text.str[:6], ""), index=codes.index)
        town_code = pd.Series(np.where(village, text.str[:9], ""), index=codes.index)
        names = self._names
        county = county_code.map(names).fillna("")
        township = town_code.map(names).fillna("")
        known = text.isin(v.index).to_numpy() & village
        return pd.DataFrame(
            {
                "known": known,
                "name": text.map(v["name"]).fillna("").where(known, ""),
                "type": text.map(v["type"]).fillna("").where(known, ""),
                "county_code": county_code.where(county != "", ""),
                "county": county,
                "township_code": town_code.where(township != "", ""),
                "township": township,
                "urban": is_urban(text),
            },
            index=codes.index,
        )

    def committees(
        self, counties: Iterable[str] | None = None, *, urban: bool = False
    ) -> pd.DataFrame:
        """List the official village-level units of some counties, in code order.

        Parameters
        ----------
        counties : iterable of str, optional
            County codes (6 digits) or names; default every county of the list.
        urban : bool
            Include the urban 居委会 and virtual communities (default: the rural 村委会 only,
            codes ending 200-399, :func:`is_committee`).

        Returns
        -------
        DataFrame
            Rows of :attr:`villages` (:data:`DIVISION_COLUMNS`).
        """
        v = self.villages
        keep = np.ones(len(v), dtype=bool) if urban else is_committee(v["code"])
        if counties is not None:
            wanted = {str(c) for c in counties}
            keep &= (v["county_code"].isin(wanted) | v["county"].isin(wanted)).to_numpy()
        return v[keep].reset_index(drop=True)


def read_divisions(path: str | Path) -> Divisions:
    """Read a division list: CSV (UTF-8 or GBK) or XLSX.

    The shipped list has the columns of :data:`DIVISION_COLUMNS`. A plainer list with only
    ``code`` (统计用区划代码, 区划代码) and ``name`` (名称) columns works too: the level comes
    from the digits (6 or ``XXXXXX000000`` county, 9 or ``XXXXXXXXX000`` township, other 12
    village), the county and township from the code's first 6 and 9 digits, the type
    (村委会/居委会) from the last three digits.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    Divisions
        The list; codes as text, every digit kept (also from Excel number cells).

    Raises
    ------
    InputError
        When the file is missing or unreadable, or lacks a code or a name column.
    """
    p = Path(path)
    if not p.exists():
        msg = f"区划代码表不存在 / division list not found: {p}"
        raise InputError(msg, file=p)
    raw = read_raw(p)
    frame = raw.frame
    found = _columns.match_columns(
        frame.columns,
        {"code": _CODE_HEADERS, "name": _NAME_HEADERS} | {c: (c,) for c in DIVISION_COLUMNS[2:]},
    )
    missing = [c for c in ("code", "name") if c not in found]
    if missing:
        msg = f"区划代码表缺少列 / division list lacks column(s): {', '.join(missing)}"
        raise InputError(msg, file=p, column=missing[0])
    table = pd.DataFrame(index=frame.index)
    for column, header in found.items():
        cells = frame[header]
        if column.endswith("code"):
            table[column] = _validate.parse_codes(cells, file=p, rows=raw.rows, column=header)
        else:
            table[column] = _validate.as_text(cells)
    table = table[table["code"] != ""]
    return Divisions(_complete(table), p)


@functools.cache
def _default() -> Divisions | None:
    """Read the shipped list; ``None`` when the data directory does not hold it."""
    from lvliang_coverage.inputs.default_data import default_data_dir  # noqa: PLC0415 - cycle

    p = default_data_dir() / DIVISIONS_FILE
    return read_divisions(p) if p.exists() else None


def shipped_divisions() -> Divisions | None:
    """Return the shipped Lüliang list (read once), or None when the data folder lacks it."""
    return _default()


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
        from lvliang_coverage.inputs.default_data import default_data_dir  # noqa: PLC0415

        return read_divisions(default_data_dir() / DIVISIONS_FILE)
    return d


def derive_from_codes(values: dict[str, np.ndarray], table: Divisions | None = None) -> None:
    """Fill what a layer's ``admin_code`` tells, in place.

    ``urban`` (bool: a 居委会 code, last three digits 001-199), blank ``township_code``
    cells (the code's first 9 digits), and blank ``county`` and ``township`` cells (the
    official names of the code's first 6 and 9 digits in ``table``).

    Parameters
    ----------
    values : dict of str to numpy.ndarray
        Canonical columns with their defaults filled (``admin_code`` text, ``""`` blank).
    table : Divisions, optional
        The official list (default the shipped Lüliang list; without it no name is filled).
    """
    codes = pd.Series(values["admin_code"], dtype=object).astype(str)
    village = is_village_code(codes)
    values["urban"] = is_urban(codes)
    if "township_code" in values:
        given = values["township_code"]
        values["township_code"] = np.where((given == "") & village, codes.str[:9], given)
    d = table if table is not None or not village.any() else shipped_divisions()
    if d is None or not village.any():
        return
    look = d.lookup(codes)
    for column in ("county", "township"):
        if column in values:
            given = values[column]
            values[column] = np.where(given == "", look[column].to_numpy(dtype=object), given)


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
