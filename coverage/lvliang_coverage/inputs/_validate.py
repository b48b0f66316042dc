"""Cell parsing and checks that raise InputError naming the file, data row and column."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import _columns
from lvliang_coverage.inputs.chinacrs import WEB_SYSTEMS, to_wgs84
from lvliang_coverage.inputs.projection import STORAGE_CRS

TRUE_WORDS = ("是", "yes", "y", "true", "t", "1", "有", "对", "√", "✓")
FALSE_WORDS = ("否", "no", "n", "false", "f", "0", "无", "不", "×", "✗")


def _cell_text(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value).strip()


def as_text(values: pd.Series) -> pd.Series:
    """Cells as trimmed text: ``""`` when missing, whole floats without ``.0``.

    Parameters
    ----------
    values : pandas.Series
        Raw cells (str from CSV, Python objects from Excel and geo files).

    Returns
    -------
    pandas.Series of str
    """
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in {"string", "empty"}:  # text or blank cells only (CSV): one vectorised pass
        return values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return values.map(_cell_text).astype(str)


def _fail(message: str, file: Path, rows: np.ndarray, where: np.ndarray, column: str) -> None:
    """Raise an InputError at the first True of ``where`` (no-op if none)."""
    if where.any():
        first = int(np.flatnonzero(where)[0])
        raise InputError(message, file=file, row=int(rows[first]), column=column)


def parse_numbers(
    values: pd.Series,
    *,
    file: Path,
    rows: np.ndarray,
    column: str,
    label: str,
    integer: bool,
    non_negative: bool,
    required: bool,
) -> np.ndarray:
    """Parse a numeric column; blank cells become NaN.

    Thousands separators (``,`` and ``，``) and spaces are ignored.

    Parameters
    ----------
    values : pandas.Series
        Raw cells.
    file : Path
        The file, for messages.
    rows : numpy.ndarray of int
        1-based data row numbers.
    column : str
        The column header in the file.
    label : str
        Canonical name used in messages, e.g. ``"population"``.
    integer, non_negative, required : bool
        Require whole numbers, values >= 0, no blank cells.

    Returns
    -------
    numpy.ndarray of float
        The numbers (NaN where blank).

    Raises
    ------
    InputError
        At the first blank (when required), non-numeric, negative or fractional cell.
    """
    text = as_text(values)
    cleaned = text.str.replace(r"[,，\s]", "", regex=True)
    blank = (cleaned == "").to_numpy()
    numbers = pd.to_numeric(cleaned.where(~blank), errors="coerce").to_numpy(dtype=float)
    shown = text.to_numpy()
    bad = ~blank & ~np.isfinite(numbers)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        msg = f"“{shown[first]}”不是数字 / {label} is not a number: '{shown[first]}'"
        raise InputError(msg, file=file, row=int(rows[first]), column=column)
    if required:
        _fail(f"单元格为空 / {label} is empty", file, rows, blank, column)
    if non_negative and (numbers < 0).any():
        first = int(np.flatnonzero(numbers < 0)[0])
        msg = f"不能为负数 / {label} must not be negative: {shown[first]}"
        raise InputError(msg, file=file, row=int(rows[first]), column=column)
    if integer:
        fractional = ~blank & (np.mod(np.nan_to_num(numbers), 1.0) != 0.0)
        if fractional.any():
            first = int(np.flatnonzero(fractional)[0])
            msg = f"须为整数 / {label} must be a whole number: {shown[first]}"
            raise InputError(msg, file=file, row=int(rows[first]), column=column)
    return numbers


def parse_bools(
    values: pd.Series, *, file: Path, rows: np.ndarray, column: str, label: str, default: bool
) -> np.ndarray:
    """Parse 是/否, yes/no, y/n, true/false, 1/0 (case-insensitive); blank cells -> ``default``.

    Raises
    ------
    InputError
        At the first cell that is none of those words.
    """
    text = as_text(values).str.casefold().to_numpy()
    true = np.isin(text, TRUE_WORDS)
    false = np.isin(text, FALSE_WORDS)
    blank = text == ""
    unknown = ~(true | false | blank)
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        msg = (
            f"须填“是”或“否”，收到“{text[first]}” / "
            f"{label} must be 是/否 (yes/no, true/false, 1/0): '{text[first]}'"
        )
        raise InputError(msg, file=file, row=int(rows[first]), column=column)
    return np.where(blank, default, true)


def check_unique_ids(
    ids: np.ndarray, *, file: Path, rows: np.ndarray, column: str, label: str
) -> None:
    """Check ids are non-blank and unique.

    Raises
    ------
    InputError
        At the first blank id, or at the second row of the first duplicate (naming both).
    """
    _fail(f"编号为空 / {label} is empty", file, rows, ids == "", column)
    duplicated = pd.Series(ids).duplicated().to_numpy()
    if duplicated.any():
        second = int(np.flatnonzero(duplicated)[0])
        first = int(np.flatnonzero(ids == ids[second])[0])
        msg = (
            f"编号“{ids[second]}”重复，见第{rows[first]}行和第{rows[second]}行 / "
            f"duplicate {label} '{ids[second]}' in rows {rows[first]} and {rows[second]}"
        )
        raise InputError(msg, file=file, row=int(rows[second]), column=column)


def _is_geographic(system: str) -> bool:
    return system in WEB_SYSTEMS or pyproj.CRS.from_user_input(system).is_geographic


_GK6_FIRST, _GK3_FIRST = 4491, 4513  # CGCS2000 Gauss-Kruger 6-degree zone 13, 3-degree zone 25


def suggested_projection(x: float) -> str:
    """Guess the EPSG code of projected Chinese coordinates from an easting in metres.

    Eastings with a zone prefix (CGCS2000 Gauss-Kruger: 6-degree zones 13-23, 3-degree zones
    25-45) name their zone; without one the Lüliang zone (3-degree CM 111E) is suggested.

    Parameters
    ----------
    x : float
        Easting, metres.

    Returns
    -------
    str
        E.g. ``"EPSG:4525 (CGCS2000 3-degree Gauss-Kruger zone 37)"``.
    """
    zone = int(abs(x) // 1_000_000)
    if 13 <= zone <= 23:
        return f"EPSG:{_GK6_FIRST + zone - 13} (CGCS2000 6-degree Gauss-Kruger zone {zone})"
    if 25 <= zone <= 45:
        return f"EPSG:{_GK3_FIRST + zone - 25} (CGCS2000 3-degree Gauss-Kruger zone {zone})"
    return "EPSG:4546 (CGCS2000 3-degree Gauss-Kruger CM 111E, Lüliang) or the file's own EPSG"


def projected_hint(x: float) -> str:
    """Bilingual hint for metre values given as degrees, suggesting an EPSG code."""
    code = suggested_projection(x)
    return (
        f"; 坐标看起来是投影坐标（米），请用 --coords {code.split()[0]} / the coordinates look "
        f"projected (metres): use --coords {code} (coords='{code.split()[0]}' in Python)"
    )


def check_not_degrees(
    x: np.ndarray, y: np.ndarray, *, system: str, file: Path, rows: np.ndarray, column: str
) -> None:
    """Reject degree values given with a projected (metre) system.

    Every value within ±180/±90 is no plausible set of metres in a projected system (a
    registry spread over less than 360 m by 180 m near the false origin) but is exactly
    what longitude/latitude look like.

    Parameters
    ----------
    x, y : numpy.ndarray
        Eastings/northings as given, supposed metres of ``system``.
    system : str
        The projected system named by the caller.
    file, rows, column :
        For messages.

    Raises
    ------
    InputError
        At the first row when all the values look like degrees.
    """
    if len(x) and bool((np.abs(x) <= 180.0).all() and (np.abs(y) <= 90.0).all()):
        msg = (
            f"坐标看起来是经纬度（度）而不是 {system} 的米制坐标，请用 --coords wgs84 / the "
            f"coordinates look like degrees (longitude/latitude, e.g. {x[0]:g}, {y[0]:g}), not "
            f"metres of {system}: use --coords wgs84 (or cgcs2000, gcj02, bd09)"
        )
        raise InputError(msg, file=file, row=int(rows[0]), column=column)


def check_lonlat(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    file: Path,
    rows: np.ndarray,
    columns: tuple[str, str],
    note: tuple[str, str] = ("", ""),
    projected_note: tuple[str, str] | None = None,
) -> None:
    """Check longitudes/latitudes (degrees) lie in range, hinting at swaps and projected input.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Degrees.
    file, rows :
        For messages.
    columns : tuple of str
        Headers of the longitude and latitude columns (or ``"geometry"`` twice).
    note : tuple of (str, str)
        Appended to range messages, in Chinese and in English (e.g. a hint about the
        ``coords`` option).
    projected_note : tuple of (str, str), optional
        Appended instead of ``note`` when both values look like metres (the message then
        suggests an EPSG code, see :func:`projected_hint`); default ``note``.

    Raises
    ------
    InputError
        At the first point out of range.
    """
    bad_lat = np.abs(lat) > 90.0
    bad_lon = np.abs(lon) > 180.0
    bad = bad_lat | bad_lon
    if not bad.any():
        return
    first = int(np.flatnonzero(bad)[0])
    x, y = lon[first], lat[first]
    note_zh, note_en = note
    if abs(x) <= 90.0 < abs(y) <= 180.0:
        msg = (
            f"纬度 {y:g} 超出范围，经度和纬度似乎填反了 / "
            f"latitude {y:g} is out of range: longitude and latitude look swapped"
        )
    elif bad_lon[first] and bad_lat[first]:
        msg = (
            f"坐标 ({x:g}, {y:g}) 不是经纬度（度）{note_zh} / "
            f"coordinates ({x:g}, {y:g}) are not degrees{note_en}"
        )
        if min(abs(x), abs(y)) > 1000.0:
            extra_zh, extra_en = note if projected_note is None else projected_note
            msg = (
                f"坐标 ({x:g}, {y:g}) 不是经纬度（度）{extra_zh} / "
                f"coordinates ({x:g}, {y:g}) are not degrees{extra_en}{projected_hint(x)}"
            )
    elif bad_lat[first]:
        msg = (
            f"纬度 {y:g} 超出范围 [-90, 90]{note_zh} / "
            f"latitude {y:g} is out of range [-90, 90]{note_en}"
        )
    else:
        msg = (
            f"经度 {x:g} 超出范围 [-180, 180]{note_zh} / "
            f"longitude {x:g} is out of range [-180, 180]{note_en}"
        )
    column = columns[1] if bad_lat[first] else columns[0]
    raise InputError(msg, file=file, row=int(rows[first]), column=column)


def points_from_columns(
    lon_cells: pd.Series,
    lat_cells: pd.Series,
    *,
    file: Path,
    rows: np.ndarray,
    columns: tuple[str, str],
    system: str,
) -> gpd.GeoSeries:
    """Build WGS84 points from coordinate columns in ``system``.

    Parameters
    ----------
    lon_cells, lat_cells : pandas.Series
        Raw cells: longitude/latitude in degrees for geographic and web systems,
        easting/northing in metres for projected EPSG codes.
    file, rows, columns :
        For messages; ``columns`` are the x and y headers.
    system : str
        Normalised system (see :func:`lvliang_coverage.inputs.chinacrs.normalize_system`).

    Returns
    -------
    GeoSeries
        Points in EPSG:4326.

    Raises
    ------
    InputError
        At the first empty, non-numeric or out-of-range coordinate.
    """
    xs = []
    for cells, header, label in zip(
        (lon_cells, lat_cells), columns, ("longitude", "latitude"), strict=True
    ):
        values = parse_numbers(
            cells,
            file=file,
            rows=rows,
            column=header,
            label=label,
            integer=False,
            non_negative=False,
            required=False,
        )
        _fail(f"坐标为空 / {label} is empty", file, rows, np.isnan(values), header)
        xs.append(values)
    x, y = xs
    hint = (
        "：是投影坐标（米）吗？请给出 coords='EPSG:<代码>'",
        ": projected metres? pass coords='EPSG:<code>'",
    )
    if _is_geographic(system):
        check_lonlat(
            x, y, file=file, rows=rows, columns=columns, note=hint, projected_note=("", "")
        )
    else:
        check_not_degrees(x, y, system=system, file=file, rows=rows, column=columns[0])
    lon, lat = to_wgs84((x, y), system)
    bad = ~(np.isfinite(lon) & np.isfinite(lat))
    msg = f"坐标无法从 {system} 转换 / coordinates cannot be converted from {system}"
    _fail(msg, file, rows, bad, columns[0])
    after = (f"（由 {system} 转换后）", f" after converting from {system}")
    check_lonlat(lon, lat, file=file, rows=rows, columns=columns, note=after)
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)


_EXCEL_WHOLE = r"^(\d+)\.0+$"
_SCIENTIFIC = r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$"


def _code_text(values: pd.Series) -> pd.Series:
    """Cells as code text: no spaces, no leading ``'``, no ``.0`` of a whole number."""
    text = as_text(values).str.replace(r"\s+", "", regex=True).str.lstrip("'")
    return text.str.replace(_EXCEL_WHOLE, r"\1", regex=True)


def parse_codes(values: pd.Series, *, file: Path, rows: np.ndarray, column: str) -> pd.Series:
    """Read code cells (division codes, ids) as text, every digit kept.

    Whole numbers from Excel number cells come back as their exact digits (never ``1.41e+11``
    or ``"141102001001.0"``); spaces inside a code and a leading ``'`` (Excel's text mark) are
    removed; leading zeros are kept. Any other text is kept as written (the registry check
    reports codes that are not 12 digits).

    Parameters
    ----------
    values : pandas.Series
        Raw cells (str from CSV, Python numbers or str from Excel and geo files).
    file, rows, column :
        For messages: the file, the 1-based data rows and the column header.

    Returns
    -------
    pandas.Series of str
        The codes, ``""`` where blank; index of ``values``.

    Raises
    ------
    InputError
        At the first code written in scientific notation (``1.41102E+11``: the file was saved
        from a spreadsheet showing the number rounded, so its digits are lost).
    """
    text = _code_text(values)
    lost = text.str.match(_SCIENTIFIC).to_numpy()
    if lost.any():
        first = int(np.flatnonzero(lost)[0])
        shown = text.iloc[first]
        msg = (
            f"代码“{shown}”是科学计数法，位数已丢失：请在Excel中把该列设为文本后重新保存 / "
            f"the code '{shown}' is in scientific notation and its digits are lost: format the "
            "column as text in the spreadsheet and save the file again"
        )
        raise InputError(msg, file=file, row=int(rows[first]), column=column)
    return text


def looks_like_codes(values: pd.Series, digits: int = 12, share: float = 0.9) -> bool:
    """Whether a column holds codes: ``share`` of its filled cells have ``digits`` digits.

    Cells are read as :func:`parse_codes` reads them (Excel number cells, ``.0``, spaces and
    a leading ``'`` allowed); nothing is raised. A few malformed codes among many keep the
    column a code column (the registry check then reports them).

    Parameters
    ----------
    values : pandas.Series
        Raw cells.
    digits : int
        Digits of the code (12 for a village-level division code).
    share : float
        Share (0-1) of the filled cells that must be such codes (default 0.9).

    Returns
    -------
    bool
        False for a column without any filled cell.
    """
    text = _code_text(values)
    filled = text[text != ""]
    if not len(filled):
        return False
    return bool(filled.str.fullmatch(rf"\d{{{digits}}}").mean() >= share)


class UnreadIdWarning(UserWarning):
    """A column that looks like an id (编号, 编码, 代码, ``*_id``, ``code``) is not read."""


def warn_unread_ids(
    headers: Iterable[object],
    found: Mapping[str, str],
    spec: _columns.LayerSpec,
    path: Path,
    id_from: str,
) -> None:
    """Warn once about the id-like columns of a file that no canonical column reads.

    Parameters
    ----------
    headers : iterable
        The file's column headers.
    found : Mapping of str to str
        Canonical name -> file header, as matched.
    spec : LayerSpec
        The layer.
    path : Path
        The file, named in the warning.
    id_from : str
        Header the ids come from, ``""`` when they are generated from row numbers.

    Warns
    -----
    UnreadIdWarning
        Naming the file, the columns and where the ids come from (zh and en).
    """
    if not spec.warn_ids:
        return
    used = set(found.values())
    codes = {_columns.normalize_header(h) for h in _columns.CODE_HEADERS}
    unread = [
        str(h)
        for h in headers
        if h not in used and _columns.id_like(h) and _columns.normalize_header(h) not in codes
    ]
    if not unread:
        return
    shown_zh = "、".join(f"“{h}”" for h in unread)
    shown_en = ", ".join(f"'{h}'" for h in unread)
    label = spec.label_zh or spec.layer
    if id_from:
        zh = f"{label}编号取自“{id_from}”列"
        en = f"the {spec.id_column} comes from column '{id_from}'"
    else:
        zh = f"{label}编号按行号生成（{spec.id_prefix}00001…）"
        en = (
            f"ids are generated from row numbers ({spec.id_prefix}00001 ...); rename the "
            f"column to {spec.id_column} if it holds the ids"
        )
    msg = (
        f"列{shown_zh}像是编号，但未被读取，{zh} / column(s) {shown_en} of {path} look like "
        f"ids but are not read: {en}"
    )
    warnings.warn(UnreadIdWarning(msg), stacklevel=3)
