"""Tests of map output: offline assets, escaping, labels, controls and saving."""

import re

import pytest
from map_cases import XSS, XSS_ESCAPED, full_map, payloads

from lvliang_coverage.errors import OfflineError
from lvliang_coverage.maps._assets import inline_assets
from lvliang_coverage.maps.coverage_map import CoverageMap

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
    assert re.findall(r'LVC\.tiles\(\[\["(https?://[^"]+)"', page) == [
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    ]
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert {u for u in urls if "{z}" in u} == {"https://tile.openstreetmap.org/{z}/{x}/{y}.png"}


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


def test_save_writes_utf8_file(villages, counties, tmp_path):
    out = CoverageMap(counties, title="吕梁").add_villages(villages).save(tmp_path / "m" / "a.html")
    assert out.is_file()
    assert "吕梁" in out.read_text(encoding="utf-8")
