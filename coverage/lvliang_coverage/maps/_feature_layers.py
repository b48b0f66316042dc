"""Feature layers of a map: villages as sized, coloured dots and facilities as kind icons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Self, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage import kinds
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._canvas import LayerOptions, MapCanvas
from lvliang_coverage.maps._style import LegendItem
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
        **options : LayerOptions

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "villages", "P", needs={"status": status_col})
        base = {"color": "#ffffff", "weight": 0.7, "fillOpacity": 0.85, "opacity": 0.9}
        legend: list[LegendItem] = []
        if status_col is not None:
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
        return self._add_one(
            name or text("villages", self.lang),
            data,
            styles,
            legend,
            {"category": k, "r": radius, "search": bool(searchable and tip)},
            popup_cols=_popup(data, popup_cols, *VILLAGE_POPUP, status_col or None),
            tooltip_col=tip,
            **options,
        )

    def add_facilities(
        self,
        gdf: gpd.GeoDataFrame,
        kind_col: str = "kind",
        popup_cols: Sequence[str] | None = None,
        *,
        name_col: str = "name",
        hidden_kinds: Iterable[str] = (),
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
        labels = {kind_col: column_label("kind", self.lang)}
        for kind in sty.facility_order(pd.unique(values)):
            part = data.loc[(values == kind).to_numpy()].reset_index(drop=True)
            part[kind_col] = text(kind, self.lang)
            size = kinds.get(kind).icon_px
            icon = sty.facility_icon(kind, size)
            label = text(kind, self.lang)
            dots = len(part) > sty.ICONS_MAX_AT_LOW_ZOOM
            self._add_one(
                label,
                part,
                [{"style": {}, "icon": icon, "size": size}],
                [LegendItem(label, shape="icon", icon=icon)],
                {
                    "labels": labels,
                    "mode": "marker",
                    "dotsBelow": sty.ICON_ZOOM if dots else None,
                    "dot": dict(sty.FACILITY_DOT, fillColor=kinds.get(kind).colour)
                    if dots
                    else None,
                },
                show=kind not in hidden,
                popup_cols=popup,
                tooltip_col=tip,
            )
        return self
