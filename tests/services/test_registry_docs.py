"""The README's list of services is the registry's, and the CLI offers every registered task."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.services import registry


def test_readme_lists_exactly_the_registered_services(repo_root):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- services:start -->\n(.*?)<!-- services:end -->", text, re.S)
    assert block is not None, "README has no generated services block"
    assert block.group(1) == registry.markdown_table()


def test_every_registered_task_is_a_command():
    runner = CliRunner()
    for service in registry.services():
        result = runner.invoke(app, [service.name, "--help"])
        assert result.exit_code == 0, result.output
        for task in service.tasks:
            assert task.name in result.output


def test_registry_refuses_a_second_service_of_the_same_name():
    clinics = registry.get("clinics")

    class Impostor(type(clinics)):  # type: ignore[misc]
        pass

    with pytest.raises(ValueError, match="registered already"):
        registry.register(Impostor())
