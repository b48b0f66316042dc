"""Default-data clinic plan: the decomposed models give the figures of the whole-model solves."""

from __future__ import annotations

import pytest

from lvliang_coverage.services.clinics.analysis import make_plan

# Covered residents of small villages for p = 0, 2, ..., 49 new clinics, as the previous
# (one HiGHS call per model and p, undecomposed) engine solved them on the default data.
CURVE_P = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25, 27, 29, 31, 33, 35, 37, 39, 41]
CURVE_P += [43, 45, 47, 49]
CURVE_W = [23410, 24046, 24560, 24996, 25385, 25772, 26155, 26534, 26898, 27249, 27587, 27920]
CURVE_W += [28221, 28368, 28655, 28930, 29196, 29461, 29712, 29947, 30164, 30358, 30539, 30703]
CURVE_W += [30853, 30970]


@pytest.fixture(scope="module")
def plan(default_study):
    return make_plan(default_study, default_study.rules)


def test_lscp_needs_49_new_clinics_proved_optimal(plan):
    assert plan.lscp.n_new == 49
    assert plan.lscp.status == "optimal"
    assert plan.lscp.mip_gap == 0


def test_coverage_curve_is_unchanged(plan):
    assert plan.curve["p"].tolist() == CURVE_P
    assert plan.curve["covered_weight"].tolist() == pytest.approx(CURVE_W)
    assert (plan.curve["status"] == "optimal").all()
    assert (plan.curve["n_new"] == plan.curve["p"]).all()
