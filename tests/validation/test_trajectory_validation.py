"""Validation of complete trajectories, ``glasnost.physics.trajectory.fly`` (README §2-§4).

* Launch to impact on the rotating WGS84 Earth against an independent high-accuracy
  integration with SciPy's DOP853: the boost as in test_rocket_validation (the module's boost
  equations, restarted at every thrust discontinuity), the coast with point-mass gravity
  (written here; the default coast is the two-body Kepler arc) until the geodetic height falls
  to 100 km, then the reentry with J2 gravity and drag 0.5 rho |v_air| v_air / beta written
  here from the smooth US76 model (``atmosphere.properties``, not the module's 10 m table),
  ending where ``rocket.approximate_altitude`` is 0, the module's impact condition.
* The optional J2 coast against DOP853 with J2 gravity (1 m of position, README §2), and the
  size of the J2 effect (Kepler vs J2 coast impact points) against the figures docs/physics.md
  quotes (this project's own earlier measurement: a consistency check of the docs).
* Conservation of two-body energy and angular momentum along the Kepler coast (a conic
  conserves both by construction: a consistency check of the sampling, to rounding).
* Properties over random launches (hypothesis): impact on the surface, phases in order.
* Earth rotation (README §4) and published Minuteman III performance (README §3; both
  published rows miss the published figures' own precision and keep a wider tolerance under
  issue 10).
* Lofted flights found by targeting (``aim`` with an apogee): their vacuum coast against the
  closed-form two-body relations from the burnout state (apogee radius and time of free
  flight, Bate, Mueller & White), and the published North Korean lofted tests of 2017
  (Hwasong-14, Hwasong-15: apogee, ground range and flight time) flown by catalog missiles
  with the energy for them.
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
from glasnost.physics.targeting import aim
from glasnost.physics.trajectory import REENTRY_INTERFACE_M, Phase, Trajectory, fly
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import missile
from tests.validation.sources import MILE_KM, MM3_RANGE, MM3_SPEED, MPH
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
BOOST_ACCURACY = (
    "the boost's stated accuracy (3.3 m, 0.05 m/s at burnout against DOP853, docs/physics.md)"
)

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
        reference(  # 100 m: the requirement for the impact point (see basis)
            f"MM3 impact point vs DOP853, kick {kick:g} deg",
            _ecef_distance(tr.impact_r_eci[i], float(tr.impact_s[i]), y_imp[:3], t_imp),
            0.0,
            100.0,
            DOP853_FLIGHT,
            unit="m",
            kind="second method",
            basis="the 100 m required of the impact point, not derived: "
            + BOOST_ACCURACY
            + " would allow 180-320 m (0.05 m/s along the velocity at burnout moves the 100 km "
            "point that far, measured for kicks 25-35 deg); the boost's actual errors: 12-33 m",
        )
        reference(  # 0.1 s: the boost's stated accuracy in time (see basis)
            f"MM3 flight time vs DOP853, kick {kick:g} deg",
            tr.impact_s[i],
            t_imp,
            0.1,
            DOP853_FLIGHT,
            unit="s",
            kind="second method",
            basis=BOOST_ACCURACY + " shifts the arrival at 100 km by up to 0.064 s and 0.005 s "
            "(measured, kicks 25-35 deg); 0.1 s rounds that up for the reentry below it",
        )
        reference(  # 0.1 s: Kepler coast end (geodetic 100 km) vs the point-mass integration
            f"MM3 reentry-interface time vs DOP853, kick {kick:g} deg",
            tr.reentry_s[i],
            t_ri,
            0.1,
            DOP853_FLIGHT,
            unit="s",
            kind="second method",
            basis=BOOST_ACCURACY + " shifts the arrival at 100 km by up to 0.064 s and 0.005 s "
            "(measured, kicks 25-35 deg); 0.1 s rounds that up",
        )


# ---------------------------------------------------------------------------------------------
# J2 coast


J2_CASES = (  # (label, kick deg, thrust cutoff s, nominal ground range km, J2 effect km)
    ("5,000 km", 30.0, 174.0, 5000.0, 6.4),  # J2 effect: as docs/physics.md quotes it
    ("10,000 km", 33.5, 188.0, 10000.0, 22.7),
)


def test_j2_coast_vs_kepler_and_dop853(reference: Reference) -> None:
    kicks = np.array([c[1] for c in J2_CASES])
    cutoff = np.array([c[2] for c in J2_CASES])
    kepler = _mm3_fly(kicks, cutoff_s=cutoff)
    j2 = _mm3_fly(kicks, cutoff_s=cutoff, coast="j2")
    assert j2.coast_arc is not None  # coast='j2' keeps its marched arc (Trajectory docs)
    ranges = kepler.ground_range_m() / 1e3
    for i, (label, _, _, nominal, documented) in enumerate(J2_CASES):
        assert abs(ranges[i] - nominal) < 0.05 * nominal  # the case has the range it claims, 5 %
        reference(  # 0.05 km: half a unit of the last digit docs/physics.md quotes
            f"impact point, J2 coast vs Kepler coast (the J2 effect), {label}",
            _ecef_distance(
                j2.impact_r_eci[i],
                float(j2.impact_s[i]),
                kepler.impact_r_eci[i],
                float(kepler.impact_s[i]),
            )
            / 1e3,
            documented,
            0.05,
            "docs/physics.md (Flight, Coast): the impact point moves by 6.4 km at 5,000 km and "
            "22.7 km at 10,000 km -- this project's own earlier measurement",
            unit="km",
            kind="consistency",
            basis="the docs quote to 0.1 km: half a unit of the last digit; the quote is our own "
            "output, so this keeps the docs true and validates nothing",
        )
        # The J2 coast itself against DOP853 with J2 gravity, from the same burnout state.
        t_end, y_end = _descend(
            _j2,
            float(j2.burnout_s[i]),
            np.concatenate([j2.burnout_r[i], j2.burnout_v[i]]),
            _height_event(_approx_height, REENTRY_INTERFACE_M),
            1e-12,
        )
        reference(  # 1 m: validation README §2, position over an ICBM flight
            f"J2 coast end position vs DOP853, {label}",
            np.linalg.norm(j2.coast_arc.r[i, -1] - y_end[:3]),
            0.0,
            1.0,
            DOP853_J2,
            unit="m",
            kind="second method",
            basis="validation README §2: position agreement better than 1 m over an ICBM flight "
            "(measured 2 mm); the reference uses the code's J2 field (gravity.acceleration)",
        )
        reference(  # 0.35 ms: that 1 m at the 2.7-2.8 km/s radial speed there
            f"J2 coast end time vs DOP853, {label}",
            j2.reentry_s[i],
            t_end,
            3.5e-4,
            DOP853_J2,
            unit="s",
            kind="second method",
            basis="the 1 m of position (README §2) at the 2.7-2.8 km/s radial speed at the 100 km "
            "interface: 0.35-0.37 ms (measured under 1 microsecond)",
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
    reference(  # 1e-13 relative: rounding only (the conic conserves it by construction)
        "Kepler coast specific energy v^2/2 - mu/r, worst over 3 x 101 samples",
        e_err,
        0.0,
        1e-13,
        "two-body energy integral (Bate, Mueller & White ch. 1)",
        unit="relative",
        kind="consistency",
        basis="the Kepler coast is a conic, which conserves energy by construction: this checks "
        "the sampling; 1e-13 is about 500 units of rounding (measured 1.6e-15)",
    )
    reference(  # 1e-13 relative: rounding only (the conic conserves it by construction)
        "Kepler coast angular momentum |r x v|, worst over 3 x 101 samples",
        h_err,
        0.0,
        1e-13,
        "two-body angular-momentum integral (Bate, Mueller & White ch. 1)",
        unit="relative",
        kind="consistency",
        basis="the Kepler coast is a conic, which conserves angular momentum by construction: "
        "this checks the sampling; 1e-13 is about 500 units of rounding (measured 1.8e-15)",
    )


# ---------------------------------------------------------------------------------------------
# Lofted flights found by targeting


def _eccentric_anomaly(r: FloatArray, a: FloatArray, e: FloatArray, rising: bool) -> FloatArray:
    """Eccentric anomaly (rad, in [0, 2 pi)) at radius r of an ellipse: r = a (1 - e cos E),
    E in [0, pi] on the way out and in [pi, 2 pi] on the way back (Bate, Mueller & White 4.2)."""
    e_out = np.arccos(np.clip((1.0 - r / a) / e, -1.0, 1.0))
    return e_out if rising else 2.0 * np.pi - e_out


def test_lofted_coast_matches_kepler_closed_forms(reference: Reference) -> None:
    """Apogee-shaped lofted flights over 1,000 km (Minuteman III 2,500 and 3,500 km, RS-24
    3,000 and 4,000 km), found by ``aim``: their coast from burnout to the 100 km reentry
    interface against the two-body closed forms from the burnout state alone. Energy and
    angular momentum give a = -mu / (2 eps), e = sqrt(1 - h^2 / (mu a)); the apogee radius is
    r_a = a (1 + e), and the time of free flight between two radii is
    sqrt(a^3 / mu) [(E2 - e sin E2) - (E1 - e sin E1)] (Kepler's equation; Bate, Mueller &
    White, Fundamentals of Astrodynamics, ch. 4 and ch. 6, time of free flight)."""
    lat0, lon0 = np.full(4, 47.505), np.full(4, -111.183)
    lat1, lon1 = frames.destination(lat0, lon0, np.full(4, 90.0), np.full(4, 1000e3))
    ids = ["minuteman_iii", "minuteman_iii", "rs24_yars", "rs24_yars"]
    goal = np.array([2500e3, 3500e3, 3000e3, 4000e3])
    res = aim(stack([missile(i).vehicle() for i in ids]), lat0, lon0, lat1, lon1, "lofted", goal)
    assert np.all(res.on_target)
    tr = res.trajectory
    r0, v0 = tr.burnout_r, tr.burnout_v
    rn, speed = np.linalg.norm(r0, axis=-1), np.linalg.norm(v0, axis=-1)
    a = -WGS84.mu / (2.0 * (0.5 * speed**2 - WGS84.mu / rn))
    e = np.sqrt(1.0 - np.sum(np.cross(r0, v0) ** 2, axis=-1) / (WGS84.mu * a))
    r_apogee = a * (1.0 + e)
    mean_motion = np.sqrt(WGS84.mu / a**3)
    e1 = _eccentric_anomaly(rn, a, e, rising=True)
    t_apogee = (np.pi - (e1 - e * np.sin(e1))) / mean_motion  # E = pi at apogee
    r_entry = np.linalg.norm(tr.state_at(tr.reentry_s)[0], axis=-1)
    e2 = _eccentric_anomaly(r_entry, a, e, rising=False)
    t_coast = ((e2 - e * np.sin(e2)) - (e1 - e * np.sin(e1))) / mean_motion
    r_top = np.linalg.norm(tr.state_at(tr.burnout_s + t_apogee)[0], axis=-1)
    for k, name in enumerate(ids):
        case = f"{name} lofted to {goal[k] / 1e3:,.0f} km over 1,000 km"
        reference(  # 1e-6 relative: BMW r_a = a (1 + e) against the flown coast at its top
            f"{case}: apogee radius vs a (1 + e) from the burnout state",
            r_top[k],
            r_apogee[k],
            1e-6,
            "Bate, Mueller & White ch. 6 (apogee radius a (1 + e) of the free-flight ellipse)",
            unit="relative",
            relative=True,
            kind="closed form",
            basis="the coast is a two-body arc: only rounding separates it from the closed "
            "form; 1e-6 (4 m) is far below the 1 % asked",
        )
        reference(  # 1e-6 relative: BMW time of free flight, Kepler's equation
            f"{case}: coast time burnout -> 100 km vs Kepler's equation",
            tr.reentry_s[k] - tr.burnout_s[k],
            t_coast[k],
            1e-6,
            "Bate, Mueller & White ch. 4 (Kepler's equation) and ch. 6 (time of free flight)",
            unit="relative",
            relative=True,
            kind="closed form",
            basis="two-body coast; 1e-6 (3 ms of 45 min) is far below the 1 % asked",
        )
    # The apogee the targeting met is the flown geodetic height; over the closed-form apogee
    # point it differs from r_a - (ellipsoid radius there) by the tilt of the normal against
    # the radius (tens of metres at 4,000 km), and from the goal by the solver's 100 m.
    top, _ = tr.state_at(tr.burnout_s + t_apogee)
    z2 = (top[:, 2] / np.linalg.norm(top, axis=-1)) ** 2
    ea, eb = WGS84.equatorial_radius_m, WGS84.polar_radius_m
    surface = ea * eb / np.sqrt(eb * eb + (ea * ea - eb * eb) * z2)
    np.testing.assert_allclose(tr.apogee_m(), r_apogee - surface, atol=300.0)  # see above
    np.testing.assert_allclose(tr.apogee_m(), goal, atol=1000.0)  # the goal, within 1 km


def _sampled_top_m(tr: Trajectory) -> FloatArray:
    """Highest geodetic height (m) of 4,001 samples of each row from launch to impact."""
    t = np.linspace(0.0, 1.0, 4001)[None, :] * tr.impact_s[:, None]
    r, _ = tr.sample(t)
    return np.asarray(frames.altitude(r.reshape(-1, 3), WGS84).reshape(tr.size, -1).max(axis=1))


def test_apogee_is_the_highest_point_flown() -> None:
    """``Trajectory.apogee_m`` against the highest of 0.3 s samples of the flown path, for
    thrust terminated early above and below the 100 km reentry interface (below it the climb
    goes on in the drag-integrated arc), and for a targeted flight, whose stored boost runs
    on to depletion past the termination (those nodes are not flown and must not count)."""
    kicks = np.array([20.0, 35.0, 40.0])
    cutoff = np.array([150.0, 110.0, 62.0])  # s; the last two burn out near 84 and 27 km
    tr = _mm3_fly(kicks, cutoff_s=cutoff)
    assert np.all(frames.altitude(tr.burnout_r[1:], WGS84) < REENTRY_INTERFACE_M)
    lat0, lon0 = np.array([47.5]), np.array([-111.2])
    lat1, lon1 = frames.destination(lat0, lon0, np.array([90.0]), np.array([300e3]))
    aimed = aim(stack([mm3_vehicle()]), lat0, lon0, lat1, lon1, "lofted", 300e3).trajectory
    assert aimed.burnout_s[0] < aimed.boost.t[0, -1] - 10.0  # the boost runs on past it
    # Sampled every <= 0.27 s, the samples miss the top by < g/8 (0.27 s)^2 < 9 cm; the
    # reentry arc's own nodes (<= 5 s apart) miss it by < g/8 (5 s)^2 = 31 m.
    np.testing.assert_allclose(tr.apogee_m(), _sampled_top_m(tr), atol=40.0)
    np.testing.assert_allclose(aimed.apogee_m(), _sampled_top_m(aimed), atol=40.0)


# Published lofted tests: (name, launch lat, lon, ground range km, apogee km, flight time
# min, source). Ranges and apogees are the announced values; the launch points are the
# reported sites, the impact taken due east (the Sea of Japan) at the announced range.
LOFTED_TESTS = (
    (
        "Hwasong-15, 28 Nov 2017",
        39.25,
        125.87,
        950.0,
        4475.0,
        53.0,
        "KCNA statement on the 28 Nov 2017 launch (4,475 km apogee, 950 km, 53 min), as "
        "widely reported (e.g. D. Wright, Union of Concerned Scientists, 28 Nov 2017)",
    ),
    (
        "Hwasong-14, 4 Jul 2017",
        39.93,
        125.21,
        933.0,
        2802.0,
        39.0,
        "KCNA statement on the 4 Jul 2017 launch (2,802 km apogee, 933 km, 39 min), as "
        "widely reported (e.g. D. Wright, Union of Concerned Scientists, 4 Jul 2017)",
    ),
)


def test_published_lofted_tests_are_flown(reference: Reference) -> None:
    """The 2017 lofted tests, flown with their announced apogee over their announced range
    by catalog missiles with the energy for them (DF-31AG for the Hwasong-15: its full-burn
    loft over 950 km reaches about 4,590 km; Minuteman III and RS-24 for the Hwasong-14):
    the flight time, which the request does not set, is compared with the published one."""
    rows = [(LOFTED_TESTS[0], "df31ag"), (LOFTED_TESTS[1], "minuteman_iii")]
    rows.append((LOFTED_TESTS[1], "rs24_yars"))
    lat0 = np.array([t[1] for t, _ in rows])
    lon0 = np.array([t[2] for t, _ in rows])
    ground = np.array([t[3] for t, _ in rows]) * 1e3
    lat1, lon1 = frames.destination(lat0, lon0, np.full(len(rows), 90.0), ground)
    goal = np.array([t[4] for t, _ in rows]) * 1e3
    vehicles = stack([missile(m).vehicle() for _, m in rows])
    res = aim(vehicles, lat0, lon0, lat1, lon1, "lofted", goal)
    assert np.all(res.on_target)  # within the 1 km contract of the announced range
    np.testing.assert_allclose(res.trajectory.apogee_m(), goal, atol=1000.0)  # as asked, 1 km
    minutes = res.trajectory.flight_time_s / 60.0
    for k, (test, missile_id) in enumerate(rows):
        reference(  # 3 min: rounding, sources and the stand-in's boost (see basis)
            f"{test[0]} flight time, flown by {missile_id}",
            minutes[k],
            test[5],
            3.0,
            test[6],
            unit="min",
            kind="published",
            basis="published times are whole minutes; the coast (about 90 % of the flight) "
            "follows from apogee and range, but the stand-in's boost (about 3 min) and "
            "reentry differ from the Korean missile's, whose staging is not published, by "
            "up to a few minutes",
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
    reference(  # 1e-9 m/s: omega R cos(0) = 465.1 m/s (README §4), rounding only
        "launch-site inertial speed at the equator",
        np.linalg.norm(v_launch[0]),
        OMEGA_EARTH * R_EQUATOR,
        1e-9,
        "validation README §4: omega R cos(lat), 465 m/s at the equator",
        unit="m/s",
        kind="consistency",
        basis="the same omega R formula on the same constants: rounding only (1e-9 m/s is "
        "about 20,000 units of rounding of 465 m/s; measured 0)",
    )
    east, west = tr.ground_range_m()
    assert east > west + 1000e3  # README §4: eastward gains range (465 m/s each way: > 1,000 km)
    still_range = still.ground_range_m()
    assert abs(still_range[0] - still_range[1]) < 1.0  # no rotation: symmetric to 1 m
    assert west < still_range[0] < east  # README §4: rotation adds east, subtracts west


# ---------------------------------------------------------------------------------------------
# Published Minuteman III performance


PAYLOAD_BAND_KG = (900.0, 1400.0)
"""Minuteman III payload band of validation README §3 (light end, heavy end)."""


def test_minuteman_iii_published_performance(reference: Reference) -> None:
    """The published figures ("approximately 6,000 miles", 9,656 km; "around 15,000 mph", 6.71
    km/s) state no payload. Flown north-east from Montana on the rotating Earth, the maximum
    range over kicks 20-45 deg and the speed at the 100 km reentry interface of that
    trajectory must bracket them across README §3's payload band: the light end (900 kg)
    flies at least as far and as fast, the heavy end (1,400 kg) at most, each bound to the
    published figure's own precision (two significant figures: +-50 mi, +-500 mph)."""
    kicks = np.arange(20.0, 45.01, 0.25)
    ends = []
    for payload in PAYLOAD_BAND_KG:
        n = len(kicks)
        tr = fly(
            stack([mm3_vehicle(payload_kg=payload)] * n),
            np.full(n, LAUNCH_LAT),
            np.full(n, LAUNCH_LON),
            np.full(n, AZIMUTH),
            kicks,
        )
        ranges = tr.ground_range_m()
        best = int(np.argmax(ranges))
        assert 0 < best < kicks.size - 1  # the maximum is inside the scanned kick range
        ends.append((ranges[best] / 1e3, float(np.linalg.norm(tr.reentry_arc.v[best, 0])) / 1e3))
    (light_km, light_kms), (heavy_km, heavy_kms) = ends
    for label, ours, relation in (
        ("light end (900 kg) flies at least", light_km, ">="),
        ("heavy end (1,400 kg) flies at most", heavy_km, "<="),
    ):
        reference(  # +-50 mi: "approximately 6,000 miles" to 2 significant figures
            f"MM3 maximum range, rotating Earth, north-east: the payload band's {label} the "
            "published range",
            ours,
            6000.0 * MILE_KM,
            50.0 * MILE_KM,
            MM3_RANGE,
            unit="km",
            relation=relation,
            kind="published",
            basis="payload not stated: the band's ends bracket it, each to the figure's 2 "
            "significant figures (+-50 mi)",
        )
    for label, ours, relation in (
        ("light end (900 kg) at least", light_kms, ">="),
        ("heavy end (1,400 kg) at most", heavy_kms, "<="),
    ):
        reference(  # +-500 mph: "around 15,000 mph" to 2 significant figures
            f"MM3 speed at the 100 km reentry interface, maximum-range trajectory: the "
            f"payload band's {label} the published speed",
            ours,
            15000.0 * MPH / 1e3,
            500.0 * MPH / 1e3,
            MM3_SPEED,
            unit="km/s",
            relation=relation,
            kind="published",
            basis="payload not stated: the band's ends bracket it, each to the figure's 2 "
            "significant figures (+-500 mph)",
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
