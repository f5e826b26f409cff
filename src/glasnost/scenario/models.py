"""The scenario format: one assessment input as pydantic models (DESIGN.md, "Scenario").

A :class:`Scenario` holds the Earth model, the missile types
(:mod:`~glasnost.scenario.missile_types`: catalog ids of :mod:`glasnost.scenario.missiles` with
radar cross-sections and warhead loadings), the interceptor types
(:mod:`~glasnost.scenario.interceptor_types`: the simple kinematic model or a staged vehicle),
the parties with their interceptor sites, radars, space-based infrared, launch bases and targets
(:mod:`~glasnost.scenario.posture`), and the assessment settings with the agreement's criteria
(:mod:`~glasnost.scenario.settings`). What every entry shares (units in field names,
provenance, in-service windows) is in :mod:`~glasnost.scenario.base`.

* Every site, radar, base, target and type has an ``id``: a letter, then letters, digits, ``_``
  or ``-``. Ids are unique per kind across the whole scenario (a site id names one site of one
  party), so ``--set`` overrides and reports can address entries by id.
* :meth:`Scenario.on` returns the posture on a date.

Cross-references (site -> interceptor type, base -> missile type, dyads -> parties, sources) are
checked by :class:`Scenario`; errors carry the exact location, e.g.
``parties[1].interceptor_sites[3].interceptor``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal, Self, TypeVar

from pydantic import BaseModel, Field, model_validator

from glasnost.common.ids import dotted
from glasnost.scenario.base import Problem, Provenance, StrictModel, raise_problems
from glasnost.scenario.interceptor_types import InterceptorType
from glasnost.scenario.missile_types import MissileTypeRef
from glasnost.scenario.posture import LaunchBase, Party, Target
from glasnost.scenario.settings import AssessmentSettings
from glasnost.scenario.uncertainty import DeclaredUncertainty

DEFAULT_DATE = dt.date(2025, 1, 1)
"""Default assessment date: the built-in catalog describes forces as of 2024."""

_T = TypeVar("_T", bound=BaseModel)


class Scenario(StrictModel):
    """One assessment input: types, parties' postures and settings (DESIGN.md, Scenario)."""

    name: str = Field(min_length=1)
    description: str = ""
    earth: Literal["wgs84", "sphere"] = Field(
        default="wgs84", description="wgs84: rotating ellipsoid with J2; sphere: textbook Earth."
    )
    date: dt.date = Field(default=DEFAULT_DATE, description="Date of the posture assessed.")
    missile_types: tuple[MissileTypeRef, ...] = ()
    interceptor_types: tuple[InterceptorType, ...] = ()
    parties: tuple[Party, ...] = Field(min_length=1)
    assessment: AssessmentSettings
    assumptions: tuple[str, ...] = Field(
        default=(), description="What was assumed, in words (reports repeat it)."
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="Citations: source id -> text."
    )
    uncertainty: tuple[DeclaredUncertainty, ...] | None = Field(
        default=None,
        description="Declared values' stated uncertainties (glasnost sweep --declared).",
    )

    @model_validator(mode="after")
    def _cross_references(self) -> Self:
        problems: list[Problem] = []

        def unique(kind: str, entries: list[tuple[tuple[str | int, ...], str]]) -> set[str]:
            first: dict[str, tuple[str | int, ...]] = {}
            for loc, ident in entries:
                if ident in first:
                    problems.append(
                        (
                            (*loc, "id"),
                            f"duplicate {kind} id {ident!r} (also {dotted(first[ident])})",
                            ident,
                        )
                    )
                else:
                    first[ident] = loc
            return set(first)

        missiles = unique(
            "missile type", [(("missile_types", i), m.id) for i, m in enumerate(self.missile_types)]
        )
        interceptors = unique(
            "interceptor type",
            [(("interceptor_types", i), t.id) for i, t in enumerate(self.interceptor_types)],
        )
        parties = unique("party", [(("parties", i), p.id) for i, p in enumerate(self.parties)])
        for field, kind in (
            ("interceptor_sites", "interceptor site"),
            ("radars", "radar"),
            ("launch_bases", "launch base"),
            ("targets", "target"),
        ):
            unique(
                kind,
                [
                    (("parties", i, field, j), e.id)
                    for i, p in enumerate(self.parties)
                    for j, e in enumerate(getattr(p, field))
                ],
            )
        unique(
            "criterion",
            [(("assessment", "criteria", i), c.id) for i, c in enumerate(self.assessment.criteria)],
        )

        warheads = {m.id: m.warheads for m in self.missile_types}
        for i, p in enumerate(self.parties):
            for j, s in enumerate(p.interceptor_sites):
                if s.interceptor not in interceptors:
                    problems.append(
                        (
                            ("parties", i, "interceptor_sites", j, "interceptor"),
                            _unknown("interceptor type", s.interceptor, interceptors),
                            s.interceptor,
                        )
                    )
            for j, b in enumerate(p.launch_bases):
                loc: tuple[str | int, ...] = ("parties", i, "launch_bases", j)
                if b.missile not in missiles:
                    problems.append(
                        (
                            (*loc, "missile"),
                            _unknown("missile type", b.missile, missiles),
                            b.missile,
                        )
                    )
                elif b.warheads_per_missile is None and warheads[b.missile] is None:
                    problems.append(
                        (
                            (*loc, "warheads_per_missile"),
                            f"required: missile type {b.missile!r} gives no default warheads",
                            None,
                        )
                    )

        for i, p in enumerate(self.parties):
            declared: set[str] = set()
            for n, ident in enumerate(p.declared_against):
                loc = ("parties", i, "declared_against", n)
                if ident == p.id:
                    problems.append(
                        (loc, "a party cannot declare its defenses against itself", ident)
                    )
                elif ident not in parties:
                    problems.append((loc, _unknown("party", ident, parties - {p.id}), ident))
                elif ident in declared:
                    problems.append((loc, f"{ident!r} is listed twice", ident))
                declared.add(ident)

        for i, p in enumerate(self.parties):
            for k, t in enumerate(p.targets):
                for n, ident in enumerate(t.against):
                    if ident not in parties or ident == p.id:
                        problems.append(
                            (
                                ("parties", i, "targets", k, "against", n),
                                _unknown("party", ident, parties - {p.id}),
                                ident,
                            )
                        )

        seen_pairs: dict[frozenset[str], int] = {}
        for k, (x, y) in enumerate(self.assessment.dyads):
            for n, ident in enumerate((x, y)):
                if ident not in parties:
                    problems.append(
                        (("assessment", "dyads", k, n), _unknown("party", ident, parties), ident)
                    )
            if x == y:
                problems.append(
                    (("assessment", "dyads", k), f"a party cannot face itself ({x!r})", [x, y])
                )
            pair = frozenset((x, y))
            if pair in seen_pairs:
                problems.append(
                    (
                        ("assessment", "dyads", k),
                        f"duplicate dyad (also assessment.dyads[{seen_pairs[pair]}]; "
                        "each dyad is assessed both ways)",
                        [x, y],
                    )
                )
            seen_pairs.setdefault(pair, k)

        for loc, entry in self._provenance_entries():
            for n, source in enumerate(entry.sources):
                if source not in self.sources:
                    problems.append(
                        (
                            (*loc, "sources", n),
                            f"unknown source {source!r}; define it under the top-level `sources`",
                            source,
                        )
                    )
        raise_problems("Scenario", problems)
        return self

    def _provenance_entries(self) -> Iterator[tuple[tuple[str | int, ...], Provenance]]:
        for i, m in enumerate(self.missile_types):
            yield ("missile_types", i), m
            if m.definition is not None:
                yield ("missile_types", i, "definition"), m.definition
        for i, t in enumerate(self.interceptor_types):
            yield ("interceptor_types", i), t
        for i, p in enumerate(self.parties):
            for field in ("interceptor_sites", "radars", "launch_bases", "targets"):
                for j, e in enumerate(getattr(p, field)):
                    yield ("parties", i, field, j), e
            if p.space_based_infrared is not None:
                yield ("parties", i, "space_based_infrared"), p.space_based_infrared
        yield ("assessment",), self.assessment
        for i, c in enumerate(self.assessment.criteria):
            yield ("assessment", "criteria", i), c

    # --- queries ---------------------------------------------------------------------------------

    def on(self, date: dt.date) -> Scenario:
        """The posture on that date: sites, radars and bases whose in-service window holds it."""
        return self.model_copy(
            update={"date": date, "parties": tuple(p.on(date) for p in self.parties)}
        )

    def party(self, party_id: str) -> Party:
        return _by_id(self.parties, party_id, "party")

    def interceptor_type(self, type_id: str) -> InterceptorType:
        return _by_id(self.interceptor_types, type_id, "interceptor type")

    def missile_type(self, type_id: str) -> MissileTypeRef:
        return _by_id(self.missile_types, type_id, "missile type")

    def warheads_per_missile(self, base: LaunchBase) -> int:
        """The base's loading, or its missile type's default."""
        if base.warheads_per_missile is not None:
            return base.warheads_per_missile
        default = self.missile_type(base.missile).warheads
        assert default is not None  # checked by validation
        return default

    def directions(self) -> tuple[tuple[Party, Party], ...]:
        """(attacker, defender) for each dyad, both ways, in dyad order; then, one way, each
        party's declared threats (``declared_against``) against it."""
        out: list[tuple[Party, Party]] = []
        for a, b in self.assessment.dyads:
            out += [(self.party(a), self.party(b)), (self.party(b), self.party(a))]
        pairs = {(a.id, d.id) for a, d in out}
        for party in self.parties:
            for threat in party.declared_against:
                if (threat, party.id) not in pairs:
                    out.append((self.party(threat), party))
                    pairs.add((threat, party.id))
        return tuple(out)

    def targets_of(self, attacker: Party, defender: Party) -> tuple[Target, ...]:
        """The defender's aim points for the attacker's missiles (``Target.against``)."""
        return tuple(t for t in defender.targets if not t.against or attacker.id in t.against)

    def trajectory_count(self) -> int:
        """Trajectories the assessment flies: attacker bases x the defender's aim points for
        them, per direction and threat shape."""
        per_shape = sum(
            len(att.launch_bases) * len(self.targets_of(att, dfn)) for att, dfn in self.directions()
        )
        return per_shape * len(self.assessment.shapes())

    def counts(self) -> dict[str, int]:
        """How much the scenario holds (for summaries and reports)."""
        sites = [s for p in self.parties for s in p.interceptor_sites]
        bases = [b for p in self.parties for b in p.launch_bases]
        return {
            "parties": len(self.parties),
            "interceptor_sites": len(sites),
            "interceptors": sum(s.count for s in sites),
            "radars": sum(len(p.radars) for p in self.parties),
            "launch_bases": len(bases),
            "launchers": sum(b.launchers for b in bases),
            "warheads": sum(b.launchers * self.warheads_per_missile(b) for b in bases),
            "targets": sum(len(p.targets) for p in self.parties),
            "dyads": len(self.assessment.dyads),
            "trajectories": self.trajectory_count(),
        }

    def summary(self) -> str:
        """One line: the counts of the scenario."""
        c = self.counts()
        return (
            f"scenario {self.name!r} on {self.date}: {c['parties']} parties "
            f"({', '.join(p.id for p in self.parties)}), {c['interceptor_sites']} interceptor "
            f"sites ({c['interceptors']} interceptors), {c['radars']} radars, "
            f"{c['launch_bases']} launch bases ({c['launchers']} launchers, {c['warheads']} "
            f"warheads), {c['targets']} targets, {c['dyads']} dyads, "
            f"{c['trajectories']} trajectories"
        )


def _by_id(entries: tuple[_T, ...], ident: str, kind: str) -> _T:
    for e in entries:
        if getattr(e, "id", None) == ident:
            return e
    known = {str(getattr(e, "id", "")) for e in entries}
    raise KeyError(_unknown(kind, ident, known))


def _unknown(kind: str, ident: str, known: set[str]) -> str:
    return f"unknown {kind} {ident!r}; known: {', '.join(sorted(known)) or '(none)'}"
