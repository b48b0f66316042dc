"""Start-up of the command line: `--help`, a bad option and the first progress line of a job.

Runs each command several times in fresh processes, interleaved (one round runs every command
once), and prints the median wall time beside two peers measured in the same run: a bare
`python -c pass` (the interpreter's own start-up) and `python -c "import geopandas"` (one
analysis library). For `--help` and the bad options the time is the whole command, with its
exit code and whether the output held a traceback (a bad option must exit 2 with one
bilingual line, never a traceback). For `clinics check` on the default data it is the time
from the start of the process to its first line of output (the first progress step, goal
under 1 s); the job is stopped there, before it writes anything.

    python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CLI = Path(sys.executable).with_name("lvliang-coverage")
RUNS = 5
PYTHON = "python -c pass"
GEOPANDAS = 'python -c "import geopandas"'
COMMANDS = {
    PYTHON: [sys.executable, "-c", "pass"],
    GEOPANDAS: [sys.executable, "-c", "import geopandas"],
    "lvliang-coverage --help": [str(CLI), "--help"],
    "clinics check --help": [str(CLI), "clinics", "check", "--help"],
    "clinics check --lang fr (exit 2)": [str(CLI), "clinics", "check", "--lang", "fr"],
    "clinics check --mode boat (exit 2)": [str(CLI), "clinics", "check", "--mode", "boat"],
    "demo --basemap google (exit 2)": [str(CLI), "demo", "--basemap", "google"],
}
FIRST_LINE = "clinics check: first progress line"
"""The first line of ``clinics check`` on the default data (the command is stopped there)."""


@dataclass(frozen=True)
class Timing:
    """One run: wall seconds, exit code (None: stopped at its first line), traceback seen."""

    seconds: float
    code: int | None
    traceback: bool


def run(cmd: list[str]) -> Timing:
    """Run a command to its end: wall seconds, exit code and whether a traceback was printed."""
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False, text=True)
    seconds = time.perf_counter() - start
    return Timing(seconds, done.returncode, "Traceback" in done.stdout + done.stderr)


def first_line(cmd: list[str]) -> Timing:
    """Seconds from spawning ``cmd`` to its first line on stdout or stderr; then stop it."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stderr is not None
    seconds, text = float("nan"), b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        sel.register(proc.stderr, selectors.EVENT_READ)
        while not text:
            events = sel.select(timeout=120)
            if not events:
                break
            for key, _ in events:
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if line:
                    seconds, text = time.perf_counter() - start, line
                    break
                sel.unregister(key.fileobj)
            if not sel.get_map():
                break
    proc.kill()  # our own child, stopped before it writes anything
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        stream.close()
    return Timing(seconds, None, b"Traceback" in text)


def main() -> None:
    """Measure every command, interleaved, and print medians and ratios to both peers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="rounds (median over them)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="bench_startup_") as tmp:
        job = [str(CLI), "clinics", "check", "--out", str(Path(tmp) / "out")]
        job += ["--maps", str(Path(tmp) / "maps")]
        timings: dict[str, list[Timing]] = {name: [] for name in (*COMMANDS, FIRST_LINE)}
        for _ in range(runs):
            for name, cmd in COMMANDS.items():
                timings[name].append(run(cmd))
            timings[FIRST_LINE].append(first_line(job))
        leftovers = sorted(p.name for p in Path(tmp).iterdir())
    median = {name: statistics.median(t.seconds for t in ts) for name, ts in timings.items()}
    print(f"{runs} rounds, interleaved; load average {os.getloadavg()[0]:.2f}")
    header = f"{'command':40s} {'median s':>9s} {'vs python':>10s} {'vs geopandas':>13s}"
    print(f"{header} {'exit':>5s} {'traceback':>10s}")
    for name, ts in timings.items():
        codes = sorted({t.code for t in ts}, key=lambda c: -1 if c is None else c)
        code = "-" if codes[0] is None else str(codes[0])
        trace = "yes" if any(t.traceback for t in ts) else "no"
        t = median[name]
        print(
            f"{name:40s} {t:9.3f} {t / median[PYTHON]:9.1f}x {t / median[GEOPANDAS]:12.2f}x "
            f"{code:>5s} {trace:>10s}"
        )
    goal = "within" if median[FIRST_LINE] <= 1.0 else "NOT within"
    print(f"first progress line of clinics check: {median[FIRST_LINE]:.3f} s ({goal} 1 s)")
    if leftovers:
        print(f"the stopped job left files: {leftovers}")


if __name__ == "__main__":
    main()
