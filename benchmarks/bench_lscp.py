"""Benchmark: set covering (LSCP) on a random geometric instance of Lüliang size.

About 2,400 villages to cover and 6,000 candidate sites scattered over 60 km x 60 km; a
candidate covers a village within the clinic service radius (rules: 2.5 km). Prints the
seconds to build and solve the vectorised model, and the same for a naive model built row by
row with Python loops (as loop-built modelling layers do), with the ratio.

Run: /work/venv/bin/python benchmarks/bench_lscp.py [--seed N] [--no-naive]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy import optimize, sparse
from scipy.spatial import cKDTree

from lvliang_coverage.config import load_rules
from lvliang_coverage.optimise.covering import LSCP

SIDE_M = 60_000.0
N_DEMAND = 2_400
N_CANDIDATE = 6_000
N_EXISTING = 300


def instance(seed: int) -> tuple[pd.DataFrame, list[str], list[str], list[str]]:
    rng = np.random.default_rng(seed)
    radius = load_rules().clinic.service_radius_m
    demand_xy = rng.uniform(0, SIDE_M, (N_DEMAND, 2))
    cand_xy = rng.uniform(0, SIDE_M, (N_CANDIDATE, 2))
    tree = cKDTree(cand_xy)
    near = tree.query_ball_point(demand_xy, radius)
    counts = np.fromiter((len(n) for n in near), dtype=np.int64, count=N_DEMAND)
    i = np.repeat(np.arange(N_DEMAND), counts)
    j = np.concatenate([np.asarray(n, dtype=np.int64) for n in near])
    demand_ids = [f"v{k:05d}" for k in range(N_DEMAND)]
    cand_ids = [f"c{k:05d}" for k in range(N_CANDIDATE)]
    pairs = pd.DataFrame(
        {"origin_id": np.asarray(demand_ids)[i], "destination_id": np.asarray(cand_ids)[j]}
    )
    existing = rng.choice(cand_ids, size=N_EXISTING, replace=False).tolist()
    return pairs, demand_ids, cand_ids, existing


def naive(pairs: pd.DataFrame, demand_ids: list[str], cand_ids: list[str], existing: list[str]):
    """The same model built with per-row Python loops (for comparison only)."""
    start = time.perf_counter()
    exist = set(existing)
    cover: dict[str, set[str]] = {d: set() for d in demand_ids}
    for d, c in zip(pairs["origin_id"], pairs["destination_id"], strict=True):
        cover[d].add(c)
    rows = [sorted(cs) for cs in cover.values() if cs and not (cs & exist)]
    col = {c: k for k, c in enumerate(c for c in cand_ids if c not in exist)}
    matrix = sparse.lil_array((len(rows), len(col)))
    for r, cs in enumerate(rows):
        for c in cs:
            matrix[r, col[c]] = 1.0
    build = time.perf_counter() - start
    start = time.perf_counter()
    n = len(col)
    res = optimize.milp(
        np.ones(n),
        integrality=np.ones(n),
        bounds=optimize.Bounds(0, 1),
        constraints=optimize.LinearConstraint(matrix.tocsr(), 1, np.inf),
        options={"time_limit": load_rules().solver.time_limit_s},
    )
    return build, time.perf_counter() - start, float(res.fun)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-naive", action="store_true", help="skip the loop-built model")
    args = parser.parse_args()
    pairs, demand_ids, cand_ids, existing = instance(args.seed)
    print(
        f"instance: {N_DEMAND} demands x {N_CANDIDATE} candidates, {len(pairs)} pairs, "
        f"{N_EXISTING} existing"
    )
    start = time.perf_counter()
    model = LSCP.from_pairs(pairs, demand_ids, cand_ids, existing=existing)
    build = time.perf_counter() - start
    model.solve()
    print(
        f"vectorised: build {build:.3f} s, solve {model.solve_seconds:.3f} s, "
        f"status {model.status}, new {model.n_new}, gap {model.mip_gap:.2e}, "
        f"uncoverable {len(model.uncoverable)}"
    )
    if args.no_naive:
        return
    n_build, n_solve, n_obj = naive(pairs, demand_ids, cand_ids, existing)
    print(f"naive loops: build {n_build:.3f} s, solve {n_solve:.3f} s, new {n_obj:.0f}")
    assert round(n_obj) == model.n_new, "both models must reach the same optimum"
    print(f"build ratio naive / vectorised: {n_build / build:.1f}x")


if __name__ == "__main__":
    main()
