"""The rules configuration holds the policy numbers and accepts user overrides."""

import re
from pathlib import Path

import pytest

from lvliang_coverage import InputError, load_rules

POLICY = Path(__file__).resolve().parents[3] / "shared" / "policy" / "lvliang-2019-41.txt"


def test_policy_defaults():
    rules = load_rules()
    assert rules.clinic.small_village_max_residents == 200
    assert rules.clinic.service_radius_km == 2.5
    assert rules.clinic.service_radius_m == 2500.0
    assert rules.clinic.max_travel_min == 30
    assert rules.clinic.max_travel_s == 1800.0
    assert rules.clinic.article == 7
    assert rules.staffing.large_township_min_residents == 10_000
    assert (rules.staffing.doctors_large, rules.staffing.doctors_small) == (3, 2)
    assert rules.staffing.article == 8
    assert rules.water.poor_household_connection_subsidy == 0.5
    assert rules.water.maintenance_yuan_per_person_year == 3.0
    assert (rules.water.article_subsidy, rules.water.article_maintenance) == (12, 13)
    assert rules.relocation.article == 16
    assert set(rules.modes) >= {"walk", "motorcycle", "car"}


@pytest.mark.skipif(not POLICY.is_file(), reason="policy text not beside the repository")
def test_defaults_match_policy_text():
    text = POLICY.read_text(encoding="utf-8")
    rules = load_rules()
    art7 = re.search(
        r"7\. 对常住人口在 (\d+) 人以下的村，以 ([\d.]+) 公里为服务半径.*?(\d+) 分钟内", text
    )
    assert art7 is not None
    assert int(art7.group(1)) == rules.clinic.small_village_max_residents
    assert float(art7.group(2)) == rules.clinic.service_radius_km
    assert float(art7.group(3)) == rules.clinic.max_travel_min
    art8 = re.search(
        r"万人以上的乡镇卫生院配备专业医生 (\d) 人.*?万人以下的乡镇卫生院配备专业医生 (\d) 人", text
    )
    assert art8 is not None
    assert (int(art8.group(1)), int(art8.group(2))) == (
        rules.staffing.doctors_large,
        rules.staffing.doctors_small,
    )
    assert re.search(r"补助 (\d+)% 的优惠政策", text).group(1) == "50"
    yuan = float(re.search(r"人均 (\d+) 元", text).group(1))
    assert yuan == rules.water.maintenance_yuan_per_person_year
    for unit in rules.clinic.responsible_units:
        assert unit in text
    for unit in rules.water.responsible_units:
        assert unit in text


def test_user_file_overrides(tmp_path):
    path = tmp_path / "county.toml"
    path.write_text(
        '[clinic]\nservice_radius_km = 3\nradius_measure = "network"\n'
        "[speeds.walk]\nflat_kmh = 4.5\n[speeds.bicycle]\nflat_kmh = 12.0\n",
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert rules.clinic.service_radius_km == 3.0
    assert isinstance(rules.clinic.service_radius_km, float)
    assert rules.clinic.radius_measure == "network"
    assert rules.speeds["walk"]["flat_kmh"] == 4.5
    assert "bicycle" in rules.modes
    # untouched keys keep the policy defaults
    assert rules.clinic.max_travel_min == 30
    assert rules.sources[-1] == str(path)
    # the shipped defaults are not changed by an override
    assert load_rules().clinic.service_radius_km == 2.5


def test_mapping_override():
    rules = load_rules({"staffing": {"large_township_min_residents": 8000}})
    assert rules.staffing.large_township_min_residents == 8000


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[clinic]\nradius_km = 3\n", "clinic.radius_km"),
        ("[clinic]\nservice_radius_km = 'far'\n", "clinic.service_radius_km"),
        ("[clinic]\nservice_radius_km = -1\n", "clinic.service_radius_km"),
        ("[clinic]\nradius_measure = 'manhattan'\n", "clinic.radius_measure"),
        ("[clinic\n", "not a valid"),
    ],
)
def test_bad_user_file(tmp_path, text, needle):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(path)
    assert str(path) in str(err.value)
    assert needle in str(err.value)


def test_missing_user_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_rules(tmp_path / "nope.toml")


# ---------------------------------------------------------------- values rejected at load time


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[clinic]\nservice_radius_km = nan\n", "clinic.service_radius_km"),
        ("[clinic]\nmax_travel_min = inf\n", "clinic.max_travel_min"),
        ("[relocation]\nmax_commute_min = -inf\n", "relocation.max_commute_min"),
        ("[clinic]\nsmall_village_max_residents = 200.7\n", "clinic.small_village_max_residents"),
        ("[daycare]\nplan_p = 2.5\n", "daycare.plan_p"),
        ("[staffing]\ndoctors_large = 1e30\n", "staffing.doctors_large"),
        ("[clinic]\nservice_radius_km = 0\n", "clinic.service_radius_km"),
        ("[clinic]\nmax_travel_min = 0.0\n", "clinic.max_travel_min"),
        ("[solver]\ntime_limit_s = 0.0\n", "solver.time_limit_s"),
        ("[solver]\nmip_rel_gap = -0.1\n", "solver.mip_rel_gap"),
        ("[water]\nmax_pipe_km = 0\n", "water.max_pipe_km"),
        ("[water]\npipe_cost_yuan_per_m = -5\n", "water.pipe_cost_yuan_per_m"),
        (
            "[water]\npoor_household_connection_subsidy = 50\n",
            "water.poor_household_connection_subsidy",
        ),
        ("[water]\nwinding_factor = 0.8\n", "water.winding_factor"),
        ("[water.source_cost_yuan]\nspring = nan\n", "water.source_cost_yuan.spring"),
        ("[daycare]\nelderly_share_default = 1.5\n", "daycare.elderly_share_default"),
        ("[relocation]\nmax_minutes_school = 0\n", "relocation.max_minutes_school"),
        ("[network]\noffpath_factor = 0\n", "network.offpath_factor"),
        ("[speeds.walk]\nflat_kmh = 0\n", "speeds.walk.flat_kmh"),
        ("[speeds.car]\nprimary = -60\n", "speeds.car.primary"),
        ("[speeds.bicycle]\nflat_kmh = nan\n", "speeds.bicycle.flat_kmh"),
        ("[speeds.bicycle]\nflat_kmh = 'fast'\n", "speeds.bicycle.flat_kmh"),
        ("[speeds.bicycle]\nhighways = [1, 2]\n", "speeds.bicycle.highways"),
        ("[clinic]\ndefault_mode = 'bicycle'\n", "clinic.default_mode"),
        ("[relocation]\nmode = 'boat'\n", "relocation.mode"),
        ("[water]\npipe_mode = 'boat'\n", "water.pipe_mode"),
        ("[daycare]\nmode = 'boat'\n", "daycare.mode"),
        ("[daycare]\nradius_measure = 'manhattan'\n", "daycare.radius_measure"),
        ("[clinic]\ncare_kinds = [1, 2]\n", "clinic.care_kinds"),
        ("[speeds]\nbicycle = 5\n", "speeds.bicycle"),
    ],
)
def test_bad_value_names_file_and_key(tmp_path, text, key):
    path = tmp_path / "county.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(path)
    assert err.value.file == str(path)
    assert err.value.column == key
    assert key in err.value.message
    zh, _, en = err.value.message.partition(" / ")
    assert re.search(r"[\u4e00-\u9fff]", zh), err.value.message  # Chinese, then English
    assert "rules key" in en


def test_bad_value_in_a_mapping_names_the_mapping():
    with pytest.raises(InputError) as err:
        load_rules({"clinic": {"service_radius_km": float("nan")}})
    assert (err.value.file, err.value.column) == ("<mapping>", "clinic.service_radius_km")


def test_whole_float_for_an_integer_key_becomes_an_int():
    rules = load_rules({"clinic": {"small_village_max_residents": 250.0}})
    assert rules.clinic.small_village_max_residents == 250
    assert isinstance(rules.clinic.small_village_max_residents, int)


def test_limits_at_their_bounds_are_accepted(tmp_path):
    path = tmp_path / "edge.toml"
    path.write_text(
        "[water]\npoor_household_connection_subsidy = 1.0\nwinding_factor = 1\n"
        "pipe_cost_yuan_per_m = 0\n[daycare]\nelderly_share_default = 0\nplan_p = 0\n"
        "[solver]\ntime_limit_s = 0.5\nmip_rel_gap = 1\n[speeds.car]\ntrack = 0\n"
        '[speeds.bicycle]\nflat_kmh = 15\nhighways = ["path"]\n[clinic]\ndefault_mode = "bicycle"\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert rules.water.poor_household_connection_subsidy == 1.0
    assert rules.water.winding_factor == 1.0
    assert rules.solver.time_limit_s == 0.5
    assert rules.clinic.default_mode == "bicycle"
    assert rules.speeds["car"]["track"] == 0


def test_a_later_file_fixes_an_earlier_bad_value(tmp_path):
    bad, good = tmp_path / "bad.toml", tmp_path / "good.toml"
    bad.write_text("[clinic]\nservice_radius_km = 0\n", encoding="utf-8")
    good.write_text("[clinic]\nservice_radius_km = 3\n", encoding="utf-8")
    assert load_rules(bad, good).clinic.service_radius_km == 3.0
    with pytest.raises(InputError) as err:
        load_rules(good, bad)
    assert err.value.file == str(bad)


# ---------------------------------------------------------------- where a key came from


def test_source_of_names_the_last_file_that_set_a_key(tmp_path):
    first, second = tmp_path / "first.toml", tmp_path / "second.toml"
    first.write_text(
        "[clinic]\nservice_radius_km = 3\n[relocation]\noptional_services = []\n"
        "[speeds.bicycle]\nflat_kmh = 12.0\n",
        encoding="utf-8",
    )
    second.write_text("[clinic]\nservice_radius_km = 4\n", encoding="utf-8")
    rules = load_rules(first, second, {"solver": {"mip_rel_gap": 0.01}})
    assert rules.source_of("clinic.service_radius_km") == str(second)
    assert rules.source_of("relocation.optional_services") == str(first)
    assert rules.source_of("speeds.bicycle") == str(first)
    assert rules.source_of("speeds.bicycle.flat_kmh") == str(first)
    assert rules.source_of("solver.mip_rel_gap") == "<mapping>"
    assert rules.source_of("clinic") == str(second)  # a table: its last change
    assert rules.source_of("clinic.max_travel_min") == "lvliang_coverage/rules.toml"
    assert rules.source_of("speeds.walk.flat_kmh") == rules.sources[0]
    with pytest.raises(KeyError, match=re.escape("clinic.radius_km")):
        rules.source_of("clinic.radius_km")
