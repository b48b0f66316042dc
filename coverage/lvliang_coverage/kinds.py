"""Facility kinds: canonical names, accepted spellings, zh/en labels, map icon and colour.

Kinds are shared between services (village clinics serve the clinic check, the resettlement
evaluation and day-care alike), so they are declared once here. A service that needs a kind
of its own declares a :class:`FacilityKind` and calls :func:`register_kind` when its module
is imported (see ``lvliang_coverage.services.registry``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

LAYERS = ("facilities", "water_sources")
"""Registry layers whose ``kind`` column is read through this table."""

SHAPES = (
    "cross_circle",
    "cross_square",
    "h_square",
    "house",
    "diamond",
    "hexagon",
    "drop",
    "heart",
    "dot",
)
"""Icon shapes the map layer knows how to draw (inline SVG)."""


@dataclass(frozen=True)
class FacilityKind:
    """One kind of facility a registry row can be.

    Attributes
    ----------
    name : str
        Canonical kind, e.g. ``"clinic"`` (the value of the ``kind`` column after reading).
    label_zh, label_en : str
        Plural labels for legends and tables, e.g. ``"村卫生室"`` / ``"Village clinics"``.
    aliases : tuple of str
        Other spellings accepted in the ``kind`` column (matched after normalising case and
        spaces), e.g. ``("村卫生室", "卫生室")``.
    shape : str
        Icon shape on maps, one of :data:`SHAPES`.
    colour : str
        Main colour of the icon (``#rrggbb``); no result class of any map uses it.
    icon_px : int
        Icon size in pixels.
    layer : str
        ``"facilities"`` or ``"water_sources"``: which input layer the kind belongs to.
    """

    name: str
    label_zh: str
    label_en: str
    aliases: tuple[str, ...] = ()
    shape: str = "dot"
    colour: str = "#8c8c8c"
    icon_px: int = 16
    layer: str = "facilities"

    def label(self, lang: str = "zh") -> str:
        """Label in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.label_zh if lang == "zh" else self.label_en


_BUILTIN = (
    FacilityKind(
        "clinic",
        "村卫生室",
        "Village clinics",
        ("村卫生室", "卫生室", "中心村卫生室", "卫生所"),
        "cross_circle",
        "#8e24aa",
    ),
    FacilityKind(
        "health_centre",
        "乡镇卫生院",
        "Township health centres",
        ("health_center", "乡镇卫生院", "卫生院", "中心卫生院", "社区卫生服务中心"),
        "cross_square",
        "#6a1b9a",
        20,
    ),
    FacilityKind(
        "hospital",
        "县医院",
        "County hospitals",
        ("县医院", "医院", "县级医院", "人民医院"),
        "h_square",
        "#4a148c",
        22,
    ),
    FacilityKind(
        "school",
        "学校",
        "Schools",
        ("学校", "小学", "中学", "初中", "九年一贯制学校", "幼儿园"),
        "house",
        "#1565c0",
    ),
    FacilityKind(
        "workshop",
        "扶贫车间、农业基地",
        "Poverty workshops and agri bases",
        ("扶贫车间", "车间", "农业基地", "设施农业基地", "加工车间", "农产品加工车间"),
        "diamond",
        "#6d4c41",
    ),
    FacilityKind(
        "industrial_park",
        "产业园区",
        "Industrial parks",
        ("产业园区", "园区", "工业园区"),
        "hexagon",
        "#455a64",
        20,
    ),
    FacilityKind(
        "spring",
        "泉水",
        "Springs",
        ("泉", "泉水", "山泉"),
        "drop",
        "#0288d1",
        layer="water_sources",
    ),
    FacilityKind(
        "well",
        "水井",
        "Wells",
        ("井", "水井", "机井", "深井"),
        "drop",
        "#01579b",
        layer="water_sources",
    ),
    FacilityKind(
        "reservoir",
        "水库、水窖",
        "Reservoirs and cisterns",
        ("水库", "水窖"),
        "drop",
        "#006064",
        layer="water_sources",
    ),
    FacilityKind(
        "river_intake",
        "河道取水口",
        "River intakes",
        ("河道取水", "取水口", "河水"),
        "drop",
        "#00838f",
        layer="water_sources",
    ),
    FacilityKind(
        "plant",
        "水厂、供水站",
        "Water plants",
        ("水厂", "自来水厂", "供水站"),
        "drop",
        "#004d40",
        18,
        layer="water_sources",
    ),
)

_KINDS: dict[str, FacilityKind] = {k.name: k for k in _BUILTIN}


def normalize(text: str) -> str:
    """Normalise a kind spelling for matching: lower case, no spaces, underscores or hyphens.

    Parameters
    ----------
    text : str
        A value of a ``kind`` column or an alias.

    Returns
    -------
    str
        The normalised text.
    """
    return re.sub(r"[\s_\-]+", "", str(text)).lower()


def register_kind(kind: FacilityKind) -> FacilityKind:
    """Add a facility kind (idempotent for an identical declaration).

    Parameters
    ----------
    kind : FacilityKind
        The kind to add.

    Returns
    -------
    FacilityKind
        ``kind``, so that a module can write ``DAYCARE = register_kind(FacilityKind(...))``.

    Raises
    ------
    ValueError
        When another kind of that name, or one claiming one of its aliases, is registered
        already, or the shape or layer is unknown.
    """
    if kind.shape not in SHAPES:
        msg = f"unknown icon shape {kind.shape!r}; use one of {', '.join(SHAPES)}"
        raise ValueError(msg)
    if kind.layer not in LAYERS:
        msg = f"unknown layer {kind.layer!r}; use one of {', '.join(LAYERS)}"
        raise ValueError(msg)
    old = _KINDS.get(kind.name)
    if old is not None and old != kind:
        msg = f"facility kind {kind.name!r} is registered already with other settings"
        raise ValueError(msg)
    taken = accepted(kind.layer)
    for alias in (kind.name, *kind.aliases):
        owner = taken.get(normalize(alias))
        if owner is not None and owner != kind.name:
            msg = f"alias {alias!r} of kind {kind.name!r} already names kind {owner!r}"
            raise ValueError(msg)
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> FacilityKind:
    """Look up the registered kind called ``name``.

    Parameters
    ----------
    name : str
        Canonical kind.

    Returns
    -------
    FacilityKind
        The kind; an unregistered name gets a grey-dot kind labelled with the name itself.
    """
    return _KINDS.get(name) or FacilityKind(name, name, name)


def registered(layer: str | None = None) -> tuple[FacilityKind, ...]:
    """List the registered kinds in registration order, optionally of one layer only."""
    return tuple(k for k in _KINDS.values() if layer is None or k.layer == layer)


def accepted(layer: str) -> dict[str, str]:
    """Map the accepted spellings of the kinds of ``layer`` (normalised) to canonical kinds.

    Parameters
    ----------
    layer : str
        ``"facilities"`` or ``"water_sources"``.

    Returns
    -------
    dict of str to str
        E.g. ``{"clinic": "clinic", "村卫生室": "clinic", ...}``.
    """
    out: dict[str, str] = {}
    for k in registered(layer):
        for alias in (k.name, *k.aliases):
            out.setdefault(normalize(alias), k.name)
    return out


def labels(names: Iterable[str], lang: str = "zh") -> list[str]:
    """Labels of several kinds in ``lang``, in the order given."""
    return [get(n).label(lang) for n in names]


def idle_rows(facilities: pd.DataFrame) -> np.ndarray:
    """Flag the idle buildings of a facility layer (``idle`` true: not a working facility).

    An idle school or clinic (article 25: a day-care candidate) teaches or treats no one, so
    every service and map leaves it out of the working facilities.

    Parameters
    ----------
    facilities : DataFrame
        A facility layer; without an ``idle`` column it has no idle rows.

    Returns
    -------
    numpy.ndarray of bool
        One flag per row.
    """
    import numpy as np  # noqa: PLC0415 - the kind table itself stays free of numpy (fast start)

    if "idle" not in facilities.columns:
        return np.zeros(len(facilities), dtype=bool)
    return facilities["idle"].fillna(False).astype(bool).to_numpy()
