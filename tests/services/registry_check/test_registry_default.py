"""The registry check on the default villages and on the issue's doctored copy of them."""

from __future__ import annotations

import csv

import pandas as pd
from typer.testing import CliRunner

from lvliang_coverage.cli import app


def _committee_codes(villages: pd.DataFrame) -> pd.Series:
    """Codes of the 村委会 (last three digits 200-399) the default settlements belong to."""
    code = villages["admin_code"]
    return code[code.str[-3:].astype(int).between(200, 399)].drop_duplicates()


def test_default_villages_have_no_finding(repo_root, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["registry", "check", "--out", str(out)])
    assert result.exit_code == 0, result.output
    findings = pd.read_csv(out / "registry_check.csv", dtype=str)
    assert findings.empty
    villages = pd.read_csv(repo_root / "data/default/villages.csv", dtype=str)
    assert len(_committee_codes(villages)) == 2154  # every official 村委会 has a settlement


def test_doctored_copy_reports_exactly_the_removed_and_false_codes(repo_root, tmp_path):
    v = pd.read_csv(repo_root / "data/default/villages.csv", dtype=str, keep_default_na=False)
    codes = _committee_codes(v)
    gone = set(codes.iloc[[10, 300, 700, 1200, 2000]])  # their settlements removed
    swap = list(codes.iloc[[50, 900, 1500]])  # their codes replaced by codes that do not exist
    with (repo_root / "data/lvliang/divisions_2023.csv").open(encoding="utf-8") as fh:
        official = {r["code"] for r in csv.DictReader(fh)}
    false = {c: c[:6] + "999" + c[9:] for c in swap}
    assert not set(false.values()) & official
    doctored = v[~v["admin_code"].isin(gone)].copy()
    hit = doctored["admin_code"].isin(swap)
    doctored.loc[hit, "admin_code"] = doctored.loc[hit, "admin_code"].map(false)
    path = tmp_path / "villages.csv"
    doctored.to_csv(path, index=False)
    out = tmp_path / "out"
    args = ["registry", "check", "--villages", str(path), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output  # findings are results, not errors
    f = pd.read_csv(out / "registry_check.csv", dtype=str)
    assert f["finding"].value_counts().to_dict() == {"missing": 8, "unknown_code": 3}
    assert set(f.loc[f["finding"] == "missing", "code"]) == gone | set(swap)
    assert set(f.loc[f["finding"] == "unknown_code", "code"]) == set(false.values())
