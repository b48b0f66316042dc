"""Buffered areas around many line pieces: exact vector buffers or a fast raster approximation."""

from __future__ import annotations

import numpy as np
import shapely
from affine import Affine
from rasterio import features
from scipy import ndimage

VECTOR_MAX_VERTICES = 20_000
"""Above this many vertices ``method="auto"`` switches from vector buffers to the raster."""

RASTER_MAX_CELLS = 4_000_000
"""Largest raster (cells) for one area; the cell grows beyond ``buffer_m / 3`` to respect it."""


def buffered_area(pieces: np.ndarray, buffer_m: float, *, method: str = "auto") -> shapely.Geometry:
    """Union of the lines' buffers, in the lines' metric CRS.

    Parameters
    ----------
    pieces : numpy.ndarray of LineString
        Lines in a metric CRS (metres).
    buffer_m : float
        Buffer distance in metres.
    method : {"auto", "vector", "raster"}
        ``"vector"``: exact GEOS buffers and union. ``"raster"``: the lines are burnt into a
        grid of about ``buffer_m / 3`` metre cells, dilated by a disc of ``buffer_m`` and
        turned back into polygons (area within a few per cent of the exact buffer; the outline
        within about 1.5 cells of it).
        ``"auto"`` uses the vector method for small inputs.

    Returns
    -------
    shapely Polygon or MultiPolygon
        The area (empty polygon when there are no pieces).
    """
    pieces = np.asarray(pieces, dtype=object)
    pieces = pieces[~(shapely.is_missing(pieces) | shapely.is_empty(pieces))]
    if len(pieces) == 0:
        return shapely.Polygon()
    if method == "auto":
        method = (
            "vector"
            if shapely.get_num_coordinates(pieces).sum() <= VECTOR_MAX_VERTICES
            else "raster"
        )
    if method == "vector":
        return shapely.union_all(shapely.buffer(pieces, buffer_m, quad_segs=4))
    if method != "raster":
        msg = f"unknown area method {method!r}"
        raise ValueError(msg)
    return _raster_area(pieces, buffer_m)


def _raster_area(pieces: np.ndarray, buffer_m: float) -> shapely.Geometry:
    minx, miny, maxx, maxy = shapely.total_bounds(pieces)
    cell = max(buffer_m / 3.0, 1.0)
    pad = buffer_m + 2 * cell
    width, height = (maxx - minx + 2 * pad), (maxy - miny + 2 * pad)
    cell = max(cell, float(np.sqrt(width * height / RASTER_MAX_CELLS)))
    ncol, nrow = int(np.ceil(width / cell)), int(np.ceil(height / cell))
    transform = Affine(cell, 0.0, minx - pad, 0.0, -cell, maxy + pad)
    grid = features.rasterize(
        ((g, 1) for g in pieces),
        out_shape=(nrow, ncol),
        transform=transform,
        all_touched=True,
        fill=0,
        dtype="uint8",
    )
    r = int(np.ceil(buffer_m / cell))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    disc = (xx**2 + yy**2) * cell**2 <= buffer_m**2  # with the burnt band: about buffer_m
    grid = ndimage.binary_dilation(grid.astype(bool), structure=disc).astype("uint8")
    polys = [
        shapely.geometry.shape(geom)
        for geom, _ in features.shapes(grid, mask=grid == 1, transform=transform)
    ]
    area = shapely.union_all(np.asarray(polys, dtype=object)) if len(polys) > 1 else polys[0]
    return shapely.simplify(area, cell / 2.0)
