"""Export road graphs: GraphML, and GeoPackage layers with per-mode edge travel times."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import numpy as np

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.network.terrain import DEM
from lvliang_coverage.network.travel import graph_edge_times


def save_graphml(
    graph: nx.MultiDiGraph,
    path: str | Path,
    *,
    mode_times: Iterable[str] | None = None,
    rules: Rules | None = None,
    dem: str | Path | DEM | None = None,
) -> Path:
    """Write the graph as GraphML (osmnx format; reload with ``osmnx.load_graphml``).

    Every edge carries ``length`` (metres) and ``time_<mode>_s`` (seconds along the edge's
    direction, ``nan`` where the mode may not use it) for each mode in ``mode_times``, the
    same values as the ``edges`` layer of :func:`save_geopackage`. osmnx writes every
    attribute as text; read the times back with ``float``, e.g.
    ``osmnx.load_graphml(path, edge_dtypes={"time_walk_s": float})``.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Road graph (coordinates in the graph's ``crs``, EPSG:4326 by default); not modified.
    path : str or Path
        Output file.
    mode_times : iterable of str, optional
        Travel modes to add times for; default every mode in the rules.
    rules : Rules, optional
        Rules in force.
    dem : path or terrain.DEM, optional
        Elevation model for grade-dependent times.

    Returns
    -------
    Path
        The file written.
    """
    import osmnx as ox  # noqa: PLC0415 - heavy import, only needed to export

    rules = rules or load_rules()
    modes = tuple(mode_times) if mode_times is not None else rules.modes
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = graph.copy()
    edges = list(out.edges(keys=True))
    for col, seconds in edge_time_columns(graph, modes, rules=rules, dem=dem).items():
        nx.set_edge_attributes(out, dict(zip(edges, seconds.tolist(), strict=True)), col)
    ox.save_graphml(out, filepath=path)
    return path


def edge_time_columns(
    graph: nx.MultiDiGraph,
    modes: Iterable[str],
    *,
    rules: Rules | None = None,
    dem: str | Path | DEM | None = None,
) -> dict[str, np.ndarray]:
    """Travel-time columns ``time_<mode>_s`` for the edges of a graph.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Road graph.
    modes : iterable of str
        Travel modes.
    rules : Rules, optional
        Rules in force.
    dem : path or DEM, optional
        Elevation model for grade-dependent times (metres).

    Returns
    -------
    dict of str to numpy.ndarray
        Seconds along each edge's u->v direction, in ``graph.edges(keys=True)`` order; NaN
        where the mode may not use the edge.
    """
    return {f"time_{mode}_s": graph_edge_times(graph, mode, rules=rules, dem=dem) for mode in modes}


def save_geopackage(
    graph: nx.MultiDiGraph,
    path: str | Path,
    *,
    mode_times: Iterable[str] | None = None,
    rules: Rules | None = None,
    dem: str | Path | DEM | None = None,
) -> Path:
    """Write the graph as a GeoPackage with ``nodes`` and ``edges`` layers (EPSG:4326).

    Every edge carries ``length`` (metres) and ``time_<mode>_s`` (seconds along the edge's
    direction, NaN where the mode may not use it) for each mode in ``mode_times``.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        Road graph.
    path : str or Path
        Output ``.gpkg`` file (overwritten).
    mode_times : iterable of str, optional
        Travel modes to add times for; default every mode in the rules.
    rules : Rules, optional
        Rules in force.
    dem : path or terrain.DEM, optional
        Elevation model for grade-dependent times.

    Returns
    -------
    Path
        The file written.
    """
    import osmnx as ox  # noqa: PLC0415 - heavy import, only needed to export

    rules = rules or load_rules()
    modes = tuple(mode_times) if mode_times is not None else rules.modes
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nodes, edges = ox.graph_to_gdfs(graph)
    edges = edges.reset_index()
    for col, seconds in edge_time_columns(graph, modes, rules=rules, dem=dem).items():
        edges[col] = seconds
    for frame in (nodes, edges):
        for col in frame.columns:
            if col != "geometry" and frame[col].dtype == object:
                frame[col] = frame[col].map(
                    lambda x: ";".join(map(str, x)) if isinstance(x, list) else x
                )
    if path.exists():
        path.unlink()
    nodes.reset_index().to_file(path, layer="nodes", driver="GPKG")
    edges.to_file(path, layer="edges", driver="GPKG")
    return path
