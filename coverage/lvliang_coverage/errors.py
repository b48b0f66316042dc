"""Every error the package raises: bad input (file, row, column), offline, solver failures."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class InputError(ValueError):
    """Bad user input: names the file, the row (1-based data row) and the column.

    Parameters
    ----------
    message : str
        What is wrong.
    file : str or Path, optional
        The input file.
    row : int, optional
        Data row number as a user sees it in a spreadsheet (1 = first data row).
    column : str, optional
        The column (or rules key) concerned.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        """Where (in Chinese, then English) and what: ``文件 X，第2行 / file X, row 2: ...``."""
        zh, en = [], []
        if self.file is not None:
            zh.append(f"文件 {self.file}")
            en.append(f"file {self.file}")
        if self.row is not None:
            zh.append(f"第{self.row}行")
            en.append(f"row {self.row}")
        if self.column is not None:
            zh.append(f"列 '{self.column}'")
            en.append(f"column '{self.column}'")
        if not en:
            return self.message
        return f"{'，'.join(zh)} / {', '.join(en)}: {self.message}"


class OutputError(InputError):
    """The output folder cannot take the results: not a folder, not writable, full, in use.

    Raised before anything is written (or after a failed write was undone), so the folder
    keeps its earlier contents. The CLI treats it as bad input: exit 2.

    Parameters
    ----------
    message : str
        What is wrong, in Chinese and English.
    path : str or Path, optional
        The folder or file concerned.
    """

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message, file=path)

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file is not None else self.message


class OfflineError(RuntimeError):
    """A feature needs the internet and the machine is offline."""


class SolveReport(Protocol):
    """What an error needs of a solver report (``optimise.highs.SolveReport``)."""

    @property
    def status(self) -> str:
        """Solver status name, e.g. ``"time_limit"``."""
        ...

    @property
    def message(self) -> str:
        """The solver's own message."""
        ...


class SolverError(RuntimeError):
    """The solver stopped without any feasible solution (e.g. a time limit hit too early).

    Parameters
    ----------
    message : str
        What happened.
    report : SolveReport
        The solver report of the failed solve (status, seconds, settings).
    """

    def __init__(self, message: str, report: SolveReport) -> None:
        self.report = report
        super().__init__(f"{message} (求解状态 / status {report.status}: {report.message})")
