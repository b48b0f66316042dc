"""Small hand-made road graphs for tests, laid out in metres near Lüliang (EPSG:4546)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pyproj
from shapely.geometry import Point

METRIC = "EPSG:4546"
ORIGIN = (500_000.0, 4_150_000.0)  # metres in EPSG:4546, about 111.0 E 37.5 N
_TO_LONLAT = pyproj.Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Longitude/latitude of a point given in metres from ORIGIN."""
    return _TO_LONLAT.transform(ORIGIN[0] + x, ORIGIN[1] + y)


def road_graph(
    nodes: dict[int, tuple[float, float]], edges: list[tuple], *, highway: str = "unclassified"
) -> nx.MultiDiGraph:
    """An osmnx-style MultiDiGraph from node positions in metres and (u, v[, attrs]) edges.

    Edges are two-way unless attrs has ``oneway=True``; ``length`` is the metric distance.
    """
    g = nx.MultiDiGraph(crs="EPSG:4326")
    for n, (x, y) in nodes.items():
        lon, lat = lonlat(x, y)
        g.add_node(n, x=lon, y=lat)
    for e in edges:
        u, v = e[0], e[1]
        attrs = dict(e[2]) if len(e) > 2 else {}
        oneway = bool(attrs.pop("oneway", False))
        hw = attrs.pop("highway", highway)
        (x0, y0), (x1, y1) = nodes[u], nodes[v]
        length = float(np.hypot(x1 - x0, y1 - y0))
        data = {"length": length, "highway": hw, "oneway": oneway, **attrs}
        g.add_edge(u, v, reversed=False, **data)
        if not oneway:
            g.add_edge(v, u, reversed=True, **data)
    return g


def points(rows: list[dict], *, id_col: str) -> gpd.GeoDataFrame:
    """A point layer from dicts holding ``x``/``y`` metres from ORIGIN plus attributes."""
    geoms = [Point(lonlat(r["x"], r["y"])) for r in rows]
    data = [{k: v for k, v in r.items() if k not in {"x", "y"}} for r in rows]
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    assert gdf[id_col].is_unique
    return gdf
