"""Command-line interface: ``lvliang-coverage demo``, ``clinics check``, ``clinics plan`` ..."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from coverage._milp import SolverError
from coverage._output import staged_output
from coverage.config import Rules, load_rules
from coverage.errors import InputError, OfflineError
from coverage.study import Study

app = typer.Typer(
    help="吕梁市农村公共服务覆盖规划 / Lüliang service-coverage planner (吕政办发〔2019〕41号).",
    no_args_is_help=True,
    add_completion=False,
)
clinics_app = typer.Typer(
    help="村卫生室（第7、8条）/ village clinics (articles 7 and 8).", no_args_is_help=True
)
app.add_typer(clinics_app, name="clinics")

err = Console(stderr=True)
out = Console()

VillagesOpt = Annotated[
    Path | None, typer.Option("--villages", help="Village registry (CSV/XLSX/GPKG/GeoJSON/SHP).")
]
ClinicsOpt = Annotated[
    Path | None, typer.Option("--clinics", help="Clinic list (every row a village clinic).")
]
FacilitiesOpt = Annotated[
    Path | None,
    typer.Option(
        "--facilities", help="Facility registry with a kind column (clinics, health centres ...)."
    ),
]
RoadsOpt = Annotated[
    Path | None, typer.Option("--roads", help="OpenStreetMap road file (.osm, .osm.bz2, .osm.pbf).")
]
DemOpt = Annotated[
    Path | None,
    typer.Option("--dem", help="Elevation GeoTIFF in metres (slopes for walking times)."),
]
BoundariesOpt = Annotated[
    Path | None, typer.Option("--boundaries", help="County boundaries (maps, study area).")
]
CoordsOpt = Annotated[
    str,
    typer.Option(
        "--coords", help="Coordinates of lon/lat columns: wgs84, cgcs2000, gcj02, bd09, EPSG:xxxx."
    ),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Rules file (TOML) overriding the policy defaults.")
]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of ledgers and maps: zh or en.")]
BasemapOpt = Annotated[
    str, typer.Option("--basemap", help="Map base layer: osm, none, tianditu, gaode.")
]
NoMapsOpt = Annotated[bool, typer.Option("--no-maps", help="Skip the HTML maps.")]


class _Progress:
    """Print each step of long work with the seconds elapsed."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        err.print(f"[dim]{time.perf_counter() - self.start:7.1f}s[/dim] {message}")


def _rules(config: Path | None) -> Rules:
    return load_rules(config) if config is not None else load_rules()


def _study(
    *,
    villages: Path | None,
    clinics: Path | None,
    facilities: Path | None,
    roads: Path | None,
    dem: Path | None,
    boundaries: Path | None,
    coords: str,
    rules: Rules,
    progress: _Progress,
) -> Study:
    given = {"--villages": villages, "--roads": roads}
    if villages is None and roads is None and clinics is None and facilities is None:
        return Study.default(rules, progress=progress)
    missing = [k for k, v in given.items() if v is None]
    if missing:
        msg = f"with your own data, also give {' and '.join(missing)}"
        raise InputError(msg)
    return Study.from_files(
        villages=villages,  # type: ignore[arg-type]
        roads=roads,  # type: ignore[arg-type]
        clinics=clinics,
        facilities=facilities,
        dem=dem,
        boundaries=boundaries,
        coords=coords,
        rules=rules,
        progress=progress,
    )


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Turn known failures into a clear message and an exit code (nothing is written).

    Exit codes: 2 bad input (file, row and column named), 3 a feature needs the internet,
    4 the solver found no feasible plan within its time limit.
    """
    try:
        yield
    except InputError as exc:
        raise _fail(exc, 2) from exc
    except OfflineError as exc:
        raise _fail(exc, 3) from exc
    except SolverError as exc:
        raise _fail(exc, 4) from exc


def _fail(exc: Exception, code: int) -> typer.Exit:
    err.print(f"[bold red]错误 / error:[/bold red] {exc}", highlight=False)
    return typer.Exit(code)


def _files(paths: list[Path]) -> None:
    for p in paths:
        out.print(f"  [green]写入 / wrote[/green] {p}", highlight=False)


def _print_check(result: object) -> None:
    from coverage.jobs import ClinicCheckResult  # noqa: PLC0415

    assert isinstance(result, ClinicCheckResult)
    total = result.summary[result.summary["county"] == "全市"]
    table = Table(title="第7条 村卫生室覆盖 / article 7 clinic coverage")
    for col in (
        "mode",
        "small_villages",
        "small_residents",
        "small_compliant",
        "small_compliant_residents",
        "residents_within_time",
        "off_network",
    ):
        table.add_column(col, justify="right")
    for row in total.itertuples():
        table.add_row(
            *(
                str(getattr(row, c))
                for c in (
                    "mode",
                    "small_villages",
                    "small_residents",
                    "small_compliant",
                    "small_compliant_residents",
                    "residents_within_time",
                    "off_network",
                )
            )
        )
    out.print(table)
    c = result.counties
    out.print(
        f"第8条 乡镇卫生院医生 / article 8 doctors: required {int(c['required_doctors'].sum())}, "
        f"now {int(c['current_doctors'].sum())}, shortfall {int(c['shortfall'].sum())} "
        f"in {int(c['townships_short'].sum())} of {int(c['townships'].sum())} townships"
    )


@clinics_app.command("check")
def clinics_check(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out/clinics"),
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

    Without file options the embedded Lüliang default data is used.
    """
    from coverage.jobs import clinic_check  # noqa: PLC0415

    progress = _Progress()
    try:
        rules = _rules(config)
        study = _study(
            villages=villages,
            clinics=clinics,
            facilities=facilities,
            roads=roads,
            dem=dem,
            boundaries=boundaries,
            coords=coords,
            rules=rules,
            progress=progress,
        )
        result = clinic_check(
            study, out_dir, modes=mode, lang=lang, maps=not no_maps, basemap=basemap
        )
    except InputError as exc:
        raise _fail(exc, 2) from exc
    except OfflineError as exc:
        raise _fail(exc, 3) from exc
    _print_check(result)
    _files(result.files)


@clinics_app.command("plan")
def clinics_plan(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out/clinics"),
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
    from coverage.io import read_sites  # noqa: PLC0415
    from coverage.jobs import clinic_plan  # noqa: PLC0415

    progress = _Progress()
    try:
        rules = _rules(config)
        study = _study(
            villages=villages,
            clinics=clinics,
            facilities=facilities,
            roads=roads,
            dem=dem,
            boundaries=boundaries,
            coords=coords,
            rules=rules,
            progress=progress,
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
    except InputError as exc:
        raise _fail(exc, 2) from exc
    _print_plan(plan)
    _files(files)


def _print_plan(plan: object) -> None:
    _print_summary("邻村共建卫生室规划 / shared-clinic plan", plan.summary())  # type: ignore[attr-defined]


def _print_summary(title: str, summary: dict[str, object]) -> None:
    table = Table(title=title)
    table.add_column("item")
    table.add_column("value", justify="right")
    for k, v in summary.items():
        table.add_row(k, f"{v:.3g}" if isinstance(v, float) else str(v))
    out.print(table)


def graph_summary(study: Study) -> Table:
    """Kilometres of road per OSM highway class, nodes, edges and connected parts."""
    import networkx as nx  # noqa: PLC0415

    edges = study.edges
    graph = study.graph
    km = (
        edges.assign(km=edges.to_crs(study.network("walk").metric_crs).length / 1000.0)
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
    from coverage.graph import save_geopackage, save_graphml  # noqa: PLC0415

    progress = _Progress()
    with errors_to_exit_codes():
        rules = _rules(config)
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
            )  # type: ignore[arg-type]
        out.print(graph_summary(study))
        if out_file is not None:
            if out_file.suffix not in {".graphml", ".gpkg"}:
                raise InputError("export to a .graphml or .gpkg file", file=out_file)
            with staged_output(out_file.parent) as stage:
                target = stage / out_file.name
                if out_file.suffix == ".graphml":
                    save_graphml(study.graph, target)
                else:
                    save_geopackage(study.graph, target, rules=rules, dem=study.dem_path)
            _files([out_file])


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
    from coverage.jobs import clinic_check, clinic_plan, overview  # noqa: PLC0415

    progress = _Progress()
    try:
        study = Study.default(progress=progress)
        files = overview(study, maps_dir, lang=lang, basemap=basemap)
        plan, plan_files = clinic_plan(
            study, out_dir, lang=lang, maps_dir=maps_dir, basemap=basemap
        )
        result = clinic_check(
            study, out_dir, lang=lang, maps_dir=maps_dir, basemap=basemap, plan=plan
        )
    except InputError as exc:
        raise _fail(exc, 2) from exc
    _print_check(result)
    _print_plan(plan)
    _files(files + plan_files + result.files)
    progress("完成 / done")


def _register() -> None:
    """Attach the command groups of the other bureaus."""
    from coverage._cli_relocation import relocation_app  # noqa: PLC0415

    app.add_typer(relocation_app, name="relocation")


_register()


def main() -> None:
    """Entry point of the ``lvliang-coverage`` console script."""
    app()
