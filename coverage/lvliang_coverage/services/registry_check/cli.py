"""Command group ``registry``: check a village registry against the official division codes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lvliang_coverage.console import (
    ConfigOpt,
    LangOpt,
    OutOpt,
    Progress,
    ReplaceOpt,
    check_options,
    errors_to_exit_codes,
    out,
    print_done,
    print_files,
    print_headlines,
    rules_from,
)
from lvliang_coverage.services.registry_check.service import SERVICE

if TYPE_CHECKING:
    from lvliang_coverage.config import Rules
    from lvliang_coverage.inputs.readers import VillageCodes
    from lvliang_coverage.study import Study

RegistryOpt = Annotated[
    Path | None,
    typer.Option(
        "--villages",
        help="Village registry (CSV/XLSX/GPKG/GeoJSON/SHP) with division codes "
        "(统计用区划代码); default: the embedded default villages.",
    ),
]
DivisionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--divisions",
        help="Official division list (CSV/XLSX: code, name ...); default: the shipped "
        "Lüliang list of 2023.",
    ),
]

app = typer.Typer(
    help="行政村登记核查（第1条）/ village registry check (article 1).", no_args_is_help=True
)


@app.callback()
def group() -> None:
    """Group the registry commands."""


def _study(codes: VillageCodes, rules: Rules, *, synthetic: bool) -> Study:
    """Make a study of the registry's rows only (the check needs no roads or facilities)."""
    import geopandas as gpd  # noqa: PLC0415 - keep --help fast

    from lvliang_coverage.inputs.projection import STORAGE_CRS  # noqa: PLC0415
    from lvliang_coverage.study import Study  # noqa: PLC0415

    geometry = gpd.GeoSeries([None] * len(codes.table), crs=STORAGE_CRS)
    villages = gpd.GeoDataFrame(codes.table, geometry=geometry, crs=STORAGE_CRS)
    facilities = gpd.GeoDataFrame(
        {"facility_id": [], "kind": []}, geometry=gpd.GeoSeries([], crs=STORAGE_CRS)
    )
    return Study(
        villages=villages,
        facilities=facilities,
        roads_path=codes.path,
        rules=rules,
        synthetic=synthetic,
    )


@app.command("check")
def check(
    out_dir: OutOpt = Path("out/registry"),
    villages: RegistryOpt = None,
    divisions: DivisionsOpt = None,
    config: ConfigOpt = None,
    lang: LangOpt = "zh",
    replace: ReplaceOpt = False,
) -> None:
    """Check a village registry's division codes against the official list (article 1).

    Lists the official village committees missing from the registry (per county and
    township), codes that do not exist, codes two administrative villages share, and rows
    whose county, township or name differ from their code. Writes registry_check.csv and
    registry_check_ledger.xlsx; findings are results (exit 0), an unreadable file exits 2.
    """
    progress = Progress()
    with errors_to_exit_codes():
        check_options(lang, None)
        from lvliang_coverage.inputs.default_data import (  # noqa: PLC0415 - fast --help
            DEFAULT_FILES,
            default_data_dir,
        )
        from lvliang_coverage.inputs.divisions import load_divisions  # noqa: PLC0415

        rules = rules_from(config)
        path = villages if villages is not None else default_data_dir() / DEFAULT_FILES["villages"]
        official = load_divisions(divisions)
        progress("读取村庄登记表 / reading the village registry")
        from lvliang_coverage.inputs.readers import read_village_codes  # noqa: PLC0415
        from lvliang_coverage.report.output import new_run_id  # noqa: PLC0415
        from lvliang_coverage.services.runner import run_task  # noqa: PLC0415 - heavy import

        codes = read_village_codes(path)
        run = run_task(
            SERVICE,
            _study(codes, rules, synthetic=villages is None),
            "check",
            out_dir,
            lang=lang,
            maps=False,
            protect=[p for p in (villages, divisions, config) if p is not None],
            replace=replace,
            run_id=new_run_id(),
            registry=codes,
            divisions=official,
        )
    from lvliang_coverage.services.registry_check.ledger import no_codes_line  # noqa: PLC0415

    if run.result.summary().get("has_codes"):
        print_headlines(SERVICE.headlines(run.result))
    else:
        out.print(no_codes_line(), highlight=False, soft_wrap=True)
    print_files(run.files)
    print_done([out_dir])
