"""Docs that run: docs/exchange.md's worked example is the code's output, and its published
values check out with hashlib and cryptography alone (as a second implementation would)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import glasnost.treaty  # noqa: F401 (registers the agreement's entry types)
from glasnost.exchange.entries import BODY_TYPES, REFS_REQUIRED

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "exchange.md"
SCRIPT = ROOT / "scripts" / "exchange_example.py"
BEGIN = "<!-- BEGIN GENERATED EXAMPLE -->"
END = "<!-- END GENERATED EXAMPLE -->"


@cache
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("exchange_example", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@cache
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@cache
def values() -> dict[str, str]:
    """The example's `` - `label`: `value` `` items."""
    found = re.findall(r"^- `([^`]+)`: `([^`]*)`", doc(), flags=re.MULTILINE)
    assert len({k for k, _ in found}) == len(found), "duplicate labels"
    return dict(found)


def block(label: str) -> str:
    """The fenced block after the line that starts with `` `label` ``."""
    pattern = rf"^`{re.escape(label)}`[^\n]*:\n\n```[a-z]*\n(.*?)\n```$"
    match = re.search(pattern, doc(), flags=re.MULTILINE | re.DOTALL)
    assert match, f"no block {label}"
    return match.group(1)


def h(label: str) -> bytes:
    return bytes.fromhex(values()[label])


def b64(label: str) -> bytes:
    return base64.b64decode(values()[label], validate=True)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def public_key(label: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64(label))


def key_id(name: str, raw_public_key: bytes, signature_type: int) -> str:
    return sha256(name.encode() + b"\n" + bytes([signature_type]) + raw_public_key)[:4].hex()


def note_parts(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """(text, [(key name, key id || signature)]) of a signed note, split by hand."""
    text, _, signatures = note.rpartition("\n\n")
    lines = []
    for line in signatures.splitlines():
        assert line.startswith("\u2014 ")
        name, value = line[2:].split(" ")
        lines.append((name, base64.b64decode(value, validate=True)))
    return text + "\n", lines


# --- the doc is the code's output ---------------------------------------------------------------


def test_generated_example_is_the_scripts_output() -> None:
    text = doc()
    assert text.count(BEGIN) == text.count(END) == 1
    current = text[text.index(BEGIN) + len(BEGIN) : text.index(END)]
    expected = script().generated_block()
    assert current == expected, (
        "docs/exchange.md is out of date: run .venv/bin/python scripts/exchange_example.py --write"
    )


def test_write_replaces_only_the_block() -> None:
    module = script()
    text = f"before\n{BEGIN}old\n{END}\nafter\n"
    assert module.replace_block(text, "\nnew\n") == f"before\n{BEGIN}\nnew\n{END}\nafter\n"


# --- the published values, re-checked without the project's functions --------------------------


def test_keys_come_from_the_seeds_and_key_ids_follow_signed_note() -> None:
    for who, signature_type in (("us", 0x01), ("witness", 0x04)):
        name = values()[f"{who}.key_name"]
        seed = h(f"{who}.seed")
        raw = b64(f"{who}.public_key")
        derived = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        assert derived == raw
        assert values()[f"{who}.key_id"] == key_id(name, raw, signature_type)
        material = base64.b64encode(bytes([signature_type]) + raw).decode()
        assert values()[f"{who}.vkey"] == f"{name}+{values()[f'{who}.key_id']}+{material}"
    assert h("us.seed") == bytes(range(32))


def test_entry_hashes_and_signatures() -> None:
    us = public_key("us.public_key")
    for i in (0, 1):
        data = block(f"entry[{i}]").encode("utf-8")
        assert len(data) == int(values()[f"entry[{i}].length"])
        assert hashlib.sha256(data).hexdigest() == values()[f"entry[{i}].sha256"]
        assert sha256(b"\x00" + data) == h(f"entry[{i}].leaf_hash")
        us.verify(b64(f"entry[{i}].signature"), data)  # raises if it does not verify
        assert values()[f"entry[{i}].key_id"] == values()["us.key_id"]
        # canonical: sorted keys, no whitespace (these entries are ASCII with simple numbers)
        obj = json.loads(data)
        assert json.dumps(obj, sort_keys=True, separators=(",", ":")).encode() == data
        assert obj["seq"] == i
        assert obj["party"] == "US"
    refs = json.loads(block("entry[1]"))["refs"]
    assert refs == [{"hash": values()["entry[0].sha256"], "party": "US", "seq": 0}]


def test_tree_roots_and_proofs() -> None:
    leaf0, leaf1 = h("entry[0].leaf_hash"), h("entry[1].leaf_hash")
    root = sha256(b"\x01" + leaf0 + leaf1)
    assert h("tree[1].root") == leaf0
    assert h("tree[2].root") == root
    assert b64("tree[2].root_base64") == root
    assert values()["inclusion[1]"] == leaf0.hex()  # sibling of leaf 1
    assert values()["consistency[1,2]"] == leaf1.hex()  # the new subtree


def test_checkpoint_notes_verify_over_their_text() -> None:
    us = public_key("us.public_key")
    for size, root_label in ((1, "tree[1].root"), (2, "tree[2].root")):
        text, signatures = note_parts(block(f"checkpoint[{size}]") + "\n")
        origin = values()["us.key_name"]
        assert text == f"{origin}\n{size}\n{base64.b64encode(h(root_label)).decode()}\n"
        ((name, raw),) = signatures
        assert name == origin
        assert raw[:4].hex() == values()[f"checkpoint[{size}].key_id"] == values()["us.key_id"]
        assert raw[4:] == b64(f"checkpoint[{size}].signature")
        us.verify(raw[4:], text.encode("utf-8"))


def test_cosignature_verifies_over_the_cosignature_v1_message() -> None:
    witness = public_key("witness.public_key")
    text, signatures = note_parts(block("cosigned_checkpoint[2]") + "\n")
    assert block("cosigned_checkpoint[2]").startswith(block("checkpoint[2]"))
    (_, us_sig), (name, raw) = signatures
    assert name == values()["witness.key_name"]
    assert raw[:4].hex() == values()["witness.key_id"]
    timestamp = int.from_bytes(raw[4:12], "big")
    assert timestamp == int(values()["cosignature[2].timestamp"])
    message = f"cosignature/v1\ntime {timestamp}\n{text}".encode()
    assert message == (block("cosigned_message[2]") + "\n").encode()
    witness.verify(raw[12:], message)
    public_key("us.public_key").verify(us_sig[4:], text.encode())


def test_commitment_opens_with_its_salt() -> None:
    item = values()["commitment.item"].encode()
    salt = h("commitment.salt")
    assert len(salt) >= 16
    assert hashlib.sha256(salt + item).hexdigest() == values()["commitment.value"]
    declared = json.loads(block("entry[0]"))["body"]["commitments"]
    assert [c["commitment"] for c in declared] == [values()["commitment.value"]]


# --- the prose matches the code -----------------------------------------------------------------


def _body_table() -> dict[str, tuple[list[str], bool]]:
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \| (yes|no) \|$", doc(), flags=re.MULTILINE)
    return {t: (re.findall(r"`([a-z_0-9?]+)`", fields), refs == "yes") for t, fields, refs in rows}


@pytest.mark.parametrize("entry_type", sorted(BODY_TYPES))
def test_body_types_table_lists_every_field(entry_type: str) -> None:
    table = _body_table()
    assert set(table) == set(BODY_TYPES)
    fields, refs_required = table[entry_type]
    model = BODY_TYPES[entry_type]
    expected = [name + ("" if f.is_required() else "?") for name, f in model.model_fields.items()]
    assert fields == expected
    assert refs_required == (entry_type in REFS_REQUIRED)
