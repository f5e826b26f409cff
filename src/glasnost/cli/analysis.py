"""Commands of the analysis: trajectories, the missile catalog, scenarios and the assessment."""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.shared import parse_date, warn_outside_catalog


def _point(text: str, option: str) -> tuple[float, float]:
    """Parse 'LAT,LON' in degrees, naming the option on error."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise typer.BadParameter(f"expected LAT,LON in degrees, got {text!r}", param_hint=option)
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise typer.BadParameter(
            f"expected two numbers LAT,LON, got {text!r}", param_hint=option
        ) from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise typer.BadParameter("coordinates must be finite numbers", param_hint=option)
    if not -90.0 <= lat <= 90.0:
        raise typer.BadParameter(f"latitude {lat} is outside [-90, 90]", param_hint=option)
    if not -180.0 <= lon <= 180.0:
        raise typer.BadParameter(f"longitude {lon} is outside [-180, 180]", param_hint=option)
    return lat, lon


def _finite(
    value: float | None, option: str, low: float = -math.inf, high: float = math.inf
) -> None:
    if value is None:
        return
    if not math.isfinite(value):
        raise typer.BadParameter("must be a finite number", param_hint=option)
    if not low <= value <= high:
        raise typer.BadParameter(f"must be within [{low:g}, {high:g}]", param_hint=option)


@app.command()
def trajectory(
    missile: Annotated[str, typer.Option("--missile", help="Catalog id, e.g. minuteman_iii.")],
    from_: Annotated[str, typer.Option("--from", help="Launch point LAT,LON (degrees).")],
    to: Annotated[str | None, typer.Option("--to", help="Target LAT,LON (degrees).")] = None,
    azimuth_deg: Annotated[
        float | None, typer.Option("--azimuth-deg", help="Launch azimuth (max-range shape).")
    ] = None,
    shape: Annotated[
        str, typer.Option("--shape", help="min-energy | lofted | depressed | max-range.")
    ] = "min-energy",
    apogee_km: Annotated[
        float | None,
        typer.Option(
            "--apogee-km",
            help="Apogee (km above the ellipsoid) of a lofted/depressed flight, up to the "
            "apogee of the full-burn lofted flight to the same target.",
        ),
    ] = None,
    fpa_deg: Annotated[
        float | None,
        typer.Option(
            "--fpa-deg",
            help="Burnout flight-path angle of a lofted/depressed flight (deg): the angle of the "
            "velocity relative to the rotating ground above the local horizontal (the plane "
            "normal to the ellipsoid), the same angle the burnout line reports.",
        ),
    ] = None,
    earth: Annotated[str, typer.Option("--earth", help="wgs84 (rotating, J2) | sphere.")] = "wgs84",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the trajectory every second to FILE.")
    ] = None,
) -> None:
    """Fly one missile of the catalog to a target, or as far as it goes along an azimuth."""
    from glasnost.flights import fly_missile
    from glasnost.physics.targeting import SHAPES
    from glasnost.scenario.missiles import UnknownMissileError

    launch = _point(from_, "--from")
    target = None if to is None else _point(to, "--to")
    if shape not in SHAPES:
        raise typer.BadParameter(
            f"{shape!r}; choose one of {', '.join(SHAPES)}", param_hint="--shape"
        )
    if earth not in ("wgs84", "sphere"):
        raise typer.BadParameter(f"{earth!r}; choose wgs84 or sphere", param_hint="--earth")
    _finite(azimuth_deg, "--azimuth-deg", -360.0, 360.0)
    _finite(apogee_km, "--apogee-km", 50.0, 10000.0)
    _finite(fpa_deg, "--fpa-deg", 0.0, 89.0)
    if shape == "max-range":
        if azimuth_deg is None or target is not None:
            raise typer.BadParameter(
                "max-range flies along --azimuth-deg, without --to", param_hint="--shape"
            )
    elif target is None:
        raise typer.BadParameter(f"the {shape} shape needs --to LAT,LON", param_hint="--to")
    if azimuth_deg is not None and shape != "max-range":
        raise typer.BadParameter(
            "only --shape max-range flies along an azimuth; the others aim at --to",
            param_hint="--azimuth-deg",
        )
    if csv_file is not None and not csv_file.parent.is_dir():
        raise typer.BadParameter(f"folder {csv_file.parent} does not exist", param_hint="--csv")
    if (apogee_km is not None or fpa_deg is not None) and shape not in ("lofted", "depressed"):
        raise typer.BadParameter(
            "only lofted and depressed flights take an apogee or FPA", param_hint="--shape"
        )
    if apogee_km is not None and fpa_deg is not None:
        raise typer.BadParameter(
            "give --apogee-km or --fpa-deg, not both", param_hint="--apogee-km"
        )
    try:
        flight = fly_missile(
            missile,
            launch[0],
            launch[1],
            target=target,
            azimuth_deg=azimuth_deg,
            shape=shape,
            apogee_km=apogee_km,
            flight_path_angle_deg=fpa_deg,
            earth=earth,
        )
    except UnknownMissileError as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="--missile") from None
    summary = flight.summary()
    if csv_file is not None:
        rows = flight.samples()
        try:
            with csv_file.open("w", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        except OSError as exc:
            raise common.fail(f"--csv {csv_file}: {exc.strerror}") from None
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    _print_flight(summary)
    if csv_file is not None:
        common.console.print(f"trajectory written to {csv_file}")


def _print_flight(s: dict[str, Any]) -> None:
    table = Table(title=f"{s['missile_name']} — {s['shape']} ({s['earth']})", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    launch, impact, bo = s["launch"], s["impact"], s["burnout"]
    table.add_row("launch", f"{launch['lat_deg']:.3f}, {launch['lon_deg']:.3f}")
    if s["target"]:
        table.add_row("target", f"{s['target']['lat_deg']:.3f}, {s['target']['lon_deg']:.3f}")
    table.add_row("impact", f"{impact['lat_deg']:.3f}, {impact['lon_deg']:.3f}")
    if s["miss_km"] is not None:
        table.add_row("miss", f"{s['miss_km'] * 1000:.0f} m")
    table.add_row("ground range", f"{s['ground_range_km']:,.0f} km")
    table.add_row("flight time", f"{s['flight_time_s'] / 60:.1f} min")
    table.add_row("apogee", f"{s['apogee_km']:,.0f} km")
    table.add_row("launch azimuth", f"{s['azimuth_deg']:.2f}°")
    table.add_row(
        "burnout",
        f"{bo['time_s']:.0f} s, {bo['altitude_km']:.0f} km, "
        f"{bo['speed_kms']:.2f} km/s, {bo['flight_path_angle_deg']:.1f}°",
    )
    table.add_row("reentry (100 km)", f"{s['reentry']['speed_kms']:.2f} km/s")
    table.add_row("stack", s["stack_basis"])
    common.console.print(table)


@app.command()
def missiles(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the missile types of the built-in catalog with their provenance."""
    from glasnost.scenario.missiles import catalog

    rows: list[dict[str, Any]] = [
        {
            "id": m.id,
            "name": m.name,
            "country": m.country,
            "role": m.role,
            "published_range_km": m.published.range_km,
            "launch_mass_kg": round(m.launch_mass_kg),
            "stages": len(m.stages),
            "basis": m.basis,
            "confidence": m.confidence,
        }
        for m in catalog().values()
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Missile catalog")
    for col in ("id", "name", "country", "range km", "launch t", "stages", "stack", "confidence"):
        table.add_column(col, no_wrap=col == "id")
    for r in rows:
        table.add_row(
            r["id"],
            r["name"],
            r["country"],
            f"{r['published_range_km']:,.0f}",
            f"{r['launch_mass_kg'] / 1000:.1f}",
            str(r["stages"]),
            r["basis"],
            r["confidence"],
        )
    common.console.print(table)


demo_app = typer.Typer(
    help="Demonstrations: the trajectories (default) and the exchange between two nodes.",
    invoke_without_command=True,
)
app.add_typer(demo_app, name="demo")


@demo_app.callback()
def demo(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Fly the demonstration trajectories (catalog missiles at catalog targets) and print them;
    ``glasnost demo exchange`` runs the agreement between two nodes."""
    if ctx.invoked_subcommand is not None:
        return
    from glasnost.demo import demonstration_flights

    rows = demonstration_flights(progress=not as_json)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Demonstration trajectories (rotating WGS84 Earth, J2, drag)")
    for col in (
        "missile",
        "from",
        "to",
        "shape",
        "range km",
        "time min",
        "apogee km",
        "burnout km/s",
        "miss m",
    ):
        table.add_column(
            col, justify="right" if col not in ("missile", "from", "to", "shape") else "left"
        )
    for r in rows:
        table.add_row(
            r["missile"],
            r["from"],
            r["to"],
            r["shape"],
            f"{r['ground_range_km']:,.0f}",
            f"{r['flight_time_s'] / 60:.1f}",
            f"{r['apogee_km']:,.0f}",
            f"{r['burnout_speed_kms']:.2f}",
            f"{r['miss_m']:.0f}",
        )
    common.console.print(table)
    common.console.print(
        "Stacks marked derived in `glasnost missiles` are fitted to published range and mass; "
        "launch and aim points are catalog assumptions."
    )


@demo_app.command("exchange")
def demo_exchange(
    folder: Annotated[
        Path | None,
        typer.Option("--dir", help="Folder for keys, databases and logs (default glasnost-demo)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Print nothing but errors and --json output (no progress, steps or summary).",
        ),
    ] = False,
) -> None:
    """Two nodes on loopback (United States, Russia): sign the built-in agreement, exchange
    baseline declarations and a notification, confirm an assessment, change both
    administrations (one successor adopts, one refuses); print status and compliance.

    The steps go to stdout as they are done; what runs now goes to stderr (a line per part when
    stderr is not a terminal), so that the parts that take seconds are never silent."""
    from glasnost.cli.progress import stages
    from glasnost.demo_exchange import demo_folder_default, run_exchange_demo

    target = folder or demo_folder_default()
    silent = as_json or quiet
    say = (lambda text: None) if silent else (lambda text: common.console.print(text))
    try:
        with stages(common.errors, "demo exchange", quiet=quiet) as report:
            result = run_exchange_demo(target, say=say, progress=lambda now: report(now, 0.0))
    except FileExistsError as exc:
        raise common.fail(f"--dir: {exc}") from None
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
        return
    if quiet:
        return
    state = result.lifecycle
    common.console.print(f"\n[bold]Agreement: {state['state']}[/]")
    for party in state["parties"].values():
        common.console.print(
            f"  {party['party']}: {party['state']} (administration {party['administration']}; "
            f"entries {', '.join(party['causes'])})"
        )
    findings = (result.compliance or {}).get("findings", [])
    common.console.print(f"[bold]Compliance[/]: {len(findings)} findings")
    for finding in findings:
        common.console.print(
            f"  {finding['severity']}: {finding.get('entry') or finding['party']}: "
            f"{finding['reason']}"
        )
    common.console.print(
        f"Finished in {result.seconds:.0f} s. Inspect: glasnost agreement status --db "
        f"{target}/us.db; glasnost compliance --db {target}/ru.db; glasnost log show --db "
        f"{target}/ru.db --log US"
    )


# --- scenario: schema, validate, show ---------------------------------------------------------

scenario_app = typer.Typer(
    help="Scenarios: the JSON Schema, validation with precise errors, a readable view.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Override PATH=VALUE (repeatable); list items by id, e.g. "
        "parties.US.interceptor_sites.fort_greely.count=64.",
    ),
]

DateOption = Annotated[
    str | None,
    typer.Option(
        "--date", metavar="YYYY-MM-DD", help="Posture on that date (default: the scenario's)."
    ),
]


ScenarioOption = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        metavar="NAME|FILE",
        help="A built-in scenario (us-ru, the default; us-ru-cn; us-ru-ir) or a scenario file "
        "(YAML or JSON).",
    ),
]
BuiltinAlias = Annotated[
    str | None,
    typer.Option("--builtin", metavar="NAME", hidden=True, help="Same as --scenario NAME."),
]


def _scenario_source(first: str | None, builtin: str | None, option: str) -> str | None:
    """The scenario named by ``option`` (or the positional argument) or by the ``--builtin``
    alias kept for scripts; not both."""
    from glasnost.scenario.builtin import BUILTIN_NAMES

    if builtin is None:
        return first
    if first is not None:
        raise typer.BadParameter(f"give {option} or --builtin, not both", param_hint="--builtin")
    if builtin not in BUILTIN_NAMES:
        raise typer.BadParameter(
            f"{builtin!r}; choose one of {', '.join(BUILTIN_NAMES)}", param_hint="--builtin"
        )
    return builtin


def _open_scenario(source: str | None, overrides: list[str] | None) -> Any:
    """The scenario ``--scenario`` names (default us-ru), with the ``--set`` overrides."""
    from glasnost.scenario.builtin import scenario_by_name
    from glasnost.scenario.loading import apply_overrides

    return apply_overrides(scenario_by_name(source or "us-ru"), overrides or [])


@scenario_app.command("schema")
def scenario_schema(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (always: a schema).")] = False,
) -> None:
    """Print the JSON Schema of the scenario format."""
    from glasnost.scenario.models import Scenario

    sys.stdout.write(json.dumps(Scenario.model_json_schema(), indent=2) + "\n")


@scenario_app.command("validate")
def scenario_validate(
    file: Annotated[Path, typer.Argument(help="Scenario file (.yaml, .yml or .json).")],
    overrides: SetOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check a scenario file: a one-line summary, or every error with its path (exit 2; with
    --json the error object lists them as issues)."""
    scenario = _open_scenario(str(file), overrides)
    if as_json:
        out = {"valid": True, "origin": str(file), "name": scenario.name, **scenario.counts()}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    sys.stdout.write(f"ok: {file}: {scenario.summary()}\n")


@scenario_app.command("show")
def scenario_show(
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="[NAME|FILE]",
            help="A built-in scenario (us-ru, the default; us-ru-cn; us-ru-ir) or a scenario file.",
        ),
    ] = None,
    scenario_option: ScenarioOption = None,
    builtin: BuiltinAlias = None,
    overrides: SetOption = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Show the posture in service on YYYY-MM-DD.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scenario as JSON.")] = False,
    as_yaml: Annotated[
        bool, typer.Option("--yaml", help="Print the scenario as an editable YAML file.")
    ] = False,
) -> None:
    """Show a scenario: parties, interceptor sites, radars, launch bases, targets."""

    from glasnost.scenario.builtin import BUILTIN_NAMES, example_yaml
    from glasnost.scenario.loading import scenario_to_yaml

    if file is not None and scenario_option is not None:
        raise typer.BadParameter("give NAME|FILE or --scenario, not both", param_hint="--scenario")
    source = _scenario_source(file or scenario_option, builtin, "NAME|FILE")
    if as_json and as_yaml:
        raise typer.BadParameter("give --json or --yaml, not both", param_hint="--yaml")
    date = parse_date(on, "--date")
    scenario = _open_scenario(source, overrides)
    warn_outside_catalog(scenario, source, date, "--date")
    if date is not None:
        scenario = scenario.on(date)
    if as_json:
        sys.stdout.write(scenario.model_dump_json(indent=2) + "\n")
        return
    if as_yaml:
        name = source or "us-ru"
        plain = name in BUILTIN_NAMES and not overrides and date is None
        text = example_yaml(name) if plain else scenario_to_yaml(scenario)
        sys.stdout.write(text)
        return
    _print_scenario(scenario)


def _print_scenario(s: Any) -> None:
    common.console.print(f"[bold]{s.name}[/] — {s.summary()}", soft_wrap=True)
    parties = Table(title="Parties")
    for col in (
        "id",
        "name",
        "sites",
        "interceptors",
        "radars",
        "space IR",
        "bases",
        "launchers",
        "warheads",
        "targets",
    ):
        parties.add_column(col, justify="left" if col in ("id", "name") else "right")
    for p in s.parties:
        ir = p.space_based_infrared
        parties.add_row(
            p.id,
            p.name,
            str(len(p.interceptor_sites)),
            str(p.interceptors),
            str(len(p.radars)),
            "-" if ir is None else f"{ir.detection_delay_s:g} s",
            str(len(p.launch_bases)),
            str(p.launchers),
            str(sum(b.launchers * s.warheads_per_missile(b) for b in p.launch_bases)),
            str(len(p.targets)),
        )
    common.console.print(parties)

    types = Table(title="Interceptor types")
    for col in ("id", "burnout km/s", "burn s", "altitude km", "max range km", "basis"):
        types.add_column(col, justify="left" if col in ("id", "basis") else "right")
    for t in s.interceptor_types:
        # A staged type's burnout velocity comes from its flyout (glasnost assess); its burn
        # time is the stages' total.
        burn = t.burn_time_s or sum(st.burn_time_s for st in t.stages or ())
        types.add_row(
            t.id,
            "staged" if t.burnout_velocity_kms is None else f"{t.burnout_velocity_kms:g}",
            f"{burn:g}",
            f"{t.min_intercept_altitude_km:g}-{t.max_intercept_altitude_km:g}",
            "-" if t.max_range_km is None else f"{t.max_range_km:g}",
            t.basis,
        )
    common.console.print(types)

    sites = Table(title="Interceptor sites")
    for col in ("party", "id", "interceptor", "basing", "count", "lat", "lon", "basis"):
        sites.add_column(col, justify="right" if col in ("count", "lat", "lon") else "left")
    for p in s.parties:
        for x in p.interceptor_sites:
            sites.add_row(
                p.id,
                x.id,
                x.interceptor,
                x.basing,
                str(x.count),
                f"{x.lat_deg:.2f}",
                f"{x.lon_deg:.2f}",
                _basis_text(x),
            )
    common.console.print(sites)

    radars = Table(title="Radars (range against the reference cross-section)")
    for col in ("party", "id", "role", "azimuth °", "elevation °", "range km", "ref m²", "basis"):
        radars.add_column(col, justify="right" if col in ("range km", "ref m²") else "left")
    for p in s.parties:
        for r in p.radars:
            radars.add_row(
                p.id,
                r.id,
                r.role.replace("_", " "),
                f"{r.azimuth_min_deg:g}-{r.azimuth_max_deg:g}",
                f"{r.elevation_min_deg:g}-{r.elevation_max_deg:g}",
                f"{r.range_km:,.0f}",
                f"{r.reference_rcs_m2:g}",
                _basis_text(r),
            )
    common.console.print(radars)

    bases = Table(title="Launch bases")
    for col in (
        "party",
        "id",
        "kind",
        "missile",
        "launchers",
        "warheads/missile",
        "lat",
        "lon",
        "basis",
    ):
        bases.add_column(
            col,
            justify="right" if col in ("launchers", "warheads/missile", "lat", "lon") else "left",
        )
    for p in s.parties:
        for b in p.launch_bases:
            bases.add_row(
                p.id,
                b.id,
                b.kind.replace("_", " "),
                b.missile,
                str(b.launchers),
                str(s.warheads_per_missile(b)),
                f"{b.lat_deg:.2f}",
                f"{b.lon_deg:.2f}",
                _basis_text(b),
            )
    common.console.print(bases)

    targets = Table(title="Targets (aim points for the other parties' missiles)")
    for col in ("party", "targets"):
        targets.add_column(col)
    for p in s.parties:
        targets.add_row(p.id, ", ".join(t.id for t in p.targets) or "-")
    common.console.print(targets)

    a = s.assessment
    common.console.print(
        f"Dyads: {', '.join(f'{x}-{y}' for x, y in a.dyads)}; decision delay "
        f"{a.decision_delay_s:g} s, {a.shots_per_warhead} shots per warhead, launch on remote "
        f"{'yes' if a.launch_on_remote else 'no'}, samples every {a.sample_step_s:g} s.",
        soft_wrap=True,
    )
    for c in a.criteria:
        common.console.print(f"Criterion {c.id} <= {c.threshold:g} ({c.basis})", soft_wrap=True)
    if s.assumptions:
        common.console.print(f"{len(s.assumptions)} assumptions (see --json or --yaml).")


def _basis_text(entry: Any) -> str:
    if entry.assumed_fields:
        return f"assumed: {', '.join(entry.assumed_fields)}"
    return str(entry.basis)


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
    from glasnost.defense.assessment import assess as run_assessment
    from glasnost.report.terminal import print_assessment

    source = _scenario_source(scenario, builtin, "--scenario")
    when = parse_date(date, "--date")
    outputs = {"--geojson": geojson, "--kml": kml, "--html": html}
    folders = {"--figures": figures, "--csv": csv_dir, "--layers": layers}
    for option, path in {**outputs, **folders}.items():
        if path is not None and not path.parent.is_dir():
            raise typer.BadParameter(f"folder {path.parent} does not exist", param_hint=option)
    for option, path in folders.items():
        if path is not None and path.exists() and not path.is_dir():
            raise typer.BadParameter(f"{path} exists and is not a folder", param_hint=option)
    model = _open_scenario(source, overrides)
    warn_outside_catalog(model, source, when, "--date", quiet=quiet)
    with stages(common.errors, "assessing", quiet=quiet) as report:
        result = run_assessment(model, when, progress=report)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    elif not quiet:
        print_assessment(common.console, result)
    _write_outputs(result, geojson, kml, html, quiet=quiet)
    _write_folders(result, folders, quiet=quiet)
    if fail_on_threat and not result.verdict:
        raise typer.Exit(code=THREAT_EXIT)


def _write_outputs(
    result: Any, geojson: Path | None, kml: Path | None, html: Path | None, *, quiet: bool
) -> None:
    """Write the requested files (after the assessment), reporting each one on stderr."""
    from glasnost.report.geo import write_geojson, write_kml

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
