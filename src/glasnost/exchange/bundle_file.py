"""A bundle file's bytes to its JSON value, with bounded memory and time whatever the file holds.

A gzip file is decompressed in chunks. First at most :data:`HEAD_BYTES`, which must declare the
bundle's ``start`` and ``size`` (:func:`glasnost.exchange.bundle.export_bundle` writes them
before the entries); then never more than :func:`size_cap` of the declared entry count allows,
so a gzip bomb is refused after a few MiB of output, not after gigabytes. The declared
numbers must be the bundle's own (checked after parsing), and the JSON's nesting is bounded
before it is parsed (:func:`glasnost.exchange.canonical.check_depth`).
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Final

from glasnost.exchange.canonical import check_depth
from glasnost.exchange.checkpoint import MAX_NOTE_BYTES, MAX_PROOF_HASHES, MAX_SIGNATURES
from glasnost.exchange.entries import MAX_ENTRY_BYTES
from glasnost.exchange.errors import BundleError, CanonicalJsonError

__all__ = ["HEAD_BYTES", "load_bundle", "size_cap"]

HEAD_BYTES: Final = 1 << 20
"""Most decompressed bytes read before the bundle's ``start`` and ``size`` must have appeared."""

_ESCAPED: Final = 3
"""Most JSON bytes per byte of text (a 4-byte UTF-8 character is written ``\\uXXXX\\uXXXX``)."""

PER_ENTRY_BYTES: Final = (
    _ESCAPED * (MAX_ENTRY_BYTES + MAX_NOTE_BYTES) + MAX_SIGNATURES * 256 + (MAX_PROOF_HASHES * 64)
)
"""Most JSON bytes one entry brings to a bundle: the entry, at most one checkpoint note with
its cosignature lines, and one consistency proof (each escaped at worst)."""

_CHUNK: Final = 1 << 16
_DECLARED = re.compile(rb'"(start|size)"\s*:\s*([0-9]{1,19})')


def size_cap(start: int, size: int) -> int:
    """Most decompressed bytes a bundle of entries ``start <= seq < size`` can take."""
    return HEAD_BYTES + max(size - start, 0) * PER_ENTRY_BYTES


def load_bundle(raw: bytes, where: str) -> object:
    """The JSON value of a bundle file's bytes (gzip or plain); raises :class:`BundleError`."""
    declared: dict[str, int] | None = None
    if raw[:2] == b"\x1f\x8b":
        raw, declared = _gunzip(raw, where)
    try:
        check_depth(raw, where="$")
        value = json.loads(raw)
    except CanonicalJsonError as exc:
        raise BundleError(f"{where}: {exc.where}: {exc.message}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{where}: not a JSON bundle ({exc})") from None
    if declared is not None and isinstance(value, dict):
        for name, number in declared.items():
            if value.get(name) != number:
                raise BundleError(
                    f"{where}: $.{name} is {value.get(name)!r}, but the file declared {number} "
                    "before its entries"
                )
    return value


def _gunzip(raw: bytes, where: str) -> tuple[bytes, dict[str, int]]:
    """Decompress in chunks; the bytes and the ``start`` and ``size`` declared at the top."""
    inflate = zlib.decompressobj(wbits=31)
    out = bytearray()
    declared: dict[str, int] = {}
    cap = HEAD_BYTES
    pending = raw
    try:
        while not inflate.eof:
            chunk = inflate.decompress(pending, _CHUNK)
            pending = inflate.unconsumed_tail
            if not chunk and not pending:
                break  # the input is used up
            out += chunk
            if len(declared) < 2:
                head = bytes(out[:HEAD_BYTES])
                declared = {m.group(1).decode(): int(m.group(2)) for m in _DECLARED.finditer(head)}
                if len(declared) == 2:
                    cap = size_cap(declared["start"], declared["size"])
                elif len(out) >= HEAD_BYTES or inflate.eof:
                    raise BundleError(
                        f"{where}: no start and size in the first {HEAD_BYTES} bytes (a bundle "
                        "declares them before its entries)"
                    )
            if len(out) > cap:
                raise BundleError(
                    f"{where}: decompresses to over {cap} bytes, more than a bundle of "
                    f"{declared['size'] - declared['start']} entries can take"
                )
    except zlib.error as exc:
        raise BundleError(f"{where}: not a gzip file ({exc})") from None
    if not inflate.eof:
        raise BundleError(f"{where}: the gzip stream is cut short")
    return bytes(out), declared
