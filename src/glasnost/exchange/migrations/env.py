"""Alembic environment: runs on the connection that :func:`glasnost.exchange.store.migrate` passes
in ``config.attributes["connection"]`` (online only; the store never emits SQL scripts)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run the store's migrations with glasnost.exchange.store.migrate(engine)")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
