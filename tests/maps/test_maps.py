"""Tests for the offline Folium maps: escaping, GCJ-02 overlays, offline assets, layer payloads."""

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from lvliang_coverage import load_rules
from lvliang_coverage.errors import InputError, OfflineError
from lvliang_coverage.maps._assets import inline_assets
from lvliang_coverage.maps._encode import encode_geometries
from lvliang_coverage.maps._style import village_radius
from lvliang_coverage.maps.core import CoverageMap, overview_map

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
XSS_ATTR = '"><img src=x onerror=alert(2)>'

# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def villages() -> gpd.GeoDataFrame:
    lon = np.array([111.10, 111.20, 111.15, 111.30, 111.05])
    lat = np.array([37.50, 37.60, 37.55, 37.45, 37.52])
    return gpd.GeoDataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4", "V5"],
            "name": ["张家庄", "李家沟", XSS, "王家峁", XSS_ATTR],
            "county": ["临县", "临县", "临县", XSS, "兴县"],
            "population": [150, 1234, 86, 2000, 40],
            "water_safe": [True, False, True, True, False],
            "covered": [True, False, True, False, True],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


@pytest.fixture
def facilities() -> gpd.GeoDataFrame:
    kinds = ["clinic", "health_centre", "hospital", "school", "workshop", "industrial_park"]
    return gpd.GeoDataFrame(
        {
            "facility_id": [f"F{i}" for i in range(6)],
            "name": [f"设施{i}" for i in range(5)] + [XSS],
            "kind": kinds,
            "doctors": [0, 2, 0, 0, 0, 0],
        },
        geometry=gpd.points_from_xy(np.linspace(111.1, 111.3, 6), np.linspace(37.45, 37.6, 6)),
        crs="EPSG:4326",
    )


@pytest.fixture
def edges() -> gpd.GeoDataFrame:
    a = LineString([(111.10, 37.50), (111.15, 37.52), (111.20, 37.60)])
    b = LineString([(111.15, 37.55), (111.30, 37.45)])
    c = LineString([(111.05, 37.52), (111.10, 37.50)])
    d = LineString([(111.20, 37.60), (111.21, 37.61)])
    return gpd.GeoDataFrame(
        {
            # `a` appears in both directions, as in an osmnx MultiDiGraph
            "highway": ["primary", "primary", ["tertiary", "unclassified"], "track", "footway"],
        },
        geometry=[a, a.reverse(), b, c, d],
        crs="EPSG:4326",
    )


@pytest.fixture
def counties() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"county": ["临县", XSS]},
        geometry=[box(110.9, 37.3, 111.2, 37.7), box(111.2, 37.3, 111.5, 37.7)],
        crs="EPSG:4326",
    )


def payloads(page: str) -> list[list[dict]]:
    """Every data layer's JSON specs, in the order the layers were added."""
    return [json.loads(p) for p in re.findall(r"LVC\.build\((.*)\);$", page, flags=re.MULTILINE)]


def decode_xy(geom: dict) -> np.ndarray:
    """Independent decoder of the delta-coded integer coordinates (1e-5 degree)."""
    ints = np.asarray(geom["xy"], dtype=np.int64).reshape(-1, 2)
    return np.cumsum(ints, axis=0) / 1e5


def full_map(villages, facilities, edges, counties, **kwargs) -> CoverageMap:
    m = CoverageMap(counties, title="测试", **kwargs)
    m.add_boundaries(counties, kind="county")
    m.add_roads(edges)
    m.add_villages(villages, status_col="covered")
    m.add_facilities(facilities)
    m.add_lines(
        gpd.GeoDataFrame(
            {"name": ["V1->F0"]},
            geometry=[LineString([(111.10, 37.50), (111.1, 37.45)])],
            crs="EPSG:4326",
        ),
        tooltip_col="name",
    )
    return m


# ----------------------------------------------------------------------------- offline


def test_html_has_no_external_scripts_or_stylesheets(villages, facilities, edges, counties):
    page = full_map(villages, facilities, edges, counties).get_html()
    assert not re.search(r"<script[^>]*\ssrc\s*=", page, flags=re.IGNORECASE)
    assert not re.search(r"<link[^>]*\shref\s*=\s*[\"']?(https?:)?//", page, flags=re.IGNORECASE)
    assert not re.search(r"@import", page)
    # Leaflet, its CSS and the two plugins are inline
    assert "L.Map" in page or "window.L" in page
    assert ".leaflet-pane" in page
    assert "Control.FullScreen" in page or "fullscreen" in page.lower()
    assert "leaflet-control-measure" in page
    # folium's default jQuery / Bootstrap / Font Awesome are not shipped
    assert "jQuery" not in page
    assert "bootstrap" not in page.lower()
    assert "fontawesome" not in page.lower()
    # no style sheet pulls a font or image from the network either
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", page, flags=re.IGNORECASE)
    # the only network URLs the page uses are tile templates
    assert re.findall(r'L\.tileLayer\("(https?://[^"]+)"', page) == [
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    ]


def test_inline_assets_rejects_unknown_cdn_asset():
    with pytest.raises(OfflineError):
        inline_assets('<script src="https://cdn.example.org/nothing-like-this.js"></script>')


def test_inline_assets_replaces_tags_and_guards_script_end():
    page = inline_assets(
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>'
    )
    assert page.startswith("<script>")
    assert "</style>" in page
    assert page.count("</script>") == 1


def test_repr_html_is_an_offline_iframe(villages, counties):
    m = CoverageMap(counties, basemap="none").add_villages(villages)
    out = m._repr_html_()
    assert out.startswith("<div")
    assert "<iframe" in out
    assert "srcdoc=" in out
    assert "&lt;script src=" not in out


# ----------------------------------------------------------------------------- escaping


def test_all_data_text_is_escaped(villages, facilities, edges, counties):
    m = full_map(villages, facilities, edges, counties, data_note=XSS, synthetic=True)
    m.add_layer(villages, XSS, tooltip_col="name", popup_cols=["county"])
    m.add_legend([(XSS, "#123456")])
    page = m.get_html()
    assert XSS not in page
    assert "alert(1)" in page  # the text is still there...
    # ...only ever in escaped form
    for hit in re.finditer(r"alert\(1\)", page):
        before = page[max(0, hit.start() - 30) : hit.start()]
        # HTML-escaped, possibly inside a JSON string that also escapes "&" (jinja's tojson)
        assert re.search(r"(&|\\u0026)lt;script(&|\\u0026)gt;$", before), before
    assert XSS_ESCAPED in page
    assert "<img src=x" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page


def test_popup_values_are_escaped_and_formatted(villages, counties):
    page = CoverageMap(counties).add_villages(villages, status_col="covered").get_html()
    (spec,) = payloads(page)[0]
    assert spec["cols"][:2] == ["编号", "县（市、区）"]
    row = spec["rows"][3]
    assert row[1] == XSS_ESCAPED
    assert "2,000" in row  # population with a thousands separator
    assert spec["rows"][1][spec["cols"].index("饮水安全")] == "否"
    assert spec["tip"][2] == XSS_ESCAPED
    assert spec["search"] is True


def test_english_labels(villages, counties):
    page = CoverageMap(counties, lang="en").add_villages(villages).get_html()
    (spec,) = payloads(page)[0]
    assert "Residents" in spec["cols"]
    assert spec["rows"][1][spec["cols"].index("Safe drinking water")] == "no"
    assert "Search village" in page
    assert '"Villages"' in page


# ----------------------------------------------------------------------------- GCJ-02


def test_gaode_overlays_are_shifted_to_gcj02(villages, facilities, edges, counties):
    chinacrs = pytest.importorskip("lvliang_coverage.inputs.chinacrs")
    page = full_map(villages, facilities, edges, counties, basemap="gaode").get_html()
    layers = payloads(page)
    lon, lat = villages.geometry.x.to_numpy(), villages.geometry.y.to_numpy()
    glon, glat = chinacrs.wgs84_to_gcj02(lon.copy(), lat.copy())
    # the shift in Lüliang is a few hundred metres: far above the 1e-5 degree rounding
    assert np.min(np.hypot(glon - lon, glat - lat)) > 1e-3
    village_xy = decode_xy(layers[2][0]["geom"])
    np.testing.assert_allclose(village_xy[:, 0], glon, atol=6e-6)
    np.testing.assert_allclose(village_xy[:, 1], glat, atol=6e-6)
    # every other overlay too: boundaries, roads, facilities, lines
    counties_xy = decode_xy(layers[0][0]["geom"])
    ring = np.asarray(counties.geometry.iloc[0].exterior.coords)
    gx, gy = chinacrs.wgs84_to_gcj02(ring[:, 0].copy(), ring[:, 1].copy())
    np.testing.assert_allclose(counties_xy[: len(ring)], np.column_stack([gx, gy]), atol=6e-6)
    road_xy = decode_xy(layers[1][0]["geom"])
    first = np.asarray(edges.geometry.iloc[0].coords)
    rx, ry = chinacrs.wgs84_to_gcj02(first[:, 0].copy(), first[:, 1].copy())
    np.testing.assert_allclose(road_xy[: len(first)], np.column_stack([rx, ry]), atol=6e-6)
    clinic_xy = decode_xy(layers[3][0]["geom"])
    fx, fy = chinacrs.wgs84_to_gcj02(np.array([111.1]), np.array([37.45]))
    np.testing.assert_allclose(clinic_xy[0], [fx[0], fy[0]], atol=6e-6)
    line_xy = decode_xy(layers[-1][0]["geom"])
    lx, ly = chinacrs.wgs84_to_gcj02(np.array([111.10, 111.1]), np.array([37.50, 37.45]))
    np.testing.assert_allclose(line_xy, np.column_stack([lx, ly]), atol=6e-6)
    assert "autonavi.com" in page
    assert "tile.openstreetmap.org" not in page


def test_osm_overlays_are_not_shifted(villages, facilities, edges, counties):
    page = full_map(villages, facilities, edges, counties, basemap="osm").get_html()
    village_xy = decode_xy(payloads(page)[2][0]["geom"])
    np.testing.assert_allclose(village_xy[:, 0], villages.geometry.x, atol=6e-6)
    np.testing.assert_allclose(village_xy[:, 1], villages.geometry.y, atol=6e-6)
    assert "tile.openstreetmap.org" in page
    assert "autonavi" not in page


def test_layers_in_a_projected_crs_are_drawn_in_wgs84(villages, counties):
    projected = villages.to_crs("EPSG:4546")
    page = CoverageMap(counties, basemap="none").add_villages(projected).get_html()
    xy = decode_xy(payloads(page)[0][0]["geom"])
    np.testing.assert_allclose(xy[:, 0], villages.geometry.x, atol=6e-6)


# ----------------------------------------------------------------------------- layers


def test_encode_geometries_round_trip():
    geoms = np.array(
        [
            shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]),
            box(10, 10, 11, 11).difference(box(10.2, 10.2, 10.4, 10.4)),
        ]
    )
    enc = encode_geometries(geoms)
    assert enc["g"] == "A"
    _rings, polys, feats = enc["o"]
    assert feats == [0, 2, 3]  # two polygons, then one
    assert polys == [0, 1, 2, 4]  # the last polygon has a hole
    xy = decode_xy(enc)
    np.testing.assert_allclose(xy, shapely.get_coordinates(geoms), atol=1e-9)
    with pytest.raises(InputError):
        encode_geometries(np.array([Point(0, 0), LineString([(0, 0), (1, 1)])]))


def test_roads_drop_reverse_duplicates_and_classify(edges, counties):
    page = CoverageMap(counties).add_roads(edges).get_html()
    (spec,) = payloads(page)[0]
    assert spec["n"] == 4  # the reversed copy of the primary road is gone
    assert spec["merge"] is True
    # classes: primary -> major (0), tertiary list -> secondary class (1), track & footway -> 3
    assert spec["k"] == [0, 1, 3, 3]
    assert [c.get("minZoom") for c in spec["cats"]] == [0, 0, 10, 12]


def test_roads_are_simplified_in_metres(counties):
    x = np.linspace(111.0, 111.1, 200)
    wiggly = LineString(np.column_stack([x, 37.5 + 1e-6 * np.sin(np.arange(200))]))
    gdf = gpd.GeoDataFrame({"highway": ["secondary"]}, geometry=[wiggly], crs="EPSG:4326")
    (spec,) = payloads(CoverageMap(counties).add_roads(gdf).get_html())[0]
    assert len(spec["geom"]["xy"]) == 4  # a straight line: two vertices left


def test_village_colours_and_sizes(villages, counties):
    palette = {True: "#00ff00", False: "#ff0000"}
    m = CoverageMap(counties).add_villages(villages, status_col="covered", palette=palette)
    (spec,) = payloads(m.get_html())[0]
    assert [c["style"]["fillColor"] for c in spec["cats"]] == ["#00ff00", "#ff0000"]
    assert spec["k"] == [0, 1, 0, 1, 0]
    np.testing.assert_allclose(spec["r"], village_radius(villages["population"].to_numpy()))
    # the radius grows with the square root of residents
    r = village_radius(np.array([100.0, 400.0, 0.0]))
    assert r[1] - r[2] == pytest.approx(2 * (r[0] - r[2]), abs=0.1)


def test_service_circles_use_metres_from_the_rules(facilities, counties):
    radius = load_rules().clinic.service_radius_m
    m = CoverageMap(counties).add_circles(facilities.iloc[:2], radius)
    (spec,) = payloads(m.get_html())[0]
    assert spec["mode"] == "circle"
    assert spec["radius_m"] == radius
    assert m.layer_names == [f"{radius / 1000:g} 公里服务半径"]


def test_isochrones_longest_first(counties):
    centre = Point(111.2, 37.5)
    iso = gpd.GeoDataFrame(
        {"minutes": [15, 30, 60]},
        geometry=[centre.buffer(0.02), centre.buffer(0.05), centre.buffer(0.1)],
        crs="EPSG:4326",
    )
    (spec,) = payloads(CoverageMap(counties).add_isochrones(iso).get_html())[0]
    assert spec["rows"] == [["60"], ["30"], ["15"]]
    assert spec["k"] == [2, 1, 0]


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


def test_generic_layer_with_mixed_geometries(counties):
    gdf = gpd.GeoDataFrame(
        {"kind": ["a", "b", "a"]},
        geometry=[
            Point(111.1, 37.5),
            LineString([(111, 37.4), (111.2, 37.5)]),
            box(111, 37, 111.1, 37.1),
        ],
        crs="EPSG:4326",
    )
    m = CoverageMap(counties).add_layer(gdf, "混合", category_col="kind")
    specs = payloads(m.get_html())[0]
    assert [s["geom"]["g"] for s in specs] == ["A", "L", "P"]
    assert [s["k"] for s in specs] == [[0], [1], [0]]


def test_controls_title_and_synthetic_badge(villages, counties):
    page = (
        CoverageMap(counties, title="覆盖", synthetic=True, data_note="2019")
        .add_villages(villages)
        .get_html()
    )
    assert "合成演示数据 / synthetic demo data" in page
    assert "L.control.layers" in page
    assert "L.control.scale" in page
    assert "L.control.fullscreen" in page.replace("Control.Fullscreen", "control.fullscreen") or (
        "fullscreen" in page
    )
    assert "L.control.measure" in page or "L.Control.Measure" in page
    assert "LVC.search(" in page
    assert "<title>覆盖</title>" in page
    plain = CoverageMap(counties, title="覆盖").add_villages(villages).get_html()
    assert "合成演示数据" not in plain
    # rendering twice gives the same page (controls are not duplicated)
    m = CoverageMap(counties).add_villages(villages)
    assert m.get_html().count("LVC.search(") == 1
    assert m.get_html().count("LVC.search(") == 1


def test_bad_arguments_raise_input_error(villages, counties, monkeypatch):
    with pytest.raises(InputError):
        CoverageMap(counties, lang="fr")
    with pytest.raises(InputError):
        CoverageMap(counties, basemap="bing")
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(InputError, match="TIANDITU_KEY"):
        CoverageMap(counties, basemap="tianditu")
    with pytest.raises(InputError):
        CoverageMap(villages.set_crs(None, allow_override=True))
    m = CoverageMap(counties)
    with pytest.raises(InputError):
        m.add_villages(villages, status_col="nope")
    with pytest.raises(InputError):
        m.add_circles(villages, -1.0)


def test_tianditu_key_from_environment(counties, monkeypatch):
    monkeypatch.setenv("TIANDITU_KEY", "abc123")
    page = CoverageMap(counties, basemap="tianditu").get_html()
    assert "vec_w/wmts" in page
    assert "cva_w/wmts" in page
    assert "tk=abc123" in page


def test_save_writes_utf8_file(villages, counties, tmp_path):
    out = CoverageMap(counties, title="吕梁").add_villages(villages).save(tmp_path / "m" / "a.html")
    assert out.is_file()
    assert "吕梁" in out.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- default data


def _default_data():
    cio = pytest.importorskip("lvliang_coverage.inputs.io")
    root = cio.default_data_dir()
    if not (Path(root) / "default" / "villages.csv").is_file():
        pytest.skip(f"default data not generated in {root}/default (run data/generate_default.py)")
    return cio.load_default()


@pytest.mark.slow
def test_overview_map_of_default_data_is_under_budget(tmp_path):
    data = _default_data()
    m = overview_map(data)
    out = m.save(tmp_path / "overview.html")
    size_mb = out.stat().st_size / 1e6
    assert size_mb < 15.0, size_mb
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc\s*=", page)
    specs = payloads(page)
    n_villages = sum(s["n"] for s in specs[m.layer_names.index("自然村")])
    assert n_villages == len(data.villages)
    assert "合成演示数据" in page
    assert "道路" in m.layer_names
    assert "河流" in m.layer_names


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
    assert specs[0][0]["dot"]["fillColor"] == "#d62728"
    assert "dotsBelow" not in specs[1][0]
