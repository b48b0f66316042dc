"""Options are checked before any work: a wrong language or base map stops at once, exit 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lvliang_coverage.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["clinics", "check", "--lang", "fr"],
        ["water", "site", "--basemap", "google"],
        ["demo", "--lang", "fr"],
    ],
)
def test_bad_option_stops_before_loading_data(args, tmp_path):
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "错误 / error" in result.output
    assert "读取默认数据" not in result.output  # the default data was never loaded
    assert not (tmp_path / "out").exists()
