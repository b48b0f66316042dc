"""Drinking-water ledger (饮水安全台账): every unsafe village, its project, money and units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.codes import CITY_TOTAL
from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.inputs.divisions import county_order
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
            "供水水源编号",
            "供水水源",
            "管道长度(公里)",
            "供水方式",
            "提水扬程(米)",
            "管网投资(元)",
            "提水投资(元)",
            "净水工程(元)",
            "入户工程(元)",
            "本村投资合计(元)",
            "贫困户入户补助(元)",
            "年维修养护资金(元)",
        ],
        "en": [
            "Source id",
            "Source",
            "Main (km)",
            "Supply",
            "Lift head (m)",
            "Pipe (yuan)",
            "Lift (yuan)",
            "Works (yuan)",
            "Connections (yuan)",
            "Village total (yuan)",
            "Poor-household subsidy (yuan)",
            "Maintenance fund (yuan/year)",
        ],
    },
    tables.DUTY_HEADERS,
)
"""Ledger row headers; the subsidy follows article 12, the fund article 13, units article 14.
Money in yuan (the village total: pipe + lift + works + connections, without developing the
source, which the project sheet carries)."""

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
"""Headers of :data:`~lvliang_coverage.services.water.costs.MONEY_COLUMNS` in yuan (projects)."""

WAN_HEADERS = {
    "zh": [
        "水源及净水工程(万元)",
        "管网(万元)",
        "提水泵站(万元)",
        "入户工程(万元)",
        "其中贫困户补助(万元)",
        "总投资(万元)",
        "年维修养护资金(万元/年)",
    ],
    "en": [
        "Sources and works (10,000 yuan)",
        "Pipes (10,000 yuan)",
        "Pumping (10,000 yuan)",
        "Connections (10,000 yuan)",
        "Of which poor-household subsidy (10,000 yuan)",
        "Total (10,000 yuan)",
        "Maintenance fund (10,000 yuan/year)",
    ],
}
"""Headers of :data:`~lvliang_coverage.services.water.costs.MONEY_COLUMNS` in 万元 (summary)."""

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
    WAN_HEADERS,
)
"""Headers of the per-county budget sheet (:data:`SUMMARY_COLUMNS`, money in 万元)."""

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


VILLAGE_YUAN = ("pipe_yuan", "lift_yuan", "works_yuan", "connection_yuan")
"""Money of a village's own works (yuan): main, lift, treatment and storage, connections."""


def _only(values: pd.Series | np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Values where ``keep``, an empty cell elsewhere."""
    out = np.asarray(values, dtype=object).copy()
    out[~keep] = None
    return out


def _yuan(values: pd.Series, keep: np.ndarray) -> pd.Series:
    """Whole yuan where ``keep``, an empty cell elsewhere."""
    return values.where(keep).round(0).astype("Int64")


def _county_rank(counties: pd.Series) -> pd.Series:
    """Position of each county in the official order (离石区 first, unknown names last)."""
    names = counties.astype(str)
    return names.map({c: i for i, c in enumerate(county_order(names))})


def _cheapest_pairs(plan: WaterPlan, ids: pd.Series) -> pd.DataFrame:
    """Cheapest main of each village in ``ids`` (own county first) with its source, by id."""
    p = plan.pairs[plan.pairs["village_id"].isin(ids)]
    p = p.assign(_other=~p["same_county"].to_numpy(bool))
    p = p.sort_values(["village_id", "_other", "cost_yuan"], kind="stable")
    p = p.drop_duplicates("village_id").set_index("village_id")
    src = plan.sources.set_index("water_source_id")
    return p.assign(
        source=p["water_source_id"].map(src["name"]),
        kind=p["water_source_id"].map(src["kind"]),
        county=p["water_source_id"].map(src["county"]),
    )


def _fix_text(v: pd.DataFrame, plan: WaterPlan, rules: Rules, lang: str) -> np.ndarray:
    """Write the measure of each unsafe village: its project, or why none is proposed.

    A served village gets its source, supply, main and money; an unserved one the reason
    with the proposal, and the cheapest main in reach when there is one.
    """
    served = v["served"].to_numpy(bool)
    reasons = v["reason"].astype(object).where(v["reason"].astype(str) != "", "no_project")
    proposals = {r: TERMS.get(r, lang, km=rules.water.max_pipe_km) for r in pd.unique(reasons)}
    fixes = reasons.map(proposals).to_numpy(object)
    existing = plan.sources.set_index("water_source_id")["existing"]
    rows = v[served]
    total = rows[list(VILLAGE_YUAN)].sum(axis=1).to_numpy(float)
    fixes[served] = [
        TERMS.get(
            "served",
            lang,
            kind=kind_term(kind, lang),
            source=source,
            source_id=sid,
            project=TERMS.get("existing" if bool(existing.get(sid, False)) else "new", lang),
            how=TERMS.get("gravity", lang)
            if bool(gravity)
            else TERMS.get("lift_head", lang, head=head),
            km=pipe_m / 1000.0,
            wan=yuan / 10_000.0,
            yuan=yuan,
        )
        for kind, source, sid, gravity, head, pipe_m, yuan in zip(
            rows["source_kind"],
            rows["source_name"],
            rows["water_source_id"],
            rows["gravity"],
            rows["head_m"],
            rows["pipe_m"],
            total,
            strict=True,
        )
    ]
    best = _cheapest_pairs(plan, v.loc[~served, "village_id"])
    left = np.flatnonzero(~served & v["village_id"].isin(best.index).to_numpy())
    b = best.loc[v["village_id"].to_numpy()[left]]
    fixes[left] = [
        fixes[i]
        + TERMS.get(
            "nearest",
            lang,
            county=county,
            kind=kind_term(kind, lang),
            source=source,
            source_id=sid,
            km=pipe_m / 1000.0,
            wan=yuan / 10_000.0,
            yuan=yuan,
        )
        for i, county, kind, source, sid, pipe_m, yuan in zip(
            left,
            b["county"],
            b["kind"],
            b["source"],
            b["water_source_id"],
            b["pipe_m"],
            b["cost_yuan"],
            strict=True,
        )
    ]
    return fixes


def water_ledger(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate every village without safe drinking water and the measure proposed.

    Columns :data:`HEADERS`, by county, township and village; money in yuan (blank for a
    village without a project), the maintenance fund in yuan per year, lengths in
    kilometres, heads in metres. Each row names its county's government among the units.
    """
    rules = plan.rules or load_rules()
    v = plan.villages.sort_values(["county", "township", "village_id"]).reset_index(drop=True)
    served = v["served"].to_numpy(bool)
    gravity = v["gravity"].fillna(False).to_numpy(bool)
    supply = np.where(gravity, TERMS.get("gravity", lang), TERMS.get("lift", lang))
    values = [
        *tables.place_values(v),
        v["households"],
        v["registered_poor"],
        v["poor_households"],
        v["demand_m3d"].round(1),
        TERMS.get("problem", lang),
        _fix_text(v, plan, rules, lang),
        _only(v["water_source_id"], served),
        _only(v["source_name"], served),
        (v["pipe_m"] / 1000.0).where(served).round(2),
        _only(supply, served),
        v["head_m"].where(served).round(1),
        *(_yuan(v[c], served) for c in VILLAGE_YUAN),
        _yuan(v[list(VILLAGE_YUAN)].sum(axis=1), served),
        _yuan(v["subsidy_yuan"], served),
        _yuan(v["maintenance_yuan_year"], served),
        *tables.duty_values(
            rules.water.responsible_units, rules.water.deadline, lang, counties=v["county"]
        ),
    ]
    return tables.headed_rows(HEADERS, lang, values)


def budget_sheet(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the budget per county in the official order, then the city.

    :data:`SUMMARY_HEADERS`; money in 万元 (10,000 yuan, to 0.01), the fund per year.
    """
    table = plan.counties
    city = (table["county"] == CITY_TOTAL).to_numpy()
    order = np.argsort(np.where(city, len(table), _county_rank(table["county"])), kind="stable")
    table = table.iloc[order].copy()
    table["county"] = table["county"].replace({CITY_TOTAL: city_label(lang)})
    for c in MONEY_COLUMNS:
        table[c] = tables.to_wan(table[c])
    out = table[SUMMARY_COLUMNS].reset_index(drop=True)
    out.columns = SUMMARY_HEADERS[lang]
    return out


def project_sheet(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the sources the plan uses (projects) by county and id (:data:`PROJECT_HEADERS`)."""
    s = plan.sources[plan.sources["used"]]
    s = s.assign(_rank=_county_rank(s["county"])).sort_values(["_rank", "water_source_id"])
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

    ``water_ledger.xlsx`` and ``.csv``; ``lang`` sets headers, texts, sheet titles and the
    title rows (农村饮水安全工程台账); the 填报单位 are ``water.filer`` (city sheets) and
    ``water.county_filer`` (county sheets) of the rules.
    """
    rules = plan.rules or load_rules()
    return tables.county_ledger(
        LEDGER_NAME,
        water_ledger(plan, lang=lang),
        budget_sheet(plan, lang=lang),
        lang,
        (TERMS.get("projects", lang), project_sheet(plan, lang=lang)),
        title=TERMS.get("title", lang),
        filer=rules.water.filer,
        county_filer=rules.water.county_filer,
    )


def site_ledger(result: WaterResult, lang: str = "zh") -> Ledger:
    """Build the water ledger of a ``site`` result (see :func:`plan_ledger`)."""
    return plan_ledger(result.plan, lang)
