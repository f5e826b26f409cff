"""Validation of glasnost.exchange.merkle against the published test data of the reference
implementations of RFC 9162 / RFC 6962 Merkle trees.

Sources (hex values copied from these files; repository, path and commit as stored):

- TD_CONST: transparency-dev/merkle testonly/constants.go
  @ 582a6ad190b6848f1d26f8bf08ddef29955d9db1 -- LeafInputs, NodeHashes, RootHashes,
  CompactTrees, EmptyRootHash.
- TD_REF: transparency-dev/merkle testonly/reference_test.go
  @ 141d627eab770a7e9a2514f46a8b6338e6d90874 -- TestRefInclusionProof, TestRefConsistencyProof.
- TD_VERIFY: transparency-dev/merkle proof/verify_test.go
  @ 02194e9afb6c1d95b5381350007963aa70fff472 -- inclusionProofs, consistencyProofs, roots,
  sha256SomeHash, the negative probes corruptInclusionProof / corruptConsistencyProof,
  TestVerifyInclusionSingleEntry, TestVerifyInclusion.
- TD_PROOFGEN: transparency-dev/merkle cmd/proofgen/main.go (2025 version) --
  staticConsistencyProbes, published as testdata/consistency/additional/*.json (e.g.
  sizes-are-equal-zero-and-proof-is-empty.json @ 8c666a79ae695b010ac709a5d662e1f4fae5cd1a).
- TRILLIAN: google/trillian merkle/log_verifier_test.go
  @ 046133338f74123a69fbdf2434eba4ec4f4e5e0d -- the same vectors, and the probe that replaces
  each proof node by the empty-tree hash.

The reference's "wantErr" is an error value; here a probe that must fail either returns False
or raises ValueError, and which one is checked against DESIGN.md's list of arguments that cannot
describe a tree. Go's unsigned arithmetic (``leafIndex - 1`` at 0) is reproduced modulo 2**64.
Byte strings are compared with plain asserts (the ``reference`` fixture compares floats).

Finally, the module is cross-checked against a deliberately naive transcription of the RFC 9162
definitions (MTH, PATH, PROOF/SUBPROOF on lists of leaves) for every size and index up to 40.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import pytest

from glasnost.exchange.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    consistency_proof_from,
    inclusion_proof,
    inclusion_proof_from,
    leaf_hash,
    root,
    subtree_root_from_nodes,
    verify_consistency,
    verify_inclusion,
)

U64 = 2**64


def h(hex_string: str) -> bytes:
    return bytes.fromhex(hex_string)


# TD_CONST LeafInputs()
LEAF_INPUTS = [
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]

# TD_CONST NodeHashes(): [level][index] for all complete subtrees of the 8-leaf tree.
NODE_HASHES = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")],
]

# TD_CONST EmptyRootHash(); TD_VERIFY sha256EmptyTreeHash; TRILLIAN sha256EmptyTreeHash.
EMPTY_TREE_HASH = h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
# TD_VERIFY sha256SomeHash
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")

# TD_CONST RootHashes(): indexed by tree size 0..8 (TD_VERIFY / TRILLIAN roots are sizes 1..8).
ROOT_HASHES = [
    EMPTY_TREE_HASH,
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

NH = NODE_HASHES
# TD_CONST CompactTrees(): the compact range of each tree size 0..8.
COMPACT_TREES: list[list[bytes]] = [
    [],
    [NH[0][0]],
    [NH[1][0]],
    [NH[1][0], NH[0][2]],
    [NH[2][0]],
    [NH[2][0], NH[0][4]],
    [NH[2][0], NH[1][2]],
    [NH[2][0], NH[1][2], NH[0][6]],
    [NH[3][0]],
]

# TD_REF TestRefInclusionProof: (index, size, proof).
REF_INCLUSION = [
    (0, 1, []),
    (0, 2, [h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7")]),
    (1, 2, [h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")]),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]

# TD_VERIFY inclusionProofs (leaf is 1-based there), also TRILLIAN inclusionProofs.
VERIFY_INCLUSION = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (3, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        2,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]

# TD_VERIFY consistencyProofs (also TD_REF TestRefConsistencyProof and TRILLIAN
# consistencyProofs): (size1, size2, proof).
VERIFY_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]


# --- Outcomes -----------------------------------------------------------------------------------

VERIFIED, REJECTED, INVALID = "verified", "rejected (False)", "invalid (ValueError)"


def _outcome(check: Callable[[], bool]) -> str:
    try:
        return VERIFIED if check() else REJECTED
    except ValueError:
        return INVALID


def _sized(*hashes: bytes) -> bool:
    return all(len(x) == 32 for x in hashes)


def _inclusion_outcome(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], tree_root: bytes
) -> str:
    return _outcome(lambda: verify_inclusion(leaf, index, size, proof, tree_root))


def _expected_inclusion_failure(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], tree_root: bytes
) -> str:
    """DESIGN.md: index outside the tree or a hash that is not 32 bytes cannot be a tree."""
    ok = 0 <= index < size and _sized(leaf, tree_root, *proof)
    return REJECTED if ok else INVALID


def _consistency_outcome(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> str:
    return _outcome(lambda: verify_consistency(size1, size2, root1, root2, proof))


def _expected_consistency_failure(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> str:
    """DESIGN.md: old size 0, old > new, or a hash that is not 32 bytes cannot be two trees."""
    ok = 0 < size1 <= size2 and _sized(root1, root2, *proof)
    return REJECTED if ok else INVALID


# --- Hashes, roots and compact ranges ----------------------------------------------------------


def test_empty_tree_root() -> None:
    assert root([]) == EMPTY_ROOT == EMPTY_TREE_HASH  # TD_CONST EmptyRootHash


@pytest.mark.parametrize("size", range(9))
def test_root_hashes(size: int) -> None:
    assert root(LEAF_INPUTS[:size]) == ROOT_HASHES[size]  # TD_CONST RootHashes()[size]


def test_leaf_hashes() -> None:
    for i, data in enumerate(LEAF_INPUTS):
        assert leaf_hash(data) == NODE_HASHES[0][i]  # TD_CONST NodeHashes()[0][i]


def test_compact_range_reports_the_published_node_hashes() -> None:
    cr = CompactRange()
    assert list(cr.hashes) == COMPACT_TREES[0]  # TD_CONST CompactTrees()[0]
    seen = set()
    for size, data in enumerate(LEAF_INPUTS, start=1):
        for node in cr.append(leaf_hash(data)):
            assert node.hash == NODE_HASHES[node.level][node.index]  # TD_CONST NodeHashes()
            seen.add((node.level, node.index))
        assert list(cr.hashes) == COMPACT_TREES[size]  # TD_CONST CompactTrees()[size]
        assert cr.root() == ROOT_HASHES[size]  # TD_CONST RootHashes()[size]
    assert seen == {(lv, i) for lv, row in enumerate(NODE_HASHES) for i in range(len(row))}


# --- Proof generation --------------------------------------------------------------------------


def _from_published_nodes(start: int, end: int) -> bytes:
    """Subtree roots composed from the published NodeHashes only (as the log's store would)."""
    return subtree_root_from_nodes(lambda level, index: NODE_HASHES[level][index], start, end)


@pytest.mark.parametrize(("index", "size", "expected"), REF_INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, expected: list[bytes]) -> None:
    assert inclusion_proof(LEAF_INPUTS[:size], index) == expected  # TD_REF TestRefInclusionProof
    assert inclusion_proof_from(_from_published_nodes, index, size) == expected  # TD_REF


@pytest.mark.parametrize(("size1", "size2", "expected"), VERIFY_CONSISTENCY)
def test_reference_consistency_proofs(size1: int, size2: int, expected: list[bytes]) -> None:
    # TD_REF TestRefConsistencyProof (1:1, 1:8, 2:5, 6:8) and TD_VERIFY consistencyProofs (6:7)
    assert consistency_proof(LEAF_INPUTS[:size2], size1) == expected
    assert consistency_proof_from(_from_published_nodes, size1, size2) == expected


@pytest.mark.parametrize(("leaf", "size", "expected"), VERIFY_INCLUSION)
def test_verify_test_inclusion_proofs_are_generated(
    leaf: int, size: int, expected: list[bytes]
) -> None:
    assert inclusion_proof(LEAF_INPUTS[:size], leaf - 1) == expected  # TD_VERIFY inclusionProofs


# --- Verification and the negative probes ------------------------------------------------------


def _inclusion_probes(
    index: int, size: int, proof: list[bytes], tree_root: bytes, leaf: bytes
) -> list[tuple[str, int, int, bytes, bytes, list[bytes]]]:
    """TD_VERIFY corruptInclusionProof (plus TRILLIAN's empty-hash substitution)."""
    probes = [
        ("leafIndex - 1", (index - 1) % U64, size, tree_root, leaf, proof),
        ("leafIndex + 1", index + 1, size, tree_root, leaf, proof),
        ("leafIndex ^ 2", index ^ 2, size, tree_root, leaf, proof),
        ("treeSize * 2", index, size * 2, tree_root, leaf, proof),
        ("treeSize / 2", index, size // 2, tree_root, leaf, proof),
        ("wrong leaf", index, size, tree_root, b"WrongLeaf", proof),
        ("empty root", index, size, EMPTY_TREE_HASH, leaf, proof),
        ("random root", index, size, SOME_HASH, leaf, proof),
        ("trailing garbage", index, size, tree_root, leaf, [*proof, b""]),
        ("trailing root", index, size, tree_root, leaf, [*proof, tree_root]),
        ("preceding garbage", index, size, tree_root, leaf, [b"", *proof]),
        ("preceding root", index, size, tree_root, leaf, [tree_root, *proof]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((f"modified proof[{i}] bit 3", index, size, tree_root, leaf, flipped))
        emptied = list(proof)
        emptied[i] = EMPTY_TREE_HASH
        probes.append(
            (f"proof[{i}] = empty hash (Trillian)", index, size, tree_root, leaf, emptied)
        )
    if proof:
        probes.append(("removed component", index, size, tree_root, leaf, proof[:-1]))
    if len(proof) > 1:
        inserted = [proof[0], SOME_HASH, *proof[1:]]
        probes.append(("inserted component", index, size, tree_root, leaf, inserted))
    return probes


@pytest.mark.parametrize(("leaf", "size", "proof"), VERIFY_INCLUSION)
def test_verify_inclusion_and_its_negative_probes(leaf: int, size: int, proof: list[bytes]) -> None:
    index, tree_root = leaf - 1, ROOT_HASHES[size]  # TD_VERIFY roots[size - 1]
    lh = leaf_hash(LEAF_INPUTS[index])
    assert verify_inclusion(lh, index, size, proof, tree_root)  # TD_VERIFY verifierCheck
    for desc, p_index, p_size, p_root, p_leaf, p_proof in _inclusion_probes(
        index, size, proof, tree_root, lh
    ):
        got = _inclusion_outcome(p_leaf, p_index, p_size, p_proof, p_root)
        want = _expected_inclusion_failure(p_leaf, p_index, p_size, p_proof, p_root)
        assert got == want, f"{desc}: {got}, expected {want} (TD_VERIFY wantErr)"


def test_verify_inclusion_single_entry() -> None:
    data_hash = leaf_hash(b"data")  # TD_VERIFY TestVerifyInclusionSingleEntry
    assert verify_inclusion(data_hash, 0, 1, [], data_hash)
    for leaf, tree_root in [(data_hash, b""), (b"", data_hash), (b"", b"")]:
        assert _inclusion_outcome(leaf, 0, 1, [], tree_root) == INVALID  # wrong hash size


@pytest.mark.parametrize(("index", "size"), [(0, 0), (0, 1), (1, 0), (2, 1)])
def test_verify_inclusion_static_probes(index: int, size: int) -> None:
    # TD_VERIFY TestVerifyInclusion (and TRILLIAN TestVerifyInclusionProof): all wantErr.
    for leaf, tree_root in [
        (SOME_HASH, b""),
        (b"", EMPTY_TREE_HASH),
        (SOME_HASH, EMPTY_TREE_HASH),
    ]:
        got = _inclusion_outcome(leaf, index, size, [], tree_root)
        assert got == _expected_inclusion_failure(leaf, index, size, [], tree_root)


def _consistency_probes(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> list[tuple[str, int, int, bytes, bytes, list[bytes]]]:
    """TD_VERIFY corruptConsistencyProof (plus TRILLIAN's empty-hash substitution)."""
    probes = [
        ("size1 - 1", (size1 - 1) % U64, size2, root1, root2, proof),
        ("size1 + 1", size1 + 1, size2, root1, root2, proof),
        ("size1 ^ 2", size1 ^ 2, size2, root1, root2, proof),
        ("size2 * 2", size1, size2 * 2, root1, root2, proof),
        ("size2 / 2", size1, size2 // 2, root1, root2, proof),
        ("wrong root1", size1, size2, b"WrongRoot", root2, proof),
        ("wrong root2", size1, size2, root1, b"WrongRoot", proof),
        ("swapped roots", size1, size2, root2, root1, proof),
        ("empty proof", size1, size2, root1, root2, []),
        ("trailing garbage", size1, size2, root1, root2, [*proof, b""]),
        ("trailing root1", size1, size2, root1, root2, [*proof, root1]),
        ("trailing root2", size1, size2, root1, root2, [*proof, root2]),
        ("preceding garbage", size1, size2, root1, root2, [b"", *proof]),
        ("preceding root1", size1, size2, root1, root2, [root1, *proof]),
        ("preceding root2", size1, size2, root1, root2, [root2, *proof]),
        ("preceding proof[0]", size1, size2, root1, root2, [proof[0], *proof]),
        ("truncated proof", size1, size2, root1, root2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((f"modified proof[{i}] bit 4", size1, size2, root1, root2, flipped))
        emptied = list(proof)
        emptied[i] = EMPTY_TREE_HASH
        probes.append((f"proof[{i}] = empty hash (Trillian)", size1, size2, root1, root2, emptied))
    return probes


@pytest.mark.parametrize(("size1", "size2", "proof"), VERIFY_CONSISTENCY)
def test_verify_consistency_and_its_negative_probes(
    size1: int, size2: int, proof: list[bytes]
) -> None:
    root1, root2 = ROOT_HASHES[size1], ROOT_HASHES[size2]  # TD_VERIFY roots[size - 1]
    assert verify_consistency(size1, size2, root1, root2, proof)  # TD_VERIFY consistency check
    if not proof:  # TD_VERIFY probes only non-trivial proofs
        return
    for desc, s1, s2, r1, r2, p in _consistency_probes(size1, size2, root1, root2, proof):
        got = _consistency_outcome(s1, s2, r1, r2, p)
        want = _expected_consistency_failure(s1, s2, r1, r2, p)
        assert got == want, f"{desc}: {got}, expected {want} (TD_VERIFY wantErr)"


# TD_PROOFGEN staticConsistencyProbes: (size1, size2, root1, root2, proof, wantErr). Upstream's
# "don't care" roots are 12-byte strings; DESIGN.md requires 32-byte roots, so here they are
# replaced by their SHA-256 (still roots nobody cares about); every verdict keeps upstream's.
# test_static_consistency_probes_with_upstream_roots pins what the unhashed values do.
R1 = hashlib.sha256(b"don't care 1").digest()
R2 = hashlib.sha256(b"don't care 2").digest()
E = EMPTY_TREE_HASH
STATIC_CONSISTENCY = [
    (0, 0, R1, R2, [], True),  # sizes are equal (zero) but roots are not
    (1, 1, R1, R2, [], True),  # sizes are equal (one) but roots are not
    (0, 0, R1, R1, [], True),  # sizes are equal (zero) and proof is empty
    (0, 1, R1, R2, [], True),  # size1 is zero and does not equal size2
    (1, 1, R2, R2, [], False),  # sizes are equal (one) and proof is empty
    (1, 0, R1, R2, [], True),  # size1 is greater than size2
    (2, 1, R1, R2, [], True),  # size1 is greater than size2 again
    (1, 2, R1, R2, [], True),  # sizes do not match and proof is empty
    (0, 0, E, R2, [], True),  # roots do not match and sizes are zero
    (1, 1, E, R2, [], True),  # roots do not match and sizes are one
    (0, 0, E, E, [E], True),  # sizes match but proof is not empty and sizes are zero
    (1, 1, E, E, [E], True),  # sizes match but proof is not empty and sizes are one
    (0, 1, E, R2, [], True),  # size1 is zero and size2 is not zero
    (0, 1, E, E, [E], True),  # consistency check on empty tree (size1 is zero) is useless
]


@pytest.mark.parametrize(
    ("size1", "size2", "root1", "root2", "proof", "want_err"), STATIC_CONSISTENCY
)
def test_static_consistency_probes(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes], want_err: bool
) -> None:
    got = _consistency_outcome(size1, size2, root1, root2, proof)
    if want_err:
        assert got == _expected_consistency_failure(size1, size2, root1, root2, proof)
    else:
        assert got == VERIFIED


def test_static_consistency_probes_with_upstream_roots() -> None:
    # The 12-byte "don't care" roots of TD_PROOFGEN cannot be SHA-256 roots: ValueError, even
    # where upstream (which compares them as opaque bytes) reports success for (1, 1, r2, r2).
    r1, r2 = b"don't care 1", b"don't care 2"
    assert _consistency_outcome(1, 1, r2, r2, []) == INVALID
    assert _consistency_outcome(1, 2, r1, r2, []) == INVALID
    # TD_PROOFGEN testdata/consistency/additional/sizes-are-equal-zero-and-proof-is-empty.json
    assert _consistency_outcome(0, 0, r1, r1, []) == INVALID


# --- A naive transcription of RFC 9162 2.1 -----------------------------------------------------


def _naive_mth(d: list[bytes]) -> bytes:
    """MTH(D[n]), RFC 9162 2.1.1, on a list of leaf inputs."""
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + _naive_mth(d[:k]) + _naive_mth(d[k:])).digest()


def _naive_path(m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]), RFC 9162 2.1.3.1."""
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*_naive_path(m, d[:k]), _naive_mth(d[k:])]
    return [*_naive_path(m - k, d[k:]), _naive_mth(d[:k])]


def _naive_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b), RFC 9162 2.1.4.1."""
    n = len(d)
    if m == n:
        return [] if b else [_naive_mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*_naive_subproof(m, d[:k], b), _naive_mth(d[k:])]
    return [*_naive_subproof(m - k, d[k:], False), _naive_mth(d[:k])]


NAIVE_LEAVES = [bytes(range(i % 7)) + i.to_bytes(2, "big") for i in range(40)]


def test_against_a_naive_transcription_of_rfc_9162() -> None:
    for n in range(0, len(NAIVE_LEAVES) + 1):
        d = NAIVE_LEAVES[:n]
        tree_root = _naive_mth(d)
        assert root(d) == tree_root, n  # RFC 9162 2.1.1 MTH
        for m in range(n):
            path = _naive_path(m, d)
            assert inclusion_proof(d, m) == path, (m, n)  # RFC 9162 2.1.3.1 PATH
            assert verify_inclusion(leaf_hash(d[m]), m, n, path, tree_root)
        for m in range(1, n + 1):
            proof = _naive_subproof(m, d, True)
            assert consistency_proof(d, m) == proof, (m, n)  # RFC 9162 2.1.4.1 PROOF
            assert verify_consistency(m, n, _naive_mth(d[:m]), tree_root, proof)
