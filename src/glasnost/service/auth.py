"""Authenticated API requests: the scheme ``glasnost-request/v1``.

Every request to a node's API is signed by its sender, a party of the agreement or a read-only
observer named in the node's configuration, with the Ed25519 key (RFC 8032) of the sender's
administration in office (:mod:`glasnost.exchange.keys`). The signature says who sent the
request, binds it to the method, target and body, and a nonce makes every request usable once.

**Headers.** All six are required, each exactly once (names are case-insensitive)::

    Glasnost-Party      the sender's id: a party id (``US``) or an observer id; a letter, then
                        letters, digits, '_' or '-', at most 64 characters
    Glasnost-Key-Id     the C2SP key id of the sender's key under the sender's key name
                        (``PartyKeys.key_id``): exactly 8 lower-case hex digits
    Glasnost-Timestamp  the time of signing in unix seconds: 1 to 12 ASCII digits, no sign,
                        no leading zero (``0`` itself allowed)
    Glasnost-Nonce      32 to 64 lower-case hex digits, fresh and random for every request
                        (at least 128 bits; this client sends 16 random bytes)
    Glasnost-Signature  the 64-byte Ed25519 signature of the signed message, in standard
                        base64 (RFC 4648 section 4, with padding, canonical)
    Glasnost-Audience   the node the request is for: its log origin (e.g. ``glasnost/RU``,
                        as its ``/v1/health`` says), 1 to 255 printable ASCII characters,
                        no space

**Signed message.** The UTF-8 bytes of these nine lines, each ended by one line feed (0x0A),
nothing else added (no field may contain a line feed)::

    glasnost-request/v1
    <audience>    the Glasnost-Audience value
    <method>      the request method as sent (``GET``, ``POST``: HTTP methods are case-sensitive)
    <target>      the request target in origin form as sent on the request line (ASCII, as
                  HTTP requires): the path, then ``?`` and the query string when the query is
                  not empty, byte for byte (percent-encoding neither decoded nor normalized);
                  no scheme and no host
    <timestamp>   the Glasnost-Timestamp value
    <nonce>       the Glasnost-Nonce value
    <party>       the Glasnost-Party value
    <key id>      the Glasnost-Key-Id value
    <body hash>   the SHA-256 of the body bytes as sent, 64 lower-case hex digits (of the empty
                  string when there is no body: ``e3b0c442...7852b855``)

The host is not signed, since proxies rewrite it; the audience names the node instead, so a
request signed for one node is refused by every other node that trusts the same key.

**Verification** (:func:`verify_request`) runs these steps in order; each failure is an
:class:`AuthError` with status 401 whose message starts with what failed:

1. each header is present exactly once and well-formed (the message names the header);
2. the audience is this node's origin: else "wrong audience";
   ``|now - timestamp| <= window`` (300 s by default): else "clock skew";
3. the party is a known principal: else "unknown party";
4. the key id is one of that principal's keys (``PartyKeys.by_key_id``): else "unknown key";
5. that key's administration is in office now (``Administration.valid_at``): else "key not in
   office";
6. the signature verifies with that key over the signed message: else "signature invalid";
7. the nonce was not used before: it is recorded until ``timestamp + window``, the last second
   at which the request could be accepted; a nonce seen before is a "replayed request". This
   step comes after the signature, so nobody without the key can use up a sender's nonces.

Nonces are kept by a :class:`~glasnost.service.nonces.NonceStore`. A write's nonce goes to
the store's ``request_nonces`` table, so that a replayed write is refused after a restart as
well; a read's (:data:`READ_METHODS`) is kept in memory only, so that a read costs no durable
write: a read replayed after a restart, within the window, only returns what a read returns.

**Authorization** is separate (:func:`require_role`, status 403): parties may read and write,
observers may only read.

**FastAPI.** Put an :class:`Authenticator` on ``app.state.authenticator``; routes declare
``principal: Authenticated`` (any principal) or
``principal: Annotated[Principal, Depends(requires("party"))]``. An authenticator instance is
also a dependency itself (``Depends(authenticator)``). A request is verified once however many
of its dependencies ask.

The node's app verifies every request to a protected route earlier, in
:class:`glasnost.service.admission.Admission`, from the headers (:func:`check_headers`) and a
streamed hash of the body (:func:`check_signature`) before anything parses the body; the
dependency then returns the principal it found.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Collection, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal
from urllib.parse import quote

import anyio.to_thread
import httpx
from fastapi import Depends, HTTPException, Request

from glasnost.errors import GlasnostError
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.errors import InvalidSignature, UnknownKey
from glasnost.exchange.keys import (
    SIGNATURE_BYTES,
    PartyKeys,
    PrivateKey,
    PublicKey,
    decode_base64,
)
from glasnost.service.nonces import MemoryNonceStore, NonceStore, SqlNonceStore

__all__ = [
    "DEFAULT_WINDOW_S",
    "KEY_ID_HEADER",
    "NONCE_HEADER",
    "PARTY_HEADER",
    "PRINCIPAL_KEY",
    "READ_METHODS",
    "SCHEME",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WWW_AUTHENTICATE",
    "AuthError",
    "Authenticated",
    "Authenticator",
    "Claim",
    "MemoryNonceStore",
    "NonceStore",
    "Principal",
    "Principals",
    "RequestSigner",
    "Role",
    "SqlNonceStore",
    "auth_headers",
    "authenticated",
    "check_headers",
    "check_signature",
    "request_target",
    "require_role",
    "requires",
    "signing_message",
    "verify_request",
]

SCHEME: Final = "glasnost-request/v1"
"""The first line of every signed message."""

DEFAULT_WINDOW_S: Final = 300
"""How far a request's timestamp may lie from the node's clock, either way (s)."""

PARTY_HEADER: Final = "Glasnost-Party"
KEY_ID_HEADER: Final = "Glasnost-Key-Id"
TIMESTAMP_HEADER: Final = "Glasnost-Timestamp"
NONCE_HEADER: Final = "Glasnost-Nonce"
SIGNATURE_HEADER: Final = "Glasnost-Signature"
AUDIENCE_HEADER: Final = "Glasnost-Audience"

READ_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing: their nonces are kept in memory only (a replayed read returns
what the first one did; a write's nonce is kept durably)."""

WWW_AUTHENTICATE: Final = "Glasnost-Request"
"""The challenge sent with every 401."""

PRINCIPAL_KEY: Final = "glasnost.principal"
"""ASGI scope key under which a request's verified principal is kept."""

_FORMATS: Final = {
    PARTY_HEADER: (
        re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,63}"),
        "a letter, then letters, digits, '_' or '-' (at most 64)",
    ),
    KEY_ID_HEADER: (re.compile(r"[0-9a-f]{8}"), "8 lower-case hex digits"),
    TIMESTAMP_HEADER: (
        re.compile(r"0|[1-9][0-9]{0,11}"),
        "unix seconds: 1 to 12 digits, no sign, no leading zero",
    ),
    NONCE_HEADER: (re.compile(r"[0-9a-f]{32,64}"), "32 to 64 lower-case hex digits"),
    AUDIENCE_HEADER: (
        re.compile(r"[!-~]{1,255}"),
        "the target node's origin: 1 to 255 printable ASCII characters, no space",
    ),
}

Role = Literal["party", "observer"]
Clock = Callable[[], float]


class AuthError(GlasnostError):
    """A request that is not authenticated (status 401) or not allowed (403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


# --- the signed message -------------------------------------------------------------------------


def signing_message(
    method: str,
    target: str,
    timestamp: int,
    nonce: str,
    party: str,
    key_id: str,
    body: bytes,
    *,
    audience: str,
) -> bytes:
    """The bytes a request's signature covers (see the module docstring)."""
    body_sha256 = hashlib.sha256(body).hexdigest()
    return _message(method, target, timestamp, nonce, party, key_id, body_sha256, audience=audience)


def _message(
    method: str,
    target: str,
    timestamp: int,
    nonce: str,
    party: str,
    key_id: str,
    body_sha256: str,
    *,
    audience: str,
) -> bytes:
    if timestamp < 0:
        raise ValueError(f"timestamp {timestamp} is negative")
    fields = {
        "audience": audience,
        "method": method,
        "target": target,
        "nonce": nonce,
        "party": party,
        "key id": key_id,
    }
    for name, value in fields.items():
        if "\n" in value:
            raise ValueError(f"the {name} contains a line feed")
    lines = (SCHEME, audience, method, target, str(timestamp), nonce, party, key_id)
    text = "".join(f"{line}\n" for line in lines) + body_sha256 + "\n"
    return text.encode("utf-8")


def _origin_form(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def request_target(scope: Mapping[str, Any]) -> str:
    """The target of an ASGI HTTP request as the client sent it: ``raw_path`` (or the path,
    percent-encoded, where the server gives no ``raw_path``), then ``?`` and the raw query."""
    raw_path = scope.get("raw_path")
    if raw_path is not None:
        path = bytes(raw_path).decode("latin-1")
    else:
        path = quote(str(scope["path"]), safe="/!$&'()*+,;=:@-._~")
    return _origin_form(path, bytes(scope.get("query_string", b"")).decode("latin-1"))


# --- the client ---------------------------------------------------------------------------------


class RequestSigner(httpx.Auth):
    """httpx authentication that signs every request as ``party`` with ``key``, for the node
    whose origin is ``audience``.

    Each request gets the current time from ``clock`` and a fresh nonce (16 random bytes).
    """

    requires_request_body = True

    def __init__(
        self,
        party: str,
        key_id: str,
        key: PrivateKey,
        *,
        audience: str,
        clock: Clock = time.time,
    ) -> None:
        checks = ((PARTY_HEADER, party), (KEY_ID_HEADER, key_id), (AUDIENCE_HEADER, audience))
        for header, value in checks:
            pattern, expected = _FORMATS[header]
            if not pattern.fullmatch(value):
                raise ValueError(f"{header} {value!r} is not {expected}")
        self.party = party
        self.key_id = key_id
        self.audience = audience
        self._key = key
        self._clock = clock

    @classmethod
    def for_keys(
        cls, keys: PartyKeys, key: PrivateKey, *, audience: str, clock: Clock = time.time
    ) -> RequestSigner:
        """A signer for ``keys.party`` whose key id is that of the administration of ``key``."""
        public = key.public_key.to_base64()
        for adm in keys.administrations:
            if adm.public_key == public:
                return cls(keys.party, keys.key_id(adm), key, audience=audience, clock=clock)
        raise ValueError(f"the key is not the key of any administration of {keys.party}")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = int(self._clock())
        nonce = secrets.token_hex(16)
        path, _, query = request.url.raw_path.decode("ascii").partition("?")
        message = signing_message(
            request.method,
            _origin_form(path, query),
            timestamp,
            nonce,
            self.party,
            self.key_id,
            request.content,
            audience=self.audience,
        )
        request.headers[AUDIENCE_HEADER] = self.audience
        request.headers[PARTY_HEADER] = self.party
        request.headers[KEY_ID_HEADER] = self.key_id
        request.headers[TIMESTAMP_HEADER] = str(timestamp)
        request.headers[NONCE_HEADER] = nonce
        request.headers[SIGNATURE_HEADER] = base64.b64encode(self._key.sign(message)).decode()
        yield request


# --- principals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who sent a request: a party or an observer, with its key record."""

    id: str
    role: Role
    keys: PartyKeys


class Principals:
    """The senders a node accepts: the parties of the agreement and the observers it names.

    Observers use the same key record as parties (:class:`PartyKeys`, ``party`` being the
    observer's id). Ids are unique across both groups.
    """

    def __init__(
        self, parties: Sequence[PartyKeys] = (), observers: Sequence[PartyKeys] = ()
    ) -> None:
        self._by_id: dict[str, Principal] = {}
        groups: tuple[tuple[Role, Sequence[PartyKeys]], ...] = (
            ("party", parties),
            ("observer", observers),
        )
        for role, records in groups:
            for keys in records:
                if keys.party in self._by_id:
                    raise ValueError(f"principal {keys.party!r} is named more than once")
                self._by_id[keys.party] = Principal(keys.party, role, keys)

    def get(self, principal_id: str) -> Principal | None:
        return self._by_id.get(principal_id)

    def __contains__(self, principal_id: object) -> bool:
        return principal_id in self._by_id

    def __iter__(self) -> Iterator[Principal]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)


def require_role(principal: Principal, allowed: Collection[Role]) -> None:
    """Raise :class:`AuthError` 403 unless the principal's role is one of ``allowed``."""
    if principal.role in allowed:
        return
    if principal.role == "observer":
        raise AuthError(403, f"observers may only read; {principal.id} is an observer")
    needed = " or ".join(sorted(allowed)) or "no role"
    raise AuthError(403, f"this needs role {needed}; {principal.id} is a {principal.role}")


# --- verification -------------------------------------------------------------------------------


def auth_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The six headers by their canonical names, each checked present once and well-formed."""
    names = (
        PARTY_HEADER,
        KEY_ID_HEADER,
        TIMESTAMP_HEADER,
        NONCE_HEADER,
        SIGNATURE_HEADER,
        AUDIENCE_HEADER,
    )
    wanted = {name.lower(): name for name in names}
    found: dict[str, str] = {}
    for name, value in headers.items():
        canonical = wanted.get(name.lower())
        if canonical is None:
            continue
        if canonical in found:
            raise AuthError(401, f"malformed {canonical} header: given more than once")
        found[canonical] = value
    for canonical in wanted.values():
        if canonical not in found:
            raise AuthError(401, f"missing {canonical} header")
        fmt = _FORMATS.get(canonical)
        if fmt is not None and not fmt[0].fullmatch(found[canonical]):
            raise AuthError(401, f"malformed {canonical} header: expected {fmt[1]}")
    return found


@dataclass(frozen=True)
class Claim:
    """What a request's headers say, checked as far as headers alone allow (steps 1 to 5):
    the sender and its key in office; the signature is still to be verified over the body."""

    principal: Principal
    key: PublicKey
    method: str
    target: str
    timestamp: int
    nonce: str
    key_id: str
    signature: bytes
    audience: str


def check_headers(
    method: str,
    target: str,
    headers: Mapping[str, str],
    principals: Principals,
    now: int,
    window_s: int = DEFAULT_WINDOW_S,
    *,
    audience: str,
) -> Claim:
    """Steps 1 to 5 of the module docstring, which need no body; raises :class:`AuthError`."""
    values = auth_headers(headers)
    if values[AUDIENCE_HEADER] != audience:
        raise AuthError(
            401,
            f"wrong audience: the request was signed for {values[AUDIENCE_HEADER]!r}; this node "
            f"is {audience!r}",
        )
    party = values[PARTY_HEADER]
    key_id = values[KEY_ID_HEADER]
    timestamp = int(values[TIMESTAMP_HEADER])
    try:
        signature = decode_base64(values[SIGNATURE_HEADER], SIGNATURE_BYTES, "signature")
    except ValueError as exc:
        raise AuthError(401, f"malformed {SIGNATURE_HEADER} header: {exc}") from None

    age = now - timestamp
    if abs(age) > window_s:
        when = f"{age} s ago" if age > 0 else f"{-age} s in the future"
        raise AuthError(
            401,
            f"clock skew: the request was signed {when} (at {timestamp}); the node accepts "
            f"{window_s} s either way of its time {now}",
        )

    principal = principals.get(party)
    if principal is None:
        raise AuthError(401, f"unknown party {party!r}")
    try:
        adm = principal.keys.by_key_id(key_id)
    except UnknownKey:
        raise AuthError(401, f"unknown key: {key_id} is not a key of {party}") from None
    at = dt.datetime.fromtimestamp(now, dt.UTC)
    if not adm.valid_at(at):
        raise AuthError(
            401,
            f"key not in office: {key_id} is the key of {party}'s administration {adm.id}, "
            f"in office {adm.period()}, not at {utc_iso(at)}",
        )
    return Claim(
        principal,
        adm.key,
        method,
        target,
        timestamp,
        values[NONCE_HEADER],
        key_id,
        signature,
        audience,
    )


def check_signature(
    claim: Claim, body_sha256: str, nonces: NonceStore, now: int, window_s: int = DEFAULT_WINDOW_S
) -> Principal:
    """Steps 6 and 7: the signature over the message with this body hash (hex), then the
    nonce; raises :class:`AuthError`."""
    party = claim.principal.id
    try:
        message = _message(
            claim.method,
            claim.target,
            claim.timestamp,
            claim.nonce,
            party,
            claim.key_id,
            body_sha256,
            audience=claim.audience,
        )
    except ValueError as exc:
        raise AuthError(401, f"malformed request: {exc}") from None
    try:
        claim.key.verify(claim.signature, message)
    except InvalidSignature:
        raise AuthError(
            401,
            f"signature invalid: it does not verify with {party}'s key {claim.key_id} over this "
            "request's method, target, body and Glasnost headers",
        ) from None

    if not nonces.use(claim.nonce, party, claim.timestamp + window_s, now):
        raise AuthError(401, f"replayed request: nonce {claim.nonce} was used before")
    return claim.principal


def verify_request(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    principals: Principals,
    nonces: NonceStore,
    now: int,
    window_s: int = DEFAULT_WINDOW_S,
    *,
    audience: str,
) -> Principal:
    """The principal that signed this request, after steps 1 to 7 of the module docstring.

    ``target`` is the request target as received (:func:`request_target`), ``now`` the node's
    time in unix seconds, ``audience`` the node's own origin. Raises :class:`AuthError` (401)
    at the first step that fails; the nonce is recorded only when everything else has passed.
    """
    claim = check_headers(method, target, headers, principals, now, window_s, audience=audience)
    return check_signature(claim, hashlib.sha256(body).hexdigest(), nonces, now, window_s)


# --- FastAPI ------------------------------------------------------------------------------------


def _http_error(error: AuthError) -> HTTPException:
    headers = {"WWW-Authenticate": WWW_AUTHENTICATE} if error.status == 401 else None
    return HTTPException(error.status, detail=error.message, headers=headers)


class Authenticator:
    """Verifies the requests of a node's API; an instance is a FastAPI dependency.

    ``audience`` is the node's origin, which requests must be signed for. ``principals`` is
    the registry, or a function that returns it for each request (so that
    a key record changed in the database counts at once). ``nonces`` keeps the nonces of
    writes; ``read_nonces`` those of reads (:data:`READ_METHODS`; default: in memory, so that
    a read costs no durable write). ``clock`` gives the node's time in unix seconds.
    Verification (with its database write) runs in a worker thread, off the event loop.
    """

    def __init__(
        self,
        principals: Principals | Callable[[], Principals],
        nonces: NonceStore,
        *,
        audience: str,
        window_s: int = DEFAULT_WINDOW_S,
        clock: Clock = time.time,
        read_nonces: NonceStore | None = None,
    ) -> None:
        self.principals = principals
        self.nonces = nonces
        self.read_nonces = MemoryNonceStore() if read_nonces is None else read_nonces
        self.audience = audience
        self.window_s = window_s
        self._clock = clock

    def check_headers(self, method: str, target: str, headers: Mapping[str, str]) -> Claim:
        """:func:`check_headers` at the authenticator's time and window."""
        principals = self.principals() if callable(self.principals) else self.principals
        return check_headers(
            method,
            target,
            headers,
            principals,
            int(self._clock()),
            self.window_s,
            audience=self.audience,
        )

    def check_signature(self, claim: Claim, body_sha256: str) -> Principal:
        """:func:`check_signature`, the nonce kept by the store for the claim's method."""
        nonces = self.read_nonces if claim.method in READ_METHODS else self.nonces
        return check_signature(claim, body_sha256, nonces, int(self._clock()), self.window_s)

    def verify(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Principal:
        """Steps 1 to 7 of the module docstring at the authenticator's time and window."""
        claim = self.check_headers(method, target, headers)
        return self.check_signature(claim, hashlib.sha256(body).hexdigest())

    async def __call__(self, request: Request) -> Principal:
        """The request's principal; raises :class:`HTTPException` 401 when it is not
        authenticated. Verifies once per request (later calls, and requests that
        :class:`glasnost.service.admission.Admission` verified, return the same principal)."""
        cached = request.scope.get(PRINCIPAL_KEY)
        if isinstance(cached, Principal):
            return cached
        body = await request.body()
        verify = functools.partial(
            self.verify, request.method, request_target(request.scope), request.headers, body
        )
        try:
            principal = await anyio.to_thread.run_sync(verify)
        except AuthError as exc:
            raise _http_error(exc) from None
        request.scope[PRINCIPAL_KEY] = principal
        return principal


async def authenticated(request: Request) -> Principal:
    """Dependency: the request's principal, verified by ``request.app.state.authenticator``."""
    authenticator = getattr(request.app.state, "authenticator", None)
    if not isinstance(authenticator, Authenticator):
        raise RuntimeError("app.state.authenticator is not set: give the app an Authenticator")
    return await authenticator(request)


Authenticated = Annotated[Principal, Depends(authenticated)]
"""A route parameter type: any authenticated principal (party or observer)."""


def requires(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the request's principal, which must have one of ``roles`` (else 403)."""
    allowed = frozenset(roles)

    async def dependency(principal: Authenticated) -> Principal:
        try:
            require_role(principal, allowed)
        except AuthError as exc:
            raise _http_error(exc) from None
        return principal

    return dependency
