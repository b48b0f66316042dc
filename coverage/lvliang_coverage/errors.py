"""Errors raised on bad input, naming the file, row and column."""

from __future__ import annotations

from pathlib import Path


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
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class OfflineError(RuntimeError):
    """A feature needs the internet and the machine is offline."""
