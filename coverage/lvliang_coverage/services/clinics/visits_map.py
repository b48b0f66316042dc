"""The map of the monthly visits: each day's route along the roads, coloured by day."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps.coverage_map import CoverageMap, LegendItem
from lvliang_coverage.report.vocabulary import Terms, mode_name
from lvliang_coverage.services.clinics.visits import VisitResult
from lvliang_coverage.study import Study

TERMS = Terms.from_package("lvliang_coverage.services.clinics", "visits_terms.toml", section="map")
"""Map texts of the visits (``[map]`` of ``visits_terms.toml``)."""

DAY_COLOURS = (
    "#1f78b4",
    "#6a3d9a",
    "#b15928",
    "#e7298a",
    "#17becf",
    "#7f7f00",
    "#525252",
)
"""Route colour of days 1 to 7 of a clinic; later days share :data:`LATER_COLOUR`. None is a
result colour (green, red, orange), so a route never reads as a status."""

LATER_COLOUR = "#a6761d"
"""Route colour of a clinic's eighth and later days."""

VILLAGE_COLOURS = {
    "visited": sty.RESULT_COLOURS["ok"],
    "beyond_day": sty.RESULT_COLOURS["fail"],
    "unreachable": sty.RESULT_COLOURS["uncoverable"],
    "no_clinic": sty.RESULT_COLOURS["uncoverable"],
}
"""Village dots: visited every month (green), beyond a day's round trip (red), no road or no
clinic (dark red)."""

MAX_LAYERS = 30
"""Most route layers in the layer control: one per clinic up to this many clinics, else one
per township, else one per county."""

SIMPLIFY_M = 10.0
"""Tolerance in metres of the route lines drawn (the routes' figures are exact)."""


def day_routes(result: VisitResult) -> gpd.GeoDataFrame:
    """Each clinic's day as one line along the roads (EPSG:4326), with its figures.

    Parameters
    ----------
    result : VisitResult
        The visits.

    Returns
    -------
    GeoDataFrame
        ``clinic_id``, ``day``, ``stops`` (village ids in order, ``;``-joined),
        ``patients``, ``hours`` (the day's working time), ``km``; one LineString each.
    """
    plan = result.plan
    routes = plan.routes
    cols = ["clinic_id", "day", "stops", "patients", "hours", "km"]
    if routes.empty:
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=STORAGE_CRS)
    legs = plan.finder.paths(plan.legs["origin"].to_numpy(), plan.legs["destination"].to_numpy())
    key = routes["clinic_id"].astype(str) + "\x00" + routes["day"].astype(str)
    codes, first = pd.factorize(key, sort=False)
    geoms = legs.geometry.to_numpy()
    ok = ~shapely.is_missing(geoms)
    xy, idx = shapely.get_coordinates(geoms[ok], return_index=True)
    owner = codes[np.flatnonzero(ok)][idx]
    order = np.argsort(owner, kind="stable")
    lines = shapely.linestrings(xy[order], indices=owner[order])
    present = np.unique(owner)
    out_geom = np.full(len(first), None, dtype=object)
    out_geom[present] = lines
    g = routes.assign(_k=codes)
    visit = g[g["village_id"] != ""]
    stops = visit.groupby("_k")["village_id"].agg(";".join)
    back = g[g["village_id"] == ""].set_index("_k")
    table = gpd.GeoDataFrame(
        {
            "clinic_id": back["clinic_id"].to_numpy(object),
            "day": back["day"].to_numpy(),
            "stops": stops.reindex(back.index).fillna("").to_numpy(object),
            "patients": g.groupby("_k")["patients"].sum().reindex(back.index).to_numpy(),
            "hours": np.round(back["arrival_min"].to_numpy(float) / 60.0, 2),
            "km": np.round(g.groupby("_k")["km"].sum().reindex(back.index).to_numpy(float), 2),
        },
        geometry=out_geom[back.index.to_numpy()],
        crs=STORAGE_CRS,
    )
    metric = table.to_crs(result.study.metric_crs).simplify(SIMPLIFY_M)
    return table.set_geometry(metric.to_crs(STORAGE_CRS).to_numpy()).reset_index(drop=True)


def _groups(clinics: pd.DataFrame, lang: str) -> pd.Series:
    """Name the route layer of each clinic: itself, its township or county (:data:`MAX_LAYERS`)."""
    name = clinics["clinic_name"].fillna(clinics["clinic_id"]).astype(str)
    county = clinics["county"].fillna("").astype(str)
    town = (county + " " + clinics["township"].fillna("").astype(str)).str.strip()
    if len(clinics) <= MAX_LAYERS:
        zh = lang == "zh"
        text = (
            name + ("（" if zh else " (") + clinics["clinic_id"].astype(str) + ("）" if zh else ")")
        )
        return pd.Series(text.to_numpy(), index=clinics["clinic_id"].to_numpy())
    if town.nunique() <= MAX_LAYERS:
        return pd.Series(town.to_numpy(), index=clinics["clinic_id"].to_numpy())
    return pd.Series(county.to_numpy(), index=clinics["clinic_id"].to_numpy())


def visit_map(
    study: Study, result: VisitResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw the visits: every day's route along the roads, the clinics, the villages.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a ``visits`` result. The
    routes come in one switchable layer per clinic group (:data:`MAX_LAYERS`), coloured by
    the clinic's day (:data:`DAY_COLOURS`); a route's popup names the clinic, the day, its
    stops, patients, hours and km. Villages with patients are dots coloured by whether
    they are visited (:data:`VILLAGE_COLOURS`), with the reason when not. When patient
    counts are estimated, the map's note says so.

    Parameters
    ----------
    study : Study
        The study (context layers and road edges).
    result : VisitResult
        The visits.
    lang, basemap : str
        Label language and base map.

    Returns
    -------
    CoverageMap
        The map.
    """

    def t(key: str, **fields: object) -> str:
        return TERMS.get(key, lang, **fields)

    note = (
        t("estimated", share=result.settings.chronic_share_default)
        if result.patients_estimated
        else None
    )
    title = (
        f"{t('title')}（{mode_name(result.mode, lang)}）"
        if lang == "zh"
        else (f"{t('title')} ({mode_name(result.mode, lang)})")
    )
    area = study.counties if study.counties is not None else study.villages
    m = CoverageMap(
        area, title=title, lang=lang, basemap=basemap, data_note=note, synthetic=study.synthetic
    )
    if study.counties is not None:
        m.add_boundaries(study.counties, kind="county", labels=True)
    if study.townships is not None:
        m.add_boundaries(study.townships, kind="township", labels=True, min_zoom=sty.SHARE_MAX_ZOOM)
    m.add_roads(study.edges)
    if study.rivers is not None:
        m.add_rivers(study.rivers)
    clinics = result.plan.clinics
    days = day_routes(result)
    if len(days):
        names = clinics.set_index("clinic_id")["clinic_name"]
        days = days.assign(
            clinic=days["clinic_id"].map(names).fillna(days["clinic_id"]),
            day_class=np.minimum(days["day"].to_numpy(), len(DAY_COLOURS) + 1),
            day_text=[t("day", day=int(d)) for d in days["day"]],
        )
        palette = dict(enumerate((*DAY_COLOURS, LATER_COLOUR), start=1))
        labels = {k: t("day", day=k) for k in range(1, len(DAY_COLOURS) + 1)}
        labels[len(DAY_COLOURS) + 1] = t("day_later", day=len(DAY_COLOURS) + 1)
        popup = {
            "clinic": t("clinic"),
            "day_text": t("day_col"),
            "stops": t("stops"),
            "patients": t("patients"),
            "hours": t("hours"),
            "km": t("km"),
        }
        group = days["clinic_id"].map(_groups(clinics, lang))
        for name in county_order(pd.unique(group).astype(str)):
            part = days[(group == name).to_numpy()]
            used = sorted(set(part["day_class"].tolist()))
            m.add_lines(
                part,
                name=t("layer", group=name),
                weight=3.0,
                category_col="day_class",
                palette={k: palette[k] for k in used},
                labels={k: labels[k] for k in used},
                popup_cols=list(popup),
                popup_labels=popup,
                tooltip_col="clinic",
                section="context",  # one legend of the days below, not one per layer
            )
        used = sorted(set(days["day_class"].tolist()))
        m.add_legend(
            [
                LegendItem(t("legend_days"), shape="none"),
                *(LegendItem(labels[k], palette[k], "line", 3.0) for k in used),
            ]
        )
    _villages(m, study, result, t)
    _clinics(m, result, t)
    return m


def _villages(m: CoverageMap, study: Study, result: VisitResult, t: Callable[..., str]) -> None:
    """Draw the villages with patients: visited ones from the village zoom on, others always."""
    clinics = result.plan.clinics
    v = result.villages.copy()
    status = np.where(v["reason"] == "", "visited", v["reason"].str.split(";").str[-1])
    geo = study.villages[["village_id", "geometry", "population"]].assign(
        village_id=study.villages["village_id"].astype(str)
    )
    v = gpd.GeoDataFrame(
        v.assign(status=status).merge(geo, on="village_id"),
        geometry="geometry",
        crs=study.villages.crs,
    )
    v["reason_text"] = np.where(v["reason"] == "", "", [t(c) for c in v["status"]])
    v["clinic"] = v["clinic_id"].map(clinics.set_index("clinic_id")["clinic_name"]).fillna("")
    popup = ["village_id", "county", "township", "clinic", "patients", "round_trip_min"]
    labels = {
        "clinic": t("clinic"),
        "patients": t("patients"),
        "round_trip_min": t("round_trip"),
        "reason_text": t("reason"),
    }
    visited = (v["status"] == "visited").to_numpy()
    if visited.any():
        m.add_villages(
            v[visited],
            status_col="status",
            popup_cols=popup,
            popup_labels=labels,
            palette={"visited": VILLAGE_COLOURS["visited"]},
            labels={"visited": t("visited")},
            name=t("villages"),
            min_zoom=sty.SHARE_MAX_ZOOM,  # at city scale the routes tell the story
        )
    if (~visited).any():
        left = v[~visited]
        present = [k for k in VILLAGE_COLOURS if (left["status"] == k).any()]
        m.add_villages(
            left,
            status_col="status",
            popup_cols=[*popup, "reason_text"],
            popup_labels=labels,
            palette={k: VILLAGE_COLOURS[k] for k in present},
            labels={k: t(k) for k in present},
            name=t("left_out"),
            note_col="reason_text",
        )


def _clinics(m: CoverageMap, result: VisitResult, t: Callable[..., str]) -> None:
    """Draw the clinics the doctors start from; a plan's new central clinics in orange."""
    points = result.plan.points
    bases = points[points["clinic_id"].notna()].merge(result.plan.clinics, on="clinic_id")
    bases = gpd.GeoDataFrame(bases, geometry="geometry", crs=points.crs)
    popup = ["clinic_id", "county", "township", "villages", "patients", "days_needed", "hours"]
    labels = {
        "patients": t("patients"),
        "days_needed": t("days_needed"),
        "hours": t("hours"),
    }
    planned = (bases["kind"] == "planned").to_numpy()
    if (~planned).any():
        m.add_facilities(
            bases[~planned].rename(columns={"clinic_name": "name"}),
            popup_cols=popup,
            popup_labels=labels,
            crowded_min_zoom=sty.SHARE_MAX_ZOOM,
        )
    if planned.any():
        m.add_sites(
            bases[planned],
            "clinic",
            t("planned"),
            colour=sty.RESULT_COLOURS["planned"],
            popup_cols=popup,
            popup_labels=labels,
            tooltip_col="clinic_name",
        )
