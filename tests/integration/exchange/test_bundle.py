"""Offline bundles: export from one database, verify, import into another; and the attacks a
receiver must refuse without storing anything.

The exporting or importing database is the ``engine`` fixture (SQLite, and PostgreSQL when
``GLASNOST_TEST_POSTGRES_URL`` is set); the other side is a SQLite file in tmp_path.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from glasnost.exchange import merkle
from glasnost.exchange.bundle import (
    BUNDLE_FORMAT,
    MAX_BUNDLE_ENTRIES,
    export_bundle,
    import_bundle,
    verify_bundle,
)
from glasnost.exchange.checkpoint import (
    Checkpoint,
    Verifier,
    cosign,
    parse_checkpoint,
    parse_note,
    sign_checkpoint,
)
from glasnost.exchange.entries import sign_entry
from glasnost.exchange.errors import (
    BundleError,
    CheckpointError,
    ConsistencyError,
    EquivocationError,
    InvalidSignature,
    LogNotFound,
    SequenceError,
    TimeOrderError,
    UnknownKey,
    WrongParty,
)
from glasnost.exchange.keys import SIG_COSIGNATURE_V1, PrivateKey, generate_key
from glasnost.exchange.store import LogStore, make_engine, migrate
from glasnost.treaty.bodies import NotificationEntry
from tests.integration.exchange.conftest import START, Party, make_party

Bundle = dict[str, Any]


@dataclass(frozen=True)
class Cosigner:
    name: str
    key: PrivateKey

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key.public_key, SIG_COSIGNATURE_V1)

    def cosign(self, store: LogStore, size: int, timestamp: int = 1_750_000_000) -> str:
        """Cosign the stored checkpoint of ``size`` and keep the line in ``store``."""
        stored = store.checkpoint(size)
        assert stored is not None
        line = cosign(parse_note(stored.note).text, self.name, self.key, timestamp)
        store.add_cosignature(size, line, self.verifier)
        return line


WITNESS = Cosigner("witness.example/RU", generate_key())
STRANGER = Cosigner("stranger.example", generate_key())


def sqlite(path: Path) -> sa.Engine:
    engine = make_engine(path)
    migrate(engine)
    return engine


def checkpoint(store: LogStore, party: Party, size: int | None = None) -> str:
    """Sign and keep a checkpoint of the first ``size`` entries (default: all)."""
    size = store.size() if size is None else size
    note = sign_checkpoint(Checkpoint(store.origin, size, store.root(size)), party.key)
    store.add_checkpoint(note)
    return note


def build_log(engine: sa.Engine, party: Party, checkpoints: dict[int, str | None]) -> LogStore:
    """A log of ``party``'s entries with a checkpoint at each given size; entry 3 carries the
    text given for its checkpoint size (to build a second history), else the usual one."""
    store = LogStore.create(engine, party.keys)
    for size in sorted(checkpoints):
        details = checkpoints[size]
        for seq in range(store.size(), size):
            if seq == 3 and details is not None:
                store.append([party.entry(seq, details=details)])
            else:
                store.append([party.entry(seq)])
        checkpoint(store, party)
    return store


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, us: Party) -> Iterator[LogStore]:
    """US log of 6 entries, checkpoints at 2 (cosigned by WITNESS and STRANGER) and 6
    (cosigned by WITNESS)."""
    engine = sqlite(tmp_path_factory.mktemp("source") / "source.db")
    store = LogStore.create(engine, us.keys)
    store.append(us.entries(0, 2))
    checkpoint(store, us)
    WITNESS.cosign(store, 2)
    STRANGER.cosign(store, 2)
    store.append(us.entries(2, 6))
    checkpoint(store, us)
    WITNESS.cosign(store, 6)
    yield store
    engine.dispose()


@pytest.fixture
def full(source: LogStore) -> Bundle:
    return export_bundle(source)


@pytest.fixture
def other(tmp_path: Path) -> Iterator[sa.Engine]:
    """A second, empty SQLite database."""
    engine = sqlite(tmp_path / "other.db")
    yield engine
    engine.dispose()


def absent(engine: sa.Engine, origin: str) -> bool:
    try:
        LogStore.open(engine, origin)
    except LogNotFound:
        return True
    return False


def refused(
    engine: sa.Engine, bundle: object, party: Party, error: type[Exception], match: str
) -> pytest.ExceptionInfo[Exception]:
    """Import must raise ``error`` and leave no log of ``party`` behind."""
    with pytest.raises(error, match=match) as info:
        import_bundle(engine, bundle, party.keys, witnesses=[WITNESS.verifier])
    assert absent(engine, party.keys.key_name)
    return info


def note_with_root(note: str, root: bytes) -> str:
    """The note with its root line replaced and the signature lines kept (a forgery)."""
    lines = note.split("\n")
    lines[2] = base64.b64encode(root).decode()
    return "\n".join(lines)


# --- round trips --------------------------------------------------------------------------------


def test_round_trip_full_then_incremental(engine: sa.Engine, other: sa.Engine, us: Party) -> None:
    source = LogStore.create(engine, us.keys)
    source.append(us.entries(0, 3))
    checkpoint(source, us)
    line3 = WITNESS.cosign(source, 3)
    STRANGER.cosign(source, 3)

    report = import_bundle(other, export_bundle(source), us.keys, witnesses=[WITNESS.verifier])
    assert report.to_json() == {
        "origin": us.keys.key_name,
        "new_entries": 3,
        "size": 3,
        "checkpoints_added": 1,
        "cosignatures_added": 1,
        "skipped_cosignatures": 1,
    }
    mirror = LogStore.open(other, us.keys.key_name)
    assert mirror.cosignatures(3) == {WITNESS.name: line3}

    source.append(us.entries(3, 5))
    checkpoint(source, us)
    source.append(us.entries(5, 7))
    checkpoint(source, us)
    line7 = WITNESS.cosign(source, 7)
    incremental = export_bundle(source, start=3)
    assert (incremental["start"], incremental["size"], len(incremental["entries"])) == (3, 7, 4)
    assert [c["old_size"] for c in incremental["consistency"]] == [3, 5]

    report = import_bundle(other, incremental, us.keys, witnesses=[WITNESS.verifier])
    assert (report.new_entries, report.size, report.checkpoints_added) == (4, 7, 2)
    assert (report.cosignatures_added, report.skipped_cosignatures) == (1, 0)
    assert mirror.entries() == source.entries()
    assert mirror.root() == source.root()
    assert [c.note for c in mirror.checkpoints()] == [c.note for c in source.checkpoints()]
    assert mirror.cosignatures(7) == {WITNESS.name: line7}
    assert mirror.verify().ok

    for bundle in (export_bundle(source), incremental):  # re-import: nothing new
        again = import_bundle(other, bundle, us.keys, witnesses=[WITNESS.verifier])
        assert (again.new_entries, again.checkpoints_added, again.cosignatures_added) == (0, 0, 0)
        assert again.size == 7
    assert mirror.verify().ok


def test_import_into_each_backend(engine: sa.Engine, full: Bundle, source: LogStore) -> None:
    report = import_bundle(engine, full, source.party_keys)  # no witnesses: all skipped
    assert (report.new_entries, report.cosignatures_added, report.skipped_cosignatures) == (
        6,
        0,
        3,
    )
    mirror = LogStore.open(engine, source.origin)
    assert mirror.entries() == source.entries()
    assert mirror.cosignatures(2) == {}
    assert mirror.verify().ok


def test_bundle_survives_json(full: Bundle, source: LogStore) -> None:
    text = json.dumps(full, indent=1)
    assert json.loads(text) == full
    verified = verify_bundle(json.loads(text), source.party_keys)
    assert verified.entries == tuple(source.entries())
    assert [c.size for c in verified.checkpoints] == [2, 6]
    assert verified.base.note is None
    assert full["format"] == BUNDLE_FORMAT


def test_verify_bundle_returns_the_parsed_pieces(source: LogStore) -> None:
    verified = verify_bundle(export_bundle(source, start=2), source.party_keys)
    assert (verified.start, verified.size) == (2, 6)
    assert verified.base.checkpoint is not None
    assert verified.base.checkpoint.root_hash == source.root(2)
    assert merkle.CompactRange(2, verified.base.border).root() == source.root(2)
    assert verified.entries == tuple(source.entries(2, 6))
    assert [(s.old_size, s.new_size) for s in verified.consistency] == [(2, 6)]
    assert verified.checkpoints[0].cosignatures == (source.cosignatures(6)[WITNESS.name],)


def test_import_resumes_after_a_crash(other: sa.Engine, full: Bundle, source: LogStore) -> None:
    """A crash after some batches leaves a prefix; the next import appends the rest."""
    mirror = LogStore.create(other, source.party_keys)
    mirror.append(source.entries(0, 4))
    report = import_bundle(other, full, source.party_keys)
    assert (report.new_entries, report.size, report.checkpoints_added) == (2, 6, 2)
    assert mirror.verify().ok


def test_export_needs_checkpoint_sizes(other: sa.Engine, us: Party, source: LogStore) -> None:
    store = LogStore.create(other, us.keys)
    store.append(us.entries(0, 2))
    with pytest.raises(BundleError, match="make a signed checkpoint first"):
        export_bundle(store)
    with pytest.raises(BundleError, match=r"start 3 .* \(0, 2, 6\)"):
        export_bundle(source, start=3)
    with pytest.raises(BundleError, match=r"end 5 is not the size of a stored checkpoint \(2, 6"):
        export_bundle(source, end=5)
    with pytest.raises(BundleError, match="start 6"):
        export_bundle(source, start=6, end=2)
    small = export_bundle(source, end=2)
    assert (small["size"], len(small["entries"]), small["consistency"]) == (2, 2, [])


# --- attacks on entries -------------------------------------------------------------------------


def test_rejects_forged_entry_signature(engine: sa.Engine, full: Bundle, us: Party) -> None:
    raw = bytearray(base64.b64decode(full["entries"][3]["signature"]))
    raw[10] ^= 1
    full["entries"][3]["signature"] = base64.b64encode(bytes(raw)).decode()
    refused(engine, full, us, InvalidSignature, "entry US#3")


def test_rejects_entry_signed_by_the_other_party(
    engine: sa.Engine, full: Bundle, us: Party, ru: Party
) -> None:
    envelope = NotificationEntry.model_validate_json(us.entry(1).entry)
    full["entries"][1] = sign_entry(envelope, ru.key, ru.key_id).to_json()  # claims US, RU key
    refused(engine, full, us, UnknownKey, "not a key of party US")
    full["entries"][1] = ru.entry(1).to_json()  # RU's own entry
    refused(engine, full, us, WrongParty, "names party 'RU'")


def test_rejects_tampered_entry_byte(engine: sa.Engine, full: Bundle, us: Party) -> None:
    entry = full["entries"][2]["entry"]
    assert "one flight test" in entry
    full["entries"][2]["entry"] = entry.replace("one flight test", "two flight test")
    refused(engine, full, us, InvalidSignature, "entry US#2")


def test_rejects_reordered_entries(engine: sa.Engine, full: Bundle, us: Party) -> None:
    entries = full["entries"]
    entries[1], entries[2] = entries[2], entries[1]
    refused(engine, full, us, SequenceError, "seq is 2; the log expects 1")


def test_rejects_skipped_entry(engine: sa.Engine, full: Bundle, us: Party) -> None:
    del full["entries"][2]
    refused(engine, full, us, SequenceError, "seq is 3; the log expects 2")
    del full["entries"][-1]  # dropped at the end: the count is short
    full["entries"].insert(2, us.entry(2).to_json())
    refused(engine, full, us, BundleError, r"\$\.entries: 5 entries; .* carries 6")


def test_rejects_backwards_time(engine: sa.Engine, full: Bundle, us: Party) -> None:
    envelope = NotificationEntry.model_validate_json(us.entry(4).entry)
    early = envelope.model_copy(update={"created_at": START})
    full["entries"][4] = sign_entry(early, us.key, us.key_id).to_json()
    refused(engine, full, us, TimeOrderError, "entry US#4: created_at .* is before")


def test_rejects_entries_from_the_future_before_storing_any(
    engine: sa.Engine, full: Bundle, us: Party
) -> None:
    with pytest.raises(TimeOrderError, match=r"entry US#5: .* after its receipt"):
        import_bundle(engine, full, us.keys, clock=lambda: START - dt.timedelta(hours=1))
    assert absent(engine, us.keys.key_name)


# --- attacks on checkpoints and proofs ----------------------------------------------------------


def test_rejects_tampered_checkpoint_root(engine: sa.Engine, full: Bundle, us: Party) -> None:
    note = full["checkpoints"][0]["note"]
    full["checkpoints"][0]["note"] = note_with_root(note, bytes(32))
    info = refused(engine, full, us, InvalidSignature, "does not verify")
    assert "$.checkpoints[0].note" in str(info.value)


def test_rejects_signed_checkpoint_of_other_entries(
    engine: sa.Engine, full: Bundle, us: Party
) -> None:
    """Validly signed, but its root is not the root of the entries carried."""
    forged = sign_checkpoint(Checkpoint(us.keys.key_name, 2, bytes(32)), us.key)
    full["checkpoints"][0] = {"note": forged, "cosignatures": []}
    refused(engine, full, us, CheckpointError, "not the root of the bundle's entries")


def test_rejects_checkpoint_signed_by_a_wrong_key(
    engine: sa.Engine, full: Bundle, us: Party, ru: Party, source: LogStore
) -> None:
    text = Checkpoint(us.keys.key_name, 6, source.root(6))
    full["checkpoints"][1]["note"] = sign_checkpoint(text, ru.key, us.keys.key_name)
    refused(engine, full, us, UnknownKey, "no signature from a trusted key")


def test_rejects_forged_cosignature_of_a_known_witness(
    engine: sa.Engine, full: Bundle, us: Party
) -> None:
    line = full["checkpoints"][1]["cosignatures"][0]
    prefix, value = line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(value))
    raw[-1] ^= 1
    full["checkpoints"][1]["cosignatures"][0] = f"{prefix} {base64.b64encode(raw).decode()}\n"
    refused(engine, full, us, InvalidSignature, r"\$\.checkpoints\[1\]\.cosignatures\[0\]")


def test_rejects_bad_consistency_proof(
    engine: sa.Engine, source: LogStore, us: Party, full: Bundle
) -> None:
    import_bundle(engine, export_bundle(source, end=2), us.keys)
    incremental = export_bundle(source, start=2)
    incremental["consistency"][0]["proof"][0] = base64.b64encode(bytes(32)).decode()
    with pytest.raises(ConsistencyError, match=r"consistency\[0\]: .* from size 2 to 6"):
        import_bundle(engine, incremental, us.keys)
    assert LogStore.open(engine, us.keys.key_name).size() == 2
    full["consistency"] = []
    with pytest.raises(BundleError, match=r"\$\.consistency: 0 proofs; this bundle needs 1"):
        import_bundle(engine, full, us.keys)


def test_rejects_base_border_not_matching_base_root(
    engine: sa.Engine, source: LogStore, us: Party
) -> None:
    import_bundle(engine, export_bundle(source, end=2), us.keys)
    incremental = export_bundle(source, start=2)
    incremental["base"]["border"] = [base64.b64encode(bytes(32)).decode()]
    with pytest.raises(BundleError, match=r"\$\.base\.border: does not fold"):
        import_bundle(engine, incremental, us.keys)
    assert LogStore.open(engine, us.keys.key_name).size() == 2


# --- attacks on keys, gaps and history ----------------------------------------------------------


def test_rejects_key_substitution(engine: sa.Engine, other: sa.Engine, us: Party) -> None:
    """An impostor with its own key record for the same origin: its bundle is consistent in
    itself, but the receiver pins the real record."""
    mallory = make_party("US")
    fake = build_log(other, mallory, {3: None})
    bundle = export_bundle(fake)
    verify_bundle(bundle, mallory.keys)  # fine under the impostor's own keys
    refused(engine, bundle, us, BundleError, r"\$\.party_keys: not the key record")
    LogStore.create(engine, us.keys)  # a mirror that pins the real record
    with pytest.raises(BundleError, match="stored key record of this log is not the pinned"):
        import_bundle(engine, bundle, mallory.keys)
    assert LogStore.open(engine, us.keys.key_name).size() == 0


def test_rejects_gap(engine: sa.Engine, source: LogStore, us: Party) -> None:
    incremental = export_bundle(source, start=2)
    refused(engine, incremental, us, BundleError, "gap: this database has 0 entries .* at 2")
    mirror = LogStore.create(engine, us.keys)
    mirror.append(us.entries(0, 1))
    with pytest.raises(BundleError, match=r"has 1 entries .* ask for a bundle from 1"):
        import_bundle(engine, incremental, us.keys)
    assert mirror.size() == 1


@pytest.mark.parametrize(
    ("rewritten", "reason", "cosigned_size"),
    [
        ({6: "rewritten"}, "two signed checkpoints of size 6 with different roots", 6),
        ({4: "rewritten"}, "size 4 is not a prefix of the stored checkpoint of size 6", 6),
        ({9: "rewritten"}, "size 9 does not extend the stored checkpoint of size 6", 6),
    ],
    ids=["same-size", "shorter", "longer"],
)
def test_rewritten_history_is_equivocation_with_evidence(
    engine: sa.Engine,
    other: sa.Engine,
    full: Bundle,
    us: Party,
    source: LogStore,
    rewritten: dict[int, str | None],
    reason: str,
    cosigned_size: int,
) -> None:
    """The mirror holds the original 6 entries; a second history of the same keys, with a
    different entry 3, is signed and exported from another database."""
    import_bundle(engine, full, us.keys)
    mirror = LogStore.open(engine, us.keys.key_name)
    second = build_log(other, us, rewritten)
    bundle = export_bundle(second)
    with pytest.raises(EquivocationError, match=reason) as info:
        import_bundle(engine, bundle, us.keys)
    error = info.value
    assert error.cosigned_size == cosigned_size
    assert "first differ at US#3" in str(error)
    assert mirror.size() == 6
    assert mirror.entries() == source.entries()
    [kept] = mirror.evidence()
    assert kept == error.evidence.to_json()
    stored_note = source.checkpoint(6)
    assert stored_note is not None
    assert error.evidence.cosigned_note == stored_note.note
    submitted = second.latest_checkpoint()
    assert submitted is not None
    assert error.evidence.submitted_note == submitted.note
    # The evidence stands alone: the proof ties the two signed roots to different trees.
    mine = parse_checkpoint(parse_note(error.evidence.cosigned_note).text)
    theirs = parse_checkpoint(parse_note(error.evidence.submitted_note).text)
    proof = list(error.evidence.proof)
    if mine.size == theirs.size:
        assert proof == []
        assert mine.root_hash != theirs.root_hash
    elif theirs.size < mine.size:
        assert not merkle.verify_consistency(
            theirs.size, mine.size, theirs.root_hash, mine.root_hash, proof
        )
        assert merkle.verify_consistency(
            theirs.size, mine.size, source.root(theirs.size), mine.root_hash, proof
        )
    else:
        assert not merkle.verify_consistency(
            mine.size, theirs.size, mine.root_hash, theirs.root_hash, proof
        )
        assert merkle.verify_consistency(
            mine.size, theirs.size, second.root(mine.size), theirs.root_hash, proof
        )


def test_rewritten_history_without_a_stored_checkpoint(
    engine: sa.Engine, other: sa.Engine, us: Party
) -> None:
    mirror = LogStore.create(engine, us.keys)
    mirror.append(us.entries(0, 6))  # no checkpoint: nothing signed to hold against it
    second = build_log(other, us, {8: "rewritten"})
    with pytest.raises(
        BundleError, match=r"rewritten history: .* differ from the stored ones at US#3"
    ):
        import_bundle(engine, export_bundle(second), us.keys)
    assert mirror.size() == 6
    assert mirror.evidence() == []


# --- malformed bundles --------------------------------------------------------------------------


def _set(path: str, value: object) -> Callable[[Bundle], object]:
    def change(bundle: Bundle) -> object:
        *parents, last = path.split(".")
        node: Any = bundle
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
        return bundle

    return change


def _delete(key: str) -> Callable[[Bundle], object]:
    def change(bundle: Bundle) -> object:
        del bundle[key]
        return bundle

    return change


MALFORMED: list[tuple[str, Callable[[Bundle], object], str]] = [
    ("not-an-object", lambda b: [b], r"\$: a bundle is a JSON object, not list"),
    ("missing-field", _delete("size"), r"\$\.size: Field required"),
    ("missing-format", _delete("format"), r"\$\.format: missing"),
    ("unknown-format", _set("format", "glasnost-bundle/v2"), r"\$\.format: 'glasnost-bundle/v2'"),
    ("wrong-type", _set("start", "0"), r"\$\.start: Input should be a valid integer"),
    ("bool-as-int", _set("size", True), r"\$\.size: Input should be a valid integer"),
    ("negative", _set("start", -1), r"\$\.start: Input should be greater than or equal to 0"),
    ("unknown-field", _set("extra", 1), r"\$\.extra: Extra inputs are not permitted"),
    ("entry-type", _set("entries.0.signature", 5), r"\$\.entries\[0\]\.signature: Input should"),
    ("entry-field", _set("entries.1.sig", "x"), r"\$\.entries\[1\]\.sig: Extra inputs"),
    ("bad-base64", _set("entries.1.signature", "!!"), r"\$\.entries\[1\]\.signature: .*base64"),
    ("bad-hash", _set("consistency", [{"old_size": 2, "new_size": 6, "proof": ["AA=="]}]), "proof"),
    ("border", _set("base.border", ["A" * 43 + "="]), r"\$\.base\.border: 1 hashes"),
    ("base-note", _set("base.note", "x"), r"\$\.base\.note: a bundle from the start"),
    ("origin", _set("origin", "glasnost.example/RU"), r"\$\.origin: 'glasnost\.example/RU'"),
    ("keys", _set("party_keys.party", 5), r"\$\.party_keys\.party"),
    ("start-after-size", _set("start", 7), r"\$\.start: 7 is after"),
    ("cosignature", _set("checkpoints.0.cosignatures", ["no newline"]), r"cosignatures\[0\]: a"),
    ("cosig-line", _set("checkpoints.0.cosignatures", ["junk\n"]), r"cosignatures\[0\]"),
    ("note", _set("checkpoints.0.note", "not a note"), r"\$\.checkpoints\[0\]\.note"),
    ("order", _set("checkpoints", []), r"\$\.checkpoints: a bundle ends at a signed checkpoint"),
]


@pytest.mark.parametrize(
    ("change", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_rejects_malformed_bundle(
    other: sa.Engine,
    full: Bundle,
    us: Party,
    change: Callable[[Bundle], object],
    message: str,
) -> None:
    info = refused(other, change(copy.deepcopy(full)), us, Exception, message)
    assert isinstance(info.value, BundleError | CheckpointError)
    assert str(info.value).startswith("bundle")


def test_rejects_too_many_entries(us: Party, full: Bundle) -> None:
    full["entries"] = [full["entries"][0]] * (MAX_BUNDLE_ENTRIES + 1)
    with pytest.raises(BundleError, match=r"\$\.entries: 1000001 entries; at most 1000000"):
        verify_bundle(full, us.keys)
