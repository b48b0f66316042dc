"""The state every map is built on: the folium map, its opening view and the layer encoding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self, TypeAlias, TypedDict

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._assets import leaflet_urls
from lvliang_coverage.maps._choices import check_basemap
from lvliang_coverage.maps._elements import DataLayer, PageAssets
from lvliang_coverage.maps._encode import (
    encode_geometries,
    esc,
    of_family,
    popup_table,
    require_column,
    shift_gcj02,
    to_storage,
)
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.maps.basemaps import basemap_layers
from lvliang_coverage.report.vocabulary import check_lang, column_label, text

Area: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | Sequence[float]
"""What a map opens on: a layer (any CRS) or WGS84 bounds ``(minx, miny, maxx, maxy)``."""


class LayerOptions(TypedDict, total=False):
    """Keyword options every ``add_*`` method that adds one switchable layer takes.

    Attributes
    ----------
    show : bool
        Whether the layer is on when the map opens (default true).
    section : str
        Legend section of the layer's rows, one of :data:`SECTIONS` (default: ``"result"``,
        ``"context"`` for boundaries, roads and rivers, ``"facility"`` for facility icons).
    """

    show: bool
    section: str


class PopupOptions(LayerOptions, total=False):
    """:class:`LayerOptions` plus the texts of features that have no default ones.

    Attributes
    ----------
    popup_cols : sequence of str, optional
        Columns shown in the popup of a feature.
    popup_labels : mapping of str to str, optional
        Popup label per column, in the map's language (default: the shared column labels).
    note_col : str, optional
        Column with a plain sentence shown in bold under the popup title (e.g. the status).
    tooltip_col : str, optional
        Column shown as the tooltip of a feature.
    """

    popup_cols: Sequence[str] | None
    popup_labels: Mapping[str, str] | None
    note_col: str | None
    tooltip_col: str | None


SECTIONS = ("result", "facility", "context")
"""Legend sections, in the order drawn: result classes (always open, first), facility icons
(a collapsible section, open), context layers (collapsible, closed)."""


class MapCanvas:
    """Base of :class:`~lvliang_coverage.maps.coverage_map.CoverageMap`: map, view, encoding.

    Parameters
    ----------
    area, title, lang, basemap, data_note, synthetic, tianditu_key :
        See :class:`~lvliang_coverage.maps.coverage_map.CoverageMap`.

    Raises
    ------
    InputError
        For an unknown language or base map, or ``basemap="tianditu"`` without a key.
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
        self._tianditu_key = check_basemap(basemap, tianditu_key)
        self.basemap = basemap
        self.title = title
        self.data_note = data_note
        self.synthetic = synthetic
        self.gcj02 = basemap == "gaode"
        self.layer_names: list[str] = []
        self._legend: list[tuple[str, list[LegendItem], str]] = []
        self._extra_legend: list[LegendItem] = []
        self._layers: list[DataLayer] = []

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
        for i, layer in enumerate(basemap_layers(basemap, self.lang, self._tianditu_key)):
            self.map.add_child(layer, name=f"lvc_base_{i}")
        self.map.fit_bounds([[miny, minx], [maxy, maxx]])

    def _bounds(self, area: Area) -> tuple[float, float, float, float]:
        """WGS84 (or GCJ-02 on a Gaode base map) bounds of ``area``."""
        if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
            if area.crs is None:
                msg = "地图范围没有坐标参考系 / the map area has no CRS"
                raise InputError(msg, column="geometry")
            minx, miny, maxx, maxy = area.to_crs(STORAGE_CRS).total_bounds
        else:
            try:
                minx, miny, maxx, maxy = (float(v) for v in area)
            except (TypeError, ValueError) as exc:
                msg = (
                    "地图范围须为 GeoDataFrame 或经纬度范围 (minx, miny, maxx, maxy) / "
                    "area must be a GeoDataFrame or (minx, miny, maxx, maxy) in degrees"
                )
                raise InputError(msg) from exc
        if not np.all(np.isfinite([minx, miny, maxx, maxy])) or minx > maxx or miny > maxy:
            msg = "地图范围为空或边界无效 / the map area is empty or its bounds are invalid"
            raise InputError(msg, column="geometry")
        if self.gcj02:
            corners = shift_gcj02(np.array([shapely.box(minx, miny, maxx, maxy)]))
            minx, miny, maxx, maxy = shapely.bounds(corners)[0]
        return float(minx), float(miny), float(maxx), float(maxy)

    def _prepare(
        self,
        gdf: gpd.GeoDataFrame,
        what: str,
        family: str | None = None,
        *,
        needs: Mapping[str, str | None] | None = None,
    ) -> gpd.GeoDataFrame:
        """Layer in WGS84 (or shifted to GCJ-02 on a Gaode base map), no empty geometries.

        With ``family`` (``"P"``, ``"L"`` or ``"A"``) only the geometries of that family are
        kept, see :func:`~lvliang_coverage.maps._encode.of_family`. ``needs`` maps roles to
        columns the layer must have (``None``: not needed), e.g. ``{"kind": "kind"}``.
        """
        out = to_storage(gdf, what)
        if self.gcj02 and not out.empty:
            out = out.set_geometry(shift_gcj02(out.geometry.to_numpy()), crs=STORAGE_CRS)
        out = out if family is None else of_family(out, family)
        for role, column in (needs or {}).items():
            if column is not None:
                require_column(out, column, role, f"{what} layer")
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
        popup_labels: Mapping[str, str] | None = None,
        note_col: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Encode one geometry family with its styles and texts (see the page script).

        ``labels`` and ``popup_labels`` both name popup columns (the latter wins).
        """
        empty = {"g": "P", "xy": [], "o": []}  # an empty layer is dropped by _add
        spec: dict[str, Any] = {
            "n": len(gdf),
            "geom": encode_geometries(gdf.geometry.to_numpy()) if len(gdf) else empty,
            "cats": [dict(s) for s in styles],
        }
        if category is not None:
            spec["k"] = np.asarray(category, dtype=np.int64).tolist()
        if popup_cols:
            names = {**(labels or {}), **(popup_labels or {})}
            cols, rows = popup_table(gdf, popup_cols, self.lang, names)
            spec["cols"], spec["rows"] = cols, rows
        if tooltip_col is not None:
            require_column(gdf, tooltip_col, "tooltip")
            spec["tip"] = gdf[tooltip_col].astype(str).map(esc).tolist()
        if note_col is not None:
            require_column(gdf, note_col, "popup note")
            spec["note"] = gdf[note_col].fillna("").astype(str).map(esc).tolist()
        spec.update({k: v for k, v in extra.items() if v is not None})
        return spec

    def _add(
        self,
        name: str,
        specs: Sequence[dict[str, Any]],
        legend: Sequence[LegendItem] = (),
        *,
        show: bool = True,
        section: str = "result",
    ) -> Self:
        """Add one switchable overlay of encoded specs, with its legend rows.

        ``section`` is the legend section of the rows (one of :data:`SECTIONS`).
        """
        if section not in SECTIONS:
            msg = (
                f"图例分组只能是 {SECTIONS}，收到 {section!r} / "
                f"legend section must be one of {SECTIONS}, got {section!r}"
            )
            raise InputError(msg, column="section")
        specs = [s for s in specs if s["n"] > 0]
        layer = DataLayer(specs, esc(name), show=show)
        self.map.add_child(layer, name=f"lvc_layer_{len(self._layers)}")
        self._layers.append(layer)
        self.layer_names.append(name)
        if legend:
            self._legend.append((name, list(legend), section))
        return self

    def _add_one(
        self,
        name: str,
        gdf: gpd.GeoDataFrame,
        styles: Sequence[Mapping[str, Any]],
        legend: Sequence[LegendItem] = (),
        encoding: Mapping[str, Any] | None = None,
        *,
        show: bool = True,
        section: str = "result",
        popup_cols: Sequence[str] | None = None,
        popup_labels: Mapping[str, str] | None = None,
        note_col: str | None = None,
        tooltip_col: str | None = None,
    ) -> Self:
        """Add one overlay of one encoded spec, with its legend rows.

        ``encoding`` and the popup, note and tooltip columns go to :meth:`_spec`, ``show``
        and ``section`` to :meth:`_add`.
        """
        spec = self._spec(
            gdf,
            styles,
            popup_cols=popup_cols,
            popup_labels=popup_labels,
            note_col=note_col,
            tooltip_col=tooltip_col,
            **(encoding or {}),
        )
        return self._add(name, [spec], legend, show=show, section=section)

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
        colours: list[str] = []
        names: list[str] = []
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
            colours.append(sty.MISSING_COLOUR)
            names.append(text("missing", self.lang))
        return k, cats, colours, names
