"""Coordinate reference systems: one geographic CRS for storage, one metric CRS for distances."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

STORAGE_CRS = "EPSG:4326"
"""Geographic CRS of every stored layer: WGS84 longitude/latitude in degrees.

CGCS2000 (EPSG:4490) agrees with WGS84 to within a metre and is accepted as input.
"""

LVLIANG_METRIC_CRS = "EPSG:4546"
"""Metric CRS for Lüliang: CGCS2000 / 3-degree Gauss-Kruger CM 111E, metres."""


def metric_crs_for(lon: float, lat: float) -> str:
    """Choose a metric CRS (metres) for a study area centred at ``lon``/``lat`` (degrees).

    Lüliang and its neighbours (109.5-112.5 E) use CGCS2000 3-degree Gauss-Kruger CM 111E
    (EPSG:4546); elsewhere the WGS84 UTM zone of the centre is used.

    Parameters
    ----------
    lon, lat : float
        Centre of the study area, WGS84 degrees.

    Returns
    -------
    str
        An EPSG code such as ``"EPSG:4546"`` or ``"EPSG:32650"``.
    """
    if 109.5 <= lon < 112.5 and 20.0 <= lat <= 50.0:
        return LVLIANG_METRIC_CRS
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return f"EPSG:{32600 + zone}" if lat >= 0 else f"EPSG:{32700 + zone}"


def metric_crs_of(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """Metric CRS for the area covered by ``gdf`` (any CRS), robust to stray points.

    The CRS is chosen at the median longitude and latitude of the geometries' bounding-box
    centres, never at the centre of the extent: one point in the wrong place (a village
    typed at Paris) cannot move the projection of all the others. For a single geometry
    (a study-area outline) the median is its own centre.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        A layer with a CRS set.

    Returns
    -------
    str
        EPSG code of a metric CRS, see :func:`metric_crs_for`; :data:`LVLIANG_METRIC_CRS`
        for a layer without geometries.
    """
    geoms = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if geoms.empty:
        return LVLIANG_METRIC_CRS
    bounds = geoms.to_crs(STORAGE_CRS).bounds.to_numpy()
    lon = np.median((bounds[:, 0] + bounds[:, 2]) / 2.0)
    lat = np.median((bounds[:, 1] + bounds[:, 3]) / 2.0)
    return metric_crs_for(float(lon), float(lat))
