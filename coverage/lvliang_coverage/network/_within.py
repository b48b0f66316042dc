"""The frame every ``within`` query returns: limits checked, pairs kept, sorted by origin."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.errors import InputError


def check_limits(max_m: float | None, max_s: float | None) -> None:
    """Refuse a ``within`` query with neither a distance (metres) nor a time (seconds) limit."""
    if max_m is None and max_s is None:
        msg = "within() 需要 max_m 或 max_s（或两者） / within() needs max_m and/or max_s"
        raise InputError(msg, column="max_m")


def no_pairs() -> pd.DataFrame:
    """Return the empty result: ``origin_id``, ``destination_id``, ``network_m``, ``time_s``."""
    return pd.DataFrame(
        {
            "origin_id": pd.Series([], dtype=object),
            "destination_id": pd.Series([], dtype=object),
            "network_m": pd.Series([], dtype=float),
            "time_s": pd.Series([], dtype=float),
        }
    )


def pairs_within(  # noqa: PLR0917 - private helper with positional query arrays
    o_ids: np.ndarray,
    d_ids: np.ndarray,
    oi: np.ndarray,
    di: np.ndarray,
    res_m: np.ndarray,
    res_s: np.ndarray,
    max_m: float | None,
    max_s: float | None,
) -> pd.DataFrame:
    """Keep the candidate pairs within the limits, sorted by origin then time.

    Parameters
    ----------
    o_ids, d_ids : numpy.ndarray
        Origin and destination ids by position.
    oi, di : numpy.ndarray
        Origin and destination positions of every candidate pair.
    res_m, res_s : numpy.ndarray
        Network metres and seconds per pair (inf or NaN where not reached).
    max_m, max_s : float or None
        Limits in metres and seconds.

    Returns
    -------
    pandas.DataFrame
        ``origin_id``, ``destination_id``, ``network_m``, ``time_s``.
    """
    keep = np.isfinite(res_m) & np.isfinite(res_s)
    if max_m is not None:
        keep &= res_m <= max_m
    if max_s is not None:
        keep &= res_s <= max_s
    out = pd.DataFrame(
        {
            "origin_id": o_ids[oi[keep]],
            "destination_id": d_ids[di[keep]],
            "network_m": res_m[keep],
            "time_s": res_s[keep],
            "_o": oi[keep],
        }
    )
    out = out.sort_values(["_o", "time_s"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)
