"""Covering models (LSCP, MCLP, coverage curve) against hand-worked optima and brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from optimise_cases import HAND_PAIRS, random_cover
from scipy import sparse

from lvliang_coverage.errors import InputError
from lvliang_coverage.optimise._cover import drop_redundant
from lvliang_coverage.optimise._pairs import encode_pairs
from lvliang_coverage.optimise.covering import LSCP, MCLP, coverage_curve

# ---------------------------------------------------------------- helpers


def covered_by(mask, open_cols):
    if not open_cols:
        return np.zeros(mask.shape[0], dtype=bool)
    return mask[:, list(open_cols)].any(axis=1)


def brute_lscp(mask, existing_cols):
    n_cand = mask.shape[1]
    coverable = mask.any(axis=1)
    new = [j for j in range(n_cand) if j not in existing_cols]
    for k in range(len(new) + 1):
        for subset in itertools.combinations(new, k):
            if (covered_by(mask, list(existing_cols) + list(subset)) >= coverable).all():
                return k
    raise AssertionError("unreachable: opening everything covers all coverable demands")


def brute_mclp(mask, weights, p, existing_cols):
    new = [j for j in range(mask.shape[1]) if j not in existing_cols]
    best = 0.0
    for k in range(min(p, len(new)) + 1):
        for subset in itertools.combinations(new, k):
            cov = covered_by(mask, list(existing_cols) + list(subset))
            best = max(best, float(weights[cov].sum()))
    return best


def check_pairs_cover(pairs, covered, open_ids):
    """Every covered demand has an open facility among its pairs, and vice versa."""
    hit = pairs.loc[pairs["destination_id"].isin(open_ids), "origin_id"]
    assert set(covered) == set(hit)


# ---------------------------------------------------------------- LSCP


def test_lscp_hand_worked():
    # a:{X,Y} b:{Y} c:{Y,Z} d:{Z} e:{} -> Y and Z are forced (b and d), e cannot be covered.
    m = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"]).solve()
    assert m.status == "optimal"
    assert sorted(m.selected) == ["Y", "Z"]
    assert m.n_new == 2
    assert m.objective == pytest.approx(2.0)
    assert m.dual_bound == pytest.approx(2.0)
    assert m.mip_gap == pytest.approx(0.0)
    assert m.uncoverable == ["e"]
    assert sorted(m.covered) == ["a", "b", "c", "d"]
    table = m.coverage_table()
    assert table.loc["e", "status"] == "uncoverable"
    assert table.loc["c", "n_open_covering"] == 2


def test_lscp_existing_fixed_open_and_free():
    m = LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"], existing=["Z"]).solve()
    assert m.selected == ["Y"]
    assert m.n_new == 1
    assert sorted(m.covered_by_existing) == ["c", "d"]
    assert set(m.open_ids) == {"Y", "Z"}
    # An existing facility that is not among the candidates is still accepted.
    pairs = pd.concat(
        [HAND_PAIRS, pd.DataFrame({"origin_id": ["b"], "destination_id": ["OLD"]})],
        ignore_index=True,
    )
    m2 = LSCP.from_pairs(pairs, list("abcde"), ["X", "Y", "Z"], existing=["OLD"]).solve()
    assert m2.n_new == 2
    assert "OLD" in m2.open_ids


def test_lscp_all_uncoverable_is_not_infeasible():
    pairs = pd.DataFrame({"origin_id": ["a"], "destination_id": ["X"]})
    m = LSCP.from_pairs(pairs, ["a", "b", "c"], ["X", "Y"], existing=["X"]).solve()
    assert m.status == "optimal"
    assert m.n_new == 0
    assert m.uncoverable == ["b", "c"]
    assert m.covered == ["a"]


def test_lscp_candidate_costs():
    # Covering a and b: X alone costs 5, Y + Z cost 2 + 2.
    pairs = pd.DataFrame(
        {"origin_id": ["a", "b", "a", "b"], "destination_id": ["X", "X", "Y", "Z"]}
    )
    m = LSCP.from_pairs(
        pairs, ["a", "b"], ["X", "Y", "Z"], candidate_costs={"X": 5, "Y": 2, "Z": 2}
    ).solve()
    assert sorted(m.selected) == ["Y", "Z"]
    assert m.objective == pytest.approx(4.0)


@pytest.mark.parametrize("seed", range(30))
def test_lscp_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_dem, n_cand = int(rng.integers(3, 11)), int(rng.integers(2, 9))
    pairs, dem, cand, mask = random_cover(rng, n_dem, n_cand, 0.3)
    n_exist = int(rng.integers(0, 3))
    existing_cols = sorted(rng.choice(n_cand, size=n_exist, replace=False).tolist())
    existing = [cand[j] for j in existing_cols]
    m = LSCP.from_pairs(pairs, dem, cand, existing=existing).solve()
    assert m.n_new == brute_lscp(mask, existing_cols)
    coverable = {dem[i] for i in np.flatnonzero(mask.any(axis=1))}
    assert set(m.covered) == coverable
    assert set(m.uncoverable) == set(dem) - coverable
    check_pairs_cover(pairs, m.covered, m.open_ids)
    assert not set(m.selected) & set(existing)


@pytest.mark.parametrize("seed", range(10))
def test_adding_existing_never_uncovers(seed):
    rng = np.random.default_rng(100 + seed)
    pairs, dem, cand, _ = random_cover(rng, 10, 8, 0.25)
    base = LSCP.from_pairs(pairs, dem, cand).solve()
    extra = [cand[int(rng.integers(0, 8))]]
    more = LSCP.from_pairs(pairs, dem, cand, existing=extra).solve()
    assert set(base.covered) <= set(more.covered)
    assert more.n_new <= base.n_new
    mc_base = MCLP.from_pairs(pairs, dem, np.ones(10), cand, 2).solve()
    mc_more = MCLP.from_pairs(pairs, dem, np.ones(10), cand, 2, existing=extra).solve()
    assert mc_more.covered_weight >= mc_base.covered_weight


def test_sparse_input_matches_table():
    rng = np.random.default_rng(7)
    pairs, dem, cand, mask = random_cover(rng, 9, 7, 0.3)
    a = LSCP.from_pairs(pairs, dem, cand).solve()
    b = LSCP.from_pairs(sparse.csr_array(mask.astype(float)), dem, cand).solve()
    assert a.n_new == b.n_new
    assert set(a.covered) == set(b.covered)
    assert a.uncoverable == b.uncoverable


def test_bad_input_raises_input_error():
    with pytest.raises(InputError, match="unknown id"):
        LSCP.from_pairs(HAND_PAIRS, list("abc"), ["X", "Y", "Z"])  # d is unknown
    with pytest.raises(InputError, match="duplicate"):
        LSCP.from_pairs(HAND_PAIRS, list("abcdd"), ["X", "Y", "Z"])
    with pytest.raises(InputError, match="no column"):
        LSCP.from_pairs(HAND_PAIRS, list("abcde"), ["X", "Y", "Z"], demand_col="village_id")
    with pytest.raises(InputError, match="non-negative"):
        MCLP.from_pairs(HAND_PAIRS, list("abcde"), [1, 1, -1, 1, 1], ["X", "Y", "Z"], 1)
    with pytest.raises(InputError, match="p must be"):
        MCLP.from_pairs(HAND_PAIRS, list("abcde"), 1, ["X", "Y", "Z"], -1)
    with pytest.raises(InputError, match="shape"):
        LSCP.from_pairs(sparse.csr_array(np.ones((2, 2))), list("abc"), ["X", "Y"])


# ---------------------------------------------------------------- MCLP


def test_mclp_hand_worked():
    # weights a10 b1 c5 d20 e100 (e uncoverable); p=1: Z covers c+d = 25, Y covers a+b+c = 16.
    w = [10, 1, 5, 20, 100]
    m = MCLP.from_pairs(HAND_PAIRS, list("abcde"), w, ["X", "Y", "Z"], 1).solve()
    assert m.selected == ["Z"]
    assert m.covered_weight == pytest.approx(25.0)
    assert m.objective == pytest.approx(25.0)
    assert m.covered_share == pytest.approx(25 / 136)
    assert "e" in m.uncoverable
    # Existing Z: the best new one is Y (adds a + b), objective includes the existing 25.
    m2 = MCLP.from_pairs(HAND_PAIRS, list("abcde"), w, ["X", "Y", "Z"], 1, existing=["Z"])
    m2.solve()
    assert m2.selected == ["Y"]
    assert m2.objective == pytest.approx(36.0)
    assert m2.covered_weight == pytest.approx(36.0)
    # More facilities than useful: X adds nothing once Y and Z are open, so it is not chosen.
    m3 = MCLP.from_pairs(HAND_PAIRS, list("abcde"), w, ["X", "Y", "Z"], 3).solve()
    assert sorted(m3.selected) == ["Y", "Z"]
    assert m3.covered_weight == pytest.approx(36.0)


@pytest.mark.parametrize("seed", range(25))
def test_mclp_brute_force(seed):
    rng = np.random.default_rng(200 + seed)
    n_dem, n_cand = int(rng.integers(3, 11)), int(rng.integers(2, 9))
    pairs, dem, cand, mask = random_cover(rng, n_dem, n_cand, 0.3)
    weights = rng.integers(0, 500, n_dem).astype(float)
    p = int(rng.integers(0, 4))
    existing_cols = [int(rng.integers(0, n_cand))] if seed % 3 == 0 else []
    existing = [cand[j] for j in existing_cols]
    m = MCLP.from_pairs(pairs, dem, weights, cand, p, existing=existing).solve()
    best = brute_mclp(mask, weights, p, existing_cols)
    assert m.covered_weight == pytest.approx(best)
    assert m.objective == pytest.approx(best)
    assert m.n_new <= p
    check_pairs_cover(pairs, m.covered, existing + m.selected)


@pytest.mark.parametrize("seed", range(6))
def test_coverage_curve_non_decreasing_and_optimal(seed):
    rng = np.random.default_rng(300 + seed)
    pairs, dem, cand, mask = random_cover(rng, 10, 8, 0.2)
    weights = rng.integers(1, 300, 10).astype(float)
    curve = coverage_curve(pairs, dem, weights, cand, [3, 0, 1, 2, 5, 8])
    assert curve["p"].tolist() == [0, 1, 2, 3, 5, 8]
    assert (np.diff(curve["covered_weight"].to_numpy()) >= -1e-9).all()
    for row in curve.itertuples():
        assert row.covered_weight == pytest.approx(brute_mclp(mask, weights, row.p, []))
        assert row.covered_share == pytest.approx(row.covered_weight / weights.sum())
        assert len(row.new_ids) == row.n_new <= row.p
    # With every candidate allowed, everything coverable is covered.
    assert curve["covered_weight"].iloc[-1] == pytest.approx(weights[mask.any(axis=1)].sum())


# ---------------------------------------------------------------- redundant facilities


def test_free_candidates_that_add_nothing_are_not_selected():
    # X costs nothing, so a solver may open it; it covers only a, which Y covers too.
    m = LSCP.from_pairs(
        HAND_PAIRS, list("abcd"), ["X", "Y", "Z"], candidate_costs={"X": 0, "Y": 1, "Z": 1}
    ).solve()
    assert sorted(m.selected) == ["Y", "Z"]
    assert set(m.covered) == set("abcd")
    assert m.objective == pytest.approx(2.0)


def test_drop_redundant_closes_facilities_that_add_nothing():
    dem = pd.Index(list("abcd"))
    cand = pd.Index(["X", "Y", "Z"])
    enc = encode_pairs(
        HAND_PAIRS, dem, cand, demand_col="origin_id", candidate_col="destination_id"
    )
    all_open = np.ones(3, dtype=bool)
    none_existing = np.zeros(3, dtype=bool)
    kept = drop_redundant(all_open, none_existing, enc, np.ones(4, dtype=bool))
    assert kept.tolist() == [False, True, True]
    # An existing facility is never closed, even when it adds nothing.
    kept = drop_redundant(all_open, np.array([True, False, False]), enc, np.ones(4, dtype=bool))
    assert kept.tolist() == [True, True, True]
    # Coverage that need not be kept (zero weight) does not hold a facility open.
    kept = drop_redundant(all_open, none_existing, enc, np.array([True, True, False, False]))
    assert kept.tolist() == [False, True, False]
