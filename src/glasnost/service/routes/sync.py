"""A peer's writes during a sync: its entries into its mirror here, its checkpoint to this
node's witness (C2SP add-checkpoint), and its cosignature of our checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from glasnost.exchange.checkpoint import decode_add_checkpoint, parse_checkpoint, parse_note
from glasnost.exchange.entries import SignedEntry
from glasnost.exchange.errors import ConflictError
from glasnost.exchange.replication import conflicting_entry
from glasnost.service.routes.common import (
    CosignedNote,
    EntriesPush,
    NodeDep,
    PartyPrincipal,
    mirror_of_sender,
)

router = APIRouter()


@router.post("/v1/mirror/entries", tags=["sync"])
def push_entries(node: NodeDep, principal: PartyPrincipal, body: EntriesPush) -> dict[str, Any]:
    """A peer pushes a page of its own log's entries, from this mirror's size."""
    mirror = mirror_of_sender(node, principal)
    entries = [SignedEntry.from_json(e.model_dump()) for e in body.entries]
    held = mirror.size()
    if body.start != held:
        evidence = conflicting_entry(mirror, body.start, entries)
        if evidence is not None:
            mirror.add_evidence(evidence)
            raise HTTPException(409, f"{evidence.reason}: evidence kept, cosigning stopped")
        raise HTTPException(409, f"this node holds {held} entries of {mirror.origin}")
    mirror.append(entries)
    return {"origin": mirror.origin, "size": mirror.size()}


@router.post(
    "/v1/witness/add-checkpoint",
    tags=["sync"],
    response_class=PlainTextResponse,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
async def add_checkpoint(node: NodeDep, principal: PartyPrincipal, request: Request) -> Response:
    """C2SP tlog-witness add-checkpoint: ``old <size>``, proof lines, a blank line, the
    signed note. Answers the cosignature line; 409 (body: the cosigned size) when ``old``
    is not the size this node cosigned."""
    submitted = decode_add_checkpoint(await request.body())
    old_size, proof, note = submitted.old_size, submitted.proof, submitted.note
    mirror = mirror_of_sender(node, principal)
    origin = parse_checkpoint(parse_note(note).text).origin
    if origin != mirror.origin:
        raise HTTPException(403, f"{principal.id} may submit checkpoints of its own log only")
    try:
        line = await _run(lambda: node.cosign(note, proof=proof, old_size=old_size))
    except ConflictError as exc:
        return PlainTextResponse(
            f"{exc.cosigned_size}\n",
            status_code=409,
            media_type="text/x.tlog.size",
            headers={"Glasnost-Detail": str(exc).encode("ascii", "replace").decode()[:400]},
        )
    return PlainTextResponse(line)


@router.post("/v1/cosignatures", tags=["sync"])
def cosignatures(node: NodeDep, principal: PartyPrincipal, body: CosignedNote) -> dict[str, Any]:
    """A peer returns its cosignature of one of this node's checkpoints."""
    mirror_of_sender(node, principal)
    kept = node.add_cosignatures(body.note)
    return {"kept": kept}


async def _run(call: Callable[[], str]) -> str:
    import anyio.to_thread

    return await anyio.to_thread.run_sync(call)
