"""The log's entries: appending a verified batch (with the tree nodes it completes) in one
transaction under the log's write lock, and reading them back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from glasnost.exchange import merkle
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.entries import SignedEntry, signature_checks, verify_entry
from glasnost.exchange.errors import EntryNotFound, TimeOrderError
from glasnost.exchange.store.base import parse_time
from glasnost.exchange.store.nodes import LogNodes
from glasnost.exchange.tables import EntryRow, NodeRow


class LogEntries(LogNodes):
    """Append and read a log's entries."""

    def append(self, signed_entries: Sequence[SignedEntry]) -> list[int]:
        """Verify and store a batch of entries in one transaction; return their seqs.

        Each entry is checked by :func:`~glasnost.exchange.entries.verify_entry` as the next one
        of this log; its ``created_at`` must not be before the previous entry's nor after the
        receipt (plus the allowed clock skew). Returns after the commit. On any error nothing
        of the batch is stored and the exchange error is raised.
        """
        if not signed_entries:
            return []
        received_at = self._clock()
        with (
            signature_checks(signed_entries, self.party_keys) as checks,  # all cores, meanwhile
            self._locked() as conn,
        ):
            size, last_created = self._tail(conn)
            tree = merkle.CompactRange(size, self._border(conn, size))
            entry_rows: list[dict[str, Any]] = []
            node_rows: list[dict[str, Any]] = []
            for offset, signed in enumerate(signed_entries):
                seq = size + offset
                entry = verify_entry(
                    signed, self.party_keys, self.party, seq, signature_valid=checks[offset]
                )
                where = f"entry {self.party}#{seq}"
                created_at = entry.created_at
                if last_created is not None and created_at < last_created:
                    raise TimeOrderError(
                        f"created_at {utc_iso(created_at)} is before the previous entry's "
                        f"{utc_iso(last_created)}; times must not decrease along a log",
                        where=where,
                    )
                if created_at > received_at + self._max_clock_skew:
                    raise TimeOrderError(
                        f"created_at {utc_iso(created_at)} is after its receipt "
                        f"{utc_iso(received_at)} (allowed skew {self._max_clock_skew})",
                        where=where,
                    )
                last_created = created_at
                leaf = merkle.leaf_hash(signed.entry)
                for node in tree.append(leaf):
                    node_rows.append(
                        {
                            "log_id": self.log_id,
                            "level": node.level,
                            "index": node.index,
                            "hash": node.hash,
                        }
                    )
                entry_rows.append(
                    {
                        "log_id": self.log_id,
                        "seq": seq,
                        "entry": signed.entry,
                        "signature": signed.signature,
                        "key_id": signed.key_id,
                        "leaf_hash": leaf,
                        "created_at": utc_iso(created_at),
                        "received_at": received_at,
                    }
                )
            conn.execute(sa.insert(EntryRow), entry_rows)
            conn.execute(sa.insert(NodeRow), node_rows)
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
