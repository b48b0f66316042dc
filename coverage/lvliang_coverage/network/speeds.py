"""Travel-mode speed tables: flat-ground speed in km/h per edge by OSM highway class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.terrain import tobler_max_factor


class TaggedEdges(Protocol):
    """Edges (or distinct tag sets) whose OSM tags decide speed and access.

    :class:`~lvliang_coverage.network._edges.EdgeArrays` (one row per graph edge) and
    :class:`~lvliang_coverage.network.roadbase.TagTable` (one row per distinct tag set of a
    road base) both are.
    """

    highway: np.ndarray
    """OSM ``highway`` per row (object array, None where absent)."""
    tracktype: np.ndarray
    """OSM ``tracktype`` per row (object array, None where absent)."""

    def tag(self, key: str) -> np.ndarray:
        """Values of a tag per row, lower-case and stripped; ``""`` where absent."""
        ...


WALK = "walk"
"""Mode name of walking: Tobler's hiking function, one-way restrictions ignored."""

_NON_CLASS_KEYS = {
    "flat_kmh",
    "highways",
    "track_grade_factor",
    "steep_grade",
    "steep_factor",
    "access_tags",
}

WALK_ACCESS_TAGS = ("foot", "access")
"""Access tags of a walking mode without ``access_tags``, most specific first."""

MOTOR_ACCESS_TAGS = ("motor_vehicle", "vehicle", "access")
"""Access tags of a motor mode without ``access_tags``, most specific first."""


def mode_table(mode: str, rules: Rules | None = None) -> Mapping[str, Any]:
    """Speed table of a travel mode.

    Parameters
    ----------
    mode : str
        ``"walk"``, ``"motorcycle"``, ``"car"`` or any mode added in the rules.
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    Mapping
        The ``[speeds.<mode>]`` table (km/h by OSM highway class, factors).

    Raises
    ------
    InputError
        For an unknown mode.
    """
    rules = rules or load_rules()
    if mode not in rules.speeds:
        msg = (
            f"未知的出行方式 {mode!r} / unknown travel mode {mode!r}; "
            f"configured modes: {', '.join(rules.modes)}"
        )
        raise InputError(msg, column="mode")
    return rules.speeds[mode]


def is_walking(mode: str, rules: Rules | None = None) -> bool:
    """Whether ``mode`` is a walking mode (has ``flat_kmh``: Tobler speeds, no one-way)."""
    return "flat_kmh" in mode_table(mode, rules)


def max_speed_mps(mode: str, rules: Rules | None = None) -> float:
    """Highest speed any edge can have in ``mode``, metres per second (a bound for pruning)."""
    table = mode_table(mode, rules)
    if "flat_kmh" in table:
        return float(table["flat_kmh"]) * tobler_max_factor() / 3.6
    speeds = [float(v) for k, v in table.items() if k not in _NON_CLASS_KEYS]
    return max(speeds) / 3.6


def access_tags(mode: str, rules: Rules | None = None) -> tuple[str, ...]:
    """OSM access tags deciding whether ``mode`` may use a road, most specific first.

    Parameters
    ----------
    mode : str
        Travel mode.
    rules : Rules, optional
        Rules in force (``[speeds.<mode>] access_tags``).

    Returns
    -------
    tuple of str
        E.g. ``("motorcar", "motor_vehicle", "vehicle", "access")`` for cars; a mode without
        ``access_tags`` gets :data:`WALK_ACCESS_TAGS` or :data:`MOTOR_ACCESS_TAGS`.
    """
    table = mode_table(mode, rules)
    default = WALK_ACCESS_TAGS if "flat_kmh" in table else MOTOR_ACCESS_TAGS
    return tuple(str(t) for t in table.get("access_tags", default))


def access_allowed(edges: TaggedEdges, mode: str, rules: Rules | None = None) -> np.ndarray:
    """Whether the OSM access tags let ``mode`` use each edge.

    The most specific of the mode's :func:`access_tags` present on an edge decides (the OSM
    access hierarchy): a value in ``network.access_forbidden`` (``no``, ``private``) forbids,
    any other value (``yes``, ``designated``, ``permissive``, ``destination``, ...) allows, and
    an edge without any of the tags is allowed. So ``access=no`` + ``foot=yes`` is open to
    walking only, ``motorcar=no`` closes a road to cars but not to motorcycles or walking.

    Parameters
    ----------
    edges : TaggedEdges
        Edge arrays of a graph, or the tag sets of a road base.
    mode : str
        Travel mode.
    rules : Rules, optional
        Rules in force.

    Returns
    -------
    numpy.ndarray
        Boolean per edge, in the order of ``edges``.
    """
    rules = rules or load_rules()
    forbidden = np.asarray(sorted(rules.network.access_forbidden), dtype=object)
    allowed = np.ones(len(edges.highway), dtype=bool)
    decided = np.zeros(len(edges.highway), dtype=bool)
    for key in access_tags(mode, rules):
        value = edges.tag(key)
        here = ~decided & (value != "")
        allowed[here] = ~np.isin(value[here], forbidden)
        decided |= here
    return allowed


def edge_speeds(edges: TaggedEdges, mode: str, rules: Rules | None = None) -> np.ndarray:
    """Speed on flat ground in km/h per edge; NaN where the mode may not use the edge.

    Walking: ``flat_kmh`` on the classes listed in ``highways``. Motor modes: the km/h of the
    highway class times ``track_grade_factor[tracktype]`` (a factor of 0 forbids the edge);
    classes without a speed are forbidden. In every mode an edge the OSM access tags close
    to the mode is forbidden (:func:`access_allowed`). Slope is not applied here (see
    :func:`lvliang_coverage.network.travel.segment_speed_kmh`).

    Parameters
    ----------
    edges : TaggedEdges
        Edge arrays of a graph (:func:`lvliang_coverage.network._edges.edge_arrays`) or the
        tag sets of a road base (``RoadBase.tags``); the OSM ``highway`` and ``tracktype``
        values and the access tags are read (None where absent).
    mode : str
        Travel mode.
    rules : Rules, optional
        Rules in force (``[speeds.<mode>]``, km/h).

    Returns
    -------
    numpy.ndarray
        km/h per edge, in the order of ``edges``.
    """
    table = mode_table(mode, rules)
    hw = np.asarray(edges.highway, dtype=object).astype(str)
    access = access_allowed(edges, mode, rules)
    if "flat_kmh" in table:
        allowed = np.isin(hw, np.asarray(list(table.get("highways", ())), dtype=str))
        return np.where(allowed & access, float(table["flat_kmh"]), np.nan)
    classes = {k: float(v) for k, v in table.items() if k not in _NON_CLASS_KEYS}
    names = np.asarray(list(classes), dtype=str)
    values = np.asarray(list(classes.values()), dtype=float)
    order = np.argsort(names)
    names, values = names[order], values[order]
    pos = np.clip(np.searchsorted(names, hw), 0, max(len(names) - 1, 0))
    found = names[pos] == hw if len(names) else np.zeros(len(hw), dtype=bool)
    speed = np.where(found, values[pos] if len(names) else np.nan, np.nan)
    factors = table.get("track_grade_factor", {})
    if factors:
        tt = np.asarray(edges.tracktype, dtype=object).astype(str)
        factor = np.ones(len(hw))
        for grade, f in factors.items():
            factor[tt == grade] = float(f)
        speed = speed * factor
    speed[~(speed > 0) | ~access] = np.nan
    return speed
