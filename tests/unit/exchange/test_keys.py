"""Ed25519 keys, C2SP key ids, key files and administrations."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from glasnost.exchange.errors import (
    InvalidSignature,
    KeyFileError,
    KeyNotValidAtTime,
    UnknownKey,
)
from glasnost.exchange.keys import (
    SIG_COSIGNATURE_V1,
    Administration,
    PartyKeys,
    PrivateKey,
    PublicKey,
    fingerprint,
    generate_key,
    key_id,
    key_id_bytes,
    parse_verifier_key,
    read_private_key,
    verifier_key,
    write_private_key,
)

# The example key of the signed-note reference implementation, golang.org/x/mod/sumdb/note
# (note_test.go and the package documentation). The C2SP spec itself (c2sp.org/signed-note)
# publishes a signed example but not its public key, so its key id cannot be checked from it.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

UTC = dt.UTC


def go_private_key() -> PrivateKey:
    material = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert material[0] == 0x01  # signature type Ed25519, then the 32-byte RFC 8032 seed
    return PrivateKey.from_seed(material[1:])


def test_key_id_matches_the_reference_implementation_example() -> None:
    public = go_private_key().public_key
    assert key_id("PeterNeumann", public) == "c74f20a3"  # golang.org/x/mod/sumdb/note example
    assert verifier_key("PeterNeumann", public) == GO_VKEY  # golang.org/x/mod/sumdb/note example


def test_key_id_is_the_signed_note_formula() -> None:
    # c2sp.org/signed-note: key ID = SHA-256(key name || 0x0A || signature type || key)[:4]
    public = generate_key().public_key
    name = "glasnost.example/US"
    expected = hashlib.sha256(name.encode() + b"\n" + b"\x01" + public.raw).digest()[:4]
    assert key_id_bytes(name, public) == expected
    cosigning = hashlib.sha256(name.encode() + b"\n" + b"\x04" + public.raw).digest()[:4]
    assert key_id_bytes(name, public, SIG_COSIGNATURE_V1) == cosigning  # c2sp.org/tlog-cosignature
    assert key_id(name, public) == expected.hex()


@pytest.mark.parametrize("name", ["", "has space", "a+b", "tab\there"])
def test_key_names_follow_the_spec(name: str) -> None:
    # c2sp.org/signed-note: non-empty, no Unicode spaces, no '+'
    with pytest.raises(ValueError, match="key name"):
        key_id(name, generate_key().public_key)


def test_verifier_key_round_trip_and_mismatch() -> None:
    assert parse_verifier_key(GO_VKEY) == ("PeterNeumann", 1, go_private_key().public_key)
    with pytest.raises(ValueError, match="does not match"):
        parse_verifier_key(GO_VKEY.replace("c74f20a3", "c74f20a4"))


def test_fingerprint_is_sha256_of_the_raw_key() -> None:
    public = generate_key().public_key
    assert fingerprint(public) == hashlib.sha256(public.raw).hexdigest()
    assert len(fingerprint(public)) == 64


def test_signature_round_trip() -> None:
    key = generate_key()
    signature = key.sign(b"message")
    assert len(signature) == 64
    key.public_key.verify(signature, b"message")
    with pytest.raises(InvalidSignature, match="does not verify"):
        key.public_key.verify(signature, b"messagE")
    with pytest.raises(InvalidSignature, match="64 bytes"):
        key.public_key.verify(signature[:-1], b"message")
    with pytest.raises(InvalidSignature):
        generate_key().public_key.verify(signature, b"message")


def test_public_key_base64_is_strict() -> None:
    public = generate_key().public_key
    assert PublicKey.from_base64(public.to_base64()) == public
    with pytest.raises(ValueError, match="expected 32"):
        PublicKey.from_base64(base64.b64encode(public.raw[:31]).decode())
    with pytest.raises(ValueError, match="not standard base64"):
        PublicKey.from_base64(public.to_base64()[:-1] + "!")


def test_private_key_repr_hides_the_secret() -> None:
    key = generate_key()
    assert "PrivateKey(public=" in repr(key)
    assert key.to_pem().decode() not in repr(key)


# --- key files ----------------------------------------------------------------------------------


@posix_only
def test_key_file_is_created_with_mode_600_and_reads_back(tmp_path: Path) -> None:
    key = generate_key()
    path = write_private_key(tmp_path / "us.key", key)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS #8 PEM
    assert read_private_key(path).public_key == key.public_key
    assert [p.name for p in tmp_path.iterdir()] == ["us.key"]  # no temporary file left


@posix_only
def test_key_file_mode_ignores_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = write_private_key(tmp_path / "us.key", generate_key())
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o600


@posix_only
def test_refuses_to_overwrite_a_key_unless_asked(tmp_path: Path) -> None:
    path = write_private_key(tmp_path / "us.key", generate_key())
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        write_private_key(path, generate_key())
    replacement = generate_key()
    write_private_key(path, replacement, overwrite=True)
    assert read_private_key(path).public_key == replacement.public_key
    assert os.stat(path).st_mode & 0o777 == 0o600


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o620])
def test_rejects_group_or_other_accessible_key_file(tmp_path: Path, mode: int) -> None:
    path = write_private_key(tmp_path / "us.key", generate_key())
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=rf"us\.key: mode {mode:#o} .* chmod 600"):
        read_private_key(path)


def test_rejects_malformed_and_missing_key_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"not a key")
    bad.chmod(0o600)
    with pytest.raises(KeyFileError, match="not a readable PKCS #8 PEM key"):
        read_private_key(bad)
    with pytest.raises(KeyFileError, match="cannot read"):
        read_private_key(tmp_path / "missing.key")


def test_encrypted_key_file_round_trip(tmp_path: Path) -> None:
    key = generate_key()
    path = write_private_key(tmp_path / "us.key", key, password=b"correct horse")
    assert b"ENCRYPTED" in path.read_bytes()
    assert read_private_key(path, password=b"correct horse").public_key == key.public_key
    with pytest.raises(KeyFileError):
        read_private_key(path, password=b"wrong")


# --- administrations ----------------------------------------------------------------------------


def t(year: int, month: int = 1, day: int = 1) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=UTC)


def adm(
    ident: str, start: dt.datetime, end: dt.datetime | None, party: str = "US"
) -> Administration:
    return Administration(
        party=party,
        id=ident,
        name=ident.upper(),
        public_key=generate_key().public_key.to_base64(),
        valid_from=start,
        valid_until=end,
    )


def test_key_for_picks_the_administration_in_office() -> None:
    old, new = adm("a2017", t(2017), t(2021, 1, 20)), adm("a2021", t(2021, 1, 20), None)
    keys = PartyKeys(party="US", key_name="glasnost.example/US", administrations=(old, new))
    assert keys.key_for(t(2019)) == old
    assert keys.key_for(t(2021, 1, 20)) == new  # valid_until is exclusive
    assert keys.key_for(t(2030)) == new
    with pytest.raises(KeyNotValidAtTime, match="party US: no administration in office at 2016"):
        keys.key_for(t(2016))
    assert keys.by_key_id(keys.key_id(old)) == old
    with pytest.raises(UnknownKey, match="not a key of party US"):
        keys.by_key_id("00000000")


def test_gap_between_administrations_has_no_key() -> None:
    keys = PartyKeys(
        party="US",
        key_name="glasnost.example/US",
        administrations=(adm("a", t(2017), t(2018)), adm("b", t(2019), None)),
    )
    with pytest.raises(KeyNotValidAtTime):
        keys.key_for(t(2018, 6))


@pytest.mark.parametrize(
    ("administrations", "message"),
    [
        ((("a", 2017, None), ("b", 2021, None)), "overlaps"),
        ((("a", 2017, 2022), ("b", 2021, None)), "overlaps"),
        ((("a", 2017, 2021), ("a", 2021, None)), "duplicate administration id"),
    ],
)
def test_party_record_refuses_inconsistent_administrations(
    administrations: tuple[tuple[str, int, int | None], ...], message: str
) -> None:
    entries = tuple(adm(i, t(a), t(b) if b else None) for i, a, b in administrations)
    with pytest.raises(ValidationError, match=message):
        PartyKeys(party="US", key_name="glasnost.example/US", administrations=entries)


def test_party_record_refuses_another_party_and_a_shared_key() -> None:
    with pytest.raises(ValidationError, match="party is 'RU'"):
        PartyKeys(party="US", key_name="x/US", administrations=(adm("a", t(2017), None, "RU"),))
    first = adm("a", t(2017), t(2021))
    second = first.model_copy(update={"id": "b", "valid_from": t(2021), "valid_until": None})
    with pytest.raises(ValidationError, match="each administration has its own key"):
        PartyKeys(party="US", key_name="x/US", administrations=(first, second))


def test_administration_validates_period_and_times() -> None:
    with pytest.raises(ValidationError, match="must be after valid_from"):
        adm("a", t(2021), t(2020))
    with pytest.raises(ValidationError, match="not a UTC time"):
        adm("a", dt.datetime(2021, 1, 1), None)  # naive on purpose
    with pytest.raises(ValidationError, match="32"):
        Administration(party="US", id="a", name="A", public_key="AAAA", valid_from=t(2021))
