"""Shares served per township: the figures the maps colour townships by at city scale."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from lvliang_coverage.errors import InputError
from lvliang_coverage.services.townships import SHARE_COLUMNS, township_areas, township_shares


@pytest.fixture
def villages() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "county": ["甲县", "甲县", "甲县", "甲县", "乙县", "乙县"],
            "township": ["一镇", "一镇", "一镇", "二镇", "一镇", "一镇"],
            "population": [100, 50, 150, 80, 10, 30],
            "compliant": [True, False, True, False, pd.NA, True],
        }
    )


def test_share_of_villages(villages):
    out = township_shares(villages, served="compliant", weight=None)
    assert list(out.columns) == SHARE_COLUMNS
    # 乙县一镇: 1 of 2 (missing counts as not served); 甲县一镇: 2 of 3; 甲县二镇: 0 of 1
    assert out.to_dict("list") == {
        "county": ["乙县", "甲县", "甲县"],
        "township": ["一镇", "一镇", "二镇"],
        "units": [2, 3, 1],
        "served": [1, 2, 0],
        "share": [0.5, 2 / 3, 0.0],
    }


def test_share_of_residents(villages):
    out = township_shares(villages, served="compliant", weight="population").set_index(
        ["county", "township"]
    )
    assert out.loc[("甲县", "一镇"), "units"] == 300
    assert out.loc[("甲县", "一镇"), "served"] == 250
    assert out.loc[("甲县", "一镇"), "share"] == pytest.approx(250 / 300)
    assert out.loc[("乙县", "一镇"), "share"] == pytest.approx(30 / 40)


def test_no_units_give_no_share():
    table = pd.DataFrame(
        {"c": ["甲县"], "t": ["一镇"], "elderly": [0], "ok": [False]}, dtype=object
    ).astype({"elderly": int, "ok": bool})
    out = township_shares(table, served="ok", weight="elderly", county="c", township="t")
    assert out["units"].tolist() == [0]
    assert np.isnan(out["share"].iloc[0])


def test_missing_or_non_numeric_columns_are_named(villages):
    with pytest.raises(InputError, match="served_by") as info:
        township_shares(villages, served="served_by", weight=None)
    assert info.value.column == "served_by"
    bad = villages.assign(population=["x", 1, 2, 3, 4, 5])
    with pytest.raises(InputError, match="population"):
        township_shares(bad, served="compliant", weight="population")


def test_areas_keep_every_polygon(villages):
    polygons = gpd.GeoDataFrame(
        {"county": ["甲县", "甲县", "丙县"], "name": ["一镇", "二镇", "三镇"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs="EPSG:4326",
    )
    shares = township_shares(villages, served="compliant", weight=None)
    areas = township_areas(polygons, shares)
    assert areas.crs == polygons.crs
    assert areas["township"].tolist() == ["一镇", "二镇", "三镇"]
    assert areas["units"].tolist() == [3, 1, 0]
    assert areas["share"].iloc[:2].tolist() == [2 / 3, 0.0]
    assert np.isnan(areas["share"].iloc[2])  # nothing to serve: drawn as "none"
    assert township_areas(None, shares) is None
    with pytest.raises(InputError, match="township layer"):
        township_areas(polygons.drop(columns="name"), shares)
