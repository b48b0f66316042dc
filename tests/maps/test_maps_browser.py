"""Open exported maps in a real headless Chromium with networking disabled.

Needs Debian's ``chromium`` (plus ``fonts-noto-cjk`` for Chinese glyphs) and the PyPI package
``playwright`` (driving the system Chromium, no browser download). Skips when either is missing,
unless the environment variable ``CI`` is set, where a missing browser fails the test.
"""

import base64
import html
import importlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from map_cases import decode_xy, layer_names_in_page, payloads
from shapely.geometry import LineString, box

from lvliang_coverage.maps._style import RESULT_COLOURS
from lvliang_coverage.maps._terms import MAP_TERMS
from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.maps.overview import overview_map
from lvliang_coverage.services import registry

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TILE_HOSTS = ("tile.openstreetmap.org", "is.autonavi.com", "tianditu.gov.cn")
XSS_IMG = '<img src=x onerror="window.__xss=1">'
SHOTS = Path(os.environ.get("LVC_SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
VIEWPORT = {"width": 1366, "height": 768}
"""The smallest screen the maps are read on (a county office laptop)."""
RAW_KEYS = ("_km", "_id", "small_", "too_")
"""Column keys and status codes no popup may show (issue 12)."""


def _chromium() -> str | None:
    for name in (os.environ.get("LVC_CHROMIUM", ""), "chromium", "chromium-browser"):
        path = shutil.which(name) if name else None
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def context():
    exe = _chromium()
    try:
        sync_playwright = importlib.import_module("playwright.sync_api").sync_playwright
    except ImportError:
        sync_playwright = None
    if exe is None or sync_playwright is None:
        reason = "no Chromium found" if exe is None else "playwright is not installed"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"browser test under CI: {reason} (apt-get install chromium)")
        pytest.skip(f"{reason}; install Debian's chromium and PyPI playwright to run")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(
            profile,
            executable_path=exe,
            args=CHROMIUM_FLAGS,
            headless=True,
            offline=True,
            viewport={"width": 1280, "height": 860},
        )
        yield ctx
        ctx.close()


class Opened:
    """A page with every network request blocked and recorded, and all errors collected."""

    def __init__(self, context, path: Path, viewport: dict | None = None) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        if viewport is not None:
            self.page.set_viewport_size(viewport)
        self.page.route(re.compile(r"^(https?|wss?|ftp)://"), self._block)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
        self.page.goto(path.as_uri())
        self.page.wait_for_function(
            "window.LVC && document.querySelector('.leaflet-control-layers')"
        )
        self.page.wait_for_timeout(400)
        self.city = self.page.evaluate(
            "() => { const m = Object.values(window).find(x => x instanceof L.Map);"
            " const c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }"
        )

    def _block(self, route) -> None:
        self.requests.append(route.request.url)
        route.abort()

    def js_errors(self) -> list[str]:
        # blocked tile requests log "Failed to load resource"; anything else is a real error
        return [e for e in self.errors if "Failed to load resource" not in e]

    def set_view(self, lat: float, lon: float, zoom: float) -> None:
        self.page.evaluate(
            "(v) => { const m = Object.values(window).find(x => x instanceof L.Map);"
            " m.setView([v[0], v[1]], v[2], {animate: false}); }",
            [lat, lon, zoom],
        )
        self.page.wait_for_timeout(300)

    def city_view(self) -> None:
        """Back to the opening view: the whole study area (city scale)."""
        self.set_view(*self.city)

    def drawn(self, name: str) -> int:
        """Features of the named data layer drawn on the map now (0 when out of its zooms)."""
        return self.page.evaluate(
            """(name) => {
                const rec = LVC.groups.find(g => g.name === name);
                if (!rec || !rec.group._map) { return 0; }
                let n = 0;
                rec.group.eachLayer(sub => {
                    if (sub.eachLayer) { sub.eachLayer(l => { if (l._map) { n += 1; } }); }
                    else if (sub._map) { n += 1; }
                });
                return n;
            }""",
            name,
        )

    def click_feature(self, lat: float, lon: float) -> str:
        """Click the map at a point (a real mouse click on the canvas); the popup's text."""
        xy = self.page.evaluate(
            "(v) => { const m = Object.values(window).find(x => x instanceof L.Map);"
            " m.closePopup(); const p = m.latLngToContainerPoint([v[0], v[1]]);"
            " const r = m.getContainer().getBoundingClientRect();"
            " return [r.left + p.x, r.top + p.y]; }",
            [lat, lon],
        )
        self.page.mouse.click(xy[0], xy[1])
        self.page.wait_for_timeout(250)
        popup = self.page.locator(".leaflet-popup-content")
        return popup.inner_text() if popup.count() else ""

    def hidden_legend_rows(self) -> list[str]:
        """Result rows of the legend not fully inside both the legend box and the window."""
        return self.page.evaluate(
            """() => {
                const legend = document.querySelector('.lvc-legend').getBoundingClientRect();
                const rows = document.querySelectorAll('.lvc-legend-results .lvc-legend-row');
                const out = [];
                rows.forEach(r => {
                    const b = r.getBoundingClientRect();
                    const inside = b.top >= Math.max(0, legend.top) && b.left >= 0 &&
                        b.bottom <= Math.min(window.innerHeight, legend.bottom) + 0.5 &&
                        b.right <= window.innerWidth && b.height > 0;
                    if (!inside) { out.push(r.textContent); }
                });
                return out;
            }"""
        )

    def layer_names(self) -> list[str]:
        return self.page.evaluate(
            "Array.from(document.querySelectorAll('.leaflet-control-layers label > span > span'))"
            ".map(e => e.textContent.trim())"
        )


def _screenshot_stats(context, png: bytes) -> dict:
    """Distinct colours and the share of the most common colour, decoded in the browser."""
    page = context.new_page()
    data = "data:image/png;base64," + base64.b64encode(png).decode()
    stats = page.evaluate(
        """async (src) => {
            const img = new Image(); img.src = src; await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
            const d = ctx.getImageData(0, 0, c.width, c.height).data;
            const counts = new Map();
            for (let i = 0; i < d.length; i += 4) {
                const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
                counts.set(k, (counts.get(k) || 0) + 1);
            }
            let top = 0; for (const v of counts.values()) { top = Math.max(top, v); }
            return {distinct: counts.size, top_share: top / (d.length / 4)};
        }""",
        data,
    )
    page.close()
    return stats


def _cjk_glyphs_differ(page) -> bool:
    """Whether two Chinese characters render as different glyphs (no missing-glyph boxes)."""
    return page.evaluate(
        """() => {
            const font = getComputedStyle(document.querySelector('.lvc-title')).fontFamily;
            const draw = (ch) => {
                const c = document.createElement('canvas'); c.width = 40; c.height = 40;
                const x = c.getContext('2d'); x.font = '32px ' + font; x.fillText(ch, 2, 32);
                return Array.from(x.getImageData(0, 0, 40, 40).data).join(',');
            };
            const cun = draw('村'), zhen = draw('镇'), tofu = draw('\\uE000');
            const ink = (s) => s.split(',').some(v => v !== '0');
            return ink(cun) && ink(zhen) && cun !== zhen && cun !== tofu;
        }"""
    )


@pytest.fixture
def small_map_layers():
    lon = np.array([111.10, 111.20, 111.15, 111.30])
    lat = np.array([37.50, 37.60, 37.55, 37.45])
    villages = gpd.GeoDataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4"],
            "name": ["张家庄", "李家沟", XSS_IMG, "<script>window.__xss=2</script>"],
            "county": ["临县", "临县", "兴县", "兴县"],
            "population": [150, 1234, 86, 2000],
            "covered": [True, False, True, False],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": ["F1", "F2"],
            "name": ["卫生室甲", "卫生院乙"],
            "kind": ["clinic", "health_centre"],
        },
        geometry=gpd.points_from_xy([111.12, 111.22], [37.52, 37.58]),
        crs="EPSG:4326",
    )
    counties = gpd.GeoDataFrame(
        {"county": ["临县", "兴县"]},
        geometry=[box(110.95, 37.4, 111.2, 37.65), box(111.2, 37.4, 111.4, 37.65)],
        crs="EPSG:4326",
    )
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "tertiary"]},
        geometry=[
            LineString([(111.0, 37.45), (111.35, 37.62)]),
            LineString([(111.1, 37.6), (111.3, 37.42)]),
        ],
        crs="EPSG:4326",
    )
    return villages, facilities, counties, roads


def _build(layers, **kwargs) -> CoverageMap:
    villages, facilities, counties, roads = layers
    m = CoverageMap(
        counties, title="村卫生室覆盖检查", synthetic=True, data_note="测试数据", **kwargs
    )
    m.add_boundaries(counties, kind="county").add_roads(roads)
    m.add_villages(villages, status_col="covered").add_facilities(facilities)
    m.add_circles(facilities, 2500.0)
    return m


def test_offline_map_works_in_chromium(context, small_map_layers, tmp_path):
    path = _build(small_map_layers).save(tmp_path / "map.html")
    opened = Opened(context, path)
    page = opened.page
    assert opened.layer_names() == [
        "OpenStreetMap 底图",
        "无底图",
        "县（市、区）界",
        "道路",
        "自然村",
        "村卫生室",
        "乡镇卫生院",
        "2.5 公里服务半径",
    ]
    assert opened.js_errors() == []
    # the only requests the page makes are map tiles (blocked here: no network)
    assert opened.requests
    assert all(any(h in url for h in TILE_HOSTS) for url in opened.requests), opened.requests
    # controls: scale bar, full screen, measuring, search, legend, title, synthetic badge
    assert re.search(r"\d+ (km|m)", page.inner_text(".leaflet-control-scale-line"))
    assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert page.locator(".leaflet-control-measure").count() == 1
    assert "图例" in page.inner_text(".lvc-legend")
    assert "合成演示数据" in page.inner_text(".lvc-title")
    assert page.locator(".leaflet-marker-icon.lvc-icon").count() == 2
    # search by village name opens its popup with formatted figures
    page.fill(".lvc-search input", "李家")
    assert page.locator(".lvc-search-item").count() == 1
    page.click(".lvc-search-item")
    popup = page.inner_text(".leaflet-popup-content")
    assert "李家沟" in popup
    assert "1,234" in popup
    assert "常住人口" in popup
    # hostile names are shown as text and never run
    page.fill(".lvc-search input", "onerror")
    page.click(".lvc-search-item")
    page.wait_for_timeout(400)  # the previous popup fades out for 200 ms
    assert XSS_IMG in page.inner_text(".leaflet-popup-content")
    page.fill(".lvc-search input", "script")
    page.click(".lvc-search-item")
    page.wait_for_timeout(400)
    assert "<script>window.__xss=2</script>" in page.inner_text(".leaflet-popup-content")
    assert page.evaluate("window.__xss") is None
    # measuring a distance works with this Leaflet version
    page.hover(".leaflet-control-measure")
    page.click(".leaflet-control-measure .js-start")
    box_ = page.locator(".leaflet-container").bounding_box()
    page.mouse.click(box_["x"] + 500, box_["y"] + 400)
    page.mouse.click(box_["x"] + 700, box_["y"] + 450)
    page.wait_for_timeout(200)
    assert page.locator(".leaflet-control-measure .js-finish").count() == 1
    assert opened.js_errors() == []
    # a real picture with Chinese text
    page.keyboard.press("Escape")
    png = page.screenshot(path=str(SHOTS / "lvc_map_small.png"))
    stats = _screenshot_stats(context, png)
    assert stats["distinct"] > 50
    assert stats["top_share"] < 0.95
    assert _cjk_glyphs_differ(page)
    page.close()


def test_gaode_english_map_in_chromium(context, small_map_layers, tmp_path):
    path = _build(small_map_layers, lang="en", basemap="gaode").save(tmp_path / "map_en.html")
    opened = Opened(context, path)
    names = opened.layer_names()
    assert names[:2] == ["Gaode (Amap)", "No base map"]
    assert "Villages" in names
    assert opened.js_errors() == []
    assert all("autonavi.com" in url for url in opened.requests), opened.requests
    opened.page.close()


@pytest.mark.slow
def test_default_overview_map_in_chromium(context, tmp_path):
    cio = pytest.importorskip("lvliang_coverage.inputs.default_data")
    if not (Path(cio.default_data_dir()) / "default" / "villages.csv").is_file():
        pytest.skip("default data not generated (run data/generate_default.py)")
    path = overview_map(cio.load_default()).save(tmp_path / "overview.html")
    opened = Opened(context, path)
    assert "自然村" in opened.layer_names()
    assert opened.js_errors() == []
    assert opened.page.evaluate("LVC.records.length") >= 6000
    # zoom in where clinics turn into icons, then back out
    opened.page.evaluate(
        "(() => { const m = Object.values(window).find(v => v instanceof L.Map);"
        " m.setZoom(12); m.setZoom(8); })()"
    )
    png = opened.page.screenshot(path=str(SHOTS / "lvc_map_overview.png"))
    stats = _screenshot_stats(context, png)
    assert stats["distinct"] > 100
    assert opened.js_errors() == []
    opened.page.close()


# ----------------------------------------------------------------------------- every scale


def _failing_points(page: str, layer: str, colours: set[str]) -> list[tuple[float, float, str]]:
    """(lat, lon, name) of the features of ``layer`` filled with one of ``colours``."""
    names = layer_names_in_page(page)
    out = []
    for spec in payloads(page)[names.index(layer)]:
        xy = decode_xy(spec["geom"])
        fills = [c["style"].get("fillColor") for c in spec["cats"]]
        for i, k in enumerate(spec.get("k", [0] * spec["n"])):
            if fills[k] in colours:
                out.append((float(xy[i, 1]), float(xy[i, 0]), spec["tip"][i]))
    return out


def _click_one(opened: Opened, points, zoom: float = 14) -> tuple[str, tuple]:
    """Zoom onto failing features one by one until a click opens the feature's own popup."""
    for lat, lon, name in points[:15]:
        opened.set_view(lat, lon, zoom)
        text = opened.click_feature(lat, lon)
        if text.startswith(html.unescape(name)):
            return text, (lat, lon, name)
    pytest.fail(f"no popup of {[p[2] for p in points[:15]]}")
    raise AssertionError  # for the type checker


def _check_scales(opened: Opened, shares: str | None, villages: str, shot: str, points) -> str:
    """Legend, township layer at city zoom, villages zoomed in; screenshots; a failing popup."""
    page = opened.page
    assert opened.hidden_legend_rows() == []  # every result class visible without scrolling
    offline = {MAP_TERMS.get("basemap_offline", lang) for lang in ("zh", "en")}
    assert page.inner_text(".lvc-offline").strip() in offline  # one line says so
    assert page.locator(".lvc-offline").is_visible()
    assert "OpenStreetMap" not in page.inner_text(".leaflet-control-attribution")
    if shares is not None:
        assert opened.drawn(shares) > 0  # townships coloured at city zoom
        assert opened.drawn(villages) == 0  # villages wait for the zoom
    page.screenshot(path=str(SHOTS / f"{shot}_city.png"))
    popup, (lat, lon, _name) = _click_one(opened, points)
    assert not [key for key in RAW_KEYS if key in popup], popup
    if shares is not None:
        assert opened.drawn(shares) == 0  # zoomed in: the villages tell the story
    assert opened.drawn(villages) > 0
    page.keyboard.press("Escape")
    opened.set_view(lat, lon, 10)
    page.screenshot(path=str(SHOTS / f"{shot}_county.png"))
    opened.set_view(lat, lon, 13)
    opened.click_feature(lat, lon)
    page.screenshot(path=str(SHOTS / f"{shot}_village.png"))
    assert opened.js_errors() == []
    return popup


def test_small_map_reads_at_every_scale_offline(context, small_map_layers, tmp_path):
    villages, facilities, counties, roads = small_map_layers
    status = ["ok", "fail", "ok", "fail"]
    townships = counties.rename(columns={"county": "township"}).assign(
        county=["临县", "兴县"], share=[0.5, 1.0]
    )
    m = CoverageMap((110.6, 37.1, 111.7, 37.95), title="测试", synthetic=True)  # city scale
    m.add_boundaries(counties, kind="county", labels=True).add_roads(roads)
    m.add_shares(townships, "乡镇：达标比例", units="村")
    m.add_villages(
        villages.assign(status=status, note=["达标：甲", "未达标：乙", "达标：丙", "未达标：丁"]),
        status_col="status",
        palette={"ok": "#2ca02c", "fail": "#e41a1c"},
        labels={"ok": "达标", "fail": "未达标"},
        min_zoom=11,
        note_col="note",
    )
    m.add_facilities(facilities)
    page_text = m.get_html()
    path = tmp_path / "scales.html"
    path.write_text(page_text, encoding="utf-8")
    opened = Opened(context, path, VIEWPORT)
    assert opened.city[2] < 11
    points = _failing_points(page_text, "自然村", {"#e41a1c"})
    popup = _check_scales(opened, "乡镇：达标比例", "自然村", "lvc_small", points)
    assert "未达标" in popup
    # the county names are written on the map at city zoom
    opened.city_view()
    labels = opened.page.locator(".lvc-label-county").all_inner_texts()
    assert "临县" in labels
    opened.page.close()


def test_dots_stay_clickable_over_layers_that_come_back_on_zoom(
    context, small_map_layers, tmp_path
):
    villages, _facilities, counties, _roads = small_map_layers
    m = CoverageMap((110.6, 37.1, 111.7, 37.95), basemap="none")
    # township outlines drawn from zoom 11 only: re-added to the canvas when zooming in
    m.add_boundaries(counties, kind="township", name_col="county", min_zoom=11)
    m.add_villages(villages.iloc[:2], status_col="covered")
    path = m.save(tmp_path / "stack.html")
    opened = Opened(context, path, VIEWPORT)
    lat, lon = villages.geometry.y.iloc[1], villages.geometry.x.iloc[1]
    opened.set_view(lat, lon, 13)
    assert opened.click_feature(lat, lon).startswith("李家沟")
    opened.page.close()


# ----------------------------------------------------------------------------- default data

FAIL = {RESULT_COLOURS["fail"], RESULT_COLOURS["uncoverable"]}


@pytest.fixture(scope="module")
def default_maps(default_study, tmp_path_factory):
    """Every map of the demo on the default data, in Chinese (and the clinic map in English)."""
    folder = tmp_path_factory.mktemp("default_maps")
    out = {}
    kinds = [k for s in registry.services() for k in s.kinds]
    out["overview"] = overview_map(default_study, roads=default_study.edges, kinds=kinds).save(
        folder / "overview.html"
    )
    for service in registry.services():
        for task in service.tasks:
            if not task.in_demo or task.map_file is None:
                continue
            result = service.analyse(
                default_study, default_study.rules, task=task.name, **task.options
            )
            stem = task.map_file.removesuffix(".html")
            for lang in ("zh", "en") if stem == "clinic_compliance" else ("zh",):
                m = service.map(result, lang, study=default_study)
                out[f"{stem}_{lang}"] = m.save(folder / f"{stem}_{lang}.html")
    return out


# map -> (township layer, village layer, another failing layer to click, or None)
DEFAULT_LAYERS = {
    "clinic_compliance_zh": ("乡镇：200人以下村达标比例", "自然村（达标情况）", None),
    "clinic_compliance_en": (
        "Townships: villages under 200 compliant",
        "Villages (compliance)",
        None,
    ),
    "clinic_plan_zh": ("乡镇：规划后200人以下村覆盖比例", "200人以下村（规划后）", None),
    "water_plan_zh": ("乡镇：饮水不安全人口规划供水比例", "饮水不安全的村", None),
    "relocation_plan_zh": ("乡镇：整村搬迁人口已安置比例", "整村搬迁村", "安置点（是否达标）"),
    "daycare_check_zh": ("乡镇：60岁以上人口覆盖比例", "自然村（60岁以上人口覆盖情况）", None),
    "daycare_plan_zh": ("乡镇：规划后60岁以上人口覆盖比例", "自然村（规划后）", None),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DEFAULT_LAYERS))
def test_default_maps_read_at_every_scale(context, default_maps, name):
    shares, villages, sites = DEFAULT_LAYERS[name]
    path = default_maps[name]
    page = path.read_text(encoding="utf-8")
    opened = Opened(context, path, VIEWPORT)
    if name == "relocation_plan_zh":
        # few movers and sites: they stay on the map at city zoom, over the townships
        shares_drawn = opened.drawn(shares)
        assert shares_drawn > 0
        shares = None
    points = _failing_points(page, villages, FAIL)
    assert points, name
    popup = _check_scales(opened, shares, villages, f"lvc_{name}", points)
    assert popup.split("\n", 1)[1].strip()  # a sentence under the name
    if sites is not None:
        opened.city_view()
        site_popup, _ = _click_one(opened, _failing_points(page, sites, FAIL), zoom=13)
        assert site_popup.startswith(tuple(p[2] for p in _failing_points(page, sites, FAIL)))
        assert "未达标" in site_popup
        assert "缺少的服务" in site_popup
        assert not [key for key in RAW_KEYS if key in site_popup], site_popup
    opened.page.close()


@pytest.mark.slow
def test_default_overview_names_counties_at_city_zoom(context, default_maps):
    opened = Opened(context, default_maps["overview"], VIEWPORT)
    labels = opened.page.locator(".lvc-label-county").all_inner_texts()
    assert {"离石区", "临县", "兴县"} <= set(labels)
    assert opened.hidden_legend_rows() == []
    opened.page.screenshot(path=str(SHOTS / "lvc_overview_city.png"))
    assert opened.js_errors() == []
    opened.page.close()


PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_attribution_only_once_tiles_show(context, small_map_layers, tmp_path):
    path = _build(small_map_layers).save(tmp_path / "tiles.html")
    offline = Opened(context, path, VIEWPORT)
    assert offline.page.locator(".lvc-offline").is_visible()
    assert "OpenStreetMap" not in offline.page.inner_text(".leaflet-control-attribution")
    # switching to "no base map" says so in the legend, and the offline line goes
    offline.page.click("text=无底图")
    offline.page.wait_for_timeout(200)
    assert not offline.page.locator(".lvc-offline").is_visible()
    offline.page.click(".lvc-legend summary:has-text('底图')")
    assert offline.page.locator(".lvc-base-state-none").is_visible()
    offline.page.close()
    # tiles that load (served here, still no network): the credit appears, no offline line
    page = context.new_page()
    page.set_viewport_size(VIEWPORT)
    page.route(
        re.compile(r"^https://tile\.openstreetmap\.org/"),
        lambda route: route.fulfill(status=200, content_type="image/png", body=PNG_1PX),
    )
    page.route(
        re.compile(r"^(https?|wss?|ftp)://(?!tile\.openstreetmap\.org/)"), lambda r: r.abort()
    )
    page.goto(path.as_uri())
    page.wait_for_function("window.LVC && document.querySelector('.leaflet-control-layers')")
    page.wait_for_timeout(600)
    assert "© OpenStreetMap contributors" in page.inner_text(".leaflet-control-attribution")
    assert not page.locator(".lvc-offline").is_visible()
    page.close()
