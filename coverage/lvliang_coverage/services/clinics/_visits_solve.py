"""One clinic's month of visits as a vehicle-routing problem: PyVRP, enumeration, a baseline."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np

STATUSES = ("optimal", "heuristic", "no_visits")
"""Solver status of a clinic's plan: proven optimal (PyVRP's plan equals the enumerated
optimum of a small clinic), heuristic (PyVRP's best plan within its limits, optimality not
proven) or no village to visit."""

QUICK_NO_IMPROVEMENT = 25
"""Iterations without improvement of the first, short PyVRP search of a clinic small enough
to enumerate; when its plan falls short of the optimum, the full search follows."""

MAX_EXACT_STOPS = 10
"""Most stops the enumeration accepts (3^n subset pairs; 10 stops: 59,049)."""


@dataclass(frozen=True)
class Problem:
    """The visits of one clinic in integer seconds, the clinic first (index 0).

    Attributes
    ----------
    duration : numpy.ndarray
        ``(n + 1) x (n + 1)`` travel seconds, row = from, column = to (asymmetric); 0 is the
        clinic, 1..n the stops.
    service : numpy.ndarray
        Seconds spent at each of the n stops (the stop plus its patients).
    day_s : int
        Longest day from the clinic back to it, seconds.
    max_days : int
        Days (doctor-days) of the month.
    """

    duration: np.ndarray
    service: np.ndarray
    day_s: int
    max_days: int

    @property
    def n(self) -> int:
        """Number of stops."""
        return len(self.service)


@dataclass(frozen=True)
class Plan:
    """A month's plan of one clinic.

    Attributes
    ----------
    routes : tuple of numpy.ndarray
        Each day's stops (1..n, as in :class:`Problem`) in visiting order.
    cost_s : int
        Total working seconds of the month: travel plus time at the stops.
    status : str
        One of :data:`STATUSES`.
    optimum_s : int or None
        The enumerated optimum (small clinics), None where not enumerated.
    solve_seconds : float
        Wall-clock seconds of the search.
    iterations : int
        PyVRP iterations.
    """

    routes: tuple[np.ndarray, ...]
    cost_s: int
    status: str
    optimum_s: int | None
    solve_seconds: float
    iterations: int


def route_seconds(problem: Problem, route: np.ndarray) -> int:
    """Seconds of one day: from the clinic through ``route`` (stops 1..n) and back."""
    path = np.r_[0, route, 0]
    return int(problem.duration[path[:-1], path[1:]].sum() + problem.service[route - 1].sum())


def plan_seconds(problem: Problem, routes: tuple[np.ndarray, ...]) -> int:
    """Total seconds of a plan (every day's travel and stops)."""
    return sum(route_seconds(problem, r) for r in routes)


def nearest_neighbour(problem: Problem) -> tuple[np.ndarray, ...]:
    """Plan as by hand: go to the nearest unvisited stop that still fits the day.

    Each day leaves the clinic for the stop of least travel time whose visit and the way
    back still fit the working day, repeats from there, and returns when none fits. The
    baseline the solver is measured against (every stop must fit a day on its own).

    Parameters
    ----------
    problem : Problem
        The clinic's stops.

    Returns
    -------
    tuple of numpy.ndarray
        Each day's stops in visiting order.
    """
    d, s = problem.duration, problem.service
    left = np.ones(problem.n + 1, dtype=bool)
    left[0] = False
    routes = []
    while left.any():
        cur, used, route = 0, 0, []
        while True:
            fits = left & (used + d[cur] + np.r_[0, s] + d[:, 0] <= problem.day_s)
            fits[0] = False
            if not fits.any():
                break
            nxt = int(np.flatnonzero(fits)[np.argmin(d[cur][fits])])
            used += int(d[cur, nxt] + s[nxt - 1])
            left[nxt] = False
            route.append(nxt)
            cur = nxt
        if not route:  # a stop that fits no day (the caller lists those apart)
            msg = "a stop does not fit a working day on its own"
            raise ValueError(msg)
        routes.append(np.asarray(route, dtype=np.int64))
    return tuple(routes)


@functools.cache
def _subset_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (S, T): T a subset of S holding S's lowest member, over every nonempty S < 2^n."""
    s_all, t_all = [], []
    for s in range(1, 1 << n):
        low = s & -s
        rest = s ^ low
        sub = rest
        while True:  # every subset of the rest, plus the lowest member
            s_all.append(s)
            t_all.append(sub | low)
            if sub == 0:
                break
            sub = (sub - 1) & rest
    return np.asarray(s_all, dtype=np.int64), np.asarray(t_all, dtype=np.int64)


def scale(problem: Problem) -> int:
    """Weight of a second against a day in the objective: more than any number of days.

    Plans are compared by total seconds first and by days second (fewer days when the time
    is the same): objective = seconds x ``scale`` + days, with ``scale`` = stops + 1.
    """
    return problem.n + 1


def objective(problem: Problem, routes: tuple[np.ndarray, ...]) -> int:
    """Score a plan: total seconds first, then days (see :func:`scale`)."""
    return plan_seconds(problem, routes) * scale(problem) + len(routes)


def optimum_seconds(problem: Problem) -> int | None:
    """Find the least total seconds of any plan by enumeration (small clinics only).

    Held-Karp gives the fastest single day over every subset of stops (within the working
    day), then a set partition over at most ``max_days`` days takes the cheapest days that
    visit every stop once (of equal seconds, the fewest days: :func:`optimum_objective`).

    Parameters
    ----------
    problem : Problem
        At most :data:`MAX_EXACT_STOPS` stops.

    Returns
    -------
    int or None
        Seconds; None when no plan fits the month.

    Raises
    ------
    ValueError
        With more than :data:`MAX_EXACT_STOPS` stops.
    """
    best = optimum_objective(problem)
    return None if best is None else best // scale(problem)


def optimum_objective(problem: Problem) -> int | None:
    """Find the least :func:`objective` of any plan by enumeration (see :func:`optimum_seconds`).

    Raises
    ------
    ValueError
        With more than :data:`MAX_EXACT_STOPS` stops.
    """
    n = problem.n
    if n > MAX_EXACT_STOPS:
        msg = f"enumeration takes at most {MAX_EXACT_STOPS} stops, got {n}"
        raise ValueError(msg)
    if n == 0:
        return 0
    d = problem.duration.astype(float)
    s = problem.service.astype(float)
    full = 1 << n
    best = np.full((full, n), np.inf)  # from the clinic through a subset, ending at a stop
    bits = 1 << np.arange(n)
    best[bits, np.arange(n)] = d[0, 1:] + s
    masks = np.arange(full)
    size = np.zeros(full, dtype=np.int64)
    for j in range(n):
        size += (masks >> j) & 1
    for k in range(2, n + 1):
        layer = masks[size == k]
        for j in range(n):
            m = layer[(layer >> j) & 1 == 1]
            prev = m ^ (1 << j)
            best[m, j] = (best[prev] + d[1:, j + 1][None, :]).min(axis=1) + s[j]
    day = (best + d[1:, 0][None, :]).min(axis=1)
    day[0] = np.inf
    day[day > problem.day_s] = np.inf
    day = day * scale(problem) + 1.0  # seconds first, then days
    s_of, t_of = _subset_pairs(n)
    cover = np.full(full, np.inf)
    cover[0] = 0.0
    for _ in range(min(problem.max_days, n)):
        step = cover.copy()
        np.minimum.at(step, s_of, day[t_of] + cover[s_of ^ t_of])
        if np.array_equal(step, cover):
            break
        cover = step
    out = cover[full - 1]
    return round(float(out)) if np.isfinite(out) else None


def _pyvrp_routes(
    problem: Problem, days: int, *, time_limit_s: float, no_improvement: int, seed: int
) -> tuple[tuple[np.ndarray, ...], int, bool]:
    """Solve with PyVRP (days as vehicles, a duration limit per day); routes, iterations, ok."""
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve  # noqa: PLC0415
    from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement  # noqa: PLC0415

    n = problem.n
    matrix = np.ascontiguousarray(problem.duration, dtype=np.int64)
    data = ProblemData(
        locations=[Location(0.0, 0.0) for _ in range(n + 1)],
        clients=[
            Client(location=i + 1, service_duration=int(problem.service[i])) for i in range(n)
        ],
        depots=[Depot(location=0)],
        vehicle_types=[
            VehicleType(
                num_available=days,
                shift_duration=int(problem.day_s),
                fixed_cost=1,  # of equal seconds, fewer days
                unit_distance_cost=0,
                unit_duration_cost=scale(problem),
            )
        ],
        distance_matrices=[matrix],  # type: ignore[list-item]  # unused in the cost
        duration_matrices=[matrix],  # type: ignore[list-item]
    )
    stop = MultipleCriteria([MaxRuntime(time_limit_s), NoImprovement(no_improvement)])
    res = solve(data, stop=stop, seed=seed, display=False, collect_stats=False)
    best = res.best
    routes = tuple(
        np.asarray([a.idx + 1 for a in r.schedule() if a.is_client()], dtype=np.int64)
        for r in best.routes()
    )
    ok = bool(best.is_feasible()) and sum(len(r) for r in routes) == n
    return tuple(r for r in routes if len(r)), int(res.num_iterations), ok


def solve_clinic(
    problem: Problem,
    *,
    time_limit_s: float,
    no_improvement: int,
    exact_max_stops: int,
    seed: int = 1,
) -> Plan:
    """Plan one clinic's month: fewest working seconds, each day within the working day.

    PyVRP (hybrid genetic search, a heuristic) searches within ``time_limit_s`` seconds or
    until ``no_improvement`` iterations bring nothing better, with one vehicle per stop (a
    stop's visit fits a day on its own, so a plan always exists); when that plan needs more
    days than the month has, it searches again with the month's days. Clinics of at most
    ``exact_max_stops`` stops are also enumerated (:func:`optimum_seconds`): the plan is
    ``optimal`` when PyVRP's cost equals that optimum, else ``heuristic``.

    Parameters
    ----------
    problem : Problem
        The clinic's stops; each must fit a working day on its own.
    time_limit_s : float
        PyVRP's time limit, seconds.
    no_improvement : int
        PyVRP stops after this many iterations without a better plan.
    exact_max_stops : int
        Enumerate clinics with at most this many stops (at most :data:`MAX_EXACT_STOPS`).
    seed : int
        PyVRP's random seed (the same seed gives the same plan).

    Returns
    -------
    Plan
        The plan, its cost in seconds and its status.
    """
    started = time.perf_counter()
    if problem.n == 0:
        return Plan((), 0, "no_visits", 0, 0.0, 0)
    small = problem.n <= min(exact_max_stops, MAX_EXACT_STOPS)
    optimum = optimum_objective(problem) if small else None
    budgets = (
        [min(QUICK_NO_IMPROVEMENT, no_improvement), no_improvement] if small else [no_improvement]
    )
    routes: tuple[np.ndarray, ...] = ()
    iterations = 0
    for budget in budgets:
        search = functools.partial(
            _pyvrp_routes, time_limit_s=time_limit_s, no_improvement=budget, seed=seed
        )
        routes, its, ok = search(problem, problem.n)
        iterations += its
        if not ok:  # never expected: every stop fits alone; keep a plan that does
            routes = nearest_neighbour(problem)
        if len(routes) > problem.max_days:
            tight, more, tight_ok = search(problem, problem.max_days)
            iterations += more
            if tight_ok:
                routes = tight
        if optimum is None or objective(problem, routes) <= optimum:
            break
    if small and optimum is None and len(routes) > problem.max_days:  # no plan fits the month
        optimum = optimum_objective(
            Problem(problem.duration, problem.service, problem.day_s, problem.n)
        )
    proven = optimum is not None and objective(problem, routes) <= optimum
    return Plan(
        routes,
        plan_seconds(problem, routes),
        "optimal" if proven else "heuristic",
        None if optimum is None else optimum // scale(problem),
        time.perf_counter() - started,
        iterations,
    )
