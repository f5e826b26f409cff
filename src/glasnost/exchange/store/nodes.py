"""The log's Merkle tree in the database: the stored hashes of its perfect subtrees, the roots
and the RFC 9162 proofs computed from them (O(log n) node reads, never a rehash of the leaves).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import lru_cache
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from glasnost.exchange import merkle
from glasnost.exchange.errors import SizeError, StoreCorrupt
from glasnost.exchange.store.base import LogBase
from glasnost.exchange.store.node_cache import NodeCache

_ZERO_HASH: Final = bytes(merkle.HASH_SIZE)


@lru_cache(maxsize=256)
def _fetch_nodes_sqlite(count: int) -> str:
    """SQLite: the stored hashes of ``count`` keys, as raw SQL for the driver (which keeps it
    prepared): a ``UNION ALL`` of primary-key lookups, parameters ``log_id, level, index`` per
    arm. SQLite's planner may scan the whole log for a row-value ``IN`` or a long ``OR``; each
    arm here is answered from the primary key's index."""
    arm = 'SELECT level, "index", hash FROM nodes WHERE log_id = ? AND level = ? AND "index" = ?'
    return " UNION ALL ".join([arm] * count)


_FETCH_NODES_PG: Final = sa.text(
    'SELECT n.level, n."index", n.hash FROM nodes AS n '
    "JOIN unnest(CAST(:levels AS smallint[]), CAST(:indexes AS bigint[])) AS k(level, idx) "
    'ON n.level = k.level AND n."index" = k.idx WHERE n.log_id = :log_id'
)
"""PostgreSQL: the stored hashes of any number of keys, passed as two arrays. One statement
text whatever the count, so the server prepares and plans it once per connection (psycopg
prepares a statement after its fifth use) and each proof costs one round trip."""

_MAX_KEYS: Final = 400
"""Keys per node query (a proof needs at most about 2 log2(n), a border at most 64; SQLite
allows 500 terms in a compound SELECT)."""


def _range_keys(start: int, end: int) -> list[tuple[int, int]]:
    """(level, index) of the stored perfect subtrees that the aligned range [start, end) splits
    into, largest first: the nodes :func:`merkle.subtree_root_from_nodes` reads for it."""
    keys = []
    width = end - start
    pos = start
    for level in range(max(width - 1, 0).bit_length(), -1, -1):
        if width >> level & 1:
            keys.append((level, pos >> level))
            pos += 1 << level
    return keys


def _border_keys(size: int) -> list[tuple[int, int]]:
    """(level, index) of the perfect subtrees that [0, size) splits into, largest first."""
    return _range_keys(0, size)


class LogNodes(LogBase):
    """The tree of a log: border, roots and proofs from the stored nodes."""

    def _border(self, conn: Connection, size: int) -> list[bytes]:
        keys = _border_keys(size)
        found = self._fetch_nodes(conn, keys)
        return [self._node(found, key) for key in keys]

    def _node(self, found: dict[tuple[int, int], bytes], key: tuple[int, int]) -> bytes:
        try:
            return found[key]
        except KeyError:
            raise StoreCorrupt(
                f"node (level {key[0]}, index {key[1]}) is missing from the database; run "
                "glasnost log verify",
                where=f"log {self.origin}",
            ) from None

    def _fetch_nodes(
        self, conn: Connection, keys: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], bytes]:
        """The stored nodes of ``keys`` (those that exist): from the process's node cache, the
        rest in one query of primary-key lookups (per 400 keys on SQLite), then cached."""
        found, missing = NodeCache(self.engine, self.log_id).get(sorted(set(keys)))
        if not missing:
            return found
        read: dict[tuple[int, int], bytes] = {}
        if conn.dialect.name == "postgresql":
            rows = conn.execute(
                _FETCH_NODES_PG,
                {
                    "log_id": self.log_id,
                    "levels": [level for level, _ in missing],
                    "indexes": [index for _, index in missing],
                },
            )
            read.update(((level, index), bytes(hash_)) for level, index, hash_ in rows)
        else:
            driver = conn.connection.driver_connection
            assert driver is not None
            for at in range(0, len(missing), _MAX_KEYS):
                chunk = missing[at : at + _MAX_KEYS]
                params = [x for level, index in chunk for x in (self.log_id, level, index)]
                rows = driver.execute(_fetch_nodes_sqlite(len(chunk)), params).fetchall()
                read.update(((level, index), hash_) for level, index, hash_ in rows)
        NodeCache(self.engine, self.log_id).put(read)
        found.update(read)
        return found

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` entries (default: all), from O(log n) stored nodes."""
        with self._read() as conn:
            current = self._size(conn)
            size = current if size is None else self._check_size(size, current)
            return merkle.CompactRange(size, self._border(conn, size)).root()

    def border(self, size: int) -> list[bytes]:
        """Hashes of the perfect subtrees that [0, size) splits into, largest first: the
        :class:`~glasnost.exchange.merkle.CompactRange` of the tree of ``size`` entries."""
        with self._read() as conn:
            size = self._check_size(size, self._size(conn))
            return self._border(conn, size)

    def _proof(
        self, size: int | None, build: Callable[[int, merkle.SubtreeRoot], list[bytes]]
    ) -> list[bytes]:
        """Run a proof builder for the tree of ``size`` (default: all) in one snapshot.

        A first, pure run records the subtree ranges the builder asks for (and raises on bad
        arguments); their stored nodes come in one query; the second run gets the ranges' roots.
        With ``size`` given, the log's size is read only when a node is missing: a tree larger
        than the log always lacks the node over its last leaf, so one query serves a proof.
        """
        ranges: list[tuple[int, int]] = []

        def record(start: int, end: int) -> bytes:
            ranges.append((start, end))
            return _ZERO_HASH

        with self._read() as conn:
            if size is None:
                size = self._size(conn)
            elif size < 0:
                self._check_size(size, self._size(conn))
            try:
                build(size, record)
            except ValueError as exc:  # arguments that describe no proof in this tree
                self._check_size(size, self._size(conn))
                raise SizeError(str(exc), where=f"log {self.origin}") from None
            keys = set(k for r in ranges for k in _range_keys(*r))
            found = self._fetch_nodes(conn, keys)
            if len(found) < len(keys):
                self._check_size(size, self._size(conn))  # beyond the log: SizeError
                # within it: read again after the size (the log may have grown meanwhile)
                found.update(self._fetch_nodes(conn, keys - found.keys()))

        def lookup(level: int, index: int) -> bytes:
            return self._node(found, (level, index))

        roots = {r: merkle.subtree_root_from_nodes(lookup, *r) for r in ranges}
        return build(size, lambda start, end: roots[start, end])

    def inclusion_proof(self, seq: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``size`` (default: all)."""
        return self._proof(size, lambda n, get: merkle.inclusion_proof_from(get, seq, n))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 consistency proof from ``old_size`` to ``new_size`` (default: all)."""
        return self._proof(new_size, lambda n, get: merkle.consistency_proof_from(get, old_size, n))
