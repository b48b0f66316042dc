"""Raw readers: a file's rows as untyped values plus its geometry, by file type."""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio

from lvliang_coverage.errors import InputError

TABLE_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
GEO_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
SUPPORTED = TABLE_SUFFIXES + EXCEL_SUFFIXES + GEO_SUFFIXES


@dataclass(frozen=True)
class RawTable:
    """A file's data rows before any typing.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per data row, columns as headed in the file, values as read (str for CSV,
        Python objects for Excel and geo files).
    rows : numpy.ndarray of int
        1-based data row number of each frame row (1 = first row below the header).
    geometry : GeoSeries or None
        The geometry of geo files, aligned with ``frame`` (None for CSV/Excel).
    shapefile : bool
        Whether the file is a Shapefile (10-byte field names).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    geometry: gpd.GeoSeries | None
    shapefile: bool = False


def check_path(path: str | Path) -> Path:
    """Return ``path`` as a Path after checking it exists and has a supported type.

    Raises
    ------
    InputError
        When the file does not exist or its suffix is not a supported type.
    """
    path = Path(path)
    if not path.exists():
        msg = "文件不存在 / file does not exist"
        raise InputError(msg, file=path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        msg = (
            "不支持旧版 Excel .xls 文件，请另存为 .xlsx / "
            "old Excel .xls files are not supported: save the sheet as .xlsx"
        )
        raise InputError(msg, file=path)
    if suffix not in SUPPORTED:
        msg = (
            f"未知的文件类型“{path.suffix}” / "
            f"unknown file type '{path.suffix}': use one of {', '.join(SUPPORTED)}"
        )
        raise InputError(msg, file=path)
    return path


def decode_bytes(data: bytes, path: Path) -> str:
    """Decode a text file: UTF-8 (with or without BOM), then GB18030, then a detector.

    GB18030 is a superset of GBK and GB2312, the encodings Excel uses for CSV in China.

    Raises
    ------
    InputError
        When no encoding yields readable text.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    best = charset_normalizer.from_bytes(data).best()
    detected = None if best is None else str(best)
    if detected is None or "\x00" in detected or _mostly_control(detected):
        msg = (
            "无法识别文件编码，请另存为 UTF-8 或 GBK 文本 / "
            "unreadable encoding: save the file as UTF-8 or GBK text"
        )
        raise InputError(msg, file=path)
    return detected


def _mostly_control(text: str) -> bool:
    """Whether more than 5 % of the characters are control or replacement characters."""
    if not text:
        return False
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    bad = (
        ((codes < 32) & ~np.isin(codes, [9, 10, 13]))
        | (codes == 0xFFFD)
        | ((codes >= 0x7F) & (codes < 0xA0))
    )
    return bool(bad.mean() > 0.05)


def _read_csv(path: Path) -> RawTable:
    text = decode_bytes(path.read_bytes(), path)
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;|", key=first.count) if first else ","
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.EmptyDataError as exc:
        msg = "文件为空（没有表头和数据行） / the file is empty (no header and no data rows)"
        raise InputError(msg, file=path) from exc
    except pd.errors.ParserError as exc:
        msg = f"无法作为 CSV 表格读取 / not a readable CSV table: {exc}"
        raise InputError(msg, file=path) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return _drop_blank(frame, None)


def _read_excel(path: Path, sheet: str | int | None) -> RawTable:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        msg = f"无法作为 .xlsx 工作簿读取 / not a readable .xlsx workbook: {exc}"
        raise InputError(msg, file=path) from exc
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(book.worksheets):
                msg = (
                    f"没有序号为 {sheet} 的工作表（工作簿共有{len(book.worksheets)}个） / "
                    f"no sheet number {sheet} (the workbook has {len(book.worksheets)})"
                )
                raise InputError(msg, file=path, column="sheet")
            ws = book.worksheets[sheet]
        else:
            if sheet not in book.sheetnames:
                msg = (
                    f"没有工作表“{sheet}” / "
                    f"no sheet '{sheet}': sheets are {', '.join(book.sheetnames)}"
                )
                raise InputError(msg, file=path, column="sheet")
            ws = book[sheet]
        values = list(ws.iter_rows(values_only=True))
    finally:
        book.close()
    if not values:
        msg = "工作表为空（没有表头和数据行） / the sheet is empty (no header and no data rows)"
        raise InputError(msg, file=path)
    # Skip title lines above the header (e.g. a merged "吕梁市自然村统计表" cell): the header
    # is the first of the top rows with at least two filled cells.
    filled = [sum(v is not None and str(v).strip() != "" for v in row) for row in values[:10]]
    start = next((i for i, k in enumerate(filled) if k >= 2), 0)
    header, values = values[start], values[start:]
    keep = [i for i, h in enumerate(header) if h is not None and str(h).strip()]
    names = [str(header[i]).strip() for i in keep]
    body = [[row[i] if i < len(row) else None for i in keep] for row in values[1:]]
    frame = pd.DataFrame(body, columns=names, dtype=object)
    return _drop_blank(frame, None)


def _shapefile_encoding(path: Path) -> str | None:
    """Return the encoding named by a Shapefile's ``.cpg`` sidecar, if a Python codec matches."""
    for cpg in (path.with_suffix(".cpg"), path.with_suffix(".CPG")):
        if cpg.exists():
            name = cpg.read_text(encoding="ascii", errors="ignore").strip()
            name = {"936": "gbk", "65001": "utf-8", "utf8": "utf-8"}.get(name.lower(), name)
            try:
                return codecs.lookup(name).name
            except LookupError:
                return None
    return None


def _recode(value: object, encoding: str, errors: str) -> object:
    if isinstance(value, str):
        return value.encode("latin-1").decode(encoding, errors=errors)
    return value


def _read_shapefile(path: Path) -> gpd.GeoDataFrame:
    """Read a Shapefile byte-exactly and decode its text with the right encoding.

    Field names cut at 10 bytes can end in half a character, which GDAL cannot decode; so
    the file is read as Latin-1 (every byte a character) and recoded here with the
    encoding of its ``.cpg``, or else UTF-8 or GB18030, whichever decodes the text.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = gpd.read_file(path, engine="pyogrio", encoding="ISO-8859-1")
    texts = [c for c in gdf.columns if c != gdf.geometry.name]
    encoding = _shapefile_encoding(path)
    if encoding is None:
        sample = b"".join(
            v.encode("latin-1") for c in texts for v in gdf[c].to_numpy() if isinstance(v, str)
        )
        encoding = "gb18030"
        try:
            sample.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            pass
    names = {c: _recode(c, encoding, "ignore") for c in texts}
    for column in texts:
        if gdf[column].dtype == object or pd.api.types.is_string_dtype(gdf[column]):
            gdf[column] = gdf[column].map(
                lambda v, enc=encoding: _recode(v, enc, "replace"), na_action="ignore"
            )
    return gdf.rename(columns=names)


def _read_geo(path: Path, layer: str | int | None) -> RawTable:
    try:
        if path.suffix.lower() == ".shp":
            gdf = _read_shapefile(path)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf = gpd.read_file(path, engine="pyogrio", layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = (
            f"无法读取该 {path.suffix} 文件或图层 / "
            f"not a readable {path.suffix} file or layer: {exc}"
        )
        raise InputError(msg, file=path, column=None if layer is None else "layer") from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        return _drop_blank(pd.DataFrame(gdf), None)
    geometry = gdf.geometry
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return _drop_blank(frame, geometry)


def _drop_blank(frame: pd.DataFrame, geometry: gpd.GeoSeries | None) -> RawTable:
    """Drop rows with no value at all, keeping the file's row numbers."""
    frame = frame.reset_index(drop=True)
    rows = np.arange(1, len(frame) + 1)
    if frame.shape[1]:
        text = frame.astype(str).apply(lambda s: s.str.strip())
        blank = (frame.isna() | text.isin(["", "None", "nan"])).all(axis=1).to_numpy()
    else:
        blank = np.ones(len(frame), dtype=bool)
    if geometry is not None:
        geometry = geometry.reset_index(drop=True)
        blank = blank & (geometry.isna().to_numpy() | geometry.is_empty.to_numpy())
        geometry = geometry[~blank].reset_index(drop=True)
    return RawTable(frame[~blank].reset_index(drop=True), rows[~blank], geometry)


def read_raw(
    path: str | Path, *, layer: str | int | None = None, sheet: str | int | None = None
) -> RawTable:
    """Read any supported file into a :class:`RawTable`.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.txt``/``.tsv``, ``.xlsx``, ``.gpkg``, ``.geojson``/``.json`` or ``.shp``.
    layer : str or int, optional
        Layer of a GeoPackage.
    sheet : str or int, optional
        Sheet name or 0-based index of a workbook (default the first sheet).

    Returns
    -------
    RawTable
        Rows with their 1-based data row numbers; entirely blank rows are skipped.

    Raises
    ------
    InputError
        When the file is missing, of an unknown type, unreadable, or has no data rows.
    """
    path = check_path(path)
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        raw = _read_csv(path)
    elif suffix in EXCEL_SUFFIXES:
        raw = _read_excel(path, sheet)
    else:
        raw = _read_geo(path, layer)
        if suffix == ".shp":
            raw = RawTable(raw.frame, raw.rows, raw.geometry, shapefile=True)
    if raw.frame.empty and (raw.geometry is None or raw.geometry.empty):
        msg = "文件没有数据行 / the file has no data rows"
        raise InputError(msg, file=path)
    return raw
