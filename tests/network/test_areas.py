"""Tests of the buffered-area helpers: the raster disc in whole cells, raster vs exact areas."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from lvliang_coverage.network._areas import buffered_area, disc_structure


def _disc_by_count(r: int) -> int:
    """Lattice points with i**2 + j**2 <= r**2, counted in integers."""
    return sum(1 for i in range(-r, r + 1) for j in range(-r, r + 1) if i * i + j * j <= r * r)


@pytest.mark.parametrize("buffer_m", [25.0, 50.0, 100.0, 200.0, 150.0, 30.0])
def test_disc_of_three_cells_keeps_its_ring(buffer_m):
    disc = disc_structure(buffer_m, buffer_m / 3.0)
    assert disc.shape == (7, 7)
    assert int(disc.sum()) == _disc_by_count(3) == 29
    ring = [disc[3, 0], disc[0, 3], disc[6, 3], disc[3, 6]]  # the radius-3 ring
    assert all(ring)
    assert not disc[0, 0]


@pytest.mark.parametrize(("radius_cells", "cells"), [(1.0, 5), (2.0, 13), (4.0, 49), (2.5, 21)])
def test_disc_sizes_in_whole_cells(radius_cells, cells):
    cell = 70.0 / 3.0  # not exactly representable
    assert int(disc_structure(radius_cells * cell, cell).sum()) == cells


@pytest.mark.parametrize("buffer_m", [25.0, 50.0, 100.0, 200.0])
@pytest.mark.parametrize("axis", ["x", "y"])
def test_raster_area_of_axis_aligned_line_matches_exact_buffer(buffer_m, axis):
    end = (3000.0, 0.0) if axis == "x" else (0.0, 3000.0)
    line = shapely.LineString([(12.3, 45.6), (12.3 + end[0], 45.6 + end[1])])
    exact = shapely.buffer(line, buffer_m, quad_segs=32).area
    got = buffered_area(np.array([line], dtype=object), buffer_m, method="raster")
    assert got.area == pytest.approx(exact, rel=0.03)
    # the area still holds the line and stays within about one cell of the exact buffer
    assert got.contains(line)
    assert got.symmetric_difference(shapely.buffer(line, buffer_m)).area < 0.06 * exact


def test_raster_area_of_a_small_network_matches_exact_buffer():
    rng = np.random.default_rng(4)
    pts = rng.uniform(0.0, 3000.0, (30, 2))
    lines = np.array(
        [shapely.LineString([pts[i], pts[(7 * i + 3) % 30]]) for i in range(30)], dtype=object
    )
    for buffer_m in (50.0, 200.0):
        exact = shapely.union_all(shapely.buffer(lines, buffer_m, quad_segs=32)).area
        got = buffered_area(lines, buffer_m, method="raster").area
        assert got == pytest.approx(exact, rel=0.03)
