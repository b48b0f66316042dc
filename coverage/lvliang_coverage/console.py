"""Pieces shared by the command groups: options, progress, error handling, printing."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from lvliang_coverage.config import Rules, load_rules
from lvliang_coverage.errors import InputError, OfflineError, SolverError

if TYPE_CHECKING:
    from lvliang_coverage.report.headlines import Headline
    from lvliang_coverage.study import Study

err = Console(stderr=True)
out = Console()

OutOpt = Annotated[Path, typer.Option("--out", help="Output folder.")]
VillagesOpt = Annotated[
    Path | None, typer.Option("--villages", help="Village registry (CSV/XLSX/GPKG/GeoJSON/SHP).")
]
ClinicsOpt = Annotated[
    Path | None, typer.Option("--clinics", help="Clinic list (every row a village clinic).")
]
FacilitiesOpt = Annotated[
    Path | None,
    typer.Option(
        "--facilities",
        help="Facility registry with a kind column (clinic, health_centre, hospital, school, "
        "workshop, industrial_park).",
    ),
]
SourcesOpt = Annotated[
    Path | None,
    typer.Option("--sources", help="Water sources: springs, wells, reservoirs, plants."),
]
SitesOpt = Annotated[
    Path | None,
    typer.Option("--sites", help="Resettlement sites (capacity_households, occupied)."),
]
RoadsOpt = Annotated[
    Path | None,
    typer.Option("--roads", help="OpenStreetMap road file (.osm, .osm.bz2, .osm.pbf)."),
]
DemOpt = Annotated[
    Path | None, typer.Option("--dem", help="Elevation GeoTIFF in metres (slopes, heads).")
]
BoundariesOpt = Annotated[
    Path | None, typer.Option("--boundaries", help="County boundaries (maps, study area).")
]
CoordsOpt = Annotated[
    str,
    typer.Option(
        "--coords", help="Coordinates of lon/lat columns: wgs84, cgcs2000, gcj02, bd09, EPSG:xxxx."
    ),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Rules file (TOML) overriding the policy defaults.")
]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of ledgers and maps: zh or en.")]
BasemapOpt = Annotated[
    str, typer.Option("--basemap", help="Map base layer: osm, none, tianditu, gaode.")
]
NoMapsOpt = Annotated[bool, typer.Option("--no-maps", help="Skip the HTML maps.")]
MapsDirOpt = Annotated[
    Path | None, typer.Option("--maps", help="Folder for the HTML maps (default: --out).")
]


class Progress:
    """Print each step of long work with the seconds elapsed (to standard error)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        """Print one step."""
        err.print(f"[dim]{time.perf_counter() - self.start:7.1f}s[/dim] {message}")


def fail(exc: Exception, code: int) -> typer.Exit:
    """Print an error and make the exit that carries its code."""
    err.print(f"[bold red]错误 / error:[/bold red] {exc}", highlight=False)
    return typer.Exit(code)


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn known failures into a clear message and an exit code (nothing is written).

    Exit codes: 2 bad input (file, row and column named), 3 a feature needs the internet,
    4 the solver found no feasible plan within its time limit.
    """
    try:
        yield
    except InputError as exc:
        raise fail(exc, 2) from exc
    except OfflineError as exc:
        raise fail(exc, 3) from exc
    except SolverError as exc:
        raise fail(exc, 4) from exc


def rules_from(config: Path | None) -> Rules:
    """Load the shipped rules, overridden by ``config`` when given."""
    return load_rules(config) if config is not None else load_rules()


def study_from_options(
    rules: Rules,
    progress: Progress,
    *,
    required: Mapping[str, Path | None],
    coords: str = "wgs84",
    **files: Path | None,
) -> Study:
    """Load the default study when no file is given, else read the user's files.

    Parameters
    ----------
    rules : Rules
        Rules in force.
    progress : Progress
        Progress printer.
    required : Mapping of option name to path
        Options that must all be given with user data, e.g. ``{"--villages": ..., "--roads":
        ...}``.
    coords : str
        Coordinate system of lon/lat columns.
    **files : Path or None
        Keyword arguments of :meth:`lvliang_coverage.study.Study.from_files` (``clinics``,
        ``facilities``, ``sources``, ``sites``, ``dem``, ``boundaries``).

    Returns
    -------
    Study
        The study.

    Raises
    ------
    InputError
        When some required options are missing.
    """
    from lvliang_coverage.study import Study  # noqa: PLC0415 - keep --help fast

    given = dict(required) | {k: v for k, v in files.items() if k != "dem"}
    if all(v is None for v in given.values()):
        return Study.default(rules, progress=progress)
    missing = [k for k, v in required.items() if v is None]
    if missing:
        msg = f"with your own data, also give {' and '.join(missing)}"
        raise InputError(msg)
    return Study.from_files(
        villages=required["--villages"],  # type: ignore[arg-type]
        roads=required["--roads"],  # type: ignore[arg-type]
        coords=coords,
        rules=rules,
        progress=progress,
        **files,
    )


def _cell(value: object) -> str:
    """Format a value for a table: whole numbers with thousands separators."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.6g}"
    return str(value)


def print_summary(title: str, summary: Mapping[str, object]) -> None:
    """Print headline figures as a two-column table."""
    table = Table(title=title)
    table.add_column("item")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, f"{value:,.6g}" if isinstance(value, float) else str(value))
    out.print(table)


def print_headlines(headlines: Sequence[Headline]) -> None:
    """Print each table of headline figures of a service's result."""
    for h in headlines:
        if h.rows:
            table = Table(title=h.title)
            columns = list(h.rows[0])
            for i, col in enumerate(columns):
                table.add_column(col, justify="left" if i == 0 else "right")
            for row in h.rows:
                table.add_row(*(_cell(row[c]) for c in columns))
            out.print(table)
        else:
            print_summary(h.title, h.items)


def print_files(paths: list[Path]) -> None:
    """List the files written."""
    for path in paths:
        out.print(f"  [green]写入 / wrote[/green] {path}", highlight=False)
