"""The stored Merkle nodes this process has read, kept in memory for the next proofs.

The nodes of an append-only log never change once committed (the database refuses UPDATE and
DELETE on ``nodes``), so a node read once is the node for good: the cache is never
invalidated. It is bounded: past :data:`MAX_CACHED_NODES` nodes (about 17 MB, measured) the
least recently used go. Only nodes read from the database go in, never nodes of a transaction
that may still roll back.

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

__all__ = ["MAX_CACHED_NODES", "NodeCache"]

MAX_CACHED_NODES: Final = 1 << 16
"""Most nodes kept in one process (all logs and databases together)."""

NodeKey = tuple[int, int]
"""(level, index) of a perfect subtree."""

_engine_numbers: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()
_next_number = itertools.count()
_lock = threading.Lock()
_nodes: OrderedDict[tuple[int, int, int, int], bytes] = OrderedDict()


class NodeCache:
    """The cached nodes of one log (of one database)."""

    def __init__(self, engine: Engine, log_id: int) -> None:
        with _lock:
            number = _engine_numbers.get(engine)
            if number is None:
                number = _engine_numbers[engine] = next(_next_number)
        self._prefix = (number, log_id)

    def get(self, keys: Iterable[NodeKey]) -> tuple[dict[NodeKey, bytes], list[NodeKey]]:
        """The cached hashes of ``keys``, and the keys not cached."""
        found: dict[NodeKey, bytes] = {}
        missing: list[NodeKey] = []
        number, log_id = self._prefix
        with _lock:
            for key in keys:
                full = (number, log_id, *key)
                value = _nodes.get(full)
                if value is None:
                    missing.append(key)
                else:
                    _nodes.move_to_end(full)
                    found[key] = value
        return found, missing

    def put(self, nodes: Mapping[NodeKey, bytes]) -> None:
        """Keep nodes read from the database (committed)."""
        number, log_id = self._prefix
        with _lock:
            for (level, index), value in nodes.items():
                _nodes[number, log_id, level, index] = value
            while len(_nodes) > MAX_CACHED_NODES:
                _nodes.popitem(last=False)


def clear() -> None:
    """Forget every cached node (to measure the database path)."""
    with _lock:
        _nodes.clear()
