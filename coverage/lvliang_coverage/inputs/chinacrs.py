"""Conversions between WGS84, GCJ-02 and BD-09."""

from __future__ import annotations

import inspect
import textwrap
from typing import TYPE_CHECKING, TypeAlias, TypeVar, overload

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS

if TYPE_CHECKING:
    from collections.abc import Callable

# GCJ-02 obfuscation parameters: the Krasovsky 1940 ellipsoid the published algorithm uses.
_KRASOVSKY_A = 6378245.0  # semi-major axis, metres
_KRASOVSKY_EE = 0.00669342162296594323  # first eccentricity squared
# Bounding box of the usual "inside China" test (degrees); points outside are not shifted.
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)
# BD-09 parameters (degrees).
_BD_X_PI = np.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006
# Iterative inverses stop when the step is below this many degrees (~1 mm) or after _MAX_ITER.
_INVERSE_TOL_DEG = 1e-9
_MAX_ITER = 50

LonLat: TypeAlias = tuple[NDArray[np.float64], NDArray[np.float64]]
"""Longitude and latitude arrays in degrees (or easting and northing), as the converters return."""

_Converter = TypeVar("_Converter", bound="Callable[[ArrayLike, ArrayLike], LonLat]")

WEB_SYSTEMS = ("gcj02", "bd09")
"""Chinese web-map coordinate systems (longitude/latitude in degrees, not EPSG codes)."""

_ALIASES = {
    "wgs84": "EPSG:4326",
    "wgs-84": "EPSG:4326",
    "wgs 84": "EPSG:4326",
    "gps": "EPSG:4326",
    "cgcs2000": "EPSG:4490",
    "cgcs-2000": "EPSG:4490",
    "cgcs 2000": "EPSG:4490",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
}


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Broadcast ``lon`` and ``lat`` to float64 arrays of one shape (at least 1-D)."""
    x, y = np.broadcast_arrays(
        np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
    )
    return x.astype(float, copy=True), y.astype(float, copy=True)


def _described(text: str) -> str:
    """``text`` as the indented description of a docstring entry."""
    return textwrap.fill(text, 92, initial_indent="    ", subsequent_indent="    ")


def _converts(source: str, target: str, note: str = "") -> Callable[[_Converter], _Converter]:
    """Complete a converter's docstring with the Parameters and Returns all converters share.

    Parameters
    ----------
    source, target : str
        The systems converted from and to, e.g. ``"GCJ-02"``.
    note : str
        Sentence added to the description of the result.

    Returns
    -------
    callable
        Decorator that returns the converter itself, its docstring completed.
    """
    given = f"{source} longitude and latitude in degrees; scalars or arrays."
    result = f"{target} longitude and latitude in degrees (1-D at least).{note}"

    def document(func: _Converter) -> _Converter:
        func.__doc__ = (
            f"{inspect.cleandoc(func.__doc__ or '')}\n\n"
            f"Parameters\n----------\nlon, lat : array_like\n{_described(given)}\n\n"
            f"Returns\n-------\nlon, lat : numpy.ndarray\n{_described(result)}\n"
        )
        return func

    return document


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Tell which points lie outside the bounding box where GCJ-02 applies.

    Parameters
    ----------
    lon, lat : array_like
        Longitude and latitude in degrees.

    Returns
    -------
    numpy.ndarray of bool
        True where the point is outside China's box (72.004-137.8347 E, 0.8293-55.8271 N)
        and so is left unchanged by the GCJ-02 functions.
    """
    x, y = _as_arrays(lon, lat)
    return (x < _CHINA_LON[0]) | (x > _CHINA_LON[1]) | (y < _CHINA_LAT[0]) | (y > _CHINA_LAT[1])


def _gcj_offset(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> LonLat:
    """GCJ-02 shift (degrees of longitude, latitude) at WGS84 ``lon``/``lat`` inside China."""
    x = lon - 105.0
    y = lat - 35.0
    root = np.sqrt(np.abs(x))
    waves = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * root
    dlat += waves
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * root
    dlon += waves
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    # Metres on the Krasovsky ellipsoid -> degrees.
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


@_converts("WGS84 (or CGCS2000)", "GCJ-02", " Points outside China are unchanged.")
def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert WGS84 longitude/latitude to GCJ-02 (Amap/Gaode, Tencent), degrees."""
    x, y = _as_arrays(lon, lat)
    inside = ~out_of_china(x, y)
    dlon, dlat = _gcj_offset(x[inside], y[inside])
    x[inside] += dlon
    y[inside] += dlat
    return x, y


def _invert(
    forward: Callable[[NDArray[np.float64], NDArray[np.float64]], LonLat],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    start: LonLat | None = None,
) -> LonLat:
    """Invert a near-identity map by fixed-point iteration ``p <- p - (forward(p) - target)``."""
    x, y = (lon.copy(), lat.copy()) if start is None else start
    for _ in range(_MAX_ITER):
        fx, fy = forward(x, y)
        ex, ey = fx - lon, fy - lat
        x -= ex
        y -= ey
        if x.size == 0 or max(np.max(np.abs(ex)), np.max(np.abs(ey))) < _INVERSE_TOL_DEG:
            break
    return x, y


@_converts("GCJ-02", "WGS84", " Points outside China are unchanged.")
def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert GCJ-02 longitude/latitude to WGS84 by iterating the forward shift, degrees.

    The forward shift varies slowly, so a fixed-point iteration converges to well below
    0.01 m (the loop stops at 1e-9 degrees, about 0.1 mm) in a handful of steps.
    """
    x, y = _as_arrays(lon, lat)
    inside = ~out_of_china(x, y)
    if inside.any():
        x[inside], y[inside] = _invert(wgs84_to_gcj02, x[inside], y[inside])
    return x, y


@_converts("GCJ-02", "BD-09")
def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert GCJ-02 longitude/latitude to BD-09 (Baidu ``bd09ll``), degrees."""
    x, y = _as_arrays(lon, lat)
    radius = np.hypot(x, y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    return radius * np.cos(theta) + _BD_DLON, radius * np.sin(theta) + _BD_DLAT


@_converts("BD-09", "GCJ-02")
def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert BD-09 longitude/latitude to GCJ-02, degrees.

    Starts from the usual closed-form approximation and refines it by iterating the
    forward map, so that a GCJ-02 -> BD-09 -> GCJ-02 round trip agrees to about 1 mm.
    """
    bx, by = _as_arrays(lon, lat)
    x = bx - _BD_DLON
    y = by - _BD_DLAT
    radius = np.hypot(x, y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    start = (radius * np.cos(theta), radius * np.sin(theta))
    return _invert(gcj02_to_bd09, bx, by, start)


@_converts("WGS84", "BD-09", " Points outside China get only the BD-09 step, as Baidu does.")
def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert WGS84 longitude/latitude to BD-09 (via GCJ-02), degrees."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


@_converts("BD-09", "WGS84")
def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> LonLat:
    """Convert BD-09 longitude/latitude to WGS84 (via GCJ-02), degrees."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def normalize_system(system: str | int | pyproj.CRS) -> str:
    """Normalise a coordinate-system name to ``"gcj02"``, ``"bd09"`` or an ``"EPSG:n"`` code.

    Parameters
    ----------
    system : str, int or pyproj.CRS
        ``"wgs84"``, ``"cgcs2000"``, ``"gcj02"``, ``"bd09"`` (case-insensitive, dashes
        allowed), an EPSG code (``4546`` or ``"EPSG:4546"``) or any CRS pyproj accepts.

    Returns
    -------
    str
        ``"gcj02"``, ``"bd09"``, or an authority string such as ``"EPSG:4326"`` (a WKT or
        PROJ string when the CRS has no EPSG code).

    Raises
    ------
    InputError
        When ``system`` is not a known name or a CRS pyproj understands.
    """
    if isinstance(system, str):
        key = system.strip().lower().replace("_", "")
        if key in _ALIASES:
            return _ALIASES[key]
        if key.isdigit():
            system = int(key)
    try:
        crs = pyproj.CRS.from_user_input(system)
    except pyproj.exceptions.CRSError as exc:
        msg = (
            f"未知的坐标系 {system!r}，请用 wgs84、cgcs2000、gcj02、bd09 或 EPSG 代码（如 "
            f"EPSG:4546） / unknown coordinate system {system!r}: use wgs84, cgcs2000, gcj02, "
            "bd09 or an EPSG code such as EPSG:4546"
        )
        raise InputError(msg, column="coords") from exc
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg is not None else crs.to_string()


_FROM_WEB = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def _geo_to_wgs84(
    data: gpd.GeoDataFrame | gpd.GeoSeries, target: str
) -> gpd.GeoDataFrame | gpd.GeoSeries:
    """Geometries in ``target`` (normalised system) to EPSG:4326, see :func:`to_wgs84`."""
    if target not in _FROM_WEB:
        out = data.set_crs(target) if data.crs is None else data
        return out.to_crs(STORAGE_CRS)
    out = data if data.crs is None else data.to_crs(STORAGE_CRS)
    convert = _FROM_WEB[target]

    def _shift(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = convert(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    shifted = gpd.GeoSeries(
        shapely.transform(np.asarray(out.geometry.array), _shift),
        index=out.index,
        crs=STORAGE_CRS,
    )
    if isinstance(out, gpd.GeoDataFrame):
        out = out.copy()
        out[out.geometry.name] = shifted
        return out.set_crs(STORAGE_CRS, allow_override=True)
    return shifted.rename(out.name)


@overload
def to_wgs84(data: gpd.GeoDataFrame, system: str | int | pyproj.CRS = ...) -> gpd.GeoDataFrame: ...
# geopandas ships no type stubs (its classes are Any to mypy), so mypy deems the overloads
# after the first unreachable; they document the real signatures.
@overload
def to_wgs84(  # type: ignore[overload-cannot-match]
    data: gpd.GeoSeries, system: str | int | pyproj.CRS = ...
) -> gpd.GeoSeries: ...
@overload
def to_wgs84(  # type: ignore[overload-cannot-match]
    data: tuple[ArrayLike, ArrayLike], system: str | int | pyproj.CRS = ...
) -> LonLat: ...
def to_wgs84(
    data: gpd.GeoDataFrame | gpd.GeoSeries | tuple[ArrayLike, ArrayLike],
    system: str | int | pyproj.CRS = "wgs84",
) -> gpd.GeoDataFrame | gpd.GeoSeries | LonLat:
    """Convert coordinates in ``system`` to WGS84 longitude/latitude (EPSG:4326), degrees.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or (x, y) tuple of array_like
        Geometries, or two coordinate arrays (longitude/latitude in degrees for geographic
        and web systems, easting/northing in metres for projected EPSG codes).
    system : str, int or pyproj.CRS
        The system ``data`` is in: ``"wgs84"``, ``"cgcs2000"`` (EPSG:4490), ``"gcj02"``,
        ``"bd09"`` or any EPSG code. For a GeoDataFrame/GeoSeries with a CRS set, a web
        system means its longitude/latitude are GCJ-02/BD-09 values; any other ``system``
        is ignored in favour of the frame's own CRS (it is used only when the CRS is unset).

    Returns
    -------
    GeoDataFrame, GeoSeries or (lon, lat) tuple of numpy.ndarray
        The same kind of object in EPSG:4326; the input is not modified.
    """
    target = normalize_system(system)
    if isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        return _geo_to_wgs84(data, target)
    x, y = _as_arrays(*data)
    if target in _FROM_WEB:
        return _FROM_WEB[target](x, y)
    if pyproj.CRS.from_user_input(target) == pyproj.CRS.from_user_input(STORAGE_CRS):
        return x, y
    transformer = pyproj.Transformer.from_crs(target, STORAGE_CRS, always_xy=True)
    lon, lat = transformer.transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
