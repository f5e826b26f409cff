"""Commands of scenarios (``glasnost scenario schema | validate | show``), and the scenario
options every command that reads a scenario shares (``--scenario``, ``--set``, ``--date``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.shared import parse_date, warn_outside_catalog

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


def scenario_source(first: str | None, builtin: str | None, option: str) -> str | None:
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


def open_scenario(source: str | None, overrides: list[str] | None) -> Any:
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
    scenario = open_scenario(str(file), overrides)
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
    source = scenario_source(file or scenario_option, builtin, "NAME|FILE")
    if as_json and as_yaml:
        raise typer.BadParameter("give --json or --yaml, not both", param_hint="--yaml")
    date = parse_date(on, "--date")
    scenario = open_scenario(source, overrides)
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
