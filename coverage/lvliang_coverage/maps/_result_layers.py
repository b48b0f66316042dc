"""Result layers of a map: service circles, isochrones, links and generic categorised layers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._canvas import LayerOptions, MapCanvas, PopupOptions
from lvliang_coverage.maps._encode import geometry_family, require_column
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.report.vocabulary import text


class LineOptions(PopupOptions, total=False):
    """Options of :meth:`ResultLayers.add_lines` that it hands on to ``add_layer`` as given."""

    category_col: str | None
    palette: Mapping[Any, str] | None
    labels: Mapping[Any, str] | None
    min_zoom: float | None


class ResultLayers(MapCanvas):
    """Layer methods of :class:`~lvliang_coverage.maps.coverage_map.CoverageMap` for results."""

    def add_circles(
        self,
        gdf: gpd.GeoDataFrame,
        radius_m: float,
        name: str | None = None,
        *,
        color: str = "#2b8cbe",
        **options: Unpack[PopupOptions],
    ) -> Self:
        """Add service circles of ``radius_m`` metres on the ground around points.

        Parameters
        ----------
        gdf : GeoDataFrame
            Centre points, any CRS.
        radius_m : float
            Radius in metres (e.g. the rules' clinic service radius).
        name : str, optional
            Layer name; defaults to "<r> 公里服务半径".
        color : str
            Outline and fill colour.
        **options : PopupOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        if not np.isfinite(radius_m) or radius_m <= 0:
            msg = (
                f"服务半径 radius_m 须为正数（米），收到 {radius_m!r} / "
                f"radius_m must be a positive number of metres, got {radius_m!r}"
            )
            raise InputError(msg, column="radius_m")
        data = self._prepare(gdf, "circles", "P")
        style = {"color": color, "weight": 1.0, "opacity": 0.8, "fillColor": color}
        style["fillOpacity"] = 0.07
        label = name or f"{radius_m / 1000.0:g} {text('km_radius', self.lang)}"
        return self._add_one(
            label,
            data,
            [{"style": style}],
            [LegendItem(label, color, "area")],
            {"mode": "circle", "radius_m": float(radius_m)},
            **options,
        )

    def add_isochrones(
        self,
        gdf: gpd.GeoDataFrame,
        minutes_col: str = "minutes",
        name: str | None = None,
        *,
        colors: Sequence[str] | None = None,
        **options: Unpack[LayerOptions],
    ) -> Self:
        """Add isochrone polygons coloured by travel time (shortest on top).

        Parameters
        ----------
        gdf : GeoDataFrame
            Polygons with a travel-time column in minutes, any CRS.
        minutes_col : str
            Column with the time limit of each polygon, minutes.
        name : str, optional
            Layer name; defaults to "等时圈" / "Isochrones".
        colors : sequence of str, optional
            Fill colours from the shortest to the longest time.
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "isochrones", "A", needs={"minutes": minutes_col})
        minutes = pd.to_numeric(data[minutes_col], errors="coerce")
        data = data.assign(**{minutes_col: minutes}).dropna(subset=[minutes_col])
        data = data.sort_values(minutes_col, ascending=False).reset_index(drop=True)
        values = np.sort(data[minutes_col].unique())
        ramp = list(colors or sty.ISOCHRONE_COLOURS)
        pick = np.linspace(0, len(ramp) - 1, num=max(len(values), 1)).round().astype(int)
        colours = [ramp[i] for i in pick[: len(values)]]
        k = np.searchsorted(values, data[minutes_col].to_numpy())
        styles = [
            {"style": {"color": c, "weight": 1.0, "fillColor": c, "fillOpacity": 0.35}}
            for c in colours
        ]
        unit = text("minutes", self.lang)
        legend = [
            LegendItem(f"≤ {v:g} {unit}", c, "area") for v, c in zip(values, colours, strict=True)
        ]
        label = name or text("isochrones", self.lang)
        encoding = {"category": k}
        return self._add_one(
            label, data, styles, legend, encoding, popup_cols=[minutes_col], **options
        )

    def add_lines(
        self,
        gdf: gpd.GeoDataFrame,
        name: str | None = None,
        *,
        color: str = "#6a51a3",
        weight: float = 1.5,
        **options: Unpack[LineOptions],
    ) -> Self:
        """Add lines, e.g. village -> assigned clinic links.

        Parameters
        ----------
        gdf : GeoDataFrame
            LineStrings, any CRS.
        name : str, optional
            Layer name; defaults to "连线" / "Links".
        color : str
            Line colour when ``category_col`` is not given.
        weight : float
            Line width in pixels.
        category_col, palette, labels, popup_cols, popup_labels, note_col, tooltip_col, min_zoom :
            As in :meth:`add_layer`.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        name = name or text("lines", self.lang)
        return self.add_layer(gdf, name, color=color, weight=weight, **options)

    def add_layer(
        self,
        gdf: gpd.GeoDataFrame,
        name: str,
        *,
        color: str = "#3388ff",
        weight: float = 2.0,
        radius: float = 5.0,
        fill_opacity: float = 0.25,
        dash: str | None = None,
        category_col: str | None = None,
        palette: Mapping[Any, str] | None = None,
        labels: Mapping[Any, str] | None = None,
        popup_cols: Sequence[str] | None = None,
        popup_labels: Mapping[str, str] | None = None,
        note_col: str | None = None,
        tooltip_col: str | None = None,
        stroke: str | None = None,
        min_zoom: float | None = None,
        **options: Unpack[LayerOptions],
    ) -> Self:
        """Add any layer: points as circle markers, lines, polygons (mixed layers allowed).

        Parameters
        ----------
        gdf : GeoDataFrame
            Any geometries, any CRS.
        name : str
            Layer name (escaped).
        color : str
            Colour when ``category_col`` is not given.
        weight : float
            Line width in pixels.
        radius : float
            Point radius in pixels.
        fill_opacity : float
            Fill opacity of points and polygons, 0-1.
        dash : str, optional
            Dash pattern of lines, e.g. ``"4 4"``.
        category_col : str, optional
            Column whose values colour the features.
        palette, labels : mapping, optional
            Colour and legend label per category value.
        popup_cols : sequence of str, optional
            Popup columns.
        popup_labels : mapping of str to str, optional
            Popup label per column (default: the shared column labels).
        note_col : str, optional
            Column with a plain sentence shown in bold under the popup title.
        tooltip_col : str, optional
            Tooltip column.
        stroke : str, optional
            Outline colour of points (default: the fill colour), e.g. a dark ring that tells
            sites from village dots.
        min_zoom : float, optional
            Draw the layer from this zoom on only.
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, name)
        fam = geometry_family(data.geometry.to_numpy())
        if category_col is not None:
            require_column(data, category_col, "category")
            k, _c, colours, names = self._categories(
                data[category_col], palette, labels, category_col
            )
        else:
            k, colours, names = np.zeros(len(data), dtype=np.int64), [color], [name]
        specs: list[dict[str, Any]] = []
        legend: list[LegendItem] = []
        shape = {"P": "circle", "L": "line", "A": "area"}
        for family in ("A", "L", "P"):
            mask = fam == family
            if not mask.any():
                continue
            part = data.loc[mask].reset_index(drop=True)
            styles = []
            for c in colours:
                style: dict[str, Any] = {"color": c, "weight": weight, "fillColor": c}
                if family == "P":
                    style.update(radius=radius, fillOpacity=max(fill_opacity, 0.6), weight=1.0)
                    if stroke is not None:
                        style.update(color=stroke, weight=2.0)
                elif family == "A":
                    style["fillOpacity"] = fill_opacity
                if dash and family != "P":
                    style["dashArray"] = dash
                styles.append({"style": style})
            specs.append(
                self._spec(
                    part,
                    styles,
                    category=k[mask],
                    popup_cols=popup_cols,
                    popup_labels=popup_labels,
                    note_col=note_col,
                    tooltip_col=tooltip_col,
                    minZoom=min_zoom,
                )
            )
            if not legend:
                size = radius if family == "P" else weight
                legend = [
                    LegendItem(n, c, shape[family], size, dash)
                    for n, c in zip(names, colours, strict=False)
                ]
        return self._add(name, specs, legend, **options)
