"""Invariants of the committed default dataset (data/default, data/lvliang) and its generator."""

from __future__ import annotations

import bz2
import hashlib
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import rasterio
from scipy import ndimage
from scipy.spatial import cKDTree

from lvliang_coverage.config import load_rules
from lvliang_coverage.inputs.projection import LVLIANG_METRIC_CRS, STORAGE_CRS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DEFAULT = DATA / "default"
REAL = DATA / "lvliang"
GENERATOR = DATA / "generate_default.py"
MIN_SPACING_M = 300.0  # data design: settlements at least this far apart
FILES = [
    "townships.geojson",
    "township_seats.geojson",
    "villages.csv",
    "facilities.csv",
    "water_sources.csv",
    "relocation_sites.csv",
    "roads.osm.bz2",
    "dem_100m.tif",
]


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=STORAGE_CRS)


@pytest.fixture(scope="module")
def counties() -> gpd.GeoDataFrame:
    return gpd.read_file(REAL / "counties.geojson")


@pytest.fixture(scope="module")
def townships() -> gpd.GeoDataFrame:
    return gpd.read_file(DEFAULT / "townships.geojson")


@pytest.fixture(scope="module")
def villages() -> gpd.GeoDataFrame:
    return _points(pd.read_csv(DEFAULT / "villages.csv"))


@pytest.fixture(scope="module")
def facilities() -> gpd.GeoDataFrame:
    return _points(pd.read_csv(DEFAULT / "facilities.csv"))


@pytest.fixture(scope="module")
def water() -> gpd.GeoDataFrame:
    return _points(pd.read_csv(DEFAULT / "water_sources.csv"))


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    return _points(pd.read_csv(DEFAULT / "relocation_sites.csv"))


@pytest.fixture(scope="module")
def road_graph() -> nx.MultiDiGraph:
    ox = pytest.importorskip("osmnx")
    return ox.graph_from_xml(DEFAULT / "roads.osm.bz2", simplify=False, retain_all=True)


def test_all_files_present_and_small() -> None:
    for name in FILES:
        assert (DEFAULT / name).is_file(), name
    for name in ["city.geojson", "counties.geojson", "county_seats.geojson", "rivers.geojson"]:
        assert (REAL / name).is_file(), name
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 30 * 1024 * 1024


def test_real_layers_are_the_shared_originals(counties: gpd.GeoDataFrame) -> None:
    assert len(counties) == 13
    assert {"county", "adcode"} <= set(counties.columns)
    area_km2 = counties.to_crs(LVLIANG_METRIC_CRS).area.sum() / 1e6
    assert 20_500 < area_km2 < 21_700


def test_townships_tile_each_county(
    townships: gpd.GeoDataFrame, counties: gpd.GeoDataFrame
) -> None:
    per_county = townships.groupby("county").size()
    assert set(per_county.index) == set(counties["county"])
    assert per_county.between(8, 16).all()
    assert 140 <= len(townships) <= 165
    assert townships["township_id"].is_unique
    assert townships["name"].is_unique
    assert (townships["source"] == "synthetic").all()
    assert townships.crs.to_epsg() == 4326
    # The township polygons cover their county: areas agree to 0.01 % and overlaps are tiny.
    t_m = townships.to_crs(LVLIANG_METRIC_CRS)
    c_m = counties.to_crs(LVLIANG_METRIC_CRS).set_index("county")
    summed = t_m.area.groupby(t_m["county"]).sum()
    assert np.allclose(summed.sort_index(), c_m.area.sort_index(), rtol=1e-4)
    union = t_m.dissolve("county").area.sort_index()
    assert np.allclose(union, c_m.area.sort_index(), rtol=1e-4)


def test_township_seats(townships: gpd.GeoDataFrame) -> None:
    seats = gpd.read_file(DEFAULT / "township_seats.geojson")
    assert list(seats["township_id"]) == list(townships["township_id"])
    assert seats["county_seat"].sum() == 13
    assert set(seats.loc[seats["county_seat"], "source"]) <= {"geonames", "approximate"}
    assert (seats.loc[~seats["county_seat"], "source"] == "synthetic").all()
    inside = townships.geometry.contains(seats.geometry.set_axis(townships.index))
    assert inside.all()


def test_village_schema_and_ids(villages: gpd.GeoDataFrame) -> None:
    cols = {
        "village_id",
        "name",
        "county",
        "township",
        "population",
        "households",
        "registered_poor",
        "water_safe",
        "relocate",
        "admin_village",
        "source",
        "lon",
        "lat",
    }
    assert cols <= set(villages.columns)
    assert villages["village_id"].is_unique
    assert villages["village_id"].str.fullmatch(r"V\d{5}").all()
    assert (villages["source"] == "synthetic").all()
    assert villages["name"].str.startswith("样例").all()
    assert villages["water_safe"].dtype == bool
    assert villages["relocate"].dtype == bool
    assert (villages["households"] >= 1).all()
    ratio = villages["population"] / villages["households"]
    assert ratio.between(2.4, 3.4).all()
    assert (villages["registered_poor"] <= villages["population"]).all()


def test_village_counts_and_residents(villages: gpd.GeoDataFrame) -> None:
    small = load_rules().clinic.small_village_max_residents
    assert 5_500 <= len(villages) <= 6_500
    share_small = (villages["population"] < small).mean()
    assert 1 / 3 <= share_small <= 1 / 2
    assert 3_300_000 <= villages["population"].sum() <= 3_400_000
    seats = villages[villages["settlement"] == "county_seat"]
    assert len(seats) == 13
    assert seats["population"].between(20_000, 220_000).all()
    assert villages.loc[villages["settlement"] == "village", "population"].max() < 20_000


def test_villages_inside_county_and_township(
    villages: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, townships: gpd.GeoDataFrame
) -> None:
    joined = gpd.sjoin(villages, counties[["county", "geometry"]], predicate="within")
    assert len(joined) == len(villages)
    assert (joined["county_left"] == joined["county_right"]).all()
    tj = gpd.sjoin(villages, townships[["name", "geometry"]], predicate="within")
    assert len(tj) == len(villages)
    assert (tj["township"] == tj["name_right"]).all()


def test_villages_spaced(villages: gpd.GeoDataFrame) -> None:
    pts = villages.to_crs(LVLIANG_METRIC_CRS).get_coordinates().to_numpy()
    dist, _ = cKDTree(pts).query(pts, k=2)
    assert dist[:, 1].min() >= MIN_SPACING_M - 1.0  # 6-decimal lon/lat rounding


def test_villages_prefer_low_ground(villages: gpd.GeoDataFrame) -> None:
    with rasterio.open(DEFAULT / "dem_100m.tif") as src:
        elev = src.read(1).astype(float)
        rows, cols = rasterio.transform.rowcol(src.transform, villages["lon"], villages["lat"])
    local_mean = ndimage.uniform_filter(elev, 31)  # about 3 km
    rel = elev[rows, cols] - local_mean[rows, cols]
    assert (rel < 0).mean() > 0.6


def test_admin_villages(villages: gpd.GeoDataFrame) -> None:
    plain = villages[villages["settlement"] == "village"]
    sizes = plain.groupby("admin_village").size()
    assert sizes.between(2, 6).mean() > 0.99
    assert sizes.max() <= 6
    assert 2.5 <= sizes.mean() <= 5.0
    # Named after the largest member, which belongs to the group.
    largest = plain.loc[plain.groupby("admin_village")["population"].idxmax()]
    assert (largest["name"] == largest["admin_village"]).all()
    # Members of one administrative village share a township.
    assert plain.groupby("admin_village")["township"].agg(lambda t: len(set(t))).max() == 1


def test_flags_shares(villages: gpd.GeoDataFrame) -> None:
    assert 0.10 <= (~villages["water_safe"]).mean() <= 0.15
    assert 0.02 <= villages["relocate"].mean() <= 0.03
    assert (villages.loc[villages["relocate"], "population"] < 100).all()
    share = (
        villages.groupby("county")["registered_poor"].sum()
        / villages.groupby("county")["population"].sum()
    )
    poor = share[["兴县", "临县", "石楼县"]]
    rest = share.drop(poor.index)
    assert poor.min() > rest.max()
    unsafe_elev = villages.loc[~villages["water_safe"], "elevation_m"].median()
    safe_elev = villages.loc[villages["water_safe"], "elevation_m"].median()
    assert unsafe_elev > safe_elev


def test_facilities(
    facilities: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, townships: gpd.GeoDataFrame
) -> None:
    assert facilities["facility_id"].is_unique
    assert (facilities["source"] == "synthetic").all()
    kinds = {"clinic", "health_centre", "hospital", "school", "workshop", "industrial_park"}
    kinds |= {"daycare"}  # article 25 (day-care service)
    assert set(facilities["kind"]) == kinds
    hc = facilities[facilities["kind"] == "health_centre"]
    assert len(hc) == len(townships)
    assert set(hc["township"]) == set(townships["name"])
    assert hc["doctors"].between(0, 4).all()
    assert (facilities.loc[facilities["kind"] != "health_centre", "doctors"] == 0).all()
    # Article 8 is not met everywhere, but it is met somewhere.
    staffing = load_rules().staffing
    pop = villages.groupby("township")["population"].sum()
    need = np.where(
        pop.loc[hc["township"]].to_numpy() >= staffing.large_township_min_residents,
        staffing.doctors_large,
        staffing.doctors_small,
    )
    short = hc["doctors"].to_numpy() < need
    assert 0.1 < short.mean() < 0.9
    assert (facilities["kind"] == "hospital").sum() == 13
    parks = facilities[facilities["kind"] == "industrial_park"].groupby("county").size()
    assert len(parks) == 13
    assert parks.between(1, 3).all()
    plain = villages[villages["settlement"] == "village"]
    n_admin = plain["admin_village"].nunique()
    n_clinic = ((facilities["kind"] == "clinic") & (facilities["idle"] == "否")).sum()
    assert 0.75 <= n_clinic / n_admin <= 0.9
    joined = gpd.sjoin(facilities, townships[["name", "geometry"]], predicate="within")
    assert len(joined) == len(facilities)
    assert (joined["township"] == joined["name_right"]).all()


def test_water_sources(water: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> None:
    assert water["water_source_id"].is_unique
    assert (water["source"] == "synthetic").all()
    assert set(water["kind"]) == {"spring", "well", "reservoir", "river_intake", "plant"}
    cap = water.groupby("kind")["capacity_m3d"]
    lo, hi = cap.min(), cap.max()
    assert lo["spring"] >= 20
    assert hi["spring"] <= 300
    assert lo["well"] >= 50
    assert hi["well"] <= 500
    assert lo["reservoir"] >= 1000
    assert hi["reservoir"] <= 20000
    with rasterio.open(DEFAULT / "dem_100m.tif") as src:
        dem = np.array([v[0] for v in src.sample(zip(water["lon"], water["lat"], strict=True))])
    assert np.abs(dem - water["elevation_m"].to_numpy()).max() < 100.0  # bilinear vs cell
    assert np.median(np.abs(dem - water["elevation_m"].to_numpy())) < 10.0
    unsafe = villages[~villages["water_safe"]].to_crs(LVLIANG_METRIC_CRS)
    src_xy = water.to_crs(LVLIANG_METRIC_CRS).get_coordinates().to_numpy()
    dist, _ = cKDTree(src_xy).query(unsafe.get_coordinates().to_numpy())
    assert (dist < 5000.0).mean() > 0.8


def test_relocation_sites(sites: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> None:
    assert sites["site_id"].is_unique
    assert (sites["source"] == "synthetic").all()
    assert sites["capacity_households"].between(100, 800).all()
    assert (sites["occupied_households"] < sites["capacity_households"]).all()
    assert (sites["occupied_households"] >= 0).all()
    per_county = sites.groupby("county").size()
    assert len(per_county) == 13
    assert per_county.between(2, 5).all()
    free = (
        (sites["capacity_households"] - sites["occupied_households"]).groupby(sites["county"]).sum()
    )
    need = villages[villages["relocate"]].groupby("county")["households"].sum()
    need = need.reindex(free.index, fill_value=0)
    assert free.sum() > need.sum()
    assert (free < need).any()  # the same-county rule binds somewhere


def test_dem(counties: gpd.GeoDataFrame) -> None:
    with rasterio.open(DEFAULT / "dem_100m.tif") as src:
        assert src.dtypes[0] == "int16"
        assert src.crs.to_epsg() == 4326
        assert src.res == pytest.approx((0.001, 0.001))
        assert src.compression.name.lower() == "deflate"
        tags = src.tags()
        assert "synthetic" in tags["TIFFTAG_IMAGEDESCRIPTION"].lower()
        assert "TIFFTAG_DATETIME" not in tags
        w, s, e, n = counties.total_bounds
        assert src.bounds.left <= w
        assert src.bounds.right >= e
        assert src.bounds.bottom <= s
        assert src.bounds.top >= n
        elev = src.read(1)
    assert elev.min() >= 300
    assert elev.max() <= 3000
    # Synthetic relief: neighbouring 100 m cells differ by metres to tens of metres.
    step = np.abs(np.diff(elev.astype(float), axis=1))
    assert 1.0 < np.median(step) < 50.0


def test_osm_structure() -> None:
    text = bz2.decompress((DEFAULT / "roads.osm.bz2").read_bytes()).decode("utf-8")
    assert '<osm version="0.6"' in text
    assert 'k="tracktype"' in text
    assert text.count("<node ") > 50_000


def test_osm_loads_with_osmnx(road_graph: nx.MultiDiGraph) -> None:
    assert 50_000 <= len(road_graph) <= 200_000
    classes = {d["highway"] for _, _, d in road_graph.edges(data=True)}
    assert classes == {
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "track",
        "path",
    }
    assert nx.number_weakly_connected_components(road_graph) == 1


def test_some_small_villages_have_no_road(
    road_graph: nx.MultiDiGraph, villages: gpd.GeoDataFrame
) -> None:
    small = load_rules().clinic.small_village_max_residents
    nodes = gpd.GeoSeries(
        gpd.points_from_xy(
            [d["x"] for _, d in road_graph.nodes(data=True)],
            [d["y"] for _, d in road_graph.nodes(data=True)],
        ),
        crs=STORAGE_CRS,
    ).to_crs(LVLIANG_METRIC_CRS)
    tree = cKDTree(nodes.get_coordinates().to_numpy())
    v = villages.to_crs(LVLIANG_METRIC_CRS)
    dist, _ = tree.query(v.get_coordinates().to_numpy())
    is_small = (v["population"] < small).to_numpy()
    far = dist > 500.0
    assert 0.03 <= far[is_small].mean() <= 0.05
    assert not far[~is_small].any()
    assert dist.max() < 3000.0
    # Settlements with a road sit on a road vertex (joined exactly).
    assert np.median(dist) < 1.0


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _run(out: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), *args],
        check=True,
        capture_output=True,
        timeout=300,
    )


def test_generator_deterministic_on_one_county(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    _run(a, "--counties", "交口县")
    _run(b, "--counties", "交口县")
    _run(c, "--counties", "交口县", "--seed", "7")
    da, db, dc = _digests(a), _digests(b), _digests(c)
    assert set(da) == set(FILES)
    assert da == db
    assert all(da[name] != dc[name] for name in FILES)
    vil = pd.read_csv(a / "villages.csv")
    assert set(vil["county"]) == {"交口县"}


@pytest.mark.slow
def test_generator_reproduces_committed_files(tmp_path: Path) -> None:
    _run(tmp_path)
    assert _digests(tmp_path) == {k: v for k, v in _digests(DEFAULT).items() if k in FILES}
