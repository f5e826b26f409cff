"""Validation of complete trajectories, ``glasnost.physics.trajectory.fly`` (README §2-§4).

* Launch to impact on the rotating WGS84 Earth against an independent high-accuracy
  integration with SciPy's DOP853: the boost as in test_rocket_validation (the module's boost
  equations, restarted at every thrust discontinuity), the coast with point-mass gravity
  (written here; the default coast is the two-body Kepler arc) until the geodetic height falls
  to 100 km, then the reentry with J2 gravity and drag 0.5 rho |v_air| v_air / beta written
  here from the smooth US76 model (``atmosphere.properties``, not the module's 10 m table),
  ending where ``rocket.approximate_altitude`` is 0, the module's impact condition.
* The optional J2 coast against DOP853 with J2 gravity, and the size of the J2 effect (Kepler
  vs J2 coast impact points) recorded as a measurement.
* Conservation of two-body energy and angular momentum along the Kepler coast.
* Properties over random launches (hypothesis): impact on the surface, phases in order.
* Earth rotation (README §4) and published Minuteman III performance (README §3).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from glasnost.physics import atmosphere, frames, gravity
from glasnost.physics.constants import MU, OMEGA_EARTH, R_EQUATOR, WGS84
from glasnost.physics.rocket import approximate_altitude
from glasnost.physics.trajectory import REENTRY_INTERFACE_M, Phase, Trajectory, fly
from glasnost.physics.vehicle import stack
from tests.validation.test_rocket_validation import (
    AZIMUTH,
    LAUNCH_LAT,
    LAUNCH_LON,
    dop853_boost,
    mm3_vehicle,
)

Reference = Callable[..., None]  # the `reference` fixture of tests/validation/conftest.py
FloatArray = NDArray[np.float64]

DOP853_FLIGHT = (
    "SciPy DOP853: boost (module equations, rtol 1e-11), point-mass coast (rtol 1e-12), "
    "J2 + drag reentry (smooth US76, rtol 1e-11); own events"
)
DOP853_J2 = "SciPy DOP853 rtol=1e-12 with J2 gravity, own event at approximate height 100 km"
README_MM3 = "validation README §3, Minuteman III (AFGSC fact sheet; README §3)"

KEPLER_EARTH = dataclasses.replace(WGS84, j2=0.0)  # point-mass gravity, same mu


def _mm3_fly(
    kicks: FloatArray,
    lat: float = LAUNCH_LAT,
    lon: float = LAUNCH_LON,
    azimuth: float = AZIMUTH,
    **kwargs: object,
) -> Trajectory:
    n = len(kicks)
    return fly(
        stack([mm3_vehicle()] * n),
        np.full(n, lat),
        np.full(n, lon),
        np.full(n, azimuth),
        kicks,
        **kwargs,  # type: ignore[arg-type]
    )


def _point_mass(_t: float, y: FloatArray) -> FloatArray:
    r = y[:3]
    return np.concatenate([y[3:], -MU * r / np.linalg.norm(r) ** 3])


def _j2(_t: float, y: FloatArray) -> FloatArray:
    return np.concatenate([y[3:], gravity.acceleration(y[:3], WGS84)])


def _reentry(beta: float) -> Callable[[float, FloatArray], FloatArray]:
    omega = np.array([0.0, 0.0, OMEGA_EARTH])

    def rhs(_t: float, y: FloatArray) -> FloatArray:
        r, v = y[:3], y[3:]
        height = approximate_altitude(r.reshape(3, 1), WGS84)
        rho = float(atmosphere.properties(height)[0][0])
        v_air = v - np.cross(omega, r)
        drag = -0.5 * rho * np.linalg.norm(v_air) * v_air / beta
        return np.concatenate([v, gravity.acceleration(r, WGS84) + drag])

    return rhs


def _height_event(height_fn: Callable[[FloatArray], float], level_m: float) -> Callable[..., float]:
    def event(_t: float, y: FloatArray) -> float:
        return height_fn(y[:3]) - level_m

    event.terminal = True  # type: ignore[attr-defined]
    event.direction = -1.0  # type: ignore[attr-defined]
    return event


def _geodetic_height(r: FloatArray) -> float:
    return float(frames.altitude(r, WGS84))


def _approx_height(r: FloatArray) -> float:
    return float(approximate_altitude(r.reshape(3, 1), WGS84)[0])


def _descend(
    rhs: Callable[[float, FloatArray], FloatArray],
    t0: float,
    y0: FloatArray,
    event: Callable[..., float],
    rtol: float,
) -> tuple[float, FloatArray]:
    sol = solve_ivp(rhs, (t0, t0 + 7200.0), y0, method="DOP853", rtol=rtol, atol=1e-6, events=event)
    assert sol.status == 1, "the reference did not come down"  # terminal event reached
    return float(sol.t_events[0][0]), sol.y_events[0][0]


def _ecef_distance(r1: FloatArray, t1: float, r2: FloatArray, t2: float) -> float:
    """Distance (m) between two ECI points fixed on the Earth at their own times."""
    e1, _ = frames.eci_to_ecef(r1, t1, WGS84)
    e2, _ = frames.eci_to_ecef(r2, t2, WGS84)
    return float(np.linalg.norm(e1 - e2))


# ---------------------------------------------------------------------------------------------
# Launch to impact against DOP853


def test_point_mass_field_is_the_kepler_field() -> None:
    r = frames.geodetic_to_vector(np.array([0.0, 45.0, 89.0]), np.array([0.0, 10.0, -70.0]), 5e5)
    expected = -MU * r / np.linalg.norm(r, axis=-1, keepdims=True) ** 3
    got = gravity.acceleration(r, KEPLER_EARTH)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0.0)  # j2=0 is two-body, 1e-14


def test_full_trajectory_matches_dop853(reference: Reference) -> None:
    kicks = np.array([25.0, 30.0, 35.0])
    tr = _mm3_fly(kicks)
    problem = tr.boost.problem
    r0, v0 = frames.ecef_to_eci(tr.launch_r_ecef, 0.0, WGS84)
    beta = float(mm3_vehicle().reentry_beta_kg_m2)
    for i, kick in enumerate(kicks):
        r_bo, v_bo = dop853_boost(problem, i, r0[i], v0[i])
        t_bo = float(tr.burnout_s[i])
        assert t_bo == 188.0  # README §3: 61 + 66 + 61 s of burn
        t_ri, y_ri = _descend(
            _point_mass,
            t_bo,
            np.concatenate([r_bo, v_bo]),
            _height_event(_geodetic_height, REENTRY_INTERFACE_M),
            1e-12,
        )
        t_imp, y_imp = _descend(
            _reentry(beta), t_ri, y_ri, _height_event(_approx_height, 0.0), 1e-11
        )
        reference(  # 100 m (issue requirement for the impact point)
            f"MM3 impact point vs DOP853, kick {kick:g} deg",
            _ecef_distance(tr.impact_r_eci[i], float(tr.impact_s[i]), y_imp[:3], t_imp),
            0.0,
            100.0,
            DOP853_FLIGHT,
            unit="m",
        )
        reference(  # 0.1 s (issue requirement for the flight time)
            f"MM3 flight time vs DOP853, kick {kick:g} deg",
            tr.impact_s[i],
            t_imp,
            0.1,
            DOP853_FLIGHT,
            unit="s",
        )
        reference(  # 0.1 s: Kepler coast end (geodetic 100 km) vs the point-mass integration
            f"MM3 reentry-interface time vs DOP853, kick {kick:g} deg",
            tr.reentry_s[i],
            t_ri,
            0.1,
            DOP853_FLIGHT,
            unit="s",
        )


# ---------------------------------------------------------------------------------------------
# J2 coast


J2_CASES = (  # (label, kick deg, thrust cutoff s, nominal ground range km)
    ("5,000 km", 30.0, 174.0, 5000.0),
    ("10,000 km", 33.5, 188.0, 10000.0),
)


def test_j2_coast_vs_kepler_and_dop853(reference: Reference) -> None:
    kicks = np.array([c[1] for c in J2_CASES])
    cutoff = np.array([c[2] for c in J2_CASES])
    kepler = _mm3_fly(kicks, cutoff_s=cutoff)
    j2 = _mm3_fly(kicks, cutoff_s=cutoff, coast="j2")
    assert j2.coast_arc is not None  # coast='j2' keeps its marched arc (Trajectory docs)
    ranges = kepler.ground_range_m() / 1e3
    for i, (label, _, _, nominal) in enumerate(J2_CASES):
        assert abs(ranges[i] - nominal) < 0.05 * nominal  # the case has the range it claims, 5 %
        reference(  # 30 km: documents the size of the J2 effect on the impact point
            f"impact point, J2 coast vs Kepler coast (measurement of the J2 effect), {label}",
            _ecef_distance(
                j2.impact_r_eci[i],
                float(j2.impact_s[i]),
                kepler.impact_r_eci[i],
                float(kepler.impact_s[i]),
            )
            / 1e3,
            0.0,
            30.0,
            "measurement: Kepler (default) vs J2 numerical coast, same boost and reentry",
            unit="km",
        )
        # The J2 coast itself against DOP853 with J2 gravity, from the same burnout state.
        t_end, y_end = _descend(
            _j2,
            float(j2.burnout_s[i]),
            np.concatenate([j2.burnout_r[i], j2.burnout_v[i]]),
            _height_event(_approx_height, REENTRY_INTERFACE_M),
            1e-12,
        )
        reference(  # 10 m (task requirement for the J2 coast end state)
            f"J2 coast end position vs DOP853, {label}",
            np.linalg.norm(j2.coast_arc.r[i, -1] - y_end[:3]),
            0.0,
            10.0,
            DOP853_J2,
            unit="m",
        )
        reference(  # 1 ms: the end event is solved to a millimetre of height
            f"J2 coast end time vs DOP853, {label}",
            j2.reentry_s[i],
            t_end,
            1e-3,
            DOP853_J2,
            unit="s",
        )


# ---------------------------------------------------------------------------------------------
# Conservation on the Kepler coast


def test_kepler_coast_conserves_energy_and_angular_momentum(reference: Reference) -> None:
    kicks = np.array([20.0, 30.0, 40.0])
    tr = _mm3_fly(kicks)
    frac = np.linspace(0.0, 1.0, 101)
    t = tr.burnout_s[:, None] + frac[None, :] * (tr.reentry_s - tr.burnout_s)[:, None]
    r, v = tr.sample(t)
    energy = 0.5 * np.sum(v * v, axis=-1) - MU / np.linalg.norm(r, axis=-1)
    h = np.linalg.norm(np.cross(r, v), axis=-1)
    e_err = np.max(np.abs(energy / energy[:, :1] - 1.0))
    h_err = np.max(np.abs(h / h[:, :1] - 1.0))
    reference(  # 1e-9 relative: two-body integrals of motion (Bate, Mueller & White ch. 1)
        "Kepler coast specific energy v^2/2 - mu/r, worst over 3 x 101 samples",
        e_err,
        0.0,
        1e-9,
        "two-body energy integral (Bate, Mueller & White ch. 1)",
    )
    reference(  # 1e-9 relative: two-body integrals of motion (Bate, Mueller & White ch. 1)
        "Kepler coast angular momentum |r x v|, worst over 3 x 101 samples",
        h_err,
        0.0,
        1e-9,
        "two-body angular-momentum integral (Bate, Mueller & White ch. 1)",
    )


# ---------------------------------------------------------------------------------------------
# Properties over random launches


launches = st.lists(
    st.tuples(
        st.floats(-80.0, 80.0),  # latitude (deg); the pitch-over's east is undefined at the poles
        st.floats(-180.0, 180.0),  # longitude (deg)
        st.floats(0.0, 360.0, exclude_max=True),  # azimuth (deg)
        st.floats(20.0, 40.0),  # kick (deg)
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=25, deadline=None)
@given(launches)
def test_impact_on_surface_and_phases_in_order(
    rows: list[tuple[float, float, float, float]],
) -> None:
    lat, lon, az, kick = (np.array(c) for c in zip(*rows, strict=True))
    n = len(rows)
    tr = fly(stack([mm3_vehicle()] * n), lat, lon, az, kick)
    r_imp, _ = tr.state_at(tr.impact_s)
    assert np.all(np.abs(frames.altitude(r_imp, WGS84)) < 0.01)  # impact on the surface, 1 cm
    assert np.all(tr.impact_s > tr.reentry_s)  # impact after the reentry interface
    assert np.all(tr.reentry_s >= tr.burnout_s)  # interface not before burnout
    times = np.stack(
        [
            np.full(n, -1.0),
            0.5 * tr.burnout_s,
            tr.burnout_s,
            0.5 * (tr.burnout_s + tr.reentry_s),
            0.5 * (tr.reentry_s + tr.impact_s),
            tr.impact_s,
            tr.impact_s + 1.0,
        ]
    )
    phases = np.stack([tr.phase_at(t) for t in times])
    assert np.all(np.diff(phases, axis=0) >= 0)  # phases never go back
    assert np.all(phases[0] == Phase.PRELAUNCH)  # before t = 0: on the launch pad
    assert np.all(phases[-1] == Phase.IMPACTED)  # after impact_s: on the ground
    assert np.all(phases[1] == Phase.BOOST)  # half-way through the burn
    assert np.all(phases[4] == Phase.REENTRY)  # half-way from the interface to impact
    coast = tr.reentry_s > tr.burnout_s
    assert np.all(phases[3][coast] == Phase.COAST)  # a coast between burnout and the interface


# ---------------------------------------------------------------------------------------------
# Earth rotation


def test_earth_rotation_east_beats_west(reference: Reference) -> None:
    """Equator launches to the east and west with the same steering (README §4)."""
    east_west = np.array([90.0, 270.0])
    kicks = np.array([30.0, 30.0])
    n = 2
    tr = fly(stack([mm3_vehicle()] * n), np.zeros(n), np.zeros(n), east_west, kicks)
    still = fly(
        stack([mm3_vehicle()] * n),
        np.zeros(n),
        np.zeros(n),
        east_west,
        kicks,
        earth=dataclasses.replace(WGS84, name="wgs84-still", rotation_rad_s=0.0),
    )
    _, v_launch = tr.state_at(np.zeros(n))
    reference(  # 1 mm/s: omega R cos(0) = 465.1 m/s (README §4)
        "launch-site inertial speed at the equator",
        np.linalg.norm(v_launch[0]),
        OMEGA_EARTH * R_EQUATOR,
        1e-3,
        "validation README §4: omega R cos(lat), 465 m/s at the equator",
        unit="m/s",
    )
    east, west = tr.ground_range_m()
    assert east > west + 1000e3  # README §4: eastward gains range (465 m/s each way: > 1,000 km)
    still_range = still.ground_range_m()
    assert abs(still_range[0] - still_range[1]) < 1.0  # no rotation: symmetric to 1 m
    assert west < still_range[0] < east  # README §4: rotation adds east, subtracts west


# ---------------------------------------------------------------------------------------------
# Published Minuteman III performance


def test_minuteman_iii_published_performance(reference: Reference) -> None:
    """Maximum range with the 900 kg payload (the light end of README §3's 900-1,400 kg) over
    kicks 20-45 deg, compared with the published 9,650 km (5,218 nmi; AFGSC) within 10 %: the
    13,000 km figure is for a much reduced payload, so the 9,650 km band is the one a 900 kg
    payload (about a three-RV bus) should fall in. The speed at the 100 km reentry interface
    of that trajectory is compared with the published ~6.7 km/s ("about 15,000 mph")."""
    kicks = np.arange(20.0, 45.01, 0.25)
    tr = _mm3_fly(kicks)
    ranges = tr.ground_range_m()
    best = int(np.argmax(ranges))
    assert 0 < best < kicks.size - 1  # the maximum is inside the scanned kick range
    reference(  # 10 % relative (README §3: range about 9,650 km)
        "MM3 maximum range, 900 kg payload, kick scan 20-45 deg",
        ranges[best] / 1e3,
        9650.0,
        0.10,
        README_MM3 + ": range about 9,650 km (5,218 nmi)",
        unit="km",
        relative=True,
    )
    reentry_speed = np.linalg.norm(tr.reentry_arc.v[best, 0])
    reference(  # 10 % relative (README §3: about 6.7 km/s)
        "MM3 speed at the 100 km reentry interface, maximum-range trajectory",
        reentry_speed / 1e3,
        6.7,
        0.10,
        README_MM3 + ": reentry speed about 6.7 km/s (15,000 mph)",
        unit="km/s",
        relative=True,
    )


# ---------------------------------------------------------------------------------------------
# Sampling


def test_state_is_continuous_across_phase_boundaries() -> None:
    tr = _mm3_fly(np.array([25.0, 30.0, 35.0]))
    dt = 1e-9  # s: at 7 km/s the point moves 7 micrometres
    for t_edge in (tr.burnout_s, tr.reentry_s):
        r_a, v_a = tr.state_at(t_edge)
        r_b, v_b = tr.state_at(t_edge + dt)
        assert np.all(tr.phase_at(t_edge + dt) == tr.phase_at(t_edge) + 1)  # the next phase
        assert np.all(np.linalg.norm(r_b - r_a, axis=-1) < 0.01)  # position jump < 1 cm
        assert np.all(np.linalg.norm(v_b - v_a, axis=-1) < 1e-3)  # velocity jump < 1 mm/s
    r_a, _ = tr.state_at(tr.impact_s)
    r_b, _ = tr.state_at(tr.impact_s + dt)
    assert np.all(np.linalg.norm(r_b - r_a, axis=-1) < 0.01)  # impact point held, < 1 cm


def test_sample_shape_and_values() -> None:
    tr = _mm3_fly(np.array([25.0, 30.0, 35.0]))
    t = np.linspace(-10.0, 3000.0, 40)[None, :] + np.array([[0.0], [1.0], [2.0]])
    r, v = tr.sample(t)
    assert r.shape == (3, 40, 3)  # (N, M, 3) per the Trajectory.sample docstring
    assert v.shape == (3, 40, 3)  # (N, M, 3) per the Trajectory.sample docstring
    for j in (0, 7, 39):
        r_j, v_j = tr.state_at(t[:, j])
        np.testing.assert_array_equal(r[:, j], r_j)  # sample is state_at column by column
        np.testing.assert_array_equal(v[:, j], v_j)  # exact: same computation
