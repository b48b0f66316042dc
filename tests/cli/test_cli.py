"""The command line on user files: outputs, exit codes, nothing written on bad input."""

import hashlib

import osmnx as ox
import pandas as pd
import pytest
from netfixtures import lonlat, write_osm
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.services.clinics.check import COMPLIANCE_COLUMNS

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )
    rows = [("村甲", 1000, 120), ("村乙", 3500, 80), ("村丙", 2000, 600)]
    villages = tmp_path / "villages.csv"
    lines = ["村名,常住人口,经度,纬度,县,乡镇"]
    for name, x, pop in rows:
        lon, lat = lonlat(x, 0.0)
        lines.append(f"{name},{pop},{lon:.7f},{lat:.7f},样例县,样例镇")
    villages.write_bytes("\n".join(lines).encode("gbk"))
    clinics = tmp_path / "clinics.csv"
    lon, lat = lonlat(0.0, 0.0)
    clinics.write_text(f"name,lon,lat\n卫生室,{lon:.7f},{lat:.7f}\n", encoding="utf-8")
    return {"villages": villages, "clinics": clinics, "roads": roads}


def digest(paths):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_check_on_user_files(files, tmp_path):
    before = digest(files.values())
    out = tmp_path / "out"
    args = ["clinics", "check", "--out", str(out), "--no-maps"]
    args += [f"--{k}={v}" for k, v in files.items()]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "clinic_compliance.csv", encoding="utf-8-sig")
    assert list(table.columns[: len(COMPLIANCE_COLUMNS)]) == COMPLIANCE_COLUMNS
    row = table.set_index("name").loc["村甲"]
    assert row["travel_min"] == pytest.approx(12.0, abs=0.05)  # 1 km at 5 km/h
    assert bool(row["compliant"])
    assert table.set_index("name").loc["村乙", "reason"] == "too_far;too_slow"
    assert (out / "clinic_ledger.xlsx").is_file()
    doctors = pd.read_csv(out / "township_doctors.csv", encoding="utf-8-sig")
    assert doctors["required_doctors"].tolist() == [2]  # 800 residents
    assert doctors["current_doctors"].isna().all()  # no health-centre registry: unknown
    assert "unknown" in result.output
    assert digest(files.values()) == before  # inputs never modified
    # the last line says where the outputs are; tables are rounded by column name
    assert result.output.strip().splitlines()[-1] == f"完成 / done: 输出在 {out} / outputs in {out}"
    raw = pd.read_csv(out / "clinic_compliance.csv", encoding="utf-8-sig", dtype=str)
    for column, decimals in (("euclid_km", 2), ("network_km", 2), ("travel_min", 1)):
        cells = raw[column].dropna()
        assert len(cells)
        assert cells.map(lambda c: len(c.partition(".")[2]) <= decimals).all(), column  # noqa: B023


def test_plan_on_user_files(files, tmp_path):
    out = tmp_path / "plan"
    args = ["clinics", "plan", "--out", str(out), "--no-maps"] + [
        f"--{k}={v}" for k, v in files.items()
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    sites = pd.read_csv(out / "clinic_plan_sites.csv", encoding="utf-8-sig")
    # 村乙 (80 residents, 3.5 km from the clinic) is covered by a new clinic in 村丙
    assert sites["name"].tolist() == ["村丙"]
    groups = pd.read_csv(out / "clinic_plan_groups.csv", encoding="utf-8-sig")
    assert set(groups["village_id"]) == {"V00001", "V00002"}


def test_bad_population_exits_nonzero_and_writes_nothing(files, tmp_path):
    bad = tmp_path / "bad.csv"
    text = files["villages"].read_bytes().decode("gbk").replace(",80,", ",-80,")
    bad.write_bytes(text.encode("gbk"))
    out = tmp_path / "never"
    args = [
        "clinics",
        "check",
        "--out",
        str(out),
        f"--villages={bad}",
        f"--clinics={files['clinics']}",
        f"--roads={files['roads']}",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "bad.csv" in message
    assert "row 2" in message
    assert "常住人口" in message
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.csv",
        "clinics.csv",
        "roads.osm",
        "villages.csv",
    ]


def test_missing_roads_is_an_error(files, tmp_path):
    result = runner.invoke(
        app, ["clinics", "check", "--out", str(tmp_path / "o"), f"--villages={files['villages']}"]
    )
    assert result.exit_code == 2
    assert "--roads" in result.output


def test_unknown_mode_is_an_error(files, tmp_path):
    args = ["clinics", "check", "--out", str(tmp_path / "o"), "--mode", "boat"] + [
        f"--{k}={v}" for k, v in files.items()
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "boat" in result.output
    assert not (tmp_path / "o").exists()


def test_graph_export(files, tmp_path):
    out = tmp_path / "g" / "roads.graphml"
    result = runner.invoke(app, ["graph", f"--roads={files['roads']}", f"--out={out}"])
    assert result.exit_code == 0, result.output
    graph = ox.load_graphml(out)
    # one way of 9 nodes simplifies to a single two-way edge between its ends
    assert graph.number_of_nodes() == 2
    assert graph.number_of_edges() == 2
    lengths = [d["length"] for _, _, d in graph.edges(data=True)]
    # great-circle length on a sphere of radius 6,371 km (as osmnx): 0.24 % under the
    # ellipsoidal 4,000 m at 37.5 N along a parallel
    assert lengths == pytest.approx([3990.58, 3990.58], abs=0.05)
    bad = runner.invoke(app, ["graph", f"--roads={files['roads']}", f"--out={tmp_path / 'x.txt'}"])
    assert bad.exit_code == 2
