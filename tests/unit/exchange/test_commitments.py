"""Salted commitments: round trip, the exact construction, and tampering."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glasnost.exchange.commitments import (
    MIN_SALT_BYTES,
    SALT_BYTES,
    commit,
    commitment_of,
    verify_reveal,
)
from glasnost.exchange.errors import CommitmentError

SITE: dict[str, Any] = {
    "id": "fort_greely",
    "interceptor": "gbi_3stage",
    "count": 40,
    "lat_deg": 63.95,
}


def test_commit_and_reveal_round_trip() -> None:
    commitment, salt = commit(SITE)
    assert len(salt) == SALT_BYTES == 32
    assert len(commitment) == 64
    verify_reveal(commitment, salt, SITE)
    verify_reveal(commitment, salt, dict(reversed(list(SITE.items()))))  # canonical JSON


def test_commitment_is_sha256_of_salt_and_canonical_item() -> None:
    salt = bytes(range(32))
    canonical = b'{"count":40,"id":"fort_greely","interceptor":"gbi_3stage","lat_deg":63.95}'
    assert commitment_of(SITE, salt) == hashlib.sha256(salt + canonical).hexdigest()


def test_salts_are_fresh() -> None:
    (first, salt1), (second, salt2) = commit(SITE), commit(SITE)
    assert salt1 != salt2
    assert first != second  # the same item cannot be recognised across commitments


@pytest.mark.parametrize("field", ["count", "lat_deg", "id"])
def test_rejects_tampered_item(field: str) -> None:
    commitment, salt = commit(SITE)
    tampered = {**SITE, field: SITE[field] * 2}
    with pytest.raises(CommitmentError, match="differs from what was committed"):
        verify_reveal(commitment, salt, tampered, where="reveal US#4 items[0]")


def test_rejects_tampered_salt_and_commitment() -> None:
    commitment, salt = commit(SITE)
    with pytest.raises(CommitmentError, match=r"^reveal: "):
        verify_reveal(commitment, bytes([salt[0] ^ 1]) + salt[1:], SITE, where="reveal")
    flipped = ("1" if commitment[0] == "0" else "0") + commitment[1:]
    with pytest.raises(CommitmentError):
        verify_reveal(flipped, salt, SITE)
    with pytest.raises(CommitmentError, match="not 64 hex digits"):
        verify_reveal(commitment[:-1], salt, SITE)


def test_rejects_short_salt() -> None:
    salt = bytes(MIN_SALT_BYTES - 1)
    with pytest.raises(CommitmentError, match=r"salt is 15 bytes; at least 16 \(128 bits\)"):
        verify_reveal(commitment_of(SITE, salt), salt, SITE)
    verify_reveal(commitment_of(SITE, bytes(16)), bytes(16), SITE)  # 128 bits is enough


@given(st.dictionaries(st.text(max_size=5), st.integers(-1000, 1000), max_size=5))
def test_round_trip_property(item: dict[str, int]) -> None:
    commitment, salt = commit(item)
    verify_reveal(commitment, salt, item)
