"""Tests of the pluggable off-road leg model (rules key ``network.offroad_model``)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from netfixtures import point_rows, road_graph

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.offroad import (
    OFFROAD_MODELS,
    offroad_model,
    register_offroad_model,
    tobler_straight,
    walk_flat_kmh,
)
from lvliang_coverage.network.routing import TravelNetwork

RULES = load_rules()
NET = RULES.network
FLAT_KMH = RULES.speeds["walk"]["flat_kmh"]


def _per_metre(length_m, z_start, z_end, network, flat_kmh, /):
    """One second per straight-line metre, whatever the slope."""
    return np.asarray(length_m, dtype=float) * 1.0


@pytest.fixture
def per_metre_rules():
    register_offroad_model("per_metre", _per_metre)
    try:
        yield load_rules({"network": {"offroad_model": "per_metre"}})
    finally:
        OFFROAD_MODELS.pop("per_metre", None)


def test_default_model_is_tobler_straight():
    assert RULES.network.offroad_model == "tobler_straight"
    assert offroad_model(RULES) is tobler_straight
    assert walk_flat_kmh(RULES) == FLAT_KMH


def test_default_model_matches_hand_computed_tobler_legs():
    # flat 100 m: Tobler gives exactly the flat speed
    flat_mps = FLAT_KMH * math.exp(-3.5 * 0.05) / math.exp(-0.175) / 3.6
    flat_s = 100.0 * NET.offroad_winding / (flat_mps * NET.offpath_factor)
    # 100 m rising 10 m (S = 0.1) and back down (S = -0.1)
    up_mps = FLAT_KMH * math.exp(-3.5 * abs(0.1 + 0.05)) / math.exp(-0.175) / 3.6
    down_mps = FLAT_KMH * math.exp(-3.5 * abs(-0.1 + 0.05)) / math.exp(-0.175) / 3.6
    up_s = 100.0 * NET.offroad_winding / (up_mps * NET.offpath_factor)
    down_s = 100.0 * NET.offroad_winding / (down_mps * NET.offpath_factor)
    length = np.array([100.0, 100.0, 100.0, 100.0, 0.0])
    z0 = np.array([50.0, np.nan, 50.0, 60.0, 50.0])
    z1 = np.array([50.0, 80.0, 60.0, 50.0, 90.0])
    got = tobler_straight(length, z0, z1, NET, FLAT_KMH)
    # flat, unknown elevation (= flat), uphill, downhill, empty leg
    np.testing.assert_allclose(got, [flat_s, flat_s, up_s, down_s, 0.0], rtol=1e-12)
    assert flat_s == pytest.approx(100 * 1.2 / (5 / 3.6 * 0.6))  # 144 s with the shipped rules


def test_unknown_model_raises_naming_the_key():
    rules = load_rules({"network": {"offroad_model": "no_such_model"}})
    with pytest.raises(InputError, match=re.escape("network.offroad_model")) as err:
        offroad_model(rules)
    assert err.value.column == "network.offroad_model"
    g = road_graph({1: (0, 0), 2: (1000, 0)}, [(1, 2)])
    with pytest.raises(InputError, match="no_such_model"):
        TravelNetwork.from_graph(g, mode="walk", rules=rules)


def test_custom_model_changes_leg_time_in_nearest(per_metre_rules):
    g = road_graph({1: (0, 0), 2: (1000, 0)}, [(1, 2)])
    village = point_rows([{"village_id": "v", "x": 500.0, "y": 40.0}], id_col="village_id")
    clinic = point_rows([{"facility_id": "c", "x": 1000.0, "y": 0.0}], id_col="facility_id")
    default = TravelNetwork.from_graph(g, mode="walk", rules=RULES)
    custom = TravelNetwork.from_graph(g, mode="walk", rules=per_metre_rules)
    snap_d, snap_c = default.snap(village), custom.snap(village)
    dist = snap_c.loc[0, "distance_m"]
    assert dist == pytest.approx(40.0, abs=0.05)
    assert snap_c.loc[0, "leg_s"] == pytest.approx(dist, rel=1e-12)  # 1 s per metre
    assert snap_c.loc[0, "leg_in_s"] == pytest.approx(dist, rel=1e-12)
    assert snap_c.loc[0, "leg_m"] == snap_d.loc[0, "leg_m"]  # the leg length is unchanged
    res_d = default.nearest(village, clinic)
    res_c = custom.nearest(village, clinic)
    assert res_c.loc[0, "facility_id"] == res_d.loc[0, "facility_id"] == "c"
    assert res_c.loc[0, "network_m"] == res_d.loc[0, "network_m"]
    # only the village's leg changes (the clinic sits on node 2: its leg is ~0 s in both)
    delta = res_c.loc[0, "time_s"] - res_d.loc[0, "time_s"]
    assert delta == pytest.approx(dist - snap_d.loc[0, "leg_s"], abs=1e-6)
    road_s = 500.0 / (FLAT_KMH / 3.6)  # 500 m of flat road to node 2
    assert res_c.loc[0, "time_s"] == pytest.approx(road_s + dist, abs=1e-6)
