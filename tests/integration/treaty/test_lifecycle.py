"""The agreement's lifecycle from the two logs: signing, entry into force at the receipt of the
last signature, a successor that adopts, one that refuses, silence, and entries that break the
rules (each a finding naming the entry)."""

from __future__ import annotations

import datetime as dt

from glasnost.treaty import actions
from glasnost.treaty.lifecycle import lifecycle
from tests.integration.treaty.conftest import Pair, sign_both

NOTICE = {
    "event_type": "interceptor_test",
    "phase": "pre_event",
    "window_start": "2026-03-01T00:00:00Z",
    "window_end": "2026-03-02T00:00:00Z",
    "details": "flight test",
}


def test_in_force_from_the_receipt_of_the_last_signature(pair: Pair) -> None:
    proposal = sign_both(pair)
    state = lifecycle(pair.agreement, pair.views(), pair.clock.now)
    assert state.state == "in force"
    assert state.proposal == f"US#{proposal.seq}"
    # both signatures were written at START + 1 h and received at the exchange 5 min later
    assert state.entry_into_force == pair.clock.now
    assert state.expires == state.entry_into_force + dt.timedelta(days=3652)
    assert {p: s.state for p, s in state.parties.items()} == {"US": "in force", "RU": "in force"}
    assert [e.type for e in state.timeline] == ["propose", "sign", "sign"]
    assert state.findings == []
    # the other node sees the same state from its copies of the two logs
    assert lifecycle(pair.agreement, pair.views(pair.ru), pair.clock.now).to_json() == (
        state.to_json()
    )


def test_signed_but_not_yet_acknowledged_is_not_in_force(pair: Pair) -> None:
    us, ru, agreement = pair.us, pair.ru, pair.agreement
    proposal = us.ref(us.write("propose", actions.propose(agreement)))
    pair.exchange()
    us.write("sign", actions.sign(agreement), refs=(proposal,))
    ru.write("sign", actions.sign(agreement), refs=(proposal,))
    assert lifecycle(agreement, pair.views(), pair.clock.now).state == "signed"  # RU's unseen
    pair.deliver(pair.ru, pair.us)  # the US node holds both; RU has not received the US's
    state = lifecycle(agreement, pair.views(), pair.clock.now)
    assert state.state == "signed (awaiting acknowledgement)"
    assert state.entry_into_force is None


def test_successor_adopts_and_continues_the_log(pair: Pair) -> None:
    sign_both(pair)
    us, agreement = pair.us, pair.agreement
    pair.clock.now = dt.datetime(2029, 1, 19, 12, tzinfo=dt.UTC)
    final = us.write("final", actions.final(agreement, "us-1"))
    final_checkpoint = us.node.checkpoint()
    pair.exchange()
    state = lifecycle(agreement, pair.views(), pair.clock.now)
    assert state.parties["US"].state == "succession pending"
    assert state.parties["US"].deadline == pair.clock.now + dt.timedelta(days=90)
    assert state.state == "in force (succession pending)"

    pair.clock.now = dt.datetime(2029, 1, 21, tzinfo=dt.UTC)
    us.use_administration(1)
    ref = actions.checkpoint_ref(us.node.own.origin, final_checkpoint)
    us.write("adopt", actions.adopt(agreement, "us-2", ref), refs=(us.ref(final),))
    pair.exchange()
    state = lifecycle(agreement, pair.views(), pair.clock.now)
    assert state.state == "in force"
    assert state.parties["US"].administration == "us-2"
    assert state.parties["US"].causes[-2:] == [f"US#{final.seq}", f"US#{final.seq + 1}"]
    assert state.findings == []


def test_successor_refuses_and_the_agreement_ends(pair: Pair) -> None:
    sign_both(pair)
    ru, agreement = pair.ru, pair.agreement
    pair.at(dt.datetime(2030, 5, 6, tzinfo=dt.UTC))
    final = ru.write("final", actions.final(agreement, "ru-1"))
    pair.exchange()
    pair.at(dt.datetime(2030, 5, 8, tzinfo=dt.UTC))
    ru.write(
        "refuse", actions.refuse(agreement, "ru-2", "not in our interest"), refs=(ru.ref(final),)
    )
    ru.write("notification", NOTICE)  # business after the agreement ended for RU
    pair.exchange()
    state = lifecycle(agreement, pair.views(), pair.clock.now)
    assert state.parties["RU"].state == "refused"
    assert state.state == "terminated"
    assert [f.entry for f in state.findings] == [f"RU#{final.seq + 2}"]
    assert "after the agreement ended for RU" in state.findings[0].reason


def test_silence_past_the_succession_period_is_refusal(pair: Pair) -> None:
    sign_both(pair)
    us, agreement = pair.us, pair.agreement
    pair.clock.now = dt.datetime(2029, 1, 19, tzinfo=dt.UTC)
    us.write("final", actions.final(agreement, "us-1"))
    pair.exchange()
    day_89 = pair.clock.now + dt.timedelta(days=89)
    assert lifecycle(agreement, pair.views(), day_89).parties["US"].state == "succession pending"
    day_91 = pair.clock.now + dt.timedelta(days=91)
    state = lifecycle(agreement, pair.views(), day_91)
    assert state.parties["US"].state == "refused"
    assert state.state == "terminated"
    assert "refused by silence" in state.findings[0].reason


def test_adoption_by_a_key_that_is_not_the_successors_has_no_effect(pair: Pair) -> None:
    sign_both(pair)
    us, agreement = pair.us, pair.agreement
    pair.clock.now = dt.datetime(2029, 1, 19, tzinfo=dt.UTC)
    final = us.write("final", actions.final(agreement, "us-1"))
    checkpoint = us.node.checkpoint()
    ref = actions.checkpoint_ref(us.node.own.origin, checkpoint)
    # the outgoing administration tries to adopt for its successor
    adopt = us.write("adopt", actions.adopt(agreement, "us-2", ref), refs=(us.ref(final),))
    pair.exchange()
    state = lifecycle(agreement, pair.views(), pair.clock.now)
    assert state.parties["US"].state == "succession pending"
    assert [f.entry for f in state.findings] == [f"US#{adopt.seq}"]
    assert "the successor of us-1 is us-2" in state.findings[0].reason


def test_declarations_before_entry_into_force_and_foreign_text_are_findings(pair: Pair) -> None:
    us, ru, agreement = pair.us, pair.ru, pair.agreement
    early = us.write("notification", NOTICE)
    other = agreement.model_copy(update={"title": "Another text"})
    foreign = ru.write("propose", actions.propose(other))
    sign_both(pair)
    state = lifecycle(agreement, pair.views(), pair.clock.now)
    assert state.state == "in force"
    found = {f.entry: (f.severity, f.reason) for f in state.findings}
    assert found == {
        f"RU#{foreign.seq}": (
            "violation",
            "proposes another text (text_sha256 differs from the agreement's)",
        ),
        # no agreement bound the US yet: the entry breaks no rule, it has no effect
        f"US#{early.seq}": (
            "notice",
            "notification written before the agreement entered into force: "
            "no effect under the agreement",
        ),
    }


def test_entries_written_while_no_agreement_exists_are_notices_not_violations(
    pair: Pair,
) -> None:
    us = pair.us
    early = us.write("notification", NOTICE)
    pair.exchange()
    state = lifecycle(pair.agreement, pair.views(), pair.clock.now)
    assert state.state == "not proposed"
    assert [(f.entry, f.severity) for f in state.findings] == [(f"US#{early.seq}", "notice")]


def test_business_in_the_same_second_as_the_final_entry_is_placed_by_its_log_position(
    pair: Pair,
) -> None:
    # Entry times have whole seconds: a notification written just before the final entry in the
    # same second is agreement business of the outgoing administration, one written just after
    # it is written during the succession.
    sign_both(pair)
    us, agreement = pair.us, pair.agreement
    pair.clock.now = dt.datetime(2029, 1, 19, 12, tzinfo=dt.UTC)
    before = us.write("notification", NOTICE)
    final = us.write("final", actions.final(agreement, "us-1"))
    after = us.write("notification", NOTICE)
    assert before.seq < final.seq < after.seq
    pair.exchange()
    state = lifecycle(agreement, pair.views(), pair.clock.now)
    assert [f.entry for f in state.findings] == [f"US#{after.seq}"]
    assert "during the succession" in state.findings[0].reason
