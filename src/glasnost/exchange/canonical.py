"""Canonical JSON (RFC 8785, the JSON Canonicalization Scheme): the one encoding that every hash
and signature of the exchange goes through.

:func:`canonical_json` takes plain JSON values (``dict`` with ``str`` keys, ``list``/``tuple``,
``str``, ``int``, ``float``, ``bool``, ``None``) and returns the UTF-8 bytes of RFC 8785: object
members sorted by the UTF-16 code units of their names (section 3.2.3), no whitespace, strings
with the minimal escapes (3.2.2.2), numbers as ECMAScript writes doubles (3.2.2.3: ``1e+21``,
``0`` for ``-0``). Serialization is delegated to the maintained ``rfc8785`` package; this module
checks the value first, so that a refusal says where (``$.body.items[2]``) and why. Refused:
NaN and infinities (no JSON form), integers outside +-(2^53 - 1) (not exact as an I-JSON number,
RFC 7493 2.2), non-string object keys, strings that are not valid Unicode (lone surrogates), and
any other type (bytes, dates, sets, models: convert them first, e.g. ``model_dump(mode="json")``).

:func:`loads_canonical` is the reading side, on the path of every received entry: it parses
JSON bytes strictly (no duplicate keys, no NaN, bounded depth) and checks that they are their
own canonical form, encoding them once. Without floats, integers beyond 2^53 or characters
beyond U+FFFF (the cases where they differ) RFC 8785 and the standard library's
``json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` write the same bytes
(same escapes, code-point order equal to UTF-16 order), so those values are encoded in C; the
others go through ``rfc8785``. :func:`same_json` compares two values as their canonical forms
would, without encoding them.

Times travel as strings in one form (:func:`utc_iso`, the :data:`UtcDateTime` pydantic type):
UTC, ISO 8601, ending in ``Z``, so that one instant has one encoding and one hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from typing import Annotated, Any

import rfc8785
from pydantic import AfterValidator, PlainSerializer

from glasnost.exchange.errors import CanonicalJsonError

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer that every JSON implementation holds exactly (I-JSON, RFC 7493 2.2)."""

MAX_DEPTH = 64
"""Deepest nesting accepted (exchange documents are shallow; this bounds the recursion)."""


def canonical_json(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value; raises :class:`CanonicalJsonError`."""
    _check(value, "$", 0)
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]  # checked by _check
    except rfc8785.CanonicalizationError as exc:  # pragma: no cover - _check refuses these first
        raise CanonicalJsonError(str(exc), where="$") from exc


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def check_depth(text: bytes, where: str = "$", limit: int = MAX_DEPTH) -> None:
    """Raise :class:`CanonicalJsonError` when JSON ``text`` nests deeper than ``limit`` levels
    (the bound of :func:`canonical_json`: no value more than ``limit`` levels below the top).

    It scans the brackets outside strings, so that no parser is asked to recurse that deep; text
    with no more opening brackets than the limit allows (most) needs no scan."""
    if text.count(b"[") + text.count(b"{") <= limit + 1:
        return
    depth = 0
    for bracket in _BRACKET.finditer(_JSON_STRING.sub(b'""', text)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > limit + 1:
            raise CanonicalJsonError(f"nested deeper than {limit} levels", where=where)


_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
"""RFC 8785 for values without floats, unsafe integers or characters beyond U+FFFF (module
docstring); :func:`loads_canonical` sends only those to it."""


def loads_canonical(data: bytes) -> Any:
    """The JSON value of ``data``, which must be UTF-8 JSON text in its own RFC 8785 canonical
    form; raises :class:`CanonicalJsonError` saying where and why (not JSON, a duplicate key,
    too deep, a value with no canonical form, or bytes that are not the canonical form).

    Most entries hold no float, no integer beyond 2^53 and no character beyond U+FFFF: those
    are parsed by the C scanner alone and accepted when the C encoder writes them back as
    exactly ``data`` (a duplicate key never is: the value keeps one member of it). Anything
    else, or a mismatch, goes the full way, which accepts or says why not."""
    check_depth(data)
    if data.isascii() or max(data) < 0xF0:  # no 4-byte UTF-8: nothing beyond U+FFFF
        try:
            value = _PLAIN_DECODER.decode(data.decode("utf-8"))
            if _DUMPS(value).encode("utf-8") == data:
                return value
        except (_NotPlain, ValueError):  # ValueError: not JSON, not UTF-8, a lone surrogate
            pass
    return _loads_checked(data)


def _loads_checked(data: bytes) -> Any:
    """:func:`loads_canonical` with every check spelled out (duplicate keys named)."""
    plain = True  # no float, no integer beyond 2^53: the C encoder writes RFC 8785

    def number(text: str) -> float:
        nonlocal plain
        plain = False
        return float(text)

    def integer(text: str) -> int:
        nonlocal plain
        value = int(text)
        if abs(value) > MAX_SAFE_INTEGER:
            plain = False
        return value

    try:
        value = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constants,
            parse_float=number,
            parse_int=integer,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise CanonicalJsonError(f"not UTF-8 JSON: {exc}", where="$") from None
    if plain and (data.isascii() or max(data) < 0xF0):  # no 4-byte UTF-8: nothing beyond U+FFFF
        try:
            canonical = _DUMPS(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: canonical_json says where
            canonical = canonical_json(value)
    else:
        canonical = canonical_json(value)
    if canonical != data:
        raise CanonicalJsonError("bytes are not RFC 8785 canonical JSON", where="$")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _NotPlain(Exception):  # noqa: N818 (internal control flow of loads_canonical)
    """A float or an integer beyond 2^53: the value is not one the C encoder writes as RFC 8785."""


def _plain_float(text: str) -> float:
    raise _NotPlain


def _plain_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _NotPlain
    return value


_PLAIN_DECODER = json.JSONDecoder(
    parse_float=_plain_float, parse_int=_plain_int, parse_constant=_no_constants
)
"""Parses JSON with no float, no integer beyond 2^53 and no constant (raises otherwise); keeps
the last of duplicate keys (whose text then differs from the value's encoding)."""


def same_json(a: object, b: object) -> bool:
    """Whether two JSON values have the same RFC 8785 form (both having one): dict members in
    any order, lists and tuples alike, an integer equal to a float when both are written the
    same, ``true`` never equal to ``1``."""
    if a is None or b is None or type(a) is bool or type(b) is bool:
        return a is b
    if type(a) is str or type(b) is str:
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b and all(
            abs(x) <= MAX_SAFE_INTEGER if type(x) is int else math.isfinite(x) for x in (a, b)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return False


_LONG_NUMBER = re.compile(rb"[0-9]{16}")
"""Sixteen digits in a row: where an integer beyond 2^53 could be written."""


def same_json_as(value: object, parsed: object, data: bytes) -> bool:
    """:func:`same_json` of ``value`` and ``parsed``, where ``data`` is the RFC 8785 form of
    ``parsed`` (as :func:`loads_canonical` returns them) and ``value`` holds plain JSON values
    with string keys (as ``model_dump(mode="json")`` gives): true at once when the C encoder
    writes ``value`` as exactly ``data`` (equal texts are equal values; with no 16-digit run
    in ``data`` no integer of ``value`` is beyond 2^53), else compared value by value."""
    if _LONG_NUMBER.search(data) is None:
        try:
            if _DUMPS(value).encode("utf-8") == data:
                return True
        except (TypeError, ValueError):  # not plain JSON, or a lone surrogate: compared below
            pass
    return same_json(value, parsed)


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of bytes (64 characters)."""
    return hashlib.sha256(data).hexdigest()


def _check(value: object, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalJsonError(f"nested deeper than {MAX_DEPTH} levels", where=path)
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if type(value) is not int:
            raise CanonicalJsonError(
                f"{type(value).__name__} is an int subclass; convert it to int", where=path
            )
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalJsonError(
                f"integer {value} is outside +-(2^53 - 1) and has no exact JSON number "
                "(RFC 7493 2.2); send it as a string",
                where=path,
            )
        return
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise CanonicalJsonError(f"{value} has no JSON form (RFC 8785 3.2.2.3)", where=path)
        return
    if isinstance(value, str):
        _check_str(value, path)
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]", depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJsonError(
                    f"object key {key!r} is a {type(key).__name__}; JSON keys are strings",
                    where=path,
                )
            _check_str(key, f"{path} key {key!r}")
            _check(item, f"{path}.{key}", depth + 1)
        return
    raise CanonicalJsonError(
        f"{type(value).__name__} is not a JSON type (dict, list, str, int, float, bool, None)",
        where=path,
    )


def _check_str(value: str, path: str) -> None:
    if type(value) is not str:
        raise CanonicalJsonError(
            f"{type(value).__name__} is a str subclass; convert it to str", where=path
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalJsonError(
            f"string holds a lone surrogate at index {exc.start}: not valid Unicode", where=path
        ) from exc


# --- time ---------------------------------------------------------------------------------------


_ZERO_OFFSET = dt.timedelta(0)


def utc_iso(value: dt.datetime) -> str:
    """The one string form of a UTC time: ``2025-01-01T12:00:00Z``, or with six fraction digits
    (``2025-01-01T12:00:00.250000Z``) when it has microseconds."""
    if (
        type(value) is dt.datetime
        and value.year >= 1000  # strftime writes earlier years with fewer digits
        and value.tzinfo is not None
        and value.utcoffset() == _ZERO_OFFSET
    ):
        return value.isoformat()[:-6] + "Z"  # the same text, without "+00:00"
    value = _require_utc(value)
    fraction = f".{value.microsecond:06d}" if value.microsecond else ""
    return value.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def _require_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() != dt.timedelta(0):
        raise ValueError(
            f"{value.isoformat()} is not a UTC time; write it with Z, e.g. 2025-01-01T12:00:00Z"
        )
    return value.astimezone(dt.UTC)


UtcDateTime = Annotated[
    dt.datetime,
    AfterValidator(_require_utc),
    PlainSerializer(utc_iso, return_type=str, when_used="json"),
]
"""A pydantic datetime that must be UTC and is written by :func:`utc_iso` in JSON."""
