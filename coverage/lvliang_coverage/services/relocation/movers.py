"""The movers' tables of a resettlement plan: who goes to which site, and who fits nowhere."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.inputs.projection import metric_crs_of
from lvliang_coverage.network.distance import metric_xy, nearest_m
from lvliang_coverage.optimise.assignment import CapacitatedAssignment

ASSIGNMENT_COLUMNS = [
    "village_id",
    "name",
    "county",
    "township",
    "households",
    "residents",
    "site_id",
    "site_name",
    "site_county",
    "commute_km",
    "commute_min",
    "resident_minutes",
]
"""Columns of :attr:`RelocationPlan.assignment
<lvliang_coverage.services.relocation.analysis.RelocationPlan.assignment>`."""

UNASSIGNED_COLUMNS = [
    "village_id",
    "name",
    "county",
    "township",
    "households",
    "residents",
    "reason",
    "nearest_site_id",
    "nearest_site_km",
    "fastest_site_id",
    "fastest_site_min",
    "fastest_county_site_id",
    "fastest_county_site_min",
    "allowed_site_id",
    "allowed_site_min",
    "allowed_spare_households",
]
"""Columns of :attr:`RelocationPlan.unassigned
<lvliang_coverage.services.relocation.analysis.RelocationPlan.unassigned>`."""


def _fastest(pairs: pd.DataFrame, ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Fastest site id and its minutes per village id (None / NaN when no pair)."""
    best = pairs.sort_values("time_s", kind="stable").drop_duplicates("destination_id")
    best = best.set_index("destination_id").reindex(ids)
    return best["origin_id"].to_numpy(dtype=object), best["time_s"].to_numpy(float) / 60.0


def _in_own_county(pairs: pd.DataFrame, movers: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    """Whether each site -> village pair lies within the village's own county."""
    county_of_site = pd.Series(sites["county"].to_numpy(), index=pd.Index(sites["site_id"]))
    county_of_village = pd.Series(movers["county"].to_numpy(), index=pd.Index(movers["village_id"]))
    return np.asarray(
        county_of_site.reindex(pairs["origin_id"]).to_numpy()
        == county_of_village.reindex(pairs["destination_id"]).to_numpy(),
        dtype=bool,
    )


def _nearest_sites(movers: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Site nearest in a straight line to every mover: ``site_id`` and ``km``, by village id."""
    index = pd.Index(movers["village_id"])
    if movers.empty or sites.empty:
        return pd.DataFrame({"site_id": None, "km": np.nan}, index=index)
    crs = metric_crs_of(movers)
    metres, pos = nearest_m(metric_xy(movers, crs), metric_xy(sites, crs))
    ids = sites["site_id"].to_numpy(dtype=object)[pos]
    return pd.DataFrame({"site_id": ids, "km": metres / 1000.0}, index=index)


def assignment_table(
    model: CapacitatedAssignment,
    movers: pd.DataFrame,
    sites: pd.DataFrame,
    pairs: pd.DataFrame,
) -> pd.DataFrame:
    """Tabulate the villages the plan moves, each with its site and commute.

    Parameters
    ----------
    model : CapacitatedAssignment
        The solved assignment.
    movers : DataFrame
        Relocating villages (``village_id``, ``name``, ``county``, ``township``).
    sites : DataFrame
        Resettlement sites (``site_id``, ``name``, ``county``).
    pairs : DataFrame
        Site -> village commutes (``origin_id`` site, ``destination_id`` village,
        ``network_m`` metres, ``time_s`` seconds).

    Returns
    -------
    pandas.DataFrame
        :data:`ASSIGNMENT_COLUMNS`, sorted by county, township and village id:
        ``commute_km`` and ``commute_min`` along the roads from the site back to the old
        village (kilometres, minutes), ``resident_minutes`` residents x minutes.
    """
    info = movers.set_index("village_id")[["name", "county", "township"]]
    site_info = sites.set_index("site_id")[["name", "county"]]
    a = model.assignment
    metres = pairs.set_index(["origin_id", "destination_id"])["network_m"]
    keys = pd.MultiIndex.from_arrays([a["site_id"], a["village_id"]])
    return pd.DataFrame(
        {
            "village_id": a["village_id"].to_numpy(),
            "name": info["name"].reindex(a["village_id"]).to_numpy(),
            "county": info["county"].reindex(a["village_id"]).to_numpy(),
            "township": info["township"].reindex(a["village_id"]).to_numpy(),
            "households": a["households"].to_numpy().astype(np.int64),
            "residents": a["residents"].to_numpy().astype(np.int64),
            "site_id": a["site_id"].to_numpy(),
            "site_name": site_info["name"].reindex(a["site_id"]).to_numpy(),
            "site_county": site_info["county"].reindex(a["site_id"]).to_numpy(),
            "commute_km": metres.reindex(keys).to_numpy(dtype=float) / 1000.0,
            "commute_min": a["minutes"].to_numpy(dtype=float),
            "resident_minutes": a["resident_minutes"].to_numpy(dtype=float),
        },
        columns=ASSIGNMENT_COLUMNS,
    ).sort_values(["county", "township", "village_id"], kind="stable", ignore_index=True)


def unassigned_table(
    model: CapacitatedAssignment,
    movers: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    pairs: pd.DataFrame,
    *,
    max_commute_min: float,
    same_county: bool,
    spare_households: pd.Series,
) -> pd.DataFrame:
    """Tabulate the relocating villages no site takes, with the sites that come closest.

    Parameters
    ----------
    model : CapacitatedAssignment
        The solved assignment (``unassigned``: village, households, residents, reason).
    movers : GeoDataFrame
        Relocating villages (``village_id``, ``name``, ``county``, ``township``), points.
    sites : GeoDataFrame
        Resettlement sites (``site_id``, ``county``), points.
    pairs : DataFrame
        Site -> village commutes (``origin_id``, ``destination_id``, ``time_s`` seconds).
    max_commute_min : float
        Commute limit in minutes.
    same_county : bool
        Whether movers stay in their own county.
    spare_households : Series
        Households of room left at each site after the plan, indexed by site id.

    Returns
    -------
    pandas.DataFrame
        :data:`UNASSIGNED_COLUMNS`, sorted by county, township and village id:
        ``nearest_site_id`` / ``nearest_site_km`` the site nearest in a straight line;
        ``fastest_site_id`` / ``fastest_site_min`` the fastest site of any county (minutes
        from the site back to the village); ``fastest_county_site_*`` the fastest of the
        village's own county; ``allowed_site_*`` the fastest site the rules allow (within
        the commute limit, and in the own county when ``same_county``) with its spare
        households after the plan. Ids None and figures NaN where there is no such site.
    """
    u = model.unassigned
    uid = pd.Index(u["village_id"])
    info = movers.set_index("village_id")
    any_id, any_min = _fastest(pairs, uid)
    own = _in_own_county(pairs, movers, sites)
    own_id, own_min = _fastest(pairs[own], uid)
    allowed = pairs["time_s"].to_numpy(float) <= max_commute_min * 60.0
    if same_county:
        allowed &= own
    ok_id, ok_min = _fastest(pairs[allowed], uid)
    near = _nearest_sites(movers, sites).reindex(uid)
    return pd.DataFrame(
        {
            "village_id": u["village_id"].to_numpy(),
            "name": info["name"].reindex(uid).to_numpy(),
            "county": info["county"].reindex(uid).to_numpy(),
            "township": info["township"].reindex(uid).to_numpy(),
            "households": u["households"].to_numpy().astype(np.int64),
            "residents": u["residents"].to_numpy().astype(np.int64),
            "reason": u["reason"].to_numpy(dtype=object),
            "nearest_site_id": near["site_id"].to_numpy(dtype=object),
            "nearest_site_km": near["km"].to_numpy(dtype=float),
            "fastest_site_id": any_id,
            "fastest_site_min": any_min,
            "fastest_county_site_id": own_id,
            "fastest_county_site_min": own_min,
            "allowed_site_id": ok_id,
            "allowed_site_min": ok_min,
            "allowed_spare_households": spare_households.reindex(ok_id).astype("Int64").to_numpy(),
        },
        columns=UNASSIGNED_COLUMNS,
    ).sort_values(["county", "township", "village_id"], kind="stable", ignore_index=True)
