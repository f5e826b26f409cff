"""Attacks on a node that must cost it nothing and answer a 4xx, over real HTTP on loopback:
deeply nested JSON inside signed entries, validation errors carrying input no JSON answer can
hold, unsigned bodies (the server's memory measured under a flood), rate limits keyed on what
a sender cannot choose, and signed reads that write nothing durable."""

from __future__ import annotations

import base64
import itertools
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from glasnost.exchange.node import Node
from glasnost.exchange.tables import RequestNonceRow
from glasnost.service.app import ServiceSettings, create_app

from .conftest import serve
from .nodes import NodeServer, Party, init_node, make_party, open_node


@dataclass(frozen=True)
class Site:
    """US and RU, their nodes following each other; US's node served in its own process."""

    us: Party
    ru: Party
    us_db: Path
    server: NodeServer


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("hardening")
    us, ru = make_party("US", folder), make_party("RU", folder)
    us_db = init_node(folder / "us.db", us, ru)
    init_node(folder / "ru.db", ru, us)
    server = NodeServer(us_db, us, folder)
    try:
        yield Site(us, ru, us_db, server.start())
    finally:
        server.stop()


def stored(db: Path) -> dict[str, int]:
    """Every log's size and evidence count in the node database ``db``."""
    with open_node(db) as node:
        out = {node.party: node.own.size()}
        for log in node.peers():
            out[log.party] = log.size()
            out[f"{log.party}:evidence"] = len(log.evidence())
        return out


def nested_entry(party: Party, seq: int, depth: int) -> dict[str, str]:
    """A signed entry of ``party`` whose body nests ``depth`` arrays (canonical otherwise)."""
    text = (
        b'{"body":'
        + b"[" * depth
        + b"]" * depth
        + b',"created_at":"2026-01-01T00:00:00Z","party":"'
        + party.id.encode()
        + b'","refs":[],"seq":'
        + str(seq).encode()
        + b',"type":"notification"}'
    )
    return {
        "entry": text.decode(),
        "signature": base64.b64encode(party.key.sign(text)).decode(),
        "key_id": party.key_id,
    }


# --- 1. nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("route", ["own", "mirror"])
def test_deeply_nested_signed_entry_is_422(site: Site, route: str, depth: int) -> None:
    before = stored(site.us_db)
    if route == "own":
        sender, path = site.us, "/v1/entries"
        body: object = nested_entry(site.us, 0, depth)
    else:
        sender, path = site.ru, "/v1/mirror/entries"
        body = {"start": 0, "entries": [nested_entry(site.ru, 0, depth)]}
    with sender.client(site.server.url) as client:
        response = client.post(path, json=body)
    assert response.status_code == 422, f"{response.text[:300]}\n{site.server.tail()}"
    assert "nested deeper than 64 levels" in response.json()["detail"]
    assert stored(site.us_db) == before


# --- 2. validation errors with input JSON cannot answer ----------------------------------------

UNENCODABLE = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "lone-surrogate": '"\\ud800"',
}
"""JSON texts (as Python's parser reads them) of values no JSON answer can carry."""


def api_routes(url: str) -> list[tuple[str, str, list[str]]]:
    """(method, path, query parameters) of every API route, from the node's OpenAPI document."""
    document = httpx.get(f"{url}/v1/openapi.json").json()
    routes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            routes.append((method.upper(), path, query))
    return routes


@pytest.mark.parametrize("value", UNENCODABLE.values(), ids=UNENCODABLE.keys())
def test_validation_error_with_unencodable_input_is_4xx_on_every_route(
    site: Site, value: str
) -> None:
    before = stored(site.us_db)
    routes = api_routes(site.server.url)
    assert {"/v1/entries", "/v1/mirror/entries", "/v1/cosignatures"} <= {p for _, p, _ in routes}
    fields = ["entry", "signature", "key_id", "start", "entries", "note", value]
    body = "{" + ",".join(f"{json.dumps(f) if f != value else f}: {value}" for f in fields) + "}"
    with site.ru.client(site.server.url) as client:
        for method, path, query in routes:
            params = {name: value for name in query}
            for content in [body, f"[{value}]", value] if method == "POST" else [""]:
                response = client.request(
                    method,
                    path,
                    params=params,
                    content=content.encode("utf-8", "surrogatepass"),
                    headers={"Content-Type": "application/json"},
                )
                assert response.status_code < 500, f"{method} {path}: {response.text[:300]}"
                response.json()  # the answer is JSON, whatever it says
    assert stored(site.us_db) == before


# --- 3. unsigned bodies -------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` (Linux /proc; VmRSS is in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def test_unsigned_body_is_401_before_it_is_parsed(site: Site) -> None:
    """Malformed and ill-shaped bodies without a signature are 401, not 400 or 422."""
    for content in (b'{"entry": ', b"[" * 100_000, b'{"entries": []}'):
        response = httpx.post(
            f"{site.server.url}/v1/entries",
            content=content,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 401, response.text[:300]
        assert response.json()["detail"] == "missing Glasnost-Party header"


FLOOD_BODY_BYTES = 31 << 20
FLOOD_SENDERS = 2
FLOOD_S = 8.0
RSS_GROWTH_BOUND = 64 << 20
"""Most the server's resident memory may grow under the flood. Before bodies were checked
unsigned, one 31 MiB body took it up by about 840 MiB (the parsed JSON of a ``{`` flood)."""


def unsigned_post(url: str, headers: dict[str, str]) -> int:
    """Post one 31 MiB body; the status, or 0 when the server closed the connection on it."""
    try:
        return httpx.post(
            f"{url}/v1/mirror/entries",
            content=b"[" * FLOOD_BODY_BYTES,
            headers={"Content-Type": "application/json", **headers},
            timeout=30.0,
        ).status_code
    except httpx.TransportError:
        return 0


def test_unsigned_flood_of_large_bodies_keeps_server_memory_bounded(site: Site) -> None:
    """Two senders post 31 MiB unsigned bodies for 8 s, one without headers, one with a
    forged signature under RU's real key id (its body is read and hashed, never parsed)."""
    process = site.server.process
    assert process is not None
    url = site.server.url
    forged = {
        "Glasnost-Party": "RU",
        "Glasnost-Key-Id": site.ru.key_id,
        "Glasnost-Timestamp": str(int(time.time())),
        "Glasnost-Nonce": os.urandom(16).hex(),
        "Glasnost-Signature": base64.b64encode(bytes(64)).decode(),
        "Glasnost-Audience": site.us.origin,
    }
    before = rss_bytes(process.pid)
    peak = before
    statuses: list[int] = []
    deadline = time.monotonic() + FLOOD_S

    def sender(headers: dict[str, str]) -> None:
        while time.monotonic() < deadline:
            statuses.append(unsigned_post(url, headers))

    with ThreadPoolExecutor(FLOOD_SENDERS) as pool:
        futures = [pool.submit(sender, h) for h in ({}, forged)]
        while not all(f.done() for f in futures):
            peak = max(peak, rss_bytes(process.pid))
            time.sleep(0.05)
        for future in futures:
            future.result()
    assert statuses
    assert set(statuses) <= {0, 401, 429}, statuses
    assert 401 in statuses
    assert peak - before < RSS_GROWTH_BOUND, f"RSS {before >> 20} -> {peak >> 20} MiB"
    health = httpx.get(f"{url}/v1/health", timeout=5.0)
    assert health.status_code == 200


# --- 4. rate limits -----------------------------------------------------------------------------


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[Site, str]]:
    """US's node served in this process with a small rate (burst 5, 0.01/s)."""
    us, ru = make_party("US", tmp_path), make_party("RU", tmp_path)
    us_db = init_node(tmp_path / "us.db", us, ru)
    node = Node.open(str(us_db), key=us.key)
    try:
        app = create_app(node, ServiceSettings(rate_per_s=0.01, burst=5))
        with serve(app) as url:
            yield Site(us, ru, us_db, NodeServer(us_db, us, tmp_path)), url
    finally:
        node.engine.dispose()


def test_rate_limit_of_unsigned_requests_is_per_address_whatever_party_they_name(
    limited: tuple[Site, str],
) -> None:
    _, url = limited
    parties = (f"P{i}" for i in itertools.count())
    statuses = [
        httpx.get(f"{url}/v1/logs", headers={"Glasnost-Party": next(parties)}).status_code
        for _ in range(12)
    ]
    assert statuses == [401] * 5 + [429] * 7


def test_signed_requests_are_limited_per_verified_party(limited: tuple[Site, str]) -> None:
    site, url = limited
    for _ in range(10):  # the address runs out of tokens on unsigned requests
        httpx.get(f"{url}/v1/logs")
    us = httpx.Client(base_url=url, auth=site.us.signer(site.us.origin))
    ru = httpx.Client(base_url=url, auth=site.ru.signer(site.us.origin))
    with us, ru:
        assert [us.get("/v1/logs").status_code for _ in range(6)] == [200] * 5 + [429]
        assert ru.get("/v1/logs").status_code == 200  # its own bucket


# --- 8. signed reads ----------------------------------------------------------------------------


def test_signed_read_writes_no_nonce_and_its_replay_is_refused(site: Site) -> None:
    with open_node(site.us_db) as node, node.engine.connect() as conn:
        nonces_before = conn.execute(sa.select(sa.func.count()).select_from(RequestNonceRow))
        count_before = nonces_before.scalar_one()
    request = httpx.Request("GET", f"{site.server.url}/v1/logs")
    flow = site.ru.signer(site.us.origin).auth_flow(request)
    signed = next(flow)
    flow.close()
    first = httpx.get(signed.url, headers=signed.headers)
    assert first.status_code == 200, first.text
    replay = httpx.get(signed.url, headers=signed.headers)
    assert replay.status_code == 401
    assert replay.json()["detail"].startswith("replayed request")
    with open_node(site.us_db) as node, node.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(RequestNonceRow))
        assert count.scalar_one() == count_before
