"""Unit tests of glasnost.defense.flyout: table shapes, lookups, properties that hold, and the
engagement kernel with tables. Comparisons with independent references live in
tests/validation/test_flyout_validation.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.defense.engagement import EngagementTable, Interceptors, engage
from glasnost.defense.flyout import (
    FlyoutTable,
    simple_flyout_table,
    staged_flyout_table,
    time_to_reach,
)
from glasnost.physics.vehicle import Stage, Vehicle
from tests.unit.defense.test_engagement import SITES, _samples

SPEED, BURN = 4500.0, 50.0


@pytest.fixture(scope="module")
def table() -> FlyoutTable:
    return simple_flyout_table(SPEED, BURN, 2000e3, 1000e3)


def _vehicle() -> Vehicle:
    """A small two-stage interceptor booster (about 5 km/s)."""
    return Vehicle(
        "two_stage",
        (Stage(3000.0, 2600.0, 30.0, 270.0, 0.8), Stage(800.0, 680.0, 30.0, 285.0, 0.6)),
        payload_kg=60.0,
        vertical_rise_s=2.0,
        pitch_over_s=6.0,
    )


def test_shapes_and_fields(table: FlyoutTable) -> None:
    assert table.ground_range_m.shape == (201,)
    assert table.altitude_m.shape == (101,)
    assert table.time_s.shape == (201, 101)
    np.testing.assert_allclose(np.diff(table.ground_range_m), 10e3)
    assert table.ground_range_m[0] == 0.0
    assert table.altitude_m[-1] == 1000e3
    assert table.burnout_speed_ms == SPEED
    assert table.burn_time_s == BURN
    assert np.isfinite(table.time_s).any()
    assert np.isinf(table.time_s).any()


def test_only_the_coast_counts(table: FlyoutTable) -> None:
    finite = table.time_s[np.isfinite(table.time_s)]
    assert finite.min() >= BURN - 1e-9


def test_straight_up_is_reached_later_the_higher(table: FlyoutTable) -> None:
    above = table.altitude_m > 0.5 * SPEED * BURN + 10e3  # above the vertical burnout point
    column = table.time_s[0, above]
    assert np.all(np.isfinite(column))
    assert np.all(np.diff(column) > 0.0)


def test_farther_is_reached_later_above_the_burnout_altitude(table: FlyoutTable) -> None:
    # At every altitude above the vertical burnout point, the reachable ranges run from the
    # site out to the reach limit, and a farther point is never reached sooner.
    for k in np.flatnonzero(table.altitude_m > 0.5 * SPEED * BURN + 10e3):
        row = table.time_s[:, k]
        reach = np.flatnonzero(np.isfinite(row))
        assert reach.size
        assert reach[0] == 0
        assert np.all(np.isfinite(row[: reach[-1] + 1]))
        assert np.all(np.diff(row[: reach[-1] + 1]) >= 0.0)


def test_time_to_reach_interpolates_bilinearly() -> None:
    times = np.array([[10.0, 20.0, 30.0], [40.0, 50.0, np.inf]])
    table = FlyoutTable(np.array([0.0, 10.0]), np.array([0.0, 5.0, 10.0]), times, 1.0, 1.0)
    np.testing.assert_allclose(time_to_reach(table, 0.0, 5.0), 20.0)  # a node
    np.testing.assert_allclose(time_to_reach(table, 5.0, 2.5), 30.0)  # mean of four corners
    np.testing.assert_allclose(time_to_reach(table, 2.0, 0.0), 16.0)  # along an edge
    np.testing.assert_allclose(time_to_reach(table, 0.0, 10.0), 30.0)  # weight 0 on the inf
    assert np.isinf(time_to_reach(table, 5.0, 7.5))  # a corner with weight is unreachable
    out = time_to_reach(table, [[-1.0], [11.0], [5.0], [np.nan]], [2.0, 11.0])
    assert out.shape == (4, 2)
    assert np.all(np.isinf(out[[0, 1, 3]]))
    assert np.isinf(out[2, 1])
    assert np.isfinite(out[2, 0])


def test_table_checks_its_grids() -> None:
    with pytest.raises(ValueError, match="shape"):
        FlyoutTable(np.arange(3.0), np.arange(2.0), np.zeros((2, 3)), 1.0, 1.0)
    with pytest.raises(ValueError, match="increasing"):
        FlyoutTable(np.array([0.0, 0.0]), np.arange(2.0), np.zeros((2, 2)), 1.0, 1.0)
    with pytest.raises(ValueError, match="positive"):
        simple_flyout_table(SPEED, BURN, -1.0, 1e6)


def test_staged_table_flies_the_vehicle() -> None:
    veh = _vehicle()
    table = staged_flyout_table(veh, 1000e3, 500e3, kicks=30)
    assert table.burn_time_s == veh.burn_time_s
    # Gravity and drag losses: below the ideal velocity gain, but a real booster.
    assert 3000.0 < table.burnout_speed_ms < veh.ideal_delta_v_ms()
    finite = table.time_s[np.isfinite(table.time_s)]
    assert finite.size
    assert finite.min() >= veh.burn_time_s - 1e-9
    # Straight up, the higher the later (the vertical flight's coast).
    column = table.time_s[0]
    ok = np.isfinite(column)
    assert ok.any()
    assert np.all(np.diff(column[ok]) > 0.0)


def test_staged_table_refuses_a_vehicle_that_cannot_fly() -> None:
    heavy = Vehicle("brick", (Stage(3000.0, 2600.0, 30.0, 50.0, 0.8),), payload_kg=20000.0)
    with pytest.raises(ValueError, match="hits the ground"):
        staged_flyout_table(heavy, 500e3, 500e3, kicks=5)


# --------------------------------------------------------------------------------------------
# The engagement kernel with tables
# --------------------------------------------------------------------------------------------


def _interceptors(speed: float, burn: float) -> Interceptors:
    return Interceptors(
        np.full(2, speed),
        np.full(2, burn),
        np.full(2, 70e3),
        np.full(2, 1500e3),
        np.full(2, np.inf),
    )


EARLY = np.array([[200.0, 300.0, 250.0], [400.0, 100.0, 150.0]])


def _fields(table: EngagementTable) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in vars(table).items()}


def test_no_tables_changes_nothing() -> None:
    samples, inter = _samples(), _interceptors(6000.0, 80.0)
    plain = _fields(engage(SITES, inter, samples, EARLY, 60.0))
    for flyout in (None, [None, None]):
        got = _fields(engage(SITES, inter, samples, EARLY, 60.0, flyout=flyout))
        for name, value in plain.items():
            np.testing.assert_array_equal(got[name], value, err_msg=name)
    with pytest.raises(ValueError, match="one entry per site"):
        engage(SITES, inter, samples, EARLY, 60.0, flyout=[None])


@pytest.mark.parametrize(("speed", "burn"), [(4500.0, 50.0), (6000.0, 80.0)])
def test_simple_model_table_agrees_with_the_lambert_kernel(speed: float, burn: float) -> None:
    samples = _samples()
    table = simple_flyout_table(speed, burn, 5000e3, 1500e3)
    # The table's burnout speed and burn time replace the site's (here: nonsense values).
    lambert = engage(SITES, _interceptors(speed, burn), samples, EARLY, 60.0)
    tabled = engage(SITES, _interceptors(1.0, 1.0), samples, EARLY, 60.0, flyout=[table, table])
    assert lambert.feasible.any()
    np.testing.assert_array_equal(tabled.feasible, lambert.feasible)
    # The critical speed is the simple model's either way.
    np.testing.assert_array_equal(
        tabled.critical_burnout_velocity_ms, lambert.critical_burnout_velocity_ms
    )
    np.testing.assert_array_equal(tabled.best_sample, lambert.best_sample)
    f = lambert.feasible
    np.testing.assert_array_equal(tabled.earliest_intercept_s[f], lambert.earliest_intercept_s[f])
    # The latest launch within a few seconds (the rotating Earth's Coriolis effect and the
    # table's resolution); the latest intercept within one sample spacing (near the edge of
    # the reach one sample more or less).
    np.testing.assert_allclose(tabled.latest_launch_s[f], lambert.latest_launch_s[f], atol=5.0)
    spacing = float(np.diff(samples.t_s[0, :2])[0])
    assert np.all(
        np.abs(tabled.latest_intercept_s[f] - lambert.latest_intercept_s[f]) <= spacing + 1e-6
    )
    assert np.all(np.isnan(tabled.window_s[~f]))
    assert np.all(tabled.shots[~f] == 0)


def test_a_table_site_is_feasible_while_the_latest_launch_is_not_past() -> None:
    samples = _samples()
    table = simple_flyout_table(6000.0, 80.0, 5000e3, 1500e3)
    inter = _interceptors(6000.0, 80.0)
    soon = engage(SITES, inter, samples, EARLY, 60.0, flyout=[None, table])
    assert soon.feasible[1].sum() == 2
    # The latest launch (the largest t_I - T over the candidates) does not depend on the
    # earliest launch: a later earliest launch keeps exactly the pairs it does not pass.
    later = EARLY + 200.0
    late = engage(SITES, inter, samples, later, 60.0, flyout=[None, table])
    expected = soon.feasible & (np.nan_to_num(soon.latest_launch_s, nan=-np.inf) >= later)
    np.testing.assert_array_equal(late.feasible, expected)
    assert 0 < late.feasible.sum() < soon.feasible.sum()
    np.testing.assert_allclose(late.latest_launch_s[expected], soon.latest_launch_s[expected])
    assert np.all(late.earliest_intercept_s[expected] >= soon.earliest_intercept_s[expected])
