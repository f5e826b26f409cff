"""The vacuum impact compiled: from thrust termination along a stored boost down to the aim
radius, row by row in scalar code (:func:`vacuum_impact_rows`, :func:`range_and_bearing_rows`).

Reference: :func:`glasnost.physics.impact.vacuum_impact` and
:func:`glasnost.physics.impact.range_and_bearing` with ``compiled=False``, which evaluate the
same steps as some 50 NumPy calls over the rows: the boost's Hermite state at the termination
time (``BoostResult.state_at``, its node accelerations from
:func:`glasnost.physics.flight_kernels._acceleration`), the time down to the aim radius
(:func:`glasnost.physics.coast.time_to_radius`), the Kepler coast
(:func:`glasnost.physics.kepler_kernel.propagate_one`), the ECI to ECEF rotation, the
geodetic latitude and longitude (:func:`glasnost.physics.frames.ecef_to_geodetic`), the apogee,
the flight-path angles and the great-circle range and bearing
(:func:`glasnost.physics.frames.great_circle`). The arithmetic is the same, in the same order;
the two agree to the last bits of the elementary functions (tested).

``boost`` is the stored boost as one tuple, ``BoostResult.kernel_arguments`` of
:mod:`glasnost.physics.rocket` (node times, states, step segments, burnout times, the packed
segments and the model). ``coast_earth`` is the Earth of the coast, from
:func:`glasnost.physics.flight_kernels.earth_parameters`. SI units; angles out in degrees.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from glasnost.physics.compiled import kernel
from glasnost.physics.flight_kernels import _acceleration
from glasnost.physics.kepler_kernel import propagate_one
from glasnost.physics.rocket import BoostArguments

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

DEG = 180.0 / math.pi
"""Degrees per radian, as ``np.degrees`` multiplies."""

RAD = math.pi / 180.0
"""Radians per degree, as ``np.radians`` multiplies."""


@kernel
def hermite(p0: float, p1: float, m0: float, m1: float, x: float) -> float:
    """Cubic Hermite interpolation at fraction ``x`` (:func:`glasnost.physics.rocket.hermite`
    for one component)."""
    x2 = x * x
    x3 = x2 * x
    return (
        (2.0 * x3 - 3.0 * x2 + 1.0) * p0
        + (x3 - 2.0 * x2 + x) * m0
        + (3.0 * x2 - 2.0 * x3) * p1
        + (x3 - x2) * m1
    )


@kernel
def boost_state(
    i: int,
    t_s: float,
    boost: BoostArguments,
) -> tuple[float, float, float, float, float, float]:
    """ECI position (m) and velocity (m/s) of row ``i`` at ``t_s`` (s) within its boost, as
    :meth:`glasnost.physics.rocket.BoostResult.state_at` (compiled) for one row."""
    t, r_nodes, v_nodes, step_segment, burnout, steers, seg, cd = boost[:8]
    steering, earth, drag_on, gravity_on, mach_grid, atm = boost[8:]
    k = t.shape[1]
    tq = min(max(t_s, t[i, 0]), burnout[i])
    # The number of nodes after the first that come before tq (node times never decrease).
    j = min(max(np.searchsorted(t[i, 1:], tq), 0), k - 2)
    t0, t1 = t[i, j], t[i, j + 1]
    x0, y0, z0 = r_nodes[j, 0, i], r_nodes[j, 1, i], r_nodes[j, 2, i]
    vx0, vy0, vz0 = v_nodes[j, 0, i], v_nodes[j, 1, i], v_nodes[j, 2, i]
    x1, y1, z1 = r_nodes[j + 1, 0, i], r_nodes[j + 1, 1, i], r_nodes[j + 1, 2, i]
    vx1, vy1, vz1 = v_nodes[j + 1, 0, i], v_nodes[j + 1, 1, i], v_nodes[j + 1, 2, i]
    s = step_segment[i, j]
    args = (steers[s], seg[s], cd[s], steering, earth, drag_on, gravity_on, mach_grid, atm)
    ax0, ay0, az0 = _acceleration(t0, (x0, y0, z0, vx0, vy0, vz0), i, *args)
    ax1, ay1, az1 = _acceleration(t1, (x1, y1, z1, vx1, vy1, vz1), i, *args)
    h = t1 - t0
    x = (tq - t0) / h if h > 0.0 else 0.0
    return (
        hermite(x0, x1, vx0 * h, vx1 * h, x),
        hermite(y0, y1, vy0 * h, vy1 * h, x),
        hermite(z0, z1, vz0 * h, vz1 * h, x),
        hermite(vx0, vx1, ax0 * h, ax1 * h, x),
        hermite(vy0, vy1, ay0 * h, ay1 * h, x),
        hermite(vz0, vz1, az0 * h, az1 * h, x),
    )


@kernel
def time_to_radius(
    x: float, y: float, z: float, vx: float, vy: float, vz: float, radius_m: float, mu: float
) -> float:
    """Time (s) until the two-body orbit descends through ``radius_m`` (NaN where it never
    does), as :func:`glasnost.physics.coast.time_to_radius` for one state."""
    rn = math.sqrt(x * x + y * y + z * z)
    vr = (x * vx + y * vy + z * vz) / rn
    energy = 0.5 * (vx * vx + vy * vy + vz * vz) - mu / rn
    if not energy < 0.0:
        return math.nan
    a = -mu / (2.0 * energy)
    sqrt_mu_a = math.sqrt(mu * a)
    ecos0, esin0 = 1.0 - rn / a, rn * vr / sqrt_mu_a
    e = math.hypot(ecos0, esin0)
    e0 = math.atan2(esin0, ecos0) % (2.0 * math.pi)
    cos1 = (1.0 - radius_m / a) / e
    if not abs(cos1) <= 1.0:
        return math.nan
    e1 = 2.0 * math.pi - math.acos(cos1)
    if e1 < e0:  # already descending below the radius: the next revolution's crossing
        e1 = e1 + 2.0 * math.pi
    mean_motion = math.sqrt(mu / a**3.0)
    return ((e1 - e * math.sin(e1)) - (e0 - esin0)) / mean_motion


@kernel
def geodetic(x: float, y: float, z: float, earth: FloatArray) -> tuple[float, float, float]:
    """Geodetic latitude, longitude (deg) and height (m) of an ECEF point (m), as
    :func:`glasnost.physics.frames.ecef_to_geodetic` (Heikkinen, one Newton step)."""
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    a, b, f = earth[0], earth[1], earth[2]
    e2 = f * (2.0 - f)
    if e2 == 0.0:
        return math.atan2(z, p) * DEG, lon * DEG, math.hypot(p, z) - a
    ep2 = (a * a - b * b) / (b * b)
    f_ = 54.0 * b * b * z * z
    g = p * p + (1.0 - e2) * z * z - e2 * (a * a - b * b)
    c = e2 * e2 * f_ * p * p / g**3.0
    s = np.cbrt(1.0 + c + math.sqrt(c * c + 2.0 * c))
    k = s + 1.0 + 1.0 / s
    pp = f_ / (3.0 * k * k * g * g)
    q = math.sqrt(1.0 + 2.0 * e2 * e2 * pp)
    r0 = -pp * e2 * p / (1.0 + q) + math.sqrt(
        max(
            0.5 * a * a * (1.0 + 1.0 / q)
            - pp * (1.0 - e2) * z * z / (q * (1.0 + q))
            - 0.5 * pp * p * p,
            0.0,
        )
    )
    v = math.sqrt((p - e2 * r0) ** 2 + (1.0 - e2) * z * z)
    z0 = b * b * z / (a * v)
    lat = math.atan2(z + ep2 * z0, p)
    sin_lat = math.sin(lat)
    n = a / math.sqrt(1.0 - e2 * sin_lat**2)
    lat = math.atan2(z + e2 * n * sin_lat, p)
    sin_lat, cos_lat = math.sin(lat), math.cos(lat)
    n = a / math.sqrt(1.0 - e2 * sin_lat**2)
    return lat * DEG, lon * DEG, p * cos_lat + z * sin_lat - a * a / n


@kernel
def surface_radius(lat_deg: float, lon_deg: float, earth: FloatArray) -> float:
    """Distance (m) from the Earth's centre of the point on the ellipsoid at a geodetic
    latitude and longitude (deg), as the norm of :func:`glasnost.physics.frames.geodetic_to_ecef`
    at zero height."""
    lat, lon = lat_deg * RAD, lon_deg * RAD
    f = earth[2]
    e2 = f * (2.0 - f)
    sin_lat, cos_lat = math.sin(lat), math.cos(lat)
    n = earth[0] / math.sqrt(1.0 - e2 * sin_lat**2)
    x = (n + 0.0) * cos_lat * math.cos(lon)
    y = (n + 0.0) * cos_lat * math.sin(lon)
    z = (n * (1.0 - e2) + 0.0) * sin_lat
    return math.sqrt(x * x + y * y + z * z)


@kernel
def great_circle(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, radius_m: float
) -> tuple[float, float]:
    """Great-circle range (m) and initial azimuth (deg, [0, 360)), as
    :func:`glasnost.physics.frames.great_circle` for one pair."""
    p1, l1 = lat1_deg * RAD, lon1_deg * RAD
    p2, l2 = lat2_deg * RAD, lon2_deg * RAD
    dl = l2 - l1
    sp1, cp1, sp2, cp2 = math.sin(p1), math.cos(p1), math.sin(p2), math.cos(p2)
    sdl, cdl = math.sin(dl), math.cos(dl)
    across = cp1 * sp2 - sp1 * cp2 * cdl
    num = math.hypot(cp2 * sdl, across)
    den = sp1 * sp2 + cp1 * cp2 * cdl
    angle = math.atan2(num, den)
    az = math.atan2(sdl * cp2, across)
    return radius_m * angle, (az * DEG) % 360.0


@kernel
def wrap_deg(angle_deg: float) -> float:
    """An angle (deg) in [-180, 180), as :func:`glasnost.physics.impact.wrap_deg`."""
    return (angle_deg + 180.0) % 360.0 - 180.0


@kernel
def impact_one(
    i: int,
    cutoff: float,
    aim_radius: float,
    coast_earth: FloatArray,
    boost: BoostArguments,
) -> tuple[float, float, float, float, float]:
    """Row ``i``'s vacuum impact from thrust termination at ``cutoff`` (s) down to
    ``aim_radius`` (m): latitude and longitude (deg; latitude NaN where the coast does not
    come down), apogee height (m), burnout and least-energy flight-path angles (deg), as
    :func:`glasnost.physics.impact.vacuum_impact` (``compiled=False``) for one row."""
    x, y, z, vx, vy, vz = boost_state(i, cutoff, boost)
    mu, omega = coast_earth[5], coast_earth[3]
    dt = time_to_radius(x, y, z, vx, vy, vz, aim_radius, mu)
    down = math.isfinite(dt)
    flight = dt if down else 0.0
    xi, yi, zi, _, _, _ = propagate_one(x, y, z, vx, vy, vz, flight, mu)
    angle = omega * (cutoff + flight)
    c, s = math.cos(angle), math.sin(angle)
    lat, lon, _ = geodetic(c * xi + s * yi, -s * xi + c * yi, zi, coast_earth)
    rn = math.sqrt(x * x + y * y + z * z)
    speed = math.sqrt(vx * vx + vy * vy + vz * vz)
    a = -mu / (2.0 * (0.5 * speed * speed - mu / rn))
    hx, hy, hz = y * vz - z * vy, z * vx - x * vz, x * vy - y * vx
    e = math.sqrt(max(1.0 - (hx * hx + hy * hy + hz * hz) / (mu * a), 0.0))
    radial = x * vx + y * vy + z * vz
    # Apogee height above the ellipsoid under it: along minus the eccentricity vector (or at
    # burnout when the coast starts descending).
    if radial > 0.0 and e > 1e-12:
        ez = ((speed * speed - mu / rn) * z - radial * vz) / mu
        toward_z = -ez / max(e, 1e-12)
    else:
        toward_z = z / rn
    ea, eb = coast_earth[0], coast_earth[1]
    surface = ea * eb / math.sqrt(eb * eb + (ea * ea - eb * eb) * (toward_z * toward_z))
    apogee = (a * (1.0 + e) if radial > 0.0 else rn) - surface
    fpa = math.asin(radial / (rn * speed)) * DEG
    cx, cy, cz = xi - x, yi - y, zi - z
    length = math.sqrt(cx * cx + cy * cy + cz * cz) * rn
    min_energy = math.nan
    if down and length > 0.0:
        cos_angle = -(x * cx + y * cy + z * cz) / length
        min_energy = 0.5 * (math.acos(min(max(cos_angle, -1.0), 1.0)) * DEG)
    return (lat if down else math.nan), lon, apogee, fpa, min_energy


@kernel
def vacuum_impact_rows(
    cutoff: FloatArray,
    aim_radius: FloatArray,
    coast_earth: FloatArray,
    boost: BoostArguments,
) -> FloatArray:
    """:func:`impact_one` for every row: (5, N) latitude, longitude (deg), apogee (m),
    burnout and least-energy flight-path angles (deg)."""
    n = cutoff.shape[0]
    out = np.empty((5, n))
    for i in range(n):
        out[0, i], out[1, i], out[2, i], out[3, i], out[4, i] = impact_one(
            i,
            cutoff[i],
            aim_radius[i],
            coast_earth,
            boost,
        )
    return out


@kernel
def range_and_bearing_rows(
    cutoff: FloatArray,
    lat0: FloatArray,
    lon0: FloatArray,
    aim_lat: FloatArray,
    aim_lon: FloatArray,
    range_radius_m: float,
    coast_earth: FloatArray,
    boost: BoostArguments,
) -> FloatArray:
    """(4, N): range error (m; minus the aim range where the coast does not come down) and
    bearing error (deg) of each row's vacuum impact seen from (lat0, lon0) against the aim
    point (great circles on a sphere of ``range_radius_m``), apogee (m) and burnout
    flight-path angle (deg), as :func:`glasnost.physics.impact.range_and_bearing`."""
    n = cutoff.shape[0]
    out = np.empty((4, n))
    for i in range(n):
        lat, lon, apogee, fpa, _ = impact_one(
            i,
            cutoff[i],
            surface_radius(aim_lat[i], aim_lon[i], coast_earth),
            coast_earth,
            boost,
        )
        want, want_bearing = great_circle(lat0[i], lon0[i], aim_lat[i], aim_lon[i], range_radius_m)
        if math.isfinite(lat):
            got, bearing = great_circle(lat0[i], lon0[i], lat, lon, range_radius_m)
            out[0, i], out[1, i] = got - want, wrap_deg(want_bearing - bearing)
        else:
            out[0, i], out[1, i] = -want, 0.0
        out[2, i], out[3, i] = apogee, fpa
    return out
