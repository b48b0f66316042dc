"""Command group ``clinics``: ``check`` (articles 7 and 8) and ``plan`` (shared clinics)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lvliang_coverage.services.clinics.service import SERVICE
from lvliang_coverage.services.commands import Command, Option, service_app

if TYPE_CHECKING:
    import geopandas as gpd

    from lvliang_coverage.study import Study


def _candidates(path: Path, study: Study, coords: str) -> gpd.GeoDataFrame:
    """Read the user's candidate sites (id, name, coordinates; kind and notes optional)."""
    from lvliang_coverage.inputs.readers import read_candidates  # noqa: PLC0415 - fast --help

    return read_candidates(path, **study.reader_options(coords=coords))


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
        Option(
            "candidates",
            Path | None,
            "Candidate sites file (default: villages of 300+ residents).",
            read=_candidates,
        ),
    ),
)

app = service_app(SERVICE, "村卫生室（第7、8条）/ village clinics (articles 7 and 8).", CHECK, PLAN)
