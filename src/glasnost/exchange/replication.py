"""The replication protocol between two nodes: pull the peer's log, push the own, one rule for
"does this checkpoint extend the one I hold".

:func:`check_extends` is that rule: two signed checkpoints of one log are of one history
when they have the same root at the same size and, at different sizes, the RFC 9162
consistency proof from the smaller to the larger verifies. Any tree extends the empty one. A
failure is returned as :class:`~glasnost.exchange.errors.Evidence` (both signed notes and the
proof); the witness (:mod:`glasnost.exchange.witness`), the node's push path
(:meth:`glasnost.exchange.node.Node.cosign`), :func:`pull` and the bundle import
(:mod:`glasnost.exchange.bundle`) all decide with it. A smaller checkpoint that is a prefix of
the larger is lag, never evidence: the caller refuses it (a witness does not roll back) or
reports the peer ``behind``.

A :class:`Peer` is the other node as this node sees it: its identity, its log (checkpoint,
entries, consistency proofs) and what it holds of ours (:meth:`Peer.mirror_state`), and the
three writes of a sync (push entries to its mirror, submit a checkpoint to its witness, return
our cosignature of its checkpoint). ``glasnost.service.sync.HttpPeer`` speaks to a node over
HTTP; :class:`glasnost.exchange.local_peer.LocalPeer` calls a node in the same process.

**Pull** (:func:`pull`). Fetch the peer's latest checkpoint and verify its signature with the
peer's keys; against the latest checkpoint this node keeps of that log, :func:`check_extends`
must hold, else the evidence is kept and the sync ends (:class:`SyncError`). An older
checkpoint than the one kept is lag when it is a prefix of it (the report says ``behind``;
nothing pulled, nothing kept), a fork otherwise (kept with the proof from the mirror's stored
tree); from then on this node refuses to cosign that log. The missing entries are fetched in
pages from the mirror's size and appended (each page one transaction, every entry verified, the
next page fetched meanwhile): an interrupted pull resumes from the last stored entry, never
duplicating one. The checkpoint is kept only if the mirror's own root at its size equals the
signed root (else evidence), then cosigned by this node's witness and the cosignature returned
to the peer: its timestamp is the time of receipt.

**Push** (:func:`push`). If the own log grew since its last checkpoint, sign a new one; push
the entries the peer's mirror lacks, then submit the checkpoint to the peer's witness (with the
consistency proof from the size the peer cosigned) and keep the cosignature it answers.

:func:`sync` does both with one peer, so one sync moves data both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from glasnost.errors import GlasnostError
from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    add_signatures,
    log_verifiers,
    open_checkpoint,
    parse_checkpoint,
    parse_note,
)
from glasnost.exchange.entries import SignedEntry, verify_entry
from glasnost.exchange.errors import Evidence, ExchangeError, SequenceError

if TYPE_CHECKING:
    from glasnost.exchange.node import Node
    from glasnost.exchange.store import LogStore, StoredCheckpoint

__all__ = [
    "PAGE",
    "ConsistencyCheck",
    "MirrorState",
    "Peer",
    "PeerConflict",
    "Pulled",
    "SyncError",
    "SyncReport",
    "check_extends",
    "conflicting_entry",
    "contradiction",
    "pull",
    "push",
    "sync",
]

PAGE = 1000
"""Entries per request (the API's page limit)."""

ConsistencyCheck = Callable[[int, int, bytes, bytes, Sequence[bytes]], bool]
"""``verify_consistency(old_size, new_size, old_root, new_root, proof) -> bool``."""


class SyncError(GlasnostError):
    """A sync that could not complete: the peer misbehaved (evidence kept) or answered
    something this node cannot accept. ``str()`` says which and why."""


class PeerConflict(SyncError):  # noqa: N818 (a kind of SyncError)
    """The peer's state moved under the request (HTTP 409): e.g. another sync pushed the same
    entries first."""


# --- the one rule -------------------------------------------------------------------------------


def check_extends(
    kept: str,
    new: str,
    proof: Sequence[bytes],
    *,
    verify: ConsistencyCheck = merkle.verify_consistency,
) -> Evidence | None:
    """``None`` if the signed checkpoints ``kept`` and ``new`` (both of one log, their
    signatures verified by the caller) are of one history, else the evidence that they are not.

    ``proof`` is the consistency proof from the smaller of the two to the larger; it is read
    only when the sizes differ and the smaller is not the empty tree. A ``new`` smaller than
    ``kept`` but a prefix of it is lag, not a fork: ``None`` (the caller decides whether an
    older checkpoint is of use)."""
    old = parse_checkpoint(parse_note(kept).text)
    now = parse_checkpoint(parse_note(new).text)

    def evidence(reason: str) -> Evidence:
        return Evidence(now.origin, reason, kept, new, tuple(proof))

    if now.size == old.size:
        if now.root_hash != old.root_hash:
            return evidence(f"two signed checkpoints of size {now.size} with different roots")
        return None
    small, large = (old, now) if old.size < now.size else (now, old)
    if small.size == 0:
        return None
    try:
        ok = verify(small.size, large.size, small.root_hash, large.root_hash, proof)
    except ValueError as exc:
        ok, detail = False, f" ({exc})"
    else:
        detail = ""
    if ok:
        return None
    if small is now:
        return evidence(
            f"fork: the signed checkpoint of size {now.size} is not a prefix of the one of "
            f"size {old.size}: the consistency proof between them does not verify{detail}"
        )
    return evidence(
        f"consistency proof from size {old.size} to {now.size} does not verify{detail} "
        "(the history was rewritten)"
    )


def contradiction(
    mirror: LogStore,
    note: str,
    cosigned: StoredCheckpoint | None,
    proof: Sequence[bytes] | None = None,
) -> Evidence | None:
    """The evidence that the signed checkpoint ``note`` (its signature verified by the caller)
    contradicts a signed statement of the same log that ``mirror`` holds, else ``None``.

    1. The cosigned checkpoint, with :func:`check_extends`: a smaller ``note`` with the proof
       from the mirror's stored tree; a larger one with ``proof`` (the sender's, from the
       cosigned size) or, without it, the mirror's own proof when it holds the entries. A
       larger checkpoint beyond the entries held and without a proof cannot be compared.
    2. The entries held (each signed by the log's key): at a size the mirror holds, the signed
       root must be the root of those entries.
    """
    new = parse_checkpoint(parse_note(note).text)
    held = mirror.size()
    if cosigned is not None:
        between: Sequence[bytes] | None = ()
        if 0 < new.size < cosigned.size:
            between = mirror.consistency_proof(new.size, cosigned.size)
        elif new.size > cosigned.size > 0:
            if proof is not None:
                between = proof
            elif new.size <= held:
                between = mirror.consistency_proof(cosigned.size, new.size)
            else:
                between = None
        if between is not None:
            found = check_extends(cosigned.note, note, between)
            if found is not None:
                return found
    if 0 < new.size <= held and mirror.root(new.size) != new.root_hash:
        reason = (
            f"the signed root at size {new.size} is not the root of the {new.size} signed "
            "entries held: the log signed two histories"
        )
        return Evidence(new.origin, reason, "" if cosigned is None else cosigned.note, note)
    return None


def conflicting_entry(
    mirror: LogStore, start: int, entries: Sequence[SignedEntry]
) -> Evidence | None:
    """The evidence that an entry pushed at a position ``mirror`` holds already is another
    validly signed entry than the one held there (two statements of the log's key for one
    seq), else ``None``. An entry that does not verify is refused, never evidence."""
    held = mirror.size()
    overlap = entries[: max(0, min(len(entries), held - start))]
    if start < 0 or not overlap:
        return None
    stored = mirror.entries(start, start + len(overlap))
    for seq, (mine, theirs) in enumerate(zip(stored, overlap, strict=True), start=start):
        if mine.entry == theirs.entry:
            continue
        verify_entry(theirs, mirror.party_keys, mirror.party, seq)
        reason = f"two signed entries at seq {seq} of {mirror.origin}"
        return Evidence(mirror.origin, reason, "", "", entries=(mine.to_json(), theirs.to_json()))
    return None


# --- the peer -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MirrorState:
    """What a peer holds of one of our logs: entries mirrored, largest size it cosigned."""

    size: int
    cosigned_size: int


class Peer(Protocol):
    """The other node, as one sync sees it (the requests are made as this node's party)."""

    @property
    def name(self) -> str:
        """How messages name the peer (its URL, or its party)."""

    @property
    def party(self) -> str:
        """The peer's party id."""

    @property
    def origin(self) -> str:
        """The origin of the peer's own log."""

    def checkpoint(self) -> str | None:
        """Its latest signed checkpoint with the cosignatures it keeps; None before its first."""

    def entries(self, start: int, end: int) -> list[SignedEntry]:
        """Its own log's signed entries ``start <= seq < end`` (possibly fewer: a page)."""

    def consistency(self, old: int, new: int) -> list[bytes]:
        """The consistency proof of its own log from size ``old`` to ``new``."""

    def mirror_state(self, origin: str) -> MirrorState | None:
        """What it holds of the log ``origin`` (None: it does not follow that log)."""

    def push_entries(self, start: int, entries: Sequence[SignedEntry]) -> int:
        """Append our entries to its mirror from ``start``; returns the mirror's size. Raises
        :class:`PeerConflict` when the mirror does not hold ``start`` entries."""

    def add_checkpoint(self, old_size: int, proof: Sequence[bytes], note: str) -> str:
        """Submit our checkpoint to its witness (C2SP add-checkpoint); returns the
        cosignature line."""

    def return_cosignature(self, note: str) -> dict[str, int]:
        """Hand back its checkpoint with our cosignature line; returns witness -> time kept."""


# --- pull, push, sync ---------------------------------------------------------------------------


class Pulled(NamedTuple):
    """What a pull did: entries pulled; the size cosigned (None when the peer has no
    checkpoint yet or is behind); ``behind``: the peer served an older checkpoint of the
    history this node holds (lag, not punished: nothing kept, cosigning goes on)."""

    pulled: int
    cosigned_size: int | None
    behind: bool = False


@dataclass
class SyncReport:
    """What one sync did; ``behind``: the peer served an older checkpoint of the history
    this node already holds (lag, not a fork)."""

    peer: str
    pulled: int
    mirror_size: int
    cosigned_size: int | None
    pushed: int
    acknowledged_size: int | None
    behind: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def sync(node: Node, peer: Peer, *, page: int = PAGE) -> SyncReport:
    """Pull the peer's new entries and checkpoint, cosign it, push ours (module docstring)."""
    mirror = mirror_of(node, peer)
    pulled = pull(node, peer, page=page)
    pushed, acknowledged = push(node, peer, page=page)
    return SyncReport(
        peer=mirror.party,
        pulled=pulled.pulled,
        mirror_size=mirror.size(),
        cosigned_size=pulled.cosigned_size,
        pushed=pushed,
        acknowledged_size=acknowledged,
        behind=pulled.behind,
    )


def mirror_of(node: Node, peer: Peer) -> LogStore:
    """This node's mirror of the peer's log; :class:`SyncError` if the node does not follow it."""
    try:
        mirror = node.log(peer.party)
    except ExchangeError:
        raise SyncError(
            f"{peer.name}: is the node of {peer.party!r}, which this node does not follow "
            "(glasnost node follow RECORD)"
        ) from None
    if mirror is node.own or mirror.origin != peer.origin:
        raise SyncError(f"{peer.name}: serves log {peer.origin!r}, not a followed peer's")
    return mirror


def pull(node: Node, peer: Peer, *, page: int = PAGE) -> Pulled:
    """Mirror the peer's new entries and cosign its checkpoint (module docstring)."""
    mirror = mirror_of(node, peer)
    note = peer.checkpoint()
    if note is None:
        return Pulled(0, None)
    try:
        checkpoint, _, _ = open_checkpoint(note, log_verifiers(mirror.party_keys))
    except ExchangeError as exc:
        raise SyncError(f"{peer.name}: its checkpoint does not verify: {exc}") from None
    if checkpoint.origin != mirror.origin:
        raise SyncError(f"{peer.name}: checkpoint of {checkpoint.origin!r}, not {mirror.origin}")
    latest = mirror.latest_checkpoint()
    kept = "" if latest is None else latest.note
    if latest is not None and checkpoint.size < latest.size <= mirror.size():
        # An older checkpoint than the one cosigned: a prefix of the history held is lag
        # (nothing to pull, nothing kept, cosigning goes on); another root is a fork, kept
        # with the proof (from the mirror's stored tree) that the two disagree.
        back = tuple(mirror.consistency_proof(checkpoint.size, latest.size))
        _stop_on(mirror, check_extends(latest.note, note, back))
        return Pulled(0, None, behind=True)
    if latest is not None:
        proof = (
            peer.consistency(latest.size, checkpoint.size)
            if 0 < latest.size < checkpoint.size
            else []
        )
        _stop_on(mirror, check_extends(latest.note, note, proof))
    held = mirror.size()
    pulled = 0
    if held > checkpoint.size and mirror.root(checkpoint.size) != checkpoint.root_hash:
        reason = "the signed root is not the root of the entries received"
        _stop_on(mirror, Evidence(mirror.origin, reason, kept, note))
    while held < checkpoint.size:
        with closing(_pages(peer, held, checkpoint.size, page)) as pages:
            for batch in pages:
                if not batch:
                    raise SyncError(
                        f"{peer.name}: served no entries from {held} "
                        f"(checkpoint: {checkpoint.size})"
                    )
                try:
                    mirror.append(batch)
                except SequenceError:  # another sync (the loop, a user) stored them first
                    held = mirror.size()
                    break
                held += len(batch)
                pulled += len(batch)
    if mirror.root(checkpoint.size) != checkpoint.root_hash:
        reason = "the entries served do not hash to the signed checkpoint's root"
        _stop_on(mirror, Evidence(mirror.origin, reason, kept, note))
    try:
        line = node.cosign(note)
    except ExchangeError as exc:
        raise SyncError(f"{peer.name}: not cosigned: {exc}") from None
    peer.return_cosignature(add_signatures(note, [line]))
    return Pulled(pulled, checkpoint.size)


def _pages(peer: Peer, start: int, end: int, page: int) -> Generator[list[SignedEntry]]:
    """The peer's entries ``start <= seq < end`` page by page (an empty page ends it), each
    page asked for while the caller verifies and stores the one before."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="glasnost-pull") as fetcher:
        ahead = fetcher.submit(peer.entries, start, min(start + page, end))
        while True:
            batch = ahead.result()
            start += len(batch)
            if batch and start < end:
                ahead = fetcher.submit(peer.entries, start, min(start + page, end))
            yield batch
            if not batch or start >= end:
                return


def _stop_on(mirror: LogStore, evidence: Evidence | None) -> None:
    """Keep the evidence against the peer's log (if any) and stop the sync."""
    if evidence is None:
        return
    mirror.add_evidence(evidence)
    raise SyncError(f"log {mirror.origin}: {evidence.reason}; evidence kept, cosigning stopped")


def push(node: Node, peer: Peer, *, page: int = PAGE) -> tuple[int, int | None]:
    """Push the own log's entries the peer lacks and have it cosign our latest checkpoint;
    returns (entries pushed, size the peer acknowledged or None when the log is empty)."""
    own = node.own
    latest = own.latest_checkpoint()
    if own.size() > 0 and (latest is None or latest.size < own.size()):
        latest = node.checkpoint()
    if latest is None:
        return 0, None
    remote = peer.mirror_state(own.origin)
    if remote is None:
        raise SyncError(f"{peer.name}: does not follow log {own.origin}")
    held = remote.size
    pushed = 0
    while held < latest.size:
        batch = own.entries(held, min(held + page, latest.size))
        try:
            held = peer.push_entries(held, batch)
        except PeerConflict:  # the peer's mirror moved (another sync): ask again
            remote = peer.mirror_state(own.origin) or remote
            held = remote.size
            continue
        pushed += len(batch)
    if remote.cosigned_size == latest.size:
        return pushed, latest.size
    cosigned = remote.cosigned_size
    proof = own.consistency_proof(cosigned, latest.size) if 0 < cosigned < latest.size else []
    line = peer.add_checkpoint(cosigned, proof, latest.note)
    node.add_cosignatures(add_signatures(latest.note, [line]))
    return pushed, latest.size
