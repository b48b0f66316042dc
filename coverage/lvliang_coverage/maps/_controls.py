"""Map controls: the legend panel, title with synthetic-data badge, note and the tool buttons."""

from __future__ import annotations

from collections.abc import Sequence

import folium
from branca.element import MacroElement
from folium import plugins

from lvliang_coverage.maps._elements import Panel, ScaleBar, SearchControl
from lvliang_coverage.maps._encode import esc
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.maps._terms import MAP_TERMS
from lvliang_coverage.report.vocabulary import text

SEARCH_ZOOM = 13
"""Zoom the map jumps to on a search hit."""

SEARCH_LIMIT = 12
"""Most search hits listed."""


def _block(name: str, items: Sequence[LegendItem]) -> list[str]:
    """Markup of one layer's legend rows: a heading unless its one row repeats the name."""
    if len(items) == 1 and items[0].label == name:
        return [f'<div class="lvc-legend-block">{items[0].html()}</div>']
    return [f"<h5>{esc(name)}</h5>", *items_html(items)]


def _note(label: str) -> str:
    return f'<div class="lvc-legend-note">{esc(label)}</div>'


def _details(summary: str, body: Sequence[str], *, open_: bool = False) -> str:
    flag = " open" if open_ else ""
    return f"<details{flag}><summary>{esc(summary)}</summary>{''.join(body)}</details>"


def legend_html(
    lang: str,
    layers: Sequence[tuple[str, Sequence[LegendItem], str]],
    extra: Sequence[LegendItem] = (),
    *,
    basemap: str = "",
) -> str:
    """Markup of the legend panel: result classes first, then collapsible sections.

    The result classes (and the rows added with ``add_legend``) come first and are always
    open, so that they are visible without scrolling; the facility icons follow in one
    section (open), then every context layer (boundaries, roads, rivers, dot sizes) and the
    base map in a section of its own (closed).

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the headings.
    layers : sequence of (str, sequence of LegendItem, str)
        Layer name, its rows and its section (``"result"``, ``"facility"`` or
        ``"context"``); a layer with one row labelled like the layer gets no heading.
    extra : sequence of LegendItem
        Rows added with ``add_legend``.
    basemap : str
        Markup of the base-map section's body (see :func:`basemap_state_html`); none when
        empty.

    Returns
    -------
    str
        HTML with every label escaped.
    """
    results: list[str] = []
    icons: list[str] = []
    context: list[str] = []
    for name, items, section in layers:
        if section == "result":
            results += _block(name, items)
        elif section == "facility":
            icons += _block(name, items)
        else:
            context.append(_details(name, items_html(items)))
    results += items_html(extra)
    parts = [f"<h4>{esc(text('legend', lang))}</h4>"]
    parts.append(f'<div class="lvc-legend-results">{"".join(results)}</div>')
    if icons:
        parts.append(_details(MAP_TERMS.get("facilities", lang), icons, open_=True))
    parts += context
    if basemap:
        parts.append(_details(MAP_TERMS.get("basemap", lang), [basemap]))
    return "".join(parts)


def items_html(items: Sequence[LegendItem]) -> list[str]:
    """Markup of legend rows (notes for rows of shape ``"none"``)."""
    return [i.html() if i.shape != "none" else _note(i.label) for i in items]


def basemap_state_html(lang: str, basemap: str) -> str:
    """Lines of the legend's base-map section; the page script shows the one that holds.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language.
    basemap : str
        The base map chosen (see :data:`~lvliang_coverage.maps._choices.BASEMAPS`).

    Returns
    -------
    str
        One line per state (tiles shown, loading, offline, none), all escaped.
    """
    shown = text(f"basemap_{basemap}", lang)
    states = {
        "ok": shown,
        "wait": MAP_TERMS.get("basemap_loading", lang),
        "offline": MAP_TERMS.get("basemap_offline", lang),
        "none": MAP_TERMS.get("basemap_none", lang),
    }
    return "".join(
        f'<div class="lvc-base-state lvc-base-state-{k}">{esc(v)}</div>' for k, v in states.items()
    )


def title_html(title: str, lang: str, *, synthetic: bool = False) -> str:
    """Escaped title markup, with the synthetic-data badge below it when asked for.

    Parameters
    ----------
    title : str
        Map title (plain text); may be empty.
    lang : {"zh", "en"}
        Language of the badge.
    synthetic : bool
        Add the "合成演示数据 / synthetic demo data" badge.

    Returns
    -------
    str
        HTML; empty when there is neither a title nor a badge.
    """
    out = esc(title) if title else ""
    if synthetic:
        out += f'<div><span class="lvc-synthetic">{esc(text("synthetic", lang))}</span></div>'
    return out


def map_controls(
    lang: str,
    legend: str,
    *,
    title: str = "",
    data_note: str | None = None,
    offline_note: bool = True,
) -> list[tuple[str, MacroElement]]:
    """Build the controls of a map, in the order their scripts must run (after all layers).

    The legend takes the top right corner (result classes first, visible without
    scrolling); the layer switcher goes under the tools at the top left.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the tooltips and the measuring tool.
    legend : str
        Legend panel markup (see :func:`legend_html`).
    title : str
        Title panel markup (see :func:`title_html`); no panel when empty.
    data_note : str, optional
        Source or date note shown at the bottom left (plain text, escaped here).
    offline_note : bool
        Add the one-line "base map unavailable offline" panel (shown by the page script
        only when no tile loads).

    Returns
    -------
    list of (str, MacroElement)
        Key and element of every control: full screen, measuring tool, village search,
        layer switcher, scale bar, legend, then the offline, title and note panels.
    """
    controls: list[tuple[str, MacroElement]] = [
        (
            "fullscreen",
            plugins.Fullscreen(
                position="topleft",
                title=text("fullscreen", lang),
                title_cancel=text("exit_fullscreen", lang),
                force_separate_button=True,
            ),
        ),
        (
            "measure",
            plugins.MeasureControl(
                position="topleft",
                primary_length_unit="kilometers",
                secondary_length_unit="meters",
                primary_area_unit="hectares",
                secondary_area_unit="sqmeters",
                localization="cn" if lang == "zh" else "en",
            ),
        ),
        (
            "search",
            SearchControl(
                text("search", lang),
                text("not_found", lang),
                position="topleft",
                zoom=SEARCH_ZOOM,
                limit=SEARCH_LIMIT,
            ),
        ),
        ("layers", folium.LayerControl(position="topleft", collapsed=False)),
        ("scale", ScaleBar()),
        ("legend", Panel(legend, "topright", "lvc-legend")),
    ]
    if offline_note:
        note = esc(MAP_TERMS.get("basemap_offline", lang))
        controls.append(("offline", Panel(note, "bottomleft", "lvc-offline")))
    if title:
        controls.append(("title", Panel(title, "title", "lvc-title")))
    if data_note:
        controls.append(("note", Panel(esc(data_note), "bottomleft", "lvc-note")))
    return controls
