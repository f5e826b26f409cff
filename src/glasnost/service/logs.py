"""The node's logs: one structured line per HTTP request (``glasnost.access``) and per sync
(``glasnost.sync``), as text or as JSON lines (``glasnost serve --log-level --log-json``).

A request line carries the method, the route (its template, e.g. ``/v1/entries``), the status,
the duration in milliseconds, the client address and the party (or observer) whose signature the
request carried, when it was authenticated. A sync line carries the peer's URL and party, what
was pulled and pushed (or the error) and the duration. JSON lines have the fields ``time`` (UTC,
ISO 8601), ``level``, ``logger``, ``message`` and the fields of the event, so that a log
collector reads them without parsing the message.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from glasnost.service.auth import PRINCIPAL_KEY

__all__ = ["LEVELS", "AccessLog", "configure_logging", "log_sync"]

LEVELS: Final = ("debug", "info", "warning", "error")
"""The levels ``--log-level`` accepts."""


access_log = logging.getLogger("glasnost.access")
sync_log = logging.getLogger("glasnost.sync")


class _Fields(logging.Formatter):
    """Text: ``TIME LEVEL LOGGER EVENT key=value ...`` (logfmt-like: values with spaces
    quoted); JSON: one object per line."""

    def __init__(self, *, as_json: bool) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "fields", {})
        when = dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        if self.as_json:
            head = {
                "time": when,
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": message,
            }
            return json.dumps({**head, **fields}, default=str, ensure_ascii=False)
        tail = " ".join(
            f"{k}={json.dumps(v) if isinstance(v, str) and ' ' in v else v}"
            for k, v in fields.items()
            if v is not None
        )
        return f"{when} {record.levelname:<7} {record.name} {message}" + (
            f" {tail}" if tail else ""
        )


def configure_logging(level: str = "info", *, as_json: bool = False) -> None:
    """Send every log line of the process (the node's and the HTTP server's) to stderr, as text
    or JSON lines, from ``level`` up."""
    if level not in LEVELS:
        raise ValueError(f"log level {level!r}: choose one of {', '.join(LEVELS)}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Fields(as_json=as_json))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # the access lines are ours
    logging.getLogger("httpx").setLevel(logging.WARNING)


class AccessLog:
    """ASGI middleware: one ``glasnost.access`` line per HTTP request, after its response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the server answers if the app fails before it responds

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            principal = scope.get(PRINCIPAL_KEY)
            route = getattr(scope.get("route"), "path", None) or scope.get("path", "")
            client = scope.get("client")
            fields = {
                "method": scope.get("method"),
                "route": route,
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "party": getattr(principal, "id", None),
                "client": client[0] if client else None,
            }
            access_log.info("request", extra={"fields": fields})


def log_sync(
    url: str, duration_s: float, report: dict[str, Any] | None, error: str | None = None
) -> None:
    """One ``glasnost.sync`` line: a sync with the peer at ``url`` that did ``report`` (the
    :class:`~glasnost.service.sync.SyncReport` as JSON) or failed with ``error``."""
    fields: dict[str, Any] = {
        "peer_url": url,
        "party": (report or {}).get("peer"),
        "ok": error is None,
        "duration_ms": round(duration_s * 1000, 1),
        **{k: v for k, v in (report or {}).items() if k != "peer"},
        "error": error,
    }
    if error is None:
        sync_log.info("sync", extra={"fields": fields})
    else:
        sync_log.warning("sync", extra={"fields": fields})
