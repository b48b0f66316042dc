"""HiGHS through ``scipy.optimize.milp``: solver settings, one solve call, solve reports."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Generic, Self, TypeVar, overload

import numpy as np
from scipy import optimize

from lvliang_coverage.config import SolverRules
from lvliang_coverage.errors import InputError

STATUS_NAMES = {
    0: "optimal",
    1: "time_limit",
    2: "infeasible",
    3: "unbounded",
    4: "error",
}
"""``scipy.optimize.milp`` status codes and the names the models report."""

_T = TypeVar("_T")


DEFAULT_SOLVER = SolverRules(time_limit_s=60.0, mip_rel_gap=0.0)
"""Settings used when a caller gives none: the shipped ``[solver]`` rules (60 s, gap 0)."""


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
            msg = (
                f"未知的语言 {lang!r}，请用 zh（中文）或 en（英文） / "
                f"unknown language {lang!r}; use 'zh' or 'en'"
            )
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


def solver_settings(
    time_limit_s: float | None = None,
    mip_rel_gap: float | None = None,
    solver: SolverRules | None = None,
) -> tuple[float, float]:
    """Resolve the solver settings: explicit values, then ``solver``, then the defaults.

    Parameters
    ----------
    time_limit_s : float, optional
        Seconds per solver call; overrides ``solver.time_limit_s``.
    mip_rel_gap : float, optional
        Relative MIP gap (0 = prove optimality); overrides ``solver.mip_rel_gap``.
    solver : SolverRules, optional
        The ``[solver]`` rules in force (e.g. ``rules.solver``); default
        :data:`DEFAULT_SOLVER`.

    Returns
    -------
    tuple of float
        ``(time_limit_s, mip_rel_gap)``: seconds and relative gap.

    Raises
    ------
    InputError
        When the time limit is not positive or the gap is negative.
    """
    rules = DEFAULT_SOLVER if solver is None else solver
    time_limit_s = rules.time_limit_s if time_limit_s is None else time_limit_s
    mip_rel_gap = rules.mip_rel_gap if mip_rel_gap is None else mip_rel_gap
    if not time_limit_s > 0:
        msg = (
            f"time_limit_s 须为正数，收到 {time_limit_s!r} / "
            f"time_limit_s must be positive, got {time_limit_s!r}"
        )
        raise InputError(msg, column="time_limit_s")
    if not mip_rel_gap >= 0:
        msg = (
            f"mip_rel_gap 不能为负数，收到 {mip_rel_gap!r} / "
            f"mip_rel_gap must not be negative, got {mip_rel_gap!r}"
        )
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


class _Reported(Generic[_T]):
    """Read-only attribute of a solved model, taken from its solver report.

    Parameters
    ----------
    doc : str
        Docstring of the attribute.
    """

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, model: None, owner: type | None = None) -> _Reported[_T]: ...

    @overload
    def __get__(self, model: SolvedModel, owner: type | None = None) -> _T: ...

    def __get__(self, model: SolvedModel | None, owner: type | None = None) -> _T | _Reported[_T]:
        if model is None:
            return self
        value: _T = getattr(model._require(), self.name)
        return value

    def __set__(self, model: SolvedModel, value: object) -> None:
        msg = f"{self.name} comes from the solver report and cannot be set"
        raise AttributeError(msg)


class SolvedModel:
    """Base of the optimisation models: the solve call and its report as attributes.

    A model implements :meth:`_solve`; :meth:`solve` resolves the solver settings first.

    Attributes
    ----------
    report : SolveReport or None
        Solver report once solved (None before :meth:`solve`).
    status, objective, mip_gap, dual_bound, solve_seconds, time_limit_s, mip_rel_gap
        The report's fields (raise :class:`RuntimeError` before :meth:`solve`).
    """

    report: SolveReport | None = None

    status = _Reported[str](
        "Solver status: ``optimal``, ``time_limit``, ``infeasible``, ``unbounded``, ``error``."
    )
    objective = _Reported[float]("Objective value of the solution, in the model's units and sense.")
    mip_gap = _Reported[float]("Relative MIP gap reached (0 when proven optimal).")
    dual_bound = _Reported[float]("Best bound on the optimum proven by the solver.")
    solve_seconds = _Reported[float]("Wall-clock seconds spent solving.")
    time_limit_s = _Reported[float]("Time limit in seconds used for each solver call.")
    mip_rel_gap = _Reported[float]("Relative MIP gap asked for.")

    def _require(self) -> SolveReport:
        """Return the report, or raise when the model is not solved yet."""
        if self.report is None:
            msg = f"{type(self).__name__} is not solved yet: call solve() first"
            raise RuntimeError(msg)
        return self.report

    def solve(
        self,
        time_limit_s: float | None = None,
        mip_rel_gap: float | None = None,
        *,
        solver: SolverRules | None = None,
    ) -> Self:
        """Solve with ``scipy.optimize.milp`` (HiGHS).

        Parameters
        ----------
        time_limit_s : float, optional
            Seconds the solver may run (a two-phase model shares them between its phases);
            default ``solver.time_limit_s``.
        mip_rel_gap : float, optional
            Relative MIP gap at which the solver stops (0 = prove optimality); default
            ``solver.mip_rel_gap``.
        solver : SolverRules, optional
            Rules giving the defaults (e.g. ``rules.solver``); default :data:`DEFAULT_SOLVER`.

        Returns
        -------
        Self
            ``self``, with the results as attributes.

        Raises
        ------
        InputError
            Settings out of range (see :func:`solver_settings`).
        SolverError
            No feasible solution found.
        """
        self._solve(*solver_settings(time_limit_s, mip_rel_gap, solver))
        return self

    def _solve(self, time_limit_s: float, mip_rel_gap: float) -> None:
        """Solve with resolved settings and store the results (provided by each model)."""
        raise NotImplementedError
