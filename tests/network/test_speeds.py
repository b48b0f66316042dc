"""Tests of the flat-ground speed step (km/h per edge by OSM highway class and mode)."""

from __future__ import annotations

import numpy as np
import pytest
from netfixtures import road_graph

from lvliang_coverage.config import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network._edges import edge_arrays
from lvliang_coverage.network.speeds import edge_speeds, is_walking, max_speed_mps

RULES = load_rules()


def _edges():
    g = road_graph(
        {1: (0, 0), 2: (100, 0), 3: (200, 0), 4: (300, 0)},
        [
            (1, 2, {"highway": "residential", "oneway": True}),
            (2, 3, {"highway": "track", "tracktype": "grade3", "oneway": True}),
            (3, 4, {"highway": "footway", "oneway": True}),
        ],
    )
    return edge_arrays(g)


def test_edge_speeds_follow_the_rules_tables():
    arr = _edges()
    moto = RULES.speeds["motorcycle"]
    np.testing.assert_array_equal(
        edge_speeds(arr, "motorcycle", RULES),
        [moto["residential"], moto["track"] * moto["track_grade_factor"]["grade3"], np.nan],
    )
    walk = RULES.speeds["walk"]["flat_kmh"]
    np.testing.assert_array_equal(edge_speeds(arr, "walk", RULES), [walk, walk, walk])
    assert is_walking("walk", RULES)
    assert not is_walking("car", RULES)
    assert max_speed_mps("car", RULES) == pytest.approx(RULES.speeds["car"]["trunk"] / 3.6)


def test_unknown_mode_raises():
    with pytest.raises(InputError, match="unknown travel mode"):
        edge_speeds(_edges(), "horse", RULES)
