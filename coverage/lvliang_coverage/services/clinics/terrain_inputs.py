"""The terrain model's options: --travel, --friction, --barriers and --fords, checked and read."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lvliang_coverage.config import Rules
from lvliang_coverage.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

MODELS = ("network", "terrain")
"""Travel models: the road network with straight off-road legs, or terrain walking + roads."""

TERRAIN_ONLY = ("friction", "barriers", "fords")
"""Options that only the terrain model reads."""

_FAMILIES = {
    "barriers": (
        {"LineString", "MultiLineString", "Polygon", "MultiPolygon"},
        "线或面",
        "lines or polygons",
    ),
    "fords": ({"Point", "MultiPoint"}, "点", "points"),
}
"""Geometry types each layer takes, with their names in Chinese and English."""


def travel_model(rules: Rules, travel: str | None) -> str:
    """Return the travel model in force: ``travel`` if given, else ``terrain.travel_model``.

    Parameters
    ----------
    rules : Rules
        Rules in force.
    travel : str, optional
        The ``--travel`` value.

    Returns
    -------
    str
        ``"network"`` or ``"terrain"``.

    Raises
    ------
    InputError
        For any other value, naming the accepted ones in both languages.
    """
    model = travel if travel is not None else rules.terrain.travel_model
    if model not in MODELS:
        msg = (
            f"--travel: 出行时间模型只能是 network（路网模型）或 terrain（地形模型），收到 "
            f"{model!r} / the travel model must be network or terrain, got {model!r}"
        )
        raise InputError(msg, column="--travel")
    return model


def read_friction(path: str | Path) -> Path:
    """Check a friction GeoTIFF (speed multipliers or land-cover classes) before any work.

    Parameters
    ----------
    path : str or Path
        The ``--friction`` file.

    Returns
    -------
    Path
        The path, once it opens as a raster with a CRS and one band at least.

    Raises
    ------
    InputError
        When the file is missing, is no raster, or has no CRS.
    """
    import rasterio  # noqa: PLC0415 - only the terrain model reads rasters here

    p = Path(path)
    if not p.is_file():
        raise InputError("找不到文件 / file not found", file=p, column="--friction")
    try:
        with rasterio.open(p) as src:
            crs, bands = src.crs, src.count
    except rasterio.errors.RasterioIOError as exc:
        msg = (
            "摩擦力栅格无法读取（须为 GeoTIFF） / "
            f"the friction raster cannot be read (a GeoTIFF is needed): {exc}"
        )
        raise InputError(msg, file=p, column="--friction") from exc
    if crs is None:
        msg = "摩擦力栅格没有坐标参考系 / the friction raster has no CRS"
        raise InputError(msg, file=p, column="--friction")
    if bands < 1:
        msg = "摩擦力栅格没有波段 / the friction raster has no band"
        raise InputError(msg, file=p, column="--friction")
    return p


def read_layer(path: str | Path, role: str) -> gpd.GeoDataFrame:
    """Read a barrier (lines, polygons) or ford (points) layer: GeoJSON, GPKG or SHP.

    Parameters
    ----------
    path : str or Path
        The ``--barriers`` or ``--fords`` file.
    role : {"barriers", "fords"}
        Which layer it is (the geometry types it takes).

    Returns
    -------
    GeoDataFrame
        The layer in its own CRS (never modified on disk), empty geometries dropped.

    Raises
    ------
    InputError
        When the file is missing or unreadable, has no CRS, no feature, or a feature of the
        wrong geometry type (its row named).
    """
    import geopandas as gpd  # noqa: PLC0415 - heavy import: --travel is checked before it

    kinds, zh, en = _FAMILIES[role]
    p = Path(path)
    option = f"--{role}"
    if not p.is_file():
        raise InputError("找不到文件 / file not found", file=p, column=option)
    try:
        layer = gpd.read_file(p, engine="pyogrio")
    except Exception as exc:  # any reader failure is the user's file
        msg = f"图层无法读取（须为 GeoJSON、GPKG 或 SHP） / the layer cannot be read: {exc}"
        raise InputError(msg, file=p, column=option) from exc
    if not isinstance(layer, gpd.GeoDataFrame) or layer.geometry.name not in layer:
        msg = "文件中没有几何图层 / the file holds no geometry layer"
        raise InputError(msg, file=p, column=option)
    if layer.crs is None:
        msg = "图层没有坐标参考系 / the layer has no CRS"
        raise InputError(msg, file=p, column=option)
    layer = layer[layer.geometry.notna() & ~layer.geometry.is_empty].reset_index(drop=True)
    if layer.empty:
        msg = "图层没有要素 / the layer has no feature"
        raise InputError(msg, file=p, column=option)
    types = layer.geom_type.to_numpy()
    wrong = [i for i, t in enumerate(types) if t not in kinds]
    if wrong:
        msg = (
            f"{option} 的要素须为{zh}，第{wrong[0] + 1}个要素是 {types[wrong[0]]} / "
            f"the features of {option} must be {en}, feature {wrong[0] + 1} is {types[wrong[0]]}"
        )
        raise InputError(msg, file=p, row=wrong[0] + 1, column=option)
    return layer


def check_travel(values: Mapping[str, Any], rules: Rules) -> None:
    """Check ``--travel`` and the terrain options together, before any work.

    Terrain-only options (``--friction``, ``--barriers``, ``--fords``) given with the network
    model are an error, not a silent no-op; the terrain model on the user's files needs
    ``--dem``; every terrain file is opened and checked here.

    Parameters
    ----------
    values : Mapping
        The command's parameter values (``travel``, ``friction``, ``barriers``, ``fords``,
        ``villages``, ``dem``).
    rules : Rules
        Rules in force (``terrain.travel_model`` when ``--travel`` is not given).

    Raises
    ------
    InputError
        On a wrong model, a terrain option without the terrain model, or a bad file.
    """
    model = travel_model(rules, values.get("travel"))
    given = [name for name in TERRAIN_ONLY if values.get(name) is not None]
    if model != "terrain" and given:
        flags = ", ".join(f"--{n}" for n in given)
        msg = (
            f"{flags} 只用于地形模型，请同时给出 --travel terrain / "
            f"{flags} only apply to the terrain model: add --travel terrain"
        )
        raise InputError(msg, column=f"--{given[0]}")
    if model != "terrain":
        return
    if values.get("villages") is not None and values.get("dem") is None:
        msg = (
            "地形模型需要高程数据，请给出 --dem / "
            "the terrain travel model needs an elevation model: give --dem"
        )
        raise InputError(msg, column="--dem")
    if values.get("friction") is not None:
        read_friction(values["friction"])
    for role in ("barriers", "fords"):
        if values.get(role) is not None:
            read_layer(values[role], role)
