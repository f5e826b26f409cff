"""``aim_parallel`` splits rows into fixed chunks per vehicle type over threads: the result
must not depend on the number of workers (bit for bit), must be one ``aim`` call's bit for bit
where every type fits in one chunk, and must agree with one ``aim`` call within the targeting
tolerance otherwise. The chunk size is made small here so that a small batch has several."""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.physics import frames, parallel
from glasnost.physics.parallel import aim_parallel, chunks
from glasnost.physics.targeted import TargetingResult
from glasnost.physics.targeting import aim
from glasnost.physics.vehicle import VehicleBatch, stack
from glasnost.scenario.missiles import missile

pytestmark = pytest.mark.unit

CHUNK = 150


def batch(n: int) -> tuple[VehicleBatch, tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(7)
    lat0 = rng.uniform(-60.0, 60.0, n)
    lon0 = rng.uniform(-180.0, 180.0, n)
    lat1, lon1 = frames.destination(lat0, lon0, rng.uniform(0, 360, n), rng.uniform(3e6, 7e6, n))
    kinds = [missile("minuteman_iii").vehicle(), missile("rs24_yars").vehicle()]
    return stack([kinds[(i // 3) % 2] for i in range(n)]), (lat0, lon0, lat1, lon1)


def assert_identical(a: TargetingResult, b: TargetingResult) -> None:
    for field in ("azimuth_deg", "kick_deg", "cutoff_s", "miss_m", "reachable"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert np.array_equal(a.trajectory.impact_s, b.trajectory.impact_s)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK_ROWS", CHUNK)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 0)


@pytest.mark.usefixtures("small_chunks")
def test_chunks_are_per_type_and_at_most_the_chunk_size() -> None:
    vehicles, _ = batch(2 * CHUNK + 37)
    parts = chunks(vehicles)
    assert len(parts) == 4  # 169 rows of each type: two chunks of 84-85 rows each
    assert sorted(np.concatenate(parts).tolist()) == list(range(vehicles.size))
    for rows in parts:
        assert rows.size <= CHUNK
        assert len({vehicles.vehicles[i] for i in rows}) == 1


@pytest.mark.usefixtures("small_chunks")
def test_parallel_targeting_does_not_depend_on_the_workers() -> None:
    vehicles, points = batch(2 * CHUNK + 37)
    one = aim_parallel(vehicles, *points, workers=1)
    two = aim_parallel(vehicles, *points, workers=2)
    assert_identical(one, two)  # the same chunks whatever the workers: bit-identical
    assert [v.name for v in two.trajectory.boost.problem.vehicles.vehicles] == [
        v.name for v in vehicles.vehicles
    ]
    # and the same flights as one batch, within the targeting tolerance (100 m aim, 0.05 s)
    whole = aim(vehicles, *points)
    assert np.array_equal(whole.on_target, two.on_target)
    np.testing.assert_allclose(two.miss_m, whole.miss_m, atol=1.0)
    np.testing.assert_allclose(two.trajectory.impact_s, whole.trajectory.impact_s, atol=0.05)


@pytest.mark.usefixtures("small_chunks")
def test_one_chunk_per_type_is_one_aim_call_bit_for_bit() -> None:
    vehicles, points = batch(CHUNK + 40)  # 95 and 95 rows: one chunk per type
    assert len(chunks(vehicles)) == 2
    assert_identical(aim_parallel(vehicles, *points, workers=2), aim(vehicles, *points))
