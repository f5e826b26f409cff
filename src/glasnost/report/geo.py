"""GIS exports of an assessment: GeoJSON (RFC 7946) and KML 2.2 (Google Earth).

Both files hold the same features, with the same properties:

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
footprint around a pole is closed along the pole's parallel. Every property is a string,
number, boolean or null (no NaN or infinity: an undefined value is null).

Every feature carries ``feature``: ``interceptor_site``, ``radar``, ``radar_coverage``,
``launch_base``, ``target``, ``trajectory`` or ``engagement``. The KML groups the placemarks in
a folder per party (trajectories under the attacker, engagements under the defender) and per
kind, and repeats the properties as ExtendedData; each attacker's folder also holds its flights
as time-tagged ``gx:Track`` placemarks (:mod:`glasnost.report.kml_tracks`) for Google Earth's
time slider. Points use the viewer's default icon in the party's colour: the file names no
icon on the network. :mod:`glasnost.report.layers` splits the GeoJSON into one file per layer.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glasnost import __version__
from glasnost.defense.assessment import Assessment
from glasnost.defense.geometry import ground_tracks, intercept_segments, party_footprints
from glasnost.report import kml_tracks
from glasnost.scenario.models import Party

FloatArray = NDArray[np.float64]
Position = list[float]
Geometry = dict[str, Any]
Properties = dict[str, Any]

LON_LAT_DIGITS = 5
KML_NS = "http://www.opengis.net/kml/2.2"

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
class _Item:
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
            for item in _items(assessment)
        ],
        # A foreign member (RFC 7946, 6.1): what the file describes.
        "glasnost": _metadata(assessment),
    }


def write_geojson(assessment: Assessment, path: str | os.PathLike[str]) -> None:
    """Write :func:`assessment_geojson` to ``path`` (UTF-8, compact, no NaN)."""
    text = json.dumps(
        assessment_geojson(assessment), allow_nan=False, ensure_ascii=False, separators=(",", ":")
    )
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def _metadata(assessment: Assessment) -> dict[str, Any]:
    return {
        "glasnost_version": __version__,
        "scenario": assessment.scenario.name,
        "date": assessment.date.isoformat(),
        "verdict": assessment.verdict_label,
    }


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------


def _items(assessment: Assessment) -> list[_Item]:
    scenario = assessment.scenario
    out: list[_Item] = []
    for party in scenario.parties:
        out += _posture(party, assessment)
    out += _trajectories(assessment)
    out += _engagements(assessment)
    order = {kind: i for i, (kind, _) in enumerate(KINDS)}
    parties = {p.id: i for i, p in enumerate(scenario.parties)}
    return sorted(out, key=lambda it: (order[it.kind], parties.get(it.party, len(parties))))


def _posture(party: Party, assessment: Assessment) -> list[_Item]:
    out: list[_Item] = []
    for s in party.interceptor_sites:
        out.append(
            _Item(
                party.id,
                "interceptor_site",
                s.name,
                _point(s.lon_deg, s.lat_deg),
                _props(
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
            _Item(
                party.id,
                "radar",
                r.name,
                _point(r.lon_deg, r.lat_deg),
                _props(
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
        polygon = _polygon(footprint.lat_deg, footprint.lon_deg)
        if polygon is None:
            continue
        out.append(
            _Item(
                party.id,
                "radar_coverage",
                f"{r.name}: coverage",
                polygon,
                _props(
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
            _Item(
                party.id,
                "launch_base",
                b.name,
                _point(b.lon_deg, b.lat_deg),
                _props(
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
            _Item(
                party.id,
                "target",
                t.name,
                _point(t.lon_deg, t.lat_deg),
                _props("target", party=party.id, id=t.id, name=t.name, basis=t.basis),
            )
        )
    return out


def _route_id(launch: str, target: str) -> str:
    return f"{launch}->{target}"


def _trajectories(assessment: Assessment) -> list[_Item]:
    result = assessment.trajectories
    traj = result.trajectory
    routes = [r for r in assessment.routes if np.isfinite(traj.impact_s[r.index])]
    if not routes:
        return []
    tracks = ground_tracks(traj, np.array([r.index for r in routes], dtype=np.intp))
    lat, lon, alt = tracks.lat_deg, tracks.lon_deg, tracks.alt_m
    apogee = traj.apogee_m()
    out: list[_Item] = []
    for k, r in enumerate(routes):
        geometry = _line(lat[k], lon[k], alt[k])
        if geometry is None:
            continue
        out.append(
            _Item(
                r.attacker,
                "trajectory",
                f"{r.base.name} -> {r.target.name}",
                geometry,
                _props(
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


def _engagements(assessment: Assessment) -> list[_Item]:
    traj = assessment.trajectories.trajectory
    out: list[_Item] = []
    for d in assessment.directions:
        tb = d.table
        segments, samples = intercept_segments(traj, d)
        for seg in segments:
            i, j = seg.site, seg.route
            site, route = d.sites[i], d.routes[j]
            speed = assessment.interceptor_burnout_velocity_kms(site.interceptor)
            crit = float(tb.critical_burnout_velocity_ms[i, j]) / 1e3
            props = _props(
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
                geometry = _line(lat, lon, alt)
            else:  # a single feasible instant
                geometry = _point(lon[0], lat[0], alt[0])
            if geometry is not None:
                out.append(_Item(d.defender, "engagement", name, geometry, props))
    return out


def _props(feature: str, **values: Any) -> Properties:
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


# --------------------------------------------------------------------------------------------
# Geometry: rounding, antimeridian cuts, pole caps
# --------------------------------------------------------------------------------------------


def _wrap(lon: float) -> float:
    """Longitude in [-180, 180] (180 stays 180)."""
    return lon if -180.0 <= lon <= 180.0 else (lon + 180.0) % 360.0 - 180.0


def _pos(lon: float, lat: float, alt: float | None = None) -> Position:
    p = [round(_wrap(float(lon)), LON_LAT_DIGITS), round(float(lat), LON_LAT_DIGITS)]
    if alt is not None:
        p.append(float(round(float(alt))))
    return p


def _point(lon: float, lat: float, alt: float | None = None) -> Geometry:
    return {"type": "Point", "coordinates": _pos(lon, lat, alt)}


def _dedupe(points: list[Position]) -> list[Position]:
    out: list[Position] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out


def split_antimeridian(
    lat: FloatArray, lon: FloatArray, alt: FloatArray | None = None
) -> list[list[Position]]:
    """Cut a line of points where it crosses the antimeridian (a step of more than 180 deg in
    longitude): each part ends, and the next starts, at the crossing (lat and height
    interpolated linearly). Positions rounded; parts of fewer than 2 distinct positions dropped.
    """
    n = len(lat)
    h: list[float | None] = [None] * n if alt is None else [float(a) for a in alt]
    parts: list[list[Position]] = []
    current: list[Position] = []
    for k in range(n):
        x, y = float(lon[k]), float(lat[k])
        if k > 0:
            x0, y0, h0 = float(lon[k - 1]), float(lat[k - 1]), h[k - 1]
            step = x - x0
            if abs(step) > 180.0:
                edge = 180.0 if step < 0.0 else -180.0
                x1 = x + 360.0 if step < 0.0 else x - 360.0  # the next point, unwrapped
                f = (edge - x0) / (x1 - x0)
                yc = y0 + f * (y - y0)
                hk = h[k]
                hc = None if h0 is None or hk is None else h0 + f * (hk - h0)
                current.append(_pos(edge, yc, hc))
                parts.append(current)
                current = [_pos(-edge, yc, hc)]
        current.append(_pos(x, y, h[k]))
    parts.append(current)
    return [q for q in (_dedupe(p) for p in parts) if len(q) >= 2]


def _line(lat: FloatArray, lon: FloatArray, alt: FloatArray | None = None) -> Geometry | None:
    parts = split_antimeridian(lat, lon, alt)
    if not parts:
        return None
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": parts[0]}
    return {"type": "MultiLineString", "coordinates": parts}


def _clip(ring: list[tuple[float, float]], edge: float, below: bool) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a polygon (open ring) with x <= edge (or >= edge)."""

    def inside(p: tuple[float, float]) -> bool:
        return p[0] <= edge if below else p[0] >= edge

    out: list[tuple[float, float]] = []
    for k, cur in enumerate(ring):
        prev = ring[k - 1]
        if inside(cur) != inside(prev):
            f = (edge - prev[0]) / (cur[0] - prev[0])
            out.append((edge, prev[1] + f * (cur[1] - prev[1])))
        if inside(cur):
            out.append(cur)
    return out


def _signed_area(ring: list[Position]) -> float:
    return 0.5 * sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))


def split_polygon(lat: FloatArray, lon: FloatArray) -> list[list[Position]]:
    """Exterior rings (closed, counterclockwise, rounded) of a polygon given as a ring of points,
    cut at the antimeridian; a ring that winds around a pole is closed along the pole's
    parallel (the pole on the side of the ring's mean latitude). Empty for an empty ring."""
    if len(lat) < 3:
        return []
    x = np.degrees(np.unwrap(np.radians(np.asarray(lon, dtype=float))))
    y = np.asarray(lat, dtype=float)
    if abs(_wrap180(x[-1] - x[0])) < 1e-9 and abs(y[-1] - y[0]) < 1e-9:
        x, y = x[:-1], y[:-1]  # an explicitly closed ring
    if len(y) < 3:
        return []
    ring = [(float(a), float(b)) for a, b in zip(x, y, strict=True)]
    winding = float(x[-1] - x[0]) + _wrap180(x[0] - x[-1])  # with the closing step
    if abs(winding) > 180.0:  # around a pole
        ring = _polar_ring(x, y, math.copysign(360.0, winding))
    lo = math.floor((min(p[0] for p in ring) + 180.0) / 360.0)
    hi = math.floor((max(p[0] for p in ring) + 180.0) / 360.0)
    out: list[list[Position]] = []
    for k in range(lo, hi + 1):
        shifted = [(p[0] - 360.0 * k, p[1]) for p in ring]
        piece = _clip(_clip(shifted, 180.0, below=True), -180.0, below=False)
        points = _dedupe([_pos(p[0], p[1]) if abs(p[0]) < 180.0 else _edge(p) for p in piece])
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) < 3:
            continue
        closed = [*points, points[0]]
        area = _signed_area(closed)
        if area == 0.0:
            continue
        out.append(closed if area > 0.0 else closed[::-1])
    return out


def _polar_ring(x: FloatArray, y: FloatArray, winding: float) -> list[tuple[float, float]]:
    """A ring (unwrapped longitudes ``x``) that winds once around a pole, as a polygon from the
    antimeridian round to the antimeridian and back along the pole's parallel (the pole on the
    side of the ring's mean latitude)."""
    n = len(x)
    w = [_wrap(float(v)) for v in x]
    k = next(i for i in range(n) if abs(w[(i + 1) % n] - w[i]) > 180.0)
    a, b = w[k], w[(k + 1) % n]
    east = winding > 0.0
    edge = 180.0 if east else -180.0
    f = (edge - a) / ((b + 360.0 if east else b - 360.0) - a)
    yc = float(y[k] + f * (y[(k + 1) % n] - y[k]))
    order = [(k + 1 + i) % n for i in range(n)]
    xs = np.degrees(np.unwrap(np.radians([w[i] for i in order])))
    pole = 90.0 if float(np.mean(y)) >= 0.0 else -90.0
    start = -edge
    return [
        (start, yc),
        *((float(u), float(y[i])) for u, i in zip(xs, order, strict=True)),
        (start + winding, yc),
        (start + winding, pole),
        (start, pole),
    ]


def _wrap180(dx: float) -> float:
    """A longitude difference in [-180, 180)."""
    return (float(dx) + 180.0) % 360.0 - 180.0


def _edge(p: tuple[float, float]) -> Position:
    """A point on the antimeridian keeps its side (+180 or -180)."""
    return [math.copysign(180.0, p[0]), round(p[1], LON_LAT_DIGITS)]


def _polygon(lat: FloatArray, lon: FloatArray) -> Geometry | None:
    rings = split_polygon(lat, lon)
    if not rings:
        return None
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": [rings[0]]}
    return {"type": "MultiPolygon", "coordinates": [[r] for r in rings]}


# --------------------------------------------------------------------------------------------
# KML
# --------------------------------------------------------------------------------------------

PARTY_COLORS = ("ffd77a1f", "ff2827d6", "ff0e7fff", "ff2ca02c", "ffbd6794", "ff4b568c")
"""KML colors (aabbggrr) of the parties, in scenario order (then repeated)."""

ENGAGEMENT_COLOR = "ff00ffff"  # yellow, over every party's colors

ICON_SCALES = {
    "interceptor_site": 1.1,
    "radar": 0.7,
    "launch_base": 0.9,
    "target": 0.8,
    "engagement": 1.0,
}
"""Point styles by kind: the viewer's own default icon (nothing is fetched from the network),
in the party's colour (engagements in ENGAGEMENT_COLOR) at these scales."""

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def assessment_kml(assessment: Assessment) -> str:
    """The assessment as a KML 2.2 document (Google Earth): a folder per party and kind,
    styled placemarks, 3-D trajectories (heights absolute, in metres) and the engageable
    segments in their own style, every feature's properties as ExtendedData."""
    items = _items(assessment)
    parties = assessment.scenario.parties
    color = {p.id: PARTY_COLORS[i % len(PARTY_COLORS)] for i, p in enumerate(parties)}
    style_of = {p.id: i for i, p in enumerate(parties)}

    kml = ET.Element("kml", {"xmlns": KML_NS, "xmlns:gx": kml_tracks.GX_NS})
    doc = _sub(kml, "Document")
    meta = _metadata(assessment)
    _sub(doc, "name", f"glasnost: {meta['scenario']} on {meta['date']}")
    _sub(
        doc,
        "description",
        f"Verdict by the agreement's criteria: {meta['verdict']} "
        f"(glasnost {meta['glasnost_version']}).",
    )
    for p in parties:
        _styles(doc, f"p{style_of[p.id]}", color[p.id])
    launch = kml_tracks.launch_time(assessment)
    flights = kml_tracks.flights(assessment)
    for p in parties:
        folder = _sub(doc, "Folder")
        _sub(folder, "name", f"{p.name} ({p.id})")
        for kind, title in KINDS:
            mine = [it for it in items if it.party == p.id and it.kind == kind]
            if not mine:
                continue
            sub = _sub(folder, "Folder")
            _sub(sub, "name", title)
            for it in mine:
                _placemark(sub, it, f"#p{style_of[p.id]}-{kind}")
        own = [f for f in flights if f.attacker == p.id]
        if own:
            sub = _sub(folder, "Folder")
            _sub(sub, "name", f"Flights in time (all launched at {launch:%Y-%m-%d %H:%M} UTC)")
            for flight in own:
                pm = _sub(sub, "Placemark")
                _sub(pm, "name", flight.name)
                _sub(pm, "styleUrl", f"#p{style_of[p.id]}-trajectory")
                _extended_data(
                    pm,
                    _props(
                        "flight",
                        attacker=flight.attacker,
                        route=flight.route,
                        flight_time_s=flight.t_s[-1],
                    ),
                )
                kml_tracks.add_track(pm, flight, launch)
    ET.indent(kml, space=" ")
    body = ET.tostring(kml, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def write_kml(assessment: Assessment, path: str | os.PathLike[str]) -> None:
    """Write :func:`assessment_kml` to ``path`` (UTF-8)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(assessment_kml(assessment))


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = _XML_INVALID.sub("\ufffd", text)
    return el


def _styles(doc: ET.Element, prefix: str, color: str) -> None:
    """One style per kind for one party: icons for points, lines, a translucent footprint."""
    for kind, scale in ICON_SCALES.items():
        style = _sub(doc, "Style")
        style.set("id", f"{prefix}-{kind}")
        icon_style = _sub(style, "IconStyle")
        _sub(icon_style, "color", ENGAGEMENT_COLOR if kind == "engagement" else color)
        _sub(icon_style, "scale", f"{scale:g}")
        if kind == "engagement":
            line = _sub(style, "LineStyle")
            _sub(line, "color", ENGAGEMENT_COLOR)
            _sub(line, "width", "6")
    style = _sub(doc, "Style")
    style.set("id", f"{prefix}-trajectory")
    line = _sub(style, "LineStyle")
    _sub(line, "color", color)
    _sub(line, "width", "2")
    style = _sub(doc, "Style")
    style.set("id", f"{prefix}-radar_coverage")
    line = _sub(style, "LineStyle")
    _sub(line, "color", color)
    _sub(line, "width", "1")
    poly = _sub(style, "PolyStyle")
    _sub(poly, "color", "33" + color[2:])


def _placemark(folder: ET.Element, item: _Item, style: str) -> None:
    pm = _sub(folder, "Placemark")
    _sub(pm, "name", item.name)
    _sub(pm, "styleUrl", style)
    _extended_data(pm, item.properties)
    _geometry(pm, item.geometry)


def _extended_data(pm: ET.Element, properties: Properties) -> None:
    data = _sub(pm, "ExtendedData")
    for key, value in properties.items():
        entry = _sub(data, "Data")
        entry.set("name", key)
        _sub(entry, "value", _text(value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("\ufffd", str(value))


def _coords(points: list[Position]) -> str:
    return " ".join(",".join(_num(c) for c in p) for p in points)


def _num(x: float) -> str:
    text = f"{x:.{LON_LAT_DIGITS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _geometry(parent: ET.Element, geometry: Geometry) -> None:
    kind = geometry["type"]
    coords = geometry["coordinates"]
    if kind == "Point":
        el = _sub(parent, "Point")
        if len(coords) == 3:
            _sub(el, "altitudeMode", "absolute")
        _sub(el, "coordinates", _coords([coords]))
    elif kind == "LineString":
        _linestring(parent, coords)
    elif kind == "MultiLineString":
        multi = _sub(parent, "MultiGeometry")
        for part in coords:
            _linestring(multi, part)
    elif kind == "Polygon":
        _polygon_kml(parent, coords)
    elif kind == "MultiPolygon":
        multi = _sub(parent, "MultiGeometry")
        for part in coords:
            _polygon_kml(multi, part)
    else:  # pragma: no cover - every geometry above is one of these
        raise ValueError(f"unexpected geometry {kind!r}")


def _linestring(parent: ET.Element, points: list[Position]) -> None:
    el = _sub(parent, "LineString")
    if len(points[0]) == 3:
        _sub(el, "altitudeMode", "absolute")
    else:
        _sub(el, "tessellate", "1")
    _sub(el, "coordinates", _coords(points))


def _polygon_kml(parent: ET.Element, rings: list[list[Position]]) -> None:
    el = _sub(parent, "Polygon")
    _sub(el, "tessellate", "1")
    outer = _sub(_sub(el, "outerBoundaryIs"), "LinearRing")
    _sub(outer, "coordinates", _coords(rings[0]))
