"""Command group ``clinics``: ``check`` (articles 7 and 8) and ``plan`` (shared clinics)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lvliang_coverage.services.clinics.service import SERVICE
from lvliang_coverage.services.clinics.visits_cli import VISITS
from lvliang_coverage.services.commands import Command, Option, candidates_option, service_app

if TYPE_CHECKING:
    import geopandas as gpd

    from lvliang_coverage.config import Rules
    from lvliang_coverage.study import Study


@dataclass(frozen=True)
class Switch(Option):
    """A boolean option given as ``--<name>/--no-<name>`` (e.g. ``--plan/--no-plan``)."""

    @property
    def annotation(self) -> object:
        """Return the typer annotation: both flags, the default shown by ``--help``."""
        flags = f"--{self.name}/--no-{self.name}"
        return Annotated[bool, typer.Option(flags, help=self.help)]


def _check_travel(values: Mapping[str, Any], rules: Rules) -> None:
    """Check ``--travel`` and the terrain files before any work (see ``terrain_inputs``)."""
    from lvliang_coverage.services.clinics.terrain_inputs import check_travel  # noqa: PLC0415

    check_travel(values, rules)


def _read_friction(path: Path, study: Study, coords: str) -> Path:  # noqa: ARG001
    """Return the checked ``--friction`` GeoTIFF."""
    from lvliang_coverage.services.clinics.terrain_inputs import read_friction  # noqa: PLC0415

    return read_friction(path)


def _read_barriers(path: Path, study: Study, coords: str) -> gpd.GeoDataFrame:  # noqa: ARG001
    """Read the ``--barriers`` layer (lines or polygons, its own CRS)."""
    from lvliang_coverage.services.clinics.terrain_inputs import read_layer  # noqa: PLC0415

    return read_layer(path, "barriers")


def _read_fords(path: Path, study: Study, coords: str) -> gpd.GeoDataFrame:  # noqa: ARG001
    """Read the ``--fords`` layer (points, its own CRS)."""
    from lvliang_coverage.services.clinics.terrain_inputs import read_layer  # noqa: PLC0415

    return read_layer(path, "fords")


TRAVEL_OPTIONS = (
    Option(
        "travel",
        str | None,
        "Travel model: network (roads, straight off-road legs; default) or terrain "
        "(walking over the DEM lattice plus the roads; rules terrain.travel_model).",
        check=_check_travel,
    ),
    Option(
        "friction",
        Path | None,
        "Terrain model: GeoTIFF of speed multipliers, or land-cover classes with "
        "terrain.friction_classes.",
        read=_read_friction,
    ),
    Option(
        "barriers",
        Path | None,
        "Terrain model: lines or polygons (GeoJSON, GPKG, SHP) not crossed on foot except on "
        "a road or at a ford; added to the default data's rivers.",
        read=_read_barriers,
    ),
    Option(
        "fords",
        Path | None,
        "Terrain model: points (GeoJSON, GPKG, SHP) where a barrier may be crossed on foot.",
        read=_read_fords,
    ),
)
"""``--travel`` and the terrain model's files, on ``clinics check`` and ``clinics plan``."""

CHECK = Command(
    "check",
    """Check every village against article 7 (2.5 km, 30 min) and townships against article 8.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --roads and --clinics or --facilities. The shared-clinic plan is made too, so
    every failing village of the ledger gets a concrete fix (--no-plan skips it).
    """,
    out="out/clinics",
    files=("clinics", "facilities"),
    options=(
        Option(
            "mode", list[str] | None, "walk, motorcycle or car; repeat for several.", key="modes"
        ),
        Switch(
            "plan",
            bool,
            "Plan shared clinics for the ledger's fixes (default); --no-plan skips it.",
            default=True,
            key="with_plan",
        ),
        *TRAVEL_OPTIONS,
    ),
)

PLAN = Command(
    "plan",
    """Plan shared clinics: fewest new clinics (set covering), budgets p (max covering), groups.

    Writes the clinic ledger too: every village failing article 7 with the plan's fix.
    """,
    out="out/clinics",
    files=("clinics", "facilities"),
    options=(
        Option("mode", str | None, "Deciding travel mode (default walk)."),
        Option(
            "p",
            list[int] | None,
            "Budgets of new clinics for the coverage curve; repeat.",
            key="p_values",
        ),
        Option("capacity", float | None, "Residents per clinic in the sharing groups."),
        candidates_option("Candidate sites file (default: villages of 300+ residents)."),
        *TRAVEL_OPTIONS,
    ),
)

app = service_app(
    SERVICE, "村卫生室（第7、8条）/ village clinics (articles 7 and 8).", CHECK, PLAN, VISITS
)
