"""Run one task of a service end to end: analyse, then write its tables, ledger and map.

The same steps for every service: the result's tables as CSV (UTF-8 with BOM), GeoJSON or
JSON by file name, rounded by column name (:func:`round_columns`), the ledger as a workbook
and its CSV twin (marked synthetic when the study is, dated the day of the run), the map as
offline HTML, all staged so that nothing is written unless every step succeeds.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.report.output import final_paths, staged_output
from lvliang_coverage.report.vocabulary import both, check_lang
from lvliang_coverage.report.workbook import Ledger, write_csv, write_json, write_ledger_files
from lvliang_coverage.services import registry
from lvliang_coverage.services.contract import Service, ServiceResult
from lvliang_coverage.study import Study

TableT = TypeVar("TableT", bound=pd.DataFrame)

ROUNDING: tuple[tuple[str, int], ...] = (
    ("_m", 0),
    ("_km", 2),
    ("_min", 1),
    ("minutes", 1),
    ("_yuan", 0),
    ("_yuan_year", 0),
    ("_s", 0),
    ("_seconds", 3),
)
"""Column-name suffix -> decimals kept in written tables (0: whole numbers, integer cells).

Metres to 1 m, kilometres to 0.01 km (10 m), minutes to 0.1 min (6 s), yuan (and yuan per
year) to 1 yuan, seconds to 1 s (a solver's ``solve_seconds`` to 1 ms). Other columns
(longitude/latitude, shares, counts, m³/day) are written as computed.
"""

AS_GIVEN = ("time_limit_s",)
"""Columns and keys written as they are although their suffix is in :data:`ROUNDING`: settings
echoed in a report (the solver's time limit, e.g. 7.5 s), not measured values."""

COORDINATE_DECIMALS = 7
"""Decimals of longitude/latitude in GeoJSON geometries (about 1 cm; OSM stores 7)."""


@dataclass
class Run:
    """A finished task: the result and the files written (final paths).

    Attributes
    ----------
    service : Service
        The service.
    result : ServiceResult
        The analysis result.
    files : list of Path
        Files written, in writing order.
    """

    service: Service
    result: ServiceResult
    files: list[Path]


def _decimals_of(column: object) -> int | None:
    """Decimals kept for a column by :data:`ROUNDING`, or None to leave it as computed."""
    name = str(column)
    if name in AS_GIVEN:
        return None
    for suffix, decimals in ROUNDING:
        if name.endswith(suffix):
            return decimals
    return None


def round_columns(table: TableT) -> TableT:
    """Round a table's float columns to a sensible precision by the suffix of their names.

    ``_m`` (metres) to whole metres, ``_km`` to 0.01 km, ``_min`` (and ``minutes``) to
    0.1 min, ``_yuan`` and ``_yuan_year`` to whole yuan, ``_s`` (seconds) to whole seconds
    (:data:`ROUNDING`). Whole-number columns become integer columns (nullable ``Int64``
    where values are missing, written as empty cells), so a CSV holds ``2045``, not
    ``2045.4348843457847`` or ``2045.0``. Other columns (and the settings of
    :data:`AS_GIVEN`), the geometry and longitude/latitude are left as they are; the input is
    not modified.

    Parameters
    ----------
    table : DataFrame or GeoDataFrame
        A result table (any CRS; geometry untouched).

    Returns
    -------
    DataFrame or GeoDataFrame
        A rounded copy (the same object when no column needs rounding).

    Examples
    --------
    >>> round_columns(pd.DataFrame({"pipe_m": [2045.4348843457847], "travel_min": [12.345]}))
       pipe_m  travel_min
    0    2045        12.3
    """
    changes: dict[str, pd.Series] = {}
    for column in table.columns:
        decimals = _decimals_of(column)
        values = table[column]
        if decimals is None or not pd.api.types.is_float_dtype(values.dtype):
            continue
        rounded = values.round(decimals)
        if decimals == 0:
            finite = rounded.dropna()
            if len(finite) and not np.isfinite(finite.to_numpy(dtype=float)).all():
                changes[str(column)] = rounded  # infinities stay floats
                continue
            rounded = rounded.astype("int64" if not rounded.isna().any() else "Int64")
        changes[str(column)] = rounded
    return table.assign(**changes) if changes else table


def _round_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """Round the float values of a JSON mapping (nested mappings too) by key, as tables."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        decimals = _decimals_of(key)
        if isinstance(value, Mapping):
            out[key] = _round_mapping(value)
        elif decimals is not None and isinstance(value, float) and np.isfinite(value):
            out[key] = round(value) if decimals == 0 else round(value, decimals)
        else:
            out[key] = value
    return out


def write_table(name: str, table: object, folder: Path) -> Path:
    """Write one result table by the suffix of ``name``: ``.csv``, ``.geojson`` or ``.json``.

    Parameters
    ----------
    name : str
        File name.
    table : DataFrame, GeoDataFrame or Mapping
        The table.
    folder : Path
        Folder to write into.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        For another suffix or a table of the wrong type.
    """
    path = folder / name
    if name.endswith(".geojson") and isinstance(table, gpd.GeoDataFrame):
        degrees = table.crs is not None and table.crs.is_geographic
        precision = {"COORDINATE_PRECISION": COORDINATE_DECIMALS} if degrees else {}
        round_columns(table).to_file(path, driver="GeoJSON", engine="pyogrio", **precision)
        return path
    if name.endswith(".csv") and isinstance(table, pd.DataFrame):
        return write_csv(round_columns(table), path)
    if name.endswith(".json") and isinstance(table, Mapping):
        return write_json(_round_mapping(table), path)
    msg = f"无法写出 / cannot write {type(table).__name__} as {name}"
    raise ValueError(msg)


def dated_ledger(ledger: Ledger, study: Study, today: datetime.date | None = None) -> Ledger:
    """Mark a ledger as the runner writes it: synthetic when the study is, dated today.

    Parameters
    ----------
    ledger : Ledger
        The service's ledger (unchanged).
    study : Study
        The study analysed; ``study.synthetic`` (the embedded demo data) marks the ledger.
    today : datetime.date, optional
        填报日期 (default: today); a date the service set is kept.

    Returns
    -------
    Ledger
        A copy with ``synthetic`` and ``report_date`` set.
    """
    return dataclasses.replace(
        ledger,
        synthetic=bool(ledger.synthetic or study.synthetic),
        report_date=ledger.report_date or today or datetime.date.today(),
    )


def run_task(
    service: Service,
    study: Study,
    task: str,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    maps: bool = True,
    maps_dir: str | Path | None = None,
    basemap: str = "osm",
    protect: Iterable[str | Path] = (),
    replace: bool = False,
    run_id: str | None = None,
    **options: Any,
) -> Run:
    """Analyse one task of ``service`` on ``study`` and write all its outputs.

    Parameters
    ----------
    service : Service
        The service.
    study : Study
        Inputs; its rules are the rules in force.
    task : str
        The task, e.g. ``"check"``.
    out_dir : str or Path
        Folder for tables and ledgers.
    lang : {"zh", "en"}
        Language of ledgers and maps.
    maps : bool
        Also write the HTML map.
    maps_dir : str or Path, optional
        Folder for the HTML map (default ``out_dir``).
    basemap : str
        Base map of the HTML map.
    protect : iterable of str or Path
        The input files of the run: an output at one of these paths is refused before any
        work (inputs are never overwritten).
    replace : bool
        Replace files in the output folders that no run of this tool wrote (default: refuse).
    run_id : str, optional
        Id shared by the tasks of one invocation (e.g. ``demo``), so their files add up to
        one set; files an earlier run owned and this one does not rewrite are removed.
    **options
        Task options for :meth:`Service.analyse`.

    Returns
    -------
    Run
        The result and the files written.

    Raises
    ------
    InputError
        On a wrong language or task, or any invalid input (nothing is written).
    """
    check_lang(lang)
    try:
        spec = service.task(task)
    except KeyError as exc:
        raise InputError(str(exc.args[0]), column="task") from exc
    progress = study.progress
    # the output folders are locked and checked before the analysis starts
    with staged_output(
        out_dir,
        maps_dir=maps_dir,
        protect=protect,
        replace=replace,
        run_id=run_id,
        owner=f"{service.name} {task}",
    ) as stage:
        for other in registry.services():  # e.g. the registry check's one-line summary
            line = None if other is service else other.preflight(study)
            if line:
                progress(line)
        result = service.analyse(study, study.rules, task=task, **options)
        ledgers = service.ledgers(result, lang)
        progress(both("writing"))
        files = [write_table(name, table, stage) for name, table in result.tables().items()]
        rasters = getattr(result, "rasters", None)  # optional: travel-time surfaces (GeoTIFF)
        for name, raster in (rasters() if callable(rasters) else {}).items():
            files.append(raster.write_geotiff(stage / name))
        if len(study.dropped):  # points dropped on reading (--drop-outliers): listed, not lost
            files.append(write_table("dropped_points.csv", study.dropped, stage))
        for ledger in ledgers:
            files += write_ledger_files(dated_ledger(ledger, study), stage)
        if maps and spec.map_file is not None:
            m = service.map(result, lang, study=study, basemap=basemap)
            if m is not None:
                progress(both("saving_map"))
                files.append(m.save(stage / spec.map_file))
    return Run(service, result, final_paths(files, stage, out_dir, maps_dir))
