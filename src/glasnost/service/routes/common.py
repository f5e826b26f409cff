"""What the API's route modules share: the node and settings of the app serving the request,
the request principal that must be a party, the transport bodies, and small encoders."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from glasnost.exchange.entries import MAX_ENTRY_BYTES, Ref
from glasnost.exchange.node import Node
from glasnost.exchange.store import LogStore
from glasnost.service.auth import Principal, requires
from glasnost.service.settings import PAGE_MAX as PAGE_MAX
from glasnost.service.settings import ServiceSettings

PartyPrincipal = Annotated[Principal, Depends(requires("party"))]
"""A route parameter: the request's principal, which must be a party (observers only read)."""


def node_of(request: Request) -> Node:
    """The node the app serves."""
    node: Node = request.app.state.node
    return node


def settings_of(request: Request) -> ServiceSettings:
    """The settings the app was made with."""
    settings: ServiceSettings = request.app.state.settings
    return settings


NodeDep = Annotated[Node, Depends(node_of)]
SettingsDep = Annotated[ServiceSettings, Depends(settings_of)]


# --- request and response bodies ----------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignedEntryJson(_Body):
    """A signed entry for transport: entry text, base64 signature, key id."""

    entry: str = Field(max_length=MAX_ENTRY_BYTES)
    signature: str = Field(max_length=100)
    key_id: str = Field(pattern=r"^[0-9a-f]{8}$")


class Submission(_Body):
    """An entry for the node to write into its own log: the node gives it its seq and time and
    signs it with the key of the administration in office."""

    type: str = Field(min_length=1, max_length=64, examples=["notification"])
    refs: list[Ref] = Field(default_factory=list, max_length=PAGE_MAX)
    body: dict[str, Any]


class EntriesPush(_Body):
    """A page of a peer's signed entries, from ``start`` (the mirror's size here)."""

    start: int = Field(ge=0)
    entries: list[SignedEntryJson] = Field(min_length=1, max_length=PAGE_MAX)


class CosignedNote(_Body):
    """A checkpoint note of this node's log with the peer's cosignature lines."""

    note: str = Field(max_length=1 << 16)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def mirror_of_sender(node: Node, principal: Principal) -> LogStore:
    """The mirror of the requesting party's log (it may only push and cosign for its own)."""
    if principal.id == node.party:
        raise HTTPException(403, "a node does not mirror or witness its own log")
    return node.log(principal.id)


def log_info(node: Node, store: LogStore) -> dict[str, Any]:
    latest = store.latest_checkpoint()
    own = store.origin == node.own.origin
    cosigned = None if own else store.latest_cosigned(node.witness_name)
    return {
        "party": store.party,
        "origin": store.origin,
        "role": "own" if own else "mirror",
        "size": store.size(),
        "checkpoint": None
        if latest is None
        else {
            "size": latest.size,
            "root": b64(latest.root),
            "cosigned_by": sorted(store.cosignatures(latest.size)),
        },
        "cosigned_size": None if own else (0 if cosigned is None else cosigned.size),
    }
