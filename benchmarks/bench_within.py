"""Village x facility pairs within 2.5 km and 30 min walking: TravelNetwork.within vs networkx.

Run: .venv/bin/python benchmarks/bench_within.py [--nodes 100000 500000 2000000]
[--villages 30000] [--facilities 3000] [--nx-villages 300] (500k and 2M under
``flock /tmp/bench.lock``).

Road-like graphs (perturbed grids); villages and facilities are random points in the extent,
snapped to the roads. The engine runs ``within`` for every village (median of 3, interleaved
with networkx; whole call, snapping cache warm). networkx runs two
``single_source_dijkstra_path_length`` with a cutoff (metres, seconds) per village on the same
snapped problem (every point inserted into the network as a node, the previous engine's graph)
for the villages of a central square (a sample), scaled to all villages. Asserts identical
pairs and measures (1e-6).
"""

from __future__ import annotations

import argparse
import statistics
import time

import networkx as nx
import numpy as np
from bench_snap import SIZES, network, peak_mb, random_points

from lvliang_coverage.config import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.snapping import augment


def bench(net: TravelNetwork, n_vil: int, n_fac: int, n_nx: int) -> None:
    rules = load_rules()
    max_m, max_s = rules.clinic.service_radius_m, rules.clinic.max_travel_s
    villages = random_points(net, n_vil, 1, "village_id")
    facilities = random_points(net, n_fac, 2, "facility_id")
    # networkx sample: the villages of a central square (about n_nx of them); its graph holds
    # the nodes within the search reach of that square only (no path within the limits leaves)
    v_xy = net._points_metric(villages)
    mid = np.median(v_xy, axis=0)
    half = np.sqrt(np.ptp(v_xy[:, 0]) * np.ptp(v_xy[:, 1]) * min(n_nx, n_vil) / n_vil) / 2
    sample = np.flatnonzero(np.all(np.abs(v_xy - mid) <= half, axis=1))
    reach = max(max_m, max_s * net.max_speed_mps) * 1.01 + 1.0
    # networkx oracle: the sample villages and all facilities inserted as nodes
    o_pts = net._points_metric(villages.iloc[sample])
    f_pts = net._points_metric(facilities)
    so, oj = net._snapper.snap(o_pts, villages.index[sample])
    sf, fj = net._snapper.snap(f_pts, facilities.index)
    aug = augment(net, [so, sf], [o_pts, f_pts], [oj, fj])
    h = nx.DiGraph()
    inside = np.all(np.abs(aug.xy - mid) <= half + reach, axis=1)
    ok = np.isfinite(aug.time) & np.isfinite(aug.length) & inside[aug.tail] & inside[aug.head]
    order = np.argsort(-aug.time[ok])  # of parallel edges the quickest is added last, kept
    tail, head = aug.tail[ok][order].tolist(), aug.head[ok][order].tolist()
    h.add_edges_from(
        (a, b, {"length": m, "time": s})
        for a, b, m, s in zip(
            tail, head, aug.length[ok][order].tolist(), aug.time[ok][order].tolist(), strict=True
        )
    )
    o_nodes = aug.point_node[: len(sample)].tolist()
    h.add_nodes_from(o_nodes)
    f_of = {int(node): i for i, node in enumerate(aug.point_node[len(sample) :])}
    net.within(villages, facilities, max_m=max_m, max_s=max_s)  # warm the snapping cache

    def ours() -> object:
        return net.within(villages, facilities, max_m=max_m, max_s=max_s)

    def networkx() -> dict[tuple[int, int], tuple[float, float]]:
        found = {}
        for v, node in zip(sample.tolist(), o_nodes, strict=True):
            lm = nx.single_source_dijkstra_path_length(h, node, cutoff=max_m, weight="length")
            ls = nx.single_source_dijkstra_path_length(h, node, cutoff=max_s, weight="time")
            for t in set(lm).intersection(ls).intersection(f_of):
                found[(v, f_of[t])] = (lm[t], ls[t])
        return found

    runs: dict[str, list[float]] = {"ours": [], "networkx": []}
    for _ in range(3):  # interleaved
        for name, fn in (("ours", ours), ("networkx", networkx)):
            t0 = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t0)
    t_ours = statistics.median(runs["ours"])
    t_nx = statistics.median(runs["networkx"]) * n_vil / len(sample)
    res = ours()
    exp = networkx()
    sub = res[res["origin_id"].isin(set(sample.tolist()))]
    got = {
        (a, b): (m, s)
        for a, b, m, s in zip(
            sub["origin_id"], sub["destination_id"], sub["network_m"], sub["time_s"], strict=True
        )
    }
    assert set(got) == set(exp), "pairs differ"
    err = max(
        (max(abs(got[k][0] - v[0]), abs(got[k][1] - v[1])) for k, v in exp.items()), default=0
    )
    assert err < 1e-6, f"measures differ by {err}"
    print(
        f"{n_vil:,} villages x {n_fac:,} facilities, <= {max_m:,.0f} m and <= {max_s / 60:.0f} min "
        f"walking: {len(res):,} pairs; median of 3, interleaved"
    )
    print(f"engine within, all villages:           {t_ours:8.3f} s")
    print(
        f"networkx, cutoff per village (scaled):  {t_nx:8.3f} s "
        f"({len(sample)} villages measured) -> engine {t_nx / t_ours:.1f}x faster"
    )
    print(f"{len(exp):,} sample pairs equal (max |diff| {err:.1e}); peak RSS {peak_mb():,.0f} MB")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--nodes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--villages", type=int, default=30_000)
    p.add_argument("--facilities", type=int, default=3_000)
    p.add_argument("--nx-villages", type=int, default=300)
    args = p.parse_args()
    for n in args.nodes:
        bench(network(n), args.villages, args.facilities, args.nx_villages)


if __name__ == "__main__":
    main()
