"""Covering models: location set covering (LSCP), maximal covering (MCLP), coverage curve."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy import optimize

from lvliang_coverage.config import SolverRules
from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise._cover import (
    CoveringModel,
    CoverMilp,
    check_p,
    covering_inputs,
    drop_redundant,
)
from lvliang_coverage.optimise._maxcover import CurvePoint, MaxCoverSolution, solve_max_cover
from lvliang_coverage.optimise._pairs import PairsInput, aligned_values, ids_where, incidence
from lvliang_coverage.optimise._setcover import solve_set_cover
from lvliang_coverage.optimise.highs import SolveReport, closed_form_report, solver_settings

__all__ = ["LSCP", "MCLP", "coverage_curve"]


@dataclass(eq=False, repr=False, kw_only=True)
class LSCP(CoveringModel):
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
    candidate_costs : numpy.ndarray
        Cost of opening each facility id (any unit; 1 each counts facilities).
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

    candidate_costs: np.ndarray

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

        Existing ids that are not candidates join the facility ids after the candidates
        (``candidate_index``); with a sparse matrix they must be among ``candidate_ids``.

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
            Cost of opening each candidate (any unit; default 1 each: minimise the count).
        demand_col, candidate_col : str
            Id columns of a pairs table; the defaults match ``Router.within`` output
            (origins = demands travelling to destinations = facilities).

        Returns
        -------
        LSCP
            The model, ready to :meth:`solve`.
        """
        inputs = covering_inputs(
            pairs, demand_ids, candidate_ids, existing, id_cols=(demand_col, candidate_col)
        )
        costs = aligned_values(
            candidate_costs, inputs["candidate_index"], "candidate_costs", default=1.0
        )
        return cls(**inputs, candidate_costs=costs)

    def _build(self) -> None:
        rows, a_rows, a_cols = self._needed(~self._by_existing & ~self._uncoverable)
        self._matrix = incidence(a_rows, a_cols, np.ones(len(a_rows)), (len(rows), len(self._cols)))

    def _milp(self) -> CoverMilp | None:
        if self._matrix.shape[0] == 0:
            return None
        return CoverMilp(
            c=self.candidate_costs[self._cols],
            integrality=np.ones(len(self._cols)),
            constraints=[optimize.LinearConstraint(self._matrix, 1.0, np.inf)],
            keep=~self._uncoverable,
            name="set covering",
        )

    def _plan(
        self, time_limit_s: float, mip_rel_gap: float
    ) -> tuple[np.ndarray, SolveReport, pd.DataFrame, np.ndarray]:
        keep = ~self._uncoverable
        if self._matrix.shape[0] == 0:
            report = closed_form_report(0.0, 0.0, time_limit_s, mip_rel_gap)
            return np.zeros(len(self._cols), dtype=bool), report, pd.DataFrame(), keep
        sol = solve_set_cover(
            self._matrix,
            self.candidate_costs[self._cols],
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
        )
        return sol.chosen, sol.report, sol.components, keep

    @property
    def open_ids(self) -> list[Any]:
        """Existing facility ids followed by the new ones."""
        return ids_where(self.candidate_index, self.existing_mask) + self.selected

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


@dataclass(eq=False, repr=False, kw_only=True)
class MCLP(CoveringModel):
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
        ``covered_weight`` over the total weight of all demands (0-1; NaN when it is 0).
    """

    weights: np.ndarray
    p: int

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
        """Build the model from coverage pairs and demand weights.

        Parameters
        ----------
        pairs, demand_ids, candidate_ids, existing, demand_col, candidate_col
            As for :meth:`LSCP.from_pairs`.
        weights : scalar, Mapping, Series or array-like
            Weight per demand (residents), non-negative.
        p : int
            Number of new facilities to choose (at most).

        Returns
        -------
        MCLP
            The model for ``p`` new facilities, ready to :meth:`solve`.
        """
        inputs = covering_inputs(
            pairs, demand_ids, candidate_ids, existing, id_cols=(demand_col, candidate_col)
        )
        return cls(
            **inputs, weights=aligned_values(weights, inputs["demand_index"], "weights"), p=p
        )

    def _build(self) -> None:
        self.p = check_p(self.p)
        need = ~self._by_existing & ~self._uncoverable & (self.weights > 0)
        self._rows, a_rows, a_cols = self._needed(need)
        n_r, n_c = len(self._rows), len(self._cols)
        # Variables: y (candidates) | z (demands). Rows: z_i - sum_j a_ij y_j <= 0; sum y <= p.
        self._cover = incidence(
            np.concatenate([a_rows, np.arange(n_r)]),
            np.concatenate([a_cols, n_c + np.arange(n_r)]),
            np.concatenate([-np.ones(len(a_rows)), np.ones(n_r)]),
            (n_r, n_c + n_r),
        )
        self._count = incidence(
            np.zeros(n_c, dtype=np.int64), np.arange(n_c), np.ones(n_c), (1, n_c + n_r)
        )
        self._matrix = incidence(a_rows, a_cols, np.ones(len(a_rows)), (n_r, n_c))

    def _plans(
        self, p_values: list[int], time_limit_s: float, mip_rel_gap: float
    ) -> MaxCoverSolution:
        """Plans for every p asked (ascending), from one decomposed solve."""
        return solve_max_cover(
            self._matrix,
            self.weights[self._rows],
            p_values,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
            base=self._existing_objective(),
        )

    def _plan(
        self, time_limit_s: float, mip_rel_gap: float
    ) -> tuple[np.ndarray, SolveReport, pd.DataFrame, np.ndarray]:
        sol = self._plans([self.p], time_limit_s, mip_rel_gap)
        point = sol.points[0]
        return point.chosen, point.report, sol.components, self.weights > 0

    def _use(self, point: CurvePoint, comps: pd.DataFrame) -> None:
        """Take the plan of one p of a curve as the model's solution."""
        self.p = point.p
        self.report = point.report
        self.components = comps
        self._open = self.existing_mask.copy()
        self._open[self._cols[point.chosen]] = True
        self._open = drop_redundant(self._open, self.existing_mask, self.pairs, self.weights > 0)

    def _existing_objective(self) -> float:
        return float(self.weights[self._by_existing].sum())

    def _milp(self) -> CoverMilp | None:
        n_r, n_c = len(self._rows), len(self._cols)
        if n_r == 0 or self.p == 0:
            return None
        return CoverMilp(
            c=np.concatenate([np.zeros(n_c), self.weights[self._rows]]),
            integrality=np.concatenate([np.ones(n_c), np.zeros(n_r)]),
            constraints=[
                optimize.LinearConstraint(self._cover, -np.inf, 0.0),
                optimize.LinearConstraint(self._count, 0.0, float(self.p)),
            ],
            keep=self.weights > 0,
            name="maximal covering",
            maximize=True,
        )

    def solve(
        self,
        time_limit_s: float | None = None,
        mip_rel_gap: float | None = None,
        *,
        p: int | None = None,
        solver: SolverRules | None = None,
    ) -> Self:
        """Solve (reduced, decomposed, HiGHS per component), for another ``p`` when given.

        Solving again for another ``p`` reuses the sparse model built once.

        Parameters
        ----------
        time_limit_s, mip_rel_gap, solver
            Solver settings, as for :meth:`lvliang_coverage.optimise.highs.SolvedModel.solve`.
        p : int, optional
            Solve for another number of new facilities (replaces ``self.p``).

        Returns
        -------
        Self
            ``self``, with the results as attributes.
        """
        if p is not None:
            self.p = check_p(p)
        return super().solve(time_limit_s, mip_rel_gap, solver=solver)

    @property
    def uncovered(self) -> list[Any]:
        """Ids of demands left uncovered (coverable ones included)."""
        return ids_where(self.demand_index, self._n_covering() == 0)

    @property
    def covered_weight(self) -> float:
        """Weight covered (residents), existing coverage included."""
        return float(self.weights[self._n_covering() > 0].sum())

    @property
    def covered_share(self) -> float:
        """Share of the total weight covered (0-1; NaN when the total is 0)."""
        total = float(self.weights.sum())
        return self.covered_weight / total if total > 0 else math.nan


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
    solver: SolverRules | None = None,
    demand_col: str = "origin_id",
    candidate_col: str = "destination_id",
) -> pd.DataFrame:
    """Weight covered against the number of new facilities p (maximal covering per p).

    The model is built and reduced once and split into independent components; each
    component's exact curve (best weight for k = 0, 1, ... new facilities) is merged over
    the components for every p at once (max-plus dynamic programme, exact). The time limit
    covers the whole curve; a plan cut short keeps the best found, with its gap. Should a
    plan cover less than the plan for a smaller p, that smaller plan (feasible for the
    larger p) is kept, so the curve never decreases.

    Parameters
    ----------
    pairs, demand_ids, weights, candidate_ids, existing, demand_col, candidate_col
        As for :meth:`MCLP.from_pairs`.
    p_values : iterable of int
        Numbers of new facilities.
    time_limit_s, mip_rel_gap, solver
        Solver settings for each p, as for :meth:`MCLP.solve`.

    Returns
    -------
    pandas.DataFrame
        One row per p (ascending): ``p``, ``n_new``, ``covered_weight`` (residents),
        ``covered_share`` (0-1), ``new_ids`` (tuple), ``status``, ``mip_gap``,
        ``solve_seconds``, ``reused`` (True when the plan of a smaller p was kept).
    """
    ps = sorted({check_p(p) for p in p_values})
    if not ps:
        msg = "p_values 为空 / p_values is empty"
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
    limit, gap = solver_settings(time_limit_s, mip_rel_gap, solver)
    sol = model._plans(ps, limit, gap)
    records: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    for point in sol.points:
        model._use(point, sol.components)
        rec = {
            "p": point.p,
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
