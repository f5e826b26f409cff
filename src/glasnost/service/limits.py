"""HTTP limits of the node's API, as pure ASGI middleware (they wrap any ASGI app).

* :class:`BodySizeLimit`: 413 for a body over ``max_bytes``, judged from ``Content-Length``
  before anything is read, and by counting the received chunks of a body without one (chunked
  transfer); the body is never read past the limit. A malformed ``Content-Length`` is a 400.
* :class:`RateLimit`: a token bucket per client (:class:`TokenBuckets`): ``burst`` requests at
  once, refilled at ``rate_per_s``; over it, 429 with ``Retry-After`` (whole seconds).
* :class:`RequestTimeout`: 503 when the handler has not started its response within
  ``seconds``; once the response has started it runs to the end. Idle connections are closed
  by the server (uvicorn's ``timeout_keep_alive``).

Each answers ``{"detail": "..."}`` in JSON, as FastAPI does, and passes other scopes
(``lifespan``, ``websocket``) through untouched. Place them outermost, in this order from the
outside: ``RequestTimeout(RateLimit(BodySizeLimit(app)))`` or any order that suits; each is
independent of the others.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from typing import Final

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "BodySizeLimit",
    "RateLimit",
    "RequestTimeout",
    "TokenBuckets",
    "answer",
    "client_ip",
    "content_length",
]

_HUGE: Final = 10**18
"""Stands for a Content-Length too long to parse cheaply: over any limit."""


async def answer(
    send: Send, status: int, detail: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """Send a complete JSON response ``{"detail": detail}``."""
    body = json.dumps({"detail": detail}).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- body size ----------------------------------------------------------------------------------


def content_length(scope: Scope) -> int | None:
    """The declared body length, None when not given; ValueError when malformed or conflicting
    (RFC 9110 section 8.6 allows a list of one repeated value)."""
    lengths: set[int] = set()
    for name, value in scope["headers"]:
        if name.lower() != b"content-length":
            continue
        for item in bytes(value).split(b","):
            digits = item.strip()
            if not digits.isdigit():
                raise ValueError("malformed Content-Length header")
            lengths.add(int(digits) if len(digits) <= 18 else _HUGE)
    if len(lengths) > 1:
        raise ValueError("conflicting Content-Length headers")
    return lengths.pop() if lengths else None


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413 (see the module docstring).

    When a body without ``Content-Length`` grows past the limit, the 413 is sent at once (if
    the app has not started a response) and the app is told the client disconnected; whatever
    it sends afterwards is dropped.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must not be negative, got {max_bytes}")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"request body over {self.max_bytes} bytes"
        try:
            declared = content_length(scope)
        except ValueError as exc:
            await answer(send, 400, str(exc))
            return
        if declared is not None and declared > self.max_bytes:
            await answer(send, 413, detail)
            return

        received = 0
        rejected = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    rejected = True
                    if not started:
                        await answer(send, 413, detail)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # The app was told the client went away; what it raised about that is answered.
            if not rejected:
                raise


# --- request rate -------------------------------------------------------------------------------


class TokenBuckets:
    """One token bucket per key: up to ``burst`` tokens, refilled at ``rate_per_s``; a request
    takes one. Thread-safe. Buckets that have refilled are forgotten now and then (a full
    bucket is the same as a new one), so memory follows the number of recently active keys."""

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sweep_every: int = 1024,
    ) -> None:
        if not rate_per_s > 0:
            raise ValueError(f"rate_per_s must be positive, got {rate_per_s}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._clock = clock
        self._sweep_every = sweep_every
        self._calls = 0
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            return float(self.burst)
        tokens, at = bucket
        return min(float(self.burst), tokens + max(now - at, 0.0) * self.rate_per_s)

    def wait(self, key: str) -> float:
        """Seconds until ``key`` has a token (0.0: it has one now); takes nothing."""
        with self._lock:
            tokens = self._tokens(key, self._clock())
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate_per_s

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0.0 when there was one, else the seconds until there is."""
        with self._lock:
            now = self._clock()
            tokens = self._tokens(key, now)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate_per_s
            self._calls += 1
            if self._calls >= self._sweep_every:
                self._calls = 0
                full = [k for k in self._buckets if self._tokens(k, now) >= self.burst]
                for k in full:
                    del self._buckets[k]
            return wait

    def __len__(self) -> int:
        return len(self._buckets)


def client_ip(scope: Scope) -> str:
    """The client's address as the server saw it (behind a proxy: as the proxy headers say,
    when the server is told to trust them)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimit:
    """Refuse requests beyond a token bucket per client key with 429 and ``Retry-After``.

    ``key`` names the client of a request (default :func:`client_ip`); ``clock`` is a
    monotonic time in seconds.
    """

    def __init__(
        self,
        app: ASGIApp,
        rate_per_s: float,
        burst: int,
        *,
        key: Callable[[Scope], str] = client_ip,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.key = key
        self.buckets = TokenBuckets(rate_per_s, burst, clock=clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            wait = self.buckets.take(self.key(scope))
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                await answer(
                    send,
                    429,
                    f"rate limit exceeded: retry after {retry_after} s",
                    ((b"retry-after", str(retry_after).encode("ascii")),),
                )
                return
        await self.app(scope, receive, send)


# --- handler time -------------------------------------------------------------------------------


class RequestTimeout:
    """503 when the app has not started its response within ``seconds``.

    The app is cancelled at the deadline unless its response has started; a started response
    is never cut. A handler blocked in a worker thread cannot be interrupted: its 503 goes out
    when the thread returns.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError(f"seconds must be positive, got {seconds}")
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        with anyio.CancelScope(deadline=anyio.current_time() + self.seconds) as deadline:

            async def watched_send(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start" and not started:
                    started = True
                    deadline.deadline = math.inf
                await send(message)

            await self.app(scope, receive, watched_send)

        if deadline.cancelled_caught and not started:
            await answer(send, 503, f"the request was not answered within {self.seconds:g} s")
