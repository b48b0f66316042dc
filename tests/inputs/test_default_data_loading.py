"""Tests for locating and loading the embedded default data set."""

import os
from pathlib import Path

import numpy as np
import pytest

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import default_data


def test_default_data_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv(default_data.DATA_DIR_ENV, str(tmp_path))
    assert default_data.default_data_dir() == tmp_path
    monkeypatch.delenv(default_data.DATA_DIR_ENV)
    assert (
        default_data.default_data_dir() == Path(default_data.__file__).resolve().parents[3] / "data"
    )


def test_default_data_dir_is_the_repository_data_folder(monkeypatch):
    monkeypatch.delenv(default_data.DATA_DIR_ENV, raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert default_data.default_data_dir() == repo / "data"
    assert (repo / "data" / "lvliang").is_dir()


def test_load_default_lists_missing_files(tmp_path):
    (tmp_path / "lvliang").mkdir()
    (tmp_path / "lvliang" / "city.geojson").write_text("{}")
    with pytest.raises(InputError) as info:
        default_data.load_default(tmp_path)
    assert "default/villages.csv" in info.value.message
    assert "lvliang/city.geojson" not in info.value.message


DATA_DIR = Path(
    os.environ.get(default_data.DATA_DIR_ENV)
    or Path(default_data.__file__).resolve().parents[3] / "data"
)


@pytest.mark.skipif(
    not (DATA_DIR / "default" / "villages.csv").exists(),
    reason="default data not generated yet (data/default/villages.csv missing)",
)
def test_load_default():
    data = default_data.load_default()
    assert data.is_synthetic
    assert len(data.counties) == 13
    for layer, key in (
        (data.villages, "village_id"),
        (data.facilities, "facility_id"),
        (data.water_sources, "water_source_id"),
        (data.sites, "site_id"),
    ):
        assert layer.crs == "EPSG:4326"
        assert len(layer) > 0
        assert layer[key].is_unique
    assert data.villages["population"].dtype == np.int64
    assert set(data.facilities["kind"]) <= {
        "daycare",
        "clinic",
        "health_centre",
        "hospital",
        "school",
        "workshop",
        "industrial_park",
    }
    city = data.city.to_crs(4546).union_all().buffer(1000.0)
    assert data.villages.to_crs(4546).within(city).all()
    assert data.roads_path.exists()
    assert data.dem_path.exists()
