"""The agreement's criteria evaluated on the directions of an assessment: the fraction of
deployed warheads the defender could defeat under the attacker's least-defeatable plan
(:class:`ThreatPlan`), the interceptor speeds by basing, and the purpose test of parties that
declare what their defenses are for (:class:`Purpose`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glasnost.defense.capacity import Capacity
from glasnost.defense.direction import Direction, Route, direction_capacity
from glasnost.defense.flyout import FlyoutTable
from glasnost.defense.interceptor_performance import type_burnout_kms
from glasnost.scenario.models import Scenario
from glasnost.scenario.posture import InterceptorSite


@dataclass(frozen=True)
class CriterionResult:
    id: str
    subject: str  # e.g. "RU defenses vs US warheads" or "US land-based interceptors"
    value: float
    threshold: float
    passed: bool
    drivers: tuple[str, ...]


def _is_dyad(scenario: Scenario, d: Direction) -> bool:
    """Whether a direction is between treaty partners (not a declared third-party threat)."""
    return any({d.attacker, d.defender} == {a, b} for a, b in scenario.assessment.dyads)


@dataclass(frozen=True)
class Coverage:
    """What a party's defenses could do against one group of attackers' missiles."""

    attackers: tuple[str, ...]
    routes: int
    """Reachable routes (base, target, shape) of those attackers to this party's targets."""
    routes_engageable: int
    warheads: int
    """Deployed warheads of those attackers."""
    warheads_defeatable: int
    by_site: dict[str, int]
    """Routes each site could engage."""

    @property
    def fraction(self) -> float:
        return self.warheads_defeatable / self.warheads if self.warheads else 0.0


@dataclass(frozen=True)
class Purpose:
    """The purpose test of a party that declares the threats its defenses are for: coverage
    of the declared threats beside coverage of the treaty partners' deterrent."""

    defender: str
    declared: Coverage
    partners: Coverage

    @property
    def serves_declared_purpose(self) -> bool:
        return self.declared.routes_engageable > 0


def _coverage(
    directions: list[Direction], attackers: tuple[str, ...], shots_per_warhead: int
) -> Coverage:
    """Coverage over the least-defeatable plan of each attacker (:func:`least_defeatable`)."""
    mine = [p for p, _ in least_defeatable(directions, shots_per_warhead)]
    mine = [p for p in mine if p.attacker in attackers]
    by_site: dict[str, int] = {}
    for p in mine:
        for i, site in enumerate(p.sites):
            by_site[site.id] = by_site.get(site.id, 0) + int(p.feasible[i].sum())
    return Coverage(
        attackers,
        sum(len(p.routes) for p in mine),
        sum(int(p.feasible.any(axis=0).sum()) for p in mine),
        sum(p.deployed_warheads for p in mine),
        sum(p.capacity.warheads_defeatable for p in mine),
        by_site,
    )


def purpose_tests(scenario: Scenario, directions: list[Direction]) -> tuple[Purpose, ...]:
    """The purpose test of every party that declares what its defenses are for."""
    shots = scenario.assessment.shots_per_warhead
    out = []
    for party in scenario.parties:
        declared = party.declared_against
        if not declared:
            continue
        partners = tuple(
            b if a == party.id else a for a, b in scenario.assessment.dyads if party.id in (a, b)
        )
        mine = [d for d in directions if d.defender == party.id]
        out.append(
            Purpose(party.id, _coverage(mine, declared, shots), _coverage(mine, partners, shots))
        )
    return tuple(out)


def _purpose_drivers(p: Purpose) -> tuple[str, ...]:
    def line(c: Coverage, what: str) -> str:
        return (
            f"{what} {', '.join(c.attackers) or '-'}: {c.routes_engageable} of {c.routes} "
            f"routes engageable, {c.warheads_defeatable} of {c.warheads} warheads defeatable "
            f"({c.fraction:.1%})"
        )

    return (
        line(p.declared, "declared threat"),
        line(p.partners, "treaty partner"),
        *(() if p.serves_declared_purpose else ("no route of a declared threat is engageable",)),
    )


PER_ROUTE = "per route"
"""The label of the plan in which the attacker picks each route's shape."""


@dataclass(frozen=True)
class ThreatPlan:
    """How an attacker flies its routes against one defender, as the defeatable-fraction
    criterion weighs it: one threat shape for every route (a direction), or, per route, the
    shape that the fewest of the defender's sites could engage (``PER_ROUTE``)."""

    defender: str
    attacker: str
    label: str
    sites: tuple[InterceptorSite, ...]
    routes: tuple[Route, ...]  # the flown routes, the columns of ``feasible``
    feasible: NDArray[np.bool_]  # (sites, routes)
    capacity: Capacity
    deployed_warheads: int

    @property
    def defeatable_fraction(self) -> float:
        if self.deployed_warheads == 0:
            return 0.0
        return self.capacity.warheads_defeatable / self.deployed_warheads

    @staticmethod
    def of(d: Direction) -> ThreatPlan:
        """The plan in which every route flies the direction's shape."""
        return ThreatPlan(
            d.defender,
            d.attacker,
            d.shape,
            d.sites,
            d.routes,
            d.table.feasible,
            d.capacity,
            d.deployed_warheads,
        )


def _per_route_plan(group: list[Direction], shots_per_warhead: int) -> ThreatPlan:
    """Per (base, target), the shape that the fewest sites could engage; ties go to the shape
    whose engaging sites hold the fewest interceptors, then to the order of ``threat_shapes``.
    A route that no shape reaches is left out, as in every plan."""
    first = group[0]
    ids = [s.id for s in first.sites]
    counts = np.array([s.count for s in first.sites], dtype=np.int64)
    chosen: dict[tuple[str, str], tuple[tuple[int, int, int], Route, NDArray[np.bool_]]] = {}
    for k, d in enumerate(group):
        if [s.id for s in d.sites] != ids:
            raise ValueError("the shapes of one direction were assessed with different sites")
        for j, r in enumerate(d.routes):
            column = d.table.feasible[:, j]
            rank = (int(column.sum()), int(counts[column].sum()), k)
            key = (r.base.id, r.target.id)
            if key not in chosen or rank < chosen[key][0]:
                chosen[key] = (rank, r, column)
    live = [r for _, r, _ in chosen.values()]
    feasible = (
        np.stack([c for _, _, c in chosen.values()], axis=1)
        if chosen
        else np.zeros((len(ids), 0), dtype=bool)
    )
    everything = [r for d in group for r in (*d.routes, *d.unreachable)]
    return ThreatPlan(
        first.defender,
        first.attacker,
        PER_ROUTE,
        first.sites,
        tuple(live),
        feasible,
        direction_capacity(first.sites, everything, live, feasible, shots_per_warhead),
        first.deployed_warheads,
    )


def least_defeatable(
    directions: list[Direction], shots_per_warhead: int
) -> list[tuple[ThreatPlan, dict[str, float]]]:
    """Per (defender, attacker), the plan whose warheads the defender could defeat the least
    of (the attacker flies the way that suits it: the worst case for the defended party),
    with every plan's fraction. With several threat shapes the plans are each shape for
    every route and the per-route choice (:func:`_per_route_plan`)."""
    groups: dict[tuple[str, str], list[Direction]] = {}
    for d in directions:
        groups.setdefault((d.defender, d.attacker), []).append(d)
    out = []
    for group in groups.values():
        plans = [ThreatPlan.of(d) for d in group]
        if len(group) > 1:
            plans.append(_per_route_plan(group, shots_per_warhead))
        least = min(plans, key=lambda p: p.defeatable_fraction)
        out.append((least, {p.label: p.defeatable_fraction for p in plans}))
    return out


def evaluate_criteria(
    scenario: Scenario, directions: list[Direction], tables: dict[str, FlyoutTable]
) -> tuple[CriterionResult, ...]:
    """Each criterion of the agreement per direction (fraction) or per defender (velocities;
    a staged type's velocity is the one derived from its flyout table)."""
    out: list[CriterionResult] = []
    types = {t.id: t for t in scenario.interceptor_types}

    def speed_kms(type_id: str) -> float:
        return type_burnout_kms(types[type_id], tables)

    parties = {p.id: p for p in scenario.parties}
    treaty = [d for d in directions if _is_dyad(scenario, d)]
    defenders = list(dict.fromkeys(d.defender for d in treaty))
    for crit in scenario.assessment.criteria:
        if crit.id == "purpose":
            for p in purpose_tests(scenario, directions):
                value = p.partners.fraction
                out.append(
                    CriterionResult(
                        crit.id,
                        f"{p.defender} defenses: declared against "
                        f"{', '.join(p.declared.attackers)}",
                        value,
                        crit.threshold,
                        value <= crit.threshold and p.serves_declared_purpose,
                        _purpose_drivers(p),
                    )
                )
        elif crit.id == "deployed_warheads_defeatable_fraction":
            shots = scenario.assessment.shots_per_warhead
            for d, by_plan in least_defeatable(treaty, shots):
                top = np.argsort(-d.capacity.by_site)[:3]
                drivers = tuple(
                    f"{d.sites[i].id}: {int(d.capacity.by_site[i])} warheads"
                    for i in top
                    if d.capacity.by_site[i] > 0
                )
                if len(by_plan) > 1:
                    drivers = (
                        f"least defeatable shape: {d.label} ("
                        + ", ".join(f"{k} {v:.1%}" for k, v in by_plan.items())
                        + ")",
                        *drivers,
                    )
                value = d.defeatable_fraction
                out.append(
                    CriterionResult(
                        crit.id,
                        f"{d.defender} defenses vs {d.attacker} warheads",
                        value,
                        crit.threshold,
                        value <= crit.threshold,
                        drivers,
                    )
                )
        else:
            basing = "land" if crit.id.startswith("land") else "sea"
            for pid in defenders:
                sites = [s for s in parties[pid].interceptor_sites if s.basing == basing]
                speeds = {s.interceptor: speed_kms(s.interceptor) for s in sites}
                value = max(speeds.values(), default=0.0)
                drivers = tuple(
                    f"{k}: {v:.2f} km/s"
                    for k, v in sorted(speeds.items(), key=lambda kv: -kv[1])
                    if v > crit.threshold
                )
                out.append(
                    CriterionResult(
                        crit.id,
                        f"{pid} {basing}-based interceptors",
                        value,
                        crit.threshold,
                        value <= crit.threshold,
                        drivers,
                    )
                )
    return tuple(out)
