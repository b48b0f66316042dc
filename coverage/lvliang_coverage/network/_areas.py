"""Buffered areas around many line pieces: exact vector buffers or a fast raster approximation."""

from __future__ import annotations

import math

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


_HALF_DIAGONAL = math.sqrt(0.5)
"""Farthest a burnt cell's centre lies from its line, in cells."""

_RIM_CELLS = 2
"""Outer rings of cells (after dilation) whose centres are checked against the lines."""


def disc_structure(buffer_m: float, cell_m: float) -> np.ndarray:
    """Cells within ``buffer_m`` of the centre cell, as a dilation structure.

    The test runs in whole cell units: a cell at offsets (i, j) belongs when the integer
    ``i**2 + j**2`` is at most ``(buffer_m / cell_m) ** 2``, rounded down after a relative
    tolerance of 1e-9. So a radius of exactly three cells keeps its ring (29 cells) even
    though ``9 * (200 / 3) ** 2`` exceeds ``200 ** 2`` in floating point.

    Parameters
    ----------
    buffer_m : float
        Radius in metres.
    cell_m : float
        Cell size in metres.

    Returns
    -------
    numpy.ndarray
        Square boolean array of side ``2 * r + 1`` cells.
    """
    ratio_sq = (buffer_m / cell_m) ** 2
    r2 = int(np.floor(ratio_sq * (1.0 + 1e-9)))
    r = math.isqrt(r2)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return np.asarray(xx**2 + yy**2 <= r2)


def _raster_area(pieces: np.ndarray, buffer_m: float) -> shapely.Geometry:
    minx, miny, maxx, maxy = shapely.total_bounds(pieces)
    cell = max(buffer_m / 3.0, 1.0)
    pad = buffer_m + 2 * cell
    width, height = (maxx - minx + 2 * pad), (maxy - miny + 2 * pad)
    cell = max(cell, float(np.sqrt(width * height / RASTER_MAX_CELLS)))
    ncol, nrow = int(np.ceil(width / cell)), int(np.ceil(height / cell))
    transform = Affine(cell, 0.0, minx - pad, 0.0, -cell, maxy + pad)
    burnt = features.rasterize(
        ((g, 1) for g in pieces),
        out_shape=(nrow, ncol),
        transform=transform,
        all_touched=True,
        fill=0,
        dtype="uint8",
    ).astype(bool)
    reach = disc_structure(buffer_m + cell * _HALF_DIAGONAL, cell)
    grid = ndimage.binary_dilation(burnt, structure=reach)
    # a burnt cell's centre lies up to half a cell diagonal off its line, so a disc of
    # buffer_m alone misses cells on one side and overshoots on the other (+17 % of the area
    # of a straight road): dilate by that much more, then keep a cell of the outer rings only
    # when its centre is within buffer_m of a line (exact distance)
    rim_r, rim_c = np.nonzero(grid & ~ndimage.binary_erosion(grid, iterations=_RIM_CELLS))
    centres = shapely.points(transform.c + (rim_c + 0.5) * cell, transform.f - (rim_r + 0.5) * cell)
    tree = shapely.STRtree(pieces)
    _, dist = tree.query_nearest(centres, return_distance=True, all_matches=False)
    far = dist > buffer_m  # one nearest line per centre
    grid[rim_r[far], rim_c[far]] = False
    grid = grid.astype("uint8")
    polys = [
        shapely.geometry.shape(geom)
        for geom, _ in features.shapes(grid, mask=grid == 1, transform=transform)
    ]
    area = shapely.union_all(np.asarray(polys, dtype=object)) if len(polys) > 1 else polys[0]
    return shapely.simplify(area, cell / 2.0)
