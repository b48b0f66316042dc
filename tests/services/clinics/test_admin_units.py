"""Article 7's unit: settlements aggregated to administrative villages (行政村)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lvliang_coverage.services.clinics.units import (
    admin_compliance,
    small_mask,
    unit_keys,
    unit_residents,
)


def _villages() -> pd.DataFrame:
    """甲村 of three settlements (150 residents), 乙村 of one (500), an unnamed point (120)."""
    return pd.DataFrame(
        {
            "village_id": ["a", "b", "c", "d", "e"],
            "name": ["A", "B", "C", "D", "E"],
            "county": "X县",
            "township": "T镇",
            "admin_village": ["甲村", "甲村", "甲村", "乙村", ""],
            "population": [50, 60, 40, 500, 120],
        }
    )


def test_threshold_applies_to_the_sum_of_settlements() -> None:
    v = _villages()
    # 50, 60 and 40 residents are each under 200, and so is their sum 150; 乙村 is not.
    assert unit_residents(v, "admin_village").tolist() == [150, 150, 150, 500, 120]
    small = small_mask(v, unit="admin_village", max_residents=200, exclude_urban=True)
    assert small.tolist() == [True, True, True, False, True]
    # The sum crosses the threshold: 3 settlements of 80 are 240 residents, not small.
    v.loc[:2, "population"] = 80
    small = small_mask(v, unit="admin_village", max_residents=200, exclude_urban=True)
    assert small.tolist() == [False, False, False, False, True]
    # Per settlement each 80-resident settlement is small.
    per = small_mask(v, unit="settlement", max_residents=200, exclude_urban=True)
    assert per.tolist() == [True, True, True, False, True]


def test_three_settlements_one_unserved_is_not_compliant() -> None:
    v = _villages()
    t = v.assign(
        mode="walk",
        small_village=small_mask(v, unit="admin_village", max_residents=200, exclude_urban=True),
        compliant=[True, False, True, True, True],
    )
    a = admin_compliance(t, v).set_index("admin_village")
    jia = a.loc["甲村"]
    assert jia["settlements"] == 3
    assert jia["settlements_served"] == 2
    assert jia["population"] == 150
    assert jia["residents_served"] == 90
    assert jia["share_served"] == pytest.approx(90 / 150)
    assert not jia["compliant"]
    assert jia["failing_settlements"] == "b B"
    assert a.loc["乙村", "compliant"]
    # A row without an administrative village is its own unit, named by itself.
    assert a.loc["E", "settlements"] == 1


def test_uninhabited_settlement_does_not_fail_its_village() -> None:
    v = _villages()
    v.loc[1, "population"] = 0
    t = v.assign(mode="walk", small_village=True, compliant=[True, False, True, True, True])
    a = admin_compliance(t, v).set_index("admin_village")
    assert a.loc["甲村", "compliant"]
    assert a.loc["甲村", "settlements_with_residents"] == 2


def test_registry_of_admin_points_only_is_unchanged() -> None:
    # One point per 行政村 (the 村委会 seat): every row is its own unit, as per settlement.
    v = _villages().assign(admin_village="")
    keys = unit_keys(v)
    assert keys.tolist() == ["a", "b", "c", "d", "e"]
    by_admin = small_mask(v, unit="admin_village", max_residents=200, exclude_urban=True)
    by_point = small_mask(v, unit="settlement", max_residents=200, exclude_urban=True)
    assert np.array_equal(by_admin, by_point)


def test_codes_group_before_names_and_urban_is_excluded() -> None:
    v = _villages().assign(
        admin_code=["141102200001", "141102200001", "141102200002", "", ""],
        urban=[False, False, True, False, False],
    )
    keys = unit_keys(v)
    assert keys[0] == keys[1] == "141102200001"
    assert keys[2] == "141102200002"
    small = small_mask(v, unit="admin_village", max_residents=200, exclude_urban=True)
    assert small.tolist() == [True, True, False, False, True]
    kept = small_mask(v, unit="admin_village", max_residents=200, exclude_urban=False)
    assert kept[2]


def test_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match=r"clinic\.unit"):
        unit_residents(_villages(), "county")
