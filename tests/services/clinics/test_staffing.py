"""Article 8: 3 doctors at 10,000 residents or more, 2 below."""

import pandas as pd

from lvliang_coverage import load_rules
from lvliang_coverage.services.clinics.staffing import (
    county_staffing,
    required_doctors,
    township_staffing,
)


def test_threshold_exactly():
    assert list(required_doctors([9_999, 10_000, 10_001, 0])) == [2, 3, 3, 2]


def test_threshold_follows_rules():
    rules = load_rules({"staffing": {"large_township_min_residents": 5000, "doctors_large": 4}})
    assert list(required_doctors([4_999, 5_000], rules)) == [2, 4]


def test_township_table():
    villages = pd.DataFrame(
        {
            "county": ["A", "A", "A", "B", "B"],
            "township": ["a1", "a1", "a2", "b1", "b1"],
            # a1: 9,999 residents -> 2 doctors; a2: 10,000 -> 3; b1: 12,000 -> 3
            "population": [9_000, 999, 10_000, 6_000, 6_000],
        }
    )
    centres = pd.DataFrame(
        {
            "county": ["A", "A", "B", "B"],
            "township": ["a1", "a2", "b1", "b1"],
            "doctors": [3, 1, 1, 1],  # b1 has two centres with one doctor each
        }
    )
    table = township_staffing(villages, centres).set_index("township")
    assert table.loc["a1", "population"] == 9_999
    assert table.loc["a1", "required_doctors"] == 2
    assert table.loc["a1", "shortfall"] == 0  # surplus is not negative shortfall
    assert table.loc["a2", "required_doctors"] == 3
    assert table.loc["a2", "shortfall"] == 2
    assert table.loc["b1", "current_doctors"] == 2
    assert table.loc["b1", "shortfall"] == 1
    counties = county_staffing(table.reset_index()).set_index("county")
    assert counties.loc["A", "shortfall"] == 2
    assert counties.loc["A", "townships_short"] == 1
    assert counties.loc["B", "required_doctors"] == 3


def test_township_without_centre_counts_zero():
    villages = pd.DataFrame({"county": ["A"], "township": ["t"], "population": [50]})
    centres = pd.DataFrame({"county": [], "township": [], "doctors": []})
    table = township_staffing(villages, centres)
    assert table.loc[0, "current_doctors"] == 0
    assert table.loc[0, "shortfall"] == 2


def test_without_a_health_centre_registry_current_staff_is_unknown():
    villages = pd.DataFrame(
        {"county": ["A", "A"], "township": ["t", "u"], "population": [12_000, 50]}
    )
    table = township_staffing(villages, None)
    assert table["required_doctors"].tolist() == [3, 2]
    assert table["current_doctors"].isna().all()
    assert table["shortfall"].isna().all()
    counties = county_staffing(table)
    assert counties.loc[0, "required_doctors"] == 5
    assert pd.isna(counties.loc[0, "shortfall"])
    assert pd.isna(counties.loc[0, "townships_short"])
