"""Maps of day-care results: who is within reach of a centre, and the conversion plan."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.coverage_map import CoverageMap, LegendItem
from lvliang_coverage.report.vocabulary import Terms, mode_name
from lvliang_coverage.services.access import REPORTED_COLUMNS
from lvliang_coverage.services.daycare.analysis import DaycareCheckResult, DaycarePlanResult
from lvliang_coverage.services.daycare.settings import DaycareRules
from lvliang_coverage.study import Study

STATUS_COLOURS = {
    "served": "#1a9850",
    "unserved": "#d73027",
    "no_elderly": "#bdbdbd",
    "planned": "#fdae61",
    "uncoverable": "#762a83",
}
"""Village colours; the day-care icon colour (#00897b) is kept for the centres."""

NEW_COLOUR = "#e6550d"
"""Colour of the idle buildings the plan converts and of their links."""

IDLE_COLOUR = "#8d8d8d"
"""Colour of the other candidate buildings."""

LABELS = Terms(
    {
        "check_title": (
            "日间照料中心覆盖核查（第25条；规划假设：{radius:g}公里、{mode}{minutes:g}分钟）",
            "Elderly day-care reach (art. 25; planning assumption: {radius:g} km, "
            "{minutes:g} min {mode})",
        ),
        "plan_title": (
            "日间照料中心规划：利用闲置校舍、卫生院改建（第25条，新建{p}处）",
            "Day-care plan: converting idle schools and clinics (art. 25, {p} new)",
        ),
        "estimated": (
            "60岁以上人口按常住人口×{share:.0%}估算",
            "60+ residents estimated as residents x {share:.0%}",
        ),
        "served": ("老年人在服务范围内", "Elderly within reach"),
        "unserved": ("老年人不在服务范围内", "Elderly out of reach"),
        "no_elderly": ("无60岁以上人口", "No residents aged 60+"),
        "planned": ("规划后覆盖", "Served after the plan"),
        "uncoverable": ("无候选点可覆盖", "No candidate can serve"),
        "circles": ("日间照料中心{radius:g}公里服务半径", "Day-care {radius:g} km service radius"),
        "idle": ("闲置校舍、卫生院（候选）", "Idle schools and clinics (candidates)"),
        "new": ("规划改建的闲置建筑", "Idle buildings to convert"),
        "links": ("村→日间照料中心", "Village -> day-care centre"),
        "existing": ("现有日间照料中心", "Existing centres"),
    }
)
"""Map texts."""

_POPUP = [
    "village_id",
    "county",
    "township",
    "population",
    "elderly",
    "elderly_estimated",
    "centre_name",
    *REPORTED_COLUMNS,
    "reason",
]


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


def check_map(
    study: Study, result: DaycareCheckResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw villages by whether their elderly are within reach, centres, radius circles.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a check; its title (and
    legend) says when elderly counts are estimated.
    """
    s = result.settings
    m = context_map(study, _title("check_title", s, lang, result.estimated), lang, basemap)
    radius = s.service_radius_km
    m.add_circles(
        result.centres,
        s.access_rule.radius_m,
        name=LABELS.get("circles", lang, radius=radius),
        color="#00897b",
        tooltip_col="name" if "name" in result.centres.columns else None,
        show=False,
    )
    idle = study.of_kind(*s.candidate_kinds, idle=True)
    if len(idle):
        m.add_layer(
            idle,
            LABELS.get("idle", lang),
            color=IDLE_COLOUR,
            radius=4.0,
            fill_opacity=0.8,
            popup_cols=[c for c in ("facility_id", "kind", "county", "township") if c in idle],
            tooltip_col="name" if "name" in idle.columns else None,
            show=False,
        )
    t = result.table
    geo = study.villages[["village_id", "geometry"]].merge(t, on="village_id")
    geo = gpd.GeoDataFrame(geo.assign(status=_status(geo).to_numpy()), crs=study.villages.crs)
    keys = ("served", "unserved", "no_elderly")
    m.add_villages(
        geo,
        status_col="status",
        popup_cols=[c for c in _POPUP if c in geo.columns] + ["status"],
        palette={k: STATUS_COLOURS[k] for k in keys},
        labels={k: LABELS.get(k, lang) for k in keys},
    )
    if len(result.centres):
        m.add_facilities(result.centres.assign(kind="daycare"))
    _note(m, s, lang, result.estimated)
    return m


def plan_map(
    study: Study, result: DaycarePlanResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw existing centres, the idle buildings chosen, and each village's link to its centre.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a conversion plan.
    """
    plan, s = result.plan, result.settings
    title = _title("plan_title", s, lang, result.estimated, p=len(plan.selected))
    m = context_map(study, title, lang, basemap)
    links = plan.links(study.villages)
    m.add_lines(
        links.assign(link=(links["role"] == "existing").map({True: "existing", False: "new"})),
        name=LABELS.get("links", lang),
        category_col="link",
        palette={"existing": "#2c7fb8", "new": NEW_COLOUR},
        labels={"existing": LABELS.get("existing", lang), "new": LABELS.get("new", lang)},
        popup_cols=["name", "site_name", "elderly", "minutes"],
        tooltip_col="name",
    )
    a = plan.assignment()
    state = pd.Series("unserved", index=study.villages.index, dtype=object)
    vid = study.villages["village_id"]
    now = a.loc[a["role"] == "existing", "village_id"]
    state[vid.isin(a["village_id"]).to_numpy()] = "planned"
    state[vid.isin(now).to_numpy()] = "served"
    state[vid.isin(plan.uncoverable["village_id"]).to_numpy()] = "uncoverable"
    elderly = plan.demand.set_index("village_id")["elderly"]
    state[(vid.map(elderly) == 0).to_numpy()] = "no_elderly"
    keys = ("served", "planned", "unserved", "uncoverable", "no_elderly")
    m.add_villages(
        study.villages.assign(status=state.to_numpy(), elderly=vid.map(elderly).to_numpy()),
        status_col="status",
        palette={k: STATUS_COLOURS[k] for k in keys},
        labels={k: LABELS.get(k, lang) for k in keys},
    )
    existing = plan.sites[plan.sites["role"] == "existing"]
    if len(existing):
        m.add_facilities(existing.assign(kind="daycare"), popup_cols=["site_id", "county"])
    new = plan.new_sites
    if len(new):
        m.add_layer(
            new,
            LABELS.get("new", lang),
            color=NEW_COLOUR,
            radius=6.0,
            fill_opacity=0.9,
            popup_cols=["site_id", "kind", "county", "township"],
            tooltip_col="name",
        )
    _note(m, s, lang, result.estimated)
    return m
