"""What every part of a log's store shares: its identity (engine, row id, key record, clock)
and its transactions: reads in one snapshot, writes under the log's write lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from glasnost.exchange.errors import SizeError
from glasnost.exchange.keys import PartyKeys
from glasnost.exchange.store.engine import write_transaction
from glasnost.exchange.tables import EntryRow, LogRow

MAX_CLOCK_SKEW: Final = dt.timedelta(minutes=5)
"""How far an entry's ``created_at`` may lie after its receipt (clocks disagree a little)."""

Clock = Callable[[], dt.datetime]

_ENTRIES: Final = EntryRow.__table__


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_FETCH_SIZE: Final = (
    sa.select(_ENTRIES.c.seq)
    .where(_ENTRIES.c.log_id == sa.bindparam("log_id"))
    .order_by(_ENTRIES.c.seq.desc())
    .limit(1)
)
"""The last seq of a log (its size minus one), by the primary key's index."""


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class LazyRead:
    """A read opened only if asked for, to use in a ``with``: calling it returns the read's
    connection, opened (checked out from the pool) on the first call; leaving the ``with``
    closes it if it was opened. A plain object, not a generator: a proof served from the cache
    or the held node connection pays only for this."""

    __slots__ = ("_conn", "_context", "_open")

    def __init__(self, open_read: Callable[[], AbstractContextManager[Connection]]) -> None:
        self._open = open_read
        self._context: AbstractContextManager[Connection] | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> LazyRead:
        return self

    def __call__(self) -> Connection:
        if self._conn is None:
            context = self._open()
            self._conn = context.__enter__()
            self._context = context
        return self._conn

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        context, self._context, self._conn = self._context, None, None
        return None if context is None else context.__exit__(kind, exc, traceback)


class LogBase:
    """One log's identity in a database, and its transactions."""

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
        """A read: on SQLite one snapshot from the first SQLAlchemy statement on (its BEGIN
        comes then; a lone statement on the driver's connection before it, as the node reads
        of a proof, is a snapshot of its own); on PostgreSQL autocommit statements, which save
        the COMMIT round trip. Both are safe here: rows are only ever added, and the nodes of
        a tree are stored with its entries, so whatever size one statement sees, the next
        finds every node of it."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
            else:
                yield conn

    def _lazy_read(self) -> LazyRead:
        """A :meth:`_read` opened only if asked for (see :class:`LazyRead`)."""
        return LazyRead(self._read)

    def _size(self, conn: Connection) -> int:
        last = conn.execute(_FETCH_SIZE, {"log_id": self.log_id}).scalar_one_or_none()
        return 0 if last is None else last + 1

    def _check_size(self, size: int, current: int) -> int:
        if not 0 <= size <= current:
            raise SizeError(
                f"tree size {size} is outside 0 .. {current} (the log has {current} entries)",
                where=f"log {self.origin}",
            )
        return size
