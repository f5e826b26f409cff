"""The store's fast paths give the results of the slow ones: proofs from the in-process node
cache (cold, warm, and with a tiny bound) equal proofs from the leaves, signatures and whole
entries verified by worker processes (appends, bundles) give the same outcome and the same
first error as one by one, and the bulk insert stores what ``insert()`` stores."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from glasnost.exchange import entries as ledger_entries
from glasnost.exchange import merkle, signatures
from glasnost.exchange.bundle import export_bundle, verify_bundle
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.checkpoint import Checkpoint, sign_checkpoint
from glasnost.exchange.entries import SignedEntry, entry_checks, signature_checks, verify_entry
from glasnost.exchange.errors import ExchangeError, InvalidSignature, SizeError, TimeOrderError
from glasnost.exchange.store import EntryRow, LogStore, NodeRow, node_cache, write_transaction
from glasnost.exchange.store.bulk import insert_rows
from glasnost.treaty.bodies import NotificationEntry
from tests.integration.exchange.conftest import START, Party
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


# --- whole entries in the workers, bulk inserts ---------------------------------------------------

RECEIVED = START + dt.timedelta(days=1, microseconds=123_456)


def _rows(
    engine: sa.Engine, log_id: int
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The stored entry and node rows of a log, without its id, in key order."""
    entries, nodes = EntryRow.__table__, NodeRow.__table__
    with engine.connect() as conn:
        entry_rows = conn.execute(
            sa.select(*(c for c in entries.c if c.name != "log_id"))
            .where(entries.c.log_id == log_id)
            .order_by(entries.c.seq)
        ).all()
        node_rows = conn.execute(
            sa.select(nodes.c.level, nodes.c.index, nodes.c.hash)
            .where(nodes.c.log_id == log_id)
            .order_by(nodes.c.level, nodes.c.index)
        ).all()
    return [tuple(r) for r in entry_rows], [tuple(r) for r in node_rows]


def test_bulk_insert_stores_what_insert_stores(engine: sa.Engine, us: Party, ru: Party) -> None:
    reference = LogStore.create(engine, us.keys)
    bulk = LogStore.create(engine, ru.keys)
    batch = us.entries(0, 5)
    tree = merkle.CompactRange()
    entry_rows, node_rows = [], []
    for seq, signed in enumerate(batch):
        leaf = merkle.leaf_hash(signed.entry)
        node_rows += [(n.level, n.index, n.hash) for n in tree.append(leaf)]
        created = json.loads(signed.entry)["created_at"]
        entry_rows.append((seq, signed.entry, signed.signature, signed.key_id, leaf, created))
    entry_names = ("seq", "entry", "signature", "key_id", "leaf_hash", "created_at")
    with write_transaction(engine) as conn:
        conn.execute(
            sa.insert(EntryRow),
            [
                {
                    "log_id": reference.log_id,
                    **dict(zip(entry_names, r, strict=True)),
                    "received_at": RECEIVED,
                }
                for r in entry_rows
            ],
        )
        conn.execute(
            sa.insert(NodeRow),
            [
                {"log_id": reference.log_id, "level": a, "index": b, "hash": h}
                for a, b, h in node_rows
            ],
        )
        insert_rows(conn, EntryRow.__table__, [(bulk.log_id, *r, RECEIVED) for r in entry_rows])
        insert_rows(conn, NodeRow.__table__, [(bulk.log_id, *r) for r in node_rows])
    assert _rows(engine, bulk.log_id) == _rows(engine, reference.log_id)
    assert _rows(engine, bulk.log_id)[1] == sorted(node_rows)
    assert bulk.root() == merkle.root([e.entry for e in batch])


def test_bulk_insert_rolls_back_with_its_transaction(engine: sa.Engine, us: Party) -> None:
    store = LogStore.create(engine, us.keys)
    row = (store.log_id, 0, b"{}", bytes(64), "00000000", bytes(32), "x", RECEIVED)
    with pytest.raises(sa.exc.IntegrityError), write_transaction(engine) as conn:
        insert_rows(conn, EntryRow.__table__, [row, row])  # the same primary key twice
    assert store.size() == 0


def test_appends_in_workers_store_the_rows_of_the_reference(
    engine: sa.Engine, us: Party, two_processes: None
) -> None:
    store = LogStore.create(engine, us.keys, clock=lambda: RECEIVED)
    batch = us.entries(0, signatures.MIN_BATCH + 40)
    store.append(batch[:300])  # in the workers
    store.append(batch[300:])  # a small batch: in this process
    entry_rows, node_rows = _rows(engine, store.log_id)
    tree = merkle.CompactRange()
    expected_nodes = []
    for seq, (row, signed) in enumerate(zip(entry_rows, batch, strict=True)):
        leaf = hashlib.sha256(b"\x00" + signed.entry).digest()
        expected_nodes += [(n.level, n.index, n.hash) for n in tree.append(leaf)]
        received = row[-1]
        assert isinstance(received, dt.datetime)
        assert received.replace(tzinfo=received.tzinfo or dt.UTC) == RECEIVED
        created = json.loads(signed.entry)["created_at"]
        assert row[:-1] == (seq, signed.entry, signed.signature, signed.key_id, leaf, created)
    assert node_rows == sorted(expected_nodes)
    assert store.root() == merkle.root([e.entry for e in batch])
    assert store.verify().ok


def test_a_failing_entry_in_the_middle_of_a_batch_leaves_nothing(
    store: LogStore, us: Party, two_processes: None
) -> None:
    batch = us.entries(0, signatures.MIN_BATCH + 100)
    envelope = NotificationEntry.model_validate_json(batch[200].entry)
    batch[200] = ledger_entries.sign_entry(  # signed, valid, but before entry 199
        envelope.model_copy(update={"created_at": START}), us.key, us.key_id
    )
    in_workers = _first_error(store, batch)
    assert in_workers.startswith("TimeOrderError")
    assert "US#200" in in_workers
    batch[150] = replace(batch[150], entry=batch[150].entry.replace(b'"US"', b'"RU"', 1))
    in_workers = _first_error(store, batch)
    signatures.set_processes(1)
    assert _first_error(store, batch) == in_workers
    assert in_workers.startswith("WrongParty")
    assert "US#150" in in_workers
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(NodeRow)).scalar_one() == 0
    with pytest.raises(TimeOrderError):  # a small batch, verified in this process
        store.append([*batch[:150], us.entry(150), *batch[151:201]])
    assert store.size() == 0


def test_entry_checks_in_workers_equal_verify_entry(
    us: Party, ru: Party, two_processes: None
) -> None:
    entries = us.entries(5, 5 + signatures.MIN_BATCH + 40)
    entries[3] = replace(entries[3], signature=ru.key.sign(entries[3].entry))  # forged
    entries[40] = us.entry(7)  # a seq out of place
    entries[50] = replace(entries[50], key_id="00000000")  # unknown key
    entries[60] = replace(entries[60], entry=entries[60].entry + b" ")  # not canonical
    checks = entry_checks(entries, us.keys, "US", 5)
    for i, signed in enumerate(entries):
        try:
            entry = verify_entry(signed, us.keys, "US", 5 + i)
        except ExchangeError:
            assert checks[i] is None, i
        else:
            assert checks[i] == utc_iso(entry.created_at), i
    assert checks[40] is None
    assert checks[41] is not None


def test_workers_with_other_entry_types_check_nothing(us: Party) -> None:
    items = [(s.entry, s.signature, s.key_id, i) for i, s in enumerate(us.entries(0, 3))]
    registry = ledger_entries._registry()
    assert ledger_entries._verify_entries(items, us.keys, "US", registry) == [
        utc_iso(START + dt.timedelta(seconds=i)) for i in range(3)
    ]
    other = (*registry, ("zz_type", "glasnost.treaty.bodies", "Notification"))
    assert ledger_entries._verify_entries(items, us.keys, "US", other) == [None] * 3
