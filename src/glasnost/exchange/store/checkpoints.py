"""A log's checkpoints (signed tree heads whose root is the stored tree's) and the witnesses'
cosignatures of them (the acknowledgements of receipt)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from glasnost.exchange import merkle
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.checkpoint import (
    Verifier,
    add_signatures,
    log_verifiers,
    open_checkpoint,
    open_note,
    signed_time,
)
from glasnost.exchange.errors import (
    CheckpointError,
    EquivocationError,
    Evidence,
    ReceiptTimeError,
)
from glasnost.exchange.keys import SIG_COSIGNATURE_V1
from glasnost.exchange.replication import check_extends
from glasnost.exchange.store.evidence import LogEvidence
from glasnost.exchange.store.nodes import LogNodes
from glasnost.exchange.tables import CheckpointRow, CosignatureRow, DisputedReceiptRow


@dataclass(frozen=True)
class DisputedReceipt:
    """A cosignature refused as a receipt time: the checkpoint size, the witness, the time it
    claims, why it was refused, when this store refused it, and the signed line itself."""

    size: int
    witness: str
    claimed_at: dt.datetime
    reason: str
    recorded_at: dt.datetime
    line: str


def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; the store writes UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _receipt_dispute(timestamp: int, signed_at: int | None, latest: dt.datetime) -> str | None:
    """Why a cosignature time cannot be a receipt time, or None: not before the checkpoint's
    signed time, not after the receiver's clock plus the allowed skew (``latest``)."""
    if signed_at is not None and timestamp < signed_at:
        return f"is before the checkpoint's signed time {utc_iso(_utc(signed_at))}"
    if timestamp > latest.timestamp():
        return f"is after this node's clock plus the allowed skew ({utc_iso(latest)})"
    return None


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint kept for a log: its size, root hash and the signed note as received."""

    size: int
    root: bytes
    note: str


class LogCheckpoints(LogNodes, LogEvidence):
    """Keep a log's checkpoints and their cosignatures."""

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
        its timestamp (the receipt time). A witness's first cosignature of a size is kept.

        The time must lie between the checkpoint's own signed time (when it carries one) and
        this store's clock plus the allowed skew: a line outside is refused with
        :class:`ReceiptTimeError` and kept, in its own transaction, as a disputed receipt
        time (:meth:`disputed_receipts`)."""
        if witness.signature_type != SIG_COSIGNATURE_V1:
            raise ValueError(f"witness {witness.name}: a cosignature verifier has type 0x04")
        where = f"checkpoint {self.origin}/{size}"
        latest = self._clock() + self._max_clock_skew
        dispute: str | None = None
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
            dispute = _receipt_dispute(timestamp, signed_time(note, self.party_keys), latest)
            if dispute is not None:
                self._keep_dispute(conn, size, line, witness, timestamp, dispute)
            else:
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
        if dispute is not None:
            raise ReceiptTimeError(
                f"cosignature by {witness.name} dated {utc_iso(_utc(timestamp))} {dispute}; "
                "refused, kept as a disputed receipt time",
                where=where,
            )
        return timestamp

    def _keep_dispute(
        self,
        conn: sa.Connection,
        size: int,
        line: str,
        witness: Verifier,
        timestamp: int,
        reason: str,
    ) -> None:
        key = (
            DisputedReceiptRow.log_id == self.log_id,
            DisputedReceiptRow.size == size,
            DisputedReceiptRow.witness == witness.name,
            DisputedReceiptRow.timestamp == timestamp,
        )
        if conn.execute(sa.select(DisputedReceiptRow.size).where(*key)).first() is not None:
            return
        conn.execute(
            sa.insert(DisputedReceiptRow),
            {
                "log_id": self.log_id,
                "size": size,
                "witness": witness.name,
                "timestamp": timestamp,
                "witness_key": witness.public_key.to_base64(),
                "line": line,
                "reason": reason,
                "recorded_at": self._clock(),
            },
        )

    def disputed_receipts(self) -> list[DisputedReceipt]:
        """The cosignatures refused as receipt times (:meth:`add_cosignature`), oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(DisputedReceiptRow)
                .where(DisputedReceiptRow.log_id == self.log_id)
                .order_by(DisputedReceiptRow.recorded_at, DisputedReceiptRow.size)
            )
            return [
                DisputedReceipt(
                    size=r.size,
                    witness=r.witness,
                    claimed_at=_utc(r.timestamp),
                    reason=r.reason,
                    recorded_at=_aware(r.recorded_at),
                    line=r.line,
                )
                for r in rows
            ]

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

    def cosignature_count(self) -> int:
        """How many cosignatures the log keeps (with :meth:`size`, what changes when it does)."""
        with self._read() as conn:
            count = conn.execute(
                sa.select(sa.func.count()).where(CosignatureRow.log_id == self.log_id)
            ).scalar_one()
        return int(count)
