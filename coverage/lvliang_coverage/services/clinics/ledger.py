"""Clinic ledger (卫生室台账): every failing village, the fix proposed and the responsible units."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.report.vocabulary import Terms, column_label, mode_name, text, yes_no
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import _tables as tables
from lvliang_coverage.services.clinics.admin_ledger import admin_ledger
from lvliang_coverage.services.clinics.analysis import ClinicCheckResult
from lvliang_coverage.services.clinics.plan import ClinicPlan
from lvliang_coverage.services.clinics.status import fill, status_sentences

if TYPE_CHECKING:
    from lvliang_coverage.services.clinics.analysis import ClinicPlanResult

_PACKAGE = "lvliang_coverage.services.clinics"
"""The package whose ``terms.toml`` holds the ledger texts."""

REASON_TEXT = tables.ACCESS_REASONS | Terms.from_package(_PACKAGE, section="reasons")
"""Texts of the article-7 reason codes (:data:`lvliang_coverage.services.access.REASONS`)."""

FIX = Terms.from_package(_PACKAGE, section="fixes")
"""Proposed fixes of the ledger (``site``, ``min``, ``km``, ``radius`` and ``limit`` fields)."""

COLUMNS = Terms.from_package(_PACKAGE, section="headers")
"""Headers of the ledger's clinic columns (which clinic each is about; ``{mode}`` to fill)."""

LEDGER_TEXT = Terms.from_package(_PACKAGE, section="ledger")
"""The ledger's title (article 7)."""

SUMMARY_HEADERS = Terms.from_package(_PACKAGE, section="summary_headers")
"""Headers of the summary sheet, keyed by the summary's columns."""

SHEETS = Terms.from_package(_PACKAGE, section="sheets")
"""Titles of the ledger's extra sheets."""

FILER = "吕梁市卫生健康委员会"
"""填报单位 of the city sheets when the rules name none (``clinic.filer``)."""

COUNTY_FILER = "{county}卫生健康局"
"""填报单位 of a county sheet when the rules name none (``clinic.county_filer``)."""


def ledger_headers(modes: list[str], lang: str) -> list[str]:
    """Headers of the ledger rows: place, the clinics, one time column per mode, fix, duty.

    Parameters
    ----------
    modes : list of str
        Travel modes of the check, in order (one ``<mode>时间(分钟)`` column each).
    lang : {"zh", "en"}
        Header language.

    Returns
    -------
    list of str
        E.g. 县, 乡镇, 村, 常住人口, 最近卫生室(直线), 直线距离(公里), 最快可达卫生室,
        路网距离(公里), 步行时间(分钟), 是否达标, 问题, 整改措施, 规划服务卫生室, 责任单位,
        完成时限.
    """
    h = COLUMNS.in_lang(lang)
    times = [COLUMNS.get("travel_min", lang, mode=mode_name(m, lang)) for m in modes]
    problem, fix = tables.FIX_HEADERS[lang]
    return [
        *tables.PLACE_HEADERS[lang],
        h["nearest"],
        h["euclid_km"],
        h["fastest"],
        h["network_km"],
        *times,
        h["compliant"],
        problem,
        fix,
        h["planned"],
        *tables.DUTY_HEADERS[lang],
    ]


def _labels(ids: pd.Series, clinics: pd.DataFrame) -> np.ndarray:
    """Clinic ids as ``name（id）`` (the name alone when it is the id; '' where missing)."""
    text = ids.astype(object).where(ids.notna(), "").astype(str)
    if "name" not in clinics.columns:
        return text.to_numpy(object)
    names = clinics.set_index(clinics["facility_id"].astype(str))["name"].astype(str)
    names = names[~names.index.duplicated()]
    name = text.map(names).fillna(text)
    labelled = np.where(name != text, name + "（" + text + "）", text)
    return np.where(text != "", labelled, "").astype(object)


def _site_names(plan: ClinicPlan) -> pd.Series:
    """Names of the plan's sites by site id (the id where a site has no name)."""
    sites = plan.sites.set_index(plan.sites["site_id"].astype(str))
    names = sites["name"].astype(object)
    return names.where(names.notna() & (names.astype(str) != ""), sites.index).astype(str)


def _plan_sites(rows: pd.DataFrame, plan: ClinicPlan) -> pd.DataFrame:
    """Find the clinic the plan gives each small failing village: site, kind, minutes, how.

    ``how`` is ``"assigned"`` (its sharing group) or ``"over_capacity"`` (an open clinic
    covers it but its capacity is taken: the fastest such one); rows without one are absent.
    """
    ids = rows["village_id"].astype(str)
    a = plan.assignment.assignment
    assigned = pd.DataFrame(
        {
            "village_id": a["demand_id"].astype(str).to_numpy(),
            "site_id": a["facility_id"].astype(str).to_numpy(),
            "minutes": a["unit_cost"].to_numpy(float),
            "how": "assigned",
        }
    )
    pairs = plan.pairs[plan.pairs["destination_id"].isin(plan.lscp.open_ids)]
    covering = pd.DataFrame(
        {
            "village_id": pairs["origin_id"].astype(str).to_numpy(),
            "site_id": pairs["destination_id"].astype(str).to_numpy(),
            "minutes": pairs["time_s"].to_numpy(float) / 60.0,
            "how": "over_capacity",
        }
    ).sort_values("minutes", kind="stable")
    both = pd.concat([assigned, covering], ignore_index=True)
    both = both[both["village_id"].isin(ids)].drop_duplicates("village_id")
    kinds = plan.sites.set_index(plan.sites["site_id"].astype(str))["kind"]
    return both.assign(kind=both["site_id"].map(kinds)).set_index("village_id")


def _fixes(
    rows: pd.DataFrame,
    clinics: pd.DataFrame,
    *,
    plan: ClinicPlan | None,
    reach: pd.DataFrame | None,
    rules: Rules,
    lang: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Fix proposed and planned clinic of every failing village (vectorised).

    Villages under 200 residents: the clinic of the plan that will serve them (their sharing
    group, or the fastest open clinic covering them when its capacity is taken); else a
    clinic in the village or visits from the fastest clinic (none in reach: build the road).
    Larger villages: a new clinic of the plan within the time limit, else a clinic in the
    village. Without a plan, small villages read "待规划" (no plan was computed).
    """
    n = len(rows)
    c = rules.clinic
    small = rows["small_village"].to_numpy(bool)
    fastest = _labels(rows["fastest_clinic_id"], clinics)
    nearest = _labels(rows["nearest_clinic_id"], clinics)
    site = np.where(fastest != "", fastest, nearest).astype(object)
    minutes = rows["travel_min"].fillna(0.0).to_numpy(float).copy()
    none = (fastest == "") & (nearest == "")
    key = np.where(fastest != "", "uncoverable", "uncoverable_no_road").astype(object)
    large = np.where(fastest != "", "large", "large_no_road").astype(object)
    key = np.where(none, "own_clinic", np.where(small, key, large)).astype(object)
    planned = np.full(n, "", dtype=object)
    ids = rows["village_id"].astype(str)
    if plan is None:
        key[small] = "none"
    else:
        given = _plan_sites(rows[small], plan)
        hit = small & ids.isin(given.index).to_numpy()
        g = given.reindex(ids[hit])
        new = np.where(g["kind"].to_numpy(object) == "candidate", "new", "existing")
        key[hit] = np.where(g["how"].to_numpy(object) == "over_capacity", "over_capacity", new)
        planned[hit] = g["site_id"].map(_site_names(plan)).to_numpy(object)
        minutes[hit] = g["minutes"].to_numpy(float)
    if reach is not None and len(reach):
        r = reach.assign(village_id=reach["village_id"].astype(str)).set_index("village_id")
        r = r[~r.index.duplicated()]
        hit = ~small & ids.isin(r.index).to_numpy()
        g = r.reindex(ids[hit])
        key[hit] = "large_new"
        planned[hit] = g["site_name"].astype(str).to_numpy(object)
        minutes[hit] = g["minutes"].to_numpy(float)
    site[planned != ""] = planned[planned != ""]
    # a time beyond the limit never reads as the limit (30.4 minutes: 31), as in 问题
    beyond = (minutes > c.max_travel_min) & (np.round(minutes) <= c.max_travel_min)
    fields = {
        "radius": f"{c.service_radius_km:g}",
        "limit": f"{c.max_travel_min:g}",
        "site": site,
        "min": np.where(beyond, np.ceil(minutes), minutes),
        "km": rows["euclid_km"].fillna(0.0).to_numpy(float),
    }
    fixes = np.full(n, "", dtype=object)
    for k in pd.unique(key):
        at = np.flatnonzero(key == k)
        fixes[at] = fill(FIX.get(str(k), lang), at, fields)
    off = rows["off_network"].to_numpy(bool)
    fixes[off] = fixes[off] + FIX.get("off_network", lang)
    return fixes, planned


def clinic_ledger(
    table: pd.DataFrame,
    clinics: pd.DataFrame,
    *,
    plan: ClinicPlan | None = None,
    mode: str | None = None,
    rules: Rules | None = None,
    lang: str = "zh",
    reach: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Ledger rows: every village failing article 7 in the deciding mode.

    Parameters
    ----------
    table : DataFrame
        Compliance table from :func:`lvliang_coverage.services.clinics.check.check_compliance`
        (one or several modes: one travel-time column per mode).
    clinics : DataFrame
        Clinics with ``facility_id`` and ``name`` (shown as ``name（id）``).
    plan : ClinicPlan, optional
        A shared-clinic plan; its clinics become the fixes proposed. Without one, villages
        under 200 residents read "待规划" (no plan computed).
    mode : str, optional
        The deciding mode (default: ``clinic.default_mode`` if present, else the first).
    rules : Rules, optional
        Rules in force (limits, responsible units and deadline of article 7).
    lang : {"zh", "en"}
        Header and text language.
    reach : DataFrame, optional
        For villages of 200+ residents, a clinic of the plan within the time limit
        (``village_id``, ``site_name``, ``minutes``; :meth:`ClinicPlan.reach`).

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`ledger_headers`, sorted by county, township, village. 问题 is the
        status sentence (:func:`~lvliang_coverage.services.clinics.status.status_sentences`),
        整改措施 a concrete fix for every row, 责任单位 naming the row's county government.
    """
    rules = rules or load_rules()
    modes = [str(m) for m in pd.unique(table["mode"])]
    mode = mode or (rules.clinic.default_mode if rules.clinic.default_mode in modes else modes[0])
    rows = table[(table["mode"] == mode) & ~table["compliant"]]
    rows = rows.sort_values(["county", "township", "village_id"]).reset_index(drop=True)
    times = [
        table.loc[table["mode"] == m]
        .drop_duplicates("village_id")
        .set_index("village_id")["travel_min"]
        .reindex(rows["village_id"])
        .round(1)
        .to_numpy()
        for m in modes
    ]
    fixes, planned = _fixes(rows, clinics, plan=plan, reach=reach, rules=rules, lang=lang)
    c = rules.clinic
    values = [
        *tables.place_values(rows),
        _labels(rows["nearest_clinic_id"], clinics),
        rows["euclid_km"].round(2),
        _labels(rows["fastest_clinic_id"], clinics),
        rows["network_km"].round(2),
        *times,
        yes_no(rows["compliant"], lang),
        status_sentences(rows, lang, rules),
        fixes,
        planned,
        *tables.duty_values(c.responsible_units, c.deadline, lang, counties=rows["county"]),
    ]
    return tables.headed_rows({lang: ledger_headers(modes, lang)}, lang, values)


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
        One row per county (official order) plus a city total.
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


def village_fixes(result: ClinicCheckResult, lang: str = "zh") -> pd.Series:
    """Fix proposed for every failing settlement of the deciding mode, by ``village_id``."""
    t = result.mode_table()
    rows = t[~t["compliant"]].reset_index(drop=True)
    fixes, _ = _fixes(
        rows, result.care, plan=result.plan, reach=result.reach, rules=result.study.rules, lang=lang
    )
    return pd.Series(fixes, index=rows["village_id"].astype(str).to_numpy(), dtype=object)


def check_ledgers(result: ClinicCheckResult, lang: str = "zh") -> tuple[Ledger, Ledger]:
    """Build the two clinic ledgers of a check: per settlement and per administrative village.

    :func:`check_ledger` (``clinic_ledger``, every failing settlement) and
    ``clinic_admin_ledger``: every administrative village (行政村) with its official code,
    residents, settlements served and the fixes of its failing settlements
    (:func:`~lvliang_coverage.services.clinics.admin_ledger.admin_ledger`).
    """
    return check_ledger(result, lang), admin_ledger(result, village_fixes(result, lang), lang)


def check_ledger(result: ClinicCheckResult, lang: str = "zh") -> Ledger:
    """Build the clinic ledger of a check: summary, township doctors, a sheet per county.

    ``clinic_ledger.xlsx`` and ``.csv`` in ``lang``, titled 村卫生室覆盖问题台账 (article 7):
    every failing settlement on its county's sheet, filed by ``clinic.filer`` (city sheets)
    and ``clinic.county_filer`` (county sheets); the check's plan, when it has one, gives
    the fixes proposed.
    """
    rules = result.study.rules
    rows = clinic_ledger(
        result.table,
        result.care,
        plan=result.plan,
        mode=result.mode,
        rules=rules,
        lang=lang,
        reach=result.reach,
    )
    if "travel_model" in result.table.columns:  # 出行时间模型: 地形模型 / 路网模型
        model = str(result.table["travel_model"].iloc[0])
        at = list(rows.columns).index(COLUMNS.get("compliant", lang))
        rows.insert(at, column_label("travel_model", lang), text(f"travel_model_{model}", lang))
    return tables.county_ledger(
        "clinic_ledger",
        rows,
        ledger_summary(result.table, result.mode, lang),
        lang,
        (
            SHEETS.get("doctors", lang),
            staffing_sheet(result.townships, lang),
        ),
        title=LEDGER_TEXT.get("title", lang),
        filer=getattr(rules.clinic, "filer", FILER),
        county_filer=getattr(rules.clinic, "county_filer", COUNTY_FILER),
    )


def plan_ledger(result: ClinicPlanResult, lang: str = "zh") -> Ledger | None:
    """Build the clinic ledger of a plan: the check's settlement ledger, fixes from this plan.

    None when the result holds no check (a plan made outside :func:`run_plan`).
    """
    return None if result.check is None else check_ledger(result.check, lang)
