"""Command group ``relocation``: resettlement sites and relocating villages (第15-17条)."""

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
    FacilitiesOpt,
    LangOpt,
    MapsDirOpt,
    NoMapsOpt,
    OutOpt,
    Progress,
    RoadsOpt,
    SitesOpt,
    VillagesOpt,
    errors_to_exit_codes,
    print_files,
    print_headlines,
    rules_from,
    study_from_options,
)
from lvliang_coverage.services.relocation.service import SERVICE

app = typer.Typer(
    help="易地扶贫搬迁安置点（第15-17条）/ resettlement sites (articles 15-17).",
    no_args_is_help=True,
)


@app.callback()
def relocation() -> None:
    """易地扶贫搬迁安置点（第15-17条）/ resettlement sites (articles 15-17)."""
    # a group even with one command, so that ``relocation plan`` is the command's path


@app.command("plan")
def plan(
    out_dir: OutOpt = Path("out/relocation"),
    villages: VillagesOpt = None,
    facilities: FacilitiesOpt = None,
    sites: SitesOpt = None,
    roads: RoadsOpt = None,
    dem: DemOpt = None,
    boundaries: BoundariesOpt = None,
    coords: CoordsOpt = "wgs84",
    config: ConfigOpt = None,
    mode: Annotated[
        str | None, typer.Option("--mode", help="Travel mode (default motorcycle).")
    ] = None,
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
    maps_dir: MapsDirOpt = None,
    no_maps: NoMapsOpt = False,
) -> None:
    """Score resettlement sites by access to services; assign relocating villages to sites.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --facilities, --sites and --roads.
    """
    from lvliang_coverage.services.runner import run_task  # noqa: PLC0415 - keep --help fast

    progress = Progress()
    with errors_to_exit_codes():
        study = study_from_options(
            rules_from(config),
            progress,
            required={
                "--villages": villages,
                "--facilities": facilities,
                "--sites": sites,
                "--roads": roads,
            },
            coords=coords,
            facilities=facilities,
            sites=sites,
            dem=dem,
            boundaries=boundaries,
        )
        run = run_task(
            SERVICE,
            study,
            "plan",
            out_dir,
            lang=lang,
            maps=not no_maps,
            maps_dir=maps_dir,
            basemap=basemap,
            mode=mode,
        )
    print_headlines(SERVICE.headlines(run.result))
    print_files(run.files)
