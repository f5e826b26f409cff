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

The package is split by concept: :mod:`~glasnost.exchange.bundle.structure` (the JSON form and
its limits), :mod:`~glasnost.exchange.bundle.export`, :mod:`~glasnost.exchange.bundle.verify`
with its results (:mod:`~glasnost.exchange.bundle.results`), and
:mod:`~glasnost.exchange.bundle.importing`.
"""

from __future__ import annotations

from glasnost.exchange.bundle.export import export_bundle
from glasnost.exchange.bundle.importing import IMPORT_BATCH, ImportReport, import_bundle
from glasnost.exchange.bundle.results import (
    BundleBase,
    BundleCheckpoint,
    ConsistencyStep,
    VerifiedBundle,
)
from glasnost.exchange.bundle.structure import (
    BUNDLE_FORMAT,
    MAX_BORDER_HASHES,
    MAX_BUNDLE_ENTRIES,
)
from glasnost.exchange.bundle.verify import verify_bundle

__all__ = [
    "BUNDLE_FORMAT",
    "IMPORT_BATCH",
    "MAX_BORDER_HASHES",
    "MAX_BUNDLE_ENTRIES",
    "BundleBase",
    "BundleCheckpoint",
    "ConsistencyStep",
    "ImportReport",
    "VerifiedBundle",
    "export_bundle",
    "import_bundle",
    "verify_bundle",
]
