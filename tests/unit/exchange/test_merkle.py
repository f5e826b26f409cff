"""Unit tests of glasnost.exchange.merkle: every tree size and index up to 300 leaves.

Exhaustive loops cover every (index, size) and every (old_size, new_size) up to 300 leaves with
the proofs built from stored node hashes (as the log builds them); hypothesis draws from the same
range for the slower leaf-based builders and for mutated proofs. The expected roots come from a
memoised recursion written here from RFC 9162 2.1.1, not from the module.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glasnost.exchange.merkle import (
    EMPTY_ROOT,
    CompactRange,
    Node,
    consistency_proof,
    consistency_proof_from,
    consistency_ranges,
    inclusion_proof,
    inclusion_proof_from,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    root,
    subtree_root_from_nodes,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 300
LEAVES = [f"entry {i}".encode() for i in range(MAX_SIZE)]
HASHES = [hashlib.sha256(b"\x00" + d).digest() for d in LEAVES]


def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while 2 * k < n:
        k *= 2
    return k


@cache
def _mth(start: int, end: int) -> bytes:
    """MTH(D[start:end]) over LEAVES, straight from RFC 9162 2.1.1 (memoised)."""
    n = end - start
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return HASHES[start]
    k = _largest_power_of_two_below(n)
    return hashlib.sha256(b"\x01" + _mth(start, start + k) + _mth(start + k, end)).digest()


def _build_store() -> tuple[dict[tuple[int, int], bytes], list[bytes], list[list[Node]]]:
    """Append every leaf to a CompactRange, as the log does; keep what it reports."""
    store: dict[tuple[int, int], bytes] = {}
    roots = [CompactRange().root()]
    created: list[list[Node]] = []
    cr = CompactRange()
    for h in HASHES:
        nodes = cr.append(h)
        created.append(nodes)
        for node in nodes:
            assert (node.level, node.index) not in store
            store[(node.level, node.index)] = node.hash
        roots.append(cr.root())
    return store, roots, created


STORE, CR_ROOTS, CREATED = _build_store()


def _get_node(level: int, index: int) -> bytes:
    return STORE[(level, index)]


def _from_store(start: int, end: int) -> bytes:
    return subtree_root_from_nodes(_get_node, start, end)


def _flip(proof: list[bytes], i: int, j: int, mask: int) -> list[bytes]:
    out = list(proof)
    node = bytearray(out[i])
    node[j] ^= mask
    out[i] = bytes(node)
    return out


# --- Hashing -----------------------------------------------------------------------------------


def test_leaf_and_node_hashes_are_tagged_differently() -> None:
    a, b = b"a" * 32, b"b" * 32
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert leaf_hash(a + b) != node_hash(a, b)  # second-preimage separation


def test_empty_tree_root_is_the_hash_of_the_empty_string() -> None:
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert CompactRange().root() == EMPTY_ROOT


def test_root_splits_at_the_largest_power_of_two_strictly_below_n() -> None:
    assert root(LEAVES[:1]) == HASHES[0]
    assert root(LEAVES[:3]) == node_hash(node_hash(HASHES[0], HASHES[1]), HASHES[2])
    assert root(LEAVES[:4]) == node_hash(
        node_hash(HASHES[0], HASHES[1]), node_hash(HASHES[2], HASHES[3])
    )
    for n in range(0, MAX_SIZE + 1):
        assert root(LEAVES[:n]) == _mth(0, n), n


# --- Inclusion ---------------------------------------------------------------------------------


def test_every_inclusion_proof_verifies_up_to_300_leaves() -> None:
    for size in range(1, MAX_SIZE + 1):
        tree_root = _mth(0, size)
        for index in range(size):
            proof = inclusion_proof_from(_from_store, index, size)
            assert proof == inclusion_proof_from(_mth, index, size), (index, size)
            assert verify_inclusion(HASHES[index], index, size, proof, tree_root), (index, size)


def test_inclusion_proofs_from_leaves_equal_those_from_nodes_for_small_trees() -> None:
    for size in range(1, 49):
        for index in range(size):
            expected = inclusion_proof_from(_from_store, index, size)
            assert inclusion_proof(LEAVES[:size], index) == expected, (index, size)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_inclusion_proofs_from_leaves_equal_those_from_nodes(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(LEAVES[:size], index)
    assert proof == inclusion_proof_from(_from_store, index, size)
    assert verify_inclusion(leaf_hash(LEAVES[index]), index, size, proof, root(LEAVES[:size]))


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_rejects_tampered_inclusion_proof(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof_from(_from_store, index, size)
    tree_root = _mth(0, size)
    leaf = HASHES[index]
    assert verify_inclusion(leaf, index, size, proof, tree_root)

    if proof:
        i = data.draw(st.integers(0, len(proof) - 1), label="node")
        j = data.draw(st.integers(0, 31), label="byte")
        mask = data.draw(st.integers(1, 255), label="mask")
        assert not verify_inclusion(leaf, index, size, _flip(proof, i, j, mask), tree_root)
        dropped = proof[:i] + proof[i + 1 :]
        assert not verify_inclusion(leaf, index, size, dropped, tree_root)
    extra = data.draw(st.binary(min_size=32, max_size=32), label="extra")
    at = data.draw(st.integers(0, len(proof)), label="at")
    added = [*proof[:at], extra, *proof[at:]]
    assert not verify_inclusion(leaf, index, size, added, tree_root)

    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda k: k != index), label="other")
        assert not verify_inclusion(leaf, other, size, proof, tree_root)  # wrong index
        assert not verify_inclusion(HASHES[other], index, size, proof, tree_root)  # wrong leaf
    assert not verify_inclusion(leaf, index, 2 * size, proof, tree_root)  # wrong size
    if index < size // 2:
        assert not verify_inclusion(leaf, index, size // 2, proof, tree_root)
    wrong_root = data.draw(st.integers(0, MAX_SIZE).filter(lambda n: n != size), label="root")
    assert not verify_inclusion(leaf, index, size, proof, _mth(0, wrong_root))


def test_the_root_does_not_commit_to_the_size() -> None:
    """RFC 9162 roots do not hash the tree size: the proof of leaf 5 in the 8-leaf tree also
    verifies as "leaf 5 of 7" against the 8-leaf root. Size and root must therefore always be
    taken together from one signed checkpoint, never size from the caller."""
    proof = inclusion_proof(LEAVES[:8], 5)
    assert verify_inclusion(HASHES[5], 5, 7, proof, _mth(0, 8))
    assert not verify_inclusion(HASHES[5], 5, 7, proof, _mth(0, 7))


# --- Consistency -------------------------------------------------------------------------------


def test_every_consistency_proof_verifies_up_to_300_leaves() -> None:
    for new_size in range(1, MAX_SIZE + 1):
        new_root = _mth(0, new_size)
        for old_size in range(1, new_size + 1):
            proof = consistency_proof_from(_from_store, old_size, new_size)
            assert proof == consistency_proof_from(_mth, old_size, new_size)
            assert verify_consistency(old_size, new_size, _mth(0, old_size), new_root, proof), (
                old_size,
                new_size,
            )


def test_consistency_proofs_from_leaves_equal_those_from_nodes_for_small_trees() -> None:
    for new_size in range(1, 49):
        for old_size in range(1, new_size + 1):
            expected = consistency_proof_from(_from_store, old_size, new_size)
            assert consistency_proof(LEAVES[:new_size], old_size) == expected


def test_consistency_proof_between_equal_sizes_is_empty() -> None:
    assert consistency_proof(LEAVES[:5], 5) == []
    assert verify_consistency(5, 5, _mth(0, 5), _mth(0, 5), [])
    assert not verify_consistency(5, 5, _mth(0, 5), _mth(0, 4), [])
    assert not verify_consistency(5, 5, _mth(0, 5), _mth(0, 5), [_mth(0, 5)])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_consistency_proofs_from_leaves_equal_those_from_nodes(data: st.DataObject) -> None:
    new_size = data.draw(st.integers(1, MAX_SIZE), label="new_size")
    old_size = data.draw(st.integers(1, new_size), label="old_size")
    proof = consistency_proof(LEAVES[:new_size], old_size)
    assert proof == consistency_proof_from(_from_store, old_size, new_size)
    old_root, new_root = root(LEAVES[:old_size]), root(LEAVES[:new_size])
    assert verify_consistency(old_size, new_size, old_root, new_root, proof)


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_rejects_tampered_consistency_proof(data: st.DataObject) -> None:
    new_size = data.draw(st.integers(2, MAX_SIZE), label="new_size")
    old_size = data.draw(st.integers(1, new_size - 1), label="old_size")
    proof = consistency_proof_from(_from_store, old_size, new_size)
    r1, r2 = _mth(0, old_size), _mth(0, new_size)
    assert verify_consistency(old_size, new_size, r1, r2, proof)

    i = data.draw(st.integers(0, len(proof) - 1), label="node")
    j = data.draw(st.integers(0, 31), label="byte")
    mask = data.draw(st.integers(1, 255), label="mask")
    assert not verify_consistency(old_size, new_size, r1, r2, _flip(proof, i, j, mask))
    assert not verify_consistency(old_size, new_size, r1, r2, proof[:i] + proof[i + 1 :])
    extra = data.draw(st.binary(min_size=32, max_size=32), label="extra")
    at = data.draw(st.integers(0, len(proof)), label="at")
    added = [*proof[:at], extra, *proof[at:]]
    assert not verify_consistency(old_size, new_size, r1, r2, added)
    assert not verify_consistency(old_size, new_size, r2, r1, proof)  # swapped roots
    assert not verify_consistency(old_size, new_size, r1, r2, [])  # empty proof
    assert not verify_consistency(old_size, 2 * new_size, r1, r2, proof)  # wrong new size
    if old_size <= new_size // 2:
        assert not verify_consistency(old_size, new_size // 2, r1, r2, proof)
    other_old = data.draw(st.integers(1, new_size).filter(lambda m: m != old_size), label="m")
    assert not verify_consistency(other_old, new_size, r1, r2, proof)  # wrong old size
    assert not verify_consistency(other_old, new_size, _mth(0, other_old), r2, proof)


# --- Compact range and the node store ----------------------------------------------------------


def test_compact_range_root_equals_root_for_every_size() -> None:
    for size in range(MAX_SIZE + 1):
        assert CR_ROOTS[size] == _mth(0, size), size


def test_compact_range_reports_every_perfect_subtree_once() -> None:
    for size, nodes in enumerate(CREATED):
        assert nodes[0] == Node(0, size, HASHES[size])
        for node in nodes:
            start, end = node.index << node.level, (node.index + 1) << node.level
            assert node.hash == _mth(start, end), node
    n = MAX_SIZE
    assert len(STORE) == 2 * n - n.bit_count()  # all perfect subtrees of [0, n)


def test_compact_range_border_and_restore() -> None:
    cr = CompactRange()
    for size, h in enumerate(HASHES[:100]):
        restored = CompactRange(cr.size, cr.hashes)
        assert restored == cr
        assert [n.hash for n in cr.nodes()] == list(cr.hashes)
        for node in cr.nodes():
            assert STORE[(node.level, node.index)] == node.hash
        assert restored.append(h) == cr.append(h)
        assert restored == cr
        assert cr.size == size + 1


def _trace(kind: str, x: int, size: int) -> tuple[int, list[tuple[int, int]]]:
    """Build one proof over the node store; return the node reads and the ranges asked for."""
    ranges: list[tuple[int, int]] = []
    reads = 0

    def count_node(level: int, index: int) -> bytes:
        nonlocal reads
        reads += 1
        return _get_node(level, index)

    def get(start: int, end: int) -> bytes:
        ranges.append((start, end))
        return subtree_root_from_nodes(count_node, start, end)

    if kind == "inclusion":
        inclusion_proof_from(get, x, size)
    else:
        consistency_proof_from(get, x + 1, size)
    return reads, ranges


def test_proofs_read_o_log_n_nodes_of_aligned_subtrees() -> None:
    for size in range(1, 130):
        for x in range(size):
            for kind in ("inclusion", "consistency"):
                reads, ranges = _trace(kind, x, size)
                assert reads <= 2 * size.bit_length() + 1, (kind, x, size, reads)
                for start, end in ranges:
                    width = 1 << (end - start - 1).bit_length()
                    assert start % width == 0, (kind, x, size, start, end)
                partial = [(s, e) for s, e in ranges if (e - s) & (e - s - 1)]
                assert len(partial) <= 1
                assert all(e == size for _, e in partial)


# --- Proof ranges ------------------------------------------------------------------------------

RANGES_MAX_SIZE = 70


def _path_ranges(m: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """PATH(m, D[lo:hi]) of RFC 9162 2.1.3.1 as leaf ranges, by its recursion."""
    n = hi - lo
    if n == 1:
        return []
    k = _largest_power_of_two_below(n)
    if m < k:
        return [*_path_ranges(m, lo, lo + k), (lo + k, hi)]
    return [*_path_ranges(m - k, lo + k, hi), (lo, lo + k)]


def _subproof_ranges(m: int, lo: int, hi: int, b: bool) -> list[tuple[int, int]]:
    """SUBPROOF(m, D[lo:hi], b) of RFC 9162 2.1.4.1 as leaf ranges, by its recursion."""
    n = hi - lo
    if m == n:
        return [] if b else [(lo, hi)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        return [*_subproof_ranges(m, lo, lo + k, b), (lo + k, hi)]
    return [*_subproof_ranges(m - k, lo + k, hi, False), (lo, lo + k)]


def test_inclusion_ranges_follow_the_rfc_recursion_up_to_70_leaves() -> None:
    for size in range(1, RANGES_MAX_SIZE + 1):
        for index in range(size):
            assert inclusion_ranges(index, size) == _path_ranges(index, 0, size), (index, size)


def test_consistency_ranges_follow_the_rfc_recursion_up_to_70_leaves() -> None:
    for new_size in range(1, RANGES_MAX_SIZE + 1):
        for old_size in range(1, new_size + 1):
            expected = _subproof_ranges(old_size, 0, new_size, True)
            assert consistency_ranges(old_size, new_size) == expected, (old_size, new_size)


def test_ranges_of_large_trees_follow_the_rfc_recursion() -> None:
    rng = random.Random(9162)
    for _ in range(2000):
        size = rng.randrange(1, 1 << rng.randrange(1, 64))
        index = rng.randrange(size)
        assert inclusion_ranges(index, size) == _path_ranges(index, 0, size), (index, size)
        old_size = rng.randrange(1, size + 1)
        expected = _subproof_ranges(old_size, 0, size, True)
        assert consistency_ranges(old_size, size) == expected, (old_size, size)
    for size in (1 << 40, (1 << 40) + 1, (1 << 63) - 1):  # the borders of a power of two
        for index in (0, size // 2, size - 1):
            assert inclusion_ranges(index, size) == _path_ranges(index, 0, size), (index, size)
            if index:
                expected = _subproof_ranges(index, 0, size, True)
                assert consistency_ranges(index, size) == expected, (index, size)


def test_proofs_from_nodes_are_the_roots_of_their_ranges() -> None:
    for size in range(1, RANGES_MAX_SIZE + 1):
        for x in range(size):
            expected = [_mth(s, e) for s, e in _path_ranges(x, 0, size)]
            assert inclusion_proof_from(_from_store, x, size) == expected, (x, size)
            expected = [_mth(s, e) for s, e in _subproof_ranges(x + 1, 0, size, True)]
            assert consistency_proof_from(_from_store, x + 1, size) == expected, (x + 1, size)


# --- Arguments that cannot describe a tree -----------------------------------------------------

H = b"\x11" * 32


@pytest.mark.parametrize(
    ("index", "size"), [(0, 0), (1, 1), (5, 3), (-1, 3), (0, -1), (2**64, 2**64 - 1)]
)
def test_inclusion_rejects_index_outside_the_tree(index: int, size: int) -> None:
    with pytest.raises(ValueError, match=r"outside a tree|negative"):
        verify_inclusion(H, index, size, [], H)
    with pytest.raises(ValueError, match=r"outside a tree|negative"):
        inclusion_proof_from(_mth, index, size)
    with pytest.raises(ValueError, match=r"outside a tree|negative"):
        inclusion_ranges(index, size)


def test_inclusion_rejects_hashes_that_are_not_32_bytes() -> None:
    for bad in (b"", b"\x11" * 31, b"\x11" * 33):
        with pytest.raises(ValueError, match="SHA-256"):
            verify_inclusion(bad, 0, 1, [], H)
        with pytest.raises(ValueError, match="SHA-256"):
            verify_inclusion(H, 0, 1, [], bad)
        with pytest.raises(ValueError, match="SHA-256"):
            verify_inclusion(H, 0, 2, [bad], H)
    with pytest.raises(ValueError, match="outside a tree"):
        inclusion_proof(LEAVES[:3], 3)


@pytest.mark.parametrize(
    ("old_size", "new_size"), [(0, 0), (0, 1), (0, 8), (2, 1), (1, 0), (-1, 3), (1, -1)]
)
def test_consistency_rejects_sizes_that_cannot_describe_two_trees(
    old_size: int, new_size: int
) -> None:
    reason = r"empty tree|larger than the new size|negative"
    with pytest.raises(ValueError, match=reason):
        verify_consistency(old_size, new_size, H, H, [])
    with pytest.raises(ValueError, match=reason):
        verify_consistency(old_size, new_size, EMPTY_ROOT, EMPTY_ROOT, [H])
    with pytest.raises(ValueError, match=reason):
        consistency_proof_from(_mth, old_size, new_size)
    with pytest.raises(ValueError, match=reason):
        consistency_ranges(old_size, new_size)


def test_consistency_rejects_hashes_that_are_not_32_bytes() -> None:
    for bad in (b"", b"WrongRoot", b"\x11" * 33):
        with pytest.raises(ValueError, match="SHA-256"):
            verify_consistency(1, 2, bad, H, [H])
        with pytest.raises(ValueError, match="SHA-256"):
            verify_consistency(1, 2, H, bad, [H])
        with pytest.raises(ValueError, match="SHA-256"):
            verify_consistency(1, 2, H, H, [bad])
        with pytest.raises(ValueError, match="SHA-256"):
            verify_consistency(3, 3, H, H, [bad])
    with pytest.raises(ValueError, match="larger than the new size"):
        consistency_proof(LEAVES[:3], 4)


def test_compact_range_and_node_lookup_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="perfect subtrees"):
        CompactRange(3, [H])  # a size-3 border has two perfect subtrees
    with pytest.raises(ValueError, match="negative"):
        CompactRange(-1)
    with pytest.raises(ValueError, match="SHA-256"):
        CompactRange(1, [b"short"])
    with pytest.raises(ValueError, match="SHA-256"):
        CompactRange().append(b"short")
    get: Callable[[int, int], bytes] = _get_node
    for start, end in [(0, 0), (3, 2), (1, 3), (2, 5), (-1, 1)]:
        with pytest.raises(ValueError, match=r"range of leaves|not a subtree"):
            subtree_root_from_nodes(get, start, end)
