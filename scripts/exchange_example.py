"""The worked example of docs/exchange.md: every byte, hash and signature of a tiny US log.

Built only through the public functions of ``glasnost.exchange`` from fixed 32-byte seeds
(Ed25519 signatures are deterministic, RFC 8032), so the output never changes unless the formats
do. The script checks its own result with the project's verifiers before printing it.

* ``python scripts/exchange_example.py`` prints the generated Markdown block;
* ``python scripts/exchange_example.py --write`` rewrites the block of docs/exchange.md between
  ``<!-- BEGIN GENERATED EXAMPLE -->`` and ``<!-- END GENERATED EXAMPLE -->``;
* ``python scripts/exchange_example.py --check`` exits 1 if docs/exchange.md is out of date.

tests/unit/exchange/test_exchange_doc.py asserts that the doc holds exactly this output and
re-checks the published values with hashlib and cryptography alone.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from glasnost.exchange import merkle
from glasnost.exchange.canonical import canonical_json, sha256_hex, utc_iso
from glasnost.exchange.checkpoint import (
    Checkpoint,
    Verifier,
    add_signatures,
    cosigned_message,
    log_verifiers,
    open_checkpoint,
    parse_note,
    sign_checkpoint,
)
from glasnost.exchange.commitments import commitment_of, verify_reveal
from glasnost.exchange.entries import SignedEntry, sign_entry, verify_entry
from glasnost.exchange.keys import (
    SIG_COSIGNATURE_V1,
    Administration,
    PartyKeys,
    PrivateKey,
    verifier_key,
)
from glasnost.exchange.witness import Witness
from glasnost.scenario.interceptor_types import InterceptorType
from glasnost.scenario.posture import InterceptorSite, Party, Radar
from glasnost.treaty.bodies import (
    CommittedItem,
    Declaration,
    DeclarationEntry,
    DeclaredPosture,
    Notification,
    NotificationEntry,
    RevealedItem,
    StrategicForces,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "exchange.md"
BEGIN = "<!-- BEGIN GENERATED EXAMPLE -->"
END = "<!-- END GENERATED EXAMPLE -->"

US_SEED = bytes(range(32))
"""Seed of the US administration key (RFC 8032 private key)."""
WITNESS_SEED = bytes(range(32, 64))
"""Seed of the RU witness key."""
SALT = bytes(range(64, 96))
"""Salt of the example commitment (32 bytes; a real one is drawn by ``commit``)."""

US_NAME = "glasnost.example/US"
WITNESS_NAME = "witness.example/RU"
UTC = dt.UTC
TERM_START = dt.datetime(2025, 1, 20, 17, tzinfo=UTC)
DECLARED_AT = dt.datetime(2025, 3, 1, 12, tzinfo=UTC)
COSIGNED_1_AT = dt.datetime(2025, 3, 1, 12, 5, tzinfo=UTC)
NOTIFIED_AT = dt.datetime(2025, 3, 2, 9, 30, tzinfo=UTC)
COSIGNED_2_AT = dt.datetime(2025, 3, 2, 9, 35, tzinfo=UTC)
COMMITTED_LABEL = "interceptor_site:reserve"
COMMITTED_ITEM = {"site": "reserve", "interceptor": "gbi", "count": 4, "lat_deg": 64.3}


@dataclass(frozen=True)
class Example:
    us_key: PrivateKey
    witness_key: PrivateKey
    us_keys: PartyKeys
    entries: tuple[SignedEntry, ...]
    notes: tuple[str, ...]  # signed checkpoints of size 1 and 2 (US signature only)
    cosignatures: tuple[str, ...]  # the witness's lines for sizes 1 and 2
    timestamps: tuple[int, ...]
    cosigned_note: str  # the size-2 checkpoint with the witness's cosignature
    inclusion: tuple[bytes, ...]  # entry 1 in the tree of size 2
    consistency: tuple[bytes, ...]  # size 1 -> size 2
    revealed: RevealedItem
    commitment: str


def posture() -> DeclaredPosture:
    """A small illustrative US posture: one interceptor site, one radar, strategic forces."""
    return DeclaredPosture(
        party=Party(
            id="US",
            name="United States",
            interceptor_sites=(
                InterceptorSite(
                    id="fort_greely",
                    name="Fort Greely",
                    interceptor="gbi",
                    count=40,
                    lat_deg=63.95,
                    lon_deg=-145.73,
                    basis="declared",
                ),
            ),
            radars=(
                Radar(
                    id="cobra_dane",
                    name="Cobra Dane",
                    role="early_warning",
                    lat_deg=52.74,
                    lon_deg=174.09,
                    azimuth_min_deg=259,
                    azimuth_max_deg=19,
                    elevation_min_deg=0.5,
                    elevation_max_deg=80,
                    range_km=3200,
                    reference_rcs_m2=1,
                    basis="declared",
                ),
            ),
        ),
        interceptor_types=(
            InterceptorType(
                id="gbi",
                name="Ground-Based Interceptor",
                burnout_velocity_kms=7.5,
                burn_time_s=160,
                min_intercept_altitude_km=100,
                max_intercept_altitude_km=2000,
                basis="declared",
            ),
        ),
        strategic_forces=StrategicForces(
            deployed_launchers=662, deployed_warheads=1419, non_deployed_launchers=138
        ),
    )


def build() -> Example:
    """The example, built and verified with the project's functions."""
    us_key = PrivateKey.from_seed(US_SEED)
    witness_key = PrivateKey.from_seed(WITNESS_SEED)
    administration = Administration(
        party="US",
        id="us-2025",
        name="US administration 2025",
        public_key=us_key.public_key.to_base64(),
        valid_from=TERM_START,
    )
    us_keys = PartyKeys(party="US", key_name=US_NAME, administrations=(administration,))
    kid = us_keys.key_id(administration)

    commitment = commitment_of(COMMITTED_ITEM, SALT)
    declaration = DeclarationEntry(
        party="US",
        seq=0,
        created_at=DECLARED_AT,
        body=Declaration(
            kind="baseline",
            as_of=dt.date(2025, 3, 1),
            posture=posture(),
            commitments=(CommittedItem(label=COMMITTED_LABEL, commitment=commitment),),
        ),
    )
    notification = NotificationEntry(
        party="US",
        seq=1,
        created_at=NOTIFIED_AT,
        refs=(declaration.ref(),),
        body=Notification(
            event_type="interceptor_test",
            phase="pre_event",
            window_start=dt.datetime(2025, 4, 1, tzinfo=UTC),
            window_end=dt.datetime(2025, 4, 3, tzinfo=UTC),
            site_ids=("fort_greely",),
            details="one GBI flight test",
        ),
    )
    entries = (sign_entry(declaration, us_key, kid), sign_entry(notification, us_key, kid))
    for seq, signed in enumerate(entries):
        verify_entry(signed, us_keys, "US", seq)
    leaves = [e.entry for e in entries]

    notes = tuple(
        sign_checkpoint(Checkpoint(US_NAME, size, merkle.root(leaves[:size])), us_key)
        for size in (1, 2)
    )
    witness = Witness(WITNESS_NAME, witness_key, {US_NAME: log_verifiers(us_keys)})
    timestamps = (int(COSIGNED_1_AT.timestamp()), int(COSIGNED_2_AT.timestamp()))
    consistency = tuple(merkle.consistency_proof(leaves, 1))
    cosignatures = (
        witness.cosign(notes[0], [], timestamp=timestamps[0]),
        witness.cosign(notes[1], consistency, timestamp=timestamps[1], old_size=1),
    )
    cosigned_note = add_signatures(notes[1], [cosignatures[1]])
    _, _, verified = open_checkpoint(cosigned_note, [*log_verifiers(us_keys), witness.verifier])
    assert [v.timestamp for v in verified] == [None, timestamps[1]]

    inclusion = tuple(merkle.inclusion_proof(leaves, 1))
    assert merkle.verify_inclusion(
        merkle.leaf_hash(leaves[1]), 1, 2, inclusion, merkle.root(leaves)
    )
    assert merkle.verify_consistency(
        1, 2, merkle.root(leaves[:1]), merkle.root(leaves), consistency
    )
    revealed = RevealedItem(label=COMMITTED_LABEL, salt=SALT.hex(), item=COMMITTED_ITEM)
    verify_reveal(commitment, bytes.fromhex(revealed.salt), revealed.item)
    return Example(
        us_key=us_key,
        witness_key=witness_key,
        us_keys=us_keys,
        entries=entries,
        notes=notes,
        cosignatures=cosignatures,
        timestamps=timestamps,
        cosigned_note=cosigned_note,
        inclusion=inclusion,
        consistency=consistency,
        revealed=revealed,
        commitment=commitment,
    )


# --- rendering ----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _value(label: str, value: str, meaning: str = "") -> str:
    """One list item: `` - `label`: `value` meaning`` (the test parses these)."""
    return f"- `{label}`: `{value}`" + (f" {meaning}" if meaning else "")


def _block(label: str, text: str, meaning: str, lang: str = "text") -> list[str]:
    """A labelled fenced block (the test parses ``label``)."""
    return [f"`{label}` {meaning}:", "", f"```{lang}", text, "```", ""]


def _signature_parts(line: str) -> tuple[str, bytes]:
    """(name, key id || signature) of one signature line."""
    (sig,) = parse_note(f"x\n\n{line}").signatures
    return sig.name, sig.key_id + sig.signature


def render(ex: Example) -> str:
    """The Markdown between the markers (starts and ends with a newline)."""
    us_pub = ex.us_key.public_key
    w_pub = ex.witness_key.public_key
    leaves = [e.entry for e in ex.entries]
    leaf_hashes = [merkle.leaf_hash(d) for d in leaves]
    root2 = merkle.root(leaves)
    out: list[str] = [
        "",
        "<!-- Generated by scripts/exchange_example.py --write; do not edit by hand. -->",
        "",
        "### Keys",
        "",
        "Ed25519 keys from fixed RFC 8032 seeds (never do this with real keys).",
        "",
        _value("us.seed", US_SEED.hex(), "(hex: bytes 0x00 .. 0x1f)"),
        _value("us.public_key", us_pub.to_base64(), "(base64 of the 32 raw bytes)"),
        _value("us.key_name", US_NAME, "(the origin of the US log)"),
        _value("us.key_id", ex.us_keys.key_id(ex.us_keys.administrations[0]), "(type 0x01)"),
        _value("us.vkey", verifier_key(US_NAME, us_pub)),
        _value("witness.seed", WITNESS_SEED.hex(), "(hex: bytes 0x20 .. 0x3f)"),
        _value("witness.public_key", w_pub.to_base64()),
        _value("witness.key_name", WITNESS_NAME),
        _value(
            "witness.key_id",
            Verifier(WITNESS_NAME, w_pub, SIG_COSIGNATURE_V1).key_id.hex(),
            "(type 0x04, cosignature/v1)",
        ),
        _value("witness.vkey", verifier_key(WITNESS_NAME, w_pub, SIG_COSIGNATURE_V1)),
        "",
        "The US party record (`PartyKeys`, as JSON):",
        "",
        "```json",
        json.dumps(ex.us_keys.model_dump(mode="json"), indent=2, ensure_ascii=False),
        "```",
        "",
        "### Entries",
        "",
        "Each entry's bytes are shown as text: UTF-8, one line, no trailing newline.",
        "",
    ]
    for i, signed in enumerate(ex.entries):
        kind = json.loads(signed.entry)["type"]
        out += [f"#### Entry {i}: {kind} (US, seq {i})", ""]
        out += _block(f"entry[{i}]", signed.entry.decode("utf-8"), "canonical JSON", "json")
        out += [
            _value(f"entry[{i}].length", str(len(signed.entry)), "bytes"),
            _value(f"entry[{i}].sha256", signed.hash, "(hex; what a ref carries)"),
            _value(
                f"entry[{i}].leaf_hash",
                leaf_hashes[i].hex(),
                "(hex; SHA-256(0x00 || entry bytes))",
            ),
            _value(f"entry[{i}].key_id", signed.key_id),
            _value(f"entry[{i}].signature", _b64(signed.signature), "(base64, 64 bytes)"),
            "",
        ]
    out += [
        "Transported as a signed entry (`entry` as text, `signature` in base64), e.g. entry 1:",
        "",
        "```json",
        json.dumps(ex.entries[1].to_json(), indent=2, ensure_ascii=False),
        "```",
        "",
        "### Merkle tree",
        "",
        _value("tree[1].root", merkle.root(leaves[:1]).hex(), "(hex; = entry[0].leaf_hash)"),
        _value(
            "tree[2].root",
            root2.hex(),
            "(hex; SHA-256(0x01 || entry[0].leaf_hash || entry[1].leaf_hash))",
        ),
        _value("tree[2].root_base64", _b64(root2)),
        _value(
            "inclusion[1]",
            " ".join(h.hex() for h in ex.inclusion),
            "(hex, leaf to root: the proof of entry 1 in the tree of size 2)",
        ),
        _value(
            "consistency[1,2]",
            " ".join(h.hex() for h in ex.consistency),
            "(hex: the proof from size 1 to size 2)",
        ),
        "",
        "### Checkpoints",
        "",
        "Each note is the lines of the block, every line ending in a newline (0x0A).",
        "",
    ]
    for i, note in enumerate(ex.notes):
        size = i + 1
        _, raw = _signature_parts(parse_note(note).signatures[0].line())
        out += _block(f"checkpoint[{size}]", note.rstrip("\n"), "signed by the US key")
        out += [
            _value(f"checkpoint[{size}].key_id", raw[:4].hex()),
            _value(
                f"checkpoint[{size}].signature",
                _b64(raw[4:]),
                "(base64; Ed25519 over the note text, the lines above the blank line)",
            ),
            "",
        ]
    for i, line in enumerate(ex.cosignatures):
        size = i + 1
        _, raw = _signature_parts(line)
        out += [
            _value(f"cosignature[{size}].line", line.rstrip("\n")),
            _value(f"cosignature[{size}].key_id", raw[:4].hex()),
            _value(
                f"cosignature[{size}].timestamp",
                str(ex.timestamps[i]),
                f"({utc_iso(dt.datetime.fromtimestamp(ex.timestamps[i], UTC))}; "
                f"8 bytes big-endian: {raw[4:12].hex()})",
            ),
            _value(f"cosignature[{size}].signature", _b64(raw[12:]), "(base64, 64 bytes)"),
            "",
        ]
    text2 = parse_note(ex.notes[1]).text
    out += _block(
        "cosigned_message[2]",
        cosigned_message(text2, ex.timestamps[1]).decode("utf-8").rstrip("\n"),
        "what the witness signs for size 2 (each line ending in a newline)",
    )
    out += _block(
        "cosigned_checkpoint[2]",
        ex.cosigned_note.rstrip("\n"),
        "the size-2 checkpoint with the witness's cosignature (after the consistency proof)",
    )
    item_bytes = canonical_json(COMMITTED_ITEM)
    out += [
        "### Commitment",
        "",
        f"The declaration (entry 0) commits to one item under the label `{COMMITTED_LABEL}`.",
        "",
        _value("commitment.item", item_bytes.decode("utf-8"), "(canonical JSON of the item)"),
        _value("commitment.salt", SALT.hex(), "(hex, 32 bytes)"),
        _value(
            "commitment.value",
            ex.commitment,
            "(hex; SHA-256(salt || canonical item), in entry[0].body.commitments)",
        ),
        _value(
            "commitment.item_sha256",
            sha256_hex(item_bytes),
            "(hex; SHA-256 of the item bytes alone, to check them)",
        ),
        "",
        "Revealed later as an item of a `reveal` entry (`verify_reveal` accepts it):",
        "",
        "```json",
        json.dumps(ex.revealed.model_dump(mode="json"), indent=2, sort_keys=True),
        "```",
        "",
    ]
    return "\n".join(out)


def generated_block() -> str:
    return render(build())


def replace_block(doc: str, block: str) -> str:
    """``doc`` with the text between the markers replaced by ``block``."""
    start = doc.index(BEGIN) + len(BEGIN)
    end = doc.index(END, start)
    return doc[:start] + block + doc[end:]


def extract_block(doc: str) -> str:
    """The text between the markers."""
    start = doc.index(BEGIN) + len(BEGIN)
    return doc[start : doc.index(END, start)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"rewrite the block of {DOC}")
    group.add_argument("--check", action="store_true", help=f"exit 1 if {DOC} is out of date")
    args = parser.parse_args(argv)
    block = generated_block()
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        DOC.write_text(replace_block(doc, block), encoding="utf-8")
        return 0
    if args.check:
        current = extract_block(DOC.read_text(encoding="utf-8"))
        if current != block:
            print(f"{DOC} is out of date: run python scripts/exchange_example.py --write")
            return 1
        return 0
    sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
