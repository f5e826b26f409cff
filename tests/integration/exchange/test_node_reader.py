"""Proof nodes read on the held driver connection (:mod:`glasnost.exchange.store.node_reader`)
give the proofs of the pooled SQLAlchemy path and of the leaves, at random positions, while
another thread appends, and after the held connection was lost; so do proofs that take a log's
upper levels from the blocks kept in memory (:class:`~glasnost.exchange.store.node_cache.
UpperLevels`), made to serve these small logs by lowering their thresholds."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from glasnost.exchange import merkle
from glasnost.exchange.errors import SizeError
from glasnost.exchange.store import LogStore, NodeRow, node_cache, node_reader
from tests.integration.exchange.conftest import Party, downgrade

ENTRIES = 300


@pytest.fixture(scope="module")
def signed(us: Party) -> list[bytes]:
    return [e.entry for e in us.entries(0, ENTRIES)]


@pytest.fixture
def store(engine: sa.Engine, us: Party) -> LogStore:
    return LogStore.create(engine, us.keys)


def _keep_upper_levels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make proofs keep the log's upper levels: for a tree of 300 leaves, levels 4 and up (34
    nodes), as a tree of millions keeps its upper levels."""
    monkeypatch.setattr(node_cache, "UPPER_FROM_SIZE", 1)
    monkeypatch.setattr(node_cache, "UPPER_NODES", 40)


@pytest.fixture(params=[False, True], ids=["by-key", "upper-levels"])
def upper(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether proofs keep the log's upper levels (:func:`_keep_upper_levels`)."""
    if request.param:
        _keep_upper_levels(monkeypatch)
    return bool(request.param)


def _upper_reads(statements: list[str]) -> list[str]:
    """The statements among ``statements`` that read a log's upper levels."""
    return [s for s in statements if "nodes.level >=" in s]


@pytest.fixture
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    """Every statement SQLAlchemy runs on ``engine`` (the held connection's are not)."""
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", count)


def _proofs(store: LogStore, cases: list[tuple[str, int, int]]) -> list[list[bytes]]:
    node_cache.clear()  # every proof reads the nodes the earlier ones did not
    return [
        store.inclusion_proof(a, size) if kind == "inclusion" else store.consistency_proof(a, size)
        for kind, a, size in cases
    ]


def _cases(count: int, total: int, seed: int) -> list[tuple[str, int, int]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        size = rng.randrange(1, total + 1)
        cases.append(("inclusion", rng.randrange(size), size))
        cases.append(("consistency", rng.randrange(1, size + 1), size))
    return cases


def test_held_connection_proofs_equal_pooled_proofs_and_the_leaves(
    store: LogStore,
    us: Party,
    signed: list[bytes],
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
    upper: bool,
) -> None:
    store.append(us.entries(0, ENTRIES))
    cases = _cases(150, ENTRIES, seed=13)
    statements.clear()
    held = _proofs(store, cases)
    # all nodes came from the held connection; through the pool, at most the upper levels, read
    # again only for a tree twice the size they were read for
    assert [s for s in statements if s != "BEGIN"] == _upper_reads(statements)
    assert 0 < len(statements) <= 9 if upper else statements == []
    monkeypatch.setattr(node_reader, "_held_for", lambda engine: None)
    pooled = _proofs(store, cases)
    assert len(statements) > len(_upper_reads(statements))  # now node reads went through it
    assert held == pooled
    for (kind, a, size), proof in zip(cases, held, strict=True):
        if kind == "inclusion":
            assert proof == merkle.inclusion_proof(signed[:size], a)
        else:
            assert proof == merkle.consistency_proof(signed[:size], a)


def test_proofs_during_concurrent_appends_verify(
    store: LogStore, us: Party, signed: list[bytes], upper: bool
) -> None:
    node_cache.clear()
    batches = us.entries(0, ENTRIES)
    store.append(batches[:1])
    failed: list[BaseException] = []

    def writer() -> None:
        try:
            for start in range(1, ENTRIES, 7):
                store.append(batches[start : start + 7])
        except BaseException as exc:  # reported below
            failed.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    rng = random.Random(5)
    proved = ahead = 0
    while thread.is_alive() or proved < 50:
        size = store.size()
        root = merkle.root(signed[:size])
        index = rng.randrange(size)
        proof = store.inclusion_proof(index, size)
        assert merkle.verify_inclusion(merkle.leaf_hash(signed[index]), index, size, proof, root)
        old = rng.randrange(1, size + 1)
        proof = store.consistency_proof(old, size)
        assert merkle.verify_consistency(old, size, merkle.root(signed[:old]), root, proof)
        later = min(size + 5, ENTRIES)  # a size the log may not have reached yet
        try:
            proof = store.inclusion_proof(index, later)
        except SizeError:
            ahead += 1  # not yet: its missing nodes must not be remembered as absent
        else:
            later_root = merkle.root(signed[:later])
            assert merkle.verify_inclusion(
                merkle.leaf_hash(signed[index]), index, later, proof, later_root
            )
        proved += 1
    thread.join()
    assert not failed
    assert store.size() == ENTRIES
    assert store.inclusion_proof(0, ENTRIES) == merkle.inclusion_proof(signed, 0)


def test_proofs_survive_the_loss_of_the_held_connection(
    store: LogStore, us: Party, signed: list[bytes], engine: sa.Engine
) -> None:
    store.append(us.entries(0, ENTRIES))
    cases = _cases(20, ENTRIES, seed=7)
    expected = _proofs(store, cases)
    held = node_reader._held_for(engine)
    assert held is not None
    lost = held._driver
    assert lost is not None
    if engine.dialect.name == "postgresql":  # the server ends the session
        with engine.connect() as conn:
            ended = conn.execute(
                sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": lost.info.backend_pid}
            ).scalar_one()
        assert ended
    else:
        lost.close()
    assert _proofs(store, cases) == expected  # the failed read went through the pool
    assert _proofs(store, cases) == expected  # and a fresh held connection serves again
    assert held._driver is not None
    assert held._driver is not lost


def test_a_busy_held_connection_leaves_the_read_to_the_pool(
    store: LogStore, us: Party, signed: list[bytes], engine: sa.Engine, statements: list[str]
) -> None:
    store.append(us.entries(0, 40))
    held = node_reader._held_for(engine)
    assert held is not None
    with held._lock:  # another thread reads on it
        statements.clear()
        proof = _proofs(store, [("inclusion", 17, 40)])[0]
        assert statements  # read through the pool instead of waiting
    assert proof == merkle.inclusion_proof(signed[:40], 17)


def test_a_held_connection_that_cannot_be_opened_leaves_the_read_to_the_pool(
    store: LogStore,
    us: Party,
    signed: list[bytes],
    engine: sa.Engine,
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store.append(us.entries(0, 40))
    held = node_reader._held_for(engine)
    assert held is not None
    held.close()

    def refuse(self: object) -> object:
        raise OSError("connection refused")

    monkeypatch.setattr(type(held), "_open", refuse)
    statements.clear()
    proof = _proofs(store, [("inclusion", 17, 40)])[0]
    assert statements  # read through the pool
    assert proof == merkle.inclusion_proof(signed[:40], 17)


def test_disposing_the_engine_closes_the_held_connection(
    store: LogStore, us: Party, engine: sa.Engine
) -> None:
    store.append(us.entries(0, 3))
    node_cache.clear()
    store.inclusion_proof(1, 3)
    held = node_reader._held_for(engine)
    assert held is not None
    assert held._driver is not None
    engine.dispose()
    assert held._driver is None


def test_the_held_postgresql_connection_plans_the_node_statement_once(
    us: Party, signed: list[bytes], postgres_engine: sa.Engine
) -> None:
    engine = postgres_engine
    store = LogStore.create(engine, us.keys)
    store.append(us.entries(0, 100))
    cases = _cases(20, 100, seed=3)
    assert _proofs(store, cases) == [
        merkle.inclusion_proof(signed[:size], a)
        if kind == "inclusion"
        else merkle.consistency_proof(signed[:size], a)
        for kind, a, size in cases
    ]
    held = node_reader._held_for(engine)
    assert held is not None
    assert held._driver is not None
    row = held._driver.execute(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
        (node_reader._PG_PREPARED.decode(),),
    ).fetchone()
    assert row is not None
    generic, custom = row
    assert generic > 0
    assert custom == 0  # never planned afresh for its keys


def test_nodes_of_a_transaction_not_committed_are_never_kept(
    store: LogStore, us: Party, signed: list[bytes], engine: sa.Engine, upper: bool
) -> None:
    store.append(us.entries(0, 100))
    node_cache.clear()
    with engine.connect() as conn:
        transaction = conn.begin()  # the nodes of the tree of 300, wrong, never committed
        conn.execute(
            sa.insert(NodeRow),
            [
                {"log_id": store.log_id, "level": level, "index": index, "hash": b"\xff" * 32}
                for level in range(9)
                for index in range(100 >> level, ENTRIES >> level)
            ],
        )
        with pytest.raises(SizeError):
            store.inclusion_proof(150, ENTRIES)
        assert not [key for key in node_cache._roots if key[-1] == ENTRIES]  # none composed
        for index in (0, 63, 99):
            assert store.inclusion_proof(index, 100) == merkle.inclusion_proof(signed[:100], index)
        transaction.rollback()
    store.append(us.entries(100, ENTRIES))
    for index in (0, 99, 150, 299):
        assert store.inclusion_proof(index, ENTRIES) == merkle.inclusion_proof(signed, index)
    assert store.consistency_proof(100, ENTRIES) == merkle.consistency_proof(signed, 100)


def test_composed_roots_serve_the_later_proofs_of_a_size(
    store: LogStore,
    us: Party,
    signed: list[bytes],
    monkeypatch: pytest.MonkeyPatch,
    upper: bool,
) -> None:
    """The root of a proof's range that is not a perfect subtree is composed once per range
    and kept: the later proofs of the same tree size take it (their proofs those of the
    leaves), and read none of its other nodes."""
    store.append(us.entries(0, ENTRIES))
    composed: list[tuple[int, int]] = []
    compose = merkle.subtree_root_from_nodes

    def counted(get: Callable[[int, int], bytes], start: int, end: int) -> bytes:
        composed.append((start, end))
        return compose(get, start, end)

    monkeypatch.setattr(merkle, "subtree_root_from_nodes", counted)
    cases = [("inclusion", a, ENTRIES) for a in range(ENTRIES)]
    cases += [("consistency", a, ENTRIES) for a in range(1, ENTRIES + 1)]
    expected = [
        merkle.inclusion_proof(signed, a)
        if kind == "inclusion"
        else merkle.consistency_proof(signed, a)
        for kind, a, _ in cases
    ]
    assert _proofs(store, cases) == expected
    assert composed  # 300 leaves: ranges such as [256, 300) are not perfect subtrees
    assert len(composed) == len(set(composed))  # each composed once
    composed.clear()
    assert [store.inclusion_proof(a, ENTRIES) for a in range(ENTRIES)] == expected[:ENTRIES]
    assert composed == []


def test_a_size_beyond_the_log_reads_the_upper_levels_once(
    store: LogStore,
    us: Party,
    signed: list[bytes],
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _keep_upper_levels(monkeypatch)
    store.append(us.entries(0, 100))
    node_cache.clear()
    statements.clear()
    for _ in range(5):  # what a client asking for a size the log has not reached gets
        with pytest.raises(SizeError):
            store.inclusion_proof(3, ENTRIES)
    assert len(_upper_reads(statements)) == 1
    assert store.inclusion_proof(3, 100) == merkle.inclusion_proof(signed[:100], 3)
    assert len(_upper_reads(statements)) == 1  # kept for a size under twice 100


def _vacuum_until_all_visible(conn: sa.Connection) -> None:
    """VACUUM ANALYZE ``nodes`` (what autovacuum does to a table in use) until it has marked
    every page all-visible: it cannot while another session of the server (another test, in
    another schema) holds a snapshot older than the rows, so it is tried again for a while."""
    for _ in range(100):
        conn.exec_driver_sql("VACUUM ANALYZE nodes")
        visible, pages = conn.exec_driver_sql(
            "SELECT relallvisible, relpages FROM pg_class WHERE oid = 'nodes'::regclass"
        ).one()
        if visible >= pages:
            return
        time.sleep(0.1)
    raise AssertionError(f"VACUUM left {pages - visible} of {pages} pages not all-visible")


@pytest.mark.parametrize("revision", ["head", "0003"])
def test_the_postgresql_node_statement_reads_from_nodes_by_leaf_where_it_is(
    us: Party, postgres_engine: sa.Engine, revision: str
) -> None:
    """On a vacuumed tree of some size the server serves the node statement from
    ``nodes_by_leaf`` alone; in a database not yet migrated to it, from the primary key; either
    way one row per key, in order."""
    engine = postgres_engine
    store = LogStore.create(engine, us.keys)
    if revision != "head":
        downgrade(engine, revision)
    tree = merkle.CompactRange()
    rows = [
        {"log_id": store.log_id, "level": node.level, "index": node.index, "hash": node.hash}
        for i in range(1 << 14)
        for node in tree.append(merkle.leaf_hash(i.to_bytes(4, "big")))
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(NodeRow), rows)
    keys = [(2, 2251), (0, 1 << 14), (0, 9001), (1, 4501)]  # (0, 16384): not stored
    levels, indexes = node_reader._pg_keys(keys)
    sql = node_reader._PG_NODES % (f"'{levels}'", f"'{indexes}'", store.log_id)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        _vacuum_until_all_visible(conn)
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}"))
        found = conn.exec_driver_sql(sql).all()
    if revision == "head":
        assert "Index Only Scan using nodes_by_leaf" in plan
    else:
        assert "using nodes_pkey" in plan
    expected = {(r["level"], r["index"]): r["hash"] for r in rows}
    # one row per key, in the keys' order; NULL where no node is stored
    assert [None if h is None else bytes(h) for (h,) in found] == [expected.get(k) for k in keys]
