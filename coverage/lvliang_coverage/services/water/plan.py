"""Drinking-water plan (articles 12-14): the sources to develop and the villages each supplies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL
from lvliang_coverage.config import Rules, SolverRules, load_rules
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.terrain import as_dem
from lvliang_coverage.optimise.location import FacilityLocation
from lvliang_coverage.services.access import link_lines
from lvliang_coverage.services.water._pipe_routes import pipe_routes
from lvliang_coverage.services.water.costs import (
    MONEY_COLUMNS,
    county_budget,
    source_table,
    village_table,
)
from lvliang_coverage.services.water.demand import checked_sources, elevations, unsafe_villages
from lvliang_coverage.services.water.pairs import supply_pairs

UNSERVED_REASONS = ("too_far", "other_county", "exceeds_capacity", "capacity", "budget")
"""Why an unsafe village is left unserved: no source within ``max_pipe_km``; sources within
reach only in another county; demand above the yield of every source in reach; yield taken by
other villages; budget exhausted."""


@dataclass
class WaterPlan:
    """A drinking-water project plan for the villages lacking safe water.

    Attributes
    ----------
    villages : geopandas.GeoDataFrame
        Every unsafe village (EPSG:4326): ``VILLAGE_COLUMNS``, then ``served``,
        ``water_source_id``, ``source_name``, ``source_kind``, ``basis``, ``pipe_m``,
        ``head_m``, ``gravity``, ``pipe_yuan``, ``lift_yuan``, ``works_yuan``,
        ``connection_yuan``, ``subsidy_yuan``, ``maintenance_yuan_year`` and ``reason``
        (empty when served, else one of :data:`UNSERVED_REASONS`).
    sources : geopandas.GeoDataFrame
        Every source (EPSG:4326) with ``existing``, ``developed`` (a new project),
        ``used``, ``load_m3d``, ``villages``, ``residents`` and ``MONEY_COLUMNS``
        (``construction_yuan`` = source cost if developed + works).
    pairs : pandas.DataFrame
        The candidate pairs (:func:`~lvliang_coverage.services.water.pairs.supply_pairs`).
    counties : pandas.DataFrame
        Budget per county plus a city row (``全市``): counts and ``MONEY_COLUMNS``.
    solves : pandas.DataFrame
        One row per model solved (``scope`` = county or ``全市``): ``status``,
        ``objective_yuan``, ``mip_gap``, ``solve_seconds``, ``time_limit_s``,
        ``mip_rel_gap``, ``villages``, ``sources``, ``pairs``.
    pipelines : geopandas.GeoDataFrame
        One main per served village: ``village_id``, ``water_source_id``, ``basis``,
        ``pipe_m``, ``gravity``, ``cost_yuan`` and the route (roads followed; straight for
        villages off the network), EPSG:4326.
    budget : float or None
        Budget in yuan (None: serve every servable village at least cost).
    rules : Rules
        Rules the plan was made under.
    """

    villages: gpd.GeoDataFrame
    sources: gpd.GeoDataFrame
    pairs: pd.DataFrame
    counties: pd.DataFrame
    solves: pd.DataFrame
    pipelines: gpd.GeoDataFrame
    budget: float | None = None
    rules: Rules = field(default_factory=load_rules, repr=False)

    @property
    def served(self) -> gpd.GeoDataFrame:
        """Unsafe villages the plan supplies."""
        return self.villages[self.villages["served"]].reset_index(drop=True)

    @property
    def unserved(self) -> gpd.GeoDataFrame:
        """Unsafe villages left without a project, with ``reason``."""
        return self.villages[~self.villages["served"]].reset_index(drop=True)

    def summary(self) -> dict[str, object]:
        """Headline figures (counts, residents, yuan) and the solver reports combined."""
        v, city = self.villages, self.counties.iloc[-1]
        s = self.solves
        gaps = s["mip_gap"].to_numpy(float)
        return {
            "unsafe_villages": len(v),
            "unsafe_residents": int(v["population"].sum()),
            "unsafe_poor_residents": int(v["registered_poor"].sum()),
            "unsafe_poor_households": int(v["poor_households"].sum()),
            "served_villages": int(v["served"].sum()),
            "served_residents": int(v.loc[v["served"], "population"].sum()),
            "unserved_villages": int((~v["served"]).sum()),
            "unserved_residents": int(v.loc[~v["served"], "population"].sum()),
            "gravity_villages": int((v["served"] & v["gravity"].fillna(False)).sum()),
            "sources_developed": int(self.sources["developed"].sum()),
            "existing_sources_used": int((self.sources["existing"] & self.sources["used"]).sum()),
            **{c: float(city[c]) for c in MONEY_COLUMNS},
            "budget_yuan": self.budget,
            "models": len(s),
            "solver_status": "optimal"
            if (s["status"] == "optimal").all()
            else ",".join(sorted(set(s["status"]))),
            "mip_gap": float(np.nanmax(gaps)) if np.isfinite(gaps).any() else None,
            "solve_seconds": float(s["solve_seconds"].sum()),
            "time_limit_s": float(s["time_limit_s"].max()) if len(s) else None,
            "mip_rel_gap": float(s["mip_rel_gap"].max()) if len(s) else None,
        }


def _solve(
    pairs: pd.DataFrame,
    villages: pd.DataFrame,
    sources: pd.DataFrame,
    *,
    budget: float | None,
    time_limit_s: float | None,
    mip_rel_gap: float | None,
    solver: SolverRules,
) -> FacilityLocation:
    """Solve one capacitated facility-location model (yuan) over the villages and sources."""
    return FacilityLocation.from_pairs(
        pairs,
        villages["village_id"],
        villages.set_index("village_id")["demand_m3d"],
        sources["water_source_id"],
        fixed_cost=sources.set_index("water_source_id")["source_cost_yuan"],
        capacity=sources.set_index("water_source_id")["capacity_m3d"],
        existing=sources.loc[sources["existing"], "water_source_id"],
        weights=villages.set_index("village_id")["population"].astype(float),
        budget=budget,
        demand_col="village_id",
        candidate_col="water_source_id",
        cost_col="cost_yuan",
    ).solve(time_limit_s, mip_rel_gap, solver=solver)


def _report_row(
    scope: str, model: FacilityLocation, n_v: int, n_s: int, n_p: int
) -> dict[str, object]:
    """Build the solver-report row of one model."""
    rep = model.report
    assert rep is not None
    return {
        "scope": scope,
        "status": rep.status,
        "objective_yuan": model.total_cost,
        "mip_gap": rep.mip_gap,
        "solve_seconds": rep.solve_seconds,
        "time_limit_s": rep.time_limit_s,
        "mip_rel_gap": rep.mip_rel_gap,
        "villages": n_v,
        "sources": n_s,
        "pairs": n_p,
    }


def _pre_reasons(villages: pd.DataFrame, pairs: pd.DataFrame, per_county: bool) -> pd.Series:
    """Find the reasons known before solving: nothing in reach, or only other counties."""
    ids = villages["village_id"]
    reason = pd.Series("", index=ids.to_numpy(), dtype=object)
    reason[~ids.isin(pairs["village_id"]).to_numpy()] = "too_far"
    if per_county:
        own = pairs.loc[pairs["same_county"], "village_id"]
        reason[(ids.isin(pairs["village_id"]) & ~ids.isin(own)).to_numpy()] = "other_county"
    return reason


def plan_water(
    villages: gpd.GeoDataFrame,
    sources: gpd.GeoDataFrame,
    net: TravelNetwork,
    *,
    rules: Rules | None = None,
    dem: str | Any | None = None,
    budget: float | None = None,
    per_county: bool | None = None,
    routes: bool = True,
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
) -> WaterPlan:
    """Site drinking-water projects for every village without safe water.

    Without a budget: serve as many residents as the sources' yields allow, then at least
    total cost (sources developed + mains + lifts + works + connections; see
    :func:`~lvliang_coverage.services.water.pairs.supply_pairs` for the cost of a pair). With
    ``budget`` (yuan, the same costs): serve the most residents within it, then at least
    cost. Villages no source can serve are listed with the reason instead of making the model
    infeasible.

    Parameters
    ----------
    villages : GeoDataFrame
        All villages (canonical schema); those with ``water_safe`` False are planned for.
    sources : GeoDataFrame
        Water sources (``water_source_id``, ``name``, ``kind``, ``capacity_m3d`` m3/day,
        ``elevation_m`` metres, ``county``).
    net : TravelNetwork
        Network of ``water.pipe_mode`` (mains follow its roads).
    rules : Rules, optional
        Rules in force.
    dem : str, Path or DEM, optional
        Elevation model (metres) for village and missing source elevations.
    budget : float, optional
        Budget in yuan.
    per_county : bool, optional
        Keep mains inside counties (default ``water.per_county``).
    routes : bool
        Recover the road route of every main (for maps).
    time_limit_s, mip_rel_gap : float, optional
        Solver settings per model (default: the ``solver`` rules).

    Returns
    -------
    WaterPlan
        The plan.

    Notes
    -----
    Article 13: the county maintenance fund is ``maintenance_yuan_per_person_year`` (3 yuan)
    per resident supplied per year, per county and per project (source).

    With ``water.per_county`` (default) a main never crosses a county line: each county
    builds and maintains its own projects (article 13 funds are county funds) and the city
    model splits into independent county models, each solved with ``scipy.optimize.milp``
    (HiGHS). With a budget the counties share it, so one city model (the same county-only
    pairs) is solved instead; so it is when some village or source has no county (it may
    pair across counties).
    """
    rules = rules or load_rules()
    w = rules.water
    per_county = w.per_county if per_county is None else per_county
    model_dem = as_dem(dem)
    vil = unsafe_villages(villages, rules)
    vil = vil.assign(off_network=net.snap(vil)["off_network"].to_numpy(bool))
    src = checked_sources(sources, rules)
    vil = vil.assign(elevation_m=elevations(vil, model_dem, dem_first=True))
    src = src.assign(elevation_m=elevations(src, model_dem, dem_first=False))
    pairs = supply_pairs(vil, src, net, rules, dem=model_dem)
    allowed = pairs[pairs["same_county"]] if per_county else pairs
    reason = _pre_reasons(vil, pairs, per_county)
    models: list[tuple[str, FacilityLocation]] = []
    rows = []
    known = (vil["county"] != "").all() and (src["county"] != "").all()
    if per_county and budget is None and known and len(vil):
        scopes = [(c, vil["county"] == c, src["county"] == c) for c in sorted(set(vil["county"]))]
    else:
        scopes = [(CITY_TOTAL, pd.Series(True, index=vil.index), pd.Series(True, index=src.index))]
    for scope, v_mask, s_mask in scopes:
        v_part, s_part = vil[v_mask], src[s_mask]
        p_part = allowed[
            allowed["village_id"].isin(v_part["village_id"])
            & allowed["water_source_id"].isin(s_part["water_source_id"])
        ]
        m = _solve(
            p_part,
            v_part,
            s_part,
            budget=budget,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
            solver=rules.solver,
        )
        models.append((scope, m))
        rows.append(_report_row(scope, m, len(v_part), len(s_part), len(p_part)))
    assignment = pd.concat([m.assignment for _, m in models], ignore_index=True)
    unserved = pd.concat([m.unserved for _, m in models], ignore_index=True)
    opened = {i for _, m in models for i in m.opened}
    names = {"no_pair": "too_far", "exceeds_capacity": "exceeds_capacity"}
    model_reason = unserved.set_index("demand_id")["reason"].map(lambda r: names.get(r, r))
    fill = reason == ""
    reason[fill] = model_reason.reindex(reason.index[fill]).fillna("").to_numpy()
    chosen = pairs.merge(
        assignment[["demand_id", "facility_id"]],
        left_on=["village_id", "water_source_id"],
        right_on=["demand_id", "facility_id"],
    ).drop(columns=["demand_id", "facility_id"])
    vil_out = village_table(vil, src, chosen, reason, rules)
    src_out = source_table(src, vil_out, opened)
    pipes = _pipelines(net, vil_out, src, chosen, rules, routes=routes)
    return WaterPlan(
        villages=vil_out,
        sources=src_out,
        pairs=pairs,
        counties=county_budget(vil_out, src_out),
        solves=pd.DataFrame(rows),
        pipelines=pipes,
        budget=budget,
        rules=rules,
    )


def _pipelines(
    net: TravelNetwork,
    vil: gpd.GeoDataFrame,
    src: gpd.GeoDataFrame,
    chosen: pd.DataFrame,
    rules: Rules,
    *,
    routes: bool,
) -> gpd.GeoDataFrame:
    """Draw one main per served village, along the roads (straight for off-network villages)."""
    v = vil.set_index("village_id").geometry
    s = src.set_index("water_source_id").geometry
    start = gpd.GeoDataFrame(geometry=s.loc[chosen["water_source_id"]].to_numpy(), crs=STORAGE_CRS)
    end = gpd.GeoDataFrame(geometry=v.loc[chosen["village_id"]].to_numpy(), crs=STORAGE_CRS)
    geoms = link_lines(start.geometry, end.geometry)
    on_road = (chosen["basis"] == "network").to_numpy()
    if routes and on_road.any():
        geoms[on_road] = pipe_routes(
            net,
            start[on_road].reset_index(drop=True),
            end[on_road].reset_index(drop=True),
            limit_m=rules.water.max_pipe_m * 1.01,
        )
    return gpd.GeoDataFrame(
        {
            "village_id": chosen["village_id"].to_numpy(object),
            "water_source_id": chosen["water_source_id"].to_numpy(object),
            "basis": chosen["basis"].to_numpy(object),
            "pipe_m": chosen["pipe_m"].to_numpy(float),
            "gravity": chosen["gravity"].to_numpy(bool),
            "cost_yuan": chosen["cost_yuan"].to_numpy(float),
        },
        geometry=geoms,
        crs=STORAGE_CRS,
    )
