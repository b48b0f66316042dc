"""One set of rules in force: a ``--config`` reaches every model, and errors name its file."""

import json

import pytest
from netfixtures import point_rows, road_graph
from typer.testing import CliRunner

from lvliang_coverage import InputError, config, load_rules
from lvliang_coverage.cli import app
from lvliang_coverage.network.offroad import offroad_model
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.services import registry
from lvliang_coverage.services.relocation.evaluation import evaluate_sites

runner = CliRunner()

SOLVER_TOML = "[solver]\ntime_limit_s = 7.5\nmip_rel_gap = 0.05\n"


@pytest.fixture
def default_loads(monkeypatch):
    """Count how often the shipped defaults are read (once per ``load_rules`` call)."""
    calls = []
    read = config._default_text

    def counted():
        calls.append(1)
        return read()

    monkeypatch.setattr(config, "_default_text", counted)
    return calls


@pytest.mark.parametrize(
    ("command", "summary"),
    [
        (["clinics", "plan"], "clinic_plan.json"),
        (["water", "site"], "water_plan.json"),
        (["relocation", "plan"], "relocation_plan.json"),
    ],
)
def test_cli_solver_settings_reach_every_model(tmp_path, default_loads, command, summary):
    cfg = tmp_path / "my.toml"
    cfg.write_text(SOLVER_TOML, encoding="utf-8")
    out = tmp_path / "out"
    args = [*command, "--config", str(cfg), "--no-maps", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    # the rules are loaded once, by the CLI; no module falls back to the shipped defaults
    assert len(default_loads) == 1
    text = (out / summary).read_text(encoding="utf-8")
    reported = json.loads(text)
    nested = [v for value in reported.values() if isinstance(value, list) for v in value]
    limits = [reported, *(v for v in nested if isinstance(v, dict))]  # per-model reports
    found = [(d["time_limit_s"], d["mip_rel_gap"]) for d in limits if "time_limit_s" in d]
    assert found, text
    assert set(found) == {(7.5, 0.05)}


def test_cli_rejects_a_zero_time_limit_naming_the_file(tmp_path):
    cfg = tmp_path / "my.toml"
    cfg.write_text("[solver]\ntime_limit_s = 0.0\n", encoding="utf-8")
    out = tmp_path / "never"
    result = runner.invoke(app, ["clinics", "plan", "--config", str(cfg), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "错误 / error" in result.output
    assert "solver.time_limit_s" in result.output
    assert cfg.name in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "text",
    [
        "[clinic]\nservice_radius_km = nan\n",
        "[clinic]\nmax_travel_min = inf\n",
        "[clinic]\nsmall_village_max_residents = 200.7\n",
    ],
)
def test_cli_rejects_bad_numbers_naming_file_and_key(tmp_path, text):
    cfg = tmp_path / "my.toml"
    cfg.write_text(text, encoding="utf-8")
    out = tmp_path / "never"
    result = runner.invoke(app, ["clinics", "check", "--config", str(cfg), "--out", str(out)])
    assert result.exit_code == 2, result.output
    key = "clinic." + text.split("\n")[1].split(" =")[0]
    assert key in result.output
    assert cfg.name in result.output
    assert not out.exists()


def test_errors_raised_later_because_of_a_config_value_name_the_file(tmp_path):
    path = tmp_path / "county.toml"
    path.write_text(
        '[relocation]\noptional_services = ["spa"]\nmode = "walk"\n'
        '[network]\noffroad_model = "hovercraft"\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    with pytest.raises(InputError) as err:
        offroad_model(rules)
    assert (err.value.file, err.value.column) == (str(path), "network.offroad_model")
    graph = road_graph({1: (0, 0), 2: (1000, 0)}, [(1, 2)])
    net = TravelNetwork.from_graph(graph, mode="walk")
    sites = point_rows([{"site_id": "S", "x": 0, "y": 0}], id_col="site_id")
    facilities = point_rows(
        [{"facility_id": "F", "kind": "clinic", "x": 0, "y": 0}], id_col="facility_id"
    )
    with pytest.raises(InputError) as err:
        evaluate_sites(sites, facilities, net, rules)
    assert (err.value.file, err.value.column) == (str(path), "relocation.optional_services")


@pytest.mark.parametrize(
    ("name", "task"), [("clinics", "check"), ("daycare", "check"), ("daycare", "plan")]
)
def test_study_tasks_never_reload_the_defaults(default_study, default_loads, name, task):
    service = next(s for s in registry.load() if s.name == name)
    result = service.analyse(default_study, default_study.rules, task=task)
    service.ledger(result, "zh")  # the ledger, where the task has one
    assert default_loads == []  # the study's rules reached every step
