"""The resettlement plan on the default data: every flag follows its column, the ledger reads."""

import datetime
import re

import numpy as np
import openpyxl
import pandas as pd
import pyproj
import pytest

from lvliang_coverage.inputs.divisions import county_order
from lvliang_coverage.services.relocation.evaluation import SERVICES
from lvliang_coverage.services.relocation.service import SERVICE
from lvliang_coverage.services.runner import run_task

GEOD = pyproj.Geod(ellps="WGS84")
COMMANDS = re.compile(r"lvliang-coverage|relocation plan|clinics (?:plan|check)|运行|--\w")
CODES = re.compile(
    r"\b(?:no_pair|beyond_commute|other_county|too_large|capacity|too_far|too_slow|"
    r"unreachable|off_network|industrial_park|health_centre|workshop|clinic|school)\b"
)


@pytest.fixture(scope="module")
def default_run(default_study, tmp_path_factory):
    out = tmp_path_factory.mktemp("relocation-default")
    run = run_task(SERVICE, default_study, "plan", out, maps=False)
    return run.result.plan, out, default_study


def test_default_figures(default_run):
    plan, _, _ = default_run
    summary = plan.summary()
    assert summary["sites"] == 45
    assert summary["sites_passing"] == 20
    assert summary["assigned_villages"] == 78
    assert summary["assigned_residents"] == 5707


def test_every_site_flag_follows_its_column(default_run):
    plan, _, _ = default_run
    s = plan.sites
    rules = plan.rules.relocation
    required = [k for k in SERVICES if k not in rules.optional_services]
    for k in SERVICES:
        minutes = s[f"{k}_min"]
        ok = minutes.notna() & (minutes <= rules.max_minutes(k))
        assert (s[f"{k}_ok"] == ok).all(), k
        served = s[f"served_{k}_id"]
        assert ((served != "") == ok).all(), k
        assert (served[ok] == s.loc[ok, f"fastest_{k}_id"]).all(), k
        assert (s.loc[minutes.isna(), f"fastest_{k}_id"].isna()).all(), k
    met = np.column_stack([s[f"{k}_ok"] for k in SERVICES])
    assert (s["services_met"] == met.sum(axis=1)).all()
    assert (s["passes"] == np.column_stack([s[f"{k}_ok"] for k in required]).all(axis=1)).all()
    missing = [";".join(k for k in SERVICES if not row[f"{k}_ok"]) for _, row in s.iterrows()]
    assert s["missing"].tolist() == missing
    assert int(s["passes"].sum()) == 20


def test_nearest_in_a_straight_line_is_the_nearest(default_run):
    plan, _, study = default_run
    s = plan.sites
    for k in SERVICES:
        fac = study.of_kind(k)
        lon1 = np.repeat(s.geometry.x.to_numpy(), len(fac))
        lat1 = np.repeat(s.geometry.y.to_numpy(), len(fac))
        lon2 = np.tile(fac.geometry.x.to_numpy(), len(s))
        lat2 = np.tile(fac.geometry.y.to_numpy(), len(s))
        metres = GEOD.inv(lon1, lat1, lon2, lat2)[2].reshape(len(s), len(fac))
        best = metres.argmin(axis=1)
        assert s[f"{k}_euclid_km"].to_numpy() == pytest.approx(
            metres.min(axis=1) / 1000.0, rel=2e-3
        ), k
        expected = fac["facility_id"].to_numpy()[best]
        assert (s[f"nearest_{k}_id"].to_numpy() == expected).mean() > 0.95, k  # ties aside
        # the fastest one is never nearer than the nearest
        fastest = s[f"fastest_{k}_id"].map(
            dict(zip(fac["facility_id"], range(len(fac)), strict=True))
        )
        has = fastest.notna().to_numpy()
        to_fastest = metres[np.flatnonzero(has), fastest[has].astype(int).to_numpy()]
        assert (to_fastest / 1000.0 >= s.loc[has, f"{k}_euclid_km"].to_numpy() * 0.998).all()


def test_unplaced_villages_follow_their_columns(default_run):
    plan, _, _ = default_run
    u = plan.unassigned
    limit = plan.max_commute_min
    sites = plan.sites.set_index("site_id")
    reason = u["reason"]
    assert set(reason) <= {"no_pair", "beyond_commute", "other_county", "too_large", "capacity"}
    assert (u["fastest_site_id"].isna() == (reason == "no_pair")).all()
    beyond = reason == "beyond_commute"
    assert (u.loc[beyond, "fastest_site_min"] > limit).all()
    other = reason == "other_county"
    assert (u.loc[other, "fastest_site_min"] <= limit).all()
    assert (u.loc[other, "fastest_site_id"].map(sites["county"]) != u.loc[other, "county"]).all()
    assert u.loc[beyond | other, "allowed_site_id"].isna().all()
    crowded = reason.isin(["too_large", "capacity"])
    c = u[crowded]
    assert c["allowed_site_id"].notna().all()
    assert (c["allowed_site_min"] <= limit).all()
    assert (c["allowed_site_id"].map(sites["county"]) == c["county"]).all()
    assert (c["households"] > c["allowed_spare_households"].astype(int)).all()
    large = c[c["reason"] == "too_large"]
    remaining = large["allowed_site_id"].map(sites["remaining_households"])
    assert (large["households"] > remaining).all()
    a = plan.assignment
    assert (a["commute_min"] <= limit).all()
    assert (a["site_county"] == a["county"]).all()  # same_county by default
    pairs = plan.pairs.set_index(["origin_id", "destination_id"])
    keys = pd.MultiIndex.from_arrays([a["site_id"], a["village_id"]])
    assert a["commute_min"].to_numpy() == pytest.approx(
        pairs["time_s"].reindex(keys).to_numpy() / 60.0
    )
    assert a["commute_km"].to_numpy() == pytest.approx(
        pairs["network_m"].reindex(keys).to_numpy() / 1000.0
    )


def _table(ws, first="县"):
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if first in values and values.index(first) <= 1:
            start = values.index(first)
            header = [v for v in values[start:] if v is not None]
            rows = [
                dict(zip(header, v[start : start + len(header)], strict=True))
                for v in ws.iter_rows(min_row=r + 1, values_only=True)
                if any(c is not None for c in v)
            ]
            return r, header, rows
    raise AssertionError(ws.title)


def test_ledger_reads_as_a_ledger(default_run):
    plan, out, _ = default_run
    wb = openpyxl.load_workbook(out / "relocation_ledger.xlsx")
    counties = wb.sheetnames[3:]
    assert wb.sheetnames[:3] == ["汇总", "安置方案", "未安置村"]
    assert counties == county_order(plan.sites["county"])
    assert counties[0] == "离石区"
    today = datetime.date.today()
    for ws in wb.worksheets:
        texts = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        assert "易地扶贫搬迁安置点台账" in " ".join(texts[:3]), ws.title
        bad = [t for t in texts if COMMANDS.search(t) or CODES.search(t)]
        assert not bad, (ws.title, bad[:3])
    for county in counties:
        _, header, rows = _table(wb[county])
        assert header[0] == "县"
        for row in rows:
            assert row["县"] == county
            assert row["问题"].startswith(("达标", "未达标"))
            assert row["整改措施"]
            assert row["责任单位"].startswith(f"{county}人民政府、")
            assert row["完成时限"].date() >= today
            if row["是否达标"] == "否":
                assert row["问题"].startswith("未达标：")
    _, _, unplaced = _table(wb["未安置村"])
    assert len(unplaced) == len(plan.unassigned)
    assert all(r["整改措施"] and r["未安置原因"] for r in unplaced)
    for r in unplaced:
        assert r["责任单位"].startswith(f"{r['县']}人民政府、")
        if r["未安置原因"] == "可选安置点容量已被其他村占用":
            assert r["整改措施"].startswith("扩建样例安置点")


def test_a_failing_site_with_movers_gets_its_fix_before_they_move(default_run):
    plan, out, _ = default_run
    s = plan.sites.set_index("site_id")
    r012 = s.loc["R012"]
    assert not r012["passes"]
    assert r012["missing_required"] == "workshop"
    assert r012["assigned_households"] == 150
    wb = openpyxl.load_workbook(out / "relocation_ledger.xlsx")
    _, _, rows = _table(wb[r012["county"]])
    [row] = [r for r in rows if r["安置点"] == r012["name"]]
    assert row["问题"] == (
        f"未达标：扶贫车间/农业基地/加工车间最快需{r012['workshop_min']:.1f}分钟"
        f"（{r012['fastest_workshop_id']}，限30分钟）"
    )
    assert "配套建立扶贫车间、设施农业基地或农产品加工车间（30分钟内可达）" in row["整改措施"]
    assert "拟迁入150户：入住前完成上述配套" in row["整改措施"]


def test_tables_carry_units_in_their_names(default_run):
    _, out, _ = default_run
    a = pd.read_csv(out / "relocation_assignment.csv", encoding="utf-8-sig")
    u = pd.read_csv(out / "relocation_unassigned.csv", encoding="utf-8-sig")
    s = pd.read_csv(out / "relocation_sites.csv", encoding="utf-8-sig")
    assert {"commute_km", "commute_min"} <= set(a.columns)
    assert "minutes" not in a.columns
    assert {"nearest_site_km", "fastest_site_min", "allowed_site_min"} <= set(u.columns)
    assert {"passes", "missing"} <= set(s.columns)
    for k in SERVICES:
        assert {f"nearest_{k}_id", f"{k}_euclid_km", f"fastest_{k}_id"} <= set(s.columns)
        assert {f"{k}_network_km", f"{k}_min", f"served_{k}_id", f"{k}_ok"} <= set(s.columns)
    # rounded: minutes to 0.1, km to 0.01 (no float tails)
    assert (a["commute_min"] == a["commute_min"].round(1)).all()
    assert (a["resident_minutes"] == a["resident_minutes"].round(1)).all()
    assert (s["school_euclid_km"] == s["school_euclid_km"].round(2)).all()
