"""Maps of clinic results: compliance (status, clinics, 2.5 km circles, isochrones) and plans."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules
from lvliang_coverage.maps._style import RESULT_COLOURS, SHARE_MAX_ZOOM
from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import Terms, codes_text, mode_name
from lvliang_coverage.services._tables import ACCESS_REASONS
from lvliang_coverage.services.clinics.analysis import ClinicCheckResult, ClinicPlanResult
from lvliang_coverage.services.clinics.check import village_status
from lvliang_coverage.services.clinics.status import status_sentences
from lvliang_coverage.services.townships import township_areas, township_shares
from lvliang_coverage.study import Study

TERMS = Terms.from_package("lvliang_coverage.services.clinics", section="map")
"""Map texts (``[map]`` of the package's ``terms.toml``)."""

REASONS = ACCESS_REASONS | Terms.from_package(
    "lvliang_coverage.services.clinics", section="reasons"
)
"""Texts of the reason codes of villages no site can cover."""

STATUS_COLOURS = {
    "small_ok": RESULT_COLOURS["ok"],
    "small_fail": RESULT_COLOURS["fail"],
    "large_ok": RESULT_COLOURS["ok"],
    "large_fail": RESULT_COLOURS["fail"],
}
"""Village colours of the compliance map: met green, not met red; villages of 200+ residents
(the 30-minute promise only) are drawn as rings of the same colours (:data:`HOLLOW`)."""

HOLLOW = ("large_ok", "large_fail")
"""Statuses drawn as rings: the villages the 2.5 km radius does not target."""

PLAN_COLOURS = {
    "existing": RESULT_COLOURS["ok"],
    "new": RESULT_COLOURS["planned"],
    "unassigned": RESULT_COLOURS["fail"],
    "uncoverable": RESULT_COLOURS["uncoverable"],
}
"""Classes of the plan map: served by an existing clinic, by a new one, coverable but in no
group, and beyond any site (its own classes, not the compliance ones)."""

_SHARE_COLUMNS = ["county", "township", "units", "served", "share"]


def _clinic_labels(ids: pd.Series, names: pd.Series, lang: str) -> np.ndarray:
    """``name（id）`` of each clinic id (``无`` where there is none), vectorised."""
    key = ids.astype(object).where(ids.notna(), "").astype(str)
    name = key.map(names).fillna(key).astype(str)
    zh = lang == "zh"
    text = name + ("（" if zh else " (") + key + ("）" if zh else ")")
    text = text.where(name != key, key)
    return np.where(key == "", TERMS.get("none", lang), text).astype(object)


def _share_layer(
    m: CoverageMap, study: Study, shares: pd.DataFrame, *, name: str, served: str, lang: str
) -> None:
    """Add the township layer coloured by the share served (when the study has townships)."""
    areas = township_areas(study.townships, shares)
    if areas is None:
        return
    labels = {
        "units": TERMS.get("units_count", lang),
        "served": TERMS.get(served, lang),
        "share": TERMS.get("share", lang),
    }
    m.add_shares(
        areas,
        name,
        units=TERMS.get("units", lang),
        popup_cols=_SHARE_COLUMNS,
        popup_labels=labels,
    )


def compliance_map(
    study: Study,
    table: pd.DataFrame,
    clinics: gpd.GeoDataFrame,
    *,
    status: pd.Series,
    service_areas: gpd.GeoDataFrame | None = None,
    radius_m: float,
    lang: str = "zh",
    basemap: str = "osm",
    rules: Rules | None = None,
    surface_isochrones: gpd.GeoDataFrame | None = None,
) -> CoverageMap:
    """Draw villages coloured by compliance, clinics, service circles and isochrones.

    At city and county scale the townships are coloured by the share of their villages under
    200 residents that comply; from zoom :data:`~lvliang_coverage.maps._style.SHARE_MAX_ZOOM`
    on the villages are drawn, with the status sentence of the ledger and the three clinics
    behind it in the popup (the nearest in a straight line, the fastest reachable, the one
    serving the village).

    Parameters
    ----------
    study : Study
        The study (context layers and road edges).
    table : DataFrame
        Compliance rows of one mode (:func:`lvliang_coverage.services.clinics.check.check_mode`).
    clinics : GeoDataFrame
        Care facilities (village clinics, health centres, hospitals), drawn with the icon of
        their kind.
    status : Series
        Status code per row of ``table`` (:func:`~.check.village_status`).
    service_areas : GeoDataFrame, optional
        Isochrone service areas with a ``minutes`` column.
    radius_m : float
        Radius of the service circles in metres.
    lang, basemap : str
        As for a :class:`~lvliang_coverage.services.contract.MapDrawer`.
    rules : Rules, optional
        Rules in force (default the study's): limits in the texts and the status sentences.
    surface_isochrones : GeoDataFrame, optional
        Isochrones cut from a travel-time surface (the terrain model's), ``minutes`` column,
        drawn as their own layer (shown) under the villages.

    Returns
    -------
    CoverageMap
        The map.
    """
    rules = rules or study.rules
    c = rules.clinic
    mode = mode_name(str(table["mode"].iloc[0]) if len(table) else c.default_mode, lang)
    limits = {"radius": f"{c.service_radius_km:g}", "limit": f"{c.max_travel_min:g}"}
    m = context_map(study, TERMS.get("check_title", lang, **limits), lang, basemap)
    small = table["small_village"].to_numpy(bool)
    shares = township_shares(table[small], served="compliant", weight=None)
    _share_layer(
        m, study, shares, name=TERMS.get("townships", lang), served="served_count", lang=lang
    )
    if service_areas is not None and not service_areas.empty:
        name = TERMS.get("iso", lang, m=float(service_areas["minutes"].max()), mode=mode)
        m.add_isochrones(service_areas, name=name, show=False, section="context")
    if surface_isochrones is not None and not surface_isochrones.empty:
        m.add_surface_isochrones(surface_isochrones, mode=mode)
    radius_name = TERMS.get("circles", lang, radius=f"{radius_m / 1000.0:g}")
    tip = "name" if "name" in clinics.columns else None
    m.add_circles(
        clinics, radius_m, name=radius_name, tooltip_col=tip, show=False, section="context"
    )
    names = clinics.set_index("facility_id")["name"] if "name" in clinics.columns else None
    names = names if names is not None else pd.Series(dtype=object)
    names = names[~names.index.duplicated()]
    t = table.reset_index(drop=True)
    popup = t.assign(
        _note=status_sentences(t, lang, rules).to_numpy(),
        _nearest=_clinic_labels(t["nearest_clinic_id"], names, lang),
        _fastest=_clinic_labels(t["fastest_clinic_id"], names, lang),
        _served=_clinic_labels(t["served_by"], names, lang),
        euclid_km=t["euclid_km"].round(2),
        network_km=t["network_km"].round(2),
        nearest_min=t["nearest_min"].round(1),
        travel_min=t["travel_min"].round(1),
        served_min=t["served_min"].round(1),
        status=status.to_numpy(),
    )
    geo = study.villages[["village_id", "geometry"]].merge(popup, on="village_id")
    geo = gpd.GeoDataFrame(geo, geometry="geometry", crs=study.villages.crs)
    labels = {
        "_nearest": TERMS.get("nearest", lang),
        "euclid_km": TERMS.get("euclid_km", lang),
        "nearest_min": TERMS.get("nearest_min", lang, mode=mode),
        "_fastest": TERMS.get("fastest", lang),
        "travel_min": TERMS.get("travel_min", lang, mode=mode),
        "network_km": TERMS.get("network_km", lang),
        "_served": TERMS.get("served", lang, **limits),
        "served_min": TERMS.get("served_min", lang, mode=mode),
    }
    m.add_villages(
        geo,
        status_col="status",
        popup_cols=["village_id", "county", "township", "population", *labels],
        palette=STATUS_COLOURS,
        labels={k: TERMS.get(k, lang, **limits) for k in STATUS_COLOURS},
        name=TERMS.get("villages", lang),
        hollow=HOLLOW,
        min_zoom=SHARE_MAX_ZOOM,
        popup_labels=labels,
        note_col="_note",
    )
    m.add_facilities(clinics, crowded_min_zoom=SHARE_MAX_ZOOM)
    return m


def check_map(
    study: Study, result: ClinicCheckResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw the compliance map of a check in its deciding mode (see :func:`compliance_map`).

    A :class:`~lvliang_coverage.services.contract.MapDrawer`: the service areas are the care
    facilities' isochrones at the time limit, the circles the article-7 service radius.
    """
    one = result.mode_table()
    return compliance_map(
        study,
        one,
        result.care,
        status=village_status(one),
        service_areas=result.service_areas(),
        radius_m=study.rules.clinic.service_radius_m,
        lang=lang,
        basemap=basemap,
        surface_isochrones=result.travel_isochrones(),
    )


def _plan_villages(study: Study, result: ClinicPlanResult, lang: str) -> gpd.GeoDataFrame:
    """Small villages with their class after the plan, planned clinic, minutes and sentence."""
    plan = result.plan
    mode = mode_name(plan.mode, lang)
    demand = plan.demand[["village_id", "county", "township", "population"]]
    a = plan.assignment.assignment
    site = a.set_index("demand_id")["facility_id"]
    minutes = a.set_index("demand_id")["unit_cost"].astype(float)
    vid = demand["village_id"]
    kind = vid.map(site).map(plan.sites.set_index("site_id")["kind"])
    state = np.select(
        [kind.eq("existing").to_numpy(), kind.eq("candidate").to_numpy()],
        ["existing", "new"],
        default="unassigned",
    ).astype(object)
    state[vid.isin(plan.uncoverable["village_id"]).to_numpy()] = "uncoverable"
    names = plan.sites.set_index("site_id")["name"]
    clinic = _clinic_labels(vid.map(site), names[~names.index.duplicated()], lang)
    mins = vid.map(minutes).round(1)
    whole = mins.round(0).map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    note = np.full(len(demand), TERMS.get("unassigned_text", lang), dtype=object)
    for key, text_key in (("existing", "served_existing_text"), ("new", "served_new_text")):
        rows = state == key
        template = TERMS.get(text_key, lang)
        note[rows] = [
            template.format(site=s, min=w, mode=mode)
            for s, w in zip(clinic[rows], whole[rows], strict=True)
        ]
    why = plan.uncoverable.set_index("village_id")["reason"]
    reasons = codes_text(vid.map(why).astype(object).fillna(""), REASONS, lang)
    rows = state == "uncoverable"
    template = TERMS.get("uncoverable_text", lang)
    note[rows] = [template.format(reason=r) for r in reasons[rows]]
    out = demand.assign(status=state, _clinic=clinic, _minutes=mins.to_numpy(), _note=note)
    geo = study.villages[["village_id", "name", "geometry"]].merge(out, on="village_id")
    return gpd.GeoDataFrame(geo, geometry="geometry", crs=study.villages.crs)


def plan_map(
    study: Study, result: ClinicPlanResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw existing and new clinics and the line from each small village to its clinic.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a shared-clinic plan: each
    village under 200 residents in the class it has after the plan (served by an existing
    clinic, by a new central clinic, coverable but in no group, beyond any site), with the
    clinic that will serve it and its minutes; townships coloured by the share covered
    after the plan at city and county scale.
    """
    plan = result.plan
    mode = mode_name(plan.mode, lang)
    m = context_map(study, TERMS.get("plan_title", lang), lang, basemap)
    villages = _plan_villages(study, result, lang)
    covered = villages.assign(covered=villages["status"].isin(["existing", "new"]))
    shares = township_shares(covered, served="covered", weight=None)
    name = TERMS.get("plan_townships", lang)
    _share_layer(m, study, shares, name=name, served="covered_count", lang=lang)
    links = plan.links(study.villages)
    links = links.assign(
        link=np.where(links["kind"].eq("existing"), "existing", "new"),
        minutes=links["minutes"].round(1),
    )
    link_labels = {
        "site_name": TERMS.get("plan_clinic", lang),
        "minutes": TERMS.get("plan_minutes", lang, mode=mode),
    }
    m.add_lines(
        links,
        name=TERMS.get("links", lang),
        category_col="link",
        palette={k: PLAN_COLOURS[k] for k in ("existing", "new")},
        labels={k: TERMS.get(k, lang) for k in ("existing", "new")},
        popup_cols=["population", "site_name", "minutes"],
        popup_labels=link_labels,
        tooltip_col="name",
        min_zoom=SHARE_MAX_ZOOM,
    )
    keys = [k for k in PLAN_COLOURS if (villages["status"] == k).any()]
    m.add_villages(
        villages,
        status_col="status",
        popup_cols=["village_id", "county", "township", "population", "_clinic", "_minutes"],
        palette=PLAN_COLOURS,
        labels={k: TERMS.get(f"plan_{k}", lang) for k in keys},
        name=TERMS.get("plan_villages", lang),
        min_zoom=SHARE_MAX_ZOOM,
        popup_labels={
            "_clinic": TERMS.get("plan_clinic", lang),
            "_minutes": TERMS.get("plan_minutes", lang, mode=mode),
        },
        note_col="_note",
    )
    care = study.care_facilities
    m.add_facilities(care, crowded_min_zoom=SHARE_MAX_ZOOM)
    if not len(plan.new_sites):
        return m
    groups = plan.groups.set_index("site_id")
    new = plan.new_sites.assign(
        _villages=plan.new_sites["site_id"].map(groups["villages"]).fillna(0).astype(int),
        _residents=plan.new_sites["site_id"].map(groups["residents"]).fillna(0).astype(int),
    )
    m.add_sites(
        new,
        "clinic",
        TERMS.get("new_sites", lang),
        colour=RESULT_COLOURS["planned"],
        popup_cols=["site_id", "county", "township", "_villages", "_residents"],
        popup_labels={
            "_villages": TERMS.get("group_villages", lang),
            "_residents": TERMS.get("group_residents", lang),
        },
        tooltip_col="name",
    )
    return m
