"""For the TLS tests: certificates made with ``cryptography`` (a CA, and certificates it signs
for 127.0.0.1, usable as a node's server certificate and as its client certificate), and
``glasnost serve`` over HTTPS in a process."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def certificate(
    folder: Path, name: str, *, issuer: tuple[x509.Certificate, Any] | None = None
) -> tuple[x509.Certificate, Any, Path, Path]:
    """A P-256 certificate for ``name`` (a CA when ``issuer`` is None, else signed by it, for
    127.0.0.1), written as NAME.pem and NAME.key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer is None else issuer[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    signed = builder.sign(key if issuer is None else issuer[1], hashes.SHA256())
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(signed.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return signed, key, cert_path, key_path


def start_https(command: list[str], port: int, log: Path, context: ssl.SSLContext) -> Any:
    """Start ``command`` (a ``glasnost serve`` on ``port`` over HTTPS; output to ``log``, no
    ``GLASNOST_*`` variables) and return its process once it answers a client of ``context``
    over TLS, or refuses that client in the handshake (the tests check which)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLASNOST_")}
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=out, env=env)
    url = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            httpx.get(f"{url}/v1/health", verify=context, timeout=1)
            return process
        except httpx.ConnectError:
            time.sleep(0.1)
        except (httpx.HTTPError, ssl.SSLError):
            return process  # it answers (TLS refused this client)
    process.kill()
    pytest.fail(f"no answer from {url}: {log.read_text()}")
