"""Terrain lattice travel model: hand-worked times on flat ground, ridges, rivers and roads."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine
from netfixtures import METRIC, ORIGIN_X, ORIGIN_Y, lonlat, make_graph, points

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.lattice import TerrainNetwork
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.terrain import DEM

FLAT_KMH = 5.0  # rules speeds.walk.flat_kmh
OFFPATH = 0.6  # rules network.offpath_factor
V0 = FLAT_KMH / 3.6 * OFFPATH  # m/s walking off path on flat ground


def tobler_mps(slope: float) -> float:
    """Walking speed off path (m/s) by Tobler's formula with the project's normalisation."""
    return V0 * math.exp(-3.5 * abs(slope + 0.05)) / math.exp(-3.5 * 0.05)


def dem_from(fn, x0: float = -3000.0, y1: float = 3000.0, n: int = 80) -> DEM:
    """DEM in the local metric CRS, 100 m cells aligned with the lattice; ``fn(x, y)`` local m."""
    xs = x0 + 50.0 + 100.0 * np.arange(n)
    ys = y1 - 50.0 - 100.0 * np.arange(n)
    z = fn(xs[None, :], ys[:, None]) * np.ones((n, n))
    t = Affine(100.0, 0.0, ORIGIN_X + x0, 0.0, -100.0, ORIGIN_Y + y1)
    return DEM(data=z.astype(float), transform=t, crs=METRIC)


def area(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """Study area box from local metres (EPSG:4326)."""
    return shapely.Polygon(
        [lonlat(x0, y0), lonlat(x1, y0), lonlat(x1, y1), lonlat(x0, y1), lonlat(x0, y0)]
    )


def far_road() -> TravelNetwork:
    """A walking network whose only road lies far outside the test areas."""
    g = make_graph({1: (20000.0, 20000.0), 2: (21000.0, 20000.0)}, [(1, 2, {})])
    return TravelNetwork.from_graph(g, mode="walk")


def lattice_16(dx: int, dy: int) -> float:
    """16-neighbour lattice distance in cells: knight + straight, or knight + diagonal moves."""
    a, b = max(abs(dx), abs(dy)), min(abs(dx), abs(dy))
    if 2 * b <= a:
        return b * math.sqrt(5) + (a - 2 * b)
    return (a - b) * math.sqrt(5) + (2 * b - a) * math.sqrt(2)


def octile(dx: int, dy: int) -> float:
    """8-neighbour lattice distance in cells."""
    a, b = max(abs(dx), abs(dy)), min(abs(dx), abs(dy))
    return a + (math.sqrt(2) - 1) * b


@pytest.mark.parametrize("neighbours", [8, 16])
def test_flat_ground_is_the_lattice_distance_at_the_off_path_speed(neighbours):
    net = far_road()
    flat = dem_from(lambda x, y: 0.0 * x + 0.0 * y)
    model = TerrainNetwork.build(
        net, area=area(-1000, -1000, 1000, 1000), dem=flat, neighbours=neighbours
    )
    fac = points([(50.0, 50.0)])
    surf = model.surface(fac)
    rows, cols = surf.minutes.shape
    t = surf.transform
    cx = t.c + (np.arange(cols) + 0.5) * t.a - ORIGIN_X
    cy = t.f + (np.arange(rows) + 0.5) * t.e - ORIGIN_Y
    dist = lattice_16 if neighbours == 16 else octile
    expect = np.array(
        [[dist(round((x - 50) / 100), round((y - 50) / 100)) for x in cx] for y in cy]
    )
    got = surf.minutes * 60.0
    ok = np.isfinite(got)
    assert ok.sum() == 400  # 20 x 20 cells of the 2 km box
    np.testing.assert_allclose(got[ok], (expect * 100.0 / V0)[ok], rtol=1e-5, atol=1e-3)
    # a village at a cell centre: the same figure from nearest()
    village = points([(350.0, 150.0)], col="village_id")
    res = model.nearest(village, fac)
    # move times are stored as float32: 1e-7 relative
    assert res["time_s"].iloc[0] == pytest.approx(dist(3, 1) * 100.0 / V0, rel=1e-6)
    assert res["network_m"].iloc[0] == pytest.approx(dist(3, 1) * 100.0, rel=1e-6)
    assert res["offroad_s"].iloc[0] == pytest.approx(res["time_s"].iloc[0])
    assert res["join_road"].iloc[0] == -1


def test_ridge_uphill_and_downhill_differ_as_tobler_says():
    # a north-south ridge through x = 50 m: 10 % slopes on both sides; with 8 neighbours
    # the straight moves along the row are the fastest (a diagonal is longer and still
    # climbs; a knight's move of the 16-neighbour lattice would jump the ridge top)
    net = far_road()
    ridge = dem_from(lambda x, y: 100.0 - 0.1 * np.abs(x - 50.0) + 0.0 * y)
    model = TerrainNetwork.build(net, area=area(-1000, -500, 1500, 500), dem=ridge, neighbours=8)
    west, east = points([(-250.0, 50.0)]), points([(750.0, 50.0)])  # 3 cells west, 7 east
    up, down = 100.0 / tobler_mps(0.1), 100.0 / tobler_mps(-0.1)
    west_to_east = model.nearest(west, east)["time_s"].iloc[0]
    east_to_west = model.nearest(east, west)["time_s"].iloc[0]
    assert west_to_east == pytest.approx(3 * up + 7 * down, rel=1e-6)
    assert east_to_west == pytest.approx(7 * up + 3 * down, rel=1e-6)
    assert east_to_west > west_to_east


def river_case(fords=None, neighbours=8, river=None):
    """A river at x = 1020 m with one bridge (a road) at y = 2050 m; flat ground."""
    g = make_graph({1: (950.0, 2050.0), 2: (1050.0, 2050.0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="walk")
    if river is None:
        river = gpd.GeoDataFrame(
            geometry=[shapely.LineString([lonlat(1020.0, -3000.0), lonlat(1020.0, 3000.0)])],
            crs="EPSG:4326",
        )
    flat = dem_from(lambda x, y: 0.0 * x + 0.0 * y)
    model = TerrainNetwork.build(
        net,
        area=area(0, -500, 2000, 2500),
        dem=flat,
        barriers=river,
        fords=fords,
        neighbours=neighbours,
    )
    return net, model


@pytest.mark.parametrize("neighbours", [8, 16])
def test_a_river_with_one_bridge_forces_the_detour_through_the_bridge(neighbours):
    net, model = river_case(neighbours=neighbours)
    village, clinic = points([(550.0, 50.0)], col="village_id"), points([(1450.0, 50.0)])
    res = model.nearest(village, clinic)
    # walk 4 cells east and 20 north to the bridge, cross it on the road, walk back down
    dist = lattice_16 if neighbours == 16 else octile
    walk = 2 * dist(4, 20) * 100.0 / V0
    bridge_s = float(net.time_fwd[0])
    assert res["time_s"].iloc[0] == pytest.approx(walk + bridge_s, rel=1e-6)
    assert res["join_road"].iloc[0] == 0
    assert res["offroad_s"].iloc[0] == pytest.approx(walk, rel=1e-6)
    # the surface: the cells east of the river are reached through the bridge only
    surf = model.surface(clinic)
    west_cell = surf.sample(village)[0] * 60.0
    assert west_cell == pytest.approx(walk + bridge_s, rel=1e-5)


def test_a_ford_opens_a_crossing():
    ford = gpd.GeoDataFrame(geometry=[shapely.Point(lonlat(1020.0, 50.0))], crs="EPSG:4326")
    _, model = river_case(fords=ford)
    village, clinic = points([(550.0, 50.0)], col="village_id"), points([(1450.0, 50.0)])
    res = model.nearest(village, clinic)
    assert res["time_s"].iloc[0] == pytest.approx(900.0 / V0, rel=1e-6)
    assert res["join_road"].iloc[0] == -1


def two_roads():
    """Road A 300 m north of the village up a 50 % slope, road B 500 m south on flat ground."""
    nodes = {
        1: (-1950.0, 350.0),
        2: (3050.0, 350.0),
        3: (-1950.0, -450.0),
        4: (3050.0, -450.0),
    }
    g = make_graph(nodes, [(1, 2, {}), (3, 4, {}), (2, 4, {})])
    slope = dem_from(lambda x, y: np.clip(0.5 * (y - 50.0), 0.0, 150.0) + 0.0 * x)
    net = TravelNetwork.from_graph(g, mode="walk", dem=slope)
    model = TerrainNetwork.build(net, area=area(-2000, -1000, 3500, 1000), dem=slope)
    ids = net.node_ids
    road_b = int(
        np.flatnonzero(
            ((ids[net.road_a] == 3) & (ids[net.road_b] == 4))
            | ((ids[net.road_a] == 4) & (ids[net.road_b] == 3))
        )[0]
    )
    return net, model, road_b


def test_a_village_takes_the_farther_road_when_the_slope_says_so():
    net, model, road_b = two_roads()
    village = points([(50.0, 50.0)], col="village_id")
    clinic = points([(3050.0, -450.0)])  # at the east end of B, where the road from A joins
    res = model.nearest(village, clinic)
    # by hand: walk the flat ground (16-neighbour lattice distance) to a split node of B
    # (every 100 m, at cell centres), then the network's own time from that point of B
    xs = 50.0 + 100.0 * np.arange(-15, 25)
    on_b = points([(x, -450.0) for x in xs], col="village_id")
    road_part = net.nearest(on_b, clinic)["time_s"].to_numpy()
    walk = np.array([lattice_16(round((x - 50.0) / 100), 5) for x in xs]) * 100.0 / V0
    best = int(np.argmin(walk + road_part))
    assert res["join_road"].iloc[0] == road_b
    assert res["join_m"].iloc[0] == pytest.approx(np.hypot(xs[best] - 50.0, 500.0), abs=1e-6)
    assert res["time_s"].iloc[0] == pytest.approx(walk[best] + road_part[best], rel=1e-6)
    assert res["offroad_s"].iloc[0] == pytest.approx(walk[best], rel=1e-6)
    # the network model walks straight up the slope to the nearest road (A)
    assert net.nearest(village, clinic)["time_s"].iloc[0] > res["time_s"].iloc[0]


@pytest.mark.parametrize("mode", ["walk", "motorcycle"])
def test_villages_on_roads_get_the_network_models_minutes(mode):
    # a Manhattan grid of roads: walking off them (x 0.6) never beats them
    nodes = {10 * i + j: (600.0 * i, 600.0 * j) for i in range(4) for j in range(4)}
    edges = [(10 * i + j, 10 * (i + 1) + j, {}) for i in range(3) for j in range(4)]
    edges += [(10 * i + j, 10 * i + j + 1, {}) for i in range(4) for j in range(3)]
    g = make_graph(nodes, edges)
    net = TravelNetwork.from_graph(g, mode=mode)
    flat = dem_from(lambda x, y: 0.0 * x + 0.0 * y)
    model = TerrainNetwork.build(net, area=area(-500, -500, 2300, 2300), dem=flat)
    # e shares a road piece (100 m between split nodes) with clinic c1; f is at clinic c2
    villages = points(
        [(0.0, 310.0), (600.0, 1234.0), (1777.0, 1800.0), (1200.0, 0.0), (1800.0, 930.0),
         (0.0, 1800.0)],
        ids=list("abcdef"),
        col="village_id",
    )  # fmt: skip
    clinics = points([(1800.0, 950.0), (0.0, 1800.0)], ids=["c1", "c2"])
    got = model.nearest(villages, clinics)
    want = net.nearest(villages, clinics)
    assert list(got["facility_id"]) == list(want["facility_id"])
    np.testing.assert_allclose(got["time_s"], want["time_s"], rtol=1e-9)
    np.testing.assert_allclose(got["network_m"], want["network_m"], rtol=1e-6)
    np.testing.assert_allclose(got["offroad_s"], 0.0, atol=1e-6)
    assert (got["join_road"] >= 0).all()
    limit = float(want["time_s"].max()) + 1.0
    pairs = model.within(villages, clinics, max_s=limit, id_cols=("village_id", "facility_id"))
    nearest_pairs = pairs.groupby("origin_id")["time_s"].min()
    np.testing.assert_allclose(
        nearest_pairs.loc[list("abcdef")].to_numpy(),
        want["time_s"].to_numpy(),
        rtol=1e-9,
        atol=1e-9,
    )


def test_road_only_modes_are_the_network_model():
    nodes = {1: (0.0, 0.0), 2: (1500.0, 0.0)}
    g = make_graph(nodes, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="car")
    rules = load_rules({"terrain": {"road_only_modes": ["car"]}})
    flat = dem_from(lambda x, y: 0.0 * x + 0.0 * y)
    model = TerrainNetwork.build(net, area=area(-500, -500, 2000, 500), dem=flat, rules=rules)
    villages = points([(100.0, 300.0)], col="village_id")
    clinics = points([(1400.0, 0.0)])
    got, want = model.nearest(villages, clinics), net.nearest(villages, clinics)
    assert got["time_s"].iloc[0] == pytest.approx(want["time_s"].iloc[0], rel=1e-12)
    assert got["join_road"].iloc[0] == 0
    assert got["join_m"].iloc[0] == pytest.approx(300.0, abs=0.5)


def test_delegates_what_it_does_not_implement_to_the_network():
    net = far_road()
    flat = dem_from(lambda x, y: 0.0 * x + 0.0 * y)
    model = TerrainNetwork.build(net, area=area(-500, -500, 500, 500), dem=flat, neighbours=8)
    assert model.model_name == "terrain"
    assert model.mode == "walk"
    assert model.metric_crs == net.metric_crs
    assert model.snap is not None
    assert model.n_cells == 100
    assert model.n_moves == 2 * (2 * 10 * 9 + 2 * 9 * 9)


def test_bad_inputs_give_bilingual_errors(tmp_path):
    net = far_road()
    flat = dem_from(lambda x, y: 0.0 * x + 0.0 * y)
    box = area(-500, -500, 500, 500)
    with pytest.raises(InputError, match="neighbours must be 8 or 16"):
        TerrainNetwork.build(net, area=box, dem=flat, neighbours=12)
    with pytest.raises(InputError, match="邻域"):
        TerrainNetwork.build(
            net, area=box, dem=flat, rules=load_rules({"terrain": {"neighbours": 4}})
        )
    line = gpd.GeoDataFrame(
        geometry=[shapely.LineString([lonlat(0, 0), lonlat(10, 10)])], crs="EPSG:4326"
    )
    with pytest.raises(InputError, match="ford layer may hold only points"):
        TerrainNetwork.build(net, area=box, dem=flat, barriers=line, fords=line)
    pts = points([(0.0, 0.0)])
    with pytest.raises(InputError, match="only lines and polygons"):
        TerrainNetwork.build(net, area=box, dem=flat, barriers=pts)
    with pytest.raises(InputError, match="unknown travel modes"):
        TerrainNetwork.build(
            net, area=box, dem=flat, rules=load_rules({"terrain": {"road_only_modes": ["bus"]}})
        )
    with pytest.raises(InputError, match="study area is empty"):
        TerrainNetwork.build(net, area=shapely.Polygon(), dem=flat)


def test_a_lake_polygon_is_walked_around():
    # a lake 300 m wide (x 860..1180) from y = -3000 to 1000: walk round its north shore
    lake = gpd.GeoDataFrame(
        geometry=[
            shapely.Polygon(
                [lonlat(860, -3000), lonlat(1180, -3000), lonlat(1180, 1000), lonlat(860, 1000)]
            )
        ],
        crs="EPSG:4326",
    )
    _, model = river_case(river=lake)
    village, clinic = points([(550.0, 50.0)], col="village_id"), points([(1450.0, 50.0)])
    res = model.nearest(village, clinic)
    # cells whose centre lies at x 850..1150 and y <= 1050 touch the lake: round by y = 1050
    # from x = 550 to x = 1450, i.e. (3 east, 10 north), (3 east, 0), then (3 east, 10 south)
    want = (2 * octile(3, 10) + 3) * 100.0 / V0
    assert res["time_s"].iloc[0] == pytest.approx(want, rel=1e-6)


def test_terrain_rules_load_with_their_defaults_and_checks():
    t = load_rules().terrain
    assert t.travel_model == "network"
    assert t.cell_m == 100.0
    assert t.neighbours == 16
    assert t.road_only_modes == ()
    assert t.isochrone_minutes == (15.0, 30.0, 60.0)
    assert t.ford_radius_m == 100.0
    assert dict(t.friction_classes) == {}
    over = load_rules({"terrain": {"friction_classes": {"10": 0.8, "50": 0.0}}}).terrain
    assert dict(over.friction_classes) == {"10": 0.8, "50": 0.0}
    with pytest.raises(InputError, match=re.escape("'network' | 'terrain'")):
        load_rules({"terrain": {"travel_model": "raster"}})
    with pytest.raises(InputError, match="must be greater than 0"):
        load_rules({"terrain": {"cell_m": 0.0}})
    with pytest.raises(InputError, match="unknown rules key"):
        load_rules({"terrain": {"cell_size": 50.0}})


def test_without_a_dem_the_ground_is_flat():
    model = TerrainNetwork.build(far_road(), area=area(-500, -500, 500, 500), dem=None)
    res = model.nearest(points([(-350.0, 50.0)], col="village_id"), points([(350.0, 50.0)]))
    assert res["time_s"].iloc[0] == pytest.approx(700.0 / V0, rel=1e-6)


def test_nearest_by_distance_and_within_by_metres():
    # flat, no roads: the shortest path is also the fastest; 16-neighbour distances
    model = TerrainNetwork.build(far_road(), area=area(-1000, -1000, 1000, 1000), dem=None)
    villages = points([(350.0, 150.0), (-450.0, -250.0)], ids=["a", "b"], col="village_id")
    clinics = points([(50.0, 50.0), (-650.0, -650.0)], ids=["near", "far"])
    by_m = model.nearest(villages, clinics, nearest_by="distance")
    assert list(by_m["facility_id"]) == ["near", "far"]
    want_m = np.array([lattice_16(3, 1), lattice_16(2, 4)]) * 100.0
    np.testing.assert_allclose(by_m["network_m"], want_m, rtol=1e-6)
    np.testing.assert_allclose(by_m["time_s"], want_m / V0, rtol=1e-6)
    np.testing.assert_allclose(by_m["offroad_s"], want_m / V0, rtol=1e-6)
    pairs = model.within(villages, clinics, max_m=450.0, id_cols=("village_id", "facility_id"))
    got = {(o, d): m for o, d, m in pairs[["origin_id", "destination_id", "network_m"]].values}
    d_bn = lattice_16(5, 3) * 100.0  # b to near: 5 cells east, 3 north (543 m: beyond)
    assert d_bn > 450.0
    assert set(got) == {("a", "near"), ("b", "far")}
    assert got[("a", "near")] == pytest.approx(want_m[0], rel=1e-6)
    both = model.within(villages, clinics, max_m=600.0, max_s=600.0 / V0)
    assert len(both) == 3


def test_a_finer_dem_in_another_crs_is_resampled_to_the_lattice():
    # a 50 m DEM of a 10 % plane rising east, and the same plane as a 0.0005-degree DEM
    xs = -3000.0 + 25.0 + 50.0 * np.arange(160)
    plane = np.broadcast_to(0.1 * xs[None, :], (160, 160))
    fine = DEM(
        data=np.array(plane),
        transform=Affine(50.0, 0.0, ORIGIN_X - 3000.0, 0.0, -50.0, ORIGIN_Y + 3000.0),
        crs=METRIC,
    )
    model = TerrainNetwork.build(far_road(), area=area(-500, -500, 500, 500), dem=fine)
    east = model.nearest(points([(-350.0, 50.0)], col="village_id"), points([(350.0, 50.0)]))
    assert east["time_s"].iloc[0] == pytest.approx(7 * 100.0 / tobler_mps(0.1), rel=1e-5)
    lon0, lat1 = lonlat(-3000.0, 3000.0)
    level = DEM(
        data=np.full((400, 400), 812.0),
        transform=Affine(0.0005, 0.0, lon0, 0.0, -0.0005, lat1),
        crs="EPSG:4326",
    )
    flat = TerrainNetwork.build(far_road(), area=area(-500, -500, 500, 500), dem=level)
    res = flat.nearest(points([(-350.0, 50.0)], col="village_id"), points([(350.0, 50.0)]))
    assert res["time_s"].iloc[0] == pytest.approx(700.0 / V0, rel=1e-6)


def test_the_nearer_of_two_clinics_on_a_villages_road_piece_wins():
    # both clinics lie on the village's 100 m piece of road (between split nodes): the
    # nearer one is listed first, the farther one last
    g = make_graph({1: (0.0, 0.0), 2: (0.0, 1000.0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="walk")
    model = TerrainNetwork.build(net, area=area(-500, -200, 500, 1200), dem=None)
    village = points([(0.0, 430.0)], col="village_id")
    clinics = points([(0.0, 425.0), (0.0, 440.0)], ids=["near", "far"])
    got, want = model.nearest(village, clinics), net.nearest(village, clinics)
    assert got["facility_id"].iloc[0] == want["facility_id"].iloc[0] == "near"
    assert got["time_s"].iloc[0] == pytest.approx(want["time_s"].iloc[0], rel=1e-9)
    assert got["time_s"].iloc[0] == pytest.approx(5.0 / (5.0 / 3.6), rel=5e-3)


def test_a_village_at_the_end_of_a_high_numbered_road_joins_that_road():
    # thousands of roads far away put the village's road beyond number 8192, where a float
    # key road * 2 + fraction can no longer tell the road's end from the next road's start;
    # the next road (by number) starts 100 m from the clinic but joins nothing
    nodes = {i: (30000.0 + 50.0 * (i // 2) + 20.0 * (i % 2), 30000.0) for i in range(18000)}
    edges = [(2 * k, 2 * k + 1, {}) for k in range(9000)]
    nodes |= {20001: (0.0, 0.0), 20004: (3000.0, 1100.0), 20005: (3100.0, 1100.0)}
    nodes |= {20007: (0.0, 1000.0), 20009: (3000.0, 1000.0)}
    edges += [(20001, 20007, {}), (20004, 20005, {}), (20007, 20009, {})]
    net = TravelNetwork.from_graph(make_graph(nodes, edges), mode="walk")
    village = points([(0.0, 1000.0)], col="village_id")
    snap = net.snap(village)
    assert snap["edge"].iloc[0] > 8192
    assert snap["fraction"].iloc[0] == 1.0
    model = TerrainNetwork.build(net, area=area(-300, -300, 3300, 1300), dem=None)
    clinic = points([(3000.0, 1000.0)])
    got, want = model.nearest(village, clinic), net.nearest(village, clinic)
    assert got["time_s"].iloc[0] == pytest.approx(want["time_s"].iloc[0], rel=1e-9)


def test_a_road_clipping_a_cells_corner_joins_that_cell():
    # flat ground, 100 m cells on multiples of 100 m; the straight road y = x + 90 from
    # (20, 110) to (190, 280) clips the corner of cell C = [100, 200] x [100, 200] between
    # its crossings (100, 190) and (110, 200); C joins the road at the piece's midpoint
    # (105, 195), 45 sqrt 2 m from C's centre and halfway along the road
    g = make_graph({1: (20.0, 110.0), 2: (190.0, 280.0)}, [(1, 2, {})])
    net = TravelNetwork.from_graph(g, mode="motorcycle")
    assert net.time_fwd[0] == pytest.approx(net.time_bwd[0])
    half_road_s = 0.5 * float(net.time_fwd[0])
    model = TerrainNetwork.build(net, area=area(-300, -300, 600, 600), dem=None)
    clinic = points([(190.0, 280.0)])  # at the road's end
    surf = model.surface(clinic)
    t = surf.transform
    row, col = int((t.f - (ORIGIN_Y + 150.0)) / 100.0), int((ORIGIN_X + 150.0 - t.c) / 100.0)
    leg_s = 45.0 * math.sqrt(2.0) / V0
    assert surf.minutes[row, col] * 60.0 == pytest.approx(leg_s + half_road_s, rel=1e-6)
    # through the cell above instead (before the fix): 100 m to its centre alone is slower
    assert leg_s + half_road_s < 100.0 / V0
    # a village in C more than a cell from the road walks to C's centre, then to the piece
    village = points([(190.0, 110.0)], col="village_id")
    res = model.nearest(village, clinic)
    walk_s = (40.0 * math.sqrt(2.0) + 45.0 * math.sqrt(2.0)) / V0
    assert res["time_s"].iloc[0] == pytest.approx(walk_s + half_road_s, rel=1e-6)
    assert res["offroad_s"].iloc[0] == pytest.approx(walk_s, rel=1e-6)
    assert res["join_road"].iloc[0] == 0
    assert res["join_m"].iloc[0] == pytest.approx(85.0 * math.sqrt(2.0), abs=1e-6)


def test_every_cell_a_road_passes_through_is_joined_to_that_road():
    # random roads over a 20 x 20 cell lattice: the cells each road passes through (its
    # intersection with the cell's square has length, by shapely) all hold a node of that
    # road with walking legs to the cell
    rng = np.random.default_rng(3)
    nodes = {i: tuple(rng.uniform(-1500.0, 1500.0, 2)) for i in range(60)}
    edges = [(int(a), int(b), {}) for a, b in rng.integers(0, 60, (80, 2)) if a != b]
    net = TravelNetwork.from_graph(make_graph(nodes, edges), mode="walk")
    model = TerrainNetwork.build(net, area=area(-1000, -1000, 1000, 1000), dem=None)
    lat, grid = model._lat, model._lat.grid
    m = lat.base.matrix.tocoo()  # reversed: row = the cell a leg reaches, col = the road node
    leg = (m.row < grid.n) & (m.col >= grid.n)
    node_road = {}
    for road, node in zip(lat.chain.road.tolist(), lat.chain.node.tolist(), strict=True):
        node_road.setdefault(node, set()).add(road)
    joined = {
        (r, c)
        for n, c in zip(m.col[leg].tolist(), m.row[leg].tolist(), strict=True)
        for r in node_road.get(n, ())
    }
    t = grid.transform
    rows, cols = np.divmod(grid.cells, grid.cols)
    x0, y1 = t.c + cols * t.a, t.f + rows * t.e
    squares = shapely.box(x0, y1 + t.e, x0 + t.a, y1)
    crossed = shapely.length(shapely.intersection(net.road_lines[:, None], squares[None, :]))
    road, cell = np.nonzero(crossed > 1e-6)
    assert len(road) > 1000
    missing = [
        (r, c) for r, c in zip(road.tolist(), cell.tolist(), strict=True) if (r, c) not in joined
    ]
    assert missing == []
