"""Province benchmark: a synthetic Shanxi checked and planned end to end (CLI and API).

    python benchmarks/province.py generate [--counties N] [--cache DIR] [--seed S]
    python benchmarks/province.py run [--counties N] [--cache DIR] [--no-dem]
        [--skip cli,api,baselines] [--mem-limit-gb 20]

``generate`` writes a deterministic dataset (the real 2023 division list of Shanxi: 121
counties, 1,352 townships, 21,895 village-level units; synthetic settlements, residents,
roads, clinics, health centres, hospitals, DEM and county/township boxes) into
``<cache>/<counties>-s<seed>/`` (default cache ``~/.cache/lvliang-coverage/province``).
``--counties N`` keeps the first N counties in code order (a cut-out of the province: the same
settlements, facilities and roads there). ``run`` executes ``clinics check`` and ``clinics
plan`` through the command line, then the same work through the public API, each in its own
process, with the time of every progress step and the peak memory (``ru_maxrss``) of each
process; then the routing stage beside networkx and a bare ``scipy.sparse.csgraph`` call on the
same graph. Heavy runs: wrap in ``flock /tmp/bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CLI = Path(sys.executable).with_name("lvliang-coverage")
DEFAULT_CACHE = Path.home() / ".cache" / "lvliang-coverage" / "province"
GOAL_S, GOAL_GB = 600.0, 12.0
_STEP = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s+(.*)$")


def dataset_dir(cache: Path, counties: int | None, seed: int) -> Path:
    """Folder of one dataset: ``all-s0``, ``c5-s0`` ..."""
    return cache / f"{'all' if counties is None else f'c{counties}'}-s{seed}"


# ---------------------------------------------------------------------------------- generate
def generate(cache: Path, counties: int | None, seed: int = 0, *, dem: bool = True) -> Path:
    """Write the synthetic province (or its first ``counties`` counties); returns the folder.

    Files: ``villages.csv``, ``facilities.csv``, ``counties.geojson``, ``townships.geojson``,
    ``roads.osm.pbf``, ``dem.tif`` (unless ``dem`` is False) and ``manifest.json`` (counts).
    """
    import numpy as np  # noqa: PLC0415
    import shapely  # noqa: PLC0415
    from _province_data import (  # noqa: PLC0415
        ROAD_BUFFER_M,
        facilities,
        layout,
        load_divisions,
        polygons_geojson,
        road_spacing_m,
        settlements,
        with_lonlat,
    )
    from _province_roads import Grid, write_dem, write_roads  # noqa: PLC0415

    t0 = time.perf_counter()
    out = dataset_dir(cache, counties, seed)
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    div = load_divisions()
    # two counties share the name 城区 (阳泉市, 晋城市): the registries prefix the city there
    cty = div[div["level"] == "county"]
    dup = cty.loc[cty["name"].duplicated(keep=False), "code"]
    label = dict(zip(cty["code"], cty["name"], strict=True))
    label.update({c: cty.set_index("code").loc[c, "city"] + label[c] for c in dup})
    div["county"] = div["county_code"].map(label).fillna(div["county"])
    lay = layout(div)
    grid = Grid.province(road_spacing_m())
    vil = settlements(lay, seed)
    vil["x"], vil["y"] = grid.snap(vil["x"].to_numpy(), vil["y"].to_numpy())
    fac = facilities(lay, vil, seed)
    codes = cty["code"].tolist()
    keep = codes if counties is None else codes[:counties]
    names = {label[c] for c in keep}
    vil = vil[vil["county"].isin(names)].reset_index(drop=True)
    fac = fac[fac["county"].isin(names)].reset_index(drop=True)
    with_lonlat(vil.drop(columns="county_seat")).to_csv(tmp / "villages.csv", index=False)
    with_lonlat(fac).to_csv(tmp / "facilities.csv", index=False)
    (tmp / "counties.geojson").write_text(
        polygons_geojson(
            lay,
            keep,
            [
                {"county": label[c], "adcode": c, "city": cty.set_index("code").loc[c, "city"]}
                for c in keep
            ],
        ),
        encoding="utf-8",
    )
    towns = div[(div["level"] == "township") & div["county_code"].isin(keep)]
    (tmp / "townships.geojson").write_text(
        polygons_geojson(
            lay,
            towns["code"].tolist(),
            [
                {"township_id": t, "name": n, "county": label[c]}
                for t, n, c in zip(towns["code"], towns["name"], towns["county_code"], strict=True)
            ],
        ),
        encoding="utf-8",
    )
    boxes = np.array([lay.boxes[c] for c in keep])
    box = (
        boxes[:, 0].min() - ROAD_BUFFER_M,
        boxes[:, 1].min() - ROAD_BUFFER_M,
        boxes[:, 2].max() + ROAD_BUFFER_M,
        boxes[:, 3].max() + ROAD_BUFFER_M,
    )
    roads = write_roads(tmp / "roads.osm.pbf", grid, box)
    if dem:
        write_dem(tmp / "dem.tif", seed)
    small = vil.groupby("admin_code")["population"].sum()
    rural = small[small.index.str[-3:].astype(int) >= 200]
    manifest = {
        "counties": len(keep),
        "townships": int(vil["township_code"].nunique()),
        "village_units": int(vil["admin_code"].nunique()),
        "settlements": len(vil),
        "residents": int(vil["population"].sum()),
        "rural_units_under_200": int((rural < 200).sum()),
        "rural_units": len(rural),
        "share_rural_units_under_200": round(float((rural < 200).mean()), 4),
        "facilities": {k: int(v) for k, v in fac["kind"].value_counts().items()},
        "road_nodes": roads["nodes"],
        "road_ways": roads["ways"],
        "road_spacing_m": round(grid.spacing, 1),
        "seed": seed,
        "dem": dem,
        "area_km2": round(float(shapely.area(shapely.box(*box))) / 1e6),
        "generate_s": round(time.perf_counter() - t0, 1),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


# ---------------------------------------------------------------------------------- children
MEM_LIMIT_GB = 20.0
"""Address-space limit of every child (GB): a runaway run fails alone on the shared machine."""


def _limit_memory() -> None:
    """Cap the child's address space at :data:`MEM_LIMIT_GB` (``RLIMIT_AS``)."""
    import resource  # noqa: PLC0415

    cap = int(MEM_LIMIT_GB * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _child(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, object]:
    """Run a child process, time-stamping its standard-error lines; wall time and peak RSS.

    Returns ``wall_s``, ``peak_gb`` (``ru_maxrss`` of the child), ``cpu_s``, ``rc``,
    ``steps`` (``[seconds since start, seconds the step lasted, text]``, from the tool's own
    progress lines) and ``stdout``.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        preexec_fn=_limit_memory,  # noqa: PLW1509 - no threads in the parent
    )
    assert proc.stderr is not None
    assert proc.stdout is not None
    lines: list[tuple[float, str]] = []
    with log.open("w", encoding="utf-8") as fh:
        for line in proc.stderr:
            lines.append((time.perf_counter() - t0, line.rstrip()))
            fh.write(f"{lines[-1][0]:8.1f} | {line}")
            fh.flush()
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    steps: list[list[object]] = []
    for _at, text in lines:
        m = _STEP.match(text)
        if m:
            steps.append([float(m.group(1)), 0.0, m.group(2)])
    for i, step in enumerate(steps):
        end = steps[i + 1][0] if i + 1 < len(steps) else wall
        step[1] = round(float(end) - float(step[0]), 1)  # type: ignore[arg-type]
    return {
        "cmd": " ".join(cmd[1:3]),
        "rc": proc.returncode,
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_gb": round(usage.ru_maxrss / 2**20, 2),
        "steps": steps,
        "stderr_tail": [t for _, t in lines[-5:]],
        "stdout": stdout[-4000:],
    }


def _inputs(data: Path, dem: bool) -> list[str]:
    args = [
        "--villages", str(data / "villages.csv"),
        "--facilities", str(data / "facilities.csv"),
        "--roads", str(data / "roads.osm.pbf"),
        "--boundaries", str(data / "counties.geojson"),
    ]  # fmt: skip
    return args + (["--dem", str(data / "dem.tif")] if dem and (data / "dem.tif").is_file() else [])


def api_run(data: Path, out: Path, dem: bool) -> None:
    """The check and plan through the public API, each stage timed; prints JSON (stdout)."""
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    t, c = time.perf_counter(), time.process_time()

    def stage(name: str) -> None:
        nonlocal t, c
        now, now_c = time.perf_counter(), time.process_time()
        stages[name], cpu[name] = round(now - t, 2), round(now_c - c, 2)
        t, c = now, now_c

    def progress(msg: str) -> None:
        print(f"{time.perf_counter() - t0:7.1f}s {msg}", file=sys.stderr, flush=True)

    t0 = t
    import lvliang_coverage as lc  # noqa: PLC0415
    from lvliang_coverage.report.workbook import write_ledger_files  # noqa: PLC0415
    from lvliang_coverage.services.runner import dated_ledger, write_table  # noqa: PLC0415

    stage("import")
    rules = lc.load_rules()
    clinics = lc.services.get("clinics")
    study = lc.Study.from_files(
        villages=data / "villages.csv",
        facilities=data / "facilities.csv",
        roads=data / "roads.osm.pbf",
        boundaries=data / "counties.geojson",
        dem=(data / "dem.tif") if dem and (data / "dem.tif").is_file() else None,
        rules=rules,
        progress=progress,
    )
    stage("read_inputs")
    study.network("walk")
    stage("road_network")
    planned = clinics.analyse(study, rules, task="plan", mode="walk")
    stage("plan")
    check = clinics.analyse(study, rules, task="check", modes=["walk"], plan=planned.plan)
    stage("check")
    ledgers = clinics.ledgers(check, "zh")
    stage("ledger_rows")
    out.mkdir(parents=True, exist_ok=True)
    for name, table in check.tables().items():
        write_table(name, table, out)
    stage("write_tables")
    books = [p for ledger in ledgers for p in write_ledger_files(dated_ledger(ledger, study), out)]
    stage("write_ledgers")
    from openpyxl import load_workbook  # noqa: PLC0415

    sheets = {
        p.name: len(load_workbook(p, read_only=True).sheetnames)
        for p in books
        if p.suffix == ".xlsx"
    }
    m = clinics.map(check, "zh", study=study)
    stage("map_build")
    map_path = m.save(out / "clinic_check.html") if m is not None else None
    stage("map_save")
    summary = {k: v for k, v in check.summary().items() if isinstance(v, int | float | str)}
    print(
        json.dumps(
            {
                "stages": stages,
                "stages_cpu": cpu,
                "summary": summary,
                "plan": {
                    k: v for k, v in planned.summary().items() if isinstance(v, int | float | str)
                },
                "ledger_sheets": sheets,
                "map_mb": round(map_path.stat().st_size / 2**20, 1) if map_path else None,
            },
            ensure_ascii=False,
            default=str,
        )
    )


def baselines(data: Path, dem: bool) -> None:
    """Routing on one graph: the engine's nearest vs networkx and bare scipy; prints JSON."""
    import networkx as nx  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415
    from scipy.sparse import csgraph  # noqa: PLC0415

    import lvliang_coverage as lc  # noqa: PLC0415

    rules = lc.load_rules()
    study = lc.Study.from_files(
        villages=data / "villages.csv",
        facilities=data / "facilities.csv",
        roads=data / "roads.osm.pbf",
        boundaries=data / "counties.geojson",
        dem=(data / "dem.tif") if dem and (data / "dem.tif").is_file() else None,
        rules=rules,
    )
    net = study.network("walk")
    care = study.care_facilities
    res: dict[str, object] = {"nodes": int(net.n_nodes), "roads": int(net.n_roads)}
    t = time.perf_counter()
    near = net.nearest(study.villages, care, nearest_by="distance")
    res["engine_nearest_points_s"] = round(time.perf_counter() - t, 3)
    # facilities at their nearest road end: the same sources for every method
    snapped = net.snap(care)
    ends = np.where(snapped["fraction"].to_numpy() <= 0.5, snapped["u"], snapped["v"])
    order = np.argsort(net.node_ids)
    idx = order[np.searchsorted(net.node_ids, ends, sorter=order)]
    src_ids = net.node_ids[np.unique(idx)]
    t = time.perf_counter()
    eng = net.nearest_nodes(list(src_ids), nearest_by="distance")
    res["engine_nearest_nodes_s"] = round(time.perf_counter() - t, 3)
    csr = net.base_graph("distance", reverse=True).matrix
    t = time.perf_counter()
    d_sp = csgraph.dijkstra(csr, directed=True, indices=np.unique(idx), min_only=True)
    res["scipy_min_only_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    g = nx.from_scipy_sparse_array(csr, create_using=nx.DiGraph)
    res["networkx_graph_build_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    ref = nx.multi_source_dijkstra_path_length(g, [int(i) for i in np.unique(idx)])
    res["networkx_multi_source_s"] = round(time.perf_counter() - t, 3)
    d_nx = np.full(net.n_nodes, np.inf)
    d_nx[np.fromiter(ref.keys(), dtype=np.int64)] = np.fromiter(ref.values(), dtype=float)
    d_eng = eng["network_m"].reindex(net.node_ids).to_numpy(dtype=float)
    d_eng = np.where(np.isnan(d_eng), np.inf, d_eng)
    fin = np.isfinite(d_nx)
    res["max_diff_scipy_nx_m"] = float(np.max(np.abs(d_sp[fin] - d_nx[fin]))) if fin.any() else 0.0
    res["max_diff_engine_nx_m"] = (
        float(np.max(np.abs(d_eng[fin] - d_nx[fin]))) if fin.any() else 0.0
    )
    res["reachability_equal"] = bool(np.array_equal(np.isfinite(d_eng), fin))
    res["villages_reachable"] = int(near["reachable"].sum())
    for key in ("scipy_min_only_s", "networkx_multi_source_s"):
        base = float(res[key])  # type: ignore[arg-type]
        res[f"engine_nodes_vs_{key[:-2]}"] = round(
            base / max(float(res["engine_nearest_nodes_s"]), 1e-9), 2
        )  # type: ignore[arg-type]
    print(json.dumps(res))


# ---------------------------------------------------------------------------------- run
def run(
    cache: Path, counties: int | None, seed: int, *, dem: bool, skip: set[str], warm: bool
) -> dict[str, object]:
    """Run the benchmark on a generated dataset; prints and returns the figures."""
    data = dataset_dir(cache, counties, seed)
    if not (data / "manifest.json").is_file():
        raise SystemExit(f"no dataset in {data}: run `generate` first")
    manifest = json.loads((data / "manifest.json").read_text())
    env = dict(os.environ, XDG_CACHE_HOME=str(data / "xdg"), PYTHONUNBUFFERED="1", COLUMNS="200")
    if not warm:
        shutil.rmtree(data / "xdg", ignore_errors=True)
    runs = data / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir()
    results: dict[str, object] = {"dataset": manifest}
    print(f"dataset {data}: " + json.dumps(manifest, ensure_ascii=False))
    if "cli" not in skip:
        for task in ("check", "plan"):
            if f"cli_{task}" in skip:
                continue
            cmd = [
                str(CLI),
                "clinics",
                task,
                *_inputs(data, dem),
                "--out",
                str(runs / f"cli_{task}"),
            ]
            r = _child(cmd, env, runs / f"cli_{task}.log")
            results[f"cli_{task}"] = r
            _print_child(f"CLI clinics {task}", r)
    if "api" not in skip:
        cmd = [sys.executable, __file__, "_api", "--data", str(data), "--out", str(runs / "api")]
        r = _child(cmd + ([] if dem else ["--no-dem"]), env, runs / "api.log")
        r["api"] = json.loads(str(r["stdout"]).strip().splitlines()[-1]) if r["rc"] == 0 else None
        results["api"] = r
        _print_child("API (Study + clinics service)", r)
        if r["api"]:
            print("  stages (s): " + json.dumps(r["api"]["stages"]))  # type: ignore[index]
            print("  stages CPU (s): " + json.dumps(r["api"].get("stages_cpu")))  # type: ignore[union-attr]
            print("  map MB: ", r["api"]["map_mb"], " ledger sheets:", r["api"]["ledger_sheets"])  # type: ignore[index]
    if "baselines" not in skip:
        cmd = [sys.executable, __file__, "_baselines", "--data", str(data)]
        r = _child(cmd + ([] if dem else ["--no-dem"]), env, runs / "baselines.log")
        r["baselines"] = (
            json.loads(str(r["stdout"]).strip().splitlines()[-1]) if r["rc"] == 0 else None
        )
        results["baselines"] = r
        print(f"routing baselines (rc {r['rc']}, peak {r['peak_gb']} GB):")
        print("  " + json.dumps(r["baselines"]))
    cpu = sum(float(results[k]["cpu_s"]) for k in ("cli_check", "cli_plan") if k in results)  # type: ignore[index]
    total = sum(float(results[k]["wall_s"]) for k in ("cli_check", "cli_plan") if k in results)  # type: ignore[index]
    peak = max(
        (float(results[k]["peak_gb"]) for k in ("cli_check", "cli_plan", "api") if k in results),
        default=0.0,
    )  # type: ignore[index]
    if "cli_check" in results:
        print(
            f"\nprovince goal: checked and planned in {total:.0f} s wall, {cpu:.0f} s CPU "
            f"(goal {GOAL_S:.0f} s), "
            f"peak {peak:.2f} GB (goal {GOAL_GB:.0f} GB)"
        )
    (data / "last_run.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str)
    )
    return results


def _print_child(title: str, r: dict[str, object]) -> None:
    print(f"\n== {title}: exit {r['rc']}, wall {r['wall_s']} s, CPU {r['cpu_s']} s, ", end="")
    print(f"peak {r['peak_gb']} GB")
    for at, took, text in r["steps"]:  # type: ignore[attr-defined]
        print(f"  {at:7.1f}s  +{took:6.1f}s  {text}")
    if r["rc"] != 0:
        print("  stderr tail: " + " | ".join(r["stderr_tail"]))  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> None:
    """Command line of the benchmark (``generate``, ``run``)."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("generate", "run"):
        s = sub.add_parser(name)
        s.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
        s.add_argument(
            "--counties", type=int, default=None, help="first N counties (default all 121)"
        )
        s.add_argument("--seed", type=int, default=0)
        s.add_argument("--no-dem", action="store_true")
    sub.choices["run"].add_argument(
        "--skip", default="", help="comma list of cli, cli_check, cli_plan, api, baselines"
    )
    sub.choices["run"].add_argument("--warm", action="store_true", help="keep the graph cache")
    sub.choices["run"].add_argument("--mem-limit-gb", type=float, default=20.0)
    for name in ("_api", "_baselines"):
        s = sub.add_parser(name)
        s.add_argument("--data", type=Path, required=True)
        s.add_argument("--out", type=Path, default=None)
        s.add_argument("--no-dem", action="store_true")
    a = p.parse_args(argv)
    if a.cmd == "generate":
        out = generate(a.cache, a.counties, a.seed, dem=not a.no_dem)
        print(out)
        print((out / "manifest.json").read_text())
    elif a.cmd == "run":
        global MEM_LIMIT_GB  # noqa: PLW0603 - one setting for the children of this run
        MEM_LIMIT_GB = a.mem_limit_gb
        run(
            a.cache,
            a.counties,
            a.seed,
            dem=not a.no_dem,
            skip=set(filter(None, a.skip.split(","))),
            warm=a.warm,
        )
    elif a.cmd == "_api":
        api_run(a.data, a.out, dem=not a.no_dem)
    else:
        baselines(a.data, dem=not a.no_dem)


if __name__ == "__main__":
    main()
