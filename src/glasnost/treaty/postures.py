"""Declared postures from scenarios: what a party declares, in the assessment's own models.

:func:`declared_posture` takes one party of a scenario (its sites, radars, launch bases and
targets in service on the scenario's date) with exactly the interceptor and missile types it
uses and the sources it cites, adds the launch bases and aim points of the parties it declares
its defenses against (``declared_against``: the threat parties, as the scenario holds them), and
counts its strategic forces from its launch bases (New START categories: deployed launchers, the
warheads they carry, non-deployed launchers). The scenario's stated uncertainties of the values
the posture declares (its own types and its party's items) go with it.
"""

from __future__ import annotations

import datetime as dt

from glasnost.scenario.models import Scenario
from glasnost.scenario.posture import Party
from glasnost.treaty.bodies import Declaration, DeclaredPosture, PlannedChange, StrategicForces


def strategic_forces(
    scenario: Scenario, party: Party, *, non_deployed_launchers: int = 0
) -> StrategicForces:
    """Deployed launchers and warheads summed over the party's launch bases."""
    return StrategicForces(
        deployed_launchers=sum(b.launchers for b in party.launch_bases),
        deployed_warheads=sum(
            b.launchers * scenario.warheads_per_missile(b) for b in party.launch_bases
        ),
        non_deployed_launchers=non_deployed_launchers,
    )


def declared_posture(
    scenario: Scenario,
    party_id: str,
    *,
    non_deployed_launchers: int = 0,
    ten_year_plan: tuple[PlannedChange, ...] = (),
) -> DeclaredPosture:
    """The posture ``party_id`` declares: its part of ``scenario`` on the scenario's date."""
    posture = scenario.on(scenario.date)
    party = posture.party(party_id)
    threats = tuple(
        posture.party(t).model_copy(
            update={"interceptor_sites": (), "radars": (), "space_based_infrared": None}
        )
        for t in party.declared_against
    )
    interceptor_ids = {s.interceptor for s in party.interceptor_sites}
    missile_ids = {b.missile for p in (party, *threats) for b in p.launch_bases}
    interceptor_types = tuple(t for t in scenario.interceptor_types if t.id in interceptor_ids)
    missile_types = tuple(m for m in scenario.missile_types if m.id in missile_ids)
    cited: set[str] = set()
    for group in (
        party.interceptor_sites,
        party.radars,
        party.launch_bases,
        party.targets,
        *(g for t in threats for g in (t.launch_bases, t.targets)),
        interceptor_types,
        missile_types,
        tuple(m.definition for m in missile_types if m.definition is not None),
    ):
        for item in group:
            cited.update(item.sources)
    if party.space_based_infrared is not None:
        cited.update(party.space_based_infrared.sources)
    return DeclaredPosture(
        party=party,
        interceptor_types=interceptor_types,
        missile_types=missile_types,
        strategic_forces=strategic_forces(
            scenario, party, non_deployed_launchers=non_deployed_launchers
        ),
        ten_year_plan=ten_year_plan,
        sources={k: v for k, v in sorted(scenario.sources.items()) if k in cited},
        threat_parties=threats,
        uncertainty=tuple(
            u
            for u in scenario.uncertainty or ()
            if _names_own(u.path, party_id, interceptor_ids, missile_ids)
        ),
    )


def _names_own(path: str, party_id: str, interceptors: set[str], missiles: set[str]) -> bool:
    """Whether a scenario path names a value of the party's posture (its types, its items)."""
    head, _, rest = path.partition(".")
    ident = rest.partition(".")[0]
    owned = {"interceptor_types": interceptors, "missile_types": missiles, "parties": {party_id}}
    return ident in owned.get(head, set())


def declaration_from_scenario(
    scenario: Scenario,
    party_id: str,
    *,
    kind: str = "baseline",
    as_of: dt.date | None = None,
) -> Declaration:
    """A declaration (baseline by default) of ``party_id``'s posture in ``scenario``."""
    return Declaration.model_validate(
        {
            "kind": kind,
            "as_of": as_of or scenario.date,
            "posture": declared_posture(scenario, party_id),
        }
    )
