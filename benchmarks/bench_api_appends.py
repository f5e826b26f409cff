"""Benchmark: sustained appends through the node's API with concurrent clients.

The US node (SQLite in a temporary folder, empty log) is served by ``glasnost serve`` in a
subprocess. ``--clients`` threads each POST signed notification entries to ``/v1/entries``
for ``--seconds`` seconds, every request signed (``glasnost-request/v1``) as US. An entry
names its position (``seq``), so the clients share a counter: each takes the next seq under a
lock (with a ``created_at`` that never decreases along the log), signs the entry and sends
it; when an entry with a later seq overtakes an earlier one in flight, the node answers 409
and the client sends the same entry again (after 2 ms, doubling to 50 ms) until the earlier
ones are in. After the time is up every client finishes the entry it holds, so the log has
no gap.

Printed: appends/s, the latency of an append (first send to 201, retries included) at p50 and
p99, the number of 409 retries (and 429s, if the node's rate limit refused any). Baseline, in
the same run: :meth:`LogStore.append` of single entries in a loop on a fresh node, in process
(no HTTP, no authentication), for the same time; and the ratio.

Run:  .venv/bin/python benchmarks/bench_api_appends.py [--clients 4] [--seconds 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench_sync import make_node, party, served
from glasnost.exchange.entries import SignedEntry, sign_entry
from glasnost.exchange.keys import PartyKeys, PrivateKey
from glasnost.exchange.store import LogStore
from glasnost.service.auth import RequestSigner
from glasnost.treaty.bodies import NotificationEntry

RETRY_LIMIT_S = 60.0
"""Longest a client keeps resending one entry (it only waits for earlier seqs in flight)."""

BACKOFF_S = 0.002
BACKOFF_MAX_S = 0.05
"""Wait before resending an entry refused with 409, doubling up to the maximum."""


def build_entry(
    keys: PartyKeys, key: PrivateKey, key_id: str, seq: int, created_at: dt.datetime
) -> SignedEntry:
    """Signed notification ``seq`` of ``keys.party``'s log, created at ``created_at``."""
    envelope = NotificationEntry.model_validate(
        {
            "party": keys.party,
            "seq": seq,
            "created_at": created_at,
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
    return sign_entry(envelope, key, key_id)


class Sequencer:
    """The clients' shared counter: the next seq, and a ``created_at`` that never decreases."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0
        self._last = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    def take(self) -> tuple[int, dt.datetime]:
        with self._lock:
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            self._last = max(self._last, now)
            seq = self._next
            self._next += 1
            return seq, self._last

    @property
    def taken(self) -> int:
        return self._next


@dataclass
class ClientStats:
    """What one client thread saw."""

    accepted: int = 0
    conflicts: int = 0
    limited: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def client(
    url: str,
    keys: PartyKeys,
    key: PrivateKey,
    sequencer: Sequencer,
    stop_at: float,
    stats: ClientStats,
) -> None:
    """POST entries until ``stop_at`` (then finish the one in hand); fill ``stats``."""
    key_id = keys.key_id(keys.administrations[0])
    with httpx.Client(
        base_url=url,
        auth=RequestSigner.for_keys(keys, key, audience=keys.key_name),
        timeout=RETRY_LIMIT_S,
    ) as http:
        while time.perf_counter() < stop_at:
            seq, created_at = sequencer.take()
            body = build_entry(keys, key, key_id, seq, created_at).to_json()
            first = time.perf_counter()
            backoff = BACKOFF_S
            while True:
                response = http.post("/v1/entries", json=body)
                if response.status_code == 201:
                    stats.accepted += 1
                    stats.latencies.append(time.perf_counter() - first)
                    break
                if response.status_code == 409:
                    stats.conflicts += 1  # an earlier seq is still in flight
                    time.sleep(backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX_S)
                elif response.status_code == 429:
                    stats.limited += 1
                    time.sleep(float(response.headers.get("retry-after", "1")))
                else:
                    stats.errors.append(f"seq {seq}: {response.status_code} {response.text}")
                    return
                if time.perf_counter() - first > RETRY_LIMIT_S:
                    stats.errors.append(f"seq {seq}: not accepted after {RETRY_LIMIT_S:.0f} s")
                    return


def bench_api(folder: Path, clients: int, seconds: float) -> tuple[float, list[ClientStats], int]:
    """Appends through the API: (elapsed seconds, per-client stats, final log size)."""
    keys, key = party("US")
    node, db, key_file = make_node(folder, keys, key, [])
    node.engine.dispose()
    sequencer = Sequencer()
    stats = [ClientStats() for _ in range(clients)]
    with served(db, key_file, folder / "serve.log") as url:
        start = time.perf_counter()
        threads = [
            threading.Thread(
                target=client,
                args=(url, keys, key, sequencer, start + seconds, stats[n]),
                name=f"client-{n}",
            )
            for n in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
    store = LogStore.open(node.engine, keys.key_name)
    size = store.size()
    report = store.verify()
    if not report.ok:
        raise AssertionError(f"the log does not verify: {report}")
    node.engine.dispose()
    return elapsed, stats, size


def bench_direct(folder: Path, seconds: float) -> tuple[int, float]:
    """Single-entry appends to a fresh node's log in process, for ``seconds`` of append time
    (building and signing the entries is not counted): (appends, seconds)."""
    keys, key = party("US")
    node, _, _ = make_node(folder, keys, key, [])
    key_id = keys.key_id(keys.administrations[0])
    spent = 0.0
    seq = 0
    while spent < seconds:
        signed = build_entry(keys, key, key_id, seq, dt.datetime.now(dt.UTC).replace(microsecond=0))
        t0 = time.perf_counter()
        node.own.append([signed])
        spent += time.perf_counter() - t0
        seq += 1
    node.engine.dispose()
    return seq, spent


def ms(values: list[float], q: int) -> float:
    """The ``q``-th percentile of ``values`` (seconds), in milliseconds."""
    if len(values) < 2:
        return values[0] * 1e3 if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each run lasts")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    try:
        elapsed, stats, size = bench_api(tmp / "api", args.clients, args.seconds)
        errors = [e for s in stats for e in s.errors]
        if errors:
            raise SystemExit("client errors:\n" + "\n".join(errors[:10]))
        accepted = sum(s.accepted for s in stats)
        latencies = [v for s in stats for v in s.latencies]
        if accepted != size:
            raise SystemExit(f"{accepted} appends acknowledged, the log holds {size}")
        rate = accepted / elapsed
        print(
            f"API, {args.clients} clients, {elapsed:.1f} s (glasnost serve in a subprocess): "
            f"{accepted:,} appends, {rate:,.0f} appends/s"
        )
        print(
            f"  latency of an append (retries included): p50 {ms(latencies, 50):.1f} ms, "
            f"p99 {ms(latencies, 99):.1f} ms"
        )
        print(
            f"  409 retries (a later seq overtook an earlier one): "
            f"{sum(s.conflicts for s in stats):,}; 429 (rate limit): "
            f"{sum(s.limited for s in stats):,}; log verified, {size:,} entries, no gap"
        )
        count, spent = bench_direct(tmp / "direct", args.seconds)
        direct = count / spent
        print(
            f"baseline, LogStore.append of single entries in process: {count:,} appends in "
            f"{spent:.1f} s, {direct:,.0f} appends/s"
        )
        print(f"ratio API / direct: {rate / direct:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
