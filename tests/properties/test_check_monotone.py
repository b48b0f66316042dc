"""Monotone rules of the article-7 check on small random road graphs (hypothesis).

More clinics, a larger service radius or a longer time limit never make a village that
complied fail, so the number of compliant villages never drops.
"""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from netfixtures import point_rows, road_graph

from lvliang_coverage import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.services.clinics.check import check_mode

STEP_M = 800.0  # grid spacing of the random road graphs, metres
CLASSES = ["residential", "unclassified", "track", "path", "tertiary"]
RULES = load_rules()
PROPERTY = settings(max_examples=30, deadline=None, database=None)


@cache
def network(seed: int, mode: str) -> TravelNetwork:
    """A jittered grid (3x3 or 4x4 nodes) with some edges dropped and mixed road classes."""
    rng = np.random.default_rng(seed)
    side = int(rng.integers(3, 5))
    nodes = {
        i * side + j: (i * STEP_M + rng.uniform(-200, 200), j * STEP_M + rng.uniform(-200, 200))
        for i in range(side)
        for j in range(side)
    }
    edges = []
    for a in nodes:
        i, j = divmod(a, side)
        for b, ok in ((a + side, i + 1 < side), (a + 1, j + 1 < side)):
            if ok and rng.random() > 0.2:
                attrs = {"highway": CLASSES[int(rng.integers(len(CLASSES)))]}
                if rng.random() < 0.15:
                    attrs["oneway"] = True
                edges.append((a, b, attrs))
    return TravelNetwork.from_graph(road_graph(nodes, edges), mode=mode, rules=RULES)


coord = st.integers(-600, 3000).map(float)
point = st.tuples(coord, coord)
population = st.sampled_from([50, 150, 199, 200, 201, 600])


@st.composite
def cases(draw: st.DrawFn) -> tuple:
    """A network, villages (some small, some large) and clinics drawn at random."""
    net = network(draw(st.integers(0, 5)), draw(st.sampled_from(["walk", "car"])))
    spots = draw(st.lists(point, min_size=1, max_size=8))
    villages = point_rows(
        [
            {
                "village_id": f"v{k}",
                "name": f"村{k}",
                "county": "样例县",
                "township": "样例镇",
                "population": draw(population),
                "x": x,
                "y": y,
            }
            for k, (x, y) in enumerate(spots)
        ],
        id_col="village_id",
    )
    clinic_xy = draw(st.lists(point, min_size=0, max_size=3))
    measure = draw(st.sampled_from(["euclidean", "network"]))
    return net, villages, clinic_xy, measure


def clinics(xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    """Clinic layer from local metre coordinates (may be empty)."""
    if not xy:
        return gpd.GeoDataFrame({"facility_id": []}, geometry=[], crs="EPSG:4326")
    rows = [{"facility_id": f"c{k}", "x": x, "y": y} for k, (x, y) in enumerate(xy)]
    return point_rows(rows, id_col="facility_id")


def compliant(net, villages, clinic_xy, **clinic_rules) -> set[str]:
    """Ids of the villages that comply under the given ``[clinic]`` overrides."""
    rules = load_rules({"clinic": clinic_rules})
    table = check_mode(villages, clinics(clinic_xy), net, rules)
    return set(table.loc[table["compliant"], "village_id"])


@PROPERTY
@given(case=cases(), extra=point)
def test_adding_a_clinic_never_lowers_compliance(case, extra):
    net, villages, clinic_xy, measure = case
    before = compliant(net, villages, clinic_xy, radius_measure=measure)
    after = compliant(net, villages, [*clinic_xy, extra], radius_measure=measure)
    assert before <= after
    assert len(after) >= len(before)


@PROPERTY
@given(
    case=cases(),
    radii=st.lists(st.floats(0.2, 5.0), min_size=2, max_size=2).map(sorted),
    minutes=st.floats(2.0, 60.0),
)
def test_a_larger_radius_never_lowers_compliance(case, radii, minutes):
    net, villages, clinic_xy, measure = case
    small, large = (
        compliant(
            net,
            villages,
            clinic_xy,
            radius_measure=measure,
            service_radius_km=r,
            max_travel_min=minutes,
        )
        for r in radii
    )
    assert small <= large


@PROPERTY
@given(
    case=cases(),
    radius=st.floats(0.2, 5.0),
    limits=st.lists(st.floats(2.0, 60.0), min_size=2, max_size=2).map(sorted),
)
def test_a_longer_time_limit_never_lowers_compliance(case, radius, limits):
    net, villages, clinic_xy, measure = case
    short, long = (
        compliant(
            net,
            villages,
            clinic_xy,
            radius_measure=measure,
            service_radius_km=radius,
            max_travel_min=t,
        )
        for t in limits
    )
    assert short <= long
