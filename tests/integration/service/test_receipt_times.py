"""Receipt times nobody sets alone (issue 12, finding 5), attacked over loopback HTTP with the
agreement in force.

US and RU bring the built-in agreement into force (in-process, at chosen times, as the
compliance tests do); US's node is then served on loopback (uvicorn, its store in SQLite or
PostgreSQL) with the same clock. RU, holding its real key, cosigns a US checkpoint dated 1970
and dated 2100 and returns each over ``POST /v1/cosignatures``: both verify, both are refused
(the first is before the checkpoint's signed time, the second after US's clock plus the allowed
skew) and kept as disputed receipt times. RU's honest cosignature then counts, the obligations
are the ones RU's node computes (which never saw the forged lines), and US's compliance report
and its dashboard show each dispute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from glasnost.exchange.checkpoint import add_signatures, cosign, parse_checkpoint, parse_note
from glasnost.exchange.errors import ReceiptTimeError
from glasnost.service.app import create_app
from glasnost.service.auth import RequestSigner
from glasnost.treaty.compliance import compliance
from tests.integration.exchange.conftest import store_engine
from tests.integration.treaty.conftest import Pair, new_pair, sign_both

from .conftest import serve

UTC = dt.UTC
EIF = dt.datetime(2026, 1, 10, 10, 5, tzinfo=UTC)  # entry into force (test_compliance.py)
WRITTEN = dt.datetime(2026, 2, 1, 8, tzinfo=UTC)
FORGED = {
    "1970": (0, "1970-01-01T00:00:00Z", "is before the checkpoint's signed time"),
    "2100": (4_102_444_800, "2100-01-01T00:00:00Z", "is after this node's clock"),
}
"""Cosignature times (POSIX seconds, as C2SP cosignature/v1 carries them) and how they read."""

NOTICE = {
    "event_type": "interceptor_test",
    "phase": "pre_event",
    "window_start": "2026-03-01T00:00:00Z",
    "window_end": "2026-03-02T00:00:00Z",
    "details": "flight test against an intermediate-range target",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def in_force(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """US and RU nodes with the built-in agreement in force at EIF (US#0 propose, US#1 and
    RU#0 sign, exchanged)."""
    (tmp_path / "us").mkdir()
    (tmp_path / "ru").mkdir()
    with (
        store_engine(request.param, tmp_path / "us") as us_store,
        store_engine(request.param, tmp_path / "ru") as ru_store,
    ):
        pair = new_pair(tmp_path, engines=(us_store, ru_store))
        sign_both(pair)
        assert pair.clock.now == EIF
        yield pair


def test_cosignatures_dated_1970_and_2100_are_refused_and_shown_as_disputed(
    in_force: Pair,
) -> None:
    pair = in_force
    us, ru = pair.us, pair.ru
    pair.clock.now = WRITTEN
    notice = us.write("notification", NOTICE)
    checkpoint = us.node.checkpoint()  # signed and timestamped by US at WRITTEN
    text = parse_note(checkpoint.note).text
    assert parse_checkpoint(text).size == notice.seq + 1
    signer = RequestSigner("RU", ru.record.key_id(ru.record.administrations[0]), ru.keys[0],
                           audience=us.record.key_name)  # fmt: skip

    with (
        serve(create_app(us.node)) as url,
        httpx.Client(base_url=url, auth=signer, timeout=30.0) as client,
    ):
        for timestamp, _, why in FORGED.values():
            line = cosign(text, ru.record.key_name, ru.keys[0], timestamp)  # RU's real key
            answer = client.post(
                "/v1/cosignatures", json={"note": add_signatures(checkpoint.note, [line])}
            )
            assert answer.status_code == 422, answer.text
            assert why in answer.json()["detail"]
            assert "kept as a disputed receipt time" in answer.json()["detail"]
        assert us.node.own.cosignatures(checkpoint.size) == {}
        disputed = us.node.own.disputed_receipts()
        assert [(d.size, d.witness, d.claimed_at) for d in disputed] == [
            (checkpoint.size, ru.record.key_name, dt.datetime.fromtimestamp(t, UTC))
            for t, _, _ in FORGED.values()
        ]

        # the honest receipt: RU pulls two hours later and returns its cosignature
        pair.clock.now = WRITTEN + dt.timedelta(hours=2)
        pair.deliver(us, ru)
        assert list(us.node.own.cosignatures(checkpoint.size)) == [ru.record.key_name]

        pair.clock.now = WRITTEN + dt.timedelta(days=2)
        at_us = compliance(pair.agreement, pair.views(us), pair.clock.now)
        at_ru = compliance(pair.agreement, pair.views(ru), pair.clock.now)
        # the obligations are those of the node that never saw the forged lines
        assert [o.to_json() for o in at_us.obligations] == [o.to_json() for o in at_ru.obligations]
        assert {p: a.to_json() for p, a in at_us.acknowledgements.items()} == {
            p: a.to_json() for p, a in at_ru.acknowledgements.items()
        }
        assert at_us.acknowledgements["RU"].exceptions == []  # nothing late, nothing missing
        received = pair.views(us)["US"].entries[notice.seq].received_at
        assert received == WRITTEN + dt.timedelta(hours=2)  # the honest cosignature's time
        disputes = [f for f in at_us.findings if f.kind == "disputed_receipt_time"]
        assert [(f.party, f.severity) for f in disputes] == [("RU", "violation")] * 2
        for finding, (_, claimed, why) in zip(disputes, FORGED.values(), strict=True):
            assert f"claims receipt at {claimed}, which {why}" in finding.reason
            assert "no deadline is measured from it" in finding.reason
        assert not [f for f in at_ru.findings if f.kind == "disputed_receipt_time"]

        page = httpx.get(f"{url}/obligations", timeout=30.0)
        assert page.status_code == 200
        for _, claimed, _ in FORGED.values():
            assert f"claims receipt at {claimed}" in page.text


def test_a_cosignature_within_the_bounds_is_kept(in_force: Pair) -> None:
    """The bounds themselves: at the checkpoint's signed time and at the clock plus the
    allowed skew (5 min) a cosignature is a receipt; one second outside, it is not."""
    pair = in_force
    us, ru = pair.us, pair.ru
    pair.clock.now = WRITTEN
    us.write("notification", NOTICE)
    first = us.node.checkpoint()
    signed_at = int(WRITTEN.timestamp())
    skew = 5 * 60

    def offer(note: str, timestamp: int) -> dict[str, int]:
        line = cosign(parse_note(note).text, ru.record.key_name, ru.keys[0], timestamp)
        return us.node.add_cosignatures(add_signatures(note, [line]))

    with pytest.raises(ReceiptTimeError, match="before the checkpoint's signed time"):
        offer(first.note, signed_at - 1)
    assert offer(first.note, signed_at) == {ru.record.key_name: signed_at}
    us.write("notification", NOTICE)
    second = us.node.checkpoint()
    with pytest.raises(ReceiptTimeError, match="after this node's clock"):
        offer(second.note, signed_at + skew + 1)
    assert offer(second.note, signed_at + skew) == {ru.record.key_name: signed_at + skew}
    assert len(us.node.own.disputed_receipts()) == 2
