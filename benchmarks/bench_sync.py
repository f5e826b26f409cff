"""Benchmark: a full sync of N entries between two nodes over real HTTP on loopback.

The US node (SQLite in a temporary folder) holds N signed notification entries (signed before
timing, appended with :meth:`LogStore.append` in batches of 10,000) and a checkpoint; it is
served by ``glasnost serve`` in a subprocess (so the server and the client do not share one
interpreter lock) with ``--sync-interval 0``. A fresh RU node follows US; the timed part is
:func:`~glasnost.service.sync.sync_once` from RU: the checkpoint, N entries in pages of 1,000
(each page fetched, decoded, verified and stored in one transaction), the cosignature of the
checkpoint and its return to US. Besides the wall clock, it reads (Linux ``/proc``) the CPU
seconds that each side used during the sync: the client process, the client's worker
processes (signatures) and the serving node's process (with any children), so that the
report says where the wall-clock time went. This tree's client verifies signatures on all cores (its
worker processes started before timing) and fetches the next page while it verifies one.

Baseline, in the same command: the same sync (same keys, same entries) run on the package as it
was before issue 13's ledger changes (``--baseline``, a git revision: ``git archive`` of its
``src``, see ``baseline_tree.py``), client and served node alike. Printed: both times (wall
clock, and the client's CPU), the ratio, whether both mirrors end with the same root, and the
goal (100,000 entries in under 30 s, estimated from the wall clock when ``--n`` is smaller).
``--profile`` runs the sync under cProfile (client side) and prints where the time goes.

Run:  .venv/bin/python benchmarks/bench_sync.py [--n 100000] [--page 1000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from baseline_tree import LEDGER_BASELINE, measure_both
from bench_store import party, signatures, signed_entries
from glasnost.exchange.entries import SignedEntry
from glasnost.exchange.keys import (
    PartyKeys,
    PrivateKey,
    write_private_key,
)
from glasnost.exchange.node import Node
from glasnost.exchange.store import LogStore
from glasnost.service.sync import SyncReport, sync_once

GOAL_ENTRIES = 100_000
GOAL_S = 30.0
"""The goal (issue 13): a full sync of 100,000 entries in under 30 s."""

SERVER_START_S = 30.0


def append_batches(store: LogStore, entries: Sequence[SignedEntry], batch: int) -> float:
    """Append ``entries`` in batches of ``batch``; returns the seconds it took."""
    t0 = time.perf_counter()
    for start in range(0, len(entries), batch):
        store.append(entries[start : start + batch])
    return time.perf_counter() - t0


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def glasnost_command() -> list[str]:
    """The ``glasnost`` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("glasnost")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from glasnost.cli import main; sys.exit(main())"]


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (state first); None where the
    process is gone or there is no ``/proc`` (not Linux)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (``/proc``); None if unknown."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (``/proc``; none where there is no ``/proc``)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat_fields(int(stat.parent.name))
        if fields is not None and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def tree_cpu_s(pids: Sequence[int]) -> dict[int, float]:
    """CPU seconds of each of ``pids`` and of their descendants, by pid."""
    cpu: dict[int, float] = {}
    pending = list(pids)
    while pending:
        pid = pending.pop()
        seconds = process_cpu_s(pid)
        if seconds is not None and pid not in cpu:
            cpu[pid] = seconds
            pending.extend(children(pid))
    return cpu


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the processes used between two :func:`tree_cpu_s` snapshots (a process
    started in between counts from zero; one that ended in between is lost)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


@contextmanager
def served(db: Path, key_file: Path, log_file: Path) -> Iterator[tuple[str, int]]:
    """``glasnost serve`` of the node in ``db`` in a subprocess until the block ends; yields
    its base URL once ``/v1/health`` answers, and its process id."""
    port = free_port()
    command = [
        *glasnost_command(),
        "serve",
        "--db",
        str(db),
        "--key",
        str(key_file),
        "--port",
        str(port),
        "--sync-interval",
        "0",
    ]
    url = f"http://127.0.0.1:{port}"
    with open(log_file, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_S
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"glasnost serve exited with {process.returncode}: "
                        f"{log_file.read_text(errors='replace')}"
                    )
                try:
                    if httpx.get(f"{url}/v1/health", timeout=1.0).is_success:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"glasnost serve: no answer on {url} after 30 s")
                time.sleep(0.1)
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def make_node(
    folder: Path, keys: PartyKeys, key: PrivateKey, follows: Sequence[PartyKeys]
) -> tuple[Node, Path, Path]:
    """A node of ``keys.party`` in ``folder`` following ``follows``; its database and key
    file."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "node.db"
    key_file = write_private_key(folder / "key.pem", key)
    node = Node.init(str(db), keys, key)
    for peer in follows:
        node.follow(peer)
    return node, db, key_file


def profile_sync(node: Node, url: str, page: int) -> tuple[SyncReport, float, str]:
    """:func:`sync_once` under cProfile: its report, its time, and the profile as text."""
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    report = profiler.runcall(sync_once, node, url, page=page)
    seconds = time.perf_counter() - t0
    return report, seconds, summarize_profile(profiler, seconds)


PROFILE_PARTS: tuple[tuple[str, str, str], ...] = (
    ("sync.py", "entries", "fetch pages: GET /v1/entries, decode (HttpPeer.entries)"),
    ("httpx/_client.py", "send", "  of which HTTP round trips (server time included)"),
    ("httpx/_models.py", "json", "  of which JSON decoding of the pages"),
    ("exchange/entries.py", "from_json", "  of which SignedEntry.from_json"),
    ("store/entries.py", "append", "verify and store pages (LogStore.append)"),
    ("entries.py", "verify_entry", "  of which verify_entry (canonical JSON, Ed25519, schema)"),
    ("canonical.py", "canonical_json", "    of which RFC 8785 canonical form (rfc8785)"),
    ("canonical.py", "loads_canonical", "    of which parse and canonical check (once per entry)"),
    ("keys.py", "verify", "    of which Ed25519 verification"),
    ("exchange/entries.py", "parse_entry", "    of which envelope and body schema (pydantic)"),
    ("merkle.py", "append", "  of which Merkle tree (CompactRange.append)"),
    ("sqlalchemy/engine/base.py", "_execute_context", "  of which SQL statements"),
    ("store/nodes.py", "root", "root at the checkpoint's size (LogStore.root)"),
    ("node.py", "cosign", "cosign the checkpoint (Node.cosign)"),
)


def summarize_profile(profiler: cProfile.Profile, seconds: float) -> str:
    """Where the sync's time goes: named parts (cumulative) and the top functions."""
    stats = pstats.Stats(profiler)
    table = stats.stats  # type: ignore[attr-defined]
    lines = [f"client-side profile of the sync ({seconds:.1f} s, under cProfile):"]
    for suffix, name, label in PROFILE_PARTS:
        cumulative = sum(
            value[3]
            for (filename, _, function), value in table.items()
            if function == name and filename.replace(os.sep, "/").endswith(suffix)
        )
        lines.append(f"  {label:<62} {cumulative:7.2f} s  {cumulative / seconds:6.1%}")
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
    lines.append("top functions by own time:")
    lines.extend("  " + line for line in text.getvalue().splitlines() if line.strip())
    return "\n".join(lines)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """One full sync of ``args.n`` entries with the ``glasnost`` on ``sys.path`` (client and
    served node alike): its wall-clock and client CPU seconds and the mirror's root."""
    us_keys, us_key = party("US")
    ru_keys, ru_key = party("RU")
    entries = signed_entries(us_keys, us_key, args.n)
    if signatures is not None:  # this tree: the client verifies signatures on all cores
        signatures.set_processes(None)
        signatures.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        us, us_db, us_key_file = make_node(tmp / "us", us_keys, us_key, [ru_keys])
        built = append_batches(us.own, entries, 10_000)
        us.checkpoint()
        us.engine.dispose()
        ru, _, _ = make_node(tmp / "ru", ru_keys, ru_key, [us_keys])
        with served(us_db, us_key_file, tmp / "serve.log") as (url, server):
            workers = [pid for pid in children(os.getpid()) if pid != server]
            server_before, workers_before = tree_cpu_s([server]), tree_cpu_s(workers)
            if args.profile:
                report, synced, profile = profile_sync(ru, url, args.page)
                cpu = synced
            else:
                t0, c0 = time.perf_counter(), time.process_time()
                report = sync_once(ru, url, page=args.page)
                synced, cpu = time.perf_counter() - t0, time.process_time() - c0
                profile = ""
            workers = [pid for pid in children(os.getpid()) if pid != server]
            server_cpu = cpu_between(server_before, tree_cpu_s([server]))
            workers_cpu = cpu_between(workers_before, tree_cpu_s(workers))
        mirror = ru.log("US")
        assert report.pulled == args.n, report
        assert report.cosigned_size == args.n, report
        assert mirror.size() == args.n
        root = mirror.root(args.n)
        assert root == LogStore.open(us.engine, us_keys.key_name).root(args.n)
        ru.engine.dispose()
        us.engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "n": args.n,
        "built_s": built,
        "sync_s": synced,
        "client_cpu_s": cpu,
        "server_cpu_s": server_cpu,
        "workers_cpu_s": workers_cpu,
        "root": root.hex()[:16],
        "profile": profile,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=GOAL_ENTRIES, help="entries to sync")
    parser.add_argument("--page", type=int, default=1_000, help="entries per request")
    parser.add_argument("--profile", action="store_true", help="profile the sync (client side)")
    parser.add_argument("--baseline", default=LEDGER_BASELINE, help="git revision of the baseline")
    parser.add_argument("--json", action="store_true", help="measure this tree only, as JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args)))
        return
    passed = [f"--n={args.n}", f"--page={args.page}", *(["--profile"] if args.profile else [])]
    old, new = measure_both(Path(__file__), passed, args.baseline)
    for name, run in (("baseline: the tree at " + args.baseline, old), ("this tree", new)):
        print(
            f"{name:<32} sync {run['sync_s']:7.2f} s ({args.n / run['sync_s']:,.0f} entries/s), "
            f"client process CPU {run['client_cpu_s']:6.2f} s (workers not counted); "
            f"serving node built in {run['built_s']:.1f} s"
        )
    for name, run in (("baseline", old), ("this tree", new)):
        total = run["client_cpu_s"] + run["workers_cpu_s"] + run["server_cpu_s"]
        print(
            f"{name:<10} where the {run['sync_s']:.2f} s of wall clock went, in CPU s: "
            f"client process {run['client_cpu_s']:.2f}, client's workers "
            f"{run['workers_cpu_s']:.2f}, serving node {run['server_cpu_s']:.2f} "
            f"(total {total:.2f}; {os.cpu_count()} cores: {total / run['sync_s']:.2f} "
            "cores busy on average)"
        )
    print(
        f"ratio baseline / this tree: x{old['sync_s'] / new['sync_s']:.2f} wall clock, "
        f"x{old['client_cpu_s'] / new['client_cpu_s']:.2f} client process CPU"
    )
    same = old["root"] == new["root"]
    print(f"mirrors identical in both trees (same root): {'yes' if same else 'NO'} ({new['root']})")
    if args.profile:
        print("goal: not judged (the sync ran under cProfile; rerun without --profile)")
        print(new["profile"])
        return
    estimate = new["sync_s"] * GOAL_ENTRIES / args.n
    met = "met" if estimate < GOAL_S else "NOT met"
    scaled = "" if args.n == GOAL_ENTRIES else f" (scaled from {args.n:,}: {estimate:.1f} s)"
    print(f"goal: {GOAL_ENTRIES:,} entries in < {GOAL_S:.0f} s: {met}{scaled}")


if __name__ == "__main__":
    main()
