"""The log's Merkle tree in the database: the stored hashes of its perfect subtrees, the roots
and the RFC 9162 proofs computed from them (O(log n) node reads, never a rehash of the leaves).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import cached_property

from sqlalchemy.engine import Connection

from glasnost.exchange import merkle
from glasnost.exchange.errors import SizeError, StoreCorrupt
from glasnost.exchange.store.base import LogBase
from glasnost.exchange.store.node_cache import NodeCache, UpperLevels
from glasnost.exchange.store.node_reader import NodeKey, read_levels, read_nodes


def _range_keys(start: int, end: int) -> list[NodeKey]:
    """(level, index) of the stored perfect subtrees that the aligned range [start, end) splits
    into, largest first: the nodes :func:`merkle.subtree_root_from_nodes` reads for it."""
    width = end - start
    if width > 0 and width & (width - 1) == 0:  # a perfect subtree: one stored node
        level = width.bit_length() - 1
        return [(level, start >> level)]
    keys = []
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

    @cached_property
    def _cache(self) -> NodeCache:
        """This log's nodes in the process's node cache."""
        return NodeCache(self.engine, self.log_id)

    def _border(self, conn: Connection, size: int) -> list[bytes]:
        keys = _border_keys(size)
        found = self._fetch_nodes(keys, lambda: conn)
        return [self._node(found, key) for key in keys]

    def _node(self, found: dict[tuple[int, int], bytes], key: tuple[int, int]) -> bytes:
        try:
            return found[key]
        except KeyError:
            raise self._missing(key) from None

    def _missing(self, key: tuple[int, int]) -> StoreCorrupt:
        return StoreCorrupt(
            f"node (level {key[0]}, index {key[1]}) is missing from the database; run "
            "glasnost log verify",
            where=f"log {self.origin}",
        )

    def _fetch_nodes(
        self,
        keys: Collection[tuple[int, int]],
        connection: Callable[[], Connection],
    ) -> dict[tuple[int, int], bytes]:
        """The stored nodes of ``keys`` (distinct; those that exist): from the process's node
        cache, the rest in one round trip
        (:func:`~glasnost.exchange.store.node_reader.read_nodes`, on ``connection()`` only
        where the held connection cannot serve), then cached."""
        cache = self._cache
        found, missing = cache.get(keys)
        if not missing:
            return found
        read = read_nodes(self.engine, self.log_id, missing, connection)
        cache.put(read)
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

    def _proof(self, size: int | None, ranges: Callable[[int], list[merkle.Range]]) -> list[bytes]:
        """The proof of the tree of ``size`` (default: all) whose subtrees ``ranges(size)``
        names, in proof order (:func:`merkle.inclusion_ranges`,
        :func:`merkle.consistency_ranges`; they raise on bad arguments).

        Every stored node of the ranges comes in one query (or from the cache); a perfect
        range's root is its node, the one range that is not (if any) is composed by
        :func:`merkle.subtree_root_from_nodes`, or its root comes from the cache (kept when an
        earlier proof composed it; its other nodes are then not read). With ``size`` given,
        the log's size is read only when a node is missing: a tree larger than the log always
        lacks the node over its last leaf, so one query serves a proof, and no pooled
        connection is checked out while the nodes come from the cache or the held connection
        (:mod:`~glasnost.exchange.store.node_reader`).
        """
        with self._lazy_read() as conn:
            if size is None:
                size = self._size(conn())
            elif size < 0:
                self._check_size(size, self._size(conn()))
            try:
                wanted = ranges(size)
            except ValueError as exc:  # arguments that describe no proof in this tree
                self._check_size(size, self._size(conn()))
                raise SizeError(str(exc), where=f"log {self.origin}") from None
            cache = self._cache
            heads: list[NodeKey] = []  # per range: its node, or its largest
            others: list[NodeKey] = []  # the other nodes of ranges to compose
            compose: list[tuple[int, merkle.Range]] = []  # (place, range) to compose
            kept: list[tuple[int, bytes]] = []  # (place, root) of ranges composed before
            for start, end in wanted:
                width = end - start
                level = width.bit_length() - 1
                if width & (width - 1):  # at most one per proof, on the tree's right border
                    root = cache.root(start, end)
                    if root is None:
                        compose.append((len(heads), (start, end)))
                        others += _range_keys(start, end)[1:]  # the first is its head
                    else:
                        kept.append((len(heads), root))
                heads.append((level, start >> level))
            keys = heads + others if others else heads
            lowest = cache.upper_wanted(size)
            if lowest is not None:  # a large tree: its upper levels in one read, kept
                rows = read_levels(conn(), self.log_id, lowest)
                cache.put_upper(UpperLevels.from_rows(lowest, size, rows))
            found = self._fetch_nodes(keys, conn)
            if len(found) < len(keys):
                self._check_size(size, self._size(conn()))  # beyond the log: SizeError
                # within it: read again after the size (the log may have grown meanwhile)
                missing = [key for key in keys if key not in found]
                found.update(self._fetch_nodes(missing, conn))

        try:  # a perfect subtree's root is its stored node
            proof = [found[key] for key in heads]
            for at, (start, end) in compose:
                proof[at] = merkle.subtree_root_from_nodes(lambda *key: found[key], start, end)
                cache.put_root(start, end, proof[at])
        except KeyError as exc:
            raise self._missing(exc.args[0]) from None
        for at, root in kept:
            proof[at] = root
        return proof

    def inclusion_proof(self, seq: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``size`` (default: all)."""
        return self._proof(size, lambda n: merkle.inclusion_ranges(seq, n))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 consistency proof from ``old_size`` to ``new_size`` (default: all)."""
        return self._proof(new_size, lambda n: merkle.consistency_ranges(old_size, n))
