"""Road lines for drawing, read straight from an OpenStreetMap file with GDAL's OSM driver."""

from __future__ import annotations

import bz2
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pyogrio

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import STORAGE_CRS


def read_osm_roads(path: Path) -> gpd.GeoDataFrame:
    """Ways tagged ``highway`` from an ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file, for maps.

    This is for drawing only (no topology); analysis uses the road graph.

    Parameters
    ----------
    path : Path
        OpenStreetMap XML (optionally bzip2-compressed) or PBF file.

    Returns
    -------
    GeoDataFrame
        Columns ``highway`` and LineString ``geometry`` in EPSG:4326.

    Raises
    ------
    InputError
        When the file cannot be read as OpenStreetMap data.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        source = path
        if path.suffix == ".bz2":
            source = Path(tmp) / path.name.removesuffix(".bz2")
            with bz2.open(path, "rb") as fin, source.open("wb") as fout:
                shutil.copyfileobj(fin, fout)
        try:
            lines = pyogrio.read_dataframe(
                source, layer="lines", columns=["highway"], where="highway IS NOT NULL"
            )
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            msg = (
                "无法从该 OpenStreetMap 文件读取路网 / "
                f"cannot read roads from this OpenStreetMap file: {exc}"
            )
            raise InputError(msg, file=path) from exc
    if lines.crs is None:
        lines = lines.set_crs(STORAGE_CRS)
    return lines.to_crs(STORAGE_CRS)
