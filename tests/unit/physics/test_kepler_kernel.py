"""The compiled Kepler solve (``physics/kepler_kernel.py``, what ``kepler.propagate`` runs)
against its NumPy reference (``kepler._propagate_batch``): the same iteration row by row, so
the states agree to the solver's own tolerance. Tolerance: 1e-9 relative to max(|x|, 1 m or
1 m/s); the chi iteration stops at a relative step of 1e-12, and a last-bit difference in a
sine or a sum can move the stopping step by that much (measured: at most 2e-10)."""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.physics import kepler, kepler_kernel
from glasnost.physics.constants import MU

pytestmark = pytest.mark.unit


def states(n: int, speed_factor: tuple[float, float], seed: int) -> tuple[np.ndarray, ...]:
    """Random states: radius 6,400-40,000 km, speed a factor of the local escape speed."""
    rng = np.random.default_rng(seed)
    r = rng.normal(size=(n, 3))
    r *= (rng.uniform(6.4e6, 4e7, n) / np.linalg.norm(r, axis=1))[:, None]
    v = rng.normal(size=(n, 3))
    escape = np.sqrt(2.0 * MU / np.linalg.norm(r, axis=1))
    v *= (escape * rng.uniform(*speed_factor, n) / np.linalg.norm(v, axis=1))[:, None]
    return r, v, rng.uniform(-2e5, 2e5, n)


def positions(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random positions (n, 3): directions uniform on the sphere, radius 6,400-20,000 km."""
    r = rng.normal(size=(n, 3))
    r *= (rng.uniform(6.4e6, 2e7, n) / np.linalg.norm(r, axis=1))[:, None]
    return r


@pytest.mark.parametrize(
    ("label", "speed_factor"),
    [("ellipses", (0.05, 0.95)), ("near-parabolic", (0.999, 1.001)), ("hyperbolas", (1.05, 2.0))],
)
def test_compiled_kepler_matches_the_numpy_reference(
    label: str, speed_factor: tuple[float, float]
) -> None:
    r0, v0, dt = states(3000, speed_factor, seed=len(label))
    dt[:10] = 0.0  # no motion at all
    reference = kepler._propagate_batch(r0, v0, dt.copy(), MU)
    compiled = kepler_kernel.propagate_rows(r0, v0, dt.copy(), MU)
    for got, want in zip(compiled, reference, strict=True):
        assert np.array_equal(np.isnan(got), np.isnan(want))
        scale = np.maximum(np.abs(want), 1.0)
        assert np.nanmax(np.abs(got - want) / scale) < 1e-9
    assert np.array_equal(compiled[0][:10], r0[:10])


def test_propagate_runs_the_compiled_solve() -> None:
    r0, v0, dt = states(50, (0.3, 0.9), seed=1)
    r, v = kepler.propagate(r0, v0, dt)
    want = kepler_kernel.propagate_rows(r0, v0, dt.copy(), MU)
    assert np.array_equal(r, want[0])
    assert np.array_equal(v, want[1])


def test_compiled_lambert_matches_the_numpy_reference() -> None:
    """Izzo's solve row by row (kepler_kernel.lambert_rows, what kepler.lambert runs) against
    the batched NumPy solve (kepler._lambert_batch): 1e-9 relative to max(|v|, 1 m/s) (the
    Householder iteration stops at a step of 1e-13 in x; measured: at most 2e-11), over
    transfer angles including 0 and 180 degrees, both directions, 10 s to 1e5 s."""
    rng = np.random.default_rng(11)
    n = 4000
    r1, r2 = positions(rng, n), positions(rng, n)
    r2[:5] = -1.1 * r1[:5]  # 180 degrees
    r2[5:10] = 1.3 * r1[5:10]  # 0 degrees
    r1[10], r2[10] = [0.0, 0.0, 7e6], [0.0, 0.0, -8e6]  # on the z-axis
    tof = 10.0 ** rng.uniform(1.0, 5.0, n)
    prograde = rng.uniform(size=n) < 0.5
    reference = kepler._lambert_batch(r1, r2, tof, MU, prograde)
    compiled = kepler_kernel.lambert_rows(r1, r2, tof, MU, prograde)
    for got, want in zip(compiled, reference, strict=True):
        assert np.all(np.isfinite(got))
        assert np.max(np.abs(got - want) / np.maximum(np.abs(want), 1.0)) < 1e-9
    v1, v2 = kepler.lambert(r1, r2, tof, prograde=prograde)
    assert np.array_equal(v1, compiled[0])
    assert np.array_equal(v2, compiled[1])


def test_lambert_solve_that_stops_on_a_small_step_is_converged() -> None:
    """Izzo's x where a small fourth-order step ends the iteration (kepler_kernel._solve_x,
    ``LAMBERT_FINAL_STEP``) against the x that the iteration goes on to from it: one more
    step moves it by at most the solver's tolerance (1e-13 of max(1, |x|); rounding moves a
    fully converged x by up to 9e-14 here too, as measured), on 20,000 random
    problems (lambda over (-1, 1), non-dimensional times 0.05-100: hyperbolic to long
    elliptic transfers); and the NumPy batch (kepler._solve_x), which stops on the same rule,
    gives the same x to that tolerance (their arithmetic differs in the last bits)."""
    rng = np.random.default_rng(5)
    n = 20_000
    lam = rng.uniform(-0.999, 0.999, n)
    t = 10.0 ** rng.uniform(np.log10(0.05), 2.0, n)
    stopped = np.array([kepler_kernel._solve_x(a, b, np.nan) for a, b in zip(t, lam, strict=True)])
    on = np.array(
        [kepler_kernel._solve_x(a, b, x) for a, b, x in zip(t, lam, stopped, strict=True)]
    )
    scale = np.maximum(1.0, np.abs(stopped))
    assert np.max(np.abs(on - stopped) / scale) <= kepler_kernel.LAMBERT_TOL
    batch = kepler._solve_x(t, lam)
    assert np.max(np.abs(batch - stopped) / scale) <= kepler_kernel.LAMBERT_TOL


def test_departure_only_solve_is_the_short_way_solve() -> None:
    """``lambert_departure`` (the departure velocity only, the short way) against
    ``lambert_one`` in the direction of r1 x r2 (the same solve: the same x, bit for bit, and
    the velocity to 1e-13 relative, its tangent built in another order) and against the
    NumPy batch (kepler.lambert, 1e-9 relative as above); NaN where the angle's sine is below
    the given limit (0 and 180 degrees)."""
    rng = np.random.default_rng(17)
    n = 2000
    r1, r2 = positions(rng, n), positions(rng, n)
    r2[:5] = 1.3 * r1[:5]  # 0 degrees
    r2[5:10] = -1.1 * r1[5:10]  # 180 degrees
    tof = 10.0 ** rng.uniform(1.0, 5.0, n)
    prograde = np.cross(r1, r2)[:, 2] >= 0.0
    v_numpy, _ = kepler.lambert(r1[10:], r2[10:], tof[10:], prograde=prograde[10:])
    for i in range(n):
        ends = (r1[i, 0], r1[i, 1], r1[i, 2], r2[i, 0], r2[i, 1], r2[i, 2])
        *v, x = kepler_kernel.lambert_departure(*ends, tof[i], MU, 1e-9, np.nan)
        if i < 10:
            assert np.isnan(x)
            assert np.all(np.isnan(v))
            continue
        *v_one, _, _, _, x_one = kepler_kernel.lambert_one(
            *ends, tof[i], MU, bool(prograde[i]), np.nan
        )
        assert x == x_one
        assert np.max(np.abs(np.subtract(v, v_one))) <= 1e-13 * np.linalg.norm(v_one)
        want = v_numpy[i - 10]
        assert np.max(np.abs(np.subtract(v, want)) / np.maximum(np.abs(want), 1.0)) < 1e-9
