"""Resettlement ledger (安置点台账): site services, movers' assignment, units and deadline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lvliang_coverage.report.workbook import headed_table, write_csv, write_ledger
from lvliang_coverage.services.clinics.ledger import MODE_LABELS
from lvliang_coverage.services.relocation.analysis import SERVICE_LABELS, SERVICES, RelocationPlan

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
        *[f"至{SERVICE_LABELS['zh'][s]}(分钟，{{mode}})" for s in SERVICES],
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
        *[f"To {SERVICE_LABELS['en'][s]} (min, {{mode}})" for s in SERVICES],
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
REASON_LABELS = {
    "zh": {
        "no_pair": "路网上无可达安置点",
        "beyond_commute": "所有安置点回原村时间超过{limit:.0f}分钟",
        "other_county": "时限内的安置点均在外县",
        "too_large": "户数超过所有可选安置点剩余容量",
        "capacity": "可选安置点容量已被其他村占用",
    },
    "en": {
        "no_pair": "no site reachable by road",
        "beyond_commute": "every site is more than {limit:.0f} min from the old village",
        "other_county": "the sites within the limit are all in other counties",
        "too_large": "more households than any allowed site has room for",
        "capacity": "room at the allowed sites is taken by other villages",
    },
}
_PROPOSAL = {
    "zh": {
        "no_pair": "核实村庄位置并补录道路数据",
        "beyond_commute": "就近新建或扩建安置点，或改善道路",
        "other_county": "协调跨县安置或在本县新建安置点",
        "too_large": "扩建安置点或分批安置",
        "capacity": "扩建安置点容量",
    },
    "en": {
        "no_pair": "verify the location and map the missing road",
        "beyond_commute": "build or extend a site nearer, or improve the road",
        "other_county": "agree a cross-county move or build a site in the county",
        "too_large": "extend a site or move in stages",
        "capacity": "extend site capacity",
    },
}
_MEASURES = {
    "zh": {
        "clinic": "配建村卫生室",
        "health_centre": "改善至乡镇卫生院交通或设卫生服务站",
        "school": "配建学校或开通校车",
        "workshop": "配套建立扶贫车间、设施农业基地或农产品加工车间",
        "industrial_park": "有条件的在附近配备产业园区",
        "ok": "公共服务设施已达标",
        "nothing": "无",
        "movers": "；搬迁入住{months}个月内衔接基本养老保险、基本医疗保险和最低生活保障",
        "community": "；建立党组织和综合性社区管理机构",
    },
    "en": {
        "clinic": "build a village clinic",
        "health_centre": "improve access to the health centre or add a health post",
        "school": "build a school or run a school bus",
        "workshop": "set up a poverty workshop, agri base or processing workshop",
        "industrial_park": "an industrial park nearby where conditions allow",
        "ok": "services meet the standard",
        "nothing": "none",
        "movers": "; link pension, medical insurance and minimum living allowance within "
        "{months} months of moving in",
        "community": "; set up a Party branch and a community management office",
    },
}
_YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}
_UNREACHABLE = {"zh": "不可达", "en": "unreachable"}


def _minutes(values: pd.Series, lang: str) -> np.ndarray:
    """Minutes rounded to 0.1, with a word where nothing is reachable (NaN)."""
    out = values.round(1).to_numpy(dtype=object)
    out[values.isna().to_numpy()] = _UNREACHABLE[lang]
    return out


def _labels(codes: pd.Series, table: dict[str, str], sep: str) -> np.ndarray:
    """Translate ``;``-joined codes with ``table``."""
    return np.array(
        [sep.join(table[c] for c in str(s).split(";") if c) for s in codes.fillna("")],
        dtype=object,
    )


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
    sep = "、" if lang == "zh" else ", "
    measure = _MEASURES[lang]
    fixes = _labels(s["missing"], measure, "；" if lang == "zh" else "; ")
    fixes = np.where(fixes == "", measure["ok"], fixes).astype(object)
    movers = s["assigned_households"].to_numpy() > 0
    fixes[movers] = fixes[movers] + measure["movers"].format(months=rules.benefits_within_months)
    fixes = fixes + measure["community"]
    missing = _labels(s["missing"], SERVICE_LABELS[lang], sep)
    yes, no = _YES_NO[lang]
    mode = MODE_LABELS[lang].get(plan.mode, plan.mode)
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
        np.where(s["passes"], yes, no),
        np.where(missing == "", measure["nothing"], missing),
        fixes,
        sep.join(rules.responsible_units),
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
    reasons = {k: v.format(limit=plan.max_commute_min) for k, v in REASON_LABELS[lang].items()}
    values = [
        u["county"],
        u["township"],
        u["name"],
        u["households"],
        u["residents"],
        u["reason"].map(reasons),
        u["nearest_site_id"].map(names),
        _minutes(u["nearest_site_min"], lang),
        u["county_site_id"].map(names),
        _minutes(u["county_site_min"], lang),
        u["reason"].map(_PROPOSAL[lang]),
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
    per.loc["全市" if lang == "zh" else "City"] = per.sum()
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


def write_relocation_ledger(
    plan: RelocationPlan, out_dir: str | Path, *, lang: str = "zh"
) -> list[Path]:
    """Write ``relocation_ledger.xlsx`` and its CSV twin ``relocation_ledger.csv``.

    The workbook holds a summary sheet, the assignment (安置方案) and the unassigned villages
    (未安置村), then one sheet of sites per county.

    Parameters
    ----------
    plan : RelocationPlan
        A solved plan.
    out_dir : str or Path
        Folder to write into.
    lang : {"zh", "en"}
        Language of headers, texts and sheet titles.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    rows = site_ledger(plan, lang=lang)
    titles = (
        ("汇总", "安置方案", "未安置村")
        if lang == "zh"
        else ("Summary", "Assignment", "Unassigned")
    )
    xlsx = write_ledger(
        rows,
        ledger_summary(plan, lang=lang),
        out / "relocation_ledger.xlsx",
        county_col=rows.columns[0],
        summary_title=titles[0],
        extra_sheets=[
            (titles[1], assignment_sheet(plan, lang=lang)),
            (titles[2], unassigned_sheet(plan, lang=lang)),
        ],
    )
    return [xlsx, write_csv(rows, out / "relocation_ledger.csv")]
