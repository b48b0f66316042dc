"""Tests of facility layers and icons: one layer per kind, drawn from the shared kind registry."""

import re

import geopandas as gpd
import numpy as np
import pytest
from map_cases import FACILITY_KINDS, XSS_ESCAPED, payloads

from lvliang_coverage import kinds
from lvliang_coverage.maps._style import (
    BOOL_COLOURS,
    SHAPE_DRAWERS,
    facility_icon,
    facility_order,
)
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import column_label, text

RUNTIME_KIND = kinds.register_kind(
    kinds.FacilityKind(
        "daycare_test_maps", "测试日间照料", "Test day-care", shape="heart", colour="#123456"
    )
)
"""A kind registered at run time (registering is global: the name is unique to this module)."""


def _colours(svg: str) -> set[str]:
    return {c.lower() for c in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg)}


def test_facilities_one_layer_per_kind(facilities, counties):
    m = CoverageMap(counties).add_facilities(facilities, hidden_kinds=["school"])
    assert m.layer_names == [
        "村卫生室",
        "乡镇卫生院",
        "县医院",
        "学校",
        "扶贫车间、农业基地",
        "产业园区",
    ]
    specs = payloads(m.get_html())
    assert all(s[0]["mode"] == "marker" and "<svg" in s[0]["cats"][0]["icon"] for s in specs)
    icons = {s[0]["cats"][0]["icon"] for s in specs}
    assert len(icons) == 6  # a distinct icon per type
    assert specs[5][0]["tip"] == [XSS_ESCAPED]
    assert [s[0]["cats"][0]["size"] for s in specs] == [
        kinds.get(k).icon_px for k in FACILITY_KINDS
    ]


def test_numerous_facilities_become_dots_when_zoomed_out(counties):
    n = 301
    clinics = gpd.GeoDataFrame(
        {"name": [f"卫生室{i}" for i in range(n)], "kind": ["clinic"] * n},
        geometry=gpd.points_from_xy(np.linspace(111.0, 111.4, n), np.full(n, 37.5)),
        crs="EPSG:4326",
    )
    few = clinics.iloc[:3].assign(kind="hospital")
    specs = payloads(CoverageMap(counties).add_facilities(clinics).add_facilities(few).get_html())
    assert specs[0][0]["dotsBelow"] == 11
    assert specs[0][0]["dot"]["fillColor"] == kinds.get("clinic").colour
    assert "dotsBelow" not in specs[1][0]


def test_every_shape_has_a_drawing():
    assert set(SHAPE_DRAWERS) == set(kinds.SHAPES)


@pytest.mark.parametrize("kind", [k.name for k in kinds.registered()])
def test_every_registered_kind_has_an_icon_in_its_colour(kind):
    spec = kinds.get(kind)
    svg = facility_icon(kind)
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert f'width="{spec.icon_px}"' in svg
    assert spec.colour.lower() in _colours(svg)


def test_icons_differ_by_shape_and_unknown_kinds_get_a_grey_dot():
    drawn = {facility_icon(k.name, 16).replace(k.colour, "#000000") for k in kinds.registered()}
    assert len(drawn) == len({k.shape for k in kinds.registered()})
    assert "#8c8c8c" in _colours(facility_icon("no_such_kind", 16))


def test_kind_colours_are_not_result_class_colours():
    # status colours of the maps and the result classes of the service maps
    result_colours = {*BOOL_COLOURS.values(), "#e6550d", "#f46d43", "#fc8d59", "#fdae61"}
    result_colours |= {"#fee08b", "#a6d96a"}
    assert not {k.colour.lower() for k in kinds.registered()} & result_colours


def test_layer_order_follows_the_registry():
    present = ["zz_unknown", "well", RUNTIME_KIND.name, "school", "clinic", "aa_unknown"]
    order = facility_order(present)
    facilities_first = [k.name for k in kinds.registered("facilities") if k.name in present]
    assert order[: len(facilities_first)] == facilities_first
    assert order.index(RUNTIME_KIND.name) > order.index("school")
    assert order[-3:] == ["well", "aa_unknown", "zz_unknown"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_kind_registered_at_run_time_gets_its_own_layer(counties, lang):
    gdf = gpd.GeoDataFrame(
        {"name": ["甲", "乙", "丙"], "kind": [RUNTIME_KIND.name, "clinic", RUNTIME_KIND.name]},
        geometry=gpd.points_from_xy([111.1, 111.2, 111.3], [37.5, 37.5, 37.5]),
        crs="EPSG:4326",
    )
    m = CoverageMap(counties, lang=lang).add_facilities(gdf)
    label = RUNTIME_KIND.label(lang)
    assert text(RUNTIME_KIND.name, lang) == label
    assert m.layer_names == [text("clinic", lang), label]
    page = m.get_html()
    spec = payloads(page)[1][0]
    assert spec["n"] == 2
    assert spec["tip"] == ["甲", "丙"]
    assert "#123456" in _colours(spec["cats"][0]["icon"])
    assert spec["cols"] == [column_label("kind", lang)]
    assert spec["rows"] == [[label], [label]]
    assert label in page  # in the layer control and the legend
