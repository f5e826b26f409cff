"""The witness (C2SP tlog-witness add-checkpoint): the numbered steps of
:mod:`glasnost.exchange.witness`, each attack refused with its error and evidence."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    Checkpoint,
    Verifier,
    add_signatures,
    open_checkpoint,
    open_note,
    sign_checkpoint,
)
from glasnost.exchange.errors import (
    CheckpointError,
    ConflictError,
    ConsistencyError,
    EquivocationError,
    UnknownKey,
    UnknownOrigin,
)
from glasnost.exchange.keys import generate_key
from glasnost.exchange.witness import Witness

ORIGIN = "glasnost.example/US"

# --- the witness --------------------------------------------------------------------------------

LEAVES = [f"entry {i}".encode() for i in range(12)]
NOW = 1_750_000_000


class Log:
    """A log with its key: signed checkpoints of prefixes of LEAVES (or of other leaves)."""

    def __init__(self) -> None:
        self.key = generate_key()
        self.verifiers = [Verifier(ORIGIN, self.key.public_key)]

    def note(self, size: int, leaves: Sequence[bytes] = LEAVES) -> str:
        return sign_checkpoint(Checkpoint(ORIGIN, size, merkle.root(leaves[:size])), self.key)


def witness_for(log: Log, **kwargs: object) -> Witness:
    return Witness("witness.example/RU", generate_key(), {ORIGIN: log.verifiers}, **kwargs)  # type: ignore[arg-type]


def test_witness_cosigns_consistent_growth() -> None:
    log = Log()
    witness = witness_for(log)
    first = witness.cosign(log.note(3), [], timestamp=NOW)
    second = witness.cosign(
        log.note(7), merkle.consistency_proof(LEAVES[:7], 3), timestamp=NOW + 60, old_size=3
    )
    latest = witness.latest(ORIGIN)
    assert latest is not None
    assert latest.size == 7
    for note, line, stamp in ((log.note(3), first, NOW), (log.note(7), second, NOW + 60)):
        _, verified = open_note(add_signatures(note, [line]), [witness.verifier])
        assert verified[0].timestamp == stamp
    # the same checkpoint again is cosigned again (a fresh timestamp)
    witness.cosign(log.note(7), [], timestamp=NOW + 120)
    # state survives a restart
    restored = witness_for(log, cosigned=witness.state())
    restored.cosign(log.note(12), merkle.consistency_proof(LEAVES, 7), timestamp=NOW + 180)


def test_rejects_equivocation_same_size_different_root() -> None:
    log = Log()
    witness = witness_for(log)
    honest = log.note(5)
    witness.cosign(honest, [], timestamp=NOW)
    fork = log.note(5, [b"rewritten", *LEAVES[1:]])
    with pytest.raises(EquivocationError, match="size 5 with different roots") as caught:
        witness.cosign(fork, [], timestamp=NOW + 1)
    evidence = caught.value.evidence
    assert (evidence.cosigned_note, evidence.submitted_note) == (honest, fork)
    assert caught.value.cosigned_size == 5
    for note in (evidence.cosigned_note, evidence.submitted_note):  # self-contained: both verify
        open_checkpoint(note, log.verifiers)
    assert witness.state() == {ORIGIN: honest}


def test_rejects_failing_consistency_proof() -> None:
    log = Log()
    witness = witness_for(log)
    witness.cosign(log.note(4), [], timestamp=NOW)
    fork = [*LEAVES[:2], b"rewritten", *LEAVES[3:]]
    proof = merkle.consistency_proof(fork[:9], 4)
    with pytest.raises(ConsistencyError, match="from size 4 to 9 does not verify") as caught:
        witness.cosign(log.note(9, fork), proof, timestamp=NOW + 1)
    assert caught.value.evidence.proof == tuple(proof)
    assert caught.value.evidence.to_json()["submitted_note"] == log.note(9, fork)
    with pytest.raises(ConsistencyError):  # an empty proof does not verify either
        witness.cosign(log.note(9), [], timestamp=NOW + 1)
    latest = witness.latest(ORIGIN)
    assert latest is not None
    assert latest.size == 4


def test_rejects_smaller_size_rollback() -> None:
    log = Log()
    witness = witness_for(log)
    witness.cosign(log.note(8), [], timestamp=NOW)
    with pytest.raises(
        ConflictError, match=r"tree size 5 is smaller than the cosigned 8 \(rollback\)"
    ) as caught:
        witness.cosign(log.note(5), [], timestamp=NOW + 1)
    assert caught.value.cosigned_size == 8


def test_rejects_stale_old_size() -> None:
    log = Log()
    witness = witness_for(log)
    witness.cosign(log.note(3), [], timestamp=NOW)
    with pytest.raises(ConflictError, match="old size 2 is not the cosigned size 3") as caught:
        witness.cosign(
            log.note(7), merkle.consistency_proof(LEAVES[:7], 2), timestamp=NOW, old_size=2
        )
    assert caught.value.cosigned_size == 3
    with pytest.raises(CheckpointError, match="larger than the checkpoint size"):
        witness.cosign(log.note(7), [], timestamp=NOW, old_size=9)


def test_rejects_checkpoint_of_unknown_log_or_key() -> None:
    log, stranger = Log(), Log()
    witness = witness_for(log)
    with pytest.raises(UnknownKey):
        witness.cosign(stranger.note(3), [], timestamp=NOW)
    other_origin = sign_checkpoint(Checkpoint("other.example/log", 1, bytes(32)), log.key)
    with pytest.raises(UnknownOrigin, match=r"does not follow the log 'other\.example/log'"):
        witness.cosign(other_origin, [], timestamp=NOW)
    with pytest.raises(CheckpointError, match="proof from an empty tree must be empty"):
        witness.cosign(log.note(3), [bytes(32)], timestamp=NOW)
    assert witness.state() == {}


def test_witness_from_the_empty_tree() -> None:
    log = Log()
    witness = witness_for(log)
    witness.cosign(log.note(0), [], timestamp=NOW)
    with pytest.raises(EquivocationError):  # the empty tree has one root, SHA-256("")
        witness.cosign(
            sign_checkpoint(Checkpoint(ORIGIN, 0, bytes(32)), log.key), [], timestamp=NOW
        )
    with pytest.raises(CheckpointError, match="proof from an empty tree must be empty"):
        witness.cosign(log.note(2), [bytes(32)], timestamp=NOW)
    witness.cosign(log.note(2), [], timestamp=NOW)


def test_witness_uses_the_injected_consistency_check() -> None:
    log = Log()
    calls: list[tuple[int, int]] = []

    def refuse(
        old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
    ) -> bool:
        calls.append((old, new))
        return False

    witness = witness_for(log, verify_consistency=refuse)
    witness.cosign(log.note(3), [], timestamp=NOW)
    with pytest.raises(ConsistencyError):
        witness.cosign(log.note(7), merkle.consistency_proof(LEAVES[:7], 3), timestamp=NOW)
    assert calls == [(3, 7)]
