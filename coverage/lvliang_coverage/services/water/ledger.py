"""Drinking-water ledger (饮水安全台账): every unsafe village, its project, money and units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.report.workbook import headed_table, write_csv, write_ledger
from lvliang_coverage.services.water.analysis import MONEY_COLUMNS, WaterPlan

HEADERS = {
    "zh": [
        "县",
        "乡镇",
        "村",
        "常住人口",
        "户数",
        "建档立卡贫困人口",
        "贫困户(估算)",
        "日需水量(立方米)",
        "问题",
        "整改措施",
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
        "责任单位",
        "完成时限",
    ],
    "en": [
        "County",
        "Township",
        "Village",
        "Residents",
        "Households",
        "Registered poor",
        "Poor households (est.)",
        "Demand (m3/day)",
        "Problem",
        "Fix proposed",
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
        "Responsible units",
        "Deadline",
    ],
}
"""Ledger row headers; the subsidy follows article 12, the fund article 13, units article 14."""

SUMMARY_HEADERS = {
    "zh": [
        "县",
        "饮水不安全村",
        "其常住人口",
        "规划供水村",
        "供水人口",
        "受益贫困户",
        "新建水源工程",
        "水源及净水工程(元)",
        "管网(元)",
        "提水泵站(元)",
        "入户工程(元)",
        "其中贫困户补助(元)",
        "总投资(元)",
        "年维修养护资金(元)",
    ],
    "en": [
        "County",
        "Unsafe villages",
        "Their residents",
        "Villages supplied",
        "Residents supplied",
        "Poor households supplied",
        "New source projects",
        "Sources and works (yuan)",
        "Pipes (yuan)",
        "Pumping (yuan)",
        "Connections (yuan)",
        "Of which poor-household subsidy (yuan)",
        "Total (yuan)",
        "Maintenance fund (yuan/year)",
    ],
}
"""Headers of the per-county budget sheet (columns of :func:`~.analysis.county_budget`)."""

PROJECT_HEADERS = {
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
        "水源及净水工程(元)",
        "管网(元)",
        "提水泵站(元)",
        "入户工程(元)",
        "其中贫困户补助(元)",
        "总投资(元)",
        "年维修养护资金(元)",
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
        "Sources and works (yuan)",
        "Pipes (yuan)",
        "Pumping (yuan)",
        "Connections (yuan)",
        "Of which poor-household subsidy (yuan)",
        "Total (yuan)",
        "Maintenance fund (yuan/year)",
    ],
}
"""Headers of the per-project (per source) sheet."""

KIND_LABELS = {
    "zh": {
        "spring": "泉",
        "well": "井",
        "reservoir": "水库",
        "river_intake": "取水口",
        "plant": "水厂",
    },
    "en": {
        "spring": "spring",
        "well": "well",
        "reservoir": "reservoir",
        "river_intake": "river intake",
        "plant": "water plant",
    },
}
_TEXT = {
    "zh": {
        "problem": "饮水不安全",
        "gravity": "重力自流",
        "lift": "提水",
        "served": "由{kind}「{source}」供水，{how}，管道{km:.1f}公里",
        "too_far": "{km:.0f}公里内无可用水源：建议打井、建集中水窖或纳入易地扶贫搬迁",
        "other_county": "可用水源均在外县：建议跨县协调供水",
        "exceeds_capacity": "需水量超过附近水源供水能力：建议新建水厂或多水源联供",
        "capacity": "附近水源能力已分配给其他村：建议扩建水源",
        "budget": "超出本期投资：列入下期计划",
        "existing": "现有",
        "new": "新建",
        "summary": "汇总",
        "projects": "水源工程",
        "city": "全市",
    },
    "en": {
        "problem": "drinking water unsafe",
        "gravity": "gravity-fed",
        "lift": "pumped",
        "served": "Supplied from {kind} '{source}', {how}, main {km:.1f} km",
        "too_far": "No source within {km:.0f} km: drill a well, build a cistern or relocate",
        "other_county": "Sources in reach are all in other counties: agree a cross-county supply",
        "exceeds_capacity": "Demand exceeds every source in reach: a new plant or several sources",
        "capacity": "Nearby yields are taken by other villages: extend a source",
        "budget": "Beyond this budget: next phase",
        "existing": "existing",
        "new": "new",
        "summary": "Summary",
        "projects": "Source projects",
        "city": "City",
    },
}


def _blank(values: pd.Series, keep: np.ndarray) -> np.ndarray:
    """Values where ``keep``, an empty cell (empty text) elsewhere."""
    return np.where(keep, values.to_numpy(object), "")


def _fix_text(v: pd.DataFrame, rules: Rules, lang: str) -> np.ndarray:
    """Proposed fix per unsafe village: its project, or what to do when unserved."""
    t = _TEXT[lang]
    kinds = KIND_LABELS[lang]
    fixes = np.empty(len(v), dtype=object)
    for i, row in enumerate(v.itertuples(index=False)):  # ledger text, a few hundred rows
        if row.served:
            how = t["gravity"] if bool(row.gravity) else f"{t['lift']}{row.head_m:.0f}m"
            fixes[i] = t["served"].format(
                kind=kinds.get(row.source_kind, row.source_kind),
                source=row.source_name,
                how=how,
                km=row.pipe_m / 1000.0,
            )
        else:
            fixes[i] = t.get(row.reason, row.reason).format(km=rules.water.max_pipe_km)
    return fixes


def water_ledger(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Ledger rows: every village without safe drinking water and the project proposed.

    Parameters
    ----------
    plan : WaterPlan
        A solved plan.
    lang : {"zh", "en"}
        Header and text language.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HEADERS`, sorted by county, township, village; money in yuan, the
        maintenance fund in yuan per year, lengths in kilometres, heads in metres.
    """
    rules = plan.rules or load_rules()
    t = _TEXT[lang]
    v = plan.villages.sort_values(["county", "township", "village_id"]).reset_index(drop=True)
    served = v["served"].to_numpy(bool)
    gravity = v["gravity"].fillna(False).to_numpy(bool)
    supply = np.where(served, np.where(gravity, t["gravity"], t["lift"]), "")
    sep = "、" if lang == "zh" else ", "
    values = [
        v["county"],
        v["township"],
        v["name"],
        v["population"],
        v["households"],
        v["registered_poor"],
        v["poor_households"],
        v["demand_m3d"].round(1),
        t["problem"],
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
        sep.join(rules.water.responsible_units),
        rules.water.deadline,
    ]
    return headed_table(HEADERS[lang], values)


def budget_sheet(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Per-county budget with the sheet headers (:data:`SUMMARY_HEADERS`).

    Parameters
    ----------
    plan : WaterPlan
        A solved plan.
    lang : {"zh", "en"}
        Header language.

    Returns
    -------
    pandas.DataFrame
        One row per county and the city total; yuan rounded to whole yuan.
    """
    table = plan.counties.copy()
    table["county"] = table["county"].replace({"全市": _TEXT[lang]["city"]})
    table[MONEY_COLUMNS] = table[MONEY_COLUMNS].round(0)
    cols = [
        "county",
        "unsafe_villages",
        "unsafe_residents",
        "served_villages",
        "served_residents",
        "poor_households_served",
        "sources_developed",
        "construction_yuan",
        "pipe_yuan",
        "lift_yuan",
        "connection_yuan",
        "subsidy_yuan",
        "total_yuan",
        "maintenance_yuan_year",
    ]
    out = table[cols]
    out.columns = SUMMARY_HEADERS[lang]
    return out


def project_sheet(plan: WaterPlan, *, lang: str = "zh") -> pd.DataFrame:
    """List the sources used by the plan (projects) under :data:`PROJECT_HEADERS`.

    Parameters
    ----------
    plan : WaterPlan
        A solved plan.
    lang : {"zh", "en"}
        Header language.

    Returns
    -------
    pandas.DataFrame
        One row per source supplying at least one village, by county and source id.
    """
    t = _TEXT[lang]
    s = plan.sources[plan.sources["used"]].sort_values(["county", "water_source_id"])
    values = [
        s["county"],
        s["township"],
        s["water_source_id"],
        s["name"],
        s["kind"].map(KIND_LABELS[lang]).fillna(s["kind"]),
        np.where(s["existing"], t["existing"], t["new"]),
        s["capacity_m3d"].round(1),
        s["load_m3d"].round(1),
        s["villages"],
        s["residents"],
        *(s[c].round(0) for c in MONEY_COLUMNS),
    ]
    return headed_table(PROJECT_HEADERS[lang], values)


def write_water_ledger(plan: WaterPlan, out_dir: str | Path, *, lang: str = "zh") -> list[Path]:
    """Write ``water_ledger.xlsx`` (summary, projects, one sheet per county) and its CSV twin.

    Parameters
    ----------
    plan : WaterPlan
        A solved plan.
    out_dir : str or Path
        Folder to write into.
    lang : {"zh", "en"}
        Language of headers, texts and sheet titles.

    Returns
    -------
    list of Path
        ``water_ledger.xlsx`` and ``water_ledger.csv``.
    """
    out = Path(out_dir)
    rows = water_ledger(plan, lang=lang)
    t = _TEXT[lang]
    xlsx = write_ledger(
        rows,
        budget_sheet(plan, lang=lang),
        out / "water_ledger.xlsx",
        county_col=rows.columns[0],
        summary_title=t["summary"],
        extra_sheets=[(t["projects"], project_sheet(plan, lang=lang))],
    )
    return [xlsx, write_csv(rows, out / "water_ledger.csv")]
