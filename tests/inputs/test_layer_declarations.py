"""The registry layer declarations and the coordinate converters' shared documentation."""

import inspect

import pytest

from lvliang_coverage.inputs import _columns, chinacrs

GENERIC_IDS = ("id", "编号", "编码", "代码", "code", "序号", "no")
SPECS = [
    _columns.VILLAGES,
    _columns.FACILITIES,
    _columns.WATER_SOURCES,
    _columns.SITES,
    _columns.CANDIDATES,
    _columns.BOUNDARIES,
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.layer)
def test_every_layer_has_an_id_a_name_and_a_source(spec):
    assert spec.id_aliases[0] == spec.id_column
    assert spec.id_aliases[-len(GENERIC_IDS) :] == GENERIC_IDS
    names = [c.name for c in spec.own_columns]
    assert names[0] == "name"
    assert names[-1] == "source"
    assert spec.own_columns[-1].aliases == ("source", "来源", "数据来源")
    for column in spec.own_columns:
        assert column.aliases[0] in {column.name, "kind"}  # canonical header first


def test_layer_columns_keep_their_order_and_kinds():
    assert [c.name for c in _columns.FACILITIES.own_columns] == [
        "name", "kind", "county", "township", "doctors", "source",
    ]  # fmt: skip
    assert [c.name for c in _columns.WATER_SOURCES.own_columns] == [
        "name", "kind", "capacity_m3d", "elevation_m", "county", "township", "source",
    ]  # fmt: skip
    assert [c.name for c in _columns.BOUNDARIES.own_columns] == [
        "name", "county", "adcode", "source",
    ]  # fmt: skip
    assert _columns.FACILITIES.kind_layer == "facilities"
    assert _columns.WATER_SOURCES.kind_layer == "water_sources"
    assert _columns.SITES.kind_layer is None
    assert _columns.VILLAGES.column("population").required


CONVERTERS = {
    "wgs84_to_gcj02": ("WGS84 (or CGCS2000)", "GCJ-02"),
    "gcj02_to_wgs84": ("GCJ-02", "WGS84"),
    "gcj02_to_bd09": ("GCJ-02", "BD-09"),
    "bd09_to_gcj02": ("BD-09", "GCJ-02"),
    "wgs84_to_bd09": ("WGS84", "BD-09"),
    "bd09_to_wgs84": ("BD-09", "WGS84"),
}


@pytest.mark.parametrize("name", CONVERTERS)
def test_every_converter_documents_its_arguments_and_result(name):
    source, target = CONVERTERS[name]
    doc = inspect.getdoc(getattr(chinacrs, name))
    summary, rest = doc.split("\n", 1)
    assert summary.startswith(f"Convert {source.split()[0]} longitude/latitude to {target}")
    params = rest.split("Parameters\n----------\n", 1)[1]
    given, returns = params.split("\n\nReturns\n-------\n")
    assert given.startswith(f"lon, lat : array_like\n    {source} longitude and latitude")
    assert returns.startswith(f"lon, lat : numpy.ndarray\n    {target} longitude and latitude")
