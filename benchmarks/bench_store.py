"""Benchmark: the log store's appends per second and proof latency, SQLite and PostgreSQL.

Appends: pre-signed notification entries (signing is not timed), appended with full verification
(:func:`~glasnost.exchange.entries.verify_entry`: canonical JSON, Ed25519 signature, schema) in
batches of ``--batch`` entries per transaction. Baseline, in the same run: one entry per
transaction (every commit is durable: SQLite WAL with ``synchronous=FULL``).

Proof latency at a large size: appending a million real signed entries takes minutes, so the
tree is built directly: ``--proof-size`` synthetic leaf hashes go through
:class:`~glasnost.exchange.merkle.CompactRange`, and every node it reports is inserted into the
``nodes`` table, with one placeholder row in ``entries`` at the last seq (the store reads its
size from the last entry). Proofs then come from the stored nodes exactly as for a real log, and
each one is checked with :func:`~glasnost.exchange.merkle.verify_inclusion` /
:func:`~glasnost.exchange.merkle.verify_consistency` against the stored root.

PostgreSQL runs when ``GLASNOST_TEST_POSTGRES_URL`` is set (in a scratch schema, dropped after).

Run:  .venv/bin/python benchmarks/bench_store.py [--entries 10000] [--batch 1000]
      [--single 300] [--proof-size 1000000] [--proofs 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from glasnost.exchange import merkle
from glasnost.exchange.entries import SignedEntry, sign_entry
from glasnost.exchange.keys import Administration, PartyKeys, PrivateKey, generate_key
from glasnost.exchange.store import EntryRow, LogStore, NodeRow, make_engine, migrate
from glasnost.treaty.bodies import NotificationEntry

START = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def party(name: str) -> tuple[PartyKeys, PrivateKey]:
    key = generate_key()
    adm = Administration(
        party=name,
        id=f"{name.lower()}-1",
        name=f"{name} administration",
        public_key=key.public_key.to_base64(),
        valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    return PartyKeys(party=name, key_name=f"bench.example/{name}", administrations=(adm,)), key


def signed_entries(keys: PartyKeys, key: PrivateKey, n: int) -> list[SignedEntry]:
    kid = keys.key_id(keys.administrations[0])
    out = []
    for seq in range(n):
        envelope = NotificationEntry.model_validate(
            {
                "party": keys.party,
                "seq": seq,
                "created_at": START + dt.timedelta(seconds=seq),
                "body": {
                    "event_type": "interceptor_test",
                    "phase": "pre_event",
                    "window_start": "2025-04-01T00:00:00Z",
                    "window_end": "2025-04-03T00:00:00Z",
                    "site_ids": ["vandenberg"],
                    "details": f"flight test {seq} of one GBI from Vandenberg",
                },
            }
        )
        out.append(sign_entry(envelope, key, kid))
    return out


@contextmanager
def databases(tmp: Path) -> Iterator[Iterator[tuple[str, sa.Engine]]]:
    """(label, fresh migrated engine) for SQLite and, when configured, PostgreSQL."""
    cleanup: list[tuple[sa.Engine, str]] = []
    engines: list[sa.Engine] = []

    def gen() -> Iterator[tuple[str, sa.Engine]]:
        path = tmp / f"bench-{secrets.token_hex(4)}.db"
        eng = make_engine(path)
        engines.append(eng)
        migrate(eng)
        yield "SQLite (WAL, synchronous=FULL)", eng
        url = os.environ.get("GLASNOST_TEST_POSTGRES_URL")
        if url:
            schema = f"bench_{secrets.token_hex(4)}"
            admin = make_engine(url)
            with admin.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            cleanup.append((admin, schema))
            scoped = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
            eng = make_engine(scoped.render_as_string(hide_password=False))
            engines.append(eng)
            migrate(eng)
            yield "PostgreSQL", eng

    try:
        yield gen()
    finally:
        for eng in engines:
            eng.dispose()
        for admin, schema in cleanup:
            with admin.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
            admin.dispose()


def bench_appends(engine: sa.Engine, args: argparse.Namespace, tag: str) -> tuple[float, float]:
    keys, key = party(f"A{tag}")
    entries = signed_entries(keys, key, args.entries)
    store = LogStore.create(engine, keys)
    t0 = time.perf_counter()
    for start in range(0, args.entries, args.batch):
        store.append(entries[start : start + args.batch])
    batched = args.entries / (time.perf_counter() - t0)

    keys1, key1 = party(f"B{tag}")
    single = signed_entries(keys1, key1, args.single)
    store1 = LogStore.create(engine, keys1)
    t0 = time.perf_counter()
    for signed in single:
        store1.append([signed])
    one = args.single / (time.perf_counter() - t0)
    assert store.verify().ok
    assert store1.verify().ok
    return batched, one


def build_large_tree(engine: sa.Engine, size: int, tag: str) -> LogStore:
    keys, _ = party(f"P{tag}")
    store = LogStore.create(engine, keys)
    tree = merkle.CompactRange()
    rows: list[dict[str, object]] = []
    with engine.begin() as conn:
        for i in range(size):
            leaf = hashlib.sha256(b"\x00" + i.to_bytes(8, "big")).digest()
            for node in tree.append(leaf):
                rows.append(
                    {
                        "log_id": store.log_id,
                        "level": node.level,
                        "index": node.index,
                        "hash": node.hash,
                    }
                )
            if len(rows) >= 50_000:
                conn.execute(sa.insert(NodeRow), rows)
                rows.clear()
        if rows:
            conn.execute(sa.insert(NodeRow), rows)
        conn.execute(
            sa.insert(EntryRow),
            {
                "log_id": store.log_id,
                "seq": size - 1,
                "entry": b"placeholder",
                "signature": bytes(64),
                "key_id": "00000000",
                "leaf_hash": bytes(32),
                "created_at": "2025-03-01T12:00:00Z",
                "received_at": START,
            },
        )
    if engine.dialect.name == "postgresql":
        # a store that has lived has table statistics (autovacuum); a bulk-loaded one has
        # none until autovacuum runs, and the first plans would time the planner's guesses
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE nodes")
            conn.exec_driver_sql("ANALYZE entries")
    assert store.root() == tree.root()
    return store


def bench_proofs(store: LogStore, n: int) -> tuple[list[float], list[float]]:
    size = store.size()
    root = store.root()
    rng = random.Random(1)
    inclusion, consistency = [], []
    for _ in range(n):
        index = rng.randrange(size)
        t0 = time.perf_counter()
        proof = store.inclusion_proof(index, size)
        inclusion.append(time.perf_counter() - t0)
        leaf = hashlib.sha256(b"\x00" + index.to_bytes(8, "big")).digest()  # as built
        assert merkle.verify_inclusion(leaf, index, size, proof, root)
    for _ in range(n):
        old = rng.randrange(1, size)
        old_root = store.root(old)
        t0 = time.perf_counter()
        proof = store.consistency_proof(old, size)
        consistency.append(time.perf_counter() - t0)
        assert merkle.verify_consistency(old, size, old_root, root, proof)
    return inclusion, consistency


def ms(values: list[float], q: float) -> str:
    return f"{statistics.quantiles(values, n=100)[int(q) - 1] * 1e3:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--proof-size", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, databases(Path(tmp)) as dbs:
        for n, (label, engine) in enumerate(dbs):
            print(f"== {label}")
            batched, one = bench_appends(engine, args, str(n))
            print(
                f"appends, verified, {args.batch}/transaction: {batched:,.0f} entries/s "
                f"({args.entries:,} entries)"
            )
            print(
                f"baseline, 1/transaction:               {one:,.0f} entries/s "
                f"({args.single:,} entries); batching x{batched / one:,.1f}"
            )
            t0 = time.perf_counter()
            store = build_large_tree(engine, args.proof_size, str(n))
            print(
                f"tree of {args.proof_size:,} synthetic leaves built in "
                f"{time.perf_counter() - t0:.1f} s (nodes inserted directly)"
            )
            inclusion, consistency = bench_proofs(store, args.proofs)
            for name, values in (("inclusion", inclusion), ("consistency", consistency)):
                print(
                    f"{name} proof at size {args.proof_size:,}: median {ms(values, 50)}, "
                    f"p99 {ms(values, 99)} ({args.proofs} proofs, each verified)"
                )


if __name__ == "__main__":
    main()
