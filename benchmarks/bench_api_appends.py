"""Benchmark: sustained appends through the node's API with concurrent clients, the client
signing each entry (``POST /v1/entries``) against the node writing them (``POST
/v1/submissions``).

The US node (SQLite in a temporary folder, empty log) is served by ``glasnost serve`` in a
subprocess, once per write path. ``--clients`` threads each send notification entries for
``--seconds`` seconds, every request signed (``glasnost-request/v1``) as US.

* ``POST /v1/entries`` (the client signs; before decision 0014 the only way): an entry names
  its position (``seq``), so the clients share a counter: each takes the next seq under a lock
  (with a ``created_at`` that never decreases along the log), signs the entry and sends it;
  when an entry with a later seq overtakes an earlier one in flight, the node answers 409 and
  the client sends the same entry again (after 2 ms, doubling to 50 ms) until the earlier ones
  are in. After the time is up every client finishes the entry it holds, so the log has no gap.
* ``POST /v1/submissions`` (the node gives the seq and signs): each client sends a body and
  waits for the 201; nothing is shared between the clients and nothing is retried.

Printed per path: appends/s, the latency of an append (first send to 201, retries included) at
p50 and p99, the number of 409 retries (and 429s, if the node's rate limit refused any); the
log is verified and must hold exactly the acknowledged entries. Baseline, in the same run:
:meth:`LogStore.append` of single entries in a loop on a fresh node, in process (no HTTP, no
authentication), for the same time. Ratios: submissions / entries, and each / the baseline.

Run:  .venv/bin/python benchmarks/bench_api_appends.py [--clients 8] [--seconds 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def notification_body(number: int) -> dict[str, Any]:
    """The body of notification ``number``."""
    return {
        "event_type": "interceptor_test",
        "phase": "pre_event",
        "window_start": "2035-04-01T00:00:00Z",
        "window_end": "2035-04-03T00:00:00Z",
        "site_ids": ["vandenberg"],
        "details": f"flight test {number} of one GBI from Vandenberg",
    }


def build_entry(
    keys: PartyKeys, key: PrivateKey, key_id: str, seq: int, created_at: dt.datetime
) -> SignedEntry:
    """Signed notification ``seq`` of ``keys.party``'s log, created at ``created_at``."""
    envelope = NotificationEntry.model_validate(
        {
            "party": keys.party,
            "seq": seq,
            "created_at": created_at,
            "body": notification_body(seq),
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
    http: httpx.Client,
    keys: PartyKeys,
    key: PrivateKey,
    sequencer: Sequencer,
    stop_at: float,
    stats: ClientStats,
) -> None:
    """POST client-signed entries until ``stop_at`` (then finish the one in hand)."""
    key_id = keys.key_id(keys.administrations[0])
    while time.perf_counter() < stop_at:
        seq, created_at = sequencer.take()
        body = build_entry(keys, key, key_id, seq, created_at).to_json()
        if not send(http, "/v1/entries", body, f"seq {seq}", stats):
            return


def submitter(
    http: httpx.Client,
    keys: PartyKeys,
    key: PrivateKey,
    sequencer: Sequencer,
    stop_at: float,
    stats: ClientStats,
) -> None:
    """POST bodies for the node to write until ``stop_at``."""
    while time.perf_counter() < stop_at:
        number, _ = sequencer.take()
        submission = {"type": "notification", "body": notification_body(number)}
        if not send(http, "/v1/submissions", submission, f"submission {number}", stats):
            return


def send(http: httpx.Client, path: str, body: dict[str, Any], what: str, s: ClientStats) -> bool:
    """POST ``body`` until 201 (again after a 409 or a 429); False after any other answer."""
    first = time.perf_counter()
    backoff = BACKOFF_S
    while True:
        response = http.post(path, json=body)
        if response.status_code == 201:
            s.accepted += 1
            s.latencies.append(time.perf_counter() - first)
            return True
        if response.status_code == 409:
            s.conflicts += 1  # an earlier seq is still in flight
            time.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX_S)
        elif response.status_code == 429:
            s.limited += 1
            time.sleep(float(response.headers.get("retry-after", "1")))
        else:
            s.errors.append(f"{what}: {response.status_code} {response.text}")
            return False
        if time.perf_counter() - first > RETRY_LIMIT_S:
            s.errors.append(f"{what}: not accepted after {RETRY_LIMIT_S:.0f} s")
            return False


Client = Callable[[httpx.Client, PartyKeys, PrivateKey, Sequencer, float, ClientStats], None]


def bench_api(
    folder: Path, target: Client, clients: int, seconds: float
) -> tuple[float, list[ClientStats], int]:
    """Appends through the API by ``clients`` threads running ``target``: (elapsed seconds,
    per-client stats, final log size)."""
    keys, key = party("US")
    node, db, key_file = make_node(folder, keys, key, [])
    node.engine.dispose()
    sequencer = Sequencer()
    stats = [ClientStats() for _ in range(clients)]
    with served(db, key_file, folder / "serve.log") as url:
        start = time.perf_counter()

        def run(number: int) -> None:
            with httpx.Client(
                base_url=url,
                auth=RequestSigner.for_keys(keys, key, audience=keys.key_name),
                timeout=RETRY_LIMIT_S,
            ) as http:
                target(http, keys, key, sequencer, start + seconds, stats[number])

        threads = [
            threading.Thread(target=run, args=(n,), name=f"client-{n}") for n in range(clients)
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


def report(path: str, clients: int, run: tuple[float, list[ClientStats], int]) -> float:
    """Print one write path's figures; its rate (appends/s)."""
    elapsed, stats, size = run
    errors = [e for s in stats for e in s.errors]
    if errors:
        raise SystemExit(f"{path}: client errors:\n" + "\n".join(errors[:10]))
    accepted = sum(s.accepted for s in stats)
    latencies = [v for s in stats for v in s.latencies]
    if accepted != size:
        raise SystemExit(f"{path}: {accepted} appends acknowledged, the log holds {size}")
    rate = accepted / elapsed
    print(
        f"{path}, {clients} clients, {elapsed:.1f} s (glasnost serve in a subprocess): "
        f"{accepted:,} appends, {rate:,.1f} appends/s"
    )
    print(
        f"  latency of an append (retries included): p50 {ms(latencies, 50):.1f} ms, "
        f"p99 {ms(latencies, 99):.1f} ms"
    )
    print(
        f"  409 retries: {sum(s.conflicts for s in stats):,}; 429 (rate limit): "
        f"{sum(s.limited for s in stats):,}; log verified, {size:,} entries, no gap"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each run lasts")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    try:
        signed = report(
            "POST /v1/entries (client signs, names the seq)",
            args.clients,
            bench_api(tmp / "entries", client, args.clients, args.seconds),
        )
        written = report(
            "POST /v1/submissions (the node gives the seq and signs)",
            args.clients,
            bench_api(tmp / "submissions", submitter, args.clients, args.seconds),
        )
        count, spent = bench_direct(tmp / "direct", args.seconds)
        direct = count / spent
        print(
            f"baseline, LogStore.append of single entries in process: {count:,} appends in "
            f"{spent:.1f} s, {direct:,.0f} appends/s"
        )
        print(f"ratio submissions / entries: {written / signed:.2f}x")
        print(
            f"ratio entries / direct: {signed / direct:.2f}x; submissions / direct: "
            f"{written / direct:.2f}x"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
