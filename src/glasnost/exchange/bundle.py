"""Offline bundles: a verified slice of a party's log, carried by courier to a peer's mirror.

A bundle is one JSON object (plain JSON values)::

    {"format": "glasnost-bundle/v1", "origin": "<log origin>", "party_keys": {<PartyKeys>},
     "start": S, "size": N,
     "base": {"note": "<signed checkpoint of size S>" | null, "border": ["<base64 hash>", ...]},
     "entries": [{"entry": ..., "signature": ..., "key_id": ...}, ...],       seq S .. N-1
     "checkpoints": [{"note": "<signed note>", "cosignatures": ["<cosignature/v1 line>"]}],
     "consistency": [{"old_size": a, "new_size": b, "proof": ["<base64 hash>", ...]}]}

* ``start`` is 0 or the size of a signed checkpoint (``base.note``) that the receiver can hold
  against its own copy; ``base.border`` is the right border of the tree of S entries (one hash
  per perfect subtree, largest first), which must fold into the base checkpoint's root;
* ``checkpoints`` are the exporter's checkpoints with S < size <= N, ascending, each with the
  cosignature lines it holds; the last one has size N, so a bundle ends at a signed statement;
* ``consistency`` holds the RFC 9162 consistency proofs from the base (when S > 0) to the first
  checkpoint and between each consecutive pair.

:func:`export_bundle` writes one from a :class:`~glasnost.exchange.store.LogStore`;
:func:`verify_bundle` checks it without a database against the receiver's pinned key record
(a bundle never introduces keys); :func:`import_bundle` verifies, then appends it to the mirror,
refusing gaps and rewritten histories (keeping evidence of the latter).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.engine import Engine

from glasnost.exchange import merkle
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.checkpoint import (
    MAX_PROOF_HASHES,
    MAX_SIGNATURES,
    MAX_TIMESTAMP,
    Checkpoint,
    NoteSignature,
    Verifier,
    add_signatures,
    log_verifiers,
    open_checkpoint,
    open_note,
    parse_note,
)
from glasnost.exchange.entries import SignedEntry, verify_entry
from glasnost.exchange.errors import (
    BundleError,
    CheckpointError,
    ConsistencyError,
    EquivocationError,
    Evidence,
    InvalidSignature,
    LogExists,
    LogNotFound,
    ReceiptTimeError,
    TimeOrderError,
    UnknownKey,
)
from glasnost.exchange.keys import (
    SIG_COSIGNATURE_V1,
    SIGNATURE_BYTES,
    PartyKeys,
    decode_base64,
)
from glasnost.exchange.replication import check_extends
from glasnost.exchange.store import MAX_CLOCK_SKEW, LogStore, StoredCheckpoint

__all__ = [
    "BUNDLE_FORMAT",
    "BundleBase",
    "BundleCheckpoint",
    "ConsistencyStep",
    "ImportReport",
    "VerifiedBundle",
    "export_bundle",
    "import_bundle",
    "verify_bundle",
]

BUNDLE_FORMAT: Final = "glasnost-bundle/v1"
"""The ``format`` of the bundles this module writes and reads."""

MAX_BUNDLE_ENTRIES: Final = 1_000_000
"""Most entries in one bundle; a longer slice goes in several bundles."""

MAX_BORDER_HASHES: Final = 64
"""Most border hashes (one per set bit of a 64-bit tree size)."""

IMPORT_BATCH: Final = 10_000
"""Entries appended per transaction by :func:`import_bundle`."""

_MAX_PROBLEMS: Final = 5
"""Structural problems listed in one error message."""

Clock = Callable[[], dt.datetime]


# --- the bundle's JSON structure ----------------------------------------------------------------


class _Json(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


_Size = Annotated[int, Field(ge=0, le=MAX_TIMESTAMP)]


class _BaseJson(_Json):
    note: str | None
    border: list[str] = Field(max_length=MAX_BORDER_HASHES)


class _EntryJson(_Json):
    entry: str
    signature: str
    key_id: str


class _CheckpointJson(_Json):
    note: str
    cosignatures: list[str] = Field(max_length=MAX_SIGNATURES)


class _ConsistencyJson(_Json):
    old_size: _Size
    new_size: _Size
    proof: list[str] = Field(max_length=MAX_PROOF_HASHES)


class _BundleJson(_Json):
    format: Literal["glasnost-bundle/v1"]
    origin: str
    party_keys: dict[str, Any]
    start: _Size
    size: _Size
    base: _BaseJson
    entries: list[_EntryJson] = Field(max_length=MAX_BUNDLE_ENTRIES)
    checkpoints: list[_CheckpointJson] = Field(max_length=MAX_BUNDLE_ENTRIES)
    consistency: list[_ConsistencyJson] = Field(max_length=MAX_BUNDLE_ENTRIES)


def _path(loc: Sequence[int | str]) -> str:
    """('entries', 3, 'signature') -> '$.entries[3].signature'."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


def _fail(path: str, reason: str) -> BundleError:
    return BundleError(f"{path}: {reason}", where="bundle")


def _problems(exc: ValidationError, prefix: Sequence[int | str] = ()) -> BundleError:
    errors = exc.errors(include_url=False)
    listed = [f"{_path([*prefix, *e['loc']])}: {e['msg']}" for e in errors[:_MAX_PROBLEMS]]
    if len(errors) > _MAX_PROBLEMS:
        listed.append(f"and {len(errors) - _MAX_PROBLEMS} more problems")
    return BundleError("; ".join(listed), where="bundle")


def _hash(text: str, path: str) -> bytes:
    try:
        return decode_base64(text, merkle.HASH_SIZE, "hash")
    except ValueError as exc:
        raise _fail(path, str(exc)) from None


@contextmanager
def _at(path: str) -> Iterator[None]:
    """Name the bundle position in a note's error (``where``: bundle path, then note line)."""
    try:
        yield
    except (CheckpointError, UnknownKey, InvalidSignature) as exc:
        if type(exc) not in (CheckpointError, UnknownKey, InvalidSignature):
            raise  # a subclass with more to say: keep it as it is
        where = f"bundle {path}" + (f", {exc.where}" if exc.where else "")
        raise type(exc)(exc.message, where=where) from None


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleBase:
    """Where a bundle starts: the signed checkpoint of its start size (None at 0) and the
    tree's border there."""

    note: str | None
    checkpoint: Checkpoint | None
    border: tuple[bytes, ...]


@dataclass(frozen=True)
class BundleCheckpoint:
    """A signed checkpoint carried in a bundle, with the cosignature lines that came with it."""

    note: str
    checkpoint: Checkpoint
    cosignatures: tuple[str, ...]

    @property
    def size(self) -> int:
        return self.checkpoint.size


@dataclass(frozen=True)
class ConsistencyStep:
    """A consistency proof between two signed sizes of the bundle (it verified)."""

    old_size: int
    new_size: int
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle that passed :func:`verify_bundle`: its parsed pieces."""

    origin: str
    party_keys: PartyKeys
    start: int
    size: int
    base: BundleBase
    entries: tuple[SignedEntry, ...]
    checkpoints: tuple[BundleCheckpoint, ...]
    consistency: tuple[ConsistencyStep, ...]

    def signed(self) -> list[tuple[str, Checkpoint]]:
        """Every signed checkpoint the bundle carries (the base first), as (note, checkpoint)."""
        out = [(c.note, c.checkpoint) for c in self.checkpoints]
        if self.base.note is not None and self.base.checkpoint is not None:
            out.insert(0, (self.base.note, self.base.checkpoint))
        return out


@dataclass(frozen=True)
class ImportReport:
    """What :func:`import_bundle` stored."""

    origin: str
    new_entries: int
    size: int
    checkpoints_added: int
    cosignatures_added: int
    skipped_cosignatures: int

    def to_json(self) -> dict[str, object]:
        return {
            "origin": self.origin,
            "new_entries": self.new_entries,
            "size": self.size,
            "checkpoints_added": self.checkpoints_added,
            "cosignatures_added": self.cosignatures_added,
            "skipped_cosignatures": self.skipped_cosignatures,
        }


# --- export -------------------------------------------------------------------------------------


def export_bundle(store: LogStore, *, start: int = 0, end: int | None = None) -> dict[str, Any]:
    """The bundle of ``store``'s entries ``start <= seq < end`` as plain JSON values.

    ``end`` (default: the latest stored checkpoint's size) must be the size of a stored
    checkpoint, so that the bundle ends at a signed statement; ``start`` must be 0 or the size
    of a stored checkpoint at most ``end``, which the receiver checks against its own copy.
    Raises :class:`BundleError` otherwise, or when the slice holds more than
    :data:`MAX_BUNDLE_ENTRIES` entries.
    """
    where = f"log {store.origin}"
    stored = store.checkpoints(1)
    if not stored:
        raise BundleError(
            "the log has no checkpoint of its entries; make a signed checkpoint first (a "
            "bundle ends at one)",
            where=where,
        )
    sizes = [c.size for c in stored]
    end = sizes[-1] if end is None else end
    if end not in sizes:
        raise BundleError(
            f"end {end} is not the size of a stored checkpoint ({_listing(sizes)})", where=where
        )
    if (start != 0 and start not in sizes) or start > end:
        raise BundleError(
            f"start {start} is neither 0 nor the size of a stored checkpoint at most {end} "
            f"(0, {_listing([s for s in sizes if s <= end])})",
            where=where,
        )
    if end - start > MAX_BUNDLE_ENTRIES:
        raise BundleError(
            f"{end - start} entries; a bundle carries at most {MAX_BUNDLE_ENTRIES} (export "
            "several, each ending at a checkpoint)",
            where=where,
        )
    carried = [c for c in stored if start < c.size <= end]
    base_note = None if start == 0 else _checkpoint_at(stored, start).note
    signed_sizes = ([start] if start > 0 else []) + [c.size for c in carried]
    steps = list(pairwise(signed_sizes))
    return {
        "format": BUNDLE_FORMAT,
        "origin": store.origin,
        "party_keys": store.party_keys.model_dump(mode="json"),
        "start": start,
        "size": end,
        "base": {"note": base_note, "border": [_b64(h) for h in store.border(start)]},
        "entries": [e.to_json() for e in store.entries(start, end)],
        "checkpoints": [
            {
                "note": c.note,
                "cosignatures": [line for _, line in sorted(store.cosignatures(c.size).items())],
            }
            for c in carried
        ],
        "consistency": [
            {
                "old_size": a,
                "new_size": b,
                "proof": [_b64(h) for h in store.consistency_proof(a, b)],
            }
            for a, b in steps
        ],
    }


def _checkpoint_at(stored: Sequence[StoredCheckpoint], size: int) -> StoredCheckpoint:
    return next(c for c in stored if c.size == size)


def _listing(sizes: Sequence[int], most: int = 20) -> str:
    if len(sizes) <= most:
        return ", ".join(map(str, sizes)) or "none"
    return (
        ", ".join(map(str, sizes[: most // 2]))
        + ", ..., "
        + ", ".join(map(str, sizes[-most // 2 :]))
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- verification -------------------------------------------------------------------------------


def verify_bundle(
    bundle: object, party_keys: PartyKeys, *, witnesses: Sequence[Verifier] = ()
) -> VerifiedBundle:
    """Check a bundle completely, without a database, against the pinned key record.

    In order: the structure (:class:`BundleError` naming the JSON path), the format, that the
    bundle's ``party_keys`` equal ``party_keys`` and its origin is their key name; the base
    checkpoint's signature and that ``base.border`` folds into its root; each checkpoint's
    signature, origin and size (ascending within (start, size], the last one of size
    ``size``); the cosignature lines parse, and those of ``witnesses`` verify; every entry by
    :func:`~glasnost.exchange.entries.verify_entry` as seq ``start + i``, with ``created_at``
    never decreasing (:class:`TimeOrderError`); the running root at each checkpoint's size
    equals its root (:class:`CheckpointError`); the entry count; each consistency proof
    (:class:`ConsistencyError`). Every failure is an :class:`ExchangeError`.
    """
    raw = _structure(bundle)
    if raw.origin != party_keys.key_name:
        raise _fail("$.origin", f"{raw.origin!r} is not the pinned log {party_keys.key_name!r}")
    try:
        keys = PartyKeys.model_validate(raw.party_keys)
    except ValidationError as exc:
        raise _problems(exc, ("party_keys",)) from None
    if keys != party_keys:
        raise _fail(
            "$.party_keys",
            f"not the key record this database trusts for {party_keys.key_name}; a bundle "
            "cannot introduce or change keys (update the pinned record first)",
        )
    start, size = raw.start, raw.size
    if start > size:
        raise _fail("$.start", f"{start} is after the bundle's size {size}")
    verifiers = log_verifiers(party_keys)
    base = _verify_base(raw.base, start, party_keys.key_name, verifiers)
    checkpoints = _verify_checkpoints(raw, verifiers, witnesses)
    last_signed = checkpoints[-1].size if checkpoints else (start if start > 0 else None)
    if last_signed != size:
        raise _fail(
            "$.checkpoints",
            f"a bundle ends at a signed checkpoint of its size {size}; the last one carried "
            f"is of size {last_signed}",
        )
    entries = _verify_entries(raw, party_keys, base, checkpoints)
    consistency = _verify_consistency(raw, base, checkpoints)
    return VerifiedBundle(
        origin=raw.origin,
        party_keys=party_keys,
        start=start,
        size=size,
        base=base,
        entries=entries,
        checkpoints=checkpoints,
        consistency=consistency,
    )


def _structure(bundle: object) -> _BundleJson:
    if not isinstance(bundle, dict):
        raise _fail("$", f"a bundle is a JSON object, not {type(bundle).__name__}")
    if "format" not in bundle:
        raise _fail("$.format", "missing; a glasnost bundle starts with its format")
    if bundle["format"] != BUNDLE_FORMAT:
        raise _fail(
            "$.format",
            f"{bundle['format']!r} is not a format this version reads ({BUNDLE_FORMAT!r})",
        )
    entries = bundle.get("entries")
    if isinstance(entries, list) and len(entries) > MAX_BUNDLE_ENTRIES:
        raise _fail("$.entries", f"{len(entries)} entries; at most {MAX_BUNDLE_ENTRIES}")
    try:
        return _BundleJson.model_validate(bundle)
    except ValidationError as exc:
        raise _problems(exc) from None


def _verify_base(
    raw: _BaseJson, start: int, origin: str, verifiers: Sequence[Verifier]
) -> BundleBase:
    border = tuple(_hash(h, f"$.base.border[{i}]") for i, h in enumerate(raw.border))
    if len(border) != start.bit_count():
        raise _fail(
            "$.base.border",
            f"{len(border)} hashes; the tree of {start} entries has {start.bit_count()} "
            "perfect subtrees on its border",
        )
    if start == 0:
        if raw.note is not None:
            raise _fail("$.base.note", "a bundle from the start of the log has no base note")
        return BundleBase(note=None, checkpoint=None, border=())
    if raw.note is None:
        raise _fail("$.base.note", f"missing: the signed checkpoint of size {start}")
    checkpoint = _open(raw.note, "$.base.note", origin, verifiers)
    if checkpoint.size != start:
        raise _fail("$.base.note", f"checkpoint of size {checkpoint.size}, not start {start}")
    if merkle.CompactRange(start, border).root() != checkpoint.root_hash:
        raise _fail("$.base.border", "does not fold into the base checkpoint's root")
    return BundleBase(note=raw.note, checkpoint=checkpoint, border=border)


def _open(note: str, path: str, origin: str, verifiers: Sequence[Verifier]) -> Checkpoint:
    with _at(path):
        checkpoint, _, _ = open_checkpoint(note, verifiers)
    if checkpoint.origin != origin:
        raise _fail(path, f"checkpoint of origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


def _verify_checkpoints(
    raw: _BundleJson, verifiers: Sequence[Verifier], witnesses: Sequence[Verifier]
) -> tuple[BundleCheckpoint, ...]:
    known = _witness_table(witnesses)
    out: list[BundleCheckpoint] = []
    previous = raw.start
    for i, item in enumerate(raw.checkpoints):
        path = f"$.checkpoints[{i}]"
        checkpoint = _open(item.note, f"{path}.note", raw.origin, verifiers)
        if not previous < checkpoint.size <= raw.size:
            raise _fail(
                f"{path}.note",
                f"size {checkpoint.size}: checkpoints go in ascending sizes after {previous}, "
                f"up to the bundle's size {raw.size}",
            )
        previous = checkpoint.size
        for j, line in enumerate(item.cosignatures):
            at = f"{path}.cosignatures[{j}]"
            signature = _cosignature(item.note, line, at)
            witness = known.get((signature.name, signature.key_id))
            if witness is not None:
                with _at(at):
                    open_note(add_signatures(item.note, [line]), [witness])
        out.append(BundleCheckpoint(item.note, checkpoint, tuple(item.cosignatures)))
    return tuple(out)


def _witness_table(witnesses: Sequence[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    table: dict[tuple[str, bytes], Verifier] = {}
    for witness in witnesses:
        if witness.signature_type != SIG_COSIGNATURE_V1:
            raise ValueError(f"witness {witness.name}: a cosignature verifier has type 0x04")
        table[witness.name, witness.key_id] = witness
    return table


def _cosignature(note: str, line: str, path: str) -> NoteSignature:
    """The one signature line ``line`` (ending in a newline), parsed."""
    if not line.endswith("\n") or line.count("\n") != 1:
        raise _fail(path, "a cosignature is one signature line ending in a newline")
    with _at(path):
        text = parse_note(note).text
        return parse_note(f"{text}\n{line}").signatures[0]


def _verify_entries(
    raw: _BundleJson,
    party_keys: PartyKeys,
    base: BundleBase,
    checkpoints: Sequence[BundleCheckpoint],
) -> tuple[SignedEntry, ...]:
    party = party_keys.party
    tree = merkle.CompactRange(raw.start, base.border)
    at_size = {c.size: c for c in checkpoints}
    out: list[SignedEntry] = []
    last_created: dt.datetime | None = None
    for i, item in enumerate(raw.entries):
        seq = raw.start + i
        signed = _signed_entry(item, f"$.entries[{i}]")
        entry = verify_entry(signed, party_keys, party, seq)
        if last_created is not None and entry.created_at < last_created:
            raise TimeOrderError(
                f"created_at {utc_iso(entry.created_at)} is before the previous entry's "
                f"{utc_iso(last_created)}; times must not decrease along a log",
                where=f"entry {party}#{seq}",
            )
        last_created = entry.created_at
        tree.append(merkle.leaf_hash(signed.entry))
        out.append(signed)
        carried = at_size.get(tree.size)
        if carried is not None and tree.root() != carried.checkpoint.root_hash:
            raise CheckpointError(
                f"root {_b64(carried.checkpoint.root_hash)} is not the root of the bundle's "
                f"entries at that size ({_b64(tree.root())})",
                where=f"bundle checkpoint {raw.origin}/{tree.size}",
            )
    if len(out) != raw.size - raw.start:
        raise _fail(
            "$.entries",
            f"{len(out)} entries; a bundle from {raw.start} to {raw.size} carries "
            f"{raw.size - raw.start}",
        )
    return tuple(out)


def _signed_entry(item: _EntryJson, path: str) -> SignedEntry:
    try:
        data = item.entry.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _fail(f"{path}.entry", f"not UTF-8 text: {exc.reason}") from None
    try:
        signature = decode_base64(item.signature, SIGNATURE_BYTES, "signature")
    except ValueError as exc:
        raise _fail(f"{path}.signature", str(exc)) from None
    return SignedEntry(entry=data, signature=signature, key_id=item.key_id)


def _verify_consistency(
    raw: _BundleJson, base: BundleBase, checkpoints: Sequence[BundleCheckpoint]
) -> tuple[ConsistencyStep, ...]:
    signed: list[tuple[str, Checkpoint]] = [(c.note, c.checkpoint) for c in checkpoints]
    if base.note is not None and base.checkpoint is not None:
        signed.insert(0, (base.note, base.checkpoint))
    pairs = list(pairwise(signed))
    if len(raw.consistency) != len(pairs):
        raise _fail(
            "$.consistency",
            f"{len(raw.consistency)} proofs; this bundle needs {len(pairs)} (from the base, if "
            "any, to the first checkpoint and between consecutive checkpoints)",
        )
    out: list[ConsistencyStep] = []
    for i, (item, ((old_note, old), (new_note, new))) in enumerate(
        zip(raw.consistency, pairs, strict=True)
    ):
        path = f"$.consistency[{i}]"
        if (item.old_size, item.new_size) != (old.size, new.size):
            raise _fail(
                path,
                f"proof from {item.old_size} to {item.new_size}; expected from {old.size} to "
                f"{new.size}",
            )
        proof = tuple(_hash(h, f"{path}.proof[{j}]") for j, h in enumerate(item.proof))
        if not merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof):
            reason = f"consistency proof from size {old.size} to {new.size} does not verify"
            raise ConsistencyError(
                reason,
                where=f"bundle {path}",
                evidence=Evidence(raw.origin, reason, old_note, new_note, proof),
            )
        out.append(ConsistencyStep(old.size, new.size, proof))
    return tuple(out)


# --- import -------------------------------------------------------------------------------------


def import_bundle(
    engine: Engine,
    bundle: object,
    party_keys: PartyKeys,
    *,
    witnesses: Sequence[Verifier] = (),
    clock: Clock | None = None,
) -> ImportReport:
    """Verify a bundle, then store it in the mirror of its log (created if absent).

    :func:`verify_bundle` runs first (with ``witnesses``, whose cosignatures must verify), and
    the mirror is checked before anything is written: its stored key record must be the pinned
    one; it must hold at least ``start`` entries (a gap is refused: :class:`BundleError`);
    at ``start`` its root must be the base checkpoint's, and the entries it holds past ``start``
    must be the bundle's, byte for byte. A different history is refused: with
    :class:`EquivocationError` and evidence kept in the store when a signed checkpoint of the
    bundle contradicts a stored one (same size, or a consistency proof against the nearest
    stored one), else with :class:`BundleError` naming the first differing entry.

    Then the new entries are appended in transactions of :data:`IMPORT_BATCH` entries (each
    re-verified by :meth:`LogStore.append`), then the checkpoints the mirror lacks, then the
    cosignature lines of ``witnesses`` (lines of other witnesses are counted as skipped).
    A crash between two steps leaves a valid prefix of the log; importing the bundle again
    resumes where it stopped, and importing it once more stores nothing new.
    """
    verified = verify_bundle(bundle, party_keys, witnesses=witnesses)
    options: dict[str, Any] = {} if clock is None else {"clock": clock}
    now = clock or (lambda: dt.datetime.now(dt.UTC))
    origin = verified.origin
    store: LogStore | None
    try:
        store = LogStore.open(engine, origin, **options)
    except LogNotFound:
        store = None
    if store is not None and store.party_keys != party_keys:
        raise BundleError(
            "the stored key record of this log is not the pinned one; update it before importing",
            where=f"log {origin}",
        )
    mirror_size = 0 if store is None else store.size()
    if verified.start > mirror_size:
        raise _gap(origin, mirror_size, verified.start)
    if store is not None:
        _check_same_history(store, verified, mirror_size)
    new = list(verified.entries[mirror_size - verified.start :])
    if new:
        _check_times(store, verified, mirror_size, now())
    if store is None:
        try:
            store = LogStore.create(engine, party_keys, **options)
        except LogExists:  # created meanwhile: its appends check the sequence
            store = LogStore.open(engine, origin, **options)
    for at in range(0, len(new), IMPORT_BATCH):
        store.append(new[at : at + IMPORT_BATCH])
    stored_sizes = {c.size for c in store.checkpoints(verified.start)}
    checkpoints_added = 0
    for note, checkpoint in verified.signed():
        if checkpoint.size not in stored_sizes:
            store.add_checkpoint(note)
            checkpoints_added += 1
    known = _witness_table(witnesses)
    added = skipped = 0
    disputed: list[ReceiptTimeError] = []
    for carried in verified.checkpoints:
        have = store.cosignatures(carried.size)
        for line in carried.cosignatures:
            signature = _cosignature(carried.note, line, "cosignature")
            witness = known.get((signature.name, signature.key_id))
            if witness is None:
                skipped += 1
            elif witness.name not in have:
                try:
                    store.add_cosignature(carried.size, line, witness)
                except ReceiptTimeError as exc:  # kept as disputed by the store
                    disputed.append(exc)
                    continue
                have[witness.name] = line
                added += 1
    if disputed:
        more = f" (and {len(disputed) - 1} more)" if len(disputed) > 1 else ""
        raise ReceiptTimeError(f"{disputed[0]}{more}; the entries and checkpoints were imported")
    return ImportReport(
        origin=origin,
        new_entries=len(new),
        size=store.size(),
        checkpoints_added=checkpoints_added,
        cosignatures_added=added,
        skipped_cosignatures=skipped,
    )


def _gap(origin: str, have: int, start: int) -> BundleError:
    return BundleError(
        f"gap: this database has {have} entries of {origin}, the bundle starts at {start}; ask "
        f"for a bundle from {have} (or from a checkpoint at or below {have})",
        where=f"log {origin}",
    )


def _check_times(
    store: LogStore | None, verified: VerifiedBundle, mirror_size: int, received_at: dt.datetime
) -> None:
    """The first new entry is not before the mirror's last one, and the last is not after the
    receipt: what :meth:`LogStore.append` checks, done before the first batch is written."""
    party, keys = verified.party_keys.party, verified.party_keys
    last = verified.size - 1
    last_created = verify_entry(verified.entries[-1], keys, party, last).created_at
    if last_created > received_at + MAX_CLOCK_SKEW:
        raise TimeOrderError(
            f"created_at {utc_iso(last_created)} is after its receipt {utc_iso(received_at)} "
            f"(allowed skew {MAX_CLOCK_SKEW})",
            where=f"entry {party}#{last}",
        )
    if store is None or mirror_size == 0:
        return
    previous = verify_entry(store.entry(mirror_size - 1), keys, party, mirror_size - 1)
    first = verified.entries[mirror_size - verified.start]
    created = verify_entry(first, keys, party, mirror_size).created_at
    if created < previous.created_at:
        raise TimeOrderError(
            f"created_at {utc_iso(created)} is before the previous entry's "
            f"{utc_iso(previous.created_at)}; times must not decrease along a log",
            where=f"entry {party}#{mirror_size}",
        )


def _check_same_history(store: LogStore, verified: VerifiedBundle, mirror_size: int) -> None:
    """The mirror's root at ``start`` and its entries from ``start`` on are the bundle's;
    otherwise keep evidence and raise :class:`EquivocationError`, or :class:`BundleError`."""
    start = verified.start
    differs: int | None = None  # first differing seq; -1: the trees differ before start
    base = verified.base.checkpoint
    if base is not None and store.root(start) != base.root_hash:
        differs = -1
    overlap_end = min(mirror_size, verified.size)
    at = start
    while differs is None and at < overlap_end:
        chunk = store.entries(at, min(at + IMPORT_BATCH, overlap_end))
        for offset, stored in enumerate(chunk):
            if stored.entry != verified.entries[at + offset - start].entry:
                differs = at + offset
                break
        at += len(chunk)
        if not chunk:
            break
    if differs is None:
        return
    evidence, cosigned_size = _evidence(store, verified, mirror_size, differs)
    where = f"log {store.origin}"
    seq = f"before {store.party}#{start}" if differs < 0 else f"at {store.party}#{differs}"
    if evidence is None:
        raise BundleError(
            f"rewritten history: the bundle's entries differ from the stored ones {seq}, and no "
            "stored checkpoint covers the difference to keep as evidence",
            where=where,
        )
    store.add_evidence(evidence)
    raise EquivocationError(
        f"{evidence.reason} (the histories first differ {seq}); evidence kept",
        where=where,
        cosigned_size=cosigned_size,
        evidence=evidence,
    )


def _evidence(
    store: LogStore, verified: VerifiedBundle, mirror_size: int, differs: int
) -> tuple[Evidence | None, int]:
    """Two signed notes that contradict each other, and the proof: a bundle checkpoint of size
    k <= mirror size against the stored checkpoint of size k or the next larger one; else the
    smallest stored checkpoint past the difference against the next bundle checkpoint."""
    origin = store.origin
    stored = store.checkpoints(0, mirror_size)
    for note, checkpoint in verified.signed():
        k = checkpoint.size
        if k > mirror_size or store.root(k) == checkpoint.root_hash:
            continue
        later = [c for c in stored if c.size >= k]
        if not later:
            break
        mine = later[0]
        if mine.size == k:
            return check_extends(mine.note, note, ()), k
        # the stored checkpoint extends the bundle's (a proof from the stored tree), or not
        found = check_extends(note, mine.note, store.consistency_proof(k, mine.size))
        if found is None:
            continue
        reason = (
            f"the bundle's checkpoint of size {k} is not a prefix of the stored checkpoint of "
            f"size {mine.size}: {found.reason}"
        )
        return Evidence(origin, reason, mine.note, note, found.proof), mine.size
    past = [c for c in stored if c.size > differs]
    if differs < 0 or not past:
        return None, 0
    mine = past[0]
    ahead = [(n, c) for n, c in verified.signed() if c.size > mine.size]
    if not ahead:
        return None, 0
    note, checkpoint = ahead[0]
    # The trees agree on [0, start) (the base root matched), so the bundle's tree up to
    # checkpoint.size is the stored entries before start followed by the bundle's entries.
    leaves = [e.entry for e in store.entries(0, verified.start)]
    leaves += [e.entry for e in verified.entries[: checkpoint.size - verified.start]]
    found = check_extends(mine.note, note, merkle.consistency_proof(leaves, mine.size))
    if found is None:
        return None, 0
    reason = (
        f"the bundle's checkpoint of size {checkpoint.size} does not extend the stored "
        f"checkpoint of size {mine.size}: {found.reason}"
    )
    return replace(found, reason=reason), mine.size
