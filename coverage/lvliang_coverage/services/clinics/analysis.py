"""The clinic service's two tasks as results: the article 7/8 check and the shared-clinic plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL, CODE_SEPARATOR
from lvliang_coverage.config import Rules
from lvliang_coverage.services._results import PlanResult
from lvliang_coverage.services.clinics.check import (
    check_compliance,
    compliance_summary,
    round_past_limits,
)
from lvliang_coverage.services.clinics.plan import ClinicPlan, plan_clinics
from lvliang_coverage.services.clinics.staffing import county_staffing, township_staffing
from lvliang_coverage.services.clinics.terrain import (
    MODEL_COLUMN,
    TerrainOutputs,
    TravelChoice,
    terrain_outputs,
)
from lvliang_coverage.services.clinics.units import admin_compliance
from lvliang_coverage.study import Study

if TYPE_CHECKING:
    from lvliang_coverage.network.surface import TravelSurface


@dataclass
class ClinicCheckResult:
    """The article-7 check of every village and the article-8 doctors of every township.

    Attributes
    ----------
    table : pandas.DataFrame
        Compliance of every village per mode (``clinic_compliance.csv``).
    summary_table : pandas.DataFrame
        Per county and mode, with a city row (``clinic_summary.csv``).
    townships, counties : pandas.DataFrame
        Article-8 staffing per township and per county.
    care : GeoDataFrame
        The basic-care facilities checked against (clinic, health centre, hospital).
    mode : str
        The deciding mode (ledger and map).
    plan : ClinicPlan or None
        The plan whose assignments are the ledger's fixes, when one was made.
    study : Study
        The study analysed (service areas for the map are computed from its networks).
    task : str
        ``"check"``.
    reach : pandas.DataFrame or None
        With a plan: for the villages of 200+ residents failing the time limit (deciding
        mode), the clinic open after the plan they reach within it (:meth:`ClinicPlan.reach`:
        ``village_id``, ``site_id``, ``site_name``, ``kind``, ``minutes``).
    terrain : TerrainOutputs or None
        With the terrain travel model: surfaces, isochrones, township shares and the
        comparison with the network model (:mod:`~.terrain`).
    """

    table: pd.DataFrame
    summary_table: pd.DataFrame
    townships: pd.DataFrame
    counties: pd.DataFrame
    care: gpd.GeoDataFrame
    mode: str
    plan: ClinicPlan | None
    study: Study = field(repr=False)
    task: str = "check"
    reach: pd.DataFrame | None = None
    terrain: TerrainOutputs | None = None
    _admin: pd.DataFrame | None = field(default=None, init=False, repr=False)

    @property
    def admin_table(self) -> pd.DataFrame:
        """Compliance per 行政村 and mode (``clinic_compliance_admin.csv``).

        See :func:`~lvliang_coverage.services.clinics.units.admin_compliance`: residents and
        settlements summed, settlements and residents served, compliant when every settlement
        with residents complies, the failing settlements named.
        """
        if self._admin is None:
            self._admin = admin_compliance(self.table, self.study.villages)
            if "travel_model" in self.table.columns:  # the model of every row
                self._admin = self._admin.assign(travel_model=self.table["travel_model"].iloc[0])
        return self._admin

    def tables(self) -> dict[str, pd.DataFrame]:
        """Files of the check: compliance per settlement and per 行政村, summary, doctors.

        The compliance table's figures beyond a limit are rounded upwards where the written
        precision would put them onto it (:func:`~.check.round_past_limits`), so every flag
        stays checkable in the CSV.
        """
        return {
            "clinic_compliance.csv": round_past_limits(self.table, self.study.rules),
            "clinic_compliance_admin.csv": self.admin_table,
            "clinic_summary.csv": self.summary_table,
            "township_doctors.csv": self.townships,
            "county_doctors.csv": self.counties,
            **(self.terrain.tables() if self.terrain is not None else {}),
        }

    def rasters(self) -> dict[str, TravelSurface]:
        """Travel-time surfaces of the terrain model by file name (``travel_time_<mode>.tif``)."""
        return self.terrain.rasters() if self.terrain is not None else {}

    def travel_isochrones(self) -> gpd.GeoDataFrame | None:
        """Raster isochrones of the terrain model (deciding mode), None with the network model."""
        return self.terrain.isochrones if self.terrain is not None else None

    def summary(self) -> dict[str, object]:
        """City totals of the deciding mode and the article-8 totals (unknown as None)."""
        total = self.summary_table[
            (self.summary_table["county"] == CITY_TOTAL) & (self.summary_table["mode"] == self.mode)
        ]
        out: dict[str, object] = {}
        if len(total):
            out.update({str(k): _plain(v) for k, v in total.iloc[0].items()})
        c = self.counties
        for col in ("required_doctors", "current_doctors", "shortfall", "townships_short"):
            out[col] = None if c[col].isna().any() else int(c[col].sum())
        out["townships"] = int(c["townships"].sum())
        a = self.admin_table
        a = a[a["mode"] == self.mode]
        small = a[a["small_village"]]
        out["admin_villages"] = len(a)
        out["admin_small"] = len(small)
        out["admin_small_residents"] = int(small["population"].sum())
        out["admin_small_compliant"] = int(small["compliant"].sum())
        out["admin_small_compliant_residents"] = int(
            small.loc[small["compliant"], "population"].sum()
        )
        out["admin_small_residents_served"] = int(small["residents_served"].sum())
        return out

    def mode_table(self) -> pd.DataFrame:
        """Compliance rows of the deciding mode only."""
        return self.table[self.table["mode"] == self.mode].reset_index(drop=True)

    def service_areas(self) -> gpd.GeoDataFrame:
        """Isochrone service areas of the care facilities at the time limit (deciding mode)."""
        net = self.study.network(self.mode)
        return net.service_areas(self.care, [self.study.rules.clinic.max_travel_min])


@dataclass
class ClinicPlanResult(PlanResult[ClinicPlan]):
    """A shared-clinic plan (set covering, coverage curve, sharing groups) as a result.

    Attributes
    ----------
    plan : ClinicPlan
        The plan.
    task : str
        ``"plan"``.
    check : ClinicCheckResult or None
        The article-7 check of the plan's mode with this plan as its fixes (the ledger the
        plan files, the same as a check's); None for a plan made on its own.
    """

    check: ClinicCheckResult | None = None

    def tables(self) -> dict[str, Any]:
        """Files of the plan: new sites, groups, curve, uncoverable villages, components, JSON.

        ``clinic_plan_components.csv`` lists the independent components of the set-covering
        model after reductions (villages, sites, pairs, how each was solved, its gap).
        """
        plan = self.plan
        groups = plan.assignment.assignment.rename(
            columns={
                "demand_id": "village_id",
                "facility_id": "site_id",
                "size": "population",
                "unit_cost": "minutes",
            }
        ).drop(columns="cost")
        curve = plan.curve.assign(
            new_ids=plan.curve["new_ids"].map(lambda t: CODE_SEPARATOR.join(map(str, t)))
        )
        sites = plan.new_sites
        return {
            "clinic_plan_sites.csv": sites.drop(columns="geometry").assign(
                lon=sites.geometry.x, lat=sites.geometry.y
            ),
            "clinic_plan_groups.csv": groups,
            "clinic_plan_curve.csv": curve,
            "clinic_plan_uncoverable.csv": plan.uncoverable,
            "clinic_plan_components.csv": plan.lscp.components,
            "clinic_plan.json": self.summary(),
        }


def _plain(value: object) -> object:
    """Turn a numpy scalar into a plain Python number (JSON, printing)."""
    return value.item() if hasattr(value, "item") else value


def _deciding_mode(rules: Rules, modes: list[str]) -> str:
    default = rules.clinic.default_mode
    return default if default in modes else modes[0]


def run_plan(
    study: Study,
    rules: Rules,
    *,
    mode: str | None = None,
    p_values: list[int] | None = None,
    capacity: float | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    travel: str | None = None,
    friction: str | Path | None = None,
    barriers: gpd.GeoDataFrame | None = None,
    fords: gpd.GeoDataFrame | None = None,
) -> ClinicPlanResult:
    """Plan shared clinics for the villages under 200 residents of a study, and check it.

    Parameters
    ----------
    study : Study
        Inputs.
    rules : Rules
        Rules in force.
    mode : str, optional
        Deciding travel mode (default ``clinic.default_mode``).
    p_values : list of int, optional
        Budgets of new clinics for the coverage curve.
    capacity : float, optional
        Residents per clinic in the sharing groups.
    candidates : GeoDataFrame, optional
        User candidate sites (default: villages of ``clinic.candidate_min_residents``+).
    travel, friction, barriers, fords :
        The travel model and the terrain model's inputs, as for :func:`run_check`.

    Returns
    -------
    ClinicPlanResult
        The plan, with the article-7 check of its mode whose ledger fixes come from it.
    """
    choice = TravelChoice.of(study, travel, friction=friction, barriers=barriers, fords=fords)
    plan = make_plan(
        study,
        rules,
        mode=mode,
        p_values=p_values,
        capacity=capacity,
        candidates=candidates,
        choice=choice,
    )
    check = run_check(study, rules, modes=[plan.mode], plan=plan, choice=choice)
    return ClinicPlanResult(plan, check=check)


def make_plan(
    study: Study,
    rules: Rules,
    *,
    mode: str | None = None,
    p_values: list[int] | None = None,
    capacity: float | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    choice: TravelChoice | None = None,
) -> ClinicPlan:
    """Solve the shared-clinic plan of a study (options as for :func:`run_plan`), no check.

    ``choice`` is the travel model (default: the rules' ``terrain.travel_model``).
    """
    choice = choice or TravelChoice.of(study)
    net = choice.of_mode(study, mode or rules.clinic.default_mode)
    study.progress("求解选址模型 / solving the set-covering and maximal-covering models")
    return plan_clinics(
        study.villages,
        study.care_facilities,
        net,
        rules=rules,
        candidates=candidates,
        p_values=p_values,
        capacity=capacity,
    )


def _reach(
    study: Study,
    table: pd.DataFrame,
    mode: str,
    plan: ClinicPlan,
    limit_min: float,
    *,
    choice: TravelChoice,
) -> pd.DataFrame:
    """Clinics of the plan within ``limit_min`` minutes of the larger villages failing it."""
    rows = table[(table["mode"] == mode) & ~table["small_village"] & ~table["compliant"]]
    villages = study.villages[study.villages["village_id"].isin(rows["village_id"])]
    reach = plan.reach(villages, choice.of_mode(study, plan.mode))
    return reach[reach["minutes"] <= limit_min].reset_index(drop=True)


def run_check(
    study: Study,
    rules: Rules,
    *,
    modes: list[str] | None = None,
    plan: ClinicPlan | None = None,
    with_plan: bool = True,
    travel: str | None = None,
    friction: str | Path | None = None,
    barriers: gpd.GeoDataFrame | None = None,
    fords: gpd.GeoDataFrame | None = None,
    choice: TravelChoice | None = None,
    **plan_options: Any,
) -> ClinicCheckResult:
    """Check every village against article 7 and township doctors against article 8.

    Parameters
    ----------
    study, rules : Study, Rules
        Inputs and the rules in force, as for :func:`run_plan`.
    modes : list of str, optional
        Travel modes (default ``[clinic.default_mode]``, walking).
    plan : ClinicPlan, optional
        A plan whose clinics become the ledger's fixes.
    with_plan : bool
        Make that plan here (deciding mode) when none is given (the default: every failing
        village then gets a concrete fix); False skips it (``--no-plan``).
    travel : {"network", "terrain"}, optional
        Travel model (default ``terrain.travel_model``); when given, the compliance table
        names it in ``travel_model``. With ``terrain``: walking over the terrain lattice
        plus the exact roads (:class:`~lvliang_coverage.network.lattice.TerrainNetwork`),
        and the result adds the surfaces, isochrones, township shares and the comparison
        with the network model (:attr:`ClinicCheckResult.terrain`).
    friction : str or Path, optional
        Terrain model: friction GeoTIFF (speed multipliers or land-cover classes).
    barriers : GeoDataFrame, optional
        Terrain model: the user's barriers (lines, polygons), added to the study's rivers.
    fords : GeoDataFrame, optional
        Terrain model: points where a barrier may be crossed on foot.
    choice : TravelChoice, optional
        The travel model already chosen (instead of ``travel`` and its files).
    **plan_options
        Options of :func:`run_plan` (``p_values``, ``capacity``, ``candidates``).

    Returns
    -------
    ClinicCheckResult
        Tables of the check.
    """
    c = rules.clinic
    modes = list(modes or [c.default_mode])
    mode = _deciding_mode(rules, modes)
    if choice is None:
        choice = TravelChoice.of(study, travel, friction=friction, barriers=barriers, fords=fords)
    if plan is None and with_plan:
        plan = make_plan(study, rules, mode=mode, choice=choice, **plan_options)
    care = study.care_facilities
    networks = {m: choice.of_mode(study, m) for m in modes}
    study.progress(f"核查{len(study.villages)}个村 / checking {len(study.villages)} villages")
    table = check_compliance(study.villages, care, networks, rules)
    terrain = None
    if choice.terrain:
        terrain = terrain_outputs(
            study, care, networks, table, rules, deciding=mode, barriers=choice.barriers
        )
    if choice.named:
        table = table.assign(**{MODEL_COLUMN: choice.model})
    centres = study.of_kind("health_centre")
    # no health-centre rows: the current doctors are unknown, not zero
    townships = township_staffing(study.villages, centres if len(centres) else None, rules)
    return ClinicCheckResult(
        table=table,
        summary_table=compliance_summary(table),
        townships=townships,
        counties=county_staffing(townships),
        care=care,
        mode=mode,
        plan=plan,
        study=study,
        reach=None
        if plan is None
        else _reach(study, table, mode, plan, c.max_travel_min, choice=choice),
        terrain=terrain,
    )
