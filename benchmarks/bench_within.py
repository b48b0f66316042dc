"""Bounded origin x destination matrix: TravelNetwork.within vs networkx Dijkstra with cutoff.

Run: /work/venv/bin/python benchmarks/bench_within.py [--nodes N] [--pairs 6000] [--nx-origins 600]
Villages x candidate sites within 2.5 km AND 30 min walking (the article-7 limits from the rules).
networkx runs two cutoff Dijkstras (length, time) from a sample of origins; the ratio compares
time per origin. Asserts identical pairs and distances on that sample.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import networkx as nx
import numpy as np
from bench_nearest import node_points
from synthetic_roads import perturbed_grid

from lvliang_coverage.config import load_rules
from lvliang_coverage.network.graph import graph_from_osm
from lvliang_coverage.network.routing import TravelNetwork

DEFAULT_ROADS = Path(__file__).resolve().parents[1] / "data" / "default" / "roads.osm.bz2"


def bench(name: str, g: nx.MultiDiGraph, n: int, n_nx: int) -> None:
    rules = load_rules()
    max_m = rules.clinic.service_radius_m
    max_s = rules.clinic.max_travel_s
    walk_mps = rules.speeds["walk"]["flat_kmh"] / 3.6
    rng = np.random.default_rng(0)
    nodes = [n for n in g.nodes if g.degree(n) > 0]
    o = [int(v) for v in rng.choice(nodes, min(n, len(nodes)), replace=False)]
    d = [int(v) for v in rng.choice(nodes, min(n, len(nodes)), replace=False)]
    print(
        f"\n== {name}: {g.number_of_nodes():,} nodes; {len(o):,} origins x "
        f"{len(d):,} destinations, "
        f"<= {max_m:,.0f} m and <= {max_s / 60:.0f} min walking"
    )
    net = TravelNetwork.from_graph(g, mode="walk")
    t0 = time.perf_counter()
    res = net.within(
        node_points(g, o, "a"), node_points(g, d, "b"), max_m=max_m, max_s=max_s, id_cols=("a", "b")
    )
    t_ours = time.perf_counter() - t0
    print(
        f"ours: {t_ours:.2f} s for {len(o):,} origins -> {len(res):,} pairs "
        f"({t_ours / len(o) * 1e3:.3f} ms per origin)"
    )
    # networkx oracle on a sample of origins (flat walking: time = length / speed)
    und = nx.Graph()
    for u, v, length in g.edges(data="length"):
        if not und.has_edge(u, v) or und[u][v]["length"] > length:
            und.add_edge(u, v, length=length, time=length / walk_mps)
    sample = o[:n_nx]
    dset = set(d)
    t0 = time.perf_counter()
    expected = {}
    for s in sample:
        lm = nx.single_source_dijkstra_path_length(und, s, cutoff=max_m, weight="length")
        ls = nx.single_source_dijkstra_path_length(und, s, cutoff=max_s, weight="time")
        for t in dset.intersection(lm).intersection(ls):
            expected[(s, t)] = lm[t]
    t_nx = time.perf_counter() - t0
    sub = res[res["origin_id"].isin(set(sample))]
    got = dict(
        zip(
            zip(sub["origin_id"], sub["destination_id"], strict=True), sub["network_m"], strict=True
        )
    )
    assert set(got) == set(expected), "pairs differ"
    err = max((abs(got[k] - v) for k, v in expected.items()), default=0.0)
    assert err < 1e-6, f"distances differ by {err}"
    per_nx = t_nx / len(sample)
    per_ours = t_ours / len(o)
    print(f"networkx: {t_nx:.2f} s for {len(sample):,} origins ({per_nx * 1e3:.3f} ms per origin)")
    print(
        f"ratio per origin networkx / ours: {per_nx / per_ours:.1f}x; "
        f"{len(expected):,} sample pairs equal (max |diff| {err:.1e} m); "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--pairs", type=int, default=6000)
    p.add_argument("--nx-origins", type=int, default=600)
    args = p.parse_args()
    if DEFAULT_ROADS.is_file():
        bench("default Lüliang graph", graph_from_osm(DEFAULT_ROADS), args.pairs, args.nx_origins)
    bench("synthetic perturbed grid", perturbed_grid(args.nodes), args.pairs, args.nx_origins)


if __name__ == "__main__":
    main()
