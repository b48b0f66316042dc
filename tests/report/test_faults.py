"""Fault injection: interrupts and errors during the final move, full and read-only disks."""

import errno
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from netfixtures import lonlat, write_osm
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.console import INTERRUPTED, errors_to_exit_codes
from lvliang_coverage.errors import OutputError
from lvliang_coverage.report import _journal, output
from lvliang_coverage.report.output import MANIFEST, new_run_id, staged_output

OLD = {"a.csv": "old a", "b.csv": "old b", "c.csv": "old c"}
NEW = {"a.csv": "new a", "b.csv": "new b", "c.csv": "new c", "d.csv": "new d"}


def write_run(out: Path, files: dict[str, str], **kwargs) -> None:
    kwargs.setdefault("run_id", new_run_id())
    with staged_output(out, **kwargs) as stage:
        for name, text in files.items():
            (stage / name).write_text(text, encoding="utf-8")


def contents(folder: Path) -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != MANIFEST
    }


def leftovers(*folders: Path) -> list[str]:
    return [
        p.name
        for f in folders
        if f.is_dir()
        for p in f.iterdir()
        if "lvliang-stage" in p.name or p.name.endswith(".lvliang-lock")
    ]


@pytest.fixture
def old_set(tmp_path):
    out = tmp_path / "out"
    write_run(out, OLD)
    return out


def failing_move(fail_on: int, exc: BaseException, *, after_moving: bool):
    """A move that raises ``exc`` on call number ``fail_on`` (before or after moving)."""
    calls = []

    def move(src: Path, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == fail_on:
            if after_moving:
                os.replace(src, dst)
            raise exc
        os.replace(src, dst)

    return move


# ---------------------------------------------------------------- interrupted final move
@pytest.mark.parametrize("after_moving", [False, True])
@pytest.mark.parametrize("fail_on", [1, 2, 3, 6, 9])
def test_interrupt_during_the_move_keeps_the_old_set(
    old_set, tmp_path, monkeypatch, fail_on, after_moving
):
    monkeypatch.setattr(
        _journal, "_move", failing_move(fail_on, KeyboardInterrupt(), after_moving=after_moving)
    )
    with pytest.raises(KeyboardInterrupt):
        write_run(old_set, NEW)
    assert contents(old_set) == OLD
    assert leftovers(tmp_path, old_set) == []
    monkeypatch.undo()
    write_run(old_set, NEW)  # the manifest is intact: the next run proceeds
    assert contents(old_set) == NEW


def test_an_os_error_during_the_move_keeps_the_old_set(old_set, tmp_path, monkeypatch):
    fault = OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(_journal, "_move", failing_move(4, fault, after_moving=False))
    with pytest.raises(OutputError, match="cannot write") as err:
        write_run(old_set, NEW)
    assert "Input/output error" in str(err.value)
    assert contents(old_set) == OLD
    assert leftovers(tmp_path, old_set) == []


def test_sigint_during_the_move_is_raised_after_the_whole_commit(old_set, tmp_path, monkeypatch):
    calls = []

    def move(src: Path, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C right in the middle of the commit
        os.replace(src, dst)

    monkeypatch.setattr(_journal, "_move", move)
    with pytest.raises(KeyboardInterrupt):
        write_run(old_set, NEW)
    assert len(calls) > len(NEW)  # the commit went on after the signal
    assert contents(old_set) == NEW
    assert leftovers(tmp_path, old_set) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigint_from_another_thread_during_a_slow_move(old_set, tmp_path, monkeypatch):
    sent = threading.Event()
    calls = []

    def slow_move(src: Path, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == 2:
            sent.wait(5.0)
            time.sleep(0.05)
        os.replace(src, dst)

    def interrupt() -> None:
        while len(calls) < 2:
            time.sleep(0.001)
        os.kill(os.getpid(), signal.SIGINT)
        sent.set()

    monkeypatch.setattr(_journal, "_move", slow_move)
    timer = threading.Thread(target=interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            write_run(old_set, NEW)
    finally:
        timer.join()
    assert sent.is_set()
    assert contents(old_set) == NEW
    assert leftovers(tmp_path, old_set) == []


# ---------------------------------------------------------------- SIGTERM (another process)
CHILD = """
import sys, time
from pathlib import Path
from lvliang_coverage.report import _journal
from lvliang_coverage.report.output import staged_output

out, where = Path(sys.argv[1]), sys.argv[2]
calls = []

def slow_move(src, dst):
    calls.append(dst)
    if where == "commit" and len(calls) == 1:
        print("moving", flush=True)
        time.sleep(2.0)
    _journal.os.replace(src, dst)

_journal._move = slow_move
with staged_output(out) as stage:
    for name in ("a.csv", "b.csv", "c.csv", "d.csv"):
        (stage / name).write_text("new " + name[0], encoding="utf-8")
    if where == "work":
        print("working", flush=True)
        time.sleep(30)
print("done", flush=True)
"""


def run_child(out: Path, where: str) -> subprocess.CompletedProcess:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(out), where],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() in {"moving", "working"}, (line, child.stderr.read())
    child.send_signal(signal.SIGTERM)
    stdout, stderr = child.communicate(timeout=30)
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)


def test_sigterm_during_the_work_leaves_the_old_set_and_no_staging(old_set, tmp_path):
    done = run_child(old_set, "work")
    assert done.returncode == 143, done.stderr
    assert "done" not in done.stdout
    assert contents(old_set) == OLD
    assert leftovers(tmp_path, old_set) == []


def test_sigterm_during_the_commit_completes_it_then_exits(old_set, tmp_path):
    done = run_child(old_set, "commit")
    assert done.returncode == 143, done.stderr
    assert "done" not in done.stdout  # the process ended right after the commit
    assert contents(old_set) == NEW
    assert leftovers(tmp_path, old_set) == []


def test_a_concurrent_run_in_another_process_refuses(tmp_path):
    out = tmp_path / "out"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(out), "work"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "working"
        with pytest.raises(OutputError, match="another run is writing to this folder"):
            write_run(out, OLD)
    finally:
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=30)
    assert not out.exists()
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- full and read-only disks
@contextmanager
def tmpfs(path: Path, size: str = "64k"):
    """A small tmpfs mounted at ``path`` (skips the test where the machine cannot mount)."""
    path.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command: cannot make a small file system for the disk tests")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def remount_read_only(path: Path) -> None:
    done = subprocess.run(
        ["mount", "-o", "remount,ro", str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only: {done.stderr.strip()}")


BIG = "x" * 200_000  # more than the 64 KiB file system holds


def test_disk_full_while_writing_leaves_nothing(tmp_path):
    with tmpfs(tmp_path / "disk") as disk:
        out = disk / "out"
        write_run(out, OLD)
        with pytest.raises(OSError, match="No space") as err:
            write_run(out, {"a.csv": "new", "big.csv": BIG})
        assert err.value.errno == errno.ENOSPC
        assert contents(out) == OLD
        assert leftovers(disk, out) == []


def test_disk_full_for_a_move_to_another_disk_is_found_before_the_commit(tmp_path):
    out = tmp_path / "out"
    with tmpfs(tmp_path / "maps") as maps:
        write_run(out, {"a.csv": "old", "m.html": "old map"}, maps_dir=maps)
        with pytest.raises(OutputError, match="not enough free disk space") as err:
            write_run(out, {"a.csv": "new", "m.html": BIG}, maps_dir=maps)
        assert "磁盘空间不足" in str(err.value)
        assert contents(out) == {"a.csv": "old"}
        assert contents(maps) == {"m.html": "old map"}
        assert leftovers(tmp_path, out, maps) == []
        write_run(out, {"a.csv": "new", "m.html": "new map"}, maps_dir=maps)  # crosses disks
        assert contents(maps) == {"m.html": "new map"}
        assert leftovers(tmp_path, out, maps) == []


def test_output_folder_on_its_own_full_disk(tmp_path):
    with tmpfs(tmp_path / "out") as out:  # the folder is a mount point: staging is elsewhere
        write_run(out, OLD)
        assert contents(out) == OLD
        with pytest.raises(OutputError, match="not enough free disk space"):
            write_run(out, {"a.csv": BIG})
        assert contents(out) == OLD
        assert leftovers(tmp_path, out) == []


def test_read_only_output_folder(tmp_path):
    with tmpfs(tmp_path / "out") as out:
        write_run(out, OLD)
        remount_read_only(out)
        with pytest.raises(OutputError, match="not writable") as err:
            write_run(out, NEW)
        assert str(out) in str(err.value)
        assert contents(out) == OLD
        assert leftovers(tmp_path) == []


def test_read_only_parent_refuses_before_any_work(tmp_path):
    with tmpfs(tmp_path / "disk") as disk:
        remount_read_only(disk)
        ran = []
        with pytest.raises(OutputError, match="not writable"), staged_output(disk / "out"):
            ran.append(True)
        assert not ran


# ---------------------------------------------------------------- the CLI's exit codes
def exit_of(exc: BaseException) -> int:
    with pytest.raises(typer.Exit) as caught, errors_to_exit_codes():
        raise exc
    return caught.value.exit_code


def test_os_errors_are_one_line_and_exit_2(capsys):
    assert exit_of(OSError(errno.ENOSPC, "No space left on device", "/srv/out/a.csv")) == 2
    message = " ".join(capsys.readouterr().err.split())
    assert "磁盘空间不足 / no space left on the disk: /srv/out/a.csv" in message
    assert "Traceback" not in message
    assert exit_of(PermissionError(errno.EACCES, "Permission denied", "/srv/out")) == 2
    assert "permission denied: /srv/out" in " ".join(capsys.readouterr().err.split())
    assert exit_of(OutputError("输出文件夹不可写 / the output folder is not writable")) == 2


def test_ctrl_c_exits_130_with_one_line(capsys):
    assert exit_of(KeyboardInterrupt()) == 130
    assert capsys.readouterr().err.strip() == INTERRUPTED


# ---------------------------------------------------------------- through the command line
@pytest.fixture
def user_files(tmp_path):
    """Three villages on a 4 km road and one clinic (as in the CLI tests)."""
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )
    lines = ["村名,常住人口,经度,纬度,县,乡镇"]
    for name, x, pop in [("村甲", 1000, 120), ("村乙", 3500, 80), ("村丙", 2000, 600)]:
        lon, lat = lonlat(x, 0.0)
        lines.append(f"{name},{pop},{lon:.7f},{lat:.7f},样例县,样例镇")
    villages = tmp_path / "villages.csv"
    villages.write_text("\n".join(lines) + "\n", encoding="utf-8")
    clinics = tmp_path / "clinics.csv"
    lon, lat = lonlat(0.0, 0.0)
    clinics.write_text(f"name,lon,lat\n卫生室,{lon:.7f},{lat:.7f}\n", encoding="utf-8")
    return [f"--villages={villages}", f"--clinics={clinics}", f"--roads={roads}"]


def cli(task: str, out: Path, files: list[str], *extra: str):
    return CliRunner().invoke(app, ["clinics", task, "--out", str(out), *extra, *files])


def test_cli_a_later_run_leaves_no_stale_plan_files(user_files, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(output, "_PROCESS_RUN", None)
    assert cli("check", out, user_files, "--no-maps").exit_code == 0
    monkeypatch.setattr(output, "_PROCESS_RUN", None)
    assert cli("plan", out, user_files).exit_code == 0
    assert (out / "clinic_plan_sites.csv").is_file()
    assert (out / "clinic_plan.html").is_file()
    monkeypatch.setattr(output, "_PROCESS_RUN", None)  # a new invocation is a new process
    result = cli("plan", out, user_files, "--no-maps")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir() if p.name != MANIFEST)
    check = [
        "clinic_compliance.csv",
        "clinic_compliance_admin.csv",
        "clinic_summary.csv",
        "township_doctors.csv",
        "county_doctors.csv",
        "clinic_ledger.xlsx",
        "clinic_ledger.csv",
        "clinic_admin_ledger.xlsx",
        "clinic_admin_ledger.csv",
    ]
    plan = [
        "clinic_plan_sites.csv",
        "clinic_plan_groups.csv",
        "clinic_plan_curve.csv",
        "clinic_plan_uncoverable.csv",
        "clinic_plan_components.csv",
        "clinic_plan.json",
    ]
    # the plan's old map is gone (the set of the earlier plan run was replaced whole);
    # the check's files are another set and stay
    assert names == sorted(check + plan)


def test_cli_out_is_a_file_exits_2(user_files, tmp_path):
    out = tmp_path / "results"
    out.write_text("not a folder", encoding="utf-8")
    result = cli("check", out, user_files, "--no-maps")
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "错误 / error:" in message
    assert "not a folder" in message
    assert "Traceback" not in message
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_cli_folder_in_the_way_exits_2_and_writes_nothing(user_files, tmp_path):
    out = tmp_path / "out"
    (out / "clinic_ledger.xlsx").mkdir(parents=True)
    result = cli("check", out, user_files, "--no-maps")
    assert result.exit_code == 2
    assert "in the way" in " ".join(result.output.split())
    assert sorted(p.name for p in out.iterdir()) == ["clinic_ledger.xlsx"]
    assert leftovers(tmp_path, out) == []


def test_cli_second_concurrent_run_exits_2(user_files, tmp_path):
    out = tmp_path / "out"
    with staged_output(out):
        result = cli("check", out, user_files, "--no-maps")
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "另一个运行正在写入该目录 / another run is writing to this folder" in message
    assert not out.exists()


def test_cli_interrupt_during_the_move_exits_130(user_files, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(_journal, "_move", failing_move(3, KeyboardInterrupt(), after_moving=True))
    result = cli("check", out, user_files, "--no-maps")
    assert result.exit_code == 130
    assert INTERRUPTED in result.output
    assert not out.exists() or sorted(p.name for p in out.iterdir()) == []
    assert leftovers(tmp_path) == []


def test_cli_disk_full_exits_2(user_files, tmp_path):
    with tmpfs(tmp_path / "disk", size="16k") as disk:
        result = cli("check", disk / "out", user_files, "--no-maps")
        assert result.exit_code == 2, result.output
        message = " ".join(result.output.split())
        assert "no space left on the disk" in message or "not enough free disk space" in message
        assert "Traceback" not in message
        assert leftovers(disk) == []
        assert not (disk / "out").exists()


def test_interrupted_first_run_leaves_no_folder_at_all(tmp_path, monkeypatch):
    monkeypatch.setattr(_journal, "_move", failing_move(2, KeyboardInterrupt(), after_moving=True))
    with pytest.raises(KeyboardInterrupt):
        write_run(tmp_path / "deep" / "out", NEW)
    assert sorted(tmp_path.iterdir()) == []


def test_a_failed_undo_keeps_the_backups_and_says_where(old_set, tmp_path, monkeypatch):
    fault = OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(_journal, "_move", failing_move(3, fault, after_moving=False))
    monkeypatch.setattr(_journal.Journal, "undo", lambda self: [old_set / "a.csv"])
    with pytest.raises(OutputError, match="could not be fully undone") as err:
        write_run(old_set, NEW)
    [kept] = [p for p in tmp_path.iterdir() if "lvliang-stage" in p.name]
    assert str(kept) in str(err.value)
    assert sorted(p.name for p in (kept / "work").rglob("t*")) == ["t0"]  # the old a.csv
    assert not (tmp_path / ".out.lvliang-lock").exists()  # the lock is released all the same
