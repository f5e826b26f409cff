"""``glasnost keys``: administration keys (generate, add a successor's)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.shared import (
    DbOption,
    JsonOption,
    exchange_errors,
    first_error,
    open_node,
    parse_time,
    print_json,
    read_key,
)

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
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the key file if it exists (the old key is lost)."),
    ] = False,
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
    if out.exists() and not force:
        raise common.fail(
            f"{out} exists; refusing to overwrite a key (pass --force to replace it)",
            where="--out",
        )
    with exchange_errors():
        key = generate_key()
        write_private_key(out, key, overwrite=force)
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
        print_json(info)
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
    successor_key = read_key(key)
    start = parse_time(since, "--since") or dt.datetime.now(dt.UTC).replace(microsecond=0)
    with exchange_errors():
        node = open_node(db)
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
            raise KeyRecordError(first_error(exc), where="key record") from None
        node.extend_keys(newer)
    if as_json:
        print_json(newer.model_dump(mode="json"))
        return
    common.console.print(
        f"{record.party}: administration {administration} from {start.isoformat()}; "
        f"{last.id} ends then. Share the record: glasnost node keys --out FILE"
    )
