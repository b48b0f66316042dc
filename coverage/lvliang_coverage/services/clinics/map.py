"""Maps of clinic results: compliance (status, clinics, 2.5 km circles, isochrones) and plans."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import mode_name
from lvliang_coverage.services.access import REPORTED_COLUMNS
from lvliang_coverage.services.clinics.analysis import ClinicCheckResult, ClinicPlanResult
from lvliang_coverage.services.clinics.check import village_status
from lvliang_coverage.study import Study

_STATUS_COLOURS = {
    "small_ok": "#1a9850",
    "small_fail": "#d73027",
    "large_ok": "#91bfdb",
    "large_fail": "#fc8d59",
}
_LABELS = {
    "zh": {
        "small_ok": "200人以下村：达标",
        "small_fail": "200人以下村：未达标",
        "large_ok": "其他村：30分钟内可达",
        "large_fail": "其他村：30分钟内不可达",
        "check_title": "村卫生室覆盖核查（第7条：2.5公里服务半径、30分钟就医）",
        "plan_title": "邻村共建卫生室规划（第7条）",
        "circles": "卫生室2.5公里服务半径",
        "iso": "卫生室{m:.0f}分钟等时圈（{mode}）",
        "existing": "现有村卫生室",
        "new": "新建中心村卫生室",
        "links": "共建分组（村→卫生室）",
        "uncoverable": "无法覆盖的村",
        "covered": "200人以下村：现有或新建卫生室覆盖",
        "status": "达标情况",
    },
    "en": {
        "small_ok": "Villages under 200: compliant",
        "small_fail": "Villages under 200: not compliant",
        "large_ok": "Other villages: care within 30 min",
        "large_fail": "Other villages: no care within 30 min",
        "check_title": "Village clinic coverage (art. 7: 2.5 km radius, 30 minutes)",
        "plan_title": "Shared-clinic plan (art. 7)",
        "circles": "Clinic 2.5 km service radius",
        "iso": "Clinic {m:.0f}-min isochrone ({mode})",
        "existing": "Existing clinics",
        "new": "New central clinics",
        "links": "Sharing groups (village -> clinic)",
        "uncoverable": "Villages no site can cover",
        "covered": "Villages under 200: covered by an existing or new clinic",
        "status": "Status",
    },
}
_POPUP = [
    "village_id",
    "county",
    "township",
    "population",
    "nearest_clinic_id",
    *REPORTED_COLUMNS,
    "reason",
]


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
) -> CoverageMap:
    """Draw villages coloured by compliance, clinics, service circles and isochrones.

    Parameters
    ----------
    study : Study
        The study (context layers and road edges).
    table : DataFrame
        Compliance rows of one mode (:func:`lvliang_coverage.services.clinics.check.check_mode`).
    clinics : GeoDataFrame
        Clinics drawn as icons.
    status : Series
        Status code per row of ``table`` (:func:`~.check.village_status`).
    service_areas : GeoDataFrame, optional
        Isochrone service areas with a ``minutes`` column.
    radius_m : float
        Radius of the service circles in metres.
    lang, basemap : str
        As for a :class:`~lvliang_coverage.services.contract.MapDrawer`.

    Returns
    -------
    CoverageMap
        The map.
    """
    t = _LABELS[lang]
    m = context_map(study, t["check_title"], lang, basemap)
    if service_areas is not None and not service_areas.empty:
        mode = str(table["mode"].iloc[0]) if len(table) else ""
        mode = mode_name(mode, lang)
        name = t["iso"].format(m=float(service_areas["minutes"].max()), mode=mode)
        m.add_isochrones(service_areas, name=name, show=False)
    m.add_circles(clinics, radius_m, name=t["circles"], tooltip_col="name", show=False)
    geo = study.villages[["village_id", "geometry"]].merge(table, on="village_id")
    geo = gpd.GeoDataFrame(geo.assign(status=status.to_numpy()), crs=study.villages.crs)
    m.add_villages(
        geo,
        status_col="status",
        popup_cols=[c for c in _POPUP if c in geo.columns] + ["status"],
        palette=_STATUS_COLOURS,
        labels={k: t[k] for k in _STATUS_COLOURS},
    )
    m.add_facilities(clinics.assign(kind="clinic"))
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
    )


def plan_map(
    study: Study, result: ClinicPlanResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw existing and new clinics and the line from each small village to its clinic.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a shared-clinic plan.
    """
    plan = result.plan
    t = _LABELS[lang]
    m = context_map(study, t["plan_title"], lang, basemap)
    links = plan.links(study.villages)
    m.add_lines(
        links,
        name=t["links"],
        category_col="kind",
        palette={"existing": "#2c7fb8", "candidate": "#e6550d"},
        labels={"existing": t["existing"], "candidate": t["new"]},
        popup_cols=["name", "site_name", "population", "minutes"],
        tooltip_col="name",
    )
    small = study.villages[study.villages["village_id"].isin(plan.demand["village_id"])]
    state = pd.Series("small_ok", index=small.index)
    state[small["village_id"].isin(plan.uncoverable["village_id"])] = "small_fail"
    m.add_villages(
        small.assign(status=state),
        status_col="status",
        palette={"small_ok": "#1a9850", "small_fail": "#762a83"},  # clinics are drawn red
        labels={"small_ok": t["covered"], "small_fail": t["uncoverable"]},
    )
    existing = plan.sites[plan.sites["kind"] == "existing"]
    m.add_facilities(existing.assign(kind="clinic"), popup_cols=["site_id", "county", "township"])
    m.add_layer(
        plan.new_sites,
        t["new"],
        color="#e6550d",
        radius=6.0,
        fill_opacity=0.9,
        popup_cols=["site_id", "village_id", "county", "township"],
        tooltip_col="name",
    )
    return m
