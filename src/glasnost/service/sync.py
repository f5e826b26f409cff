"""Sync between two nodes over HTTP: pull the peer's log, verify, mirror, cosign; push our own.

:func:`sync_once` against one peer (its URL; its party is asked from ``/v1/health`` and must be
one this node follows):

**Pull.** Fetch the peer's latest checkpoint and verify its signature with the peer's keys.
Against the latest checkpoint this node keeps of that log: a smaller size is a truncated log,
the same size with another root an equivocation, and a larger one must come with a consistency
proof that verifies; each failure is kept as evidence (both signed notes, the proof) and ends
the sync (:class:`SyncError`); from then on this node refuses to cosign that log. Otherwise
the missing entries are fetched in pages from the mirror's size and appended (each page one
transaction, every entry verified): an interrupted sync resumes from the last stored entry,
never duplicating one. The checkpoint is kept only if the mirror's own root at its size
equals the signed root (else evidence), then cosigned by this node's witness and the
cosignature returned to the peer: its timestamp is the time of receipt.

**Push.** If the own log grew since its last checkpoint, sign a new one; push the entries the
peer's mirror lacks (it says how many it holds in ``/v1/logs``), then submit the checkpoint to
the peer's witness (C2SP add-checkpoint, with the consistency proof from the size the peer
cosigned) and keep the cosignature it answers.

Either node can run it; one sync moves data both ways, so it also works when only one node can
reach the other.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    add_signatures,
    log_verifiers,
    open_checkpoint,
)
from glasnost.exchange.entries import SignedEntry
from glasnost.exchange.errors import Evidence, ExchangeError, SequenceError
from glasnost.exchange.node import Node
from glasnost.exchange.store import LogStore
from glasnost.service.auth import RequestSigner
from glasnost.service.logs import log_sync

__all__ = ["PeerClient", "PeerConflict", "SyncError", "SyncReport", "sync_loop", "sync_once"]

PAGE = 1000
"""Entries per request (the API's page limit)."""


class SyncError(Exception):
    """A sync that could not complete: the peer misbehaved (evidence kept) or answered
    something this node cannot accept. ``str()`` says which and why."""


class PeerConflict(SyncError):  # noqa: N818 (a kind of SyncError)
    """The peer answered 409: its state moved (e.g. another sync pushed the same entries)."""


@dataclass
class SyncReport:
    """What one sync did."""

    peer: str
    pulled: int
    mirror_size: int
    cosigned_size: int | None
    pushed: int
    acknowledged_size: int | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class PeerClient:
    """Signed HTTP requests to a peer's node API."""

    def __init__(self, url: str, node: Node, *, timeout_s: float = 30.0) -> None:
        """Ask the peer who it is (``/v1/health``, unsigned), then sign every request for it."""
        key, administration = node.signer(dt.datetime.now(dt.UTC))
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout_s)
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

    def __enter__(self) -> PeerClient:
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

    def health(self) -> dict[str, Any]:
        return dict(self._check(self.http.get("/v1/health")).json())

    def logs(self) -> list[dict[str, Any]]:
        return list(self._check(self.http.get("/v1/logs")).json())

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
        lines = [f"old {old_size}", *(base64.b64encode(h).decode() for h in proof)]
        body = "\n".join(lines) + "\n\n" + note
        response = self.http.post(
            "/v1/witness/add-checkpoint",
            content=body.encode("utf-8"),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        return self._check(response).text

    def return_cosignature(self, note: str) -> dict[str, int]:
        data = self._check(self.http.post("/v1/cosignatures", json={"note": note})).json()
        return dict(data["kept"])


def sync_once(node: Node, url: str, *, page: int = PAGE) -> SyncReport:
    """Pull the peer's new entries and checkpoint, cosign it, push ours (module docstring)."""
    with PeerClient(url, node) as client:
        health = client.peer
        try:
            mirror = node.log(str(health.get("party")))
        except ExchangeError:
            raise SyncError(
                f"{url}: is the node of {health.get('party')!r}, which this node does not "
                "follow (glasnost node follow RECORD)"
            ) from None
        if mirror is node.own or mirror.origin != health.get("origin"):
            raise SyncError(f"{url}: serves log {health.get('origin')!r}, not a followed peer's")
        pulled, cosigned = _pull(node, mirror, client, page)
        pushed, acknowledged = _push(node, client, page)
    return SyncReport(
        peer=mirror.party,
        pulled=pulled,
        mirror_size=mirror.size(),
        cosigned_size=cosigned,
        pushed=pushed,
        acknowledged_size=acknowledged,
    )


def _pull(node: Node, mirror: LogStore, client: PeerClient, page: int) -> tuple[int, int | None]:
    note = client.checkpoint()
    if note is None:
        return 0, None
    try:
        checkpoint, _, _ = open_checkpoint(note, log_verifiers(mirror.party_keys))
    except ExchangeError as exc:
        raise SyncError(f"{client.url}: its checkpoint does not verify: {exc}") from None
    if checkpoint.origin != mirror.origin:
        raise SyncError(f"{client.url}: checkpoint of {checkpoint.origin!r}, not {mirror.origin}")
    latest = mirror.latest_checkpoint()
    if latest is not None:
        _check_against(mirror, client, latest.note, latest.size, latest.root, note, checkpoint)
    held = mirror.size()
    pulled = 0
    if held > checkpoint.size and mirror.root(checkpoint.size) != checkpoint.root_hash:
        _violation(mirror, "the signed root is not the root of the entries received", latest, note)
    while held < checkpoint.size:
        batch = client.entries(held, min(held + page, checkpoint.size))
        if not batch:
            raise SyncError(
                f"{client.url}: served no entries from {held} (checkpoint: {checkpoint.size})"
            )
        try:
            mirror.append(batch)
        except SequenceError:  # another sync (the loop, a user) stored them first
            held = mirror.size()
            continue
        held += len(batch)
        pulled += len(batch)
    if mirror.root(checkpoint.size) != checkpoint.root_hash:
        _violation(
            mirror, "the entries served do not hash to the signed checkpoint's root", latest, note
        )
    try:
        line = node.cosign(note)
    except ExchangeError as exc:
        raise SyncError(f"{client.url}: not cosigned: {exc}") from None
    client.return_cosignature(add_signatures(note, [line]))
    return pulled, checkpoint.size


def _check_against(
    mirror: LogStore,
    client: PeerClient,
    old_note: str,
    old_size: int,
    old_root: bytes,
    note: str,
    checkpoint: Any,
) -> None:
    """The new checkpoint must extend the one kept: no rollback, no fork."""
    if checkpoint.size < old_size:
        reason = f"truncated log: checkpoint of size {checkpoint.size} after one of size {old_size}"
        _record(mirror, reason, old_note, note)
    if checkpoint.size == old_size:
        if checkpoint.root_hash != old_root:
            _record(
                mirror, f"two checkpoints of size {old_size} with different roots", old_note, note
            )
        return
    if old_size == 0:
        return
    proof = client.consistency(old_size, checkpoint.size)
    try:
        ok = merkle.verify_consistency(
            old_size, checkpoint.size, old_root, checkpoint.root_hash, proof
        )
    except ValueError:
        ok = False
    if not ok:
        _record(
            mirror,
            f"consistency proof from size {old_size} to {checkpoint.size} does not verify "
            "(the history was rewritten)",
            old_note,
            note,
            proof,
        )


def _violation(mirror: LogStore, reason: str, latest: Any, note: str) -> None:
    _record(mirror, reason, "" if latest is None else latest.note, note)


def _record(
    mirror: LogStore, reason: str, old_note: str, note: str, proof: Sequence[bytes] = ()
) -> None:
    """Keep the evidence against the peer's log and stop the sync."""
    mirror.add_evidence(Evidence(mirror.origin, reason, old_note, note, tuple(proof)))
    raise SyncError(f"log {mirror.origin}: {reason}; evidence kept, cosigning stopped")


def _push(node: Node, client: PeerClient, page: int) -> tuple[int, int | None]:
    own = node.own
    latest = own.latest_checkpoint()
    if own.size() > 0 and (latest is None or latest.size < own.size()):
        latest = node.checkpoint()
    if latest is None:
        return 0, None
    remote = {log["origin"]: log for log in client.logs()}.get(own.origin)
    if remote is None:
        raise SyncError(f"{client.url}: does not follow log {own.origin}")
    held = int(remote["size"])
    pushed = 0
    while held < latest.size:
        batch = own.entries(held, min(held + page, latest.size))
        try:
            held = client.push_entries(held, batch)
        except PeerConflict:  # the peer's mirror moved (another sync): ask again
            remote = {log["origin"]: log for log in client.logs()}[own.origin]
            held = int(remote["size"])
            continue
        pushed += len(batch)
    cosigned = int(remote.get("cosigned_size") or 0)
    if cosigned == latest.size:
        return pushed, cosigned
    proof = own.consistency_proof(cosigned, latest.size) if 0 < cosigned < latest.size else []
    line = client.add_checkpoint(cosigned, proof, latest.note)
    node.add_cosignatures(add_signatures(latest.note, [line]))
    return pushed, latest.size


def sync_loop(
    node: Node,
    urls: Sequence[str],
    interval_s: float,
    stop: threading.Event,
    *,
    state: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Sync with every peer every ``interval_s`` seconds until ``stop`` is set; the outcome of
    the last try per peer goes into ``state`` (shown by ``/v1/peers``)."""
    state = {} if state is None else state
    while not stop.is_set():
        for url in urls:
            _try(node, url, state)
        stop.wait(interval_s)


def _try(node: Node, url: str, state: dict[str, dict[str, Any]]) -> None:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    start = time.perf_counter()
    try:
        report = sync_once(node, url)
    except (SyncError, ExchangeError, httpx.HTTPError) as exc:
        log_sync(url, time.perf_counter() - start, None, str(exc) or type(exc).__name__)
        state[url] = {"url": url, "at": now, "ok": False, "error": str(exc)}
        return
    log_sync(url, time.perf_counter() - start, report.to_json())
    state[url] = {"url": url, "at": now, "ok": True, **report.to_json()}
