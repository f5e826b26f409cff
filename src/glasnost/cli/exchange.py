"""``glasnost declare`` and ``glasnost notify``: sign entries and append them to the node's
own log. Every command that reports takes ``--json``; every error is one precise line and
exit code 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.shared import (
    DbOption,
    JsonOption,
    KeyOption,
    NodeUrlOption,
    RefOption,
    exchange_errors,
    first_error,
    open_node,
    parse_date,
    parse_time,
    report_written,
    resolve_refs,
    submit_to_node,
    warn_outside_catalog,
)

# --- declare, notify ----------------------------------------------------------------------------


@app.command()
def declare(
    file: Annotated[
        Path | None,
        typer.Argument(help="Declaration (YAML or JSON: kind, as_of, posture, commitments)."),
    ] = None,
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            metavar="NAME|FILE",
            help="Declare the node party's posture from a scenario instead: a built-in scenario "
            "(us-ru, us-ru-cn, us-ru-ir) or a scenario file.",
        ),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="With --scenario: baseline | periodic_update | change.")
    ] = "baseline",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="With --scenario: the posture's date.")
    ] = None,
    refs: RefOption = None,
    node: NodeUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sign and append a declaration to the node's own log."""
    from glasnost.common.documents import load_model
    from glasnost.scenario.builtin import scenario_by_name
    from glasnost.treaty.bodies import Declaration
    from glasnost.treaty.postures import declaration_from_scenario

    if (file is None) == (scenario is None):
        raise common.fail("give a declaration FILE or --scenario, not both")

    def body_for(party: str) -> Declaration:
        if file is not None:
            return load_model(file, Declaration, what="declaration")
        assert scenario is not None
        source = scenario_by_name(scenario)
        date = parse_date(as_of)
        warn_outside_catalog(source, scenario, date, "--as-of")
        if date is not None:
            source = source.on(date)
        return declaration_from_scenario(source, party, kind=kind)

    with exchange_errors():
        if node is not None:
            submit_to_node(node, key, "declaration", body_for, refs, as_json)
            return
        local = open_node(db, key, needs_key=True)
        written = local.write("declaration", body_for(local.party), refs=resolve_refs(local, refs))
    report_written(local, written, "declaration", as_json)


@app.command()
def notify(
    event: Annotated[
        str,
        typer.Option(
            "--event",
            help="missile_test_launch | interceptor_test | site_activation | "
            "site_deactivation | deployment_change | exercise | other.",
        ),
    ],
    window_start: Annotated[
        str, typer.Option("--window-start", help="Start of the event window, UTC.")
    ],
    window_end: Annotated[str, typer.Option("--window-end", help="End of the event window, UTC.")],
    details: Annotated[str, typer.Option("--details", help="What happens, for people.")],
    phase: Annotated[str, typer.Option("--phase", help="pre_event | post_event.")] = "pre_event",
    site: Annotated[
        list[str] | None, typer.Option("--site", help="A declared site id (repeatable).")
    ] = None,
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    refs: RefOption = None,
    node: NodeUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sign and append a notification of an event to the node's own log."""
    from glasnost.exchange.errors import SchemaError
    from glasnost.treaty.bodies import Notification

    start = parse_time(window_start, "--window-start")
    end = parse_time(window_end, "--window-end")
    now = dt.datetime.now(dt.UTC)
    if phase == "pre_event" and start is not None and start <= now:
        raise common.fail(
            f"--window-start: {start:%Y-%m-%dT%H:%M:%SZ} has passed; a pre-event notification "
            "comes before its window opens (use --phase post_event for an event that happened)"
        )
    if phase == "post_event" and end is not None and end > now:
        raise common.fail(
            f"--window-end: {end:%Y-%m-%dT%H:%M:%SZ} is still ahead; a post-event notification "
            "comes after its window closes"
        )
    try:
        body = Notification.model_validate(
            {
                "event_type": event,
                "phase": phase,
                "window_start": start,
                "window_end": end,
                "site_ids": site or [],
                "details": details,
            }
        )
    except ValueError as exc:
        raise SchemaError(first_error(exc), where="notification") from None
    with exchange_errors():
        if node is not None:
            submit_to_node(node, key, "notification", lambda _: body, refs, as_json)
            return
        local = open_node(db, key, needs_key=True)
        written = local.write("notification", body, refs=resolve_refs(local, refs))
    report_written(local, written, "notification", as_json)
