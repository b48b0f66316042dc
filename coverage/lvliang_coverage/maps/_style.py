"""Map styling lookups: colours, road classes, facility icons (inline SVG) and legend swatches."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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

RIVER_COLOUR = "#3a86c8"
RIVER_WEIGHTS = {1: 3.0, 2: 2.0, 3: 1.3}
"""River line width in pixels by ``level`` (1 = Yellow River and main rivers)."""

BOUNDARY_STYLES = {
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


def facility_icon(kind: str, size: int) -> str:
    """Inline SVG of a facility type (no icon font needed).

    Parameters
    ----------
    kind : str
        ``clinic``, ``health_centre``, ``hospital``, ``school``, ``workshop`` or
        ``industrial_park``; anything else gets a grey dot.
    size : int
        Icon size in pixels.

    Returns
    -------
    str
        SVG markup.
    """
    s, h = size, size / 2
    shapes = {
        "clinic": f'<circle cx="{h}" cy="{h}" r="{h - 1}" fill="#fff" stroke="#d62728" '
        f'stroke-width="1.5"/>' + _cross(s, "#d62728"),
        "health_centre": f'<rect x="1" y="1" width="{s - 2}" height="{s - 2}" rx="3" '
        f'fill="#d62728" stroke="#fff"/>' + _cross(s, "#fff"),
        "hospital": f'<rect x="1" y="1" width="{s - 2}" height="{s - 2}" rx="2" fill="#7f0000" '
        f'stroke="#fff"/><text x="{h}" y="{h}" dy=".36em" text-anchor="middle" '
        f'font-size="{0.7 * s:g}" font-weight="700" font-family="Arial" fill="#fff">H</text>',
        "school": f'<path d="M{h} 1L{s - 1} {0.45 * s:g}V{s - 1}H1V{0.45 * s:g}z" fill="#1f5fbf" '
        f'stroke="#fff"/><rect x="{0.38 * s:g}" y="{0.58 * s:g}" width="{0.24 * s:g}" '
        f'height="{0.42 * s - 1:g}" fill="#fff"/>',
        "workshop": f'<path d="M{h} 1L{s - 1} {h}L{h} {s - 1}L1 {h}z" fill="#e08214" '
        f'stroke="#fff"/><circle cx="{h}" cy="{h}" r="{0.14 * s:g}" fill="#fff"/>',
        "industrial_park": f'<path d="M{0.27 * s:g} 1H{0.73 * s:g}L{s - 1} {h}L{0.73 * s:g} '
        f'{s - 1}H{0.27 * s:g}L1 {h}z" fill="#6a3d9a" stroke="#fff"/>',
    }
    body = shapes.get(
        kind,
        f'<circle cx="{h}" cy="{h}" r="{h - 1}" fill="#8c8c8c" stroke="#fff" stroke-width="1.5"/>',
    )
    return _svg(size, body)


FACILITY_ICON_PX = {"health_centre": 20, "hospital": 22, "industrial_park": 20}
"""Icon size by kind in pixels; other kinds use 16."""

FACILITY_COLOURS = {
    "clinic": "#d62728",
    "health_centre": "#d62728",
    "hospital": "#7f0000",
    "school": "#1f5fbf",
    "workshop": "#e08214",
    "industrial_park": "#6a3d9a",
}
"""Main colour of each facility icon (used for the small dots at low zoom)."""

FACILITY_DOT = {"radius": 2.5, "color": "#ffffff", "weight": 0.8, "fillOpacity": 0.95}
"""Style of a facility drawn as a dot (numerous kinds, zoomed out)."""

FACILITY_ORDER = ("clinic", "health_centre", "hospital", "school", "workshop", "industrial_park")


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
