"""Day-care ledger (日间照料台账): villages whose elderly are unserved, the conversion proposed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.report.vocabulary import Terms, codes_text, mode_name, text, yes_no
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import _tables as tables
from lvliang_coverage.services.daycare.analysis import DaycareCheckResult
from lvliang_coverage.services.daycare.plan import DaycarePlan
from lvliang_coverage.services.daycare.settings import DaycareRules

REASON_TEXT = Terms(
    {
        **tables.ACCESS_REASONS,
        "too_far": ("{radius:g}公里内无日间照料中心", "no centre within {radius:g} km"),
        "too_slow": ("{minutes:g}分钟内无法到达", "not within {minutes:g} minutes"),
        "no_site": ("无日间照料中心或候选点", "no centre or candidate site"),
    }
)
"""Texts of the reason codes (:data:`lvliang_coverage.services.access.REASONS`)."""

BUILDING = Terms(
    {
        "school": ("闲置学校", "idle school"),
        "clinic": ("闲置卫生室", "idle clinic"),
        "health_centre": ("闲置卫生院", "idle health centre"),
    }
)
"""Names of the idle building kinds in the proposals (other kinds use the kind label)."""

FIX = Terms(
    {
        "convert": (
            "利用{building}「{site}」改建日间照料中心（{minutes:.0f}分钟）",
            "Convert the {building} '{site}' into a day-care centre ({minutes:.0f} min)",
        ),
        "user": (
            "在候选点「{site}」建设日间照料中心（{minutes:.0f}分钟）",
            "Build a day-care centre at candidate site '{site}' ({minutes:.0f} min)",
        ),
        "beyond_p": (
            "候选点「{site}」可覆盖，但不在前{p}处规划内：扩大规划规模",
            "Candidate '{site}' could serve it but is beyond the first {p}: enlarge the plan",
        ),
        "no_candidate": (
            "无可利用的闲置校舍、卫生院：建议在本村设农村互助幸福院或开展上门照料服务",
            "No candidate building: set up a mutual-aid home (互助幸福院) or home-visit care",
        ),
        "no_plan": (
            "利用闲置校舍、卫生院建日间照料中心（运行 daycare plan 生成方案）",
            "Convert an idle school or clinic (run 'daycare plan' for a proposal)",
        ),
        "off_network": ("；核实村庄位置并补录道路数据", "; verify the location and map the road"),
    }
)
"""Proposed fixes of the ledger."""

NOTES = Terms(
    {
        "estimated": (
            "注：{n}个村无60岁以上人口数据，按常住人口×{share:.0%}估算（daycare.elderly_share_default）",
            "Note: {n} villages have no 60+ count; estimated as residents x {share:.0%} "
            "(daycare.elderly_share_default)",
        ),
        "assumption": (
            "注：{radius:g}公里服务半径、{mode}{minutes:g}分钟为规划假设（第25条未规定），以县级养老服务设施规划为准",
            "Note: the {radius:g} km radius and {minutes:g} min {mode} are planning assumptions "
            "(article 25 sets none); the county's own plan prevails",
        ),
    }
)
"""Note lines of the summary sheet."""

HEADERS = tables.headers(
    tables.PLACE_HEADERS,
    {
        "zh": ["60岁以上人口", "老年人口为估算", "最近日间照料中心"],
        "en": ["Residents aged 60+", "60+ estimated", "Nearest day-care centre"],
    },
    tables.ACCESS_HEADERS,
    tables.FIX_HEADERS,
    tables.DUTY_HEADERS,
)
"""Headers of the ledger rows (``{mode}`` filled in)."""

SUMMARY_HEADERS = {
    "zh": ["县", "村数", "60岁以上人口", "已覆盖老年人口", "覆盖率(%)", "未覆盖村", "台账条目"],
    "en": [
        "County",
        "Villages",
        "Residents aged 60+",
        "Served",
        "Served (%)",
        "Villages unserved",
        "Ledger rows",
    ],
}
"""Headers of the summary sheet."""


def _building(kind: str, lang: str) -> str:
    return BUILDING.get(kind, lang) if kind in BUILDING else text(kind, lang)


def _fixes(rows: pd.DataFrame, plan: DaycarePlan | None, lang: str) -> np.ndarray:
    """Proposed fix per unserved village, from the plan when one is given."""
    fixes = np.full(len(rows), FIX.get("no_plan", lang), dtype=object)
    if plan is not None and len(rows):
        ids = pd.Index(rows["village_id"])
        names = plan.sites.set_index("site_id")["name"].astype(str)
        kinds = plan.sites.set_index("site_id")["kind"].astype(str)
        fixes[:] = FIX.get("no_candidate", lang)
        # coverable by a candidate the plan did not choose: name the fastest such candidate
        unused = plan.pairs[~plan.pairs["destination_id"].isin(plan.open_ids)]
        unused = unused.sort_values(["origin_id", "time_s"], kind="stable")
        other = unused.drop_duplicates("origin_id").set_index("origin_id")["destination_id"]
        pos = ids.get_indexer(other.index)
        fixes[pos[pos >= 0]] = [
            FIX.get("beyond_p", lang, site=names[s], p=plan.p) for s in other[pos >= 0]
        ]
        a = plan.assignment()
        pos = ids.get_indexer(a["village_id"])
        a = a[pos >= 0]
        fixes[pos[pos >= 0]] = [
            FIX.get(
                "user" if role == "user" else "convert",
                lang,
                building=_building(kinds[site], lang),
                site=names[site],
                minutes=minutes,
            )
            for site, role, minutes in zip(a["site_id"], a["role"], a["minutes"], strict=True)
        ]
    off = rows["off_network"].to_numpy(bool)
    fixes[off] = fixes[off] + FIX.get("off_network", lang)
    return fixes


def ledger_rows(
    table: pd.DataFrame, settings: DaycareRules, plan: DaycarePlan | None, lang: str = "zh"
) -> pd.DataFrame:
    """Ledger rows: every village with elderly residents that no centre serves.

    Parameters
    ----------
    table : DataFrame
        The check table (:func:`~lvliang_coverage.services.daycare.check.check_villages`).
    settings : DaycareRules
        The settings (responsible units, deadline, limits for the texts).
    plan : DaycarePlan, optional
        A plan whose conversions become the fixes proposed.
    lang : {"zh", "en"}
        Header and text language.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HEADERS`, sorted by county, township and village id.
    """
    rows = table[~table["served"] & (table["elderly"] > 0)]
    rows = rows.sort_values(["county", "township", "village_id"]).reset_index(drop=True)
    centre = rows["centre_name"].where(rows["centre_name"].notna(), rows["centre_id"])
    values = [
        *tables.place_values(rows),
        rows["elderly"],
        yes_no(rows["elderly_estimated"], lang),
        centre,
        *tables.access_values(rows),
        codes_text(
            rows["reason"],
            REASON_TEXT,
            lang,
            radius=settings.service_radius_km,
            minutes=settings.max_travel_min,
        ),
        _fixes(rows, plan, lang),
        *tables.duty_values(settings.responsible_units, settings.deadline, lang),
    ]
    return tables.headed_rows(HEADERS, lang, values, mode=mode_name(settings.mode, lang))


def ledger_summary(table: pd.DataFrame, settings: DaycareRules, lang: str = "zh") -> pd.DataFrame:
    """Summary sheet: per county, elderly residents, served, share, ledger rows; notes below.

    Parameters
    ----------
    table : DataFrame
        The check table.
    settings : DaycareRules
        The settings (for the note lines).
    lang : {"zh", "en"}
        Header language.

    Returns
    -------
    pandas.DataFrame
        One row per county, a city total, then note lines (first column) saying which
        settings are planning assumptions and how many elderly counts are estimated.
    """
    t = table.assign(
        _served=np.where(table["served"], table["elderly"], 0),
        _unserved=~table["served"],
        _row=~table["served"] & (table["elderly"] > 0),
    )
    per = t.groupby("county", sort=True).agg(
        villages=("village_id", "size"),
        elderly=("elderly", "sum"),
        served=("_served", "sum"),
        unserved=("_unserved", "sum"),
        rows=("_row", "sum"),
    )
    per = tables.with_city_row(per, lang).astype(np.int64)
    share = np.where(per["elderly"] > 0, 100.0 * per["served"] / per["elderly"].clip(lower=1), 0.0)
    out = pd.DataFrame(
        {
            "county": per.index.to_numpy(),
            "villages": per["villages"].to_numpy(),
            "elderly": per["elderly"].to_numpy(),
            "served": per["served"].to_numpy(),
            "share": np.round(share, 1),
            "unserved": per["unserved"].to_numpy(),
            "rows": per["rows"].to_numpy(),
        }
    ).astype(object)
    notes = [
        NOTES.get(
            "assumption",
            lang,
            radius=settings.service_radius_km,
            minutes=settings.max_travel_min,
            mode=mode_name(settings.mode, lang),
        )
    ]
    n_est = int(table["elderly_estimated"].sum())
    if n_est:
        notes.insert(0, NOTES.get("estimated", lang, n=n_est, share=settings.elderly_share_default))
    blank = dict.fromkeys(out.columns)
    note_rows = pd.DataFrame([blank | {"county": note} for note in notes], dtype=object)
    out = pd.concat([out, note_rows], ignore_index=True)
    out.columns = SUMMARY_HEADERS[lang]
    return out


def check_ledger(result: DaycareCheckResult, lang: str = "zh") -> Ledger:
    """Build the day-care ledger of a check: summary with notes, then a sheet per county.

    ``daycare_ledger.xlsx`` and ``.csv`` in ``lang``; the check's plan, when it has one,
    gives the fixes proposed.
    """
    rows = ledger_rows(result.table, result.settings, result.plan, lang)
    return tables.county_ledger(
        "daycare_ledger", rows, ledger_summary(result.table, result.settings, lang), lang
    )
