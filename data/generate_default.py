"""Generate the synthetic default Lüliang dataset inside the real county boundaries.

Run ``python data/generate_default.py [--out data/default] [--seed 41] [--counties 兴县,临县]
[--synthetic-divisions]``. Every synthetic feature carries ``source = "synthetic"`` and a
visibly synthetic name (``样例村0001``, ``样例村0157卫生室``); a final stage gives the
settlements the real townships and village committees (names and 统计用区划代码) of the
official 2023 division list, with synthetic township boundaries (``--synthetic-divisions``
keeps the synthetic ``样例镇001`` townships instead), then completes them: a settlement at a road
node for every 村委会 without one, a 卫生院 in every 乡、镇、街道, seat settlements named after
their township; ``chronic_poor`` comes last. Later stages draw from their own random streams, so
the earlier layers stay byte-identical. The output is byte-identical for the same seed, counties
and options.
"""

from __future__ import annotations

import argparse
import bz2
import hashlib
import heapq
import itertools
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from pyproj import Transformer
from rasterio.features import rasterize
from rasterio.transform import from_origin
from scipy import ndimage
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra, minimum_spanning_tree
from scipy.spatial import cKDTree

from lvliang_coverage.inputs.divisions import load_divisions

HERE = Path(__file__).resolve().parent
REAL_DIR = HERE / "lvliang"
STORAGE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:4546"

DEM_RES_DEG = 0.001  # degrees per DEM cell (about 89 m east-west, 111 m north-south)
FINE_M = 200.0  # metres, cell of the fine cost grid (village roads)
COARSE_FACTOR = 5  # fine cells per coarse cell side (1 km coarse grid for trunk roads)
TERTIARY_MIN_SETTLEMENTS = 6  # settlements served beyond a stretch that makes it tertiary
JOIN_LIMIT = 25_000.0  # cost-metres searched before a village's road joins the network
ROAD_SMOOTH_CELLS = 4.0  # DEM cells (about 400 m), relief smoothing under roads (cut and fill)
VILLAGE_SPACING_M = 300.0  # metres, minimum distance between settlements
N_VILLAGES = 6000  # settlements in the whole city (county and township seats included)
CITY_RESIDENTS = 3_350_000  # residents in the whole city
TOWNSHIP_KM2 = 125.0  # km2 of county area per township
MIN_TOWNSHIPS, MAX_TOWNSHIPS = 8, 16
DEEPLY_POOR = ("兴县", "临县", "石楼县")
SMALL_VILLAGE = 200  # residents; "small" settlements that may lack a road (data design only)
TINY_VILLAGE = 100  # residents; relocation candidates
ROADLESS_SHARE = 0.04  # share of small settlements left without any road
RELOCATE_SHARE = 0.025  # share of all settlements marked for whole-village relocation
UNSAFE_WATER_SHARE = 0.125  # share of settlements without safe drinking water

APPROXIMATE_SEATS = {"孝义市": (111.781, 37.145), "汾阳市": (111.788, 37.262)}
SEAT_RESIDENTS = {
    "离石区": 200_000,
    "孝义市": 180_000,
    "汾阳市": 160_000,
    "文水县": 90_000,
    "柳林县": 70_000,
    "临县": 70_000,
    "交城县": 60_000,
    "兴县": 60_000,
    "中阳县": 50_000,
    "岚县": 40_000,
    "方山县": 30_000,
    "石楼县": 30_000,
    "交口县": 30_000,
}
HIGHWAY_RANK = {
    "trunk": 0,
    "primary": 1,
    "secondary": 2,
    "tertiary": 3,
    "unclassified": 4,
    "track": 5,
    "path": 6,
}

TO_METRIC = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)
TO_LONLAT = Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)


# --------------------------------------------------------------------------------------------
# Terrain
# --------------------------------------------------------------------------------------------


@dataclass
class Dem:
    """A north-up elevation raster in EPSG:4326.

    Attributes
    ----------
    elev : ndarray of int16
        Elevation in metres, row 0 at the north edge.
    west, north : float
        Coordinates of the upper-left corner, degrees.
    res : float
        Cell size in degrees.
    """

    elev: np.ndarray
    west: float
    north: float
    res: float

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Bilinear elevation (metres) at WGS84 ``lon``/``lat`` (degrees)."""
        col = (np.asarray(lon) - self.west) / self.res - 0.5
        row = (self.north - np.asarray(lat)) / self.res - 0.5
        return ndimage.map_coordinates(
            self.elev.astype(np.float32), [row, col], order=1, mode="nearest"
        )


def _spectral_noise(
    rng: np.random.Generator, shape: tuple[int, int], slope: float, corner: float, cutoff: float
) -> np.ndarray:
    """Gaussian random field with a power-law amplitude spectrum, unit standard deviation.

    Parameters
    ----------
    rng : Generator
        Random source.
    shape : tuple of int
        Rows and columns.
    slope : float
        Amplitude spectrum exponent above the corner (amplitude ~ k**-slope).
    corner : float
        Corner wavenumber (cycles per cell); the spectrum is flat below it, so features
        larger than ``1 / corner`` cells carry little relief.
    cutoff : float
        Wavenumbers (cycles per cell) above this are removed; 0.5 keeps everything.
    """
    white = rng.standard_normal(shape)
    spec = np.fft.rfft2(white)
    ky = np.fft.fftfreq(shape[0])[:, None]
    kx = np.fft.rfftfreq(shape[1])[None, :]
    k = np.hypot(ky, kx)
    k[0, 0] = 1.0
    filt = (k**2 + corner**2) ** (-slope / 2.0)
    filt[k > cutoff] = 0.0
    filt[0, 0] = 0.0
    field_ = np.fft.irfft2(spec * filt, s=shape)
    return (field_ - field_.mean()) / field_.std()


def make_dem(
    rng: np.random.Generator, bounds: tuple[float, float, float, float], rivers: gpd.GeoDataFrame
) -> Dem:
    """Real ETOPO1 (bilinear) plus deterministic synthetic relief with valleys.

    Parameters
    ----------
    rng : Generator
        Random source.
    bounds : tuple of float
        West, south, east, north in degrees (EPSG:4326).
    rivers : GeoDataFrame
        Real rivers (EPSG:4326); the relief is carved down along them.

    Returns
    -------
    Dem
        Elevation in metres, int16, 0.001 degree cells.
    """
    west, south, east, north = bounds
    ncol = round((east - west) / DEM_RES_DEG)
    nrow = round((north - south) / DEM_RES_DEG)
    with rasterio.open(REAL_DIR / "etopo1_0p1deg.tif") as src:
        etopo = src.read(1).astype(np.float64)
        t = src.transform
    lon = west + (np.arange(ncol) + 0.5) * DEM_RES_DEG
    lat = north - (np.arange(nrow) + 0.5) * DEM_RES_DEG
    ecol = (lon - t.c) / t.a - 0.5
    erow = (lat - t.f) / t.e - 0.5
    rr, cc = np.meshgrid(erow, ecol, indexing="ij")
    base = ndimage.map_coordinates(etopo, [rr, cc], order=1, mode="nearest")
    # Synthetic relief: fractal hills, two orders of valleys along zero lines of smooth fields.
    hills = _spectral_noise(rng, (nrow, ncol), 1.8, 1.0 / 40.0, 0.5)
    big = _spectral_noise(rng, (nrow, ncol), 2.5, 1.0 / 150.0, 1.0 / 40.0)
    small = _spectral_noise(rng, (nrow, ncol), 2.5, 1.0 / 50.0, 1.0 / 15.0)
    valleys = 170.0 * np.exp(-((big / 0.12) ** 2)) + 70.0 * np.exp(-((small / 0.15) ** 2))
    river_mask = rasterize(
        ((g, 1) for g in rivers.geometry),
        out_shape=(nrow, ncol),
        transform=from_origin(west, north, DEM_RES_DEG, DEM_RES_DEG),
        all_touched=True,
        dtype="uint8",
    )
    lat_m = DEM_RES_DEG * 111_320.0
    lon_m = lat_m * np.cos(np.radians((north + south) / 2.0))
    if river_mask.any():
        dist = ndimage.distance_transform_edt(river_mask == 0, sampling=(lat_m, lon_m))
    else:
        dist = np.full((nrow, ncol), 1e9)
    carve = 160.0 * np.exp(-dist / 2500.0)
    relief = 110.0 * hills - valleys - carve
    relief -= relief.mean()
    elev = np.clip(base + relief, 350.0, 2900.0)
    return Dem(np.round(elev).astype(np.int16), west, north, DEM_RES_DEG)


def carve_roads(dem: Dem, net: RoadNet) -> Dem:
    """Lay the roads into the relief: cut and fill along every road, as real roads are built.

    The cells a road crosses take the relief smoothed over about 400 m (a Gaussian of
    ``ROAD_SMOOTH_CELLS`` cells), blended back into the raw relief over a few cells, so grades
    along roads stay moderate while the hills between them keep their slopes. Without it
    the 100 m synthetic relief gives roads the grades of open hillsides.
    """
    keys = list(net.edges)
    a = np.array([net.pos[k[0]] for k in keys])
    b = np.array([net.pos[k[1]] for k in keys])
    lon_a, lat_a = TO_LONLAT.transform(a[:, 0], a[:, 1])
    lon_b, lat_b = TO_LONLAT.transform(b[:, 0], b[:, 1])
    lines = shapely.linestrings(
        np.stack([np.column_stack([lon_a, lat_a]), np.column_stack([lon_b, lat_b])], axis=1)
    )
    mask = rasterize(
        ((g, 1) for g in lines),
        out_shape=dem.elev.shape,
        transform=from_origin(dem.west, dem.north, dem.res, dem.res),
        all_touched=True,
        dtype="uint8",
    ).astype(bool)
    # weight 1 on the road and its neighbours, fading out over a few cells (no cliffs)
    weight = np.clip(ndimage.gaussian_filter(mask.astype(np.float64), 1.5) * 3.0, 0.0, 1.0)
    raw = dem.elev.astype(np.float64)
    smooth = ndimage.gaussian_filter(raw, ROAD_SMOOTH_CELLS)
    elev = np.round(weight * smooth + (1.0 - weight) * raw).astype(np.int16)
    return Dem(elev, dem.west, dem.north, dem.res)


def write_dem(dem: Dem, path: Path) -> None:
    """Write the DEM as a DEFLATE-compressed int16 GeoTIFF without timestamps."""
    profile = {
        "driver": "GTiff",
        "dtype": "int16",
        "count": 1,
        "width": dem.elev.shape[1],
        "height": dem.elev.shape[0],
        "crs": STORAGE_CRS,
        "transform": from_origin(dem.west, dem.north, dem.res, dem.res),
        "compress": "deflate",
        "predictor": 2,
        "zlevel": 9,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(dem.elev, 1)
        dst.update_tags(
            TIFFTAG_IMAGEDESCRIPTION=(
                "SYNTHETIC relief (spectral noise and carved valleys) over real NOAA ETOPO1 "
                "0.1 deg elevation, bilinear upsampled; metres; demo data, not a survey"
            ),
            source="synthetic relief over ETOPO1",
            units="metre",
        )
        dst.set_band_description(1, "elevation (m), synthetic relief over ETOPO1")


# --------------------------------------------------------------------------------------------
# Metric grid over the study area
# --------------------------------------------------------------------------------------------


@dataclass
class Grid:
    """Fine metric cost grid (EPSG:4546) with terrain layers.

    Attributes
    ----------
    xmin, ymax : float
        Upper-left corner, metres.
    nrow, ncol : int
        Fine grid shape (a multiple of COARSE_FACTOR).
    elev, rel, slope, cost, weight : ndarray
        Elevation (m), elevation above the 3 km neighbourhood mean (m), slope (rise/run),
        travel cost per metre (dimensionless) and settlement weight.
    county : ndarray of int16
        County index per cell, -1 outside the study area.
    """

    xmin: float
    ymax: float
    nrow: int
    ncol: int
    elev: np.ndarray = field(repr=False)
    rel: np.ndarray = field(repr=False)
    slope: np.ndarray = field(repr=False)
    cost: np.ndarray = field(repr=False)
    weight: np.ndarray = field(repr=False)
    county: np.ndarray = field(repr=False)

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat fine-cell index of metric points ``x``/``y`` (metres)."""
        col = np.clip(((np.asarray(x) - self.xmin) // FINE_M).astype(np.int64), 0, self.ncol - 1)
        row = np.clip(((self.ymax - np.asarray(y)) // FINE_M).astype(np.int64), 0, self.nrow - 1)
        return row * self.ncol + col

    def centre(self, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metric centre (metres) of flat fine cells."""
        row, col = np.divmod(np.asarray(cell), self.ncol)
        return self.xmin + (col + 0.5) * FINE_M, self.ymax - (row + 0.5) * FINE_M


def make_grid(dem: Dem, counties_m: gpd.GeoDataFrame) -> Grid:
    """Sample the DEM on the fine metric grid and derive cost and settlement weight."""
    minx, miny, maxx, maxy = counties_m.total_bounds
    step = FINE_M * COARSE_FACTOR
    xmin = np.floor(minx / step) * step - 2 * step
    ymax = np.ceil(maxy / step) * step + 2 * step
    ncol = int(np.ceil((maxx - xmin) / step) + 2) * COARSE_FACTOR
    nrow = int(np.ceil((ymax - miny) / step) + 2) * COARSE_FACTOR
    xs = xmin + (np.arange(ncol) + 0.5) * FINE_M
    ys = ymax - (np.arange(nrow) + 0.5) * FINE_M
    gx, gy = np.meshgrid(xs, ys)
    lon, lat = TO_LONLAT.transform(gx.ravel(), gy.ravel())
    elev = dem.sample(lon, lat).reshape(nrow, ncol).astype(np.float64)
    gyy, gxx = np.gradient(elev, FINE_M)
    slope = np.hypot(gxx, gyy)
    rel = elev - ndimage.gaussian_filter(elev, 3000.0 / FINE_M)
    transform = from_origin(xmin, ymax, FINE_M, FINE_M)
    county = rasterize(
        ((g, i) for i, g in enumerate(counties_m.geometry)),
        out_shape=(nrow, ncol),
        transform=transform,
        fill=-1,
        dtype="int16",
    )
    inside = county >= 0
    cost = 1.0 + 3.0 * (slope / 0.15) ** 2 + np.clip(rel / 60.0, 0.0, 4.0)
    cost = np.where(inside, cost, cost * 4.0)
    weight = np.exp(-np.clip(rel, -200, 400) / 45.0) * np.exp(-((slope / 0.3) ** 2))
    weight *= np.exp(-np.clip(elev - 1500.0, 0.0, None) / 250.0)
    weight = np.where(inside, weight, 0.0)
    return Grid(xmin, ymax, nrow, ncol, elev, rel, slope, cost, weight, county)


def grid_graph(cost: np.ndarray, cell: float) -> csr_matrix:
    """Eight-neighbour graph of a cost raster; edge weight = length (m) x mean cost."""
    nrow, ncol = cost.shape
    idx = np.arange(nrow * ncol).reshape(nrow, ncol)
    rows, cols, vals = [], [], []
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        r0, r1 = max(0, -dr), nrow - max(0, dr)
        c0, c1 = max(0, -dc), ncol - max(0, dc)
        a = idx[r0:r1, c0:c1].ravel()
        b = idx[r0 + dr : r1 + dr, c0 + dc : c1 + dc].ravel()
        w = np.hypot(dr, dc) * cell * 0.5 * (cost.ravel()[a] + cost.ravel()[b])
        rows += [a, b]
        cols += [b, a]
        vals += [w, w]
    n = nrow * ncol
    return csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), (n, n))


def backtrack(pred: np.ndarray, target: int) -> list[int]:
    """Cells from the Dijkstra source to ``target`` using the predecessor array."""
    path = [target]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    return path[::-1]


# --------------------------------------------------------------------------------------------
# Townships
# --------------------------------------------------------------------------------------------


def _weighted_cells(
    rng: np.random.Generator, grid: Grid, mask: np.ndarray, n: int, power: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` jittered metric points in cells of ``mask`` with probability ~ weight**power."""
    w = np.where(mask, grid.weight, 0.0).ravel() ** power
    cells = rng.choice(w.size, size=n, replace=True, p=w / w.sum())
    x, y = grid.centre(cells)
    jitter = rng.uniform(-0.5, 0.5, size=(2, n)) * FINE_M
    return x + jitter[0], y + jitter[1]


def make_townships(
    rng: np.random.Generator,
    grid: Grid,
    counties: gpd.GeoDataFrame,
    seats: dict[str, tuple[float, float, str]],
    county_index: dict[str, int],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Voronoi townships per county, seeded at the real county seat and spread valley seats.

    Returns
    -------
    townships, township_seats : GeoDataFrame
        Polygons and seat points, EPSG:4326; the seats layer also has ``x``/``y`` (metres,
        EPSG:4546) and ``county_seat``.
    """
    polys, seat_rows = [], []
    tid = 0
    counties_m = counties.to_crs(METRIC_CRS)
    for name in counties["county"]:
        ci = county_index[name]
        geom_ll = counties.geometry.iloc[ci]
        area_km2 = counties_m.geometry.iloc[ci].area / 1e6
        n = int(np.clip(round(area_km2 / TOWNSHIP_KM2), MIN_TOWNSHIPS, MAX_TOWNSHIPS))
        lon, lat, seat_source = seats[name]
        sx, sy = TO_METRIC.transform(lon, lat)
        cx, cy = _weighted_cells(rng, grid, grid.county == ci, 600, power=0.5)
        keep = shapely.contains_xy(counties_m.geometry.iloc[ci], cx, cy)
        cx, cy = cx[keep], cy[keep]
        wnorm = grid.weight.ravel()[grid.cell_of(cx, cy)]
        wnorm = 0.6 + 0.4 * wnorm / wnorm.max()
        px, py = [sx], [sy]
        for _ in range(n - 1):
            d = np.min(np.hypot(cx[:, None] - np.array(px), cy[:, None] - np.array(py)), axis=1)
            best = int(np.argmax(d * wnorm))
            px.append(cx[best])
            py.append(cy[best])
        pts = shapely.points(px, py)
        env = counties_m.geometry.iloc[ci].envelope.buffer(20_000)
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=env))
        tree = shapely.STRtree(cells)
        which = tree.query(pts, predicate="within")
        order = np.empty(len(pts), dtype=np.int64)
        order[which[0]] = which[1]
        cell_ll = gpd.GeoSeries(shapely.segmentize(cells[order], 500.0), crs=METRIC_CRS).to_crs(
            STORAGE_CRS
        )
        plon, plat = TO_LONLAT.transform(np.array(px), np.array(py))
        for k in range(n):
            tid += 1
            tname = f"样例镇{tid:03d}"
            piece = shapely.intersection(cell_ll.iloc[k], geom_ll)
            piece = shapely.set_precision(piece, 1e-6)
            polys.append(
                {"township_id": f"T{tid:03d}", "name": tname, "county": name, "geometry": piece}
            )
            seat_rows.append(
                {
                    "township_id": f"T{tid:03d}",
                    "name": tname,
                    "county": name,
                    "county_seat": k == 0,
                    "source": seat_source if k == 0 else "synthetic",
                    "x": px[k],
                    "y": py[k],
                    "geometry": shapely.Point(
                        (lon, lat) if k == 0 else (round(plon[k], 6), round(plat[k], 6))
                    ),
                }
            )
    town = gpd.GeoDataFrame(polys, crs=STORAGE_CRS)
    town["source"] = "synthetic"
    town = town[["township_id", "name", "county", "source", "geometry"]]
    seat_gdf = gpd.GeoDataFrame(seat_rows, crs=STORAGE_CRS)
    return town, seat_gdf


# --------------------------------------------------------------------------------------------
# Villages
# --------------------------------------------------------------------------------------------


def _spaced(x: np.ndarray, y: np.ndarray, min_dist: float) -> np.ndarray:
    """Greedy thinning in the given order: keep a point unless an earlier kept one is close."""
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(min_dist, output_type="ndarray")
    keep = np.ones(len(x), dtype=bool)
    if len(pairs):
        pairs = np.sort(pairs, axis=1)
        pairs = pairs[np.lexsort((pairs[:, 0], pairs[:, 1]))]
        for i, j in pairs:
            if keep[i]:
                keep[j] = False
    return keep


def make_villages(
    rng: np.random.Generator,
    grid: Grid,
    dem: Dem,
    townships: gpd.GeoDataFrame,
    seats: gpd.GeoDataFrame,
    n_target: int,
    city_residents: int,
) -> pd.DataFrame:
    """Settlements: township seats first, then valley-weighted villages at least 300 m apart.

    Returns
    -------
    DataFrame
        One row per settlement with metric ``x``/``y`` (EPSG:4546), ``lon``/``lat``, county,
        township, settlement kind and residents; flags are filled in later. ``pop_scale`` is
        the factor that brought the villages' drawn residents to the city total.
    """
    n_seats = len(seats)
    mask = grid.county >= 0
    cx, cy = _weighted_cells(rng, grid, mask, int(n_target * 1.6))
    x = np.concatenate([seats["x"].to_numpy(), cx])
    y = np.concatenate([seats["y"].to_numpy(), cy])
    lon, lat = TO_LONLAT.transform(x, y)
    lon, lat = np.round(lon, 6), np.round(lat, 6)
    pts = shapely.points(lon, lat)
    tree = shapely.STRtree(townships.geometry.to_numpy())
    pi, ti = tree.query(pts, predicate="within")
    town_of = np.full(len(x), -1)
    town_of[pi] = ti
    town_of[:n_seats] = np.arange(n_seats)
    ok = town_of >= 0
    dist_edge = np.full(len(x), np.inf)
    bnd = shapely.boundary(townships.geometry.to_numpy())
    dist_edge[ok] = shapely.distance(pts[ok], bnd[town_of[ok]])
    ok &= dist_edge > 2e-4  # about 20 m inside the township polygon
    ok[:n_seats] = True
    keep = ok.copy()
    keep[ok] = _spaced(x[ok], y[ok], VILLAGE_SPACING_M)
    sel = np.flatnonzero(keep)[:n_target]
    x, y, lon, lat, town_of = x[sel], y[sel], lon[sel], lat[sel], town_of[sel]
    n = len(sel)
    kind = np.full(n, "village", dtype=object)
    is_county_seat = np.zeros(n, dtype=bool)
    is_county_seat[:n_seats] = seats["county_seat"].to_numpy()
    kind[:n_seats] = np.where(is_county_seat[:n_seats], "county_seat", "township_seat")
    elev = dem.sample(lon, lat)
    rel = ndimage.map_coordinates(
        grid.rel,
        [(grid.ymax - y) / FINE_M - 0.5, (x - grid.xmin) / FINE_M - 0.5],
        order=1,
        mode="nearest",
    )
    # Residents: lognormal, a little larger in valleys; seats far larger.
    pop = rng.lognormal(np.log(250.0), 0.75, size=n) * np.exp(-np.clip(rel, -150, 300) / 600.0)
    county = townships["county"].to_numpy()[town_of]
    seat_pop = np.array([SEAT_RESIDENTS.get(c, 40_000) for c in county[:n_seats]], dtype=float)
    seat_pop = np.where(
        is_county_seat[:n_seats], seat_pop, rng.lognormal(np.log(2600.0), 0.5, n_seats)
    )
    pop[:n_seats] = seat_pop
    rest = city_residents - pop[:n_seats].sum()
    scale = rest / pop[n_seats:].sum()
    pop[n_seats:] *= scale
    pop = np.maximum(np.round(pop), 8).astype(np.int64)
    pop[n_seats] += city_residents - pop.sum()  # exact total
    return pd.DataFrame(
        {
            "x": x,
            "y": y,
            "lon": lon,
            "lat": lat,
            "county": county,
            "township": townships["name"].to_numpy()[town_of],
            "town_idx": town_of,
            "settlement": kind,
            "population": pop,
            "elevation_m": np.round(elev, 1),
            "rel_m": rel,
            "pop_scale": scale,  # residents factor of the villages, to draw more like them
        }
    )


def admin_groups(rng: np.random.Generator, vil: pd.DataFrame) -> np.ndarray:
    """Group 2-6 nearby settlements of a township into administrative villages.

    Returns
    -------
    ndarray of int
        Index (row of ``vil``) of the largest member of each settlement's group.
    """
    head = np.arange(len(vil))
    population = vil["population"].to_numpy()
    for rows in vil.groupby("town_idx", sort=True).indices.values():
        idx = np.asarray(rows)
        seats = idx[vil["settlement"].to_numpy()[idx] != "village"]
        rest = idx[vil["settlement"].to_numpy()[idx] == "village"]
        head[seats] = seats
        rest = rest[np.argsort(-vil["population"].to_numpy()[rest], kind="stable")]
        xy = vil[["x", "y"]].to_numpy()
        free = np.ones(len(rest), dtype=bool)
        groups: list[list[int]] = []
        for k in range(len(rest)):
            if not free[k]:
                continue
            size = int(rng.integers(2, 7))
            d = np.hypot(*(xy[rest] - xy[rest[k]]).T)
            d[~free] = np.inf
            near = np.argsort(d, kind="stable")[:size]
            near = near[np.isfinite(d[near])]
            free[near] = False
            groups.append(list(rest[near]))
        # Merge single-member groups into the nearest other group with room (at most 6).
        if len(groups) > 1:
            centres = np.array([xy[g[0]] for g in groups])
            for gi, g in enumerate(groups):
                if len(g) == 1:
                    d = np.hypot(*(centres - xy[g[0]]).T)
                    d[gi] = np.inf
                    d[[not 0 < len(o) < 6 for o in groups]] = np.inf
                    tgt = int(np.argmin(d))
                    if np.isfinite(d[tgt]):
                        groups[tgt].extend(g)
                        groups[gi] = []
        for g in groups:
            if g:
                big = max(g, key=lambda m: (population[m], -m))
                head[g] = big
    return head


# --------------------------------------------------------------------------------------------
# Roads
# --------------------------------------------------------------------------------------------


@dataclass
class RoadNet:
    """Road edges keyed by node keys, plus node positions (metres, EPSG:4546)."""

    pos: dict[tuple, tuple[float, float]] = field(default_factory=dict)
    edges: dict[tuple, int] = field(default_factory=dict)
    tracktype: dict[tuple, str] = field(default_factory=dict)

    def add(self, a: tuple, b: tuple, highway: str) -> None:
        """Add an undirected edge keeping the better (lower-rank) class."""
        if a == b:
            return
        key = (a, b) if a < b else (b, a)
        rank = HIGHWAY_RANK[highway]
        if key not in self.edges or rank < self.edges[key]:
            self.edges[key] = rank


def _ekey(a: tuple, b: tuple) -> tuple:
    """Undirected edge key of two node keys."""
    return (a, b) if a < b else (b, a)


def build_roads(
    rng: np.random.Generator, grid: Grid, vil: pd.DataFrame, townships: gpd.GeoDataFrame
) -> tuple[RoadNet, np.ndarray]:
    """Least-cost road network: trunk, primary/secondary, village trees, tracks and paths.

    Returns
    -------
    RoadNet
        The network.
    roadless : ndarray of bool
        Settlements that no road reaches.
    """
    net = RoadNet()
    nrow, ncol = grid.nrow, grid.ncol
    crow, ccol = nrow // COARSE_FACTOR, ncol // COARSE_FACTOR
    cstep = FINE_M * COARSE_FACTOR
    ccost = grid.cost.reshape(crow, COARSE_FACTOR, ccol, COARSE_FACTOR).mean(axis=(1, 3))
    vx, vy = vil["x"].to_numpy(), vil["y"].to_numpy()
    kind = vil["settlement"].to_numpy()
    seat_idx = np.flatnonzero(kind != "village")
    cseat_idx = np.flatnonzero(kind == "county_seat")
    county_of = vil["county"].to_numpy()

    def ccell(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        col = np.clip(((x - grid.xmin) // cstep).astype(np.int64), 0, ccol - 1)
        row = np.clip(((grid.ymax - y) // cstep).astype(np.int64), 0, crow - 1)
        return row * ccol + col

    # Node positions: jittered cell centres, anchored at settlements.
    cj = rng.uniform(-0.3, 0.3, size=(2, crow * ccol)) * cstep
    fj = rng.uniform(-0.3, 0.3, size=(2, nrow * ncol)) * FINE_M
    seat_cc = ccell(vx[seat_idx], vy[seat_idx])
    anchor_c = {int(c): ("v", int(i)) for c, i in zip(seat_cc, seat_idx, strict=True)}
    vfine = grid.cell_of(vx, vy)
    anchor_f = {int(c): ("v", i) for i, c in enumerate(vfine)}
    for i in range(len(vil)):
        net.pos[("v", i)] = (float(vx[i]), float(vy[i]))

    def cnode(c: int) -> tuple:
        if c in anchor_c:
            return anchor_c[c]
        key = ("c", c)
        if key not in net.pos:
            r, q = divmod(c, ccol)
            net.pos[key] = (
                grid.xmin + (q + 0.5) * cstep + cj[0, c],
                grid.ymax - (r + 0.5) * cstep + cj[1, c],
            )
        return key

    def fnode(c: int) -> tuple:
        if c in anchor_f:
            return anchor_f[c]
        if c in coarse_at:
            return coarse_at[c]
        key = ("f", c)
        if key not in net.pos:
            x, y = grid.centre(c)
            net.pos[key] = (float(x) + fj[0, c], float(y) + fj[1, c])
        return key

    coarse_edges: dict[tuple[int, int], int] = {}

    def add_coarse_path(cells: Sequence[int], highway: str) -> None:
        rank = HIGHWAY_RANK[highway]
        for a, b in itertools.pairwise(cells):
            key = (min(a, b), max(a, b))
            if key not in coarse_edges or rank < coarse_edges[key]:
                coarse_edges[key] = rank

    # Trunk: MST of county seats plus the shortest extra links, routed on the coarse grid.
    cost_now = ccost.copy()
    if len(cseat_idx) > 1:
        sx, sy = vx[cseat_idx], vy[cseat_idx]
        dmat = np.hypot(sx[:, None] - sx[None, :], sy[:, None] - sy[None, :])
        mst = minimum_spanning_tree(np.triu(dmat)).tocoo()
        links = {(min(a, b), max(a, b)) for a, b in zip(mst.row, mst.col, strict=True)}
        iu = np.triu_indices(len(sx), 1)
        extra = [
            (int(a), int(b))
            for a, b in zip(iu[0][np.argsort(dmat[iu])], iu[1][np.argsort(dmat[iu])], strict=True)
            if (int(a), int(b)) not in links
        ]
        links |= set(extra[: max(1, len(sx) // 4)])
        ccs = ccell(sx, sy)
        for a, b in sorted(links, key=lambda ab: dmat[ab]):
            g = grid_graph(cost_now, cstep)
            _, pred = dijkstra(g, indices=int(ccs[a]), return_predecessors=True)
            path = backtrack(pred, int(ccs[b]))
            add_coarse_path(path, "trunk")
            cost_now.ravel()[path] *= 0.35
    # Township seats: join each to the nearest part of the network (primary / secondary).
    g = grid_graph(ccost, cstep)
    on_net = {c for e in coarse_edges for c in e} or {
        int(ccell(vx[cseat_idx[:1]], vy[cseat_idx[:1]])[0])
    }
    town_pop = vil.groupby("town_idx")["population"].sum()
    for cs in cseat_idx:
        ts = [i for i in seat_idx if county_of[i] == county_of[cs] and i != cs]
        ts.sort(key=lambda i: np.hypot(vx[i] - vx[cs], vy[i] - vy[cs]))
        pops = town_pop.loc[vil["town_idx"].to_numpy()[ts]].to_numpy()
        big = set(np.asarray(ts)[pops >= np.quantile(pops, 0.6)]) if ts else set()
        for i in ts:
            tc = int(ccell(vx[i : i + 1], vy[i : i + 1])[0])
            if tc in on_net:
                continue
            _, pred, _src = dijkstra(
                g, indices=sorted(on_net), return_predecessors=True, min_only=True
            )
            path = backtrack(pred, tc)
            add_coarse_path(path, "primary" if i in big else "secondary")
            on_net.update(path)
    # Densify coarse edges: four shared interior vertices with a gentle sideways wave.
    ekeys = sorted(coarse_edges)
    amp = rng.normal(0.0, 0.12, size=len(ekeys)) * cstep
    wob = rng.normal(0.0, 0.04, size=(len(ekeys), 4)) * cstep
    ts_ = np.array([0.2, 0.4, 0.6, 0.8])
    for k, (a, b) in enumerate(ekeys):
        na, nb = cnode(a), cnode(b)
        (xa, ya), (xb, yb) = net.pos[na], net.pos[nb]
        dx, dy = xb - xa, yb - ya
        length = np.hypot(dx, dy) or 1.0
        off = amp[k] * np.sin(np.pi * ts_) + wob[k]
        px = xa + ts_ * dx - off * dy / length
        py = ya + ts_ * dy + off * dx / length
        chain = [na]
        for m in range(4):
            key = ("m", a, b, m)
            net.pos[key] = (float(px[m]), float(py[m]))
            chain.append(key)
        chain.append(nb)
        hw = next(h for h, r in HIGHWAY_RANK.items() if r == coarse_edges[(a, b)])
        for p, q in itertools.pairwise(chain):
            net.add(p, q, hw)
    # Village trees may also join the trunk, primary and secondary roads at their vertices.
    coarse_at: dict[int, tuple] = {}
    for key in sorted({n for e in net.edges for n in e}):
        c = int(grid.cell_of(*net.pos[key]))
        if c not in anchor_f:
            coarse_at.setdefault(c, key)
    coarse_cells = np.array(sorted(coarse_at), dtype=np.int64)
    # Village trees: per township, on the fine grid, from its seat and the roads above.
    pop = vil["population"].to_numpy()
    node_paths: dict[int, list[tuple]] = {}
    usage: dict[tuple, int] = defaultdict(int)
    margin = 2000.0
    near_village = np.zeros(nrow * ncol, dtype=bool)
    near_village[vfine] = True
    near_village = ndimage.binary_dilation(near_village.reshape(nrow, ncol)).ravel()
    fine_cost = np.where(near_village.reshape(nrow, ncol), grid.cost * 0.6, grid.cost)
    town_idx = vil["town_idx"].to_numpy()
    for t in range(len(townships)):
        members = np.flatnonzero(town_idx == t)
        seat = [i for i in members if kind[i] != "village"]
        if not seat:
            continue
        seat_i = seat[0]
        targets = [i for i in members if i != seat_i]
        if not targets:
            continue
        minx = min(vx[members].min(), vx[seat_i]) - margin
        maxx = max(vx[members].max(), vx[seat_i]) + margin
        miny = min(vy[members].min(), vy[seat_i]) - margin
        maxy = max(vy[members].max(), vy[seat_i]) + margin
        c0 = max(int((minx - grid.xmin) // FINE_M), 0)
        c1 = min(int((maxx - grid.xmin) // FINE_M) + 1, ncol)
        r0 = max(int((grid.ymax - maxy) // FINE_M), 0)
        r1 = min(int((grid.ymax - miny) // FINE_M) + 1, nrow)
        sub = fine_cost[r0:r1, c0:c1]
        w = c1 - c0

        def to_local(c: np.ndarray, r0: int = r0, c0: int = c0, w: int = w) -> np.ndarray:
            r, q = np.divmod(c, ncol)
            return (r - r0) * w + (q - c0)

        def to_global(lc: int, r0: int = r0, c0: int = c0, w: int = w) -> int:
            r, q = divmod(lc, w)
            return (r + r0) * ncol + (q + c0)

        gsub = grid_graph(sub, FINE_M)
        root = int(to_local(vfine[seat_i]))
        crow_, ccol_ = np.divmod(coarse_cells, ncol)
        inside = (crow_ >= r0) & (crow_ < r1) & (ccol_ >= c0) & (ccol_ < c1)
        roots = [root, *(int(v) for v in to_local(coarse_cells[inside]))]
        dist0 = dijkstra(gsub, indices=roots, min_only=True)
        local = {i: int(to_local(vfine[i])) for i in targets}
        # Greedy Steiner tree: settlements, nearest first, join the nearest road built so far.
        parent: dict[int, int] = dict.fromkeys(roots, -1)
        for i in sorted(targets, key=lambda i: (dist0[local[i]], i)):
            if local[i] in parent:
                continue
            src = np.fromiter(parent, dtype=np.int64)
            d, pred, _ = dijkstra(
                gsub, indices=src, return_predecessors=True, min_only=True, limit=JOIN_LIMIT
            )
            if not np.isfinite(d[local[i]]):
                d, pred, _ = dijkstra(gsub, indices=src, return_predecessors=True, min_only=True)
            path = backtrack(pred, local[i])
            parent.update((b, a) for a, b in itertools.pairwise(path))
        count: dict[int, int] = defaultdict(int)
        paths = {}
        for i in targets:
            path = [local[i]]
            while parent[path[-1]] >= 0:
                path.append(parent[path[-1]])
            path.reverse()
            paths[i] = path
            for lc in path[1:]:
                count[lc] += 1
        for i in targets:
            path = paths[i]
            nodes = [fnode(to_global(lc)) for lc in path]
            node_paths[i] = nodes
            for j in range(len(path) - 1):
                hw = (
                    "tertiary" if count[path[j + 1]] >= TERTIARY_MIN_SETTLEMENTS else "unclassified"
                )
                net.add(nodes[j], nodes[j + 1], hw)
                usage[_ekey(nodes[j], nodes[j + 1])] += 1
    # Settlements left without a road: small ones whose private branch (the tail of their
    # path used by no other path) can be dropped without any other road vertex within 500 m.
    degree: dict[tuple, int] = defaultdict(int)
    for a, b in net.edges:
        degree[a] += 1
        degree[b] += 1
    keys = sorted(degree)
    ktree = cKDTree(np.array([net.pos[k] for k in keys]))
    cand = np.flatnonzero((pop < SMALL_VILLAGE) & (kind == "village"))
    cand = cand[rng.permutation(len(cand))]
    want = round(ROADLESS_SHARE * len(cand))
    roadless = np.zeros(len(vil), dtype=bool)
    removed: set[tuple] = set()
    for i in cand:
        if roadless.sum() >= want or i not in node_paths:
            continue
        nodes = node_paths[i]
        k = len(nodes) - 1
        while k > 0 and usage[_ekey(nodes[k - 1], nodes[k])] == 1:
            k -= 1
        if k == len(nodes) - 1:
            continue
        branch = [_ekey(nodes[j], nodes[j + 1]) for j in range(k, len(nodes) - 1)]
        incident: dict[tuple, int] = defaultdict(int)
        for a, b in branch:
            incident[a] += 1
            incident[b] += 1
        exclusive = {n for n, c in incident.items() if degree[n] == c}
        near = ktree.query_ball_point((vx[i], vy[i]), 500.0)
        if any(keys[j] not in exclusive for j in near):
            continue
        ax, ay = net.pos[nodes[k]]
        if np.hypot(ax - vx[i], ay - vy[i]) > 3000.0:
            continue
        roadless[i] = True
        removed.update(branch)
    net.edges = {e: r for e, r in net.edges.items() if e not in removed}
    # Track and path spurs from connected villages towards higher ground.
    add_spurs(rng, grid, net, vil, roadless)
    return net, roadless


def add_spurs(
    rng: np.random.Generator, grid: Grid, net: RoadNet, vil: pd.DataFrame, roadless: np.ndarray
) -> None:
    """Add winding track (with tracktype) and path spurs from villages to fields and hills."""
    vx, vy = vil["x"].to_numpy(), vil["y"].to_numpy()
    rl_tree = cKDTree(np.column_stack([vx[roadless], vy[roadless]])) if roadless.any() else None
    n = len(vil)
    pick = rng.random(n)
    lengths = rng.uniform(600.0, 2200.0, n)
    angles = rng.uniform(0.0, 2 * np.pi, (n, 6))
    waves = rng.normal(0.0, 0.12, (n, 2))
    grades = rng.choice(["grade2", "grade3", "grade4", "grade5"], n, p=[0.2, 0.4, 0.3, 0.1])
    for i in range(n):
        if roadless[i] or pick[i] > 0.45:
            continue
        hw = "path" if pick[i] > 0.33 else "track"
        # Choose, among six directions, the end point on the highest ground.
        ex = vx[i] + lengths[i] * np.cos(angles[i])
        ey = vy[i] + lengths[i] * np.sin(angles[i])
        cells = grid.cell_of(ex, ey)
        best = int(np.argmax(grid.elev.ravel()[cells]))
        ex, ey = ex[best], ey[best]
        m = max(int(lengths[i] // 130.0), 4)
        t = np.linspace(0.0, 1.0, m + 1)[1:]
        dx, dy = ex - vx[i], ey - vy[i]
        off = lengths[i] * (waves[i, 0] * np.sin(np.pi * t) + waves[i, 1] * np.sin(2 * np.pi * t))
        px = vx[i] + t * dx - off * dy / lengths[i]
        py = vy[i] + t * dy + off * dx / lengths[i]
        if grid.county.ravel()[grid.cell_of(px, py)].min() < 0:
            continue
        if (
            rl_tree is not None
            and np.isfinite(
                rl_tree.query(np.column_stack([px, py]), distance_upper_bound=600.0)[0]
            ).any()
        ):
            continue
        prev: tuple = ("v", i)
        for k in range(m):
            key = ("s", i, k)
            net.pos[key] = (float(px[k]), float(py[k]))
            net.add(prev, key, hw)
            if hw == "track":
                net.tracktype[(prev, key) if prev < key else (key, prev)] = grades[i]
            prev = key


def chain_ways(net: RoadNet) -> list[tuple[str, list[tuple], str | None]]:
    """Split the edge set into ways: maximal chains of one class between junctions.

    Returns
    -------
    list of (highway, node keys, tracktype)
    """
    ways = []
    for hw, rank in HIGHWAY_RANK.items():
        adj: dict[tuple, list[tuple]] = defaultdict(list)
        for (a, b), r in net.edges.items():
            if r == rank:
                adj[a].append(b)
                adj[b].append(a)
        if not adj:
            continue
        for v in adj.values():
            v.sort()
        seen: set[tuple] = set()

        def ekey(a: tuple, b: tuple) -> tuple:
            return (a, b) if a < b else (b, a)

        def walk(start: tuple, nxt: tuple, adj: dict = adj, seen: set = seen) -> list[tuple]:
            chain = [start, nxt]
            seen.add(ekey(start, nxt))
            while len(adj[chain[-1]]) == 2 and len(chain) < 1500:
                a, b = adj[chain[-1]]
                step = b if a == chain[-2] else a
                if ekey(chain[-1], step) in seen:
                    break
                seen.add(ekey(chain[-1], step))
                chain.append(step)
            return chain

        ends = sorted(n for n, v in adj.items() if len(v) != 2)
        for s in [*ends, *sorted(adj)]:
            for nb in adj[s]:
                if ekey(s, nb) not in seen:
                    ways.append((hw, walk(s, nb), None))  # noqa: PERF401
    out = []
    for hw, chain, _ in ways:
        tt = net.tracktype.get(
            (chain[0], chain[1]) if chain[0] < chain[1] else (chain[1], chain[0])
        )
        out.append((hw, chain, tt if hw == "track" else None))
    return out


def write_osm(net: RoadNet, path: Path) -> dict[str, int]:
    """Write the network as bzip2-compressed OSM XML 0.6 (string building, no DOM).

    Returns
    -------
    dict
        Counts of nodes and ways per highway class.
    """
    ways = chain_ways(net)
    node_id: dict[tuple, int] = {}
    for _, chain, _ in ways:
        for k in chain:
            if k not in node_id:
                node_id[k] = len(node_id) + 1
    keys = list(node_id)
    xy = np.array([net.pos[k] for k in keys])
    lon, lat = TO_LONLAT.transform(xy[:, 0], xy[:, 1])
    parts = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        '<osm version="0.6" generator="lvliang-coverage data/generate_default.py">\n',
        f'  <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" '
        f'maxlat="{lat.max():.7f}" maxlon="{lon.max():.7f}"/>\n',
    ]
    parts += [
        f'  <node id="{i + 1}" version="1" lat="{la:.7f}" lon="{lo:.7f}"/>\n'
        for i, (lo, la) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True))
    ]
    counts: dict[str, int] = defaultdict(int)
    names = {
        "trunk": "样例干线",
        "primary": "样例一级路",
        "secondary": "样例二级路",
        "tertiary": "样例乡道",
        "unclassified": "样例村道",
    }
    refs = {"trunk": "YL-G", "primary": "YL-S", "secondary": "YL-X"}
    for wid, (hw, chain, tt) in enumerate(ways, start=1):
        counts[hw] += 1
        parts.append(f'  <way id="{wid}" version="1">\n')
        parts += [f'    <nd ref="{node_id[k]}"/>\n' for k in chain]
        parts.append(f'    <tag k="highway" v="{hw}"/>\n')
        if hw in names:
            parts.append(f'    <tag k="name" v="{escape(names[hw])}{wid:05d}"/>\n')
        if hw in refs:
            parts.append(f'    <tag k="ref" v="{refs[hw]}{wid:05d}"/>\n')
        if tt:
            parts.append(f'    <tag k="tracktype" v="{tt}"/>\n')
        parts.append('    <tag k="source" v="synthetic"/>\n  </way>\n')
    parts.append("</osm>\n")
    path.write_bytes(bz2.compress("".join(parts).encode("utf-8"), 9))
    counts["nodes"] = len(node_id)
    return dict(counts)


# --------------------------------------------------------------------------------------------
# Facilities, water sources, relocation sites
# --------------------------------------------------------------------------------------------


def _offset(
    rng: np.random.Generator,
    area: shapely.Geometry,
    x: np.ndarray,
    y: np.ndarray,
    rmin: float,
    rmax: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Points at a random bearing and distance in [rmin, rmax] metres from ``x``/``y``.

    Points falling outside ``area`` (EPSG:4546) are redrawn; after 30 tries they stay at the
    origin.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ox, oy = x.copy(), y.copy()
    todo = np.ones(len(x), dtype=bool)
    for _ in range(30):
        n = int(todo.sum())
        if n == 0:
            break
        r = rng.uniform(rmin, rmax, n)
        a = rng.uniform(0.0, 2 * np.pi, n)
        px, py = x[todo] + r * np.cos(a), y[todo] + r * np.sin(a)
        ok = shapely.contains_xy(area, px, py)
        idx = np.flatnonzero(todo)[ok]
        ox[idx], oy[idx] = px[ok], py[ok]
        todo[idx] = False
    return ox, oy


def _to_frame(rows: dict[str, Iterable], x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Frame with ``lon``/``lat`` (degrees, 6 decimals) from metric ``x``/``y``."""
    lon, lat = TO_LONLAT.transform(np.asarray(x, float), np.asarray(y, float))
    df = pd.DataFrame(rows)
    df["lon"] = np.round(lon, 6)
    df["lat"] = np.round(lat, 6)
    return df


def _locate(
    df: pd.DataFrame, townships: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """County, township name and an inside flag for points given by ``lon``/``lat``."""
    pts = shapely.points(df["lon"].to_numpy(), df["lat"].to_numpy())
    pi, ti = shapely.STRtree(townships.geometry.to_numpy()).query(pts, predicate="within")
    idx = np.full(len(df), -1)
    idx[pi] = ti
    inside = idx >= 0
    county = np.where(inside, townships["county"].to_numpy()[idx], None)
    town = np.where(inside, townships["name"].to_numpy()[idx], None)
    return county, town, inside


DOCTOR_COUNTS = [0, 1, 2, 3, 4]  # doctors a township health centre has now (article 8: 2 or 3)
DOCTOR_SHARES = [0.06, 0.16, 0.36, 0.28, 0.14]  # probability of each of DOCTOR_COUNTS
HEALTH_CENTRE_OFFSET_M = (-120.0, 80.0)  # metres (east, north) from its seat: 120 m W, 80 m N


def make_facilities(
    rng: np.random.Generator,
    vil: pd.DataFrame,
    head: np.ndarray,
    townships: gpd.GeoDataFrame,
    area: shapely.Geometry,
    county_areas: dict[str, shapely.Geometry],
) -> pd.DataFrame:
    """Clinics, township health centres, county hospitals, schools, workshops, parks."""
    x, y = vil["x"].to_numpy(), vil["y"].to_numpy()
    kind = vil["settlement"].to_numpy()
    pop = vil["population"].to_numpy()
    names = vil["name"].to_numpy()
    town_names = vil["township"].to_numpy()
    county_names = vil["county"].to_numpy()
    frames = []
    # Clinics at the largest settlement of ~82 % of administrative villages.
    heads = np.unique(head[kind == "village"])
    heads = heads[kind[heads] == "village"]
    has = heads[rng.random(len(heads)) < 0.82]
    frames.append(
        _to_frame(
            {
                "name": [f"{n}卫生室" for n in names[has]],
                "kind": "clinic",
                "doctors": 0,
                "anchor": has,
            },
            x[has] + 15.0,
            y[has] + 10.0,
        )
    )
    seats = np.flatnonzero(kind != "village")
    doctors = rng.choice(DOCTOR_COUNTS, len(seats), p=DOCTOR_SHARES)
    frames.append(
        _to_frame(
            {
                "name": [f"{town_names[i]}卫生院" for i in seats],
                "kind": "health_centre",
                "doctors": doctors,
                "anchor": seats,
            },
            x[seats] + HEALTH_CENTRE_OFFSET_M[0],
            y[seats] + HEALTH_CENTRE_OFFSET_M[1],
        )
    )
    cs = np.flatnonzero(kind == "county_seat")
    frames.append(
        _to_frame(
            {
                "name": [f"{county_names[i]}样例医院" for i in cs],
                "kind": "hospital",
                "doctors": 0,
                "anchor": cs,
            },
            x[cs] + 300.0,
            y[cs] - 200.0,
        )
    )
    big = np.flatnonzero((kind == "village") & (pop >= 700) & (rng.random(len(vil)) < 0.6))
    sch = np.concatenate([seats, big])
    frames.append(
        _to_frame(
            {
                "name": [f"{names[i]}样例学校" for i in sch],
                "kind": "school",
                "doctors": 0,
                "anchor": sch,
            },
            x[sch] + 60.0,
            y[sch] - 90.0,
        )
    )
    wv = np.flatnonzero((kind == "village") & (pop >= 150) & (rng.random(len(vil)) < 0.05))
    wsrc = np.concatenate([seats, wv])
    wx, wy = _offset(rng, area, x[wsrc], y[wsrc], 400.0, 1800.0)
    labels = rng.choice(["扶贫车间", "农业基地", "加工车间"], len(wsrc))
    frames.append(
        _to_frame(
            {
                "name": [f"{names[i]}样例{lab}" for i, lab in zip(wsrc, labels, strict=True)],
                "kind": "workshop",
                "doctors": 0,
                "anchor": -1,
            },
            wx,
            wy,
        )
    )
    ip = np.repeat(cs, rng.integers(1, 4, len(cs)))
    px, py = np.empty(len(ip)), np.empty(len(ip))
    for k, i in enumerate(ip):
        px[k : k + 1], py[k : k + 1] = _offset(
            rng, county_areas[county_names[i]], x[i : i + 1], y[i : i + 1], 2000.0, 6000.0
        )
    frames.append(
        _to_frame(
            {
                "name": [f"{county_names[i]}样例产业园{k + 1}" for k, i in enumerate(ip)],
                "kind": "industrial_park",
                "doctors": 0,
                "anchor": -1,
            },
            px,
            py,
        )
    )
    fac = pd.concat(frames, ignore_index=True)
    county, town, inside = _locate(fac, townships)
    fac["county"], fac["township"] = county, town
    # Facilities "at" a settlement stay in its township: fall back to the settlement point.
    anchor = fac["anchor"].to_numpy()
    at = anchor >= 0
    moved = at & (fac["township"].to_numpy() != np.where(at, town_names[anchor], None))
    fac.loc[moved, "lon"] = vil["lon"].to_numpy()[anchor[moved]]
    fac.loc[moved, "lat"] = vil["lat"].to_numpy()[anchor[moved]]
    fac.loc[moved, "county"] = county_names[anchor[moved]]
    fac.loc[moved, "township"] = town_names[anchor[moved]]
    inside |= moved
    fac = fac[inside].reset_index(drop=True)
    prefix = {
        "clinic": "CL",
        "health_centre": "HC",
        "hospital": "HO",
        "school": "SC",
        "workshop": "WS",
        "industrial_park": "IP",
    }
    fac["facility_id"] = [
        f"{prefix[k]}{n + 1:04d}"
        for k, n in zip(fac["kind"], fac.groupby("kind").cumcount(), strict=True)
    ]
    fac["doctors"] = fac["doctors"].astype(np.int64)
    fac["source"] = "synthetic"
    cols = ["facility_id", "name", "kind", "county", "township", "doctors", "source", "lon", "lat"]
    return fac[cols]


def make_water_sources(
    rng: np.random.Generator,
    grid: Grid,
    dem: Dem,
    vil: pd.DataFrame,
    townships: gpd.GeoDataFrame,
    rivers_m: gpd.GeoDataFrame,
    area: shapely.Geometry,
) -> pd.DataFrame:
    """Springs, wells, reservoirs, river intakes and plants with capacity (m3/day)."""
    x, y = vil["x"].to_numpy(), vil["y"].to_numpy()
    unsafe = ~vil["water_safe"].to_numpy()
    frames = []
    # Springs above most unsafe villages, within a few km.
    near = np.flatnonzero(unsafe & (rng.random(len(vil)) < 0.85))
    r = rng.uniform(600.0, 3500.0, (len(near), 6))
    a = rng.uniform(0.0, 2 * np.pi, (len(near), 6))
    cx = x[near, None] + r * np.cos(a)
    cy = y[near, None] + r * np.sin(a)
    # Of six candidate spots, the spring rises at the highest one inside the study area.
    height = grid.elev.ravel()[grid.cell_of(cx, cy)]
    height = np.where(shapely.contains_xy(area, cx, cy), height, -np.inf)
    best = np.argmax(height, axis=1)
    pick = np.isfinite(height[np.arange(len(near)), best])
    near, best = near[pick], best[pick]
    sx = cx[pick][np.arange(len(near)), best]
    sy = cy[pick][np.arange(len(near)), best]
    frames.append(("spring", sx, sy, rng.uniform(20.0, 300.0, len(near))))
    # Background springs on high ground, wells near villages.
    high = np.where(grid.county >= 0, np.exp(np.clip(grid.rel, -300, 300) / 60.0), 0.0).ravel()
    cells = rng.choice(high.size, 350, p=high / high.sum())
    bx, by = grid.centre(cells)
    frames.append(("spring", bx, by, rng.uniform(20.0, 300.0, 350)))
    wv = np.flatnonzero(rng.random(len(vil)) < 0.08)
    wx, wy = _offset(rng, area, x[wv], y[wv], 200.0, 1500.0)
    frames.append(("well", wx, wy, rng.uniform(50.0, 500.0, len(wv))))
    low = np.where(grid.county >= 0, np.exp(-np.clip(grid.rel, -300, 300) / 30.0), 0.0).ravel()
    cells = rng.choice(low.size, 40, p=low / low.sum())
    rx, ry = grid.centre(cells)
    frames.append(("reservoir", rx, ry, rng.uniform(1000.0, 20000.0, 40)))
    lines = rivers_m.geometry.to_numpy()
    if len(lines):
        which = rng.integers(0, len(lines), 25)
        frac = rng.random(25)
        ip = shapely.line_interpolate_point(lines[which], frac, normalized=True)
        ix, iy = shapely.get_x(ip), shapely.get_y(ip)
        frames.append(("river_intake", ix, iy, rng.uniform(2000.0, 30000.0, 25)))
    cs = np.flatnonzero(vil["settlement"].to_numpy() == "county_seat")
    px, py = _offset(rng, area, x[cs], y[cs], 1500.0, 4000.0)
    frames.append(("plant", px, py, rng.uniform(5000.0, 40000.0, len(cs))))
    kinds = np.concatenate([np.full(len(f[1]), f[0], dtype=object) for f in frames])
    fx = np.concatenate([f[1] for f in frames])
    fy = np.concatenate([f[2] for f in frames])
    cap = np.concatenate([f[3] for f in frames])
    df = _to_frame({"kind": kinds, "capacity_m3d": np.round(cap, 1)}, fx, fy)
    county, town, inside = _locate(df, townships)
    df["county"], df["township"] = county, town
    df = df[inside].reset_index(drop=True)
    df["elevation_m"] = np.round(dem.sample(df["lon"].to_numpy(), df["lat"].to_numpy()), 1)
    label = {
        "spring": "泉",
        "well": "井",
        "reservoir": "水库",
        "river_intake": "取水口",
        "plant": "水厂",
    }
    df["water_source_id"] = [f"W{i + 1:04d}" for i in range(len(df))]
    df["name"] = [f"样例{label[k]}{i + 1:04d}" for i, k in enumerate(df["kind"])]
    df["source"] = "synthetic"
    cols = ["water_source_id", "name", "kind", "capacity_m3d", "elevation_m", "county", "township"]
    return df[[*cols, "source", "lon", "lat"]]


def make_relocation_sites(
    rng: np.random.Generator,
    vil: pd.DataFrame,
    townships: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """Resettlement sites near county and township seats, free capacity uneven by county."""
    x, y = vil["x"].to_numpy(), vil["y"].to_numpy()
    kind = vil["settlement"].to_numpy()
    demand = vil[vil["relocate"]].groupby("county")["households"].sum()
    counties = sorted(vil["county"].unique())
    short = set(rng.choice(counties, size=min(2, len(counties)), replace=False).tolist())
    rows, sx, sy = [], [], []
    town_m = townships.to_crs(METRIC_CRS)
    for county in counties:
        own = town_m[town_m["county"] == county].union_all().buffer(-50.0)
        shapely.prepare(own)
        need = int(demand.get(county, 0))
        factor = rng.uniform(0.35, 0.7) if county in short else rng.uniform(1.3, 2.2)
        free = max(int(need * factor), 60)
        n = int(rng.integers(2, 6))
        seats = np.flatnonzero((kind != "village") & (vil["county"].to_numpy() == county))
        seats = seats[np.argsort(-vil["population"].to_numpy()[seats], kind="stable")][:n]
        share = rng.dirichlet(np.ones(len(seats)))
        for s, w in zip(seats, share, strict=True):
            f = max(round(free * w), 20)
            cap = int(np.clip(f + rng.integers(40, 400), 100, 800))
            occ = max(cap - f, 0)
            occ = min(occ, cap - 10)
            rows.append({"capacity_households": cap, "occupied_households": occ})
            ox, oy = _offset(rng, own, x[s : s + 1], y[s : s + 1], 500.0, 2500.0)
            sx.append(ox[0])
            sy.append(oy[0])
    df = _to_frame(
        {k: [r[k] for r in rows] for k in ("capacity_households", "occupied_households")},
        np.array(sx),
        np.array(sy),
    )
    county, town, inside = _locate(df, townships)
    df["county"], df["township"] = county, town
    df = df[inside].reset_index(drop=True)
    df["site_id"] = [f"R{i + 1:03d}" for i in range(len(df))]
    df["name"] = [f"样例安置点{i + 1:03d}" for i in range(len(df))]
    df["source"] = "synthetic"
    cols = ["site_id", "name", "county", "township", "capacity_households"]
    return df[[*cols, "occupied_households", "source", "lon", "lat"]]


# --------------------------------------------------------------------------------------------
# Elderly residents and day-care (article 25): a separate random stream
# --------------------------------------------------------------------------------------------

DAYCARE_STREAM = 25  # seed offset of the day-care stream; the other layers never draw from it


def make_elderly(
    rng: np.random.Generator, vil: pd.DataFrame, zr: np.ndarray, ze: np.ndarray
) -> np.ndarray:
    """Residents aged 60 and over: about 20-35 %, higher in small, high, remote settlements.

    County seats are younger (15-20 %), township seats 19-25 %; the count is binomial, so it
    is a whole number no larger than the population.
    """
    pop = vil["population"].to_numpy()
    kind = vil["settlement"].to_numpy()
    small = np.clip((np.log(800.0) - np.log(np.maximum(pop, 1))) / np.log(8.0), 0.0, 1.0)
    remote = np.clip(0.5 * zr + 0.5 * ze, -2.0, 2.0) / 2.0
    share = 0.22 + 0.08 * small + 0.03 * remote + rng.normal(0.0, 0.025, len(vil))
    share = np.where(kind == "township_seat", rng.uniform(0.19, 0.25, len(vil)), share)
    share = np.where(kind == "county_seat", rng.uniform(0.15, 0.20, len(vil)), share)
    return rng.binomial(pop, np.clip(share, 0.12, 0.45)).astype(np.int64)


def make_daycare(
    rng: np.random.Generator,
    vil: pd.DataFrame,
    head: np.ndarray,
    fac: pd.DataFrame,
    townships: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """Day-care centres (county seat plus 1-3 township seats, village 互助幸福院), idle buildings.

    Returns the rows to append to ``fac`` (same columns plus ``idle``); ids continue the
    ``SC``/``CL`` numbering of ``fac`` and day-care centres are ``DC`` + number.
    """
    x, y = vil["x"].to_numpy(), vil["y"].to_numpy()
    kind = vil["settlement"].to_numpy()
    pop = vil["population"].to_numpy()
    names = vil["name"].to_numpy()
    town_names = vil["township"].to_numpy()
    county_names = vil["county"].to_numpy()
    seats = np.flatnonzero(kind != "village")
    picked = []
    for county in pd.unique(county_names[seats]):
        own = seats[county_names[seats] == county]
        town = own[kind[own] == "township_seat"]
        n = min(int(rng.integers(1, 4)), len(town))
        chosen = rng.choice(town, size=n, replace=False) if n else town[:0]
        picked.append(np.sort(np.concatenate([own[kind[own] == "county_seat"], chosen])))
    centre = np.concatenate(picked)
    happy = np.flatnonzero((kind == "village") & (pop >= 600) & (rng.random(len(vil)) < 0.04))
    heads = np.unique(head[kind == "village"])
    heads = heads[(kind[heads] == "village") & (pop[heads] >= 150)]
    school = np.sort(heads[rng.random(len(heads)) < 0.10])
    plain = np.flatnonzero((kind == "village") & (pop >= 80) & (pop < 700))
    clinic = np.sort(plain[rng.random(len(plain)) < 0.035])
    frames = [
        _to_frame(
            {
                "name": [f"{town_names[i]}样例日间照料中心" for i in centre],
                "kind": "daycare",
                "anchor": centre,
            },
            x[centre] + 90.0,
            y[centre] + 60.0,
        ),
        _to_frame(
            {
                "name": [f"{names[i]}样例互助幸福院" for i in happy],
                "kind": "daycare",
                "anchor": happy,
            },
            x[happy] - 40.0,
            y[happy] + 30.0,
        ),
        _to_frame(
            {
                "name": [f"{names[i]}样例闲置小学" for i in school],
                "kind": "school",
                "anchor": school,
            },
            x[school] + 40.0,
            y[school] + 70.0,
        ),
        _to_frame(
            {
                "name": [f"{names[i]}样例闲置卫生室" for i in clinic],
                "kind": "clinic",
                "anchor": clinic,
            },
            x[clinic] - 50.0,
            y[clinic] - 40.0,
        ),
    ]
    new = pd.concat(frames, ignore_index=True)
    county, town, _ = _locate(new, townships)
    new["county"], new["township"] = county, town
    anchor = new["anchor"].to_numpy()
    moved = new["township"].to_numpy() != town_names[anchor]
    new.loc[moved, "lon"] = vil["lon"].to_numpy()[anchor[moved]]
    new.loc[moved, "lat"] = vil["lat"].to_numpy()[anchor[moved]]
    new.loc[moved, "county"] = county_names[anchor[moved]]
    new.loc[moved, "township"] = town_names[anchor[moved]]
    prefix = {"daycare": "DC", "school": "SC", "clinic": "CL"}
    start = {k: 0 if k == "daycare" else int((fac["kind"] == k).sum()) for k in prefix}
    new["facility_id"] = [
        f"{prefix[k]}{start[k] + n + 1:04d}"
        for k, n in zip(new["kind"], new.groupby("kind").cumcount(), strict=True)
    ]
    new["doctors"] = np.int64(0)
    new["source"] = "synthetic"
    new["idle"] = np.where(new["kind"] == "daycare", "否", "是")
    cols = [*fac.columns, "idle"]
    return new[cols]


# --------------------------------------------------------------------------------------------
# Official divisions (final stage): real township and village-committee names and codes
# --------------------------------------------------------------------------------------------

DIVISIONS_CSV = REAL_DIR / "divisions_2023.csv"
OFFICIAL_STREAM = 2023  # seed offset of the official-divisions stream (committee sizes only)
LENT_MIN_RESIDENTS = 200  # residents; a settlement lent to a township without 村委会 has as many
LLOYD_ROUNDS = 30  # centre updates of the balanced (capacitated k-means) grouping
COMMITTEE_SIZE_SHAPE = 2.0  # Dirichlet concentration of committee sizes (larger = more even)
SHARED_EDGE_MIN_DEG = 1e-7  # degrees (about 1 cm): Voronoi cells closer than this do not touch
OLD_TOWNSHIP_NAME = r"样例镇\d{3}"  # names of the synthetic townships before this stage


def _unit_kind(codes: pd.Series) -> np.ndarray:
    """Kind of village-level units by the last three code digits (NBS rule).

    ``urban`` for 001-199 (居委会), ``committee`` for 200-399 (村委会) and ``other`` above
    (498: the 虚拟社区 of an industrial park).
    """
    tail = codes.str[9:12].astype(np.int64).to_numpy()
    return np.select([tail < 200, tail < 400], ["urban", "committee"], "other")


def _apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into whole parts proportional to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=np.float64)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    part = np.floor(exact).astype(np.int64)
    order = np.lexsort((np.arange(len(w)), -(exact - part)))
    part[order[: total - int(part.sum())]] += 1
    return part


def _farthest(cand: np.ndarray, start: np.ndarray, n: int) -> np.ndarray:
    """Greedy farthest-point choice of ``n`` rows of ``cand`` (metres), away from ``start``."""
    d = np.full(len(cand), np.inf)
    for p in start:
        d = np.minimum(d, np.hypot(*(cand - p).T))
    picks = []
    for _ in range(min(n, len(cand))):
        k = int(np.argmax(d))
        picks.append(k)
        d = np.minimum(d, np.hypot(*(cand - cand[k]).T))
    return np.array(picks, dtype=np.int64)


def _capacitated(xy: np.ndarray, centres: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Group of each point when group ``k`` takes exactly ``sizes[k]`` points.

    Minimises the summed squared distance (metres²) to the group centres: an assignment
    problem with every centre repeated ``sizes[k]`` times.
    """
    slots = np.repeat(np.arange(len(sizes)), sizes)
    diff = xy[:, None, :] - centres[slots][None, :, :]
    rows, cols = linear_sum_assignment(np.einsum("ijk,ijk->ij", diff, diff))
    label = np.empty(len(xy), dtype=np.int64)
    label[rows] = slots[cols]
    return label


def _balanced(
    xy: np.ndarray,
    sizes: np.ndarray,
    centres: np.ndarray,
    tether: np.ndarray | None = None,
) -> np.ndarray:
    """Compact groups of exactly ``sizes`` points: capacitated k-means from ``centres``.

    Parameters
    ----------
    xy : ndarray, shape (n, 2)
        Points, metres (EPSG:4546).
    sizes : ndarray of int
        Points per group; they sum to ``n``.
    centres : ndarray, shape (k, 2)
        Starting centres, metres.
    tether : ndarray, shape (k, 2), optional
        Where given, each centre moves only halfway from its tether to its group's mean, so
        the group stays around the tether (the settlement the group must hold).
    """
    origin = xy.mean(axis=0)
    pts = xy - origin
    centres = centres - origin
    label = _capacitated(pts, centres, sizes)
    move = sizes > 0
    for _ in range(LLOYD_ROUNDS):
        sums = np.zeros_like(centres)
        np.add.at(sums, label, pts)
        centres[move] = sums[move] / sizes[move, None]
        if tether is not None:
            centres = 0.5 * (centres + tether - origin)
        new = _capacitated(pts, centres, sizes)
        if np.array_equal(new, label):
            break
        label = new
    return label


def _lonlat_geoms(geoms: np.ndarray) -> np.ndarray:
    """Geometries from EPSG:4546 metres to EPSG:4326 degrees, vertex by vertex."""

    def project(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(TO_LONLAT.transform(coords[:, 0], coords[:, 1]))

    return shapely.transform(geoms, project)


def _cells(xy: np.ndarray, county_m: shapely.Geometry, county_ll: shapely.Geometry) -> np.ndarray:
    """Voronoi cell of each point (metres), in EPSG:4326 and clipped to the county polygon."""
    if len(xy) == 1:
        return np.array([county_ll], dtype=object)
    pts = np.asarray(shapely.points(xy))
    env = shapely.box(*shapely.bounds(county_m)).buffer(20_000.0)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=env))
    pi, ci = shapely.STRtree(cells).query(pts, predicate="within")
    order = np.empty(len(pts), dtype=np.int64)
    order[pi] = ci
    return shapely.intersection(_lonlat_geoms(cells[order]), county_ll)


def _adjacency(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of cells sharing an edge (``a < b``) and the shared length (degrees)."""
    a, b = shapely.STRtree(cells).query(cells, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(cells[a]), shapely.boundary(cells[b]))
    )
    keep = shared > SHARED_EDGE_MIN_DEG
    return a[keep], b[keep], shared[keep]


def _grow(
    town: np.ndarray,
    xy: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    anchors: Sequence[int],
    groups: Sequence[int],
    quotas: Sequence[int],
) -> np.ndarray:
    """Grow townships from their anchor cells over free neighbour cells, nearest first.

    A multi-source Dijkstra over the cell adjacency (edge = metres between the settlements):
    each group takes free cells (``town < 0``) next to its own until it holds its quota, so
    every group is one piece. Returns the updated ``town``.
    """
    a, b, _ = edges
    town = town.copy()
    near: dict[int, list[int]] = defaultdict(list)
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        near[i].append(j)
        near[j].append(i)
    held = dict.fromkeys(groups, 0)
    heap: list[tuple[float, int, int]] = []
    for p, g in zip(anchors, groups, strict=True):
        town[p] = g
        held[g] += 1
        heap.extend((float(np.hypot(*(xy[j] - xy[p]))), j, g) for j in near[p])
    heapq.heapify(heap)
    quota = dict(zip(groups, quotas, strict=True))
    while heap:
        d, i, g = heapq.heappop(heap)
        if town[i] >= 0 or held[g] >= quota[g]:
            continue
        town[i] = g
        held[g] += 1
        for j in near[i]:
            if town[j] < 0:
                heapq.heappush(heap, (d + float(np.hypot(*(xy[j] - xy[i]))), j, g))
    return town


def _contiguous(
    label: np.ndarray,
    anchor: np.ndarray,
    movable: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Give every detached part of a township to the neighbour it shares most border with.

    Parameters
    ----------
    label : ndarray of int
        Township of each settlement (cell).
    anchor : ndarray of int
        Per township, the settlement whose part it keeps; -1: it keeps its largest part.
    movable : ndarray of bool
        Townships that may take settlements (those with 村委会).
    edges : tuple of ndarray
        Cell adjacency from :func:`_adjacency`.
    """
    a, b, shared = edges
    label = label.copy()
    n, nt = len(label), len(movable)
    for _ in range(50):
        same = label[a] == label[b]
        graph = csr_matrix((np.ones(int(same.sum())), (a[same], b[same])), shape=(n, n))
        _, comp = connected_components(graph, directed=False)
        counts = pd.DataFrame({"t": label, "c": comp}).value_counts().reset_index(name="n")
        counts = counts.sort_values(["n", "c"], ascending=[False, True], kind="stable")
        main = counts.drop_duplicates("t").set_index("t")["c"]
        for t in np.flatnonzero(anchor >= 0):
            if label[anchor[t]] == t:
                main[int(t)] = comp[anchor[t]]
        stray = comp != main.reindex(label).to_numpy()
        moved = False
        for part in np.unique(comp[stray]):
            inside = comp == part
            out_b, out_a = inside[a] & ~inside[b], inside[b] & ~inside[a]
            other = np.concatenate([label[b[out_b]], label[a[out_a]]])
            length = np.concatenate([shared[out_b], shared[out_a]])
            ok = movable[other]
            if not ok.any():
                continue
            label[inside] = int(np.argmax(np.bincount(other[ok], length[ok], minlength=nt)))
            moved = True
        if not moved:
            break
    return label


def _committees(rng: np.random.Generator, xy: np.ndarray, seat: np.ndarray, k: int) -> np.ndarray:
    """村委会 (0 .. k-1, numbered outward from the township seat) of each settlement.

    With at least ``k`` settlements every committee gets one and the rest are shared out by
    Dirichlet weights, then the settlements are grouped compactly with those sizes; with fewer
    settlements each holds its own committee and the committees left over are spread evenly
    through the list.
    """
    n = len(xy)
    d = np.hypot(*(xy - seat).T)
    if n <= k:
        slots = np.floor(np.arange(n) * k / n).astype(np.int64)
        return slots[np.argsort(np.argsort(d, kind="stable"), kind="stable")]
    sizes = 1 + rng.multinomial(n - k, rng.dirichlet(np.full(k, COMMITTEE_SIZE_SHAPE)))
    init = xy[_farthest(xy, seat[None, :], k)]
    label = _balanced(xy, sizes, init)
    centre = np.zeros((k, 2))
    np.add.at(centre, label, xy)
    centre /= sizes[:, None]
    first = label[int(np.argmin(d))]
    order = np.lexsort((np.hypot(*(centre - seat).T), np.arange(k) != first))
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return rank[label]


def _township_sizes(free: int, need: np.ndarray, street: np.ndarray) -> np.ndarray:
    """Settlements per township with 村委会: one per committee at least, where there are enough.

    街道 get exactly what their committees need (they stay small, by the county seat); the
    other townships share the rest in proportion to their committees. Where the county has
    fewer settlements than committees, every township gets one and the rest go by committees.
    """
    need = np.maximum(need, 0)
    if free >= need.sum():
        weight = np.where(street, 0, need)
        if weight.sum() == 0:
            weight = need
        return need + _apportion(free - int(need.sum()), weight)
    base = np.minimum(need, 1)
    return base + _apportion(free - int(base.sum()), need)


def _park_host(names: Sequence[str], park: int, regular: np.ndarray) -> int:
    """Township hosting an industrial park (开发区、园区): the one it names, else the first."""
    for t in regular:
        stem = names[t][:-1] if names[t][-1] in "镇乡" else names[t].removesuffix("街道")
        if len(stem) >= 2 and stem in names[park]:
            return int(t)
    return int(regular[0])


@dataclass
class CountyLayout:
    """Official township (row of the county's township list) and village unit of settlements."""

    town: np.ndarray
    admin: np.ndarray
    seat: np.ndarray
    polygons: np.ndarray


def _county_townships(
    sub: pd.DataFrame,
    towns: pd.DataFrame,
    n_com: np.ndarray,
    n_urban: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Official township (row of ``towns``) of each settlement of one county.

    The first township holds the county seat and grows around it; 街道 lie around it; a
    township without 村委会 holds one settlement (a 街道 next to the county seat, an
    industrial park inside the township it names); the other townships are compact groups
    with the former township seats as anchors, of sizes about proportional to their 村委会.
    """
    xy = sub[["x", "y"]].to_numpy()
    kind = sub["settlement"].to_numpy()
    pop = sub["population"].to_numpy()
    n, nt = len(sub), len(towns)
    names = list(towns["name"])
    street = towns["type"].to_numpy() == "街道"
    town = np.full(n, -1, dtype=np.int64)
    anchor = np.full(nt, -1, dtype=np.int64)
    cs = np.flatnonzero(kind == "county_seat")
    seat_pt = int(cs[0]) if len(cs) else int(np.argmax(pop))
    town[seat_pt], anchor[0] = 0, seat_pt
    d_seat = np.hypot(*(xy - xy[seat_pt]).T)
    lendable = (kind == "village") & (pop >= LENT_MIN_RESIDENTS)
    bare = [t for t in range(1, nt) if n_com[t] == 0]
    parks = [t for t in bare if n_urban[t] == 0]
    for t in (t for t in bare if t not in parks):
        cand = np.flatnonzero(lendable & (town < 0))
        cand = cand if len(cand) else np.flatnonzero(town < 0)
        town[cand[np.argmin(d_seat[cand])]] = t
        anchor[t] = cand[np.argmin(d_seat[cand])]
    regular = np.flatnonzero(n_com > 0)
    need = n_com[regular] - ((regular == 0) & (n_urban[0] == 0))
    free = int((town < 0).sum()) - len(parks)
    sizes = dict(zip(regular.tolist(), _township_sizes(free, need, street[regular]), strict=True))
    hosts = {t: _park_host(names, t, regular) for t in parks}
    for h in hosts.values():
        sizes[h] += 1
    # The first township grows around the county seat, then the 街道 around both.
    if n_com[0] > 0:
        town = _grow(town, xy, edges, [seat_pt], [0], [sizes[0] + 1])
    near = [int(t) for t in regular if street[t] and t != 0]
    if near:
        pool = np.flatnonzero(town < 0)
        pool = pool[np.argsort(d_seat[pool], kind="stable")][: 3 * sum(sizes[t] for t in near)]
        taken = np.flatnonzero(town >= 0)
        pick = pool[_farthest(xy[pool], xy[taken], len(near))]
        town = _grow(town, xy, edges, pick, near, [sizes[t] for t in near])
        anchor[near] = pick
    # The other townships: compact groups, each anchored at a former township seat.
    rest = np.array([t for t in regular if t != 0 and t not in near], dtype=np.int64)
    if len(rest):
        pts = np.flatnonzero(town < 0)
        old = pts[kind[pts] == "township_seat"]
        taken = xy[town >= 0]
        pick = list(old[_farthest(xy[old], taken, len(rest))])
        if len(pick) < len(rest):
            more = _farthest(xy[pts], np.vstack([taken, xy[pick]]), len(rest) - len(pick))
            pick += list(pts[more])
        pick_arr = np.array(pick, dtype=np.int64)
        town[pick_arr], anchor[rest] = rest, pick_arr
        pts = np.flatnonzero(town < 0)
        room = np.array([max(sizes[t] - 1, 0) for t in rest], dtype=np.int64)
        room[np.argmax(room)] += len(pts) - int(room.sum())
        town[pts] = rest[_balanced(xy[pts], room, xy[pick_arr], xy[pick_arr])]
    for t, h in hosts.items():
        own = np.flatnonzero((town == h) & (np.arange(n) != anchor[h]))
        cand = own[lendable[own]] if lendable[own].any() else own
        mid = xy[town == h].mean(axis=0)
        anchor[t] = cand[np.argmin(np.hypot(*(xy[cand] - mid).T))]
        town[anchor[t]] = t
    keep = anchor.copy()
    keep[rest] = -1  # groups keep their largest part, whichever holds the former seat
    town = _contiguous(town, keep, n_com > 0, edges)
    minimum = np.maximum(n_com, 1)
    minimum[0] += int(n_com[0] > 0 and n_urban[0] > 0)  # the county seat sits in a 居委会
    fixed = np.zeros(n, dtype=bool)
    fixed[anchor[anchor >= 0]] = True
    return _rebalance(town, minimum, fixed, edges)


def _one_piece(members: np.ndarray, a: np.ndarray, b: np.ndarray, n: int) -> bool:
    """Whether cells ``members`` form one piece over the adjacency ``a``-``b``."""
    inside = np.zeros(n, dtype=bool)
    inside[members] = True
    both = inside[a] & inside[b]
    graph = csr_matrix((np.ones(int(both.sum())), (a[both], b[both])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    return len(np.unique(comp[members])) <= 1


def _rebalance(
    town: np.ndarray,
    minimum: np.ndarray,
    fixed: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Move border settlements to townships holding fewer than one per 村委会.

    A settlement moves from a township with more than its ``minimum`` to a neighbouring one
    short of it, when its own township stays in one piece; ``fixed`` settlements (seats and
    anchors) stay.
    """
    a, b, _ = edges
    town = town.copy()
    n = len(town)
    src, dst = np.concatenate([a, b]), np.concatenate([b, a])
    for _ in range(10 * len(minimum)):
        count = np.bincount(town, minlength=len(minimum))
        short, spare = count < minimum, count > minimum
        cand = np.flatnonzero(spare[town[src]] & short[town[dst]] & ~fixed[src])
        rest_of = (np.flatnonzero((town == town[src[k]]) & (np.arange(n) != src[k])) for k in cand)
        move = next((k for k, r in zip(cand, rest_of, strict=True) if _one_piece(r, a, b, n)), None)
        if move is None:
            break
        town[src[move]] = town[dst[move]]
    return town


def _county_official(
    rng: np.random.Generator,
    sub: pd.DataFrame,
    towns: pd.DataFrame,
    units: pd.DataFrame,
    county_m: shapely.Geometry,
    county_ll: shapely.Geometry,
) -> CountyLayout:
    """Official townships and village units of one county's settlements.

    Parameters
    ----------
    rng : Generator
        The official-divisions stream.
    sub : DataFrame
        The county's settlements: metric ``x``/``y`` (EPSG:4546), ``settlement``,
        ``population`` (residents).
    towns : DataFrame
        The county's townships, code order (``code``, ``name``, ``type``).
    units : DataFrame
        Its village-level units, code order (``code``, ``township_code``, ``kind``).
    county_m, county_ll : Geometry
        The county polygon in EPSG:4546 and EPSG:4326.
    """
    xy = sub[["x", "y"]].to_numpy()
    kind = sub["settlement"].to_numpy()
    pop = sub["population"].to_numpy()
    nt = len(towns)
    by_kind = {
        k: [
            units.loc[(units["township_code"] == c) & (units["kind"] == k), "code"].to_numpy()
            for c in towns["code"]
        ]
        for k in ("committee", "urban", "other")
    }
    n_com = np.array([len(c) for c in by_kind["committee"]])
    n_urban = np.array([len(c) for c in by_kind["urban"]])
    cells = _cells(xy, county_m, county_ll)
    town = _county_townships(sub, towns, n_com, n_urban, _adjacency(cells))
    seat_pt = int(np.flatnonzero(town == 0)[np.argmax(pop[town == 0])])
    cs = np.flatnonzero(kind == "county_seat")
    seat_pt = int(cs[0]) if len(cs) else seat_pt
    # Seats: the county seat, else the largest former township seat, else the largest settlement.
    seat = np.full(nt, -1, dtype=np.int64)
    admin = np.empty(len(sub), dtype=object)
    for t in range(nt):
        own = np.flatnonzero(town == t)
        if t == 0:
            seat[t] = seat_pt
        elif len(own):
            old = own[kind[own] == "township_seat"]
            cand = old if len(old) else own
            seat[t] = cand[np.argmax(pop[cand])]
        com = by_kind["committee"][t]
        if t == 0:
            first = by_kind["urban"][0] if n_urban[0] else com
            first = first if len(first) else by_kind["other"][0]
            admin[seat_pt] = first[0]
            com = com if n_urban[0] else com[1:]
            own = own[own != seat_pt]
        if len(own) == 0:
            continue
        if len(com) == 0:
            spare = by_kind["urban"][t] if n_urban[t] else by_kind["other"][t]
            admin[own] = spare[0]
            continue
        admin[own] = com[_committees(rng, xy[own], xy[seat[t]], len(com))]
    polygons = np.array([shapely.union_all(cells[town == t]) for t in range(nt)], dtype=object)
    points = np.asarray(shapely.points(sub["lon"].to_numpy(), sub["lat"].to_numpy()))
    polygons = _absorb_empty_parts(polygons, [points[town == t] for t in range(nt)])
    return CountyLayout(town, admin, seat, shapely.set_precision(polygons, 1e-6))


def _absorb_empty_parts(polygons: np.ndarray, points: Sequence[np.ndarray]) -> np.ndarray:
    """Give each township piece without a settlement to the neighbour it shares most edge with.

    Such pieces come from Voronoi cells that the county outline cuts in two (EPSG:4326).
    """
    polygons = polygons.copy()
    for t in range(len(polygons)):
        parts = shapely.get_parts(polygons[t])
        if len(parts) < 2:
            continue
        empty = np.array([not shapely.contains(q, points[t]).any() for q in parts])
        if empty.all():
            continue
        for q in parts[empty]:
            edge = shapely.length(
                shapely.intersection(shapely.boundary(q), shapely.boundary(polygons))
            )
            edge[t] = 0.0
            if edge.max() > SHARED_EDGE_MIN_DEG:
                u = int(np.argmax(edge))
                polygons[u] = shapely.union(polygons[u], q)
        polygons[t] = shapely.union_all(parts[~empty])
    return polygons


@dataclass
class Official:
    """The default layers relabelled with the official divisions (EPSG:4326)."""

    townships: gpd.GeoDataFrame
    seats: gpd.GeoDataFrame
    labels: pd.DataFrame = field(repr=False)


def official_divisions(
    rng: np.random.Generator,
    vil: pd.DataFrame,
    counties_ll: gpd.GeoDataFrame,
    old_seats: gpd.GeoDataFrame,
) -> Official:
    """Official townships and 村委会 (2023 list) for the synthetic settlements.

    Every settlement keeps its position and figures; it gets an official township and an
    official village-level unit of that township. Townships are Voronoi cells of their
    settlements merged and clipped to the real county polygon.

    Parameters
    ----------
    rng : Generator
        The official-divisions stream (``seed + OFFICIAL_STREAM``).
    vil : DataFrame
        Settlements with metric ``x``/``y`` (EPSG:4546), ``county``, ``settlement``,
        ``population``, ``lon``/``lat``.
    counties_ll : GeoDataFrame
        The real counties of the run (EPSG:4326), code order.
    old_seats : GeoDataFrame
        The synthetic township seats (their county seats are the real ones).

    Returns
    -------
    Official
        Townships (``township_id`` = 9-digit code), their seats, and per settlement
        ``township``, ``township_code``, ``admin_village``, ``admin_code``.
    """
    div = load_divisions(DIVISIONS_CSV)
    towns_all = div.townships
    units = div.villages
    units = units.assign(kind=_unit_kind(units["code"]))
    unit_name = dict(zip(units["code"], units["name"], strict=True))
    counties_m = counties_ll.to_crs(METRIC_CRS)
    county_of = vil["county"].to_numpy()
    t_code = np.empty(len(vil), dtype=object)
    a_code = np.empty(len(vil), dtype=object)
    polys, seat_rows = [], []
    for ci, county in enumerate(counties_ll["county"]):
        rows = np.flatnonzero(county_of == county)
        towns = towns_all[towns_all["county"] == county].reset_index(drop=True)
        lay = _county_official(
            rng,
            vil.iloc[rows],
            towns,
            units[units["county"] == county],
            counties_m.geometry.iloc[ci],
            counties_ll.geometry.iloc[ci],
        )
        t_code[rows] = towns["code"].to_numpy()[lay.town]
        a_code[rows] = lay.admin
        real = old_seats[old_seats["county_seat"] & (old_seats["county"] == county)].iloc[0]
        for t, row in enumerate(towns.itertuples()):
            s = rows[lay.seat[t]] if lay.seat[t] >= 0 else -1
            point = (
                real.geometry
                if t == 0
                else shapely.Point(vil["lon"].iloc[s], vil["lat"].iloc[s])
                if s >= 0
                else shapely.Point()
            )
            polys.append(
                {
                    "township_id": row.code,
                    "name": row.name,
                    "county": county,
                    "source": "synthetic",
                    "geometry": lay.polygons[t],
                }
            )
            seat_rows.append(
                {
                    "township_id": row.code,
                    "name": row.name,
                    "county": county,
                    "county_seat": t == 0,
                    "source": real.source if t == 0 else "synthetic",
                    "geometry": point,
                }
            )
    town_name = dict(zip(towns_all["code"], towns_all["name"], strict=True))
    labels = pd.DataFrame(
        {
            "township": [town_name[c] for c in t_code],
            "township_code": t_code,
            "admin_village": [unit_name[c] for c in a_code],
            "admin_code": a_code,
        },
        index=vil.index,
    )
    return Official(
        gpd.GeoDataFrame(polys, crs=STORAGE_CRS),
        gpd.GeoDataFrame(seat_rows, crs=STORAGE_CRS),
        labels,
    )


def locate_townships(df: pd.DataFrame, townships: gpd.GeoDataFrame) -> np.ndarray:
    """Official township name of points (``lon``/``lat``) in the polygon they lie in.

    A point on a shared edge takes the township listed first; a point of a county that falls
    in no township of its ``county`` (a gap of the 1e-6 degree grid) takes the nearest one.
    """
    pts = np.asarray(shapely.points(df["lon"].to_numpy(), df["lat"].to_numpy()))
    geoms = townships.geometry.to_numpy()
    pi, ti = shapely.STRtree(geoms).query(pts, predicate="intersects")
    first = pd.Series(ti).groupby(pi).min()
    idx = np.full(len(df), -1)
    idx[first.index.to_numpy()] = first.to_numpy()
    t_county = townships["county"].to_numpy()
    county = df["county"].to_numpy()
    bad = np.flatnonzero((idx < 0) | (t_county[idx] != county))
    for i in bad:
        own = np.flatnonzero(t_county == county[i])
        idx[i] = own[int(np.argmin(shapely.distance(geoms[own], pts[i])))]
    return townships["name"].to_numpy()[idx]


def rename_after_township(
    fac: pd.DataFrame, seats: gpd.GeoDataFrame, stem: str, branch: str
) -> pd.Series:
    """Names of facilities named after a synthetic township, after their official township.

    Rows whose name is ``<样例镇NNN><stem>`` become ``<township><stem>``; where a township
    has more than one, the one nearest its seat keeps that name and the others are
    ``<township><stem>第一<branch>``, ``第二<branch>`` ... (e.g. 卫生院第一分院).
    """
    names = fac["name"].copy()
    hit = fac["name"].str.fullmatch(OLD_TOWNSHIP_NAME + stem)
    if not hit.any():
        return names
    seat_xy = seats.set_index(["county", "name"]).geometry
    rows = fac[hit]
    seat = seat_xy.reindex(pd.MultiIndex.from_arrays([rows["county"], rows["township"]]))
    dist = np.hypot(
        rows["lon"].to_numpy() - shapely.get_x(seat.to_numpy()),
        rows["lat"].to_numpy() - shapely.get_y(seat.to_numpy()),
    )
    rank = (
        pd.Series(dist, index=rows.index)
        .groupby([rows["county"], rows["township"]])
        .rank(method="first")
        .astype(np.int64)
    )
    ordinal = np.array(list(" 一二三四五六七八九十"), dtype=object)
    suffix = [stem if r == 1 else f"{stem}第{ordinal[min(r - 1, 10)]}{branch}" for r in rank]
    names[hit] = rows["township"] + np.array(suffix, dtype=object)
    return names


def official_summary(
    vil: pd.DataFrame, fac: pd.DataFrame, townships: gpd.GeoDataFrame
) -> dict[str, int | float | str]:
    """Count what the official-divisions stage made: townships, 村委会, small ones, 卫生院.

    Returns
    -------
    dict
        Scalars, and ``per_county`` (a text table: official and generated counts).
    """
    div = load_divisions(DIVISIONS_CSV)
    units = div.villages
    units = units[units["county"].isin(townships["county"])]
    com = units[_unit_kind(units["code"]) == "committee"]
    in_com = vil[vil["admin_code"].isin(com["code"])]
    per_com = in_com.groupby("admin_code").agg(
        settlements=("village_id", "size"), residents=("population", "sum")
    )
    held = townships["township_id"].isin(vil["township_code"])
    towns = div.townships[div.townships["code"].isin(townships["township_id"])]
    table = pd.DataFrame(
        {
            "townships": towns.groupby("county").size(),
            "townships_generated": townships[held].groupby("county").size(),
            "committees": com.groupby("county").size(),
            "committees_with_settlements": com[com["code"].isin(per_com.index)]
            .groupby("county")
            .size(),
            "settlements": vil.groupby("county").size(),
        }
    ).fillna(0)
    table = table.astype(np.int64).reindex(townships["county"].unique())
    hc = fac[fac["kind"] == "health_centre"]
    hc_per = hc.groupby(["county", "township"]).size()
    hc_per = hc_per.reindex(
        pd.MultiIndex.from_arrays([townships["county"], townships["name"]]), fill_value=0
    )
    small = per_com["residents"] < SMALL_VILLAGE
    return {
        "official_townships": len(towns),
        "townships_with_settlements": int(held.sum()),
        "township_multipart": int((townships.geom_type == "MultiPolygon").sum()),
        "official_committees": len(com),
        "committees_with_settlements": len(per_com),
        "settlements_in_committees": len(in_com),
        "settlements_in_other_units": len(vil) - len(in_com),
        "settlements_per_committee_min": int(per_com["settlements"].min()),
        "settlements_per_committee_median": float(per_com["settlements"].median()),
        "settlements_per_committee_mean": round(float(per_com["settlements"].mean()), 2),
        "settlements_per_committee_max": int(per_com["settlements"].max()),
        "committees_under_200": int(small.sum()),
        "committees_under_200_residents": int(per_com.loc[small, "residents"].sum()),
        "townships_without_health_centre": int((hc_per == 0).sum()),
        "townships_with_two_health_centres": int((hc_per == 2).sum()),
        "townships_with_more_health_centres": int((hc_per > 2).sum()),
        "per_county": "\n" + table.to_string(),
    }


# --------------------------------------------------------------------------------------------
# Completing the official layout: a settlement for every 村委会, one 卫生院 per township, the
# seat names, chronic patients. Each draws from its own stream, so nothing drawn before changes.
# --------------------------------------------------------------------------------------------

COMMITTEE_STREAM = 13  # seed offset of the settlements added for empty 村委会 (issue 13)
HEALTH_CENTRE_STREAM = 8  # seed offset of the doctors of the added health centres (article 8)
CHRONIC_STREAM = 7  # seed offset of ``chronic_poor`` (article 7's monthly visits)
INSIDE_MARGIN_DEG = 2e-4  # degrees (about 20 m): an added settlement lies this far inside
HEALTH_CENTRE_TYPES = ("镇", "乡", "街道")  # township types with a 卫生院 (not industrial parks)
CHRONIC_SHARE = (0.25, 0.35)  # share of the registered poor with a chronic disease, low-high
CHRONIC_SHARE_MID = 0.30  # share at 25 % residents aged 60+
CHRONIC_PER_ELDERLY = 0.5  # rise of the share per unit of the settlement's 60+ share
ORDINALS = np.array(list(" 一二三四五六七八九十"), dtype=object)


@dataclass
class SettlementModel:
    """How the drawn settlements' figures were made, so that more can be drawn like them.

    Attributes
    ----------
    pop_scale : float
        Factor of the villages' lognormal residents (``make_villages``).
    rel_mean, rel_std, elev_mean, elev_std : float
        Mean and standard deviation (metres) of the height above the 3 km mean and of the
        elevation of the drawn settlements (the remoteness scores are standardised with them).
    unsafe_min : float
        Lowest unsafe-water score that was marked ``water_safe = False``.
    relocate_min : float
        Lowest remoteness score that was marked ``relocate = True``.
    """

    pop_scale: float
    rel_mean: float
    rel_std: float
    elev_mean: float
    elev_std: float
    unsafe_min: float
    relocate_min: float


def _empty_committees(vil: pd.DataFrame, counties: Sequence[str]) -> pd.DataFrame:
    """Official 村委会 of ``counties`` that hold no settlement, in code order."""
    units = load_divisions(DIVISIONS_CSV).villages
    com = units[(_unit_kind(units["code"]) == "committee") & units["county"].isin(counties)]
    empty = com[~com["code"].isin(vil["admin_code"])]
    return empty.sort_values("code").reset_index(drop=True)


def _pick_nodes(
    rng: np.random.Generator,
    node_xy: np.ndarray,
    cand: np.ndarray,
    weight: np.ndarray,
    taken: list[np.ndarray],
    n: int,
) -> list[int]:
    """``n`` of the candidate road nodes, drawn by settlement weight, 300 m from each other.

    A weighted random order (key ``u ** (1 / weight)``) taken greedily, skipping nodes closer
    than ``VILLAGE_SPACING_M`` to a node already chosen (``taken``: metres, EPSG:4546).
    """
    key = rng.random(len(cand)) ** (1.0 / np.maximum(weight[cand], 1e-12))
    picks: list[int] = []
    for k in cand[np.argsort(-key, kind="stable")]:
        if len(picks) == n:
            break
        if taken and np.hypot(*(np.array(taken) - node_xy[k]).T).min() < VILLAGE_SPACING_M:
            continue
        picks.append(int(k))
        taken.append(node_xy[k])
    return picks


def committee_settlements(
    rng: np.random.Generator,
    vil: pd.DataFrame,
    townships: gpd.GeoDataFrame,
    seats: gpd.GeoDataFrame,
    roads: tuple[np.ndarray, np.ndarray],
    grid: Grid,
    dem: Dem,
    model: SettlementModel,
) -> pd.DataFrame:
    """Draw a settlement for each official 村委会 that holds none, at a free road node.

    Each stands at a node of the road network (so the roads stay as they are) inside the
    committee's township polygon, at least 20 m from its edge and 300 m from every other
    settlement, drawn with the valley-preferring settlement weight; within a township the
    committees, in code order, take the new settlements nearest the seat first. Residents,
    households, flags, registered poor and residents aged 60+ are drawn as for the others.

    Parameters
    ----------
    rng : Generator
        The stream of this stage (``seed + COMMITTEE_STREAM``).
    vil : DataFrame
        The settlements after the official stage (metric ``x``/``y``, ``admin_code``,
        ``village_id``).
    townships, seats : GeoDataFrame
        Official townships and their seats (EPSG:4326).
    roads : tuple of ndarray
        Road nodes (metres, EPSG:4546, shape (m, 2)) and a flag per node: a settlement.
    grid, dem : Grid, Dem
        Terrain (settlement weight, height above the 3 km mean; elevation, metres).
    model : SettlementModel
        How the other settlements' figures were drawn.

    Returns
    -------
    DataFrame
        The new rows (columns of ``vil`` that the villages layer writes), ids after the last.
    """
    empty = _empty_committees(vil, list(townships["county"].unique()))
    node_xy, at_settlement = roads
    if empty.empty:
        return vil.iloc[:0]
    lon, lat = (np.round(v, 6) for v in TO_LONLAT.transform(node_xy[:, 0], node_xy[:, 1]))
    pts = np.asarray(shapely.points(lon, lat))
    row_of = {c: i for i, c in enumerate(townships["township_id"])}
    wanted = np.isin(np.arange(len(townships)), [row_of[c] for c in empty["township_code"]])
    geoms = np.where(wanted, townships.geometry.to_numpy(), None)  # only where needed
    pi, ti = shapely.STRtree(geoms).query(pts, predicate="within")
    town_of = np.full(len(pts), -1)
    town_of[pi] = ti
    inner = np.zeros(len(pts), dtype=bool)
    inner[pi] = shapely.distance(pts[pi], shapely.boundary(geoms[ti])) > INSIDE_MARGIN_DEG
    gap, _ = cKDTree(vil[["x", "y"]].to_numpy()).query(node_xy)
    weight = grid.weight.ravel()[grid.cell_of(node_xy[:, 0], node_xy[:, 1])]
    seat_of = dict(zip(seats["township_id"], seats.geometry, strict=True))
    taken: list[np.ndarray] = []
    chosen = np.full(len(empty), -1, dtype=np.int64)
    for code, rows in empty.groupby("township_code", sort=True).indices.items():
        own = (town_of == row_of[code]) & inner & ~at_settlement
        picks = _pick_nodes(
            rng, node_xy, np.flatnonzero(own & (gap >= VILLAGE_SPACING_M)), weight, taken, len(rows)
        )
        if len(picks) < len(rows):  # too few free nodes: the farthest from the settlements
            rest = np.flatnonzero(own & (gap > 1.0) & ~np.isin(np.arange(len(pts)), picks))
            more = rest[np.argsort(-gap[rest], kind="stable")][: len(rows) - len(picks)]
            picks += more.tolist()
            taken.extend(node_xy[more])
        sx, sy = TO_METRIC.transform(seat_of[code].x, seat_of[code].y)
        picks_arr = np.array(picks, dtype=np.int64)
        near = picks_arr[np.argsort(np.hypot(*(node_xy[picks_arr] - (sx, sy)).T), kind="stable")]
        chosen[np.asarray(rows)[: len(near)]] = near
    empty, chosen = empty[chosen >= 0].reset_index(drop=True), chosen[chosen >= 0]
    n = len(chosen)
    x, y = node_xy[chosen, 0], node_xy[chosen, 1]
    new = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "lon": lon[chosen],
            "lat": lat[chosen],
            "county": empty["county"].to_numpy(),
            "township": empty["township"].to_numpy(),
            "township_code": empty["township_code"].to_numpy(),
            "admin_village": empty["name"].to_numpy(),
            "admin_code": empty["code"].to_numpy(),
            "settlement": "village",
        }
    )
    rel = ndimage.map_coordinates(
        grid.rel,
        [(grid.ymax - y) / FINE_M - 0.5, (x - grid.xmin) / FINE_M - 0.5],
        order=1,
        mode="nearest",
    )
    pop = rng.lognormal(np.log(250.0), 0.75, n) * np.exp(-np.clip(rel, -150, 300) / 600.0)
    pop = np.maximum(np.round(pop * model.pop_scale), 8).astype(np.int64)
    new["population"] = pop
    new["households"] = np.maximum(np.round(pop / rng.uniform(2.5, 3.2, n)), 1).astype(np.int64)
    new["elevation_m"] = np.round(dem.sample(new["lon"].to_numpy(), new["lat"].to_numpy()), 1)
    zr = (rel - model.rel_mean) / model.rel_std
    ze = (new["elevation_m"].to_numpy() - model.elev_mean) / model.elev_std
    unsafe = 0.7 * zr + 0.5 * ze + rng.normal(0.0, 1.0, n) >= model.unsafe_min
    road_d = cKDTree(node_xy).query(np.column_stack([x, y]), k=2)[0][:, 1]
    remote = np.log1p(road_d) + 0.5 * zr + 0.5 * ze + rng.normal(0.0, 0.3, n)
    relocate = (pop < TINY_VILLAGE) & (remote >= model.relocate_min)
    new["water_safe"], new["relocate"] = ~unsafe, relocate
    share = np.where(
        np.isin(new["county"].to_numpy(), DEEPLY_POOR),
        rng.beta(4.0, 12.0, n),
        rng.beta(2.0, 18.0, n),
    )
    share = np.where(relocate | unsafe, np.minimum(share * 1.8, 0.9), share)
    new["registered_poor"] = np.round(pop * share).astype(np.int64)
    new["source"] = "synthetic"
    new["elderly"] = make_elderly(rng, new, zr, ze)
    last = int(vil["village_id"].str[1:].astype(np.int64).max())
    number = last + 1 + np.arange(n)
    new["village_id"] = [f"V{i:05d}" for i in number]
    new["name"] = [f"样例村{i:04d}" for i in number]
    return new


def rename_seats(vil: pd.DataFrame, seats: gpd.GeoDataFrame) -> pd.Series:
    """Names of the former working-township seats after their official township.

    A settlement named ``样例镇NNN`` becomes ``样例<township>驻地`` when it is its township's
    seat (the nearest to the seat point) and ``样例<township>原驻地一``, ``原驻地二`` ... (in
    order of distance from the seat) when it is a former seat inside another one's township.
    """
    names = vil["name"].copy()
    hit = vil["name"].str.fullmatch(OLD_TOWNSHIP_NAME)
    if not hit.any():
        return names
    rows = vil[hit]
    seat = seats.set_index(["county", "name"]).geometry
    seat = seat.reindex(pd.MultiIndex.from_arrays([rows["county"], rows["township"]]))
    sx, sy = TO_METRIC.transform(shapely.get_x(seat.to_numpy()), shapely.get_y(seat.to_numpy()))
    dist = np.hypot(rows["x"].to_numpy() - sx, rows["y"].to_numpy() - sy)
    rank = (
        pd.Series(dist, index=rows.index)
        .groupby([rows["county"], rows["township"]])
        .rank(method="first")
        .astype(np.int64)
        .to_numpy()
    )
    suffix = np.where(rank == 1, "驻地", "原驻地" + ORDINALS[np.minimum(rank - 1, 10)])
    names[hit] = "样例" + rows["township"] + suffix
    return names


def rename_after_settlements(fac: pd.DataFrame, old: pd.Series, new: pd.Series) -> pd.Series:
    """Facility names that begin with a renamed settlement's name (its school, its workshop)."""
    mapping = dict(zip(old[old != new], new[old != new], strict=True))
    head = fac["name"].str.extract(rf"^({OLD_TOWNSHIP_NAME})(样例.+)$")
    hit = head[0].isin(mapping.keys()).to_numpy()
    names = fac["name"].copy()
    names[hit] = head.loc[hit, 0].map(mapping) + head.loc[hit, 1]
    return names


def add_health_centres(
    rng: np.random.Generator,
    fac: pd.DataFrame,
    seats: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """Add a 卫生院 at the seat of every 乡、镇 and 街道 that has none (rows appended to ``fac``).

    The new centre stands 120 m west and 80 m north of the seat (as the others), or at the
    seat itself where that point falls outside the township polygon; its doctors are drawn like the
    others' (``DOCTOR_COUNTS``); ids continue the ``HC`` numbering. Industrial parks
    (开发区、园区, type 其他) get none.
    """
    types = load_divisions(DIVISIONS_CSV).townships.set_index("code")["type"]
    hc = fac[fac["kind"] == "health_centre"]
    has = pd.MultiIndex.from_arrays([hc["county"], hc["township"]])
    own = pd.MultiIndex.from_arrays([seats["county"], seats["name"]])
    lack = seats[
        ~own.isin(has) & types.reindex(seats["township_id"]).isin(HEALTH_CENTRE_TYPES).to_numpy()
    ]
    if lack.empty:
        return fac
    sx, sy = TO_METRIC.transform(lack.geometry.x.to_numpy(), lack.geometry.y.to_numpy())
    new = _to_frame(
        {
            "name": (lack["name"] + "卫生院").to_numpy(),
            "kind": "health_centre",
            "county": lack["county"].to_numpy(),
            "township": lack["name"].to_numpy(),
        },
        sx + HEALTH_CENTRE_OFFSET_M[0],
        sy + HEALTH_CENTRE_OFFSET_M[1],
    )
    own_poly = townships.set_index("township_id").geometry.reindex(lack["township_id"])
    off = ~shapely.contains_xy(own_poly.to_numpy(), new["lon"].to_numpy(), new["lat"].to_numpy())
    new.loc[off, "lon"] = np.round(lack.geometry.x.to_numpy()[off], 6)
    new.loc[off, "lat"] = np.round(lack.geometry.y.to_numpy()[off], 6)
    new["doctors"] = rng.choice(DOCTOR_COUNTS, len(new), p=DOCTOR_SHARES).astype(np.int64)
    last = int(hc["facility_id"].str[2:].astype(np.int64).max()) if len(hc) else 0
    new["facility_id"] = [f"HC{last + 1 + i:04d}" for i in range(len(new))]
    new["source"] = "synthetic"
    new["idle"] = "否"
    return pd.concat([fac, new[fac.columns]], ignore_index=True)


def make_chronic_poor(rng: np.random.Generator, vil: pd.DataFrame) -> np.ndarray:
    """Chronic patients among the registered poor (慢性病贫困人口), for article 7's visits.

    Binomial from ``registered_poor`` with a share of 25-35 %: 30 % where a quarter of the
    residents are 60 or over, half a point more per point of 60+ share, plus a little noise.
    The noise and the counts come from two child streams, each drawn row by row, so a
    settlement's count does not depend on the rows after it (appended settlements).

    Returns
    -------
    ndarray of int
        Residents, never more than ``registered_poor``.
    """
    noise, draw = rng.spawn(2)
    old = vil["elderly"].to_numpy() / np.maximum(vil["population"].to_numpy(), 1)
    share = CHRONIC_SHARE_MID + CHRONIC_PER_ELDERLY * (old - 0.25)
    share = np.clip(share + noise.normal(0.0, 0.01, len(vil)), *CHRONIC_SHARE)
    return draw.binomial(vil["registered_poor"].to_numpy(), share).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def _hash_seed(seed: int, counties: Sequence[str]) -> np.random.Generator:
    """Random generator from the seed and the chosen counties (stable across runs)."""
    digest = hashlib.sha256(("|".join(counties)).encode("utf-8")).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:4], "little")])


def generate(
    out: Path,
    seed: int = 41,
    counties: Sequence[str] | None = None,
    *,
    official: bool = True,
) -> dict[str, int | float | str]:
    """Write every default layer into ``out``.

    Parameters
    ----------
    out : Path
        Output folder (created).
    seed : int
        Seed of ``numpy.random.default_rng``.
    counties : sequence of str, optional
        Chinese county names to generate; all 13 by default. Population targets scale with
        the county share of the settlement weight.
    official : bool
        Run the final stage "official divisions" (real townships and 村委会 of the 2023
        list) and the steps completing it (settlements for empty 村委会, one 卫生院 per
        township, seat names); ``False`` keeps the synthetic 样例镇 townships and 样例村
        groups. ``chronic_poor`` is added either way.

    Returns
    -------
    dict
        Summary counts (and, with ``official``, the stage's counts).
    """
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    all_counties = gpd.read_file(REAL_DIR / "counties.geojson")
    chosen = list(all_counties["county"]) if not counties else list(counties)
    unknown = set(chosen) - set(all_counties["county"])
    if unknown:
        msg = f"unknown counties: {sorted(unknown)}"
        raise SystemExit(msg)
    counties_ll = all_counties[all_counties["county"].isin(chosen)].reset_index(drop=True)
    full = len(counties_ll) == len(all_counties)
    rng = np.random.default_rng(seed) if full else _hash_seed(seed, chosen)
    # article 25 layers: own stream, so every other layer stays byte-identical
    rng25 = (
        np.random.default_rng(seed + DAYCARE_STREAM)
        if full
        else _hash_seed(seed + DAYCARE_STREAM, chosen)
    )

    def stream(offset: int) -> np.random.Generator:
        # A later stage's own stream, so that every layer drawn before stays byte-identical.
        return np.random.default_rng(seed + offset) if full else _hash_seed(seed + offset, chosen)

    rivers = gpd.read_file(REAL_DIR / "rivers.geojson")
    seat_gdf = gpd.read_file(REAL_DIR / "county_seats.geojson")
    seats = {r.county: (r.geometry.x, r.geometry.y, "geonames") for r in seat_gdf.itertuples()}
    for name, (lon, lat) in APPROXIMATE_SEATS.items():
        seats.setdefault(name, (lon, lat, "approximate"))
    w, s, e, n = counties_ll.total_bounds
    bounds = (
        np.floor(w * 100) / 100 - 0.02,
        np.floor(s * 100) / 100 - 0.02,
        np.ceil(e * 100) / 100 + 0.02,
        np.ceil(n * 100) / 100 + 0.02,
    )
    dem = make_dem(rng, bounds, rivers)
    counties_m = counties_ll.to_crs(METRIC_CRS)
    grid = make_grid(dem, counties_m)
    county_index = {c: i for i, c in enumerate(counties_ll["county"])}
    townships, tseats = make_townships(rng, grid, counties_ll, seats, county_index)
    area_share = counties_m.area.sum() / all_counties.to_crs(METRIC_CRS).area.sum()
    n_target = round(N_VILLAGES * area_share)
    # County seats as listed; the other residents spread by area.
    rural = CITY_RESIDENTS - sum(SEAT_RESIDENTS.values())
    residents = sum(SEAT_RESIDENTS[c] for c in chosen) + round(rural * area_share)
    vil = make_villages(rng, grid, dem, townships, tseats, n_target, residents)
    # Stable ids and names: order by township then west to east.
    order = np.lexsort((vil["lon"].to_numpy(), vil["town_idx"].to_numpy()))
    order = np.concatenate([np.arange(len(tseats)), order[order >= len(tseats)]])
    vil = vil.iloc[order].reset_index(drop=True)
    vil["village_id"] = [f"V{i + 1:05d}" for i in range(len(vil))]
    vnames = [f"样例村{i + 1:04d}" for i in range(len(vil))]
    is_seat = vil["settlement"].to_numpy() != "village"
    vil["name"] = np.where(is_seat, vil["township"].to_numpy(), np.array(vnames, dtype=object))
    head = admin_groups(rng, vil)
    vil["admin_village"] = vil["name"].to_numpy()[head]
    pop = vil["population"].to_numpy()
    vil["households"] = np.maximum(np.round(pop / rng.uniform(2.5, 3.2, len(vil))), 1).astype(
        np.int64
    )
    t1 = time.perf_counter()
    net, roadless = build_roads(rng, grid, vil, townships)
    dem = carve_roads(dem, net)
    write_dem(dem, out / "dem_100m.tif")
    vil["elevation_m"] = np.round(dem.sample(vil["lon"].to_numpy(), vil["lat"].to_numpy()), 1)
    t2 = time.perf_counter()
    # Remoteness: distance to the nearest road vertex (m) and height above the valley floor.
    keys = sorted({k for e in net.edges for k in e})
    ktree = cKDTree(np.array([net.pos[k] for k in keys]))
    xy = vil[["x", "y"]].to_numpy()
    road_d = np.array(
        [
            ktree.query(p, k=2)[0][1] if not r else ktree.query(p)[0]
            for p, r in zip(xy, roadless, strict=True)
        ]
    )
    vil["road_d"] = road_d
    rel = vil["rel_m"].to_numpy()
    elev = vil["elevation_m"].to_numpy()
    zr = (rel - rel.mean()) / rel.std()
    ze = (elev - elev.mean()) / elev.std()
    unsafe_score = 0.7 * zr + 0.5 * ze + rng.normal(0.0, 1.0, len(vil))
    unsafe_score[is_seat] = -np.inf
    n_unsafe = round(UNSAFE_WATER_SHARE * len(vil))
    unsafe = np.zeros(len(vil), dtype=bool)
    unsafe[np.argsort(-unsafe_score, kind="stable")[:n_unsafe]] = True
    vil["water_safe"] = ~unsafe
    remote = (
        np.log1p(road_d) + 0.5 * zr + 0.5 * ze + 2.0 * roadless + rng.normal(0.0, 0.3, len(vil))
    )
    remote[(pop >= TINY_VILLAGE) | is_seat] = -np.inf
    n_rel = min(round(RELOCATE_SHARE * len(vil)), int(np.isfinite(remote).sum()))
    relocate = np.zeros(len(vil), dtype=bool)
    relocate[np.argsort(-remote, kind="stable")[:n_rel]] = True
    vil["relocate"] = relocate
    share = np.where(
        np.isin(vil["county"].to_numpy(), DEEPLY_POOR),
        rng.beta(4.0, 12.0, len(vil)),
        rng.beta(2.0, 18.0, len(vil)),
    )
    share = np.where(is_seat, share * 0.25, share)
    share = np.where(relocate | unsafe, np.minimum(share * 1.8, 0.9), share)
    vil["registered_poor"] = np.round(pop * share).astype(np.int64)
    vil["source"] = "synthetic"
    stats = write_osm(net, out / "roads.osm.bz2")
    vcols = [
        "village_id",
        "name",
        "county",
        "township",
        "population",
        "households",
        "registered_poor",
        "water_safe",
        "relocate",
        "admin_village",
        "settlement",
        "elevation_m",
        "source",
        "lon",
        "lat",
        "elderly",
    ]
    vil["elderly"] = make_elderly(rng25, vil, zr, ze)
    area = townships.to_crs(METRIC_CRS).union_all().buffer(-50.0)
    shapely.prepare(area)
    county_areas = {}
    for name, part in townships.to_crs(METRIC_CRS).groupby("county"):
        county_areas[name] = part.union_all().buffer(-50.0)
        shapely.prepare(county_areas[name])
    fac = make_facilities(rng, vil, head, townships, area, county_areas)
    extra = make_daycare(rng25, vil, head, fac, townships)
    fac = pd.concat([fac.assign(idle="否"), extra], ignore_index=True)
    rivers_m = rivers.clip(counties_ll.union_all()).to_crs(METRIC_CRS)
    rivers_m = rivers_m[~rivers_m.is_empty & rivers_m.geom_type.isin(["LineString"])]
    water = make_water_sources(rng, grid, dem, vil, townships, rivers_m, area)
    sites = make_relocation_sites(rng, vil, townships)
    t3 = time.perf_counter()
    seat_cols = ["township_id", "name", "county", "county_seat", "source", "geometry"]
    tseats = tseats[seat_cols]
    found: dict[str, int | float | str] = {}
    if official:
        # Final stage: real names and codes; every position and figure stays as drawn.
        done = official_divisions(stream(OFFICIAL_STREAM), vil, counties_ll, tseats)
        townships, tseats = done.townships, done.seats[seat_cols]
        vil = vil.drop(columns=["township", "admin_village"]).join(done.labels)
        at = vcols.index("township") + 1
        vcols[at:at] = ["township_code"]
        at = vcols.index("admin_village") + 1
        vcols[at:at] = ["admin_code"]
        for layer in (fac, water, sites):
            layer["township"] = locate_townships(layer, townships)
        fac["name"] = rename_after_township(fac, tseats, "卫生院", "分院")
        fac["name"] = rename_after_township(fac, tseats, "样例日间照料中心", "分中心")
        # Every 村委会 holds a settlement: new ones at free road nodes, appended.
        model = SettlementModel(
            pop_scale=float(vil["pop_scale"].iloc[0]),
            rel_mean=float(rel.mean()),
            rel_std=float(rel.std()),
            elev_mean=float(elev.mean()),
            elev_std=float(elev.std()),
            unsafe_min=float(unsafe_score[unsafe].min()),
            relocate_min=float(remote[relocate].min()) if relocate.any() else np.inf,
        )
        node_xy = ktree.data
        at_settlement = np.array([k[0] == "v" for k in keys])
        added = committee_settlements(
            stream(COMMITTEE_STREAM),
            vil,
            townships,
            tseats,
            (node_xy, at_settlement),
            grid,
            dem,
            model,
        )
        if len(added):
            vil = pd.concat([vil, added], ignore_index=True)
        renamed = rename_seats(vil, tseats)
        fac["name"] = rename_after_settlements(fac, vil["name"], renamed)
        vil["name"] = renamed
        n_fac = len(fac)
        fac = add_health_centres(stream(HEALTH_CENTRE_STREAM), fac, tseats, townships)
        found = {
            "settlements_added": len(added),
            "health_centres_added": len(fac) - n_fac,
            **official_summary(vil, fac, townships),
        }
    vil["chronic_poor"] = make_chronic_poor(stream(CHRONIC_STREAM), vil)
    vcols.append("chronic_poor")
    townships.to_file(out / "townships.geojson", driver="GeoJSON", COORDINATE_PRECISION=6)
    tseats.to_file(out / "township_seats.geojson", driver="GeoJSON", COORDINATE_PRECISION=6)
    _write_csv(vil[vcols], out / "villages.csv")
    _write_csv(fac, out / "facilities.csv")
    _write_csv(water, out / "water_sources.csv")
    _write_csv(sites, out / "relocation_sites.csv")
    t4 = time.perf_counter()
    return {
        "townships": len(townships),
        "villages": len(vil),
        "residents": int(vil["population"].sum()),
        "small_share_pct": round(100 * float((vil["population"] < SMALL_VILLAGE).mean()), 1),
        "roadless": int(roadless.sum()),
        "relocate": int(relocate.sum()),
        "unsafe": int(unsafe.sum()),
        "facilities": len(fac),
        "elderly": int(vil["elderly"].sum()),
        "registered_poor": int(vil["registered_poor"].sum()),
        "chronic_poor": int(vil["chronic_poor"].sum()),
        "daycare_centres": int((fac["kind"] == "daycare").sum()),
        "idle_buildings": int((fac["idle"] == "是").sum()),
        "water_sources": len(water),
        "relocation_sites": len(sites),
        **stats,
        "t_setup_s": round(t1 - t0, 1),
        "t_roads_s": round(t2 - t1, 1),
        "t_rest_s": round(t3 - t2, 1),
        "t_official_s": round(t4 - t3, 1),
        "t_total_s": round(t4 - t0, 1),
        **found,
    }


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with Unix line ends."""
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "default", help="output folder")
    parser.add_argument("--seed", type=int, default=41, help="random seed (default 41)")
    parser.add_argument(
        "--counties", default="", help="comma-separated Chinese county names (default: all 13)"
    )
    parser.add_argument(
        "--synthetic-divisions",
        action="store_true",
        help="skip the official-divisions stage (synthetic 样例镇 townships, as before 2023 names)",
    )
    args = parser.parse_args(argv)
    chosen = [c.strip() for c in args.counties.split(",") if c.strip()] or None
    summary = generate(args.out, args.seed, chosen, official=not args.synthetic_divisions)
    for key, value in summary.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
