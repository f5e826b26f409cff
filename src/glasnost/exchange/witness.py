"""The witness (after https://c2sp.org/tlog-witness, ``add-checkpoint``).

:class:`Witness` keeps, per origin, the largest checkpoint it has cosigned, and cosigns a new one
only in this order:

1. the note and checkpoint parse (:class:`CheckpointError`, 400), the origin is followed
   (:class:`UnknownOrigin`, 404), and a key of the log signed it (:class:`UnknownKey` /
   :class:`InvalidSignature`, 403);
2. the client's old size, if given, is at most the new size (400) and is the size the witness
   cosigned (:class:`ConflictError`, 409);
3. the new size is not smaller than the cosigned one (rollback: :class:`ConflictError`, 409);
4. same size: same root, else :class:`EquivocationError` (409) with both signed notes;
5. larger size: the consistency proof from the cosigned checkpoint verifies (RFC 9162
   2.1.4.2), else :class:`ConsistencyError` (422) with both notes and the proof. From no
   cosigned checkpoint or the empty tree the proof must be empty and anything is accepted.

Steps 4 and 5 are :func:`glasnost.exchange.replication.check_extends`, the one rule the pull
and the bundle import apply as well. The witness sees only the notes and the proof; a node
(:meth:`glasnost.exchange.node.Node.cosign`) compares the checkpoint with everything its
mirror holds first, so that a fork refused at step 2 or 3 (or for lack of entries) is still
kept as evidence. Then the witness records the new note and returns its
cosignature line. The witness is pure: time comes in as an argument, state goes out through
:meth:`Witness.state`; the caller persists the state atomically with the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    MAX_PROOF_HASHES,
    Checkpoint,
    Note,
    Verifier,
    cosign,
    open_note,
    parse_checkpoint,
    parse_note,
)
from glasnost.exchange.errors import (
    CheckpointError,
    ConflictError,
    ConsistencyError,
    EquivocationError,
    UnknownOrigin,
)
from glasnost.exchange.keys import SIG_COSIGNATURE_V1, PrivateKey, check_key_name
from glasnost.exchange.replication import ConsistencyCheck, check_extends

__all__ = ["Witness"]


class Witness:
    """Cosigns checkpoints of the logs it follows, never one inconsistent with what it cosigned.

    ``logs`` maps each followed origin to the verifiers of its log keys; ``cosigned`` is the saved
    state (origin -> the latest cosigned signed note); ``verify_consistency`` defaults to
    :func:`glasnost.exchange.merkle.verify_consistency`.
    """

    def __init__(
        self,
        name: str,
        key: PrivateKey,
        logs: Mapping[str, Sequence[Verifier]],
        *,
        cosigned: Mapping[str, str] | None = None,
        verify_consistency: ConsistencyCheck = merkle.verify_consistency,
    ) -> None:
        self.name = check_key_name(name)
        self._key = key
        self._logs = {origin: tuple(v) for origin, v in logs.items()}
        self._verify_consistency = verify_consistency
        self._cosigned: dict[str, tuple[str, Checkpoint]] = {}
        for origin, note in (cosigned or {}).items():
            checkpoint = self._open(note)[0]
            if checkpoint.origin != origin:
                raise CheckpointError(
                    f"saved note is for origin {checkpoint.origin!r}", where=origin
                )
            self._cosigned[origin] = (note, checkpoint)

    @property
    def verifier(self) -> Verifier:
        """How others check this witness's cosignatures."""
        return Verifier(self.name, self._key.public_key, SIG_COSIGNATURE_V1)

    def latest(self, origin: str) -> Checkpoint | None:
        """The largest checkpoint cosigned for ``origin``, if any."""
        entry = self._cosigned.get(origin)
        return entry[1] if entry else None

    def state(self) -> dict[str, str]:
        """origin -> latest cosigned signed note: what to persist."""
        return {origin: note for origin, (note, _) in self._cosigned.items()}

    def _open(self, note: str) -> tuple[Checkpoint, Note]:
        parsed = parse_note(note)
        checkpoint = parse_checkpoint(parsed.text)
        verifiers = self._logs.get(checkpoint.origin)
        if verifiers is None:
            raise UnknownOrigin(
                f"this witness does not follow the log {checkpoint.origin!r}", where="line 1"
            )
        open_note(note, verifiers)
        return checkpoint, parsed

    def cosign(
        self,
        note: str,
        proof: Sequence[bytes],
        *,
        timestamp: int,
        old_size: int | None = None,
    ) -> str:
        """Cosign a signed checkpoint after the checks of the module docstring; returns the
        cosignature line and records the note as the latest cosigned one."""
        # 1. well formed, followed, signed by the log
        new, parsed = self._open(note)
        where = f"checkpoint {new.origin}@{new.size}"
        if len(proof) > MAX_PROOF_HASHES:
            raise CheckpointError(f"{len(proof)} proof hashes; at most {MAX_PROOF_HASHES}")
        saved = self._cosigned.get(new.origin)
        cosigned_size = saved[1].size if saved else 0
        # 2. the client's view of the witness
        if old_size is not None:
            if old_size > new.size:
                raise CheckpointError(
                    f"old size {old_size} is larger than the checkpoint size", where=where
                )
            if old_size != cosigned_size:
                raise ConflictError(
                    f"old size {old_size} is not the cosigned size {cosigned_size}",
                    where=where,
                    cosigned_size=cosigned_size,
                )
        if saved is None:
            if proof:
                raise CheckpointError("the proof from an empty tree must be empty", where=where)
        else:
            self._check_extends(saved, (note, new), proof, where)
        line = cosign(parsed.text, self.name, self._key, timestamp)
        self._cosigned[new.origin] = (note, new)
        return line

    def _check_extends(
        self,
        saved: tuple[str, Checkpoint],
        submitted: tuple[str, Checkpoint],
        proof: Sequence[bytes],
        where: str,
    ) -> None:
        (old_note, old), (new_note, new) = saved, submitted
        # 3. no rollback
        if new.size < old.size:
            raise ConflictError(
                f"tree size {new.size} is smaller than the cosigned {old.size} (rollback)",
                where=where,
                cosigned_size=old.size,
            )
        # 4. same size, same root; 5. larger: the consistency proof verifies
        evidence = check_extends(old_note, new_note, proof, verify=self._verify_consistency)
        if evidence is not None and new.size == old.size:
            raise EquivocationError(
                evidence.reason, where=where, cosigned_size=old.size, evidence=evidence
            )
        if evidence is not None:
            raise ConsistencyError(evidence.reason, where=where, evidence=evidence)
        if proof and new.size == old.size:
            raise CheckpointError("the proof between equal trees must be empty", where=where)
        if proof and old.size == 0:
            raise CheckpointError("the proof from an empty tree must be empty", where=where)
