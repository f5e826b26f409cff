"""Compliance from the two logs: each rule of glasnost.treaty.compliance met and broken, with the
exact due times (UTC), statuses and finding texts, on two in-process nodes at chosen times.

The agreement is the built-in one (baseline 45 days after entry into force, updates as of
2027-03-01 due 2027-03-31, change notices within 5 days, interceptor tests notified 10 days
ahead, post-event notices within 48 h, acknowledgements within 24 h, answers within 30 days,
1,550 deployed warheads from 2027-02-05). The parties sign once per module, at START + 1 h,
and exchange 5 minutes later: entry into force is 2026-01-10T10:05:00Z; each test starts from
a copy of those two nodes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from glasnost.exchange.commitments import commitment_of
from glasnost.scenario.builtin import builtin_scenario
from glasnost.treaty import actions
from glasnost.treaty.agreement import builtin_agreement
from glasnost.treaty.bodies import Declaration, PlannedChange, Ref
from glasnost.treaty.compliance import STATUSES, Compliance, Obligation, compliance
from glasnost.treaty.declarations import Notice, review
from glasnost.treaty.postures import declaration_from_scenario
from tests.integration.treaty.conftest import Pair, Side, copy_pair, new_pair, sign_both

pytestmark = pytest.mark.integration

UTC = dt.UTC
EIF = dt.datetime(2026, 1, 10, 10, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """Two nodes after US#0 propose, US#1 and RU#0 sign, exchanged: in force at EIF."""
    pair = new_pair(tmp_path_factory.mktemp("signed"))
    sign_both(pair)
    assert pair.clock.now == EIF
    return pair


@pytest.fixture
def pair(signed: Pair, tmp_path: Path) -> Pair:
    """Here, a copy of the two nodes of ``signed`` for each test, its clock at entry into
    force (the module's one set-up is copied rather than redone)."""
    return copy_pair(signed, tmp_path)


def at(pair: Pair, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> None:
    """Set the shared clock (UTC)."""
    pair.clock.now = dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def declaration(party: str, kind: str = "baseline", as_of: dt.date | None = None) -> Declaration:
    """The party's posture in the built-in scenario (its date: 2025-01-01)."""
    return declaration_from_scenario(builtin_scenario("us-ru"), party, kind=kind, as_of=as_of)


def report(pair: Pair, when: dt.datetime | None = None) -> Compliance:
    return compliance(pair.agreement, pair.views(), when or pair.clock.now)


def rows(result: Compliance, kind: str) -> list[Obligation]:
    return [o for o in result.obligations if o.kind == kind]


def found(result: Compliance, *kinds: str) -> list[tuple[str, str | None, str]]:
    """(kind, entry, reason) of the findings of these kinds."""
    return [(f.kind, f.entry, f.reason) for f in result.findings if f.kind in kinds]


def ref(side: Side, seq: int) -> str:
    return f"{side.party}#{seq}"


NOTICE: dict[str, Any] = {
    "event_type": "interceptor_test",
    "phase": "pre_event",
    "window_start": "2026-03-01T00:00:00Z",
    "window_end": "2026-03-02T00:00:00Z",
    "details": "flight test against an intermediate-range target",
}


# --- 1. baseline --------------------------------------------------------------------------------


def test_baseline_met(pair: Pair) -> None:
    at(pair, 2026, 1, 20, 12)
    us = pair.us.write("declaration", declaration("US"))
    ru = pair.ru.write("declaration", declaration("RU"))
    pair.exchange()
    result = report(pair)
    due = EIF + dt.timedelta(days=45)
    assert [
        (o.party, o.due, o.status, o.entry, o.received_at) for o in rows(result, "baseline")
    ] == [
        ("US", due, "met", ref(pair.us, us.seq), pair.clock.now),
        ("RU", due, "met", ref(pair.ru, ru.seq), pair.clock.now),
    ]
    assert result.findings == []
    assert result.lifecycle.state == "in force"


def test_baseline_late_and_missing(pair: Pair) -> None:
    at(pair, 2026, 3, 1, 10, 5)  # 50 days after entry into force
    us = pair.us.write("declaration", declaration("US"))
    pair.exchange()
    result = report(pair)
    assert [(o.party, o.status) for o in rows(result, "baseline")] == [
        ("US", "late"),
        ("RU", "missing"),
    ]
    allowed = "45 days after entry into force at 2026-01-10T10:05:00Z"
    assert found(result, "late", "missing") == [
        (
            "late",
            ref(pair.us, us.seq),
            "baseline declaration received 2026-03-01T10:05:00Z, 5 days after the due time "
            f"2026-02-24T10:05:00Z ({allowed})",
        ),
        (
            "missing",
            None,
            f"baseline declaration not received by the due time 2026-02-24T10:05:00Z ({allowed})",
        ),
    ]


def test_baseline_missing_once_the_due_time_passes(pair: Pair) -> None:
    due = EIF + dt.timedelta(days=45)
    before = report(pair, due)
    assert {o.status for o in rows(before, "baseline")} == {"not yet due"}
    assert before.findings == []
    after = report(pair, due + dt.timedelta(seconds=1))
    assert [(o.party, o.status, o.entry) for o in rows(after, "baseline")] == [
        ("US", "missing", None),
        ("RU", "missing", None),
    ]
    assert [f.party for f in after.findings] == ["US", "RU"]


def test_nothing_falls_due_after_a_withdrawal_but_what_was_done_counts(pair: Pair) -> None:
    at(pair, 2026, 1, 15)
    us = pair.us.write("declaration", declaration("US"))
    pair.exchange()
    at(pair, 2026, 1, 20)
    pair.ru.write("withdraw", actions.withdraw(pair.agreement, dt.date(2026, 1, 20), "no longer"))
    pair.exchange()
    result = report(pair, dt.datetime(2026, 6, 1, tzinfo=UTC))
    assert result.lifecycle.state == "terminated"
    # the baselines were due on 2026-02-24, after the end: the one received before it counts
    assert [(o.party, o.kind, o.status, o.entry) for o in result.obligations] == [
        ("US", "baseline", "met", ref(pair.us, us.seq))
    ]
    assert result.acknowledgements["RU"].counts["met"] == 1  # the US baseline
    assert result.acknowledgements["US"].counts == dict.fromkeys(STATUSES, 0)
    assert result.findings == []


def test_baseline_written_but_not_received_is_missing(pair: Pair) -> None:
    at(pair, 2026, 2, 20)
    us = pair.us.write("declaration", declaration("US"))  # never delivered to RU
    result = report(pair, dt.datetime(2026, 2, 25, tzinfo=UTC))
    assert rows(result, "baseline")[0].status == "missing"
    assert found(result, "missing")[0] == (
        "missing",
        ref(pair.us, us.seq),
        "baseline declaration written 2026-02-20T00:00:00Z but not received by the due time "
        "2026-02-24T10:05:00Z (45 days after entry into force at 2026-01-10T10:05:00Z)",
    )


def test_incomplete_baseline_by_commitments(pair: Pair) -> None:
    """A posture in clear covers every category (its lists exist, an empty one declares none);
    a declaration by commitments covers only the categories its labels name."""
    at(pair, 2026, 1, 20)
    items = {"interceptor_sites/fort_greely": {"count": 44}, "radars": {"count": 13}}
    committed = Declaration.model_validate(
        {
            "kind": "baseline",
            "as_of": "2026-01-15",
            "commitments": [
                {"label": label, "commitment": commitment_of(item, bytes(32))}
                for label, item in items.items()
            ],
        }
    )
    us = pair.us.write("declaration", committed)
    clear = declaration("RU", as_of=dt.date(2026, 1, 15))
    assert clear.posture is not None
    assert clear.posture.ten_year_plan == ()
    pair.ru.write("declaration", clear)
    pair.exchange()
    result = report(pair)
    assert found(result, "incomplete_declaration") == [
        (
            "incomplete_declaration",
            ref(pair.us, us.seq),
            "baseline as of 2026-01-15 does not cover interceptor_types, launch_bases, "
            "strategic_forces, ten_year_plan (required: interceptor_sites, interceptor_types, "
            "radars, launch_bases, strategic_forces, ten_year_plan)",
        )
    ]
    assert {o.status for o in rows(result, "baseline")} == {"met"}  # on time, if incomplete


# --- 2. periodic updates ------------------------------------------------------------------------


def test_periodic_update_met_and_missing(pair: Pair) -> None:
    at(pair, 2027, 3, 20)
    update = declaration("US", "periodic_update", dt.date(2027, 3, 1))
    us = pair.us.write("declaration", update)
    pair.exchange()
    result = report(pair, dt.datetime(2027, 4, 1, 0, 0, 1, tzinfo=UTC))
    march = [o for o in rows(result, "periodic_update") if "2027-03-01" in o.description]
    due = dt.datetime(2027, 4, 1, tzinfo=UTC)  # the end of 2027-03-31
    assert [(o.party, o.due, o.status, o.entry) for o in march] == [
        ("US", due, "met", ref(pair.us, us.seq)),
        ("RU", due, "missing", None),
    ]
    later = [o.status for o in rows(result, "periodic_update") if o not in march]
    assert later == ["not yet due"] * 6  # 2027-09-01, 2028-03-01, 2028-09-01, for both
    assert (
        "missing",
        None,
        "periodic update as of 2027-03-01 not received by the due time 2027-04-01T00:00:00Z "
        "(due by the end of 2027-03-31)",
    ) in found(result, "missing")


# --- 4. notifications ---------------------------------------------------------------------------


def test_pre_event_notification_on_time_and_too_late(pair: Pair) -> None:
    at(pair, 2026, 2, 10)
    timely = pair.us.write("notification", NOTICE)
    pair.exchange()
    at(pair, 2026, 2, 25, 10)
    tardy = pair.ru.write("notification", {**NOTICE, "details": "interceptor test"})
    pair.exchange()
    result = report(pair)
    due = dt.datetime(2026, 2, 19, tzinfo=UTC)  # 10 days before the window opens
    assert [
        (o.party, o.due, o.status, o.entry) for o in rows(result, "pre_event_notification")
    ] == [
        ("US", due, "met", ref(pair.us, timely.seq)),
        ("RU", due, "late", ref(pair.ru, tardy.seq)),
    ]
    assert found(result, "late") == [
        (
            "late",
            ref(pair.ru, tardy.seq),
            "pre-event notification of interceptor_test received 2026-02-25T10:00:00Z, "
            "3 days 14 h before the window (10 days required)",
        )
    ]
    assert {o.status for o in rows(result, "post_event_notification")} == {"not yet due"}


def test_post_event_notification_late_and_unannounced_event(pair: Pair) -> None:
    at(pair, 2026, 2, 10)
    pre = pair.us.write("notification", NOTICE)
    pair.exchange()
    at(pair, 2026, 3, 5, 12)
    post = pair.us.write(
        "notification", {**NOTICE, "phase": "post_event"}, refs=(pair.us.ref(pre),)
    )
    launch = {
        **NOTICE,
        "event_type": "missile_test_launch",
        "phase": "post_event",
        "window_start": "2026-03-04T06:00:00Z",
        "window_end": "2026-03-04T07:00:00Z",
    }
    unannounced = pair.ru.write("notification", launch)
    pair.exchange()
    result = report(pair)
    posts = rows(result, "post_event_notification")
    assert [(o.party, o.due, o.status, o.entry, o.cause) for o in posts] == [
        ("US", dt.datetime(2026, 3, 4, tzinfo=UTC), "late", f"US#{post.seq}", f"US#{pre.seq}"),
        ("RU", dt.datetime(2026, 3, 6, 7, tzinfo=UTC), "met", ref(pair.ru, unannounced.seq), None),
    ]
    notices = [f for f in found(result, "late", "missing") if "notification" in f[2]]
    assert notices == [
        (
            "late",
            f"US#{post.seq}",
            f"post-event notification of the interceptor_test announced by US#{pre.seq} (window "
            "closes 2026-03-02T00:00:00Z) received 2026-03-05T12:00:00Z, 36 h after the due time "
            "2026-03-04T00:00:00Z (48 h after the window closes)",
        ),
        (
            "missing",
            ref(pair.ru, unannounced.seq),
            f"pre-event notification of the missile_test_launch reported by RU#{unannounced.seq} "
            "(window opened 2026-03-04T06:00:00Z) not received by the due time "
            "2026-03-03T06:00:00Z (24 h required)",
        ),
    ]


# --- 5. acknowledgements ------------------------------------------------------------------------


def test_acknowledgement_overdue_then_late(pair: Pair) -> None:
    at(pair, 2026, 2, 1, 8)
    notice = pair.us.write("notification", NOTICE)
    pair.deliver(pair.ru, pair.us)  # RU's log reaches the US; the US entry does not reach RU
    at(pair, 2026, 2, 3, 8)
    overdue = report(pair)
    assert overdue.acknowledgements["RU"].counts == {
        "met": 0,
        "late": 0,
        "missing": 1,
        "not yet due": 0,
    }
    assert [
        (o.party, o.entry, o.due, o.status) for o in overdue.acknowledgements["RU"].exceptions
    ] == [("RU", ref(pair.us, notice.seq), dt.datetime(2026, 2, 2, 8, tzinfo=UTC), "missing")]
    assert found(overdue, "overdue_acknowledgement") == [
        (
            "overdue_acknowledgement",
            ref(pair.us, notice.seq),
            f"notification US#{notice.seq} written 2026-02-01T08:00:00Z not acknowledged by RU "
            "48 h after it was written (24 h allowed)",
        )
    ]
    at(pair, 2026, 2, 4, 8)
    pair.exchange()
    late = report(pair)
    assert late.acknowledgements["RU"].counts["late"] == 1
    assert late.acknowledgements["US"].counts == dict.fromkeys(
        late.acknowledgements["US"].counts, 0
    )
    assert found(late, "overdue_acknowledgement")[0][2] == (
        f"notification US#{notice.seq} written 2026-02-01T08:00:00Z acknowledged by RU 3 days "
        "after it was written (24 h allowed)"
    )


# --- 6. responses -------------------------------------------------------------------------------


def test_objection_answered_in_time_and_unanswered_past_30_days(pair: Pair) -> None:
    at(pair, 2026, 1, 20)
    baseline = pair.ru.ref(pair.ru.write("declaration", declaration("RU")))
    pair.exchange()
    at(pair, 2026, 1, 21)
    objection = {"subject": "Voronezh radars", "reason": "sector not declared"}
    first = pair.us.write("objection", objection, refs=(baseline,))
    second = pair.us.write("objection", {**objection, "subject": "Moscow A-135"}, refs=(baseline,))
    pair.exchange()
    at(pair, 2026, 2, 10)
    answer = pair.ru.write(
        "clarification", {"answers": ["declared in full"]}, refs=(pair.us.ref(first),)
    )
    pair.exchange()
    result = report(pair, dt.datetime(2026, 2, 20, 0, 0, 1, tzinfo=UTC))
    due = dt.datetime(2026, 2, 20, tzinfo=UTC)  # 30 days after receipt on 2026-01-21
    assert [
        (o.party, o.due, o.status, o.entry, o.cause) for o in rows(result, "objection_response")
    ] == [
        ("RU", due, "met", ref(pair.ru, answer.seq), ref(pair.us, first.seq)),
        ("RU", due, "missing", None, ref(pair.us, second.seq)),
    ]
    assert found(result, "unanswered") == [
        (
            "unanswered",
            ref(pair.us, second.seq),
            f"answer to the objection US#{second.seq} (Moscow A-135) not received by the due "
            "time 2026-02-20T00:00:00Z (30 days after receipt)",
        )
    ]


def test_clarification_request_with_an_earlier_response_due(pair: Pair) -> None:
    at(pair, 2026, 2, 1)
    request = pair.us.write(
        "clarification_request",
        {"questions": ["Where is the new radar?"], "response_due": "2026-02-08T00:00:00Z"},
    )
    pair.exchange()
    at(pair, 2026, 2, 11)
    answer = pair.ru.write(
        "clarification", {"answers": ["Not built yet."]}, refs=(pair.us.ref(request),)
    )
    pair.exchange()
    result = report(pair)
    [row] = rows(result, "clarification_response")
    assert (row.due, row.status, row.entry) == (
        dt.datetime(2026, 2, 8, tzinfo=UTC),  # not 2026-03-03, 30 days after receipt
        "late",
        ref(pair.ru, answer.seq),
    )
    assert found(result, "late") == [
        (
            "late",
            ref(pair.ru, answer.seq),
            f"answer to the clarification request US#{request.seq} received "
            "2026-02-11T00:00:00Z, 3 days after the due time 2026-02-08T00:00:00Z (the "
            "response due time set by the request)",
        )
    ]


# --- 7. reductions ------------------------------------------------------------------------------


def test_deployed_warheads_over_the_limit_after_the_step_date(pair: Pair) -> None:
    at(pair, 2026, 1, 20)
    ru_base = pair.ru.write("declaration", declaration("RU", as_of=dt.date(2026, 1, 15)))
    pair.us.write("declaration", declaration("US", as_of=dt.date(2026, 1, 15)))
    pair.exchange()
    at(pair, 2027, 3, 10)
    ru_update = pair.ru.write(
        "declaration", declaration("RU", "periodic_update", dt.date(2027, 3, 1))
    )
    pair.us.write("declaration", declaration("US", "periodic_update", dt.date(2027, 3, 1)))
    pair.exchange()
    result = report(pair)
    # the built-in Russian forces: 1,604 deployed warheads on 376 deployed launchers
    assert found(result, "reduction") == [
        (
            "reduction",
            ref(pair.ru, ru_update.seq),
            "periodic update as of 2027-03-01: 1,604 deployed warheads exceed the limit of "
            "1,550 in effect since 2027-02-05",
        )
    ]
    series = [p.to_json() for p in result.reductions["RU"]]
    limits = {
        "by": "2027-02-05",
        "deployed_launchers": 700,
        "deployed_warheads": 1550,
        "total_launchers": 800,
    }
    assert series == [
        {
            "entry": ref(pair.ru, ru_base.seq),
            "as_of": "2026-01-15",
            "deployed_launchers": 376,
            "deployed_warheads": 1604,
            "total_launchers": 376,
            "limits": None,
            "over": [],
        },
        {
            "entry": ref(pair.ru, ru_update.seq),
            "as_of": "2027-03-01",
            "deployed_launchers": 376,
            "deployed_warheads": 1604,
            "total_launchers": 376,
            "limits": limits,
            "over": [
                "1,604 deployed warheads exceed the limit of 1,550 in effect since 2027-02-05"
            ],
        },
    ]
    assert [
        (p.deployed_warheads, p.limits is not None, p.over) for p in result.reductions["US"]
    ] == [
        (720, False, ()),
        (720, True, ()),
    ]


# --- 3 and 8. change notices, updates that add up -----------------------------------------------


def changed_posture(
    plan: tuple[PlannedChange, ...], kind: str = "change", as_of: dt.date = dt.date(2026, 2, 1)
) -> Declaration:
    """The US posture with a new interceptor site and 4 more interceptors at Fort Greely,
    declaring ``plan``."""
    base = declaration("US", kind, as_of)
    assert base.posture is not None
    party = base.posture.party
    greely = party.interceptor_sites[0]
    assert greely.id == "fort_greely"
    sites = (
        greely.model_copy(update={"count": greely.count + 4}),
        *party.interceptor_sites[1:],
        greely.model_copy(update={"id": "delta_junction", "name": "Delta Junction"}),
    )
    posture = base.posture.model_copy(
        update={
            "party": party.model_copy(update={"interceptor_sites": sites}),
            "ten_year_plan": plan,
        }
    )
    return Declaration.model_validate({**base.model_dump(), "posture": posture.model_dump()})


def declare_then_change(pair: Pair, change: Declaration) -> tuple[int, int]:
    """A US baseline as of 2026-01-15, then ``change`` written on 2026-02-03: their seqs."""
    at(pair, 2026, 1, 20)
    base = pair.us.write("declaration", declaration("US", as_of=dt.date(2026, 1, 15)))
    pair.exchange()
    at(pair, 2026, 2, 3)
    written = pair.us.write("declaration", change)
    pair.exchange()
    return base.seq, written.seq


def test_inconsistent_update_changes_sites_without_a_declared_change(pair: Pair) -> None:
    base, seq = declare_then_change(pair, changed_posture(()))
    result = report(pair)
    prefix = f"inconsistent update: change as of 2026-02-01 against US#{base} (as of 2026-01-15): "
    window = "dated after 2026-01-15 up to 2026-02-01 in the ten-year plan"
    assert found(result, "inconsistent_update") == [
        (
            "inconsistent_update",
            f"US#{seq}",
            f"{prefix}interceptor site delta_junction added without a declared change (no "
            f"'add' of delta_junction {window})",
        ),
        (
            "inconsistent_update",
            f"US#{seq}",
            f"{prefix}interceptor site fort_greely modified (count 40 -> 44) without a declared "
            f"change (no 'modify' of fort_greely {window})",
        ),
    ]
    [notice] = rows(result, "change_notice")  # no declared change: counted from as_of
    assert (notice.due, notice.status) == (dt.datetime(2026, 2, 6, tzinfo=UTC), "met")


def test_consistent_update_with_its_declared_changes(pair: Pair) -> None:
    plan = (
        PlannedChange(
            date=dt.date(2026, 1, 28),
            action="add",
            kind="interceptor_site",
            item_id="delta_junction",
            description="new silo field",
        ),
        PlannedChange(
            date=dt.date(2026, 1, 30),
            action="modify",
            kind="interceptor_site",
            item_id="fort_greely",
            description="four more interceptors",
        ),
        PlannedChange(
            date=dt.date(2027, 6, 1),
            action="remove",
            kind="radar",
            item_id="cobra_dane",
            description="retirement (planned, not yet due)",
        ),
    )
    _, seq = declare_then_change(pair, changed_posture(plan))
    result = report(pair)
    assert found(result, "inconsistent_update") == []
    [notice] = rows(result, "change_notice")
    assert notice.description == (
        "notice of the change of 2026-01-28 (interceptor site delta_junction added; "
        "interceptor site fort_greely modified (count 40 -> 44))"
    )
    assert (notice.due, notice.status, notice.entry) == (
        dt.datetime(2026, 2, 2, tzinfo=UTC),  # 5 days after the earliest change
        "late",
        f"US#{seq}",
    )


def test_periodic_update_that_shows_an_unnotified_change(pair: Pair) -> None:
    """A change that first appears in a periodic update was not notified by a change
    declaration: the update is its notice, late here."""
    plan = (
        PlannedChange(
            date=dt.date(2027, 2, 1),
            action="add",
            kind="interceptor_site",
            item_id="delta_junction",
            description="new silo field",
        ),
        PlannedChange(
            date=dt.date(2027, 2, 1),
            action="modify",
            kind="interceptor_site",
            item_id="fort_greely",
            description="four more interceptors",
        ),
    )
    update = changed_posture(plan, "periodic_update", dt.date(2027, 3, 1))
    at(pair, 2026, 1, 20)
    pair.us.write("declaration", declaration("US", as_of=dt.date(2026, 1, 15)))
    pair.exchange()
    at(pair, 2027, 3, 10)
    seq = pair.us.write("declaration", update).seq
    pair.exchange()
    result = report(pair)
    assert found(result, "inconsistent_update") == []
    [notice] = rows(result, "change_notice")
    assert (notice.due, notice.status, notice.entry) == (
        dt.datetime(2027, 2, 6, tzinfo=UTC),
        "late",
        f"US#{seq}",
    )


def test_update_as_of_before_a_notified_change_is_compared_with_the_state_before_it() -> None:
    """A periodic update as of 1 March written after a change notified as of 5 March is
    compared with the baseline, not with the change (and shows nothing to notify); the next
    update is compared with the change."""
    added = PlannedChange(
        date=dt.date(2027, 3, 3),
        action="add",
        kind="interceptor_site",
        item_id="delta_junction",
        description="new silo field",
    )
    more = added.model_copy(update={"action": "modify", "item_id": "fort_greely"})
    declared = [
        ("US#2", declaration("US", as_of=dt.date(2027, 1, 15))),
        ("US#3", changed_posture((added, more), "change", dt.date(2027, 3, 5))),
        ("US#4", declaration("US", "periodic_update", dt.date(2027, 3, 1))),
        ("US#5", changed_posture((added, more), "periodic_update", dt.date(2027, 9, 1))),
    ]
    checked = review(builtin_agreement(), "US", declared)
    assert checked.findings == []
    assert checked.notices == [
        Notice(
            "US#3",
            dt.date(2027, 3, 3),
            "interceptor site delta_junction added; interceptor site fort_greely modified "
            "(count 40 -> 44)",
        )
    ]
    assert [p.entry for p in checked.series] == ["US#2", "US#4", "US#3", "US#5"]  # by as_of


# --- 9. assessments -----------------------------------------------------------------------------


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_assessments_classified_by_the_entries_that_ref_them(pair: Pair) -> None:
    at(pair, 2026, 1, 20)
    base = pair.ru.ref(pair.ru.write("declaration", declaration("RU")))
    pair.exchange()
    at(pair, 2026, 2, 1)

    def assess(result: str) -> Ref:
        body = {
            "scenario_sha256": digest("scenario"),
            "result_sha256": digest(result),
            "software": "glasnost 0.1.0",
            "verdict": "pass",
        }
        return pair.us.ref(pair.us.write("assessment", body, refs=(base,)))

    pending, confirmed, disputed, wrong = (assess(r) for r in ("a", "b", "c", "d"))
    pair.exchange()
    at(pair, 2026, 2, 2)
    confirm: Callable[[Ref, str], Any] = lambda a, r: pair.ru.write(  # noqa: E731
        "confirmation", {"result_sha256": digest(r)}, refs=(a,)
    )
    confirm(confirmed, "b")
    pair.ru.write("confirmation", {"result_sha256": digest("c")}, refs=(disputed,))
    answer = pair.ru.write("dispute", {"reason": "launch bases differ"}, refs=(disputed,))
    other = confirm(wrong, "x")
    pair.exchange()
    result = report(pair)
    assert [(a.entry, a.status, a.answer, a.note) for a in result.assessments] == [
        (f"US#{pending.seq}", "pending", None, ""),
        (f"US#{confirmed.seq}", "confirmed", f"RU#{answer.seq - 2}", ""),
        (f"US#{disputed.seq}", "disputed", f"RU#{answer.seq}", "launch bases differ"),
        (
            f"US#{wrong.seq}",
            "disputed",
            f"RU#{other.seq}",
            "the confirmation carries another result digest",
        ),
    ]
    assert not [f for f in result.findings if f.kind == "unknown_reference"]


def test_confirmation_of_an_unknown_assessment_is_a_finding(pair: Pair) -> None:
    at(pair, 2026, 1, 20)
    base = pair.ru.ref(pair.ru.write("declaration", declaration("RU")))  # not an assessment
    forged = Ref(party="US", seq=base.seq, hash=digest("no such entry"))
    pair.exchange()
    at(pair, 2026, 2, 2)
    by_ref = pair.us.write("confirmation", {"result_sha256": digest("r")}, refs=(base,))
    by_hash = pair.us.write("dispute", {"reason": "it differs"}, refs=(forged,))
    pair.exchange()
    found = [(f.entry, f.reason) for f in report(pair).findings if f.kind == "unknown_reference"]
    assert found == [
        (
            f"US#{by_ref.seq}",
            f"confirmation of an unknown assessment (refs RU#{base.seq}: no assessment of the "
            "other party with that position and hash is in the logs)",
        ),
        (
            f"US#{by_hash.seq}",
            f"dispute of an unknown assessment (refs US#{base.seq}: no assessment of the "
            "other party with that position and hash is in the logs)",
        ),
    ]


# --- the same report from either node -----------------------------------------------------------


def test_the_report_is_the_same_from_either_node(pair: Pair) -> None:
    at(pair, 2026, 1, 20)
    base = pair.ru.ref(pair.ru.write("declaration", declaration("RU")))
    pair.us.write("notification", NOTICE)
    pair.exchange()
    at(pair, 2026, 3, 1)
    pair.us.write("declaration", declaration("US"))  # late
    pair.us.write("objection", {"subject": "radars", "reason": "sector"}, refs=(base,))
    pair.exchange()
    at(pair, 2026, 4, 15)
    when = pair.clock.now
    us_view = report(pair, when).to_json()
    ru_view = compliance(pair.agreement, pair.views(pair.ru), when).to_json()
    assert us_view == ru_view
    # met: RU's baseline, the pre-event notice; late: the US baseline; missing: the
    # post-event notice and the answer to the objection; not yet due: the periodic updates
    assert us_view["summary"] == {"met": 2, "late": 1, "missing": 2, "not yet due": 8}


def test_no_obligations_before_entry_into_force(tmp_path: Path) -> None:
    pair = new_pair(tmp_path)
    pair.us.write("propose", actions.propose(pair.agreement))
    pair.exchange()
    result = report(pair, dt.datetime(2027, 1, 1, tzinfo=UTC))
    assert result.obligations == []
    assert result.acknowledgements == {}
    assert result.lifecycle.state == "proposed"
