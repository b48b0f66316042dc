"""The offline Leaflet map that results are drawn on: layers, legend, controls and HTML output."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from branca.element import Figure

from lvliang_coverage.maps._assets import inline_assets
from lvliang_coverage.maps._choices import BASEMAPS
from lvliang_coverage.maps._context_layers import ContextLayers
from lvliang_coverage.maps._controls import (
    basemap_state_html,
    legend_html,
    map_controls,
    title_html,
)
from lvliang_coverage.maps._encode import esc
from lvliang_coverage.maps._feature_layers import FeatureLayers
from lvliang_coverage.maps._isochrone_layers import IsochroneLayers
from lvliang_coverage.maps._result_layers import ResultLayers
from lvliang_coverage.maps._share_layers import ShareLayers
from lvliang_coverage.maps._style import LegendItem

__all__ = ["BASEMAPS", "CoverageMap", "LegendItem"]


class CoverageMap(ContextLayers, FeatureLayers, ResultLayers, ShareLayers, IsochroneLayers):
    """An offline Leaflet map that layers are added to, then saved as one HTML file.

    Parameters
    ----------
    area : GeoDataFrame, GeoSeries or (minx, miny, maxx, maxy)
        What the map opens on: a layer (any CRS) or WGS84 bounds in degrees.
    title : str
        Title shown at the top (escaped).
    lang : {"zh", "en"}
        Language of labels, legends and popups; Chinese by default.
    basemap : {"osm", "none", "tianditu", "gaode"}
        Tile base map; see :data:`~lvliang_coverage.maps._choices.BASEMAPS`.
    data_note : str, optional
        Source or date note shown at the bottom left (escaped).
    synthetic : bool
        Show a visible "合成演示数据 / synthetic demo data" badge under the title.
    tianditu_key : str, optional
        Tianditu key; defaults to the environment variable ``TIANDITU_KEY``.

    Raises
    ------
    InputError
        For an unknown language or base map, or ``basemap="tianditu"`` without a key.

    Examples
    --------
    >>> m = CoverageMap(counties, title="村卫生室覆盖")  # doctest: +SKIP
    >>> m.add_boundaries(counties, kind="county").add_villages(villages, status_col="covered")
    >>> m.save("maps/clinics.html")  # doctest: +SKIP
    """

    def add_legend(
        self, items: Iterable[LegendItem | tuple[str, str] | Mapping[str, Any]]
    ) -> CoverageMap:
        """Add rows to the legend (after the result classes of the layers).

        Parameters
        ----------
        items : iterable
            :class:`LegendItem`, ``(label, colour)`` tuples, or mappings of ``LegendItem``
            fields.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        for item in items:
            if isinstance(item, LegendItem):
                self._extra_legend.append(item)
            elif isinstance(item, Mapping):
                self._extra_legend.append(LegendItem(**item))
            else:
                label, colour = item
                self._extra_legend.append(LegendItem(str(label), str(colour)))
        return self

    def _finalise(self) -> None:
        """(Re)attach controls after all layers so their scripts run last."""
        children = self.map._children
        for key in [k for k in children if k.startswith("lvc_ctl_")]:
            del children[key]
        base = basemap_state_html(self.lang, self.basemap)
        legend = legend_html(self.lang, self._legend, self._extra_legend, basemap=base)
        title = title_html(self.title, self.lang, synthetic=self.synthetic)
        offline = self.basemap != "none"
        controls = map_controls(
            self.lang, legend, title=title, data_note=self.data_note, offline_note=offline
        )
        for key, element in controls:
            self.map.add_child(element, name=f"lvc_ctl_{key}")

    def get_html(self) -> str:
        """Render the complete, self-contained HTML page.

        Returns
        -------
        str
            HTML with every script and style sheet inline.
        """
        self._finalise()
        figure = Figure()  # a fresh page each time, so rendering twice duplicates nothing
        figure.add_child(self.map, name="map")
        page = figure.render()
        page = page.replace("<html>", f'<html lang="{"zh-CN" if self.lang == "zh" else "en"}">', 1)
        if self.title:
            page = page.replace("<head>", f"<head>\n<title>{esc(self.title)}</title>", 1)
        return inline_assets(page)

    def save(self, path: str | Path) -> Path:
        """Write the map as one self-contained HTML file (UTF-8).

        Parameters
        ----------
        path : str or Path
            Output file; parent folders are created.

        Returns
        -------
        Path
            The file written.
        """
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.get_html(), encoding="utf-8")
        return out

    def _repr_html_(self) -> str:
        """Notebook display: the page in an iframe (``srcdoc``), still with no CDN."""
        doc = html.escape(self.get_html(), quote=True)
        return (
            '<div style="width:100%;"><iframe style="width:100%;height:600px;border:none;" '
            f'srcdoc="{doc}" allowfullscreen></iframe></div>'
        )
