"""Command group ``daycare``: ``check`` (who is within reach) and ``plan`` (idle buildings)."""

from __future__ import annotations

from lvliang_coverage.services.commands import Command, Option, candidates_option, service_app
from lvliang_coverage.services.daycare.service import SERVICE

OPTIONS = (
    Option("mode", str | None, "Travel mode of the time limit (default walk)."),
    Option("p", int | None, "New centres (idle buildings converted); default daycare.plan_p."),
    candidates_option(
        "More candidate sites (id, name, lon/lat); idle schools and clinics always count."
    ),
)
"""Options of both commands: the travel mode, the plan's p and more candidate sites."""

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
