"""Pieces shared by the command groups: options, progress, error handling, printing."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypedDict, Unpack

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
ReplaceOpt = Annotated[
    bool,
    typer.Option(
        "--replace",
        help="Replace files in --out/--maps that no run of this tool wrote (default: refuse).",
    ),
]
DropOutliersOpt = Annotated[
    bool,
    typer.Option(
        "--drop-outliers",
        help="Drop points far outside the study area (listed in dropped_points.csv) instead "
        "of stopping.",
    ),
]
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

    Exit codes: 2 bad input (file, row and column named) or an output folder that cannot
    take the results, 2 also for any other file-system error (one line, no traceback), 3 a
    feature needs the internet, 4 the solver found no feasible plan within its time limit,
    130 interrupted (Ctrl-C).
    """
    try:
        yield
    except InputError as exc:
        raise fail(exc, 2) from exc
    except OfflineError as exc:
        raise fail(exc, 3) from exc
    except SolverError as exc:
        raise fail(exc, 4) from exc
    except OSError as exc:
        raise fail(RuntimeError(os_error_text(exc)), 2) from exc
    except KeyboardInterrupt as exc:
        err.print(f"[bold red]{INTERRUPTED}[/bold red]", highlight=False)
        raise typer.Exit(130) from exc


def rules_from(config: Path | None) -> Rules:
    """Load the shipped rules, overridden by ``config`` when given."""
    return load_rules(config) if config is not None else load_rules()


class InputFiles(TypedDict, total=False):
    """Optional input files of a command, keyword arguments of ``Study.from_files``.

    Attributes
    ----------
    clinics, facilities, sources, sites, dem, boundaries : Path or None
        The files of ``--clinics`` ... ``--boundaries``.
    drop_outliers : bool
        ``--drop-outliers``: drop points far outside the study area instead of stopping.
    """

    clinics: Path | None
    facilities: Path | None
    sources: Path | None
    sites: Path | None
    dem: Path | None
    boundaries: Path | None
    drop_outliers: bool


def study_from_options(
    rules: Rules,
    progress: Progress,
    *,
    required: Mapping[str, Path | None],
    coords: str = "wgs84",
    **files: Unpack[InputFiles],
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
        :class:`InputFiles`, keyword arguments of
        :meth:`lvliang_coverage.study.Study.from_files`.

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

    given = dict(required) | {k: v for k, v in files.items() if k not in ("dem", "drop_outliers")}
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


def input_paths(values: Mapping[str, object]) -> list[Path]:
    """Every input file among a command's option values, shapefile sidecars included.

    Parameters
    ----------
    values : Mapping of str to object
        The command's parameter values.

    Returns
    -------
    list of Path
        The files (outputs may never be written over them).
    """
    paths = [
        v for k, v in values.items() if isinstance(v, Path) and k not in ("out_dir", "maps_dir")
    ]
    sidecars = [
        s for p in paths if p.suffix.lower() == ".shp" for s in p.parent.glob(p.stem + ".*")
    ]
    return [*paths, *sidecars]


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


INTERRUPTED = "已中断 / interrupted"
"""The one line printed when Ctrl-C stops a command (exit 130)."""


def os_error_text(exc: OSError) -> str:
    """One bilingual line for a failed file-system call, naming the file(s).

    Parameters
    ----------
    exc : OSError
        The error, e.g. ``PermissionError`` or ``OSError(28, ...)`` (disk full).

    Returns
    -------
    str
        E.g. ``"文件读写失败 / file-system error: 没有权限 / permission denied: /srv/out"``.
    """
    import errno  # noqa: PLC0415 - kept beside the only function that needs it

    texts = {
        errno.ENOSPC: "磁盘空间不足 / no space left on the disk",
        errno.EACCES: "没有权限 / permission denied",
        errno.EPERM: "不允许的操作 / operation not permitted",
        errno.EROFS: "只读文件系统 / read-only file system",
        errno.ENOENT: "找不到文件或文件夹 / no such file or folder",
        errno.EEXIST: "已存在同名文件 / a file of that name exists",
        errno.ENOTDIR: "路径中有文件而不是文件夹 / a file stands where a folder should be",
        errno.EISDIR: "这是一个文件夹 / it is a folder",
    }
    what = texts.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    where = f": {' -> '.join(paths)}" if paths else ""
    return f"文件读写失败 / file-system error: {what}{where}"


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    """Format a warning for a county office: one bilingual line, no file or source line."""
    del category, filename, lineno, line
    return f"警告 / warning: {message}\n"


def use_plain_warnings() -> None:
    """Print every warning of a command as one line (``警告 / warning: ...``) on stderr."""
    warnings.formatwarning = _one_line_warning


def check_options(lang: str, basemap: str | None) -> None:
    """Check the language and the base map before any work (a typo fails at once, exit 2).

    Parameters
    ----------
    lang : str
        ``--lang`` (``zh`` or ``en``).
    basemap : str or None
        ``--basemap``; None when no map is drawn.

    Raises
    ------
    InputError
        For an unknown language or base map (or Tianditu without a key).
    """
    from lvliang_coverage.maps._choices import check_basemap  # noqa: PLC0415 - fast --help
    from lvliang_coverage.report.vocabulary import check_lang  # noqa: PLC0415

    check_lang(lang)
    if basemap is not None:
        check_basemap(basemap)
