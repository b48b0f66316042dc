"""The service contract: what every service (clinics, water, relocation, day-care, ...) provides.

A service is one measure of the policy turned into a check or a plan. It declares who it is
(name, zh/en titles, the articles it implements, the facility kinds it uses and the section
of the rules it reads), and provides five things:

1. ``analyse(study, rules, task=..., **options) -> ServiceResult``: the analysis, which never
   draws or writes; a result exposes its tables (stable columns) and headline figures;
2. ``ledger(result, lang) -> Ledger | None``: the 台账 rows and summary for the workbook;
3. ``map(result, lang, study=..., basemap=...) -> CoverageMap | None``: the HTML map;
4. ``headlines(result) -> list[Headline]``: the figures the terminal prints;
5. ``cli() -> typer.Typer``: its command group (``lvliang-coverage <name> <task>``), by
   convention ``app`` in the package's ``cli`` module.

The base class does 1 to 3 with the functions each :class:`Task` names (``run``, ``ledger``,
``draw``), imported from the service's package when first used.

The runner (:mod:`lvliang_coverage.services.runner`) turns a result into files the same way
for every service; the registry (:mod:`lvliang_coverage.services.registry`) lists the
services, and the CLI, ``demo``, the overview map and the docs iterate it.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from lvliang_coverage.kinds import FacilityKind
from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.report.vocabulary import both

if TYPE_CHECKING:
    import pandas as pd
    import typer

    from lvliang_coverage.config import Rules
    from lvliang_coverage.maps.coverage_map import CoverageMap
    from lvliang_coverage.report.workbook import Ledger
    from lvliang_coverage.study import Study

Table = Any
"""A table a result writes: a DataFrame (CSV), a line GeoDataFrame (GeoJSON) or a mapping (JSON)."""


@runtime_checkable
class ServiceResult(Protocol):
    """What :meth:`Service.analyse` returns.

    Attributes
    ----------
    task : str
        The task that made it (e.g. ``"check"`` or ``"plan"``).

    Notes
    -----
    A result may also have ``rasters()``, mapping file names (``travel_time_walk.tif``) to
    objects with ``write_geotiff(path) -> Path``; the runner writes them beside the tables.
    """

    task: str

    def tables(self) -> Mapping[str, pd.DataFrame]:
        """Map file names (``clinic_compliance.csv``, ``water_pipelines.geojson``) to tables.

        ``.csv`` tables have stable documented columns; ``.geojson`` entries are
        GeoDataFrames; ``.json`` entries are JSON-serialisable mappings.
        """
        ...

    def summary(self) -> Mapping[str, object]:
        """Headline figures under stable machine keys (also written as JSON by plans)."""
        ...


@dataclass(frozen=True)
class Task:
    """One command of a service.

    Attributes
    ----------
    name : str
        Command name, e.g. ``"check"``.
    help_zh, help_en : str
        One-line help text.
    map_file : str or None
        File name of the task's HTML map (``None``: the task draws no map).
    options : Mapping of str to object
        Options ``demo`` passes to :meth:`Service.analyse` for this task.
    in_demo : bool
        Whether ``demo`` runs the task.
    run : str or None
        ``"module:function"`` in the service's package that analyses the task, called as
        ``function(study, rules, **options)`` (default ``"analysis:run_<name>"``).
    ledger : str or None
        ``"module:function"`` making the task's ledger, ``function(result, lang)``; None: the
        task files no ledger.
    draw : str or None
        ``"module:function"`` drawing the task's map, a :class:`MapDrawer`; None: no map.
    drawing : str
        Progress message printed while the map is drawn.
    """

    name: str
    help_zh: str
    help_en: str
    map_file: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    in_demo: bool = True
    run: str | None = None
    ledger: str | None = None
    draw: str | None = None
    drawing: str = "绘制地图 / drawing the map"


class MapDrawer(Protocol):
    """The function a :class:`Task` names in ``draw``: the map of one result."""

    def __call__(
        self, study: Study, result: Any, *, lang: str = "zh", basemap: str = "osm"
    ) -> CoverageMap:
        """Draw the map of ``result``.

        Parameters
        ----------
        study : Study
            The study analysed (context layers, villages, facilities, road edges).
        result : ServiceResult
            The task's result.
        lang : {"zh", "en"}
            Label language.
        basemap : str
            Base map (see :class:`lvliang_coverage.maps.coverage_map.CoverageMap`).

        Returns
        -------
        CoverageMap
            The map.
        """
        ...


class Service(ABC):
    """Base class of every service; subclasses set the class attributes and the methods.

    Attributes
    ----------
    name : str
        Registry key and command group, e.g. ``"daycare"``.
    title_zh, title_en : str
        Titles, e.g. ``"日间照料中心"`` / ``"Elderly day-care centres"``.
    articles : tuple of int
        Articles of 吕政办发〔2019〕41号 the service implements.
    kinds : tuple of str
        Canonical facility kinds the service reads (see :mod:`lvliang_coverage.kinds`).
    new_kinds : tuple of FacilityKind
        Kinds the service adds to the shared table (registered with the service).
    rules_section : str
        The section of ``rules.toml`` holding the service's settings, with article citations.
    tasks : tuple of Task
        The service's commands, in the order ``demo`` runs them.
    """

    name: ClassVar[str]
    title_zh: ClassVar[str]
    title_en: ClassVar[str]
    articles: ClassVar[tuple[int, ...]]
    kinds: ClassVar[tuple[str, ...]]
    new_kinds: ClassVar[tuple[FacilityKind, ...]] = ()
    rules_section: ClassVar[str]
    tasks: ClassVar[tuple[Task, ...]]

    def title(self, lang: str = "zh") -> str:
        """Title in ``lang``."""
        return self.title_zh if lang == "zh" else self.title_en

    def task(self, name: str) -> Task:
        """Return the task called ``name``.

        Raises
        ------
        KeyError
            When the service has no such task.
        """
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(both("no_task", service=self.name, task=name))

    def member(self, ref: str) -> Any:
        """Import ``"module:name"`` of the service's package (modules load on first use).

        Parameters
        ----------
        ref : str
            E.g. ``"analysis:run_check"`` or ``"cli:app"``.

        Returns
        -------
        object
            The module's member, e.g. a function.
        """
        module, _, name = ref.partition(":")
        package = type(self).__module__.rpartition(".")[0]
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def analyse(self, study: Study, rules: Rules, *, task: str, **options: Any) -> ServiceResult:
        """Run one task of the analysis on a study (no drawing, no writing).

        The task's ``run`` function does the work; a service overrides this method only when
        a task needs more than that.

        Parameters
        ----------
        study : Study
            Inputs and road networks.
        rules : Rules
            Rules in force (normally ``study.rules``).
        task : str
            One of the service's :attr:`tasks`.
        **options
            Task options (modes, budgets, candidate sites, ...).

        Returns
        -------
        ServiceResult
            The result.

        Raises
        ------
        KeyError
            When the service has no such task.
        """
        spec = self.task(task)
        result: ServiceResult = self.member(spec.run or f"analysis:run_{spec.name}")(
            study, rules, **options
        )
        return result

    def ledger(self, result: ServiceResult, lang: str) -> Ledger | None:
        """First ledger (台账) of a result in ``lang`` (see :meth:`ledgers`), or None."""
        found = self.ledgers(result, lang)
        return found[0] if found else None

    def ledgers(self, result: ServiceResult, lang: str) -> list[Ledger]:
        """Ledgers (台账) of a result in ``lang`` by its task's ``ledger`` (none without one).

        The task's ledger function returns one :class:`Ledger`, a sequence of them (e.g. the
        clinic check's ledger per settlement and per administrative village) or None.
        """
        from lvliang_coverage.report.workbook import Ledger  # noqa: PLC0415 (keeps --help light)

        if type(self).ledger is not Service.ledger:  # a service that overrides ledger()
            made: object = self.ledger(result, lang)
        else:
            ref = self.task(result.task).ledger
            made = None if ref is None else self.member(ref)(result, lang)
        if made is None:
            return []
        return [made] if isinstance(made, Ledger) else list(made)  # type: ignore[call-overload]

    def map(
        self, result: ServiceResult, lang: str, *, study: Study, basemap: str = "osm"
    ) -> CoverageMap | None:
        """HTML map of a result in ``lang`` by its task's ``draw``, or None without one."""
        spec = self.task(result.task)
        if spec.draw is None:
            return None
        study.progress(spec.drawing)
        drawer: MapDrawer = self.member(spec.draw)
        return drawer(study, result, lang=lang, basemap=basemap)

    def preflight(self, study: Study) -> str | None:  # noqa: ARG002 (a hook; most ignore it)
        """One line this service reports at the start of every job of any service, or None.

        The registry check (article 1) uses it to summarise the village registry's division
        codes before a clinic, water or other job; most services report nothing.
        """
        return None

    @abstractmethod
    def headlines(self, result: ServiceResult) -> list[Headline]:
        """Headline figures of a result for the terminal (bilingual labels).

        Values are passed as numbers (the terminal formats them all the same way, see
        :func:`lvliang_coverage.report.headlines.format_value`: a label naming yuan, a share
        or minutes sets the unit), a solver report as :attr:`Headline.solver` or as the raw
        ``solver_*`` keys of a summary.
        """

    def cli(self) -> typer.Typer:
        """Return the service's command group (``lvliang-coverage <name> <task> ...``).

        By convention it is ``app`` in the ``cli`` module of the service's package, which
        imports the service (never the reverse, so the package's layers stay one way).
        """
        app: typer.Typer = self.member("cli:app")
        return app
