"""Article 7 village-clinic compliance (村卫生室覆盖核查) for every village and travel mode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.inputs.projection import metric_crs_of
from lvliang_coverage.network.distance import metric_xy, nearest_m, pair_distances_m

COMPLIANCE_COLUMNS = [
    "village_id",
    "name",
    "county",
    "township",
    "population",
    "nearest_clinic_id",
    "euclid_km",
    "network_km",
    "travel_min",
    "mode",
    "within_radius",
    "within_time",
    "compliant",
    "reason",
    "off_network",
]
"""Stable columns of ``clinic_compliance.csv``; ``small_village`` follows them."""

REASONS = ("unreachable", "off_network", "too_far", "too_slow")
"""Reason codes, joined with ``;`` in the ``reason`` column (empty when compliant)."""


class Router(Protocol):
    """What the compliance check needs from a travel network of one mode."""

    mode: str

    def nearest(
        self, origins: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, **kw: object
    ) -> pd.DataFrame:
        """Nearest facility by travel time for every origin."""
        ...

    def within(
        self, origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame, **kw: object
    ) -> pd.DataFrame:
        """All origin-destination pairs within limits."""
        ...


def _small(villages: pd.DataFrame, rules: Rules) -> np.ndarray:
    """Villages under the article-7 threshold (常住人口 < 200 by default)."""
    return villages["population"].to_numpy() < rules.clinic.small_village_max_residents


def _fastest_per_origin(pairs: pd.DataFrame, n: int, pos: pd.Index) -> pd.DataFrame:
    """Keep the fastest pair per origin position, indexed 0..n-1 (missing origins -> NaN)."""
    if pairs.empty:
        return pd.DataFrame(index=pd.RangeIndex(n), columns=pairs.columns)
    p = pairs.assign(_o=pos.get_indexer(pairs["origin_id"]))
    best = p.sort_values(["_o", "time_s"], kind="stable").drop_duplicates("_o")
    return best.set_index("_o").reindex(pd.RangeIndex(n))


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
    line when none is reachable.

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
    c = rules.clinic
    n = len(villages)
    crs = metric_crs_of(villages)
    v_xy, c_xy = metric_xy(villages, crs), metric_xy(clinics, crs)
    pos = pd.Index(villages["village_id"])
    c_pos = pd.Index(clinics["facility_id"])

    near = net.nearest(villages, clinics, id_col="facility_id")
    fastest_ok = near["reachable"].to_numpy(dtype=bool)
    within_time = fastest_ok & (near["time_s"].to_numpy(dtype=float) <= c.max_travel_s)

    timed = net.within(
        villages, clinics, max_s=c.max_travel_s, id_cols=("village_id", "facility_id")
    )
    timed = timed.assign(
        euclid_m=pair_distances_m(
            v_xy,
            c_xy,
            pos.get_indexer(timed["origin_id"]),
            c_pos.get_indexer(timed["destination_id"]),
        )
    )
    straight_m, straight_i = nearest_m(v_xy, c_xy)
    if c.radius_measure == "network":
        serving = timed[timed["network_m"] <= c.service_radius_m]
        by_radius = net.within(
            villages, clinics, max_m=c.service_radius_m, id_cols=("village_id", "facility_id")
        )
        within_radius = pos.isin(by_radius["origin_id"])
    else:
        serving = timed[timed["euclid_m"] <= c.service_radius_m]
        within_radius = straight_m <= c.service_radius_m
    best = _fastest_per_origin(serving, n, pos)
    served = best["destination_id"].notna().to_numpy()

    clinic_id = np.where(
        served, best["destination_id"].to_numpy(object), near["facility_id"].to_numpy(object)
    )
    network_m = np.where(
        served, best["network_m"].to_numpy(float), near["network_m"].to_numpy(float)
    )
    time_s = np.where(served, best["time_s"].to_numpy(float), near["time_s"].to_numpy(float))
    # a village that reaches no clinic is shown with the clinic nearest in a straight line
    ci = c_pos.get_indexer(pd.Series(clinic_id).fillna("\x00"))
    ci = np.where(ci >= 0, ci, straight_i)
    clinic_id = np.where(ci >= 0, c_pos.to_numpy(object)[np.maximum(ci, 0)], None)
    euclid = np.full(n, np.nan)
    has = ci >= 0
    euclid[has] = pair_distances_m(v_xy, c_xy, np.flatnonzero(has), ci[has])

    small = _small(villages, rules)
    compliant = np.where(small, served, within_time)
    off = near["off_network"].to_numpy(dtype=bool)
    reason = _reasons(
        compliant,
        fastest_ok,
        off,
        small & ~within_radius,
        ~within_time | (small & ~served & within_radius),
    )
    return pd.DataFrame(
        {
            "village_id": villages["village_id"].to_numpy(),
            "name": villages["name"].to_numpy(),
            "county": villages["county"].to_numpy(),
            "township": villages["township"].to_numpy(),
            "population": villages["population"].to_numpy(),
            "nearest_clinic_id": clinic_id,
            "euclid_km": euclid / 1000.0,
            "network_km": network_m / 1000.0,
            "travel_min": time_s / 60.0,
            "mode": net.mode,
            "within_radius": np.asarray(within_radius, dtype=bool),
            "within_time": within_time,
            "compliant": compliant.astype(bool),
            "reason": reason,
            "off_network": off,
            "small_village": small,
        }
    )


def _reasons(
    compliant: np.ndarray,
    reachable: np.ndarray,
    off_network: np.ndarray,
    too_far: np.ndarray,
    too_slow: np.ndarray,
) -> np.ndarray:
    """Join the reason codes of non-compliant villages with ``;`` (vectorised)."""
    failing = ~compliant
    flags = {
        "unreachable": failing & ~reachable,
        "off_network": failing & off_network,
        "too_far": failing & too_far,
        "too_slow": failing & reachable & too_slow,
    }
    return join_codes({code: flags[code] for code in REASONS})


def join_codes(flags: Mapping[str, np.ndarray]) -> np.ndarray:
    """Join the codes whose flag is set, in the mapping's order, with ``;`` (vectorised).

    Parameters
    ----------
    flags : Mapping of str to boolean array
        One boolean array per code, all of the same length.

    Returns
    -------
    numpy.ndarray of str (object)
        E.g. ``"off_network;too_slow"``; empty where no flag is set.
    """
    n = len(next(iter(flags.values()))) if flags else 0
    text = np.full(n, "", dtype=object)
    for code, flag in flags.items():
        sep = np.where(text == "", "", ";")
        text = np.where(flag, text + sep + code, text)
    return text


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
    """Per county and mode: small villages and residents, how many comply, 30-minute access.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`check_compliance`.

    Returns
    -------
    pandas.DataFrame
        Columns ``county``, ``mode``, ``villages``, ``residents``, ``small_villages``,
        ``small_residents``, ``small_compliant``, ``small_compliant_residents``,
        ``residents_within_time`` (all villages), ``off_network``, ``unreachable``;
        plus a ``合计``/total row per mode (county ``"全市"``).
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
    total = t.groupby("mode", as_index=False, sort=False).agg(**agg).assign(county="全市")
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
