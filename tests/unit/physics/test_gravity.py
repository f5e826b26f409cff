"""Unit tests of glasnost.physics.gravity: point mass plus J2."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glasnost.physics import gravity
from glasnost.physics.constants import J2, MU, R_EQUATOR, R_POLAR, SPHERE, WGS84

POINT_MASS = dataclasses.replace(WGS84, name="wgs84-point-mass", j2=0.0)
FEW = settings(max_examples=50, deadline=None)

RADIUS = st.floats(6.30e6, 4.3e7)
UNIT = st.tuples(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0)).filter(
    lambda v: math.hypot(*v) > 0.1
)


def _position(radius: float, direction: tuple[float, float, float]) -> np.ndarray:
    d = np.array(direction)
    return radius * d / np.linalg.norm(d)


def _minus_gradient(r: np.ndarray, potential: object) -> np.ndarray:
    """-grad U by central differences with steps of 1e-5 |r| (truncation ~1e-11 relative)."""
    assert callable(potential)
    step = 1e-5 * float(np.linalg.norm(r))
    grad = np.empty(3)
    for i in range(3):
        dr = np.zeros(3)
        dr[i] = step
        grad[i] = (potential(r + dr) - potential(r - dr)) / (2.0 * step)
    return -grad


@FEW
@given(radius=RADIUS, direction=UNIT)
def test_acceleration_is_minus_gradient_of_potential(
    radius: float, direction: tuple[float, float, float]
) -> None:
    r = _position(radius, direction)
    a = gravity.acceleration(r)
    numeric = _minus_gradient(r, lambda q: float(gravity.potential_energy(q)))
    # a = -grad U; relative 1e-6 (finite-difference rounding ~1e-9); J2 is 1e-3 of |a|.
    assert float(np.linalg.norm(a - numeric)) <= 1e-6 * float(np.linalg.norm(a))


@FEW
@given(radius=RADIUS, direction=UNIT)
def test_j2_part_is_minus_gradient_of_j2_potential(
    radius: float, direction: tuple[float, float, float]
) -> None:
    # The J2 perturbation alone, so that an error in the J2 term is not hidden under mu/r^2.
    r = _position(radius, direction)
    a_j2 = gravity.acceleration(r) - gravity.acceleration(r, POINT_MASS)
    numeric = _minus_gradient(
        r,
        lambda q: float(gravity.potential_energy(q) - gravity.potential_energy(q, POINT_MASS)),
    )
    # Relative 1e-5 of the J2 perturbation (differencing rounding ~1e-7 of it).
    assert float(np.linalg.norm(a_j2 - numeric)) <= 1e-5 * float(np.linalg.norm(a_j2))


def test_point_mass_magnitude_at_equatorial_radius() -> None:
    r = np.array([R_EQUATOR, 0.0, 0.0])
    a = gravity.acceleration(r, POINT_MASS)
    # mu / a^2 = 3.986004418e14 / 6378137^2 = 9.7983 m/s^2, pointing to the centre.
    assert float(np.linalg.norm(a)) == pytest.approx(9.798, abs=5e-4)
    np.testing.assert_allclose(a, [-MU / R_EQUATOR**2, 0.0, 0.0], rtol=1e-15)
    assert float(gravity.potential_energy(r, POINT_MASS)) == pytest.approx(
        -MU / R_EQUATOR, rel=1e-15
    )


def test_j2_at_equal_radius_equator_vs_pole() -> None:
    # At equal radius the J2 field is stronger over the equator (1 + 3/2 J2) than over the pole
    # (1 - 3 J2): the equatorial bulge lies nearer the equatorial point (Vallado eq. 8-30).
    g_eq = float(np.linalg.norm(gravity.acceleration(np.array([R_EQUATOR, 0.0, 0.0]))))
    g_pole = float(np.linalg.norm(gravity.acceleration(np.array([0.0, 0.0, R_EQUATOR]))))
    g0 = MU / R_EQUATOR**2
    assert g_eq == pytest.approx(g0 * (1.0 + 1.5 * J2), rel=1e-14)
    assert g_pole == pytest.approx(g0 * (1.0 - 3.0 * J2), rel=1e-14)
    assert g_eq > g_pole


def test_surface_gravity_stronger_at_pole() -> None:
    # On the ellipsoid the pole is 21 km nearer the centre, which outweighs J2: attraction there
    # (no centrifugal term) is stronger by (a/b)^2 (1 - 3 J2 (a/b)^2) / (1 + 3/2 J2) ~ 1.0018.
    g_eq = float(np.linalg.norm(gravity.acceleration(np.array([R_EQUATOR, 0.0, 0.0]))))
    g_pole = float(np.linalg.norm(gravity.acceleration(np.array([0.0, 0.0, R_POLAR]))))
    assert g_pole > g_eq
    expected = (R_EQUATOR / R_POLAR) ** 2 * (1.0 - 3.0 * J2 * (R_EQUATOR / R_POLAR) ** 2)
    assert g_pole / g_eq == pytest.approx(expected / (1.0 + 1.5 * J2), rel=1e-13)


@FEW
@given(radius=RADIUS, direction=UNIT)
def test_sphere_model_has_no_j2(radius: float, direction: tuple[float, float, float]) -> None:
    assert SPHERE.j2 == 0.0
    r = _position(radius, direction)
    a = gravity.acceleration(r, SPHERE)
    np.testing.assert_allclose(a, -SPHERE.mu * r / radius**3, rtol=1e-13)
    assert float(gravity.potential_energy(r, SPHERE)) == pytest.approx(
        -SPHERE.mu / radius, rel=1e-13
    )
    # WGS84 differs from it by a J2-sized amount (~1e-3 relative) at low altitude.
    if radius < 7.0e6:
        diff = np.linalg.norm(gravity.acceleration(r) - a) / np.linalg.norm(a)
        assert 1e-4 < float(diff) < 5e-3


@FEW
@given(radius=RADIUS, direction=UNIT, angle=st.floats(-math.pi, math.pi))
def test_axisymmetric_and_equatorially_symmetric(
    radius: float, direction: tuple[float, float, float], angle: float
) -> None:
    r = _position(radius, direction)
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(
        gravity.acceleration(rot @ r), rot @ gravity.acceleration(r), atol=1e-12
    )
    mirror = np.array([1.0, 1.0, -1.0])
    np.testing.assert_allclose(
        gravity.acceleration(r * mirror), gravity.acceleration(r) * mirror, atol=1e-12
    )


def test_no_vertical_force_in_equatorial_plane() -> None:
    a = gravity.acceleration(np.array([4.0e6, 5.0e6, 0.0]))
    assert a[2] == 0.0


def test_j2_perturbation_falls_as_inverse_fourth_power() -> None:
    # |a_J2| ~ mu J2 R^2 / r^4: doubling r divides it by 16 (same direction).
    d = np.array([0.3, -0.5, 0.8]) / np.linalg.norm([0.3, -0.5, 0.8])
    pert = [
        gravity.acceleration(k * d) - gravity.acceleration(k * d, POINT_MASS) for k in (7e6, 14e6)
    ]
    np.testing.assert_allclose(pert[1] * 16.0, pert[0], rtol=1e-6)


def test_vectorized_shapes() -> None:
    r = np.random.default_rng(3).normal(size=(4, 5, 3)) * 7e6
    a = gravity.acceleration(r)
    u = gravity.potential_energy(r)
    assert a.shape == (4, 5, 3)
    assert u.shape == (4, 5)
    np.testing.assert_allclose(a[2, 3], gravity.acceleration(r[2, 3]), rtol=1e-15)
    assert float(u[1, 4]) == pytest.approx(float(gravity.potential_energy(r[1, 4])), rel=1e-15)
