"""Commands of the agreement: show it, propose, sign, the succession (final, adopt, refuse),
withdraw, and its status replayed from the node's logs. Each action is checked against the
lifecycle before it is written (:func:`glasnost.treaty.actions.take`): one that would have no
effect is refused with the reason."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.shared import (
    DbOption,
    JsonOption,
    KeyOption,
    exchange_errors,
    open_node,
    parse_time,
    print_json,
    report_written,
)
from glasnost.cli.sweep import (
    DeclaredOption,
    LevelsOption,
    MethodOption,
    SamplesOption,
    SchedulerOption,
    SeedOption,
    VaryOption,
    WorkersOption,
    check_sweep_options,
    sweep_errors,
    sweep_progress,
)

if TYPE_CHECKING:
    from glasnost.treaty.actions import Kind

AgreementOption = Annotated[
    str,
    typer.Option(
        "--agreement",
        envvar="GLASNOST_AGREEMENT",
        help="The agreement: a built-in name (us-ru) or a YAML/JSON file.",
    ),
]

agreement_app = typer.Typer(
    help="The agreement: show, propose, sign, succession, status.", no_args_is_help=True
)
app.add_typer(agreement_app, name="agreement")


def open_agreement(name: str) -> Any:
    """A built-in agreement by name, or an agreement file."""
    from glasnost.treaty.agreement import BUILTIN_AGREEMENTS, builtin_agreement, load_agreement

    if name in BUILTIN_AGREEMENTS:
        return builtin_agreement(name)
    if not Path(name).exists():
        raise common.fail(
            f"--agreement: {name!r} is neither a built-in agreement "
            f"({', '.join(BUILTIN_AGREEMENTS)}) nor a file"
        )
    return load_agreement(name)


def _state(node: Any, agreement: Any, at: dt.datetime | None = None) -> Any:
    from glasnost.treaty.lifecycle import lifecycle
    from glasnost.treaty.logs import views_of_node

    return lifecycle(agreement, views_of_node(node), at)


@agreement_app.command("show")
def agreement_show(agreement: AgreementOption = "us-ru", as_json: JsonOption = False) -> None:
    """The agreement's terms and the hash that propose and sign entries fix."""
    with exchange_errors():
        doc = open_agreement(agreement)
    if as_json:
        print_json({"text_sha256": doc.text_sha256(), **doc.model_dump(mode="json")})
        return
    out = common.console
    out.print(f"[bold]{escape(doc.title)}[/] ({doc.id}, {doc.kind})")
    out.print(f"  parties      {', '.join(f'{p.id} ({p.name})' for p in doc.parties)}")
    out.print(f"  text sha256  {doc.text_sha256()}")
    out.print(f"  duration     {doc.duration_days:g} days from entry into force")
    d = doc.declarations
    out.print(
        f"  declarations baseline within {d.baseline_within_days:g} days; "
        f"{len(d.periodic_updates)} periodic updates; changes within {d.change_notice_days:g} days"
    )
    leads = ", ".join(f"{k} {v:g} h" for k, v in doc.notifications.lead_time_hours.items())
    out.print(f"  notice       {leads}")
    out.print(f"  acknowledge  within {doc.acknowledgement_hours:g} h of each entry")
    out.print(f"  succession   adopt or refuse within {doc.succession.decision_days:g} days")
    for step in doc.reductions:
        out.print(
            f"  limits by {step.by}: {step.deployed_launchers} deployed launchers, "
            f"{step.deployed_warheads} deployed warheads, {step.total_launchers} launchers"
        )


def _take(
    db: str, key: Path | None, agreement: str, kind: Kind, what: str, as_json: bool, **details: Any
) -> None:
    """Check the action against the lifecycle, then write it (:func:`.actions.take`)."""
    from glasnost.treaty.actions import take

    with exchange_errors():
        node = open_node(db, key, needs_key=True)
        doc = open_agreement(agreement)
        written = take(node, doc, kind, **details)
    report_written(node, written, what, as_json)


@agreement_app.command("propose")
def agreement_propose(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """Propose the agreement (its text hash) in the node's log."""
    _take(db, key, agreement, "propose", "proposal", as_json)


@agreement_app.command("sign")
def agreement_sign(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """Sign the proposed agreement (the entry references the proposal)."""
    _take(db, key, agreement, "sign", "signature", as_json)


@agreement_app.command("final")
def agreement_final(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    note: Annotated[str, typer.Option("--note", help="A closing note.")] = "",
    as_json: JsonOption = False,
) -> None:
    """The outgoing administration's final entry, then the final checkpoint."""
    _take(db, key, agreement, "final", "final entry", as_json, note=note)


@agreement_app.command("adopt")
def agreement_adopt(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """The successor administration adopts the agreement and continues the log."""
    _take(db, key, agreement, "adopt", "adoption", as_json)


@agreement_app.command("refuse")
def agreement_refuse(
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record.")],
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """The successor administration refuses the agreement."""
    _take(db, key, agreement, "refuse", "refusal", as_json, reason=reason)


@agreement_app.command("withdraw")
def agreement_withdraw(
    effective: Annotated[str, typer.Option("--effective", help="Date it takes effect.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record.")],
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """Withdraw from the agreement from a date on."""
    try:
        day = dt.date.fromisoformat(effective)
    except ValueError:
        raise typer.BadParameter(f"{effective!r} is not a date", param_hint="--effective") from None
    _take(db, key, agreement, "withdraw", "withdrawal", as_json, effective=day, reason=reason)


@agreement_app.command("status")
def agreement_status(
    db: DbOption = "glasnost.db",
    agreement: AgreementOption = "us-ru",
    at: Annotated[str | None, typer.Option("--at", help="As of this time, UTC.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The agreement's state per party, with the entries that caused it, from both logs."""
    when = parse_time(at, "--at")
    with exchange_errors():
        node = open_node(db)
        doc = open_agreement(agreement)
        state = _state(node, doc, when)
    if as_json:
        print_json(state.to_json())
        return
    out = common.console
    out.print(f"[bold]{escape(doc.title)}[/]: [bold]{state.state}[/]")
    if state.entry_into_force is not None:
        out.print(
            f"  in force from {state.entry_into_force:%Y-%m-%d %H:%M:%S}Z, "
            f"expires {state.expires:%Y-%m-%d}"
        )
    table = Table(box=None, pad_edge=False)
    for column in ("party", "state", "administration", "since", "deadline", "entries"):
        table.add_column(column)
    for p in state.parties.values():
        table.add_row(
            p.party,
            p.state,
            p.administration or "-",
            "-" if p.since is None else f"{p.since:%Y-%m-%d %H:%M}",
            "-" if p.deadline is None else f"{p.deadline:%Y-%m-%d %H:%M}",
            ", ".join(p.causes) or "-",
        )
    out.print(table)
    for event in state.timeline:
        received = (
            "not yet received"
            if event.received_at is None
            else f"received {event.received_at:%Y-%m-%d %H:%M:%S}Z"
        )
        out.print(
            f"  {event.created_at:%Y-%m-%d %H:%M:%S}Z {event.entry:<7} "
            f"{escape(event.text)} ({received})"
        )
    for finding in state.findings:
        out.print(f"  [bold red]{escape(str(finding))}[/]")
    sys.stdout.flush()


# --- compliance ---------------------------------------------------------------------------------


@app.command()
def compliance(
    db: DbOption = "glasnost.db",
    agreement: AgreementOption = "us-ru",
    at: Annotated[str | None, typer.Option("--at", help="As of this time, UTC.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every obligation with its due time (from receipt, UTC): met, late, missing or not yet
    due; acknowledgements; reductions against the limits; assessments; each finding."""
    from glasnost.treaty.compliance import compliance as check
    from glasnost.treaty.logs import views_of_node

    when = parse_time(at, "--at")
    with exchange_errors():
        node = open_node(db)
        doc = open_agreement(agreement)
        report = check(doc, views_of_node(node), when).to_json()
    if as_json:
        print_json(report)
        return
    out = common.console
    out.print(f"[bold]Compliance with {escape(doc.title)}[/] at {report['at']}")
    out.print(f"  agreement: {report['lifecycle']['state']}")
    table = Table(box=None, pad_edge=False)
    for column in ("party", "due (UTC)", "status", "entry", "received"):
        table.add_column(column, no_wrap=True)
    table.add_column("obligation", ratio=1)
    colours = {"met": "green", "late": "yellow", "missing": "red", "not yet due": "dim"}
    for o in report["obligations"]:
        colour = colours.get(o["status"], "")
        table.add_row(
            o["party"],
            _minutes(o["due"]),
            f"[{colour}]{o['status']}[/]" if colour else o["status"],
            o["entry"] or "-",
            _minutes(o["received_at"]),
            escape(o["description"]),
        )
    out.print(table)
    for item in report.get("assessments", []):
        out.print(f"  assessment {item.get('entry')}: {item.get('status')}")
    findings = report["findings"]
    out.print(f"[bold]{len(findings)} findings[/]")
    for finding in findings:
        where = finding.get("entry") or finding["party"]
        out.print(f"  {finding['severity']}: {where}: {escape(finding['reason'])}", soft_wrap=True)


def _minutes(text: str | None) -> str:
    """An ISO UTC time as ``YYYY-MM-DD HH:MM`` (or ``-``)."""
    return "-" if not text else text[:16].replace("T", " ")


# --- confirmation -------------------------------------------------------------------------------

confirm_app = typer.Typer(
    help="Confirm assessments: record one, or recompute the other party's.", no_args_is_help=True
)
app.add_typer(confirm_app, name="confirm")


@confirm_app.command("request")
def confirm_request_command(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    vary: VaryOption = None,
    declared: DeclaredOption = False,
    method: MethodOption = "sobol",
    samples: SamplesOption = 64,
    levels: LevelsOption = 5,
    seed: SeedOption = 0,
    sweep_out: Annotated[
        Path,
        typer.Option("--sweep-out", help="Folder of the sweep (with --vary or --declared)."),
    ] = Path("glasnost-sweep"),
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assess the postures as declared in the logs and record an assessment entry (inputs by
    entry hash, software, verdict, digest of the rounded results). With --vary or --declared,
    also sweep them (as glasnost sweep does) and record the plan and the summary's digest."""
    from glasnost.sweep.confirmation import Cluster, SweepSpec, sweep_recording
    from glasnost.treaty.confirmation import confirm_request

    sweep = None
    plan_method = check_sweep_options(method, scheduler, workers)
    spec = SweepSpec(tuple(vary or ()), declared, plan_method, samples, levels, seed)
    with exchange_errors(), sweep_progress(disable=as_json) as progress, sweep_errors():
        node = open_node(db, key, needs_key=True)
        doc = open_agreement(agreement)
        if vary or declared:
            sweep = sweep_recording(spec, sweep_out, Cluster(workers, scheduler, progress=progress))
        written = confirm_request(node, doc, sweep=sweep)
    report_written(node, written, "assessment", as_json)
    if sweep is not None and not as_json:
        common.errors.print(f"wrote the sweep to {sweep_out} (summary.json, samples.parquet)")


@confirm_app.command("check")
def confirm_check_command(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    sweep_out: Annotated[
        Path,
        typer.Option("--sweep-out", help="Folder of the reruns of recorded sweeps."),
    ] = Path("glasnost-sweeps"),
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute every unanswered assessment of the other party from the same logged inputs
    (and rerun its sweep, if it records one); record a confirmation (same digests) or a
    dispute (with the differences)."""
    import json

    from glasnost.sweep.confirmation import Cluster, sweep_checking
    from glasnost.treaty.confirmation import confirm_check
    from glasnost.treaty.logs import entry_label

    check_sweep_options("sobol", scheduler, workers)
    with exchange_errors(), sweep_progress(disable=as_json) as progress, sweep_errors():
        node = open_node(db, key, needs_key=True)
        doc = open_agreement(agreement)
        cluster = Cluster(workers, scheduler, progress=progress)
        answers = confirm_check(node, doc, sweeps=sweep_checking(sweep_out, cluster))
    rows = [{"seq": w.seq, "hash": w.hash, "entry": json.loads(w.signed.entry)} for w in answers]
    if as_json:
        print_json(rows)
        return
    if not rows:
        common.console.print("no unanswered assessment of the other party")
    for row in rows:
        refs = ", ".join(entry_label(r["party"], r["seq"]) for r in row["entry"]["refs"])
        common.console.print(
            f"{entry_label(node.party, row['seq'])}: {row['entry']['type']} of {refs}"
        )
