"""``lvliang-coverage daycare check|plan`` on the default data and on user files."""

import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.report.vocabulary import mode_name
from lvliang_coverage.services.daycare.check import CHECK_COLUMNS

runner = CliRunner()
TOWNSHIP = "信义镇"  # default-data township with a day-care centre and idle buildings
KIND_ZH = {"daycare": "日间照料中心", "school": "学校", "clinic": "卫生室"}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("daycare-default")
    check = runner.invoke(app, ["daycare", "check", "--out", str(out), "--no-maps"])
    plan = runner.invoke(app, ["daycare", "plan", "--out", str(out), "--no-maps", "--p", "5"])
    return out, check, plan


def test_check_on_default_data(default_run):
    out, check, _ = default_run
    assert check.exit_code == 0, check.output
    table = pd.read_csv(out / "daycare_check.csv", encoding="utf-8-sig")
    assert list(table.columns) == CHECK_COLUMNS
    assert len(table) == 6025
    assert not table["elderly_estimated"].any()  # the default registry has 60+ counts
    assert (table["elderly"] <= table["population"]).all()
    summary = pd.read_csv(out / "daycare_summary.csv", encoding="utf-8-sig")
    city = summary[summary["level"] == "city"].iloc[0]
    assert city["elderly"] == table["elderly"].sum()
    assert city["elderly_served"] == table.loc[table["served"], "elderly"].sum()
    ledger = pd.read_csv(out / "daycare_ledger.csv", encoding="utf-8-sig")
    assert len(ledger) == int((~table["served"] & (table["elderly"] > 0)).sum())
    assert ledger["县"].iloc[0] == "离石区"  # the official county order
    assert ledger["责任单位"].iloc[0] == "离石区人民政府、市人社局、市民政局、市妇联、市财政局"
    assert (
        ledger["责任单位"] == ledger["县"] + "人民政府、市人社局、市民政局、市妇联、市财政局"
    ).all()
    assert ledger["整改措施"].str.contains("改建日间照料中心").any()
    assert (out / "daycare_ledger.xlsx").is_file()
    assert "第25条" in check.output


def test_plan_on_default_data(default_run):
    out, _, plan = default_run
    assert plan.exit_code == 0, plan.output
    summary = json.loads((out / "daycare_plan.json").read_text(encoding="utf-8"))
    assert summary["p"] == 5
    assert summary["new_centres"] == 5
    curve = pd.read_csv(out / "daycare_plan_curve.csv", encoding="utf-8-sig")
    assert curve["p"].iloc[0] == 0
    assert curve["p"].iloc[-1] == 60  # daycare.curve_max_p
    assert curve["elderly_covered"].is_monotonic_increasing
    assert (
        curve.loc[curve["p"] == 5, "elderly_covered"].iloc[0]
        == summary["elderly_covered_after_plan"]
    )
    sites = pd.read_csv(out / "daycare_plan_sites.csv", encoding="utf-8-sig")
    assert len(sites) == 5
    assert set(sites["role"]) == {"idle"}
    assert set(sites["kind"]) <= {"school", "clinic", "health_centre"}
    unc = pd.read_csv(out / "daycare_plan_uncoverable.csv", encoding="utf-8-sig")
    assert unc["reason"].str.len().gt(0).all()


@pytest.fixture
def user_files(tmp_path, repo_root):
    data = repo_root / "data" / "default"
    v = pd.read_csv(data / "villages.csv")
    v = v[v["township"] == TOWNSHIP]
    villages = tmp_path / "villages.csv"
    pd.DataFrame(
        {
            "村名": v["name"],
            "常住人口": v["population"],
            "60岁以上人口": v["elderly"],
            "经度": v["lon"],
            "纬度": v["lat"],
        }
    ).to_csv(villages, index=False, encoding="gbk")
    f = pd.read_csv(data / "facilities.csv")
    f = f[(f["township"] == TOWNSHIP) & f["kind"].isin(list(KIND_ZH))]
    facilities = tmp_path / "facilities.csv"
    pd.DataFrame(
        {
            "编号": f["facility_id"],
            "名称": f["name"],
            "类型": f["kind"].map(KIND_ZH),
            "是否闲置": f["idle"],
            "经度": f["lon"],
            "纬度": f["lat"],
        }
    ).to_csv(facilities, index=False, encoding="gbk")
    return {
        "villages": villages,
        "facilities": facilities,
        "roads": data / "roads.osm.bz2",
        "n_idle": int((f["idle"] == "是").sum()),
        "n_villages": len(v),
    }


def test_check_and_plan_on_user_files(user_files, tmp_path):
    out = tmp_path / "out"
    files = [f"--{k}={user_files[k]}" for k in ("villages", "facilities", "roads")]
    check = runner.invoke(app, ["daycare", "check", "--out", str(out), "--no-maps", *files])
    assert check.exit_code == 0, check.output
    table = pd.read_csv(out / "daycare_check.csv", encoding="utf-8-sig")
    assert len(table) == user_files["n_villages"]
    assert not table["elderly_estimated"].any()  # read from the 60岁以上人口 column
    plan = runner.invoke(app, ["daycare", "plan", "--out", str(out), "--no-maps", *files])
    assert plan.exit_code == 0, plan.output
    summary = json.loads((out / "daycare_plan.json").read_text(encoding="utf-8"))
    assert summary["existing_centres"] == 2  # 信义镇 has two day-care centres (not idle)
    assert summary["candidate_sites"] == user_files["n_idle"]  # only the 是否闲置 = 是 rows


def test_missing_elderly_column_is_estimated(user_files, tmp_path):
    villages = pd.read_csv(user_files["villages"], encoding="gbk").drop(columns="60岁以上人口")
    path = tmp_path / "no_elderly.csv"
    villages.to_csv(path, index=False, encoding="gbk")
    out = tmp_path / "out"
    args = ["daycare", "check", "--out", str(out), "--no-maps", f"--villages={path}"]
    args += [f"--{k}={user_files[k]}" for k in ("facilities", "roads")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "daycare_check.csv", encoding="utf-8-sig")
    assert table["elderly_estimated"].all()
    assert (table["elderly"] == (table["population"] * 0.25).round()).all()
    assert "估算" in result.output
    summary = openpyxl.load_workbook(out / "daycare_ledger.xlsx").worksheets[0]
    cells = [v for row in summary.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any("按常住人口×25%估算" in c for c in cells)


def test_user_candidates(user_files, tmp_path):
    v = pd.read_csv(user_files["villages"], encoding="gbk")
    cand = tmp_path / "candidates.csv"
    pd.DataFrame(
        {
            "id": ["U1"],
            "name": ["村委会旧址"],
            "lon": [v["经度"].iloc[3]],
            "lat": [v["纬度"].iloc[3]],
        }
    ).to_csv(cand, index=False)
    out = tmp_path / "out"
    args = ["daycare", "plan", "--out", str(out), "--no-maps", f"--candidates={cand}"]
    args += [f"--{k}={user_files[k]}" for k in ("villages", "facilities", "roads")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "daycare_plan.json").read_text(encoding="utf-8"))
    assert summary["candidate_sites"] == user_files["n_idle"] + 1


def test_mode_option_sets_the_travel_mode(user_files, tmp_path):
    out = tmp_path / "out"
    files = [f"--{k}={user_files[k]}" for k in ("villages", "facilities", "roads")]
    args = ["daycare", "check", "--out", str(out), "--no-maps", "--mode", "car", *files]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "daycare_check.csv", encoding="utf-8-sig")
    assert set(table["mode"]) == {"car"}
    ledger = pd.read_csv(out / "daycare_ledger.csv", encoding="utf-8-sig")
    assert f"至最快中心{mode_name('car', 'zh')}时间(分钟)" in ledger.columns
    walk = runner.invoke(
        app, ["daycare", "check", "--out", str(tmp_path / "w"), "--no-maps", *files]
    )
    assert walk.exit_code == 0, walk.output
    walked = pd.read_csv(tmp_path / "w" / "daycare_check.csv", encoding="utf-8-sig")
    assert set(walked["mode"]) == {"walk"}
    assert table["served"].sum() >= walked["served"].sum()  # driving reaches more in 15 min
    bad = runner.invoke(app, ["daycare", "check", "--out", str(tmp_path / "x"), "--mode", "boat"])
    assert bad.exit_code == 2, bad.output
    assert not (tmp_path / "x").exists()


def test_past_deadline_exits_2_and_writes_nothing(tmp_path):
    config = tmp_path / "rules.toml"
    config.write_text('[daycare]\ndeadline = "2019-12-31"\n', encoding="utf-8")
    out = tmp_path / "never"
    args = ["daycare", "check", "--out", str(out), "--no-maps", "--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "daycare.deadline" in result.output
    assert "in the past" in result.output
    assert not out.exists()
