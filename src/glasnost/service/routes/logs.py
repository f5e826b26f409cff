"""Reading and writing the logs: health, the logs a node keeps, entries, checkpoints, proofs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import PlainTextResponse

from glasnost import __version__
from glasnost.exchange.entries import SignedEntry
from glasnost.service.auth import Authenticated
from glasnost.service.routes.common import (
    PAGE_MAX,
    NodeDep,
    PartyPrincipal,
    SettingsDep,
    SignedEntryJson,
    Submission,
    b64,
    log_info,
)

router = APIRouter()


@router.get("/v1/health", tags=["node"])
def health(node: NodeDep) -> dict[str, Any]:
    """Liveness and identity: the node's party and log origin (no signature needed)."""
    return {
        "status": "ok",
        "party": node.party,
        "origin": node.own.origin,
        "version": __version__,
    }


@router.get("/v1/logs", tags=["logs"])
def logs(node: NodeDep, principal: Authenticated) -> list[dict[str, Any]]:
    """Every log the node keeps: size, latest checkpoint, what this node cosigned."""
    return [log_info(node, store) for store in (node.own, *node.peers())]


@router.get("/v1/entries", tags=["logs"])
def entries(
    node: NodeDep,
    principal: Authenticated,
    start: Annotated[int, Query(ge=0, le=2**53)] = 0,
    end: Annotated[int | None, Query(ge=0, le=2**53)] = None,
    log: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    """Signed entries ``start <= seq < end`` (at most 1,000 per request)."""
    store = node.log(log)
    if end is not None and end < start:
        raise HTTPException(400, f"end {end} is before start {start}")
    stop = start + PAGE_MAX if end is None else min(end, start + PAGE_MAX)
    found = store.entries(start, stop)
    return {
        "origin": store.origin,
        "start": start,
        "entries": [e.to_json() for e in found],
    }


@router.get("/v1/checkpoint", tags=["logs"], response_class=PlainTextResponse)
def checkpoint(
    node: NodeDep,
    principal: Authenticated,
    log: Annotated[str | None, Query(max_length=255)] = None,
) -> str:
    """The latest signed checkpoint note, with the cosignature lines kept for it. For the
    node's own log, a fresh checkpoint is signed first if the log has grown."""
    note = node.published_checkpoint(log)
    if note is None:
        raise HTTPException(404, f"log {node.log(log).origin} has no checkpoint yet")
    return note


@router.get("/v1/proof/inclusion", tags=["proofs"])
def inclusion(
    node: NodeDep,
    principal: Authenticated,
    seq: Annotated[int, Query(ge=0, le=2**53)],
    size: Annotated[int | None, Query(ge=0, le=2**53)] = None,
    log: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``size`` (default: all)."""
    store = node.log(log)
    size = store.size() if size is None else size
    proof = store.inclusion_proof(seq, size)
    return {
        "origin": store.origin,
        "seq": seq,
        "size": size,
        "root": b64(store.root(size)),
        "proof": [b64(h) for h in proof],
    }


@router.get("/v1/proof/consistency", tags=["proofs"])
def consistency(
    node: NodeDep,
    principal: Authenticated,
    old: Annotated[int, Query(ge=1, le=2**53)],
    new: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    log: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    """RFC 9162 consistency proof from tree size ``old`` to ``new`` (default: all)."""
    store = node.log(log)
    new = store.size() if new is None else new
    proof = store.consistency_proof(old, new)
    return {
        "origin": store.origin,
        "old": old,
        "new": new,
        "proof": [b64(h) for h in proof],
    }


@router.get("/v1/peers", tags=["node"])
def peers(node: NodeDep, settings: SettingsDep, principal: Authenticated) -> dict[str, Any]:
    """Each peer: its mirror here, the acknowledgements of our log, evidence, sync state."""
    acknowledgements = {a.peer: a for a in node.acknowledgements(settings.acknowledgement_deadline)}
    out = []
    for mirror in node.peers():
        ack = acknowledgements[mirror.party]
        out.append(
            {
                **log_info(node, mirror),
                "acknowledged_size": ack.acknowledged_size,
                "acknowledgement_deadline_s": settings.acknowledgement_deadline.total_seconds(),
                "overdue_acknowledgements": ack.overdue,
                "first_overdue_seq": ack.first_overdue_seq,
                "evidence": mirror.evidence(),
            }
        )
    return {"peers": out, "sync": list(settings.peer_state.values())}


def _own_party(node: NodeDep, principal: PartyPrincipal) -> None:
    """Only the node's own party writes to its log (403 otherwise)."""
    if principal.id != node.party:
        raise HTTPException(
            403,
            f"this node's log takes entries of {node.party} only; {principal.id} writes "
            "to its own node",
        )


@router.post("/v1/submissions", tags=["logs"], status_code=201)
def write(node: NodeDep, principal: PartyPrincipal, submission: Submission) -> dict[str, Any]:
    """Write an entry into the own log: the node gives it the next seq and the time, signs it
    with the key of the administration in office and answers after the commit (own party
    only). Concurrent submissions are written in the order they arrive; none is refused for
    its position."""
    _own_party(node, principal)
    written = node.write(submission.type, submission.body, refs=submission.refs)
    return written.to_json()


@router.post("/v1/entries", tags=["logs"], status_code=201)
def submit(node: NodeDep, principal: PartyPrincipal, body: SignedEntryJson) -> dict[str, Any]:
    """Append an entry signed by the client (the own party's administration in office) to the
    own log. The entry names its seq, so it must be the next one (409 otherwise); concurrent
    writers use ``POST /v1/submissions``."""
    _own_party(node, principal)
    signed = SignedEntry.from_json(body.model_dump())
    in_office = node.party_keys.key_for(dt.datetime.now(dt.UTC))
    if node.party_keys.key_id(in_office) != signed.key_id:
        raise HTTPException(
            403,
            f"key {signed.key_id} is not the key of the administration in office "
            f"({in_office.id}, key {node.party_keys.key_id(in_office)})",
        )
    seq = node.own.size()
    node.own.append([signed])  # verifies it as entry seq; 409 if another came first
    return {"seq": seq, "hash": signed.hash}
