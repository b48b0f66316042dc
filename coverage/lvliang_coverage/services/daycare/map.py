"""Maps of day-care results: who is within reach of a centre, and the conversion plan."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage import kinds
from lvliang_coverage.maps._style import RESULT_COLOURS, SHARE_MAX_ZOOM
from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.coverage_map import CoverageMap, LegendItem
from lvliang_coverage.report.vocabulary import Terms, codes_text, mode_name
from lvliang_coverage.services.daycare.analysis import DaycareCheckResult, DaycarePlanResult
from lvliang_coverage.services.daycare.settings import DaycareRules
from lvliang_coverage.services.daycare.status import REASON_TEXT, status_sentences
from lvliang_coverage.services.townships import township_areas, township_shares
from lvliang_coverage.study import Study

STATUS_COLOURS = {
    "served": RESULT_COLOURS["ok"],
    "planned": RESULT_COLOURS["planned"],
    "unserved": RESULT_COLOURS["fail"],
    "uncoverable": RESULT_COLOURS["uncoverable"],
    "no_elderly": RESULT_COLOURS["none"],
}
"""Village colours: within reach now, within reach after the plan, out of reach, beyond any
candidate, no residents aged 60+ (the day-care icon colour is kept for the centres)."""

NEW_COLOUR = RESULT_COLOURS["planned"]
"""Colour of the idle buildings the plan converts (day-care icon) and of their links."""

LABELS = Terms.from_package("lvliang_coverage.services.daycare", section="map")
"""Map texts (``[map]`` of the package's ``terms.toml``)."""

_SHARES = ["county", "township", "units", "served", "share"]
_PLACE = ["village_id", "county", "township", "population"]


def _title(key: str, settings: DaycareRules, lang: str, estimated: bool, **fields: object) -> str:
    title = LABELS.get(
        key,
        lang,
        radius=settings.service_radius_km,
        minutes=settings.max_travel_min,
        mode=mode_name(settings.mode, lang),
        **fields,
    )
    if estimated:
        note = LABELS.get("estimated", lang, share=settings.elderly_share_default)
        title += f"（{note}）" if lang == "zh" else f" ({note})"
    return title


def _note(m: CoverageMap, settings: DaycareRules, lang: str, estimated: bool) -> None:
    if estimated:
        note = LABELS.get("estimated", lang, share=settings.elderly_share_default)
        m.add_legend([LegendItem(note, "transparent", "none")])


def _status(table: pd.DataFrame) -> pd.Series:
    status = pd.Series("unserved", index=table.index, dtype=object)
    status[table["served"].to_numpy(bool)] = "served"
    status[table["elderly"].to_numpy() == 0] = "no_elderly"
    return status


def _centre_labels(ids: pd.Series, names: pd.Series, lang: str) -> np.ndarray:
    """``name（id）`` per row; ``无`` where there is no centre."""
    key = ids.astype(object).where(ids.notna(), "").astype(str)
    name = names.astype(object).where(names.notna(), "").astype(str)
    template = LABELS.get("centre", lang)
    out = [
        LABELS.get("none", lang) if k == "" else (template.format(name=n, id=k) if n else k)
        for k, n in zip(key, name, strict=True)
    ]
    return np.asarray(out, dtype=object)


def _shares(
    m: CoverageMap, study: Study, frame: pd.DataFrame, *, served: str, key: str, lang: str
) -> None:
    """Add the townships coloured by the share of residents aged 60+ within reach."""
    areas = township_areas(study.townships, township_shares(frame, served=served, weight="elderly"))
    if areas is None:
        return
    m.add_shares(
        areas,
        LABELS.get(key, lang),
        units=LABELS.get("units", lang),
        popup_cols=_SHARES,
        popup_labels={
            "units": LABELS.get("units_count", lang),
            "served": LABELS.get("served_count" if key == "townships" else "planned_count", lang),
            "share": LABELS.get("share", lang),
        },
    )


def _add_idle(m: CoverageMap, study: Study, settings: DaycareRules, lang: str) -> None:
    """Add the idle schools and clinics (the conversion candidates), switched off."""
    idle = study.of_kind(*settings.candidate_kinds, idle=True)
    if not len(idle):
        return
    idle = idle.assign(kind=[kinds.get(str(k)).label(lang) for k in idle["kind"]])
    m.add_idle_buildings(
        idle,
        LABELS.get("idle", lang),
        popup_cols=[c for c in ("facility_id", "kind", "county", "township") if c in idle],
        tooltip_col="name" if "name" in idle.columns else None,
        show=False,
    )


def check_map(
    study: Study, result: DaycareCheckResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw villages by whether their elderly are within reach, centres, radius circles.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a check; its title (and
    legend) says when elderly counts are estimated. At city and county scale the townships
    are coloured by the share of their residents aged 60+ within reach; villages appear
    from zoom :data:`~lvliang_coverage.maps._style.SHARE_MAX_ZOOM`, each with the sentence
    of the ledger and the centres behind it (nearest, fastest, serving).
    """
    s = result.settings
    mode = mode_name(s.mode, lang)
    m = context_map(study, _title("check_title", s, lang, result.estimated), lang, basemap)
    t = result.table.reset_index(drop=True)
    _shares(m, study, t, served="served", key="townships", lang=lang)
    m.add_circles(
        result.centres,
        s.access_rule.radius_m,
        name=LABELS.get("circles", lang, radius=s.service_radius_km),
        color=kinds.get("daycare").colour,
        tooltip_col="name" if "name" in result.centres.columns else None,
        show=False,
        section="context",
    )
    _add_idle(m, study, s, lang)
    popup = t.assign(
        status=_status(t).to_numpy(),
        _note=status_sentences(t, lang, s).to_numpy(),
        _nearest=_centre_labels(t["nearest_centre_id"], t["nearest_centre_name"], lang),
        _fastest=_centre_labels(t["fastest_centre_id"], t["fastest_centre_name"], lang),
        _served=_centre_labels(t["served_by"], t["served_by_name"], lang),
        euclid_km=t["euclid_km"].round(2),
        nearest_min=t["nearest_min"].round(1),
        travel_min=t["travel_min"].round(1),
        served_min=t["served_min"].round(1),
    )
    geo = study.villages[["village_id", "geometry"]].merge(popup, on="village_id")
    geo = gpd.GeoDataFrame(geo, geometry="geometry", crs=study.villages.crs)
    labels = {
        "elderly": LABELS.get("elderly", lang),
        "elderly_estimated": LABELS.get("elderly_estimated", lang),
        "_nearest": LABELS.get("nearest", lang),
        "euclid_km": LABELS.get("euclid_km", lang),
        "nearest_min": LABELS.get("nearest_min", lang, mode=mode),
        "_fastest": LABELS.get("fastest", lang),
        "travel_min": LABELS.get("travel_min", lang, mode=mode),
        "_served": LABELS.get("served_by", lang),
        "served_min": LABELS.get("served_min", lang, mode=mode),
    }
    keys = ("served", "unserved", "no_elderly")
    m.add_villages(
        geo,
        status_col="status",
        popup_cols=[*_PLACE, *labels],
        palette={k: STATUS_COLOURS[k] for k in keys},
        labels={k: LABELS.get(k, lang) for k in keys},
        name=LABELS.get("villages", lang),
        min_zoom=SHARE_MAX_ZOOM,
        popup_labels=labels,
        note_col="_note",
    )
    if len(result.centres):
        m.add_facilities(result.centres.assign(kind="daycare"))
    _note(m, s, lang, result.estimated)
    return m


def _plan_villages(study: Study, result: DaycarePlanResult, lang: str) -> gpd.GeoDataFrame:
    """Every village with its class after the plan, planned centre, minutes and sentence."""
    plan, s = result.plan, result.settings
    mode = mode_name(s.mode, lang)
    a = plan.assignment().set_index("village_id")
    d = plan.demand.reset_index(drop=True)
    vid = d["village_id"]
    role = vid.map(a["role"])
    state = np.where(role.isna(), "unserved", np.where(role == "existing", "served", "planned"))
    state = state.astype(object)
    state[vid.isin(plan.uncoverable["village_id"]).to_numpy()] = "uncoverable"
    state[(d["elderly"] == 0).to_numpy()] = "no_elderly"
    names = plan.sites.set_index("site_id")["name"]
    site = vid.map(a["site_id"])
    centre = _centre_labels(site, site.map(names[~names.index.duplicated()]), lang)
    minutes = vid.map(a["minutes"]).round(1)
    whole = [("" if pd.isna(v) else f"{v:.0f}") for v in minutes]
    note = np.full(len(d), LABELS.get("unserved_text", lang, p=len(plan.selected)), dtype=object)
    for key, text_key in (("served", "served_existing_text"), ("planned", "served_new_text")):
        rows = np.flatnonzero(state == key)
        template = LABELS.get(text_key, lang)
        note[rows] = [template.format(site=centre[i], min=whole[i], mode=mode) for i in rows]
    why = plan.uncoverable.set_index("village_id")["reason"]
    reasons = codes_text(
        vid.map(why).astype(object).fillna(""),
        REASON_TEXT,
        lang,
        radius=s.service_radius_km,
        minutes=s.max_travel_min,
    )
    rows = state == "uncoverable"
    template = LABELS.get("uncoverable_text", lang)
    note[rows] = [template.format(reason=r) for r in reasons[rows]]
    note[state == "no_elderly"] = LABELS.get("no_elderly", lang)
    out = d.drop(columns=["name"], errors="ignore").assign(
        status=state, _centre=centre, _minutes=minutes.to_numpy(), _note=note
    )
    geo = study.villages[["village_id", "name", "geometry"]].merge(out, on="village_id")
    return gpd.GeoDataFrame(geo, geometry="geometry", crs=study.villages.crs)


def plan_map(
    study: Study, result: DaycarePlanResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw existing centres, the idle buildings chosen, and each village's link to its centre.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a conversion plan: each
    village in its class after the plan with the centre that will serve it and its minutes;
    at city and county scale the townships coloured by the share of residents aged 60+
    within reach after the plan.
    """
    plan, s = result.plan, result.settings
    mode = mode_name(s.mode, lang)
    title = _title("plan_title", s, lang, result.estimated, p=len(plan.selected))
    m = context_map(study, title, lang, basemap)
    villages = _plan_villages(study, result, lang)
    reach = villages.assign(_ok=villages["status"].isin(["served", "planned"]))
    _shares(m, study, reach, served="_ok", key="plan_townships", lang=lang)
    links = plan.links(study.villages)
    m.add_lines(
        links.assign(link=(links["role"] == "existing").map({True: "existing", False: "new"})),
        name=LABELS.get("links", lang),
        category_col="link",
        palette={"existing": STATUS_COLOURS["served"], "new": NEW_COLOUR},
        labels={"existing": LABELS.get("existing", lang), "new": LABELS.get("new", lang)},
        popup_cols=["elderly", "site_name", "minutes"],
        popup_labels={
            "elderly": LABELS.get("elderly", lang),
            "site_name": LABELS.get("plan_centre", lang),
            "minutes": LABELS.get("plan_minutes", lang, mode=mode),
        },
        tooltip_col="name",
        min_zoom=SHARE_MAX_ZOOM,
    )
    keys = [k for k in STATUS_COLOURS if (villages["status"] == k).any()]
    m.add_villages(
        villages,
        status_col="status",
        popup_cols=[*_PLACE, "elderly", "_centre", "_minutes"],
        palette=STATUS_COLOURS,
        labels={k: LABELS.get(k, lang) for k in keys},
        name=LABELS.get("plan_villages", lang),
        min_zoom=SHARE_MAX_ZOOM,
        popup_labels={
            "elderly": LABELS.get("elderly", lang),
            "_centre": LABELS.get("plan_centre", lang),
            "_minutes": LABELS.get("plan_minutes", lang, mode=mode),
        },
        note_col="_note",
    )
    existing = plan.sites[plan.sites["role"] == "existing"]
    if len(existing):
        m.add_facilities(existing.assign(kind="daycare"), popup_cols=["site_id", "county"])
    new = plan.new_sites
    if len(new):
        per = plan.site_table().set_index("site_id")
        new = new.assign(
            kind=[kinds.get(str(k)).label(lang) for k in new["kind"]],
            _villages=new["site_id"].map(per["villages"]).fillna(0).astype(int),
            _elderly=new["site_id"].map(per["elderly_served"]).fillna(0).astype(int),
        )
        m.add_sites(
            new,
            "daycare",
            LABELS.get("new", lang),
            colour=NEW_COLOUR,
            popup_cols=[c for c in ("site_id", "kind", "county", "township") if c in new]
            + ["_villages", "_elderly"],
            popup_labels={
                "_villages": LABELS.get("group_villages", lang),
                "_elderly": LABELS.get("group_elderly", lang),
            },
            tooltip_col="name" if "name" in new.columns else None,
        )
    _note(m, s, lang, result.estimated)
    return m
