"""Capacitated facility location with single sourcing (e.g. drinking-water projects)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np
import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise._assign import (
    NO_PAIR,
    NOT_SERVED,
    TOO_LARGE,
    solve_single_assignment,
)
from lvliang_coverage.optimise._pairs import (
    Pairs,
    PairsInput,
    aligned_values,
    encode_pairs,
    id_index,
    ids_where,
    reason_names,
)
from lvliang_coverage.optimise.highs import SolvedModel

__all__ = ["FacilityLocation"]


@dataclass(eq=False, repr=False)
class FacilityLocation(SolvedModel):
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

    pairs: Pairs
    _: KW_ONLY
    demand_index: pd.Index
    quantity: np.ndarray
    weights: np.ndarray
    candidate_index: pd.Index
    fixed_cost: np.ndarray
    capacity: np.ndarray
    existing_mask: np.ndarray
    budget: float | None

    def __post_init__(self) -> None:
        self.fixed_cost = np.where(self.existing_mask, 0.0, self.fixed_cost)

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
            msg = (
                f"现有设施编号 {unknown[:5].tolist()} 不在候选点编号中 / "
                f"existing ids {unknown[:5].tolist()} are not among candidate_ids"
            )
            raise InputError(msg, column="existing")
        enc = encode_pairs(
            pairs, dem, cand, demand_col=demand_col, candidate_col=candidate_col, value_col=cost_col
        )
        qty = aligned_values(quantity, dem, "quantity")
        w = qty if weights is None else aligned_values(weights, dem, "weights")
        if budget is not None and not (np.isfinite(budget) and budget >= 0):
            msg = (
                f"预算须为非负数，收到 {budget!r} / "
                f"budget must be a non-negative number, got {budget!r}"
            )
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

    def _solve(self, time_limit_s: float, mip_rel_gap: float) -> None:
        core = solve_single_assignment(
            self.pairs,
            pair_cost=self.pairs.value,
            size=self.quantity,
            weight=self.weights,
            capacity=self.capacity,
            fixed_cost=self.fixed_cost,
            optional=~self.existing_mask,
            budget=self.budget,
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
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
        self.opened = ids_where(cand, core.opened)
        self.existing_used = ids_where(cand, self.existing_mask & serving)
        self.fixed_cost_total = float(self.fixed_cost[core.opened].sum())
        self.assignment_cost_total = float(used.value.sum())
        self.total_cost = self.fixed_cost_total + self.assignment_cost_total
        left = np.flatnonzero(core.reason != None)  # noqa: E711 - elementwise on an object array
        names = {TOO_LARGE: "exceeds_capacity", NO_PAIR: "no_pair"}
        names[NOT_SERVED] = "capacity" if self.budget is None else "budget"
        self.unserved = pd.DataFrame(
            {"demand_id": dem[left], "reason": reason_names(core.reason[left], names)}
        )
        served = np.zeros(len(dem), dtype=bool)
        served[used.i] = True
        self.served = ids_where(dem, served)
        self.served_weight = float(self.weights[served].sum())
