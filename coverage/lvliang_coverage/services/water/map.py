"""Maps of drinking-water plans: sources chosen and not, mains along roads, villages by status."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.kinds import get as kind_spec
from lvliang_coverage.maps._style import CROWDED_FACILITIES, RESULT_COLOURS, SHARE_MAX_ZOOM
from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import Terms, text
from lvliang_coverage.services.townships import township_areas, township_shares
from lvliang_coverage.services.water.analysis import WaterResult
from lvliang_coverage.services.water.plan import WaterPlan
from lvliang_coverage.services.water.terms import TERMS, kind_term
from lvliang_coverage.study import Study

MAP = Terms.from_package("lvliang_coverage.services.water", section="map")
"""Popup labels and sentences of the map (``[map]`` of the package's ``terms.toml``)."""

STATUS_COLOURS = {
    "served": RESULT_COLOURS["ok"],
    "unserved": RESULT_COLOURS["fail"],
    "safe": RESULT_COLOURS["none"],
}
"""Village colours: supplied by the plan, no supply possible, water already safe."""

SOURCE_COLOURS = {"new": RESULT_COLOURS["planned"], "unused": "#9fb3c8"}
"""Icon colours of new source projects (a result) and of sources not chosen; the existing
sources the plan uses keep the colour of their kind."""

PIPE_COLOURS = {"gravity": "#4dac26", "lift": "#e7298a"}
"""Mains: gravity-fed green, pumped pink (no facility icon or road uses either)."""

VILLAGE_YUAN = ("pipe_yuan", "lift_yuan", "works_yuan", "connection_yuan")
"""Money columns that add up to a village's investment (yuan)."""


def source_status(sources: pd.DataFrame) -> pd.Series:
    """Map status per source: ``new`` (developed), ``existing_used`` or ``unused``.

    Parameters
    ----------
    sources : DataFrame
        ``WaterPlan.sources``.

    Returns
    -------
    pandas.Series
        Status codes aligned with ``sources``.
    """
    state = np.where(
        sources["developed"], "new", np.where(sources["used"], "existing_used", "unused")
    )
    return pd.Series(state, index=sources.index)


def _yuan(values: pd.Series) -> pd.Series:
    """Money rounded to whole yuan (integers, so the popup prints thousands separators)."""
    return pd.to_numeric(values, errors="coerce").round(0).astype("Int64")


def _source_labels(names: pd.Series, ids: pd.Series, lang: str) -> list[str]:
    """``name（id）`` per row; empty where there is no source."""
    template = MAP.get("source_label", lang)
    return [
        "" if pd.isna(i) or i == "" else template.format(name=n, id=i)
        for n, i in zip(names, ids, strict=True)
    ]


def _notes(v: pd.DataFrame, plan: WaterPlan, lang: str, max_pipe_km: float) -> np.ndarray:
    """One sentence per unsafe village: its project, or why it cannot be supplied."""
    served = v["served"].to_numpy(bool)
    reasons = v["reason"].astype(object).where(v["reason"].astype(str) != "", "no_project")
    texts = {r: TERMS.get(str(r), lang, km=max_pipe_km) for r in pd.unique(reasons)}
    out = np.array([MAP.get("unserved_note", lang, text=texts[r]) for r in reasons], dtype=object)
    existing = plan.sources.set_index("water_source_id")["existing"]
    rows = v[served]
    total = rows[list(VILLAGE_YUAN)].sum(axis=1).to_numpy(float)
    out[served] = [
        MAP.get(
            "served_note",
            lang,
            text=TERMS.get(
                "served",
                lang,
                kind=kind_term(str(kind), lang),
                source=source,
                source_id=sid,
                project=TERMS.get("existing" if bool(existing.get(sid, False)) else "new", lang),
                how=TERMS.get("gravity", lang)
                if bool(gravity)
                else TERMS.get("lift_head", lang, head=head),
                km=pipe_m / 1000.0,
                wan=yuan / 10_000.0,
                yuan=yuan,
            ),
        )
        for kind, source, sid, gravity, head, pipe_m, yuan in zip(
            rows["source_kind"],
            rows["source_name"],
            rows["water_source_id"],
            rows["gravity"],
            rows["head_m"],
            rows["pipe_m"],
            total,
            strict=True,
        )
    ]
    return out


def _village_layer(study: Study, plan: WaterPlan, lang: str) -> gpd.GeoDataFrame:
    """Every village with its status, and for the unsafe ones the plan's figures and sentence.

    A village the plan cannot supply has no source, supply, main or money: those read ``—``.
    """
    v = plan.villages.drop(columns="geometry").reset_index(drop=True)
    served = v["served"].to_numpy(bool)
    supply = np.where(v["gravity"].astype("boolean").fillna(False), "gravity", "lift")
    none = text("missing", lang)

    def only(values: pd.Series) -> pd.Series:
        return values.where(served)

    plan_v = pd.DataFrame(
        {
            "village_id": v["village_id"].to_numpy(),
            "status": np.where(served, "served", "unserved"),
            "_note": _notes(v, plan, lang, study.rules.water.max_pipe_km),
            "demand_m3d": v["demand_m3d"].round(1).to_numpy(),
            "_source": np.where(
                served, _source_labels(v["source_name"], v["water_source_id"], lang), none
            ),
            "_supply": np.where(served, [TERMS.get(k, lang) for k in supply], none),
            "pipe_km": only((v["pipe_m"] / 1000.0).round(2)),
            "head_m": only(v["head_m"].round(0)),
            "cost_yuan": only(_yuan(v[list(VILLAGE_YUAN)].sum(axis=1, min_count=1))),
            "subsidy_yuan": only(_yuan(v["subsidy_yuan"])),
            "maintenance_yuan_year": only(_yuan(v["maintenance_yuan_year"])),
        }
    )
    keep = ["village_id", "name", "county", "township", "population", "geometry"]
    geo = study.villages[keep].merge(plan_v, on="village_id", how="left")
    safe = geo["status"].isna()
    geo.loc[safe, "status"] = "safe"
    geo.loc[safe, "_note"] = MAP.get("safe_note", lang)
    return gpd.GeoDataFrame(geo, geometry="geometry", crs=study.villages.crs)


def water_map(
    study: Study, result: WaterResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw a water plan: villages by status, mains along their routes, sources by role.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a ``site`` result. At city
    and county scale the townships are coloured by the share of their residents without safe
    water that the plan supplies; mains and sources appear from county scale, villages from
    zoom :data:`~lvliang_coverage.maps._style.SHARE_MAX_ZOOM`, each unsafe one with its
    project (source, supply, main, money in yuan) or why it cannot be supplied.
    """
    plan = result.plan

    def t(key: str) -> str:
        return TERMS.get(key, lang)

    m = context_map(study, t("map_title"), lang, basemap)
    geo = _village_layer(study, plan, lang)
    unsafe = geo[geo["status"] != "safe"].assign(_ok=lambda d: d["status"] == "served")
    areas = township_areas(
        study.townships, township_shares(unsafe, served="_ok", weight="population")
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
    names = plan.villages.set_index("village_id")["name"]
    src = plan.sources.set_index("water_source_id")
    pipes = plan.pipelines.assign(
        supply=np.where(plan.pipelines["gravity"], "gravity", "lift"),
        pipe_km=(plan.pipelines["pipe_m"] / 1000.0).round(2),
        cost_yuan=_yuan(plan.pipelines["cost_yuan"]),
        name=plan.pipelines["village_id"].map(names),
        _source=_source_labels(
            plan.pipelines["water_source_id"].map(src["name"]),
            plan.pipelines["water_source_id"],
            lang,
        ),
        _route=plan.pipelines["basis"].map(
            {"network": MAP.get("route_network", lang), "straight": MAP.get("route_straight", lang)}
        ),
    )
    pipes = pipes.assign(_supply=pipes["supply"].map({k: t(k) for k in PIPE_COLOURS}))
    m.add_lines(
        pipes,
        name=t("layer_pipes"),
        weight=2.5,
        category_col="supply",
        palette=PIPE_COLOURS,
        labels={k: t(f"legend_{k}") for k in PIPE_COLOURS},
        popup_cols=["name", "_source", "_supply", "_route", "pipe_km", "cost_yuan"],
        popup_labels={
            "name": MAP.get("village", lang),
            "_source": MAP.get("source", lang),
            "_supply": MAP.get("supply", lang),
            "_route": MAP.get("route", lang),
            "pipe_km": MAP.get("pipe_km", lang),
            "cost_yuan": MAP.get("pipe_cost_yuan", lang),
        },
        tooltip_col="name",
        min_zoom=SHARE_MAX_ZOOM - 1,
    )
    place = ["village_id", "county", "township", "population"]
    safe = geo["status"] == "safe"
    m.add_villages(
        geo[safe],
        status_col="status",
        popup_cols=place,
        palette={"safe": STATUS_COLOURS["safe"]},
        labels={"safe": t("legend_safe")},
        name=t("layer_safe_villages"),
        min_zoom=SHARE_MAX_ZOOM,
        note_col="_note",
        show=False,  # thousands of pale dots would hide the plan; one click shows them
        section="context",
    )
    figures = ["demand_m3d", "_source", "_supply", "pipe_km", "head_m", "cost_yuan"]
    figures += ["subsidy_yuan", "maintenance_yuan_year"]
    m.add_villages(
        geo[~safe],
        status_col="status",
        popup_cols=[*place, *figures],
        palette={k: STATUS_COLOURS[k] for k in ("served", "unserved")},
        labels={k: t(f"legend_{k}") for k in ("served", "unserved")},
        name=t("layer_villages"),
        min_zoom=SHARE_MAX_ZOOM,
        popup_labels={k: MAP.get(k.lstrip("_"), lang) for k in figures},
        note_col="_note",
    )
    _add_sources(m, plan, lang)
    return m


def _add_sources(m: CoverageMap, plan: WaterPlan, lang: str) -> None:
    """Add the sources: new projects in the "planned" colour, used ones in their kind's.

    Sources not chosen are pale and switched off; every popup gives the capacity, the load
    and the money.
    """
    state = source_status(plan.sources)
    src = plan.sources.assign(
        _kind=[kind_spec(str(k)).label(lang) for k in plan.sources["kind"]],
        load_m3d=plan.sources["load_m3d"].round(1),
        total_yuan=_yuan(plan.sources["total_yuan"]),
        maintenance_yuan_year=_yuan(plan.sources["maintenance_yuan_year"]),
    )
    popup = ["water_source_id", "_kind", "capacity_m3d", "load_m3d", "villages", "residents"]
    popup += ["total_yuan", "maintenance_yuan_year"]
    labels = {k: MAP.get(k.lstrip("_"), lang) for k in popup if k != "water_source_id"}
    new = src[(state == "new").to_numpy()]
    if len(new):
        m.add_sites(
            new,
            "spring",
            _legend(lang, "new"),
            colour=SOURCE_COLOURS["new"],
            min_zoom=SHARE_MAX_ZOOM - 1 if len(new) > CROWDED_FACILITIES else None,
            popup_cols=popup,
            popup_labels=labels,
            tooltip_col="name",
        )
    used = src[(state == "existing_used").to_numpy()]
    if len(used):
        m.add_facilities(
            used, popup_cols=popup, popup_labels=labels, crowded_min_zoom=SHARE_MAX_ZOOM - 1
        )
    unused = src[(state == "unused").to_numpy()]
    if len(unused):
        m.add_sites(
            unused,
            "spring",
            _legend(lang, "unused"),
            colour=SOURCE_COLOURS["unused"],
            popup_cols=["water_source_id", "_kind", "capacity_m3d"],
            popup_labels=labels,
            tooltip_col="name",
            show=False,
            section="facility",
        )


def _legend(lang: str, key: str) -> str:
    """Legend label of a source role (``new``, ``existing_used``, ``unused``)."""
    return TERMS.get(f"legend_{key}", lang)
