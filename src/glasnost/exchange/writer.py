"""The one writer of a log: submissions queue in the order they arrive and are written in
batches, one transaction per batch (group commit).

Any number of threads call :meth:`LogWriter.submit`; each waits until its item is durable (or
refused). The first waiting thread that finds the writer free becomes the writer: it takes up
to ``max_batch`` items from the front of the queue, has ``write_batch`` give them consecutive
positions and commit them together, hands every waiting thread its own outcome, and lets the
next thread in. Nobody is overtaken (first in, first written) and nobody needs to retry: the
positions are given out here, by one writer at a time.

If a batch fails, its items are written one at a time, so an item that cannot be written is
refused alone; a ``retry_on`` error (another process took the position meanwhile) makes the
writer try the batch again, up to ``retries`` times.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

__all__ = ["LogWriter"]

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_BATCH = 256
"""Most items one transaction writes."""

RETRIES = 64
"""How often a batch is tried again when another writer took its positions."""

BACKOFF_S = 0.002
"""First wait before a retry (s); it doubles up to ``BACKOFF_MAX_S``, with jitter, so that a
writer that lost a race lets the other commit instead of losing to it again and again."""

BACKOFF_MAX_S = 0.1


class LogWriter(Generic[Item, Result]):
    """Group commit over ``write_batch(items) -> results`` (one result per item, in order, all
    committed together or none)."""

    def __init__(
        self,
        write_batch: Callable[[Sequence[Item]], Sequence[Result]],
        *,
        retry_on: tuple[type[Exception], ...] = (),
        max_batch: int = MAX_BATCH,
        retries: int = RETRIES,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch {max_batch} is not a positive number")
        self._write_batch = write_batch
        self._retry_on = retry_on
        self._max_batch = max_batch
        self._retries = retries
        self._queue: deque[tuple[Item, Future[Result]]] = deque()
        self._queue_lock = threading.Lock()
        self._writer = threading.Lock()
        self.batches = 0
        """Transactions committed so far (for measurements)."""

    def submit(self, item: Item) -> Result:
        """Queue ``item``, wait until it is written; its result, or the error that refused it."""
        outcome: Future[Result] = Future()
        with self._queue_lock:
            self._queue.append((item, outcome))
        while not outcome.done():
            with self._writer:
                if outcome.done():
                    break
                with self._queue_lock:
                    count = min(len(self._queue), self._max_batch)
                    batch = [self._queue.popleft() for _ in range(count)]
                self._write(batch)
        return outcome.result()

    def _write(self, batch: list[tuple[Item, Future[Result]]]) -> None:
        """Write ``batch`` and settle every one of its outcomes, whatever happens."""
        try:
            try:
                self._settle(batch, self._committed([item for item, _ in batch]))
            except Exception:
                if len(batch) == 1:
                    raise
                for item, outcome in batch:  # alone, so that only a bad item is refused
                    try:
                        self._settle([(item, outcome)], self._committed([item]))
                    except Exception as exc:
                        outcome.set_exception(exc)
        except BaseException as exc:
            for _, outcome in batch:
                if not outcome.done():
                    outcome.set_exception(exc)
            if not isinstance(exc, Exception):
                raise

    def _committed(self, items: Sequence[Item]) -> Sequence[Result]:
        attempt = 0
        while True:
            try:
                results = self._write_batch(items)
            except self._retry_on:
                attempt += 1
                if attempt > self._retries:
                    raise
                wait = min(BACKOFF_S * 2 ** min(attempt, 16), BACKOFF_MAX_S)
                time.sleep(random.uniform(0.5, 1.0) * wait)
                continue
            self.batches += 1
            return results

    @staticmethod
    def _settle(batch: list[tuple[Item, Future[Result]]], results: Sequence[Result]) -> None:
        if len(results) != len(batch):
            raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
        for (_, outcome), result in zip(batch, results, strict=True):
            outcome.set_result(result)
