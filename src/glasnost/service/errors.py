"""The HTTP side of :mod:`glasnost.errors`: one status table for every error the API answers.

An error raised by a route becomes ``{"detail": "<where>: <what and why>"}`` with the status of
the first row of :data:`STATUS` whose class it is an instance of (most specific rows first).
Authentication errors carry their own status (401 or 403) and are answered by the
authentication dependency with its ``WWW-Authenticate`` header.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from glasnost.errors import GlasnostError, InputError
from glasnost.exchange.errors import (
    CheckpointError,
    ConflictError,
    ConsistencyError,
    EntryNotFound,
    EntryTooLarge,
    ExchangeError,
    InvalidSignature,
    KeyNotValidAtTime,
    LogNotFound,
    SequenceError,
    SizeError,
    UnknownKey,
    UnknownOrigin,
    WrongParty,
)
from glasnost.exchange.replication import PeerConflict
from glasnost.service.auth import AuthError

__all__ = ["STATUS", "error_response", "status_of", "validation_response"]

STATUS: tuple[tuple[type[GlasnostError], int], ...] = (
    (LogNotFound, 404),
    (UnknownOrigin, 404),
    (EntryNotFound, 404),
    (ConflictError, 409),
    (SequenceError, 409),
    (PeerConflict, 409),
    (EntryTooLarge, 413),
    (InvalidSignature, 403),
    (UnknownKey, 403),
    (WrongParty, 403),
    (KeyNotValidAtTime, 403),
    (ConsistencyError, 422),
    (SizeError, 400),
    (CheckpointError, 400),
    (InputError, 400),
    (ExchangeError, 422),
    (GlasnostError, 422),
)
"""Error class -> HTTP status, most specific first; the last row catches the rest."""


def status_of(exc: GlasnostError) -> int:
    """The HTTP status of an error (:data:`STATUS`; an :class:`AuthError` carries its own)."""
    if isinstance(exc, AuthError):
        return exc.status
    return next(status for kind, status in STATUS if isinstance(exc, kind))


async def error_response(request: Request, exc: Exception) -> JSONResponse:
    """The API's exception handler for :class:`GlasnostError`."""
    assert isinstance(exc, GlasnostError)
    return JSONResponse({"detail": str(exc)}, status_code=status_of(exc))


async def validation_response(request: Request, exc: Exception) -> JSONResponse:
    """The API's handler for a request that fails validation: 422 with each problem's
    location, message and type. The input is never echoed: it may be NaN, an infinity or a
    lone surrogate, which a JSON answer cannot carry (and echoing it serves nobody)."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "loc": [p if isinstance(p, int) else _printable(str(p)) for p in error["loc"]],
            "msg": _printable(str(error["msg"])),
            "type": str(error["type"]),
        }
        for error in exc.errors()
    ]
    return JSONResponse({"detail": problems}, status_code=422)


def _printable(text: str) -> str:
    """``text`` with anything UTF-8 cannot encode (lone surrogates) written as an escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
