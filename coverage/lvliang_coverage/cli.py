"""Command-line interface: `lvliang-coverage demo`, `clinics`, `water`, `relocation`, `graph`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lvliang_coverage.console import (
    BasemapOpt,
    BoundariesOpt,
    ClinicsOpt,
    ConfigOpt,
    CoordsOpt,
    DemOpt,
    FacilitiesOpt,
    LangOpt,
    NoMapsOpt,
    OutOpt,
    Progress,
    RoadsOpt,
    VillagesOpt,
    errors_to_exit_codes,
    out,
    print_files,
    print_summary,
    rules_from,
    study_from_options,
)
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.projection import metric_crs_of
from lvliang_coverage.services.relocation.cli import relocation_app
from lvliang_coverage.services.water.cli import water_app

if TYPE_CHECKING:
    from lvliang_coverage.services.clinics.job import ClinicCheckResult
    from lvliang_coverage.study import Study

app = typer.Typer(
    help="吕梁市农村公共服务覆盖规划 / Lüliang service-coverage planner (吕政办发〔2019〕41号).",
    no_args_is_help=True,
    add_completion=False,
)
clinics_app = typer.Typer(
    help="村卫生室（第7、8条）/ village clinics (articles 7 and 8).", no_args_is_help=True
)
app.add_typer(clinics_app, name="clinics")
app.add_typer(water_app, name="water")
app.add_typer(relocation_app, name="relocation")

_CHECK_ITEMS = {
    "small_villages": "200人以下村 / villages under 200",
    "small_residents": "其常住人口 / their residents",
    "small_compliant": "达标村 / compliant",
    "small_compliant_residents": "达标村人口 / residents of compliant villages",
    "residents_within_time": "30分钟内就医人口 / all residents within 30 min",
    "off_network": "离路网过远的村 / villages off the road network",
    "unreachable": "路网不可达的村 / unreachable villages",
}


def print_check(result: ClinicCheckResult) -> None:
    """Print the city totals of a clinic check and the article-8 doctor shortfall."""
    total = result.summary[result.summary["county"] == "全市"]
    for row in total.to_dict("records"):
        title = f"第7条 村卫生室覆盖 / article 7 clinic coverage ({row['mode']})"
        print_summary(title, {label: row[key] for key, label in _CHECK_ITEMS.items()})
    c = result.counties
    unknown = "未知（无乡镇卫生院数据）/ unknown (no health-centre data)"

    def total(col: str) -> object:
        return unknown if c[col].isna().any() else int(c[col].sum())

    print_summary(
        "第8条 乡镇卫生院医生 / article 8 township doctors",
        {
            "应配 / required": int(c["required_doctors"].sum()),
            "现有 / now": total("current_doctors"),
            "缺口 / shortfall": total("shortfall"),
            "缺医生的乡镇 / townships short": total("townships_short"),
            "乡镇 / townships": int(c["townships"].sum()),
        },
    )


@clinics_app.command("check")
def clinics_check(
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
    no_maps: NoMapsOpt = False,
) -> None:
    """Check every village against article 7 (2.5 km, 30 min) and townships against article 8.

    Without file options the embedded Lüliang default data is used; with your own data give
    --villages, --roads and --clinics or --facilities.
    """
    from lvliang_coverage.services.clinics.job import clinic_check  # noqa: PLC0415 - keep --help fast

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
        result = clinic_check(
            study, out_dir, modes=mode, lang=lang, maps=not no_maps, basemap=basemap
        )
    print_check(result)
    print_files(result.files)


@clinics_app.command("plan")
def clinics_plan(
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
    no_maps: NoMapsOpt = False,
) -> None:
    """Plan shared clinics: fewest new clinics (set covering), budgets p (max covering), groups."""
    from lvliang_coverage.inputs.io import read_sites  # noqa: PLC0415 - keep --help fast
    from lvliang_coverage.services.clinics.job import clinic_plan  # noqa: PLC0415

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
        plan, files = clinic_plan(
            study,
            out_dir,
            mode=mode,
            p_values=p,
            capacity=capacity,
            candidates=cand,
            lang=lang,
            maps=not no_maps,
            basemap=basemap,
        )
    print_summary("邻村共建卫生室规划 / shared-clinic plan", plan.summary())
    print_files(files)


def graph_summary(study: Study) -> Table:
    """Tabulate kilometres of road per OSM highway class, nodes, edges and connected parts."""
    import networkx as nx  # noqa: PLC0415

    edges, graph = study.edges, study.graph
    km = (
        edges.assign(km=edges.to_crs(metric_crs_of(edges)).length / 1000.0)
        .groupby("highway")["km"]
        .sum()
        .sort_values(ascending=False)
    )
    table = Table(title=f"路网 / road graph: {study.roads_path.name}")
    table.add_column("highway")
    table.add_column("km", justify="right")
    for name, value in km.items():
        table.add_row(str(name), f"{value:,.0f}")
    parts = nx.number_weakly_connected_components(graph)
    table.caption = (
        f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} directed edges, "
        f"{parts} connected parts"
    )
    return table


@app.command("graph")
def graph_cmd(
    roads: RoadsOpt = None,
    dem: DemOpt = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Export to .graphml or .gpkg (nodes and edges).")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Build the road graph (cached), print its summary and optionally export it."""
    from lvliang_coverage.network.graph import save_geopackage, save_graphml  # noqa: PLC0415
    from lvliang_coverage.report.output import staged_output  # noqa: PLC0415
    from lvliang_coverage.study import Study  # noqa: PLC0415

    progress = Progress()
    with errors_to_exit_codes():
        rules = rules_from(config)
        if out_file is not None and out_file.suffix not in {".graphml", ".gpkg"}:
            raise InputError("export to a .graphml or .gpkg file", file=out_file)
        if roads is None:
            study = Study.default(rules, progress=progress)
        else:
            if not roads.is_file():
                raise InputError("file not found", file=roads, column="--roads")
            study = Study(
                villages=None,  # type: ignore[arg-type]
                facilities=None,  # type: ignore[arg-type]
                roads_path=roads,
                dem_path=dem,
                rules=rules,
                progress=progress,
            )
        out.print(graph_summary(study))
        if out_file is not None:
            with staged_output(out_file.parent) as stage:
                target = stage / out_file.name
                if out_file.suffix == ".graphml":
                    save_graphml(study.graph, target)
                else:
                    save_geopackage(study.graph, target, rules=rules, dem=study.dem_path)
            print_files([out_file])


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for tables and ledgers.")] = Path(
        "out/demo"
    ),
    maps_dir: Annotated[Path, typer.Option("--maps", help="Folder for the HTML maps.")] = Path(
        "maps"
    ),
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
) -> None:
    """Run every analysis on the embedded Lüliang default data; maps go to maps/."""
    from lvliang_coverage.services.clinics.job import clinic_check, clinic_plan, overview  # noqa: PLC0415
    from lvliang_coverage.services.relocation.job import relocation_plan  # noqa: PLC0415
    from lvliang_coverage.services.water.cli import print_water_plan  # noqa: PLC0415
    from lvliang_coverage.services.water.job import water_site  # noqa: PLC0415
    from lvliang_coverage.study import Study  # noqa: PLC0415

    progress = Progress()
    kw = {"lang": lang, "maps_dir": maps_dir, "basemap": basemap}
    with errors_to_exit_codes():
        study = Study.default(progress=progress)
        out.print(graph_summary(study))
        files = overview(study, maps_dir, lang=lang, basemap=basemap)
        plan, plan_files = clinic_plan(study, out_dir, **kw)
        result = clinic_check(study, out_dir, plan=plan, **kw)
        water, water_files = water_site(study, out_dir, **kw)
        reloc, reloc_files = relocation_plan(study, out_dir, **kw)
    print_check(result)
    print_summary("邻村共建卫生室规划 / shared-clinic plan", plan.summary())
    print_water_plan(water)
    print_summary("易地扶贫搬迁安置 / relocation plan", reloc.summary())
    print_files(files + plan_files + result.files + water_files + reloc_files)
    progress("完成 / done")


def main() -> None:
    """Entry point of the ``lvliang-coverage`` console script."""
    app()
