"""Map of a resettlement plan: sites by service score, movers' links, missing services."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import codes_text, yes_no
from lvliang_coverage.services.relocation.analysis import (
    SERVICES,
    RelocationPlan,
    RelocationResult,
)
from lvliang_coverage.services.relocation.terms import (
    REASON_TEXT,
    SERVICE_NAMES,
    TEXT,
    service_list,
)
from lvliang_coverage.study import Study

_SCORE_COLOURS = ("#d73027", "#f46d43", "#fdae61", "#fee08b", "#a6d96a", "#1a9850")
"""Colours from no service met (red) to all met (green); stretched to the number of services."""


def _score_palette(lang: str) -> tuple[dict[int, str], dict[int, str]]:
    """Colour and legend label per number of services met (all met first)."""
    n = len(SERVICES)
    pos = np.linspace(0, len(_SCORE_COLOURS) - 1, n + 1).round().astype(int)
    colours = {k: _SCORE_COLOURS[pos[k]] for k in range(n, -1, -1)}
    labels = {k: TEXT.get("score", lang, k=k, n=n) for k in range(n, -1, -1)}
    return colours, labels


def _site_layer(plan: RelocationPlan, lang: str) -> gpd.GeoDataFrame:
    """Sites with localised popup columns and the ``services_met`` category."""
    t = TEXT.in_lang(lang)
    s = plan.sites
    names = SERVICE_NAMES.in_lang(lang)
    data = {
        t["site"]: s["name"].to_numpy(),
        t["county"]: s["county"].to_numpy(),
        t["township"]: s["township"].to_numpy(),
        t["capacity"]: s["capacity_households"].to_numpy(),
        t["occupied"]: s["occupied_households"].to_numpy(),
        t["remaining"]: s["remaining_households"].to_numpy(),
        t["moving_in"]: s["assigned_households"].to_numpy(),
        t["score_col"]: s["service_score"].to_numpy(),
        t["passes"]: yes_no(s["passes"], lang),
        t["missing"]: service_list(s["missing"], lang),
        **{
            TEXT.get("minutes", lang, s=names[k]): s[f"{k}_min"].round(1).to_numpy()
            for k in SERVICES
        },
        "name": s["name"].to_numpy(),
        "services_met": s["services_met"].to_numpy(),
    }
    return gpd.GeoDataFrame(data, geometry=s.geometry.to_numpy(), crs=s.crs)


def relocation_map(
    study: Study, result: RelocationResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw the sites coloured by service score, movers' links and the service facilities.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a resettlement plan; site
    popups list the services missing and the minutes to each service.
    """
    plan = result.plan
    t = TEXT.in_lang(lang)
    m = context_map(study, t["title"], lang, basemap)
    services = study.of_kind(*SERVICES)
    m.add_facilities(services, hidden_kinds=SERVICES)  # switched on from the layer control
    links = plan.links(study.villages)
    links = links.assign(minutes=links["minutes"].round(1)).rename(
        columns={
            "name": t["village"],
            "households": t["households"],
            "residents": t["residents"],
            "site_name": t["site"],
            "minutes": t["commute"],
        }
    )
    if len(links):  # empty layers are left out
        m.add_lines(
            links,
            name=t["links"],
            color="#6a51a3",
            popup_cols=[t["village"], t["households"], t["residents"], t["site"], t["commute"]],
            tooltip_col=t["village"],
        )
    movers = study.villages[study.villages["village_id"].isin(plan.movers["village_id"])]
    reasons = plan.unassigned.set_index("village_id")["reason"]
    why = codes_text(reasons, REASON_TEXT, lang, limit=plan.max_commute_min)
    left = movers["village_id"].isin(why.index).to_numpy()
    movers = movers.assign(
        status=np.where(left, "unassigned", "assigned"),
        **{t["reason"]: movers["village_id"].map(why).fillna("").to_numpy()},
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
            + [t["reason"]],
            palette={"assigned": "#2c7fb8", "unassigned": "#d73027"},
            labels={"assigned": t["assigned"], "unassigned": t["unassigned"]},
            name=t["movers"],
        )
    colours, labels = _score_palette(lang)
    sites = _site_layer(plan, lang)
    if len(sites):
        m.add_layer(
            sites,
            t["sites"],
            category_col="services_met",
            palette=colours,
            labels=labels,
            radius=8.0,
            fill_opacity=0.95,
            popup_cols=[c for c in sites.columns if c not in {"name", "services_met", "geometry"}],
            tooltip_col="name",
        )
    return m
