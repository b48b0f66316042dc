"""The day-care service (article 25): its declaration under the service contract."""

from __future__ import annotations

from collections.abc import Mapping

from lvliang_coverage.inputs.columns import register_column
from lvliang_coverage.kinds import FacilityKind
from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services.contract import Service, ServiceResult, Task
from lvliang_coverage.services.daycare.columns import COLUMNS

for _layer, _column in COLUMNS:  # elderly (villages) and idle (facilities)
    register_column(_layer, _column)

DAYCARE = FacilityKind(
    "daycare",
    "日间照料中心",
    "Elderly day-care centres",
    ("日间照料中心", "日照中心", "老年人日间照料中心", "农村互助幸福院", "幸福院"),
    "heart",
    "#00897b",
)
"""The facility kind of day-care centres (registered with the service)."""

_CHECK_ITEMS = {
    "mode": "mode",  # printed as the travel mode in words
    "elderly": "60岁以上人口 / residents aged 60+",
    "elderly_served": "在服务范围内的老年人 / elderly within reach",
    "served_share": "覆盖率 / share served",
    "villages_served": "已覆盖村 / villages within reach",
    "villages_unserved": "未覆盖村 / villages out of reach",
    "centres": "现有日间照料中心 / centres now",
}
"""Headline label of each key of a check's summary (numbers stay numbers)."""

_PLAN_ITEMS = {
    "mode": "mode",
    "existing_centres": "现有日间照料中心 / centres now",
    "candidate_sites": "候选闲置建筑 / candidate idle buildings",
    "p": "规划新建中心数 / new centres allowed (p)",
    "new_centres": "规划改建 / buildings to convert",
    "elderly": "60岁以上人口 / residents aged 60+",
    "elderly_covered_now": "现状覆盖老年人 / elderly served now",
    "elderly_covered_after_plan": "规划后覆盖老年人 / elderly served after the plan",
    "covered_share_after_plan": "规划后覆盖率 / share served after the plan",
    "curve_max_p": "覆盖曲线最大新建数 / largest p on the curve",
    "elderly_covered_at_curve_end": "曲线终点覆盖老年人 / elderly served at the curve's end",
    "uncoverable_villages": "无候选可覆盖的村 / villages no candidate serves",
    "uncoverable_elderly": "其中60岁以上人口 / their residents aged 60+",
}
"""Headline label of each key of a plan's summary."""

_SOLVER_KEYS = ("solver_status", "mip_gap", "solve_seconds")
_ESTIMATED = "老年人口为估算 / 60+ estimated"


def _estimate_note(summary: Mapping[str, object]) -> str:
    if not summary.get("elderly_estimated"):
        return "否，来自村表 / no, from the registry"
    share = float(summary["elderly_share_default"])  # type: ignore[arg-type]
    return f"是：常住人口×{share:.0%} / yes: residents x {share:.0%}"


def _items(summary: Mapping[str, object], labels: Mapping[str, str]) -> dict[str, object]:
    """Bilingual label -> value of the summary keys in ``labels``, then the estimate note."""
    items = {label: summary[key] for key, label in labels.items() if key in summary}
    items[_ESTIMATED] = _estimate_note(summary)
    return items


class DaycareService(Service):
    """Elderly day-care centres (日间照料中心, article 25) in idle schools and clinics."""

    name = "daycare"
    title_zh = "日间照料中心"
    title_en = "Elderly day-care centres"
    articles = (25,)
    kinds = ("daycare", "school", "clinic", "health_centre")
    new_kinds = (DAYCARE,)
    rules_section = "daycare"
    tasks = (
        Task(
            "check",
            "核查每个村60岁以上老人是否在日间照料中心服务范围内（默认规划假设：2公里、步行15分钟）",
            "Check every village: are its residents aged 60+ within reach of a day-care centre "
            "(default planning assumption: 2 km, 15 min walking)?",
            map_file="daycare_check.html",
            options={"with_plan": True},
            ledger="ledger:check_ledger",
            draw="map:check_map",
            drawing="绘制日间照料核查地图 / drawing the day-care map",
        ),
        Task(
            "plan",
            "利用闲置学校、卫生院改建日间照料中心：p处新中心覆盖最多老人（最大覆盖）及覆盖曲线",
            "Plan day-care centres in idle schools and clinics: p new centres serving the most "
            "residents aged 60+ (maximal covering) and the coverage curve.",
            map_file="daycare_plan.html",
            draw="map:plan_map",
            drawing="绘制日间照料规划地图 / drawing the day-care plan map",
        ),
    )

    def headlines(self, result: ServiceResult) -> list[Headline]:
        """City figures of a check, or the plan's figures and curve end points."""
        from lvliang_coverage.inputs.divisions import county_order  # kept out of --help
        from lvliang_coverage.services.daycare.analysis import DaycareCheckResult

        summary = dict(result.summary())
        if isinstance(result, DaycareCheckResult):
            counties = result.summary_table[result.summary_table["level"] == "county"]
            rank = {c: i for i, c in enumerate(county_order(counties["county"]))}
            counties = counties.sort_values("county", key=lambda c: c.map(rank), kind="stable")
            rows = [
                {
                    "县 / county": r["county"],
                    "60岁以上人口 / aged 60+": r["elderly"],
                    "已覆盖 / served": r["elderly_served"],
                    "覆盖率 / share": r["served_share"],
                    "未覆盖村 / villages out of reach": r["villages_unserved"],
                }
                for r in counties.to_dict("records")
            ]
            return [
                Headline(
                    "第25条 日间照料中心覆盖 / article 25 day-care reach",
                    _items(summary, _CHECK_ITEMS),
                ),
                Headline("各县 / per county", rows=rows),
            ]
        return [
            Headline(
                "第25条 日间照料中心规划 / article 25 day-care plan",
                _items(summary, _PLAN_ITEMS),
                solver={k: summary.get(k) for k in _SOLVER_KEYS},
            )
        ]


SERVICE = DaycareService()
"""The registered day-care service."""
