"""Shared cases of the optimisation tests: the hand-worked pairs and random coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd

HAND_PAIRS = pd.DataFrame(
    {
        "origin_id": ["a", "a", "b", "c", "c", "d"],
        "destination_id": ["X", "Y", "Y", "Y", "Z", "Z"],
    }
)
"""a:{X,Y} b:{Y} c:{Y,Z} d:{Z}; e (when listed) has no pair."""


def random_cover(rng, n_dem, n_cand, density):
    mask = rng.random((n_dem, n_cand)) < density
    i, j = np.nonzero(mask)
    dem = [f"d{k}" for k in range(n_dem)]
    cand = [f"c{k}" for k in range(n_cand)]
    pairs = pd.DataFrame({"origin_id": [dem[k] for k in i], "destination_id": [cand[k] for k in j]})
    return pairs, dem, cand, mask
