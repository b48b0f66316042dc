"""Shared fixtures: the repository's folders, the default study, and small road graphs."""

from __future__ import annotations

from pathlib import Path

import pytest

from lvliang_coverage.study import Study

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder (holds ``data/``, ``notebooks/``, ``README.md``)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def default_study():
    """The embedded default Lüliang study, loaded once per test session (read-only use)."""
    return Study.default()
