"""Sync between two nodes over HTTP: :class:`HttpPeer` speaks the node API for
:mod:`glasnost.exchange.replication` (pull the peer's log, verify, mirror, cosign; push our own).

:func:`sync_once` syncs with one peer (its URL; its party is asked from ``/v1/health`` and must
be one this node follows); :func:`sync_loop` does it every interval with every peer. The
protocol and what it checks are in :mod:`glasnost.exchange.replication`.
"""

from __future__ import annotations

import base64
import datetime as dt
import ssl
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx

from glasnost.exchange.checkpoint import encode_add_checkpoint
from glasnost.exchange.entries import SignedEntry
from glasnost.exchange.errors import ExchangeError
from glasnost.exchange.node import Node
from glasnost.exchange.replication import (
    PAGE,
    MirrorState,
    PeerConflict,
    SyncError,
    SyncReport,
    sync,
)
from glasnost.service.auth import RequestSigner
from glasnost.service.logs import log_sync

__all__ = [
    "HttpPeer",
    "PeerClient",
    "PeerConflict",
    "SyncError",
    "SyncReport",
    "sync_loop",
    "sync_once",
]


class HttpPeer:
    """A peer's node over HTTP (a replication ``Peer``): signed requests to its node API."""

    def __init__(
        self,
        url: str,
        node: Node,
        *,
        timeout_s: float = 30.0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """Ask the peer who it is (``/v1/health``, unsigned), then sign every request for it.
        ``tls``: how to verify an HTTPS peer and which client certificate to present
        (:class:`glasnost.service.peer_tls.PeerTLS`); None: the system's CAs, no certificate."""
        key, administration = node.signer(dt.datetime.now(dt.UTC))
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout_s, verify=tls or True)
        try:
            self.peer = self.health()
            origin = self.peer.get("origin")
            if not isinstance(origin, str) or not origin:
                raise SyncError(f"{self.url}: /v1/health names no log origin")
        except BaseException:
            self.http.close()
            raise
        self.http.auth = RequestSigner(
            node.party, node.party_keys.key_id(administration), key, audience=origin
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HttpPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check(self, response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.headers.get("Glasnost-Detail") or response.text
        kind = PeerConflict if response.status_code == 409 else SyncError
        raise kind(
            f"{self.url}: {response.request.method} {response.request.url.path}: "
            f"{response.status_code} {detail}"
        )

    @property
    def name(self) -> str:
        return self.url

    @property
    def party(self) -> str:
        return str(self.peer.get("party"))

    @property
    def origin(self) -> str:
        return str(self.peer["origin"])

    def health(self) -> dict[str, Any]:
        return dict(self._check(self.http.get("/v1/health")).json())

    def logs(self) -> list[dict[str, Any]]:
        return list(self._check(self.http.get("/v1/logs")).json())

    def mirror_state(self, origin: str) -> MirrorState | None:
        remote = {log["origin"]: log for log in self.logs()}.get(origin)
        if remote is None:
            return None
        return MirrorState(int(remote["size"]), int(remote.get("cosigned_size") or 0))

    def checkpoint(self) -> str | None:
        response = self.http.get("/v1/checkpoint")
        if response.status_code == 404:
            return None
        return self._check(response).text

    def entries(self, start: int, end: int) -> list[SignedEntry]:
        data = self._check(self.http.get("/v1/entries", params={"start": start, "end": end}))
        return [SignedEntry.from_json(e) for e in data.json()["entries"]]

    def consistency(self, old: int, new: int) -> list[bytes]:
        data = self._check(
            self.http.get("/v1/proof/consistency", params={"old": old, "new": new})
        ).json()
        return [base64.b64decode(h) for h in data["proof"]]

    def push_entries(self, start: int, entries: Sequence[SignedEntry]) -> int:
        body = {"start": start, "entries": [e.to_json() for e in entries]}
        return int(self._check(self.http.post("/v1/mirror/entries", json=body)).json()["size"])

    def add_checkpoint(self, old_size: int, proof: Sequence[bytes], note: str) -> str:
        response = self.http.post(
            "/v1/witness/add-checkpoint",
            content=encode_add_checkpoint(old_size, proof, note),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        return self._check(response).text

    def return_cosignature(self, note: str) -> dict[str, int]:
        data = self._check(self.http.post("/v1/cosignatures", json={"note": note})).json()
        return dict(data["kept"])


PeerClient = HttpPeer
"""The former name of :class:`HttpPeer`."""


def sync_once(
    node: Node, url: str, *, page: int = PAGE, tls: ssl.SSLContext | None = None
) -> SyncReport:
    """Sync with the node at ``url``: :func:`glasnost.exchange.replication.sync` over HTTP
    (``tls``: as for :class:`HttpPeer`)."""
    with HttpPeer(url, node, tls=tls) as peer:
        return sync(node, peer, page=page)


def sync_loop(
    node: Node,
    urls: Sequence[str],
    interval_s: float,
    stop: threading.Event,
    *,
    state: dict[str, dict[str, Any]] | None = None,
    tls: ssl.SSLContext | None = None,
) -> None:
    """Sync with every peer every ``interval_s`` seconds until ``stop`` is set; the outcome of
    the last try per peer goes into ``state`` (shown by ``/v1/peers``)."""
    state = {} if state is None else state
    while not stop.is_set():
        for url in urls:
            _try(node, url, state, tls)
        stop.wait(interval_s)


def _try(
    node: Node, url: str, state: dict[str, dict[str, Any]], tls: ssl.SSLContext | None
) -> None:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    start = time.perf_counter()
    try:
        report = sync_once(node, url, tls=tls)
    except (SyncError, ExchangeError, httpx.HTTPError) as exc:
        log_sync(url, time.perf_counter() - start, None, str(exc) or type(exc).__name__)
        state[url] = {"url": url, "at": now, "ok": False, "error": str(exc)}
        return
    log_sync(url, time.perf_counter() - start, report.to_json())
    state[url] = {"url": url, "at": now, "ok": True, **report.to_json()}
