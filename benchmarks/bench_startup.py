"""Start-up of the command line: `--help` and a bad option, the whole command as users run it.

Runs each command several times in fresh processes and prints the median wall time beside a
bare `python -c pass` measured in the same run (the interpreter's own start-up).

    python benchmarks/bench_startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

CLI = Path(sys.executable).with_name("lvliang-coverage")
RUNS = 5
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "lvliang-coverage --help": [str(CLI), "--help"],
    "clinics check --help": [str(CLI), "clinics", "check", "--help"],
    "clinics check --lang fr (exit 2)": [str(CLI), "clinics", "check", "--lang", "fr"],
    "demo --basemap google (exit 2)": [str(CLI), "demo", "--basemap", "google"],
}


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    base = None
    print(f"{'command':40s} {'median s':>9s} {'vs python':>10s}")
    for name, cmd in COMMANDS.items():
        t = statistics.median(wall(cmd) for _ in range(RUNS))
        base = base or t
        print(f"{name:40s} {t:9.3f} {t / base:9.1f}x")


if __name__ == "__main__":
    main()
