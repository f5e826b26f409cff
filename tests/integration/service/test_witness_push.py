"""Forks pushed to a node's witness leave evidence, whatever path they take (issue 12, finding 6).

RU's node is served on loopback (uvicorn, its store in SQLite or PostgreSQL); US pushes its
log to it as a sync does (``POST /v1/mirror/entries``, ``POST /v1/witness/add-checkpoint``),
then signs a second history with the same key. Every signed statement that contradicts one RU
holds is kept as evidence: a fork beyond the entries held, a smaller fork, a checkpoint that
extends the cosigned one but not the entries pushed, another entry at a seq held. A stale
checkpoint of the same history is lag: refused, nothing kept, cosigning goes on.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    Checkpoint,
    Verifier,
    encode_add_checkpoint,
    open_checkpoint,
    sign_checkpoint,
)
from glasnost.exchange.entries import SignedEntry, verify_entry
from glasnost.exchange.node import Node
from glasnost.service.app import create_app
from tests.integration.exchange.conftest import store_engine

from .conftest import serve
from .nodes import Party, make_party


@dataclass
class Witnessed:
    """RU's node served on ``url``, holding US entries 0-2 of history A, cosigned at size 3."""

    us: Party
    ru: Party
    node: Node
    url: str
    history: list[SignedEntry]

    def post(self, path: str, **request: Any) -> httpx.Response:
        with self.us.client(self.url) as client:
            return client.post(path, **request)

    def push(self, start: int, entries: list[SignedEntry]) -> httpx.Response:
        body = {"start": start, "entries": [e.to_json() for e in entries]}
        return self.post("/v1/mirror/entries", json=body)

    def submit(self, old: int, entries: list[SignedEntry], size: int) -> httpx.Response:
        """Add-checkpoint of ``entries[:size]`` signed by US, the proof from ``old`` honest
        for that history (C2SP tlog-witness)."""
        leaves = [e.entry for e in entries[:size]]
        note = sign_checkpoint(Checkpoint(self.us.origin, size, merkle.root(leaves)), self.us.key)
        proof = merkle.consistency_proof(leaves, old) if 0 < old < size else []
        return self.post(
            "/v1/witness/add-checkpoint",
            content=encode_add_checkpoint(old, proof, note),
            headers={"content-type": "text/plain"},
        )

    def evidence(self) -> list[dict[str, Any]]:
        return self.node.log("US").evidence()


@pytest.fixture(params=["sqlite", "postgresql"])
def witnessed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Witnessed]:
    us, ru = make_party("US", tmp_path), make_party("RU", tmp_path)
    history = us.notifications(0, 6, details="history A")
    with store_engine(request.param, tmp_path) as engine:
        node = Node.init(engine, ru.keys, ru.key)
        node.follow(us.keys)
        with serve(create_app(node)) as url:
            site = Witnessed(us, ru, node, url, history)
            assert site.push(0, history[:3]).status_code == 200
            cosigned = site.submit(0, history, 3)
            assert cosigned.status_code == 200, cosigned.text
            yield site


def fork_at(site: Witnessed, seq: int) -> list[SignedEntry]:
    """History B: history A up to ``seq``, then other entries signed by the same US key."""
    return [*site.history[:seq], *site.us.notifications(seq, 6 - seq, details="history B")]


def log_key(party: Party) -> Verifier:
    return Verifier(party.origin, party.key.public_key)


def assert_self_contained(site: Witnessed, evidence: dict[str, Any]) -> None:
    """Both notes verify under the US key and the proof kept between them fails (RFC 9162
    2.1.4.2): anyone with the key record can check the fork without trusting RU."""
    old, _, _ = open_checkpoint(evidence["cosigned_note"], [log_key(site.us)])
    new, _, _ = open_checkpoint(evidence["submitted_note"], [log_key(site.us)])
    small, large = sorted((old, new), key=lambda c: c.size)
    proof = [base64.b64decode(h) for h in evidence["proof"]]
    assert not merkle.verify_consistency(
        small.size, large.size, small.root_hash, large.root_hash, proof
    )


def test_fork_beyond_the_entries_held_is_kept_as_evidence(witnessed: Witnessed) -> None:
    """Before: 400 "sync first", nothing kept."""
    answer = witnessed.submit(3, fork_at(witnessed, 1), 5)
    assert answer.status_code == 422, answer.text
    (evidence,) = witnessed.evidence()
    assert "consistency proof from size 3 to 5 does not verify" in evidence["reason"]
    assert_self_contained(witnessed, evidence)


def test_smaller_forked_checkpoint_is_kept_as_evidence(witnessed: Witnessed) -> None:
    """Before: the rollback refusal (400/409) came before any root comparison, nothing kept."""
    answer = witnessed.submit(3, fork_at(witnessed, 1), 2)
    assert answer.status_code == 422, answer.text
    (evidence,) = witnessed.evidence()
    assert evidence["reason"].startswith("fork: the signed checkpoint of size 2 is not a prefix")
    assert_self_contained(witnessed, evidence)


def test_checkpoint_extending_the_cosigned_one_but_not_the_entries_held_is_evidence(
    witnessed: Witnessed,
) -> None:
    """Before: 400 (root is not the stored log's root), nothing kept."""
    assert witnessed.push(3, witnessed.history[3:5]).status_code == 200
    forked = fork_at(witnessed, 3)  # same first 3 entries: the proof from 3 verifies
    answer = witnessed.submit(3, forked, 5)
    assert answer.status_code == 422, answer.text
    (evidence,) = witnessed.evidence()
    assert "is not the root of the 5 signed entries held" in evidence["reason"]
    new, _, _ = open_checkpoint(evidence["submitted_note"], [log_key(witnessed.us)])
    assert new.root_hash == merkle.root([e.entry for e in forked[:5]])
    assert new.root_hash != witnessed.node.log("US").root(5)


def test_conflicting_signed_entry_at_a_held_seq_is_kept_as_evidence(
    witnessed: Witnessed,
) -> None:
    """Before: 409 only."""
    other = fork_at(witnessed, 1)[1]
    answer = witnessed.push(1, [other])
    assert answer.status_code == 409, answer.text
    assert "two signed entries at seq 1" in answer.json()["detail"]
    (evidence,) = witnessed.evidence()
    held, pushed = (SignedEntry.from_json(e) for e in evidence["entries"])
    assert held == witnessed.history[1]
    assert pushed == other
    for signed in (held, pushed):  # both verify under the US key as seq 1
        verify_entry(signed, witnessed.us.keys, "US", 1)
    # once a fork is proven the log is no longer cosigned
    assert witnessed.push(3, witnessed.history[3:4]).status_code == 200
    assert witnessed.submit(3, witnessed.history, 4).status_code == 409


def test_the_same_entries_pushed_again_are_no_evidence(witnessed: Witnessed) -> None:
    answer = witnessed.push(1, witnessed.history[1:3])
    assert answer.status_code == 409
    assert witnessed.evidence() == []


def test_a_stale_checkpoint_is_lag_and_cosigning_goes_on(witnessed: Witnessed) -> None:
    for old in (3, 2):
        answer = witnessed.submit(old, witnessed.history, 2)
        assert answer.status_code in (400, 409), answer.text
    assert witnessed.evidence() == []
    assert witnessed.push(3, witnessed.history[3:5]).status_code == 200
    answer = witnessed.submit(3, witnessed.history, 5)
    assert answer.status_code == 200, answer.text
    cosigned = witnessed.node.log("US").latest_cosigned(witnessed.ru.origin)
    assert cosigned is not None
    assert cosigned.size == 5
