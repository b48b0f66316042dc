"""Raster-derived isochrones of a travel-time surface: nested polygons with a legend per limit."""

from __future__ import annotations

from typing import Self, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.maps._canvas import LayerOptions, MapCanvas
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.maps._terms import MAP_TERMS

SURFACE_ISOCHRONE_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef")
"""Fills of raster isochrones from the shortest to the longest limit (blues, apart from the
green/red of the compliance classes)."""

SURFACE_FILL_OPACITY = 0.22
"""Fill opacity of one raster isochrone; nested limits darken towards the facilities."""


class IsochroneLayers(MapCanvas):
    """Layer methods of :class:`~lvliang_coverage.maps.coverage_map.CoverageMap` for surfaces."""

    def add_surface_isochrones(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        minutes_col: str = "minutes",
        mode: str = "",
        name: str | None = None,
        **options: Unpack[LayerOptions],
    ) -> Self:
        """Add the isochrones cut from a travel-time surface (e.g. the terrain model's).

        Each polygon holds every cell within its limit of the nearest facility (the cells of
        the raster, dissolved and simplified by the analysis); the polygons are nested, the
        longest limit drawn first so the shorter ones lie on top. The legend has one row per
        limit in the map's language ("≤ 30 分钟" / "≤ 30 min"), headed by the layer name.

        Parameters
        ----------
        gdf : GeoDataFrame
            Polygons with a time-limit column in minutes (and ``area_km2`` when known), any
            CRS.
        minutes_col : str
            Column with the limit of each polygon, minutes.
        mode : str
            Travel mode's name in the map's language, for the layer name.
        name : str, optional
            Layer name (default "地形模型等时圈（{mode}）" / "Terrain isochrones ({mode})").
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "surface isochrones", "A", needs={"minutes": minutes_col})
        minutes = pd.to_numeric(data[minutes_col], errors="coerce")
        data = data.assign(**{minutes_col: minutes}).dropna(subset=[minutes_col])
        data = data.sort_values(minutes_col, ascending=False).reset_index(drop=True)
        values = np.sort(data[minutes_col].unique())
        ramp = SURFACE_ISOCHRONE_COLOURS
        colours = [ramp[min(i, len(ramp) - 1)] for i in range(len(values))]
        k = np.searchsorted(values, data[minutes_col].to_numpy())
        styles = [
            {
                "style": {
                    "color": c,
                    "weight": 1.2,
                    "opacity": 0.9,
                    "fillColor": c,
                    "fillOpacity": SURFACE_FILL_OPACITY,
                }
            }
            for c in colours
        ]
        legend = [
            LegendItem(MAP_TERMS.get("surface_iso_row", self.lang, minutes=float(v)), c, "area")
            for v, c in zip(values, colours, strict=True)
        ]
        label = name or MAP_TERMS.get("surface_iso", self.lang, mode=mode)
        popup = [c for c in (minutes_col, "area_km2") if c in data.columns]
        labels = {
            minutes_col: MAP_TERMS.get("surface_iso_minutes", self.lang),
            "area_km2": MAP_TERMS.get("surface_iso_area", self.lang),
        }
        if "area_km2" in data.columns:
            data = data.assign(area_km2=pd.to_numeric(data["area_km2"], errors="coerce").round(1))
        return self._add_one(
            label,
            data,
            styles,
            legend,
            {"category": k},
            popup_cols=popup,
            popup_labels={c: labels[c] for c in popup},
            **options,
        )
