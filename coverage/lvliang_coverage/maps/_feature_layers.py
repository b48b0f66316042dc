"""Feature layers of a map: villages as sized, coloured dots and facilities as kind icons."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Self, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage import kinds
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._canvas import LayerOptions, MapCanvas, PopupOptions
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.maps._terms import MAP_TERMS
from lvliang_coverage.report.vocabulary import column_label, text

VILLAGE_POPUP = (
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
"""Columns of the village schema shown in popups by default (those present)."""

FACILITY_POPUP = ("facility_id", "kind", "county", "township", "doctors")
"""Columns of the facility schema shown in popups by default (those present)."""


def _popup(
    data: gpd.GeoDataFrame, popup_cols: Sequence[str] | None, *default: str | None
) -> list[str]:
    """``popup_cols`` as given, else the ``default`` columns ``data`` has (each once, in order)."""
    if popup_cols is not None:
        return list(popup_cols)
    return [c for c in dict.fromkeys(default) if c is not None and c in data.columns]


class FeatureLayers(MapCanvas):
    """Layer methods of :class:`~lvliang_coverage.maps.coverage_map.CoverageMap` for features."""

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
        hollow: Collection[Any] = (),
        min_zoom: float | None = None,
        popup_labels: Mapping[str, str] | None = None,
        note_col: str | None = None,
        **options: Unpack[LayerOptions],
    ) -> Self:
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
        hollow : collection
            Status values drawn as rings (white fill, coloured outline), e.g. the villages
            a rule does not target, so that colour keeps one meaning.
        min_zoom : float, optional
            Draw the villages from this zoom on only (e.g. below it an area layer coloured by
            share tells the story); the search still finds them.
        popup_labels : mapping of str to str, optional
            Popup label per column (default: the shared column labels).
        note_col : str, optional
            Column with a plain sentence shown in bold under the popup title.
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(
            gdf, "villages", "P", needs={"status": status_col, "popup note": note_col}
        )
        ring = set(hollow)
        legend: list[LegendItem] = []
        if status_col is not None:
            k, cats, colours, names = self._categories(
                data[status_col], palette, labels, status_col
            )
        else:
            k, cats, colours, names = (
                np.zeros(len(data), dtype=np.int64),
                [],
                [sty.VILLAGE_COLOUR],
                [],
            )
        rings = [i < len(cats) and cats[i] in ring for i in range(len(colours))]
        styles = [{"style": _dot_style(c, r)} for c, r in zip(colours, rings, strict=True)]
        legend += [
            LegendItem(n, c, "circle", 5, hollow=r)
            for n, c, r in zip(names, colours, rings, strict=False)
        ]
        radius = None
        sizes: list[LegendItem] = []
        if size_col is not None and size_col in data.columns:
            radius = sty.village_radius(data[size_col].to_numpy(dtype=float)).tolist()
            grey = colours[0] if status_col is None else "#9e9e9e"
            for pop in sty.VILLAGE_LEGEND_RESIDENTS:
                size = float(sty.village_radius(np.array([pop]))[0])
                sizes.append(LegendItem(f"{pop:,}", grey, "circle", size))
        if status_col is not None and labels:  # the popup says the status in words too
            words = data[status_col].map(lambda v: labels.get(v, v) if pd.notna(v) else v)
            data = data.assign(**{status_col: words})
        tip = name_col if name_col in data.columns else None
        layer = name or text("villages", self.lang)
        self._add_one(
            layer,
            data,
            styles,
            legend,
            {"category": k, "r": radius, "search": bool(searchable and tip), "minZoom": min_zoom},
            popup_cols=_popup(data, popup_cols, *VILLAGE_POPUP, status_col or None),
            popup_labels=popup_labels,
            note_col=note_col,
            tooltip_col=tip,
            **options,
        )
        heading = text("dot_size", self.lang)
        if sizes and all(block[0] != heading for block in self._legend):
            self._legend.append((heading, sizes, "context"))
        return self

    def add_facilities(
        self,
        gdf: gpd.GeoDataFrame,
        kind_col: str = "kind",
        popup_cols: Sequence[str] | None = None,
        *,
        name_col: str = "name",
        hidden_kinds: Iterable[str] = (),
        popup_labels: Mapping[str, str] | None = None,
        crowded_min_zoom: float | None = None,
    ) -> Self:
        """Add facilities as icons, one switchable layer per facility type.

        Parameters
        ----------
        gdf : GeoDataFrame
            Facility points (schema of ``facilities``), any CRS.
        kind_col : str
            Column with the canonical kind (see :mod:`lvliang_coverage.kinds`): each kind is
            drawn with its registered icon shape, colour and size, and its layers follow the
            registration order; unregistered kinds get a grey dot.
        popup_cols : sequence of str, optional
            Popup columns; defaults to the facility schema columns present.
        name_col : str
            Column with the facility name (tooltip and popup title).
        hidden_kinds : iterable of str
            Types whose layer starts switched off.
        popup_labels : mapping of str to str, optional
            Popup label per column (default: the shared column labels).
        crowded_min_zoom : float, optional
            Kinds with more than :data:`~lvliang_coverage.maps._style.ICONS_MAX_AT_LOW_ZOOM`
            points are dots below :data:`~lvliang_coverage.maps._style.ICON_ZOOM`; kinds with
            more than :data:`~lvliang_coverage.maps._style.CROWDED_FACILITIES` are not drawn
            at all below this zoom (e.g. the 1,300 village clinics and 150 health centres at
            city scale, where an area layer shows the result).

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "facilities", "P", needs={"kind": kind_col})
        popup = _popup(data, popup_cols, *FACILITY_POPUP)
        hidden = set(hidden_kinds)
        values = data[kind_col].astype(str)
        tip = name_col if name_col in data.columns else None
        labels = {kind_col: column_label("kind", self.lang), **(popup_labels or {})}
        for kind in sty.facility_order(pd.unique(values)):
            part = data.loc[(values == kind).to_numpy()].reset_index(drop=True)
            part[kind_col] = text(kind, self.lang)
            size = kinds.get(kind).icon_px
            dots = len(part) > sty.ICONS_MAX_AT_LOW_ZOOM
            self._add_icons(
                part,
                text(kind, self.lang),
                sty.facility_icon(kind, size),
                size,
                section="facility",
                dot_colour=kinds.get(kind).colour if dots else None,
                min_zoom=crowded_min_zoom if len(part) > sty.CROWDED_FACILITIES else None,
                show=kind not in hidden,
                popup_cols=popup,
                popup_labels=labels,
                tooltip_col=tip,
            )
        return self

    def add_sites(
        self,
        gdf: gpd.GeoDataFrame,
        kind: str,
        name: str,
        *,
        colour: str,
        min_zoom: float | None = None,
        **options: Unpack[PopupOptions],
    ) -> Self:
        """Add planned or chosen sites as the icon of their kind drawn in a result colour.

        E.g. the new clinics of a plan: the village-clinic cross in the "planned" orange, so
        that they read as clinics and as the plan's result at once.

        Parameters
        ----------
        gdf : GeoDataFrame
            Site points, any CRS.
        kind : str
            Facility kind whose icon shape is used (see :mod:`lvliang_coverage.kinds`).
        name : str
            Layer name (and legend row).
        colour : str
            Colour of the icon (a result class colour).
        min_zoom : float, optional
            Draw the sites from this zoom on only (e.g. hundreds of new sources at city
            scale).
        **options : PopupOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, name, "P")
        size = kinds.get(kind).icon_px + 2
        icon = sty.facility_icon(kind, size, colour=colour)
        opts: PopupOptions = {"section": "result", **options}
        return self._add_icons(data, name, icon, size, min_zoom=min_zoom, **opts)

    def add_idle_buildings(
        self, gdf: gpd.GeoDataFrame, name: str | None = None, **options: Unpack[PopupOptions]
    ) -> Self:
        """Add idle buildings (闲置校舍、卫生院) with their own icon, whatever their kind.

        Parameters
        ----------
        gdf : GeoDataFrame
            Building points, any CRS.
        name : str, optional
            Layer name; defaults to "闲置校舍、卫生院" / "Idle schools and clinics".
        **options : PopupOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        label = name or MAP_TERMS.get("idle", self.lang)
        data = self._prepare(gdf, label, "P")
        opts: PopupOptions = {"section": "facility", **options}
        return self._add_icons(data, label, sty.idle_icon(), sty.IDLE_ICON_PX, **opts)

    def _add_icons(
        self,
        data: gpd.GeoDataFrame,
        name: str,
        icon: str,
        size: int,
        *,
        dot_colour: str | None = None,
        min_zoom: float | None = None,
        **options: Unpack[PopupOptions],
    ) -> Self:
        """Add points drawn as one icon (dots of ``dot_colour`` below the icon zoom)."""
        return self._add_one(
            name,
            data,
            [{"style": {}, "icon": icon, "size": size}],
            [LegendItem(name, shape="icon", icon=icon)],
            {
                "mode": "marker",
                "dotsBelow": sty.ICON_ZOOM if dot_colour else None,
                "dot": dict(sty.FACILITY_DOT, fillColor=dot_colour) if dot_colour else None,
                "minZoom": min_zoom,
            },
            **options,
        )


def _dot_style(colour: str, hollow: bool) -> dict[str, Any]:
    """Circle-marker style of a village class: filled (white outline) or a ring."""
    if hollow:
        return {
            "color": colour,
            "weight": 2.2,
            "fillColor": "#ffffff",
            "fillOpacity": 0.9,
            "opacity": 1.0,
            "radius": 4,
        }
    outline = "#7f8794" if sty.is_light(colour) else "#ffffff"
    return {
        "color": outline,
        "weight": 0.7,
        "fillColor": colour,
        "fillOpacity": 0.85,
        "opacity": 0.9,
        "radius": 4,
    }
