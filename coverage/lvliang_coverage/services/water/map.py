"""Maps of drinking-water plans: sources chosen and not, mains along roads, villages by status."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.maps.context import context_map
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.services.water.analysis import WaterResult
from lvliang_coverage.services.water.terms import TERMS
from lvliang_coverage.study import Study

STATUS_COLOURS = {"served": "#1a9850", "unserved": "#d73027", "safe": "#bdbdbd"}
SOURCE_COLOURS = {"new": "#e6550d", "existing_used": "#08519c", "unused": "#9ecae1"}
PIPE_COLOURS = {"gravity": "#6a3d9a", "lift": "#e7298a"}


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


def water_map(
    study: Study, result: WaterResult, *, lang: str = "zh", basemap: str = "osm"
) -> CoverageMap:
    """Draw a water plan: villages by status, mains along their routes, sources by role.

    A :class:`~lvliang_coverage.services.contract.MapDrawer` of a ``site`` result.
    """
    plan = result.plan

    def t(key: str) -> str:
        return TERMS.get(key, lang)

    m = context_map(study, t("map_title"), lang, basemap)
    pipes = plan.pipelines.assign(
        supply=np.where(plan.pipelines["gravity"], "gravity", "lift"),
        pipe_km=(plan.pipelines["pipe_m"] / 1000.0).round(2),
        cost_yuan=plan.pipelines["cost_yuan"].round(0),
    )
    names = plan.villages.set_index("village_id")["name"]
    pipes = pipes.assign(name=pipes["village_id"].map(names))
    m.add_lines(
        pipes,
        name=t("layer_pipes"),
        weight=2.5,
        category_col="supply",
        palette=PIPE_COLOURS,
        labels={k: t(f"legend_{k}") for k in PIPE_COLOURS},
        popup_cols=["village_id", "water_source_id", "basis", "pipe_km", "cost_yuan"],
        tooltip_col="name",
    )
    plan_v = plan.villages.drop(columns="geometry").assign(
        status=np.where(plan.villages["served"], "served", "unserved"),
        pipe_km=(plan.villages["pipe_m"] / 1000.0).round(2),
        demand_m3d=plan.villages["demand_m3d"].round(1),
        cost_yuan=(
            plan.villages["pipe_yuan"]
            + plan.villages["lift_yuan"]
            + plan.villages["works_yuan"]
            + plan.villages["connection_yuan"]
        ).round(0),
    )
    all_v = study.villages[["village_id", "name", "county", "township", "population", "geometry"]]
    geo = all_v.merge(
        plan_v.drop(columns=["name", "county", "township", "population"]),
        on="village_id",
        how="left",
    )
    geo["status"] = geo["status"].fillna("safe")
    geo = gpd.GeoDataFrame(geo, geometry="geometry", crs=study.villages.crs)
    safe = geo["status"] == "safe"
    m.add_villages(
        geo[safe],
        status_col="status",
        popup_cols=["village_id", "county", "township", "population"],
        palette={"safe": STATUS_COLOURS["safe"]},
        labels={"safe": t("legend_safe")},
        name=t("layer_safe_villages"),
        show=False,  # thousands of grey dots would hide the plan; one click shows them
    )
    m.add_villages(
        geo[~safe],
        status_col="status",
        popup_cols=[
            "village_id",
            "county",
            "township",
            "population",
            "demand_m3d",
            "source_name",
            "pipe_km",
            "head_m",
            "cost_yuan",
            "subsidy_yuan",
            "maintenance_yuan_year",
            "reason",
        ],
        palette={k: STATUS_COLOURS[k] for k in ("served", "unserved")},
        labels={k: t(f"legend_{k}") for k in ("served", "unserved")},
        name=t("layer_villages"),
    )
    src = plan.sources.assign(
        status=source_status(plan.sources).to_numpy(),
        load_m3d=plan.sources["load_m3d"].round(1),
        total_yuan=plan.sources["total_yuan"].round(0),
    )
    popup = [
        "water_source_id",
        "kind",
        "capacity_m3d",
        "load_m3d",
        "villages",
        "residents",
        "total_yuan",
        "maintenance_yuan_year",
    ]
    unused = src["status"] == "unused"
    m.add_layer(
        src[unused],
        t("legend_unused"),
        color=SOURCE_COLOURS["unused"],
        radius=3.0,
        fill_opacity=0.8,
        popup_cols=["water_source_id", "kind", "capacity_m3d"],
        tooltip_col="name",
        show=False,
    )
    m.add_layer(
        src[~unused],
        t("layer_sources"),
        category_col="status",
        palette={k: SOURCE_COLOURS[k] for k in ("new", "existing_used")},
        labels={k: t(f"legend_{k}") for k in ("new", "existing_used")},
        radius=4.5,
        fill_opacity=0.95,
        popup_cols=popup,
        tooltip_col="name",
    )
    return m
