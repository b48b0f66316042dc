"""Elderly demand (residents aged 60+) per village, estimated where the registry lacks it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.services.access import PLACE_COLUMNS, place_columns
from lvliang_coverage.services.daycare.columns import ELDERLY
from lvliang_coverage.services.daycare.settings import DaycareRules

DEMAND_COLUMNS = [*PLACE_COLUMNS, "elderly", "elderly_estimated"]
"""Columns of every village's elderly demand (residents aged 60+, estimated or not)."""


def elderly_demand(villages: pd.DataFrame, settings: DaycareRules) -> tuple[np.ndarray, np.ndarray]:
    """Residents aged 60 and over per village, and whether each figure is an estimate.

    Where the registry has no ``elderly`` column, or a village's value is missing, the
    figure is ``round(population x daycare.elderly_share_default)`` (a planning estimate).
    Figures are capped at the village population.

    Parameters
    ----------
    villages : DataFrame
        Villages with ``population`` (residents) and optionally ``elderly`` (residents).
    settings : DaycareRules
        The day-care settings (``elderly_share_default``, 0-1).

    Returns
    -------
    elderly : numpy.ndarray of int64
        Residents aged 60+ per village, in input order.
    estimated : numpy.ndarray of bool
        True where the figure was estimated from the population.
    """
    population = pd.to_numeric(villages["population"], errors="coerce").fillna(0).to_numpy(float)
    estimate = np.rint(population * settings.elderly_share_default)
    if ELDERLY in villages.columns:
        given = pd.to_numeric(villages[ELDERLY], errors="coerce").to_numpy(float)
    else:
        given = np.full(len(villages), np.nan)
    estimated = np.isnan(given)
    elderly = np.where(estimated, estimate, np.minimum(given, population))
    return elderly.astype(np.int64), estimated


def demand_table(villages: pd.DataFrame, settings: DaycareRules) -> pd.DataFrame:
    """Tabulate every village's elderly demand (:data:`DEMAND_COLUMNS`, input order)."""
    elderly, estimated = elderly_demand(villages, settings)
    return pd.DataFrame(
        {**place_columns(villages), "elderly": elderly, "elderly_estimated": estimated}
    )
