"""Staged output: results appear in the output folder only when a whole job succeeds."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_output(
    out_dir: str | Path, *, route: Mapping[str, str | Path] | None = None
) -> Iterator[Path]:
    """Yield a temporary folder beside ``out_dir``; move its files into ``out_dir`` on success.

    On an exception the temporary folder is removed and ``out_dir`` is left as it was, so a
    failed run never leaves half-written output.

    Parameters
    ----------
    out_dir : str or Path
        The final output folder (created when needed).
    route : Mapping of str to path, optional
        Other folders by file suffix, e.g. ``{".html": "maps"}`` sends maps there.

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
    routes = {k: Path(v) for k, v in (route or {}).items()}
    for item in sorted(stage.rglob("*")):
        if item.is_file():
            target = routes.get(item.suffix, out) / item.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            item.replace(target)
    shutil.rmtree(stage, ignore_errors=True)
