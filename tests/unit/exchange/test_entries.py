"""Entries: the envelope, signing, and the attacks that verification must refuse (the typed
bodies the agreement registers are tested in tests/unit/treaty/test_bodies.py)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import pytest

from glasnost.exchange.canonical import canonical_json, sha256_hex
from glasnost.exchange.entries import (
    MAX_ENTRY_BYTES,
    EntryBase,
    SignedEntry,
    parse_entry,
    sign_entry,
    verify_entry,
)
from glasnost.exchange.errors import (
    EntryTooLarge,
    InvalidSignature,
    KeyNotValidAtTime,
    SchemaError,
    SequenceError,
    UnknownKey,
    WrongParty,
)
from glasnost.exchange.keys import Administration, PartyKeys, PrivateKey, generate_key
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.models import Scenario
from glasnost.treaty.bodies import (
    CommittedItem,
    Declaration,
    DeclarationEntry,
    DeclaredPosture,
    NotificationEntry,
    Objection,
    ObjectionEntry,
    PlannedChange,
    Ref,
    StrategicForces,
)

UTC = dt.UTC
HANDOVER = dt.datetime(2025, 1, 20, 17, tzinfo=UTC)
NOW = dt.datetime(2025, 3, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Party:
    keys: PartyKeys
    private: dict[str, PrivateKey]  # administration id -> key

    def key_id(self, administration: str) -> str:
        (adm,) = [a for a in self.keys.administrations if a.id == administration]
        return self.keys.key_id(adm)

    def sign(self, entry: EntryBase, administration: str) -> SignedEntry:
        return sign_entry(entry, self.private[administration], self.key_id(administration))

    def sign_raw(self, value: Any, administration: str) -> SignedEntry:
        """Sign arbitrary bytes as an entry (what a faulty or hostile signer can do)."""
        data = value if isinstance(value, bytes) else canonical_json(value)
        key = self.private[administration]
        return SignedEntry(entry=data, signature=key.sign(data), key_id=self.key_id(administration))


def make_party(party: str, terms: list[tuple[str, dt.datetime, dt.datetime | None]]) -> Party:
    private = {ident: generate_key() for ident, _, _ in terms}
    administrations = tuple(
        Administration(
            party=party,
            id=ident,
            name=f"{party} administration {ident}",
            public_key=private[ident].public_key.to_base64(),
            valid_from=start,
            valid_until=end,
        )
        for ident, start, end in terms
    )
    keys = PartyKeys(
        party=party, key_name=f"glasnost.example/{party}", administrations=administrations
    )
    return Party(keys, private)


@pytest.fixture(scope="module")
def us() -> Party:
    start = dt.datetime(2021, 1, 20, 17, tzinfo=UTC)
    return make_party("US", [("old", start, HANDOVER), ("new", HANDOVER, None)])


@pytest.fixture(scope="module")
def ru() -> Party:
    return make_party("RU", [("ru", dt.datetime(2020, 1, 1, tzinfo=UTC), None)])


@cache
def scenario() -> Scenario:
    return builtin_scenario()


def posture(party_id: str) -> DeclaredPosture:
    s = scenario()
    party = s.party(party_id)
    interceptors = {site.interceptor for site in party.interceptor_sites}
    missiles = {base.missile for base in party.launch_bases}
    return DeclaredPosture(
        party=party,
        interceptor_types=tuple(t for t in s.interceptor_types if t.id in interceptors),
        missile_types=tuple(m for m in s.missile_types if m.id in missiles),
        strategic_forces=StrategicForces(
            deployed_launchers=party.launchers, deployed_warheads=1419, non_deployed_launchers=250
        ),
        ten_year_plan=(
            PlannedChange(
                date=dt.date(2028, 1, 1),
                action="add",
                kind="interceptor_site",
                description="20 more interceptors in new silos",
            ),
        ),
        sources=s.sources,
    )


def declaration(party: str = "US", seq: int = 0, created_at: dt.datetime = NOW) -> DeclarationEntry:
    return DeclarationEntry(
        party=party,
        seq=seq,
        created_at=created_at,
        body=Declaration(kind="baseline", as_of=dt.date(2025, 1, 1), posture=posture(party)),
    )


def notification(seq: int = 1, created_at: dt.datetime = NOW) -> NotificationEntry:
    return NotificationEntry.model_validate(
        {
            "party": "US",
            "seq": seq,
            "created_at": created_at,
            "body": {
                "event_type": "interceptor_test",
                "phase": "pre_event",
                "window_start": "2025-04-01T00:00:00Z",
                "window_end": "2025-04-03T00:00:00Z",
                "site_ids": ["vandenberg"],
                "details": "one GBI flight test from Vandenberg",
            },
        }
    )


# --- round trip ---------------------------------------------------------------------------------


def test_sign_and_verify_round_trip(us: Party) -> None:
    entry = declaration()
    signed = us.sign(entry, "new")
    assert signed.entry == canonical_json(entry.model_dump(mode="json"))  # exactly what is signed
    assert signed.hash == sha256_hex(signed.entry) == entry.hash()
    assert verify_entry(signed, us.keys, "US", 0) == entry
    assert SignedEntry.from_json(json.loads(json.dumps(signed.to_json()))) == signed


def test_envelope_layout(us: Party) -> None:
    entry = notification()
    envelope = json.loads(entry.canonical())
    assert list(envelope) == ["body", "created_at", "party", "refs", "seq", "type"]  # sorted
    assert envelope["created_at"] == "2025-03-01T12:00:00Z"
    assert envelope["type"] == "notification"
    assert verify_entry(us.sign(entry, "new"), us.keys, "US", 1) == entry


# --- attacks ------------------------------------------------------------------------------------


def test_rejects_forged_signature(us: Party) -> None:
    signed = us.sign(declaration(), "new")
    forged = replace(signed, signature=bytes(64))
    with pytest.raises(InvalidSignature, match=r"^entry US#0 \(key glasnost.example/US/"):
        verify_entry(forged, us.keys, "US", 0)


def test_rejects_entry_signed_by_other_party(us: Party, ru: Party) -> None:
    entry = declaration()  # claims to be US's
    by_ru = ru.sign(entry, "ru")
    with pytest.raises(UnknownKey, match="not a key of party US"):
        verify_entry(by_ru, us.keys, "US", 0)
    # RU's signature presented under the key id of the US key
    disguised = replace(by_ru, key_id=us.key_id("new"))
    with pytest.raises(InvalidSignature):
        verify_entry(disguised, us.keys, "US", 0)


def test_rejects_entry_of_other_party_in_this_log(us: Party, ru: Party) -> None:
    ru_entry = ru.sign(declaration("RU"), "ru")  # valid for RU's log, replayed into US's
    with pytest.raises(WrongParty, match="entry names party 'RU'; this log is 'US'"):
        verify_entry(ru_entry, us.keys, "US", 0)
    with pytest.raises(WrongParty, match="keys given are party 'RU'"):
        verify_entry(ru_entry, ru.keys, "US", 0)


def test_rejects_old_administration_key_after_validity(us: Party) -> None:
    late = declaration(created_at=HANDOVER + dt.timedelta(seconds=1))
    with pytest.raises(KeyNotValidAtTime, match=r"outside the term .* of administration 'old'"):
        verify_entry(us.sign(late, "old"), us.keys, "US", 0)
    # the new administration's key cannot sign before its term either
    early = declaration(created_at=HANDOVER - dt.timedelta(seconds=1))
    with pytest.raises(KeyNotValidAtTime, match="administration 'new'"):
        verify_entry(us.sign(early, "new"), us.keys, "US", 0)
    assert verify_entry(us.sign(early, "old"), us.keys, "US", 0) == early


@pytest.mark.parametrize("expected", [0, 2, 3])
def test_rejects_skipped_sequence(us: Party, expected: int) -> None:
    signed = us.sign(notification(seq=1), "new")
    with pytest.raises(SequenceError, match=f"seq is 1; the log expects {expected}"):
        verify_entry(signed, us.keys, "US", expected)


def test_rejects_oversized_entry(us: Party) -> None:
    huge = notification().to_json()
    huge["body"]["details"] = "x" * MAX_ENTRY_BYTES
    with pytest.raises(EntryTooLarge, match=r"entry US#1: \d+ bytes; the limit is 1048576"):
        verify_entry(us.sign_raw(huge, "new"), us.keys, "US", 1)
    # a schema-valid entry over the limit is not signed either
    many = tuple(CommittedItem(label=f"item-{i}", commitment="0" * 64) for i in range(12_000))
    body = Declaration(kind="change", as_of=dt.date(2025, 1, 1), commitments=many)
    with pytest.raises(EntryTooLarge, match="the limit is 1048576"):
        us.sign(DeclarationEntry(party="US", seq=0, created_at=NOW, body=body), "new")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e["body"].update(kind="weekly"), "body.kind: Input should be"),
        (lambda e: e["body"].update(extra=1), "body.extra: Extra inputs are not permitted"),
        (lambda e: e.update(type="gossip"), "does not match any of the expected tags"),
        (lambda e: e["body"].pop("as_of"), "body.as_of: Field required"),
        (
            lambda e: e["body"]["posture"]["party"]["interceptor_sites"][0].update(count=-1),
            r"body.posture.party.interceptor_sites\[0\].count",
        ),
        (
            lambda e: e["body"]["posture"]["party"].update(id="RU"),
            "a party declares only its own posture",
        ),
    ],
)
def test_rejects_schema_violation(us: Party, change: Any, message: str) -> None:
    envelope = declaration().to_json()
    change(envelope)
    with pytest.raises(SchemaError, match=message):
        verify_entry(us.sign_raw(envelope, "new"), us.keys, "US", 0)


def test_rejects_tampered_body_byte(us: Party) -> None:
    signed = us.sign(declaration(), "new")
    position = signed.entry.index(b'"count":') + len(b'"count":')
    digit = signed.entry[position : position + 1]
    tampered = (
        signed.entry[:position] + (b"9" if digit != b"9" else b"8") + signed.entry[position + 1 :]
    )
    with pytest.raises(InvalidSignature):
        verify_entry(replace(signed, entry=tampered), us.keys, "US", 0)


def test_rejects_non_canonical_bytes(us: Party) -> None:
    pretty = json.dumps(declaration().to_json(), indent=1).encode()
    with pytest.raises(SchemaError, match="not RFC 8785 canonical JSON"):
        verify_entry(us.sign_raw(pretty, "new"), us.keys, "US", 0)


def test_rejects_duplicate_keys(us: Party) -> None:
    data = notification().canonical().replace(b'"party":"US"', b'"party":"US","party":"US"')
    with pytest.raises(SchemaError, match="duplicate key 'party'"):
        verify_entry(us.sign_raw(data, "new"), us.keys, "US", 1)


def test_rejects_entry_not_in_normal_form(us: Party) -> None:
    envelope = notification().to_json()
    del envelope["refs"]  # valid (refs default to none) but not the one encoding of the entry
    with pytest.raises(SchemaError, match=r"not in normal form .*field refs"):
        verify_entry(us.sign_raw(envelope, "new"), us.keys, "US", 1)
    envelope = notification().to_json()
    envelope["created_at"] = "2025-03-01T12:00:00+00:00"
    with pytest.raises(SchemaError, match="field created_at"):
        verify_entry(us.sign_raw(envelope, "new"), us.keys, "US", 1)


def test_answers_must_reference_what_they_answer() -> None:
    envelope = {
        "type": "objection",
        "party": "RU",
        "seq": 3,
        "created_at": "2025-03-02T00:00:00Z",
        "refs": [],
        "body": {"subject": "US#0", "reason": "interceptor speed above the limit"},
    }
    with pytest.raises(SchemaError, match="refs: a objection must reference at least one entry"):
        parse_entry(envelope)
    envelope["refs"] = [{"party": "US", "seq": 0, "hash": "0" * 64}]
    assert isinstance(parse_entry(envelope), ObjectionEntry)
    envelope["refs"] = [{"party": "RU", "seq": 3, "hash": "0" * 64}]
    with pytest.raises(SchemaError, match="must point backwards"):
        parse_entry(envelope)


def test_ref_of_an_entry(us: Party) -> None:
    answered = declaration()
    objection = ObjectionEntry(
        party="RU",
        seq=0,
        created_at=NOW,
        refs=(answered.ref(),),
        body=Objection(subject="sea-based interceptor speed", reason="above the limit"),
    )
    assert objection.refs == (Ref(party="US", seq=0, hash=us.sign(answered, "new").hash),)
