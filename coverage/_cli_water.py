"""Command-line commands of the water bureau: ``lvliang-coverage water site``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from coverage.config import load_rules
from coverage.errors import InputError, OfflineError

water_app = typer.Typer(
    help="农村饮水安全（第12-14条）/ rural drinking water (articles 12-14).",
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


def _fail(exc: Exception, code: int) -> typer.Exit:
    _err.print(f"[bold red]错误 / error:[/bold red] {exc}", highlight=False)
    return typer.Exit(code)


def print_water_plan(plan: object) -> None:
    """Print the headline figures and the per-county budget of a water plan.

    Parameters
    ----------
    plan : WaterPlan
        A solved plan.
    """
    summary = plan.summary()  # type: ignore[attr-defined]
    table = Table(title="农村饮水安全工程规划 / drinking-water plan")
    table.add_column("item")
    table.add_column("value", justify="right")
    for k, v in summary.items():
        table.add_row(k, f"{v:,.6g}" if isinstance(v, float) else str(v))
    _out.print(table)
    budget = Table(title="分县投资与维修养护资金 / budget per county (yuan)")
    cols = [
        "county",
        "served_villages",
        "served_residents",
        "total_yuan",
        "subsidy_yuan",
        "maintenance_yuan_year",
    ]
    for c in cols:
        budget.add_column(c, justify="right")
    for row in plan.counties[cols].itertuples(index=False):  # type: ignore[attr-defined]
        budget.add_row(*(f"{v:,.0f}" if isinstance(v, float) else str(v) for v in row))
    _out.print(budget)


@water_app.command("site")
def water_site_command(  # noqa: PLR0917 - one option per input, like the other commands
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out/water"),
    villages: Annotated[
        Path | None,
        typer.Option("--villages", help="Village registry with water_safe (CSV/XLSX/GPKG ...)."),
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="Water sources: springs, wells, reservoirs, plants."),
    ] = None,
    roads: Annotated[
        Path | None,
        typer.Option("--roads", help="OpenStreetMap road file (.osm, .osm.bz2, .osm.pbf)."),
    ] = None,
    dem: Annotated[
        Path | None, typer.Option("--dem", help="Elevation GeoTIFF in metres (gravity or lift).")
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
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="Budget in yuan: serve the most residents within it."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of ledger and map: zh or en.")] = (
        "zh"
    ),
    basemap: Annotated[
        str, typer.Option("--basemap", help="Map base layer: osm, none, tianditu, gaode.")
    ] = "osm",
    no_maps: Annotated[bool, typer.Option("--no-maps", help="Skip the HTML map.")] = False,
) -> None:
    """Site drinking-water projects: sources, mains, lifts, subsidies and maintenance funds.

    Without file options the embedded Lüliang default data is used.
    """
    from coverage.study import Study  # noqa: PLC0415 - keep --help fast
    from coverage.water_jobs import water_site, water_study  # noqa: PLC0415

    progress = _Progress()
    try:
        rules = load_rules(config) if config is not None else load_rules()
        given = {"--villages": villages, "--sources": sources, "--roads": roads}
        if all(v is None for v in given.values()):
            study = Study.default(rules, progress=progress)
        else:
            missing = [k for k, v in given.items() if v is None]
            if missing:
                msg = f"with your own data, also give {' and '.join(missing)}"
                raise InputError(msg)
            study = water_study(
                villages=villages,  # type: ignore[arg-type]
                sources=sources,  # type: ignore[arg-type]
                roads=roads,  # type: ignore[arg-type]
                dem=dem,
                boundaries=boundaries,
                coords=coords,
                rules=rules,
                progress=progress,
            )
        plan, files = water_site(
            study, out_dir, budget=budget, lang=lang, maps=not no_maps, basemap=basemap
        )
    except InputError as exc:
        raise _fail(exc, 2) from exc
    except OfflineError as exc:
        raise _fail(exc, 3) from exc
    print_water_plan(plan)
    for p in files:
        _out.print(f"  [green]写入 / wrote[/green] {p}", highlight=False)
