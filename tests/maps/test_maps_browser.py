"""Open exported maps in a real headless Chromium with networking disabled.

Needs Debian's ``chromium`` (plus ``fonts-noto-cjk`` for Chinese glyphs) and the PyPI package
``playwright`` (driving the system Chromium, no browser download). Skips when either is missing,
unless the environment variable ``CI`` is set, where a missing browser fails the test.
"""

import base64
import importlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, box

from lvliang_coverage.maps.coverage_map import CoverageMap
from lvliang_coverage.maps.overview import overview_map

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
SHOTS = Path(os.environ.get("LVC_SCREENSHOT_DIR", tempfile.gettempdir()))


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

    def __init__(self, context, path: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
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

    def _block(self, route) -> None:
        self.requests.append(route.request.url)
        route.abort()

    def js_errors(self) -> list[str]:
        # blocked tile requests log "Failed to load resource"; anything else is a real error
        return [e for e in self.errors if "Failed to load resource" not in e]

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
