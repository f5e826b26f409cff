"""The confirmation workflow (the agreement's Article III): one party records an assessment of
the declared postures, the other recomputes it from the same logged inputs and records a
confirmation or a dispute.

1. :func:`latest_declarations`: each party's latest declaration with a posture, received by a
   time (latest ``as_of``; of two with the same ``as_of``, the later in the log).
2. :func:`scenario_from_declarations`: the assessment input made of those postures: the parties
   in the agreement's order, the interceptor and missile types and the sources merged (an id
   declared by two parties must be declared identically), the built-in scenario's assessment
   settings (or the ones given) with the agreement's criteria and every pair of parties as a
   dyad, dated by the latest ``as_of``; the threat parties a declaration describes
   (``threat_parties``, for the purpose test) are added as third parties.
3. :func:`request_assessment`: runs :func:`glasnost.defense.assessment.assess` on it and builds
   the ``assessment`` body (refs: the declarations used) with ``scenario_sha256`` (the hex
   SHA-256 of the scenario's canonical JSON, so the settings are covered too) and
   ``result_sha256`` (of the rounded result, :func:`result_json`).
4. :func:`check_assessment`: the other party resolves the declarations the assessment refs in
   its own copies of the logs, recomputes, and answers with a ``confirmation`` (both digests
   reproduced) or a ``dispute`` that says what differs.
5. :func:`confirm_request` and :func:`confirm_check` do the same on a node and write the entries.

An assessment may carry a sweep (``sweep``: the assessment under the uncertain inputs of a sample
plan, :mod:`glasnost.sweep.confirmation`): the requesting party runs it on the same scenario
(``sweep=``, a :data:`SweepRun`) and records the plan and the digest of the sweep's summary; the
other party reruns the plan (``sweeps=``, a :data:`SweepCheck`) and confirms only when that digest
is reproduced too. The declared values' stated uncertainties (the postures' ``uncertainty``) go
into the scenario, so a plan can vary them by what each party declared.

The digest of the result (rounded to declared precision) is :mod:`glasnost.treaty.digest`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import ValidationError

from glasnost import __version__
from glasnost.errors import TreatyError
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.node import Node, Written
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.models import Scenario
from glasnost.scenario.posture import Party
from glasnost.scenario.settings import AssessmentSettings
from glasnost.treaty import bodies
from glasnost.treaty.agreement import Agreement
from glasnost.treaty.bodies import Confirmation, Declaration, DeclaredPosture, Dispute, Ref
from glasnost.treaty.digest import (
    PRECISION,
    RESULT_FORMAT,
    Recomputation,
    criterion_quantity,
    recompute,
    result_json,
    rounded,
    scenario_sha256,
)
from glasnost.treaty.lifecycle import lifecycle
from glasnost.treaty.logs import LoggedEntry, LogView, entry_label, views_of_node

__all__ = [
    "PRECISION",
    "RESULT_FORMAT",
    "SOFTWARE",
    "ConfirmationError",
    "Recomputation",
    "Request",
    "SweepCheck",
    "SweepRun",
    "Verdict",
    "check_assessment",
    "confirm_check",
    "confirm_request",
    "default_settings",
    "latest_declarations",
    "recompute",
    "request_assessment",
    "result_json",
    "rounded",
    "scenario_from_declarations",
    "scenario_sha256",
]

SOFTWARE = f"glasnost {__version__}"
"""What an assessment body names as its software."""

EARTH = "wgs84"
"""The Earth model of an assessment of declarations (the built-in scenarios' model)."""

NOT_IN_LOGS = "references an entry not in the logs"

_MAX_LISTED = 20  # differences named in a dispute before "and N more"

_V = TypeVar("_V")


class ConfirmationError(TreatyError, ValueError):
    """The confirmation workflow cannot proceed: what is missing or inconsistent, and where."""


SweepRun = Callable[[Scenario], bodies.SweepClaim]
"""Run a sweep of the assessed scenario: its plan and summary digest, to record."""

SweepCheck = Callable[[Scenario, bodies.SweepClaim], str]
"""Rerun a recorded sweep's plan on the scenario: the summary digest obtained (a
:class:`ConfirmationError` when the plan cannot be run on it, which is disputed)."""


# --- inputs -------------------------------------------------------------------------------------


def _declaration(entry: LoggedEntry) -> Declaration | None:
    """The entry's declaration when it is one with a posture."""
    body = entry.entry.body
    if entry.type == "declaration" and isinstance(body, Declaration) and body.posture is not None:
        return body
    return None


def latest_declarations(
    logs: Mapping[str, LogView], at: dt.datetime | None = None
) -> dict[str, LoggedEntry]:
    """Each party's latest declaration with a posture that the other party had received by
    ``at`` (any received one when ``at`` is None): the latest ``as_of``, then the later entry."""
    out: dict[str, LoggedEntry] = {}
    for party, view in logs.items():
        best: tuple[dt.date, int] | None = None
        for entry in view.of_type("declaration"):
            body = _declaration(entry)
            if body is None or entry.received_at is None:
                continue
            if at is not None and entry.received_at > at:
                continue
            if best is None or (body.as_of, entry.seq) > best:
                best = (body.as_of, entry.seq)
                out[party] = entry
    return out


def default_settings() -> AssessmentSettings:
    """The built-in scenario's assessment settings (doctrine, delays, numerics)."""
    return builtin_scenario("us-ru").assessment


def _merge(kind: str, declared: Iterable[tuple[str, Iterable[tuple[str, _V]]]]) -> dict[str, _V]:
    """Items by id in first-declared order; an id declared twice must be declared identically."""
    seen: dict[str, tuple[str, _V]] = {}
    for party, items in declared:
        for ident, item in items:
            first = seen.setdefault(ident, (party, item))
            if first[1] != item:
                raise ConfirmationError(
                    f"{kind} {ident!r} is declared differently by {first[0]} and {party}"
                )
    return {ident: item for ident, (_, item) in seen.items()}


def _within(party: Party, parties: set[str]) -> Party:
    """A declared party with only what the declarations describe (``parties``: the
    agreement's parties and the threat parties declared with their forces): its declared
    threats (``declared_against``) and aim points for other parties, whose forces no
    declaration describes, are left out (and said so: :func:`_outside_notes`)."""
    return party.model_copy(
        update={
            "declared_against": tuple(t for t in party.declared_against if t in parties),
            "targets": tuple(t for t in party.targets if not t.against or set(t.against) & parties),
        }
    )


def _outside_notes(postures: Iterable[tuple[str, DeclaredPosture]], parties: set[str]) -> list[str]:
    notes = []
    for pid, posture in postures:
        outside = [t for t in posture.party.declared_against if t not in parties]
        if outside:
            notes.append(
                f"{pid} declares its defenses against {', '.join(outside)}, outside the "
                "agreement: no declaration describes those forces (threat_parties), so the "
                "purpose test is not assessed against them."
            )
    return notes


def scenario_from_declarations(
    agreement: Agreement,
    declarations: Mapping[str, LoggedEntry],
    *,
    settings: AssessmentSettings | None = None,
    date: dt.date | None = None,
) -> Scenario:
    """The assessment input made of the parties' declared postures (see the module docstring);
    :class:`ConfirmationError` says what is missing or conflicting."""
    parties = agreement.party_ids()
    strangers = sorted(set(declarations) - set(parties))
    if strangers:
        raise ConfirmationError(f"{', '.join(strangers)}: not a party of {agreement.id}")
    missing = [p for p in parties if p not in declarations]
    if missing:
        raise ConfirmationError(f"no declaration with a posture from {', '.join(missing)}")
    if not agreement.criteria:
        raise ConfirmationError(f"agreement {agreement.id} states no criteria to assess")
    declared: list[tuple[str, Declaration]] = []
    for party in parties:
        entry = declarations[party]
        body = _declaration(entry)
        if body is None or body.posture is None:
            raise ConfirmationError(f"{entry.ref} is not a declaration with a posture")
        if body.posture.party.id != party:
            raise ConfirmationError(f"{entry.ref} declares the posture of {body.posture.party.id}")
        declared.append((party, body))
    postures = [(p, d.posture) for p, d in declared if d.posture is not None]

    sources = _merge("source", ((p, x.sources.items()) for p, x in postures))
    threat_parties = _merge(
        "threat party", ((p, ((t.id, t) for t in x.threat_parties)) for p, x in postures)
    )
    inside = [t for t in threat_parties if t in parties]
    if inside:
        raise ConfirmationError(
            f"{', '.join(inside)}: a party of {agreement.id} cannot be declared as a threat party"
        )
    described = set(parties) | set(threat_parties)
    base = settings or default_settings()
    chosen = AssessmentSettings.model_validate(
        {
            **base.model_dump(),
            "dyads": list(itertools.combinations(parties, 2)),
            "criteria": [c.model_dump() for c in agreement.criteria],
        }
    )
    builtin_sources = builtin_scenario("us-ru").sources
    for ident in (*chosen.sources, *(s for c in chosen.criteria for s in c.sources)):
        if ident not in sources and ident in builtin_sources:
            sources[ident] = builtin_sources[ident]
    when = date or max(d.as_of for _, d in declared)
    try:
        return Scenario(
            name=f"{agreement.id} declarations",
            description=(
                f"The postures declared under {agreement.id} by "
                + ", ".join(f"{p} ({d.kind} as of {d.as_of})" for p, d in declared)
                + f", assessed on {when}."
            ),
            earth=EARTH,
            date=when,
            missile_types=tuple(
                _merge(
                    "missile type", ((p, ((m.id, m) for m in x.missile_types)) for p, x in postures)
                ).values()
            ),
            interceptor_types=tuple(
                _merge(
                    "interceptor type",
                    ((p, ((t.id, t) for t in x.interceptor_types)) for p, x in postures),
                ).values()
            ),
            parties=(
                *(_within(x.party, described) for _, x in postures),
                *threat_parties.values(),
            ),
            assessment=chosen,
            assumptions=(
                *(f"{p}: the posture declared ({d.kind} as of {d.as_of})." for p, d in declared),
                *(
                    f"{t}: the forces of a party outside the agreement, as declared by "
                    + ", ".join(p for p, x in postures if any(u.id == t for u in x.threat_parties))
                    + " (threat_parties), for the purpose test."
                    for t in threat_parties
                ),
                *_outside_notes(postures, described),
            ),
            sources=dict(sorted(sources.items())),
            uncertainty=tuple(
                _merge(
                    "stated uncertainty",
                    ((p, ((u.path, u) for u in x.uncertainty)) for p, x in postures),
                ).values()
            )
            or None,
        )
    except ValidationError as exc:
        raise ConfirmationError(f"the declarations do not make a valid scenario: {exc}") from exc


def _cached(scenario: Scenario, cache: MutableMapping[str, Recomputation] | None) -> Recomputation:
    if cache is None:
        return recompute(scenario)
    key = scenario_sha256(scenario)
    if key not in cache:
        cache[key] = recompute(scenario)
    return cache[key]


# --- request ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """An ``assessment`` entry to write: its body, its refs (the declarations used) and the
    recomputation behind it."""

    body: bodies.Assessment
    refs: tuple[Ref, ...]
    recomputation: Recomputation


def request_assessment(
    agreement: Agreement,
    logs: Mapping[str, LogView],
    *,
    at: dt.datetime | None = None,
    settings: AssessmentSettings | None = None,
    sweep: SweepRun | None = None,
) -> Request:
    """Assess the parties' latest declarations received by ``at`` (and with ``sweep``, sweep
    them); write the result with ``node.write("assessment", request.body, refs=request.refs)``."""
    parties = agreement.party_ids()
    declarations = {p: e for p, e in latest_declarations(logs, at).items() if p in parties}
    missing = [p for p in parties if p not in declarations]
    if missing:
        by = "" if at is None else f" by {utc_iso(at)}"
        raise ConfirmationError(
            f"no declaration with a posture from {', '.join(missing)} acknowledged (cosigned) "
            f"by the other party{by}"
        )
    scenario = scenario_from_declarations(agreement, declarations, settings=settings)
    done = recompute(scenario)
    body = bodies.Assessment(
        scenario_sha256=done.scenario_sha256,
        result_sha256=done.result_sha256,
        software=SOFTWARE,
        verdict=done.verdict,
        metrics=done.metrics,
        sweep=None if sweep is None else sweep(scenario),
    )
    return Request(body, tuple(declarations[p].as_ref() for p in parties), done)


# --- check --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The answer to an assessment: a ``confirmation`` or a ``dispute`` body, its refs (the
    assessment) and the recomputation (None when the inputs could not be resolved)."""

    body: Confirmation | Dispute
    refs: tuple[Ref, ...]
    recomputation: Recomputation | None = None

    @property
    def type(self) -> Literal["confirmation", "dispute"]:
        return "confirmation" if isinstance(self.body, Confirmation) else "dispute"

    @property
    def confirmed(self) -> bool:
        return isinstance(self.body, Confirmation)


def _inputs(
    logs: Mapping[str, LogView], refs: Sequence[Ref]
) -> tuple[dict[str, LoggedEntry], list[str]]:
    """The declarations ``refs`` name, resolved by hash in the logs, and what is wrong."""
    found: dict[str, LoggedEntry] = {}
    problems: list[str] = []
    for ref in refs:
        view = logs.get(ref.party)
        entry = None if view is None else view.by_hash(ref.hash)
        if entry is None or entry.seq != ref.seq:
            problems.append(f"{NOT_IN_LOGS}: {entry_label(ref.party, ref.seq)} (sha256 {ref.hash})")
        elif _declaration(entry) is None:
            problems.append(f"references {entry.ref}, a {entry.type} with no declared posture")
        elif entry.party in found:
            problems.append(f"references two declarations of {entry.party}")
        else:
            found[entry.party] = entry
    if not refs:
        problems.append("references no declaration")
    return found, problems


def _listed(items: list[str]) -> str:
    more = len(items) - _MAX_LISTED
    return "; ".join(items[:_MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")


def _differences(
    claimed: bodies.Assessment, ours: Recomputation, summary_sha256: str | None = None
) -> list[str]:
    """What the recomputation (and the sweep's, ``summary_sha256``) finds different from the
    assessment, in words."""
    out: list[str] = []
    if claimed.sweep is not None and claimed.sweep.summary_sha256 != summary_sha256:
        plan = claimed.sweep.plan
        out.append(
            f"sweep summary digest {claimed.sweep.summary_sha256} differs from the recomputed "
            f"{summary_sha256} ({plan.method} plan, {plan.size} samples, seed {plan.seed})"
        )
    if claimed.scenario_sha256 != ours.scenario_sha256:
        out.append(
            f"scenario digest {claimed.scenario_sha256} is not reproduced: the referenced "
            f"declarations make scenario {ours.scenario_sha256} (other assessment settings?)"
        )
    if claimed.result_sha256 != ours.result_sha256:
        out.append(
            f"result digest {claimed.result_sha256} differs from the recomputed "
            f"{ours.result_sha256}"
        )
    if claimed.verdict != ours.verdict:
        out.append(f"verdict {claimed.verdict} against the recomputed {ours.verdict}")
    mine = ours.metrics
    detail: list[str] = []
    for key in sorted(set(claimed.metrics) | set(mine)):
        theirs, value = claimed.metrics.get(key), mine.get(key)
        if theirs is None:
            detail.append(f"{key} is not in the assessment (recomputed {value:g})")
        elif value is None:
            detail.append(f"{key} ({theirs:g}) is not in the recomputation")
        elif theirs != value:
            step = float(PRECISION[criterion_quantity(key.split("-", 1)[0])])
            boundary = abs(theirs - value) <= step * (1 + 1e-9)
            detail.append(
                f"{key} {theirs:g} against the recomputed {value:g}"
                + (" (one rounding step: a value at a rounding boundary)" if boundary else "")
            )
    out += detail
    same_verdict = claimed.verdict == ours.verdict
    if claimed.result_sha256 != ours.result_sha256 and same_verdict and not detail:
        out.append(
            "the verdict and every metric agree at the declared precision; the difference is "
            "in the detailed results (capacity, routes or engagements)"
        )
    if out and claimed.software != SOFTWARE:
        out.append(f"assessed with {claimed.software}, recomputed with {SOFTWARE}")
    return out


def check_assessment(
    agreement: Agreement,
    logs: Mapping[str, LogView],
    assessment_entry: LoggedEntry,
    *,
    settings: AssessmentSettings | None = None,
    cache: MutableMapping[str, Recomputation] | None = None,
    sweeps: SweepCheck | None = None,
) -> Verdict:
    """Recompute an assessment from the declarations it references (resolved by hash in
    ``logs``): a confirmation when both digests are reproduced (and the sweep's summary digest,
    rerun by ``sweeps``), else a dispute saying what differs. ``cache`` keeps recomputations by
    scenario digest across checks."""
    claimed = assessment_entry.entry.body
    if not isinstance(claimed, bodies.Assessment):
        raise ConfirmationError(f"{assessment_entry.ref} is a {assessment_entry.type}")
    refs = (assessment_entry.as_ref(),)
    inputs, problems = _inputs(logs, assessment_entry.entry.refs)
    if problems:
        return Verdict(Dispute(reason=f"the assessment {_listed(problems)}"), refs)
    try:
        scenario = scenario_from_declarations(agreement, inputs, settings=settings)
    except ConfirmationError as exc:
        return Verdict(
            Dispute(reason=f"the referenced declarations cannot be assessed: {exc}"), refs
        )
    ours = _cached(scenario, cache)
    summary = None
    if claimed.sweep is not None:
        if sweeps is None:
            raise ConfirmationError(
                f"{assessment_entry.ref} records a sweep: its check needs the sweep's rerun "
                "(glasnost.sweep.confirmation)"
            )
        try:
            summary = sweeps(scenario, claimed.sweep)
        except ConfirmationError as exc:
            return Verdict(Dispute(reason=f"the sweep cannot be rerun: {exc}"), refs, ours)
    differences = _differences(claimed, ours, summary)
    if not differences:
        body = Confirmation(result_sha256=ours.result_sha256, summary_sha256=summary)
        return Verdict(body, refs, ours)
    reason = f"recomputed from {', '.join(e.ref for e in inputs.values())}: {_listed(differences)}"
    dispute = Dispute(reason=reason, result_sha256=ours.result_sha256, summary_sha256=summary)
    return Verdict(dispute, refs, ours)


# --- on a node ----------------------------------------------------------------------------------


def _in_force(
    agreement: Agreement, logs: Mapping[str, LogView], party: str, at: dt.datetime
) -> None:
    """Refuse unless the agreement is in force for ``party`` at ``at`` (lifecycle rule 5)."""
    state = lifecycle(agreement, logs, at)
    mine = state.parties.get(party)
    if mine is None or mine.state != "in force":
        raise ConfirmationError(
            f"{party} cannot write agreement business now: the agreement is {state.state}"
            + ("" if mine is None else f" ({party}: {mine.state})")
        )


def _time(at: dt.datetime | None) -> tuple[dt.datetime, dt.datetime | None]:
    """The time of the logs to read and the entry's ``created_at`` (the node's clock if None)."""
    if at is None:
        return dt.datetime.now(dt.UTC), None
    return at, at.replace(microsecond=0)


def confirm_request(
    node: Node,
    agreement: Agreement,
    at: dt.datetime | None = None,
    *,
    settings: AssessmentSettings | None = None,
    sweep: SweepRun | None = None,
) -> Written:
    """Assess (and with ``sweep``, sweep) the latest declarations the node holds, as received by
    ``at`` (default: now), and write the ``assessment`` entry (created at ``at`` when given)."""
    when, created = _time(at)
    logs = views_of_node(node)
    _in_force(agreement, logs, node.party, when)
    request = request_assessment(agreement, logs, at=when, settings=settings, sweep=sweep)
    return node.write("assessment", request.body, refs=request.refs, created_at=created)


def confirm_check(
    node: Node,
    agreement: Agreement,
    party: str | None = None,
    at: dt.datetime | None = None,
    *,
    settings: AssessmentSettings | None = None,
    sweeps: SweepCheck | None = None,
) -> list[Written]:
    """Check every assessment of the other party (or ``party``) received by ``at`` that the
    node's own log has not answered yet, and write a ``confirmation`` or ``dispute`` for each
    (``sweeps`` reruns the recorded sweeps)."""
    if party == node.party:
        raise ConfirmationError(f"{party} checks the other party's assessments, not its own")
    when, created = _time(at)
    logs = views_of_node(node)
    _in_force(agreement, logs, node.party, when)
    others = [party] if party else [p for p in agreement.party_ids() if p != node.party]
    for other in others:
        if other not in logs:
            raise ConfirmationError(f"the node does not follow {other}'s log")
    own = logs[node.party]
    answered = {
        (r.party, r.seq, r.hash)
        for e in own.of_type("confirmation", "dispute")
        for r in e.entry.refs
    }
    cache: dict[str, Recomputation] = {}
    written: list[Written] = []
    for other in others:
        for entry in logs[other].of_type("assessment"):
            if entry.received_at is None or entry.received_at > when:
                continue
            if (entry.party, entry.seq, entry.hash) in answered:
                continue
            verdict = check_assessment(
                agreement, logs, entry, settings=settings, cache=cache, sweeps=sweeps
            )
            written.append(
                node.write(verdict.type, verdict.body, refs=verdict.refs, created_at=created)
            )
    return written
