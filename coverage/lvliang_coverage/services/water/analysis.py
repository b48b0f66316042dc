"""The water service's task as a result: the drinking-water site plan (articles 12-14)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from lvliang_coverage.config import Rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.services._results import PlanResult
from lvliang_coverage.services.water.plan import WaterPlan, plan_water
from lvliang_coverage.study import Study

WATER_TABLES = (
    "water_plan_villages.csv",
    "water_plan_sources.csv",
    "water_budget.csv",
    "water_plan_unserved.csv",
    "water_pipelines.geojson",
    "water_plan.json",
)
"""Files of :meth:`WaterResult.tables`, in writing order."""


ROUNDING = {"_yuan_year": 0, "_m3d": 3}
"""Decimals of the water columns whose unit the runner's suffix rounding does not know: the
maintenance fund (whole yuan per year) and volumes per day (m3/day to the litre)."""


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Round the columns named in :data:`ROUNDING` (a copy); other columns unchanged."""
    cols = {
        c: d
        for c in frame.columns
        for suffix, d in ROUNDING.items()
        if str(c).endswith(suffix) and pd.api.types.is_float_dtype(frame[c])
    }
    return frame.round(cols) if cols else frame


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn a point layer into a table with ``lon``/``lat`` columns (6 decimals) for geometry."""
    return rounded(
        pd.DataFrame(frame.drop(columns="geometry")).assign(
            lon=frame.geometry.x.round(6), lat=frame.geometry.y.round(6)
        )
    )


@dataclass
class WaterResult(PlanResult[WaterPlan]):
    """A drinking-water site plan as the result of the ``site`` task."""

    task: str = "site"

    def tables(self) -> dict[str, Any]:
        """Files of the plan: villages, sources, county budget, unserved, mains, JSON.

        Point layers become tables with ``lon``/``lat`` (EPSG:4326); the mains stay lines
        (GeoJSON); the JSON holds :meth:`summary` and one solver report per model. Money
        columns end in ``_yuan`` (``_yuan_year`` per year), lengths in ``_m``; volumes per day
        (``_m3d``) and the fund are rounded here (:data:`ROUNDING`), the rest by the runner.
        """
        plan = self.plan
        return {
            "water_plan_villages.csv": flat(plan.villages),
            "water_plan_sources.csv": flat(plan.sources),
            "water_budget.csv": rounded(plan.counties),
            "water_plan_unserved.csv": flat(plan.unserved),
            "water_pipelines.geojson": plan.pipelines,
            "water_plan.json": {**self.summary(), "solves": plan.solves.to_dict(orient="records")},
        }


def run_site(study: Study, rules: Rules, *, budget: float | None = None) -> WaterResult:
    """Site drinking-water projects for every village of a study lacking safe water.

    Parameters
    ----------
    study : Study
        Inputs; needs ``water_sources`` (the mains follow the roads of ``water.pipe_mode``).
    rules : Rules
        Rules in force.
    budget : float, optional
        Budget in yuan (default: serve every servable village at least cost).

    Returns
    -------
    WaterResult
        The plan, with the road route of every main.

    Raises
    ------
    InputError
        When the study has no water sources, or on invalid input or settings.
    """
    if study.water_sources is None or study.water_sources.empty:
        msg = (
            "研究区没有水源，请用 --sources FILE 给出 / "
            "the study has no water sources: give --sources FILE"
        )
        raise InputError(msg, column="sources")
    net = study.network(rules.water.pipe_mode)
    study.progress("水源工程选址 / siting drinking-water projects")
    plan = plan_water(
        study.villages,
        study.water_sources,
        net,
        rules=rules,
        dem=study.dem_path,
        budget=budget,
        routes=True,
    )
    return WaterResult(plan)
