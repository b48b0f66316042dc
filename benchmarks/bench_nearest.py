"""Nearest facility of snapped villages: TravelNetwork.nearest vs networkx and bare csgraph.

Run: .venv/bin/python benchmarks/bench_nearest.py [--nodes 100000 500000 2000000]
[--villages 30000] [--facilities 3000] (500k and 2M under ``flock /tmp/bench.lock``).

Road-like graphs (perturbed grids, walking, network distance); villages and facilities are
random points in the extent, so they need snapping. Measured in one process, interleaved,
median of 3: the engine's ``nearest`` (whole call, and with snapping excluded: results cache
warm), networkx ``multi_source_dijkstra_path_length`` and one bare
``scipy.sparse.csgraph.dijkstra(min_only=True)`` on the base CSR, both from the facilities'
nearest nodes. Asserts networkx = bare csgraph (1e-6 m) and the engine = the previous engine
(every point inserted into the whole network, one multi-source Dijkstra), timed once.
"""

from __future__ import annotations

import argparse
import statistics
import time

import networkx as nx
import numpy as np
from bench_snap import SIZES, network, peak_mb, random_points
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from lvliang_coverage.network._csr import nearest_source
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.snapping import augment


def previous_engine(net: TravelNetwork, villages, facilities) -> np.ndarray:
    """Metres to the nearest facility by the previous engine (points inserted, one search)."""
    o_pts, f_pts = net._points_metric(villages), net._points_metric(facilities)
    so, oj = net._snapper.snap(o_pts, villages.index)
    sf, fj = net._snapper.snap(f_pts, facilities.index)
    aug = augment(net, [so, sf], [o_pts, f_pts], [oj, fj])
    dist, _, _ = nearest_source(aug.csr("distance", reverse=True), aug.point_node[len(so) :])
    return np.where(np.isfinite(d := dist[aug.point_node[: len(so)]]), d, np.nan)


def nx_graph(net: TravelNetwork) -> nx.Graph:
    """Undirected networkx graph of the walking network (metres, shortest parallel road)."""
    g = nx.Graph()
    g.add_nodes_from(range(net.n_nodes))
    order = np.argsort(-net.len_fwd)  # the shortest parallel road is added last and kept
    g.add_weighted_edges_from(
        zip(
            net.road_a[order].tolist(),
            net.road_b[order].tolist(),
            net.len_fwd[order].tolist(),
            strict=True,
        ),
        weight="length",
    )
    return g


def bench(net: TravelNetwork, n_vil: int, n_fac: int) -> None:
    villages = random_points(net, n_vil, 1, "village_id")
    facilities = random_points(net, n_fac, 2, "facility_id")
    fxy = np.column_stack(net._to_metric.transform(facilities.geometry.x, facilities.geometry.y))
    on_roads = np.unique(np.r_[net.road_a, net.road_b])  # isolated nodes would stay unsnapped
    f_nodes = on_roads[np.unique(cKDTree(net.node_xy[on_roads]).query(fxy)[1])]
    base = net.base_graph("distance", reverse=True)
    net.snap(villages)
    net.snap(facilities)  # builds the lazy snapping index
    g = nx_graph(net)

    def whole() -> None:
        net._snapper._cache.clear()
        net.nearest(villages, facilities, nearest_by="distance")

    def warm() -> None:
        net.nearest(villages, facilities, nearest_by="distance")

    def bare() -> None:
        csgraph.dijkstra(base.matrix, indices=f_nodes, min_only=True)

    def networkx() -> None:
        nx.multi_source_dijkstra_path_length(g, f_nodes.tolist(), weight="length")

    runs: dict[str, list[float]] = {k: [] for k in ("whole", "warm", "bare", "networkx")}
    for _ in range(3):  # interleaved
        for name, fn in (("whole", whole), ("warm", warm), ("bare", bare), ("networkx", networkx)):
            t0 = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t0)
    t = {k: statistics.median(v) for k, v in runs.items()}
    # answers: networkx = bare csgraph on the same problem; engine = previous engine
    ref = nx.multi_source_dijkstra_path_length(g, f_nodes.tolist(), weight="length")
    got = csgraph.dijkstra(base.matrix, indices=f_nodes, min_only=True)
    exp = np.array([ref.get(i, np.inf) for i in range(net.n_nodes)])
    assert np.array_equal(np.isinf(got), np.isinf(exp)), "bare csgraph: reachability differs"
    fin = np.isfinite(exp)
    err_nx = float(np.max(np.abs(got[fin] - exp[fin]), initial=0.0))
    assert err_nx < 1e-6, f"bare csgraph vs networkx: {err_nx} m"
    res = net.nearest(villages, facilities, nearest_by="distance")["network_m"].to_numpy()
    t0 = time.perf_counter()
    old = previous_engine(net, villages, facilities)
    t_old = time.perf_counter() - t0
    assert np.array_equal(np.isnan(res), np.isnan(old)), "engine: reachability differs"
    err = float(np.nanmax(np.abs(res - old)))
    assert err < 1e-6, f"engine vs previous engine: {err} m"
    print(f"{n_vil:,} villages, {len(f_nodes):,} facility nodes; median of 3, interleaved")
    print(f"{'':38s}{'seconds':>9s}{'bare / it':>11s}{'networkx / it':>15s}")
    for label, sec in (
        ("engine nearest, whole call", t["whole"]),
        ("engine nearest, snapping excluded", t["warm"]),
        ("bare csgraph.dijkstra(min_only)", t["bare"]),
        ("networkx multi_source_dijkstra", t["networkx"]),
        ("previous engine, snapping excluded", t_old),
    ):
        print(f"{label:38s}{sec:9.3f}{t['bare'] / sec:11.2f}{t['networkx'] / sec:15.2f}")
    print(
        f"engine / bare (snapping excluded): {t['warm'] / t['bare']:.2f}x; engine = previous "
        f"engine (max |diff| {err:.1e} m), bare = networkx ({err_nx:.1e} m); "
        f"peak RSS {peak_mb():,.0f} MB"
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--nodes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--villages", type=int, default=30_000)
    p.add_argument("--facilities", type=int, default=3_000)
    args = p.parse_args()
    for n in args.nodes:
        bench(network(n), args.villages, args.facilities)


if __name__ == "__main__":
    main()
