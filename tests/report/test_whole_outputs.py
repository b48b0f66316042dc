"""Whole outputs or none: run manifests, stale files, foreign files, locks, protected inputs."""

import json
from pathlib import Path

import pytest

from lvliang_coverage.errors import InputError, OutputError
from lvliang_coverage.report import output
from lvliang_coverage.report.output import MANIFEST, new_run_id, staged_output


def write_run(out: Path, files: dict[str, str], **kwargs) -> None:
    """One run writing ``files`` (name -> text) through ``staged_output``."""
    kwargs.setdefault("run_id", new_run_id())
    with staged_output(out, **kwargs) as stage:
        for name, text in files.items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_text(text, encoding="utf-8")


def contents(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (name -> text), the manifest left out."""
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def leftovers(*folders: Path) -> list[str]:
    """Staging folders and lock files left in ``folders``."""
    return [
        p.name
        for f in folders
        if f.is_dir()
        for p in f.iterdir()
        if "lvliang-stage" in p.name or p.name.endswith(".lvliang-lock")
    ]


def test_a_later_run_replaces_the_whole_set_of_the_earlier(tmp_path):
    out = tmp_path / "out"
    write_run(out, {"clinic_plan_sites.csv": "old", "clinic_ledger.csv": "old"})
    write_run(out, {"clinic_ledger.csv": "new", "clinic_compliance.csv": "new"})
    assert contents(out) == {"clinic_ledger.csv": "new", "clinic_compliance.csv": "new"}
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["clinic_compliance.csv", "clinic_ledger.csv"]
    assert {v["owner"] for v in manifest["files"].values()} == {str(out.resolve())}
    assert leftovers(tmp_path, out) == []


def test_a_run_without_maps_removes_its_earlier_maps_elsewhere(tmp_path):
    out, maps = tmp_path / "out", tmp_path / "maps"
    write_run(out, {"a.csv": "old", "plan.html": "old map"}, maps_dir=maps)
    assert contents(maps) == {"plan.html": "old map"}
    write_run(out, {"a.csv": "new"})  # --no-maps, no --maps
    assert contents(out) == {"a.csv": "new"}
    assert contents(maps) == {}
    assert not (maps / MANIFEST).exists()


def test_a_shared_maps_folder_keeps_other_runs_maps(tmp_path):
    maps = tmp_path / "maps"
    write_run(tmp_path / "a", {"a.csv": "1", "a.html": "A"}, maps_dir=maps)
    write_run(tmp_path / "b", {"b.csv": "1", "b.html": "B"}, maps_dir=maps)
    write_run(tmp_path / "a", {"a.csv": "2"}, maps_dir=maps)
    assert contents(maps) == {"b.html": "B"}
    write_run(tmp_path / "b", {"b.csv": "2", "b.html": "B2"}, maps_dir=maps)
    assert contents(maps) == {"b.html": "B2"}
    assert contents(tmp_path / "a") == {"a.csv": "2"}


def test_a_map_rewritten_by_another_run_changes_owner(tmp_path):
    maps = tmp_path / "maps"
    write_run(tmp_path / "a", {"a.csv": "1", "m.html": "from a"}, maps_dir=maps)
    write_run(tmp_path / "b", {"b.csv": "1", "m.html": "from b"}, maps_dir=maps)
    write_run(tmp_path / "a", {"a.csv": "2"}, maps_dir=maps)  # a no longer owns m.html
    assert contents(maps) == {"m.html": "from b"}


def test_calls_of_one_run_add_up(tmp_path):
    out = tmp_path / "out"
    write_run(out, {"old.csv": "old"})
    run = new_run_id()
    write_run(out, {"check.csv": "1"}, run_id=run)  # e.g. demo: one task after another
    write_run(out, {"plan.csv": "1"}, run_id=run)
    assert contents(out) == {"check.csv": "1", "plan.csv": "1"}


def test_one_process_is_one_run_by_default(tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(output, "_PROCESS_RUN", None)
    write_run(out, {"a.csv": "1"}, run_id=None)
    write_run(out, {"b.csv": "1"}, run_id=None)
    assert contents(out) == {"a.csv": "1", "b.csv": "1"}
    monkeypatch.setattr(output, "_PROCESS_RUN", None)  # as if a new process
    write_run(out, {"c.csv": "1"}, run_id=None)
    assert contents(out) == {"c.csv": "1"}


def test_files_no_run_wrote_are_never_removed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    write_run(out, {"a.csv": "1"})
    write_run(out, {"b.csv": "2"})
    assert contents(out) == {"notes.txt": "mine", "b.csv": "2"}


def test_foreign_files_of_the_same_name_are_refused_unless_replace(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "clinic_ledger.csv").write_text("someone else's", encoding="utf-8")
    with pytest.raises(OutputError, match="--replace") as err:
        write_run(out, {"clinic_ledger.csv": "new", "b.csv": "new"})
    assert "clinic_ledger.csv" in str(err.value)
    assert "同名文件" in str(err.value)
    assert contents(out) == {"clinic_ledger.csv": "someone else's"}
    assert leftovers(tmp_path, out) == []
    write_run(out, {"clinic_ledger.csv": "new", "b.csv": "new"}, replace=True)
    assert contents(out) == {"clinic_ledger.csv": "new", "b.csv": "new"}


def test_a_damaged_manifest_counts_as_none(tmp_path):
    out = tmp_path / "out"
    write_run(out, {"a.csv": "1"})
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(OutputError, match=r"a\.csv"):
        write_run(out, {"a.csv": "2"})
    assert contents(out) == {"a.csv": "1"}


def test_a_folder_in_the_way_fails_before_anything_moves(tmp_path):
    out = tmp_path / "out"
    write_run(out, {"a.csv": "old", "b.csv": "old", "c.csv": "old"})
    (out / "d.csv").mkdir()
    (out / "d.csv" / "keep.txt").write_text("k", encoding="utf-8")
    with pytest.raises(OutputError, match="in the way") as err:
        write_run(out, {"a.csv": "new", "b.csv": "new", "c.csv": "new", "d.csv": "new"})
    assert str(out / "d.csv") in str(err.value)
    assert contents(out) == {"a.csv": "old", "b.csv": "old", "c.csv": "old", "d.csv/keep.txt": "k"}
    assert leftovers(tmp_path, out) == []


def test_a_file_in_the_way_of_a_sub_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").write_text("file", encoding="utf-8")
    with pytest.raises(OutputError, match="in the way"):
        write_run(out, {"sub/x.csv": "1"})
    assert contents(out) == {"sub": "file"}


def test_out_is_an_existing_file(tmp_path):
    out = tmp_path / "out"
    out.write_text("a file", encoding="utf-8")
    ran = []
    with pytest.raises(OutputError, match="not a folder"), staged_output(out):
        ran.append(True)
    assert not ran  # refused before any work
    with pytest.raises(OutputError, match="not a folder"), staged_output(out / "sub"):
        ran.append(True)
    assert not ran
    assert out.read_text(encoding="utf-8") == "a file"
    assert leftovers(tmp_path) == []


def test_a_second_run_into_the_same_folder_refuses_at_once(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as stage:
        (stage / "a.csv").write_text("first", encoding="utf-8")
        with pytest.raises(OutputError, match="another run is writing") as err:
            write_run(out, {"a.csv": "second"})
        assert "另一个运行正在写入该目录" in str(err.value)
        assert str(out.resolve()) in str(err.value)
        with pytest.raises(OutputError, match="another run"):  # also as a maps folder
            write_run(tmp_path / "other", {"m.html": "x"}, maps_dir=out)
    assert contents(out) == {"a.csv": "first"}
    write_run(out, {"a.csv": "third"})  # the lock is released afterwards
    assert contents(out) == {"a.csv": "third"}
    assert leftovers(tmp_path, out) == []


def test_an_earlier_output_given_as_input_is_refused_before_any_work(tmp_path):
    out = tmp_path / "out"
    write_run(out, {"clinic_compliance.csv": "results"})
    ran = []
    protect = [out / "clinic_compliance.csv"]
    with (
        pytest.raises(InputError, match="input") as err,
        staged_output(out, protect=protect, run_id=new_run_id()),
    ):
        ran.append(True)
    assert not ran
    assert "clinic_compliance.csv" in str(err.value)
    assert contents(out) == {"clinic_compliance.csv": "results"}


def test_an_output_path_equal_to_an_input_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    villages = out / "clinic_compliance.csv"
    villages.write_text("村名,常住人口\n", encoding="utf-8")
    link = tmp_path / "villages_link.csv"
    link.symlink_to(villages)
    for replace in (False, True):
        with pytest.raises(InputError, match="overwrite an input"):
            write_run(
                out, {"clinic_compliance.csv": "x", "b.csv": "x"}, protect=[link], replace=replace
            )
    assert villages.read_text(encoding="utf-8") == "村名,常住人口\n"
    assert contents(out) == {"clinic_compliance.csv": "村名,常住人口\n"}
    assert leftovers(tmp_path, out) == []


def test_an_earlier_output_given_through_a_link_is_refused(tmp_path):
    out = tmp_path / "out"
    write_run(out, {"a.csv": "old", "b.csv": "old"})
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").symlink_to(out / "a.csv")
    # this run would remove a.csv (the earlier run's file it does not rewrite): refused
    with pytest.raises(InputError, match="earlier run"):
        write_run(out, {"b.csv": "new"}, protect=[data / "a.csv"])
    assert contents(out) == {"a.csv": "old", "b.csv": "old"}


def test_untracked_export_adds_one_file_only(tmp_path):
    folder = tmp_path / "exports"
    write_run(folder, {"a.csv": "1"})
    write_run(folder, {"graph.graphml": "g"}, track=False)
    assert contents(folder) == {"a.csv": "1", "graph.graphml": "g"}
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["a.csv"]
    with pytest.raises(OutputError, match="--replace"):
        write_run(folder, {"graph.graphml": "g2"}, track=False)
    write_run(folder, {"graph.graphml": "g2"}, track=False, replace=True)
    assert contents(folder)["graph.graphml"] == "g2"


def test_nothing_is_created_when_the_job_fails(tmp_path):
    out = tmp_path / "deep" / "out"

    def job() -> None:
        with staged_output(out, maps_dir=tmp_path / "maps") as stage:
            (stage / "a.csv").write_text("x", encoding="utf-8")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        job()
    assert sorted(tmp_path.iterdir()) == []  # not even the parent folder made for the run


def test_staging_folders_of_a_killed_run_are_cleaned(tmp_path):
    out = tmp_path / "out"
    write_run(out, {"a.csv": "1"})
    (tmp_path / ".out.lvliang-stage-dead").mkdir()
    (out / ".lvliang-stage-dead").mkdir()
    (tmp_path / ".out.lvliang-lock").write_text("", encoding="utf-8")  # lock file of a killed run
    (tmp_path / ".outer-not-ours").mkdir()
    write_run(out, {"a.csv": "2"})
    assert contents(out) == {"a.csv": "2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".outer-not-ours", "out"]
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.csv"]


def test_the_manifest_name_is_reserved(tmp_path):
    with pytest.raises(OutputError, match="reserved"):
        write_run(tmp_path / "out", {MANIFEST: "{}"})
