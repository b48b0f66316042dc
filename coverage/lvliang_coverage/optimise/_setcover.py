"""Private decomposed set covering: reduce, split into components, solve each exactly, sum."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from lvliang_coverage.optimise._greedy import cover_lp, greedy_cover, prune_cover
from lvliang_coverage.optimise._lpfix import lp_and_fix
from lvliang_coverage.optimise._parts import (
    ENUM_MAX_COLS,
    ENUM_MAX_ROWS,
    Clock,
    assemble,
    enumerate_subsets,
    rel_gap,
    subset_cols,
    summary,
    table,
)
from lvliang_coverage.optimise._reduce import components, reduce_cover
from lvliang_coverage.optimise._search import lagrangian_bound, neighbourhood_search
from lvliang_coverage.optimise.highs import SolveReport, run_milp

SEARCH_MIN_COLS = 2_000
"""Technical setting: components with more candidates are solved by Lagrangian bound and
neighbourhood search (HiGHS on the whole component does not finish its root LP in time)."""
LP_SHARE = 0.4
"""Technical setting: share of the time left the LP relaxation (bound and start) may take."""
LAGRANGE_SHARE = 0.15
"""Technical setting: share of the time left given to the Lagrangian bound (at most 10 s)."""
LPFIX_SHARE = 0.5
"""Technical setting: share of the time left after the LP that LP-and-fix may take."""
FALLBACK_BOUND_S = 1.0
"""Technical setting: seconds of Lagrangian bound when HiGHS stops without proving optimality."""


@dataclass(frozen=True)
class CoverSolution:
    """A decomposed set-covering solve.

    Attributes
    ----------
    chosen : numpy.ndarray
        Boolean per column of the matrix given: open.
    report : SolveReport
        Overall report (objective and bound summed over components).
    components : pandas.DataFrame
        One row per component (see ``_parts.TABLE_COLUMNS``).
    """

    chosen: np.ndarray
    report: SolveReport
    components: pd.DataFrame


@dataclass
class _Part:
    chosen: np.ndarray
    objective: float
    bound: float
    method: str
    phases: int = 0


def _milp(a: sparse.csr_array, cost: np.ndarray, clock: Clock, gap: float) -> tuple:
    """HiGHS on one component with the time left; returns (x or None, report)."""
    n = a.shape[1]
    return run_milp(
        cost,
        np.ones(n),
        np.zeros(n),
        np.ones(n),
        [optimize.LinearConstraint(a, 1.0, np.inf)],
        time_limit_s=max(clock.left, 1e-3),
        mip_rel_gap=gap,
    )


def _exact_or_none(
    clock: Clock,
) -> Callable[[sparse.csr_array, np.ndarray, float], np.ndarray | None]:
    """Component solver for LP-and-fix: enumeration when small, else HiGHS within its share."""

    def solve(a: sparse.csr_array, cost: np.ndarray, seconds: float) -> np.ndarray | None:
        if a.shape[1] <= ENUM_MAX_COLS and a.shape[0] <= ENUM_MAX_ROWS:
            return _enumerate(a, cost).chosen
        n = a.shape[1]
        x, _ = run_milp(
            cost,
            np.ones(n),
            np.zeros(n),
            np.ones(n),
            [optimize.LinearConstraint(a, 1.0, np.inf)],
            time_limit_s=max(min(seconds, clock.left), 1e-3),
            mip_rel_gap=0.0,
        )
        return None if x is None else prune_cover(a, x > 0.5, cost)

    return solve


def _integral_bound(bound: float, cost: np.ndarray) -> float:
    """Round a lower bound up when every cost is a whole number."""
    if np.isfinite(bound) and np.all(cost == np.round(cost)):
        return float(math.ceil(bound - 1e-6))
    return bound


def solve_component(
    a: sparse.csr_array, cost: np.ndarray, clock: Clock, mip_rel_gap: float
) -> _Part:
    """Solve one component from a greedy incumbent; the best cover found is kept.

    Up to :data:`SEARCH_MIN_COLS` candidates: HiGHS with the time left (its bound, or a
    short Lagrangian bound when it stops without one). Larger: the LP relaxation (interior
    point; a Lagrangian relaxation when it does not finish in time) gives the bound and two
    starts, the LP rounded up and LP-and-fix (its large values fixed, the residual components
    solved exactly within :data:`LPFIX_SHARE` of the time left); the better one is improved
    by neighbourhood search (small exact HiGHS sub-problems). The bound stays the LP's.
    """
    chosen = greedy_cover(a, cost)
    best = float(cost[chosen].sum())
    bound = float(cost.min()) if a.shape[0] else 0.0
    method, phases = "greedy", 0
    if a.shape[1] > SEARCH_MIN_COLS:
        lp, x = cover_lp(a, cost, LP_SHARE * clock.left)
        phases += 1
        if x is not None:  # LP bound, and the LP rounded up then completed as a start
            bound = max(bound, _integral_bound(lp, cost))
            cover: np.ndarray | None = greedy_cover(a, cost, first=np.flatnonzero(x > 0.5))
            method = "LP rounding"
            fixed = lp_and_fix(a, cost, x, LPFIX_SHARE * clock.left, _exact_or_none(clock))
            if cover is None or float(cost[fixed].sum()) < float(cost[cover].sum()):
                cover, method = fixed, "LP-and-fix"
        else:  # LP not done in time: a Lagrangian bound and cover instead
            lag, cover = lagrangian_bound(a, cost, best, min(LAGRANGE_SHARE * clock.left, 10.0))
            bound = max(bound, _integral_bound(lag, cost))
            method = "Lagrangian"
        if cover is not None and float(cost[cover].sum()) < best:
            chosen, best = cover, float(cost[cover].sum())
        else:
            method = "greedy"
        if rel_gap(best, bound, maximize=False) > mip_rel_gap and clock.left > 0.5:
            found, steps = neighbourhood_search(a, cost, chosen, clock.left)
            phases += steps
            if float(cost[found].sum()) < best:
                chosen, best, method = found, float(cost[found].sum()), "search"
        return _Part(chosen, best, min(bound, best), method, phases)
    if rel_gap(best, bound, maximize=False) <= mip_rel_gap or clock.left <= 0:
        return _Part(chosen, best, bound, method, phases)
    x, rep = _milp(a, cost, clock, mip_rel_gap)
    phases += 1
    if x is not None and rep.objective < best - 1e-9:
        chosen = prune_cover(a, x > 0.5, cost)
        best, method = float(cost[chosen].sum()), "HiGHS"
    elif x is not None and rep.status == "optimal":
        method = "HiGHS"
    if np.isfinite(rep.dual_bound):
        bound = max(bound, _integral_bound(rep.dual_bound, cost))
    if rep.status != "optimal":
        lag, _ = lagrangian_bound(a, cost, best, FALLBACK_BOUND_S)
        bound = max(bound, _integral_bound(lag, cost))
    return _Part(chosen, best, min(bound, best), method, phases)


def solve_set_cover(
    a: sparse.csr_array,
    cost: np.ndarray,
    *,
    time_limit_s: float,
    mip_rel_gap: float,
) -> CoverSolution:
    """Fewest-cost columns covering every row, by reductions and independent components.

    Reductions (forced and dominated columns, dominated rows) keep the optimum value;
    components of one candidate are solved in closed form, small ones by enumeration,
    larger ones by HiGHS from a greedy incumbent. All solver calls share ``time_limit_s``;
    a component cut short keeps its best cover and reports its own gap.

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows (demands to cover) x columns (candidates); every row has a column.
    cost : numpy.ndarray
        Cost per column (any unit, >= 0).
    time_limit_s : float
        Seconds for the whole solve.
    mip_rel_gap : float
        Relative gap at which a component counts as solved.

    Returns
    -------
    CoverSolution
        Open columns, overall report and per-component table.
    """
    clock = Clock(time_limit_s)
    cost = np.asarray(cost, dtype=float)
    red = reduce_cover(a, cost, set_cover=True)
    chosen = np.zeros(a.shape[1], dtype=bool)
    chosen[red.forced] = True
    forced_cost = float(cost[red.forced].sum())
    if red.matrix.shape[0] == 0:
        report = assemble(
            status_ok=True,
            objective=forced_cost,
            bound=forced_cost,
            maximize=False,
            base=0.0,
            clock=clock,
            n_variables=a.shape[1],
            n_constraints=a.shape[0],
            phases=0,
            message=f"solved by reductions alone ({len(red.forced)} forced candidates)",
            mip_rel_gap=mip_rel_gap,
        )
        return CoverSolution(chosen, report, table({}))
    comps = components(red.matrix)
    rows_of, cols_of = comps.members()
    rcost = cost[red.cols]
    n = comps.n
    method = np.full(n, "single", dtype=object)
    objective = np.zeros(n)
    bound = np.zeros(n)
    seconds = np.zeros(n)
    phases = 0
    for k in np.argsort(comps.n_pairs, kind="stable"):  # one step per component
        cols = cols_of[k]
        if len(cols) == 1:
            chosen[red.cols[cols]] = True
            objective[k] = bound[k] = rcost[cols[0]]
            continue
        tick = time.perf_counter()
        sub = sparse.csr_array(red.matrix[rows_of[k]][:, cols])
        if len(cols) <= ENUM_MAX_COLS and len(rows_of[k]) <= ENUM_MAX_ROWS:
            part = _enumerate(sub, rcost[cols])
        else:
            part = solve_component(sub, rcost[cols], clock, mip_rel_gap)
        phases += part.phases
        chosen[red.cols[cols[part.chosen]]] = True
        objective[k], bound[k], method[k] = part.objective, part.bound, part.method
        seconds[k] = time.perf_counter() - tick
    gaps = np.array([rel_gap(o, b, maximize=False) for o, b in zip(objective, bound, strict=True)])
    status = np.where(gaps <= mip_rel_gap + 1e-9, "optimal", "time_limit")
    comp = table(
        {
            "component": np.arange(n),
            "n_demand": comps.n_rows,
            "n_candidates": comps.n_cols,
            "n_pairs": comps.n_pairs,
            "method": method,
            "status": status,
            "objective": objective,
            "bound": bound,
            "gap": gaps,
            "seconds": seconds,
        }
    )
    report = assemble(
        status_ok=bool((status == "optimal").all()),
        objective=forced_cost + float(objective.sum()),
        bound=forced_cost + float(bound.sum()),
        maximize=False,
        base=0.0,
        clock=clock,
        n_variables=a.shape[1],
        n_constraints=a.shape[0],
        phases=phases,
        message=(
            f"set covering: {len(red.forced)} forced candidates, "
            f"{red.matrix.shape[0]} demands x {red.matrix.shape[1]} candidates after "
            f"reductions; {summary(comp)}"
        ),
        mip_rel_gap=mip_rel_gap,
    )
    return CoverSolution(chosen, report, comp)


def _enumerate(a: sparse.csr_array, cost: np.ndarray) -> _Part:
    """Cheapest cover of a small component by trying every subset of its columns."""
    masks, sizes = enumerate_subsets(a)
    n_r, n_c = a.shape
    full = np.uint64(2**n_r - 1) if n_r < 64 else np.uint64(2**64 - 1)
    costs = np.zeros(1)
    for j in range(n_c):  # one doubling per column
        costs = np.concatenate([costs, costs + cost[j]])
    feasible = np.flatnonzero(masks == full)
    pick = feasible[np.lexsort((sizes[feasible], costs[feasible]))[0]]
    chosen = np.zeros(n_c, dtype=bool)
    chosen[subset_cols(int(pick), n_c)] = True
    return _Part(chosen, float(costs[pick]), float(costs[pick]), "enumeration")
