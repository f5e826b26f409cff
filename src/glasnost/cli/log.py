"""``glasnost log`` (show, verify, prove, checkpoint, export, import) and ``glasnost witness
cosign``. ``glasnost log verify`` exits 1 when it finds a violation."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.padding import Padding

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.shared import (
    DbOption,
    JsonOption,
    KeyOption,
    LogOption,
    exchange_errors,
    open_node,
    print_json,
    read_bytes,
    read_text,
)

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

    with exchange_errors():
        node = open_node(db)
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
        print_json(
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
    with exchange_errors():
        node = open_node(db)
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
        print_json({"ok": all(r["ok"] for r in results), "logs": results})
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
    with exchange_errors():
        node = open_node(db)
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
        print_json(out)
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
    with exchange_errors():
        if cosigned is not None:
            node = open_node(db)
            note = read_text(cosigned, "--cosigned")
            added = node.add_cosignatures(note)
            if as_json:
                print_json({"cosignatures": added})
            else:
                for witness, timestamp in added.items():
                    when = dt.datetime.fromtimestamp(timestamp, dt.UTC)
                    common.console.print(
                        f"kept cosignature of {witness} (received {when:%Y-%m-%d %H:%M:%S}Z)"
                    )
            return
        node = open_node(db, key, needs_key=True)
        stored = node.checkpoint()
    if as_json:
        import base64

        print_json(
            {
                "origin": node.own.origin,
                "size": stored.size,
                "root": base64.b64encode(stored.root).decode(),
                "note": stored.note,
            }
        )
        return
    sys.stdout.write(stored.note)


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

    with exchange_errors():
        node = open_node(db)
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
        print_json(info)
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
    from glasnost.exchange.bundle_file import load_bundle
    from glasnost.exchange.errors import BundleError
    from glasnost.exchange.node import witness_verifiers

    with exchange_errors():
        node = open_node(db)
        bundle = load_bundle(read_bytes(file), str(file))
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
        print_json(report.to_json())
        return
    common.console.print(
        f"imported log {report.origin}: {report.new_entries} new entries, now {report.size}; "
        f"{report.checkpoints_added} checkpoints, {report.cosignatures_added} cosignatures kept"
    )


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

    with exchange_errors():
        node = open_node(db, key, needs_key=True)
        if not log:
            peers = node.peers()
            if len(peers) != 1:
                raise common.fail("--log: name the peer party to cosign for")
            log = peers[0].party
        mirror = node.log(log)
        if mirror is node.own:
            raise common.fail("--log: a node cosigns its peers' checkpoints, not its own")
        if note is not None:
            text = read_text(note, "--note")
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
        print_json({"origin": mirror.origin, "line": line, "note": cosigned_note})
        return
    if out is not None:
        common.console.print(f"cosigned; wrote {escape(str(out))} (return it to {mirror.party})")
        return
    sys.stdout.write(cosigned_note)
