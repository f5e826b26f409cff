"""Unit tests of glasnost.physics.kepler: universal-variable propagation and Izzo's Lambert.

Comparisons with numerical integration and published worked examples live in
tests/validation/test_kepler_validation.py, where they are recorded for the validation report.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from glasnost.physics import kepler
from glasnost.physics.constants import MU, R_EQUATOR
from glasnost.physics.kepler import lambert, propagate

FEW = settings(max_examples=50, deadline=None)

R_LEO = R_EQUATOR + 500e3
V_CIRC = math.sqrt(MU / R_LEO)

# An ICBM-like burnout state: 200 km altitude, 7 km/s, 25 degrees above the horizon.
R_BO = np.array([R_EQUATOR + 200e3, 0.0, 0.0])
V_BO = 7000.0 * np.array([math.sin(math.radians(25.0)), math.cos(math.radians(25.0)), 0.0])


def _unit(lat_deg: float, lon_deg: float) -> np.ndarray:
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


def _energy(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    energy: np.ndarray = 0.5 * np.sum(v * v, axis=-1) - MU / np.linalg.norm(r, axis=-1)
    return energy


def _batch(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """N states with radii 6.6e6 to 4e7 m and speeds 0.2 to 1.8 times the local escape speed."""
    rng = np.random.default_rng(seed)
    r = rng.normal(size=(n, 3))
    r *= (rng.uniform(6.6e6, 4e7, n) / np.linalg.norm(r, axis=1))[:, None]
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    v_esc = np.sqrt(2.0 * MU / np.linalg.norm(r, axis=1))
    return r, d * (v_esc * rng.uniform(0.2, 1.8, n))[:, None]


# --- propagate: shapes ------------------------------------------------------------------------


def test_single_state_returns_vectors() -> None:
    r, v = propagate(R_BO, V_BO, 600.0)
    assert r.shape == (3,)
    assert v.shape == (3,)
    assert r.dtype == np.float64


def test_batched_with_scalar_and_per_row_dt() -> None:
    r0, v0 = _batch(5)
    r, v = propagate(r0, v0, 300.0)
    assert r.shape == v.shape == (5, 3)
    dt = np.linspace(-1000.0, 1000.0, 5)
    r_rows, _ = propagate(r0, v0, dt)
    for i in range(5):
        r_i, _ = propagate(r0[i], v0[i], dt[i])
        np.testing.assert_allclose(r_rows[i], r_i, rtol=1e-14)


def test_single_state_broadcasts_over_dt() -> None:
    r, _ = propagate(R_BO, V_BO, np.array([0.0, 100.0, 200.0]))
    assert r.shape == (3, 3)
    np.testing.assert_array_equal(r[0], R_BO)


def test_dt_zero_returns_the_input() -> None:
    r0, v0 = _batch(4)
    r, v = propagate(r0, v0, 0.0)
    np.testing.assert_array_equal(r, r0)
    np.testing.assert_array_equal(v, v0)


# --- propagate: physics -----------------------------------------------------------------------


def test_forward_then_backward_returns_the_start() -> None:
    r0, v0 = _batch(200, seed=1)
    dt = np.random.default_rng(2).uniform(-3e4, 3e4, 200)
    r1, v1 = propagate(r0, v0, dt)
    r2, v2 = propagate(r1, v1, -dt)
    scale = np.maximum(np.linalg.norm(r0, axis=1), np.linalg.norm(r1, axis=1))
    assert np.all(np.linalg.norm(r2 - r0, axis=1) / scale < 1e-11)
    assert np.all(np.linalg.norm(v2 - v0, axis=1) / np.linalg.norm(v0, axis=1) < 1e-9)


def test_energy_and_angular_momentum_are_conserved() -> None:
    r0, v0 = _batch(200, seed=3)
    r, v = propagate(r0, v0, np.random.default_rng(4).uniform(-2e4, 2e4, 200))
    e0, e1 = _energy(r0, v0), _energy(r, v)
    assert np.all(np.abs(e1 - e0) / (MU / np.linalg.norm(r0, axis=1)) < 1e-10)
    h0, h1 = np.cross(r0, v0), np.cross(r, v)
    assert np.all(np.linalg.norm(h1 - h0, axis=1) / np.linalg.norm(h0, axis=1) < 1e-10)


@pytest.mark.parametrize("quarters", [1, 2, 3, 5, -1])
def test_circular_orbit_quarter_periods(quarters: int) -> None:
    # Analytic: a circular orbit turns by 90 degrees per quarter period.
    period = 2.0 * math.pi * math.sqrt(R_LEO**3 / MU)
    r, v = propagate([R_LEO, 0.0, 0.0], [0.0, V_CIRC, 0.0], quarters * period / 4.0)
    angle = quarters * math.pi / 2.0
    np.testing.assert_allclose(
        r, R_LEO * np.array([math.cos(angle), math.sin(angle), 0.0]), atol=1e-5
    )
    expected_v = V_CIRC * np.array([-math.sin(angle), math.cos(angle), 0.0])
    np.testing.assert_allclose(v, expected_v, atol=1e-8)


def test_radius_accuracy_on_a_circular_orbit() -> None:
    # |r| stays R to machine level (relative 1e-12) over many arbitrary times, inclined plane.
    r0 = R_LEO * _unit(0.0, 30.0)
    v0 = V_CIRC * np.cross(_unit(50.0, 120.0), _unit(0.0, 30.0))
    v0 *= V_CIRC / np.linalg.norm(v0)
    r, _ = propagate(r0, v0, np.linspace(-5e4, 5e4, 101))
    assert np.max(np.abs(np.linalg.norm(r, axis=1) / R_LEO - 1.0)) < 1e-12


def test_near_parabolic_states_are_continuous() -> None:
    # Through e = 1 the result changes smoothly (Stumpff series near z = 0, no branch jump).
    v_esc = math.sqrt(2.0 * MU / R_LEO)
    factors = 1.0 + np.array([-1e-6, -1e-12, 0.0, 1e-12, 1e-6])
    r, _ = propagate([R_LEO, 0.0, 0.0], np.outer(factors, [0.0, v_esc, 0.0]), 3000.0)
    assert np.all(np.isfinite(r))
    d_plus, d_minus = r[4] - r[2], r[0] - r[2]  # about 50 m for 1e-6 of the speed
    assert np.linalg.norm(d_plus + d_minus) < 1e-3 * np.linalg.norm(d_plus)  # smooth, no kink
    assert np.linalg.norm(r[3] - r[2] - 1e-6 * d_plus) < 1e-4  # linear down to 1e-12
    assert np.linalg.norm(r[1] - r[2] - 1e-6 * d_minus) < 1e-4


def test_stumpff_series_matches_closed_forms() -> None:
    z = np.array([-1.0 - 1e-9, -1.0 + 1e-9, 1.0 - 1e-9, 1.0 + 1e-9, 0.0])
    c, s = kepler._stumpff(z)
    np.testing.assert_allclose(c[0], c[1], rtol=1e-8)
    np.testing.assert_allclose(s[2], s[3], rtol=1e-8)
    np.testing.assert_allclose(c[2], (1.0 - math.cos(1.0)), rtol=1e-8)
    np.testing.assert_allclose(s[2], 1.0 - math.sin(1.0), rtol=1e-8)
    np.testing.assert_allclose(c[0], math.cosh(1.0) - 1.0, rtol=1e-8)
    np.testing.assert_allclose(s[0], math.sinh(1.0) - 1.0, rtol=1e-8)
    assert c[4] == 0.5
    assert s[4] == 1.0 / 6.0


def test_long_elliptic_span_is_reduced_modulo_the_period() -> None:
    period = 2.0 * math.pi * math.sqrt(R_LEO**3 / MU)
    r_far, _ = propagate([R_LEO, 0.0, 0.0], [0.0, V_CIRC, 0.0], 1000 * period + 100.0)
    r_near, _ = propagate([R_LEO, 0.0, 0.0], [0.0, V_CIRC, 0.0], 100.0)
    # Time is known to eps * 1000 T ~ 1e-9 s, i.e. micrometres along the orbit.
    np.testing.assert_allclose(r_far, r_near, atol=1e-4)


@pytest.mark.parametrize(
    ("r0", "v0", "dt", "match"),
    [
        ([0.0, 0.0, 0.0], [1.0, 0.0, 0.0], 1.0, "nonzero norm"),
        ([np.nan, 0.0, 1.0], [1.0, 0.0, 0.0], 1.0, "finite"),
        ([1e7, 0.0, 0.0], [np.inf, 0.0, 0.0], 1.0, "finite"),
        ([1e7, 0.0, 0.0], [0.0, 7e3, 0.0], math.nan, "finite"),
        ([1e7, 0.0], [0.0, 7e3, 0.0], 1.0, "shape"),
        ([1e7, 0.0, 0.0], [0.0, 7e3, 0.0], [[1.0]], "shape"),
        (np.ones((3, 3)), np.ones((2, 3)), 1.0, "incompatible"),
    ],
)
def test_propagate_rejects_invalid_input(r0: object, v0: object, dt: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        propagate(r0, v0, dt)  # type: ignore[arg-type]


def test_propagate_rejects_nonpositive_mu() -> None:
    with pytest.raises(ValueError, match="mu"):
        propagate(R_BO, V_BO, 1.0, mu=0.0)


# --- lambert ----------------------------------------------------------------------------------


def test_lambert_shapes() -> None:
    r2, _ = propagate(R_BO, V_BO, 1500.0)
    v1, v2 = lambert(R_BO, r2, 1500.0)
    assert v1.shape == v2.shape == (3,)
    v1b, v2b = lambert(np.tile(R_BO, (4, 1)), np.tile(r2, (4, 1)), np.full(4, 1500.0))
    assert v1b.shape == v2b.shape == (4, 3)
    np.testing.assert_allclose(v1b, np.tile(v1, (4, 1)), rtol=1e-14)
    v1c, _ = lambert(R_BO, np.tile(r2, (2, 1)), 1500.0, prograde=np.array([True, False]))
    assert v1c.shape == (2, 3)


def test_lambert_recovers_the_burnout_velocity() -> None:
    r2, v2_true = propagate(R_BO, V_BO, 1500.0)
    v1, v2 = lambert(R_BO, r2, 1500.0)
    np.testing.assert_allclose(v1, V_BO, rtol=1e-11)
    np.testing.assert_allclose(v2, v2_true, rtol=1e-11)


def test_prograde_flag_selects_the_sign_of_hz() -> None:
    r1 = R_LEO * _unit(10.0, 0.0)
    r2 = (R_LEO + 1e6) * _unit(-20.0, 100.0)
    for prograde in (True, False):
        v1, _ = lambert(r1, r2, 3000.0, prograde=prograde)
        h_z = np.cross(r1, v1)[2]
        assert (h_z > 0.0) == prograde
        r_arr, _ = propagate(r1, v1, 3000.0)
        assert np.linalg.norm(r_arr - r2) < 1e-4


def test_exactly_180_degrees_uses_the_plane_closest_to_the_equator() -> None:
    # Documented fallback: normal closest to +z (prograde) or -z (retrograde).
    r1 = np.array([R_LEO, 0.0, 0.0])
    r2 = np.array([-R_LEO - 2e6, 0.0, 0.0])
    for prograde, sign in ((True, 1.0), (False, -1.0)):
        v1, _ = lambert(r1, r2, 4000.0, prograde=prograde)
        h = np.cross(r1, v1)
        np.testing.assert_allclose(h / np.linalg.norm(h), [0.0, 0.0, sign], atol=1e-14)
        r_arr, _ = propagate(r1, v1, 4000.0)
        assert np.linalg.norm(r_arr - r2) < 1e-4


@pytest.mark.parametrize(
    ("r1", "r2", "tof", "match"),
    [
        ([7e6, 0.0, 0.0], [0.0, 7e6, 0.0], 0.0, "positive"),
        ([7e6, 0.0, 0.0], [0.0, 7e6, 0.0], -10.0, "positive"),
        ([7e6, 0.0, 0.0], [0.0, 7e6, 0.0], math.inf, "finite"),
        ([0.0, 0.0, 0.0], [0.0, 7e6, 0.0], 100.0, "nonzero"),
        ([7e6, 0.0, 0.0], [0.0, 0.0, 0.0], 100.0, "nonzero"),
        ([7e6, 0.0, np.nan], [0.0, 7e6, 0.0], 100.0, "finite"),
        ([7e6, 0.0, 0.0], [7e6, 0.0, 0.0], 100.0, "coincide"),
        ([7e6, 0.0, 0.0], [0.0, 7e6], 100.0, "shape"),
    ],
)
def test_lambert_rejects_invalid_input(r1: object, r2: object, tof: float, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        lambert(r1, r2, tof)  # type: ignore[arg-type]


def test_lambert_reports_an_absurd_tof_instead_of_returning_nan() -> None:
    with pytest.raises(ValueError, match="no finite solution"):
        lambert([7e6, 0.0, 0.0], [0.0, 7e6, 0.0], 1e-300)


def test_lambert_rejects_a_nonpositive_tof_in_a_batch() -> None:
    with pytest.raises(ValueError, match="positive"):
        lambert(np.tile(R_BO, (3, 1)), np.tile(-R_BO, (3, 1)), np.array([10.0, 0.0, 10.0]))


# --- properties -------------------------------------------------------------------------------

LAT = st.floats(-89.0, 89.0)
LON = st.floats(-180.0, 180.0)


@FEW
@given(
    radius=st.floats(6.5e6, 4e7),
    lat=LAT,
    lon=LON,
    vlat=LAT,
    vlon=LON,
    speed=st.floats(0.1, 1.8),
    dt=st.floats(-2e4, 2e4),
)
def test_property_round_trip(
    radius: float, lat: float, lon: float, vlat: float, vlon: float, speed: float, dt: float
) -> None:
    r0 = radius * _unit(lat, lon)
    v0 = speed * math.sqrt(2.0 * MU / radius) * _unit(vlat, vlon)
    assume(np.linalg.norm(np.cross(r0, v0)) > 1e-3 * radius * np.linalg.norm(v0))  # not radial
    r1, v1 = propagate(r0, v0, dt)
    r2, _ = propagate(r1, v1, -dt)
    scale = max(radius, float(np.linalg.norm(r1)))
    assert np.linalg.norm(r2 - r0) <= 1e-10 * scale
    assert abs(_energy(r1, v1) - _energy(r0, v0)) <= 1e-10 * MU / radius


@FEW
@given(
    radius=st.floats(6.4e6, 2e7),
    lat=LAT,
    lon=LON,
    vlat=LAT,
    vlon=LON,
    speed=st.floats(0.3, 1.6),
    fraction=st.floats(0.01, 0.95),
)
def test_property_lambert_recovers_v1(
    radius: float, lat: float, lon: float, vlat: float, vlon: float, speed: float, fraction: float
) -> None:
    r1 = radius * _unit(lat, lon)
    v1 = speed * math.sqrt(2.0 * MU / radius) * _unit(vlat, vlon)
    h = np.cross(r1, v1)
    assume(abs(h[2]) > 1e-3 * np.linalg.norm(h))  # prograde / retrograde well defined
    alpha = 2.0 / radius - float(v1 @ v1) / MU
    period = 2.0 * math.pi / math.sqrt(MU * alpha**3) if alpha > 0.0 else math.inf
    tof = fraction * min(period, 2e4)  # zero revolutions: less than one period
    r2, v2 = propagate(r1, v1, tof)
    sin_angle = np.linalg.norm(np.cross(r1, r2)) / (radius * np.linalg.norm(r2))
    assume(sin_angle > 1e-3)  # keep away from the undefined plane at 0 / 180 / 360 degrees
    v1_l, v2_l = lambert(r1, r2, tof, prograde=bool(h[2] > 0.0))
    np.testing.assert_allclose(v1_l, v1, rtol=1e-8, atol=1e-8 * float(np.linalg.norm(v1)))
    np.testing.assert_allclose(v2_l, v2, rtol=1e-8, atol=1e-8 * float(np.linalg.norm(v2)))
