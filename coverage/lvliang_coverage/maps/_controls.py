"""Map controls: the legend panel, title with synthetic-data badge, note and the tool buttons."""

from __future__ import annotations

from collections.abc import Sequence

import folium
from branca.element import MacroElement
from folium import plugins

from lvliang_coverage.maps._elements import Panel, ScaleBar, SearchControl
from lvliang_coverage.maps._encode import esc
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.report.vocabulary import text

SEARCH_ZOOM = 13
"""Zoom the map jumps to on a search hit."""

SEARCH_LIMIT = 12
"""Most search hits listed."""


def legend_html(
    lang: str,
    layers: Sequence[tuple[str, Sequence[LegendItem]]],
    extra: Sequence[LegendItem] = (),
) -> str:
    """Markup of the legend panel: one block per layer, then the extra rows.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the heading.
    layers : sequence of (str, sequence of LegendItem)
        Layer name and its rows; a layer with one row labelled like the layer gets no heading.
    extra : sequence of LegendItem
        Rows added with ``add_legend``.

    Returns
    -------
    str
        HTML with every label escaped.
    """
    parts = [f"<h4>{esc(text('legend', lang))}</h4>"]
    for name, items in layers:
        if len(items) == 1 and items[0].label == name:
            parts.append(items[0].html())
            continue
        parts.append(f"<h5>{esc(name)}</h5>")
        parts.extend(i.html() if i.shape != "none" else f"<div>{esc(i.label)}</div>" for i in items)
    parts.extend(i.html() for i in extra)
    return "".join(parts)


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
) -> list[tuple[str, MacroElement]]:
    """Build the controls of a map, in the order their scripts must run (after all layers).

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

    Returns
    -------
    list of (str, MacroElement)
        Key and element of every control: layer switcher, scale bar, full screen, measuring
        tool, village search, legend, then the title and note panels when present.
    """
    controls: list[tuple[str, MacroElement]] = [
        ("layers", folium.LayerControl(position="topright", collapsed=False)),
        ("scale", ScaleBar()),
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
        ("legend", Panel(legend, "bottomright", "lvc-legend")),
    ]
    if title:
        controls.append(("title", Panel(title, "title", "lvc-title")))
    if data_note:
        controls.append(("note", Panel(esc(data_note), "bottomleft", "lvc-note")))
    return controls
