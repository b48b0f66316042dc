"""Day-care check: which villages' elderly residents have a centre within the radius and time."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL
from lvliang_coverage.services.access import (
    Router,
    access,
    facility_columns,
    reasons,
)
from lvliang_coverage.services.daycare.demand import DEMAND_COLUMNS, demand_table
from lvliang_coverage.services.daycare.settings import DaycareRules

CENTRE_COLUMNS = [
    "nearest_centre_id",
    "nearest_centre_name",
    "euclid_km",
    "nearest_min",
    "fastest_centre_id",
    "fastest_centre_name",
    "network_km",
    "travel_min",
    "served_by",
    "served_by_name",
    "served_km",
    "served_min",
    "radius_km",
]
"""Which day-care centre each column is about: the nearest in a straight line (id, name,
kilometres, minutes to reach it), the fastest reachable (id, name, network kilometres,
minutes), the one serving the village (id and name, empty when none; its kilometres by
the radius measure and its minutes), and
``radius_km``, the distance the radius is measured on (= ``euclid_km`` with the default
straight-line measure; the road distance to the nearest centre by road with
``radius_measure = "network"``)."""

CHECK_COLUMNS = [
    *DEMAND_COLUMNS,
    *CENTRE_COLUMNS,
    "mode",
    "within_radius",
    "within_time",
    "served",
    "reason",
    "off_network",
]
"""Stable columns of ``daycare_check.csv``. Each flag is its rule applied to a column of the
same row: ``within_radius`` is ``radius_km <= daycare.service_radius_km``, ``within_time``
is ``travel_min <= daycare.max_travel_min`` and ``served`` is ``served_by`` not empty."""

FIGURE_COLUMNS = [
    "villages",
    "population",
    "elderly",
    "elderly_served",
    "elderly_unserved",
    "served_share",
    "villages_served",
    "villages_unserved",
    "villages_estimated",
]
"""Figures of every unit in ``daycare_summary.csv`` (residents; share 0-1)."""

SUMMARY_COLUMNS = ["level", "county", "township", *FIGURE_COLUMNS]
"""Stable columns of ``daycare_summary.csv`` (``level``: township, county or city)."""


def check_villages(
    villages: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    net: Router,
    settings: DaycareRules,
) -> pd.DataFrame:
    """Check every village for a day-care centre within the radius and the time limit.

    A village's elderly residents are served when one centre is both within
    ``daycare.service_radius_km`` (straight line unless ``radius_measure = "network"``) and
    within ``daycare.max_travel_min`` of travel by ``daycare.mode`` from the village (the
    shared access core, :func:`lvliang_coverage.services.access.access`). The table names
    three centres apart (often the same one): the nearest in a straight line, the fastest
    reachable and the serving one (the fastest within both limits), see
    :data:`CENTRE_COLUMNS`.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages (``village_id``, ``name``, ``county``, ``township``, ``population`` and
        optionally ``elderly``, residents), points in any CRS.
    centres : GeoDataFrame
        Day-care centres (``facility_id``, optional ``name``), points in any CRS.
    net : TravelNetwork
        Road network of ``daycare.mode``.
    settings : DaycareRules
        The day-care settings.

    Returns
    -------
    pandas.DataFrame
        :data:`CHECK_COLUMNS`, one row per village in input order; kilometres and minutes,
        NaN where no centre is reachable; names empty where a centre has none.
    """
    a = access(villages, centres, net, settings.access_rule)
    ids = pd.Index(centres["facility_id"])
    names = pd.Series(
        centres["name"].to_numpy(object) if "name" in centres.columns else None,
        index=ids,
        dtype=object,
    )
    centre = facility_columns(a, "centre", radius_measure=settings.radius_measure)
    served = a["served"].to_numpy(dtype=bool)

    def name_of(column: str) -> np.ndarray:
        return pd.Series(centre[column], dtype=object).map(names).fillna("").to_numpy(object)

    return demand_table(villages, settings).assign(
        **centre,
        nearest_centre_name=name_of("nearest_centre_id"),
        fastest_centre_name=name_of("fastest_centre_id"),
        served_by_name=name_of("served_by"),
        radius_km=a["radius_distance_m"].to_numpy(dtype=float) / 1000.0,
        mode=net.mode,
        within_radius=a["within_radius"].to_numpy(dtype=bool),
        within_time=a["within_time"].to_numpy(dtype=bool),
        served=served,
        reason=reasons(a, served),
        off_network=a["off_network"].to_numpy(dtype=bool),
    )[CHECK_COLUMNS]


def _aggregate(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return t.groupby(keys, as_index=False, sort=True).agg(
        villages=("village_id", "size"),
        population=("population", "sum"),
        elderly=("elderly", "sum"),
        elderly_served=("_es", "sum"),
        villages_served=("served", "sum"),
        villages_estimated=("elderly_estimated", "sum"),
    )


def check_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Summarise a :func:`check_villages` table per township, county and city (``全市``).

    Columns :data:`SUMMARY_COLUMNS`: township rows, then county rows (township empty), then
    one city row; ``served_share`` is elderly served over elderly (0-1, NaN where a unit has
    no elderly residents).
    """
    t = table.assign(_es=np.where(table["served"], table["elderly"], 0))
    town = _aggregate(t, ["county", "township"]).assign(level="township")
    county = _aggregate(t, ["county"]).assign(level="county", township="")
    city = _aggregate(t.assign(_all=CITY_TOTAL), ["_all"]).rename(columns={"_all": "county"})
    city = city.assign(level="city", township="")
    out = pd.concat([town, county, city], ignore_index=True)
    elderly = out["elderly"].to_numpy(float)
    out["elderly_unserved"] = out["elderly"] - out["elderly_served"]
    out["served_share"] = np.divide(
        out["elderly_served"].to_numpy(float),
        elderly,
        out=np.full(len(out), np.nan),
        where=elderly > 0,
    )
    out["villages_unserved"] = out["villages"] - out["villages_served"]
    for col in ("villages_served", "villages_estimated"):
        out[col] = out[col].astype(np.int64)
    return out[SUMMARY_COLUMNS]
