"""The HTTP side of :mod:`glasnost.errors`: one status table for every error the API answers.

An error raised by a route becomes ``{"detail": "<where>: <what and why>"}`` with the status of
the first row of :data:`STATUS` whose class it is an instance of (most specific rows first).
Authentication errors carry their own status (401 or 403) and are answered by the
authentication dependency with its ``WWW-Authenticate`` header.
"""

from __future__ import annotations

from fastapi import Request
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

__all__ = ["STATUS", "error_response", "status_of"]

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
