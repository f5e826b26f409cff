"""Log entries: the one signed envelope, the registry of body types, signing and verification
(DESIGN.md, Ledger). The ledger knows no domain: the agreement registers its entry types and
their bodies (:mod:`glasnost.treaty.bodies`) with :func:`register_entry_type`.

An entry is the RFC 8785 canonical JSON of its envelope::

    {"type": "<entry type>", "party": "US", "seq": 12, "created_at": "2025-03-01T12:00:00Z",
     "refs": [{"party": "RU", "seq": 4, "hash": "<hex SHA-256 of that entry's bytes>"}],
     "body": {...}}

* ``seq`` counts from **0** and has no gaps: it is the entry's leaf index in its party's log.
* ``created_at`` is UTC in the one form of :func:`~glasnost.exchange.canonical.utc_iso`.
* ``refs`` point at the entries this one answers, reveals, confirms or corrects, by position and
  by ``sha256_hex`` of their canonical bytes; refs into the author's own log point backwards.
* ``body`` is validated by the schema of ``type`` (every model forbids unknown fields). The
  registered bodies are listed in :data:`BODY_TYPES`; :data:`REFS_REQUIRED` names the types
  that must reference something (a clarification answers a request, a reveal opens a
  declaration, ...). Each registered type has its envelope model, an :class:`Entry` whose
  ``type`` and ``body`` are fixed (e.g. ``DeclarationEntry``), made by the registry.

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
7. envelope and body match their schema, and the parsed entry's values are the received ones as
   canonical JSON writes them (:func:`~glasnost.exchange.canonical.same_json_as`: re-encoding it
   would give the same bytes) (:class:`SchemaError`): one entry, one encoding, one hash.

The canonical form is computed once per entry, in step 2. A batch's signatures (step 5) can be
verified beforehand on all cores (:func:`signature_checks`); the steps still run in this order
and raise the same first error. A whole batch of a log's next entries can be verified there
too (:func:`entry_checks`: every step in a worker); an entry a worker did not pass is verified
again by the caller, which raises its error.

``created_at`` is the signer's own claim: an administration past its term could backdate it.
Receipt time is what the cosignature timestamp records; the log layer also requires
``created_at`` not to decrease along a log and not to be after the receipt.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)

from glasnost.common.ids import Id, dotted
from glasnost.exchange.canonical import (
    MAX_SAFE_INTEGER,
    UtcDateTime,
    canonical_json,
    loads_canonical,
    same_json,
    same_json_as,
    sha256_hex,
    utc_iso,
)
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
from glasnost.exchange.signatures import (
    ChunkResults,
    SignatureChecks,
    Signed,
    check_signatures,
    run_chunks,
)

MAX_ENTRY_BYTES = 1 << 20
"""Largest entry accepted: 1 MiB of canonical JSON."""

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Seq = Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER)]


def _hash_b64(value: str) -> str:
    decode_base64(value, 32, "hash")
    return value


HashB64 = Annotated[str, AfterValidator(_hash_b64), Field(description="base64 of 32 bytes")]


class BodyModel(BaseModel):
    """Base of the envelope and of every body: frozen, unknown fields refused, finite floats."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Ref(BodyModel):
    """A position in a party's log and the hex SHA-256 of the entry bytes found there."""

    party: Id
    seq: Seq
    hash: Sha256Hex


class CheckpointRef(BodyModel):
    """A checkpoint by origin, tree size and base64 root hash."""

    origin: Text
    size: Seq
    root_hash: HashB64


# --- the envelope -------------------------------------------------------------------------------


class Entry(BodyModel):
    """The envelope of every entry; the registry's models fix ``type`` and the body model."""

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
        registered = _TYPES.get(self.type)
        if registered is not None and registered.check is not None:
            registered.check(self)
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


EntryBase = Entry
"""The former name of :class:`Entry`."""

EnvelopeCheck = Callable[[Entry], None]
"""A check of a whole entry of one type (body against envelope); raises ValueError."""


@dataclass(frozen=True)
class EntryType:
    """A registered entry type: its name, body model, envelope model and rules."""

    name: str
    body: type[BaseModel]
    model: type[Entry]
    refs_required: bool
    check: EnvelopeCheck | None


_TYPES: dict[str, EntryType] = {}

BODY_TYPES: dict[str, type[BaseModel]] = {}
"""Entry type -> body model, as registered."""

REFS_REQUIRED: set[str] = set()
"""Entry types that must reference at least one entry, as registered."""


def register_entry_type(
    name: str,
    body: type[BaseModel],
    *,
    refs_required: bool = False,
    check: EnvelopeCheck | None = None,
) -> type[Entry]:
    """Register an entry type with its body model; returns its envelope model
    (``<Body>Entry``: an :class:`Entry` with ``type`` fixed to ``name`` and ``body`` typed)."""
    if name in _TYPES:
        raise ValueError(f"entry type {name!r} is registered already")
    tag: Any = Literal[name]  # a Literal of a run-time value
    model = create_model(
        f"{body.__name__}Entry",
        __base__=Entry,
        __module__=body.__module__,
        type=(tag, name),
        body=(body, ...),
    )
    _TYPES[name] = EntryType(name, body, model, refs_required, check)
    BODY_TYPES[name] = body
    if refs_required:
        REFS_REQUIRED.add(name)
    _adapter.cache_clear()
    return model


def entry_model(name: str) -> type[Entry]:
    """The envelope model of a registered entry type; KeyError if it is not registered."""
    return _TYPES[name].model


@functools.cache
def _adapter() -> TypeAdapter[Entry]:
    models = [t.model for t in _TYPES.values()]
    if len(models) == 1:
        return TypeAdapter(models[0])
    union: Any = Union[tuple(models)]  # noqa: UP007 (a union built at run time)
    adapter: TypeAdapter[Entry] = TypeAdapter(Annotated[union, Field(discriminator="type")])
    return adapter


def parse_entry(value: object, *, where: str = "entry") -> Entry:
    """Validate a JSON object as an entry; raises :class:`SchemaError` naming each field."""
    if not _TYPES:
        raise SchemaError("no entry types are registered (import glasnost.treaty)", where=where)
    try:
        return _adapter().validate_python(value)
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


def signature_checks(
    signed_entries: Sequence[SignedEntry], party_keys: PartyKeys
) -> SignatureChecks:
    """Start verifying a batch's signatures on all cores (:mod:`~glasnost.exchange.signatures`),
    each with the key its key id names; pass item ``i`` to :func:`verify_entry` as
    ``signature_valid``. Entries with an unknown key id or a malformed signature are left to
    :func:`verify_entry`, which names their error."""
    items: list[Signed | None] = []
    for signed in signed_entries:
        try:
            key = party_keys.by_key_id(signed.key_id).key
        except UnknownKey:
            items.append(None)
            continue
        well_formed = len(signed.signature) == SIGNATURE_BYTES
        items.append((key.raw, signed.signature, signed.entry) if well_formed else None)
    return check_signatures(items)


Registry = tuple[tuple[str, str, str], ...]
"""The registered entry types as (name, module, qualified name of the body model)."""


def _registry() -> Registry:
    return tuple(sorted((t.name, t.body.__module__, t.body.__qualname__) for t in _TYPES.values()))


def entry_checks(
    signed_entries: Sequence[SignedEntry], party_keys: PartyKeys, party: str, first_seq: int
) -> ChunkResults[str]:
    """Start verifying a batch as the entries ``first_seq``, ``first_seq + 1``, ... of
    ``party``'s log on all cores: every step of :func:`verify_entry`, in worker processes
    (:func:`~glasnost.exchange.signatures.run_chunks`); returns at once. Item ``i`` is the
    ``created_at`` of entry ``i`` (as :func:`~glasnost.exchange.canonical.utc_iso` writes it)
    when it passed, None when it did not or was not checked: the caller then calls
    :func:`verify_entry` itself, which raises the entry's error. A worker whose registered
    entry types differ from this process's checks nothing."""
    items = [(s.entry, s.signature, s.key_id, first_seq + i) for i, s in enumerate(signed_entries)]
    return run_chunks(_verify_entries, items, party_keys, party, _registry())


def _verify_entries(
    items: Sequence[tuple[bytes, bytes, str, int]],
    party_keys: PartyKeys,
    party: str,
    registry: Registry,
) -> list[str | None]:
    """In a worker: :func:`verify_entry` of each (entry, signature, key id, seq); the
    ``created_at`` of those that pass, None for the others."""
    for module in sorted(
        {m for _, m, _ in registry} - {t.body.__module__ for t in _TYPES.values()}
    ):
        importlib.import_module(module)  # registers its entry types
    if _registry() != registry:
        return [None] * len(items)
    out: list[str | None] = []
    for entry, signature, key_id, seq in items:
        try:
            verified = verify_entry(SignedEntry(entry, signature, key_id), party_keys, party, seq)
        except Exception:  # the caller verifies it again and raises its error
            out.append(None)
        else:
            out.append(utc_iso(verified.created_at))
    return out


def verify_entry(
    signed: SignedEntry,
    party_keys: PartyKeys,
    expected_party: str,
    expected_seq: int,
    *,
    signature_valid: bool | None = None,
) -> Entry:
    """Verify a signed entry as the next one (``expected_seq``) of ``expected_party``'s log.

    The steps and their errors are listed in the module docstring. Returns the parsed entry.
    ``signature_valid`` is the outcome of step 5 computed beforehand for exactly these bytes
    (:func:`signature_checks`); None: the signature is verified here.
    """
    where = f"entry {expected_party}#{expected_seq}"
    data = signed.entry
    # 1. size, before anything is parsed
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryTooLarge(f"{len(data)} bytes; the limit is {MAX_ENTRY_BYTES}", where=where)
    # 2. JSON, canonical (encoded once: step 7 compares values, not bytes)
    obj = _load_json(data, where)
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
    if signature_valid is None:
        administration.key.verify(signed.signature, data, where=key_where)
    elif not signature_valid:
        raise administration.key.signature_error(where=key_where)
    # 6. sequence
    if obj.get("seq") != expected_seq:
        raise SequenceError(
            f"seq is {obj.get('seq')!r}; the log expects {expected_seq} (no gaps, from 0)",
            where=where,
        )
    # 7. schema and normal form
    entry = parse_entry(obj, where=where)
    normal = entry.to_json()
    if not same_json_as(normal, obj, data):
        fields = sorted(
            k for k in normal.keys() | obj.keys() if not same_json(normal.get(k), obj.get(k))
        )
        raise SchemaError(
            f"not in normal form (field {', '.join(fields)} re-encodes differently: "
            "write every field, times as YYYY-MM-DDTHH:MM:SSZ)",
            where=where,
        )
    return entry


def _load_json(data: bytes, where: str) -> dict[str, Any]:
    """The entry's JSON object, from bytes that must be RFC 8785 canonical."""
    try:
        obj = loads_canonical(data)
    except CanonicalJsonError as exc:
        raise SchemaError(f"{exc.where}: {exc.message}", where=where) from None
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
