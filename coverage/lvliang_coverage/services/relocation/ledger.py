"""Resettlement ledger (安置点台账): site services, movers' assignment, units and deadline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.report.vocabulary import (
    LIST_SEPARATOR,
    TEXT_SEPARATOR,
    city_label,
    codes_text,
    mode_name,
    text,
    yes_no,
)
from lvliang_coverage.report.workbook import Ledger, headed_table
from lvliang_coverage.services.relocation.analysis import (
    SERVICES,
    RelocationPlan,
    RelocationResult,
)
from lvliang_coverage.services.relocation.terms import (
    MEASURE_TEXT,
    PROPOSAL_TEXT,
    REASON_TEXT,
    SERVICE_NAMES,
    TEXT,
    service_list,
)

SITE_HEADERS = {
    "zh": [
        "县",
        "乡镇",
        "安置点",
        "安置容量(户)",
        "已入住(户)",
        "剩余容量(户)",
        "拟迁入村数",
        "拟迁入户数",
        "拟迁入人数",
        *[f"至{SERVICE_NAMES.get(s, 'zh')}(分钟，{{mode}})" for s in SERVICES],
        "服务得分",
        "是否达标",
        "缺少的服务",
        "整改措施",
        "责任单位",
        "完成时限",
    ],
    "en": [
        "County",
        "Township",
        "Site",
        "Capacity (households)",
        "Occupied (households)",
        "Remaining (households)",
        "Villages to move in",
        "Households to move in",
        "Residents to move in",
        *[f"To {SERVICE_NAMES.get(s, 'en')} (min, {{mode}})" for s in SERVICES],
        "Service score",
        "Passes",
        "Services missing",
        "Measures",
        "Responsible units",
        "Deadline",
    ],
}
"""Headers of the per-county site sheets (``{mode}`` is filled in)."""

ASSIGNMENT_HEADERS = {
    "zh": [
        "县",
        "乡镇",
        "搬迁村",
        "户数",
        "常住人口",
        "安置点",
        "安置点所在县",
        "回原村时间(分钟)",
    ],
    "en": [
        "County",
        "Township",
        "Village",
        "Households",
        "Residents",
        "Site",
        "Site county",
        "Back to the old village (min)",
    ],
}
"""Headers of the assignment sheet."""

UNASSIGNED_HEADERS = {
    "zh": [
        "县",
        "乡镇",
        "搬迁村",
        "户数",
        "常住人口",
        "未安置原因",
        "最近安置点",
        "最近安置点回原村时间(分钟)",
        "本县最近安置点",
        "本县安置点回原村时间(分钟)",
        "建议",
    ],
    "en": [
        "County",
        "Township",
        "Village",
        "Households",
        "Residents",
        "Reason",
        "Fastest site",
        "Fastest site, time back (min)",
        "Fastest site in the county",
        "County site, time back (min)",
        "Proposal",
    ],
}
"""Headers of the unassigned-villages sheet."""


def _minutes(values: pd.Series, lang: str) -> np.ndarray:
    """Minutes rounded to 0.1, with a word where nothing is reachable (NaN)."""
    out = values.round(1).to_numpy(dtype=object)
    out[values.isna().to_numpy()] = TEXT.get("unreachable", lang)
    return out


def site_ledger(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Ledger rows: every site with its service times, what is missing and the measures.

    Parameters
    ----------
    plan : RelocationPlan
        A solved plan.
    lang : {"zh", "en"}
        Header and text language.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SITE_HEADERS` (``{mode}`` filled in), sorted by county, township, site;
        times in minutes, capacities in households.
    """
    rules = plan.rules.relocation
    s = plan.sites.sort_values(["county", "township", "site_id"], kind="stable")
    then = TEXT_SEPARATOR[lang]
    fixes = codes_text(s["missing"], MEASURE_TEXT, lang).to_numpy(dtype=object)
    fixes = np.where(fixes == "", TEXT.get("measures_ok", lang), fixes).astype(object)
    movers = s["assigned_households"].to_numpy() > 0
    benefits = TEXT.get("measure_movers", lang, months=rules.benefits_within_months)
    fixes[movers] = fixes[movers] + then + benefits
    fixes = fixes + then + TEXT.get("measure_community", lang)
    mode = mode_name(plan.mode, lang)
    values = [
        s["county"],
        s["township"],
        s["name"],
        s["capacity_households"],
        s["occupied_households"],
        s["remaining_households"],
        s["assigned_villages"],
        s["assigned_households"],
        s["assigned_residents"],
        *[_minutes(s[f"{k}_min"], lang) for k in SERVICES],
        s["service_score"],
        yes_no(s["passes"], lang),
        service_list(s["missing"], lang),
        fixes,
        LIST_SEPARATOR[lang].join(rules.responsible_units),
        rules.deadline,
    ]
    headers = [h.format(mode=mode) for h in SITE_HEADERS[lang]]
    return headed_table(headers, values)


def assignment_sheet(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the assignment of relocating villages to sites, with localised headers."""
    a = plan.assignment
    values = [
        a["county"],
        a["township"],
        a["name"],
        a["households"],
        a["residents"],
        a["site_name"],
        a["site_county"],
        a["minutes"].round(1),
    ]
    return pd.DataFrame(
        {h: v.to_numpy() for h, v in zip(ASSIGNMENT_HEADERS[lang], values, strict=True)}
    )


def unassigned_sheet(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Relocating villages no site can take, with the reason and a proposal."""
    u = plan.unassigned
    names = plan.sites.set_index("site_id")["name"]
    values = [
        u["county"],
        u["township"],
        u["name"],
        u["households"],
        u["residents"],
        codes_text(u["reason"], REASON_TEXT, lang, limit=plan.max_commute_min),
        u["nearest_site_id"].map(names),
        _minutes(u["nearest_site_min"], lang),
        u["county_site_id"].map(names),
        _minutes(u["county_site_min"], lang),
        codes_text(u["reason"], PROPOSAL_TEXT, lang),
    ]
    return headed_table(UNASSIGNED_HEADERS[lang], values)


def ledger_summary(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Summary sheet: per county, sites and how many pass, room, movers assigned or not.

    Parameters
    ----------
    plan : RelocationPlan
        A solved plan.
    lang : {"zh", "en"}
        Header language.

    Returns
    -------
    pandas.DataFrame
        One row per county plus a city total (households, residents as integers).
    """
    s, m = plan.sites, plan.movers
    a, u = plan.assignment, plan.unassigned
    per = pd.DataFrame(
        {
            "sites": s.groupby("county").size(),
            "passing": s.groupby("county")["passes"].sum(),
            "capacity": s.groupby("county")["capacity_households"].sum(),
            "remaining": s.groupby("county")["remaining_households"].sum(),
            "villages": m.groupby("county").size(),
            "households": m.groupby("county")["households"].sum(),
            "residents": m.groupby("county")["population"].sum(),
            "a_villages": a.groupby("county").size(),
            "a_residents": a.groupby("county")["residents"].sum(),
            "u_villages": u.groupby("county").size(),
            "u_residents": u.groupby("county")["residents"].sum(),
        }
    )
    per = per.fillna(0).astype(np.int64)
    per.loc[city_label(lang)] = per.sum()
    names = {
        "zh": [
            "县",
            "安置点",
            "达标安置点",
            "安置容量(户)",
            "剩余容量(户)",
            "整村搬迁村",
            "搬迁户数",
            "搬迁人数",
            "已安置村",
            "已安置人数",
            "未安置村",
            "未安置人数",
        ],
        "en": [
            "County",
            "Sites",
            "Sites passing",
            "Capacity (households)",
            "Remaining (households)",
            "Relocating villages",
            "Households",
            "Residents",
            "Villages assigned",
            "Residents assigned",
            "Villages unassigned",
            "Residents unassigned",
        ],
    }[lang]
    out = per.reset_index()
    out.columns = names
    return out


def relocation_ledger(result: RelocationResult, lang: str = "zh") -> Ledger:
    """Build the resettlement ledger: summary, assignment, unassigned villages, sites per county.

    Parameters
    ----------
    result : RelocationResult
        A solved plan.
    lang : {"zh", "en"}
        Language of headers, texts and sheet titles.

    Returns
    -------
    Ledger
        ``relocation_ledger.xlsx`` and ``relocation_ledger.csv``.
    """
    plan = result.plan
    rows = site_ledger(plan, lang=lang)
    return Ledger(
        name="relocation_ledger",
        rows=rows,
        summary=ledger_summary(plan, lang=lang),
        county_col=str(rows.columns[0]),
        summary_title=text("summary", lang),
        extra_sheets=(
            (TEXT.get("sheet_assignment", lang), assignment_sheet(plan, lang=lang)),
            (TEXT.get("sheet_unassigned", lang), unassigned_sheet(plan, lang=lang)),
        ),
    )
