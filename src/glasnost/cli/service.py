"""Commands of the node service: ``glasnost serve`` (the HTTP API, with a sync loop) and
``glasnost sync`` (one sync with each peer, now)."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.shared import DbOption, JsonOption, KeyOption, exchange_errors, open_node
from glasnost.cli.treaty import AgreementOption, open_agreement

PeerOption = Annotated[
    list[str] | None,
    typer.Option("--peer", help="A peer node's base URL, e.g. http://127.0.0.1:8001 (repeatable)."),
]


PeerCaOption = Annotated[
    Path | None,
    typer.Option(
        "--tls-peer-ca",
        help="HTTPS peers: the CA certificate (PEM) that signs their certificates "
        "(default: the system's CAs).",
    ),
]
ClientCertOption = Annotated[
    Path | None,
    typer.Option(
        "--tls-client-cert",
        help="Mutual TLS with peers: the client certificate chain (PEM) this node presents.",
    ),
]
ClientKeyOption = Annotated[
    Path | None,
    typer.Option("--tls-client-key", help="The client certificate's private key (PEM)."),
]


def peer_tls(ca: Path | None, cert: Path | None, key: Path | None) -> Any:
    """The SSL context of connections to peers (None when no option is given); a missing or
    mismatched file is refused now, naming its option."""
    from glasnost.service.peer_tls import PeerTLS

    tls = PeerTLS(ca=ca, cert=cert, key=key)
    return tls.context() if tls.given else None


def check_peers(urls: list[str] | None) -> list[str]:
    """The ``--peer`` URLs, each an http(s) URL with a host; refused at once otherwise (before
    a server starts), naming the URL."""
    from urllib.parse import urlsplit

    for url in urls or []:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise common.fail(
                f"{url!r} is not a peer node's URL (http://HOST:PORT or https://HOST:PORT)",
                where="--peer",
            )
        try:
            parts.port  # noqa: B018 (a bad port raises here)
        except ValueError:
            raise common.fail(
                f"{url!r}: the port is not a number in 0-65535", where="--peer"
            ) from None
    return list(urls or [])


@app.command()
def serve(
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    party: Annotated[
        str | None, typer.Option("--party", help="The node's party (checked against the database).")
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8000,
    peer: PeerOption = None,
    sync_interval: Annotated[
        float, typer.Option("--sync-interval", min=0, help="Seconds between syncs (0: none).")
    ] = 30.0,
    observer: Annotated[
        list[Path] | None,
        typer.Option("--observer", help="An observer's key record (read-only access; repeatable)."),
    ] = None,
    agreement: AgreementOption = "us-ru",
    dashboard_token: Annotated[
        str | None,
        typer.Option(
            "--dashboard-token",
            envvar="GLASNOST_DASHBOARD_TOKEN",
            help="Open the dashboard to any client that has this token (opening /?token=TOKEN "
            "sets a cookie); without it the dashboard answers loopback clients only.",
        ),
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="Serve HTTPS: certificate chain (PEM).")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="The certificate's private key (PEM).")
    ] = None,
    tls_client_ca: Annotated[
        Path | None,
        typer.Option(
            "--tls-client-ca", help="Mutual TLS: clients must present a certificate of this CA."
        ),
    ] = None,
    allow_plain_http: Annotated[
        bool,
        typer.Option(
            "--allow-plain-http",
            help="Serve plain HTTP on an interface other than loopback (behind a TLS proxy).",
        ),
    ] = False,
    sweeps: Annotated[
        Path | None,
        typer.Option(
            "--sweeps",
            help="Folder of sweeps (glasnost confirm --sweep-out): the dashboard shows the one "
            "an assessment records.",
        ),
    ] = None,
    log_level: Annotated[
        str, typer.Option("--log-level", help="debug, info, warning or error.")
    ] = "info",
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Log JSON lines (one object per line).")
    ] = False,
    tls_peer_ca: PeerCaOption = None,
    tls_client_cert: ClientCertOption = None,
    tls_client_key: ClientKeyOption = None,
) -> None:
    """Serve the node's API under /v1 and its read-only dashboard under / (and sync with its
    peers in the background). Every request and every sync is logged on stderr. Treaty
    parameters (the acknowledgement deadline) are the agreement's."""
    from glasnost.exchange.backup import mark_closed, mark_in_use, sqlite_file
    from glasnost.service.app import ServiceSettings, create_app
    from glasnost.service.logs import LEVELS, configure_logging
    from glasnost.service.server import ServeError, TLSFiles, check_transport, listen, server

    if dashboard_token is not None and not dashboard_token.strip():
        raise common.fail("--dashboard-token: give a non-empty token")
    if log_level not in LEVELS:
        raise common.fail(f"--log-level: {escape(log_level)}; choose one of {', '.join(LEVELS)}")
    if (tls_cert is None) != (tls_key is None) or (tls_client_ca and tls_cert is None):
        raise common.fail("--tls-cert and --tls-key go together (and --tls-client-ca with them)")
    tls = (
        None if tls_cert is None or tls_key is None else TLSFiles(tls_cert, tls_key, tls_client_ca)
    )
    peers = check_peers(peer)
    client_tls = peer_tls(tls_peer_ca, tls_client_cert, tls_client_key)
    try:
        check_transport(host, tls, allow_plain_http=allow_plain_http)
    except ServeError as exc:
        raise common.fail(escape(str(exc))) from None

    from glasnost.cli.shared import read_party_keys

    with exchange_errors():
        node = open_node(db, key, needs_key=True)
        if party is not None and party != node.party:
            raise common.fail(f"--party: the database is the node of {node.party}, not {party}")
        observers = [read_party_keys(path) for path in observer or []]
        settings = ServiceSettings(
            observers=observers,
            peer_urls=peers,
            peer_tls=client_tls,
            sync_interval_s=sync_interval,
            agreement=open_agreement(agreement),
            dashboard_token=dashboard_token,
            sweeps=sweeps,
        )
        application = create_app(node, settings)
    try:
        uvicorn_server = server(application, tls=tls, log_level=log_level)
        sock = listen(host, port)
    except ServeError as exc:
        raise common.fail(escape(str(exc))) from None
    configure_logging(log_level, as_json=log_json)
    scheme = "https" if tls else "http"
    base = f"{scheme}://{host}:{sock.getsockname()[1]}"
    common.errors.print(
        f"glasnost node {node.party} (log {node.own.origin}) on {base}/v1/ "
        f"({len(settings.peer_urls)} peers; acknowledgements due within "
        f"{settings.acknowledgement_deadline.total_seconds() / 3600:g} h, "
        f"agreement {settings.agreement.id if settings.agreement else '-'})",
        soft_wrap=True,
    )
    access = "open /?token=TOKEN once" if dashboard_token else "loopback clients only"
    common.errors.print(f"dashboard on {base}/ ({access})", soft_wrap=True)
    served = sqlite_file(db)
    if served is not None:
        mark_in_use(served)  # a copy of the file without its WAL is then refused
    # uvicorn shuts down on SIGTERM, then raises it again: let that end here, so that the
    # database is closed (its WAL checkpointed) and unmarked below
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        uvicorn_server.run(sockets=[sock])
    finally:
        node.engine.dispose()
        if served is not None:
            mark_closed(served)


@app.command()
def sync(
    peer: PeerOption = None,
    db: DbOption = "glasnost.db",
    key: KeyOption = None,
    as_json: JsonOption = False,
    tls_peer_ca: PeerCaOption = None,
    tls_client_cert: ClientCertOption = None,
    tls_client_key: ClientKeyOption = None,
) -> None:
    """Sync now with each peer: pull and verify its log, cosign, push this node's log.

    An HTTPS peer is verified against --tls-peer-ca (or the system's CAs); a peer that requires
    mutual TLS gets the certificate of --tls-client-cert / --tls-client-key."""
    import httpx

    from glasnost.service.sync import sync_once

    if not peer:
        raise common.fail("--peer: give the URL of at least one peer node")
    check_peers(peer)
    tls = peer_tls(tls_peer_ca, tls_client_cert, tls_client_key)
    reports = []
    with exchange_errors():
        node = open_node(db, key, needs_key=True)
        for url in peer:
            try:
                reports.append(sync_once(node, url, tls=tls))
            except httpx.HTTPError as exc:
                reason = str(exc) or type(exc).__name__
                if url.startswith("https:") and isinstance(
                    exc, httpx.RemoteProtocolError | httpx.ReadError
                ):  # TLS 1.3: a refused client certificate shows after the handshake
                    reason += (
                        " (a peer that requires mutual TLS closes the connection of a client "
                        "without a certificate of its CA: see --tls-client-cert/--tls-client-key)"
                    )
                raise common.fail(f"{escape(url)}: {escape(reason)}") from None
    if as_json:
        sys.stdout.write(json.dumps([r.to_json() for r in reports], indent=2) + "\n")
        return
    for r in reports:
        common.console.print(
            f"{r.peer}: pulled {r.pulled} entries (mirror {r.mirror_size}, cosigned "
            f"{r.cosigned_size}); pushed {r.pushed} (acknowledged {r.acknowledged_size})"
            + ("; the peer is behind (an older checkpoint of the same history)" if r.behind else "")
        )
