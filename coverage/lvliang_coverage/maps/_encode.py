"""Compact, escaped JSON payloads for map layers: geometry encoding, CRS shifts, popup text."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import GeometryType

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS, metric_crs_of
from lvliang_coverage.report.vocabulary import column_label, text

COORD_SCALE = 100_000
"""Coordinates are stored as integers in 1e-5 degree units (about 1.1 m north-south)."""

_POINT_TYPES = {GeometryType.POINT}
_LINE_TYPES = {GeometryType.LINESTRING, GeometryType.MULTILINESTRING}
_AREA_TYPES = {GeometryType.POLYGON, GeometryType.MULTIPOLYGON}


def esc(value: object) -> str:
    """HTML-escape any value as text (quotes included), so data never becomes markup."""
    return html.escape(str(value), quote=True)


def require_column(gdf: gpd.GeoDataFrame, column: str, role: str, layer: str = "layer") -> None:
    """Raise :class:`InputError` "<role> column <column> not in the <layer>" if it is absent."""
    if column not in gdf.columns:
        msg = f"图层缺少列 {column!r} / {role} column {column!r} not in the {layer}"
        raise InputError(msg, column=column)


def to_js_json(obj: Any) -> str:
    """JSON text safe to embed inside an HTML ``<script>`` element.

    Parameters
    ----------
    obj : Any
        JSON-serialisable object.

    Returns
    -------
    str
        Compact JSON with ``<``, ``>`` and the JavaScript line separators escaped.
    """
    out = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        out.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def to_storage(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """Layer in EPSG:4326 without missing or empty geometries.

    Parameters
    ----------
    gdf : GeoDataFrame
        Any CRS; must have one.
    what : str
        Layer name for error messages.

    Returns
    -------
    GeoDataFrame
        WGS84 longitude/latitude (degrees), default integer index.

    Raises
    ------
    InputError
        When ``gdf`` is not a GeoDataFrame or has no CRS.
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = (
            f"图层须为 GeoDataFrame，收到 {type(gdf).__name__} / "
            f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}"
        )
        raise InputError(msg)
    if gdf.crs is None:
        msg = (
            "图层没有坐标参考系，请在制图前设置（如 EPSG:4326） / "
            f"{what}: the layer has no CRS; set one (e.g. EPSG:4326) before mapping"
        )
        raise InputError(msg, column="geometry")
    out = gdf.to_crs(STORAGE_CRS) if not gdf.crs.equals(STORAGE_CRS) else gdf
    keep = ~(out.geometry.isna().to_numpy() | out.geometry.is_empty.to_numpy())
    return out.loc[keep].reset_index(drop=True)


def simplify_metric(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify geometries with a tolerance in metres (in the layer's metric CRS).

    Parameters
    ----------
    gdf : GeoDataFrame
        EPSG:4326 layer.
    tolerance_m : float
        Douglas-Peucker tolerance in metres; 0 keeps the geometry.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 layer with simplified geometries.
    """
    if tolerance_m <= 0 or gdf.empty:
        return gdf
    metric = gdf.geometry.to_crs(metric_crs_of(gdf))
    simple = metric.simplify(tolerance_m, preserve_topology=True).to_crs(STORAGE_CRS)
    return gdf.set_geometry(simple.to_numpy(), crs=STORAGE_CRS)


def shift_gcj02(geoms: np.ndarray) -> np.ndarray:
    """Shift WGS84 geometries to GCJ-02 (the datum of Gaode/Amap tiles).

    Parameters
    ----------
    geoms : ndarray of shapely geometries
        Longitude/latitude in degrees, WGS84.

    Returns
    -------
    ndarray of shapely geometries
        The same geometries with every vertex in GCJ-02.
    """
    from lvliang_coverage.inputs.chinacrs import wgs84_to_gcj02  # noqa: PLC0415  (optional at import time)

    def shift(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])

    return shapely.transform(geoms, shift)


def geometry_family(geoms: np.ndarray) -> np.ndarray:
    """Family code per geometry: ``"P"`` points, ``"L"`` lines, ``"A"`` areas, ``""`` other."""
    types = shapely.get_type_id(geoms)
    fam = np.full(len(geoms), "", dtype=object)
    fam[np.isin(types, [int(t) for t in _POINT_TYPES | {GeometryType.MULTIPOINT}])] = "P"
    fam[np.isin(types, [int(t) for t in _LINE_TYPES])] = "L"
    fam[np.isin(types, [int(t) for t in _AREA_TYPES])] = "A"
    return fam


def of_family(gdf: gpd.GeoDataFrame, family: str) -> gpd.GeoDataFrame:
    """Rows of ``gdf`` whose geometry is of ``family`` (see :func:`geometry_family`).

    Parameters
    ----------
    gdf : GeoDataFrame
        Any layer.
    family : {"P", "L", "A"}
        Points, lines or areas.

    Returns
    -------
    GeoDataFrame
        The rows kept, in their order, with a default integer index.
    """
    return gdf.loc[geometry_family(gdf.geometry.to_numpy()) == family].reset_index(drop=True)


def _delta(coords: np.ndarray) -> list[int]:
    ints = np.rint(coords[:, :2] * COORD_SCALE).astype(np.int64)
    if len(ints) == 0:
        return []
    return np.diff(ints, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist()


def encode_geometries(geoms: np.ndarray) -> dict[str, Any]:
    """Encode one family of geometries as delta-coded integer coordinates plus offsets.

    Coordinates are rounded to 1e-5 degree and written as ``x0, y0, dx1, dy1, ...`` (integer
    steps in 1e-5 degree); the offsets come from :func:`shapely.to_ragged_array`.

    Parameters
    ----------
    geoms : ndarray of shapely geometries
        All points (multi-points become their centroid), all lines or all polygons, WGS84
        or GCJ-02 degrees.

    Returns
    -------
    dict
        ``{"g": "P"|"L"|"A", "xy": [...], "o": [[...], ...]}`` where for lines ``o`` holds
        part -> coordinate and feature -> part offsets, and for areas ring -> coordinate,
        polygon -> ring and feature -> polygon offsets.

    Raises
    ------
    InputError
        When the geometries mix families.
    """
    fam = geometry_family(geoms)
    kinds = set(fam.tolist())
    if len(kinds) != 1 or "" in kinds:
        msg = (
            f"一个图层不能混合多种几何类型 {sorted(kinds)} / "
            f"cannot encode a mix of geometry families {sorted(kinds)}"
        )
        raise InputError(msg, column="geometry")
    family = kinds.pop()
    n = len(geoms)
    if family == "P":
        coords = shapely.get_coordinates(shapely.centroid(geoms))
        return {"g": "P", "xy": _delta(coords), "o": []}
    _, coords, offsets = shapely.to_ragged_array(geoms)
    offs = [np.asarray(o, dtype=np.int64) for o in offsets]
    if family == "L" and len(offs) == 1:  # all single LineStrings: one part each
        offs.append(np.arange(n + 1, dtype=np.int64))
    if family == "A" and len(offs) == 2:  # all single Polygons: one polygon each
        offs.append(np.arange(n + 1, dtype=np.int64))
    return {"g": family, "xy": _delta(coords), "o": [o.tolist() for o in offs]}


def format_column(values: pd.Series, lang: str) -> list[str]:
    """Popup text of one column: escaped, with thousands separators and yes/no for booleans.

    Parameters
    ----------
    values : Series
        Column values.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    list of str
        HTML-safe strings.
    """
    missing = values.isna().to_numpy()
    if pd.api.types.is_bool_dtype(values):
        out = np.where(
            values.fillna(value=False).to_numpy(bool), text("yes", lang), text("no", lang)
        )
    elif pd.api.types.is_integer_dtype(values):
        out = values.fillna(0).astype("int64").map("{:,}".format).to_numpy(dtype=object)
    elif pd.api.types.is_float_dtype(values):
        rounded = values.fillna(0.0).round(2)
        out = rounded.map("{:,.2f}".format).str.rstrip("0").str.rstrip(".").to_numpy(dtype=object)
    else:
        out = values.astype(str).map(esc).to_numpy(dtype=object)
    out = np.asarray(out, dtype=object)
    out[missing] = text("missing", lang)
    return out.tolist()


def popup_table(
    gdf: pd.DataFrame, columns: Sequence[str], lang: str, labels: dict[str, str] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Escaped column labels and per-row values for popups.

    Parameters
    ----------
    gdf : DataFrame
        The layer's attributes.
    columns : sequence of str
        Columns to show, in order; missing columns raise.
    lang : str
        ``"zh"`` or ``"en"``.
    labels : dict, optional
        Label overrides per column.

    Returns
    -------
    tuple
        ``(labels, rows)`` of HTML-safe strings.

    Raises
    ------
    InputError
        When a column is missing.
    """
    cols = list(columns)
    absent = [c for c in cols if c not in gdf.columns]
    if absent:
        msg = f"图层缺少弹窗列 / popup columns not in the layer: {absent}"
        raise InputError(msg, column=absent[0])
    names = [esc((labels or {}).get(c, column_label(c, lang))) for c in cols]
    if not cols:
        return names, [[] for _ in range(len(gdf))]
    table = np.column_stack([format_column(gdf[c], lang) for c in cols])
    return names, table.tolist()
