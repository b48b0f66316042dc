"""Tests of facility layers and icons: one layer per kind, drawn from the shared kind registry."""

import re

import geopandas as gpd
import numpy as np
import pytest
from map_cases import FACILITY_KINDS, XSS_ESCAPED, payloads

from lvliang_coverage import kinds
from lvliang_coverage.maps._style import (
    IDLE_COLOUR,
    MISSING_COLOUR,
    RESULT_COLOURS,
    RIVER_COLOUR,
    ROAD_CLASSES,
    SHAPE_DRAWERS,
    SHARE_COLOURS,
    facility_icon,
    facility_order,
    idle_icon,
)
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.report.vocabulary import column_label, text
from lvliang_coverage.services.clinics import map as clinic_map
from lvliang_coverage.services.daycare import map as daycare_map
from lvliang_coverage.services.relocation import map as relocation_map
from lvliang_coverage.services.water import map as water_map

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


def _lab(colour: str) -> np.ndarray:
    """CIE L*a*b* (D65) of a ``#rrggbb`` colour, computed here from the sRGB formulas."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float) / 255.0
    lin = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _delta_e(c1: str, c2: str) -> float:
    """CIEDE2000 difference of two ``#rrggbb`` colours."""
    return _lab_pair_delta(tuple(_lab(c1)), tuple(_lab(c2)))


def _lab_pair_delta(lab1: tuple, lab2: tuple) -> float:
    """CIEDE2000 colour difference of two L*a*b* colours (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    cbar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(cbar**7 / (cbar**7 + 25.0**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1p * c2p == 0 else (h2 - h1 + 180) % 360 - 180
    d_l, d_c = l2 - l1, c2p - c1p
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lbar, cbarp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbar = h1 + h2
    elif abs(h1 - h2) <= 180:
        hbar = (h1 + h2) / 2
    else:
        hbar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(hbar - 30))
        + 0.24 * np.cos(np.radians(2 * hbar))
        + 0.32 * np.cos(np.radians(3 * hbar + 6))
        - 0.20 * np.cos(np.radians(4 * hbar - 63))
    )
    rot = -np.sin(np.radians(60 * np.exp(-(((hbar - 275) / 25) ** 2))))
    rot *= 2 * np.sqrt(cbarp**7 / (cbarp**7 + 25.0**7))
    s_l = 1 + 0.015 * (lbar - 50) ** 2 / np.sqrt(20 + (lbar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cbarp, 1 + 0.015 * cbarp * t
    return float(
        np.sqrt(
            (d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + rot * d_c / s_c * d_h / s_h
        )
    )


MIN_DELTA_E = 18.0
"""Smallest CIEDE2000 difference between a result class and an icon, a road or a river. The
clashes of issue 12 are all below it: the failing-village red #d73027 and the clinic red
#d62728 (1.7), that red and the trunk roads #c8553d (6.3), the failing larger villages
#fc8d59 and the county roads #e09f3e (16.5)."""


def _result_colours() -> dict[str, str]:
    """Every result-class colour of the maps and of the four services' maps."""
    out = {f"result {k}": c for k, c in RESULT_COLOURS.items()}
    out |= {f"share {i}": c for i, c in enumerate(SHARE_COLOURS)}
    out["missing"] = MISSING_COLOUR
    for name, palette in (
        ("clinic check", clinic_map.STATUS_COLOURS),
        ("clinic plan", clinic_map.PLAN_COLOURS),
        ("water villages", water_map.STATUS_COLOURS),
        ("water mains", water_map.PIPE_COLOURS),
        ("relocation sites", relocation_map.SITE_COLOURS),
        ("relocation movers", relocation_map.MOVER_COLOURS),
        ("daycare", daycare_map.STATUS_COLOURS),
    ):
        out |= {f"{name} {k}": c for k, c in palette.items()}
    out["water new source"] = water_map.SOURCE_COLOURS["new"]
    return out


def test_the_measure_catches_the_old_clashes():
    # published CIEDE2000 test pair (Sharma et al. 2005, pair 1): 2.0425
    assert _lab_pair_delta((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)) == pytest.approx(
        2.0425, abs=1e-4
    )
    for result, context in (("#d73027", "#d62728"), ("#d73027", "#c8553d"), ("#fc8d59", "#e09f3e")):
        assert _delta_e(result, context) < MIN_DELTA_E


def test_no_result_class_looks_like_a_facility_icon_a_road_or_a_river():
    context = {f"icon {k.name}": k.colour for k in kinds.registered()}
    context["idle buildings"] = IDLE_COLOUR
    context |= {f"road {key}": colour for key, _v, colour, *_r in ROAD_CLASSES}
    context["river"] = RIVER_COLOUR
    close = [
        (r, c, round(_delta_e(rc, cc), 1))
        for r, rc in _result_colours().items()
        for c, cc in context.items()
        if _delta_e(rc, cc) < MIN_DELTA_E
    ]
    assert close == []


def test_every_facility_kind_of_the_issue_has_its_own_icon():
    care = ["clinic", "health_centre", "hospital", "school", "workshop", "industrial_park"]
    icons = {facility_icon(k) for k in [*care, "spring", "daycare_test_maps"]}
    assert len(icons) == len(care) + 2
    assert idle_icon() not in icons


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
