"""Off-road leg models: seconds to walk from a point to its join point on the road network."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np

from lvliang_coverage.config import NetworkRules, Rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.terrain import tobler_speed_kmh

MODEL_KEY = "network.offroad_model"
"""Rules key selecting the off-road leg model."""


OffroadModel: TypeAlias = Callable[
    [np.ndarray, np.ndarray, np.ndarray, NetworkRules, float], np.ndarray
]
"""Walking time of off-road legs, a vectorised function of the legs' straight lines.

Called with positional arguments only.

Parameters
----------
length_m : numpy.ndarray
    Straight-line length of every leg in metres (metric CRS), start to end.
z_start, z_end : numpy.ndarray
    Elevation in metres at the start and end of every leg; NaN where unknown (no DEM, or
    the point is off the DEM).
network : NetworkRules
    The rules' network settings (``offpath_factor``, ``offroad_winding``, ...).
flat_kmh : float
    Walking speed on flat ground in km/h (rules ``speeds.walk.flat_kmh``).

Returns
-------
numpy.ndarray
    Seconds to walk every leg from start to end (same shape as ``length_m``).
"""


def tobler_straight(
    length_m: np.ndarray,
    z_start: np.ndarray,
    z_end: np.ndarray,
    network: NetworkRules,
    flat_kmh: float,
    /,
) -> np.ndarray:
    """Tobler walking on the straight-line slope, slowed off paths and lengthened by winding.

    ``t = length_m * offroad_winding / (tobler(S, flat_kmh) * offpath_factor / 3.6)`` with
    ``S = (z_end - z_start) / length_m`` (flat where an elevation is NaN or the leg is empty).

    Parameters
    ----------
    length_m : numpy.ndarray
        Straight-line leg lengths in metres.
    z_start, z_end : numpy.ndarray
        Elevations in metres at the leg ends (NaN = unknown).
    network : NetworkRules
        ``offpath_factor`` (speed multiplier) and ``offroad_winding`` (walked / straight).
    flat_kmh : float
        Walking speed on flat ground in km/h.

    Returns
    -------
    numpy.ndarray
        Seconds per leg.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.nan_to_num(np.where(length_m > 0, (z_end - z_start) / length_m, 0.0))
    speed_mps = tobler_speed_kmh(slope, flat_kmh) * network.offpath_factor / 3.6
    return length_m * network.offroad_winding / speed_mps


OFFROAD_MODELS: dict[str, OffroadModel] = {"tobler_straight": tobler_straight}
"""Off-road leg models by the name used in the rules key ``network.offroad_model``."""


def register_offroad_model(name: str, fn: OffroadModel) -> None:
    """Register (or replace) an off-road leg model under ``name``.

    Parameters
    ----------
    name : str
        Name to select it with in the rules (``network.offroad_model``).
    fn : OffroadModel
        The model: seconds per leg from lengths (metres) and end elevations (metres).
    """
    OFFROAD_MODELS[name] = fn


def offroad_model(rules: Rules) -> OffroadModel:
    """Look up the off-road leg model selected in the rules.

    Parameters
    ----------
    rules : Rules
        Rules in force (``network.offroad_model``).

    Returns
    -------
    OffroadModel
        The registered model.

    Raises
    ------
    InputError
        When no model of that name is registered; the error names ``network.offroad_model``.
    """
    name = rules.network.offroad_model
    if name not in OFFROAD_MODELS:
        known = ", ".join(sorted(OFFROAD_MODELS))
        msg = (
            f"{MODEL_KEY} = {name!r} 不是已注册的路外步行模型 / "
            f"{MODEL_KEY} = {name!r} is not a registered off-road model (known: {known})"
        )
        raise InputError(msg, file=rules.source_of(MODEL_KEY), column=MODEL_KEY)
    return OFFROAD_MODELS[name]


def walk_flat_kmh(rules: Rules) -> float:
    """Return the flat-ground walking speed (km/h) of off-road legs, whatever the mode.

    Parameters
    ----------
    rules : Rules
        Rules in force: ``speeds.walk.flat_kmh``, else the first mode table with ``flat_kmh``.

    Returns
    -------
    float
        km/h.
    """
    walk = rules.speeds.get("walk", {})
    return float(
        walk.get("flat_kmh")
        or next(t["flat_kmh"] for t in rules.speeds.values() if "flat_kmh" in t)
    )
