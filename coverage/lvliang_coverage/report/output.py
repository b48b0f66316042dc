"""Staged output: a run's files appear in the output folder together or not at all.

A run writes into a fresh staging folder beside ``out_dir``. On success every check that
could make the move fail is done first (nothing in the way, folders writable, room for a
move to another disk), then the files are moved in with SIGINT/SIGTERM held back and every
move undone if one fails, so the folder holds the whole old set or the whole new set. Each
folder keeps a manifest (:data:`MANIFEST`) of which run owns which file: a later run into the
same ``out_dir`` replaces the whole set the earlier one owned (its maps too, wherever they
went) and never touches files no run of this tool wrote. A lock beside each folder makes a
second run into it refuse at once.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lvliang_coverage.errors import InputError, OutputError
from lvliang_coverage.report._folders import (
    MANIFEST,
    NO_SPACE,
    NOT_WRITABLE,
    STAGE_MARK,
    FolderLock,
    Manifest,
    absolute,
    check_folder,
    output_error,
    remove_stale_stages,
)
from lvliang_coverage.report._journal import Journal, signals_deferred, terminate_as_exit

__all__ = ["MANIFEST", "final_paths", "new_run_id", "process_run_id", "staged_output"]

IN_THE_WAY = (
    "输出文件的位置被文件夹或特殊文件占用 / a folder or special file is in the way of output files"
)
FOREIGN = (
    "输出文件夹中已有同名文件，但不是本工具的运行写入的 / the output folder holds files of "
    "the same names that no run of this tool wrote"
)
REPLACE_HINT = (
    "请换一个输出文件夹，或用 --replace 覆盖 / choose another output folder, or pass --replace "
    "to overwrite them"
)
OVERWRITES_INPUT = "输出会覆盖输入文件 / an output would overwrite an input file"
IS_EARLIER_OUTPUT = (
    "输入文件是输出文件夹中上一次运行的结果，会被覆盖或删除 / the input file is an output of "
    "an earlier run in the output folder and would be overwritten or removed"
)
RESERVED = "文件名为本工具保留 / the file name is reserved by this tool"
UNDO_FAILED = (
    "写入失败且未能完全恢复 / writing failed and could not be fully undone; 旧文件备份在 / "
    "the old files are kept in"
)

_BLOCK = 4096  # bytes: file sizes are rounded up to whole blocks, one more for the manifest
_PROCESS_RUN: tuple[int, str] | None = None


def new_run_id() -> str:
    """Make a new run id (time, process, random part), e.g. for one CLI invocation."""
    return f"{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def process_run_id() -> str:
    """Give the run id of this process: every ``staged_output`` of one process is one run."""
    global _PROCESS_RUN  # noqa: PLW0603 - one id per process, made on first use
    if _PROCESS_RUN is None or _PROCESS_RUN[0] != os.getpid():
        _PROCESS_RUN = (os.getpid(), new_run_id())
    return _PROCESS_RUN[1]


def _blocks(size: int) -> int:
    """Bytes ``size`` takes on disk, in whole blocks."""
    return -(-size // _BLOCK) * _BLOCK


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _names(paths: Iterable[Path], limit: int = 8) -> str:
    listed = [str(p) for p in paths]
    more = f" (+{len(listed) - limit})" if len(listed) > limit else ""
    return ", ".join(listed[:limit]) + more


@dataclass
class _Target:
    """One staged file and where it goes."""

    source: Path
    folder: Path
    rel: str

    @property
    def path(self) -> Path:
        return self.folder / self.rel


class _Job:
    """The state of one staged run: locks, manifests, staging and work folders."""

    def __init__(
        self,
        out: Path,
        maps: Path | None,
        *,
        protect: set[Path],
        replace: bool,
        run: str,
        command: str,
        track: bool,
        owner: str | None = None,
    ) -> None:
        self.out, self.maps = out, maps
        self.owner = str(out) if owner is None else f"{out}::{owner}"
        self.protect, self.replace, self.run, self.command, self.track = (
            protect,
            replace,
            run,
            command,
            track,
        )
        self.locks: list[FolderLock] = []
        self.manifests: dict[Path, Manifest] = {}
        self.root: Path | None = None
        self.local_stages: list[Path] = []
        self.created: list[Path] = []
        self.committed = False
        self.keep_root = False

    @property
    def stage(self) -> Path:
        assert self.root is not None
        return self.root / "files"

    # ---------------------------------------------------------------- before the work
    def open(self) -> None:
        """Check and lock the folders, read their manifests, make the staging folder."""
        folders = list(dict.fromkeys(f for f in (self.out, self.maps) if f is not None))
        for folder in folders:
            check_folder(folder)
        for folder in folders:
            missing = [p for p in folder.parents if not p.exists()]
            try:
                folder.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise output_error(exc, folder) from exc
            self.created += reversed(missing)  # removed again unless the run commits
        for folder in sorted(folders):
            self._lock(folder)
        for folder in folders:
            self.manifests[folder] = Manifest.read(folder)
        for folder in self.manifests[self.out].folders_of(self.owner):
            if folder not in self.manifests and folder.is_dir():
                self._lock(folder)
                self.manifests[folder] = Manifest.read(folder)
        for manifest in self.manifests.values():
            for rel in manifest.files:
                path = manifest.folder / rel
                if absolute(path) in self.protect:
                    raise InputError(IS_EARLIER_OUTPUT, file=path)
        remove_stale_stages(self.out.parent, f".{self.out.name}{STAGE_MARK}")
        for folder in self.manifests:
            remove_stale_stages(folder, STAGE_MARK)
        try:
            self.root = Path(
                tempfile.mkdtemp(prefix=f".{self.out.name}{STAGE_MARK}", dir=self.out.parent)
            )
            (self.root / "files").mkdir()
            (self.root / "work").mkdir()
        except OSError as exc:
            raise output_error(exc, self.out) from exc

    def _lock(self, folder: Path) -> None:
        lock = FolderLock(folder)
        lock.acquire()
        self.locks.append(lock)

    # ---------------------------------------------------------------- the commit
    def targets(self) -> list[_Target]:
        """List the staged files and their final folders (HTML maps to ``maps`` when given)."""
        found = []
        for src in sorted(self.stage.rglob("*")):
            if src.is_symlink() or src.is_file():
                folder = self.maps if (self.maps is not None and src.suffix == ".html") else None
                rel = src.relative_to(self.stage).as_posix()
                found.append(_Target(src, folder or self.out, rel))
        return found

    def check(self, targets: list[_Target]) -> None:
        """Fail before anything moves: inputs overwritten, folders or foreign files in the way."""
        in_way: list[Path] = []
        foreign: list[Path] = []
        for t in targets:
            if t.rel == MANIFEST:
                raise OutputError(RESERVED, path=t.path)
            if absolute(t.path) in self.protect:
                raise InputError(OVERWRITES_INPUT, file=t.path)
            parents = [p for p in t.path.parents if p.is_relative_to(t.folder) and p != t.folder]
            in_way += [p for p in parents if os.path.lexists(p) and not p.is_dir()]
            try:
                mode = os.lstat(t.path).st_mode
            except (FileNotFoundError, NotADirectoryError):
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                in_way.append(t.path)
            elif t.rel not in self.manifests[t.folder].files and not self.replace:
                foreign.append(t.path)
        if in_way:
            raise OutputError(f"{IN_THE_WAY}: {_names(dict.fromkeys(in_way))}", path=self.out)
        if foreign:
            raise OutputError(f"{FOREIGN}: {_names(foreign)}; {REPLACE_HINT}", path=self.out)

    def plan(self, targets: list[_Target]) -> tuple[dict[Path, list[str]], dict[Path, Manifest]]:
        """Files of this folder's earlier run to remove, and the manifests after the commit."""
        written = {(t.folder, t.rel) for t in targets}
        stale: dict[Path, list[str]] = {}
        new: dict[Path, Manifest] = {}
        for folder, manifest in self.manifests.items():
            files = dict(manifest.files)
            if self.track:
                for rel, info in manifest.owned_by(self.owner).items():
                    if info.get("run") == self.run or (folder, rel) in written:
                        continue
                    del files[rel]  # an earlier run's file this run does not write
                    path = folder / rel
                    if not os.path.lexists(path) or (path.is_dir() and not path.is_symlink()):
                        continue
                    if absolute(path) not in self.protect:  # an input now: never removed
                        stale.setdefault(folder, []).append(rel)
            files = {
                rel: info
                for rel, info in files.items()
                if (folder, rel) in written or os.path.lexists(folder / rel)
            }
            for t in targets:
                if t.folder == folder:
                    if self.track:
                        files[t.rel] = {"owner": self.owner, "run": self.run, "time": _now()}
                    else:
                        files.pop(t.rel, None)
            new[folder] = Manifest(folder, files, dict(manifest.owners), found=True)
        if self.track:
            home = new[self.out]
            folders = [str(f) for f, m in new.items() if m.owned_by(self.owner)]
            home.owners[self.owner] = {
                "run": self.run,
                "time": _now(),
                "command": self.command,
                "folders": sorted(folders),
            }
            if not folders:
                del home.owners[self.owner]
        changed = {
            f: m
            for f, m in new.items()
            if (m.files, m.owners) != (self.manifests[f].files, self.manifests[f].owners)
        }
        return stale, changed

    def commit(self) -> None:
        """Move the staged files into place, remove the earlier run's files, write manifests."""
        targets = self.targets()
        self.check(targets)
        stale, manifests = self.plan(targets)
        touched = list(dict.fromkeys([*(t.folder for t in targets), *stale, *manifests]))
        self._make_folders(targets)
        areas: dict[Path, Path] = {}
        for i, folder in enumerate(touched):
            if not os.access(folder, os.W_OK | os.X_OK):
                raise OutputError(NOT_WRITABLE, path=folder)
            areas[folder] = self._area(folder, i, [t for t in targets if t.folder == folder])
        manifest_files: dict[Path, Path | None] = {}
        for folder, manifest in manifests.items():
            if manifest.empty():
                manifest_files[folder] = None
                continue
            tmp = areas[folder] / "manifest.json"
            try:
                tmp.write_text(manifest.to_json(), encoding="utf-8")
            except OSError as exc:
                raise output_error(exc, folder) from exc
            manifest_files[folder] = tmp
        journal = Journal()
        current = self.out
        try:
            for i, t in enumerate(targets):
                current = t.folder
                if os.path.lexists(t.path):
                    journal.move(t.path, areas[t.folder] / "old" / f"t{i}")
                journal.move(t.source, t.path)
            for folder, rels in stale.items():
                current = folder
                for k, rel in enumerate(rels):
                    journal.move(folder / rel, areas[folder] / "old" / f"s{k}")
            for folder, tmp_file in manifest_files.items():
                current = folder
                if os.path.lexists(folder / MANIFEST):
                    journal.move(folder / MANIFEST, areas[folder] / "old" / "manifest.json")
                if tmp_file is not None:
                    journal.move(tmp_file, folder / MANIFEST)
        except BaseException as exc:
            failed = journal.undo()
            if failed:
                self.keep_root = True
                kept = _names([p for p in (self.root, *self.local_stages) if p is not None])
                msg = f"{UNDO_FAILED} {kept}: {_names(failed)}"
                raise OutputError(msg, path=current) from exc
            if isinstance(exc, OSError):  # the folders made for it go in discard()
                raise output_error(exc, current) from exc
            raise
        self.committed = True

    def _make_folders(self, targets: list[_Target]) -> None:
        """Create the target folders and sub-folders (removed again if the commit fails)."""
        needed = dict.fromkeys(p for t in targets for p in (t.folder, t.path.parent))
        for folder in needed:
            missing = [p for p in (folder, *folder.parents) if not p.exists()]
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise output_error(exc, folder) from exc
            self.created += reversed(missing)

    def _area(self, folder: Path, index: int, targets: list[_Target]) -> Path:
        """Make a work folder on the disk of ``folder``; copy the staged files there if needed."""
        assert self.root is not None
        try:
            if os.stat(folder).st_dev == os.stat(self.root).st_dev:
                area = self.root / "work" / str(index)
                area.mkdir()
            else:
                area = Path(tempfile.mkdtemp(prefix=STAGE_MARK, dir=folder))
                self.local_stages.append(area)
                need = sum(_blocks(t.source.stat().st_size) for t in targets) + _BLOCK
                free = shutil.disk_usage(folder).free
                if free < need:
                    msg = (
                        f"{NO_SPACE} [需要 {need:,} 字节，可用 {free:,} 字节 / "
                        f"{need:,} bytes needed, {free:,} free]"
                    )
                    raise OutputError(msg, path=folder)
                (area / "new").mkdir()
                for k, t in enumerate(targets):
                    copy = area / "new" / str(k)
                    shutil.copy2(t.source, copy, follow_symlinks=False)
                    t.source = copy
            (area / "old").mkdir()
        except OSError as exc:
            raise output_error(exc, folder) from exc
        return area

    # ---------------------------------------------------------------- cleaning up
    def _remove_created(self) -> None:
        for folder in reversed(self.created):
            with suppress(OSError):
                folder.rmdir()
        self.created = []

    def discard(self) -> None:
        """Remove staging and work folders, release the locks (safe to call again)."""
        if not self.keep_root:  # kept only when a failed commit could not be undone
            for area in self.local_stages:
                shutil.rmtree(area, ignore_errors=True)
        self.local_stages = []
        if self.root is not None and not self.keep_root:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
        while self.locks:
            self.locks.pop().release()
        if not self.committed:
            self._remove_created()


@contextmanager
def staged_output(
    out_dir: str | Path,
    *,
    maps_dir: str | Path | None = None,
    protect: Iterable[str | Path] = (),
    replace: bool = False,
    run_id: str | None = None,
    command: str | None = None,
    track: bool = True,
    owner: str | None = None,
) -> Iterator[Path]:
    """Yield a staging folder; move its files into ``out_dir`` (and ``maps_dir``) on success.

    Before the block: the folders are checked (a file in the way, no permission) and locked
    (another run writing into one of them gives an error at once), and inputs that are
    outputs of an earlier run there are refused. After the block: the run's files replace
    the whole set of files the folder's earlier run owned, all at once (see the module
    docstring); on an exception nothing changes. No staging folder is left on any exit,
    including Ctrl-C and SIGTERM (which then ends the process with :class:`SystemExit`
    143 once the folder is clean).

    Parameters
    ----------
    out_dir : str or Path
        The final output folder (created when needed).
    maps_dir : str or Path, optional
        Folder for the HTML maps (``.html`` files); default ``out_dir``.
    protect : iterable of str or Path
        Input files: an output path (in either folder) that is one of them, or an earlier
        output that now is one, is an :class:`InputError` (nothing written).
    replace : bool
        Overwrite files of the same names that no run of this tool wrote (else refuse).
    run_id : str, optional
        Id of the run; calls with the same id add to one set (e.g. every task of ``demo``).
        Default: one id per process (:func:`process_run_id`).
    command : str, optional
        The command recorded in the manifest; default the process's command line.
    track : bool
        Record the files as the folder's run (default). ``False`` adds or replaces only the
        files written and removes nothing else, e.g. one exported file in a user's folder.
    owner : str, optional
        Name of the set of files within the folder, e.g. ``"clinics check"``: a run replaces
        the files of the earlier run of the same set and leaves other sets alone (so a plan
        and a check can share one ``--out``). Default: one set per output folder.

    Yields
    ------
    Path
        The staging folder to write into.

    Raises
    ------
    OutputError
        The folder is a file, not writable, full, locked by another run, holds a folder or
        foreign files where an output goes (nothing written, the folder as it was).
    InputError
        An output would overwrite an input.
    """
    job = _Job(
        absolute(out_dir),
        None if maps_dir is None else absolute(maps_dir),
        protect={absolute(p) for p in protect},
        replace=replace,
        run=run_id or process_run_id(),
        command=command if command is not None else shlex.join(sys.argv),
        track=track,
        owner=owner,
    )
    with terminate_as_exit():
        try:
            job.open()
            try:
                yield job.stage
            except BaseException:
                with signals_deferred():
                    job.discard()
                raise
            with signals_deferred():
                try:
                    job.commit()
                finally:
                    job.discard()
        finally:
            job.discard()


def final_paths(
    files: list[Path], stage: Path, out_dir: str | Path, maps_dir: str | Path | None = None
) -> list[Path]:
    """Where staged files end up: HTML maps in ``maps_dir`` when given, the rest in ``out_dir``.

    Parameters
    ----------
    files : list of Path
        Files written inside ``stage``.
    stage : Path
        The staging folder of :func:`staged_output`.
    out_dir : str or Path
        The output folder.
    maps_dir : str or Path, optional
        The folder for ``.html`` files.

    Returns
    -------
    list of Path
        The final paths, in the order given.
    """
    return [
        Path(maps_dir if (maps_dir is not None and f.suffix == ".html") else out_dir)
        / f.relative_to(stage)
        for f in files
    ]
