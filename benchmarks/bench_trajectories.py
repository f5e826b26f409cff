"""Benchmark: 10,000 targeted ICBM trajectories, batched engine vs per-trajectory SciPy.

Random launch/target pairs 3,000-12,000 km apart all over the globe; each pair gets the first
of Minuteman III, RS-24 Yars, DF-41 and RS-28 Sarmat whose published range is at least 1.35
times the distance. The batched engine (``glasnost.physics.targeting.aim``, min-energy shape) finds
every trajectory on the rotating WGS84 Earth with J2 gravity, boost drag and reentry drag.

Runs, each timed in wall-clock and CPU seconds (every thread's CPU included): one ``aim``
batch, ``aim_parallel`` with 1 worker thread and with one per core (at least 2), in
``--rounds`` rounds (each run in turn, so that a slow spell of the shared machine falls on
every run alike); the medians are printed. It prints whether the runs' results are identical
bit for bit, and whether every round gave the same.

Baseline: the same physics integrated one trajectory at a time with SciPy ``solve_ivp``
(DOP853, rtol 1e-8) on a lean scalar right-hand side (:class:`ScalarForces`: plain-Python
``math`` on floats, the engine's forces; not the engine's array functions called on one-row
arrays, which would charge the baseline NumPy's per-call cost) — boost segment by segment,
point-mass coast to the 100 km interface, reentry with drag down to the ellipsoid — flying
the controls that the batched engine found, on a random sample. Two ratios are printed:

- like for like, one flight each: the engine flies the same controls once
  (:func:`glasnost.physics.trajectory.fly`, one batch per vehicle type as the targeting flies
  them) against the baseline's one flight per trajectory: the same work on both sides;
- targeted: the engine's whole targeting per trajectory (several flights and the root
  solves) against the baseline's one flight, a lower bound (targeting with the baseline would
  need as many flights).

Equal accuracy is checked: the baseline's impact points must agree with the engine's within
1 km. Ratios are of CPU seconds (the machine is shared): the baseline's sample and the
engine's flights are timed in turn, round by round, and the like-for-like ratio printed is the
median of the rounds' ratios (each compares two runs a few seconds apart; the machine's speed
drifts by 20 % within a minute).

``--profile`` prints where one ``aim`` batch of ``--n`` pairs spends its time (cProfile, the
12 functions of most time of their own; the kernels are single entries there).

``--aim-only`` times one ``aim`` batch and prints its CPU seconds, the share on target and the
worst miss (nothing else), so that two source trees can be compared in turn on the same pairs:
``PYTHONPATH=/tmp/base/src .venv/bin/python benchmarks/bench_trajectories.py --aim-only``.

Run:  .venv/bin/python benchmarks/bench_trajectories.py [--n 10000] [--sample 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import math
import pstats
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from glasnost.physics import atmosphere, frames
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.envelope import envelope
from glasnost.physics.parallel import aim_parallel, default_workers
from glasnost.physics.rocket import STEER_GRAVITY_TURN, STEER_PITCH_OVER, BoostSegment
from glasnost.physics.targeted import TargetingResult
from glasnost.physics.targeting import aim
from glasnost.physics.trajectory import REENTRY_INTERFACE_M, Trajectory, fly
from glasnost.physics.vehicle import MACH_GRID, VehicleBatch, stack
from glasnost.scenario.missiles import missile

FloatArray = NDArray[np.float64]
MISSILES = ("minuteman_iii", "rs24_yars", "df41", "rs28_sarmat")


def pairs(n: int, seed: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    lat0 = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    lon0 = rng.uniform(-180.0, 180.0, n)
    distance = rng.uniform(3000e3, 12000e3, n)
    lat1, lon1 = frames.destination(lat0, lon0, rng.uniform(0.0, 360.0, n), distance)
    return lat0, lon0, lat1, lon1, distance


def choose_missiles(distance: FloatArray) -> VehicleBatch:
    """The smallest missile whose range (non-rotating sphere) is 1.35 times the distance: a
    westward launch loses up to about 15 % of the range to the Earth's rotation."""
    vehicles = [missile(m).vehicle() for m in MISSILES]
    ranges = np.array([missile(m).published.range_km or 0.0 for m in MISSILES]) * 1e3
    fits = ranges[None, :] >= 1.35 * distance[:, None]
    pick = np.where(np.any(fits, axis=1), np.argmax(fits, axis=1), len(MISSILES) - 1)
    return stack([vehicles[i] for i in pick])


class ScalarForces:
    """The engine's forces for one trajectory as plain-Python scalar functions (``math`` on
    floats): the lean right-hand side a fair SciPy baseline integrates. Same models as the
    engine: J2 gravity, the tabulated US76 atmosphere, thrust with back-pressure loss, drag on
    the air-relative velocity with the stage's drag curve, the steering of the vertical rise,
    pitch-over and gravity turn; point-mass gravity in the coast (the engine's coast is a
    two-body Kepler arc); J2 gravity and the reentry vehicle's drag in reentry."""

    def __init__(self, traj: Trajectory, row: int) -> None:
        earth: EarthModel = traj.earth
        veh = traj.boost.problem.vehicles
        self.a, self.b = earth.equatorial_radius_m, earth.polar_radius_m
        self.flat, self.omega, self.j2, self.mu = (
            earth.flattening,
            earth.rotation_rad_s,
            earth.j2,
            earth.mu,
        )
        self.log_rho = atmosphere._LOG_RHO.tolist()
        self.log_rho_slope = atmosphere._LOG_RHO_SLOPE.tolist()
        self.sound = atmosphere._SOUND.tolist()
        self.sound_slope = atmosphere._SOUND_SLOPE.tolist()
        self.mach = list(MACH_GRID)
        self.azimuth = float(traj.boost.problem.azimuth_rad[row])
        self.kick = float(traj.boost.problem.kick_rad[row])
        self.rise, self.pitch = float(veh.vertical_rise_s[row]), float(veh.pitch_over_s[row])
        self.beta = float(veh.reentry_beta_kg_m2[row])

    def gravity(self, x: float, y: float, z: float, j2: bool) -> tuple[float, float, float]:
        r2 = x * x + y * y + z * z
        k = -self.mu / (r2 * math.sqrt(r2))
        if not j2 or self.j2 == 0.0:
            return x * k, y * k, z * k
        c = 1.5 * self.j2 * self.a * self.a / r2
        kxy = k * (1.0 + c * (1.0 - 5.0 * z * z / r2))
        return x * kxy, y * kxy, z * kxy + 2.0 * c * k * z

    def altitude(self, x: float, y: float, z: float) -> float:
        r2 = x * x + y * y + z * z
        a, b = self.a, self.b
        return math.sqrt(r2) - a * b / math.sqrt(b * b + (a * a - b * b) * z * z / r2)

    def air(self, x: float, y: float, z: float) -> tuple[float, float]:
        """Density (kg/m^3) and speed of sound (m/s), the tabulated atmosphere."""
        u = (self.altitude(x, y, z) - atmosphere._LOWEST) / atmosphere._TABLE_STEP
        u = min(max(u, 0.0), len(self.log_rho) - 1.000001)
        i = int(u)
        w = u - i
        rho = math.exp(self.log_rho[i] + w * self.log_rho_slope[i])
        return rho, self.sound[i] + w * self.sound_slope[i]

    def boost(self, seg: BoostSegment, row: int) -> Callable[[float, FloatArray], list[float]]:
        ig_s, ig_m = float(seg.ignition_s[row]), float(seg.ignition_mass_kg[row])
        flow, thrust = float(seg.mass_flow_kg_s[row]), float(seg.thrust_vac_n[row])
        exit_area, area = float(seg.exit_area_m2[row]), float(seg.reference_area_m2[row])
        cd = (seg.cd if seg.cd.ndim == 1 else seg.cd[row]).tolist()
        steer, a2, b2 = seg.steer, self.a * self.a, self.b * self.b
        ca, sa = math.cos(self.azimuth), math.sin(self.azimuth)

        def rhs(t: float, s: FloatArray) -> list[float]:
            x, y, z, vx, vy, vz = s
            gx, gy, gz = self.gravity(x, y, z, True)
            rho, sound = self.air(x, y, z)
            wx, wy, wz = vx + self.omega * y, vy - self.omega * x, vz
            speed = math.sqrt(wx * wx + wy * wy + wz * wz)
            mass = ig_m - flow * (t - ig_s)
            tpm = (thrust - rho * sound * sound / atmosphere.GAMMA * exit_area) / mass
            mach = speed / sound
            j = min(max(bisect.bisect_right(self.mach, mach) - 1, 0), len(self.mach) - 2)
            c_d = cd[j] + (cd[j + 1] - cd[j]) * (min(mach, self.mach[-1]) - self.mach[j]) / (
                self.mach[j + 1] - self.mach[j]
            )
            drag = 0.5 * area * rho * speed * c_d / mass
            if steer == STEER_GRAVITY_TURN:
                along = tpm / max(speed, 1e-9) - drag
                return [vx, vy, vz, gx + along * wx, gy + along * wy, gz + along * wz]
            ux, uy, uz = x / a2, y / a2, z / b2
            un = math.sqrt(ux * ux + uy * uy + uz * uz)
            ux, uy, uz = ux / un, uy / un, uz / un
            dx, dy, dz = ux, uy, uz
            if steer == STEER_PITCH_OVER:
                rxy = math.hypot(x, y)
                ex, ey = -y / rxy, x / rxy
                nx, ny, nz = -uz * ey, uz * ex, ux * ey - uy * ex
                hx, hy, hz = ca * nx + sa * ex, ca * ny + sa * ey, ca * nz
                th = self.kick * min(max((t - self.rise) / self.pitch, 0.0), 1.0)
                ct, st = math.cos(th), math.sin(th)
                dx, dy, dz = ct * ux + st * hx, ct * uy + st * hy, ct * uz + st * hz
            return [
                vx,
                vy,
                vz,
                gx + tpm * dx - drag * wx,
                gy + tpm * dy - drag * wy,
                gz + tpm * dz - drag * wz,
            ]

        return rhs

    def coast(self, t: float, s: FloatArray) -> list[float]:
        x, y, z, vx, vy, vz = s
        return [vx, vy, vz, *self.gravity(x, y, z, False)]

    def reentry(self, t: float, s: FloatArray) -> list[float]:
        x, y, z, vx, vy, vz = s
        gx, gy, gz = self.gravity(x, y, z, True)
        rho, _ = self.air(x, y, z)
        wx, wy, wz = vx + self.omega * y, vy - self.omega * x, vz
        k = 0.5 * rho * math.sqrt(wx * wx + wy * wy + wz * wz) / self.beta
        return [vx, vy, vz, gx - k * wx, gy - k * wy, gz - k * wz]

    def below(self, level: float) -> Callable[[float, FloatArray], float]:
        def event(t: float, s: FloatArray) -> float:
            return self.altitude(s[0], s[1], s[2]) - level

        event.terminal = True  # type: ignore[attr-defined]
        event.direction = -1  # type: ignore[attr-defined]
        return event


def scipy_flight(traj: Trajectory, row: int, rtol: float) -> tuple[FloatArray, float]:
    """Fly one row's controls with solve_ivp (DOP853) on :class:`ScalarForces`; returns the
    ECEF impact point and time."""
    earth: EarthModel = traj.earth
    forces = ScalarForces(traj, row)
    boost = traj.boost.subset(np.array([row]))
    y = np.concatenate([boost.r_nodes[0, :, 0], boost.v_nodes[0, :, 0]])
    seg_ids = boost.step_segment[0]
    t = boost.t[0]
    end = float(traj.burnout_s[row])
    starts = [0] + [j + 1 for j in range(len(seg_ids) - 1) if seg_ids[j + 1] != seg_ids[j]]
    for k, j in enumerate(starts):
        t_a = float(t[j])
        t_b = float(t[starts[k + 1]]) if k + 1 < len(starts) else end
        t_b = min(t_b, end)
        if t_b <= t_a:
            continue
        rhs = forces.boost(traj.boost.segments[int(seg_ids[j])], row)
        y = solve_ivp(rhs, (t_a, t_b), y, method="DOP853", rtol=rtol, atol=1e-6).y[:, -1]
    t0 = end
    if forces.altitude(*y[:3]) > REENTRY_INTERFACE_M:
        sol = solve_ivp(
            forces.coast,
            (t0, t0 + 7200),
            y,
            method="DOP853",
            rtol=rtol,
            atol=1e-6,
            events=forces.below(REENTRY_INTERFACE_M),
        )
        y, t0 = sol.y_events[0][0], float(sol.t_events[0][0])
    sol = solve_ivp(
        forces.reentry,
        (t0, t0 + 3600),
        y,
        method="DOP853",
        rtol=rtol,
        atol=1e-6,
        events=forces.below(0.0),
    )
    r_imp, t_imp = sol.y_events[0][0][:3], float(sol.t_events[0][0])
    r_ecef, _ = frames.eci_to_ecef(r_imp, t_imp, earth)
    return r_ecef, t_imp


def cpu_s() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def engine_flights(
    vehicles: VehicleBatch, lat0: FloatArray, lon0: FloatArray, found: TargetingResult
) -> tuple[float, Trajectory]:
    """CPU seconds of the engine flying the controls ``found`` once, one batch per vehicle type
    (as the targeting flies them), and the flights (in row order)."""
    groups = [
        np.flatnonzero([v == kind for v in vehicles.vehicles])
        for kind in dict.fromkeys(vehicles.vehicles)
    ]
    cpu = cpu_s()
    parts = [
        fly(
            vehicles.take(g),
            lat0[g],
            lon0[g],
            found.azimuth_deg[g],
            found.kick_deg[g],
            found.cutoff_s[g],
        )
        for g in groups
    ]
    used = cpu_s() - cpu
    return used, Trajectory.concat(parts, groups)


def identical(a: TargetingResult, b: TargetingResult) -> bool:
    """Whether two targeting results are the same bit for bit."""
    return all(
        np.array_equal(getattr(a, f), getattr(b, f))
        for f in ("azimuth_deg", "kick_deg", "cutoff_s", "miss_m", "reachable")
    ) and np.array_equal(a.trajectory.impact_s, b.trajectory.impact_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the timed runs, each run in turn"
    )
    parser.add_argument("--aim-only", action="store_true", help="time one aim batch only")
    parser.add_argument(
        "--profile", action="store_true", help="profile one aim batch (cProfile) and print the top"
    )
    args = parser.parse_args()

    lat0, lon0, lat1, lon1, distance = pairs(args.n, args.seed)
    vehicles = choose_missiles(distance)
    for veh in set(vehicles.vehicles):  # per-type tables, built once per process
        envelope(veh)
    aim(vehicles.take(np.arange(4)), lat0[:4], lon0[:4], lat1[:4], lon1[:4])  # load the kernels
    points = (lat0, lon0, lat1, lon1)
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(aim, vehicles, *points)
        stats = pstats.Stats(profile)
        print(f"aim, one batch of {args.n}: {stats.total_tt:.2f} s under cProfile")  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(12)
        return
    if args.aim_only:
        cpu = cpu_s()
        result = aim(vehicles, *points)
        used = cpu_s() - cpu
        on = result.on_target
        print(
            f"aim, one batch: {args.n} trajectories, {used:.2f} s CPU; on target {on.mean():.2%}, "
            f"worst miss {result.miss_m[on].max():.1f} m"
        )
        return
    workers = max(2, default_workers())
    plan: list[tuple[str, Callable[[], TargetingResult]]] = [
        ("aim, one batch, 1 process", lambda: aim(vehicles, *points)),
        ("aim_parallel, 1 thread", lambda: aim_parallel(vehicles, *points, workers=1)),
        (
            f"aim_parallel, {workers} threads",
            lambda: aim_parallel(vehicles, *points, workers=workers),
        ),
    ]
    # Round by round, each run in turn, so that a slow spell of the shared machine falls on
    # every run alike; medians over the rounds.
    results: dict[str, list[TargetingResult]] = {name: [] for name, _ in plan}
    walls: dict[str, list[float]] = {name: [] for name, _ in plan}
    cpus: dict[str, list[float]] = {name: [] for name, _ in plan}
    for _ in range(args.rounds):
        for name, run in plan:
            cpu, start = cpu_s(), time.perf_counter()
            results[name].append(run())
            walls[name].append(time.perf_counter() - start)
            cpus[name].append(cpu_s() - cpu)
    for name, _ in plan:
        wall, used = statistics.median(walls[name]), statistics.median(cpus[name])
        print(
            f"{name}: {args.n} targeted trajectories in {wall:.2f} s wall, {used:.2f} s CPU "
            f"({args.n / wall:,.0f} per second wall; median of {args.rounds}: "
            + ", ".join(f"{w:.2f}" for w in walls[name])
            + " s)"
        )
    names = [name for name, _ in plan]
    result, one, many = (results[name][0] for name in names)
    single_cpu = statistics.median(cpus[names[0]])
    ratios = [a / b for a, b in zip(walls[names[1]], walls[names[2]], strict=True)]
    repeatable = all(identical(r, results[name][0]) for name in names for r in results[name])
    on = result.on_target
    print(
        f"on target (<= 1 km): {on.mean():.1%}, worst miss {result.miss_m[on].max():.0f} m, "
        f"out of reach {np.sum(~result.reachable)}"
    )
    print(
        f"aim_parallel {workers} threads vs 1 thread: {statistics.median(ratios):.2f}x wall "
        f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}); identical results: "
        f"{identical(one, many)}; every run of each the same: {repeatable}"
    )
    # Not bit for bit: a batch's root solves stop when all its rows have converged, so a row
    # may be refined a step further in one batch than in another.
    both = many.on_target & on
    apart = np.abs(many.miss_m - result.miss_m)[both]
    print(
        f"aim_parallel vs one aim batch: identical: {identical(many, result)}; "
        f"same rows on target: {np.array_equal(many.on_target, on)}; misses differ by at most "
        f"{apart.max(initial=0.0):.2f} m ({np.sum(apart > 1.0)} rows by more than 1 m)"
    )

    rng = np.random.default_rng(args.seed + 1)
    sample = rng.choice(np.flatnonzero(on), size=min(args.sample, int(on.sum())), replace=False)
    impacts = frames.geodetic_to_vector(*result.trajectory.impact_geodetic(), 0.0, WGS84)
    # The baseline's sample and the engine's flights in turn, round by round: the ratio of
    # each round compares two runs a few seconds apart.
    baseline_cpus, flight_cpus, diffs = [], [], []
    flown: Trajectory | None = None
    for _ in range(args.rounds):
        cpu = cpu_s()
        diffs = []
        for row in sample:
            r_ecef, _ = scipy_flight(result.trajectory, int(row), rtol=1e-8)
            diffs.append(float(np.linalg.norm(r_ecef - impacts[row])))
        baseline_cpus.append((cpu_s() - cpu) / sample.size)
        used, flown = engine_flights(vehicles, lat0, lon0, result)
        flight_cpus.append(used / args.n)
    assert flown is not None
    baseline_cpu = statistics.median(baseline_cpus)
    flight_cpu = statistics.median(flight_cpus)
    like = [b / f for b, f in zip(baseline_cpus, flight_cpus, strict=True)]
    print(
        f"SciPy solve_ivp baseline (DOP853, rtol 1e-8, lean scalar right-hand side): "
        f"{baseline_cpu * 1e3:.1f} ms CPU per flight on a sample of {sample.size} (median of "
        f"{args.rounds}: {', '.join(f'{b * 1e3:.1f}' for b in baseline_cpus)}); impact "
        f"difference from the engine: max {max(diffs):.1f} m (equal accuracy requires <= 1000 m)"
    )
    flown_impacts = frames.geodetic_to_vector(*flown.impact_geodetic(), 0.0, WGS84)
    apart = np.linalg.norm(flown_impacts - impacts, axis=1)[on]
    print(
        f"per trajectory, CPU, like for like (one flight of the same controls each): engine "
        f"{flight_cpu * 1e3:.3f} ms (batched per vehicle type) vs baseline "
        f"{baseline_cpu * 1e3:.1f} ms: {statistics.median(like):,.0f}x, the median of the "
        f"rounds' ratios ({', '.join(f'{x:,.0f}' for x in like)}); the engine's flight "
        f"lands within {apart.max():.1f} m of its targeted trajectory (median "
        f"{np.median(apart):.1f} m: the targeted boost is stepped to burnout and cut by "
        "interpolation, this one stepped onto the cutoff)"
    )
    engine_cpu = single_cpu / args.n
    print(
        f"per trajectory, CPU: engine {engine_cpu * 1e3:.3f} ms (targeted: several flights) vs "
        f"baseline {baseline_cpu * 1e3:.1f} ms (one flight of the engine's controls): "
        f"{baseline_cpu / engine_cpu:,.0f}x (a lower bound: targeting with the baseline needs "
        "several flights per trajectory)"
    )


if __name__ == "__main__":
    main()
