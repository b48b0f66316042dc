"""Shared cases of the input-layer tests: sample villages, file writers and error checks."""

import csv
import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest

from lvliang_coverage.errors import InputError

GEOD = pyproj.Geod(ellps="WGS84")


VILLAGES = [
    ("L001", "张家庄", "临县", "城庄镇", 150, 20, "是", 111.10, 37.50),
    ("L002", "李家沟", "临县", "城庄镇", 1250, 0, "否", 111.20, 37.60),
    ("L003", "𠀀家峁", "兴县", "蔚汾镇", 86, 86, "是", 111.15, 38.45),
]


CN_HEADER = ["编号", "村名", "县区", "乡镇", "常住人口", "建档立卡人口", "饮水安全", "经度", "纬度"]


EN_HEADER = [
    " Village_ID ",
    "NAME",
    "County",
    "township",
    "Population",
    "registered_poor",
    "water_safe",
    " Longitude",
    "LAT ",
]


def csv_text(header, rows):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(path, header, rows, encoding="utf-8"):
    path.write_bytes(csv_text(header, rows).encode(encoding))
    return path


def snapshot(path):
    path = Path(path)
    files = sorted(path.parent.glob(path.stem + ".*")) if path.suffix == ".shp" else [path]
    return [(p.name, p.read_bytes(), p.stat().st_mtime_ns) for p in files]


def villages_gdf(crs="EPSG:4326"):
    frame = pd.DataFrame(
        [v[:7] for v in VILLAGES],
        columns=[
            "village_id",
            "name",
            "county",
            "township",
            "population",
            "registered_poor",
            "water_safe",
        ],
    )
    points = gpd.points_from_xy([v[7] for v in VILLAGES], [v[8] for v in VILLAGES])
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326").to_crs(crs)


def check_villages(gdf, *, ids=("L001", "L002", "L003"), names=True):
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert gdf.crs == "EPSG:4326"
    assert list(gdf.columns[:14]) == [
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
        "admin_code",
        "township_code",
        "urban",
        "source",
    ]
    assert gdf["village_id"].tolist() == list(ids)
    if names:
        assert gdf["name"].tolist() == [v[1] for v in VILLAGES]
        assert gdf["county"].tolist() == [v[2] for v in VILLAGES]
    assert gdf["population"].tolist() == [v[4] for v in VILLAGES]
    assert gdf["population"].dtype == np.int64
    assert gdf["registered_poor"].tolist() == [v[5] for v in VILLAGES]
    assert gdf["water_safe"].tolist() == [v[6] == "是" for v in VILLAGES]
    assert gdf["relocate"].tolist() == [False, False, False]
    # households default: round(population / 2.8)
    assert gdf["households"].tolist() == [54, 446, 31]
    np.testing.assert_allclose(gdf.geometry.x, [v[7] for v in VILLAGES], atol=1e-7)
    np.testing.assert_allclose(gdf.geometry.y, [v[8] for v in VILLAGES], atol=1e-7)


def lonlat_file(tmp_path, lon, lat, name="v.csv"):
    rows = [[f"V{i}", 100, x, y] for i, (x, y) in enumerate(zip(lon, lat, strict=True))]
    return write_csv(tmp_path / name, ["id", "pop", "x", "y"], rows)


def assert_input_error(func, path, row, column, match, **kwargs):
    before = snapshot(path) if Path(path).exists() else None
    with pytest.raises(InputError) as info:
        func(path, **kwargs)
    err = info.value
    assert err.file == str(path)
    assert err.row == row
    assert err.column == column
    assert re.search(match, err.message), err.message
    text = str(err)
    assert str(path) in text
    if row is not None:
        assert f"row {row}" in text
    if column is not None:
        assert f"'{column}'" in text
    if before is not None:
        assert snapshot(path) == before
    return err


GOOD = [["A", "甲", 100, 111.1, 37.5], ["B", "乙", 200, 111.2, 37.6]]


HDR = ["编号", "村名", "常住人口", "经度", "纬度"]


def bad_csv(tmp_path, row2, header=HDR):
    return write_csv(tmp_path / "bad.csv", header, [GOOD[0], row2])
