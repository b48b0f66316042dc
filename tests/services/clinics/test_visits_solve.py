"""One clinic's month as a VRP: PyVRP against brute force, the enumeration, the baseline."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lvliang_coverage.services.clinics._visits_solve import (
    Problem,
    nearest_neighbour,
    optimum_seconds,
    route_seconds,
    solve_clinic,
)

DAY = 8 * 3600


def brute_force(problem: Problem) -> int | None:
    """Every order of the stops cut into days in every way: the least total seconds."""
    n, d, s = problem.n, problem.duration, problem.service
    best = None
    for perm in itertools.permutations(range(1, n + 1)):
        for cuts in itertools.product((False, True), repeat=n - 1):
            days, day = [], [perm[0]]
            for cut, stop in zip(cuts, perm[1:], strict=True):
                if cut:
                    days.append(day)
                    day = [stop]
                else:
                    day.append(stop)
            days.append(day)
            if len(days) > problem.max_days:
                continue
            total = 0
            for day in days:
                path = [0, *day, 0]
                seconds = sum(int(d[a, b]) for a, b in itertools.pairwise(path))
                seconds += sum(int(s[k - 1]) for k in day)
                if seconds > problem.day_s:
                    break
                total += seconds
            else:
                best = total if best is None else min(best, total)
    return best


def random_problem(rng, n, *, max_days=22, day_s=DAY, service=(600, 9000)):
    xy = rng.uniform(0, 40_000, (n + 1, 2))
    metres = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    detour = rng.uniform(1.0, 1.5, (n + 1, n + 1))  # asymmetric
    duration = np.rint(metres * detour / 8.0).astype(np.int64)
    np.fill_diagonal(duration, 0)
    stops = rng.integers(*service, n).astype(np.int64)
    alone = duration[0, 1:] + stops + duration[1:, 0]
    stops = np.minimum(stops, day_s - duration[0, 1:] - duration[1:, 0])  # every stop fits alone
    assert (stops > 0).all()
    assert (alone > 0).all()
    return Problem(duration, stops, day_s, max_days)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7])
def test_pyvrp_is_proven_optimal_against_brute_force(n):
    rng = np.random.default_rng(100 + n)
    for _ in range(3 if n < 7 else 1):
        problem = random_problem(rng, n, service=(3000, 12000))  # one to several days
        best = brute_force(problem)
        plan = solve_clinic(problem, time_limit_s=5.0, no_improvement=300, exact_max_stops=7)
        assert plan.cost_s == best
        assert plan.optimum_s == best
        assert plan.status == "optimal"
        assert sorted(np.concatenate(plan.routes).tolist()) == list(range(1, n + 1))
        assert all(route_seconds(problem, r) <= problem.day_s for r in plan.routes)


@pytest.mark.parametrize("n", [2, 4, 6])
def test_enumeration_matches_brute_force_with_few_days(n):
    rng = np.random.default_rng(n)
    for _ in range(4):
        # long visits: several days needed, and the month's days may run out
        problem = random_problem(
            rng, n, max_days=int(rng.integers(1, n + 1)), service=(8000, 20000)
        )
        assert optimum_seconds(problem) == brute_force(problem)


def test_a_plan_over_the_month_keeps_every_stop_and_is_flagged_by_its_days():
    rng = np.random.default_rng(3)
    problem = random_problem(rng, 5, max_days=1, service=(20000, 24000))  # each fills a day
    plan = solve_clinic(problem, time_limit_s=5.0, no_improvement=200, exact_max_stops=7)
    assert len(plan.routes) == 5 > problem.max_days
    assert plan.status == "optimal"  # against the least days over the month
    assert plan.cost_s == brute_force(Problem(problem.duration, problem.service, DAY, 5))


def test_larger_clinics_are_heuristic_and_feasible():
    rng = np.random.default_rng(11)
    problem = random_problem(rng, 12)
    plan = solve_clinic(problem, time_limit_s=5.0, no_improvement=200, exact_max_stops=7)
    assert plan.status == "heuristic"
    assert plan.optimum_s is None
    assert sorted(np.concatenate(plan.routes).tolist()) == list(range(1, 13))
    assert all(route_seconds(problem, r) <= DAY for r in plan.routes)
    assert plan.cost_s <= sum(route_seconds(problem, r) for r in nearest_neighbour(problem))


def test_nearest_neighbour_by_hand():
    # clinic 0; stops 1, 2, 3 at 10, 20, 30 minutes along a line, 1 hour each
    t = np.array([[0, 10, 20, 30], [10, 0, 10, 20], [20, 10, 0, 10], [30, 20, 10, 0]]) * 60
    problem = Problem(t.astype(np.int64), np.full(3, 3600, dtype=np.int64), 4 * 3600, 22)
    days = nearest_neighbour(problem)
    # day 1: 1, 2, 3 would end at 30 + 3 x 60 + 30 = 240 min = the limit: all fit
    assert [d.tolist() for d in days] == [[1, 2, 3]]
    tight = Problem(problem.duration, problem.service, 4 * 3600 - 1, 22)
    assert [d.tolist() for d in nearest_neighbour(tight)] == [[1, 2], [3]]


def test_empty_clinic():
    plan = solve_clinic(
        Problem(np.zeros((1, 1), dtype=np.int64), np.zeros(0, dtype=np.int64), DAY, 22),
        time_limit_s=1.0,
        no_improvement=10,
        exact_max_stops=7,
    )
    assert plan.routes == ()
    assert plan.status == "no_visits"


def test_of_equal_times_the_fewest_days():
    # every way between stops runs through the clinic: any split into days takes the same
    # time, so one day (it fits) is the plan, by PyVRP and by the enumeration alike
    out = np.array([0, 300, 600, 900])
    duration = (out[:, None] + out[None, :]).astype(np.int64)
    np.fill_diagonal(duration, 0)
    problem = Problem(duration, np.full(3, 1800, dtype=np.int64), DAY, 22)
    plan = solve_clinic(problem, time_limit_s=5.0, no_improvement=200, exact_max_stops=7)
    assert len(plan.routes) == 1
    assert plan.status == "optimal"
    assert plan.cost_s == brute_force(problem) == optimum_seconds(problem)
