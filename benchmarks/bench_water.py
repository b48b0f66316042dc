"""Benchmark: drinking-water siting on the whole default city, per county and as one model.

Loads the default data, builds the walking network the mains follow, then times the steps of
``plan_water``: the pairs (network distances, lifts, costs), the per-county models (one
``scipy.optimize.milp`` call per county), the same county-only pairs as one city-wide model
(the budget variant with a budget that never binds), and the route recovery for the map. The
two solves must give the same total cost; the ratio of their solver seconds is printed.

Run: /work/venv/bin/python benchmarks/bench_water.py
"""

from __future__ import annotations

import time

from lvliang_coverage.services.water.demand import unsafe_villages
from lvliang_coverage.services.water.pairs import supply_pairs
from lvliang_coverage.services.water.plan import plan_water
from lvliang_coverage.study import Study


def main() -> None:
    t0 = time.perf_counter()
    study = Study.default()
    net = study.network(study.rules.water.pipe_mode)
    print(f"load data and network: {time.perf_counter() - t0:6.2f} s")
    vil = unsafe_villages(study.villages, study.rules)
    t = time.perf_counter()
    pairs = supply_pairs(vil, study.water_sources, net, study.rules, dem=study.dem_path)
    print(
        f"pairs: {len(vil)} unsafe villages x {len(study.water_sources)} sources -> "
        f"{len(pairs)} pairs in {time.perf_counter() - t:6.2f} s"
    )
    args = (study.villages, study.water_sources, net)
    kw = {"rules": study.rules, "dem": study.dem_path, "routes": False}
    t = time.perf_counter()
    county = plan_water(*args, per_county=True, **kw)
    t_county = time.perf_counter() - t
    t = time.perf_counter()
    # a (non-binding) budget makes the counties share one model: the budget variant's city model
    city = plan_water(*args, per_county=True, budget=1e12, **kw)
    t_city = time.perf_counter() - t
    s_county, s_city = county.solves["solve_seconds"].sum(), city.solves["solve_seconds"].sum()
    n = len(county.solves)
    print(f"per county: {n} models, plan {t_county:6.2f} s, solver {s_county:6.3f} s")
    print(f"one city model: plan {t_city:6.2f} s, solver {s_city:6.3f} s")
    print(f"solver ratio city / per county: {s_city / max(s_county, 1e-9):6.1f}")
    a, b = county.summary()["total_yuan"], city.summary()["total_yuan"]
    print(f"total yuan per county {a:,.0f}, city {b:,.0f}, same: {abs(a - b) <= 1e-6 * a}")
    t = time.perf_counter()
    plan_water(*args, rules=study.rules, dem=study.dem_path, routes=True)
    print(f"plan with routes: {time.perf_counter() - t:6.2f} s")


if __name__ == "__main__":
    main()
