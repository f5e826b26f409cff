"""Request authentication (glasnost-request/v1): the signed message, the client signer, every
way verify_request must refuse a request, and the nonce stores."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import HTTPException, Request

from glasnost.exchange.keys import Administration, PartyKeys, PrivateKey
from glasnost.exchange.store import make_engine, migrate
from glasnost.service.auth import (
    Authenticator,
    AuthError,
    MemoryNonceStore,
    NonceStore,
    Principal,
    Principals,
    RequestSigner,
    SqlNonceStore,
    request_target,
    require_role,
    signing_message,
    verify_request,
)

NOW = 1_750_000_000  # 2025-06-15T15:06:40Z
WINDOW = 300
INAUGURATION = dt.datetime(2025, 1, 20, 17, tzinfo=dt.UTC)


def _key(n: int) -> PrivateKey:
    return PrivateKey.from_seed(bytes([n]) * 32)


def _adm(
    party: str, adm_id: str, key: PrivateKey, start: dt.datetime, end: dt.datetime | None
) -> Administration:
    return Administration(
        party=party,
        id=adm_id,
        name=f"{party} {adm_id}",
        public_key=key.public_key.to_base64(),
        valid_from=start,
        valid_until=end,
    )


US_OLD, US_KEY, RU_KEY, OBS_KEY = _key(1), _key(2), _key(3), _key(4)
US = PartyKeys(
    party="US",
    key_name="glasnost.example/US",
    administrations=(
        _adm("US", "us-1", US_OLD, dt.datetime(2021, 1, 20, 17, tzinfo=dt.UTC), INAUGURATION),
        _adm("US", "us-2", US_KEY, INAUGURATION, None),
    ),
)
RU = PartyKeys(
    party="RU",
    key_name="glasnost.example/RU",
    administrations=(_adm("RU", "ru-1", RU_KEY, dt.datetime(2020, 1, 1, tzinfo=dt.UTC), None),),
)
OBS = PartyKeys(
    party="OBS",
    key_name="glasnost.example/OBS",
    administrations=(_adm("OBS", "obs-1", OBS_KEY, dt.datetime(2020, 1, 1, tzinfo=dt.UTC), None),),
)
PRINCIPALS = Principals(parties=[US, RU], observers=[OBS])
NODE = "glasnost.example/US"  # the origin of the node that receives the requests
URL = "https://node.example/v1/logs/US/entries?since=3&limit=10"


def _clock(t: float = NOW) -> Callable[[], float]:
    return lambda: t


def us_signer(at: int = NOW) -> RequestSigner:
    return RequestSigner(
        "US", US.key_id(US.administrations[1]), US_KEY, audience=NODE, clock=_clock(at)
    )


@dataclass
class Signed:
    """A request as the node receives it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    def with_header(self, name: str, value: str | None) -> Signed:
        headers = {k: v for k, v in self.headers.items() if k.lower() != name.lower()}
        if value is not None:
            headers[name] = value
        return Signed(self.method, self.target, headers, self.body)


def sign(
    signer: RequestSigner, method: str = "POST", url: str = URL, body: bytes = b'{"seq":3}'
) -> Signed:
    """Sign with the client's own code path: an httpx request through RequestSigner.auth_flow."""
    request = httpx.Request(method, url, content=body)
    flow = signer.auth_flow(request)
    signed = next(flow)
    flow.close()
    return Signed(
        signed.method, signed.url.raw_path.decode("ascii"), dict(signed.headers), signed.content
    )


def verify(
    request: Signed,
    nonces: NonceStore | None = None,
    now: int = NOW,
    *,
    method: str | None = None,
    target: str | None = None,
    body: bytes | None = None,
    audience: str = NODE,
) -> Principal:
    """verify_request on the request as received, or with one part of it changed."""
    return verify_request(
        request.method if method is None else method,
        request.target if target is None else target,
        request.headers,
        request.body if body is None else body,
        PRINCIPALS,
        MemoryNonceStore() if nonces is None else nonces,
        now,
        WINDOW,
        audience=audience,
    )


def refused(
    request: Signed, nonces: NonceStore | None = None, now: int = NOW, **changes: Any
) -> AuthError:
    with pytest.raises(AuthError) as info:
        verify(request, nonces, now, **changes)
    return info.value


# --- the signed message -------------------------------------------------------------------------


def test_signing_message_is_exactly_the_nine_lines() -> None:
    message = signing_message(
        "POST",
        "/v1/logs/US/entries?since=3",
        1750000000,
        "00112233445566778899aabbccddeeff",
        "US",
        "a1b2c3d4",
        b'{"seq":3}',
        audience="glasnost.example/RU",
    )
    assert message == (
        b"glasnost-request/v1\n"
        b"glasnost.example/RU\n"
        b"POST\n"
        b"/v1/logs/US/entries?since=3\n"
        b"1750000000\n"
        b"00112233445566778899aabbccddeeff\n"
        b"US\n"
        b"a1b2c3d4\n"
        # SHA-256 of '{"seq":3}', from coreutils sha256sum
        b"e1f447ad2c2071e1f4f0a269e338e37c2949ec93962633710281e031a7015741\n"
    )


def test_signing_message_of_empty_body_hashes_the_empty_string() -> None:
    message = signing_message(
        "GET", "/v1/status", 0, "ab" * 16, "RU", "00000000", b"", audience="glasnost/US"
    )
    # SHA-256 of the empty string (FIPS 180-2 examples; coreutils sha256sum)
    assert message.endswith(
        b"\nRU\n00000000\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    )
    assert message.startswith(b"glasnost-request/v1\nglasnost/US\nGET\n/v1/status\n0\n")


@pytest.mark.parametrize("field", ["method", "target", "nonce", "party", "key_id", "audience"])
def test_signing_message_refuses_a_line_feed_in_any_field(field: str) -> None:
    args = {
        "method": "GET",
        "target": "/",
        "nonce": "ab" * 16,
        "party": "US",
        "key_id": "00000000",
        "audience": "glasnost/US",
    }
    args[field] += "\nX"
    with pytest.raises(ValueError, match="line feed"):
        signing_message(timestamp=1, body=b"", **args)


def test_request_target_uses_the_raw_path_and_query() -> None:
    scope = {"path": "/v1/a b", "raw_path": b"/v1/a%20b", "query_string": b"x=%41&y"}
    assert request_target(scope) == "/v1/a%20b?x=%41&y"
    assert request_target({"path": "/v1/a b", "query_string": b""}) == "/v1/a%20b"


# --- the client ---------------------------------------------------------------------------------


def test_signer_sets_the_six_headers_with_a_fresh_nonce_each_time() -> None:
    first, second = sign(us_signer()), sign(us_signer())
    assert first.headers["glasnost-audience"] == NODE
    assert first.headers["glasnost-party"] == "US"
    assert first.headers["glasnost-key-id"] == US.key_id(US.administrations[1])
    assert first.headers["glasnost-timestamp"] == str(NOW)
    assert len(first.headers["glasnost-nonce"]) == 32
    assert len(base64.b64decode(first.headers["glasnost-signature"])) == 64
    assert first.headers["glasnost-nonce"] != second.headers["glasnost-nonce"]


def test_signer_for_keys_finds_the_administration_of_the_key() -> None:
    signer = RequestSigner.for_keys(US, US_OLD, audience=NODE)
    assert signer.key_id == US.key_id(US.administrations[0])
    with pytest.raises(ValueError, match="not the key of any administration of US"):
        RequestSigner.for_keys(US, RU_KEY, audience=NODE)


def test_signer_refuses_malformed_ids() -> None:
    with pytest.raises(ValueError, match="Glasnost-Key-Id"):
        RequestSigner("US", "A1B2C3D4", US_KEY, audience=NODE)
    with pytest.raises(ValueError, match="Glasnost-Party"):
        RequestSigner("U S", "a1b2c3d4", US_KEY, audience=NODE)
    with pytest.raises(ValueError, match="Glasnost-Audience"):
        RequestSigner("US", "a1b2c3d4", US_KEY, audience="a node")


# --- verification -------------------------------------------------------------------------------


def test_accepts_a_correctly_signed_request() -> None:
    principal = verify(sign(us_signer()))
    assert (principal.id, principal.role, principal.keys) == ("US", "party", US)


def test_rejects_a_request_signed_for_another_node() -> None:
    """Replaying a request to another node that trusts the same key: refused there."""
    request = sign(us_signer())
    error = refused(request, audience="glasnost.example/RU")
    assert error.status == 401
    assert error.message == (
        "wrong audience: the request was signed for 'glasnost.example/US'; this node is "
        "'glasnost.example/RU'"
    )
    forged = request.with_header("Glasnost-Audience", "glasnost.example/RU")
    error = refused(forged, audience="glasnost.example/RU")  # the signature covers it
    assert error.message.startswith("signature invalid")


def test_accepts_headers_in_any_case() -> None:
    request = sign(us_signer())
    upper = {k.upper(): v for k, v in request.headers.items()}
    assert verify(Signed(request.method, request.target, upper, request.body)).id == "US"


def test_accepts_an_observer_and_a_request_without_body_or_query() -> None:
    signer = RequestSigner(
        "OBS", OBS.key_id(OBS.administrations[0]), OBS_KEY, audience=NODE, clock=_clock()
    )
    request = sign(signer, "GET", "https://node.example/v1/status", b"")
    assert request.target == "/v1/status"
    assert verify(request).role == "observer"


def test_accepts_a_timestamp_at_the_edges_of_the_window() -> None:
    assert verify(sign(us_signer(NOW - WINDOW))).id == "US"
    assert verify(sign(us_signer(NOW + WINDOW))).id == "US"


@pytest.mark.parametrize(
    "header",
    [
        "Glasnost-Party",
        "Glasnost-Key-Id",
        "Glasnost-Timestamp",
        "Glasnost-Nonce",
        "Glasnost-Signature",
        "Glasnost-Audience",
    ],
)
def test_rejects_request_missing_a_header(header: str) -> None:
    error = refused(sign(us_signer()).with_header(header, None))
    assert (error.status, error.message) == (401, f"missing {header} header")


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Glasnost-Party", "U S"),
        ("Glasnost-Party", ""),
        ("Glasnost-Party", "Ü"),
        ("Glasnost-Key-Id", "A1B2C3D4"),
        ("Glasnost-Key-Id", "a1b2c3"),
        ("Glasnost-Timestamp", "-1750000000"),
        ("Glasnost-Timestamp", "01750000000"),
        ("Glasnost-Timestamp", "1750000000.5"),
        ("Glasnost-Timestamp", "１７５"),  # full-width digits
        ("Glasnost-Nonce", "ab" * 8),  # 64 bits
        ("Glasnost-Nonce", "AB" * 16),
        ("Glasnost-Nonce", "ab" * 33),
        ("Glasnost-Audience", "glasnost example/US"),
        ("Glasnost-Signature", "not base64!"),
        ("Glasnost-Signature", base64.b64encode(bytes(63)).decode()),
        ("Glasnost-Signature", base64.b64encode(bytes(64)).decode().rstrip("=")),
    ],
)
def test_rejects_malformed_header_naming_it(header: str, value: str) -> None:
    error = refused(sign(us_signer()).with_header(header, value))
    assert error.status == 401
    assert error.message.startswith(f"malformed {header} header")


def test_rejects_a_header_given_twice() -> None:
    request = sign(us_signer())
    request.headers["GLASNOST-NONCE"] = "cd" * 16
    error = refused(request)
    assert error.message == "malformed Glasnost-Nonce header: given more than once"


def test_rejects_request_signed_by_other_party() -> None:
    """RU signs with its own key but claims to be US, naming US's key id."""
    impostor = RequestSigner(
        "US", US.key_id(US.administrations[1]), RU_KEY, audience=NODE, clock=_clock()
    )
    error = refused(sign(impostor))
    assert error.status == 401
    assert error.message.startswith("signature invalid")


def test_rejects_other_party_key_id_under_this_party() -> None:
    impostor = RequestSigner(
        "US", RU.key_id(RU.administrations[0]), RU_KEY, audience=NODE, clock=_clock()
    )
    error = refused(sign(impostor))
    assert error.status == 401
    assert error.message.startswith("unknown key:")
    assert "not a key of US" in error.message


def test_rejects_bad_signature_bytes() -> None:
    error = refused(
        sign(us_signer()).with_header("Glasnost-Signature", base64.b64encode(bytes(64)).decode())
    )
    assert error.message.startswith("signature invalid")


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("body", b'{"seq":4}'),
        ("body", b""),
        ("target", "/v1/logs/RU/entries?since=3&limit=10"),
        ("target", "/v1/logs/US/entries?since=0&limit=10"),
        ("target", "/v1/logs/US/entries"),
        ("method", "PUT"),
        ("method", "post"),
    ],
)
def test_rejects_signature_over_a_different_request(change: str, value: object) -> None:
    """A captured signature must not authorize another body, path, query or method."""
    error = refused(sign(us_signer()), **{change: value})
    assert error.status == 401
    assert error.message.startswith("signature invalid")


def test_rejects_changed_signed_header() -> None:
    request = sign(us_signer()).with_header("Glasnost-Timestamp", str(NOW - 1))
    assert refused(request).message.startswith("signature invalid")


@pytest.mark.parametrize(("offset", "words"), [(-WINDOW - 1, "301 s ago"), (WINDOW + 1, "future")])
def test_rejects_timestamp_outside_the_window(offset: int, words: str) -> None:
    error = refused(sign(us_signer(NOW + offset)))
    assert error.status == 401
    assert error.message.startswith("clock skew")
    assert words in error.message


def test_rejects_unknown_party() -> None:
    signer = RequestSigner("FR", "a1b2c3d4", _key(9), audience=NODE, clock=_clock())
    error = refused(sign(signer))
    assert (error.status, error.message) == (401, "unknown party 'FR'")


def test_rejects_key_of_past_administration() -> None:
    """The outgoing administration's key no longer speaks for the party."""
    old = RequestSigner.for_keys(US, US_OLD, audience=NODE, clock=_clock())
    error = refused(sign(old))
    assert error.status == 401
    assert error.message.startswith("key not in office")
    assert "us-1" in error.message


def test_accepts_key_of_past_administration_while_it_was_in_office() -> None:
    then = int(INAUGURATION.timestamp()) - 60
    old = RequestSigner.for_keys(US, US_OLD, audience=NODE, clock=_clock(then))
    assert verify(sign(old), now=then).id == "US"


def test_rejects_replayed_request() -> None:
    nonces = MemoryNonceStore()
    request = sign(us_signer())
    assert verify(request, nonces).id == "US"
    error = refused(request, nonces=nonces)
    assert error.status == 401
    assert error.message.startswith("replayed request")


def test_rejects_replay_with_new_timestamp_and_old_nonce() -> None:
    """Re-signing is impossible without the key, and the old signature covers the timestamp."""
    nonces = MemoryNonceStore()
    request = sign(us_signer())
    verify(request, nonces)
    later = request.with_header("Glasnost-Timestamp", str(NOW + 10))
    assert refused(later, nonces=nonces, now=NOW + 10).message.startswith("signature invalid")


def test_bad_signature_does_not_consume_the_nonce() -> None:
    """An attacker who sees a nonce cannot burn it with a forged request."""
    nonces = MemoryNonceStore()
    request = sign(us_signer())
    forged = request.with_header("Glasnost-Signature", base64.b64encode(bytes(64)).decode())
    assert refused(forged, nonces=nonces).message.startswith("signature invalid")
    assert len(nonces) == 0
    assert verify(request, nonces).id == "US"


def test_records_the_nonce_until_the_end_of_the_window() -> None:
    seen: list[tuple[str, str, int, int]] = []

    class Recorder:
        def use(self, nonce: str, principal: str, expires_at: int, now: int) -> bool:
            seen.append((nonce, principal, expires_at, now))
            return True

    request = sign(us_signer(NOW - 10))
    verify(request, Recorder())
    assert seen == [(request.headers["glasnost-nonce"], "US", NOW - 10 + WINDOW, NOW)]


# --- roles --------------------------------------------------------------------------------------


def test_observers_may_only_read() -> None:
    observer = PRINCIPALS.get("OBS")
    party = PRINCIPALS.get("US")
    assert observer is not None
    assert party is not None
    require_role(party, {"party"})
    require_role(observer, {"party", "observer"})
    with pytest.raises(AuthError) as info:
        require_role(observer, {"party"})
    assert (info.value.status, info.value.message) == (
        403,
        "observers may only read; OBS is an observer",
    )
    with pytest.raises(AuthError, match="needs role observer"):
        require_role(party, {"observer"})


def test_principals_are_unique_across_parties_and_observers() -> None:
    assert len(PRINCIPALS) == 3
    assert "RU" in PRINCIPALS
    assert "FR" not in PRINCIPALS
    assert {p.id: p.role for p in PRINCIPALS} == {"US": "party", "RU": "party", "OBS": "observer"}
    with pytest.raises(ValueError, match="'US' is named more than once"):
        Principals(parties=[US], observers=[US])


# --- nonce stores -------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "sql"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[MemoryNonceStore | SqlNonceStore]:
    if request.param == "memory":
        yield MemoryNonceStore(prune_every=3)
        return
    engine = make_engine(tmp_path / "node.db")
    migrate(engine)
    yield SqlNonceStore(engine, prune_every=3)
    engine.dispose()


def _count(store: MemoryNonceStore | SqlNonceStore) -> int:
    if isinstance(store, MemoryNonceStore):
        return len(store)
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM request_nonces")).scalar_one())


def test_nonce_store_refuses_a_nonce_used_before(store: MemoryNonceStore | SqlNonceStore) -> None:
    assert store.use("a" * 32, "US", NOW + 300, NOW)
    assert not store.use("a" * 32, "US", NOW + 300, NOW)
    assert not store.use("a" * 32, "RU", NOW + 600, NOW + 1)
    assert store.use("b" * 32, "US", NOW + 300, NOW)


def test_nonce_store_prunes_expired_nonces(store: MemoryNonceStore | SqlNonceStore) -> None:
    store.use("a" * 32, "US", NOW + 10, NOW)
    store.use("b" * 32, "US", NOW + 20, NOW)
    assert store.prune(NOW + 10) == 0  # expires_at == now: still acceptable, still kept
    assert store.prune(NOW + 11) == 1
    assert _count(store) == 1
    assert store.use("a" * 32, "US", NOW + 320, NOW + 20)  # forgotten once expired


def test_nonce_store_prunes_every_nth_call(store: MemoryNonceStore | SqlNonceStore) -> None:
    store.use("a" * 32, "US", NOW, NOW)
    store.use("b" * 32, "US", NOW, NOW)
    assert _count(store) == 2
    store.use("c" * 32, "US", NOW + 400, NOW + 100)  # third call: prunes what expired
    assert _count(store) == 1


def test_nonce_store_lets_one_of_many_concurrent_uses_win(
    store: MemoryNonceStore | SqlNonceStore,
) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def use() -> None:
        barrier.wait()
        results.append(store.use("d" * 32, "US", NOW + 300, NOW))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


# --- FastAPI glue -------------------------------------------------------------------------------


def _asgi_request(request: Signed) -> Request:
    path, _, query = request.target.partition("?")
    scope = {
        "type": "http",
        "method": request.method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in request.headers.items()],
    }
    messages = [{"type": "http.request", "body": request.body, "more_body": False}]

    async def receive() -> dict[str, object]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return Request(scope, receive)


@pytest.mark.anyio
async def test_authenticator_verifies_a_request_once() -> None:
    """Several dependencies of one route may ask; the nonce is used only once."""
    nonces = MemoryNonceStore()
    authenticator = Authenticator(PRINCIPALS, nonces, audience=NODE, clock=_clock())
    request = _asgi_request(sign(us_signer()))
    first = await authenticator(request)
    assert await authenticator(request) is first
    assert len(nonces) == 1


@pytest.mark.anyio
async def test_authenticator_answers_401_with_challenge() -> None:
    authenticator = Authenticator(PRINCIPALS, MemoryNonceStore(), audience=NODE, clock=_clock())
    signed = sign(us_signer())
    await authenticator(_asgi_request(signed))
    with pytest.raises(HTTPException) as info:
        await authenticator(_asgi_request(signed))  # the same bytes again, a new request
    assert info.value.status_code == 401
    assert info.value.headers == {"WWW-Authenticate": "Glasnost-Request"}
    assert str(info.value.detail).startswith("replayed request")
