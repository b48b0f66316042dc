"""Building TravelNetworks from OSM files: the networkx path vs the array path (RoadBase).

Run: .venv/bin/python benchmarks/bench_build.py [--sizes 100k 500k 2M] [--old] [--skip-old]
[--dir DIR]

Writes deterministic synthetic road files (``synthetic_osm.write_grid_osm``, .osm.pbf) into
DIR (default ``~/.cache/lvliang-coverage/bench``; reused when present), then measures, each in
a fresh subprocess (so every peak is its own): the old path (``graph_from_osm`` +
``TravelNetwork.from_graph``, cache disabled) and the new one (``road_base_from_osm`` +
``TravelNetwork.from_roads``, cache disabled; and from the road-base cache), for one mode
(walk) and two (walk, motorcycle). CPU is ``time.process_time`` of the build (imports
excluded), peak is the child's peak resident memory (``VmHWM``, else ``ru_maxrss``; imports
included, about 0.15 GB). At 2M nodes the old path needs about 9 GB and runs only with
``--old``. Prints a table with the old/new ratios and checks that both paths give the same
networks (100k).
Wrap heavy runs in ``flock /tmp/bench.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"100k": 100_000, "500k": 500_000, "2M": 2_000_000}
MODES_1 = ("walk",)
MODES_2 = ("walk", "motorcycle")


def peak_mb() -> float:
    """Peak resident memory of this process image in MB.

    ``VmHWM`` of /proc/self/status where there is one: ``ru_maxrss`` survives ``exec`` on
    Linux, so a child would report its parent's peak when that was higher.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child(path: Path, how: str, modes: tuple[str, ...], cache: Path | None) -> dict:
    """Build in this process and report CPU seconds, peak MB and sizes."""
    import numpy as np  # noqa: F401, PLC0415 - import before the clock starts

    from lvliang_coverage.config import load_rules  # noqa: PLC0415
    from lvliang_coverage.network.graph import graph_from_osm, road_base_from_osm  # noqa: PLC0415
    from lvliang_coverage.network.routing import TravelNetwork  # noqa: PLC0415

    rules = load_rules()
    base_mb = peak_mb()
    t0, w0 = time.process_time(), time.perf_counter()
    if how == "old":
        graph = graph_from_osm(path, rules=rules, use_cache=False)
        t_parse = time.process_time() - t0
        nets = [TravelNetwork.from_graph(graph, mode=m, rules=rules) for m in modes]
    else:
        use_cache = how == "cached"
        base = road_base_from_osm(path, rules=rules, use_cache=use_cache, cache_dir=cache)
        t_parse = time.process_time() - t0
        nets = [TravelNetwork.from_roads(base, mode=m, rules=rules) for m in modes]
    cpu = time.process_time() - t0
    wall = time.perf_counter() - w0
    return {
        "cpu_s": cpu,
        "parse_s": t_parse,
        "wall_s": wall,
        "peak_mb": peak_mb(),
        "base_mb": base_mb,
        "nodes": nets[0].n_nodes,
        "roads": [n.n_roads for n in nets],
    }


def measure(path: Path, how: str, modes: tuple[str, ...], cache: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", str(path), how, ",".join(modes), str(cache)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def check_identity(path: Path) -> str:
    """Both paths give the same network (road ends, lengths, times) for two modes."""
    import numpy as np  # noqa: PLC0415

    from lvliang_coverage.network.graph import graph_from_osm, road_base_from_osm  # noqa: PLC0415
    from lvliang_coverage.network.routing import TravelNetwork  # noqa: PLC0415

    base = road_base_from_osm(path, use_cache=False)
    graph = graph_from_osm(path, use_cache=False)
    for mode in MODES_2:
        a = TravelNetwork.from_graph(graph, mode=mode)
        b = TravelNetwork.from_roads(base, mode=mode)
        for name in ("node_ids", "road_a", "road_b", "len_fwd", "len_bwd", "time_fwd", "time_bwd"):
            if not np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True):
                return f"DIFFERENT ({mode}: {name})"
    return "identical (walk, motorcycle)"


def fmt(r: dict) -> str:
    if "error" in r:
        return f"{'error: ' + r['error'][:40]:>34}"
    return f"{r['cpu_s']:8.1f} s {r['peak_mb'] / 1024:6.2f} GB ({r['parse_s']:5.1f} s parse)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["100k", "500k", "2M"], choices=list(SIZES))
    ap.add_argument("--old", action="store_true", help="also run the old path at 2M (~9 GB)")
    ap.add_argument("--skip-old", action="store_true", help="the new path only (quick runs)")
    ap.add_argument(
        "--dir", type=Path, default=Path.home() / ".cache" / "lvliang-coverage" / "bench"
    )
    args = ap.parse_args()
    rows = []
    for size in args.sizes:
        path = args.dir / f"grid-{size}.osm.pbf"
        if not path.is_file():  # in a child, so this process stays small
            t0 = time.perf_counter()
            code = (
                f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
                f"from synthetic_osm import write_grid_osm; write_grid_osm({str(path)!r}, "
                f"{SIZES[size]})"
            )
            subprocess.run([sys.executable, "-c", code], check=True)
            print(f"wrote {path} in {time.perf_counter() - t0:.0f} s", flush=True)
        with tempfile.TemporaryDirectory() as cache:
            cache_dir = Path(cache)
            measure(path, "cached", MODES_1, cache_dir)  # fills the road-base cache
            for modes in (MODES_1, MODES_2):
                old = (
                    measure(path, "old", modes, cache_dir)
                    if (size != "2M" or args.old) and not args.skip_old
                    else {"error": "skipped"}
                )
                new = measure(path, "new", modes, cache_dir)
                cached = measure(path, "cached", modes, cache_dir)
                rows.append((size, modes, old, new, cached))
                print(
                    f"{size:>5} {'+'.join(modes):16} old {fmt(old)} | new {fmt(new)} | "
                    f"cached {fmt(cached)}",
                    flush=True,
                )
        if size == "100k":
            print(f"  100k: array path vs networkx path: {check_identity(path)}", flush=True)
    print(
        "\n| nodes | modes | old CPU | old peak | new CPU | new peak | CPU ratio | peak ratio |"
        " cached CPU | cached peak | roads |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size, modes, old, new, cached in rows:
        if "error" in new:
            print(f"| {size} | {'+'.join(modes)} | new failed: {new['error']} |")
            continue
        if "error" in old:
            o_cpu = o_peak = r_cpu = r_peak = "-"
        else:
            o_cpu, o_peak = f"{old['cpu_s']:.1f} s", f"{old['peak_mb'] / 1024:.2f} GB"
            r_cpu = f"{old['cpu_s'] / new['cpu_s']:.1f}x"
            r_peak = f"{old['peak_mb'] / new['peak_mb']:.1f}x"
        c_cpu = f"{cached['cpu_s']:.1f} s" if "error" not in cached else "-"
        c_peak = f"{cached['peak_mb'] / 1024:.2f} GB" if "error" not in cached else "-"
        print(
            f"| {size} ({new['nodes']:,}) | {'+'.join(modes)} | {o_cpu} | {o_peak} | "
            f"{new['cpu_s']:.1f} s | {new['peak_mb'] / 1024:.2f} GB | {r_cpu} | {r_peak} | "
            f"{c_cpu} | {c_peak} | {', '.join(f'{n:,}' for n in new['roads'])} |"
        )
    print("\n(peaks include about", f"{rows[0][3].get('base_mb', 0) / 1024:.2f} GB of imports)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, p, how_, modes_, cache_ = sys.argv
        print(json.dumps(child(Path(p), how_, tuple(modes_.split(",")), Path(cache_))))
    else:
        main()
