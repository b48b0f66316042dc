"""Map styling lookups: colours, road classes, facility icons (inline SVG) and legend swatches."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lvliang_coverage import kinds
from lvliang_coverage.maps._encode import esc

CATEGORY_COLOURS = (
    "#1f78b4",
    "#e31a1c",
    "#33a02c",
    "#ff7f00",
    "#6a3d9a",
    "#b15928",
    "#a6cee3",
    "#fb9a99",
    "#b2df8a",
    "#fdbf6f",
    "#cab2d6",
    "#8c8c8c",
)
"""Colours for categories without a palette, in order of first use."""

RESULT_COLOURS = {
    "ok": "#2ca02c",
    "fail": "#e41a1c",
    "planned": "#ff8c00",
    "uncoverable": "#67000d",
    "none": "#e6e9f2",
}
"""Colours of the result classes every service map uses: met (green), not met (red), met once
a plan is built (orange), beyond any plan (dark red) and not concerned (pale grey). No facility
icon (:mod:`lvliang_coverage.kinds`), road class or river uses any of them."""

BOOL_COLOURS = {True: RESULT_COLOURS["ok"], False: RESULT_COLOURS["fail"]}
"""Colours of a boolean status: true (e.g. compliant) green, false red."""

MISSING_COLOUR = "#dcdcf0"
"""Colour of features whose category is missing."""

SHARE_COLOURS = ("#d7191c", "#f4874f", "#ffe066", "#b8e186", "#4dac26")
"""Fills of the share classes (see :data:`SHARE_EDGES`), from the lowest share to all served."""

SHARE_EDGES = (0.25, 0.5, 0.75, 1.0)
"""Upper bounds (exclusive) of the share classes but the last: 0-24 %, 25-49 %, 50-74 %,
75-99 %, 100 % (all served)."""

SHARE_FILL_OPACITY = 0.6
"""Fill opacity of the areas coloured by share."""

SHARE_MAX_ZOOM = 11
"""Areas coloured by share are drawn below this zoom (city and county); villages from it on."""

ISOCHRONE_COLOURS = ("#006837", "#31a354", "#78c679", "#addd8e", "#d9f0a3", "#ffffcc")
"""Isochrone fills from the shortest to the longest time."""

VILLAGE_COLOUR = "#5e5e5e"
"""Colour of villages drawn without a status (e.g. the overview): a neutral dark grey."""

VILLAGE_RADIUS_PX = (2.5, 12.0)
"""Smallest and largest village dot radius in screen pixels."""

VILLAGE_RADIUS_PER_SQRT_RESIDENT = 0.15
"""Dot radius grows with the square root of residents: pixels per sqrt(resident)."""

VILLAGE_LEGEND_RESIDENTS = (50, 500, 2000)
"""Residents shown in the dot-size legend."""

# (key, OSM highway values, colour, weight px, dash, smallest zoom shown)
ROAD_CLASSES: tuple[tuple[str, tuple[str, ...], str, float, str | None, int], ...] = (
    (
        "road_major",
        ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link"),
        "#666666",
        3.0,
        None,
        0,
    ),
    (
        "road_secondary",
        ("secondary", "secondary_link", "tertiary", "tertiary_link"),
        "#999999",
        2.0,
        None,
        0,
    ),
    (
        "road_rural",
        ("unclassified", "residential", "living_street", "service", "road"),
        "#c2b49b",
        1.2,
        None,
        10,
    ),
    (
        "road_track",
        ("track", "path", "footway", "bridleway", "steps", "pedestrian", "cycleway"),
        "#a89272",
        1.0,
        "3 3",
        12,
    ),
)
"""Road display classes, in greys and tans so that no result class looks like a road; unknown
highway values are drawn as rural roads."""

ROAD_TOLERANCE_M = 15.0
"""Default simplification tolerance of roads, metres."""

ROAD_MAX_LINES = 100_000
"""Most road lines a map draws (about ten times the default city's 10,131). Beyond it the
lowest display classes are left out, whole classes from the bottom of :data:`ROAD_CLASSES`
(the highest class present is always drawn), so a province map stays a file a browser opens
(the 2M-node synthetic Shanxi drew 144 MB with every road)."""

BOUNDARY_TOLERANCE_M = 20.0
"""Simplification tolerance of boundaries, metres."""

RIVER_COLOUR = "#6baed6"
RIVER_WEIGHTS = {1: 3.0, 2: 2.0, 3: 1.3}
"""River line width in pixels by ``level`` (1 = Yellow River and main rivers)."""

BOUNDARY_STYLES: dict[str, dict[str, Any]] = {
    "city": {"color": "#222222", "weight": 3.0, "fill": False},
    "county": {"color": "#4d4d4d", "weight": 2.0, "dashArray": "8 4", "fill": False},
    "township": {"color": "#8a8a8a", "weight": 1.0, "dashArray": "2 3", "fill": False},
}

LABEL_ZOOMS: dict[str, tuple[float | None, float | None]] = {
    "city": (None, None),
    "county": (None, 11),
    "township": (10, None),
}
"""Zooms ``(from, below)`` at which area names are written on the map: county names at city
and county scale, township names from county scale on."""

_CROSS = '<path d="M{a} {b}h{w}v{w}h{w}v{w}h-{w}v{w}h-{w}v-{w}h-{w}v-{w}h{w}z" fill="{fg}"/>'


def _cross(size: int, fg: str) -> str:
    w = size / 6
    return _CROSS.format(a=f"{2.5 * w:g}", b=f"{1.5 * w:g}", w=f"{w:g}", fg=fg)


def _svg(size: int, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}">{body}</svg>'
    )


def _tile(s: int, c: str, rx: int) -> str:
    """Draw the ground of the square icons: a rounded square of colour ``c``, white outline."""
    return (
        f'<rect x="1" y="1" width="{s - 2}" height="{s - 2}" rx="{rx}" fill="{c}" stroke="#fff"/>'
    )


def _cross_circle(s: int, h: float, c: str) -> str:
    return (
        f'<circle cx="{h}" cy="{h}" r="{h - 1}" fill="#fff" stroke="{c}" '
        f'stroke-width="1.5"/>' + _cross(s, c)
    )


def _cross_square(s: int, _h: float, c: str) -> str:
    return _tile(s, c, 3) + _cross(s, "#fff")


def _h_square(s: int, h: float, c: str) -> str:
    return _tile(s, c, 2) + (
        f'<text x="{h}" y="{h}" dy=".36em" text-anchor="middle" font-size="{0.7 * s:g}" '
        'font-weight="700" font-family="Arial" fill="#fff">H</text>'
    )


def _house(s: int, h: float, c: str) -> str:
    return (
        f'<path d="M{h} 1L{s - 1} {0.45 * s:g}V{s - 1}H1V{0.45 * s:g}z" fill="{c}" '
        f'stroke="#fff"/><rect x="{0.38 * s:g}" y="{0.58 * s:g}" width="{0.24 * s:g}" '
        f'height="{0.42 * s - 1:g}" fill="#fff"/>'
    )


def _diamond(s: int, h: float, c: str) -> str:
    return (
        f'<path d="M{h} 1L{s - 1} {h}L{h} {s - 1}L1 {h}z" fill="{c}" '
        f'stroke="#fff"/><circle cx="{h}" cy="{h}" r="{0.14 * s:g}" fill="#fff"/>'
    )


def _hexagon(s: int, h: float, c: str) -> str:
    return (
        f'<path d="M{0.27 * s:g} 1H{0.73 * s:g}L{s - 1} {h}L{0.73 * s:g} '
        f'{s - 1}H{0.27 * s:g}L1 {h}z" fill="{c}" stroke="#fff"/>'
    )


def _drop(s: int, h: float, c: str) -> str:
    return (
        f'<path d="M{h} 1Q{0.86 * s:g} {0.44 * s:g} {0.86 * s:g} {0.63 * s:g}'
        f"A{0.36 * s:g} {0.36 * s:g} 0 0 1 {0.14 * s:g} {0.63 * s:g}"
        f'Q{0.14 * s:g} {0.44 * s:g} {h} 1z" fill="{c}" stroke="#fff"/>'
        f'<circle cx="{0.38 * s:g}" cy="{0.66 * s:g}" r="{0.09 * s:g}" fill="#fff" '
        f'fill-opacity=".8"/>'
    )


def _heart(s: int, h: float, c: str) -> str:
    return _tile(s, c, 3) + (
        f'<path d="M{h} {0.8 * s:g}L{0.21 * s:g} {0.5 * s:g}'
        f"A{0.17 * s:g} {0.17 * s:g} 0 0 1 {h} {0.33 * s:g}"
        f'A{0.17 * s:g} {0.17 * s:g} 0 0 1 {0.79 * s:g} {0.5 * s:g}z" fill="#fff"/>'
    )


def _dot(_s: int, h: float, c: str) -> str:
    return f'<circle cx="{h}" cy="{h}" r="{h - 1}" fill="{c}" stroke="#fff" stroke-width="1.5"/>'


SHAPE_DRAWERS: dict[str, Callable[[int, float, str], str]] = {
    "cross_circle": _cross_circle,
    "cross_square": _cross_square,
    "h_square": _h_square,
    "house": _house,
    "diamond": _diamond,
    "hexagon": _hexagon,
    "drop": _drop,
    "heart": _heart,
    "dot": _dot,
}
"""SVG body of each icon shape of :data:`lvliang_coverage.kinds.SHAPES`: ``(size, size / 2,
colour) -> markup``."""


def facility_icon(kind: str, size: int | None = None, colour: str | None = None) -> str:
    """Inline SVG of a facility kind (no icon font needed).

    The icon is the shape named by the kind's registered ``shape`` (see
    :mod:`lvliang_coverage.kinds`) drawn in its registered ``colour``; an unregistered kind
    gets a grey dot.

    Parameters
    ----------
    kind : str
        Canonical facility kind, e.g. ``"clinic"``.
    size : int, optional
        Icon size in pixels; defaults to the kind's ``icon_px``.
    colour : str, optional
        Draw the shape in this colour instead, e.g. a result colour for facilities a plan
        builds (new clinics in the "planned" orange).

    Returns
    -------
    str
        SVG markup.
    """
    spec = kinds.get(kind)
    px = spec.icon_px if size is None else size
    draw = SHAPE_DRAWERS.get(spec.shape, _dot)
    return _svg(px, draw(px, px / 2, esc(colour or spec.colour)))


IDLE_COLOUR = "#8d8d8d"
"""Colour of the idle-building icon (闲置校舍、卫生院: buildings no service counts as working)."""

IDLE_ICON_PX = 15
"""Size of the idle-building icon in pixels."""


def idle_icon(size: int = IDLE_ICON_PX) -> str:
    """Inline SVG of an idle building: a grey house outline with a dashed wall.

    Parameters
    ----------
    size : int
        Icon size in pixels.

    Returns
    -------
    str
        SVG markup.
    """
    h = size / 2
    return _svg(
        size,
        f'<path d="M{h:g} 1L{size - 1} {0.45 * size:g}V{size - 1}H1V{0.45 * size:g}z" '
        f'fill="#ffffff" stroke="{IDLE_COLOUR}" stroke-width="1.6" stroke-dasharray="2 1.5"/>',
    )


def facility_order(present: Iterable[str]) -> list[str]:
    """Order in which facility kinds get their map layers.

    Parameters
    ----------
    present : iterable of str
        The kinds found in a layer.

    Returns
    -------
    list of str
        The registered ``facilities`` kinds in registration order, then the other registered
        kinds (water sources) in registration order, then unregistered kinds sorted by name.
    """
    found = set(present)
    registered = [k.name for k in (*kinds.registered("facilities"), *kinds.registered())]
    known = [k for k in dict.fromkeys(registered) if k in found]
    return known + sorted(found.difference(known))


ICONS_MAX_AT_LOW_ZOOM = 300
"""Facility layers with more points than this show dots below :data:`ICON_ZOOM`."""

CROWDED_FACILITIES = 60
"""Facility layers with more points than this are crowded: a map may leave them out below a
zoom of its choice (``add_facilities(crowded_min_zoom=...)``)."""

ICON_ZOOM = 11
"""Smallest zoom at which numerous facilities are drawn as icons."""

FACILITY_DOT = {"radius": 2.5, "color": "#ffffff", "weight": 0.8, "fillOpacity": 0.95}
"""Style of a facility drawn as a dot (numerous kinds, zoomed out); ``fillColor`` is the kind's."""


def is_light(colour: str) -> bool:
    """Tell whether a ``#rrggbb`` colour is light (relative luminance above 0.6).

    Light fills get a grey outline instead of a white one, so that they still show on the
    pale map ground.
    """
    hexa = colour.lstrip("#")
    if len(hexa) != 6:
        return False
    rgb = np.array([int(hexa[i : i + 2], 16) for i in (0, 2, 4)], dtype=float) / 255.0
    lin = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    return bool(lin @ np.array([0.2126, 0.7152, 0.0722]) > 0.6)


def share_class(shares: np.ndarray) -> np.ndarray:
    """Share class per value (index into :data:`SHARE_COLOURS`); -1 where the share is missing.

    Classes follow the whole percent (``floor(share * 100)``): 0-24 %, 25-49 %, 50-74 %,
    75-99 %, and 100 % only when every unit is served.

    Parameters
    ----------
    shares : ndarray
        Shares served, 0-1 (NaN: no units to serve).

    Returns
    -------
    ndarray of int
        Class 0-4, or -1.
    """
    v = np.asarray(shares, dtype=float)
    percent = np.floor(np.nan_to_num(v, nan=0.0).clip(0.0, 1.0) * 100.0 + 1e-9)
    out = np.searchsorted(np.asarray(SHARE_EDGES) * 100.0, percent, side="right")
    return np.where(np.isnan(v), -1, out).astype(np.int64)


def village_radius(residents: np.ndarray) -> np.ndarray:
    """Dot radius in pixels for village populations (residents); missing values get the minimum.

    Parameters
    ----------
    residents : ndarray
        Residents per village.

    Returns
    -------
    ndarray
        Radii in pixels, rounded to 0.1.
    """
    lo, hi = VILLAGE_RADIUS_PX
    pop = np.nan_to_num(np.asarray(residents, dtype=float), nan=0.0).clip(min=0.0)
    return np.round(np.clip(lo + VILLAGE_RADIUS_PER_SQRT_RESIDENT * np.sqrt(pop), lo, hi), 1)


@dataclass(frozen=True)
class LegendItem:
    """One legend row.

    Attributes
    ----------
    label : str
        Plain text (escaped when drawn).
    color : str
        CSS colour of the swatch.
    shape : str
        ``"circle"``, ``"line"``, ``"area"`` or ``"icon"``.
    size : float
        Circle radius or line width in pixels.
    dash : str, optional
        SVG dash pattern for lines.
    icon : str, optional
        SVG markup for ``shape="icon"`` (trusted, built by this package).
    hollow : bool
        Draw a circle as a ring (white fill, coloured outline).
    """

    label: str
    color: str = "#3388ff"
    shape: str = "circle"
    size: float = 5.0
    dash: str | None = None
    icon: str | None = None
    hollow: bool = False

    def swatch(self) -> str:
        """SVG swatch of the item."""
        c = esc(self.color)
        if self.shape == "icon" and self.icon:
            return self.icon
        if self.shape == "line":
            dash = f' stroke-dasharray="{esc(self.dash)}"' if self.dash else ""
            return _svg(
                24,
                f'<line x1="1" y1="12" x2="23" y2="12" stroke="{c}" '
                f'stroke-width="{self.size:g}"{dash}/>',
            )
        if self.shape == "area":
            return _svg(
                18,
                f'<rect x="1" y="3" width="16" height="12" fill="{c}" fill-opacity=".45" '
                f'stroke="{c}"/>',
            )
        d = max(int(np.ceil(2 * self.size + 4)), 10)
        if self.hollow:
            paint = f'fill="#ffffff" stroke="{c}" stroke-width="2"'
        else:
            paint = f'fill="{c}" fill-opacity=".85" stroke="#555" stroke-width=".6"'
        return _svg(d, f'<circle cx="{d / 2:g}" cy="{d / 2:g}" r="{self.size:g}" {paint}/>')

    def html(self) -> str:
        """Legend row markup with the escaped label."""
        return f'<div class="lvc-legend-row">{self.swatch()}<span>{esc(self.label)}</span></div>'
