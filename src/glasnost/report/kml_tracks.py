"""Time-tagged flights for the KML export: each route as a ``gx:Track`` (Google Earth's
extension), so that the flights can be animated with the time slider.

Every missile is launched at :func:`launch_time` (00:00 UTC on the posture date): a track's
``when`` is that instant plus the time of flight, so that all the flights of an assessment play
together, and a track holds :data:`FLIGHT_POINTS` samples from launch to impact (positions in
degrees, heights in metres above the ellipsoid, ``altitudeMode`` absolute).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glasnost.defense.assessment import Assessment

FloatArray = NDArray[np.float64]

GX_NS = "http://www.google.com/kml/ext/2.2"
FLIGHT_POINTS = 90
"""Samples of each flight, launch and impact included."""


@dataclass(frozen=True)
class Flight:
    """One route's flight: times from launch (s) and positions (deg, m), each (FLIGHT_POINTS,)."""

    attacker: str
    route: str
    name: str
    t_s: FloatArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    height_m: FloatArray


def launch_time(assessment: Assessment) -> dt.datetime:
    """The common launch instant of the animation: 00:00 UTC on the posture date."""
    return dt.datetime.combine(assessment.date, dt.time(0, 0), tzinfo=dt.UTC)


def flights(assessment: Assessment) -> list[Flight]:
    """The flight of every route that reaches its target, in route order."""
    traj = assessment.trajectories.trajectory
    routes = [
        r
        for r in assessment.routes
        if np.isfinite(traj.impact_s[r.index]) and assessment.trajectories.on_target[r.index]
    ]
    if not routes:
        return []
    rows = np.array([r.index for r in routes], dtype=np.intp)
    sub = traj.take(rows)
    times = sub.impact_s[:, None] * np.linspace(0.0, 1.0, FLIGHT_POINTS)[None, :]
    columns = [sub.geodetic_at(times[:, m]) for m in range(FLIGHT_POINTS)]
    lat = np.stack([c[0] for c in columns], axis=1)
    lon = np.stack([c[1] for c in columns], axis=1)
    height = np.stack([c[2] for c in columns], axis=1)
    return [
        Flight(
            r.attacker,
            f"{r.base.id}->{r.target.id}",
            f"{r.base.name} -> {r.target.name}",
            times[k],
            lat[k],
            lon[k],
            height[k],
        )
        for k, r in enumerate(routes)
    ]


def add_track(placemark: ET.Element, flight: Flight, launch: dt.datetime) -> None:
    """Append the ``gx:Track`` of ``flight`` to ``placemark`` (the document's root element
    must declare ``xmlns:gx``)."""
    track = ET.SubElement(placemark, "gx:Track")
    ET.SubElement(track, "altitudeMode").text = "absolute"
    for t in flight.t_s:
        when = launch + dt.timedelta(seconds=round(float(t), 1))
        ET.SubElement(track, "when").text = when.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        )
    for lon, lat, h in zip(flight.lon_deg, flight.lat_deg, flight.height_m, strict=True):
        ET.SubElement(track, "gx:coord").text = f"{lon:.5f} {lat:.5f} {h:.0f}"
