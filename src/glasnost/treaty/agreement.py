"""The agreement document: parties, what must be declared and when, notification lead times,
acknowledgement and response deadlines, succession, the no-threat criteria, reduction limits.

An agreement is a YAML (or JSON) file validated by :class:`Agreement` (unknown fields are
refused, errors name file, path and line as scenarios do). Its identity is
:meth:`Agreement.text_sha256`: the hex SHA-256 of its RFC 8785 canonical JSON, which the
``propose`` and ``sign`` entries carry, so the logs fix exactly which text was signed whatever
its YAML layout.

Durations are in days or hours as named (``baseline_within_days``); every deadline is measured
from the receipt of the entry that starts it, i.e. the other party's cosignature time (UTC).
The built-in example (:func:`builtin_agreement`) is an executive agreement between the United
States and Russia with New START's central limits (700 deployed launchers, 1,550 deployed
warheads, 800 deployed and non-deployed launchers; treaty Article II) as its reduction schedule.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from glasnost.common.documents import load_model
from glasnost.common.ids import Id
from glasnost.exchange.canonical import canonical_json, sha256_hex
from glasnost.scenario.settings import Criterion
from glasnost.treaty.bodies import EventType as EventType  # one list of event types

__all__ = [
    "Agreement",
    "DataCategory",
    "Declarations",
    "Notifications",
    "PartyRef",
    "PeriodicUpdate",
    "ReductionStep",
    "Responses",
    "Succession",
    "builtin_agreement",
    "load_agreement",
]

DataCategory = Literal[
    "interceptor_sites",
    "interceptor_types",
    "radars",
    "launch_bases",
    "strategic_forces",
    "ten_year_plan",
]
"""What a declaration may be required to contain."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PartyRef(_Model):
    """A party of the agreement (its key record travels separately, with its node)."""

    id: Id
    name: str = Field(min_length=1)


class PeriodicUpdate(_Model):
    """A periodic update: the posture as of ``as_of``, due by ``due`` (end of day, UTC)."""

    as_of: dt.date
    due: dt.date

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.due < self.as_of:
            raise ValueError(f"due {self.due} is before as_of {self.as_of}")
        return self


class Declarations(_Model):
    """When declarations are due."""

    categories: tuple[DataCategory, ...] = Field(
        default=(
            "interceptor_sites",
            "interceptor_types",
            "radars",
            "launch_bases",
            "strategic_forces",
            "ten_year_plan",
        ),
        description="What every baseline and periodic update must contain.",
    )
    baseline_within_days: float = Field(
        gt=0, description="Baseline declaration due this long after entry into force."
    )
    periodic_updates: tuple[PeriodicUpdate, ...] = ()
    change_notice_days: float = Field(
        gt=0, description="A change to the declared posture is notified within this many days."
    )


class Notifications(_Model):
    """Lead times of pre-event notifications and the delay of post-event ones."""

    lead_time_hours: dict[EventType, float] = Field(
        description="Pre-event notice: received at least this long before the window opens."
    )
    post_event_within_hours: float = Field(
        gt=0, description="A post-event notification is due this long after the window closes."
    )

    @model_validator(mode="after")
    def _positive(self) -> Self:
        for event, hours in self.lead_time_hours.items():
            if hours < 0:
                raise ValueError(f"lead_time_hours.{event}: must be >= 0")
        return self


class Responses(_Model):
    """How long a party has to answer an objection or a clarification request."""

    objection_days: float = Field(gt=0)
    clarification_days: float = Field(gt=0)


class Succession(_Model):
    """A successor administration adopts or refuses within this period after its
    predecessor's final checkpoint; silence past it counts as refusal."""

    decision_days: float = Field(gt=0)


class ReductionStep(_Model):
    """Limits on strategic forces, to be met by a date (New START categories)."""

    by: dt.date
    deployed_launchers: int | None = Field(default=None, ge=0)
    deployed_warheads: int | None = Field(default=None, ge=0)
    total_launchers: int | None = Field(
        default=None, ge=0, description="Deployed plus non-deployed launchers."
    )
    source: str | None = None


class Agreement(_Model):
    """An agreement document (see the module docstring)."""

    id: Id
    title: str = Field(min_length=1)
    kind: Literal["executive", "treaty"] = Field(
        default="executive",
        description="An executive agreement binds the administration that signs it; a "
        "successor adopts or refuses it.",
    )
    parties: tuple[PartyRef, ...] = Field(min_length=2)
    observers: tuple[Id, ...] = ()
    duration_days: float = Field(gt=0, description="In force this long after entry into force.")
    declarations: Declarations
    notifications: Notifications
    acknowledgement_hours: float = Field(
        gt=0, description="Receipt of every entry is acknowledged (cosigned) within this time."
    )
    responses: Responses
    succession: Succession
    criteria: tuple[Criterion, ...] = Field(
        default=(), description="The no-threat criteria of the confirmation workflow."
    )
    reductions: tuple[ReductionStep, ...] = ()
    text: str = Field(default="", description="The agreement's articles, for people.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [p.id for p in self.parties]
        if len(set(ids)) != len(ids):
            raise ValueError("parties: ids must be unique")
        for observer in self.observers:
            if observer in ids:
                raise ValueError(f"observers: {observer!r} is a party")
        dates = [r.by for r in self.reductions]
        if dates != sorted(dates):
            raise ValueError("reductions: list the steps in date order")
        return self

    def party_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.parties)

    def text_sha256(self) -> str:
        """hex SHA-256 of the agreement's canonical JSON: what ``propose`` and ``sign`` fix."""
        return sha256_hex(canonical_json(self.model_dump(mode="json")))

    def lead_time(self, event: str) -> dt.timedelta:
        """The pre-event notice required for an event type (none if not listed)."""
        for kind, hours in self.notifications.lead_time_hours.items():
            if kind == event:
                return dt.timedelta(hours=hours)
        return dt.timedelta(0)

    def limits_on(self, day: dt.date) -> ReductionStep | None:
        """The reduction step in effect on ``day`` (the latest whose date has passed)."""
        current = None
        for step in self.reductions:
            if step.by <= day:
                current = step
        return current


def load_agreement(path: str | Path) -> Agreement:
    """Read and validate an agreement file (.yaml, .yml or .json); errors name file, path,
    reason and line (:class:`glasnost.common.documents.DocumentError`)."""
    return load_model(path, Agreement, what="agreement")


BUILTIN_AGREEMENTS = ("us-ru",)


def builtin_agreement(name: str = "us-ru") -> Agreement:
    """The built-in example agreement (``us-ru``)."""
    if name not in BUILTIN_AGREEMENTS:
        raise ValueError(f"no built-in agreement {name!r}; choose one of {BUILTIN_AGREEMENTS}")
    source = resources.files("glasnost.treaty") / "data" / f"agreement-{name}.yaml"
    with resources.as_file(source) as path:
        return load_agreement(path)
