"""Shares served per township (乡镇), the figures the maps colour townships by at city scale."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.errors import InputError

SHARE_COLUMNS = ["county", "township", "units", "served", "share"]
"""Columns of :func:`township_shares`."""


def township_shares(
    table: pd.DataFrame,
    *,
    served: str,
    weight: str | None,
    county: str = "county",
    township: str = "township",
) -> pd.DataFrame:
    """Units and the share of them served, per county and township.

    Parameters
    ----------
    table : DataFrame
        One row per unit to serve (e.g. the villages under 200 residents of a compliance
        table), with a county, a township and a boolean ``served`` column.
    served : str
        Boolean column: the row is served (e.g. ``compliant``); missing counts as not served.
    weight : str or None
        Column that weighs each row (e.g. ``population``: the share of residents served);
        ``None`` counts rows (the share of villages served).
    county, township : str
        Columns naming the county and the township of each row.

    Returns
    -------
    pandas.DataFrame
        :data:`SHARE_COLUMNS`: ``county``, ``township``, ``units`` (rows, or the sum of
        ``weight``), ``served`` (the same for the served rows) and ``share`` (``served /
        units``, 0-1; NaN where there are no units), one row per county and township present,
        sorted by county and township. Rows without a county or township form their own
        group.

    Raises
    ------
    InputError
        When a named column is missing or ``weight`` is not numeric.
    """
    needed = [c for c in (served, weight, county, township) if c is not None]
    absent = [c for c in needed if c not in table.columns]
    if absent:
        msg = f"缺少列 / columns missing for the township shares: {absent}"
        raise InputError(msg, column=absent[0])
    ok = table[served].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if weight is None:
        w = np.ones(len(table), dtype=np.int64)
    else:
        values = pd.to_numeric(table[weight], errors="coerce")
        if values.isna().any() and not table[weight].isna().all():
            bad = table.index[values.isna() & table[weight].notna()][:5].tolist()
            msg = f"权重列须为数值 / the weight column {weight!r} is not numeric (rows {bad})"
            raise InputError(msg, column=weight)
        w = values.fillna(0).to_numpy()
    frame = pd.DataFrame(
        {
            "county": table[county].to_numpy(),
            "township": table[township].to_numpy(),
            "units": w,
            "served": np.where(ok, w, 0),
        }
    )
    out = frame.groupby(["county", "township"], as_index=False, sort=True, dropna=False).sum()
    units = out["units"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(units > 0, out["served"].to_numpy(dtype=float) / units, np.nan)
    return out.assign(share=share)[SHARE_COLUMNS].reset_index(drop=True)


def township_areas(
    townships: gpd.GeoDataFrame | None,
    shares: pd.DataFrame,
    *,
    county: str = "county",
    name: str = "name",
) -> gpd.GeoDataFrame | None:
    """Township polygons with their shares (:func:`township_shares`) for a map.

    Parameters
    ----------
    townships : GeoDataFrame or None
        Township polygons (the study's ``townships``: ``county`` and ``name`` columns).
    shares : DataFrame
        Output of :func:`township_shares`.
    county, name : str
        Columns of ``townships`` naming the county and the township.

    Returns
    -------
    GeoDataFrame or None
        Every township polygon with ``county``, ``township``, ``units``, ``served`` and
        ``share`` (townships with nothing to serve: 0 units, NaN share), in the polygons'
        CRS; None when there are no township polygons.
    """
    if townships is None or townships.empty:
        return None
    for col in (county, name):
        if col not in townships.columns:
            msg = f"乡镇图层缺少列 / the township layer has no column {col!r}"
            raise InputError(msg, column=col)
    polygons = gpd.GeoDataFrame(
        {"county": townships[county].to_numpy(), "township": townships[name].to_numpy()},
        geometry=townships.geometry.to_numpy(),
        crs=townships.crs,
    )
    merged = polygons.merge(shares, on=["county", "township"], how="left")
    merged["units"] = merged["units"].fillna(0)
    merged["served"] = merged["served"].fillna(0)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=townships.crs)
