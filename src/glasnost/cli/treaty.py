"""Commands of the agreement: show it, propose, sign, the succession (final, adopt, refuse),
withdraw, and its status replayed from the node's logs. Each action is checked against the
lifecycle before it is written: one that would have no effect is refused with the reason."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

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


def _write_action(
    db: str, key: Path | None, agreement: str, build: Any, as_json: bool, what: str
) -> None:
    with exchange_errors():
        node = open_node(db, key, needs_key=True)
        doc = open_agreement(agreement)
        state = _state(node, doc)
        entry_type, body, refs = build(node, doc, state)
        written = node.write(entry_type, body, refs=refs)
        if entry_type == "final":
            node.checkpoint()  # the final checkpoint the successor commits to
    report_written(node, written, what, as_json)


@agreement_app.command("propose")
def agreement_propose(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """Propose the agreement (its text hash) in the node's log."""
    from glasnost.treaty import actions

    def build(node: Any, doc: Any, state: Any) -> tuple[str, Any, tuple[Any, ...]]:
        if state.proposal is not None:
            raise common.fail(f"already proposed ({state.proposal})")
        if node.party not in doc.party_ids():
            raise common.fail(f"{node.party} is not a party of {doc.id}")
        return "propose", actions.propose(doc), ()

    _write_action(db, key, agreement, build, as_json, "proposal")


@agreement_app.command("sign")
def agreement_sign(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """Sign the proposed agreement (the entry references the proposal)."""
    from glasnost.treaty import actions
    from glasnost.treaty.bodies import Ref

    def build(node: Any, doc: Any, state: Any) -> tuple[str, Any, tuple[Any, ...]]:
        if state.proposal is None:
            raise common.fail("no proposal of this agreement in the logs yet: sync first")
        if state.parties[node.party].state != "not signed":
            raise common.fail(
                f"{node.party} has signed already ({state.parties[node.party].state})"
            )
        party, seq = state.proposal.split("#")
        signed = node.log(party).entry(int(seq))
        return "sign", actions.sign(doc), (Ref(party=party, seq=int(seq), hash=signed.hash),)

    _write_action(db, key, agreement, build, as_json, "signature")


@agreement_app.command("final")
def agreement_final(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    note: Annotated[str, typer.Option("--note", help="A closing note.")] = "",
    as_json: JsonOption = False,
) -> None:
    """The outgoing administration's final entry, then the final checkpoint."""
    from glasnost.treaty import actions

    def build(node: Any, doc: Any, state: Any) -> tuple[str, Any, tuple[Any, ...]]:
        mine = state.parties[node.party]
        _, administration = node.signer(dt.datetime.now(dt.UTC))
        if mine.state != "in force" or mine.administration != administration.id:
            raise common.fail(
                f"{node.party} is {mine.state!r} under {mine.administration}; only the "
                "administration in force under the agreement writes final"
            )
        return "final", actions.final(doc, administration.id, note), ()

    _write_action(db, key, agreement, build, as_json, "final entry")


def _succession_refs(node: Any, state: Any) -> tuple[Any, Any]:
    """The pending final entry (a Ref) and the final checkpoint after it."""
    from glasnost.treaty.bodies import Ref

    mine = state.parties[node.party]
    if mine.state != "succession pending":
        raise common.fail(f"{node.party} is {mine.state!r}: there is no final entry to answer")
    party, seq_text = mine.causes[-1].split("#")
    seq = int(seq_text)
    signed = node.own.entry(seq)
    checkpoints = node.own.checkpoints(min_size=seq + 1)
    if not checkpoints:
        raise common.fail("the final entry has no checkpoint after it yet")
    return Ref(party=party, seq=seq, hash=signed.hash), checkpoints[0]


def _successor(node: Any, state: Any) -> str:
    _, administration = node.signer(dt.datetime.now(dt.UTC))
    outgoing = state.parties[node.party].administration
    order = [a.id for a in node.party_keys.administrations]
    expected = order[order.index(outgoing) + 1] if order.index(outgoing) + 1 < len(order) else None
    if administration.id != expected:
        raise common.fail(
            f"the key given is administration {administration.id}'s; the successor of "
            f"{outgoing} is {expected or 'not in the key record yet (keys add-administration)'}"
        )
    return str(administration.id)


@agreement_app.command("adopt")
def agreement_adopt(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """The successor administration adopts the agreement and continues the log."""
    from glasnost.treaty import actions

    def build(node: Any, doc: Any, state: Any) -> tuple[str, Any, tuple[Any, ...]]:
        final_ref, checkpoint = _succession_refs(node, state)
        successor = _successor(node, state)
        ref = actions.checkpoint_ref(node.own.origin, checkpoint)
        return "adopt", actions.adopt(doc, successor, ref), (final_ref,)

    _write_action(db, key, agreement, build, as_json, "adoption")


@agreement_app.command("refuse")
def agreement_refuse(
    reason: Annotated[str, typer.Option("--reason", help="Why, for the record.")],
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """The successor administration refuses the agreement."""
    from glasnost.treaty import actions

    def build(node: Any, doc: Any, state: Any) -> tuple[str, Any, tuple[Any, ...]]:
        final_ref, _ = _succession_refs(node, state)
        successor = _successor(node, state)
        return "refuse", actions.refuse(doc, successor, reason), (final_ref,)

    _write_action(db, key, agreement, build, as_json, "refusal")


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
    from glasnost.treaty import actions

    try:
        day = dt.date.fromisoformat(effective)
    except ValueError:
        raise typer.BadParameter(f"{effective!r} is not a date", param_hint="--effective") from None

    def build(node: Any, doc: Any, state: Any) -> tuple[str, Any, tuple[Any, ...]]:
        if not state.parties[node.party].state.startswith("in force"):
            raise common.fail(f"{node.party} is {state.parties[node.party].state!r}")
        return "withdraw", actions.withdraw(doc, day, reason), ()

    _write_action(db, key, agreement, build, as_json, "withdrawal")


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
    as_json: JsonOption = False,
) -> None:
    """Assess the postures as declared in the logs and record an assessment entry (inputs by
    entry hash, software, verdict, digest of the rounded results)."""
    from glasnost.treaty.confirmation import confirm_request

    with exchange_errors():
        node = open_node(db, key, needs_key=True)
        doc = open_agreement(agreement)
        written = confirm_request(node, doc)
    report_written(node, written, "assessment", as_json)


@confirm_app.command("check")
def confirm_check_command(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """Recompute every unanswered assessment of the other party from the same logged inputs;
    record a confirmation (same digest) or a dispute (with the differences)."""
    import json

    from glasnost.treaty.confirmation import confirm_check

    with exchange_errors():
        node = open_node(db, key, needs_key=True)
        doc = open_agreement(agreement)
        answers = confirm_check(node, doc)
    rows = [{"seq": w.seq, "hash": w.hash, "entry": json.loads(w.signed.entry)} for w in answers]
    if as_json:
        print_json(rows)
        return
    if not rows:
        common.console.print("no unanswered assessment of the other party")
    for row in rows:
        refs = ", ".join(f"{r['party']}#{r['seq']}" for r in row["entry"]["refs"])
        common.console.print(f"{node.party}#{row['seq']}: {row['entry']['type']} of {refs}")
