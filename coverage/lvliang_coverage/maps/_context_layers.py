"""Context layers of a map: administrative boundaries, the road network and rivers."""

from __future__ import annotations

from typing import Any, Self, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lvliang_coverage.errors import InputError
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._canvas import LayerOptions, MapCanvas
from lvliang_coverage.maps._encode import encode_geometries, esc, of_family, simplify_metric
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.maps._terms import MAP_TERMS
from lvliang_coverage.report.vocabulary import text


def _drawn_classes(k: np.ndarray, max_lines: int) -> np.ndarray:
    """Which roads a map draws: all, or the top display classes within ``max_lines`` roads.

    Parameters
    ----------
    k : numpy.ndarray of int
        Display class of every road (index into :data:`~lvliang_coverage.maps._style.ROAD_CLASSES`,
        0 the highest).
    max_lines : int
        Most roads to draw (:data:`~lvliang_coverage.maps._style.ROAD_MAX_LINES`).

    Returns
    -------
    numpy.ndarray of bool
        Roads kept: whole classes from the top while the count stays within ``max_lines``,
        and always the highest class present.
    """
    if len(k) <= max_lines:
        return np.ones(len(k), dtype=bool)
    counts = np.bincount(k, minlength=len(sty.ROAD_CLASSES))
    within = np.cumsum(counts) <= max_lines
    top = int(np.flatnonzero(counts)[0])
    within[top] = True
    return within[k]


class ContextLayers(MapCanvas):
    """Layer methods of :class:`~lvliang_coverage.maps.coverage_map.CoverageMap` for context."""

    def add_boundaries(
        self,
        gdf: gpd.GeoDataFrame,
        name: str | None = None,
        kind: str = "county",
        *,
        name_col: str | None = None,
        labels: bool = False,
        min_zoom: float | None = None,
        **options: Unpack[LayerOptions],
    ) -> Self:
        """Add administrative boundaries (outlines only, tooltips with the name).

        Parameters
        ----------
        gdf : GeoDataFrame
            Polygons, any CRS.
        name : str, optional
            Layer name; defaults to the label of ``kind``.
        kind : {"city", "county", "township"}
            Line style.
        name_col : str, optional
            Column with the area name; defaults to ``name`` or ``county``.
        labels : bool
            Also write the names on the map, at the zooms of :data:`LABEL_ZOOMS` for
            ``kind`` (county names at city and county scale, township names from county
            scale on).
        min_zoom : float, optional
            Draw the outlines (and labels) from this zoom on only.
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        if kind not in sty.BOUNDARY_STYLES:
            msg = (
                f"边界类型只能是 {tuple(sty.BOUNDARY_STYLES)}，收到 {kind!r} / "
                f"kind must be one of {tuple(sty.BOUNDARY_STYLES)}, got {kind!r}"
            )
            raise InputError(msg, column="kind")
        data = simplify_metric(self._prepare(gdf, "boundaries"), sty.BOUNDARY_TOLERANCE_M)
        data = of_family(data, "A")
        if name_col is None:
            name_col = next((c for c in ("name", "county") if c in data.columns), None)
        style = dict(sty.BOUNDARY_STYLES[kind])
        label = name or text(kind, self.lang)
        item = LegendItem(label, style["color"], "line", style["weight"], style.get("dashArray"))
        spec = self._spec(data, [{"style": style}], tooltip_col=name_col)
        if min_zoom is not None:
            spec["minZoom"] = min_zoom
        specs = [spec]
        if labels and name_col is not None and len(data):
            lo, hi = sty.LABEL_ZOOMS.get(kind, (None, None))
            lo = lo if min_zoom is None else max(lo or min_zoom, min_zoom)
            specs.append(label_spec(data, name_col, f"lvc-label-{kind}", (lo, hi)))
        opts: LayerOptions = {"section": "context", **options}
        return self._add(label, specs, [item], **opts)

    def add_roads(
        self,
        edges: gpd.GeoDataFrame,
        by: str = "highway",
        *,
        name: str | None = None,
        tolerance_m: float = sty.ROAD_TOLERANCE_M,
        **options: Unpack[LayerOptions],
    ) -> Self:
        """Add a road network, generalised for size and styled by OSM highway class.

        Reverse duplicates (both directions of a two-way street) are dropped, lines are
        simplified in a metric CRS and coordinates rounded to 1e-5 degree. Rural roads appear
        from zoom 10, tracks and paths from zoom 12. A network of more than
        :data:`~lvliang_coverage.maps._style.ROAD_MAX_LINES` roads (a province) is drawn by
        its higher classes only, whole classes from the top within that many roads, and the
        layer's name says so.

        Parameters
        ----------
        edges : GeoDataFrame
            Road edges (e.g. from an osmnx graph), LineStrings, any CRS.
        by : str
            Column with the OSM ``highway`` value (lists take their first value).
        name : str, optional
            Layer name; defaults to "道路" / "Roads".
        tolerance_m : float
            Simplification tolerance in metres.
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(edges, "roads", "L")
        if by in data.columns:
            hw = data[by].map(lambda v: v[0] if isinstance(v, list | tuple) and v else v)
        else:
            hw = pd.Series("unclassified", index=data.index)
        norm = shapely.to_wkb(shapely.normalize(data.geometry.to_numpy()))
        keep = ~pd.Series(norm, index=data.index).duplicated().to_numpy()
        data, hw = data.loc[keep], hw.loc[keep]
        lookup = {v: i for i, (_, values, *_r) in enumerate(sty.ROAD_CLASSES) for v in values}
        rural = next(i for i, c in enumerate(sty.ROAD_CLASSES) if c[0] == "road_rural")
        k = hw.astype(object).map(lookup).fillna(rural).to_numpy(dtype=np.int64)
        drawn = _drawn_classes(k, sty.ROAD_MAX_LINES)
        capped = not drawn.all()
        if capped:
            data, k = data.loc[drawn], k[drawn]
        data = simplify_metric(data[["geometry"]], tolerance_m)
        styles, legend = [], []
        for i, (key, _values, colour, weight, dash, min_zoom) in enumerate(sty.ROAD_CLASSES):
            style = {"color": colour, "weight": weight, "opacity": 0.9, "interactive": False}
            if dash:
                style["dashArray"] = dash
            styles.append({"style": style, "minZoom": min_zoom})
            if (k == i).any():
                legend.append(LegendItem(text(key, self.lang), colour, "line", weight, dash))
        label = name or (
            MAP_TERMS.get("roads_capped", self.lang) if capped else text("roads", self.lang)
        )
        encoding = {"category": k, "merge": True}
        opts: LayerOptions = {"section": "context", **options}
        return self._add_one(label, data, styles, legend, encoding, **opts)

    def add_rivers(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        name: str | None = None,
        level_col: str = "level",
        name_col: str | None = "name",
        **options: Unpack[LayerOptions],
    ) -> Self:
        """Add rivers, wider for lower ``level`` values (1 = main rivers).

        Parameters
        ----------
        gdf : GeoDataFrame
            River lines, any CRS.
        name : str, optional
            Layer name; defaults to "河流" / "Rivers".
        level_col : str
            Column with the river level 1-3 (optional).
        name_col : str, optional
            Column shown as tooltip when present.
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "rivers", "L")
        levels = sorted(sty.RIVER_WEIGHTS)
        if level_col in data.columns:
            lv = pd.to_numeric(data[level_col], errors="coerce").fillna(levels[-1])
            k = np.searchsorted(levels, lv.clip(levels[0], levels[-1]).to_numpy())
        else:
            k = np.full(len(data), len(levels) - 1)
        styles = [
            {"style": {"color": sty.RIVER_COLOUR, "weight": sty.RIVER_WEIGHTS[lv_], "opacity": 0.9}}
            for lv_ in levels
        ]
        tip = name_col if name_col in data.columns else None
        label = name or text("rivers", self.lang)
        legend = [LegendItem(label, sty.RIVER_COLOUR, "line", 2.0)]
        opts: LayerOptions = {"section": "context", **options}
        return self._add_one(
            label,
            data,
            styles,
            legend,
            {"category": k},
            tooltip_col=tip,
            **opts,
        )


def label_spec(
    data: gpd.GeoDataFrame,
    name_col: str,
    css_class: str,
    zoom: tuple[float | None, float | None],
) -> dict[str, Any]:
    """Spec of permanent name labels at the areas' representative points.

    Parameters
    ----------
    data : GeoDataFrame
        Areas in WGS84 (as prepared for drawing).
    name_col : str
        Column with the names.
    css_class : str
        CSS class of the labels (``lvc-label-county``, ``lvc-label-township``).
    zoom : (float or None, float or None)
        Zooms from which and below which the labels are drawn.

    Returns
    -------
    dict
        A spec of the page script (``mode = "label"``).
    """
    points = shapely.point_on_surface(data.geometry.to_numpy())
    spec: dict[str, Any] = {
        "n": len(data),
        "geom": encode_geometries(points),
        "cats": [{"style": {}}],
        "mode": "label",
        "cls": css_class,
        "text": data[name_col].astype(str).map(esc).tolist(),
    }
    lo, hi = zoom
    spec.update({k: v for k, v in (("minZoom", lo), ("maxZoom", hi)) if v is not None})
    return spec
