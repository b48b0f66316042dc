"""Ledger pieces every service shares: place, access and duty columns, the county workbook."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from lvliang_coverage.report.vocabulary import LANGS, LIST_SEPARATOR, Terms, city_label, text
from lvliang_coverage.report.workbook import Ledger, headed_table

Headers = Mapping[str, Sequence[str]]
"""Ledger headers per language: ``{"zh": [...], "en": [...]}``."""

PLACE_HEADERS: Headers = {
    "zh": ["县", "乡镇", "村", "常住人口"],
    "en": ["County", "Township", "Village", "Residents"],
}
"""Headers of the village a ledger row is about (:func:`place_values`)."""

ACCESS_HEADERS: Headers = {
    "zh": ["直线距离(公里)", "路网距离(公里)", "{mode}时间(分钟)"],
    "en": ["Straight line (km)", "Network (km)", "{mode} time (min)"],
}
"""Headers of the facility reported by a check (:func:`access_values`; ``{mode}`` to fill)."""

FIX_HEADERS: Headers = {"zh": ["问题", "整改措施"], "en": ["Problem", "Fix proposed"]}
"""Headers of the problem found and the fix proposed."""

DUTY_HEADERS: Headers = {"zh": ["责任单位", "完成时限"], "en": ["Responsible units", "Deadline"]}
"""Headers of the units responsible and the deadline the policy sets (:func:`duty_values`)."""

ACCESS_REASONS = Terms.from_package("lvliang_coverage.services", section="access_reasons")
"""Texts of the access core's reason codes that read the same in every service
(``[access_reasons]`` of ``services/terms.toml``)."""


def headers(*parts: Headers) -> dict[str, list[str]]:
    """Join header parts into one list per language.

    Parameters
    ----------
    *parts : Mapping of str to sequence of str
        Header parts, e.g. :data:`PLACE_HEADERS`, the service's own columns,
        :data:`DUTY_HEADERS`.

    Returns
    -------
    dict of str to list of str
        ``{"zh": [...], "en": [...]}``.
    """
    return {lang: [h for part in parts for h in part[lang]] for lang in LANGS}


def headed_rows(
    titles: Headers, lang: str, values: Sequence[object], **fields: object
) -> pd.DataFrame:
    """Build ledger rows under the headers of ``lang``, their fields (e.g. ``mode``) filled in.

    Parameters
    ----------
    titles : Mapping of str to sequence of str
        Headers per language (see :func:`headers`).
    lang : {"zh", "en"}
        Header language.
    values : sequence
        One Series, array or scalar per header (see
        :func:`lvliang_coverage.report.workbook.headed_table`).
    **fields
        ``str.format`` fields of the headers.

    Returns
    -------
    pandas.DataFrame
        The rows.
    """
    return headed_table([h.format(**fields) for h in titles[lang]], values)


def place_values(rows: pd.DataFrame) -> list[pd.Series]:
    """Return the columns under :data:`PLACE_HEADERS`: county, township, name, residents."""
    return [rows["county"], rows["township"], rows["name"], rows["population"]]


def access_values(rows: pd.DataFrame) -> list[pd.Series]:
    """Return the columns under :data:`ACCESS_HEADERS`, rounded: km to 0.01, minutes to 0.1."""
    return [rows["euclid_km"].round(2), rows["network_km"].round(2), rows["travel_min"].round(1)]


def duty_values(units: Iterable[str], deadline: str, lang: str) -> list[str]:
    """Return the cells under :data:`DUTY_HEADERS`: the units joined in ``lang``, the deadline."""
    return [LIST_SEPARATOR[lang].join(units), deadline]


def with_city_row(per_county: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Append the city total (``全市``/``City``) to a table indexed by county (sums)."""
    out = per_county.copy()
    out.loc[city_label(lang)] = per_county.sum()
    return out


def county_ledger(
    name: str,
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    lang: str,
    *extra_sheets: tuple[str, pd.DataFrame],
) -> Ledger:
    """Build a ledger whose rows split into one sheet per county (their first column).

    Parameters
    ----------
    name : str
        File stem, e.g. ``"clinic_ledger"``.
    rows : DataFrame
        Ledger rows with their final headers, the county first.
    summary : DataFrame
        The summary sheet (titled 汇总 / Summary).
    lang : {"zh", "en"}
        Language of the summary title.
    *extra_sheets : (title, DataFrame)
        More sheets after the summary.

    Returns
    -------
    Ledger
        The ledger.
    """
    return Ledger(
        name=name,
        rows=rows,
        summary=summary,
        county_col=str(rows.columns[0]),
        summary_title=text("summary", lang),
        extra_sheets=extra_sheets,
    )
