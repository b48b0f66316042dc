"""Command-line commands of the water bureau: ``lvliang-coverage water site``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lvliang_coverage.console import (
    BasemapOpt,
    BoundariesOpt,
    ConfigOpt,
    CoordsOpt,
    DemOpt,
    LangOpt,
    NoMapsOpt,
    OutOpt,
    Progress,
    RoadsOpt,
    SourcesOpt,
    VillagesOpt,
    errors_to_exit_codes,
    out,
    print_files,
    print_summary,
    rules_from,
    study_from_options,
)

water_app = typer.Typer(
    help="农村饮水安全（第12-14条）/ rural drinking water (articles 12-14).",
    no_args_is_help=True,
)


def print_water_plan(plan: object) -> None:
    """Print the headline figures and the per-county budget of a water plan.

    Parameters
    ----------
    plan : WaterPlan
        A solved plan.
    """
    print_summary("农村饮水安全工程规划 / drinking-water plan", plan.summary())  # type: ignore[attr-defined]
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
    out.print(budget)


@water_app.command("site")
def water_site_command(
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
    no_maps: NoMapsOpt = False,
) -> None:
    """Site drinking-water projects: sources, mains, lifts, subsidies and maintenance funds.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --sources and --roads.
    """
    from lvliang_coverage.services.water.job import water_site  # noqa: PLC0415 - keep --help fast

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
        plan, files = water_site(
            study, out_dir, budget=budget, lang=lang, maps=not no_maps, basemap=basemap
        )
    print_water_plan(plan)
    print_files(files)
