"""The access core: for each demand point, the facilities within a radius and a travel time.

Every service asks the same question of the road network: for each demand point (a village,
a resettlement site), which facilities of the wanted kinds lie within a service radius
(straight line or along the roads) *and* within a travel-time limit of one mode, which is
the nearest in a straight line, which is the fastest to reach, and why a point is not
served. The clinic check (article 7), the resettlement-site evaluation (article 16) and
day-care (article 25) all call :func:`access`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lvliang_coverage.codes import join_codes
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS, metric_crs_of
from lvliang_coverage.network.distance import metric_xy, nearest_m, pair_distances_m
from lvliang_coverage.network.routing import TravelNetwork

REASONS = ("unreachable", "off_network", "too_far", "too_slow")
"""Reason codes of a point that is not served, in this order, joined with ``;``:
no road path to any facility; the point is beyond ``network.max_offroad_leg_m`` from the
mapped roads (its off-road walk still counts in the time); no facility within the radius;
no facility within the radius is reachable within the time."""

ACCESS_COLUMNS = [
    "nearest_id",
    "nearest_euclid_m",
    "nearest_time_s",
    "radius_distance_m",
    "fastest_id",
    "fastest_network_m",
    "fastest_time_s",
    "fastest_euclid_m",
    "served_by",
    "served_network_m",
    "served_time_s",
    "served_euclid_m",
    "reachable",
    "off_network",
    "within_radius",
    "within_time",
    "served",
]
"""Columns of :func:`access`, one row per demand point in input order."""

FACILITY_COLUMNS = (
    "nearest_{noun}_id",
    "euclid_km",
    "nearest_min",
    "fastest_{noun}_id",
    "network_km",
    "travel_min",
    "served_by",
    "served_km",
    "served_min",
)
"""Columns of :func:`facility_columns` (``{noun}`` filled in, e.g. ``clinic``): the nearest
facility in a straight line and its distance and minutes; the fastest reachable one, its
network distance and minutes; the one meeting both limits, its distance by the radius
measure and its minutes."""


PLACE_COLUMNS = ["village_id", "name", "county", "township", "population"]
"""Columns naming a village in every check table: id, name, county, township, residents."""

REPORTED_COLUMNS = ["euclid_km", "network_km", "travel_min"]
"""Distances (kilometres) and time (minutes) to the one facility :func:`reported` names (the
older single-facility columns; :func:`facility_columns` names each facility apart)."""

NEAREST_SEARCH_FACTOR = 4.0
"""Growth of the time limit between the searches for the time to the nearest facility."""

PAIR_COLUMNS = ["origin_id", "destination_id", "euclid_m", "network_m", "time_s"]
"""Columns of :func:`covering_pairs`: point, site, metres, metres, seconds."""

Router = TravelNetwork
"""The travel network of one mode the access questions are asked of."""


@dataclass(frozen=True)
class AccessRule:
    """Limits of one access question.

    Attributes
    ----------
    max_s : float
        Travel-time limit in seconds, from the point to the facility (finite).
    radius_m : float
        Service radius in metres (``inf``: no radius).
    radius_measure : str
        ``"euclidean"`` (straight line, the default) or ``"network"`` (along the roads,
        off-road legs included): which distance the radius applies to.
    """

    max_s: float
    radius_m: float = math.inf
    radius_measure: str = "euclidean"

    def __post_init__(self) -> None:
        if self.radius_measure not in {"euclidean", "network"}:
            msg = (
                f"radius_measure 只能是 'euclidean'（直线）或 'network'（路网），收到 "
                f"{self.radius_measure!r} / "
                f"radius_measure must be 'euclidean' or 'network', got {self.radius_measure!r}"
            )
            raise InputError(msg, column="radius_measure")


def _fastest_per_origin(pairs: pd.DataFrame, n: int, pos: pd.Index) -> pd.DataFrame:
    """Keep the fastest pair per origin position, indexed 0..n-1 (missing origins -> NaN)."""
    if pairs.empty:
        return pd.DataFrame(index=pd.RangeIndex(n), columns=pairs.columns)
    p = pairs.assign(_o=pos.get_indexer(pd.Index(pairs["origin_id"])))
    best = p.sort_values(["_o", "time_s"], kind="stable").drop_duplicates("_o")
    return best.set_index("_o").reindex(pd.RangeIndex(n))


def _euclid_to(p_xy: np.ndarray, f_xy: np.ndarray, f_pos: pd.Index, ids: np.ndarray) -> np.ndarray:
    """Straight-line metres from each point to the facility named in ``ids`` (NaN if none)."""
    fi = f_pos.get_indexer(pd.Index(pd.Series(ids, dtype=object).fillna("\x00")))
    out = np.full(len(ids), np.nan)
    has = fi >= 0
    out[has] = pair_distances_m(p_xy, f_xy, np.flatnonzero(has), fi[has])
    return out


def _times_to(
    points: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    want: np.ndarray,
    net: Router,
    *,
    start_s: float,
    extent_m: float,
) -> np.ndarray:
    """Seconds of travel from each point to the facility at position ``want`` (-1: none).

    Searches bounded by a growing time limit (x :data:`NEAREST_SEARCH_FACTOR` each round)
    settle the near pairs cheaply; once the limit's reach (limit x the mode's top speed)
    spans ``extent_m``, one unbounded search settles the rest, where NaN means no road path.
    """
    out = np.full(len(want), np.nan)
    todo = np.flatnonzero(want >= 0)
    limit = max(float(start_s), 1.0)
    while len(todo):
        unbounded = limit * net.max_speed_mps >= extent_m
        targets = np.unique(want[todo])
        pairs = net.within(
            points.iloc[todo].set_axis(todo),
            facilities.iloc[targets].set_axis(targets),
            max_s=math.inf if unbounded else limit,
        )
        origin = pairs["origin_id"].to_numpy(np.int64)
        hit = want[origin] == pairs["destination_id"].to_numpy(np.int64)
        out[origin[hit]] = pairs["time_s"].to_numpy(float)[hit]
        if unbounded:
            break
        todo = todo[np.isnan(out[todo])]
        limit *= NEAREST_SEARCH_FACTOR
    return out


def _extent_m(*xy: np.ndarray) -> float:
    """Diagonal in metres of the box around metric coordinates (0 when there are none)."""
    both = np.concatenate([a.reshape(-1, 2) for a in xy])
    return float(np.hypot(*np.ptp(both, axis=0))) if len(both) else 0.0


def _pair_lookup(
    pairs: pd.DataFrame, pos: pd.Index, f_pos: pd.Index, want: np.ndarray
) -> np.ndarray:
    """Seconds of the pairs (point, facility at ``want``) found in ``pairs`` (NaN elsewhere)."""
    out = np.full(len(want), np.nan)
    if pairs.empty:
        return out
    o = pos.get_indexer(pd.Index(pairs["origin_id"]))
    d = f_pos.get_indexer(pd.Index(pairs["destination_id"]))
    hit = (o >= 0) & (want[np.maximum(o, 0)] == d)
    out[o[hit]] = pairs["time_s"].to_numpy(float)[hit]
    return out


def access(
    points: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    net: Router,
    rule: AccessRule,
    *,
    point_id: str = "village_id",
    facility_id: str = "facility_id",
    time_to_nearest: bool = True,
) -> pd.DataFrame:
    """Facilities within the radius and the time of every demand point, one mode.

    A point is *served* when one facility is both within ``rule.radius_m`` (by
    ``rule.radius_measure``) and within ``rule.max_s`` of travel from the point to it; the
    serving facility reported is the fastest such one. Independently of that, the table
    names the nearest facility in a straight line (and the minutes to reach it) and the
    fastest reachable one, so that every flag can be checked from a column of the same row:
    ``within_radius`` is ``radius_distance_m <= rule.radius_m``, ``within_time`` is
    ``fastest_time_s <= rule.max_s`` and ``served`` is ``served_by`` being given.

    Parameters
    ----------
    points : GeoDataFrame
        Demand points with the id column ``point_id``, in any CRS.
    facilities : GeoDataFrame
        Facilities (already filtered to the wanted kinds) with ``facility_id``, any CRS.
    net : TravelNetwork
        Road network of one mode (:class:`lvliang_coverage.network.routing.TravelNetwork`).
    rule : AccessRule
        Radius (metres), time limit (seconds) and radius measure.
    point_id, facility_id : str
        Id columns of the two layers.
    time_to_nearest : bool
        Compute ``nearest_time_s`` for every point (searches beyond the time limit where the
        nearest facility is neither the fastest nor a serving one); False leaves it NaN there.

    Returns
    -------
    pandas.DataFrame
        :data:`ACCESS_COLUMNS`, one row per point in input order (RangeIndex). Distances in
        metres, times in seconds; NaN (never 0) where no facility is reachable or none
        exists. ``nearest_*``: the nearest facility in a straight line; ``radius_distance_m``:
        the distance the radius is measured on, to the nearest facility by that measure
        (straight line: ``nearest_euclid_m``; network: the shortest road distance to any
        facility); ``fastest_*``: the fastest reachable facility; ``served_*``: the fastest
        facility within both limits. ``within_radius``: some facility within the radius;
        ``within_time``: the fastest facility within the time; ``served``: one meets both.
    """
    if not math.isfinite(rule.max_s):
        msg = (
            "可达规则需要有限的出行时间上限（max_s） / "
            "an access rule needs a finite travel-time limit (max_s)"
        )
        raise InputError(msg, column="max_s")
    n = len(points)
    crs = metric_crs_of(points)
    p_xy, f_xy = metric_xy(points, crs), metric_xy(facilities, crs)
    pos = pd.Index(points[point_id])
    f_pos = pd.Index(facilities[facility_id])

    near = net.nearest(points, facilities, id_col=facility_id).reset_index(drop=True)
    reachable = near["reachable"].to_numpy(dtype=bool)
    fastest_s = near["time_s"].to_numpy(dtype=float)
    within_time = reachable & (fastest_s <= rule.max_s)
    fastest_id = near["facility_id"].to_numpy(object).copy()  # nearest() names it so
    fastest_id[~reachable] = None

    # every pair within both limits (the covering test); the fastest one serves the point
    serving = covering_pairs(points, facilities, net, rule, point_id=point_id, site_id=facility_id)
    straight_m, straight_i = nearest_m(p_xy, f_xy)
    has_nearest = straight_i >= 0
    nearest_euclid = np.where(has_nearest, straight_m, np.nan)
    if rule.radius_measure == "network":
        by_road = net.nearest(points, facilities, id_col=facility_id, nearest_by="distance")
        radius_m = by_road["network_m"].to_numpy(float)
    else:
        radius_m = nearest_euclid
    within_radius = np.asarray(np.nan_to_num(radius_m, nan=math.inf) <= rule.radius_m)
    best = _fastest_per_origin(serving, n, pos)
    served = best["destination_id"].notna().to_numpy()
    served_by = best["destination_id"].to_numpy(object).copy()
    served_by[~served] = None
    f_ids = f_pos.to_numpy(object)
    nearest_id = np.full(n, None, dtype=object)  # None everywhere when no facility exists
    nearest_id[has_nearest] = f_ids[straight_i[has_nearest]]

    # minutes to the nearest facility: known where it is the fastest or a serving one
    want = np.where(has_nearest, straight_i, -1)
    fastest_i = f_pos.get_indexer(pd.Index(pd.Series(fastest_id, dtype=object).fillna("\x00")))
    nearest_s = np.where(has_nearest & reachable & (fastest_i == want), fastest_s, np.nan)
    found = _pair_lookup(serving, pos, f_pos, want)
    nearest_s = np.where(np.isnan(nearest_s), found, nearest_s)
    rest = has_nearest & reachable & np.isnan(nearest_s)  # unreachable: no facility at all
    if time_to_nearest and rest.any():
        ask = np.where(rest, want, -1)
        times = _times_to(
            points, facilities, ask, net, start_s=rule.max_s, extent_m=_extent_m(p_xy, f_xy)
        )
        nearest_s = np.where(rest, times, nearest_s)
    return pd.DataFrame(
        {
            "nearest_id": nearest_id,
            "nearest_euclid_m": nearest_euclid,
            "nearest_time_s": nearest_s,
            "radius_distance_m": radius_m,
            "fastest_id": fastest_id,
            "fastest_network_m": np.where(reachable, near["network_m"].to_numpy(float), np.nan),
            "fastest_time_s": np.where(reachable, fastest_s, np.nan),
            "fastest_euclid_m": _euclid_to(p_xy, f_xy, f_pos, fastest_id),
            "served_by": served_by,
            "served_network_m": np.where(served, best["network_m"].to_numpy(float), np.nan),
            "served_time_s": np.where(served, best["time_s"].to_numpy(float), np.nan),
            "served_euclid_m": np.where(served, best["euclid_m"].to_numpy(float), np.nan),
            "reachable": reachable,
            "off_network": near["off_network"].to_numpy(dtype=bool),
            "within_radius": within_radius,
            "within_time": within_time,
            "served": served,
        }
    )


def place_columns(villages: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the :data:`PLACE_COLUMNS` of ``villages`` as arrays, for a check's table."""
    return {c: villages[c].to_numpy() for c in PLACE_COLUMNS}


def facility_column_names(noun: str) -> list[str]:
    """Names of the :data:`FACILITY_COLUMNS` for facilities called ``noun`` (e.g. ``clinic``)."""
    return [c.format(noun=noun) for c in FACILITY_COLUMNS]


def facility_columns(
    table: pd.DataFrame, noun: str, *, radius_measure: str = "euclidean"
) -> dict[str, np.ndarray]:
    """Name each facility of an :func:`access` table apart, with its distances and minutes.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`access`.
    noun : str
        What the facilities are, in the column names: ``clinic`` gives
        ``nearest_clinic_id`` and ``fastest_clinic_id``.
    radius_measure : {"euclidean", "network"}
        The rule's radius measure: ``served_km`` is the serving facility's distance by it.

    Returns
    -------
    dict of str to numpy.ndarray
        :data:`FACILITY_COLUMNS` in order: ``nearest_<noun>_id`` (straight line; None when
        there is no facility), ``euclid_km`` (kilometres to it), ``nearest_min`` (minutes
        to reach it; NaN without a road path), ``fastest_<noun>_id`` (the fastest reachable;
        None when none is), ``network_km`` (kilometres along that route, off-road legs
        included) and ``travel_min`` (its minutes), ``served_by`` (the fastest facility
        within both limits; empty text when none), ``served_km`` (its kilometres by the
        radius measure, so never beyond the radius) and ``served_min`` (its minutes).
    """
    served_by = table["served_by"].to_numpy(object)
    served_m = table["served_network_m" if radius_measure == "network" else "served_euclid_m"]
    return {
        f"nearest_{noun}_id": table["nearest_id"].to_numpy(object),
        "euclid_km": table["nearest_euclid_m"].to_numpy(float) / 1000.0,
        "nearest_min": table["nearest_time_s"].to_numpy(float) / 60.0,
        f"fastest_{noun}_id": table["fastest_id"].to_numpy(object),
        "network_km": table["fastest_network_m"].to_numpy(float) / 1000.0,
        "travel_min": table["fastest_time_s"].to_numpy(float) / 60.0,
        "served_by": np.where(pd.isna(served_by), "", served_by).astype(object),
        "served_km": served_m.to_numpy(float) / 1000.0,
        "served_min": table["served_time_s"].to_numpy(float) / 60.0,
    }


def reported(table: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Name the facility a check reports per point (an :func:`access` table), and its reach.

    The fastest serving facility; else the fastest reachable one; else the nearest in a
    straight line (network distance and time then NaN). Returns the facility ids (object,
    None where no facility exists) and the :data:`REPORTED_COLUMNS` (kilometres, minutes).
    """
    served = table["served"].to_numpy(dtype=bool)
    known = served | table["reachable"].to_numpy(dtype=bool)

    def pick(served_col: str, fastest_col: str) -> np.ndarray:
        return np.where(served, table[served_col].to_numpy(), table[fastest_col].to_numpy())

    ids = np.where(known, pick("served_by", "fastest_id"), table["nearest_id"].to_numpy(object))
    euclid = np.where(
        known,
        pick("served_euclid_m", "fastest_euclid_m").astype(float),
        table["nearest_euclid_m"].to_numpy(float),
    )
    return ids, {
        "euclid_km": euclid / 1000.0,
        "network_km": pick("served_network_m", "fastest_network_m").astype(float) / 1000.0,
        "travel_min": pick("served_time_s", "fastest_time_s").astype(float) / 60.0,
    }


def link_lines(start: gpd.GeoSeries, end: gpd.GeoSeries) -> np.ndarray:
    """Draw a straight LineString from each start point to its end point (one CRS).

    Parameters
    ----------
    start, end : GeoSeries
        Points of equal length, e.g. villages and the sites that serve them.

    Returns
    -------
    numpy.ndarray (object)
        One LineString per pair; empty when there are no pairs.
    """
    if len(start) == 0:
        return np.empty(0, dtype=object)
    a, b = shapely.get_coordinates(start.to_numpy()), shapely.get_coordinates(end.to_numpy())
    return np.asarray(shapely.linestrings(np.stack([a, b], axis=1)))


def link_frame(
    villages: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    village_ids: pd.Series,
    site_ids: pd.Series,
    **columns: object,
) -> gpd.GeoDataFrame:
    """Tabulate lines from villages to the sites that serve them, with both names (EPSG:4326).

    Parameters
    ----------
    villages, sites : GeoDataFrame
        Villages (``village_id``, ``name``) and sites (``site_id``, ``name``), any CRS.
    village_ids, site_ids : Series
        One village and its site per link.
    **columns
        More columns, one value per link (e.g. residents, minutes).

    Returns
    -------
    GeoDataFrame
        ``village_id``, ``name``, ``site_id``, ``site_name``, then ``columns``; a LineString
        per link.
    """
    v = villages.to_crs(STORAGE_CRS).set_index("village_id")
    s = sites.to_crs(STORAGE_CRS).set_index("site_id")
    return gpd.GeoDataFrame(
        {
            "village_id": village_ids.to_numpy(),
            "name": v["name"].loc[village_ids].to_numpy(),
            "site_id": site_ids.to_numpy(),
            "site_name": s["name"].loc[site_ids].to_numpy(),
            **columns,
        },
        geometry=link_lines(v.geometry.loc[village_ids], s.geometry.loc[site_ids]),
        crs=STORAGE_CRS,
    )


def covering_pairs(
    points: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    net: Router,
    rule: AccessRule,
    *,
    point_id: str = "village_id",
    site_id: str = "site_id",
) -> pd.DataFrame:
    """Every point-site pair within both the radius and the time of ``rule`` (for covering).

    The same test as :func:`access` applies to one facility, but for every pair rather than
    the best one: the site is within ``rule.max_s`` of travel from the point and within
    ``rule.radius_m`` by ``rule.radius_measure``.

    Parameters
    ----------
    points : GeoDataFrame
        Demand points with the id column ``point_id``, in any CRS.
    sites : GeoDataFrame
        Existing and candidate sites with the id column ``site_id``, in any CRS.
    net : TravelNetwork
        Road network of one mode.
    rule : AccessRule
        Radius (metres), time limit (seconds) and radius measure.
    point_id, site_id : str
        Id columns of the two layers.

    Returns
    -------
    pandas.DataFrame
        :data:`PAIR_COLUMNS` (``origin_id`` the point, ``destination_id`` the site); metres
        and seconds.
    """
    pairs = net.within(points, sites, max_s=rule.max_s, id_cols=(point_id, site_id))
    crs = metric_crs_of(points)
    euclid = pair_distances_m(
        metric_xy(points, crs),
        metric_xy(sites, crs),
        pd.Index(points[point_id]).get_indexer(pairs["origin_id"]),
        pd.Index(sites[site_id]).get_indexer(pairs["destination_id"]),
    )
    pairs = pairs.assign(euclid_m=euclid)
    radius = pairs["network_m"] if rule.radius_measure == "network" else pairs["euclid_m"]
    return pairs.loc[radius <= rule.radius_m, PAIR_COLUMNS].reset_index(drop=True)


def reasons(
    table: pd.DataFrame, ok: np.ndarray, *, radius_applies: np.ndarray | bool = True
) -> np.ndarray:
    """Reason codes (:data:`REASONS`, joined with ``;``) of the rows that are not ``ok``.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`access`.
    ok : boolean array
        Whether each row meets its service's rule (e.g. ``table["served"]``, or
        ``within_time`` for a time-only rule); ok rows get an empty text.
    radius_applies : boolean array or bool
        Rows judged by radius *and* time (``True``) or by time only (``False``), e.g. the
        article-7 radius applies to villages under 200 residents only.

    Returns
    -------
    numpy.ndarray of str (object)
        E.g. ``"off_network;too_slow"``; empty where ``ok``.
    """
    failing = ~np.asarray(ok, dtype=bool)
    radius = np.broadcast_to(np.asarray(radius_applies, dtype=bool), failing.shape)
    reachable = table["reachable"].to_numpy(dtype=bool)
    within_radius = table["within_radius"].to_numpy(dtype=bool)
    within_time = table["within_time"].to_numpy(dtype=bool)
    served = table["served"].to_numpy(dtype=bool)
    flags = {
        "unreachable": failing & ~reachable,
        "off_network": failing & table["off_network"].to_numpy(dtype=bool),
        "too_far": failing & radius & ~within_radius,
        "too_slow": failing & reachable & (~within_time | (radius & ~served & within_radius)),
    }
    return join_codes({code: flags[code] for code in REASONS})
