"""Private helpers of decomposed covering: deadlines, enumeration, component reports."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from lvliang_coverage.optimise.highs import SolveReport

ENUM_MAX_COLS = 12
"""Technical setting: components with at most this many candidates are solved by enumeration."""
ENUM_MAX_ROWS = 64
"""Technical setting: ... and at most this many demands (one 64-bit mask per subset)."""
TABLE_COLUMNS = [
    "component",
    "n_demand",
    "n_candidates",
    "n_pairs",
    "method",
    "status",
    "objective",
    "bound",
    "gap",
    "seconds",
]
"""Columns of a model's ``components`` table (one row per independent component)."""


@dataclass
class Clock:
    """Wall-clock budget shared by every solver call of one solve (seconds)."""

    time_limit_s: float
    start: float = 0.0

    def __post_init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start

    @property
    def left(self) -> float:
        """Seconds left (never below 0)."""
        return max(self.time_limit_s - self.elapsed, 0.0)


def rel_gap(incumbent: float, bound: float, *, maximize: bool) -> float:
    """Relative gap of an incumbent to a bound, over the incumbent (0 when both are 0)."""
    diff = bound - incumbent if maximize else incumbent - bound
    if diff <= 1e-9 * max(abs(incumbent), 1.0):
        return 0.0
    if not np.isfinite(bound):
        return np.inf
    return float(diff / abs(incumbent)) if incumbent != 0 else np.inf


def enumerate_subsets(a: sparse.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Every subset of the columns of a small component: rows covered (bit masks) and size.

    Subset ``s`` holds column ``j`` when bit ``j`` of ``s`` is set.

    Parameters
    ----------
    a : scipy.sparse.csr_array
        Rows (at most 64) x columns (at most :data:`ENUM_MAX_COLS`), 0/1.

    Returns
    -------
    masks : numpy.ndarray
        uint64 per subset: bit ``i`` set when row ``i`` is covered.
    sizes : numpy.ndarray
        Number of columns per subset.
    """
    dense = a.toarray() > 0
    bits = np.left_shift(np.uint64(1), np.arange(a.shape[0], dtype=np.uint64))
    col_mask = np.bitwise_or.reduce(np.where(dense, bits[:, None], np.uint64(0)), axis=0)
    masks = np.zeros(1, dtype=np.uint64)
    sizes = np.zeros(1, dtype=np.int64)
    for j in range(a.shape[1]):  # one doubling per column (at most ENUM_MAX_COLS)
        masks = np.concatenate([masks, masks | col_mask[j]])
        sizes = np.concatenate([sizes, sizes + 1])
    return masks, sizes


def subset_cols(subset: int, n_cols: int) -> np.ndarray:
    """Columns of an enumerated subset (bit ``j`` set)."""
    return np.flatnonzero((subset >> np.arange(n_cols)) & 1)


def mask_weights(masks: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Total weight of the rows set in each mask (rows in bit order)."""
    bits = np.unpackbits(masks.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    return bits[:, : len(weight)] @ weight


def table(rows: dict[str, np.ndarray | list[object]]) -> pd.DataFrame:
    """Build the components table in :data:`TABLE_COLUMNS` order."""
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def summary(comp: pd.DataFrame) -> str:
    """One line: components, the largest one, how they were solved, the worst gap."""
    if comp.empty:
        return "no component left after reductions"
    methods = comp["method"].value_counts()
    how = ", ".join(f"{n} by {m}" for m, n in methods.items())
    gap = float(comp["gap"].max())
    return (
        f"{len(comp)} independent components ({how}); largest {int(comp['n_demand'].max())} "
        f"demands, {int(comp['n_candidates'].max())} candidates, "
        f"{int(comp['n_pairs'].max())} pairs; worst component gap {gap:.2%}"
    )


def assemble(
    *,
    status_ok: bool,
    objective: float,
    bound: float,
    maximize: bool,
    base: float,
    clock: Clock,
    n_variables: int,
    n_constraints: int,
    phases: int,
    message: str,
    mip_rel_gap: float,
) -> SolveReport:
    """Build the model's report from its components: sums, the overall gap, the status."""
    gap = rel_gap(objective, bound, maximize=maximize)
    ok = status_ok and gap <= mip_rel_gap + 1e-9
    return SolveReport(
        status="optimal" if ok else "time_limit",
        message=message,
        objective=objective + base,
        dual_bound=bound + base,
        mip_gap=gap,
        solve_seconds=clock.elapsed,
        time_limit_s=clock.time_limit_s,
        mip_rel_gap=mip_rel_gap,
        n_variables=n_variables,
        n_constraints=n_constraints,
        phases=phases,
    )
