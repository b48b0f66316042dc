"""Start-up: the command tree imports no analysis library; the first step prints at once."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from netfixtures import lonlat, write_osm
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.console import LOADING_DEFAULT, READING_FILES, Progress
from lvliang_coverage.errors import InputError
from lvliang_coverage.services import registry
from lvliang_coverage.study import Study

HEAVY = (
    "geopandas",
    "osmnx",
    "networkx",
    "folium",
    "openpyxl",
    "rasterio",
    "scipy",
    "pyvrp",
    "shapely",
    "pandas",
    "numpy",
)
"""Libraries of the analysis, maps and ledgers: none may load to build the command tree."""

COMMANDS = (
    (),
    ("graph",),
    ("demo",),
    ("registry", "check"),
    ("clinics", "check"),
    ("clinics", "plan"),
    ("clinics", "visits"),
    ("water", "site"),
    ("relocation", "plan"),
    ("daycare", "check"),
    ("daycare", "plan"),
)
"""Every command whose ``--help`` is checked."""


def loaded_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; return the heavy libraries it left imported."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    found: list[str] = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return found


def test_importing_the_cli_loads_no_heavy_library():
    code = "import lvliang_coverage.cli"
    assert loaded_after(code) == []
    # the brief's own probe, as written
    probe = (
        "import lvliang_coverage.cli, sys; print(sorted(m for m in ('geopandas','osmnx',"
        "'networkx','folium','openpyxl','rasterio','scipy','pyvrp','shapely','pandas') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_help_of_every_command_loads_no_heavy_library():
    code = (
        "import sys\n"
        "from lvliang_coverage.cli import app\n"
        f"for args in {[list(a) for a in COMMANDS]!r}:\n"
        "    try:\n"
        "        app([*args, '--help'])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code in (0, None), (args, exc.code)\n"
        f"    print(args, sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == len(COMMANDS)
    assert all(line.endswith(" []") for line in lines), lines
    assert "Usage: " in done.stdout  # the helps were printed


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Tiny user files: three villages on a 4 km road, one clinic at its west end."""
    nodes = {i + 1: (500.0 * i, 0.0) for i in range(9)}
    roads = write_osm(
        tmp_path / "roads.osm", nodes, [(1, list(nodes), {"highway": "unclassified"})]
    )
    villages = tmp_path / "villages.csv"
    lines = ["村名,常住人口,经度,纬度,县,乡镇"]
    for name, x, pop in (("村甲", 1000.0, 120), ("村乙", 3500.0, 80), ("村丙", 2000.0, 600)):
        lon, lat = lonlat(x, 0.0)
        lines.append(f"{name},{pop},{lon:.7f},{lat:.7f},样例县,样例镇")
    villages.write_text("\n".join(lines), encoding="utf-8")
    clinics = tmp_path / "clinics.csv"
    lon, lat = lonlat(0.0, 0.0)
    clinics.write_text(f"name,lon,lat\n卫生室,{lon:.7f},{lat:.7f}\n", encoding="utf-8")
    return {"villages": villages, "clinics": clinics, "roads": roads}


def imports_before_first_step(args: list[str], step: str) -> list[str]:
    """Spawn the command under ``-X importtime``; list the modules imported before ``step``.

    The process is stopped as soon as the step is printed (nothing is written by then).
    """
    code = "import sys; from lvliang_coverage.cli import main; sys.argv[0] = 'x'; main()"
    cmd = [sys.executable, "-X", "importtime", "-c", code, *args]
    modules: list[str] = []
    env = os.environ | {"PYTHONIOENCODING": "utf-8"}
    with subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, encoding="utf-8", env=env
    ) as proc:
        assert proc.stderr is not None
        try:
            for line in proc.stderr:
                if line.startswith("import time:"):
                    modules.append(line.rpartition("|")[2].strip())
                elif step in line:
                    return modules
        finally:
            proc.kill()
    pytest.fail(f"the command never printed {step!r}")


def test_first_step_of_clinics_check_prints_before_the_heavy_libraries(tmp_path):
    args = ["clinics", "check", "--out", str(tmp_path / "out"), "--no-maps"]
    before = imports_before_first_step(args, LOADING_DEFAULT)
    assert "lvliang_coverage.cli" in before  # importtime lines are read in order
    assert [m for m in before if m.split(".")[0] in HEAVY] == []
    assert not (tmp_path / "out").exists()


def test_first_step_on_user_files_prints_before_the_heavy_libraries(files, tmp_path):
    args = ["clinics", "check", "--out", str(tmp_path / "out"), "--no-maps"]
    args += [f"--{k}={v}" for k, v in files.items()]
    before = imports_before_first_step(args, READING_FILES)
    assert [m for m in before if m.split(".")[0] in HEAVY] == []


def test_a_step_printed_ahead_is_not_printed_again(capsys):
    progress = Progress()
    progress.ahead("读取默认数据 / loading the default data")
    progress("读取默认数据 / loading the default data")  # the work's own report: swallowed
    progress("构建路网 / building the road graph")
    progress("读取默认数据 / loading the default data")  # a later report prints again
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(maxsplit=1)[1] for line in lines] == [
        "读取默认数据 / loading the default data",
        "构建路网 / building the road graph",
        "读取默认数据 / loading the default data",
    ]


def test_the_steps_printed_ahead_are_the_studys_first_steps(files, tmp_path):
    steps: list[str] = []
    with pytest.raises(InputError):  # an empty folder: the step is reported, then it fails
        Study.default(data_dir=tmp_path / "empty", progress=steps.append)
    assert steps == [LOADING_DEFAULT]
    steps.clear()
    with pytest.raises(InputError):
        Study.from_files(
            villages=tmp_path / "no_such.csv", roads=files["roads"], progress=steps.append
        )
    assert steps[:1] == [READING_FILES]


def test_a_run_on_user_files_prints_its_first_step_once(files, tmp_path):
    args = ["clinics", "check", "--out", str(tmp_path / "out"), "--no-maps", "--no-plan"]
    args += [f"--{k}={v}" for k, v in files.items()]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output.count(READING_FILES) == 1
    assert result.output.index(READING_FILES) < result.output.index("构建路网")


def test_a_missing_road_file_is_named_before_any_step(files, tmp_path):
    args = ["clinics", "check", "--out", str(tmp_path / "out"), "--no-maps"]
    args += [f"--villages={files['villages']}", f"--roads={tmp_path / 'none.osm'}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "错误 / error" in result.output
    assert READING_FILES not in result.output  # refused before the files were read


def fake_distribution(folder: Path, entry_points: str) -> Path:
    """Write an installed distribution (``*.dist-info``) declaring ``entry_points``."""
    info = folder / "plugin_pkg-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: plugin-pkg\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    return folder


def test_the_plugin_scan_finds_what_the_metadata_api_finds(tmp_path, monkeypatch):
    from importlib.metadata import distributions  # noqa: PLC0415 - only this test needs it

    group = registry.ENTRY_POINT_GROUP
    plugin = fake_distribution(tmp_path / "a", f"[{group}]\nextra = plugin_pkg.service:SERVICE\n")
    other = fake_distribution(tmp_path / "b", "[console_scripts]\nplugin = plugin_pkg:main\n")
    for folder, expected in ((plugin, True), (other, False)):
        declared = [
            ep
            for dist in distributions(path=[str(folder)])
            for ep in dist.entry_points
            if ep.group == group
        ]
        assert bool(declared) is expected  # the metadata API's own answer
        monkeypatch.setattr(sys, "path", [str(folder)])
        assert registry.may_have_plugins() is expected
    archive = tmp_path / "eggs.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip on the path: looked into
    monkeypatch.setattr(sys, "path", [str(other), str(archive)])
    assert registry.may_have_plugins() is True


def test_the_plugin_scan_defers_to_other_distribution_finders(tmp_path, monkeypatch):
    class Finder:
        def find_spec(self, *args: object) -> None:
            return None

        def find_distributions(self, *args: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "path", [str(fake_distribution(tmp_path, "[console_scripts]\n"))])
    assert registry.may_have_plugins() is False
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    assert registry.may_have_plugins() is True


def test_without_plugins_the_cli_skips_the_metadata_api():
    code = (
        "import sys\nimport lvliang_coverage.cli\n"
        "from lvliang_coverage.services import registry\n"
        "print(registry.may_have_plugins(), 'importlib.metadata' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    may, imported = done.stdout.split()
    assert may == imported  # the 40 ms metadata API is imported exactly when needed
