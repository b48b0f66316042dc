"""Resettlement job: evaluate sites, assign relocating villages, write tables, ledger and map."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.report.output import final_paths, staged_output
from lvliang_coverage.report.workbook import write_csv, write_json
from lvliang_coverage.services.relocation.analysis import RelocationPlan, plan_relocation
from lvliang_coverage.services.relocation.ledger import write_relocation_ledger
from lvliang_coverage.study import Study


def _site_table(plan: RelocationPlan) -> pd.DataFrame:
    """Site evaluation as a plain table with ``lon``/``lat`` (WGS84 degrees)."""
    s = plan.sites
    return pd.DataFrame(s.drop(columns="geometry")).assign(lon=s.geometry.x, lat=s.geometry.y)


def relocation_plan(
    study: Study,
    out_dir: str | Path,
    *,
    mode: str | None = None,
    lang: str = "zh",
    maps: bool = True,
    maps_dir: str | Path | None = None,
    basemap: str = "osm",
) -> tuple[RelocationPlan, list[Path]]:
    """Evaluate resettlement sites (article 16) and assign relocating villages (article 15).

    Writes ``relocation_sites.csv`` (services per site), ``relocation_assignment.csv``,
    ``relocation_unassigned.csv``, ``relocation_plan.json`` (headline figures and solver
    report), ``relocation_ledger.xlsx``/``.csv`` and (with ``maps``) ``relocation_plan.html``
    into ``out_dir``; nothing is written when any step fails.

    Parameters
    ----------
    study : Study
        Inputs; ``study.sites`` must hold the resettlement sites.
    out_dir : str or Path
        Output folder.
    mode : str, optional
        Travel mode (default ``relocation.mode``, motorcycle).
    lang : {"zh", "en"}
        Language of the ledger and the map.
    maps : bool
        Also write the HTML map.
    maps_dir : str or Path, optional
        Folder for the HTML map (default: ``out_dir``).
    basemap : str
        Base map of the HTML map.

    Returns
    -------
    (RelocationPlan, list of Path)
        The plan and the files written.

    Raises
    ------
    InputError
        When the study has no sites, or on any invalid input.
    """
    if lang not in {"zh", "en"}:
        msg = f"lang must be 'zh' or 'en', got {lang!r}"
        raise InputError(msg, column="lang")
    if study.sites is None:
        msg = "the study has no resettlement sites: give --sites FILE"
        raise InputError(msg, column="sites")
    rules = study.rules
    net = study.network(mode or rules.relocation.mode)
    study.progress(
        f"评估{len(study.sites)}个安置点并安置搬迁村 / evaluating {len(study.sites)} sites, "
        "assigning relocating villages"
    )
    plan = plan_relocation(study.villages, study.sites, study.facilities, net, rules=rules)
    with staged_output(out_dir, maps_dir=maps_dir) as stage:
        files = [
            write_csv(_site_table(plan), stage / "relocation_sites.csv"),
            write_csv(plan.assignment, stage / "relocation_assignment.csv"),
            write_csv(plan.unassigned, stage / "relocation_unassigned.csv"),
        ]
        files.append(write_json(plan.summary(), stage / "relocation_plan.json"))
        files += write_relocation_ledger(plan, stage, lang=lang)
        if maps:
            from lvliang_coverage.services.relocation.map import relocation_map  # noqa: PLC0415 - heavy import

            study.progress("绘制安置地图 / drawing the resettlement map")
            m = relocation_map(study, plan, lang=lang, basemap=basemap)
            files.append(m.save(stage / "relocation_plan.html"))
    return plan, final_paths(files, stage, out_dir, maps_dir)
