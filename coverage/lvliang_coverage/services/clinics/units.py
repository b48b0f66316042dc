"""The unit of article 7: administrative villages (行政村) made of settlements (自然村).

Article 7 targets "常住人口在200人以下的村". The unit a county's books keep (a 村委会, a 村卫生室,
a 常住人口 figure) is the administrative village, so by default the 200-resident threshold
applies to the administrative village's residents summed over its settlements, every
settlement with residents is tested against the 2.5 km / 30 min rule, and the administrative
village complies when all of them are served. ``clinic.unit = "settlement"`` applies the rule
to every settlement on its own (the reading of earlier versions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNITS = ("admin_village", "settlement")
"""Accepted values of ``clinic.unit``."""

KEY_SEPARATOR = "|"
"""Joins county, township and administrative-village name into a key when no code is given."""

ADMIN_COLUMNS = [
    "admin_code",
    "admin_village",
    "county",
    "township",
    "mode",
    "population",
    "settlements",
    "settlements_with_residents",
    "settlements_served",
    "residents_served",
    "share_served",
    "small_village",
    "urban",
    "compliant",
    "failing_settlements",
]
"""Columns of ``clinic_compliance_admin.csv``, one row per administrative village and mode."""


def _text(villages: pd.DataFrame, column: str) -> pd.Series:
    """Return a text column of ``villages`` ('' where missing or absent)."""
    if column not in villages.columns:
        return pd.Series("", index=villages.index, dtype=object)
    return villages[column].astype(object).where(villages[column].notna(), "").astype(str)


def unit_keys(villages: pd.DataFrame) -> pd.Series:
    """Key of the administrative village each settlement belongs to.

    The 12-digit ``admin_code`` when the row has one; else county, township and
    ``admin_village`` name joined by :data:`KEY_SEPARATOR`; else the row's own
    ``village_id`` (a registry of 行政村 points: every row is its own unit).

    Parameters
    ----------
    villages : DataFrame
        Villages in the canonical schema (``village_id``, ``county``, ``township``, optional
        ``admin_village`` and ``admin_code``).

    Returns
    -------
    pandas.Series
        One text key per row, index aligned with ``villages``.
    """
    code = _text(villages, "admin_code").str.strip()
    name = _text(villages, "admin_village").str.strip()
    by_name = (
        _text(villages, "county")
        + KEY_SEPARATOR
        + _text(villages, "township")
        + KEY_SEPARATOR
        + name
    )
    own = _text(villages, "village_id")
    key = np.where(code != "", code, np.where(name != "", by_name, own))
    return pd.Series(key, index=villages.index, dtype=object)


def unit_names(villages: pd.DataFrame) -> np.ndarray:
    """Name of the administrative village of each settlement (its own name when none is given)."""
    admin = _text(villages, "admin_village").str.strip().to_numpy(object)
    own = _text(villages, "name").to_numpy(object)
    return np.where(admin != "", admin, own).astype(object)


def unit_codes(villages: pd.DataFrame) -> np.ndarray:
    """Official 12-digit code of the administrative village of each settlement ('' if none)."""
    return _text(villages, "admin_code").str.strip().to_numpy(object)


def urban_mask(villages: pd.DataFrame) -> np.ndarray:
    """Settlements of urban 居委会 (column ``urban``; False where the registry does not say)."""
    if "urban" not in villages.columns:
        return np.zeros(len(villages), dtype=bool)
    return villages["urban"].fillna(False).to_numpy(dtype=bool)


def unit_residents(villages: pd.DataFrame, unit: str) -> np.ndarray:
    """Residents of the unit each settlement belongs to (its own under ``"settlement"``).

    Parameters
    ----------
    villages : DataFrame
        Villages with ``population`` (residents).
    unit : str
        ``"admin_village"`` or ``"settlement"`` (:data:`UNITS`).

    Returns
    -------
    numpy.ndarray
        Residents per row (int).
    """
    if unit not in UNITS:
        msg = f"clinic.unit must be one of {', '.join(UNITS)}, got {unit!r}"
        raise ValueError(msg)
    pop = villages["population"].to_numpy()
    if unit == "settlement":
        return pop
    return (
        pd.Series(pop, index=villages.index)
        .groupby(unit_keys(villages).to_numpy())
        .transform("sum")
    ).to_numpy()


def small_mask(
    villages: pd.DataFrame, *, unit: str, max_residents: int, exclude_urban: bool
) -> np.ndarray:
    """Settlements the article-7 radius rule applies to.

    A settlement is in the rule's target when its unit (the administrative village by
    default, see :func:`unit_residents`) has fewer than ``max_residents`` residents, and,
    with ``exclude_urban``, it is not part of an urban 居委会.

    Returns
    -------
    numpy.ndarray
        Boolean per row.
    """
    small = unit_residents(villages, unit) < max_residents
    if exclude_urban:
        small &= ~urban_mask(villages)
    return small


def admin_compliance(table: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """Aggregate a settlement compliance table to administrative villages, per mode.

    Parameters
    ----------
    table : DataFrame
        Compliance rows (``village_id``, ``name``, ``population``, ``mode``,
        ``small_village``, ``compliant``), one per settlement and mode.
    villages : DataFrame
        The villages of the check (for the administrative-village key, name, code, county,
        township and the ``urban`` flag), matched to ``table`` by ``village_id``.

    Returns
    -------
    pandas.DataFrame
        :data:`ADMIN_COLUMNS`: residents summed, settlements counted (all and with residents),
        settlements and residents served, the share of residents served (0-1; 1 when the
        unit has no residents), ``small_village`` (the unit is in the rule's target),
        ``compliant`` (every settlement with residents complies) and the failing settlements
        (``id 名称`` joined with "；"). Rows in the order of first appearance.
    """
    ids = villages["village_id"].astype(str)
    pos = pd.Index(ids).get_indexer(pd.Index(table["village_id"].astype(str)))
    if (pos < 0).any():
        missing = table["village_id"].astype(str)[pos < 0].iloc[0]
        msg = f"compliance row {missing!r} has no village"
        raise ValueError(msg)
    keys = unit_keys(villages).to_numpy()[pos]
    pop = table["population"].to_numpy()
    inhabited = pop > 0
    ok = table["compliant"].to_numpy(dtype=bool)
    failing = inhabited & ~ok
    label = table["village_id"].astype(str) + " " + table["name"].astype(str)
    admin = _text(villages, "admin_village").to_numpy()[pos]
    t = pd.DataFrame(
        {
            "_key": keys,
            "mode": table["mode"].to_numpy(),
            "admin_code": _text(villages, "admin_code").to_numpy()[pos],
            "admin_village": np.where(admin != "", admin, table["name"].astype(str).to_numpy()),
            "county": _text(villages, "county").to_numpy()[pos],
            "township": _text(villages, "township").to_numpy()[pos],
            "population": pop,
            "_one": 1,
            "_inhabited": inhabited.astype(int),
            "_served": (inhabited & ok).astype(int),
            "_served_pop": np.where(inhabited & ok, pop, 0),
            "_small": table["small_village"].to_numpy(dtype=bool),
            "_urban": urban_mask(villages)[pos],
            "_failing": failing.astype(int),
            "_label": np.where(failing, label, ""),
        }
    )
    g = t.groupby(["mode", "_key"], sort=False)
    out = g.agg(
        admin_code=("admin_code", "first"),
        admin_village=("admin_village", "first"),
        county=("county", "first"),
        township=("township", "first"),
        population=("population", "sum"),
        settlements=("_one", "sum"),
        settlements_with_residents=("_inhabited", "sum"),
        settlements_served=("_served", "sum"),
        residents_served=("_served_pop", "sum"),
        small_village=("_small", "any"),
        urban=("_urban", "any"),
        _failing=("_failing", "sum"),
    ).reset_index()
    labels = t[t["_label"] != ""].groupby(["mode", "_key"], sort=False)["_label"].agg("；".join)
    out = out.join(labels.rename("failing_settlements"), on=["mode", "_key"])
    out["failing_settlements"] = out["failing_settlements"].fillna("")
    residents = out["population"].to_numpy()
    out["share_served"] = np.where(
        residents > 0, out["residents_served"] / np.maximum(residents, 1), 1.0
    )
    out["compliant"] = out["_failing"].to_numpy() == 0
    return out[ADMIN_COLUMNS]
