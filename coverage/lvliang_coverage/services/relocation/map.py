"""Map of a resettlement plan: sites by service score, movers' links, missing services."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.core import CoverageMap
from lvliang_coverage.services.relocation.analysis import SERVICE_LABELS, SERVICES, RelocationPlan
from lvliang_coverage.services.relocation.ledger import REASON_LABELS
from lvliang_coverage.study import Study

_SCORE_COLOURS = ("#d73027", "#f46d43", "#fdae61", "#fee08b", "#a6d96a", "#1a9850")
"""Colours from no service met (red) to all met (green); stretched to the number of services."""

_TEXT = {
    "zh": {
        "title": "易地扶贫搬迁安置点公共服务与搬迁安置方案（第15-17条）",
        "sites": "安置点（按服务得分着色）",
        "score": "满足{k}/{n}项服务",
        "links": "搬迁村→安置点",
        "movers": "整村搬迁村",
        "assigned": "已安置",
        "unassigned": "未安置",
        "site": "安置点",
        "county": "县",
        "township": "乡镇",
        "capacity": "安置容量(户)",
        "occupied": "已入住(户)",
        "remaining": "剩余容量(户)",
        "moving_in": "拟迁入户数",
        "score_col": "服务得分",
        "passes": "是否达标",
        "missing": "缺少的服务",
        "minutes": "{s}(分钟)",
        "village": "搬迁村",
        "households": "户数",
        "residents": "常住人口",
        "commute": "回原村时间(分钟)",
        "reason": "未安置原因",
        "yes": "是",
        "no": "否",
        "none": "无",
    },
    "en": {
        "title": "Resettlement sites: services and the movers' assignment (art. 15-17)",
        "sites": "Resettlement sites (by service score)",
        "score": "{k}/{n} services met",
        "links": "Relocating village -> site",
        "movers": "Relocating villages",
        "assigned": "assigned",
        "unassigned": "not assigned",
        "site": "Site",
        "county": "County",
        "township": "Township",
        "capacity": "Capacity (households)",
        "occupied": "Occupied (households)",
        "remaining": "Remaining (households)",
        "moving_in": "Households moving in",
        "score_col": "Service score",
        "passes": "Passes",
        "missing": "Services missing",
        "minutes": "{s} (min)",
        "village": "Village",
        "households": "Households",
        "residents": "Residents",
        "commute": "Back to the old village (min)",
        "reason": "Reason not assigned",
        "yes": "yes",
        "no": "no",
        "none": "none",
    },
}


def _score_palette(lang: str) -> tuple[dict[int, str], dict[int, str]]:
    """Colour and legend label per number of services met (all met first)."""
    n = len(SERVICES)
    t = _TEXT[lang]
    pos = np.linspace(0, len(_SCORE_COLOURS) - 1, n + 1).round().astype(int)
    colours = {k: _SCORE_COLOURS[pos[k]] for k in range(n, -1, -1)}
    labels = {k: t["score"].format(k=k, n=n) for k in range(n, -1, -1)}
    return colours, labels


def _site_layer(plan: RelocationPlan, lang: str) -> gpd.GeoDataFrame:
    """Sites with localised popup columns and the ``services_met`` category."""
    t = _TEXT[lang]
    s = plan.sites
    sep = "、" if lang == "zh" else ", "
    names = SERVICE_LABELS[lang]
    missing = [
        sep.join(names[c] for c in str(m).split(";") if c) or t["none"] for m in s["missing"]
    ]
    data = {
        t["site"]: s["name"].to_numpy(),
        t["county"]: s["county"].to_numpy(),
        t["township"]: s["township"].to_numpy(),
        t["capacity"]: s["capacity_households"].to_numpy(),
        t["occupied"]: s["occupied_households"].to_numpy(),
        t["remaining"]: s["remaining_households"].to_numpy(),
        t["moving_in"]: s["assigned_households"].to_numpy(),
        t["score_col"]: s["service_score"].to_numpy(),
        t["passes"]: np.where(s["passes"], t["yes"], t["no"]),
        t["missing"]: missing,
        **{t["minutes"].format(s=names[k]): s[f"{k}_min"].round(1).to_numpy() for k in SERVICES},
        "name": s["name"].to_numpy(),
        "services_met": s["services_met"].to_numpy(),
    }
    return gpd.GeoDataFrame(data, geometry=s.geometry.to_numpy(), crs=s.crs)


def relocation_map(
    study: Study,
    plan: RelocationPlan,
    *,
    lang: str = "zh",
    basemap: str = "osm",
) -> CoverageMap:
    """Draw the sites coloured by service score, movers' links and the service facilities.

    Parameters
    ----------
    study : Study
        The study (context layers, villages, facilities, road edges).
    plan : RelocationPlan
        A solved plan (:func:`lvliang_coverage.services.relocation.analysis.plan_relocation`).
    lang : {"zh", "en"}
        Label language.
    basemap : str
        Base map (see :class:`lvliang_coverage.maps.core.CoverageMap`).

    Returns
    -------
    CoverageMap
        The map; site popups list the services missing and the minutes to each service.
    """
    t = _TEXT[lang]
    m = context_map(study, t["title"], lang, basemap)
    services = study.facilities[study.facilities["kind"].isin(SERVICES)]
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
    reasons = {k: v.format(limit=plan.max_commute_min) for k, v in REASON_LABELS[lang].items()}
    why = plan.unassigned.set_index("village_id")["reason"].map(reasons)
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
