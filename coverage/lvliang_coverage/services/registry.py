"""The registry of services: the CLI, ``demo``, the overview map and the docs iterate it.

A built-in service is one line of :data:`BUILTIN`: the name of its subpackage under
``lvliang_coverage.services``, whose ``service`` module defines ``SERVICE``, an instance of
:class:`~lvliang_coverage.services.contract.Service`. Services of other packages register
under the entry-point group ``lvliang_coverage.services`` (value ``module:OBJECT``) or call
:func:`register`. Service modules keep their top-level imports light (the analysis is
imported when a task runs), so that loading the registry costs little.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib.machinery import PathFinder
from pathlib import Path

from lvliang_coverage import kinds
from lvliang_coverage.report.vocabulary import both
from lvliang_coverage.services.contract import Service

BUILTIN = (
    "registry_check",
    "clinics",
    "water",
    "relocation",
    "daycare",
)
"""Built-in services, in the order the CLI and ``demo`` show them."""

ENTRY_POINT_GROUP = "lvliang_coverage.services"
"""Entry-point group of services provided by other packages."""

_SERVICES: dict[str, Service] = {}
_loaded = False


def register(service: Service) -> Service:
    """Add a service (and the facility kinds it declares) to the registry, and return it.

    Raises
    ------
    ValueError
        When another service of that name is registered already.
    """
    old = _SERVICES.get(service.name)
    if old is not None and old is not service:
        raise ValueError(both("service_twice", name=service.name))
    for kind in service.new_kinds:
        kinds.register_kind(kind)
    _SERVICES[service.name] = service
    return service


def may_have_plugins() -> bool:
    """Whether an installed distribution may declare a service (a cheap scan, no metadata API).

    Reads the ``entry_points.txt`` of every ``*.dist-info`` and ``*.egg-info`` folder on
    ``sys.path`` for the :data:`ENTRY_POINT_GROUP` section. A path entry that is a file (a zip)
    or a finder of distributions other than the standard one counts as "may", so that
    :func:`importlib.metadata.entry_points` (tens of milliseconds to import) runs only when a
    plugin may be there.

    Returns
    -------
    bool
        False only when no distribution can declare a service.
    """
    if any(
        getattr(f, "find_distributions", None) is not None and f is not PathFinder
        for f in sys.meta_path
    ):
        return True
    section = f"[{ENTRY_POINT_GROUP}]"
    for entry in sys.path:
        root = Path(entry or ".")
        if root.is_file():
            return True
        try:
            with os.scandir(root) as found:
                folders = [e.path for e in found if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
        for folder in folders:
            try:
                text = Path(folder, "entry_points.txt").read_text(encoding="utf-8")
            except (OSError, ValueError):
                continue
            if section in text:
                return True
    return False


def load() -> tuple[Service, ...]:
    """Import the built-in services and those of installed plugins (once).

    Returns
    -------
    tuple of Service
        Every registered service, built-ins first in :data:`BUILTIN` order.
    """
    global _loaded  # noqa: PLW0603 - the registry is loaded once per process
    if not _loaded:
        _loaded = True
        for name in BUILTIN:
            module = importlib.import_module(f"lvliang_coverage.services.{name}.service")
            register(module.SERVICE)
        if may_have_plugins():
            from importlib.metadata import entry_points  # noqa: PLC0415 - 40 ms to import

            for ep in entry_points(group=ENTRY_POINT_GROUP):
                register(ep.load())
    return tuple(_SERVICES.values())


def services() -> tuple[Service, ...]:
    """List every registered service (the registry is loaded on first use)."""
    return load()


def get(name: str) -> Service:
    """Return the service called ``name``.

    Raises
    ------
    KeyError
        When no such service is registered.
    """
    load()
    try:
        return _SERVICES[name]
    except KeyError:
        names = ("、".join(_SERVICES), ", ".join(_SERVICES))
        raise KeyError(both("no_service", name=name, names=names)) from None


def markdown_table() -> str:
    """Document the registered services as a Markdown table (the README's list of services).

    Returns
    -------
    str
        One row per task: articles, service (zh and en), command, what it does.
    """
    rows = [
        "| articles | service | command | what it does |",
        "|---|---|---|---|",
    ]
    for service in services():
        articles = ", ".join(str(a) for a in service.articles)
        rows.extend(
            f"| {articles} | {service.title_zh} / {service.title_en} "
            f"| `lvliang-coverage {service.name} {task.name}` | {task.help_en} |"
            for task in service.tasks
        )
    return "\n".join(rows) + "\n"
