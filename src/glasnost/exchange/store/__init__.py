"""The log's storage: verified signed entries, Merkle node hashes, checkpoints, cosignatures.

One database (SQLite by default, PostgreSQL for a server) holds any number of logs: a party's
own log and its verified mirrors of its peers' logs. :func:`make_engine` builds the engine (never
at import), :func:`migrate` brings the schema to the head revision with Alembic (the revisions
ship in :mod:`glasnost.exchange.migrations`).

Tables (nothing is ever updated or deleted; the migration installs triggers that refuse UPDATE
and DELETE on ``entries``, ``nodes``, ``checkpoints``, ``cosignatures``, ``evidence`` and
``disputed_receipts``)::

    logs          id, origin (unique), party, party_keys (the PartyKeys record, JSON)
    entries       (log_id, seq) primary key, entry bytes, signature, key_id, leaf_hash,
                  created_at (text, as in the entry), received_at
    nodes         (log_id, level, index) primary key, hash: every perfect subtree's hash, as
                  reported by CompactRange.append, so a proof costs O(log n) node reads
    checkpoints   (log_id, size) primary key, root, note (the signed note)
    cosignatures  (log_id, size, witness) primary key, witness_key, timestamp, line
    disputed_receipts  (log_id, size, witness, timestamp) primary key, witness_key, line,
                  reason, recorded_at: cosignatures refused because of their time
    evidence      id, log_id, recorded_at, evidence (Evidence.to_json())

**Atomicity.** :meth:`LogStore.append` verifies a whole batch, then inserts its entries and the
nodes they complete in one transaction, and returns only after the commit: an entry is
acknowledged only once it is durable (SQLite: WAL with ``synchronous=FULL``). On any error the
transaction is rolled back and nothing of the batch is stored.

**One writer per log.** A write transaction first takes the log's write lock: on SQLite the
transaction starts with ``BEGIN IMMEDIATE`` (the database's single write lock, taken before the
log's size is read); on PostgreSQL it runs ``SELECT ... FOR UPDATE`` on the log's row. The size
is read after the lock, so two writers can never both append seq n; the primary key
(log_id, seq) refuses it as well.

**Verification.** :meth:`LogStore.verify` replays the whole log from the stored bytes (every
signature, sequence number, schema, time order, leaf hash and node hash recomputed and compared,
every checkpoint's signature and root, every cosignature) and reports the first violation.

The store is split by concept: :mod:`~glasnost.exchange.store.engine` (the database, its write
transactions and migrations), :mod:`~glasnost.exchange.store.base` (a log's identity and
locking), :mod:`~glasnost.exchange.store.entries`, :mod:`~glasnost.exchange.store.nodes` (the
tree and its proofs; the nodes it has read stay in :mod:`~glasnost.exchange.store.node_cache`,
and come from :mod:`~glasnost.exchange.store.node_reader`, one statement per proof on a driver
connection held for it), :mod:`~glasnost.exchange.store.checkpoints` (with cosignatures) and
:mod:`~glasnost.exchange.store.evidence`; :class:`LogStore` is all of them. An append's rows go
in through :mod:`~glasnost.exchange.store.bulk` (``COPY`` on PostgreSQL, one ``executemany``
on SQLite), in the append's transaction.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from glasnost.exchange.errors import KeyRecordError, LogExists, LogNotFound
from glasnost.exchange.keys import PartyKeys
from glasnost.exchange.store.base import MAX_CLOCK_SKEW, Clock, parse_time
from glasnost.exchange.store.checkpoints import DisputedReceipt, LogCheckpoints, StoredCheckpoint
from glasnost.exchange.store.engine import make_engine, migrate, write_transaction
from glasnost.exchange.store.entries import LogEntries
from glasnost.exchange.tables import Base, EntryRow, LogRow, NodeRow
from glasnost.exchange.verifier import VerifyReport, Violation, verify_log

__all__ = [
    "MAX_CLOCK_SKEW",
    "Base",
    "Clock",
    "DisputedReceipt",
    "EntryRow",
    "LogStore",
    "NodeRow",
    "StoredCheckpoint",
    "VerifyReport",
    "Violation",
    "make_engine",
    "migrate",
    "write_transaction",
]


class LogStore(LogEntries, LogCheckpoints):
    """One log in a database: append verified entries, read them, prove, checkpoint, verify.

    Open one with :meth:`create` (a new log for a party's key record) or :meth:`open` (by its
    origin). Every method runs its own transaction; the object holds no tree state, so several
    processes may share a log (writes are serialized by the log's write lock).
    """

    @classmethod
    def create(cls, engine: Engine, party_keys: PartyKeys, **options: Any) -> LogStore:
        """Register a new, empty log for ``party_keys`` (its origin is the key name)."""
        with cls._write(engine) as conn:
            exists = conn.execute(
                sa.select(LogRow.id).where(LogRow.origin == party_keys.key_name)
            ).first()
            if exists is not None:
                raise LogExists(
                    "a log of this origin is in the database; open it with LogStore.open",
                    where=f"log {party_keys.key_name}",
                )
            log_id = conn.execute(
                sa.insert(LogRow).returning(LogRow.id),
                {
                    "origin": party_keys.key_name,
                    "party": party_keys.party,
                    "party_keys": party_keys.model_dump(mode="json"),
                },
            ).scalar_one()
        return cls(engine, log_id, party_keys, **options)

    @classmethod
    def open(cls, engine: Engine, origin: str, **options: Any) -> LogStore:
        """The stored log of ``origin``; :class:`LogNotFound` if there is none."""
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(LogRow.id, LogRow.party_keys).where(LogRow.origin == origin)
            ).first()
        if row is None:
            raise LogNotFound("no such log in this database", where=f"log {origin}")
        return cls(engine, row.id, PartyKeys.model_validate(row.party_keys), **options)

    def extend_keys(self, newer: PartyKeys) -> None:
        """Replace the log's key record by an extension of it (see
        :meth:`PartyKeys.extension_error`: a successor administration); the entries already
        stored must stay valid under it (each signed within its administration's new term)."""
        problem = self.party_keys.extension_error(newer)
        if problem is not None:
            raise KeyRecordError(f"the new record {problem}", where=f"log {self.origin}")
        if newer == self.party_keys:
            return
        with self._locked() as conn:
            rows = conn.execute(
                sa.select(EntryRow.key_id, sa.func.max(EntryRow.created_at))
                .where(EntryRow.log_id == self.log_id)
                .group_by(EntryRow.key_id)
            ).all()
            for key_id, last in rows:
                administration = newer.by_key_id(key_id)
                if not administration.valid_at(parse_time(last)):
                    raise KeyRecordError(
                        f"administration {administration.id!r} signed an entry at {last}, "
                        f"after the end of its term {administration.period()} in the new record",
                        where=f"log {self.origin}",
                    )
            conn.execute(
                sa.update(LogRow)
                .where(LogRow.id == self.log_id)
                .values(party_keys=newer.model_dump(mode="json"))
            )
        self.party_keys = newer

    # --- verification ---------------------------------------------------------------------------

    def verify(self, *, chunk: int = 4096) -> VerifyReport:
        """Replay the whole log from the stored rows, in one snapshot; report the first violation
        (see :func:`glasnost.exchange.verifier.verify_log`)."""
        return verify_log(self.engine, self.log_id, self.origin, chunk=chunk)
