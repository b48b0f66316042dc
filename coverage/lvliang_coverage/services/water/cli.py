"""Command group ``water``: ``site`` (drinking-water projects, articles 12-14)."""

from __future__ import annotations

from lvliang_coverage.services.commands import Command, Option, service_app
from lvliang_coverage.services.water.service import SERVICE

SITE = Command(
    "site",
    """Site drinking-water projects: sources, mains, lifts, subsidies and maintenance funds.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --sources and --roads.
    """,
    out="out/water",
    files=("sources",),
    required=("sources",),
    options=(
        Option("budget", float | None, "Budget in yuan: serve the most residents within it."),
    ),
)

app = service_app(
    SERVICE, "农村饮水安全（第12-14条）/ rural drinking water (articles 12-14).", SITE
)
