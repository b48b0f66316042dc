"""The water map speaks the bureau's language: project, supply, main and money per village."""

import colorsys
import json
import re

import pytest
from netfixtures import lonlat, point_rows, road_graph
from shapely.geometry import box

from lvliang_coverage import load_rules
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.services.water.analysis import run_site
from lvliang_coverage.services.water.map import PIPE_COLOURS, STATUS_COLOURS, water_map
from lvliang_coverage.study import Study

RAW = re.compile(r"_km|_id|_m3d|_yuan|_m\b|unserved|existing_used")
"""Column keys and codes that no popup may show."""

CODES = {"gravity", "lift", "served", "safe", "network", "straight", "spring"}
"""Codes that may not stand alone as a popup value."""

LINE = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (2000.0, 0.0), 3: (3000.0, 0.0)}


def _specs(m, lang="zh"):
    page = m.get_html()
    calls = re.findall(r'LVC\.build\(("(?:[^"\\]|\\.)*"), (.*)\);$', page, flags=re.MULTILINE)
    return {json.loads(n): json.loads(p) for n, p in calls}


@pytest.fixture
def study(tmp_path):
    """A 3 km road: a spring at 0 km above village a, b lower down, c in another county."""
    rules = load_rules()
    base = {"county": "甲县", "township": "乙镇", "registered_poor": 0, "water_safe": False}
    rows = [
        {"village_id": "a", "x": 1000, "y": 0, "population": 400, "elevation_m": 900.0},
        {"village_id": "b", "x": 2000, "y": 0, "population": 300, "elevation_m": 1100.0},
        {"village_id": "c", "x": 3000, "y": 0, "population": 200, "county": "丙县"},
        {"village_id": "safe", "x": 3000, "y": 10, "population": 100, "water_safe": True},
    ]
    villages = point_rows(
        [
            {**base, "name": "村" + r["village_id"], "households": r["population"] // 4}
            | {"elevation_m": 900.0}
            | r
            for r in rows
        ],
        id_col="village_id",
    )
    sources = point_rows(
        [
            {
                "water_source_id": sid,
                "name": "水源" + sid,
                "kind": "spring",
                "capacity_m3d": 1000.0,
                "elevation_m": 1000.0,
                "county": "甲县",
                "township": "乙镇",
                "x": 0,
                "y": y,
            }
            for sid, y in (("s", 0), ("idle", 10))
        ],
        id_col="water_source_id",
    )
    (x0, y0), (x1, y1) = lonlat(-500, -500), lonlat(3500, 500)
    townships = point_rows([{"county": "甲县", "name": "乙镇", "x": 0, "y": 0}], id_col="name")
    townships = townships.set_geometry([box(x0, y0, x1, y1)], crs="EPSG:4326")
    s = Study(
        villages=villages,
        facilities=villages.iloc[:0],
        roads_path=tmp_path / "x.osm",
        water_sources=sources,
        townships=townships,
    )
    graph = road_graph(LINE, [(0, 1), (1, 2), (2, 3)])
    s._graph = graph
    s._networks["walk"] = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    return s


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_village_popups_give_the_project_in_words_and_money_in_yuan(study, lang):
    result = run_site(study, study.rules)
    specs = _specs(water_map(study, result, lang=lang))
    name = "饮水不安全的村" if lang == "zh" else "Villages without safe water"
    (spec,) = specs[name]
    cols = spec["cols"]
    assert not [c for c in cols if RAW.search(c)]
    assert not [v for row in spec["rows"] for v in row if RAW.search(v) or v in CODES]
    v = result.plan.villages.set_index("village_id")
    rows = dict(zip(["a", "b", "c"], spec["rows"], strict=True))
    notes = dict(zip(["a", "b", "c"], spec["note"], strict=True))
    cost = "本村工程投资（元）" if lang == "zh" else "Investment for the village (yuan)"
    for vid in ("a", "b"):
        assert v.loc[vid, "served"]
        yuan = v.loc[vid, ["pipe_yuan", "lift_yuan", "works_yuan", "connection_yuan"]].sum()
        assert rows[vid][cols.index(cost)] == f"{round(yuan):,}"  # separators, whole yuan
        assert notes[vid].startswith("规划供水：" if lang == "zh" else "supplied by the plan:")
        assert "水源s" in notes[vid]
    # b lies above the spring: pumped, and says so with its head
    supply = cols.index("供水方式" if lang == "zh" else "Supply")
    assert rows["a"][supply] == ("重力自流" if lang == "zh" else "gravity-fed")
    assert rows["b"][supply] == ("提水" if lang == "zh" else "pumped")
    assert not v.loc["c", "served"]
    assert notes["c"].startswith("无法供水：" if lang == "zh" else "not supplied:")
    # the mains in their colours, the villages in the result colours
    mains = specs["供水管道" if lang == "zh" else "Water mains"][0]
    assert {c["style"]["color"] for c in mains["cats"]} == set(PIPE_COLOURS.values())
    fills = {c["style"]["fillColor"] for c in spec["cats"]}
    assert fills == {STATUS_COLOURS["served"], STATUS_COLOURS["unserved"]}


def test_township_layer_counts_residents_without_safe_water(study):
    result = run_site(study, study.rules)
    specs = _specs(water_map(study, result))
    (area, _labels) = specs["乡镇：饮水不安全人口规划供水比例"]
    # 甲县乙镇: a (400) and b (300) are unsafe and supplied -> 700 of 700; c is in 丙县
    assert area["rows"] == [["甲县", "乙镇", "700", "700", "100%"]]


def _hue(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_notebook_names_the_colours_the_map_draws(repo_root):
    nb = json.loads((repo_root / "notebooks" / "02_water_siting.ipynb").read_text("utf-8"))
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "绿：重力自流" in text
    assert "粉红：提水" in text
    assert "green gravity, pink pumped" in text
    assert "蓝" not in text.split("## 7.")[1]
    assert 75 <= _hue(PIPE_COLOURS["gravity"]) <= 150  # green
    assert 300 <= _hue(PIPE_COLOURS["lift"]) <= 345  # pink
