"""Checkpoints as C2SP signed notes, ``cosignature/v1`` cosignatures, and the witness.

**Signed note** (https://c2sp.org/signed-note): a text ending in a newline, a blank line, then
one or more signature lines ``"— <key name> <base64(key id (4 bytes) || signature)>\\n"`` (em
dash U+2014, space). The text is separated from the signatures by the *last* blank line. Notes
are UTF-8 with no control characters but newline. Verifiers ignore signatures from keys they do
not know (name and key id); a known key whose signature fails rejects the whole note; a note
with no verified known signature is rejected. Ed25519 note signatures (type 0x01) sign the text.

**Checkpoint** (https://c2sp.org/tlog-checkpoint): the note text is ::

    <origin>\\n<tree size: decimal, no leading zeros>\\n<base64 root hash>\\n[<extension>\\n]...

signed by the log's key, whose key name is the origin.

**Cosignature** (https://c2sp.org/tlog-cosignature, Ed25519 ``cosignature/v1``): a note
signature line of the cosigner whose value is ``key id (4) || timestamp (8 bytes, big-endian
POSIX seconds) || Ed25519 signature (64)``, the key id computed with type byte 0x04, and the
signed message ``"cosignature/v1\\ntime <timestamp>\\n" + checkpoint text``.

**Add-checkpoint request** (https://c2sp.org/tlog-witness): ``old <size>\n``, one line per
consistency proof hash (base64), a blank line, then the signed note. :func:`encode_add_checkpoint`
writes it and :func:`decode_add_checkpoint` reads it (:class:`CheckpointError` on anything else).

The witness that cosigns is :class:`glasnost.exchange.witness.Witness`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from glasnost.exchange import merkle
from glasnost.exchange.errors import CheckpointError, InvalidSignature, UnknownKey
from glasnost.exchange.keys import (
    SIG_COSIGNATURE_V1,
    SIG_ED25519,
    SIGNATURE_BYTES,
    PartyKeys,
    PrivateKey,
    PublicKey,
    check_key_name,
    decode_base64,
    key_id_bytes,
)

SIGNATURE_PREFIX = "\u2014 "
"""Start of every signature line: em dash (U+2014) and a space."""

COSIGNATURE_HEADER = "cosignature/v1\n"
"""First line of the message a ``cosignature/v1`` signs."""

MAX_SIGNATURES = 100
"""Most signature lines a note may carry (the spec requires accepting at least 16)."""

MAX_NOTE_BYTES = 1 << 16
"""Largest signed note accepted (64 KiB)."""

MAX_PROOF_HASHES = 63
"""Most consistency proof hashes (C2SP tlog-witness)."""

MAX_TIMESTAMP = 2**63 - 1
"""Largest cosignature timestamp (C2SP tlog-cosignature)."""


# --- signed notes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key id, and the signature bytes that follow it."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """``"— <name> <base64(key id || signature)>\\n"``."""
        value = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{SIGNATURE_PREFIX}{self.name} {value}\n"


@dataclass(frozen=True)
class Note:
    """A parsed (not yet verified) signed note."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def format(self) -> str:
        """The note as text: the text, a blank line, the signature lines."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


@dataclass(frozen=True)
class Verifier:
    """A trusted key for notes: name, Ed25519 public key and signature type (0x01 or 0x04)."""

    name: str
    public_key: PublicKey
    signature_type: int = SIG_ED25519

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if self.signature_type not in (SIG_ED25519, SIG_COSIGNATURE_V1):
            raise ValueError(f"signature type {self.signature_type:#04x} is not 0x01 or 0x04")

    @property
    def key_id(self) -> bytes:
        return key_id_bytes(self.name, self.public_key, self.signature_type)

    def verify(self, text: str, signature: bytes, *, where: str) -> int | None:
        """Verify one signature over the note text; returns the cosignature timestamp, if any."""
        if self.signature_type == SIG_ED25519:
            self.public_key.verify(signature, text.encode("utf-8"), where=where)
            return None
        if len(signature) != 8 + SIGNATURE_BYTES:
            raise InvalidSignature(
                f"a cosignature/v1 value is 4 + 8 + 64 bytes, got 4 + {len(signature)}",
                where=where,
            )
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            raise InvalidSignature(f"timestamp {timestamp} exceeds 2^63 - 1", where=where)
        self.public_key.verify(signature[8:], cosigned_message(text, timestamp), where=where)
        return timestamp


@dataclass(frozen=True)
class VerifiedSignature:
    """A signature that verified: by whom, and the cosignature timestamp (None for 0x01)."""

    verifier: Verifier
    timestamp: int | None


def parse_note(note: str | bytes) -> Note:
    """Parse a signed note without verifying it; raises :class:`CheckpointError` precisely."""
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE_BYTES:
            raise CheckpointError(f"note is {len(note)} bytes; the limit is {MAX_NOTE_BYTES}")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError(f"note is not UTF-8 (byte {exc.start})") from None
    size = len(note.encode("utf-8", "surrogatepass"))
    if size > MAX_NOTE_BYTES:
        raise CheckpointError(f"note is {size} bytes; the limit is {MAX_NOTE_BYTES}")
    for lineno, line in enumerate(note.split("\n"), start=1):
        bad = next((c for c in line if ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF), None)
        if bad is not None:
            raise CheckpointError(
                f"character {bad!r}: notes hold no control characters but newline",
                where=f"note line {lineno}",
            )
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("no blank line between the text and the signature lines")
    text, block = note[: split + 1], note[split + 2 :]
    text_lines = text.count("\n")
    if not block:
        raise CheckpointError("no signature lines after the blank line")
    if not block.endswith("\n"):
        raise CheckpointError("the last signature line does not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"{len(lines)} signature lines; at most {MAX_SIGNATURES}")
    signatures = tuple(
        _parse_signature_line(line, f"note line {text_lines + 2 + i}")
        for i, line in enumerate(lines)
    )
    return Note(text=text, signatures=signatures)


def _parse_signature_line(line: str, where: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise CheckpointError(
            f"signature line {line[:40]!r} does not start with an em dash (U+2014) and a space",
            where=where,
        )
    parts = line[len(SIGNATURE_PREFIX) :].split(" ")
    if len(parts) != 2:
        raise CheckpointError(
            "a signature line is '— <key name> <base64 signature>' with single spaces",
            where=where,
        )
    name, value = parts
    try:
        check_key_name(name)
        raw = decode_base64(value, None, "signature")
    except ValueError as exc:
        raise CheckpointError(str(exc), where=where) from None
    if len(raw) < 5:
        raise CheckpointError(
            f"signature is {len(raw)} bytes: a 4-byte key id and a signature are needed",
            where=where,
        )
    return NoteSignature(name=name, key_id=raw[:4], signature=raw[4:])


def open_note(
    note: str | bytes, verifiers: Iterable[Verifier]
) -> tuple[Note, list[VerifiedSignature]]:
    """Parse and verify a signed note against trusted keys (C2SP signed-note, "Signatures").

    Signatures from unknown (name, key id) pairs are ignored; a known key's signature that
    fails raises :class:`InvalidSignature`; if no known key signed, :class:`UnknownKey`.
    Returns the note and the signatures that verified, in note order.
    """
    parsed = parse_note(note)
    known: dict[tuple[str, bytes], Verifier] = {}
    for trusted in verifiers:
        ident = (trusted.name, trusted.key_id)
        if ident in known:
            raise ValueError(f"two verifiers share name {trusted.name!r} and key id")
        known[ident] = trusted
    verified: list[VerifiedSignature] = []
    text_lines = parsed.text.count("\n")
    for i, sig in enumerate(parsed.signatures):
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        where = f"note line {text_lines + 2 + i} ({sig.name}/{sig.key_id.hex()})"
        timestamp = verifier.verify(parsed.text, sig.signature, where=where)
        verified.append(VerifiedSignature(verifier=verifier, timestamp=timestamp))
    if not verified:
        names = ", ".join(f"{s.name}/{s.key_id.hex()}" for s in parsed.signatures)
        keys = ", ".join(f"{n}/{k.hex()}" for n, k in known) or "none"
        raise UnknownKey(f"no signature from a trusted key (signed by {names}; trusted: {keys})")
    return parsed, verified


def sign_note(text: str, name: str, key: PrivateKey) -> str:
    """A note of ``text`` with one Ed25519 (0x01) signature line by ``name``."""
    _check_text(text)
    sig = NoteSignature(
        name=name,
        key_id=key_id_bytes(name, key.public_key, SIG_ED25519),
        signature=key.sign(text.encode("utf-8")),
    )
    return Note(text=text, signatures=(sig,)).format()


def add_signatures(note: str, lines: Iterable[str]) -> str:
    """The note with more signature lines appended (e.g. cosignatures); re-parsed to check."""
    return parse_note(note.rstrip("\n") + "\n" + "".join(lines)).format()


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise CheckpointError("note text must end in a newline")
    if text.strip("\n") == "":
        raise CheckpointError("note text is empty")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise CheckpointError("note text holds a control character other than newline")


# --- checkpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin, tree size, root hash (32 bytes), optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text: origin, size, base64 root, extension lines, each ending in newline."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint note text (C2SP tlog-checkpoint, "Note text")."""
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError(f"{len(lines)} lines; a checkpoint has origin, size and root hash")
    for n, line in enumerate(lines, start=1):
        if not line:
            raise CheckpointError("empty line; checkpoint lines are non-empty", where=f"line {n}")
    origin, size_text, root_text, *extensions = lines
    if (
        not size_text.isascii()
        or not size_text.isdigit()
        or (size_text != "0" and size_text.startswith("0"))
    ):
        raise CheckpointError(
            f"tree size {size_text!r} is not a decimal without leading zeros", where="line 2"
        )
    size = int(size_text)
    if size > MAX_TIMESTAMP:
        raise CheckpointError(f"tree size {size} exceeds 2^63 - 1", where="line 2")
    try:
        root_hash = decode_base64(root_text, 32, "root hash")
    except ValueError as exc:
        raise CheckpointError(str(exc), where="line 3") from None
    return Checkpoint(origin=origin, size=size, root_hash=root_hash, extensions=tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, key: PrivateKey, name: str | None = None) -> str:
    """The checkpoint as a signed note, signed by ``key`` under ``name`` (default: origin)."""
    return sign_note(checkpoint.body(), name or checkpoint.origin, key)


def open_checkpoint(
    note: str | bytes, verifiers: Iterable[Verifier]
) -> tuple[Checkpoint, Note, list[VerifiedSignature]]:
    """Verify a signed checkpoint (see :func:`open_note`) and parse its text."""
    parsed, verified = open_note(note, verifiers)
    return parse_checkpoint(parsed.text), parsed, verified


def log_verifiers(party_keys: PartyKeys) -> list[Verifier]:
    """Verifiers of every administration's key of a party's log (key name = log origin)."""
    return [Verifier(party_keys.key_name, adm.key) for adm in party_keys.administrations]


def witness_verifiers(party_keys: PartyKeys) -> list[Verifier]:
    """``cosignature/v1`` verifiers of every administration key of a party (its node's
    witness, and the timestamp its log puts on its own checkpoints)."""
    return [
        Verifier(party_keys.key_name, adm.key, SIG_COSIGNATURE_V1)
        for adm in party_keys.administrations
    ]


def sign_timestamped_checkpoint(checkpoint: Checkpoint, key: PrivateKey, timestamp: int) -> str:
    """The checkpoint signed by the log's key (Ed25519, 0x01) and timestamped by the same key
    (a ``cosignature/v1`` line of the log's own key name): the checkpoint's signed time, which
    verifiers that know only the 0x01 key ignore (docs/decisions/0015)."""
    note = sign_checkpoint(checkpoint, key)
    return add_signatures(note, [cosign(checkpoint.body(), checkpoint.origin, key, timestamp)])


def signed_time(note: str, party_keys: PartyKeys) -> int | None:
    """The time (POSIX seconds) the log of ``party_keys`` put on its own checkpoint ``note``
    (the earliest of its ``cosignature/v1`` lines), or None when the note carries none. A line
    of the log's key that does not verify raises :class:`InvalidSignature`."""
    parsed = parse_note(note)
    known = {(v.name, v.key_id): v for v in witness_verifiers(party_keys)}
    times = []
    for sig in parsed.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is not None:
            stamp = verifier.verify(parsed.text, sig.signature, where=f"{sig.name} timestamp")
            assert stamp is not None  # a 0x04 verifier always yields one
            times.append(stamp)
    return min(times, default=None)


# --- cosignatures -------------------------------------------------------------------------------


def cosigned_message(text: str, timestamp: int) -> bytes:
    """``"cosignature/v1\\ntime <timestamp>\\n" + checkpoint text`` (C2SP tlog-cosignature)."""
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{text}".encode()


def cosign(text: str, name: str, key: PrivateKey, timestamp: int) -> str:
    """The ``cosignature/v1`` signature line of ``name`` over a checkpoint text at a time."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CheckpointError(f"timestamp {timestamp} is outside 0 .. 2^63 - 1")
    parse_checkpoint(text)
    signature = timestamp.to_bytes(8, "big") + key.sign(cosigned_message(text, timestamp))
    kid = key_id_bytes(name, key.public_key, SIG_COSIGNATURE_V1)
    return NoteSignature(name=name, key_id=kid, signature=signature).line()


# --- the add-checkpoint request -----------------------------------------------------------------


@dataclass(frozen=True)
class AddCheckpoint:
    """A C2SP tlog-witness add-checkpoint request: the size the client believes the witness
    cosigned, the consistency proof from it, and the signed note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str


def encode_add_checkpoint(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """The request body: ``old <size>``, the proof hashes in base64, a blank line, the note."""
    lines = [f"old {old_size}", *(base64.b64encode(h).decode("ascii") for h in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode("utf-8")


def decode_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Read a request body written by :func:`encode_add_checkpoint`; the note is not parsed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointError("the request body is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines[0].startswith("old "):
        raise CheckpointError("expected 'old <size>', proof lines, a blank line, the note")
    size_text = lines[0][4:]
    if (
        not size_text.isascii()
        or not size_text.isdigit()
        or (size_text != "0" and size_text.startswith("0"))
    ):
        raise CheckpointError(f"old size {size_text!r} is not a decimal")
    if len(lines) - 1 > MAX_PROOF_HASHES:
        raise CheckpointError(f"{len(lines) - 1} proof lines; at most {MAX_PROOF_HASHES}")
    proof = []
    for n, line in enumerate(lines[1:], start=2):
        try:
            value = base64.b64decode(line, validate=True)
        except ValueError:
            raise CheckpointError("not base64", where=f"line {n}") from None
        if len(value) != merkle.HASH_SIZE:
            raise CheckpointError("a proof hash is 32 bytes", where=f"line {n}")
        proof.append(value)
    return AddCheckpoint(old_size=int(size_text), proof=tuple(proof), note=note)
