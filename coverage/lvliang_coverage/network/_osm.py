"""Read highway ways with node locations from OpenStreetMap XML or PBF files into flat arrays."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import osmium.index

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

_MISSING = b"x1000y1000"
"""Stands for a vertex whose node is not in the file (OPL writes ``xy``): longitude 1000."""

_SEPARATORS = bytes.maketrans(b"nxy,", b"    ")
_LETTERS = bytes.maketrans(b"xy", b"nn")
_ESCAPE = re.compile(r"%([0-9a-fA-F]+)%")


@dataclass
class OsmWays:
    """Highway ways flattened to arrays, tags as categorical codes.

    Attributes
    ----------
    way_ids : numpy.ndarray
        OSM way ids, one per way (int64).
    tag_code : numpy.ndarray
        Per way, the index of its tags in ``tag_sets`` (int64).
    tag_sets : tuple of dict
        The distinct sets of selected tags (``highway``, ``oneway``, ``junction``, ``area`` and
        :data:`EDGE_TAGS`).
    refs, lon, lat : numpy.ndarray
        Node id and location (degrees, EPSG:4326) of every way vertex, ways concatenated.
    way_of : numpy.ndarray
        Index into ``way_ids`` of every vertex.
    """

    way_ids: np.ndarray
    tag_code: np.ndarray
    tag_sets: tuple[dict[str, str], ...]
    refs: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    way_of: np.ndarray

    @property
    def tags(self) -> list[dict[str, str]]:
        """Selected tags of every way (one dict per way; shared between equal ways)."""
        return [self.tag_sets[i] for i in self.tag_code.tolist()]


def _unescape(text: str) -> str:
    """Decode OPL's ``%hex%`` escapes."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "%" in text else text


def _tag_dict(field: bytes) -> dict[str, str]:
    """Read the selected tags of one OPL tag field (``k=v,k=v``, escaped)."""
    out: dict[str, str] = {}
    for pair in field.decode().split(","):
        key, sep, value = pair.partition("=")
        key = _unescape(key)
        if sep and key in _TAGS:
            out[key] = _unescape(value)
    return out


def _parse_nodes(blob: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node ids and locations of OPL node lists ``n<id>x<lon>y<lat>,...`` (vectorised).

    Coordinates are read as the fixed-point integers OPL prints (up to 7 decimals, trailing
    zeros dropped) and divided by 10^7 as libosmium does, so they are the very doubles
    pyosmium's ``Location.lon``/``lat`` give. A missing location (``xy``) becomes 1000.
    """
    if not blob:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    blob = blob.replace(b"xy", _MISSING)
    chars = np.frombuffer(blob.translate(_LETTERS), dtype=np.uint8)  # x, y -> n: one test
    start = np.flatnonzero(chars == ord("n"))
    comma = np.flatnonzero(chars == ord(","))
    # every number ends at the next letter, at a comma (after a latitude) or at the end
    end = np.empty(len(start), dtype=np.int64)
    end[:-1] = start[1:]
    end[2::3] = np.r_[comma, len(chars)]
    dot = np.flatnonzero(chars == ord("."))
    decimals = np.zeros(len(start), dtype=np.int64)
    owner = np.searchsorted(start, dot, side="right") - 1
    decimals[owner] = end[owner] - dot - 1
    del chars
    digits = np.fromstring(blob.translate(_SEPARATORS, b"."), dtype=np.int64, sep=" ")
    scale = 10 ** (7 - decimals)
    refs = digits[0::3]
    lon = (digits[1::3] * scale[1::3]).astype(np.float64) / 1e7
    lat = (digits[2::3] * scale[2::3]).astype(np.float64) / 1e7
    return refs, lon, lat


_CHUNK_BYTES = 32 << 20
"""OPL text parsed at a time (bytes): bounds the temporary arrays of a province's file."""


def _opl_ways(path: Path, out: Path) -> None:
    """Write the ways with a ``highway`` tag and their node locations as OPL (libosmium, C++)."""
    index = osmium.index.create_map("flex_mem")
    locations = osmium.NodeLocationsForWays(index)
    locations.ignore_errors()
    writer = osmium.SimpleWriter(
        osmium.io.File(str(out), "opl,locations_on_ways=true,add_metadata=false")
    )
    try:
        osmium.apply(
            osmium.io.File(str(path)),
            locations,
            osmium.filter.EntityFilter(osmium.osm.WAY),
            osmium.filter.KeyFilter("highway"),
            writer,
        )
    finally:
        writer.close()


class _Chunks:
    """Ways of OPL text parsed chunk by chunk; tag sets numbered across chunks."""

    def __init__(self, highways: set[str]) -> None:
        self.highways = highways
        self.codes: dict[bytes, int] = {}
        self.sets: list[dict[str, str]] = []
        self.wanted: list[bool] = []
        self.parts: list[tuple[np.ndarray, ...]] = []

    def _code(self, field: bytes) -> int:
        code = self.codes.get(field)
        if code is None:
            code = self.codes[field] = len(self.sets)
            tags = _tag_dict(field)
            self.sets.append(tags)
            self.wanted.append(tags.get("highway") in self.highways and tags.get("area") != "yes")
        return code

    def add(self, text: bytes) -> None:
        """Parse whole lines of OPL text; keep the wanted ways with two valid vertices.

        Lines are cut at byte level with numpy (``w<id> T<tags> N<nodes>``: OPL escapes
        spaces inside tags, so each line has exactly two); only the tag field is sliced per
        line, to look up its code. Text of any other shape goes the line-by-line way.
        """
        if not text:
            return
        if not text.endswith(b"\n"):
            text += b"\n"
        chars = np.frombuffer(text, dtype=np.uint8)
        newline = np.flatnonzero(chars == ord("\n"))
        space = np.flatnonzero(chars == ord(" "))
        start = np.r_[0, newline[:-1] + 1]
        if len(space) != 2 * len(newline) or (newline - start < 5).any():
            self._add_lines(text)
            return
        sp1, sp2 = space[0::2], space[1::2]
        ordered = (start < sp1) & (sp1 < sp2) & (sp2 < newline)
        if (
            not ordered.all()
            or (chars[start] != ord("w")).any()
            or (chars[sp2 + 1] != ord("N")).any()
        ):
            self._add_lines(text)
            return
        # way ids: the digits after "w" up to the first space, read as a digit matrix
        width = sp1 - start - 1
        place = np.arange(int(width.max()))
        digits = chars[np.minimum(start[:, None] + 1 + place, sp1[:, None])].astype(np.int64)
        digits -= ord("0")
        inside = place < width[:, None]
        if (width > 18).any() or (inside & ((digits < 0) | (digits > 9))).any():
            self._add_lines(text)
            return
        power = np.where(inside, 10 ** np.maximum(width[:, None] - 1 - place, 0), 0)
        way_ids = (digits * power).sum(axis=1)
        del digits, inside, power
        fields = [text[a:b] for a, b in zip((sp1 + 2).tolist(), sp2.tolist(), strict=True)]
        for field in dict.fromkeys(fields):  # new tag sets numbered in file order
            self._code(field)
        code = np.fromiter(map(self.codes.__getitem__, fields), np.int64, len(fields))
        del fields
        # node lists: after "N" up to the newline; non-empty ones joined by commas
        first = sp2 + 2
        full = newline > first
        ends = newline[full] + 1  # with its newline, a comma after the join ...
        ends[-1:] -= 1  # ... except after the last list
        bounds = np.empty(2 * len(ends), dtype=np.int64)
        bounds[0::2], bounds[1::2] = first[full], ends
        spans = np.diff(bounds, prepend=0, append=len(chars))
        in_nodes = np.repeat(np.arange(len(spans)) % 2 == 1, spans)
        blob = chars[in_nodes].tobytes()
        del in_nodes
        counts = np.zeros(len(newline), dtype=np.int64)
        if len(ends):
            letters = np.frombuffer(blob, dtype=np.uint8)
            line = np.searchsorted(
                np.flatnonzero(letters == ord("\n")), np.flatnonzero(letters == ord("n"))
            )
            counts[full] = np.bincount(line, minlength=len(ends))
            del letters, line
        blob = blob.replace(b"\n", b",")
        refs, lon, lat = _parse_nodes(blob)
        del blob
        self._keep(way_ids=way_ids, code=code, counts=counts, refs=refs, lon=lon, lat=lat)

    def _add_lines(self, text: bytes) -> None:
        """:meth:`add` line by line (Python per line), for text not of the usual shape."""
        fields = [line.split(b" ") for line in text.split(b"\n") if line]
        if not fields:
            return
        way_ids = np.fromiter((int(f[0][1:]) for f in fields), np.int64, len(fields))
        code = np.fromiter((self._code(f[1][1:]) for f in fields), np.int64, len(fields))
        node_fields = [f[2][1:] for f in fields]
        del fields
        counts = np.fromiter(
            (n.count(b",") + 1 if n else 0 for n in node_fields), np.int64, len(node_fields)
        )
        refs, lon, lat = _parse_nodes(b",".join(node_fields))
        del node_fields
        self._keep(way_ids=way_ids, code=code, counts=counts, refs=refs, lon=lon, lat=lat)

    def _keep(
        self,
        *,
        way_ids: np.ndarray,
        code: np.ndarray,
        counts: np.ndarray,
        refs: np.ndarray,
        lon: np.ndarray,
        lat: np.ndarray,
    ) -> None:
        """Store the wanted ways of a chunk with their valid vertices (two at least)."""
        way_of = np.repeat(np.arange(len(way_ids)), counts)
        valid = lon <= 180.0
        n_valid = np.bincount(way_of[valid], minlength=len(way_ids))
        keep_way = np.asarray(self.wanted, dtype=bool)[code] & (n_valid >= 2)
        keep = valid & keep_way[way_of]
        self.parts.append(
            (way_ids[keep_way], code[keep_way], n_valid[keep_way], refs[keep], lon[keep], lat[keep])
        )

    def ways(self) -> OsmWays:
        """All kept ways, their tag sets renumbered from 0."""
        way_ids, code, counts, refs, lon, lat = (
            np.concatenate([p[i] for p in self.parts]) if self.parts else np.zeros(0)
            for i in range(6)
        )
        used, tag_code = np.unique(code.astype(np.int64), return_inverse=True)
        n_vertices: np.ndarray = counts.astype(np.int64)
        return OsmWays(
            way_ids=way_ids.astype(np.int64),
            tag_code=tag_code.astype(np.int64),
            tag_sets=tuple(self.sets[i] for i in used.tolist()),
            refs=refs.astype(np.int64),
            lon=lon.astype(np.float64),
            lat=lat.astype(np.float64),
            way_of=np.repeat(np.arange(len(n_vertices)), n_vertices),
        )


class _WayCollector(osmium.SimpleHandler):
    """Collect wanted ways vertex by vertex (when no temporary folder can be written)."""

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


def _read_by_handler(path: Path, highways: set[str]) -> OsmWays:
    """:func:`read_osm_ways` with a Python handler (slower: Python runs per vertex)."""
    handler = _WayCollector(highways)
    handler.apply_file(str(path), locations=True)
    counts = np.asarray(handler.counts, dtype=np.int64)
    keys = [tuple(sorted(t.items())) for t in handler.tags]
    first: dict[tuple[tuple[str, str], ...], int] = {}
    code = np.fromiter((first.setdefault(k, len(first)) for k in keys), np.int64, len(keys))
    return OsmWays(
        way_ids=np.asarray(handler.way_ids, dtype=np.int64),
        tag_code=code,
        tag_sets=tuple(dict(k) for k in first),
        refs=np.asarray(handler.refs, dtype=np.int64),
        lon=np.asarray(handler.lon, dtype=float),
        lat=np.asarray(handler.lat, dtype=float),
        way_of=np.repeat(np.arange(len(counts)), counts),
    )


def read_osm_ways(path: Path, highways: set[str]) -> OsmWays:
    """Read the ways tagged with one of ``highways`` and the locations of their nodes.

    libosmium reads the file, keeps the node locations and writes the highway ways with
    their locations as OPL text to a temporary file; that text is parsed in bulk (numbers by
    numpy, tags once per distinct tag set), so no Python runs per vertex.

    Parameters
    ----------
    path : Path
        ``.osm``, ``.osm.bz2``, ``.osm.gz`` or ``.osm.pbf`` file.
    highways : set of str
        OSM ``highway`` classes to keep; ways tagged ``area=yes`` are left out.

    Returns
    -------
    OsmWays
        The ways in file order; vertices whose node is missing from the file are skipped,
        and ways left with fewer than two vertices. Without a writable temporary folder the
        same arrays are collected way by way in Python.

    Raises
    ------
    RuntimeError
        When libosmium cannot read the file.
    """
    chunks = _Chunks(highways)
    try:
        with tempfile.TemporaryDirectory(prefix="lvliang-osm-") as work:
            out = Path(work) / "ways.opl"
            _opl_ways(path, out)
            with out.open("rb") as fh:
                rest = b""
                while block := fh.read(_CHUNK_BYTES):
                    text = rest + block
                    cut = text.rfind(b"\n") + 1
                    chunks.add(text[:cut])
                    rest = text[cut:]
                chunks.add(rest)
    except OSError:  # no temporary folder to write to
        return _read_by_handler(path, highways)
    return chunks.ways()
