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

_PACKAGE = "lvliang_coverage.services.clinics"
"""The package whose ``terms.toml`` holds the ledger texts."""

REASON_TEXT = tables.ACCESS_REASONS | Terms.from_package(_PACKAGE, section="reasons")
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

FIX = Terms.from_package(_PACKAGE, section="fixes")
"""Proposed fixes of the ledger (``site`` and ``min`` fields: the clinic, minutes)."""

SUMMARY_HEADERS = Terms.from_package(_PACKAGE, section="summary_headers")
"""Headers of the summary sheet, keyed by the summary's columns."""

SHEETS = Terms.from_package(_PACKAGE, section="sheets")
"""Titles of the ledger's extra sheets."""


def _fixes(rows: pd.DataFrame, plan: ClinicPlan | None, lang: str) -> np.ndarray:
    """Proposed fix per failing village, from the plan when one is given."""
    none, large = FIX.get("none", lang), FIX.get("large", lang)
    fixes = np.where(rows["small_village"], none, large).astype(object)
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
                FIX.get("new" if k == "candidate" else "existing", lang, site=n, min=m)
                for k, n, m in zip(kind, name, minutes, strict=True)
            ]
        unc = ids.isin(plan.uncoverable["village_id"]).to_numpy()
        fixes[unc] = FIX.get("uncoverable", lang)
    off = rows["off_network"].to_numpy(bool)
    fixes[off] = fixes[off] + FIX.get("off_network", lang)
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
    out = per.reset_index()[list(SUMMARY_HEADERS.keys())]
    out.columns = SUMMARY_HEADERS.by_lang()[lang]
    return out


STAFFING_HEADERS = Terms.from_package(_PACKAGE, section="staffing_headers").by_lang()
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
            SHEETS.get("doctors", lang),
            staffing_sheet(result.townships, lang),
        ),
    )
