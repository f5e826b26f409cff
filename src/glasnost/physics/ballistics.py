"""Ballistic free flight: closed forms of Bate, Mueller & White ch. 6 and the rotating-Earth range.

Notation (Bate, Mueller & White, *Fundamentals of Astrodynamics*, Dover 1971, ch. 6):
``Q = v^2 r_bo / mu`` (Q < 1: suborbital), ``gamma`` the flight-path angle above the local
horizontal at burnout, ``Psi`` the free-flight range angle, ``D = R Psi`` the ground range on a
sphere of mean radius R = ``R_MEAN``.

Conventions of this module:

- SI inside (m, s, rad); a name ending ``_deg`` is in degrees. Inputs broadcast against each
  other; a batch is shape (N,). Results have the broadcast shape (0-d arrays for scalars).
- The closed forms (:func:`free_flight_range_angle`, :func:`flight_path_angles_for_range`,
  :func:`free_flight_time_s`, :func:`minimum_energy`) describe the *symmetric* trajectory on a
  non-rotating sphere: from burnout at radius r_bo to re-entry at the same radius r_bo.
- :func:`max_range_m` flies the conic analytically from burnout above the launch point until it
  comes down to the surface of the sphere (radius ``R_MEAN``), on the rotating Earth if asked.
- NaN (not an exception) marks a quantity that does not exist: a speed that is not suborbital
  (Q >= 1 in the closed forms, an orbit that does not come back to the surface in
  :func:`max_range_m`), a range beyond the maximum for the speed, a flight-path angle outside
  [0, 90] deg. ``ValueError`` is raised for non-finite inputs, negative speeds, ranges or
  burnout altitudes, and non-positive radii or mu.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.physics.constants import MU, OMEGA_EARTH, R_MEAN
from glasnost.physics.frames import great_circle

FloatArray = NDArray[np.float64]

_TWO_PI = 2.0 * np.pi
_INV_PHI = (np.sqrt(5.0) - 1.0) / 2.0
_GRID_STEP_DEG = 1.0
_GOLDEN_ITERATIONS = 60


class MinimumEnergy(NamedTuple):
    """The minimum-energy (maximum-range) trajectory for a ground range."""

    speed_ms: FloatArray
    flight_path_angle_deg: FloatArray
    apogee_altitude_m: FloatArray
    flight_time_s: FloatArray


class FlightPathAngles(NamedTuple):
    """The two flight-path angles (deg) that reach a given range: low and high trajectory."""

    depressed_deg: FloatArray
    lofted_deg: FloatArray


class Impact(NamedTuple):
    """Where and when a vacuum coast from burnout comes down to the surface of the sphere."""

    range_m: FloatArray
    flight_time_s: FloatArray
    impact_lat_deg: FloatArray
    impact_lon_deg: FloatArray


class MaxRange(NamedTuple):
    """The longest-range coast for a burnout speed, and the flight-path angle that flies it."""

    range_m: FloatArray
    flight_path_angle_deg: FloatArray
    flight_time_s: FloatArray
    impact_lat_deg: FloatArray
    impact_lon_deg: FloatArray


# --------------------------------------------------------------------------- input checks


def _finite(value: ArrayLike, name: str) -> FloatArray:
    a = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    return a


def _non_negative(value: ArrayLike, name: str) -> FloatArray:
    a = _finite(value, name)
    if np.any(a < 0.0):
        raise ValueError(f"{name} must not be negative")
    return a


def _positive(value: ArrayLike, name: str) -> FloatArray:
    a = _finite(value, name)
    if np.any(a <= 0.0):
        raise ValueError(f"{name} must be positive")
    return a


def _q(speed: FloatArray, radius: FloatArray, mu: float) -> FloatArray:
    """Q = v^2 r / mu, NaN where it is not suborbital (Q >= 1)."""
    q = speed * speed * radius / mu
    return np.where(q < 1.0, q, np.nan)


def _gamma_rad(flight_path_angle_deg: FloatArray) -> FloatArray:
    """Flight-path angle in radians, NaN outside [0, 90] deg."""
    ok = (flight_path_angle_deg >= 0.0) & (flight_path_angle_deg <= 90.0)
    return np.where(ok, np.radians(flight_path_angle_deg), np.nan)


# --------------------------------------------------------------------------- closed forms


def free_flight_range_angle(
    speed_ms: ArrayLike,
    flight_path_angle_deg: ArrayLike,
    burnout_radius_m: ArrayLike,
    mu: float = MU,
) -> FloatArray:
    """Free-flight range angle Psi (rad) of the symmetric trajectory, from r_bo back to r_bo.

    cos(Psi/2) = (1 - Q cos^2 gamma) / sqrt(1 + Q (Q - 2) cos^2 gamma) (BMW eq. 6.2-8),
    evaluated as Psi/2 = atan2(Q sin gamma cos gamma, 1 - Q cos^2 gamma), which is the same
    angle without the cancellation near gamma = 0 and 90 deg. NaN where Q >= 1 or where the
    flight-path angle is outside [0, 90] deg.
    """
    v = _non_negative(speed_ms, "speed_ms")
    r = _positive(burnout_radius_m, "burnout_radius_m")
    g = _gamma_rad(_finite(flight_path_angle_deg, "flight_path_angle_deg"))
    _positive(mu, "mu")
    q = _q(v, r, mu)
    c, s = np.cos(g), np.sin(g)
    return np.asarray(2.0 * np.arctan2(q * s * c, 1.0 - q * c * c), dtype=np.float64)


def flight_path_angles_for_range(
    range_angle_rad: ArrayLike,
    speed_ms: ArrayLike,
    burnout_radius_m: ArrayLike,
    mu: float = MU,
) -> FlightPathAngles:
    """The two burnout flight-path angles (deg) that fly a free-flight range angle Psi.

    sin(2 gamma + Psi/2) = ((2 - Q)/Q) sin(Psi/2) (BMW eq. 6.2-16): the depressed root
    gamma = (asin(x) - Psi/2)/2 and the lofted root gamma = (pi - asin(x) - Psi/2)/2. They
    coincide at the maximum range. NaN where Q >= 1, where Psi exceeds the maximum range angle
    for the speed, or where Psi >= pi (out of reach of any suborbital speed). Psi = 0 gives
    0 and 90 deg.
    """
    psi = _non_negative(range_angle_rad, "range_angle_rad")
    v = _non_negative(speed_ms, "speed_ms")
    r = _positive(burnout_radius_m, "burnout_radius_m")
    _positive(mu, "mu")
    q = _q(v, r, mu)
    half = np.where(psi < np.pi, 0.5 * psi, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (2.0 - q) / q * np.sin(half)
    x = np.where(half == 0.0, 0.0, x)  # Psi = 0 for any speed, including v = 0
    x = np.where(x <= 1.0, x, np.nan)
    a = np.arcsin(x)
    depressed = np.degrees(0.5 * (a - half))
    lofted = np.degrees(0.5 * (np.pi - a - half))
    return FlightPathAngles(np.asarray(depressed), np.asarray(lofted))


def free_flight_time_s(
    speed_ms: ArrayLike,
    flight_path_angle_deg: ArrayLike,
    burnout_radius_m: ArrayLike,
    mu: float = MU,
) -> FloatArray:
    """Time (s) of the symmetric free flight from r_bo through apogee back to r_bo.

    t_ff = 2 sqrt(a^3/mu) (pi - E1 + e sin E1) (BMW eq. 6.3-5), with a = r_bo/(2 - Q) and the
    eccentric anomaly of burnout from e cos E1 = 1 - r_bo/a = Q - 1 and
    e sin E1 = sqrt(Q (2 - Q)) sin gamma (equivalent to BMW's cos E1 = (e - cos(Psi/2)) /
    (1 - e cos(Psi/2)), and well defined for the vertical shot, e = 1). NaN where Q >= 1 or the
    flight-path angle is outside [0, 90] deg.
    """
    v = _non_negative(speed_ms, "speed_ms")
    r = _positive(burnout_radius_m, "burnout_radius_m")
    g = _gamma_rad(_finite(flight_path_angle_deg, "flight_path_angle_deg"))
    _positive(mu, "mu")
    q = _q(v, r, mu)
    a = r / (2.0 - q)
    e_sin = np.sqrt(q * (2.0 - q)) * np.sin(g)
    e1 = np.arctan2(e_sin, q - 1.0)
    return np.asarray(2.0 * np.sqrt(a**3 / mu) * (np.pi - e1 + e_sin), dtype=np.float64)


def minimum_energy(range_m: ArrayLike, burnout_altitude_m: ArrayLike = 0.0) -> MinimumEnergy:
    """Minimum-energy trajectory for a free-flight ground range on the non-rotating sphere.

    ``range_m`` is D = R Psi on the surface of the sphere of radius R = ``R_MEAN``; burnout is at
    altitude h_bo (r_bo = R + h_bo) and Psi is the angle from burnout to re-entry at the same
    radius r_bo (the symmetric trajectory; the descent from r_bo to the surface is not counted).
    With mu = ``MU`` (BMW ch. 6): sin(Psi/2) = Q/(2 - Q), so Q = 2 s/(1 + s) with s = sin(Psi/2)
    and v^2 = Q mu / r_bo; gamma* = 45 deg - Psi/4; apogee radius a (1 + e) with
    a = r_bo/(2 - Q), e^2 = 1 + Q (Q - 2) cos^2 gamma*; the apogee altitude is above the sphere.
    NaN where range_m >= pi R (no suborbital trajectory reaches it). Raises ``ValueError`` for
    negative or non-finite ranges and altitudes.
    """
    d = _non_negative(range_m, "range_m")
    h = _non_negative(burnout_altitude_m, "burnout_altitude_m")
    d, h = np.broadcast_arrays(d, h)
    psi = np.where(d < np.pi * R_MEAN, d / R_MEAN, np.nan)
    r_bo = R_MEAN + h
    s = np.sin(0.5 * psi)
    q = 2.0 * s / (1.0 + s)
    speed = np.sqrt(q * MU / r_bo)
    gamma_deg = np.degrees(0.25 * (np.pi - psi))
    cos2 = np.cos(np.radians(gamma_deg)) ** 2
    a = r_bo / (2.0 - q)
    e = np.sqrt(np.maximum(1.0 + q * (q - 2.0) * cos2, 0.0))
    apogee = a * (1.0 + e) - R_MEAN
    t = free_flight_time_s(np.nan_to_num(speed), np.nan_to_num(gamma_deg), r_bo)
    t = np.where(np.isnan(psi), np.nan, t)
    return MinimumEnergy(
        np.asarray(speed), np.asarray(gamma_deg), np.asarray(apogee), np.asarray(t)
    )


# --------------------------------------------------------------------------- rotating Earth


def _coast(
    lat: FloatArray,
    lon: FloatArray,
    azimuth: FloatArray,
    speed: FloatArray,
    gamma: FloatArray,
    burnout_radius: FloatArray,
    omega: float,
    mu: float = MU,
    surface_radius: float = R_MEAN,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Conic coast from burnout to the surface: (range_m, flight_time_s, lat_deg, lon_deg).

    Angles in radians (gamma in [0, pi/2]); arrays broadcast. The burnout point is at
    ``burnout_radius`` above spherical (lat, lon); the ground-relative velocity has speed
    ``speed``, azimuth ``azimuth`` and flight-path angle ``gamma``; the inertial velocity adds
    omega x r. The conic is described in its plane by the radial and transverse speeds: with
    h = r v_t, p = h^2/mu, e cos nu = p/r - 1 and e sin nu = h v_r/mu (true anomaly);
    e cos E = 1 - r/a and e sin E = r v_r/sqrt(mu a) (eccentric anomaly), M = E - e sin E.
    Impact is where r = ``surface_radius`` on the descending branch. NaN where the coast does
    not come down to the surface (hyperbolic, parabolic, or perigee above it).
    """
    cl, sl, co, so = np.cos(lat), np.sin(lat), np.cos(lon), np.sin(lon)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    east = np.stack([-so, co, np.zeros_like(so)], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    horizontal = np.sin(azimuth)[..., None] * east + np.cos(azimuth)[..., None] * north
    v_r = speed * np.sin(gamma)
    # Horizontal inertial velocity: ground-relative part plus omega x r (eastward, omega r cos lat).
    v_ground = speed * np.cos(gamma)
    v_site = omega * burnout_radius * cl
    v_h = v_ground[..., None] * horizontal + v_site[..., None] * east
    v_t = np.linalg.norm(v_h, axis=-1)
    safe_t = np.where(v_t > 0.0, v_t, 1.0)
    u_t = np.where((v_t > 0.0)[..., None], v_h / safe_t[..., None], east)

    r0, rs = burnout_radius, surface_radius
    energy = 0.5 * (v_r * v_r + v_t * v_t) - mu / r0
    h = r0 * v_t
    p = h * h / mu
    # Radial speed squared at the surface from energy and angular momentum, arranged so that it
    # is exactly v_r^2 when burnout is on the surface (no cancellation of v^2 - v_t^2).
    v_r_surface2 = v_r * v_r + v_t * v_t * (1.0 - (r0 / rs) ** 2) + 2.0 * mu * (r0 - rs) / (r0 * rs)
    ok = (energy < 0.0) & (v_r_surface2 >= 0.0)
    energy = np.where(ok, energy, np.nan)
    v_r_surface = np.sqrt(np.where(ok, v_r_surface2, np.nan))  # magnitude; descending branch

    nu0 = np.arctan2(h * v_r / mu, p / r0 - 1.0)  # in [0, pi]: ascending (or at apogee)
    nu1 = _TWO_PI - np.arctan2(h * v_r_surface / mu, p / rs - 1.0)  # in [pi, 2 pi]
    transfer = nu1 - nu0

    a = -mu / (2.0 * energy)
    sqrt_mu_a = np.sqrt(mu * a)
    es0 = r0 * v_r / sqrt_mu_a
    es1 = -rs * v_r_surface / sqrt_mu_a
    e0 = np.arctan2(es0, 1.0 - r0 / a)  # in [0, pi]
    e1 = _TWO_PI + np.arctan2(es1, 1.0 - rs / a)  # in [pi, 2 pi]
    tof = np.sqrt(a**3 / mu) * ((e1 - es1) - (e0 - es0))

    impact = rs * (np.cos(transfer)[..., None] * up + np.sin(transfer)[..., None] * u_t)
    theta = omega * tof  # Earth rotation during the flight: ECI -> ECEF at impact
    ct, st = np.cos(theta), np.sin(theta)
    x = ct * impact[..., 0] + st * impact[..., 1]
    y = -st * impact[..., 0] + ct * impact[..., 1]
    z = impact[..., 2]
    lat_i = np.degrees(np.arctan2(z, np.hypot(x, y)))
    lon_i = np.degrees(np.arctan2(y, x))
    rng, _ = great_circle(np.degrees(lat), np.degrees(lon), lat_i, lon_i, R_MEAN)
    return rng, tof, lat_i, lon_i


def _launch_inputs(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    speed_ms: ArrayLike,
    burnout_altitude_m: ArrayLike,
    extra: tuple[ArrayLike, ...] = (),
) -> tuple[tuple[int, ...], list[FloatArray]]:
    lat = _finite(lat_deg, "lat_deg")
    if np.any(np.abs(lat) > 90.0):
        raise ValueError("lat_deg must be in [-90, 90]")
    arrays = [
        lat,
        _finite(lon_deg, "lon_deg"),
        _finite(azimuth_deg, "azimuth_deg"),
        _non_negative(speed_ms, "speed_ms"),
        _non_negative(burnout_altitude_m, "burnout_altitude_m"),
        *(_finite(x, "flight_path_angle_deg") for x in extra),
    ]
    shape = np.broadcast_shapes(*(x.shape for x in arrays))
    flat = [np.broadcast_to(x, shape).reshape(-1) for x in arrays]
    return shape, flat


def ballistic_impact(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    speed_ms: ArrayLike,
    flight_path_angle_deg: ArrayLike,
    burnout_altitude_m: ArrayLike = 0.0,
    rotating: bool = True,
) -> Impact:
    """Vacuum coast at a given flight-path angle, as in :func:`max_range_m`, without maximizing.

    Returns the great-circle ground range (m) from (lat, lon) to the impact on the sphere of
    radius ``R_MEAN``, the time of flight from burnout (s) and the impact point (deg, in the
    Earth-fixed frame at impact). NaN where the coast does not come down to the surface or the
    flight-path angle is outside [0, 90] deg.
    """
    shape, (lat, lon, az, v, h, g) = _launch_inputs(
        lat_deg, lon_deg, azimuth_deg, speed_ms, burnout_altitude_m, (flight_path_angle_deg,)
    )
    omega = OMEGA_EARTH if rotating else 0.0
    out = _coast(
        np.radians(lat), np.radians(lon), np.radians(az), v, _gamma_rad(g), R_MEAN + h, omega
    )
    return Impact(*(np.asarray(x).reshape(shape) for x in out))


def max_range(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    speed_ms: ArrayLike,
    burnout_altitude_m: ArrayLike = 0.0,
    rotating: bool = True,
) -> MaxRange:
    """The greatest ground range over flight-path angles, and the trajectory that flies it.

    See :func:`max_range_m`. The maximization is vectorized over the batch: the range is
    evaluated on a 1-degree grid of flight-path angles in (0, 90) deg, then refined by a golden-
    section search on the bracket around the best grid point (the range is unimodal in the
    flight-path angle), to about 1e-10 deg.
    """
    shape, (lat, lon, az, v, h) = _launch_inputs(
        lat_deg, lon_deg, azimuth_deg, speed_ms, burnout_altitude_m
    )
    omega = OMEGA_EARTH if rotating else 0.0
    lat_r, lon_r, az_r, r0 = np.radians(lat), np.radians(lon), np.radians(az), R_MEAN + h

    def f(gamma_deg: FloatArray) -> FloatArray:
        col = (slice(None),) + (None,) * (gamma_deg.ndim - 1)
        rng, _, _, _ = _coast(
            lat_r[col], lon_r[col], az_r[col], v[col], np.radians(gamma_deg), r0[col], omega
        )
        return rng

    grid = np.arange(_GRID_STEP_DEG, 90.0, _GRID_STEP_DEG)
    values = f(np.broadcast_to(grid, (lat.size, grid.size)))
    # The maximum is not attained when some angle puts the vehicle in orbit. The horizontal shot
    # (gamma = 0) has the highest perigee: its burnout point is an apsis, the apogee if
    # Q0 = v0^2 r0 / mu < 1 (then the perigee is r0 Q0 / (2 - Q0)), else the perigee.
    v_east = v * np.sin(az_r) + omega * r0 * np.cos(lat_r)
    q0 = (v_east**2 + (v * np.cos(az_r)) ** 2) * r0 / MU
    orbital = ~((q0 < 1.0) & (r0 * q0 / (2.0 - q0) < R_MEAN))
    invalid = np.any(np.isnan(values), axis=1) | orbital
    values = np.where(np.isnan(values), -np.inf, values)
    best = grid[np.argmax(values, axis=1)]

    lo = np.clip(best - _GRID_STEP_DEG, 0.0, 90.0)
    hi = np.clip(best + _GRID_STEP_DEG, 0.0, 90.0)
    c = hi - _INV_PHI * (hi - lo)
    d = lo + _INV_PHI * (hi - lo)
    fc, fd = f(c), f(d)
    for _ in range(_GOLDEN_ITERATIONS):
        left = fc > fd  # the maximum lies in [lo, d]
        hi = np.where(left, d, hi)
        lo = np.where(left, lo, c)
        new = np.where(left, hi - _INV_PHI * (hi - lo), lo + _INV_PHI * (hi - lo))
        f_new = f(new)
        c, d = np.where(left, new, d), np.where(left, c, new)
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
    gamma = np.where(fc > fd, c, d)
    gamma = np.where(invalid, np.nan, gamma)
    rng, tof, lat_i, lon_i = _coast(
        lat_r, lon_r, az_r, v, np.radians(np.nan_to_num(gamma)), r0, omega
    )
    nan = np.where(invalid, np.nan, 0.0)
    out = (rng + nan, gamma, tof + nan, lat_i + nan, lon_i + nan)
    return MaxRange(*(np.asarray(x).reshape(shape) for x in out))


def max_range_m(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    speed_ms: ArrayLike,
    burnout_altitude_m: ArrayLike = 0.0,
    rotating: bool = True,
) -> FloatArray:
    """Greatest ground range (m) over flight-path angles for a ground-relative burnout speed.

    Burnout is at ``burnout_altitude_m`` above the spherical point (lat, lon) of the sphere of
    radius ``R_MEAN``, with ground-relative speed ``speed_ms`` on ``azimuth_deg`` (clockwise
    from north). The vacuum coast (point-mass gravity, mu = ``MU``) is flown as a conic until it
    comes down to the surface of the sphere; with ``rotating=True`` the inertial velocity is the
    ground-relative velocity plus omega x r (omega = ``OMEGA_EARTH``) and the impact point is
    taken in the Earth-fixed frame rotated by omega * time of flight. The ground range is the
    great-circle distance from (lat, lon) to the impact point (at most pi R), not counting the
    powered flight before burnout.

    With ``rotating=False`` and burnout on the surface this is the closed form R Psi_max,
    sin(Psi_max/2) = Q/(2 - Q); with a burnout altitude the range also includes the descent from
    r_bo to the surface, so it exceeds R Psi_max. NaN where some flight-path angle puts the
    vehicle in orbit (or beyond escape): the maximum range is then not attained.
    """
    return max_range(lat_deg, lon_deg, azimuth_deg, speed_ms, burnout_altitude_m, rotating).range_m
