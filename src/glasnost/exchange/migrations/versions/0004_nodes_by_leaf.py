"""PostgreSQL: the nodes ordered by their first leaf, for proofs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

A proof reads one node per level near its leaf. The primary key orders nodes by level, so
those nodes stand on as many index pages as there are levels; this index orders them by the
first leaf they cover (``"index" << level``), then level, and holds the index and the hash, so
the nodes of a proof's lower levels stand on one page and are read without the table (an
index-only scan): the planner takes it once vacuum (autovacuum, for a table that only grows)
has marked the table's pages all-visible, the primary key before
(:mod:`glasnost.exchange.store.node_reader`, docs/decisions/0017). It costs space: about as
much as the table (154 MB for the 2e6 nodes of a tree of 1e6 leaves, beside 161 MB of table
and 61 MB of primary key).

SQLite: nothing (its node statement is a union of primary-key lookups; a large tree's pages
are read from the operating system's cache at a smaller cost, and the goal is met there).

On a large existing table the upgrade holds a lock that blocks appends while the index is
built (about 3 s per million nodes measured on the development machine).
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "nodes_by_leaf"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f'CREATE INDEX {INDEX} ON nodes (log_id, ("index" << level), level) '
            'INCLUDE ("index", hash)'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {INDEX}")
