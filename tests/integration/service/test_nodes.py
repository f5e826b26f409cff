"""Two real nodes on loopback: each ``glasnost serve`` in its own process, the node databases in
SQLite files, syncs run by ``glasnost sync`` (in-process CLI) or :func:`sync_once`.

What one sync must achieve (entries mirrored, checkpoints cosigned and proven, both ways), the
attacks each node must refuse over HTTP (nothing stored, evidence kept where it proves
misbehaviour), and a sync cut by a crashed peer that resumes without a duplicate.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from glasnost.cli import app
from glasnost.exchange import merkle
from glasnost.exchange.checkpoint import (
    Verifier,
    add_signatures,
    open_checkpoint,
    open_note,
)
from glasnost.exchange.entries import SignedEntry
from glasnost.exchange.errors import ConflictError
from glasnost.exchange.keys import SIG_COSIGNATURE_V1, SIG_ED25519
from glasnost.service.auth import RequestSigner
from glasnost.service.sync import SyncError, sync_once

from .nodes import NodeServer, Party, init_node, make_party, notification, open_node

runner = CliRunner(env={"COLUMNS": "400", "FORCE_COLOR": None, "GLASNOST_DB": None})

StartServer = Callable[..., NodeServer]


# --- fixtures and helpers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """Two parties whose nodes (us.db, ru.db) follow each other."""

    us: Party
    ru: Party
    us_db: Path
    ru_db: Path
    folder: Path


def make_pair(folder: Path) -> Pair:
    """US and RU with keys in ``folder``, their nodes initialised there, following each other."""
    us, ru = make_party("US", folder), make_party("RU", folder)
    us_db = init_node(folder / "us.db", us, ru)
    ru_db = init_node(folder / "ru.db", ru, us)
    return Pair(us, ru, us_db, ru_db, folder)


def cli(*args: str | Path, code: int = 0, server: NodeServer | None = None) -> Result:
    """Run a glasnost command in-process; it must exit with ``code`` (the server's log helps
    when it does not)."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output + ("" if server is None else server.tail())
    return result


def cli_json(*args: str | Path, server: NodeServer | None = None) -> Any:
    return json.loads(cli(*args, "--json", server=server).stdout)


def detail(response: httpx.Response) -> str:
    """The ``detail`` of an error response, as text."""
    value = response.json()["detail"]
    return value if isinstance(value, str) else json.dumps(value)


def sizes(pair: Pair) -> dict[str, int]:
    """Every log's size on both nodes; for the mirrors also the checkpoints the witness kept
    and the evidence. (A read may sign a checkpoint of the own log: that is not counted.)"""
    out: dict[str, int] = {}
    for name, db in (("us", pair.us_db), ("ru", pair.ru_db)):
        with open_node(db) as node:
            out[f"{name}:{node.party}"] = node.own.size()
            for log in node.peers():
                out[f"{name}:{log.party}"] = log.size()
                out[f"{name}:{log.party}:checkpoints"] = len(log.checkpoints())
                out[f"{name}:{log.party}:evidence"] = len(log.evidence())
    return out


def cosigner(party: Party) -> Verifier:
    """How anyone checks ``party``'s witness cosignatures: its key, type cosignature/v1."""
    return Verifier(party.origin, party.key.public_key, SIG_COSIGNATURE_V1)


def log_key(party: Party) -> Verifier:
    """How anyone checks ``party``'s checkpoints: its log key, type Ed25519 note signature."""
    return Verifier(party.origin, party.key.public_key, SIG_ED25519)


def append(db: Path, entries: Sequence[SignedEntry]) -> None:
    """Append signed entries to the own log of the node in ``db`` (one transaction)."""
    with open_node(db) as node:
        node.own.append(entries)


# --- one sync, both ways ------------------------------------------------------------------------


def test_declaration_synced_cosigned_and_proven(pair: Pair, servers: StartServer) -> None:
    us_opts = ("--db", pair.us_db, "--key", pair.us.key_path)
    ru_opts = ("--db", pair.ru_db, "--key", pair.ru.key_path)
    declared = cli_json("declare", *us_opts, "--scenario", "us-ru")
    assert declared["seq"] == 0
    for n in range(2):
        cli(
            "notify", *us_opts, "--event", "exercise", "--window-start", "2099-12-01",
            "--window-end", "2099-12-02", "--details", f"exercise {n}", "--ref", "US:0",
        )  # fmt: skip
    ru_declared = cli_json("declare", *ru_opts, "--scenario", "us-ru")
    server = servers(pair.us_db, pair.us)

    before = math.floor(time.time())
    reports = cli_json("sync", *ru_opts, "--peer", server.url, server=server)
    after = math.ceil(time.time())
    assert reports == [
        {
            "peer": "US",
            "pulled": 3,
            "mirror_size": 3,
            "cosigned_size": 3,
            "pushed": 1,
            "acknowledged_size": 1,
            "behind": False,
        }
    ], server.tail()

    with pair.ru.client(server.url) as client:
        note = client.get("/v1/checkpoint").raise_for_status().text
        proof_json = client.get("/v1/proof/inclusion", params={"seq": 0, "size": 3})
        served = client.get("/v1/entries", params={"start": 0, "end": 3})
    # RU's cosignature, checked with nothing but RU's public key
    _, cosigned = open_note(note, [cosigner(pair.ru)])
    assert [s.verifier.name for s in cosigned] == ["glasnost/RU"]
    timestamp = cosigned[0].timestamp
    assert timestamp is not None
    assert before <= timestamp <= after, (before, timestamp, after)
    checkpoint, _, _ = open_checkpoint(note, [log_key(pair.us)])
    assert (checkpoint.origin, checkpoint.size) == ("glasnost/US", 3)

    # the declaration is in the cosigned tree: RFC 9162 inclusion proof against its root
    assert proof_json.status_code == 200, proof_json.text
    proof = [base64.b64decode(h) for h in proof_json.json()["proof"]]
    assert len(proof) == 2
    entries = [e["entry"].encode("utf-8") for e in served.json()["entries"]]
    assert hashlib.sha256(entries[0]).hexdigest() == declared["hash"]
    assert merkle.verify_inclusion(merkle.leaf_hash(entries[0]), 0, 3, proof, checkpoint.root_hash)
    assert not merkle.verify_inclusion(
        merkle.leaf_hash(entries[1]), 0, 3, proof, checkpoint.root_hash
    )

    with open_node(pair.ru_db) as ru_node, open_node(pair.us_db) as us_node:
        mirror = ru_node.log("US")
        assert mirror.verify().ok, str(mirror.verify())
        assert mirror.entries() == us_node.own.entries()
        assert mirror.latest_cosigned("glasnost/RU") is not None
        # the push direction: RU's declaration reached US in the same sync, acknowledged
        us_mirror = us_node.log("RU")
        assert us_mirror.verify().ok, str(us_mirror.verify())
        assert [e.hash for e in us_mirror.entries()] == [ru_declared["hash"]]
        assert us_mirror.entries() == ru_node.own.entries()
        ru_checkpoint = ru_node.own.checkpoint(1)
        assert ru_checkpoint is not None
        lines = ru_node.own.cosignatures(1)
        assert list(lines) == ["glasnost/US"]
        _, acked = open_note(
            add_signatures(ru_checkpoint.note, lines.values()), [cosigner(pair.us)]
        )
        ack_time = acked[0].timestamp
        assert ack_time is not None
        assert before <= ack_time <= after
        assert ru_node.own.verify().ok
        assert us_node.own.verify().ok


# --- authentication -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attacked:
    """A US node serving with an observer (OBS) allowed to read; its log holds one entry."""

    pair: Pair
    server: NodeServer
    observer: Party


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Attacked]:
    """One server for the attacks that must change nothing (each test checks that they did
    not): starting a node process costs a second or more."""
    pair = make_pair(tmp_path_factory.mktemp("attacked"))
    observer = make_party("OBS", pair.folder)
    record = observer.write_record(pair.folder / "obs.json")
    append(pair.us_db, pair.us.notifications(0, 1))
    server = NodeServer(pair.us_db, pair.us, pair.folder, args=["--observer", str(record)])
    try:
        yield Attacked(pair, server.start(), observer)
    finally:
        server.stop()


def test_unauthenticated_request_is_401(attacked: Attacked) -> None:
    before = sizes(attacked.pair)
    url = attacked.server.url
    read = httpx.get(f"{url}/v1/logs")
    assert read.status_code == 401, attacked.server.tail()
    assert detail(read) == "missing Glasnost-Party header"
    assert read.headers["WWW-Authenticate"] == "Glasnost-Request"
    entry = attacked.pair.us.notifications(1, 1)[0]
    write = httpx.post(f"{url}/v1/entries", json=entry.to_json())
    assert write.status_code == 401
    assert "missing Glasnost-Party header" in detail(write)
    assert sizes(attacked.pair) == before


def test_request_signed_for_another_node_is_401(attacked: Attacked) -> None:
    """A request RU signed for some other node (say its own), replayed to the US node."""
    before = sizes(attacked.pair)
    entry = attacked.pair.us.notifications(1, 1)[0]
    elsewhere = attacked.pair.ru.signer(audience=attacked.pair.ru.origin)
    with httpx.Client(base_url=attacked.server.url, auth=elsewhere) as client:
        response = client.post(
            "/v1/mirror/entries", json={"start": 0, "entries": [entry.to_json()]}
        )
    assert response.status_code == 401, attacked.server.tail()
    assert detail(response) == (
        f"wrong audience: the request was signed for {attacked.pair.ru.origin!r}; this node is "
        f"{attacked.pair.us.origin!r}"
    )
    assert sizes(attacked.pair) == before


def test_request_signed_with_an_unregistered_key_is_401(attacked: Attacked) -> None:
    before = sizes(attacked.pair)
    impostor = make_party("US", attacked.pair.folder)  # a fresh key claiming to be US
    entry = impostor.notifications(1, 1)[0]
    with impostor.client(attacked.server.url) as client:
        response = client.post("/v1/entries", json=entry.to_json())
    assert response.status_code == 401
    assert f"unknown key: {impostor.key_id} is not a key of US" in detail(response)
    # the impostor names US's real key id but can only sign with its own key
    forged = httpx.Client(
        base_url=attacked.server.url,
        auth=RequestSigner(
            "US", attacked.pair.us.key_id, impostor.key, audience=attacked.pair.us.origin
        ),
    )
    with forged:
        response = forged.post("/v1/entries", json=entry.to_json())
    assert response.status_code == 401
    assert detail(response).startswith("signature invalid")
    assert sizes(attacked.pair) == before


def test_replayed_request_is_401_even_after_a_restart(pair: Pair, servers: StartServer) -> None:
    server = servers(pair.us_db, pair.us)
    entry = pair.us.notifications(0, 1)[0]
    request = httpx.Request("POST", f"{server.url}/v1/entries", json=entry.to_json())
    flow = pair.us.signer(pair.us.origin).auth_flow(request)
    signed = next(flow)
    flow.close()
    headers = {
        k: v
        for k, v in signed.headers.items()
        if k.lower().startswith("glasnost-") or k.lower() == "content-type"
    }
    assert len(headers) == 7  # six Glasnost headers and the content type
    first = httpx.post(f"{server.url}/v1/entries", content=signed.content, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json() == {"seq": 0, "hash": entry.hash}
    again = httpx.post(f"{server.url}/v1/entries", content=signed.content, headers=headers)
    assert again.status_code == 401
    nonce = signed.headers["Glasnost-Nonce"]
    assert detail(again) == f"replayed request: nonce {nonce} was used before"
    server.restart()  # nonces are kept in the database
    after_restart = httpx.post(f"{server.url}/v1/entries", content=signed.content, headers=headers)
    assert after_restart.status_code == 401, server.tail()
    assert detail(after_restart).startswith("replayed request")
    with open_node(pair.us_db) as node:
        assert node.own.size() == 1


# --- authorization ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "entry_party", "key_id_of", "needle"),
    [
        # RU signs its own entry and posts it to US's node
        ("RU", "RU", "RU", "this node's log takes entries of US only; RU writes to its own node"),
        # US's principal posts an entry signed with RU's key
        ("US", "RU", "RU", "is not the key of the administration in office"),
        # an entry claiming to be US's (US's key id) but signed with RU's key
        ("US", "US", "US", "Ed25519 signature does not verify"),
    ],
    ids=["ru-principal", "ru-key-us-principal", "ru-key-claiming-us-key-id"],
)
def test_entry_signed_by_the_peer_key_is_403(
    attacked: Attacked, principal: str, entry_party: str, key_id_of: str, needle: str
) -> None:
    pair = attacked.pair
    before = sizes(pair)
    parties = {"US": pair.us, "RU": pair.ru}
    entry = notification(entry_party, 1, pair.ru.key, parties[key_id_of].key_id)
    with parties[principal].client(attacked.server.url) as client:
        response = client.post("/v1/entries", json=entry.to_json())
    assert response.status_code == 403, response.text
    assert needle in detail(response)
    assert sizes(pair) == before


def test_observer_reads_but_may_not_write(attacked: Attacked) -> None:
    pair = attacked.pair
    before = sizes(pair)
    with attacked.observer.client(attacked.server.url) as client:
        logs = client.get("/v1/logs")
        assert logs.status_code == 200, attacked.server.tail()
        assert [(log["party"], log["size"]) for log in logs.json()] == [("US", 1), ("RU", 0)]
        entries = client.get("/v1/entries")
        assert entries.status_code == 200
        assert len(entries.json()["entries"]) == 1
        assert client.get("/v1/checkpoint").status_code == 200
        entry = pair.us.notifications(1, 1)[0]
        write = client.post("/v1/entries", json=entry.to_json())
        assert write.status_code == 403
        assert detail(write) == "observers may only read; OBS is an observer"
        push = client.post("/v1/mirror/entries", json={"start": 0, "entries": [entry.to_json()]})
        assert push.status_code == 403
        assert "observers may only read" in detail(push)
    assert sizes(pair) == before


# --- bodies -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "content_type", "status", "needle"),
    [
        ("/v1/entries", b"{" * (40 << 20), "application/json", 413, "request body over"),
        ("/v1/entries", b'{"entry": "x", ', "application/json", 422, "json_invalid"),
        ("/v1/entries", b'{"entries": []}', "application/json", 422, "missing"),
        ("/v1/witness/add-checkpoint", b"\x00garbage", "text/plain", 400, "expected 'old <size>'"),
    ],
    ids=["oversized-40MiB", "malformed-json", "wrong-shape", "add-checkpoint-garbage"],
)
def test_bad_request_body_is_refused_and_nothing_stored(
    attacked: Attacked, path: str, body: bytes, content_type: str, status: int, needle: str
) -> None:
    pair = attacked.pair
    before = sizes(pair)
    with pair.ru.client(attacked.server.url) as client:
        response = client.post(path, content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, f"{response.text[:500]}\n{attacked.server.tail()}"
    assert needle in detail(response)
    assert sizes(pair) == before


# --- a peer that rewrites or truncates its log --------------------------------------------------


def test_split_view_is_detected_evidence_kept_cosigning_stopped(
    pair: Pair, servers: StartServer
) -> None:
    us_a = pair.us_db
    append(us_a, pair.us.notifications(0, 3, details="history A"))
    ru_server = servers(pair.ru_db, pair.ru)
    server = servers(us_a, pair.us)
    ru_opts = ("--db", pair.ru_db, "--key", pair.ru.key_path)
    first = cli_json("sync", *ru_opts, "--peer", server.url, server=server)
    assert first[0]["mirror_size"] == 3
    assert first[0]["cosigned_size"] == 3

    # another US node, same key and key record, another (longer) history, on the same port
    us_b = init_node(pair.folder / "us-b.db", pair.us, pair.ru)
    append(us_b, pair.us.notifications(0, 5, details="history B"))
    server.restart(us_b)
    refused = cli("sync", *ru_opts, "--peer", server.url, code=2, server=server)
    assert "consistency proof from size 3 to 5 does not verify" in refused.output
    assert "evidence kept, cosigning stopped" in refused.output

    with open_node(pair.ru_db, pair.ru) as node:
        mirror = node.log("US")
        assert mirror.size() == 3
        assert mirror.verify().ok
        evidence = mirror.evidence()
        assert len(evidence) == 1
        assert "the history was rewritten" in evidence[0]["reason"]
        # self-contained: both notes are US-signed and the proof between them fails
        old, _, _ = open_checkpoint(evidence[0]["cosigned_note"], [log_key(pair.us)])
        new, _, _ = open_checkpoint(evidence[0]["submitted_note"], [log_key(pair.us)])
        assert (old.size, new.size) == (3, 5)
        proof = [base64.b64decode(h) for h in evidence[0]["proof"]]
        assert not merkle.verify_consistency(3, 5, old.root_hash, new.root_hash, proof)
        cosigned = mirror.latest_cosigned("glasnost/RU")
        assert cosigned is not None
        assert cosigned.size == 3
        with pytest.raises(ConflictError, match="no longer cosigns"):
            node.cosign(cosigned.note)

    # even the first history is no longer cosigned
    server.restart(us_a)
    again = cli("sync", *ru_opts, "--peer", server.url, code=2, server=server)
    assert "no longer cosigns" in again.output, again.output
    with open_node(pair.ru_db) as node:
        assert node.log("US").size() == 3

    with pair.us.client(ru_server.url) as client:
        peers = client.get("/v1/peers")
    assert peers.status_code == 200, ru_server.tail()
    (us_peer,) = peers.json()["peers"]
    assert us_peer["party"] == "US"
    assert us_peer["size"] == 3
    assert us_peer["cosigned_size"] == 3
    assert len(us_peer["evidence"]) == 1
    assert "consistency proof from size 3 to 5" in us_peer["evidence"][0]["reason"]


def test_a_node_serving_an_older_checkpoint_is_behind_not_forked(
    pair: Pair, servers: StartServer
) -> None:
    """A node restarted on a shorter copy of the same log (a restore, a replica behind) serves
    an older checkpoint of the same history: lag, not a fork. Nothing is pulled, no evidence is
    kept, the mirror stays whole and verifies (issue 12, finding 6)."""
    append(pair.us_db, pair.us.notifications(0, 3))
    server = servers(pair.us_db, pair.us)
    with open_node(pair.ru_db, pair.ru) as node:
        assert sync_once(node, server.url).mirror_size == 3
        with open_node(pair.us_db) as us_node:
            first = us_node.own.entries(0, 1)
        behind = init_node(pair.folder / "us-behind.db", pair.us, pair.ru)
        append(behind, first)
        server.restart(behind)
        report = sync_once(node, server.url)
        assert report.behind
        assert report.pulled == 0
        assert report.mirror_size == 3
        mirror = node.log("US")
        assert mirror.size() == 3
        assert mirror.verify().ok
        assert mirror.evidence() == []


# --- a crash in the middle of a sync ------------------------------------------------------------

FAULT_ENTRIES = 3000
FAULT_PAGE = 100


def test_sync_cut_by_a_killed_peer_resumes_without_duplicates(
    pair: Pair, servers: StartServer
) -> None:
    append(pair.us_db, pair.us.notifications(0, FAULT_ENTRIES))
    server = servers(pair.us_db, pair.us)
    with (
        open_node(pair.ru_db, pair.ru) as node,
        open_node(pair.ru_db) as watcher,
        ThreadPoolExecutor(1) as pool,
    ):
        mirror = watcher.log("US")
        syncing = pool.submit(sync_once, node, server.url, page=FAULT_PAGE)
        deadline = time.monotonic() + 30
        held = 0
        while time.monotonic() < deadline and not syncing.done():
            held = mirror.size()
            if 0 < held < FAULT_ENTRIES:
                server.kill()
                break
            time.sleep(0.002)
        assert 0 < held < FAULT_ENTRIES, f"the sync was not caught in the middle ({held})"
        with pytest.raises((httpx.HTTPError, SyncError)):
            syncing.result(timeout=30)

        cut = mirror.size()
        assert 0 < cut < FAULT_ENTRIES
        assert cut % FAULT_PAGE == 0  # each page is stored whole or not at all
        assert mirror.verify().ok
        assert mirror.latest_checkpoint() is None  # nothing cosigned for a partial pull
        with open_node(pair.us_db) as us_node:
            assert mirror.entries() == us_node.own.entries(0, cut)

        server.start()
        report = sync_once(node, server.url, page=FAULT_PAGE)
        assert (report.pulled, report.mirror_size, report.cosigned_size) == (
            FAULT_ENTRIES - cut,
            FAULT_ENTRIES,
            FAULT_ENTRIES,
        ), server.tail()
        assert mirror.size() == FAULT_ENTRIES
        assert mirror.verify().ok
        cosigned = mirror.latest_cosigned("glasnost/RU")
        assert cosigned is not None
        assert cosigned.size == FAULT_ENTRIES
        with open_node(pair.us_db) as us_node:
            assert mirror.entries() == us_node.own.entries()
            assert mirror.root() == us_node.own.root()
            assert list(us_node.own.cosignatures(FAULT_ENTRIES)) == ["glasnost/RU"]
