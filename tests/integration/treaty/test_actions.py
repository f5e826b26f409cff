"""Agreement actions checked against the lifecycle before they are written
(:func:`glasnost.treaty.actions.take`): each action that would have no effect is refused with
the reason, and nothing is written; the accepted ones reference what they answer."""

from __future__ import annotations

import datetime as dt

import pytest

from glasnost.treaty import actions
from glasnost.treaty.actions import LifecycleError, take
from glasnost.treaty.lifecycle import lifecycle
from glasnost.treaty.logs import entry_label, parse_entry_label
from tests.integration.treaty.conftest import Pair


def _in_force(pair: Pair) -> None:
    us, ru, agreement, now = pair.us, pair.ru, pair.agreement, pair.clock.now
    take(us.node, agreement, "propose", at=now)
    pair.exchange()
    for side in (us, ru):
        take(side.node, agreement, "sign", at=pair.clock.now)
    pair.clock.advance(minutes=5)
    pair.exchange()


def test_rejects_a_second_proposal(pair: Pair) -> None:
    written = take(pair.us.node, pair.agreement, "propose", at=pair.clock.now)
    pair.exchange()
    size = pair.ru.node.own.size()
    with pytest.raises(LifecycleError, match=rf"already proposed \(US#{written.seq}\)"):
        take(pair.ru.node, pair.agreement, "propose", at=pair.clock.now)
    assert pair.ru.node.own.size() == size  # nothing written


def test_rejects_a_signature_before_the_proposal_arrived(pair: Pair) -> None:
    take(pair.us.node, pair.agreement, "propose", at=pair.clock.now)
    with pytest.raises(LifecycleError, match="no proposal of this agreement in the logs yet"):
        take(pair.ru.node, pair.agreement, "sign", at=pair.clock.now)
    assert pair.ru.node.own.size() == 0


def test_signatures_reference_the_proposal_and_bring_the_agreement_into_force(
    pair: Pair,
) -> None:
    _in_force(pair)
    state = lifecycle(pair.agreement, pair.views(), pair.clock.now)
    assert state.state == "in force"
    assert state.findings == []
    proposal = state.proposal_entry
    assert proposal is not None
    signatures = [e for view in pair.views().values() for e in view.of_type("sign")]
    assert len(signatures) == 2
    assert all(tuple(e.entry.refs) == (proposal.as_ref(),) for e in signatures)
    with pytest.raises(LifecycleError, match="US has signed already"):
        take(pair.us.node, pair.agreement, "sign", at=pair.clock.now)


def test_rejects_adopt_without_a_final_entry(pair: Pair) -> None:
    _in_force(pair)
    with pytest.raises(LifecycleError, match="there is no final entry to answer"):
        take(pair.us.node, pair.agreement, "adopt", at=pair.clock.now)


def test_rejects_adopt_signed_by_the_outgoing_administration(pair: Pair) -> None:
    _in_force(pair)
    pair.at(dt.datetime(2029, 1, 19, 12, tzinfo=dt.UTC))
    take(pair.us.node, pair.agreement, "final", at=pair.clock.now)
    with pytest.raises(LifecycleError, match="the successor of us-1 is us-2"):
        take(pair.us.node, pair.agreement, "adopt", at=pair.clock.now)


def test_final_then_adopt_by_the_successor_continues_the_agreement(pair: Pair) -> None:
    _in_force(pair)
    pair.at(dt.datetime(2029, 1, 19, 12, tzinfo=dt.UTC))
    final = take(pair.us.node, pair.agreement, "final", note="end of term", at=pair.clock.now)
    checkpoints = pair.us.node.own.checkpoints(min_size=final.seq + 1)
    assert checkpoints
    assert checkpoints[0].size == final.seq + 1  # the final checkpoint
    pair.exchange()
    pair.at(dt.datetime(2029, 1, 21, tzinfo=dt.UTC))
    adopted = take(pair.us.node, pair.agreement, "adopt", at=pair.clock.now)
    pair.exchange()
    state = lifecycle(pair.agreement, pair.views(), pair.clock.now)
    assert state.state == "in force"
    assert state.parties["US"].administration == "us-2"
    assert state.parties["US"].causes[-2:] == [f"US#{final.seq}", f"US#{adopted.seq}"]
    assert state.findings == []


def test_withdraw_only_while_in_force(pair: Pair) -> None:
    def withdraw(reason: str = "test") -> None:
        day = dt.date(2027, 1, 1)
        take(
            pair.us.node,
            pair.agreement,
            "withdraw",
            effective=day,
            reason=reason,
            at=pair.clock.now,
        )

    with pytest.raises(LifecycleError, match="US is 'not signed'"):
        withdraw()
    _in_force(pair)
    with pytest.raises(LifecycleError, match="withdraw needs a reason"):
        withdraw(reason="")
    withdraw()
    pair.exchange()
    assert lifecycle(pair.agreement, pair.views(), pair.clock.now).state == "terminated"


def test_take_writes_the_body_builders_body(pair: Pair) -> None:
    take(pair.us.node, pair.agreement, "propose", at=pair.clock.now)
    (proposal,) = pair.views()["US"].of_type("propose")
    assert proposal.entry.body == actions.propose(pair.agreement)


@pytest.mark.parametrize("text", ["US#3", "US:3"])
def test_an_entry_is_named_one_way_and_read_both_ways(text: str) -> None:
    assert parse_entry_label(text) == ("US", 3)
    assert entry_label("US", 3) == "US#3"


@pytest.mark.parametrize("text", ["US", "US#", "#3", "US:x", "US-3"])
def test_a_malformed_entry_name_is_not_read(text: str) -> None:
    assert parse_entry_label(text) is None
