"""Checking a bundle completely, without a database, against the receiver's pinned key record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import pairwise

from pydantic import ValidationError

from glasnost.exchange import merkle
from glasnost.exchange.bundle.results import (
    BundleBase,
    BundleCheckpoint,
    ConsistencyStep,
    VerifiedBundle,
)
from glasnost.exchange.bundle.structure import (
    BUNDLE_FORMAT,
    MAX_BUNDLE_ENTRIES,
    BaseJson,
    BundleJson,
    EntryJson,
    at_path,
    b64,
    decode_hash,
    fail,
    problems,
)
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.checkpoint import (
    Checkpoint,
    NoteSignature,
    Verifier,
    add_signatures,
    log_verifiers,
    open_checkpoint,
    open_note,
    parse_note,
)
from glasnost.exchange.entries import SignedEntry, signature_checks, verify_entry
from glasnost.exchange.errors import (
    BundleError,
    CheckpointError,
    ConsistencyError,
    Evidence,
    TimeOrderError,
)
from glasnost.exchange.keys import (
    SIG_COSIGNATURE_V1,
    SIGNATURE_BYTES,
    PartyKeys,
    decode_base64,
)


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
        raise fail("$.origin", f"{raw.origin!r} is not the pinned log {party_keys.key_name!r}")
    try:
        keys = PartyKeys.model_validate(raw.party_keys)
    except ValidationError as exc:
        raise problems(exc, ("party_keys",)) from None
    if keys != party_keys:
        raise fail(
            "$.party_keys",
            f"not the key record this database trusts for {party_keys.key_name}; a bundle "
            "cannot introduce or change keys (update the pinned record first)",
        )
    start, size = raw.start, raw.size
    if start > size:
        raise fail("$.start", f"{start} is after the bundle's size {size}")
    verifiers = log_verifiers(party_keys)
    base = _verify_base(raw.base, start, party_keys.key_name, verifiers)
    checkpoints = _verify_checkpoints(raw, verifiers, witnesses)
    last_signed = checkpoints[-1].size if checkpoints else (start if start > 0 else None)
    if last_signed != size:
        raise fail(
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


def _structure(bundle: object) -> BundleJson:
    if not isinstance(bundle, dict):
        raise fail("$", f"a bundle is a JSON object, not {type(bundle).__name__}")
    if "format" not in bundle:
        raise fail("$.format", "missing; a glasnost bundle starts with its format")
    if bundle["format"] != BUNDLE_FORMAT:
        raise fail(
            "$.format",
            f"{bundle['format']!r} is not a format this version reads ({BUNDLE_FORMAT!r})",
        )
    entries = bundle.get("entries")
    if isinstance(entries, list) and len(entries) > MAX_BUNDLE_ENTRIES:
        raise fail("$.entries", f"{len(entries)} entries; at most {MAX_BUNDLE_ENTRIES}")
    try:
        return BundleJson.model_validate(bundle)
    except ValidationError as exc:
        raise problems(exc) from None


def _verify_base(
    raw: BaseJson, start: int, origin: str, verifiers: Sequence[Verifier]
) -> BundleBase:
    border = tuple(decode_hash(h, f"$.base.border[{i}]") for i, h in enumerate(raw.border))
    if len(border) != start.bit_count():
        raise fail(
            "$.base.border",
            f"{len(border)} hashes; the tree of {start} entries has {start.bit_count()} "
            "perfect subtrees on its border",
        )
    if start == 0:
        if raw.note is not None:
            raise fail("$.base.note", "a bundle from the start of the log has no base note")
        return BundleBase(note=None, checkpoint=None, border=())
    if raw.note is None:
        raise fail("$.base.note", f"missing: the signed checkpoint of size {start}")
    checkpoint = _open(raw.note, "$.base.note", origin, verifiers)
    if checkpoint.size != start:
        raise fail("$.base.note", f"checkpoint of size {checkpoint.size}, not start {start}")
    if merkle.CompactRange(start, border).root() != checkpoint.root_hash:
        raise fail("$.base.border", "does not fold into the base checkpoint's root")
    return BundleBase(note=raw.note, checkpoint=checkpoint, border=border)


def _open(note: str, path: str, origin: str, verifiers: Sequence[Verifier]) -> Checkpoint:
    with at_path(path):
        checkpoint, _, _ = open_checkpoint(note, verifiers)
    if checkpoint.origin != origin:
        raise fail(path, f"checkpoint of origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


def _verify_checkpoints(
    raw: BundleJson, verifiers: Sequence[Verifier], witnesses: Sequence[Verifier]
) -> tuple[BundleCheckpoint, ...]:
    known = witness_table(witnesses)
    out: list[BundleCheckpoint] = []
    previous = raw.start
    for i, item in enumerate(raw.checkpoints):
        path = f"$.checkpoints[{i}]"
        checkpoint = _open(item.note, f"{path}.note", raw.origin, verifiers)
        if not previous < checkpoint.size <= raw.size:
            raise fail(
                f"{path}.note",
                f"size {checkpoint.size}: checkpoints go in ascending sizes after {previous}, "
                f"up to the bundle's size {raw.size}",
            )
        previous = checkpoint.size
        for j, line in enumerate(item.cosignatures):
            at = f"{path}.cosignatures[{j}]"
            signature = cosignature_line(item.note, line, at)
            witness = known.get((signature.name, signature.key_id))
            if witness is not None:
                with at_path(at):
                    open_note(add_signatures(item.note, [line]), [witness])
        out.append(BundleCheckpoint(item.note, checkpoint, tuple(item.cosignatures)))
    return tuple(out)


def witness_table(witnesses: Sequence[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    table: dict[tuple[str, bytes], Verifier] = {}
    for witness in witnesses:
        if witness.signature_type != SIG_COSIGNATURE_V1:
            raise ValueError(f"witness {witness.name}: a cosignature verifier has type 0x04")
        table[witness.name, witness.key_id] = witness
    return table


def cosignature_line(note: str, line: str, path: str) -> NoteSignature:
    """The one signature line ``line`` (ending in a newline), parsed."""
    if not line.endswith("\n") or line.count("\n") != 1:
        raise fail(path, "a cosignature is one signature line ending in a newline")
    with at_path(path):
        text = parse_note(note).text
        return parse_note(f"{text}\n{line}").signatures[0]


def _verify_entries(
    raw: BundleJson,
    party_keys: PartyKeys,
    base: BundleBase,
    checkpoints: Sequence[BundleCheckpoint],
) -> tuple[SignedEntry, ...]:
    party = party_keys.party
    tree = merkle.CompactRange(raw.start, base.border)
    at_size = {c.size: c for c in checkpoints}
    out: list[SignedEntry] = []
    last_created: dt.datetime | None = None
    with signature_checks(_decodable(raw.entries), party_keys) as checks:  # all cores, meanwhile
        for i, item in enumerate(raw.entries):
            seq = raw.start + i
            signed = _signed_entry(item, f"$.entries[{i}]")
            entry = verify_entry(signed, party_keys, party, seq, signature_valid=checks[i])
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
                    f"root {b64(carried.checkpoint.root_hash)} is not the root of the bundle's "
                    f"entries at that size ({b64(tree.root())})",
                    where=f"bundle checkpoint {raw.origin}/{tree.size}",
                )
    if len(out) != raw.size - raw.start:
        raise fail(
            "$.entries",
            f"{len(out)} entries; a bundle from {raw.start} to {raw.size} carries "
            f"{raw.size - raw.start}",
        )
    return tuple(out)


def _decodable(items: Sequence[EntryJson]) -> list[SignedEntry]:
    """The items as signed entries, with an empty placeholder (left unchecked) for any that
    :func:`_signed_entry` refuses: its error is raised in its turn."""
    out = []
    for item in items:
        try:
            out.append(_signed_entry(item, ""))
        except BundleError:
            out.append(SignedEntry(b"", b"", ""))
    return out


def _signed_entry(item: EntryJson, path: str) -> SignedEntry:
    try:
        data = item.entry.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise fail(f"{path}.entry", f"not UTF-8 text: {exc.reason}") from None
    try:
        signature = decode_base64(item.signature, SIGNATURE_BYTES, "signature")
    except ValueError as exc:
        raise fail(f"{path}.signature", str(exc)) from None
    return SignedEntry(entry=data, signature=signature, key_id=item.key_id)


def _verify_consistency(
    raw: BundleJson, base: BundleBase, checkpoints: Sequence[BundleCheckpoint]
) -> tuple[ConsistencyStep, ...]:
    signed: list[tuple[str, Checkpoint]] = [(c.note, c.checkpoint) for c in checkpoints]
    if base.note is not None and base.checkpoint is not None:
        signed.insert(0, (base.note, base.checkpoint))
    pairs = list(pairwise(signed))
    if len(raw.consistency) != len(pairs):
        raise fail(
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
            raise fail(
                path,
                f"proof from {item.old_size} to {item.new_size}; expected from {old.size} to "
                f"{new.size}",
            )
        proof = tuple(decode_hash(h, f"{path}.proof[{j}]") for j, h in enumerate(item.proof))
        if not merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof):
            reason = f"consistency proof from size {old.size} to {new.size} does not verify"
            raise ConsistencyError(
                reason,
                where=f"bundle {path}",
                evidence=Evidence(raw.origin, reason, old_note, new_note, proof),
            )
        out.append(ConsistencyStep(old.size, new.size, proof))
    return tuple(out)
