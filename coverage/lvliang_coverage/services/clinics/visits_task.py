"""The ``visits`` task of the clinic service (article 7's monthly visits) for the runner."""

from __future__ import annotations

from lvliang_coverage.services.clinics.visits_columns import CHRONIC_POOR_COLUMN
from lvliang_coverage.services.contract import Task

VISITS_TASK = Task(
    "visits",
    "村医每月随访送药（第7条）：每个卫生室每天走访哪些村、顺序、到达时间、工时和里程，一天往返不了的村",
    "Monthly visits of village doctors (article 7): each clinic's days, stops, arrival times, "
    "hours and km; villages beyond a day's round trip.",
    map_file="visit_routes.html",
    run="visits:run_visits",
    ledger="visits_ledger:visit_ledger",
    draw="visits_map:visit_map",
    drawing="绘制随访路线地图 / drawing the visit routes",
)
"""The task: ``visits:run_visits`` analyses, ``visits_ledger:visit_ledger`` files the
workbook (county summary, a sheet per doctor, a sheet per county), ``visits_map:visit_map``
draws ``visit_routes.html``. Importing this module also registers the ``chronic_poor``
village column (:data:`CHRONIC_POOR_COLUMN`), so a village file's 慢性病贫困人口 is read."""

__all__ = ["CHRONIC_POOR_COLUMN", "VISITS_TASK"]
