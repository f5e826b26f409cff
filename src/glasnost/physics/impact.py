"""The vacuum model of targeting: where a coast from thrust termination comes down.

From a state along a stored boost, the exact two-body coast down to an aim radius: the impact
point on the rotating Earth, the apogee, the burnout flight-path angle and the flight-path angle
of the least-energy coast to the same point. Targeting solves its controls against this cheap
model and corrects for what it leaves out (mostly reentry drag) with full flights.

Each row's impact runs in the compiled kernels of :mod:`glasnost.physics.impact_kernel`
(``compiled=True``, the default: one call per evaluation, where the NumPy code below makes
some 50); ``compiled=False`` is the NumPy reference they are tested against.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from glasnost.physics import flight_kernels, frames, impact_kernel
from glasnost.physics.coast import time_to_radius
from glasnost.physics.constants import R_MEAN, WGS84, EarthModel
from glasnost.physics.kepler import propagate
from glasnost.physics.rocket import BoostResult

FloatArray = NDArray[np.float64]


def wrap_deg(angle_deg: FloatArray) -> FloatArray:
    return (angle_deg + 180.0) % 360.0 - 180.0


def min_energy_fpa_deg(r1: FloatArray, r2: FloatArray) -> FloatArray:
    """Flight-path angle (deg) at r1 of the least-energy conic from r1 to r2 (N, 3): half the
    angle between -r1 and the chord r2 - r1 (NaN where the chord has no length)."""
    chord = r2 - r1
    length = np.linalg.norm(chord, axis=-1) * np.linalg.norm(r1, axis=-1)
    ok = length > 0.0
    cos_angle = -np.sum(r1 * chord, axis=-1) / np.where(ok, length, 1.0)
    return np.where(ok, 0.5 * np.degrees(np.arccos(np.clip(cos_angle, -1.0, 1.0))), np.nan)


class VacuumImpact(NamedTuple):
    lat_deg: FloatArray  # NaN where the coast does not come down to the aim radius
    lon_deg: FloatArray
    apogee_m: FloatArray  # height above the ellipsoid under the apogee
    fpa_deg: FloatArray  # inertial flight-path angle at burnout
    min_energy_fpa_deg: FloatArray  # the flight-path angle of the least-energy coast


def vacuum_impact(
    boost: BoostResult,
    cutoff: FloatArray,
    aim_radius: FloatArray,
    earth: EarthModel,
    compiled: bool = True,
) -> VacuumImpact:
    """The vacuum coast from thrust termination at ``cutoff`` (s) along each row's boost down
    to the aim radius (m) (two-body, exact): by :func:`impact_kernel.vacuum_impact_rows`
    (``compiled``, the default) or in NumPy (the reference it is tested against).

    The least-energy coast between the burnout point P1 and the impact point P2 (inertial) is
    the ellipse whose second focus lies on the chord P1P2; its tangent at P1 bisects the
    angles between the lines to the two foci, so its flight-path angle is half the angle
    between -P1 and P2 - P1 (45 deg - Psi/4 for a symmetric flight, Bate, Mueller & White 6-2).
    """
    if compiled:
        n = boost.t.shape[0]
        out = impact_kernel.vacuum_impact_rows(
            _rows(cutoff, n),
            _rows(aim_radius, n),
            flight_kernels.earth_parameters(earth),
            boost.kernel_arguments,
        )
        return VacuumImpact(out[0], out[1], out[2], out[3], out[4])
    r, v = boost.state_at(cutoff)
    dt = time_to_radius(r, v, aim_radius, earth.mu)
    ri, _ = propagate(r, v, np.nan_to_num(dt), mu=earth.mu)
    re, _ = frames.eci_to_ecef(ri, cutoff + np.nan_to_num(dt), earth)
    lat, lon, _ = frames.vector_to_geodetic(re, earth)
    lat = np.where(np.isfinite(dt), lat, np.nan)
    rn = np.linalg.norm(r, axis=-1)
    speed = np.linalg.norm(v, axis=-1)
    a = -earth.mu / (2.0 * (0.5 * speed * speed - earth.mu / rn))
    e = np.sqrt(np.maximum(1.0 - np.sum(np.cross(r, v) ** 2, axis=-1) / (earth.mu * a), 0.0))
    radial = np.sum(r * v, axis=-1)
    # Apogee height above the ellipsoid under it; the apogee lies along minus the
    # eccentricity vector (or at burnout when the coast starts descending).
    e_vec = ((speed * speed - earth.mu / rn)[:, None] * r - radial[:, None] * v) / earth.mu
    toward = np.where(
        (radial > 0.0)[:, None] & (e[:, None] > 1e-12),
        -e_vec / np.maximum(e, 1e-12)[:, None],
        r / rn[:, None],
    )
    s2 = toward[:, 2] ** 2
    ea, eb = earth.equatorial_radius_m, earth.polar_radius_m
    surface = ea * eb / np.sqrt(eb * eb + (ea * ea - eb * eb) * s2)
    apogee = np.where(radial > 0.0, a * (1.0 + e), rn) - surface
    min_energy_fpa = min_energy_fpa_deg(r, ri)
    return VacuumImpact(
        lat,
        lon,
        apogee,
        np.degrees(np.arcsin(radial / (rn * speed))),
        np.where(np.isfinite(dt), min_energy_fpa, np.nan),
    )


def range_and_bearing(
    boost: BoostResult,
    cutoff: FloatArray,
    lat0: FloatArray,
    lon0: FloatArray,
    aim_lat: FloatArray,
    aim_lon: FloatArray,
    earth: EarthModel,
    compiled: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Range error (m; -aim range where the coast does not come down), bearing error (deg),
    apogee (m) and flight-path angle (deg) of the vacuum impact relative to the aim point;
    ``compiled`` (default) by :func:`impact_kernel.range_and_bearing_rows`, else in NumPy
    (the reference)."""
    if compiled:
        n = boost.t.shape[0]
        out = impact_kernel.range_and_bearing_rows(
            _rows(cutoff, n),
            _rows(lat0, n),
            _rows(lon0, n),
            _rows(aim_lat, n),
            _rows(aim_lon, n),
            R_MEAN,
            flight_kernels.earth_parameters(earth),
            boost.kernel_arguments,
        )
        return out[0], out[1], out[2], out[3]
    aim_radius = np.linalg.norm(frames.geodetic_to_vector(aim_lat, aim_lon, 0.0, earth), axis=-1)
    lat, lon, apogee, fpa, _ = vacuum_impact(boost, cutoff, aim_radius, earth, compiled=False)
    want, want_bearing = frames.great_circle(lat0, lon0, aim_lat, aim_lon)
    got, bearing = frames.great_circle(lat0, lon0, np.nan_to_num(lat), lon)
    ok = np.isfinite(lat)
    return (
        np.where(ok, got - want, -want),
        np.where(ok, wrap_deg(want_bearing - bearing), 0.0),
        apogee,
        fpa,
    )


def _rows(values: FloatArray | float, n: int) -> FloatArray:
    """A per-row argument (or one value for every row) as the kernels read it: (N,) floats."""
    if (
        isinstance(values, np.ndarray)
        and values.shape == (n,)
        and values.dtype == np.float64
        and values.flags.c_contiguous
    ):
        return values  # already so: no broadcast view to build (most calls, on small batches)
    return np.ascontiguousarray(np.broadcast_to(np.asarray(values, dtype=float), (n,)))


def surface_distance(
    lat1_deg: FloatArray,
    lon1_deg: FloatArray,
    lat2_deg: FloatArray,
    lon2_deg: FloatArray,
    earth: EarthModel = WGS84,
) -> FloatArray:
    """Straight-line distance (m) between two points on the ellipsoid surface (the miss)."""
    a = frames.geodetic_to_vector(lat1_deg, lon1_deg, 0.0, earth)
    b = frames.geodetic_to_vector(lat2_deg, lon2_deg, 0.0, earth)
    return np.linalg.norm(a - b, axis=-1)
