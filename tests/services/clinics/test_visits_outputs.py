"""The visits task through the shared runner: tables, the doctors' workbook and the map."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_visits import KM, clinic, line, make_study, village

from lvliang_coverage.report.workbook import read_ledger_sheet
from lvliang_coverage.services.clinics.service import ClinicService
from lvliang_coverage.services.clinics.visits import ROUTE_COLUMNS, SUMMARY_COLUMNS, VisitResult
from lvliang_coverage.services.clinics.visits_ledger import visit_headlines
from lvliang_coverage.services.clinics.visits_map import DAY_COLOURS, day_routes, visit_map
from lvliang_coverage.services.clinics.visits_task import VISITS_TASK
from lvliang_coverage.services.runner import run_task


class VisitsService(ClinicService):
    """The clinic service with the visits task (as service.py will declare it)."""

    tasks = (*ClinicService.tasks, VISITS_TASK)


VisitsService.__module__ = ClinicService.__module__  # tasks resolve in the clinic package


def small_study(*, estimated=False):
    nodes, edges = line(5)
    rows = [
        village("V1", KM, 20, admin="甲村"),
        village("V2", 2 * KM, 20, admin="乙村"),
        village("V3", 3 * KM, 2, admin="丙村"),
        village("V4", 4 * KM, 1, admin="丙村", pop=60),
    ]
    if estimated:
        for r in rows:
            r.pop("chronic_poor")
    clinics = [clinic("C1", 0.0, doctors=2), clinic("C3", 3 * KM)]
    return make_study(nodes, edges, rows, clinics)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("visits")
    study = small_study(estimated=True)
    run = run_task(VisitsService(), study, "visits", out / "out", maps_dir=out / "maps")
    return run, out


def test_the_task_writes_every_output(written):
    run, out = written
    assert isinstance(run.result, VisitResult)
    names = {p.name for p in run.files}
    assert names == {
        "visit_routes.csv",
        "visit_summary.csv",
        "visit_villages.csv",
        "visit_plan.json",
        "visit_ledger.xlsx",
        "visit_ledger.csv",
        "visit_routes.html",
    }
    routes = pd.read_csv(
        out / "out" / "visit_routes.csv", encoding="utf-8-sig", dtype={"village_id": str}
    )
    assert list(routes.columns) == ROUTE_COLUMNS
    back = routes[routes["village_id"].isna()]
    assert len(back) == routes.groupby(["clinic_id", "day"]).ngroups  # one return per day
    summary = pd.read_csv(out / "out" / "visit_summary.csv", encoding="utf-8-sig")
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert set(summary["level"]) == {"clinic", "township", "county", "city"}
    towns = summary[summary["level"] == "township"]
    assert towns[["county", "township"]].values.tolist() == [["甲县", "乙镇"]]
    assert towns["clinics"].tolist() == [2]
    city = summary[summary["level"] == "city"].iloc[0]
    clinic_rows = summary[summary["level"] == "clinic"]
    assert city["days_needed"] == clinic_rows["days_needed"].sum()
    assert city["patients"] == 15 + 15 + 2 + 1  # registered poor 100, 100, 10, 5 x 0.15
    facts = json.loads((out / "out" / "visit_plan.json").read_text(encoding="utf-8"))
    assert facts["patients_estimated"] is True
    assert facts["clinics"] == 2


def test_the_workbook_has_a_summary_county_sheets_and_a_sheet_per_doctor(written):
    run, out = written
    path = out / "out" / "visit_ledger.xlsx"
    wb = load_workbook(path)
    titles = wb.sheetnames
    assert titles[:2] == ["汇总", "甲县"]
    doctors = titles[2:]
    # C1 has two doctors: its days go to them in turn; C3 has one
    plan = run.result.plan
    expected = sum(
        min(int(r.days_needed), int(r.doctors)) for r in plan.clinics.itertuples(index=False)
    )
    assert len(doctors) == expected
    assert all("医生" in t for t in doctors)
    sheet = wb[doctors[0]]
    assert sheet["A1"].value.startswith("吕梁市C1卫生室（C1）医生1")  # the title row
    assert "填报单位：C1卫生室（C1）医生1" in sheet["A2"].value  # filed by the doctor's clinic
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(t.startswith("村医签字") for t in texts)  # the line to sign
    assert any("估算" in t for t in texts)  # the estimate is said on every doctor's sheet
    assert sheet.page_setup.paperSize == 9  # A4, printable
    table = read_ledger_sheet(path, doctors[0])
    assert {"村医", "出诊日", "到达时间", "村", "慢性病患者(人)"} <= set(table.columns)
    times = table["到达时间"].dropna().tolist()
    assert all(len(t) == 5 and t[2] == ":" for t in times)
    assert times[0] > "08:00"  # the day starts at 08:00 and the first leg takes minutes
    summary = read_ledger_sheet(path, "汇总")
    assert "全市" in set(summary["县"])
    assert summary["县"].astype(str).str.contains("估算").any()
    county = read_ledger_sheet(path, "甲县")
    assert set(county["村"]) == {"村V1", "村V2", "村V3", "村V4"}
    cells = [str(c) for row in wb[titles[0]].iter_rows(values_only=True) for c in row if c]
    assert not any("lvliang-coverage" in c or "clinics visits" in c for c in cells)


def test_the_map_draws_routes_by_day_and_says_patients_are_estimated(written):
    run, out = written
    html = (out / "maps" / "visit_routes.html").read_text(encoding="utf-8")
    assert "村医每月随访路线" in html
    assert "慢性病患者数为估算" in html
    assert "第1天" in html
    days = day_routes(run.result)
    assert len(days) == run.result.routes.groupby(["clinic_id", "day"]).ngroups
    assert days.geometry.notna().all()
    assert days["km"].sum() == pytest.approx(run.result.routes["km"].sum())
    assert days["hours"].max() <= 8.0
    english = visit_map(run.result.study, run.result, lang="en", basemap="none").get_html()
    assert "Visit routes" in english
    assert "Day 1" in english
    assert DAY_COLOURS[0] in english


def test_a_result_with_registry_counts_and_its_headlines(tmp_path):
    study = small_study()
    run = run_task(VisitsService(), study, "visits", tmp_path, lang="en", maps=False)
    assert not run.result.patients_estimated
    names = {p.name for p in run.files}
    assert "visit_routes.html" not in names
    wb = load_workbook(tmp_path / "visit_ledger.xlsx")
    assert wb.sheetnames[0] == "Summary"
    doctor = next(t for t in wb.sheetnames if "doctor" in t)
    assert wb.sheetnames[1] == "甲县"
    texts = [c for row in wb[doctor].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any("estimated" in t for t in texts)
    (headline,) = visit_headlines(run.result)
    assert "monthly visits" in headline.title
    assert headline.items["患者数为估算 / patients estimated"] is False
    assert headline.items["慢性病患者 / chronic patients"] == 43
