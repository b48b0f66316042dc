"""Road graphs: build osmnx-compatible graphs from OpenStreetMap files and cache them."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import socket
import tempfile
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError, OfflineError
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.network._osm import EDGE_TAGS, read_osm_ways

BUILDER_VERSION = 2
"""Version of the graph builder; part of the cache key so old caches are ignored.

2: edges keep the access tags (``access``, ``foot``, ``vehicle``, ``motor_vehicle``,
``motorcar``, ``motorcycle``); ``junction=circular`` is one-way like a roundabout.
"""

EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius in metres (the value osmnx uses for great-circle lengths)."""

_OFFLINE_HINT = (
    "请改为离线构建路网：在联网的电脑上从 openstreetmap.org 导出 .osm 文件或下载 "
    ".osm.pbf 分区数据，再用 --roads FILE 给出 / "
    "Build the graph offline instead: export an .osm file from openstreetmap.org or download an "
    ".osm.pbf extract (e.g. Geofabrik's China/Shanxi extract) on a connected machine, then use "
    "lvliang_coverage.network.graph.graph_from_osm(path) (CLI: --roads FILE)."
)


class CacheWarning(UserWarning):
    """The graph cache folder is not usable: a temporary folder or no cache is used instead."""


def default_cache_dir() -> Path:
    """Folder for cached graphs: ``$XDG_CACHE_HOME/lvliang-coverage`` or ``~/.cache/...``.

    Returns
    -------
    Path
        The cache folder (not created); the temporary fallback folder when there is no home.
    """
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no HOME and no password entry
            return _fallback_cache_dir()
    return Path(base) / "lvliang-coverage"


def _fallback_cache_dir() -> Path:
    """Per-user folder in the system temporary folder (a shared place: owner-only access)."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"lvliang-coverage-{uid}"


def _writable_dir(folder: Path, *, private: bool) -> bool:
    """Create ``folder`` if needed and tell whether this process may write there.

    With ``private`` (a folder in a shared temporary directory) it must also belong to this
    user and be closed to others, since cached graphs are unpickled.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if private and hasattr(os, "getuid"):
            st = folder.stat()
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return False
    except OSError:
        return False
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def _usable_cache_dir(preferred: Path) -> Path | None:
    """``preferred`` when writable, else the temporary fallback (with a warning), else None."""
    if _writable_dir(preferred, private=False):
        return preferred
    fallback = _fallback_cache_dir()
    if fallback != preferred and _writable_dir(fallback, private=True):
        _cache_warning(
            f"路网缓存目录不可写，改用临时目录 / the graph cache folder {preferred} is not "
            f"writable; using {fallback} instead"
        )
        return fallback
    _cache_warning(
        f"路网缓存目录不可写，不使用缓存 / the graph cache folder {preferred} is not writable "
        "and no temporary folder is either; the road file is read without a cache"
    )
    return None


def _cache_warning(msg: str) -> None:
    warnings.warn(msg, CacheWarning, stacklevel=4)


def road_classes(rules: Rules | None = None) -> tuple[str, ...]:
    """OSM ``highway`` classes any configured travel mode may use.

    Parameters
    ----------
    rules : Rules, optional
        Rules in force; the shipped defaults when omitted.

    Returns
    -------
    tuple of str
        Sorted highway classes: the walking classes plus every class with a motor speed.
    """
    rules = rules or load_rules()
    classes: set[str] = set()
    for table in rules.speeds.values():
        classes.update(table.get("highways", ()))
        classes.update(k for k, v in table.items() if isinstance(v, int | float) and v > 0)
    classes -= {"flat_kmh", "steep_grade", "steep_factor"}
    return tuple(sorted(classes))


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


def _file_key(path: Path, settings: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    digest.update(json.dumps(dict(settings), sort_keys=True).encode())
    return digest.hexdigest()[:40]


def graph_from_osm(
    path: str | Path,
    *,
    highways: Iterable[str] | None = None,
    rules: Rules | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: bool = False,
) -> nx.MultiDiGraph:
    """Build a simplified, osmnx-compatible road graph from an OpenStreetMap file.

    Reads OSM XML (``.osm``, ``.osm.bz2``, ``.osm.gz``) or PBF (``.osm.pbf``) with pyosmium and
    keeps the ``highway=*`` ways whose class some travel mode may use. Ways are split at
    junctions (nodes shared by several ways, or repeated in a way) and at their ends; the
    vertices in between become the edge ``geometry``, as osmnx's simplification does.

    Parameters
    ----------
    path : str or Path
        The OpenStreetMap file.
    highways : iterable of str, optional
        Highway classes to keep; default :func:`road_classes` of ``rules``.
    rules : Rules, optional
        Rules in force (for the default highway classes).
    cache_dir : str or Path, optional
        Folder for the cached graph; default :func:`default_cache_dir`. The cache key is a hash
        of the file bytes and the settings, so an edited file is parsed again. When the folder
        cannot be written, a per-user folder in the temporary directory is used instead, or
        no cache, with a :class:`CacheWarning`.
    use_cache : bool, default True
        Read and write the cache.
    progress : bool, default False
        Print timings of the steps.

    Returns
    -------
    networkx.MultiDiGraph
        Graph with ``crs="EPSG:4326"``; nodes carry ``x``/``y`` (longitude/latitude, degrees);
        edges carry ``osmid``, ``highway``, ``length`` (metres, great-circle), ``oneway``,
        ``reversed``, OSM tags such as ``name``/``tracktype``/``surface`` and the access tags
        (``access``, ``foot``, ``vehicle``, ``motor_vehicle``, ``motorcar``, ``motorcycle``;
        see :func:`lvliang_coverage.network.speeds.access_allowed`) when present, and a
        ``geometry`` LineString (EPSG:4326) when the edge has interior vertices. Two-way roads
        have an edge in each direction.

    Raises
    ------
    InputError
        When the file is missing or unreadable, or holds no usable road.
    """
    path = Path(path)
    if not path.is_file():
        msg = "找不到 OpenStreetMap 路网文件 / OpenStreetMap file not found"
        raise InputError(msg, file=path)
    classes = tuple(sorted(set(highways))) if highways is not None else road_classes(rules)
    settings = {"highways": classes, "builder": BUILDER_VERSION}
    t0 = time.perf_counter()
    cache_file: Path | None = None
    folder = None
    if use_cache:
        folder = _usable_cache_dir(
            Path(cache_dir) if cache_dir is not None else default_cache_dir()
        )
    if folder is not None:
        cache_file = folder / f"graph-{_file_key(path, settings)}.pickle"
        if cache_file.is_file():
            try:
                with cache_file.open("rb") as fh:
                    graph = pickle.load(fh)  # noqa: S301 - our own cache file
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                graph = None
            if isinstance(graph, nx.MultiDiGraph):
                if progress:
                    print(
                        f"graph loaded from cache {cache_file} in {time.perf_counter() - t0:.1f} s"
                    )
                return graph
    try:
        ways = read_osm_ways(path, set(classes))
    except RuntimeError as exc:
        msg = f"无法读取 OpenStreetMap 路网文件 / cannot read OpenStreetMap file: {exc}"
        raise InputError(msg, file=path) from exc
    if progress:
        print(f"parsed {len(ways.way_ids)} ways in {time.perf_counter() - t0:.1f} s")
    if len(ways.way_ids) == 0:
        msg = "文件中没有可用的道路（highway=*） / no usable highway=* ways in the file"
        raise InputError(msg, file=path)
    graph = _build_graph(ways)
    graph.graph["source_file"] = path.name
    if progress:
        print(
            f"built graph with {graph.number_of_nodes()} nodes and {graph.number_of_edges()} edges "
            f"in {time.perf_counter() - t0:.1f} s"
        )
    if cache_file is not None:
        _write_cache(cache_file, graph)
    return graph


def _write_cache(cache_file: Path, graph: nx.MultiDiGraph) -> None:
    """Write the cache atomically; on any OS error (disk full, ...) warn and keep no file."""
    tmp = cache_file.with_suffix(f".tmp{os.getpid()}")
    try:
        with tmp.open("wb") as fh:
            pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        _cache_warning(
            f"路网缓存写入失败，不使用缓存 / could not write the graph cache {cache_file} "
            f"({exc.strerror or exc}); the graph is used without caching it"
        )


def _oneway_flags(tags: list[dict[str, str]]) -> np.ndarray:
    """Per way: 0 two-way, 1 one-way along the node order, -1 one-way against it."""
    out = np.zeros(len(tags), dtype=np.int8)
    for i, t in enumerate(tags):
        value = t.get("oneway", "").lower()
        implied = t.get("junction") in {"roundabout", "circular"}
        if value in {"yes", "true", "1"} or (not value and implied):
            out[i] = 1
        elif value in {"-1", "reverse"}:
            out[i] = -1
    return out


def _build_graph(ways: Any) -> nx.MultiDiGraph:
    """Split the ways at junctions and assemble the MultiDiGraph (vectorised)."""
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
    _, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    junction = (counts[inverse] >= 2) | first | last
    junction &= ~single
    breaks = np.flatnonzero(junction)
    same_way = way_of[breaks[1:]] == way_of[breaks[:-1]]
    start, end = breaks[:-1][same_way], breaks[1:][same_way]
    seg = np.zeros(n)
    seg[:-1] = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    seg[last] = 0.0
    nvert = end - start + 1
    offsets = np.repeat(start, nvert) + (
        np.arange(nvert.sum()) - np.repeat(np.cumsum(nvert) - nvert, nvert)
    )
    piece_of = np.repeat(np.arange(len(start)), nvert)
    seg_of_piece = seg[offsets]
    seg_of_piece[np.cumsum(nvert) - 1] = 0.0
    length = np.bincount(piece_of, weights=seg_of_piece, minlength=len(start))
    coords = np.column_stack((lon[offsets], lat[offsets]))
    geoms = np.asarray(shapely.linestrings(coords, indices=piece_of), dtype=object)
    rev_geoms = np.asarray(shapely.reverse(geoms), dtype=object)
    way_idx = way_of[start]
    u, v = refs[start], refs[end]
    oneway = _oneway_flags(ways.tags)[way_idx]

    graph = nx.MultiDiGraph(crs=STORAGE_CRS, simplified=True, created_with="lvliang-coverage")
    node_ids = np.unique(np.concatenate((u, v)))
    order = np.argsort(refs[breaks], kind="stable")
    sorted_refs = refs[breaks][order]
    pos = order[np.searchsorted(sorted_refs, node_ids)]
    nx_, ny_ = lon[breaks][pos], lat[breaks][pos]
    graph.add_nodes_from(
        (int(i), {"x": float(x), "y": float(y)})
        for i, x, y in zip(node_ids.tolist(), nx_.tolist(), ny_.tolist(), strict=True)
    )
    edge_tags = [
        {k: t[k] for k in EDGE_TAGS if k in t} | {"highway": t["highway"]} for t in ways.tags
    ]
    way_ids = ways.way_ids.tolist()
    has_geom = (nvert > 2).tolist()

    def edges() -> Iterable[tuple[int, int, dict[str, Any]]]:
        for k, (a, b, w, ow, length_m, g) in enumerate(
            zip(
                u.tolist(),
                v.tolist(),
                way_idx.tolist(),
                oneway.tolist(),
                length.tolist(),
                has_geom,
                strict=True,
            )
        ):
            base = {"osmid": way_ids[w], "length": length_m, "oneway": ow != 0, **edge_tags[w]}
            if ow >= 0:
                attrs = base | {"reversed": False}
                if g:
                    attrs["geometry"] = geoms[k]
                yield a, b, attrs
            if ow <= 0:
                attrs = base | {"reversed": ow == 0}
                if g:
                    attrs["geometry"] = rev_geoms[k]
                yield b, a, attrs

    graph.add_edges_from(edges())
    return graph


def _online(host: str = "overpass-api.de", port: int = 443, timeout_s: float = 1.5) -> bool:
    """Whether ``host:port`` answers within ``timeout_s`` seconds (DNS included)."""
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout_s + 0.5)
    return bool(result and result[0])


def _from_osmnx(func_name: str, *args: Any, **kwargs: Any) -> nx.MultiDiGraph:
    if not _online():
        msg = (
            f"osmnx.{func_name} 需要联网，本机未联网 / "
            f"osmnx.{func_name} needs the internet and this machine is offline. {_OFFLINE_HINT}"
        )
        raise OfflineError(msg)
    import osmnx as ox  # noqa: PLC0415 - only needed online
    import requests  # noqa: PLC0415

    kwargs.setdefault("network_type", "all")
    kwargs.setdefault("simplify", True)
    try:
        graph = getattr(ox, func_name)(*args, **kwargs)
    except (requests.exceptions.RequestException, ConnectionError, TimeoutError) as exc:
        msg = (
            f"osmnx.{func_name} 下载失败 / osmnx.{func_name} failed to download: {exc}. "
            f"{_OFFLINE_HINT}"
        )
        raise OfflineError(msg) from exc
    return graph


def graph_from_place(query: str | dict[str, str], **kwargs: Any) -> nx.MultiDiGraph:
    """Download the road graph of a named place with osmnx (needs the internet).

    Parameters
    ----------
    query : str or dict
        Place name or structured query, e.g. ``"吕梁市, 山西省, 中国"``.
    **kwargs
        Passed to :func:`osmnx.graph_from_place` (default ``network_type="all"``).

    Returns
    -------
    networkx.MultiDiGraph
        The osmnx graph (EPSG:4326, edge ``length`` in metres).

    Raises
    ------
    OfflineError
        At once (about two seconds) when offline; the message names the offline alternatives.
    """
    return _from_osmnx("graph_from_place", query, **kwargs)


def graph_from_polygon(polygon: shapely.Geometry, **kwargs: Any) -> nx.MultiDiGraph:
    """Download the road graph inside a polygon (EPSG:4326) with osmnx (needs the internet).

    Parameters
    ----------
    polygon : shapely Polygon or MultiPolygon
        Area in longitude/latitude degrees (EPSG:4326).
    **kwargs
        Passed to :func:`osmnx.graph_from_polygon` (default ``network_type="all"``).

    Returns
    -------
    networkx.MultiDiGraph
        The osmnx graph.

    Raises
    ------
    OfflineError
        At once when offline; the message names the offline alternatives.
    """
    return _from_osmnx("graph_from_polygon", polygon, **kwargs)
