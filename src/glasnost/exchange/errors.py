"""The exchange's exceptions: one hierarchy, every message says what, where and why.

::

    ExchangeError (a GlasnostError and a ValueError; the whole tree: glasnost.errors)
    ├── CanonicalJsonError    a value with no RFC 8785 form (NaN, inf, bytes, int beyond 2^53 ...)
    ├── KeyFileError          a key file that is missing, malformed, too permissive or in the way
    ├── KeyRecordError        a new key record that does not extend the trusted one
    ├── InvalidSignature      a signature that does not verify                     (witness: 403)
    ├── UnknownKey            no trusted key: unknown key id, or no known signer   (witness: 403)
    ├── KeyNotValidAtTime     a key whose administration was not in office at that time
    ├── WrongParty            an entry whose party is not the log's party
    ├── SequenceError         an entry whose seq is not the next one of its log
    ├── SchemaError           an envelope or body that fails its schema, or is not in normal form
    │   └── TimeOrderError    created_at before the previous entry's, or after the receipt
    ├── EntryTooLarge         entry bytes over the size limit
    ├── CommitmentError       a reveal that does not open its commitment
    ├── CheckpointError       a malformed signed note or checkpoint                (witness: 400)
    │   └── UnknownOrigin     a checkpoint of a log the verifier does not follow   (witness: 404)
    ├── ConsistencyError      a consistency proof that does not verify             (witness: 422)
    ├── ReceiptTimeError      a cosignature dated before its checkpoint's signed time or after
    │                         the receiver's clock plus the allowed skew (kept as disputed; 422)
    ├── StoreError            the store cannot do what was asked
    │   ├── LogNotFound       no log of that origin in the database (also a LookupError)
    │   ├── LogExists         a log of that origin is there already
    │   ├── EntryNotFound     no entry at that position (also an IndexError)
    │   ├── SizeError         a tree size the log does not have
    │   └── StoreCorrupt      a stored row is missing or altered (run ``glasnost log verify``)
    ├── BundleError           an offline bundle that is malformed or does not verify
    ├── NodeError             a database that is not (or already) a node, a key that is not its
    └── ConflictError         not the size the witness has cosigned                (witness: 409)
        └── EquivocationError same size, different roots, both validly signed  (witness: 409)

``where`` names the place (``entry US#12``, ``key US/a1b2c3d4``, ``body.kind``, a note line) and
comes first in the message. :class:`ConsistencyError` and :class:`EquivocationError` carry
:class:`Evidence`: both signed notes and the proof, self-contained, to be kept and shown.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from glasnost.errors import GlasnostError


class ExchangeError(GlasnostError, ValueError):
    """Base of every exchange error (a :class:`~glasnost.errors.GlasnostError`). ``str()`` is
    ``"<where>: <what and why>"``."""


class CanonicalJsonError(ExchangeError):
    """The value has no RFC 8785 canonical form; ``where`` is its JSON path (``$.body.x[2]``)."""


class KeyFileError(ExchangeError):
    """A key file is missing, malformed, readable by others, or would be overwritten."""


class KeyRecordError(ExchangeError):
    """A party's new key record does not extend the trusted one (only a successor
    administration may be added, and the last term ended)."""


class InvalidSignature(ExchangeError):  # noqa: N818 (name from the spec)
    """A signature does not verify against the key it names."""


class UnknownKey(ExchangeError):  # noqa: N818 (name from the spec)
    """The key id (or key name) is not one of the trusted keys for that party or log."""


class KeyNotValidAtTime(ExchangeError):  # noqa: N818 (name from the spec)
    """The key belongs to an administration that was not in office at the time given."""


class WrongParty(ExchangeError):  # noqa: N818 (name from the spec)
    """The entry names another party than the log it is presented for."""


class SequenceError(ExchangeError):
    """The entry's seq is not the next one of its party's log (gap, repeat or reorder)."""


class SchemaError(ExchangeError):
    """The envelope or body does not match the schema of its type, or is not in normal form."""


class EntryTooLarge(ExchangeError):  # noqa: N818 (name from the spec)
    """The entry's canonical bytes exceed the size limit."""


class TimeOrderError(SchemaError):
    """``created_at`` goes backwards along a log, or lies after the entry's receipt."""


class StoreError(ExchangeError):
    """The store cannot do what was asked (see the subclasses)."""


class LogNotFound(StoreError, LookupError):  # noqa: N818 (like UnknownKey)
    """No log of that origin in the database."""


class LogExists(StoreError):  # noqa: N818 (like UnknownKey)
    """A log of that origin is in the database already."""


class EntryNotFound(StoreError, IndexError):  # noqa: N818 (like UnknownKey)
    """No entry at that position of the log."""


class SizeError(StoreError):
    """A tree size the log does not have (negative, or beyond its entries)."""


class StoreCorrupt(StoreError):  # noqa: N818 (like UnknownKey)
    """A row the store needs is missing or altered; ``glasnost log verify`` finds which."""


class BundleError(ExchangeError):
    """An offline bundle that is malformed, incomplete or does not verify."""


class NodeError(ExchangeError):
    """A database that is not a node (or is one already), or a key that is not the node's."""


class CommitmentError(ExchangeError):
    """A revealed item and salt do not open the commitment, or the salt is too short."""


class CheckpointError(ExchangeError):
    """A signed note, checkpoint, cosignature or witness request is malformed."""


class UnknownOrigin(CheckpointError):  # noqa: N818 (like UnknownKey)
    """A checkpoint of a log (origin) that the verifier or witness does not follow."""


class ReceiptTimeError(ExchangeError):
    """A validly signed cosignature whose time its receiver cannot accept as a receipt time:
    before the checkpoint's own signed time, or after the receiver's clock plus the allowed
    skew. The store keeps it as a disputed receipt time; deadlines are never measured from it."""


@dataclass(frozen=True)
class Evidence:
    """Self-contained evidence against a log: the signed statements that contradict each other
    and the proof that was offered.

    ``cosigned_note`` is the checkpoint kept before (the largest cosigned, or ``""``);
    ``submitted_note`` the new one; both are complete signed notes, so anyone holding the log's
    public key can check them without trusting the witness. Two signed entries at one position
    go in ``entries`` (each ``{"entry", "signature", "key_id"}``, as the API carries them).
    """

    origin: str
    reason: str
    cosigned_note: str
    submitted_note: str
    proof: tuple[bytes, ...] = ()
    entries: tuple[dict[str, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        """A JSON object (proof nodes in standard base64) for storage and display."""
        out: dict[str, object] = {
            "origin": self.origin,
            "reason": self.reason,
            "cosigned_note": self.cosigned_note,
            "submitted_note": self.submitted_note,
            "proof": [base64.b64encode(p).decode("ascii") for p in self.proof],
        }
        if self.entries:
            out["entries"] = [dict(e) for e in self.entries]
        return out


class ConsistencyError(ExchangeError):
    """The consistency proof from the cosigned checkpoint to the new one does not verify.

    A bad proof alone does not prove misbehaviour (it may be corrupted in transit), but both
    notes are validly signed, so :attr:`evidence` is kept (C2SP tlog-witness: 422).
    """

    def __init__(self, message: str, *, where: str | None = None, evidence: Evidence) -> None:
        super().__init__(message, where=where)
        self.evidence = evidence


class ConflictError(ExchangeError):
    """The request does not start from the size the witness has cosigned (C2SP tlog-witness:
    409, answering :attr:`cosigned_size`): a stale old size, or a rollback to a smaller tree."""

    def __init__(self, message: str, *, where: str | None = None, cosigned_size: int) -> None:
        super().__init__(message, where=where)
        self.cosigned_size = cosigned_size


class EquivocationError(ConflictError):
    """Two validly signed checkpoints of one log with the same size and different roots: proof
    that the log showed two histories. :attr:`evidence` holds both notes."""

    def __init__(
        self, message: str, *, where: str | None = None, cosigned_size: int, evidence: Evidence
    ) -> None:
        super().__init__(message, where=where, cosigned_size=cosigned_size)
        self.evidence = evidence
