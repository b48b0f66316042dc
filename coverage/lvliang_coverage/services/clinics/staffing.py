"""Township health-centre doctors required by article 8, compared with current staff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules, load_rules

TOWNSHIP_COLUMNS = [
    "county",
    "township",
    "population",
    "required_doctors",
    "current_doctors",
    "shortfall",
]


def required_doctors(population: np.ndarray | pd.Series, rules: Rules | None = None) -> np.ndarray:
    """Doctors a township health centre (乡镇卫生院) needs under article 8.

    Parameters
    ----------
    population : array-like of int
        Township residents (人口).
    rules : Rules, optional
        Rules in force; the shipped defaults when omitted (10,000 residents; 3 doctors at or
        above, 2 below).

    Returns
    -------
    numpy.ndarray of int
        Required doctors per township.
    """
    s = (rules or load_rules()).staffing
    pop = np.asarray(population)
    return np.where(pop >= s.large_township_min_residents, s.doctors_large, s.doctors_small)


def township_staffing(
    villages: pd.DataFrame,
    health_centres: pd.DataFrame | None,
    rules: Rules | None = None,
) -> pd.DataFrame:
    """Residents, required and current doctors, and the shortfall per township.

    Parameters
    ----------
    villages : DataFrame
        Villages with ``county``, ``township`` and ``population`` (residents).
    health_centres : DataFrame or None
        Township health centres with ``county``, ``township`` and ``doctors`` (current
        doctors). Townships without a centre count zero doctors; several centres in one
        township add up. None when no health-centre registry was given: the current
        doctors and the shortfall are then unknown (``<NA>``), not zero.
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    DataFrame
        One row per township (columns :data:`TOWNSHIP_COLUMNS`), sorted by county and
        township. ``shortfall`` is the number of doctors missing (never negative).
    """
    pop = villages.groupby(["county", "township"], as_index=False)["population"].sum()
    if health_centres is None:
        table = pop.assign(population=pop["population"].astype(int))
        table["required_doctors"] = required_doctors(table["population"], rules)
        table["current_doctors"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["shortfall"] = pd.array([pd.NA] * len(table), dtype="Int64")
        return table[TOWNSHIP_COLUMNS].sort_values(["county", "township"]).reset_index(drop=True)
    staff = (
        health_centres.assign(doctors=pd.to_numeric(health_centres["doctors"]).fillna(0))
        .groupby(["county", "township"])["doctors"]
        .sum()
        .reset_index(name="current_doctors")
    )
    table = pop.merge(staff, on=["county", "township"], how="left")
    table["current_doctors"] = table["current_doctors"].fillna(0).astype(int)
    table["population"] = table["population"].astype(int)
    table["required_doctors"] = required_doctors(table["population"], rules)
    table["shortfall"] = (table["required_doctors"] - table["current_doctors"]).clip(lower=0)
    return table[TOWNSHIP_COLUMNS].sort_values(["county", "township"]).reset_index(drop=True)


def county_staffing(townships: pd.DataFrame) -> pd.DataFrame:
    """Sum a :func:`township_staffing` table per county.

    Columns ``county``, ``townships``, ``population``, ``required_doctors``,
    ``current_doctors``, ``shortfall`` and ``townships_short`` (townships with a shortfall);
    the last three are ``<NA>`` when the current doctors are unknown.
    """
    short = (townships["shortfall"] > 0).astype("boolean")
    grouped = townships.assign(short=short).groupby("county")
    return pd.DataFrame(
        {
            "townships": grouped.size(),
            "population": grouped["population"].sum(),
            "required_doctors": grouped["required_doctors"].sum(),
            "current_doctors": grouped["current_doctors"].sum(min_count=1),
            "shortfall": grouped["shortfall"].sum(min_count=1),
            "townships_short": grouped["short"].sum(min_count=1),
        }
    ).reset_index()
