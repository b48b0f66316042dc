"""Public readers of the registry layers: villages, facilities, sources, sites, candidates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Unpack

import geopandas as gpd
import pandas as pd
import pyproj

from lvliang_coverage.inputs import _columns, _validate
from lvliang_coverage.inputs._layers import (
    DEFAULT_TOLERANCE_M,
    ReaderOptions,
    StudyArea,
    match_layer,
    read_layer,
)
from lvliang_coverage.inputs._readers import read_raw
from lvliang_coverage.inputs._text import ControlCharacterWarning, remove_controls
from lvliang_coverage.inputs._validate import UnreadIdWarning
from lvliang_coverage.inputs.outliers import Outliers, OutliersDroppedWarning, roads_extent

__all__ = [
    "DEFAULT_TOLERANCE_M",
    "ControlCharacterWarning",
    "Outliers",
    "OutliersDroppedWarning",
    "ReaderOptions",
    "StudyArea",
    "UnreadIdWarning",
    "VillageCodes",
    "read_boundaries",
    "read_candidates",
    "read_facilities",
    "read_sites",
    "read_village_codes",
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

    divisions : Divisions, optional
        Official division list naming the county and township of ``admin_code`` (default
        the shipped Lüliang list, :func:`lvliang_coverage.inputs.divisions.load_divisions`).

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points with ``village_id`` (str), ``name``, ``county``, ``township``,
        ``population`` (int residents, 常住人口), ``households`` (int), ``registered_poor``
        (int residents), ``water_safe`` (bool), ``relocate`` (bool), ``admin_village``,
        ``admin_code`` (str: the 12-digit 统计用区划代码 of the row's administrative village,
        村委会 or 居委会), ``township_code`` (str, 9 digits), ``urban`` (bool: a 居委会 code,
        last three digits 001-199), ``source``, then the file's other columns (id-like and
        code columns as text). Defaults for missing columns or blank cells: ids ``V00001``,
        ``V00002`` ... from the data row numbers (stable as long as rows keep their places;
        a registry with a division code on every row, none repeated, takes the codes), name
        = id, county/township/admin_village/admin_code ``""``, county and township from the
        official names of the code's first 6 and 9 digits, township_code the code's first 9
        digits, households = round(population / 2.8) (at least 1 when population > 0),
        registered_poor 0, water_safe True, relocate False, urban False without a code,
        source = the file name. Booleans accept 是/否, yes/no, y/n, true/false, 1/0.

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
    UnreadIdWarning
        A column looks like an id (编号, 编码, 代码, ``*_id``, ``code``) but is not read as the
        id or a code; the warning names the file, the columns and where the ids come from.

    Notes
    -----
    Coordinates come from the file's geometry (GeoPackage, GeoJSON, Shapefile; in the
    file's own CRS) or from longitude/latitude columns (lon/lng/long/longitude/x/经度 and
    lat/latitude/y/纬度). Headers are matched case-insensitively after trimming, English or
    Chinese (名称/村名/自然村, 常住人口/人口, 县/县区, 乡镇, 建档立卡人口, 户数, 编号 ...), with
    bracketed units such as ``(人)`` ignored; Shapefile names cut to 10 bytes are recognised.
    Division codes come from 统计用区划代码, 区划代码, 行政区划代码, ``admin_code`` ...; a
    村代码, ``code`` or 代码 column is the code when 90 % of its filled cells hold 12
    digits, else the village id. Codes and ids are read as text (leading zeros kept; Excel
    number cells give their exact digits); a code in scientific notation (``1.41102E+11``,
    digits lost) is an error.

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
        EPSG:4326 points with ``facility_id`` (str, the file's own ids from facility_id,
        clinic_id, 卫生室编号, 机构编码, 机构代码, 医疗机构编码, 编号 ...; ``F00001`` ... from
        row numbers when absent), ``name``, ``kind``, ``county``, ``township``, ``doctors``
        (int, current doctors; 0 when absent), ``source``, then the file's other columns.
        Kind values may be Chinese (村卫生室, 卫生院, 县医院, 学校, 扶贫车间, 产业园区 ...).

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


@dataclass(frozen=True)
class VillageCodes:
    """The division codes of a village registry as the file gives them (the registry check).

    Attributes
    ----------
    table : DataFrame
        One row per data row: ``row`` (int, 1-based data row of the file), ``name``,
        ``admin_village``, ``admin_code``, ``county``, ``township`` (text as in the file,
        ``""`` when blank or when the file lacks the column; nothing is derived).
    path : Path
        The file read.
    columns : Mapping of str to str
        Canonical column -> the file's header, for the columns the file has.
    """

    table: pd.DataFrame
    path: Path
    columns: Mapping[str, str]

    @property
    def has_codes(self) -> bool:
        """Whether the registry gives a division code on at least one row."""
        return bool((self.table["admin_code"] != "").any())

    @property
    def per_committee(self) -> bool:
        """Whether each row is an administrative village (no ``admin_village`` column)."""
        return "admin_village" not in self.columns


CODE_COLUMNS = ("name", "admin_village", "admin_code", "county", "township")
"""Columns of :attr:`VillageCodes.table` besides ``row``."""


def read_village_codes(
    path: str | Path, *, layer: str | int | None = None, sheet: str | int | None = None
) -> VillageCodes:
    """Read the names and division codes of a village registry, without coordinates.

    Headers are matched as :func:`read_villages` matches them and codes are read the same
    way (text, every digit kept, Excel number cells exact); residents and coordinates are
    not needed, nothing is derived from the codes.

    Parameters
    ----------
    path : str or Path
        Any file :func:`read_villages` reads.
    layer : str or int, optional
        GeoPackage layer.
    sheet : str or int, optional
        Excel sheet name or 0-based index (default the first sheet).

    Returns
    -------
    VillageCodes
        The rows with their 1-based data row numbers.

    Raises
    ------
    InputError
        When the file is missing, of an unknown type, unreadable or without data rows, or a
        code is in scientific notation (its digits lost).
    """
    p = Path(path)
    raw = remove_controls(read_raw(p, layer=layer, sheet=sheet), p)
    found = match_layer(raw, _columns.VILLAGES)
    columns = {c: found[c] for c in CODE_COLUMNS if c in found}
    data: dict[str, object] = {"row": raw.rows.astype("int64")}
    for column in CODE_COLUMNS:
        if column not in found:
            data[column] = ""
            continue
        cells = raw.frame[found[column]].reset_index(drop=True)
        if column == "admin_code":
            data[column] = _validate.parse_codes(cells, file=p, rows=raw.rows, column=found[column])
        else:
            data[column] = _validate.as_text(cells)
    table = pd.DataFrame(data, index=pd.RangeIndex(len(raw.frame)))
    return VillageCodes(table, p, columns)


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
