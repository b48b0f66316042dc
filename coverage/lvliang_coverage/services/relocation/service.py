"""The resettlement service (articles 15-17): its declaration under the service contract."""

from __future__ import annotations

from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services.contract import Service, ServiceResult, Task

_ITEMS = {
    "mode": "mode",  # printed as the travel mode in words
    "sites": "安置点 / resettlement sites",
    "sites_passing": "公共服务达标的安置点 / sites meeting every required service",
    "sites_all_services": "各项服务齐全的安置点 / sites with every service",
}
"""Headline label of each key of the plan's summary, first part (numbers stay numbers)."""

_TAIL = {
    "capacity_households": "安置容量（户） / capacity (households)",
    "remaining_households": "剩余容量（户） / room left (households)",
    "relocating_villages": "整村搬迁村 / relocating villages",
    "relocating_households": "搬迁户数 / relocating households",
    "relocating_residents": "搬迁人数 / relocating residents",
    "assigned_villages": "已安置村 / villages placed",
    "assigned_households": "已安置户数 / households placed",
    "assigned_residents": "已安置人数 / residents placed",
    "unassigned_villages": "未安置村 / villages not placed",
    "unassigned_residents": "未安置人数 / residents not placed",
    "mean_commute_min": "平均回原村时间（分钟） / mean time back to the old village (min)",
    "max_commute_min": "回原村时限（分钟） / limit back to the old village (min)",
    "same_county": "限本县安置 / movers stay in their county",
}
"""Headline labels after the per-service and per-reason counts."""

_SOLVER_KEYS = ("solver_status", "mip_gap", "solve_seconds", "time_limit_s")
"""Summary keys of the solver report, printed in words as one line."""

_REASONS = ("no_pair", "beyond_commute", "other_county", "too_large", "capacity")
"""Reason codes of unplaced villages, in :data:`~.analysis.UNASSIGNED_REASONS` order."""


class RelocationService(Service):
    """Resettlement sites (易地扶贫搬迁安置点): their services (article 16) and the movers (15)."""

    name = "relocation"
    title_zh = "易地扶贫搬迁安置点"
    title_en = "Resettlement sites"
    articles = (15, 16, 17)
    kinds = ("clinic", "health_centre", "school", "workshop", "industrial_park")
    rules_section = "relocation"
    tasks = (
        Task(
            "plan",
            "评估安置点公共服务（第16条），将整村搬迁村安置到安置点（第15条）",
            "Score resettlement sites by access to services; assign relocating villages to sites.",
            map_file="relocation_plan.html",
            ledger="ledger:relocation_ledger",
            draw="map:relocation_map",
            drawing="绘制安置地图 / drawing the resettlement map",
        ),
    )

    def headlines(self, result: ServiceResult) -> list[Headline]:
        """Headline figures of the plan, bilingual, with its solver report in words."""
        from lvliang_coverage.services.relocation.terms import (  # kept out of --help
            REASON_TEXT,
            SERVICE_NAMES,
        )

        summary = dict(result.summary())
        items = {label: summary[key] for key, label in _ITEMS.items() if key in summary and key}
        for service in self.kinds:
            zh, en = (SERVICE_NAMES.get(service, lang) for lang in ("zh", "en"))
            items[f"缺少{zh}的安置点 / sites lacking: {en}"] = summary[f"sites_missing_{service}"]
        limit = summary["max_commute_min"]
        for reason in _REASONS:
            zh, en = (REASON_TEXT.get(reason, lang, limit=limit) for lang in ("zh", "en"))
            items[f"未安置：{zh} / not placed: {en}"] = summary[f"unassigned_{reason}"]
        items.update({label: summary[key] for key, label in _TAIL.items()})
        return [
            Headline(
                "第15-17条 易地扶贫搬迁安置 / articles 15-17 resettlement plan",
                items,
                solver={k: summary.get(k) for k in _SOLVER_KEYS},
            )
        ]


SERVICE = RelocationService()
"""The registered resettlement service."""
