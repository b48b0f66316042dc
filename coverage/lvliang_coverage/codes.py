"""Machine codes in tables: reason and status flags joined into one ``;``-separated text."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

CODE_SEPARATOR = ";"
"""Separator of machine codes in a table column, e.g. ``"off_network;too_slow"``."""

CITY_TOTAL = "全市"
"""Value of the ``county`` column on city-total rows of every table (translated on output)."""


def join_codes(flags: Mapping[str, np.ndarray]) -> np.ndarray:
    """Join the codes whose flag is set, in the mapping's order, with ``;`` (vectorised).

    Parameters
    ----------
    flags : Mapping of str to boolean array
        One boolean array per code, all of the same length.

    Returns
    -------
    numpy.ndarray of str (object)
        E.g. ``"off_network;too_slow"``; empty where no flag is set.
    """
    n = len(next(iter(flags.values()))) if flags else 0
    out = np.full(n, "", dtype=object)
    for code, flag in flags.items():
        sep = np.where(out == "", "", CODE_SEPARATOR)
        out = np.where(flag, out + sep + code, out)
    return out
