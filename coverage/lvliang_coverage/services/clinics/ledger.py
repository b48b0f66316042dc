"""Clinic ledger (卫生室台账): every failing village, the fix proposed and the responsible units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.report.workbook import headed_table, write_csv, write_ledger
from lvliang_coverage.services.clinics.plan import ClinicPlan

MODE_LABELS = {
    "zh": {"walk": "步行", "motorcycle": "摩托车/电动三轮", "car": "汽车"},
    "en": {"walk": "walking", "motorcycle": "motorcycle", "car": "car"},
}
REASON_LABELS = {
    "zh": {
        "unreachable": "路网不可达",
        "off_network": "不在路网上（离路过远）",
        "too_far": "超出2.5公里服务半径",
        "too_slow": "30分钟内无法到达",
    },
    "en": {
        "unreachable": "unreachable by road",
        "off_network": "off the road network",
        "too_far": "beyond the service radius",
        "too_slow": "not within the time limit",
    },
}
HEADERS = {
    "zh": [
        "县",
        "乡镇",
        "村",
        "常住人口",
        "最近卫生室",
        "直线距离(公里)",
        "路网距离(公里)",
        "{mode}时间(分钟)",
        "是否达标",
        "问题",
        "整改措施",
        "责任单位",
        "完成时限",
    ],
    "en": [
        "County",
        "Township",
        "Village",
        "Residents",
        "Nearest clinic",
        "Straight line (km)",
        "Network (km)",
        "{mode} time (min)",
        "Compliant",
        "Problem",
        "Fix proposed",
        "Responsible units",
        "Deadline",
    ],
}
_YES_NO = {"zh": ("是", "否"), "en": ("yes", "no")}
_FIX = {
    "zh": {
        "new": "邻村共建：纳入新建中心村卫生室「{site}」服务范围（{min:.0f}分钟）",
        "existing": "邻村共建：由「{site}」卫生室服务（{min:.0f}分钟），配齐村医",
        "uncoverable": "无可选中心村覆盖：建议新设卫生室或安排定期巡诊",
        "off_network": "；核实村庄位置并补录道路数据",
        "large": "改善道路或增设卫生室，确保30分钟内就医",
        "none": "按邻村共建方式整合卫生室资源（运行 clinics plan 生成方案）",
    },
    "en": {
        "new": "Shared clinic: served by the new central clinic '{site}' ({min:.0f} min)",
        "existing": "Shared clinic: served by clinic '{site}' ({min:.0f} min); staff it",
        "uncoverable": "No candidate site covers it: new clinic or regular visiting doctor",
        "off_network": "; verify the location and map the missing road",
        "large": "Improve the road or add a clinic so care is within 30 minutes",
        "none": "Share a neighbouring clinic (run 'clinics plan' for a proposal)",
    },
}


def _reason_text(codes: pd.Series, lang: str) -> pd.Series:
    labels = REASON_LABELS[lang]
    sep = "；" if lang == "zh" else "; "
    return codes.fillna("").map(
        lambda s: sep.join(labels[c] for c in s.split(";") if c) if s else ""
    )


def _fixes(rows: pd.DataFrame, plan: ClinicPlan | None, lang: str) -> np.ndarray:
    """Proposed fix per failing village, from the plan when one is given."""
    text = _FIX[lang]
    fixes = np.where(rows["small_village"], text["none"], text["large"]).astype(object)
    if plan is not None:
        assigned = plan.assignment.assignment.set_index("demand_id")
        sites = plan.sites.set_index("site_id")
        ids = rows["village_id"]
        hit = ids.isin(assigned.index).to_numpy() & rows["small_village"].to_numpy()
        if hit.any():
            a = assigned.loc[ids[hit]]
            kind = sites.loc[a["facility_id"], "kind"].to_numpy()
            name = sites.loc[a["facility_id"], "name"].astype(str).to_numpy()
            minutes = a["unit_cost"].to_numpy(float)
            fixes[hit] = [
                text["new" if k == "candidate" else "existing"].format(site=n, min=m)
                for k, n, m in zip(kind, name, minutes, strict=True)
            ]
        unc = ids.isin(plan.uncoverable["village_id"]).to_numpy()
        fixes[unc] = text["uncoverable"]
    off = rows["off_network"].to_numpy(bool)
    fixes[off] = fixes[off] + text["off_network"]
    return fixes


def clinic_ledger(
    table: pd.DataFrame,
    clinics: pd.DataFrame,
    *,
    plan: ClinicPlan | None = None,
    mode: str | None = None,
    rules: Rules | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """Ledger rows: every village failing article 7 in the deciding mode.

    Parameters
    ----------
    table : DataFrame
        Compliance table from :func:`lvliang_coverage.services.clinics.check.check_compliance`.
    clinics : DataFrame
        Clinics with ``facility_id`` and ``name`` (names shown instead of ids).
    plan : ClinicPlan, optional
        A shared-clinic plan; its assignments become the fixes proposed.
    mode : str, optional
        The deciding mode (default: ``clinic.default_mode`` if present, else the first).
    rules : Rules, optional
        Rules in force (responsible units and deadline of article 7).
    lang : {"zh", "en"}
        Header and text language.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`HEADERS` (``{mode}`` filled in), sorted by county, township, village.
    """
    rules = rules or load_rules()
    modes = list(table["mode"].unique())
    mode = mode or (rules.clinic.default_mode if rules.clinic.default_mode in modes else modes[0])
    rows = table[(table["mode"] == mode) & ~table["compliant"]]
    rows = rows.sort_values(["county", "township", "village_id"]).reset_index(drop=True)
    names = clinics.set_index("facility_id")["name"] if "name" in clinics else pd.Series()
    clinic_name = rows["nearest_clinic_id"].map(names).fillna(rows["nearest_clinic_id"])
    yes, no = _YES_NO[lang]
    headers = [h.format(mode=MODE_LABELS[lang].get(mode, mode)) for h in HEADERS[lang]]
    sep = "、" if lang == "zh" else ", "
    values = [
        rows["county"],
        rows["township"],
        rows["name"],
        rows["population"],
        clinic_name,
        rows["euclid_km"].round(2),
        rows["network_km"].round(2),
        rows["travel_min"].round(1),
        np.where(rows["compliant"], yes, no),
        _reason_text(rows["reason"], lang),
        _fixes(rows, plan, lang),
        sep.join(rules.clinic.responsible_units),
        rules.clinic.deadline,
    ]
    return headed_table(headers, values)


def ledger_summary(table: pd.DataFrame, mode: str, lang: str = "zh") -> pd.DataFrame:
    """Summary sheet: per county, small villages, residents and how many comply.

    Parameters
    ----------
    table : DataFrame
        Compliance table.
    mode : str
        The deciding mode.
    lang : {"zh", "en"}
        Header language.

    Returns
    -------
    pandas.DataFrame
        One row per county plus a city total.
    """
    t = table[table["mode"] == mode]
    small = t[t["small_village"]]
    per = (
        pd.DataFrame(
            {
                "villages": t.groupby("county").size(),
                "small": small.groupby("county").size(),
                "small_res": small.groupby("county")["population"].sum(),
                "small_ok": small.groupby("county")["compliant"].sum(),
                "failing": (~t["compliant"]).groupby(t["county"]).sum(),
            }
        )
        .fillna(0)
        .astype(int)
    )
    per.loc["全市" if lang == "zh" else "City"] = per.sum()
    per["small_fail"] = per["small"] - per["small_ok"]
    names = {
        "zh": ["县", "村数", "200人以下村", "其常住人口", "达标", "未达标", "台账条目"],
        "en": [
            "County",
            "Villages",
            "Small villages",
            "Their residents",
            "Compliant",
            "Failing",
            "Ledger rows",
        ],
    }[lang]
    out = per.reset_index()[
        ["county", "villages", "small", "small_res", "small_ok", "small_fail", "failing"]
    ]
    out.columns = names
    return out


def write_clinic_ledger(
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    extra_sheets: list[tuple[str, pd.DataFrame]] | None = None,
) -> list[Path]:
    """Write ``clinic_ledger.xlsx`` (summary + one sheet per county) and ``clinic_ledger.csv``.

    Parameters
    ----------
    rows : DataFrame
        Output of :func:`clinic_ledger`.
    summary : DataFrame
        Output of :func:`ledger_summary`.
    out_dir : str or Path
        Folder to write into.
    lang : {"zh", "en"}
        Language of the sheet titles.
    extra_sheets : list of (title, DataFrame), optional
        More sheets after the summary (e.g. township doctors).

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    county = rows.columns[0]
    title = "汇总" if lang == "zh" else "Summary"
    xlsx = write_ledger(
        rows,
        summary,
        out / "clinic_ledger.xlsx",
        county_col=county,
        summary_title=title,
        extra_sheets=extra_sheets or [],
    )
    return [xlsx, write_csv(rows, out / "clinic_ledger.csv")]
