"""Private helpers for the siting models: id encoding, sparse pairs, scipy.optimize.milp calls."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError

STATUS_NAMES = {
    0: "optimal",
    1: "time_limit",
    2: "infeasible",
    3: "unbounded",
    4: "error",
}
"""``scipy.optimize.milp`` status codes and the names the siting results report."""


class SolverError(RuntimeError):
    """The solver stopped without any feasible solution (e.g. a time limit hit too early).

    Parameters
    ----------
    message : str
        What happened.
    report : SolveReport
        The solver report of the failed solve.
    """

    def __init__(self, message: str, report: SolveReport) -> None:
        self.report = report
        super().__init__(f"{message} (status {report.status}: {report.message})")


@dataclass(frozen=True)
class SolveReport:
    """What a ``scipy.optimize.milp`` (HiGHS) solve did, in the model's own sense.

    Attributes
    ----------
    status : str
        ``"optimal"`` (within the gap asked), ``"time_limit"`` (stopped at the time limit; a
        feasible solution may still be available), ``"infeasible"``, ``"unbounded"`` or
        ``"error"``.
    message : str
        The solver's message.
    objective : float
        Objective value of the solution found (NaN when none), in the model's units and sense
        (a maximising model reports the maximum).
    dual_bound : float
        Best bound on the optimum proven by the solver (NaN when unknown).
    mip_gap : float
        Relative gap between ``objective`` and ``dual_bound`` as reported by HiGHS (0 when
        proven optimal).
    solve_seconds : float
        Wall-clock seconds spent in the solver (all phases).
    time_limit_s : float
        Time limit in seconds given to each solver call.
    mip_rel_gap : float
        Relative MIP gap asked for.
    n_variables, n_constraints : int
        Size of the model solved (summed over phases).
    phases : int
        Number of solver calls (lexicographic models solve twice; 0 when solved in closed form).
    """

    status: str
    message: str
    objective: float
    dual_bound: float
    mip_gap: float
    solve_seconds: float
    time_limit_s: float
    mip_rel_gap: float
    n_variables: int
    n_constraints: int
    phases: int = 1

    @property
    def has_solution(self) -> bool:
        """Whether a feasible solution is available."""
        return bool(np.isfinite(self.objective))

    def as_dict(self) -> dict[str, Any]:
        """Return the report as a plain dictionary (for ledgers and JSON)."""
        return asdict(self)

    def describe(self, lang: str = "zh") -> str:
        """One line for a plan or ledger: status, objective, bound, gap, seconds, settings.

        Parameters
        ----------
        lang : {"zh", "en"}, default "zh"
            Language of the text.

        Returns
        -------
        str
            E.g. ``"求解状态: 最优; 目标值 12; 界 12; 相对间隙 0.00%; 用时 0.05 秒 (时限 60 秒,
            目标间隙 0.00%)"``.
        """
        if lang not in _TEXT:
            msg = f"unknown language {lang!r}; use 'zh' or 'en'"
            raise InputError(msg, column="lang")
        text = _TEXT[lang]
        gap = "-" if not np.isfinite(self.mip_gap) else f"{self.mip_gap:.2%}"
        return text["line"].format(
            status=text.get(self.status, self.status),
            objective=f"{self.objective:.6g}",
            bound=f"{self.dual_bound:.6g}",
            gap=gap,
            seconds=f"{self.solve_seconds:.2f}",
            limit=f"{self.time_limit_s:g}",
            target=f"{self.mip_rel_gap:.2%}",
        )


_TEXT = {
    "zh": {
        "line": (
            "求解状态: {status}; 目标值 {objective}; 界 {bound}; 相对间隙 {gap}; "
            "用时 {seconds} 秒 (时限 {limit} 秒, 目标间隙 {target})"
        ),
        "optimal": "最优",
        "time_limit": "达到时限",
        "infeasible": "不可行",
        "unbounded": "无界",
        "error": "求解出错",
    },
    "en": {
        "line": (
            "solver status: {status}; objective {objective}; bound {bound}; gap {gap}; "
            "{seconds} s (limit {limit} s, target gap {target})"
        ),
        "optimal": "optimal",
        "time_limit": "time limit reached",
        "infeasible": "infeasible",
        "unbounded": "unbounded",
        "error": "solver error",
    },
}


def solver_settings(time_limit_s: float | None, mip_rel_gap: float | None) -> tuple[float, float]:
    """Fill missing solver settings from ``load_rules().solver``.

    Parameters
    ----------
    time_limit_s : float or None
        Seconds per solver call.
    mip_rel_gap : float or None
        Relative MIP gap (0 = prove optimality).

    Returns
    -------
    tuple of float
        ``(time_limit_s, mip_rel_gap)``.
    """
    if time_limit_s is None or mip_rel_gap is None:
        rules = load_rules().solver
        time_limit_s = rules.time_limit_s if time_limit_s is None else time_limit_s
        mip_rel_gap = rules.mip_rel_gap if mip_rel_gap is None else mip_rel_gap
    if not time_limit_s > 0:
        msg = f"time_limit_s must be positive, got {time_limit_s!r}"
        raise InputError(msg, column="time_limit_s")
    if not mip_rel_gap >= 0:
        msg = f"mip_rel_gap must not be negative, got {mip_rel_gap!r}"
        raise InputError(msg, column="mip_rel_gap")
    return float(time_limit_s), float(mip_rel_gap)


def closed_form_report(
    objective: float, seconds: float, time_limit_s: float, mip_rel_gap: float
) -> SolveReport:
    """Report for a model solved without calling the solver (trivial or closed form).

    Parameters
    ----------
    objective : float
        The optimum.
    seconds : float
        Seconds spent.
    time_limit_s, mip_rel_gap : float
        Settings that would have been used.

    Returns
    -------
    SolveReport
        An optimal report with zero gap and no solver phases.
    """
    return SolveReport(
        status="optimal",
        message="solved in closed form, no solver call needed",
        objective=float(objective),
        dual_bound=float(objective),
        mip_gap=0.0,
        solve_seconds=seconds,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        n_variables=0,
        n_constraints=0,
        phases=0,
    )


def run_milp(
    c: np.ndarray,
    integrality: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    constraints: Sequence[optimize.LinearConstraint],
    *,
    time_limit_s: float,
    mip_rel_gap: float,
    maximize: bool = False,
    offset: float = 0.0,
) -> tuple[np.ndarray | None, SolveReport]:
    """Solve one MILP with HiGHS and report it in the model's sense.

    Parameters
    ----------
    c : numpy.ndarray
        Objective coefficients (in the model's sense: maximised when ``maximize``).
    integrality : numpy.ndarray
        1 for integer variables, 0 for continuous.
    lower, upper : numpy.ndarray
        Variable bounds.
    constraints : sequence of scipy.optimize.LinearConstraint
        Sparse constraint blocks.
    time_limit_s : float
        Solver time limit in seconds.
    mip_rel_gap : float
        Relative MIP gap.
    maximize : bool, default False
        Maximise ``c @ x`` instead of minimising it.
    offset : float, default 0.0
        Constant added to the reported objective and bound.

    Returns
    -------
    x : numpy.ndarray or None
        The solution (integer variables rounded), or None when no feasible solution was found.
    report : SolveReport
        Status, objective, bound, gap, seconds and settings.
    """
    sign = -1.0 if maximize else 1.0
    n_cons = int(sum(con.A.shape[0] for con in constraints))
    start = time.perf_counter()
    res = optimize.milp(
        sign * np.asarray(c, dtype=float),
        integrality=integrality,
        bounds=optimize.Bounds(lower, upper),
        constraints=list(constraints),
        options={"time_limit": time_limit_s, "mip_rel_gap": mip_rel_gap, "disp": False},
    )
    seconds = time.perf_counter() - start
    x = None if res.x is None else np.asarray(res.x, dtype=float)
    if x is not None:
        x = np.where(integrality > 0, np.round(x), x)
    fun = getattr(res, "fun", None)
    bound = getattr(res, "mip_dual_bound", None)
    gap = getattr(res, "mip_gap", None)
    objective = np.nan if (x is None or fun is None) else sign * float(fun) + offset
    dual_bound = np.nan if bound is None else sign * float(bound) + offset
    if res.status == 0 and bound is None:
        dual_bound = objective
    report = SolveReport(
        status=STATUS_NAMES.get(int(res.status), "error"),
        message=str(res.message),
        objective=objective,
        dual_bound=dual_bound,
        mip_gap=float(gap) if gap is not None else (0.0 if res.status == 0 else np.nan),
        solve_seconds=seconds,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        n_variables=len(c),
        n_constraints=n_cons,
    )
    return x, report


def combine_reports(first: SolveReport, second: SolveReport) -> SolveReport:
    """Merge the reports of a two-phase (lexicographic) solve.

    The result carries the second phase's objective, bound and gap, the worse of the two
    statuses and the summed seconds and sizes.

    Parameters
    ----------
    first, second : SolveReport
        Phase reports in order.

    Returns
    -------
    SolveReport
        The combined report.
    """
    status = second.status if first.status == "optimal" else first.status
    if second.status != "optimal":
        status = second.status
    return SolveReport(
        status=status,
        message=f"phase 1: {first.message}; phase 2: {second.message}",
        objective=second.objective,
        dual_bound=second.dual_bound,
        mip_gap=max(first.mip_gap, second.mip_gap),
        solve_seconds=first.solve_seconds + second.solve_seconds,
        time_limit_s=second.time_limit_s,
        mip_rel_gap=second.mip_rel_gap,
        n_variables=first.n_variables + second.n_variables,
        n_constraints=first.n_constraints + second.n_constraints,
        phases=first.phases + second.phases,
    )


def id_index(ids: Any, name: str) -> pd.Index:
    """Validate a collection of ids (unique, no missing values) and return it as an index.

    Parameters
    ----------
    ids : array-like
        Identifiers.
    name : str
        What they are, for error messages (e.g. ``"demand_ids"``).

    Returns
    -------
    pandas.Index
        The ids in the order given.
    """
    index = pd.Index(list(ids) if not isinstance(ids, pd.Index) else ids)
    if index.hasnans:
        msg = f"{name} contains missing ids"
        raise InputError(msg, column=name)
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:5].tolist()
        msg = f"{name} contains duplicate ids, e.g. {dup}"
        raise InputError(msg, column=name)
    return index


def aligned_values(
    values: Any,
    index: pd.Index,
    name: str,
    *,
    allow_inf: bool = False,
    default: float | None = None,
) -> np.ndarray:
    """Align per-id numbers (weights, sizes, capacities, costs) with ``index``.

    Parameters
    ----------
    values : scalar, Mapping, pandas.Series, array-like or None
        A scalar for every id; a Mapping or Series keyed by id (every id needed); or an
        array-like in the order of ``index``.
    index : pandas.Index
        The ids.
    name : str
        Parameter name, for error messages.
    allow_inf : bool, default False
        Accept ``inf`` (e.g. unlimited capacity).
    default : float, optional
        Value used when ``values`` is None.

    Returns
    -------
    numpy.ndarray
        Float array aligned with ``index``; finite (unless ``allow_inf``) and non-negative.
    """
    if values is None:
        if default is None:
            msg = f"{name} is required"
            raise InputError(msg, column=name)
        values = default
    if np.isscalar(values):
        out = np.full(len(index), float(values))
    elif isinstance(values, pd.Series | Mapping):
        series = pd.Series(values) if isinstance(values, Mapping) else values
        missing = index.difference(series.index)
        if len(missing):
            msg = f"{name} has no value for ids {missing[:5].tolist()}"
            raise InputError(msg, column=name)
        if not series.index.is_unique:
            msg = f"{name} has duplicate ids"
            raise InputError(msg, column=name)
        out = pd.to_numeric(series.reindex(index), errors="coerce").to_numpy(dtype=float)
    else:
        out = pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce").to_numpy(
            dtype=float
        )
        if len(out) != len(index):
            msg = f"{name} has {len(out)} values for {len(index)} ids"
            raise InputError(msg, column=name)
    bad = np.isnan(out) | (out < 0) | (~np.isfinite(out) & (not allow_inf))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        msg = f"{name} must be non-negative numbers, got {out[first]!r} for id {index[first]!r}"
        raise InputError(msg, row=first + 1, column=name)
    return out


@dataclass(frozen=True)
class Pairs:
    """Encoded (demand, candidate, value) pairs.

    Attributes
    ----------
    i : numpy.ndarray
        Demand positions (int64) in the demand index.
    j : numpy.ndarray
        Candidate positions (int64) in the candidate index.
    value : numpy.ndarray
        The pair value (cost, minutes, metres); ones when none was given.
    """

    i: np.ndarray
    j: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.i)

    def subset(self, mask: np.ndarray) -> Pairs:
        """Pairs where ``mask`` is true."""
        return Pairs(self.i[mask], self.j[mask], self.value[mask])


def encode_pairs(
    pairs: pd.DataFrame | sparse.sparray | sparse.spmatrix,
    demand_index: pd.Index,
    candidate_index: pd.Index,
    *,
    demand_col: str,
    candidate_col: str,
    value_col: str | None = None,
    aggregate: str = "min",
) -> Pairs:
    """Turn a pairs table or sparse matrix into integer positions and values.

    Parameters
    ----------
    pairs : pandas.DataFrame or scipy.sparse array/matrix
        A table with one row per allowed (demand, candidate) pair, or a sparse matrix of
        shape (n demands, n candidates) in the order of the indexes whose STORED entries
        (explicit zeros included) are the pairs and whose data are the values.
    demand_index, candidate_index : pandas.Index
        Valid ids.
    demand_col, candidate_col : str
        Id columns of a table.
    value_col : str, optional
        Value column of a table (cost, minutes...). Without it every value is 1.
    aggregate : {"min"}, default "min"
        Duplicate pairs keep their smallest value.

    Returns
    -------
    Pairs
        Deduplicated pairs, sorted by demand then candidate.
    """
    if sparse.issparse(pairs):
        coo = sparse.coo_array(pairs)
        if coo.shape != (len(demand_index), len(candidate_index)):
            msg = (
                f"pairs matrix has shape {coo.shape}, expected "
                f"({len(demand_index)}, {len(candidate_index)})"
            )
            raise InputError(msg)
        i = np.asarray(coo.row, dtype=np.int64)
        j = np.asarray(coo.col, dtype=np.int64)
        value = np.asarray(coo.data, dtype=float) if value_col is not None else np.ones(len(i))
    elif isinstance(pairs, pd.DataFrame):
        needed = [demand_col, candidate_col] + ([value_col] if value_col else [])
        for col in needed:
            if col not in pairs.columns:
                msg = f"pairs table has no column '{col}'"
                raise InputError(msg, column=col)
        i = demand_index.get_indexer(pairs[demand_col])
        j = candidate_index.get_indexer(pairs[candidate_col])
        for codes, col in ((i, demand_col), (j, candidate_col)):
            if (codes < 0).any():
                row = int(np.flatnonzero(codes < 0)[0])
                msg = f"pairs refer to unknown id {pairs[col].iloc[row]!r}"
                raise InputError(msg, row=row + 1, column=col)
        if value_col is not None:
            value = pd.to_numeric(pairs[value_col], errors="coerce").to_numpy(dtype=float)
        else:
            value = np.ones(len(i))
        i = i.astype(np.int64)
        j = j.astype(np.int64)
    else:
        msg = f"pairs must be a DataFrame or a scipy.sparse matrix, got {type(pairs).__name__}"
        raise InputError(msg)
    bad = ~np.isfinite(value) | (value < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        msg = f"pair values must be finite and non-negative, got {value[row]!r}"
        raise InputError(msg, row=row + 1, column=value_col)
    if aggregate != "min":
        msg = f"unknown aggregate {aggregate!r}"
        raise InputError(msg)
    # Sort by (demand, candidate, value) and keep the first of each pair: the smallest value.
    order = np.lexsort((value, j, i))
    i, j, value = i[order], j[order], value[order]
    keep = np.ones(len(i), dtype=bool)
    keep[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    return Pairs(i[keep], j[keep], value[keep])


def incidence(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]) -> Any:
    """Build a CSR array from coordinates (duplicates summed).

    Parameters
    ----------
    rows, cols : numpy.ndarray
        Row and column positions.
    data : numpy.ndarray
        Values.
    shape : tuple of int
        Array shape.

    Returns
    -------
    scipy.sparse.csr_array
        The sparse array.
    """
    return sparse.csr_array((data, (rows, cols)), shape=shape)
