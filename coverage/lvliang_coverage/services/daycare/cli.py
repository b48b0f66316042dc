"""Command group ``daycare``: ``check`` (who is within reach) and ``plan`` (idle buildings)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lvliang_coverage.services.commands import Command, Option, service_app
from lvliang_coverage.services.daycare.service import SERVICE

if TYPE_CHECKING:
    import geopandas as gpd

    from lvliang_coverage.study import Study


def _candidates(path: Path, study: Study, coords: str) -> gpd.GeoDataFrame:
    """Read the user's further candidate sites (id, name, coordinates; notes optional)."""
    from lvliang_coverage.inputs.readers import read_candidates  # noqa: PLC0415 - fast --help

    return read_candidates(path, **study.reader_options(coords=coords))


OPTIONS = (
    Option("p", int | None, "New centres (idle buildings converted); default daycare.plan_p."),
    Option(
        "candidates",
        Path | None,
        "More candidate sites (id, name, lon/lat); idle schools and clinics always count.",
        read=_candidates,
    ),
)
"""Options of both commands: the plan's p and more candidate sites."""

CHECK = Command(
    "check",
    """Check every village for a day-care centre within reach of its residents aged 60+.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages (with a 60岁以上人口 column, else it is estimated), --roads and --facilities
    (kind 日间照料中心 for centres, 是否闲置 for idle schools and clinics).
    """,
    out="out/daycare",
    files=("facilities",),
    options=OPTIONS,
    fixed={"with_plan": True},
)

PLAN = Command(
    "plan",
    "Plan day-care centres in idle schools and clinics: p new centres, the coverage curve.",
    out="out/daycare",
    files=("facilities",),
    options=OPTIONS,
)

app = service_app(
    SERVICE, "日间照料中心（第25条）/ elderly day-care centres (article 25).", CHECK, PLAN
)
