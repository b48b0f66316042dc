"""The clinic check with the terrain travel model: times, comparison, townships, surfaces."""

import math

import numpy as np
import pandas as pd
import pytest
import rasterio
from terrain_case import terrain_files

from lvliang_coverage.errors import InputError
from lvliang_coverage.services.clinics.analysis import run_check
from lvliang_coverage.services.clinics.terrain import (
    COMPARISON_COLUMNS,
    TOWNSHIP_COLUMNS,
    compare_models,
)
from lvliang_coverage.services.clinics.terrain_inputs import read_layer
from lvliang_coverage.study import Study

OFFPATH_M_PER_MIN = 5000.0 * 0.6 / 60.0
"""Walking off path on flat ground: 5 km/h x the off-path factor 0.6, metres per minute."""


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    files = terrain_files(tmp_path_factory.mktemp("terrain"))
    study = Study.from_files(
        villages=files["villages"],
        roads=files["roads"],
        clinics=files["clinics"],
        dem=files["dem"],
        boundaries=files["boundaries"],
    )
    river = read_layer(files["barriers"], "barriers")
    terrain = run_check(study, study.rules, travel="terrain", barriers=river, with_plan=False)
    network = run_check(study, study.rules, with_plan=False)
    return study, files, terrain, network


def by_village(result):
    return result.mode_table().set_index("village_id")


def test_village_behind_the_river_changes_status(case):
    _, _, terrain, network = case
    t, n = by_village(terrain), by_village(network)
    assert bool(n.loc["V2", "within_time"])
    assert bool(n.loc["V2", "compliant"])
    assert not bool(t.loc["V2", "within_time"])
    assert not bool(t.loc["V2", "compliant"])
    # round the river's west end (-800, 250) to the clinic at (0, 0), off path on flat ground
    around = math.hypot(1800.0, 250.0) + math.hypot(800.0, 250.0)
    assert t.loc["V2", "travel_min"] >= around / OFFPATH_M_PER_MIN - 0.5
    assert t.loc["V2", "travel_min"] <= around / OFFPATH_M_PER_MIN * 1.12
    row = terrain.terrain.comparison.set_index("village_id").loc["V2"]
    assert row["reason"] == "river"
    assert row["reason_zh"] == "河流阻隔"
    assert row["reason_en"] == "river in the way"
    assert row["network_min"] == pytest.approx(n.loc["V2", "travel_min"])
    assert row["terrain_min"] == pytest.approx(t.loc["V2", "travel_min"])
    assert row["network_clinic_id"] == row["terrain_clinic_id"] == "C1"
    assert list(terrain.terrain.comparison.columns) == COMPARISON_COLUMNS


def test_village_on_the_road_keeps_its_minutes(case):
    _, _, terrain, network = case
    t, n = by_village(terrain), by_village(network)
    assert t.loc["V1", "travel_min"] == pytest.approx(n.loc["V1", "travel_min"], abs=0.05)
    assert t.loc["V1", "travel_min"] == pytest.approx(12.0, abs=0.1)  # 1 km of road at 5 km/h
    assert "V1" not in set(terrain.terrain.comparison["village_id"])


def test_without_the_river_the_straight_walk_is_taken(case):
    study, _, _, network = case
    alone = run_check(study, study.rules, travel="terrain", with_plan=False)  # no barrier
    t, n = by_village(alone), by_village(network)
    # 500 m off path (no winding factor on the lattice), then 1 km of road; the lattice adds
    # at most one cell (100 m) of off-path walking between the village, cells and road
    expected = 500.0 / OFFPATH_M_PER_MIN + 1000.0 / (5000.0 / 60.0)
    assert t.loc["V2", "travel_min"] >= expected - 0.5
    assert t.loc["V2", "travel_min"] <= expected + 100.0 / OFFPATH_M_PER_MIN
    assert t.loc["V2", "travel_min"] < n.loc["V2", "travel_min"]  # the leg's winding 1.2
    assert alone.terrain.comparison.empty


def test_model_column_and_tables(case):
    _, _, terrain, network = case
    tables = terrain.tables()
    assert set(tables["clinic_compliance.csv"]["travel_model"]) == {"terrain"}
    assert set(tables["clinic_compliance_admin.csv"]["travel_model"]) == {"terrain"}
    assert {"township_access_terrain.csv", "travel_model_comparison.csv"} <= set(tables)
    # the default (network) outputs keep their files and columns
    plain = network.tables()
    assert "travel_model" not in plain["clinic_compliance.csv"].columns
    assert "travel_model" not in plain["clinic_compliance_admin.csv"].columns
    assert set(plain) == {
        "clinic_compliance.csv",
        "clinic_compliance_admin.csv",
        "clinic_summary.csv",
        "township_doctors.csv",
        "county_doctors.csv",
    }
    assert network.rasters() == {}
    assert network.travel_isochrones() is None


def test_network_model_named_when_chosen(case):
    study, _, _, network = case
    named = run_check(study, study.rules, travel="network", with_plan=False)
    assert set(named.table["travel_model"]) == {"network"}
    assert named.terrain is None
    cols = [c for c in named.table.columns if c != "travel_model"]
    pd.testing.assert_frame_equal(named.table[cols], network.table)


def test_township_share_within_30_minutes(case):
    _, _, terrain, _ = case
    towns = terrain.terrain.townships
    assert list(towns.columns) == TOWNSHIP_COLUMNS
    row = towns.iloc[0]
    assert (row["county"], row["township"], row["mode"]) == ("样例县", "样例镇", "walk")
    assert row["residents"] == 200  # 村甲 120 + 村乙 80
    assert row["residents_within_time"] == 120  # 村乙 is beyond 30 min by the terrain model
    assert row["share_within_time"] == pytest.approx(0.6)


def test_surface_geotiff_reads_back(case, tmp_path):
    study, _, terrain, _ = case
    rasters = terrain.rasters()
    assert list(rasters) == ["travel_time_walk.tif"]
    path = rasters["travel_time_walk.tif"].write_geotiff(tmp_path / "travel_time_walk.tif")
    with rasterio.open(path) as src:
        assert src.dtypes[0] == "float32"
        assert src.nodata == -9999
        assert src.crs is not None
        band = src.read(1)
        xy = study.villages.to_crs(src.crs).geometry
        rows, cols = rasterio.transform.rowcol(src.transform, xy.x.to_numpy(), xy.y.to_numpy())
    t = by_village(terrain)
    v2 = float(band[rows[1], cols[1]])
    assert v2 == pytest.approx(t.loc["V2", "travel_min"], rel=0.1)
    assert (band == -9999).any()  # outside the study area
    valid = band[band != -9999]
    assert np.isfinite(valid).all()
    assert valid.min() >= 0


def test_isochrones_nested_with_the_rules_minutes(case):
    _, _, terrain, _ = case
    iso = terrain.travel_isochrones()
    assert iso is not None
    assert iso["minutes"].tolist() == [15.0, 30.0, 60.0]
    areas = iso["area_km2"].to_numpy()
    assert (np.diff(areas) > 0).all()
    assert iso.crs.to_epsg() == 4326


def test_study_travel_models_are_built_once(case):
    study, _, _, _ = case
    assert study.travel("walk") is study.network("walk")
    assert study.travel("walk", "terrain") is study.travel("walk", "terrain")
    with pytest.raises(InputError, match="travel model"):
        study.travel("walk", "boat")


def test_terrain_needs_an_elevation_model(case):
    _, files, _, _ = case
    flat = Study.from_files(
        villages=files["villages"], roads=files["roads"], clinics=files["clinics"]
    )
    with pytest.raises(InputError, match="--dem"):
        run_check(flat, flat.rules, travel="terrain", with_plan=False)


def _rows(**cols):
    n = len(next(iter(cols.values())))
    base = {
        "village_id": [f"V{i}" for i in range(n)],
        "name": ["村"] * n,
        "county": ["县"] * n,
        "township": ["镇"] * n,
        "population": [100] * n,
        "mode": ["walk"] * n,
        "fastest_clinic_id": ["C1"] * n,
    }
    return pd.DataFrame({**base, **cols})


def test_reasons_in_order():
    # rows: river; terrain faster on another road; terrain slower; faster, same road;
    # unchanged; same minutes but another status; faster although the straight leg crosses
    network = _rows(
        within_time=[True, False, True, False, True, True, False],
        compliant=[True, False, True, False, True, True, False],
        travel_min=[20.0, 40.0, 25.0, 35.0, 10.0, 20.0, 40.0],
    )
    terrain = _rows(
        within_time=[False, True, False, True, True, True, True],
        compliant=[False, True, False, True, True, False, True],
        travel_min=[50.0, 25.0, 45.0, 28.0, 12.0, 20.0, 25.0],
    )
    out = compare_models(
        terrain,
        network,
        crossed=np.array([True, False, False, False, False, False, True]),
        join_differs=np.array([False, True, False, False, True, False, True]),
    )
    assert out["village_id"].tolist() == ["V0", "V1", "V2", "V3", "V5", "V6"]
    assert out["reason"].tolist() == [
        "river",
        "better_road",
        "gully_detour",
        "offroad_shortcut",
        "other",
        "better_road",
    ]
    assert out["reason_zh"].tolist() == [
        "河流阻隔",
        "更易到达的道路",
        "绕行沟壑",
        "越野捷径",
        "其他",
        "更易到达的道路",
    ]
