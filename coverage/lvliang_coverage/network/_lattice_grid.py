"""Terrain lattice: cells of the study area, elevations, friction, barriers and walking moves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import rasterio
import shapely
from affine import Affine
from rasterio import features
from rasterio.warp import Resampling, reproject
from scipy import ndimage

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network.terrain import DEM, tobler_speed_kmh

KING = ((0, 1), (1, -1), (1, 0), (1, 1))
"""Undirected king's moves (row, column offsets): the 8-neighbour lattice."""

KNIGHT = ((1, -2), (1, 2), (2, -1), (2, 1))
"""Undirected knight's moves added by the 16-neighbour lattice (GRASS r.cost -k)."""

MIN_SLOPE_RUN_M = 1.0
"""Metres: straight legs shorter than this are walked as flat (no meaningful slope)."""


@dataclass
class Grid:
    """A lattice of square cells in a metric CRS, north-up; nodes are the walkable cells.

    Attributes
    ----------
    transform : affine.Affine
        Cell-corner to CRS transform (metres).
    rows, cols : int
        Lattice shape.
    cell_m : float
        Cell size in metres.
    crs : str
        The metric CRS.
    inside : numpy.ndarray
        bool (rows, cols): cell centre inside the study area.
    node_of : numpy.ndarray
        int32 (rows, cols): node number of every walkable cell, -1 elsewhere.
    cells : numpy.ndarray
        int64 flat grid index (``row * cols + col``) of every node, ascending.
    """

    transform: Affine
    rows: int
    cols: int
    cell_m: float
    crs: str
    inside: np.ndarray
    node_of: np.ndarray
    cells: np.ndarray

    @property
    def n(self) -> int:
        """Number of lattice nodes (walkable cells)."""
        return len(self.cells)

    def centres(self, flat: np.ndarray) -> np.ndarray:
        """Metric coordinates (metres) of the centres of cells given by flat grid index."""
        r, c = np.divmod(flat, self.cols)
        t = self.transform
        return np.column_stack([t.c + (c + 0.5) * t.a, t.f + (r + 0.5) * t.e])

    def cell_of(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cell under metric points (may lie outside the lattice)."""
        t = self.transform
        col = np.floor((xy[:, 0] - t.c) / t.a).astype(np.int64)
        row = np.floor((xy[:, 1] - t.f) / t.e).astype(np.int64)
        return row, col


def make_grid(area: shapely.Geometry, cell_m: float, crs: str) -> tuple[Grid, np.ndarray]:
    """Lattice over a study area (metric geometry), aligned to multiples of ``cell_m``.

    Returns the grid (every cell in the area a node for now) and the area mask.
    """
    minx, miny, maxx, maxy = shapely.bounds(area)
    x0, y1 = np.floor(minx / cell_m) * cell_m, np.ceil(maxy / cell_m) * cell_m
    cols = int(np.ceil((maxx - x0) / cell_m))
    rows = int(np.ceil((y1 - miny) / cell_m))
    transform = Affine(cell_m, 0.0, x0, 0.0, -cell_m, y1)
    inside = features.rasterize(
        [(area, 1)], out_shape=(rows, cols), transform=transform, fill=0, dtype="uint8"
    ).astype(bool)
    return _with_nodes(transform, rows, cols, cell_m, crs, inside, inside), inside


def _with_nodes(  # noqa: PLR0917 - private constructor helper
    transform: Affine,
    rows: int,
    cols: int,
    cell_m: float,
    crs: str,
    inside: np.ndarray,
    walkable: np.ndarray,
) -> Grid:
    cells = np.flatnonzero(walkable.ravel())
    node_of = np.full(rows * cols, -1, dtype=np.int32)
    node_of[cells] = np.arange(len(cells), dtype=np.int32)
    return Grid(
        transform=transform,
        rows=rows,
        cols=cols,
        cell_m=cell_m,
        crs=crs,
        inside=inside,
        node_of=node_of.reshape(rows, cols),
        cells=cells,
    )


def restrict(grid: Grid, walkable: np.ndarray) -> Grid:
    """Keep as nodes only the cells of ``walkable`` (bool rows x cols); the rest is the same."""
    return _with_nodes(
        grid.transform, grid.rows, grid.cols, grid.cell_m, grid.crs, grid.inside, walkable
    )


def resample_dem(dem: DEM | None, grid: Grid) -> np.ndarray:
    """Elevations (metres, float32, NaN unknown) at the lattice cells, bilinear (rasterio)."""
    out = np.full((grid.rows, grid.cols), np.nan, dtype=np.float32)
    if dem is None:
        return out
    reproject(
        source=dem.data.astype(np.float32),
        destination=out,
        src_transform=dem.transform,
        src_crs=dem.crs,
        src_nodata=np.nan,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    return out


def read_friction(
    path: str | Path, grid: Grid, inside: np.ndarray, classes: dict[str, float]
) -> np.ndarray:
    """Speed multipliers (float32, rows x cols) from a friction GeoTIFF, resampled to the lattice.

    A raster of integers read with a non-empty ``classes`` table holds land-cover codes
    (resampled nearest, then mapped); otherwise it holds multipliers (bilinear).

    Raises
    ------
    InputError
        When the file cannot be read, has no CRS, does not cover every cell of the area,
        holds a class code missing from ``classes`` or a negative multiplier.
    """
    path = Path(path)
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                msg = "摩擦栅格没有坐标参考系 / the friction raster has no CRS"
                raise InputError(msg, file=path)
            data = src.read(1, masked=True)
            is_class = bool(classes) and np.issubdtype(src.dtypes[0], np.integer)
            fill = np.nan
            values = data.astype(np.float64).filled(fill)
            src_t, src_crs = src.transform, src.crs
    except rasterio.errors.RasterioIOError as exc:
        msg = f"无法读取摩擦栅格 / cannot read the friction raster: {exc}"
        raise InputError(msg, file=path) from exc
    out = np.full((grid.rows, grid.cols), np.nan, dtype=np.float64)
    reproject(
        source=values,
        destination=out,
        src_transform=src_t,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=np.nan,
        resampling=Resampling.nearest if is_class else Resampling.bilinear,
    )
    missing = inside & np.isnan(out)
    if missing.any():
        share = missing.sum() / max(int(inside.sum()), 1)
        msg = (
            f"摩擦栅格不覆盖研究区 / the friction raster does not cover the study area: "
            f"{int(missing.sum())} cells ({share:.1%}) of the area have no value"
        )
        raise InputError(msg, file=path)
    if is_class:
        codes = np.unique(out[inside]).astype(np.int64)
        table = {int(k): float(v) for k, v in classes.items()}
        unknown = [int(c) for c in codes if int(c) not in table]
        if unknown:
            msg = (
                f"摩擦栅格含未定义的地类代码 / the friction raster holds land-cover codes "
                f"missing from terrain.friction_classes: {unknown[:10]}"
            )
            raise InputError(msg, file=path, column="terrain.friction_classes")
        keys = np.array(sorted(table), dtype=np.int64)
        vals = np.array([table[k] for k in keys], dtype=np.float64)
        mult = np.zeros_like(out)
        pos = np.searchsorted(keys, np.nan_to_num(out[inside]).astype(np.int64))
        mult[inside] = vals[np.clip(pos, 0, len(keys) - 1)]
        return mult.astype(np.float32)
    if (out[inside] < 0).any():
        msg = "摩擦栅格含负的速度系数 / the friction raster holds negative speed multipliers"
        raise InputError(msg, file=path)
    return np.where(inside, out, 0.0).astype(np.float32)


def layer_metric(layer: gpd.GeoDataFrame, crs: str, what_zh: str, what_en: str) -> np.ndarray:
    """Geometries of a layer in the metric CRS (EPSG:4326 assumed when it has none)."""
    if len(layer) == 0:
        return np.empty(0, dtype=object)
    frame = layer if layer.crs is not None else layer.set_crs("EPSG:4326")
    if not pyproj.CRS(frame.crs).equals(pyproj.CRS(crs)):
        frame = frame.to_crs(crs)
    geoms = np.asarray(frame.geometry.to_numpy(), dtype=object)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        msg = f"{what_zh}图层有空几何 / the {what_en} layer has an empty geometry"
        raise InputError(msg, row=row, column="geometry")
    return geoms


def barrier_geometry(
    barriers: gpd.GeoDataFrame | None,
    fords: gpd.GeoDataFrame | None,
    crs: str,
    ford_radius_m: float,
) -> shapely.Geometry | None:
    """Barrier lines and polygons in the metric CRS, cut open within ``ford_radius_m`` of fords.

    Raises
    ------
    InputError
        When a ford is not a point, or a barrier is neither a line nor a polygon.
    """
    if barriers is None or len(barriers) == 0:
        return None
    geoms = layer_metric(barriers, crs, "障碍", "barrier")
    kinds = shapely.get_type_id(geoms)
    ok = np.isin(kinds, [1, 2, 3, 5, 6, 7])
    if not ok.all():
        row = int(np.flatnonzero(~ok)[0]) + 1
        msg = "障碍图层只能含线或面 / the barrier layer may hold only lines and polygons"
        raise InputError(msg, row=row, column="geometry")
    geom = shapely.union_all(geoms)
    if fords is not None and len(fords):
        pts = layer_metric(fords, crs, "渡口", "ford")
        not_point = ~np.isin(shapely.get_type_id(pts), [0, 4])
        if not_point.any():
            row = int(np.flatnonzero(not_point)[0]) + 1
            msg = "渡口图层只能含点 / the ford layer may hold only points"
            raise InputError(msg, row=row, column="geometry")
        geom = shapely.difference(geom, shapely.union_all(shapely.buffer(pts, ford_radius_m)))
    return None if shapely.is_empty(geom) else geom


class Barrier:
    """Exact crossing test of straight walking segments against barriers (metric CRS)."""

    def __init__(self, geom: shapely.Geometry, grid: Grid) -> None:
        parts = shapely.get_parts(geom)
        lines = parts[np.isin(shapely.get_type_id(parts), [1, 2])]
        polys = parts[shapely.get_type_id(parts) == 3]
        coords, idx = shapely.get_coordinates(lines, return_index=True)
        seg = np.flatnonzero(idx[1:] == idx[:-1])
        segs = shapely.linestrings(np.stack([coords[seg], coords[seg + 1]], axis=1))
        self.pieces = np.concatenate([np.asarray(segs, dtype=object), polys])
        self.tree = shapely.STRtree(self.pieces)
        touched = features.rasterize(
            [(geom, 1)],
            out_shape=(grid.rows, grid.cols),
            transform=grid.transform,
            fill=0,
            all_touched=True,
            dtype="uint8",
        ).astype(bool)
        # one cell more on every side: moves to or from a flagged cell get the exact test
        self.near = ndimage.binary_dilation(touched, structure=np.ones((3, 3), bool))

    def crossed(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether the segments a -> b (metric coordinates, n x 2) cross a barrier."""
        out = np.zeros(len(a), dtype=bool)
        if len(a) == 0:
            return out
        segs = shapely.linestrings(np.stack([a, b], axis=1))
        hit = self.tree.query(segs, predicate="intersects")
        out[np.unique(hit[0])] = True
        return out

    def near_cells(self, grid: Grid, xy: np.ndarray) -> np.ndarray:
        """Whether metric points lie in (or next to) a cell a barrier touches."""
        r, c = grid.cell_of(xy)
        ok = (r >= 0) & (r < grid.rows) & (c >= 0) & (c < grid.cols)
        out = np.ones(len(xy), dtype=bool)  # off the lattice: always test exactly
        out[ok] = self.near[r[ok], c[ok]]
        return out


def sample_z(dem: DEM | None, xy: np.ndarray, crs: str) -> np.ndarray:
    """Elevations (metres) at metric points, bilinear; NaN without a DEM or off it."""
    if dem is None or len(xy) == 0:
        return np.full(len(xy), np.nan)
    return dem.sample(xy[:, 0], xy[:, 1], crs=crs)


def walk_seconds(  # noqa: PLR0917 - vectorised formula on positional arrays
    length_m: np.ndarray,
    z_from: np.ndarray,
    z_to: np.ndarray,
    mult: np.ndarray,
    flat_kmh: float,
    offpath: float,
) -> np.ndarray:
    """Seconds to walk straight moves off path: Tobler on the signed slope x offpath x friction.

    ``t = L / (tobler((z_to - z_from) / L, flat_kmh) * offpath * mult / 3.6)``; flat where an
    elevation is NaN or ``L`` is under :data:`MIN_SLOPE_RUN_M` (a point next to its cell
    centre); infinite where ``mult`` is 0 (impassable).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(length_m >= MIN_SLOPE_RUN_M, (z_to - z_from) / length_m, 0.0)
        slope = np.nan_to_num(slope, nan=0.0, posinf=0.0, neginf=0.0)
        speed_mps = tobler_speed_kmh(slope, flat_kmh) * (offpath / 3.6) * mult
        return np.where(length_m > 0, length_m / speed_mps, 0.0)


@dataclass
class Moves:
    """Lattice moves in reversed CSR form: row i holds the moves INTO cell i.

    ``indices`` (int32) are the cells the moves come from, ``time`` (float32) the forward
    walking seconds from that cell into cell i and ``code`` (uint8) the move's position in
    ``lengths`` (metres per move kind).
    """

    indptr: np.ndarray
    indices: np.ndarray
    time: np.ndarray
    code: np.ndarray
    lengths: np.ndarray


def directed_offsets(neighbours: int, cols: int) -> list[tuple[int, int]]:
    """Directed (row, column) offsets of the lattice, ordered by flat grid offset."""
    base = KING if neighbours == 8 else KING + KNIGHT
    both = [*base, *((-dr, -dc) for dr, dc in base)]
    return sorted(both, key=lambda o: o[0] * cols + o[1])


def lattice_moves(  # noqa: PLR0917 - private builder with positional inputs
    grid: Grid,
    z: np.ndarray,
    mult: np.ndarray,
    neighbours: int,
    flat_kmh: float,
    offpath: float,
    barrier: Barrier | None,
) -> Moves:
    """Every move between neighbouring walkable cells with its walking seconds.

    Half of a move lies in each of its two cells and is walked at that cell's speed, so
    its time is ``L / v * (1 / m_i + 1 / m_j) / 2`` for the Tobler speed ``v`` of the move's
    slope and the cells' friction multipliers ``m``: the harmonic mean of the two speeds
    (the convention of ``skimage.graph.MCP_Geometric``, whose costs are paces). A knight's
    move takes its two end cells only (as GRASS r.cost -k). Cells of multiplier 0 are not
    nodes; a move whose straight segment between the cell centres crosses a barrier is
    dropped.

    Parameters
    ----------
    grid : Grid
        The lattice; its nodes are the walkable cells.
    z, mult : numpy.ndarray
        Elevation (metres, NaN unknown) and speed multiplier per node (float32).
    neighbours : {8, 16}
        Moves per cell.
    flat_kmh, offpath : float
        Flat walking speed (km/h) and off-path speed multiplier.
    barrier : Barrier or None
        Barriers.

    Returns
    -------
    Moves
        The moves, rows sorted by node and by tail within a row.
    """
    offs = directed_offsets(neighbours, grid.cols)
    col_of = {o: k for k, o in enumerate(offs)}
    n = grid.n
    pad = 2  # a border of non-cells: neighbours need no bounds checks
    width = grid.cols + 2 * pad
    padded = np.full((grid.rows + 2 * pad, width), -1, dtype=np.int32)
    padded[pad:-pad, pad:-pad] = grid.node_of
    flat = padded.ravel()
    r, c = np.divmod(grid.cells, grid.cols)
    at = (r + pad) * width + (c + pad)
    del r, c
    heads = np.full((n, len(offs)), -1, dtype=np.int32)
    time = np.zeros((n, len(offs)), dtype=np.float32)
    lengths = np.array([grid.cell_m * np.hypot(dr, dc) for dr, dc in offs])
    xy = grid.centres(grid.cells) if barrier is not None else None
    near = barrier.near.ravel()[grid.cells] if barrier is not None else None
    z64 = z.astype(np.float64)
    pace = 1.0 / mult.astype(np.float64)
    for dr, dc in KING if neighbours == 8 else KING + KNIGHT:
        j = flat[at + dr * width + dc]
        i = np.flatnonzero(j >= 0)
        j = j[i]
        if barrier is not None and xy is not None and near is not None:
            cand = np.flatnonzero(near[i] | near[j])
            keep = np.ones(len(i), dtype=bool)
            keep[cand[barrier.crossed(xy[i[cand]], xy[j[cand]])]] = False
            i, j = i[keep], j[keep]
        length = np.full(len(i), grid.cell_m * np.hypot(dr, dc))
        m = 2.0 / (pace[i] + pace[j])  # half the move in each cell: the mean of the paces
        k_in_i, k_in_j = col_of[(dr, dc)], col_of[(-dr, -dc)]
        heads[i, k_in_i] = j
        time[i, k_in_i] = walk_seconds(length, z64[j], z64[i], m, flat_kmh, offpath)
        heads[j, k_in_j] = i
        time[j, k_in_j] = walk_seconds(length, z64[i], z64[j], m, flat_kmh, offpath)
    valid = heads >= 0
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(valid.sum(axis=1), out=indptr[1:])
    code = np.broadcast_to(np.arange(len(offs), dtype=np.uint8), valid.shape)[valid]
    indices = heads[valid]
    del heads
    return Moves(indptr=indptr, indices=indices, time=time[valid], code=code, lengths=lengths)


def area_metric(area: shapely.Geometry | gpd.GeoDataFrame, crs: str) -> shapely.Geometry:
    """Return the study area as one polygon geometry in the metric CRS."""
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        frame = area if area.crs is not None else area.set_crs(STORAGE_CRS)
        geoms = np.asarray(frame.to_crs(crs).geometry.to_numpy(), dtype=object)
    else:
        t = pyproj.Transformer.from_crs(STORAGE_CRS, crs, always_xy=True)
        geoms = np.asarray(
            [shapely.transform(area, lambda c: np.column_stack(t.transform(c[:, 0], c[:, 1])))],
            dtype=object,
        )
    polys = geoms[np.isin(shapely.get_type_id(geoms), [3, 6])] if len(geoms) else geoms
    geom = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    if shapely.is_empty(geom):
        msg = "研究区为空或不是面 / the study area is empty or not a polygon"
        raise InputError(msg, column="area")
    return geom


def nearest_node_grid(grid: Grid) -> np.ndarray:
    """For every cell of the lattice, the nearest walkable cell's node (Euclidean, in cells)."""
    walk = grid.node_of >= 0
    _, (ri, ci) = ndimage.distance_transform_edt(~walk, return_indices=True)
    return grid.node_of[ri, ci]
