"""Ed25519 keys: generation, key ids, key files, and each party's administrations.

* :class:`PrivateKey` / :class:`PublicKey` wrap ``cryptography``'s Ed25519 (RFC 8032). Public
  keys travel as the standard base64 of their 32 raw bytes.
* :func:`key_id` is the C2SP signed-note key id (https://c2sp.org/signed-note, "Signatures"):
  ``SHA-256(key name || 0x0A || signature type || 32-byte public key)[:4]``, written as 8 hex
  digits; signature type ``0x01`` for Ed25519 note signatures, ``0x04`` for ``cosignature/v1``
  (https://c2sp.org/tlog-cosignature). :func:`verifier_key` gives the vkey text
  ``<name>+<hex key id>+<base64(type || public key)>``. :func:`fingerprint` is the hex SHA-256
  of the raw public key (for people comparing keys out of band).
* Key files: :func:`write_private_key` writes PKCS #8 PEM into a new file of mode ``0o600``,
  atomically (a temporary file, then a link or rename), and refuses to overwrite unless asked;
  :func:`read_private_key` refuses a file that group or others may read or write.
* :class:`Administration` is one administration of a party with its key and its period in
  office, ``valid_from <= t < valid_until`` (half-open, so a successor starts when its
  predecessor ends); :class:`PartyKeys` is the party's record: the key name (the origin of its
  log) and its administrations, in order and not overlapping. :meth:`PartyKeys.key_for` answers
  which administration was in office at a time.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import functools
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Self

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from glasnost.common.ids import Id
from glasnost.exchange.canonical import UtcDateTime, utc_iso
from glasnost.exchange.errors import InvalidSignature, KeyFileError, KeyNotValidAtTime, UnknownKey

SIG_ED25519 = 0x01
"""C2SP signed-note signature type of Ed25519 note signatures."""

SIG_COSIGNATURE_V1 = 0x04
"""C2SP signed-note signature type of timestamped Ed25519 cosignatures (``cosignature/v1``)."""

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


# --- keys ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key: its 32 raw bytes (RFC 8032 encoding)."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != PUBLIC_KEY_BYTES:
            raise ValueError(f"an Ed25519 public key is 32 bytes, got {len(self.raw)}")

    @classmethod
    def from_base64(cls, text: str) -> PublicKey:
        """Parse the standard base64 of the 32 raw bytes (canonical padding required)."""
        return cls(decode_base64(text, PUBLIC_KEY_BYTES, "public key"))

    def to_base64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    def verify(self, signature: bytes, message: bytes, *, where: str | None = None) -> None:
        """Check an Ed25519 signature over ``message``; raises :class:`InvalidSignature`."""
        if len(signature) != SIGNATURE_BYTES:
            raise InvalidSignature(
                f"an Ed25519 signature is 64 bytes, got {len(signature)}", where=where
            )
        try:
            _ed25519(self.raw).verify(signature, message)
        except _CryptoInvalidSignature:
            raise self.signature_error(where=where) from None

    def signature_error(self, *, where: str | None = None) -> InvalidSignature:
        """The error of a signature that does not verify with this key."""
        return InvalidSignature(
            f"Ed25519 signature does not verify with key {fingerprint(self)[:16]}...",
            where=where,
        )


@functools.lru_cache(maxsize=64)
def _ed25519(raw: bytes) -> Ed25519PublicKey:
    """The ``cryptography`` key of 32 raw bytes, made once per key."""
    return Ed25519PublicKey.from_public_bytes(raw)


class PrivateKey:
    """An Ed25519 private key. ``repr`` never shows the secret."""

    __slots__ = ("_key",)

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @classmethod
    def from_seed(cls, seed: bytes) -> PrivateKey:
        """The key of a 32-byte RFC 8032 seed (for test vectors; use :func:`generate_key`)."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(
            self._key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        )

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message`` (deterministic, RFC 8032)."""
        return self._key.sign(message)

    def to_pem(self, password: bytes | None = None) -> bytes:
        """PKCS #8 PEM, encrypted when a password is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def __repr__(self) -> str:
        return f"PrivateKey(public={fingerprint(self.public_key)[:16]}...)"


def generate_key() -> PrivateKey:
    """A new random Ed25519 key."""
    return PrivateKey(Ed25519PrivateKey.generate())


def decode_base64(text: str, length: int | None, what: str) -> bytes:
    """Strict standard base64 (RFC 4648 section 4, padded, canonical) of ``length`` bytes."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError(f"{what} is not standard base64: {exc}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError(f"{what} is not canonical base64")
    if length is not None and len(raw) != length:
        raise ValueError(f"{what} is {len(raw)} bytes, expected {length}")
    return raw


# --- identifiers --------------------------------------------------------------------------------


def check_key_name(name: str) -> str:
    """A C2SP key name: non-empty, no Unicode spaces, no '+' (signed-note, "Format")."""
    if not name:
        raise ValueError("key name is empty")
    bad = [c for c in name if c.isspace() or c == "+" or ord(c) < 0x20]
    if bad:
        raise ValueError(f"key name {name!r} contains {bad[0]!r} (no spaces, '+' or controls)")
    return name


@functools.lru_cache(maxsize=256)
def _public_key(text: str) -> PublicKey:
    return PublicKey.from_base64(text)


def key_id_bytes(name: str, public_key: PublicKey, signature_type: int = SIG_ED25519) -> bytes:
    """``SHA-256(name || 0x0A || signature type || public key)[:4]`` (C2SP signed-note)."""
    data = check_key_name(name).encode("utf-8") + b"\n" + bytes([signature_type]) + public_key.raw
    return hashlib.sha256(data).digest()[:4]


@functools.lru_cache(maxsize=256)
def key_id(name: str, public_key: PublicKey, signature_type: int = SIG_ED25519) -> str:
    """The C2SP key id as 8 lower-case hex digits (as in a vkey, e.g. ``c74f20a3``)."""
    return key_id_bytes(name, public_key, signature_type).hex()


def fingerprint(public_key: PublicKey) -> str:
    """Hex SHA-256 of the raw public key (64 characters)."""
    return hashlib.sha256(public_key.raw).hexdigest()


def verifier_key(name: str, public_key: PublicKey, signature_type: int = SIG_ED25519) -> str:
    """The vkey text ``<name>+<hex key id>+<base64(type || public key)>`` (C2SP signed-note)."""
    material = base64.b64encode(bytes([signature_type]) + public_key.raw).decode("ascii")
    return f"{name}+{key_id(name, public_key, signature_type)}+{material}"


def parse_verifier_key(vkey: str) -> tuple[str, int, PublicKey]:
    """(name, signature type, public key) of a vkey; checks that its key id matches."""
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise ValueError(f"vkey {vkey!r} is not <name>+<key id>+<key>")
    name, hex_id, material = parts
    raw = decode_base64(material, PUBLIC_KEY_BYTES + 1, "vkey key material")
    public_key = PublicKey(raw[1:])
    if key_id(name, public_key, raw[0]) != hex_id:
        raise ValueError(f"vkey {vkey!r}: key id {hex_id} does not match the name and key")
    return name, raw[0], public_key


# --- key files ----------------------------------------------------------------------------------


def write_private_key(
    path: str | os.PathLike[str],
    key: PrivateKey,
    *,
    overwrite: bool = False,
    password: bytes | None = None,
) -> Path:
    """Write ``key`` as PKCS #8 PEM to a new file of mode 0o600.

    The PEM is written to a temporary file (created 0o600) in the same folder, synced, then
    linked to ``path`` (which fails if ``path`` exists) or, with ``overwrite``, renamed over it:
    ``path`` is never seen half-written nor, even briefly, with wider permissions.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise KeyFileError(
            "exists; refusing to overwrite a key (pass overwrite=True to replace it)",
            where=str(target),
        )
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise KeyFileError(
            f"cannot create the key file: {exc.strerror}", where=str(target)
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), 0o600)
            handle.write(key.to_pem(password))
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise KeyFileError(
                    "appeared while writing; refusing to overwrite a key", where=str(target)
                ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target


def read_private_key(path: str | os.PathLike[str], *, password: bytes | None = None) -> PrivateKey:
    """Read a PKCS #8 PEM Ed25519 key; refuses files that group or others may read or write."""
    source = Path(path)
    try:
        with open(source, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if os.name == "posix" and mode & 0o077:
                raise KeyFileError(
                    f"mode {stat.S_IMODE(mode):#o} lets group or others access a private key; "
                    f"run: chmod 600 {source}",
                    where=str(source),
                )
            data = handle.read()
    except OSError as exc:
        raise KeyFileError(f"cannot read the key file: {exc.strerror}", where=str(source)) from exc
    try:
        loaded = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"not a readable PKCS #8 PEM key: {exc}", where=str(source)) from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyFileError(
            f"holds a {type(loaded).__name__}, not an Ed25519 key", where=str(source)
        )
    return PrivateKey(loaded)


# --- administrations ----------------------------------------------------------------------------


def _public_key_b64(value: str) -> str:
    PublicKey.from_base64(value)
    return value


PublicKeyB64 = Annotated[
    str,
    AfterValidator(_public_key_b64),
    Field(description="Ed25519 public key: standard base64 of its 32 raw bytes."),
]
KeyName = Annotated[
    str,
    AfterValidator(check_key_name),
    Field(description="C2SP key name: non-empty, no spaces, no '+' (e.g. glasnost.example/US)."),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Administration(_Model):
    """One administration of a party: its key and its period in office (half-open)."""

    party: Id
    id: Id = Field(description="Administration id, unique within the party (e.g. us-2025).")
    name: str = Field(min_length=1)
    public_key: PublicKeyB64
    valid_from: UtcDateTime
    valid_until: UtcDateTime | None = Field(
        default=None, description="End of office (exclusive); None: still in office."
    )

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError(
                f"valid_until ({utc_iso(self.valid_until)}) must be after valid_from "
                f"({utc_iso(self.valid_from)})"
            )
        return self

    @property
    def key(self) -> PublicKey:
        return _public_key(self.public_key)

    def valid_at(self, when: dt.datetime) -> bool:
        """In office at ``when``: ``valid_from <= when < valid_until``."""
        return self.valid_from <= when and (self.valid_until is None or when < self.valid_until)

    def period(self) -> str:
        end = utc_iso(self.valid_until) if self.valid_until else "open"
        return f"[{utc_iso(self.valid_from)}, {end})"


class PartyKeys(_Model):
    """A party's key record: the key name of its log and its administrations, in order."""

    party: Id
    key_name: KeyName = Field(description="The name its notes are signed under: its log origin.")
    administrations: tuple[Administration, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen_ids: set[str] = set()
        seen_keys: set[str] = set()
        previous: Administration | None = None
        for i, adm in enumerate(self.administrations):
            where = f"administrations[{i}]"
            if adm.party != self.party:
                raise ValueError(f"{where}.party is {adm.party!r}, not {self.party!r}")
            if adm.id in seen_ids:
                raise ValueError(f"{where}.id: duplicate administration id {adm.id!r}")
            if adm.public_key in seen_keys:
                raise ValueError(f"{where}.public_key: each administration has its own key")
            if previous is not None and (
                previous.valid_until is None or adm.valid_from < previous.valid_until
            ):
                raise ValueError(
                    f"{where}: period {adm.period()} overlaps or precedes "
                    f"{previous.id!r} {previous.period()}; list administrations in order, "
                    "each starting when or after the previous one ends"
                )
            seen_ids.add(adm.id)
            seen_keys.add(adm.public_key)
            previous = adm
        return self

    def extension_error(self, newer: PartyKeys) -> str | None:
        """Why ``newer`` is not an extension of this record (None if it is): same party and key
        name, every administration kept as it was except that the last may now end, and new
        ones appended after it (a successor administration and its key)."""
        if (newer.party, newer.key_name) != (self.party, self.key_name):
            return (
                f"is the record of {newer.party}/{newer.key_name}, not {self.party}/{self.key_name}"
            )
        old, new = self.administrations, newer.administrations
        if len(new) < len(old):
            return "drops administrations"
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            last = i == len(old) - 1
            same = a == b or (
                last
                and a.valid_until is None
                and a.model_copy(update={"valid_until": b.valid_until}) == b
            )
            if not same:
                return f"changes administration {a.id!r} (only the last one's end may be set)"
        return None

    def key_id(self, administration: Administration) -> str:
        """The administration's C2SP key id under this party's key name (8 hex digits)."""
        return key_id(self.key_name, administration.key)

    def key_for(self, when: dt.datetime) -> Administration:
        """The administration in office at ``when``; raises :class:`KeyNotValidAtTime`."""
        for adm in self.administrations:
            if adm.valid_at(when):
                return adm
        periods = ", ".join(f"{a.id} {a.period()}" for a in self.administrations)
        raise KeyNotValidAtTime(
            f"no administration in office at {utc_iso(when)} (periods: {periods})",
            where=f"party {self.party}",
        )

    def by_key_id(self, hex_id: str) -> Administration:
        """The administration whose key has that key id; raises :class:`UnknownKey`."""
        for adm in self.administrations:
            if self.key_id(adm) == hex_id:
                return adm
        known = ", ".join(self.key_id(a) for a in self.administrations)
        raise UnknownKey(
            f"not a key of party {self.party} (its keys: {known})",
            where=f"key {self.key_name}/{hex_id}",
        )
