"""The one rule of replication, :func:`check_extends`: two signed checkpoints of one log are of
one history, or the evidence says why not (RFC 9162 2.1.4.2 for the proof)."""

from __future__ import annotations

from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import Checkpoint, sign_checkpoint
from glasnost.exchange.keys import generate_key
from glasnost.exchange.replication import check_extends

ORIGIN = "glasnost.example/US"
LEAVES = [f"entry {i}".encode() for i in range(12)]
FORK = [*LEAVES[:2], b"rewritten", *LEAVES[3:]]
KEY = generate_key()


def note(size: int, leaves: list[bytes] = LEAVES) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, merkle.root(leaves[:size])), KEY)


def test_growth_with_a_valid_proof_extends() -> None:
    assert check_extends(note(4), note(9), merkle.consistency_proof(LEAVES[:9], 4)) is None


def test_the_same_checkpoint_and_the_empty_tree_are_extended() -> None:
    assert check_extends(note(5), note(5), []) is None
    assert check_extends(note(0), note(7), []) is None


def test_detects_two_histories_of_one_size() -> None:
    evidence = check_extends(note(5), note(5, FORK), [])
    assert evidence is not None
    assert evidence.reason == "two signed checkpoints of size 5 with different roots"
    assert (evidence.cosigned_note, evidence.submitted_note) == (note(5), note(5, FORK))
    assert evidence.origin == ORIGIN


def test_an_older_prefix_is_lag_not_evidence() -> None:
    # RFC 9162 2.1.4.2: the proof from the smaller tree (3) to the larger (6) verifies
    assert check_extends(note(6), note(3), merkle.consistency_proof(LEAVES[:6], 3)) is None


def test_detects_a_smaller_fork() -> None:
    proof = merkle.consistency_proof(LEAVES[:6], 3)  # from the kept tree: the fork is no prefix
    evidence = check_extends(note(6), note(3, FORK), proof)
    assert evidence is not None
    assert evidence.reason.startswith("fork: the signed checkpoint of size 3 is not a prefix")
    assert evidence.proof == tuple(proof)


def test_detects_rewritten_history() -> None:
    proof = merkle.consistency_proof(FORK[:9], 4)  # honest for the fork, not for the kept tree
    evidence = check_extends(note(4), note(9, FORK), proof)
    assert evidence is not None
    assert "consistency proof from size 4 to 9 does not verify" in evidence.reason
    assert "the history was rewritten" in evidence.reason
    assert evidence.proof == tuple(proof)


def test_malformed_proof_is_evidence_with_the_reason() -> None:
    evidence = check_extends(note(4), note(9), [b"short"])
    assert evidence is not None
    assert "does not verify (" in evidence.reason
