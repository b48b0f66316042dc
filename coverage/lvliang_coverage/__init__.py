"""Lüliang service-coverage planner: policy checks, siting plans and offline maps.

Implements the geographic measures of 吕政办发〔2019〕41号 (Lüliang's measures on the
"two no-worries, three guarantees"): village clinic coverage (article 7), township doctors
(article 8), drinking-water projects (articles 12-14) and relocation sites (articles 15-17).
"""

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError, OfflineError
from lvliang_coverage.inputs.io import (
    load_default,
    read_boundaries,
    read_facilities,
    read_sites,
    read_villages,
    read_water_sources,
)

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "OfflineError",
    "Rules",
    "__version__",
    "load_default",
    "load_rules",
    "read_boundaries",
    "read_facilities",
    "read_sites",
    "read_villages",
    "read_water_sources",
]
