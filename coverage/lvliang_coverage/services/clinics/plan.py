"""Shared-clinic planning under article 7 (邻村共建, 中心村卫生室): covering, budgets, groups."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.codes import join_codes
from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import metric_crs_of
from lvliang_coverage.network.distance import metric_xy, nearest_m
from lvliang_coverage.optimise.assignment import AssignmentResult, assign
from lvliang_coverage.optimise.covering import LSCP, coverage_curve
from lvliang_coverage.services.access import Router, covering_pairs, link_frame
from lvliang_coverage.services.clinics.check import clinic_access_rule, rule_targets

SITE_COLUMNS = ["site_id", "name", "county", "township", "kind", "village_id", "geometry"]
"""Columns of the site layer: ``kind`` is ``"existing"`` (a clinic) or ``"candidate"``."""

UNCOVERABLE_REASONS = ("off_network", "unreachable", "too_far", "too_slow")


@dataclass
class ClinicPlan:
    """A shared-clinic plan for the small villages of article 7.

    Attributes
    ----------
    mode : str
        Travel mode that decided the 30-minute limit.
    demand : pandas.DataFrame
        Small villages (fewer than 200 residents): ``village_id``, ``name``, ``county``,
        ``township``, ``population``, ``off_network``.
    sites : geopandas.GeoDataFrame
        Existing clinics and candidate sites (:data:`SITE_COLUMNS`), EPSG:4326.
    pairs : pandas.DataFrame
        Covering pairs ``origin_id`` (village), ``destination_id`` (site), ``euclid_m``,
        ``network_m`` (metres), ``time_s`` (seconds): the site is within the service radius
        and the time limit of the village.
    lscp : LSCP
        The solved set-covering model (fewest new clinics).
    curve : pandas.DataFrame
        Maximal covering: residents of small villages covered against p new clinics.
    assignment : AssignmentResult
        Each covered small village assigned to one open clinic (its sharing group).
    uncoverable : pandas.DataFrame
        Small villages no site can cover, with ``reason`` codes (:data:`UNCOVERABLE_REASONS`).
    capacity : float or None
        Residents per clinic used in the assignment (None: unlimited).
    """

    mode: str
    demand: pd.DataFrame
    sites: gpd.GeoDataFrame
    pairs: pd.DataFrame
    lscp: LSCP
    curve: pd.DataFrame
    assignment: AssignmentResult
    uncoverable: pd.DataFrame
    capacity: float | None = None
    rules: Rules = field(default_factory=load_rules, repr=False)

    @property
    def new_sites(self) -> gpd.GeoDataFrame:
        """Candidate sites chosen for new clinics."""
        return self.sites[self.sites["site_id"].isin(self.lscp.selected)].reset_index(drop=True)

    @property
    def open_sites(self) -> gpd.GeoDataFrame:
        """Clinics open after the plan: the existing ones and the new central clinics."""
        return self.sites[self.sites["site_id"].isin(self.lscp.open_ids)].reset_index(drop=True)

    def reach(self, villages: gpd.GeoDataFrame, net: Router) -> pd.DataFrame:
        """Find the fastest clinic open after the plan from each village (larger villages).

        Parameters
        ----------
        villages : GeoDataFrame
            Villages (``village_id``), any CRS.
        net : TravelNetwork
            Road network of the plan's mode (:attr:`mode`).

        Returns
        -------
        pandas.DataFrame
            ``village_id``, ``site_id``, ``site_name``, ``kind`` (``"existing"`` or
            ``"candidate"``) and ``minutes`` (from the village to the site), one row per
            village some open clinic is reachable from.
        """
        cols = ["village_id", "site_id", "site_name", "kind", "minutes"]
        sites = self.open_sites
        if len(villages) == 0 or len(sites) == 0:
            return pd.DataFrame(columns=cols)
        near = net.nearest(villages, sites, id_col="site_id")
        ok = near["reachable"].to_numpy(bool)
        chosen = sites.set_index("site_id").loc[near["facility_id"].to_numpy(object)[ok]]
        return pd.DataFrame(
            {
                "village_id": villages["village_id"].to_numpy()[ok],
                "site_id": chosen.index.to_numpy(),
                "site_name": chosen["name"].to_numpy(),
                "kind": chosen["kind"].to_numpy(),
                "minutes": near["time_s"].to_numpy(float)[ok] / 60.0,
            }
        )[cols]

    @property
    def groups(self) -> pd.DataFrame:
        """Sharing groups (邻村共建): one row per open clinic with its villages and residents."""
        table = self.assignment.assignment
        groups = table.groupby("facility_id", as_index=False).agg(
            villages=("demand_id", "size"),
            residents=("size", "sum"),
            members=("demand_id", lambda s: ",".join(map(str, s))),
        )
        kinds = self.sites.set_index("site_id")["kind"]
        return groups.assign(kind=groups["facility_id"].map(kinds)).rename(
            columns={"facility_id": "site_id"}
        )

    def links(self, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Draw a line from each assigned small village to its clinic (EPSG:4326).

        Columns ``village_id``, ``name``, ``site_id``, ``site_name``, ``kind``,
        ``population``, ``minutes``; ``villages`` gives the locations.
        """
        a = self.assignment.assignment
        kind = self.sites.set_index("site_id")["kind"]
        return link_frame(
            villages,
            self.sites,
            a["demand_id"],
            a["facility_id"],
            kind=kind.loc[a["facility_id"]].to_numpy(),
            population=a["size"].to_numpy(),
            minutes=a["unit_cost"].to_numpy(float).round(1),
        )

    def summary(self) -> dict[str, object]:
        """Headline figures of the plan (counts, residents, solver report)."""
        rep = self.lscp.report
        comp = getattr(self.lscp, "components", None)
        comp = comp if isinstance(comp, pd.DataFrame) and len(comp) else None
        return {
            "mode": self.mode,
            "small_villages": len(self.demand),
            "small_residents": int(self.demand["population"].sum()),
            "existing_clinics": int((self.sites["kind"] == "existing").sum()),
            "candidate_sites": int((self.sites["kind"] == "candidate").sum()),
            "covered_by_existing": len(self.lscp.covered_by_existing),
            "new_clinics": self.lscp.n_new,
            "covered_after_plan": len(self.lscp.covered),
            "uncoverable": len(self.uncoverable),
            "uncoverable_residents": int(self.uncoverable["population"].sum()),
            "unassigned": len(self.assignment.unassigned),
            "solver_status": rep.status if rep else None,
            "mip_gap": rep.mip_gap if rep else None,
            "solve_seconds": rep.solve_seconds if rep else None,
            "time_limit_s": rep.time_limit_s if rep else None,
            "mip_rel_gap": rep.mip_rel_gap if rep else None,
            "components": 0 if comp is None else len(comp),
            "components_optimal": 0 if comp is None else int((comp["gap"] <= 1e-9).sum()),
            "largest_component_villages": 0 if comp is None else int(comp["n_demand"].max()),
            "largest_component_sites": 0 if comp is None else int(comp["n_candidates"].max()),
            "worst_component_gap": 0.0 if comp is None else float(comp["gap"].max()),
        }


def candidate_sites(
    villages: gpd.GeoDataFrame,
    clinics: gpd.GeoDataFrame,
    rules: Rules | None = None,
    *,
    min_residents: int | None = None,
) -> gpd.GeoDataFrame:
    """Existing clinics plus villages large enough to host a central clinic (中心村).

    Parameters
    ----------
    villages : GeoDataFrame
        Villages (canonical schema).
    clinics : GeoDataFrame
        Existing clinics with ``facility_id`` and ``name``.
    rules : Rules, optional
        Rules in force (``clinic.candidate_min_residents``).
    min_residents : int, optional
        Override of the candidate size threshold in residents.

    Returns
    -------
    GeoDataFrame
        :data:`SITE_COLUMNS`, existing clinics first (``site_id`` = clinic id), then candidate
        villages (``site_id`` = ``"C-" + village_id``) that have no clinic within 300 m.
    """
    rules = rules or load_rules()
    threshold = rules.clinic.candidate_min_residents if min_residents is None else min_residents
    existing = _as_sites(clinics, "facility_id", "existing", villages.crs)
    big = villages[villages["population"] >= threshold]
    crs = metric_crs_of(villages)
    dist, _ = nearest_m(metric_xy(big, crs), metric_xy(clinics, crs))
    big = big[dist > 300.0]
    cand = gpd.GeoDataFrame(
        {
            "site_id": ("C-" + big["village_id"].astype(str)).to_numpy(),
            "name": big["name"].to_numpy(),
            "county": big["county"].to_numpy(),
            "township": big["township"].to_numpy(),
            "kind": "candidate",
            "village_id": big["village_id"].to_numpy(),
        },
        geometry=big.geometry.to_numpy(),
        crs=villages.crs,
    )
    return gpd.GeoDataFrame(pd.concat([existing, cand], ignore_index=True), crs=villages.crs)[
        SITE_COLUMNS
    ]


def _column(frame: pd.DataFrame, name: str, default: pd.Series) -> np.ndarray:
    return (frame[name] if name in frame.columns else default).to_numpy()


def _as_sites(frame: gpd.GeoDataFrame, id_col: str, kind: str, crs: object) -> gpd.GeoDataFrame:
    """Clinics (``kind = "existing"``) or user candidates as sites, ``village_id`` empty."""
    none = pd.Series(None, index=frame.index, dtype=object)
    return gpd.GeoDataFrame(
        {
            "site_id": frame[id_col].astype(str).to_numpy(),
            "name": _column(frame, "name", frame[id_col]),
            "county": _column(frame, "county", none),
            "township": _column(frame, "township", none),
            "kind": kind,
            "village_id": None,
        },
        geometry=frame.geometry.to_crs(crs).to_numpy(),
        crs=crs,
    )


def _uncoverable(
    demand: gpd.GeoDataFrame,
    ids: list[object],
    sites: gpd.GeoDataFrame,
    net: Router,
    rules: Rules,
) -> pd.DataFrame:
    """Diagnose why each uncoverable small village has no covering site."""
    cols = ["village_id", "name", "county", "township", "population", "reason"]
    sub = demand[demand["village_id"].isin(ids)]
    if sub.empty:
        return pd.DataFrame(columns=cols)
    crs = metric_crs_of(demand)
    if rules.clinic.radius_measure == "network":
        near_m = net.nearest(sub, sites, id_col="site_id", nearest_by="distance")["network_m"]
        in_radius = near_m.to_numpy(float) <= rules.clinic.service_radius_m
    else:
        in_radius = nearest_m(metric_xy(sub, crs), metric_xy(sites, crs))[0] <= (
            rules.clinic.service_radius_m
        )
    near = net.nearest(sub, sites, id_col="site_id")
    reachable = near["reachable"].to_numpy(bool)
    off = near["off_network"].to_numpy(bool)
    flags = {
        "off_network": off,
        "unreachable": ~reachable,
        "too_far": ~in_radius,
        "too_slow": in_radius & reachable,
    }
    text = join_codes({code: flags[code] for code in UNCOVERABLE_REASONS})
    return sub.assign(reason=text)[cols].reset_index(drop=True)


def _p_values(n_new: int, steps: int = 25) -> list[int]:
    """Budgets 0..n_new in at most ``steps`` + 1 values, always including both ends."""
    if n_new <= steps:
        return list(range(n_new + 1))
    return sorted({int(v) for v in np.rint(np.linspace(0, n_new, steps + 1))})


def plan_clinics(
    villages: gpd.GeoDataFrame,
    clinics: gpd.GeoDataFrame,
    net: Router,
    *,
    rules: Rules | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    p_values: list[int] | None = None,
    capacity: float | None = None,
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
) -> ClinicPlan:
    """Plan shared clinics so every small village has one within 2.5 km and 30 minutes.

    Solves the location set-covering problem exactly (``scipy.optimize.milp``, HiGHS) with
    existing clinics fixed open; villages that no site can cover are listed with the reason
    and left out, so the rest is still solved. Then the maximal-covering curve (residents of
    small villages covered for p = 0 .. LSCP size new clinics) and the assignment of each
    covered village to one open clinic (fewest resident-minutes, within ``capacity``).

    Parameters
    ----------
    villages : GeoDataFrame
        All villages (canonical schema); settlements in the rule's target
        (:func:`~.check.rule_targets`: their unit has fewer than 200 residents) are the demand.
    clinics : GeoDataFrame
        Existing clinics (``facility_id``, ``name``), fixed open.
    net : TravelNetwork
        Network of the deciding mode (walking by default).
    rules : Rules, optional
        Rules in force.
    candidates : GeoDataFrame, optional
        A user list of candidate sites (``site_id`` or ``facility_id``, ``name``); default:
        villages of at least ``clinic.candidate_min_residents`` residents.
    p_values : list of int, optional
        Budgets for the maximal-covering curve (default: 0 .. LSCP size, at most 26 values).
    capacity : float, optional
        Residents per clinic in the assignment (None: unlimited).
    time_limit_s, mip_rel_gap : float, optional
        Solver settings (default: ``solver`` section of the rules).

    Returns
    -------
    ClinicPlan
        The plan.
    """
    rules = rules or load_rules()
    small = rule_targets(villages, rules)
    demand = villages.loc[small].reset_index(drop=True)
    if candidates is None:
        sites = candidate_sites(villages, clinics, rules)
    else:
        sites = _user_sites(candidates, clinics, villages.crs)
    pairs = covering_pairs(demand, sites, net, clinic_access_rule(rules))
    ids = demand["village_id"].tolist()
    existing = sites.loc[sites["kind"] == "existing", "site_id"].tolist()
    lscp = LSCP.from_pairs(pairs, ids, sites["site_id"].tolist(), existing=existing).solve(
        time_limit_s, mip_rel_gap, solver=rules.solver
    )
    weights = demand.set_index("village_id")["population"]
    curve = coverage_curve(
        pairs,
        ids,
        weights,
        sites["site_id"].tolist(),
        p_values if p_values is not None else _p_values(lscp.n_new),
        existing=existing,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        solver=rules.solver,
    )
    minutes = pairs.assign(minutes=pairs["time_s"] / 60.0)
    assignment = assign(
        minutes,
        ids,
        weights,
        lscp.open_ids,
        capacity=capacity,
        cost_col="minutes",
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        solver=rules.solver,
    )
    demand = demand.assign(off_network=net.snap(demand)["off_network"].to_numpy(bool))
    uncoverable = _uncoverable(demand, lscp.uncoverable, sites, net, rules)
    return ClinicPlan(
        mode=net.mode,
        demand=pd.DataFrame(demand.drop(columns="geometry")),
        sites=sites,
        pairs=pairs,
        lscp=lscp,
        curve=curve,
        assignment=assignment,
        uncoverable=uncoverable,
        capacity=capacity,
        rules=rules,
    )


def _user_sites(
    candidates: gpd.GeoDataFrame, clinics: gpd.GeoDataFrame, crs: object
) -> gpd.GeoDataFrame:
    """Existing clinics plus a user list of candidate sites, in :data:`SITE_COLUMNS`."""
    id_col = "site_id" if "site_id" in candidates else "facility_id"
    if id_col not in candidates:
        msg = (
            "候选点须有 'site_id' 或 'facility_id' 列 / "
            "candidate sites need a 'site_id' or 'facility_id' column"
        )
        raise InputError(msg, column="site_id")
    existing = _as_sites(clinics, "facility_id", "existing", crs)
    cand = _as_sites(candidates, id_col, "candidate", crs)
    sites = pd.concat([existing, cand], ignore_index=True)
    if sites["site_id"].duplicated().any():
        dup = sites.loc[sites["site_id"].duplicated(), "site_id"].iloc[0]
        msg = (
            f"候选点编号 {dup!r} 与现有卫生室或其他候选点重复 / "
            f"candidate site id {dup!r} repeats an existing clinic or another candidate"
        )
        raise InputError(msg, column=id_col)
    return gpd.GeoDataFrame(sites, crs=crs)[SITE_COLUMNS]
