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
    """

    name: str
    help_zh: str
    help_en: str
    map_file: str | None = None
    options: Mapping[str, object] = field(default_factory=dict)
    in_demo: bool = True


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
        msg = f"service {self.name!r} has no task {name!r}"
        raise KeyError(msg)

    @abstractmethod
    def analyse(self, study: Study, rules: Rules, *, task: str, **options: Any) -> ServiceResult:
        """Run one task of the analysis on a study (no drawing, no writing).

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
        """

    @abstractmethod
    def ledger(self, result: ServiceResult, lang: str) -> Ledger | None:
        """Ledger (台账) of a result in ``lang``, or None when the task files none."""

    @abstractmethod
    def map(
        self, result: ServiceResult, lang: str, *, study: Study, basemap: str = "osm"
    ) -> CoverageMap | None:
        """HTML map of a result in ``lang``, or None when the task draws none."""

    @abstractmethod
    def headlines(self, result: ServiceResult) -> list[Headline]:
        """Headline figures of a result for the terminal (bilingual labels)."""

    def cli(self) -> typer.Typer:
        """Return the service's command group (``lvliang-coverage <name> <task> ...``).

        By convention it is ``app`` in the ``cli`` module of the service's package, which
        imports the service (never the reverse, so the package's layers stay one way).
        """
        package = type(self).__module__.rpartition(".")[0]
        app: typer.Typer = importlib.import_module(f"{package}.cli").app
        return app
