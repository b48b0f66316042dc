"""Article 16: the services of every resettlement site, by travel time on the access core."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.codes import join_codes
from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.services.access import AccessRule, access

SERVICES = ("clinic", "health_centre", "school", "workshop", "industrial_park")
"""Services every resettlement site needs nearby (article 16), as facility kinds."""


def service_columns(service: str) -> list[str]:
    """Columns of one service in :func:`evaluate_sites`, in table order.

    ``nearest_<s>_id`` and ``<s>_euclid_km``: the facility of the kind nearest in a straight
    line; ``fastest_<s>_id``, ``<s>_network_km`` and ``<s>_min``: the fastest one to reach
    from the site; ``served_<s>_id``: the facility that meets the time limit (the fastest
    one when it is within the limit, else an empty text); ``<s>_ok``: ``served_<s>_id`` is
    not empty, i.e. ``<s>_min`` is within ``relocation.max_minutes_<s>``.

    Parameters
    ----------
    service : str
        A service of :data:`SERVICES`, e.g. ``"school"``.

    Returns
    -------
    list of str
        The seven column names.
    """
    return [
        f"nearest_{service}_id",
        f"{service}_euclid_km",
        f"fastest_{service}_id",
        f"{service}_network_km",
        f"{service}_min",
        f"served_{service}_id",
        f"{service}_ok",
    ]


EVALUATION_COLUMNS = [
    "site_id",
    "name",
    "county",
    "township",
    "capacity_households",
    "occupied_households",
    "remaining_households",
    "mode",
    *[c for s in SERVICES for c in service_columns(s)],
    "services_met",
    "service_score",
    "passes",
    "missing",
    "missing_required",
    "off_network",
]
"""Columns of :func:`evaluate_sites` (then ``geometry``)."""


def _check_services(rules: Rules) -> tuple[str, ...]:
    """Return the optional services of the rules, checked against :data:`SERVICES`."""
    optional = tuple(rules.relocation.optional_services)
    unknown = [s for s in optional if s not in SERVICES]
    if unknown:
        msg = (
            f"relocation.optional_services 含未知服务 {unknown}，可用 {SERVICES} / "
            f"relocation.optional_services has unknown services {unknown}; use {SERVICES}"
        )
        key = "relocation.optional_services"
        raise InputError(msg, file=rules.source_of(key), column=key)
    return optional


def evaluate_sites(
    sites: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    net: TravelNetwork,
    rules: Rules | None = None,
) -> gpd.GeoDataFrame:
    """Article-16 services of every resettlement site: travel times, pass/fail, what is missing.

    For each service of :data:`SERVICES` the access core
    (:func:`lvliang_coverage.services.access.access`, a time-only rule) finds the fastest
    facility of that ``kind`` by travel time FROM the site (where the movers live) TO the
    facility, in the network's mode.
    A service is met when that time is within ``relocation.max_minutes_<service>`` (30 min to
    a clinic, school or workshop and 60 min to a health centre or industrial park by default).
    A site passes when every service not in ``relocation.optional_services`` is met (the
    industrial park is required only "where conditions allow", 有条件的).

    Parameters
    ----------
    sites : GeoDataFrame
        Resettlement sites (``site_id``, ``name``, ``county``, ``township``,
        ``capacity_households``, ``occupied_households``), points in any CRS.
    facilities : GeoDataFrame
        Facilities with ``facility_id`` and ``kind``, points in any CRS. A kind with no
        facility leaves that service unmet at every site.
    net : TravelNetwork
        Road network of the deciding mode.
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    GeoDataFrame
        One row per site, :data:`EVALUATION_COLUMNS` then ``geometry`` (EPSG:4326). Per
        service the :func:`service_columns`: nearest facility in a straight line (id, km),
        fastest one to reach (id, network km, minutes; NaN when none is reachable), the
        serving one (id, empty when the fastest is beyond the limit) and ``<service>_ok``.
        ``services_met`` counts services met; ``service_score`` is the share met in points
        (0-100); ``passes``: every required service met; ``missing`` lists the codes of
        every service not met, ``missing_required`` those of the required ones (joined by
        ``;``); capacities in households.

    Raises
    ------
    InputError
        When ``facilities`` has no ``kind`` column or the rules name unknown services.
    """
    rules = rules or load_rules()
    optional = _check_services(rules)
    if "kind" not in facilities.columns:
        msg = "设施图层缺少类型列 kind / facility layer has no column 'kind'"
        raise InputError(msg, column="kind")
    n = len(sites)
    cap = sites["capacity_households"].to_numpy(dtype=float)
    occ = sites["occupied_households"].to_numpy(dtype=float)
    out: dict[str, Any] = {
        "site_id": sites["site_id"].to_numpy(),
        "name": sites["name"].to_numpy(),
        "county": sites["county"].to_numpy(),
        "township": sites["township"].to_numpy(),
        "capacity_households": cap.astype(np.int64),
        "occupied_households": occ.astype(np.int64),
        "remaining_households": np.maximum(cap - occ, 0).astype(np.int64),
        "mode": net.mode,
    }
    met: dict[str, np.ndarray] = {}
    off = np.zeros(n, dtype=bool)
    for service in SERVICES:
        fac = facilities[facilities["kind"] == service].reset_index(drop=True)
        rule = AccessRule(max_s=rules.relocation.max_minutes(service) * 60.0)  # time only
        reach = access(sites, fac, net, rule, point_id="site_id", time_to_nearest=False)
        ok = reach["served"].to_numpy(dtype=bool)  # time only: the fastest is within the limit
        values = (
            reach["nearest_id"].to_numpy(dtype=object),
            reach["nearest_euclid_m"].to_numpy(dtype=float) / 1000.0,
            reach["fastest_id"].to_numpy(dtype=object),
            reach["fastest_network_m"].to_numpy(dtype=float) / 1000.0,
            reach["fastest_time_s"].to_numpy(dtype=float) / 60.0,
            np.where(ok, reach["served_by"].to_numpy(dtype=object), "").astype(object),
            ok,
        )
        out.update(zip(service_columns(service), values, strict=True))
        met[service] = ok
        off = reach["off_network"].to_numpy(dtype=bool)  # the site's own flag, any kind
    count = np.sum([met[s] for s in SERVICES], axis=0).astype(np.int64) if n else np.zeros(0)
    required = [s for s in SERVICES if s not in optional]
    passes = np.all([met[s] for s in required], axis=0) if required else np.ones(n, dtype=bool)
    out["services_met"] = count
    out["service_score"] = np.round(100.0 * count / len(SERVICES), 1)
    out["passes"] = np.asarray(passes, dtype=bool)
    out["missing"] = join_codes({s: ~met[s] for s in SERVICES})
    out["missing_required"] = (
        join_codes({s: ~met[s] for s in required}) if required else np.full(n, "", dtype=object)
    )
    out["off_network"] = off
    return gpd.GeoDataFrame(
        pd.DataFrame(out)[EVALUATION_COLUMNS],
        geometry=sites.geometry.to_crs(STORAGE_CRS).to_numpy(),
        crs=STORAGE_CRS,
    )
