"""The assessment: ``glasnost assess`` runs it on a scenario and prints or writes the result
(terminal summary, JSON, HTML report, GIS files, figures, CSV tables)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.scenario import (
    BuiltinAlias,
    DateOption,
    ScenarioOption,
    SetOption,
    open_scenario,
    scenario_source,
)
from glasnost.cli.shared import parse_date, warn_outside_catalog

THREAT_EXIT = 1
"""Exit status of ``assess --fail-on-threat`` when the verdict is THREAT (2 is bad input)."""


@app.command(
    epilog="Exit status: 0 when the assessment ran (whatever the verdict, unless "
    "--fail-on-threat); 1 for a THREAT verdict with --fail-on-threat; 2 for bad input."
)
def assess(
    scenario: ScenarioOption = None,
    builtin: BuiltinAlias = None,
    date: DateOption = None,
    overrides: SetOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    geojson: Annotated[
        Path | None,
        typer.Option("--geojson", metavar="FILE", help="Write sites, tracks, coverage as GeoJSON."),
    ] = None,
    kml: Annotated[
        Path | None,
        typer.Option("--kml", metavar="FILE", help="Write the assessment as KML (Google Earth)."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Write a self-contained HTML report."),
    ] = None,
    figures: Annotated[
        Path | None,
        typer.Option(
            "--figures",
            metavar="DIR",
            help="Write every figure (polar maps, heat maps) as SVG and PDF at journal size.",
        ),
    ] = None,
    csv_dir: Annotated[
        Path | None,
        typer.Option("--csv", metavar="DIR", help="Write the result tables as CSV files."),
    ] = None,
    layers: Annotated[
        Path | None,
        typer.Option(
            "--layers",
            metavar="DIR",
            help="Write GeoJSON layers, one file per feature and geometry type (QGIS).",
        ),
    ] = None,
    fail_on_threat: Annotated[
        bool,
        typer.Option(
            "--fail-on-threat", help=f"Exit with status {THREAT_EXIT} when the verdict is THREAT."
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print nothing but errors and --json output (no progress, summary or file list).",
        ),
    ] = False,
) -> None:
    """Assess whether each party's declared defenses could threaten the other's strategic forces.

    With no arguments: the built-in United States / Russia scenario from open sources. Progress
    goes to stderr (a line per stage when stderr is not a terminal); the result to stdout.
    """

    from glasnost.cli.progress import stages
    from glasnost.defense import engagement_kernel
    from glasnost.defense.assessment import assess as run_assessment
    from glasnost.physics import compile_ahead
    from glasnost.report.terminal import print_assessment

    common.end_without_teardown()
    source = scenario_source(scenario, builtin, "--scenario")
    when = parse_date(date, "--date")
    outputs = {"--geojson": geojson, "--kml": kml, "--html": html}
    folders = {"--figures": figures, "--csv": csv_dir, "--layers": layers}
    for option, path in {**outputs, **folders}.items():
        if path is not None and not path.parent.is_dir():
            raise typer.BadParameter(f"folder {path.parent} does not exist", param_hint=option)
    for option, path in folders.items():
        if path is not None and path.exists() and not path.is_dir():
            raise typer.BadParameter(f"{path} exists and is not a folder", param_hint=option)
    model = open_scenario(source, overrides)
    warn_outside_catalog(model, source, when, "--date", quiet=quiet)
    # On a cold kernel cache, the engagement search compiles on the second core meanwhile.
    compile_ahead.start(engagement_kernel.__name__, "search")
    with stages(common.errors, "assessing", quiet=quiet) as report:
        result = run_assessment(model, when, progress=report)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    elif not quiet:
        print_assessment(common.console, result)
    _write_outputs(result, geojson, kml, html, quiet=quiet)
    _write_folders(result, folders, quiet=quiet)
    if fail_on_threat and not result.no_threat:
        raise typer.Exit(code=THREAT_EXIT)


def _write_outputs(
    result: Any, geojson: Path | None, kml: Path | None, html: Path | None, *, quiet: bool
) -> None:
    """Write the requested files (after the assessment), reporting each one on stderr."""
    from glasnost.report.geo import write_geojson
    from glasnost.report.kml import write_kml

    def write_report(res: Any, path: Path) -> None:
        from glasnost.report.html import write_html  # matplotlib only when asked for

        write_html(res, path)

    for path, writer in ((geojson, write_geojson), (kml, write_kml), (html, write_report)):
        if path is None:
            continue
        try:
            writer(result, path)
        except OSError as exc:
            raise common.fail(f"{path}: {exc.strerror}") from None
        if not quiet:
            common.errors.print(f"wrote {path}", markup=False, highlight=False)


def _write_folders(result: Any, folders: dict[str, Path | None], *, quiet: bool) -> None:
    """Write the requested folders of files (by option: figures, CSV tables, GIS layers),
    reporting each on stderr."""

    def write_figures(res: Any, path: Path) -> list[Path]:
        from glasnost.report.figures import write_figures  # matplotlib only when asked for

        return write_figures(res, path)

    def write_tables(res: Any, path: Path) -> list[Path]:
        from glasnost.report.csv_tables import write_csv_tables

        return write_csv_tables(res, path)

    def write_layers(res: Any, path: Path) -> list[Path]:
        from glasnost.report.layers import write_geojson_layers

        return write_geojson_layers(res, path)

    writers = {"--figures": write_figures, "--csv": write_tables, "--layers": write_layers}
    for option, folder in folders.items():
        if folder is None:
            continue
        writer = writers[option]
        try:
            written = writer(result, folder)
        except OSError as exc:
            raise common.fail(f"{exc.filename or folder}: {exc.strerror}") from None
        if not quiet:
            common.errors.print(
                f"wrote {len(written)} files to {folder}", markup=False, highlight=False
            )
