"""Siting models: set covering, maximal covering, assignment and facility location on HiGHS."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise._assign import (
    NO_PAIR,
    NOT_SERVED,
    TOO_LARGE,
    solve_single_assignment,
)
from lvliang_coverage.optimise.highs import (
    Pairs,
    SolveReport,
    SolverError,
    aligned_values,
    closed_form_report,
    encode_pairs,
    id_index,
    run_milp,
    solver_settings,
)

__all__ = [
    "LSCP",
    "MCLP",
    "AssignmentResult",
    "CapacitatedAssignment",
    "FacilityLocation",
    "SolveReport",
    "SolverError",
    "assign",
    "coverage_curve",
]

PairsInput = pd.DataFrame | sparse.sparray | sparse.spmatrix
"""Allowed pairs: a table with id columns (and a value column) or a sparse matrix."""


class _Solved:
    """Mixin exposing the solver report of a solved model as attributes."""

    report: SolveReport | None = None

    def _require(self) -> SolveReport:
        if self.report is None:
            msg = f"{type(self).__name__} is not solved yet: call solve() first"
            raise RuntimeError(msg)
        return self.report

    @property
    def status(self) -> str:
        """Solver status: ``optimal``, ``time_limit``, ``infeasible``, ``unbounded``, ``error``."""
        return self._require().status

    @property
    def objective(self) -> float:
        """Objective value of the solution, in the model's units and sense."""
        return self._require().objective

    @property
    def mip_gap(self) -> float:
        """Relative MIP gap reached (0 when proven optimal)."""
        return self._require().mip_gap

    @property
    def dual_bound(self) -> float:
        """Best bound on the optimum proven by the solver."""
        return self._require().dual_bound

    @property
    def solve_seconds(self) -> float:
        """Wall-clock seconds spent solving."""
        return self._require().solve_seconds

    @property
    def time_limit_s(self) -> float:
        """Time limit in seconds used for each solver call."""
        return self._require().time_limit_s

    @property
    def mip_rel_gap(self) -> float:
        """Relative MIP gap asked for."""
        return self._require().mip_rel_gap


def _candidate_index(
    pairs: PairsInput, candidate_ids: Any, existing: Any
) -> tuple[pd.Index, np.ndarray]:
    """Candidate ids plus existing ids not among them, and the existing flags."""
    cand = id_index(candidate_ids, "candidate_ids")
    exist = id_index([] if existing is None else existing, "existing")
    extra = exist.difference(cand, sort=False)
    if len(extra) and sparse.issparse(pairs):
        msg = f"existing ids {extra[:5].tolist()} are not columns of the pairs matrix"
        raise InputError(msg, column="existing")
    full = cand.append(extra) if len(extra) else cand
    return full, full.isin(exist)


def _ids(index: pd.Index, mask: np.ndarray) -> list[Any]:
    return index[np.asarray(mask, dtype=bool)].tolist()


class LSCP(_Solved):
    """Location set covering: the fewest new facilities so every coverable demand is covered.

    Existing facilities are open at no cost; demands they cover need nothing more. Demands
    that neither an existing facility nor any candidate covers are listed in
    ``uncoverable`` and left out of the model, which therefore stays feasible.

    Build with :meth:`from_pairs`, then call :meth:`solve`.

    Attributes
    ----------
    demand_index, candidate_index : pandas.Index
        Demand ids and facility ids (candidates then existing ids not among them).
    existing_mask : numpy.ndarray
        Boolean per facility id: open already.
    build_seconds : float
        Seconds spent building the sparse model.
    report : SolveReport or None
        Solver report once solved.
    selected : list
        Ids of the new facilities chosen (after :meth:`solve`).
    n_new : int
        Number of new facilities chosen.
    open_ids : list
        Existing ids followed by the selected ids.
    covered : list
        Ids of demands covered by an open facility.
    covered_by_existing : list
        Ids of demands covered by an existing facility.
    uncoverable : list
        Ids of demands no facility can cover.
    """

    def __init__(
        self,
        pairs: Pairs,
        *,
        demand_index: pd.Index,
        candidate_index: pd.Index,
        existing_mask: np.ndarray,
        candidate_costs: np.ndarray,
    ) -> None:
        start = time.perf_counter()
        self.pairs = pairs
        self.demand_index = demand_index
        self.candidate_index = candidate_index
        self.existing_mask = existing_mask
        self.candidate_costs = candidate_costs
        n_dem = len(demand_index)
        to_existing = existing_mask[pairs.j]
        self._by_existing = np.bincount(pairs.i[to_existing], minlength=n_dem) > 0
        coverable = np.bincount(pairs.i, minlength=n_dem) > 0
        self._uncoverable = ~coverable
        need = ~self._by_existing & coverable
        keep = need[pairs.i] & ~to_existing
        rows_dem = np.flatnonzero(need)
        self._cols = np.unique(pairs.j[keep])
        row_of = np.full(n_dem, -1, dtype=np.int64)
        row_of[rows_dem] = np.arange(len(rows_dem))
        col_of = np.full(len(candidate_index), -1, dtype=np.int64)
        col_of[self._cols] = np.arange(len(self._cols))
        self._matrix = sparse.csr_array(
            (np.ones(int(keep.sum())), (row_of[pairs.i[keep]], col_of[pairs.j[keep]])),
            shape=(len(rows_dem), len(self._cols)),
        )
        self.build_seconds = time.perf_counter() - start
        self.report = None
        self._open = existing_mask.copy()

    @classmethod
    def from_pairs(
        cls,
        pairs: PairsInput,
        demand_ids: Iterable[Any],
        candidate_ids: Iterable[Any],
        *,
        existing: Iterable[Any] | None = None,
        candidate_costs: Any = None,
        demand_col: str = "origin_id",
        candidate_col: str = "destination_id",
    ) -> LSCP:
        """Build the model from coverage pairs.

        Parameters
        ----------
        pairs : pandas.DataFrame or scipy.sparse array
            One row per (demand, facility) pair where the facility covers the demand (already
            filtered by the caller, e.g. within 2.5 km and 30 minutes); or a sparse matrix
            (demands x candidate_ids) whose stored entries are the pairs.
        demand_ids : iterable
            All demands that should be covered (e.g. village ids).
        candidate_ids : iterable
            Sites where a facility may be opened (may include the existing ones).
        existing : iterable, optional
            Ids of facilities open already (e.g. existing clinics): fixed open, cost nothing.
        candidate_costs : scalar, Mapping, Series or array-like, optional
            Cost of opening each candidate (default 1 each: minimise the count).
        demand_col, candidate_col : str
            Id columns of a pairs table; the defaults match ``Router.within`` output
            (origins = demands travelling to destinations = facilities).

        Returns
        -------
        LSCP
            The model, ready to :meth:`solve`.
        """
        dem = id_index(demand_ids, "demand_ids")
        cand, exist = _candidate_index(pairs, candidate_ids, existing)
        enc = encode_pairs(pairs, dem, cand, demand_col=demand_col, candidate_col=candidate_col)
        costs = aligned_values(
            candidate_costs,
            cand,
            "candidate_costs",
            default=1.0,
        )
        return cls(
            enc,
            demand_index=dem,
            candidate_index=cand,
            existing_mask=exist,
            candidate_costs=costs,
        )

    def solve(self, time_limit_s: float | None = None, mip_rel_gap: float | None = None) -> LSCP:
        """Solve with ``scipy.optimize.milp`` (HiGHS).

        Parameters
        ----------
        time_limit_s : float, optional
            Seconds; default ``load_rules().solver.time_limit_s``.
        mip_rel_gap : float, optional
            Relative gap; default ``load_rules().solver.mip_rel_gap``.

        Returns
        -------
        LSCP
            ``self``, with the results as attributes.
        """
        limit, gap = solver_settings(time_limit_s, mip_rel_gap)
        start = time.perf_counter()
        n_cols = len(self._cols)
        self._open = self.existing_mask.copy()
        if self._matrix.shape[0] == 0:
            self.report = closed_form_report(0.0, time.perf_counter() - start, limit, gap)
        else:
            x, report = run_milp(
                self.candidate_costs[self._cols],
                np.ones(n_cols),
                np.zeros(n_cols),
                np.ones(n_cols),
                [optimize.LinearConstraint(self._matrix, 1.0, np.inf)],
                time_limit_s=limit,
                mip_rel_gap=gap,
            )
            self.report = report
            if x is None:
                msg = "set covering found no feasible solution"
                raise SolverError(msg, report)
            self._open[self._cols[x > 0.5]] = True
            self._open = _drop_redundant(
                self._open, self.existing_mask, self.pairs, ~self._uncoverable
            )
        return self

    @property
    def selected(self) -> list[Any]:
        """Ids of the new facilities chosen."""
        self._require()
        return _ids(self.candidate_index, self._open & ~self.existing_mask)

    @property
    def n_new(self) -> int:
        """Number of new facilities chosen."""
        return len(self.selected)

    @property
    def open_ids(self) -> list[Any]:
        """Existing facility ids followed by the new ones."""
        return _ids(self.candidate_index, self.existing_mask) + self.selected

    def _n_covering(self) -> np.ndarray:
        self._require()
        hit = self._open[self.pairs.j]
        return np.bincount(self.pairs.i[hit], minlength=len(self.demand_index))

    @property
    def covered(self) -> list[Any]:
        """Ids of demands covered by at least one open facility."""
        return _ids(self.demand_index, self._n_covering() > 0)

    @property
    def covered_by_existing(self) -> list[Any]:
        """Ids of demands an existing facility covers."""
        return _ids(self.demand_index, self._by_existing)

    @property
    def uncoverable(self) -> list[Any]:
        """Ids of demands that no facility (existing or candidate) covers."""
        return _ids(self.demand_index, self._uncoverable)

    def coverage_table(self) -> pd.DataFrame:
        """Per demand: how it is covered.

        Returns
        -------
        pandas.DataFrame
            Indexed by demand id, with ``status`` (``"existing"``, ``"new"`` or
            ``"uncoverable"``) and ``n_open_covering`` (open facilities covering it).
        """
        n_cov = self._n_covering()
        status = np.where(self._by_existing, "existing", np.where(n_cov > 0, "new", "uncoverable"))
        return pd.DataFrame(
            {"status": status, "n_open_covering": n_cov},
            index=self.demand_index.rename("demand_id"),
        )


class MCLP(_Solved):
    """Maximal covering: p new facilities covering the most weight (e.g. residents).

    Existing facilities are open at no cost and count toward coverage. At most ``p`` new
    facilities are chosen (fewer only when more would add no weight).

    Attributes
    ----------
    p : int
        Number of new facilities allowed.
    weights : numpy.ndarray
        Weight per demand (residents).
    selected, n_new, covered, uncovered, uncoverable, covered_by_existing : list or int
        Results after :meth:`solve`.
    covered_weight : float
        Total weight covered, existing coverage included (residents).
    covered_share : float
        ``covered_weight`` over the total weight of all demands (NaN when it is 0).
    """

    def __init__(
        self,
        pairs: Pairs,
        *,
        demand_index: pd.Index,
        weights: np.ndarray,
        candidate_index: pd.Index,
        existing_mask: np.ndarray,
        p: int,
    ) -> None:
        start = time.perf_counter()
        self.pairs = pairs
        self.demand_index = demand_index
        self.weights = weights
        self.candidate_index = candidate_index
        self.existing_mask = existing_mask
        self.p = _check_p(p)
        n_dem = len(demand_index)
        to_existing = existing_mask[pairs.j]
        self._by_existing = np.bincount(pairs.i[to_existing], minlength=n_dem) > 0
        self._uncoverable = np.bincount(pairs.i, minlength=n_dem) == 0
        need = ~self._by_existing & ~self._uncoverable & (weights > 0)
        keep = need[pairs.i] & ~to_existing
        self._rows = np.flatnonzero(need)
        self._cols = np.unique(pairs.j[keep])
        row_of = np.full(n_dem, -1, dtype=np.int64)
        row_of[self._rows] = np.arange(len(self._rows))
        col_of = np.full(len(candidate_index), -1, dtype=np.int64)
        col_of[self._cols] = np.arange(len(self._cols))
        n_r, n_c = len(self._rows), len(self._cols)
        # Variables: y (candidates) | z (demands). Rows: z_i - sum_j a_ij y_j <= 0; sum y <= p.
        a_rows = row_of[pairs.i[keep]]
        a_cols = col_of[pairs.j[keep]]
        self._cover = sparse.csr_array(
            (
                np.concatenate([-np.ones(len(a_rows)), np.ones(n_r)]),
                (
                    np.concatenate([a_rows, np.arange(n_r)]),
                    np.concatenate([a_cols, n_c + np.arange(n_r)]),
                ),
            ),
            shape=(n_r, n_c + n_r),
        )
        self._count = sparse.csr_array(
            (np.ones(n_c), (np.zeros(n_c, dtype=np.int64), np.arange(n_c))), shape=(1, n_c + n_r)
        )
        self.build_seconds = time.perf_counter() - start
        self.report = None
        self._open = existing_mask.copy()

    @classmethod
    def from_pairs(
        cls,
        pairs: PairsInput,
        demand_ids: Iterable[Any],
        weights: Any,
        candidate_ids: Iterable[Any],
        p: int,
        *,
        existing: Iterable[Any] | None = None,
        demand_col: str = "origin_id",
        candidate_col: str = "destination_id",
    ) -> MCLP:
        """Build the model from coverage pairs.

        Parameters
        ----------
        pairs : pandas.DataFrame or scipy.sparse array
            Coverage pairs, as for :meth:`LSCP.from_pairs`.
        demand_ids : iterable
            Demand ids.
        weights : scalar, Mapping, Series or array-like
            Weight per demand (residents), non-negative.
        candidate_ids : iterable
            Candidate sites.
        p : int
            Number of new facilities to choose (at most).
        existing : iterable, optional
            Facilities open already.
        demand_col, candidate_col : str
            Id columns of a pairs table; the defaults match ``Router.within`` output
            (origins = demands travelling to destinations = facilities).

        Returns
        -------
        MCLP
            The model, ready to :meth:`solve`.
        """
        dem = id_index(demand_ids, "demand_ids")
        cand, exist = _candidate_index(pairs, candidate_ids, existing)
        enc = encode_pairs(pairs, dem, cand, demand_col=demand_col, candidate_col=candidate_col)
        w = aligned_values(weights, dem, "weights")
        return cls(
            enc,
            demand_index=dem,
            weights=w,
            candidate_index=cand,
            existing_mask=exist,
            p=p,
        )

    def solve(
        self,
        time_limit_s: float | None = None,
        mip_rel_gap: float | None = None,
        *,
        p: int | None = None,
    ) -> MCLP:
        """Solve with ``scipy.optimize.milp`` (HiGHS).

        Parameters
        ----------
        time_limit_s : float, optional
            Seconds; default ``load_rules().solver.time_limit_s``.
        mip_rel_gap : float, optional
            Relative gap; default ``load_rules().solver.mip_rel_gap``.
        p : int, optional
            Solve for another number of new facilities (replaces ``self.p``).

        Returns
        -------
        MCLP
            ``self``, with the results as attributes.
        """
        if p is not None:
            self.p = _check_p(p)
        limit, gap = solver_settings(time_limit_s, mip_rel_gap)
        start = time.perf_counter()
        base = float(self.weights[self._by_existing].sum())
        self._open = self.existing_mask.copy()
        n_r, n_c = len(self._rows), len(self._cols)
        if n_r == 0 or self.p == 0:
            self.report = closed_form_report(base, time.perf_counter() - start, limit, gap)
            return self
        x, report = run_milp(
            np.concatenate([np.zeros(n_c), self.weights[self._rows]]),
            np.concatenate([np.ones(n_c), np.zeros(n_r)]),
            np.zeros(n_c + n_r),
            np.ones(n_c + n_r),
            [
                optimize.LinearConstraint(self._cover, -np.inf, 0.0),
                optimize.LinearConstraint(self._count, 0.0, float(self.p)),
            ],
            time_limit_s=limit,
            mip_rel_gap=gap,
            maximize=True,
            offset=base,
        )
        self.report = report
        if x is None:
            msg = "maximal covering found no feasible solution"
            raise SolverError(msg, report)
        self._open[self._cols[x[:n_c] > 0.5]] = True
        self._open = _drop_redundant(self._open, self.existing_mask, self.pairs, self.weights > 0)
        return self

    def _covered_mask(self) -> np.ndarray:
        self._require()
        hit = self._open[self.pairs.j]
        return np.bincount(self.pairs.i[hit], minlength=len(self.demand_index)) > 0

    @property
    def selected(self) -> list[Any]:
        """Ids of the new facilities chosen."""
        self._require()
        return _ids(self.candidate_index, self._open & ~self.existing_mask)

    @property
    def n_new(self) -> int:
        """Number of new facilities chosen."""
        return len(self.selected)

    @property
    def covered(self) -> list[Any]:
        """Ids of demands covered by an open facility."""
        return _ids(self.demand_index, self._covered_mask())

    @property
    def uncovered(self) -> list[Any]:
        """Ids of demands left uncovered (coverable ones included)."""
        return _ids(self.demand_index, ~self._covered_mask())

    @property
    def uncoverable(self) -> list[Any]:
        """Ids of demands that no facility can cover."""
        return _ids(self.demand_index, self._uncoverable)

    @property
    def covered_by_existing(self) -> list[Any]:
        """Ids of demands an existing facility covers."""
        return _ids(self.demand_index, self._by_existing)

    @property
    def covered_weight(self) -> float:
        """Weight covered (residents), existing coverage included."""
        return float(self.weights[self._covered_mask()].sum())

    @property
    def covered_share(self) -> float:
        """Share of the total weight covered (0-1; NaN when the total is 0)."""
        total = float(self.weights.sum())
        return self.covered_weight / total if total > 0 else math.nan


def _drop_redundant(
    open_mask: np.ndarray, existing_mask: np.ndarray, pairs: Pairs, keep: np.ndarray
) -> np.ndarray:
    """Close new facilities whose ``keep`` demands all have another open facility.

    One pass over the new facilities chosen (a solver stopped early, or ties in maximal
    covering, may open facilities that add nothing); coverage of ``keep`` demands is unchanged.

    Parameters
    ----------
    open_mask, existing_mask : numpy.ndarray
        Boolean per facility: open, and open already before the plan.
    pairs : Pairs
        Deduplicated coverage pairs.
    keep : numpy.ndarray
        Boolean per demand: coverage that must be kept.

    Returns
    -------
    numpy.ndarray
        The new open mask.
    """
    out = open_mask.copy()
    count = np.bincount(pairs.i[out[pairs.j]], minlength=len(keep))
    order = np.argsort(pairs.j, kind="stable")
    by_j = pairs.i[order]
    bounds = np.searchsorted(pairs.j[order], np.arange(len(out) + 1))
    for j in np.flatnonzero(out & ~existing_mask):  # one step per facility chosen
        mine = by_j[bounds[j] : bounds[j + 1]]
        mine = mine[keep[mine]]
        if (count[mine] >= 2).all():
            out[j] = False
            count[by_j[bounds[j] : bounds[j + 1]]] -= 1
    return out


def _check_p(p: Any) -> int:
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 0:
        msg = f"p must be a non-negative integer, got {p!r}"
        raise InputError(msg, column="p")
    return int(p)


def coverage_curve(
    pairs: PairsInput,
    demand_ids: Iterable[Any],
    weights: Any,
    candidate_ids: Iterable[Any],
    p_values: Iterable[int],
    *,
    existing: Iterable[Any] | None = None,
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
    demand_col: str = "origin_id",
    candidate_col: str = "destination_id",
) -> pd.DataFrame:
    """Weight covered against the number of new facilities p (maximal covering per p).

    The model is built once and solved for each p in increasing order. When a solve stops
    short of the optimum (time limit or gap) and covers less than the plan for a smaller p,
    that smaller plan (feasible for the larger p) is kept, so the curve never decreases.

    Parameters
    ----------
    pairs, demand_ids, weights, candidate_ids, existing, demand_col, candidate_col
        As for :meth:`MCLP.from_pairs`.
    p_values : iterable of int
        Numbers of new facilities.
    time_limit_s, mip_rel_gap : float, optional
        Solver settings per p; defaults from ``load_rules().solver``.

    Returns
    -------
    pandas.DataFrame
        One row per p (ascending): ``p``, ``n_new``, ``covered_weight`` (residents),
        ``covered_share`` (0-1), ``new_ids`` (tuple), ``status``, ``mip_gap``,
        ``solve_seconds``, ``reused`` (True when the plan of a smaller p was kept).
    """
    ps = sorted({_check_p(p) for p in p_values})
    if not ps:
        msg = "p_values is empty"
        raise InputError(msg, column="p_values")
    model = MCLP.from_pairs(
        pairs,
        demand_ids,
        weights,
        candidate_ids,
        ps[0],
        existing=existing,
        demand_col=demand_col,
        candidate_col=candidate_col,
    )
    records: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    for p in ps:
        model.solve(time_limit_s, mip_rel_gap, p=p)
        rec = {
            "p": p,
            "n_new": model.n_new,
            "covered_weight": model.covered_weight,
            "covered_share": model.covered_share,
            "new_ids": tuple(model.selected),
            "status": model.status,
            "mip_gap": model.mip_gap,
            "solve_seconds": model.solve_seconds,
            "reused": False,
        }
        if best is not None and rec["covered_weight"] < best["covered_weight"]:
            rec.update(
                {k: best[k] for k in ("n_new", "covered_weight", "covered_share", "new_ids")}
            )
            rec["reused"] = True
        best = rec
        records.append(rec)
    return pd.DataFrame.from_records(records)


@dataclass(frozen=True)
class AssignmentResult:
    """Demands assigned to open facilities.

    Attributes
    ----------
    assignment : pandas.DataFrame
        One row per assigned demand: ``demand_id``, ``facility_id``, ``size`` (e.g.
        residents), ``unit_cost`` (the pair's cost, e.g. minutes) and ``cost``
        (size x unit cost).
    unassigned : pandas.DataFrame
        ``demand_id``, ``size``, ``reason``: ``"no_pair"`` (no open facility among its pairs),
        ``"too_large"`` (larger than the capacity of every open facility it pairs with) or
        ``"capacity"`` (capacity taken by others).
    load : pandas.DataFrame
        Per open facility: ``facility_id``, ``load``, ``capacity``, ``spare``.
    total_cost : float
        Sum of ``cost`` (e.g. residents x minutes).
    report : SolveReport
        Solver report (a closed-form report when no capacity binds).
    """

    assignment: pd.DataFrame
    unassigned: pd.DataFrame
    load: pd.DataFrame
    total_cost: float
    report: SolveReport

    @property
    def status(self) -> str:
        """Solver status."""
        return self.report.status

    @property
    def mip_gap(self) -> float:
        """Relative MIP gap reached."""
        return self.report.mip_gap


def _reason_names(reason: np.ndarray, mapping: dict[str, str]) -> np.ndarray:
    return np.array([mapping.get(r, r) for r in reason], dtype=object)


def _filter_to(pairs: PairsInput, column: str, keep: pd.Index) -> PairsInput:
    if isinstance(pairs, pd.DataFrame) and column in pairs.columns:
        return pairs.loc[pairs[column].isin(keep)]
    return pairs


def assign(
    pairs: PairsInput,
    demand_ids: Iterable[Any],
    sizes: Any,
    open_ids: Iterable[Any],
    *,
    capacity: Any = None,
    demand_col: str = "origin_id",
    facility_col: str = "destination_id",
    cost_col: str = "time_s",
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
) -> AssignmentResult:
    """Assign each demand to one open facility among its pairs, minimising size x cost.

    Without capacities each demand takes its cheapest pair. With capacities the model first
    assigns the most size (e.g. residents) possible, then minimises the total size x cost
    among such assignments; demands left out are reported with a reason.

    Parameters
    ----------
    pairs : pandas.DataFrame or scipy.sparse array
        Pairs with a cost per unit of size (e.g. seconds or minutes of travel). Table rows
        whose facility is not open are ignored; a sparse matrix has one column per open id
        (stored entries are the pairs, explicit zeros included).
    demand_ids : iterable
        Demand ids.
    sizes : scalar, Mapping, Series or array-like
        Size of each demand (e.g. residents), non-negative.
    open_ids : iterable
        Open facilities.
    capacity : scalar, Mapping, Series or array-like, optional
        Capacity per open facility (same unit as ``sizes``; ``inf`` allowed). None: no limit.
    demand_col, facility_col, cost_col : str
        Columns of a pairs table; the defaults match ``Router.within(demands, facilities)``
        output, so the cost is then travel seconds (results in residents x seconds).
    time_limit_s, mip_rel_gap : float, optional
        Solver settings; defaults from ``load_rules().solver``.

    Returns
    -------
    AssignmentResult
        Assignment, unassigned demands with reasons, facility loads, total cost, report.
    """
    limit, gap = solver_settings(time_limit_s, mip_rel_gap)
    dem = id_index(demand_ids, "demand_ids")
    fac = id_index(open_ids, "open_ids")
    pairs = _filter_to(pairs, facility_col, fac)
    enc = encode_pairs(
        pairs, dem, fac, demand_col=demand_col, candidate_col=facility_col, value_col=cost_col
    )
    size = aligned_values(sizes, dem, "sizes")
    cap = aligned_values(capacity, fac, "capacity", allow_inf=True, default=math.inf)
    core = solve_single_assignment(
        enc,
        pair_cost=size[enc.i] * enc.value,
        size=size,
        weight=size,
        capacity=cap,
        fixed_cost=np.zeros(len(fac)),
        optional=np.zeros(len(fac), dtype=bool),
        budget=None,
        time_limit_s=limit,
        mip_rel_gap=gap,
    )
    used = enc.subset(core.chosen)
    assignment = pd.DataFrame(
        {
            "demand_id": dem[used.i],
            "facility_id": fac[used.j],
            "size": size[used.i],
            "unit_cost": used.value,
            "cost": size[used.i] * used.value,
        }
    )
    left = np.flatnonzero(core.reason != None)  # noqa: E711 - elementwise on an object array
    unassigned = pd.DataFrame(
        {
            "demand_id": dem[left],
            "size": size[left],
            "reason": _reason_names(core.reason[left], {NOT_SERVED: "capacity"}),
        }
    )
    load = np.bincount(used.j, weights=size[used.i], minlength=len(fac))
    loads = pd.DataFrame({"facility_id": fac, "load": load, "capacity": cap, "spare": cap - load})
    return AssignmentResult(
        assignment, unassigned, loads, float(assignment["cost"].sum()), core.report
    )


class FacilityLocation(_Solved):
    """Capacitated facility location with single sourcing (e.g. drinking-water projects).

    Candidates j have a fixed cost f_j (yuan; existing plants are open and cost nothing) and
    a capacity u_j (m3/day); demands i need d_i (m3/day) from exactly one facility along
    allowed pairs with an assignment cost c_ij (yuan: pipe and lift).

    Without a budget the model serves every servable demand (most weight first when
    capacities bind) at minimum total cost. With a budget B it maximises the weight served
    (residents) subject to total cost <= B, then minimises the cost of that service.
    Demands without an allowed pair (``"no_pair"``) or larger than the capacity of every
    allowed facility (``"exceeds_capacity"``) are left out of the model and reported;
    demands the optimum leaves out are reported as ``"capacity"`` (no budget) or
    ``"budget"`` (budget given; capacities may contribute).

    Attributes
    ----------
    opened : list
        New candidates opened (after :meth:`solve`).
    existing_used : list
        Existing facilities serving at least one demand.
    assignment : pandas.DataFrame
        ``demand_id``, ``facility_id``, ``quantity`` (m3/day), ``cost`` (yuan).
    facilities : pandas.DataFrame
        Per facility: ``facility_id``, ``existing``, ``open``, ``fixed_cost``, ``load``,
        ``capacity``.
    served, unserved : list, pandas.DataFrame
        Served ids; unserved ids with ``reason``.
    fixed_cost_total, assignment_cost_total, total_cost : float
        Costs in yuan.
    served_weight : float
        Weight served (residents).
    """

    def __init__(
        self,
        pairs: Pairs,
        *,
        demand_index: pd.Index,
        quantity: np.ndarray,
        weights: np.ndarray,
        candidate_index: pd.Index,
        fixed_cost: np.ndarray,
        capacity: np.ndarray,
        existing_mask: np.ndarray,
        budget: float | None,
    ) -> None:
        self.pairs = pairs
        self.demand_index = demand_index
        self.quantity = quantity
        self.weights = weights
        self.candidate_index = candidate_index
        self.fixed_cost = np.where(existing_mask, 0.0, fixed_cost)
        self.capacity = capacity
        self.existing_mask = existing_mask
        self.budget = budget
        self.report = None

    @classmethod
    def from_pairs(  # noqa: PLR0917 - positional order is the documented contract
        cls,
        pairs: PairsInput,
        demand_ids: Iterable[Any],
        quantity: Any,
        candidate_ids: Iterable[Any],
        fixed_cost: Any,
        capacity: Any,
        *,
        existing: Iterable[Any] | None = None,
        weights: Any = None,
        budget: float | None = None,
        demand_col: str = "origin_id",
        candidate_col: str = "destination_id",
        cost_col: str = "cost",
    ) -> FacilityLocation:
        """Build the model.

        Parameters
        ----------
        pairs : pandas.DataFrame or scipy.sparse array
            Allowed (demand, candidate) pairs with their assignment cost (yuan) in
            ``cost_col`` (or as the stored values of a sparse matrix).
        demand_ids : iterable
            Demand ids (villages).
        quantity : scalar, Mapping, Series or array-like
            Demand per village (m3/day).
        candidate_ids : iterable
            Sources, plants or project sites (existing ones included).
        fixed_cost : scalar, Mapping, Series or array-like
            Cost of opening each candidate (yuan; ignored for existing ones).
        capacity : scalar, Mapping, Series or array-like
            Capacity per candidate (m3/day; ``inf`` allowed).
        existing : iterable, optional
            Candidate ids open already.
        weights : scalar, Mapping, Series or array-like, optional
            Priority weight per demand (residents); default the quantity.
        budget : float, optional
            Total budget in yuan (fixed plus assignment costs).
        demand_col, candidate_col, cost_col : str
            Columns of a pairs table (ids as in ``Router.within`` output, cost in yuan).

        Returns
        -------
        FacilityLocation
            The model, ready to :meth:`solve`.
        """
        dem = id_index(demand_ids, "demand_ids")
        cand = id_index(candidate_ids, "candidate_ids")
        exist = id_index([] if existing is None else existing, "existing")
        unknown = exist.difference(cand)
        if len(unknown):
            msg = f"existing ids {unknown[:5].tolist()} are not among candidate_ids"
            raise InputError(msg, column="existing")
        enc = encode_pairs(
            pairs, dem, cand, demand_col=demand_col, candidate_col=candidate_col, value_col=cost_col
        )
        qty = aligned_values(quantity, dem, "quantity")
        w = qty if weights is None else aligned_values(weights, dem, "weights")
        if budget is not None and not (np.isfinite(budget) and budget >= 0):
            msg = f"budget must be a non-negative number, got {budget!r}"
            raise InputError(msg, column="budget")
        return cls(
            enc,
            demand_index=dem,
            quantity=qty,
            weights=w,
            candidate_index=cand,
            fixed_cost=aligned_values(fixed_cost, cand, "fixed_cost"),
            capacity=aligned_values(capacity, cand, "capacity", allow_inf=True),
            existing_mask=cand.isin(exist),
            budget=None if budget is None else float(budget),
        )

    def solve(
        self, time_limit_s: float | None = None, mip_rel_gap: float | None = None
    ) -> FacilityLocation:
        """Solve with ``scipy.optimize.milp`` (HiGHS), in two phases when needed.

        Parameters
        ----------
        time_limit_s : float, optional
            Seconds per phase; default ``load_rules().solver.time_limit_s``.
        mip_rel_gap : float, optional
            Relative gap; default ``load_rules().solver.mip_rel_gap``.

        Returns
        -------
        FacilityLocation
            ``self``, with the results as attributes.
        """
        limit, gap = solver_settings(time_limit_s, mip_rel_gap)
        core = solve_single_assignment(
            self.pairs,
            pair_cost=self.pairs.value,
            size=self.quantity,
            weight=self.weights,
            capacity=self.capacity,
            fixed_cost=self.fixed_cost,
            optional=~self.existing_mask,
            budget=self.budget,
            time_limit_s=limit,
            mip_rel_gap=gap,
        )
        self.report = core.report
        used = self.pairs.subset(core.chosen)
        dem, cand = self.demand_index, self.candidate_index
        self.assignment = pd.DataFrame(
            {
                "demand_id": dem[used.i],
                "facility_id": cand[used.j],
                "quantity": self.quantity[used.i],
                "cost": used.value,
            }
        )
        load = np.bincount(used.j, weights=self.quantity[used.i], minlength=len(cand))
        serving = np.bincount(used.j, minlength=len(cand)) > 0
        is_open = self.existing_mask | core.opened
        self.facilities = pd.DataFrame(
            {
                "facility_id": cand,
                "existing": self.existing_mask,
                "open": is_open,
                "fixed_cost": np.where(core.opened, self.fixed_cost, 0.0),
                "load": load,
                "capacity": self.capacity,
            }
        )
        self.opened = _ids(cand, core.opened)
        self.existing_used = _ids(cand, self.existing_mask & serving)
        self.fixed_cost_total = float(self.fixed_cost[core.opened].sum())
        self.assignment_cost_total = float(used.value.sum())
        self.total_cost = self.fixed_cost_total + self.assignment_cost_total
        left = np.flatnonzero(core.reason != None)  # noqa: E711 - elementwise on an object array
        names = {TOO_LARGE: "exceeds_capacity", NO_PAIR: "no_pair"}
        names[NOT_SERVED] = "capacity" if self.budget is None else "budget"
        self.unserved = pd.DataFrame(
            {"demand_id": dem[left], "reason": _reason_names(core.reason[left], names)}
        )
        served = np.zeros(len(dem), dtype=bool)
        served[used.i] = True
        self.served = _ids(dem, served)
        self.served_weight = float(self.weights[served].sum())
        return self


class CapacitatedAssignment(_Solved):
    """Relocating villages, each whole, to resettlement sites within remaining capacity.

    Minimises the sum of residents x minutes (from each site back to the village's old
    fields) over villages assigned, after first relocating as many residents as capacities
    allow. Pairs beyond the commute limit, or across counties (groups) when the same-county
    rule applies, are dropped first.

    Reasons for villages left out: ``"no_pair"`` (no site given at all), ``"beyond_commute"``
    (every site beyond the commute limit), ``"other_county"`` (sites within the limit are all
    in another county), ``"too_large"`` (more households than the remaining capacity of
    every allowed site) and ``"capacity"`` (capacity taken by other villages).

    Attributes
    ----------
    assignment : pandas.DataFrame
        ``village_id``, ``site_id``, ``households``, ``residents``, ``minutes``,
        ``resident_minutes``.
    unassigned : pandas.DataFrame
        ``village_id``, ``households``, ``residents``, ``reason``.
    sites : pandas.DataFrame
        ``site_id``, ``remaining`` (households), ``assigned`` (households), ``spare``.
    total_resident_minutes : float
        Objective value: residents x minutes summed.
    """

    def __init__(
        self,
        pairs: Pairs,
        *,
        village_index: pd.Index,
        households: np.ndarray,
        residents: np.ndarray,
        site_index: pd.Index,
        remaining: np.ndarray,
        pre_reason: np.ndarray,
    ) -> None:
        self.pairs = pairs
        self.village_index = village_index
        self.households = households
        self.residents = residents
        self.site_index = site_index
        self.remaining = remaining
        self.pre_reason = pre_reason
        self.report = None

    @classmethod
    def from_pairs(  # noqa: PLR0917 - positional order is the documented contract
        cls,
        pairs: pd.DataFrame,
        village_ids: Iterable[Any],
        households: Any,
        residents: Any,
        site_ids: Iterable[Any],
        capacity: Any,
        *,
        occupied: Any = None,
        max_minutes: float | None = None,
        village_group: Any = None,
        site_group: Any = None,
        same_group: bool | None = None,
        village_col: str = "destination_id",
        site_col: str = "origin_id",
        time_col: str = "time_s",
    ) -> CapacitatedAssignment:
        """Build the model.

        Parameters
        ----------
        pairs : pandas.DataFrame
            (site, village, seconds) rows: travel time in seconds from the site back to the
            village (its fields).
        village_ids : iterable
            Villages to relocate.
        households, residents : scalar, Mapping, Series or array-like
            Households (counted against capacity) and residents (weights) per village.
        site_ids : iterable
            Resettlement sites.
        capacity : scalar, Mapping, Series or array-like
            Capacity per site in households.
        occupied : scalar, Mapping, Series or array-like, optional
            Households already living at each site (remaining = capacity - occupied).
        max_minutes : float, optional
            Commute limit in minutes; default ``load_rules().relocation.max_commute_min``
            (pass ``math.inf`` for none).
        village_group, site_group : Mapping, Series or array-like, optional
            Group (county) of each village and site.
        same_group : bool, optional
            Keep only same-group pairs (when groups are given); default
            ``load_rules().relocation.same_county``.
        village_col, site_col, time_col : str
            Columns of ``pairs``; the defaults match ``Router.within(sites, villages)``
            output (travel from each site back to the old village, seconds).

        Returns
        -------
        CapacitatedAssignment
            The model, ready to :meth:`solve`.
        """
        rules = load_rules().relocation
        max_minutes = rules.max_commute_min if max_minutes is None else max_minutes
        same_group = rules.same_county if same_group is None else same_group
        vil = id_index(village_ids, "village_ids")
        site = id_index(site_ids, "site_ids")
        enc = encode_pairs(
            pairs, vil, site, demand_col=village_col, candidate_col=site_col, value_col=time_col
        )
        enc = Pairs(enc.i, enc.j, enc.value / 60.0)  # seconds -> minutes
        hh = aligned_values(households, vil, "households")
        res = aligned_values(residents, vil, "residents")
        cap = aligned_values(capacity, site, "capacity", allow_inf=True)
        occ = aligned_values(occupied, site, "occupied", default=0.0)
        remaining = np.maximum(cap - occ, 0.0)
        n = len(vil)
        has_any = np.bincount(enc.i, minlength=n) > 0
        near = enc.value <= max_minutes
        has_near = np.bincount(enc.i[near], minlength=n) > 0
        allowed = near
        if (village_group is None) != (site_group is None):
            msg = "give both village_group and site_group, or neither"
            raise InputError(msg, column="village_group" if village_group is None else "site_group")
        if same_group and village_group is not None:
            vg = pd.Series(_aligned_labels(village_group, vil, "village_group"))
            sg = pd.Series(_aligned_labels(site_group, site, "site_group"))
            allowed = near & (vg.to_numpy()[enc.i] == sg.to_numpy()[enc.j])
        has_allowed = np.bincount(enc.i[allowed], minlength=n) > 0
        pre = np.full(n, None, dtype=object)
        pre[~has_any] = "no_pair"
        pre[has_any & ~has_near] = "beyond_commute"
        pre[has_near & ~has_allowed] = "other_county"
        return cls(
            enc.subset(allowed),
            village_index=vil,
            households=hh,
            residents=res,
            site_index=site,
            remaining=remaining,
            pre_reason=pre,
        )

    def solve(
        self, time_limit_s: float | None = None, mip_rel_gap: float | None = None
    ) -> CapacitatedAssignment:
        """Solve with ``scipy.optimize.milp`` (HiGHS).

        Parameters
        ----------
        time_limit_s : float, optional
            Seconds per phase; default ``load_rules().solver.time_limit_s``.
        mip_rel_gap : float, optional
            Relative gap; default ``load_rules().solver.mip_rel_gap``.

        Returns
        -------
        CapacitatedAssignment
            ``self``, with the results as attributes.
        """
        limit, gap = solver_settings(time_limit_s, mip_rel_gap)
        pairs = self.pairs
        core = solve_single_assignment(
            pairs,
            pair_cost=self.residents[pairs.i] * pairs.value,
            size=self.households,
            weight=self.residents,
            capacity=self.remaining,
            fixed_cost=np.zeros(len(self.site_index)),
            optional=np.zeros(len(self.site_index), dtype=bool),
            budget=None,
            time_limit_s=limit,
            mip_rel_gap=gap,
        )
        self.report = core.report
        used = pairs.subset(core.chosen)
        vil, site = self.village_index, self.site_index
        self.assignment = pd.DataFrame(
            {
                "village_id": vil[used.i],
                "site_id": site[used.j],
                "households": self.households[used.i],
                "residents": self.residents[used.i],
                "minutes": used.value,
                "resident_minutes": self.residents[used.i] * used.value,
            }
        )
        reason = np.where(self.pre_reason != None, self.pre_reason, core.reason)  # noqa: E711
        reason = _reason_names(reason, {NOT_SERVED: "capacity", NO_PAIR: "no_pair"})
        left = np.flatnonzero(reason != None)  # noqa: E711 - elementwise on an object array
        self.unassigned = pd.DataFrame(
            {
                "village_id": vil[left],
                "households": self.households[left],
                "residents": self.residents[left],
                "reason": reason[left],
            }
        )
        assigned = np.bincount(used.j, weights=self.households[used.i], minlength=len(site))
        self.sites = pd.DataFrame(
            {
                "site_id": site,
                "remaining": self.remaining,
                "assigned": assigned,
                "spare": self.remaining - assigned,
            }
        )
        self.total_resident_minutes = float(self.assignment["resident_minutes"].sum())
        return self


def _aligned_labels(values: Any, index: pd.Index, name: str) -> np.ndarray:
    """Align per-id labels (e.g. county names) with ``index``."""
    if isinstance(values, pd.Series | dict):
        series = pd.Series(values)
        missing = index.difference(series.index)
        if len(missing):
            msg = f"{name} has no value for ids {missing[:5].tolist()}"
            raise InputError(msg, column=name)
        return series.reindex(index).to_numpy(dtype=object)
    out = np.asarray(list(values), dtype=object)
    if len(out) != len(index):
        msg = f"{name} has {len(out)} values for {len(index)} ids"
        raise InputError(msg, column=name)
    return out
