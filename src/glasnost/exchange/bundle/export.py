"""Writing a bundle: a slice of a stored log between two of its checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from glasnost.exchange.bundle.structure import BUNDLE_FORMAT, MAX_BUNDLE_ENTRIES, b64
from glasnost.exchange.errors import BundleError
from glasnost.exchange.store import LogStore, StoredCheckpoint


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
        "base": {"note": base_note, "border": [b64(h) for h in store.border(start)]},
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
                "proof": [b64(h) for h in store.consistency_proof(a, b)],
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
