"""Water-bureau job: site drinking-water projects and write tables, ledger and map."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.report.output import final_paths, staged_output
from lvliang_coverage.report.workbook import write_csv, write_json
from lvliang_coverage.services.water.analysis import WaterPlan, plan_water
from lvliang_coverage.services.water.ledger import write_water_ledger
from lvliang_coverage.study import Study

WATER_FILES = (
    "water_plan_villages.csv",
    "water_plan_sources.csv",
    "water_budget.csv",
    "water_plan_unserved.csv",
    "water_pipelines.geojson",
    "water_plan.json",
    "water_ledger.xlsx",
    "water_ledger.csv",
)
"""Files :func:`water_site` writes into ``out_dir`` (plus ``water_plan.html`` with maps)."""


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn a point layer into a table with ``lon``/``lat`` columns instead of geometry."""
    return pd.DataFrame(frame.drop(columns="geometry")).assign(
        lon=frame.geometry.x.round(6), lat=frame.geometry.y.round(6)
    )


def water_site(
    study: Study,
    out_dir: str | Path,
    *,
    budget: float | None = None,
    lang: str = "zh",
    maps: bool = True,
    maps_dir: str | Path | None = None,
    basemap: str = "osm",
) -> tuple[WaterPlan, list[Path]]:
    """Site drinking-water projects for every unsafe village and write the results.

    Writes :data:`WATER_FILES` into ``out_dir`` (per-village plan, every source with its
    role, per-county budget, unserved villages with reasons, the mains along their routes as
    GeoJSON, headline figures and solver reports as JSON, the Excel ledger and its CSV twin)
    and, with ``maps``, ``water_plan.html`` (into ``maps_dir`` when given). Nothing is written
    when a step fails.

    Parameters
    ----------
    study : Study
        Inputs; needs ``water_sources``.
    out_dir : str or Path
        Output folder.
    budget : float, optional
        Budget in yuan (default: serve every servable village at least cost).
    lang : {"zh", "en"}
        Language of the ledger and the map.
    maps : bool
        Also write the HTML map.
    maps_dir : str or Path, optional
        Folder for the map (default ``out_dir``).
    basemap : str
        Base map of the HTML map.

    Returns
    -------
    (WaterPlan, list of Path)
        The plan and the files written.

    Raises
    ------
    InputError
        When the study has no water sources, or on invalid input or settings.
    """
    if study.water_sources is None or study.water_sources.empty:
        msg = "the study has no water sources: give --sources FILE"
        raise InputError(msg, column="sources")
    if lang not in {"zh", "en"}:
        msg = f"lang must be 'zh' or 'en', got {lang!r}"
        raise InputError(msg, column="lang")
    rules = study.rules
    net = study.network(rules.water.pipe_mode)
    study.progress("水源工程选址 / siting drinking-water projects")
    plan = plan_water(
        study.villages,
        study.water_sources,
        net,
        rules=rules,
        dem=study.dem_path,
        budget=budget,
        routes=True,
    )
    summary = {**plan.summary(), "solves": plan.solves.to_dict(orient="records")}
    with staged_output(out_dir, maps_dir=maps_dir) as stage:
        files = [
            write_csv(_flat(plan.villages), stage / "water_plan_villages.csv"),
            write_csv(_flat(plan.sources), stage / "water_plan_sources.csv"),
            write_csv(plan.counties, stage / "water_budget.csv"),
            write_csv(_flat(plan.unserved), stage / "water_plan_unserved.csv"),
        ]
        pipes = stage / "water_pipelines.geojson"
        plan.pipelines.to_file(pipes, driver="GeoJSON", engine="pyogrio")
        files.append(pipes)
        files.append(write_json(summary, stage / "water_plan.json"))
        files += write_water_ledger(plan, stage, lang=lang)
        if maps:
            from lvliang_coverage.services.water.map import water_map  # noqa: PLC0415 - folium is heavy

            study.progress("绘制供水规划地图 / drawing the water plan map")
            files.append(
                water_map(study, plan, lang=lang, basemap=basemap).save(stage / "water_plan.html")
            )
    return plan, final_paths(files, stage, out_dir, maps_dir)
