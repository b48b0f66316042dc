"""The terrain model's results in a clinic check: surfaces, isochrones, townships, comparison."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lvliang_coverage.config import Rules
from lvliang_coverage.inputs.projection import STORAGE_CRS
from lvliang_coverage.services.clinics.check import check_compliance
from lvliang_coverage.services.clinics.terrain_inputs import travel_model
from lvliang_coverage.study import Study

if TYPE_CHECKING:
    from lvliang_coverage.network.surface import TravelSurface

MODEL_COLUMN = "travel_model"
"""Column naming the travel model of a compliance row: ``terrain`` or ``network``."""

TOWNSHIP_COLUMNS = [
    "township_code",
    "township",
    "county",
    "mode",
    "residents",
    "residents_within_time",
    "share_within_time",
]
"""Columns of ``township_access_terrain.csv``: residents and those within the time limit."""

COMPARISON_COLUMNS = [
    "village_id",
    "name",
    "county",
    "township",
    "population",
    "mode",
    "network_within_time",
    "terrain_within_time",
    "network_compliant",
    "terrain_compliant",
    "network_clinic_id",
    "terrain_clinic_id",
    "network_min",
    "terrain_min",
    "reason",
    "reason_zh",
    "reason_en",
]
"""Columns of ``travel_model_comparison.csv``: villages whose status differs by model."""

REASONS: dict[str, tuple[str, str]] = {
    "river": ("河流阻隔", "river in the way"),
    "better_road": ("更易到达的道路", "a better road"),
    "offroad_shortcut": ("越野捷径", "a shortcut across country"),
    "gully_detour": ("绕行沟壑", "detour around a gully"),
    "other": ("其他", "other"),
}
"""Why a village's status differs between the models, code -> (zh, en), tested in this order:
the terrain trip is slower and the network model's straight leg crosses a barrier; the terrain
trip is faster and joins a different road than the network's snap; the terrain trip is faster
on the same road or off road (walking across country beats the winding road); the terrain
trip is slower (the ground in between); anything else (same minutes, another facility)."""


@dataclass
class TerrainOutputs:
    """What the terrain model adds to a clinic check.

    Attributes
    ----------
    surfaces : dict of str to TravelSurface
        Minutes to the nearest care facility per cell, per mode.
    isochrones : GeoDataFrame
        Polygons of the cells within each of ``terrain.isochrone_minutes`` of the deciding
        mode (``minutes``, ``area_km2``, EPSG:4326).
    townships : pandas.DataFrame
        :data:`TOWNSHIP_COLUMNS`, one row per township and mode.
    comparison : pandas.DataFrame
        :data:`COMPARISON_COLUMNS`, the villages whose status differs between the models.
    """

    surfaces: dict[str, TravelSurface]
    isochrones: gpd.GeoDataFrame
    townships: pd.DataFrame
    comparison: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the two tables of the terrain model, by file name."""
        return {
            "township_access_terrain.csv": self.townships,
            "travel_model_comparison.csv": self.comparison,
        }

    def rasters(self) -> dict[str, TravelSurface]:
        """Return the travel-time surfaces by file name, ``travel_time_<mode>.tif``."""
        return {f"travel_time_{mode}.tif": s for mode, s in self.surfaces.items()}


@dataclass(frozen=True)
class TravelChoice:
    """The travel model of a run and the terrain model's inputs (``--travel`` and its files).

    Attributes
    ----------
    model : {"network", "terrain"}
        The travel model.
    named : bool
        The model was chosen explicitly (``--travel``): the compliance table then names it
        in ``travel_model`` even for the network model.
    friction : Path, optional
        Friction GeoTIFF (terrain model).
    barriers : GeoDataFrame, optional
        Barriers in force: the study's rivers plus the user's layer (:func:`barrier_layer`).
    fords : GeoDataFrame, optional
        Ford points (terrain model).
    """

    model: str = "network"
    named: bool = False
    friction: Path | None = None
    barriers: gpd.GeoDataFrame | None = None
    fords: gpd.GeoDataFrame | None = None

    @classmethod
    def of(
        cls,
        study: Study,
        travel: str | None = None,
        *,
        friction: str | Path | None = None,
        barriers: gpd.GeoDataFrame | None = None,
        fords: gpd.GeoDataFrame | None = None,
    ) -> TravelChoice:
        """Choose the model of a run: ``travel``, else the rules' ``terrain.travel_model``."""
        model = travel_model(study.rules, travel)
        walls = barrier_layer(study, barriers) if model == "terrain" else None
        return cls(
            model=model,
            named=travel is not None,
            friction=None if friction is None else Path(friction),
            barriers=walls,
            fords=fords,
        )

    @property
    def terrain(self) -> bool:
        """Whether the terrain model is in force."""
        return self.model == "terrain"

    def of_mode(self, study: Study, mode: str) -> Any:
        """Return the travel model of one mode (:meth:`Study.travel`, built once per study)."""
        return study.travel(
            mode, self.model, friction=self.friction, barriers=self.barriers, fords=self.fords
        )


def barrier_layer(study: Study, user: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Barriers of a terrain run: the study's rivers plus the user's ``--barriers`` layer.

    The default study has the real rivers of ``data/lvliang/rivers.geojson``; a study read
    from the user's files has none, so there only the user's layer (if any) bars walking.

    Parameters
    ----------
    study : Study
        The study.
    user : GeoDataFrame, optional
        The user's barrier lines or polygons (any CRS).

    Returns
    -------
    GeoDataFrame or None
        The geometries (EPSG:4326), or None when there are none.
    """
    parts = [
        g.to_crs(STORAGE_CRS)[["geometry"]]
        for g in (study.rivers, user)
        if g is not None and len(g)
    ]
    if not parts:
        return None
    if len(parts) == 1 and user is None and study.rivers is not None:
        return study.rivers  # the same frame every time: Study.travel's cache key
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=STORAGE_CRS)


def township_access(table: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """Residents within the time limit per township, from a compliance table (zonal sums).

    Parameters
    ----------
    table : DataFrame
        Compliance rows (``village_id``, ``county``, ``township``, ``population``, ``mode``,
        ``within_time``), e.g. of the terrain model.
    villages : DataFrame
        The study's villages (``village_id``, ``township_code`` when the registry has it).

    Returns
    -------
    pandas.DataFrame
        :data:`TOWNSHIP_COLUMNS`: residents (sum of village residents), residents within the
        time limit and their share (0-1; NaN for a township without residents), sorted by
        county, township and mode.
    """
    codes = (
        villages.set_index("village_id")["township_code"]
        if "township_code" in villages.columns
        else pd.Series(dtype=object)
    )
    codes = codes[~codes.index.duplicated()]
    pop = pd.to_numeric(table["population"], errors="coerce").fillna(0)
    frame = pd.DataFrame(
        {
            "township_code": table["village_id"].map(codes).fillna("").astype(str).to_numpy(),
            "township": table["township"].to_numpy(),
            "county": table["county"].to_numpy(),
            "mode": table["mode"].to_numpy(),
            "residents": pop.to_numpy(),
            "residents_within_time": np.where(table["within_time"].to_numpy(bool), pop, 0),
        }
    )
    keys = ["county", "township", "township_code", "mode"]
    out = frame.groupby(keys, as_index=False, sort=True, dropna=False).sum()
    res = out["residents"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(res > 0, out["residents_within_time"].to_numpy(float) / res, np.nan)
    out = out.assign(
        residents=out["residents"].astype("int64"),
        residents_within_time=out["residents_within_time"].astype("int64"),
        share_within_time=share,
    )
    return out[TOWNSHIP_COLUMNS].reset_index(drop=True)


def legs_cross(
    villages: gpd.GeoDataFrame, snap: pd.DataFrame, barriers: gpd.GeoDataFrame | None
) -> np.ndarray:
    """Whether the network model's straight leg from each village to its road crosses a barrier.

    Parameters
    ----------
    villages : GeoDataFrame
        Villages, any CRS.
    snap : DataFrame
        ``TravelNetwork.snap(villages)``: ``join_x``/``join_y`` (degrees) aligned by position.
    barriers : GeoDataFrame, optional
        Barrier lines or polygons, any CRS.

    Returns
    -------
    numpy.ndarray of bool
        One per village.
    """
    n = len(villages)
    if barriers is None or not len(barriers) or not n:
        return np.zeros(n, dtype=bool)
    start = shapely.get_coordinates(villages.to_crs(STORAGE_CRS).geometry.to_numpy())
    end = np.column_stack([snap["join_x"].to_numpy(float), snap["join_y"].to_numpy(float)])
    ok = np.isfinite(end).all(axis=1)
    legs = shapely.linestrings(np.stack([start[ok], end[ok]], axis=1))
    walls = barriers.to_crs(STORAGE_CRS).geometry.to_numpy()
    hit = shapely.STRtree(walls).query(legs, predicate="intersects")
    out = np.zeros(n, dtype=bool)
    out[np.flatnonzero(ok)[np.unique(hit[0])]] = True
    return out


def compare_models(
    terrain: pd.DataFrame,
    network: pd.DataFrame,
    *,
    crossed: np.ndarray,
    join_differs: np.ndarray,
) -> pd.DataFrame:
    """Villages whose status (within the time limit, compliant) differs by model, and why.

    Parameters
    ----------
    terrain, network : DataFrame
        Compliance rows of one mode for the same villages in the same order (terrain model,
        network model).
    crossed : boolean array
        Per village: the network model's straight leg crosses a barrier.
    join_differs : boolean array
        Per village: the terrain trip enters a different road than the network's snap.

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`, minutes to the fastest care facility of each model.
    """
    t_within = terrain["within_time"].to_numpy(bool)
    n_within = network["within_time"].to_numpy(bool)
    t_ok = terrain["compliant"].to_numpy(bool)
    n_ok = network["compliant"].to_numpy(bool)
    t_min = terrain["travel_min"].to_numpy(float)
    n_min = network["travel_min"].to_numpy(float)
    inf = np.inf
    faster = np.nan_to_num(t_min, nan=inf) < np.nan_to_num(n_min, nan=inf)
    slower = np.nan_to_num(t_min, nan=inf) > np.nan_to_num(n_min, nan=inf)
    reason = np.select(
        [crossed & slower, faster & join_differs, faster, slower],
        ["river", "better_road", "offroad_shortcut", "gully_detour"],
        default="other",
    ).astype(object)
    keep = (t_within != n_within) | (t_ok != n_ok)
    zh = np.array([REASONS[r][0] for r in reason], dtype=object)
    en = np.array([REASONS[r][1] for r in reason], dtype=object)
    out = pd.DataFrame(
        {
            "village_id": terrain["village_id"].to_numpy(),
            "name": terrain["name"].to_numpy(),
            "county": terrain["county"].to_numpy(),
            "township": terrain["township"].to_numpy(),
            "population": terrain["population"].to_numpy(),
            "mode": terrain["mode"].to_numpy(),
            "network_within_time": n_within,
            "terrain_within_time": t_within,
            "network_compliant": n_ok,
            "terrain_compliant": t_ok,
            "network_clinic_id": network["fastest_clinic_id"].to_numpy(object),
            "terrain_clinic_id": terrain["fastest_clinic_id"].to_numpy(object),
            "network_min": n_min,
            "terrain_min": t_min,
            "reason": reason,
            "reason_zh": zh,
            "reason_en": en,
        }
    )
    return out[keep].reset_index(drop=True)


def reason_counts(comparison: pd.DataFrame) -> dict[str, int]:
    """Villages changing status, in all and per reason code of :data:`REASONS` (in order)."""
    counts = comparison["reason"].value_counts()
    return {"changed": len(comparison), **{r: int(counts.get(r, 0)) for r in REASONS}}


def terrain_outputs(
    study: Study,
    care: gpd.GeoDataFrame,
    models: Mapping[str, Any],
    table: pd.DataFrame,
    rules: Rules,
    *,
    deciding: str,
    barriers: gpd.GeoDataFrame | None,
) -> TerrainOutputs:
    """Surfaces, isochrones, township shares and the model comparison of a terrain check.

    Parameters
    ----------
    study : Study
        The study (its road networks give the network model's rows and snaps).
    care : GeoDataFrame
        The care facilities checked against.
    models : Mapping of str to TerrainNetwork
        The terrain model per mode.
    table : DataFrame
        The terrain compliance rows of every mode.
    rules : Rules
        Rules in force (``terrain.isochrone_minutes``).
    deciding : str
        The deciding mode (its isochrones go on the map).
    barriers : GeoDataFrame, optional
        The barriers the terrain models were built with.

    Returns
    -------
    TerrainOutputs
        The outputs.
    """
    villages = study.villages
    surfaces: dict[str, TravelSurface] = {}
    frames = []
    for mode, model in models.items():
        study.progress(f"计算{mode}出行时间栅格 / travel-time surface ({mode})")
        surfaces[mode] = model.surface(care)
        net = study.network(mode)
        rows = table[table["mode"] == mode].reset_index(drop=True)
        network_rows = check_compliance(villages, care, {mode: net}, rules)
        snap = net.snap(villages).reset_index(drop=True)
        trip = model.nearest(villages, care).reset_index(drop=True)
        joins = trip["join_road"].to_numpy(np.int64)
        differs = (joins >= 0) & (joins != snap["edge"].to_numpy(np.int64))
        frames.append(
            compare_models(
                rows,
                network_rows,
                crossed=legs_cross(villages, snap, barriers),
                join_differs=differs,
            )
        )
    comparison = pd.concat(frames, ignore_index=True)
    minutes = [float(m) for m in rules.terrain.isochrone_minutes]
    iso = surfaces[deciding].isochrones(minutes) if deciding in surfaces else None
    return TerrainOutputs(
        surfaces=surfaces,
        isochrones=iso if iso is not None else gpd.GeoDataFrame(geometry=[], crs=STORAGE_CRS),
        townships=township_access(table, villages),
        comparison=comparison[COMPARISON_COLUMNS],
        counts=reason_counts(comparison),
    )
