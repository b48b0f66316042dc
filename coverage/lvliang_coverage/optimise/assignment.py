"""Assignment models: demands to open facilities (``assign``) and villages to resettlement sites."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np
import pandas as pd

from lvliang_coverage.config import SolverRules
from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise._assign import NO_PAIR, NOT_SERVED, solve_single_assignment
from lvliang_coverage.optimise._pairs import (
    Pairs,
    PairsInput,
    aligned_labels,
    aligned_values,
    encode_pairs,
    id_index,
    reason_names,
)
from lvliang_coverage.optimise.highs import SolvedModel, SolveReport, solver_settings

__all__ = [
    "DEFAULT_MAX_COMMUTE_MIN",
    "DEFAULT_SAME_GROUP",
    "AssignmentResult",
    "CapacitatedAssignment",
    "assign",
]

DEFAULT_MAX_COMMUTE_MIN = 90.0
"""Commute limit in minutes when none is given: the shipped ``relocation.max_commute_min``."""
DEFAULT_SAME_GROUP = True
"""Same-county rule when none is given: the shipped ``relocation.same_county``."""


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


def _filter_to(pairs: PairsInput, column: str, keep: pd.Index) -> PairsInput:
    """Rows of a pairs table whose ``column`` is in ``keep`` (a sparse matrix unchanged)."""
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
    solver: SolverRules | None = None,
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
    time_limit_s, mip_rel_gap, solver
        Solver settings, as for :meth:`lvliang_coverage.optimise.highs.SolvedModel.solve`.

    Returns
    -------
    AssignmentResult
        Assignment, unassigned demands with reasons, facility loads, total cost, report.
    """
    limit, gap = solver_settings(time_limit_s, mip_rel_gap, solver)
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
            "reason": reason_names(core.reason[left], {NOT_SERVED: "capacity"}),
        }
    )
    load = np.bincount(used.j, weights=size[used.i], minlength=len(fac))
    loads = pd.DataFrame({"facility_id": fac, "load": load, "capacity": cap, "spare": cap - load})
    return AssignmentResult(
        assignment, unassigned, loads, float(assignment["cost"].sum()), core.report
    )


@dataclass(eq=False, repr=False)
class CapacitatedAssignment(SolvedModel):
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

    pairs: Pairs
    _: KW_ONLY
    village_index: pd.Index
    households: np.ndarray
    residents: np.ndarray
    site_index: pd.Index
    remaining: np.ndarray
    pre_reason: np.ndarray

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
            Commute limit in minutes; default :data:`DEFAULT_MAX_COMMUTE_MIN` (pass
            ``math.inf`` for none; services pass ``rules.relocation.max_commute_min``).
        village_group, site_group : Mapping, Series or array-like, optional
            Group (county) of each village and site.
        same_group : bool, optional
            Keep only same-group pairs (when groups are given); default
            :data:`DEFAULT_SAME_GROUP` (services pass ``rules.relocation.same_county``).
        village_col, site_col, time_col : str
            Columns of ``pairs``; the defaults match ``Router.within(sites, villages)``
            output (travel from each site back to the old village, seconds).

        Returns
        -------
        CapacitatedAssignment
            The model, ready to :meth:`solve`.
        """
        max_minutes = DEFAULT_MAX_COMMUTE_MIN if max_minutes is None else max_minutes
        same_group = DEFAULT_SAME_GROUP if same_group is None else same_group
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
            msg = (
                "village_group 和 site_group 须同时给出或都不给出 / "
                "give both village_group and site_group, or neither"
            )
            raise InputError(msg, column="village_group" if village_group is None else "site_group")
        if same_group and village_group is not None:
            vg = pd.Series(aligned_labels(village_group, vil, "village_group"))
            sg = pd.Series(aligned_labels(site_group, site, "site_group"))
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

    def _solve(self, time_limit_s: float, mip_rel_gap: float) -> None:
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
            time_limit_s=time_limit_s,
            mip_rel_gap=mip_rel_gap,
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
        reason = reason_names(reason, {NOT_SERVED: "capacity", NO_PAIR: "no_pair"})
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
