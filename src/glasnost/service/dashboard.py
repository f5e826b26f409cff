"""The node's web dashboard under ``/``: server-rendered HTML (Jinja2), one small stylesheet
under ``/static``, no script and nothing fetched from elsewhere, so it works with no internet
access. Read-only: every page reads the logs and calls the library; none writes.

Pages (each with the same navigation bar; title and heading name the node's party and the
agreement)::

    /                      the agreement: state per party and the entries that caused it,
                           entry into force, expiry, timeline of agreement actions, findings
    /logs                  both logs: size, latest checkpoint and its cosignatures, evidence,
                           verification (a replay of the whole log: on request, ?verify=1, and
                           kept per log size)
    /logs/{party}          the entries of a log, 100 a page (?page=N)
    /logs/{party}/{seq}    one entry: its JSON, signature, administration, and its inclusion
                           proof against the latest checkpoint, verified
    /obligations           what is due, met, late or missing; acknowledgements; findings
    /declarations          a map of the latest declared sites and radars; declarations over time
    /assessments           assessment entries and their status; the assessment of the logged
                           declarations (criteria, map, margin heat map), computed once per
                           scenario digest
    /reductions            declared strategic forces against the limits, one chart a category

Access. Without a token the dashboard answers clients on loopback only (127.0.0.1, ::1) and 403
to others. With a token (``glasnost serve --dashboard-token``), opening ``/?token=TOKEN`` sets an
HttpOnly, SameSite=Strict cookie and every page requires it (403 otherwise). The cookie holds an
HMAC of the token, not the token. The API under ``/v1`` keeps its signed-request
authentication; its errors stay JSON, the dashboard's are HTML pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import ipaddress
from collections.abc import Awaitable, Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException

from glasnost.errors import GlasnostError
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.errors import EntryNotFound, LogNotFound
from glasnost.exchange.node import Node
from glasnost.service.pages import (
    agreement,
    assessments,
    declarations,
    logs,
    obligations,
    reductions,
)
from glasnost.service.pages.common import Site, entry_ref
from glasnost.treaty.agreement import Agreement

__all__ = ["COOKIE", "NAV", "install_dashboard", "render_error"]

COOKIE = "glasnost_dashboard"
"""The dashboard's session cookie (token mode)."""

COOKIE_MAX_AGE_S = 12 * 3600

NAV = (
    ("agreement", "/", "Agreement"),
    ("logs", "/logs", "Logs"),
    ("obligations", "/obligations", "Obligations"),
    ("declarations", "/declarations", "Declarations"),
    ("assessments", "/assessments", "Assessments"),
    ("reductions", "/reductions", "Reductions"),
)
"""The navigation bar: (page id, path, label)."""

STATIC = {"dashboard.css": "text/css; charset=utf-8"}
"""The files served under /static, with their media types."""

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
"""Every dashboard response: no script at all, styles and images from the node only (inline
SVG charts carry style attributes; maps are data: URIs)."""

STATUS_CLASSES = {
    "met": "ok",
    "in force": "ok",
    "confirmed": "ok",
    "verified": "ok",
    "acknowledged": "ok",
    "pass": "ok",
    "late": "warn",
    "overdue": "warn",
    "pending": "idle",
    "not yet due": "idle",
    "open": "idle",
    "missing": "bad",
    "disputed": "bad",
    "failed": "bad",
    "fail": "bad",
    "terminated": "bad",
    "refused": "bad",
    "withdrawn": "bad",
    "violation": "bad",
    "notice": "warn",
    "suspended": "warn",
    "succession pending": "warn",
    "expired": "idle",
    "signed": "info",
    "proposed": "info",
}
"""Badge colour of a status word: ok green, warn amber, bad red, idle grey, info blue."""


# --- rendering ----------------------------------------------------------------------------------


def _when(value: dt.datetime | str | None) -> str:
    """A UTC time as ``2026-01-02 03:04:05 UTC`` (ISO strings from to_json() too)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        text = value
        try:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _status_class(status: object) -> str:
    text = str(status).lower()
    if text in STATUS_CLASSES:
        return STATUS_CLASSES[text]
    if text.startswith("in force"):
        return "warn" if "pending" in text else "ok"
    if text.startswith("signed"):
        return "info"
    return "idle"


def _ref_url(ref: str | None) -> str | None:
    """The page of an entry named ``PARTY#SEQ``."""
    parsed = None if ref is None else entry_ref(ref)
    return None if parsed is None else f"/logs/{parsed[0]}/{parsed[1]}"


def _number(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "–" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _criterion(value: float | None, criterion: str) -> str:
    """A criterion's value: a fraction as a percentage, a speed in km/s."""
    if value is None:
        return "–"
    if criterion.endswith("fraction") or criterion == "purpose":
        return f"{value:.1%}"
    return f"{value:.2f} km/s"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("glasnost.service", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["status_class"] = _status_class
    env.filters["ref_url"] = _ref_url
    env.filters["num"] = _number
    env.filters["pct"] = lambda x: f"{x:.1%}"
    env.filters["criterion"] = _criterion
    env.globals["nav"] = NAV
    return env


def _page(site: Site, template: str, page: str, status_code: int = 200, **context: Any) -> Response:
    """Render a page of the dashboard (with the node's party and the agreement)."""
    body = (
        _environment()
        .get_template(template)
        .render(
            page=page,
            party=site.party,
            party_name=site.party_name(site.party),
            agreement=site.agreement,
            generated_at=utc_iso(dt.datetime.now(dt.UTC).replace(microsecond=0)),
            **context,
        )
    )
    return HTMLResponse(body, status_code=status_code, headers=HEADERS)


def render_error(site: Site | None, status: int, message: str) -> Response:
    """An error page: the status, its reason and what went wrong (never a traceback)."""
    reason = {
        400: "Bad request",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        422: "Bad request",
        500: "Internal error",
    }.get(status, "Error")
    if site is None:
        text = f"<!DOCTYPE html><title>{status} {reason}</title><h1>{reason}</h1>"
        return HTMLResponse(text + f"<p>{html.escape(message)}</p>", status, headers=HEADERS)
    try:
        return _page(
            site, "error.html.j2", "error", status, status=status, reason=reason, message=message
        )
    except Exception:  # the error page itself failed: answer the bare page
        return render_error(None, status, message)


# --- access -------------------------------------------------------------------------------------


def _cookie_value(token: str) -> str:
    """What the cookie holds: an HMAC of the token (the token itself stays out of the jar)."""
    return hmac.new(token.encode("utf-8"), b"glasnost dashboard", hashlib.sha256).hexdigest()


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _access_denial(site: Site, request: Request) -> str | None:
    """Why this request may not see the dashboard, or None when it may."""
    if site.token is None:
        if _loopback(request):
            return None
        return (
            "This node's dashboard answers clients on the node's own machine only. Start the "
            "node with a dashboard token (glasnost serve --dashboard-token) to open it to others."
        )
    cookie = request.cookies.get(COOKIE, "")
    if cookie and hmac.compare_digest(cookie, _cookie_value(site.token)):
        return None
    return "This dashboard needs its token: open /?token=TOKEN first (a cookie keeps it)."


class _Denied(Exception):  # noqa: N818 (an answer, not a failure)
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/v1" or path.startswith("/v1/")


# --- the router ---------------------------------------------------------------------------------


def dashboard_router(site: Site) -> APIRouter:
    """The dashboard's routes (HTML), each behind the access check."""

    def access(request: Request) -> None:
        reason = _access_denial(site, request)
        if reason is not None:
            raise _Denied(reason)

    router = APIRouter(include_in_schema=False, dependencies=[Depends(access)])
    open_router = APIRouter(include_in_schema=False)

    @open_router.get("/", response_class=HTMLResponse)
    def agreement_page(
        request: Request, token: Annotated[str | None, Query(max_length=512)] = None
    ) -> Response:
        if token is not None and site.token is not None:
            if not hmac.compare_digest(token.encode("utf-8"), site.token.encode("utf-8")):
                raise _Denied("That is not this dashboard's token.")
            response = RedirectResponse("/", status_code=303, headers=HEADERS)
            response.set_cookie(
                COOKIE,
                _cookie_value(site.token),
                max_age=COOKIE_MAX_AGE_S,
                path="/",
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )
            return response
        access(request)
        return _page(site, "agreement.html.j2", "agreement", **agreement.page(site))

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, f"no static file {name!r}")
        data = resources.files("glasnost.service").joinpath("static", name).read_bytes()
        return Response(
            data, media_type=STATIC[name], headers={**HEADERS, "Cache-Control": "max-age=300"}
        )

    @router.get("/logs", response_class=HTMLResponse)
    def logs_page(verify: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
        return _page(site, "logs.html.j2", "logs", **logs.overview(site, verify=bool(verify)))

    @router.get("/logs/{party}", response_class=HTMLResponse)
    def log_page(party: str, page: Annotated[int, Query(ge=1, le=2**31)] = 1) -> Response:
        return _page(site, "log.html.j2", "logs", **logs.entries(site, party, page))

    @router.get("/logs/{party}/{seq}", response_class=HTMLResponse)
    def entry_page(party: str, seq: Annotated[int, PathParam(ge=0, le=2**53)]) -> Response:
        return _page(site, "entry.html.j2", "logs", **logs.entry(site, party, seq))

    @router.get("/obligations", response_class=HTMLResponse)
    def obligations_page() -> Response:
        return _page(site, "obligations.html.j2", "obligations", **obligations.page(site))

    @router.get("/declarations", response_class=HTMLResponse)
    def declarations_page() -> Response:
        return _page(site, "declarations.html.j2", "declarations", **declarations.page(site))

    @router.get("/assessments", response_class=HTMLResponse)
    def assessments_page() -> Response:
        return _page(site, "assessments.html.j2", "assessments", **assessments.page(site))

    @router.get("/reductions", response_class=HTMLResponse)
    def reductions_page() -> Response:
        return _page(site, "reductions.html.j2", "reductions", **reductions.page(site))

    open_router.include_router(router)
    return open_router


Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def install_dashboard(
    app: FastAPI,
    node: Node,
    agreement_: Agreement,
    *,
    token: str | None = None,
    sweeps: Path | None = None,
) -> Site:
    """Serve the dashboard of ``node`` for ``agreement_`` under ``/`` of ``app`` (with the
    sweeps in ``sweeps``); errors of dashboard pages become HTML pages (those of ``/v1`` keep
    the handlers they had)."""
    if token is not None and not token:
        raise ValueError("the dashboard token must not be empty")
    site = Site(node, agreement_, token, sweeps=sweeps)
    app.state.dashboard = site
    app.include_router(dashboard_router(site))

    def html_errors(kind: type[Exception], status: Callable[[Exception], int]) -> None:
        previous: Handler | None = app.exception_handlers.get(kind)

        async def handler(request: Request, exc: Exception) -> Response:
            if _is_api(request):
                if previous is None:
                    return PlainTextResponse("Internal Server Error", status_code=500)
                answer = previous(request, exc)
                return answer if isinstance(answer, Response) else await answer
            code = status(exc)
            message = _message(exc, code)
            allowed = not isinstance(exc, _Denied) and _access_denial(site, request) is None
            return render_error(site if allowed else None, code, message)

        app.add_exception_handler(kind, handler)

    html_errors(_Denied, lambda exc: 403)
    html_errors(StarletteHTTPException, lambda exc: getattr(exc, "status_code", 500))
    html_errors(RequestValidationError, lambda exc: 400)
    html_errors(GlasnostError, _page_status)
    html_errors(Exception, lambda exc: 500)
    return site


def _page_status(exc: Exception) -> int:
    return 404 if isinstance(exc, (LogNotFound, EntryNotFound)) else 500


def _message(exc: Exception, status: int) -> str:
    """What an error page says: the reason given, never internals of a failure."""
    if isinstance(exc, _Denied):
        return exc.reason
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail
        if status == 404 and detail == "Not Found":
            return "There is no such page on this dashboard."
        return str(detail)
    if isinstance(exc, RequestValidationError):
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return "; ".join(problems) or "invalid request"
    if isinstance(exc, (LogNotFound, EntryNotFound)):
        return str(exc)
    return "The page could not be made; the node's log has the details."
