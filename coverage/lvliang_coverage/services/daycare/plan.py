"""Day-care plan: which idle buildings to convert (maximal covering of elderly residents)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.config import SolverRules
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.optimise.covering import coverage_curve
from lvliang_coverage.services.access import (
    Router,
    access,
    covering_pairs,
    link_frame,
    reasons,
)
from lvliang_coverage.services.daycare.demand import DEMAND_COLUMNS, demand_table
from lvliang_coverage.services.daycare.settings import DaycareRules

UNCOVERABLE_COLUMNS = [
    *DEMAND_COLUMNS,
    "nearest_site_id",
    "euclid_km",
    "fastest_site_id",
    "network_km",
    "travel_min",
    "reason",
]
"""Columns of ``daycare_plan_uncoverable.csv``: the site (centre or candidate) nearest in a
straight line and its kilometres, the fastest one to reach, its road kilometres and minutes
(NaN when none is reachable), and the access core's reason codes."""

LINK_COLUMNS = ["village_id", "name", "site_id", "site_name", "role", "elderly", "minutes"]
"""Columns of the village -> centre links (before the geometry)."""


@dataclass
class DaycarePlan:
    """A day-care plan: p idle buildings converted, the coverage curve, what stays uncovered.

    Attributes
    ----------
    mode : str
        Travel mode of the time limit.
    p : int
        New centres allowed in the plan.
    demand : pandas.DataFrame
        Every village: ``village_id``, ``name``, ``county``, ``township``, ``population``,
        ``elderly`` (residents), ``elderly_estimated``.
    sites : geopandas.GeoDataFrame
        Existing centres and candidate sites
        (:data:`~lvliang_coverage.services.daycare.sites.SITE_COLUMNS`), EPSG:4326.
    pairs : pandas.DataFrame
        :data:`~lvliang_coverage.services.access.PAIR_COLUMNS`: the site is within the radius
        and the time of the village.
    curve : pandas.DataFrame
        Elderly covered against p (``coverage_curve`` output, never decreasing).
    selected : list
        Site ids of the candidates chosen for the plan's p.
    uncoverable : pandas.DataFrame
        Villages with elderly residents that no site, existing or candidate, covers
        (:data:`UNCOVERABLE_COLUMNS`).
    """

    mode: str
    p: int
    demand: pd.DataFrame
    sites: gpd.GeoDataFrame
    pairs: pd.DataFrame
    curve: pd.DataFrame
    selected: list[object]
    uncoverable: pd.DataFrame

    @property
    def open_ids(self) -> list[object]:
        """Existing centres and the candidates chosen."""
        existing = self.sites.loc[self.sites["role"] == "existing", "site_id"].tolist()
        return existing + list(self.selected)

    @property
    def new_sites(self) -> gpd.GeoDataFrame:
        """Candidate sites chosen for conversion, in site order."""
        return self.sites[self.sites["site_id"].isin(self.selected)].reset_index(drop=True)

    def assignment(self) -> pd.DataFrame:
        """Each covered village with the fastest open centre covering it.

        Returns
        -------
        pandas.DataFrame
            ``village_id``, ``site_id``, ``elderly`` (residents), ``minutes``, ``euclid_km``,
            ``network_km``, ``role`` of the site (``existing``, ``idle`` or ``user``).
        """
        p = self.pairs[self.pairs["destination_id"].isin(self.open_ids)]
        best = p.sort_values(["origin_id", "time_s"], kind="stable").drop_duplicates("origin_id")
        elderly = self.demand.set_index("village_id")["elderly"]
        role = self.sites.set_index("site_id")["role"]
        return pd.DataFrame(
            {
                "village_id": best["origin_id"].to_numpy(),
                "site_id": best["destination_id"].to_numpy(),
                "elderly": elderly.loc[best["origin_id"]].to_numpy(),
                "minutes": best["time_s"].to_numpy(float) / 60.0,
                "euclid_km": best["euclid_m"].to_numpy(float) / 1000.0,
                "network_km": best["network_m"].to_numpy(float) / 1000.0,
                "role": role.loc[best["destination_id"]].to_numpy(),
            }
        ).reset_index(drop=True)

    def site_table(self) -> pd.DataFrame:
        """Chosen sites with the villages and elderly residents they serve (nearest open).

        Returns
        -------
        pandas.DataFrame
            ``site_id``, ``name``, ``county``, ``township``, ``kind``, ``role``,
            ``villages``, ``elderly_served`` (residents), ``lon``, ``lat`` (degrees).
        """
        a = self.assignment()
        per = a.groupby("site_id").agg(villages=("village_id", "size"), elderly=("elderly", "sum"))
        s = self.new_sites.to_crs(STORAGE_CRS)
        ids = s["site_id"]
        return pd.DataFrame(
            {
                "site_id": ids.to_numpy(),
                "name": s["name"].to_numpy(),
                "county": s["county"].to_numpy(),
                "township": s["township"].to_numpy(),
                "kind": s["kind"].to_numpy(),
                "role": s["role"].to_numpy(),
                "villages": ids.map(per["villages"]).fillna(0).astype(np.int64).to_numpy(),
                "elderly_served": ids.map(per["elderly"]).fillna(0).astype(np.int64).to_numpy(),
                "lon": s.geometry.x.round(6).to_numpy(),
                "lat": s.geometry.y.round(6).to_numpy(),
            }
        )

    def links(self, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Draw a line from each covered village to its centre (EPSG:4326).

        Columns :data:`LINK_COLUMNS`; ``villages`` gives the locations.
        """
        a = self.assignment()
        return link_frame(
            villages,
            self.sites,
            a["village_id"],
            a["site_id"],
            role=a["role"].to_numpy(),
            elderly=a["elderly"].to_numpy(),
            minutes=a["minutes"].round(1).to_numpy(),
        )

    def summary(self) -> dict[str, object]:
        """Headline figures: elderly now, after the plan, curve end points, solver report."""
        total = int(self.demand["elderly"].sum())
        row = self.curve[self.curve["p"] == self.p].iloc[0]
        first, last = self.curve.iloc[0], self.curve.iloc[-1]
        existing = self.sites["role"] == "existing"
        return {
            "mode": self.mode,
            "villages": len(self.demand),
            "elderly": total,
            "elderly_estimated_villages": int(self.demand["elderly_estimated"].sum()),
            "existing_centres": int(existing.sum()),
            "candidate_sites": int((~existing).sum()),
            "p": self.p,
            "new_centres": len(self.selected),
            "elderly_covered_now": round(float(first["covered_weight"])),
            "elderly_covered_after_plan": round(float(row["covered_weight"])),
            "covered_share_after_plan": float(row["covered_share"]),
            "curve_max_p": int(last["p"]),
            "elderly_covered_at_curve_end": round(float(last["covered_weight"])),
            "uncoverable_villages": len(self.uncoverable),
            "uncoverable_elderly": int(self.uncoverable["elderly"].sum()),
            "solver_status": str(row["status"]),
            "mip_gap": _plain(row["mip_gap"]),
            "solve_seconds": float(self.curve["solve_seconds"].sum()),
        }


def _plain(value: object) -> object:
    """Return a numpy scalar as a plain Python number (JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def curve_p_values(n_candidates: int, cap: int, p: int) -> list[int]:
    """Budgets 0..min(candidates, cap), plus the plan's p."""
    return sorted({*range(min(n_candidates, cap) + 1), p})


def _uncoverable(
    villages: gpd.GeoDataFrame,
    demand: pd.DataFrame,
    sites: gpd.GeoDataFrame,
    net: Router,
    settings: DaycareRules,
) -> pd.DataFrame:
    """Villages with elderly residents no site covers, with the access core's reason codes."""
    if sites.empty:
        a = None
    else:
        # the access core's nearest-facility column is always "facility_id"
        as_facilities = sites.rename(columns={"site_id": "facility_id"})
        a = access(villages, as_facilities, net, settings.access_rule, time_to_nearest=False)
    served = np.zeros(len(villages), dtype=bool) if a is None else a["served"].to_numpy(bool)
    keep = ~served & (demand["elderly"].to_numpy() > 0)
    out = demand.loc[keep, DEMAND_COLUMNS].reset_index(drop=True)
    if a is None:
        return out.assign(
            nearest_site_id=None,
            euclid_km=np.nan,
            fastest_site_id=None,
            network_km=np.nan,
            travel_min=np.nan,
            reason="no_site",
        )[UNCOVERABLE_COLUMNS]
    sub = a.loc[keep].reset_index(drop=True)
    return out.assign(
        nearest_site_id=sub["nearest_id"].to_numpy(object),
        euclid_km=sub["nearest_euclid_m"].to_numpy(float) / 1000.0,
        fastest_site_id=sub["fastest_id"].to_numpy(object),
        network_km=sub["fastest_network_m"].to_numpy(float) / 1000.0,
        travel_min=sub["fastest_time_s"].to_numpy(float) / 60.0,
        reason=reasons(sub, np.zeros(len(sub), dtype=bool)),
    )[UNCOVERABLE_COLUMNS]


def plan_daycare(
    villages: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    net: Router,
    settings: DaycareRules,
    *,
    p: int | None = None,
    solver: SolverRules | None = None,
) -> DaycarePlan:
    """Choose p candidate buildings to convert so that the most elderly residents are served.

    Maximal covering (:func:`lvliang_coverage.optimise.covering.coverage_curve`, HiGHS) with
    the existing centres fixed open and each village weighted by its residents aged 60+;
    the curve runs p = 0 .. min(candidates, ``daycare.curve_max_p``) and never decreases.
    The plan is the curve's row for ``p``.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages (``village_id``, ``name``, ``county``, ``township``, ``population``,
        optionally ``elderly``), any CRS.
    sites : GeoDataFrame
        Existing centres and candidates
        (:func:`~lvliang_coverage.services.daycare.sites.site_layer`).
    net : TravelNetwork
        Network of ``daycare.mode``.
    settings : DaycareRules
        The day-care settings.
    p : int, optional
        New centres allowed (default ``daycare.plan_p``).
    solver : SolverRules, optional
        Solver settings (pass ``rules.solver``).

    Returns
    -------
    DaycarePlan
        The plan.
    """
    p = settings.plan_p if p is None else int(p)
    demand = demand_table(villages, settings)
    pairs = covering_pairs(villages, sites, net, settings.access_rule)
    existing = sites.loc[sites["role"] == "existing", "site_id"].tolist()
    n_candidates = int((sites["role"] != "existing").sum())
    curve = coverage_curve(
        pairs,
        demand["village_id"].tolist(),
        demand.set_index("village_id")["elderly"],
        sites["site_id"].tolist(),
        curve_p_values(n_candidates, settings.curve_max_p, p),
        existing=existing,
        solver=solver,
    )
    row = curve[curve["p"] == p].iloc[0]
    return DaycarePlan(
        mode=net.mode,
        p=p,
        demand=demand,
        sites=sites,
        pairs=pairs,
        curve=curve,
        selected=list(row["new_ids"]),
        uncoverable=_uncoverable(villages, demand, sites, net, settings),
    )
