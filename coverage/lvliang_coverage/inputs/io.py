"""Loading and validating registries: villages, facilities, water sources, sites and boundaries."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import _columns, _validate
from lvliang_coverage.inputs._readers import RawTable, read_raw
from lvliang_coverage.inputs.chinacrs import WEB_SYSTEMS, normalize_system, to_wgs84
from lvliang_coverage.inputs.projection import STORAGE_CRS

StudyArea = gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry | str | Path

DEFAULT_TOLERANCE_M = 5000.0
"""Metres a point may lie outside the ``study_area`` polygons before it is rejected."""

PERSONS_PER_HOUSEHOLD = 2.8
"""Residents per household used to estimate missing ``households`` (rural Shanxi average)."""

DATA_DIR_ENV = "LVLIANG_DATA_DIR"
"""Environment variable that overrides the default data directory."""

_GEOMETRY_TYPES = {
    "point": ("Point",),
    "polygon": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
}


def _aliases(spec: _columns.LayerSpec) -> dict[str, tuple[str, ...]]:
    aliases = {spec.id_column: spec.id_aliases}
    aliases.update({c.name: c.aliases for c in spec.columns})
    aliases["_lon"] = _columns.LON
    aliases["_lat"] = _columns.LAT
    return aliases


def _missing(canonical: str, accepted: tuple[str, ...], path: Path, extra: str = "") -> InputError:
    msg = (
        f"missing required column '{canonical}': accepted headers are {', '.join(accepted)}{extra}"
    )
    return InputError(msg, file=path, column=canonical)


def _has_geometry(raw: RawTable) -> bool:
    """Whether the file has a geometry column with at least one non-empty geometry."""
    geoms = raw.geometry
    return geoms is not None and bool((~(geoms.isna() | geoms.is_empty)).any())


def _geometry(
    raw: RawTable,
    found: Mapping[str, str],
    *,
    path: Path,
    system: str,
    geometry: str,
) -> gpd.GeoSeries:
    """WGS84 geometries of ``raw``: from the file's geometry, else from lon/lat columns."""
    geoms = raw.geometry
    if not _has_geometry(raw):
        if geometry != "point":
            msg = f"the file has no {geometry} geometries"
            raise InputError(msg, file=path, column="geometry")
        for key, canonical in (("_lon", "lon"), ("_lat", "lat")):
            if key not in found:
                accepted = _columns.LON if key == "_lon" else _columns.LAT
                raise _missing(canonical, accepted, path, " (or use a geometry file)")
        return _validate.points_from_columns(
            raw.frame[found["_lon"]],
            raw.frame[found["_lat"]],
            file=path,
            rows=raw.rows,
            columns=(found["_lon"], found["_lat"]),
            system=system,
        )
    empty = (geoms.isna() | geoms.is_empty).to_numpy()
    if empty.any():
        first = int(np.flatnonzero(empty)[0])
        msg = "empty geometry"
        raise InputError(msg, file=path, row=int(raw.rows[first]), column="geometry")
    kinds = geoms.geom_type.to_numpy()
    if geometry == "point":
        single = (kinds == "MultiPoint") & (shapely.get_num_geometries(geoms.array) == 1)
        if single.any():
            geoms = geoms.copy()
            geoms[single] = shapely.get_geometry(np.asarray(geoms.array)[single], 0)
            kinds = geoms.geom_type.to_numpy()
    allowed = _GEOMETRY_TYPES.get(geometry)
    if allowed is not None:
        wrong = ~np.isin(kinds, allowed)
        if wrong.any():
            first = int(np.flatnonzero(wrong)[0])
            msg = f"expected {' or '.join(allowed)} geometry, got {kinds[first]}"
            raise InputError(msg, file=path, row=int(raw.rows[first]), column="geometry")
    if geoms.crs is None:
        geoms = geoms.set_crs(STORAGE_CRS if system in WEB_SYSTEMS else system)
    out = to_wgs84(geoms, system).reset_index(drop=True)
    bounds = out.bounds.to_numpy()
    note = ": is the file's CRS (.prj) missing? pass coords='EPSG:<code>'"
    for ix, iy in ((0, 1), (2, 3)):
        _validate.check_lonlat(
            bounds[:, ix],
            bounds[:, iy],
            file=path,
            rows=raw.rows,
            columns=("geometry", "geometry"),
            note=note,
        )
    if geometry == "polygon":
        invalid = ~out.is_valid.to_numpy()
        if invalid.any():
            out[invalid] = shapely.make_valid(np.asarray(out.array)[invalid])
    return out


def _infer(values: pd.Series) -> pd.Series:
    """Type an extra column: numbers, then true/false words, else text (blank -> missing)."""
    if values.dtype != object and not pd.api.types.is_string_dtype(values):
        return values
    text = _validate.as_text(values)
    blank = text == ""
    numbers = pd.to_numeric(text.where(~blank), errors="coerce")
    leading_zero = text.str.match(r"^[+-]?0\d").any()  # codes such as 0012 stay text
    if not blank.all() and not leading_zero and numbers[~blank].notna().all():
        whole = numbers[~blank].mod(1).eq(0).all() and not blank.any()
        return numbers.astype(np.int64) if whole else numbers.astype(float)
    words = text.str.casefold()
    if not blank.any() and words.isin(["true", "false"]).all():
        return words.eq("true")
    return text.where(~blank, None) if blank.any() else text


def _canonical_kind(
    value: str | None, spec: _columns.LayerSpec, path: Path | None = None
) -> str | None:
    if value is None:
        return None
    kind = spec.kinds.get(_columns.normalize_header(value))
    if kind is None:
        accepted = sorted(set(spec.kinds.values()))
        msg = f"unknown kind '{value}': use one of {', '.join(accepted)}"
        raise InputError(msg, file=path, column="kind")
    return kind


def _kinds(
    raw: RawTable, found: Mapping[str, str], spec: _columns.LayerSpec, path: Path, kind: str | None
) -> np.ndarray:
    if "kind" not in found:
        if kind is None:
            column = spec.column("kind")
            raise _missing("kind", column.aliases, path, " (or pass kind=...)")
        return np.full(len(raw.frame), kind, dtype=object)
    header = found["kind"]
    text = _validate.as_text(raw.frame[header])
    normalised = text.map(_columns.normalize_header)
    mapped = normalised.map(spec.kinds).to_numpy(dtype=object)
    unknown = pd.isna(mapped)
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        accepted = sorted(set(spec.kinds.values()))
        shown = text.iloc[first]
        msg = f"unknown kind '{shown}': use one of {', '.join(accepted)} (or 村卫生室, 卫生院 ...)"
        raise InputError(msg, file=path, row=int(raw.rows[first]), column=header)
    return mapped


def _typed_column(
    column: _columns.Column, raw: RawTable, found: Mapping[str, str], path: Path
) -> np.ndarray | None:
    """Parse one canonical column, or None when the file lacks it (and it is optional)."""
    if column.name not in found:
        if column.required:
            raise _missing(column.name, column.aliases, path)
        return None
    header = found[column.name]
    cells = raw.frame[header]
    if column.dtype == "str":
        return _validate.as_text(cells).to_numpy(dtype=object)
    if column.dtype == "bool":
        default = column.name != "relocate"
        return _validate.parse_bools(
            cells, file=path, rows=raw.rows, column=header, label=column.name, default=default
        )
    return _validate.parse_numbers(
        cells,
        file=path,
        rows=raw.rows,
        column=header,
        label=column.name,
        integer=column.dtype == "int",
        non_negative=column.dtype in ("int", "float+"),
        required=column.required,
    )


def _defaults(
    values: dict[str, np.ndarray | None], ids: np.ndarray, path: Path, n: int
) -> dict[str, np.ndarray]:
    """Fill optional columns missing from the file (or blank cells) with their defaults."""
    out: dict[str, np.ndarray] = {}
    for name, given in values.items():
        value = given
        if name == "households":
            population = values["population"]
            estimate = np.where(
                population > 0, np.maximum(1.0, np.rint(population / PERSONS_PER_HOUSEHOLD)), 0.0
            )
            value = estimate if value is None else np.where(np.isnan(value), estimate, value)
        elif name == "name":
            value = ids.copy() if value is None else np.where(value == "", ids, value)
        elif name == "source":
            value = np.full(n, path.name, dtype=object) if value is None else value
        elif name in ("registered_poor", "doctors", "occupied_households"):
            value = np.zeros(n) if value is None else np.nan_to_num(value, nan=0.0)
        elif name == "elevation_m":
            value = np.full(n, np.nan) if value is None else value
        elif name == "water_safe":
            value = np.ones(n, dtype=bool) if value is None else value
        elif name == "relocate":
            value = np.zeros(n, dtype=bool) if value is None else value
        elif value is None:
            value = np.full(n, "", dtype=object)
        out[name] = value
    return out


def _read_layer(
    path: str | Path,
    spec: _columns.LayerSpec,
    *,
    coords: str | int | pyproj.CRS,
    study_area: StudyArea | None,
    tolerance_m: float,
    layer: str | int | None,
    sheet: str | int | None,
    kind: str | None = None,
    geometry: str = "point",
    generate_ids: bool = True,
) -> gpd.GeoDataFrame:
    """Read ``path`` as the layer described by ``spec`` (see :func:`read_villages`)."""
    raw = read_raw(path, layer=layer, sheet=sheet)
    path = Path(path)
    system = normalize_system(coords)
    kind = _canonical_kind(kind, spec, path)
    found = _columns.match_columns(raw.frame.columns, _aliases(spec), shapefile=raw.shapefile)
    n = len(raw.frame)
    geoms = _geometry(raw, found, path=path, system=system, geometry=geometry)

    id_column = spec.id_column
    if id_column in found:
        header = found[id_column]
        ids = _validate.as_text(raw.frame[header]).to_numpy(dtype=object)
        _validate.check_unique_ids(ids, file=path, rows=raw.rows, column=header, label=id_column)
    elif generate_ids:
        ids = np.array([f"{spec.id_prefix}{r:05d}" for r in raw.rows], dtype=object)
    else:
        ids = None

    values: dict[str, np.ndarray | None] = {}
    for column in spec.columns:
        if column.name == "kind":
            values["kind"] = _kinds(raw, found, spec, path, kind)
        else:
            values[column.name] = _typed_column(column, raw, found, path)
    filled = _defaults(values, np.full(n, "", dtype=object) if ids is None else ids, path, n)
    if "registered_poor" in filled:
        over = filled["registered_poor"] > filled["population"]
        if over.any():
            first = int(np.flatnonzero(over)[0])
            msg = "registered_poor exceeds population"
            raise InputError(
                msg, file=path, row=int(raw.rows[first]), column=found["registered_poor"]
            )

    if study_area is not None and geometry == "point":
        if isinstance(study_area, str | Path):
            study_area = read_boundaries(study_area)
        _validate.check_study_area(
            geoms,
            study_area,
            tolerance_m=tolerance_m,
            file=path,
            rows=raw.rows,
            column="geometry" if _has_geometry(raw) else found["_lon"],
        )

    data: dict[str, object] = {} if ids is None else {id_column: ids.astype(str)}
    for column in spec.columns:
        value = filled[column.name]
        if column.dtype == "int":
            value = value.astype(np.int64)
        elif column.dtype == "str":
            value = value.astype(str)
        data[column.name] = value
    result = pd.DataFrame(data)
    used = set(found.values())
    extras = [
        c
        for c in raw.frame.columns
        if c not in used and c not in result.columns and c != "geometry"
    ]
    for extra in extras:
        result[extra] = _infer(raw.frame[extra]).to_numpy()
    gdf = gpd.GeoDataFrame(result, geometry=geoms.to_numpy(), crs=STORAGE_CRS)
    if kind is not None and "kind" in found:
        gdf = gdf[gdf["kind"] == kind].reset_index(drop=True)
    return gdf


def read_villages(
    path: str | Path,
    *,
    coords: str | int | pyproj.CRS = "wgs84",
    study_area: StudyArea | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    layer: str | int | None = None,
    sheet: str | int | None = None,
) -> gpd.GeoDataFrame:
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
        negative or fractional counts, registered_poor above population, empty or
        out-of-range coordinates (with a hint when longitude and latitude look swapped),
        points outside the study area, duplicate ids.

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
    return _read_layer(
        path,
        _columns.VILLAGES,
        coords=coords,
        study_area=study_area,
        tolerance_m=tolerance_m,
        layer=layer,
        sheet=sheet,
    )


def read_facilities(
    path: str | Path,
    *,
    kind: str | None = None,
    coords: str | int | pyproj.CRS = "wgs84",
    study_area: StudyArea | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    layer: str | int | None = None,
    sheet: str | int | None = None,
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
    coords, study_area, tolerance_m, layer, sheet :
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
    return _read_layer(
        path,
        _columns.FACILITIES,
        coords=coords,
        study_area=study_area,
        tolerance_m=tolerance_m,
        layer=layer,
        sheet=sheet,
        kind=kind,
    )


def read_water_sources(
    path: str | Path,
    *,
    kind: str | None = None,
    coords: str | int | pyproj.CRS = "wgs84",
    study_area: StudyArea | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    layer: str | int | None = None,
    sheet: str | int | None = None,
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
    coords, study_area, tolerance_m, layer, sheet :
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
    return _read_layer(
        path,
        _columns.WATER_SOURCES,
        coords=coords,
        study_area=study_area,
        tolerance_m=tolerance_m,
        layer=layer,
        sheet=sheet,
        kind=kind,
    )


def read_sites(
    path: str | Path,
    *,
    coords: str | int | pyproj.CRS = "wgs84",
    study_area: StudyArea | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    layer: str | int | None = None,
    sheet: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read relocation (易地扶贫搬迁) resettlement sites.

    Parameters
    ----------
    path : str or Path
        See :func:`read_villages`.
    coords, study_area, tolerance_m, layer, sheet :
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
    return _read_layer(
        path,
        _columns.SITES,
        coords=coords,
        study_area=study_area,
        tolerance_m=tolerance_m,
        layer=layer,
        sheet=sheet,
    )


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
    gdf = _read_layer(
        path,
        _columns.BOUNDARIES,
        coords=coords,
        study_area=None,
        tolerance_m=DEFAULT_TOLERANCE_M,
        layer=layer,
        sheet=None,
        geometry="polygon",
        generate_ids=False,
    )
    gdf["name"] = gdf["name"].where(gdf["name"] != "", gdf["county"])
    if "city" in gdf.columns:
        gdf["name"] = gdf["name"].where(gdf["name"] != "", gdf["city"].astype(str))
    return gdf


def _read_points(path: Path) -> gpd.GeoDataFrame:
    """Read named points (township or county seats) with the boundary columns."""
    return _read_layer(
        path,
        _columns.BOUNDARIES,
        coords="wgs84",
        study_area=None,
        tolerance_m=DEFAULT_TOLERANCE_M,
        layer=None,
        sheet=None,
        generate_ids=False,
    )


@dataclass(frozen=True)
class DefaultData:
    """The embedded default data set for Lüliang (all layers EPSG:4326).

    Attributes
    ----------
    city, counties : GeoDataFrame
        Real outlines of Lüliang city and its 13 counties (``county``, ``adcode``).
    townships, township_seats : GeoDataFrame
        Township polygons and seat points (``township_id``, ``name``, ``county``).
    county_seats : GeoDataFrame
        County-seat points (real, GeoNames).
    rivers : GeoDataFrame
        Major rivers (real, GSHHG/WDBII), lines with ``level``.
    villages, facilities, water_sources, sites : GeoDataFrame
        Registries in the schema of :func:`read_villages`, :func:`read_facilities`,
        :func:`read_water_sources`, :func:`read_sites` (synthetic).
    roads_path : Path
        OpenStreetMap XML road network (``roads.osm.bz2``).
    dem_path : Path
        Fine DEM GeoTIFF (int16 metres).
    coarse_dem_path : Path
        Real ETOPO1 elevation at 0.1 degrees (metres).
    data_dir : Path
        The directory read.
    is_synthetic : bool
        True: villages, facilities, roads, water sources and sites are generated, not real.
    """

    city: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    township_seats: gpd.GeoDataFrame
    county_seats: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    water_sources: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    roads_path: Path
    dem_path: Path
    coarse_dem_path: Path
    data_dir: Path
    is_synthetic: bool = True


DEFAULT_FILES = {
    "city": "lvliang/city.geojson",
    "counties": "lvliang/counties.geojson",
    "county_seats": "lvliang/county_seats.geojson",
    "rivers": "lvliang/rivers.geojson",
    "coarse_dem": "lvliang/etopo1_0p1deg.tif",
    "townships": "default/townships.geojson",
    "township_seats": "default/township_seats.geojson",
    "villages": "default/villages.csv",
    "facilities": "default/facilities.csv",
    "water_sources": "default/water_sources.csv",
    "sites": "default/relocation_sites.csv",
    "roads": "default/roads.osm.bz2",
    "dem": "default/dem_100m.tif",
}
"""Files of the default data set, relative to the data directory."""


def default_data_dir() -> Path:
    """Locate the default data directory: ``$LVLIANG_DATA_DIR``, else the repository's ``data/``.

    Returns
    -------
    Path
        The directory (not checked for existence).
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "data"


def load_default(data_dir: str | Path | None = None) -> DefaultData:
    """Load the embedded default Lüliang data set.

    Parameters
    ----------
    data_dir : str or Path, optional
        Directory holding ``lvliang/`` and ``default/`` (see :data:`DEFAULT_FILES`);
        defaults to :func:`default_data_dir`.

    Returns
    -------
    DefaultData
        Every layer in EPSG:4326 and the paths of the road network and DEMs.

    Raises
    ------
    InputError
        When files are missing (all missing files are listed) or fail validation.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = {key: root / rel for key, rel in DEFAULT_FILES.items()}
    missing = [DEFAULT_FILES[k] for k, p in paths.items() if not p.exists()]
    if missing:
        msg = f"default data incomplete, missing: {', '.join(missing)}"
        raise InputError(msg, file=root)
    city = read_boundaries(paths["city"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rivers = gpd.read_file(paths["rivers"], engine="pyogrio").to_crs(STORAGE_CRS)
    return DefaultData(
        city=city,
        counties=read_boundaries(paths["counties"]),
        townships=read_boundaries(paths["townships"]),
        township_seats=_read_points(paths["township_seats"]),
        county_seats=_read_points(paths["county_seats"]),
        rivers=rivers,
        villages=read_villages(paths["villages"]),
        facilities=read_facilities(paths["facilities"]),
        water_sources=read_water_sources(paths["water_sources"]),
        sites=read_sites(paths["sites"]),
        roads_path=paths["roads"],
        dem_path=paths["dem"],
        coarse_dem_path=paths["coarse_dem"],
        data_dir=root,
        is_synthetic=True,
    )
