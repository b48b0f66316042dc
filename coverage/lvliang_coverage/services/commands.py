"""Command groups of services built from declarations: shared options, study, run, printing."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lvliang_coverage.console import (
    BasemapOpt,
    BoundariesOpt,
    ClinicsOpt,
    ConfigOpt,
    CoordsOpt,
    DemOpt,
    DropOutliersOpt,
    FacilitiesOpt,
    LangOpt,
    MapsDirOpt,
    NoMapsOpt,
    OutOpt,
    Progress,
    ReplaceOpt,
    RoadsOpt,
    SitesOpt,
    SourcesOpt,
    VillagesOpt,
    check_modes,
    check_options,
    errors_to_exit_codes,
    input_paths,
    print_done,
    print_files,
    print_headlines,
    reflow_help,
    rules_from,
    study_from_options,
)
from lvliang_coverage.services.contract import Service

if TYPE_CHECKING:
    import geopandas as gpd

    from lvliang_coverage.config import Rules
    from lvliang_coverage.study import Study

INPUT_FILES: Mapping[str, object] = {
    "clinics": ClinicsOpt,
    "facilities": FacilitiesOpt,
    "sources": SourcesOpt,
    "sites": SitesOpt,
}
"""Input-file options a command may take besides ``--villages`` and ``--roads``."""


@dataclass(frozen=True)
class Option:
    """One option of a task's command beyond the shared ones.

    Attributes
    ----------
    name : str
        Parameter name; the flag is ``--<name>``.
    type : object
        Value type as typer reads it, e.g. ``int | None`` or ``list[str] | None`` (a list
        type makes the option repeatable).
    help : str
        Help text of the option.
    default : object
        Default value shown by ``--help``.
    key : str or None
        Option of :meth:`Service.analyse` the value feeds (default ``name``).
    read : callable or None
        ``read(value, study, coords)`` turns a given value (e.g. a file of candidate sites)
        into the analysis option; ``study`` is the loaded study (its reader options apply the
        same study area and bounds), ``coords`` the ``--coords`` value. None values are
        passed as is.
    check : callable or None
        ``check(values, rules)`` validates the option against all the command's values and
        the rules before any work (before the study loads); it raises ``InputError``.
    """

    name: str
    type: object
    help: str
    default: object = None
    key: str | None = None
    read: Callable[[Any, Study, str], object] | None = None
    check: Callable[[Mapping[str, Any], Rules], None] | None = None

    @property
    def annotation(self) -> object:
        """Return the typer annotation of the parameter."""
        return Annotated[self.type, typer.Option(f"--{self.name}", help=self.help)]

    @property
    def repeatable(self) -> bool:
        """Whether the option takes a list (``--mode walk --mode car``)."""
        kinds = typing.get_args(self.type) or (self.type,)
        return any(typing.get_origin(k) is list or k is list for k in kinds)


def _read_candidates(path: Path, study: Study, coords: str) -> gpd.GeoDataFrame:
    """Read the user's candidate sites (id, name, coordinates; kind and notes optional)."""
    from lvliang_coverage.inputs.readers import read_candidates  # noqa: PLC0415 - fast --help

    return read_candidates(path, **study.reader_options(coords=coords))


def candidates_option(help_text: str) -> Option:
    """Return the ``--candidates FILE`` option: the user's candidate sites for a plan.

    The file is read with the study's reader options (same study area and bounds) and the
    ``--coords`` value, and passed to the analysis as ``candidates`` (a GeoDataFrame,
    EPSG:4326).

    Parameters
    ----------
    help_text : str
        Help text of the option, saying what the candidates add to for this service.

    Returns
    -------
    Option
        The option.
    """
    return Option("candidates", Path | None, help_text, read=_read_candidates)


@dataclass(frozen=True)
class Command:
    """The declaration of one task's command: ``lvliang-coverage <service> <task> ...``.

    Attributes
    ----------
    task : str
        The service's task (and the command name).
    help : str
        Help text (first line: the summary ``--help`` lists).
    out : str
        Default output folder.
    files : tuple of str
        Input-file options among :data:`INPUT_FILES`, in ``--help`` order (``--villages``
        comes first, ``--roads``, ``--dem`` and ``--boundaries`` after them).
    required : tuple of str
        Those of ``files`` that must be given with the user's own data (``--villages`` and
        ``--roads`` always must).
    options : tuple of Option
        The task's own options, shown after ``--coords``.
    fixed : Mapping of str to object
        Analysis options the command always passes, e.g. ``{"with_plan": True}``.
    """

    task: str
    help: str
    out: str
    files: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    fixed: Mapping[str, object] = field(default_factory=dict)

    def parameters(self) -> list[inspect.Parameter]:
        """List the command's parameters (shared options around the task's own ones)."""
        shared_in = [
            ("out_dir", OutOpt, Path(self.out)),
            ("villages", VillagesOpt, None),
            *((name, INPUT_FILES[name], None) for name in self.files),
            ("roads", RoadsOpt, None),
            ("dem", DemOpt, None),
            ("boundaries", BoundariesOpt, None),
            ("coords", CoordsOpt, "wgs84"),
            ("drop_outliers", DropOutliersOpt, False),
        ]
        own = [(o.name, o.annotation, o.default) for o in self.options]
        shared_out = [
            ("config", ConfigOpt, None),
            ("lang", LangOpt, "zh"),
            ("basemap", BasemapOpt, "osm"),
            ("maps_dir", MapsDirOpt, None),
            ("no_maps", NoMapsOpt, False),
            ("replace", ReplaceOpt, False),
        ]
        return [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
            for name, a, d in (*shared_in, *own, *shared_out)
        ]

    def run(self, service: Service, values: Mapping[str, Any]) -> None:
        """Load the study, run the task, print its headlines and the files written.

        Parameters
        ----------
        service : Service
            The service.
        values : Mapping of str to object
            The command's parameter values (see :meth:`parameters`).
        """
        progress = Progress()
        coords = values["coords"]
        with errors_to_exit_codes():
            # options first: a typo stops at once (exit 2), before any heavy import or work
            check_options(values["lang"], None if values["no_maps"] else values["basemap"])
            rules = rules_from(values["config"])
            check_modes(values.get("mode"), rules)
            for o in self.options:
                if o.check is not None:
                    o.check(values, rules)
            study = study_from_options(  # prints the first step before the heavy imports
                rules,
                progress,
                required={f"--{k}": values[k] for k in ("villages", *self.required, "roads")},
                coords=coords,
                **{k: values[k] for k in (*self.files, "dem", "boundaries", "drop_outliers")},
            )
            options = dict(self.fixed)
            for o in self.options:
                value = values[o.name]
                read = o.read if value is not None else None
                options[o.key or o.name] = read(value, study, coords) if read is not None else value
            from lvliang_coverage.report.output import new_run_id  # noqa: PLC0415 - fast --help
            from lvliang_coverage.services.runner import run_task  # noqa: PLC0415 - heavy import

            run = run_task(
                service,
                study,
                self.task,
                values["out_dir"],
                lang=values["lang"],
                maps=not values["no_maps"],
                maps_dir=values["maps_dir"],
                basemap=values["basemap"],
                protect=input_paths(values),
                replace=values["replace"],
                run_id=new_run_id(),
                **options,
            )
        print_headlines(service.headlines(run.result))
        print_files(run.files)
        folders = [values["out_dir"]]
        if values["maps_dir"] is not None and any(p.suffix == ".html" for p in run.files):
            folders.append(values["maps_dir"])
        print_done(folders)


_DECLARED: dict[tuple[str, str], Command] = {}
"""Every command built by :func:`service_app`, by (service name, task)."""


def declared(service: str, task: str) -> Command | None:
    """Return the declared command of ``service``'s ``task`` (None when it has none).

    ``demo`` reads it to pass its shared options (e.g. ``--mode``) to the tasks that take
    them.

    Parameters
    ----------
    service : str
        Service name, e.g. ``"clinics"``.
    task : str
        Task name, e.g. ``"check"``.

    Returns
    -------
    Command or None
        The command built by :func:`service_app` for that task.
    """
    return _DECLARED.get((service, task))


def mode_options(spec: Command | None, modes: list[str]) -> dict[str, object]:
    """Return the analysis options passing ``--mode`` values to a task, as its command does.

    Parameters
    ----------
    spec : Command or None
        The task's command (:func:`declared`).
    modes : list of str
        The modes given (empty: none, the task's defaults apply).

    Returns
    -------
    dict
        ``{}`` without modes or when the task takes no ``--mode``; else its option key to
        the list of modes (a repeatable option) or to the first mode (a task of one mode).
    """
    option = next((o for o in spec.options if o.name == "mode"), None) if spec else None
    if option is None or not modes:
        return {}
    return {option.key or option.name: list(modes) if option.repeatable else modes[0]}


def _command(service: Service, spec: Command) -> Callable[..., None]:
    """Make the typer callback of one command, with a real signature typer can read."""

    def command(**values: Any) -> None:
        spec.run(service, values)

    params = spec.parameters()
    command.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    command.__doc__ = spec.help
    command.__name__ = command.__qualname__ = spec.task
    return command


def service_app(service: Service, help_text: str, *commands: Command) -> typer.Typer:
    """Build a service's command group, one command per declared task.

    Parameters
    ----------
    service : Service
        The service whose tasks the commands run.
    help_text : str
        Help of the group (``lvliang-coverage <service> --help``).
    *commands : Command
        The commands, in ``--help`` order.

    Returns
    -------
    typer.Typer
        The group; it stays a group even with one command (``water site``, not ``water``).
    """
    app = typer.Typer(help=help_text, no_args_is_help=True)

    @app.callback()
    def group() -> None:
        """Group the service's commands."""

    for spec in commands:
        _DECLARED[(service.name, spec.task)] = spec
        app.command(spec.task, help=reflow_help(spec.help))(_command(service, spec))
    return app
