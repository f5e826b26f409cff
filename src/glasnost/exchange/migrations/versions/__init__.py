"""Alembic revisions of the log store, oldest first."""
