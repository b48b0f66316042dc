"""A tiny user-file case for the terrain travel model: one road, a river, a flat DEM."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from netfixtures import METRIC, ORIGIN_X, ORIGIN_Y, lonlat, write_osm

CELL_M = 100.0
"""Cell of the synthetic DEM, metres (the lattice takes it)."""

RIVER_END_X = 3000.0
"""The river runs along y = 250 m from x = -800 m to this x (metres): walkers go round it."""


def _polygon(coords_m: list[tuple[float, float]]) -> dict:
    ring = [list(lonlat(x, y)) for x, y in coords_m]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _write_geojson(path: Path, features: list[tuple[dict, dict]]) -> Path:
    data = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geom} for geom, props in features
        ],
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def write_dem(path: Path, *, elevation: float = 1000.0) -> Path:
    """A flat DEM (metres, float32) in the fixtures' metric CRS around the case."""
    west, north = ORIGIN_X - 1500.0, ORIGIN_Y + 2000.0
    rows, cols = 35, 65  # 3.5 km x 6.5 km
    data = np.full((rows, cols), elevation, dtype=np.float32)
    profile = {
        "driver": "GTiff",
        "height": rows,
        "width": cols,
        "count": 1,
        "dtype": "float32",
        "crs": METRIC,
        "transform": Affine(CELL_M, 0.0, west, 0.0, -CELL_M, north),
        "nodata": -9999.0,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def river_line(x_end: float = RIVER_END_X) -> dict:
    """The river as a GeoJSON line (degrees)."""
    return {
        "type": "LineString",
        "coordinates": [list(lonlat(-800.0, 250.0)), list(lonlat(x_end, 250.0))],
    }


def terrain_files(tmp_path: Path) -> dict[str, Path]:
    """Write the case: roads, villages, a clinic, boundaries, a flat DEM and the river.

    One road runs east along y = 0 from the clinic at (0, 0) to x = 4 km. 村甲 (120 residents)
    sits on the road 1 km east; 村乙 (80 residents) 500 m north of the road at x = 1 km, behind
    the river along y = 250 m that ends at x = 3 km. By the network model 村乙 walks its straight
    500 m leg (across the river) and is served within 30 minutes; by the terrain model it must
    walk round the river's end (about 2 km off road at 3 km/h): not within 30 minutes.
    """
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )
    villages = tmp_path / "villages.csv"
    lines = ["village_id,name,population,lon,lat,county,township"]
    for vid, name, (x, y), pop in (
        ("V1", "村甲", (1000.0, 0.0), 120),
        ("V2", "村乙", (1000.0, 500.0), 80),
    ):
        lon, lat = lonlat(x, y)
        lines.append(f"{vid},{name},{pop},{lon:.7f},{lat:.7f},样例县,样例镇")
    villages.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clinics = tmp_path / "clinics.csv"
    lon, lat = lonlat(0.0, 0.0)
    clinics.write_text(
        f"facility_id,name,lon,lat\nC1,卫生室,{lon:.7f},{lat:.7f}\n", encoding="utf-8"
    )
    area = _polygon([(-1000.0, -1000.0), (4500.0, -1000.0), (4500.0, 1500.0), (-1000.0, 1500.0)])
    boundaries = _write_geojson(
        tmp_path / "boundaries.geojson", [(area, {"name": "样例县", "county": "样例县"})]
    )
    river = _write_geojson(tmp_path / "river.geojson", [(river_line(), {"name": "河"})])
    return {
        "villages": villages,
        "clinics": clinics,
        "roads": roads,
        "dem": write_dem(tmp_path / "dem.tif"),
        "boundaries": boundaries,
        "barriers": river,
    }
