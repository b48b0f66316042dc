"""Area layers of a map coloured by a share served (e.g. townships) and name labels of areas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Self, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._canvas import LayerOptions, MapCanvas
from lvliang_coverage.maps._context_layers import label_spec
from lvliang_coverage.maps._encode import require_column, simplify_metric
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.maps._terms import MAP_TERMS
from lvliang_coverage.report.vocabulary import text


def share_text(shares: pd.Series, lang: str) -> pd.Series:
    """Shares as whole percents for people (``42%``); missing shares give ``—``.

    Parameters
    ----------
    shares : Series
        Shares 0-1.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    Series of str
        Aligned with ``shares``.
    """
    v = pd.to_numeric(shares, errors="coerce")
    percent = np.floor(v.fillna(0.0).clip(0.0, 1.0).to_numpy() * 100.0 + 1e-9).astype(int)
    out = pd.Series([f"{p}%" for p in percent], index=shares.index, dtype=object)
    out[v.isna().to_numpy()] = text("missing", lang)
    return out


class ShareLayers(MapCanvas):
    """Layer methods of :class:`~lvliang_coverage.maps.coverage_map.CoverageMap` for areas."""

    def add_shares(
        self,
        gdf: gpd.GeoDataFrame,
        name: str,
        *,
        share_col: str = "share",
        area_col: str = "township",
        county_col: str | None = "county",
        units: str,
        popup_cols: Sequence[str] | None = None,
        popup_labels: Mapping[str, str] | None = None,
        max_zoom: float | None = sty.SHARE_MAX_ZOOM,
        label_zoom: float | None = sty.LABEL_ZOOMS["township"][0],
        **options: Unpack[LayerOptions],
    ) -> Self:
        """Add areas (e.g. townships) coloured by the share of their units that is served.

        The shares are computed by the service (``services.townships.township_shares``); the
        map only classes them (:func:`~lvliang_coverage.maps._style.share_class`). The layer
        is drawn below ``max_zoom`` (city and county scale), where single villages are too
        many to read; its tooltip names the county, the area and the share.

        Parameters
        ----------
        gdf : GeoDataFrame
            Polygons with a share column (0-1; NaN where there is nothing to serve), any CRS.
        name : str
            Layer name and legend heading, e.g. "乡镇：200人以下村达标比例".
        share_col : str
            Column with the share served.
        area_col : str
            Column with the area's name (township).
        county_col : str, optional
            Column with the county's name, put before the area name in tooltips.
        units : str
            What is counted, for the "none" class, e.g. "200人以下村" ("无200人以下村").
        popup_cols : sequence of str, optional
            Popup columns (the share column is shown as a percent).
        popup_labels : mapping of str to str, optional
            Popup label per column.
        max_zoom : float, optional
            Draw the layer below this zoom only (None: at every zoom).
        label_zoom : float, optional
            Write the area names on the map from this zoom on (below ``max_zoom``); None:
            names in the tooltips only.
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, name, "A", needs={"share": share_col, "area": area_col})
        data = simplify_metric(data, sty.BOUNDARY_TOLERANCE_M)
        if county_col is not None:
            require_column(data, county_col, "county", f"{name} layer")
        shares = pd.to_numeric(data[share_col], errors="coerce")
        cls = sty.share_class(shares.to_numpy())
        n = len(sty.SHARE_COLOURS)
        k = np.where(cls < 0, n, cls)
        colours = [*sty.SHARE_COLOURS, sty.RESULT_COLOURS["none"]]
        styles = [
            {
                "style": {
                    "color": "#ffffff",
                    "weight": 1.0,
                    "opacity": 0.9,
                    "fillColor": c,
                    "fillOpacity": sty.SHARE_FILL_OPACITY,
                }
            }
            for c in colours
        ]
        percent = share_text(shares, self.lang)
        place = data[area_col].astype(str)
        if county_col is not None:
            place = data[county_col].astype(str) + " " + place
        data = data.assign(_tip=(place + ("：" if self.lang == "zh" else ": ") + percent))
        data = data.assign(**{share_col: percent})
        legend = self._share_legend(units, present=set(k.tolist()))
        spec = self._spec(
            data,
            styles,
            category=k,
            popup_cols=popup_cols,
            popup_labels=popup_labels,
            tooltip_col="_tip",
            maxZoom=max_zoom,
        )
        specs = [spec]
        if label_zoom is not None and len(data):
            specs.append(label_spec(data, area_col, "lvc-label-township", (label_zoom, max_zoom)))
        return self._add(name, specs, legend, **options)

    def _share_legend(self, units: str, present: set[int]) -> list[LegendItem]:
        """Legend rows of the share classes, all served first; "none" only when present."""
        edges = [0, *(round(e * 100) for e in sty.SHARE_EDGES)]
        rows = [LegendItem(MAP_TERMS.get("share_all", self.lang), sty.SHARE_COLOURS[-1], "area")]
        for i in range(len(edges) - 2, -1, -1):
            label = MAP_TERMS.get("share_range", self.lang, lo=edges[i], hi=edges[i + 1] - 1)
            rows.append(LegendItem(label, sty.SHARE_COLOURS[i], "area"))
        if len(sty.SHARE_COLOURS) in present:
            label = MAP_TERMS.get("share_none", self.lang, units=units)
            rows.append(LegendItem(label, sty.RESULT_COLOURS["none"], "area"))
        return rows
