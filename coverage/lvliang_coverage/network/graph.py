"""Road graphs and road bases: build them from OpenStreetMap files and cache them on disk."""

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
import shapely

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError, OfflineError
from lvliang_coverage.network._osm import read_osm_ways
from lvliang_coverage.network.roadbase import (
    EARTH_RADIUS_M,
    ROADBASE_VERSION,
    RoadBase,
    haversine_m,
)

__all__ = [
    "BUILDER_VERSION",
    "EARTH_RADIUS_M",
    "CacheWarning",
    "default_cache_dir",
    "graph_from_osm",
    "graph_from_place",
    "graph_from_polygon",
    "haversine_m",
    "road_base_from_osm",
    "road_classes",
]

BUILDER_VERSION = 2
"""Version of the graph builder; part of the cache key so old caches are ignored.

2: edges keep the access tags (``access``, ``foot``, ``vehicle``, ``motor_vehicle``,
``motorcar``, ``motorcycle``); ``junction=circular`` is one-way like a roundabout.
"""

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
    graph = _parse(path, classes, t0, progress=progress).to_networkx()
    if progress:
        print(
            f"built graph with {graph.number_of_nodes()} nodes and {graph.number_of_edges()} edges "
            f"in {time.perf_counter() - t0:.1f} s"
        )
    if cache_file is not None:
        _write_cache(cache_file, graph)
    return graph


def _parse(path: Path, classes: tuple[str, ...], t0: float, *, progress: bool) -> RoadBase:
    """Read the ways of ``classes`` and split them into road pieces."""
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
    return RoadBase.from_ways(ways, path.name)


def road_base_from_osm(
    path: str | Path,
    *,
    highways: Iterable[str] | None = None,
    rules: Rules | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: bool = False,
) -> RoadBase:
    """Read an OpenStreetMap file into a :class:`~lvliang_coverage.network.roadbase.RoadBase`.

    The same pieces as the edges of :func:`graph_from_osm` (``RoadBase.to_networkx()`` gives
    that graph), kept as arrays: no networkx object is built. Cached beside the graphs as an
    ``.npz`` file of arrays, under the same cache-key rules (file bytes, highway classes,
    version).

    Parameters
    ----------
    path : str or Path
        The OpenStreetMap file (``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``).
    highways : iterable of str, optional
        Highway classes to keep; default :func:`road_classes` of ``rules``.
    rules : Rules, optional
        Rules in force (for the default highway classes).
    cache_dir : str or Path, optional
        Cache folder; default :func:`default_cache_dir` (with the same fallbacks and
        :class:`CacheWarning` as :func:`graph_from_osm`).
    use_cache : bool, default True
        Read and write the cache.
    progress : bool, default False
        Print timings of the steps.

    Returns
    -------
    RoadBase
        The road pieces (coordinates in EPSG:4326 degrees, lengths in metres).

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
    settings = {"highways": classes, "builder": BUILDER_VERSION, "roadbase": ROADBASE_VERSION}
    t0 = time.perf_counter()
    folder = None
    if use_cache:
        folder = _usable_cache_dir(
            Path(cache_dir) if cache_dir is not None else default_cache_dir()
        )
    cache_file = folder / f"roads-{_file_key(path, settings)}.npz" if folder else None
    if cache_file is not None and cache_file.is_file():
        base = RoadBase.load(cache_file)
        if base is not None:
            if progress:
                print(f"roads loaded from cache {cache_file} in {time.perf_counter() - t0:.1f} s")
            return base
    base = _parse(path, classes, t0, progress=progress)
    if progress:
        print(
            f"split into {base.n_pieces} pieces between {base.n_nodes} nodes "
            f"in {time.perf_counter() - t0:.1f} s"
        )
    if cache_file is not None:
        tmp = cache_file.with_suffix(f".tmp{os.getpid()}")
        try:
            base.save(tmp)
            tmp.replace(cache_file)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            _cache_warning(
                f"路网缓存写入失败，不使用缓存 / could not write the road cache {cache_file} "
                f"({exc.strerror or exc}); the roads are used without caching them"
            )
    return base


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
