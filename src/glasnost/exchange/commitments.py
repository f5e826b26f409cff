"""Salted commitments: a declaration may commit to items and reveal them later.

``commitment = SHA-256(salt || canonical_json(item))`` with a fresh 32-byte random salt (at
least 16 bytes, 128 bits, are required when revealing). The salt hides the item (a guess of the
item cannot be checked against the commitment without it); SHA-256 binds it (another item with
the same commitment would be a collision). Commitments and salts travel as lower-case hex.

Publishing a commitment in a declaration fixes the item at the declaration's log position; the
``reveal`` entry later gives the item and the salt, and anyone can check it with
:func:`verify_reveal`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from glasnost.exchange.canonical import canonical_json
from glasnost.exchange.errors import CommitmentError

SALT_BYTES = 32
"""Length of the salts :func:`commit` draws."""

MIN_SALT_BYTES = 16
"""Shortest salt :func:`verify_reveal` accepts (128 bits)."""


def commitment_of(item: object, salt: bytes) -> str:
    """Hex ``SHA-256(salt || canonical_json(item))``."""
    return hashlib.sha256(salt + canonical_json(item)).hexdigest()


def commit(item: object) -> tuple[str, bytes]:
    """(commitment hex, salt) for a JSON item, with a fresh 32-byte salt. Keep the salt secret
    until the reveal: with it, the item can be brute-forced from the commitment."""
    salt = secrets.token_bytes(SALT_BYTES)
    return commitment_of(item, salt), salt


def verify_reveal(commitment_hex: str, salt: bytes, item: object, *, where: str = "") -> None:
    """Check that ``item`` and ``salt`` open ``commitment_hex``; raises :class:`CommitmentError`.

    ``where`` names the revealed item in messages (e.g. ``reveal US#14 items[2]``).
    """
    at = where or None
    if len(salt) < MIN_SALT_BYTES:
        raise CommitmentError(
            f"salt is {len(salt)} bytes; at least {MIN_SALT_BYTES} (128 bits) are required",
            where=at,
        )
    expected = commitment_hex.lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise CommitmentError(
            f"commitment {commitment_hex!r} is not 64 hex digits (SHA-256)", where=at
        )
    actual = commitment_of(item, salt)
    if not hmac.compare_digest(actual, expected):
        raise CommitmentError(
            f"SHA-256(salt || canonical item) is {actual[:16]}..., not the committed "
            f"{expected[:16]}...: the item or the salt differs from what was committed",
            where=at,
        )
