"""The clinic service (articles 7 and 8): its declaration under the service contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.report.vocabulary import Terms, mode_name
from lvliang_coverage.services.clinics.visits_task import VISITS_TASK  # registers chronic_poor
from lvliang_coverage.services.contract import Service, ServiceResult, Task

if TYPE_CHECKING:
    import pandas as pd

    from lvliang_coverage.services.clinics.plan import ClinicPlan

HEADLINES = Terms.from_package("lvliang_coverage.services.clinics", section="headlines")
"""The terminal's labels of the clinic service (``[headlines]`` of its ``terms.toml``)."""

_CHECK_ITEMS = (
    "small_villages",
    "small_residents",
    "small_compliant",
    "small_compliant_residents",
    "residents_within_time",
    "off_network",
    "unreachable",
)
"""Summary columns of the article-7 headline, in order (labels: :data:`HEADLINES`)."""

_PLAN_ITEMS = {
    "small_villages": "plan_small_villages",
    "small_residents": "plan_small_residents",
    "existing_clinics": "existing_clinics",
    "candidate_sites": "candidate_sites",
    "covered_by_existing": "covered_by_existing",
    "new_clinics": "new_clinics",
    "covered_after_plan": "covered_after_plan",
    "uncoverable": "uncoverable",
    "uncoverable_residents": "uncoverable_residents",
    "unassigned": "unassigned",
}
"""Plan summary keys of the plan headline -> their label keys in :data:`HEADLINES`."""


def label(key: str, **fields: object) -> str:
    """Return a headline label of the clinic service in both languages, ``"中文 / English"``.

    A field may be given per language as a ``(zh, en)`` tuple, e.g. a mode's names.
    """
    texts = []
    for i, lang in enumerate(("zh", "en")):
        own = {k: v[i] if isinstance(v, tuple) else v for k, v in fields.items()}
        texts.append(HEADLINES.get(key, lang, **own))
    return " / ".join(texts)


def _modes(mode: str) -> tuple[str, str]:
    return mode_name(mode, "zh"), mode_name(mode, "en")


def plan_headline(plan: ClinicPlan) -> Headline:
    """Build the plan's headline: villages, clinics, new central clinics, coverage, solver."""
    summary = plan.summary()
    return Headline(
        label("plan_title", mode=_modes(plan.mode)),
        {label(key): summary[name] for name, key in _PLAN_ITEMS.items()},
        solver=plan.lscp.report,
    )


def comparison_headline(
    comparison: pd.DataFrame,
) -> Headline:
    """Build the terminal's line of the model comparison: villages changing status, per reason.

    Parameters
    ----------
    comparison : DataFrame
        :data:`~.terrain.COMPARISON_COLUMNS`.

    Returns
    -------
    Headline
        One row per mode checked (one line for one mode): mode, villages changing status,
        then the count of each reason of :data:`~.terrain.REASONS`.
    """
    from lvliang_coverage.services.clinics.terrain import REASONS as TERRAIN_REASONS
    from lvliang_coverage.services.clinics.terrain import reason_counts

    rows = []
    for mode, part in comparison.groupby("mode", sort=False) if len(comparison) else []:
        counts = reason_counts(part)
        row: dict[str, object] = {label("terrain_mode"): " / ".join(_modes(str(mode)))}
        row[label("terrain_changed")] = counts["changed"]
        row.update({" / ".join(TERRAIN_REASONS[r]): counts[r] for r in TERRAIN_REASONS})
        rows.append(row)
    if not rows:
        row = {
            label("terrain_changed"): 0,
            **{" / ".join(TERRAIN_REASONS[r]): 0 for r in TERRAIN_REASONS},
        }
        rows.append(row)
    return Headline(label("terrain_title"), rows=rows)


class ClinicService(Service):
    """Village clinics (村卫生室, article 7) and township doctors (乡镇卫生院, article 8)."""

    name = "clinics"
    title_zh = "村卫生室"
    title_en = "Village clinics"
    articles = (7, 8)
    kinds = ("clinic", "health_centre", "hospital")
    rules_section = "clinic"
    tasks = (
        Task(
            "plan",
            "邻村共建卫生室规划：最少新建卫生室（集合覆盖）、p个卫生室覆盖人口（最大覆盖）、共建分组",
            "Plan shared clinics: fewest new clinics (set covering), budgets p (max covering), "
            "groups.",
            map_file="clinic_plan.html",
            ledger="ledger:plan_ledger",
            draw="map:plan_map",
            drawing="绘制规划地图 / drawing the plan map",
        ),
        Task(
            "check",
            "核查每个村（第7条：2.5公里、30分钟）和乡镇卫生院医生（第8条）",
            "Check every village against article 7 (2.5 km, 30 min) and townships against "
            "article 8.",
            map_file="clinic_compliance.html",
            options={"with_plan": True},
            ledger="ledger:check_ledgers",
            draw="map:check_map",
            drawing="绘制核查地图 / drawing the compliance map",
        ),
        VISITS_TASK,
    )

    def headlines(self, result: ServiceResult) -> list[Headline]:
        """City totals per mode (article 7, with the plan's new clinics), township doctors (8).

        Labels in both languages from the service's ``terms.toml``; values are plain numbers
        (the terminal formats them) or, for unknown doctor counts, a text saying why.
        """
        from lvliang_coverage.codes import CITY_TOTAL  # imported here: light CLI start
        from lvliang_coverage.services.clinics.analysis import (
            ClinicCheckResult,
            ClinicPlanResult,
        )
        from lvliang_coverage.services.clinics.visits import VisitResult

        if isinstance(result, VisitResult):
            from lvliang_coverage.services.clinics.visits_ledger import visit_headlines

            return visit_headlines(result)
        if isinstance(result, ClinicPlanResult):
            return [plan_headline(result.plan)]
        if not isinstance(result, ClinicCheckResult):
            return []
        out = []
        total = result.summary_table[result.summary_table["county"] == CITY_TOTAL]
        for row in total.to_dict("records"):
            title = label("check_title", mode=_modes(str(row["mode"])))
            a = result.admin_table
            a = a[a["mode"] == row["mode"]]
            small = a[a["small_village"]]
            items: dict[str, object] = {
                label("admin_villages"): len(a),
                label("admin_small"): len(small),
                label("admin_small_residents"): int(small["population"].sum()),
                label("admin_small_compliant"): int(small["compliant"].sum()),
                label("admin_small_residents_served"): int(small["residents_served"].sum()),
            }
            items.update({label(key): row[key] for key in _CHECK_ITEMS})
            if result.plan is not None and row["mode"] == result.plan.mode:
                items[label("new_clinics")] = result.plan.lscp.n_new  # the fixes' plan
            out.append(Headline(title, items))
        if result.terrain is not None:  # the terrain model: villages changing status, why
            out.append(comparison_headline(result.terrain.comparison))
        c = result.counties
        unknown = label("unknown")

        def total_of(col: str) -> object:
            return unknown if c[col].isna().any() else int(c[col].sum())

        out.append(
            Headline(
                label("staffing_title"),
                {
                    label("required"): int(c["required_doctors"].sum()),
                    label("current"): total_of("current_doctors"),
                    label("shortfall"): total_of("shortfall"),
                    label("townships_short"): total_of("townships_short"),
                    label("townships"): int(c["townships"].sum()),
                },
            )
        )
        return out


SERVICE = ClinicService()
"""The registered clinic service."""
