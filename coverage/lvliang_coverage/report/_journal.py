"""Undoable file moves and deferred signals: the commit of a run cannot be split in two."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

DEFERRED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""Signals held back while a run's files move into place."""


def _move(src: Path, dst: Path) -> None:
    """Move one file by renaming it (same file system); the tests patch this to inject faults."""
    os.replace(src, dst)


class Journal:
    """A list of moves, undone in reverse order when a commit fails part-way."""

    def __init__(self) -> None:
        self.done: list[tuple[Path, Path]] = []

    def move(self, src: Path, dst: Path) -> None:
        """Rename ``src`` to ``dst`` and remember it (a failed rename is not remembered)."""
        self.done.append((src, dst))
        try:
            _move(src, dst)
        except BaseException:
            if os.path.lexists(src):  # nothing moved
                self.done.pop()
            raise

    def undo(self) -> list[Path]:
        """Move every file back, newest first.

        Returns
        -------
        list of Path
            Files that could not be moved back (empty when the undo is complete).
        """
        failed: list[Path] = []
        while self.done:
            src, dst = self.done.pop()
            try:
                os.replace(dst, src)
            except OSError:
                failed.append(dst)
        return failed


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back inside the block, then deliver them once it is done.

    Python handles signals in the main thread only, so elsewhere the block runs unguarded.
    A signal received inside the block is raised again after the old handlers are back,
    e.g. Ctrl-C then raises :class:`KeyboardInterrupt` right after the block.
    """
    if not _in_main_thread():
        yield
        return
    pending: list[int] = []

    def record(signum: int, frame: FrameType | None) -> None:
        del frame
        pending.append(signum)

    previous: dict[signal.Signals, Handler] = {}
    for sig in DEFERRED_SIGNALS:
        if signal.getsignal(sig) is not None:  # None: set outside Python, leave it alone
            previous[sig] = signal.signal(sig, record)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for signum in dict.fromkeys(pending):
            if previous.get(signal.Signals(signum)) is not signal.SIG_IGN:
                signal.raise_signal(signum)


@contextmanager
def terminate_as_exit() -> Iterator[None]:
    """Inside the block, SIGTERM raises :class:`SystemExit` (code 143) instead of killing.

    So a terminated run still removes its staging folder and releases its lock. Only when
    SIGTERM has its default action and in the main thread; an application's own handler
    stays in charge.
    """
    if not _in_main_thread() or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def leave(signum: int, frame: FrameType | None) -> None:
        del frame
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
