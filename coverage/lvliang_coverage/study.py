"""A study: the registries, road file and elevation model one analysis runs on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.default_data import load_default
from lvliang_coverage.inputs.outliers import empty_dropped
from lvliang_coverage.inputs.projection import STORAGE_CRS, metric_crs_of
from lvliang_coverage.inputs.readers import (
    Outliers,
    ReaderOptions,
    read_boundaries,
    read_facilities,
    read_sites,
    read_villages,
    read_water_sources,
    roads_extent,
)
from lvliang_coverage.kinds import idle_rows
from lvliang_coverage.network.graph import graph_from_osm, road_base_from_osm
from lvliang_coverage.network.roadbase import RoadBase
from lvliang_coverage.network.routing import TravelNetwork

if TYPE_CHECKING:
    from lvliang_coverage.network.lattice import TerrainNetwork

Progress = Callable[[str], None]
"""A callback that reports a step of long work (e.g. prints it)."""


def _quiet(_: str) -> None:
    """Report nothing."""


def _no_facilities() -> gpd.GeoDataFrame:
    """Make an empty facility layer (for a study of water sources or sites only)."""
    return gpd.GeoDataFrame(
        {"facility_id": pd.Series([], dtype=object), "kind": pd.Series([], dtype=object)},
        geometry=gpd.GeoSeries([], crs=STORAGE_CRS),
        crs=STORAGE_CRS,
    )


def _area_options(
    boundaries: gpd.GeoDataFrame | None, roads: Path, rules: Rules, *, drop: bool
) -> ReaderOptions:
    """Reader options checking points against the boundaries, else the road file's extent.

    Parameters
    ----------
    boundaries : GeoDataFrame, optional
        Study-area polygons (EPSG:4326).
    roads : Path
        The OpenStreetMap file, whose extent (degrees) bounds the study without boundaries.
    rules : Rules
        Rules in force (``[inputs]``: distances in km and plausibility bounds).
    drop : bool
        Drop far points with a report instead of raising.

    Returns
    -------
    ReaderOptions
        ``study_area``, ``tolerance_m`` (metres), ``outliers`` and ``bounds``.
    """
    inputs = rules.inputs
    if boundaries is not None:
        label = ("研究区", "the study area")
        area: gpd.GeoDataFrame | shapely.Polygon | None = boundaries
        tolerance_m = inputs.max_outside_km * 1000.0
    else:
        extent = roads_extent(roads)
        label = ("路网范围", f"the extent of the road file {roads.name}")
        area = shapely.box(*extent) if extent is not None else None
        tolerance_m = inputs.max_outside_roads_km * 1000.0
    return ReaderOptions(
        study_area=area,
        tolerance_m=tolerance_m,
        outliers=Outliers(drop=drop, area_label=label),
        bounds=inputs,
    )


@dataclass
class Study:
    """Inputs of an analysis and the road networks built from them (built once, then reused).

    Attributes
    ----------
    villages : GeoDataFrame
        Villages (canonical schema, EPSG:4326).
    facilities : GeoDataFrame
        Facilities of every kind (``kind`` column), EPSG:4326.
    roads_path : Path
        OpenStreetMap XML or PBF road file.
    dem_path : Path or None
        Elevation GeoTIFF (metres) for slopes; None for flat ground.
    counties, townships, city, rivers : GeoDataFrame or None
        Context layers for maps and ledgers.
    water_sources, sites : GeoDataFrame or None
        Water sources and relocation sites, when the study has them.
    synthetic : bool
        True for the embedded synthetic demo data.
    rules : Rules
        Rules in force.
    dropped : pandas.DataFrame
        Points dropped on reading because they lay far outside the study area
        (``drop_outliers=True``): ``layer``, ``file``, ``row``, ``id``, ``name``, ``lon``,
        ``lat`` (degrees), ``outside_km``; empty when none were.
    """

    villages: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    roads_path: Path
    dem_path: Path | None = None
    counties: gpd.GeoDataFrame | None = None
    townships: gpd.GeoDataFrame | None = None
    city: gpd.GeoDataFrame | None = None
    rivers: gpd.GeoDataFrame | None = None
    water_sources: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    synthetic: bool = False
    rules: Rules = field(default_factory=load_rules)
    progress: Progress = _quiet
    dropped: pd.DataFrame = field(default_factory=empty_dropped)
    _graph: nx.MultiDiGraph | None = field(default=None, repr=False)
    _networks: dict[str, TravelNetwork] = field(default_factory=dict, repr=False)
    _edges: gpd.GeoDataFrame | None = field(default=None, repr=False)
    _roads: RoadBase | None = field(default=None, repr=False)

    @classmethod
    def default(
        cls,
        rules: Rules | None = None,
        *,
        data_dir: str | Path | None = None,
        progress: Progress = _quiet,
    ) -> Study:
        """Load the embedded Lüliang default data (synthetic registries, real boundaries).

        Parameters
        ----------
        rules : Rules, optional
            Rules in force.
        data_dir : str or Path, optional
            Data folder (default: the repository's ``data/``).
        progress : callable, optional
            Progress callback.

        Returns
        -------
        Study
            The study.
        """
        progress("读取默认数据 / loading the default data")
        rules = rules or load_rules()
        d = load_default(data_dir, bounds=rules.inputs)
        return cls(
            villages=d.villages,
            facilities=d.facilities,
            roads_path=d.roads_path,
            dem_path=d.dem_path,
            counties=d.counties,
            townships=d.townships,
            city=d.city,
            rivers=d.rivers,
            water_sources=d.water_sources,
            sites=d.sites,
            synthetic=d.is_synthetic,
            rules=rules,
            progress=progress,
        )

    @classmethod
    def from_files(
        cls,
        *,
        villages: str | Path,
        roads: str | Path,
        clinics: str | Path | None = None,
        facilities: str | Path | None = None,
        sources: str | Path | None = None,
        sites: str | Path | None = None,
        dem: str | Path | None = None,
        boundaries: str | Path | None = None,
        coords: str = "wgs84",
        rules: Rules | None = None,
        progress: Progress = _quiet,
        drop_outliers: bool = False,
    ) -> Study:
        """Read a study from the user's own files; the study area comes from those inputs.

        Every point layer is checked against the study area: the ``boundaries`` polygons
        (``inputs.max_outside_km``), or without them the extent of the road file
        (``inputs.max_outside_roads_km``). Numbers are checked against the ``[inputs]``
        plausibility bounds of ``rules``.

        Parameters
        ----------
        villages : str or Path
            Village registry (any format
            :func:`lvliang_coverage.inputs.readers.read_villages` reads).
        roads : str or Path
            OpenStreetMap XML (.osm, .osm.bz2) or PBF (.osm.pbf) road file.
        clinics : str or Path, optional
            A clinic list (every row a village clinic).
        facilities : str or Path, optional
            A facility registry with a ``kind`` column (clinics, health centres ...).
        sources : str or Path, optional
            Water sources (:func:`lvliang_coverage.inputs.readers.read_water_sources`).
        sites : str or Path, optional
            Relocation sites (:func:`lvliang_coverage.inputs.readers.read_sites`).
        dem : str or Path, optional
            Elevation GeoTIFF in metres.
        boundaries : str or Path, optional
            County boundaries for maps and as the study area (points far outside are rejected).
        coords : str
            Coordinate system of lon/lat columns (``wgs84``, ``cgcs2000``, ``gcj02``,
            ``bd09`` or ``EPSG:xxxx``).
        rules : Rules, optional
            Rules in force.
        progress : callable, optional
            Progress callback.
        drop_outliers : bool, default False
            Drop points far outside the study area (with an ``OutliersDroppedWarning`` and
            a record in :attr:`dropped`) instead of stopping with an error naming their rows.

        Returns
        -------
        Study
            The study; its facility layer is empty when neither ``clinics`` nor
            ``facilities`` is given.

        Raises
        ------
        InputError
            On any invalid input (the message names the file, row and column), including
            implausible numbers and points far outside the study area.
        """
        for label, path in (("roads", roads), ("dem", dem)):
            if path is not None and not Path(path).is_file():
                raise InputError("找不到文件 / file not found", file=path, column=label)
        rules = rules or load_rules()
        progress("读取用户数据 / reading the input files")
        area = read_boundaries(boundaries) if boundaries is not None else None
        options = _area_options(area, Path(roads), rules, drop=drop_outliers)
        options["coords"] = coords
        policy = options["outliers"]
        assert policy is not None  # set by _area_options
        vil = read_villages(villages, **options)
        parts = []
        if facilities is not None:
            parts.append(read_facilities(facilities, **options))
        if clinics is not None:
            parts.append(read_facilities(clinics, kind="clinic", **options))
        fac = _no_facilities() if not parts else pd.concat(parts, ignore_index=True)
        fac = gpd.GeoDataFrame(fac, geometry="geometry", crs=STORAGE_CRS)
        if fac["facility_id"].duplicated().any():
            dup = fac.loc[fac["facility_id"].duplicated(), "facility_id"].iloc[0]
            msg = (
                f"设施编号 {dup!r} 同时出现在卫生室文件和设施文件中 / "
                f"facility id {dup!r} appears in both the clinic and the facility files"
            )
            raise InputError(msg, file=clinics, column="facility_id")
        water = read_water_sources(sources, **options) if sources else None
        site_layer = read_sites(sites, **options) if sites else None
        return cls(
            villages=vil,
            facilities=fac,
            roads_path=Path(roads),
            dem_path=Path(dem) if dem is not None else None,
            counties=area,
            water_sources=water,
            sites=site_layer,
            rules=rules,
            progress=progress,
            dropped=policy.table(),
        )

    def reader_options(
        self, *, coords: str = "wgs84", drop_outliers: bool = False
    ) -> ReaderOptions:
        """Options to read a further point layer (e.g. candidate sites) as the study's were.

        Parameters
        ----------
        coords : str
            Coordinate system of the layer's lon/lat columns.
        drop_outliers : bool, default False
            Drop points far outside the study area instead of raising; the drops are then
            listed by ``options["outliers"].table()``.

        Returns
        -------
        ReaderOptions
            ``coords``, ``study_area`` (the study's boundaries, else the road file's
            extent), ``tolerance_m``, ``outliers`` and ``bounds`` (the study's ``[inputs]``
            rules), e.g. ``read_candidates(path, **study.reader_options(coords=coords))``.
        """
        options = _area_options(self.counties, self.roads_path, self.rules, drop=drop_outliers)
        options["coords"] = coords
        return options

    @property
    def metric_crs(self) -> str:
        """Metric CRS (metres) of the study: from its boundaries, else the median village.

        Never chosen from the extent of the points, so no outlier can move it (see
        :func:`lvliang_coverage.inputs.projection.metric_crs_of`); EPSG:4546 for Lüliang.
        """
        return metric_crs_of(self.counties if self.counties is not None else self.villages)

    def require(self, *kinds: str) -> gpd.GeoDataFrame:
        """Facilities of the given kinds, or a clear error when the study has none.

        Parameters
        ----------
        *kinds : str
            Facility kinds, e.g. ``"clinic"``, ``"health_centre"``.

        Returns
        -------
        GeoDataFrame
            The facilities of those kinds.

        Raises
        ------
        InputError
            When the study has no facility of any of the kinds.
        """
        found = self.of_kind(*kinds)
        if found.empty:
            wanted = ", ".join(kinds)
            msg = (
                f"研究区内没有类型为 {wanted} 的设施，请给出 --clinics 或 --facilities / "
                f"the study has no facility of kind {wanted}: give --clinics or --facilities"
            )
            raise InputError(msg, column="kind")
        return found

    def of_kind(self, *kinds: str, idle: bool = False) -> gpd.GeoDataFrame:
        """Facilities of the given kinds (``clinic``, ``health_centre``, ``school`` ...).

        Parameters
        ----------
        *kinds : str
            Canonical facility kinds.
        idle : bool
            Return the idle buildings of those kinds (``idle`` column true: a school or
            clinic no longer in use, a day-care candidate under article 25) instead of the
            working facilities. Registries without an ``idle`` column have none.

        Returns
        -------
        GeoDataFrame
            The facilities, in registry order.
        """
        f = self.facilities
        unused = idle_rows(f)
        keep = f["kind"].isin(kinds).to_numpy() & (unused if idle else ~unused)
        return f[keep].reset_index(drop=True)

    @property
    def care_facilities(self) -> gpd.GeoDataFrame:
        """Facilities giving basic care: kinds in ``clinic.care_kinds`` (clinics, centres ...)."""
        return self.require(*self.rules.clinic.care_kinds)

    @property
    def roads(self) -> RoadBase:
        """The road pieces of the road file as arrays (parsed once, cached on disk between runs).

        What the travel networks of every mode and the map's road layer are built from; no
        networkx graph is built for them.
        """
        if self._roads is None:
            self.progress(f"构建路网 / building the road network from {self.roads_path.name}")
            self._roads = road_base_from_osm(self.roads_path, rules=self.rules)
        return self._roads

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The road graph as networkx (built on request, for export; cached on disk).

        The analysis does not need it: :meth:`network` and :attr:`edges` read :attr:`roads`.
        A graph set on the study (``Study(..., _graph=g)``) is used by both instead.
        """
        if self._graph is None:
            self.progress(f"构建路网 / building the road graph from {self.roads_path.name}")
            if self._roads is not None:  # the file is read already
                self._graph = self._roads.to_networkx()
            else:
                self._graph = graph_from_osm(self.roads_path, rules=self.rules)
        return self._graph

    def network(self, mode: str) -> TravelNetwork:
        """Build (once per study) the travel network of one mode.

        Parameters
        ----------
        mode : str
            ``"walk"``, ``"motorcycle"`` or ``"car"`` (or a mode added in the rules).

        Returns
        -------
        TravelNetwork
            The network, with slopes from the DEM when the study has one.
        """
        if mode not in self.rules.modes:
            msg = (
                f"未知的出行方式 {mode!r} / unknown travel mode {mode!r}; "
                f"the rules define {', '.join(self.rules.modes)}"
            )
            raise InputError(msg, column="mode")
        if mode not in self._networks:
            if self._graph is not None and self._roads is None:  # a graph given to the study
                graph = self._graph
                self.progress(f"计算{mode}出行时间 / travel times for mode '{mode}'")
                self._networks[mode] = TravelNetwork.from_graph(
                    graph, mode=mode, rules=self.rules, dem=self.dem_path
                )
            else:
                roads = self.roads
                self.progress(f"计算{mode}出行时间 / travel times for mode '{mode}'")
                self._networks[mode] = TravelNetwork.from_roads(
                    roads, mode=mode, rules=self.rules, dem=self.dem_path
                )
        return self._networks[mode]

    @property
    def edges(self) -> gpd.GeoDataFrame:
        """Road edges for maps, one row per road (both directions merged), EPSG:4326.

        ``highway`` and ``geometry``, from :attr:`roads` (or from a graph set on the study).
        """
        if self._edges is None and (self._graph is None or self._roads is not None):
            self._edges = self.roads.edge_layer()
        if self._edges is None:
            import osmnx as ox  # noqa: PLC0415 - heavy import

            edges = ox.graph_to_gdfs(self.graph, nodes=False).reset_index()
            if "reversed" in edges.columns:
                edges = edges[~edges["reversed"].astype(bool)]
            self._edges = edges[["highway", "geometry"]].reset_index(drop=True)
        return self._edges

    _terrain: dict[tuple[object, ...], TerrainNetwork] = field(default_factory=dict, repr=False)

    def travel(
        self,
        mode: str,
        model: str | None = None,
        *,
        friction: str | Path | None = None,
        barriers: gpd.GeoDataFrame | None = None,
        fords: gpd.GeoDataFrame | None = None,
    ) -> TravelNetwork | TerrainNetwork:
        """Return the travel model of one mode: the roads, or terrain walking plus the roads.

        Parameters
        ----------
        mode : str
            ``"walk"``, ``"motorcycle"`` or ``"car"`` (or a mode added in the rules).
        model : {"network", "terrain"}, optional
            Travel model (default ``terrain.travel_model`` of the rules): ``"network"`` is
            :meth:`network` (straight off-road legs to the nearest road); ``"terrain"`` a
            :class:`~lvliang_coverage.network.lattice.TerrainNetwork` over the study area
            (the counties, else the road file's extent) at the DEM's cell, built once per
            mode and inputs.
        friction : str or Path, optional
            Terrain model: GeoTIFF of speed multipliers or land-cover classes.
        barriers : GeoDataFrame, optional
            Terrain model: lines or polygons (any CRS) not to be walked across except over a
            road or at a ford. Default: the study's rivers (the default data's
            ``data/lvliang/rivers.geojson``; a study from the user's files has none).
        fords : GeoDataFrame, optional
            Terrain model: points (any CRS) where walking across a barrier is allowed.

        Returns
        -------
        TravelNetwork or TerrainNetwork
            The model; both answer ``nearest`` and ``within`` alike (times in seconds).

        Raises
        ------
        InputError
            For an unknown model or mode, or the terrain model without an elevation model.
        """
        model = model or self.rules.terrain.travel_model
        if model not in ("network", "terrain"):
            msg = (
                f"出行时间模型只能是 network（路网模型）或 terrain（地形模型），收到 {model!r} / "
                f"the travel model must be 'network' or 'terrain', got {model!r}"
            )
            raise InputError(msg, column="travel_model")
        net = self.network(mode)
        if model == "network":
            return net
        if self.dem_path is None:
            msg = (
                "地形模型需要高程数据，请给出 --dem / "
                "the terrain travel model needs an elevation model: give --dem"
            )
            raise InputError(msg, column="dem")
        walls = self.rivers if barriers is None else barriers
        key = (mode, None if friction is None else str(friction), id(walls), id(fords))
        if key not in self._terrain:
            from lvliang_coverage.network.lattice import TerrainNetwork  # noqa: PLC0415

            area = self.counties if self.counties is not None else self.city
            if area is None:
                extent = roads_extent(self.roads_path)
                area = gpd.GeoDataFrame(
                    geometry=[shapely.box(*extent)] if extent is not None else [],
                    crs=STORAGE_CRS,
                )
            self.progress(f"构建{mode}地形出行模型 / building the terrain travel model ({mode})")
            self._terrain[key] = TerrainNetwork.build(
                net,
                area=area,
                dem=self.dem_path,
                rules=self.rules,
                friction=friction,
                barriers=walls,
                fords=fords,
                progress=self.progress,
            )
        return self._terrain[key]
