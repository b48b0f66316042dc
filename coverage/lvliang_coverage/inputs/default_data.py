"""The embedded default Lüliang data set: where it lives and how it is loaded."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lvliang_coverage.config import InputRules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import _columns

if TYPE_CHECKING:  # the readers are imported when data is read: where it lives costs nothing
    import geopandas as gpd

DATA_DIR_ENV = "LVLIANG_DATA_DIR"
"""Environment variable that overrides the default data directory."""


@dataclass(frozen=True)
class DefaultData:
    """The embedded default data set for Lüliang (all layers EPSG:4326).

    Attributes
    ----------
    city, counties : GeoDataFrame
        Real outlines of Lüliang city and its 13 counties (``county``, ``adcode``).
    townships, township_seats : GeoDataFrame
        Township polygons and seat points (``township_id``, ``name``, ``county``).
    county_seats : GeoDataFrame
        County-seat points (real, GeoNames).
    rivers : GeoDataFrame
        Major rivers (real, GSHHG/WDBII), lines with ``level``.
    villages, facilities, water_sources, sites : GeoDataFrame
        Registries in the schema of :func:`read_villages`, :func:`read_facilities`,
        :func:`read_water_sources`, :func:`read_sites` (synthetic).
    roads_path : Path
        OpenStreetMap XML road network (``roads.osm.bz2``).
    dem_path : Path
        Fine DEM GeoTIFF (int16 metres).
    coarse_dem_path : Path
        Real ETOPO1 elevation at 0.1 degrees (metres).
    data_dir : Path
        The directory read.
    is_synthetic : bool
        True: villages, facilities, roads, water sources and sites are generated, not real.
    """

    city: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    township_seats: gpd.GeoDataFrame
    county_seats: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    water_sources: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    roads_path: Path
    dem_path: Path
    coarse_dem_path: Path
    data_dir: Path
    is_synthetic: bool = True


def _read_points(path: Path) -> gpd.GeoDataFrame:
    """Read named points (township or county seats) with the boundary columns."""
    from lvliang_coverage.inputs._layers import read_layer  # noqa: PLC0415 - heavy import

    return read_layer(path, _columns.BOUNDARIES, generate_ids=False)


DEFAULT_FILES = {
    "city": "lvliang/city.geojson",
    "counties": "lvliang/counties.geojson",
    "county_seats": "lvliang/county_seats.geojson",
    "rivers": "lvliang/rivers.geojson",
    "coarse_dem": "lvliang/etopo1_0p1deg.tif",
    "townships": "default/townships.geojson",
    "township_seats": "default/township_seats.geojson",
    "villages": "default/villages.csv",
    "facilities": "default/facilities.csv",
    "water_sources": "default/water_sources.csv",
    "sites": "default/relocation_sites.csv",
    "roads": "default/roads.osm.bz2",
    "dem": "default/dem_100m.tif",
}
"""Files of the default data set, relative to the data directory."""


def default_data_dir() -> Path:
    """Locate the default data directory: ``$LVLIANG_DATA_DIR``, else the repository's ``data/``.

    Returns
    -------
    Path
        The directory (not checked for existence).
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "data"


def load_default(
    data_dir: str | Path | None = None, *, bounds: InputRules | None = None
) -> DefaultData:
    """Load the embedded default Lüliang data set.

    Parameters
    ----------
    data_dir : str or Path, optional
        Directory holding ``lvliang/`` and ``default/`` (see :data:`DEFAULT_FILES`);
        defaults to :func:`default_data_dir`.
    bounds : InputRules, optional
        Plausibility bounds in force (``Rules.inputs``; default the shipped rules).

    Returns
    -------
    DefaultData
        Every layer in EPSG:4326 and the paths of the road network and DEMs.

    Raises
    ------
    InputError
        When files are missing (all missing files are listed) or fail validation.
    """
    import geopandas as gpd  # noqa: PLC0415 - heavy imports, when data is read

    from lvliang_coverage.inputs.projection import STORAGE_CRS  # noqa: PLC0415
    from lvliang_coverage.inputs.readers import (  # noqa: PLC0415
        read_boundaries,
        read_facilities,
        read_sites,
        read_villages,
        read_water_sources,
    )

    root = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = {key: root / rel for key, rel in DEFAULT_FILES.items()}
    missing = [DEFAULT_FILES[k] for k, p in paths.items() if not p.exists()]
    if missing:
        msg = f"默认数据不完整，缺少 / default data incomplete, missing: {', '.join(missing)}"
        raise InputError(msg, file=root)
    city = read_boundaries(paths["city"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rivers = gpd.read_file(paths["rivers"], engine="pyogrio").to_crs(STORAGE_CRS)
    return DefaultData(
        city=city,
        counties=read_boundaries(paths["counties"]),
        townships=read_boundaries(paths["townships"]),
        township_seats=_read_points(paths["township_seats"]),
        county_seats=_read_points(paths["county_seats"]),
        rivers=rivers,
        villages=read_villages(paths["villages"], bounds=bounds),
        facilities=read_facilities(paths["facilities"], bounds=bounds),
        water_sources=read_water_sources(paths["water_sources"], bounds=bounds),
        sites=read_sites(paths["sites"], bounds=bounds),
        roads_path=paths["roads"],
        dem_path=paths["dem"],
        coarse_dem_path=paths["coarse_dem"],
        data_dir=root,
        is_synthetic=True,
    )
