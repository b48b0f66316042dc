"""Article 7 village-clinic compliance (村卫生室覆盖核查) for every village and travel mode."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL
from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.services.access import (
    PLACE_COLUMNS,
    REPORTED_COLUMNS,
    AccessRule,
    Router,
    access,
    place_columns,
    reasons,
    reported,
)

COMPLIANCE_COLUMNS = [
    *PLACE_COLUMNS,
    "nearest_clinic_id",
    *REPORTED_COLUMNS,
    "mode",
    "within_radius",
    "within_time",
    "compliant",
    "reason",
    "off_network",
]
"""Stable columns of ``clinic_compliance.csv``; ``small_village`` follows them."""


def _small(villages: pd.DataFrame, rules: Rules) -> np.ndarray:
    """Villages under the article-7 threshold (常住人口 < 200 by default)."""
    return villages["population"].to_numpy() < rules.clinic.small_village_max_residents


def clinic_access_rule(rules: Rules) -> AccessRule:
    """Article-7 limits as an access rule: 2.5 km (metres) and 30 min (seconds) by default."""
    c = rules.clinic
    return AccessRule(
        max_s=c.max_travel_s, radius_m=c.service_radius_m, radius_measure=c.radius_measure
    )


def check_mode(
    villages: gpd.GeoDataFrame,
    clinics: gpd.GeoDataFrame,
    net: Router,
    rules: Rules | None = None,
) -> pd.DataFrame:
    """Article-7 compliance of every village for one travel mode.

    A village is served by a clinic when that one clinic is both within the service radius
    (2.5 km by default; straight line unless ``clinic.radius_measure = "network"``) and
    within the travel-time limit (30 min by default, from the village to the clinic).
    Villages under 200 residents (the rule's target) comply when some clinic serves them;
    larger villages comply when some clinic is within the time limit (the 30-minute access
    promise covers every resident). The clinic reported is the fastest serving one, or the
    fastest reachable one when none serves, or the nearest in a straight
    line when none is reachable. The facts come from the shared access core
    (:func:`lvliang_coverage.services.access.access`).

    Parameters
    ----------
    villages : GeoDataFrame
        Villages (canonical schema: ``village_id``, ``name``, ``county``, ``township``,
        ``population``), points in any CRS.
    clinics : GeoDataFrame
        Clinics with ``facility_id``, points in any CRS.
    net : TravelNetwork
        Road network of one mode (:class:`lvliang_coverage.network.routing.TravelNetwork`).
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    pandas.DataFrame
        One row per village: :data:`COMPLIANCE_COLUMNS` then ``small_village``. Distances in
        kilometres, time in minutes; NaN where unreachable.
    """
    rules = rules or load_rules()
    a = access(villages, clinics, net, clinic_access_rule(rules))
    clinic_id, distances = reported(a)
    small = _small(villages, rules)
    within_time = a["within_time"].to_numpy(dtype=bool)
    compliant = np.where(small, a["served"].to_numpy(dtype=bool), within_time)
    return pd.DataFrame(
        {
            **place_columns(villages),
            "nearest_clinic_id": clinic_id,
            **distances,
            "mode": net.mode,
            "within_radius": a["within_radius"].to_numpy(dtype=bool),
            "within_time": within_time,
            "compliant": compliant.astype(bool),
            "reason": reasons(a, compliant, radius_applies=small),
            "off_network": a["off_network"].to_numpy(dtype=bool),
            "small_village": small,
        }
    )


def check_compliance(
    villages: gpd.GeoDataFrame,
    clinics: gpd.GeoDataFrame,
    networks: Mapping[str, Router],
    rules: Rules | None = None,
) -> pd.DataFrame:
    """Article-7 compliance of every village for each travel mode (long format).

    Parameters
    ----------
    villages, clinics : GeoDataFrame
        As for :func:`check_mode`.
    networks : Mapping of str to TravelNetwork
        One network per requested mode, e.g. ``{"walk": net_walk, "car": net_car}``.
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`check_mode` for every mode, modes in the order given.
    """
    frames = [check_mode(villages, clinics, net, rules) for net in networks.values()]
    return pd.concat(frames, ignore_index=True)


def compliance_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Summarise a :func:`check_compliance` table per county and mode, with city rows.

    Columns ``county``, ``mode``, ``villages``, ``residents``, ``small_villages``,
    ``small_residents``, ``small_compliant``, ``small_compliant_residents``,
    ``residents_within_time`` (all villages), ``off_network``, ``unreachable``; then one
    total row per mode (county ``"全市"``).
    """
    t = table.assign(
        _sp=np.where(table["small_village"], table["population"], 0),
        _sc=table["small_village"] & table["compliant"],
        _scp=np.where(table["small_village"] & table["compliant"], table["population"], 0),
        _wt=np.where(table["within_time"], table["population"], 0),
        _un=table["reason"].str.contains("unreachable"),
    )
    agg = {
        "villages": ("village_id", "size"),
        "residents": ("population", "sum"),
        "small_villages": ("small_village", "sum"),
        "small_residents": ("_sp", "sum"),
        "small_compliant": ("_sc", "sum"),
        "small_compliant_residents": ("_scp", "sum"),
        "residents_within_time": ("_wt", "sum"),
        "off_network": ("off_network", "sum"),
        "unreachable": ("_un", "sum"),
    }
    per = t.groupby(["county", "mode"], as_index=False, sort=True).agg(**agg)
    total = t.groupby("mode", as_index=False, sort=False).agg(**agg).assign(county=CITY_TOTAL)
    return pd.concat([per, total[per.columns]], ignore_index=True)


STATUSES = ("small_ok", "small_fail", "large_ok", "large_fail")
"""Village status codes for maps: small (under 200) or large village, compliant or not."""


def village_status(table: pd.DataFrame) -> pd.Series:
    """Status code per row of a compliance table (see :data:`STATUSES`).

    Parameters
    ----------
    table : DataFrame
        Rows of :func:`check_mode` (one mode).

    Returns
    -------
    pandas.Series
        ``small_ok``, ``small_fail``, ``large_ok`` or ``large_fail``, aligned with ``table``.
    """
    size = np.where(table["small_village"], "small", "large")
    ok = np.where(table["compliant"], "ok", "fail")
    return pd.Series(np.char.add(np.char.add(size, "_"), ok), index=table.index)
