"""Unit tests of glasnost.physics.ballistics: shapes, edge cases, errors and inversions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glasnost.physics import ballistics as b
from glasnost.physics.constants import MU, OMEGA_EARTH, R_MEAN


def _psi_max(speed_ms: np.ndarray, radius_m: float = R_MEAN) -> np.ndarray:
    """Closed-form maximum range angle, sin(Psi_max/2) = Q/(2 - Q) (BMW eq. 6.2-17)."""
    q = speed_ms**2 * radius_m / MU
    return 2.0 * np.arcsin(q / (2.0 - q))


# --------------------------------------------------------------------------- shapes


def test_minimum_energy_scalar_and_batch_agree() -> None:
    ranges = np.array([1.0e6, 5.0e6, 1.0e7])
    batch = b.minimum_energy(ranges)
    for field in batch:
        assert field.shape == (3,)
    for i, d in enumerate(ranges):
        one = b.minimum_energy(float(d))
        for f_one, f_batch in zip(one, batch, strict=True):
            assert f_one.shape == ()
            assert float(f_one) == pytest.approx(f_batch[i], rel=1e-15)


def test_minimum_energy_broadcasts_altitude() -> None:
    out = b.minimum_energy(np.array([1.0e6, 2.0e6]), np.array([[0.0], [1.0e5], [2.0e5]]))
    assert out.speed_ms.shape == (3, 2)
    # A higher burnout needs less speed for the same free-flight range angle.
    assert np.all(np.diff(out.speed_ms, axis=0) < 0.0)


def test_max_range_scalar_batch_and_empty() -> None:
    speeds = np.array([3000.0, 5000.0, 6500.0])
    batch = b.max_range_m(40.0, 10.0, 45.0, speeds)
    assert batch.shape == (3,)
    for i, v in enumerate(speeds):
        one = b.max_range_m(40.0, 10.0, 45.0, float(v))
        assert one.shape == ()
        assert float(one) == pytest.approx(batch[i], rel=1e-12)
    grid = b.max_range(np.array([0.0, 30.0])[:, None], 0.0, np.array([0.0, 90.0]), 6000.0)
    assert grid.range_m.shape == (2, 2)
    assert grid.flight_path_angle_deg.shape == (2, 2)
    assert b.max_range_m(np.zeros(0), 0.0, 0.0, 5000.0).shape == (0,)


def test_closed_form_helpers_broadcast() -> None:
    gamma = np.array([10.0, 30.0, 60.0])
    r = R_MEAN + np.array([[0.0], [3.0e5]])
    assert b.free_flight_range_angle(6000.0, gamma, r).shape == (2, 3)
    assert b.free_flight_time_s(6000.0, gamma, r).shape == (2, 3)
    angles = b.flight_path_angles_for_range(np.array([0.1, 0.5]), 6000.0, R_MEAN)
    assert angles.depressed_deg.shape == angles.lofted_deg.shape == (2,)


# --------------------------------------------------------------------------- NaN cases


def test_not_suborbital_gives_nan() -> None:
    v_circ = 1.0000001 * np.sqrt(MU / R_MEAN)  # just above circular: Q > 1
    assert np.isnan(b.free_flight_range_angle(v_circ, 30.0, R_MEAN))
    assert np.isnan(b.free_flight_time_s(1.2 * v_circ, 30.0, R_MEAN))
    assert np.all(np.isnan(b.flight_path_angles_for_range(0.5, v_circ, R_MEAN)))
    # Eastward at the equator the 465 m/s of the ground makes 7.6 km/s orbital (Q > 1).
    assert np.isnan(b.max_range_m(0.0, 0.0, 90.0, 7600.0))
    assert np.isfinite(b.max_range_m(0.0, 0.0, 90.0, 7600.0, rotating=False))
    # From 1000 km, a horizontal shot at 7.2 km/s stays in orbit: no maximum is attained.
    assert np.isnan(b.max_range_m(0.0, 0.0, 0.0, 7200.0, 1.0e6, rotating=False))


def test_range_beyond_maximum_gives_nan() -> None:
    v = 5000.0
    psi_max = float(_psi_max(np.array(v)))
    assert np.all(np.isnan(b.flight_path_angles_for_range(1.01 * psi_max, v, R_MEAN)))
    ok = b.flight_path_angles_for_range(0.99 * psi_max, v, R_MEAN)
    assert np.all(np.isfinite(ok))
    assert np.isnan(b.minimum_energy(np.pi * R_MEAN).speed_ms)
    assert np.all(np.isnan(b.minimum_energy(2.5e7)))
    assert np.all(np.isnan(b.flight_path_angles_for_range(4.0, 1000.0, R_MEAN)))


def test_flight_path_angle_outside_range_gives_nan() -> None:
    assert np.isnan(b.free_flight_range_angle(5000.0, -1.0, R_MEAN))
    assert np.isnan(b.free_flight_time_s(5000.0, 91.0, R_MEAN))
    assert np.isnan(b.ballistic_impact(0.0, 0.0, 0.0, 5000.0, -5.0).range_m)


def test_degenerate_but_defined_cases() -> None:
    assert float(b.free_flight_range_angle(5000.0, 0.0, R_MEAN)) == 0.0
    assert float(b.free_flight_range_angle(5000.0, 90.0, R_MEAN)) == pytest.approx(0.0, abs=1e-15)
    assert float(b.free_flight_time_s(5000.0, 0.0, R_MEAN)) == pytest.approx(0.0, abs=1e-9)
    # Vertical shot: twice the radial time to the apex, finite for e = 1.
    assert np.isfinite(b.free_flight_time_s(3000.0, 90.0, R_MEAN))
    depressed, lofted = b.flight_path_angles_for_range(0.0, 4000.0, R_MEAN)
    assert (float(depressed), float(lofted)) == pytest.approx((0.0, 90.0))
    zero = b.minimum_energy(0.0)
    assert float(zero.speed_ms) == 0.0
    assert float(zero.flight_time_s) == pytest.approx(0.0, abs=1e-9)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call",
    [
        lambda: b.minimum_energy(np.nan),
        lambda: b.minimum_energy(-1.0),
        lambda: b.minimum_energy(1.0e6, -5.0),
        lambda: b.minimum_energy(1.0e6, np.inf),
        lambda: b.free_flight_range_angle(-1.0, 30.0, R_MEAN),
        lambda: b.free_flight_range_angle(5000.0, np.nan, R_MEAN),
        lambda: b.free_flight_range_angle(5000.0, 30.0, 0.0),
        lambda: b.free_flight_time_s(np.array([5000.0, -1.0]), 30.0, R_MEAN),
        lambda: b.flight_path_angles_for_range(-0.1, 5000.0, R_MEAN),
        lambda: b.flight_path_angles_for_range(0.1, 5000.0, np.inf),
        lambda: b.max_range_m(0.0, 0.0, 90.0, -1.0),
        lambda: b.max_range_m(np.nan, 0.0, 90.0, 5000.0),
        lambda: b.max_range_m(0.0, 0.0, np.inf, 5000.0),
        lambda: b.max_range_m(91.0, 0.0, 0.0, 5000.0),
        lambda: b.max_range_m(0.0, 0.0, 0.0, 5000.0, -1.0),
    ],
)
def test_invalid_inputs_raise(call: object) -> None:
    with pytest.raises(ValueError, match="must"):
        call()  # type: ignore[operator]


# --------------------------------------------------------------------------- physics


def test_non_rotating_max_range_is_the_closed_form() -> None:
    speeds = np.array([1000.0, 3000.0, 5000.0, 6500.0, 7500.0])
    lat = np.array([0.0, 35.0, -60.0, 80.0, 10.0])
    az = np.array([0.0, 90.0, 200.0, 310.0, 45.0])
    out = b.max_range(lat, 20.0, az, speeds, rotating=False)
    psi = _psi_max(speeds)
    np.testing.assert_allclose(out.range_m, R_MEAN * psi, rtol=0.0, atol=1e-6)
    np.testing.assert_allclose(out.flight_path_angle_deg, 45.0 - np.degrees(psi) / 4.0, atol=1e-4)
    t = b.free_flight_time_s(speeds, out.flight_path_angle_deg, R_MEAN)
    np.testing.assert_allclose(out.flight_time_s, t, rtol=1e-9)


def test_burnout_altitude_adds_the_descent() -> None:
    v, h = 6000.0, 3.0e5
    closed = R_MEAN * _psi_max(np.array(v), R_MEAN + h)
    assert float(b.max_range_m(0.0, 0.0, 0.0, v, h, rotating=False)) > float(closed)


def test_eastward_beats_westward_at_the_equator() -> None:
    # Validation README section 4: eastward launches gain range, westward lose it.
    speeds = np.array([3000.0, 5000.0, 7000.0])
    east = b.max_range_m(0.0, 0.0, 90.0, speeds)
    west = b.max_range_m(0.0, 0.0, 270.0, speeds)
    still = b.max_range_m(0.0, 0.0, 90.0, speeds, rotating=False)
    assert np.all(east > still)
    assert np.all(still > west)


def test_rotation_does_not_change_the_range_from_the_pole() -> None:
    # At the pole omega x r = 0 and the Earth's turn is about the launch point itself.
    az = np.array([0.0, 90.0, 180.0])
    rot = b.max_range_m(90.0, 0.0, az, 6000.0)
    still = b.max_range_m(90.0, 0.0, az, 6000.0, rotating=False)
    np.testing.assert_allclose(rot, still, rtol=0.0, atol=1e-5)


def test_impact_point_on_a_meridian_without_rotation() -> None:
    out = b.ballistic_impact(0.0, 30.0, 0.0, 5000.0, 40.0, rotating=False)
    psi = b.free_flight_range_angle(5000.0, 40.0, R_MEAN)
    assert float(out.impact_lat_deg) == pytest.approx(np.degrees(psi), abs=1e-9)
    assert float(out.impact_lon_deg) == pytest.approx(30.0, abs=1e-9)
    assert float(out.range_m) == pytest.approx(R_MEAN * psi, abs=1e-6)
    rot = b.ballistic_impact(0.0, 30.0, 0.0, 5000.0, 40.0)
    # The eastward velocity of the site carries the warhead east, the Earth turns under it.
    assert float(rot.impact_lon_deg) != pytest.approx(30.0, abs=1e-3)
    assert OMEGA_EARTH * float(rot.flight_time_s) > 0.0


@settings(max_examples=60, deadline=None)
@given(
    q=st.floats(min_value=0.05, max_value=0.97),
    gamma_deg=st.floats(min_value=0.5, max_value=89.5),
    altitude_m=st.floats(min_value=0.0, max_value=2.0e6),
)
def test_flight_path_angles_invert_the_range(q: float, gamma_deg: float, altitude_m: float) -> None:
    r = R_MEAN + altitude_m
    v = np.sqrt(q * MU / r)
    psi = b.free_flight_range_angle(v, gamma_deg, r)
    depressed, lofted = b.flight_path_angles_for_range(psi, v, r)
    gamma_star = 45.0 - np.degrees(float(_psi_max(np.array(v), r))) / 4.0
    # Near the maximum range the two roots merge and the inversion loses half the digits.
    tol = 1e-7 + 1e-6 * np.sqrt(abs(gamma_deg - gamma_star))
    root = float(depressed) if gamma_deg <= gamma_star else float(lofted)
    assert root == pytest.approx(gamma_deg, abs=max(tol, 2e-6))
    for g in (depressed, lofted):
        assert float(b.free_flight_range_angle(v, g, r)) == pytest.approx(float(psi), abs=1e-9)
