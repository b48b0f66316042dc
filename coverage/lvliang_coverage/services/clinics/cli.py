"""Command group ``clinics``: ``check`` (articles 7 and 8) and ``plan`` (shared clinics)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lvliang_coverage.console import (
    BasemapOpt,
    BoundariesOpt,
    ClinicsOpt,
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
    VillagesOpt,
    errors_to_exit_codes,
    print_files,
    print_headlines,
    rules_from,
    study_from_options,
)
from lvliang_coverage.services.clinics.service import SERVICE

app = typer.Typer(
    help="村卫生室（第7、8条）/ village clinics (articles 7 and 8).", no_args_is_help=True
)


@app.command("check")
def check(
    out_dir: OutOpt = Path("out/clinics"),
    villages: VillagesOpt = None,
    clinics: ClinicsOpt = None,
    facilities: FacilitiesOpt = None,
    roads: RoadsOpt = None,
    dem: DemOpt = None,
    boundaries: BoundariesOpt = None,
    coords: CoordsOpt = "wgs84",
    mode: Annotated[
        list[str] | None,
        typer.Option("--mode", help="walk, motorcycle or car; repeat for several."),
    ] = None,
    config: ConfigOpt = None,
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
    maps_dir: MapsDirOpt = None,
    no_maps: NoMapsOpt = False,
) -> None:
    """Check every village against article 7 (2.5 km, 30 min) and townships against article 8.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --roads and --clinics or --facilities.
    """
    from lvliang_coverage.services.runner import run_task  # noqa: PLC0415 - keep --help fast

    progress = Progress()
    with errors_to_exit_codes():
        study = study_from_options(
            rules_from(config),
            progress,
            required={"--villages": villages, "--roads": roads},
            coords=coords,
            clinics=clinics,
            facilities=facilities,
            dem=dem,
            boundaries=boundaries,
        )
        run = run_task(
            SERVICE,
            study,
            "check",
            out_dir,
            lang=lang,
            maps=not no_maps,
            maps_dir=maps_dir,
            basemap=basemap,
            modes=mode,
        )
    print_headlines(SERVICE.headlines(run.result))
    print_files(run.files)


@app.command("plan")
def plan(
    out_dir: OutOpt = Path("out/clinics"),
    villages: VillagesOpt = None,
    clinics: ClinicsOpt = None,
    facilities: FacilitiesOpt = None,
    roads: RoadsOpt = None,
    dem: DemOpt = None,
    boundaries: BoundariesOpt = None,
    coords: CoordsOpt = "wgs84",
    mode: Annotated[
        str | None, typer.Option("--mode", help="Deciding travel mode (default walk).")
    ] = None,
    p: Annotated[
        list[int] | None,
        typer.Option("--p", help="Budgets of new clinics for the coverage curve; repeat."),
    ] = None,
    capacity: Annotated[
        float | None, typer.Option("--capacity", help="Residents per clinic in the sharing groups.")
    ] = None,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates", help="Candidate sites file (default: villages of 300+ residents)."
        ),
    ] = None,
    config: ConfigOpt = None,
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
    maps_dir: MapsDirOpt = None,
    no_maps: NoMapsOpt = False,
) -> None:
    """Plan shared clinics: fewest new clinics (set covering), budgets p (max covering), groups."""
    from lvliang_coverage.inputs.readers import read_sites  # noqa: PLC0415 - keep --help fast
    from lvliang_coverage.services.runner import run_task  # noqa: PLC0415

    progress = Progress()
    with errors_to_exit_codes():
        study = study_from_options(
            rules_from(config),
            progress,
            required={"--villages": villages, "--roads": roads},
            coords=coords,
            clinics=clinics,
            facilities=facilities,
            dem=dem,
            boundaries=boundaries,
        )
        cand = read_sites(candidates, coords=coords) if candidates is not None else None
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
            p_values=p,
            capacity=capacity,
            candidates=cand,
        )
    print_headlines(SERVICE.headlines(run.result))
    print_files(run.files)
