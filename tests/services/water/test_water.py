"""Drinking-water siting: hand-worked pipes, lifts, capacities, budgets; brute force; money."""

import datetime
import itertools
import math

import geopandas as gpd
import networkx as nx
import numpy as np
import openpyxl
import pandas as pd
import pytest
import typer
from netfixtures import METRIC, lonlat, point_rows, road_graph
from shapely.geometry import Point
from typer.testing import CliRunner

from lvliang_coverage import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.report.workbook import read_ledger_sheet, write_ledger_files
from lvliang_coverage.services.runner import run_task
from lvliang_coverage.services.water.cli import app as water_app
from lvliang_coverage.services.water.demand import unsafe_villages
from lvliang_coverage.services.water.ledger import HEADERS, WATER_FILES, plan_ledger
from lvliang_coverage.services.water.pairs import supply_pairs
from lvliang_coverage.services.water.plan import plan_water
from lvliang_coverage.services.water.service import SERVICE
from lvliang_coverage.study import Study

# policy numbers (吕政办发〔2019〕41号), written out here as the independent oracle
SUBSIDY_SHARE = 0.5  # article 12: 50 % of the household connection for poor households
FUND_PER_PERSON = 3.0  # article 13: 3 yuan per resident supplied per year

LINE = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (2000.0, 0.0), 3: (3000.0, 0.0)}
LINE_EDGES = [(0, 1), (1, 2), (2, 3)]


def villages(rows):
    """Unsafe villages (defaults filled) from dicts with x/y metres."""
    full = []
    for r in rows:
        pop = r.get("population", 400)
        row = {
            "name": "村" + r["village_id"],
            "county": "甲县",
            "township": "乙镇",
            "population": pop,
            "households": r.get("households", pop // 4),
            "registered_poor": 0,
            "water_safe": False,
            "elevation_m": 900.0,
        }
        row.update(r)
        full.append(row)
    return point_rows(full, id_col="village_id")


def sources(rows):
    """Water sources (defaults filled) from dicts with x/y metres."""
    full = []
    for r in rows:
        row = {
            "name": "水源" + r["water_source_id"],
            "kind": "spring",
            "capacity_m3d": 1000.0,
            "elevation_m": 1000.0,
            "county": "甲县",
            "township": "乙镇",
        }
        row.update(r)
        full.append(row)
    return point_rows(full, id_col="water_source_id")


def network(nodes=LINE, edges=LINE_EDGES, rules=None):
    return TravelNetwork.from_graph(road_graph(nodes, edges), mode="walk", rules=rules)


def water_site(study, out_dir, **options):
    """Run the ``site`` task as the command does; give the plan and the files written."""
    run = run_task(SERVICE, study, "site", out_dir, **options)
    return run.result.plan, run.files


def pair_cost(w, pipe_m, head_m, population, households):
    """Cost of one supply pair from the rules' unit costs (yuan)."""
    return (
        pipe_m * w.pipe_cost_yuan_per_m
        + head_m * w.lift_cost_yuan_per_m_head
        + population * w.demand_l_per_resident_day / 1000.0 * w.works_cost_yuan_per_m3d
        + households * w.connection_cost_yuan_per_household
    )


# ---------------------------------------------------------------- pipes, gravity and lift
def test_pairs_gravity_lift_and_unknown_elevation():
    rules = load_rules()
    w = rules.water
    vil = villages(
        [
            {"village_id": "v1", "x": 1000, "y": 0, "elevation_m": 980.0},  # 20 m below: gravity
            {"village_id": "v2", "x": 2000, "y": 0, "elevation_m": 995.0},  # 5 m below: lift 5 m
            {"village_id": "v3", "x": 3000, "y": 0, "elevation_m": np.nan},  # unknown: 10 m
            {"village_id": "v4", "x": 3000, "y": 0, "elevation_m": 1020.0},  # above: 30 m
        ]
    )
    src = sources([{"water_source_id": "s", "x": 0, "y": 0}])
    net = network(rules=rules)
    p = supply_pairs(unsafe_villages(vil, rules), src, net, rules).set_index("village_id")
    assert (p["basis"] == "network").all()
    assert p["pipe_m"].to_dict() == pytest.approx(
        {"v1": 1000.0, "v2": 2000.0, "v3": 3000.0, "v4": 3000.0}, abs=0.5
    )
    assert p["gravity"].to_dict() == {"v1": True, "v2": False, "v3": False, "v4": False}
    assert p["head_m"].to_dict() == pytest.approx({"v1": 0.0, "v2": 5.0, "v3": 10.0, "v4": 30.0})
    expected = pair_cost(w, 2000.0, 5.0, 400, 100)
    assert p.loc["v2", "cost_yuan"] == pytest.approx(expected, abs=0.5 * w.pipe_cost_yuan_per_m)


def test_off_network_village_uses_straight_line_times_winding():
    rules = load_rules()
    vil = villages([{"village_id": "far", "x": 1000, "y": 2000}])  # 2 km from the road
    src = sources([{"water_source_id": "s", "x": 0, "y": 0}])
    plan = plan_water(vil, src, network(rules=rules), rules=rules)
    row = plan.villages.iloc[0]
    assert row["off_network"]
    assert row["basis"] == "straight"
    assert row["pipe_m"] == pytest.approx(
        math.hypot(1000, 2000) * rules.water.winding_factor, rel=1e-3
    )
    line = plan.pipelines.to_crs(METRIC).geometry.iloc[0]
    assert line.length == pytest.approx(math.hypot(1000, 2000), rel=1e-3)  # drawn straight


def test_main_follows_the_roads():
    nodes = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (1000.0, 1000.0)}
    rules = load_rules()
    net = network(nodes, [(0, 1), (1, 2)], rules)
    vil = villages([{"village_id": "v", "x": 1000, "y": 1000}])
    src = sources([{"water_source_id": "s", "x": 0, "y": 0}])
    plan = plan_water(vil, src, net, rules=rules)
    assert plan.villages["pipe_m"].iloc[0] == pytest.approx(2000.0, abs=0.5)
    route = plan.pipelines.to_crs(METRIC).geometry.iloc[0]
    assert route.length == pytest.approx(2000.0, abs=1.0)  # along the L, not the 1,414 m diagonal
    corner = Point(
        *gpd.GeoSeries([Point(lonlat(1000, 0))], crs="EPSG:4326").to_crs(METRIC)[0].coords[0]
    )
    assert route.distance(corner) < 1.0


# ---------------------------------------------------------------- capacity, reach, budget
def capacity_case(cap_plant):
    rules = load_rules()
    vil = villages(
        [
            {"village_id": "v1", "x": 1000, "y": 0, "population": 1000},  # 60 m3/day
            {"village_id": "v2", "x": 2000, "y": 0, "population": 500},  # 30 m3/day
        ]
    )
    src = sources(
        [
            {
                "water_source_id": "plant",
                "kind": "plant",
                "capacity_m3d": cap_plant,
                "x": 0,
                "y": 0,
            },
            {"water_source_id": "res", "kind": "reservoir", "x": 3000, "y": 0},
        ]
    )
    return rules, plan_water(vil, src, network(rules=rules), rules=rules)


def test_capacity_binding_splits_villages_between_sources():
    rules, free = capacity_case(1000.0)
    assert set(free.villages["water_source_id"]) == {"plant"}  # existing plant, no source cost
    assert free.sources.set_index("water_source_id")["developed"].to_dict() == {
        "plant": False,
        "res": False,
    }
    rules, tight = capacity_case(70.0)  # 60 + 30 > 70: one village must go to the reservoir
    got = tight.villages.set_index("village_id")["water_source_id"].to_dict()
    # v1 -> plant (1 km) + v2 -> reservoir (1 km) costs the reservoir plus 2 km of pipe; the
    # other split needs 4 km and the reservoir for both needs 3 km
    assert got == {"v1": "plant", "v2": "res"}
    w = rules.water
    fixed = w.source_cost_yuan["reservoir"]
    pipes = 2000.0 * w.pipe_cost_yuan_per_m
    assert tight.counties.iloc[-1]["pipe_yuan"] == pytest.approx(pipes, abs=1.0)
    s = tight.sources.set_index("water_source_id")
    assert s.loc["res", "developed"]
    assert s.loc["plant", "load_m3d"] == pytest.approx(60.0)
    works = 90.0 * w.works_cost_yuan_per_m3d
    assert s["construction_yuan"].sum() == pytest.approx(fixed + works)
    assert tight.solves["status"].eq("optimal").all()


def test_unreachable_other_county_and_too_large_villages_are_reported():
    rules = load_rules({"water": {"max_pipe_km": 5.0}})
    nodes = {**LINE, 4: (9000.0, 0.0)}
    net = network(nodes, [*LINE_EDGES, (3, 4)], rules)
    vil = villages(
        [
            {"village_id": "ok", "x": 1000, "y": 0},
            {"village_id": "far", "x": 9000, "y": 0},  # 9 km by road, 5 km allowed
            {"village_id": "other", "x": 2000, "y": 0, "county": "丙县"},
            {"village_id": "huge", "x": 3000, "y": 0, "population": 100_000},  # 6,000 m3/day
        ]
    )
    src = sources([{"water_source_id": "s", "x": 0, "y": 0, "capacity_m3d": 500.0}])
    plan = plan_water(vil, src, net, rules=rules)
    reasons = plan.villages.set_index("village_id")["reason"].to_dict()
    assert reasons == {
        "ok": "",
        "far": "too_far",
        "other": "other_county",
        "huge": "exceeds_capacity",
    }
    whole = plan_water(vil, src, net, rules=rules, per_county=False)
    assert whole.villages.set_index("village_id").loc["other", "served"]


def test_budget_serves_most_residents_it_can_afford():
    rules = load_rules()
    w = rules.water
    vil = villages(
        [
            {"village_id": "big", "x": 1000, "y": 0, "population": 1000, "households": 250},
            {"village_id": "small", "x": 2000, "y": 0, "population": 300, "households": 75},
        ]
    )
    src = sources([{"water_source_id": "p", "kind": "plant", "x": 0, "y": 0, "elevation_m": 2000}])
    net = network(rules=rules)
    big = pair_cost(w, 1000.0, 0.0, 1000, 250)
    small = pair_cost(w, 2000.0, 0.0, 300, 75)
    assert small < big < small + big
    plan = plan_water(vil, src, net, rules=rules, budget=big + 0.5 * small)
    v = plan.villages.set_index("village_id")
    assert v["served"].to_dict() == {"big": True, "small": False}
    assert v.loc["small", "reason"] == "budget"
    assert plan.counties.iloc[-1]["total_yuan"] <= big + 0.5 * small
    none = plan_water(vil, src, net, rules=rules, budget=0.0)
    assert not none.villages["served"].any()
    assert set(none.villages["reason"]) == {"budget"}


# ---------------------------------------------------------------- brute force
def brute_force(graph, vil, src, rules):
    """Best plan by enumeration: most residents served, then least cost (yuan)."""
    w = rules.water
    und = nx.Graph(graph)
    node_of_v = dict(zip(vil["village_id"], vil["node"], strict=True))
    node_of_s = dict(zip(src["water_source_id"], src["node"], strict=True))
    options = {}
    for v in vil.itertuples():
        opts = [None]
        for s in src.itertuples():
            try:
                d = nx.shortest_path_length(
                    und, node_of_s[s.water_source_id], node_of_v[v.village_id], weight="length"
                )
            except nx.NetworkXNoPath:
                continue
            if d > w.max_pipe_km * 1000:
                continue
            drop = s.elevation_m - v.elevation_m
            head = 0.0 if drop >= w.min_gravity_head_m else w.min_gravity_head_m - drop
            opts.append((s.water_source_id, pair_cost(w, d, head, v.population, v.households)))
        options[v.village_id] = opts
    demand = {
        v.village_id: v.population * w.demand_l_per_resident_day / 1000.0 for v in vil.itertuples()
    }
    pop = dict(zip(vil["village_id"], vil["population"], strict=True))
    cap = dict(zip(src["water_source_id"], src["capacity_m3d"], strict=True))
    fixed = {
        s.water_source_id: 0.0 if s.kind in w.existing_kinds else w.source_cost_yuan[s.kind]
        for s in src.itertuples()
    }
    best = (-1, math.inf)
    ids = list(options)
    for combo in itertools.product(*(options[i] for i in ids)):
        load = {}
        for vid, o in zip(ids, combo, strict=True):
            if o is not None:
                load[o[0]] = load.get(o[0], 0.0) + demand[vid]
        if any(load[s] > cap[s] + 1e-9 for s in load):
            continue
        served = sum(pop[vid] for vid, o in zip(ids, combo, strict=True) if o is not None)
        cost = sum(o[1] for o in combo if o is not None) + sum(fixed[s] for s in load)
        if served > best[0] or (served == best[0] and cost < best[1] - 1e-6):
            best = (served, cost)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_plan_is_optimal_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    side, step = 4, 800.0
    nodes = {r * side + c: (step * c, step * r) for r in range(side) for c in range(side)}
    edges = [(n, n + 1) for n in nodes if n % side < side - 1]
    edges += [(n, n + side) for n in nodes if n + side in nodes]
    full = nx.Graph(edges)
    for e in rng.permutation(len(edges)):  # drop some roads, every node stays connected
        u, v = edges[e]
        full.remove_edge(u, v)
        if rng.random() > 0.3 or not nx.is_connected(full):
            full.add_edge(u, v)
    graph = road_graph(nodes, list(full.edges))
    picks = rng.choice(len(nodes), size=9, replace=False)
    vil = villages(
        [
            {
                "village_id": f"v{n}",
                "node": int(n),
                "x": nodes[n][0],
                "y": nodes[n][1],
                "population": int(rng.integers(200, 1500)),
                "elevation_m": float(rng.uniform(900, 1100)),
            }
            for n in picks[:5]
        ]
    )
    src = sources(
        [
            {
                "water_source_id": f"s{n}",
                "node": int(n),
                "x": nodes[n][0],
                "y": nodes[n][1],
                "kind": str(rng.choice(["spring", "well", "plant"])),
                "capacity_m3d": float(rng.uniform(20, 120)),
                "elevation_m": float(rng.uniform(900, 1100)),
            }
            for n in picks[5:]
        ]
    )
    rules = load_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    plan = plan_water(vil, src, net, rules=rules)
    served, cost = brute_force(graph, vil, src, rules)
    got = plan.villages.loc[plan.villages["served"], "population"].sum()
    assert got == served
    assert plan.counties.iloc[-1]["total_yuan"] == pytest.approx(cost, abs=2.0)


# ---------------------------------------------------------------- money
def test_subsidy_and_maintenance_fund_from_the_policy_numbers():
    rules = load_rules()
    vil = villages(
        [
            {
                "village_id": "a",
                "x": 1000,
                "y": 0,
                "population": 300,
                "households": 100,
                "registered_poor": 90,
            },
            {
                "village_id": "b",
                "x": 2000,
                "y": 0,
                "population": 500,
                "households": 160,
                "registered_poor": 47,
            },
            {"village_id": "c", "x": 3000, "y": 0, "population": 200, "households": 70},
        ]
    )
    src = sources([{"water_source_id": "s", "x": 0, "y": 0}])
    plan = plan_water(vil, src, network(rules=rules), rules=rules)
    v = plan.villages.set_index("village_id")
    # poor households = poor residents / residents per household: 90 / 3 = 30, 47 / 3.125 = 15.04
    assert v["poor_households"].to_dict() == {"a": 30, "b": 15, "c": 0}
    conn = rules.water.connection_cost_yuan_per_household
    assert v["subsidy_yuan"].to_dict() == pytest.approx(
        {"a": 30 * conn * SUBSIDY_SHARE, "b": 15 * conn * SUBSIDY_SHARE, "c": 0.0}
    )
    assert v["maintenance_yuan_year"].to_dict() == pytest.approx(
        {"a": 300 * FUND_PER_PERSON, "b": 500 * FUND_PER_PERSON, "c": 200 * FUND_PER_PERSON}
    )
    city = plan.counties.set_index("county").loc["全市"]
    assert city["maintenance_yuan_year"] == pytest.approx(1000 * FUND_PER_PERSON)
    assert city["subsidy_yuan"] == pytest.approx(45 * conn * SUBSIDY_SHARE)
    assert city["connection_yuan"] == pytest.approx(330 * conn)
    s = plan.sources.set_index("water_source_id").loc["s"]
    assert s["maintenance_yuan_year"] == pytest.approx(1000 * FUND_PER_PERSON)  # per project
    parts = ["construction_yuan", "pipe_yuan", "lift_yuan", "connection_yuan"]
    assert city["total_yuan"] == pytest.approx(city[parts].sum())


def test_ledger_headers_and_units(tmp_path):
    rules = load_rules()
    vil = villages(
        [
            {"village_id": "a", "x": 1000, "y": 0},
            {"village_id": "b", "x": 2000, "y": 0, "county": "丙县"},
        ]
    )
    src = sources([{"water_source_id": "s", "x": 0, "y": 0}])
    plan = plan_water(vil, src, network(rules=rules), rules=rules)
    files = write_ledger_files(plan_ledger(plan), tmp_path)
    wb = openpyxl.load_workbook(files[0])
    assert wb.sheetnames == ["汇总", "水源工程", "丙县", "甲县"]
    table = read_ledger_sheet(files[0], "甲县")
    header = list(table.columns)
    assert header == ["序号", *HEADERS["zh"]]
    assert "责任单位" in header
    assert "完成时限" in header
    row = table.iloc[0]
    assert row["责任单位"] == "甲县人民政府、市水利局、市财政局"  # the county's government
    assert row["完成时限"].date() == datetime.date(datetime.date.today().year, 12, 31)
    assert row["年维修养护资金(元)"] == 400 * FUND_PER_PERSON
    other = read_ledger_sheet(files[0], "丙县").iloc[0]
    assert other["整改措施"].startswith("可用水源均在外县")
    assert other["责任单位"] == "丙县人民政府、市水利局、市财政局"
    summary = list(read_ledger_sheet(files[0], "汇总").columns)
    assert summary[:2] == ["序号", "县"]
    assert "年维修养护资金(万元/年)" in summary
    (tmp_path / "en").mkdir()
    en = write_ledger_files(plan_ledger(plan, "en"), tmp_path / "en")
    assert openpyxl.load_workbook(en[0]).sheetnames[:2] == ["Summary", "Source projects"]


# ---------------------------------------------------------------- jobs and command line
def test_job_writes_nothing_on_bad_input(tmp_path):
    vil = villages([{"village_id": "a", "x": 1000, "y": 0}])
    src = sources([{"water_source_id": "s", "x": 0, "y": 0, "kind": "cistern"}])
    study = Study(
        villages=vil, facilities=vil.iloc[:0], roads_path=tmp_path / "none.osm", water_sources=src
    )
    study._networks["walk"] = network()
    out = tmp_path / "out"
    with pytest.raises(InputError, match="cistern"):
        water_site(study, out, maps=False)
    assert not out.exists()
    study.water_sources = None
    with pytest.raises(InputError, match="no water sources"):
        water_site(study, out, maps=False)
    assert not out.exists()


def test_command_bad_file_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "villages.csv"
    bad.write_text("village_id,name,population,lon,lat\nV1,甲,abc,111.1,37.5\n", encoding="utf-8")
    src = tmp_path / "sources.csv"
    src.write_text(
        "water_source_id,kind,capacity_m3d,lon,lat\nW1,spring,100,111.1,37.5\n", encoding="utf-8"
    )
    roads = tmp_path / "roads.osm"
    roads.write_text("<osm version='0.6'></osm>", encoding="utf-8")
    out = tmp_path / "out"
    app = typer.Typer()
    app.add_typer(water_app, name="water")
    args = ["water", "site", "--villages", bad, "--sources", src, "--roads", roads, "--out", out]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    result = CliRunner().invoke(app, ["water", "site", "--villages", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "--sources" in result.output
    assert not out.exists()


@pytest.fixture(scope="module")
def default_run(tmp_path_factory, default_study):
    out = tmp_path_factory.mktemp("water")
    plan, files = water_site(default_study, out, maps=False)
    return plan, files, out


def test_default_data_plan(default_run):
    plan, files, out = default_run
    assert sorted(f.name for f in files) == sorted(WATER_FILES)
    v = plan.villages
    truth = pd.read_csv(out / "water_plan_villages.csv", encoding="utf-8-sig")
    assert len(truth) == len(v) > 0
    assert v["served"].mean() > 0.9
    assert plan.solves["status"].eq("optimal").all()
    assert (plan.sources["load_m3d"] <= plan.sources["capacity_m3d"] + 1e-6).all()
    pairs = plan.pairs.set_index(["village_id", "water_source_id"])
    chosen = v[v["served"]].set_index(["village_id", "water_source_id"])
    assert pairs.loc[chosen.index, "same_county"].all()
    assert (pairs.loc[chosen.index, "pipe_m"] <= plan.rules.water.max_pipe_m + 1e-6).all()
    city = plan.counties.set_index("county").loc["全市"]
    assert city["maintenance_yuan_year"] == pytest.approx(
        v.loc[v["served"], "population"].sum() * FUND_PER_PERSON
    )


def test_places_without_county_match_any_county():
    rules = load_rules()
    vil = villages([{"village_id": "a", "x": 1000, "y": 0, "county": ""}])
    src = sources([{"water_source_id": "s", "x": 0, "y": 0, "county": "丙县"}])
    plan = plan_water(vil, src, network(rules=rules), rules=rules)
    assert plan.villages["served"].all()


def test_job_with_map_writes_the_map_into_maps_dir(tmp_path):
    rules = load_rules()
    graph = road_graph(LINE, LINE_EDGES)
    vil = villages(
        [
            {"village_id": "a", "x": 1000, "y": 0, "elevation_m": 1100.0},
            {"village_id": "b", "x": 2000, "y": 0},
            {"village_id": "c", "x": 3000, "y": 0, "county": "丙县"},
            {"village_id": "safe", "x": 3000, "y": 10, "water_safe": True},
        ]
    )
    src = sources(
        [
            {"water_source_id": "s", "x": 0, "y": 0},
            {"water_source_id": "idle", "x": 0, "y": 10},
        ]
    )
    study = Study(
        villages=vil, facilities=vil.iloc[:0], roads_path=tmp_path / "x.osm", water_sources=src
    )
    study._graph = graph
    study._networks["walk"] = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    plan, files = water_site(study, tmp_path / "out", maps_dir=tmp_path / "maps", lang="en")
    assert (tmp_path / "maps" / "water_plan.html") in files
    html = (tmp_path / "maps" / "water_plan.html").read_text(encoding="utf-8")
    for label in ("Water mains", "Pumped mains", "Gravity mains", "Sources not chosen"):
        assert label in html
    assert "Unsafe water: no supply possible" in html
    pipes = gpd.read_file(tmp_path / "out" / "water_pipelines.geojson")
    assert sorted(pipes["village_id"]) == ["a", "b"]
    assert set(pipes["gravity"]) == {False, True}
    assert plan.sources.set_index("water_source_id").loc["idle", "used"] == np.False_


def test_no_unsafe_village_gives_an_empty_plan(tmp_path):
    rules = load_rules()
    vil = villages([{"village_id": "a", "x": 1000, "y": 0, "water_safe": True}])
    src = sources([{"water_source_id": "s", "x": 0, "y": 0}])
    plan = plan_water(vil, src, network(rules=rules), rules=rules)
    assert plan.villages.empty
    assert plan.summary()["total_yuan"] == 0.0
    files = write_ledger_files(plan_ledger(plan), tmp_path)
    assert openpyxl.load_workbook(files[0]).sheetnames == ["汇总", "水源工程"]


def test_command_on_user_files(tmp_path):
    lon_lat = [lonlat(x, y) for x, y in LINE.values()]
    nodes = "".join(
        f"<node id='{i + 1}' lat='{lat:.7f}' lon='{lon:.7f}'/>"
        for i, (lon, lat) in enumerate(lon_lat)
    )
    way = "".join(f"<nd ref='{i + 1}'/>" for i in range(len(lon_lat)))
    roads = tmp_path / "roads.osm"
    roads.write_text(
        f"<osm version='0.6'>{nodes}<way id='1'>{way}<tag k='highway' v='track'/></way></osm>",
        encoding="utf-8",
    )
    (v1, v2), (s1, s2) = lon_lat[2], lon_lat[0]
    vil = tmp_path / "villages.csv"
    vil.write_text(
        "village_id,name,county,township,population,households,registered_poor,water_safe,lon,lat\n"
        f"V1,甲村,甲县,乙镇,600,200,60,False,{v1},{v2}\n",
        encoding="utf-8",
    )
    src = tmp_path / "sources.csv"
    src.write_text(
        "water_source_id,name,kind,capacity_m3d,elevation_m,county,lon,lat\n"
        f"W1,甲泉,spring,500,1500,甲县,{s1},{s2}\n",
        encoding="utf-8",
    )
    app = typer.Typer()
    app.add_typer(water_app, name="water")
    out = tmp_path / "out"
    args = ["water", "site", "--villages", vil, "--sources", src, "--roads", roads, "--out", out]
    result = CliRunner().invoke(app, [str(a) for a in [*args, "--no-maps"]])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "water_plan_villages.csv", encoding="utf-8-sig")
    assert table["served"].tolist() == [True]
    assert table["pipe_m"].iloc[0] == pytest.approx(2000.0, rel=5e-3)  # haversine vs projected
    conn = load_rules().water.connection_cost_yuan_per_household
    assert table["subsidy_yuan"].iloc[0] == pytest.approx(20 * conn * SUBSIDY_SHARE)
    assert not (out / "water_plan.html").exists()


@pytest.mark.parametrize(
    ("village_xy", "source_xy", "road_m", "legs_m"),
    [
        ((1500.0, 100.0), (0.0, 0.0), 1500.0, 100.0),  # joins mid-road, 100 m off it
        ((700.0, 50.0), (200.0, -30.0), 500.0, 80.0),  # both on the same road piece
        ((2600.0, 0.0), (400.0, 0.0), 2200.0, 0.0),  # through two junctions
    ],
)
def test_route_joins_roads_where_the_points_do(village_xy, source_xy, road_m, legs_m):
    rules = load_rules()
    vil = villages([{"village_id": "v", "x": village_xy[0], "y": village_xy[1]}])
    src = sources([{"water_source_id": "s", "x": source_xy[0], "y": source_xy[1]}])
    plan = plan_water(vil, src, network(rules=rules), rules=rules)
    winding = rules.network.offroad_winding
    assert plan.villages["pipe_m"].iloc[0] == pytest.approx(road_m + legs_m * winding, abs=0.5)
    route = plan.pipelines.to_crs(METRIC).geometry.iloc[0]
    assert route.length == pytest.approx(road_m + legs_m, abs=1.0)
    metric = gpd.GeoSeries(
        [Point(lonlat(*village_xy)), Point(lonlat(*source_xy)), Point(lonlat(village_xy[0], 0.0))],
        crs="EPSG:4326",
    ).to_crs(METRIC)
    assert (
        metric.distance(route) < 0.5
    ).all()  # from the source, via the join point, to the village
