"""The resettlement service (articles 15-17): its declaration under the service contract."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services.contract import Service, ServiceResult, Task

if TYPE_CHECKING:
    from lvliang_coverage.config import Rules
    from lvliang_coverage.maps.coverage_map import CoverageMap
    from lvliang_coverage.report.workbook import Ledger
    from lvliang_coverage.study import Study


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
        ),
    )

    def analyse(
        self,
        study: Study,
        rules: Rules,
        *,
        task: str = "plan",
        mode: str | None = None,
        **options: Any,
    ) -> ServiceResult:
        """Run ``plan`` (options: mode, same_county, max_commute_min, time_limit_s)."""
        from lvliang_coverage.services.relocation import analysis

        self.task(task)  # the one task is "plan"; any other raises KeyError
        return analysis.run_plan(study, rules, mode=mode, **options)

    def ledger(self, result: ServiceResult, lang: str) -> Ledger | None:
        """Resettlement ledger of a plan (sites per county, assignment, unassigned)."""
        from lvliang_coverage.services.relocation.analysis import RelocationResult
        from lvliang_coverage.services.relocation.ledger import relocation_ledger

        return relocation_ledger(result, lang) if isinstance(result, RelocationResult) else None

    def map(
        self, result: ServiceResult, lang: str, *, study: Study, basemap: str = "osm"
    ) -> CoverageMap | None:
        """Map of a plan: sites by service score, movers' links, service facilities."""
        from lvliang_coverage.services.relocation.analysis import RelocationResult
        from lvliang_coverage.services.relocation.map import relocation_map

        if not isinstance(result, RelocationResult):
            return None
        study.progress("绘制安置地图 / drawing the resettlement map")
        return relocation_map(study, result.plan, lang=lang, basemap=basemap)

    def headlines(self, result: ServiceResult) -> list[Headline]:
        """Headline figures and the solver report of the plan."""
        return [Headline("易地扶贫搬迁安置 / relocation plan", result.summary())]


SERVICE = RelocationService()
"""The registered resettlement service."""
