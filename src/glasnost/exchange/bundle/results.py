"""What :func:`~glasnost.exchange.bundle.verify.verify_bundle` returns: a bundle's parsed, verified
pieces."""

from __future__ import annotations

from dataclasses import dataclass

from glasnost.exchange.checkpoint import Checkpoint
from glasnost.exchange.entries import SignedEntry
from glasnost.exchange.keys import PartyKeys


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
