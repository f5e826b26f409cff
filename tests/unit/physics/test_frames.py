"""Unit tests of glasnost.physics.frames: geodetic, ECEF, ECI, ENU and great circles.

Published reference examples (EPSG guidance note, city-pair distance) live in
tests/validation/test_earth_validation.py, where they are recorded for the validation report.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glasnost.physics import frames
from glasnost.physics.constants import OMEGA_EARTH, R_EQUATOR, R_MEAN, R_POLAR, SPHERE, WGS84

LAT = st.floats(-90.0, 90.0)
LON = st.floats(-180.0, 180.0)
ALT = st.floats(-10_000.0, 40_000_000.0)
FEW = settings(max_examples=50, deadline=None)


def _wrap_deg(angle: float) -> float:
    """Signed difference of angles folded into [-180, 180)."""
    return (angle + 180.0) % 360.0 - 180.0


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float, radius_m: float) -> float:
    """Central angle by the haversine formula (independent of frames.great_circle)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * radius_m * math.atan2(math.sqrt(h), math.sqrt(max(1.0 - h, 0.0)))


# --- shapes -----------------------------------------------------------------------------------


def test_geodetic_to_ecef_scalar_shapes() -> None:
    x, y, z = frames.geodetic_to_ecef(10.0, 20.0, 30.0)
    assert np.shape(x) == np.shape(y) == np.shape(z) == ()
    assert frames.geodetic_to_vector(10.0, 20.0, 30.0).shape == (3,)
    lat, lon, alt = frames.vector_to_geodetic(frames.geodetic_to_vector(10.0, 20.0, 30.0))
    assert np.shape(lat) == np.shape(lon) == np.shape(alt) == ()


def test_geodetic_to_ecef_vector_shapes() -> None:
    lat = np.linspace(-80.0, 80.0, 5)
    x, y, z = frames.geodetic_to_ecef(lat, 15.0)
    assert x.shape == y.shape == z.shape == (5,)
    r = frames.geodetic_to_vector(lat, 15.0, 100.0)
    assert r.shape == (5, 3)
    back = frames.vector_to_geodetic(r)
    assert all(a.shape == (5,) for a in back)
    assert frames.altitude(r).shape == (5,)


def test_geodetic_to_ecef_broadcasting_matches_elementwise() -> None:
    lat = np.array([-60.0, -5.0, 30.0, 89.0])[:, None]
    lon = np.array([-170.0, 0.0, 120.0])
    alt = 1234.0
    r = frames.geodetic_to_vector(lat, lon, alt)
    assert r.shape == (4, 3, 3)
    for i in range(4):
        for j in range(3):
            expected = frames.geodetic_to_vector(float(lat[i, 0]), float(lon[j]), alt)
            np.testing.assert_array_equal(r[i, j], expected)
    lat_b, _, alt_b = frames.vector_to_geodetic(r)
    assert lat_b.shape == (4, 3)
    np.testing.assert_allclose(lat_b, np.broadcast_to(lat, (4, 3)), atol=1e-12)
    np.testing.assert_allclose(alt_b, alt, atol=1e-6)


# --- known points -----------------------------------------------------------------------------


def test_known_points_wgs84() -> None:
    # Equator / prime meridian is (a, 0, 0); a = 6378137 m (WGS84 definition), exact.
    np.testing.assert_allclose(
        frames.geodetic_to_vector(0.0, 0.0), [R_EQUATOR, 0.0, 0.0], atol=1e-9
    )
    # Equator, 90 E: (0, a, 0); atol 1e-6 m covers cos(pi/2) = 6e-17 in floating point.
    np.testing.assert_allclose(
        frames.geodetic_to_vector(0.0, 90.0), [0.0, R_EQUATOR, 0.0], atol=1e-6
    )
    # North pole is (0, 0, b), b = a (1 - f) = 6356752.314 m (WGS84), atol 1e-6 m.
    np.testing.assert_allclose(frames.geodetic_to_vector(90.0, 0.0), [0.0, 0.0, R_POLAR], atol=1e-6)
    assert pytest.approx(6356752.314245, abs=1e-6) == R_POLAR  # NIMA TR8350.2 table 3.3 value
    # South pole 1 km up: (0, 0, -(b + 1000)).
    np.testing.assert_allclose(
        frames.geodetic_to_vector(-90.0, 45.0, 1000.0), [0.0, 0.0, -R_POLAR - 1000.0], atol=1e-6
    )
    # Height adds along the normal: at the equator it is radial.
    np.testing.assert_allclose(
        frames.geodetic_to_vector(0.0, 180.0, 500.0), [-R_EQUATOR - 500.0, 0.0, 0.0], atol=1e-6
    )


def test_known_points_inverse() -> None:
    lat, lon, alt = frames.ecef_to_geodetic(R_EQUATOR, 0.0, 0.0)
    assert (float(lat), float(lon), float(alt)) == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)
    lat, _, alt = frames.ecef_to_geodetic(0.0, 0.0, R_POLAR)
    assert float(lat) == pytest.approx(90.0, abs=1e-12)  # exactly on the axis
    assert float(alt) == pytest.approx(0.0, abs=1e-6)
    lat, _, alt = frames.ecef_to_geodetic(0.0, 0.0, -R_POLAR - 2000.0)
    assert float(lat) == pytest.approx(-90.0, abs=1e-12)
    assert float(alt) == pytest.approx(2000.0, abs=1e-6)
    lat, lon, alt = frames.ecef_to_geodetic(0.0, -R_EQUATOR - 10.0, 0.0)
    assert (float(lat), float(lon), float(alt)) == pytest.approx((0.0, -90.0, 10.0), abs=1e-9)


@FEW
@given(lat=LAT, lon=LON)
def test_surface_points_lie_on_ellipsoid_with_geodetic_normal(lat: float, lon: float) -> None:
    x, y, z = (float(c) for c in frames.geodetic_to_ecef(lat, lon, 0.0))
    p = math.hypot(x, y)
    # On the ellipsoid p^2/a^2 + z^2/b^2 = 1 (WGS84 a, b), to double precision.
    assert p**2 / R_EQUATOR**2 + z**2 / R_POLAR**2 == pytest.approx(1.0, abs=1e-14)
    # Geodetic latitude is the angle of the ellipsoid normal (p/a^2, z/b^2), not of the radius.
    normal_lat = math.degrees(math.atan2(z / R_POLAR**2, p / R_EQUATOR**2))
    assert normal_lat == pytest.approx(lat, abs=1e-10)


def test_geodetic_latitude_differs_from_geocentric() -> None:
    # At 45 deg geodetic the geocentric latitude is ~0.192 deg lower (max of f sin 2 phi).
    x, _, z = (float(c) for c in frames.geodetic_to_ecef(45.0, 0.0))
    geocentric = math.degrees(math.atan2(z, x))
    assert 45.0 - geocentric == pytest.approx(0.1924, abs=2e-4)  # WGS84 textbook value


# --- ECEF <-> ECI -----------------------------------------------------------------------------


def test_ground_point_inertial_speed_at_equator() -> None:
    r = frames.geodetic_to_vector(0.0, 0.0)
    r_eci, v_eci = frames.ecef_to_eci(r, 0.0)
    np.testing.assert_allclose(r_eci, r, atol=1e-9)  # frames aligned at t = 0
    # 465.1 m/s eastward (validation README section 4: omega R cos(lat), 465 m/s at equator).
    assert np.linalg.norm(v_eci) == pytest.approx(465.1, abs=0.05)
    np.testing.assert_allclose(v_eci / np.linalg.norm(v_eci), [0.0, 1.0, 0.0], atol=1e-12)


@FEW
@given(lat=LAT, lon=LON, t=st.floats(0.0, 1e6))
def test_ground_point_inertial_speed_is_omega_times_axis_distance(
    lat: float, lon: float, t: float
) -> None:
    r = frames.geodetic_to_vector(lat, lon)
    _, v_eci = frames.ecef_to_eci(r, t)
    expected = OMEGA_EARTH * math.hypot(float(r[0]), float(r[1]))  # README s.4: omega R cos(lat)
    assert float(np.linalg.norm(v_eci)) == pytest.approx(expected, rel=1e-12, abs=1e-9)


def test_eci_rotation_sense_quarter_turn() -> None:
    # The Earth turns eastward: after a quarter turn the prime-meridian point is on ECI +y.
    t = (math.pi / 2) / OMEGA_EARTH
    r_eci, v_eci = frames.ecef_to_eci(np.array([R_EQUATOR, 0.0, 0.0]), t)
    np.testing.assert_allclose(r_eci, [0.0, R_EQUATOR, 0.0], atol=1e-6)
    np.testing.assert_allclose(v_eci, [-OMEGA_EARTH * R_EQUATOR, 0.0, 0.0], atol=1e-9)


def test_inertially_fixed_point_drifts_west() -> None:
    r_eci = np.array([R_EQUATOR, 0.0, 0.0])
    r, v = frames.eci_to_ecef(r_eci, 0.0, v_eci=np.zeros(3))
    np.testing.assert_allclose(r, r_eci, atol=1e-9)
    np.testing.assert_allclose(v, [0.0, -OMEGA_EARTH * R_EQUATOR, 0.0], atol=1e-9)


VEC = st.lists(st.floats(-1e7, 1e7), min_size=3, max_size=3)


@FEW
@given(r=VEC, v=st.lists(st.floats(-1e4, 1e4), min_size=3, max_size=3), t=st.floats(-1e6, 1e6))
def test_ecef_eci_round_trip_with_velocity(r: list[float], v: list[float], t: float) -> None:
    r_ecef, v_ecef = np.array(r), np.array(v)
    r_eci, v_eci = frames.ecef_to_eci(r_ecef, t, v_ecef=v_ecef)
    assert float(np.linalg.norm(r_eci)) == pytest.approx(float(np.linalg.norm(r_ecef)), abs=1e-6)
    assert r_eci[2] == pytest.approx(r_ecef[2], abs=1e-9)  # rotation about the polar axis
    r_back, v_back = frames.eci_to_ecef(r_eci, t, v_eci=v_eci)
    np.testing.assert_allclose(r_back, r_ecef, atol=1e-6)
    np.testing.assert_allclose(v_back, v_ecef, atol=1e-6)


def test_ecef_eci_broadcasts_over_times() -> None:
    t = np.linspace(0.0, 86164.0, 7)
    r_eci, v_eci = frames.ecef_to_eci(np.array([R_EQUATOR, 0.0, 0.0]), t)
    assert r_eci.shape == v_eci.shape == (7, 3)
    np.testing.assert_allclose(np.linalg.norm(r_eci, axis=-1), R_EQUATOR, rtol=1e-14)
    angle = np.unwrap(np.arctan2(r_eci[:, 1], r_eci[:, 0]))
    np.testing.assert_allclose(angle, OMEGA_EARTH * t, atol=1e-12)
    r_back, v_back = frames.eci_to_ecef(r_eci, t, v_eci=v_eci)
    np.testing.assert_allclose(r_back, np.broadcast_to([R_EQUATOR, 0.0, 0.0], (7, 3)), atol=1e-6)
    np.testing.assert_allclose(v_back, 0.0, atol=1e-9)


def test_sphere_model_does_not_rotate() -> None:
    r = np.array([1.0e6, -2.0e6, 6.0e6])
    r_eci, v_eci = frames.ecef_to_eci(r, 5000.0, earth=SPHERE)
    np.testing.assert_array_equal(r_eci, r)
    np.testing.assert_array_equal(v_eci, 0.0)


# --- ENU --------------------------------------------------------------------------------------


@FEW
@given(lat=LAT, lon=LON)
def test_enu_basis_orthonormal_right_handed(lat: float, lon: float) -> None:
    b = frames.enu_basis(lat, lon)
    assert b.shape == (3, 3)
    np.testing.assert_allclose(b @ b.T, np.eye(3), atol=1e-14)
    np.testing.assert_allclose(np.cross(b[0], b[1]), b[2], atol=1e-14)  # east x north = up
    assert b[0, 2] == 0.0  # east is horizontal
    if abs(lat) < 89.0:
        assert b[1, 2] > 0.0  # north points toward the north pole


@FEW
@given(lat=LAT, lon=LON, h=st.floats(-10_000.0, 1e6))
def test_enu_up_is_ellipsoid_normal(lat: float, lon: float, h: float) -> None:
    _, north, up = frames.enu_basis(lat, lon)
    # d r / d h is the unit normal of the ellipsoid (exactly linear in h).
    dr_dh = (
        frames.geodetic_to_vector(lat, lon, h + 500.0)
        - frames.geodetic_to_vector(lat, lon, h - 500.0)
    ) / 1000.0
    np.testing.assert_allclose(up, dr_dh, atol=1e-9)
    # Gradient of x^2/a^2 + y^2/a^2 + z^2/b^2 at the surface point is along up as well.
    x, y, z = frames.geodetic_to_vector(lat, lon)
    grad = np.array([x / R_EQUATOR**2, y / R_EQUATOR**2, z / R_POLAR**2])
    np.testing.assert_allclose(up, grad / np.linalg.norm(grad), atol=1e-12)
    # Moving north along the meridian is along the north vector.
    dr_dlat = frames.geodetic_to_vector(lat + 1e-5, lon, h) - frames.geodetic_to_vector(
        lat - 1e-5, lon, h
    )
    if abs(lat) < 89.0:
        np.testing.assert_allclose(dr_dlat / np.linalg.norm(dr_dlat), north, atol=1e-8)


def test_enu_basis_broadcasting() -> None:
    assert frames.enu_basis(np.zeros(4), 10.0).shape == (4, 3, 3)
    assert frames.enu_basis(5.0, np.zeros(6)).shape == (6, 3, 3)
    assert frames.enu_basis(np.zeros((2, 1)), np.zeros(3)).shape == (2, 3, 3, 3)


@FEW
@given(lat=LAT, lon=LON, alt0=st.floats(-1000.0, 1e5))
def test_ecef_to_enu_point_above_origin(lat: float, lon: float, alt0: float) -> None:
    above = frames.geodetic_to_vector(lat, lon, alt0 + 1000.0)
    np.testing.assert_allclose(
        frames.ecef_to_enu(above, lat, lon, alt0), [0.0, 0.0, 1000.0], atol=1e-6
    )


def test_ecef_to_enu_offsets_and_shapes() -> None:
    lat0, lon0 = 48.0, 11.0
    e, n, u = frames.enu_basis(lat0, lon0)
    origin = frames.geodetic_to_vector(lat0, lon0, 300.0)
    points = origin + np.array([100.0 * e, -250.0 * n, 40.0 * u, 3.0 * e + 4.0 * n])
    enu = frames.ecef_to_enu(points, lat0, lon0, 300.0)
    assert enu.shape == (4, 3)
    expected = [[100.0, 0.0, 0.0], [0.0, -250.0, 0.0], [0.0, 0.0, 40.0], [3.0, 4.0, 0.0]]
    np.testing.assert_allclose(enu, expected, atol=1e-6)


# --- great circles ----------------------------------------------------------------------------


def test_great_circle_known_distances() -> None:
    rng, az = frames.great_circle(0.0, 0.0, 90.0, 0.0)
    assert float(rng) == pytest.approx(math.pi / 2 * R_MEAN, rel=1e-14)  # quarter meridian
    assert float(az) == pytest.approx(0.0, abs=1e-12)
    rng, az = frames.great_circle(0.0, 10.0, 0.0, 100.0)
    assert float(rng) == pytest.approx(math.pi / 2 * R_MEAN, rel=1e-14)  # quarter of the equator
    assert float(az) == pytest.approx(90.0, abs=1e-12)
    rng, az = frames.great_circle(0.0, 100.0, 0.0, 10.0)
    assert float(az) == pytest.approx(270.0, abs=1e-12)  # westward
    rng, _ = frames.great_circle(30.0, -40.0, -30.0, 140.0)
    assert float(rng) == pytest.approx(math.pi * R_MEAN, rel=1e-12)  # antipodes: half circle
    rng, _ = frames.great_circle(12.0, 34.0, 12.0, 34.0)
    assert float(rng) == 0.0
    rng, az = frames.great_circle(0.0, 0.0, 0.0, 1.0, radius_m=1000.0)
    assert float(rng) == pytest.approx(1000.0 * math.radians(1.0), rel=1e-13)


def test_great_circle_vectorized() -> None:
    lat2 = np.array([10.0, 20.0, 30.0])
    rng, az = frames.great_circle(0.0, 0.0, lat2, 0.0)
    assert rng.shape == az.shape == (3,)
    np.testing.assert_allclose(rng, np.radians(lat2) * R_MEAN, rtol=1e-14)


@FEW
@given(lat1=LAT, lon1=LON, lat2=LAT, lon2=LON)
def test_great_circle_matches_haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    rng, _ = frames.great_circle(lat1, lon1, lat2, lon2)
    # Independent haversine: it loses ~sqrt(eps) rad near antipodes, hence atol 0.2 m.
    assert float(rng) == pytest.approx(
        _haversine_m(lat1, lon1, lat2, lon2, R_MEAN), rel=1e-9, abs=0.2
    )


@FEW
@given(
    lat=st.floats(-89.0, 89.0),
    lon=LON,
    az=st.floats(0.0, 359.999),
    range_m=st.floats(1_000.0, 0.95 * math.pi * R_MEAN),
)
def test_destination_inverts_great_circle(
    lat: float, lon: float, az: float, range_m: float
) -> None:
    lat2, lon2 = frames.destination(lat, lon, az, range_m)
    assert -90.0 <= float(lat2) <= 90.0
    assert -180.0 <= float(lon2) < 180.0
    rng, az_back = frames.great_circle(lat, lon, lat2, lon2)
    # 1 micrometre: both are exact spherical formulas, limited only by rounding (~1e-8 m).
    assert float(rng) == pytest.approx(range_m, abs=1e-6)
    assert _wrap_deg(float(az_back) - az) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("lat", [0.0, 10.0, 45.0, 89.0, -60.0])
def test_destination_precise_over_the_pole(lat: float) -> None:
    # A path due north that ends 1 mm beyond the pole: arcsin-based formulas lose ~sqrt(eps) rad
    # (centimetres) there; the range must still come back to a micrometre.
    range_m = math.radians(90.0 - lat) * R_MEAN + 1e-3
    lat2, lon2 = frames.destination(lat, 20.0, 0.0, range_m)
    assert float(lat2) < 90.0
    assert _wrap_deg(float(lon2) - 200.0) == pytest.approx(0.0, abs=1e-9)  # other side of pole
    rng, _ = frames.great_circle(lat, 20.0, lat2, lon2)
    assert float(rng) == pytest.approx(range_m, abs=1e-6)


# --- spherical Earth model --------------------------------------------------------------------


@FEW
@given(lat=LAT, lon=LON, h=st.floats(-10_000.0, 1e7))
def test_sphere_model_is_spherical_coordinates(lat: float, lon: float, h: float) -> None:
    r = frames.geodetic_to_vector(lat, lon, h, SPHERE)
    phi, lam = math.radians(lat), math.radians(lon)
    rad = R_MEAN + h
    expected = [
        rad * math.cos(phi) * math.cos(lam),
        rad * math.cos(phi) * math.sin(lam),
        rad * math.sin(phi),
    ]
    np.testing.assert_allclose(r, expected, atol=1e-6)
    lat_b, lon_b, h_b = frames.vector_to_geodetic(r, SPHERE)
    assert float(lat_b) == pytest.approx(
        math.degrees(math.asin(r[2] / np.linalg.norm(r))), abs=1e-9
    )
    assert float(lat_b) == pytest.approx(lat, abs=1e-9)
    if abs(lat) < 89.9:
        assert _wrap_deg(float(lon_b) - lon) == pytest.approx(0.0, abs=1e-9)
    assert float(h_b) == pytest.approx(h, abs=1e-6)
    assert float(frames.altitude(r, SPHERE)) == pytest.approx(h, abs=1e-6)


def test_sphere_and_wgs84_differ() -> None:
    # Guard against the two models being accidentally the same surface.
    assert SPHERE.flattening == 0.0
    assert WGS84.flattening > 0.0
    r_sphere = frames.geodetic_to_vector(45.0, 0.0, 0.0, SPHERE)
    np.testing.assert_allclose(np.linalg.norm(r_sphere), R_MEAN, rtol=1e-15)
    _, _, h = frames.vector_to_geodetic(r_sphere, WGS84)
    assert abs(float(h)) > 100.0
