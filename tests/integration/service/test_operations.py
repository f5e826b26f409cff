"""Operating a node: ``glasnost serve`` refuses a busy port before it says it is up, serves
plain HTTP only on loopback, serves HTTPS and mutual TLS with the operator's certificates, logs
one structured line per request and per sync, and takes its deadlines from the agreement."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.service.server import ServeError, check_transport, is_loopback
from glasnost.treaty.agreement import builtin_agreement

from .nodes import GLASNOST, NodeServer, Party, free_port
from .pki import certificate, start_https
from .test_nodes import Pair, StartServer

runner = CliRunner(env={"COLUMNS": "400", "GLASNOST_DB": None, "GLASNOST_KEY": None})


def serve_args(db: Path, party: Party, port: int, *more: str) -> list[str]:
    return ["serve", "--db", str(db), "--key", str(party.key_path), "--port", str(port), *more]


# --- the port and the loopback rule -------------------------------------------------------------


def test_serve_refuses_a_busy_port_before_any_success_line(pair: Pair) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = runner.invoke(app, serve_args(pair.us_db, pair.us, port))
    assert result.exit_code == 2, result.output
    assert f"--port {port}: 127.0.0.1:{port} is already in use" in result.output
    assert "glasnost node" not in result.output
    assert "dashboard on" not in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_plain_http_beyond_loopback(pair: Pair) -> None:
    result = runner.invoke(app, serve_args(pair.us_db, pair.us, 0, "--host", "0.0.0.0"))
    assert result.exit_code == 2, result.output
    assert "--host 0.0.0.0: plain HTTP is served on loopback only" in result.output
    assert "glasnost node" not in result.output


def test_loopback_rule() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.0.2.7")
    assert not is_loopback("node.example.org")
    check_transport("0.0.0.0", None, allow_plain_http=True)  # explicitly allowed: no error
    with pytest.raises(ServeError, match="loopback only"):
        check_transport("192.0.2.7", None, allow_plain_http=False)


def test_serve_has_no_per_node_acknowledgement_deadline(pair: Pair) -> None:
    result = runner.invoke(app, [*serve_args(pair.us_db, pair.us, 0), "--ack-deadline-h", "1"])
    assert result.exit_code == 2
    assert "No such option" in result.output


# --- TLS ----------------------------------------------------------------------------------------


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    """A CA, the node's certificate and a client's, each signed by the CA: (cert, key) files."""
    ca_cert, ca_key, ca_pem, ca_key_path = certificate(tmp_path, "ca")
    out = {"ca": (ca_pem, ca_key_path)}
    for name in ("node", "client"):
        out[name] = certificate(tmp_path, name, issuer=(ca_cert, ca_key))[2:]
    return out


@pytest.fixture
def https_server(pair: Pair, tmp_path: Path) -> Iterator[Any]:
    """``start(*options) -> base URL``: ``glasnost serve`` of the US node with ``options``."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(*options: str, context: ssl.SSLContext) -> str:
        port = free_port()
        command = [str(GLASNOST), *serve_args(pair.us_db, pair.us, port, *options)]
        processes.append(start_https(command, port, tmp_path / f"serve-{port}.log", context))
        return f"https://127.0.0.1:{port}"

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


def _context(pki: dict[str, tuple[Path, Path]], *, client: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki["ca"][0]))
    if client:
        context.load_cert_chain(*map(str, pki["client"]))
    return context


def test_serve_https_with_the_operators_certificate(
    https_server: Any, pki: dict[str, tuple[Path, Path]]
) -> None:
    trusted = _context(pki, client=False)
    cert, key = pki["node"]
    url = https_server("--tls-cert", str(cert), "--tls-key", str(key), context=trusted)
    health = httpx.get(f"{url}/v1/health", verify=trusted)
    assert health.status_code == 200
    assert health.json()["party"] == "US"
    with pytest.raises(httpx.ConnectError):  # a client that does not trust the CA
        httpx.get(f"{url}/v1/health", verify=ssl.create_default_context())
    with pytest.raises(httpx.HTTPError):  # no plain HTTP on the TLS port
        httpx.get(url.replace("https", "http") + "/v1/health")


def test_mutual_tls_refuses_a_client_without_a_certificate_of_the_ca(
    https_server: Any, pki: dict[str, tuple[Path, Path]]
) -> None:
    with_client = _context(pki, client=True)
    cert, key = pki["node"]
    url = https_server(
        *("--tls-cert", str(cert), "--tls-key", str(key), "--tls-client-ca", str(pki["ca"][0])),
        context=with_client,
    )
    assert httpx.get(f"{url}/v1/health", verify=with_client).status_code == 200
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/v1/health", verify=_context(pki, client=False))


def test_serve_names_a_tls_file_that_is_missing_or_not_a_certificate(
    pair: Pair, tmp_path: Path, pki: dict[str, tuple[Path, Path]]
) -> None:
    missing = tmp_path / "nope.pem"
    result = runner.invoke(
        app, [*serve_args(pair.us_db, pair.us, 0), "--tls-cert", str(missing), "--tls-key", "k"]
    )
    assert result.exit_code == 2
    assert f"--tls-cert: {missing} is not a file" in result.output
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    result = runner.invoke(
        app,
        [
            *serve_args(pair.us_db, pair.us, 0),
            "--tls-cert",
            str(garbage),
            "--tls-key",
            str(garbage),
        ],
    )
    assert result.exit_code == 2, result.output
    assert str(garbage) in result.output
    assert "Traceback" not in result.output
    assert "glasnost node" not in result.output


# --- logs and the agreement's deadline ----------------------------------------------------------


def _json_lines(server: NodeServer) -> list[dict[str, Any]]:
    lines = []
    for line in server.stderr_path.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def _logged(server: NodeServer, logger: str, **fields: Any) -> dict[str, Any]:
    """The first JSON line of ``logger`` with ``fields`` in the server's log (waits up to 20 s:
    a request's line follows its response)."""
    deadline = time.monotonic() + 20
    while True:
        for event in _json_lines(server):
            if event["logger"] == logger and fields.items() <= event.items():
                return event
        assert time.monotonic() < deadline, f"no {logger} line with {fields}\n{server.tail()}"
        time.sleep(0.1)


def test_one_json_log_line_per_request_and_per_sync(pair: Pair, servers: StartServer) -> None:
    ru = servers(pair.ru_db, pair.ru, args=["--log-json"])
    us = servers(
        pair.us_db, pair.us, args=["--log-json", "--peer", ru.url, "--sync-interval", "0.5"]
    )
    synced = _logged(us, "glasnost.sync", ok=True)
    assert synced["party"] == "RU"
    assert synced["peer_url"] == ru.url
    assert synced["level"] == "info"
    assert synced["duration_ms"] >= 0
    assert {"pulled", "pushed", "mirror_size"} <= synced.keys()

    with pair.ru.client(us.url) as client:
        assert client.get("/v1/entries", params={"start": 0}).status_code == 200
    read = _logged(us, "glasnost.access", route="/v1/entries")
    assert (read["method"], read["status"], read["party"]) == ("GET", 200, "RU")
    assert read["duration_ms"] >= 0
    assert dt.datetime.fromisoformat(read["time"]).tzinfo is not None
    # the sync's own requests, as the peer logged them: signed by the US, or unsigned
    assert _logged(ru, "glasnost.access", route="/v1/checkpoint")["party"] == "US"
    assert _logged(ru, "glasnost.access", route="/v1/health")["party"] is None


def test_log_level_warning_drops_the_request_lines(pair: Pair, servers: StartServer) -> None:
    us = servers(pair.us_db, pair.us, args=["--log-level", "warning"])
    assert httpx.get(f"{us.url}/v1/health").status_code == 200
    us.stop()
    assert "glasnost.access" not in us.stderr_path.read_text()


def test_the_acknowledgement_deadline_is_the_agreements(
    pair: Pair, servers: StartServer, tmp_path: Path
) -> None:
    text = builtin_agreement().model_dump(mode="json") | {"acknowledgement_hours": 6}
    agreement = tmp_path / "agreement.yaml"
    agreement.write_text(yaml.safe_dump(text))
    us = servers(pair.us_db, pair.us, args=["--agreement", str(agreement)])
    with pair.ru.client(us.url) as client:
        peers = client.get("/v1/peers").json()["peers"]
    assert [p["acknowledgement_deadline_s"] for p in peers] == [6 * 3600]
    status = runner.invoke(
        app, ["node", "status", "--db", str(pair.us_db), "--agreement", str(agreement)]
    )
    assert status.exit_code == 0
    assert "warning" not in status.output
    what_if = runner.invoke(
        app, ["node", "status", "--db", str(pair.us_db), "--ack-deadline-h", "1"]
    )
    assert "--ack-deadline-h 1: not the agreement's deadline (24 h)" in what_if.output
