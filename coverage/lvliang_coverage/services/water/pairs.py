"""Candidate supply pairs: every source-village main within reach, with its pipe, lift and costs."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.network.distance import metric_xy, pair_distances_m, pairs_within_m
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.terrain import as_dem
from lvliang_coverage.services.water.demand import checked_sources, elevations


def same_county(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Flag pairs in one county; a place without a county (empty text) matches any county."""
    return (a == b) | (a == "") | (b == "")


def supply_pairs(
    villages: gpd.GeoDataFrame,
    sources: gpd.GeoDataFrame,
    net: TravelNetwork,
    rules: Rules | None = None,
    *,
    dem: str | Any | None = None,
) -> pd.DataFrame:
    """List every source-village pair within ``max_pipe_km``, with its pipe, lift and costs.

    Parameters
    ----------
    villages : GeoDataFrame
        Unsafe villages from :func:`~lvliang_coverage.services.water.demand.unsafe_villages`
        (``off_network`` is added when absent).
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

    Notes
    -----
    Costs (yuan) of supplying village i from source j, all settings in the ``[water]`` rules:

    - main pipe: ``pipe_m x pipe_cost_yuan_per_m``. ``pipe_m`` is the network distance along
      the roads of ``water.pipe_mode`` (off-road legs to the road included) when the village
      is on the road network, else the straight line x ``winding_factor``. Pairs longer than
      ``max_pipe_km`` are not considered.
    - lift: gravity feeds the village when the source sits at least ``min_gravity_head_m``
      above it; otherwise a pumping station lifts ``head_m = z_village - z_source +
      min_gravity_head_m`` metres at ``lift_cost_yuan_per_m_head`` per metre. Elevations:
      sources' ``elevation_m`` column (else the DEM); villages from the DEM (else their
      ``elevation_m`` column). An unknown elevation counts as a lift of
      ``min_gravity_head_m`` (conservative).
    - works: ``works_cost_yuan_per_m3d`` per m3/day supplied (treatment, storage).
    - household connections: ``connection_cost_yuan_per_household`` per household; article 12
      subsidises ``poor_household_connection_subsidy`` (50 %) of it for registered-poor
      households (``registered_poor x households / population``, rounded).
    - developing a new source (not part of a pair, paid once per source):
      ``source_cost_yuan[kind]``; kinds in ``existing_kinds`` (water plants) are built already
      and open at no source cost.
    """
    rules = rules or load_rules()
    w = rules.water
    src = checked_sources(sources, rules)
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
    z_v = elevations(vil, model, dem_first=True)
    z_s = elevations(src, model, dem_first=False)
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
            "same_county": same_county(
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
