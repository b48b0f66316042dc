"""Travel-time surfaces: against MCP_Geometric and networkx, GeoTIFF, isochrones, friction."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from netfixtures import METRIC, ORIGIN_X, ORIGIN_Y, make_graph, points
from scipy.sparse import csgraph
from skimage.graph import MCP_Geometric

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.lattice import TerrainNetwork
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.surface import NODATA, TravelSurface
from lvliang_coverage.network.terrain import DEM

V0 = 5.0 / 3.6 * 0.6  # m/s: rules speeds.walk.flat_kmh x network.offpath_factor
HALF = 600.0  # the test lattices cover -600..600 m around the origin: 12 x 12 cells


def tobler_mps(slope: float) -> float:
    """Off-path walking speed (m/s), Tobler with the project's normalisation."""
    return V0 * math.exp(-3.5 * abs(slope + 0.05)) / math.exp(-3.5 * 0.05)


def box() -> gpd.GeoDataFrame:
    """The study area of the 12 x 12 cell lattice, in the local metric CRS."""
    square = shapely.box(ORIGIN_X - HALF, ORIGIN_Y - HALF, ORIGIN_X + HALF, ORIGIN_Y + HALF)
    return gpd.GeoDataFrame(geometry=[square], crs=METRIC)


def grid_dem(z: np.ndarray) -> DEM:
    """DEM on exactly the lattice's cells (local metric CRS, 100 m)."""
    t = Affine(100.0, 0.0, ORIGIN_X - HALF, 0.0, -100.0, ORIGIN_Y + HALF)
    return DEM(data=z.astype(float), transform=t, crs=METRIC)


def write_raster(path, data: np.ndarray, *, nodata=None, extent: float = HALF):
    """GeoTIFF on the lattice's cells (or a smaller square extent), local metric CRS."""
    t = Affine(100.0, 0.0, ORIGIN_X - extent, 0.0, -100.0, ORIGIN_Y + extent)
    with rasterio.open(
        path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
        dtype=data.dtype, crs=METRIC, transform=t, nodata=nodata,
    ) as dst:  # fmt: skip
        dst.write(data, 1)
    return path


def far_road() -> TravelNetwork:
    """A walking network whose one road lies far outside the lattice."""
    g = make_graph({1: (20000.0, 20000.0), 2: (21000.0, 20000.0)}, [(1, 2, {})])
    return TravelNetwork.from_graph(g, mode="walk")


def centre_points(cells: list[tuple[int, int]], col: str = "facility_id"):
    """Points at the centres of lattice cells (row, col)."""
    xy = [(-HALF + 50.0 + 100.0 * c, HALF - 50.0 - 100.0 * r) for r, c in cells]
    return points(xy, col=col)


def test_surface_agrees_with_mcp_geometric_on_an_isotropic_case(tmp_path):
    rng = np.random.default_rng(3)
    mult = rng.uniform(0.3, 1.5, size=(12, 12)).astype(np.float32)
    friction = write_raster(tmp_path / "friction.tif", mult)
    flat = grid_dem(np.zeros((12, 12)))
    model = TerrainNetwork.build(far_road(), area=box(), dem=flat, friction=friction, neighbours=8)
    starts = [(2, 3), (9, 8)]
    surf = model.surface(centre_points(starts))
    # MCP_Geometric: a move costs its length in cells x the mean of the two cells' costs
    pace = 100.0 / (V0 * mult.astype(float))  # seconds per cell length in each cell
    cum, _ = MCP_Geometric(pace, fully_connected=True).find_costs(starts)
    assert surf.minutes.shape == (12, 12)
    np.testing.assert_allclose(surf.minutes * 60.0, cum, rtol=2e-6, atol=1e-3)
    # and each cell's facility is the one MCP's traceback leads to
    assert set(np.unique(surf.facility)) == {0, 1}


@pytest.mark.parametrize("neighbours", [8, 16])
def test_surface_agrees_with_networkx_dijkstra_on_an_anisotropic_case(neighbours):
    r, c = np.mgrid[0:12, 0:12]
    z = 40.0 * np.sin(c / 2.5) + 25.0 * np.cos(r / 3.0) + 3.0 * r  # hills, slopes both ways
    model = TerrainNetwork.build(far_road(), area=box(), dem=grid_dem(z), neighbours=neighbours)
    start = (5, 6)
    surf = model.surface(centre_points([start]))
    moves = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]
    if neighbours == 16:
        moves += [(dr, dc) for dr in (-2, -1, 1, 2) for dc in (-2, -1, 1, 2) if abs(dr) != abs(dc)]
    g = nx.DiGraph()
    for i in range(12):
        for j in range(12):
            for dr, dc in moves:
                a, b = i + dr, j + dc
                if 0 <= a < 12 and 0 <= b < 12:
                    length = 100.0 * math.hypot(dr, dc)
                    slope = (z[a, b] - z[i, j]) / length
                    g.add_edge((i, j), (a, b), w=length / tobler_mps(slope))
    to_start = nx.single_source_dijkstra_path_length(g.reverse(), start, weight="w")
    want = np.array([[to_start[(i, j)] for j in range(12)] for i in range(12)])
    np.testing.assert_allclose(surf.minutes * 60.0, want, rtol=2e-6, atol=1e-3)


def flat_surface() -> TravelSurface:
    model = TerrainNetwork.build(
        far_road(), area=box(), dem=grid_dem(np.zeros((12, 12))), neighbours=16
    )
    return model.surface(centre_points([(4, 4)]))


def test_geotiff_round_trip(tmp_path):
    surf = flat_surface()
    surf.minutes[0, 0] = np.nan  # an unreached cell
    path = surf.write_geotiff(tmp_path / "travel_time_walk.tif")
    with rasterio.open(path) as src:
        assert src.dtypes[0] == "float32"
        assert src.nodata == NODATA
        assert src.crs == rasterio.crs.CRS.from_user_input(METRIC)
        assert src.transform == surf.transform
        assert src.compression is not None
        assert src.compression.name.lower() == "deflate"
        assert src.profile["tiled"]
        tags = src.tags()
        data = src.read(1)
    for key in ("model", "mode", "cell_m", "neighbours", "friction", "barriers", "fords",
                "offpath_factor", "flat_kmh", "created"):  # fmt: skip
        assert key in tags
    assert tags["model"] == "terrain"
    assert tags["neighbours"] == "16"
    assert tags["cell_m"] == "100"
    assert data[0, 0] == NODATA
    np.testing.assert_array_equal(data[1:, 1:], surf.minutes[1:, 1:])
    assert not list(tmp_path.glob(".*partial"))


def test_isochrones_hold_exactly_the_cells_within_each_limit():
    surf = flat_surface()
    limits = [3.0, 8.0, 15.0]
    iso = surf.isochrones(limits).to_crs(METRIC)
    rows, cols = surf.minutes.shape
    cx = ORIGIN_X - HALF + 50.0 + 100.0 * np.arange(cols)
    cy = ORIGIN_Y + HALF - 50.0 - 100.0 * np.arange(rows)
    xx, yy = np.meshgrid(cx, cy)
    for m, geom, area_km2 in zip(iso["minutes"], iso.geometry, iso["area_km2"], strict=True):
        inside = surf.minutes <= m
        assert area_km2 == pytest.approx(inside.sum() * 0.01)
        np.testing.assert_array_equal(shapely.contains_xy(geom, xx, yy), inside)
        assert geom.area == pytest.approx(inside.sum() * 1e4, rel=0.1)
    assert list(iso["minutes"]) == limits
    with pytest.raises(InputError, match="isochrone minutes must be positive"):
        surf.isochrones([0])


def test_sample_reads_the_cell_under_each_point():
    surf = flat_surface()
    pts = centre_points([(4, 4), (4, 7)], col="village_id")
    far = points([(5000.0, 5000.0)], col="village_id")
    got = surf.sample(pts)
    assert got[0] == pytest.approx(0.0, abs=1e-6)
    assert got[1] == pytest.approx(300.0 / V0 / 60.0, rel=1e-6)
    assert np.isnan(surf.sample(far)[0])


def test_land_cover_classes_map_to_speed_multipliers(tmp_path):
    classes = np.where(np.arange(12)[None, :] < 6, 10, 20) * np.ones((12, 1))
    path = write_raster(tmp_path / "landcover.tif", classes.astype(np.int16))
    rules = load_rules({"terrain": {"friction_classes": {"10": 1.0, "20": 0.5}}})
    flat = grid_dem(np.zeros((12, 12)))
    model = TerrainNetwork.build(
        far_road(), area=box(), dem=flat, friction=path, rules=rules, neighbours=8
    )
    surf = model.surface(centre_points([(6, 2)]))
    # east along row 6: 3 moves in class 10, one move half in each, then class 20 (half speed)
    v = V0
    want = 3 * 100.0 / v + (50.0 / v + 50.0 / (0.5 * v)) + 3 * 100.0 / (0.5 * v)
    assert surf.minutes[6, 9] * 60.0 == pytest.approx(want, rel=1e-6)
    bad = load_rules({"terrain": {"friction_classes": {"10": 1.0}}})
    with pytest.raises(InputError, match="land-cover codes missing") as err:
        TerrainNetwork.build(far_road(), area=box(), dem=flat, friction=path, rules=bad)
    assert "20" in err.value.message


def test_friction_raster_must_cover_the_area(tmp_path):
    small = write_raster(tmp_path / "small.tif", np.ones((6, 6), np.float32), extent=300.0)
    flat = grid_dem(np.zeros((12, 12)))
    with pytest.raises(InputError, match="does not cover the study area") as err:
        TerrainNetwork.build(far_road(), area=box(), dem=flat, friction=small)
    assert "摩擦栅格不覆盖研究区" in err.value.message
    holes = np.ones((12, 12), np.float32)
    holes[3, 3] = -1.0
    nodata = write_raster(tmp_path / "holes.tif", holes, nodata=-1.0)
    with pytest.raises(InputError, match="1 cells"):
        TerrainNetwork.build(far_road(), area=box(), dem=flat, friction=nodata)


def test_a_road_only_modes_surface_is_the_network_models_trip_from_each_cell():
    g = make_graph({1: (-HALF, 0.0), 2: (HALF, 0.0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="car")
    rules = load_rules({"terrain": {"road_only_modes": ["car"]}})
    model = TerrainNetwork.build(net, area=box(), dem=grid_dem(np.zeros((12, 12))), rules=rules)
    clinic = centre_points([(5, 8)])
    surf = model.surface(clinic)
    cells = centre_points([(0, 0), (11, 3), (6, 6)], col="village_id")
    want = net.nearest(cells, clinic)["time_s"].to_numpy() / 60.0
    np.testing.assert_allclose(surf.sample(cells), want, rtol=1e-6)
    assert (surf.facility[np.isfinite(surf.minutes)] == 0).all()


def test_the_surface_searches_the_models_arrays_in_place(monkeypatch):
    # scipy's dijkstra converts (copies) a graph whose data is not float64 or whose index
    # arrays are not int32; the surface hands it views of the model's own arrays (a lattice
    # of 130 x 130 cells: over 200,000 moves, more than the spare room after them, below
    # which scipy's csr_matrix copies a view of a buffer twice its size)
    g = make_graph({1: (-450.0, 50.0), 2: (450.0, 50.0)}, [(1, 2, {})])
    square = shapely.box(ORIGIN_X - 6500.0, ORIGIN_Y - 6500.0, ORIGIN_X + 6500.0, ORIGIN_Y + 6500.0)
    model = TerrainNetwork.build(
        TravelNetwork.from_graph(g, mode="walk"),
        area=gpd.GeoDataFrame(geometry=[square], crs=METRIC),
        dem=None,
        neighbours=16,
    )
    seen = []
    real = csgraph.dijkstra

    def spy(matrix, **kwargs):
        seen.append(matrix)
        return real(matrix, **kwargs)

    monkeypatch.setattr(csgraph, "dijkstra", spy)
    surf = model.surface(points([(50.0, 50.0)]))
    (m,) = seen
    assert (m.data.dtype, m.indices.dtype, m.indptr.dtype) == (np.float64, np.int32, np.int32)
    base = model._lat.base.matrix
    assert np.shares_memory(m.data, base.data)
    assert np.shares_memory(m.indices, base.indices)
    assert np.nanmin(surf.minutes) == pytest.approx(0.0, abs=1e-6)
