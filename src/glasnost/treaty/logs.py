"""The two logs as the agreement sees them: each entry with its author's administration and its
time of receipt by the other party.

Receipt is acknowledgement: an entry of party A counts as received by party B at the earliest
timestamp of a ``cosignature/v1`` by B's node on a checkpoint of A's log that covers the entry
(size > seq). A node holds that for both logs: its own log keeps the peer's cosignatures, its
mirror of the peer's log keeps its own. A cosignature whose time is out of bounds (before the
checkpoint's signed time, after the receiver's clock) is never a receipt: the store refused it
and keeps it as disputed, and :attr:`LogView.disputed` carries it to the compliance report.
:func:`views_of_node` reads them; everything else in :mod:`glasnost.treaty` is pure and takes
:class:`LogView` objects.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from glasnost.exchange.checkpoint import open_note
from glasnost.exchange.entries import Entry, SignedEntry, parse_entry
from glasnost.exchange.keys import Administration, PartyKeys
from glasnost.exchange.node import Node, witness_verifiers
from glasnost.exchange.store import DisputedReceipt, LogStore
from glasnost.treaty.bodies import Ref

__all__ = ["LogView", "LoggedEntry", "entry_label", "parse_entry_label", "views_of_node"]


def entry_label(party: str, seq: int) -> str:
    """``US#3``: how findings, the lifecycle, the CLI and the dashboard name an entry."""
    return f"{party}#{seq}"


def parse_entry_label(text: str) -> tuple[str, int] | None:
    """``("US", 3)`` from ``US#3`` or ``US:3`` (the command line's spelling); None when
    ``text`` is neither."""
    for sep in ("#", ":"):
        party, found, seq = text.partition(sep)
        if found and party and seq.isdigit():
            return party, int(seq)
    return None


@dataclass(frozen=True)
class LoggedEntry:
    """An entry of a party's log: position, parsed entry, hash, signer, receipt time."""

    party: str
    seq: int
    entry: Entry
    hash: str
    administration: str
    received_at: dt.datetime | None

    @property
    def type(self) -> str:
        return self.entry.type

    @property
    def created_at(self) -> dt.datetime:
        return self.entry.created_at

    @property
    def ref(self) -> str:
        """``PARTY#SEQ``, how findings name it (:func:`entry_label`)."""
        return entry_label(self.party, self.seq)

    def as_ref(self) -> Ref:
        """The reference another entry makes to this one: position and hash."""
        return Ref(party=self.party, seq=self.seq, hash=self.hash)


@dataclass(frozen=True)
class LogView:
    """One party's log: its key record, its entries (each with its receipt time: the earliest
    cosignature time by the other party), and the other party's cosignatures refused as
    receipt times (``disputed``: dated before the checkpoint's signed time or after the
    receiver's clock; never a receipt)."""

    party: str
    keys: PartyKeys
    entries: tuple[LoggedEntry, ...]
    final_checkpoints: dict[int, str] = field(default_factory=dict)
    disputed: tuple[DisputedReceipt, ...] = ()

    def __iter__(self) -> Iterator[LoggedEntry]:
        return iter(self.entries)

    def of_type(self, *types: str) -> list[LoggedEntry]:
        return [e for e in self.entries if e.type in types]

    def by_hash(self, value: str) -> LoggedEntry | None:
        for entry in self.entries:
            if entry.hash == value:
                return entry
        return None

    @classmethod
    def build(
        cls,
        keys: PartyKeys,
        signed: Sequence[SignedEntry],
        receipts: dict[int, dt.datetime],
        disputed: Sequence[DisputedReceipt] = (),
    ) -> LogView:
        """Parse the entries (already verified by the store) and give each the earliest receipt
        among the checkpoints that cover it (``receipts``: checkpoint size -> time)."""
        sizes = sorted(receipts)
        earliest_from: list[dt.datetime | None] = [None] * (len(sizes) + 1)
        for i in range(len(sizes) - 1, -1, -1):  # suffix minimum over larger checkpoints
            later = earliest_from[i + 1]
            now = receipts[sizes[i]]
            earliest_from[i] = now if later is None else min(now, later)
        entries = []
        for seq, item in enumerate(signed):
            entry = parse_entry(
                json.loads(item.entry), where=f"entry {entry_label(keys.party, seq)}"
            )
            at = bisect.bisect_right(sizes, seq)  # first checkpoint with size > seq
            administration = _administration(keys, item.key_id)
            entries.append(
                LoggedEntry(
                    party=keys.party,
                    seq=seq,
                    entry=entry,
                    hash=item.hash,
                    administration=administration.id,
                    received_at=earliest_from[at],
                )
            )
        return cls(party=keys.party, keys=keys, entries=tuple(entries), disputed=tuple(disputed))


def _administration(keys: PartyKeys, key_id: str) -> Administration:
    return keys.by_key_id(key_id)


def _receipts(store: LogStore, witness: PartyKeys) -> dict[int, dt.datetime]:
    """Checkpoint size -> the time ``witness``'s node cosigned it (verified lines only)."""
    verifiers = witness_verifiers(witness)
    out: dict[int, dt.datetime] = {}
    for checkpoint in store.checkpoints():
        lines = store.cosignatures(checkpoint.size)
        line = lines.get(witness.key_name)
        if line is None:
            continue
        _, verified = open_note(checkpoint.note + line, verifiers)
        stamp = verified[0].timestamp
        if stamp is not None:
            out[checkpoint.size] = dt.datetime.fromtimestamp(stamp, dt.UTC)
    return out


def views_of_node(node: Node) -> dict[str, LogView]:
    """The logs a node keeps (its own and its mirrors), by party, with receipt times: for
    each log, the cosignatures of the other party (a bilateral agreement; with more parties,
    the earliest cosignature of any other party)."""
    stores = [node.own, *node.peers()]
    views: dict[str, LogView] = {}
    for store in stores:
        receipts: dict[int, dt.datetime] = {}
        others = [other for other in stores if other is not store]
        for other in others:
            for size, when in _receipts(store, other.party_keys).items():
                receipts[size] = min(when, receipts.get(size, when))
        witnesses = {other.origin for other in others}
        disputed = [d for d in store.disputed_receipts() if d.witness in witnesses]
        views[store.party] = LogView.build(store.party_keys, store.entries(), receipts, disputed)
    return views
