"""Private decomposed maximal covering: exact curves per component merged by a max-plus DP."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from lvliang_coverage.optimise._greedy import greedy_max_cover, max_cover_lp
from lvliang_coverage.optimise._parts import (
    ENUM_MAX_COLS,
    ENUM_MAX_ROWS,
    Clock,
    assemble,
    enumerate_subsets,
    mask_weights,
    rel_gap,
    subset_cols,
    summary,
    table,
)
from lvliang_coverage.optimise._reduce import Components, components, reduce_cover
from lvliang_coverage.optimise.highs import SolveReport, run_milp

CURVE_MAX_K = 60
"""Technical setting: a component needing more sites than this to be covered whole is not
split into per-p solves; the reduced model is then solved directly for each p asked."""
MILP_SHARE = 0.6
"""Technical setting: share of a p's time HiGHS gets in the direct path (the LP bound the rest)."""
CURVE_MAX_COLS = 150
"""Technical setting: ... nor is a component with more candidates than this."""


@dataclass(frozen=True)
class CurvePoint:
    """The plan for one p.

    Attributes
    ----------
    p : int
        New facilities allowed.
    chosen : numpy.ndarray
        Boolean per column of the matrix given: open.
    report : SolveReport
        Report of this p (objective and bound include the base weight).
    """

    p: int
    chosen: np.ndarray
    report: SolveReport


@dataclass(frozen=True)
class MaxCoverSolution:
    """Plans for every p asked, and the per-component table."""

    points: list[CurvePoint]
    components: pd.DataFrame


@dataclass
class _Curve:
    """Exact (or bounded) best weight per k = 0..K of one component, with a plan per k."""

    low: np.ndarray
    high: np.ndarray
    plans: list[np.ndarray]
    method: str
    phases: int = 0


class _Milp:
    """Maximal covering of one (sub)matrix for any k: y (columns) | z (rows)."""

    def __init__(self, a: sparse.csr_array, weight: np.ndarray) -> None:
        n_r, n_c = a.shape
        self.n_c, self.weight = n_c, weight
        self.cover = sparse.hstack(
            [-sparse.csr_array(a, dtype=float), sparse.eye_array(n_r)], format="csr"
        )
        self.count = sparse.csr_array(np.concatenate([np.ones(n_c), np.zeros(n_r)])[None, :])
        self.c = np.concatenate([np.zeros(n_c), weight])
        self.integrality = np.concatenate([np.ones(n_c), np.zeros(n_r)])

    def solve(self, k: int, seconds: float, gap: float) -> tuple[np.ndarray | None, SolveReport]:
        n = len(self.c)
        x, rep = run_milp(
            self.c,
            self.integrality,
            np.zeros(n),
            np.ones(n),
            [
                optimize.LinearConstraint(self.cover, -np.inf, 0.0),
                optimize.LinearConstraint(self.count, 0.0, float(k)),
            ],
            time_limit_s=max(seconds, 1e-3),
            mip_rel_gap=gap,
            maximize=True,
        )
        return (None if x is None else x[: self.n_c] > 0.5), rep


def _covered(a: sparse.csr_array, cols: np.ndarray, weight: np.ndarray) -> float:
    """Weight of the rows that the columns ``cols`` cover."""
    mask = np.zeros(a.shape[1], dtype=np.int64)
    mask[cols] = 1
    return float(weight[(a @ mask) > 0].sum())


def _top_bound(a: sparse.csr_array, weight: np.ndarray, k: int) -> float:
    """Upper bound for k columns: the k heaviest columns' weights summed (at most the total)."""
    gain = np.sort(sparse.csr_array(a.T) @ weight)[::-1]
    return float(min(weight.sum(), gain[:k].sum()))


def _enumerated(a: sparse.csr_array, weight: np.ndarray, p_max: int) -> _Curve:
    """Compute the exact curve of a small component from every subset of its columns."""
    masks, sizes = enumerate_subsets(a)
    values = mask_weights(masks, weight)
    total = float(weight.sum())
    low, plans = [0.0], [np.zeros(0, dtype=np.int64)]
    for k in range(1, min(a.shape[1], p_max) + 1):  # at most ENUM_MAX_COLS steps
        pick = int(np.flatnonzero(sizes <= k)[np.argmax(values[sizes <= k])])
        low.append(float(values[pick]))
        plans.append(subset_cols(pick, a.shape[1]))
        if low[-1] >= total - 1e-9:
            break
    arr = np.asarray(low)
    return _Curve(arr, arr.copy(), plans, "enumeration")


def _solved(
    a: sparse.csr_array, weight: np.ndarray, order: np.ndarray, clock: Clock, gap: float
) -> _Curve:
    """Compute the curve of a component by one HiGHS solve per k, from the greedy plans."""
    total = float(weight.sum())
    model = _Milp(a, weight)
    low, high, plans = [0.0], [0.0], [np.zeros(0, dtype=np.int64)]
    phases, exact = 0, True
    for k in range(1, len(order) + 1):  # one solve per k up to the greedy cover size
        plan = order[:k]
        value = _covered(a, plan, weight)
        bound = _top_bound(a, weight, k)
        if clock.left > 0:
            x, rep = model.solve(k, clock.left, gap)
            phases += 1
            if x is not None and rep.objective > value + 1e-9:
                plan, value = np.flatnonzero(x), rep.objective
            if np.isfinite(rep.dual_bound):
                bound = min(bound, rep.dual_bound)
            if rep.status == "optimal" and x is not None:
                bound = min(bound, max(value, rep.dual_bound))
        exact &= rel_gap(value, bound, maximize=True) <= gap
        low.append(value)
        high.append(max(bound, value))
        plans.append(plan)
        if value >= total - 1e-9:
            break
    return _Curve(np.asarray(low), np.asarray(high), plans, "HiGHS" if exact else "greedy")


def _merge(curves: list[np.ndarray], p_max: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Max-plus merge: best total for each p = 0..p_max and the k chosen per curve and p."""
    best = np.zeros(p_max + 1)
    choices: list[np.ndarray] = []
    for g in curves:  # one step per component, then one vectorised shift per k
        new = best + g[0]
        arg = np.zeros(p_max + 1, dtype=np.int64)
        for k in range(1, min(len(g) - 1, p_max) + 1):
            cand = np.full(p_max + 1, -np.inf)
            cand[k:] = best[: p_max + 1 - k] + g[k]
            better = cand > new + 1e-9
            new = np.where(better, cand, new)
            arg[better] = k
        best = new
        choices.append(arg)
    return best, choices


def solve_max_cover(
    a: sparse.csr_array,
    weight: np.ndarray,
    p_values: list[int],
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    base: float = 0.0,
) -> MaxCoverSolution:
    """Most weight covered by at most p columns, for every p asked at once.

    Dominated columns are dropped; each independent component gets its exact curve (closed
    form for one candidate, enumeration when small, one HiGHS solve per k otherwise, each
    from the greedy plan), and a max-plus DP over the components gives the optimum for every
    p. A component too large for per-k solves makes the reduced model be solved directly for
    each p (greedy incumbent kept when the solver finds nothing better). All solver calls
    share ``time_limit_s``; a plan is always returned, with its gap.

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows (demands with weight > 0) x columns (candidates).
    weight : numpy.ndarray
        Weight per row (residents), > 0.
    p_values : list of int
        Numbers of new facilities, ascending, unique.
    time_limit_s, mip_rel_gap : float
        Seconds for all solver calls together; relative gap target.
    base : float, default 0.0
        Weight covered already (existing facilities), added to objectives and bounds.

    Returns
    -------
    MaxCoverSolution
        One plan per p and the per-component table.
    """
    clock = Clock(time_limit_s)
    red = reduce_cover(a, np.ones(a.shape[1]), set_cover=False)
    p_max = max(p_values)
    m = red.matrix
    if m.shape[0] == 0 or m.shape[1] == 0 or p_max == 0:
        return _direct(a, m, red.cols, weight, p_values, clock, mip_rel_gap, base, "closed form")
    comps = components(m)
    rows_of, cols_of = comps.members()
    totals = np.bincount(comps.row_label, weights=weight, minlength=comps.n)
    single = np.flatnonzero(comps.n_cols == 1)
    by_weight = single[np.argsort(-totals[single], kind="stable")]
    col_of = np.zeros(comps.n, dtype=np.int64)
    alone = comps.n_cols[comps.col_label] == 1
    col_of[comps.col_label[alone]] = np.flatnonzero(alone)
    prefix = np.concatenate([[0.0], np.cumsum(totals[by_weight])])[: p_max + 1]
    curves = [_Curve(prefix, prefix.copy(), [], "single")]
    owners: list[np.ndarray] = [col_of[by_weight]]
    seconds = np.zeros(comps.n)
    method = np.full(comps.n, "single", dtype=object)
    for k in np.argsort(comps.n_pairs, kind="stable"):  # one step per component
        cols = cols_of[k]
        if len(cols) == 1:
            continue
        tick = time.perf_counter()
        sub = sparse.csr_array(m[rows_of[k]][:, cols])
        w = weight[rows_of[k]]
        if len(cols) <= ENUM_MAX_COLS and len(rows_of[k]) <= ENUM_MAX_ROWS:
            curve = _enumerated(sub, w, p_max)
        else:
            order = greedy_max_cover(sub, w, p_max)
            if len(order) > CURVE_MAX_K or len(cols) > CURVE_MAX_COLS:
                how = f"direct (a component of {len(cols)} candidates, {len(order)} sites)"
                return _direct(a, m, red.cols, weight, p_values, clock, mip_rel_gap, base, how)
            curve = _solved(sub, w, order, clock, mip_rel_gap)
        curves.append(curve)
        owners.append(cols)
        method[k] = curve.method
        seconds[k] = time.perf_counter() - tick
    low, choices = _merge([c.low for c in curves], p_max)
    high, _ = _merge([np.minimum.accumulate(c.high[::-1])[::-1] for c in curves], p_max)
    comp = _table(comps, curves, owners, totals, method, seconds)
    points = []
    phases = sum(c.phases for c in curves)
    message = f"maximal covering, curve merged over components: {summary(comp)}"
    for p in p_values:
        chosen = np.zeros(a.shape[1], dtype=bool)
        left = p
        for curve, own, arg in zip(curves[::-1], owners[::-1], choices[::-1], strict=True):
            k = int(arg[left])
            left -= k
            if k == 0:
                continue
            picked = own[:k] if curve.method == "single" else own[curve.plans[k]]
            chosen[red.cols[picked]] = True
        report = assemble(
            status_ok=True,
            objective=float(low[p]),
            bound=float(max(high[p], low[p])),
            maximize=True,
            base=base,
            clock=clock,
            n_variables=a.shape[1] + a.shape[0],
            n_constraints=a.shape[0] + 1,
            phases=phases,
            message=message,
            mip_rel_gap=mip_rel_gap,
        )
        points.append(CurvePoint(p, chosen, report))
    return MaxCoverSolution(points, comp)


def _table(  # noqa: PLR0917 - internal
    comps: Components,
    curves: list[_Curve],
    owners: list[np.ndarray],
    totals: np.ndarray,
    method: np.ndarray,
    seconds: np.ndarray,
) -> pd.DataFrame:
    """Per component: sizes, method, full-coverage weight and the worst gap along its curve."""
    objective = totals.astype(float)
    bound = objective.copy()
    gaps = np.zeros(comps.n)
    for curve, own in zip(curves[1:], owners[1:], strict=True):
        k = int(comps.col_label[own[0]])
        objective[k], bound[k] = curve.low[-1], curve.high[-1]
        gaps[k] = max(
            rel_gap(lo, hi, maximize=True) for lo, hi in zip(curve.low, curve.high, strict=True)
        )
    return table(
        {
            "component": np.arange(comps.n),
            "n_demand": comps.n_rows,
            "n_candidates": comps.n_cols,
            "n_pairs": comps.n_pairs,
            "method": method,
            "status": np.where(gaps <= 1e-9, "optimal", "time_limit"),
            "objective": objective,
            "bound": bound,
            "gap": gaps,
            "seconds": seconds,
        }
    )


def _direct(  # noqa: PLR0917 - internal
    a: sparse.csr_array,
    m: sparse.csr_array,
    cols: np.ndarray,
    weight: np.ndarray,
    p_values: list[int],
    clock: Clock,
    gap: float,
    base: float,
    how: str,
) -> MaxCoverSolution:
    """Solve the reduced model for each p (greedy incumbent, HiGHS, LP bound if cut short)."""
    total = float(weight.sum())
    order = greedy_max_cover(m, weight, max(p_values)) if m.shape[1] else np.zeros(0, int)
    model = _Milp(m, weight) if m.shape[0] and m.shape[1] else None
    points = []
    for n_done, p in enumerate(p_values):
        plan = order[:p]
        value = _covered(m, plan, weight) if len(plan) else 0.0
        bound, phases, ok = (_top_bound(m, weight, p) if p > 0 else 0.0), 0, True
        if model is not None and p > 0 and value < total - 1e-9 and clock.left > 0:
            share = clock.left / (len(p_values) - n_done)
            x, rep = model.solve(p, MILP_SHARE * share, gap)
            phases += 1
            if x is not None and rep.objective > value + 1e-9:
                plan, value = np.flatnonzero(x), rep.objective
            if np.isfinite(rep.dual_bound):
                bound = min(bound, rep.dual_bound)
            if rep.status != "optimal" and clock.left > 0:
                bound = min(bound, max_cover_lp(m, weight, p, min(clock.left, share)))
                phases += 1
            ok = rep.status == "optimal" and x is not None
        elif model is not None and p > 0 and value < total - 1e-9:
            ok = False
        bound = max(bound, value)
        chosen = np.zeros(a.shape[1], dtype=bool)
        chosen[cols[plan]] = True
        report = assemble(
            status_ok=ok,
            objective=value,
            bound=bound,
            maximize=True,
            base=base,
            clock=clock,
            n_variables=m.shape[0] + m.shape[1],
            n_constraints=m.shape[0] + 1,
            phases=phases,
            message=f"maximal covering, {how}: {m.shape[0]} demands x {m.shape[1]} candidates",
            mip_rel_gap=gap,
        )
        points.append(CurvePoint(p, chosen, report))
    comp = table({}) if m.shape[0] == 0 else _one_table(m, points[-1].report, how)
    return MaxCoverSolution(points, comp)


def _one_table(m: sparse.csr_array, report: SolveReport, how: str) -> pd.DataFrame:
    """Describe the whole reduced model as one component."""
    return table(
        {
            "component": [0],
            "n_demand": [m.shape[0]],
            "n_candidates": [m.shape[1]],
            "n_pairs": [m.nnz],
            "method": [how.split(" ", maxsplit=1)[0]],
            "status": [report.status],
            "objective": [report.objective],
            "bound": [report.dual_bound],
            "gap": [report.mip_gap],
            "seconds": [report.solve_seconds],
        }
    )
