"""``glasnost node``: make a database a party's node, share its key record, follow a peer,
show the node's logs and acknowledgements."""

from __future__ import annotations

import datetime as dt
import json
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
    check_database_path,
    exchange_errors,
    open_node,
    parse_time,
    print_json,
    read_key,
    read_party_keys,
)
from glasnost.cli.treaty import AgreementOption, open_agreement

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
    agreement: AgreementOption = "us-ru",
    as_json: JsonOption = False,
) -> None:
    """Make a database the node of a party of the agreement, with its (empty) log."""
    from glasnost.exchange.keys import Administration, PartyKeys
    from glasnost.exchange.node import Node

    parties = [p.id for p in open_agreement(agreement).parties]
    if party not in parties:
        raise common.fail(
            f"{party} is not a party of the agreement {agreement} ({', '.join(parties)})",
            where="--party",
        )
    check_database_path(db, exists=False)
    private = read_key(key)
    with exchange_errors():
        if keys_file is not None:
            party_keys = read_party_keys(keys_file)
            if party_keys.party != party:
                raise common.fail(
                    f"the record is party {party_keys.party}'s, not {party}", where="--keys"
                )
        else:
            start = parse_time(since, "--since") or dt.datetime.now(dt.UTC).replace(microsecond=0)
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
        print_json({**info, "party_keys": party_keys.model_dump(mode="json")})
        return
    common.console.print(f"node of {node.party} initialised in {escape(db)}: log {node.own.origin}")
    common.console.print("share its key record with the peer: glasnost node keys --out FILE")


@node_app.command("keys")
def node_keys(
    db: DbOption = "glasnost.db",
    out: Annotated[Path | None, typer.Option("--out", help="Write the record to FILE.")] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print JSON: the record, or with --out the file written and its party."
        ),
    ] = False,
) -> None:
    """Print (or write) the node's key record (JSON): what a peer needs to follow its log."""
    with exchange_errors():
        node = open_node(db)
        text = json.dumps(node.party_keys.model_dump(mode="json"), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise common.fail(f"{out}: cannot write ({exc.strerror})", where="--out") from None
    if as_json:
        print_json({"file": str(out), "party": node.party})
        return
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

    with exchange_errors():
        node = open_node(db)
        party_keys = read_party_keys(record)
        mirror = node.follow(party_keys)
    keys = [
        {"administration": a.id, "fingerprint": fingerprint(a.key), "period": a.period()}
        for a in party_keys.administrations
    ]
    if as_json:
        print_json(
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
    agreement: AgreementOption = "us-ru",
    ack_deadline_h: Annotated[
        float | None,
        typer.Option(
            "--ack-deadline-h",
            min=0,
            help="What if the acknowledgement deadline were this many hours (default: the "
            "agreement's acknowledgement_hours).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The node's logs (sizes, latest checkpoints, cosignatures, evidence) and the peers'
    acknowledgements of the own log: what is overdue past the agreement's deadline."""
    with exchange_errors():
        agreed = open_agreement(agreement).acknowledgement_hours
        if ack_deadline_h is None:
            ack_deadline_h = agreed
        elif not as_json:
            common.errors.print(
                f"[bold yellow]warning:[/] --ack-deadline-h {ack_deadline_h:g}: not the "
                f"agreement's deadline ({agreed:g} h); overdue counts are a what-if",
                soft_wrap=True,
            )
        node = open_node(db)
        logs = [_log_status(node, node.own, own=True)] + [
            _log_status(node, m, own=False) for m in node.peers()
        ]
        acks = node.acknowledgements(dt.timedelta(hours=ack_deadline_h))
    if as_json:
        print_json(
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


@node_app.command("backup")
def node_backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (must not exist).")],
    db: DbOption = "glasnost.db",
    as_json: JsonOption = False,
) -> None:
    """Back up the node's database while it runs: a consistent copy (SQLite online backup,
    the write-ahead log included) in one file, verified. For PostgreSQL, prints the pg_dump
    command to use."""
    from glasnost.exchange.backup import backup, pg_dump_guidance, sqlite_file

    path = sqlite_file(db)
    if path is None:
        common.errors.print(escape(pg_dump_guidance(db, out)), soft_wrap=True)
        raise typer.Exit(code=2)  # nothing written: a script must not take it for a backup
    with exchange_errors():
        open_node(db).engine.dispose()  # a node, and not a copy that lost its WAL
        backup(path, out)
        sizes = _verified_sizes(str(out))
    _report_copy("backup", db, out, sizes, as_json)


@node_app.command("restore")
def node_restore(
    backup_file: Annotated[Path, typer.Argument(help="A backup from glasnost node backup.")],
    db: DbOption = "glasnost.db",
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing database (its node stopped).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Restore a node's database from a backup: the backup is verified first (every log
    replayed); an existing database is replaced only with --force, and only while no node
    serves it."""
    import sqlite3

    import sqlalchemy.exc

    from glasnost.exchange.backup import pg_dump_guidance, restore, sqlite_file

    path = sqlite_file(db)
    if path is None:
        common.errors.print(escape(pg_dump_guidance(db, backup_file)), soft_wrap=True)
        raise typer.Exit(code=2)
    if not backup_file.is_file():
        raise common.fail(f"{escape(str(backup_file))}: no such file")
    if path.exists() and not force:
        raise common.fail(f"--db: {escape(db)} exists; give --force to replace it")
    with exchange_errors():
        try:
            sizes = _verified_sizes(str(backup_file))
        except (sqlalchemy.exc.DatabaseError, sqlite3.DatabaseError) as exc:
            reason = str(getattr(exc, "orig", None) or exc)
            raise common.fail(f"{escape(str(backup_file))}: not a node backup ({reason})") from None
        restore(backup_file, path)
        _verified_sizes(db)
    _report_copy("restored", str(backup_file), Path(db), sizes, as_json)


def _verified_sizes(db: str) -> dict[str, int]:
    """Every log of the node in ``db``, replayed and verified: its size by party."""
    from glasnost.exchange.errors import ExchangeError
    from glasnost.exchange.node import Node

    node = Node.open(db)
    try:
        sizes = {}
        for log in (node.own, *node.peers()):
            report = log.verify()
            if not report.ok:
                raise ExchangeError(f"log {log.origin} does not verify: {report}", where=db)
            sizes[log.party] = log.size()
        return sizes
    finally:
        node.engine.dispose()


def _report_copy(what: str, source: str, out: Path, sizes: dict[str, int], as_json: bool) -> None:
    if as_json:
        print_json({"from": source, "to": str(out), "logs": sizes, "verified": True})
        return
    held = ", ".join(f"{party} {size}" for party, size in sizes.items())
    common.console.print(f"{what} {escape(source)} -> {escape(str(out))}: logs verified ({held})")
