"""Tests for WGS84 / GCJ-02 / BD-09 conversions."""

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from shapely.geometry import Point, Polygon

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import chinacrs

GEOD = pyproj.Geod(ellps="WGS84")


def metres(lon1, lat1, lon2, lat2):
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# Reference pairs published with the widely used open-source "coordtransform" library
# (github.com/wandergis/coordtransform, test/app.js; the same values are the unit-test
# expectations of Hutool's CoordinateUtilTest): input (116.404, 39.915), near Tiananmen.
REF_IN = (116.404, 39.915)
REF_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
REF_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
REF_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)
# Beijing railway station, GCJ-02 (116.42703, 39.90245) and BD-09 (116.43351, 39.90851), the
# example of the R package "geoChina" (bd2gcj documentation), given to 5 decimals.
BJ_STATION_GCJ02 = (116.42703, 39.90245)
BJ_STATION_BD09 = (116.43351, 39.90851)


def test_wgs84_to_gcj02_reference():
    lon, lat = chinacrs.wgs84_to_gcj02(*REF_IN)
    np.testing.assert_allclose([lon[0], lat[0]], REF_WGS84_TO_GCJ02, rtol=0, atol=1e-9)


def test_gcj02_to_bd09_reference():
    lon, lat = chinacrs.gcj02_to_bd09(*REF_IN)
    np.testing.assert_allclose([lon[0], lat[0]], REF_GCJ02_TO_BD09, rtol=0, atol=1e-9)
    lon, lat = chinacrs.gcj02_to_bd09(*BJ_STATION_GCJ02)
    np.testing.assert_allclose([lon[0], lat[0]], BJ_STATION_BD09, rtol=0, atol=1e-5)


def test_bd09_to_gcj02_reference():
    # The published value comes from the one-step closed form, which is off by ~4e-7 deg
    # (~5 cm); ours is refined to an exact inverse, so compare to 1e-6 deg (~0.1 m).
    lon, lat = chinacrs.bd09_to_gcj02(*REF_IN)
    np.testing.assert_allclose([lon[0], lat[0]], REF_BD09_TO_GCJ02, rtol=0, atol=1e-6)
    back = chinacrs.gcj02_to_bd09(lon, lat)
    np.testing.assert_allclose([back[0][0], back[1][0]], REF_IN, rtol=0, atol=1e-9)
    lon, lat = chinacrs.bd09_to_gcj02(*BJ_STATION_BD09)
    np.testing.assert_allclose([lon[0], lat[0]], BJ_STATION_GCJ02, rtol=0, atol=1e-5)


def test_gcj02_to_wgs84_inverts_reference_pair():
    lon, lat = chinacrs.gcj02_to_wgs84(*REF_WGS84_TO_GCJ02)
    assert metres(lon[0], lat[0], *REF_IN) < 0.01


def test_offsets_a_few_hundred_metres_in_lvliang():
    lon, lat = np.meshgrid(np.linspace(110.3, 112.3, 9), np.linspace(36.6, 38.9, 9))
    lon, lat = lon.ravel(), lat.ravel()
    glon, glat = chinacrs.wgs84_to_gcj02(lon, lat)
    d = metres(lon, lat, glon, glat)
    assert d.min() > 300.0
    assert d.max() < 800.0
    # Here the shift is mostly eastward (a few hundred metres), barely north or south.
    assert np.all(glon > lon)
    assert np.abs(glat - lat).max() < 0.002
    blon, blat = chinacrs.wgs84_to_bd09(lon, lat)
    assert np.all(metres(lon, lat, blon, blat) > d)


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.35, 48.85), (-74.0, 40.7), (139.7, 35.7), (151.2, -33.9), (60.0, 30.0), (100.0, 60.0)],
)
def test_no_gcj_shift_outside_china(lon, lat):
    for func in (chinacrs.wgs84_to_gcj02, chinacrs.gcj02_to_wgs84):
        x, y = func(lon, lat)
        assert x[0] == lon
        assert y[0] == lat
    assert chinacrs.out_of_china(lon, lat)[0]


def test_round_trips_on_grid_in_china():
    lon, lat = np.meshgrid(np.linspace(75.0, 135.0, 31), np.linspace(18.0, 53.0, 15))
    lon, lat = lon.ravel(), lat.ravel()
    assert not chinacrs.out_of_china(lon, lat).any()
    w = chinacrs.gcj02_to_wgs84(*chinacrs.wgs84_to_gcj02(lon, lat))
    assert metres(lon, lat, *w).max() < 0.01
    w = chinacrs.bd09_to_wgs84(*chinacrs.wgs84_to_bd09(lon, lat))
    assert metres(lon, lat, *w).max() < 1.0
    g = chinacrs.bd09_to_gcj02(*chinacrs.gcj02_to_bd09(lon, lat))
    assert metres(lon, lat, *g).max() < 1.0
    # The inverse is exact in the other direction too.
    gcj = chinacrs.wgs84_to_gcj02(*chinacrs.gcj02_to_wgs84(lon, lat))
    assert metres(lon, lat, *gcj).max() < 0.01


def test_scalars_and_arrays_give_arrays_and_inputs_unchanged():
    lon = np.array([111.1, 111.2])
    lat = np.array([37.5, 37.6])
    out = chinacrs.wgs84_to_gcj02(lon, lat)
    assert out[0].shape == (2,)
    np.testing.assert_array_equal(lon, [111.1, 111.2])
    scalar = chinacrs.wgs84_to_gcj02(111.1, 37.5)
    assert scalar[0].shape == (1,)
    assert scalar[0][0] == out[0][0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("WGS84", "EPSG:4326"),
        ("cgcs2000", "EPSG:4490"),
        ("GCJ-02", "gcj02"),
        ("bd09", "bd09"),
        ("EPSG:4546", "EPSG:4546"),
        ("4546", "EPSG:4546"),
        (32649, "EPSG:32649"),
    ],
)
def test_normalize_system(name, expected):
    assert chinacrs.normalize_system(name) == expected


def test_unknown_system_is_input_error():
    with pytest.raises(InputError, match="unknown coordinate system"):
        chinacrs.normalize_system("mars")


def test_to_wgs84_arrays_projected_matches_pyproj():
    t = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4546", always_xy=True)
    x, y = t.transform([111.1, 111.5], [37.5, 38.0])
    lon, lat = chinacrs.to_wgs84((x, y), "EPSG:4546")
    np.testing.assert_allclose(lon, [111.1, 111.5], atol=1e-9)
    np.testing.assert_allclose(lat, [37.5, 38.0], atol=1e-9)


def test_to_wgs84_geodataframe_gcj02_shifts_points_and_polygons():
    wgs = [(111.1, 37.5), (111.3, 37.7)]
    gx, gy = chinacrs.wgs84_to_gcj02(*zip(*wgs, strict=True))
    poly_gcj = Polygon(zip([*gx.tolist(), gx[1]], [*gy.tolist(), gy[0]], strict=True))
    gdf = gpd.GeoDataFrame({"v": [1, 2]}, geometry=[Point(gx[0], gy[0]), poly_gcj], crs="EPSG:4326")
    before = gdf.copy()
    out = chinacrs.to_wgs84(gdf, "gcj02")
    assert out.crs == "EPSG:4326"
    assert metres(out.geometry.iloc[0].x, out.geometry.iloc[0].y, *wgs[0]) < 0.01
    ring = np.asarray(out.geometry.iloc[1].exterior.coords)
    assert metres(ring[0, 0], ring[0, 1], *wgs[0]) < 0.01
    assert metres(ring[1, 0], ring[1, 1], *wgs[1]) < 0.01
    assert gdf.geometry.equals(before.geometry)  # input untouched


def test_to_wgs84_geodataframe_uses_own_crs():
    gdf = gpd.GeoDataFrame(geometry=[Point(111.2, 37.6)], crs="EPSG:4326").to_crs("EPSG:4546")
    out = chinacrs.to_wgs84(gdf, "wgs84")
    assert out.crs == "EPSG:4326"
    assert metres(out.geometry.x.iloc[0], out.geometry.y.iloc[0], 111.2, 37.6) < 0.001
