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

BUILDING_STYLES: dict[str, tuple[str, str, float, float, bool]] = {
    "idle": ("facility_id", IDLE_COLOUR, 4.0, 0.8, False),
    "new": ("site_id", NEW_COLOUR, 6.0, 0.9, True),
}
"""Layers of idle buildings: id column, colour, marker radius (pixels), fill opacity, shown."""

LABELS = Terms.from_package("lvliang_coverage.services.daycare", section="map")
"""Map texts (``[map]`` of the package's ``terms.toml``)."""

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


def _add_buildings(m: CoverageMap, buildings: gpd.GeoDataFrame, role: str, lang: str) -> None:
    """Add idle buildings as a point layer, if any: ``"idle"`` candidates or ``"new"`` ones.

    The layer is named by the :data:`LABELS` of ``role`` and styled by :data:`BUILDING_STYLES`;
    popups give the id, kind, county and township where present, the tooltip the name.
    """
    if not len(buildings):
        return
    id_col, color, radius, fill_opacity, show = BUILDING_STYLES[role]
    m.add_layer(
        buildings,
        LABELS.get(role, lang),
        color=color,
        radius=radius,
        fill_opacity=fill_opacity,
        popup_cols=[c for c in (id_col, "kind", "county", "township") if c in buildings],
        tooltip_col="name" if "name" in buildings.columns else None,
        show=show,
    )


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
    _add_buildings(m, idle, "idle", lang)
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
    _add_buildings(m, plan.new_sites, "new", lang)
    _note(m, s, lang, result.estimated)
    return m
