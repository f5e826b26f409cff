"""The log store's tables (ORM-declared; the migrations in :mod:`glasnost.exchange.migrations`
create them). Shared by :mod:`glasnost.exchange.store` and :mod:`glasnost.exchange.verifier`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "CheckpointRow",
    "CosignatureRow",
    "DisputedReceiptRow",
    "EntryRow",
    "EvidenceRow",
    "LogRow",
    "NodeIdentityRow",
    "NodeRow",
    "RequestNonceRow",
]


class Base(DeclarativeBase):
    """The store's tables; the migrations in :mod:`glasnost.exchange.migrations` create them."""


class LogRow(Base):
    __tablename__ = "logs"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(sa.String(255), unique=True)
    party: Mapped[str] = mapped_column(sa.String(64))
    party_keys: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class EntryRow(Base):
    __tablename__ = "entries"

    log_id: Mapped[int] = mapped_column(sa.ForeignKey("logs.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    entry: Mapped[bytes] = mapped_column(sa.LargeBinary)
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary)
    key_id: Mapped[str] = mapped_column(sa.String(8))
    leaf_hash: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[str] = mapped_column(sa.String(32))
    received_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class NodeRow(Base):
    __tablename__ = "nodes"
    __table_args__ = (  # PostgreSQL: the nodes by first leaf, for proofs (migration 0004)
        sa.Index(
            "nodes_by_leaf",
            "log_id",
            sa.text('("index" << level)'),
            "level",
            postgresql_include=["index", "hash"],
        ).ddl_if(dialect="postgresql"),
    )

    log_id: Mapped[int] = mapped_column(sa.ForeignKey("logs.id"), primary_key=True)
    level: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(sa.LargeBinary)


class CheckpointRow(Base):
    __tablename__ = "checkpoints"

    log_id: Mapped[int] = mapped_column(sa.ForeignKey("logs.id"), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(sa.LargeBinary)
    note: Mapped[str] = mapped_column(sa.Text)


class CosignatureRow(Base):
    __tablename__ = "cosignatures"
    __table_args__ = (
        sa.ForeignKeyConstraint(["log_id", "size"], ["checkpoints.log_id", "checkpoints.size"]),
    )

    log_id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    witness_key: Mapped[str] = mapped_column(sa.String(64))
    timestamp: Mapped[int] = mapped_column(sa.BigInteger)
    line: Mapped[str] = mapped_column(sa.Text)


class DisputedReceiptRow(Base):
    """A validly signed cosignature refused as a receipt time (its time out of bounds)."""

    __tablename__ = "disputed_receipts"

    log_id: Mapped[int] = mapped_column(sa.ForeignKey("logs.id"), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    timestamp: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    witness_key: Mapped[str] = mapped_column(sa.String(64))
    line: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class EvidenceRow(Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    log_id: Mapped[int] = mapped_column(sa.ForeignKey("logs.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    evidence: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class NodeIdentityRow(Base):
    """The node's own party and log (one row, id 1); every other log is a peer's mirror."""

    __tablename__ = "node"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    party: Mapped[str] = mapped_column(sa.String(64))
    origin: Mapped[str] = mapped_column(sa.ForeignKey("logs.origin"))
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class RequestNonceRow(Base):
    """A nonce of an authenticated API request, kept until its time window has passed."""

    __tablename__ = "request_nonces"

    nonce: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    principal: Mapped[str] = mapped_column(sa.String(255))
    expires_at: Mapped[int] = mapped_column(sa.BigInteger, index=True)
