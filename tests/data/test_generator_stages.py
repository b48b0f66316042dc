"""The generator's last stages: settlements for empty 村委会, 卫生院, seat names, chronic_poor."""

from __future__ import annotations

import bz2
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "data" / "generate_default.py"
DIVISIONS = ROOT / "data" / "lvliang" / "divisions_2023.csv"
TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4546", always_xy=True)
TO_LL = Transformer.from_crs("EPSG:4546", "EPSG:4326", always_xy=True)


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    """data/generate_default.py imported as a module."""
    spec = importlib.util.spec_from_file_location("generate_default", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_default"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _seat_frame(rows: list[tuple[str, str, float, float]]) -> gpd.GeoDataFrame:
    """Seats: county, township name, lon, lat."""
    return gpd.GeoDataFrame(
        {"county": [r[0] for r in rows], "name": [r[1] for r in rows]},
        geometry=gpd.points_from_xy([r[2] for r in rows], [r[3] for r in rows]),
        crs="EPSG:4326",
    )


def test_rename_seats_hand_worked(gen: ModuleType) -> None:
    seats = _seat_frame([("甲县", "甲镇", 111.5, 37.5), ("甲县", "乙乡", 111.7, 37.5)])
    seats = pd.concat([seats, _seat_frame([("乙县", "甲镇", 110.9, 37.9)])], ignore_index=True)
    px, py = TO_M.transform(111.5, 37.5)
    qx, qy = TO_M.transform(111.7, 37.5)
    rx, ry = TO_M.transform(110.9, 37.9)
    vil = pd.DataFrame(
        {
            "name": ["样例镇001", "样例镇002", "样例镇003", "样例村0004", "样例镇004", "样例镇005"],
            "county": ["甲县", "甲县", "甲县", "甲县", "甲县", "乙县"],
            "township": ["甲镇", "甲镇", "甲镇", "甲镇", "乙乡", "甲镇"],
            # metres from the seat: 0, 5 km, 2 km, 1 km; 乙乡's only one 3 km off its seat
            "x": [px, px + 5000.0, px, px + 1000.0, qx + 3000.0, rx],
            "y": [py, py, py - 2000.0, py, qy, ry],
        }
    )
    got = gen.rename_seats(vil, seats)
    assert list(got) == [
        "样例甲镇驻地",
        "样例甲镇原驻地二",
        "样例甲镇原驻地一",
        "样例村0004",
        "样例乙乡驻地",
        "样例甲镇驻地",  # the other county's 甲镇: names repeat across counties
    ]
    assert vil["name"].iloc[0] == "样例镇001"  # the input is not modified


def test_rename_after_settlements(gen: ModuleType) -> None:
    old = pd.Series(["样例镇001", "样例镇002", "样例村0003"])
    new = pd.Series(["样例甲镇驻地", "样例甲镇原驻地一", "样例村0003"])
    fac = pd.DataFrame(
        {
            "name": [
                "样例镇001样例学校",
                "样例镇002样例扶贫车间",
                "样例村0003卫生室",
                "甲镇卫生院",
                "样例镇009样例学校",  # no such settlement: left as it is
            ]
        }
    )
    assert list(gen.rename_after_settlements(fac, old, new)) == [
        "样例甲镇驻地样例学校",
        "样例甲镇原驻地一样例扶贫车间",
        "样例村0003卫生室",
        "甲镇卫生院",
        "样例镇009样例学校",
    ]


def _box(x0: float, y0: float, side: float) -> shapely.Polygon:
    """A square of ``side`` metres (EPSG:4546) from its south-west corner, in degrees."""
    xs = np.array([x0, x0 + side, x0 + side, x0, x0])
    ys = np.array([y0, y0, y0 + side, y0 + side, y0])
    lon, lat = TO_LL.transform(xs, ys)
    return shapely.Polygon(np.column_stack([lon, lat]))


def test_add_health_centres_where_a_township_has_none(gen: ModuleType) -> None:
    x0, y0 = TO_M.transform(111.5, 37.5)
    side = 10_000.0
    codes = ["141102002", "141122100", "141122202", "141122400"]
    names = ["凤山街道", "天宁镇", "东坡底乡", "夏家营生态工业园区"]
    county = ["离石区", "交城县", "交城县", "交城县"]
    polys = [_box(x0 + i * side, y0, side) for i in range(4)]
    townships = gpd.GeoDataFrame(
        {"township_id": codes, "name": names, "county": county}, geometry=polys, crs="EPSG:4326"
    )
    # Seats in the middle of each square, but 50 m inside the west edge for 凤山街道.
    sx = np.array([x0 + 50.0, x0 + 1.5 * side, x0 + 2.5 * side, x0 + 3.5 * side])
    sy = np.full(4, y0 + side / 2)
    lon, lat = TO_LL.transform(sx, sy)
    seats = gpd.GeoDataFrame(
        {"township_id": codes, "name": names, "county": county},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    fac = pd.DataFrame(
        {
            "facility_id": ["CL0001", "HC0003"],
            "name": ["样例村0001卫生室", "天宁镇卫生院"],
            "kind": ["clinic", "health_centre"],
            "county": ["交城县", "交城县"],
            "township": ["天宁镇", "天宁镇"],
            "doctors": [0, 2],
            "source": "synthetic",
            "lon": [lon[1], lon[1]],
            "lat": [lat[1], lat[1]],
            "idle": "否",
        }
    )
    got = gen.add_health_centres(np.random.default_rng(3), fac, seats, townships)
    pd.testing.assert_frame_equal(got.iloc[:2], fac)  # existing rows untouched
    new = got.iloc[2:].reset_index(drop=True)
    # The 街道 and the 乡 get one, in code order; the 镇 has one; the park gets none.
    assert list(new["facility_id"]) == ["HC0004", "HC0005"]
    assert list(new["name"]) == ["凤山街道卫生院", "东坡底乡卫生院"]
    assert list(new["township"]) == ["凤山街道", "东坡底乡"]
    assert list(new["county"]) == ["离石区", "交城县"]
    assert (new["kind"] == "health_centre").all()
    assert new["doctors"].between(0, 4).all()
    assert (new[["source", "idle"]] == ["synthetic", "否"]).all().all()
    # 120 m west and 80 m north of the seat; at the seat where that leaves the township.
    nx, ny = TO_M.transform(new["lon"].to_numpy(), new["lat"].to_numpy())
    assert np.hypot(nx[0] - sx[0], ny[0] - sy[0]) < 0.2
    assert np.hypot(nx[1] - (sx[2] - 120.0), ny[1] - (sy[2] + 80.0)) < 0.2
    again = gen.add_health_centres(np.random.default_rng(3), fac, seats, townships)
    pd.testing.assert_frame_equal(got, again)


def test_chronic_poor_share_follows_the_elderly(gen: ModuleType) -> None:
    old_share = np.repeat([0.10, 0.25, 0.31, 0.50], 200)
    vil = pd.DataFrame(
        {
            "population": 1_000_000,
            "elderly": (old_share * 1_000_000).astype(np.int64),
            "registered_poor": 400_000,
        }
    )
    got = gen.make_chronic_poor(np.random.default_rng(5), vil)
    assert got.dtype == np.int64
    share = pd.Series(got / 400_000).groupby(old_share).mean()
    # 30 % at a quarter aged 60+, half a point per point of 60+ share, within 25-35 %.
    assert share.to_numpy() == pytest.approx([0.25, 0.30, 0.33, 0.35], abs=0.005)
    none = pd.DataFrame({"population": [120, 50], "elderly": [30, 20], "registered_poor": [0, 1]})
    small = gen.make_chronic_poor(np.random.default_rng(5), none)
    assert small[0] == 0
    assert 0 <= small[1] <= 1


def test_chronic_poor_does_not_depend_on_later_rows(gen: ModuleType) -> None:
    rng = np.random.default_rng(11)
    vil = pd.DataFrame(
        {
            "population": rng.integers(50, 2000, 300),
            "elderly": rng.integers(10, 50, 300),
            "registered_poor": rng.integers(0, 50, 300),
        }
    )
    whole = gen.make_chronic_poor(np.random.default_rng(7), vil)
    head = gen.make_chronic_poor(np.random.default_rng(7), vil.iloc[:250])
    assert (whole[:250] == head).all()  # appending settlements leaves the others' counts
    assert (whole <= vil["registered_poor"].to_numpy()).all()


def _node_lonlat(path: Path) -> np.ndarray:
    text = bz2.decompress(path.read_bytes()).decode("utf-8")
    found = re.findall(r'<node id="\d+" version="1" lat="([-\d.]+)" lon="([-\d.]+)"', text)
    return np.array(found, dtype=float)[:, ::-1]


def test_one_county_run_fills_every_committee(tmp_path: Path) -> None:
    """孝义市 alone: fewer settlements drawn than its 273 村委会, so the stage adds some."""
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(tmp_path), "--counties", "孝义市"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    vil = pd.read_csv(tmp_path / "villages.csv", dtype={"township_code": str, "admin_code": str})
    div = pd.read_csv(DIVISIONS, dtype=str)
    units = div[(div["county"] == "孝义市") & (div["code"].str.len() == 12)]
    tail = units["code"].str[9:].astype(int)
    committees = units[(tail >= 200) & (tail < 400)]
    assert len(committees) == 273
    assert committees["code"].isin(vil["admin_code"]).all()
    added = int(summary["settlements_added"])
    assert added > 0
    drawn, new = vil.iloc[:-added], vil.iloc[-added:]
    assert not new["admin_code"].isin(drawn["admin_code"]).any()
    assert new["admin_code"].is_unique
    assert (new["source"] == "synthetic").all()
    # At road nodes, 300 m from every other settlement.
    nodes = np.column_stack(TO_M.transform(*_node_lonlat(tmp_path / "roads.osm.bz2").T))
    pts = np.column_stack(TO_M.transform(new["lon"].to_numpy(), new["lat"].to_numpy()))
    assert cKDTree(nodes).query(pts)[0].max() < 1.0
    every = np.column_stack(TO_M.transform(vil["lon"].to_numpy(), vil["lat"].to_numpy()))
    assert cKDTree(every).query(pts, k=2)[0][:, 1].min() >= 299.0
    # One 卫生院 per 乡、镇、街道, no old seat names, chronic_poor last.
    fac = pd.read_csv(tmp_path / "facilities.csv")
    hc = fac[(fac["kind"] == "health_centre") & (fac["name"] == fac["township"] + "卫生院")]
    towns = div[(div["county"] == "孝义市") & (div["code"].str.len() == 9)]
    assert sorted(hc["township"]) == sorted(towns["name"])
    assert not vil["name"].str.contains(r"样例镇\d{3}").any()
    assert vil.columns[-1] == "chronic_poor"
    assert (vil["chronic_poor"] <= vil["registered_poor"]).all()
