"""Compliance with the agreement, read from the two logs: every obligation with its due time
(UTC) and status, the acknowledgements, the declared strategic forces against the reduction
limits, the state of the assessments, and the findings.

An obligation is met when the entry that fulfils it is *received* by its due time; received
means acknowledged, at the other party's cosignature time (:mod:`glasnost.treaty.logs`), as
New START counts a notification from its receipt. Status: ``met`` (received by the due time),
``late`` (received after it), ``missing`` (not received, and the due time has passed), ``not
yet due``. A report for a past time ``at`` sees only what was written and received by then.

Obligations run while the agreement is in force: from entry into force (the receipt of the last
signature, :func:`~glasnost.treaty.lifecycle.lifecycle`) to its expiry or termination (a
successor's refusal, by silence or not, or a withdrawal ends it for both parties). An
obligation due after the end is owed only if it was fulfilled before the end (it then shows as
met), and only entries written before the end start obligations. A suspension
moves no deadline: what falls due is listed, and the lifecycle shows the suspension beside it.
An entry the lifecycle rejects (written before entry into force, during a succession, after the
end) has no effect and fulfils nothing.

The rules; each late or missing obligation is also a finding, in words:

1. **Baseline** (obligation ``baseline``): each party's ``declaration`` of kind ``baseline``,
   due ``declarations.baseline_within_days`` after entry into force; the earliest received
   counts. Every baseline and periodic update covers ``declarations.categories``
   (:func:`~glasnost.treaty.declarations.missing_categories`), else an
   ``incomplete_declaration`` finding.
2. **Periodic updates** (``periodic_update``): for each scheduled update with ``as_of`` on or
   after the day of entry into force, a ``periodic_update`` declaration with that ``as_of``,
   due at the end of the ``due`` day (24:00 UTC).
3. **Change notices** (``change_notice``): a change of the declared posture is notified within
   ``declarations.change_notice_days`` of the change, counted from 00:00 UTC of the date of the
   earliest change the notice is the first to show (the date of its declared change, rule 8)
   or, when it shows none, of its ``as_of``. Every ``change`` declaration is such a notice, and
   so is a ``periodic_update`` that is the first to show a change
   (:func:`~glasnost.treaty.declarations.review`).
4. **Notifications**: a ``pre_event`` notification is received ``lead_time(event_type)`` before
   its window opens (``pre_event_notification``). Each calls for a ``post_event`` notification
   (``post_event_notification``) within ``notifications.post_event_within_hours`` of the window's
   close: the party's ``post_event`` notification that refs it or, failing that, one of the same
   event type whose window overlaps. A ``post_event`` notification that answers no pre-event
   one is due after its own window and, when its event type has a lead time, shows a
   ``missing`` pre-event notification.
5. **Acknowledgements** (``acknowledgement``): every entry written while the agreement is in
   force is received (cosigned) by the other party within ``acknowledgement_hours`` of its
   ``created_at``: the receiving party's obligation. Counted per party; only the late and the
   missing ones are listed (``overdue_acknowledgement`` findings).
6. **Responses**: an ``objection`` is answered by an entry of the other party that refs it,
   received within ``responses.objection_days`` of the objection's receipt
   (``objection_response``); a ``clarification_request`` by a ``clarification`` that refs it,
   within ``responses.clarification_days`` of its receipt or by its ``response_due`` if that is
   earlier (``clarification_response``). The due time is ``None`` until the objection or request
   is received. No answer by the due time is an ``unanswered`` finding.
7. **Reductions**: every declaration with a posture is a point of its party's series
   (:class:`~glasnost.treaty.declarations.ForcesPoint`); its strategic forces are compared with
   the limits in effect on its ``as_of`` (:meth:`~glasnost.treaty.agreement.Agreement.limits_on`)
   and each count over a limit is a ``reduction`` finding.
8. **Updates add up**: a ``periodic_update`` or ``change`` declaration is the party's previous
   declaration plus the changes it declares, item by item (the rule is stated in
   :mod:`glasnost.treaty.declarations`), else an ``inconsistent_update`` finding.
9. **Lifecycle and assessments**: the lifecycle's findings come first; each ``assessment`` is
   ``confirmed``, ``disputed`` or ``pending`` by the latest ``confirmation`` or ``dispute`` of
   another party that refs it (a confirmation of another result digest counts as a dispute);
   a ``confirmation`` or ``dispute`` that refs no assessment of another party in the logs is an
   ``unknown_reference`` finding.
10. **Receipt times nobody sets alone**: a cosignature dated before its checkpoint's signed
    time or after its receiver's clock plus the allowed skew was refused as a receipt time
    (:mod:`glasnost.treaty.logs`); each is a ``disputed_receipt_time`` finding against its
    author, and no deadline is measured from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from glasnost.exchange.canonical import utc_iso
from glasnost.treaty.agreement import Agreement
from glasnost.treaty.bodies import (
    Assessment,
    Clarification,
    ClarificationRequest,
    Confirmation,
    Declaration,
    Dispute,
    Notification,
    Objection,
)
from glasnost.treaty.declarations import ForcesPoint, review
from glasnost.treaty.findings import Finding
from glasnost.treaty.lifecycle import Lifecycle, lifecycle
from glasnost.treaty.logs import LoggedEntry, LogView, entry_label

__all__ = [
    "STATUSES",
    "Acknowledgements",
    "AssessmentStatus",
    "Compliance",
    "Obligation",
    "compliance",
]

Status = Literal["met", "late", "missing", "not yet due"]
STATUSES: tuple[Status, ...] = ("met", "late", "missing", "not yet due")


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else utc_iso(value)


@dataclass(frozen=True)
class Obligation:
    """One obligation of a party: what, due when (UTC; ``None`` until its period starts), its
    status, the entry that fulfils it (for an acknowledgement: the entry acknowledged) and its
    receipt time, and the entry that started it (an objection, a pre-event notification)."""

    party: str
    kind: str
    description: str
    due: dt.datetime | None
    status: Status
    entry: str | None = None
    received_at: dt.datetime | None = None
    cause: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "due": _iso(self.due), "received_at": _iso(self.received_at)}


@dataclass
class Acknowledgements:
    """How one party acknowledged the other's entries: counts by status; the late and the
    missing acknowledgements listed."""

    party: str
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    exceptions: list[Obligation] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "counts": dict(self.counts),
            "exceptions": [o.to_json() for o in self.exceptions],
        }


@dataclass(frozen=True)
class AssessmentStatus:
    """An assessment entry and where its confirmation stands."""

    entry: str
    party: str
    verdict: str
    status: Literal["pending", "confirmed", "disputed"]
    answer: str | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Compliance:
    """The compliance report at ``at`` (see the module docstring)."""

    at: dt.datetime
    lifecycle: Lifecycle
    obligations: list[Obligation] = field(default_factory=list)
    acknowledgements: dict[str, Acknowledgements] = field(default_factory=dict)
    reductions: dict[str, list[ForcesPoint]] = field(default_factory=dict)
    assessments: list[AssessmentStatus] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> dict[Status, int]:
        """Obligations by status (acknowledgements apart)."""
        counts = dict.fromkeys(STATUSES, 0)
        for obligation in self.obligations:
            counts[obligation.status] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement": self.lifecycle.agreement_id,
            "at": utc_iso(self.at),
            "lifecycle": self.lifecycle.to_json(),
            "summary": dict(self.summary()),
            "obligations": [o.to_json() for o in self.obligations],
            "acknowledgements": {p: a.to_json() for p, a in self.acknowledgements.items()},
            "reductions": {p: [x.to_json() for x in s] for p, s in self.reductions.items()},
            "assessments": [a.to_json() for a in self.assessments],
            "findings": [f.to_json() for f in self.findings],
        }


# --- words and times ----------------------------------------------------------------------------


def _span(delta: dt.timedelta) -> str:
    """A duration in words: ``3 days 14 h`` from 72 hours on, else ``5 h 20 min``."""
    minutes = round(abs(delta).total_seconds() / 60)
    hours, mins = divmod(minutes, 60)
    if hours >= 72:
        days, hours = divmod(hours, 24)
        return f"{days} days" + (f" {hours} h" if hours else "")
    parts = [f"{hours} h"] if hours else []
    if mins or not hours:
        parts.append(f"{mins} min")
    return " ".join(parts)


def _midnight(day: dt.date) -> dt.datetime:
    """00:00 UTC of ``day``."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def _status(due: dt.datetime | None, received: dt.datetime | None, now: dt.datetime) -> Status:
    if received is not None:
        return "met" if due is None or received <= due else "late"
    return "missing" if due is not None and now > due else "not yet due"


def _refs(entry: LoggedEntry, target: LoggedEntry) -> bool:
    """Whether ``entry`` refs ``target`` (position and hash)."""
    return any(
        r.party == target.party and r.seq == target.seq and r.hash == target.hash
        for r in entry.entry.refs
    )


# --- the rules' shared view ---------------------------------------------------------------------


@dataclass
class _Rules:
    """What the rules read (time, period in force, each party's effective entries) and write."""

    agreement: Agreement
    now: dt.datetime
    start: dt.datetime
    end: dt.datetime | None
    entries: dict[str, list[LoggedEntry]]
    result: Compliance
    in_force: bool = True
    """Whether the agreement entered into force: obligations run only then."""

    def received(self, entry: LoggedEntry | None) -> dt.datetime | None:
        """The receipt time, if it happened by ``now``."""
        if entry is None or entry.received_at is None or entry.received_at > self.now:
            return None
        return entry.received_at

    def earliest(self, entries: Sequence[LoggedEntry]) -> LoggedEntry | None:
        """The first received of ``entries``, else the first written."""
        far = dt.datetime.max.replace(tzinfo=dt.UTC)
        return min(entries, key=lambda e: (self.received(e) or far, e.seq), default=None)

    def before_end(self, when: dt.datetime) -> bool:
        return self.end is None or when < self.end

    def owed(self, due: dt.datetime | None, received: dt.datetime | None) -> bool:
        """An obligation is owed when due before the end, or fulfilled before it."""
        fulfilled = received is not None and self.before_end(received)
        return due is None or self.before_end(due) or fulfilled

    def find(self, kind: str, party: str, reason: str, entry: str | None) -> None:
        self.result.findings.append(Finding(kind, party, reason, entry))

    def declarations(self, party: str) -> list[tuple[LoggedEntry, Declaration]]:
        return [
            (e, e.entry.body) for e in self.entries[party] if isinstance(e.entry.body, Declaration)
        ]

    def oblige(
        self,
        party: str,
        kind: str,
        description: str,
        due: dt.datetime | None,
        entry: LoggedEntry | None,
        *,
        allowed: str,
        cause: str | None = None,
        late_reason: Callable[[Obligation], str] | None = None,
        missing_kind: str = "missing",
    ) -> None:
        """Record an obligation if owed and, when late or missing, its finding."""
        received = self.received(entry)
        if not self.owed(due, received):
            return
        status = _status(due, received, self.now)
        ref = None if entry is None else entry.ref
        obligation = Obligation(party, kind, description, due, status, ref, received, cause)
        self.result.obligations.append(obligation)
        if status in ("late", "missing") and due is not None:
            if late_reason is not None and received is not None:
                text = late_reason(obligation)
            elif received is not None:
                text = (
                    f"{description} received {utc_iso(received)}, {_span(received - due)} "
                    f"after the due time {utc_iso(due)} ({allowed})"
                )
            elif entry is not None:
                text = (
                    f"{description} written {utc_iso(entry.created_at)} but not received by "
                    f"the due time {utc_iso(due)} ({allowed})"
                )
            else:
                text = f"{description} not received by the due time {utc_iso(due)} ({allowed})"
            kind_of = "late" if status == "late" else missing_kind
            self.find(kind_of, party, text, ref or cause)


# --- the rules ----------------------------------------------------------------------------------


def _declarations(rules: _Rules) -> None:
    """Rules 1 (with the categories), 3, 7 and 8: the baselines, the change notices, and the
    content of every declaration (:func:`glasnost.treaty.declarations.review`)."""
    days = dt.timedelta(days=rules.agreement.declarations.baseline_within_days)
    notice = dt.timedelta(days=rules.agreement.declarations.change_notice_days)
    due, since = (
        rules.start + days,
        f"{_span(days)} after entry into force at {utc_iso(rules.start)}",
    )
    for party in rules.entries:
        mine = rules.declarations(party)
        checked = review(rules.agreement, party, [(e.ref, body) for e, body in mine])
        rules.result.findings.extend(checked.findings)
        rules.result.reductions[party] = checked.series
        if rules.in_force:
            by_ref = {e.ref: e for e, _ in mine}
            found = rules.earliest([e for e, b in mine if b.kind == "baseline"])
            rules.oblige(party, "baseline", "baseline declaration", due, found, allowed=since)
            for item in checked.notices:
                if not rules.before_end(by_ref[item.entry].created_at):
                    continue
                rules.oblige(
                    party,
                    "change_notice",
                    f"notice of the change of {item.changed} ({item.what})",
                    _midnight(item.changed) + notice,
                    by_ref[item.entry],
                    allowed=f"{_span(notice)} after the change",
                )


def _periodic_updates(rules: _Rules) -> None:
    """Rule 2."""
    for update in rules.agreement.declarations.periodic_updates:
        due = _midnight(update.due + dt.timedelta(days=1))
        if update.as_of < rules.start.date():
            continue
        for party in rules.entries:
            found = rules.earliest(
                [
                    e
                    for e, b in rules.declarations(party)
                    if b.kind == "periodic_update" and b.as_of == update.as_of
                ]
            )
            rules.oblige(
                party,
                "periodic_update",
                f"periodic update as of {update.as_of}",
                due,
                found,
                allowed=f"due by the end of {update.due}",
            )


def _match_posts(
    pres: Sequence[tuple[LoggedEntry, Notification]],
    posts: Sequence[tuple[LoggedEntry, Notification]],
) -> dict[str, LoggedEntry]:
    """Pre-event ref -> its post-event notification: by refs first, then (a post-event one
    without refs) by event type and overlapping window; each answers one pre-event one."""

    def by_refs(pre: LoggedEntry, _: Notification, post: LoggedEntry, __: Notification) -> bool:
        return _refs(post, pre)

    def by_window(_: LoggedEntry, n: Notification, post: LoggedEntry, p: Notification) -> bool:
        overlap = p.window_start <= n.window_end and n.window_start <= p.window_end
        return not post.entry.refs and p.event_type == n.event_type and overlap

    out: dict[str, LoggedEntry] = {}
    for test in (by_refs, by_window):
        for pre, n in pres:
            used = {e.ref for e in out.values()}
            post = next(
                (
                    e
                    for e, p in posts
                    if pre.ref not in out and e.ref not in used and test(pre, n, e, p)
                ),
                None,
            )
            if post is not None:
                out[pre.ref] = post
    return out


def _ahead(lead: dt.timedelta, event: str, opens: dt.datetime) -> Callable[[Obligation], str]:
    """The words for a pre-event notification received late: how long before the window."""

    def reason(o: Obligation) -> str:
        ahead = opens - (o.received_at or opens)
        when = "before the window" if ahead >= dt.timedelta(0) else "after the window opened"
        return (
            f"pre-event notification of {event} received {_iso(o.received_at)}, "
            f"{_span(ahead)} {when} ({_span(lead)} required)"
        )

    return reason


def _notifications(rules: _Rules) -> None:
    """Rule 4."""
    after = dt.timedelta(hours=rules.agreement.notifications.post_event_within_hours)
    allowed = f"{_span(after)} after the window closes"
    for party in rules.entries:
        notes = [
            (e, e.entry.body)
            for e in rules.entries[party]
            if isinstance(e.entry.body, Notification) and rules.before_end(e.created_at)
        ]
        pres = [(e, n) for e, n in notes if n.phase == "pre_event"]
        posts = [(e, n) for e, n in notes if n.phase == "post_event"]
        answers = _match_posts(pres, posts)
        for entry, n in pres:
            lead = rules.agreement.lead_time(n.event_type)
            rules.oblige(
                party,
                "pre_event_notification",
                f"pre-event notification of {n.event_type} (window opens "
                f"{utc_iso(n.window_start)})",
                n.window_start - lead,
                entry,
                allowed=f"{_span(lead)} required",
                late_reason=_ahead(lead, n.event_type, n.window_start),
            )
            rules.oblige(
                party,
                "post_event_notification",
                f"post-event notification of the {n.event_type} announced by {entry.ref} "
                f"(window closes {utc_iso(n.window_end)})",
                n.window_end + after,
                answers.get(entry.ref),
                allowed=allowed,
                cause=entry.ref,
            )
        answered = {e.ref for e in answers.values()}
        for entry, n in posts:
            if entry.ref in answered:
                continue
            rules.oblige(
                party,
                "post_event_notification",
                f"post-event notification of {n.event_type} (window closed "
                f"{utc_iso(n.window_end)})",
                n.window_end + after,
                entry,
                allowed=allowed,
            )
            lead = rules.agreement.lead_time(n.event_type)
            if lead > dt.timedelta(0):
                rules.oblige(
                    party,
                    "pre_event_notification",
                    f"pre-event notification of the {n.event_type} reported by {entry.ref} "
                    f"(window opened {utc_iso(n.window_start)})",
                    n.window_start - lead,
                    None,
                    allowed=f"{_span(lead)} required",
                    cause=entry.ref,
                )


def _acknowledgements(rules: _Rules, logs: Mapping[str, LogView]) -> None:
    """Rule 5 (every entry, including those the lifecycle rejects: receipt is about the log)."""
    allowed = dt.timedelta(hours=rules.agreement.acknowledgement_hours)
    for author in rules.entries:
        for party in rules.entries:
            if party == author:
                continue
            summary = rules.result.acknowledgements.setdefault(party, Acknowledgements(party))
            for entry in logs.get(author, ()):
                written = entry.created_at
                if written > rules.now or written < rules.start or not rules.before_end(written):
                    continue
                due, received = written + allowed, rules.received(entry)
                if not rules.owed(due, received):
                    continue
                status = _status(due, received, rules.now)
                summary.counts[status] += 1
                if status not in ("late", "missing"):
                    continue
                summary.exceptions.append(
                    Obligation(
                        party,
                        "acknowledgement",
                        f"acknowledgement of {entry.type} {entry.ref}",
                        due,
                        status,
                        entry.ref,
                        received,
                    )
                )
                how = "acknowledged" if received is not None else "not acknowledged"
                text = (
                    f"{entry.type} {entry.ref} written {utc_iso(written)} {how} by {party} "
                    f"{_span((received or rules.now) - written)} after it was written "
                    f"({_span(allowed)} allowed)"
                )
                rules.find("overdue_acknowledgement", party, text, entry.ref)


def _responses(rules: _Rules) -> None:
    """Rule 6."""
    responses = rules.agreement.responses
    for asker in rules.entries:
        for entry in rules.entries[asker]:
            request = entry.entry
            if not rules.before_end(entry.created_at):
                continue
            if isinstance(request.body, Objection):
                period = dt.timedelta(days=responses.objection_days)
                kind, what = "objection_response", f"the objection {entry.ref}"
                what += f" ({request.body.subject})"
                response_due = None
            elif isinstance(request.body, ClarificationRequest):
                period = dt.timedelta(days=responses.clarification_days)
                kind, what = "clarification_response", f"the clarification request {entry.ref}"
                response_due = request.body.response_due
            else:
                continue
            received = rules.received(entry)
            due = None if received is None else received + period
            allowed = f"{_span(period)} after receipt"
            if due is not None and response_due is not None and response_due < due:
                due, allowed = response_due, "the response due time set by the request"
            for party in rules.entries:
                if party == asker:
                    continue
                answer = rules.earliest(
                    [
                        e
                        for e in rules.entries[party]
                        if _refs(e, entry)
                        and (
                            kind == "objection_response" or isinstance(e.entry.body, Clarification)
                        )
                    ]
                )
                rules.oblige(
                    party,
                    kind,
                    f"answer to {what}",
                    due,
                    answer,
                    allowed=allowed,
                    cause=entry.ref,
                    missing_kind="unanswered",
                )


def _assessments(rules: _Rules) -> None:
    """Rule 9: each assessment by the latest confirmation or dispute of another party; a
    confirmation or dispute that answers no assessment of another party is a finding."""
    assessments = [
        e
        for entries in rules.entries.values()
        for e in entries
        if isinstance(e.entry.body, Assessment)
    ]
    for entries in rules.entries.values():
        for answer in entries:
            if isinstance(answer.entry.body, Confirmation | Dispute) and not any(
                a.party != answer.party and _refs(answer, a) for a in assessments
            ):
                refs = ", ".join(entry_label(r.party, r.seq) for r in answer.entry.refs) or "none"
                rules.find(
                    "unknown_reference",
                    answer.party,
                    f"{answer.type} of an unknown assessment (refs {refs}: no assessment of "
                    "the other party with that position and hash is in the logs)",
                    answer.ref,
                )
    for party, entries in rules.entries.items():
        for entry in entries:
            if not isinstance(entry.entry.body, Assessment):
                continue
            assessment = entry.entry.body
            answers = sorted(
                (
                    e
                    for other, es in rules.entries.items()
                    if other != party
                    for e in es
                    if isinstance(e.entry.body, Confirmation | Dispute) and _refs(e, entry)
                ),
                key=lambda e: (e.created_at, e.party, e.seq),
            )
            last = answers[-1] if answers else None
            status: Literal["pending", "confirmed", "disputed"] = "pending"
            note = ""
            if last is not None and isinstance(last.entry.body, Dispute):
                status, note = "disputed", last.entry.body.reason
            elif last is not None and isinstance(last.entry.body, Confirmation):
                status = "confirmed"
                if last.entry.body.result_sha256 != assessment.result_sha256:
                    status = "disputed"
                    note = "the confirmation carries another result digest"
            rules.result.assessments.append(
                AssessmentStatus(
                    entry.ref,
                    party,
                    assessment.verdict,
                    status,
                    None if last is None else last.ref,
                    note,
                )
            )


def _disputed_receipts(logs: Mapping[str, LogView], now: dt.datetime, result: Compliance) -> None:
    """A finding per cosignature refused as a receipt time by ``now``: a time its author set
    alone, from which no deadline is measured (docs/decisions/0015)."""
    party_of = {view.keys.key_name: view.party for view in logs.values()}
    for view in logs.values():
        for disputed in view.disputed:
            if disputed.recorded_at > now:
                continue
            by = party_of.get(disputed.witness, disputed.witness)
            result.findings.append(
                Finding(
                    "disputed_receipt_time",
                    by,
                    f"{by}'s cosignature of {view.party}'s checkpoint of size {disputed.size} "
                    f"claims receipt at {utc_iso(disputed.claimed_at)}, which {disputed.reason}; "
                    f"refused {utc_iso(disputed.recorded_at)}, no deadline is measured from it",
                )
            )


# --- the report ---------------------------------------------------------------------------------


def _end_of_force(life: Lifecycle) -> dt.datetime | None:
    """When the agreement stops binding both parties: expiry, or the earliest termination."""
    ends = [] if life.expires is None else [life.expires]
    for state in life.parties.values():
        ended = [w.start for w in state.windows if w.why == "ended"]
        ends.extend(ended)
        if state.state == "refused" and not ended and state.deadline is not None:
            ends.append(state.deadline)  # refused by silence at the end of the period
    return min(ends, default=None)


def compliance(
    agreement: Agreement, logs: Mapping[str, LogView], at: dt.datetime | None = None
) -> Compliance:
    """The compliance report of both logs at ``at`` (default: now; UTC). Pure: reads only
    ``logs``, so both nodes compute the same report from their copies."""
    now = at or dt.datetime.now(dt.UTC)
    life = lifecycle(agreement, logs, now)
    result = Compliance(at=now, lifecycle=life, findings=list(life.findings))
    void = {f.entry for f in life.findings if f.entry}
    entries = {
        party: [e for e in logs[party] if e.created_at <= now and e.ref not in void]
        if party in logs
        else []
        for party in agreement.party_ids()
    }
    start = life.entry_into_force
    end = _end_of_force(life)
    rules = _Rules(agreement, now, start or now, end, entries, result, start is not None)
    _declarations(rules)
    _assessments(rules)
    if start is not None:
        _periodic_updates(rules)
        _notifications(rules)
        _responses(rules)
        _acknowledgements(rules, logs)
    _disputed_receipts(logs, now, result)
    order = {party: i for i, party in enumerate(agreement.party_ids())}
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    result.obligations.sort(
        key=lambda o: (o.due or far, order.get(o.party, 0), o.kind, o.cause or "", o.entry or "")
    )
    return result
