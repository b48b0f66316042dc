"""Nearest facility of every node: TravelNetwork (scipy CSR) vs networkx multi-source Dijkstra.

Run: /work/venv/bin/python benchmarks/bench_nearest.py [--nodes 500000] [--facilities 300]
Prints times, the speed-up ratio and peak memory; asserts both give the same distances.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from synthetic_roads import perturbed_grid

from lvliang_coverage.network.graph import graph_from_osm
from lvliang_coverage.network.routing import TravelNetwork

DEFAULT_ROADS = Path(__file__).resolve().parents[1] / "data" / "default" / "roads.osm.bz2"


def node_points(g, nodes, col):
    geoms = shapely.points([g.nodes[n]["x"] for n in nodes], [g.nodes[n]["y"] for n in nodes])
    return gpd.GeoDataFrame({col: list(nodes)}, geometry=geoms, crs="EPSG:4326")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench(name: str, g: nx.MultiDiGraph, n_fac: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    # an isolated node would snap to a road nearby: compare the connected ones
    nodes = [n for n in g.nodes if g.degree(n) > 0]
    fac = [int(n) for n in rng.choice(nodes, n_fac, replace=False)]
    print(
        f"\n== {name}: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges, "
        f"{n_fac} facilities"
    )
    t0 = time.perf_counter()
    net = TravelNetwork.from_graph(g, mode="walk")
    net.base_graph("distance", reverse=True)  # the cached CSR matrix
    t_conv = time.perf_counter() - t0
    origins = node_points(g, nodes, "village_id")
    facilities = node_points(g, fac, "facility_id")
    t0 = time.perf_counter()
    res_nodes = net.nearest_nodes(fac, nearest_by="distance")
    t_nodes = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = net.nearest(origins, facilities, nearest_by="distance")
    t_points = time.perf_counter() - t0
    # peak memory of each query, in a second traced run (tracing slows it, so not timed)
    tracemalloc.start()
    net.nearest_nodes(fac, nearest_by="distance")
    peak_nodes = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.reset_peak()
    net.nearest(origins, facilities, nearest_by="distance")
    peak_points = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    t0 = time.perf_counter()
    und = g.to_undirected(as_view=True)  # walking ignores one-way: networkx on the undirected view
    ref = nx.multi_source_dijkstra_path_length(und, fac, weight="length")
    t_nx = time.perf_counter() - t0
    exp = np.array([ref.get(n, np.nan) for n in nodes])
    for label, got in (
        ("nodes", res_nodes.loc[nodes, "network_m"].to_numpy(dtype=float)),
        ("points", res["network_m"].to_numpy()),
    ):
        assert np.array_equal(np.isnan(got), np.isnan(exp)), f"{label}: reachability differs"
        err = float(np.nanmax(np.abs(got - exp)))
        assert err < 1e-6, f"{label}: distances differ by {err} m"
    print(f"conversion to CSR (once per mode):           {t_conv:8.3f} s")
    print(f"networkx multi_source_dijkstra_path_length:  {t_nx:8.3f} s")
    print(
        f"ours, graph nodes (nearest_nodes):           {t_nodes:8.3f} s  -> "
        f"{t_nx / t_nodes:6.1f}x faster, "
        f"peak {peak_nodes:,.0f} MB (tracemalloc)"
    )
    print(
        f"ours, points snapped to roads (nearest):     {t_points:8.3f} s  -> "
        f"{t_nx / t_points:6.1f}x faster, "
        f"peak {peak_points:,.0f} MB (tracemalloc)"
    )
    print(f"results equal (max |difference| < 1e-6 m); process peak RSS {peak_mb():,.0f} MB")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--nodes", type=int, default=500_000)
    p.add_argument("--facilities", type=int, default=300)
    args = p.parse_args()
    if DEFAULT_ROADS.is_file():
        t0 = time.perf_counter()
        g = graph_from_osm(DEFAULT_ROADS, use_cache=False)
        print(f"default Lüliang graph built (cold, no cache) in {time.perf_counter() - t0:.2f} s")
        bench("default Lüliang graph", g, min(args.facilities, 200))
        del g
    else:
        print(f"{DEFAULT_ROADS} absent: skipping the default graph")
    t0 = time.perf_counter()
    g = perturbed_grid(args.nodes)
    print(f"\nsynthetic graph built in {time.perf_counter() - t0:.1f} s")
    bench("synthetic perturbed grid", g, args.facilities)


if __name__ == "__main__":
    main()
