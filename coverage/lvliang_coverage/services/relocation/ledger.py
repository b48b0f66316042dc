"""Resettlement ledger (安置点台账): site services, movers' assignment, units and deadline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.report.vocabulary import TEXT_SEPARATOR, codes_text, mode_name, yes_no
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import _tables as tables
from lvliang_coverage.services.relocation.analysis import (
    SERVICES,
    RelocationPlan,
    RelocationResult,
)
from lvliang_coverage.services.relocation.status import proposals, site_sentences
from lvliang_coverage.services.relocation.terms import (
    MEASURE_TEXT,
    REASON_TEXT,
    SERVICE_NAMES,
    TEXT,
    service_list,
)

FILER = "吕梁市发展和改革委员会"
"""填报单位 of the summary sheet when the rules name none (``relocation.filer``)."""

COUNTY_FILER = "{county}发展和改革局"
"""填报单位 of a county sheet when the rules name none (``relocation.county_filer``)."""

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
            *[
                h
                for s in SERVICES
                for h in (
                    f"最快可达{SERVICE_NAMES.get(s, 'zh')}",
                    f"至{SERVICE_NAMES.get(s, 'zh')}时间(分钟，{{mode}})",
                )
            ],
            f"满足服务(项，共{len(SERVICES)}项)",
            "是否达标",
            "缺少的服务",
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
            *[
                h
                for s in SERVICES
                for h in (
                    f"Fastest {SERVICE_NAMES.get(s, 'en')}",
                    f"To {SERVICE_NAMES.get(s, 'en')} (min, {{mode}})",
                )
            ],
            f"Services met (of {len(SERVICES)})",
            "Passes",
            "Services missing",
        ],
    },
    tables.FIX_HEADERS,
    tables.DUTY_HEADERS,
)
"""Headers of the per-county site sheets (``{mode}`` is filled in): per service the fastest
facility of its kind (its id) and the minutes to it from the site."""

MOVER_HEADERS = {
    "zh": ["县", "乡镇", "搬迁村", "户数", "常住人口"],
    "en": ["County", "Township", "Village", "Households", "Residents"],
}
"""Headers of the relocating village a row of the assignment sheets is about."""

ASSIGNMENT_HEADERS = tables.headers(
    MOVER_HEADERS,
    {
        "zh": ["安置点", "安置点所在县", "回原村路程(公里)", "回原村时间(分钟，{mode})"],
        "en": [
            "Site",
            "Site county",
            "Back to the old village (km)",
            "Back to the old village (min, {mode})",
        ],
    },
)
"""Headers of the assignment sheet (``{mode}`` is filled in)."""

UNASSIGNED_HEADERS = tables.headers(
    MOVER_HEADERS,
    {
        "zh": [
            "未安置原因",
            "最近安置点(直线)",
            "直线距离(公里)",
            "最快可达安置点",
            "最快安置点回原村时间(分钟，{mode})",
            "本县最快安置点",
            "本县最快安置点回原村时间(分钟，{mode})",
            "整改措施",
        ],
        "en": [
            "Reason",
            "Nearest site (straight line)",
            "Straight line (km)",
            "Fastest site",
            "Fastest site, time back (min, {mode})",
            "Fastest site in the county",
            "County site, time back (min, {mode})",
            "Fix proposed",
        ],
    },
    tables.DUTY_HEADERS,
)
"""Headers of the unassigned-villages sheet (``{mode}`` is filled in)."""


def _by_county(frame: pd.DataFrame, *keys: str) -> pd.DataFrame:
    """Sort rows by county in the official order (离石区 first), then by ``keys``."""
    rank = {c: i for i, c in enumerate(county_order(frame["county"].dropna()))}
    return frame.sort_values(
        ["county", *keys],
        key=lambda col: col.map(rank) if col.name == "county" else col,
        kind="stable",
        ignore_index=True,
    )


def _movers(frame: pd.DataFrame) -> list[pd.Series]:
    """Return the columns under :data:`MOVER_HEADERS`."""
    return [frame[c] for c in ("county", "township", "name", "households", "residents")]


def _minutes(values: pd.Series, lang: str) -> np.ndarray:
    """Minutes rounded to 0.1, with a word where nothing is reachable (NaN)."""
    out = values.round(1).to_numpy(dtype=object)
    out[values.isna().to_numpy()] = TEXT.get("unreachable", lang)
    return out


def _duty(plan: RelocationPlan, lang: str, counties: pd.Series) -> list[object]:
    """责任单位 (the row's county government first) and 完成时限 of article 17."""
    rules = plan.rules.relocation
    return tables.duty_values(rules.responsible_units, rules.deadline, lang, counties=counties)


def site_fixes(plan: RelocationPlan, sites: pd.DataFrame, lang: str) -> np.ndarray:
    """Fix proposed for every site: the services to add, then the article-16/17 duties.

    Each service not met gets its measure and the minutes it must come within; a failing
    site that movers are assigned to gets them done before moving in; every site with movers
    links their benefits within ``relocation.benefits_within_months`` (article 16) and every
    site sets up its Party branch and community office (article 17).
    """
    rules = plan.rules.relocation
    then = TEXT_SEPARATOR[lang]
    measures = np.full(len(sites), "", dtype=object)
    for s in SERVICES:
        text = TEXT.get(
            "measure_within",
            lang,
            measure=MEASURE_TEXT.get(s, lang),
            limit=rules.max_minutes(s),
        )
        miss = ~sites[f"{s}_ok"].to_numpy(dtype=bool)
        measures[miss] = np.where(measures[miss] == "", text, measures[miss] + then + text)
    fixes = np.where(measures == "", TEXT.get("measures_ok", lang), measures).astype(object)
    households = sites["assigned_households"].to_numpy()
    movers = households > 0
    failing = movers & ~sites["passes"].to_numpy(dtype=bool)
    fixes[failing] = [
        f + then + TEXT.get("before_moving_in", lang, households=int(h))
        for f, h in zip(fixes[failing], households[failing], strict=True)
    ]
    benefits = TEXT.get("measure_movers", lang, months=rules.benefits_within_months)
    fixes[movers] = fixes[movers] + then + benefits
    return fixes + then + TEXT.get("measure_community", lang)


def site_ledger(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate every site (by county, township, id): services in minutes, problem, fix.

    Columns :data:`SITE_HEADERS` (``{mode}`` filled in); capacities in households; the
    问题 column is :func:`~lvliang_coverage.services.relocation.status.site_sentences`.
    """
    s = _by_county(pd.DataFrame(plan.sites.drop(columns="geometry")), "township", "site_id")
    per_service = [
        col for k in SERVICES for col in (s[f"fastest_{k}_id"], _minutes(s[f"{k}_min"], lang))
    ]
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
        *per_service,
        s["services_met"],
        yes_no(s["passes"], lang),
        service_list(s["missing"], lang),
        site_sentences(s, lang, plan.rules),
        site_fixes(plan, s, lang),
        *_duty(plan, lang, s["county"]),
    ]
    return tables.headed_rows(SITE_HEADERS, lang, values, mode=mode_name(plan.mode, lang))


def assignment_sheet(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the assignment of relocating villages to sites, with localised headers."""
    a = _by_county(plan.assignment, "township", "village_id")
    values = [
        *_movers(a),
        a["site_name"],
        a["site_county"],
        a["commute_km"].round(2),
        a["commute_min"].round(1),
    ]
    return tables.headed_rows(ASSIGNMENT_HEADERS, lang, values, mode=mode_name(plan.mode, lang))


def unassigned_sheet(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Relocating villages no site can take: the reason, the sites closest, a concrete fix."""
    u = _by_county(plan.unassigned, "township", "village_id")
    names = plan.sites.set_index("site_id")["name"]
    values = [
        *_movers(u),
        codes_text(u["reason"], REASON_TEXT, lang, limit=plan.max_commute_min),
        u["nearest_site_id"].map(names),
        u["nearest_site_km"].round(2),
        u["fastest_site_id"].map(names),
        _minutes(u["fastest_site_min"], lang),
        u["fastest_county_site_id"].map(names),
        _minutes(u["fastest_county_site_min"], lang),
        proposals(u, pd.DataFrame(plan.sites), lang, plan.max_commute_min),
        *_duty(plan, lang, u["county"]),
    ]
    return tables.headed_rows(UNASSIGNED_HEADERS, lang, values, mode=mode_name(plan.mode, lang))


SUMMARY_HEADERS = {
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
}
"""Headers of the summary sheet: one row per county, then the city."""


def ledger_summary(plan: RelocationPlan, *, lang: str = "zh") -> pd.DataFrame:
    """Tabulate per county (official order) and for the city: sites, passes, room, movers."""
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
    out = per.reset_index()
    out.columns = SUMMARY_HEADERS[lang]
    return out


def relocation_ledger(result: RelocationResult, lang: str = "zh") -> Ledger:
    """Build the resettlement ledger: summary, assignment, unassigned villages, sites per county.

    ``relocation_ledger.xlsx`` and ``.csv``; ``lang`` sets headers, texts, sheet titles and
    the title rows; 填报单位 from ``relocation.filer`` / ``county_filer``.
    """
    plan = result.plan
    rules = plan.rules.relocation
    return tables.county_ledger(
        "relocation_ledger",
        site_ledger(plan, lang=lang),
        ledger_summary(plan, lang=lang),
        lang,
        (TEXT.get("sheet_assignment", lang), assignment_sheet(plan, lang=lang)),
        (TEXT.get("sheet_unassigned", lang), unassigned_sheet(plan, lang=lang)),
        title=TEXT.get("ledger_title", lang),
        filer=getattr(rules, "filer", FILER),
        county_filer=getattr(rules, "county_filer", COUNTY_FILER),
    )
