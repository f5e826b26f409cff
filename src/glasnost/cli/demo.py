"""The demonstrations: ``glasnost demo`` (the demonstration trajectories) and ``glasnost demo
exchange`` (the agreement between two nodes on loopback)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from glasnost.cli import common
from glasnost.cli.common import app

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
    from glasnost.demo.trajectories import demonstration_flights

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
    from glasnost.demo.exchange import demo_folder_default, run_exchange_demo

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
