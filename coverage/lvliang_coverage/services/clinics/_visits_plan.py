"""Every clinic's month of visits: leg matrices, split visits, the VRP, routes as rows."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.codes import CODE_SEPARATOR, join_codes
from lvliang_coverage.network.paths import PathFinder
from lvliang_coverage.services.access import Router
from lvliang_coverage.services.clinics._visits_solve import Problem, route_seconds, solve_clinic

REASONS = ("no_clinic", "unreachable", "beyond_day")
"""Why a village with patients is left out of the routes, joined with ``;``: no village
clinic can be reached from it; no road path between its clinic and it (either way); the way
there and back with one patient's visit exceeds a working day."""

ROUTE_COLUMNS = [
    "clinic_id",
    "day",
    "stop",
    "village_id",
    "arrival_min",
    "patients",
    "km",
    "minutes",
]
"""Columns of ``visit_routes.csv``: one row per stop, ``minutes`` (and ``km``) the leg into
the stop, ``arrival_min`` minutes after the day's start at the clinic; a last row per day
back at the clinic with ``village_id`` empty."""

CLINIC_COLUMNS = [
    "clinic_id",
    "clinic_name",
    "county",
    "township",
    "kind",
    "doctors",
    "villages",
    "patients",
    "patients_estimated",
    "stops",
    "days_needed",
    "days_available",
    "fits_month",
    "hours",
    "travel_hours",
    "km",
    "villages_beyond_day",
    "villages_unreachable",
    "solver_status",
    "cost_min",
    "optimum_min",
    "solve_seconds",
]
"""Per-clinic figures (the clinic rows of ``visit_summary.csv``)."""


@dataclass(frozen=True)
class VisitSettings:
    """What one plan needs of the ``[visits]`` rules (seconds, whole numbers)."""

    day_s: int
    stop_s: float
    patient_s: float
    days_per_doctor: int
    time_limit_s: float
    no_improvement: int
    exact_max_stops: int


@dataclass
class VisitPlan:
    """Every clinic's month of visits.

    Attributes
    ----------
    routes : pandas.DataFrame
        :data:`ROUTE_COLUMNS`, clinics in order, days 1.., stops 1.. (the return last).
    villages : pandas.DataFrame
        Every village with patients: ``village_id``, ``clinic_id``, ``basis``, ``patients``,
        ``patients_estimated``, ``visits`` (stops on its behalf: more than 1 when its
        patients take more than one day), ``round_trip_min`` (there and back, travel only),
        ``reason`` (:data:`REASONS`; empty when visited).
    clinics : pandas.DataFrame
        :data:`CLINIC_COLUMNS`, one row per clinic serving a village with patients.
    points : GeoDataFrame
        The layer the legs are numbered in: the clinics (``clinic_id``), then the villages
        (``village_id``), EPSG:4326; ``routes`` rows' legs run between its positions.
    legs : pandas.DataFrame
        Per row of ``routes``: ``origin`` and ``destination`` positions in ``points``.
    finder : PathFinder
        The network with ``points`` inserted (draws the legs along the roads).
    problems : dict
        Clinic id -> its :class:`~._visits_solve.Problem` (integer seconds), for baselines.
    """

    routes: pd.DataFrame
    villages: pd.DataFrame
    clinics: pd.DataFrame
    points: gpd.GeoDataFrame
    legs: pd.DataFrame
    finder: PathFinder = field(repr=False)
    problems: dict[str, Problem] = field(default_factory=dict, repr=False)


def _split(patients: int, cap: int) -> np.ndarray:
    """Patients of a village over as few visits as hold at most ``cap`` each, evenly."""
    k = max(1, math.ceil(patients / cap))
    return np.full(k, patients // k) + (np.arange(k) < patients % k)


def _clinic_problem(
    finder: PathFinder,
    members: np.ndarray,
    patients: np.ndarray,
    s: VisitSettings,
    doctors: int,
) -> tuple[Problem, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pose the VRP of one clinic: its stops (villages split by patients) and the reasons.

    Returns the problem, the village of each stop (0-based in ``members[1:]``), the
    patients of each stop, the round-trip seconds per village, the reason codes per village
    and the leg metres (members x members).
    """
    time, metres = finder.legs(members, max_s=float(s.day_s))
    trip = time[0, 1:] + time[1:, 0]
    none = ~np.isfinite(trip)
    unreachable = np.zeros(len(trip), dtype=bool)
    if none.any():  # beyond a day, or no path at all?
        far = np.flatnonzero(none)
        t_all, _ = finder.legs(np.r_[members[0], members[1:][far]])
        unreachable[far] = ~np.isfinite(t_all[0, 1:] + t_all[1:, 0])
        trip[far] = t_all[0, 1:] + t_all[1:, 0]
    room = s.day_s - trip - s.stop_s  # seconds left for patients on a day of this village only
    cap = np.floor(np.where(np.isfinite(room), room, -1.0) / s.patient_s)
    beyond = ~unreachable & (cap < 1)
    ok = ~unreachable & ~beyond
    parts = [_split(int(p), int(c)) for p, c in zip(patients[ok], cap[ok], strict=True)]
    counts = np.array([len(p) for p in parts], dtype=np.int64)
    village = np.repeat(np.flatnonzero(ok), counts)
    stop_patients = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    at = np.r_[0, 1 + village]
    leg = time[np.ix_(at, at)]
    leg = np.where(np.isfinite(leg), np.rint(leg), s.day_s + 1).astype(np.int64)
    np.fill_diagonal(leg, 0)
    service = np.rint(s.stop_s + stop_patients * s.patient_s).astype(np.int64)
    problem = Problem(leg, service, s.day_s, s.days_per_doctor * max(int(doctors), 1))
    reason = join_codes(
        {"no_clinic": np.zeros(len(trip), bool), "unreachable": unreachable, "beyond_day": beyond}
    )
    return problem, village, stop_patients, trip, reason, metres


def plan_visits(
    villages: gpd.GeoDataFrame,
    serving: pd.DataFrame,
    bases: gpd.GeoDataFrame,
    net: Router,
    settings: VisitSettings,
    *,
    patients: np.ndarray,
    estimated: np.ndarray,
    progress: Callable[[str], None] | None = None,
) -> VisitPlan:
    """Plan every clinic's month: one VRP per clinic, in a loop with progress lines.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages with patients (``village_id`` ...), any CRS; aligned with ``serving``,
        ``patients`` and ``estimated``.
    serving : DataFrame
        Each village's ``clinic_id`` and ``basis`` (``_visits_inputs.serving_clinics``).
    bases : GeoDataFrame
        The clinics (``_visits_inputs.BASE_COLUMNS``).
    net : TravelNetwork
        Network of the doctors' mode.
    settings : VisitSettings
        Working day, minutes per stop and patient (as seconds), days, solver limits.
    patients, estimated : numpy.ndarray
        Patients per village (residents) and whether the count is an estimate.
    progress : callable, optional
        Receives a line now and then.

    Returns
    -------
    VisitPlan
        Routes, villages and clinics.
    """
    say = progress or (lambda _: None)
    vid = villages["village_id"].astype(str).to_numpy()
    clinic_of = serving["clinic_id"].to_numpy(object)
    used = bases[bases["clinic_id"].isin(set(clinic_of[pd.notna(clinic_of)]))].reset_index(
        drop=True
    )
    points = gpd.GeoDataFrame(
        {
            "clinic_id": np.r_[used["clinic_id"].to_numpy(object), np.full(len(vid), None)],
            "village_id": np.r_[np.full(len(used), None), vid],
        },
        geometry=np.r_[used.geometry.to_numpy(), villages.geometry.to_crs(used.crs).to_numpy()],
        crs=used.crs,
    )
    finder = PathFinder(net, points)
    n_base = len(used)
    round_trip = np.full(len(vid), np.nan)
    reason = np.where(pd.isna(clinic_of), "no_clinic", "").astype(object)
    visits = np.zeros(len(vid), dtype=np.int64)
    route_parts: list[dict[str, np.ndarray]] = []
    rows: list[dict[str, object]] = []
    problems: dict[str, Problem] = {}
    order = pd.Series(np.arange(len(vid))).groupby(clinic_of, sort=False).indices
    total = len(used)
    step = max(1, total // 10)
    for i, base in enumerate(used.itertuples(index=False)):
        if i % step == 0:
            say(f"随访路线 {i}/{total} 个卫生室 / visit routes: {i} of {total} clinics")
        mine = np.asarray(order.get(base.clinic_id, []), dtype=np.int64)
        members = np.r_[i, n_base + mine]
        problem, village, stop_pat, trip, why, metres = _clinic_problem(
            finder, members, patients[mine], settings, int(base.doctors)
        )
        round_trip[mine] = trip / 60.0
        reason[mine] = why
        visits[mine] = np.bincount(village, minlength=len(mine))
        problems[str(base.clinic_id)] = problem
        plan = solve_clinic(
            problem,
            time_limit_s=settings.time_limit_s,
            no_improvement=settings.no_improvement,
            exact_max_stops=settings.exact_max_stops,
        )
        ids = np.concatenate([[""], vid[mine]]).astype(object)
        table = _route_rows(
            str(base.clinic_id),
            plan.routes,
            problem,
            (village, stop_pat, ids),
            metres=metres,
            members=members,
        )
        route_parts.append(table)
        travel_h = float(table["minutes"].sum()) / 60.0
        rows.append(
            {
                "clinic_id": base.clinic_id,
                "clinic_name": base.name,
                "county": base.county,
                "township": base.township,
                "kind": base.kind,
                "doctors": int(base.doctors),
                "villages": len(mine),
                "patients": int(patients[mine].sum()),
                "patients_estimated": bool(estimated[mine].any()),
                "stops": problem.n,
                "days_needed": len(plan.routes),
                "days_available": problem.max_days,
                "fits_month": len(plan.routes) <= problem.max_days,
                "hours": plan.cost_s / 3600.0,
                "travel_hours": travel_h,
                "km": float(table["km"].sum()),
                "villages_beyond_day": _count(why, "beyond_day"),
                "villages_unreachable": _count(why, "unreachable"),
                "solver_status": plan.status,
                "cost_min": plan.cost_s / 60.0,
                "optimum_min": np.nan if plan.optimum_s is None else plan.optimum_s / 60.0,
                "solve_seconds": plan.solve_seconds,
            }
        )
    say(f"随访路线 {total}/{total} 个卫生室 / visit routes: {total} of {total} clinics")
    if route_parts:
        columns = {k: np.concatenate([p[k] for p in route_parts]) for k in route_parts[0]}
        routes = pd.DataFrame({k: columns[k] for k in ROUTE_COLUMNS})
        legs = pd.DataFrame({k: columns[k] for k in ("origin", "destination")})
    else:
        routes = _empty_routes()
        legs = pd.DataFrame({"origin": [], "destination": []}, dtype=np.int64)
    village_table = pd.DataFrame(
        {
            "village_id": vid,
            "clinic_id": clinic_of,
            "basis": serving["basis"].to_numpy(object),
            "patients": patients,
            "patients_estimated": estimated,
            "visits": visits,
            "round_trip_min": round_trip,
            "reason": reason,
        }
    )
    clinics = pd.DataFrame(rows, columns=CLINIC_COLUMNS)
    return VisitPlan(routes, village_table, clinics, points, legs, finder, problems)


def _count(codes: np.ndarray, code: str) -> int:
    """Villages whose reason codes hold ``code``."""
    return sum(code in str(c).split(CODE_SEPARATOR) for c in codes)


def _empty_routes() -> pd.DataFrame:
    """Return an empty routes table with its columns and types."""
    return pd.DataFrame(
        {
            "clinic_id": pd.Series([], dtype=object),
            "day": pd.Series([], dtype=np.int64),
            "stop": pd.Series([], dtype=np.int64),
            "village_id": pd.Series([], dtype=object),
            "arrival_min": pd.Series([], dtype=float),
            "patients": pd.Series([], dtype=np.int64),
            "km": pd.Series([], dtype=float),
            "minutes": pd.Series([], dtype=float),
        }
    )


def _route_rows(
    clinic_id: str,
    routes: tuple[np.ndarray, ...],
    problem: Problem,
    stops: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    metres: np.ndarray,
    members: np.ndarray,
) -> dict[str, np.ndarray]:
    """One clinic's rows of ``visit_routes.csv`` and the legs behind them, as arrays.

    ``stops`` holds the village of each stop (0-based among ``members[1:]``), its patients
    and the village id of every member (the clinic's empty). Days are numbered longest
    first; each day's stops in visiting order, then the return to the clinic. The arrays
    are :data:`ROUTE_COLUMNS` plus ``origin`` and ``destination`` (positions of each leg's
    ends in the plan's point layer).
    """
    village, stop_patients, ids = stops
    if not routes:
        return {str(k): v.to_numpy() for k, v in _empty_routes().items()} | {
            "origin": np.zeros(0, dtype=np.int64),
            "destination": np.zeros(0, dtype=np.int64),
        }
    length = np.array([route_seconds(problem, r) for r in routes])
    ranked = [routes[k] for k in np.argsort(-length, kind="stable")]
    sizes = np.array([len(r) + 1 for r in ranked])
    day = np.repeat(np.arange(1, len(ranked) + 1), sizes)
    to = np.concatenate([np.r_[r, 0] for r in ranked])  # stop index (0 = back at the clinic)
    frm = np.concatenate([np.r_[0, r] for r in ranked])
    first = np.r_[0, np.cumsum(sizes)[:-1]]
    stop = np.arange(len(to)) - np.repeat(first, sizes) + 1
    leg_s = problem.duration[frm, to].astype(float)
    before = np.where(frm > 0, problem.service[np.maximum(frm, 1) - 1], 0).astype(float)
    step = leg_s + before
    run = np.cumsum(step)
    arrival = run - np.repeat(run[first] - step[first], sizes)
    member = np.where(to > 0, 1 + village[np.maximum(to, 1) - 1], 0)  # position in members
    member_from = np.where(frm > 0, 1 + village[np.maximum(frm, 1) - 1], 0)
    km = metres[member_from, member] / 1000.0
    return {
        "clinic_id": np.full(len(to), clinic_id, dtype=object),
        "day": day,
        "stop": stop,
        "village_id": ids[member],
        "arrival_min": arrival / 60.0,
        "patients": np.where(to > 0, stop_patients[np.maximum(to, 1) - 1], 0).astype(np.int64),
        "km": np.round(np.nan_to_num(km), 2),
        "minutes": leg_s / 60.0,
        "origin": members[member_from],
        "destination": members[member],
    }
