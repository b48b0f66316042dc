"""Pieces shared by the command groups: options, progress, error handling, printing."""

from __future__ import annotations

import inspect
import re
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypedDict, Unpack

import typer
from rich.console import Console
from rich.table import Table

from lvliang_coverage.errors import InputError, OfflineError, OutputError, SolverError
from lvliang_coverage.report.vocabulary import both, mode_name

if TYPE_CHECKING:
    from lvliang_coverage.config import Rules
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
ModesOpt = Annotated[
    list[str] | None,
    typer.Option("--mode", help="Travel mode: walk, motorcycle or car; repeat for several."),
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


_MODE_STEP = re.compile(r"^计算(?P<mode>[\w-]+)出行时间 / travel times for mode '(?P=mode)'$")
"""The study's travel-time step, whose mode code :class:`Progress` prints as the mode's name."""


def reflow_help(doc: str) -> str:
    """Reflow a docstring for ``--help``: each paragraph one line (the terminal wraps it).

    Parameters
    ----------
    doc : str
        A command's docstring (paragraphs separated by blank lines).

    Returns
    -------
    str
        The paragraphs, each on one line, separated by blank lines.
    """
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


LOADING_DEFAULT = "读取默认数据 / loading the default data"
READING_FILES = "读取用户数据 / reading the input files"
"""First steps of ``Study.default`` and ``Study.from_files``, printed ahead (Progress.ahead)."""


class Progress:
    """Print each step of long work with the seconds elapsed (to standard error).

    Steps name travel modes by their names (``计算步行出行时间 / travel times (walking)``),
    never by their codes.
    """

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self._ahead: str | None = None

    def __call__(self, message: str) -> None:
        """Print one step (not again when it was printed ahead, see :meth:`ahead`)."""
        if message == self._ahead:
            self._ahead = None
            return
        err.print(
            f"[dim]{time.perf_counter() - self.start:7.1f}s[/dim] {step_text(message)}",
            highlight=False,
            soft_wrap=True,
        )

    def ahead(self, message: str) -> None:
        """Print a step now, before its heavy imports; the work's own report of it is dropped.

        Parameters
        ----------
        message : str
            The step, as the work will report it (e.g. :data:`LOADING_DEFAULT`).
        """
        self(message)
        self._ahead = message


def step_text(message: str) -> str:
    """Return a progress message as printed: a travel mode's code replaced by its name.

    Parameters
    ----------
    message : str
        E.g. the study's ``"计算walk出行时间 / travel times for mode 'walk'"``.

    Returns
    -------
    str
        E.g. ``"计算步行出行时间 / travel times (walking)"``; other messages as given.
    """
    found = _MODE_STEP.match(message)
    if found is None:
        return message
    mode = found["mode"]
    return both("travel_times", mode=(mode_name(mode, "zh"), mode_name(mode, "en")))


def error_text(exc: BaseException) -> str:
    """Return the text after ``错误 / error:``: where (file, row, column) and what.

    Parameters
    ----------
    exc : Exception
        The error; an :class:`InputError` names its file, row and column.

    Returns
    -------
    str
        E.g. ``"villages.csv，第2行 / row 2，列 / column '常住人口': ..."``; an option
        (``--lang``) is named as such, a rules key as ``键 / key``.
    """
    if isinstance(exc, OutputError) or not isinstance(exc, InputError):
        text = str(exc)
        if isinstance(exc, SolverError):
            return f"{both('solver_failed')}: {text}"
        if isinstance(exc, OfflineError):
            return f"{both('offline')}: {text}"
        return text
    where = [] if exc.file is None else [exc.file]
    if exc.row is not None:
        where.append(both("where_row", row=exc.row))
    if exc.column is not None:
        if exc.column.startswith("--"):
            where.append(exc.column)
        else:
            key = "where_key" if str(exc.file or "").endswith(".toml") else "where_column"
            where.append(f"{both(key)} {exc.column!r}")
    return f"{'，'.join(where)}: {exc.message}" if where else exc.message


def fail(exc: Exception, code: int) -> typer.Exit:
    """Print an error (``错误 / error: ...``) and make the exit that carries its code."""
    err.print(
        f"[bold red]错误 / error:[/bold red] {error_text(exc)}", highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn known failures into a clear message and an exit code (nothing is written).

    The message is one line ``错误 / error: ...`` (:func:`error_text`: file, row and column
    named in Chinese and English). Exit codes: 2 bad input (file, row and column named) or
    an output folder that cannot take the results, 2 also for any other file-system error
    (one line, no traceback), 3 a feature needs the internet, 4 the solver found no feasible
    plan within its time limit, 130 interrupted (Ctrl-C).
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
    from lvliang_coverage.config import load_rules  # noqa: PLC0415 - not needed by --help

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

    With the user's files, a missing required option stops the run naming it (and, for
    ``--roads``, the bundled road file of the default data that covers Lüliang); without
    ``--boundaries`` a note names the bundled county boundaries. The first step is printed
    before the analysis libraries load (:meth:`Progress.ahead`): it appears at once.

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
        When some required options are missing (message in Chinese and English).
    """
    given = dict(required) | {k: v for k, v in files.items() if k not in ("dem", "drop_outliers")}
    if all(v is None for v in given.values()):
        progress.ahead(LOADING_DEFAULT)  # the first line at once, before the heavy imports
        from lvliang_coverage.study import Study  # noqa: PLC0415 - heavy import

        return Study.default(rules, progress=progress)
    missing = [k for k, v in required.items() if v is None]
    if missing:
        msg = both("own_data_needs", options=(" 和 ".join(missing), " and ".join(missing)))
        roads = bundled_file("roads")
        if "--roads" in missing and roads.is_file():
            msg += f"; {both('bundled_roads', path=roads)}"
        raise InputError(msg)
    counties = bundled_file("counties")
    if files.get("boundaries") is None and counties.is_file():
        err.print(
            f"[yellow]{both('note')}:[/yellow] {both('bundled_boundaries', path=counties)}",
            highlight=False,
        )
    if all(Path(p).is_file() for p in (required.get("--roads"), files.get("dem")) if p):
        progress.ahead(READING_FILES)  # else from_files names the missing file first
    from lvliang_coverage.study import Study  # noqa: PLC0415 - heavy import

    return Study.from_files(
        villages=required["--villages"],  # type: ignore[arg-type]
        roads=required["--roads"],  # type: ignore[arg-type]
        coords=coords,
        rules=rules,
        progress=progress,
        **files,
    )


def bundled_file(key: str) -> Path:
    """Return a file of the bundled default data that a user may give with their own files.

    Parameters
    ----------
    key : str
        ``"roads"`` (the OpenStreetMap road file) or ``"counties"`` (county boundaries),
        keys of :data:`lvliang_coverage.inputs.default_data.DEFAULT_FILES`.

    Returns
    -------
    Path
        The file, e.g. ``data/default/roads.osm.bz2`` of the installed repository.
    """
    from lvliang_coverage.inputs.default_data import (  # noqa: PLC0415 - keep --help fast
        DEFAULT_FILES,
        default_data_dir,
    )

    return default_data_dir() / DEFAULT_FILES[key]


def print_summary(title: str, summary: Mapping[str, object]) -> None:
    """Print headline figures as a two-column table (``项目 / item``, ``数值 / value``)."""
    from lvliang_coverage.report.headlines import Headline  # noqa: PLC0415

    print_headlines([Headline(title, summary)])


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
    """Print each table of headline figures of a service's result.

    Every value goes through :func:`lvliang_coverage.report.headlines.format_value`
    (thousands separators, whole yuan, shares as percentages, ``—`` for missing); the solver
    report is one line in words.
    """
    from lvliang_coverage.report.headlines import headline_items, headline_rows  # noqa: PLC0415

    for h in headlines:
        table = Table(title=h.title)
        if h.rows:
            headers, cells = headline_rows(h)
            for i, col in enumerate(headers):
                width = _number_width(row[i] for row in cells)
                table.add_column(col, justify="left" if i == 0 else "right", min_width=width)
            for row in cells:
                table.add_row(*row)
        else:
            items = headline_items(h)
            table.add_column(both("item"))
            width = _number_width(value for _, value in items)
            table.add_column(both("value"), justify="right", min_width=width)
            for label, value in items:
                table.add_row(label, value)
        out.print(table)


_NUMBER = re.compile(r"^[-+]?[\d,.]+%?$|^[—∞]$")
"""A formatted number: never cut or wrapped in a table (its header wraps instead)."""


def _number_width(cells: Iterable[str]) -> int | None:
    """Width of the widest formatted number among ``cells`` (None without numbers)."""
    from rich.cells import cell_len  # noqa: PLC0415 - loaded with rich already

    widths = [cell_len(c) for c in cells if _NUMBER.match(c)]
    return max(widths) if widths else None


def print_files(paths: list[Path]) -> None:
    """List the files written."""
    for path in paths:
        out.print(f"  [green]{both('wrote')}[/green] {path}", highlight=False, soft_wrap=True)


def done_text(folders: Iterable[str | Path]) -> str:
    """Return the last line of every command: what is done and where the outputs are.

    Parameters
    ----------
    folders : iterable of str or Path
        The output folders (tables and ledgers, then maps), as given; repeats are dropped.

    Returns
    -------
    str
        ``"完成 / done: 输出在 out/demo、maps / outputs in out/demo, maps"``, or
        ``"完成 / done: 未写入文件 / no file written"`` without folders.
    """
    names = list(dict.fromkeys(str(f) for f in folders))
    if not names:
        return f"{both('done')}: {both('no_files')}"
    return f"{both('done')}: {both('outputs_in', folders=('、'.join(names), ', '.join(names)))}"


def print_done(folders: Iterable[str | Path]) -> None:
    """Print :func:`done_text` (to standard output, the command's last line)."""
    out.print(f"[bold green]{done_text(folders)}[/bold green]", highlight=False, soft_wrap=True)


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
        For an unknown language or base map (or Tianditu without a key), saying in Chinese
        and English what is accepted.
    """
    from lvliang_coverage.maps._choices import BASEMAPS, check_basemap  # noqa: PLC0415
    from lvliang_coverage.report.vocabulary import check_lang  # noqa: PLC0415

    check_lang(lang)
    if basemap is not None:
        if basemap not in BASEMAPS:
            choices = ("、".join(BASEMAPS), ", ".join(BASEMAPS))
            msg = both("unknown_basemap", choices=choices, basemap=basemap)
            raise InputError(msg, column="--basemap")
        check_basemap(basemap)


def _code_and_name(mode: str) -> str:
    name = mode_name(mode, "en")
    return mode if name == mode else f"{mode} ({name})"


def check_modes(modes: Iterable[str] | str | None, rules: Rules) -> list[str]:
    """Check ``--mode`` values against the travel modes of the rules, before any work.

    Parameters
    ----------
    modes : str, iterable of str or None
        The ``--mode`` value(s); None when not given.
    rules : Rules
        Rules in force (their ``[speeds.*]`` modes).

    Returns
    -------
    list of str
        The modes given, in order (empty when none).

    Raises
    ------
    InputError
        For a mode the rules do not define, listing the accepted ones in both languages.
    """
    given = [modes] if isinstance(modes, str) else list(modes or ())
    for mode in given:
        if mode not in rules.modes:
            accepted = (
                "、".join(f"{m}（{mode_name(m, 'zh')}）" for m in rules.modes),
                ", ".join(_code_and_name(m) for m in rules.modes),
            )
            raise InputError(both("unknown_mode", mode=mode, modes=accepted), column="--mode")
    return given
