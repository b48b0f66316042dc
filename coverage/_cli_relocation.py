"""Command-line group ``relocation``: resettlement sites and relocating villages (第15-17条)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from coverage.config import load_rules
from coverage.errors import InputError, OfflineError

relocation_app = typer.Typer(
    help="易地扶贫搬迁安置点（第15-17条）/ resettlement sites (articles 15-17).",
    no_args_is_help=True,
)

_err = Console(stderr=True)
_out = Console()


class _Progress:
    """Print each step of long work with the seconds elapsed."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        _err.print(f"[dim]{time.perf_counter() - self.start:7.1f}s[/dim] {message}")


def _print_plan(summary: dict[str, object]) -> None:
    """Print the headline figures of a plan."""
    table = Table(title="易地扶贫搬迁安置 / resettlement plan")
    table.add_column("item")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    _out.print(table)


@relocation_app.command("plan")
def plan(  # noqa: PLR0917 - one option per input file, as the other commands
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out/relocation"),
    villages: Annotated[
        Path | None,
        typer.Option("--villages", help="Village registry with relocate and households columns."),
    ] = None,
    facilities: Annotated[
        Path | None,
        typer.Option(
            "--facilities",
            help="Facility registry with a kind column (clinic, health_centre, school, "
            "workshop, industrial_park).",
        ),
    ] = None,
    sites: Annotated[
        Path | None,
        typer.Option("--sites", help="Resettlement sites (capacity_households, occupied)."),
    ] = None,
    roads: Annotated[
        Path | None,
        typer.Option("--roads", help="OpenStreetMap road file (.osm, .osm.bz2, .osm.pbf)."),
    ] = None,
    dem: Annotated[
        Path | None, typer.Option("--dem", help="Elevation GeoTIFF in metres (slopes).")
    ] = None,
    boundaries: Annotated[
        Path | None, typer.Option("--boundaries", help="County boundaries (maps, study area).")
    ] = None,
    coords: Annotated[
        str,
        typer.Option(
            "--coords",
            help="Coordinates of lon/lat columns: wgs84, cgcs2000, gcj02, bd09, EPSG:xxxx.",
        ),
    ] = "wgs84",
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Rules file (TOML) overriding the policy defaults."),
    ] = None,
    mode: Annotated[
        str | None, typer.Option("--mode", help="Travel mode (default motorcycle).")
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of ledger and map: zh or en.")
    ] = "zh",
    basemap: Annotated[
        str, typer.Option("--basemap", help="Map base layer: osm, none, tianditu, gaode.")
    ] = "osm",
    no_maps: Annotated[bool, typer.Option("--no-maps", help="Skip the HTML map.")] = False,
) -> None:
    """Score resettlement sites by access to services; assign relocating villages to sites.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --facilities, --sites and --roads.
    """
    from coverage.io import read_sites  # noqa: PLC0415 - heavy imports after option parsing
    from coverage.relocation_jobs import relocation_plan  # noqa: PLC0415
    from coverage.study import Study  # noqa: PLC0415

    progress = _Progress()
    given = {"--villages": villages, "--facilities": facilities, "--sites": sites, "--roads": roads}
    try:
        rules = load_rules(config) if config is not None else load_rules()
        if all(v is None for v in given.values()):
            study = Study.default(rules, progress=progress)
        else:
            missing = [k for k, v in given.items() if v is None]
            if missing:
                msg = f"with your own data, also give {' and '.join(missing)}"
                raise InputError(msg)
            study = Study.from_files(
                villages=villages,  # type: ignore[arg-type]
                roads=roads,  # type: ignore[arg-type]
                facilities=facilities,
                dem=dem,
                boundaries=boundaries,
                coords=coords,
                rules=rules,
                progress=progress,
            )
            study.sites = read_sites(sites, coords=coords, study_area=study.counties)  # type: ignore[arg-type]
        result, files = relocation_plan(
            study, out_dir, mode=mode, lang=lang, maps=not no_maps, basemap=basemap
        )
    except InputError as exc:
        _err.print(f"[bold red]错误 / error:[/bold red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    except OfflineError as exc:
        _err.print(f"[bold red]错误 / error:[/bold red] {exc}", highlight=False)
        raise typer.Exit(3) from exc
    _print_plan(result.summary())
    for path in files:
        _out.print(f"  [green]写入 / wrote[/green] {path}", highlight=False)
