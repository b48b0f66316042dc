"""Terrain lattice on the whole default city: build, one nearest-facility surface, vs MCP_Geometric.

Run: flock /tmp/bench.lock .venv/bin/python benchmarks/bench_terrain.py [--neighbours 16 8]
[--mode walk] [--cell 100]

Each case runs in a fresh subprocess, so its peak memory (``ru_maxrss``) is its own:

- ``terrain``: ``TerrainNetwork.build`` on the default city (``Study.default().city``, the
  100 m DEM, the rivers as barriers, the walking network), then one multi-source surface for
  every care facility (``Study.default().care_facilities``) and ``nearest`` for every village.
  Goals (issue 15): build <= 20 s, surface <= 5 s, peak <= 3 GB.
- ``isotropic``: the same city on flat ground, no roads (a network whose one road lies outside
  the city), no barriers, 8 neighbours, facilities moved to their cell centres; the surface
  against ``skimage.graph.MCP_Geometric(pace, fully_connected=True).find_costs(starts)`` with
  ``pace = cell_m / (v0 * friction)`` seconds per cell length (inf outside the city). With 8
  neighbours MCP_Geometric's moves are the lattice's (length 1 or sqrt 2 cells, the mean of
  the two cells' paces), so the two must agree to float32 rounding; both are timed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from affine import Affine


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_terrain(neighbours: int, mode: str, cell: float) -> dict:
    """Build the terrain model of the default city and time its queries."""
    from lvliang_coverage.network.lattice import TerrainNetwork  # noqa: PLC0415
    from lvliang_coverage.study import Study  # noqa: PLC0415

    study = Study.default()
    net = study.network(mode)
    facilities, villages = study.care_facilities, study.villages
    net.snap(facilities)
    net.snap(villages)
    before = _peak_mb()
    t0 = time.perf_counter()
    model = TerrainNetwork.build(
        net, area=study.city, dem=study.dem_path, barriers=study.rivers,
        cell_m=cell, neighbours=neighbours,
    )  # fmt: skip
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    surf = model.surface(facilities)
    surface_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    near = model.nearest(villages, facilities)
    nearest_s = time.perf_counter() - t0
    minutes = surf.minutes[np.isfinite(surf.minutes)]
    return {
        "case": f"terrain {mode} {neighbours}-nb",
        "cells": model.n_cells,
        "moves": model.n_moves,
        "road_nodes": model._lat.n_base - model.n_cells,
        "edges": int(model._lat.base.matrix.nnz),
        "facilities": len(facilities),
        "build_s": build_s,
        "surface_s": surface_s,
        "nearest_s": nearest_s,
        "peak_mb": _peak_mb(),
        "peak_before_mb": before,
        "median_min": float(np.median(minutes)),
        "village_median_min": float(near["time_s"].median() / 60.0),
        "load_1m": os.getloadavg()[0],
    }


def run_isotropic(cell: float) -> dict:
    """Flat city, no roads: the lattice's surface against MCP_Geometric's."""
    import geopandas as gpd  # noqa: PLC0415
    import networkx as nx  # noqa: PLC0415
    import shapely  # noqa: PLC0415
    from skimage.graph import MCP_Geometric  # noqa: PLC0415

    from lvliang_coverage.inputs.projection import STORAGE_CRS  # noqa: PLC0415
    from lvliang_coverage.network.lattice import TerrainNetwork  # noqa: PLC0415
    from lvliang_coverage.network.routing import TravelNetwork  # noqa: PLC0415
    from lvliang_coverage.network.terrain import DEM  # noqa: PLC0415
    from lvliang_coverage.study import Study  # noqa: PLC0415

    study = Study.default()
    west, south, _, _ = study.city.total_bounds
    g = nx.MultiDiGraph(crs=STORAGE_CRS)  # one road south-west of the city, same metric CRS
    g.add_node(1, x=west - 0.05, y=south - 0.05)
    g.add_node(2, x=west - 0.04, y=south - 0.05)
    for u, v in ((1, 2), (2, 1)):
        g.add_edge(u, v, length=880.0, highway="residential", oneway=False, reversed=u == 2)
    net = TravelNetwork.from_graph(g, mode="walk")
    metric = net.metric_crs
    b = study.city.to_crs(metric).total_bounds
    flat = DEM(
        data=np.zeros((10, 10)),
        transform=rasterio_transform(b),
        crs=metric,
    )
    model = TerrainNetwork.build(net, area=study.city, dem=flat, cell_m=cell, neighbours=8)
    lat = model._lat
    grid = lat.grid
    fac = study.care_facilities.to_crs(metric)
    cells = lat.cell_node(shapely.get_coordinates(fac.geometry.to_numpy()))
    cxy = grid.centres(grid.cells[cells])
    at_centres = gpd.GeoDataFrame(
        {"facility_id": fac["facility_id"].to_numpy()},
        geometry=gpd.points_from_xy(cxy[:, 0], cxy[:, 1]),
        crs=metric,
    ).to_crs(STORAGE_CRS)
    net.snap(at_centres)
    t0 = time.perf_counter()
    surf = model.surface(at_centres)
    surface_s = time.perf_counter() - t0
    v0 = lat.flat_kmh / 3.6 * lat.offpath
    pace = np.full((grid.rows, grid.cols), np.inf)
    pace.ravel()[grid.cells] = cell / (v0 * lat.mult)
    r, c = np.divmod(grid.cells[cells], grid.cols)
    starts = np.unique(np.c_[r, c], axis=0)
    t0 = time.perf_counter()
    cum, _ = MCP_Geometric(pace, fully_connected=True).find_costs(starts)
    mcp_s = time.perf_counter() - t0
    inside = np.isfinite(surf.minutes)
    ours = surf.minutes[inside].astype(np.float64) * 60.0
    theirs = cum[inside]
    rel = np.abs(ours - theirs) / np.maximum(theirs, 1.0)
    return {
        "case": "isotropic 8-nb vs MCP_Geometric",
        "cells": model.n_cells,
        "moves": model.n_moves,
        "facilities": len(at_centres),
        "surface_s": surface_s,
        "mcp_s": mcp_s,
        "max_rel_diff": float(rel.max()),
        "max_abs_diff_s": float(np.abs(ours - theirs).max()),
        "unreached_mismatch": int((np.isfinite(cum) & ~inside & (pace < np.inf)).sum()),
        "peak_mb": _peak_mb(),
        "load_1m": os.getloadavg()[0],
    }


def rasterio_transform(bounds: np.ndarray) -> Affine:
    """Return a 10 x 10 raster transform over metric bounds (one flat DEM over the city)."""
    x0, y0, x1, y1 = bounds
    return Affine(
        (x1 - x0 + 2000.0) / 10, 0.0, x0 - 1000.0, 0.0, -(y1 - y0 + 2000.0) / 10, y1 + 1000.0
    )


def child(args: argparse.Namespace) -> None:
    """Run one case and print its figures as JSON."""
    if args.case == "isotropic":
        out = run_isotropic(args.cell)
    else:
        out = run_terrain(args.neighbours[0], args.mode, args.cell)
    print("RESULT " + json.dumps(out), flush=True)


def main() -> None:
    """Run every case in a fresh subprocess and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--neighbours", type=int, nargs="+", default=[16, 8])
    parser.add_argument("--mode", default="walk")
    parser.add_argument("--cell", type=float, default=100.0)
    parser.add_argument("--case", choices=["terrain", "isotropic"], default=None)
    parser.add_argument("--no-isotropic", action="store_true")
    args = parser.parse_args()
    if args.case is not None:
        child(args)
        return
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the start: {load} on {os.cpu_count()} cores")
    runs = [["--case", "terrain", "--neighbours", str(nb)] for nb in args.neighbours]
    if not args.no_isotropic:
        runs.append(["--case", "isotropic"])
    for extra in runs:
        cmd = [sys.executable, str(Path(__file__)), "--mode", args.mode, "--cell", str(args.cell)]
        res = subprocess.run([*cmd, *extra], capture_output=True, text=True, check=False)
        lines = [ln for ln in res.stdout.splitlines() if ln.startswith("RESULT ")]
        if res.returncode or not lines:
            print(f"{' '.join(extra)}: failed\n{res.stderr[-2000:]}")
            continue
        out = json.loads(lines[-1][len("RESULT ") :])
        print(out.pop("case"))
        for key, value in out.items():
            shown = f"{value:,}"
            if isinstance(value, float):
                shown = f"{value:.2e}" if "diff" in key else f"{value:,.3f}"
            print(f"  {key:>20}: {shown}")
    print("goals: build <= 20 s, surface <= 5 s, peak <= 3,072 MB (whole process)")


if __name__ == "__main__":
    main()
