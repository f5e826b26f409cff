"""The node: which log is the node's own, and the request nonces its API has seen.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

``node`` holds one row: the node's party and the origin of its own log (the other logs in the
database are verified mirrors of peers' logs). ``request_nonces`` remembers the nonce of every
authenticated API request until its timestamp leaves the accepted window, so a replayed request
is refused even after a restart; expired rows are deleted (they are not part of any log).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "node",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("party", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(255), sa.ForeignKey("logs.origin"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name="node_single_row"),
    )
    op.create_table(
        "request_nonces",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("principal", sa.String(255), nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("request_nonces")
    op.drop_table("node")
