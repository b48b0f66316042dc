"""Base-map choices and their check, light enough for the command line to check options first."""

from __future__ import annotations

import os

from lvliang_coverage.errors import InputError

BASEMAPS = ("osm", "none", "tianditu", "gaode")
"""Base map choices.

- ``"osm"`` (default): OpenStreetMap tiles, with a "no base map" choice in the layer control.
  Without a network the tiles stay blank and the vector layers (boundaries, roads, rivers)
  still give the context.
- ``"none"``: no tiles at all.
- ``"tianditu"``: 天地图 vector tiles with labels (``vec_w`` + ``cva_w``, CGCS2000 ~ WGS84); needs
  a key in the environment variable ``TIANDITU_KEY`` (or ``tianditu_key=``). The key is written
  into the HTML.
- ``"gaode"``: 高德 (Amap) tiles, which are in GCJ-02: every overlay is shifted to GCJ-02 with
  :func:`lvliang_coverage.inputs.chinacrs.wgs84_to_gcj02` so that it lines up with the tiles.
"""


def check_basemap(basemap: str, tianditu_key: str | None = None) -> str:
    """Validate a base map choice and find the Tianditu key it needs.

    Parameters
    ----------
    basemap : str
        One of :data:`BASEMAPS`.
    tianditu_key : str, optional
        Tianditu key; defaults to the environment variable ``TIANDITU_KEY``.

    Returns
    -------
    str
        The Tianditu key (empty when none is set).

    Raises
    ------
    InputError
        For an unknown base map, or ``basemap="tianditu"`` without a key.
    """
    if basemap not in BASEMAPS:
        msg = (
            f"底图只能是 {BASEMAPS}，收到 {basemap!r} / "
            f"basemap must be one of {BASEMAPS}, got {basemap!r}"
        )
        raise InputError(msg, column="basemap")
    key = tianditu_key if tianditu_key is not None else os.environ.get("TIANDITU_KEY", "")
    if basemap == "tianditu" and not key:
        msg = (
            "天地图底图需要天地图密钥：请设置环境变量 TIANDITU_KEY"
            "（或使用 basemap='osm' 或 'none'） / "
            "basemap 'tianditu' needs a Tianditu key: set the environment variable "
            "TIANDITU_KEY (or use basemap='osm' or 'none')"
        )
        raise InputError(msg, column="TIANDITU_KEY")
    return key
