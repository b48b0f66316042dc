"""Road topology and geometry as arrays, built once per OSM file and shared by every mode."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyproj
import shapely

from lvliang_coverage.inputs.projection import STORAGE_CRS, metric_crs_for
from lvliang_coverage.network._osm import EDGE_TAGS, OsmWays

ROADBASE_VERSION = 1
"""Version of the road-base layout; part of its cache key so old caches are ignored."""

EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius in metres (the value osmnx uses for great-circle lengths)."""


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Great-circle distance in metres between WGS84 points given in degrees.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array_like
        Longitudes and latitudes in degrees (EPSG:4326).

    Returns
    -------
    numpy.ndarray
        Distances in metres.
    """
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2.0) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while millions of geometries are created.

    Shapely geometries hold no reference cycles, but creating millions of them triggers
    collections that scan every live object again and again; pausing the collector makes
    building a province's roads several times faster. It is switched back on afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True, return_counts=True)`` by one stable sort."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.ones(len(ordered), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    return ordered[starts], inverse, np.diff(np.r_[starts, len(ordered)])


def oneway_flags(tags: list[dict[str, str]] | tuple[dict[str, str], ...]) -> np.ndarray:
    """Per tag set: 0 two-way, 1 one-way along the node order, -1 one-way against it."""
    out = np.zeros(len(tags), dtype=np.int8)
    for i, t in enumerate(tags):
        value = t.get("oneway", "").lower()
        implied = t.get("junction") in {"roundabout", "circular"}
        if value in {"yes", "true", "1"} or (not value and implied):
            out[i] = 1
        elif value in {"-1", "reverse"}:
            out[i] = -1
    return out


@dataclass
class TagTable:
    """OSM tags of distinct tag sets, read as arrays (what speed and access rules read).

    Attributes
    ----------
    sets : tuple of dict
        The tag sets.
    highway, tracktype : numpy.ndarray
        Their ``highway`` and ``tracktype`` values (object arrays, None where absent).
    """

    sets: tuple[dict[str, str], ...]
    highway: np.ndarray = field(init=False)
    tracktype: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.highway = np.array([t.get("highway") for t in self.sets] + [None], dtype=object)[:-1]
        self.tracktype = np.array([t.get("tracktype") for t in self.sets] + [None], dtype=object)[
            :-1
        ]

    def tag(self, key: str) -> np.ndarray:
        """Values of a tag, lower-case and stripped; ``""`` where a set lacks it."""
        out = np.empty(len(self.sets), dtype=object)
        out[:] = [str(t.get(key, "")).strip().lower() for t in self.sets]
        return out


@dataclass
class RoadBase:
    """Road pieces between junctions of one OSM file: topology, lengths, tags and lines.

    A piece is a stretch of one way between two graph nodes (junctions and way ends), as in
    the simplified osmnx graph; every piece is stored from its lower node index to its higher
    one (``u <= v``; rings ``u == v`` keep the way's order), and ``swapped`` says where that
    runs against the way. Every travel mode's network reads these arrays without copying them.

    Attributes
    ----------
    node_ids : numpy.ndarray
        OSM node ids of the graph nodes, sorted (int64); position = node index.
    x, y : numpy.ndarray
        Node longitude/latitude in degrees (EPSG:4326).
    u, v : numpy.ndarray
        Node indices at the two ends of every piece (``u <= v`` except rings).
    length : numpy.ndarray
        Great-circle length in metres along the way's vertices.
    oneway : numpy.ndarray
        int8: 0 two-way, 1 one-way from u to v, -1 one-way from v to u.
    swapped : numpy.ndarray
        Bool: the piece runs against its way's node order.
    way_id : numpy.ndarray
        OSM way id of every piece.
    tag_code : numpy.ndarray
        Index of every piece's tags in ``tags.sets``.
    tags : TagTable
        The distinct tag sets.
    lines : numpy.ndarray of LineString
        Geometry from u to v in EPSG:4326 (degrees), straight where the way has no vertex
        in between.
    metric_crs : str
        Metric CRS chosen for the extent of the nodes.
    source_file : str
        Name of the OSM file.
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    oneway: np.ndarray
    swapped: np.ndarray
    way_id: np.ndarray
    tag_code: np.ndarray
    tags: TagTable
    lines: np.ndarray
    metric_crs: str
    source_file: str = ""
    _metric: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _ends: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_ways(cls, ways: OsmWays, source_file: str = "") -> RoadBase:
        """Split ways at junctions (nodes shared by several ways or repeated) and at their ends.

        Parameters
        ----------
        ways : OsmWays
            Ways read by :func:`lvliang_coverage.network._osm.read_osm_ways`.
        source_file : str
            Name of the OSM file, kept for the graph attributes.

        Returns
        -------
        RoadBase
            The pieces (vectorised: no Python runs per way or vertex).
        """
        refs, lon, lat, way_of = ways.refs, ways.lon, ways.lat, ways.way_of
        n = len(refs)
        # drop a vertex repeating the previous one of the same way
        keep = np.ones(n, dtype=bool)
        keep[1:] = ~((refs[1:] == refs[:-1]) & (way_of[1:] == way_of[:-1]))
        refs, lon, lat, way_of = refs[keep], lon[keep], lat[keep], way_of[keep]
        n = len(refs)
        first = np.ones(n, dtype=bool)
        first[1:] = way_of[1:] != way_of[:-1]
        last = np.ones(n, dtype=bool)
        last[:-1] = way_of[1:] != way_of[:-1]
        single = first & last  # ways reduced to one vertex are dropped
        node_ids, inverse, counts = _unique(refs)
        junction = (counts[inverse] >= 2) | first | last
        junction &= ~single
        breaks = np.flatnonzero(junction)
        same_way = way_of[breaks[1:]] == way_of[breaks[:-1]]
        start, end = breaks[:-1][same_way], breaks[1:][same_way]
        seg = np.zeros(n)
        seg[:-1] = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
        seg[last] = 0.0
        nvert = end - start + 1
        within = np.arange(nvert.sum()) - np.repeat(np.cumsum(nvert) - nvert, nvert)
        offsets = np.repeat(start, nvert) + within
        piece_of = np.repeat(np.arange(len(start)), nvert)
        seg_of_piece = seg[offsets]
        seg_of_piece[np.cumsum(nvert) - 1] = 0.0
        length = np.bincount(piece_of, weights=seg_of_piece, minlength=len(start))
        # graph nodes: the junctions, numbered in id order
        is_node = np.zeros(len(node_ids), dtype=bool)
        is_node[inverse[breaks]] = True
        graph_nodes = np.flatnonzero(is_node)
        at = np.empty(len(node_ids), dtype=np.int64)
        at[graph_nodes] = np.arange(len(graph_nodes))
        a, b = at[inverse[start]], at[inverse[end]]
        swapped = a > b
        # store every piece from its lower node: reverse the vertex order of swapped pieces
        rev = np.repeat(swapped, nvert)
        offsets = np.where(rev, np.repeat(start + end, nvert) - offsets, offsets)
        coords = np.column_stack((lon[offsets], lat[offsets]))
        with no_gc():
            lines = np.asarray(shapely.linestrings(coords, indices=piece_of), dtype=object)
        del coords
        vertex_at = np.zeros(len(node_ids), dtype=np.int64)
        vertex_at[inverse[breaks]] = breaks  # any vertex of a node: all share its location
        pos = vertex_at[graph_nodes]
        way_idx = way_of[start]
        tag_code = ways.tag_code[way_idx]
        oneway = oneway_flags(ways.tag_sets)[tag_code]
        oneway = np.where(swapped, -oneway, oneway).astype(np.int8)
        x, y = lon[pos], lat[pos]
        metric = metric_crs_for((x.min() + x.max()) / 2.0, (y.min() + y.max()) / 2.0)
        return cls(
            node_ids=node_ids[graph_nodes],
            x=x,
            y=y,
            u=np.minimum(a, b),
            v=np.maximum(a, b),
            length=length,
            oneway=oneway,
            swapped=swapped,
            way_id=ways.way_ids[way_idx],
            tag_code=tag_code,
            tags=TagTable(tuple(ways.tag_sets)),
            lines=lines,
            metric_crs=metric,
            source_file=source_file,
        )

    # ------------------------------------------------------------------ views
    @property
    def n_nodes(self) -> int:
        """Number of graph nodes."""
        return len(self.node_ids)

    @property
    def n_pieces(self) -> int:
        """Number of road pieces (undirected)."""
        return len(self.u)

    @property
    def n_directed_edges(self) -> int:
        """Edges of the equivalent directed graph: two per two-way piece, one per one-way."""
        return int(np.count_nonzero(self.oneway == 0)) + self.n_pieces

    def n_components(self) -> int:
        """Weakly connected parts of the road graph (isolated nodes count one each)."""
        from scipy.sparse import coo_matrix  # noqa: PLC0415
        from scipy.sparse.csgraph import connected_components  # noqa: PLC0415

        n = self.n_nodes
        adj = coo_matrix((np.ones(self.n_pieces), (self.u, self.v)), shape=(n, n))
        return int(connected_components(adj, directed=False)[0])

    def piece_tags(self, key: str) -> np.ndarray:
        """Values of a tag per piece, lower-case and stripped; ``""`` where absent."""
        return self.tags.tag(key)[self.tag_code]

    @property
    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Second and second-to-last vertex of every line (EPSG:4326 degrees, (n, 2) each)."""
        if self._ends is None:
            counts = shapely.get_num_coordinates(self.lines)
            coords = shapely.get_coordinates(self.lines)
            first = np.cumsum(counts) - counts
            self._ends = (coords[first + 1], coords[first + counts - 2])
        return self._ends

    def metric(self) -> tuple[np.ndarray, np.ndarray]:
        """Lines and node coordinates in :attr:`metric_crs` (metres), computed once.

        Returns
        -------
        (numpy.ndarray of LineString, numpy.ndarray)
            The pieces' lines from u to v and the (n_nodes, 2) node coordinates.
        """
        if self._metric is None:
            tr = pyproj.Transformer.from_crs(STORAGE_CRS, self.metric_crs, always_xy=True)

            def to_metric(c: np.ndarray) -> np.ndarray:
                return np.column_stack(tr.transform(c[:, 0], c[:, 1]))

            # the same coordinates as shapely.transform(lines, to_metric), built in one call
            counts = shapely.get_num_coordinates(self.lines)
            coords = to_metric(shapely.get_coordinates(self.lines))
            index = np.repeat(np.arange(len(counts)), counts)
            with no_gc():
                lines = np.asarray(shapely.linestrings(coords, indices=index), dtype=object)
            self._metric = (lines, np.column_stack(tr.transform(self.x, self.y)))
        return self._metric

    # ------------------------------------------------------------------ networkx and layers
    def _directed(self) -> tuple[np.ndarray, np.ndarray]:
        """Directed edges of the graph in its insertion order: piece index, along the way."""
        way_fwd = np.where(self.swapped, -self.oneway, self.oneway)
        has = np.column_stack((way_fwd >= 0, way_fwd <= 0)).ravel()
        piece = np.repeat(np.arange(self.n_pieces), 2)[has]
        along = np.tile([True, False], self.n_pieces)[has]
        return piece, along

    def to_networkx(self) -> nx.MultiDiGraph:
        """Build the osmnx-compatible graph that ``graph_from_osm`` returns for the same file.

        Returns
        -------
        networkx.MultiDiGraph
            Nodes with ``x``/``y`` (degrees), edges with ``osmid``, ``highway``, ``length``
            (metres), ``oneway``, ``reversed``, the OSM tags and a ``geometry`` (EPSG:4326)
            where the piece has interior vertices; two-way pieces in both directions.
        """
        graph = nx.MultiDiGraph(crs=STORAGE_CRS, simplified=True, created_with="lvliang-coverage")
        if self.source_file:
            graph.graph["source_file"] = self.source_file
        ids = self.node_ids.tolist()
        graph.add_nodes_from(
            (i, {"x": x, "y": y})
            for i, x, y in zip(ids, self.x.tolist(), self.y.tolist(), strict=True)
        )
        edge_tags = [
            {k: t[k] for k in EDGE_TAGS if k in t} | {"highway": t["highway"]}
            for t in self.tags.sets
        ]
        piece, along = self._directed()
        way_u = np.where(self.swapped, self.v, self.u)[piece]
        way_v = np.where(self.swapped, self.u, self.v)[piece]
        src = np.where(along, way_u, way_v)
        dst = np.where(along, way_v, way_u)
        has_geom = shapely.get_num_coordinates(self.lines[piece]) > 2
        flip = along == self.swapped[piece]  # the stored line runs against this edge
        geoms = np.full(len(piece), None, dtype=object)
        keep = np.flatnonzero(has_geom & ~flip)
        geoms[keep] = self.lines[piece[keep]]
        turn = np.flatnonzero(has_geom & flip)
        geoms[turn] = shapely.reverse(self.lines[piece[turn]])
        two_way = (self.oneway == 0)[piece]
        node = self.node_ids
        rows = zip(
            node[src].tolist(),
            node[dst].tolist(),
            self.way_id[piece].tolist(),
            self.tag_code[piece].tolist(),
            self.length[piece].tolist(),
            two_way.tolist(),
            along.tolist(),
            geoms.tolist(),
            strict=True,
        )

        def edges() -> Any:
            for a, b, way, code, length_m, both, fwd, g in rows:
                attrs = {"osmid": way, "length": length_m, "oneway": not both, **edge_tags[code]}
                attrs["reversed"] = both and not fwd
                if g is not None:
                    attrs["geometry"] = g
                yield a, b, attrs

        graph.add_edges_from(edges())
        return graph

    def edge_layer(self) -> Any:
        """Roads for maps, one row per piece (osmnx's non-reversed edges, in graph order).

        Returns
        -------
        geopandas.GeoDataFrame
            ``highway`` and ``geometry`` (EPSG:4326) in the order and orientation of
            ``osmnx.graph_to_gdfs(graph, nodes=False)`` without its ``reversed`` rows.
        """
        import geopandas as gpd  # noqa: PLC0415

        piece, along = self._directed()
        way_fwd = np.where(self.swapped, -self.oneway, self.oneway)[piece]
        # osmnx drops the edges flagged reversed: the second direction of two-way pieces
        shown = along | (way_fwd < 0)
        order = self._graph_order(piece, along)
        order = order[shown[order]]
        piece, along = piece[order], along[order]
        flip = along == self.swapped[piece]
        geoms = self.lines[piece].copy()
        turn = np.flatnonzero(flip)
        geoms[turn] = shapely.reverse(geoms[turn])
        return gpd.GeoDataFrame(
            {"highway": self.tags.highway[self.tag_code[piece]]},
            geometry=geoms,
            crs=STORAGE_CRS,
        )

    def _graph_order(self, piece: np.ndarray, along: np.ndarray) -> np.ndarray:
        """Order of the directed edges in ``graph.edges(keys=True)`` (adjacency order)."""
        way_u = np.where(self.swapped, self.v, self.u)[piece]
        way_v = np.where(self.swapped, self.u, self.v)[piece]
        src = np.where(along, way_u, way_v)
        dst = np.where(along, way_v, way_u)
        seq = np.arange(len(piece))
        # a neighbour's place in a node's adjacency is that of its first edge
        pair = src.astype(np.int64) * self.n_nodes + dst
        _, first_idx, inv = np.unique(pair, return_index=True, return_inverse=True)
        return np.lexsort((seq, first_idx[inv], src))

    # ------------------------------------------------------------------ disk cache
    def save(self, path: Path) -> None:
        """Write the arrays to an ``.npz`` file (lines as coordinates and offsets)."""
        coords = shapely.get_coordinates(self.lines)
        counts = shapely.get_num_coordinates(self.lines)
        meta = {
            "version": ROADBASE_VERSION,
            "metric_crs": self.metric_crs,
            "source_file": self.source_file,
            "tag_sets": list(self.tags.sets),
        }
        with path.open("wb") as fh:
            np.savez(
                fh,
                node_ids=self.node_ids,
                x=self.x,
                y=self.y,
                u=self.u,
                v=self.v,
                length=self.length,
                oneway=self.oneway,
                swapped=self.swapped,
                way_id=self.way_id,
                tag_code=self.tag_code,
                coords=coords,
                counts=counts,
                meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            )

    @classmethod
    def load(cls, path: Path) -> RoadBase | None:
        """Read a file of :meth:`save`; None when it is of another version or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(data["meta"].tobytes().decode())
                if meta.get("version") != ROADBASE_VERSION:
                    return None
                arrays = {k: data[k] for k in data.files if k != "meta"}
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            return None
        counts = arrays.pop("counts")
        coords = arrays.pop("coords")
        index = np.repeat(np.arange(len(counts)), counts)
        with no_gc():
            lines = np.asarray(shapely.linestrings(coords, indices=index), dtype=object)
        return cls(
            **arrays,
            tags=TagTable(tuple(meta["tag_sets"])),
            lines=lines,
            metric_crs=meta["metric_crs"],
            source_file=meta["source_file"],
        )
