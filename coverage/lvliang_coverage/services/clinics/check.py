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
    AccessRule,
    Router,
    access,
    facility_column_names,
    facility_columns,
    place_columns,
    reasons,
)
from lvliang_coverage.services.clinics.units import (
    small_mask,
    unit_codes,
    unit_names,
    unit_residents,
)

CLINIC_COLUMNS = facility_column_names("clinic")
"""Which clinic each column is about: ``nearest_clinic_id``, ``euclid_km``, ``nearest_min``
(the nearest care facility in a straight line), ``fastest_clinic_id``, ``network_km``,
``travel_min`` (the fastest reachable one), ``served_by``, ``served_km``, ``served_min``
(the one meeting both limits; empty when none)."""

COMPLIANCE_COLUMNS = [
    *PLACE_COLUMNS,
    *CLINIC_COLUMNS,
    "mode",
    "within_radius",
    "within_time",
    "compliant",
    "reason",
    "off_network",
]
"""Stable columns of ``clinic_compliance.csv``; ``small_village`` and ``radius_km`` follow.

Each flag is its rule applied to a column of the same row: ``within_radius`` is
``radius_km <= clinic.service_radius_km`` (``radius_km`` equals ``euclid_km`` with the
default straight-line measure), ``within_time`` is ``travel_min <= clinic.max_travel_min``,
and ``compliant`` is ``served_by`` not empty for villages under 200 residents,
``within_time`` for the others."""


def rule_targets(villages: pd.DataFrame, rules: Rules) -> np.ndarray:
    """Settlements article 7's radius rule applies to (their unit has fewer than 200 residents).

    The unit is ``clinic.unit``: the administrative village (行政村, residents summed over its
    settlements) by default, or each settlement; settlements of urban 居委会 are left out
    while ``clinic.exclude_urban`` (:func:`~lvliang_coverage.services.clinics.units.small_mask`).
    """
    c = rules.clinic
    return small_mask(
        villages,
        unit=c.unit,
        max_residents=c.small_village_max_residents,
        exclude_urban=c.exclude_urban,
    )


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
    promise covers every resident). The table names three clinics apart (they are often
    the same one): the nearest care facility in a straight line (``nearest_clinic_id``,
    ``euclid_km``, ``nearest_min``), the fastest reachable one (``fastest_clinic_id``,
    ``network_km``, ``travel_min``) and the fastest one meeting both limits (``served_by``,
    ``served_km``, ``served_min``), so that every flag is checkable from its own row (see
    :data:`COMPLIANCE_COLUMNS`). The facts come from the shared access core
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
        One row per village: :data:`COMPLIANCE_COLUMNS`, then ``small_village`` (the
        settlement is in the rule's target: ``unit_residents`` < 200 and not urban),
        ``radius_km`` (the distance the radius is measured on, to the nearest clinic by that
        measure), ``admin_village``, ``admin_code`` and ``unit_residents`` (residents of the
        unit of ``clinic.unit``: the administrative village's sum by default). Distances in
        kilometres, times in minutes; NaN where unreachable.
    """
    rules = rules or load_rules()
    a = access(villages, clinics, net, clinic_access_rule(rules))
    small = rule_targets(villages, rules)
    within_time = a["within_time"].to_numpy(dtype=bool)
    compliant = np.where(small, a["served"].to_numpy(dtype=bool), within_time)
    return pd.DataFrame(
        {
            **place_columns(villages),
            **facility_columns(a, "clinic", radius_measure=rules.clinic.radius_measure),
            "mode": net.mode,
            "within_radius": a["within_radius"].to_numpy(dtype=bool),
            "within_time": within_time,
            "compliant": compliant.astype(bool),
            "reason": reasons(a, compliant, radius_applies=small),
            "off_network": a["off_network"].to_numpy(dtype=bool),
            "small_village": small,
            "radius_km": a["radius_distance_m"].to_numpy(float) / 1000.0,
            "admin_village": unit_names(villages),
            "admin_code": unit_codes(villages),
            "unit_residents": unit_residents(villages, rules.clinic.unit),
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


KM_DECIMALS = 2
"""Decimals of kilometres in written tables (the runner rounds ``_km`` columns to 0.01)."""

MIN_DECIMALS = 1
"""Decimals of minutes in written tables (the runner rounds ``_min`` columns to 0.1)."""


def _up_past(values: pd.Series, limit: float, decimals: int) -> pd.Series:
    """Round upwards the values beyond ``limit`` that rounding would put onto it."""
    v = values.to_numpy(float)
    step = 10.0**decimals
    onto = (v > limit) & (np.round(v, decimals) <= limit)
    return pd.Series(np.where(onto, np.ceil(np.round(v * step, 6)) / step, v), index=values.index)


def round_past_limits(table: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Keep every flag checkable on the rounded figures of a written compliance table.

    A written table shows kilometres to 0.01 and minutes to 0.1: a clinic 2.503 km away
    would read 2.50 beside ``within_radius = False``. Such values (beyond a limit, rounding
    onto it) are rounded upwards here (2.51 km, 30.1 minutes); all others are left for the
    writer to round. The input is not modified.

    Parameters
    ----------
    table : DataFrame
        A compliance table (:func:`check_mode`), kilometres and minutes.
    rules : Rules
        Rules in force (radius in km, time limit in minutes).

    Returns
    -------
    pandas.DataFrame
        A copy with those values rounded upwards.
    """
    c = rules.clinic
    out = table.copy()
    for col in ("euclid_km", "served_km", "radius_km"):
        if col in out.columns:
            out[col] = _up_past(out[col], c.service_radius_km, KM_DECIMALS)
    for col in ("nearest_min", "travel_min", "served_min"):
        if col in out.columns:
            out[col] = _up_past(out[col], c.max_travel_min, MIN_DECIMALS)
    return out


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
