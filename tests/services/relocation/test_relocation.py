"""Resettlement sites and relocating villages: hand-worked cases, brute force, ledger, bad input."""

import itertools
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import openpyxl
import pandas as pd
import pytest
import typer
from netfixtures import lonlat, point_rows, road_graph, write_osm
from typer.testing import CliRunner

from lvliang_coverage import load_rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.report.vocabulary import mode_name
from lvliang_coverage.services.relocation.analysis import plan_relocation
from lvliang_coverage.services.relocation.cli import app as relocation_app
from lvliang_coverage.services.relocation.evaluation import EVALUATION_COLUMNS, evaluate_sites
from lvliang_coverage.services.relocation.ledger import SITE_HEADERS
from lvliang_coverage.services.relocation.service import SERVICE
from lvliang_coverage.services.relocation.status import proposals, site_sentences
from lvliang_coverage.services.runner import run_task
from lvliang_coverage.study import Study

KM = 1000.0
WALK_MIN_PER_KM = 12.0  # 5 km/h on flat ground


NO_FACILITIES = gpd.GeoDataFrame({"facility_id": [], "kind": []}, geometry=[], crs="EPSG:4326")


def walk_rules(**relocation):
    return load_rules({"relocation": {"mode": "walk", **relocation}})


def line_graph(n, step=KM):
    nodes = {i: (step * i, 0.0) for i in range(n)}
    return nodes, road_graph(nodes, [(i, i + 1) for i in range(n - 1)])


def facility_layer(nodes, placed):
    rows = [
        {"facility_id": f"{kind}{node}", "name": f"{kind}{node}", "kind": kind, "x": nodes[node][0]}
        | {"y": nodes[node][1]}
        for kind, node in placed
    ]
    return point_rows(rows, id_col="facility_id")


def site_layer(nodes, rows):
    """Rows (site_id, node, county, capacity, occupied)."""
    return point_rows(
        [
            {
                "site_id": sid,
                "name": f"安置点{sid}",
                "county": county,
                "township": "乙镇",
                "capacity_households": cap,
                "occupied_households": occ,
                "x": nodes[node][0],
                "y": nodes[node][1],
            }
            for sid, node, county, cap, occ in rows
        ],
        id_col="site_id",
    )


def village_layer(nodes, rows):
    """Rows (village_id, node, county, households, residents[, relocate])."""
    return point_rows(
        [
            {
                "village_id": vid,
                "name": f"村{vid}",
                "county": county,
                "township": "乙镇",
                "households": hh,
                "population": pop,
                "relocate": rest[0] if rest else True,
                "x": nodes[node][0],
                "y": nodes[node][1],
            }
            for vid, node, county, hh, pop, *rest in rows
        ],
        id_col="village_id",
    )


# ---------------------------------------------------------------- site evaluation
@pytest.fixture
def services_case():
    nodes, graph = line_graph(9)
    facilities = facility_layer(
        nodes,
        [
            ("clinic", 1),
            ("school", 2),
            ("workshop", 3),
            ("health_centre", 4),
            ("industrial_park", 0),
            ("hospital", 0),  # not a service of article 16: ignored
        ],
    )
    sites = site_layer(nodes, [("S1", 0, "甲县", 100, 30), ("S2", 3, "甲县", 50, 50)])
    return nodes, graph, facilities, sites


def test_site_missing_exactly_one_service(services_case):
    _, graph, facilities, sites = services_case
    rules = walk_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    ev = evaluate_sites(sites, facilities, net, rules).set_index("site_id")
    assert list(ev.columns) == [*EVALUATION_COLUMNS[1:], "geometry"]
    s1 = ev.loc["S1"]
    # S1 at km 0: clinic 1 km, school 2 km, workshop 3 km (36 min > 30), centre 4 km, park 0 km
    for service, km in [
        ("clinic", 1),
        ("school", 2),
        ("workshop", 3),
        ("health_centre", 4),
        ("industrial_park", 0),
    ]:
        assert s1[f"{service}_min"] == pytest.approx(WALK_MIN_PER_KM * km, rel=5e-3, abs=0.01)
    assert s1["missing"] == "workshop"
    assert s1["missing_required"] == "workshop"
    assert s1["services_met"] == 4
    assert s1["service_score"] == pytest.approx(80.0)
    assert not s1["passes"]
    assert s1["fastest_workshop_id"] == "workshop3"
    assert s1["served_workshop_id"] == ""  # 36 min > 30: no workshop serves S1
    assert s1["served_clinic_id"] == "clinic1"
    assert s1["remaining_households"] == 70
    s2 = ev.loc["S2"]
    assert s2["passes"]
    assert s2["missing"] == ""
    assert s2["service_score"] == pytest.approx(100.0)
    assert s2["remaining_households"] == 0


def test_industrial_park_is_optional(services_case):
    _, graph, facilities, sites = services_case
    rules = walk_rules(max_minutes_industrial_park=20.0)  # S2 is 36 min from the park
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    s2 = evaluate_sites(sites, facilities, net, rules).set_index("site_id").loc["S2"]
    assert s2["missing"] == "industrial_park"
    assert s2["missing_required"] == ""
    assert s2["passes"]
    strict = walk_rules(max_minutes_industrial_park=20.0, optional_services=[])
    s2 = evaluate_sites(sites, facilities, net, strict).set_index("site_id").loc["S2"]
    assert not s2["passes"]


def test_service_without_any_facility_is_missing_everywhere(services_case):
    _, graph, facilities, sites = services_case
    rules = walk_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    ev = evaluate_sites(sites, facilities[facilities["kind"] != "school"], net, rules)
    assert ev["school_min"].isna().all()
    assert ev["missing"].str.contains("school").all()
    assert not ev["passes"].any()


def test_unknown_optional_service_rejected(services_case):
    _, graph, facilities, sites = services_case
    rules = walk_rules(optional_services=["swimming_pool"])
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    with pytest.raises(InputError, match="optional_services"):
        evaluate_sites(sites, facilities, net, rules)


# ---------------------------------------------------------------- assignment, hand-worked
@pytest.fixture
def assign_case():
    nodes = {i: (KM * i, 0.0) for i in range(29)}
    nodes |= {100: (5 * KM, 50 * KM), 101: (6 * KM, 50 * KM)}  # a road no site reaches
    graph = road_graph(nodes, [(i, i + 1) for i in range(28)] + [(100, 101)])
    sites = site_layer(
        nodes,
        [("A", 2, "甲县", 50, 10), ("B", 6, "甲县", 40, 0), ("C", 14, "乙县", 100, 0)],
    )
    villages = village_layer(
        nodes,
        [
            ("v1", 1, "甲县", 30, 100),  # A 12 min, B 60 min
            ("v2", 3, "甲县", 30, 90),  # A 12 min, B 36 min
            ("v3", 5, "甲县", 45, 150),  # more households than A or B have room for
            ("v4", 20, "甲县", 5, 20),  # only C (乙县, 72 min) within 90 min
            ("v5", 28, "乙县", 5, 20),  # C is 168 min away
            ("v6", 100, "甲县", 5, 20),  # on a road no site reaches
            ("v7", 2, "甲县", 5, 20, False),  # not relocating
            ("v8", 7, "甲县", 15, 10),  # fits alone, but v1 and v2 leave 10 households each
        ],
    )
    return graph, villages, sites


def test_assignment_hand_worked(assign_case):
    graph, villages, sites = assign_case
    rules = walk_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    plan = plan_relocation(villages, sites, NO_FACILITIES, net, rules=rules)
    a = plan.assignment.set_index("village_id")
    # capacity binds at A (40 households left): v1->A, v2->B costs 100*12 + 90*36 = 4440
    # resident-minutes, the swap v1->B, v2->A 100*60 + 90*12 = 7080
    assert a["site_id"].to_dict() == {"v1": "A", "v2": "B"}
    assert a.loc["v1", "commute_min"] == pytest.approx(12.0, rel=5e-3)
    assert a.loc["v2", "commute_min"] == pytest.approx(36.0, rel=5e-3)
    assert a.loc["v2", "commute_km"] == pytest.approx(3.0, rel=5e-3)  # B (km 6) back to km 3
    assert plan.summary()["resident_minutes"] == pytest.approx(4440.0, rel=5e-3)
    reasons = plan.unassigned.set_index("village_id")["reason"].to_dict()
    assert reasons == {
        "v3": "too_large",
        "v4": "other_county",
        "v5": "beyond_commute",
        "v6": "no_pair",
        "v8": "capacity",
    }
    u = plan.unassigned.set_index("village_id")
    assert u.loc["v4", "fastest_site_id"] == "C"
    assert u.loc["v4", "fastest_site_min"] == pytest.approx(72.0, rel=5e-3)
    assert u.loc["v4", "fastest_county_site_id"] == "B"
    assert math.isnan(u.loc["v6", "fastest_site_min"])
    assert "v7" not in set(plan.movers["village_id"])
    s = plan.sites.set_index("site_id")
    assert s.loc["A", "assigned_households"] == 30
    assert s.loc["A", "spare_households"] == 10
    assert s.loc["B", "assigned_residents"] == 90
    assert plan.model.status == "optimal"


def test_same_county_rule_can_be_lifted(assign_case):
    graph, villages, sites = assign_case
    rules = walk_rules(same_county=False)
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    plan = plan_relocation(villages, sites, NO_FACILITIES, net, rules=rules)
    a = plan.assignment.set_index("village_id")
    assert a.loc["v4", "site_id"] == "C"
    assert a.loc["v4", "site_county"] == "乙县"
    assert a.loc["v4", "county"] == "甲县"
    assert "v4" not in set(plan.unassigned["village_id"])
    # the argument overrides the rules
    again = plan_relocation(villages, sites, NO_FACILITIES, net, rules=rules, same_county=True)
    assert "v4" in set(again.unassigned["village_id"])


def test_commute_is_from_the_site_back_to_the_village():
    # a one-way road from the site (node 0) straight to the village (node 1); back only by a
    # 3 km detour. Motorcycles keep to one-way roads: site -> village is 1 km, not 3 km.
    nodes = {0: (0.0, 0.0), 1: (KM, 0.0), 2: (0.0, KM), 3: (KM, KM)}
    graph = road_graph(nodes, [(0, 1, {"oneway": True}), (1, 3), (3, 2), (2, 0)])
    sites = site_layer(nodes, [("S", 0, "甲县", 10, 0)])
    villages = village_layer(nodes, [("v", 1, "甲县", 5, 10)])
    rules = load_rules()
    net = TravelNetwork.from_graph(graph, mode="motorcycle", rules=rules)
    plan = plan_relocation(villages, sites, NO_FACILITIES, net, rules=rules)
    kmh = rules.speeds["motorcycle"]["unclassified"]
    assert plan.assignment["commute_min"].iloc[0] == pytest.approx(60.0 / kmh, rel=5e-3)


# ---------------------------------------------------------------- brute force
def brute_force(villages, sites, minutes, limit, same_county):
    """Most residents relocated, then fewest resident-minutes, over every assignment."""
    vids = list(villages["village_id"])
    room = dict(
        zip(
            sites["site_id"],
            sites["capacity_households"] - sites["occupied_households"],
            strict=True,
        )
    )
    county = dict(zip(sites["site_id"], sites["county"], strict=True))
    v = villages.set_index("village_id")
    options = []
    for vid in vids:
        opts = [None]
        for sid in sites["site_id"]:
            t = minutes.get((sid, vid), math.inf)
            if t <= limit and (not same_county or county[sid] == v.loc[vid, "county"]):
                opts.append(sid)
        options.append(opts)
    best = (-1.0, math.inf)
    for choice in itertools.product(*options):
        used = dict.fromkeys(room, 0)
        for vid, sid in zip(vids, choice, strict=True):
            if sid is not None:
                used[sid] += v.loc[vid, "households"]
        if any(used[s] > room[s] for s in room):
            continue
        res = sum(v.loc[vid, "population"] for vid, sid in zip(vids, choice, strict=True) if sid)
        cost = sum(
            v.loc[vid, "population"] * minutes[(sid, vid)]
            for vid, sid in zip(vids, choice, strict=True)
            if sid
        )
        if res > best[0] or (res == best[0] and cost < best[1] - 1e-9):
            best = (res, cost)
    return best


def random_case(seed):
    """A random grid with 3 sites and 7 relocating villages in two counties, solved."""
    rng = np.random.default_rng(seed)
    side, step = 6, 800.0
    nodes = {r * side + c: (step * c, step * r) for r in range(side) for c in range(side)}
    edges = [(n, n + 1) for n in nodes if n % side < side - 1]
    edges += [(n, n + side) for n in nodes if n + side in nodes]
    keep = rng.random(len(edges)) > 0.15
    graph = road_graph(nodes, [e for e, k in zip(edges, keep, strict=True) if k])
    chosen = rng.choice(len(nodes), size=10, replace=False)
    site_nodes, village_nodes = chosen[:3], chosen[3:]
    counties = ["甲县", "乙县"]
    sites = site_layer(
        nodes,
        [
            (f"S{k}", int(n), counties[k % 2], int(rng.integers(20, 60)), int(rng.integers(0, 15)))
            for k, n in enumerate(site_nodes)
        ],
    )
    villages = village_layer(
        nodes,
        [
            (
                f"v{n}",
                int(n),
                counties[int(rng.integers(0, 2))],
                int(rng.integers(5, 30)),
                int(rng.integers(20, 120)),
            )
            for n in village_nodes
        ],
    )
    limit = 50.0
    rules = walk_rules(max_commute_min=limit, same_county=bool(seed % 2 == 0))
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    plan = plan_relocation(villages, sites, NO_FACILITIES, net, rules=rules)
    return graph, villages, sites, site_nodes, village_nodes, rules, plan


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_assignment_optimal_against_brute_force(seed):
    # the seeds cover too_large, capacity, other_county and beyond_commute villages
    graph, villages, sites, site_nodes, village_nodes, rules, plan = random_case(seed)
    limit = rules.relocation.max_commute_min
    # networkx oracle: walking ignores one-way rules, 5 km/h on flat ground
    und = nx.Graph(graph.to_undirected())
    minutes = {}
    for sid, sn in zip(sites["site_id"], site_nodes, strict=True):
        lengths = nx.single_source_dijkstra_path_length(und, int(sn), weight="length")
        for vid, vn in zip(villages["village_id"], village_nodes, strict=True):
            if int(vn) in lengths:
                minutes[(sid, vid)] = lengths[int(vn)] / KM * WALK_MIN_PER_KM
    for row in plan.assignment.itertuples():
        assert row.commute_min == pytest.approx(minutes[(row.site_id, row.village_id)], rel=5e-3)
    residents, cost = brute_force(villages, sites, minutes, limit, rules.relocation.same_county)
    assert plan.assignment["residents"].sum() == residents
    assert plan.assignment["resident_minutes"].sum() == pytest.approx(cost, rel=5e-3)
    assert len(plan.assignment) + len(plan.unassigned) == len(villages)


# ---------------------------------------------------------------- task, ledger, bad input
def small_study(assign_case, services_case, rules=None):
    graph, villages, sites = assign_case
    _, _, facilities, _ = services_case
    return Study(
        villages=villages,
        facilities=facilities,
        roads_path=Path("unused.osm"),
        sites=sites,
        rules=rules or walk_rules(),
        _graph=graph,
    )


def sheet_table(ws, first_header):
    """Header and data rows (dicts) of a ledger sheet, below its title rows."""
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if first_header in values:
            start = values.index(first_header)
            header = [v for v in values[start:] if v is not None]
            rows = [
                dict(zip(header, v[start : start + len(header)], strict=True))
                for v in ws.iter_rows(min_row=r + 1, values_only=True)
                if any(c is not None for c in v)
            ]
            return header, rows
    raise AssertionError(f"no header {first_header!r} in sheet {ws.title}")


def test_ledger_headers_and_units(assign_case, services_case, tmp_path):
    study = small_study(assign_case, services_case)
    run = run_task(SERVICE, study, "plan", tmp_path / "out", maps=False)
    plan = run.result.plan
    names = {f.name for f in run.files}
    assert {
        "relocation_sites.csv",
        "relocation_assignment.csv",
        "relocation_unassigned.csv",
        "relocation_plan.json",
        "relocation_ledger.xlsx",
        "relocation_ledger.csv",
    } <= names
    wb = openpyxl.load_workbook(tmp_path / "out" / "relocation_ledger.xlsx")
    assert wb.sheetnames[:3] == ["汇总", "安置方案", "未安置村"]
    assert set(wb.sheetnames[3:]) == set(plan.sites["county"])
    header, rows = sheet_table(wb["甲县"], "县")
    mode = mode_name("walk", "zh")
    assert header == [h.format(mode=mode) for h in SITE_HEADERS["zh"]]
    assert "至扶贫车间/农业基地/加工车间时间(分钟，步行)" in header
    assert "最快可达扶贫车间/农业基地/加工车间" in header
    row = rows[0]
    assert row["责任单位"].startswith("甲县人民政府、")  # the county's own government
    assert "相关县市区人民政府" not in row["责任单位"]
    for unit in ("市扶贫办", "市农业农村局", "市人社局", "市医保局"):
        assert unit in row["责任单位"]
    for unit in ("市民政局", "市农经局", "市委组织部", "市公安局"):
        assert unit in row["责任单位"]
    assert row["完成时限"].date() == load_rules().relocation.deadline
    _, summary = sheet_table(wb["汇总"], "县")
    total = list(summary[-1].values())
    assert total[0] == "全市"
    assert total[5] == len(plan.movers)  # relocating villages
    left, unplaced = sheet_table(wb["未安置村"], "县")
    assert left[:6] == ["县", "乡镇", "搬迁村", "户数", "常住人口", "未安置原因"]
    assert len(unplaced) == len(plan.unassigned)


def test_english_ledger(assign_case, services_case, tmp_path):
    study = small_study(assign_case, services_case)
    run_task(SERVICE, study, "plan", tmp_path / "en", lang="en", maps=False)
    wb = openpyxl.load_workbook(tmp_path / "en" / "relocation_ledger.xlsx")
    assert wb.sheetnames[:3] == ["Summary", "Assignment", "Unassigned"]
    header, rows = sheet_table(wb["甲县"], "County")
    assert header[:3] == ["County", "Township", "Site"]
    assert "Responsible units" in header
    assert rows[0]["Responsible units"].startswith("甲县 People's Government, ")
    assert rows[0]["Problem"].startswith(("passes", "fails"))


def test_map_lists_missing_services(assign_case, services_case, tmp_path):
    study = small_study(assign_case, services_case)
    files = run_task(SERVICE, study, "plan", tmp_path / "out", maps_dir=tmp_path / "maps").files
    html = (tmp_path / "maps" / "relocation_plan.html").read_text(encoding="utf-8")
    assert "缺少的服务" in html
    # A has every service within reach; B (km 6) only the health centre; C none
    assert "满足5/5项服务" in html
    assert "满足1/5项服务" in html
    assert "满足0/5项服务" in html
    assert "扶贫车间/农业基地/加工车间" in html  # in the popups of B and C
    assert tmp_path / "maps" / "relocation_plan.html" in files


def test_no_movers_and_no_facilities(tmp_path):
    nodes, graph = line_graph(5)
    study = Study(
        villages=village_layer(nodes, [("v1", 1, "甲县", 30, 100, False)]),
        facilities=NO_FACILITIES,
        roads_path=Path("unused.osm"),
        sites=site_layer(nodes, [("A", 2, "甲县", 50, 10)]),
        rules=walk_rules(),
        _graph=graph,
    )
    run = run_task(SERVICE, study, "plan", tmp_path / "out", lang="en", maps_dir=tmp_path / "maps")
    plan = run.result.plan
    assert plan.assignment.empty
    assert plan.unassigned.empty
    assert plan.summary()["relocating_villages"] == 0
    assert plan.sites["services_met"].tolist() == [0]
    ws = openpyxl.load_workbook(tmp_path / "out" / "relocation_ledger.xlsx")["甲县"]
    _, (row,) = sheet_table(ws, "County")
    assert row["To village clinic (min, walking)"] == "unreachable"
    assert row["Fastest village clinic"] is None
    assert row["Problem"] == (
        "fails: no village clinic reachable by road; no township health centre reachable by "
        "road; no school reachable by road; no poverty workshop / agri base reachable by road"
    )
    assert (tmp_path / "maps" / "relocation_plan.html").is_file()


def test_task_without_sites_writes_nothing(assign_case, services_case, tmp_path):
    study = small_study(assign_case, services_case)
    study.sites = None
    out = tmp_path / "never"
    with pytest.raises(InputError, match="sites"):
        run_task(SERVICE, study, "plan", out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- command line
@pytest.fixture
def user_files(tmp_path):
    nodes = {i + 1: (KM * i, 0.0) for i in range(8)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )

    def ll(x):
        lon, lat = lonlat(x, 0.0)
        return f"{lon:.7f},{lat:.7f}"

    villages = tmp_path / "villages.csv"
    villages.write_text(
        "村名,县,乡镇,常住人口,户数,整村搬迁,经度,纬度\n"
        f"甲村,样例县,样例镇,80,25,是,{ll(7 * KM)}\n"
        f"乙村,样例县,样例镇,300,90,否,{ll(3 * KM)}\n",
        encoding="utf-8",
    )
    facilities = tmp_path / "facilities.csv"
    kinds = ["clinic", "health_centre", "school", "workshop", "industrial_park"]
    facilities.write_text(
        "name,kind,lon,lat\n" + "".join(f"{k},{k},{ll(KM)}\n" for k in kinds), encoding="utf-8"
    )
    sites = tmp_path / "sites.csv"
    sites.write_text(
        f"name,county,capacity_households,occupied_households,lon,lat\n点一,样例县,40,10,{ll(0)}\n",
        encoding="utf-8",
    )
    return {"villages": villages, "facilities": facilities, "sites": sites, "roads": roads}


def cli():
    app = typer.Typer()
    app.add_typer(relocation_app, name="relocation")  # as ``lvliang-coverage`` mounts it
    return app


def test_cli_plan_on_user_files(user_files, tmp_path):
    out = tmp_path / "out"
    args = ["relocation", "plan", "--out", str(out), "--no-maps", "--mode", "car"]
    args += [f"--{k}={v}" for k, v in user_files.items()]
    result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 0, result.output
    a = pd.read_csv(out / "relocation_assignment.csv", encoding="utf-8-sig")
    assert a["name"].tolist() == ["甲村"]
    kmh = load_rules().speeds["car"]["unclassified"]
    assert a["commute_min"].iloc[0] == pytest.approx(7 * 60.0 / kmh, rel=5e-3)
    s = pd.read_csv(out / "relocation_sites.csv", encoding="utf-8-sig")
    assert s["remaining_households"].tolist() == [30]
    assert s["assigned_households"].tolist() == [25]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: f["villages"].write_text("村名,常住人口\n甲村,-5\n", encoding="utf-8"), ""),
        (lambda f: f.pop("sites"), "--sites"),
        (lambda f: f["sites"].write_text("name,lon,lat\n点,111,37.5\n", encoding="utf-8"), ""),
    ],
)
def test_cli_bad_input_exits_2_and_writes_nothing(user_files, tmp_path, edit, message):
    edit(user_files)
    out = tmp_path / "never"
    args = ["relocation", "plan", "--out", str(out), "--no-maps"]
    args += [f"--{k}={v}" for k, v in user_files.items()]
    result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_cli_bad_config_exits_2(tmp_path):
    config = tmp_path / "rules.toml"
    config.write_text("[relocation]\nmax_commute_minutes = 60\n", encoding="utf-8")
    out = tmp_path / "never"
    result = CliRunner().invoke(
        cli(), ["relocation", "plan", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 2, result.output
    assert "max_commute_minutes" in result.output
    assert not out.exists()


# ---------------------------------------------------------------- sentences and proposals
def test_site_sentences_hand_worked(services_case):
    _, graph, facilities, sites = services_case
    rules = walk_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    ev = evaluate_sites(sites, facilities, net, rules).set_index("site_id")
    workshop = ev.loc["S1", "workshop_min"]
    assert workshop == pytest.approx(36.0, rel=5e-3)  # 3 km at 12 min/km, limit 30
    zh = site_sentences(ev, "zh", rules)
    en = site_sentences(ev, "en", rules)
    assert list(zh.index) == ["S1", "S2"]
    assert (
        zh["S1"]
        == f"未达标：扶贫车间/农业基地/加工车间最快需{workshop:.1f}分钟（workshop3，限30分钟）"
    )
    assert en["S1"] == (
        f"fails: poverty workshop / agri base {workshop:.1f} min at the fastest "
        "(workshop3; limit 30 min)"
    )
    assert zh["S2"] == "达标：各项服务均在时限内"
    assert en["S2"] == "passes: every service within its time limit"
    # the industrial park is optional (有条件的): S2 still passes without it
    park_rules = walk_rules(max_minutes_industrial_park=20.0)
    ev = evaluate_sites(sites, facilities, net, park_rules).set_index("site_id")
    park = ev.loc["S2", "industrial_park_min"]
    assert park == pytest.approx(36.0, rel=5e-3)
    assert site_sentences(ev, "zh", park_rules)["S2"] == (
        f"达标（有条件的配备：产业园区最快需{park:.1f}分钟（industrial_park0，限20分钟））"
    )
    # no school at all: "none reachable"
    ev = evaluate_sites(sites, facilities[facilities["kind"] != "school"], net, rules)
    assert site_sentences(ev, "zh", rules).iloc[1] == "未达标：路网上无可达的学校"


def test_proposals_name_the_site_and_its_room(assign_case):
    graph, villages, sites = assign_case
    rules = walk_rules()
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    plan = plan_relocation(villages, sites, NO_FACILITIES, net, rules=rules)
    u = plan.unassigned.set_index("village_id")
    # v1 -> A and v2 -> B leave 10 households of room at each (A 40 - 30, B 40 - 30)
    assert u.loc["v3", "allowed_site_id"] == "B"  # 12 min, faster than A (36 min)
    assert u.loc["v3", "allowed_spare_households"] == 10
    assert u.loc["v8", "allowed_site_id"] == "B"
    assert u.loc["v8", "allowed_site_min"] == pytest.approx(12.0, rel=5e-3)
    assert pd.isna(u.loc["v4", "allowed_site_id"])  # only C, another county, within 90 min
    assert u.loc["v4", "nearest_site_id"] == "C"  # 6 km; B is 14 km away
    assert u.loc["v4", "nearest_site_km"] == pytest.approx(6.0, rel=5e-3)
    assert u.loc["v6", "nearest_site_id"] == "B"  # 50 km north of km 5-6, no road to it
    assert u.loc["v6", "nearest_site_km"] == pytest.approx(math.hypot(1.0, 50.0), rel=5e-3)
    c = u.loc["v5", "fastest_site_min"]
    assert c == pytest.approx(168.0, rel=5e-3)  # C (km 14) back to km 28
    zh = proposals(plan.unassigned, plan.sites, "zh", 90.0).set_axis(u.index)
    assert zh.to_dict() == {
        "v3": "扩建安置点B（剩余10户，本村45户）或分批安置",
        "v4": "协调跨县安置至安置点C（乙县，回原村72分钟），或在本县新建安置点",
        "v5": (
            f"各安置点回原村均超过90分钟（最快的安置点C需{c:.0f}分钟）："
            "在90分钟内新建或扩建安置点，或改善道路"
        ),
        "v6": "路网上无可达安置点：核实村庄位置并补录道路数据",
        "v8": "扩建安置点B（剩余10户，本村15户），或调整安置方案",
    }
    en = proposals(plan.unassigned, plan.sites, "en", 90.0).set_axis(u.index)
    assert en["v3"] == (
        "extend 安置点B (10 households of room left, the village has 45) or move in stages"
    )


def test_ledger_fixes_are_concrete(assign_case, services_case, tmp_path):
    study = small_study(assign_case, services_case)
    run = run_task(SERVICE, study, "plan", tmp_path / "out", maps=False)
    plan = run.result.plan
    wb = openpyxl.load_workbook(tmp_path / "out" / "relocation_ledger.xlsx")
    _, unplaced = sheet_table(wb["未安置村"], "县")
    by_village = {r["搬迁村"]: r for r in unplaced}
    assert by_village["村v3"]["整改措施"] == "扩建安置点B（剩余10户，本村45户）或分批安置"
    assert by_village["村v3"]["责任单位"].startswith("甲县人民政府、")
    assert by_village["村v5"]["责任单位"].startswith("乙县人民政府、")
    _, site_rows = sheet_table(wb["甲县"], "县")
    sites = {r["安置点"]: r for r in site_rows}
    # B (km 6) has only the health centre within its limit; v2's 30 households move in
    b = sites["安置点B"]
    assert b["是否达标"] == "否"
    assert b["问题"].startswith("未达标：村卫生室最快需")
    for measure in ("配建村卫生室（30分钟内可达）", "配建学校或开通校车（30分钟内可达）"):
        assert measure in b["整改措施"]
    assert "拟迁入30户：入住前完成上述配套" in b["整改措施"]
    assert "建立党组织和综合性社区管理机构" in b["整改措施"]
    a = sites["安置点A"]
    assert a["问题"] == "达标：各项服务均在时限内"
    assert a["整改措施"].startswith("公共服务设施已达标；搬迁入住2个月内衔接")
    assert len(plan.unassigned) == len(unplaced)


def test_site_sentences_without_optional_services(services_case):
    _, graph, facilities, sites = services_case
    rules = walk_rules(optional_services=[], max_minutes_industrial_park=20.0)
    net = TravelNetwork.from_graph(graph, mode="walk", rules=rules)
    ev = evaluate_sites(sites, facilities, net, rules).set_index("site_id")
    zh = site_sentences(ev, "zh", rules)
    park = ev.loc["S2", "industrial_park_min"]
    assert zh["S2"] == f"未达标：产业园区最快需{park:.1f}分钟（industrial_park0，限20分钟）"
    assert site_sentences(ev.iloc[:0], "zh", rules).empty
