"""Command group ``clinics``: ``check`` (articles 7 and 8) and ``plan`` (shared clinics)."""

from __future__ import annotations

from lvliang_coverage.services.clinics.service import SERVICE
from lvliang_coverage.services.commands import Command, Option, candidates_option, service_app

CHECK = Command(
    "check",
    """Check every village against article 7 (2.5 km, 30 min) and townships against article 8.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --roads and --clinics or --facilities.
    """,
    out="out/clinics",
    files=("clinics", "facilities"),
    options=(
        Option(
            "mode", list[str] | None, "walk, motorcycle or car; repeat for several.", key="modes"
        ),
    ),
)

PLAN = Command(
    "plan",
    "Plan shared clinics: fewest new clinics (set covering), budgets p (max covering), groups.",
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

app = service_app(SERVICE, "村卫生室（第7、8条）/ village clinics (articles 7 and 8).", CHECK, PLAN)
