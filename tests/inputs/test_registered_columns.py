"""Columns a service registers for a layer are read, parsed and validated like built-in ones."""

from __future__ import annotations

import numpy as np
import pytest

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import _columns
from lvliang_coverage.inputs.columns import Column, register_column
from lvliang_coverage.inputs.readers import read_facilities, read_villages


@pytest.fixture
def extra_columns(monkeypatch):
    """Register test columns on a copy of the registry, restored after the test."""
    monkeypatch.setattr(_columns, "EXTRA_COLUMNS", dict(_columns.EXTRA_COLUMNS))
    register_column("villages", Column("test_elderly", "int", ("test_elderly", "测试老人")))
    register_column(
        "facilities", Column("test_idle", "bool", ("test_idle", "测试闲置"), default=False)
    )


def _write(path, text):
    path.write_text(text, encoding="gbk")
    return path


def test_registered_columns_are_read_with_chinese_headers(tmp_path, extra_columns):
    v = _write(
        tmp_path / "v.csv",
        "村名,常住人口,测试老人,经度,纬度\n甲,100,30,111.1,37.5\n乙,50,,111.2,37.6\n",
    )
    villages = read_villages(v)
    assert villages["test_elderly"].iloc[0] == 30
    assert np.isnan(villages["test_elderly"].iloc[1])  # blank cell: NaN, not 0
    f = _write(
        tmp_path / "f.csv",
        "名称,类型,测试闲置,经度,纬度\n校,学校,是,111.1,37.5\n室,卫生室,,111.2,37.6\n",
    )
    facilities = read_facilities(f)
    assert facilities["test_idle"].tolist() == [True, False]  # blank -> the column's default


def test_a_file_without_the_column_leaves_it_out(tmp_path, extra_columns):
    v = _write(tmp_path / "v.csv", "村名,常住人口,经度,纬度\n甲,100,111.1,37.5\n")
    assert "test_elderly" not in read_villages(v).columns


def test_bad_values_name_file_row_and_column(tmp_path, extra_columns):
    v = _write(tmp_path / "v.csv", "村名,常住人口,测试老人,经度,纬度\n甲,100,很多,111.1,37.5\n")
    with pytest.raises(InputError) as err:
        read_villages(v)
    assert err.value.row == 1
    assert "测试老人" in str(err.value)


def test_registering_a_clashing_or_required_column_fails(extra_columns):
    with pytest.raises(ValueError, match="already"):
        register_column("villages", Column("pop2", "int", ("常住人口",)))
    with pytest.raises(ValueError, match="optional"):
        register_column("villages", Column("x", "int", ("x",), required=True))
    with pytest.raises(ValueError, match="unknown layer"):
        register_column("roads", Column("y", "int", ("y",)))


def test_water_sources_and_sites_take_registered_columns(extra_columns):
    register_column("water_sources", Column("test_depth", "float", ("test_depth",)))
    register_column("sites", Column("test_rooms", "int", ("test_rooms",)))
    assert "test_depth" in [c.name for c in _columns.WATER_SOURCES.columns]
    assert "test_rooms" in [c.name for c in _columns.SITES.columns]
