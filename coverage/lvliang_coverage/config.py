"""Rules configuration: the policy numbers and technical settings, with user overrides."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from lvliang_coverage.errors import InputError

DEFAULT_RULES_FILE = "rules.toml"
_FREE_SECTIONS = ("speeds",)  # users may add keys (new highway classes, new modes) here


@dataclass(frozen=True)
class ClinicRules:
    """Article 7: village clinics (村卫生室) for villages under 200 residents.

    Attributes
    ----------
    small_village_max_residents : int
        Villages with fewer than this many residents (常住人口) fall under the rule.
    service_radius_km : float
        Service radius in kilometres (服务半径).
    max_travel_min : float
        Travel time in minutes within which residents reach basic care.
    radius_measure : str
        ``"euclidean"`` (straight line, default) or ``"network"``: which distance decides
        ``within_radius``.
    """

    article: int
    small_village_max_residents: int
    service_radius_km: float
    max_travel_min: float
    radius_measure: str
    default_mode: str
    candidate_min_residents: int
    care_kinds: tuple[str, ...]
    deadline: str
    responsible_units: tuple[str, ...]

    @property
    def service_radius_m(self) -> float:
        """Service radius in metres."""
        return self.service_radius_km * 1000.0

    @property
    def max_travel_s(self) -> float:
        """Travel-time limit in seconds."""
        return self.max_travel_min * 60.0


@dataclass(frozen=True)
class StaffingRules:
    """Article 8: doctors per township health centre (乡镇卫生院)."""

    article: int
    large_township_min_residents: int
    doctors_large: int
    doctors_small: int


@dataclass(frozen=True)
class WaterRules:
    """Articles 12-14: rural drinking-water projects, subsidies and maintenance funds."""

    article_subsidy: int
    article_maintenance: int
    poor_household_connection_subsidy: float
    maintenance_yuan_per_person_year: float
    responsible_units: tuple[str, ...]
    demand_l_per_resident_day: float
    connection_cost_yuan_per_household: float
    pipe_cost_yuan_per_m: float
    winding_factor: float
    min_gravity_head_m: float
    lift_cost_yuan_per_m_head: float
    max_pipe_km: float
    deadline: str
    source_cost_yuan: Mapping[str, float]
    works_cost_yuan_per_m3d: float
    existing_kinds: tuple[str, ...]
    pipe_mode: str
    per_county: bool

    @property
    def max_pipe_m(self) -> float:
        """Longest main considered, in metres."""
        return self.max_pipe_km * 1000.0

    @property
    def demand_m3_per_resident_day(self) -> float:
        """Demand per resident in m3/day."""
        return self.demand_l_per_resident_day / 1000.0


@dataclass(frozen=True)
class RelocationRules:
    """Articles 15-17: resettlement sites (易地扶贫搬迁安置点) and their services."""

    article: int
    max_minutes_clinic: float
    max_minutes_health_centre: float
    max_minutes_school: float
    max_minutes_workshop: float
    max_minutes_industrial_park: float
    mode: str
    max_commute_min: float
    same_county: bool
    optional_services: tuple[str, ...]
    benefits_within_months: int
    responsible_units: tuple[str, ...]
    deadline: str

    def max_minutes(self, service: str) -> float:
        """Travel-time limit in minutes from a site to the nearest facility of ``service``."""
        return float(getattr(self, f"max_minutes_{service}"))


@dataclass(frozen=True)
class NetworkRules:
    """Technical settings for joining points to the road network (metres, factors, model)."""

    max_offroad_leg_m: float
    offpath_factor: float
    offroad_winding: float
    offroad_model: str = "tobler_straight"


@dataclass(frozen=True)
class SolverRules:
    """Settings of ``scipy.optimize.milp`` (HiGHS): seconds and relative MIP gap."""

    time_limit_s: float
    mip_rel_gap: float


@dataclass(frozen=True)
class Rules:
    """All rules in force: the shipped defaults merged with any user overrides.

    Attributes
    ----------
    raw : Mapping[str, Any]
        The merged TOML content.
    sources : tuple of str
        The files merged, defaults first.
    """

    raw: Mapping[str, Any]
    sources: tuple[str, ...]
    clinic: ClinicRules
    staffing: StaffingRules
    water: WaterRules
    relocation: RelocationRules
    network: NetworkRules
    solver: SolverRules

    @property
    def speeds(self) -> Mapping[str, Mapping[str, Any]]:
        """Speed tables per travel mode (km/h by OSM highway class)."""
        return self.raw["speeds"]

    @property
    def modes(self) -> tuple[str, ...]:
        """Names of the travel modes configured."""
        return tuple(self.raw["speeds"])


def _default_text() -> str:
    return (
        resources.files("lvliang_coverage").joinpath(DEFAULT_RULES_FILE).read_text(encoding="utf-8")
    )


def _merge(base: dict[str, Any], over: Mapping[str, Any], path: str, file: str) -> None:
    """Merge ``over`` into ``base`` in place, rejecting unknown keys and wrong types."""
    free = path.split(".", maxsplit=1)[0] in _FREE_SECTIONS
    for key, value in over.items():
        where = f"{path}.{key}" if path else key
        if key not in base:
            if free:
                base[key] = copy.deepcopy(value)
                continue
            msg = f"unknown rules key '{where}'"
            raise InputError(msg, file=file, column=where)
        current = base[key]
        if isinstance(current, dict):
            if not isinstance(value, Mapping):
                msg = f"rules key '{where}' must be a table"
                raise InputError(msg, file=file, column=where)
            _merge(current, value, where, file)
        elif isinstance(current, bool):
            if not isinstance(value, bool):
                msg = f"rules key '{where}' must be true or false, got {value!r}"
                raise InputError(msg, file=file, column=where)
            base[key] = value
        elif isinstance(current, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                msg = f"rules key '{where}' must be a number, got {value!r}"
                raise InputError(msg, file=file, column=where)
            if value < 0:
                msg = f"rules key '{where}' must not be negative, got {value!r}"
                raise InputError(msg, file=file, column=where)
            base[key] = type(current)(value) if isinstance(current, float) else value
        else:
            if type(value) is not type(current):
                msg = f"rules key '{where}' must be of type {type(current).__name__}"
                raise InputError(msg, file=file, column=where)
            base[key] = copy.deepcopy(value)


def _section(cls: type, raw: Mapping[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items() if k in names}
    return cls(**values)


def load_rules(*overrides: str | Path | Mapping[str, Any]) -> Rules:
    """Load the shipped rules and apply overrides in order.

    Parameters
    ----------
    *overrides : str, Path or Mapping
        TOML files, or mappings shaped like the TOML file, e.g.
        ``{"clinic": {"service_radius_km": 3.0}}``.

    Returns
    -------
    Rules
        The merged rules.

    Raises
    ------
    InputError
        When a file is missing, not valid TOML, or sets an unknown key or a value of the
        wrong type.
    """
    raw: dict[str, Any] = tomllib.loads(_default_text())
    sources = ["lvliang_coverage/rules.toml"]
    for over in overrides:
        if isinstance(over, Mapping):
            _merge(raw, over, "", "<mapping>")
            sources.append("<mapping>")
            continue
        path = Path(over)
        if not path.is_file():
            msg = "rules file not found"
            raise InputError(msg, file=path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            msg = f"not a valid UTF-8 TOML rules file: {exc}"
            raise InputError(msg, file=path) from exc
        _merge(raw, data, "", str(path))
        sources.append(str(path))
    if raw["clinic"]["radius_measure"] not in {"euclidean", "network"}:
        msg = "clinic.radius_measure must be 'euclidean' or 'network'"
        raise InputError(msg, file=sources[-1], column="clinic.radius_measure")
    return Rules(
        raw=raw,
        sources=tuple(sources),
        clinic=_section(ClinicRules, raw["clinic"]),
        staffing=_section(StaffingRules, raw["staffing"]),
        water=_section(WaterRules, raw["water"]),
        relocation=_section(RelocationRules, raw["relocation"]),
        network=_section(NetworkRules, raw["network"]),
        solver=_section(SolverRules, raw["solver"]),
    )
