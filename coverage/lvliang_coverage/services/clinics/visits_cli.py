"""The ``clinics visits`` command: its options, for the clinic service's command group."""

from __future__ import annotations

from pathlib import Path

from lvliang_coverage.services.commands import Command, Option

VISITS = Command(
    "visits",
    """Plan the monthly visits of village doctors (article 7): routes, days, hours, km.

    Every village with chronic patients among the registered poor (column chronic_poor /
    慢性病贫困人口; else the rules' share of registered_poor) is visited by its own clinic's
    doctor, else by its sharing group's clinic from --plan, else by the fastest clinic.
    Writes visit_routes.csv, visit_summary.csv, visit_villages.csv, the doctors' workbook
    and the map of the routes.
    """,
    out="out/clinics",
    files=("clinics", "facilities"),
    options=(
        Option("mode", str | None, "The doctors' travel mode (default motorcycle)."),
        Option(
            "plan",
            Path | None,
            "A clinic plan's assignment table (clinic_plan_groups.csv of clinics plan).",
        ),
    ),
)
"""The command; ``clinics/cli.py`` passes it to ``service_app`` with the others."""
