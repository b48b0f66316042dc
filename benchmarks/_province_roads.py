"""Synthetic province roads (a jittered grid with gaps, .osm.pbf) and a synthetic DEM (GeoTIFF)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import shapely
from _province_data import _TO_LONLAT, EXTENT, ROAD_BUFFER_M, outline_metric

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _hash01(key: np.ndarray, salt: int) -> np.ndarray:
    """Uniform [0, 1) numbers from integer keys (splitmix64), so any cut-out draws the same."""
    with np.errstate(over="ignore"):
        z = key.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(salt)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(2**53)


@dataclass
class Grid:
    """The province road grid in the working plane: origin and spacing (metres)."""

    x0: float
    y0: float
    spacing: float
    nx: int
    ny: int

    @classmethod
    def province(cls, spacing: float) -> Grid:
        """The grid over the buffered outline (node ids are global, so cut-outs agree)."""
        x0, y0, x1, y1 = outline_metric().buffer(ROAD_BUFFER_M).bounds
        return cls(x0, y0, spacing, int((x1 - x0) // spacing) + 2, int((y1 - y0) // spacing) + 2)

    def node_xy(self, ix: np.ndarray, iy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions (metres) of grid nodes, jittered by up to a quarter spacing."""
        nid = iy.astype(np.int64) * self.nx + ix
        jx = (_hash01(nid, 1) - 0.5) * 0.5 * self.spacing
        jy = (_hash01(nid, 2) - 0.5) * 0.5 * self.spacing
        return self.x0 + ix * self.spacing + jx, self.y0 + iy * self.spacing + jy

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Move points (metres) onto their grid node, with an offset of up to 30 m."""
        ix = np.clip(np.rint((x - self.x0) / self.spacing), 0, self.nx - 1).astype(np.int64)
        iy = np.clip(np.rint((y - self.y0) / self.spacing), 0, self.ny - 1).astype(np.int64)
        nx_, ny_ = self.node_xy(ix, iy)
        nid = iy * self.nx + ix
        return nx_ + (_hash01(nid, 3) - 0.5) * 60.0, ny_ + (_hash01(nid, 4) - 0.5) * 60.0


def _runs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end positions of runs of consecutive ``b`` within equal ``a`` (sorted input)."""
    brk = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1] + 1)]
    start = np.flatnonzero(brk)
    end = np.r_[start[1:], len(a)]
    return start, end


def _road_class(index: np.ndarray) -> np.ndarray:
    """Highway class of a grid line: primary every 100th (about 31 km apart), secondary every
    25th, tertiary every 8th, else a track every third line and unclassified roads."""
    cls = np.where(index % 3 == 1, "track", "unclassified").astype(object)
    cls[index % 8 == 0] = "tertiary"
    cls[index % 25 == 0] = "secondary"
    cls[index % 100 == 0] = "primary"
    return cls


def write_roads(path: Path, grid: Grid, box: tuple[float, float, float, float]) -> dict[str, int]:
    """Write the grid roads inside ``box`` (metres) and the buffered outline as ``.osm.pbf``.

    Rows and columns of the grid are roads; about 10 % of the minor segments are missing
    (chosen by a hash of the segment, so every cut-out of the province draws the same), so
    ways end and blocks merge. Node ids are global grid ids.

    Returns
    -------
    dict
        ``nodes`` and ``ways`` written.
    """
    s = grid.spacing
    ix0 = max(0, int((box[0] - grid.x0) // s))
    iy0 = max(0, int((box[1] - grid.y0) // s))
    ix1 = min(grid.nx - 1, int((box[2] - grid.x0) // s) + 1)
    iy1 = min(grid.ny - 1, int((box[3] - grid.y0) // s) + 1)
    iy, ix = np.mgrid[iy0 : iy1 + 1, ix0 : ix1 + 1]
    iy, ix = iy.ravel(), ix.ravel()
    x, y = grid.node_xy(ix, iy)
    area = outline_metric().buffer(ROAD_BUFFER_M)
    keep = shapely.contains_xy(area, x, y)
    nid = iy * grid.nx + ix
    k2 = keep.reshape(iy1 - iy0 + 1, ix1 - ix0 + 1)
    ways: list[tuple[list[int], str]] = []
    for axis in (0, 1):  # 0: along rows (x), 1: along columns (y)
        if axis == 0:
            seg = k2[:, :-1] & k2[:, 1:]
            line, pos = np.nonzero(seg)
            line_id = line + iy0
            a_ix, a_iy = pos + ix0, line_id
        else:
            seg = k2[:-1, :] & k2[1:, :]
            pos, line = np.nonzero(seg)
            order = np.lexsort((pos, line))
            pos, line = pos[order], line[order]
            line_id = line + ix0
            a_ix, a_iy = line_id, pos + iy0
        cls = _road_class(line_id)
        seg_key = (a_iy.astype(np.int64) * grid.nx + a_ix) * 2 + axis
        minor = (cls == "unclassified") | (cls == "track")
        drop = minor & (_hash01(seg_key, 5) < 0.10)
        line_id, pos, cls = line_id[~drop], pos[~drop], cls[~drop]
        a_ix, a_iy = a_ix[~drop], a_iy[~drop]
        start, end = _runs(line_id, pos)
        first = a_iy.astype(np.int64) * grid.nx + a_ix
        step = 1 if axis == 0 else grid.nx
        for st, en in zip(start.tolist(), end.tolist(), strict=True):
            n0 = int(first[st])
            ways.append((list(range(n0, n0 + (en - st + 1) * step, step)), str(cls[st])))
    used = np.zeros(len(nid), dtype=bool)
    ids_used = np.unique(np.concatenate([np.asarray(w[0], dtype=np.int64) for w in ways]))
    pos_used = np.searchsorted(nid, ids_used)
    used[pos_used] = True
    lon, lat = _TO_LONLAT.transform(x[used], y[used])
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        node = osmium.osm.mutable.Node
        for i, lo, la in zip(
            ids_used.tolist(), np.round(lon, 7).tolist(), np.round(lat, 7).tolist(), strict=True
        ):
            writer.add_node(node(id=i + 1, location=(lo, la)))
        way = osmium.osm.mutable.Way
        for w_id, (nodes, cls_) in enumerate(ways, start=1):
            tags = {"highway": cls_, "source": "synthetic"}
            if cls_ == "track":
                tags["tracktype"] = "grade3"
            writer.add_way(way(id=w_id, nodes=[n + 1 for n in nodes], tags=tags))
    finally:
        writer.close()
    return {"nodes": len(ids_used), "ways": len(ways)}


def write_dem(path: Path, seed: int = 0, cell_deg: float = 0.01) -> None:
    """Write a synthetic elevation model (int16 metres, EPSG:4326, DEFLATE) over :data:`EXTENT`.

    Smooth relief of 300-2,500 m: a few octaves of Gaussian-filtered noise, higher in the
    north and along the eastern and western ranges, like Shanxi's basins between mountains.
    """
    import rasterio  # noqa: PLC0415 - only the DEM needs it
    from rasterio.transform import Affine  # noqa: PLC0415
    from scipy.ndimage import gaussian_filter  # noqa: PLC0415

    rng = np.random.default_rng(seed + 2)
    w = round((EXTENT[2] - EXTENT[0]) / cell_deg)
    h = round((EXTENT[3] - EXTENT[1]) / cell_deg)
    z = np.zeros((h, w))
    for sigma, amp in ((40.0, 700.0), (12.0, 300.0), (3.0, 80.0)):
        f = gaussian_filter(rng.standard_normal((h, w)), sigma)
        z += amp * f / f.std()
    lon = EXTENT[0] + (np.arange(w) + 0.5) * cell_deg
    lat = EXTENT[3] - (np.arange(h) + 0.5) * cell_deg
    ranges = 500.0 * (
        np.exp(-(((lon - 110.9) / 0.35) ** 2)) + np.exp(-(((lon - 113.9) / 0.35) ** 2))
    )
    z += 1100.0 + ranges[None, :] + 120.0 * (lat[:, None] - 37.5)
    z = np.clip(z, 300.0, 2500.0).astype(np.int16)
    profile = {
        "driver": "GTiff",
        "width": w,
        "height": h,
        "count": 1,
        "dtype": "int16",
        "crs": "EPSG:4326",
        "transform": Affine(cell_deg, 0.0, EXTENT[0], 0.0, -cell_deg, EXTENT[3]),
        "compress": "deflate",
        "nodata": -32768,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z, 1)
        dst.update_tags(TIFFTAG_IMAGEDESCRIPTION="synthetic relief for the province benchmark")
