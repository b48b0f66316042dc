"""Benchmark: exact covering plans at province scale, and a plan never lost to a time limit.

Three cases (straight-line coverage within the clinic service radius, rules: 2.5 km):

* ``province``: a Shanxi-sized synthetic province (290 km x 540 km, about 156,000 km2),
  21,895 administrative villages clustered around 1,352 township seats, about 30,000
  settlements as candidate sites, residents log-normal so that about 17 % of villages have
  fewer than 200 (the demand), 3,000 existing clinics fixed open. LSCP and the whole
  maximal-covering curve p = 0 .. LSCP size, decomposed: must be proved optimal with gap 0 in
  every component. Prints components (count, sizes), seconds and gaps.
* ``stress``: 30,000 villages, all demand, and 30,000 candidates uniform over a square
  sized for about 330,000 pairs (one giant component). LSCP with the rules' time limit:
  the decomposed and reduced method beside HiGHS on the undecomposed model, same run.
* ``mclp500``: maximal covering with p = 500 on the stress instance: returns a plan.

Run heavy cases under the shared lock, e.g.::

    flock /tmp/bench.lock .venv/bin/python benchmarks/bench_plan_scale.py --case all

Options: ``--case {province,stress,mclp500,all}``, ``--seed N``, ``--time-limit S``
(default: the rules' ``[solver] time_limit_s``), ``--no-reference`` (skip undecomposed HiGHS).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from lvliang_coverage.config import load_rules
from lvliang_coverage.optimise._reduce import binary, components
from lvliang_coverage.optimise.covering import LSCP, MCLP, coverage_curve

PROVINCE_W_M, PROVINCE_H_M = 290_000.0, 540_000.0
N_TOWNSHIPS = 1_352
N_VILLAGES = 21_895
N_SITES = 30_000
N_EXISTING = 3_000
SMALL_RESIDENTS = 200
N_STRESS = 30_000
STRESS_PAIRS = 330_000


def _pairs(dem_xy: np.ndarray, cand_xy: np.ndarray, radius: float) -> sparse.csr_array:
    """Demand x candidate coverage (straight line within ``radius`` metres) as a 0/1 matrix."""
    near = cKDTree(dem_xy).sparse_distance_matrix(
        cKDTree(cand_xy), radius, output_type="coo_matrix"
    )
    out = sparse.csr_array((np.ones(near.nnz), (near.row, near.col)), shape=near.shape)
    out.sum_duplicates()
    return out


def province(seed: int, radius: float) -> dict:
    """The synthetic province: demand (small villages), sites, existing clinics, pairs."""
    rng = np.random.default_rng(seed)
    towns = rng.uniform((0, 0), (PROVINCE_W_M, PROVINCE_H_M), (N_TOWNSHIPS, 2))
    home = rng.integers(0, N_TOWNSHIPS, N_VILLAGES)
    villages = towns[home] + rng.normal(0, 4_500.0, (N_VILLAGES, 2))
    residents = np.round(rng.lognormal(np.log(800.0), 1.45, N_VILLAGES)).clip(5, 20_000)
    # Main settlement at the village, the others up to a few km away.
    extra = rng.integers(0, N_VILLAGES, N_SITES - N_VILLAGES)
    sites = np.concatenate([villages, villages[extra] + rng.normal(0, 1_200.0, (len(extra), 2))])
    small = np.flatnonzero(residents < SMALL_RESIDENTS)
    existing = rng.choice(N_VILLAGES, N_EXISTING, replace=False)  # clinics at main settlements
    return {
        "pairs": _pairs(villages[small], sites, radius),
        "weights": residents[small],
        "existing": existing,
        "n_sites": N_SITES,
    }


def stress(seed: int, radius: float) -> dict:
    """30,000 demands x 30,000 candidates, uniform, about 330,000 pairs: one giant component."""
    rng = np.random.default_rng(seed)
    side = float(np.sqrt(N_STRESS * N_STRESS * np.pi * radius**2 / STRESS_PAIRS))
    dem = rng.uniform(0, side, (N_STRESS, 2))
    cand = rng.uniform(0, side, (N_STRESS, 2))
    weights = np.round(rng.lognormal(np.log(500.0), 1.0, N_STRESS)).clip(5, 20_000)
    return {
        "pairs": _pairs(dem, cand, radius),
        "weights": weights,
        "existing": None,
        "n_sites": N_STRESS,
        "side_m": side,
    }


def _components(model: LSCP | MCLP) -> str:
    comp = model.components
    if comp.empty:
        return "components: none left after reductions"
    big = comp.sort_values("n_pairs").iloc[-1]
    return (
        f"components: {len(comp)} (methods {comp['method'].value_counts().to_dict()}); "
        f"largest {int(big['n_demand'])} demands x {int(big['n_candidates'])} candidates, "
        f"{int(big['n_pairs'])} pairs; components at gap 0: {(comp['gap'] <= 0).sum()}/"
        f"{len(comp)}; worst component gap {comp['gap'].max():.2%}"
    )


def run_province(seed: int, limit: float) -> None:
    radius = load_rules().clinic.service_radius_m
    inst = province(seed, radius)
    a = inst["pairs"]
    n_dem, n_cand = a.shape
    print(
        f"[province] {n_dem} small villages (demand) of {N_VILLAGES}, {n_cand} sites, "
        f"{N_EXISTING} existing clinics, {a.nnz} pairs within {radius:g} m"
    )
    ids = np.arange(n_dem)
    sites = np.arange(n_cand)
    start = time.perf_counter()
    lscp = LSCP.from_pairs(a, ids, sites, existing=inst["existing"]).solve(time_limit_s=limit)
    print(
        f"[province] LSCP: {lscp.n_new} new clinics, status {lscp.status}, gap "
        f"{lscp.mip_gap:.2%}, {time.perf_counter() - start:.2f} s (solve "
        f"{lscp.solve_seconds:.2f} s), uncoverable {len(lscp.uncoverable)}, "
        f"by existing {len(lscp.covered_by_existing)}"
    )
    raw = components(binary(lscp._matrix))
    print(
        f"[province] pair graph before reductions: {raw.n} components; largest "
        f"{raw.n_rows.max()} demands, {raw.n_cols.max()} candidates, {raw.n_pairs.max()} pairs"
    )
    print(f"[province] LSCP after reductions, {_components(lscp)}")
    print(f"[province] LSCP report: {lscp.report.message}")
    start = time.perf_counter()
    curve = coverage_curve(
        a,
        ids,
        inst["weights"],
        sites,
        range(lscp.n_new + 1),
        existing=inst["existing"],
        time_limit_s=limit,
    )
    seconds = time.perf_counter() - start
    statuses = curve["status"].value_counts().to_dict()
    print(
        f"[province] curve p = 0..{lscp.n_new}: {len(curve)} plans in {seconds:.2f} s, "
        f"statuses {statuses}, worst gap {curve['mip_gap'].max():.2%}; covered residents "
        f"{curve['covered_weight'].iloc[0]:,.0f} (p=0) .. {curve['covered_weight'].iloc[-1]:,.0f}"
        f" (p={lscp.n_new}) of {inst['weights'].sum():,.0f}"
    )
    model = MCLP.from_pairs(a, ids, inst["weights"], sites, lscp.n_new, existing=inst["existing"])
    model.solve(time_limit_s=limit)
    print(f"[province] curve {_components(model)}")


def run_stress(seed: int, limit: float, reference: bool) -> None:
    radius = load_rules().clinic.service_radius_m
    inst = stress(seed, radius)
    a = inst["pairs"]
    print(
        f"[stress] {a.shape[0]} demands x {a.shape[1]} candidates over "
        f"{inst['side_m'] / 1000:.0f} km square, {a.nnz} pairs within {radius:g} m"
    )
    ids, sites = np.arange(a.shape[0]), np.arange(a.shape[1])
    model = LSCP.from_pairs(a, ids, sites)
    model.solve(time_limit_s=limit)
    print(
        f"[stress] decomposed+reduced: {model.n_new} sites, bound {model.dual_bound:.0f}, status "
        f"{model.status}, gap {model.mip_gap:.2%}, {model.solve_seconds:.1f} s "
        f"(limit {limit:g} s)"
    )
    print(f"[stress] {_components(model)}")
    if reference:
        ref = model.solve_undecomposed(time_limit_s=limit)
        print(
            f"[stress] HiGHS undecomposed: objective {ref.objective:.0f}, bound "
            f"{ref.dual_bound:.0f}, status {ref.status}, gap {ref.mip_gap:.2%}, "
            f"{ref.solve_seconds:.1f} s"
        )


def run_mclp500(seed: int, limit: float, reference: bool) -> None:
    radius = load_rules().clinic.service_radius_m
    inst = stress(seed, radius)
    a = inst["pairs"]
    ids, sites = np.arange(a.shape[0]), np.arange(a.shape[1])
    model = MCLP.from_pairs(a, ids, inst["weights"], sites, 500).solve(time_limit_s=limit)
    print(
        f"[mclp500] p = 500: {model.n_new} sites, covered {model.covered_weight:,.0f} of "
        f"{inst['weights'].sum():,.0f} residents, bound {model.dual_bound:,.0f}, status "
        f"{model.status}, gap {model.mip_gap:.2%}, {model.solve_seconds:.1f} s"
    )
    if reference:
        ref = model.solve_undecomposed(time_limit_s=limit)
        found = "none" if not ref.has_solution else f"{ref.objective:,.0f}"
        print(
            f"[mclp500] HiGHS undecomposed: solution {found}, status {ref.status}, gap "
            f"{ref.mip_gap:.2%}, {ref.solve_seconds:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["province", "stress", "mclp500", "all"], default="all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    limit = args.time_limit or load_rules().solver.time_limit_s
    if args.case in {"province", "all"}:
        run_province(args.seed, limit)
    if args.case in {"stress", "all"}:
        run_stress(args.seed, limit, not args.no_reference)
    if args.case in {"mclp500", "all"}:
        run_mclp500(args.seed, limit, not args.no_reference)


if __name__ == "__main__":
    main()
