"""Private core: single-source assignment of demands to facilities with capacities and costs."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, sparse

from lvliang_coverage.optimise._pairs import Pairs
from lvliang_coverage.optimise.highs import (
    SolveReport,
    closed_form_report,
    combine_reports,
    run_milp,
)

NO_PAIR = "no_pair"
"""Reason: the demand has no allowed pair at all."""
TOO_LARGE = "too_large"
"""Reason: the demand is larger than the capacity of every facility it pairs with."""
NOT_SERVED = "not_served"
"""Reason: servable alone, but left out by the optimum (capacity or budget exhausted)."""


@dataclass(frozen=True)
class CoreResult:
    """Solution of the single-assignment core.

    Attributes
    ----------
    chosen : numpy.ndarray
        Boolean per pair (of the pairs given): the pair is used.
    opened : numpy.ndarray
        Boolean per facility: an optional facility opened (with at least one demand).
    reason : numpy.ndarray
        Object array per demand: None when served, else ``NO_PAIR``, ``TOO_LARGE`` or
        ``NOT_SERVED``.
    report : SolveReport
        Solver report; ``objective`` is the total cost (fixed + assignment).
    """

    chosen: np.ndarray
    opened: np.ndarray
    reason: np.ndarray
    report: SolveReport


def _cheapest_per_demand(i: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Positions of the cheapest pair of each demand (pairs need not be sorted)."""
    order = np.lexsort((cost, i))
    first = np.ones(len(order), dtype=bool)
    first[1:] = i[order][1:] != i[order][:-1]
    return order[first]


def solve_single_assignment(
    pairs: Pairs,
    *,
    pair_cost: np.ndarray,
    size: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    fixed_cost: np.ndarray,
    optional: np.ndarray,
    budget: float | None,
    time_limit_s: float,
    mip_rel_gap: float,
) -> CoreResult:
    """Assign each demand to at most one facility, serving the most weight at least cost.

    Lexicographic model: first maximise the weight served (subject to capacities and the
    budget), then minimise the total cost (fixed costs of optional facilities opened plus
    pair costs) among solutions serving that weight. The second phase alone is solved when
    capacities cannot bind and there is no budget; neither phase when, in addition, no
    facility is optional (each demand then takes its cheapest pair).

    Parameters
    ----------
    pairs : Pairs
        Allowed (demand, facility) pairs, deduplicated.
    pair_cost : numpy.ndarray
        Total cost of each pair if used (any unit, e.g. yuan or residents x minutes).
    size : numpy.ndarray
        Size of each demand counted against capacity (same unit as ``capacity``).
    weight : numpy.ndarray
        Priority of each demand in the first phase (e.g. residents).
    capacity : numpy.ndarray
        Capacity per facility (``inf`` for none).
    fixed_cost : numpy.ndarray
        Cost of opening each optional facility (ignored for facilities already open).
    optional : numpy.ndarray
        Boolean per facility: True when it may be opened (a candidate), False when open.
    budget : float, optional
        Upper bound on the total cost.
    time_limit_s, mip_rel_gap : float
        Solver settings for each phase.

    Returns
    -------
    CoreResult
        Pairs used, facilities opened, reasons for unserved demands and the solver report.
    """
    n_dem, n_fac = len(size), len(capacity)
    start = time.perf_counter()
    reason = np.full(n_dem, None, dtype=object)
    has_pair = np.bincount(pairs.i, minlength=n_dem) > 0
    fits = size[pairs.i] <= capacity[pairs.j]
    usable = pairs.subset(fits)
    cost = pair_cost[fits]
    has_usable = np.bincount(usable.i, minlength=n_dem) > 0
    reason[~has_pair] = NO_PAIR
    reason[has_pair & ~has_usable] = TOO_LARGE
    chosen_usable = np.zeros(len(usable), dtype=bool)
    opened = np.zeros(n_fac, dtype=bool)

    potential = np.bincount(usable.j, weights=size[usable.i], minlength=n_fac)
    binding = potential > capacity + 1e-9
    need_phase1 = budget is not None or bool(binding.any())
    any_optional = bool(optional[usable.j].any()) if len(usable) else False

    if len(usable) == 0:
        report = closed_form_report(0.0, time.perf_counter() - start, time_limit_s, mip_rel_gap)
        return CoreResult(np.zeros(len(pairs), dtype=bool), opened, reason, report)

    if not need_phase1 and not any_optional:
        best = _cheapest_per_demand(usable.i, cost)
        chosen_usable[best] = True
        report = closed_form_report(
            float(cost[best].sum()), time.perf_counter() - start, time_limit_s, mip_rel_gap
        )
    else:
        chosen_usable, opened, report = _solve_milp(
            usable,
            cost=cost,
            size=size,
            weight=weight,
            capacity=capacity,
            fixed_cost=fixed_cost,
            optional=optional,
            binding=binding,
            budget=budget,
            need_phase1=need_phase1,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
        )
    served = np.bincount(usable.i[chosen_usable], minlength=n_dem) > 0
    reason[has_usable & ~served] = NOT_SERVED
    chosen = np.zeros(len(pairs), dtype=bool)
    chosen[np.flatnonzero(fits)[chosen_usable]] = True
    return CoreResult(chosen, opened, reason, report)


def greedy_assignment(
    usable: Pairs,
    *,
    cost: np.ndarray,
    size: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    fixed_cost: np.ndarray,
    optional: np.ndarray,
    budget: float | None,
) -> np.ndarray:
    """Assign feasibly when the solver finds nothing: heaviest demands first, cheapest fit.

    Each demand in decreasing weight takes its cheapest pair whose facility has capacity
    left and whose cost (plus the facility's fixed cost when it is not open yet) fits in
    the budget left. Returns a boolean per pair: used.
    """
    left = capacity.astype(float).copy()
    is_open = ~optional.copy()
    spent = 0.0
    limit = np.inf if budget is None else budget
    chosen = np.zeros(len(usable), dtype=bool)
    order = np.lexsort((cost, usable.i))
    firsts = np.searchsorted(usable.i[order], np.arange(len(size) + 1))
    for d in np.argsort(-weight, kind="stable"):  # fallback only: one step per demand
        for p in order[firsts[d] : firsts[d + 1]]:
            j = int(usable.j[p])
            extra = cost[p] + (0.0 if is_open[j] else fixed_cost[j])
            if size[d] <= left[j] + 1e-9 and spent + extra <= limit + 1e-9:
                chosen[p] = True
                left[j] -= size[d]
                spent += extra
                is_open[j] = True
                break
    return chosen


@dataclass(frozen=True)
class _Model:
    """A built single-assignment model: variables x (pairs) | y (optional facilities) | u."""

    n_pair: int
    n_y: int
    n_act: int
    y_fac: np.ndarray
    cost: np.ndarray
    integrality: np.ndarray
    blocks: list[optimize.LinearConstraint]

    @property
    def n_var(self) -> int:
        return self.n_pair + self.n_y + self.n_act

    @property
    def u_cols(self) -> np.ndarray:
        return self.n_pair + self.n_y + np.arange(self.n_act)


def _build(
    usable: Pairs,
    a_of_pair: np.ndarray,
    n_act: int,
    *,
    cost: np.ndarray,
    size: np.ndarray,
    capacity: np.ndarray,
    fixed_cost: np.ndarray,
    optional: np.ndarray,
    binding: np.ndarray,
    budget: float | None,
) -> _Model:
    """Build the sparse constraint blocks; facilities not ``optional`` are open."""
    n_fac = len(capacity)
    n_pair = len(usable)
    y_fac = np.unique(usable.j[optional[usable.j]])
    n_y = len(y_fac)
    y_of_fac = np.full(n_fac, -1, dtype=np.int64)
    y_of_fac[y_fac] = np.arange(n_y)
    n_var = n_pair + n_y + n_act
    x_cols = np.arange(n_pair)
    u_cols = n_pair + n_y + np.arange(n_act)
    pair_y = y_of_fac[usable.j]
    linked = pair_y >= 0
    blocks: list[optimize.LinearConstraint] = []
    # Each demand: sum of its pairs + unserved slack = 1.
    rows = np.concatenate([a_of_pair, np.arange(n_act)])
    cols = np.concatenate([x_cols, u_cols])
    assign = sparse.csr_array((np.ones(n_pair + n_act), (rows, cols)), shape=(n_act, n_var))
    blocks.append(optimize.LinearConstraint(assign, 1.0, 1.0))
    # Linking: x_p <= y_k for pairs to optional facilities.
    if linked.any():
        rows = np.arange(int(linked.sum()))
        link = sparse.csr_array(
            (
                np.concatenate([np.ones(len(rows)), -np.ones(len(rows))]),
                (
                    np.concatenate([rows, rows]),
                    np.concatenate([x_cols[linked], n_pair + pair_y[linked]]),
                ),
            ),
            shape=(len(rows), n_var),
        )
        blocks.append(optimize.LinearConstraint(link, -np.inf, 0.0))
    # Capacity rows only where the potential load exceeds the capacity.
    cap_fac = np.flatnonzero(binding)
    if len(cap_fac):
        row_of_fac = np.full(n_fac, -1, dtype=np.int64)
        row_of_fac[cap_fac] = np.arange(len(cap_fac))
        in_cap = row_of_fac[usable.j] >= 0
        cap_opt = cap_fac[y_of_fac[cap_fac] >= 0]
        rows = np.concatenate([row_of_fac[usable.j[in_cap]], row_of_fac[cap_opt]])
        cols = np.concatenate([x_cols[in_cap], n_pair + y_of_fac[cap_opt]])
        data = np.concatenate([size[usable.i[in_cap]], -capacity[cap_opt]])
        cap = sparse.csr_array((data, (rows, cols)), shape=(len(cap_fac), n_var))
        upper = np.where(y_of_fac[cap_fac] >= 0, 0.0, capacity[cap_fac])
        blocks.append(optimize.LinearConstraint(cap, -np.inf, upper))
    cost_vec = np.concatenate([cost, fixed_cost[y_fac], np.zeros(n_act)])
    if budget is not None:
        row = sparse.csr_array(cost_vec[None, :])
        blocks.append(optimize.LinearConstraint(row, -np.inf, budget))
    integrality = np.concatenate([np.ones(n_pair + n_y), np.zeros(n_act)])
    return _Model(n_pair, n_y, n_act, y_fac, cost_vec, integrality, blocks)


def _solve_milp(
    usable: Pairs,
    *,
    cost: np.ndarray,
    size: np.ndarray,
    weight: np.ndarray,
    capacity: np.ndarray,
    fixed_cost: np.ndarray,
    optional: np.ndarray,
    binding: np.ndarray,
    budget: float | None,
    need_phase1: bool,
    time_limit_s: float,
    mip_rel_gap: float,
) -> tuple[np.ndarray, np.ndarray, SolveReport]:
    """Solve the one or two phases; the time limit covers both.

    Phase 1 (most weight served) needs no opening decisions without a budget: every
    facility is then taken as open. Phase 2 (least cost) gets the time phase 1 left, at
    least a twentieth of the limit; if it finds nothing, the phase-1 plan is kept.
    """
    n_fac = len(capacity)
    act, a_of_pair = np.unique(usable.i, return_inverse=True)
    n_act = len(act)
    w_act = weight[act]

    def build(may_open: np.ndarray) -> _Model:
        """Build the model; facilities not flagged in ``may_open`` are taken as open."""
        return _build(
            usable,
            a_of_pair,
            n_act,
            cost=cost,
            size=size,
            capacity=capacity,
            fixed_cost=fixed_cost,
            optional=may_open,
            binding=binding,
            budget=budget,
        )

    full = build(optional)
    lower = np.zeros(full.n_var)
    upper = np.ones(full.n_var)
    report1 = None
    chosen1: np.ndarray | None = None
    if need_phase1:
        first = full
        if budget is None:
            first = build(np.zeros(n_fac, dtype=bool))
        c1 = np.concatenate([np.zeros(first.n_pair + first.n_y), w_act])
        x1, report1 = run_milp(
            c1,
            first.integrality,
            np.zeros(first.n_var),
            np.ones(first.n_var),
            first.blocks,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
        )
        if x1 is None:  # the limit struck first: keep the greedy plan, phase 2 may improve it
            chosen1 = greedy_assignment(
                usable,
                cost=cost,
                size=size,
                weight=weight,
                capacity=capacity,
                fixed_cost=fixed_cost,
                optional=optional if budget is not None else np.zeros(n_fac, dtype=bool),
                budget=budget,
            )
            served1 = np.bincount(a_of_pair[chosen1], minlength=n_act) > 0
            unserved_w = float(w_act[~served1].sum())
            report1 = replace(
                report1,
                objective=unserved_w,
                mip_gap=abs(unserved_w - report1.dual_bound) / max(unserved_w, 1e-12)
                if np.isfinite(report1.dual_bound)
                else np.nan,
                message=f"{report1.message}; greedy assignment kept",
            )
        else:
            chosen1 = x1[: first.n_pair] > 0.5
            unserved_w = float(w_act @ np.clip(x1[first.u_cols], 0.0, 1.0))
        positive = w_act[w_act > 0]
        tol = 1e-6 * max(float(w_act.sum()), 1.0)
        if len(positive):
            tol = min(tol, 0.5 * float(positive.min()))
        row = sparse.csr_array(
            (w_act, (np.zeros(n_act, dtype=np.int64), full.u_cols)), shape=(1, full.n_var)
        )
        full.blocks.append(optimize.LinearConstraint(row, -np.inf, unserved_w + tol))
        limit2 = max(time_limit_s - report1.solve_seconds, 0.05 * time_limit_s)
    else:
        upper[full.u_cols] = 0.0
        limit2 = time_limit_s
    x2, report2 = run_milp(
        full.cost,
        full.integrality,
        lower,
        upper,
        full.blocks,
        time_limit_s=limit2,
        mip_rel_gap=mip_rel_gap,
    )
    if report1 is not None:
        report2 = replace(report2, time_limit_s=time_limit_s)
        report = combine_reports(report1, report2)
    else:
        report = report2
    chosen: np.ndarray
    if x2 is not None:
        chosen = x2[: full.n_pair] > 0.5
    else:  # the limit struck first: keep the phase-1 plan, or a greedy one
        if chosen1 is not None:
            chosen = chosen1
        else:
            chosen = greedy_assignment(
                usable,
                cost=cost,
                size=size,
                weight=weight,
                capacity=capacity,
                fixed_cost=fixed_cost,
                optional=optional,
                budget=None,
            )
        objective = float(cost[chosen].sum())
        used = np.unique(usable.j[chosen])
        objective += float(fixed_cost[used[optional[used]]].sum())
        bound = report.dual_bound
        gap = (objective - bound) / objective if np.isfinite(bound) and objective > 0 else np.nan
        report = replace(report, objective=objective, mip_gap=gap)
    opened = np.zeros(n_fac, dtype=bool)
    used = np.unique(usable.j[chosen])
    opened[used[optional[used]]] = True
    return chosen, opened, report
