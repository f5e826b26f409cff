"""The node is the one writer of its own log: clients submit entry bodies to
``POST /v1/submissions`` and the node gives each the next seq, dates it and signs it. Against
``glasnost serve`` in its own process (SQLite), over real HTTP on loopback."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.exchange.entries import SignedEntry, verify_entry

from .nodes import NodeServer, Party, free_port, init_node, make_party, notification, open_node

runner = CliRunner(env={"COLUMNS": "400", "GLASNOST_DB": None, "GLASNOST_KEY": None})

CLIENTS = 8
PER_CLIENT = 12


@dataclass(frozen=True)
class Served:
    us: Party
    ru: Party
    db: Path
    server: NodeServer


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """US's node served in its own process, for every test here (each reads the log from the
    size it found)."""
    folder = tmp_path_factory.mktemp("submissions")
    us, ru = make_party("US", folder), make_party("RU", folder)
    db = init_node(folder / "us.db", us, ru)
    server = NodeServer(db, us, folder)
    try:
        yield Served(us, ru, db, server.start())
    finally:
        server.stop()


def submission(details: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "notification",
        "body": {
            "event_type": "interceptor_test",
            "phase": "pre_event",
            "window_start": "2031-04-01T00:00:00Z",
            "window_end": "2031-04-03T00:00:00Z",
            "details": details,
        },
        **extra,
    }


def stored_details(db: Path) -> list[str]:
    """The ``details`` of every notification in the own log of the node in ``db``, by seq."""
    with open_node(db) as node:
        return [json.loads(e.entry)["body"].get("details", "") for e in node.own.entries()]


def test_concurrent_clients_are_all_committed_exactly_once_without_409(served: Served) -> None:
    before = len(stored_details(served.db))

    def client(number: int) -> list[tuple[str, httpx.Response]]:
        out = []
        with served.us.client(served.server.url) as http:
            for k in range(PER_CLIENT):
                details = f"client {number} submission {k}"
                out.append((details, http.post("/v1/submissions", json=submission(details))))
        return out

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = [a for batch in pool.map(client, range(CLIENTS)) for a in batch]

    statuses = Counter(response.status_code for _, response in answers)
    assert statuses == {201: CLIENTS * PER_CLIENT}, served.server.tail()
    log = stored_details(served.db)[before:]
    # every submission is in the log once, at the seq its answer named, with that hash
    assert sorted(log) == sorted(details for details, _ in answers)
    assert len(set(log)) == len(log)
    with open_node(served.db) as node:
        for details, response in answers:
            written = response.json()
            assert log[written["seq"] - before] == details
            assert node.own.entry(written["seq"]).hash == written["hash"]
            signed = SignedEntry.from_json(
                {k: written[k] for k in ("entry", "signature", "key_id")}
            )
            verify_entry(signed, node.party_keys, "US", written["seq"])
        report = node.own.verify()
    assert report.ok, report
    # each client's submissions are in the log in the order it sent them
    for number in range(CLIENTS):
        mine = [d for d in log if d.startswith(f"client {number} ")]
        assert mine == [f"client {number} submission {k}" for k in range(PER_CLIENT)]


def test_submission_with_an_invalid_body_is_422_naming_the_field(served: Served) -> None:
    before = len(stored_details(served.db))
    bad = submission("x")
    bad["body"]["window_end"] = "not a time"
    with served.us.client(served.server.url) as http:
        refused = http.post("/v1/submissions", json=bad)
        unknown = http.post("/v1/submissions", json={"type": "gossip", "body": {}})
        good = http.post("/v1/submissions", json=submission("after the refusals"))
    assert refused.status_code == 422, refused.text
    assert "window_end" in refused.text
    assert unknown.status_code == 422, unknown.text
    assert good.status_code == 201, good.text
    assert good.json()["seq"] == before  # nothing of the refused submissions was stored
    assert stored_details(served.db)[before:] == ["after the refusals"]


def test_submission_by_the_peer_party_is_403(served: Served) -> None:
    before = stored_details(served.db)
    with served.ru.client(served.server.url) as http:
        response = http.post("/v1/submissions", json=submission("RU writes into the US log"))
    assert response.status_code == 403, response.text
    assert stored_details(served.db) == before


def test_unsigned_submission_is_401(served: Served) -> None:
    before = stored_details(served.db)
    response = httpx.post(f"{served.server.url}/v1/submissions", json=submission("anyone"))
    assert response.status_code == 401, response.text
    assert stored_details(served.db) == before


def test_submissions_and_client_signed_entries_share_one_log(served: Served) -> None:
    """A client that signs its own entry still appends with ``POST /v1/entries`` (it names its
    seq); the node's writes continue after it."""
    before = len(stored_details(served.db))
    with served.us.client(served.server.url) as http:
        first = http.post("/v1/submissions", json=submission("written by the node"))
        signed = notification(
            "US", before + 1, served.us.key, served.us.key_id, details="client-signed"
        )
        second = http.post("/v1/entries", json=signed.to_json())
        stale = http.post("/v1/entries", json=signed.to_json())  # the same seq again
        third = http.post("/v1/submissions", json=submission("written by the node again"))
    assert [first.status_code, second.status_code, third.status_code] == [201, 201, 201]
    assert stale.status_code == 409, stale.text
    assert third.json()["seq"] == before + 2
    assert stored_details(served.db)[before:] == [
        "written by the node",
        "client-signed",
        "written by the node again",
    ]


def test_cli_writes_through_the_running_node(served: Served) -> None:
    """``glasnost notify`` and ``glasnost declare`` with ``--node`` submit to the serving node
    (no database opened here); a ref is resolved from the node's log."""
    before = len(stored_details(served.db))
    key = str(served.us.key_path)
    notified = runner.invoke(
        app,
        [
            "notify",
            *("--node", served.server.url, "--key", key),
            *("--event", "interceptor_test", "--details", "through the node"),
            *("--window-start", "2031-05-01", "--window-end", "2031-05-02", "--json"),
        ],
    )
    assert notified.exit_code == 0, notified.output
    written = json.loads(notified.stdout)
    assert (written["party"], written["type"], written["seq"]) == ("US", "notification", before)
    declared = runner.invoke(
        app,
        [
            "declare",
            *("--scenario", "us-ru", "--as-of", "2025-01-01"),
            *("--node", served.server.url, "--key", key, "--ref", f"US:{before}", "--json"),
        ],
    )
    assert declared.exit_code == 0, declared.output
    declaration = json.loads(declared.stdout)
    assert declaration["seq"] == before + 1
    refs = json.loads(declaration["entry"])["refs"]
    assert refs == [{"party": "US", "seq": before, "hash": written["hash"]}]
    assert stored_details(served.db)[before:] == ["through the node", ""]


def test_cli_submission_to_a_node_that_does_not_answer_is_one_line(served: Served) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(
        app,
        [
            "notify",
            *("--node", url, "--key", str(served.us.key_path)),
            *("--event", "interceptor_test", "--details", "nobody listens"),
            *("--window-start", "2031-05-01", "--window-end", "2031-05-02"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "cannot reach the node" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
