"""Tests of the presentation layer; ``small_assessment`` is the shared small case."""

from __future__ import annotations

from functools import cache

from glasnost.defense.assessment import Assessment, assess
from glasnost.scenario.builtin import builtin_scenario

SITE_NAME = 'Fort <Greely> & "Co" \'s'
"""A name that must be escaped in XML (set on fort_greely)."""

BASES = {"US": ("malmstrom_341mw", "us_pacific_patrol"), "RU": ("okhotsk_bastion", "kozelsk")}
TARGETS = {
    "US": ("seattle", "washington", "anchorage"),
    "RU": ("moscow", "vladivostok", "vilyuchinsk"),
}


@cache
def small_assessment() -> Assessment:
    """The built-in us-ru scenario with 2 launch bases and 3 targets per party (the Sea of
    Okhotsk patrol to Seattle and Anchorage crosses the antimeridian; Okhotsk to Washington is
    out of reach), every site, radar and setting kept; assessed once per test session."""
    scenario = builtin_scenario("us-ru")
    parties = []
    for p in scenario.parties:
        sites = tuple(
            s.model_copy(update={"name": SITE_NAME}) if s.id == "fort_greely" else s
            for s in p.interceptor_sites
        )
        parties.append(
            p.model_copy(
                update={
                    "interceptor_sites": sites,
                    "launch_bases": tuple(b for b in p.launch_bases if b.id in BASES[p.id]),
                    "targets": tuple(t for t in p.targets if t.id in TARGETS[p.id]),
                }
            )
        )
    return assess(scenario.model_copy(update={"parties": tuple(parties)}))
