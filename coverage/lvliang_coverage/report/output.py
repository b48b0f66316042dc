"""Staged output: results appear in the output folder only when a whole job succeeds."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_output(out_dir: str | Path, *, maps_dir: str | Path | None = None) -> Iterator[Path]:
    """Yield a temporary folder beside ``out_dir``; move its files into ``out_dir`` on success.

    On an exception the temporary folder is removed and ``out_dir`` is left as it was, so a
    failed run never leaves half-written output.

    Parameters
    ----------
    out_dir : str or Path
        The final output folder (created when needed).
    maps_dir : str or Path, optional
        Folder for the HTML maps (``.html`` files); default ``out_dir``.

    Yields
    ------
    Path
        The staging folder to write into.
    """
    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    out.mkdir(parents=True, exist_ok=True)
    for item in sorted(stage.rglob("*")):
        if item.is_file():
            target = final_paths([item], stage, out, maps_dir)[0]
            target.parent.mkdir(parents=True, exist_ok=True)
            item.replace(target)
    shutil.rmtree(stage, ignore_errors=True)


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
