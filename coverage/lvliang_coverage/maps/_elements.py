"""folium elements the maps are made of: data layers, base layers, panels and page assets."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template

from lvliang_coverage.maps._encode import to_js_json
from lvliang_coverage.maps._script import SCRIPT, STYLE


class PageAssets(MacroElement):
    """The project's own style sheet and page script, written once into the page header."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.style }}</style>
        <script>{{ this.script }}</script>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LvcPageAssets"
        self.style = STYLE
        self.script = SCRIPT


class DataLayer(Layer):
    """An overlay drawn by the page script from compact JSON specs (see ``_map_script``).

    Parameters
    ----------
    specs : sequence of dict
        Encoded layer specs; all text in them is already HTML-escaped.
    name : str
        HTML-escaped name shown in the layer control.
    show : bool
        Whether the layer is on when the map opens.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = LVC.build({{ this.name_js }}, {{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, specs: Sequence[dict[str, Any]], name: str, *, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "LvcDataLayer"
        self.specs = list(specs)
        self.payload = to_js_json(self.specs)
        self.name_js = to_js_json(name)


class BaseLayer(Layer):
    """A base map: a group of tile layers, or an empty group for the no-tiles mode.

    The attribution is shown only once a tile has loaded, so an offline map never credits
    a base map it does not show; tiles failing before any loads switch the map to its
    offline state (one line saying so, see ``LVC.tiles`` of the page script).

    Parameters
    ----------
    tiles : sequence of (url, options)
        Leaflet tile URL templates with their options; empty for no tiles.
    name : str
        HTML-escaped name shown in the layer control.
    show : bool
        Whether this base map is selected when the map opens.
    attribution : str
        Credit of the tiles (plain text, escaped here).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = LVC.tiles({{ this.tiles_js }}, {{ this.attribution_js }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        tiles: Sequence[tuple[str, dict[str, Any]]],
        name: str,
        *,
        show: bool,
        attribution: str = "",
    ) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "LvcBaseLayer"
        self.tiles = [(url, dict(opts)) for url, opts in tiles]
        self.attribution = attribution
        self.tiles_js = to_js_json([[url, opts] for url, opts in self.tiles])
        self.attribution_js = to_js_json(html.escape(attribution, quote=True))


class Panel(MacroElement):
    """A fixed box (legend, note) in a map corner, or the title at the top centre.

    Parameters
    ----------
    html : str
        Content; built from escaped text only.
    position : str
        Leaflet corner (``"bottomright"`` ...) or ``"title"``.
    css_class : str
        CSS class of the box.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- if this.position == "title" %}
        LVC.title({{ this._parent.get_name() }}, {{ this.html_js }});
        {%- else %}
        LVC.panel({{ this._parent.get_name() }}, {{ this.position|tojson }},
                  {{ this.css_class|tojson }}, {{ this.html_js }});
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "LvcPanel"
        self.html = html
        self.html_js = to_js_json(html)
        self.position = position
        self.css_class = css_class


class SearchControl(MacroElement):
    """Search box over the names of every searchable layer (villages by default).

    Parameters
    ----------
    placeholder, not_found : str
        Texts shown in the box.
    position : str
        Leaflet corner.
    zoom : int
        Zoom level a found feature is shown at (at least).
    limit : int
        Largest number of matches listed.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        LVC.search({{ this._parent.get_name() }}, {{ this.opts_js }});
        {% endmacro %}
        """
    )

    def __init__(
        self, placeholder: str, not_found: str, *, position: str, zoom: int, limit: int
    ) -> None:
        super().__init__()
        self._name = "LvcSearch"
        self.opts = {
            "placeholder": placeholder,
            "notFound": not_found,
            "position": position,
            "zoom": zoom,
            "limit": limit,
        }
        self.opts_js = to_js_json(self.opts)


class ScaleBar(MacroElement):
    """Leaflet's metric scale bar (kilometres and metres only)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, position: "bottomleft"})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LvcScaleBar"
