"""Points far outside the study area: the check, the drop policy and the road file's extent."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS, metric_crs_of

DROPPED_COLUMNS = ("layer", "file", "row", "id", "name", "lon", "lat", "outside_km")
"""Columns of :meth:`Outliers.table`: one row per point dropped (lon/lat degrees, km)."""

SHOWN_ROWS = 10
"""Row numbers listed in messages before "..."."""

_GEOD = pyproj.Geod(ellps="WGS84")
_FAR_M = 1_000_000.0  # beyond this a transverse-Mercator distance is replaced by a geodesic one


class OutliersDroppedWarning(UserWarning):
    """Points far outside the study area were dropped (``drop_outliers=True``)."""


@dataclass
class Outliers:
    """What a reader does with points far outside the study area, and a record of drops.

    Attributes
    ----------
    drop : bool
        False (default): such points are an InputError naming their rows. True: they are
        dropped with an :class:`OutliersDroppedWarning` and recorded.
    area_label : tuple of str
        Chinese and English name of the area in messages, e.g. ``("研究区", "the study
        area")`` or ``("路网范围", "the extent of the road file roads.osm")``.
    records : list of DataFrame
        Points dropped so far, one frame per file read (see :meth:`table`).
    """

    drop: bool = False
    area_label: tuple[str, str] = ("研究区", "the study area")
    records: list[pd.DataFrame] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """All points dropped, columns :data:`DROPPED_COLUMNS` (empty when none)."""
        if not self.records:
            return empty_dropped()
        return pd.concat(self.records, ignore_index=True)[list(DROPPED_COLUMNS)]


def empty_dropped() -> pd.DataFrame:
    """Make an empty table of dropped points (:data:`DROPPED_COLUMNS`)."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in DROPPED_COLUMNS})


def _area_series(study_area: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry) -> gpd.GeoSeries:
    if isinstance(study_area, BaseGeometry):
        return gpd.GeoSeries([study_area], crs=STORAGE_CRS)
    area = study_area.geometry if isinstance(study_area, gpd.GeoDataFrame) else study_area
    return area.set_crs(STORAGE_CRS) if area.crs is None else area


def outside_distance_m(
    points: gpd.GeoSeries, study_area: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry
) -> np.ndarray:
    """Distance of each point outside the study area, metres (0 inside).

    Measured in the metric CRS of the area (:func:`metric_crs_of`); beyond 1,000 km, where
    a transverse Mercator projection no longer measures true distances, the geodesic
    distance (WGS84 ellipsoid) to the nearest point of the area (found in degrees) is used.

    Parameters
    ----------
    points : GeoSeries
        Points, any CRS.
    study_area : GeoDataFrame, GeoSeries or shapely geometry
        Polygon(s); a bare geometry is EPSG:4326 longitude/latitude.

    Returns
    -------
    numpy.ndarray of float
        Metres.
    """
    area = _area_series(study_area).to_crs(STORAGE_CRS)
    metric = metric_crs_of(area)
    shape = area.to_crs(metric).union_all()
    with np.errstate(invalid="ignore"):
        distance = shapely.distance(np.asarray(points.to_crs(metric).array), shape)
    far = ~np.isfinite(distance) | (distance > _FAR_M)
    if far.any():
        lines = shapely.shortest_line(
            np.asarray(points.to_crs(STORAGE_CRS).array)[far], area.union_all()
        )
        start = shapely.get_point(lines, 0)
        end = shapely.get_point(lines, 1)
        distance = distance.copy()
        distance[far] = _GEOD.inv(
            shapely.get_x(start), shapely.get_y(start), shapely.get_x(end), shapely.get_y(end)
        )[2]
    return np.asarray(distance, dtype=float)


def _rows_text(rows: np.ndarray) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:SHOWN_ROWS])
    return shown + (" ..." if len(rows) > SHOWN_ROWS else "")


def check_outside(
    points: gpd.GeoSeries,
    study_area: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
    *,
    tolerance_m: float,
    policy: Outliers,
    file: Path,
    rows: np.ndarray,
    column: str,
    layer: str,
    ids: np.ndarray | None,
    names: np.ndarray | None,
    system: str = "EPSG:4326",
) -> np.ndarray:
    """Find the points farther than ``tolerance_m`` outside the study area.

    Parameters
    ----------
    points : GeoSeries
        Points in EPSG:4326.
    study_area : GeoDataFrame, GeoSeries or shapely geometry
        Polygon(s); a bare geometry is taken as EPSG:4326 longitude/latitude.
    tolerance_m : float
        Metres a point may lie outside the polygons.
    policy : Outliers
        Raise (``drop=False``) or drop and record (``drop=True``).
    file, rows, column :
        For messages: the file, its 1-based data rows, the coordinate column.
    layer : str
        Layer name, recorded with dropped points.
    ids, names : numpy.ndarray, optional
        Ids and names of the rows, recorded with dropped points.
    system : str
        Coordinate system the points were read in (hinted at when every point is out).

    Returns
    -------
    numpy.ndarray of bool
        Rows to keep (all True unless points were dropped).

    Raises
    ------
    InputError
        "点位超出研究区 / points outside the study area", naming the first row (``row``),
        the first few row numbers and their count, how far the first lies out, and a hint
        when its coordinates look swapped or every point is out (a wrong ``coords``).

    Warns
    -----
    OutliersDroppedWarning
        When ``policy.drop`` and points were dropped, listing their rows.
    """
    area = _area_series(study_area)
    distance = outside_distance_m(points, area)
    far = distance > tolerance_m
    if not far.any():
        return np.ones(len(points), dtype=bool)
    zh, en = policy.area_label
    where = np.flatnonzero(far)
    km = tolerance_m / 1000.0
    count = f"{len(where)} of {len(points)} point(s)"
    if policy.drop:
        lon = points.x.to_numpy()[where]
        lat = points.y.to_numpy()[where]
        policy.records.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "file": str(file),
                    "row": rows[where].astype(int),
                    "id": None if ids is None else ids[where],
                    "name": None if names is None else names[where],
                    "lon": lon,
                    "lat": lat,
                    "outside_km": np.round(distance[where] / 1000.0, 1),
                }
            )
        )
        msg = (
            f"已剔除{zh}外的点位 / dropped {count} of {file} lying more than {km:g} km outside "
            f"{en}: rows {_rows_text(rows[where])}"
        )
        warnings.warn(msg, OutliersDroppedWarning, stacklevel=4)
        return ~far
    first = int(where[0])
    point = points.iloc[first]
    hint = ""
    swapped = gpd.GeoSeries(gpd.points_from_xy([point.y], [point.x]), crs=STORAGE_CRS)
    if abs(point.x) <= 90.0 and outside_distance_m(swapped, area)[0] <= tolerance_m:
        hint = "; 经度和纬度似乎填反了 / longitude and latitude look swapped"
    elif far.all() and len(points) > 1:
        hint = (
            f"; 全部点位都在{zh}外，坐标系是否有误？/ every point lies outside: are the "
            f"coordinates really in {system}? check --coords and the file's CRS"
        )
    msg = (
        f"点位超出{zh} / points outside {en}: {count} lie more than {km:g} km outside, "
        f"rows {_rows_text(rows[where])}; the first, point ({point.x:.5f}, {point.y:.5f}), "
        f"lies {distance[first] / 1000.0:.1f} km outside {en} (tolerance {km:g} km){hint}. "
        "请核对坐标，或用 --drop-outliers 剔除并列出 / fix the coordinates, or drop these "
        "points with a report: --drop-outliers (drop_outliers=True)"
    )
    raise InputError(msg, file=file, row=int(rows[first]), column=column)


class _Extent(osmium.SimpleHandler):
    """Track the bounding box of every node location of an OSM file (degrees)."""

    def __init__(self) -> None:
        super().__init__()
        self.west, self.south = np.inf, np.inf
        self.east, self.north = -np.inf, -np.inf

    def node(self, n: osmium.osm.Node) -> None:
        loc = n.location
        if loc.valid():
            x, y = loc.lon, loc.lat
            self.west, self.east = min(self.west, x), max(self.east, x)
            self.south, self.north = min(self.south, y), max(self.north, y)


def roads_extent(path: str | Path) -> tuple[float, float, float, float] | None:
    """Bounding box of an OpenStreetMap file, degrees (EPSG:4326).

    Read from the file header (the ``<bounds>`` of OSM XML, the header box of PBF), which
    costs nothing; files without one are read once for their node locations.

    Parameters
    ----------
    path : str or Path
        ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf``.

    Returns
    -------
    tuple of float or None
        ``(min_lon, min_lat, max_lon, max_lat)``; None when the file cannot be read or holds
        no node (building the road graph then reports the problem).
    """
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        try:
            box = reader.header().box()
        finally:
            reader.close()
        if box.valid():
            low, high = box.bottom_left, box.top_right
            return (low.lon, low.lat, high.lon, high.lat)
        handler = _Extent()
        handler.apply_file(str(path))
    except RuntimeError:
        return None
    if not np.isfinite(handler.west):
        return None
    return (handler.west, handler.south, handler.east, handler.north)
