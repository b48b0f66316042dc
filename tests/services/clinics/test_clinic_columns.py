"""Which clinic each compliance column is about, worked by hand and checked on the default data.

Flat ground, walking 5 km/h on the roads and 3 km/h (x 0.6) off them, off-road legs x 1.2.
Road A runs along y = 0 from x = 0 to 8 km, road B along y = 1 km from x = 0 to 6 km; they
meet only at x = 6 km. Road C (0-0.5 km at y = 5 km) touches neither.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from netfixtures import point_rows, road_graph

from lvliang_coverage import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.services.access import access, facility_column_names
from lvliang_coverage.services.clinics.check import (
    CLINIC_COLUMNS,
    COMPLIANCE_COLUMNS,
    check_mode,
    clinic_access_rule,
    round_past_limits,
)
from lvliang_coverage.services.clinics.status import status_sentences

A = {i: (500.0 * i, 0.0) for i in range(17)}  # 0 .. 8 km
B = {100 + i: (500.0 * i, 1000.0) for i in range(13)}  # 0 .. 6 km
C = {200: (0.0, 5000.0), 201: (500.0, 5000.0)}
EDGES = (
    [(i, i + 1) for i in range(16)]
    + [(100 + i, 101 + i) for i in range(12)]
    + [(12, 112), (200, 201)]  # A and B meet at x = 6 km only
)


def village(vid, x, y, pop):
    return {
        "village_id": vid,
        "name": f"村{vid}",
        "county": "样例县",
        "township": "样例镇",
        "population": pop,
        "x": x,
        "y": y,
    }


def case(rules):
    graph = road_graph(A | B | C, EDGES)
    villages = point_rows(
        [
            village("V", 0, 0, 95),  # N across the gap: 1 km away, 13 km by road
            village("S", 2000, 0, 120),  # M off the road is nearest, F serves it
            village("L", 5000, 0, 500),  # a larger village: 30 minutes only
            village("G", 8000, 0, 80),  # no clinic within 2.5 km
            village("I", 0, 5000, 60),  # on road C: no road to any clinic
            village("O", 4000, -900, 150),  # 0.9 km off road A: off the network, served
        ],
        id_col="village_id",
    )
    clinics = point_rows(
        [
            {"facility_id": "N", "name": "卫生室N", "x": 0, "y": 1000},
            {"facility_id": "F", "name": "卫生室F", "x": 3500, "y": 0},
            {"facility_id": "M", "name": "卫生室M", "x": 2000, "y": -1200},
        ],
        id_col="facility_id",
    )
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    return check_mode(villages, clinics, net, rules).set_index("village_id", drop=False)


@pytest.fixture(scope="module")
def table():
    return case(load_rules())


# hand-worked: (nearest, euclid_km, nearest_min, fastest, network_km, travel_min,
#               served_by, served_km, served_min, within_radius, within_time, compliant, reason)
EXPECTED = {
    # N: 1 km straight; 6 + 1 + 6 km of road = 156 min. F: 3.5 km of road = 42 min.
    "V": ("N", 1.0, 156.0, "F", 3.5, 42.0, "", np.nan, np.nan, True, False, False, "too_slow"),
    # M: 1.2 km straight, joined at S's own road point: 1.44 km off road at 3 km/h = 28.8 min.
    # F: 1.5 km of road = 18 min, 1.5 km straight: within both limits.
    "S": ("M", 1.2, 28.8, "F", 1.5, 18.0, "F", 1.5, 18.0, True, True, True, ""),
    "L": ("F", 1.5, 18.0, "F", 1.5, 18.0, "F", 1.5, 18.0, True, True, True, ""),
    # F: 4.5 km straight and by road (54 min); N and M are farther in a straight line.
    "G": (
        "F",
        4.5,
        54.0,
        "F",
        4.5,
        54.0,
        "",
        np.nan,
        np.nan,
        False,
        False,
        False,
        "too_far;too_slow",
    ),
    # N is 4 km south in a straight line; road C joins nothing.
    "I": (
        "N",
        4.0,
        np.nan,
        None,
        np.nan,
        np.nan,
        "",
        np.nan,
        np.nan,
        False,
        False,
        False,
        "unreachable;too_far",
    ),
    # F: sqrt(0.5^2 + 0.9^2) km straight; 1.08 km off road at 3 km/h (21.6 min) + 0.5 km of
    # road (6 min).
    "O": (
        "F",
        np.hypot(0.5, 0.9),
        27.6,
        "F",
        1.58,
        27.6,
        "F",
        np.hypot(0.5, 0.9),
        27.6,
        True,
        True,
        True,
        "",
    ),
}
FIELDS = [
    "nearest_clinic_id", "euclid_km", "nearest_min", "fastest_clinic_id", "network_km",
    "travel_min", "served_by", "served_km", "served_min", "within_radius", "within_time",
    "compliant", "reason",
]  # fmt: skip


def test_columns_name_the_clinic_they_are_about(table):
    assert list(table.columns[: len(COMPLIANCE_COLUMNS)]) == COMPLIANCE_COLUMNS
    for vid, expected in EXPECTED.items():
        row = table.loc[vid]
        for col, want in zip(FIELDS, expected, strict=True):
            got = row[col]
            if isinstance(want, float) and np.isnan(want):
                assert pd.isna(got), (vid, col, got)
            elif isinstance(want, float):
                assert got == pytest.approx(want, abs=1e-6), (vid, col)
            elif want is None:
                assert pd.isna(got), (vid, col, got)
            else:
                assert got == want, (vid, col, got)
    assert table.loc["O", "off_network"]
    assert not table.loc[["V", "S", "L", "G", "I"], "off_network"].any()
    assert table["radius_km"].to_numpy() == pytest.approx(table["euclid_km"].to_numpy())


def test_every_flag_is_its_rule_on_its_column(table):
    rules = load_rules()
    assert_flags_follow_columns(table, rules)


def assert_flags_follow_columns(table, rules):
    c = rules.clinic
    radius = table["radius_km"] if c.radius_measure == "network" else table["euclid_km"]
    assert (table["within_radius"] == (radius <= c.service_radius_km)).all()
    assert (table["within_time"] == (table["travel_min"] <= c.max_travel_min)).all()
    small = table[table["small_village"]]
    served = small["served_by"].fillna("") != ""
    assert (small["compliant"] == served).all()
    assert (small.loc[served, "served_km"] <= c.service_radius_km + 1e-9).all()
    assert (small.loc[served, "served_min"] <= c.max_travel_min + 1e-9).all()
    large = table[~table["small_village"]]
    assert (large["compliant"] == large["within_time"]).all()
    # the nearest is never farther in a straight line, the fastest never slower
    fast = table["travel_min"].notna()
    assert (table.loc[fast, "nearest_min"] >= table.loc[fast, "travel_min"] - 1e-9).all()


def test_road_radius_follows_radius_km():
    rules = load_rules({"clinic": {"radius_measure": "network"}})
    table = case(rules)
    assert_flags_follow_columns(table, rules)
    # V: M is nearest by road, 2 km of road A then 1.44 km off it; N is 13 km by road
    assert table.loc["V", "radius_km"] == pytest.approx(3.44, abs=1e-6)
    assert not table.loc["V", "within_radius"]
    assert table.loc["V", "reason"] == "too_far;too_slow"
    # S: M is nearest by road too (1.44 km off road from S's own road point); F at 1.5 km
    # of road serves it, and served_km is that road distance
    assert table.loc["S", "radius_km"] == pytest.approx(1.44, abs=1e-6)
    assert table.loc["S", "served_km"] == pytest.approx(1.5, abs=1e-6)
    assert table.loc["O", "served_km"] == pytest.approx(1.58, abs=1e-6)
    assert np.isnan(table.loc["I", "radius_km"])  # no road at all


def test_default_data_flags_follow_their_columns(default_study):
    s = default_study
    table = check_mode(s.villages, s.care_facilities, s.network("walk"), s.rules)
    assert_flags_follow_columns(table, s.rules)
    small = table[table["small_village"]]
    # article 7's unit is the administrative village: 392 settlements of the 369 行政村 under 200
    assert len(small) == 392
    assert int(small["compliant"].sum()) == 193
    assert int(small.loc[small["compliant"], "population"].sum()) == 23_410
    assert (small["unit_residents"] < 200).all()
    assert (table.loc[~table["small_village"], "unit_residents"] >= 200).all()
    # per settlement (clinic.unit = "settlement") every settlement under 200 is in the rule
    rules = dataclasses.replace(
        s.rules, clinic=dataclasses.replace(s.rules.clinic, unit="settlement")
    )
    per = check_mode(s.villages, s.care_facilities, s.network("walk"), rules)
    assert_flags_follow_columns(per, rules)
    small = per[per["small_village"]]
    assert len(small) == int((s.villages["population"] < 200).sum()) == 2323
    assert int(small["compliant"].sum()) == 1245
    v = table.set_index("village_id").loc["V02030"]  # issue 12: CL0243 is 1.34 km away
    assert v["nearest_clinic_id"] == "CL0243"
    assert v["euclid_km"] == pytest.approx(1.343, abs=0.001)
    assert v["nearest_min"] > 600  # across a valley: 716 minutes on foot
    assert v["fastest_clinic_id"] == "CL0296"
    assert v["served_by"] == ""
    # every nearest clinic has its minutes: the default roads connect every village
    assert table["nearest_min"].notna().all()


def test_status_sentences_by_hand(table):
    rules = load_rules()
    zh = status_sentences(table, "zh", rules)
    en = status_sentences(table, "en", rules)
    assert zh.index.equals(table.index)
    assert (
        zh["V"] == "未达标：2.5公里内有卫生室（N，1.0公里），但步行需156分钟；最快可达的F需42分钟"
    )
    assert en["V"] == (
        "not met: a clinic within 2.5 km (N, 1.0 km), but 156 min away (walking); "
        "the fastest to reach, F, takes 42 min"
    )
    assert zh["S"] == "达标：由卫生室F服务（1.5公里，步行18分钟）"
    assert en["S"] == "met: served by clinic F (1.5 km, 18 min, walking)"
    assert zh["L"] == "达标（30分钟内就医）：步行18分钟可到卫生室F"
    assert en["L"] == "met (care within 30 min): clinic F in 18 min (walking)"
    assert zh["G"] == "未达标：2.5公里内没有卫生室（最近的F在4.5公里外）"
    assert en["G"] == "not met: no clinic within 2.5 km (the nearest, F, is 4.5 km away)"
    assert zh["I"] == "未达标：没有道路通往任何卫生室（最近的N在4.0公里外）"
    assert en["I"] == "not met: no road leads to any clinic (the nearest, N, is 4.0 km away)"
    assert zh["O"] == (
        "达标：由卫生室F服务（1.0公里，步行28分钟）；村庄离已知道路超过1公里，需核实位置或补录道路"
    )
    assert en["O"].endswith("the village is more than 1 km from the mapped roads: check its "
                            "location or map the road")  # fmt: skip
    for text in [*zh, *en]:
        assert "_" not in text  # no column key, no status code


def test_status_of_larger_villages_and_rounding(table):
    rules = load_rules()
    rows = table.loc[["L", "L", "G", "V"]].reset_index(drop=True)
    # larger village beyond the limit: 30.4 minutes never reads as 30
    rows.loc[0, ["travel_min", "within_time", "compliant"]] = [30.4, False, False]
    # a small village 2.52 km from the nearest: never reads as 2.5 km
    rows.loc[2, "euclid_km"] = 2.52
    rows.loc[2, "radius_km"] = 2.52
    # a motorcycle row names its mode
    rows.loc[3, "mode"] = "motorcycle"
    zh = status_sentences(rows, "zh", rules)
    assert zh[0] == "未达标：步行30分钟内到不了卫生室（最快可达的F需31分钟）"
    assert zh[1] == "达标（30分钟内就医）：步行18分钟可到卫生室F"
    assert zh[2] == "未达标：2.5公里内没有卫生室（最近的F在2.6公里外）"
    assert zh[3].startswith("未达标：2.5公里内有卫生室（N，1.0公里），但摩托车/电动三轮需156分钟")
    en = status_sentences(rows, "en", rules)
    assert en[0] == (
        "not met: no clinic within 30 min (walking); the fastest to reach, F, takes 31 min"
    )
    assert "(motorcycle)" in en[3]


def test_status_with_a_road_radius(table):
    rules = load_rules({"clinic": {"radius_measure": "network"}})
    rows = table.loc[["V", "G"]].copy()
    rows.loc["G", "radius_km"] = 4.5
    zh = status_sentences(rows, "zh", rules)
    assert zh["V"] == "未达标：路网2.5公里内有卫生室，但步行30分钟内都到不了；最快可达的F需42分钟"
    assert zh["G"] == "未达标：路网2.5公里内没有卫生室（最近的在路网4.5公里外）"


def test_nearest_clinic_without_a_road():
    # road 0-3 km at y = 0 with F at its end; X sits on a road of its own 1 km north of Y
    nodes = {i: (500.0 * i, 0.0) for i in range(7)} | {50: (0.0, 1000.0), 51: (500.0, 1000.0)}
    graph = road_graph(nodes, [(i, i + 1) for i in range(6)] + [(50, 51)])
    villages = point_rows([village("Y", 0, 0, 90)], id_col="village_id")
    clinics = point_rows(
        [{"facility_id": "X", "x": 0, "y": 1000}, {"facility_id": "F", "x": 3000, "y": 0}],
        id_col="facility_id",
    )
    rules = load_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    row = check_mode(villages, clinics, net, rules).iloc[0]
    assert row["nearest_clinic_id"] == "X"
    assert row["euclid_km"] == pytest.approx(1.0, abs=1e-6)
    assert np.isnan(row["nearest_min"])  # no road path to X
    assert row["fastest_clinic_id"] == "F"
    assert row["travel_min"] == pytest.approx(36.0, abs=1e-6)  # 3 km of road
    assert row["within_radius"]
    assert not row["within_time"]
    assert row["served_by"] == ""
    assert row["reason"] == "too_slow"
    table = check_mode(villages, clinics, net, rules)
    assert status_sentences(table, "zh", rules)[0] == (
        "未达标：2.5公里内有卫生室（X，1.0公里），但没有道路通达；最快可达的F需36分钟"
    )
    assert status_sentences(table, "en", rules)[0] == (
        "not met: a clinic within 2.5 km (X, 1.0 km), but no road leads there; "
        "the fastest to reach, F, takes 36 min"
    )


def test_no_clinic_at_all():
    graph = road_graph({0: (0.0, 0.0), 1: (500.0, 0.0)}, [(0, 1)])
    villages = point_rows([village("Z", 0, 0, 90), village("W", 500, 0, 900)], id_col="village_id")
    clinics = point_rows([{"facility_id": "none", "x": 0, "y": 0}], id_col="facility_id").iloc[:0]
    rules = load_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    table = check_mode(villages, clinics, net, rules)
    assert table["nearest_clinic_id"].isna().all()
    assert table["euclid_km"].isna().all()
    assert table["nearest_min"].isna().all()
    assert (table["served_by"] == "").all()
    assert not table["compliant"].any()
    assert status_sentences(table, "zh", rules).tolist() == ["未达标：数据中没有卫生室"] * 2
    assert status_sentences(table, "en", rules)[0] == "not met: there is no clinic in the data"


def test_time_to_nearest_can_be_left_out():
    assert facility_column_names("clinic") == CLINIC_COLUMNS
    rules = load_rules()
    full = case(rules)
    graph = road_graph(A | B | C, EDGES)
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    villages = point_rows([village("V", 0, 0, 95), village("S", 2000, 0, 120)], id_col="village_id")
    clinics = point_rows(
        [
            {"facility_id": "N", "x": 0, "y": 1000},
            {"facility_id": "F", "x": 3500, "y": 0},
            {"facility_id": "M", "x": 2000, "y": -1200},
        ],
        id_col="facility_id",
    )
    a = access(villages, clinics, net, clinic_access_rule(rules), time_to_nearest=False)
    assert np.isnan(a.loc[0, "nearest_time_s"])  # V: N is neither fastest nor serving
    # S: M is within both limits (a covering pair), so its minutes come without a search
    assert a.loc[1, "nearest_time_s"] / 60 == pytest.approx(full.loc["S", "nearest_min"])


def test_written_figures_keep_the_flags_checkable(default_study):
    s = default_study
    table = check_mode(s.villages, s.care_facilities, s.network("walk"), s.rules)
    written = round_past_limits(table, s.rules).round(
        dict.fromkeys(("euclid_km", "served_km", "radius_km", "network_km"), 2)
        | dict.fromkeys(("nearest_min", "travel_min", "served_min"), 1)
    )
    # rounding alone would put some figures onto the limits (2.50 km beside "not within")
    plain = table.round({"euclid_km": 2, "travel_min": 1})
    assert (plain["within_radius"] != (plain["euclid_km"] <= 2.5)).any()
    assert_flags_follow_columns(written, s.rules)
    moved = (written["travel_min"] - table["travel_min"]).abs()
    assert moved.max() < 0.1 + 1e-9  # never more than one step of the written precision


def test_round_past_limits_by_hand():
    rules = load_rules()
    t = pd.DataFrame(
        {
            "euclid_km": [2.503, 2.4999, 3.0],
            "travel_min": [30.04, 29.97, 30.0],
            "served_min": [np.nan, 12.0, 30.0],
        }
    )
    out = round_past_limits(t, rules)
    assert out["euclid_km"].tolist() == pytest.approx([2.51, 2.4999, 3.0])
    assert out["travel_min"].tolist() == pytest.approx([30.1, 29.97, 30.0])
    assert np.isnan(out.loc[0, "served_min"])
    assert t.loc[0, "euclid_km"] == 2.503  # the input is not modified
