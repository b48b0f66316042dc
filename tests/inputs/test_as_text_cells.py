"""Cells as text: the vectorised pass over text columns equals the cell-by-cell reading."""

import datetime

import numpy as np
import pandas as pd
import pytest

from lvliang_coverage.inputs._validate import _cell_text, as_text


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([" a ", None, np.nan, "b", pd.NA, "  ", "\t x\n", "村委会"], dtype=object),
        pd.Series(["1", None, "2"], dtype="string"),
        pd.Series([None, np.nan], dtype=object),
        pd.Series([], dtype=object),
        pd.Series(["a", 1.0, 2.5, True, None, 7], dtype=object),  # Excel: mixed cells
        pd.Series([1.0, np.nan, 3.5, 141102100200.0]),
        pd.Series(["x", pd.NaT, datetime.date(2026, 1, 2)], dtype=object),
    ],
)
def test_as_text_equals_the_cell_by_cell_reading(values):
    values.index = pd.RangeIndex(10, 10 + len(values))
    expected = pd.Series([_cell_text(v) for v in values], index=values.index, dtype=object)
    got = as_text(values)
    assert got.tolist() == expected.tolist()
    assert got.index.equals(values.index)
    assert all(isinstance(v, str) for v in got)


def test_blank_and_padded_text_cells():
    got = as_text(pd.Series(["  兴县 ", None, "", "0012"], dtype=object))
    assert got.tolist() == ["兴县", "", "", "0012"]  # codes keep their leading zeros
