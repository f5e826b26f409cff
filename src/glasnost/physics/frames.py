"""Reference frames: WGS84 geodetic <-> ECEF, ECEF <-> ECI, local ENU, great circles.

ECI here is the Earth-centred inertial frame aligned with ECEF at t = 0 and rotating with
respect to it about z at the Earth's rotation rate (DESIGN.md). Angles at the edges are in
degrees (``lat_deg``), everything else SI. Positions are arrays of shape (N, 3) or (3,).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.physics.constants import R_MEAN, WGS84, EarthModel

FloatArray = NDArray[np.float64]


def geodetic_to_ecef(
    lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike = 0.0, earth: EarthModel = WGS84
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Geodetic latitude, longitude (deg) and height above the ellipsoid (m) to ECEF (m)."""
    lat, lon, h = np.broadcast_arrays(
        np.radians(np.asarray(lat_deg, dtype=float)),
        np.radians(np.asarray(lon_deg, dtype=float)),
        np.asarray(alt_m, dtype=float),
    )
    a, e2 = earth.equatorial_radius_m, earth.e2
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    n = a / np.sqrt(1.0 - e2 * sin_lat**2)
    x = (n + h) * cos_lat * np.cos(lon)
    y = (n + h) * cos_lat * np.sin(lon)
    z = (n * (1.0 - e2) + h) * sin_lat
    return x, y, z


def ecef_to_geodetic(
    x: ArrayLike, y: ArrayLike, z: ArrayLike, earth: EarthModel = WGS84
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF (m) to geodetic latitude, longitude (deg) and height above the ellipsoid (m).

    Heikkinen's closed form (1982; Zhu 1993) followed by one Newton step on the latitude, which
    brings the round trip below a micrometre from -10 km to beyond geostationary altitude.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    z = np.asarray(z, dtype=float)
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    a, b, e2 = earth.equatorial_radius_m, earth.polar_radius_m, earth.e2
    if e2 == 0.0:
        return np.degrees(np.arctan2(z, p)), np.degrees(lon), np.hypot(p, z) - a
    ep2 = (a * a - b * b) / (b * b)
    f_ = 54.0 * b * b * z * z
    g = p * p + (1.0 - e2) * z * z - e2 * (a * a - b * b)
    c = e2 * e2 * f_ * p * p / g**3
    s = np.cbrt(1.0 + c + np.sqrt(c * c + 2.0 * c))
    k = s + 1.0 + 1.0 / s
    pp = f_ / (3.0 * k * k * g * g)
    q = np.sqrt(1.0 + 2.0 * e2 * e2 * pp)
    r0 = -pp * e2 * p / (1.0 + q) + np.sqrt(
        np.maximum(
            0.5 * a * a * (1.0 + 1.0 / q)
            - pp * (1.0 - e2) * z * z / (q * (1.0 + q))
            - 0.5 * pp * p * p,
            0.0,
        )
    )
    v = np.sqrt((p - e2 * r0) ** 2 + (1.0 - e2) * z * z)
    z0 = b * b * z / (a * v)
    lat = np.arctan2(z + ep2 * z0, p)
    # One Newton refinement of the latitude (Bowring's iteration) and the height.
    sin_lat = np.sin(lat)
    n = a / np.sqrt(1.0 - e2 * sin_lat**2)
    lat = np.arctan2(z + e2 * n * sin_lat, p)
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    n = a / np.sqrt(1.0 - e2 * sin_lat**2)
    h = p * cos_lat + z * sin_lat - a * a / n
    return np.degrees(lat), np.degrees(lon), h


def geodetic_to_vector(
    lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike = 0.0, earth: EarthModel = WGS84
) -> FloatArray:
    """Like :func:`geodetic_to_ecef` but stacked as an array of shape (..., 3)."""
    return np.stack(geodetic_to_ecef(lat_deg, lon_deg, alt_m, earth), axis=-1)


def vector_to_geodetic(
    r: ArrayLike, earth: EarthModel = WGS84
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF vectors of shape (..., 3) to (lat_deg, lon_deg, alt_m)."""
    r = np.asarray(r, dtype=float)
    return ecef_to_geodetic(r[..., 0], r[..., 1], r[..., 2], earth)


def altitude(r: ArrayLike, earth: EarthModel = WGS84) -> FloatArray:
    """Height above the reference surface (m) of ECEF or ECI vectors (..., 3): it is the same in
    both frames, because they differ by a rotation about the polar axis."""
    return vector_to_geodetic(r, earth)[2]


def _rotate_z(angle: ArrayLike, vectors: FloatArray) -> FloatArray:
    """Vectors (..., 3) rotated about z by ``angle`` (rad, broadcasting over the leading
    axes): the product with the rotation matrix written out, the same floating-point
    operations in the same order as the matrix product (x cos - y sin, x sin + y cos, z) but
    without building the matrices."""
    angle = np.asarray(angle, dtype=float)
    c, s = np.cos(angle), np.sin(angle)
    x, y = vectors[..., 0], vectors[..., 1]
    out = np.empty(np.broadcast_shapes((*angle.shape, 3), vectors.shape))
    out[..., 0] = c * x - s * y
    out[..., 1] = s * x + c * y
    out[..., 2] = vectors[..., 2]
    return out


def ecef_to_eci(
    r_ecef: ArrayLike, t_s: ArrayLike, earth: EarthModel = WGS84, v_ecef: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """ECEF position (and Earth-relative velocity) at time ``t_s`` to ECI position and velocity.

    ``v_ecef`` defaults to zero (a point fixed on the Earth); the inertial velocity includes
    omega x r. Shapes (..., 3); ``t_s`` broadcasts over the leading axes.
    """
    r = np.asarray(r_ecef, dtype=float)
    v = np.zeros_like(r) if v_ecef is None else np.asarray(v_ecef, dtype=float)
    w = np.array([0.0, 0.0, earth.rotation_rad_s])
    angle = earth.rotation_rad_s * np.asarray(t_s, dtype=float)
    return _rotate_z(angle, r), _rotate_z(angle, v + np.cross(w, r))


def eci_to_ecef(
    r_eci: ArrayLike, t_s: ArrayLike, earth: EarthModel = WGS84, v_eci: ArrayLike | None = None
) -> tuple[FloatArray, FloatArray]:
    """ECI position and inertial velocity at ``t_s`` to ECEF position and ground velocity."""
    r_i = np.asarray(r_eci, dtype=float)
    v_i = np.zeros_like(r_i) if v_eci is None else np.asarray(v_eci, dtype=float)
    angle = -earth.rotation_rad_s * np.asarray(t_s, dtype=float)
    r = _rotate_z(angle, r_i)
    w = np.array([0.0, 0.0, earth.rotation_rad_s])
    v = _rotate_z(angle, v_i) - np.cross(w, r)
    return r, v


def enu_basis(lat_deg: ArrayLike, lon_deg: ArrayLike) -> FloatArray:
    """Local east, north, up unit vectors in ECEF, as rows of matrices of shape (..., 3, 3).

    Up is the ellipsoid normal (geodetic latitude).
    """
    lat, lon = np.broadcast_arrays(
        np.radians(np.asarray(lat_deg, dtype=float)), np.radians(np.asarray(lon_deg, dtype=float))
    )
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack([-so, co, np.zeros_like(so)], -1)
    north = np.stack([-sl * co, -sl * so, cl], -1)
    up = np.stack([cl * co, cl * so, sl], -1)
    return np.stack([east, north, up], -2)


def ecef_to_enu(
    r_ecef: ArrayLike,
    lat0_deg: ArrayLike,
    lon0_deg: ArrayLike,
    alt0_m: ArrayLike = 0.0,
    earth: EarthModel = WGS84,
) -> FloatArray:
    """ECEF points (..., 3) to east, north, up offsets (m) from a geodetic origin."""
    origin = geodetic_to_vector(lat0_deg, lon0_deg, alt0_m, earth)
    d = np.asarray(r_ecef, dtype=float) - origin
    return np.einsum("...ij,...j->...i", enu_basis(lat0_deg, lon0_deg), d)


def great_circle(
    lat1_deg: ArrayLike,
    lon1_deg: ArrayLike,
    lat2_deg: ArrayLike,
    lon2_deg: ArrayLike,
    radius_m: float = R_MEAN,
) -> tuple[FloatArray, FloatArray]:
    """Great-circle ground range (m) and initial azimuth (deg clockwise from north, [0, 360)).

    Latitudes are used as spherical latitudes on a sphere of ``radius_m`` (mean Earth radius by
    default), the usual convention for ground ranges of ballistic missiles.
    """
    p1, l1 = (
        np.radians(np.asarray(lat1_deg, dtype=float)),
        np.radians(np.asarray(lon1_deg, dtype=float)),
    )
    p2, l2 = (
        np.radians(np.asarray(lat2_deg, dtype=float)),
        np.radians(np.asarray(lon2_deg, dtype=float)),
    )
    dl = l2 - l1
    # Vincenty's formula for the central angle: accurate for all separations.
    num = np.hypot(
        np.cos(p2) * np.sin(dl), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    )
    den = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    angle = np.arctan2(num, den)
    az = np.arctan2(
        np.sin(dl) * np.cos(p2), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    )
    return radius_m * angle, np.degrees(az) % 360.0


def destination(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    range_m: ArrayLike,
    radius_m: float = R_MEAN,
) -> tuple[FloatArray, FloatArray]:
    """Point reached along a great circle from (lat, lon) on ``azimuth_deg`` after ``range_m``."""
    p1 = np.radians(np.asarray(lat_deg, dtype=float))
    l1 = np.radians(np.asarray(lon_deg, dtype=float))
    az = np.radians(np.asarray(azimuth_deg, dtype=float))
    d = np.asarray(range_m, dtype=float) / radius_m
    # Unit vector of the destination in the frame of the start meridian; atan2 rather than
    # arcsin keeps full precision for paths ending near a pole.
    x = np.cos(p1) * np.cos(d) - np.sin(p1) * np.sin(d) * np.cos(az)
    y = np.sin(d) * np.sin(az)
    z = np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(az)
    p2 = np.arctan2(z, np.hypot(x, y))
    l2 = l1 + np.arctan2(y, x)
    return np.degrees(p2), (np.degrees(l2) + 180.0) % 360.0 - 180.0
