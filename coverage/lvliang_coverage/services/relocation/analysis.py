"""Articles 15-17 resettlement: assignment of relocating villages to sites, and the result."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.optimise.assignment import CapacitatedAssignment
from lvliang_coverage.services._results import PlanResult
from lvliang_coverage.services.access import link_lines
from lvliang_coverage.services.relocation.evaluation import SERVICES, evaluate_sites
from lvliang_coverage.services.relocation.movers import assignment_table, unassigned_table
from lvliang_coverage.study import Study

__all__ = [
    "SERVICES",
    "UNASSIGNED_REASONS",
    "RelocationPlan",
    "RelocationResult",
    "commute_pairs",
    "evaluate_sites",
    "plan_relocation",
    "run_plan",
]

UNASSIGNED_REASONS = ("no_pair", "beyond_commute", "other_county", "too_large", "capacity")
"""Why a relocating village got no site (see :class:`~.siting.CapacitatedAssignment`):
no site reachable by road, every site beyond the commute limit, sites within the limit all in
another county, more households than any allowed site has room for, room taken by others."""


def commute_pairs(
    sites: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    net: TravelNetwork,
    max_minutes: float = math.inf,
) -> pd.DataFrame:
    """Travel times from every site back to every relocating village (the movers' old fields).

    Movers keep their contracted land, forest and homestead (article 15), so they commute
    from the site where they live TO the old village: times are computed in that direction
    (it differs from the reverse on one-way roads and, walking, on slopes).

    Parameters
    ----------
    sites : GeoDataFrame
        Resettlement sites with ``site_id``.
    villages : GeoDataFrame
        Relocating villages with ``village_id``.
    net : TravelNetwork
        Road network of the deciding mode.
    max_minutes : float
        Keep pairs within this many minutes (default: all reachable pairs).

    Returns
    -------
    pandas.DataFrame
        ``origin_id`` (site), ``destination_id`` (village), ``network_m`` (metres),
        ``time_s`` (seconds), as :meth:`TravelNetwork.within`.
    """
    return net.within(sites, villages, max_s=max_minutes * 60.0, id_cols=("site_id", "village_id"))


@dataclass
class RelocationPlan:
    """Resettlement-site evaluation and the assignment of relocating villages to sites.

    Attributes
    ----------
    mode : str
        Travel mode of the services and commutes.
    sites : geopandas.GeoDataFrame
        :func:`evaluate_sites` columns plus ``assigned_villages``, ``assigned_households``,
        ``assigned_residents`` and ``spare_households`` (households of room left after the
        plan), EPSG:4326.
    movers : pandas.DataFrame
        Relocating villages (``relocate`` true): ``village_id``, ``name``, ``county``,
        ``township``, ``households``, ``population``.
    pairs : pandas.DataFrame
        Site-to-village commute times (:func:`commute_pairs`, every reachable pair).
    model : CapacitatedAssignment
        The solved assignment model (solver status, gap, time limit).
    assignment : pandas.DataFrame
        :data:`~lvliang_coverage.services.relocation.movers.ASSIGNMENT_COLUMNS`: each moved
        village, its site, ``commute_km`` and ``commute_min`` (from the site back to the
        village), ``resident_minutes`` (residents x minutes).
    unassigned : pandas.DataFrame
        :data:`~lvliang_coverage.services.relocation.movers.UNASSIGNED_COLUMNS`: each village
        no site takes, ``reason`` (:data:`UNASSIGNED_REASONS`), the nearest site in a
        straight line, the fastest site of any county and of its own county, and the
        fastest site the rules allow with its spare households (minutes from the site back
        to the village; NaN when none is reachable).
    same_county : bool
        Whether movers were kept in their own county.
    max_commute_min : float
        Commute limit in minutes.
    """

    mode: str
    sites: gpd.GeoDataFrame
    movers: pd.DataFrame
    pairs: pd.DataFrame
    model: CapacitatedAssignment
    assignment: pd.DataFrame
    unassigned: pd.DataFrame
    same_county: bool
    max_commute_min: float
    rules: Rules = field(default_factory=load_rules, repr=False)

    @property
    def passing(self) -> gpd.GeoDataFrame:
        """Sites meeting every required service."""
        return self.sites[self.sites["passes"]].reset_index(drop=True)

    def missing_counts(self) -> pd.Series:
        """Count the sites missing each service, in :data:`SERVICES` order."""
        return pd.Series(
            {s: int((~self.sites[f"{s}_ok"]).sum()) for s in SERVICES}, name="sites_missing"
        )

    def links(self, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Draw a line from each assigned old village to its site (EPSG:4326).

        The :attr:`assignment` columns and ``minutes`` (= ``commute_min``); ``villages``
        (any CRS) gives the locations.
        """
        a = self.assignment
        v = villages.to_crs(STORAGE_CRS).set_index("village_id").geometry
        s = self.sites.set_index("site_id").geometry
        lines = link_lines(v.loc[a["village_id"]], s.loc[a["site_id"]])
        layer = a.assign(minutes=a["commute_min"])  # the map layer's name of commute_min
        return gpd.GeoDataFrame(layer, geometry=lines, crs=STORAGE_CRS)

    def summary(self) -> dict[str, object]:
        """Headline figures: sites passing, services missing, residents moved, solver report."""
        rep = self.model.report
        reasons = self.unassigned["reason"].value_counts()
        return {
            "mode": self.mode,
            "sites": len(self.sites),
            "sites_passing": int(self.sites["passes"].sum()),
            "sites_all_services": int((self.sites["services_met"] == len(SERVICES)).sum()),
            **{f"sites_missing_{s}": int(v) for s, v in self.missing_counts().items()},
            "capacity_households": int(self.sites["capacity_households"].sum()),
            "remaining_households": int(self.sites["remaining_households"].sum()),
            "relocating_villages": len(self.movers),
            "relocating_households": int(self.movers["households"].sum()),
            "relocating_residents": int(self.movers["population"].sum()),
            "assigned_villages": len(self.assignment),
            "assigned_households": int(self.assignment["households"].sum()),
            "assigned_residents": int(self.assignment["residents"].sum()),
            "unassigned_villages": len(self.unassigned),
            "unassigned_residents": int(self.unassigned["residents"].sum()),
            **{f"unassigned_{r}": int(reasons.get(r, 0)) for r in UNASSIGNED_REASONS},
            "resident_minutes": float(self.assignment["resident_minutes"].sum()),
            "mean_commute_min": (
                float(
                    self.assignment["resident_minutes"].sum() / self.assignment["residents"].sum()
                )
                if self.assignment["residents"].sum() > 0
                else None
            ),
            "max_commute_min": self.max_commute_min,
            "same_county": self.same_county,
            "solver_status": rep.status if rep else None,
            "mip_gap": rep.mip_gap if rep else None,
            "solve_seconds": rep.solve_seconds if rep else None,
            "time_limit_s": rep.time_limit_s if rep else None,
            "mip_rel_gap": rep.mip_rel_gap if rep else None,
        }


def _movers(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Villages flagged for whole-village relocation (整村搬迁)."""
    for col in ("relocate", "households"):
        if col not in villages.columns:
            msg = (
                f"村庄图层缺少列 {col}（整村搬迁需要）/ "
                f"village layer has no column {col!r} (needed for relocation)"
            )
            raise InputError(msg, column=col)
    flag = villages["relocate"].fillna(value=False).astype(bool).to_numpy()
    return villages[flag].reset_index(drop=True)


class PlanOptions(TypedDict, total=False):
    """Overrides of the ``[relocation]`` and ``[solver]`` settings for one plan.

    Attributes
    ----------
    same_county : bool or None
        Keep movers in their own county; default ``relocation.same_county``.
    max_commute_min : float or None
        Commute limit in minutes; default ``relocation.max_commute_min``.
    time_limit_s : float or None
        Solver time limit in seconds; default ``solver.time_limit_s``.
    """

    same_county: bool | None
    max_commute_min: float | None
    time_limit_s: float | None


def plan_relocation(
    villages: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    net: TravelNetwork,
    *,
    rules: Rules | None = None,
    **options: Unpack[PlanOptions],
) -> RelocationPlan:
    """Evaluate the sites and assign every relocating village, whole, to one site.

    Villages with ``relocate`` true move with all their households and residents to one
    site. The assignment (:class:`~.siting.CapacitatedAssignment`, HiGHS) first
    relocates as many residents as the sites' remaining room (capacity minus occupied
    households) allows, then minimises residents x minutes of the commute from the site back
    to the old village (:func:`commute_pairs`), using only pairs within the commute limit
    and, by default, in the village's own county.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages (canonical schema with ``relocate``, ``households``, ``population``).
    sites : GeoDataFrame
        Resettlement sites (canonical schema).
    facilities : GeoDataFrame
        Facilities of every kind (for :func:`evaluate_sites`).
    net : TravelNetwork
        Road network of the deciding mode.
    rules : Rules, optional
        Rules in force.
    **options
        :class:`PlanOptions`: county rule, commute limit, solver time limit.

    Returns
    -------
    RelocationPlan
        Site evaluation, assignment, unassigned villages with reasons, solver report.

    Raises
    ------
    InputError
        When a layer lacks a needed column.
    """
    rules = rules or load_rules()
    rel = rules.relocation
    same_county, max_commute_min = options.get("same_county"), options.get("max_commute_min")
    same = rel.same_county if same_county is None else bool(same_county)
    limit = rel.max_commute_min if max_commute_min is None else float(max_commute_min)
    evaluation = evaluate_sites(sites, facilities, net, rules)
    movers = _movers(villages)
    pairs = commute_pairs(sites, movers, net)
    vid = pd.Index(movers["village_id"])
    sid = pd.Index(sites["site_id"])
    model = CapacitatedAssignment.from_pairs(
        pairs,
        vid,
        movers["households"].to_numpy(dtype=float),
        movers["population"].to_numpy(dtype=float),
        sid,
        sites["capacity_households"].to_numpy(dtype=float),
        occupied=sites["occupied_households"].to_numpy(dtype=float),
        max_minutes=limit,
        village_group=movers["county"].to_numpy(dtype=object),
        site_group=sites["county"].to_numpy(dtype=object),
        same_group=same,
    ).solve(time_limit_s=options.get("time_limit_s"), solver=rules.solver)
    assignment = assignment_table(model, movers, sites, pairs)
    by_site = assignment.groupby("site_id").agg(
        assigned_villages=("village_id", "size"),
        assigned_households=("households", "sum"),
        assigned_residents=("residents", "sum"),
    )
    by_site = by_site.reindex(evaluation["site_id"]).fillna(0).astype(np.int64)
    evaluation = evaluation.assign(
        assigned_villages=by_site["assigned_villages"].to_numpy(),
        assigned_households=by_site["assigned_households"].to_numpy(),
        assigned_residents=by_site["assigned_residents"].to_numpy(),
    )
    evaluation["spare_households"] = (
        evaluation["remaining_households"] - evaluation["assigned_households"]
    )
    unassigned = unassigned_table(
        model,
        movers,
        sites,
        pairs,
        max_commute_min=limit,
        same_county=same,
        spare_households=evaluation.set_index("site_id")["spare_households"],
    )
    keep = ["village_id", "name", "county", "township", "households", "population"]
    return RelocationPlan(
        mode=net.mode,
        sites=evaluation,
        movers=pd.DataFrame(movers[keep]),
        pairs=pairs,
        model=model,
        assignment=assignment,
        unassigned=unassigned,
        same_county=same,
        max_commute_min=limit,
        rules=rules,
    )


@dataclass
class RelocationResult(PlanResult[RelocationPlan]):
    """A resettlement plan (site evaluation and assignment of movers) as a service result."""

    def site_table(self) -> pd.DataFrame:
        """Site evaluation as a plain table with ``lon``/``lat`` (WGS84 degrees)."""
        s = self.plan.sites
        return pd.DataFrame(s.drop(columns="geometry")).assign(lon=s.geometry.x, lat=s.geometry.y)

    def tables(self) -> dict[str, Any]:
        """Files of the plan: services per site, assignment, unassigned villages, JSON."""
        return {
            "relocation_sites.csv": self.site_table(),
            "relocation_assignment.csv": self.plan.assignment.round({"resident_minutes": 1}),
            "relocation_unassigned.csv": self.plan.unassigned,
            "relocation_plan.json": self.summary(),
        }


def run_plan(
    study: Study, rules: Rules, *, mode: str | None = None, **options: Unpack[PlanOptions]
) -> RelocationResult:
    """Evaluate a study's resettlement sites (article 16) and assign relocating villages (15).

    Parameters
    ----------
    study : Study
        Inputs; ``study.sites`` must hold the resettlement sites.
    rules : Rules
        Rules in force.
    mode : str, optional
        Travel mode (default ``relocation.mode``, motorcycle).
    **options
        :class:`PlanOptions` of :func:`plan_relocation` (county rule, commute limit in
        minutes, solver time limit in seconds).

    Returns
    -------
    RelocationResult
        The plan.

    Raises
    ------
    InputError
        When the study has no sites, or on any invalid input.
    """
    if study.sites is None:
        msg = (
            "没有安置点数据：请用 --sites 给出安置点文件 / "
            "the study has no resettlement sites: give --sites FILE"
        )
        raise InputError(msg, column="sites")
    net = study.network(mode or rules.relocation.mode)
    study.progress(
        f"评估{len(study.sites)}个安置点并安置搬迁村 / evaluating {len(study.sites)} sites, "
        "assigning relocating villages"
    )
    plan = plan_relocation(
        study.villages,
        study.sites,
        study.of_kind(*SERVICES),
        net,
        rules=rules,
        **options,
    )
    return RelocationResult(plan)
