"""Headline figures: the small bilingual tables a task prints in the terminal, and their format."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lvliang_coverage.report.vocabulary import both, mode_name

MISSING = "—"
"""Text of a missing value (None, NaN, pandas NA) in every headline table."""

SOLVER_KEYS = ("solver_status", "mip_gap", "solve_seconds", "time_limit_s", "mip_rel_gap")
"""Summary keys of a solver report; a headline prints them as one line in words."""

_MONEY = ("yuan", "元")
_SHARE = ("share", "率", "比例", "gap", "间隙")
_PLAIN = 2
"""Decimals of a float with no unit in its label (whole numbers from 1,000 up)."""
_DECIMALS = (  # label hints of a unit -> decimals of a float (whole numbers print as integers)
    (("_min", "min", "分钟"), 1),
    (("_km", "km", "公里"), 2),
    (("_s", "秒", "seconds"), 1),
)


@dataclass(frozen=True)
class Headline:
    """One table of headline figures for the terminal.

    Attributes
    ----------
    title : str
        Bilingual title, e.g. ``"第7条 村卫生室覆盖 / article 7 clinic coverage (walk)"``.
    items : Mapping of str to object
        Bilingual label to value (a two-column table). Values are plain numbers (formatted by
        :func:`format_value`: the label says whether a number is yuan, a share, minutes ...),
        texts, booleans or None. The raw solver keys (:data:`SOLVER_KEYS`) and a ``mode`` key
        are printed in words.
    rows : sequence of Mapping, optional
        Instead of ``items``, a table of several columns: one mapping (bilingual header to
        value) per row, e.g. one row per county.
    solver : object, optional
        A solver report (``status``, ``mip_gap``, ``solve_seconds``, as
        ``optimise.highs.SolveReport``), printed as the last line in words.
    """

    title: str
    items: Mapping[str, object] = field(default_factory=dict)
    rows: Sequence[Mapping[str, object]] = ()
    solver: object | None = None


def is_missing(value: object) -> bool:
    """Whether ``value`` is None, a float NaN or a pandas NA/NaT (no pandas import)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, numbers.Real) and not _is_bool(value) and math.isnan(float(value))


def _is_bool(value: object) -> bool:
    return type(value).__name__ in ("bool", "bool_")


def _has(label: str, hints: Sequence[str]) -> bool:
    low = label.lower()
    return any(h in low for h in hints)


def _decimals(label: str) -> int:
    low = label.lower()
    for hints, decimals in _DECIMALS:
        if any(low.endswith(h) if h.startswith("_") else h in low for h in hints):
            return decimals
    return _PLAIN


def format_value(value: object, label: str = "") -> str:
    """Format one headline value: the one number format of every terminal table.

    Parameters
    ----------
    value : object
        The value: a number (Python or numpy), a boolean, a text, a solver report or missing.
    label : str
        Its label or column key; it decides the unit of a number: yuan when it holds
        ``yuan``/``元`` (``total_yuan``, ``总投资（元）``), a share when it holds
        ``share``/``率``/``比例``/``gap``, minutes (``min``, ``分钟``: 0.1), kilometres
        (``km``, ``公里``: 0.01), seconds (``_s``, ``秒``: 0.1).

    Returns
    -------
    str
        ``"1,228"`` for whole numbers, ``"511,269,383"`` for yuan (whole yuan, never
        ``5.11e+08``), ``"28.6%"`` for shares, ``"51.2"`` for minutes, ``"—"`` for None or
        NaN, ``"是 / yes"``/``"否 / no"`` for booleans, a solver report in words, texts as
        given.

    Examples
    --------
    >>> format_value(70044912.4, "construction_yuan")
    '70,044,912'
    >>> format_value(0.2858, "覆盖率 / share served")
    '28.6%'
    >>> format_value(None, "budget_yuan")
    '—'
    """
    if is_missing(value):
        return MISSING
    if _is_bool(value):
        return both("yes") if value else both("no")
    if hasattr(value, "status") and hasattr(value, "solve_seconds"):
        return solver_text(value)
    if isinstance(value, str) or not isinstance(value, numbers.Real):
        return str(value)
    return _format_number(float(value), label)


def _format_number(number: float, label: str) -> str:
    """Format a finite or infinite number by the unit its label names."""
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if _has(label, _MONEY) or (number.is_integer() and not _has(label, _SHARE)):
        return f"{round(number):,}"
    if _has(label, _SHARE):
        return f"{number:.2%}" if _has(label, ("gap", "间隙")) else f"{number:.1%}"
    decimals = _decimals(label)
    if decimals == _PLAIN and abs(number) >= 1000:  # a large figure of no stated unit
        decimals = 0
    return f"{number:,.{decimals}f}"


def solver_text(report: object) -> str:
    """Put a solver report in words: status, gap as a percentage, seconds.

    Parameters
    ----------
    report : SolveReport or Mapping
        An object with ``status``, ``mip_gap`` and ``solve_seconds`` (and optionally
        ``time_limit_s``), or a summary mapping with :data:`SOLVER_KEYS`.

    Returns
    -------
    str
        E.g. ``"最优 / optimal；间隙 / gap 0.00%；0.28 秒 / s"``; a time-limit stop adds the
        limit.
    """
    if isinstance(report, Mapping):
        get = report.get
        status, gap, seconds = get("solver_status"), get("mip_gap"), get("solve_seconds")
        limit = get("time_limit_s")
    else:
        status = getattr(report, "status", None)
        gap = getattr(report, "mip_gap", None)
        seconds = getattr(report, "solve_seconds", None)
        limit = getattr(report, "time_limit_s", None)
    parts = [", ".join(map(_status_words, str(status).split(","))) if status else MISSING]
    if not is_missing(gap):
        parts.append(f"{both('gap')} {format_value(gap, 'gap')}")
    if not is_missing(seconds):
        s = float(seconds)  # type: ignore[arg-type]
        parts.append(f"{s:,.2f} {both('seconds')}" if s >= 1 else f"{s:.2g} {both('seconds')}")
    if status == "time_limit" and not is_missing(limit):
        parts.append(f"{both('limit')} {format_value(limit)} {both('seconds')}")
    return "；".join(parts)


def _status_words(status: str) -> str:
    key = f"status_{status.strip()}"
    words = both(key)
    return status if words == key else words


def _mode_words(value: object) -> str:
    modes = [m.strip() for m in str(value).split(",")]
    return ", ".join(f"{mode_name(m, 'zh')} / {mode_name(m, 'en')}" for m in modes)


def headline_items(headline: Headline) -> list[tuple[str, str]]:
    """Format the label/value pairs of a two-column headline (solver keys in one line).

    Parameters
    ----------
    headline : Headline
        The headline (its ``items``).

    Returns
    -------
    list of (str, str)
        Label and formatted value, in order; a ``mode`` key becomes ``出行方式 / travel mode``
        with the mode's names, the raw solver keys one ``求解 / solver`` line at the end.
    """
    items = dict(headline.items)
    solver_keys = [k for k in SOLVER_KEYS if k in items]
    solver: object | None = headline.solver
    if solver is None and "solver_status" in items:
        solver = {k: items[k] for k in solver_keys}
    out = []
    for label, value in items.items():
        if label in SOLVER_KEYS:
            continue
        if label == "mode":
            out.append((both("travel_mode"), _mode_words(value)))
        else:
            out.append((label, format_value(value, label)))
    if solver is not None:
        out.append((both("solver"), solver_text(solver)))
    return out


def headline_rows(headline: Headline) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted cells of a many-column headline (its ``rows``).

    Parameters
    ----------
    headline : Headline
        The headline.

    Returns
    -------
    (list of str, list of list of str)
        Column headers (those of the first row) and one list of texts per row, each value
        formatted by :func:`format_value` with its header as the label.
    """
    if not headline.rows:
        return [], []
    headers = [str(h) for h in headline.rows[0]]
    cells = [[format_value(row.get(h), h) for h in headers] for row in headline.rows]
    return headers, cells
