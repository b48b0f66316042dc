"""Command group ``water``: ``site`` (drinking-water projects, articles 12-14)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lvliang_coverage.console import (
    BasemapOpt,
    BoundariesOpt,
    ConfigOpt,
    CoordsOpt,
    DemOpt,
    LangOpt,
    MapsDirOpt,
    NoMapsOpt,
    OutOpt,
    Progress,
    RoadsOpt,
    SourcesOpt,
    VillagesOpt,
    errors_to_exit_codes,
    print_files,
    print_headlines,
    rules_from,
    study_from_options,
)
from lvliang_coverage.services.water.service import SERVICE

app = typer.Typer(
    help="农村饮水安全（第12-14条）/ rural drinking water (articles 12-14).",
    no_args_is_help=True,
)


@app.callback()
def water() -> None:
    """农村饮水安全（第12-14条）/ rural drinking water (articles 12-14).

    A group even with one command, so that the command reads ``water site``.
    """


@app.command("site")
def site(
    out_dir: OutOpt = Path("out/water"),
    villages: VillagesOpt = None,
    sources: SourcesOpt = None,
    roads: RoadsOpt = None,
    dem: DemOpt = None,
    boundaries: BoundariesOpt = None,
    coords: CoordsOpt = "wgs84",
    config: ConfigOpt = None,
    budget: Annotated[
        float | None,
        typer.Option("--budget", help="Budget in yuan: serve the most residents within it."),
    ] = None,
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
    maps_dir: MapsDirOpt = None,
    no_maps: NoMapsOpt = False,
) -> None:
    """Site drinking-water projects: sources, mains, lifts, subsidies and maintenance funds.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --sources and --roads.
    """
    from lvliang_coverage.services.runner import run_task  # noqa: PLC0415 - keep --help fast

    progress = Progress()
    with errors_to_exit_codes():
        study = study_from_options(
            rules_from(config),
            progress,
            required={"--villages": villages, "--sources": sources, "--roads": roads},
            coords=coords,
            sources=sources,
            dem=dem,
            boundaries=boundaries,
        )
        run = run_task(
            SERVICE,
            study,
            "site",
            out_dir,
            lang=lang,
            maps=not no_maps,
            maps_dir=maps_dir,
            basemap=basemap,
            budget=budget,
        )
    print_headlines(SERVICE.headlines(run.result))
    print_files(run.files)
