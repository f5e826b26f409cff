"""How the built-in scenarios are made from the open-source catalog (the generator of the data
files that :mod:`glasnost.scenario.builtin` ships; run ``scripts/build_builtin_scenarios.py``).

``data/catalog_reference.yaml`` and ``data/catalog_assumptions.yaml`` are unchanged copies of
``shared/catalog/reference.yaml`` (what public sources state, with citations) and
``assumptions.yaml`` (the modelling conventions that fill its gaps). :func:`build_scenario`
turns them into a :class:`Scenario`, keeping the catalog ids, marking every value that comes from
the assumptions (or from a decision made here) as ``basis: assumed`` with ``assumed_fields``, and
saying in words, in the scenario's ``assumptions``, what was assumed and what was left out.

* ``us-ru``: the United States and Russia, one dyad.
* ``us-ru-cn``: the same plus China (radars, two silo fields, aim points), dyads US-RU, US-CN
  and RU-CN.
* ``us-ru-ir``: ``us-ru`` plus Iran (``IR``) as a third party, in no dyad: missile types defined
  in the scenario from open-source figures (two medium-range missiles and a notional ICBM, stacks
  derived by glasnost.scenario.derive), launch bases at open-source locations, European aim
  points of the US party and the US declaring its defenses against IR (the EPAA's declared
  purpose). The figures and their citations are in ``data/third_parties.yaml``.

The script writes each scenario to ``data/builtin/<name>.yaml`` (and ``examples/us-ru.yaml``,
``examples/us-ru-ir.yaml``, the same text); nothing at run time builds a scenario here.

One :class:`~glasnost.scenario.from_catalog.build.Build` reads the catalog files and records the
sources cited and the assumptions stated; each part of the scenario is made by the module of its
concept: :mod:`~glasnost.scenario.from_catalog.interceptors` (interceptor types and sites),
:mod:`~glasnost.scenario.from_catalog.sensors` (radars, space-based infrared),
:mod:`~glasnost.scenario.from_catalog.forces` (missile types, launch bases, aim points),
:mod:`~glasnost.scenario.from_catalog.third_parties` and
:mod:`~glasnost.scenario.from_catalog.settings` (dyads, doctrine, criteria).
"""

from __future__ import annotations

from glasnost.scenario.builtin import BUILTIN_NAMES
from glasnost.scenario.from_catalog import forces, interceptors, sensors, settings, third_parties
from glasnost.scenario.from_catalog.build import OWN_SOURCES, PARTY_NAMES, Build
from glasnost.scenario.loading import Issue, ScenarioError
from glasnost.scenario.models import DEFAULT_DATE, Scenario
from glasnost.scenario.posture import Party

THIRD_PARTIES = {"us-ru-ir": ("IR",)}
"""Third parties (data/third_parties.yaml) of each built-in scenario that has any."""


def build_scenario(name: str = "us-ru") -> Scenario:
    """Build the built-in scenario ``name`` from the catalog (what its data file holds)."""
    if name not in BUILTIN_NAMES:
        raise ScenarioError(
            f"--builtin {name}",
            [Issue("", f"unknown built-in scenario; choose one of {', '.join(BUILTIN_NAMES)}")],
        )
    build = Build(with_china=name == "us-ru-cn", third_parties=THIRD_PARTIES.get(name, ()))
    return _assemble(build, name)


def _assemble(build: Build, name: str) -> Scenario:
    """The scenario from its parts; the order of the calls is the order of its assumptions."""
    build.assumptions.append(
        "Every value marked basis: assumed (assumed_fields names which) comes from the "
        "catalog's assumptions.yaml or from a decision of glasnost.scenario.builtin stated "
        "here; everything else is from reference.yaml with its sources. Replace assumptions "
        "with declared values."
    )
    itypes = interceptors.interceptor_types(build)
    sites = interceptors.sites(build)
    radars = sensors.radars(build)
    infrared = sensors.space_infrared(build)
    bases, missiles_used = forces.launch_bases(build)
    if build.with_china:
        bases["CN"] = forces.china_bases(build)
        missiles_used.append(forces.CN_MISSILE)
    mtypes = forces.missile_types(build, missiles_used)
    targets = forces.targets(build)
    names = dict(PARTY_NAMES)
    for pid in build.third_parties:
        third_types, bases[pid] = third_parties.third_party(build, pid)
        mtypes += third_types
        names[pid] = str(build.third["parties"][pid]["name"])
    declared = third_parties.declarations(build) if build.third_parties else {}
    if build.third_parties:
        for party, extra in third_parties.declared_threat_targets(build).items():
            targets[party] = targets.get(party, []) + extra
    assessment = settings.assessment(build)
    party_ids = ["US", "RU"] + (["CN"] if build.with_china else []) + list(build.third_parties)
    parties = [
        Party(
            id=pid,
            name=names[pid],
            interceptor_sites=tuple(sites.get(pid, [])),
            radars=tuple(radars.get(pid, [])),
            space_based_infrared=infrared.get(pid),
            launch_bases=tuple(bases.get(pid, [])),
            targets=tuple(targets.get(pid, [])),
            declared_against=declared.get(pid, ()),
        )
        for pid in party_ids
    ]
    build.assumptions.append(
        f"Posture as of {DEFAULT_DATE} (the catalog describes forces as of 2024)."
    )
    ref_sources = {**build.ref["sources"], **build.third["sources"]}
    sources = {
        s: str(ref_sources[s]) if s in ref_sources else OWN_SOURCES[s] for s in sorted(build.cited)
    }
    treaty = [p for p in party_ids if p not in build.third_parties]
    who = " and ".join(names[p] for p in treaty)
    third = (
        f", with {' and '.join(names[p] for p in build.third_parties)} as a third party "
        "(data/third_parties.yaml)"
        if build.third_parties
        else ""
    )
    return Scenario(
        name=name,
        description=(
            f"Built-in scenario: {who}{third}, from glasnost's open-source catalog "
            "(reference.yaml with its citations, gaps filled from assumptions.yaml). Values "
            "marked assumed are modelling conventions to be replaced by declared data."
        ),
        earth="wgs84",
        date=DEFAULT_DATE,
        sources=sources,
        missile_types=tuple(mtypes),
        interceptor_types=tuple(itypes),
        parties=tuple(parties),
        assessment=assessment,
        assumptions=tuple(build.assumptions),
    )
