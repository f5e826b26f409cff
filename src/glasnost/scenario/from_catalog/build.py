"""One build of a built-in scenario from the catalog: the catalog files it reads, and what it
records on the way (the sources it cites, the assumptions it states in words)."""

from __future__ import annotations

from functools import cache
from typing import Any

from glasnost.scenario.missiles import data_file

ASSUMPTIONS_SOURCE = "catalog_assumptions"
BUILTIN_SOURCE = "glasnost_builtin"
THIRD_PARTIES_SOURCE = "glasnost_third_parties"
OWN_SOURCES = {
    ASSUMPTIONS_SOURCE: (
        "glasnost catalog assumptions.yaml (copied as glasnost/scenario/data/"
        "catalog_assumptions.yaml): modelling conventions of the open kinematic literature "
        "(Wilkening 2012; Butt & Postol 2011; NRC 2012; Lewis & Postol 2007; the 1997 US-Russia "
        "TMD statement), approximate coordinates, representative patrol points and aim points. "
        "Assumptions, not facts."
    ),
    BUILTIN_SOURCE: (
        "Decision made in glasnost.scenario.builtin where neither catalog file gives a value; "
        "stated in the scenario's assumptions list. Replace with declared values."
    ),
    THIRD_PARTIES_SOURCE: (
        "glasnost data/third_parties.yaml: third parties' open-source figures with their "
        "citations, and the assumptions that fill their gaps (named in assumed_fields, "
        "explained in each note). Assumptions, not facts, where so marked."
    ),
}

PARTY_NAMES = {"US": "United States", "RU": "Russian Federation", "CN": "China"}


@cache
def reference_catalog() -> dict[str, Any]:
    """The packaged copy of the catalog's reference.yaml."""
    return data_file("catalog_reference.yaml")


@cache
def assumptions_catalog() -> dict[str, Any]:
    """The packaged copy of the catalog's assumptions.yaml."""
    return data_file("catalog_assumptions.yaml")


@cache
def third_parties_catalog() -> dict[str, Any]:
    """data/third_parties.yaml: third parties' missiles, bases, declarations and aim points."""
    return data_file("third_parties.yaml")


class Build:
    """The catalog files and what one build collects: the sources cited and the assumptions
    stated while the scenario is made."""

    def __init__(self, with_china: bool, third_parties: tuple[str, ...] = ()) -> None:
        self.ref = reference_catalog()
        self.asm = assumptions_catalog()
        self.with_china = with_china
        self.third = third_parties_catalog()
        self.third_parties = third_parties
        self.cited: set[str] = set()
        self.assumptions: list[str] = []
        self.rcs_ref = float(self.asm["sensors"]["radar_reference_rcs_m2"])

    def cite(self, *groups: Any) -> tuple[str, ...]:
        """The source ids of ``groups`` (ids, lists of ids or None), in order, once each;
        recorded as cited."""
        out: list[str] = []
        for group in groups:
            for s in [group] if isinstance(group, str) else group or ():
                if s not in out:
                    out.append(s)
        self.cited.update(out)
        return tuple(out)

    def party_of(self, country: str) -> str:
        """US-operated and allied-hosted entries belong to the US party."""
        code = country.split()[0]
        return code if code in ("RU", "CN") else "US"
