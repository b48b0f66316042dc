"""The terrain compliance map in a real headless Chromium at 1366x768: isochrones and legend."""

import importlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from terrain_case import terrain_files
from typer.testing import CliRunner

from lvliang_coverage.cli import app

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 768}
"""The smallest screen the maps are read on (a county office laptop)."""

LAYER = "地形模型等时圈（步行）"


@pytest.fixture(scope="module")
def browser():
    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    try:
        sync_playwright = importlib.import_module("playwright.sync_api").sync_playwright
    except ImportError:
        sync_playwright = None
    if exe is None or sync_playwright is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("browser test under CI: no Chromium or playwright")
        pytest.skip("needs Debian's chromium and PyPI playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=exe, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        yield b
        b.close()


def test_isochrones_drawn_and_legend_readable(browser, tmp_path):
    files = terrain_files(tmp_path)
    out = tmp_path / "out"
    args = ["clinics", "check", "--travel", "terrain", "--no-plan", "--basemap", "none"]
    args += ["--out", str(out)] + [f"--{k}={v}" for k, v in files.items()]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
    page.goto((out / "clinic_compliance.html").as_uri())
    page.wait_for_function("window.LVC && document.querySelector('.leaflet-control-layers')")
    page.wait_for_timeout(500)
    drawn = page.evaluate(
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
        LAYER,
    )
    assert drawn == 3  # 15, 30 and 60 minutes, on when the map opens
    legend = page.locator(".lvc-legend")
    assert legend.is_visible()
    text = legend.inner_text()
    for row in (LAYER, "≤ 15 分钟可达", "≤ 30 分钟可达", "≤ 60 分钟可达"):
        assert row in text
    box = legend.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= VIEWPORT["width"]
    assert box["y"] + box["height"] <= VIEWPORT["height"]
    shots = Path(os.environ.get("LVC_SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "terrain_map.png"))
    page.close()
    assert not errors
