"""The Merkle tree of RFC 9162 section 2.1: hashes, inclusion and consistency proofs.

Hand-written, on purpose: this module is the heart of the project. Every acknowledgement,
every reveal and every equivocation finding rests on these few functions, so they are written
out step by step from the RFC text (section numbers in the docstrings), with no dependency but
:mod:`hashlib`, no I/O and no state outside :class:`CompactRange`.

Hashing (RFC 9162 2.1.1): SHA-256; ``leaf_hash(d) = H(0x00 || d)``, ``node_hash(l, r) =
H(0x01 || l || r)``; the hash of the empty tree is ``H("")``; a tree of n > 1 leaves splits at
k, the largest power of two strictly smaller than n: ``MTH(D[n]) = node_hash(MTH(D[0:k]),
MTH(D[k:n]))``.

Two kinds of callers:

- **Leaves in memory** (tests, small tools): :func:`root`, :func:`inclusion_proof`,
  :func:`consistency_proof` take the raw leaf bytes.
- **The log**, which never rehashes every leaf: it keeps a :class:`CompactRange` (O(log n) per
  append), stores each perfect-subtree hash that :meth:`CompactRange.append` reports, and builds
  proofs with :func:`inclusion_proof_from` / :func:`consistency_proof_from` over an accessor
  ``get_subtree_root(start, end)``. :func:`subtree_root_from_nodes` turns a lookup of stored
  node hashes ``get_node(level, index)`` into such an accessor. The rule of which subtrees a
  proof holds is in one place, :func:`inclusion_ranges` / :func:`consistency_ranges` (the
  ranges [start, end) in proof order), so a caller can fetch every node a proof needs at once
  and then assemble it.

Verification (:func:`verify_inclusion`, :func:`verify_consistency`) follows RFC 9162 2.1.3.2 and
2.1.4.2 step by step and returns ``False`` for a proof that does not verify. Like the reference
implementation (transparency-dev/merkle) it raises :class:`ValueError` for arguments that cannot
describe a tree: a negative size or index, an index outside the tree (index >= size), a hash or
proof node that is not 32 bytes, an old size above the new size, and any consistency proof from
the empty tree (old size 0: it proves nothing, and the reference rejects it too).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "CompactRange",
    "Node",
    "consistency_proof",
    "consistency_proof_from",
    "consistency_ranges",
    "inclusion_proof",
    "inclusion_proof_from",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "root",
    "subtree_root_from_nodes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: Final = 32
"""Bytes in every hash, root and proof node (SHA-256)."""

EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
"""MTH of the empty tree: SHA-256 of the empty string (RFC 9162 2.1.1)."""

Range = tuple[int, int]
"""[start, end): the leaves of a subtree, as a proof names them."""

SubtreeRoot = Callable[[int, int], bytes]
"""``get_subtree_root(start, end)``: MTH of the leaves [start, end) (see the proof builders)."""

NodeLookup = Callable[[int, int], bytes]
"""``get_node(level, index)``: the stored hash of the perfect subtree
[index * 2**level, (index + 1) * 2**level)."""


@dataclass(frozen=True, slots=True)
class Node:
    """A perfect subtree's hash: leaves [index * 2**level, (index + 1) * 2**level)."""

    level: int
    index: int
    hash: bytes


def leaf_hash(data: bytes) -> bytes:
    """Hash of one leaf: SHA-256(0x00 || data) (RFC 9162 2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node: SHA-256(0x01 || left || right) (RFC 9162 2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k of RFC 9162 2.1.1: the largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Root of adjacent perfect subtrees, largest first: h0 . (h1 . (... . hk))."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def _mth(hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH over the leaf hashes [start, end), by the recursion of RFC 9162 2.1.1."""
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[start]
    k = _split(n)
    return node_hash(_mth(hashes, start, start + k), _mth(hashes, start + k, end))


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what}: {len(value)} bytes, a SHA-256 hash has {HASH_SIZE}")


def _check_proof(proof: Iterable[bytes]) -> list[bytes]:
    nodes = list(proof)
    for i, p in enumerate(nodes):
        _check_hash(p, f"proof[{i}]")
    return nodes


# --- Leaves in memory -------------------------------------------------------------------------


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of the raw leaf bytes (RFC 9162 2.1.1); ``EMPTY_ROOT`` for no leaves."""
    hashes = [leaf_hash(d) for d in leaves]
    return _mth(hashes, 0, len(hashes))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 2.1.3.1, from the raw leaf bytes; leaf-to-root order."""
    hashes = [leaf_hash(d) for d in leaves]
    return inclusion_proof_from(lambda s, e: _mth(hashes, s, e), index, len(hashes))


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) of RFC 9162 2.1.4.1, from the raw leaf bytes (all n new leaves).

    Empty when ``old_size == len(leaves)``; ``ValueError`` for old_size 0 or beyond n.
    """
    hashes = [leaf_hash(d) for d in leaves]
    return consistency_proof_from(lambda s, e: _mth(hashes, s, e), old_size, len(hashes))


# --- Proofs from stored node hashes -----------------------------------------------------------


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges [start, end) whose MTHs make PATH(index, D[size]) (RFC 9162 2.1.3.1),
    in the proof's order (leaf to root).

    ``PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])`` for m < k, else ``PATH(m - k, D[k:n]) :
    MTH(D[0:k])``, unrolled from the root down and returned leaf-to-root.

    At most ``ceil(log2(size))`` ranges, each [start, end) with start a multiple of 2**h and
    end - start <= 2**h, where 2**h = end - start rounded up to a power of two. Every one is a
    perfect subtree (end - start = 2**h, one stored node) except at most one range that ends
    at ``size`` (the right sibling on the tree's right border), whose root
    :func:`subtree_root_from_nodes` composes from at most log2(size) stored nodes. So a proof
    costs O(log n) node reads. ``ValueError`` for a negative index or size, or an index
    outside the tree.
    """
    if index < 0 or size < 0:
        raise ValueError(f"index {index}, size {size}: must not be negative")
    if index >= size:
        raise ValueError(f"index {index} is outside a tree of size {size}")
    ranges: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:  # leaf in the left subtree: the right one is in the path
            ranges.append((lo + k, hi))
            hi = lo + k
        else:  # leaf in the right subtree: the left one is
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The leaf ranges [start, end) whose MTHs make PROOF(old_size, D[new_size]) (RFC 9162
    2.1.4.1), in the RFC's order.

    ``SUBPROOF(m, D[n], b)``: for m == n, nothing if b else ``MTH(D[m])``; for m <= k,
    ``SUBPROOF(m, D[0:k], b) : MTH(D[k:n])``; otherwise ``SUBPROOF(m - k, D[k:n], false) :
    MTH(D[0:k])``. Unrolled from the root down (b turns false, here, exactly when the walk has
    gone right once, i.e. ``lo > 0``) and returned in the RFC's order. Empty for old_size ==
    new_size (outside the RFC's 0 < m < n, as in the reference implementation).

    Ranges as for :func:`inclusion_ranges` (aligned subtrees, all perfect but at most one that
    ends at ``new_size``), at most ``ceil(log2(new_size)) + 1`` of them. ``ValueError`` for
    negative sizes, an old size above the new one, and old size 0.
    """
    if old_size < 0 or new_size < 0:
        raise ValueError(f"sizes {old_size}, {new_size}: must not be negative")
    if old_size > new_size:
        raise ValueError(f"old size {old_size} is larger than the new size {new_size}")
    if old_size == 0:
        raise ValueError("a consistency proof from the empty tree (old size 0) proves nothing")
    ranges: list[Range] = []
    lo, hi = 0, new_size
    while hi != old_size:
        k = _split(hi - lo)
        if old_size <= lo + k:  # m <= k: the old tree ends in the left subtree
            ranges.append((lo + k, hi))
            hi = lo + k
        else:  # m > k: the left subtree is shared, continue right with b = false
            ranges.append((lo, lo + k))
            lo += k
    if lo > 0:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def inclusion_proof_from(get_subtree_root: SubtreeRoot, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 2.1.3.1, asking ``get_subtree_root`` for the root of
    each range of :func:`inclusion_ranges` (same order, same errors)."""
    return [get_subtree_root(start, end) for start, end in inclusion_ranges(index, size)]


def consistency_proof_from(
    get_subtree_root: SubtreeRoot, old_size: int, new_size: int
) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 9162 2.1.4.1, asking ``get_subtree_root`` for the
    root of each range of :func:`consistency_ranges` (same order, same errors)."""
    return [get_subtree_root(start, end) for start, end in consistency_ranges(old_size, new_size)]


def subtree_root_from_nodes(get_node: NodeLookup, start: int, end: int) -> bytes:
    """MTH of the leaves [start, end) from stored perfect-subtree hashes, in O(log n) reads.

    [start, end) must be an aligned subtree: start a multiple of 2**h with end - start <= 2**h
    (every range the proof builders ask for is one). It is cut, left to right, into the perfect
    subtrees given by the binary digits of end - start, and folded from the right as in
    :meth:`CompactRange.root`. Use ``lambda s, e: subtree_root_from_nodes(store.node, s, e)``
    as the ``get_subtree_root`` of the proof builders.
    """
    if not 0 <= start < end:
        raise ValueError(f"[{start}, {end}) is not a non-empty range of leaves")
    width = end - start
    height = (width - 1).bit_length()  # 2**height: width rounded up to a power of two
    if start % (1 << height):
        raise ValueError(
            f"[{start}, {end}) is not a subtree: {start} is not a multiple of {1 << height}"
        )
    if width == 1 << height:  # a perfect subtree: its own stored node
        return get_node(height, start >> height)
    hashes = []
    pos = start
    for level in range(height, -1, -1):
        if width >> level & 1:
            hashes.append(get_node(level, pos >> level))
            pos += 1 << level
    return _fold(hashes)


class CompactRange:
    """The right border of a growing tree: one hash per perfect subtree of [0, size).

    ``hashes`` are the roots of the perfect subtrees that [0, size) splits into, largest (left)
    first, one per set bit of ``size``. :meth:`append` costs O(log n) and reports every perfect
    subtree it completes, for the log to store; :meth:`root` folds the border into MTH(D[size]).
    Rebuild one from storage with ``CompactRange(size, hashes)``.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if size < 0:
            raise ValueError(f"size {size}: must not be negative")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a tree of size {size} has {size.bit_count()} perfect subtrees on its border, "
                f"not {len(hashes)}"
            )
        for i, h in enumerate(hashes):
            _check_hash(h, f"hashes[{i}]")
        self._size = size
        self._hashes = list(hashes)

    @property
    def size(self) -> int:
        """Number of leaves appended."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """Roots of the perfect subtrees of [0, size), largest (leftmost) first."""
        return tuple(self._hashes)

    def nodes(self) -> list[Node]:
        """The border as nodes: (level, index, hash) of each perfect subtree, left first."""
        out = []
        pos = 0
        levels = [b for b in range(self._size.bit_length() - 1, -1, -1) if self._size >> b & 1]
        for level, h in zip(levels, self._hashes, strict=True):
            out.append(Node(level, pos >> level, h))
            pos += 1 << level
        return out

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Add one leaf (its :func:`leaf_hash`); return the perfect subtrees it completes.

        The first node returned is the leaf itself, (0, old size, leaf_hash); then one node for
        each merge with the border, level by level upwards. Together, over all appends, these
        are every perfect subtree of the tree, each reported once.
        """
        _check_hash(leaf_hash, "leaf hash")
        index = self._size
        h = leaf_hash
        created = [Node(0, index, h)]
        level = 0
        while index & 1:  # the subtree to the left at this level is complete: merge
            h = node_hash(self._hashes.pop(), h)
            index >>= 1
            level += 1
            created.append(Node(level, index, h))
        self._hashes.append(h)
        self._size += 1
        return created

    def root(self) -> bytes:
        """MTH(D[size]); ``EMPTY_ROOT`` while empty."""
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompactRange):
            return NotImplemented
        return self._size == other._size and self._hashes == other._hashes

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size}, hashes=[{len(self._hashes)} hashes])"


# --- Verification -----------------------------------------------------------------------------


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` show the leaf ``leaf_hash`` at ``index`` in the tree of
    ``size`` leaves whose root is ``root``?

    ``ValueError`` (not a tree): negative index or size, index >= size (step 1), a leaf hash,
    root or proof node that is not 32 bytes. Otherwise ``True`` or ``False``.
    """
    if index < 0 or size < 0:
        raise ValueError(f"index {index}, size {size}: must not be negative")
    # 1. leaf_index >= tree_size fails: the index is outside the tree.
    if index >= size:
        raise ValueError(f"index {index} is outside a tree of size {size}")
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root")
    path = _check_proof(proof)
    # 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
    fn, sn = index, size - 1
    r = leaf_hash
    # 4. For each p in inclusion_path:
    for p in path:
        # a. If sn is 0, stop and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn == sn:
        if fn & 1 or fn == sn:
            r = node_hash(p, r)  # 1. r = HASH(0x01 || p || r)
            # 2. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)  # Otherwise: r = HASH(0x01 || r || p)
        # c. Right-shift fn and sn once.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal root_hash.
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does ``proof`` show that the tree (old_size, old_root) is a prefix of
    the tree (new_size, new_root)?

    ``ValueError`` (not a pair of trees): negative sizes, old_size > new_size, old_size 0 (a
    proof from the empty tree), a root or proof node that is not 32 bytes. For old_size ==
    new_size (outside the RFC's 0 < first < second) the proof must be empty and the roots equal,
    as in the reference implementation. Otherwise ``True`` or ``False``.
    """
    if old_size < 0 or new_size < 0:
        raise ValueError(f"sizes {old_size}, {new_size}: must not be negative")
    if old_size > new_size:
        raise ValueError(f"old size {old_size} is larger than the new size {new_size}")
    if old_size == 0:
        raise ValueError("a consistency proof from the empty tree (old size 0) proves nothing")
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    path = _check_proof(proof)
    if old_size == new_size:
        return not path and hmac.compare_digest(old_root, new_root)
    # 1. An empty consistency_path fails.
    if not path:
        return False
    # 2. If first is an exact power of 2, prepend first_hash to consistency_path.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, right-shift fn and sn equally until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of consistency_path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        # a. If sn is 0, stop and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn == sn:
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)  # 1. fr = HASH(0x01 || c || fr)
            sr = node_hash(c, sr)  # 2. sr = HASH(0x01 || c || sr)
            # 3. If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)  # Otherwise: sr = HASH(0x01 || sr || c)
        # c. Right-shift fn and sn once.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr must equal second_hash, and sn must be 0.
    return hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root) and sn == 0
