"""Benchmark: 10,000 targeted ICBM trajectories, batched engine vs per-trajectory SciPy.

Random launch/target pairs 3,000-12,000 km apart all over the globe; each pair gets the first
of Minuteman III, RS-24 Yars, DF-41 and RS-28 Sarmat whose published range is at least 1.35
times the distance. The batched engine (``glasnost.physics.targeting.aim``, min-energy shape) finds
every trajectory on the rotating WGS84 Earth with J2 gravity, boost drag and reentry drag.

Baseline: the same physics integrated one trajectory at a time with SciPy ``solve_ivp``
(DOP853) — boost segment by segment with the engine's own equations of motion, point-mass
coast to the 100 km interface, reentry with drag down to the ellipsoid — flying the controls
that the batched engine found, on a random sample. Targeting needs several flights per
trajectory; the baseline is charged for one, so the printed ratio is a lower bound. Equal
accuracy is checked: the baseline's impact points must agree with the engine's within 1 km.

Run:  .venv/bin/python benchmarks/bench_trajectories.py [--n 10000] [--sample 20]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from glasnost.physics import frames
from glasnost.physics.coast import GravityOnly, ReentryVehicle
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.parallel import aim_parallel, default_workers
from glasnost.physics.rocket import BoostSegment, approximate_altitude
from glasnost.physics.targeting import aim, envelope
from glasnost.physics.trajectory import REENTRY_INTERFACE_M, Trajectory
from glasnost.physics.vehicle import VehicleBatch, stack
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


def scipy_flight(traj: Trajectory, row: int, rtol: float) -> tuple[FloatArray, float]:
    """Fly one row's controls with solve_ivp; returns the ECEF impact point and time."""
    earth: EarthModel = traj.earth
    boost = traj.boost.subset(np.array([row]))
    problem = boost.problem
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
        seg: BoostSegment = boost.segments[int(seg_ids[j])]

        def rhs(tt: float, yy: FloatArray, seg: BoostSegment = seg) -> FloatArray:
            a = problem.acceleration(np.array([tt]), yy[:3, None], yy[3:, None], seg)
            return np.concatenate([yy[3:], a[:, 0]])

        y = solve_ivp(rhs, (t_a, t_b), y, method="DOP853", rtol=rtol, atol=1e-6).y[:, -1]
    gravity = GravityOnly(replace(earth, j2=0.0))  # the engine's coast is two-body Kepler
    rows = np.array([0])

    def coast(tt: float, yy: FloatArray) -> FloatArray:
        return np.concatenate([yy[3:], gravity(yy[:3, None], yy[3:, None], rows)[:, 0]])

    def below(level: float):  # type: ignore[no-untyped-def]
        def event(tt: float, yy: FloatArray) -> float:
            return float(approximate_altitude(yy[:3, None], earth)[0]) - level

        event.terminal = True  # type: ignore[attr-defined]
        event.direction = -1  # type: ignore[attr-defined]
        return event

    t0 = end
    if float(approximate_altitude(y[:3, None], earth)[0]) > REENTRY_INTERFACE_M:
        sol = solve_ivp(
            coast,
            (t0, t0 + 7200),
            y,
            method="DOP853",
            rtol=rtol,
            atol=1e-6,
            events=below(REENTRY_INTERFACE_M),
        )
        y, t0 = sol.y_events[0][0], float(sol.t_events[0][0])
    rv = ReentryVehicle(earth, np.array([traj.boost.problem.vehicles.reentry_beta_kg_m2[row]]))

    def reentry(tt: float, yy: FloatArray) -> FloatArray:
        return np.concatenate([yy[3:], rv(yy[:3, None], yy[3:, None], rows)[:, 0]])

    sol = solve_ivp(
        reentry, (t0, t0 + 3600), y, method="DOP853", rtol=rtol, atol=1e-6, events=below(0.0)
    )
    r_imp, t_imp = sol.y_events[0][0][:3], float(sol.t_events[0][0])
    r_ecef, _ = frames.eci_to_ecef(r_imp, t_imp, earth)
    return r_ecef, t_imp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    lat0, lon0, lat1, lon1, distance = pairs(args.n, args.seed)
    vehicles = choose_missiles(distance)
    for veh in set(vehicles.vehicles):  # per-type tables, built once per process
        envelope(veh)
    start = time.perf_counter()
    result = aim(vehicles, lat0, lon0, lat1, lon1, shape="min-energy", earth=WGS84)
    single_s = time.perf_counter() - start
    on = result.on_target
    print(
        f"batched engine, 1 process: {args.n} targeted trajectories in {single_s:.2f} s "
        f"({args.n / single_s:,.0f} per second); on target (<= 1 km): {on.mean():.1%}, "
        f"worst miss {result.miss_m[on].max():.0f} m, out of reach {np.sum(~result.reachable)}"
    )
    workers = default_workers()
    start = time.perf_counter()
    parallel = aim_parallel(vehicles, lat0, lon0, lat1, lon1, shape="min-energy", earth=WGS84)
    batched_s = time.perf_counter() - start
    same = np.array_equal(parallel.on_target, on) and np.allclose(parallel.miss_m, result.miss_m)
    print(
        f"batched engine, {workers} processes: {batched_s:.2f} s "
        f"({args.n / batched_s:,.0f} per second); same results as 1 process: {same}"
    )

    rng = np.random.default_rng(args.seed + 1)
    sample = rng.choice(np.flatnonzero(on), size=min(args.sample, int(on.sum())), replace=False)
    impacts = frames.geodetic_to_vector(*result.trajectory.impact_geodetic(), 0.0, WGS84)
    start = time.perf_counter()
    diffs = []
    for row in sample:
        r_ecef, _ = scipy_flight(result.trajectory, int(row), rtol=1e-8)
        diffs.append(float(np.linalg.norm(r_ecef - impacts[row])))
    baseline_s = (time.perf_counter() - start) / sample.size
    print(
        f"SciPy solve_ivp baseline: {baseline_s:.3f} s per flight on a sample of {sample.size} "
        f"({1 / baseline_s:,.1f} per second); impact difference from the engine: "
        f"max {max(diffs):.1f} m (equal accuracy requires <= 1000 m)"
    )
    ratio = (args.n / batched_s) * baseline_s
    print(
        f"ratio (batched targeted rate / baseline single-flight rate): {ratio:,.0f}x "
        "(a lower bound: targeting with the baseline needs several flights per trajectory)"
    )


if __name__ == "__main__":
    main()
