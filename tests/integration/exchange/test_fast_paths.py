"""The store's fast paths give the results of the slow ones: proofs from the in-process node
cache (cold, warm, and with a tiny bound) equal proofs from the leaves, and signatures verified
by worker processes (appends, bundles) give the same outcome and the same first error as one
by one."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from glasnost.exchange import merkle, signatures
from glasnost.exchange.bundle import export_bundle, verify_bundle
from glasnost.exchange.checkpoint import Checkpoint, sign_checkpoint
from glasnost.exchange.entries import SignedEntry, signature_checks
from glasnost.exchange.errors import ExchangeError, InvalidSignature, SizeError
from glasnost.exchange.store import LogStore, node_cache
from tests.integration.exchange.conftest import Party
from tests.integration.exchange.test_store import tamper


@pytest.fixture
def store(engine: sa.Engine, us: Party) -> LogStore:
    return LogStore.create(engine, us.keys)


@pytest.fixture
def two_processes() -> Iterator[None]:
    signatures.set_processes(2)
    yield
    signatures.set_processes(1)


@pytest.mark.parametrize("bound", [node_cache.MAX_CACHED_NODES, 5])
def test_cached_proofs_equal_proofs_from_the_leaves(
    store: LogStore, us: Party, bound: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(node_cache, "MAX_CACHED_NODES", bound)
    entries = us.entries(0, 37)
    store.append(entries[:20])
    store.append(entries[20:])
    leaves = [e.entry for e in entries]
    for warm in (False, True):  # the first pass fills the cache, the second reads from it
        if not warm:
            node_cache.clear()
        for size in (1, 20, 21, 32, 37):
            for index in range(size):
                assert store.inclusion_proof(index, size) == merkle.inclusion_proof(
                    leaves[:size], index
                )
            for old in range(1, size + 1):
                assert store.consistency_proof(old, size) == merkle.consistency_proof(
                    leaves[:size], old
                )
        assert len(node_cache._nodes) <= bound
    with pytest.raises(SizeError, match="has 37 entries"):  # every node of 37 is cached now
        store.inclusion_proof(0, 38)


def test_proof_of_a_size_the_log_reached_after_a_miss(store: LogStore, us: Party) -> None:
    entries = us.entries(0, 8)
    store.append(entries[:5])
    with pytest.raises(SizeError):
        store.inclusion_proof(0, 8)
    store.append(entries[5:])
    leaves = [e.entry for e in entries]
    assert store.inclusion_proof(3, 8) == merkle.inclusion_proof(leaves, 3)


def test_signature_checks_in_workers_equal_checks_one_by_one(
    us: Party, ru: Party, two_processes: None
) -> None:
    entries = us.entries(0, signatures.MIN_BATCH + 40)
    for i in (3, 100, len(entries) - 1):  # forged: another party's key signed these bytes
        entries[i] = replace(entries[i], signature=ru.key.sign(entries[i].entry))
    entries[50] = replace(entries[50], key_id="00000000")  # unknown key: left to verify_entry
    checks = signature_checks(entries, us.keys)
    key = us.keys.administrations[0].key
    for i, signed in enumerate(entries):
        if i == 50:
            assert checks[i] is None
            continue
        try:
            key.verify(signed.signature, signed.entry)
        except InvalidSignature:
            assert checks[i] is False
        else:
            assert checks[i] is True


def _first_error(store: LogStore, batch: list[SignedEntry]) -> str:
    with pytest.raises(ExchangeError) as caught:
        store.append(batch)
    assert store.size() == 0  # nothing of the batch is stored
    return f"{type(caught.value).__name__}: {caught.value}"


def test_rejects_forged_signature_in_a_large_batch_as_one_by_one(
    store: LogStore, us: Party, ru: Party, two_processes: None
) -> None:
    batch = us.entries(0, signatures.MIN_BATCH + 100)
    forged = len(batch) - 30
    batch[forged] = replace(batch[forged], signature=ru.key.sign(batch[forged].entry))
    in_workers = _first_error(store, batch)
    signatures.set_processes(1)
    assert _first_error(store, batch) == in_workers
    assert f"US#{forged}" in in_workers
    assert in_workers.startswith("InvalidSignature")
    # an earlier problem of another kind is still the error reported
    batch[7] = us.entry(8)  # seq 8 where 7 is expected
    signatures.set_processes(2)
    in_workers = _first_error(store, batch)
    signatures.set_processes(1)
    assert _first_error(store, batch) == in_workers
    assert in_workers.startswith("SequenceError")
    store.append(us.entries(0, signatures.MIN_BATCH + 100))  # the good batch goes in
    assert store.verify().ok


def test_rejects_bundle_with_one_forged_signature_as_one_by_one(
    store: LogStore, us: Party, ru: Party, two_processes: None
) -> None:
    count = signatures.MIN_BATCH + 20
    store.append(us.entries(0, count))
    store.add_checkpoint(sign_checkpoint(Checkpoint(store.origin, count, store.root()), us.key))
    bundle = export_bundle(store)
    assert verify_bundle(bundle, us.keys).size == count  # good: verified in the workers
    forged = ru.key.sign(bundle["entries"][200]["entry"].encode())
    bundle["entries"][200]["signature"] = base64.b64encode(forged).decode()
    errors = []
    for processes in (2, 1):
        signatures.set_processes(processes)
        with pytest.raises(InvalidSignature) as caught:
            verify_bundle(bundle, us.keys)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert "US#200" in errors[0]


def test_verify_finds_a_rewritten_signature_with_workers(
    store: LogStore, us: Party, two_processes: None
) -> None:
    store.append(us.entries(0, signatures.MIN_BATCH + 10))
    tamper(store.engine, "UPDATE entries SET signature = :s WHERE seq = 150", s=bytes(64))
    violation = store.verify().violation
    assert violation is not None
    assert violation.where == "entry US#150"
    assert "InvalidSignature" in violation.reason
