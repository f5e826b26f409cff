"""Authenticated requests and HTTP limits over real HTTP: a small FastAPI app behind
BodySizeLimit and Admission, served by uvicorn, nonces in a SQLite store."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Annotated

import httpx
import pytest
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Request
from starlette.types import ASGIApp

from glasnost.exchange.keys import Administration, PartyKeys, PrivateKey
from glasnost.exchange.store import make_engine, migrate
from glasnost.service.admission import Admission, protected_paths
from glasnost.service.auth import (
    Authenticated,
    Authenticator,
    MemoryNonceStore,
    NonceStore,
    Principal,
    Principals,
    RequestSigner,
    SqlNonceStore,
    requires,
)
from glasnost.service.limits import BodySizeLimit

from .conftest import serve

MAX_BYTES = 1024


def _party(party: str, seed: int) -> tuple[PartyKeys, PrivateKey]:
    key = PrivateKey.from_seed(bytes([seed]) * 32)
    adm = Administration(
        party=party,
        id=f"{party.lower()}-1",
        name=f"{party} administration",
        public_key=key.public_key.to_base64(),
        valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    return PartyKeys(party=party, key_name=f"glasnost.example/{party}", administrations=(adm,)), key


US, US_KEY = _party("US", 1)
RU, RU_KEY = _party("RU", 2)
OBS, OBS_KEY = _party("OBS", 3)
PRINCIPALS = Principals(parties=[US, RU], observers=[OBS])
NODE = "glasnost.example/US"  # the origin of the node the test app plays


def signer(keys: PartyKeys, key: PrivateKey) -> RequestSigner:
    return RequestSigner.for_keys(keys, key, audience=NODE)


def make_app(nonces: NonceStore, *, rate_per_s: float = 1000.0, burst: int = 1000) -> ASGIApp:
    """Read for any principal, write for parties only; the limits wrap the whole app."""
    api = FastAPI()
    api.state.authenticator = Authenticator(PRINCIPALS, nonces, audience=NODE)

    @api.get("/v1/whoami")
    async def whoami(principal: Authenticated, request: Request) -> dict[str, str]:
        return {"id": principal.id, "role": principal.role, "query": request.url.query}

    @api.post("/v1/entries")
    async def post_entry(
        principal: Annotated[Principal, Depends(requires("party"))],
        also: Authenticated,
        request: Request,
    ) -> dict[str, object]:
        return {"id": principal.id, "same": also is principal, "bytes": len(await request.body())}

    admitted = Admission(
        api,
        api.state.authenticator,
        protected=protected_paths(api.routes),
        rate_per_s=rate_per_s,
        burst=burst,
    )
    return BodySizeLimit(admitted, MAX_BYTES)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    eng = make_engine(tmp_path_factory.mktemp("node") / "node.db")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def base_url(engine: sa.Engine) -> Iterator[str]:
    with serve(make_app(SqlNonceStore(engine))) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[Callable[..., httpx.Client]]:
    """``client(auth=None) -> httpx.Client`` on the node; all closed after the test."""
    clients: list[httpx.Client] = []

    def make(auth: httpx.Auth | None = None) -> httpx.Client:
        clients.append(httpx.Client(base_url=base_url, auth=auth, timeout=10.0))
        return clients[-1]

    yield make
    for c in clients:
        c.close()


def _assert_401(response: httpx.Response, starts: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Glasnost-Request"
    assert response.json()["detail"].startswith(starts)


def test_authorized_get(client: Callable[..., httpx.Client]) -> None:
    response = client(signer(US, US_KEY)).get("/v1/whoami", params={"a": "1", "b": "x y/z"})
    assert response.status_code == 200, response.text
    assert response.json() == {"id": "US", "role": "party", "query": "a=1&b=x+y%2Fz"}


def test_authorized_post_verifies_once(client: Callable[..., httpx.Client]) -> None:
    response = client(signer(RU, RU_KEY)).post("/v1/entries", content=b"x" * 100)
    assert response.status_code == 200, response.text
    assert response.json() == {"id": "RU", "same": True, "bytes": 100}


def test_accepted_nonces_of_writes_are_stored(
    client: Callable[..., httpx.Client], engine: sa.Engine
) -> None:
    response = client(signer(US, US_KEY)).post("/v1/entries", content=b"{}")
    nonce = response.request.headers["glasnost-nonce"]
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT principal FROM request_nonces WHERE nonce = :n"), {"n": nonce}
        ).one()
    assert row.principal == "US"


def test_rejects_unauthenticated_request(client: Callable[..., httpx.Client]) -> None:
    _assert_401(client().get("/v1/whoami"), "missing Glasnost-Party header")


def test_rejects_request_signed_by_other_party(client: Callable[..., httpx.Client]) -> None:
    impostor = RequestSigner("US", US.key_id(US.administrations[0]), RU_KEY, audience=NODE)
    _assert_401(client(impostor).get("/v1/whoami"), "signature invalid")


def test_rejects_replayed_request(client: Callable[..., httpx.Client]) -> None:
    """An eavesdropper resends a captured request byte for byte."""
    request = httpx.Request("POST", "http://node/v1/entries?kind=test", content=b'{"seq":1}')
    flow = signer(US, US_KEY).auth_flow(request)
    signed = next(flow)
    flow.close()
    headers = {k: v for k, v in signed.headers.items() if k.startswith("glasnost-")}
    plain = client()
    first = plain.post("/v1/entries?kind=test", headers=headers, content=b'{"seq":1}')
    assert first.status_code == 200, first.text
    second = plain.post("/v1/entries?kind=test", headers=headers, content=b'{"seq":1}')
    _assert_401(second, "replayed request")


def test_observer_may_not_write(client: Callable[..., httpx.Client]) -> None:
    observer = client(signer(OBS, OBS_KEY))
    assert observer.get("/v1/whoami").json()["role"] == "observer"
    response = observer.post("/v1/entries", content=b"{}")
    assert response.status_code == 403
    assert response.json() == {"detail": "observers may only read; OBS is an observer"}


def test_rejects_body_over_limit_by_content_length(client: Callable[..., httpx.Client]) -> None:
    response = client(signer(US, US_KEY)).post("/v1/entries", content=b"x" * (MAX_BYTES + 1))
    assert response.request.headers["content-length"] == str(MAX_BYTES + 1)
    assert response.status_code == 413
    assert response.json() == {"detail": f"request body over {MAX_BYTES} bytes"}


def _chunks(count: int, size: int = 256) -> Iterator[bytes]:
    for _ in range(count):
        yield b"y" * size


@pytest.mark.parametrize(
    ("auth", "status", "detail"),
    [
        (True, 413, f"request body over {MAX_BYTES} bytes"),
        (False, 401, "missing Glasnost-Party header"),  # refused before the body is read
    ],
    ids=["signed", "unsigned"],
)
def test_rejects_streamed_body_over_limit(
    client: Callable[..., httpx.Client], auth: bool, status: int, detail: str
) -> None:
    """A chunked body has no Content-Length: the node counts what arrives."""
    http = client(signer(US, US_KEY) if auth else None)
    response = http.post("/v1/entries", content=_chunks(MAX_BYTES // 256 + 4))
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == status
    assert response.json() == {"detail": detail}


def test_accepts_streamed_body_within_limit(client: Callable[..., httpx.Client]) -> None:
    response = client(signer(US, US_KEY)).post("/v1/entries", content=_chunks(MAX_BYTES // 256))
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 200, response.text
    assert response.json()["bytes"] == MAX_BYTES


@pytest.mark.parametrize(
    "headers",
    [
        {"Glasnost-Party": "U S"},
        {"Glasnost-Party": b"\xff\xfe"},
        {"Glasnost-Timestamp": "soon"},
        {"Glasnost-Timestamp": "9" * 40},
        {"Glasnost-Nonce": "zz" * 16},
        {"Glasnost-Key-Id": "ü".encode()},
        {"Glasnost-Signature": "%%%"},
        {"Glasnost-Signature": base64.b64encode(bytes(64)).decode()},
    ],
    ids=lambda h: f"{next(iter(h))}={next(iter(h.values()))!r}",
)
def test_malformed_headers_are_401_not_500(
    client: Callable[..., httpx.Client], headers: dict[str, str | bytes]
) -> None:
    request = httpx.Request("GET", "http://node/v1/whoami")
    flow = signer(US, US_KEY).auth_flow(request)
    signed = next(flow)
    flow.close()
    merged: dict[str, str | bytes] = {
        k: v for k, v in signed.headers.items() if k.startswith("glasnost-")
    }
    for name, value in headers.items():
        merged[name.lower()] = value
    response = client().get("/v1/whoami", headers=merged)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Glasnost-Request"


def test_duplicate_header_is_401(client: Callable[..., httpx.Client]) -> None:
    request = httpx.Request("GET", "http://node/v1/whoami")
    flow = signer(US, US_KEY).auth_flow(request)
    signed = next(flow)
    flow.close()
    pairs = [(k, v) for k, v in signed.headers.items() if k.startswith("glasnost-")]
    pairs.append(("Glasnost-Party", "RU"))
    _assert_401(client().get("/v1/whoami", headers=pairs), "malformed Glasnost-Party header")


def test_rate_limit_answers_429_with_retry_after(
    live_server_factory: Callable[..., str],
) -> None:
    url = live_server_factory(make_app(MemoryNonceStore(), rate_per_s=0.01, burst=2))
    with (
        httpx.Client(base_url=url, auth=signer(US, US_KEY)) as us,
        httpx.Client(base_url=url, auth=signer(RU, RU_KEY)) as ru,
    ):
        assert [us.get("/v1/whoami").status_code for _ in range(2)] == [200, 200]
        refused = us.get("/v1/whoami")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "100"
        assert refused.json() == {"detail": "rate limit exceeded: retry after 100 s"}
        assert ru.get("/v1/whoami").status_code == 200  # its own bucket
