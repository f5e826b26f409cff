"""The log's storage: verified signed entries, Merkle node hashes, checkpoints, cosignatures.

One database (SQLite by default, PostgreSQL for a server) holds any number of logs: a party's
own log and its verified mirrors of its peers' logs. :func:`make_engine` builds the engine (never
at import), :func:`migrate` brings the schema to the head revision with Alembic (the revisions
ship in :mod:`glasnost.exchange.migrations`).

Tables (nothing is ever updated or deleted; the migration installs triggers that refuse UPDATE
and DELETE on ``entries``, ``nodes``, ``checkpoints``, ``cosignatures`` and ``evidence``)::

    logs          id, origin (unique), party, party_keys (the PartyKeys record, JSON)
    entries       (log_id, seq) primary key, entry bytes, signature, key_id, leaf_hash,
                  created_at (text, as in the entry), received_at
    nodes         (log_id, level, index) primary key, hash: every perfect subtree's hash, as
                  reported by CompactRange.append, so a proof costs O(log n) node reads
    checkpoints   (log_id, size) primary key, root, note (the signed note)
    cosignatures  (log_id, size, witness) primary key, witness_key, timestamp, line
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
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import os
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from glasnost.exchange import merkle
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.checkpoint import (
    Verifier,
    add_signatures,
    log_verifiers,
    open_checkpoint,
    open_note,
)
from glasnost.exchange.entries import SignedEntry, verify_entry
from glasnost.exchange.errors import (
    CheckpointError,
    EntryNotFound,
    EquivocationError,
    Evidence,
    KeyRecordError,
    LogExists,
    LogNotFound,
    SizeError,
    StoreCorrupt,
    TimeOrderError,
)
from glasnost.exchange.keys import SIG_COSIGNATURE_V1, PartyKeys
from glasnost.exchange.replication import check_extends
from glasnost.exchange.tables import (
    Base,
    CheckpointRow,
    CosignatureRow,
    EntryRow,
    EvidenceRow,
    LogRow,
    NodeRow,
)
from glasnost.exchange.verifier import VerifyReport, Violation, verify_log

__all__ = [
    "Base",
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

MAX_CLOCK_SKEW: Final = dt.timedelta(minutes=5)
"""How far an entry's ``created_at`` may lie after its receipt (clocks disagree a little)."""

_WRITE: Final = "glasnost_write"
"""Execution option that makes a SQLite transaction start with ``BEGIN IMMEDIATE``."""

Clock = Callable[[], dt.datetime]

_ZERO_HASH: Final = bytes(merkle.HASH_SIZE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_NODES: Final = NodeRow.__table__
_ENTRIES: Final = EntryRow.__table__


@functools.lru_cache(maxsize=256)
def _fetch_nodes_stmt(
    count: int,
) -> sa.CompoundSelect[int, int, bytes] | sa.Select[int, int, bytes]:
    """The stored hashes of ``count`` (level, index) keys: one lean Core query, no ORM objects.

    A ``UNION ALL`` of primary-key lookups (bound ``:l<n>``, ``:i<n>``, ``:log_id``), built once
    per count: both SQLite and PostgreSQL answer each arm from the primary key's index, where
    SQLite's planner may scan the whole log for a row-value ``IN`` or a long ``OR``.
    """
    lookups = [
        sa.select(_NODES.c.level, _NODES.c.index, _NODES.c.hash).where(
            _NODES.c.log_id == sa.bindparam("log_id"),
            _NODES.c.level == sa.bindparam(f"l{n}"),
            _NODES.c.index == sa.bindparam(f"i{n}"),
        )
        for n in range(count)
    ]
    return sa.union_all(*lookups) if count > 1 else lookups[0]


_FETCH_NODES_PG: Final = sa.text(
    'SELECT n.level, n."index", n.hash FROM nodes AS n '
    "JOIN unnest(CAST(:levels AS smallint[]), CAST(:indexes AS bigint[])) AS k(level, idx) "
    'ON n.level = k.level AND n."index" = k.idx WHERE n.log_id = :log_id'
)
"""PostgreSQL: the stored hashes of any number of keys, passed as two arrays. One statement
text whatever the count, so the server prepares and plans it once per connection (psycopg
prepares a statement after its fifth use) and each proof costs one round trip."""

_FETCH_SIZE: Final = (
    sa.select(_ENTRIES.c.seq)
    .where(_ENTRIES.c.log_id == sa.bindparam("log_id"))
    .order_by(_ENTRIES.c.seq.desc())
    .limit(1)
)
"""The last seq of a log (its size minus one), by the primary key's index."""

_MAX_KEYS: Final = 400
"""Keys per node query (a proof needs at most about 2 log2(n), a border at most 64; SQLite
allows 500 terms in a compound SELECT)."""


# --- engine and migrations ----------------------------------------------------------------------


def make_engine(url: str | os.PathLike[str], *, echo: bool = False) -> Engine:
    """An engine for a store: a SQLite file path or ``sqlite:///`` URL, or a PostgreSQL URL.

    SQLite connections run in WAL mode with ``synchronous=FULL`` (a commit survives power loss)
    and foreign keys on; SQLAlchemy's and pysqlite's own transaction handling is replaced by
    explicit ``BEGIN`` (reads) and ``BEGIN IMMEDIATE`` (writes). ``postgresql://`` URLs use the
    psycopg 3 driver.
    """
    text = os.fspath(url)
    if "://" not in text:
        text = f"sqlite:///{text}"
    parsed = sa.make_url(text)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(parsed, echo=echo, connect_args={"timeout": 30.0})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(parsed, echo=echo, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # no implicit BEGIN: ours comes in _sqlite_begin
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_SQLITE_WRITERS_LOCK = threading.Lock()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction: commits on leaving, rolls back on an error.

    On SQLite it starts with ``BEGIN IMMEDIATE`` (the database's write lock, taken first) and,
    within a process, waits its turn on a lock per engine: SQLite's busy handler sleeps and
    polls, so threads that queue on a Python lock instead write several times faster than
    threads that contend for the file lock. Other processes still meet at SQLite's lock.
    """
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn, conn.begin():
            yield conn
        return
    with _SQLITE_WRITERS_LOCK:
        lock = _SQLITE_WRITERS.setdefault(engine, threading.Lock())
    with lock, engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (default: the newest) with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "glasnost.exchange:migrations")
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, revision)


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint kept for a log: its size, root hash and the signed note as received."""

    size: int
    root: bytes
    note: str


# --- the store ----------------------------------------------------------------------------------


def _range_keys(start: int, end: int) -> list[tuple[int, int]]:
    """(level, index) of the stored perfect subtrees that the aligned range [start, end) splits
    into, largest first: the nodes :func:`merkle.subtree_root_from_nodes` reads for it."""
    keys = []
    width = end - start
    pos = start
    for level in range(max(width - 1, 0).bit_length(), -1, -1):
        if width >> level & 1:
            keys.append((level, pos >> level))
            pos += 1 << level
    return keys


def _border_keys(size: int) -> list[tuple[int, int]]:
    """(level, index) of the perfect subtrees that [0, size) splits into, largest first."""
    return _range_keys(0, size)


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class LogStore:
    """One log in a database: append verified entries, read them, prove, checkpoint, verify.

    Open one with :meth:`create` (a new log for a party's key record) or :meth:`open` (by its
    origin). Every method runs its own transaction; the object holds no tree state, so several
    processes may share a log (writes are serialized by the log's write lock).
    """

    def __init__(
        self,
        engine: Engine,
        log_id: int,
        party_keys: PartyKeys,
        *,
        clock: Clock = _now,
        max_clock_skew: dt.timedelta = MAX_CLOCK_SKEW,
    ) -> None:
        self.engine = engine
        self.log_id = log_id
        self.party_keys = party_keys
        self._clock = clock
        self._max_clock_skew = max_clock_skew

    @property
    def origin(self) -> str:
        return self.party_keys.key_name

    @property
    def party(self) -> str:
        return self.party_keys.party

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
                if not administration.valid_at(_parse_time(last)):
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

    # --- transactions ---------------------------------------------------------------------------

    @staticmethod
    @contextmanager
    def _write(engine: Engine) -> Iterator[Connection]:
        """A write transaction (see :func:`write_transaction`)."""
        with write_transaction(engine) as conn:
            yield conn

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        """A write transaction holding this log's write lock (``FOR UPDATE`` on PostgreSQL)."""
        with self._write(self.engine) as conn:
            conn.execute(
                sa.select(LogRow.id).where(LogRow.id == self.log_id).with_for_update()
            ).one()
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read: one snapshot on SQLite; on PostgreSQL autocommit statements, which save the
        COMMIT round trip and are as safe here: rows are only ever added, and the nodes of a
        tree are stored with its entries, so whatever size one statement sees, the next finds
        every node of it."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # --- writing --------------------------------------------------------------------------------

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
        with self._locked() as conn:
            size, last_created = self._tail(conn)
            tree = merkle.CompactRange(size, self._border(conn, size))
            entry_rows: list[dict[str, Any]] = []
            node_rows: list[dict[str, Any]] = []
            for offset, signed in enumerate(signed_entries):
                seq = size + offset
                entry = verify_entry(signed, self.party_keys, self.party, seq)
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
        return row.seq + 1, _parse_time(row.created_at)

    def _border(self, conn: Connection, size: int) -> list[bytes]:
        keys = _border_keys(size)
        found = self._fetch_nodes(conn, keys)
        return [self._node(found, key) for key in keys]

    def _node(self, found: dict[tuple[int, int], bytes], key: tuple[int, int]) -> bytes:
        try:
            return found[key]
        except KeyError:
            raise StoreCorrupt(
                f"node (level {key[0]}, index {key[1]}) is missing from the database; run "
                "glasnost log verify",
                where=f"log {self.origin}",
            ) from None

    def _fetch_nodes(
        self, conn: Connection, keys: Sequence[tuple[int, int]]
    ) -> dict[tuple[int, int], bytes]:
        """The stored nodes of ``keys``: one query of primary-key lookups (per 400 keys)."""
        found: dict[tuple[int, int], bytes] = {}
        unique = sorted(set(keys))
        if conn.dialect.name == "postgresql":
            rows = conn.execute(
                _FETCH_NODES_PG,
                {
                    "log_id": self.log_id,
                    "levels": [level for level, _ in unique],
                    "indexes": [index for _, index in unique],
                },
            )
            found.update(((level, index), bytes(hash_)) for level, index, hash_ in rows)
            return found
        for at in range(0, len(unique), _MAX_KEYS):
            chunk = unique[at : at + _MAX_KEYS]
            params: dict[str, int] = {"log_id": self.log_id}
            for n, (level, index) in enumerate(chunk):
                params[f"l{n}"] = level
                params[f"i{n}"] = index
            rows = conn.execute(_fetch_nodes_stmt(len(chunk)), params)
            found.update(((level, index), hash_) for level, index, hash_ in rows)
        return found

    def _size(self, conn: Connection) -> int:
        last = conn.execute(_FETCH_SIZE, {"log_id": self.log_id}).scalar_one_or_none()
        return 0 if last is None else last + 1

    # --- reading --------------------------------------------------------------------------------

    def size(self) -> int:
        """Number of entries in the log."""
        with self._read() as conn:
            return self._size(conn)

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` entries (default: all), from O(log n) stored nodes."""
        with self._read() as conn:
            current = self._size(conn)
            size = current if size is None else self._check_size(size, current)
            return merkle.CompactRange(size, self._border(conn, size)).root()

    def border(self, size: int) -> list[bytes]:
        """Hashes of the perfect subtrees that [0, size) splits into, largest first: the
        :class:`~glasnost.exchange.merkle.CompactRange` of the tree of ``size`` entries."""
        with self._read() as conn:
            size = self._check_size(size, self._size(conn))
            return self._border(conn, size)

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

    def _check_size(self, size: int, current: int) -> int:
        if not 0 <= size <= current:
            raise SizeError(
                f"tree size {size} is outside 0 .. {current} (the log has {current} entries)",
                where=f"log {self.origin}",
            )
        return size

    def _proof(
        self, size: int | None, build: Callable[[int, merkle.SubtreeRoot], list[bytes]]
    ) -> list[bytes]:
        """Run a proof builder for the tree of ``size`` (default: all) in one snapshot.

        A first, pure run records the subtree ranges the builder asks for (and raises on bad
        arguments); their stored nodes come in one query; the second run gets the ranges' roots.
        With ``size`` given, the log's size is read only when a node is missing: a tree larger
        than the log always lacks the node over its last leaf, so one query serves a proof.
        """
        ranges: list[tuple[int, int]] = []

        def record(start: int, end: int) -> bytes:
            ranges.append((start, end))
            return _ZERO_HASH

        with self._read() as conn:
            if size is None:
                size = self._size(conn)
            elif size < 0:
                self._check_size(size, self._size(conn))
            try:
                build(size, record)
            except ValueError as exc:  # arguments that describe no proof in this tree
                self._check_size(size, self._size(conn))
                raise SizeError(str(exc), where=f"log {self.origin}") from None
            keys = [k for r in ranges for k in _range_keys(*r)]
            found = self._fetch_nodes(conn, keys)
            if len(found) < len(set(keys)):
                self._check_size(size, self._size(conn))  # beyond the log: SizeError

        def lookup(level: int, index: int) -> bytes:
            return self._node(found, (level, index))

        roots = {r: merkle.subtree_root_from_nodes(lookup, *r) for r in ranges}
        return build(size, lambda start, end: roots[start, end])

    def inclusion_proof(self, seq: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``size`` (default: all)."""
        return self._proof(size, lambda n, get: merkle.inclusion_proof_from(get, seq, n))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 consistency proof from ``old_size`` to ``new_size`` (default: all)."""
        return self._proof(new_size, lambda n, get: merkle.consistency_proof_from(get, old_size, n))

    # --- checkpoints, cosignatures, evidence ----------------------------------------------------

    def add_checkpoint(self, note: str) -> StoredCheckpoint:
        """Keep a checkpoint of this log, signed by one of its keys, whose root is the stored
        tree's root at its size. The same size twice: the first note is kept (same root), or
        :class:`EquivocationError` (different roots, both validly signed; evidence is kept)."""
        checkpoint, _, _ = open_checkpoint(note, log_verifiers(self.party_keys))
        where = f"checkpoint {self.origin}/{checkpoint.size}"
        if checkpoint.origin != self.origin:
            raise CheckpointError(f"origin {checkpoint.origin!r} is not this log's", where=where)
        evidence: Evidence | None = None
        with self._locked() as conn:
            stored = conn.execute(
                sa.select(CheckpointRow.root, CheckpointRow.note).where(
                    CheckpointRow.log_id == self.log_id, CheckpointRow.size == checkpoint.size
                )
            ).first()
            if stored is not None:
                evidence = check_extends(stored.note, note, ())
            else:
                current = self._size(conn)
                if checkpoint.size > current:
                    raise CheckpointError(
                        f"size {checkpoint.size} is beyond the stored log ({current} entries); "
                        "store the entries first",
                        where=where,
                    )
                size = checkpoint.size
                root = merkle.CompactRange(size, self._border(conn, size)).root()
                if root != checkpoint.root_hash:
                    raise CheckpointError(
                        f"root {base64.b64encode(checkpoint.root_hash).decode()} is not the "
                        f"stored log's root {base64.b64encode(root).decode()} at that size",
                        where=where,
                    )
                conn.execute(
                    sa.insert(CheckpointRow),
                    {"log_id": self.log_id, "size": size, "root": root, "note": note},
                )
        if stored is not None and evidence is None:
            return StoredCheckpoint(checkpoint.size, stored.root, stored.note)
        if evidence is not None:
            self.add_evidence(evidence)
            raise EquivocationError(
                evidence.reason, where=where, cosigned_size=checkpoint.size, evidence=evidence
            )
        return StoredCheckpoint(checkpoint.size, checkpoint.root_hash, note)

    def checkpoint(self, size: int) -> StoredCheckpoint | None:
        """The stored checkpoint of ``size``, if any."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(CheckpointRow).where(
                    CheckpointRow.log_id == self.log_id, CheckpointRow.size == size
                )
            ).first()
        return None if row is None else StoredCheckpoint(row.size, row.root, row.note)

    def checkpoints(self, min_size: int = 0, max_size: int | None = None) -> list[StoredCheckpoint]:
        """The stored checkpoints with ``min_size <= size <= max_size``, smallest first."""
        stmt = sa.select(CheckpointRow).where(
            CheckpointRow.log_id == self.log_id, CheckpointRow.size >= min_size
        )
        if max_size is not None:
            stmt = stmt.where(CheckpointRow.size <= max_size)
        with self._read() as conn:
            rows = conn.execute(stmt.order_by(CheckpointRow.size))
            return [StoredCheckpoint(r.size, r.root, r.note) for r in rows]

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        """The stored checkpoint of the largest size, if any."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(CheckpointRow)
                .where(CheckpointRow.log_id == self.log_id)
                .order_by(CheckpointRow.size.desc())
                .limit(1)
            ).first()
        return None if row is None else StoredCheckpoint(row.size, row.root, row.note)

    def add_cosignature(self, size: int, line: str, witness: Verifier) -> int:
        """Keep a witness's ``cosignature/v1`` line on the stored checkpoint of ``size``; return
        its timestamp (the receipt time). A witness's first cosignature of a size is kept."""
        if witness.signature_type != SIG_COSIGNATURE_V1:
            raise ValueError(f"witness {witness.name}: a cosignature verifier has type 0x04")
        where = f"checkpoint {self.origin}/{size}"
        with self._locked() as conn:
            note = conn.execute(
                sa.select(CheckpointRow.note).where(
                    CheckpointRow.log_id == self.log_id, CheckpointRow.size == size
                )
            ).scalar_one_or_none()
            if note is None:
                raise CheckpointError("no stored checkpoint of that size", where=where)
            _, verified = open_note(add_signatures(note, [line]), [witness])
            timestamp = verified[0].timestamp
            assert timestamp is not None  # a 0x04 verifier always yields one
            stored = conn.execute(
                sa.select(CosignatureRow.timestamp).where(
                    CosignatureRow.log_id == self.log_id,
                    CosignatureRow.size == size,
                    CosignatureRow.witness == witness.name,
                )
            ).scalar_one_or_none()
            if stored is not None:
                return stored
            conn.execute(
                sa.insert(CosignatureRow),
                {
                    "log_id": self.log_id,
                    "size": size,
                    "witness": witness.name,
                    "witness_key": witness.public_key.to_base64(),
                    "timestamp": timestamp,
                    "line": line,
                },
            )
        return timestamp

    def cosignatures(self, size: int) -> dict[str, str]:
        """Witness name -> cosignature line, for the stored checkpoint of ``size``."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(CosignatureRow.witness, CosignatureRow.line).where(
                    CosignatureRow.log_id == self.log_id, CosignatureRow.size == size
                )
            )
            return {r.witness: r.line for r in rows}

    def latest_cosigned(self, witness: str) -> StoredCheckpoint | None:
        """The largest stored checkpoint that ``witness`` has cosigned, if any."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(CheckpointRow)
                .join(
                    CosignatureRow,
                    (CosignatureRow.log_id == CheckpointRow.log_id)
                    & (CosignatureRow.size == CheckpointRow.size),
                )
                .where(CheckpointRow.log_id == self.log_id, CosignatureRow.witness == witness)
                .order_by(CheckpointRow.size.desc())
                .limit(1)
            ).first()
        return None if row is None else StoredCheckpoint(row.size, row.root, row.note)

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

    def cosignature_count(self) -> int:
        """How many cosignatures the log keeps (with :meth:`size`, what changes when it does)."""
        with self._read() as conn:
            count = conn.execute(
                sa.select(sa.func.count()).where(CosignatureRow.log_id == self.log_id)
            ).scalar_one()
        return int(count)

    def add_evidence(self, evidence: Evidence) -> None:
        """Keep equivocation or inconsistency evidence against this log (its own commit)."""
        with self._write(self.engine) as conn:
            conn.execute(
                sa.insert(EvidenceRow),
                {
                    "log_id": self.log_id,
                    "recorded_at": self._clock(),
                    "evidence": evidence.to_json(),
                },
            )

    def evidence(self) -> list[dict[str, Any]]:
        """Every piece of evidence kept against this log, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(EvidenceRow.evidence)
                .where(EvidenceRow.log_id == self.log_id)
                .order_by(EvidenceRow.id)
            )
            return [dict(r.evidence) for r in rows]

    # --- verification ---------------------------------------------------------------------------

    def verify(self, *, chunk: int = 4096) -> VerifyReport:
        """Replay the whole log from the stored rows, in one snapshot; report the first violation
        (see :func:`glasnost.exchange.verifier.verify_log`)."""
        return verify_log(self.engine, self.log_id, self.origin, chunk=chunk)
