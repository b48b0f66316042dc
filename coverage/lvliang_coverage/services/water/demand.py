"""Villages lacking safe drinking water and their demand; the sources that could supply them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network.terrain import DEM

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
"""Columns of the unsafe villages of a plan (:func:`unsafe_villages`, then ``off_network``)."""


def text_column(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Column ``col`` as text, missing values (or a missing column) as empty text."""
    if col not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[col].astype(object).where(frame[col].notna(), "").astype(str).to_numpy(object)


def unsafe_villages(villages: gpd.GeoDataFrame, rules: Rules | None = None) -> gpd.GeoDataFrame:
    """Select the villages without safe drinking water (``water_safe`` False) and their demand.

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
        msg = (
            f"饮水规划需要村庄名录中的列 {', '.join(missing)} / "
            f"the village registry needs column(s) {', '.join(missing)} for water planning"
        )
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
            "name": text_column(v, "name"),
            "county": text_column(v, "county"),
            "township": text_column(v, "township"),
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


def elevations(points: gpd.GeoDataFrame, dem: DEM | None, *, dem_first: bool) -> np.ndarray:
    """Elevations in metres from the DEM and the ``elevation_m`` column, in the preferred order.

    Parameters
    ----------
    points : GeoDataFrame
        Points, any CRS.
    dem : DEM or None
        Elevation model in metres.
    dem_first : bool
        Prefer the DEM (villages) or the column (sources, surveyed at the intake).

    Returns
    -------
    numpy.ndarray of float
        Metres; NaN where neither is known.
    """
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


def checked_sources(sources: gpd.GeoDataFrame, rules: Rules) -> gpd.GeoDataFrame:
    """Validate the water-source layer; add the source cost (yuan) and the existing flag.

    Parameters
    ----------
    sources : GeoDataFrame
        Water sources (``water_source_id``, ``kind``, ``capacity_m3d`` m3/day), any CRS.
    rules : Rules
        Rules in force (``water.source_cost_yuan``, ``water.existing_kinds``).

    Returns
    -------
    GeoDataFrame
        The sources (EPSG:4326) with text ``name``, ``county``, ``township``,
        ``source_cost_yuan`` and ``existing``.

    Raises
    ------
    InputError
        When a needed column is missing or a kind has no source cost.
    """
    need = ["water_source_id", "kind", "capacity_m3d"]
    missing = [c for c in need if c not in sources.columns]
    if missing:
        msg = (
            f"水源名录缺少列 {', '.join(missing)} / "
            f"the water-source registry needs column(s) {', '.join(missing)}"
        )
        raise InputError(msg, column=missing[0])
    w = rules.water
    kinds = sources["kind"].astype(str)
    unknown = sorted(set(kinds) - set(w.source_cost_yuan))
    if unknown:
        msg = (
            f"水源类型 {unknown} 没有造价，请在规则配置文件的 water.source_cost_yuan 中补充 / "
            f"no source cost for kind(s) {unknown}; add them to water.source_cost_yuan"
        )
        raise InputError(msg, column="kind")
    out = sources.to_crs(STORAGE_CRS).reset_index(drop=True)
    out = out.assign(
        water_source_id=out["water_source_id"].astype(str).to_numpy(object),
        name=text_column(out, "name"),
        county=text_column(out, "county"),
        township=text_column(out, "township"),
        kind=kinds.to_numpy(object),
        source_cost_yuan=kinds.map(w.source_cost_yuan).to_numpy(float),
        existing=kinds.isin(w.existing_kinds).to_numpy(bool),
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=STORAGE_CRS)
