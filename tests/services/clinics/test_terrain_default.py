"""The terrain travel model on the whole default data: one check, its tables and figures."""

import numpy as np
import pandas as pd
import pytest

from lvliang_coverage.services.clinics.analysis import run_check
from lvliang_coverage.services.clinics.terrain import REASONS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checked(default_study):
    study = default_study
    return run_check(study, study.rules, travel="terrain", with_plan=False)


def test_units_and_model_column(checked):
    table = checked.mode_table()
    assert set(table["travel_model"]) == {"terrain"}
    admin = checked.admin_table
    assert len(admin) == 2175  # the 行政村 do not depend on the travel model
    assert int(admin["small_village"].sum()) == 369
    assert set(admin["travel_model"]) == {"terrain"}


def test_comparison_rows_change_status_and_have_a_reason(checked, default_study):
    table = checked.mode_table().set_index("village_id")
    comparison = checked.terrain.comparison
    assert len(comparison) > 0
    assert set(comparison["reason"]) <= set(REASONS)
    changed = (comparison["network_within_time"] != comparison["terrain_within_time"]) | (
        comparison["network_compliant"] != comparison["terrain_compliant"]
    )
    assert changed.all()
    rows = table.loc[comparison["village_id"]]
    assert (rows["within_time"].to_numpy() == comparison["terrain_within_time"].to_numpy()).all()
    assert (rows["compliant"].to_numpy() == comparison["terrain_compliant"].to_numpy()).all()
    # a river reason means the straight leg crosses a mapped river: the default data has them
    assert default_study.rivers is not None


def test_township_sums_add_up_to_the_villages(checked, default_study):
    towns = checked.terrain.townships
    assert towns["residents"].sum() == default_study.villages["population"].sum()
    table = checked.mode_table()
    within = table.loc[table["within_time"], "population"].sum()
    assert towns["residents_within_time"].sum() == within
    share = towns["share_within_time"].dropna()
    assert share.between(0, 1).all()


def test_surface_agrees_with_village_times(checked, default_study):
    surface = checked.rasters()["travel_time_walk.tif"]
    cell = surface.sample(default_study.villages)
    times = checked.mode_table()["travel_min"].to_numpy(float)
    both = np.isfinite(cell) & np.isfinite(times)
    assert both.mean() > 0.9
    # the cell's minutes and the village's own trip differ by the walk inside one cell
    gap = np.abs(cell[both] - times[both])
    assert np.median(gap) < 3.0
    iso = checked.travel_isochrones()
    assert iso["minutes"].tolist() == [15.0, 30.0, 60.0]
    assert pd.Series(iso["area_km2"]).is_monotonic_increasing
