"""Monthly visits of village doctors (article 7): routes bringing the drugs to chronic patients.

Article 7 ends "村医每月开展面对面随访服务，对建档立卡贫困人口中的慢性病患者提供免费送药服务": every
month the village doctor visits the chronic patients among the registered poor and brings
their drugs free. Per clinic this is a vehicle-routing problem on the road network of the
doctor's mode (motorcycle by default): the doctor-days of the month are the vehicles, each
day starts and ends at the clinic and lasts at most a working day, and every village with
patients is visited (one that needs more than a day's visit is split over several days).
PyVRP solves it within a time limit per clinic; small clinics are also enumerated, which
proves their plans optimal. Times, days and shares are planning settings (``[visits]``).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL
from lvliang_coverage.config import Rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.services.clinics._visits_inputs import (
    check_plan,
    clinic_bases,
    patients,
    read_plan,
    serving_clinics,
)
from lvliang_coverage.services.clinics._visits_plan import (
    CLINIC_COLUMNS,
    REASONS,
    ROUTE_COLUMNS,
    VisitPlan,
    VisitSettings,
    plan_visits,
)
from lvliang_coverage.services.clinics.visits_columns import CHRONIC_POOR
from lvliang_coverage.study import Study

__all__ = [
    "CHRONIC_POOR",
    "REASONS",
    "ROUTE_COLUMNS",
    "SUMMARY_COLUMNS",
    "VILLAGE_COLUMNS",
    "VisitResult",
    "VisitRules",
    "run_visits",
    "visit_rules",
]

SECTION = "visits"
"""Name of the rules section the visits read."""

SUMMARY_COLUMNS = [
    "level",
    "county",
    "township",
    "clinic_id",
    "clinic_name",
    "clinics",
    *CLINIC_COLUMNS[4:],
]
"""Columns of ``visit_summary.csv``: ``level`` is ``clinic``, ``township``, ``county`` or
``city``; counts, days, hours (working time, travel included), kilometres and villages
beyond a day are summed over the clinics of the row (``fits_month``: every clinic fits its
month; ``solver_status``: ``optimal`` only when every clinic's plan is proven optimal)."""

VILLAGE_COLUMNS = [
    "village_id",
    "name",
    "county",
    "township",
    "clinic_id",
    "basis",
    "patients",
    "patients_estimated",
    "visits",
    "round_trip_min",
    "reason",
]
"""Columns of ``visit_villages.csv``: every village with patients, the clinic whose doctor
visits it and why (``basis``: own / plan / fastest), the patients (estimated or not), the
stops made for it, minutes there and back (travel only) and the reason it is left out
(:data:`REASONS`; empty when it is visited)."""


@dataclass(frozen=True)
class VisitRules:
    """Settings of the monthly visits, read from ``rules.toml`` section ``[visits]``.

    Every number is a planning assumption or a technical setting, not policy.

    Attributes
    ----------
    article : int
        Article of 吕政办发〔2019〕41号 (7).
    minutes_per_patient : float
        Minutes of a face-to-face follow-up with one chronic patient, drugs included.
    minutes_per_stop : float
        Minutes at each village besides the patients.
    working_day_hours : float
        Hours of one visiting day, from the clinic back to it.
    working_days_per_month : int
        Days one doctor can spend visiting in a month.
    doctors_per_clinic_default : int
        Doctors of a clinic whose registry gives none (missing or 0).
    mode : str
        The doctors' travel mode.
    chronic_share_default : float
        Share (0-1) of the registered poor who are chronic patients, where a registry lacks
        ``chronic_poor``.
    day_starts_at : str
        Clock time (``HH:MM``) a visiting day starts, for the doctors' sheets.
    solver_time_limit_s : float
        Seconds of PyVRP search per clinic at most.
    solver_no_improvement : int
        PyVRP iterations without improvement after which a clinic's search stops.
    exact_max_stops : int
        Clinics with at most this many stops are also solved by enumeration.
    clinic_at_village_m : float
        Metres within which a clinic stands at a settlement (its own clinic).
    """

    article: int
    minutes_per_patient: float
    minutes_per_stop: float
    working_day_hours: float
    working_days_per_month: int
    doctors_per_clinic_default: int
    mode: str
    chronic_share_default: float
    day_starts_at: str
    solver_time_limit_s: float
    solver_no_improvement: int
    exact_max_stops: int
    clinic_at_village_m: float

    @property
    def day_s(self) -> int:
        """Seconds of a working day (whole seconds)."""
        return math.floor(self.working_day_hours * 3600.0)

    @property
    def start_minute(self) -> int:
        """Minutes after midnight at which a visiting day starts."""
        hours, minutes = self.day_starts_at.split(":")
        return int(hours) * 60 + int(minutes)

    def settings(self) -> VisitSettings:
        """Return the settings of one plan in seconds."""
        return VisitSettings(
            day_s=self.day_s,
            stop_s=self.minutes_per_stop * 60.0,
            patient_s=self.minutes_per_patient * 60.0,
            days_per_doctor=self.working_days_per_month,
            time_limit_s=self.solver_time_limit_s,
            no_improvement=self.solver_no_improvement,
            exact_max_stops=self.exact_max_stops,
        )


_RANGES: dict[str, tuple[float, float, str, str]] = {
    "minutes_per_patient": (1e-9, 24 * 60.0, "须大于0", "must be greater than 0"),
    "minutes_per_stop": (0.0, 24 * 60.0, "不得为负", "must not be negative"),
    "working_day_hours": (1e-9, 24.0, "须在0-24小时之间", "must lie in (0, 24] hours"),
    "working_days_per_month": (1, 31, "须在1-31之间", "must lie in 1-31"),
    "doctors_per_clinic_default": (1, 1000, "须至少为1", "must be at least 1"),
    "chronic_share_default": (0.0, 1.0, "须在0-1之间", "must lie in 0-1"),
    "solver_time_limit_s": (1e-9, math.inf, "须大于0", "must be greater than 0"),
    "solver_no_improvement": (1, math.inf, "须至少为1", "must be at least 1"),
    "exact_max_stops": (0, 10, "须在0-10之间", "must lie in 0-10"),
    "clinic_at_village_m": (0.0, math.inf, "不得为负", "must not be negative"),
}
"""Allowed range (inclusive) of each number of the section, with the bilingual message."""


def visit_rules(rules: Rules) -> VisitRules:
    """Read the ``[visits]`` section of the rules in force.

    Parameters
    ----------
    rules : Rules
        Rules in force (shipped defaults plus user overrides).

    Returns
    -------
    VisitRules
        The settings.

    Raises
    ------
    InputError
        When the section is missing, a number is out of range or the start time is not
        ``HH:MM`` (naming the file and the key).
    """
    raw: Any = rules.raw.get(SECTION)
    if raw is None:
        msg = f"规则缺少 [{SECTION}] 部分 / the rules have no [{SECTION}] section"
        raise InputError(msg, column=SECTION)
    names = {f.name for f in fields(VisitRules)}
    missing = sorted(names - set(raw))
    if missing:
        key = f"{SECTION}.{missing[0]}"
        msg = f"规则缺少键 / the rules have no key '{key}'"
        raise InputError(msg, column=key)
    out = VisitRules(**{k: raw[k] for k in names})
    for name, (low, high, zh, en) in _RANGES.items():
        value = getattr(out, name)
        if not low <= value <= high:
            key = f"{SECTION}.{name}"
            msg = f"规则值{zh} / rules key '{key}' {en}, got {value!r}"
            raise InputError(msg, file=rules.source_of(key), column=key)
    try:
        start = datetime.time.fromisoformat(out.day_starts_at)
    except ValueError:
        start = None
    if start is None or len(out.day_starts_at) != 5:
        key = f"{SECTION}.day_starts_at"
        msg = f"规则值须为 HH:MM / rules key '{key}' must be HH:MM, got {out.day_starts_at!r}"
        raise InputError(msg, file=rules.source_of(key), column=key)
    if out.mode not in rules.modes:
        key = f"{SECTION}.mode"
        msg = f"未知的出行方式 / unknown travel mode {out.mode!r} in '{key}'"
        raise InputError(msg, file=rules.source_of(key), column=key)
    return out


@dataclass
class VisitResult:
    """The month's visits of every clinic's doctors, as a result of the clinic service.

    Attributes
    ----------
    plan : VisitPlan
        Routes, villages, clinics, and the network the legs are drawn on.
    settings : VisitRules
        The ``[visits]`` settings used.
    mode : str
        The doctors' travel mode.
    villages : pandas.DataFrame
        :data:`VILLAGE_COLUMNS` (``visit_villages.csv``).
    summary_table : pandas.DataFrame
        :data:`SUMMARY_COLUMNS` per clinic, township, county and the city
        (``visit_summary.csv``).
    patients_estimated : bool
        Whether any patient count is the rules' share of the registered poor.
    plan_file : str or None
        The clinic plan whose sharing groups were used, if any.
    study : Study
        The study analysed (map context).
    task : str
        ``"visits"``.
    """

    plan: VisitPlan
    settings: VisitRules
    mode: str
    villages: pd.DataFrame
    summary_table: pd.DataFrame
    patients_estimated: bool
    plan_file: str | None
    study: Study = field(repr=False)
    task: str = "visits"

    @property
    def routes(self) -> pd.DataFrame:
        """``visit_routes.csv``: :data:`ROUTE_COLUMNS`."""
        return self.plan.routes[ROUTE_COLUMNS]

    def tables(self) -> dict[str, Any]:
        """Files of the visits: routes, summary, villages, headline figures."""
        return {
            "visit_routes.csv": self.routes,
            "visit_summary.csv": self.summary_table,
            "visit_villages.csv": self.villages,
            "visit_plan.json": self.summary(),
        }

    def summary(self) -> dict[str, object]:
        """City figures: clinics, villages, patients, days, hours, km, villages left out."""
        city = self.summary_table[self.summary_table["level"] == "city"]
        row = city.iloc[0] if len(city) else pd.Series(dtype=object)
        c = self.plan.clinics
        v = self.villages
        s = self.settings

        def num(key: str) -> object:
            value: Any = row.get(key)
            return value.item() if hasattr(value, "item") else value

        return {
            "mode": self.mode,
            "clinics": len(c),
            "villages": len(v),
            "villages_visited": int((v["reason"] == "").sum()),
            "patients": int(v["patients"].sum()),
            "patients_estimated": bool(self.patients_estimated),
            "chronic_share_default": s.chronic_share_default if self.patients_estimated else None,
            "days_needed": num("days_needed"),
            "clinics_over_month": int((~c["fits_month"].astype(bool)).sum()),
            "hours": num("hours"),
            "travel_hours": num("travel_hours"),
            "km": num("km"),
            "villages_beyond_day": int(v["reason"].str.contains("beyond_day").sum()),
            "villages_unreachable": int(v["reason"].str.contains("unreachable").sum()),
            "villages_no_clinic": int(v["reason"].str.contains("no_clinic").sum()),
            "clinics_optimal": int((c["solver_status"] == "optimal").sum()),
            "clinics_heuristic": int((c["solver_status"] == "heuristic").sum()),
            "solve_seconds": float(c["solve_seconds"].sum()),
            "solver": "PyVRP",
            "solver_time_limit_s": s.solver_time_limit_s,
            "working_day_hours": s.working_day_hours,
            "working_days_per_month": s.working_days_per_month,
            "minutes_per_patient": s.minutes_per_patient,
            "minutes_per_stop": s.minutes_per_stop,
            "plan_file": self.plan_file,
        }


def _levels(clinics: pd.DataFrame) -> pd.DataFrame:
    """Sum the clinic rows up to townships, counties and the city (:data:`SUMMARY_COLUMNS`)."""
    c = clinics.assign(level="clinic", clinics=1)
    c["county"] = c["county"].fillna("").astype(str)
    c["township"] = c["township"].fillna("").astype(str)
    sums = {
        "clinics": "sum",
        "doctors": "sum",
        "villages": "sum",
        "patients": "sum",
        "patients_estimated": "any",
        "stops": "sum",
        "days_needed": "sum",
        "days_available": "sum",
        "fits_month": "all",
        "hours": "sum",
        "travel_hours": "sum",
        "km": "sum",
        "villages_beyond_day": "sum",
        "villages_unreachable": "sum",
        "cost_min": "sum",
        "optimum_min": "sum",
        "solve_seconds": "sum",
    }
    optimal = c["solver_status"].eq("optimal")
    c = c.assign(_optimal=optimal, _proven=c["optimum_min"].notna())
    parts = [c]
    for level, keys in (("township", ["county", "township"]), ("county", ["county"]), ("city", [])):
        g = c.assign(_all=CITY_TOTAL) if not keys else c
        by = keys or ["_all"]
        agg = g.groupby(by, sort=False).agg({**sums, "_optimal": "all", "_proven": "all"})
        agg = agg.reset_index()
        if not keys:
            agg = agg.rename(columns={"_all": "county"})
        agg["level"] = level
        agg["solver_status"] = np.where(agg["_optimal"], "optimal", "heuristic")
        agg.loc[~agg["_proven"], "optimum_min"] = np.nan
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    for col in ("clinic_id", "clinic_name", "township"):
        out[col] = out[col].fillna("") if col in out.columns else ""
    for col in ("hours", "travel_hours", "km"):
        out[col] = out[col].astype(float).round(2)
    if clinics.empty:
        out = out.iloc[:0]
    return out[SUMMARY_COLUMNS].reset_index(drop=True)


def run_visits(
    study: Study,
    rules: Rules,
    *,
    mode: str | None = None,
    plan: str | Path | pd.DataFrame | None = None,
) -> VisitResult:
    """Plan the month's visits of every village doctor of a study (article 7).

    Parameters
    ----------
    study : Study
        Inputs: villages (``registered_poor`` and/or ``chronic_poor``), village clinics.
    rules : Rules
        Rules in force (``[visits]``).
    mode : str, optional
        The doctors' travel mode (default ``visits.mode``, motorcycle).
    plan : str, Path or DataFrame, optional
        A clinic plan's assignment table (``clinic_plan_groups.csv`` of ``clinics plan``,
        or the table already read by :func:`~._visits_inputs.read_plan`): villages without
        their own clinic are visited from their sharing group's clinic.

    Returns
    -------
    VisitResult
        Routes, per-clinic to city summary, villages and their reasons.

    Raises
    ------
    InputError
        On bad settings, patient counts, a plan naming unknown villages or clinics, or a
        study without village clinics.
    """
    settings = visit_rules(rules)
    mode = mode or settings.mode
    net = study.network(mode)
    clinics = study.require("clinic")
    plan_file = None
    table = None
    if isinstance(plan, pd.DataFrame):
        table = plan
    elif plan is not None:
        plan_file = str(plan)
        table = read_plan(plan)
    villages = study.villages.reset_index(drop=True)
    if table is not None:
        check_plan(table, villages, plan_file)
    counts, estimated = patients(villages, settings.chronic_share_default)
    want = counts > 0
    visit = villages[want].reset_index(drop=True)
    study.progress(
        f"为{int(want.sum())}个有慢性病患者的村找卫生室 / finding the clinic of "
        f"{int(want.sum())} villages with chronic patients"
    )
    serving = serving_clinics(visit, clinics, net, host_m=settings.clinic_at_village_m, plan=table)
    bases = clinic_bases(
        clinics,
        villages,
        doctors_default=settings.doctors_per_clinic_default,
        plan=table,
        care=study.care_facilities if table is not None else None,
        plan_file=plan_file,
    )
    done = plan_visits(
        visit,
        serving,
        bases,
        net,
        settings.settings(),
        patients=counts[want],
        estimated=estimated[want],
        progress=study.progress,
    )
    place = visit[["village_id", "name", "county", "township"]].assign(
        village_id=visit["village_id"].astype(str)
    )
    village_table = place.merge(done.villages, on="village_id", how="right")[VILLAGE_COLUMNS]
    village_table["round_trip_min"] = village_table["round_trip_min"].astype(float)
    return VisitResult(
        plan=done,
        settings=settings,
        mode=mode,
        villages=village_table,
        summary_table=_levels(done.clinics),
        patients_estimated=bool(estimated[want].any()),
        plan_file=plan_file,
        study=study,
    )
