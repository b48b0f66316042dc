"""Run one task of a service end to end: analyse, then write its tables, ledger and map.

The same steps for every service: the result's tables as CSV (UTF-8 with BOM), GeoJSON or
JSON by file name, the ledger as a workbook and its CSV twin, the map as offline HTML, all
staged so that nothing is written unless every step succeeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.report.output import final_paths, staged_output
from lvliang_coverage.report.vocabulary import check_lang
from lvliang_coverage.report.workbook import write_csv, write_json, write_ledger_files
from lvliang_coverage.services.contract import Service, ServiceResult
from lvliang_coverage.study import Study


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
        table.to_file(path, driver="GeoJSON", engine="pyogrio")
        return path
    if name.endswith(".csv") and isinstance(table, pd.DataFrame):
        return write_csv(table, path)
    if name.endswith(".json") and isinstance(table, Mapping):
        return write_json(dict(table), path)
    msg = f"cannot write {type(table).__name__} as {name}"
    raise ValueError(msg)


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
    # the output folders are locked and checked before the analysis starts
    with staged_output(
        out_dir,
        maps_dir=maps_dir,
        protect=protect,
        replace=replace,
        run_id=run_id,
        owner=f"{service.name} {task}",
    ) as stage:
        result = service.analyse(study, study.rules, task=task, **options)
        ledger = service.ledger(result, lang)
        files = [write_table(name, table, stage) for name, table in result.tables().items()]
        if len(study.dropped):  # points dropped on reading (--drop-outliers): listed, not lost
            files.append(write_table("dropped_points.csv", study.dropped, stage))
        if ledger is not None:
            files += write_ledger_files(ledger, stage)
        if maps and spec.map_file is not None:
            m = service.map(result, lang, study=study, basemap=basemap)
            if m is not None:
                files.append(m.save(stage / spec.map_file))
    return Run(service, result, final_paths(files, stage, out_dir, maps_dir))
