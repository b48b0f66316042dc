"""The service contract as tests: every service's test folder subclasses ServiceContractTests.

Usage, in ``tests/services/<name>/test_<name>_contract.py``::

    from contract_tests import ServiceContractTests
    from lvliang_coverage.services.<name>.service import SERVICE

    class TestContract(ServiceContractTests):
        service = SERVICE

Every task of the service runs once on the default Lüliang data (cached per session) with
its demo options; the tests check what the contract promises of any service.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
import typer

from lvliang_coverage import kinds
from lvliang_coverage.config import load_rules
from lvliang_coverage.report.workbook import Ledger
from lvliang_coverage.services import registry
from lvliang_coverage.services.contract import Service, ServiceResult
from lvliang_coverage.services.runner import Run, run_task
from lvliang_coverage.study import Study

_RESULTS: dict[tuple[str, str], ServiceResult] = {}
_RUNS: dict[tuple[str, str], Run] = {}
_CODE_LIKE = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")  # a column key such as euclid_km


def _result(service: Service, study: Study, task: str) -> ServiceResult:
    key = (service.name, task)
    if key not in _RESULTS:
        options = dict(service.task(task).options)
        _RESULTS[key] = service.analyse(study, study.rules, task=task, **options)
    return _RESULTS[key]


def _run(service: Service, study: Study, task: str, folder: Path) -> Run:
    key = (service.name, task)
    if key not in _RUNS:
        options = dict(service.task(task).options)
        _RUNS[key] = run_task(service, study, task, folder, maps=True, **options)
    return _RUNS[key]


class ServiceContractTests:
    """What every registered service promises (see ``services/contract.py``)."""

    service: ClassVar[Service]

    @pytest.fixture
    def tasks(self) -> list[str]:
        return [t.name for t in self.service.tasks]

    # --- declaration -------------------------------------------------------------------
    def test_is_registered_under_its_name(self) -> None:
        assert isinstance(self.service, Service)
        package = type(self.service).__module__.split(".")[2]  # lvliang_coverage.services.<pkg>
        assert package in registry.BUILTIN
        assert registry.get(self.service.name) is self.service

    def test_declares_titles_articles_kinds_and_rules(self) -> None:
        s = self.service
        assert re.fullmatch(r"[a-z][a-z_]*", s.name)
        assert re.search(r"[\u4e00-\u9fff]", s.title_zh), "Chinese title"
        assert s.title_en
        assert s.title_en.isascii()
        assert s.articles
        assert all(1 <= a <= 30 for a in s.articles)  # the policy has 30 articles
        known = {k.name for k in kinds.registered()}
        assert set(s.kinds) <= known, set(s.kinds) - known
        assert all(k.name in known for k in s.new_kinds)
        raw = load_rules().raw
        assert s.rules_section in raw, "the service reads its own rules section"

    def test_tasks_are_named_and_documented(self, tasks: list[str]) -> None:
        assert tasks
        assert len(set(tasks)) == len(tasks)
        for t in self.service.tasks:
            assert re.search(r"[\u4e00-\u9fff]", t.help_zh)
            assert t.help_en
            assert t.map_file is None or t.map_file.endswith(".html")

    def test_cli_group_has_one_command_per_task(self, tasks: list[str]) -> None:
        group = typer.main.get_group(self.service.cli())
        assert set(tasks) <= set(group.commands)  # type: ignore[attr-defined]

    # --- behaviour on the default data ----------------------------------------------------
    def test_analyse_writes_nothing(
        self, default_study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        for t in self.service.tasks:
            key = (self.service.name, t.name)
            if key in _RESULTS:
                continue
            _result(self.service, default_study, t.name)
        assert list(tmp_path.iterdir()) == []

    def test_result_tables_have_names_and_stable_columns(self, default_study: Study) -> None:
        for t in self.service.tasks:
            result = _result(self.service, default_study, t.name)
            assert result.task == t.name
            tables = result.tables()
            assert tables
            for name, table in tables.items():
                assert re.fullmatch(r"[a-z][a-z0-9_]*\.(csv|geojson|json)", name), name
                if name.endswith(".csv"):
                    assert isinstance(table, pd.DataFrame)
                    assert list(table.columns), name
                    assert all(isinstance(c, str) for c in table.columns), name
            summary = result.summary()
            assert summary
            assert all(isinstance(k, str) for k in summary)

    def test_ledger_and_headlines_read_for_people(self, default_study: Study) -> None:
        for t in self.service.tasks:
            result = _result(self.service, default_study, t.name)
            for lang in ("zh", "en"):
                ledger = self.service.ledger(result, lang)
                if ledger is None:
                    continue
                assert isinstance(ledger, Ledger)
                for header in [*ledger.rows.columns, *ledger.summary.columns]:
                    assert not _CODE_LIKE.match(str(header)), f"column key as header: {header}"
                if lang == "zh":
                    assert any(re.search(r"[\u4e00-\u9fff]", str(h)) for h in ledger.rows.columns)
            headlines = self.service.headlines(result)
            assert headlines
            for h in headlines:
                assert " / " in h.title, f"bilingual title: {h.title}"
                assert h.items or h.rows

    def test_run_task_writes_tables_ledger_and_map(
        self, default_study: Study, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        folder = tmp_path_factory.mktemp(f"contract-{self.service.name}")
        for t in self.service.tasks:
            run = _run(self.service, default_study, t.name, folder)
            names = {p.name for p in run.files}
            assert set(run.result.tables()) <= names
            ledger = self.service.ledger(run.result, "zh")
            if ledger is not None:
                assert {f"{ledger.name}.xlsx", f"{ledger.name}.csv"} <= names
            if t.map_file is not None:
                assert t.map_file in names
                html = next(p for p in run.files if p.name == t.map_file).read_text("utf-8")
                assert "<html" in html.lower()
            assert all(p.is_file() for p in run.files)
