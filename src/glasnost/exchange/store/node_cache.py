"""The stored Merkle nodes this process has read, kept in memory for the next proofs.

The nodes of an append-only log never change once committed (the database refuses UPDATE and
DELETE on ``nodes``), so a node read once is the node for good: the cache is never
invalidated. It is bounded: past :data:`MAX_CACHED_NODES` nodes (about 17 MB, measured) the
least recently used go. Only nodes read from the database go in, never nodes of a transaction
that may still roll back.

A large log's upper levels are kept apart, densely (:class:`UpperLevels`): every stored node of
the levels from the lowest whose nodes, with those above, number at most :data:`UPPER_NODES`,
as one block of hashes per level (32 bytes a node, no object per node: 2 MiB a log), read in
one statement. Every proof needs one node of each level, so with them in memory a proof at a
random position of a tree of 1e6 leaves sends 5 keys to the database instead of 10. At most
:data:`MAX_UPPER_LOGS` logs keep theirs (the least recently used go).

A range of leaves that a proof needs but that is not a perfect subtree (at most one per proof,
on the tree's right border: [start, size) for the tree of ``size`` leaves) has a root composed
from several stored nodes; the composed roots are kept too (:data:`MAX_CACHED_ROOTS`, least
recently used out), as they depend only on committed nodes: the proofs of one tree size share
a few of them (at most log2(size)), and each costs several hashes to compose.

A database is told apart by its engine object (a number given to each engine, never reused,
as engines may be garbage collected and their ``id`` reused), a log by its row id.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Final

from sqlalchemy.engine import Engine

__all__ = [
    "MAX_CACHED_NODES",
    "MAX_CACHED_ROOTS",
    "MAX_UPPER_LOGS",
    "UPPER_FROM_SIZE",
    "UPPER_NODES",
    "NodeCache",
    "UpperLevels",
]

MAX_CACHED_NODES: Final = 1 << 16
"""Most nodes kept in one process (all logs and databases together)."""

MAX_CACHED_ROOTS: Final = 1 << 10
"""Most composed roots of ranges that are not perfect subtrees kept in one process."""

UPPER_NODES: Final = 1 << 16
"""Most nodes of one log's upper levels kept as blocks (2 MiB of hashes)."""

UPPER_FROM_SIZE: Final = 1 << 16
"""Least tree size (leaves) whose proofs keep the log's upper levels."""

MAX_UPPER_LOGS: Final = 4
"""Most logs whose upper levels are kept in one process (8 MiB of hashes at most)."""

NodeKey = tuple[int, int]
"""(level, index) of a perfect subtree."""

_HASH_SIZE: Final = 32

_engine_numbers: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_next_number = itertools.count()
_lock = threading.Lock()
_nodes: OrderedDict[tuple[int, ...], bytes] = OrderedDict()  # (engine, log, level, index)
_upper: OrderedDict[tuple[int, int], UpperLevels] = OrderedDict()
_roots: OrderedDict[tuple[int, ...], bytes] = OrderedDict()  # (engine, log, start, end)


def lowest_upper_level(size: int) -> int:
    """The lowest level kept for a tree of ``size`` leaves: the least whose nodes, with those
    of every level above, number at most :data:`UPPER_NODES`."""
    level = 0
    while sum(size >> above for above in range(level, size.bit_length())) > UPPER_NODES:
        level += 1
    return level


class UpperLevels:
    """The stored nodes of one log's levels ``lowest`` and above, each level's from index 0 on
    without a gap, for proofs of trees up to the size they were read for.

    ``blocks[k]`` holds the hashes of level ``lowest + k``, 32 bytes each, in index order.
    """

    __slots__ = ("blocks", "lowest", "read_for")

    def __init__(self, lowest: int, read_for: int, blocks: tuple[bytes, ...]) -> None:
        self.lowest = lowest
        self.read_for = read_for
        self.blocks = blocks

    @classmethod
    def from_rows(
        cls, lowest: int, size: int, rows: Iterable[tuple[int, int, bytes]]
    ) -> UpperLevels:
        """The blocks of ``rows`` (level, index, hash) in (level, index) order, each level
        kept from index 0 up to its first gap and to the nodes of a tree of ``size`` leaves:
        a node not stored (yet) ends its level's block, it is never taken for absent."""
        levels: list[list[bytes]] = [[] for _ in range(lowest, size.bit_length())]
        for level, index, value in rows:
            at = level - lowest
            if 0 <= at < len(levels):
                hashes = levels[at]
                if index == len(hashes) and index < size >> level:
                    hashes.append(bytes(value))
        return cls(lowest, size, tuple(b"".join(hashes) for hashes in levels))


class NodeCache:
    """The cached nodes of one log (of one database)."""

    def __init__(self, engine: Engine, log_id: int) -> None:
        with _lock:
            number = _engine_numbers.get(engine)
            if number is None:
                number = _engine_numbers[engine] = next(_next_number)
        self._prefix: tuple[int, int] = (number, log_id)

    def get(self, keys: Iterable[NodeKey]) -> tuple[dict[NodeKey, bytes], list[NodeKey]]:
        """The cached hashes of ``keys``, and the keys not cached."""
        found: dict[NodeKey, bytes] = {}
        missing: list[NodeKey] = []
        prefix = self._prefix
        with _lock:
            upper = _upper.get(prefix)
            if upper is None:
                lowest = top = 0
                blocks: tuple[bytes, ...] = ()
            else:
                _upper.move_to_end(prefix)
                lowest, blocks = upper.lowest, upper.blocks
                top = lowest + len(blocks)
            for key in keys:
                level, index = key
                if lowest <= level < top:
                    at = index * _HASH_SIZE
                    kept = blocks[level - lowest][at : at + _HASH_SIZE]
                    if kept:  # empty past the block's end: not read (yet)
                        found[key] = kept
                        continue
                full = prefix + key
                value = _nodes.get(full)
                if value is None:
                    missing.append(key)
                else:
                    _nodes.move_to_end(full)
                    found[key] = value
        return found, missing

    def put(self, nodes: Mapping[NodeKey, bytes]) -> None:
        """Keep nodes read from the database (committed)."""
        prefix = self._prefix
        with _lock:
            for key, value in nodes.items():
                _nodes[prefix + key] = value
            while len(_nodes) > MAX_CACHED_NODES:
                _nodes.popitem(last=False)

    def root(self, start: int, end: int) -> bytes | None:
        """The kept root of the leaves [start, end) (a range that is not a perfect subtree),
        or None."""
        full = (*self._prefix, start, end)
        with _lock:
            value = _roots.get(full)
            if value is not None:
                _roots.move_to_end(full)
        return value

    def put_root(self, start: int, end: int, value: bytes) -> None:
        """Keep the root of the leaves [start, end), composed from committed nodes."""
        with _lock:
            _roots[(*self._prefix, start, end)] = value
            while len(_roots) > MAX_CACHED_ROOTS:
                _roots.popitem(last=False)

    def upper_wanted(self, size: int) -> int | None:
        """The lowest level to read for proofs in a tree of ``size`` leaves, where the log's
        upper levels should be (re)read: none kept, or kept for a tree of less than half that
        size (so a growing log reads them O(log n) times, and so does a caller who asks for
        sizes beyond the log); None where they are not wanted or already kept."""
        if size < UPPER_FROM_SIZE:
            return None
        with _lock:
            upper = _upper.get(self._prefix)
        if upper is not None and 2 * upper.read_for > size:
            return None
        return lowest_upper_level(size)

    def put_upper(self, upper: UpperLevels) -> None:
        """Keep a log's upper levels (read from committed rows) in place of those kept."""
        with _lock:
            _upper[self._prefix] = upper
            _upper.move_to_end(self._prefix)
            while len(_upper) > MAX_UPPER_LOGS:
                _upper.popitem(last=False)


def clear() -> None:
    """Forget every cached node and root (to measure the database path)."""
    with _lock:
        _nodes.clear()
        _upper.clear()
        _roots.clear()
