"""The clinic service (articles 7 and 8): its declaration under the service contract."""

from __future__ import annotations

from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services.contract import Service, ServiceResult, Task

_CHECK_ITEMS = {
    "small_villages": "200人以下村 / villages under 200",
    "small_residents": "其常住人口 / their residents",
    "small_compliant": "达标村 / compliant",
    "small_compliant_residents": "达标村人口 / residents of compliant villages",
    "residents_within_time": "30分钟内就医人口 / all residents within 30 min",
    "off_network": "离路网过远的村 / villages off the road network",
    "unreachable": "路网不可达的村 / unreachable villages",
}
_UNKNOWN = "未知（无乡镇卫生院数据）/ unknown (no health-centre data)"


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
            ledger="ledger:check_ledger",
            draw="map:check_map",
            drawing="绘制核查地图 / drawing the compliance map",
        ),
    )

    def headlines(self, result: ServiceResult) -> list[Headline]:
        """City totals per mode (article 7) and the township-doctor shortfall (article 8)."""
        from lvliang_coverage.codes import CITY_TOTAL
        from lvliang_coverage.services.clinics.analysis import ClinicCheckResult

        if not isinstance(result, ClinicCheckResult):
            return [Headline("邻村共建卫生室规划 / shared-clinic plan", result.summary())]
        out = []
        total = result.summary_table[result.summary_table["county"] == CITY_TOTAL]
        for row in total.to_dict("records"):
            title = f"第7条 村卫生室覆盖 / article 7 clinic coverage ({row['mode']})"
            out.append(Headline(title, {label: row[key] for key, label in _CHECK_ITEMS.items()}))
        c = result.counties

        def total_of(col: str) -> object:
            return _UNKNOWN if c[col].isna().any() else int(c[col].sum())

        out.append(
            Headline(
                "第8条 乡镇卫生院医生 / article 8 township doctors",
                {
                    "应配 / required": int(c["required_doctors"].sum()),
                    "现有 / now": total_of("current_doctors"),
                    "缺口 / shortfall": total_of("shortfall"),
                    "缺医生的乡镇 / townships short": total_of("townships_short"),
                    "乡镇 / townships": int(c["townships"].sum()),
                },
            )
        )
        return out


SERVICE = ClinicService()
"""The registered clinic service."""
