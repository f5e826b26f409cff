"""The log's entries: appending a verified batch (with the tree nodes it completes) in one
transaction under the log's write lock, and reading them back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from glasnost.exchange import merkle
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.entries import SignedEntry, entry_checks, verify_entry
from glasnost.exchange.errors import EntryNotFound, TimeOrderError
from glasnost.exchange.store.base import parse_time
from glasnost.exchange.store.bulk import insert_rows
from glasnost.exchange.store.nodes import LogNodes
from glasnost.exchange.tables import Base, EntryRow, NodeRow

_ENTRIES: Final = Base.metadata.tables[EntryRow.__tablename__]
_NODES: Final = Base.metadata.tables[NodeRow.__tablename__]


class LogEntries(LogNodes):
    """Append and read a log's entries."""

    def append(self, signed_entries: Sequence[SignedEntry]) -> list[int]:
        """Verify and store a batch of entries in one transaction; return their seqs.

        Each entry is checked by :func:`~glasnost.exchange.entries.verify_entry` as the next one
        of this log (a large batch in worker processes on all cores,
        :func:`~glasnost.exchange.entries.entry_checks`, while this process goes on; an entry
        they did not pass is verified here, which raises its error); its ``created_at`` must
        not be before the previous entry's nor after the receipt (plus the allowed clock skew).
        The entries and the tree nodes they complete go in with one bulk insert each
        (:func:`~glasnost.exchange.store.bulk.insert_rows`). Returns after the commit. On any
        error nothing of the batch is stored and the exchange error is raised.
        """
        if not signed_entries:
            return []
        received_at = self._clock()
        latest = received_at + self._max_clock_skew
        log_id = self.log_id
        with self._locked() as conn:
            size, last_created = self._tail(conn)
            tree = merkle.CompactRange(size, self._border(conn, size))
            entry_rows: list[tuple[Any, ...]] = []
            node_rows: list[tuple[Any, ...]] = []
            with entry_checks(signed_entries, self.party_keys, self.party, size) as checks:
                for offset, signed in enumerate(signed_entries):
                    seq = size + offset
                    text = checks[offset]  # verified in a worker: its created_at
                    if text is None:
                        entry = verify_entry(signed, self.party_keys, self.party, seq)
                        text = utc_iso(entry.created_at)
                    created_at = parse_time(text)
                    if last_created is not None and created_at < last_created:
                        raise TimeOrderError(
                            f"created_at {text} is before the previous entry's "
                            f"{utc_iso(last_created)}; times must not decrease along a log",
                            where=f"entry {self.party}#{seq}",
                        )
                    if created_at > latest:
                        raise TimeOrderError(
                            f"created_at {text} is after its receipt "
                            f"{utc_iso(received_at)} (allowed skew {self._max_clock_skew})",
                            where=f"entry {self.party}#{seq}",
                        )
                    last_created = created_at
                    leaf = merkle.leaf_hash(signed.entry)
                    for node in tree.append(leaf):
                        node_rows.append((log_id, node.level, node.index, node.hash))
                    entry_rows.append(
                        (
                            log_id,
                            seq,
                            signed.entry,
                            signed.signature,
                            signed.key_id,
                            leaf,
                            text,
                            received_at,
                        )
                    )
            insert_rows(conn, _ENTRIES, entry_rows)
            insert_rows(conn, _NODES, node_rows)
        return list(range(size, size + len(signed_entries)))

    def _tail(self, conn: Connection) -> tuple[int, dt.datetime | None]:
        row = conn.execute(
            sa.select(EntryRow.seq, EntryRow.created_at)
            .where(EntryRow.log_id == self.log_id)
            .order_by(EntryRow.seq.desc())
            .limit(1)
        ).first()
        if row is None:
            return 0, None
        return row.seq + 1, parse_time(row.created_at)

    def size(self) -> int:
        """Number of entries in the log."""
        with self._read() as conn:
            return self._size(conn)

    def entry(self, seq: int) -> SignedEntry:
        """The stored entry ``seq``; :class:`EntryNotFound` if there is none."""
        found = self.entries(seq, seq + 1)
        if not found:
            raise EntryNotFound(f"no entry {seq}", where=f"log {self.origin}")
        return found[0]

    def entries(self, start: int = 0, end: int | None = None) -> list[SignedEntry]:
        """The stored entries ``start <= seq < end``, in order."""
        stmt = sa.select(EntryRow.entry, EntryRow.signature, EntryRow.key_id).where(
            EntryRow.log_id == self.log_id, EntryRow.seq >= start
        )
        if end is not None:
            stmt = stmt.where(EntryRow.seq < end)
        with self._read() as conn:
            rows = conn.execute(stmt.order_by(EntryRow.seq))
            return [SignedEntry(r.entry, r.signature, r.key_id) for r in rows]

    def received_before(self, start: int, before: dt.datetime) -> tuple[int, int | None]:
        """How many entries from ``start`` on were received before ``before``, and the first
        of them (its seq), e.g. the entries still unacknowledged past a deadline."""
        with self._read() as conn:
            count, first = conn.execute(
                sa.select(sa.func.count(), sa.func.min(EntryRow.seq)).where(
                    EntryRow.log_id == self.log_id,
                    EntryRow.seq >= start,
                    EntryRow.received_at < before,
                )
            ).one()
        return int(count), first
