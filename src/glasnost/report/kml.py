"""The KML 2.2 export of an assessment (Google Earth): the features of
:mod:`glasnost.report.geo` in a folder per party (trajectories under the attacker, engagements
under the defender) and per kind, their properties repeated as ExtendedData; each attacker's
folder also holds its flights as time-tagged ``gx:Track`` placemarks
(:mod:`glasnost.report.kml_tracks`) for Google Earth's time slider. Points use the viewer's
default icon in the party's colour: the file names no icon on the network."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from typing import Any

from glasnost.defense.assessment import Assessment
from glasnost.report import kml_tracks
from glasnost.report.geo import KINDS, Feature, Properties, feature_properties, features, metadata
from glasnost.report.gis_geometry import LON_LAT_DIGITS, Geometry, Position

KML_NS = "http://www.opengis.net/kml/2.2"

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
    items = features(assessment)
    parties = assessment.scenario.parties
    color = {p.id: PARTY_COLORS[i % len(PARTY_COLORS)] for i, p in enumerate(parties)}
    style_of = {p.id: i for i, p in enumerate(parties)}

    kml = ET.Element("kml", {"xmlns": KML_NS, "xmlns:gx": kml_tracks.GX_NS})
    doc = _sub(kml, "Document")
    meta = metadata(assessment)
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
                    feature_properties(
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


def _placemark(folder: ET.Element, item: Feature, style: str) -> None:
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
