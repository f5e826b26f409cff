"""Importing a verified bundle into the mirror of its log: gaps and rewritten histories refused
(evidence kept), new entries appended, checkpoints and cosignatures kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from sqlalchemy.engine import Engine

from glasnost.exchange import merkle
from glasnost.exchange.bundle.results import VerifiedBundle
from glasnost.exchange.bundle.verify import cosignature_line, verify_bundle, witness_table
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.checkpoint import Verifier
from glasnost.exchange.entries import verify_entry
from glasnost.exchange.errors import (
    BundleError,
    EquivocationError,
    Evidence,
    LogExists,
    LogNotFound,
    ReceiptTimeError,
    TimeOrderError,
)
from glasnost.exchange.keys import PartyKeys
from glasnost.exchange.replication import check_extends
from glasnost.exchange.store import MAX_CLOCK_SKEW, LogStore

IMPORT_BATCH: Final = 10_000
"""Entries appended per transaction by :func:`import_bundle`."""

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class ImportReport:
    """What :func:`import_bundle` stored."""

    origin: str
    new_entries: int
    size: int
    checkpoints_added: int
    cosignatures_added: int
    skipped_cosignatures: int

    def to_json(self) -> dict[str, object]:
        return {
            "origin": self.origin,
            "new_entries": self.new_entries,
            "size": self.size,
            "checkpoints_added": self.checkpoints_added,
            "cosignatures_added": self.cosignatures_added,
            "skipped_cosignatures": self.skipped_cosignatures,
        }


def import_bundle(
    engine: Engine,
    bundle: object,
    party_keys: PartyKeys,
    *,
    witnesses: Sequence[Verifier] = (),
    clock: Clock | None = None,
) -> ImportReport:
    """Verify a bundle, then store it in the mirror of its log (created if absent).

    :func:`verify_bundle` runs first (with ``witnesses``, whose cosignatures must verify), and
    the mirror is checked before anything is written: its stored key record must be the pinned
    one; it must hold at least ``start`` entries (a gap is refused: :class:`BundleError`);
    at ``start`` its root must be the base checkpoint's, and the entries it holds past ``start``
    must be the bundle's, byte for byte. A different history is refused: with
    :class:`EquivocationError` and evidence kept in the store when a signed checkpoint of the
    bundle contradicts a stored one (same size, or a consistency proof against the nearest
    stored one), else with :class:`BundleError` naming the first differing entry.

    Then the new entries are appended in transactions of :data:`IMPORT_BATCH` entries (each
    re-verified by :meth:`LogStore.append`), then the checkpoints the mirror lacks, then the
    cosignature lines of ``witnesses`` (lines of other witnesses are counted as skipped).
    A crash between two steps leaves a valid prefix of the log; importing the bundle again
    resumes where it stopped, and importing it once more stores nothing new.
    """
    verified = verify_bundle(bundle, party_keys, witnesses=witnesses)
    options: dict[str, Any] = {} if clock is None else {"clock": clock}
    now = clock or (lambda: dt.datetime.now(dt.UTC))
    origin = verified.origin
    store: LogStore | None
    try:
        store = LogStore.open(engine, origin, **options)
    except LogNotFound:
        store = None
    if store is not None and store.party_keys != party_keys:
        raise BundleError(
            "the stored key record of this log is not the pinned one; update it before importing",
            where=f"log {origin}",
        )
    mirror_size = 0 if store is None else store.size()
    if verified.start > mirror_size:
        raise _gap(origin, mirror_size, verified.start)
    if store is not None:
        _check_same_history(store, verified, mirror_size)
    new = list(verified.entries[mirror_size - verified.start :])
    if new:
        _check_times(store, verified, mirror_size, now())
    if store is None:
        try:
            store = LogStore.create(engine, party_keys, **options)
        except LogExists:  # created meanwhile: its appends check the sequence
            store = LogStore.open(engine, origin, **options)
    for at in range(0, len(new), IMPORT_BATCH):
        store.append(new[at : at + IMPORT_BATCH])
    stored_sizes = {c.size for c in store.checkpoints(verified.start)}
    checkpoints_added = 0
    for note, checkpoint in verified.signed():
        if checkpoint.size not in stored_sizes:
            store.add_checkpoint(note)
            checkpoints_added += 1
    known = witness_table(witnesses)
    added = skipped = 0
    disputed: list[ReceiptTimeError] = []
    for carried in verified.checkpoints:
        have = store.cosignatures(carried.size)
        for line in carried.cosignatures:
            signature = cosignature_line(carried.note, line, "cosignature")
            witness = known.get((signature.name, signature.key_id))
            if witness is None:
                skipped += 1
            elif witness.name not in have:
                try:
                    store.add_cosignature(carried.size, line, witness)
                except ReceiptTimeError as exc:  # kept as disputed by the store
                    disputed.append(exc)
                    continue
                have[witness.name] = line
                added += 1
    if disputed:
        more = f" (and {len(disputed) - 1} more)" if len(disputed) > 1 else ""
        raise ReceiptTimeError(f"{disputed[0]}{more}; the entries and checkpoints were imported")
    return ImportReport(
        origin=origin,
        new_entries=len(new),
        size=store.size(),
        checkpoints_added=checkpoints_added,
        cosignatures_added=added,
        skipped_cosignatures=skipped,
    )


def _gap(origin: str, have: int, start: int) -> BundleError:
    return BundleError(
        f"gap: this database has {have} entries of {origin}, the bundle starts at {start}; ask "
        f"for a bundle from {have} (or from a checkpoint at or below {have})",
        where=f"log {origin}",
    )


def _check_times(
    store: LogStore | None, verified: VerifiedBundle, mirror_size: int, received_at: dt.datetime
) -> None:
    """The first new entry is not before the mirror's last one, and the last is not after the
    receipt: what :meth:`LogStore.append` checks, done before the first batch is written."""
    party, keys = verified.party_keys.party, verified.party_keys
    last = verified.size - 1
    last_created = verify_entry(verified.entries[-1], keys, party, last).created_at
    if last_created > received_at + MAX_CLOCK_SKEW:
        raise TimeOrderError(
            f"created_at {utc_iso(last_created)} is after its receipt {utc_iso(received_at)} "
            f"(allowed skew {MAX_CLOCK_SKEW})",
            where=f"entry {party}#{last}",
        )
    if store is None or mirror_size == 0:
        return
    previous = verify_entry(store.entry(mirror_size - 1), keys, party, mirror_size - 1)
    first = verified.entries[mirror_size - verified.start]
    created = verify_entry(first, keys, party, mirror_size).created_at
    if created < previous.created_at:
        raise TimeOrderError(
            f"created_at {utc_iso(created)} is before the previous entry's "
            f"{utc_iso(previous.created_at)}; times must not decrease along a log",
            where=f"entry {party}#{mirror_size}",
        )


def _check_same_history(store: LogStore, verified: VerifiedBundle, mirror_size: int) -> None:
    """The mirror's root at ``start`` and its entries from ``start`` on are the bundle's;
    otherwise keep evidence and raise :class:`EquivocationError`, or :class:`BundleError`."""
    start = verified.start
    differs: int | None = None  # first differing seq; -1: the trees differ before start
    base = verified.base.checkpoint
    if base is not None and store.root(start) != base.root_hash:
        differs = -1
    overlap_end = min(mirror_size, verified.size)
    at = start
    while differs is None and at < overlap_end:
        chunk = store.entries(at, min(at + IMPORT_BATCH, overlap_end))
        for offset, stored in enumerate(chunk):
            if stored.entry != verified.entries[at + offset - start].entry:
                differs = at + offset
                break
        at += len(chunk)
        if not chunk:
            break
    if differs is None:
        return
    evidence, cosigned_size = _evidence(store, verified, mirror_size, differs)
    where = f"log {store.origin}"
    seq = f"before {store.party}#{start}" if differs < 0 else f"at {store.party}#{differs}"
    if evidence is None:
        raise BundleError(
            f"rewritten history: the bundle's entries differ from the stored ones {seq}, and no "
            "stored checkpoint covers the difference to keep as evidence",
            where=where,
        )
    store.add_evidence(evidence)
    raise EquivocationError(
        f"{evidence.reason} (the histories first differ {seq}); evidence kept",
        where=where,
        cosigned_size=cosigned_size,
        evidence=evidence,
    )


def _evidence(
    store: LogStore, verified: VerifiedBundle, mirror_size: int, differs: int
) -> tuple[Evidence | None, int]:
    """Two signed notes that contradict each other, and the proof: a bundle checkpoint of size
    k <= mirror size against the stored checkpoint of size k or the next larger one; else the
    smallest stored checkpoint past the difference against the next bundle checkpoint."""
    origin = store.origin
    stored = store.checkpoints(0, mirror_size)
    for note, checkpoint in verified.signed():
        k = checkpoint.size
        if k > mirror_size or store.root(k) == checkpoint.root_hash:
            continue
        later = [c for c in stored if c.size >= k]
        if not later:
            break
        mine = later[0]
        if mine.size == k:
            return check_extends(mine.note, note, ()), k
        # the stored checkpoint extends the bundle's (a proof from the stored tree), or not
        found = check_extends(note, mine.note, store.consistency_proof(k, mine.size))
        if found is None:
            continue
        reason = (
            f"the bundle's checkpoint of size {k} is not a prefix of the stored checkpoint of "
            f"size {mine.size}: {found.reason}"
        )
        return Evidence(origin, reason, mine.note, note, found.proof), mine.size
    past = [c for c in stored if c.size > differs]
    if differs < 0 or not past:
        return None, 0
    mine = past[0]
    ahead = [(n, c) for n, c in verified.signed() if c.size > mine.size]
    if not ahead:
        return None, 0
    note, checkpoint = ahead[0]
    # The trees agree on [0, start) (the base root matched), so the bundle's tree up to
    # checkpoint.size is the stored entries before start followed by the bundle's entries.
    leaves = [e.entry for e in store.entries(0, verified.start)]
    leaves += [e.entry for e in verified.entries[: checkpoint.size - verified.start]]
    found = check_extends(mine.note, note, merkle.consistency_proof(leaves, mine.size))
    if found is None:
        return None, 0
    reason = (
        f"the bundle's checkpoint of size {checkpoint.size} does not extend the stored "
        f"checkpoint of size {mine.size}: {found.reason}"
    )
    return replace(found, reason=reason), mine.size
