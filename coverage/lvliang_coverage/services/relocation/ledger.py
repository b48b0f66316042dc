"""Resettlement ledger (安置点台账): site services, movers' assignment, units and deadline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.report.vocabulary import TEXT_SEPARATOR, codes_text, mode_name, yes_no
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import _tables as tables
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

SITE_HEADERS = tables.headers(
    {
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
        ],
    },
    tables.DUTY_HEADERS,
)
"""Headers of the per-county site sheets (``{mode}`` is filled in)."""

MOVER_HEADERS = {
    "zh": ["县", "乡镇", "搬迁村", "户数", "常住人口"],
    "en": ["County", "Township", "Village", "Households", "Residents"],
}
"""Headers of the relocating village a row of the assignment sheets is about."""

ASSIGNMENT_HEADERS = tables.headers(
    MOVER_HEADERS,
    {
        "zh": ["安置点", "安置点所在县", "回原村时间(分钟)"],
        "en": ["Site", "Site county", "Back to the old village (min)"],
    },
)
"""Headers of the assignment sheet."""

UNASSIGNED_HEADERS = tables.headers(
    MOVER_HEADERS,
    {
        "zh": [
            "未安置原因",
            "最近安置点",
            "最近安置点回原村时间(分钟)",
            "本县最近安置点",
            "本县安置点回原村时间(分钟)",
            "建议",
        ],
        "en": [
            "Reason",
            "Fastest site",
            "Fastest site, time back (min)",
            "Fastest site in the county",
            "County site, time back (min)",
            "Proposal",
        ],
    },
)
"""Headers of the unassigned-villages sheet."""


def _movers(frame: pd.DataFrame) -> list[pd.Series]:
    """Return the columns under :data:`MOVER_HEADERS`."""
    return [frame[c] for c in ("county", "township", "name", "households", "residents")]


def _minutes(values: pd.Series, lang: str) -> np.ndarray:
    """Minutes rounded to 0.1, with a word where nothing is reachable (NaN)."""
    out = values.round(1).to_numpy(dtype=object)
    out[values.isna().to_numpy()] = TEXT.get("unreachable", lang)
    return out


def site_ledger(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate every site (by county, township, id): services in minutes, missing, measures.

    Columns :data:`SITE_HEADERS` (``{mode}`` filled in); capacities in households.
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
        *tables.duty_values(rules.responsible_units, rules.deadline, lang),
    ]
    return tables.headed_rows(SITE_HEADERS, lang, values, mode=mode)


def assignment_sheet(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the assignment of relocating villages to sites, with localised headers."""
    a = plan.assignment
    values = [*_movers(a), a["site_name"], a["site_county"], a["minutes"].round(1)]
    return tables.headed_rows(ASSIGNMENT_HEADERS, lang, values)


def unassigned_sheet(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Relocating villages no site can take, with the reason and a proposal."""
    u = plan.unassigned
    names = plan.sites.set_index("site_id")["name"]
    values = [
        *_movers(u),
        codes_text(u["reason"], REASON_TEXT, lang, limit=plan.max_commute_min),
        u["nearest_site_id"].map(names),
        _minutes(u["nearest_site_min"], lang),
        u["county_site_id"].map(names),
        _minutes(u["county_site_min"], lang),
        codes_text(u["reason"], PROPOSAL_TEXT, lang),
    ]
    return tables.headed_rows(UNASSIGNED_HEADERS, lang, values)


def ledger_summary(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate per county and for the city: sites and passes, room, movers (households)."""
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
    per = tables.with_city_row(per.fillna(0).astype(np.int64), lang)
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

    ``relocation_ledger.xlsx`` and ``.csv``; ``lang`` sets headers, texts and sheet titles.
    """
    plan = result.plan
    return tables.county_ledger(
        "relocation_ledger",
        site_ledger(plan, lang=lang),
        ledger_summary(plan, lang=lang),
        lang,
        (TEXT.get("sheet_assignment", lang), assignment_sheet(plan, lang=lang)),
        (TEXT.get("sheet_unassigned", lang), unassigned_sheet(plan, lang=lang)),
    )
