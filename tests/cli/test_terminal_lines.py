"""What the terminal says: bilingual errors, mode names in progress, the last "done" line."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from netfixtures import write_osm
from typer.testing import CliRunner

from lvliang_coverage import console
from lvliang_coverage.cli import app
from lvliang_coverage.config import load_rules
from lvliang_coverage.console import (
    Progress,
    check_modes,
    done_text,
    error_text,
    reflow_help,
    step_text,
    study_from_options,
)
from lvliang_coverage.errors import InputError, OutputError, SolverError
from lvliang_coverage.services import commands, registry
from lvliang_coverage.services import runner as runner_module
from lvliang_coverage.services.commands import Command, service_app
from lvliang_coverage.services.runner import Run
from lvliang_coverage.study import Study

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["clinics", "check", "--lang", "fr"],
        ["daycare", "plan", "--lang", "fr"],
        ["demo", "--lang", "fr"],
    ],
)
def test_bad_language_says_in_both_languages_what_is_accepted(args, tmp_path):
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert text.startswith("错误 / error: --lang:")
    assert "语言只能是 zh（中文）或 en（英文），收到 'fr'" in text
    assert "the language must be zh (Chinese) or en (English), got 'fr'" in text
    assert "Traceback" not in text
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_basemap_and_mode_are_bilingual(tmp_path):
    basemap = runner.invoke(app, ["water", "site", "--basemap", "google", "--out", str(tmp_path)])
    text = " ".join(basemap.output.split())
    assert basemap.exit_code == 2
    assert "底图只能是 osm、none、tianditu、gaode，收到 'google'" in text
    assert "the base map must be one of osm, none, tianditu, gaode, got 'google'" in text
    mode = runner.invoke(app, ["clinics", "check", "--mode", "boat", "--out", str(tmp_path)])
    text = " ".join(mode.output.split())
    assert mode.exit_code == 2
    assert (
        "未知的出行方式 'boat'，可用：walk（步行）、motorcycle（摩托车/电动三轮）、car（汽车）"
        in text
    )
    assert "unknown travel mode 'boat'; accepted: walk (walking), motorcycle, car" in text
    assert "读取默认数据" not in text  # refused before the default data were read


def test_error_text_names_file_row_and_column_in_both_languages():
    exc = InputError("人口为负 / negative population", file="村.csv", row=2, column="常住人口")
    assert (
        error_text(exc)
        == "村.csv，第2行 / row 2，列 / column '常住人口': 人口为负 / negative population"
    )
    key = InputError("必须为正 / must be positive", file="my_rules.toml", column="clinic.radius_km")
    assert (
        error_text(key) == "my_rules.toml，键 / key 'clinic.radius_km': 必须为正 / must be positive"
    )
    option = InputError("x", column="--lang")
    assert error_text(option) == "--lang: x"
    assert error_text(InputError("plain")) == "plain"
    out = OutputError("文件夹被占用 / folder in use", path="/srv/out")
    assert error_text(out) == "/srv/out: 文件夹被占用 / folder in use"

    class Report:
        status = "time_limit"
        message = "Time limit reached"

    solver = error_text(SolverError("no plan", Report()))
    assert solver.startswith("求解器未找到可行方案 / the solver found no feasible plan: no plan")


def test_travel_time_step_names_the_mode(tmp_path):
    roads = write_osm(
        tmp_path / "r.osm", {1: (0.0, 0.0), 2: (500.0, 0.0)}, [(1, [1, 2], {"highway": "track"})]
    )
    steps: list[str] = []
    study = Study(villages=None, facilities=None, roads_path=roads, progress=steps.append)
    study.network("motorcycle")
    study.network("walk")
    shown = [step_text(s) for s in steps if "出行时间" in s]
    # the study's own message, as printed: names, never the codes
    assert shown == [
        "计算摩托车/电动三轮出行时间 / travel times (motorcycle)",
        "计算步行出行时间 / travel times (walking)",
    ]
    assert step_text("构建路网 / building the road graph") == "构建路网 / building the road graph"


def test_progress_prints_the_mode_name(capsys):
    Progress()("计算walk出行时间 / travel times for mode 'walk'")
    err = capsys.readouterr().err
    assert "计算步行出行时间 / travel times (walking)" in err
    assert "walk'" not in err


def test_check_modes():
    rules = load_rules()
    assert check_modes(None, rules) == []
    assert check_modes("car", rules) == ["car"]
    assert check_modes(["walk", "motorcycle"], rules) == ["walk", "motorcycle"]
    with pytest.raises(InputError, match="accepted: walk"):
        check_modes(["walk", "bus"], rules)


def test_done_text():
    assert done_text(["out/demo", "maps"]) == (
        "完成 / done: 输出在 out/demo、maps / outputs in out/demo, maps"
    )
    assert done_text([Path("out/x"), Path("out/x")]) == (
        "完成 / done: 输出在 out/x / outputs in out/x"
    )
    assert done_text([]) == "完成 / done: 未写入文件 / no file written"


class _Result:
    task = "check"

    def tables(self):
        return {}

    def summary(self):
        return {"villages": 3}


def test_done_line_is_the_last_line_of_a_command(monkeypatch, tmp_path):
    """A declared command prints its headlines, the files and then the done line."""
    service = registry.get("clinics")
    out, maps = tmp_path / "out", tmp_path / "maps"

    def fake_run(service, study, task, out_dir, **kw):
        assert kw["maps_dir"] == maps
        return Run(service, _Result(), [out_dir / "a.csv", maps / "a.html"])

    monkeypatch.setattr(commands, "_DECLARED", dict(commands._DECLARED))  # keep the real ones
    monkeypatch.setattr(runner_module, "run_task", fake_run)
    monkeypatch.setattr(commands, "study_from_options", lambda *a, **k: None)
    monkeypatch.setattr(service, "headlines", lambda result: [])
    group = service_app(service, "test group", Command("check", "Test.", out=str(out)))
    result = runner.invoke(group, ["check", "--maps", str(maps)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == f"完成 / done: 输出在 {out}、{maps} / outputs in {out}, {maps}"
    assert f"写入 / wrote {out / 'a.csv'}" in result.output


def test_graph_ends_with_the_done_line(tmp_path):
    roads = write_osm(
        tmp_path / "r.osm", {1: (0.0, 0.0), 2: (500.0, 0.0)}, [(1, [1, 2], {"highway": "track"})]
    )
    target = tmp_path / "export" / "roads.gpkg"
    result = runner.invoke(app, ["graph", f"--roads={roads}", f"--out={target}"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last == f"完成 / done: 输出在 {target.parent} / outputs in {target.parent}"
    alone = runner.invoke(app, ["graph", f"--roads={roads}"])
    assert alone.output.strip().splitlines()[-1] == "完成 / done: 未写入文件 / no file written"
    assert "机耕路 / track" in alone.output  # road classes by name, in both languages
    assert "节点 / nodes" in alone.output


def test_own_files_without_roads_point_to_the_bundled_roads(tmp_path):
    villages = tmp_path / "v.csv"
    villages.write_text("村名,常住人口,经度,纬度\n甲,10,111.1,37.5\n", encoding="utf-8")
    result = runner.invoke(
        app, ["clinics", "check", f"--villages={villages}", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    roads = console.bundled_file("roads")
    assert roads.name == "roads.osm.bz2"
    assert roads.is_file()
    assert "使用自己的数据时还需给出 --roads" in text
    assert "with your own data, also give --roads" in text
    assert f"--roads {roads}" in text
    assert not (tmp_path / "o").exists()


def test_own_files_without_boundaries_name_the_bundled_boundaries(tmp_path, capsys):
    def no_reading(**kw):
        raise typer.Exit(0)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Study, "from_files", staticmethod(no_reading))
        with pytest.raises(typer.Exit):
            study_from_options(
                load_rules(),
                Progress(),
                required={"--villages": tmp_path / "v.csv", "--roads": tmp_path / "r.osm"},
            )
    err = " ".join(capsys.readouterr().err.split())
    counties = console.bundled_file("counties")
    assert counties.name == "counties.geojson"
    assert f"--boundaries {counties}" in err
    assert "未给出 --boundaries" in err
    assert "no --boundaries: the study area is what the files cover" in err


def test_help_paragraphs_are_reflowed():
    doc = """Check every village.

    Without file options the default data is used; with your own data give
        --villages and --roads.
    """
    assert reflow_help(doc) == (
        "Check every village.\n\n"
        "Without file options the default data is used; with your own data give "
        "--villages and --roads."
    )
    result = runner.invoke(app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert "(repeat for several; a task of one mode uses the first)" in result.output
