"""Commands of the exchange: keys, the node, declarations and notifications, the logs, the
witness. Every command that reports takes ``--json``; every error is one precise line and exit
code 2 (``glasnost log verify`` exits 1 when it finds a violation)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from glasnost.cli import common
from glasnost.cli.common import app

DB_ENV = "GLASNOST_DB"
KEY_ENV = "GLASNOST_KEY"

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help="The node's database: a SQLite file or a postgresql:// URL.",
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key", envvar=KEY_ENV, help="The party's private key file (PKCS #8 PEM, mode 600)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
LogOption = Annotated[
    str | None, typer.Option("--log", help="Whose log: a party id (default: the node's own).")
]
RefOption = Annotated[
    list[str] | None,
    typer.Option("--ref", help="An entry this one refers to, PARTY:SEQ (repeatable)."),
]


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the exchange's and the scenario's errors into one precise line and exit code 2."""
    import sqlalchemy.exc

    from glasnost.exchange.errors import ExchangeError
    from glasnost.scenario.loading import ScenarioError

    try:
        yield
    except ScenarioError as exc:
        for line in str(exc).splitlines():
            common.errors.print(f"[bold red]error:[/] {escape(line)}", soft_wrap=True)
        raise typer.Exit(code=2) from None
    except ExchangeError as exc:
        raise common.fail(escape(str(exc))) from None
    except sqlalchemy.exc.ArgumentError as exc:
        raise common.fail(f"--db: {escape(str(exc))}") from None
    except sqlalchemy.exc.OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise common.fail(f"database: {escape(reason)}") from None


def _read_key(path: Path | None) -> Any:
    from glasnost.exchange.keys import read_private_key

    if path is None:
        raise common.fail(f"this command signs: give --key FILE (or set {KEY_ENV})")
    return read_private_key(path)


def _open_node(db: str, key: Path | None = None, *, needs_key: bool = False) -> Any:
    from glasnost.exchange.node import Node

    if "://" not in db and not Path(db).exists():
        raise common.fail(f"--db: {db} does not exist; create it with glasnost node init")
    private = _read_key(key) if (needs_key or key is not None) else None
    return Node.open(db, key=private)


def _time_option(text: str | None, option: str) -> dt.datetime | None:
    """Parse a UTC time (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z]), naming the option on error."""
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a time YYYY-MM-DD[THH:MM[:SS]][Z]", param_hint=option
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _refs(node: Any, refs: list[str] | None) -> list[Any]:
    """Resolve PARTY:SEQ options to refs with the hash of the entry this node holds there."""
    from glasnost.exchange.bodies import Ref

    out = []
    for text in refs or []:
        party, _, seq_text = text.partition(":")
        if not party or not seq_text.isdigit():
            raise typer.BadParameter(f"{text!r} is not PARTY:SEQ", param_hint="--ref")
        signed = node.log(party).entry(int(seq_text))
        out.append(Ref(party=party, seq=int(seq_text), hash=signed.hash))
    return out


# --- keys ---------------------------------------------------------------------------------------

keys_app = typer.Typer(help="Ed25519 keys of the parties' administrations.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("generate")
def keys_generate(
    party: Annotated[str, typer.Option("--party", help="Party id, e.g. US.")],
    out: Annotated[Path, typer.Option("--out", help="Private key file to create (mode 600).")],
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="Key name of the party's log (default glasnost/PARTY)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate an administration's key; print its public key, key id and fingerprint."""
    from glasnost.exchange.keys import (
        fingerprint,
        generate_key,
        key_id,
        verifier_key,
        write_private_key,
    )

    name = origin or f"glasnost/{party}"
    with _errors():
        key = generate_key()
        write_private_key(out, key)
    public = key.public_key
    info = {
        "party": party,
        "file": str(out),
        "public_key": public.to_base64(),
        "key_name": name,
        "key_id": key_id(name, public),
        "verifier_key": verifier_key(name, public),
        "fingerprint": fingerprint(public),
    }
    if as_json:
        _print_json(info)
        return
    common.console.print(f"wrote {escape(str(out))} (mode 600); keep it secret")
    for field in ("public_key", "key_name", "key_id", "verifier_key", "fingerprint"):
        common.console.print(f"  {field:<13} {info[field]}", soft_wrap=True)


@keys_app.command("add-administration")
def keys_add_administration(
    db: DbOption = "glasnost.db",
    key: Annotated[
        Path | None, typer.Option("--key", help="The successor administration's key file.")
    ] = None,
    administration: Annotated[
        str, typer.Option("--administration", help="The successor's administration id.")
    ] = "",
    administration_name: Annotated[
        str | None, typer.Option("--administration-name", help="Its name, for people.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Start of its term, UTC (default: now).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a successor administration and its key to the node's key record (the outgoing term
    ends when the new one starts); share the record again with glasnost node keys."""
    from glasnost.exchange.errors import KeyRecordError
    from glasnost.exchange.keys import Administration

    if not administration:
        raise common.fail("--administration: give the successor's administration id")
    successor_key = _read_key(key)
    start = _time_option(since, "--since") or dt.datetime.now(dt.UTC).replace(microsecond=0)
    with _errors():
        node = _open_node(db)
        record = node.party_keys
        last = record.administrations[-1]
        ended = last.model_copy(update={"valid_until": start}) if last.valid_until is None else last
        newer = record.model_copy(
            update={
                "administrations": (
                    *record.administrations[:-1],
                    ended,
                    Administration(
                        party=record.party,
                        id=administration,
                        name=administration_name
                        or f"{record.party} administration from {start.date()}",
                        public_key=successor_key.public_key.to_base64(),
                        valid_from=start,
                    ),
                )
            }
        )
        try:
            newer = type(record).model_validate(newer.model_dump())
        except ValueError as exc:
            raise KeyRecordError(_first_error(exc), where="key record") from None
        node.extend_keys(newer)
    if as_json:
        _print_json(newer.model_dump(mode="json"))
        return
    common.console.print(
        f"{record.party}: administration {administration} from {start.isoformat()}; "
        f"{last.id} ends then. Share the record: glasnost node keys --out FILE"
    )


# --- node ---------------------------------------------------------------------------------------

node_app = typer.Typer(
    help="The party's node: its database, its log, its peers.", no_args_is_help=True
)
app.add_typer(node_app, name="node")


@node_app.command("init")
def node_init(
    party: Annotated[str, typer.Option("--party", help="The node's party id, e.g. US.")],
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="Key name of the party's log (default glasnost/PARTY)."),
    ] = None,
    administration: Annotated[
        str | None,
        typer.Option("--administration", help="Administration id (default PARTY-YEAR)."),
    ] = None,
    administration_name: Annotated[
        str | None, typer.Option("--administration-name", help="Its name, for people.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Start of its term, UTC (default: now)."),
    ] = None,
    keys_file: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            help="The party's full key record (JSON: party, key_name, administrations) "
            "instead of one administration built from the options.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Make a database the node of a party, with its (empty) log."""
    from glasnost.exchange.keys import Administration, PartyKeys
    from glasnost.exchange.node import Node

    private = _read_key(key)
    with _errors():
        if keys_file is not None:
            party_keys = _read_party_keys(keys_file)
            if party_keys.party != party:
                raise common.fail(f"--keys: the record is party {party_keys.party}'s, not {party}")
        else:
            start = _time_option(since, "--since") or dt.datetime.now(dt.UTC).replace(microsecond=0)
            party_keys = PartyKeys(
                party=party,
                key_name=origin or f"glasnost/{party}",
                administrations=(
                    Administration(
                        party=party,
                        id=administration or f"{party.lower()}-{start.year}",
                        name=administration_name or f"{party} administration from {start.date()}",
                        public_key=private.public_key.to_base64(),
                        valid_from=start,
                    ),
                ),
            )
        node = Node.init(db, party_keys, private)
    info = {"db": db, "party": node.party, "origin": node.own.origin, "size": 0}
    if as_json:
        _print_json({**info, "party_keys": party_keys.model_dump(mode="json")})
        return
    common.console.print(f"node of {node.party} initialised in {escape(db)}: log {node.own.origin}")
    common.console.print("share its key record with the peer: glasnost node keys --out FILE")


def _read_party_keys(path: Path) -> Any:
    from glasnost.exchange.keys import PartyKeys
    from glasnost.scenario.loading import load_model

    return load_model(path, PartyKeys, what="key record")


@node_app.command("keys")
def node_keys(
    db: DbOption = "glasnost.db",
    out: Annotated[Path | None, typer.Option("--out", help="Write the record to FILE.")] = None,
) -> None:
    """Print (or write) the node's key record: what a peer needs to follow its log."""
    with _errors():
        node = _open_node(db)
        text = json.dumps(node.party_keys.model_dump(mode="json"), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    common.console.print(f"wrote {escape(str(out))}")


@node_app.command("follow")
def node_follow(
    record: Annotated[
        Path, typer.Argument(help="The peer's key record (from glasnost node keys).")
    ],
    db: DbOption = "glasnost.db",
    as_json: JsonOption = False,
) -> None:
    """Start mirroring a peer's log: trust its key record (compare fingerprints out of band)."""
    from glasnost.exchange.keys import fingerprint

    with _errors():
        node = _open_node(db)
        party_keys = _read_party_keys(record)
        mirror = node.follow(party_keys)
    keys = [
        {"administration": a.id, "fingerprint": fingerprint(a.key), "period": a.period()}
        for a in party_keys.administrations
    ]
    if as_json:
        _print_json(
            {"party": mirror.party, "origin": mirror.origin, "size": mirror.size(), "keys": keys}
        )
        return
    common.console.print(
        f"following {mirror.party} (log {mirror.origin}, {mirror.size()} entries held)"
    )
    for k in keys:
        common.console.print(f"  {k['administration']}: {k['fingerprint']} {k['period']}")


@node_app.command("status")
def node_status(
    db: DbOption = "glasnost.db",
    ack_deadline_h: Annotated[
        float, typer.Option("--ack-deadline-h", min=0, help="Acknowledgement deadline (hours).")
    ] = 24.0,
    as_json: JsonOption = False,
) -> None:
    """The node's logs (sizes, latest checkpoints, cosignatures, evidence) and the peers'
    acknowledgements of the own log: what is overdue past the deadline."""
    with _errors():
        node = _open_node(db)
        logs = [_log_status(node, node.own, own=True)] + [
            _log_status(node, m, own=False) for m in node.peers()
        ]
        acks = node.acknowledgements(dt.timedelta(hours=ack_deadline_h))
    if as_json:
        _print_json(
            {
                "party": node.party,
                "origin": node.own.origin,
                "logs": logs,
                "acknowledgements": [a.to_json() for a in acks],
            }
        )
        return
    table = Table(title=f"node of {node.party}", title_justify="left")
    for column in ("log", "role", "entries", "checkpoint", "cosigned by", "evidence"):
        table.add_column(column)
    for log in logs:
        checkpoint = log["checkpoint"]
        table.add_row(
            f"{log['party']} ({log['origin']})",
            "own" if log["own"] else "mirror",
            str(log["size"]),
            "-" if checkpoint is None else str(checkpoint["size"]),
            ", ".join(checkpoint["cosignatures"]) if checkpoint else "-",
            str(log["evidence"]) if log["evidence"] else "-",
        )
    common.console.print(table)
    for ack in acks:
        line = f"{ack.peer} acknowledged {ack.acknowledged_size} of {node.own.size()} entries"
        if ack.overdue:
            line += (
                f"; [bold red]{ack.overdue} overdue[/] (past {ack_deadline_h:g} h, "
                f"from #{ack.first_overdue_seq})"
            )
        common.console.print(line)


def _log_status(node: Any, log: Any, *, own: bool) -> dict[str, Any]:
    import base64

    latest = log.latest_checkpoint()
    checkpoint = None
    if latest is not None:
        checkpoint = {
            "size": latest.size,
            "root": base64.b64encode(latest.root).decode(),
            "cosignatures": sorted(log.cosignatures(latest.size)),
        }
    return {
        "party": log.party,
        "origin": log.origin,
        "own": own,
        "size": log.size(),
        "checkpoint": checkpoint,
        "evidence": len(log.evidence()),
    }


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
            help="Declare the node party's posture from a scenario instead: a built-in name "
            "(us-ru) or a scenario file.",
        ),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="With --scenario: baseline | periodic_update | change.")
    ] = "baseline",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="With --scenario: the posture's date.")
    ] = None,
    refs: RefOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sign and append a declaration to the node's own log."""
    from glasnost.exchange.bodies import Declaration
    from glasnost.exchange.postures import declaration_from_scenario
    from glasnost.scenario.builtin import BUILTIN_NAMES, builtin_scenario
    from glasnost.scenario.loading import load_model, load_scenario

    if (file is None) == (scenario is None):
        raise common.fail("give a declaration FILE or --scenario, not both")
    with _errors():
        node = _open_node(db, key, needs_key=True)
        if file is not None:
            body = load_model(file, Declaration, what="declaration")
        else:
            assert scenario is not None
            source = (
                builtin_scenario(scenario) if scenario in BUILTIN_NAMES else load_scenario(scenario)
            )
            date = _date(as_of)
            if date is not None:
                source = source.on(date)
            body = declaration_from_scenario(source, node.party, kind=kind)
        written = node.write("declaration", body, refs=_refs(node, refs))
    _report_written(node, written, "declaration", as_json)


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date YYYY-MM-DD", param_hint="--as-of"
        ) from None


def _report_written(node: Any, written: Any, what: str, as_json: bool) -> None:
    if as_json:
        _print_json({"party": node.party, "type": what, **written.to_json()})
        return
    common.console.print(
        f"{what} appended to {node.party}'s log: seq {written.seq}, sha256 {written.hash}"
    )


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
    as_json: JsonOption = False,
) -> None:
    """Sign and append a notification of an event to the node's own log."""
    from glasnost.exchange.bodies import Notification
    from glasnost.exchange.errors import SchemaError

    start = _time_option(window_start, "--window-start")
    end = _time_option(window_end, "--window-end")
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
    with _errors():
        node = _open_node(db, key, needs_key=True)
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
            raise SchemaError(_first_error(exc), where="notification") from None
        written = node.write("notification", body, refs=_refs(node, refs))
    _report_written(node, written, "notification", as_json)


def _first_error(exc: Exception) -> str:
    from pydantic import ValidationError

    from glasnost.scenario.models import dotted

    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{dotted(e['loc']) or '(body)'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
    return str(exc)


# --- log ----------------------------------------------------------------------------------------

log_app = typer.Typer(
    help="The logs: show, verify, prove, checkpoint, export and import.", no_args_is_help=True
)
app.add_typer(log_app, name="log")


@log_app.command("show")
def log_show(
    db: DbOption = "glasnost.db",
    log: LogOption = None,
    start: Annotated[int, typer.Option("--start", min=0, help="First seq.")] = 0,
    end: Annotated[int | None, typer.Option("--end", min=0, help="Stop before this seq.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The entries of a log (the node's own by default)."""
    from glasnost.exchange.entries import parse_entry

    with _errors():
        node = _open_node(db)
        store = node.log(log)
        entries = store.entries(start, end)
    rows = []
    for seq, signed in enumerate(entries, start=start):
        entry = parse_entry(json.loads(signed.entry))
        rows.append(
            {
                "seq": seq,
                "type": entry.type,
                "created_at": json.loads(signed.entry)["created_at"],
                "hash": signed.hash,
                "key_id": signed.key_id,
                "refs": [f"{r.party}:{r.seq}" for r in entry.refs],
                "summary": _summary(entry),
            }
        )
    if as_json:
        _print_json(
            {"origin": store.origin, "party": store.party, "size": store.size(), "entries": rows}
        )
        return
    common.console.print(f"[bold]log {store.origin}[/]: {store.size()} entries")
    for row in rows:
        refs = f"  refs {', '.join(row['refs'])}" if row["refs"] else ""
        common.console.print(
            f"  [bold]#{row['seq']:<4}[/] {row['type']:<13} {row['created_at']}  "
            f"[dim]{row['hash'][:12]}[/]{refs}",
            soft_wrap=True,
        )
        if row["summary"]:
            common.console.print(Padding(escape(row["summary"]), (0, 0, 0, 8)))


def _summary(entry: Any) -> str:
    body = entry.body
    if entry.type == "declaration":
        posture = body.posture
        what = f"{body.kind} as of {body.as_of}"
        if posture is not None:
            p = posture.party
            what += (
                f": {len(p.interceptor_sites)} sites, {p.interceptors} interceptors, "
                f"{len(p.radars)} radars, {posture.strategic_forces.deployed_warheads} warheads"
            )
        if body.commitments:
            what += f", {len(body.commitments)} committed items"
        return what
    if entry.type == "notification":
        window = f"{body.window_start:%Y-%m-%d %H:%M} to {body.window_end:%Y-%m-%d %H:%M}"
        return f"{body.phase} {body.event_type} {window}: {body.details}"
    for field in ("title", "reason", "subject", "item", "note"):
        value = getattr(body, field, None)
        if value:
            return str(value)
    return ""


@log_app.command("verify")
def log_verify(
    db: DbOption = "glasnost.db",
    log: LogOption = None,
    all_logs: Annotated[
        bool, typer.Option("--all", help="Verify every log the node keeps.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Replay a log from the stored rows: every signature, sequence, schema, node hash,
    checkpoint and cosignature. Exit 1 and name the first violation if any."""
    with _errors():
        node = _open_node(db)
        stores = [node.own, *node.peers()] if all_logs else [node.log(log)]
        reports = [(s, s.verify()) for s in stores]
    results = [
        {
            "origin": s.origin,
            "party": s.party,
            "ok": r.ok,
            "size": s.size(),
            "violation": None if r.violation is None else str(r.violation),
        }
        for s, r in reports
    ]
    if as_json:
        _print_json({"ok": all(r["ok"] for r in results), "logs": results})
    else:
        for r in results:
            if r["ok"]:
                common.console.print(f"ok: log {r['origin']}: {r['size']} entries verify")
            else:
                common.errors.print(
                    f"[bold red]violation:[/] log {r['origin']}: {escape(r['violation'])}",
                    soft_wrap=True,
                )
    if not all(r["ok"] for r in results):
        raise typer.Exit(code=1)


@log_app.command("prove")
def log_prove(
    db: DbOption = "glasnost.db",
    seq: Annotated[
        int | None, typer.Option("--seq", min=0, help="Prove this entry's inclusion.")
    ] = None,
    consistency: Annotated[
        int | None, typer.Option("--consistency", min=0, help="Prove consistency from this size.")
    ] = None,
    size: Annotated[
        int | None,
        typer.Option("--size", min=0, help="Tree size (default: the latest checkpoint's)."),
    ] = None,
    log: LogOption = None,
    as_json: JsonOption = False,
) -> None:
    """An inclusion proof of an entry, or a consistency proof between two tree sizes, checked
    against the stored checkpoint before it is printed."""
    import base64

    from glasnost.exchange import merkle

    if (seq is None) == (consistency is None):
        raise common.fail("give --seq N (inclusion) or --consistency OLD (consistency)")
    with _errors():
        node = _open_node(db)
        store = node.log(log)
        latest = store.latest_checkpoint()
        tree_size = size if size is not None else (latest.size if latest else store.size())
        checkpoint = store.checkpoint(tree_size)
        root = store.root(tree_size)
        if seq is not None:
            proof = store.inclusion_proof(seq, tree_size)
            leaf = merkle.leaf_hash(store.entry(seq).entry)
            ok = merkle.verify_inclusion(leaf, seq, tree_size, proof, root)
            out: dict[str, Any] = {
                "kind": "inclusion",
                "seq": seq,
                "leaf_hash": base64.b64encode(leaf).decode(),
            }
        else:
            assert consistency is not None
            proof = store.consistency_proof(consistency, tree_size)
            old_root = store.root(consistency)
            ok = consistency == 0 or merkle.verify_consistency(
                consistency, tree_size, old_root, root, proof
            )
            out = {
                "kind": "consistency",
                "old_size": consistency,
                "old_root": base64.b64encode(old_root).decode(),
            }
    out.update(
        {
            "origin": store.origin,
            "size": tree_size,
            "root": base64.b64encode(root).decode(),
            "proof": [base64.b64encode(h).decode() for h in proof],
            "verified": ok,
            "checkpoint": None if checkpoint is None else checkpoint.note,
        }
    )
    if not ok:  # the stored tree contradicts itself: report, do not print a bad proof as good
        raise common.fail(f"log {store.origin}: the proof does not verify; run glasnost log verify")
    if as_json:
        _print_json(out)
        return
    what = f"entry {seq}" if seq is not None else f"size {consistency}"
    common.console.print(f"{out['kind']} proof of {what} in log {store.origin} at size {tree_size}")
    common.console.print(f"  root  {out['root']}")
    for n, h in enumerate(out["proof"]):
        common.console.print(f"  [{n}]   {h}")
    if checkpoint is None:
        common.console.print(
            "  (no signed checkpoint of this size: make one with glasnost log checkpoint)"
        )
    else:
        common.console.print("  signed checkpoint:")
        common.console.print(escape(checkpoint.note), soft_wrap=True)


@log_app.command("checkpoint")
def log_checkpoint(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    cosigned: Annotated[
        Path | None,
        typer.Option(
            "--cosigned",
            help="Instead: keep the peers' cosignatures found in this note (from glasnost "
            "witness cosign on the peer's node).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Sign a checkpoint of the node's own log at its current size (and print the note)."""
    with _errors():
        if cosigned is not None:
            node = _open_node(db)
            note = _read_text(cosigned, "--cosigned")
            added = node.add_cosignatures(note)
            if as_json:
                _print_json({"cosignatures": added})
            else:
                for witness, timestamp in added.items():
                    when = dt.datetime.fromtimestamp(timestamp, dt.UTC)
                    common.console.print(
                        f"kept cosignature of {witness} (received {when:%Y-%m-%d %H:%M:%S}Z)"
                    )
            return
        node = _open_node(db, key, needs_key=True)
        stored = node.checkpoint()
    if as_json:
        import base64

        _print_json(
            {
                "origin": node.own.origin,
                "size": stored.size,
                "root": base64.b64encode(stored.root).decode(),
                "note": stored.note,
            }
        )
        return
    sys.stdout.write(stored.note)


def _read_text(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise common.fail(f"{option}: {path}: cannot read ({exc})") from None


@log_app.command("export")
def log_export(
    out: Annotated[Path, typer.Option("--out", help="Bundle file to write (.json or .json.gz).")],
    db: DbOption = "glasnost.db",
    log: LogOption = None,
    start: Annotated[
        int, typer.Option("--start", min=0, help="From this size: 0 or a checkpoint's size.")
    ] = 0,
    as_json: JsonOption = False,
) -> None:
    """Write a bundle (entries, checkpoints with cosignatures, proofs) up to the latest signed
    checkpoint, for a peer that imports by courier."""
    from glasnost.exchange.bundle import export_bundle

    with _errors():
        node = _open_node(db)
        store = node.log(log)
        bundle = export_bundle(store, start=start)
    data = json.dumps(bundle, indent=1).encode("utf-8") + b"\n"
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(gzip.compress(data, mtime=0) if out.suffix == ".gz" else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise common.fail(f"--out: {out}: {exc.strerror}") from None
    info = {
        "file": str(out),
        "origin": bundle["origin"],
        "start": bundle["start"],
        "size": bundle["size"],
        "checkpoints": len(bundle["checkpoints"]),
    }
    if as_json:
        _print_json(info)
        return
    common.console.print(
        f"wrote {escape(str(out))}: log {info['origin']} entries "
        f"{info['start']}..{info['size'] - 1}, "
        f"{info['checkpoints']} signed checkpoints"
    )


@log_app.command("import")
def log_import(
    file: Annotated[Path, typer.Argument(help="Bundle from the peer's glasnost log export.")],
    db: DbOption = "glasnost.db",
    as_json: JsonOption = False,
) -> None:
    """Verify a peer's bundle completely, then add what is new to the node's mirror of that
    log (follow the peer first: glasnost node follow RECORD)."""
    from glasnost.exchange.bundle import import_bundle
    from glasnost.exchange.errors import BundleError
    from glasnost.exchange.node import witness_verifiers

    with _errors():
        node = _open_node(db)
        raw = _read_bytes(file)
        try:
            bundle = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        except (ValueError, OSError, EOFError) as exc:
            raise BundleError(f"{file}: not a JSON bundle ({exc})") from None
        origin = bundle.get("origin") if isinstance(bundle, dict) else None
        mirrors = {m.origin: m for m in node.peers()}
        if origin == node.own.origin:
            raise BundleError(f"{file}: is a bundle of this node's own log")
        if origin not in mirrors:
            followed = ", ".join(mirrors) or "none"
            raise BundleError(
                f"{file}: log {origin!r} is not followed by this node (followed: {followed}); "
                "run glasnost node follow RECORD first"
            )
        mirror = mirrors[origin]
        witnesses = witness_verifiers(node.party_keys) + [
            v for m in mirrors.values() if m is not mirror for v in witness_verifiers(m.party_keys)
        ]
        report = import_bundle(node.engine, bundle, mirror.party_keys, witnesses=witnesses)
    if as_json:
        _print_json(report.to_json())
        return
    common.console.print(
        f"imported log {report.origin}: {report.new_entries} new entries, now {report.size}; "
        f"{report.checkpoints_added} checkpoints, {report.cosignatures_added} cosignatures kept"
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise common.fail(f"{path}: cannot read ({exc.strerror})") from None


# --- witness ------------------------------------------------------------------------------------

witness_app = typer.Typer(
    help="Cosign the peers' checkpoints (acknowledge receipt).", no_args_is_help=True
)
app.add_typer(witness_app, name="witness")


@witness_app.command("cosign")
def witness_cosign(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    log: Annotated[
        str, typer.Option("--log", help="The peer party whose checkpoint to cosign.")
    ] = "",
    note: Annotated[
        Path | None,
        typer.Option("--note", help="A signed checkpoint note (default: the mirror's latest)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the cosigned note to FILE.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Verify a peer's checkpoint against the last one this node cosigned (consistency proof
    from the mirror's own tree) and cosign it; the timestamp is the receipt time."""
    from glasnost.exchange.checkpoint import add_signatures

    with _errors():
        node = _open_node(db, key, needs_key=True)
        if not log:
            peers = node.peers()
            if len(peers) != 1:
                raise common.fail("--log: name the peer party to cosign for")
            log = peers[0].party
        mirror = node.log(log)
        if mirror is node.own:
            raise common.fail("--log: a node cosigns its peers' checkpoints, not its own")
        if note is not None:
            text = _read_text(note, "--note")
        else:
            latest = mirror.latest_checkpoint()
            if latest is None:
                raise common.fail(
                    f"log {mirror.origin}: no checkpoint received yet; import or sync first"
                )
            text = latest.note
        line = node.cosign(text)
    cosigned_note = add_signatures(text, [line])
    if out is not None:
        out.write_text(cosigned_note, encoding="utf-8")
    if as_json:
        _print_json({"origin": mirror.origin, "line": line, "note": cosigned_note})
        return
    if out is not None:
        common.console.print(f"cosigned; wrote {escape(str(out))} (return it to {mirror.party})")
        return
    sys.stdout.write(cosigned_note)
