"""The HTTP status table of the error tree (glasnost.service.errors.STATUS)."""

from __future__ import annotations

import pytest

from glasnost.common.documents import DocumentError
from glasnost.errors import GlasnostError
from glasnost.exchange.errors import (
    CheckpointError,
    ConflictError,
    EntryTooLarge,
    LogNotFound,
    SchemaError,
    UnknownOrigin,
)
from glasnost.exchange.replication import PeerConflict
from glasnost.service.auth import AuthError
from glasnost.service.errors import status_of
from glasnost.treaty.confirmation import ConfirmationError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (LogNotFound("no log"), 404),
        (UnknownOrigin("not followed"), 404),  # a CheckpointError, but the row above wins
        (CheckpointError("malformed"), 400),
        (ConflictError("stale", cosigned_size=3), 409),
        (PeerConflict("moved"), 409),
        (EntryTooLarge("2 MiB"), 413),
        (SchemaError("body.kind: bad"), 422),
        (DocumentError("x.yaml", []), 400),
        (ConfirmationError("no assessment"), 422),
        (AuthError(403, "observers only read"), 403),
        (GlasnostError("anything else"), 422),
    ],
)
def test_status_of_each_kind(error: GlasnostError, status: int) -> None:
    assert status_of(error) == status
