"""``aim_parallel`` splits rows into fixed chunks over processes: the result must not depend on
the number of workers (bit for bit), and must agree with one batch of ``aim``."""

from __future__ import annotations

import numpy as np

from glasnost.physics import frames
from glasnost.physics.parallel import CHUNK_ROWS, aim_parallel
from glasnost.physics.targeting import aim
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import missile


def test_parallel_targeting_does_not_depend_on_the_workers() -> None:
    n = 2 * CHUNK_ROWS + 37  # three chunks, the last one short
    rng = np.random.default_rng(7)
    lat0 = rng.uniform(-60.0, 60.0, n)
    lon0 = rng.uniform(-180.0, 180.0, n)
    lat1, lon1 = frames.destination(lat0, lon0, rng.uniform(0, 360, n), rng.uniform(3e6, 7e6, n))
    kinds = [missile("minuteman_iii").vehicle(), missile("rs24_yars").vehicle()]
    vehicles = stack([kinds[i % 2] for i in range(n)])
    one = aim_parallel(vehicles, lat0, lon0, lat1, lon1, workers=1)
    two = aim_parallel(vehicles, lat0, lon0, lat1, lon1, workers=2)
    # the same chunks whatever the workers: bit-identical results
    assert np.array_equal(one.on_target, two.on_target)
    assert np.array_equal(one.miss_m, two.miss_m)
    assert np.array_equal(one.trajectory.impact_s, two.trajectory.impact_s)
    assert [v.name for v in two.trajectory.boost.problem.vehicles.vehicles] == [
        v.name for v in vehicles.vehicles
    ]
    # and the same flights as one batch, within the targeting tolerance
    batch = aim(vehicles, lat0, lon0, lat1, lon1)
    assert np.array_equal(batch.on_target, two.on_target)
    np.testing.assert_allclose(two.miss_m, batch.miss_m, atol=1.0)
    np.testing.assert_allclose(two.trajectory.impact_s, batch.trajectory.impact_s, atol=0.05)
