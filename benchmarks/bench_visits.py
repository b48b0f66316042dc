"""Benchmark: the monthly visits of every village doctor of the default city, against a baseline.

Loads the default data and the motorcycle network, then times ``run_visits`` (patients,
clinics, leg matrices, one PyVRP model per clinic; target: at most 60 s on a 2-core
machine). In the same run, every clinic is also planned the usual way by hand (nearest
neighbour: go to the nearest unvisited village that still fits the day, return when none
does; :func:`nearest_neighbour`) on the same integer-second matrices, and the two are
compared: total monthly hours, the share of clinics where the solver is better, and whether
it is never worse. Also printed: how many plans are proven optimal (enumeration), the days
needed and the villages beyond a day.

Run: .venv/bin/python benchmarks/bench_visits.py
"""

from __future__ import annotations

import os
import time

import numpy as np

from lvliang_coverage.services.clinics._visits_solve import nearest_neighbour, plan_seconds
from lvliang_coverage.services.clinics.visits import run_visits
from lvliang_coverage.study import Study

TARGET_S = 60.0


def main() -> None:
    t0 = time.perf_counter()
    study = Study.default()
    study.network(study.rules.raw["visits"]["mode"])
    print(f"load data and network: {time.perf_counter() - t0:6.2f} s")
    t = time.perf_counter()
    result = run_visits(study, study.rules)
    elapsed = time.perf_counter() - t
    c = result.plan.clinics
    verdict = "within" if elapsed <= TARGET_S else "OVER"
    print(
        f"plan: {len(c)} clinics, {len(result.villages)} villages in {elapsed:6.2f} s "
        f"({verdict} the {TARGET_S:.0f} s target; load average {os.getloadavg()[0]:.1f})"
    )
    print(f"  of which PyVRP and enumeration: {c['solve_seconds'].sum():6.2f} s")
    t = time.perf_counter()
    solver_s, baseline_s, baseline_days = [], [], 0
    for row in c.itertuples(index=False):
        problem = result.plan.problems[str(row.clinic_id)]
        solver_s.append(round(row.cost_min * 60.0))
        days = nearest_neighbour(problem) if problem.n else ()
        baseline_s.append(plan_seconds(problem, days))
        baseline_days += len(days)
    base_time = time.perf_counter() - t
    solver, baseline = np.asarray(solver_s), np.asarray(baseline_s)
    better = solver < baseline
    worse = solver > baseline
    print(f"baseline (nearest neighbour): {base_time:6.2f} s")
    print(
        f"total monthly hours: solver {solver.sum() / 3600:,.1f} h, nearest neighbour "
        f"{baseline.sum() / 3600:,.1f} h, saved {(baseline.sum() - solver.sum()) / 3600:,.1f} h "
        f"({1 - solver.sum() / max(baseline.sum(), 1):.1%})"
    )
    travel = baseline.sum() - solver.sum()
    print(
        f"travel hours: solver {c['travel_hours'].sum():,.1f} h "
        f"(the time at the villages, {solver.sum() / 3600 - c['travel_hours'].sum():,.1f} h, "
        f"is the same in both plans; the solver saves {travel / 3600:,.1f} h of travel)"
    )
    print(f"days needed: solver {c['days_needed'].sum()}, nearest neighbour {baseline_days}")
    print(
        f"clinics where the solver is better: {better.sum()} of {len(c)} ({better.mean():.1%}); "
        f"worse: {worse.sum()} (never worse: {not worse.any()})"
    )
    s = result.summary()
    print(
        f"proven optimal: {s['clinics_optimal']} clinics; heuristic: {s['clinics_heuristic']}; "
        f"days needed {s['days_needed']}, clinics over the month {s['clinics_over_month']}, "
        f"hours {s['hours']:,.1f}, km {s['km']:,.1f}, villages beyond a day "
        f"{s['villages_beyond_day']}, unreachable {s['villages_unreachable']}"
    )


if __name__ == "__main__":
    main()
