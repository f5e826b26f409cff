"""``aim_parallel`` splits rows over processes and must give exactly what ``aim`` gives."""

from __future__ import annotations

import numpy as np

from glasnost.physics import frames
from glasnost.physics.parallel import MIN_ROWS_PER_WORKER, aim_parallel
from glasnost.physics.targeting import aim
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import missile


def test_parallel_targeting_equals_one_process() -> None:
    n = 2 * MIN_ROWS_PER_WORKER  # two workers
    rng = np.random.default_rng(7)
    lat0 = rng.uniform(-60.0, 60.0, n)
    lon0 = rng.uniform(-180.0, 180.0, n)
    lat1, lon1 = frames.destination(lat0, lon0, rng.uniform(0, 360, n), rng.uniform(3e6, 7e6, n))
    kinds = [missile("minuteman_iii").vehicle(), missile("rs24_yars").vehicle()]
    vehicles = stack([kinds[i % 2] for i in range(n)])
    one = aim(vehicles, lat0, lon0, lat1, lon1)
    two = aim_parallel(vehicles, lat0, lon0, lat1, lon1, workers=2)
    assert np.array_equal(one.on_target, two.on_target)
    np.testing.assert_allclose(two.miss_m, one.miss_m, atol=1.0)  # same rows, same flights
    np.testing.assert_allclose(two.trajectory.impact_s, one.trajectory.impact_s, atol=1e-3)
    assert [v.name for v in two.trajectory.boost.problem.vehicles.vehicles] == [
        v.name for v in vehicles.vehicles
    ]
