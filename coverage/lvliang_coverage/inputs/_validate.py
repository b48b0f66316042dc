"""Cell parsing and checks that raise InputError naming the file, data row and column."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.chinacrs import WEB_SYSTEMS, to_wgs84
from lvliang_coverage.inputs.projection import STORAGE_CRS, metric_crs_of

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


def check_lonlat(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    file: Path,
    rows: np.ndarray,
    columns: tuple[str, str],
    note: str = "",
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
        check_lonlat(x, y, file=file, rows=rows, columns=columns, note=hint)
    lon, lat = to_wgs84((x, y), system)
    bad = ~(np.isfinite(lon) & np.isfinite(lat))
    _fail(f"coordinates cannot be converted from {system}", file, rows, bad, columns[0])
    check_lonlat(
        lon, lat, file=file, rows=rows, columns=columns, note=f" after converting from {system}"
    )
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)


def check_study_area(
    points: gpd.GeoSeries,
    study_area: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
    *,
    tolerance_m: float,
    file: Path,
    rows: np.ndarray,
    column: str,
) -> None:
    """Check every point lies within ``tolerance_m`` metres of the study area.

    Parameters
    ----------
    points : GeoSeries
        Points in EPSG:4326.
    study_area : GeoDataFrame, GeoSeries or shapely geometry
        Polygon(s); a bare geometry is taken as EPSG:4326 longitude/latitude.
    tolerance_m : float
        Metres a point may lie outside the polygons.
    file, rows, column :
        For messages.

    Raises
    ------
    InputError
        At the first point farther out, with a hint when swapping its coordinates would
        bring it inside.
    """
    if isinstance(study_area, BaseGeometry):
        area = gpd.GeoSeries([study_area], crs=STORAGE_CRS)
    else:
        area = study_area.geometry if isinstance(study_area, gpd.GeoDataFrame) else study_area
        if area.crs is None:
            area = area.set_crs(STORAGE_CRS)
    metric = metric_crs_of(gpd.GeoDataFrame(geometry=area))
    shape = area.to_crs(metric).union_all()
    distance = shapely.distance(np.asarray(points.to_crs(metric).array), shape)
    far = distance > tolerance_m
    if not far.any():
        return
    first = int(np.flatnonzero(far)[0])
    point = points.iloc[first]
    swapped = gpd.GeoSeries(gpd.points_from_xy([point.y], [point.x]), crs=STORAGE_CRS)
    hint = ""
    if (np.abs(swapped.y) <= 90.0).all():
        swapped_distance = shapely.distance(np.asarray(swapped.to_crs(metric).array), shape)
        if swapped_distance[0] <= tolerance_m:
            hint = "; longitude and latitude look swapped"
    msg = (
        f"point ({point.x:.5f}, {point.y:.5f}) lies {distance[first] / 1000.0:.1f} km outside "
        f"the study area (tolerance {tolerance_m / 1000.0:g} km){hint}"
    )
    raise InputError(msg, file=file, row=int(rows[first]), column=column)
