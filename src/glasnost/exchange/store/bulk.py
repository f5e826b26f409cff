"""Many rows into one table in the current transaction, at the driver's speed: ``COPY`` on
PostgreSQL, one ``executemany`` of the driver elsewhere (SQLite).

The rows are tuples of Python values in the order of the table's columns, the values that
SQLAlchemy would bind for those columns (``int``, ``str``, ``bytes``, aware ``datetime``).
What is stored is what an ORM-free ``insert()`` of the same rows stores: on SQLite each value
goes through its column type's own bind processor (a ``DateTime`` becomes SQLAlchemy's text
form); psycopg's ``COPY`` adapts the values as it adapts the parameters of a statement. The
rows share the transaction of the connection: they are committed or rolled back with it. A
driver's error is raised as SQLAlchemy raises it for a statement (``IntegrityError``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

__all__ = ["insert_rows"]

Row = Sequence[Any]


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (values in the order of ``table.columns``) into ``table``."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
    else:
        _executemany(conn, table, rows)


_Prepared = tuple[str, list[tuple[int, Callable[[Any], Any]]]]
_prepared: dict[tuple[type[Dialect], str, sa.Table], _Prepared] = {}


def _prepare(dialect: Dialect, table: sa.Table) -> _Prepared:
    """The statement of ``table``'s rows for ``dialect`` (``COPY`` on PostgreSQL, else a
    positional ``INSERT``) and the bind processors of its columns (position, function), made
    once per kind of dialect and table."""
    key = (type(dialect), str(dialect.paramstyle), table)
    if key in _prepared:
        return _prepared[key]
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    if dialect.name == "postgresql":  # psycopg adapts the values itself
        preparer = dialect.identifier_preparer
        columns = ", ".join(preparer.format_column(c) for c in table.columns)
        statement = f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN"
    else:
        statement = str(sa.insert(table).compile(dialect=dialect))
        for i, column in enumerate(table.columns):
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors.append((i, processor))
    _prepared[key] = (statement, processors)
    return statement, processors


def _copy(conn: Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    statement, _ = _prepare(conn.dialect, table)
    driver = conn.connection.driver_connection
    assert driver is not None
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi_error as exc:  # as SQLAlchemy raises it for a statement (IntegrityError, ...)
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi_error) from exc


def _executemany(conn: Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    statement, processors = _prepare(conn.dialect, table)
    processed = []
    for row in rows:
        values = list(row)
        for i, process in processors:
            values[i] = process(values[i])
        processed.append(tuple(values))
    conn.exec_driver_sql(statement, processed)
