"""One plain sentence per village of a clinic check (达标情况): the ledger's 问题 and the popups."""

from __future__ import annotations

import string
from collections.abc import Mapping

import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules
from lvliang_coverage.report.vocabulary import Terms, check_lang, mode_name

STATUS = Terms.from_package("lvliang_coverage.services.clinics", section="status")
"""Templates of the sentences (``[status]`` of the clinic ``terms.toml``, zh and en)."""

CASES = (
    "served",
    "too_slow",
    "too_slow_no_road",
    "too_slow_network",
    "too_far",
    "too_far_network",
    "unreachable",
    "no_clinic",
    "large_ok",
    "large_slow",
)
"""The sentence of a row: a village under 200 residents served, too slow (a clinic within the
radius but not within the time; no road to it; by road distance), too far (none within the
radius; by road distance), unreachable (no road to any clinic), no clinic in the data; a
larger village (30-minute access only) within or beyond the time limit."""

_EPS = 1e-6


def _text(values: pd.Series) -> np.ndarray:
    """Ids as text, '' where missing (object array)."""
    v = values.astype(object)
    return v.where(v.notna(), "").astype(str).to_numpy(object)


def _rounded(values: pd.Series, step: float, limit: float, fmt: str) -> np.ndarray:
    """Numbers as text to the nearest ``step``; upwards where that would reach ``limit``.

    A value beyond the limit never reads as the limit or below it: a failing 30.4 minutes
    reads 31 and a failing 2.52 km reads 2.6 (173.3 minutes still read 173).
    """
    v = np.nan_to_num(values.to_numpy(float), nan=0.0)
    units = np.round(v / step, 6)
    near = np.round(units)
    steps = np.where((v > limit + _EPS) & (near * step <= limit + _EPS), np.ceil(units), near)
    return np.char.mod(fmt, steps * step).astype(object)


def _km(values: pd.Series, radius_km: float) -> np.ndarray:
    """Kilometres as text to 0.1 km (upwards beyond the radius)."""
    return _rounded(values, 0.1, radius_km, "%.1f")


def _minutes(values: pd.Series, limit_min: float) -> np.ndarray:
    """Minutes as whole-minute text (upwards beyond the time limit)."""
    return _rounded(values, 1.0, limit_min, "%.0f")


def fill(template: str, rows: np.ndarray, fields: Mapping[str, object]) -> np.ndarray:
    """Fill a text template for many rows at once (the vectorised ``str.format``).

    Parameters
    ----------
    template : str
        A text with ``{field}`` or ``{field:spec}`` slots, e.g. ``"{site}（{min:.0f}分钟）"``.
    rows : numpy.ndarray of int
        Positions of the rows to fill in the field arrays.
    fields : Mapping of str to object
        Per field either one value for every row or an array over all rows (texts, or
        numbers when the slot has a ``printf``-like spec such as ``.0f``).

    Returns
    -------
    numpy.ndarray of str (object)
        One text per position in ``rows``.
    """
    out = np.full(len(rows), "", dtype=object)
    for literal, name, spec, _conv in string.Formatter().parse(template):
        out = out + literal
        if name is None:
            continue
        value = fields[name]
        if isinstance(value, np.ndarray):
            part = np.char.mod(f"%{spec}", value[rows]).astype(object) if spec else value[rows]
        else:
            part = format(value, spec or "")
        out = out + part
    return out


def _cases(table: pd.DataFrame, network: bool) -> np.ndarray:
    """Case of every row (:data:`CASES`), as text."""
    small = table["small_village"].to_numpy(bool)
    served = _text(table["served_by"]) != ""
    has = _text(table["nearest_clinic_id"]) != ""
    reach = _text(table["fastest_clinic_id"]) != ""
    in_radius = table["within_radius"].to_numpy(bool)
    road = table["nearest_min"].notna().to_numpy()
    slow = "too_slow_network" if network else "too_slow"
    far = "too_far_network" if network else "too_far"
    conditions = [
        small & served,
        ~has,
        ~reach,
        small & in_radius & (road | network),
        small & in_radius,
        small,
        table["within_time"].to_numpy(bool),
    ]
    choices = ["served", "no_clinic", "unreachable", slow, "too_slow_no_road", far, "large_ok"]
    return np.select(conditions, choices, default="large_slow").astype(object)


def status_sentences(table: pd.DataFrame, lang: str, rules: Rules) -> pd.Series:
    """Say in one plain sentence whether each village of a clinic check meets article 7.

    Villages under 200 residents: "达标：由卫生室CL0243服务（1.3公里，步行12分钟）",
    "未达标：2.5公里内有卫生室（CL0243，1.3公里），但步行需83分钟", "未达标：2.5公里内没有卫生室
    （最近的CL0243在3.9公里外）", "未达标：没有道路通往任何卫生室（...）"; larger villages (the
    30-minute access only): "达标（30分钟内就医）：步行21分钟可到卫生室CL0243" or "未达标：步行30
    分钟内到不了卫生室（最快可达的CL0243需41分钟）". A too-slow village whose fastest clinic is
    another one names it too; a village off the road network gets a note. Templates are the
    ``[status]`` texts of the clinic ``terms.toml``; kilometres are rounded to 0.1 and minutes
    to whole minutes, upwards where they exceed the limit (a failing 30.4 minutes reads 31).

    Parameters
    ----------
    table : DataFrame
        Compliance rows (:func:`lvliang_coverage.services.clinics.check.check_mode`, one or
        several modes): ``nearest_clinic_id``, ``euclid_km``, ``nearest_min``,
        ``fastest_clinic_id``, ``travel_min``, ``served_by``, ``served_km``, ``served_min``,
        ``within_radius``, ``within_time``, ``off_network``, ``small_village``, ``mode``
        (and ``radius_km`` with ``clinic.radius_measure = "network"``).
    lang : {"zh", "en"}
        Language of the sentences.
    rules : Rules
        Rules in force (radius in km, time limit in minutes, radius measure, off-road limit).

    Returns
    -------
    pandas.Series
        One sentence (str) per row, index aligned with ``table``.
    """
    check_lang(lang)
    c = rules.clinic
    network = c.radius_measure == "network"
    modes = pd.unique(table["mode"].astype(str))
    mode_text = table["mode"].astype(str).map({m: mode_name(m, lang) for m in modes})
    radius_km = table["radius_km"] if "radius_km" in table.columns else table["euclid_km"]
    r, t = c.service_radius_km, c.max_travel_min
    fields: dict[str, object] = {
        "radius": f"{r:g}",
        "limit": f"{t:g}",
        "leg_km": f"{rules.network.max_offroad_leg_m / 1000.0:g}",
        "mode": mode_text.to_numpy(object),
        "nearest": _text(table["nearest_clinic_id"]),
        "fastest": _text(table["fastest_clinic_id"]),
        "served": _text(table["served_by"]),
        "nearest_km": _km(table["euclid_km"], r),
        "radius_km": _km(radius_km, r),
        "served_km": _km(table["served_km"], r),
        "nearest_min": _minutes(table["nearest_min"], t),
        "fastest_min": _minutes(table["travel_min"], t),
        "served_min": _minutes(table["served_min"], t),
    }
    case = _cases(table, network)
    out = np.full(len(table), "", dtype=object)
    for key in CASES:
        rows = np.flatnonzero(case == key)
        if len(rows):
            out[rows] = fill(STATUS.get(key, lang), rows, fields)
    slow = np.isin(case, ["too_slow", "too_slow_no_road", "too_slow_network"])
    other = slow & (fields["fastest"] != "") & (fields["fastest"] != fields["nearest"])
    for key, mask in (
        ("faster_elsewhere", other),
        ("off_network", table["off_network"].to_numpy(bool)),
    ):
        rows = np.flatnonzero(mask)
        if len(rows):
            out[rows] = out[rows] + fill(STATUS.get(key, lang), rows, fields)
    return pd.Series(out, index=table.index, dtype=object)
