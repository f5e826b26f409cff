"""Where a node remembers the nonces of accepted API requests (``glasnost-request/v1``).

A nonce is kept until the last second at which its request could still be accepted
(``timestamp + window``); :meth:`NonceStore.use` answers False for a nonce it holds already,
which :func:`glasnost.service.auth.verify_request` reports as a replayed request.

* :class:`MemoryNonceStore`: a dict, for tests and for nodes that may forget on restart.
* :class:`SqlNonceStore`: the store's ``request_nonces`` table (migration 0002), so a replay
  is refused after a restart too, and several server processes can share it.

Both forget expired nonces every ``prune_every``-th call, or when :meth:`prune` is called.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from glasnost.exchange.store import write_transaction
from glasnost.exchange.tables import RequestNonceRow

__all__ = ["MemoryNonceStore", "NonceStore", "SqlNonceStore"]


class NonceStore(Protocol):
    """Where a node remembers the nonces of accepted requests until they expire."""

    def use(self, nonce: str, principal: str, expires_at: int, now: int) -> bool:
        """Record ``nonce`` until ``expires_at`` (unix s); False if it was recorded before."""
        ...


class _Pruner:
    """Counts calls; says when every ``every``-th call should prune (thread-safe)."""

    def __init__(self, every: int) -> None:
        if every < 1:
            raise ValueError(f"prune_every must be at least 1, got {every}")
        self._every = every
        self._calls = 0
        self._lock = threading.Lock()

    def due(self) -> bool:
        with self._lock:
            self._calls += 1
            if self._calls < self._every:
                return False
            self._calls = 0
            return True


class MemoryNonceStore:
    """Nonces in a dict (for tests and for nodes that may forget them on restart)."""

    def __init__(self, *, prune_every: int = 1000) -> None:
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self._pruner = _Pruner(prune_every)

    def use(self, nonce: str, principal: str, expires_at: int, now: int) -> bool:
        with self._lock:
            if nonce in self._seen:
                return False
            self._seen[nonce] = expires_at
        if self._pruner.due():
            self.prune(now)
        return True

    def prune(self, now: int) -> int:
        """Forget nonces that expired before ``now``; return how many."""
        with self._lock:
            expired = [nonce for nonce, expires in self._seen.items() if expires < now]
            for nonce in expired:
                del self._seen[nonce]
        return len(expired)

    def __len__(self) -> int:
        return len(self._seen)


class SqlNonceStore:
    """Nonces in the store's ``request_nonces`` table, so a replay is refused after a restart.

    The primary key on the nonce makes :meth:`use` safe with any number of threads and
    processes: of two inserts of one nonce, one fails. Each call is one short write transaction
    (``BEGIN IMMEDIATE`` on SQLite, so a transaction never has to upgrade its lock). Every
    ``prune_every``-th call also deletes the expired rows.
    """

    def __init__(self, engine: Engine, *, prune_every: int = 1000) -> None:
        self.engine = engine
        self._pruner = _Pruner(prune_every)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with write_transaction(self.engine) as conn:
            yield conn

    def use(self, nonce: str, principal: str, expires_at: int, now: int) -> bool:
        try:
            with self._write() as conn:
                conn.execute(
                    sa.insert(RequestNonceRow),
                    {"nonce": nonce, "principal": principal, "expires_at": expires_at},
                )
        except sa.exc.IntegrityError:
            return False
        if self._pruner.due():
            self.prune(now)
        return True

    def prune(self, now: int) -> int:
        """Delete the nonces that expired before ``now``; return how many."""
        with self._write() as conn:
            result = conn.execute(
                sa.delete(RequestNonceRow).where(RequestNonceRow.expires_at < now)
            )
        return int(result.rowcount)
