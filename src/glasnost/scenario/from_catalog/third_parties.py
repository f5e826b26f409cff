"""Third parties of the built-in scenarios (``us-ru-ir``): missile types defined from published
figures, their launch bases, the treaty parties' declarations against them and their aim points
(data/third_parties.yaml)."""

from __future__ import annotations

from glasnost.scenario.from_catalog.build import (
    ASSUMPTIONS_SOURCE,
    BUILTIN_SOURCE,
    THIRD_PARTIES_SOURCE,
    Build,
)
from glasnost.scenario.missile_types import MissileTypeRef
from glasnost.scenario.posture import LaunchBase, Target


def third_party(build: Build, pid: str) -> tuple[list[MissileTypeRef], list[LaunchBase]]:
    """A third party's missile types (defined from published figures, stacks derived) and
    launch bases, from data/third_parties.yaml."""
    entry = build.third["parties"][pid]
    rcs = build.asm["sensors"]["target_rcs_m2"]
    mtypes = []
    for m in entry["missile_types"]:
        definition = {
            **m["definition"],
            "sources": build.cite(m["definition"]["sources"], [THIRD_PARTIES_SOURCE]),
        }
        mtypes.append(
            MissileTypeRef.model_validate(
                {
                    "id": m["id"],
                    "warheads": m["warheads"],
                    "rcs_booster_m2": float(rcs["booster"]),
                    "rcs_reentry_vehicle_m2": float(rcs["reentry_vehicle"]),
                    "definition": definition,
                    "basis": "assumed",
                    "assumed_fields": ["warheads", "rcs_booster_m2", "rcs_reentry_vehicle_m2"],
                    "sources": build.cite(ASSUMPTIONS_SOURCE, BUILTIN_SOURCE),
                    "note": f"{m['note']} RCS: {build.asm['sensors']['target_rcs_basis']} "
                    "(assumptions.yaml, as for the catalog's missiles).",
                }
            )
        )
    bases = [
        LaunchBase.model_validate(
            {**b, "sources": build.cite(b["sources"], [THIRD_PARTIES_SOURCE])}
        )
        for b in entry["launch_bases"]
    ]
    derived = "; ".join(
        f"{m.id} ({'NOTIONAL, ' if d.name.lower().startswith('notional') else ''}"
        f"{d.name}: {d.stage_count}-stage {d.propellant}, {d.range_km:,.0f} km, "
        f"{d.launch_mass_kg:,.0f} kg; assumed: {', '.join(d.assumed_fields) or 'all'}; "
        f"{_fit_summary(m)})"
        for m in mtypes
        if (d := m.definition) is not None
    )
    launchers = ", ".join(f"{b.id} {b.launchers} x {b.missile}" for b in bases)
    build.assumptions += [
        f"Third party {pid} ({entry['name']}): in no dyad; its missiles fly only where a "
        "party declares its defenses against it. Its missile types are defined in the "
        "scenario from open-source figures (data/third_parties.yaml) and their stacks derived "
        f"as the catalog's derived missiles are (glasnost.scenario.derive, basis: derived): "
        f"{derived}. Each definition's note says why its assumed figures were chosen; a "
        "fitted payload is a fit parameter, not a warhead mass.",
        f"{pid} launch bases (launchers assumed, no open count; one warhead each): "
        f"{launchers}. Coordinates: the Simorgh pad as published, the others approximate "
        "town or site positions (assumed); ir_tabriz is an assumed deployment area.",
        f"{pid} radar cross-sections: assumptions.yaml's booster "
        f"{rcs['booster']} m^2 and reentry vehicle {rcs['reentry_vehicle']} m^2 "
        "(the catalog convention; no post-boost vehicle: single warheads).",
    ]
    return mtypes, bases


def declarations(build: Build) -> dict[str, tuple[str, ...]]:
    """declared_against of the treaty parties, for this scenario's third parties."""
    out: dict[str, tuple[str, ...]] = {}
    for d in build.third["declarations"]:
        against = tuple(t for t in d["declared_against"] if t in build.third_parties)
        if against:
            out[d["party"]] = against
            build.cite(d["sources"])
            build.assumptions.append(
                f"{d['party']} declares its defenses against {', '.join(against)} "
                f"(declared_against): {d['note']} Sources: {', '.join(d['sources'])}."
            )
    return out


def declared_threat_targets(build: Build) -> dict[str, list[Target]]:
    """Aim points of the third parties' missiles on the declaring parties' side."""
    out: dict[str, list[Target]] = {}
    for party, entries in build.third["targets"].items():
        out[party] = [
            Target(
                **t,
                against=tuple(build.third_parties),
                basis="assumed",
                sources=build.cite(BUILTIN_SOURCE),
                note="Aim point of the declared threat; approximate position.",
            )
            for t in entries
        ]
        build.assumptions.append(
            f"Aim points of the declared threat added to the {party} party's targets: "
            + ", ".join(t.id for t in out[party])
            + " (approximate positions, assumed). Allied-hosted aim points count as the US "
            "party's, as allied-hosted sites and radars do (the EPAA defends 'our Allies in "
            "Europe' and U.S. forces there). Only the third parties' missiles fly to them "
            "(Target.against), so the treaty partners' numbers are those of us-ru."
        )
    return out


def _fit_summary(ref: MissileTypeRef) -> str:
    """What the derivation fitted for a defined type, in words (for the assumptions)."""
    from glasnost.scenario.derive import derive_stack

    d = ref.definition
    assert d is not None
    fitted = derive_stack(d.figures()).fitted
    if d.payload_kg is not None:
        return f"throw weight {d.payload_kg:,.0f} kg published, fitted {fitted}"
    return f"fitted {fitted}"
