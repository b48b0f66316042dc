"""The resettlement service (articles 15-17): its declaration under the service contract."""

from __future__ import annotations

from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services.contract import Service, ServiceResult, Task


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
        """Headline figures and the solver report of the plan."""
        return [Headline("易地扶贫搬迁安置 / relocation plan", result.summary())]


SERVICE = RelocationService()
"""The registered resettlement service."""
