"""The water service (articles 12-14): its declaration under the service contract."""

from __future__ import annotations

from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services.contract import Service, ServiceResult, Task

_BUDGET_COLUMNS = (
    "county",
    "served_villages",
    "served_residents",
    "total_yuan",
    "subsidy_yuan",
    "maintenance_yuan_year",
)
"""Columns of the per-county budget the terminal prints (yuan, fund in yuan per year)."""


class WaterService(Service):
    """Rural drinking water (农村饮水安全): sources, mains, lifts, subsidies and funds."""

    name = "water"
    title_zh = "农村饮水安全工程"
    title_en = "Rural drinking water"
    articles = (12, 13, 14)
    kinds = ("spring", "well", "reservoir", "river_intake", "plant")
    rules_section = "water"
    tasks = (
        Task(
            "site",
            "水源工程选址：水源、管网、提水、贫困户入户补助和维修养护资金",
            "Site drinking-water projects: sources, mains, lifts, subsidies and maintenance funds.",
            map_file="water_plan.html",
            ledger="ledger:site_ledger",
            draw="map:water_map",
            drawing="绘制供水规划地图 / drawing the water plan map",
        ),
    )

    def headlines(self, result: ServiceResult) -> list[Headline]:
        """Headline figures of the plan and the budget per county (yuan)."""
        from lvliang_coverage.services.water.analysis import WaterResult

        out = [Headline("农村饮水安全工程规划 / drinking-water plan", result.summary())]
        if isinstance(result, WaterResult):
            counties = result.plan.counties[list(_BUDGET_COLUMNS)]
            money = [c for c in _BUDGET_COLUMNS if c.endswith(("_yuan", "_yuan_year"))]
            rows = counties.assign(**{c: counties[c].round(0) for c in money})
            out.append(
                Headline(
                    "分县投资与维修养护资金 / budget per county (yuan)",
                    rows=[{str(k): v for k, v in r.items()} for r in rows.to_dict("records")],
                )
            )
        return out


SERVICE = WaterService()
"""The registered water service."""
