"""The exchange from the command line: two nodes (United States and Russia) in SQLite files,
keys, declarations, notifications, proofs, offline bundles, cosignatures; and the bad input and
tampering each command must report precisely (exit 2; ``log verify`` exits 1 on a violation)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from glasnost.cli import app
from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import cosign, parse_note
from glasnost.exchange.keys import read_private_key
from glasnost.exchange.node import Node

runner = CliRunner(env={"COLUMNS": "200", "FORCE_COLOR": None, "GLASNOST_DB": None})


def run(*args: str | Path, code: int = 0) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def run_json(*args: str | Path) -> dict:  # type: ignore[type-arg]
    return json.loads(run(*args, "--json").stdout)


@pytest.fixture
def nodes(tmp_path: Path) -> Path:
    """Two initialised nodes that follow each other: us.db (key us.key), ru.db (ru.key)."""
    for party, since in (("US", "2025-01-20"), ("RU", "2024-05-07")):
        low = party.lower()
        run("keys", "generate", "--party", party, "--out", tmp_path / f"{low}.key")
        run(
            "node", "init", "--db", tmp_path / f"{low}.db", "--party", party,
            "--key", tmp_path / f"{low}.key", "--since", since,
        )  # fmt: skip
        run("node", "keys", "--db", tmp_path / f"{low}.db", "--out", tmp_path / f"{low}.json")
    run("node", "follow", tmp_path / "ru.json", "--db", tmp_path / "us.db")
    run("node", "follow", tmp_path / "us.json", "--db", tmp_path / "ru.db")
    return tmp_path


def us_bundle(nodes: Path, bundle: Path) -> dict:  # type: ignore[type-arg]
    """US declares its baseline, signs a checkpoint and exports its log to ``bundle``; the
    bundle as JSON, to tamper with."""
    us = ("--db", nodes / "us.db")
    run("declare", *us, "--key", nodes / "us.key", "--scenario", "us-ru")
    run("log", "checkpoint", *us, "--key", nodes / "us.key")
    run("log", "export", *us, "--out", bundle)
    return json.loads(bundle.read_text())  # type: ignore[no-any-return]


def test_keys_generate_writes_a_private_file_and_prints_the_key_id(tmp_path: Path) -> None:
    info = run_json("keys", "generate", "--party", "US", "--out", tmp_path / "k.pem")
    assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600
    assert len(info["key_id"]) == 8
    assert info["verifier_key"].startswith("glasnost/US+" + info["key_id"] + "+")
    again = run("keys", "generate", "--party", "US", "--out", tmp_path / "k.pem", code=2)
    assert "refusing to overwrite" in again.output


def test_declare_notify_checkpoint_prove_verify(nodes: Path) -> None:
    us = ("--db", nodes / "us.db")
    key = ("--key", nodes / "us.key")
    declared = run_json("declare", *us, *key, "--scenario", "us-ru", "--as-of", "2025-06-01")
    assert declared["seq"] == 0
    notified = run_json(
        "notify", *us, *key, "--event", "interceptor_test", "--window-start", "2099-12-10",
        "--window-end", "2099-12-12T06:00Z", "--details", "flight test", "--ref", "US:0",
    )  # fmt: skip
    assert notified["seq"] == 1
    entry = json.loads(notified["entry"])
    assert entry["refs"] == [{"party": "US", "seq": 0, "hash": declared["hash"]}]
    assert entry["body"]["window_end"] == "2099-12-12T06:00:00Z"

    shown = run_json("log", "show", *us)
    assert [e["type"] for e in shown["entries"]] == ["declaration", "notification"]
    assert "276 interceptors" in shown["entries"][0]["summary"]

    checkpoint = run_json("log", "checkpoint", *us, *key)
    assert checkpoint["size"] == 2
    proof = run_json("log", "prove", *us, "--seq", "1")
    assert proof["verified"]
    assert proof["size"] == 2
    assert proof["checkpoint"] == checkpoint["note"]
    # check the printed proof independently of the command: RFC 9162 over the entry bytes
    leaf = merkle.leaf_hash(notified["entry"].encode())
    hashes = [base64.b64decode(h) for h in proof["proof"]]
    root = base64.b64decode(checkpoint["root"])
    assert merkle.verify_inclusion(leaf, 1, 2, hashes, root)
    consistency = run_json("log", "prove", *us, "--consistency", "1")
    assert consistency["verified"]

    verified = run_json("log", "verify", *us, "--all")
    assert verified["ok"]
    assert [log["size"] for log in verified["logs"]] == [2, 0]
    assert "ok: log glasnost/US: 2 entries verify" in run("log", "verify", *us).output


def test_offline_exchange_by_bundle_and_returned_cosignature(nodes: Path) -> None:
    us, ru = ("--db", nodes / "us.db"), ("--db", nodes / "ru.db")
    run("declare", *us, "--key", nodes / "us.key", "--scenario", "us-ru")
    run("log", "checkpoint", *us, "--key", nodes / "us.key")
    bundle = nodes / "us-bundle.json.gz"
    exported = run_json("log", "export", *us, "--out", bundle)
    assert (exported["start"], exported["size"]) == (0, 1)

    imported = run_json("log", "import", bundle, *ru)
    assert (imported["new_entries"], imported["size"]) == (1, 1)
    assert run_json("log", "import", bundle, *ru)["new_entries"] == 0  # idempotent
    mirror = run_json("log", "show", *ru, "--log", "US")
    assert mirror["entries"][0]["type"] == "declaration"

    overdue = run_json("node", "status", *us, "--ack-deadline-h", "0")["acknowledgements"]
    assert overdue == [
        {
            "peer": "RU",
            "witness": "glasnost/RU",
            "acknowledged_size": 0,
            "overdue": 1,
            "first_overdue_seq": 0,
        }
    ]
    assert run_json("node", "status", *us)["acknowledgements"][0]["overdue"] == 0  # 24 h
    cosigned = nodes / "cosigned.note"
    run("witness", "cosign", *ru, "--key", nodes / "ru.key", "--log", "US", "--out", cosigned)
    kept = run_json("log", "checkpoint", *us, "--cosigned", cosigned)
    assert list(kept["cosignatures"]) == ["glasnost/RU"]
    status = run_json("node", "status", *us, "--ack-deadline-h", "0")
    assert status["logs"][0]["checkpoint"]["cosignatures"] == ["glasnost/RU"]
    assert status["acknowledgements"][0]["acknowledged_size"] == 1
    assert status["acknowledgements"][0]["overdue"] == 0
    assert run_json("log", "verify", *us, "--all")["ok"]
    assert run_json("log", "verify", *ru, "--all")["ok"]


def test_tampered_entry_row_is_named_by_log_verify(nodes: Path) -> None:
    us = ("--db", nodes / "us.db")
    for n in range(3):
        run(
            "notify", *us, "--key", nodes / "us.key", "--event", "exercise",
            "--window-start", "2099-12-01", "--window-end", "2099-12-02", "--details", f"ex {n}",
        )  # fmt: skip
    with sqlite3.connect(nodes / "us.db") as conn:
        conn.execute("DROP TRIGGER entries_no_update")
        conn.execute(
            "UPDATE entries SET entry = CAST(replace(CAST(entry AS TEXT), 'ex 1', 'ex 7') AS BLOB)"
            " WHERE seq = 1"
        )
    result = run("log", "verify", *us, code=1)
    assert "violation" in result.output
    assert "US#1" in result.output
    report = json.loads(run("log", "verify", *us, "--json", code=1).stdout)
    assert not report["ok"]
    assert "US#1" in report["logs"][0]["violation"]
    with sqlite3.connect(nodes / "us.db") as conn:  # a row whose type was changed
        conn.execute("UPDATE entries SET signature = 'x' WHERE seq = 0")
    assert "US#0: stored signature is a str" in run("log", "verify", *us, code=1).output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["declare", "--scenario", "us-ru", "--key", "{ru_key}"], "not the key of any"),
        (["declare", "--scenario", "us-ru"], "give --key FILE"),
        (["declare", "{decl}", "--key", "{us_key}"], "posture.strategic_forces"),
        (["declare", "--key", "{us_key}"], "give a declaration FILE or --scenario"),
        (
            [
                "notify",
                "--key",
                "{us_key}",
                "--event",
                "party",
                "--window-start",
                "2099-01-02",
                "--window-end",
                "2099-01-01",
                "--details",
                "x",
            ],
            "event_type",
        ),
        (
            [
                *["notify", "--key", "{us_key}", "--event", "exercise", "--details", "x"],
                *["--window-start", "2020-01-02", "--window-end", "2020-01-03"],
            ],
            "--window-start: 2020-01-02T00:00:00Z has passed",
        ),
        (
            [
                *[
                    "notify",
                    "--key",
                    "{us_key}",
                    "--event",
                    "exercise",
                    "--details",
                    "x",
                    "--phase",
                    "post_event",
                ],
                *["--window-start", "2020-01-02", "--window-end", "2099-01-03"],
            ],
            "--window-end: 2099-01-03T00:00:00Z is still ahead",
        ),
        (["log", "prove", "--seq", "5"], "index 5 is outside a tree of size 0"),
        (["log", "show", "--log", "CN"], "log CN: this node keeps no log of it"),
        (["log", "export", "--out", "{tmp}/b.json"], "checkpoint"),
        (["witness", "cosign", "--key", "{us_key}", "--log", "RU"], "no checkpoint received"),
    ],
)
def test_bad_input_exits_2_with_a_precise_message(
    nodes: Path, args: list[str], needle: str
) -> None:
    decl = nodes / "decl.yaml"
    decl.write_text("kind: baseline\nas_of: 2025-01-01\nposture:\n  party: {id: US, name: U}\n")
    values = {
        "ru_key": str(nodes / "ru.key"),
        "us_key": str(nodes / "us.key"),
        "decl": str(decl),
        "tmp": str(nodes),
    }
    filled = [a.format(**values) for a in args]
    result = run(*filled, "--db", nodes / "us.db", code=2)
    assert needle in result.output, result.output
    assert "Traceback" not in result.output
    assert run_json("log", "show", "--db", nodes / "us.db")["size"] == 0  # nothing written


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    result = run("log", "show", "--db", tmp_path / "none.db", code=2)
    assert "does not exist" in result.output
    assert not (tmp_path / "none.db").exists()


def test_tampered_bundle_is_refused_and_nothing_is_imported(nodes: Path) -> None:
    ru = ("--db", nodes / "ru.db")
    bundle = nodes / "b.json"
    data = us_bundle(nodes, bundle)
    data["entries"][0]["entry"] = data["entries"][0]["entry"].replace("baseline", "change")
    bundle.write_text(json.dumps(data))
    result = run("log", "import", bundle, *ru, code=2)
    assert "US#0" in result.output
    assert run_json("log", "show", *ru, "--log", "US")["size"] == 0


def test_bundle_cosignature_dated_2100_is_refused_in_one_line_and_kept_as_disputed(
    nodes: Path,
) -> None:
    """A validly signed cosignature dated 2100 (RU's own key, as a node with a wrong or
    forged clock would sign it) in a bundle: the import refuses it in one line and the node
    keeps it as a disputed receipt time (issue 12, finding 5)."""
    ru = ("--db", nodes / "ru.db")
    bundle = nodes / "b.json"
    data = us_bundle(nodes, bundle)
    note = data["checkpoints"][-1]["note"]
    ru_key = read_private_key(nodes / "ru.key")
    year_2100 = 4_102_444_800  # 2100-01-01T00:00:00Z in POSIX seconds
    data["checkpoints"][-1]["cosignatures"] = [
        cosign(parse_note(note).text, "glasnost/RU", ru_key, year_2100)
    ]
    bundle.write_text(json.dumps(data))
    result = run("log", "import", bundle, *ru, code=2)
    assert "dated 2100-01-01T00:00:00Z is after this node's clock" in result.output
    assert "kept as a disputed receipt time" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    node = Node.open(str(nodes / "ru.db"))
    try:
        mirror = node.log("US")
        assert mirror.size() == 1  # the entries and the checkpoint are valid and imported
        assert mirror.cosignatures(1) == {}
        (disputed,) = mirror.disputed_receipts()
        assert (disputed.size, disputed.witness) == (1, "glasnost/RU")
        assert disputed.claimed_at == dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    finally:
        node.engine.dispose()


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_bundle_with_a_deeply_nested_entry_is_refused_in_one_line(nodes: Path, depth: int) -> None:
    ru = ("--db", nodes / "ru.db")
    bundle = nodes / "b.json"
    data = us_bundle(nodes, bundle)
    entry = data["entries"][0]["entry"]
    data["entries"][0]["entry"] = entry.replace(
        '"body":{', '"body":{"x":' + "[" * depth + "]" * depth + ",", 1
    )
    bundle.write_text(json.dumps(data))
    result = run("log", "import", bundle, *ru, code=2)
    assert "nested deeper than 64 levels" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert run_json("log", "show", *ru, "--log", "US")["size"] == 0


def gzip_bomb(path: Path, head: bytes, expanded_bytes: int) -> int:
    """Write a gzip file: ``head``, then ``expanded_bytes`` of ``a`` (no end); its size."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"a" * (1 << 20)
    with open(path, "wb") as out:
        out.write(deflate.compress(head))
        for _ in range(expanded_bytes // len(block)):
            out.write(deflate.compress(block))
        out.write(deflate.flush())
    return path.stat().st_size


def test_gzip_bomb_bundle_is_refused_quickly_with_bounded_memory(nodes: Path) -> None:
    """A 1 MiB gzip file that inflates to 1 GiB, declaring a bundle of one entry."""
    head = b'{"format": "glasnost-bundle/v1", "origin": "glasnost/US", "start": 0, "size": 1, '
    bomb = nodes / "bomb.json.gz"
    size = gzip_bomb(bomb, head + b'"entries": [{"entry": "', 1 << 30)
    assert size < 1.1 * (1 << 20)
    tracemalloc.start()
    began = time.monotonic()
    try:
        result = run("log", "import", bomb, "--db", nodes / "ru.db", code=2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - began < 5.0
    assert "more than a bundle of 1 entries can take" in result.output
    assert peak < 32 << 20, f"peak {peak >> 20} MiB"
