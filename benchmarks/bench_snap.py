"""Snapping points to roads: vectorised nearest segment vs GEOS STRtree.query_nearest per road.

Run: .venv/bin/python benchmarks/bench_snap.py [--nodes 100000 500000 2000000] [--points 30000]
(500k and 2M under ``flock /tmp/bench.lock``). Road-like graphs (perturbed grids), points placed
at random in the extent (off the nodes). Prints the index build (first snap, lazy), the snap in
microseconds a point (median of 3, results cache cleared) and the previous method's time;
asserts the same distances to the road (1e-6 m).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely
from synthetic_roads import perturbed_grid

from lvliang_coverage.network.routing import TravelNetwork

SIZES = (100_000, 500_000, 2_000_000)


def random_points(net: TravelNetwork, k: int, seed: int, col: str) -> gpd.GeoDataFrame:
    """``k`` points at random in the network's extent (EPSG:4326), ids in ``col``."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(net.x.min(), net.x.max(), k)
    lat = rng.uniform(net.y.min(), net.y.max(), k)
    return gpd.GeoDataFrame({col: np.arange(k)}, geometry=shapely.points(lon, lat), crs=4326)


def network(n_nodes: int) -> TravelNetwork:
    """Walking network of a perturbed grid of about ``n_nodes`` nodes (graph dropped)."""
    t0 = time.perf_counter()
    net = TravelNetwork.from_graph(perturbed_grid(n_nodes), mode="walk")
    print(
        f"\n== {net.n_nodes:,} nodes, {net.n_roads:,} roads "
        f"(graph + network built in {time.perf_counter() - t0:.1f} s)"
    )
    return net


def median_time(fn: Callable[[], object], reps: int = 3) -> float:
    """Median wall time of ``reps`` calls, seconds."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_mb() -> float:
    """Process peak RSS in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench(net: TravelNetwork, n_points: int) -> None:
    pts = random_points(net, n_points, 1, "village_id")
    geoms = shapely.points(net._points_metric(pts))
    snapper = net._snapper
    t0 = time.perf_counter()
    snap = net.snap(pts)
    t_first = time.perf_counter() - t0

    def ours() -> None:
        snapper._cache.clear()
        net.snap(pts)

    tree = shapely.STRtree(net.road_lines)

    def geos() -> np.ndarray:  # the previous method's nearest-road step alone
        return tree.query_nearest(geoms, all_matches=False)[1]

    t_ours = median_time(ours)
    t_geos = median_time(geos)
    road = geos()
    err = float(np.max(np.abs(snap["distance_m"] - shapely.distance(geoms, net.road_lines[road]))))
    assert err < 1e-6, f"distances to the road differ by {err} m"
    us = 1e6 / n_points
    print(f"first snap (builds the lazy index):  {t_first:7.3f} s")
    print(f"snap, {n_points:,} points (whole):     {t_ours:7.3f} s = {t_ours * us:6.2f} us a point")
    print(
        f"GEOS query_nearest alone:            {t_geos:7.3f} s = {t_geos * us:6.2f} us a point "
        f"({t_geos / t_ours:.1f}x ours)"
    )
    print(f"same distances (max |diff| {err:.1e} m); peak RSS {peak_mb():,.0f} MB")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--nodes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--points", type=int, default=30_000)
    args = p.parse_args()
    for n in args.nodes:
        bench(network(n), args.points)


if __name__ == "__main__":
    main()
