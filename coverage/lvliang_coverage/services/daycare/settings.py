"""The ``[daycare]`` rules section as typed settings (article 25 plus planning assumptions)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from typing import Any

from lvliang_coverage.config import Rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.services.access import AccessRule

SECTION = "daycare"
"""Name of the rules section the service reads."""


@dataclass(frozen=True)
class DaycareRules:
    """Settings of the day-care service, read from ``rules.toml`` section ``[daycare]``.

    Attributes
    ----------
    article : int
        Article of 吕政办发〔2019〕41号 (25).
    responsible_units : tuple of str
        责任单位 of articles 23-26, written into the ledger.
    deadline : datetime.date
        完成时限 written into the ledger: ``daycare.deadline`` (``"end_of_year"`` or an ISO
        date, never past) resolved for the day of the run (:meth:`Rules.deadline`).
    filer, county_filer : str
        填报单位 of the ledger (presentation settings): the city unit, and the county unit
        with ``{county}`` to fill in.
    elderly_min_age : int
        Age in years from which residents count as elderly demand (60).
    candidate_kinds : tuple of str
        Facility kinds whose idle buildings (``idle`` true) are candidate sites.
    existing_kinds : tuple of str
        Facility kinds that are day-care centres already (fixed open).
    service_radius_km : float
        Service radius in kilometres (planning assumption, not policy).
    max_travel_min : float
        Travel-time limit in minutes (planning assumption, not policy).
    radius_measure : str
        ``"euclidean"`` or ``"network"``.
    mode : str
        Travel mode judging the time limit.
    elderly_share_default : float
        Share (0-1) of residents aged 60+ where the registry has no elderly count.
    plan_p : int
        New centres in the default plan.
    curve_max_p : int
        Largest number of new centres on the coverage curve.
    """

    article: int
    responsible_units: tuple[str, ...]
    deadline: datetime.date
    elderly_min_age: int
    candidate_kinds: tuple[str, ...]
    existing_kinds: tuple[str, ...]
    service_radius_km: float
    max_travel_min: float
    radius_measure: str
    mode: str
    elderly_share_default: float
    plan_p: int
    curve_max_p: int
    filer: str
    county_filer: str

    @property
    def access_rule(self) -> AccessRule:
        """The limits as an access rule (metres, seconds) for the shared access core."""
        return AccessRule(
            max_s=self.max_travel_min * 60.0,
            radius_m=self.service_radius_km * 1000.0,
            radius_measure=self.radius_measure,
        )


def daycare_rules(rules: Rules) -> DaycareRules:
    """Read the ``[daycare]`` section of the rules in force.

    Parameters
    ----------
    rules : Rules
        Rules in force (shipped defaults plus user overrides).

    Returns
    -------
    DaycareRules
        The settings.

    Raises
    ------
    InputError
        When the section is missing, a value is out of range, or the deadline is not
        ``"end_of_year"`` or an ISO date, or lies in the past (naming the file and the key).
    """
    raw: Any = rules.raw.get(SECTION)
    if raw is None:
        msg = f"规则缺少 [{SECTION}] 部分 / the rules have no [{SECTION}] section"
        raise InputError(msg, column=SECTION)
    names = {f.name for f in fields(DaycareRules)}
    values: dict[str, Any] = {
        k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items() if k in names
    }
    values["deadline"] = rules.deadline(SECTION)
    out = DaycareRules(**values)
    if not 0.0 <= out.elderly_share_default <= 1.0:
        msg = (
            f"daycare.elderly_share_default 须在0-1之间，收到 {out.elderly_share_default} / "
            f"daycare.elderly_share_default must lie in 0-1, got {out.elderly_share_default}"
        )
        key = "daycare.elderly_share_default"
        raise InputError(msg, file=rules.source_of(key), column=key)
    _ = out.access_rule  # validates radius_measure
    return out
