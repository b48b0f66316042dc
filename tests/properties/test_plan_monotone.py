"""Monotone rules of the plan on random coverage pairs (hypothesis), against brute force.

A larger budget p never covers fewer residents (maximal covering, each p solved on its own
and on the coverage curve), and more candidate sites never need more new sites to cover the
same villages (set covering).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lvliang_coverage.optimise.covering import LSCP, MCLP, coverage_curve

PROPERTY = settings(max_examples=40, deadline=None, database=None)


@st.composite
def coverage(draw: st.DrawFn, max_candidates: int = 6) -> tuple:
    """A random demand x candidate coverage matrix, residents per demand, existing sites."""
    n_dem = draw(st.integers(1, 8))
    n_cand = draw(st.integers(1, max_candidates))
    cells = st.lists(st.booleans(), min_size=n_cand, max_size=n_cand)
    mask = np.array(draw(st.lists(cells, min_size=n_dem, max_size=n_dem)), dtype=bool)
    residents = np.array(draw(st.lists(st.integers(0, 500), min_size=n_dem, max_size=n_dem)))
    existing = sorted(draw(st.sets(st.integers(0, n_cand - 1), max_size=min(2, n_cand - 1))))
    return mask, residents.astype(float), existing


def ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{k}" for k in range(n)]


def pairs_of(mask: np.ndarray) -> pd.DataFrame:
    i, j = np.nonzero(mask)
    return pd.DataFrame({"origin_id": [f"d{k}" for k in i], "destination_id": [f"c{k}" for k in j]})


def brute_max_cover(mask, residents, p, existing) -> float:
    """Most residents covered by the existing sites and at most p new ones (all subsets)."""
    new = [j for j in range(mask.shape[1]) if j not in existing]
    best = 0.0
    for k in range(min(p, len(new)) + 1):
        for subset in itertools.combinations(new, k):
            cols = [*existing, *subset]
            covered = mask[:, cols].any(axis=1) if cols else np.zeros(len(mask), bool)
            best = max(best, float(residents[covered].sum()))
    return best


def brute_min_cover(mask, existing) -> int:
    """Fewest new sites covering every demand that some site covers."""
    need = mask.any(axis=1)
    new = [j for j in range(mask.shape[1]) if j not in existing]
    for k in range(len(new) + 1):
        for subset in itertools.combinations(new, k):
            cols = [*existing, *subset]
            covered = mask[:, cols].any(axis=1) if cols else np.zeros(len(mask), bool)
            if (covered >= need).all():
                return k
    raise AssertionError("opening every site covers every coverable demand")


@PROPERTY
@given(case=coverage())
def test_a_larger_p_never_covers_fewer_residents(case):
    mask, residents, existing = case
    n_dem, n_cand = mask.shape
    dem, cand = ids("d", n_dem), ids("c", n_cand)
    fixed = [cand[j] for j in existing]
    ps = list(range(n_cand + 1))
    # each p solved on its own: no plan of a smaller p is carried over
    alone = [
        MCLP.from_pairs(pairs_of(mask), dem, residents, cand, p, existing=fixed).solve() for p in ps
    ]
    covered = np.array([m.covered_weight for m in alone])
    assert (np.diff(covered) >= -1e-9).all()
    expected = [brute_max_cover(mask, residents, p, existing) for p in ps]
    np.testing.assert_allclose(covered, expected)
    curve = coverage_curve(pairs_of(mask), dem, residents, cand, ps, existing=fixed)
    assert not curve["reused"].any()  # optimal at every p, monotone on its own
    np.testing.assert_allclose(curve["covered_weight"], expected)


@st.composite
def more_candidates(draw: st.DrawFn) -> tuple:
    """A coverage case and the columns of 1-3 added candidate sites (same demands)."""
    mask, _, existing = draw(coverage(max_candidates=4))
    n_extra = draw(st.integers(1, 3))
    cells = st.lists(st.booleans(), min_size=n_extra, max_size=n_extra)
    extra = np.array(draw(st.lists(cells, min_size=len(mask), max_size=len(mask))), dtype=bool)
    return mask, np.hstack([mask, extra]), existing


@PROPERTY
@given(case=more_candidates())
def test_more_candidates_never_need_more_new_sites(case):
    mask, wider, existing = case
    coverable = mask.any(axis=1)  # the villages the shorter candidate list can cover
    mask, wider = mask[coverable], wider[coverable]
    dem = ids("d", len(mask))
    fixed = [f"c{j}" for j in existing]
    few = LSCP.from_pairs(pairs_of(mask), dem, ids("c", mask.shape[1]), existing=fixed).solve()
    many = LSCP.from_pairs(pairs_of(wider), dem, ids("c", wider.shape[1]), existing=fixed)
    many = many.solve()
    assert many.n_new <= few.n_new
    assert few.n_new == brute_min_cover(mask, existing)
    assert many.n_new == brute_min_cover(wider, existing)
    assert set(many.covered) == set(few.covered) == set(dem)
