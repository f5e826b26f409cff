"""The log writer's group commit: arrival order, batching, a bad item refused alone, retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from glasnost.exchange.writer import LogWriter


class Log:
    """A list that takes batches, can be told to refuse an item or to lose races."""

    def __init__(self, *, refuse: str | None = None, races: int = 0) -> None:
        self.items: list[str] = []
        self.batches: list[list[str]] = []
        self.refuse = refuse
        self.races = races
        self.gate = threading.Event()
        self.gate.set()

    def write(self, items: Sequence[str]) -> list[int]:
        self.gate.wait()
        if self.races:
            self.races -= 1
            raise LookupError("another writer took the position")
        if self.refuse in items:
            raise ValueError(f"{self.refuse} is refused")
        start = len(self.items)
        self.items.extend(items)
        self.batches.append(list(items))
        return list(range(start, start + len(items)))


def test_each_item_gets_its_own_position_in_arrival_order() -> None:
    log = Log()
    writer: LogWriter[str, int] = LogWriter(log.write)
    positions = [writer.submit(f"item {n}") for n in range(5)]
    assert positions == [0, 1, 2, 3, 4]
    assert log.items == [f"item {n}" for n in range(5)]


def test_items_waiting_while_a_batch_is_written_go_together_in_the_next() -> None:
    log = Log()
    writer: LogWriter[str, int] = LogWriter(log.write)
    log.gate.clear()  # the first writer holds the log until all others wait
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(writer.submit, "first")
        while not writer._writer.locked():
            time.sleep(0.001)
        rest = [pool.submit(writer.submit, f"waiting {n}") for n in range(5)]
        while len(writer._queue) < 5:
            time.sleep(0.001)
        log.gate.set()
        results = [first.result(), *(f.result() for f in rest)]
    assert log.batches == [["first"], [f"waiting {n}" for n in range(5)]]
    assert results == [0, 1, 2, 3, 4, 5]
    assert writer.batches == 2


def test_a_refused_item_fails_alone_and_its_batch_is_written() -> None:
    log = Log(refuse="bad")
    writer: LogWriter[str, int] = LogWriter(log.write)
    log.gate.clear()
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(writer.submit, "first")
        while not writer._writer.locked():
            time.sleep(0.001)
        batch = [pool.submit(writer.submit, item) for item in ("a", "bad", "b")]
        while len(writer._queue) < 3:
            time.sleep(0.001)
        log.gate.set()
        assert first.result() == 0
        assert batch[0].result() == 1
        with pytest.raises(ValueError, match="bad is refused"):
            batch[1].result()
        assert batch[2].result() == 2
    assert log.items == ["first", "a", "b"]


def test_a_lost_race_is_retried_and_too_many_are_raised() -> None:
    log = Log(races=2)
    writer: LogWriter[str, int] = LogWriter(log.write, retry_on=(LookupError,), retries=2)
    assert writer.submit("after two lost races") == 0
    log.races = 3
    with pytest.raises(LookupError):
        writer.submit("after three")
    assert log.items == ["after two lost races"]


def test_many_threads_every_item_written_once() -> None:
    log = Log()
    writer: LogWriter[str, int] = LogWriter(log.write, max_batch=3)
    items = [f"{t}-{k}" for t in range(8) for k in range(50)]

    def run(thread: int) -> list[int]:
        return [writer.submit(f"{thread}-{k}") for k in range(50)]

    with ThreadPoolExecutor(8) as pool:
        positions = [p for batch in pool.map(run, range(8)) for p in batch]
    assert sorted(log.items) == sorted(items)
    assert sorted(positions) == list(range(len(items)))
    assert max(len(b) for b in log.batches) <= 3
    for t in range(8):  # each thread's items in the order it sent them
        mine = [i for i in log.items if i.startswith(f"{t}-")]
        assert mine == [f"{t}-{k}" for k in range(50)]
