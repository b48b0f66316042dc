"""Command-line interface: ``lvliang-coverage demo``, ``graph`` and one group per service.

The service groups (``clinics``, ``water``, ``relocation``, ``daycare``, ...) come from the
service registry; ``demo`` runs every task of every registered service on the default data.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lvliang_coverage.console import (
    BasemapOpt,
    ConfigOpt,
    DemOpt,
    LangOpt,
    NoMapsOpt,
    Progress,
    ReplaceOpt,
    RoadsOpt,
    check_options,
    errors_to_exit_codes,
    out,
    print_files,
    print_headlines,
    rules_from,
    use_plain_warnings,
)
from lvliang_coverage.errors import InputError
from lvliang_coverage.services import registry

if TYPE_CHECKING:
    from lvliang_coverage.study import Study

app = typer.Typer(
    help="吕梁市农村公共服务覆盖规划 / Lüliang service-coverage planner (吕政办发〔2019〕41号).",
    no_args_is_help=True,
    add_completion=False,
)
for _service in registry.services():
    app.add_typer(_service.cli(), name=_service.name)


def graph_summary(study: Study) -> Table:
    """Tabulate kilometres of road per OSM highway class, nodes, edges and connected parts."""
    import networkx as nx  # noqa: PLC0415

    from lvliang_coverage.inputs.projection import metric_crs_of  # noqa: PLC0415 - fast --help

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
    from lvliang_coverage.network.export import save_geopackage, save_graphml  # noqa: PLC0415
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
                villages=None,
                facilities=None,
                roads_path=roads,
                dem_path=dem,
                rules=rules,
                progress=progress,
            )
        out.print(graph_summary(study))
        if out_file is not None:
            protect = [p for p in (roads, dem, config) if p is not None]
            with staged_output(
                out_file.parent, track=False, replace=True, protect=protect
            ) as stage:
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
    config: ConfigOpt = None,
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
    no_maps: NoMapsOpt = False,
    replace: ReplaceOpt = False,
) -> None:
    """Run every task of every service on the embedded Lüliang default data; maps go to maps/."""
    with errors_to_exit_codes():
        check_options(lang, None if no_maps else basemap)  # before any heavy import or work
    from lvliang_coverage.maps.overview import overview_map  # noqa: PLC0415 - keep --help fast
    from lvliang_coverage.report.output import new_run_id, staged_output  # noqa: PLC0415
    from lvliang_coverage.services.runner import run_task  # noqa: PLC0415
    from lvliang_coverage.study import Study  # noqa: PLC0415

    progress = Progress()
    run_id = new_run_id()
    files: list[Path] = []
    with errors_to_exit_codes():
        study = Study.default(rules_from(config), progress=progress)
        out.print(graph_summary(study))
        if not no_maps:
            progress("绘制总览地图 / drawing the overview map")
            kinds = [k for s in registry.services() for k in s.kinds]
            m = overview_map(study, lang=lang, roads=study.edges, basemap=basemap, kinds=kinds)
            with staged_output(maps_dir, replace=replace, run_id=run_id, owner="overview") as stage:
                m.save(stage / "overview.html")
            files.append(Path(maps_dir) / "overview.html")
        runs = [
            run_task(
                service,
                study,
                task.name,
                out_dir,
                lang=lang,
                maps=not no_maps,
                replace=replace,
                run_id=run_id,
                maps_dir=maps_dir,
                basemap=basemap,
                **task.options,
            )
            for service in registry.services()
            for task in service.tasks
            if task.in_demo
        ]
    for run in runs:
        print_headlines(run.service.headlines(run.result))
    for run in runs:
        files += run.files
    print_files(files)
    progress("完成 / done")


def main() -> None:
    """Entry point of the ``lvliang-coverage`` console script."""
    use_plain_warnings()
    app()
