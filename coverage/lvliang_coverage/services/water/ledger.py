"""Drinking-water ledger (饮水安全台账): every unsafe village, its project, money and units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL
from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.report.vocabulary import city_label
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import _tables as tables
from lvliang_coverage.services.water.analysis import WATER_TABLES, WaterResult
from lvliang_coverage.services.water.costs import MONEY_COLUMNS
from lvliang_coverage.services.water.plan import WaterPlan
from lvliang_coverage.services.water.terms import TERMS, kind_term

LEDGER_NAME = "water_ledger"
"""File stem of the water ledger (``water_ledger.xlsx`` and ``water_ledger.csv``)."""

WATER_FILES = (*WATER_TABLES, f"{LEDGER_NAME}.xlsx", f"{LEDGER_NAME}.csv")
"""Files the ``site`` task writes into ``out_dir`` (plus ``water_plan.html`` with maps)."""

HEADERS = tables.headers(
    tables.PLACE_HEADERS,
    {
        "zh": ["户数", "建档立卡贫困人口", "贫困户(估算)", "日需水量(立方米)"],
        "en": ["Households", "Registered poor", "Poor households (est.)", "Demand (m3/day)"],
    },
    tables.FIX_HEADERS,
    {
        "zh": [
            "水源",
            "管道长度(公里)",
            "供水方式",
            "提水扬程(米)",
            "管网投资(元)",
            "提水投资(元)",
            "净水工程(元)",
            "入户工程(元)",
            "贫困户入户补助(元)",
            "年维修养护资金(元)",
        ],
        "en": [
            "Source",
            "Main (km)",
            "Supply",
            "Lift head (m)",
            "Pipe (yuan)",
            "Lift (yuan)",
            "Works (yuan)",
            "Connections (yuan)",
            "Poor-household subsidy (yuan)",
            "Maintenance fund (yuan/year)",
        ],
    },
    tables.DUTY_HEADERS,
)
"""Ledger row headers; the subsidy follows article 12, the fund article 13, units article 14."""

MONEY_HEADERS = {
    "zh": [
        "水源及净水工程(元)",
        "管网(元)",
        "提水泵站(元)",
        "入户工程(元)",
        "其中贫困户补助(元)",
        "总投资(元)",
        "年维修养护资金(元)",
    ],
    "en": [
        "Sources and works (yuan)",
        "Pipes (yuan)",
        "Pumping (yuan)",
        "Connections (yuan)",
        "Of which poor-household subsidy (yuan)",
        "Total (yuan)",
        "Maintenance fund (yuan/year)",
    ],
}
"""Headers of :data:`~lvliang_coverage.services.water.costs.MONEY_COLUMNS`."""

SUMMARY_COLUMNS = [
    "county",
    "unsafe_villages",
    "unsafe_residents",
    "served_villages",
    "served_residents",
    "poor_households_served",
    "sources_developed",
    *MONEY_COLUMNS,
]
"""Columns of :func:`~.analysis.county_budget` on the budget sheet."""

SUMMARY_HEADERS = tables.headers(
    {
        "zh": [
            "县",
            "饮水不安全村",
            "其常住人口",
            "规划供水村",
            "供水人口",
            "受益贫困户",
            "新建水源工程",
        ],
        "en": [
            "County",
            "Unsafe villages",
            "Their residents",
            "Villages supplied",
            "Residents supplied",
            "Poor households supplied",
            "New source projects",
        ],
    },
    MONEY_HEADERS,
)
"""Headers of the per-county budget sheet (:data:`SUMMARY_COLUMNS`)."""

PROJECT_HEADERS = tables.headers(
    {
        "zh": [
            "县",
            "乡镇",
            "水源编号",
            "水源",
            "类型",
            "现有/新建",
            "供水能力(立方米/日)",
            "供水量(立方米/日)",
            "供水村数",
            "供水人口",
        ],
        "en": [
            "County",
            "Township",
            "Source id",
            "Source",
            "Kind",
            "Existing/new",
            "Capacity (m3/day)",
            "Supplied (m3/day)",
            "Villages",
            "Residents",
        ],
    },
    MONEY_HEADERS,
)
"""Headers of the per-project (per source) sheet."""


def _blank(values: pd.Series, keep: np.ndarray) -> np.ndarray:
    """Values where ``keep``, an empty cell (empty text) elsewhere."""
    return np.where(keep, values.to_numpy(object), "")


def _fix_text(v: pd.DataFrame, rules: Rules, lang: str) -> np.ndarray:
    """Proposed fix per unsafe village: its project, or what to do when unserved."""
    served = v["served"].to_numpy(bool)
    reasons = v["reason"].astype(object)
    proposals = {r: TERMS.get(r, lang, km=rules.water.max_pipe_km) for r in pd.unique(reasons)}
    fixes = reasons.map(proposals).to_numpy(object)
    lift = TERMS.get("lift", lang)
    rows = v[served]
    fixes[served] = [
        TERMS.get(
            "served",
            lang,
            kind=kind_term(kind, lang),
            source=source,
            how=TERMS.get("gravity", lang) if bool(gravity) else f"{lift}{head:.0f}m",
            km=pipe_m / 1000.0,
        )
        for kind, source, gravity, head, pipe_m in zip(
            rows["source_kind"],
            rows["source_name"],
            rows["gravity"],
            rows["head_m"],
            rows["pipe_m"],
            strict=True,
        )
    ]
    return fixes


def water_ledger(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate every village without safe drinking water and the project proposed.

    Columns :data:`HEADERS`, by county, township and village; money in yuan, the maintenance
    fund in yuan per year, lengths in kilometres, heads in metres.
    """
    rules = plan.rules or load_rules()
    v = plan.villages.sort_values(["county", "township", "village_id"]).reset_index(drop=True)
    served = v["served"].to_numpy(bool)
    gravity = v["gravity"].fillna(False).to_numpy(bool)
    supply = np.where(
        served, np.where(gravity, TERMS.get("gravity", lang), TERMS.get("lift", lang)), ""
    )
    values = [
        *tables.place_values(v),
        v["households"],
        v["registered_poor"],
        v["poor_households"],
        v["demand_m3d"].round(1),
        TERMS.get("problem", lang),
        _fix_text(v, rules, lang),
        v["source_name"].where(served, ""),
        _blank((v["pipe_m"] / 1000.0).round(2), served),
        supply,
        _blank(v["head_m"].round(1), served),
        v["pipe_yuan"].round(0),
        v["lift_yuan"].round(0),
        v["works_yuan"].round(0),
        v["connection_yuan"].round(0),
        v["subsidy_yuan"].round(0),
        v["maintenance_yuan_year"].round(0),
        *tables.duty_values(rules.water.responsible_units, rules.water.deadline, lang),
    ]
    return tables.headed_rows(HEADERS, lang, values)


def budget_sheet(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the budget per county and for the city (:data:`SUMMARY_HEADERS`, whole yuan)."""
    table = plan.counties.copy()
    table["county"] = table["county"].replace({CITY_TOTAL: city_label(lang)})
    table[MONEY_COLUMNS] = table[MONEY_COLUMNS].round(0)
    out = table[SUMMARY_COLUMNS]
    out.columns = SUMMARY_HEADERS[lang]
    return out


def project_sheet(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the sources the plan uses (projects) by county and id (:data:`PROJECT_HEADERS`)."""
    s = plan.sources[plan.sources["used"]].sort_values(["county", "water_source_id"])
    values = [
        s["county"],
        s["township"],
        s["water_source_id"],
        s["name"],
        s["kind"].map(lambda k: kind_term(k, lang)),
        np.where(s["existing"], TERMS.get("existing", lang), TERMS.get("new", lang)),
        s["capacity_m3d"].round(1),
        s["load_m3d"].round(1),
        s["villages"],
        s["residents"],
        *(s[c].round(0) for c in MONEY_COLUMNS),
    ]
    return tables.headed_rows(PROJECT_HEADERS, lang, values)


def plan_ledger(plan: WaterPlan, lang: str = "zh") -> Ledger:
    """Build the water ledger of a plan: budget summary, projects, a sheet per county.

    ``water_ledger.xlsx`` and ``.csv``; ``lang`` sets headers, texts and sheet titles.
    """
    return tables.county_ledger(
        LEDGER_NAME,
        water_ledger(plan, lang=lang),
        budget_sheet(plan, lang=lang),
        lang,
        (TERMS.get("projects", lang), project_sheet(plan, lang=lang)),
    )


def site_ledger(result: WaterResult, lang: str = "zh") -> Ledger:
    """Build the water ledger of a ``site`` result (see :func:`plan_ledger`)."""
    return plan_ledger(result.plan, lang)
