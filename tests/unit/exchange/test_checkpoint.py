"""Signed notes, checkpoints, cosignatures and the witness, against the C2SP specs."""

from __future__ import annotations

import base64

import pytest

from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    Checkpoint,
    Verifier,
    add_signatures,
    cosign,
    cosigned_message,
    log_verifiers,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_note,
    sign_checkpoint,
    sign_note,
)
from glasnost.exchange.errors import (
    CheckpointError,
    InvalidSignature,
    UnknownKey,
)
from glasnost.exchange.keys import (
    SIG_COSIGNATURE_V1,
    PrivateKey,
    generate_key,
    key_id_bytes,
)

EM_DASH = "\u2014".encode()  # b"\xe2\x80\x94"

# The signed-note reference implementation's example (golang.org/x/mod/sumdb/note, note_test.go
# and package documentation): key, text and the signature line it produces.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNATURE_LINE = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn"
    "gotpRZb6KE6RyyBwJnAM=\n"
)

# c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature: the example checkpoint, with a
# cosignature line of witness.example.com/w1 (its public key is not published).
SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_NOTE = (
    SPEC_BODY + "\n"
    "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
    "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJ"
    "sX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)

ORIGIN = "glasnost.example/US"


def go_key() -> PrivateKey:
    return PrivateKey.from_seed(base64.b64decode(GO_SKEY.split("+", 4)[4])[1:])


# --- signed notes -------------------------------------------------------------------------------


def test_signed_note_matches_the_reference_implementation() -> None:
    # golang.org/x/mod/sumdb/note example: Ed25519 is deterministic, so the bytes must match
    assert sign_note(GO_TEXT, "PeterNeumann", go_key()) == GO_TEXT + "\n" + GO_SIGNATURE_LINE
    verifier = Verifier("PeterNeumann", go_key().public_key)
    note, verified = open_note(GO_TEXT + "\n" + GO_SIGNATURE_LINE, [verifier])
    assert note.text == GO_TEXT
    assert verified[0].verifier == verifier
    with pytest.raises(InvalidSignature, match=r"note line 4 \(PeterNeumann/c74f20a3\)"):
        open_note(
            GO_TEXT.replace("cryptography", "cryptographY") + "\n" + GO_SIGNATURE_LINE, [verifier]
        )


def test_spec_checkpoint_parses_and_formats_back() -> None:
    checkpoint = parse_checkpoint(SPEC_BODY)  # c2sp.org/tlog-checkpoint example
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.body() == SPEC_BODY
    note = parse_note(SPEC_NOTE)
    assert note.text == SPEC_BODY
    assert note.format() == SPEC_NOTE


def test_spec_cosignature_line_layout() -> None:
    # c2sp.org/tlog-cosignature: key id (4) || timestamp (8, big-endian) || Ed25519 signature (64);
    # the spec's signed-message example shows "time 1679315147" for this checkpoint.
    cosignature = parse_note(SPEC_NOTE).signatures[1]
    assert cosignature.name == "witness.example.com/w1"
    assert len(cosignature.key_id) == 4
    assert len(cosignature.signature) == 8 + 64
    assert int.from_bytes(cosignature.signature[:8], "big") == 1679315147
    assert cosigned_message(SPEC_BODY, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n"  # c2sp.org/tlog-cosignature, "Ed25519 signed message"
        b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


def test_signed_checkpoint_byte_layout() -> None:
    key = generate_key()
    checkpoint = Checkpoint(ORIGIN, 5, bytes(range(32)))
    data = sign_checkpoint(checkpoint, key).encode("utf-8")
    body = b"glasnost.example/US\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    assert data.startswith(body + b"\n" + EM_DASH + b" glasnost.example/US ")
    assert data.endswith(b"\n")
    assert data.count(b"\n") == 5  # three body lines, the blank line, one signature line
    value = base64.b64decode(data[len(body) + 1 :].split(b" ")[2])
    assert value[:4] == key_id_bytes(ORIGIN, key.public_key)  # key id, then the signature
    key.public_key.verify(value[4:], body)  # Ed25519 over the note text, final newline included
    opened, _, _ = open_checkpoint(data, [Verifier(ORIGIN, key.public_key)])
    assert opened == checkpoint


def test_checkpoint_extension_lines_round_trip() -> None:
    checkpoint = Checkpoint(ORIGIN, 0, merkle.root([]), ("ext one", "ext two"))
    assert parse_checkpoint(checkpoint.body()) == checkpoint


def test_cosignature_layout_and_verification() -> None:
    log, witness = generate_key(), generate_key()
    note = sign_checkpoint(Checkpoint(ORIGIN, 5, bytes(32)), log)
    line = cosign(parse_note(note).text, "witness.example/RU", witness, 1_700_000_000)
    assert line.startswith("\u2014 witness.example/RU ")
    assert line.endswith("\n")
    value = base64.b64decode(line.split(" ")[2])
    assert len(value) == 4 + 8 + 64
    assert value[:4] == key_id_bytes("witness.example/RU", witness.public_key, SIG_COSIGNATURE_V1)
    assert value[4:12] == (1_700_000_000).to_bytes(8, "big")
    cosigned = add_signatures(note, [line])
    verifier = Verifier("witness.example/RU", witness.public_key, SIG_COSIGNATURE_V1)
    _, verified = open_note(cosigned, [verifier])
    assert verified[0].timestamp == 1_700_000_000
    # the log's key verifies the same note; an Ed25519 verifier of the witness key does not match
    _, verified = open_note(cosigned, [Verifier(ORIGIN, log.public_key), verifier])
    assert [v.timestamp for v in verified] == [None, 1_700_000_000]
    with pytest.raises(UnknownKey):
        open_note(cosigned, [Verifier("witness.example/RU", witness.public_key)])


def test_unknown_signatures_are_ignored_but_a_failing_known_one_rejects() -> None:
    key, other = generate_key(), generate_key()
    note = sign_checkpoint(Checkpoint(ORIGIN, 1, bytes(32)), key)
    stranger = sign_note(parse_note(note).text, "someone.else/log", other).split("\n\n")[1]
    _, verified = open_note(add_signatures(note, [stranger]), [Verifier(ORIGIN, key.public_key)])
    assert len(verified) == 1
    with pytest.raises(UnknownKey, match="no signature from a trusted key"):
        open_note(note, [Verifier(ORIGIN, other.public_key)])
    bad = parse_note(note).signatures[0]
    forged = bad.line().replace(
        bad.line().split(" ")[2], base64.b64encode(bad.key_id + bytes(64)).decode() + "\n"
    )
    with pytest.raises(InvalidSignature):
        open_note(add_signatures(note, [forged]), [Verifier(ORIGIN, key.public_key)])


# --- malformed notes ----------------------------------------------------------------------------


def _good_note() -> tuple[str, Verifier]:
    key = generate_key()
    return sign_checkpoint(Checkpoint(ORIGIN, 3, bytes(32)), key), Verifier(ORIGIN, key.public_key)


@pytest.mark.parametrize(
    ("mangle", "error", "message"),
    [
        (lambda n: n.replace("\n\n", "\n"), CheckpointError, "no blank line"),
        (lambda n: n[:-1], CheckpointError, "does not end in a newline"),
        (lambda n: n.replace("\u2014 ", "-- "), CheckpointError, "em dash"),
        (lambda n: n.replace(f"{ORIGIN} ", f"{ORIGIN}  "), CheckpointError, "single spaces"),
        (lambda n: n[:-3] + "!=\n", CheckpointError, "not standard base64"),
        (lambda n: n[:-2] + "\n", CheckpointError, "base64"),
        (lambda n: n.replace("\n3\n", "\n\t3\n"), CheckpointError, "control characters"),
        (lambda n: n + "\n", CheckpointError, "no signature lines"),
    ],
)
def test_rejects_malformed_note(mangle, error, message) -> None:  # type: ignore[no-untyped-def]
    note, verifier = _good_note()
    mangled = mangle(note)
    assert mangled != note
    with pytest.raises(error, match=message):
        open_checkpoint(mangled, [verifier])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{ORIGIN}\n03\n{'A' * 43}=\n", r"line 2: tree size '03' is not a decimal without"),
        (f"{ORIGIN}\n-3\n{'A' * 43}=\n", "line 2: tree size '-3'"),
        (f"{ORIGIN}\n3\n\n{'A' * 43}=\n", "line 3: empty line"),
        (f"{ORIGIN}\n3\n", "2 lines; a checkpoint has origin, size and root hash"),
        (f"{ORIGIN}\n3\n{'A' * 42}==\n", "line 3: root hash is 31 bytes, expected 32"),
        (f"{ORIGIN}\n3\n{'A' * 43}=\next\n\n", "line 5: empty line"),
    ],
)
def test_rejects_malformed_checkpoint_text(text: str, message: str) -> None:
    key = generate_key()
    note = sign_note(text, ORIGIN, key)  # validly signed, but not a checkpoint
    with pytest.raises(CheckpointError, match=message):
        open_checkpoint(note, [Verifier(ORIGIN, key.public_key)])


def test_rejects_wrong_key_id() -> None:
    note, verifier = _good_note()
    sig = parse_note(note).signatures[0]
    wrong = base64.b64encode(bytes(4) + sig.signature).decode()
    mangled = note.replace(base64.b64encode(sig.key_id + sig.signature).decode(), wrong)
    with pytest.raises(UnknownKey, match=f"signed by {ORIGIN}/00000000"):
        open_checkpoint(mangled, [verifier])


def test_rejects_signature_too_short_for_a_key_id() -> None:
    note, verifier = _good_note()
    mangled = note.split("\n\n")[0] + f"\n\n\u2014 {ORIGIN} AAAA\n"
    with pytest.raises(CheckpointError, match=r"note line 5: signature is 3 bytes"):
        open_checkpoint(mangled, [verifier])


def test_log_verifiers_of_a_party_record() -> None:
    import datetime as dt

    from glasnost.exchange.keys import Administration, PartyKeys

    key = generate_key()
    record = PartyKeys(
        party="US",
        key_name=ORIGIN,
        administrations=(
            Administration(
                party="US",
                id="a2025",
                name="A",
                public_key=key.public_key.to_base64(),
                valid_from=dt.datetime(2025, 1, 20, tzinfo=dt.UTC),
            ),
        ),
    )
    note = sign_checkpoint(Checkpoint(ORIGIN, 1, bytes(32)), key)
    assert open_checkpoint(note, log_verifiers(record))[0].size == 1
