"""Attacks on a node that must cost it nothing and answer a 4xx, over real HTTP on loopback:
deeply nested JSON inside signed entries, validation errors carrying input no JSON answer can
hold, unsigned bodies (the server's memory measured under a flood), rate limits keyed on what
a sender cannot choose, and signed reads that write nothing durable."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

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
