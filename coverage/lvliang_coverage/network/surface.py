"""Travel-time surfaces: minutes to the nearest facility per lattice cell, GeoTIFF, isochrones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import affine
import geopandas as gpd
import numpy as np
import pyproj
import rasterio
import shapely
from rasterio import features

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS

NODATA = -9999.0
"""GeoTIFF nodata of travel-time surfaces: outside the study area or unreached."""


@dataclass
class TravelSurface:
    """Minutes from every lattice cell to its nearest facility (terrain travel model).

    Attributes
    ----------
    minutes : numpy.ndarray
        float32 (rows, cols): minutes from the cell centre to the nearest facility; NaN
        outside the study area or where no facility is reachable.
    facility : numpy.ndarray
        int32 (rows, cols): position in ``facility_ids`` of that facility, -1 where none.
    facility_ids : numpy.ndarray
        Facility ids.
    transform : affine.Affine
        Cell-corner transform of the lattice in ``crs`` (metres).
    crs : str
        Metric CRS of the lattice.
    tags : dict of str to str
        The model and its settings (model, mode, cell_m, neighbours, friction, barriers,
        fords, offpath_factor, flat_kmh, created), written into the GeoTIFF.
    """

    minutes: np.ndarray
    facility: np.ndarray
    facility_ids: np.ndarray
    transform: affine.Affine
    crs: str
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def cell_m(self) -> float:
        """Cell size in metres."""
        return float(abs(self.transform.a))

    def write_geotiff(self, path: str | Path) -> Path:
        """Write the minutes as a float32 GeoTIFF (DEFLATE, tiled, nodata -9999, tags).

        The file is written next to its final name and moved in whole.

        Parameters
        ----------
        path : str or Path
            GeoTIFF to write.

        Returns
        -------
        Path
            The file written.
        """
        path = Path(path)
        rows, cols = self.minutes.shape
        data = np.where(np.isfinite(self.minutes), self.minutes, NODATA).astype(np.float32)
        tmp = path.with_name(f".{path.name}.partial")
        profile = {
            "driver": "GTiff",
            "width": cols,
            "height": rows,
            "count": 1,
            "dtype": "float32",
            "crs": self.crs,
            "transform": self.transform,
            "nodata": NODATA,
            "compress": "deflate",
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
        }
        try:
            with rasterio.open(tmp, "w", **profile) as dst:
                dst.write(data, 1)
                dst.update_tags(**self.tags)
                dst.set_band_description(1, "minutes to the nearest facility")
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    def isochrones(self, minutes: Sequence[float] = (15, 30, 60)) -> gpd.GeoDataFrame:
        """Polygons of the cells within each limit (dissolved, simplified to under half a cell).

        The polygon of a limit holds exactly the cells whose minutes are at most the limit
        (every such cell centre inside, every other outside); ``area_km2`` is their area
        (cells x cell area). Simplification (Douglas-Peucker, 0.49 cell, in the metric CRS)
        keeps every cell centre on its side.

        Parameters
        ----------
        minutes : sequence of float
            Limits in minutes.

        Returns
        -------
        GeoDataFrame
            Columns ``minutes``, ``area_km2`` and ``geometry`` (EPSG:4326), one row per limit.

        Raises
        ------
        InputError
            When a limit is not a positive number.
        """
        limits = [float(m) for m in minutes]
        if any(not np.isfinite(m) or m <= 0 for m in limits):
            msg = f"等时线分钟数必须为正 / isochrone minutes must be positive, got {limits}"
            raise InputError(msg, column="minutes")
        to_storage = pyproj.Transformer.from_crs(self.crs, STORAGE_CRS, always_xy=True)
        finite = np.isfinite(self.minutes)
        geoms, areas = [], []
        for m in limits:
            mask = finite & (np.where(finite, self.minutes, np.inf) <= m)
            shapes = [
                shapely.geometry.shape(g)
                for g, _ in features.shapes(
                    mask.astype(np.uint8), mask=mask, transform=self.transform, connectivity=4
                )
            ]
            geom = shapely.union_all(shapes) if shapes else shapely.Polygon()
            geom = shapely.simplify(geom, 0.49 * self.cell_m, preserve_topology=True)
            geoms.append(shapely.transform(geom, _transformer(to_storage)))
            areas.append(float(mask.sum()) * self.cell_m**2 / 1e6)
        return gpd.GeoDataFrame(
            {"minutes": limits, "area_km2": areas}, geometry=geoms, crs=STORAGE_CRS
        )

    def sample(self, points: gpd.GeoDataFrame) -> np.ndarray:
        """Minutes of the cell under each point (NaN outside the lattice or unreached).

        Parameters
        ----------
        points : GeoDataFrame
            Point layer in any CRS (EPSG:4326 assumed when it has none).

        Returns
        -------
        numpy.ndarray
            float64 minutes per point.
        """
        if len(points) == 0:
            return np.zeros(0)
        frame = points if points.crs is not None else points.set_crs(STORAGE_CRS)
        xy = shapely.get_coordinates(frame.to_crs(self.crs).geometry.to_numpy())
        inv = ~self.transform
        col = np.floor(inv.a * xy[:, 0] + inv.b * xy[:, 1] + inv.c).astype(np.int64)
        row = np.floor(inv.d * xy[:, 0] + inv.e * xy[:, 1] + inv.f).astype(np.int64)
        rows, cols = self.minutes.shape
        ok = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
        out = np.full(len(xy), np.nan)
        out[ok] = self.minutes[row[ok], col[ok]]
        return out


def _transformer(t: pyproj.Transformer) -> Callable[[np.ndarray], np.ndarray]:
    """Shapely coordinate callback applying ``t`` to (n, 2) coordinates."""

    def apply(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(t.transform(coords[:, 0], coords[:, 1]))

    return apply
