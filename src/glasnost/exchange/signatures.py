"""Ed25519 verification of a batch of signatures on all cores (sync, bundle import, appends).

``cryptography``'s Ed25519 verification holds the interpreter lock (measured: two threads
verify no faster than one), so a large batch is verified in worker processes while the caller
goes on with its own checks: :func:`check_signatures` returns at once a :class:`SignatureChecks`
whose item ``i`` is True or False (the signature of item ``i`` verifies or not), or None where
the item was not checked (the caller then verifies it itself, as for a small batch). Each result
depends only on its own (key, signature, message), so results are the same whatever the number
of processes and the order in which chunks finish; callers read them in the batch's order and
raise at the first failure exactly as without workers.

The workers are spawned (safe beside threads) on first use and live as long as the process.
A spawned process imports the main module of its parent, so they are used only once the
program asks for them with :func:`set_processes` from a guarded main (``glasnost``'s command
line does, and so do the benchmarks); until then every batch is verified by the caller. A
broken pool (a worker killed) leaves its items unchecked, never wrong.

The same pool runs other per-item checks of a batch (:func:`run_chunks`), e.g. the whole
verification of a batch of entries (:func:`glasnost.exchange.entries.entry_checks`): a result
is a worker's answer for its item, None where none came.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import BrokenExecutor, Future
from typing import TYPE_CHECKING, Final, Generic, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = [
    "MIN_BATCH",
    "ChunkResults",
    "SignatureChecks",
    "Signed",
    "check_signatures",
    "run_chunks",
    "set_processes",
    "start",
]

T = TypeVar("T")

Signed = tuple[bytes, bytes, bytes]
"""(32-byte public key, 64-byte signature, message)."""

MIN_BATCH: Final = 256
"""Fewest items sent to the workers; a smaller batch is verified by the caller."""

_CHUNKS_PER_PROCESS: Final = 4
"""Chunks per worker in a batch: the caller's first results come early, the load evens out."""

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_processes: int | None = 1


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def set_processes(count: int | None) -> None:
    """Use ``count`` worker processes from now on (None: one per usable CPU; 1, the default:
    none). Call it from the main module's ``if __name__ == "__main__"`` block or below."""
    global _pool, _processes
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        _processes = count


def processes() -> int:
    """The number of worker processes a batch is spread over (1: verified by the caller)."""
    return _usable_cpus() if _processes is None else max(_processes, 1)


def _executor() -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _pool
    with _lock:
        if _pool is None:
            spawn = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(processes(), mp_context=spawn)
        return _pool


def start() -> None:
    """Start the worker processes now rather than at the first large batch (a spawned process
    takes about a second to start on a busy machine)."""
    count = processes()
    if count > 1:
        pool = _executor()
        for future in [pool.submit(verify_chunk, []) for _ in range(count)]:
            future.result()


def verify_chunk(items: Sequence[Signed]) -> list[bool]:
    """Whether each (key, signature, message) verifies (run in a worker)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    out = []
    for key, signature, message in items:
        try:
            Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
        except InvalidSignature:
            out.append(False)
        else:
            out.append(True)
    return out


class ChunkResults(Generic[T]):
    """The workers' results of a batch (:func:`run_chunks`), read in order: item ``i``'s
    result, or None where it was not checked."""

    def __init__(
        self,
        positions: Sequence[int | None],
        futures: Sequence[Future[Sequence[T | None]]],
        chunk: int,
    ) -> None:
        self._positions = positions
        self._futures = futures
        self._chunk = chunk

    def __getitem__(self, index: int) -> T | None:
        """The result of item ``index`` (waiting for its chunk); None: not checked."""
        position = self._positions[index] if index < len(self._positions) else None
        if position is None:
            return None
        future = self._futures[position // self._chunk]
        try:
            return future.result()[position % self._chunk]
        except Exception:  # a broken pool or a cancelled chunk: the caller verifies
            return None

    def cancel(self) -> None:
        """Drop the chunks not started yet (the caller stopped at a failure)."""
        for future in self._futures:
            future.cancel()

    def __enter__(self) -> ChunkResults[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()  # nothing left to drop after a complete batch


SignatureChecks = ChunkResults[bool]
"""The results of :func:`check_signatures`: True (verifies), False (does not) or None."""


def check_signatures(items: Sequence[Signed | None]) -> SignatureChecks:
    """Start verifying ``items`` in the worker processes (None items are skipped); returns at
    once. A batch under :data:`MIN_BATCH` items, or one process, leaves every item unchecked."""
    return run_chunks(verify_chunk, items)


def run_chunks(
    function: Callable[..., Sequence[T | None]], items: Sequence[object | None], *args: object
) -> ChunkResults[T]:
    """Start ``function(chunk, *args)`` on the worker processes over chunks of ``items`` (None
    items are skipped), each call returning one result per item of its chunk; returns at once.
    ``function`` must be a module-level function (the workers import it by name). A batch
    under :data:`MIN_BATCH` items, or one process, leaves every item unchecked."""
    wanted = [item for item in items if item is not None]
    count = processes()
    if count < 2 or len(wanted) < MIN_BATCH:
        return ChunkResults([], [], 1)
    positions: list[int | None] = []
    at = 0
    for item in items:
        positions.append(None if item is None else at)
        at += item is not None
    chunk = max(-(-len(wanted) // (count * _CHUNKS_PER_PROCESS)), 1)
    pool = _executor()
    try:
        futures = [
            pool.submit(function, wanted[i : i + chunk], *args)
            for i in range(0, len(wanted), chunk)
        ]
    except (BrokenExecutor, RuntimeError):  # a worker died earlier: a new pool next time
        set_processes(_processes)
        return ChunkResults([], [], 1)
    return ChunkResults(positions, futures, chunk)
