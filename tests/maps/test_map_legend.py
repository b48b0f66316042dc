"""The legend puts the result classes first; context layers and the base map fold away."""

import re

import pytest
from map_cases import full_map, legend_markup, payloads

from lvliang_coverage.errors import InputError
from lvliang_coverage.maps._controls import legend_html
from lvliang_coverage.maps._style import LegendItem
from lvliang_coverage.maps.coverage_map import CoverageMap


def _sections(markup: str) -> tuple[str, list[tuple[str, bool, str]]]:
    """The always-open result block and every collapsible section (summary, open, body)."""
    results = re.search(r'<div class="lvc-legend-results">(.*?)</div><details', markup + "<details")
    assert results is not None
    found = re.findall(r"<details( open)?><summary>(.*?)</summary>(.*?)</details>", markup)
    return results.group(1), [(name, bool(flag), body) for flag, name, body in found]


def test_result_classes_come_first_and_context_folds_away(villages, facilities, edges, counties):
    m = full_map(villages, facilities, edges, counties)
    m.add_circles(facilities.iloc[:2], 2500.0, section="context", show=False)
    results, sections = _sections(legend_markup(m.get_html()))
    # the village classes (a boolean status) and the links are results, in the open block
    assert "自然村" in results
    assert "：是" in results
    assert "：否" in results
    assert "连线" in results
    assert "道路" not in results
    assert "县（市、区）界" not in results
    names = [s[0] for s in sections]
    # facilities first (open), then each context layer and the base map (closed)
    assert names[0] == "设施"
    assert sections[0][1] is True
    assert "村卫生室" in sections[0][2]
    assert names[1:] == [
        "县（市、区）界",
        "道路",
        "圆点大小：常住人口（人）",
        "2.5 公里服务半径",
        "底图",
    ]
    assert not any(flag for _, flag, _ in sections[1:])
    roads = {s[0]: s[2] for s in sections}["道路"]
    assert "国道、省道干线" in roads


def test_base_map_section_states():
    page = CoverageMap((111.0, 37.3, 111.5, 37.7)).get_html()
    _, sections = _sections(legend_markup(page))
    body = {s[0]: s[2] for s in sections}["底图"]
    # one line per state; the page script shows the one that holds
    for state, words in (
        ("ok", "OpenStreetMap 底图"),
        ("offline", "底图无法加载（离线），仅显示矢量图层"),
        ("none", "未使用底图"),
        ("wait", "底图加载中"),
    ):
        assert re.search(rf'lvc-base-state-{state}">{words}', body), state


def test_legend_rows_added_by_hand_follow_the_results():
    items = [("村", [LegendItem("达标", "#1a9850")], "result")]
    ctx = [("道路", [LegendItem("村道", "#c2b49b", "line")], "context")]
    markup = legend_html("zh", [*ctx, *items], [LegendItem("注：估算", "transparent", "none")])
    results, sections = _sections(markup)
    assert results.index("达标") < results.index("注：估算")
    assert [s[0] for s in sections] == ["道路"]


def test_unknown_section_is_refused(villages, counties):
    with pytest.raises(InputError, match="legend section"):
        CoverageMap(counties).add_villages(villages, section="sidebar")


def test_dot_sizes_are_listed_once(villages, counties):
    m = CoverageMap(counties).add_villages(villages).add_villages(villages, name="又一层")
    _, sections = _sections(legend_markup(m.get_html()))
    assert [s[0] for s in sections].count("圆点大小：常住人口（人）") == 1


def test_layer_switcher_is_under_the_tools_and_legend_top_right(villages, counties):
    page = CoverageMap(counties).add_villages(villages).get_html()
    assert re.search(r'L\.control\.layers\([^;]*"position": "topleft"', page, flags=re.S)
    assert re.search(r'"topright",\s*"lvc-legend"', page)
    assert payloads(page)  # the data layer is still there
