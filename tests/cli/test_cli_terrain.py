"""``clinics check --travel terrain`` on user files: outputs, and bad options stop before work."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from netfixtures import lonlat
from terrain_case import terrain_files
from typer.testing import CliRunner

from lvliang_coverage.cli import app

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    return terrain_files(tmp_path)


def args_of(files, out, *extra):
    return ["clinics", "check", "--out", str(out), *extra] + [
        f"--{k}={v}" for k, v in files.items()
    ]


def digest(paths):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def read(path):
    return pd.read_csv(path, encoding="utf-8-sig")


def test_terrain_check_writes_the_model_tables_and_map(files, tmp_path):
    before = digest(files.values())
    out = tmp_path / "out"
    result = runner.invoke(app, args_of(files, out, "--travel", "terrain", "--no-plan"))
    assert result.exit_code == 0, result.output
    table = read(out / "clinic_compliance.csv")
    assert set(table["travel_model"]) == {"terrain"}
    row = table.set_index("village_id").loc["V2"]
    assert row["travel_min"] > 30
    assert not bool(row["within_time"])
    admin = read(out / "clinic_compliance_admin.csv")
    assert set(admin["travel_model"]) == {"terrain"}
    towns = read(out / "township_access_terrain.csv")
    assert towns[["residents", "residents_within_time"]].values.tolist() == [[200, 120]]
    assert towns["share_within_time"].tolist() == [pytest.approx(0.6)]
    comparison = read(out / "travel_model_comparison.csv")
    assert comparison["village_id"].tolist() == ["V2"]
    assert comparison["reason_zh"].tolist() == ["河流阻隔"]
    ledger = read(out / "clinic_ledger.csv")
    assert ledger["出行时间模型"].tolist() == ["地形模型"]
    page = (out / "clinic_compliance.html").read_text(encoding="utf-8")
    assert json.dumps("地形模型等时圈（步行）")[1:-1] in page or "地形模型等时圈（步行）" in page
    assert "30 分钟可达" in page or json.dumps("≤ 30 分钟可达")[1:-1] in page
    text = " ".join(result.output.split())
    assert "河流阻隔" in text
    assert "travel models compared" in text
    assert digest(files.values()) == before  # inputs never modified


def test_map_in_english_names_the_isochrones(files, tmp_path):
    out = tmp_path / "en"
    result = runner.invoke(
        app, args_of(files, out, "--travel", "terrain", "--no-plan", "--lang", "en")
    )
    assert result.exit_code == 0, result.output
    page = (out / "clinic_compliance.html").read_text(encoding="utf-8")
    assert "Terrain isochrones (walking)" in page
    assert "within 30 min" in page
    ledger = read(out / "clinic_ledger.csv")
    assert ledger["Travel model"].tolist() == ["terrain model"]


def test_terrain_check_writes_the_surface_geotiff(files, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, args_of(files, out, "--travel", "terrain", "--no-plan"))
    assert result.exit_code == 0, result.output
    assert (out / "travel_time_walk.tif").is_file()


def test_default_check_has_no_terrain_outputs(files, tmp_path):
    out = tmp_path / "plain"
    del files["barriers"]
    result = runner.invoke(app, args_of(files, out, "--no-plan", "--no-maps"))
    assert result.exit_code == 0, result.output
    assert "travel_model" not in read(out / "clinic_compliance.csv").columns
    assert not (out / "travel_model_comparison.csv").exists()
    assert not (out / "township_access_terrain.csv").exists()


def _not_a_raster(tmp_path):
    path = tmp_path / "friction.tif"
    path.write_text("not a raster", encoding="utf-8")
    return path


def _no_crs_raster(tmp_path):
    path = tmp_path / "friction.tif"
    profile = {"driver": "GTiff", "height": 2, "width": 2, "count": 1, "dtype": "float32"}
    with rasterio.open(path, "w", transform=Affine(1, 0, 0, 0, -1, 2), **profile) as dst:
        dst.write(np.ones((2, 2), dtype=np.float32), 1)
    return path


def _points(tmp_path, name="points.geojson"):
    lon, lat = lonlat(1000.0, 250.0)
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        ],
    }
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _broken(tmp_path, name="broken.geojson"):
    path = tmp_path / name
    path.write_text("{not json", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("option", "make", "words"),
    [
        ("friction", _not_a_raster, "friction raster cannot be read"),
        ("friction", _no_crs_raster, "friction raster has no CRS"),
        ("friction", lambda p: p / "missing.tif", "file not found"),
        ("barriers", _points, "must be lines or polygons"),
        ("barriers", _broken, "the layer cannot be read"),
        ("fords", lambda p: terrain_files(p / "x")["barriers"], "must be points"),
    ],
)
def test_bad_terrain_files_stop_with_exit_2(files, tmp_path, option, make, words):
    (tmp_path / "x").mkdir()
    bad = make(tmp_path)
    files[option] = bad
    out = tmp_path / "never"
    result = runner.invoke(app, args_of(files, out, "--travel", "terrain"))
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "错误 / error" in text
    assert words in text
    assert f"--{option}" in text
    assert not out.exists()


def test_terrain_option_without_terrain_model_is_an_error(files, tmp_path):
    out = tmp_path / "never"
    result = runner.invoke(app, args_of(files, out))  # --barriers without --travel terrain
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "错误 / error" in text
    assert "--travel terrain" in text
    assert "只用于地形模型" in text
    assert not out.exists()


def test_unknown_travel_model_is_an_error(files, tmp_path):
    out = tmp_path / "never"
    result = runner.invoke(app, args_of(files, out, "--travel", "boat"))
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "network" in text
    assert "terrain" in text
    assert "'boat'" in text
    assert "出行时间模型" in text
    assert not out.exists()


def test_terrain_on_user_files_needs_a_dem(files, tmp_path):
    del files["dem"]
    out = tmp_path / "never"
    result = runner.invoke(app, args_of(files, out, "--travel", "terrain"))
    assert result.exit_code == 2
    assert "--dem" in result.output
    assert not out.exists()


def test_plan_follows_the_terrain_model(files, tmp_path):
    terrain, network = tmp_path / "terrain", tmp_path / "network"
    args = ["clinics", "plan", "--no-maps"] + [f"--{k}={v}" for k, v in files.items()]
    result = runner.invoke(app, [*args, "--out", str(terrain), "--travel", "terrain"])
    assert result.exit_code == 0, result.output
    # 村乙 walks round the river: no site within 30 minutes by the terrain model
    assert read(terrain / "clinic_plan_uncoverable.csv")["village_id"].tolist() == ["V2"]
    assert read(terrain / "clinic_ledger.csv")["出行时间模型"].tolist() == ["地形模型"]
    plain = [a for a in args if not a.startswith("--barriers")]
    result = runner.invoke(app, [*plain, "--out", str(network)])
    assert result.exit_code == 0, result.output
    groups = read(network / "clinic_plan_groups.csv").set_index("village_id")
    assert groups.loc["V2", "site_id"] == "C1"  # its straight leg crosses the river
    assert groups.loc["V2", "minutes"] == pytest.approx(24.0, abs=0.1)
