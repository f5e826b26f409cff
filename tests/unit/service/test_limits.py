"""HTTP limits as plain ASGI: body size, token buckets and rate limit, request timeout."""

from __future__ import annotations

import json
from collections.abc import Iterable

import anyio
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from glasnost.service.limits import (
    BodySizeLimit,
    RateLimit,
    RequestTimeout,
    TokenBuckets,
    client_ip,
)

pytestmark = pytest.mark.anyio


def _scope(headers: Iterable[tuple[bytes, bytes]] = (), client: str = "192.0.2.7") -> Scope:
    return {
        "type": "http",
        "method": "POST",
        "path": "/v1/entries",
        "raw_path": b"/v1/entries",
        "query_string": b"",
        "headers": list(headers),
        "client": (client, 40000),
    }


class Exchange:
    """Feeds body chunks to an app and records what it sends back."""

    def __init__(self, chunks: Iterable[bytes] = (b"",)) -> None:
        chunks = list(chunks)
        self.inbox: list[Message] = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks)
        ]
        self.read = 0
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        if not self.inbox:
            await anyio.sleep_forever()
        self.read += 1
        return self.inbox.pop(0)

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    async def run(self, app: ASGIApp, scope: Scope | None = None) -> None:
        await app(scope or _scope(), self.receive, self.send)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.sent[0]["headers"])

    @property
    def json(self) -> object:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))


async def echo_length(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the whole body (stopping at a disconnect), answers its length."""
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise OSError("client went away")
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


# --- body size ----------------------------------------------------------------------------------


async def test_body_within_limit_passes() -> None:
    exchange = Exchange([b"a" * 60, b"b" * 40])
    await exchange.run(BodySizeLimit(echo_length, 100))
    assert exchange.status == 200
    assert exchange.sent[1]["body"] == b"100"


async def test_content_length_over_limit_is_413_before_reading() -> None:
    exchange = Exchange([b"x" * 101])
    await exchange.run(BodySizeLimit(echo_length, 100), _scope([(b"content-length", b"101")]))
    assert exchange.status == 413
    assert exchange.json == {"detail": "request body over 100 bytes"}
    assert exchange.read == 0


@pytest.mark.parametrize(
    "value", [b"abc", b"-1", b"1e3", b"", b" ", b"12, 13", "١٢".encode()], ids=repr
)
async def test_malformed_content_length_is_400(value: bytes) -> None:
    exchange = Exchange()
    await exchange.run(BodySizeLimit(echo_length, 100), _scope([(b"content-length", value)]))
    assert exchange.status == 400
    assert exchange.read == 0


async def test_repeated_equal_content_length_is_accepted_and_huge_one_is_413() -> None:
    exchange = Exchange([b"x" * 5])
    scope = _scope([(b"content-length", b"5"), (b"content-length", b"5, 5")])
    await exchange.run(BodySizeLimit(echo_length, 100), scope)
    assert exchange.status == 200
    huge = Exchange()
    await huge.run(BodySizeLimit(echo_length, 100), _scope([(b"content-length", b"9" * 5000)]))
    assert huge.status == 413


async def test_streamed_body_over_limit_is_413_without_reading_further() -> None:
    exchange = Exchange([b"x" * 60, b"x" * 60, b"x" * 60, b"x" * 60])
    await exchange.run(BodySizeLimit(echo_length, 100))
    assert exchange.status == 413
    assert exchange.json == {"detail": "request body over 100 bytes"}
    assert exchange.read == 2
    assert len(exchange.sent) == 2  # the app's own answer was dropped


async def test_streamed_body_over_limit_after_response_start_sends_nothing_more() -> None:
    async def early(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while (await receive())["type"] != "http.disconnect":
            pass
        await send({"type": "http.response.body", "body": b"late"})

    exchange = Exchange([b"x" * 60] * 3)
    await exchange.run(BodySizeLimit(early, 100))
    assert [m["type"] for m in exchange.sent] == ["http.response.start"]


async def test_body_limit_passes_other_scopes() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    await BodySizeLimit(app, 0)({"type": "lifespan"}, Exchange().receive, Exchange().send)
    assert seen == ["lifespan"]


# --- rate ---------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_token_bucket_allows_burst_then_refills() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(rate_per_s=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)  # one token per 0.5 s
    assert buckets.take("b") == 0.0  # another key, another bucket
    clock.t += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(0.5)
    clock.t += 100
    assert [buckets.take("a") for _ in range(4)][-1] > 0  # refilled to burst, not beyond


def test_token_buckets_forget_full_buckets() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(rate_per_s=1.0, burst=1, clock=clock, sweep_every=4)
    for key in "abc":
        buckets.take(key)
    assert len(buckets) == 3
    clock.t += 10
    buckets.take("d")  # fourth call sweeps: a, b, c have refilled
    assert len(buckets) == 1


def test_rate_limit_key_is_the_client_ip_whatever_party_is_named() -> None:
    assert client_ip(_scope([(b"glasnost-party", b"US")])) == "192.0.2.7"
    assert client_ip({"type": "http", "headers": [], "client": None}) == "unknown"


async def test_rate_limit_answers_429_with_retry_after() -> None:
    clock = FakeClock()
    app = RateLimit(echo_length, rate_per_s=0.4, burst=1, clock=clock)
    first, second = Exchange(), Exchange()
    await first.run(app)
    await second.run(app)
    assert (first.status, second.status) == (200, 429)
    assert second.headers[b"retry-after"] == b"3"  # 2.5 s, rounded up
    assert second.json == {"detail": "rate limit exceeded: retry after 3 s"}
    clock.t += 2.5
    third = Exchange()
    await third.run(app)
    assert third.status == 200


async def test_spoofed_party_header_does_not_spend_another_clients_tokens() -> None:
    app = RateLimit(echo_length, rate_per_s=0.01, burst=1, clock=FakeClock())
    attacker = Exchange()
    await attacker.run(app, _scope([(b"glasnost-party", b"US")], client="203.0.113.9"))
    victim = Exchange()
    await victim.run(app, _scope([(b"glasnost-party", b"US")], client="192.0.2.7"))
    assert victim.status == 200


# --- handler time -------------------------------------------------------------------------------


async def test_slow_handler_gets_503() -> None:
    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await anyio.sleep(10)

    exchange = Exchange()
    with anyio.fail_after(5):
        await exchange.run(RequestTimeout(slow, 0.05))
    assert exchange.status == 503
    assert exchange.json == {"detail": "the request was not answered within 0.05 s"}


async def test_started_response_is_not_cut() -> None:
    async def streaming(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await anyio.sleep(0.1)
        await send({"type": "http.response.body", "body": b"done"})

    exchange = Exchange()
    await exchange.run(RequestTimeout(streaming, 0.02))
    assert exchange.status == 200
    assert exchange.sent[-1]["body"] == b"done"
    assert len(exchange.sent) == 2


async def test_fast_handler_is_untouched() -> None:
    exchange = Exchange([b"abc"])
    await exchange.run(RequestTimeout(echo_length, 5))
    assert exchange.status == 200
    assert exchange.sent[1]["body"] == b"3"


def test_limits_refuse_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        BodySizeLimit(echo_length, -1)
    with pytest.raises(ValueError, match="rate_per_s"):
        TokenBuckets(0, 1)
    with pytest.raises(ValueError, match="burst"):
        TokenBuckets(1, 0)
    with pytest.raises(ValueError, match="seconds"):
        RequestTimeout(echo_length, 0)
