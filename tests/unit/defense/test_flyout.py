"""Unit tests of glasnost.defense.flyout: table shapes, lookups, properties that hold, and the
engagement kernel with tables. Comparisons with independent references live in
tests/validation/test_flyout_validation.py.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from glasnost.defense import flyout as flyout_module
from glasnost.defense.coast_drag import COAST_DRAG_CEILING_M, CoastDrag
from glasnost.defense.derived_stack import derive_interceptor_stack
from glasnost.defense.engagement import EngagementTable, Interceptors, engage
from glasnost.defense.flyout import (
    FlyoutTable,
    best_burnout_speed,
    simple_flyout_table,
    staged_fan,
    staged_flyout_table,
    time_to_reach,
)
from glasnost.defense.raster_kernel import rasterize
from glasnost.physics.vehicle import MACH_GRID, Stage, Vehicle
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


def test_staged_fan_is_shared_and_read_only() -> None:
    veh = _vehicle()
    fan = staged_fan(veh, kicks=30)
    assert staged_fan(veh, kicks=30) is fan
    assert fan.kick_rad.shape == (30,)
    assert fan.r_bo.shape == fan.v_bo.shape == (30, 3)
    assert not fan.v_bo.flags.writeable
    table = staged_flyout_table(veh, 1000e3, 500e3, kicks=30)
    assert table.burnout_speed_ms == best_burnout_speed(veh, kicks=30) == fan.burnout_speed_ms
    steep = staged_fan(veh, kicks=30, max_kick_deg=150.0)  # below the horizontal: accepted
    assert 90.0 < np.degrees(steep.kick_rad[-1]) <= 150.0
    with pytest.raises(ValueError, match="max_kick_deg <= 180"):
        staged_fan(veh, max_kick_deg=181.0)


# --------------------------------------------------------------------------------------------
# The kill vehicle's coast with drag
# --------------------------------------------------------------------------------------------


def _endo() -> Vehicle:
    """A 53T6-like endo-atmospheric interceptor: 10 t, two stages, 3 km/s in 10 s (derived)."""
    return derive_interceptor_stack("endo", 3000.0, 10.0, 2, 10000.0, 1.0).vehicle


def _exo() -> Vehicle:
    """A GBI-like exo-atmospheric interceptor: 22.7 t, three stages, 7.5 km/s in 100 s."""
    return derive_interceptor_stack("exo", 7500.0, 100.0, 3, 22680.0, 1.22).vehicle


def test_coast_drag_of_the_kill_vehicle() -> None:
    veh = _endo()
    drag = CoastDrag.kill_vehicle(veh)
    assert drag.mass_kg == veh.payload_kg
    assert drag.reference_area_m2 == veh.stages[-1].reference_area_m2
    assert drag.cd == veh.stages[-1].cd
    assert drag.ceiling_m == COAST_DRAG_CEILING_M == 120e3
    beta = CoastDrag.kill_vehicle(veh, 5000.0)
    assert (beta.mass_kg, beta.reference_area_m2, beta.cd) == (5000.0, 1.0, (1.0,) * 14)
    with pytest.raises(ValueError, match="positive"):
        CoastDrag.kill_vehicle(veh, 0.0)
    with pytest.raises(ValueError, match="drag curve"):
        CoastDrag(1.0, 1.0, (0.2,) * (len(MACH_GRID) - 1))


@pytest.mark.parametrize("make", [_endo, _exo], ids=["endo", "exo"])
def test_negligible_coast_drag_is_the_vacuum_table(make: Callable[[], Vehicle]) -> None:
    """With drag switched off the table is the Kepler one; a kill vehicle of 1e15 kg/m^2
    flies the drag integrator (RK4, 2 s steps) to the same table within 1e-6 s."""
    veh = make()
    vacuum = staged_flyout_table(veh, 600e3, 400e3, coast_drag=False)
    negligible = staged_flyout_table(veh, 600e3, 400e3, kill_vehicle_beta_kg_m2=1e15)
    reach = np.isfinite(vacuum.time_s)
    np.testing.assert_array_equal(np.isfinite(negligible.time_s), reach)
    np.testing.assert_allclose(negligible.time_s[reach], vacuum.time_s[reach], rtol=0, atol=1e-6)
    assert negligible.burnout_speed_ms == vacuum.burnout_speed_ms


def test_coast_drag_delays_points_low_in_the_atmosphere() -> None:
    """Points reached on the way up from a low burnout (within 10 km of the site, 20-80 km
    high) are reached later with drag than in vacuum."""
    veh = _endo()
    vacuum = staged_flyout_table(veh, 100e3, 100e3, coast_drag=False)
    drag = staged_flyout_table(veh, 100e3, 100e3)
    assert drag.time_s.shape == vacuum.time_s.shape
    low = (vacuum.altitude_m >= 20e3) & (vacuum.altitude_m <= 80e3)
    near = vacuum.ground_range_m <= 10e3
    t_vac, t_drag = vacuum.time_s[np.ix_(near, low)], drag.time_s[np.ix_(near, low)]
    assert np.all(np.isfinite(t_vac))
    assert np.all(t_vac < 60.0)
    assert np.all(t_drag > t_vac)
    # The higher, the more drag has acted on the way there.
    assert np.all(np.diff(t_drag[0] - t_vac[0]) > 0.0)


def test_coast_drag_leaves_points_far_above_the_atmosphere() -> None:
    """Above 300 km within 1,000 km of the site, an exo-atmospheric fan (burnout above the
    ceiling for the steeper kicks) is unchanged within the table's interpolation tolerance,
    0.5 s (module doc); measured 0.01 s."""
    veh = _exo()
    vacuum = staged_flyout_table(veh, 1000e3, 1500e3, coast_drag=False)
    drag = staged_flyout_table(veh, 1000e3, 1500e3)
    high = vacuum.altitude_m >= 300e3
    t_vac, t_drag = vacuum.time_s[:, high], drag.time_s[:, high]
    reach = np.isfinite(t_vac)
    assert reach.sum() > 10000
    np.testing.assert_array_equal(np.isfinite(t_drag), reach)
    assert np.max(np.abs(t_drag[reach] - t_vac[reach])) <= 0.5


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


def test_compiled_rasterization_is_the_numpy_one_bit_for_bit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The table's compiled rasterization (raster_kernel.rasterize) against the NumPy reference
    (flyout_module._rasterize): the same arithmetic and a minimum, so the same table exactly."""
    rng = np.random.default_rng(5)
    cell, n_d, n_h = 10e3, 60, 40
    tri_d = rng.uniform(-50e3, 650e3, (400, 3))
    tri_h = rng.uniform(-50e3, 450e3, (400, 3))
    tri_t = rng.uniform(50.0, 900.0, (400, 3))
    tri_d[:5] = [0.0, 100e3, 0.0]  # vertices and edges on grid nodes
    tri_h[:5] = [0.0, 0.0, 100e3]
    compiled = np.full(n_d * n_h, np.inf)
    reference = np.full(n_d * n_h, np.inf)
    rasterize(tri_d, tri_h, tri_t, cell, n_d, n_h, compiled)
    flyout_module._rasterize(tri_d, tri_h, tri_t, cell, n_d, n_h, reference)
    assert np.isfinite(compiled).sum() > 1000  # the triangles cover much of the grid
    assert np.array_equal(compiled, reference)
    # and a whole staged table
    table = staged_flyout_table(_vehicle(), 1000e3, 500e3, kicks=30)
    monkeypatch.setattr(flyout_module, "rasterize", flyout_module._rasterize)
    assert np.array_equal(
        staged_flyout_table(_vehicle(), 1000e3, 500e3, kicks=30).time_s, table.time_s
    )
