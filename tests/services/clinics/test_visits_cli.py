"""``clinics visits`` as a command on the user's own files (villages, clinics, roads, a plan)."""

from __future__ import annotations

import pandas as pd
from netfixtures import lonlat, write_osm
from test_visits_outputs import VisitsService
from typer.testing import CliRunner

from lvliang_coverage.services.clinics.visits_cli import VISITS
from lvliang_coverage.services.commands import service_app

runner = CliRunner()
APP = service_app(VisitsService(), "村卫生室 / village clinics", VISITS)


def user_files(tmp_path):
    nodes = {i: (1000.0 * i, 0.0) for i in range(1, 6)}
    roads = write_osm(
        tmp_path / "roads.osm",
        nodes,
        [(100, list(nodes), {"highway": "unclassified"})],
    )
    rows = []
    for i, (vid, chronic) in enumerate([("V1", 3), ("V2", 0), ("V3", 5), ("V4", 2)], start=2):
        lon, lat = lonlat(1000.0 * i, 0.0)
        rows.append(f"{vid},村{vid},甲县,乙镇,150,40,{chronic},{lon:.7f},{lat:.7f}")
    villages = tmp_path / "村庄.csv"
    villages.write_text(
        "编号,村名,县,乡镇,常住人口,建档立卡贫困人口,慢性病贫困人口,经度,纬度\n"
        + "\n".join(rows)
        + "\n",
        encoding="gbk",
    )
    lon, lat = lonlat(1000.0, 0.0)
    clinics = tmp_path / "卫生室.csv"
    clinics.write_text(
        f"编号,名称,类型,县,乡镇,经度,纬度\nC1,甲卫生室,村卫生室,甲县,乙镇,{lon:.7f},{lat:.7f}\n",
        encoding="utf-8",
    )
    return villages, clinics, roads


def test_clinics_visits_on_user_files(tmp_path):
    villages, clinics, roads = user_files(tmp_path)
    plan = tmp_path / "clinic_plan_groups.csv"
    plan.write_text("village_id,site_id,population,minutes\nV4,C1,150,9.6\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [
        "visits",
        "--villages",
        str(villages),
        "--clinics",
        str(clinics),
        "--roads",
        str(roads),
        "--plan",
        str(plan),
        "--mode",
        "car",
        "--out",
        str(out),
        "--basemap",
        "none",
    ]
    result = runner.invoke(APP, args)
    assert result.exit_code == 0, result.output
    routes = pd.read_csv(out / "visit_routes.csv", encoding="utf-8-sig", dtype={"village_id": str})
    visited = routes["village_id"].dropna().tolist()
    assert sorted(visited) == ["V1", "V3", "V4"]  # V2 has no chronic patient
    villages_out = pd.read_csv(out / "visit_villages.csv", encoding="utf-8-sig")
    basis = villages_out.set_index("village_id")["basis"]
    # C1 stands 1 km from the nearest village: no village's own clinic
    assert basis.to_dict() == {"V1": "fastest", "V3": "fastest", "V4": "plan"}
    assert (out / "visit_ledger.xlsx").exists()
    assert (out / "visit_routes.html").exists()
    assert not villages_out["patients_estimated"].any()


def test_bad_input_exits_2_and_writes_nothing(tmp_path):
    villages, clinics, roads = user_files(tmp_path)
    plan = tmp_path / "plan.csv"
    plan.write_text("village_id,site_id\nV9,C1\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["visits", "--villages", str(villages), "--clinics", str(clinics)]
    args += ["--roads", str(roads), "--plan", str(plan), "--out", str(out)]
    result = runner.invoke(APP, args)
    assert result.exit_code == 2
    assert "错误 / error" in result.output
    assert "not in the villages" in result.output
    assert not (out / "visit_routes.csv").exists()
    bad_mode = runner.invoke(APP, [*args[:-4], "--mode", "boat", "--out", str(out)])
    assert bad_mode.exit_code == 2
