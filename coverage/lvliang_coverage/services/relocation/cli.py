"""Command group ``relocation``: resettlement sites and relocating villages (第15-17条)."""

from __future__ import annotations

from lvliang_coverage.services.commands import Command, Option, service_app
from lvliang_coverage.services.relocation.service import SERVICE

PLAN = Command(
    "plan",
    """Score resettlement sites by access to services; assign relocating villages to sites.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --facilities, --sites and --roads.
    """,
    out="out/relocation",
    files=("facilities", "sites"),
    required=("facilities", "sites"),
    options=(Option("mode", str | None, "Travel mode (default motorcycle)."),),
)

app = service_app(
    SERVICE, "易地扶贫搬迁安置点（第15-17条）/ resettlement sites (articles 15-17).", PLAN
)
