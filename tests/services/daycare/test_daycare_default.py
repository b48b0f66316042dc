"""The day-care check on the default data: every flag follows its column, the ledger reads."""

import datetime
import re

import numpy as np
import openpyxl
import pyproj
import pytest

from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.services.daycare.service import SERVICE
from lvliang_coverage.services.runner import run_task

GEOD = pyproj.Geod(ellps="WGS84")
COMMANDS = re.compile(r"lvliang-coverage|daycare (?:plan|check)|运行|--\w")
CODES = re.compile(r"\b(?:too_far|too_slow|unreachable|off_network|no_site|daycare)\b")


@pytest.fixture(scope="module")
def default_run(default_study, tmp_path_factory):
    out = tmp_path_factory.mktemp("daycare-default")
    run = run_task(SERVICE, default_study, "check", out, maps=False, with_plan=True)
    return run.result, out, default_study


def test_default_figures(default_run):
    result, _, _ = default_run
    summary = result.summary()
    assert summary["elderly"] == 738_053
    assert summary["elderly_served"] == 210_503
    assert result.plan is not None
    plan = result.plan.summary()
    assert plan["p"] == 20
    assert plan["elderly_covered_now"] == 210_503
    assert plan["elderly_covered_after_plan"] == 223_604


def test_every_flag_follows_its_column(default_run):
    result, _, _ = default_run
    t, s = result.table, result.settings
    assert (t["radius_km"] == t["euclid_km"]).all()  # straight-line radius by default
    assert (t["within_radius"] == (t["radius_km"] <= s.service_radius_km)).all()
    assert (t["within_time"] == (t["travel_min"] <= s.max_travel_min)).all()
    served = t["served_by"] != ""
    assert (t["served"] == served).all()
    assert (t.loc[served, "served_min"] <= s.max_travel_min).all()
    assert (t.loc[served, "served_km"] <= s.service_radius_km).all()
    assert t.loc[~served, "served_min"].isna().all()
    # the fastest is never slower than the serving one, the nearest never farther
    assert (t.loc[served, "travel_min"] <= t.loc[served, "served_min"] + 1e-9).all()
    assert (t.loc[served, "euclid_km"] <= t.loc[served, "served_km"] + 1e-9).all()
    both = t["nearest_min"].notna() & t["travel_min"].notna()
    assert (t.loc[both, "travel_min"] <= t.loc[both, "nearest_min"] + 1e-9).all()
    assert (t["nearest_min"].notna() <= t["travel_min"].notna()).all()
    assert t.loc[served, "elderly"].sum() == result.summary()["elderly_served"]


def test_nearest_centre_in_a_straight_line(default_run):
    result, _, study = default_run
    t, c = result.table, result.centres
    v = study.villages.set_index("village_id").loc[t["village_id"]]
    n, m = len(v), len(c)
    metres = GEOD.inv(
        np.repeat(v.geometry.x.to_numpy(), m),
        np.repeat(v.geometry.y.to_numpy(), m),
        np.tile(c.geometry.x.to_numpy(), n),
        np.tile(c.geometry.y.to_numpy(), n),
    )[2].reshape(n, m)
    assert t["euclid_km"].to_numpy() == pytest.approx(metres.min(axis=1) / 1000.0, rel=2e-3)
    ids = c["facility_id"].to_numpy()[metres.argmin(axis=1)]
    assert (t["nearest_centre_id"].to_numpy() == ids).mean() > 0.99  # ties aside
    names = c.set_index("facility_id")["name"]
    assert (t["nearest_centre_name"] == t["nearest_centre_id"].map(names)).all()


def _table(ws):
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if "县" in values and values.index("县") <= 1:
            start = values.index("县")
            header = [v for v in values[start:] if v is not None]
            return header, [
                dict(zip(header, v[start : start + len(header)], strict=True))
                for v in ws.iter_rows(min_row=r + 1, values_only=True)
                if any(x is not None for x in v)
            ]
    raise AssertionError(ws.title)


def test_ledger_reads_as_a_ledger(default_run):
    result, out, _ = default_run
    t = result.table
    wb = openpyxl.load_workbook(out / "daycare_ledger.xlsx")
    counties = wb.sheetnames[1:]
    assert wb.sheetnames[0] == "汇总"
    assert counties == county_order(t["county"])
    today = datetime.date.today()
    rows = []
    for ws in wb.worksheets:
        texts = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        assert "农村日间照料中心台账" in " ".join(texts[:3]), ws.title
        bad = [x for x in texts if COMMANDS.search(x) or CODES.search(x)]
        assert not bad, (ws.title, bad[:3])
    for county in counties:
        header, part = _table(wb[county])
        assert header[:3] == ["县", "乡镇", "村"]
        assert {
            "最近日间照料中心(直线)",
            "最快可达日间照料中心",
            "至最快中心步行时间(分钟)",
        } <= set(header)
        for row in part:
            assert row["县"] == county
            assert row["问题"].startswith("未覆盖：")
            assert row["整改措施"]
            assert row["责任单位"].startswith(f"{county}人民政府、")
            assert row["完成时限"].date() >= today
        rows += part
    assert len(rows) == int(((t["served_by"] == "") & (t["elderly"] > 0)).sum())
    fixes = [r["整改措施"] for r in rows]
    assert sum(f.startswith("利用闲置") and "改建日间照料中心" in f for f in fixes) > 0


def test_headlines_are_bilingual_numbers(default_run):
    result, _, _ = default_run
    check, counties = SERVICE.headlines(result)
    items = dict(check.items)
    assert items.pop("mode") == "walk"
    for label, value in items.items():
        zh, sep, en = label.partition(" / ")
        assert all((zh, sep, en)), label
        if label != "老年人口为估算 / 60+ estimated":
            assert not isinstance(value, str), label
    assert items["覆盖率 / share served"] == pytest.approx(210_503 / 738_053)
    assert [r["县 / county"] for r in counties.rows] == county_order(result.table["county"])
    assert all(isinstance(r["覆盖率 / share"], float) for r in counties.rows)
