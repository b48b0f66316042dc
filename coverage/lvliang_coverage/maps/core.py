"""Interactive Leaflet maps that open offline: boundaries, roads, villages, facilities, results.

Maps only draw layers that were computed elsewhere. Every exported HTML file carries Leaflet,
its plugins and the page script inline (no CDN), and all text from the data is HTML-escaped.

Base maps (``basemap``):

- ``"osm"`` (default): OpenStreetMap tiles, with a "no base map" choice in the layer control.
  Without a network the tiles stay blank and the vector layers (boundaries, roads, rivers)
  still give the context.
- ``"none"``: no tiles at all.
- ``"tianditu"``: 天地图 vector tiles with labels (``vec_w`` + ``cva_w``, CGCS2000 ~ WGS84); needs
  a key in the environment variable ``TIANDITU_KEY`` (or ``tianditu_key=``). The key is written
  into the HTML.
- ``"gaode"``: 高德 (Amap) tiles, which are in GCJ-02: every overlay is shifted to GCJ-02 with
  :func:`lvliang_coverage.inputs.chinacrs.wgs84_to_gcj02` so that it lines up with the tiles.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure
from folium import plugins

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._assets import inline_assets, leaflet_urls
from lvliang_coverage.maps._elements import (
    BaseLayer,
    DataLayer,
    PageAssets,
    Panel,
    ScaleBar,
    SearchControl,
)
from lvliang_coverage.maps._encode import (
    encode_geometries,
    esc,
    geometry_family,
    popup_table,
    shift_gcj02,
    simplify_metric,
    to_storage,
)
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.maps._text import check_lang, column_label, text

__all__ = ["BASEMAPS", "CoverageMap", "LegendItem", "overview_map"]

BASEMAPS = ("osm", "none", "tianditu", "gaode")
"""Base map choices, see the module docstring."""

_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_GAODE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
_TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={key}"
)
_SEARCH_ZOOM = 13
_SEARCH_LIMIT = 12
_ICONS_MAX_AT_LOW_ZOOM = 300  # facility layers with more points show dots below _ICON_ZOOM
_ICON_ZOOM = 11
_ROAD_TOLERANCE_M = 15.0
_BOUNDARY_TOLERANCE_M = 20.0

Area = gpd.GeoDataFrame | gpd.GeoSeries | Sequence[float]


class CoverageMap:
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
        Tile base map; see the module docstring.
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

    def __init__(
        self,
        area: Area,
        *,
        title: str = "",
        lang: str = "zh",
        basemap: str = "osm",
        data_note: str | None = None,
        synthetic: bool = False,
        tianditu_key: str | None = None,
    ) -> None:
        self.lang = check_lang(lang)
        if basemap not in BASEMAPS:
            msg = f"basemap must be one of {BASEMAPS}, got {basemap!r}"
            raise InputError(msg, column="basemap")
        self.basemap = basemap
        self.title = title
        self.data_note = data_note
        self.synthetic = synthetic
        self.gcj02 = basemap == "gaode"
        self.layer_names: list[str] = []
        self._legend: list[tuple[str, list[LegendItem]]] = []
        self._extra_legend: list[LegendItem] = []
        self._layers: list[DataLayer] = []

        key = tianditu_key if tianditu_key is not None else os.environ.get("TIANDITU_KEY", "")
        if basemap == "tianditu" and not key:
            msg = (
                "basemap 'tianditu' needs a Tianditu key: set the environment variable "
                "TIANDITU_KEY (or use basemap='osm' or 'none')"
            )
            raise InputError(msg, column="TIANDITU_KEY")
        self._tianditu_key = key

        minx, miny, maxx, maxy = self._bounds(area)
        self.map = folium.Map(
            location=[(miny + maxy) / 2.0, (minx + maxx) / 2.0],
            tiles=None,
            control_scale=False,
            zoom_start=8,
            zoomSnap=0.25,
        )
        js_url, css_url = leaflet_urls()
        self.map.default_js = [("leaflet", js_url)]
        self.map.default_css = [("leaflet_css", css_url)]
        self.map.add_child(PageAssets(), name="lvc_assets")
        self._add_basemaps()
        self.map.fit_bounds([[miny, minx], [maxy, maxx]])

    # ------------------------------------------------------------------ setup
    def _bounds(self, area: Area) -> tuple[float, float, float, float]:
        if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
            if area.crs is None:
                msg = "the map area has no CRS"
                raise InputError(msg, column="geometry")
            minx, miny, maxx, maxy = area.to_crs(STORAGE_CRS).total_bounds
        else:
            try:
                minx, miny, maxx, maxy = (float(v) for v in area)
            except (TypeError, ValueError) as exc:
                msg = "area must be a GeoDataFrame or (minx, miny, maxx, maxy) in degrees"
                raise InputError(msg) from exc
        if not np.all(np.isfinite([minx, miny, maxx, maxy])) or minx > maxx or miny > maxy:
            msg = "the map area is empty or its bounds are invalid"
            raise InputError(msg, column="geometry")
        if self.gcj02:
            corners = shift_gcj02(np.array([shapely.box(minx, miny, maxx, maxy)]))
            minx, miny, maxx, maxy = shapely.bounds(corners)[0]
        return float(minx), float(miny), float(maxx), float(maxy)

    def _add_basemaps(self) -> None:
        tiles: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = []
        if self.basemap == "osm":
            attr = "© OpenStreetMap contributors"
            tiles.append(("basemap_osm", [(_OSM_URL, {"maxZoom": 19, "attribution": attr})]))
        elif self.basemap == "gaode":
            opts = {"subdomains": "1234", "maxZoom": 18, "attribution": "© 高德地图 AutoNavi"}
            tiles.append(("basemap_gaode", [(_GAODE_URL, opts)]))
        elif self.basemap == "tianditu":
            opts = {"subdomains": "01234567", "maxZoom": 18, "attribution": "© 天地图"}
            key = self._tianditu_key
            layers = [
                (_TIANDITU_URL.format(layer=layer, key=key, s="{s}"), opts)
                for layer in ("vec", "cva")
            ]
            tiles.append(("basemap_tianditu", layers))
        tiles.append(("basemap_none", []))
        for i, (label, group) in enumerate(tiles):
            self.map.add_child(
                BaseLayer(group, esc(text(label, self.lang)), show=i == 0), name=f"lvc_base_{i}"
            )

    # ------------------------------------------------------------------ helpers
    def _prepare(self, gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
        """Layer in WGS84 (or shifted to GCJ-02 on a Gaode base map), no empty geometries."""
        out = to_storage(gdf, what)
        if self.gcj02 and not out.empty:
            out = out.set_geometry(shift_gcj02(out.geometry.to_numpy()), crs=STORAGE_CRS)
        return out

    def _spec(
        self,
        gdf: gpd.GeoDataFrame,
        styles: Sequence[Mapping[str, Any]],
        *,
        category: np.ndarray | None = None,
        popup_cols: Sequence[str] | None = None,
        tooltip_col: str | None = None,
        labels: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Encode one geometry family with its styles and texts (see the page script)."""
        spec: dict[str, Any] = {
            "n": len(gdf),
            "geom": encode_geometries(gdf.geometry.to_numpy()),
            "cats": [dict(s) for s in styles],
        }
        if category is not None:
            spec["k"] = np.asarray(category, dtype=np.int64).tolist()
        if popup_cols:
            cols, rows = popup_table(gdf, popup_cols, self.lang, dict(labels or {}))
            spec["cols"], spec["rows"] = cols, rows
        if tooltip_col is not None:
            if tooltip_col not in gdf.columns:
                msg = f"tooltip column {tooltip_col!r} not in the layer"
                raise InputError(msg, column=tooltip_col)
            spec["tip"] = gdf[tooltip_col].astype(str).map(esc).tolist()
        spec.update({k: v for k, v in extra.items() if v is not None})
        return spec

    def _add(
        self,
        name: str,
        specs: Sequence[dict[str, Any]],
        legend: Sequence[LegendItem] = (),
        *,
        show: bool = True,
    ) -> CoverageMap:
        specs = [s for s in specs if s["n"] > 0]
        layer = DataLayer(specs, esc(name), show=show)
        self.map.add_child(layer, name=f"lvc_layer_{len(self._layers)}")
        self._layers.append(layer)
        self.layer_names.append(name)
        if legend:
            self._legend.append((name, list(legend)))
        return self

    def _categories(
        self,
        values: pd.Series,
        palette: Mapping[Any, str] | None,
        labels: Mapping[Any, str] | None,
        column: str,
    ) -> tuple[np.ndarray, list[Any], list[str], list[str]]:
        """Category index per row, the categories, their colours and their legend labels."""
        missing = values.isna().to_numpy()
        uniques = values.dropna().unique()
        if pd.api.types.is_bool_dtype(values) or (
            len(uniques) > 0 and all(isinstance(v, bool | np.bool_) for v in uniques)
        ):
            cats: list[Any] = [v for v in (True, False) if (values == v).any()]
        else:
            seen = pd.unique(values.dropna())
            order = [v for v in (palette or {}) if v in set(seen)]
            cats = order + sorted((v for v in seen if v not in set(order)), key=str)
        index = {v: i for i, v in enumerate(cats)}
        k = values.map(index).fillna(len(cats)).to_numpy(dtype=np.int64)
        colours, names = [], []
        for i, v in enumerate(cats):
            if palette is not None and v in palette:
                colours.append(palette[v])
            elif isinstance(v, bool | np.bool_):
                colours.append(sty.BOOL_COLOURS[bool(v)])
            else:
                colours.append(sty.CATEGORY_COLOURS[i % len(sty.CATEGORY_COLOURS)])
            if labels is not None and v in labels:
                names.append(str(labels[v]))
            elif isinstance(v, bool | np.bool_):
                names.append(
                    f"{column_label(column, self.lang)}：{text('yes' if v else 'no', self.lang)}"
                )
            else:
                names.append(str(v))
        if missing.any():
            colours.append("#bdbdbd")
            names.append(text("missing", self.lang))
        return k, cats, colours, names

    # ------------------------------------------------------------------ layers
    def add_boundaries(
        self,
        gdf: gpd.GeoDataFrame,
        name: str | None = None,
        kind: str = "county",
        *,
        name_col: str | None = None,
        show: bool = True,
    ) -> CoverageMap:
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
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        if kind not in sty.BOUNDARY_STYLES:
            msg = f"kind must be one of {tuple(sty.BOUNDARY_STYLES)}, got {kind!r}"
            raise InputError(msg, column="kind")
        data = simplify_metric(self._prepare(gdf, "boundaries"), _BOUNDARY_TOLERANCE_M)
        data = data.loc[geometry_family(data.geometry.to_numpy()) == "A"]
        if name_col is None:
            name_col = next((c for c in ("name", "county") if c in data.columns), None)
        style = dict(sty.BOUNDARY_STYLES[kind])
        spec = self._spec(data, [{"style": style}], tooltip_col=name_col)
        label = name or text(kind, self.lang)
        item = LegendItem(label, style["color"], "line", style["weight"], style.get("dashArray"))
        return self._add(label, [spec], [item], show=show)

    def add_roads(
        self,
        edges: gpd.GeoDataFrame,
        by: str = "highway",
        *,
        name: str | None = None,
        tolerance_m: float = _ROAD_TOLERANCE_M,
        show: bool = True,
    ) -> CoverageMap:
        """Add a road network, generalised for size and styled by OSM highway class.

        Reverse duplicates (both directions of a two-way street) are dropped, lines are
        simplified in a metric CRS and coordinates rounded to 1e-5 degree. Rural roads appear
        from zoom 10, tracks and paths from zoom 12.

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
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(edges, "roads")
        data = data.loc[geometry_family(data.geometry.to_numpy()) == "L"]
        if by in data.columns:
            hw = data[by].map(lambda v: v[0] if isinstance(v, list | tuple) and v else v)
        else:
            hw = pd.Series("unclassified", index=data.index)
        norm = shapely.to_wkb(shapely.normalize(data.geometry.to_numpy()))
        keep = ~pd.Series(norm, index=data.index).duplicated().to_numpy()
        data, hw = data.loc[keep], hw.loc[keep]
        data = simplify_metric(data[["geometry"]], tolerance_m)
        lookup = {v: i for i, (_, values, *_r) in enumerate(sty.ROAD_CLASSES) for v in values}
        rural = next(i for i, c in enumerate(sty.ROAD_CLASSES) if c[0] == "road_rural")
        k = hw.astype(object).map(lookup).fillna(rural).to_numpy(dtype=np.int64)
        styles, legend = [], []
        for i, (key, _values, colour, weight, dash, min_zoom) in enumerate(sty.ROAD_CLASSES):
            style = {"color": colour, "weight": weight, "opacity": 0.9, "interactive": False}
            if dash:
                style["dashArray"] = dash
            styles.append({"style": style, "minZoom": min_zoom})
            if (k == i).any():
                legend.append(LegendItem(text(key, self.lang), colour, "line", weight, dash))
        spec = self._spec(data, styles, category=k, merge=True)
        return self._add(name or text("roads", self.lang), [spec], legend, show=show)

    def add_rivers(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        name: str | None = None,
        level_col: str = "level",
        name_col: str | None = "name",
        show: bool = True,
    ) -> CoverageMap:
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
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "rivers")
        data = data.loc[geometry_family(data.geometry.to_numpy()) == "L"].reset_index(drop=True)
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
        spec = self._spec(data, styles, category=k, tooltip_col=tip)
        label = name or text("rivers", self.lang)
        return self._add(
            label, [spec], [LegendItem(label, sty.RIVER_COLOUR, "line", 2.0)], show=show
        )

    def add_villages(
        self,
        gdf: gpd.GeoDataFrame,
        status_col: str | None = None,
        size_col: str | None = "population",
        popup_cols: Sequence[str] | None = None,
        palette: Mapping[Any, str] | None = None,
        *,
        labels: Mapping[Any, str] | None = None,
        name: str | None = None,
        name_col: str = "name",
        searchable: bool = True,
        show: bool = True,
    ) -> CoverageMap:
        """Add villages as circle markers on the canvas, coloured by status, sized by residents.

        Parameters
        ----------
        gdf : GeoDataFrame
            Village points (schema of ``villages``), any CRS.
        status_col : str, optional
            Column whose values colour the dots (e.g. a boolean ``covered``).
        size_col : str, optional
            Column of residents that sizes the dots (square-root scale); ``None`` for one size.
        popup_cols : sequence of str, optional
            Columns shown in the popup; defaults to the village schema columns present plus
            ``status_col``.
        palette : mapping, optional
            Colour per status value; missing values get default colours.
        labels : mapping, optional
            Legend label per status value.
        name : str, optional
            Layer name; defaults to "自然村" / "Villages".
        name_col : str
            Column with the village name (tooltip, popup title and search).
        searchable : bool
            Include the names in the search box.
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "villages")
        data = data.loc[geometry_family(data.geometry.to_numpy()) == "P"].reset_index(drop=True)
        if popup_cols is None:
            schema = (
                "village_id",
                "county",
                "township",
                "admin_village",
                "population",
                "households",
                "registered_poor",
                "water_safe",
                "relocate",
            )
            popup_cols = [c for c in schema if c in data.columns]
            if status_col and status_col not in popup_cols:
                popup_cols.append(status_col)
        base = {"color": "#ffffff", "weight": 0.7, "fillOpacity": 0.85, "opacity": 0.9}
        legend: list[LegendItem] = []
        if status_col is not None:
            if status_col not in data.columns:
                msg = f"status column {status_col!r} not in the villages layer"
                raise InputError(msg, column=status_col)
            k, _cats, colours, names = self._categories(
                data[status_col], palette, labels, status_col
            )
        else:
            k, colours, names = np.zeros(len(data), dtype=np.int64), ["#2c7fb8"], []
        styles = [{"style": {**base, "fillColor": c, "radius": 4}} for c in colours]
        legend += [LegendItem(n, c, "circle", 5) for n, c in zip(names, colours, strict=False)]
        radius = None
        if size_col is not None and size_col in data.columns:
            radius = sty.village_radius(data[size_col].to_numpy(dtype=float)).tolist()
            grey = colours[0] if status_col is None else "#9e9e9e"
            legend.append(LegendItem(text("dot_size", self.lang), "transparent", "none"))
            for pop in sty.VILLAGE_LEGEND_RESIDENTS:
                size = float(sty.village_radius(np.array([pop]))[0])
                legend.append(LegendItem(f"{pop:,}", grey, "circle", size))
        tip = name_col if name_col in data.columns else None
        spec = self._spec(
            data,
            styles,
            category=k,
            popup_cols=popup_cols,
            tooltip_col=tip,
            r=radius,
            search=bool(searchable and tip),
        )
        return self._add(name or text("villages", self.lang), [spec], legend, show=show)

    def add_facilities(
        self,
        gdf: gpd.GeoDataFrame,
        kind_col: str = "kind",
        popup_cols: Sequence[str] | None = None,
        *,
        name_col: str = "name",
        hidden_kinds: Iterable[str] = (),
    ) -> CoverageMap:
        """Add facilities as icons, one switchable layer per facility type.

        Parameters
        ----------
        gdf : GeoDataFrame
            Facility points (schema of ``facilities``), any CRS.
        kind_col : str
            Column with the type (``clinic``, ``health_centre``, ``hospital``, ``school``,
            ``workshop``, ``industrial_park``; others get a grey dot).
        popup_cols : sequence of str, optional
            Popup columns; defaults to the facility schema columns present.
        name_col : str
            Column with the facility name (tooltip and popup title).
        hidden_kinds : iterable of str
            Types whose layer starts switched off.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "facilities")
        data = data.loc[geometry_family(data.geometry.to_numpy()) == "P"].reset_index(drop=True)
        if kind_col not in data.columns:
            msg = f"kind column {kind_col!r} not in the facilities layer"
            raise InputError(msg, column=kind_col)
        if popup_cols is None:
            schema = ("facility_id", "kind", "county", "township", "doctors")
            popup_cols = [c for c in schema if c in data.columns]
        hidden = set(hidden_kinds)
        kinds = data[kind_col].astype(str)
        present = list(pd.unique(kinds))
        ordered = [k for k in sty.FACILITY_ORDER if k in present] + sorted(
            k for k in present if k not in sty.FACILITY_ORDER
        )
        tip = name_col if name_col in data.columns else None
        labels = {"kind": column_label("kind", self.lang)}
        for kind in ordered:
            part = data.loc[(kinds == kind).to_numpy()].reset_index(drop=True)
            if kind_col in part.columns:
                part[kind_col] = text(kind, self.lang)
            size = sty.FACILITY_ICON_PX.get(kind, 16)
            icon = sty.facility_icon(kind, size)
            label = text(kind, self.lang)
            dots = len(part) > _ICONS_MAX_AT_LOW_ZOOM
            spec = self._spec(
                part,
                [{"style": {}, "icon": icon, "size": size}],
                popup_cols=popup_cols,
                tooltip_col=tip,
                labels=labels,
                mode="marker",
                dotsBelow=_ICON_ZOOM if dots else None,
                dot=dict(sty.FACILITY_DOT, fillColor=sty.FACILITY_COLOURS.get(kind, "#8c8c8c"))
                if dots
                else None,
            )
            item = LegendItem(label, shape="icon", icon=icon)
            self._add(label, [spec], [item], show=kind not in hidden)
        return self

    def add_circles(
        self,
        gdf: gpd.GeoDataFrame,
        radius_m: float,
        name: str | None = None,
        *,
        color: str = "#2b8cbe",
        popup_cols: Sequence[str] | None = None,
        tooltip_col: str | None = None,
        show: bool = True,
    ) -> CoverageMap:
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
        popup_cols : sequence of str, optional
            Popup columns.
        tooltip_col : str, optional
            Tooltip column.
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        if not np.isfinite(radius_m) or radius_m <= 0:
            msg = f"radius_m must be a positive number of metres, got {radius_m!r}"
            raise InputError(msg, column="radius_m")
        data = self._prepare(gdf, "circles")
        data = data.loc[geometry_family(data.geometry.to_numpy()) == "P"].reset_index(drop=True)
        style = {"color": color, "weight": 1.0, "opacity": 0.8, "fillColor": color}
        style["fillOpacity"] = 0.07
        spec = self._spec(
            data,
            [{"style": style}],
            popup_cols=popup_cols,
            tooltip_col=tooltip_col,
            mode="circle",
            radius_m=float(radius_m),
        )
        label = name or f"{radius_m / 1000.0:g} {text('km_radius', self.lang)}"
        return self._add(label, [spec], [LegendItem(label, color, "area")], show=show)

    def add_isochrones(
        self,
        gdf: gpd.GeoDataFrame,
        minutes_col: str = "minutes",
        name: str | None = None,
        *,
        colors: Sequence[str] | None = None,
        show: bool = True,
    ) -> CoverageMap:
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
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "isochrones")
        data = data.loc[geometry_family(data.geometry.to_numpy()) == "A"]
        if minutes_col not in data.columns:
            msg = f"minutes column {minutes_col!r} not in the isochrones layer"
            raise InputError(msg, column=minutes_col)
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
        spec = self._spec(data, styles, category=k, popup_cols=[minutes_col])
        return self._add(name or text("isochrones", self.lang), [spec], legend, show=show)

    def add_lines(
        self,
        gdf: gpd.GeoDataFrame,
        name: str | None = None,
        *,
        color: str = "#6a51a3",
        weight: float = 1.5,
        category_col: str | None = None,
        palette: Mapping[Any, str] | None = None,
        labels: Mapping[Any, str] | None = None,
        popup_cols: Sequence[str] | None = None,
        tooltip_col: str | None = None,
        show: bool = True,
    ) -> CoverageMap:
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
        category_col : str, optional
            Column whose values colour the lines.
        palette, labels : mapping, optional
            Colour and legend label per category value.
        popup_cols : sequence of str, optional
            Popup columns.
        tooltip_col : str, optional
            Tooltip column.
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        return self.add_layer(
            gdf,
            name or text("lines", self.lang),
            color=color,
            weight=weight,
            category_col=category_col,
            palette=palette,
            labels=labels,
            popup_cols=popup_cols,
            tooltip_col=tooltip_col,
            show=show,
        )

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
        tooltip_col: str | None = None,
        show: bool = True,
    ) -> CoverageMap:
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
        tooltip_col : str, optional
            Tooltip column.
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, name)
        fam = geometry_family(data.geometry.to_numpy())
        if category_col is not None:
            if category_col not in data.columns:
                msg = f"category column {category_col!r} not in the layer"
                raise InputError(msg, column=category_col)
            k, _c, colours, names = self._categories(
                data[category_col], palette, labels, category_col
            )
        else:
            k, colours, names = np.zeros(len(data), dtype=np.int64), [color], [name]
        specs, legend = [], []
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
                    tooltip_col=tooltip_col,
                )
            )
            if not legend:
                size = radius if family == "P" else weight
                legend = [
                    LegendItem(n, c, shape[family], size, dash)
                    for n, c in zip(names, colours, strict=False)
                ]
        return self._add(name, specs, legend, show=show)

    def add_legend(
        self, items: Iterable[LegendItem | tuple[str, str] | Mapping[str, Any]]
    ) -> CoverageMap:
        """Add rows to the legend (after the rows of the layers).

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

    # ------------------------------------------------------------------ output
    def _legend_html(self) -> str:
        parts = [f"<h4>{esc(text('legend', self.lang))}</h4>"]
        for name, items in self._legend:
            if len(items) == 1 and items[0].label == name:
                parts.append(items[0].html())
                continue
            parts.append(f"<h5>{esc(name)}</h5>")
            parts.extend(
                i.html() if i.shape != "none" else f"<div>{esc(i.label)}</div>" for i in items
            )
        parts.extend(i.html() for i in self._extra_legend)
        return "".join(parts)

    def _finalise(self) -> None:
        """(Re)attach controls after all layers so their scripts run last."""
        children = self.map._children
        for key in [k for k in children if k.startswith("lvc_ctl_")]:
            del children[key]
        lang = self.lang
        controls: list[tuple[str, Any]] = [
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
                    zoom=_SEARCH_ZOOM,
                    limit=_SEARCH_LIMIT,
                ),
            ),
            ("legend", Panel(self._legend_html(), "bottomright", "lvc-legend")),
        ]
        title = esc(self.title) if self.title else ""
        if self.synthetic:
            title += f'<div><span class="lvc-synthetic">{esc(text("synthetic", lang))}</span></div>'
        if title:
            controls.append(("title", Panel(title, "title", "lvc-title")))
        if self.data_note:
            controls.append(("note", Panel(esc(self.data_note), "bottomleft", "lvc-note")))
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


def _roads_of(data: Any) -> gpd.GeoDataFrame | None:
    for attr in ("edges", "roads"):
        value = getattr(data, attr, None)
        if isinstance(value, gpd.GeoDataFrame):
            return value
    path = getattr(data, "roads_path", None)
    if path is not None and Path(path).is_file():
        from lvliang_coverage.maps._roads import read_osm_roads  # noqa: PLC0415  (needs GDAL OSM)

        return read_osm_roads(Path(path))
    return None


def overview_map(
    data: Any,
    lang: str = "zh",
    *,
    roads: gpd.GeoDataFrame | None = None,
    basemap: str = "osm",
) -> CoverageMap:
    """Whole-city map of the default data: boundaries, roads, rivers, villages, facilities.

    Parameters
    ----------
    data : DefaultData-like
        Object with GeoDataFrame attributes ``city``, ``counties``, ``townships``,
        ``villages``, ``facilities``, ``rivers`` (any may be missing or ``None``) and
        optionally ``edges``/``roads`` or ``roads_path`` (OpenStreetMap XML).
    lang : {"zh", "en"}
        Language of the labels.
    roads : GeoDataFrame, optional
        Road edges; defaults to the ones found on ``data``.
    basemap : str
        Base map, see :class:`CoverageMap`.

    Returns
    -------
    CoverageMap
        The map, ready to :meth:`~CoverageMap.save`.
    """

    def layer(attr: str) -> gpd.GeoDataFrame | None:
        value = getattr(data, attr, None)
        return value if isinstance(value, gpd.GeoDataFrame) and not value.empty else None

    city, counties, townships = layer("city"), layer("counties"), layer("townships")
    villages, facilities, rivers = layer("villages"), layer("facilities"), layer("rivers")
    area = next((g for g in (city, counties, villages) if g is not None), None)
    if area is None:
        msg = "the data has no city, counties or villages to draw"
        raise InputError(msg)
    synthetic = bool(getattr(data, "is_synthetic", False)) or any(
        g is not None and "source" in g.columns and (g["source"] == "synthetic").any()
        for g in (villages, facilities, townships)
    )
    m = CoverageMap(
        area,
        title=text("overview_title", lang),
        lang=lang,
        basemap=basemap,
        data_note=text("overview_note", lang),
        synthetic=synthetic,
    )
    if townships is not None:
        m.add_boundaries(townships, kind="township", show=False)
    if counties is not None:
        m.add_boundaries(counties, kind="county")
    if city is not None:
        m.add_boundaries(city, kind="city")
    road_edges = roads if roads is not None else _roads_of(data)
    if road_edges is not None and not road_edges.empty:
        m.add_roads(road_edges)
    if rivers is not None:
        m.add_rivers(rivers)
    if villages is not None:
        m.add_villages(villages)
    if facilities is not None:
        m.add_facilities(facilities, hidden_kinds=("school", "workshop"))
    return m
