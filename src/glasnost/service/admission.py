"""Admission of API requests: the sender is settled from the headers and a streamed hash of the
body before anything parses the body, and each sender gets its own rate.

:class:`Admission` is pure ASGI middleware. For a request to a protected route (the app's
routes under ``/v1`` but :data:`PUBLIC`) it runs, in order:

1. the header checks of :func:`glasnost.service.auth.check_headers` (no body read; the
   principals are looked up in a worker thread, off the event loop): a request without the
   ``glasnost-request/v1`` headers, or with malformed, unknown or expired ones, is answered
   401 at once;
2. a body over :data:`SMALL_BODY_BYTES` (or of undeclared length) is read only while the
   client address has a token left (else 429): a sender that has not shown a signature cannot
   make the node read large bodies faster than its address's rate;
3. the body is read in chunks, each hashed and kept in a spooled file (memory up to
   :data:`SPOOL_BYTES`, disk beyond; the body size limit still applies around it);
4. the signature over that hash, then the nonce (:meth:`Authenticator.check_signature`,
   a write's nonce durably, a read's in memory): 401 on failure;
5. the verified party takes a token of its own (else 429), and the app gets the request with
   the principal in its scope and the body replayed from the spool.

Rates: a request that is not authenticated (steps 1 or 4 fail, or a public route) takes a
token of its client address; an authenticated one takes a token of its verified principal,
never of a header value. Parties behind one address with an attacker share that address's
tokens only for large bodies before their signature is shown (step 2).
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections.abc import Collection, Iterable
from typing import IO, Final

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from glasnost.service.auth import (
    PRINCIPAL_KEY,
    WWW_AUTHENTICATE,
    Authenticator,
    AuthError,
    auth_headers,
    request_target,
)
from glasnost.service.limits import TokenBuckets, answer, client_ip, content_length

__all__ = ["PUBLIC", "SMALL_BODY_BYTES", "SPOOL_BYTES", "Admission", "protected_paths"]

PUBLIC: Final = frozenset(
    {"/v1/health", "/v1/openapi.json", "/v1/docs", "/v1/docs/oauth2-redirect"}
)
"""The routes under ``/v1`` that anyone may call unsigned."""

SMALL_BODY_BYTES: Final = 1 << 16
"""Bodies up to this size are read and hashed for any sender whose headers check out."""

SPOOL_BYTES: Final = 1 << 16
"""Most bytes of a request body held in memory while it is hashed (the rest goes to disk)."""

_CHUNK: Final = 1 << 16


def protected_paths(routes: Iterable[object]) -> frozenset[str]:
    """The paths of ``routes`` that need a signed request: under ``/v1``, but :data:`PUBLIC`."""
    paths = (getattr(route, "path", "") for route in routes)
    return frozenset(p for p in paths if p.startswith("/v1/") and p not in PUBLIC)


class Admission:
    """Authenticate and rate-limit API requests before the app reads them (module docstring).

    ``authenticator`` checks the headers and signature of requests to ``protected`` paths
    (:func:`protected_paths`); ``rate_per_s`` and ``burst`` are the token bucket of each
    client address (unauthenticated traffic) and of each principal.
    """

    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        *,
        protected: Collection[str],
        rate_per_s: float,
        burst: int,
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.protected = frozenset(protected)
        self.addresses = TokenBuckets(rate_per_s, burst)
        self.principals = TokenBuckets(rate_per_s, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = client_ip(scope)
        if scope["path"] not in self.protected:
            if await _limited(send, self.addresses.take(address)):
                return
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            auth_headers(headers)  # present and well-formed: checked here, without a thread
            claim = await anyio.to_thread.run_sync(
                self.authenticator.check_headers,
                str(scope["method"]),
                request_target(scope),
                headers,
            )
        except AuthError as exc:
            await self._refuse(send, address, exc)
            return
        if not _small_body(scope) and await _limited(send, self.addresses.wait(address)):
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            digest = await _spool(receive, spool)
            if digest is None:
                return  # the client went away, or the body limit answered
            try:
                principal = await anyio.to_thread.run_sync(
                    self.authenticator.check_signature, claim, digest
                )
            except AuthError as exc:
                await self._refuse(send, address, exc)
                return
            if await _limited(send, self.principals.take(principal.id)):
                return
            scope[PRINCIPAL_KEY] = principal
            spool.seek(0)
            await self.app(scope, _replay(spool, receive), send)

    async def _refuse(self, send: Send, address: str, error: AuthError) -> None:
        """429 when the address has no token left, else the 401 of ``error``."""
        if await _limited(send, self.addresses.take(address)):
            return
        await answer(
            send,
            error.status,
            error.message,
            ((b"www-authenticate", WWW_AUTHENTICATE.encode("ascii")),),
        )


def _small_body(scope: Scope) -> bool:
    """Whether the request declares a body of at most :data:`SMALL_BODY_BYTES` (or none: no
    Content-Length and no Transfer-Encoding)."""
    if any(bytes(name).lower() == b"transfer-encoding" for name, _ in scope["headers"]):
        return False
    try:
        declared = content_length(scope)
    except ValueError:
        return False
    return (declared or 0) <= SMALL_BODY_BYTES


async def _limited(send: Send, wait: float) -> bool:
    """Answer 429 and return True when ``wait`` (seconds until a token) is positive."""
    if wait <= 0:
        return False
    retry_after = max(1, math.ceil(wait))
    await answer(
        send,
        429,
        f"rate limit exceeded: retry after {retry_after} s",
        ((b"retry-after", str(retry_after).encode("ascii")),),
    )
    return True


async def _spool(receive: Receive, spool: IO[bytes]) -> str | None:
    """Read the whole body into ``spool``; its SHA-256 (hex), or None on a disconnect."""
    digest = hashlib.sha256()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        digest.update(chunk)
        spool.write(chunk)
        if not message.get("more_body", False):
            return digest.hexdigest()


def _replay(spool: IO[bytes], receive: Receive) -> Receive:
    """A receive that gives the spooled body in chunks, then waits for the client's disconnect."""
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()
        chunk = spool.read(_CHUNK)
        more = len(chunk) == _CHUNK
        done = not more
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replay
