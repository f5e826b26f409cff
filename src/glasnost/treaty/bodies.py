"""Entry bodies: the typed, validated content of each kind of log entry (DESIGN.md, Ledger),
and their registration with the ledger (:func:`glasnost.exchange.entries.register_entry_type`).

Every model forbids unknown fields. A declaration's posture reuses the scenario models of the
assessment (:class:`~glasnost.scenario.posture.Party` with its interceptor sites, radars and
launch bases, and the :class:`~glasnost.scenario.interceptor_types.InterceptorType` and
:class:`~glasnost.scenario.missile_types.MissileTypeRef` it uses), so a declared posture is
assessed as it stands. Importing this module (``glasnost.treaty`` does) registers every entry
type; the envelope models it gets back (``DeclarationEntry``, ...) are named here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

from pydantic import (
    Field,
    JsonValue,
    StringConstraints,
    model_validator,
)

from glasnost.common.ids import Id
from glasnost.exchange.canonical import UtcDateTime
from glasnost.exchange.commitments import verify_reveal
from glasnost.exchange.entries import BodyModel as _Model
from glasnost.exchange.entries import CheckpointRef as CheckpointRef  # re-exported
from glasnost.exchange.entries import (
    Entry,
    HashB64,
    Seq,
    Sha256Hex,
    Text,
    register_entry_type,
)
from glasnost.exchange.entries import Ref as Ref  # re-exported: the agreement's entries cite
from glasnost.exchange.errors import SchemaError
from glasnost.scenario.interceptor_types import InterceptorType
from glasnost.scenario.loading import uncertainty_issues
from glasnost.scenario.missile_types import MissileTypeRef
from glasnost.scenario.posture import Party
from glasnost.scenario.settings import CriterionId
from glasnost.scenario.uncertainty import DeclaredUncertainty


def _empty(value: object) -> bool:
    """A field left out of the entry when empty (bodies written before it keep their bytes)."""
    return not value


SaltHex = Annotated[str, StringConstraints(pattern=r"^(?:[0-9a-f]{2}){16,64}$")]


# --- agreement actions --------------------------------------------------------------------------


class Propose(_Model):
    """Propose an agreement: its text is fixed by hash (the text travels beside the log)."""

    agreement_id: Id
    title: Text
    text_sha256: Sha256Hex
    parties: tuple[Id, ...] = Field(min_length=2)


class Sign(_Model):
    """Sign the proposed text (refs: the proposal)."""

    agreement_id: Id
    text_sha256: Sha256Hex


class Adopt(_Model):
    """A successor administration adopts the agreement, committing to its predecessor's final
    checkpoint, which its log continues (refs: the ``final`` entry)."""

    agreement_id: Id
    administration: Id
    predecessor_final: CheckpointRef


class Refuse(_Model):
    """A successor administration refuses: the agreement is no longer in force for the party."""

    agreement_id: Id
    administration: Id
    reason: Text


class Withdraw(_Model):
    """The party withdraws from the agreement from a date on."""

    agreement_id: Id
    effective: dt.date
    reason: Text


class Final(_Model):
    """The outgoing administration's last entry; its final checkpoint follows."""

    agreement_id: Id
    administration: Id
    note: str = ""


# --- declarations -------------------------------------------------------------------------------


class StrategicForces(_Model):
    """Counts of strategic offensive arms (New START categories)."""

    deployed_launchers: int = Field(ge=0)
    deployed_warheads: int = Field(ge=0)
    non_deployed_launchers: int = Field(ge=0)


class PlannedChange(_Model):
    """One planned change of the ten-year plan."""

    date: dt.date
    action: Literal["add", "remove", "modify"]
    kind: Literal["interceptor_site", "interceptor_type", "radar", "launch_base", "other"]
    item_id: Id | None = Field(default=None, description="Id of the site, type, radar or base.")
    description: Text


_POSTURE_LISTS = ("interceptor_sites", "radars", "launch_bases", "targets")


class DeclaredPosture(_Model):
    """The declaring party's posture in the scenario models, with the types and sources it uses
    (so that the declarations of the parties, with assessment settings, make a Scenario)."""

    party: Party
    interceptor_types: tuple[InterceptorType, ...] = ()
    missile_types: tuple[MissileTypeRef, ...] = ()
    strategic_forces: StrategicForces
    ten_year_plan: tuple[PlannedChange, ...] = ()
    sources: dict[str, str] = Field(
        default_factory=dict, description="Citations the posture's entries name: id -> text."
    )
    threat_parties: tuple[Party, ...] = Field(
        default=(),
        description="The forces of the parties outside the agreement that the declaring party "
        "declares its defenses against (party.declared_against), as it takes them from open "
        "sources: their launch bases and aim points, with the missile types among missile_types. "
        "With them the other party can recompute the purpose test.",
    )
    uncertainty: tuple[DeclaredUncertainty, ...] = Field(
        default=(),
        exclude_if=_empty,  # a posture without one keeps its bytes
        description='Declared values\' stated uncertainties ("4.5 +- 0.3 km/s"), by their '
        "scenario paths (interceptor_types.ID..., missile_types.ID..., parties.PARTY...); "
        "glasnost sweep --declared varies them.",
    )

    @model_validator(mode="after")
    def _references(self) -> Self:
        interceptors = {t.id for t in self.interceptor_types}
        missiles = {m.id for m in self.missile_types}
        p = self.party
        cited = [
            *((f"party.{f}[{j}]", e) for f in _POSTURE_LISTS for j, e in enumerate(getattr(p, f))),
            *((f"interceptor_types[{j}]", t) for j, t in enumerate(self.interceptor_types)),
            *((f"missile_types[{j}]", m) for j, m in enumerate(self.missile_types)),
            *(
                (f"missile_types[{j}].definition", m.definition)
                for j, m in enumerate(self.missile_types)
                if m.definition is not None
            ),
        ]
        for k, threat in enumerate(self.threat_parties):
            where = f"threat_parties[{k}]"
            if threat.id not in p.declared_against:
                raise ValueError(f"{where}.id: {threat.id!r} is not among party.declared_against")
            if (
                threat.interceptor_sites
                or threat.radars
                or threat.space_based_infrared
                or threat.declared_against
            ):
                raise ValueError(
                    f"{where}: a threat party carries launch bases and aim points only"
                )
            for j, base in enumerate(threat.launch_bases):
                if base.missile not in missiles:
                    raise ValueError(
                        f"{where}.launch_bases[{j}].missile: {base.missile!r} is not among the "
                        "declared missile_types"
                    )
            cited += [
                (f"{where}.{f}[{j}]", e)
                for f in ("launch_bases", "targets")
                for j, e in enumerate(getattr(threat, f))
            ]
        problems = uncertainty_issues(self.uncertainty, self._scenario_part())
        if problems:
            raise ValueError("; ".join(map(str, problems)))
        ids = [t.id for t in self.threat_parties]
        if len(set(ids)) != len(ids):
            raise ValueError("threat_parties: a party is listed twice")
        if p.space_based_infrared is not None:
            cited.append(("party.space_based_infrared", p.space_based_infrared))
        for loc, entry in cited:
            for n, source in enumerate(entry.sources):
                if source not in self.sources:
                    raise ValueError(f"{loc}.sources[{n}]: {source!r} is not in sources")
        for j, site in enumerate(self.party.interceptor_sites):
            if site.interceptor not in interceptors:
                raise ValueError(
                    f"party.interceptor_sites[{j}].interceptor: {site.interceptor!r} is not "
                    "among the declared interceptor_types"
                )
        for j, base in enumerate(self.party.launch_bases):
            if base.missile not in missiles:
                raise ValueError(
                    f"party.launch_bases[{j}].missile: {base.missile!r} is not among the "
                    "declared missile_types"
                )
        return self

    def _scenario_part(self) -> dict[str, Any]:
        """The posture as the part of a scenario's JSON data its uncertainty paths name."""
        return {
            "interceptor_types": [t.model_dump(mode="json") for t in self.interceptor_types],
            "missile_types": [m.model_dump(mode="json") for m in self.missile_types],
            "parties": [self.party.model_dump(mode="json")],
        }


class CommittedItem(_Model):
    """A committed item: its label (what it is) and hex SHA-256(salt || canonical item)."""

    label: Text
    commitment: Sha256Hex


class Declaration(_Model):
    """A declaration: baseline, periodic update or change; items in clear, committed, or both."""

    kind: Literal["baseline", "periodic_update", "change"]
    as_of: dt.date
    posture: DeclaredPosture | None = None
    commitments: tuple[CommittedItem, ...] = ()

    @model_validator(mode="after")
    def _content(self) -> Self:
        if self.posture is None and not self.commitments:
            raise ValueError("a declaration needs a posture, commitments, or both")
        labels = [c.label for c in self.commitments]
        if len(set(labels)) != len(labels):
            raise ValueError("commitments: labels must be unique")
        return self


class RevealedItem(_Model):
    """A committed item in clear with its salt (hex, 16 to 64 bytes)."""

    label: Text
    salt: SaltHex
    item: JsonValue


class InclusionRef(_Model):
    """An inclusion proof of the committing declaration against a cosigned checkpoint."""

    checkpoint: CheckpointRef
    leaf_index: Seq
    hashes: tuple[HashB64, ...] = Field(max_length=63)


class Reveal(_Model):
    """Reveal committed items (refs: the committing declaration)."""

    items: tuple[RevealedItem, ...] = Field(min_length=1)
    inclusion: InclusionRef


# --- notifications and dialogue -----------------------------------------------------------------


EventType = Literal[
    "missile_test_launch",
    "interceptor_test",
    "site_activation",
    "site_deactivation",
    "deployment_change",
    "exercise",
    "other",
]
"""The notification event types (the agreement's notification deadlines name them too)."""


class Notification(_Model):
    """Notice of an event, before it (with its window) or after it."""

    event_type: EventType
    phase: Literal["pre_event", "post_event"]
    window_start: UtcDateTime
    window_end: UtcDateTime
    site_ids: tuple[Id, ...] = ()
    details: Text

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.window_end < self.window_start:
            raise ValueError("window_end must not be before window_start")
        return self


class Objection(_Model):
    """An objection to referenced entries (e.g. a declaration that exceeds a criterion)."""

    subject: Text
    reason: Text
    criterion: CriterionId | None = None


class ClarificationRequest(_Model):
    """Questions about referenced entries (or none), with an answer deadline."""

    questions: tuple[Text, ...] = Field(min_length=1)
    response_due: UtcDateTime | None = None


class Clarification(_Model):
    """Answers to a clarification request (refs: the request)."""

    answers: tuple[Text, ...] = Field(min_length=1)


class SweepInput(_Model):
    """One uncertain input of a sweep: its scenario path and distribution (in the field's unit)."""

    path: Text
    distribution: Literal["uniform", "normal", "triangular", "discrete"]
    params: tuple[float, ...] = Field(min_length=1)
    integer: bool = Field(description="Sampled values are rounded (a whole-number field).")


class SweepPlan(_Model):
    """A sweep's sample plan, as ``glasnost sweep`` writes it to plan.json (docs/uncertainty.md):
    the same plan and seed give the same samples on any machine."""

    method: Literal["sobol", "lhs", "saltelli", "grid"]
    samples: int = Field(ge=2)
    levels: int | None = Field(default=None, ge=2, description="Grid levels (a grid only).")
    seed: int = Field(ge=0)
    size: int = Field(ge=1, description="Assessments the plan runs.")
    variables: tuple[SweepInput, ...] = Field(min_length=1)


class SweepClaim(_Model):
    """A sweep of the assessed scenario: its plan and the digest of its summary (the summary's
    canonical JSON, floats to 9 digits), which the other party recomputes; ``no_threat`` is the
    fraction of the assessed samples whose verdict is no threat."""

    plan: SweepPlan
    summary_sha256: Sha256Hex
    no_threat: float | None = Field(ge=0, le=1)


class Assessment(_Model):
    """An assessment of logged inputs (refs: the input entries) and the digest of its result;
    with ``sweep``, also the assessment under the uncertain inputs of a sample plan."""

    scenario_sha256: Sha256Hex = Field(description="sha256_hex of the canonical scenario JSON.")
    result_sha256: Sha256Hex = Field(description="sha256_hex of the canonical result JSON.")
    software: Text = Field(description="What computed it, e.g. 'glasnost 0.1.0'.")
    verdict: Literal["pass", "fail"]
    metrics: dict[Id, float] = Field(default_factory=dict)
    sweep: SweepClaim | None = Field(default=None, exclude_if=_empty)


class Confirmation(_Model):
    """The other party recomputed the referenced assessment and obtained the same digest (and
    the same sweep summary digest when the assessment has a sweep)."""

    result_sha256: Sha256Hex
    summary_sha256: Sha256Hex | None = Field(default=None, exclude_if=_empty)


class Dispute(_Model):
    """The other party disputes the referenced entry (its own digests when it recomputed)."""

    reason: Text
    result_sha256: Sha256Hex | None = None
    summary_sha256: Sha256Hex | None = Field(default=None, exclude_if=_empty)


class Withheld(_Model):
    """The party states that an item is withheld, why, and until when."""

    item: Text
    reason: Text
    until: dt.date | None = None


class Suspension(_Model):
    """The party suspends its implementation of the agreement."""

    agreement_id: Id
    reason: Text
    effective: UtcDateTime
    until: UtcDateTime | None = None


# --- registration with the ledger ---------------------------------------------------------------


def _own_posture(entry: Entry) -> None:
    """A party declares only its own posture."""
    posture = getattr(entry.body, "posture", None)
    if posture is not None and posture.party.id != entry.party:
        raise ValueError(
            f"body.posture.party.id is {posture.party.id!r}; a party declares only its "
            f"own posture ({entry.party!r})"
        )


ProposeEntry = register_entry_type("propose", Propose)
SignEntry = register_entry_type("sign", Sign, refs_required=True)
AdoptEntry = register_entry_type("adopt", Adopt, refs_required=True)
RefuseEntry = register_entry_type("refuse", Refuse)
WithdrawEntry = register_entry_type("withdraw", Withdraw)
FinalEntry = register_entry_type("final", Final)
DeclarationEntry = register_entry_type("declaration", Declaration, check=_own_posture)
RevealEntry = register_entry_type("reveal", Reveal, refs_required=True)
NotificationEntry = register_entry_type("notification", Notification)
ObjectionEntry = register_entry_type("objection", Objection, refs_required=True)
ClarificationRequestEntry = register_entry_type("clarification_request", ClarificationRequest)
ClarificationEntry = register_entry_type("clarification", Clarification, refs_required=True)
AssessmentEntry = register_entry_type("assessment", Assessment)
ConfirmationEntry = register_entry_type("confirmation", Confirmation, refs_required=True)
DisputeEntry = register_entry_type("dispute", Dispute, refs_required=True)
WithheldEntry = register_entry_type("withheld", Withheld)
SuspensionEntry = register_entry_type("suspension", Suspension)


def check_reveal(declaration: Declaration, reveal: Reveal, *, where: str = "reveal") -> None:
    """Check that each revealed item opens the declaration's commitment of the same label."""
    committed = {c.label: c.commitment for c in declaration.commitments}
    for i, item in enumerate(reveal.items):
        at = f"{where} items[{i}] ({item.label!r})"
        if item.label not in committed:
            raise SchemaError("no commitment of that label in the declaration", where=at)
        try:
            salt = bytes.fromhex(item.salt)
        except ValueError as exc:  # pragma: no cover - SaltHex is hex
            raise SchemaError(str(exc), where=at) from None
        verify_reveal(committed[item.label], salt, item.item, where=at)
