"""Output folders: their locks, their run manifests and the errors of writing into them."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from lvliang_coverage.errors import OutputError

MANIFEST = ".lvliang-coverage-run.json"
"""File in every folder a run writes into: which files which run owns."""

MANIFEST_FORMAT = "lvliang-coverage-run/1"
LOCK_SUFFIX = ".lvliang-lock"
STAGE_MARK = ".lvliang-stage-"

LOCKED = "另一个运行正在写入该目录 / another run is writing to this folder"
NOT_FOLDER = "输出位置是一个文件，不是文件夹 / the output path is a file, not a folder"
NOT_WRITABLE = "输出文件夹不可写 / the output folder is not writable"
NO_SPACE = "磁盘空间不足 / not enough free disk space"
CANNOT_WRITE = "无法写入输出文件夹 / cannot write to the output folder"

_NO_SPACE_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_WRITABLE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}
_NOT_FOLDER_ERRNOS = {errno.EEXIST, errno.ENOTDIR}


def output_error(exc: OSError, path: Path) -> OutputError:
    """Give the clear error of a failed write into ``path`` (full disk, no permission, ...)."""
    if exc.errno in _NO_SPACE_ERRNOS:
        message = NO_SPACE
    elif exc.errno in _NOT_WRITABLE_ERRNOS:
        message = NOT_WRITABLE
    elif exc.errno in _NOT_FOLDER_ERRNOS:
        message = NOT_FOLDER
    else:
        message = CANNOT_WRITE
    detail = exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
    return OutputError(f"{message} [{detail}{where}]", path=path)


def absolute(path: str | Path) -> Path:
    """Absolute path with symbolic links resolved (the path need not exist)."""
    return Path(path).expanduser().resolve()


def check_folder(folder: Path) -> None:
    """Fail unless ``folder`` is a folder or can become one (no file in the way).

    Raises
    ------
    OutputError
        When ``folder`` or one of its parents exists and is not a folder.
    """
    for part in (folder, *folder.parents):
        if part.exists():
            if not part.is_dir():
                raise OutputError(NOT_FOLDER, path=part)
            return


class FolderLock:
    """Exclusive, non-blocking lock of an output folder for the length of a run.

    The lock is a small file beside the folder (``.<name>.lvliang-lock`` in its parent),
    locked with ``flock`` and removed on release, so two runs into one folder never mix.

    Parameters
    ----------
    folder : Path
        The absolute output folder.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder.parent / f".{folder.name or 'root'}{LOCK_SUFFIX}"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock at once, or fail.

        Raises
        ------
        OutputError
            When another run holds it, or the lock file cannot be made.
        """
        while self._fd is None:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise output_error(exc, self.folder) from exc
            try:
                _lock(fd)
            except BlockingIOError:
                os.close(fd)
                raise OutputError(LOCKED, path=self.folder) from None
            except OSError as exc:
                os.close(fd)
                raise output_error(exc, self.folder) from exc
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
            else:  # the last holder removed the file meanwhile: lock the new one
                os.close(fd)

    def release(self) -> None:
        """Remove the lock file and let go (nothing happens when not held)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if sys.platform == "win32":
            os.close(fd)
            _remove_quietly(self.path)
        else:
            _remove_quietly(self.path)
            os.close(fd)


def _lock(fd: int) -> None:
    """Lock an open file exclusively without waiting (BlockingIOError when held)."""
    if sys.platform == "win32":
        import msvcrt  # noqa: PLC0415 - Windows only

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise BlockingIOError(errno.EAGAIN, str(exc)) from exc
    else:
        import fcntl  # noqa: PLC0415 - POSIX only

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _remove_quietly(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


@dataclass
class Manifest:
    """The run manifest of one folder: which files which run owns.

    Attributes
    ----------
    folder : Path
        The folder (absolute).
    files : dict
        File name relative to the folder (POSIX) -> ``{"owner", "run", "time"}``; the owner
        is the absolute output folder of the run that wrote the file.
    owners : dict
        Output folder -> ``{"run", "time", "command", "folders"}`` of its latest run (kept in
        the output folder's own manifest; ``folders`` are all folders holding its files).
    found : bool
        Whether the folder had a readable manifest.
    """

    folder: Path
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    owners: dict[str, dict[str, object]] = field(default_factory=dict)
    found: bool = False

    @property
    def path(self) -> Path:
        """The manifest file."""
        return self.folder / MANIFEST

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read the manifest of ``folder``; a missing or unreadable one gives an empty manifest."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(folder)
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            return cls(folder)
        files = data.get("files")
        owners = data.get("owners")
        return cls(
            folder,
            files={
                str(k): {str(a): str(b) for a, b in v.items()}
                for k, v in (files.items() if isinstance(files, dict) else ())
                if isinstance(v, dict)
            },
            owners={
                str(k): dict(v)
                for k, v in (owners.items() if isinstance(owners, dict) else ())
                if isinstance(v, dict)
            },
            found=True,
        )

    def owned_by(self, owner: str) -> dict[str, dict[str, str]]:
        """Entries of the files ``owner`` owns in this folder."""
        return {k: v for k, v in self.files.items() if v.get("owner") == owner}

    def folders_of(self, owner: str) -> list[Path]:
        """Folders where ``owner``'s latest run wrote files (from this manifest)."""
        info = self.owners.get(owner, {})
        folders = info.get("folders", [])
        return [Path(f) for f in folders] if isinstance(folders, list) else []

    def empty(self) -> bool:
        """Whether the manifest lists nothing (then it is removed, not written)."""
        return not self.files and not self.owners

    def to_json(self) -> str:
        """Give the manifest as JSON text."""
        data = {
            "format": MANIFEST_FORMAT,
            "tool": "lvliang-coverage",
            "files": dict(sorted(self.files.items())),
            "owners": dict(sorted(self.owners.items())),
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def remove_stale_stages(folder: Path, prefix: str) -> None:
    """Remove staging folders a killed run left in ``folder`` (call only under the lock)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefix) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
