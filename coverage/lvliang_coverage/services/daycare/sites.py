"""Day-care sites: existing centres, idle buildings (闲置学校、卫生院) and user candidates."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.errors import InputError

SITE_COLUMNS = ["site_id", "name", "county", "township", "kind", "role", "geometry"]
"""Columns of the site layer: ``kind`` is the building's facility kind, ``role`` is
``"existing"`` (a day-care centre now), ``"idle"`` (an idle building) or ``"user"`` (a
candidate listed with ``--candidates``)."""


def _text(frame: pd.DataFrame, col: str, default: pd.Series) -> np.ndarray:
    return (frame[col] if col in frame.columns else default).astype(object).to_numpy()


def _sites(frame: gpd.GeoDataFrame, id_col: str, role: str, crs: object) -> gpd.GeoDataFrame:
    none = pd.Series(None, index=frame.index, dtype=object)
    ids = frame[id_col].astype(str)
    return gpd.GeoDataFrame(
        {
            "site_id": ids.to_numpy(),
            "name": _text(frame, "name", ids),
            "county": _text(frame, "county", none),
            "township": _text(frame, "township", none),
            "kind": _text(frame, "kind", pd.Series("candidate", index=frame.index)),
            "role": role,
        },
        geometry=frame.geometry.to_crs(crs).to_numpy(),
        crs=crs,
    )


def site_layer(
    existing: gpd.GeoDataFrame,
    idle: gpd.GeoDataFrame,
    *,
    candidates: gpd.GeoDataFrame | None = None,
    crs: object = None,
) -> gpd.GeoDataFrame:
    """Existing centres, then idle buildings, then user candidates, as one site layer.

    Parameters
    ----------
    existing : GeoDataFrame
        Day-care centres open now (``facility_id``, ``kind``, optional ``name``), any CRS.
    idle : GeoDataFrame
        Idle buildings that may be converted (``facility_id``, ``kind``), any CRS.
    candidates : GeoDataFrame, optional
        Further candidate sites (``site_id`` or ``facility_id``, optional ``name``).
    crs : object, optional
        CRS of the result (default that of ``existing``).

    Returns
    -------
    GeoDataFrame
        :data:`SITE_COLUMNS`, one row per site.

    Raises
    ------
    InputError
        When a candidate list has no id column, or an id repeats.
    """
    crs = crs or existing.crs
    parts = [
        _sites(existing, "facility_id", "existing", crs),
        _sites(idle, "facility_id", "idle", crs),
    ]
    if candidates is not None:
        id_col = "site_id" if "site_id" in candidates else "facility_id"
        if id_col not in candidates:
            msg = (
                "候选点须有 'site_id' 或 'facility_id' 列 / "
                "candidate sites need a 'site_id' or 'facility_id' column"
            )
            raise InputError(msg, column="site_id")
        parts.append(_sites(candidates, id_col, "user", crs))
    sites = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=crs)
    if sites["site_id"].duplicated().any():
        dup = sites.loc[sites["site_id"].duplicated(), "site_id"].iloc[0]
        msg = (
            f"点位编号 {dup!r} 与现有日间照料中心、闲置建筑或其他候选点重复 / "
            f"site id {dup!r} repeats an existing centre, an idle building or another candidate"
        )
        raise InputError(msg, column="site_id")
    return sites[SITE_COLUMNS]
