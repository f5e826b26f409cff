"""The compiled reentry march (``physics/reentry_kernel.py``) against its NumPy reference
(``coast_and_reenter(..., compiled=False)``: ``coast.march_to_altitude`` with the reentry step
rule), decision 9.

Every node before the final step agrees to rounding (the same step rule and RK4 arithmetic:
1e-6 m, 1e-9 m/s, times equal). The final step differs only in when its regula falsi stops:
the kernel stops each row within 1 mm of the ground, the NumPy march when every row crossing
in the same step is; the end then differs by under 1e-5 s (a 1 mm height error at the
vertical speed of a reentry vehicle, hundreds of m/s, is a few microseconds) and the end
state by under 0.1 m and 0.01 m/s.
"""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.physics import trajectory
from glasnost.physics.constants import SPHERE, WGS84, EarthModel
from glasnost.physics.rocket import approximate_altitude
from glasnost.physics.trajectory import Trajectory, coast_and_reenter, fly
from glasnost.physics.vehicle import VehicleBatch, stack
from glasnost.scenario.missiles import missile


def _flights(earth: EarthModel) -> tuple[VehicleBatch, Trajectory]:
    rng = np.random.default_rng(7)
    n = 24
    vehicles = stack(
        [missile(m).vehicle() for m in ("minuteman_iii", "rs24_yars", "df41")] * (n // 3)
    )
    return vehicles, fly(
        vehicles,
        rng.uniform(-70.0, 70.0, n),
        rng.uniform(-180.0, 180.0, n),
        rng.uniform(0.0, 360.0, n),
        rng.uniform(8.0, 40.0, n),
        earth=earth,
    )


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
@pytest.mark.parametrize("scale", [1.0, 1e-4], ids=["default-steps", "short-steps"])
def test_compiled_march_matches_numpy_reference(
    monkeypatch: pytest.MonkeyPatch, earth: EarthModel, scale: float
) -> None:
    """With the step rule's constant 1e-4 times its value (steps about 0.16 times as long),
    every row takes several hundred nodes: the kernel's node array, 64 long at first, is
    grown several times."""
    monkeypatch.setattr(trajectory, "REENTRY_STEP_SCALE", trajectory.REENTRY_STEP_SCALE * scale)
    vehicles, flights = _flights(earth)
    args = (
        vehicles,
        flights.launch_r_ecef,
        flights.boost,
        flights.burnout_s,
        flights.burnout_r,
        flights.burnout_v,
        earth,
    )
    compiled = coast_and_reenter(*args).reentry_arc
    reference = coast_and_reenter(*args, compiled=False).reentry_arc
    assert compiled.t.shape == reference.t.shape
    assert (compiled.t.shape[1] > 64) == (scale < 1.0)
    steps = (np.diff(reference.t, axis=1) > 0.0).sum(axis=1)
    np.testing.assert_array_equal((np.diff(compiled.t, axis=1) > 0.0).sum(axis=1), steps)
    before_final = np.arange(reference.t.shape[1])[None, :] < steps[:, None]
    np.testing.assert_array_equal(compiled.t[before_final], reference.t[before_final])
    np.testing.assert_allclose(compiled.r[before_final], reference.r[before_final], atol=1e-6)
    np.testing.assert_allclose(compiled.v[before_final], reference.v[before_final], atol=1e-9)
    np.testing.assert_allclose(compiled.end_s, reference.end_s, rtol=0.0, atol=1e-5)
    np.testing.assert_allclose(compiled.r[:, -1], reference.r[:, -1], rtol=0.0, atol=0.1)
    np.testing.assert_allclose(compiled.v[:, -1], reference.v[:, -1], rtol=0.0, atol=0.01)
    # Every row lands on the ground: the height of the solve within its 1 mm tolerance.
    ground = approximate_altitude(np.ascontiguousarray(compiled.r[:, -1].T), earth)
    assert np.all(np.abs(ground) < 1e-3)
    assert np.all(compiled.end_s > flights.reentry_s)


def test_a_state_that_never_comes_down_is_an_error() -> None:
    vehicles, flights = _flights(WGS84)
    up = flights.launch_r_ecef[:1] / np.linalg.norm(flights.launch_r_ecef[:1])
    r = up * (WGS84.equatorial_radius_m + 90e3)  # below the reentry interface: no coast
    escape = 1.2e4 * up  # radially outward, above escape speed
    args = (vehicles.take(np.array([0])), flights.launch_r_ecef[:1], flights.boost)
    for compiled in (True, False):
        with pytest.raises(ArithmeticError, match="did not come down"):
            coast_and_reenter(*args, flights.burnout_s[:1], r, escape, WGS84, compiled=compiled)
