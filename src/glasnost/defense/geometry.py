"""What the maps draw, under one rule: ground tracks, intercept segments and radar footprints.

The GIS export (:mod:`glasnost.report.geo`), the HTML report's maps (:mod:`glasnost.report.html`)
and the dashboard's declarations map (:mod:`glasnost.service.pages.declarations`) all take their
lines and polygons from here, so they draw the same coverage for the same radar.

- A ground track is a route's flight from launch to impact, ``TRACK_POINTS`` samples equally
  spaced in time (launch and impact included).
- An intercept segment is the part of a route's flight between the earliest and the latest
  feasible intercept of one site (``SEGMENT_POINTS`` samples, both ends included), for every
  feasible (site, route) pair with finite intercept times.
- A radar footprint is the ground polygon under the points at ``FOOTPRINT_ALTITUDE_M`` where
  the radar sees an object of the threat cross-section (:func:`threat_rcs_m2`): the smallest
  reentry-vehicle cross-section among the missiles at the launch bases of every other party,
  or the radar's own reference cross-section when no other party fields a missile.

Samples are (K, M) arrays of latitude and longitude (deg, WGS84 or the scenario's sphere) and
height (m); footprints are closed rings of latitude and longitude (deg), empty when the radar
sees nothing at that height (:func:`glasnost.defense.sensors.coverage_polygon`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glasnost.defense.direction import Direction, sensor_radars
from glasnost.defense.sensors import coverage_polygon
from glasnost.physics.constants import EARTH_MODELS, EarthModel
from glasnost.physics.trajectory import Trajectory
from glasnost.scenario.missile_types import MissileTypeRef
from glasnost.scenario.models import Scenario
from glasnost.scenario.posture import Party, Radar

FloatArray = NDArray[np.float64]

TRACK_POINTS = 60
"""Samples of each ground track, launch and impact included."""

SEGMENT_POINTS = 30
"""Samples of each intercept segment, earliest and latest intercept included."""

FOOTPRINT_ALTITUDE_M = 300e3
"""Height (m) of the reentry vehicle whose coverage the radar footprints show."""


@dataclass(frozen=True)
class Samples:
    """Latitude, longitude (deg) and height (m) of K flights at M times, each (K, M)."""

    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray


@dataclass(frozen=True)
class Segment:
    """Site ``site`` (row of the direction's table) against route ``route`` (column): the
    flight between ``start_s`` and ``end_s`` (s after launch), sampled in ``samples`` row
    ``row``."""

    site: int
    route: int
    start_s: float
    end_s: float
    row: int


@dataclass(frozen=True)
class Footprint:
    """Radar ``radar``'s ground coverage of an object of ``rcs_m2`` at ``altitude_m``: a closed
    ring of latitudes and longitudes (deg), empty when it sees nothing there."""

    radar: Radar
    rcs_m2: float
    reference: bool  # rcs_m2 is the radar's reference cross-section (no threat known)
    altitude_m: float
    lat_deg: FloatArray
    lon_deg: FloatArray

    @property
    def empty(self) -> bool:
        return self.lat_deg.size == 0


def sample(trajectory: Trajectory, rows: NDArray[np.intp], times_s: FloatArray) -> Samples:
    """Rows ``rows`` (K,) of ``trajectory`` at times ``times_s`` (K, M), s after launch."""
    sub = trajectory.take(rows)
    cols = [sub.geodetic_at(times_s[:, m]) for m in range(times_s.shape[1])]
    return Samples(*(np.stack([c[n] for c in cols], axis=1) for n in range(3)))


def ground_tracks(
    trajectory: Trajectory, rows: NDArray[np.intp] | None = None, points: int = TRACK_POINTS
) -> Samples:
    """The flights of rows ``rows`` (all rows by default) from launch to impact, ``points``
    samples each."""
    picked = np.arange(trajectory.size, dtype=np.intp) if rows is None else rows
    frac = np.linspace(0.0, 1.0, points)
    return sample(trajectory, picked, trajectory.impact_s[picked][:, None] * frac[None, :])


def intercept_segments(
    trajectory: Trajectory, direction: Direction, points: int = SEGMENT_POINTS
) -> tuple[list[Segment], Samples]:
    """The intercept segments of ``direction`` in table order (sites, then routes), and their
    samples (one row per segment; a single feasible instant gives ``points`` equal samples)."""
    tb = direction.table
    segments: list[Segment] = []
    for i, j in zip(*np.nonzero(tb.feasible), strict=True):
        start = float(tb.earliest_intercept_s[i, j])
        end = float(tb.latest_intercept_s[i, j])
        if np.isfinite(start) and np.isfinite(end):
            segments.append(Segment(int(i), int(j), start, end, len(segments)))
    if not segments:
        return [], Samples(*(np.empty((0, points)) for _ in range(3)))
    rows = np.array([direction.routes[s.route].index for s in segments], dtype=np.intp)
    t0 = np.array([s.start_s for s in segments])
    t1 = np.array([s.end_s for s in segments])
    frac = np.linspace(0.0, 1.0, points)
    times = t0[:, None] + (t1 - t0)[:, None] * frac[None, :]
    return segments, sample(trajectory, rows, times)


def threat_rcs_m2(
    party_id: str, forces: Iterable[tuple[Party, Iterable[MissileTypeRef]]]
) -> float | None:
    """The smallest reentry-vehicle cross-section (m^2) among the missiles at the launch bases
    of every party but ``party_id``; ``forces`` gives each party with the missile types it may
    use. None when no other party fields a missile."""
    values = []
    for party, missile_types in forces:
        if party.id == party_id:
            continue
        rcs = {m.id: m.rcs_reentry_vehicle_m2 for m in missile_types}
        values += [rcs[b.missile] for b in party.launch_bases if b.missile in rcs]
    return min(values) if values else None


def radar_footprints(
    radars: Sequence[Radar], rcs_m2: float | None, earth: EarthModel
) -> list[Footprint]:
    """The footprint of each radar for an object of ``rcs_m2`` (:func:`threat_rcs_m2`; each
    radar's reference cross-section when None) at ``FOOTPRINT_ALTITUDE_M``."""
    if not radars:
        return []
    sensor = sensor_radars(radars, earth)
    out = []
    for k, r in enumerate(radars):
        rcs = r.reference_rcs_m2 if rcs_m2 is None else rcs_m2
        lat, lon = coverage_polygon(sensor, k, rcs, FOOTPRINT_ALTITUDE_M, earth=earth)
        out.append(Footprint(r, rcs, rcs_m2 is None, FOOTPRINT_ALTITUDE_M, lat, lon))
    return out


def party_footprints(scenario: Scenario, party_id: str) -> list[Footprint]:
    """The footprints of ``party_id``'s radars against the scenario's other parties."""
    rcs = threat_rcs_m2(party_id, ((p, scenario.missile_types) for p in scenario.parties))
    earth = EARTH_MODELS[scenario.earth]
    return radar_footprints(scenario.party(party_id).radars, rcs, earth)


def footprint_note(footprints: Iterable[Footprint]) -> str:
    """The object the footprints show and its height, for a legend ("a reentry vehicle
    (0.01 m²) at 300 km altitude")."""
    rcs = {(f.rcs_m2, f.reference) for f in footprints}
    if len(rcs) == 1 and not next(iter(rcs))[1]:
        what = f"a reentry vehicle ({next(iter(rcs))[0]:g} m²)"
    else:
        what = "an object of its reference cross-section"
    return f"{what} at {FOOTPRINT_ALTITUDE_M / 1e3:.0f} km altitude"
