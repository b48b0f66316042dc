"""Tile base maps of the offline maps: OpenStreetMap, none, 天地图 (Tianditu) and 高德 (Gaode)."""

from __future__ import annotations

from typing import Any

from lvliang_coverage.maps._elements import BaseLayer
from lvliang_coverage.maps._encode import esc
from lvliang_coverage.report.vocabulary import text

_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_GAODE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
_TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={key}"
)


def basemap_layers(basemap: str, lang: str, tianditu_key: str = "") -> list[BaseLayer]:
    """Tile layers of a base map, followed by the "no base map" choice.

    Parameters
    ----------
    basemap : str
        One of :data:`BASEMAPS` (validated with :func:`check_basemap`).
    lang : {"zh", "en"}
        Language of the names in the layer control.
    tianditu_key : str
        Tianditu key, used by ``basemap="tianditu"``.

    Returns
    -------
    list of BaseLayer
        The base layers; the first one is shown when the map opens.
    """
    tiles: list[tuple[str, list[tuple[str, dict[str, Any]]], str]] = []
    if basemap == "osm":
        tiles.append(("basemap_osm", [(_OSM_URL, {"maxZoom": 19})], "© OpenStreetMap contributors"))
    elif basemap == "gaode":
        opts: dict[str, Any] = {"subdomains": "1234", "maxZoom": 18}
        tiles.append(("basemap_gaode", [(_GAODE_URL, opts)], "© 高德地图 AutoNavi"))
    elif basemap == "tianditu":
        opts = {"subdomains": "01234567", "maxZoom": 18}
        layers = [
            (_TIANDITU_URL.format(layer=layer, key=tianditu_key, s="{s}"), opts)
            for layer in ("vec", "cva")
        ]
        tiles.append(("basemap_tianditu", layers, "© 天地图"))
    tiles.append(("basemap_none", [], ""))
    return [
        BaseLayer(group, esc(text(label, lang)), show=i == 0, attribution=attribution)
        for i, (label, group, attribution) in enumerate(tiles)
    ]
