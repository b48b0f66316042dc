"""End-to-end jobs: read a study, analyse it, write tables, ledgers and maps into a folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lvliang_coverage.report.output import final_paths, staged_output
from lvliang_coverage.report.workbook import write_csv, write_json
from lvliang_coverage.services.clinics.check import (
    check_compliance,
    compliance_summary,
    village_status,
)
from lvliang_coverage.services.clinics.ledger import (
    clinic_ledger,
    ledger_summary,
    write_clinic_ledger,
)
from lvliang_coverage.services.clinics.map import compliance_map, plan_map
from lvliang_coverage.services.clinics.plan import ClinicPlan, plan_clinics
from lvliang_coverage.services.clinics.staffing import county_staffing, township_staffing
from lvliang_coverage.study import Study

STAFFING_HEADERS = {
    "zh": ["县", "乡镇", "常住人口", "应配医生", "现有医生", "缺口"],
    "en": ["County", "Township", "Residents", "Doctors required", "Doctors now", "Shortfall"],
}


@dataclass
class ClinicCheckResult:
    """Output of :func:`clinic_check`.

    Attributes
    ----------
    table : pandas.DataFrame
        Compliance of every village per mode (``clinic_compliance.csv``).
    summary : pandas.DataFrame
        Per county and mode.
    townships, counties : pandas.DataFrame
        Article-8 staffing per township and per county.
    files : list of Path
        Files written.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    townships: pd.DataFrame
    counties: pd.DataFrame
    files: list[Path]


def _deciding_mode(study: Study, modes: list[str]) -> str:
    default = study.rules.clinic.default_mode
    return default if default in modes else modes[0]


def _staffing_sheet(townships: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = townships.copy()
    out.columns = STAFFING_HEADERS[lang]
    return out


def clinic_check(
    study: Study,
    out_dir: str | Path,
    *,
    modes: list[str] | None = None,
    lang: str = "zh",
    maps: bool = True,
    maps_dir: str | Path | None = None,
    basemap: str = "osm",
    plan: ClinicPlan | None = None,
) -> ClinicCheckResult:
    """Check every village against article 7 and township doctors against article 8.

    Writes ``clinic_compliance.csv``, ``clinic_summary.csv``, ``township_doctors.csv``,
    ``clinic_ledger.xlsx``/``.csv`` and (with ``maps``) ``clinic_compliance.html`` into
    ``out_dir``; nothing is written when any step fails.

    Parameters
    ----------
    study : Study
        Inputs.
    out_dir : str or Path
        Output folder.
    modes : list of str, optional
        Travel modes (default: ``[clinic.default_mode]``, walking).
    lang : {"zh", "en"}
        Language of ledgers and maps.
    maps : bool
        Also write the HTML map.
    maps_dir : str or Path, optional
        Folder for the HTML map (default: ``out_dir``).
    basemap : str
        Base map of the HTML map.
    plan : ClinicPlan, optional
        A plan whose assignments become the ledger's proposed fixes.

    Returns
    -------
    ClinicCheckResult
        Tables and files.
    """
    rules = study.rules
    modes = modes or [rules.clinic.default_mode]
    care = study.care_facilities
    networks = {m: study.network(m) for m in modes}
    study.progress(f"核查{len(study.villages)}个村 / checking {len(study.villages)} villages")
    table = check_compliance(study.villages, care, networks, rules)
    summary = compliance_summary(table)
    centres = study.of_kind("health_centre")
    # no health-centre rows: the current doctors are unknown, not zero
    townships = township_staffing(study.villages, centres if len(centres) else None, rules)
    counties = county_staffing(townships)
    mode = _deciding_mode(study, modes)
    rows = clinic_ledger(table, care, plan=plan, mode=mode, rules=rules, lang=lang)
    with staged_output(out_dir, maps_dir=maps_dir) as stage:
        files = [
            write_csv(table, stage / "clinic_compliance.csv"),
            write_csv(summary, stage / "clinic_summary.csv"),
            write_csv(townships, stage / "township_doctors.csv"),
            write_csv(counties, stage / "county_doctors.csv"),
        ]
        sheet = "乡镇卫生院医生" if lang == "zh" else "Township doctors"
        files += write_clinic_ledger(
            rows,
            ledger_summary(table, mode, lang),
            stage,
            lang=lang,
            extra_sheets=[(sheet, _staffing_sheet(townships, lang))],
        )
        if maps:
            study.progress("绘制核查地图 / drawing the compliance map")
            one = table[table["mode"] == mode].reset_index(drop=True)
            net = networks[mode]
            areas = net.service_areas(care, [rules.clinic.max_travel_min])
            m = compliance_map(
                study,
                one,
                care,
                status=village_status(one),
                service_areas=areas,
                radius_m=rules.clinic.service_radius_m,
                lang=lang,
                basemap=basemap,
            )
            files.append(m.save(stage / "clinic_compliance.html"))
    return ClinicCheckResult(
        table, summary, townships, counties, final_paths(files, stage, out_dir, maps_dir)
    )


def clinic_plan(
    study: Study,
    out_dir: str | Path,
    *,
    mode: str | None = None,
    p_values: list[int] | None = None,
    capacity: float | None = None,
    candidates: object = None,
    lang: str = "zh",
    maps: bool = True,
    maps_dir: str | Path | None = None,
    basemap: str = "osm",
) -> tuple[ClinicPlan, list[Path]]:
    """Plan shared clinics (set covering, coverage curve, sharing groups) and write them.

    Writes ``clinic_plan_sites.csv`` (new clinics), ``clinic_plan_groups.csv`` (every small
    village and its clinic), ``clinic_plan_curve.csv`` (residents covered against p),
    ``clinic_plan_uncoverable.csv``, ``clinic_plan.json`` (headline figures and solver
    report) and ``clinic_plan.html``.

    Parameters
    ----------
    study : Study
        Inputs.
    out_dir : str or Path
        Output folder.
    mode : str, optional
        Deciding travel mode (default ``clinic.default_mode``).
    p_values : list of int, optional
        Budgets for the coverage curve.
    capacity : float, optional
        Residents per clinic in the sharing groups.
    candidates : GeoDataFrame, optional
        User candidate sites.
    lang : {"zh", "en"}
        Language of the map.
    maps : bool
        Also write the HTML map.
    maps_dir : str or Path, optional
        Folder for the HTML map (default: ``out_dir``).
    basemap : str
        Base map.

    Returns
    -------
    (ClinicPlan, list of Path)
        The plan and the files written.
    """
    rules = study.rules
    net = study.network(mode or rules.clinic.default_mode)
    study.progress("求解选址模型 / solving the set-covering and maximal-covering models")
    plan = plan_clinics(
        study.villages,
        study.care_facilities,
        net,
        rules=rules,
        candidates=candidates,  # type: ignore[arg-type]
        p_values=p_values,
        capacity=capacity,
    )
    groups = plan.assignment.assignment.rename(
        columns={
            "demand_id": "village_id",
            "facility_id": "site_id",
            "size": "population",
            "unit_cost": "minutes",
        }
    ).drop(columns="cost")
    curve = plan.curve.assign(new_ids=plan.curve["new_ids"].map(lambda t: ";".join(map(str, t))))
    with staged_output(out_dir, maps_dir=maps_dir) as stage:
        files = [
            write_csv(
                plan.new_sites.drop(columns="geometry").assign(
                    lon=plan.new_sites.geometry.x, lat=plan.new_sites.geometry.y
                ),
                stage / "clinic_plan_sites.csv",
            ),
            write_csv(groups, stage / "clinic_plan_groups.csv"),
            write_csv(curve, stage / "clinic_plan_curve.csv"),
            write_csv(plan.uncoverable, stage / "clinic_plan_uncoverable.csv"),
        ]
        files.append(write_json(plan.summary(), stage / "clinic_plan.json"))
        if maps:
            study.progress("绘制规划地图 / drawing the plan map")
            files.append(
                plan_map(study, plan, lang=lang, basemap=basemap).save(stage / "clinic_plan.html")
            )
    return plan, final_paths(files, stage, out_dir, maps_dir)


def overview(
    study: Study, maps_dir: str | Path, *, lang: str = "zh", basemap: str = "osm"
) -> list[Path]:
    """Write ``overview.html``: boundaries, roads, rivers, villages by size and facilities.

    Parameters
    ----------
    study : Study
        Inputs.
    maps_dir : str or Path
        Folder for the map.
    lang : {"zh", "en"}
        Label language.
    basemap : str
        Base map.

    Returns
    -------
    list of Path
        The file written.
    """
    from lvliang_coverage.maps.core import overview_map  # noqa: PLC0415

    study.progress("绘制总览地图 / drawing the overview map")
    m = overview_map(study, lang=lang, roads=study.edges, basemap=basemap)
    with staged_output(maps_dir) as stage:
        m.save(stage / "overview.html")
    return [Path(maps_dir) / "overview.html"]
