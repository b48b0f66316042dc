"""Command group ``clinics``: ``check`` (articles 7 and 8) and ``plan`` (shared clinics)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from lvliang_coverage.services.clinics.service import SERVICE
from lvliang_coverage.services.clinics.visits_cli import VISITS
from lvliang_coverage.services.commands import Command, Option, candidates_option, service_app


@dataclass(frozen=True)
class Switch(Option):
    """A boolean option given as ``--<name>/--no-<name>`` (e.g. ``--plan/--no-plan``)."""

    @property
    def annotation(self) -> object:
        """Return the typer annotation: both flags, the default shown by ``--help``."""
        flags = f"--{self.name}/--no-{self.name}"
        return Annotated[bool, typer.Option(flags, help=self.help)]


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
    ),
)

app = service_app(
    SERVICE, "村卫生室（第7、8条）/ village clinics (articles 7 and 8).", CHECK, PLAN, VISITS
)
