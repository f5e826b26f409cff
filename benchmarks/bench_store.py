"""Benchmark: the log store's appends per second and proof latency, SQLite and PostgreSQL.

Appends: pre-signed notification entries (signing is not timed), appended with full verification
(:func:`~glasnost.exchange.entries.verify_entry`: canonical JSON, Ed25519 signature, schema) in
batches of ``--batch`` entries per transaction. Baseline, in the same run: one entry per
transaction (every commit is durable: SQLite WAL with ``synchronous=FULL``). Each run is given
per wall-clock second, per CPU second of the appending process, and per CPU second of it and
its worker processes together (their CPU read from ``/proc``): the measure of all the work,
which a loaded machine does not distort as it does the wall clock.

Proof latency at a large size: appending a million real signed entries takes minutes, so the
tree is built directly: ``--proof-size`` synthetic leaf hashes go through
:class:`~glasnost.exchange.merkle.CompactRange`, and every node it reports is inserted into the
``nodes`` table, with one placeholder row in ``entries`` at the last seq (the store reads its
size from the last entry). Proofs then come from the stored nodes exactly as for a real log, and
each one is checked with :func:`~glasnost.exchange.merkle.verify_inclusion` /
:func:`~glasnost.exchange.merkle.verify_consistency` against the stored root. On PostgreSQL it
also times a lone ``SELECT 1`` on a driver connection: the round trip, the floor under any
proof that needs a node from the server.

PostgreSQL runs when ``GLASNOST_TEST_POSTGRES_URL`` is set (in a scratch schema, dropped after).

Run:  .venv/bin/python benchmarks/bench_store.py [--entries 10000] [--batch 1000]
      [--single 300] [--proof-size 1000000] [--proofs 1000] [--fresh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from baseline_tree import LEDGER_BASELINE, measure_both
from glasnost.exchange import merkle
from glasnost.exchange.entries import SignedEntry, sign_entry
from glasnost.exchange.keys import Administration, PartyKeys, PrivateKey
from glasnost.exchange.store import EntryRow, LogStore, NodeRow, make_engine, migrate
from glasnost.treaty.bodies import NotificationEntry

try:  # this tree's fast paths; a baseline tree has neither
    from glasnost.exchange import signatures
    from glasnost.exchange.store import node_cache
except ImportError:
    signatures = None  # type: ignore[assignment]
    node_cache = None  # type: ignore[assignment]

START = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def party(name: str) -> tuple[PartyKeys, PrivateKey]:
    """A party with a key derived from its name: the same entries in every run and tree."""
    key = PrivateKey.from_seed(hashlib.sha256(f"bench {name}".encode()).digest())
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


def workers_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's live child processes (the
    verification workers), from ``/proc`` (0 where there is none)."""
    total = 0.0
    for child in multiprocessing.active_children():
        try:
            stat = Path(f"/proc/{child.pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def append_rate(
    engine: sa.Engine, keys: PartyKeys, entries: list[SignedEntry], batch: int
) -> tuple[float, float, float]:
    """Entries per second appended to a new log of ``keys`` in batches of ``batch``: per second
    of wall-clock time, per CPU second of this process (the fair measure on a loaded machine,
    for work done in this process) and per CPU second of this process and its workers (the
    fair measure of all the work); the log is verified afterwards (not timed)."""
    store = LogStore.create(engine, keys)
    t0, c0, w0 = time.perf_counter(), time.process_time(), workers_cpu()
    for start in range(0, len(entries), batch):
        store.append(entries[start : start + batch])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    workers = workers_cpu() - w0
    assert store.verify().ok
    return len(entries) / wall, len(entries) / cpu, len(entries) / (cpu + workers)


def bench_appends(engine: sa.Engine, args: argparse.Namespace) -> dict[str, float]:
    """Entries/s: batched appends with the signatures verified in this process (wall clock and
    CPU), then (in a tree that has them) by worker processes on all cores (wall clock: the
    workers' CPU is not this process's); one entry per transaction."""
    figures: dict[str, float] = {}
    runs: dict[str, int | None] = {"appends_1_process": 1}
    if signatures is not None:
        runs["appends_all_cores"] = None
    for name, processes in runs.items():
        keys, key = party(f"A-{name}")
        entries = signed_entries(keys, key, args.entries)
        if signatures is not None:
            signatures.set_processes(processes)
            t0 = time.perf_counter()
            signatures.start()
            if processes is None:
                figures["workers_start_s"] = time.perf_counter() - t0
        figures[name], figures[f"{name}_cpu"], figures[f"{name}_cpu_all"] = append_rate(
            engine, keys, entries, args.batch
        )
    keys1, key1 = party("B")
    figures["appends_1_per_transaction"], _, _ = append_rate(
        engine, keys1, signed_entries(keys1, key1, args.single), 1
    )
    return figures


def build_large_tree(engine: sa.Engine, size: int, tag: str, fresh: bool = False) -> LogStore:
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
        # a store that has lived has been through autovacuum: table statistics (a bulk-loaded
        # one has none, and the first plans would time the planner's guesses) and, for a
        # table that only grows, a vacuum that marks its pages all-visible (index-only scans
        # read no table page there); --fresh leaves the vacuum out
        vacuum = "ANALYZE" if fresh else "VACUUM (ANALYZE)"
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"{vacuum} nodes")
            conn.exec_driver_sql(f"{vacuum} entries")
    assert store.root() == tree.root()
    return store


def bench_proofs(store: LogStore, n: int) -> tuple[dict[str, list[float]], str]:
    """Seconds per inclusion and per consistency proof (``n`` of each at random positions, the
    node cache cold at the start), wall clock and CPU of this process, and a digest of every
    proof (the same in every tree)."""
    if node_cache is not None:
        node_cache.clear()
    size = store.size()
    root = store.root()
    rng = random.Random(1)
    times: dict[str, list[float]] = {
        f"{kind}_{clock}": [] for kind in ("inclusion", "consistency") for clock in ("wall", "cpu")
    }
    digest = hashlib.sha256()
    for _ in range(n):
        index = rng.randrange(size)
        t0, c0 = time.perf_counter(), time.process_time()
        proof = store.inclusion_proof(index, size)
        times["inclusion_wall"].append(time.perf_counter() - t0)
        times["inclusion_cpu"].append(time.process_time() - c0)
        leaf = hashlib.sha256(b"\x00" + index.to_bytes(8, "big")).digest()  # as built
        assert merkle.verify_inclusion(leaf, index, size, proof, root)
        digest.update(b"".join(proof))
    for _ in range(n):
        old = rng.randrange(1, size)
        old_root = store.root(old)
        t0, c0 = time.perf_counter(), time.process_time()
        proof = store.consistency_proof(old, size)
        times["consistency_wall"].append(time.perf_counter() - t0)
        times["consistency_cpu"].append(time.process_time() - c0)
        assert merkle.verify_consistency(old, size, old_root, root, proof)
        digest.update(b"".join(proof))
    return times, digest.hexdigest()[:16]


def round_trips(engine: sa.Engine, n: int) -> list[float]:
    """Seconds of ``n`` lone ``SELECT 1`` on one driver connection (the driver prepares it
    after a few uses): the least a statement costs, whatever it asks (PostgreSQL: the round
    trip to the server)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            times.append(time.perf_counter() - t0)
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return times


def quantile_ms(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1e3


def measure(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Every figure, per database, for the ``glasnost`` on ``sys.path``."""
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, databases(Path(tmp)) as dbs:
        for n, (label, engine) in enumerate(dbs):
            figures: dict[str, Any] = dict(bench_appends(engine, args))
            t0 = time.perf_counter()
            store = build_large_tree(engine, args.proof_size, str(n), args.fresh)
            figures["tree_build_s"] = time.perf_counter() - t0
            times, digest = bench_proofs(store, args.proofs)
            for name, values in times.items():
                figures[f"{name}_median_ms"] = quantile_ms(values, 50)
                figures[f"{name}_p99_ms"] = quantile_ms(values, 99)
            figures["proofs_digest"] = digest
            if engine.dialect.name == "postgresql":
                figures["round_trip_median_ms"] = quantile_ms(round_trips(engine, args.proofs), 50)
            out[label] = figures
    return out


ROWS = (
    ("appends_1_process_cpu", "appends, {batch}/transaction, 1 process, per CPU s", "/s", 1),
    ("appends_1_process", "  the same, per wall-clock s", "/s", 1),
    ("appends_all_cores", "  signatures on all cores, per wall-clock s", "/s", 1),
    ("appends_all_cores_cpu", "  the same, per CPU s of the appending process", "/s", 1),
    ("appends_all_cores_cpu_all", "  the same, per CPU s of it and its workers", "/s", 1),
    ("appends_1_per_transaction", "appends, 1/transaction, per wall-clock s", "/s", 1),
    ("inclusion_cpu_median_ms", "inclusion proof at {size}, median CPU", " ms", -1),
    ("inclusion_wall_median_ms", "  median wall clock", " ms", -1),
    ("inclusion_wall_p99_ms", "  p99 wall clock", " ms", -1),
    ("consistency_cpu_median_ms", "consistency proof at {size}, median CPU", " ms", -1),
    ("consistency_wall_median_ms", "  median wall clock", " ms", -1),
    ("consistency_wall_p99_ms", "  p99 wall clock", " ms", -1),
    ("round_trip_median_ms", "round trip: SELECT 1 on the driver, median", " ms", -1),
)


def report(old: dict[str, Any], new: dict[str, Any], args: argparse.Namespace) -> None:
    """The two trees side by side, with the ratio (the speed-up) and the goals of issue 13."""
    for label, now in new.items():
        before = old.get(label, {})
        print(f"== {label} (baseline: the tree at {args.baseline}; now: this tree)")
        for key, text, unit, sense in ROWS:
            if key not in now:
                continue
            name = text.format(batch=args.batch, size=f"{args.proof_size:,}")
            base = before.get(key, before.get(key.replace("all_cores", "1_process")))
            line = f"{name:<46} now {now[key]:>9,.2f}{unit:<3}"
            if base is not None:
                ratio = now[key] / base if sense > 0 else base / now[key]
                line += f" baseline {base:>9,.2f}{unit:<3} x{ratio:.2f}"
            print(line)
        if "workers_start_s" in now:
            print(f"(workers started in {now['workers_start_s']:.1f} s before timing, once)")
        same = before.get("proofs_digest") == now["proofs_digest"]
        print(f"proofs identical in both trees: {'yes' if same else 'NO'} ({now['proofs_digest']})")
        best = max(now.get("appends_all_cores", 0.0), now["appends_1_process"])
        cpu = now["appends_1_process_cpu"]
        wall = max(now["inclusion_wall_median_ms"], now["consistency_wall_median_ms"])
        print(
            f"goal appends >= 5,000/s: {'met' if best >= 5000 else 'NOT met'} (wall clock "
            f"{best:,.0f}/s; per CPU second of one process {cpu:,.0f}/s)"
        )
        print(f"goal proofs < 0.2 ms median: {'met' if wall < 0.2 else 'NOT met'} ({wall:.2f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--proof-size", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1_000)
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="PostgreSQL: prove the large tree before any vacuum (statistics only)",
    )
    parser.add_argument("--baseline", default=LEDGER_BASELINE, help="git revision of the baseline")
    parser.add_argument("--json", action="store_true", help="measure this tree only, as JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args)))
        return
    passed = [
        f"--entries={args.entries}",
        f"--batch={args.batch}",
        f"--single={args.single}",
        f"--proof-size={args.proof_size}",
        f"--proofs={args.proofs}",
        *(["--fresh"] if args.fresh else []),
    ]
    old, new = measure_both(Path(__file__), passed, args.baseline)
    report(old, new, args)


if __name__ == "__main__":
    main()
