"""Unit tests of glasnost.physics.atmosphere: shapes, continuity at 86 km, monotonicity.

Comparisons with ambiance and the published US76 tables are in
tests/validation/test_atmosphere_validation.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glasnost.physics import atmosphere

TOP = 86_000.0  # m, top of the 1976 standard's layered model


def test_scalar_and_array_shapes() -> None:
    rho, sound = atmosphere.properties(1000.0)
    assert np.shape(rho) == np.shape(sound) == ()
    rho, sound = atmosphere.properties([0.0, 5e4, 2e5])
    assert rho.shape == sound.shape == (3,)
    grid = np.linspace(-5e3, 3e5, 12).reshape(3, 4)
    rho, sound = atmosphere.properties(grid)
    assert rho.shape == sound.shape == (3, 4)
    np.testing.assert_array_equal(atmosphere.density(grid), rho)
    np.testing.assert_array_equal(atmosphere.speed_of_sound(grid), sound)
    assert atmosphere.properties(np.empty((0,)))[0].shape == (0,)


@settings(max_examples=50, deadline=None)
@given(alts=st.lists(st.floats(-2e4, 1.5e6), min_size=1, max_size=20))
def test_vectorized_equals_elementwise(alts: list[float]) -> None:
    rho, sound = atmosphere.properties(np.array(alts))
    for i, z in enumerate(alts):
        r1, s1 = atmosphere.properties(z)
        assert float(rho[i]) == pytest.approx(float(r1), rel=1e-14, abs=0.0)
        assert float(sound[i]) == pytest.approx(float(s1), rel=1e-14)


def test_continuity_at_86_km() -> None:
    eps = 1e-3  # m either side of the junction
    rho, sound = atmosphere.properties(np.array([TOP - eps, TOP + eps]))
    rho_below, rho_above = rho
    sound_below, sound_above = sound
    # Value: the continuation starts at the layered model's 86 km density (brief: within 1 %;
    # it is continuous to rounding, checked at 1e-6).
    assert rho_above / rho_below == pytest.approx(1.0, abs=1e-6)
    # Sound speed: the -2 K/km layer below meets the held value (1 mm of lapse = 5e-9).
    assert sound_above == pytest.approx(sound_below, rel=1e-7)
    # Log-slope from each side over 10 m. Below, the US76 -2 K/km layer gives
    # d ln(rho)/dH = -(g0 + L R)/(R T); above, the isothermal continuation gives -g0/(R T) (as
    # US76 itself from 86 to 91 km), so the slopes differ by the standard's own kink
    # g0/(g0 + L R) = 1.062, not by 0. Checked within 1 % of that ratio.
    dz = 10.0
    r = atmosphere.density(np.array([TOP - dz, TOP, TOP + dz]))
    slope_below = (np.log(r[1]) - np.log(r[0])) / dz
    slope_above = (np.log(r[2]) - np.log(r[1])) / dz
    assert slope_below < 0.0
    kink = atmosphere.G0 / (atmosphere.G0 - 0.002 * atmosphere.R_AIR)
    assert slope_above / slope_below == pytest.approx(kink, rel=1e-2)
    # Scale height at 86 km is about 5.6 km (isothermal 186.9 K, g reduced by altitude).
    assert -1.0 / slope_above == pytest.approx(5.6e3, rel=0.02)


def test_density_strictly_decreasing_from_minus_5_to_1000_km() -> None:
    z = np.linspace(-5_000.0, 1_000_000.0, 20_101)  # 50 m steps
    rho = atmosphere.density(z)
    assert np.all(rho > 0.0)
    assert np.all(np.diff(rho) < 0.0)


def test_speed_of_sound_above_86_km_is_held() -> None:
    z = np.array([TOP, 1e5, 3e5, 1e6])
    sound = atmosphere.speed_of_sound(z)
    np.testing.assert_array_equal(sound, sound[0])
    assert float(sound[0]) == pytest.approx(274.10, abs=0.01)  # US76 value at 86 km


def test_below_minus_5_km_clamped() -> None:
    rho, sound = atmosphere.properties(np.array([-5_000.0, -6_000.0, -50_000.0]))
    np.testing.assert_array_equal(rho, rho[0])
    np.testing.assert_array_equal(sound, sound[0])
    assert float(rho[0]) > float(atmosphere.density(0.0))


def test_sea_level_and_tropopause_temperatures() -> None:
    # Speed of sound sqrt(gamma R T): 288.15 K at sea level, isothermal 216.65 K from 11 to 20 km
    # (geopotential), i.e. constant between Z = 11.02 and 20.06 km geometric.
    sound = atmosphere.speed_of_sound(np.array([0.0, 11_100.0, 15_000.0, 20_000.0]))
    assert float(sound[0]) == pytest.approx(np.sqrt(1.4 * atmosphere.R_AIR * 288.15), rel=1e-12)
    np.testing.assert_allclose(sound[1:], np.sqrt(1.4 * atmosphere.R_AIR * 216.65), rtol=1e-12)
