"""Shared machinery of the layer readers: column matching, kinds, geometry and defaults."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeAlias, TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from lvliang_coverage import kinds
from lvliang_coverage.config import InputRules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import _columns, _validate, plausible
from lvliang_coverage.inputs._readers import RawTable, read_raw
from lvliang_coverage.inputs._text import remove_controls
from lvliang_coverage.inputs.chinacrs import WEB_SYSTEMS, normalize_system, to_wgs84
from lvliang_coverage.inputs.divisions import Divisions, derive_from_codes
from lvliang_coverage.inputs.outliers import Outliers, check_outside
from lvliang_coverage.inputs.projection import STORAGE_CRS

StudyArea: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry | str | Path
"""A study area: polygons (a bare geometry is EPSG:4326) or a boundary file to read."""

DEFAULT_TOLERANCE_M = 5000.0
"""Metres a point may lie outside the ``study_area`` polygons before it is rejected."""

PERSONS_PER_HOUSEHOLD = 2.8
"""Residents per household used to estimate missing ``households`` (rural Shanxi average)."""


class ReaderOptions(TypedDict, total=False):
    """Keyword options of every point-layer reader (see :func:`read_layer` for each)."""

    coords: str | int | pyproj.CRS
    study_area: StudyArea | None
    tolerance_m: float
    outliers: Outliers | None
    bounds: InputRules | None
    layer: str | int | None
    sheet: str | int | None
    divisions: Divisions | None


_GEOMETRY_TYPES = {
    "point": ("Point",),
    "polygon": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
}


def _aliases(spec: _columns.LayerSpec) -> dict[str, tuple[str, ...]]:
    aliases = {spec.id_column: spec.id_aliases}
    aliases.update({c.name: c.aliases for c in spec.columns if c.dtype != "derived"})
    aliases["_lon"] = _columns.LON
    aliases["_lat"] = _columns.LAT
    return aliases


def match_layer(raw: RawTable, spec: _columns.LayerSpec) -> dict[str, str]:
    """Find the file column of each canonical column of ``spec`` (see ``match_columns``).

    A header that names either an id or a division code (村代码, ``code``, 代码:
    :data:`~lvliang_coverage.inputs._columns.ADMIN_CODE_WEAK`) is the ``admin_code`` of a
    layer that has one when every filled cell holds 12 digits, else the id.

    Returns
    -------
    dict
        Canonical name -> file header (``_lon``/``_lat`` for the coordinates).
    """
    aliases = _aliases(spec)
    headers = list(raw.frame.columns)
    found = _columns.match_columns(headers, aliases, shapefile=raw.shapefile)
    if "admin_code" in aliases and "admin_code" not in found:
        weak = {_columns.normalize_header(a) for a in _columns.ADMIN_CODE_WEAK}
        for header in headers:
            if _columns.normalize_header(header) in weak and _validate.looks_like_codes(
                raw.frame[header]
            ):
                rest = [h for h in headers if h != header]
                found = _columns.match_columns(rest, aliases, shapefile=raw.shapefile)
                found["admin_code"] = str(header)
                break
    return found


def _missing(
    canonical: str, accepted: tuple[str, ...], path: Path, extra: tuple[str, str] = ("", "")
) -> InputError:
    msg = (
        f"缺少必需列 '{canonical}'{extra[0]} / missing required column '{canonical}': "
        f"accepted headers are {', '.join(accepted)}{extra[1]}"
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
    if geoms is None or not _has_geometry(raw):
        if geometry != "point":
            shape = {"polygon": "面", "line": "线"}.get(geometry, geometry)
            msg = f"文件没有{shape}状几何图形 / the file has no {geometry} geometries"
            raise InputError(msg, file=path, column="geometry")
        for key, canonical in (("_lon", "lon"), ("_lat", "lat")):
            if key not in found:
                accepted = _columns.LON if key == "_lon" else _columns.LAT
                extra = ("（或使用带几何图形的文件）", " (or use a geometry file)")
                raise _missing(canonical, accepted, path, extra)
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
        msg = "几何图形为空 / empty geometry"
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
            msg = (
                f"几何类型应为 {' 或 '.join(allowed)}，收到 {kinds[first]} / "
                f"expected {' or '.join(allowed)} geometry, got {kinds[first]}"
            )
            raise InputError(msg, file=path, row=int(raw.rows[first]), column="geometry")
    if geoms.crs is None:
        geoms = geoms.set_crs(STORAGE_CRS if system in WEB_SYSTEMS else system)
    if geoms.crs.is_projected:
        box = geoms.bounds.to_numpy()
        try:
            _validate.check_not_degrees(
                np.r_[box[:, 0], box[:, 2]],
                np.r_[box[:, 1], box[:, 3]],
                system=str(geoms.crs.to_string()),
                file=path,
                rows=np.r_[raw.rows, raw.rows],
                column="geometry",
            )
        except InputError as exc:
            msg = f"{exc.message}; 或修正文件的坐标参考系（.prj） / or fix the file's CRS (.prj)"
            raise InputError(msg, file=path, row=exc.row, column="geometry") from exc
    out = to_wgs84(geoms, system).reset_index(drop=True)
    bounds = out.bounds.to_numpy()
    note = (
        "：文件是否缺少坐标参考系（.prj）？请给出 coords='EPSG:<代码>'",
        ": is the file's CRS (.prj) missing? pass coords='EPSG:<code>'",
    )
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
        whole = whole and plausible.fits_int64(numbers)
        return numbers.astype(np.int64) if whole else numbers.astype(float)
    words = text.str.casefold()
    if not blank.any() and words.isin(["true", "false"]).all():
        return words.eq("true")
    return text.where(~blank, None) if blank.any() else text


def _lookup_kinds(text: pd.Series, accepted: Mapping[str, str]) -> pd.Series:
    """Canonical kind of each cell of ``text``, NaN where the spelling is not accepted.

    A cell is matched as :func:`lvliang_coverage.kinds.normalize` spells it (case, spaces,
    ``_`` and ``-`` ignored), else with bracketed notes, dots and slashes dropped as well
    (``"卫生室（中心）"`` -> ``"卫生室"``).
    """
    exact = text.map(kinds.normalize).map(accepted)
    loose = text.map(_columns.normalize_header).map(kinds.normalize).map(accepted)
    return exact.where(exact.notna(), loose)


def _unknown_kind(shown: str, accepted: Mapping[str, str]) -> str:
    """Message for an unknown kind listing the accepted canonical kinds."""
    names = ", ".join(sorted(set(accepted.values())))
    return f"未知的类型“{shown}” / unknown kind '{shown}': use one of {names}"


def _canonical_kind(
    value: str | None, spec: _columns.LayerSpec, path: Path | None = None
) -> str | None:
    """Canonical kind for the ``kind=`` argument of a reader (None stays None)."""
    if value is None:
        return None
    accepted = spec.accepted_kinds()
    kind = _lookup_kinds(pd.Series([value], dtype=object), accepted).iloc[0]
    if pd.isna(kind):
        raise InputError(_unknown_kind(value, accepted), file=path, column="kind")
    return str(kind)


def _kinds(
    raw: RawTable, found: Mapping[str, str], spec: _columns.LayerSpec, path: Path, kind: str | None
) -> np.ndarray:
    """Canonical kinds of the file's ``kind`` column, or ``kind`` on every row without one."""
    if "kind" not in found:
        if kind is None:
            column = spec.column("kind")
            extra = ("（或给出 kind=...）", " (or pass kind=...)")
            raise _missing("kind", column.aliases, path, extra)
        return np.full(len(raw.frame), kind, dtype=object)
    header = found["kind"]
    text = _validate.as_text(raw.frame[header])
    accepted = spec.accepted_kinds()
    mapped = _lookup_kinds(text, accepted).to_numpy(dtype=object)
    unknown = pd.isna(mapped)
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        layer_kinds = kinds.registered(spec.kind_layer) if spec.kind_layer else ()
        examples = [k.aliases[0] for k in layer_kinds if k.aliases][:2]
        msg = _unknown_kind(str(text.iloc[first]), accepted)
        if examples:
            msg += f" (or {', '.join(examples)} ...)"
        raise InputError(msg, file=path, row=int(raw.rows[first]), column=header)
    return mapped


def _typed_column(
    column: _columns.Column, raw: RawTable, found: Mapping[str, str], path: Path
) -> np.ndarray | None:
    """Parse one canonical column, or None when the file lacks it (and it is optional)."""
    if column.dtype == "derived":
        return None
    if column.name not in found:
        if column.required:
            raise _missing(column.name, column.aliases, path)
        return None
    header = found[column.name]
    cells = raw.frame[header]
    if column.dtype == "str":
        return _validate.as_text(cells).to_numpy(dtype=object)
    if column.dtype == "code":
        codes = _validate.parse_codes(cells, file=path, rows=raw.rows, column=header)
        return codes.to_numpy(dtype=object)
    if column.dtype == "bool":
        default = column.default if column.default is not None else column.name != "relocate"
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
            assert population is not None  # required column: never None
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


def _code_ids(raw: RawTable, found: Mapping[str, str], path: Path) -> np.ndarray | None:
    """Return the division codes as ids when every row has one and none repeats."""
    if "admin_code" not in found:
        return None
    header = found["admin_code"]
    codes = _validate.parse_codes(raw.frame[header], file=path, rows=raw.rows, column=header)
    if (codes == "").any() or codes.duplicated().any():
        return None
    return codes.to_numpy(dtype=object)


def _extra_values(header: str, cells: pd.Series) -> np.ndarray:
    """Type an extra column of the file: ids and codes as text, others by :func:`_infer`."""
    code_headers = {_columns.normalize_header(h) for h in _columns.CODE_HEADERS}
    if _columns.id_like(header) or _columns.normalize_header(header) in code_headers:
        text = _validate.as_text(cells)
        return text.where(text != "", None).to_numpy(dtype=object)
    return _infer(cells).to_numpy()


def read_layer(
    path: str | Path,
    spec: _columns.LayerSpec,
    *,
    coords: str | int | pyproj.CRS = "wgs84",
    study_area: StudyArea | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    outliers: Outliers | None = None,
    bounds: InputRules | None = None,
    layer: str | int | None = None,
    sheet: str | int | None = None,
    kind: str | None = None,
    geometry: str = "point",
    generate_ids: bool = True,
    divisions: Divisions | None = None,
) -> gpd.GeoDataFrame:
    """Read ``path`` as the layer described by ``spec``.

    Parameters
    ----------
    path : str or Path
        Any file type :func:`lvliang_coverage.inputs._readers.read_raw` reads.
    spec : LayerSpec
        Canonical columns of the layer.
    coords : str, int or pyproj.CRS
        System of longitude/latitude columns, or of a geometry file without CRS (see
        :func:`lvliang_coverage.inputs.readers.read_villages`); default ``"wgs84"``.
    study_area : GeoDataFrame, GeoSeries, shapely geometry, str or Path, optional
        Polygon(s) the points must lie near (a bare geometry is EPSG:4326; a path is read
        as a boundary file); ignored for polygon layers.
    tolerance_m : float
        Metres a point may lie outside ``study_area`` (default :data:`DEFAULT_TOLERANCE_M`).
    outliers : Outliers, optional
        What to do with points farther out: an error naming their rows (default), or, with
        ``Outliers(drop=True)``, drop them with a warning and record them in the object.
    bounds : InputRules, optional
        Plausibility bounds on numbers (default: the shipped ``[inputs]`` rules).
    layer : str or int, optional
        GeoPackage layer.
    sheet : str or int, optional
        Excel sheet name or 0-based index (default the first sheet).
    kind : str, optional
        Kind (any accepted spelling) filling a missing ``kind`` column, or filtering rows
        when the file has one.
    geometry : str
        ``"point"``, ``"polygon"`` or ``"line"``: the geometry type expected.
    generate_ids : bool
        Number rows (``<id_prefix>00001`` ...) when the file has no id column (a layer
        with an ``admin_code`` on every row, none repeated, takes the codes as ids); else
        the result has no id column then.
    divisions : Divisions, optional
        Official division list naming the county and township of an ``admin_code``
        (default the shipped Lüliang list).

    Returns
    -------
    GeoDataFrame
        EPSG:4326 geometries with the canonical columns of ``spec`` (id first), then the
        file's other columns.

    Raises
    ------
    InputError
        Naming file, data row and column of the first problem found.

    Warns
    -----
    ControlCharacterWarning
        When control characters were removed from text cells.
    OutliersDroppedWarning
        When points outside the study area were dropped.
    UnreadIdWarning
        When a column looks like an id but no canonical column reads it.
    """
    path = Path(path)
    raw = remove_controls(read_raw(path, layer=layer, sheet=sheet), path)
    system = normalize_system(coords)
    kind = _canonical_kind(kind, spec, path)
    found = match_layer(raw, spec)
    n = len(raw.frame)
    geoms = _geometry(raw, found, path=path, system=system, geometry=geometry)

    id_column = spec.id_column
    id_from = found.get(id_column, "")
    code_ids = None if id_from or not generate_ids else _code_ids(raw, found, path)
    if id_column in found:
        header = found[id_column]
        ids = _validate.as_text(raw.frame[header]).to_numpy(dtype=object)
        _validate.check_unique_ids(ids, file=path, rows=raw.rows, column=header, label=id_column)
    elif code_ids is not None:
        ids, id_from = code_ids, found["admin_code"]
    elif generate_ids:
        numbers = pd.Series(raw.rows).astype(str).str.zfill(5)
        ids = (spec.id_prefix + numbers).to_numpy(dtype=object)
    else:
        ids = None
    _validate.warn_unread_ids(raw.frame.columns, found, spec, path, id_from)

    values: dict[str, np.ndarray | None] = {}
    for column in spec.columns:
        if column.name == "kind":
            values["kind"] = _kinds(raw, found, spec, path, kind)
        else:
            values[column.name] = _typed_column(column, raw, found, path)
    absent = {c.name for c in spec.columns if spec.is_extra(c.name) and values[c.name] is None}
    values = {k: v for k, v in values.items() if k not in absent}
    plausible.check_bounds(
        values,
        layer=spec.layer,
        cells={k: raw.frame[found[k]] for k in values if k in found},
        file=path,
        rows=raw.rows,
        bounds=bounds,
    )
    filled = _defaults(values, np.full(n, "", dtype=object) if ids is None else ids, path, n)
    if "admin_code" in filled:
        derive_from_codes(filled, divisions)

    keep = None
    if study_area is not None and geometry == "point":
        if isinstance(study_area, str | Path):
            study_area = read_layer(
                study_area, _columns.BOUNDARIES, geometry="polygon", generate_ids=False
            )
        keep = check_outside(
            geoms,
            study_area,
            tolerance_m=tolerance_m,
            policy=outliers if outliers is not None else Outliers(),
            file=path,
            rows=raw.rows,
            column="geometry" if _has_geometry(raw) else found["_lon"],
            layer=spec.layer,
            ids=ids,
            names=filled.get("name"),
            system=system,
        )

    data: dict[str, object] = {} if ids is None else {id_column: ids.astype(str)}
    for column in spec.columns:
        if column.name in absent:
            continue
        value = filled[column.name]
        if column.dtype == "int" and not (spec.is_extra(column.name) and np.isnan(value).any()):
            value = plausible.to_int64(
                value,
                file=path,
                rows=raw.rows,
                column=found.get(column.name, column.name),
                label=column.name,
            )
        elif column.dtype in ("str", "code"):
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
        result[extra] = _extra_values(extra, raw.frame[extra])
    gdf = gpd.GeoDataFrame(result, geometry=geoms.to_numpy(), crs=STORAGE_CRS)
    if keep is not None and not keep.all():
        gdf = gdf[keep].reset_index(drop=True)
    if kind is not None and "kind" in found:
        gdf = gdf[gdf["kind"] == kind].reset_index(drop=True)
    return gdf
