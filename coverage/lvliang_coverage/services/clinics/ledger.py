"""Clinic ledger (卫生室台账): every failing village, the fix proposed and the responsible units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.report.vocabulary import Terms, codes_text, mode_name, yes_no
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import _tables as tables
from lvliang_coverage.services.clinics.analysis import ClinicCheckResult
from lvliang_coverage.services.clinics.plan import ClinicPlan

REASON_TEXT = Terms(
    {
        **tables.ACCESS_REASONS,
        "too_far": ("超出2.5公里服务半径", "beyond the service radius"),
        "too_slow": ("30分钟内无法到达", "not within the time limit"),
    }
)
"""Texts of the article-7 reason codes (:data:`lvliang_coverage.services.access.REASONS`)."""

HEADERS = tables.headers(
    tables.PLACE_HEADERS,
    {"zh": ["最近卫生室"], "en": ["Nearest clinic"]},
    tables.ACCESS_HEADERS,
    {"zh": ["是否达标"], "en": ["Compliant"]},
    tables.FIX_HEADERS,
    tables.DUTY_HEADERS,
)
"""Headers of the ledger rows (``{mode}`` filled in)."""

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
    values = [
        *tables.place_values(rows),
        clinic_name,
        *tables.access_values(rows),
        yes_no(rows["compliant"], lang),
        codes_text(rows["reason"], REASON_TEXT, lang),
        _fixes(rows, plan, lang),
        *tables.duty_values(rules.clinic.responsible_units, rules.clinic.deadline, lang),
    ]
    return tables.headed_rows(HEADERS, lang, values, mode=mode_name(mode, lang))


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
    per = tables.with_city_row(per, lang)
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


STAFFING_HEADERS = {
    "zh": ["县", "乡镇", "常住人口", "应配医生", "现有医生", "缺口"],
    "en": ["County", "Township", "Residents", "Doctors required", "Doctors now", "Shortfall"],
}
"""Headers of the township-doctor sheet (article 8)."""


def staffing_sheet(townships: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Township doctors (article 8) with headers in ``lang``."""
    out = townships.copy()
    out.columns = STAFFING_HEADERS[lang]
    return out


def check_ledger(result: ClinicCheckResult, lang: str = "zh") -> Ledger:
    """Build the clinic ledger of a check: summary, township doctors, a sheet per county.

    ``clinic_ledger.xlsx`` and ``.csv`` in ``lang``; the check's plan, when it has one,
    gives the fixes proposed.
    """
    rows = clinic_ledger(
        result.table,
        result.care,
        plan=result.plan,
        mode=result.mode,
        rules=result.study.rules,
        lang=lang,
    )
    return tables.county_ledger(
        "clinic_ledger",
        rows,
        ledger_summary(result.table, result.mode, lang),
        lang,
        (
            "乡镇卫生院医生" if lang == "zh" else "Township doctors",
            staffing_sheet(result.townships, lang),
        ),
    )
