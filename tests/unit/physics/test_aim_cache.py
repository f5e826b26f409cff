"""The targeting cache (``glasnost.physics.aim_cache``): a second call with the same inputs
flies the stored controls again instead of searching (``stored_aim``), and returns the first
call's result bit for bit (every array of the trajectories included), for converged,
unreachable and steered (apogee) rows; any changed input is a miss. In memory
(``cached_aim``) the same inputs return the same read-only result without flying."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from glasnost.common import table_cache
from glasnost.physics import aim_cache, frames
from glasnost.physics.aim_cache import cached_aim, stored_aim
from glasnost.physics.targeted import TargetingResult
from glasnost.physics.vehicle import VehicleBatch, stack
from glasnost.scenario.missiles import missile

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "tables"
    monkeypatch.setenv(table_cache.ENV, str(where))
    return where


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the batches targeting searched (not read from the cache)."""
    calls: list[int] = []
    search = aim_cache.aim_parallel

    def counted(vehicles: VehicleBatch, *args: Any, **options: Any) -> TargetingResult:
        calls.append(vehicles.size)
        return search(vehicles, *args, **options)

    monkeypatch.setattr(aim_cache, "aim_parallel", counted)
    return calls


def batch() -> tuple[VehicleBatch, list[np.ndarray]]:
    """Two vehicle types, 3,000-9,000 km, and two rows (Minuteman III at 16,000 km) out of
    reach, so that both ways targeting flies a row are in the batch."""
    rng = np.random.default_rng(11)
    n = 14
    lat0 = rng.uniform(-50.0, 50.0, n)
    lon0 = rng.uniform(-180.0, 180.0, n)
    distance = rng.uniform(3e6, 9e6, n)
    distance[[0, 4]] = 16e6
    lat1, lon1 = frames.destination(lat0, lon0, rng.uniform(0.0, 360.0, n), distance)
    kinds = [missile("minuteman_iii").vehicle(), missile("rs24_yars").vehicle()]
    return stack([kinds[i % 2] for i in range(n)]), [lat0, lon0, lat1, lon1]


def assert_same_bits(a: Any, b: Any, where: str = "result") -> None:
    """Every array of two results (dataclasses walked field by field) equal bit for bit."""
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, where
        assert a.shape == b.shape, where
        assert a.tobytes() == b.tobytes(), where
    elif is_dataclass(a) and not isinstance(a, type):
        for f in fields(a):
            assert_same_bits(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_bits(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def test_a_second_call_flies_the_stored_controls_to_the_same_result(
    searches: list[int],
) -> None:
    vehicles, points = batch()
    first = stored_aim(vehicles, *points)
    second = stored_aim(vehicles, *points)
    assert searches == [vehicles.size]  # searched once, then read back
    assert first.flown is not None
    assert not first.reachable[[0, 4]].any()
    assert first.reachable.sum() >= 10
    assert not first.flown.interpolated[[0, 4]].any()
    assert first.flown.interpolated.any()
    assert_same_bits(first, second)


def test_steered_apogee_flights_fly_again_the_same(searches: list[int]) -> None:
    vehicles, points = batch()
    options = {"shape": "lofted", "apogee_m": 1.6e6}
    first = stored_aim(vehicles, *points, **options)
    second = stored_aim(vehicles, *points, **options)
    assert len(searches) == 1
    assert first.reachable.any()
    assert_same_bits(first, second)


def test_any_changed_input_is_a_miss(searches: list[int]) -> None:
    vehicles, points = batch()
    stored_aim(vehicles, *points)
    moved = [p.copy() for p in points]
    moved[2][5] += 1e-9  # one target, a micro-degree's thousandth
    stored_aim(vehicles, *moved)
    stored_aim(vehicles, *points, shape="depressed")
    other = stack([missile("rs24_yars").vehicle()] * vehicles.size)
    stored_aim(other, *points)
    assert len(searches) == 4
    stored_aim(vehicles, *moved)  # each is kept
    assert len(searches) == 4


def test_in_memory_the_same_inputs_return_the_same_result(
    searches: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    vehicles, points = batch()
    first = cached_aim(vehicles, *points)
    flights: list[int] = []
    monkeypatch.setattr(aim_cache, "fly_again", lambda *a, **k: flights.append(1))
    again = cached_aim(vehicles, *[p.copy() for p in points])  # equal, not the same arrays
    assert again is first
    assert searches == [vehicles.size]
    assert flights == []  # neither searched nor flown again
    assert not first.trajectory.boost.r_nodes.flags.writeable  # shared: read-only
    moved = [p.copy() for p in points]
    moved[3][2] += 1e-9
    assert cached_aim(vehicles, *moved) is not first
    assert len(searches) == 2
