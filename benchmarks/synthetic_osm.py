"""Synthetic road-like OpenStreetMap files for benchmarks: a perturbed grid of curved ways (PBF)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import osmium
import pyproj

CLASSES = np.array(["unclassified", "tertiary", "track", "residential", "path", "secondary"])
"""Highway classes drawn for the ways."""

_WEIGHTS = np.array([0.25, 0.1, 0.25, 0.2, 0.12, 0.08])
_GRADES = np.array(["grade1", "grade2", "grade3", "grade4", "grade5"])


def _runs(kept: np.ndarray, rng: np.random.Generator, split: float) -> np.ndarray:
    """Way number of every kept link of a (lines x links) mask; -1 where dropped.

    A way is a run of consecutive kept links along a line, also broken at random grid points
    with probability ``split``.
    """
    n_lines, n_links = kept.shape
    brk = np.ones((n_lines, n_links), dtype=bool)
    brk[:, 1:] = ~kept[:, :-1] | (rng.random((n_lines, n_links - 1)) < split)
    start = kept & brk
    way = np.cumsum(start.ravel()) - 1
    return np.where(kept.ravel(), way, -1).reshape(n_lines, n_links)


def grid_ways(
    n_nodes: int,
    *,
    seed: int = 0,
    lon0: float = 111.1,
    lat0: float = 37.5,
    spacing_m: float = 250.0,
    drop: float = 0.15,
    split: float = 0.25,
) -> dict[str, np.ndarray]:
    """Arrays of a synthetic road network of about ``n_nodes`` graph nodes (vectorised).

    Grid points ``spacing_m`` metres apart (perturbed by up to 0.3 spacing) around
    ``lon0``/``lat0`` (degrees, EPSG:4326; laid out in EPSG:4546 metres) are linked along
    rows and columns; a share ``drop`` of the links is missing. Each link has 0-3 interior
    vertices on a gentle arc. Consecutive links form ways, broken at missing links and at
    random grid points.

    Returns
    -------
    dict of str to numpy.ndarray
        ``node_id``, ``lon``, ``lat`` (every OSM node, sorted by id), ``way_nodes`` (node ids
        of all ways concatenated), ``way_offsets`` (start of each way in ``way_nodes``, with
        a final end), ``highway``, ``oneway`` (``""``, ``"yes"`` or ``"-1"``), ``tracktype``
        and ``access`` (``""`` or ``"no"`` for ``motor_vehicle``) per way.
    """
    rng = np.random.default_rng(seed)
    side = max(int(np.ceil(np.sqrt(n_nodes))), 2)
    to_m = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4546", always_xy=True)
    to_ll = pyproj.Transformer.from_crs("EPSG:4546", "EPSG:4326", always_xy=True)
    x0, y0 = to_m.transform(lon0, lat0)
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    gx = x0 + ii.ravel() * spacing_m + rng.uniform(-0.3, 0.3, side * side) * spacing_m
    gy = y0 + jj.ravel() * spacing_m + rng.uniform(-0.3, 0.3, side * side) * spacing_m
    grid = np.arange(side * side, dtype=np.int64).reshape(side, side)  # grid[i, j]
    # links along rows (i varies) and along columns (j varies): (lines, links) of node indices
    rows_a, rows_b = grid[:-1, :].T, grid[1:, :].T
    cols_a, cols_b = grid[:, :-1], grid[:, 1:]
    parts = []
    n_ways = 0
    for a, b in ((rows_a, rows_b), (cols_a, cols_b)):
        kept = rng.random(a.shape) >= drop
        way = _runs(kept, rng, split)
        sel = way.ravel() >= 0
        parts.append((a.ravel()[sel], b.ravel()[sel], way.ravel()[sel] + n_ways))
        n_ways += int(way.max()) + 1
    la = np.concatenate([p[0] for p in parts])
    lb = np.concatenate([p[1] for p in parts])
    lway = np.concatenate([p[2] for p in parts])  # links are in way order already
    n_links = len(la)
    k = rng.choice(4, n_links, p=[0.3, 0.35, 0.2, 0.15])  # interior vertices per link
    amp = rng.uniform(-0.12, 0.12, n_links) * spacing_m
    # interior vertices: fraction t along the link, offset on a sine arc across it
    link_of = np.repeat(np.arange(n_links), k)
    step = np.arange(len(link_of)) - np.repeat(np.cumsum(k) - k, k) + 1
    t = step / (k[link_of] + 1.0)
    dx, dy = gx[lb] - gx[la], gy[lb] - gy[la]
    norm = np.hypot(dx, dy)
    px, py = -dy / norm, dx / norm
    off = amp[link_of] * np.sin(np.pi * t)
    ix = gx[la[link_of]] + t * dx[link_of] + off * px[link_of]
    iy = gy[la[link_of]] + t * dy[link_of] + off * py[link_of]
    interior_id = side * side + np.arange(len(link_of), dtype=np.int64)
    # node list of each way: first link's start, then per link its interior vertices and end
    first = np.ones(n_links, dtype=bool)
    first[1:] = lway[1:] != lway[:-1]
    per_link = first.astype(np.int64) + k + 1
    link_start = np.cumsum(per_link) - per_link
    tokens = np.empty(int(per_link.sum()), dtype=np.int64)
    tokens[link_start[first]] = la[first]
    tokens[link_start + per_link - 1] = lb
    tokens[link_start[link_of] + first[link_of] + step - 1] = interior_id
    way_start_tok = link_start[first]
    way_offsets = np.r_[way_start_tok, len(tokens)]
    used = np.zeros(side * side + len(link_of), dtype=bool)
    used[tokens] = True
    ax = np.r_[gx, ix]
    ay = np.r_[gy, iy]
    lon, lat = to_ll.transform(ax, ay)
    node_idx = np.flatnonzero(used)
    highway = CLASSES[rng.choice(len(CLASSES), n_ways, p=_WEIGHTS)]
    r = rng.random(n_ways)
    motor = highway != "path"
    oneway = np.where(motor & (r < 0.05), "yes", np.where(motor & (r > 0.99), "-1", ""))
    tracktype = np.where(highway == "track", _GRADES[rng.integers(0, 5, n_ways)], "")
    access = np.where(rng.random(n_ways) < 0.02, "no", "")
    return {
        "node_id": node_idx + 1,
        "lon": np.round(np.asarray(lon)[node_idx], 7),
        "lat": np.round(np.asarray(lat)[node_idx], 7),
        "way_nodes": tokens + 1,
        "way_offsets": way_offsets,
        "highway": highway,
        "oneway": oneway,
        "tracktype": tracktype,
        "access": access,
    }


def write_grid_osm(
    path: str | Path,
    n_nodes: int,
    *,
    seed: int = 0,
    lon0: float = 111.1,
    lat0: float = 37.5,
    spacing_m: float = 250.0,
) -> Path:
    """Write a deterministic synthetic road file of about ``n_nodes`` graph nodes.

    Parameters
    ----------
    path : str or Path
        Output file (``.osm.pbf``, or any format pyosmium writes); replaced atomically.
    n_nodes : int
        Approximate number of nodes of the road graph (junctions and way ends).
    seed : int
        Random seed; the same arguments give the same file.
    lon0, lat0 : float
        South-west corner in degrees (EPSG:4326).
    spacing_m : float
        Grid spacing in metres.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    g = grid_ways(n_nodes, seed=seed, lon0=lon0, lat0=lat0, spacing_m=spacing_m)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}{''.join(path.suffixes)}")
    tmp.unlink(missing_ok=True)
    node = osmium.osm.mutable.Node
    way = osmium.osm.mutable.Way
    with osmium.SimpleWriter(str(tmp)) as writer:
        for i, x, y in zip(
            g["node_id"].tolist(), g["lon"].tolist(), g["lat"].tolist(), strict=True
        ):
            writer.add_node(node(id=i, location=(x, y)))
        refs = g["way_nodes"].tolist()
        off = g["way_offsets"].tolist()
        cols = zip(
            g["highway"].tolist(),
            g["oneway"].tolist(),
            g["tracktype"].tolist(),
            g["access"].tolist(),
            strict=True,
        )
        for w, (hw, ow, tt, acc) in enumerate(cols):
            tags = {"highway": hw}
            if ow:
                tags["oneway"] = ow
            if tt:
                tags["tracktype"] = tt
            if acc:
                tags["motor_vehicle"] = acc
            writer.add_way(way(id=w + 1, nodes=refs[off[w] : off[w + 1]], tags=tags))
    tmp.replace(path)
    return path
