"""Plausibility bounds on registry numbers: a village of 1e12 residents is an error, not data."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from lvliang_coverage.config import InputRules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import _validate

MAX_ABS_NUMBER = 1e15
"""Largest magnitude any number cell may have (below 2**53: integers stay exact in int64)."""

RULE_BOUNDS: dict[tuple[str, str], tuple[str, str]] = {
    ("villages", "population"): ("max_village_residents", "residents per village"),
    ("villages", "households"): ("max_village_households", "households per village"),
    ("relocation sites", "capacity_households"): ("max_site_households", "households per site"),
    ("relocation sites", "occupied_households"): ("max_site_households", "households per site"),
    ("water sources", "capacity_m3d"): ("max_source_capacity_m3d", "m3/day per source"),
    ("water sources", "elevation_m"): ("max_elevation_m", "metres above sea level"),
    ("facilities", "doctors"): ("max_doctors", "doctors per facility"),
}
"""(layer, column) -> (``[inputs]`` rule holding the upper bound, unit in messages)."""

LOWER_BOUNDS: dict[tuple[str, str], tuple[str, str]] = {
    ("water sources", "elevation_m"): ("max_below_sea_m", "metres below sea level"),
}
"""(layer, column) -> (``[inputs]`` rule holding the depth below zero allowed, unit)."""

COLUMN_BOUNDS: dict[tuple[str, str], str] = {
    ("villages", "registered_poor"): "population",
    ("villages", "elderly"): "population",
}
"""(layer, column) -> the column of the same row the value may not exceed."""


@functools.cache
def default_bounds() -> InputRules:
    """Return the shipped ``[inputs]`` rules (used by readers called without ``bounds``)."""
    return load_rules().inputs


def _first(where: np.ndarray) -> int | None:
    """Index of the first True of ``where``, None when there is none."""
    return int(np.flatnonzero(where)[0]) if where.any() else None


def _implausible(message: str, *, file: Path, row: int, column: str) -> InputError:
    """Make the bilingual plausibility error."""
    return InputError(
        f"超出合理范围 / implausible value: {message}", file=file, row=row, column=column
    )


def _bound_message(
    layer: str,
    name: str,
    value: np.ndarray,
    values: Mapping[str, np.ndarray | None],
    bounds: InputRules | None,
) -> tuple[int, str] | None:
    """First cell of column ``name`` beyond a bound and what is wrong with it, or None."""
    if bounds is None and ((layer, name) in RULE_BOUNDS or (layer, name) in LOWER_BOUNDS):
        bounds = default_bounds()
    if (layer, name) in RULE_BOUNDS:
        key, unit = RULE_BOUNDS[layer, name]
        limit = float(getattr(bounds, key))
        i = _first(value > limit)
        if i is not None:
            return i, (
                f"is above {limit:,g} {unit} (rules key inputs.{key}; "
                "raise it with --config only if the value is real)"
            )
    if (layer, name) in LOWER_BOUNDS:
        key, unit = LOWER_BOUNDS[layer, name]
        depth = float(getattr(bounds, key))
        i = _first(value < -depth)
        if i is not None:
            return i, f"is more than {depth:,g} {unit} (rules key inputs.{key})"
    other = COLUMN_BOUNDS.get((layer, name))
    upper = values.get(other) if other is not None else None
    if upper is not None:
        i = _first(value > upper)
        if i is not None:
            return i, f"exceeds {other} ({upper[i]:g})"
    with np.errstate(invalid="ignore"):
        i = _first(np.abs(value) > MAX_ABS_NUMBER)
    if i is not None:
        return i, f"is beyond ±{MAX_ABS_NUMBER:g}"
    return None


def check_bounds(
    values: Mapping[str, np.ndarray | None],
    *,
    layer: str,
    cells: Mapping[str, pd.Series],
    file: Path,
    rows: np.ndarray,
    bounds: InputRules | None,
) -> None:
    """Check parsed number columns against the ``[inputs]`` bounds and each other.

    Parameters
    ----------
    values : Mapping of str to numpy.ndarray or None
        Canonical column -> parsed values as given in the file (NaN where blank; None when
        the file lacks the column). Text and boolean columns are skipped.
    layer : str
        Layer name of the spec (``"villages"``, ``"water sources"`` ...).
    cells : Mapping of str to pandas.Series
        Canonical column -> raw cells, named by the file header (used in messages).
    file, rows :
        For messages.
    bounds : InputRules, optional
        The bounds in force (``Rules.inputs``); None: the shipped defaults, loaded only
        when a bounded column is present.

    Raises
    ------
    InputError
        "超出合理范围 / implausible value ..." at the first cell beyond a bound, naming file,
        row and column; e.g. ``population 1e20 is above 200,000 residents per village``,
        ``registered_poor 11 exceeds population (10)``.
    """
    for name, value in values.items():
        if value is None or value.dtype.kind != "f" or name not in cells:
            continue
        found = _bound_message(layer, name, value, values, bounds)
        if found is not None:
            i, what = found
            shown = _validate.as_text(cells[name].iloc[[i]]).iloc[0]
            raise _implausible(
                f"{name} {shown} {what}", file=file, row=int(rows[i]), column=str(cells[name].name)
            )


def to_int64(
    values: np.ndarray, *, file: Path, rows: np.ndarray, column: str, label: str
) -> np.ndarray:
    """Convert whole numbers (float) to int64 without wrapping.

    Parameters
    ----------
    values : numpy.ndarray of float
        Whole numbers.
    file, rows, column, label :
        For messages.

    Returns
    -------
    numpy.ndarray of int64

    Raises
    ------
    InputError
        At the first value that is not finite or beyond :data:`MAX_ABS_NUMBER` (a value
        int64 cannot hold exactly is an error, never a wrapped number).
    """
    with np.errstate(invalid="ignore"):
        i = _first(~np.isfinite(values) | (np.abs(values) > MAX_ABS_NUMBER))
    if i is not None:
        msg = f"{label} {values[i]:g} is not a whole number within ±{MAX_ABS_NUMBER:g}"
        raise _implausible(msg, file=file, row=int(rows[i]), column=column)
    return values.astype(np.int64)


def fits_int64(values: pd.Series) -> bool:
    """Whether whole numbers in ``values`` (float, no NaN) convert to int64 exactly."""
    return bool((values.abs() <= MAX_ABS_NUMBER).all())
