"""The node cache's blocks of a log's upper levels: which levels a tree keeps, that a block
holds only the nodes read (each level up to its first gap and to the tree's size) and that the
blocks of at most a few logs are kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from glasnost.exchange.store import node_cache
from glasnost.exchange.store.node_cache import NodeCache, UpperLevels, lowest_upper_level


def _hash(level: int, index: int) -> bytes:
    return bytes([level]) + index.to_bytes(31, "big")


def _nodes(size: int, lowest: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """The stored nodes of a tree of ``size`` leaves from level ``lowest``, in key order."""
    for level in range(lowest, size.bit_length()):
        for index in range(size >> level):
            yield level, index, _hash(level, index)


@pytest.fixture(autouse=True)
def _empty() -> Iterator[None]:
    node_cache.clear()
    yield
    node_cache.clear()


@pytest.mark.parametrize("size", [1, 2, 1000, 65_536, 10**6, 10**8 + 7])
def test_the_lowest_level_kept_is_the_least_within_the_bound(size: int) -> None:
    lowest = lowest_upper_level(size)
    kept = sum(1 for _ in _nodes(size, lowest)) if size < 10**7 else None
    count = sum(size >> level for level in range(lowest, size.bit_length()))
    assert kept in (None, count)
    assert count <= node_cache.UPPER_NODES
    if lowest > 0:
        assert count + (size >> (lowest - 1)) > node_cache.UPPER_NODES


def test_a_block_holds_the_nodes_read_up_to_a_gap_and_the_size() -> None:
    rows = [r for r in _nodes(40) if r[:2] != (1, 7)]  # level 1 lacks index 7 (not stored yet)
    rows += [(0, 40, _hash(0, 40)), (0, 41, _hash(0, 41))]  # beyond the tree of 40: not kept
    rows.sort()
    upper = UpperLevels.from_rows(0, 40, rows)
    assert [len(block) // 32 for block in upper.blocks] == [40, 7, 10, 5, 2, 1]
    cache = NodeCache(sa.create_engine("sqlite://"), 1)
    cache.put_upper(upper)
    keys = [(0, 0), (0, 39), (0, 40), (1, 6), (1, 7), (1, 8), (5, 0), (5, 1), (6, 0)]
    found, missing = cache.get(keys)
    assert found == {key: _hash(*key) for key in [(0, 0), (0, 39), (1, 6), (5, 0)]}
    assert missing == [(0, 40), (1, 7), (1, 8), (5, 1), (6, 0)]


def test_a_block_from_a_level_up_ignores_the_levels_below() -> None:
    upper = UpperLevels.from_rows(3, 100, _nodes(100, 2))
    assert [len(block) // 32 for block in upper.blocks] == [12, 6, 3, 1]
    cache = NodeCache(sa.create_engine("sqlite://"), 2)
    cache.put_upper(upper)
    found, missing = cache.get([(2, 0), (3, 11), (6, 0)])
    assert found == {(3, 11): _hash(3, 11), (6, 0): _hash(6, 0)}
    assert missing == [(2, 0)]


def test_the_blocks_of_a_few_logs_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(node_cache, "UPPER_FROM_SIZE", 1)
    engine = sa.create_engine("sqlite://")
    caches = [NodeCache(engine, log_id) for log_id in range(node_cache.MAX_UPPER_LOGS + 1)]
    for cache in caches:
        assert cache.upper_wanted(100) == lowest_upper_level(100)
        cache.put_upper(UpperLevels.from_rows(0, 100, _nodes(100)))
        assert cache.upper_wanted(199) is None  # kept for a tree under twice the size read
        assert cache.upper_wanted(200) == lowest_upper_level(200)
    assert caches[0].get([(0, 0)])[1] == [(0, 0)]  # the least recently used went
    assert caches[-1].get([(0, 0)])[0] == {(0, 0): _hash(0, 0)}
    assert len(node_cache._upper) == node_cache.MAX_UPPER_LOGS


def test_small_trees_keep_no_blocks() -> None:
    cache = NodeCache(sa.create_engine("sqlite://"), 1)
    assert cache.upper_wanted(node_cache.UPPER_FROM_SIZE - 1) is None
    assert cache.upper_wanted(node_cache.UPPER_FROM_SIZE) is not None


def test_composed_roots_are_kept_per_log_and_the_least_recently_used_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(node_cache, "MAX_CACHED_ROOTS", 3)
    engine = sa.create_engine("sqlite://")
    ours, theirs = NodeCache(engine, 1), NodeCache(engine, 2)
    assert ours.root(64, 100) is None
    ours.put_root(64, 100, _hash(9, 1))
    assert ours.root(64, 100) == _hash(9, 1)
    assert theirs.root(64, 100) is None  # another log's range of the same leaves
    assert NodeCache(sa.create_engine("sqlite://"), 1).root(64, 100) is None  # another database
    ours.put_root(96, 100, _hash(9, 2))
    assert ours.root(64, 100) == _hash(9, 1)  # used: now the most recent
    theirs.put_root(64, 100, _hash(9, 3))
    ours.put_root(0, 3, _hash(9, 4))  # a fourth: the least recently used goes
    assert ours.root(96, 100) is None
    assert [ours.root(64, 100), theirs.root(64, 100), ours.root(0, 3)] == [
        _hash(9, 1),
        _hash(9, 3),
        _hash(9, 4),
    ]
    node_cache.clear()
    assert ours.root(64, 100) is None
