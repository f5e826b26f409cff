"""Log entries: the envelope, signing and verification (DESIGN.md, Ledger); the typed bodies
are in :mod:`glasnost.exchange.bodies`.

An entry is the RFC 8785 canonical JSON of its envelope::

    {"type": "<entry type>", "party": "US", "seq": 12, "created_at": "2025-03-01T12:00:00Z",
     "refs": [{"party": "RU", "seq": 4, "hash": "<hex SHA-256 of that entry's bytes>"}],
     "body": {...}}

* ``seq`` counts from **0** and has no gaps: it is the entry's leaf index in its party's log.
* ``created_at`` is UTC in the one form of :func:`~glasnost.exchange.canonical.utc_iso`.
* ``refs`` point at the entries this one answers, reveals, confirms or corrects, by position and
  by ``sha256_hex`` of their canonical bytes; refs into the author's own log point backwards.
* ``body`` is validated by the schema of ``type`` (every model forbids unknown fields). The
  bodies are listed in :data:`BODY_TYPES`; :data:`REFS_REQUIRED` names the types that must
  reference something (a clarification answers a request, a reveal opens a declaration, ...).

A declaration's posture reuses the scenario models of the assessment
(:class:`~glasnost.scenario.models.Party` with its interceptor sites, radars and launch bases, and
the :class:`~glasnost.scenario.models.InterceptorType` and
:class:`~glasnost.scenario.models.MissileTypeRef` it uses), so a declared posture is assessed
as it stands.

:class:`SignedEntry` is the entry bytes (the Merkle leaf), the detached Ed25519 signature over
exactly those bytes and the signer's key id. :func:`verify_entry` checks, in order, raising the
specific error of :mod:`glasnost.exchange.errors` at the first failure:

1. size: at most :data:`MAX_ENTRY_BYTES` (:class:`EntryTooLarge`);
2. the bytes are UTF-8 JSON with no duplicate keys, and RFC 8785 canonical (:class:`SchemaError`);
3. ``party`` is the log's party (:class:`WrongParty`);
4. the key id names a key of that party (:class:`UnknownKey`) whose administration was in office
   at ``created_at`` (:class:`KeyNotValidAtTime`);
5. the signature verifies over the bytes (:class:`InvalidSignature`);
6. ``seq`` is the next one of the log (:class:`SequenceError`);
7. envelope and body match their schema, and re-encoding the parsed entry gives the same bytes
   (:class:`SchemaError`): one entry, one encoding, one hash.

``created_at`` is the signer's own claim: an administration past its term could backdate it.
Receipt time is what the cosignature timestamp records; the log layer also requires
``created_at`` not to decrease along a log and not to be after the receipt.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from glasnost.exchange.bodies import (
    Adopt,
    Assessment,
    Clarification,
    ClarificationRequest,
    Confirmation,
    Declaration,
    Dispute,
    Final,
    Notification,
    Objection,
    Propose,
    Ref,
    Refuse,
    Reveal,
    Seq,
    Sign,
    Suspension,
    Withdraw,
    Withheld,
    _Model,
)
from glasnost.exchange.canonical import UtcDateTime, canonical_json, sha256_hex
from glasnost.exchange.commitments import verify_reveal
from glasnost.exchange.errors import (
    CanonicalJsonError,
    EntryTooLarge,
    KeyNotValidAtTime,
    SchemaError,
    SequenceError,
    UnknownKey,
    WrongParty,
)
from glasnost.exchange.keys import SIGNATURE_BYTES, PartyKeys, PrivateKey, decode_base64
from glasnost.scenario.models import Id, dotted

MAX_ENTRY_BYTES = 1 << 20
"""Largest entry accepted: 1 MiB of canonical JSON."""

# --- the envelope -------------------------------------------------------------------------------

REFS_REQUIRED = frozenset(
    {"sign", "adopt", "reveal", "objection", "clarification", "confirmation", "dispute"}
)
"""Entry types that must reference at least one entry."""


class EntryBase(_Model):
    """Fields common to every entry; subclasses fix ``type`` and the body model."""

    type: str
    party: Id
    seq: Seq
    created_at: UtcDateTime
    refs: tuple[Ref, ...] = ()
    body: BaseModel

    @model_validator(mode="after")
    def _envelope(self) -> Self:
        if self.type in REFS_REQUIRED and not self.refs:
            raise ValueError(f"refs: a {self.type} must reference at least one entry")
        for i, ref in enumerate(self.refs):
            if ref.party == self.party and ref.seq >= self.seq:
                raise ValueError(f"refs[{i}]: a ref into the own log must point backwards")
        return self

    def to_json(self) -> dict[str, Any]:
        """The envelope as plain JSON values."""
        return self.model_dump(mode="json")

    def canonical(self) -> bytes:
        """The bytes that are signed, hashed and stored as the Merkle leaf."""
        return canonical_json(self.to_json())

    def hash(self) -> str:
        """hex SHA-256 of :meth:`canonical` (what a :class:`Ref` carries)."""
        return sha256_hex(self.canonical())

    def ref(self) -> Ref:
        return Ref(party=self.party, seq=self.seq, hash=self.hash())


class ProposeEntry(EntryBase):
    type: Literal["propose"] = "propose"
    body: Propose


class SignEntry(EntryBase):
    type: Literal["sign"] = "sign"
    body: Sign


class AdoptEntry(EntryBase):
    type: Literal["adopt"] = "adopt"
    body: Adopt


class RefuseEntry(EntryBase):
    type: Literal["refuse"] = "refuse"
    body: Refuse


class WithdrawEntry(EntryBase):
    type: Literal["withdraw"] = "withdraw"
    body: Withdraw


class FinalEntry(EntryBase):
    type: Literal["final"] = "final"
    body: Final


class DeclarationEntry(EntryBase):
    type: Literal["declaration"] = "declaration"
    body: Declaration

    @model_validator(mode="after")
    def _own_posture(self) -> Self:
        posture = self.body.posture
        if posture is not None and posture.party.id != self.party:
            raise ValueError(
                f"body.posture.party.id is {posture.party.id!r}; a party declares only its "
                f"own posture ({self.party!r})"
            )
        return self


class RevealEntry(EntryBase):
    type: Literal["reveal"] = "reveal"
    body: Reveal


class NotificationEntry(EntryBase):
    type: Literal["notification"] = "notification"
    body: Notification


class ObjectionEntry(EntryBase):
    type: Literal["objection"] = "objection"
    body: Objection


class ClarificationRequestEntry(EntryBase):
    type: Literal["clarification_request"] = "clarification_request"
    body: ClarificationRequest


class ClarificationEntry(EntryBase):
    type: Literal["clarification"] = "clarification"
    body: Clarification


class AssessmentEntry(EntryBase):
    type: Literal["assessment"] = "assessment"
    body: Assessment


class ConfirmationEntry(EntryBase):
    type: Literal["confirmation"] = "confirmation"
    body: Confirmation


class DisputeEntry(EntryBase):
    type: Literal["dispute"] = "dispute"
    body: Dispute


class WithheldEntry(EntryBase):
    type: Literal["withheld"] = "withheld"
    body: Withheld


class SuspensionEntry(EntryBase):
    type: Literal["suspension"] = "suspension"
    body: Suspension


Entry = Annotated[
    ProposeEntry
    | SignEntry
    | AdoptEntry
    | RefuseEntry
    | WithdrawEntry
    | FinalEntry
    | DeclarationEntry
    | RevealEntry
    | NotificationEntry
    | ObjectionEntry
    | ClarificationRequestEntry
    | ClarificationEntry
    | AssessmentEntry
    | ConfirmationEntry
    | DisputeEntry
    | WithheldEntry
    | SuspensionEntry,
    Field(discriminator="type"),
]
"""Any entry; pydantic picks the model by ``type``."""

ENTRY_ADAPTER: TypeAdapter[Entry] = TypeAdapter(Entry)

BODY_TYPES: dict[str, type[BaseModel]] = {
    cls.model_fields["type"].default: cls.model_fields["body"].annotation  # type: ignore[misc]
    for cls in EntryBase.__subclasses__()
}
"""Entry type -> body model."""


def parse_entry(value: object, *, where: str = "entry") -> Entry:
    """Validate a JSON object as an entry; raises :class:`SchemaError` naming each field."""
    try:
        return ENTRY_ADAPTER.validate_python(value)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            if loc and isinstance(value, dict) and loc[0] == value.get("type"):
                loc = loc[1:]  # drop the discriminator's tag
            problems.append(f"{dotted(loc) or '(entry)'}: {error['msg']}")
        raise SchemaError("; ".join(problems), where=where) from None


# --- signing and verification -------------------------------------------------------------------


@dataclass(frozen=True)
class SignedEntry:
    """Entry bytes (canonical JSON, the Merkle leaf), Ed25519 signature over them, key id."""

    entry: bytes
    signature: bytes
    key_id: str

    @property
    def hash(self) -> str:
        return sha256_hex(self.entry)

    def to_json(self) -> dict[str, str]:
        """For transport: the entry as text, the signature in standard base64."""
        return {
            "entry": self.entry.decode("utf-8"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "key_id": self.key_id,
        }

    @classmethod
    def from_json(cls, value: object) -> SignedEntry:
        """Inverse of :meth:`to_json`; raises :class:`SchemaError`."""
        if not isinstance(value, dict) or set(value) != {"entry", "signature", "key_id"}:
            raise SchemaError("a signed entry is an object with entry, signature and key_id")
        entry, signature, hex_id = value["entry"], value["signature"], value["key_id"]
        if not all(isinstance(v, str) for v in (entry, signature, hex_id)):
            raise SchemaError("entry, signature and key_id are strings")
        try:
            data = entry.encode("utf-8")
            raw = decode_base64(signature, SIGNATURE_BYTES, "signature")
        except (ValueError, UnicodeEncodeError) as exc:
            raise SchemaError(str(exc), where="signed entry") from None
        return cls(entry=data, signature=raw, key_id=hex_id)


def sign_entry(envelope: EntryBase, private_key: PrivateKey, key_id: str) -> SignedEntry:
    """Sign ``canonical_json(envelope)`` with ``private_key``, whose key id is ``key_id``."""
    data = envelope.canonical()
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryTooLarge(
            f"{len(data)} bytes of canonical JSON; the limit is {MAX_ENTRY_BYTES}",
            where=f"entry {envelope.party}#{envelope.seq}",
        )
    return SignedEntry(entry=data, signature=private_key.sign(data), key_id=key_id)


def verify_entry(
    signed: SignedEntry, party_keys: PartyKeys, expected_party: str, expected_seq: int
) -> Entry:
    """Verify a signed entry as the next one (``expected_seq``) of ``expected_party``'s log.

    The steps and their errors are listed in the module docstring. Returns the parsed entry.
    """
    where = f"entry {expected_party}#{expected_seq}"
    data = signed.entry
    # 1. size, before anything is parsed
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryTooLarge(f"{len(data)} bytes; the limit is {MAX_ENTRY_BYTES}", where=where)
    # 2. JSON, canonical
    obj = _load_json(data, where)
    try:
        canonical = canonical_json(obj)
    except CanonicalJsonError as exc:
        raise SchemaError(f"{exc.where}: {exc.message}", where=where) from None
    if canonical != data:
        raise SchemaError("bytes are not RFC 8785 canonical JSON", where=where)
    # 3. party
    if party_keys.party != expected_party:
        raise WrongParty(f"keys given are party {party_keys.party!r}'s", where=where)
    if obj.get("party") != expected_party:
        raise WrongParty(
            f"entry names party {obj.get('party')!r}; this log is {expected_party!r}'s",
            where=where,
        )
    # 4. key of the administration in office at created_at
    key_where = f"{where} (key {party_keys.key_name}/{signed.key_id})"
    try:
        administration = party_keys.by_key_id(signed.key_id)
    except UnknownKey as exc:
        raise UnknownKey(exc.message, where=key_where) from None
    created_at = _created_at(obj, where)
    if not administration.valid_at(created_at):
        raise KeyNotValidAtTime(
            f"created_at {obj['created_at']} is outside the term {administration.period()} of "
            f"administration {administration.id!r} (key {signed.key_id})",
            where=where,
        )
    # 5. signature over exactly the bytes
    administration.key.verify(signed.signature, data, where=key_where)
    # 6. sequence
    if obj.get("seq") != expected_seq:
        raise SequenceError(
            f"seq is {obj.get('seq')!r}; the log expects {expected_seq} (no gaps, from 0)",
            where=where,
        )
    # 7. schema and normal form
    entry = parse_entry(obj, where=where)
    if entry.canonical() != data:
        normal = entry.to_json()
        fields = sorted(k for k in normal.keys() | obj.keys() if normal.get(k) != obj.get(k))
        raise SchemaError(
            f"not in normal form (field {', '.join(fields)} re-encodes differently: "
            "write every field, times as YYYY-MM-DDTHH:MM:SSZ)",
            where=where,
        )
    return entry


def _load_json(data: bytes, where: str) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f"duplicate key {key!r}")
            out[key] = value
        return out

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        obj = json.loads(
            data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise SchemaError(f"not UTF-8 JSON: {exc}", where=where) from None
    if not isinstance(obj, dict):
        raise SchemaError(f"an entry is a JSON object, not {type(obj).__name__}", where=where)
    return obj


_UTC_DATETIME: TypeAdapter[dt.datetime] = TypeAdapter(UtcDateTime)


def _created_at(obj: dict[str, Any], where: str) -> dt.datetime:
    try:
        return _UTC_DATETIME.validate_python(obj.get("created_at"))
    except ValidationError as exc:
        msg = exc.errors(include_url=False)[0]["msg"]
        raise SchemaError(f"created_at: {msg}", where=where) from None


def check_reveal(declaration: Declaration, reveal: Reveal, *, where: str = "reveal") -> None:
    """Check that each revealed item opens the declaration's commitment of the same label."""
    committed = {c.label: c.commitment for c in declaration.commitments}
    for i, item in enumerate(reveal.items):
        at = f"{where} items[{i}] ({item.label!r})"
        if item.label not in committed:
            raise SchemaError("no commitment of that label in the declaration", where=at)
        try:
            salt = bytes.fromhex(item.salt)
        except ValueError as exc:  # pragma: no cover - SaltHex is hex
            raise SchemaError(str(exc), where=at) from None
        verify_reveal(committed[item.label], salt, item.item, where=at)
