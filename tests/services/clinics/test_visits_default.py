"""The monthly visits on the default Lüliang data: every day within the working day."""

from __future__ import annotations

import numpy as np
import pytest

from lvliang_coverage.services.clinics.visits import run_visits, visit_rules

pytestmark = pytest.mark.slow  # the whole city: about a minute


@pytest.fixture(scope="module")
def visits(default_study):
    return run_visits(default_study, default_study.rules)


def test_every_day_of_the_default_plan_fits_the_working_day(visits):
    s = visit_rules(visits.study.rules)
    r = visits.routes
    last = r.groupby(["clinic_id", "day"])["arrival_min"].max()  # back at the clinic
    assert (last <= s.working_day_hours * 60.0 + 1e-9).all()
    assert (r.groupby(["clinic_id", "day"]).tail(1)["village_id"] == "").all()
    # arrivals add up: previous arrival + its visit + the leg into the stop
    service = np.where(
        r["village_id"] != "", s.minutes_per_stop + r["patients"] * s.minutes_per_patient, 0.0
    )
    prev = r.groupby(["clinic_id", "day"])["arrival_min"].shift(1, fill_value=0.0)
    prev_service = r.assign(_s=service).groupby(["clinic_id", "day"])["_s"].shift(1, fill_value=0.0)
    np.testing.assert_allclose(r["arrival_min"], prev + prev_service + r["minutes"], atol=1e-6)


def test_every_patient_is_visited_once_a_month_or_listed(visits):
    v = visits.villages
    r = visits.routes
    seen = r[r["village_id"] != ""].groupby("village_id")["patients"].sum()
    visited = v[v["reason"] == ""].set_index("village_id")["patients"]
    assert seen.reindex(visited.index).tolist() == visited.tolist()
    left = v[v["reason"] != ""]
    assert set(left["village_id"]).isdisjoint(seen.index)
    assert set(left["reason"]) <= {"beyond_day", "unreachable", "no_clinic"}
    beyond = left[left["reason"] == "beyond_day"]
    # beyond a day: there and back, one stop and one patient do not fit the working day
    s = visit_rules(visits.study.rules)
    limit = s.working_day_hours * 60.0 - s.minutes_per_stop - s.minutes_per_patient
    assert (beyond["round_trip_min"] > limit).all()


def test_default_figures(visits):
    s = visits.summary()
    assert s["patients_estimated"] is False  # the default data carry chronic_poor
    assert s["clinics"] == len(visits.plan.clinics)
    assert (
        s["villages"]
        == s["villages_visited"]
        + s["villages_beyond_day"]
        + s["villages_unreachable"]
        + s["villages_no_clinic"]
    )
    c = visits.plan.clinics
    assert (c.loc[c["stops"] <= 7, "solver_status"] == "optimal").all()
    city = visits.summary_table[visits.summary_table["level"] == "city"].iloc[0]
    assert city["days_needed"] == c["days_needed"].sum()
    assert city["km"] == pytest.approx(visits.routes["km"].sum(), abs=0.05)
