"""Plain sentences about resettlement sites and unplaced villages, for the ledger and the map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules
from lvliang_coverage.report.vocabulary import TEXT_SEPARATOR, Terms
from lvliang_coverage.services.relocation.evaluation import SERVICES
from lvliang_coverage.services.relocation.terms import PROPOSAL_TEXT, SERVICE_NAMES

STATUS_TEXT = Terms.from_package("lvliang_coverage.services.relocation", section="status")
"""Templates of the site sentences (``[status]`` of the package's ``terms.toml``)."""


def _problem(sites: pd.DataFrame, service: str, lang: str, limit: float) -> np.ndarray:
    """Say what is wrong with one service at every site (empty where the service is met)."""
    name = SERVICE_NAMES.get(service, lang)
    minutes = sites[f"{service}_min"].to_numpy(dtype=float)
    facility = sites[f"fastest_{service}_id"].to_numpy(dtype=object)
    ok = sites[f"{service}_ok"].to_numpy(dtype=bool)
    none = STATUS_TEXT.get("none", lang, service=name)
    out = np.full(len(sites), "", dtype=object)
    for i in np.flatnonzero(~ok):  # only the services not met: a few per site
        out[i] = (
            none
            if np.isnan(minutes[i])
            else STATUS_TEXT.get(
                "slow", lang, service=name, minutes=minutes[i], facility=facility[i], limit=limit
            )
        )
    return out


def site_sentences(sites: pd.DataFrame, lang: str, rules: Rules) -> pd.Series:
    """Write one plain sentence per resettlement site: passes or not, and what is missing.

    E.g. "未达标：扶贫车间/农业基地/加工车间最快需45.6分钟（WS0314，限30分钟）；路网上无可达
    的学校" / "fails: poverty workshop / agri base 45.6 min at the fastest (WS0314; limit 30
    min); no school reachable by road", "达标：各项服务均在时限内", or "达标（有条件的配备：
    产业园区最快需90.8分钟（IP0020，限60分钟））" for a site passing without an optional service.

    Parameters
    ----------
    sites : DataFrame
        Site evaluation (:func:`~lvliang_coverage.services.relocation.evaluation.evaluate_sites`
        columns: ``fastest_<s>_id``, ``<s>_min``, ``<s>_ok``, ``passes``).
    lang : {"zh", "en"}
        Language.
    rules : Rules
        Rules in force (the time limit of each service, in minutes, and which are optional).

    Returns
    -------
    pandas.Series of str
        Aligned with ``sites`` (same index); minutes rounded to 0.1.
    """
    optional = set(rules.relocation.optional_services)
    sep = TEXT_SEPARATOR[lang]
    problems = {s: _problem(sites, s, lang, rules.relocation.max_minutes(s)) for s in SERVICES}

    def joined(services: list[str]) -> np.ndarray:
        """Join the problems of ``services`` at each site (empty text when none)."""
        if not services:
            return np.full(len(sites), "", dtype=object)
        parts = zip(*(problems[s] for s in services), strict=True)
        return np.array([sep.join(p for p in site if p) for site in parts], dtype=object)

    required = joined([s for s in SERVICES if s not in optional])
    extra = joined([s for s in SERVICES if s in optional])
    passes = sites["passes"].to_numpy(dtype=bool)
    out = np.where(
        passes,
        np.where(
            extra == "",
            STATUS_TEXT.get("passes", lang),
            [STATUS_TEXT.get("passes_but", lang, problems=e) for e in extra],
        ),
        [STATUS_TEXT.get("fails", lang, problems=r) for r in required],
    )
    return pd.Series(out, index=sites.index, dtype=object)


def proposals(
    unassigned: pd.DataFrame, sites: pd.DataFrame, lang: str, max_commute_min: float
) -> pd.Series:
    """Propose a concrete fix for every relocating village no site takes, by its reason.

    Parameters
    ----------
    unassigned : DataFrame
        :attr:`RelocationPlan.unassigned
        <lvliang_coverage.services.relocation.analysis.RelocationPlan.unassigned>`.
    sites : DataFrame
        Resettlement sites (``site_id``, ``name``, ``county``).
    lang : {"zh", "en"}
        Language.
    max_commute_min : float
        Commute limit in minutes.

    Returns
    -------
    pandas.Series of str
        Aligned with ``unassigned``: for a village too large for, or crowded out of, the
        sites the rules allow, the fastest such site and its room left after the plan
        ("扩建样例安置点012（剩余5户，本村30户）或分批安置"); for a village whose sites within
        the limit are all in other counties, the fastest one and its county; when every site
        is beyond the commute limit, the fastest one and its minutes; without any road path,
        the data to check.
    """
    info = sites.set_index("site_id")
    names: dict[object, str] = info["name"].astype(str).to_dict()
    counties: dict[object, str] = info["county"].astype(str).to_dict()
    u = unassigned
    crowded = u["reason"].isin(["too_large", "capacity"]).to_numpy()
    site = np.where(crowded, u["allowed_site_id"], u["fastest_site_id"]).tolist()
    spare = u["allowed_spare_households"].astype("Float64").fillna(0).astype(int).tolist()
    out = [  # one text per unplaced village (tens)
        PROPOSAL_TEXT.get(
            str(reason),
            lang,
            site=names.get(sid, ""),
            county=counties.get(sid, ""),
            minutes=minutes,
            limit=max_commute_min,
            spare=room,
            households=households,
        )
        for reason, sid, minutes, room, households in zip(
            u["reason"].tolist(),
            site,
            u["fastest_site_min"].astype(float).tolist(),
            spare,
            u["households"].astype(int).tolist(),
            strict=True,
        )
    ]
    return pd.Series(out, index=unassigned.index, dtype=object)
