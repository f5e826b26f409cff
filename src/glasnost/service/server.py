"""Running the node's app as a network server (uvicorn): the listening socket, TLS and the
loopback rule, each checked before the server says it is up.

- :func:`listen` binds the port first, so a port in use is refused with its number before any
  success line (and the server then serves on exactly that socket).
- Plain HTTP is for loopback only: a node that listens on another interface serves HTTPS
  (:class:`TLSFiles`: certificate chain and key, PEM; with ``client_ca`` every client must
  present a certificate that CA signed, mutual TLS), unless plain HTTP is explicitly allowed
  (behind a TLS-terminating proxy on the same host, say).
- :func:`server` loads the TLS files up front, so a missing or mismatched certificate or key is
  an error naming the file, not a traceback after start.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ServeError", "TLSFiles", "check_transport", "is_loopback", "listen", "server"]


class ServeError(Exception):
    """The server cannot start as asked; ``str()`` names the option and why."""


@dataclass(frozen=True)
class TLSFiles:
    """The node's TLS certificate chain and private key (PEM files); ``client_ca``: the CA
    whose certificates clients must present (mutual TLS), or None."""

    cert: Path
    key: Path
    client_ca: Path | None = None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is a loopback interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(host: str, tls: TLSFiles | None, *, allow_plain_http: bool) -> None:
    """Refuse plain HTTP on an interface other than loopback unless explicitly allowed."""
    if tls is None and not is_loopback(host) and not allow_plain_http:
        raise ServeError(
            f"--host {host}: plain HTTP is served on loopback only; give --tls-cert and "
            "--tls-key (see docs/deploy.md), or --allow-plain-http behind a TLS proxy"
        )


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: any free one); a port in use is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is fine
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise ServeError(
                f"--port {port}: {host}:{port} is already in use (address already in use); "
                "stop the process that listens there or choose another --port"
            ) from None
        raise ServeError(f"--host {host} --port {port}: cannot listen ({exc.strerror})") from None
    sock.set_inheritable(True)
    return sock


def server(app: Any, *, tls: TLSFiles | None, log_level: str) -> Any:
    """The uvicorn server for ``app`` (loaded: TLS files read and checked)."""
    import uvicorn

    options: dict[str, Any] = {}
    if tls is not None:
        for option, path in (
            ("--tls-cert", tls.cert),
            ("--tls-key", tls.key),
            ("--tls-client-ca", tls.client_ca),
        ):
            if path is not None and not path.is_file():
                raise ServeError(f"{option}: {path} is not a file")
        options = {"ssl_certfile": str(tls.cert), "ssl_keyfile": str(tls.key)}
        if tls.client_ca is not None:
            options |= {"ssl_ca_certs": str(tls.client_ca), "ssl_cert_reqs": ssl.CERT_REQUIRED}
    config = uvicorn.Config(
        app,
        log_level=log_level,
        log_config=None,  # glasnost.service.logs configures the process's logging
        access_log=False,  # one line per request comes from glasnost.service.logs.AccessLog
        timeout_keep_alive=5,
        **options,
    )
    try:
        config.load()
    except ssl.SSLError as exc:
        assert tls is not None
        files = f"{tls.cert} / {tls.key}" + (f" / {tls.client_ca}" if tls.client_ca else "")
        raise ServeError(f"--tls-cert/--tls-key: {files}: {exc.reason or exc}") from None
    except OSError as exc:
        raise ServeError(f"TLS: {exc.filename or ''}: {exc.strerror}") from None
    return uvicorn.Server(config)
