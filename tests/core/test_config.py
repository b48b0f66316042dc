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
