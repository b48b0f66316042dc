"""Lüliang service-coverage planner: policy checks, siting plans, ledgers and offline maps.

Implements the geographic measures of 吕政办发〔2019〕41号 (Lüliang's measures on the
"two no-worries, three guarantees") as services under one contract: village clinics and
township doctors (articles 7-8), drinking-water projects (articles 12-14), resettlement sites
(articles 15-17) and elderly day-care (article 25).

The public API::

    import lvliang_coverage as lc

    study = lc.Study.default()                      # or lc.Study.from_files(...)
    clinics = lc.services.get("clinics")            # the service registry
    result = clinics.analyse(study, study.rules, task="check")
    run = lc.run_task(clinics, study, "check", "out/clinics")   # tables, ledger and map

Heavy modules (geopandas, the road engine, the solvers) are imported on first use of the
names below, so that importing the package and the command line start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lvliang_coverage.errors import InputError, OfflineError, SolverError
from lvliang_coverage.services import registry as services

if TYPE_CHECKING:
    from lvliang_coverage.config import Rules, load_rules
    from lvliang_coverage.inputs.default_data import load_default
    from lvliang_coverage.inputs.readers import (
        read_boundaries,
        read_facilities,
        read_sites,
        read_villages,
        read_water_sources,
    )
    from lvliang_coverage.network.routing import TravelNetwork
    from lvliang_coverage.services.contract import Service, ServiceResult
    from lvliang_coverage.services.runner import run_task
    from lvliang_coverage.study import Study

__version__ = "0.2.0"

_LAZY = {
    "Rules": "lvliang_coverage.config",
    "load_rules": "lvliang_coverage.config",
    "load_default": "lvliang_coverage.inputs.default_data",
    "read_boundaries": "lvliang_coverage.inputs.readers",
    "read_candidates": "lvliang_coverage.inputs.readers",
    "read_facilities": "lvliang_coverage.inputs.readers",
    "read_sites": "lvliang_coverage.inputs.readers",
    "read_villages": "lvliang_coverage.inputs.readers",
    "read_water_sources": "lvliang_coverage.inputs.readers",
    "TravelNetwork": "lvliang_coverage.network.routing",
    "Service": "lvliang_coverage.services.contract",
    "ServiceResult": "lvliang_coverage.services.contract",
    "run_task": "lvliang_coverage.services.runner",
    "Study": "lvliang_coverage.study",
}

__all__ = [
    "InputError",
    "OfflineError",
    "Rules",
    "Service",
    "ServiceResult",
    "SolverError",
    "Study",
    "TravelNetwork",
    "__version__",
    "load_default",
    "load_rules",
    "read_boundaries",
    "read_candidates",
    "read_facilities",
    "read_sites",
    "read_villages",
    "read_water_sources",
    "run_task",
    "services",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'lvliang_coverage' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


services.load()
