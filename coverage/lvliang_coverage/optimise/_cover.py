"""Private covering helpers: shared state and solve, facility ids, redundant-facility pruning."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise._pairs import Pairs, PairsInput, encode_pairs, id_index, ids_where
from lvliang_coverage.optimise.highs import (
    SolvedModel,
    SolveReport,
    closed_form_report,
    run_milp,
    solver_settings,
)


def facility_index(
    pairs: PairsInput, candidate_ids: Iterable[Any], existing: Iterable[Any] | None
) -> tuple[pd.Index, np.ndarray]:
    """Candidate ids plus existing ids not among them, and the existing flags."""
    cand = id_index(candidate_ids, "candidate_ids")
    exist = id_index([] if existing is None else existing, "existing")
    extra = exist.difference(cand, sort=False)
    if len(extra) and sparse.issparse(pairs):
        msg = (
            f"现有设施编号 {extra[:5].tolist()} 不在配对矩阵的列中 / "
            f"existing ids {extra[:5].tolist()} are not columns of the pairs matrix"
        )
        raise InputError(msg, column="existing")
    full = cand.append(extra) if len(extra) else cand
    return full, full.isin(exist)


def positions(selected: np.ndarray, n: int) -> np.ndarray:
    """Position of each selected entry among the selected ones (-1 for the others)."""
    out = np.full(n, -1, dtype=np.int64)
    out[selected] = np.arange(len(selected))
    return out


class CoverInputs(TypedDict):
    """Constructor arguments every covering model takes, encoded by :func:`covering_inputs`."""

    pairs: Pairs
    demand_index: pd.Index
    candidate_index: pd.Index
    existing_mask: np.ndarray


def covering_inputs(
    pairs: PairsInput,
    demand_ids: Iterable[Any],
    candidate_ids: Iterable[Any],
    existing: Iterable[Any] | None,
    *,
    id_cols: tuple[str, str],
) -> CoverInputs:
    """Encode demand ids, facility ids (candidates, then existing ones) and coverage pairs.

    ``id_cols`` names the demand and candidate id columns of a pairs table.
    """
    dem = id_index(demand_ids, "demand_ids")
    cand, exist = facility_index(pairs, candidate_ids, existing)
    demand_col, candidate_col = id_cols
    enc = encode_pairs(pairs, dem, cand, demand_col=demand_col, candidate_col=candidate_col)
    return CoverInputs(pairs=enc, demand_index=dem, candidate_index=cand, existing_mask=exist)


@dataclass(frozen=True)
class CoverMilp:
    """A covering model as a MILP over variables in [0, 1], new-facility columns first.

    Attributes
    ----------
    c : numpy.ndarray
        Objective coefficients (maximised when ``maximize``).
    integrality : numpy.ndarray
        1 for binary variables, 0 for continuous ones.
    constraints : list of scipy.optimize.LinearConstraint
        Sparse constraint blocks.
    keep : numpy.ndarray
        Boolean per demand: coverage that pruning redundant facilities must keep.
    name : str
        The model's name in error messages.
    maximize : bool, default False
        Maximise ``c @ x`` instead of minimising it.
    """

    c: np.ndarray
    integrality: np.ndarray
    constraints: list[optimize.LinearConstraint]
    keep: np.ndarray
    name: str
    maximize: bool = False


@dataclass(eq=False, repr=False)
class CoveringModel(SolvedModel):
    """Common state and solve of the covering models: pairs, existing coverage, the open mask.

    A model states its sparse matrices in :meth:`_build` and its MILP in :meth:`_milp`;
    compared and shown by identity, like any solver object.
    """

    pairs: Pairs
    _: KW_ONLY
    demand_index: pd.Index
    candidate_index: pd.Index
    existing_mask: np.ndarray

    def __post_init__(self) -> None:
        start = time.perf_counter()
        n_dem = len(self.demand_index)
        self._to_existing = self.existing_mask[self.pairs.j]
        self._by_existing = np.bincount(self.pairs.i[self._to_existing], minlength=n_dem) > 0
        self._uncoverable = np.bincount(self.pairs.i, minlength=n_dem) == 0
        self._open = self.existing_mask.copy()
        self.components = pd.DataFrame()
        self._build()
        self.build_seconds = time.perf_counter() - start

    def _build(self) -> None:
        """Build the model's sparse matrices (provided by each model)."""
        raise NotImplementedError

    def _milp(self) -> CoverMilp | None:
        """State the MILP, or None when nothing is left to decide (provided by each model)."""
        raise NotImplementedError

    def _existing_objective(self) -> float:
        """Objective of the plan that opens no new facility."""
        return 0.0

    def _needed(self, need: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Restrict the model to the demands that ``need`` coverage and the candidates for them.

        Sets ``_cols`` (the candidates covering such demands: the model's columns) and returns
        the demands (the model's rows) and, per pair kept, its row and column in the model.
        """
        keep = need[self.pairs.i] & ~self._to_existing
        rows = np.flatnonzero(need)
        self._cols = np.unique(self.pairs.j[keep])
        row_of = positions(rows, len(self.demand_index))
        col_of = positions(self._cols, len(self.candidate_index))
        return rows, row_of[self.pairs.i[keep]], col_of[self.pairs.j[keep]]

    def _plan(
        self, time_limit_s: float, mip_rel_gap: float
    ) -> tuple[np.ndarray, SolveReport, pd.DataFrame, np.ndarray]:
        """Decide the new facilities (provided by each model).

        Returns the open flag per model column (``_cols``), the report, the per-component
        table and the demands whose coverage pruning redundant facilities must keep.
        """
        raise NotImplementedError

    def _solve(self, time_limit_s: float, mip_rel_gap: float) -> None:
        self._open = self.existing_mask.copy()
        chosen, report, comps, keep = self._plan(time_limit_s, mip_rel_gap)
        self.report = report
        self.components = comps
        self._open[self._cols[chosen]] = True
        self._open = drop_redundant(self._open, self.existing_mask, self.pairs, keep)

    def solve_undecomposed(
        self, time_limit_s: float | None = None, mip_rel_gap: float | None = None
    ) -> SolveReport:
        """Solve the whole MILP with one HiGHS call, no reduction or start (for comparison).

        Leaves the model's plan unchanged; returns the solver's report.
        """
        limit, gap = solver_settings(time_limit_s, mip_rel_gap)
        milp = self._milp()
        if milp is None:
            return closed_form_report(self._existing_objective(), 0.0, limit, gap)
        n_var = len(milp.c)
        _, report = run_milp(
            milp.c,
            milp.integrality,
            np.zeros(n_var),
            np.ones(n_var),
            milp.constraints,
            time_limit_s=limit,
            mip_rel_gap=gap,
            maximize=milp.maximize,
            offset=self._existing_objective(),
        )
        return report

    def _n_covering(self) -> np.ndarray:
        """Count the open facilities covering each demand."""
        self._require()
        hit = self._open[self.pairs.j]
        return np.bincount(self.pairs.i[hit], minlength=len(self.demand_index))

    @property
    def selected(self) -> list[Any]:
        """Ids of the new facilities chosen."""
        self._require()
        return ids_where(self.candidate_index, self._open & ~self.existing_mask)

    @property
    def n_new(self) -> int:
        """Number of new facilities chosen."""
        return len(self.selected)

    @property
    def covered(self) -> list[Any]:
        """Ids of demands covered by at least one open facility."""
        return ids_where(self.demand_index, self._n_covering() > 0)

    @property
    def covered_by_existing(self) -> list[Any]:
        """Ids of demands an existing facility covers."""
        return ids_where(self.demand_index, self._by_existing)

    @property
    def uncoverable(self) -> list[Any]:
        """Ids of demands that no facility (existing or candidate) covers."""
        return ids_where(self.demand_index, self._uncoverable)


def drop_redundant(
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
    new = out & ~existing_mask
    # Only a facility all of whose kept demands have another open one now can be closed
    # (counts only fall as facilities close): find those at once, then close in order.
    mine = new[pairs.j] & keep[pairs.i]
    short = np.bincount(pairs.j[mine & (count[pairs.i] < 2)], minlength=len(out)) > 0
    maybe = np.flatnonzero(new & ~short)
    if len(maybe) == 0:
        return out
    sel = np.isin(pairs.j, maybe)
    order = np.argsort(pairs.j[sel], kind="stable")
    by_j = pairs.i[sel][order]
    bounds = np.searchsorted(pairs.j[sel][order], np.arange(len(out) + 1))
    for j in maybe:  # one step per facility that may be redundant
        mine = by_j[bounds[j] : bounds[j + 1]]
        mine = mine[keep[mine]]
        if (count[mine] >= 2).all():
            out[j] = False
            count[by_j[bounds[j] : bounds[j + 1]]] -= 1
    return out


def check_p(p: Any) -> int:
    """Validate a number of new facilities (a non-negative integer)."""
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 0:
        msg = f"p 须为非负整数，收到 {p!r} / p must be a non-negative integer, got {p!r}"
        raise InputError(msg, column="p")
    return int(p)
