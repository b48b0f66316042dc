"""Feature layers of a map: villages as sized, coloured dots and facilities as kind icons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Self

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage import kinds
from lvliang_coverage.errors import InputError
from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps._canvas import MapCanvas
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.report.vocabulary import column_label, text

ICONS_MAX_AT_LOW_ZOOM = 300
"""Facility layers with more points than this show dots below :data:`ICON_ZOOM`."""

ICON_ZOOM = 11
"""Smallest zoom at which numerous facilities are drawn as icons."""


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
        show: bool = True,
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
        show : bool
            Whether the layer is on when the map opens.

        Returns
        -------
        CoverageMap
            ``self``, for chaining.
        """
        data = self._prepare(gdf, "villages", "P")
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
        data = self._prepare(gdf, "facilities", "P")
        if kind_col not in data.columns:
            msg = f"kind column {kind_col!r} not in the facilities layer"
            raise InputError(msg, column=kind_col)
        if popup_cols is None:
            schema = ("facility_id", "kind", "county", "township", "doctors")
            popup_cols = [c for c in schema if c in data.columns]
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
            dots = len(part) > ICONS_MAX_AT_LOW_ZOOM
            spec = self._spec(
                part,
                [{"style": {}, "icon": icon, "size": size}],
                popup_cols=popup_cols,
                tooltip_col=tip,
                labels=labels,
                mode="marker",
                dotsBelow=ICON_ZOOM if dots else None,
                dot=dict(sty.FACILITY_DOT, fillColor=kinds.get(kind).colour) if dots else None,
            )
            item = LegendItem(label, shape="icon", icon=icon)
            self._add(label, [spec], [item], show=kind not in hidden)
        return self
