"""The log pages: both logs at a glance, a log's entries a page at a time, one entry with its
inclusion proof.

The receipt time of an entry is the treaty's (:mod:`glasnost.treaty.logs`): the earliest
cosignature by the other party of a checkpoint that covers it. A log's replay
(:meth:`LogStore.verify`) reads the whole log, so it runs only when asked and is kept per size.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from typing import Any

from fastapi import HTTPException

from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import open_note, parse_checkpoint, parse_note
from glasnost.exchange.entries import Entry
from glasnost.exchange.node import witness_verifiers
from glasnost.exchange.store import LogStore, StoredCheckpoint
from glasnost.service.pages.common import Site
from glasnost.treaty.logs import LoggedEntry, entry_label

__all__ = ["PAGE_SIZE", "entries", "entry", "overview", "summary"]

PAGE_SIZE = 100
"""Entries per page of a log."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def summary(entry: Entry) -> str:
    """One line about an entry's body, for tables."""
    body: Any = entry.body
    if entry.type == "declaration":
        what = f"{body.kind} as of {body.as_of}"
        posture = body.posture
        if posture is not None:
            p = posture.party
            what += (
                f": {len(p.interceptor_sites)} interceptor sites, {p.interceptors} interceptors, "
                f"{len(p.radars)} radars, {posture.strategic_forces.deployed_warheads} "
                "deployed warheads"
            )
        if body.commitments:
            what += f"; {len(body.commitments)} committed items"
        return what
    if entry.type == "notification":
        window = f"{body.window_start:%Y-%m-%d %H:%M} to {body.window_end:%Y-%m-%d %H:%M} UTC"
        event = body.event_type.replace("_", " ")
        return f"{body.phase.replace('_', '-')} {event}, {window}: {body.details}"
    if entry.type == "propose":
        return f"proposes {body.title!r} ({body.agreement_id})"
    if entry.type == "sign":
        return f"signs {body.agreement_id}"
    if entry.type == "assessment":
        verdict = "no threat" if body.verdict == "pass" else "threat"
        return f"verdict {verdict}, result {body.result_sha256[:12]}, by {body.software}"
    if entry.type == "confirmation":
        return f"confirms result {body.result_sha256[:12]}"
    for field in ("reason", "subject", "item", "note", "administration"):
        value = getattr(body, field, None)
        if value:
            return str(value)
    return ""


def _cosignatures(
    site: Site, store: LogStore, checkpoint: StoredCheckpoint
) -> list[dict[str, Any]]:
    """The cosignatures kept for a checkpoint: witness, verified time (the receipt)."""
    lines = store.cosignatures(checkpoint.size)
    out = []
    for other in site.stores():
        if other.origin == store.origin:
            continue
        line = lines.pop(other.origin, None)
        if line is None:
            continue
        _, verified = open_note(checkpoint.note + line, witness_verifiers(other.party_keys))
        stamp = verified[0].timestamp if verified else None
        out.append(
            {
                "witness": other.origin,
                "party": other.party,
                "verified": bool(verified),
                "at": None if stamp is None else dt.datetime.fromtimestamp(stamp, dt.UTC),
            }
        )
    for witness in sorted(lines):  # cosigned by a witness this node does not follow
        out.append({"witness": witness, "party": None, "verified": False, "at": None})
    return out


def _log_info(site: Site, store: LogStore, *, verify: bool) -> dict[str, Any]:
    size = store.size()
    latest = store.latest_checkpoint()
    report = site.verify(store, size) if verify else site.verified_report(store, size)
    return {
        "party": store.party,
        "party_name": site.party_name(store.party),
        "origin": store.origin,
        "role": "own" if store.origin == site.node.own.origin else "mirror",
        "size": size,
        "checkpoint": None
        if latest is None
        else {
            "size": latest.size,
            "root": _b64(latest.root),
            "note": latest.note,
            "cosignatures": _cosignatures(site, store, latest),
        },
        "verification": None
        if report is None
        else {"ok": report.ok, "text": str(report), "violation": str(report.violation or "")},
        "evidence": store.evidence(),
    }


def overview(site: Site, *, verify: bool = False) -> dict[str, Any]:
    """Both logs: size, latest checkpoint with its cosignatures, replay, evidence; the peers'
    acknowledgements of the own log."""
    deadline = dt.timedelta(hours=site.agreement.acknowledgement_hours)
    return {
        "logs": [_log_info(site, store, verify=verify) for store in site.stores()],
        "acknowledgements": [a.to_json() for a in site.node.acknowledgements(deadline)],
        "acknowledgement_hours": site.agreement.acknowledgement_hours,
        "own_size": site.node.own.size(),
        "verified_now": verify,
    }


def _row(item: LoggedEntry) -> dict[str, Any]:
    return {
        "seq": item.seq,
        "type": item.type,
        "created_at": item.created_at,
        "received_at": item.received_at,
        "hash": item.hash,
        "administration": item.administration,
        "refs": [entry_label(r.party, r.seq) for r in item.entry.refs],
        "summary": summary(item.entry),
    }


def _store(site: Site, party: str) -> LogStore:
    for store in site.stores():
        if store.party == party:
            return store
    known = ", ".join(site.parties())
    raise HTTPException(404, f"This node keeps no log of {party!r} (its logs: {known}).")


def entries(site: Site, party: str, page: int) -> dict[str, Any]:
    """A page of a log's entries (``page`` from 1), with receipt times."""
    store = _store(site, party)
    view = site.views()[store.party]
    size = len(view.entries)
    pages = max(1, math.ceil(size / PAGE_SIZE))
    if page > pages:
        raise HTTPException(404, f"{party}'s log has {size} entries: {pages} page(s).")
    start = (page - 1) * PAGE_SIZE
    return {
        "log_party": store.party,
        "log_party_name": site.party_name(store.party),
        "origin": store.origin,
        "role": "own" if store.origin == site.node.own.origin else "mirror",
        "size": size,
        "rows": [_row(e) for e in view.entries[start : start + PAGE_SIZE]],
        "page_number": page,
        "pages": pages,
        "first_seq": start,
    }


def entry(site: Site, party: str, seq: int) -> dict[str, Any]:
    """One entry: its JSON, signature and signer, receipt, and its inclusion proof against the
    latest checkpoint (or the whole log when no checkpoint covers it yet), verified."""
    store = _store(site, party)
    size = store.size()
    if seq >= size:
        raise HTTPException(404, f"{party}'s log has {size} entries: there is no entry {seq}.")
    signed = store.entry(seq)
    view = site.views()[store.party]
    logged = view.entries[seq]
    administration = store.party_keys.by_key_id(signed.key_id)
    latest = store.latest_checkpoint()
    if latest is not None and latest.size > seq:
        tree_size, root, against = latest.size, latest.root, "checkpoint"
    else:
        tree_size, root, against = size, store.root(size), "log"
    proof = store.inclusion_proof(seq, tree_size)
    verified = merkle.verify_inclusion(merkle.leaf_hash(signed.entry), seq, tree_size, proof, root)
    checkpoint = None
    if latest is not None and against == "checkpoint":
        origin = parse_checkpoint(parse_note(latest.note).text).origin
        checkpoint = {
            "size": latest.size,
            "origin": origin,
            "note": latest.note,
            "cosignatures": _cosignatures(site, store, latest),
        }
    return {
        "log_party": store.party,
        "log_party_name": site.party_name(store.party),
        "origin": store.origin,
        "seq": seq,
        "size": size,
        "row": _row(logged),
        "json": json.dumps(json.loads(signed.entry), indent=2, ensure_ascii=False),
        "signature": _b64(signed.signature),
        "key_id": signed.key_id,
        "administration": {
            "id": administration.id,
            "name": administration.name,
            "period": administration.period(),
        },
        "leaf_hash": merkle.leaf_hash(signed.entry).hex(),
        "proof": {
            "against": against,
            "tree_size": tree_size,
            "root": _b64(root),
            "hashes": [_b64(h) for h in proof],
            "verified": verified,
        },
        "checkpoint": checkpoint,
        "previous": seq - 1 if seq > 0 else None,
        "next": seq + 1 if seq + 1 < size else None,
    }
