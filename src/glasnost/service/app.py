"""The node's HTTP API under ``/v1`` (FastAPI; the OpenAPI document is served at
``/v1/openapi.json``, its pages at ``/v1/docs``).

Every route but ``/v1/health`` needs a signed request (:mod:`glasnost.service.auth`) from a
party of the agreement (the node's own party and the peers it follows) or a named observer.
Parties read and write, observers only read. The routes::

    GET  /v1/health                       liveness, the node's party and log (no signature)
    GET  /v1/logs                         every log the node keeps: size, checkpoint, witness
    GET  /v1/entries?start=&end=&log=     signed entries of a log (own by default), a page
    POST /v1/entries                      append a signed entry to the own log (own party only,
                                          signed by the administration in office)
    GET  /v1/checkpoint?log=              latest checkpoint note with its cosignatures
    GET  /v1/proof/inclusion?seq=&size=&log=
    GET  /v1/proof/consistency?old=&new=&log=
    POST /v1/mirror/entries               a peer pushes its entries to its mirror here
    POST /v1/witness/add-checkpoint       C2SP tlog-witness: cosign a peer's checkpoint
    POST /v1/cosignatures                 a peer returns its cosignature of our checkpoint
    GET  /v1/peers                        each peer: sync state, acknowledgements, evidence

The read-only web dashboard is served under ``/`` (:mod:`glasnost.service.dashboard`).

Errors are ``{"detail": "..."}`` with a 4xx status that says which kind: 400 malformed,
401 not authenticated, 403 not allowed (or a signature that does not verify), 404 unknown log,
409 not the next position / not the cosigned size (the witness answers its size), 413 too
large, 422 invalid content, 429 rate limited. Nothing is stored on any error.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from glasnost import __version__
from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    MAX_PROOF_HASHES,
    add_signatures,
    parse_checkpoint,
    parse_note,
)
from glasnost.exchange.entries import MAX_ENTRY_BYTES, SignedEntry
from glasnost.exchange.errors import (
    CheckpointError,
    ConflictError,
    ConsistencyError,
    EntryNotFound,
    EntryTooLarge,
    ExchangeError,
    InvalidSignature,
    KeyNotValidAtTime,
    LogNotFound,
    SequenceError,
    SizeError,
    UnknownKey,
    UnknownOrigin,
    WrongParty,
)
from glasnost.exchange.keys import PartyKeys
from glasnost.exchange.node import Node
from glasnost.exchange.store import LogStore
from glasnost.service.api_docs import install_api_docs
from glasnost.service.auth import (
    Authenticated,
    Authenticator,
    Principal,
    Principals,
    SqlNonceStore,
    requires,
)
from glasnost.service.dashboard import install_dashboard
from glasnost.service.limits import BodySizeLimit, RateLimit, RequestTimeout
from glasnost.service.logs import AccessLog
from glasnost.treaty.agreement import Agreement, builtin_agreement

PartyPrincipal = Annotated[Principal, Depends(requires("party"))]
"""A route parameter: the request's principal, which must be a party (observers only read)."""

PAGE_MAX = 1000
"""Most entries one request reads or pushes."""

MAX_BODY_BYTES = PAGE_MAX * 2 * MAX_ENTRY_BYTES // 64
"""Largest request body (32 MiB: a page of entries of typical size, or one of the largest)."""


@dataclass
class ServiceSettings:
    """How a node serves: who may call it, its limits, its peers and its deadlines."""

    observers: Sequence[PartyKeys] = ()
    max_body_bytes: int = MAX_BODY_BYTES
    rate_per_s: float = 200.0
    burst: int = 400
    timeout_s: float = 60.0
    peer_urls: Sequence[str] = ()
    sync_interval_s: float = 0.0
    peer_state: dict[str, dict[str, Any]] = field(default_factory=dict)
    agreement: Agreement | None = None
    """The agreement the dashboard shows (None: the built-in one)."""
    dashboard_token: str | None = None
    """None: the dashboard answers loopback clients only; else it requires this token."""

    @property
    def acknowledgement_deadline(self) -> dt.timedelta:
        """The agreement's acknowledgement deadline (treaty parameters are the agreement's)."""
        return dt.timedelta(hours=(self.agreement or builtin_agreement()).acknowledgement_hours)


# --- request and response bodies ----------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignedEntryJson(_Body):
    """A signed entry for transport: entry text, base64 signature, key id."""

    entry: str = Field(max_length=MAX_ENTRY_BYTES)
    signature: str = Field(max_length=100)
    key_id: str = Field(pattern=r"^[0-9a-f]{8}$")


class EntriesPush(_Body):
    """A page of a peer's signed entries, from ``start`` (the mirror's size here)."""

    start: int = Field(ge=0)
    entries: list[SignedEntryJson] = Field(min_length=1, max_length=PAGE_MAX)


class CosignedNote(_Body):
    """A checkpoint note of this node's log with the peer's cosignature lines."""

    note: str = Field(max_length=1 << 16)


# --- errors -------------------------------------------------------------------------------------


class ErrorDetail(_Body):
    """An error: what went wrong and where, in one message."""

    detail: str


class ValidationProblem(_Body):
    """One problem of a request that fails validation (FastAPI's form)."""

    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ValidationErrors(_Body):
    """A request that fails validation: every problem with its location."""

    detail: list[ValidationProblem]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDetail, "description": "Malformed request"},
    401: {"model": ErrorDetail, "description": "Not authenticated (signed request required)"},
    403: {"model": ErrorDetail, "description": "Not allowed, or a signature that does not verify"},
    404: {"model": ErrorDetail, "description": "No such log, entry or checkpoint"},
    409: {"model": ErrorDetail, "description": "Not the next position / not the cosigned size"},
    413: {"model": ErrorDetail, "description": "Request body too large"},
    422: {
        "model": ErrorDetail | ValidationErrors,
        "description": "Invalid content: an entry or proof that does not verify, or a request "
        "that fails validation",
    },
    429: {"model": ErrorDetail, "description": "Rate limited (see Retry-After)"},
}
"""The error answers every API route may give, for the OpenAPI document."""

_STATUS: tuple[tuple[type[ExchangeError], int], ...] = (
    (LogNotFound, 404),
    (UnknownOrigin, 404),
    (EntryNotFound, 404),
    (ConflictError, 409),
    (SequenceError, 409),
    (EntryTooLarge, 413),
    (InvalidSignature, 403),
    (UnknownKey, 403),
    (WrongParty, 403),
    (KeyNotValidAtTime, 403),
    (ConsistencyError, 422),
    (SizeError, 400),
    (CheckpointError, 400),
)


def _status(exc: ExchangeError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 422


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- the app ------------------------------------------------------------------------------------


def create_app(node: Node, settings: ServiceSettings | None = None) -> FastAPI:
    """The node's ASGI app: API routes, authentication, limits, and the sync loop (if peers
    and an interval are set)."""
    settings = settings or ServiceSettings()

    def principals() -> Principals:
        return Principals(
            parties=[node.party_keys, *(m.party_keys for m in node.peers())],
            observers=settings.observers,
        )

    # read per request: a peer followed, or a successor administration added, counts at once
    authenticator = Authenticator(principals, SqlNonceStore(node.engine), audience=node.own.origin)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        loop = None
        if settings.peer_urls and settings.sync_interval_s > 0:
            from glasnost.service.sync import sync_loop

            loop = threading.Thread(
                target=sync_loop,
                args=(node, settings.peer_urls, settings.sync_interval_s, stop),
                kwargs={"state": settings.peer_state},
                name="glasnost-sync",
                daemon=True,
            )
            loop.start()
        try:
            yield
        finally:
            stop.set()
            if loop is not None:
                loop.join(timeout=10)

    app = FastAPI(
        title=f"glasnost node {node.party}",
        version=__version__,
        description=__doc__,
        openapi_url="/v1/openapi.json",
        responses=ERROR_RESPONSES,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.authenticator = authenticator
    app.state.node = node

    @app.exception_handler(ExchangeError)
    async def exchange_error(request: Request, exc: ExchangeError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=_status(exc))

    def log_of(name: str | None) -> LogStore:
        return node.log(name)

    # --- reading ----------------------------------------------------------------------------

    @app.get("/v1/health", tags=["node"])
    def health() -> dict[str, Any]:
        """Liveness and identity: the node's party and log origin (no signature needed)."""
        return {
            "status": "ok",
            "party": node.party,
            "origin": node.own.origin,
            "version": __version__,
        }

    @app.get("/v1/logs", tags=["logs"])
    def logs(principal: Authenticated) -> list[dict[str, Any]]:
        """Every log the node keeps: size, latest checkpoint, what this node cosigned."""
        return [_log_info(node, store) for store in (node.own, *node.peers())]

    @app.get("/v1/entries", tags=["logs"])
    def entries(
        principal: Authenticated,
        start: Annotated[int, Query(ge=0, le=2**53)] = 0,
        end: Annotated[int | None, Query(ge=0, le=2**53)] = None,
        log: Annotated[str | None, Query(max_length=255)] = None,
    ) -> dict[str, Any]:
        """Signed entries ``start <= seq < end`` (at most 1,000 per request)."""
        store = log_of(log)
        if end is not None and end < start:
            raise HTTPException(400, f"end {end} is before start {start}")
        stop = start + PAGE_MAX if end is None else min(end, start + PAGE_MAX)
        found = store.entries(start, stop)
        return {
            "origin": store.origin,
            "start": start,
            "entries": [e.to_json() for e in found],
        }

    @app.get("/v1/checkpoint", tags=["logs"], response_class=PlainTextResponse)
    def checkpoint(
        principal: Authenticated, log: Annotated[str | None, Query(max_length=255)] = None
    ) -> str:
        """The latest signed checkpoint note, with the cosignature lines kept for it. For the
        node's own log, a fresh checkpoint is signed first if the log has grown."""
        store = log_of(log)
        latest = store.latest_checkpoint()
        if store is node.own and store.size() > (0 if latest is None else latest.size):
            latest = node.checkpoint()
        if latest is None:
            raise HTTPException(404, f"log {store.origin} has no checkpoint yet")
        return add_signatures(latest.note, store.cosignatures(latest.size).values())

    @app.get("/v1/proof/inclusion", tags=["proofs"])
    def inclusion(
        principal: Authenticated,
        seq: Annotated[int, Query(ge=0, le=2**53)],
        size: Annotated[int | None, Query(ge=0, le=2**53)] = None,
        log: Annotated[str | None, Query(max_length=255)] = None,
    ) -> dict[str, Any]:
        """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``size`` (default: all)."""
        store = log_of(log)
        size = store.size() if size is None else size
        proof = store.inclusion_proof(seq, size)
        return {
            "origin": store.origin,
            "seq": seq,
            "size": size,
            "root": _b64(store.root(size)),
            "proof": [_b64(h) for h in proof],
        }

    @app.get("/v1/proof/consistency", tags=["proofs"])
    def consistency(
        principal: Authenticated,
        old: Annotated[int, Query(ge=1, le=2**53)],
        new: Annotated[int | None, Query(ge=1, le=2**53)] = None,
        log: Annotated[str | None, Query(max_length=255)] = None,
    ) -> dict[str, Any]:
        """RFC 9162 consistency proof from tree size ``old`` to ``new`` (default: all)."""
        store = log_of(log)
        new = store.size() if new is None else new
        proof = store.consistency_proof(old, new)
        return {
            "origin": store.origin,
            "old": old,
            "new": new,
            "proof": [_b64(h) for h in proof],
        }

    @app.get("/v1/peers", tags=["node"])
    def peers(principal: Authenticated) -> dict[str, Any]:
        """Each peer: its mirror here, the acknowledgements of our log, evidence, sync state."""
        acknowledgements = {
            a.peer: a for a in node.acknowledgements(settings.acknowledgement_deadline)
        }
        out = []
        for mirror in node.peers():
            ack = acknowledgements[mirror.party]
            out.append(
                {
                    **_log_info(node, mirror),
                    "acknowledged_size": ack.acknowledged_size,
                    "acknowledgement_deadline_s": settings.acknowledgement_deadline.total_seconds(),
                    "overdue_acknowledgements": ack.overdue,
                    "first_overdue_seq": ack.first_overdue_seq,
                    "evidence": mirror.evidence(),
                }
            )
        return {"peers": out, "sync": list(settings.peer_state.values())}

    # --- writing ----------------------------------------------------------------------------

    @app.post("/v1/entries", tags=["logs"], status_code=201)
    def submit(principal: PartyPrincipal, body: SignedEntryJson) -> dict[str, Any]:
        """Append an entry, signed by the own party's administration in office, to the own log."""
        if principal.id != node.party:
            raise HTTPException(
                403,
                f"this node's log takes entries of {node.party} only; {principal.id} writes "
                "to its own node",
            )
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

    @app.post("/v1/mirror/entries", tags=["sync"])
    def push_entries(principal: PartyPrincipal, body: EntriesPush) -> dict[str, Any]:
        """A peer pushes a page of its own log's entries, from this mirror's size."""
        mirror = _mirror_of_sender(node, principal)
        held = mirror.size()
        if body.start != held:
            raise HTTPException(409, f"this node holds {held} entries of {mirror.origin}")
        mirror.append([SignedEntry.from_json(e.model_dump()) for e in body.entries])
        return {"origin": mirror.origin, "size": mirror.size()}

    @app.post(
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
    async def add_checkpoint(principal: PartyPrincipal, request: Request) -> Response:
        """C2SP tlog-witness add-checkpoint: ``old <size>``, proof lines, a blank line, the
        signed note. Answers the cosignature line; 409 (body: the cosigned size) when ``old``
        is not the size this node cosigned."""
        old_size, proof, note = _parse_add_checkpoint(await request.body())
        mirror = _mirror_of_sender(node, principal)
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

    @app.post("/v1/cosignatures", tags=["sync"])
    def cosignatures(principal: PartyPrincipal, body: CosignedNote) -> dict[str, Any]:
        """A peer returns its cosignature of one of this node's checkpoints."""
        _mirror_of_sender(node, principal)
        kept = node.add_cosignatures(body.note)
        return {"kept": kept}

    install_api_docs(app)
    install_dashboard(
        app, node, settings.agreement or builtin_agreement(), token=settings.dashboard_token
    )
    return _limited(app, settings)


async def _run(call: Callable[[], str]) -> str:
    import anyio.to_thread

    return await anyio.to_thread.run_sync(call)


def _limited(app: FastAPI, settings: ServiceSettings) -> FastAPI:
    """Wrap the app in the HTTP limits (body size, rate, handler time)."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, rate_per_s=settings.rate_per_s, burst=settings.burst)
    app.add_middleware(RequestTimeout, seconds=settings.timeout_s)
    app.add_middleware(AccessLog)
    return app


def _mirror_of_sender(node: Node, principal: Principal) -> LogStore:
    """The mirror of the requesting party's log (it may only push and cosign for its own)."""
    if principal.id == node.party:
        raise HTTPException(403, "a node does not mirror or witness its own log")
    return node.log(principal.id)


def _log_info(node: Node, store: LogStore) -> dict[str, Any]:
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
            "root": _b64(latest.root),
            "cosigned_by": sorted(store.cosignatures(latest.size)),
        },
        "cosigned_size": None if own else (0 if cosigned is None else cosigned.size),
    }


def _parse_add_checkpoint(body: bytes) -> tuple[int, list[bytes], str]:
    """The C2SP tlog-witness request: ``old N``, proof hashes, blank line, note."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the request body is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines[0].startswith("old "):
        raise HTTPException(400, "expected 'old <size>', proof lines, a blank line, the note")
    size_text = lines[0][4:]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise HTTPException(400, f"old size {size_text!r} is not a decimal")
    if len(lines) - 1 > MAX_PROOF_HASHES:
        raise HTTPException(400, f"{len(lines) - 1} proof lines; at most {MAX_PROOF_HASHES}")
    proof = []
    for n, line in enumerate(lines[1:], start=2):
        try:
            value = base64.b64decode(line, validate=True)
        except ValueError:
            raise HTTPException(400, f"line {n}: not base64") from None
        if len(value) != merkle.HASH_SIZE:
            raise HTTPException(400, f"line {n}: a proof hash is 32 bytes")
        proof.append(value)
    return int(size_text), proof, note


def openapi_document(app: FastAPI) -> str:
    """The OpenAPI document as JSON text (for docs and tests)."""
    return json.dumps(app.openapi(), indent=2)
