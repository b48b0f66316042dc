"""Clinic ledger per administrative village (行政村卫生室覆盖台账): article 7 by its unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.report.vocabulary import Terms, yes_no
from lvliang_coverage.report.workbook import Ledger, headed_table
from lvliang_coverage.services import _tables as tables
from lvliang_coverage.services.clinics.analysis import ClinicCheckResult
from lvliang_coverage.services.clinics.status import fill
from lvliang_coverage.services.clinics.units import unit_keys

_PACKAGE = "lvliang_coverage.services.clinics"
"""The package whose ``terms.toml`` holds the ledger texts."""

HEADERS = Terms.from_package(_PACKAGE, section="admin_headers")
"""Headers of the rows, keyed by the columns of ``clinic_compliance_admin.csv`` (and ``fix``)."""

SUMMARY_HEADERS = Terms.from_package(_PACKAGE, section="admin_summary_headers")
"""Headers of the summary sheet."""

TEXT = Terms.from_package(_PACKAGE, section="ledger")
"""Title and fix texts."""


def admin_fixes(
    admin: pd.DataFrame, fixes: pd.Series, table: pd.DataFrame, lang: str
) -> np.ndarray:
    """Fix of each administrative village: the fixes of its failing settlements, named.

    Parameters
    ----------
    admin : DataFrame
        Rows of ``clinic_compliance_admin.csv`` of one mode.
    fixes : Series
        Fix text per failing settlement, indexed by ``village_id`` (the settlement ledger's).
    table : DataFrame
        Settlement compliance rows of the same mode (``village_id``, ``name``, ``admin_code``,
        ``admin_village``, ``county``, ``township``, ``compliant``).
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    numpy.ndarray
        One text per row of ``admin``: "无需整改" when it complies.
    """
    rows = table[~table["compliant"].to_numpy(bool) & (table["population"].to_numpy() > 0)]
    key = unit_keys(rows).to_numpy()  # code, else county|township|行政村 name
    given = fixes.reindex(rows["village_id"].astype(str)).astype(object)
    fields = {
        "name": rows["name"].astype(str).to_numpy(object),
        "fix": given.where(given.notna(), "").astype(str).to_numpy(object),
    }
    texts = fill(TEXT.get("admin_fix_item", lang), np.arange(len(rows)), fields)
    joined = pd.Series(texts, index=key).groupby(level=0, sort=False).agg("；".join)
    out = pd.Series(unit_keys(admin).to_numpy()).map(joined).fillna("").to_numpy(object).copy()
    ok = admin["compliant"].to_numpy(bool)
    out[ok] = TEXT.get("admin_fix_ok", lang)
    return out


def admin_summary(admin: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Summary sheet: per county, administrative villages under 200 residents and compliance."""
    small = admin[admin["small_village"]]
    per = (
        pd.DataFrame(
            {
                "admin_villages": admin.groupby("county").size(),
                "small": small.groupby("county").size(),
                "small_res": small.groupby("county")["population"].sum(),
                "small_ok": small.groupby("county")["compliant"].sum(),
                "small_res_served": small.groupby("county")["residents_served"].sum(),
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


def admin_ledger(result: ClinicCheckResult, fixes: pd.Series, lang: str = "zh") -> Ledger:
    """Build ``clinic_admin_ledger.xlsx``: every administrative village of the check, by county.

    Parameters
    ----------
    result : ClinicCheckResult
        The check.
    fixes : Series
        Fix text of each failing settlement (deciding mode), indexed by ``village_id``.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    Ledger
        One row per 行政村 (official code and name, residents, settlements and residents
        served, share served in %, compliant, the failing settlements and the fix), sorted by
        county (official order on the sheets), township and code.
    """
    rules = result.study.rules
    a = result.admin_table
    a = a[a["mode"] == result.mode]
    a = a.sort_values(["county", "township", "admin_code", "admin_village"], kind="stable")
    a = a.reset_index(drop=True)
    fix = admin_fixes(a, fixes, result.mode_table(), lang)
    values = {
        "county": a["county"],
        "township": a["township"],
        "admin_village": a["admin_village"],
        "admin_code": a["admin_code"],
        "population": a["population"],
        "settlements": a["settlements"],
        "settlements_with_residents": a["settlements_with_residents"],
        "settlements_served": a["settlements_served"],
        "residents_served": a["residents_served"],
        "share_served": (a["share_served"] * 100).round(1),
        "small_village": yes_no(a["small_village"], lang),
        "compliant": yes_no(a["compliant"], lang),
        "failing_settlements": a["failing_settlements"],
        "fix": fix,
    }
    headers = HEADERS.in_lang(lang)
    c = rules.clinic
    duty = tables.duty_values(c.responsible_units, c.deadline, lang, counties=a["county"])
    rows = headed_table(
        [*(headers[k] for k in values), *tables.DUTY_HEADERS[lang]], [*values.values(), *duty]
    )
    return tables.county_ledger(
        "clinic_admin_ledger",
        rows,
        admin_summary(a, lang),
        lang,
        title=TEXT.get("admin_title", lang),
        filer=c.filer,
        county_filer=c.county_filer,
    )
