"""Unit tests of targeting (``glasnost.physics.targeting``): ``aim`` and ``max_range``.

The contract of ``aim``: every reachable row lands within 1 km of its target on the rotating
WGS84 Earth (the solver aims for ``MISS_TOLERANCE_M`` = 100 m). The miss is measured here
independently of ``TargetingResult.miss_m``: the impact point of the returned trajectory
(``Trajectory.impact_geodetic``) and the target are both turned into ECEF vectors on the
ellipsoid surface (``frames.geodetic_to_vector``) and the chord between them is the miss.

Min-energy optimality is checked against the closed-form minimum-energy transfer between the
burnout point and the impact point (the textbook definition: the least burnout speed).

The burnout flight-path angle that ``flight_path_angle_deg`` asks for is the Earth-relative one
(the velocity relative to the rotating ground, v - omega x r, above the local horizontal, the
plane normal to the ellipsoid): it is computed here from the burnout ECI state without the
module's frame conversions.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from glasnost.demo.missile_flight import OutOfRangeError, fly_missile
from glasnost.physics import frames, targeting
from glasnost.physics.coast import time_to_radius
from glasnost.physics.constants import MU, OMEGA_EARTH, SPHERE, WGS84
from glasnost.physics.kepler import propagate
from glasnost.physics.max_range import max_range
from glasnost.physics.rocket import BoostProblem, BoostResult
from glasnost.physics.targeting import MISS_TOLERANCE_M, TargetingError, TargetingResult, aim
from glasnost.physics.trajectory import GroundContactError, fly
from glasnost.physics.vehicle import VehicleBatch, stack
from glasnost.scenario.missiles import missile

FloatArray = NDArray[np.float64]

CONTRACT_MISS_M = 1000.0  # aim contract: reachable rows land within 1 km (issue, targeting doc)

# Batch of launch / target pairs: (missile id, launch lat, launch lon, bearing deg, range km).
# Every row is well inside the missile's reach on the rotating Earth.
BATCH: tuple[tuple[str, float, float, float, float], ...] = (
    ("minuteman_iii", 0.0, 0.0, 90.0, 3000.0),  # eastward along the equator
    ("minuteman_iii", 48.0, -100.0, 330.0, 7000.0),  # across the Arctic
    ("trident_ii_d5", 30.0, -40.0, 90.0, 4500.0),
    ("rs24_yars", 55.0, 40.0, 135.0, 6000.0),
    ("r30_bulava", 10.0, 110.0, 200.0, 7500.0),
    ("df5", 35.0, 120.0, 270.0, 9000.0),  # westward, against the Earth's rotation
    ("r29rmu_sineva", -35.0, 150.0, 315.0, 8000.0),
    ("df31ag", 40.0, 90.0, 45.0, 9000.0),
    ("rt2pm2_topol_m", -20.0, 30.0, 0.0, 5000.0),
    ("minuteman_iii", 0.0, 60.0, 270.0, 6000.0),  # westward along the equator
)


def independent_miss_m(
    result: TargetingResult, target_lat: FloatArray, target_lon: FloatArray
) -> FloatArray:
    """Chord (m) between the flown impact point and the target on the WGS84 surface."""
    lat_i, lon_i = result.trajectory.impact_geodetic()
    impact = frames.geodetic_to_vector(lat_i, lon_i, 0.0, WGS84)
    target = frames.geodetic_to_vector(target_lat, target_lon, 0.0, WGS84)
    return np.asarray(np.linalg.norm(impact - target, axis=-1), dtype=np.float64)


def burnout_inertial_fpa_deg(result: TargetingResult) -> FloatArray:
    """Inertial flight-path angle at burnout (deg): angle of the ECI velocity above the plane
    normal to the geocentric radius (not what ``flight_path_angle_deg`` asks for)."""
    r, v = result.trajectory.burnout_r, result.trajectory.burnout_v
    sin_g = np.sum(r * v, axis=-1) / (np.linalg.norm(r, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.asarray(np.degrees(np.arcsin(sin_g)), dtype=np.float64)


def burnout_earth_relative_fpa_deg(result: TargetingResult) -> FloatArray:
    """Earth-relative flight-path angle at burnout (deg), from the burnout ECI state alone:
    the velocity relative to the rotating ground, v - omega z x r (the ECI frame turns with
    the Earth about z), above the plane normal to the WGS84 ellipsoid through the point
    (geodetic vertical: the gradient of x^2/a^2 + y^2/a^2 + z^2/b^2, which a turn about z
    leaves unchanged, so it is taken in ECI directly)."""
    r, v = result.trajectory.burnout_r, result.trajectory.burnout_v
    v_ground = v - np.cross([0.0, 0.0, OMEGA_EARTH], r)
    a2, b2 = WGS84.equatorial_radius_m**2, WGS84.polar_radius_m**2
    up = r / np.array([a2, a2, b2])
    up /= np.linalg.norm(up, axis=-1, keepdims=True)
    sin_g = np.sum(up * v_ground, axis=-1) / np.linalg.norm(v_ground, axis=-1)
    return np.asarray(np.degrees(np.arcsin(sin_g)), dtype=np.float64)


class Batch:
    """The BATCH rows, their targets and the min-energy solution (solved once per module)."""

    def __init__(self) -> None:
        ids, lat0, lon0, bearing, range_km = zip(*BATCH, strict=True)
        self.vehicles: VehicleBatch = stack([missile(i).vehicle() for i in ids])
        self.lat0 = np.array(lat0)
        self.lon0 = np.array(lon0)
        self.lat1, self.lon1 = frames.destination(
            self.lat0, self.lon0, np.array(bearing), np.array(range_km) * 1e3
        )
        self.result = aim(self.vehicles, self.lat0, self.lon0, self.lat1, self.lon1)


@pytest.fixture(scope="module")
def batch() -> Batch:
    return Batch()


def test_aim_batch_lands_within_contract(batch: Batch) -> None:
    res = batch.result
    assert np.all(res.reachable), f"rows chosen within reach reported unreachable: {res.reachable}"
    miss = independent_miss_m(res, batch.lat1, batch.lon1)
    assert np.all(miss < CONTRACT_MISS_M), f"misses (m): {miss}"  # contract 1 km (targeting doc)
    # The reported miss is the same quantity (straight line between surface points).
    np.testing.assert_allclose(res.miss_m, miss, atol=1.0)
    # The result describes the flown trajectory: launch point and controls per row.
    lat_l, lon_l = res.trajectory.launch_geodetic()
    np.testing.assert_allclose(lat_l, batch.lat0, atol=1e-9)
    np.testing.assert_allclose(lon_l, batch.lon0, atol=1e-9)
    assert np.all(res.cutoff_s <= batch.vehicles.burnout_s[:, -1] + 1e-9)
    np.testing.assert_allclose(res.trajectory.burnout_s, res.cutoff_s, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(
    lat0=st.floats(-80.0, 80.0),
    lon0=st.floats(-180.0, 180.0),
    bearing=st.floats(0.0, 360.0, exclude_max=True),
    range_km=st.floats(3000.0, 8000.0),
)
def test_aim_minuteman_min_energy_property(
    lat0: float, lon0: float, bearing: float, range_km: float
) -> None:
    # Minuteman III reaches at least 8,200 km even westward at the equator (max_range on WGS84).
    lat1, lon1 = frames.destination(lat0, lon0, bearing, range_km * 1e3)
    vehicles = stack([missile("minuteman_iii").vehicle()])
    res = aim(vehicles, [lat0], [lon0], [lat1], [lon1])
    assert res.reachable[0]
    miss = independent_miss_m(res, np.atleast_1d(lat1), np.atleast_1d(lon1))
    assert miss[0] < CONTRACT_MISS_M  # contract 1 km (targeting doc)


# -- trajectory shapes ------------------------------------------------------------------------

# Rows along the equator: the apogee is over the equator and the target on it, so the apogee's
# height above the target's radius (what aim controls) is its geodetic height.
EQUATOR_LAT0 = np.array([0.0, 0.0])
EQUATOR_LON0 = np.array([0.0, 60.0])
EQUATOR_BEARING = np.array([90.0, 270.0])
EQUATOR_RANGE_M = np.array([6000e3, 5000e3])


@pytest.fixture(scope="module")
def equator_min_energy() -> tuple[TargetingResult, FloatArray, FloatArray]:
    lat1, lon1 = frames.destination(EQUATOR_LAT0, EQUATOR_LON0, EQUATOR_BEARING, EQUATOR_RANGE_M)
    vehicles = stack([missile("minuteman_iii").vehicle()] * 2)
    return aim(vehicles, EQUATOR_LAT0, EQUATOR_LON0, lat1, lon1), lat1, lon1


def _aim_equator(lat1: FloatArray, lon1: FloatArray, **kwargs: object) -> TargetingResult:
    vehicles = stack([missile("minuteman_iii").vehicle()] * 2)
    res = aim(vehicles, EQUATOR_LAT0, EQUATOR_LON0, lat1, lon1, **kwargs)  # type: ignore[arg-type]
    assert np.all(res.reachable), kwargs
    miss = independent_miss_m(res, lat1, lon1)
    assert np.all(miss < CONTRACT_MISS_M), (kwargs, miss)  # contract 1 km (targeting doc)
    return res


def test_shapes_order_apogees(
    equator_min_energy: tuple[TargetingResult, FloatArray, FloatArray],
) -> None:
    min_energy, lat1, lon1 = equator_min_energy
    apo_min = min_energy.trajectory.apogee_m()
    lofted = _aim_equator(lat1, lon1, shape="lofted")
    depressed = _aim_equator(lat1, lon1, shape="depressed", apogee_m=0.6 * apo_min)
    assert np.all(lofted.trajectory.apogee_m() > apo_min + 100e3), lofted.trajectory.apogee_m()
    assert np.all(depressed.trajectory.apogee_m() < apo_min - 100e3)
    # Lofted with neither apogee nor angle: every stage burns to depletion.
    np.testing.assert_allclose(lofted.cutoff_s, 188.0, atol=1e-6)  # MM3: 61 + 66 + 61 s
    assert np.all(min_energy.cutoff_s < 188.0 - 1.0)  # min-energy terminates thrust early
    # Above / below the minimum-energy trajectory: lower / higher kick.
    assert np.all(lofted.kick_deg < min_energy.kick_deg)
    assert np.all(depressed.kick_deg > min_energy.kick_deg)


@pytest.mark.parametrize(
    ("shape", "factor"), [("depressed", 0.6), ("lofted", 1.6)], ids=["depressed", "lofted"]
)
def test_apogee_given_is_flown(
    equator_min_energy: tuple[TargetingResult, FloatArray, FloatArray], shape: str, factor: float
) -> None:
    min_energy, lat1, lon1 = equator_min_energy
    goal = factor * min_energy.trajectory.apogee_m()
    res = _aim_equator(lat1, lon1, shape=shape, apogee_m=goal)
    flown = res.trajectory.apogee_m()
    np.testing.assert_allclose(flown, goal, atol=1000.0)  # within 1 km of the asked apogee


def test_apogee_given_is_flown_off_equator() -> None:
    lat0, lon0 = np.array([48.0]), np.array([-100.0])
    lat1, lon1 = frames.destination(lat0, lon0, np.array([330.0]), np.array([7000e3]))
    vehicles = stack([missile("minuteman_iii").vehicle()])
    res = aim(vehicles, lat0, lon0, lat1, lon1, shape="depressed", apogee_m=600e3)
    assert res.reachable[0]
    assert abs(res.trajectory.apogee_m()[0] - 600e3) < 1000.0  # within 1 km of the asked apogee


# Routes for the angle and apogee shapes: from Malmstrom AFB (the Minuteman III base) to the
# north-east, and westward along the equator (against the Earth's rotation).
FPA_ROUTES: tuple[tuple[float, float, float, float], ...] = (
    (47.505, -111.183, 45.0, 2500e3),
    (0.0, 60.0, 270.0, 1500e3),
)
FPA_GOALS_DEG = (20.0, 35.0, 60.0)


@pytest.mark.parametrize("missile_id", ["minuteman_iii", "rs24_yars"])
@pytest.mark.parametrize("shape", ["lofted", "depressed"])
def test_flight_path_angle_given_is_flown(missile_id: str, shape: str) -> None:
    """The burnout angle asked for is the Earth-relative one, and it is the one flown and
    reported (issue 10, bug 3: aimed inertial, reported Earth-relative, 60 -> 65.6 deg)."""
    rows = [(route, goal) for route in FPA_ROUTES for goal in FPA_GOALS_DEG]
    lat0 = np.array([route[0] for route, _ in rows])
    lon0 = np.array([route[1] for route, _ in rows])
    lat1, lon1 = frames.destination(
        lat0, lon0, np.array([route[2] for route, _ in rows]), np.array([r[3] for r, _ in rows])
    )
    goal = np.array([g for _, g in rows])
    vehicles = stack([missile(missile_id).vehicle()] * goal.size)
    res = aim(vehicles, lat0, lon0, lat1, lon1, shape=shape, flight_path_angle_deg=goal)  # type: ignore[arg-type]
    assert np.all(res.reachable)
    assert np.all(independent_miss_m(res, lat1, lon1) < CONTRACT_MISS_M)  # contract 1 km
    flown = burnout_earth_relative_fpa_deg(res)
    # The solver stops within 1e-3 deg of the goal on the burnout state that is then flown;
    # 0.05 deg leaves margin and is far below the 1-7 deg between the inertial and the
    # Earth-relative angles of these flights.
    np.testing.assert_allclose(flown, goal, atol=0.05)
    # What the CLI reports (Trajectory.burnout_ground_state) is the same angle: the two
    # computations agree to rounding.
    _, _, reported = res.trajectory.burnout_ground_state()
    np.testing.assert_allclose(reported, flown, atol=1e-9)
    # The test tells the definitions apart: the inertial angle is degrees away here.
    assert np.max(np.abs(burnout_inertial_fpa_deg(res) - goal)) > 1.0


def test_flight_path_angle_on_non_rotating_sphere_is_the_inertial_one() -> None:
    # Without rotation and flattening the Earth-relative and inertial angles coincide.
    lat0, lon0 = np.array([10.0, 10.0]), np.array([20.0, 20.0])
    lat1, lon1 = frames.destination(lat0, lon0, np.array([30.0, 30.0]), np.array([3e6, 3e6]))
    vehicles = stack([missile("minuteman_iii").vehicle()] * 2)
    goal = np.array([25.0, 55.0])
    res = aim(vehicles, lat0, lon0, lat1, lon1, "lofted", flight_path_angle_deg=goal, earth=SPHERE)
    assert np.all(res.reachable)
    np.testing.assert_allclose(burnout_inertial_fpa_deg(res), goal, atol=0.05)  # as above


# -- apogee-shaped lofted flights ---------------------------------------------------------------

# About 1,000 km: east from Malmstrom AFB, and north from the equator (where the Earth's rotation
# carries a lofted flight sideways by hundreds of km).
LOFT_ROUTES: tuple[tuple[float, float, float, float], ...] = (
    (47.505, -111.183, 90.0, 1000e3),
    (0.0, 0.0, 0.0, 1000e3),
)


def _route_rows(n: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Each LOFT_ROUTES route repeated n times: launch and target lat/lon (deg)."""
    lat0 = np.repeat([r[0] for r in LOFT_ROUTES], n)
    lon0 = np.repeat([r[1] for r in LOFT_ROUTES], n)
    bearing = np.repeat([r[2] for r in LOFT_ROUTES], n)
    lat1, lon1 = frames.destination(lat0, lon0, bearing, np.repeat([r[3] for r in LOFT_ROUTES], n))
    return lat0, lon0, lat1, lon1


@pytest.mark.parametrize("missile_id", ["minuteman_iii", "rs24_yars"])
def test_every_apogee_up_to_the_full_burn_loft_is_flown(missile_id: str) -> None:
    """Issue 10, bug 4: apogees of 2,000-4,000 km over 1,000 km were refused. Every apogee
    from the min-energy flight's up to 98 % of the full-burn lofted flight's is flown."""
    n = 8
    ends = stack([missile(missile_id).vehicle()] * len(LOFT_ROUTES))
    lat0, lon0, lat1, lon1 = _route_rows(1)
    lowest = aim(ends, lat0, lon0, lat1, lon1).trajectory.apogee_m()
    full = aim(ends, lat0, lon0, lat1, lon1, shape="lofted")
    assert np.all(full.on_target)
    np.testing.assert_allclose(full.cutoff_s, ends.burnout_s[:, -1], atol=1e-9)  # full burn
    highest = full.trajectory.apogee_m()
    # The full-burn loft is the vertical-ish maximum: within 2 % of the apogee of a vertical
    # flight (kick 0) of the same missile (a slight tilt loses less to gravity, so it may be
    # a little higher).
    vertical = fly(ends, lat0, lon0, np.zeros(2), np.zeros(2), None).apogee_m()
    np.testing.assert_allclose(highest, vertical, rtol=0.02)
    goal = np.concatenate(
        [np.linspace(lo, 0.98 * hi, n) for lo, hi in zip(lowest, highest, strict=True)]
    )
    lat0, lon0, lat1, lon1 = _route_rows(n)
    vehicles = stack([missile(missile_id).vehicle()] * goal.size)
    res = aim(vehicles, lat0, lon0, lat1, lon1, shape="lofted", apogee_m=goal)
    assert np.all(res.reachable), goal[~res.reachable]
    assert np.all(independent_miss_m(res, lat1, lon1) < CONTRACT_MISS_M)  # contract 1 km
    # The solver stops within 100 m of the goal on the flown apogee (its coast sampled at
    # most 5 s apart near the top: < 31 m); 1 km is the tolerance asked of it.
    np.testing.assert_allclose(res.trajectory.apogee_m(), goal, atol=1000.0)


def test_apogee_beyond_the_full_burn_loft_is_refused() -> None:
    lat0, lon0, lat1, lon1 = _route_rows(1)
    vehicles = stack([missile("rs24_yars").vehicle()] * 2)
    highest = aim(vehicles, lat0, lon0, lat1, lon1, shape="lofted").trajectory.apogee_m()
    res = aim(vehicles, lat0, lon0, lat1, lon1, shape="lofted", apogee_m=1.03 * highest)
    assert not np.any(res.reachable)
    assert not np.any(res.on_target)
    # The CLI's error, unchanged: the target is in range, the shape is not.
    with pytest.raises(OutOfRangeError, match="no lofted trajectory of this missile lands"):
        fly_missile(
            "rs24_yars",
            float(lat0[0]),
            float(lon0[0]),
            target=(float(lat1[0]), float(lon1[0])),
            shape="lofted",
            apogee_km=1.03 * float(highest[0]) / 1e3,
        )


# -- min-energy optimality --------------------------------------------------------------------


def test_min_energy_coast_needs_the_least_burnout_speed(batch: Batch) -> None:
    """min-energy means the least-energy coast from burnout to the target: the burnout speed
    equals the speed of the minimum-energy transfer between the burnout point r1 and the
    vacuum impact point r2, v^2 = mu (2/r1 - 1/a_m) with a_m = (r1 + r2 + c) / 4 (c the chord;
    Bate, Mueller & White, sec. 5.x; Vallado, Fundamentals of Astrodynamics, sec. 7.6)."""
    res = batch.result
    r1, v1 = res.trajectory.burnout_r, res.trajectory.burnout_v
    target = frames.geodetic_to_vector(batch.lat1, batch.lon1, 0.0, WGS84)
    dt = time_to_radius(r1, v1, np.linalg.norm(target, axis=-1), MU)
    r2, _ = propagate(r1, v1, dt)
    n1, n2 = np.linalg.norm(r1, axis=-1), np.linalg.norm(r2, axis=-1)
    chord = np.linalg.norm(r2 - r1, axis=-1)
    a_min = (n1 + n2 + chord) / 4.0
    v_min = np.sqrt(MU * (2.0 / n1 - 1.0 / a_min))
    speed = np.linalg.norm(v1, axis=-1)
    assert np.all(speed >= v_min * (1.0 - 1e-9))  # no coast between r1 and r2 is cheaper
    excess = speed / v_min - 1.0
    # The solver stops within 0.25 deg of the least-energy flight-path angle; the speed excess
    # is second order in that error: below 1e-4 relative.
    assert np.all(excess < 1e-4), f"burnout speed above the least-energy coast: {excess}"


def test_coarse_first_pass_saves_full_boosts_and_lands_the_same_targets(
    batch: Batch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coarse first pass only moves the first guesses: without it the same rows are
    reachable and land within the tolerance, and with it fewer full-step boosts are flown
    (counted row by row, as flown by ``fly_boost`` at its default steps)."""
    flown = {"full": 0, "coarse": 0}
    fly_boost = targeting.fly_boost

    def counting(problem: BoostProblem, *args: object, **kwargs: object) -> BoostResult:
        full = kwargs.get("step_s", 1.0) == 1.0
        flown["full" if full else "coarse"] += problem.vehicles.size
        return fly_boost(problem, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(targeting, "fly_boost", counting)
    with_pass = aim(batch.vehicles, batch.lat0, batch.lon0, batch.lat1, batch.lon1)
    full_with, coarse_with = flown["full"], flown["coarse"]
    monkeypatch.setattr(targeting, "_coarse_first_pass", lambda *args: None)
    flown.update(full=0, coarse=0)
    without = aim(batch.vehicles, batch.lat0, batch.lon0, batch.lat1, batch.lon1)
    assert coarse_with == len(BATCH)
    assert flown["coarse"] == 0
    assert full_with < flown["full"], (full_with, flown["full"])
    for res in (with_pass, without):
        assert np.all(res.reachable)
        assert np.all(independent_miss_m(res, batch.lat1, batch.lon1) < MISS_TOLERANCE_M + 1.0)
    # Both are points of the band the solver accepts (burnout angle within 0.25 deg of the
    # least-energy one), not one answer: on this batch their kicks are 0.01 deg apart at most
    # (measured); 0.5 deg, twice the band's width in angle, fails a pass that lands a row on
    # another branch of the kicks.
    np.testing.assert_allclose(with_pass.kick_deg, without.kick_deg, atol=0.5)


# -- out of reach and invalid inputs ----------------------------------------------------------


def test_out_of_reach_is_reported_not_clipped() -> None:
    # Minuteman III reaches about 8,200 km westward at the equator: 13,000 km is out of reach.
    # A reachable row in the same batch is still solved.
    lat0, lon0 = np.array([0.0, 0.0]), np.array([0.0, 0.0])
    lat1, lon1 = frames.destination(lat0, lon0, np.array([270.0, 270.0]), np.array([13e6, 5e6]))
    vehicles = stack([missile("minuteman_iii").vehicle()] * 2)
    res = aim(vehicles, lat0, lon0, lat1, lon1)
    assert res.reachable.tolist() == [False, True]
    miss = independent_miss_m(res, lat1, lon1)
    assert miss[0] > 1000e3  # the closest trajectory, not one silently moved onto the target
    np.testing.assert_allclose(res.miss_m[0], miss[0], rtol=1e-6)
    assert miss[1] < CONTRACT_MISS_M  # contract 1 km (targeting doc)


@pytest.mark.parametrize(
    ("launch", "target", "kwargs"),
    [
        ((np.nan, 0.0), (10.0, 10.0), {}),
        ((0.0, 0.0), (95.0, 10.0), {}),
        ((0.0, 0.0), (10.0, 200.0), {}),
        ((0.0, 0.0), (30.0, 10.0), {"shape": "max-range"}),
        (
            (0.0, 0.0),
            (30.0, 10.0),
            {"shape": "lofted", "apogee_m": 1e6, "flight_path_angle_deg": 30.0},
        ),
        ((0.0, 0.0), (30.0, 10.0), {"apogee_m": 1e6}),  # min-energy has no free condition
        ((0.0, 0.0), (30.0, 10.0), {"shape": "lofted", "apogee_m": np.nan}),
    ],
    ids=[
        "nan",
        "lat95",
        "lon200",
        "max-range",
        "apogee-and-fpa",
        "min-energy-apogee",
        "nan-apogee",
    ],
)
def test_invalid_inputs_raise(
    launch: tuple[float, float], target: tuple[float, float], kwargs: dict[str, object]
) -> None:
    vehicles = stack([missile("minuteman_iii").vehicle()])
    with pytest.raises(TargetingError):
        aim(vehicles, [launch[0]], [launch[1]], [target[0]], [target[1]], **kwargs)  # type: ignore[arg-type]


# -- max_range --------------------------------------------------------------------------------


def test_max_range_direction_free_on_non_rotating_sphere() -> None:
    vehicles = stack([missile("minuteman_iii").vehicle()] * 2)
    res = max_range(vehicles, [30.0, 30.0], [40.0, 40.0], [0.0, 90.0], earth=SPHERE)
    north, east = res.trajectory.ground_range_m()
    assert abs(north - east) < 1000.0  # no rotation, no flattening: direction does not matter
    assert 8000e3 < north < 11000e3  # a Minuteman III range, not a degenerate flight


def test_max_range_eastward_beats_westward_on_rotating_earth() -> None:
    vehicles = stack([missile("minuteman_iii").vehicle()] * 2)
    res = max_range(vehicles, [0.0, 0.0], [0.0, 0.0], [90.0, 270.0], earth=WGS84)
    east, west = res.trajectory.ground_range_m()
    # The launch site moves east at 465 m/s: eastward shots gain it, westward ones lose it.
    assert east > west + 1000e3, (east, west)


def test_boost_into_the_ground_is_refused_with_a_clear_error() -> None:
    # A 60 deg pitch-over drives a Minuteman III into the ground before burnout (its envelope
    # keeps kicks below about 48 deg); flying it must say so, not fail somewhere downstream.
    vehicles = stack([missile("minuteman_iii").vehicle()])
    with pytest.raises(GroundContactError, match="below the surface"):
        fly(vehicles, [0.0], [0.0], [90.0], [60.0], None)


def test_on_target_requires_reach_and_the_contract_miss(batch: Batch) -> None:
    res = batch.result
    assert np.array_equal(res.on_target, res.reachable & (res.miss_m <= CONTRACT_MISS_M))
    assert np.all(res.on_target)


def test_a_single_stage_row_cuts_thrust_early_in_a_batch_with_multi_stage_rows() -> None:
    """A one-stage vehicle stacked with a three-stage one (its stack padded with zero-length
    stages) reaches the short ranges it reaches when aimed alone: its earliest thrust
    termination is its own pitch-over, not the end of its only stage."""
    from glasnost.physics.vehicle import Vehicle

    mm3 = missile("minuteman_iii").vehicle()
    one = Vehicle(name="one_stage", stages=mm3.stages[:1], payload_kg=900.0)
    for lat in (1.5, 2.5, 4.0):  # 167-445 km north of the equator
        mixed = aim(stack([one, mm3]), [0.0, 0.0], [0.0, 0.0], [lat, 30.0], [0.0, 0.0])
        alone = aim(stack([one]), [0.0], [0.0], [lat], [0.0])
        assert alone.on_target[0]
        assert mixed.on_target.all()
        assert mixed.miss_m[0] == pytest.approx(alone.miss_m[0], abs=1e-6)
