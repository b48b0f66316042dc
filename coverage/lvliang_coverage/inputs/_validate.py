"""Cell parsing and checks that raise InputError naming the file, data row and column."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from lvliang_coverage.errors import InputError
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
        msg = f"{label} is not a number: '{shown[first]}'"
        raise InputError(msg, file=file, row=int(rows[first]), column=column)
    if required:
        _fail(f"{label} is empty", file, rows, blank, column)
    if non_negative and (numbers < 0).any():
        first = int(np.flatnonzero(numbers < 0)[0])
        msg = f"{label} must not be negative: {shown[first]}"
        raise InputError(msg, file=file, row=int(rows[first]), column=column)
    if integer:
        fractional = ~blank & (np.mod(np.nan_to_num(numbers), 1.0) != 0.0)
        if fractional.any():
            first = int(np.flatnonzero(fractional)[0])
            msg = f"{label} must be a whole number: {shown[first]}"
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
        msg = f"{label} must be 是/否 (yes/no, true/false, 1/0): '{text[first]}'"
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
    _fail(f"{label} is empty", file, rows, ids == "", column)
    duplicated = pd.Series(ids).duplicated().to_numpy()
    if duplicated.any():
        second = int(np.flatnonzero(duplicated)[0])
        first = int(np.flatnonzero(ids == ids[second])[0])
        msg = f"duplicate {label} '{ids[second]}' in rows {rows[first]} and {rows[second]}"
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
    note: str = "",
    projected_note: str | None = None,
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
    note : str
        Appended to range messages (e.g. a hint about the ``coords`` option).
    projected_note : str, optional
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
    if abs(x) <= 90.0 < abs(y) <= 180.0:
        msg = f"latitude {y:g} is out of range: longitude and latitude look swapped"
    elif bad_lon[first] and bad_lat[first]:
        msg = f"coordinates ({x:g}, {y:g}) are not degrees{note}"
        if min(abs(x), abs(y)) > 1000.0:
            extra = note if projected_note is None else projected_note
            msg = f"coordinates ({x:g}, {y:g}) are not degrees{extra}{projected_hint(x)}"
    elif bad_lat[first]:
        msg = f"latitude {y:g} is out of range [-90, 90]{note}"
    else:
        msg = f"longitude {x:g} is out of range [-180, 180]{note}"
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
        _fail(f"{label} is empty", file, rows, np.isnan(values), header)
        xs.append(values)
    x, y = xs
    hint = ": projected metres? pass coords='EPSG:<code>'"
    if _is_geographic(system):
        check_lonlat(x, y, file=file, rows=rows, columns=columns, note=hint, projected_note="")
    else:
        check_not_degrees(x, y, system=system, file=file, rows=rows, column=columns[0])
    lon, lat = to_wgs84((x, y), system)
    bad = ~(np.isfinite(lon) & np.isfinite(lat))
    _fail(f"coordinates cannot be converted from {system}", file, rows, bad, columns[0])
    check_lonlat(
        lon, lat, file=file, rows=rows, columns=columns, note=f" after converting from {system}"
    )
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)
