"""Tests for reading ``kind`` cells through the facility-kind registry (lvliang_coverage.kinds)."""

import pytest
from input_cases import assert_input_error, write_csv

from lvliang_coverage import kinds
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs import readers

# The hard-coded alias tables the readers used before the kind registry, copied verbatim:
# every spelling accepted then must still map to the same canonical kind.
OLD_FACILITY_KINDS = {
    "clinic": "clinic",
    "村卫生室": "clinic",
    "卫生室": "clinic",
    "中心村卫生室": "clinic",
    "卫生所": "clinic",
    "health_centre": "health_centre",
    "health_center": "health_centre",
    "乡镇卫生院": "health_centre",
    "卫生院": "health_centre",
    "中心卫生院": "health_centre",
    "社区卫生服务中心": "health_centre",
    "hospital": "hospital",
    "县医院": "hospital",
    "医院": "hospital",
    "县级医院": "hospital",
    "人民医院": "hospital",
    "school": "school",
    "学校": "school",
    "小学": "school",
    "中学": "school",
    "初中": "school",
    "九年一贯制学校": "school",
    "幼儿园": "school",
    "workshop": "workshop",
    "扶贫车间": "workshop",
    "车间": "workshop",
    "农业基地": "workshop",
    "设施农业基地": "workshop",
    "加工车间": "workshop",
    "农产品加工车间": "workshop",
    "industrial_park": "industrial_park",
    "产业园区": "industrial_park",
    "园区": "industrial_park",
    "工业园区": "industrial_park",
}
OLD_WATER_KINDS = {
    "spring": "spring",
    "泉": "spring",
    "泉水": "spring",
    "山泉": "spring",
    "well": "well",
    "井": "well",
    "水井": "well",
    "机井": "well",
    "深井": "well",
    "reservoir": "reservoir",
    "水库": "reservoir",
    "水窖": "reservoir",
    "river_intake": "river_intake",
    "河道取水": "river_intake",
    "取水口": "river_intake",
    "河水": "river_intake",
    "plant": "plant",
    "水厂": "plant",
    "自来水厂": "plant",
    "供水站": "plant",
}


def facilities_file(path, cells):
    rows = [[cell, 111.1, 37.5] for cell in cells]
    return write_csv(path, ["类型", "经度", "纬度"], rows)


def water_file(path, cells):
    rows = [[cell, 100, 111.1, 37.5] for cell in cells]
    return write_csv(path, ["水源类型", "供水能力", "经度", "纬度"], rows)


@pytest.mark.parametrize(
    ("layer", "old"), [("facilities", OLD_FACILITY_KINDS), ("water_sources", OLD_WATER_KINDS)]
)
def test_registry_accepts_every_old_alias(layer, old):
    accepted = kinds.accepted(layer)
    assert {alias: accepted.get(kinds.normalize(alias)) for alias in old} == old


def test_every_old_facility_alias_read_as_before(tmp_path):
    path = facilities_file(tmp_path / "f.csv", list(OLD_FACILITY_KINDS))
    gdf = readers.read_facilities(path)
    assert gdf["kind"].tolist() == list(OLD_FACILITY_KINDS.values())


def test_every_old_water_alias_read_as_before(tmp_path):
    path = water_file(tmp_path / "w.csv", list(OLD_WATER_KINDS))
    gdf = readers.read_water_sources(path)
    assert gdf["kind"].tolist() == list(OLD_WATER_KINDS.values())


@pytest.mark.parametrize(("alias", "expected"), sorted(OLD_FACILITY_KINDS.items()))
def test_every_old_facility_alias_as_kind_argument(tmp_path, alias, expected):
    path = write_csv(tmp_path / "f.csv", ["名称", "经度", "纬度"], [["甲", 111.1, 37.5]])
    assert readers.read_facilities(path, kind=alias)["kind"].tolist() == [expected]


@pytest.mark.parametrize(
    "cell",
    [
        "Health Center",
        "health_centre",
        "health-centre",
        "HEALTH CENTRE",
        " health centre ",
        "HealthCenter",
        "乡镇卫生院",
        "卫生院（中心）",
    ],
)
def test_kind_cells_normalised_like_the_registry(tmp_path, cell):
    path = facilities_file(tmp_path / "f.csv", [cell])
    assert readers.read_facilities(path)["kind"].tolist() == ["health_centre"]


def test_kind_cell_spelling_matches_kinds_normalize(tmp_path):
    cells = ["Industrial Park", "industrial-park", "INDUSTRIAL_PARK", "River Intake"]
    path = facilities_file(tmp_path / "f.csv", cells[:3])
    assert readers.read_facilities(path)["kind"].tolist() == ["industrial_park"] * 3
    water = water_file(tmp_path / "w.csv", cells[3:])
    assert readers.read_water_sources(water)["kind"].tolist() == ["river_intake"]
    assert {kinds.normalize(c) for c in cells[:3]} == {"industrialpark"}


def test_kinds_registered_after_import_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(kinds, "_KINDS", dict(kinds._KINDS))  # undo the registration after
    path = facilities_file(tmp_path / "f.csv", ["测试驿站", "clinic"])
    with pytest.raises(InputError, match="unknown kind '测试驿站'"):
        readers.read_facilities(path)
    kinds.register_kind(kinds.FacilityKind("test_post", "测试驿站", "Test posts", ("测试驿站",)))
    assert readers.read_facilities(path)["kind"].tolist() == ["test_post", "clinic"]
    only = readers.read_facilities(path, kind="Test Post")
    assert only["kind"].tolist() == ["test_post"]


def test_facility_kinds_do_not_leak_into_water_sources(tmp_path):
    path = water_file(tmp_path / "w.csv", ["泉", "村卫生室"])
    err = assert_input_error(readers.read_water_sources, path, 2, "水源类型", "unknown kind")
    assert "clinic" not in err.message


@pytest.mark.parametrize(
    ("reader", "make", "layer"),
    [
        (readers.read_facilities, facilities_file, "facilities"),
        (readers.read_water_sources, water_file, "water_sources"),
    ],
)
def test_unknown_kind_lists_accepted_canonical_kinds(tmp_path, reader, make, layer):
    path = make(tmp_path / "k.csv", ["药店"])
    canonical = sorted({k.name for k in kinds.registered(layer)})
    err = assert_input_error(reader, path, 1, "类型" if layer == "facilities" else "水源类型", "")
    assert f"unknown kind '药店': use one of {', '.join(canonical)}" in err.message
    with pytest.raises(InputError) as info:
        reader(path, kind="pharmacy")
    assert f"use one of {', '.join(canonical)}" in info.value.message
