"""Fixtures of the map tests: villages, facilities, road edges and counties near Lüliang."""

import geopandas as gpd
import numpy as np
import pytest
from map_cases import FACILITY_KINDS, XSS, XSS_ATTR
from shapely.geometry import LineString, box


@pytest.fixture
def villages() -> gpd.GeoDataFrame:
    lon = np.array([111.10, 111.20, 111.15, 111.30, 111.05])
    lat = np.array([37.50, 37.60, 37.55, 37.45, 37.52])
    return gpd.GeoDataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4", "V5"],
            "name": ["张家庄", "李家沟", XSS, "王家峁", XSS_ATTR],
            "county": ["临县", "临县", "临县", XSS, "兴县"],
            "population": [150, 1234, 86, 2000, 40],
            "water_safe": [True, False, True, True, False],
            "covered": [True, False, True, False, True],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


@pytest.fixture
def facilities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "facility_id": [f"F{i}" for i in range(6)],
            "name": [f"设施{i}" for i in range(5)] + [XSS],
            "kind": FACILITY_KINDS,
            "doctors": [0, 2, 0, 0, 0, 0],
        },
        geometry=gpd.points_from_xy(np.linspace(111.1, 111.3, 6), np.linspace(37.45, 37.6, 6)),
        crs="EPSG:4326",
    )


@pytest.fixture
def edges() -> gpd.GeoDataFrame:
    a = LineString([(111.10, 37.50), (111.15, 37.52), (111.20, 37.60)])
    b = LineString([(111.15, 37.55), (111.30, 37.45)])
    c = LineString([(111.05, 37.52), (111.10, 37.50)])
    d = LineString([(111.20, 37.60), (111.21, 37.61)])
    return gpd.GeoDataFrame(
        {
            # `a` appears in both directions, as in an osmnx MultiDiGraph
            "highway": ["primary", "primary", ["tertiary", "unclassified"], "track", "footway"],
        },
        geometry=[a, a.reverse(), b, c, d],
        crs="EPSG:4326",
    )


@pytest.fixture
def counties() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"county": ["临县", XSS]},
        geometry=[box(110.9, 37.3, 111.2, 37.7), box(111.2, 37.3, 111.5, 37.7)],
        crs="EPSG:4326",
    )
