"""The database under the logs: the engine (SQLite or PostgreSQL), its write transactions and
the Alembic migrations.

SQLite runs in WAL mode with ``synchronous=FULL``; a write transaction starts with
``BEGIN IMMEDIATE`` (the database's single write lock, taken first) and, within a process,
queues on a lock per engine. PostgreSQL uses plain transactions; a log's writers meet at
``SELECT ... FOR UPDATE`` on the log's row (:meth:`glasnost.exchange.store.base.LogBase._locked`).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

__all__ = ["make_engine", "migrate", "write_transaction"]

_WRITE: Final = "glasnost_write"
"""Execution option that makes a SQLite transaction start with ``BEGIN IMMEDIATE``."""


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
