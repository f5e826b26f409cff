"""The node writes its own log through one writer: concurrent writes all land once, in the
order each thread made them, and two node objects on one database (two processes) take turns
instead of refusing each other. SQLite, and PostgreSQL when it is configured."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

import glasnost.treaty  # noqa: F401 (registers the entry types)
from glasnost.exchange.entries import sign_entry
from glasnost.exchange.node import Node
from glasnost.treaty.bodies import NotificationEntry

from .conftest import Party

THREADS = 8
PER_THREAD = 10


def body(details: str) -> dict[str, str]:
    return {
        "event_type": "interceptor_test",
        "phase": "pre_event",
        "window_start": "2031-04-01T00:00:00Z",
        "window_end": "2031-04-03T00:00:00Z",
        "details": details,
    }


def test_concurrent_writes_of_two_node_objects_all_land_once(engine: sa.Engine, us: Party) -> None:
    first = Node.init(engine, us.keys, us.key)
    second = Node.open(engine, key=us.key)  # as a second process on the same database

    def run(thread: int) -> list[int]:
        node = first if thread % 2 == 0 else second
        return [node.write("notification", body(f"{thread}-{k}")).seq for k in range(PER_THREAD)]

    with ThreadPoolExecutor(THREADS) as pool:
        seqs = [s for batch in pool.map(run, range(THREADS)) for s in batch]

    total = THREADS * PER_THREAD
    assert sorted(seqs) == list(range(total))
    details = [json.loads(e.entry)["body"]["details"] for e in first.own.entries()]
    assert sorted(details) == sorted(f"{t}-{k}" for t in range(THREADS) for k in range(PER_THREAD))
    for thread in range(THREADS):
        mine = [d for d in details if d.startswith(f"{thread}-")]
        assert mine == [f"{thread}-{k}" for k in range(PER_THREAD)]
    report = first.own.verify()
    assert report.ok, report


def test_write_after_an_entry_dated_ahead_keeps_times_in_order(
    engine: sa.Engine, us: Party
) -> None:
    """A client-signed entry may be dated up to the allowed clock skew ahead; the node's next
    write takes that time instead of refusing itself (times never decrease along a log)."""
    node = Node.init(engine, us.keys, us.key)
    ahead = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=2)
    envelope = NotificationEntry.model_validate(
        {"party": "US", "seq": 0, "created_at": ahead, "body": body("dated ahead")}
    )
    node.own.append([sign_entry(envelope, us.key, us.key_id)])
    written = node.write("notification", body("written by the node"))
    assert written.seq == 1
    assert json.loads(written.signed.entry)["created_at"] == ahead.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert node.own.verify().ok
