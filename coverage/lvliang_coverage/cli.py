"""Command-line interface: ``lvliang-coverage demo``, ``graph`` and one group per service.

The service groups (``clinics``, ``water``, ``relocation``, ``daycare``, ...) come from the
service registry; ``demo`` runs every task of every registered service on the default data.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lvliang_coverage.console import (
    LOADING_DEFAULT,
    BasemapOpt,
    ConfigOpt,
    DemOpt,
    LangOpt,
    ModesOpt,
    NoMapsOpt,
    Progress,
    ReplaceOpt,
    RoadsOpt,
    check_modes,
    check_options,
    errors_to_exit_codes,
    out,
    print_done,
    print_files,
    print_headlines,
    reflow_help,
    rules_from,
    use_plain_warnings,
)
from lvliang_coverage.errors import InputError
from lvliang_coverage.report.vocabulary import both, highway_name
from lvliang_coverage.services import registry
from lvliang_coverage.services.commands import declared, mode_options

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
    """Tabulate kilometres of road per OSM highway class, nodes, edges and connected parts.

    Headers, class names and the counts are in Chinese and English.
    """
    from lvliang_coverage.inputs.projection import metric_crs_of  # noqa: PLC0415 - fast --help

    edges, roads = study.edges, study.roads
    km = (
        edges.assign(km=edges.to_crs(metric_crs_of(edges)).length / 1000.0)
        .groupby("highway")["km"]
        .sum()
        .sort_values(ascending=False)
    )
    table = Table(title=f"{both('road_graph')}: {study.roads_path.name}")
    table.add_column(both("road_class"))
    table.add_column(both("km"), justify="right")
    for name, value in km.items():
        table.add_row(highway_name(str(name)), f"{value:,.0f}")
    table.add_section()
    table.add_row(both("nodes"), f"{roads.n_nodes:,}")
    table.add_row(both("directed_edges"), f"{roads.n_directed_edges:,}")
    table.add_row(both("connected_parts"), f"{roads.n_components():,}")
    return table


@app.command("graph")
def graph_cmd(
    roads: RoadsOpt = None,
    dem: DemOpt = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Export to .graphml or .gpkg (nodes and edges; length in m, time_<mode>_s "
            "in s on every edge).",
        ),
    ] = None,
    mode: ModesOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Build the road graph (cached), print its summary and optionally export it.

    The export carries the travel time of every mode of the rules on every edge (--mode
    to choose some).
    """
    with errors_to_exit_codes():
        rules = rules_from(config)
        modes = check_modes(mode, rules) or list(rules.modes)
        if out_file is not None and out_file.suffix not in {".graphml", ".gpkg"}:
            raise InputError(both("export_suffix"), file=out_file, column="--out")
        if roads is not None and not roads.is_file():
            raise InputError(both("file_not_found"), file=roads, column="--roads")
    progress = Progress()
    if roads is None:
        progress.ahead(LOADING_DEFAULT)  # the first line at once, before the heavy imports
    from lvliang_coverage.network.export import save_geopackage, save_graphml  # noqa: PLC0415
    from lvliang_coverage.report.output import staged_output  # noqa: PLC0415
    from lvliang_coverage.study import Study  # noqa: PLC0415

    with errors_to_exit_codes():
        if roads is None:
            study = Study.default(rules, progress=progress)
        else:
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
            progress(f"{both('exporting')}: {out_file.name}")
            protect = [p for p in (roads, dem, config) if p is not None]
            with staged_output(
                out_file.parent, track=False, replace=True, protect=protect
            ) as stage:
                target = stage / out_file.name
                save = save_graphml if out_file.suffix == ".graphml" else save_geopackage
                save(study.graph, target, mode_times=modes, rules=rules, dem=study.dem_path)
            print_files([out_file])
    print_done([] if out_file is None else [out_file.parent])


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for tables and ledgers.")] = Path(
        "out/demo"
    ),
    maps_dir: Annotated[Path, typer.Option("--maps", help="Folder for the HTML maps.")] = Path(
        "maps"
    ),
    mode: ModesOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = "zh",
    basemap: BasemapOpt = "osm",
    no_maps: NoMapsOpt = False,
    replace: ReplaceOpt = False,
) -> None:
    """Run every task of every service on the embedded Lüliang default data; maps go to maps/.

    --mode sets the travel modes of the tasks that take one (repeat for several; a task of
    one mode uses the first); without it each task uses its rules' default.
    """
    with errors_to_exit_codes():  # options first: a typo stops at once, before any work
        check_options(lang, None if no_maps else basemap)
        rules = rules_from(config)
        modes = check_modes(mode, rules)
    progress = Progress()
    progress.ahead(LOADING_DEFAULT)  # the first line at once, before the heavy imports
    from lvliang_coverage.maps.overview import overview_map  # noqa: PLC0415 - keep --help fast
    from lvliang_coverage.report.output import new_run_id, staged_output  # noqa: PLC0415
    from lvliang_coverage.services.runner import run_task  # noqa: PLC0415
    from lvliang_coverage.study import Study  # noqa: PLC0415

    run_id = new_run_id()
    files: list[Path] = []
    with errors_to_exit_codes():
        study = Study.default(rules, progress=progress)
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
                **(dict(task.options) | mode_options(declared(service.name, task.name), modes)),
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
    print_done([out_dir] if no_maps else [out_dir, maps_dir])


for _info in app.registered_commands:  # one line per paragraph in --help
    _info.help = reflow_help(_info.help or inspect.getdoc(_info.callback) or "")


def main() -> None:
    """Entry point of the ``lvliang-coverage`` console script."""
    use_plain_warnings()
    app()
