"""GIS exports of an assessment: its features, and the GeoJSON file (RFC 7946); the KML 2.2
file (Google Earth, :mod:`glasnost.report.kml`) holds the same features, with the same
properties:

- Points: interceptor sites, radars, launch bases and targets of every party;
- trajectories: each route's track from launch to impact (60 samples), with the
  height in metres as the third coordinate, for every route flown (``reachable`` is false for
  the routes beyond the missile's reach, which the assessment leaves out);
- engagements: for each feasible (site, route) pair, the part of the trajectory between the
  earliest and the latest feasible intercept (a Point when the window is a single instant);
- radar coverage: the ground footprint of each radar against a reentry vehicle at
  300 km, for the threat cross-section of the radar's party. Tracks, segments and footprints
  follow the one rule of :mod:`glasnost.defense.geometry`.

Coordinates are ``[lon, lat]`` (deg, WGS84) rounded to 1e-5 deg, and ``[lon, lat, height_m]``
(height rounded to 1 m) for trajectories and engagements. Lines and polygons that cross the
antimeridian are cut there (MultiLineString / MultiPolygon, as RFC 7946 asks); a coverage
footprint around a pole is closed along the pole's parallel (:mod:`glasnost.report.gis_geometry`).
Every property is a string, number, boolean or null (no NaN or infinity: an undefined value is
null).

Every feature carries ``feature``: ``interceptor_site``, ``radar``, ``radar_coverage``,
``launch_base``, ``target``, ``trajectory`` or ``engagement``. The KML groups the placemarks in
a folder per party (trajectories under the attacker, engagements under the defender) and per
kind, and repeats the properties as ExtendedData; each attacker's folder also holds its flights
as time-tagged ``gx:Track`` placemarks (:mod:`glasnost.report.kml_tracks`) for Google Earth's
time slider. Points use the viewer's default icon in the party's colour: the file names no
icon on the network. :mod:`glasnost.report.layers` splits the GeoJSON into one file per layer.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from glasnost import __version__
from glasnost.defense.assessment import Assessment
from glasnost.defense.geometry import ground_tracks, intercept_segments, party_footprints
from glasnost.report.gis_geometry import (
    Geometry,
    geojson_line,
    geojson_point,
    geojson_polygon,
)
from glasnost.scenario.posture import Party

Properties = dict[str, Any]


KINDS = (
    ("interceptor_site", "Interceptor sites"),
    ("radar", "Radars"),
    ("radar_coverage", "Radar coverage (reentry vehicle at 300 km)"),
    ("launch_base", "Launch bases"),
    ("target", "Targets"),
    ("trajectory", "Trajectories"),
    ("engagement", "Engageable segments"),
)
"""Feature kinds, in file order, with the KML folder names."""


@dataclass(frozen=True)
class Feature:
    """One feature: the party whose folder holds it, a display name, geometry, properties."""

    party: str
    kind: str
    name: str
    geometry: Geometry
    properties: Properties


# --------------------------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------------------------


def assessment_geojson(assessment: Assessment) -> dict[str, Any]:
    """The assessment as an RFC 7946 FeatureCollection (plain data, ready for ``json.dumps``)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": item.geometry, "properties": item.properties}
            for item in features(assessment)
        ],
        # A foreign member (RFC 7946, 6.1): what the file describes.
        "glasnost": metadata(assessment),
    }


def write_geojson(assessment: Assessment, path: str | os.PathLike[str]) -> None:
    """Write :func:`assessment_geojson` to ``path`` (UTF-8, compact, no NaN)."""
    text = json.dumps(
        assessment_geojson(assessment), allow_nan=False, ensure_ascii=False, separators=(",", ":")
    )
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def metadata(assessment: Assessment) -> dict[str, Any]:
    """What the file describes: the version, the scenario, its date and the verdict."""
    return {
        "glasnost_version": __version__,
        "scenario": assessment.scenario.name,
        "date": assessment.date.isoformat(),
        "verdict": assessment.verdict_label,
    }


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------


def features(assessment: Assessment) -> list[Feature]:
    """Every feature of the assessment, in file order: by kind (KINDS), then by party."""
    scenario = assessment.scenario
    out: list[Feature] = []
    for party in scenario.parties:
        out += _posture(party, assessment)
    out += _trajectories(assessment)
    out += _engagements(assessment)
    order = {kind: i for i, (kind, _) in enumerate(KINDS)}
    parties = {p.id: i for i, p in enumerate(scenario.parties)}
    return sorted(out, key=lambda it: (order[it.kind], parties.get(it.party, len(parties))))


def _posture(party: Party, assessment: Assessment) -> list[Feature]:
    out: list[Feature] = []
    for s in party.interceptor_sites:
        out.append(
            Feature(
                party.id,
                "interceptor_site",
                s.name,
                geojson_point(s.lon_deg, s.lat_deg),
                feature_properties(
                    "interceptor_site",
                    party=party.id,
                    id=s.id,
                    name=s.name,
                    interceptor=s.interceptor,
                    count=s.count,
                    basing=s.basing,
                    basis=s.basis,
                ),
            )
        )
    for r, footprint in zip(
        party.radars, party_footprints(assessment.scenario, party.id), strict=True
    ):
        out.append(
            Feature(
                party.id,
                "radar",
                r.name,
                geojson_point(r.lon_deg, r.lat_deg),
                feature_properties(
                    "radar",
                    party=party.id,
                    id=r.id,
                    name=r.name,
                    role=r.role,
                    range_km=r.range_km,
                    reference_rcs_m2=r.reference_rcs_m2,
                    azimuth_min_deg=r.azimuth_min_deg,
                    azimuth_max_deg=r.azimuth_max_deg,
                    basis=r.basis,
                ),
            )
        )
        polygon = geojson_polygon(footprint.lat_deg, footprint.lon_deg)
        if polygon is None:
            continue
        out.append(
            Feature(
                party.id,
                "radar_coverage",
                f"{r.name}: coverage",
                polygon,
                feature_properties(
                    "radar_coverage",
                    party=party.id,
                    id=r.id,
                    name=r.name,
                    role=r.role,
                    rcs_m2=footprint.rcs_m2,
                    altitude_km=footprint.altitude_m / 1e3,
                ),
            )
        )
    for b in party.launch_bases:
        out.append(
            Feature(
                party.id,
                "launch_base",
                b.name,
                geojson_point(b.lon_deg, b.lat_deg),
                feature_properties(
                    "launch_base",
                    party=party.id,
                    id=b.id,
                    name=b.name,
                    kind=b.kind,
                    missile=b.missile,
                    launchers=b.launchers,
                    warheads_per_missile=assessment.scenario.warheads_per_missile(b),
                    basis=b.basis,
                ),
            )
        )
    for t in party.targets:
        out.append(
            Feature(
                party.id,
                "target",
                t.name,
                geojson_point(t.lon_deg, t.lat_deg),
                feature_properties("target", party=party.id, id=t.id, name=t.name, basis=t.basis),
            )
        )
    return out


def _route_id(launch: str, target: str) -> str:
    return f"{launch}->{target}"


def _trajectories(assessment: Assessment) -> list[Feature]:
    result = assessment.trajectories
    traj = result.trajectory
    routes = [r for r in assessment.routes if np.isfinite(traj.impact_s[r.index])]
    if not routes:
        return []
    tracks = ground_tracks(traj, np.array([r.index for r in routes], dtype=np.intp))
    lat, lon, alt = tracks.lat_deg, tracks.lon_deg, tracks.alt_m
    apogee = traj.apogee_m()
    out: list[Feature] = []
    for k, r in enumerate(routes):
        geometry = geojson_line(lat[k], lon[k], alt[k])
        if geometry is None:
            continue
        out.append(
            Feature(
                r.attacker,
                "trajectory",
                f"{r.base.name} -> {r.target.name}",
                geometry,
                feature_properties(
                    "trajectory",
                    attacker=r.attacker,
                    defender=r.defender,
                    route=_route_id(r.base.id, r.target.id),
                    launch=r.base.id,
                    target=r.target.id,
                    missile=r.missile,
                    warheads_per_missile=r.warheads,
                    flight_time_s=traj.impact_s[r.index],
                    apogee_km=apogee[r.index] / 1e3,
                    reachable=bool(result.on_target[r.index]),
                ),
            )
        )
    return out


def _engagements(assessment: Assessment) -> list[Feature]:
    traj = assessment.trajectories.trajectory
    out: list[Feature] = []
    for d in assessment.directions:
        tb = d.table
        segments, samples = intercept_segments(traj, d)
        for seg in segments:
            i, j = seg.site, seg.route
            site, route = d.sites[i], d.routes[j]
            speed = assessment.interceptor_burnout_velocity_kms(site.interceptor)
            crit = float(tb.critical_burnout_velocity_ms[i, j]) / 1e3
            props = feature_properties(
                "engagement",
                defender=d.defender,
                attacker=d.attacker,
                site=site.id,
                interceptor=site.interceptor,
                route=_route_id(route.base.id, route.target.id),
                launch=route.base.id,
                target=route.target.id,
                missile=route.missile,
                earliest_launch_s=d.earliest_launch_s[i, j],
                latest_launch_s=tb.latest_launch_s[i, j],
                earliest_intercept_s=tb.earliest_intercept_s[i, j],
                latest_intercept_s=tb.latest_intercept_s[i, j],
                earliest_intercept_altitude_km=tb.earliest_intercept_altitude_m[i, j] / 1e3,
                latest_intercept_altitude_km=tb.latest_intercept_altitude_m[i, j] / 1e3,
                window_s=tb.window_s[i, j],
                shots=int(tb.shots[i, j]),
                interceptor_burnout_velocity_kms=speed,
                critical_burnout_velocity_kms=crit,
                margin_kms=crit - speed,
            )
            name = f"{site.name}: {route.base.name} -> {route.target.name}"
            k = seg.row
            lat, lon, alt = samples.lat_deg[k], samples.lon_deg[k], samples.alt_m[k]
            geometry: Geometry | None
            if seg.end_s > seg.start_s:
                geometry = geojson_line(lat, lon, alt)
            else:  # a single feasible instant
                geometry = geojson_point(lon[0], lat[0], alt[0])
            if geometry is not None:
                out.append(Feature(d.defender, "engagement", name, geometry, props))
    return out


def feature_properties(feature: str, **values: Any) -> Properties:
    """Properties as JSON scalars: floats rounded to 4 decimals, non-finite ones null."""
    out: Properties = {"feature": feature}
    for key, value in values.items():
        if isinstance(value, bool | np.bool_):
            out[key] = bool(value)
        elif isinstance(value, int | np.integer):
            out[key] = int(value)
        elif isinstance(value, float | np.floating):
            x = float(value)
            out[key] = round(x, 4) if math.isfinite(x) else None
        else:
            out[key] = value
    return out
