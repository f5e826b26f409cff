"""Stored Merkle nodes read by key, every node a proof needs in one round trip, on a driver
connection held for these reads.

A proof reads about 2 log2(n) nodes by primary key. Through the pool each read would pay the
checkout (on PostgreSQL a pre-ping round trip) and SQLAlchemy's execution; here a process keeps,
per engine, one driver connection outside the pool (SQLite: autocommit, so a lone statement is
a snapshot of its own; PostgreSQL: autocommit, the statement prepared on the server with one
generic plan and run through the connection's libpq object), used by one thread at a time.
Nodes never change once stored, so a read that sees a node sees the node; a node not yet
stored is simply absent from the answer and the caller decides what that means.

When the held connection is busy (another thread reads), cannot be held (an in-memory SQLite
database, whose every connection is another database) or fails (a lost server connection), the
read goes through the caller's SQLAlchemy connection with the same statement instead, and a
failed held connection is closed and opened afresh for the next read: an error never gives a
partial answer.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Callable, Collection, Iterator
from functools import lru_cache
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

from glasnost.exchange.tables import NodeRow

__all__ = ["NodeKey", "read_levels", "read_nodes"]

NodeKey = tuple[int, int]
"""(level, index) of a perfect subtree."""

_SQLITE_MAX_KEYS: Final = 400
"""Keys per SQLite statement (it allows 500 terms in a compound SELECT)."""

_PG_NODES: Final = (
    "SELECT n.hash FROM unnest(%s::smallint[], %s::bigint[]) WITH ORDINALITY AS k(level, idx, at) "
    'LEFT JOIN nodes AS n ON n.log_id = %s AND (n."index" << n.level) = (k.idx << k.level) '
    'AND n.level = k.level AND n."index" = k.idx ORDER BY k.at'
)
"""PostgreSQL: the stored hashes of any number of keys, passed as two array literals: one
statement text whatever the count (psycopg's placeholders, for the pooled connection). One row
per key, in the keys' order (``WITH ORDINALITY``; the server returns the function's rows in that
order without a sort), with the key's hash or NULL where no such node is stored: only the hash
travels and is read. A node is named by its key and also by its first leaf (``"index" <<
level``), so the server may read it from ``nodes_by_leaf`` (migration 0004), where the nodes of
a proof's lower levels stand together on one page with their hashes: it does once vacuum has
marked the table's pages all-visible (an index-only scan); before, and in a database without
that index, it reads the primary key and the table, as before the index."""

_PG_PREPARED: Final = b"glasnost_nodes"
"""The name of :data:`_PG_NODES` prepared on a held PostgreSQL connection."""

_PG_SESSION: Final = "SET plan_cache_mode = force_generic_plan"
"""The held PostgreSQL connection's setting: the node statement is planned once (a nested loop
of index lookups over the keys, whatever their count; planned again only when the table's
statistics change, as after a vacuum). Left to choose, the server plans
it afresh at every execution (a custom plan looks cheaper for a few keys), which took longer
than the lookups themselves."""


@lru_cache(maxsize=256)
def _sqlite_nodes(count: int) -> str:
    """SQLite: the stored hashes of ``count`` keys, a ``UNION ALL`` of primary-key lookups
    (parameters ``log_id, level, index`` per arm). SQLite's planner may scan the whole log for
    a row-value ``IN`` or a long ``OR``; each arm here is answered from the primary key."""
    arm = 'SELECT level, "index", hash FROM nodes WHERE log_id = ? AND level = ? AND "index" = ?'
    return " UNION ALL ".join([arm] * count)


def _pg_keys(keys: list[NodeKey]) -> tuple[str, str]:
    """The keys as the two array literals of :data:`_PG_NODES` (levels, indexes): cheaper to
    pass than lists to adapt."""
    levels = ",".join([str(level) for level, _ in keys])
    indexes = ",".join([str(index) for _, index in keys])
    return f"{{{levels}}}", f"{{{indexes}}}"


def _sqlite_statements(log_id: int, keys: list[NodeKey]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """SQLite: the driver-level statements (SQL, parameters) that read ``keys`` of log
    ``log_id``, rows (level, index, hash) of the nodes stored."""
    for at in range(0, len(keys), _SQLITE_MAX_KEYS):
        chunk = keys[at : at + _SQLITE_MAX_KEYS]
        params = tuple(x for level, index in chunk for x in (log_id, level, index))
        yield _sqlite_nodes(len(chunk)), params


def _collect(rows: Collection[Any], into: dict[NodeKey, bytes]) -> None:
    for level, index, hash_ in rows:
        into[level, index] = bytes(hash_)


def _pg_collect(keys: list[NodeKey], hashes: list[Any], into: dict[NodeKey, bytes]) -> None:
    """The hashes of :data:`_PG_NODES`, one per key in the keys' order (None: not stored),
    into ``into``; a count other than the keys' raises (never a partial answer)."""
    if len(hashes) != len(keys):
        raise ConnectionError(f"{len(hashes)} rows for {len(keys)} node keys")
    for key, hash_ in zip(keys, hashes, strict=True):
        if hash_ is not None:
            into[key] = bytes(hash_)


_PGRES_COMMAND_OK: Final = 1
"""libpq's ``PGRES_COMMAND_OK`` (``ExecStatusType``): a statement without rows succeeded."""

_PGRES_TUPLES_OK: Final = 2
"""libpq's ``PGRES_TUPLES_OK``: a statement with rows succeeded."""


def _pg_check(result: Any, status: int) -> None:
    """Raise where a libpq result's status is not ``status``: a failed statement or a lost
    connection."""
    if result.status != status:
        raise ConnectionError(result.error_message.decode(errors="replace") or "no result")


def _pg_read(pgconn: Any, log_id: int, keys: list[NodeKey], into: dict[NodeKey, bytes]) -> None:
    """Run the prepared node statement on a held connection's libpq connection, the result in
    binary (the hashes as stored). The libpq call releases the interpreter lock while it
    waits, as psycopg's own calls do; psycopg's cursor machinery around it cost more than the
    round trip (measured)."""
    levels, indexes = _pg_keys(keys)
    result = pgconn.exec_prepared(
        _PG_PREPARED, [levels.encode(), indexes.encode(), b"%d" % log_id], result_format=1
    )
    _pg_check(result, _PGRES_TUPLES_OK)
    value = result.get_value
    _pg_collect(keys, [value(row, 0) for row in range(result.ntuples)], into)


class _Held:
    """One engine's held driver connection, opened on first use, used by one thread at once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self._dialect = engine.dialect.name
        self._lock = threading.Lock()
        self._driver: Any = None
        self._cursor: Any = None
        self._pid = os.getpid()

    def read(self, log_id: int, keys: list[NodeKey]) -> dict[NodeKey, bytes] | None:
        """The stored nodes of ``keys``; None where the held connection is busy or failed."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            read: dict[NodeKey, bytes] = {}
            try:
                cursor = self._cursor if self._pid == os.getpid() else None
                if cursor is None:
                    cursor = self._open()
                if self._dialect == "postgresql":
                    _pg_read(self._driver.pgconn, log_id, keys, read)
                else:
                    for sql, params in _sqlite_statements(log_id, keys):
                        cursor.execute(sql, params)
                        _collect(cursor.fetchall(), read)
            except Exception:  # unreachable, lost or broken: never a partial answer, and a
                self._close()  # fresh connection next time
                return None
            return read
        finally:
            self._lock.release()

    def _open(self) -> Any:
        """A cursor on a new held connection (raises where none can be had)."""
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the engine is gone")
        proxied = engine.raw_connection()  # the engine's connect arguments and events
        driver: Any = proxied.driver_connection
        proxied.detach()  # ours from now on: closed by us, never returned to the pool
        self._driver, self._pid = driver, os.getpid()
        if self._dialect == "postgresql":
            driver.rollback()  # the pre-ping may have opened a transaction
            driver.autocommit = True
            driver.execute(_PG_SESSION)
            _pg_check(
                driver.pgconn.prepare(_PG_PREPARED, (_PG_NODES % ("$1", "$2", "$3")).encode()),
                _PGRES_COMMAND_OK,
            )
        self._cursor = driver.cursor()
        return self._cursor

    def _close(self) -> None:
        driver, self._driver, self._cursor = self._driver, None, None
        if driver is not None and self._pid == os.getpid():  # a forked child leaves it be
            with contextlib.suppress(Exception):  # already gone: nothing to release
                driver.close()

    def close(self) -> None:
        """Close the held connection (the engine was disposed); a later read opens another."""
        with self._lock:
            self._close()


_held: weakref.WeakKeyDictionary[Engine, _Held] = weakref.WeakKeyDictionary()
_held_lock = threading.Lock()


def _held_for(engine: Engine) -> _Held | None:
    """The engine's held connection; None for engines whose connections are not
    interchangeable (an in-memory SQLite database: each connection is its own database)."""
    if engine.dialect.name not in ("sqlite", "postgresql") or not isinstance(
        engine.pool, QueuePool
    ):
        return None
    held = _held.get(engine)
    if held is None:
        with _held_lock:
            held = _held.get(engine)
            if held is None:
                held = _held[engine] = _Held(engine)
                event.listen(engine, "engine_disposed", lambda _engine: held.close())
                weakref.finalize(engine, held.close)
    return held


def read_nodes(
    engine: Engine, log_id: int, keys: list[NodeKey], connection: Callable[[], Connection]
) -> dict[NodeKey, bytes]:
    """The stored nodes among ``keys`` of log ``log_id`` (absent keys: not stored, as far as
    the read saw): on the held connection, else on ``connection()`` with the same statement."""
    if not keys:
        return {}
    held = _held_for(engine)
    if held is not None:
        read = held.read(log_id, keys)
        if read is not None:
            return read
    conn = connection()
    pooled: dict[NodeKey, bytes] = {}
    if engine.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(_PG_NODES, (*_pg_keys(keys), log_id)).all()
        _pg_collect(keys, [hash_ for (hash_,) in rows], pooled)
    else:
        for sql, params in _sqlite_statements(log_id, keys):
            _collect(conn.exec_driver_sql(sql, params).all(), pooled)
    return pooled


def read_levels(conn: Connection, log_id: int, lowest: int) -> list[tuple[int, int, bytes]]:
    """Every stored node (level, index, hash) of log ``log_id`` at level ``lowest`` or above,
    in (level, index) order: one range of the primary key, read on ``conn`` (a read, never a
    write transaction: only committed nodes)."""
    rows = conn.execute(
        sa.select(NodeRow.level, NodeRow.index, NodeRow.hash)
        .where(NodeRow.log_id == log_id, NodeRow.level >= lowest)
        .order_by(NodeRow.level, NodeRow.index)
    )
    return [(level, index, hash_) for level, index, hash_ in rows]
