"""Rural drinking-water projects (articles 12-14): sources, mains, lifts, subsidies and funds.

The water bureau's question: which villages lack safe drinking water, which sources to develop
or extend and which villages each supplies, at least cost and within each source's yield.

Costs (yuan) of supplying village i from source j, all settings in the ``[water]`` rules:

- main pipe: ``pipe_m x pipe_cost_yuan_per_m``. ``pipe_m`` is the network distance along the
  roads of ``water.pipe_mode`` (off-road legs to the road included) when the village is on the
  road network, else the straight line x ``winding_factor``. Pairs longer than ``max_pipe_km``
  are not considered.
- lift: gravity feeds the village when the source sits at least ``min_gravity_head_m`` above
  it; otherwise a pumping station lifts ``head_m = z_village - z_source + min_gravity_head_m``
  metres at ``lift_cost_yuan_per_m_head`` per metre. Elevations: sources' ``elevation_m``
  column (else the DEM); villages from the DEM (else their ``elevation_m`` column). An unknown
  elevation counts as a lift of ``min_gravity_head_m`` (conservative).
- works: ``works_cost_yuan_per_m3d`` per m3/day supplied (treatment, storage).
- household connections: ``connection_cost_yuan_per_household`` per household; article 12
  subsidises ``poor_household_connection_subsidy`` (50 %) of it for registered-poor households
  (``registered_poor x households / population``, rounded).
- developing a new source: ``source_cost_yuan[kind]``; kinds in ``existing_kinds`` (water
  plants) are built already and open at no source cost.

Article 13: the county maintenance fund is ``maintenance_yuan_per_person_year`` (3 yuan) per
resident supplied per year, per county and per project (source).

With ``water.per_county`` (default) a main never crosses a county line: each county builds and
maintains its own projects (article 13 funds are county funds) and the city model splits into
independent county models, each solved with ``scipy.optimize.milp`` (HiGHS). With a budget the
counties share it, so one city model (the same county-only pairs) is solved instead; so it is
when some village or source has no county (it may pair across counties).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network.distance import metric_xy, pair_distances_m, pairs_within_m
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.terrain import DEM, as_dem
from lvliang_coverage.optimise.siting import FacilityLocation
from lvliang_coverage.services.water._pipe_routes import pipe_routes

UNSERVED_REASONS = ("too_far", "other_county", "exceeds_capacity", "capacity", "budget")
"""Why an unsafe village is left unserved: no source within ``max_pipe_km``; sources within
reach only in another county; demand above the yield of every source in reach; yield taken by
other villages; budget exhausted."""

VILLAGE_COLUMNS = [
    "village_id",
    "name",
    "county",
    "township",
    "population",
    "households",
    "registered_poor",
    "poor_households",
    "demand_m3d",
    "elevation_m",
    "off_network",
]
"""Columns of :func:`unsafe_villages`."""

MONEY_COLUMNS = [
    "construction_yuan",
    "pipe_yuan",
    "lift_yuan",
    "connection_yuan",
    "subsidy_yuan",
    "total_yuan",
    "maintenance_yuan_year",
]
"""Money columns of the per-source and per-county tables (yuan; fund in yuan per year)."""


def _text(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[col].astype(object).where(frame[col].notna(), "").astype(str).to_numpy(object)


def unsafe_villages(villages: gpd.GeoDataFrame, rules: Rules | None = None) -> gpd.GeoDataFrame:
    """Villages without safe drinking water (``water_safe`` False) and their demand.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages (canonical schema: ``population``, ``households``, ``registered_poor``,
        ``water_safe``), any CRS.
    rules : Rules, optional
        Rules in force (``water.demand_l_per_resident_day``).

    Returns
    -------
    GeoDataFrame
        The unsafe villages (EPSG:4326) with ``poor_households`` (registered-poor residents /
        residents per household, rounded, at most ``households``) and ``demand_m3d``
        (residents x demand, m3/day).

    Raises
    ------
    InputError
        When a needed column is missing.
    """
    rules = rules or load_rules()
    need = ["village_id", "population", "households", "registered_poor", "water_safe"]
    missing = [c for c in need if c not in villages.columns]
    if missing:
        msg = f"the village registry needs column(s) {', '.join(missing)} for water planning"
        raise InputError(msg, column=missing[0])
    v = villages[~villages["water_safe"].astype(bool).to_numpy()].to_crs(STORAGE_CRS)
    pop = v["population"].to_numpy(float)
    hh = v["households"].to_numpy(float)
    poor = v["registered_poor"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        poor_hh = np.where(pop > 0, np.rint(poor * hh / pop), 0.0)
    poor_hh = np.minimum(poor_hh, hh).astype(np.int64)
    out = gpd.GeoDataFrame(
        {
            "village_id": v["village_id"].astype(str).to_numpy(),
            "name": _text(v, "name"),
            "county": _text(v, "county"),
            "township": _text(v, "township"),
            "population": v["population"].to_numpy(np.int64),
            "households": v["households"].to_numpy(np.int64),
            "registered_poor": v["registered_poor"].to_numpy(np.int64),
            "poor_households": poor_hh,
            "demand_m3d": pop * rules.water.demand_m3_per_resident_day,
            "elevation_m": (
                v["elevation_m"].to_numpy(float)
                if "elevation_m" in v.columns
                else np.full(len(v), np.nan)
            ),
        },
        geometry=v.geometry.to_numpy(),
        crs=STORAGE_CRS,
    )
    return out.reset_index(drop=True)


def _elevations(points: gpd.GeoDataFrame, dem: DEM | None, *, dem_first: bool) -> np.ndarray:
    """Elevations in metres: DEM and ``elevation_m`` column, in the preferred order."""
    column = (
        points["elevation_m"].to_numpy(float)
        if "elevation_m" in points.columns
        else np.full(len(points), np.nan)
    )
    if dem is None or len(points) == 0:
        return column
    ll = points.geometry.to_crs(STORAGE_CRS)
    sampled = dem.sample(ll.x.to_numpy(), ll.y.to_numpy())
    first, second = (sampled, column) if dem_first else (column, sampled)
    return np.where(np.isfinite(first), first, second)


def _sources(sources: gpd.GeoDataFrame, rules: Rules) -> gpd.GeoDataFrame:
    """Validate the source layer; add the source cost and the existing flag."""
    need = ["water_source_id", "kind", "capacity_m3d"]
    missing = [c for c in need if c not in sources.columns]
    if missing:
        msg = f"the water-source registry needs column(s) {', '.join(missing)}"
        raise InputError(msg, column=missing[0])
    w = rules.water
    kinds = sources["kind"].astype(str)
    unknown = sorted(set(kinds) - set(w.source_cost_yuan))
    if unknown:
        msg = f"no source cost for kind(s) {unknown}; add them to water.source_cost_yuan"
        raise InputError(msg, column="kind")
    out = sources.to_crs(STORAGE_CRS).reset_index(drop=True)
    out = out.assign(
        water_source_id=out["water_source_id"].astype(str).to_numpy(object),
        name=_text(out, "name"),
        county=_text(out, "county"),
        township=_text(out, "township"),
        kind=kinds.to_numpy(object),
        source_cost_yuan=kinds.map(w.source_cost_yuan).to_numpy(float),
        existing=kinds.isin(w.existing_kinds).to_numpy(bool),
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)


def _same_county(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairs in one county; a place without a county (empty text) matches any county."""
    return (a == b) | (a == "") | (b == "")


def supply_pairs(
    villages: gpd.GeoDataFrame,
    sources: gpd.GeoDataFrame,
    net: TravelNetwork,
    rules: Rules | None = None,
    *,
    dem: str | Any | None = None,
) -> pd.DataFrame:
    """Every source-village pair within ``max_pipe_km``, with its pipe, lift and costs.

    Parameters
    ----------
    villages : GeoDataFrame
        Unsafe villages from :func:`unsafe_villages` (``off_network`` is added when absent).
    sources : GeoDataFrame
        Water sources (``water_source_id``, ``kind``, ``capacity_m3d``, ``elevation_m``).
    net : TravelNetwork
        Network whose roads the mains follow (``water.pipe_mode``).
    rules : Rules, optional
        Rules in force.
    dem : str, Path or DEM, optional
        Elevation model in metres.

    Returns
    -------
    pandas.DataFrame
        ``village_id``, ``water_source_id``, ``same_county`` (True also when either has no
        county), ``basis`` (``"network"`` or
        ``"straight"``), ``euclid_m``, ``pipe_m`` (metres), ``drop_m`` (source minus village
        elevation, metres; NaN when unknown), ``gravity`` (bool), ``head_m`` (metres lifted, 0
        under gravity), ``pipe_yuan``, ``lift_yuan``, ``works_yuan``, ``connection_yuan`` and
        ``cost_yuan`` (their sum).
    """
    rules = rules or load_rules()
    w = rules.water
    src = _sources(sources, rules)
    vil = villages.reset_index(drop=True)
    if "off_network" not in vil.columns:
        vil = vil.assign(off_network=net.snap(vil)["off_network"].to_numpy(bool))
    model = as_dem(dem)
    crs = net.metric_crs
    v_xy, s_xy = metric_xy(vil, crs), metric_xy(src, crs)
    v_pos, s_pos = pd.Index(vil["village_id"]), pd.Index(src["water_source_id"])
    on_net = net.within(src, vil, max_m=w.max_pipe_m, id_cols=("water_source_id", "village_id"))
    vi_n = v_pos.get_indexer(on_net["destination_id"])
    si_n = s_pos.get_indexer(on_net["origin_id"])
    keep = ~vil["off_network"].to_numpy(bool)[vi_n]
    vi_n, si_n, net_m = vi_n[keep], si_n[keep], on_net["network_m"].to_numpy(float)[keep]
    vi_s, si_s = pairs_within_m(v_xy, s_xy, w.max_pipe_m / w.winding_factor)
    off = vil["off_network"].to_numpy(bool)[vi_s]
    vi_s, si_s = vi_s[off], si_s[off]
    vi = np.r_[vi_n, vi_s].astype(np.int64)
    si = np.r_[si_n, si_s].astype(np.int64)
    euclid = pair_distances_m(v_xy, s_xy, vi, si)
    pipe_m = np.r_[net_m, euclid[len(vi_n) :] * w.winding_factor]
    z_v = _elevations(vil, model, dem_first=True)
    z_s = _elevations(src, model, dem_first=False)
    drop = z_s[si] - z_v[vi]
    known = np.isfinite(drop)
    gravity = known & (drop >= w.min_gravity_head_m)
    head = np.where(
        gravity, 0.0, np.where(known, w.min_gravity_head_m - drop, w.min_gravity_head_m)
    )
    demand = vil["demand_m3d"].to_numpy(float)[vi]
    pipe_yuan = pipe_m * w.pipe_cost_yuan_per_m
    lift_yuan = head * w.lift_cost_yuan_per_m_head
    works_yuan = demand * w.works_cost_yuan_per_m3d
    conn = vil["households"].to_numpy(float)[vi] * w.connection_cost_yuan_per_household
    pairs = pd.DataFrame(
        {
            "village_id": vil["village_id"].to_numpy(object)[vi],
            "water_source_id": src["water_source_id"].to_numpy(object)[si],
            "same_county": _same_county(
                vil["county"].to_numpy(object)[vi], src["county"].to_numpy(object)[si]
            ),
            "basis": np.r_[np.full(len(vi_n), "network"), np.full(len(vi_s), "straight")],
            "euclid_m": euclid,
            "pipe_m": pipe_m,
            "drop_m": drop,
            "gravity": gravity,
            "head_m": head,
            "pipe_yuan": pipe_yuan,
            "lift_yuan": lift_yuan,
            "works_yuan": works_yuan,
            "connection_yuan": conn,
            "cost_yuan": pipe_yuan + lift_yuan + works_yuan + conn,
        }
    )
    return pairs.sort_values(["village_id", "cost_yuan"], kind="stable").reset_index(drop=True)


@dataclass
class WaterPlan:
    """A drinking-water project plan for the villages lacking safe water.

    Attributes
    ----------
    villages : geopandas.GeoDataFrame
        Every unsafe village (EPSG:4326): :data:`VILLAGE_COLUMNS`, then ``served``,
        ``water_source_id``, ``source_name``, ``source_kind``, ``basis``, ``pipe_m``,
        ``head_m``, ``gravity``, ``pipe_yuan``, ``lift_yuan``, ``works_yuan``,
        ``connection_yuan``, ``subsidy_yuan``, ``maintenance_yuan_year`` and ``reason``
        (empty when served, else one of :data:`UNSERVED_REASONS`).
    sources : geopandas.GeoDataFrame
        Every source (EPSG:4326) with ``existing``, ``developed`` (a new project),
        ``used``, ``load_m3d``, ``villages``, ``residents`` and :data:`MONEY_COLUMNS`
        (``construction_yuan`` = source cost if developed + works).
    pairs : pandas.DataFrame
        The candidate pairs (:func:`supply_pairs`).
    counties : pandas.DataFrame
        Budget per county plus a city row (``全市``): counts and :data:`MONEY_COLUMNS`.
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
) -> FacilityLocation:
    """One capacitated facility-location model (yuan) over the given villages and sources."""
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
    ).solve(time_limit_s, mip_rel_gap)


def _report_row(scope: str, model: FacilityLocation, n_v: int, n_s: int, n_p: int) -> dict:
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
    """Reasons known before solving: nothing in reach, or only other counties' sources."""
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
    total cost (sources developed + mains + lifts + works + connections). With ``budget``
    (yuan, the same costs): serve the most residents within it, then at least cost. Villages
    no source can serve are listed with the reason instead of making the model infeasible.

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
    """
    rules = rules or load_rules()
    w = rules.water
    per_county = w.per_county if per_county is None else per_county
    model_dem = as_dem(dem)
    vil = unsafe_villages(villages, rules)
    vil = vil.assign(off_network=net.snap(vil)["off_network"].to_numpy(bool))
    src = _sources(sources, rules)
    vil = vil.assign(elevation_m=_elevations(vil, model_dem, dem_first=True))
    src = src.assign(elevation_m=_elevations(src, model_dem, dem_first=False))
    pairs = supply_pairs(vil, src, net, rules, dem=model_dem)
    allowed = pairs[pairs["same_county"]] if per_county else pairs
    reason = _pre_reasons(vil, pairs, per_county)
    models: list[tuple[str, FacilityLocation]] = []
    rows = []
    known = (vil["county"] != "").all() and (src["county"] != "").all()
    if per_county and budget is None and known and len(vil):
        scopes = [(c, vil["county"] == c, src["county"] == c) for c in sorted(set(vil["county"]))]
    else:
        scopes = [("全市", pd.Series(True, index=vil.index), pd.Series(True, index=src.index))]
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
    vil_out = _village_table(vil, src, chosen, reason, rules)
    src_out = _source_table(src, vil_out, opened)
    counties = county_budget(vil_out, src_out)
    pipes = _pipelines(net, vil_out, src, chosen, rules, routes=routes)
    return WaterPlan(
        villages=vil_out,
        sources=src_out,
        pairs=pairs,
        counties=counties,
        solves=pd.DataFrame(rows),
        pipelines=pipes,
        budget=budget,
        rules=rules,
    )


def _village_table(
    vil: gpd.GeoDataFrame,
    src: gpd.GeoDataFrame,
    chosen: pd.DataFrame,
    reason: pd.Series,
    rules: Rules,
) -> gpd.GeoDataFrame:
    """Unsafe villages with their source, pipe, lift and money (yuan)."""
    w = rules.water
    c = chosen.set_index("village_id").reindex(vil["village_id"])
    served = c["water_source_id"].notna().to_numpy()
    s = src.set_index("water_source_id")
    sid = c["water_source_id"]
    conn = np.where(served, vil["households"] * w.connection_cost_yuan_per_household, 0.0)
    subsidy = np.where(
        served,
        vil["poor_households"]
        * w.connection_cost_yuan_per_household
        * w.poor_household_connection_subsidy,
        0.0,
    )
    fund = np.where(served, vil["population"] * w.maintenance_yuan_per_person_year, 0.0)

    def money(col: str) -> np.ndarray:
        return np.where(served, c[col].to_numpy(float), 0.0)

    out = vil[[*VILLAGE_COLUMNS, "geometry"]].assign(
        served=served,
        water_source_id=sid.to_numpy(object),
        source_name=sid.map(s["name"]).to_numpy(object),
        source_kind=sid.map(s["kind"]).to_numpy(object),
        basis=c["basis"].to_numpy(object),
        pipe_m=c["pipe_m"].to_numpy(float),
        head_m=c["head_m"].to_numpy(float),
        gravity=c["gravity"].astype("boolean").to_numpy(),
        pipe_yuan=money("pipe_yuan"),
        lift_yuan=money("lift_yuan"),
        works_yuan=money("works_yuan"),
        connection_yuan=conn,
        subsidy_yuan=subsidy,
        maintenance_yuan_year=fund,
        reason=np.where(served, "", reason.reindex(vil["village_id"]).fillna("").to_numpy()),
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)


def _source_table(
    src: gpd.GeoDataFrame, vil: gpd.GeoDataFrame, opened: set[object]
) -> gpd.GeoDataFrame:
    """Every source with its load, villages, residents and money (yuan)."""
    served = vil[vil["served"]]
    g = served.groupby("water_source_id")
    agg = pd.DataFrame(
        {
            "load_m3d": g["demand_m3d"].sum(),
            "villages": g.size(),
            "residents": g["population"].sum(),
            "works": g["works_yuan"].sum(),
            "pipe_yuan": g["pipe_yuan"].sum(),
            "lift_yuan": g["lift_yuan"].sum(),
            "connection_yuan": g["connection_yuan"].sum(),
            "subsidy_yuan": g["subsidy_yuan"].sum(),
            "maintenance_yuan_year": g["maintenance_yuan_year"].sum(),
        }
    ).reindex(src["water_source_id"])
    agg = agg.fillna(0.0)
    developed = src["water_source_id"].isin(opened).to_numpy()
    construction = np.where(developed, src["source_cost_yuan"], 0.0) + agg["works"].to_numpy()
    out = src.assign(
        developed=developed,
        used=agg["villages"].to_numpy() > 0,
        load_m3d=agg["load_m3d"].to_numpy(),
        villages=agg["villages"].to_numpy(np.int64),
        residents=agg["residents"].to_numpy(np.int64),
        construction_yuan=construction,
        pipe_yuan=agg["pipe_yuan"].to_numpy(),
        lift_yuan=agg["lift_yuan"].to_numpy(),
        connection_yuan=agg["connection_yuan"].to_numpy(),
        subsidy_yuan=agg["subsidy_yuan"].to_numpy(),
    )
    out["total_yuan"] = (
        out["construction_yuan"] + out["pipe_yuan"] + out["lift_yuan"] + out["connection_yuan"]
    )
    out["maintenance_yuan_year"] = agg["maintenance_yuan_year"].to_numpy()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)


def county_budget(villages: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Budget per county (yuan) plus a city row ``全市``.

    Parameters
    ----------
    villages : DataFrame
        ``WaterPlan.villages``.
    sources : DataFrame
        ``WaterPlan.sources``.

    Returns
    -------
    pandas.DataFrame
        ``county``, ``unsafe_villages``, ``unsafe_residents``, ``served_villages``,
        ``served_residents``, ``poor_households_served``, ``sources_developed`` and
        :data:`MONEY_COLUMNS` (construction = new sources + works; total = construction +
        pipes + lifts + connections; subsidy is the article-12 share of connections; the
        maintenance fund is yuan per year).
    """
    v = villages.assign(
        _sr=np.where(villages["served"], villages["population"], 0),
        _ph=np.where(villages["served"], villages["poor_households"], 0),
    )
    per_v = v.groupby("county").agg(
        unsafe_villages=("village_id", "size"),
        unsafe_residents=("population", "sum"),
        served_villages=("served", "sum"),
        served_residents=("_sr", "sum"),
        poor_households_served=("_ph", "sum"),
    )
    per_s = sources.groupby("county").agg(
        sources_developed=("developed", "sum"),
        **{c: (c, "sum") for c in MONEY_COLUMNS},
    )
    table = per_v.join(per_s, how="outer").fillna(0)
    table = table[(table["unsafe_villages"] > 0) | (table["total_yuan"] > 0)]
    ints = [c for c in table.columns if c not in MONEY_COLUMNS]
    table[ints] = table[ints].astype(np.int64)
    table.loc["全市"] = table.sum()
    table[ints] = table[ints].astype(np.int64)
    return table.rename_axis("county").reset_index()


def _pipelines(
    net: TravelNetwork,
    vil: gpd.GeoDataFrame,
    src: gpd.GeoDataFrame,
    chosen: pd.DataFrame,
    rules: Rules,
    *,
    routes: bool,
) -> gpd.GeoDataFrame:
    """One main per served village, along the roads (straight for off-network villages)."""
    v = vil.set_index("village_id").geometry
    s = src.set_index("water_source_id").geometry
    start = gpd.GeoDataFrame(geometry=s.loc[chosen["water_source_id"]].to_numpy(), crs=STORAGE_CRS)
    end = gpd.GeoDataFrame(geometry=v.loc[chosen["village_id"]].to_numpy(), crs=STORAGE_CRS)
    xy0 = shapely.get_coordinates(start.geometry.to_numpy())
    xy1 = shapely.get_coordinates(end.geometry.to_numpy())
    geoms = (
        shapely.linestrings(np.stack([xy0, xy1], axis=1))
        if len(chosen)
        else np.empty(0, dtype=object)
    )
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
