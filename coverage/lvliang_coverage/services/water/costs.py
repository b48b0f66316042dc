"""Money of a water plan: per village, per source (project) and per county, in yuan."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL
from lvliang_coverage.config import Rules
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.services.water.demand import VILLAGE_COLUMNS

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


def village_table(
    vil: gpd.GeoDataFrame,
    src: gpd.GeoDataFrame,
    chosen: pd.DataFrame,
    reason: pd.Series,
    rules: Rules,
) -> gpd.GeoDataFrame:
    """Tabulate the unsafe villages with their source, pipe, lift and money (yuan).

    Parameters
    ----------
    vil : GeoDataFrame
        Unsafe villages with :data:`~lvliang_coverage.services.water.demand.VILLAGE_COLUMNS`.
    src : GeoDataFrame
        Checked sources (``water_source_id``, ``name``, ``kind``).
    chosen : DataFrame
        The supply pair chosen for each served village (columns of ``supply_pairs``).
    reason : pandas.Series
        Unserved reason per village id (empty text when none is known).
    rules : Rules
        Rules in force (connection cost, article-12 subsidy, article-13 fund).

    Returns
    -------
    GeoDataFrame
        EPSG:4326; the columns of ``WaterPlan.villages``.
    """
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


def source_table(
    src: gpd.GeoDataFrame, vil: gpd.GeoDataFrame, opened: set[object]
) -> gpd.GeoDataFrame:
    """Tabulate every source with its load (m3/day), villages, residents and money (yuan).

    Parameters
    ----------
    src : GeoDataFrame
        Checked sources (``source_cost_yuan``, ``existing``).
    vil : GeoDataFrame
        The village table of :func:`village_table`.
    opened : set
        Ids of the sources the models developed (new projects).

    Returns
    -------
    GeoDataFrame
        EPSG:4326; the columns of ``WaterPlan.sources``.
    """
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
    """Sum the budget per county (yuan) and add a city row (``全市``).

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
        maintenance fund is yuan per year). The last row is the city total
        (:data:`~lvliang_coverage.codes.CITY_TOTAL`).
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
    table.loc[CITY_TOTAL] = table.sum()
    table[ints] = table[ints].astype(np.int64)
    return table.rename_axis("county").reset_index()
