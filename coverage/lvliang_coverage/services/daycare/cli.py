"""Command group ``daycare``: ``check`` (who is within reach) and ``plan`` (idle buildings)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    VillagesOpt,
    errors_to_exit_codes,
    print_files,
    print_headlines,
    rules_from,
    study_from_options,
)
from lvliang_coverage.services.daycare.service import SERVICE

if TYPE_CHECKING:
    import geopandas as gpd

    from lvliang_coverage.study import Study

app = typer.Typer(
    help="日间照料中心（第25条）/ elderly day-care centres (article 25).", no_args_is_help=True
)

POpt = Annotated[
    int | None,
    typer.Option("--p", help="New centres (idle buildings converted); default daycare.plan_p."),
]
CandidatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--candidates",
        help="More candidate sites (id, name, lon/lat); idle schools and clinics always count.",
    ),
]


def _inputs(
    config: Path | None,
    progress: Progress,
    *,
    villages: Path | None,
    facilities: Path | None,
    roads: Path | None,
    dem: Path | None,
    boundaries: Path | None,
    coords: str,
    candidates: Path | None,
) -> tuple[Study, gpd.GeoDataFrame | None]:
    """Load the study (default data without file options) and the candidate list."""
    from lvliang_coverage.inputs.readers import read_facilities  # noqa: PLC0415 - keep --help fast

    study = study_from_options(
        rules_from(config),
        progress,
        required={"--villages": villages, "--roads": roads},
        coords=coords,
        facilities=facilities,
        dem=dem,
        boundaries=boundaries,
    )
    cand = (
        read_facilities(candidates, kind="daycare", coords=coords)
        if candidates is not None
        else None
    )
    return study, cand


@app.command("check")
def check(
    out_dir: OutOpt = Path("out/daycare"),
    villages: VillagesOpt = None,
    facilities: FacilitiesOpt = None,
    roads: RoadsOpt = None,
    dem: DemOpt = None,
    boundaries: BoundariesOpt = None,
    coords: CoordsOpt = "wgs84",
    p: POpt = None,
    candidates: CandidatesOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
    maps_dir: MapsDirOpt = None,
    no_maps: NoMapsOpt = False,
) -> None:
    """Check every village for a day-care centre within reach of its residents aged 60+.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages (with a 60岁以上人口 column, else it is estimated), --roads and --facilities
    (kind 日间照料中心 for centres, 是否闲置 for idle schools and clinics).
    """
    from lvliang_coverage.services.runner import run_task  # noqa: PLC0415 - keep --help fast

    progress = Progress()
    with errors_to_exit_codes():
        study, cand = _inputs(
            config,
            progress,
            villages=villages,
            facilities=facilities,
            roads=roads,
            dem=dem,
            boundaries=boundaries,
            coords=coords,
            candidates=candidates,
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
            with_plan=True,
            p=p,
            candidates=cand,
        )
    print_headlines(SERVICE.headlines(run.result))
    print_files(run.files)


@app.command("plan")
def plan(
    out_dir: OutOpt = Path("out/daycare"),
    villages: VillagesOpt = None,
    facilities: FacilitiesOpt = None,
    roads: RoadsOpt = None,
    dem: DemOpt = None,
    boundaries: BoundariesOpt = None,
    coords: CoordsOpt = "wgs84",
    p: POpt = None,
    candidates: CandidatesOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
    maps_dir: MapsDirOpt = None,
    no_maps: NoMapsOpt = False,
) -> None:
    """Plan day-care centres in idle schools and clinics: p new centres, the coverage curve."""
    from lvliang_coverage.services.runner import run_task  # noqa: PLC0415 - keep --help fast

    progress = Progress()
    with errors_to_exit_codes():
        study, cand = _inputs(
            config,
            progress,
            villages=villages,
            facilities=facilities,
            roads=roads,
            dem=dem,
            boundaries=boundaries,
            coords=coords,
            candidates=candidates,
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
            p=p,
            candidates=cand,
        )
    print_headlines(SERVICE.headlines(run.result))
    print_files(run.files)
