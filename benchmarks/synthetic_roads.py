"""Synthetic road-like graphs for benchmarks: a perturbed grid with removed links (vectorised)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pyproj

from lvliang_coverage.network.graph import haversine_m

CLASSES = np.array(["unclassified", "tertiary", "track", "residential", "path", "secondary"])


def perturbed_grid(
    n_nodes: int, *, spacing_m: float = 250.0, drop: float = 0.2, seed: int = 0
) -> nx.MultiDiGraph:
    """Two-way road graph of about ``n_nodes`` nodes around Lüliang (EPSG:4326, lengths in m)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_nodes)))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    x = 400_000 + ii.ravel() * spacing_m + rng.uniform(-0.3, 0.3, side * side) * spacing_m
    y = 4_100_000 + jj.ravel() * spacing_m + rng.uniform(-0.3, 0.3, side * side) * spacing_m
    lon, lat = pyproj.Transformer.from_crs("EPSG:4546", "EPSG:4326", always_xy=True).transform(x, y)
    ids = np.arange(side * side).reshape(side, side)
    u = np.r_[ids[:-1, :].ravel(), ids[:, :-1].ravel()]
    v = np.r_[ids[1:, :].ravel(), ids[:, 1:].ravel()]
    keep = rng.random(len(u)) >= drop
    u, v = u[keep], v[keep]
    length = haversine_m(lon[u], lat[u], lon[v], lat[v]) * rng.uniform(1.0, 1.3, len(u))  # winding
    hw = CLASSES[rng.integers(0, len(CLASSES), len(u))]
    g = nx.MultiDiGraph(crs="EPSG:4326")
    g.add_nodes_from(
        (int(i), {"x": float(a), "y": float(b)})
        for i, a, b in zip(range(side * side), lon, lat, strict=True)
    )
    attrs = [
        {"length": float(d), "highway": str(h), "oneway": False}
        for d, h in zip(length, hw, strict=True)
    ]
    g.add_edges_from((int(a), int(b), d) for a, b, d in zip(u, v, attrs, strict=True))
    g.add_edges_from((int(b), int(a), d) for a, b, d in zip(u, v, attrs, strict=True))
    return g
