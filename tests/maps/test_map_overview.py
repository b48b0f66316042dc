"""Tests of the whole-city overview map of the default data."""

import re
from pathlib import Path

import pytest
from map_cases import payloads

from lvliang_coverage import kinds
from lvliang_coverage.maps.overview import HIDDEN_KINDS, overview_map
from lvliang_coverage.report.vocabulary import text

# ----------------------------------------------------------------------------- default data


def _default_data():
    cio = pytest.importorskip("lvliang_coverage.inputs.default_data")
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
    present = set(data.facilities["kind"].astype(str))
    expected = [k.name for k in kinds.registered("facilities") if k.name in present]
    facility_layers = [n for n in m.layer_names if n in {text(k, "zh") for k in present}]
    assert facility_layers[: len(expected)] == [text(k, "zh") for k in expected]
    for kind in HIDDEN_KINDS:
        if kind in present:
            assert text(kind, "zh") in m.layer_names
