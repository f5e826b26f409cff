"""Mutual TLS between two nodes over loopback HTTPS, with real certificates made by
``cryptography``: each node serves HTTPS and requires a client certificate of the agreement's
CA (``serve --tls-client-ca``); its sync client verifies the peer against that CA
(``--tls-peer-ca``) and presents its own certificate (``--tls-client-cert/--tls-client-key``).
Sync works with the right certificates; a client without one, or with one of another CA, is
refused during the TLS handshake, before any request reaches the node."""

from __future__ import annotations

import json
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from glasnost.cli import app

from .nodes import GLASNOST, Party, free_port
from .pki import certificate, start_https
from .test_nodes import Pair

runner = CliRunner(env={"COLUMNS": "400", "GLASNOST_DB": None, "GLASNOST_KEY": None})


@dataclass(frozen=True)
class Pki:
    """The agreement's CA, a certificate per node, and a rogue CA's client certificate."""

    ca: Path
    us: tuple[Path, Path]
    ru: tuple[Path, Path]
    rogue: tuple[Path, Path]

    def client(self, files: tuple[Path, Path]) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca))
        context.load_cert_chain(*map(str, files))
        return context


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    ca_cert, ca_key, ca, _ = certificate(tmp_path, "agreement-ca")
    nodes = [certificate(tmp_path, n, issuer=(ca_cert, ca_key))[2:] for n in ("us", "ru")]
    rogue_cert, rogue_key, _, _ = certificate(tmp_path, "rogue-ca")
    rogue = certificate(tmp_path, "rogue", issuer=(rogue_cert, rogue_key))[2:]
    return Pki(ca, nodes[0], nodes[1], rogue)


def tls_options(pki: Pki, files: tuple[Path, Path]) -> list[str]:
    """A node's TLS options: its certificate as server and as client, the agreement's CA for
    clients and peers."""
    cert, key = map(str, files)
    return [
        *("--tls-cert", cert, "--tls-key", key, "--tls-client-ca", str(pki.ca)),
        *("--tls-peer-ca", str(pki.ca), "--tls-client-cert", cert, "--tls-client-key", key),
    ]


Start = Callable[..., str]


@pytest.fixture
def serve_https(tmp_path: Path) -> Iterator[Start]:
    """``start(db, party, files, *options) -> URL``: ``glasnost serve`` over mutual TLS, once
    it answers a client that presents ``files`` (a certificate of the CA)."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(db: Path, party: Party, client: ssl.SSLContext, port: int, *options: str) -> str:
        command = [str(GLASNOST), "serve", "--db", str(db), "--key", str(party.key_path)]
        log = tmp_path / f"serve-{party.id.lower()}.log"
        processes.append(start_https([*command, "--port", str(port), *options], port, log, client))
        url = f"https://127.0.0.1:{port}"
        assert httpx.get(f"{url}/v1/health", verify=client).status_code == 200
        return url

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)


def mirrored(db: Path, log: str) -> list[str]:
    result = runner.invoke(app, ["log", "show", "--db", str(db), "--log", log, "--json"])
    assert result.exit_code == 0, result.output
    return [e["summary"] for e in json.loads(result.stdout)["entries"]]


def notify(pair: Pair, details: str) -> None:
    result = runner.invoke(
        app,
        [
            *("notify", "--db", str(pair.us_db), "--key", str(pair.us.key_path)),
            *("--event", "other", "--window-start", "2030-06-10", "--window-end", "2030-06-12"),
            *("--details", details),
        ],
    )
    assert result.exit_code == 0, result.output


def sync(pair: Pair, url: str, *options: str) -> tuple[int, str]:
    args = ["sync", "--db", str(pair.ru_db), "--key", str(pair.ru.key_path), "--peer", url]
    result = runner.invoke(app, [*args, *options])
    return result.exit_code, result.output


def test_two_nodes_sync_over_mutual_tls_and_refuse_other_clients(
    pair: Pair, pki: Pki, serve_https: Start, tmp_path: Path
) -> None:
    start = serve_https
    ru_port, us_port = free_port(), free_port()
    ru_url = start(pair.ru_db, pair.ru, pki.client(pki.us), ru_port, *tls_options(pki, pki.ru))
    us_url = start(
        pair.us_db,
        pair.us,
        pki.client(pki.ru),
        us_port,
        *tls_options(pki, pki.us),
        *("--peer", ru_url, "--sync-interval", "0.5"),
    )

    # the US node's own sync loop presents its certificate to RU: the entry reaches RU
    notify(pair, "over mutual TLS")
    deadline = time.monotonic() + 60
    while not mirrored(pair.ru_db, "US") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(mirrored(pair.ru_db, "US")) == 1, (tmp_path / "serve-us.log").read_text()

    # glasnost sync from RU with its certificate: the US node accepts it
    code, output = sync(pair, us_url, *tls_options(pki, pki.ru)[6:])
    assert code == 0, output
    assert "pulled" in output

    # without a client certificate, or with one of another CA: refused in the handshake
    for options in (
        ["--tls-peer-ca", str(pki.ca)],
        [
            *("--tls-peer-ca", str(pki.ca)),
            *("--tls-client-cert", str(pki.rogue[0]), "--tls-client-key", str(pki.rogue[1])),
        ],
    ):
        code, output = sync(pair, us_url, *options)
        assert code == 2, output
        assert us_url in output
        assert "mutual TLS" in output
        assert "Traceback" not in output
    # and a client that does not trust the agreement's CA refuses the node itself
    code, output = sync(
        pair, us_url, "--tls-client-cert", str(pki.ru[0]), "--tls-client-key", str(pki.ru[1])
    )
    assert code == 2, output
    assert "certificate verify failed" in output
    # the same refusals for any HTTP client, before any request reaches the node
    for client in (ssl.create_default_context(cafile=str(pki.ca)), pki.client(pki.rogue)):
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{us_url}/v1/health", verify=client, timeout=5)
    assert httpx.get(f"{us_url}/v1/health", verify=pki.client(pki.ru)).status_code == 200


def test_client_tls_options_name_a_bad_file(pair: Pair, pki: Pki, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    code, output = sync(pair, "https://127.0.0.1:9", "--tls-peer-ca", str(missing))
    assert code == 2
    assert f"--tls-peer-ca: {missing} is not a file" in output
    code, output = sync(pair, "https://127.0.0.1:9", "--tls-client-cert", str(pki.us[0]))
    assert code == 2
    assert "--tls-client-cert and --tls-client-key go together" in output
    code, output = sync(
        pair,
        "https://127.0.0.1:9",
        *("--tls-client-cert", str(pki.us[0]), "--tls-client-key", str(pki.ru[1])),
    )
    assert code == 2
    assert "--tls-client-cert/--tls-client-key:" in output  # a key of another certificate
    assert "Traceback" not in output
