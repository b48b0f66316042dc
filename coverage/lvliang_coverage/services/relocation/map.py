"""Map of a resettlement plan: sites by pass or fail, movers placed or not, missing services."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from lvliang_coverage.maps._style import RESULT_COLOURS
from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import Terms, mode_name
from lvliang_coverage.services.relocation.analysis import RelocationPlan, RelocationResult
from lvliang_coverage.services.relocation.evaluation import SERVICES
from lvliang_coverage.services.relocation.status import proposals, site_sentences
from lvliang_coverage.services.relocation.terms import SERVICE_NAMES, TEXT, service_list
from lvliang_coverage.services.townships import township_areas, township_shares
from lvliang_coverage.study import Study

MAP = Terms.from_package("lvliang_coverage.services.relocation", section="map")
"""Map texts (``[map]`` of the package's ``terms.toml``)."""

SITE_COLOURS = {True: RESULT_COLOURS["ok"], False: RESULT_COLOURS["fail"]}
"""Sites: every required service within its limit (green) or not (red)."""

SITE_OUTLINE = "#222222"
"""Dark ring around the site markers, which tells them from village dots."""

MOVER_COLOURS = {"placed": RESULT_COLOURS["planned"], "unplaced": RESULT_COLOURS["uncoverable"]}
"""Relocating villages: placed by the plan (orange, like their links) or not (dark red)."""


def _site_layer(plan: RelocationPlan, lang: str) -> gpd.GeoDataFrame:
    """Sites with their sentence, pass/fail, missing services and the minutes to each."""
    s = plan.sites.reset_index(drop=True)
    n = len(SERVICES)
    data = {
        "name": s["name"].to_numpy(),
        "county": s["county"].to_numpy(),
        "township": s["township"].to_numpy(),
        "passes": s["passes"].to_numpy(bool),
        "_note": site_sentences(s, lang, plan.rules).to_numpy(),
        "_missing": service_list(s["missing"], lang),
        "_score": [TEXT.get("score", lang, k=int(k), n=n) for k in s["services_met"]],
        "_capacity": s["capacity_households"].to_numpy(),
        "_occupied": s["occupied_households"].to_numpy(),
        "_remaining": s["remaining_households"].to_numpy(),
        "_moving_in": s["assigned_households"].to_numpy(),
        **{f"{k}_min": s[f"{k}_min"].round(1).to_numpy() for k in SERVICES},
    }
    return gpd.GeoDataFrame(data, geometry=s.geometry.to_numpy(), crs=s.crs)


def _site_labels(lang: str) -> dict[str, str]:
    """Popup labels of the site layer."""
    names = SERVICE_NAMES.in_lang(lang)
    return {
        "_missing": TEXT.get("missing", lang),
        "_score": TEXT.get("score_col", lang),
        "_capacity": TEXT.get("capacity", lang),
        "_occupied": TEXT.get("occupied", lang),
        "_remaining": TEXT.get("remaining", lang),
        "_moving_in": TEXT.get("moving_in", lang),
        **{f"{k}_min": TEXT.get("minutes", lang, s=names[k]) for k in SERVICES},
    }


def _mover_layer(study: Study, plan: RelocationPlan, lang: str) -> gpd.GeoDataFrame:
    """Relocating villages, placed or not, each with its site and minutes or the fix."""
    mode = mode_name(plan.mode, lang)
    movers = study.villages[study.villages["village_id"].isin(plan.movers["village_id"])]
    movers = movers.reset_index(drop=True)
    vid = movers["village_id"]
    a = plan.assignment.set_index("village_id")
    note = np.full(len(movers), "", dtype=object)
    placed = vid.isin(a.index).to_numpy()
    template = MAP.get("placed_note", lang)
    note[placed] = [
        template.format(site=site, minutes=minutes, mode=mode)
        for site, minutes in zip(
            vid[placed].map(a["site_name"]), vid[placed].map(a["commute_min"]), strict=True
        )
    ]
    u = plan.unassigned.reset_index(drop=True)
    fixes = proposals(u, plan.sites, lang, plan.max_commute_min)
    fix = dict(zip(u["village_id"], fixes, strict=True))
    left = vid.isin(u["village_id"]).to_numpy()
    note[left] = [MAP.get("unplaced_note", lang, text=fix[v]) for v in vid[left]]
    site = vid.map(a["site_name"]).astype(object).fillna(TEXT.get("none", lang))
    return movers.assign(
        status=np.where(placed, "placed", "unplaced"), _note=note, _site=site.to_numpy()
    )


def relocation_map(
    study: Study, result: RelocationResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw the sites coloured by pass or fail, movers' links and the service facilities.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a resettlement plan: every
    site's popup says whether it passes and which required service is missing (with the
    minutes to each service); every relocating village is placed or not, with its site or
    the fix; at city and county scale the townships are coloured by the share of their
    relocating residents placed.
    """
    plan = result.plan
    t = TEXT.in_lang(lang)
    m = context_map(study, t["title"], lang, basemap)
    movers = _mover_layer(study, plan, lang)
    placed = movers.assign(_ok=movers["status"] == "placed")
    areas = township_areas(
        study.townships, township_shares(placed, served="_ok", weight="population")
    )
    if areas is not None:
        m.add_shares(
            areas,
            MAP.get("townships", lang),
            units=MAP.get("units", lang),
            popup_cols=["county", "township", "units", "served", "share"],
            popup_labels={k: MAP.get(f"{k}_count", lang) for k in ("units", "served")}
            | {"share": MAP.get("share", lang)},
        )
    services = study.of_kind(*SERVICES)
    m.add_facilities(services, hidden_kinds=SERVICES)  # switched on from the layer control
    links = plan.links(study.villages)
    links = links.assign(minutes=links["minutes"].round(1))
    if len(links):  # empty layers are left out
        m.add_lines(
            links,
            name=t["links"],
            color=MOVER_COLOURS["placed"],
            popup_cols=["households", "residents", "site_name", "minutes"],
            popup_labels={
                "households": t["households"],
                "residents": t["residents"],
                "site_name": t["site"],
                "minutes": t["commute"],
            },
            tooltip_col="name",
        )
    if len(movers):
        m.add_villages(
            movers,
            status_col="status",
            size_col=None,
            popup_cols=[
                c
                for c in ("village_id", "county", "township", "population", "households")
                if c in movers.columns
            ]
            + ["_site"],
            palette=MOVER_COLOURS,
            labels={
                "placed": MAP.get("movers_placed", lang),
                "unplaced": MAP.get("movers_unplaced", lang),
            },
            name=t["movers"],
            popup_labels={"_site": MAP.get("site_name", lang)},
            note_col="_note",
        )
    sites = _site_layer(plan, lang)
    if len(sites):
        m.add_layer(
            sites,
            MAP.get("sites", lang),
            category_col="passes",
            palette=SITE_COLOURS,
            labels={True: MAP.get("site_passes", lang), False: MAP.get("site_fails", lang)},
            radius=8.0,
            fill_opacity=0.95,
            stroke=SITE_OUTLINE,
            popup_cols=["county", "township", *_site_labels(lang)],
            popup_labels=_site_labels(lang),
            note_col="_note",
            tooltip_col="name",
        )
    return m
