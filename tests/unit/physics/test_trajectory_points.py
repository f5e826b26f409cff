"""``Trajectory.state_at`` at points of chosen rows and ``Trajectory.sample``: the same states,
bit for bit, as the trajectories of those rows taken out one column at a time (the reference:
``take`` copies the rows' arcs, then each row is interpolated at its own time)."""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.physics import frames
from glasnost.physics.targeting import aim
from glasnost.physics.trajectory import Phase, Trajectory
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import missile

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def flights() -> Trajectory:
    rng = np.random.default_rng(11)
    n = 8
    lat0, lon0 = rng.uniform(-50.0, 50.0, n), rng.uniform(-180.0, 180.0, n)
    lat1, lon1 = frames.destination(lat0, lon0, rng.uniform(0, 360, n), rng.uniform(3e6, 8e6, n))
    kinds = [missile("minuteman_iii").vehicle(), missile("rs24_yars").vehicle()]
    return aim(stack([kinds[i % 2] for i in range(n)]), lat0, lon0, lat1, lon1).trajectory


def test_points_of_rows_in_every_phase_equal_the_taken_rows(flights: Trajectory) -> None:
    rng = np.random.default_rng(12)
    rows = rng.integers(0, flights.size, 400)
    t = rng.uniform(-0.05, 1.05, rows.size) * flights.impact_s[rows]
    phases = set(flights.phase_at(t, rows).tolist())
    assert phases == {int(p) for p in Phase}  # prelaunch, boost, coast, reentry, impacted
    r, v = flights.state_at(t, rows)
    r_ref, v_ref = flights.take(rows).state_at(t)
    assert np.array_equal(r, r_ref)
    assert np.array_equal(v, v_ref)


def test_sample_equals_one_column_at_a_time(flights: Trajectory) -> None:
    t = np.linspace(0.0, 1.0, 37)[None, :] * flights.impact_s[:, None]
    r, v = flights.sample(t)
    for j in range(t.shape[1]):
        r_j, v_j = flights.state_at(t[:, j])
        assert np.array_equal(r[:, j], r_j)
        assert np.array_equal(v[:, j], v_j)
