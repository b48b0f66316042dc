"""Read highway ways with node locations from OpenStreetMap XML or PBF files (pyosmium)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium

EDGE_TAGS = (
    "name",
    "tracktype",
    "surface",
    "ref",
    "maxspeed",
    "lanes",
    "bridge",
    "tunnel",
    "access",
    "foot",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "motorcycle",
)
"""OSM tags a road-graph edge keeps as attributes (besides ``highway``)."""

_TAGS = ("highway", "oneway", "junction", "area", *EDGE_TAGS)
"""Tags read from every way: the edge tags plus those that decide direction and inclusion."""


@dataclass
class OsmWays:
    """Highway ways flattened to arrays.

    Attributes
    ----------
    way_ids : numpy.ndarray
        OSM way ids, one per way (int64).
    tags : list of dict
        Selected tags per way.
    refs, lon, lat : numpy.ndarray
        Node id and location (degrees, EPSG:4326) of every way vertex, ways concatenated.
    way_of : numpy.ndarray
        Index into ``way_ids`` of every vertex.
    """

    way_ids: np.ndarray
    tags: list[dict[str, str]]
    refs: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    way_of: np.ndarray


class _WayCollector(osmium.SimpleHandler):
    """Collect ways whose ``highway`` class is wanted; nodes stay in the C++ location index."""

    def __init__(self, highways: set[str]) -> None:
        super().__init__()
        self.highways = highways
        self.way_ids: list[int] = []
        self.tags: list[dict[str, str]] = []
        self.refs: list[int] = []
        self.lon: list[float] = []
        self.lat: list[float] = []
        self.counts: list[int] = []

    def way(self, w: osmium.osm.Way) -> None:
        tags = w.tags
        if tags.get("highway") not in self.highways or tags.get("area") == "yes":
            return
        refs, lon, lat = [], [], []
        for node in w.nodes:
            loc = node.location
            if loc.valid():
                refs.append(node.ref)
                lon.append(loc.lon)
                lat.append(loc.lat)
        if len(refs) < 2:
            return
        self.way_ids.append(w.id)
        self.tags.append({k: tags[k] for k in _TAGS if k in tags})
        self.refs.extend(refs)
        self.lon.extend(lon)
        self.lat.extend(lat)
        self.counts.append(len(refs))


def read_osm_ways(path: Path, highways: set[str]) -> OsmWays:
    """Read the ways tagged with one of ``highways`` and the locations of their nodes.

    Parameters
    ----------
    path : Path
        ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file.
    highways : set of str
        OSM ``highway`` classes to keep.

    Returns
    -------
    OsmWays
        The ways; vertices whose node is missing from the file are skipped.
    """
    handler = _WayCollector(highways)
    handler.apply_file(str(path), locations=True)
    counts = np.asarray(handler.counts, dtype=np.int64)
    return OsmWays(
        way_ids=np.asarray(handler.way_ids, dtype=np.int64),
        tags=handler.tags,
        refs=np.asarray(handler.refs, dtype=np.int64),
        lon=np.asarray(handler.lon, dtype=float),
        lat=np.asarray(handler.lat, dtype=float),
        way_of=np.repeat(np.arange(len(counts)), counts),
    )
