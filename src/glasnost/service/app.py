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
    POST /v1/submissions                  write an entry into the own log: the node gives it the
                                          next seq and signs it (own party only)
    GET  /v1/checkpoint?log=              latest checkpoint note with its cosignatures
    GET  /v1/proof/inclusion?seq=&size=&log=
    GET  /v1/proof/consistency?old=&new=&log=
    POST /v1/mirror/entries               a peer pushes its entries to its mirror here
    POST /v1/witness/add-checkpoint       C2SP tlog-witness: cosign a peer's checkpoint
    POST /v1/cosignatures                 a peer returns its cosignature of our checkpoint
    GET  /v1/peers                        each peer: sync state, acknowledgements, evidence

The read-only web dashboard is served under ``/`` (:mod:`glasnost.service.dashboard`).

The routes live in :mod:`glasnost.service.routes` (``logs``: reading and appending, ``sync``:
a peer's writes); this module assembles them with authentication, limits and the dashboard.

Errors are ``{"detail": "..."}`` with a 4xx status that says which kind: 400 malformed,
401 not authenticated, 403 not allowed (or a signature that does not verify), 404 unknown log,
409 not the next position / not the cosigned size (the witness answers its size), 413 too
large, 422 invalid content, 429 rate limited. Nothing is stored on any error.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict

from glasnost import __version__
from glasnost.errors import GlasnostError
from glasnost.exchange.node import Node
from glasnost.service.admission import Admission, protected_paths
from glasnost.service.api_docs import install_api_docs
from glasnost.service.auth import Authenticator, Principals, SqlNonceStore
from glasnost.service.dashboard import install_dashboard
from glasnost.service.errors import error_response, validation_response
from glasnost.service.limits import BodySizeLimit, RequestTimeout
from glasnost.service.logs import AccessLog
from glasnost.service.routes import logs, sync
from glasnost.service.settings import MAX_BODY_BYTES as MAX_BODY_BYTES
from glasnost.service.settings import ServiceSettings as ServiceSettings
from glasnost.treaty.agreement import builtin_agreement

# --- errors -------------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Body):
    """An error: what went wrong and where, in one message."""

    detail: str


class ValidationProblem(_Body):
    """One problem of a request that fails validation (FastAPI's form)."""

    loc: list[str | int]
    msg: str
    type: str


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
                kwargs={"state": settings.peer_state, "tls": settings.peer_tls},
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
    app.state.settings = settings
    app.add_exception_handler(GlasnostError, error_response)
    app.add_exception_handler(RequestValidationError, validation_response)
    app.include_router(logs.router)
    app.include_router(sync.router)
    install_api_docs(app)
    install_dashboard(
        app,
        node,
        settings.agreement or builtin_agreement(),
        token=settings.dashboard_token,
        sweeps=settings.sweeps,
    )
    return _limited(app, settings)


def _limited(app: FastAPI, settings: ServiceSettings) -> FastAPI:
    """Wrap the app in admission (signature and rate before the body is parsed) and the HTTP
    limits (body size, handler time), outermost last."""
    app.add_middleware(
        Admission,
        authenticator=app.state.authenticator,
        protected=protected_paths([*logs.router.routes, *sync.router.routes]),
        rate_per_s=settings.rate_per_s,
        burst=settings.burst,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestTimeout, seconds=settings.timeout_s)
    app.add_middleware(AccessLog)
    return app


def openapi_document(app: FastAPI) -> str:
    """The OpenAPI document as JSON text (for docs and tests)."""
    return json.dumps(app.openapi(), indent=2)
