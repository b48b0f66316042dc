"""Monthly visits of village doctors (article 7): hand-worked clinics on small road graphs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from netfixtures import point_rows, road_graph

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.readers import read_villages
from lvliang_coverage.services.clinics._visits_inputs import patients, read_plan
from lvliang_coverage.services.clinics.visits import (
    ROUTE_COLUMNS,
    SUMMARY_COLUMNS,
    VILLAGE_COLUMNS,
    run_visits,
    visit_rules,
)
from lvliang_coverage.study import Study

KM = 1000.0
LEG_MIN = 1000.0 / (25.0 / 3.6) / 60.0  # minutes per km by motorcycle on unclassified roads
STOP, PER_PATIENT = 10.0, 15.0  # minutes (rules.toml [visits])


def village(vid, x, chronic, *, y=0.0, pop=150, admin=None, poor=None):
    row = {
        "village_id": vid,
        "name": f"村{vid}",
        "county": "甲县",
        "township": "乙镇",
        "population": pop,
        "registered_poor": chronic * 5 if poor is None else poor,
        "chronic_poor": chronic,
        "x": x,
        "y": y,
    }
    if admin is not None:
        row["admin_village"] = admin
    return row


def clinic(cid, x, *, y=0.0, doctors=0):
    return {
        "facility_id": cid,
        "name": f"{cid}卫生室",
        "kind": "clinic",
        "county": "甲县",
        "township": "乙镇",
        "doctors": doctors,
        "x": x,
        "y": y,
    }


def make_study(nodes, edges, villages, clinics, rules=None):
    return Study(
        villages=point_rows(villages, id_col="village_id"),
        facilities=point_rows(clinics, id_col="facility_id"),
        roads_path=Path("unused.osm"),
        rules=rules or load_rules(),
        _graph=road_graph(nodes, edges),
    )


def line(n):
    nodes = {i: (KM * i, 0.0) for i in range(n)}
    return nodes, [(i, i + 1) for i in range(n - 1)]


def day_rows(result, clinic_id, day):
    r = result.routes
    return r[(r["clinic_id"] == clinic_id) & (r["day"] == day)].reset_index(drop=True)


def test_three_villages_on_a_line_one_day_out_and_back_in_order():
    nodes, edges = line(4)
    study = make_study(
        nodes,
        edges,
        [village("V1", KM, 1), village("V2", 2 * KM, 2), village("V3", 3 * KM, 3)],
        [clinic("C", 0.0)],
    )
    result = run_visits(study, study.rules)
    assert list(result.routes.columns) == ROUTE_COLUMNS
    day = day_rows(result, "C", 1)
    assert result.routes["day"].max() == 1
    order = day["village_id"].tolist()
    assert order in (["V1", "V2", "V3", ""], ["V3", "V2", "V1", ""])  # equal times both ways
    service = {"V1": STOP + PER_PATIENT, "V2": STOP + 2 * PER_PATIENT, "V3": STOP + 3 * PER_PATIENT}
    at = {"V1": 1, "V2": 2, "V3": 3, "": 0}  # km from the clinic
    clock, here, expected = 0.0, 0, []
    for vid in order:
        leg = abs(at[vid] - here)
        clock += leg * LEG_MIN
        expected.append((clock, float(leg), leg * LEG_MIN))
        clock += service.get(vid, 0.0)
        here = at[vid]
    np.testing.assert_allclose(day["arrival_min"], [e[0] for e in expected], atol=1 / 60)
    np.testing.assert_allclose(day["km"], [e[1] for e in expected], atol=0.01)
    np.testing.assert_allclose(day["minutes"], [e[2] for e in expected], atol=1 / 60)
    assert day["stop"].tolist() == [1, 2, 3, 4]
    assert day["patients"].tolist() == [int(v[1]) if v else 0 for v in order]
    clinic_row = result.summary_table[result.summary_table["level"] == "clinic"].iloc[0]
    assert clinic_row["days_needed"] == 1
    assert clinic_row["solver_status"] == "optimal"
    assert clinic_row["hours"] == pytest.approx(expected[-1][0] / 60.0, abs=0.01)
    assert clinic_row["km"] == pytest.approx(6.0)
    assert not result.patients_estimated


def test_a_village_beyond_a_days_round_trip_is_listed_not_routed():
    nodes = {0: (0.0, 0.0), 1: (KM, 0.0), 2: (110 * KM, 0.0)}
    study = make_study(
        nodes,
        [(0, 1), (0, 2)],
        [village("NEAR", KM, 2), village("FAR", 110 * KM, 2)],
        [clinic("C", 0.0)],
    )
    result = run_visits(study, study.rules)
    v = result.villages.set_index("village_id")
    assert v.loc["FAR", "reason"] == "beyond_day"
    assert v.loc["FAR", "visits"] == 0
    assert v.loc["FAR", "round_trip_min"] == pytest.approx(2 * 110 * LEG_MIN, abs=0.01)
    assert v.loc["NEAR", "reason"] == ""
    assert "FAR" not in set(result.routes["village_id"])
    assert result.summary()["villages_beyond_day"] == 1
    assert list(result.villages.columns) == VILLAGE_COLUMNS


def test_an_unreachable_village_and_one_with_no_clinic():
    nodes = {0: (0.0, 0.0), 1: (KM, 0.0), 2: (30 * KM, 0.0), 3: (31 * KM, 0.0)}
    villages = [village("OK", KM, 1), village("ISLAND", 31 * KM, 1)]
    study = make_study(nodes, [(0, 1), (2, 3)], villages, [clinic("C", 0.0)])
    result = run_visits(study, study.rules)
    v = result.villages.set_index("village_id")
    assert v.loc["ISLAND", "reason"] == "no_clinic"  # no clinic can be reached from it
    assert pd.isna(v.loc["ISLAND", "clinic_id"])
    # the plan sends it to C anyway: then no road links it to its clinic
    plan = pd.DataFrame({"village_id": ["ISLAND"], "site_id": ["C"], "row": [1]})
    planned = run_visits(study, study.rules, plan=plan).villages.set_index("village_id")
    assert planned.loc["ISLAND", "reason"] == "unreachable"
    assert planned.loc["ISLAND", "basis"] == "plan"


def test_a_clinic_needing_two_days():
    nodes, edges = line(3)
    study = make_study(
        nodes, edges, [village("V1", KM, 20), village("V2", 2 * KM, 20)], [clinic("C", 0.0)]
    )
    result = run_visits(study, study.rules)  # 2 x 310 min of visits do not fit 480 min
    assert result.routes["day"].max() == 2
    last = result.routes.groupby("day")["arrival_min"].max()
    assert (last <= 8 * 60).all()
    days = result.routes[result.routes["village_id"] != ""].groupby("day")["village_id"].agg(list)
    assert sorted(days.tolist()) == [["V1"], ["V2"]]
    row = result.plan.clinics.iloc[0]
    assert row["days_needed"] == 2
    assert row["fits_month"]


def test_a_village_with_more_patients_than_a_day_is_visited_on_several_days():
    nodes, edges = line(2)
    study = make_study(nodes, edges, [village("BIG", KM, 40, pop=900)], [clinic("C", 0.0)])
    result = run_visits(study, study.rules)
    stops = result.routes[result.routes["village_id"] == "BIG"]
    # 480 - 2 x 2.4 - 10 = 465.2 min leave room for 31 patients a day: 40 = 20 + 20
    assert sorted(stops["patients"].tolist()) == [20, 20]
    assert stops["day"].nunique() == 2
    assert result.villages["visits"].iloc[0] == 2
    assert (result.routes.groupby("day")["arrival_min"].max() <= 480).all()


def test_a_one_way_road_is_respected():
    # out along the one-way road 0 -> 1 (1 km); back round by node 2 (1.5 km + 1.5 km)
    nodes = {0: (0.0, 0.0), 1: (KM, 0.0), 2: (500.0, 1414.213562)}
    study = make_study(
        nodes,
        [(0, 1, {"oneway": True}), (1, 2), (2, 0)],
        [village("V", KM, 1)],
        [clinic("C", 0.0)],
    )
    day = day_rows(run_visits(study, study.rules), "C", 1)
    assert day["village_id"].tolist() == ["V", ""]
    np.testing.assert_allclose(day["km"], [1.0, 3.0], atol=0.01)
    np.testing.assert_allclose(day["minutes"], [LEG_MIN, 3 * LEG_MIN], atol=1 / 60)
    # walking ignores one-way roads: back along the same kilometre
    walk = day_rows(run_visits(study, study.rules, mode="walk"), "C", 1)
    np.testing.assert_allclose(walk["km"], [1.0, 1.0], atol=0.01)


def test_which_clinic_serves_which_village():
    # 甲村: A (largest, hosts C1) and B, 3 km from A but 0.5 km from C2; 戊村: F hosts C2;
    # D (丙村) has no clinic: the fastest clinic (C2) unless the plan says C1; E gets a new
    # central clinic of the plan at E itself
    nodes = {
        0: (0.0, 0.0),
        1: (3 * KM, 0.0),
        2: (3.5 * KM, 0.0),
        3: (4 * KM, 0.0),
        4: (8 * KM, 0.0),
    }
    edges = [(0, 1), (1, 2), (2, 3), (3, 4)]
    villages = [
        village("A", 0.0, 2, pop=150, admin="甲村"),
        village("B", 3 * KM, 2, pop=80, admin="甲村"),
        village("F", 3.5 * KM, 2, pop=120, admin="戊村"),
        village("D", 4 * KM, 2, pop=60, admin="丙村"),
        village("E", 8 * KM, 2, pop=60, admin="丁村"),
    ]
    clinics = [clinic("C1", 0.0), clinic("C2", 3.5 * KM, doctors=2)]
    study = make_study(nodes, edges, villages, clinics)
    v = run_visits(study, study.rules).villages.set_index("village_id")
    assert v.loc["A", "clinic_id"] == "C1"
    assert v.loc["A", "basis"] == "own"
    assert v.loc["B", "clinic_id"] == "C1"
    assert v.loc["B", "basis"] == "own"
    assert v.loc["F", "clinic_id"] == "C2"
    assert v.loc["F", "basis"] == "own"
    assert v.loc["D", "clinic_id"] == "C2"
    assert v.loc["D", "basis"] == "fastest"
    plan = pd.DataFrame(
        {"village_id": ["D", "E", "A"], "site_id": ["C1", "C-E", "C2"], "row": [1, 2, 3]}
    )
    result = run_visits(study, study.rules, plan=plan)
    p = result.villages.set_index("village_id")
    assert p.loc["D", "clinic_id"] == "C1"
    assert p.loc["D", "basis"] == "plan"
    assert p.loc["E", "clinic_id"] == "C-E"
    assert p.loc["E", "basis"] == "plan"
    assert p.loc["A", "clinic_id"] == "C1"  # its own clinic comes first
    clinics_out = result.plan.clinics.set_index("clinic_id")
    assert clinics_out.loc["C-E", "kind"] == "planned"
    assert clinics_out.loc["C2", "doctors"] == 2  # from the registry
    assert clinics_out.loc["C1", "doctors"] == 1  # registry 0: the rules' default
    assert clinics_out.loc["C2", "days_available"] == 2 * 22


def test_plan_files_are_read_and_checked(tmp_path):
    nodes, edges = line(2)
    study = make_study(nodes, edges, [village("V1", KM, 1)], [clinic("C", 0.0)])
    good = tmp_path / "clinic_plan_groups.csv"
    good.write_text("village_id,site_id,population,minutes\nV1,C,150,2.4\n", encoding="utf-8")
    assert read_plan(good)[["village_id", "site_id"]].values.tolist() == [["V1", "C"]]
    assert run_visits(study, study.rules, plan=good).plan_file == str(good)
    missing = tmp_path / "no_site.csv"
    missing.write_text("village_id,population\nV1,150\n", encoding="utf-8")
    with pytest.raises(InputError, match="site_id") as err:
        read_plan(missing)
    assert err.value.file is not None
    # a plan names every small village, also those without patients: no error for them
    nodes3, edges3 = line(3)
    two = make_study(
        nodes3, edges3, [village("V1", KM, 1), village("V0", 2 * KM, 0)], [clinic("C", 0.0)]
    )
    both = tmp_path / "both.csv"
    both.write_text("village_id,site_id\nV1,C\nV0,C\n", encoding="utf-8")
    assert run_visits(two, two.rules, plan=both).villages["village_id"].tolist() == ["V1"]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("village_id,site_id\nV1,C\nV9,C\n", encoding="utf-8")
    with pytest.raises(InputError, match="not in the villages") as err:
        run_visits(study, study.rules, plan=unknown)
    assert err.value.row == 2
    bad_site = tmp_path / "bad_site.csv"
    bad_site.write_text("village_id,site_id\nV1,XX\n", encoding="utf-8")
    with pytest.raises(InputError, match="neither a clinic"):
        run_visits(study, study.rules, plan=bad_site)


def test_patients_from_the_registry_or_estimated():
    frame = pd.DataFrame(
        {
            "population": [100, 100, 100],
            "registered_poor": [20, 7, 0],
            "chronic_poor": [3, np.nan, 0],
        }
    )
    counts, estimated = patients(frame, 0.15)
    assert counts.tolist() == [3, 1, 0]  # 7 x 0.15 = 1.05 -> 1
    assert estimated.tolist() == [False, True, False]
    no_column = frame.drop(columns="chronic_poor")
    counts, estimated = patients(no_column, 0.15)
    assert counts.tolist() == [3, 1, 0]
    assert estimated.all()
    with pytest.raises(InputError, match="exceeds") as err:
        patients(frame.assign(chronic_poor=[3, 200, 0]), 0.15)
    assert err.value.row == 2
    with pytest.raises(InputError, match="registered poor"):
        patients(frame.assign(chronic_poor=[30, 1, 0]), 0.15)
    with pytest.raises(InputError, match="neither"):
        patients(frame.drop(columns=["chronic_poor", "registered_poor"]), 0.15)


def test_estimated_patients_are_said_so():
    nodes, edges = line(2)
    row = village("V1", KM, 1, poor=20)
    del row["chronic_poor"]
    study = make_study(nodes, edges, [row], [clinic("C", 0.0)])
    result = run_visits(study, study.rules)
    assert result.patients_estimated
    assert result.villages["patients"].tolist() == [3]  # 20 x 0.15
    assert result.villages["patients_estimated"].tolist() == [True]
    assert result.summary_table["patients_estimated"].all()
    assert result.summary()["chronic_share_default"] == 0.15


def test_settings_are_checked():
    rules = visit_rules(load_rules())
    assert rules.mode == "motorcycle"
    assert rules.day_s == 8 * 3600
    assert rules.start_minute == 480
    with pytest.raises(InputError, match="chronic_share_default"):
        visit_rules(load_rules({"visits": {"chronic_share_default": 1.5}}))
    with pytest.raises(InputError, match="HH:MM"):
        visit_rules(load_rules({"visits": {"day_starts_at": "8am"}}))
    with pytest.raises(InputError, match="working_days_per_month"):
        visit_rules(load_rules({"visits": {"working_days_per_month": 40}}))
    with pytest.raises(InputError, match=r"visits\.mode"):
        load_rules({"visits": {"mode": "boat"}})
    shorter = load_rules({"visits": {"working_day_hours": 2.0}})
    nodes, edges = line(4)
    study = make_study(
        nodes,
        edges,
        [village("V1", KM, 2), village("V2", 2 * KM, 2), village("V3", 3 * KM, 2)],
        [clinic("C", 0.0)],
        rules=shorter,
    )
    result = run_visits(study, shorter)
    assert result.routes["day"].max() >= 2  # 3 x 40 min of visits no longer fit 2 hours
    assert (result.routes.groupby("day")["arrival_min"].max() <= 120).all()
    assert list(result.summary_table.columns) == SUMMARY_COLUMNS


@pytest.mark.parametrize("header", ["chronic_poor", "慢性病贫困人口", "建档立卡慢病患者"])
def test_the_chronic_poor_column_is_read_under_its_headers(tmp_path, header):
    path = tmp_path / "村庄.csv"
    path.write_text(
        f"编号,村名,常住人口,建档立卡贫困人口,{header},经度,纬度\n"
        "V1,甲村,120,30,4,111.1,37.5\nV2,乙村,80,10,,111.2,37.6\n",
        encoding="gbk",
    )
    villages = read_villages(path)
    assert villages["chronic_poor"].iloc[0] == 4
    assert np.isnan(villages["chronic_poor"].iloc[1])  # blank: estimated
    counts, estimated = patients(villages, 0.15)
    assert counts.tolist() == [4, 2]
    assert estimated.tolist() == [False, True]
