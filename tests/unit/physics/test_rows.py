"""Joining per-row results (:mod:`glasnost.physics.rows`) and grouping a batch's rows by vehicle
(:meth:`glasnost.physics.vehicle.VehicleBatch.groups`)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from glasnost.physics import rows as rows_module
from glasnost.physics.rows import join_padded, join_rows
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import missile

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("threads", [False, True])
@pytest.mark.parametrize("scattered", [False, True])
def test_join_padded_equals_padding_each_part_then_joining(
    scattered: bool, threads: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts of 3, 1 and 2 rows with 4, 6 and 2 nodes, rows along axis 2 and nodes along axis
    0 (the boost's layout), joined to 6 nodes: each part padded by repeating its last node;
    the same with the parts copied on two worker threads."""
    if threads:
        monkeypatch.setattr(rows_module, "THREADED_JOIN_BYTES", 0)
        monkeypatch.setattr(rows_module, "default_workers", lambda: 2)
    rng = np.random.default_rng(5)
    parts = [rng.normal(size=(k, 3, n)) for k, n in ((4, 3), (6, 1), (2, 2))]
    rows = [np.array([5, 0, 2]), np.array([4]), np.array([1, 3])] if scattered else None
    padded = [np.concatenate([p, np.repeat(p[-1:], 6 - len(p), axis=0)]) for p in parts]
    assert np.array_equal(
        join_padded(parts, rows, 6, pad_axis=0, axis=2), join_rows(padded, rows, axis=2)
    )


def test_groups_are_vehicles_by_equality_in_order_of_first_appearance() -> None:
    mm3, yars = missile("minuteman_iii").vehicle(), missile("rs24_yars").vehicle()
    twin = dataclasses.replace(mm3)  # equal to mm3, another object
    assert twin == mm3
    assert twin is not mm3
    batch = stack([yars, mm3, yars, twin, mm3])
    batch = dataclasses.replace(batch, vehicles=(yars, mm3, yars, twin, mm3))
    groups = batch.groups()
    assert [kind for kind, _ in groups] == [yars, mm3]
    assert [rows.tolist() for _, rows in groups] == [[0, 2], [1, 3, 4]]
