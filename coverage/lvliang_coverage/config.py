"""Rules configuration: the policy numbers and technical settings, with user overrides."""

from __future__ import annotations

import copy
import datetime
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Any

from lvliang_coverage.errors import InputError

DEFAULT_RULES_FILE = "rules.toml"
DEFAULT_SOURCE = "lvliang_coverage/rules.toml"
"""How :attr:`Rules.sources` and :meth:`Rules.source_of` name the shipped defaults."""
_FREE_SECTIONS = ("speeds",)  # users may add keys (new highway classes, new modes) here
_FREE_TABLES = ("terrain.friction_classes",)  # tables of numbers whose keys users choose


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
    deadline : datetime.date
        完成时限 of the ledger, resolved at load (:func:`resolve_deadline`).
    filer, county_filer : str
        填报单位 of the ledger (presentation settings, not policy): the city unit, and the
        county unit with ``{county}`` to fill in.
    unit : str
        The unit of article 7's "村": ``"admin_village"`` (行政村, default: the threshold
        applies to its residents summed over its settlements) or ``"settlement"`` (自然村).
    exclude_urban : bool
        Leave settlements of urban 居委会 out of the rural rule (default True).
    """

    article: int
    small_village_max_residents: int
    service_radius_km: float
    max_travel_min: float
    radius_measure: str
    default_mode: str
    candidate_min_residents: int
    care_kinds: tuple[str, ...]
    deadline: datetime.date
    responsible_units: tuple[str, ...]
    filer: str
    county_filer: str
    unit: str = "admin_village"
    exclude_urban: bool = True

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
    """Articles 12-14: rural drinking-water projects, subsidies and maintenance funds (yuan).

    ``deadline``, ``filer`` and ``county_filer`` as in :class:`ClinicRules`.
    """

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
    deadline: datetime.date
    source_cost_yuan: Mapping[str, float]
    works_cost_yuan_per_m3d: float
    existing_kinds: tuple[str, ...]
    pipe_mode: str
    per_county: bool
    filer: str
    county_filer: str

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
    """Articles 15-17: resettlement sites (易地扶贫搬迁安置点) and their services (minutes).

    ``deadline``, ``filer`` and ``county_filer`` as in :class:`ClinicRules`.
    """

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
    deadline: datetime.date
    filer: str
    county_filer: str

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
    access_forbidden: tuple[str, ...] = ("no", "private")


@dataclass(frozen=True)
class TerrainRules:
    """Settings of the terrain travel model (technical settings and planning assumptions).

    Attributes
    ----------
    travel_model : {"network", "terrain"}
        ``"network"``: off-road leg to the nearest road; ``"terrain"``: walking over a lattice
        plus the road network (:mod:`lvliang_coverage.network.lattice`).
    cell_m : float
        Lattice cell size in metres (network's metric CRS).
    neighbours : {8, 16}
        Moves per cell: king's moves, or with the knight's moves too.
    road_only_modes : tuple of str
        Modes that may not leave the road (trips start at the road join).
    isochrone_minutes : tuple of float
        Minutes of the isochrone polygons cut from travel-time surfaces.
    ford_radius_m : float
        Metres around a ford point where a barrier may be crossed on foot.
    friction_classes : Mapping[str, float]
        Land-cover class code (as text) -> speed multiplier (0 = impassable).
    """

    travel_model: str = "network"
    cell_m: float = 100.0
    neighbours: int = 16
    road_only_modes: tuple[str, ...] = ()
    isochrone_minutes: tuple[float, ...] = (15.0, 30.0, 60.0)
    ford_radius_m: float = 100.0
    friction_classes: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SolverRules:
    """Settings of ``scipy.optimize.milp`` (HiGHS): seconds and relative MIP gap."""

    time_limit_s: float
    mip_rel_gap: float


@dataclass(frozen=True)
class InputRules:
    """Technical settings for reading registries: plausibility bounds and outlier distances.

    Attributes
    ----------
    max_village_residents : int
        Residents (常住人口) one village may have; more is an input error.
    max_village_households : int
        Households one village may have.
    max_site_households : int
        Households a resettlement site may hold (capacity and occupied).
    max_source_capacity_m3d : float
        Capacity of one water source or plant, m3/day.
    max_doctors : int
        Doctors at one facility.
    max_elevation_m : float
        Highest elevation a point may have, metres above sea level.
    max_below_sea_m : float
        Metres below sea level a point may lie (elevation >= -this).
    max_outside_km : float
        Kilometres a point may lie outside the given study area (boundaries).
    max_outside_roads_km : float
        Kilometres a point may lie outside the road file's extent when no boundary is given.
    """

    max_village_residents: int
    max_village_households: int
    max_site_households: int
    max_source_capacity_m3d: float
    max_doctors: int
    max_elevation_m: float
    max_below_sea_m: float
    max_outside_km: float
    max_outside_roads_km: float


@dataclass(frozen=True)
class Rules:
    """All rules in force: the shipped defaults merged with any user overrides.

    Attributes
    ----------
    raw : Mapping[str, Any]
        The merged TOML content.
    sources : tuple of str
        The files merged, defaults first.
    origins : Mapping[str, int]
        For every dotted key an override set (e.g. ``"clinic.service_radius_km"``), the index
        in ``sources`` of the last file that set it; see :meth:`source_of`.
    today : datetime.date
        The day of the run: ``"end_of_year"`` deadlines are 31 December of its year, and no
        deadline may lie before it (:meth:`deadline`).
    """

    raw: Mapping[str, Any]
    sources: tuple[str, ...]
    origins: Mapping[str, int]
    clinic: ClinicRules
    staffing: StaffingRules
    water: WaterRules
    relocation: RelocationRules
    network: NetworkRules
    solver: SolverRules
    inputs: InputRules
    today: datetime.date = field(default_factory=datetime.date.today)
    terrain: TerrainRules = field(default_factory=TerrainRules)

    @property
    def speeds(self) -> Mapping[str, Mapping[str, Any]]:
        """Speed tables per travel mode (km/h by OSM highway class)."""
        return self.raw["speeds"]

    @property
    def modes(self) -> tuple[str, ...]:
        """Names of the travel modes configured."""
        return tuple(self.raw["speeds"])

    def source_of(self, key: str) -> str:
        """Name the file that last set a rules key: a user file, ``"<mapping>"`` or defaults.

        Parameters
        ----------
        key : str
            Dotted key, e.g. ``"relocation.optional_services"``; a table (``"speeds.car"``)
            counts as set by the last file that set it or anything inside it.

        Returns
        -------
        str
            An entry of :attr:`sources` (:data:`DEFAULT_SOURCE` for the shipped defaults), to
            pass as ``file=`` of an :class:`~lvliang_coverage.errors.InputError` caused by it.

        Raises
        ------
        KeyError
            When the rules have no such key.
        """
        node: Any = self.raw
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                msg = f"no rules key {key!r}"
                raise KeyError(msg)
            node = node[part]
        hits = [
            i
            for k, i in self.origins.items()
            if k == key or k.startswith(f"{key}.") or key.startswith(f"{k}.")
        ]
        return self.sources[max(hits)] if hits else self.sources[0]

    def deadline(self, section: str) -> datetime.date:
        """Resolve ``<section>.deadline`` (e.g. ``"daycare"``) for :attr:`today`.

        Raises :class:`~lvliang_coverage.errors.InputError` as :func:`resolve_deadline`,
        naming the file that set the key and the key.
        """
        return _section_deadline(self.raw, self.sources, self.origins, section, self.today)


def _default_text() -> str:
    return (
        resources.files("lvliang_coverage").joinpath(DEFAULT_RULES_FILE).read_text(encoding="utf-8")
    )


@dataclass(frozen=True)
class ValueBound:
    """Range a rules number must lie in: ``low < value`` (or ``<=``) and ``value <= high``."""

    low: float
    low_open: bool
    high: float
    zh: str
    en: str

    def holds(self, value: float) -> bool:
        """Whether ``value`` lies in the range."""
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high


POSITIVE = ValueBound(0.0, True, math.inf, "必须大于 0", "must be greater than 0")
NON_NEGATIVE = ValueBound(0.0, False, math.inf, "不得为负", "must not be negative")
SHARE = ValueBound(0.0, False, 1.0, "必须在 0 到 1 之间", "must lie between 0 and 1")
AT_LEAST_ONE = ValueBound(1.0, False, math.inf, "不得小于 1", "must be at least 1")

VALUE_BOUNDS: dict[str, ValueBound] = {
    # limits, thresholds and counts for which 0 would make the rule meaningless
    "*.article": POSITIVE,
    "*.article_*": POSITIVE,
    "clinic.small_village_max_residents": POSITIVE,
    "*.service_radius_km": POSITIVE,
    "*.max_travel_min": POSITIVE,
    "staffing.large_township_min_residents": POSITIVE,
    "staffing.doctors_*": POSITIVE,
    "water.demand_l_per_resident_day": POSITIVE,
    "water.max_pipe_km": POSITIVE,
    "relocation.max_minutes_*": POSITIVE,
    "relocation.max_commute_min": POSITIVE,
    "daycare.elderly_min_age": POSITIVE,
    "network.max_offroad_leg_m": POSITIVE,
    "network.offpath_factor": POSITIVE,
    "speeds.*.flat_kmh": POSITIVE,
    "speeds.*.steep_factor": POSITIVE,
    "solver.time_limit_s": POSITIVE,
    "inputs.max_below_sea_m": NON_NEGATIVE,
    "inputs.max_*": POSITIVE,
    "terrain.cell_m": POSITIVE,
    "terrain.neighbours": POSITIVE,
    # shares (0-1), not percentages
    "water.poor_household_connection_subsidy": SHARE,
    "daycare.elderly_share_default": SHARE,
    "solver.mip_rel_gap": SHARE,
    # walked or piped length over the straight line
    "water.winding_factor": AT_LEAST_ONE,
    "network.offroad_winding": AT_LEAST_ONE,
}
"""Range of each rules number by dotted-key pattern (``fnmatch``, first match wins).

Numbers matching no pattern (costs, counts that may be 0, speeds by road class where 0
forbids the class, grade factors) must not be negative. Every number must be finite, and a
key whose default is an integer takes whole numbers only.
"""

VALUE_CHOICES: dict[str, tuple[str, ...]] = {
    "*.radius_measure": ("euclidean", "network"),
    "clinic.unit": ("admin_village", "settlement"),
    "terrain.travel_model": ("network", "terrain"),
}
"""Allowed strings by dotted-key pattern."""

MODE_KEYS = ("*.mode", "*_mode")
"""Patterns of keys naming a travel mode: it must be a configured ``[speeds.<mode>]``."""

_INT_LIMIT = 2**63  # integer rules must fit numpy's int64


def _bad(where: str, file: str, zh: str, en: str, value: object) -> InputError:
    """Error for rules key ``where`` set in ``file``, in Chinese and English."""
    msg = f"规则值{zh} / rules key '{where}' {en}, got {value!r}"
    return InputError(msg, file=file, column=where)


def _number(value: object, current: int | float, where: str, file: str) -> int | float:
    """``value`` as the type of ``current``: finite, and whole for an integer key."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(where, file, "必须是数字", "must be a number", value)
    if not math.isfinite(value):
        raise _bad(where, file, "必须是有限数", "must be a finite number", value)
    if isinstance(current, float):
        return float(value)
    if isinstance(value, float) and not value.is_integer():
        raise _bad(where, file, "必须是整数", "must be a whole number", value)
    if abs(value) >= _INT_LIMIT:
        raise _bad(where, file, "超出整数范围", "is out of the integer range", value)
    return int(value)


def _check_free(value: object, where: str, file: str) -> None:
    """Check a new key of a free section: tables of numbers, lists of strings (highways)."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            _check_free(v, f"{where}.{k}", file)
    elif isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise _bad(where, file, "必须是字符串列表", "must be a list of strings", value)
    else:
        _number(value, 0.0, where, file)


def _merge(
    base: dict[str, Any],
    over: Mapping[str, Any],
    path: str,
    file: str,
    *,
    origins: dict[str, int],
    index: int,
) -> None:
    """Merge ``over`` into ``base`` in place, rejecting unknown keys and wrong types.

    Every key set is recorded in ``origins`` with ``index``, the position of ``file`` in the
    rules' sources.
    """
    free = path.split(".", maxsplit=1)[0] in _FREE_SECTIONS or path in _FREE_TABLES
    for key, given in over.items():
        where = f"{path}.{key}" if path else key
        # a TOML date (deadline = 2030-06-30) is taken as its text
        dated = key == "deadline" and isinstance(given, datetime.date)
        value = given.isoformat() if dated else given
        if key not in base:
            if not free:
                msg = f"未知的规则键 / unknown rules key '{where}'"
                raise InputError(msg, file=file, column=where)
            if path in _FREE_SECTIONS and not isinstance(value, Mapping):
                raise _bad(where, file, "必须是表", "must be a table", value)
            _check_free(value, where, file)
            base[key] = copy.deepcopy(value)
        elif isinstance(base[key], dict):
            if not isinstance(value, Mapping):
                raise _bad(where, file, "必须是表", "must be a table", value)
            _merge(base[key], value, where, file, origins=origins, index=index)
            continue
        elif isinstance(base[key], bool):
            if not isinstance(value, bool):
                raise _bad(where, file, "必须是 true 或 false", "must be true or false", value)
            base[key] = value
        elif isinstance(base[key], int | float):
            base[key] = _number(value, base[key], where, file)
        else:
            current = base[key]
            if type(value) is not type(current):
                kind = type(current).__name__
                raise _bad(where, file, f"必须是 {kind} 类型", f"must be of type {kind}", value)
            if isinstance(current, list) and current:
                item = type(current[0])
                if not all(type(v) is item for v in value):
                    kind = item.__name__
                    raise _bad(where, file, f"元素必须是 {kind}", f"must hold {kind} items", value)
            base[key] = copy.deepcopy(value)
        origins[where] = index


def _leaves(node: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, Any]]:
    """Every non-table value of the rules with its dotted key."""
    for key, value in node.items():
        where = f"{path}.{key}" if path else key
        if isinstance(value, Mapping):
            yield from _leaves(value, where)
        else:
            yield where, value


def _first_match(where: str, table: Mapping[str, Any]) -> Any:
    return next((v for pattern, v in table.items() if fnmatchcase(where, pattern)), None)


def _check_values(rules: Rules) -> None:
    """Reject numbers out of range, strings outside their choices and unknown modes."""
    for where, value in _leaves(rules.raw):
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise _bad(where, rules.source_of(where), "必须是有限数", "must be finite", value)
            bound = _first_match(where, VALUE_BOUNDS) or NON_NEGATIVE
            if not bound.holds(value):
                raise _bad(where, rules.source_of(where), bound.zh, bound.en, value)
            continue
        choices = _first_match(where, VALUE_CHOICES)
        if choices is not None and value not in choices:
            shown = " | ".join(repr(c) for c in choices)
            raise _bad(where, rules.source_of(where), f"必须是 {shown}", f"must be {shown}", value)
        is_mode = not where.startswith("speeds.") and any(fnmatchcase(where, p) for p in MODE_KEYS)
        if is_mode and value not in rules.modes:
            shown = ", ".join(rules.modes)
            zh, en = f"必须是已配置的出行方式 ({shown})", f"must be a configured mode ({shown})"
            raise _bad(where, rules.source_of(where), zh, en, value)


def _section(cls: type, raw: Mapping[str, Any], **resolved: Any) -> Any:
    names = {f.name for f in fields(cls)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items() if k in names}
    return cls(**{**values, **resolved})


END_OF_YEAR = "end_of_year"
"""Deadline value meaning 31 December of the year of the run (the default of every section)."""

DEADLINE_SECTIONS = ("clinic", "water", "relocation")
"""Sections whose ``deadline`` :func:`load_rules` resolves (others: :meth:`Rules.deadline`)."""


def resolve_deadline(value: str, today: datetime.date | None = None) -> datetime.date:
    """Resolve a ledger deadline (完成时限): ``"end_of_year"`` or ``YYYY-MM-DD``, never past.

    ``"end_of_year"`` is 31 December of the year of ``today`` (default: today). Raises
    :class:`~lvliang_coverage.errors.InputError` (zh / en) for another form or a date before
    ``today``; :func:`load_rules` adds the file and the key.
    """
    today = today or datetime.date.today()
    if value == END_OF_YEAR:
        return datetime.date(today.year, 12, 31)
    try:
        day = datetime.date.fromisoformat(value) if len(str(value)) == 10 else None
    except (TypeError, ValueError):
        day = None
    if day is None:
        zh, en = f'须为 "{END_OF_YEAR}" 或 YYYY-MM-DD', f'must be "{END_OF_YEAR}" or YYYY-MM-DD'
    elif day < today:
        zh, en = f"{day} 已过（今天是 {today}）", f"{day} is in the past (today is {today})"
    else:
        return day
    msg = f"完成时限{zh} / deadline {en}, got {value!r}"
    raise InputError(msg, column="deadline")


def _section_deadline(
    raw: Mapping[str, Any],
    sources: tuple[str, ...],
    origins: Mapping[str, int],
    section: str,
    today: datetime.date,
) -> datetime.date:
    """Resolve ``<section>.deadline``; an error names the file that set it and the key."""
    key = f"{section}.deadline"
    try:
        return resolve_deadline(raw.get(section, {}).get("deadline", END_OF_YEAR), today)
    except InputError as exc:
        zh, _, en = exc.message.partition(" / ")
        file = sources[origins[key]] if key in origins else sources[0]
        msg = f"规则值 {key}：{zh} / rules key '{key}': {en}"
        raise InputError(msg, file=file, column=key) from None


def load_rules(
    *overrides: str | Path | Mapping[str, Any], today: datetime.date | None = None
) -> Rules:
    """Load the shipped rules and apply overrides in order.

    Parameters
    ----------
    *overrides : str, Path or Mapping
        TOML files, or mappings shaped like the TOML file, e.g.
        ``{"clinic": {"service_radius_km": 3.0}}``.
    today : datetime.date, optional
        The day of the run (default: today), for the deadlines (:func:`resolve_deadline`).

    Returns
    -------
    Rules
        The merged rules.

    Raises
    ------
    InputError
        When a file is missing or not valid TOML, or sets an unknown key, a value of the
        wrong type, NaN or infinity, a fraction for an integer key, a number outside its
        range (:data:`VALUE_BOUNDS`), a string outside its choices (:data:`VALUE_CHOICES`)
        or an unknown travel mode (:data:`MODE_KEYS`), or a deadline of
        :data:`DEADLINE_SECTIONS` that is not ``"end_of_year"`` or an ISO date, or is past.
        The error names the file that set the key and the key (``column``).
    """
    raw: dict[str, Any] = tomllib.loads(_default_text())
    sources = [DEFAULT_SOURCE]
    origins: dict[str, int] = {}
    for over in overrides:
        if isinstance(over, Mapping):
            _merge(raw, over, "", "<mapping>", origins=origins, index=len(sources))
            sources.append("<mapping>")
            continue
        path = Path(over)
        if not path.is_file():
            msg = "找不到规则配置文件 / rules file not found"
            raise InputError(msg, file=path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            msg = f"不是有效的 UTF-8 TOML 规则配置文件 / not a valid UTF-8 TOML rules file: {exc}"
            raise InputError(msg, file=path) from exc
        _merge(raw, data, "", str(path), origins=origins, index=len(sources))
        sources.append(str(path))
    today = today or datetime.date.today()
    due = {s: _section_deadline(raw, tuple(sources), origins, s, today) for s in DEADLINE_SECTIONS}
    rules = Rules(
        raw=raw,
        sources=tuple(sources),
        origins=origins,
        clinic=_section(ClinicRules, raw["clinic"], deadline=due["clinic"]),
        staffing=_section(StaffingRules, raw["staffing"]),
        water=_section(WaterRules, raw["water"], deadline=due["water"]),
        relocation=_section(RelocationRules, raw["relocation"], deadline=due["relocation"]),
        network=_section(NetworkRules, raw["network"]),
        solver=_section(SolverRules, raw["solver"]),
        inputs=_section(InputRules, raw["inputs"]),
        today=today,
        terrain=_section(TerrainRules, raw.get("terrain", {})),
    )
    _check_values(rules)
    return rules
