"""The water service's own zh/en terms: ledger proposals and texts, map legend and layers."""

from __future__ import annotations

from lvliang_coverage.report.vocabulary import Terms

TERMS = Terms(
    {
        # ledger: the problem, how a village is supplied, the proposal per unserved reason
        "problem": ("饮水不安全", "drinking water unsafe"),
        "gravity": ("重力自流", "gravity-fed"),
        "lift": ("提水", "pumped"),
        "served": (
            "由{kind}「{source}」供水，{how}，管道{km:.1f}公里",
            "Supplied from {kind} '{source}', {how}, main {km:.1f} km",
        ),
        "too_far": (
            "{km:.0f}公里内无可用水源：建议打井、建集中水窖或纳入易地扶贫搬迁",
            "No source within {km:.0f} km: drill a well, build a cistern or relocate",
        ),
        "other_county": (
            "可用水源均在外县：建议跨县协调供水",
            "Sources in reach are all in other counties: agree a cross-county supply",
        ),
        "exceeds_capacity": (
            "需水量超过附近水源供水能力：建议新建水厂或多水源联供",
            "Demand exceeds every source in reach: a new plant or several sources",
        ),
        "capacity": (
            "附近水源能力已分配给其他村：建议扩建水源",
            "Nearby yields are taken by other villages: extend a source",
        ),
        "budget": ("超出本期投资：列入下期计划", "Beyond this budget: next phase"),
        # ledger: the project sheet
        "projects": ("水源工程", "Source projects"),
        "existing": ("现有", "existing"),
        "new": ("新建", "new"),
        # source kinds as written inside a sentence (the shared kind labels are plural names)
        "kind_spring": ("泉", "spring"),
        "kind_well": ("井", "well"),
        "kind_reservoir": ("水库", "reservoir"),
        "kind_river_intake": ("取水口", "river intake"),
        "kind_plant": ("水厂", "water plant"),
        # map: title, legend entries and layer names
        "map_title": (
            "农村饮水安全工程规划（第12-14条）",
            "Rural drinking-water plan (art. 12-14)",
        ),
        "legend_served": ("饮水不安全：规划供水", "Unsafe water: supplied by the plan"),
        "legend_unserved": ("饮水不安全：无法供水", "Unsafe water: no supply possible"),
        "legend_safe": ("饮水已安全", "Water already safe"),
        "legend_new": ("新建/开发水源工程", "New source projects"),
        "legend_existing_used": ("现有水厂（供水）", "Existing plants (supplying)"),
        "legend_unused": ("未选用水源", "Sources not chosen"),
        "legend_gravity": ("重力自流管道", "Gravity mains"),
        "legend_lift": ("提水管道", "Pumped mains"),
        "layer_pipes": ("供水管道", "Water mains"),
        "layer_sources": ("水源", "Water sources"),
        "layer_villages": ("饮水不安全的村", "Villages without safe water"),
        "layer_safe_villages": ("饮水已安全的村", "Villages with safe water"),
    }
)
"""Terms of the water ledger and map; shared words (yes/no, 全市, 汇总, separators) come from
:mod:`lvliang_coverage.report.vocabulary`. The proposals per unserved reason
(:data:`~lvliang_coverage.services.water.plan.UNSERVED_REASONS`) take ``km``, the served text
``kind``, ``source``, ``how`` and ``km``."""


def kind_term(kind: str, lang: str) -> str:
    """Name a source kind inside a sentence (``spring`` -> ``泉``); unknown kinds as given."""
    key = f"kind_{kind}"
    return TERMS.get(key, lang) if key in TERMS else kind
