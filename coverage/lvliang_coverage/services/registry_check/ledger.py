"""Registry-check ledger (行政村登记核查台账) and headlines: findings, counts per county."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.report.vocabulary import Terms, city_label, text
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services.registry_check.analysis import FINDINGS, RegistryCheckResult

_PACKAGE = "lvliang_coverage.services.registry_check"

FINDING_TEXT = Terms.from_package(_PACKAGE, section="findings")
"""Names of the finding codes."""

FIX_TEXT = Terms.from_package(_PACKAGE, section="fixes")
"""What the county office does about each finding."""

HEADERS = Terms.from_package(_PACKAGE, section="headers")
"""Headers of the findings sheets."""

SUMMARY_HEADERS = Terms.from_package(_PACKAGE, section="summary")
"""Headers of the summary per county and of the township sheet."""

TEXT = Terms.from_package(_PACKAGE)
"""Titles, filers and the words of the terminal."""


def findings_rows(result: RegistryCheckResult, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the findings for people: county, township, finding, code, name, row, detail, fix.

    Parameters
    ----------
    result : RegistryCheckResult
        The check.
    lang : {"zh", "en"}
        Language of headers and texts.

    Returns
    -------
    DataFrame
        One row per finding, in the order of the check (county, finding type, code); the
        registry row is blank for committees missing from the registry.
    """
    f = result.findings
    codes = f["finding"].astype(str)
    county = f["county"].where(f["county"] != "", TEXT.get("no_county", lang))
    values = {
        "county": county,
        "township": f["township"],
        "finding": codes.map(FINDING_TEXT.in_lang(lang)),
        "code": f["code"],
        "name": f["name"],
        "row": f["row"],
        "detail": f[f"detail_{lang}"],
        "fix": codes.map(FIX_TEXT.in_lang(lang)),
    }
    names = HEADERS.in_lang(lang)
    return pd.DataFrame({names[k]: v.to_numpy() for k, v in values.items()})


def _headed(table: pd.DataFrame, columns: list[str], lang: str) -> pd.DataFrame:
    """``columns`` of ``table`` under their summary headers in ``lang``."""
    names = SUMMARY_HEADERS.in_lang(lang)
    return pd.DataFrame({names[c]: table[c].to_numpy() for c in columns})


def county_summary(result: RegistryCheckResult, lang: str = "zh") -> pd.DataFrame:
    """Tabulate per county and for the city: official committees, in the registry, missing.

    Columns: county, official committees, committees in the registry, missing, then the
    count of each other finding; counties in official order, the city total last.
    """
    c = result.counties
    columns = ["official", "in_registry", "missing", *FINDINGS[1:]]
    per = c.set_index("county")[columns].astype(np.int64)
    per = per.loc[county_order(per.index)]
    per.loc[city_label(lang)] = per.sum()
    return _headed(per.reset_index(), ["county", *columns], lang)


def township_summary(result: RegistryCheckResult, lang: str = "zh") -> pd.DataFrame:
    """Tabulate per township (code order): official committees, in the registry, missing."""
    columns = ["county", "township", "official", "in_registry", "missing"]
    return _headed(result.townships, columns, lang)


def registry_ledger(result: RegistryCheckResult, lang: str = "zh") -> Ledger | None:
    """Build the registry-check ledger; None when the registry has no codes (nothing checked).

    ``registry_check_ledger.xlsx`` and ``.csv``: the summary per county (官方村委会, 登记在册,
    缺漏 and the count of each finding), the township sheet, then the findings of each county
    on its own sheet.
    """
    if not result.has_codes:
        return None
    rows = findings_rows(result, lang)
    return Ledger(
        name="registry_check_ledger",
        rows=rows,
        summary=county_summary(result, lang),
        county_col=str(rows.columns[0]),
        summary_title=text("summary", lang),
        extra_sheets=((TEXT.get("sheet_townships", lang), township_summary(result, lang)),),
        title=TEXT.get("title", lang),
        lang=lang,
        filer=TEXT.get("filer", lang),
        county_filer=TEXT.get("county_filer", lang),
    )


def _both(terms: Terms, key: str, **fields: object) -> str:
    """``"中文 / English"`` of one term."""
    return f"{terms.get(key, 'zh', **fields)} / {terms.get(key, 'en', **fields)}"


def no_codes_line() -> str:
    """Return the one line a check without codes prints (zh / en)."""
    return _both(TEXT, "no_codes")


def summary_line(result: RegistryCheckResult) -> str:
    """One line of the check for the start of every job, e.g. "区划代码核查：... / registry ..."."""
    f = result.summary()
    counts = {k: _count(f.get(k)) for k in FINDINGS}
    return _both(
        TEXT,
        "summary_line",
        official=f"{_count(f.get('committees_official')):,}",
        listed=f"{_count(f.get('committees_in_registry')):,}",
        missing=f"{counts['missing']:,}",
        problems=f"{sum(v for k, v in counts.items() if k != 'missing'):,}",
    )


def _count(value: object) -> int:
    """Read a count of the summary (0 when absent)."""
    return int(value) if isinstance(value, int | float) else 0


def headlines(result: RegistryCheckResult) -> list[Headline]:
    """Make the bilingual headlines: rows, committees, findings; committees per county.

    Parameters
    ----------
    result : RegistryCheckResult
        The check.

    Returns
    -------
    list of Headline
        Without codes, one line saying nothing was checked.
    """
    title = _both(TEXT, "headline")
    if not result.has_codes:
        return [Headline(title, {_both(TEXT, "result"): no_codes_line()})]
    s = result.summary()
    items: dict[str, object] = {
        _both(TEXT, "rows"): s["rows"],
        _both(TEXT, "rows_without_code"): s["rows_without_code"],
        _both(TEXT, "official"): s["committees_official"],
        _both(TEXT, "in_registry"): s["committees_in_registry"],
    }
    items |= {_both(FINDING_TEXT, k): s[k] for k in FINDINGS}
    zh, en = (county_summary(result, lang).iloc[:, :4] for lang in ("zh", "en"))
    heads = [f"{a} / {b}" for a, b in zip(zh.columns, en.columns, strict=True)]
    rows = [dict(zip(heads, values, strict=True)) for values in zh.itertuples(index=False)]
    return [Headline(title, items), Headline(_both(TEXT, "headline_counties"), rows=rows)]
