"""Options and helpers shared by the commands of the exchange, the service and the agreement:
the node's database and key, ``--json``, refs, times, and one precise line (exit code 2) for
every error of the exchange or of an input file."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from glasnost.cli import common

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
NodeUrlOption = Annotated[
    str | None,
    typer.Option(
        "--node",
        metavar="URL",
        help="Submit to the party's running node at URL (it gives the seq and signs, the one "
        "writer of its log) instead of writing --db; --key signs the request.",
    ),
]
RefOption = Annotated[
    list[str] | None,
    typer.Option("--ref", help="An entry this one refers to, PARTY:SEQ (repeatable)."),
]


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


@contextmanager
def exchange_errors() -> Iterator[None]:
    """The database's errors as one precise line and exit code 2 (the ledger's own errors are
    answered by the one handler, :class:`glasnost.cli.common.GlasnostGroup`).

    Every ledger command runs in it, so it also registers the agreement's entry types with the
    ledger (importing :mod:`glasnost.treaty`) before any entry is read or written."""
    import sqlalchemy.exc

    import glasnost.treaty  # noqa: F401 (registers the entry types)

    try:
        yield
    except sqlalchemy.exc.ArgumentError as exc:
        raise common.fail(str(exc), where="--db") from None
    except sqlalchemy.exc.DatabaseError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise common.fail(reason, where="database") from None


SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file (an empty file is an empty database)."""


def check_database_path(db: str, *, exists: bool) -> None:
    """Refuse a ``--db`` that cannot be a node's SQLite database, naming it: a folder, a file
    that is not SQLite, or (``exists``) no file at all. URLs (``postgresql://``) pass."""
    if "://" in db:
        return
    path = Path(db)
    if path.is_dir():
        raise common.fail(f"{db} is a directory, not a database file", where="--db")
    if not path.exists():
        if exists:
            raise common.fail(
                f"{db} does not exist; create it with glasnost node init", where="--db"
            )
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise common.fail(f"{db}: cannot read ({exc.strerror})", where="--db") from None
    if header and header != SQLITE_HEADER:
        raise common.fail(
            f"{db} is not a SQLite database (glasnost node init makes one)", where="--db"
        )


def read_key(path: Path | None) -> Any:
    from glasnost.exchange.keys import read_private_key

    if path is None:
        raise common.fail(f"this command signs: give --key FILE (or set {KEY_ENV})")
    return read_private_key(path)


def open_node(db: str, key: Path | None = None, *, needs_key: bool = False) -> Any:
    from glasnost.exchange.node import Node

    check_database_path(db, exists=True)
    private = read_key(key) if (needs_key or key is not None) else None
    return Node.open(db, key=private)


def parse_time(text: str | None, option: str) -> dt.datetime | None:
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


def resolve_refs(node: Any, refs: list[str] | None) -> list[Any]:
    """Resolve PARTY:SEQ (or PARTY#SEQ) options to refs with the hash of the entry this node
    holds there."""
    from glasnost.treaty.bodies import Ref
    from glasnost.treaty.logs import parse_entry_label

    out = []
    for text in refs or []:
        position = parse_entry_label(text)
        if position is None:
            raise typer.BadParameter(f"{text!r} is not PARTY:SEQ", param_hint="--ref")
        party, seq = position
        out.append(Ref(party=party, seq=seq, hash=node.log(party).entry(seq).hash))
    return out


def submit_to_node(
    url: str,
    key: Path | None,
    entry_type: str,
    body_for: Callable[[str], Any],
    refs: list[str] | None,
    as_json: bool,
) -> None:
    """Write an entry through the party's running node (``POST /v1/submissions``) and report
    it as :func:`report_written` does; ``body_for(party)`` makes the body for the node's party."""
    from glasnost.service.client import NodeClient
    from glasnost.treaty.bodies import Ref
    from glasnost.treaty.logs import parse_entry_label

    positions = []
    for text in refs or []:
        position = parse_entry_label(text)
        if position is None:
            raise typer.BadParameter(f"{text!r} is not PARTY:SEQ", param_hint="--ref")
        positions.append(position)
    with NodeClient(url, read_key(key)) as client:
        body = body_for(client.party)
        resolved = [Ref(party=p, seq=n, hash=client.entry_hash(p, n)) for p, n in positions]
        written = client.submit(entry_type, body.model_dump(mode="json"), resolved)
    if as_json:
        print_json({"party": client.party, "type": entry_type, **written})
        return
    common.console.print(
        f"{entry_type} appended to {client.party}'s log: seq {written['seq']}, "
        f"sha256 {written['hash']}"
    )


def read_party_keys(path: Path) -> Any:
    from glasnost.common.documents import load_model
    from glasnost.exchange.keys import PartyKeys

    return load_model(path, PartyKeys, what="key record")


def report_written(node: Any, written: Any, what: str, as_json: bool) -> None:
    if as_json:
        print_json({"party": node.party, "type": what, **written.to_json()})
        return
    common.console.print(
        f"{what} appended to {node.party}'s log: seq {written.seq}, sha256 {written.hash}"
    )


def first_error(exc: Exception) -> str:
    from pydantic import ValidationError

    from glasnost.common.ids import dotted

    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{dotted(e['loc']) or '(body)'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
    return str(exc)


def read_text(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise common.fail(f"{option}: {path}: cannot read ({exc})") from None


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise common.fail(f"{path}: cannot read ({exc.strerror})") from None


def parse_date(text: str | None, option: str = "--as-of") -> dt.date | None:
    """Parse a date (YYYY-MM-DD), naming the option on error; None stays None."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD", param_hint=option) from None


def warn_outside_catalog(
    scenario: Any, source: str | None, date: dt.date | None, option: str, *, quiet: bool = False
) -> None:
    """Warn (unless ``quiet``) when a built-in scenario (``source`` None or a built-in name) is
    asked for its posture on a date outside the years its catalog describes."""
    from glasnost.scenario.builtin import BUILTIN_NAMES, outside_catalog_years

    if date is None or quiet or (source or "us-ru") not in BUILTIN_NAMES:
        return
    reason = outside_catalog_years(scenario, date)
    if reason is not None:
        common.warn(f"{option} {reason}")
