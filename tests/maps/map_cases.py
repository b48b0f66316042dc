"""Shared test data of the map tests: hostile strings, payload decoding and a full map."""

import json
import re

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString

from lvliang_coverage.maps.coverage_map import CoverageMap

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
XSS_ATTR = '"><img src=x onerror=alert(2)>'
FACILITY_KINDS = ["clinic", "health_centre", "hospital", "school", "workshop", "industrial_park"]


def payloads(page: str) -> list[list[dict]]:
    """Every data layer's JSON specs, in the order the layers were added."""
    calls = re.findall(r'LVC\.build\("(?:[^"\\]|\\.)*", (.*)\);$', page, flags=re.MULTILINE)
    return [json.loads(p) for p in calls]


def layer_names_in_page(page: str) -> list[str]:
    """The names every data layer is built with (``LVC.build(name, specs)``)."""
    names = re.findall(r'LVC\.build\(("(?:[^"\\]|\\.)*"), ', page)
    return [json.loads(n) for n in names]


def legend_markup(page: str) -> str:
    """The legend panel's markup, decoded from the page script."""
    (raw,) = re.findall(r'LVC\.panel\([^,]+, "topright",\s*"lvc-legend", (".*")\);', page)
    return json.loads(raw)


def decode_xy(geom: dict) -> np.ndarray:
    """Independent decoder of the delta-coded integer coordinates (1e-5 degree)."""
    ints = np.asarray(geom["xy"], dtype=np.int64).reshape(-1, 2)
    return np.cumsum(ints, axis=0) / 1e5


def full_map(villages, facilities, edges, counties, **kwargs) -> CoverageMap:
    m = CoverageMap(counties, title="测试", **kwargs)
    m.add_boundaries(counties, kind="county")
    m.add_roads(edges)
    m.add_villages(villages, status_col="covered")
    m.add_facilities(facilities)
    m.add_lines(
        gpd.GeoDataFrame(
            {"name": ["V1->F0"]},
            geometry=[LineString([(111.10, 37.50), (111.1, 37.45)])],
            crs="EPSG:4326",
        ),
        tooltip_col="name",
    )
    return m


# ----------------------------------------------------------------------------- offline
