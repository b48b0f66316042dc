"""The day-care service's two tasks as results: the article-25 check and the conversion plan."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL, CODE_SEPARATOR
from lvliang_coverage.config import Rules
from lvliang_coverage.services.daycare.check import FIGURE_COLUMNS, check_summary, check_villages
from lvliang_coverage.services.daycare.plan import DaycarePlan, plan_daycare
from lvliang_coverage.services.daycare.settings import DaycareRules, daycare_rules
from lvliang_coverage.services.daycare.sites import site_layer
from lvliang_coverage.study import Study


def _plain(value: object) -> object:
    """Return a numpy scalar as a plain Python number (JSON, printing)."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class DaycareCheckResult:
    """Which villages' elderly residents have a day-care centre within reach.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per village (``daycare_check.csv``).
    summary_table : pandas.DataFrame
        Per township, county and city (``daycare_summary.csv``).
    centres : GeoDataFrame
        The day-care centres checked against.
    settings : DaycareRules
        The settings in force.
    plan : DaycarePlan or None
        The plan whose conversions become the ledger's fixes, when one was made.
    task : str
        ``"check"``.
    """

    table: pd.DataFrame
    summary_table: pd.DataFrame
    centres: gpd.GeoDataFrame
    settings: DaycareRules
    plan: DaycarePlan | None = field(default=None, repr=False)
    task: str = "check"

    @property
    def estimated(self) -> bool:
        """Whether any village's elderly count is estimated from its population."""
        return bool(self.table["elderly_estimated"].any())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Files of the check: the village table and the summary."""
        return {
            "daycare_check.csv": self.table,
            "daycare_summary.csv": self.summary_table.round({"served_share": 4}),
        }

    def summary(self) -> dict[str, object]:
        """City totals: villages, elderly residents, served, share, estimated villages."""
        city = self.summary_table[self.summary_table["level"] == "city"].iloc[0]
        out: dict[str, object] = {k: _plain(city[k]) for k in FIGURE_COLUMNS}
        out["county"] = CITY_TOTAL
        out["centres"] = len(self.centres)
        out["mode"] = self.settings.mode
        out["elderly_estimated"] = self.estimated
        out["elderly_share_default"] = self.settings.elderly_share_default
        return out


@dataclass
class DaycarePlanResult:
    """A plan of idle buildings to convert into day-care centres, as a result.

    Attributes
    ----------
    plan : DaycarePlan
        The solved plan.
    task : str
        ``"plan"``.
    """

    plan: DaycarePlan
    settings: DaycareRules
    task: str = "plan"

    @property
    def estimated(self) -> bool:
        """Whether any village's elderly count is estimated from its population."""
        return bool(self.plan.demand["elderly_estimated"].any())

    def curve_table(self) -> pd.DataFrame:
        """Tabulate the coverage curve with readable ids: p, new centres, elderly covered."""
        c = self.plan.curve
        return pd.DataFrame(
            {
                "p": c["p"].to_numpy(),
                "n_new": c["n_new"].to_numpy(),
                "elderly_covered": np.rint(c["covered_weight"].to_numpy(float)).astype(np.int64),
                "covered_share": c["covered_share"].to_numpy(float).round(4),
                "new_ids": c["new_ids"].map(lambda t: CODE_SEPARATOR.join(map(str, t))).to_numpy(),
                "status": c["status"].to_numpy(),
                "mip_gap": c["mip_gap"].to_numpy(),
                "solve_seconds": c["solve_seconds"].to_numpy(float).round(3),
                "reused": c["reused"].to_numpy(),
            }
        )

    def tables(self) -> dict[str, Any]:
        """Files of the plan: chosen sites, the curve, uncoverable villages and the JSON."""
        return {
            "daycare_plan_sites.csv": self.plan.site_table(),
            "daycare_plan_curve.csv": self.curve_table(),
            "daycare_plan_uncoverable.csv": self.plan.uncoverable,
            "daycare_plan.json": self.summary(),
        }

    def summary(self) -> dict[str, object]:
        """Headline figures and the solver report of the plan."""
        out = self.plan.summary()
        out["elderly_estimated"] = self.estimated
        out["elderly_share_default"] = self.settings.elderly_share_default
        return out


def _settings(rules: Rules, mode: str | None) -> DaycareRules:
    """Read the ``[daycare]`` settings, with the travel mode of ``--mode`` when one is given."""
    settings = daycare_rules(rules)
    return settings if mode is None else dataclasses.replace(settings, mode=str(mode))


def run_plan(
    study: Study,
    rules: Rules,
    *,
    p: int | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    mode: str | None = None,
) -> DaycarePlanResult:
    """Plan which idle buildings (and user candidates) to convert into day-care centres.

    Parameters
    ----------
    study : Study
        Inputs (villages, facilities with ``idle``, roads).
    rules : Rules
        Rules in force (section ``[daycare]`` and ``[solver]``).
    p : int, optional
        New centres allowed (default ``daycare.plan_p``).
    candidates : GeoDataFrame, optional
        Further candidate sites (``site_id`` or ``facility_id``, ``name``).
    mode : str, optional
        Travel mode of the time limit (default ``daycare.mode``, walking).

    Returns
    -------
    DaycarePlanResult
        The plan.
    """
    settings = _settings(rules, mode)
    net = study.network(settings.mode)
    sites = site_layer(
        study.of_kind(*settings.existing_kinds),
        study.of_kind(*settings.candidate_kinds, idle=True),
        candidates=candidates,
        crs=study.villages.crs,
    )
    study.progress("求解日间照料中心选址 / solving the day-care maximal-covering model")
    plan = plan_daycare(study.villages, sites, net, settings, p=p, solver=rules.solver)
    return DaycarePlanResult(plan, settings)


def run_check(
    study: Study,
    rules: Rules,
    *,
    with_plan: bool = False,
    plan: DaycarePlan | None = None,
    mode: str | None = None,
    **plan_options: Any,
) -> DaycareCheckResult:
    """Check every village: are its elderly residents within reach of a day-care centre.

    Parameters
    ----------
    study : Study
        Inputs.
    rules : Rules
        Rules in force (section ``[daycare]``).
    with_plan : bool
        Also make the plan (default p) whose conversions become the ledger's fixes.
    plan : DaycarePlan, optional
        A plan made already (used instead of making one).
    mode : str, optional
        Travel mode of the time limit (default ``daycare.mode``, walking); the plan uses it
        too.
    **plan_options
        Options of :func:`run_plan` (``p``, ``candidates``).

    Returns
    -------
    DaycareCheckResult
        The check.
    """
    settings = _settings(rules, mode)
    centres = study.of_kind(*settings.existing_kinds)
    net = study.network(settings.mode)
    study.progress(f"核查{len(study.villages)}个村日间照料 / checking day-care reach")
    table = check_villages(study.villages, centres, net, settings)
    if plan is None and with_plan:
        plan = run_plan(study, rules, mode=mode, **plan_options).plan
    return DaycareCheckResult(
        table=table,
        summary_table=check_summary(table),
        centres=centres,
        settings=settings,
        plan=plan,
    )
