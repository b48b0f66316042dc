"""The same options on every command where they apply (read from the typer app itself)."""

from __future__ import annotations

import pytest
import typer

from lvliang_coverage.cli import app
from lvliang_coverage.services import registry
from lvliang_coverage.services.commands import declared, mode_options

EVERY = {"--config", "--lang", "--out", "--replace"}
"""Options of every service command."""

MAPS = {"--basemap", "--maps", "--no-maps"}
"""Options of every command that draws a map (and of demo)."""

SHARED = EVERY | MAPS

MODE_TASKS = {("clinics", "check"), ("clinics", "plan"), ("relocation", "plan")}
"""Tasks whose analysis takes a travel mode."""


def _commands() -> dict:
    root = typer.main.get_command(app)
    found = {}
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):  # a group: clinics, water, ...
            found.update({f"{name} {sub}": c for sub, c in command.commands.items()})
        else:
            found[name] = command
    return found


def _options(command) -> set[str]:
    return {o for p in command.params for o in p.opts}


def test_every_service_command_has_the_shared_options():
    commands = _commands()
    tasks = [(s.name, t) for s in registry.services() for t in s.tasks]
    assert len(tasks) >= 6
    for service, task in tasks:
        options = _options(commands[f"{service} {task.name}"])
        wanted = SHARED if task.map_file is not None else EVERY
        assert options >= wanted, (service, task.name, wanted - options)


def test_demo_has_the_shared_options_and_mode():
    options = _options(_commands()["demo"])
    assert options >= SHARED | {"--mode"}, (SHARED | {"--mode"}) - options


def test_graph_has_config_and_mode():
    assert _options(_commands()["graph"]) >= {"--config", "--mode", "--roads", "--dem", "--out"}


@pytest.mark.parametrize(("service", "task"), sorted(MODE_TASKS))
def test_mode_on_the_tasks_that_take_one(service, task):
    command = _commands()[f"{service} {task}"]
    assert "--mode" in _options(command)


def test_mode_is_repeatable_where_a_task_compares_modes():
    def multiple(name: str) -> bool:
        [param] = [p for p in _commands()[name].params if "--mode" in p.opts]
        return bool(param.multiple)

    assert multiple("demo")
    assert multiple("graph")
    assert multiple("clinics check")


def test_demo_passes_mode_as_each_command_does():
    assert mode_options(declared("clinics", "check"), ["walk", "car"]) == {"modes": ["walk", "car"]}
    assert mode_options(declared("clinics", "plan"), ["car", "walk"]) == {"mode": "car"}
    assert mode_options(declared("relocation", "plan"), ["walk"]) == {"mode": "walk"}
    assert mode_options(declared("water", "site"), ["walk"]) == {}  # pipes follow roads, no mode
    assert mode_options(declared("clinics", "check"), []) == {}  # defaults of the rules
    assert mode_options(None, ["walk"]) == {}
