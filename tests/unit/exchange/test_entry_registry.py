"""The ledger's registry of entry types: the agreement fills it, the envelope stays generic."""

from __future__ import annotations

import pytest

import glasnost.treaty  # noqa: F401 (registers the agreement's entry types)
from glasnost.exchange.entries import (
    BODY_TYPES,
    Entry,
    entry_model,
    parse_entry,
    register_entry_type,
)
from glasnost.exchange.errors import SchemaError
from glasnost.treaty.bodies import Notification, NotificationEntry

NOTE = {
    "type": "notification",
    "party": "US",
    "seq": 0,
    "created_at": "2025-03-01T12:00:00Z",
    "body": {
        "event_type": "exercise",
        "phase": "pre_event",
        "window_start": "2025-04-01T00:00:00Z",
        "window_end": "2025-04-02T00:00:00Z",
        "details": "an exercise",
    },
}


def test_registered_type_has_a_generated_envelope_model() -> None:
    model = entry_model("notification")
    assert model is NotificationEntry
    assert issubclass(model, Entry)
    assert BODY_TYPES["notification"] is Notification
    entry = parse_entry(NOTE)
    assert type(entry) is NotificationEntry
    assert isinstance(entry.body, Notification)
    assert entry.to_json()["body"]["details"] == "an exercise"  # the body is dumped whole


def test_a_type_is_registered_once() -> None:
    with pytest.raises(ValueError, match="'notification' is registered already"):
        register_entry_type("notification", Notification)


def test_unknown_type_is_a_schema_error_naming_the_type() -> None:
    with pytest.raises(SchemaError, match="does not match any of the expected tags"):
        parse_entry({**NOTE, "type": "telegram"})


def test_body_errors_name_the_field_under_body() -> None:
    with pytest.raises(SchemaError, match=r"body\.details: "):
        parse_entry({**NOTE, "body": {**NOTE["body"], "details": ""}})  # type: ignore[dict-item]
