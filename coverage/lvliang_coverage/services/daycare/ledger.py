"""Day-care ledger (日间照料台账): villages whose elderly are unserved, the conversion proposed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.report.vocabulary import Terms, mode_name, text, yes_no
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import _tables as tables
from lvliang_coverage.services.daycare.analysis import DaycareCheckResult
from lvliang_coverage.services.daycare.plan import DaycarePlan
from lvliang_coverage.services.daycare.settings import DaycareRules
from lvliang_coverage.services.daycare.status import centre_label, status_sentences

_PACKAGE = "lvliang_coverage.services.daycare"
"""The package whose ``terms.toml`` holds the ledger texts."""

BUILDING = Terms.from_package(_PACKAGE, section="buildings")
"""Names of the idle building kinds in the proposals (other kinds use the kind label)."""

FIX = Terms.from_package(_PACKAGE, section="fixes")
"""Proposed fixes of the ledger."""

NOTES = Terms.from_package(_PACKAGE, section="notes")
"""Note lines of the summary sheet."""

TITLE = Terms.from_package(_PACKAGE, section="ledger")
"""Title of the ledger (``[ledger]`` of the package's ``terms.toml``)."""

HEADERS = tables.headers(
    tables.PLACE_HEADERS,
    {
        "zh": [
            "60岁以上人口",
            "老年人口为估算",
            "最近日间照料中心(直线)",
            "直线距离(公里)",
            "最快可达日间照料中心",
            "至最快中心路网距离(公里)",
            "至最快中心{mode}时间(分钟)",
        ],
        "en": [
            "Residents aged 60+",
            "60+ estimated",
            "Nearest day-care centre (straight line)",
            "Straight line (km)",
            "Fastest day-care centre",
            "To the fastest, by road (km)",
            "To the fastest, {mode} (min)",
        ],
    },
    tables.FIX_HEADERS,
    tables.DUTY_HEADERS,
)
"""Headers of the ledger rows (``{mode}`` filled in): the centre nearest in a straight line
and its distance, the fastest one to reach and its road distance and minutes."""

SUMMARY_HEADERS = Terms.from_package(_PACKAGE, section="summary_headers").by_lang()
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
        Columns :data:`HEADERS`, sorted by county (official order, 离石区 first), township
        and village id.
    """
    rows = table[~table["served"] & (table["elderly"] > 0)]
    rank = {c: i for i, c in enumerate(county_order(rows["county"].dropna()))}
    rows = rows.sort_values(
        ["county", "township", "village_id"],
        key=lambda col: col.map(rank) if col.name == "county" else col,
        kind="stable",
        ignore_index=True,
    )
    values = [
        *tables.place_values(rows),
        rows["elderly"],
        yes_no(rows["elderly_estimated"], lang),
        centre_label(rows, "nearest"),
        rows["euclid_km"].round(2),
        centre_label(rows, "fastest"),
        rows["network_km"].round(2),
        rows["travel_min"].round(1),
        status_sentences(rows, lang, settings),
        _fixes(rows, plan, lang),
        *tables.duty_values(
            settings.responsible_units, settings.deadline, lang, counties=rows["county"]
        ),
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

    ``daycare_ledger.xlsx`` and ``.csv`` in ``lang``, titled 农村日间照料中心台账, filed by
    ``daycare.filer`` / ``county_filer``; the check's plan, when it has one, gives the fixes
    proposed (without one, the fix says in plain words that no plan was computed).
    """
    s = result.settings
    rows = ledger_rows(result.table, s, result.plan, lang)
    return tables.county_ledger(
        "daycare_ledger",
        rows,
        ledger_summary(result.table, s, lang),
        lang,
        title=TITLE.get("title", lang),
        filer=s.filer,
        county_filer=s.county_filer,
    )
