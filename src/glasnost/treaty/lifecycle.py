"""The agreement's lifecycle, driven only by the entries of the parties' logs.

States of the agreement: ``not proposed`` -> ``proposed`` -> ``signed`` (by some) -> ``in force``
(signed by all; from the receipt of the last signature) -> ``expired`` (after its duration), or
``terminated`` (a party's successor refused, or stayed silent past the succession period, or
withdrew), ``suspended`` while a party's suspension lasts.

Each party's state: ``not signed`` -> ``signed`` -> ``in force``; an outgoing administration's
``final`` entry opens ``succession pending`` until the successor administration (the next one
in the party's key record) writes ``adopt`` (``in force`` again, under the successor) or
``refuse`` (``refused``); silence past ``succession.decision_days`` after the final entry's
receipt is refusal. ``withdraw`` and ``suspension`` act from their effective time.

The rules, checked in log order, each broken one a :class:`~glasnost.treaty.findings.Finding`
with the entry that broke it (the entry stays in the log; it just has no effect):

1. a proposal or signature counts only for this agreement's id and text hash; a signature must
   reference the proposal;
2. ``final`` comes from the administration in office under the agreement;
3. ``adopt`` / ``refuse`` come after a ``final``, from the successor's key, naming it;
4. after ``final``, the outgoing administration writes nothing more; before adopting, the
   successor writes nothing but ``adopt`` or ``refuse``;
5. declarations, notifications and assessments come after entry into force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from glasnost.exchange.canonical import utc_iso
from glasnost.treaty.agreement import Agreement
from glasnost.treaty.bodies import Propose
from glasnost.treaty.findings import Finding
from glasnost.treaty.logs import LoggedEntry, LogView

__all__ = ["Lifecycle", "PartyState", "TimelineEvent", "lifecycle"]

_ACTIONS = ("propose", "sign", "final", "adopt", "refuse", "withdraw", "suspension")
_NEEDS_FORCE = ("declaration", "reveal", "notification", "assessment", "confirmation", "dispute")


@dataclass(frozen=True)
class Window:
    """A period in which a party may write no agreement business (``why``: ``succession``
    or ``ended``): from the time and position (``opened_by``, a seq of the party's log) of the
    entry that opened it to those of the entry that closed it (None: still open). Whether one
    of the party's own entries falls in it is decided by its position in the log, which orders
    entries written within the same second (their times have whole seconds)."""

    start: dt.datetime
    until: dt.datetime | None
    why: str
    opened_by: int
    closed_by: int | None = None

    def holds(self, entry: LoggedEntry) -> bool:
        """Whether ``entry``, of the same party's log, was written inside the window."""
        return entry.seq > self.opened_by and (self.closed_by is None or entry.seq < self.closed_by)


@dataclass
class PartyState:
    """Where one party stands, and the entries that put it there."""

    party: str
    state: str = "not signed"
    administration: str | None = None
    since: dt.datetime | None = None
    deadline: dt.datetime | None = None
    cause_entries: list[LoggedEntry] = field(default_factory=list)
    """The entries that put the party in its state, in log order."""
    windows: list[Window] = field(default_factory=list)
    """Periods in which the party may write no agreement business."""

    @property
    def causes(self) -> list[str]:
        """The names (``US#3``) of :attr:`cause_entries`."""
        return [e.ref for e in self.cause_entries]

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "state": self.state,
            "administration": self.administration,
            "since": None if self.since is None else utc_iso(self.since),
            "deadline": None if self.deadline is None else utc_iso(self.deadline),
            "causes": list(self.causes),
        }


@dataclass(frozen=True)
class TimelineEvent:
    """An agreement action, when it was written and received."""

    party: str
    entry: str
    type: str
    created_at: dt.datetime
    received_at: dt.datetime | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "entry": self.entry,
            "type": self.type,
            "created_at": utc_iso(self.created_at),
            "received_at": None if self.received_at is None else utc_iso(self.received_at),
            "text": self.text,
        }


@dataclass
class Lifecycle:
    """The agreement's state at a time, per party, with its timeline and findings."""

    agreement_id: str
    at: dt.datetime
    state: str = "not proposed"
    proposal_entry: LoggedEntry | None = None
    entry_into_force: dt.datetime | None = None
    expires: dt.datetime | None = None
    parties: dict[str, PartyState] = field(default_factory=dict)
    timeline: list[TimelineEvent] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def in_force(self) -> bool:
        return self.state == "in force"

    @property
    def proposal(self) -> str | None:
        """The name (``US#1``) of the proposal that counts, if any."""
        return None if self.proposal_entry is None else self.proposal_entry.ref

    def to_json(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement_id,
            "at": utc_iso(self.at),
            "state": self.state,
            "proposal": self.proposal,
            "entry_into_force": None
            if self.entry_into_force is None
            else utc_iso(self.entry_into_force),
            "expires": None if self.expires is None else utc_iso(self.expires),
            "parties": {p: s.to_json() for p, s in self.parties.items()},
            "timeline": [e.to_json() for e in self.timeline],
            "findings": [f.to_json() for f in self.findings],
        }


def _when(entry: LoggedEntry) -> dt.datetime:
    """An action takes effect when received (acknowledged); until then, when written."""
    return entry.received_at or entry.created_at


def lifecycle(
    agreement: Agreement, logs: Mapping[str, LogView], at: dt.datetime | None = None
) -> Lifecycle:
    """Replay the agreement actions of both logs up to ``at`` (default: now)."""
    now = at or dt.datetime.now(dt.UTC)
    result = Lifecycle(agreement_id=agreement.id, at=now)
    result.parties = {p: PartyState(p) for p in agreement.party_ids()}
    text_hash = agreement.text_sha256()
    actions = sorted(
        (
            e
            for view in logs.values()
            for e in view
            if e.type in _ACTIONS
            and getattr(e.entry.body, "agreement_id", agreement.id) == agreement.id
            and e.created_at <= now
        ),
        key=lambda e: (e.created_at, e.type != "propose", e.party, e.seq),
    )
    proposal: LoggedEntry | None = next(
        (
            e
            for e in actions
            if isinstance(e.entry.body, Propose) and e.entry.body.text_sha256 == text_hash
        ),
        None,
    )  # found first: a signature written in the same second as the proposal still counts
    signatures: dict[str, LoggedEntry] = {}

    def find(entry: LoggedEntry, reason: str) -> None:
        result.findings.append(Finding("lifecycle", entry.party, reason, entry.ref))

    for entry in actions:
        body: Any = entry.entry.body
        state = result.parties.get(entry.party)
        if state is None:
            find(entry, f"{entry.party} is not a party of {agreement.id}")
            continue
        text = entry.type
        if entry.type == "propose":
            if body.text_sha256 != text_hash:
                find(entry, "proposes another text (text_sha256 differs from the agreement's)")
                continue
            if entry is not proposal:
                continue  # a second proposal of the same text changes nothing
            result.proposal_entry = entry
            text = f"proposed {body.title!r}"
        elif entry.type == "sign":
            if proposal is None or not any(
                r.party == proposal.party and r.hash == proposal.hash for r in entry.entry.refs
            ):
                find(entry, "signs without referencing the proposal of this agreement")
                continue
            if body.text_sha256 != text_hash:
                find(entry, "signs another text (text_sha256 differs from the agreement's)")
                continue
            if entry.party not in signatures:
                signatures[entry.party] = entry
                state.state, state.administration = "signed", entry.administration
                state.since = _when(entry)
                state.cause_entries.append(entry)
                text = f"signed by administration {entry.administration}"
        else:
            order = [a.id for a in logs[entry.party].keys.administrations]
            text = _succession(agreement, state, entry, order, find) or ""
            if not text:
                continue
        result.timeline.append(
            TimelineEvent(
                entry.party, entry.ref, entry.type, entry.created_at, entry.received_at, text
            )
        )
        if (
            result.entry_into_force is None
            and len(signatures) == len(result.parties)
            and all(s.received_at is not None for s in signatures.values())
        ):
            result.entry_into_force = max(_when(s) for s in signatures.values())
            result.expires = result.entry_into_force + dt.timedelta(days=agreement.duration_days)
            for party_state in result.parties.values():
                if party_state.state == "signed":
                    party_state.state = "in force"
    _deadlines(agreement, result, now)
    _overall(result, proposal, signatures, now)
    signed_at = (
        max(s.created_at for s in signatures.values())
        if len(signatures) == len(result.parties)
        else None
    )
    _entries_out_of_force(result, logs, signed_at, now)
    return result


def _succession(
    agreement: Agreement,
    state: PartyState,
    entry: LoggedEntry,
    keys_order: list[str],
    find: Any,
) -> str | None:
    """Apply final / adopt / refuse / withdraw / suspension to a party; the timeline text."""
    body: Any = entry.entry.body
    if entry.type == "final":
        if state.state != "in force" or entry.administration != state.administration:
            find(entry, f"final by {entry.administration} while the party is {state.state!r} "
                 f"under {state.administration}")  # fmt: skip
            return None
        state.windows.append(Window(entry.created_at, None, "succession", entry.seq))
        state.state, state.since = "succession pending", _when(entry)
        state.deadline = _when(entry) + dt.timedelta(days=agreement.succession.decision_days)
        state.cause_entries.append(entry)
        return f"final entry of administration {entry.administration}"
    if entry.type in ("adopt", "refuse"):
        if state.state != "succession pending":
            find(entry, f"{entry.type} without a preceding final entry")
            return None
        outgoing = state.administration
        index = keys_order.index(outgoing) if outgoing in keys_order else -1
        successor = keys_order[index + 1] if 0 <= index < len(keys_order) - 1 else None
        if entry.administration != successor or body.administration != successor:
            find(entry, f"{entry.type} signed by {entry.administration} naming "
                 f"{body.administration}; the successor of {outgoing} is {successor}")  # fmt: skip
            return None
        state.administration, state.since, state.deadline = successor, _when(entry), None
        state.cause_entries.append(entry)
        opened = state.windows.pop()
        state.windows.append(
            Window(opened.start, entry.created_at, "succession", opened.opened_by, entry.seq)
        )
        if entry.type == "refuse":
            state.windows.append(Window(entry.created_at, None, "ended", entry.seq))
        if entry.type == "adopt":
            state.state = "in force"
            return f"adopted by successor administration {successor}"
        state.state = "refused"
        return f"refused by successor administration {successor}: {body.reason}"
    if entry.type == "withdraw":
        state.state, state.since = "withdrawn", _when(entry)
        state.cause_entries.append(entry)
        state.windows.append(Window(entry.created_at, None, "ended", entry.seq))
        return f"withdrawal effective {body.effective}: {body.reason}"
    if entry.type == "suspension":
        state.state, state.since = "suspended", body.effective
        state.deadline = body.until
        state.cause_entries.append(entry)
        return f"suspension from {utc_iso(body.effective)}: {body.reason}"
    return None


def _deadlines(agreement: Agreement, result: Lifecycle, now: dt.datetime) -> None:
    """A successor silent past the succession period has refused; suspensions end."""
    for state in result.parties.values():
        if state.state == "succession pending" and state.deadline and now > state.deadline:
            state.state = "refused"
            result.findings.append(
                Finding(
                    "lifecycle",
                    state.party,
                    f"no adopt or refuse by the successor within "
                    f"{agreement.succession.decision_days:g} days of the final entry (deadline "
                    f"{utc_iso(state.deadline)}): refused by silence",
                    severity="notice",
                )
            )
        if state.state == "suspended" and state.deadline and now >= state.deadline:
            state.state = "in force"


def _overall(
    result: Lifecycle,
    proposal: LoggedEntry | None,
    signatures: dict[str, LoggedEntry],
    now: dt.datetime,
) -> None:
    states = {s.state for s in result.parties.values()}
    if proposal is None:
        result.state = "not proposed"
    elif result.entry_into_force is None:
        result.state = "signed" if signatures else "proposed"
        if len(signatures) == len(result.parties):
            result.state = "signed (awaiting acknowledgement)"
    elif states & {"refused", "withdrawn"}:
        result.state = "terminated"
    elif result.expires is not None and now >= result.expires:
        result.state = "expired"
    elif "suspended" in states:
        result.state = "suspended"
    elif "succession pending" in states:
        result.state = "in force (succession pending)"
    else:
        result.state = "in force"


def _entries_out_of_force(
    result: Lifecycle,
    logs: Mapping[str, LogView],
    signed_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """Agreement business (declarations, notifications, assessments ...) written before every
    party had signed, during a succession, or after the agreement ended for the party.

    Only the succession is a violation: the outgoing administration has closed its log with its
    final entry and its successor has not yet taken office. Entries written while no agreement
    binds the party (before entry into force, after it ended) break no rule of it: they are
    notices that the entry has no effect under the agreement (voluntary transparency)."""
    for view in logs.values():
        state = result.parties.get(view.party)
        for entry in view:
            if entry.type not in _NEEDS_FORCE or entry.created_at > now:
                continue
            finding = None
            if signed_at is None or entry.created_at < signed_at:
                finding = Finding(
                    "lifecycle",
                    entry.party,
                    f"{entry.type} written before the agreement entered into force: "
                    "no effect under the agreement",
                    entry.ref,
                    severity="notice",
                )
            for window in [] if state is None else state.windows:
                if window.holds(entry):
                    finding = (
                        Finding(
                            "lifecycle",
                            entry.party,
                            f"{entry.type} written during the succession (after the final "
                            "entry, before the successor decided)",
                            entry.ref,
                        )
                        if window.why == "succession"
                        else Finding(
                            "lifecycle",
                            entry.party,
                            f"{entry.type} written after the agreement ended for "
                            f"{view.party}: no effect under the agreement",
                            entry.ref,
                            severity="notice",
                        )
                    )
            if finding is not None:
                result.findings.append(finding)
