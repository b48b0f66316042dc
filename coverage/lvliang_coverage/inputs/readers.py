"""Public readers of the registry layers: villages, facilities, sources, sites, candidates."""

from __future__ import annotations

from pathlib import Path
from typing import Unpack

import geopandas as gpd
import pyproj

from lvliang_coverage.inputs import _columns
from lvliang_coverage.inputs._layers import (
    DEFAULT_TOLERANCE_M,
    ReaderOptions,
    StudyArea,
    read_layer,
)
from lvliang_coverage.inputs._text import ControlCharacterWarning
from lvliang_coverage.inputs.outliers import Outliers, OutliersDroppedWarning, roads_extent

__all__ = [
    "DEFAULT_TOLERANCE_M",
    "ControlCharacterWarning",
    "Outliers",
    "OutliersDroppedWarning",
    "ReaderOptions",
    "StudyArea",
    "read_boundaries",
    "read_candidates",
    "read_facilities",
    "read_sites",
    "read_villages",
    "read_water_sources",
    "roads_extent",
]


def read_villages(path: str | Path, **options: Unpack[ReaderOptions]) -> gpd.GeoDataFrame:
    """Read a village (自然村) registry.

    Parameters
    ----------
    path : str or Path
        CSV/TXT (UTF-8, UTF-8 with BOM, GBK, GB18030), XLSX, GeoPackage, GeoJSON or
        Shapefile. The file is only read, never modified.
    coords : str, int or pyproj.CRS
        System of longitude/latitude columns: ``"wgs84"`` (default), ``"cgcs2000"``,
        ``"gcj02"`` (Amap/Tencent), ``"bd09"`` (Baidu) or an EPSG code, e.g.
        ``"EPSG:4546"`` when the columns hold projected x/y in metres. Geometry files use
        their own CRS unless ``coords`` names GCJ-02 or BD-09.
    study_area : GeoDataFrame, GeoSeries, shapely geometry, str or Path, optional
        Polygon(s) (a bare geometry is EPSG:4326; a path is read with
        :func:`read_boundaries`): points farther than ``tolerance_m`` outside are rejected.
    tolerance_m : float
        Metres a point may lie outside ``study_area`` (default 5,000 m).
    outliers : Outliers, optional
        Points farther out are an error naming their rows (default); pass
        ``Outliers(drop=True)`` to drop them with an :class:`OutliersDroppedWarning` instead
        (``outliers.table()`` then lists them).
    bounds : InputRules, optional
        Plausibility bounds (``Rules.inputs``; default the shipped ``[inputs]`` rules):
        population, households, capacities, doctors, elevations beyond them are errors.
    layer : str or int, optional
        GeoPackage layer.
    sheet : str or int, optional
        Excel sheet name or 0-based index (default the first sheet).

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points with ``village_id`` (str), ``name``, ``county``, ``township``,
        ``population`` (int residents, 常住人口), ``households`` (int), ``registered_poor``
        (int residents), ``water_safe`` (bool), ``relocate`` (bool), ``admin_village``,
        ``source``, then the file's other columns. Defaults for missing columns or blank
        cells: ids ``V00001``, ``V00002`` ... from the data row numbers (stable as long as
        rows keep their places), name = id, county/township/admin_village ``""``,
        households = round(population / 2.8) (at least 1 when population > 0),
        registered_poor 0, water_safe True, relocate False, source = the file name.
        Booleans accept 是/否, yes/no, y/n, true/false, 1/0.

    Raises
    ------
    InputError
        Naming file, data row and column: missing file or required column (population,
        coordinates), unknown file type, unreadable encoding, no data rows, non-numeric,
        negative or fractional counts, implausible values ("超出合理范围 / implausible
        value": beyond the ``[inputs]`` bounds, registered_poor above population, any number
        beyond ±1e15), empty or out-of-range coordinates (with a hint when longitude and
        latitude look swapped, when degrees look like projected metres or metres like
        degrees), points outside the study area (all their rows counted, the first listed),
        duplicate ids.

    Warns
    -----
    ControlCharacterWarning
        Control characters (Unicode Cc, e.g. a vertical tab) were removed from text; the
        warning names the file and the row and column of the first few cells.
    OutliersDroppedWarning
        Points outside the study area were dropped (``outliers=Outliers(drop=True)``).

    Notes
    -----
    Coordinates come from the file's geometry (GeoPackage, GeoJSON, Shapefile; in the
    file's own CRS) or from longitude/latitude columns (lon/lng/long/longitude/x/经度 and
    lat/latitude/y/纬度). Headers are matched case-insensitively after trimming, English or
    Chinese (名称/村名/自然村, 常住人口/人口, 县/县区, 乡镇, 建档立卡人口, 户数, 编号 ...), with
    bracketed units such as ``(人)`` ignored; Shapefile names cut to 10 bytes are recognised.

    Error rows are data rows as the user counts them in the table: 1 is the first row below
    the header (row 2 of an Excel sheet or line 2 of a CSV), or the feature number in a
    geometry file; blank rows still count. Title lines above an Excel header (rows with a
    single filled cell) are skipped, and rows are then counted from below the header.
    """
    return read_layer(path, _columns.VILLAGES, **options)


def read_facilities(
    path: str | Path, *, kind: str | None = None, **options: Unpack[ReaderOptions]
) -> gpd.GeoDataFrame:
    """Read a facility registry (clinics, health centres, hospitals, schools, workshops, parks).

    Parameters
    ----------
    path : str or Path
        See :func:`read_villages`.
    kind : str, optional
        ``"clinic"``, ``"health_centre"``, ``"hospital"``, ``"school"``, ``"workshop"``,
        ``"industrial_park"`` (or a Chinese name such as 村卫生室). Fills ``kind`` when the
        file has no kind column (e.g. a plain list of clinics); keeps only rows of that kind
        when it has one.
    coords, study_area, tolerance_m, outliers, bounds, layer, sheet :
        See :func:`read_villages`.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points with ``facility_id`` (str; ``F00001`` ... from row numbers when
        absent), ``name``, ``kind``, ``county``, ``township``, ``doctors`` (int, current
        doctors; 0 when absent), ``source``, then the file's other columns. Kind values
        may be Chinese (村卫生室, 卫生院, 县医院, 学校, 扶贫车间, 产业园区 ...).

    Raises
    ------
    InputError
        As :func:`read_villages`; also an unknown kind, or no kind column and no ``kind``.
    """
    return read_layer(path, _columns.FACILITIES, kind=kind, **options)


def read_water_sources(
    path: str | Path, *, kind: str | None = None, **options: Unpack[ReaderOptions]
) -> gpd.GeoDataFrame:
    """Read a drinking-water source registry (springs, wells, reservoirs, intakes, plants).

    Parameters
    ----------
    path : str or Path
        See :func:`read_villages`.
    kind : str, optional
        ``"spring"``, ``"well"``, ``"reservoir"``, ``"river_intake"`` or ``"plant"`` (or
        泉, 井, 水库, 取水口, 水厂 ...): fills or filters ``kind`` as in
        :func:`read_facilities`.
    coords, study_area, tolerance_m, outliers, bounds, layer, sheet :
        See :func:`read_villages`.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points with ``water_source_id`` (str; ``W00001`` ... when absent),
        ``name``, ``kind``, ``capacity_m3d`` (float m3/day, required), ``elevation_m``
        (float metres; NaN when absent, to be sampled from a DEM), ``county``,
        ``township``, ``source``, then the file's other columns.

    Raises
    ------
    InputError
        As :func:`read_villages`; capacity must be a non-negative number.
    """
    return read_layer(path, _columns.WATER_SOURCES, kind=kind, **options)


def read_sites(path: str | Path, **options: Unpack[ReaderOptions]) -> gpd.GeoDataFrame:
    """Read relocation (易地扶贫搬迁) resettlement sites.

    Parameters
    ----------
    path : str or Path
        See :func:`read_villages`.
    coords, study_area, tolerance_m, outliers, bounds, layer, sheet :
        See :func:`read_villages`.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points with ``site_id`` (str; ``S00001`` ... when absent), ``name``,
        ``county``, ``township``, ``capacity_households`` (int, required),
        ``occupied_households`` (int, 0 when absent), ``source``, then the file's other
        columns.

    Raises
    ------
    InputError
        As :func:`read_villages`.
    """
    return read_layer(path, _columns.SITES, **options)


def read_candidates(path: str | Path, **options: Unpack[ReaderOptions]) -> gpd.GeoDataFrame:
    """Read a list of candidate sites (候选点): where a new clinic or centre could be built.

    Only an id, a name and coordinates are read; no capacity or facility kind is needed.

    Parameters
    ----------
    path : str or Path
        See :func:`read_villages` (e.g. a CSV with 编号, 名称, 经度, 纬度 in GBK).
    coords, study_area, tolerance_m, outliers, bounds, layer, sheet :
        See :func:`read_villages`.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points with ``site_id`` (str; from site_id/编号/候选点编号 ..., else
        ``C00001`` ... from the row numbers), ``name`` (名称/候选点名称 ...; the id when
        blank), ``county``, ``township``, ``note_kind`` (free text from a kind/类型/用途
        column, e.g. 闲置校舍; not a facility kind), ``notes`` (备注/说明), ``source``, then
        the file's other columns.

    Raises
    ------
    InputError
        As :func:`read_villages`: missing file or coordinates, bad or out-of-range
        coordinates, points outside the study area, duplicate ids.
    """
    return read_layer(path, _columns.CANDIDATES, **options)


def read_boundaries(
    path: str | Path,
    *,
    coords: str | int | pyproj.CRS = "wgs84",
    layer: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read county or township boundary polygons.

    Parameters
    ----------
    path : str or Path
        GeoPackage, GeoJSON or Shapefile with Polygon/MultiPolygon geometries.
    coords : str, int or pyproj.CRS
        Used when the file has no CRS, or ``"gcj02"``/``"bd09"`` when its longitude and
        latitude are web-map coordinates (e.g. outlines traced from Amap).
    layer : str or int, optional
        GeoPackage layer.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 polygons (invalid rings repaired) with ``township_id`` (str, only when
        the file has an id column), ``name`` (the county name when no name column),
        ``county``, ``adcode`` (str), ``source``, then the file's other columns. ``name``
        falls back to the county, then to a ``city`` column.

    Raises
    ------
    InputError
        Missing file, unknown type, no data rows, empty or non-polygon geometries, duplicate
        ids, coordinates out of range.
    """
    gdf = read_layer(
        path,
        _columns.BOUNDARIES,
        coords=coords,
        layer=layer,
        geometry="polygon",
        generate_ids=False,
    )
    gdf["name"] = gdf["name"].where(gdf["name"] != "", gdf["county"])
    if "city" in gdf.columns:
        gdf["name"] = gdf["name"].where(gdf["name"] != "", gdf["city"].astype(str))
    return gdf
