"""Ledger deadlines (完成时限) and filers (填报单位) in the rules: resolved once, never past."""

import datetime
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lvliang_coverage import InputError, load_rules
from lvliang_coverage.cli import app
from lvliang_coverage.config import resolve_deadline

POLICY = Path(__file__).resolve().parents[3] / "shared" / "policy" / "lvliang-2019-41.txt"
DAY = datetime.date(2030, 5, 17)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("end_of_year", datetime.date(2030, 12, 31)),
        ("2030-05-17", DAY),  # the day of the run itself is not past
        ("2031-01-02", datetime.date(2031, 1, 2)),
    ],
)
def test_resolve_deadline(value, expected):
    assert resolve_deadline(value, DAY) == expected


def test_end_of_year_is_the_current_year_by_default():
    assert resolve_deadline("end_of_year") == datetime.date(datetime.date.today().year, 12, 31)


@pytest.mark.parametrize("value", ["2030-05-16", "2019-12-31"])
def test_a_past_deadline_is_refused(value):
    with pytest.raises(InputError) as err:
        resolve_deadline(value, DAY)
    zh, _, en = err.value.message.partition(" / ")
    assert "已过" in zh
    assert "in the past" in en
    assert value in en


@pytest.mark.parametrize("value", ["31.12.2030", "next year", "2030-13-01", "", "2030-1-1"])
def test_a_deadline_that_is_no_date_is_refused(value):
    with pytest.raises(InputError, match="end_of_year"):
        resolve_deadline(value, DAY)


def test_rules_resolve_every_deadline_at_load():
    rules = load_rules(today=DAY)
    for section in (rules.clinic, rules.water, rules.relocation):
        assert section.deadline == datetime.date(2030, 12, 31)
    assert rules.today == DAY
    assert rules.raw["clinic"]["deadline"] == "end_of_year"  # the setting itself is kept
    today = load_rules()
    assert today.water.deadline == datetime.date(datetime.date.today().year, 12, 31)


@pytest.mark.parametrize("section", ["clinic", "water", "relocation"])
def test_past_deadline_in_a_user_file_names_the_file_and_the_key(tmp_path, section):
    path = tmp_path / "county.toml"
    path.write_text(f'[{section}]\ndeadline = "2019-12-31"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(path, today=DAY)
    key = f"{section}.deadline"
    assert err.value.file == str(path)
    assert err.value.column == key
    zh, _, en = err.value.message.partition(" / ")
    assert re.search(r"[\u4e00-\u9fff]", zh)
    assert key in zh
    assert f"rules key '{key}'" in en
    assert "2019-12-31" in en


def test_a_toml_date_and_a_later_file(tmp_path):
    dated = tmp_path / "dated.toml"
    dated.write_text("[water]\ndeadline = 2031-06-30\n", encoding="utf-8")  # a TOML date
    assert load_rules(dated, today=DAY).water.deadline == datetime.date(2031, 6, 30)
    past = tmp_path / "past.toml"
    past.write_text('[water]\ndeadline = "2020-06-30"\n', encoding="utf-8")
    assert load_rules(past, dated, today=DAY).water.deadline == datetime.date(2031, 6, 30)
    with pytest.raises(InputError) as err:
        load_rules(dated, past, today=DAY)
    assert err.value.file == str(past)


def test_other_sections_resolve_through_the_rules():
    rules = load_rules({"daycare": {"deadline": "end_of_year"}}, today=DAY)
    assert rules.deadline("daycare") == datetime.date(2030, 12, 31)
    rules = load_rules({"daycare": {"deadline": "2030-01-01"}}, today=DAY)
    with pytest.raises(InputError) as err:
        rules.deadline("daycare")
    assert (err.value.file, err.value.column) == ("<mapping>", "daycare.deadline")


def test_filers_are_presentation_settings():
    rules = load_rules()
    assert (rules.clinic.filer, rules.clinic.county_filer) == (
        "吕梁市卫生健康委员会",
        "{county}卫生健康局",
    )
    assert (rules.water.filer, rules.water.county_filer) == ("吕梁市水利局", "{county}水利局")
    assert (rules.relocation.filer, rules.relocation.county_filer) == (
        "吕梁市扶贫开发办公室",
        "{county}扶贫开发办公室",
    )
    over = load_rules({"water": {"filer": "吕梁市水务局", "county_filer": "{county}水务局"}})
    assert over.water.county_filer.replace("{county}", "兴县") == "兴县水务局"


@pytest.mark.skipif(not POLICY.is_file(), reason="policy text not beside the repository")
def test_filers_lead_the_units_the_policy_names():
    text = POLICY.read_text(encoding="utf-8")
    rules = load_rules()
    # 五 (articles 12-14) and 六 (15-17): the first city unit the policy names files the ledger
    water = re.search(r"14\..*?（责任单位：各县市区人民政府，(市[^、）]+)", text, re.S)
    assert water is not None
    assert rules.water.filer == f"吕梁{water.group(1)}"
    relocation = re.search(r"17\..*?（责任单位：相关县市区人民政府，(市[^、）]+)", text, re.S)
    assert relocation is not None
    assert relocation.group(1) == "市扶贫办"
    assert "扶贫" in rules.relocation.filer
    assert "市卫健委" in rules.clinic.responsible_units  # 卫生健康委员会 (articles 7-8)


def test_cli_refuses_a_past_deadline_before_any_work(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('[clinic]\ndeadline = "2019-12-31"\n', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["clinics", "check", "--config", str(path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    assert "clinic.deadline" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
