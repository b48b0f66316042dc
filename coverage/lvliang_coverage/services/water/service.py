"""The water service (articles 12-14): its declaration under the service contract."""

from __future__ import annotations

from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services.contract import Service, ServiceResult, Task

_PLAN_ITEMS = (
    "unsafe_villages",
    "unsafe_residents",
    "unsafe_poor_residents",
    "served_villages",
    "served_residents",
    "unserved_villages",
    "unserved_residents",
    "gravity_villages",
    "sources_developed",
    "existing_sources_used",
    "total_yuan",
    "construction_yuan",
    "pipe_yuan",
    "lift_yuan",
    "connection_yuan",
    "subsidy_yuan",
    "maintenance_yuan_year",
    "budget_yuan",
    "models",
)
"""Summary keys the terminal prints with a bilingual label (``[headlines]`` of terms.toml)."""

_SOLVER_KEYS = ("solver_status", "mip_gap", "solve_seconds", "time_limit_s", "mip_rel_gap")
"""Summary keys of the solver report, passed as they are: the terminal words them in one line."""

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
        """Headline figures of the plan and the budget per county, labels in zh / en.

        Numbers are passed as numbers (yuan, residents, villages); the terminal formats them.
        The budget line is left out when the plan has no budget.
        """
        from lvliang_coverage.codes import CITY_TOTAL
        from lvliang_coverage.inputs.divisions import county_order
        from lvliang_coverage.services.water.terms import both

        summary = result.summary()
        items: dict[str, object] = {
            both(k): summary[k]
            for k in _PLAN_ITEMS
            if k in summary and not (k == "budget_yuan" and summary[k] is None)
        }
        items.update({k: summary[k] for k in _SOLVER_KEYS if k in summary})
        out = [Headline(both("title_plan"), items)]
        plan = getattr(result, "plan", None)
        counties = getattr(plan, "counties", None)
        if counties is not None:
            table = counties[list(_BUDGET_COLUMNS)]
            city = table["county"] == CITY_TOTAL
            order = county_order(table.loc[~city, "county"])
            table = table.set_index("county").loc[[*order, *table.loc[city, "county"]]]
            label = {CITY_TOTAL: both("city")}
            rows = [
                {both("county"): label.get(str(name), str(name))}
                | {
                    both(c): float(v) if c.endswith(("_yuan", "_yuan_year")) else int(v)
                    for c, v in r.items()
                }
                for name, r in zip(table.index, table.to_dict("records"), strict=True)
            ]
            out.append(Headline(both("title_budget"), rows=rows))
        return out


SERVICE = WaterService()
"""The registered water service."""
