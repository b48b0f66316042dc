"""The monthly visits as a workbook: a county summary, one printable sheet per doctor, villages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.codes import CODE_SEPARATOR
from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.report.vocabulary import Terms, mode_name, yes_no
from lvliang_coverage.report.workbook import TEXT as LEDGER_TEXT
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import _tables as tables
from lvliang_coverage.services.clinics.visits import VisitResult

_PACKAGE = "lvliang_coverage.services.clinics"
_FILE = "visits_terms.toml"


def _terms(section: str) -> Terms:
    return Terms.from_package(_PACKAGE, _FILE, section=section)


TEXT = _terms("ledger")
"""Words of the visits ledger: title, sheet names, the sign line."""

DOCTOR_HEADERS = _terms("doctor_headers")
"""Headers of a doctor's sheet."""

ROW_HEADERS = _terms("row_headers")
"""Headers of the village rows (county sheets) besides the shared ones."""

SUMMARY_HEADERS = _terms("summary_headers")
"""Headers of the county summary sheet."""

PROBLEMS = _terms("problems")
"""Problem texts of the village rows."""

FIXES = _terms("fixes")
"""Fixes proposed for the village rows."""

NOTES = _terms("notes")
"""Note lines under the summary and on every doctor's sheet."""

HEADLINES = _terms("headlines")
"""The terminal's labels of the visits."""

_DOCTOR_KEYS = ("day", "stop", "village_id", "village", "arrival", "patients", "km", "minutes")
_SUMMARY_KEYS = (
    ("county", "county"),
    ("clinics", "clinics"),
    ("doctors", "doctors"),
    ("villages", "villages"),
    ("patients", "patients"),
    ("days_needed", "days_needed"),
    ("days_available", "days_available"),
    ("over_month", "_over"),
    ("hours", "hours"),
    ("travel_hours", "travel_hours"),
    ("km", "km"),
    ("beyond_day", "villages_beyond_day"),
    ("unreachable", "villages_unreachable"),
    ("optimal", "_optimal"),
)
"""Summary header key -> column of the per-clinic table summed per county."""


def clock(minutes: np.ndarray, start_minute: int) -> np.ndarray:
    """Clock times ``HH:MM`` of minutes after the day's start (rounded to the minute)."""
    total = np.rint(np.asarray(minutes, dtype=float)).astype(np.int64) + start_minute
    hh, mm = np.divmod(total, 60)
    return np.char.add(
        np.char.add(np.char.zfill(hh.astype(str), 2), ":"), np.char.zfill(mm.astype(str), 2)
    ).astype(object)


def _notes(result: VisitResult, lang: str) -> list[str]:
    """Write the summary's note lines: estimated patients, planning assumptions, the solver."""
    s = result.settings
    notes = []
    n_est = int(result.villages["patients_estimated"].sum())
    if n_est:
        notes.append(NOTES.get("estimated", lang, n=n_est, share=s.chronic_share_default))
    notes.append(
        NOTES.get(
            "assumption",
            lang,
            patient=s.minutes_per_patient,
            stop=s.minutes_per_stop,
            hours=s.working_day_hours,
            days=s.working_days_per_month,
            mode=mode_name(result.mode, lang),
        )
    )
    c = result.plan.clinics
    notes.append(
        NOTES.get(
            "solver",
            lang,
            limit=s.solver_time_limit_s,
            optimal=int((c["solver_status"] == "optimal").sum()),
            stops=s.exact_max_stops,
        )
    )
    return notes


def visit_summary(result: VisitResult, lang: str = "zh") -> pd.DataFrame:
    """Per county and for the city: clinics, doctors, patients, days, hours, km (one sheet).

    Parameters
    ----------
    result : VisitResult
        The visits.
    lang : {"zh", "en"}
        Language of headers and notes.

    Returns
    -------
    pandas.DataFrame
        One row per county (official order), the city row, then the note lines.
    """
    c = result.plan.clinics.assign(
        county=result.plan.clinics["county"].fillna("").astype(str),
        _over=~result.plan.clinics["fits_month"].astype(bool),
        _optimal=result.plan.clinics["solver_status"] == "optimal",
        clinics=1,
    )
    cols = [col for _, col in _SUMMARY_KEYS[1:]]
    per = c.groupby("county")[cols].sum() if len(c) else pd.DataFrame(columns=cols)
    per = tables.with_city_row(per.astype(float), lang) if len(per) else per
    out = per.reset_index()
    for col in ("hours", "travel_hours", "km"):
        out[col] = out[col].astype(float).round(2)
    for col in cols:
        if col not in ("hours", "travel_hours", "km"):
            out[col] = out[col].astype(np.int64)
    out = out.astype(object)
    blank = dict.fromkeys(out.columns)
    first = out.columns[0]
    notes = pd.DataFrame([blank | {first: n} for n in _notes(result, lang)], dtype=object)
    out = pd.concat([out, notes], ignore_index=True)
    out.columns = [SUMMARY_HEADERS.get(key, lang) for key, _ in _SUMMARY_KEYS]
    return out


def doctor_rows(result: VisitResult, lang: str = "zh") -> pd.DataFrame:
    """Tabulate every doctor's month, a sheet each: days and stops, times, the sign line.

    A clinic's days go to its doctors in turn (day 1 to doctor 1, day 2 to doctor 2, ...);
    each doctor's days are numbered from 1. Every stop shows its arrival time (the day
    starting at ``visits.day_starts_at``), its patients and the leg into it; each day ends
    with the return to the clinic. Each doctor's rows end with the estimate note (when
    patients are estimated) and the line the doctor and the township health centre sign.

    Parameters
    ----------
    result : VisitResult
        The visits.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        The doctor first (``样例村0157卫生室（CL0001）医生1``: the workbook gives each doctor a
        sheet), then :data:`DOCTOR_HEADERS`; a doctor's note and sign rows after all the
        stops (the sheet puts them last).
    """
    routes = result.plan.routes
    head = [TEXT.get("doctor", lang), *(DOCTOR_HEADERS.get(k, lang) for k in _DOCTOR_KEYS)]
    if routes.empty:
        return pd.DataFrame(columns=head)
    clinics = result.plan.clinics.set_index("clinic_id")
    names = result.study.villages.set_index(result.study.villages["village_id"].astype(str))["name"]
    doctors = routes["clinic_id"].map(clinics["doctors"]).to_numpy(dtype=np.int64)
    doctor = (routes["day"].to_numpy() - 1) % doctors + 1
    own_day = (routes["day"].to_numpy() - 1) // doctors + 1
    back = routes["village_id"].to_numpy(object) == ""
    village = routes["village_id"].map(names).fillna("").to_numpy(object)
    village[back] = TEXT.get("back", lang)
    day_text = np.array(
        [TEXT.get("day", lang, day=int(d)) for d in range(1, int(own_day.max()) + 1)], dtype=object
    )
    cids = routes["clinic_id"].astype(str).to_numpy()
    pairs = pd.DataFrame({"cid": cids, "doc": doctor}).drop_duplicates()
    label_of = {
        (c, int(d)): TEXT.get(
            "doctor_sheet", lang, clinic_id=c, clinic=clinics.loc[c, "clinic_name"], doctor=int(d)
        )
        for c, d in pairs.itertuples(index=False)
    }
    labels = np.array([label_of[(c, int(d))] for c, d in zip(cids, doctor, strict=True)], object)
    table = pd.DataFrame(
        {
            "doctor": labels,
            "day": day_text[own_day - 1],
            "stop": pd.Series(routes["stop"].to_numpy(object)).mask(back).to_numpy(object),
            "village_id": routes["village_id"].to_numpy(object),
            "village": village,
            "arrival": clock(routes["arrival_min"].to_numpy(), result.settings.start_minute),
            "patients": pd.Series(routes["patients"].to_numpy(object)).mask(back).to_numpy(object),
            "km": routes["km"].to_numpy(float).round(2),
            "minutes": routes["minutes"].to_numpy(float).round(1),
        }
    )
    tail = [_notes(result, lang)[0]] if result.patients_estimated else []
    tail.append(TEXT.get("sign", lang))
    unique = list(label_of.values())
    foot = pd.DataFrame(
        {
            "doctor": np.repeat(np.array(unique, dtype=object), len(tail)),
            "day": np.tile(np.array(tail, dtype=object), len(unique)),
        }
    )
    out = pd.concat([table, foot], ignore_index=True).astype(object)
    out = out.where(out.notna(), None)
    out.columns = head
    return out


def county_sheets(result: VisitResult, lang: str = "zh") -> list[tuple[str, pd.DataFrame]]:
    """Split the village rows (:func:`village_rows`) into one sheet per county, in order."""
    rows = village_rows(result, lang)
    if rows.empty:
        return []
    county = rows.iloc[:, 0].astype(object)
    blank = county.isna() | (county.astype(str).str.strip() == "")
    names = county.astype(str).where(~blank, LEDGER_TEXT.get("no_county", lang))
    groups = {
        str(k): v
        for k, v in pd.Series(np.arange(len(rows))).groupby(names.to_numpy()).indices.items()
    }
    return [(name, rows.iloc[groups[name]].reset_index(drop=True)) for name in county_order(groups)]


def _days_text(result: VisitResult, lang: str) -> pd.Series:
    """Name the visiting days of each village (``第2、5天``), by village id."""
    r = result.plan.routes
    r = r[r["village_id"] != ""]
    if r.empty:
        return pd.Series(dtype=object)
    sep = TEXT.get("days_sep", lang)
    days = r.groupby("village_id")["day"].agg(lambda d: sep.join(str(x) for x in sorted(set(d))))
    return days.map(lambda d: TEXT.get("days_text", lang, days=d))


def village_rows(result: VisitResult, lang: str = "zh") -> pd.DataFrame:
    """Tabulate the ledger rows: every village with patients, its clinic, days, problem, fix.

    Villages left out of the routes (beyond a day, unreachable, no clinic) and the villages
    of a clinic whose month is too short name the problem and a fix; the others their days.

    Parameters
    ----------
    result : VisitResult
        The visits.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    pandas.DataFrame
        Ledger rows with final headers, the county first.
    """
    v = result.villages.reset_index(drop=True)
    population = result.study.villages.set_index(result.study.villages["village_id"].astype(str))[
        "population"
    ]
    v = v.assign(population=v["village_id"].map(population).to_numpy())
    clinics = result.plan.clinics.set_index("clinic_id")
    name = v["clinic_id"].map(clinics["clinic_name"]).fillna("").astype(str)
    label = np.where(
        v["clinic_id"].notna(), name + "（" + v["clinic_id"].fillna("").astype(str) + "）", ""
    )
    if lang != "zh":
        label = np.where(
            v["clinic_id"].notna(), name + " (" + v["clinic_id"].fillna("").astype(str) + ")", ""
        )
    basis = v["basis"].map(lambda b: TEXT.get(b, lang) if b else "").to_numpy(object)
    problem = np.full(len(v), "", dtype=object)
    fix = np.full(len(v), "", dtype=object)
    over = v["clinic_id"].map(~clinics["fits_month"].astype(bool)).fillna(False).to_numpy(bool)
    need = v["clinic_id"].map(clinics["days_needed"]).to_numpy()
    avail = v["clinic_id"].map(clinics["days_available"]).to_numpy()
    for i in np.flatnonzero(over):
        problem[i] = PROBLEMS.get("over_month", lang, need=int(need[i]), available=int(avail[i]))
        fix[i] = FIXES.get("over_month", lang)
    codes = v["reason"].astype(str)
    hours = result.settings.working_day_hours
    for code in ("no_clinic", "unreachable", "beyond_day"):
        hit = np.flatnonzero(
            codes.str.split(CODE_SEPARATOR).map(lambda c, k=code: k in c).to_numpy(bool)
        )
        for i in hit:
            problem[i] = PROBLEMS.get(
                code, lang, minutes=float(v["round_trip_min"].iloc[i]), hours=hours
            )
            fix[i] = FIXES.get(code, lang)
    days = v["village_id"].map(_days_text(result, lang)).fillna("").to_numpy(object)
    c = result.study.rules.clinic
    values = [
        *tables.place_values(v),
        pd.Series(label),
        pd.Series(basis),
        v["patients"],
        pd.Series(yes_no(v["patients_estimated"], lang)),
        pd.Series(days),
        v["round_trip_min"].round(1),
        pd.Series(problem),
        pd.Series(fix),
        *tables.duty_values(c.responsible_units, c.deadline, lang, counties=v["county"]),
    ]
    titles = tables.headers(
        tables.PLACE_HEADERS,
        {
            lng: [
                ROW_HEADERS.get(k, lng)
                for k in ("clinic", "basis", "patients", "estimated", "days", "round_trip")
            ]
            for lng in ("zh", "en")
        },
        tables.FIX_HEADERS,
        tables.DUTY_HEADERS,
    )
    return tables.headed_rows(titles, lang, values)


def visit_ledger(result: VisitResult, lang: str = "zh") -> Ledger:
    """Build the visits workbook: county summary, villages per county, a sheet per doctor.

    ``visit_ledger.xlsx`` in ``lang``, titled 村医每月随访送药安排: the summary (per county and
    the city, with the notes on estimates, planning assumptions and the solver), every
    county's villages with patients (clinic, days, problem and fix, 责任单位, 完成时限),
    then one printable sheet per doctor filed by the doctor's clinic. The CSV twin holds
    the doctors' rows. The summary and county sheets are filed by the clinic section's
    ``filer``.

    Parameters
    ----------
    result : VisitResult
        The visits.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    Ledger
        The ledger the runner writes.
    """
    c = result.study.rules.clinic
    return tables.county_ledger(
        "visit_ledger",
        doctor_rows(result, lang),
        visit_summary(result, lang),
        lang,
        *county_sheets(result, lang),
        title=TEXT.get("title", lang),
        filer=getattr(c, "filer", "吕梁市卫生健康委员会"),
        county_filer="{county}",
    )


def label(key: str, **fields: object) -> str:
    """Return a headline label of the visits in both languages, ``"中文 / English"``."""
    texts = []
    for i, lang in enumerate(("zh", "en")):
        own = {k: v[i] if isinstance(v, tuple) else v for k, v in fields.items()}
        texts.append(HEADLINES.get(key, lang, **own))
    return " / ".join(texts)


def visit_headlines(result: VisitResult) -> list[Headline]:
    """Give the terminal's figures of the visits: clinics, patients, days, hours, km."""
    s = result.summary()
    mode = (mode_name(result.mode, "zh"), mode_name(result.mode, "en"))
    keys = {
        "clinics": "clinics",
        "villages": "villages",
        "patients": "patients",
        "estimated": "patients_estimated",
        "days_needed": "days_needed",
        "over_month": "clinics_over_month",
        "hours": "hours",
        "km": "km",
        "beyond_day": "villages_beyond_day",
        "unreachable": "villages_unreachable",
        "no_clinic": "villages_no_clinic",
        "optimal": "clinics_optimal",
        "heuristic": "clinics_heuristic",
    }
    return [Headline(label("title", mode=mode), {label(k): s[v] for k, v in keys.items()})]
