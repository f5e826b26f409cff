"""Canonical JSON against RFC 8785's published examples, and its invariants."""

from __future__ import annotations

import datetime as dt
import json
import struct
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

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
from glasnost.exchange.errors import CanonicalJsonError, ExchangeError


def _double(bits: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(bits))[0])


# RFC 8785 Appendix B, "Number Serialization Samples": IEEE 754 bits -> JSON text.
APPENDIX_B = [
    ("0000000000000000", "0"),  # RFC 8785 Appendix B
    ("8000000000000000", "0"),  # RFC 8785 Appendix B: -0 is written 0
    ("0000000000000001", "5e-324"),  # RFC 8785 Appendix B: min pos number
    ("8000000000000001", "-5e-324"),  # RFC 8785 Appendix B: min neg number
    ("7fefffffffffffff", "1.7976931348623157e+308"),  # RFC 8785 Appendix B: max pos number
    ("ffefffffffffffff", "-1.7976931348623157e+308"),  # RFC 8785 Appendix B: max neg number
    ("4340000000000000", "9007199254740992"),  # RFC 8785 Appendix B: max pos int
    ("c340000000000000", "-9007199254740992"),  # RFC 8785 Appendix B: max neg int
    ("4430000000000000", "295147905179352830000"),  # RFC 8785 Appendix B: ~2**68
    ("44b52d02c7e14af5", "9.999999999999997e+22"),  # RFC 8785 Appendix B
    ("44b52d02c7e14af6", "1e+23"),  # RFC 8785 Appendix B
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),  # RFC 8785 Appendix B
    ("444b1ae4d6e2ef4e", "999999999999999700000"),  # RFC 8785 Appendix B
    ("444b1ae4d6e2ef4f", "999999999999999900000"),  # RFC 8785 Appendix B
    ("444b1ae4d6e2ef50", "1e+21"),  # RFC 8785 Appendix B
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),  # RFC 8785 Appendix B
    ("3eb0c6f7a0b5ed8d", "0.000001"),  # RFC 8785 Appendix B
    ("41b3de4355555553", "333333333.3333332"),  # RFC 8785 Appendix B
    ("41b3de4355555554", "333333333.33333325"),  # RFC 8785 Appendix B
    ("41b3de4355555555", "333333333.3333333"),  # RFC 8785 Appendix B
    ("41b3de4355555556", "333333333.3333334"),  # RFC 8785 Appendix B
    ("41b3de4355555557", "333333333.33333343"),  # RFC 8785 Appendix B
    ("becbf647612f3696", "-0.0000033333333333333333"),  # RFC 8785 Appendix B
    ("43143ff3c1cb0959", "1424953923781206.2"),  # RFC 8785 Appendix B
]


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_numbers_match_rfc8785_appendix_b(bits: str, expected: str) -> None:
    assert canonical_json(_double(bits)) == expected.encode("ascii")
    assert canonical_json([_double(bits)]) == f"[{expected}]".encode("ascii")


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_refuses_nan_and_infinity(bits: str) -> None:
    # RFC 8785 Appendix B: NaN and Infinity "must cause an error"; section 3.2.2.3
    with pytest.raises(CanonicalJsonError, match=r"^\$\.n\[1\]: .* no JSON form"):
        canonical_json({"n": [1, _double(bits)]})


def test_literal_examples_from_the_text() -> None:
    assert canonical_json(1e21) == b"1e+21"  # RFC 8785 3.2.2.3 (ECMAScript Number.toString)
    assert canonical_json(333333333.33333329) == b"333333333.3333333"  # RFC 8785 3.2.2 sample
    assert canonical_json(-0.0) == b"0"  # RFC 8785 3.2.2.3: minus zero is written 0


def test_sample_of_section_3_2_2() -> None:
    # RFC 8785 section 3.2.2: the input object and its canonical form, byte for byte
    text = r"""{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"""
    expected = (
        r'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        r'"string":"€$\u000f\nA' + "'" + r'B\"\\\\\"/"}'
    )  # RFC 8785 section 3.2.2 (output); section 3.2.4 gives the same as UTF-8 bytes
    assert canonical_json(json.loads(text)) == expected.encode("utf-8")


def test_property_sorting_example_of_section_3_2_3() -> None:
    # RFC 8785 section 3.2.3: names are sorted by their UTF-16 code units
    text = r"""{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }"""
    out = canonical_json(json.loads(text)).decode("utf-8")
    values = [v for _, v in json.loads(out, object_pairs_hook=list)]
    assert values == [  # RFC 8785 section 3.2.3, the sorted order
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


@pytest.mark.parametrize(
    ("value", "where", "why"),
    [
        ({"a": b"x"}, r"\$\.a", "bytes is not a JSON type"),
        ({"a": {1: 2}}, r"\$\.a", "JSON keys are strings"),
        ([0, 2**53], r"\$\[1\]", "outside"),
        ({"s": "\ud800"}, r"\$\.s", "lone surrogate"),
        ({"d": dt.date(2025, 1, 1)}, r"\$\.d", "date is not a JSON type"),
        ({1.5, 2.5}, r"\$", "set is not a JSON type"),
    ],
)
def test_refuses_non_json_values_saying_where(value: object, where: str, why: str) -> None:
    with pytest.raises(CanonicalJsonError, match=f"^{where}: .*{why}"):
        canonical_json(value)


def test_error_is_an_exchange_value_error() -> None:
    with pytest.raises(ValueError, match="no JSON form"):
        canonical_json(float("nan"))
    assert issubclass(CanonicalJsonError, ExchangeError)


def test_safe_integer_bounds_are_accepted() -> None:
    assert (
        canonical_json([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER])
        == b"[9007199254740991,-9007199254740991]"
    )


def test_sha256_hex() -> None:
    # FIPS 180-2 appendix B.1: SHA-256("abc")
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --- property tests -----------------------------------------------------------------------------


def _load(data: bytes) -> Any:
    # JSON numbers are doubles (RFC 8785 3.2.2.3): an integral double >= 2^53 comes back as int
    # text, which is read here as a float again, as an I-JSON reader would.
    return json.loads(
        data, parse_int=lambda s: int(s) if abs(int(s)) <= MAX_SAFE_INTEGER else float(s)
    )


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_round_trip_and_idempotence(value: Any) -> None:
    data = canonical_json(value)
    assert _load(data) == value
    assert canonical_json(_load(data)) == data


@given(st.dictionaries(st.text(), st.integers(0, 10), max_size=8))
def test_member_order_does_not_matter(value: dict[str, int]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert canonical_json(reordered) == canonical_json(value)


# --- reading: loads_canonical and same_json -----------------------------------------------------


def _variants(value: Any) -> list[bytes]:
    """Encodings of one value, canonical or not (spaces, member order, escapes, -0)."""
    return [
        canonical_json(value),
        json.dumps(value).encode("utf-8"),
        json.dumps(value, separators=(",", ":")).encode("utf-8"),
        json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8"),
        json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode(),
    ]


@given(JSON_VALUES | st.dictionaries(st.text(), JSON_VALUES, max_size=6))
def test_loads_canonical_accepts_exactly_the_canonical_form(value: Any) -> None:
    # The reference is the rfc8785 package itself: text is accepted if and only if it is
    # rfc8785's encoding of the value Python's json module reads from it.
    for data in _variants(value):
        parsed = json.loads(data)
        try:
            reference = rfc8785.dumps(parsed)
        except rfc8785.CanonicalizationError:  # e.g. an integral double >= 2^53, read as int
            reference = None
        if reference == data:
            assert same_json(loads_canonical(data), parsed)
        else:
            with pytest.raises(CanonicalJsonError):
                loads_canonical(data)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b'{"b":1,"a":2}', "not RFC 8785"),  # member order (RFC 8785 3.2.3)
        (b'{"a": 1}', "not RFC 8785"),  # whitespace
        (b'{"a":1.0}', "not RFC 8785"),  # 1.0 is written 1 (3.2.2.3)
        (b'{"a":-0}', "not RFC 8785"),  # -0 is written 0
        (rb'{"a":"\u0041"}', "not RFC 8785"),  # escape of a printable character (3.2.2.2)
        (b'{"a":9007199254740993}', "outside"),  # beyond 2^53 (RFC 7493 2.2)
        (b'{"a":1,"a":1}', "duplicate key 'a'"),
        (b'{"a":NaN}', "NaN is not JSON"),
        (rb'{"a":"\ud800"}', "lone surrogate"),
        (b"\xff", "not UTF-8 JSON"),
        (b"[" * 70 + b"]" * 70, "nested deeper than 64 levels"),
        # U+E000 sorts after U+1F600 in UTF-16 code units, before it in code points (3.2.3)
        ('{"\ue000":1,"\U0001f600":2}'.encode(), "not RFC 8785"),
    ],
)
def test_loads_canonical_refuses_saying_why(data: bytes, why: str) -> None:
    with pytest.raises(CanonicalJsonError, match=why):
        loads_canonical(data)


def test_loads_canonical_sorts_by_utf16_code_units() -> None:
    data = '{"\U0001f600":2,"\ue000":1}'.encode()  # RFC 8785 3.2.3: UTF-16 order
    assert loads_canonical(data) == {"\U0001f600": 2, "\ue000": 1}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ({"x": [1, "s"]}, {"x": (1, "s")}, True),
        ({"x": 1, "y": 2}, {"y": 2, "x": 1}, True),
        (1, 1.0, True),  # both written 1 (RFC 8785 3.2.2.3)
        (0.0, -0.0, True),  # both written 0
        (True, 1, False),  # true is not 1
        (False, 0.0, False),
        (None, 0, False),
        ("1", 1, False),
        (2**60, float(2**60), False),  # the integer has no canonical form
        ({"x": 1}, {"x": 1, "y": None}, False),
        ([1, 2], [2, 1], False),
    ],
)
def test_same_json(a: object, b: object, same: bool) -> None:
    assert same_json(a, b) is same
    assert same_json(b, a) is same


@given(JSON_VALUES, JSON_VALUES)
def test_same_json_is_equality_of_canonical_forms(a: Any, b: Any) -> None:
    assert same_json(a, b) == (canonical_json(a) == canonical_json(b))
    assert same_json(a, _load(canonical_json(a)))


# --- time ---------------------------------------------------------------------------------------


class _Stamp(BaseModel):
    at: UtcDateTime


def test_utc_times_have_one_form() -> None:
    at = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
    assert utc_iso(at) == "2025-03-01T12:00:00Z"
    assert utc_iso(at.replace(microsecond=250_000)) == "2025-03-01T12:00:00.250000Z"
    assert _Stamp(at=at).model_dump(mode="json") == {"at": "2025-03-01T12:00:00Z"}
    assert _Stamp.model_validate({"at": "2025-03-01T12:00:00Z"}).at == at


@given(
    st.datetimes(
        timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(0), "Z")])
        | st.builds(lambda m: dt.timezone(dt.timedelta(minutes=m)), st.integers(-600, 600))
    )
)
def test_utc_iso_writes_strftime_form(at: dt.datetime) -> None:
    if at.utcoffset() != dt.timedelta(0):
        with pytest.raises(ValueError, match="not a UTC time"):
            utc_iso(at)
        return
    fraction = f".{at.microsecond:06d}" if at.microsecond else ""
    assert utc_iso(at) == at.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


@given(JSON_VALUES, JSON_VALUES)
def test_same_json_as_is_same_json(a: Any, b: Any) -> None:
    assert same_json_as(a, b, canonical_json(b)) == same_json(a, b)
    assert same_json_as(b, b, canonical_json(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [(True, 1), (1, 1.0), (2**60, float(2**60)), ({"x": [1, "s"]}, {"x": ["s", 1]})],
)
def test_same_json_as_on_values_that_encode_alike_or_not(a: object, b: object) -> None:
    assert same_json_as(a, b, canonical_json(b)) is same_json(a, b)


@pytest.mark.parametrize("text", ["2025-03-01T12:00:00", "2025-03-01T13:00:00+01:00"])
def test_utc_times_refuse_naive_and_offset_times(text: str) -> None:
    with pytest.raises(ValidationError, match="not a UTC time"):
        _Stamp.model_validate({"at": text})
