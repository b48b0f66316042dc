"""The province benchmark's generator: a valid synthetic Shanxi that ``clinics check`` reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import pytest
from scipy.spatial import cKDTree

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

import _province_data as pdata  # noqa: E402
import province  # noqa: E402

CLI = Path(sys.executable).with_name("lvliang-coverage")


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first two counties of the synthetic province (小店区, 迎泽区)."""
    return province.generate(tmp_path_factory.mktemp("province"), 2, seed=0)


def test_shipped_division_list_is_the_whole_province() -> None:
    div = pdata.load_divisions()
    shared = REPO.parent / "shared" / "data" / "shanxi" / "divisions_2023.csv"
    if shared.is_file():  # the compressed copy is the NBS file, byte for byte
        raw = pd.read_csv(shared, dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(div, raw)
    levels = div.groupby(["level", "type"]).size()
    assert (div["level"] == "county").sum() == 121
    assert (div["level"] == "township").sum() == 1352
    assert (div["level"] == "village").sum() == 21_895
    assert levels["village", "村委会"] == 18_938
    assert (
        div["code"]
        .str.len()
        .map({6: "county", 9: "township", 12: "village"})
        .eq(div["level"])
        .all()
    )


@pytest.mark.slow  # generates and reads a dataset: about 20-50 s in all
def test_whole_province_settlements_are_plausible() -> None:
    div = pdata.load_divisions()
    vil = pdata.settlements(pdata.layout(div), seed=0)
    units = vil.groupby("admin_code")["population"].sum()
    committees = units[units.index.str[-3:].astype(int) >= 200]
    assert len(committees) == 18_938  # every 村委会 holds a settlement
    assert 0.15 <= (committees < 200).mean() <= 0.19  # about 17 % under 200 residents
    assert 60_000 <= len(vil) <= 100_000
    lon, lat = pdata._TO_LONLAT.transform(vil["x"].to_numpy(), vil["y"].to_numpy())
    assert (lon > 110.2).all()
    assert (lon < 114.6).all()
    assert (lat > 34.6).all()
    assert (lat < 40.7).all()
    # coherent geography: a township's settlements lie within a few tens of km of each other
    spread = vil.groupby("township_code")[["x", "y"]].agg(lambda s: s.max() - s.min())
    assert spread.to_numpy().max() < 80_000


@pytest.mark.slow  # generates and reads a dataset: about 20-50 s in all
def test_dataset_matches_the_division_list_and_the_roads(two_counties: Path) -> None:
    vil = pd.read_csv(
        two_counties / "villages.csv", dtype={"admin_code": str, "township_code": str}
    )
    fac = pd.read_csv(two_counties / "facilities.csv")
    div = pdata.load_divisions()
    official = div[(div["level"] == "village") & div["county_code"].isin(["140105", "140106"])]
    assert set(vil["admin_code"]) == set(official["code"])
    assert set(vil["county"]) == {"小店区", "迎泽区"}
    assert (vil["admin_code"].str[:9] == vil["township_code"]).all()
    assert vil["village_id"].is_unique
    assert fac["facility_id"].is_unique
    assert set(fac["kind"]) <= {"clinic", "health_centre", "hospital"}
    assert (fac["kind"] == "hospital").sum() == 2
    # every settlement stands within 60 m of a road node of the .osm.pbf
    nodes = []
    for obj in osmium.FileProcessor(str(two_counties / "roads.osm.pbf"), osmium.osm.NODE):
        nodes.append((obj.location.lon, obj.location.lat))
    assert obj is not None
    xy = np.array(nodes)
    scale = np.cos(np.radians(vil["lat"].mean()))
    tree = cKDTree(np.c_[xy[:, 0] * scale, xy[:, 1]])
    d, _ = tree.query(np.c_[vil["lon"] * scale, vil["lat"]])
    assert d.max() * 111_195 < 60.0


@pytest.mark.slow  # generates and reads a dataset: about 20-50 s in all
def test_generation_is_deterministic(two_counties: Path, tmp_path: Path) -> None:
    again = province.generate(tmp_path, 2, seed=0, dem=False)
    for name in ("villages.csv", "facilities.csv", "roads.osm.pbf", "counties.geojson"):
        assert (again / name).read_bytes() == (two_counties / name).read_bytes(), name


@pytest.mark.slow  # generates and reads a dataset: about 20-50 s in all
def test_clinics_check_reads_the_dataset(two_counties: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [str(CLI), "clinics", "check", *province._inputs(two_counties, True)]
    cmd += ["--no-plan", "--no-maps", "--out", str(out)]
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(out / "clinic_compliance.csv", encoding="utf-8-sig", dtype=str)
    vil = pd.read_csv(two_counties / "villages.csv", dtype=str)
    assert sorted(table["village_id"]) == sorted(vil["village_id"])
    assert (table["off_network"] == "False").all()
