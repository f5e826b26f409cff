"""The declarations page: a world map of the interceptor sites and radars in each party's
latest received declaration (:func:`glasnost.treaty.confirmation.latest_declarations`, drawn
by :func:`glasnost.report.maps.world_map_png`), their lists, and every declaration over time
with what changed from the party's previous one
(:func:`glasnost.treaty.declarations.posture_changes`).

Radar footprints follow the one rule of :mod:`glasnost.defense.geometry` (as in the assessment
report and the GIS export): where each radar sees the smallest reentry vehicle that the other
parties declare, at 300 km. The map is drawn once per set of latest declarations (by their
hashes).
"""

from __future__ import annotations

import base64
from typing import Any

from glasnost.defense.geometry import (
    FOOTPRINT_ALTITUDE_M,
    Footprint,
    footprint_note,
    radar_footprints,
    threat_rcs_m2,
)
from glasnost.physics.constants import EARTH_MODELS
from glasnost.report import maps
from glasnost.service.pages.common import PLOT_LOCK, Site
from glasnost.treaty.bodies import Declaration, DeclaredPosture
from glasnost.treaty.confirmation import EARTH, latest_declarations
from glasnost.treaty.declarations import posture_changes
from glasnost.treaty.logs import LoggedEntry

__all__ = ["FOOTPRINT_ALTITUDE_KM", "page"]

FOOTPRINT_ALTITUDE_KM = FOOTPRINT_ALTITUDE_M / 1e3
"""Height of the object for which radar footprints are drawn (as in the assessment report)."""


def _counts(declaration: Declaration) -> dict[str, Any] | None:
    posture = declaration.posture
    if posture is None:
        return None
    forces = posture.strategic_forces
    return {
        "sites": len(posture.party.interceptor_sites),
        "interceptors": posture.party.interceptors,
        "radars": len(posture.party.radars),
        "launch_bases": len(posture.party.launch_bases),
        "deployed_launchers": forces.deployed_launchers,
        "deployed_warheads": forces.deployed_warheads,
        "non_deployed_launchers": forces.non_deployed_launchers,
    }


def _history(entries: list[LoggedEntry]) -> list[dict[str, Any]]:
    """Each declaration of a party in log order, with the changes from the previous one that
    declared a posture."""
    rows = []
    previous: tuple[LoggedEntry, DeclaredPosture] | None = None
    previous_counts: dict[str, Any] | None = None
    for entry in entries:
        body = entry.entry.body
        if not isinstance(body, Declaration):
            continue
        counts = _counts(body)
        changes: list[str] | None = None
        if body.posture is not None and previous is not None:
            changes = [c.describe() for c in posture_changes(previous[1], body.posture)]
        rows.append(
            {
                "ref": entry.ref,
                "seq": entry.seq,
                "kind": body.kind,
                "as_of": body.as_of,
                "created_at": entry.created_at,
                "received_at": entry.received_at,
                "counts": counts,
                "previous_counts": previous_counts,
                "previous": None if previous is None else previous[0].ref,
                "changes": changes,
                "commitments": len(body.commitments),
            }
        )
        if body.posture is not None:
            previous = (entry, body.posture)
            previous_counts = counts
    return rows


def _markers(
    latest: dict[str, LoggedEntry], parties: list[str]
) -> tuple[list[maps.SiteMarker], list[maps.RadarMarker], list[Footprint]]:
    earth = EARTH_MODELS[EARTH]
    postures = {}
    for party in parties:
        entry = latest.get(party)
        body = None if entry is None else entry.entry.body
        if isinstance(body, Declaration) and body.posture is not None:
            postures[party] = body.posture
    forces = [(p.party, p.missile_types) for p in postures.values()]
    sites: list[maps.SiteMarker] = []
    radars: list[maps.RadarMarker] = []
    footprints: list[Footprint] = []
    for party, posture in postures.items():
        declared = posture.party
        sites += [
            maps.SiteMarker(s.lon_deg, s.lat_deg, s.id, party, s.count)
            for s in declared.interceptor_sites
        ]
        drawn = radar_footprints(declared.radars, threat_rcs_m2(declared.id, forces), earth)
        radars += maps.radar_markers(party, drawn)
        footprints += drawn
    return sites, radars, footprints


def _map(latest: dict[str, LoggedEntry], parties: list[str]) -> str:
    """The map as a data: URI (PNG)."""
    sites, radars, footprints = _markers(latest, parties)
    with PLOT_LOCK:
        png = maps.world_map_png(
            title="Declared interceptor sites and radars",
            parties=parties,
            sites=sites,
            radars=radars,
            coverage_note=f"radar coverage of {footprint_note(footprints)}",
        )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _posture(entry: LoggedEntry) -> dict[str, Any] | None:
    body = entry.entry.body
    if not isinstance(body, Declaration) or body.posture is None:
        return None
    posture = body.posture
    types = {t.id: t for t in posture.interceptor_types}
    return {
        "ref": entry.ref,
        "kind": body.kind,
        "as_of": body.as_of,
        "sites": [
            {
                "id": s.id,
                "name": s.name,
                "interceptor": s.interceptor,
                "interceptor_name": types[s.interceptor].name if s.interceptor in types else "",
                "basing": s.basing,
                "count": s.count,
                "lat_deg": s.lat_deg,
                "lon_deg": s.lon_deg,
            }
            for s in posture.party.interceptor_sites
        ],
        "radars": [r.model_dump(mode="json") for r in posture.party.radars],
        "forces": posture.strategic_forces.model_dump(mode="json"),
        "counts": _counts(body),
    }


def page(site: Site) -> dict[str, Any]:
    """The map of the latest declarations, their sites and radars, and every declaration."""
    views = site.views()
    order = [p for p in site.agreement.party_ids() if p in views]
    order += [p for p in views if p not in order]
    latest = latest_declarations(views)
    key = ("declarations-map", tuple(sorted((p, e.hash) for p, e in latest.items())))
    map_uri = site.figures.get(key, lambda: _map(latest, order)) if latest else None
    return {
        "parties": [
            {
                "id": party,
                "name": site.party_name(party),
                "latest": None if party not in latest else _posture(latest[party]),
                "history": _history(views[party].of_type("declaration")),
            }
            for party in order
        ],
        "map_uri": map_uri,
        "footprint_altitude_km": FOOTPRINT_ALTITUDE_KM,
    }
