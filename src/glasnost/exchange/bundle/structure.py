"""The JSON structure of a bundle (``glasnost-bundle/v1``): its limits, the pydantic models
that check it, and the errors that name a JSON path (``$.entries[3].signature``)."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    MAX_PROOF_HASHES,
    MAX_SIGNATURES,
    MAX_TIMESTAMP,
)
from glasnost.exchange.errors import (
    BundleError,
    CheckpointError,
    InvalidSignature,
    UnknownKey,
)
from glasnost.exchange.keys import decode_base64

BUNDLE_FORMAT: Final = "glasnost-bundle/v1"
"""The ``format`` of the bundles this module writes and reads."""

MAX_BUNDLE_ENTRIES: Final = 1_000_000
"""Most entries in one bundle; a longer slice goes in several bundles."""

MAX_BORDER_HASHES: Final = 64
"""Most border hashes (one per set bit of a 64-bit tree size)."""

_MAX_PROBLEMS: Final = 5
"""Structural problems listed in one error message."""

# --- the bundle's JSON structure ----------------------------------------------------------------


class _Json(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


_Size = Annotated[int, Field(ge=0, le=MAX_TIMESTAMP)]


class BaseJson(_Json):
    note: str | None
    border: list[str] = Field(max_length=MAX_BORDER_HASHES)


class EntryJson(_Json):
    entry: str
    signature: str
    key_id: str


class CheckpointJson(_Json):
    note: str
    cosignatures: list[str] = Field(max_length=MAX_SIGNATURES)


class ConsistencyJson(_Json):
    old_size: _Size
    new_size: _Size
    proof: list[str] = Field(max_length=MAX_PROOF_HASHES)


class BundleJson(_Json):
    format: Literal["glasnost-bundle/v1"]
    origin: str
    party_keys: dict[str, Any]
    start: _Size
    size: _Size
    base: BaseJson
    entries: list[EntryJson] = Field(max_length=MAX_BUNDLE_ENTRIES)
    checkpoints: list[CheckpointJson] = Field(max_length=MAX_BUNDLE_ENTRIES)
    consistency: list[ConsistencyJson] = Field(max_length=MAX_BUNDLE_ENTRIES)


def json_path(loc: Sequence[int | str]) -> str:
    """('entries', 3, 'signature') -> '$.entries[3].signature'."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


def fail(path: str, reason: str) -> BundleError:
    return BundleError(f"{path}: {reason}", where="bundle")


def problems(exc: ValidationError, prefix: Sequence[int | str] = ()) -> BundleError:
    errors = exc.errors(include_url=False)
    listed = [f"{json_path([*prefix, *e['loc']])}: {e['msg']}" for e in errors[:_MAX_PROBLEMS]]
    if len(errors) > _MAX_PROBLEMS:
        listed.append(f"and {len(errors) - _MAX_PROBLEMS} more problems")
    return BundleError("; ".join(listed), where="bundle")


def decode_hash(text: str, path: str) -> bytes:
    try:
        return decode_base64(text, merkle.HASH_SIZE, "hash")
    except ValueError as exc:
        raise fail(path, str(exc)) from None


@contextmanager
def at_path(path: str) -> Iterator[None]:
    """Name the bundle position in a note's error (``where``: bundle path, then note line)."""
    try:
        yield
    except (CheckpointError, UnknownKey, InvalidSignature) as exc:
        if type(exc) not in (CheckpointError, UnknownKey, InvalidSignature):
            raise  # a subclass with more to say: keep it as it is
        where = f"bundle {path}" + (f", {exc.where}" if exc.where else "")
        raise type(exc)(exc.message, where=where) from None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
