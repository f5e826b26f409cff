"""Validation of glasnost.defense.flyout (recorded with the ``reference`` fixture).

(a) Straight up: the simple-model table's least time to reach a point above the site (above
    the vertical burnout altitude) against the closed-form vertical flight -- the straight boost
    to r_site + V t_b / 2, then the radial two-body coast integrated with SciPy ``solve_ivp``
    (DOP853) to the point's radius. Tolerance 0.002 s, the accuracy the flyout module states
    straight above the site (measured within 0.0015 s).
(b) Against the Lambert-based kernel on a non-rotating sphere: for 12 points of two simple
    interceptors (4.5 km/s / 50 s and 7 km/s / 100 s), the least time at which the kernel's
    required burnout speed (``required_burnout_velocity``) comes down to the declared one, found
    by a scan and bisection on the coast time, against the table's time: within 0.06 s, the
    accuracy the flyout module states for these points (measured 0.002-0.052 s), and never
    sooner than the kernel (the table's time is the later one on every point; a measured
    property, not one the module promises).
(c) A GBI-like 3-stage vehicle. ILLUSTRATIVE stage data, not the real interceptor's: stages like
    the Orion 50SXLG, 50XL and 38 motors of the Orbital Boost Vehicle (Pegasus XL-class masses,
    Isp and burn times from open descriptions of those motors; 206 s of burn), an assumed 0.6 m2
    nozzle exit on the ground-launched first stage, a 64 kg kill vehicle; 21.6 t at launch (the
    GMD environmental impact statement says "up to 25 tons", 22.7 t). Its best burnout speed over
    the fan, with drag, is about 10.9 km/s: above the open estimates of 7-8.5 km/s (the catalog
    assumes 7.5 km/s for gbi_3stage; Lewis & Postol 2007 imply more than 8.5 km/s), so the stack
    is NOT within 10 % of them and is not tuned to be. What is checked: at least the Lewis &
    Postol bound (a published figure of low confidence: known from a secondary summary, the
    original not retrieved; and the stack is illustrative, not the interceptor's), and below
    the stack's ideal (rocket-equation) velocity gain (consistency: losses are not negative).
(d) Drag on the way up matters: without drag (boost and coast) the same vehicle burns out
    faster and reaches low-altitude points sooner.
(e) The rotating Earth: the tables neglect the Coriolis acceleration of the interceptor's own
    flight. At the table's least time to Earth-fixed points 1,000-2,000 km east, west and north of
    sites at 0 and 55 deg N (200-1,000 km altitude), the Lambert-based kernel on a rotating
    sphere needs a burnout speed within 1.3 % of the table's at 4.5 km/s and 0.2 % at 7.5 km/s,
    the figures the flyout module states (measured 1.30 % and 0.18 %); the module also states
    what that means in time.
(f) Derived interceptor stacks (glasnost.defense.derived_stack) of the built-in types. The
    flown burnout speed equals the declared one within 0.3 %: "fitted", the fit's own target,
    NOT an independent check. Independent physics: the vertical flight without drag or
    back-pressure loses exactly the integral of g over the burn (Sutton & Biblarz, Rocket
    Propulsion Elements, ch. 4: vertical powered flight, v = c ln(m0/mf) - int g dt), so its
    loss lies between t_b g(burnout radius) and t_b g(surface) (closed form; the ideal gain
    evaluated here from the stage data, not by the code); and the flown speed is below the
    ideal velocity gain (consistency: losses are not negative). No open source found for this
    work gives a range of total gravity + drag losses for interceptors, so none is asserted;
    the losses are recorded (0.5-1.0 km/s for the built-in types).
(g) The kill vehicle's coast with drag against SciPy ``solve_ivp`` (DOP853, rtol 1e-10) of the
    same point mass with drag (exact US 1976 density, the same Cd(Mach), drag at every
    height), for the kill vehicles of the derived 53T6, THAAD and SM-3 IIA stacks: coasts that
    stay low in the atmosphere and coasts that leave it (Kepler above 120 km) and come back.
    Tolerance 6 m of position at every 2 s sample, the agreement the coast_drag module states
    (measured 0.2-5.5 m; the residual: RK4 across the kinks of the piecewise-linear Cd(Mach) and
    the tabulated atmosphere); 6 m is 0.002 s at 3 km/s, inside the table's 0.06 s.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from glasnost.defense.coast_drag import CoastDrag, coast_samples
from glasnost.defense.derived_stack import SPEED_TOLERANCE, DerivedStack, interceptor_stack
from glasnost.defense.engagement import required_burnout_velocity
from glasnost.defense.flyout import (
    FlyoutTable,
    best_burnout_speed,
    simple_flyout_table,
    staged_fan,
    staged_flyout_table,
    time_to_reach,
)
from glasnost.physics import atmosphere, frames
from glasnost.physics.constants import OMEGA_EARTH, R_MEAN, SPHERE, EarthModel
from glasnost.physics.vehicle import MACH_GRID, Stage, Vehicle
from glasnost.scenario.builtin import builtin_scenario

Reference = Callable[..., None]  # the `reference` fixture of tests/validation/conftest.py

DOP853 = "straight vertical boost + SciPy solve_ivp DOP853 (rtol 1e-12) radial two-body coast"
LAMBERT = "Lambert-based kernel (required_burnout_velocity), least coast time by bisection"
LEWIS_POSTOL = (
    "Lewis & Postol 2007 (via catalog_reference.yaml gbi_3stage): > 8.5 km/s; catalog "
    "assumes 7.5 km/s (catalog_assumptions.yaml)"
)
G0 = 9.80665  # m/s^2, standard gravity (validation README §3)
ROTATING_SPHERE = EarthModel("rotating sphere", R_MEAN, 0.0, OMEGA_EARTH, 0.0)

SIMPLE = {"4.5 km/s, 50 s": (4500.0, 50.0), "7 km/s, 100 s": (7000.0, 100.0)}


def gbi_like() -> Vehicle:
    """The illustrative GBI-like 3-stage vehicle of (c) (module doc)."""
    return Vehicle(
        "gbi_like",
        (
            Stage(16380.0, 15010.0, 68.4, 295.0, 1.27, exit_area_m2=0.6),
            Stage(4310.0, 3920.0, 69.7, 289.0, 1.27),
            Stage(890.0, 770.0, 67.7, 287.0, 0.97),
        ),
        payload_kg=64.0,
        vertical_rise_s=2.0,
        pitch_over_s=6.0,
    )


@pytest.fixture(scope="module")
def tables() -> dict[str, FlyoutTable]:
    return {name: simple_flyout_table(v, tb, 3500e3, 1600e3) for name, (v, tb) in SIMPLE.items()}


# --------------------------------------------------------------------------------------------
# (a) Straight up
# --------------------------------------------------------------------------------------------


def _vertical_time(speed: float, burn_s: float, height_m: float) -> float:
    r0 = R_MEAN + 0.5 * speed * burn_s

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return np.array([y[1], -SPHERE.mu / y[0] ** 2])

    def event(_t: float, y: np.ndarray) -> float:
        return float(y[0] - (R_MEAN + height_m))

    event.direction = 1  # type: ignore[attr-defined]
    sol = solve_ivp(
        rhs, (0.0, 5000.0), [r0, speed], method="DOP853", rtol=1e-12, atol=1e-9, events=event
    )
    return burn_s + float(sol.t_events[0][0])


@pytest.mark.parametrize(
    ("name", "height_km"),
    [
        ("4.5 km/s, 50 s", 300.0),
        ("4.5 km/s, 50 s", 1000.0),
        ("7 km/s, 100 s", 700.0),
        ("7 km/s, 100 s", 1500.0),
    ],
)
def test_straight_up_matches_the_vertical_flight(
    reference: Reference, tables: dict[str, FlyoutTable], name: str, height_km: float
) -> None:
    speed, burn = SIMPLE[name]
    ours = float(time_to_reach(tables[name], 0.0, height_km * 1e3))
    reference(
        f"simple flyout table ({name}): least time straight up to {height_km:.0f} km",
        ours,
        _vertical_time(speed, burn, height_km * 1e3),
        2e-3,  # 0.002 s: the accuracy flyout.py states straight above the site
        DOP853,
        unit="s",
        kind="second method",
        basis="the accuracy the flyout module states straight above the site (0.002 s; measured "
        "within 0.0015 s); the DOP853 coast is good to microseconds",
    )


# --------------------------------------------------------------------------------------------
# (b) Against the Lambert-based kernel, non-rotating
# --------------------------------------------------------------------------------------------


def _lambert_least_time(
    speed: float,
    burn_s: float,
    site: np.ndarray,
    r_i: np.ndarray,
    earth: EarthModel,
    t_i: float = 0.0,
) -> float:
    """Least time from launch at which the kernel's required speed to r_i (ECI at t_i) is at
    most ``speed``: a log scan of coast times, then bisection on the first feasible one."""

    def needed(tau: np.ndarray) -> np.ndarray:
        out: np.ndarray = required_burnout_velocity(
            site, burn_s, t_i - burn_s - tau, t_i, r_i, earth=earth
        )
        return out

    taus = np.geomspace(1.0, 3000.0, 800)
    ok = np.flatnonzero(needed(taus) <= speed)
    assert ok.size
    assert ok[0] > 0
    lo, hi = float(taus[ok[0] - 1]), float(taus[ok[0]])
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if needed(np.array(mid)) <= speed:
            hi = mid
        else:
            lo = mid
    return burn_s + hi


POINTS_B = [
    ("4.5 km/s, 50 s", 200.0, 100.0),
    ("4.5 km/s, 50 s", 500.0, 300.0),
    ("4.5 km/s, 50 s", 1000.0, 100.0),
    ("4.5 km/s, 50 s", 1000.0, 700.0),
    ("4.5 km/s, 50 s", 1500.0, 300.0),
    ("4.5 km/s, 50 s", 2000.0, 100.0),
    ("7 km/s, 100 s", 500.0, 1000.0),
    ("7 km/s, 100 s", 1000.0, 300.0),
    ("7 km/s, 100 s", 2000.0, 700.0),
    ("7 km/s, 100 s", 2400.0, 1000.0),
    ("7 km/s, 100 s", 3000.0, 100.0),
    ("7 km/s, 100 s", 3000.0, 1500.0),
]


@pytest.mark.parametrize(("name", "range_km", "height_km"), POINTS_B)
def test_simple_table_matches_the_lambert_kernel(
    reference: Reference,
    tables: dict[str, FlyoutTable],
    name: str,
    range_km: float,
    height_km: float,
) -> None:
    speed, burn = SIMPLE[name]
    site = np.array([R_MEAN, 0.0, 0.0])
    angle = range_km * 1e3 / R_MEAN
    r_i = (R_MEAN + height_km * 1e3) * np.array([math.cos(angle), 0.0, math.sin(angle)])
    case = (
        f"simple flyout table ({name}) vs Lambert kernel, non-rotating: least time to "
        f"{range_km:.0f} km range, {height_km:.0f} km altitude"
    )
    ours = float(time_to_reach(tables[name], range_km * 1e3, height_km * 1e3))
    kernel = _lambert_least_time(speed, burn, site, r_i, SPHERE)
    reference(  # 0.06 s: the accuracy flyout.py states for these 12 points
        f"{case}: at most 0.06 s later",
        ours,
        kernel,
        0.06,
        LAMBERT,
        unit="s",
        relation="<=",
        kind="second method",
        basis="the accuracy the flyout module states against the kernel for these points "
        "(0.06 s; measured 0.002-0.052 s); the kernel's time is bisected to 1e-12 relative",
    )
    reference(  # a bound: the table's time is never the earlier one (measured on every point)
        f"{case}: not sooner",
        ours,
        kernel,
        0.0,
        LAMBERT,
        unit="s",
        relation=">=",
        kind="second method",
        basis="a bound with no allowance: the table's time is the later one on all 12 points "
        "(by 0.002-0.052 s), the conservative side; measured, not a property the module states",
    )


# --------------------------------------------------------------------------------------------
# (c), (d) A staged GBI-like vehicle
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staged() -> dict[bool, FlyoutTable]:
    return {
        drag: staged_flyout_table(gbi_like(), 3000e3, 1000e3, drag=drag, coast_drag=drag)
        for drag in (True, False)
    }


def test_gbi_like_burnout_speed(reference: Reference, staged: dict[bool, FlyoutTable]) -> None:
    ours = staged[True].burnout_speed_ms / 1e3
    reference(
        "GBI-like 3-stage vehicle (illustrative Orion-motor stack, 64 kg kill vehicle): best "
        "burnout speed with drag, at least the Lewis & Postol bound",
        ours,
        8.5,
        0.0,
        LEWIS_POSTOL,
        unit="km/s",
        relation=">=",
        kind="published",
        basis="the published lower bound as printed, no allowance; LOW CONFIDENCE: known from a "
        "secondary summary, original not retrieved (catalog confidence: low); the catalog "
        "elsewhere quotes them as 7.7-8.3 and ~9 km/s; the stack is illustrative, not GBI data",
    )
    reference(
        "GBI-like 3-stage vehicle: best burnout speed below its ideal velocity gain",
        ours,
        gbi_like().ideal_delta_v_ms() / 1e3,
        0.0,
        "Tsiolkovsky rocket equation of the same stack (Vehicle.ideal_delta_v_ms)",
        unit="km/s",
        relation="<=",
        kind="consistency",
        basis="a bound with no allowance: losses are not negative; the ideal gain is the code's "
        "own evaluation of the same stack, and 1 km/s of margin confirms only the sign",
    )
    assert staged[True].burn_time_s == pytest.approx(68.4 + 69.7 + 67.7)


def test_drag_on_the_way_up_delays_low_intercepts(staged: dict[bool, FlyoutTable]) -> None:
    with_drag, vacuum = staged[True], staged[False]
    assert vacuum.burnout_speed_ms > with_drag.burnout_speed_ms + 100.0
    ranges = np.array([1000e3, 1000e3, 1500e3, 2000e3])
    heights = np.array([100e3, 200e3, 150e3, 200e3])
    slow = time_to_reach(with_drag, ranges, heights)
    fast = time_to_reach(vacuum, ranges, heights)
    assert np.all(np.isfinite(fast))
    assert np.all(fast < slow - 2.0)  # inf (unreachable with drag) also counts as slower


# --------------------------------------------------------------------------------------------
# (e) The rotating Earth: the Coriolis acceleration of the interceptor's flight
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("speed", "burn", "stated"),
    [(4500.0, 50.0, 0.013), (7500.0, 100.0, 0.002)],  # flyout.py: 1.3 % and 0.2 %
)
def test_coriolis_neglect_is_small(
    reference: Reference, speed: float, burn: float, stated: float
) -> None:
    table = simple_flyout_table(speed, burn, 2500e3, 1100e3)
    t_i = 3000.0
    worst = 0.0
    for lat in (0.0, 55.0):
        site = frames.geodetic_to_vector(lat, 20.0, 0.0, ROTATING_SPHERE)
        for az in (0.0, 90.0, 270.0):
            for d in (1000e3, 2000e3):
                for h in (200e3, 500e3, 1000e3):
                    reach = float(time_to_reach(table, d, h))
                    if not math.isfinite(reach):
                        continue
                    lat2, lon2 = frames.destination(lat, 20.0, az, d, R_MEAN)
                    p = frames.geodetic_to_vector(lat2, lon2, h, ROTATING_SPHERE)
                    r_i, _ = frames.ecef_to_eci(p, t_i, ROTATING_SPHERE)
                    needed = float(
                        required_burnout_velocity(
                            site, burn, t_i - reach, t_i, r_i, earth=ROTATING_SPHERE
                        )
                    )
                    worst = max(worst, abs(needed / speed - 1.0))
    reference(
        f"simple flyout table ({speed / 1e3:g} km/s, {burn:.0f} s) on a rotating Earth: "
        "burnout speed the Lambert kernel needs at the table's least time, largest relative "
        "difference (Coriolis neglected)",
        worst,
        0.0,
        stated,  # flyout.py: 1.3 % at 4.5 km/s, 0.2 % at 7.5 km/s (measured 1.30 %, 0.18 %)
        "Lambert-based kernel on a rotating sphere",
        unit="relative",
        relation="<=",
        kind="second method",
        basis="the figures the flyout module states for this neglect: 1.3 % at 4.5 km/s, 0.2 % "
        "at 7.5 km/s within 2,000 km (measured here 1.30 % and 0.18 %)",
    )


# --------------------------------------------------------------------------------------------
# (f) Derived interceptor stacks of the built-in types
# --------------------------------------------------------------------------------------------

BUILTIN_TYPES = [t.id for t in builtin_scenario("us-ru").interceptor_types]
SUTTON = (
    "Sutton & Biblarz, Rocket Propulsion Elements, ch. 4: vertical powered flight loses "
    "int g dt (g0 t_b in uniform gravity)"
)


def _derived(type_id: str) -> DerivedStack:
    return interceptor_stack(builtin_scenario("us-ru").interceptor_type(type_id))


def _rocket_equation(veh: Vehicle) -> float:
    """Ideal velocity gain (m/s) of the stack, evaluated here from its stage data: the sum over
    the stages of g0 Isp ln(m0 / mf), m0 the stage, the stages above it, the payload and (up
    to its jettison) the shroud; mf = m0 less the stage's propellant (validation README §3)."""
    dv = 0.0
    for k, stage in enumerate(veh.stages):
        m0 = sum(s.gross_mass_kg for s in veh.stages[k:]) + veh.payload_kg
        if k < veh.shroud_jettison_after_stage:
            m0 += veh.shroud_kg
        dv += G0 * stage.isp_vac_s * math.log(m0 / (m0 - stage.propellant_mass_kg))
    return dv


@pytest.mark.parametrize("type_id", BUILTIN_TYPES)
def test_derived_stack_flies_to_the_declared_speed(reference: Reference, type_id: str) -> None:
    """Fitted: the declared speed is the fit's target, not a reference."""
    itype = builtin_scenario("us-ru").interceptor_type(type_id)
    d = _derived(type_id)
    assert itype.burnout_velocity_kms is not None
    declared = itype.burnout_velocity_kms * 1e3
    reference(
        f"derived stack of {type_id}: best burnout speed over the fan, flown with drag",
        best_burnout_speed(d.vehicle),
        declared,
        SPEED_TOLERANCE,
        "the declared burnout velocity the derived-stack fit aims at",
        relative=True,
        kind="fitted",
        basis="the fit's own acceptance tolerance (derived_stack.SPEED_TOLERANCE, 0.3 %)",
    )
    assert d.vehicle.burn_time_s == pytest.approx(itype.burn_time_s, rel=1e-12)
    if itype.launch_mass_kg is not None:
        assert d.vehicle.launch_mass_kg == pytest.approx(itype.launch_mass_kg, rel=1e-12)


@pytest.mark.parametrize("type_id", BUILTIN_TYPES)
def test_derived_stack_losses_obey_the_rocket_equation(reference: Reference, type_id: str) -> None:
    d = _derived(type_id)
    veh = d.vehicle
    # Drag off and no back-pressure (vacuum thrust): only gravity acts against the thrust.
    bare = replace(veh, stages=tuple(replace(s, exit_area_m2=0.0) for s in veh.stages))
    fan = staged_fan(bare, drag=False)
    assert fan.kick_rad[0] == 0.0  # the vertical flight
    vertical = float(np.linalg.norm(fan.v_bo[0]))
    r_bo = float(np.linalg.norm(fan.r_bo[0]))
    ideal = _rocket_equation(veh)  # evaluated here, not by the code under test
    assert ideal == pytest.approx(veh.ideal_delta_v_ms(), rel=1e-12)  # the code's own agrees
    t_b = veh.burn_time_s
    reference(
        f"derived stack of {type_id}: vertical flight, drag off, velocity loss at most "
        "t_b g(surface)",
        ideal - vertical,
        t_b * SPHERE.mu / R_MEAN**2,
        1e-6,
        SUTTON,
        unit="m/s",
        relation="<=",
        kind="closed form",
        basis="an exact bound (drag off, vacuum thrust): 1e-6 m/s allows only rounding",
    )
    reference(
        f"derived stack of {type_id}: vertical flight, drag off, velocity loss at least "
        "t_b g(burnout radius)",
        ideal - vertical,
        t_b * SPHERE.mu / r_bo**2,
        1e-6,
        SUTTON,
        unit="m/s",
        relation=">=",
        kind="closed form",
        basis="an exact bound (drag off, vacuum thrust): 1e-6 m/s allows only rounding",
    )
    gravity = ideal - fan.burnout_speed_ms
    rest = ideal - gravity - d.burnout_speed_ms
    reference(
        f"derived stack of {type_id}: flown burnout speed below the ideal velocity gain "
        f"(losses {(ideal - d.burnout_speed_ms) / 1e3:.2f} km/s: gravity and steering "
        f"{gravity / 1e3:.2f}, drag and back-pressure {rest / 1e3:.2f})",
        d.burnout_speed_ms,
        veh.ideal_delta_v_ms(),
        0.0,
        "Tsiolkovsky rocket equation of the same stack (Vehicle.ideal_delta_v_ms)",
        unit="m/s",
        relation="<=",
        kind="consistency",
        basis="a bound with no allowance: losses are not negative; the ideal gain is the code's "
        "own evaluation of the same stack, and 0.5-1 km/s of margin confirms only the sign",
    )


# --------------------------------------------------------------------------------------------
# (g) The coast with drag against SciPy
# --------------------------------------------------------------------------------------------

DOP853_DRAG = (
    "SciPy solve_ivp DOP853 (rtol 1e-10, atol 1e-6) of the point mass with drag, exact US 1976 "
    "density"
)


def _drag_reference(drag: CoastDrag, r0: np.ndarray, v0: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Positions (K, 3) at times ``t`` after (r0, v0) of r'' = -mu r / |r|^3 - 0.5 rho |v|
    Cd(Mach) A / m v on the non-rotating sphere, drag at every height."""

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        r, v = y[:3], y[3:]
        rn = float(np.linalg.norm(r))
        rho, sound = atmosphere.properties(rn - R_MEAN)
        speed = float(np.linalg.norm(v))
        cd = float(np.interp(speed / float(sound), MACH_GRID, drag.cd))
        k = 0.5 * float(rho) * speed * cd * drag.reference_area_m2 / drag.mass_kg
        return np.concatenate([v, -SPHERE.mu * r / rn**3 - k * v])

    sol = solve_ivp(
        rhs,
        (0.0, float(t[-1])),
        np.concatenate([r0, v0]),
        method="DOP853",
        rtol=1e-10,
        atol=1e-6,
        t_eval=t,
    )
    out: np.ndarray = sol.y[:3].T
    return out


@pytest.mark.parametrize(
    ("type_id", "height_km", "speed_ms", "elevation_deg"),
    [
        ("a135_53t6", 10.0, 3000.0, 15.0),  # stays below 30 km
        ("a135_53t6", 10.0, 3000.0, 30.0),  # stays below the 120 km ceiling
        ("a135_53t6", 15.0, 2500.0, 60.0),  # leaves the atmosphere and comes back
        ("a135_53t6", 15.0, 3000.0, 89.9),  # straight up to 460 km and back
        ("thaad", 20.0, 2800.0, 45.0),
        ("sm3_block_iia", 90.0, 4500.0, 20.0),
    ],
)
def test_coast_with_drag_matches_dop853(
    reference: Reference, type_id: str, height_km: float, speed_ms: float, elevation_deg: float
) -> None:
    drag = CoastDrag.kill_vehicle(_derived(type_id).vehicle)
    e = math.radians(elevation_deg)
    r0 = np.array([R_MEAN + height_km * 1e3, 0.0, 0.0])
    v0 = speed_ms * np.array([math.sin(e), 0.0, math.cos(e)])
    burn = 10.0
    ground, alt, times, valid = coast_samples(r0[None], v0[None], burn, 1800.0, 2.0, SPHERE, drag)
    n = int(valid[0].sum())
    assert n > 20
    assert alt[0, n - 1] < 0.0  # the flight came down
    angle = ground[0, :n] / R_MEAN
    radius = R_MEAN + alt[0, :n]
    ours = np.stack([radius * np.cos(angle), np.zeros(n), radius * np.sin(angle)], axis=1)
    expected = _drag_reference(drag, r0, v0, times[:n] - burn)
    reference(
        f"coast with drag ({type_id} kill vehicle, derived stack) from {height_km:g} km, "
        f"{speed_ms / 1e3:g} km/s at {elevation_deg:g} deg (apogee "
        f"{alt[0, :n].max() / 1e3:.0f} km): largest position difference over the samples",
        float(np.max(np.linalg.norm(ours - expected, axis=1))),
        0.0,
        6.0,  # the agreement coast_drag.py states (DESCENT_DRAG_RATE); 0.002 s at 3 km/s
        DOP853_DRAG,
        unit="m",
        kind="second method",
        basis="the agreement the flyout module states for these coasts (6 m at every sample; "
        "measured 0.2-5.5 m); the DOP853 reference (rtol 1e-10) is good to millimetres",
    )
