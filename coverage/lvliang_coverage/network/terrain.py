"""Terrain: sample elevation models at points, node elevations, edge grades, Tobler speeds."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyproj
import rasterio
from affine import Affine

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS

TOBLER_DECAY = 3.5
"""Tobler (1993) hiking function: decay of speed per unit of slope."""

TOBLER_OPTIMUM_SLOPE = -0.05
"""Slope (rise/run) of the fastest walking: a gentle downhill of 5 %."""


def tobler_speed_kmh(slope: Any, flat_kmh: float) -> np.ndarray:
    """Compute the walking speed in km/h on a slope (Tobler, scaled to ``flat_kmh``).

    ``v = flat_kmh * exp(-3.5 * |S + 0.05|) / exp(-3.5 * 0.05)``, so ``v = flat_kmh`` on flat
    ground, the maximum (about 1.19 x) on a 5 % downhill, and uphill is slower than the same
    downhill.

    Parameters
    ----------
    slope : array_like
        Slope S as rise over horizontal run (dimensionless, positive uphill).
    flat_kmh : float
        Walking speed on flat ground in km/h (rules ``speeds.walk.flat_kmh``).

    Returns
    -------
    numpy.ndarray
        Speed in km/h.
    """
    s = np.asarray(slope, dtype=float)
    return flat_kmh * np.exp(
        -TOBLER_DECAY * np.abs(s - TOBLER_OPTIMUM_SLOPE) + TOBLER_DECAY * abs(TOBLER_OPTIMUM_SLOPE)
    )


def tobler_max_factor() -> float:
    """Largest ratio of Tobler speed to flat speed (at the optimum slope), about 1.19."""
    return float(np.exp(TOBLER_DECAY * abs(TOBLER_OPTIMUM_SLOPE)))


class DemCoverageWarning(UserWarning):
    """The elevation model gives no elevation at some of the points sampled (flat there)."""


@dataclass(frozen=True)
class DEM:
    """A digital elevation model held in memory.

    Attributes
    ----------
    data : numpy.ndarray
        Elevations in metres (float64, NaN where nodata), rows north to south.
    transform : affine.Affine
        Pixel-corner to CRS transform.
    crs : str
        CRS of the raster (any; EPSG:4326 or a metric CRS such as EPSG:4546).
    source : str or None
        The file read, for messages.
    """

    data: np.ndarray
    transform: Affine
    crs: str
    source: str | None = None

    @classmethod
    def open(cls, path: str | Path) -> DEM:
        """Read band 1 of a GeoTIFF (or any raster rasterio reads).

        Parameters
        ----------
        path : str or Path
            Raster file with elevations in metres.

        Returns
        -------
        DEM
            The model, nodata turned to NaN.

        Raises
        ------
        InputError
            When the file is missing, unreadable or has no CRS.
        """
        path = Path(path)
        if not path.is_file():
            msg = "找不到高程数据 / elevation model not found"
            raise InputError(msg, file=path)
        return _open_cached(str(path.resolve()), path.stat().st_mtime_ns)

    def sample(
        self, x: Any, y: Any, *, crs: str = STORAGE_CRS, method: str = "bilinear"
    ) -> np.ndarray:
        """Elevation in metres at points.

        Parameters
        ----------
        x, y : array_like
            Coordinates in ``crs`` (longitude/latitude degrees by default).
        crs : str, default "EPSG:4326"
            CRS of the coordinates.
        method : {"bilinear", "nearest"}
            Interpolation between pixel centres; bilinear falls back to nearest next to nodata.

        Returns
        -------
        numpy.ndarray
            Elevations in metres; NaN outside the raster or on nodata.
        """
        col, row, inside = self._pixels(x, y, crs)
        nrow, ncol = self.data.shape
        ci = np.clip(np.floor(col).astype(np.int64), 0, ncol - 1)
        ri = np.clip(np.floor(row).astype(np.int64), 0, nrow - 1)
        nearest = self.data[ri, ci]
        if method == "nearest":
            return np.where(inside, nearest, np.nan)
        if method != "bilinear":
            msg = f"unknown DEM sampling method {method!r}"
            raise ValueError(msg)
        cf, rf = col - 0.5, row - 0.5  # pixel-centre coordinates
        c0 = np.clip(np.floor(cf).astype(np.int64), 0, ncol - 1)
        r0 = np.clip(np.floor(rf).astype(np.int64), 0, nrow - 1)
        c1, r1 = np.minimum(c0 + 1, ncol - 1), np.minimum(r0 + 1, nrow - 1)
        fc, fr = np.clip(cf - c0, 0.0, 1.0), np.clip(rf - r0, 0.0, 1.0)
        d = self.data
        top = d[r0, c0] * (1.0 - fc) + d[r0, c1] * fc
        bottom = d[r1, c0] * (1.0 - fc) + d[r1, c1] * fc
        value = top * (1.0 - fr) + bottom * fr
        value = np.where(np.isnan(value), nearest, value)
        return np.where(inside, value, np.nan)

    def _pixels(self, x: Any, y: Any, crs: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fractional column and row of points given in ``crs``, and whether they are inside."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        if pyproj.CRS(crs) != pyproj.CRS(self.crs):
            with np.errstate(invalid="ignore"):
                x, y = _transformer(str(crs), str(self.crs)).transform(x, y)
        inv = ~self.transform
        col = inv.a * x + inv.b * y + inv.c
        row = inv.d * x + inv.e * y + inv.f
        nrow, ncol = self.data.shape
        inside = (col >= 0) & (col <= ncol) & (row >= 0) & (row <= nrow)
        return col, row, inside

    def check_covers(self, x: Any, y: Any, *, crs: str = STORAGE_CRS, what: str) -> None:
        """Check that the model gives elevations over the study area (the points given).

        Parameters
        ----------
        x, y : array_like
            Coordinates in ``crs`` (longitude/latitude degrees by default) of the points the
            study samples, e.g. the road nodes.
        crs : str, default "EPSG:4326"
            CRS of the coordinates.
        what : str
            What the points are, in English, for messages (e.g. ``"road nodes"``).

        Raises
        ------
        InputError
            Naming the file, when no point lies on the raster (with the likely cause: a CRS
            label that does not match the coordinates, or a raster of another place) or every
            point on it falls on nodata.

        Warns
        -----
        DemCoverageWarning
            When some points lie off the raster or on nodata: the share, and that ground is
            taken as flat there.
        """
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        n = len(x)
        if n == 0:
            return
        _, _, inside = self._pixels(x, y, crs)
        if not inside.any():
            msg = (
                "高程数据不覆盖研究区 / the elevation model does not cover the study area: "
                f"none of the {n} {what} lies on it; {self._no_overlap_hint(x, y, crs)}"
            )
            raise InputError(msg, file=self.source)
        z = self.sample(x[inside], y[inside], crs=crs, method="nearest")
        nodata = int(np.isnan(z).sum())
        if nodata == int(inside.sum()):
            msg = (
                "高程数据在研究区内全为无效值 / the elevation model holds only nodata over the "
                f"study area: all {nodata} {what} on it fall on nodata cells"
            )
            raise InputError(msg, file=self.source)
        warn_missing_elevations(self, int((~inside).sum()) + nodata, n, what)

    def _no_overlap_hint(self, x: np.ndarray, y: np.ndarray, crs: str) -> str:
        """Why a raster misses every point: a CRS label that does not fit, or another place."""
        nrow, ncol = self.data.shape
        xs = [self.transform.c, self.transform.c + self.transform.a * ncol]
        ys = [self.transform.f, self.transform.f + self.transform.e * nrow]
        left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
        extent = f"x {left:.6g}..{right:.6g}, y {bottom:.6g}..{top:.6g}"
        in_degrees = max(abs(left), abs(right)) <= 180.0 and max(abs(bottom), abs(top)) <= 90.0
        label = pyproj.CRS(self.crs)
        lon, lat = x, y
        if pyproj.CRS(crs) != pyproj.CRS(STORAGE_CRS):
            lon, lat = _transformer(str(crs), STORAGE_CRS).transform(x, y)
        area = (
            f"lon {np.nanmin(lon):.4f}..{np.nanmax(lon):.4f}, "
            f"lat {np.nanmin(lat):.4f}..{np.nanmax(lat):.4f}"
        )
        if label.is_projected and in_degrees:
            return (
                f"its CRS label {self.crs} is a projected CRS in metres, but its coordinates "
                f"({extent}) look like longitude/latitude degrees (the study area: {area}); the "
                "label is probably wrong: relabel it, e.g. gdal_edit.py -a_srs EPSG:4326 FILE"
            )
        if label.is_geographic and not in_degrees:
            return (
                f"its CRS label {self.crs} is in degrees, but its coordinates ({extent}) look "
                "like metres of a projected CRS; the label is probably wrong: relabel it with "
                "the CRS it was made in, e.g. gdal_edit.py -a_srs EPSG:4546 FILE"
            )
        try:
            w, s, e, n = pyproj.Transformer.from_crs(
                self.crs, STORAGE_CRS, always_xy=True
            ).transform_bounds(left, bottom, right, top)
            where = f"it spans lon {w:.4f}..{e:.4f}, lat {s:.4f}..{n:.4f}"
        except pyproj.exceptions.ProjError:
            where = f"it spans {extent} in {self.crs}"
        return f"{where}, the study area {area}; check the file and its CRS label ({self.crs})"


@lru_cache(maxsize=4)
def _transformer(src: str, dst: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


@lru_cache(maxsize=2)
def _open_cached(path: str, _mtime: int) -> DEM:
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                msg = (
                    "高程数据没有坐标参考系 / the elevation model has no CRS: give it the one it "
                    "was made in, e.g. gdal_edit.py -a_srs EPSG:4326 FILE"
                )
                raise InputError(msg, file=path)
            data = src.read(1, masked=True).astype(float).filled(np.nan)
            return DEM(data=data, transform=src.transform, crs=src.crs.to_string(), source=path)
    except rasterio.errors.RasterioIOError as exc:
        msg = f"无法读取高程数据 / cannot read elevation model: {exc}"
        raise InputError(msg, file=path) from exc


def warn_missing_elevations(dem: DEM, missing: int, n: int, what: str) -> None:
    """Warn (one line, bilingual) when ``missing`` of ``n`` points got no elevation.

    Parameters
    ----------
    dem : DEM
        The model sampled.
    missing, n : int
        Points off the raster or on nodata, and all points sampled.
    what : str
        What the points are, in English (e.g. ``"road nodes"``).
    """
    if missing <= 0 or n <= 0:
        return
    name = Path(dem.source).name if dem.source else "in memory"
    msg = (
        f"高程数据只覆盖部分研究区 / the elevation model ({name}) gives no elevation at "
        f"{missing} of {n} {what} ({missing / n:.1%}): off the raster or nodata; ground is "
        "taken as flat there"
    )
    warnings.warn(msg, DemCoverageWarning, stacklevel=3)


def as_dem(dem: str | Path | DEM | None) -> DEM | None:
    """Open ``dem`` when given as a path; pass a :class:`DEM` or None through.

    Parameters
    ----------
    dem : str, Path, DEM or None
        Elevation model.

    Returns
    -------
    DEM or None
        The model in memory.
    """
    if dem is None or isinstance(dem, DEM):
        return dem
    return DEM.open(dem)


def add_node_elevations(
    graph: nx.MultiDiGraph, dem: str | Path | DEM, *, method: str = "bilinear"
) -> np.ndarray:
    """Set node attribute ``elevation`` (metres) sampled from a DEM; nodes off the DEM get NaN.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Road graph with ``x``/``y`` in the graph's ``crs`` (EPSG:4326 by default).
    dem : str, Path or DEM
        Elevation model.
    method : {"bilinear", "nearest"}
        Sampling method.

    Returns
    -------
    numpy.ndarray
        Elevations in node order of ``graph.nodes``.
    """
    model = as_dem(dem)
    assert model is not None
    nodes = list(graph.nodes)
    x = np.fromiter((graph.nodes[n]["x"] for n in nodes), float, len(nodes))
    y = np.fromiter((graph.nodes[n]["y"] for n in nodes), float, len(nodes))
    z = model.sample(x, y, crs=graph.graph.get("crs", STORAGE_CRS), method=method)
    nx.set_node_attributes(graph, dict(zip(nodes, z.tolist(), strict=True)), "elevation")
    return z


def add_edge_grades(graph: nx.MultiDiGraph) -> np.ndarray:
    """Set edge attributes ``grade`` (rise/run from u to v) and ``grade_abs`` from node elevations.

    The grade of a simplified edge is its end-to-end elevation difference over its ``length``
    (metres); travel times use the per-vertex profile instead (see ``network.travel``).

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Graph whose nodes carry ``elevation`` (metres).

    Returns
    -------
    numpy.ndarray
        Grades in the order of ``graph.edges(keys=True)``; NaN for zero-length edges.
    """
    elev = nx.get_node_attributes(graph, "elevation")
    edges = list(graph.edges(keys=True, data="length"))
    rise = np.array([elev[v] - elev[u] for u, v, _, _ in edges], dtype=float)
    length = np.array([d for _, _, _, d in edges], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        grade = np.where(length > 0, rise / length, np.nan)
    attrs = {(u, v, k): g for (u, v, k, _), g in zip(edges, grade.tolist(), strict=True)}
    nx.set_edge_attributes(graph, attrs, "grade")
    nx.set_edge_attributes(graph, {e: abs(g) for e, g in attrs.items()}, "grade_abs")
    return grade
