"""Flatten a road graph's nodes and edges into numpy arrays (one pass over networkx)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pyproj
import shapely

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS


@dataclass
class EdgeArrays:
    """Nodes and directed edges of a graph as arrays (coordinates in EPSG:4326 degrees).

    Attributes
    ----------
    node_ids : numpy.ndarray
        Graph node ids (object or int64), position = node index.
    x, y : numpy.ndarray
        Node longitude/latitude in degrees.
    u, v : numpy.ndarray
        Node indices of every edge, in ``graph.edges(keys=True)`` order.
    key : numpy.ndarray
        Edge keys.
    length : numpy.ndarray
        Edge ``length`` in metres.
    highway, tracktype : numpy.ndarray
        OSM classes (object arrays; the first value when osmnx stored a list; None if absent).
    oneway : numpy.ndarray
        Boolean ``oneway`` flags.
    geometry : numpy.ndarray
        LineStrings from u to v (EPSG:4326); straight lines where the edge had none.
    elevation : numpy.ndarray or None
        Node elevations in metres when every node has ``elevation``.
    attrs : tuple of dict
        The edge attribute dicts, for tags read on demand (:meth:`tag`).
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    key: np.ndarray
    length: np.ndarray
    highway: np.ndarray
    tracktype: np.ndarray
    oneway: np.ndarray
    geometry: np.ndarray
    elevation: np.ndarray | None
    attrs: tuple[dict[str, Any], ...] = ()

    def tag(self, key: str) -> np.ndarray:
        """Values of an edge tag, lower-case and stripped; ``""`` where the edge lacks it.

        Parameters
        ----------
        key : str
            Attribute name, e.g. ``"access"`` or ``"motorcar"``.

        Returns
        -------
        numpy.ndarray
            Object array in edge order (the first value where osmnx merged a list).
        """
        out = np.full(len(self.highway), "", dtype=object)
        if self.attrs:
            out[:] = [_norm(d.get(key)) for d in self.attrs]
        return out


def _norm(value: Any) -> str:
    value = _first(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip().lower()


def _first(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _truthy(value: Any) -> bool:
    value = _first(value)
    if isinstance(value, str):
        return value.lower() in {"yes", "true", "1", "-1"}
    return bool(value)


def edge_arrays(graph: nx.MultiDiGraph) -> EdgeArrays:
    """Extract node and edge arrays from an osmnx-style graph.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Road graph; nodes need ``x``/``y`` and edges ``length`` (metres). A graph in another
        CRS (graph attribute ``crs``) is converted to EPSG:4326 coordinates.

    Returns
    -------
    EdgeArrays
        The arrays.

    Raises
    ------
    InputError
        When the graph is empty or lacks coordinates or lengths.
    """
    if graph.number_of_nodes() == 0:
        msg = "路网没有路段 / the road graph has no edges"
        raise InputError(msg)
    node_list = list(graph.nodes)
    try:
        x = np.fromiter((graph.nodes[n]["x"] for n in node_list), float, len(node_list))
        y = np.fromiter((graph.nodes[n]["y"] for n in node_list), float, len(node_list))
    except KeyError as exc:
        msg = (
            "路网的每个节点都需要 'x' 和 'y' 坐标 / every graph node needs 'x' and 'y' coordinates"
        )
        raise InputError(msg, column=str(exc)) from exc
    elev = [graph.nodes[n].get("elevation") for n in node_list]
    elevation = None
    if all(e is not None for e in elev):
        elevation = np.asarray(elev, dtype=float)
    node_ids = np.empty(len(node_list), dtype=object)
    node_ids[:] = node_list
    if all(isinstance(n, int | np.integer) for n in node_list):
        node_ids = node_ids.astype(np.int64)
    index = {n: i for i, n in enumerate(node_list)}
    # iterate the adjacency dicts directly: several times faster than the edge view
    data = [
        (a, b, k, d)
        for a, nbrs in graph._adj.items()
        for b, kd in nbrs.items()
        for k, d in kd.items()
    ]
    if not data:
        msg = "路网没有路段 / the road graph has no edges"
        raise InputError(msg)
    us, vs, keys, attrs = zip(*data, strict=True)
    u = np.array([index[a] for a in us], dtype=np.int64)
    v = np.array([index[b] for b in vs], dtype=np.int64)
    key = np.array(keys)
    try:
        length = np.array([d["length"] for d in attrs], dtype=float)
    except KeyError as exc:
        msg = "路网的每条路段都需要以米计的 'length' / every graph edge needs a 'length' in metres"
        raise InputError(msg, column="length") from exc
    highway = np.array([d.get("highway") for d in attrs] + [None], dtype=object)[:-1]
    tracktype = np.array([d.get("tracktype") for d in attrs] + [None], dtype=object)[:-1]
    for col in (highway, tracktype):  # osmnx keeps a list where merged edges differ
        listed = np.flatnonzero([isinstance(h, list | tuple) for h in col])
        col[listed] = [_first(h) for h in col[listed]]
    raw_oneway = [d.get("oneway", False) for d in attrs]
    oneway = np.array([o if isinstance(o, bool) else _truthy(o) for o in raw_oneway], dtype=bool)
    geometry = np.array([d.get("geometry") for d in attrs] + [None], dtype=object)[:-1]
    given = np.array([g is not None for g in geometry], dtype=bool)
    crs = graph.graph.get("crs", STORAGE_CRS)
    if pyproj.CRS(crs) != pyproj.CRS(STORAGE_CRS):
        tr = pyproj.Transformer.from_crs(crs, STORAGE_CRS, always_xy=True)
        x, y = tr.transform(x, y)
        if given.any():
            geometry[given] = shapely.transform(
                geometry[given].astype(object),
                lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])),
            )
    missing = ~given
    if missing.any():
        idx = np.flatnonzero(missing)
        pts = np.empty((len(idx), 2, 2))
        pts[:, 0, 0], pts[:, 0, 1] = x[u[idx]], y[u[idx]]
        pts[:, 1, 0], pts[:, 1, 1] = x[v[idx]], y[v[idx]]
        geometry[idx] = shapely.linestrings(pts)
    geometry = geometry.astype(object)
    # orient every given geometry from u to v (the straight ones are built so)
    gi = np.flatnonzero(given)
    if len(gi):
        start = shapely.get_coordinates(shapely.get_point(geometry[gi], 0))
        d_u = (start[:, 0] - x[u[gi]]) ** 2 + (start[:, 1] - y[u[gi]]) ** 2
        d_v = (start[:, 0] - x[v[gi]]) ** 2 + (start[:, 1] - y[v[gi]]) ** 2
        flip = gi[d_v < d_u]
        if len(flip):
            geometry[flip] = shapely.reverse(geometry[flip])
    return EdgeArrays(
        node_ids=node_ids,
        x=np.asarray(x),
        y=np.asarray(y),
        u=u,
        v=v,
        key=key,
        length=length,
        highway=highway,
        tracktype=tracktype,
        oneway=oneway,
        geometry=geometry,
        elevation=elevation,
        attrs=tuple(attrs),
    )
