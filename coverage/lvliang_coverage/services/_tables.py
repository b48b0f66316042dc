"""Ledger pieces every service shares: place, access, duty and money columns, the workbook."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from lvliang_coverage.config import END_OF_YEAR, resolve_deadline
from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.report.vocabulary import LANGS, LIST_SEPARATOR, Terms, city_label, text
from lvliang_coverage.report.workbook import TEXT as LEDGER_TEXT
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

COUNTY_GOVERNMENTS = ("各县市区人民政府", "相关县市区人民政府")
"""Responsible units of the policy that stand for the county governments: a ledger row of a
county names that county's government instead ("兴县人民政府", :func:`duty_values`)."""

YUAN_HEADER = re.compile(r"[(（](?:元|yuan)(?:/年|/year)?[)）]$")
"""A header whose values are yuan: ending in ``(元)``, ``(元/年)``, ``(yuan)``, ``(yuan/year)``."""

WAN_HEADER = re.compile(r"[(（](?:万元|10,000 yuan)(?:/年|/year)?[)）]$")
"""A header whose values are 万元 (10,000 yuan): ``(万元)``, ``(10,000 yuan)``, with ``/年``."""

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


def duty_values(
    units: Iterable[str],
    deadline: datetime.date | str,
    lang: str,
    counties: pd.Series | None = None,
) -> list[object]:
    """Return the cells under :data:`DUTY_HEADERS`: the responsible units, the deadline.

    Parameters
    ----------
    units : iterable of str
        责任单位 of the article (rules), joined with ``、`` (``, `` in English).
    deadline : datetime.date or str
        完成时限, a date (the rules resolve it, :func:`lvliang_coverage.config.resolve_deadline`);
        a text ``"end_of_year"`` or ``YYYY-MM-DD`` is read as that date, other text kept.
    lang : {"zh", "en"}
        Language of the separator and of a county's government.
    counties : pandas.Series, optional
        The county of each ledger row: the units then differ per row, the county
        governments (:data:`COUNTY_GOVERNMENTS`) becoming that county's ("兴县人民政府",
        "兴县 People's Government"); rows without a county keep the units as written.

    Returns
    -------
    list
        The units (a text, or a Series aligned with ``counties``) and the deadline (a date
        cell written as ``yyyy-mm-dd``).
    """
    units = list(units)
    sep = LIST_SEPARATOR[lang]
    due = _deadline(deadline)
    if counties is None:
        return [sep.join(units), due]
    names = counties.astype(object)
    known = (names.notna() & (names.astype(str).str.strip() != "")).to_numpy()
    joined = {
        c: sep.join(
            LEDGER_TEXT.get("county_government", lang, county=c) if u in COUNTY_GOVERNMENTS else u
            for u in units
        )
        for c in pd.unique(names[known].astype(str))
    }
    cells = np.full(len(names), sep.join(units), dtype=object)
    cells[known] = names[known].astype(str).map(joined).to_numpy(object)
    return [pd.Series(cells, index=counties.index, dtype=object), due]


def _deadline(value: datetime.date | str) -> datetime.date | str:
    """Turn a deadline into a date cell: dates as given, ISO or ``end_of_year`` text read."""
    if isinstance(value, datetime.date) or not isinstance(value, str):
        return value
    if value == END_OF_YEAR:
        return resolve_deadline(value)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return value


def money_headers(*tables: pd.DataFrame) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Find the money columns of ledger tables by their headers: yuan, then 万元.

    Parameters
    ----------
    *tables : DataFrame
        Ledger tables with their final headers.

    Returns
    -------
    (tuple of str, tuple of str)
        The headers matching :data:`YUAN_HEADER` (``money_cols`` of a
        :class:`~lvliang_coverage.report.workbook.Ledger`) and :data:`WAN_HEADER`
        (``wan_cols``), each once, in order.
    """
    names = pd.unique(pd.Series([str(c) for t in tables for c in t.columns], dtype=object))
    heads = pd.Series(names, dtype=object)
    yuan = heads[heads.str.contains(YUAN_HEADER)]
    wan = heads[heads.str.contains(WAN_HEADER)]
    return tuple(yuan), tuple(wan)


def to_wan(yuan: pd.Series | np.ndarray) -> np.ndarray:
    """Yuan as 万元 (10,000 yuan), to 0.01 万元 (100 yuan), for a summary sheet."""
    return np.round(np.asarray(yuan, dtype=float) / 10_000.0, 2)


def with_city_row(per_county: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Order a table indexed by county officially (离石区 first) and append the city total.

    The city row (``全市``/``City``) holds the column sums.
    """
    rank = {name: i for i, name in enumerate(county_order(per_county.index.astype(str)))}
    order = np.argsort([rank[str(c)] for c in per_county.index], kind="stable")
    out = per_county.iloc[order].copy()
    out.loc[city_label(lang)] = per_county.sum()
    return out


def county_ledger(
    name: str,
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    lang: str,
    *extra_sheets: tuple[str, pd.DataFrame],
    title: str = "",
    filer: str = "",
    county_filer: str = "",
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
        Language of the summary title and the title rows.
    *extra_sheets : (title, DataFrame)
        More sheets after the summary.
    title : str
        The ledger's subject, e.g. ``"农村饮水安全工程台账"`` (the sheets' title rows).
    filer, county_filer : str
        填报单位 of the city sheets and of a county sheet (``{county}`` filled in), e.g. the
        ``filer`` and ``county_filer`` of the service's rules section.

    Returns
    -------
    Ledger
        The ledger; headers in yuan and 万元 (:func:`money_headers`) get money formats.
    """
    yuan, wan = money_headers(rows, summary, *(t for _, t in extra_sheets))
    return Ledger(
        name=name,
        rows=rows,
        summary=summary,
        county_col=str(rows.columns[0]),
        summary_title=text("summary", lang),
        extra_sheets=extra_sheets,
        title=title,
        lang=lang,
        filer=filer,
        county_filer=county_filer,
        money_cols=yuan,
        wan_cols=wan,
    )
