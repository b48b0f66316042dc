"""Start-up of the command line: `--help` and a bad option, the whole command as users run it.

Runs each command several times in fresh processes and prints the median wall time beside a
bare `python -c pass` measured in the same run (the interpreter's own start-up), the exit
code and whether the output held a traceback (a bad option must exit 2 with one bilingual
line, never a traceback).

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
    "clinics check --mode boat (exit 2)": [str(CLI), "clinics", "check", "--mode", "boat"],
    "demo --basemap google (exit 2)": [str(CLI), "demo", "--basemap", "google"],
}


def run(cmd: list[str]) -> tuple[float, int, bool]:
    """Wall seconds, exit code and whether a traceback was printed."""
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=False, text=True)
    seconds = time.perf_counter() - start
    return seconds, done.returncode, "Traceback" in done.stdout + done.stderr


def main() -> None:
    base = None
    print(f"{'command':40s} {'median s':>9s} {'vs python':>10s} {'exit':>5s} {'traceback':>10s}")
    for name, cmd in COMMANDS.items():
        runs = [run(cmd) for _ in range(RUNS)]
        t = statistics.median(r[0] for r in runs)
        base = base or t
        codes = sorted({r[1] for r in runs})
        trace = any(r[2] for r in runs)
        print(f"{name:40s} {t:9.3f} {t / base:9.1f}x {codes[0]:5d} {'yes' if trace else 'no':>10s}")


if __name__ == "__main__":
    main()
