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

BOOL_COLOURS = {True: "#1a9850", False: "#d73027"}
"""Colours of a boolean status: true (e.g. compliant) green, false red."""

ISOCHRONE_COLOURS = ("#006837", "#31a354", "#78c679", "#addd8e", "#d9f0a3", "#ffffcc")
"""Isochrone fills from the shortest to the longest time."""

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
        "#c8553d",
        3.0,
        None,
        0,
    ),
    (
        "road_secondary",
        ("secondary", "secondary_link", "tertiary", "tertiary_link"),
        "#e09f3e",
        2.0,
        None,
        0,
    ),
    (
        "road_rural",
        ("unclassified", "residential", "living_street", "service", "road"),
        "#7d7d7d",
        1.2,
        None,
        10,
    ),
    (
        "road_track",
        ("track", "path", "footway", "bridleway", "steps", "pedestrian", "cycleway"),
        "#a08c64",
        1.0,
        "3 3",
        12,
    ),
)
"""Road display classes; unknown highway values are drawn as rural roads."""

ROAD_TOLERANCE_M = 15.0
"""Default simplification tolerance of roads, metres."""

BOUNDARY_TOLERANCE_M = 20.0
"""Simplification tolerance of boundaries, metres."""

RIVER_COLOUR = "#3a86c8"
RIVER_WEIGHTS = {1: 3.0, 2: 2.0, 3: 1.3}
"""River line width in pixels by ``level`` (1 = Yellow River and main rivers)."""

BOUNDARY_STYLES: dict[str, dict[str, Any]] = {
    "city": {"color": "#222222", "weight": 3.0, "fill": False},
    "county": {"color": "#4d4d4d", "weight": 2.0, "dashArray": "8 4", "fill": False},
    "township": {"color": "#8a8a8a", "weight": 1.0, "dashArray": "2 3", "fill": False},
}

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


def facility_icon(kind: str, size: int | None = None) -> str:
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

    Returns
    -------
    str
        SVG markup.
    """
    spec = kinds.get(kind)
    px = spec.icon_px if size is None else size
    draw = SHAPE_DRAWERS.get(spec.shape, _dot)
    return _svg(px, draw(px, px / 2, esc(spec.colour)))


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

ICON_ZOOM = 11
"""Smallest zoom at which numerous facilities are drawn as icons."""

FACILITY_DOT = {"radius": 2.5, "color": "#ffffff", "weight": 0.8, "fillOpacity": 0.95}
"""Style of a facility drawn as a dot (numerous kinds, zoomed out); ``fillColor`` is the kind's."""


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
    """

    label: str
    color: str = "#3388ff"
    shape: str = "circle"
    size: float = 5.0
    dash: str | None = None
    icon: str | None = None

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
        d = max(int(np.ceil(2 * self.size + 2)), 10)
        return _svg(
            d,
            f'<circle cx="{d / 2:g}" cy="{d / 2:g}" r="{self.size:g}" fill="{c}" '
            f'fill-opacity=".85" stroke="#555" stroke-width=".6"/>',
        )

    def html(self) -> str:
        """Legend row markup with the escaped label."""
        return f'<div class="lvc-legend-row">{self.swatch()}<span>{esc(self.label)}</span></div>'
