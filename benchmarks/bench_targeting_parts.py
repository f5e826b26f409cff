"""Benchmark: three parts of the batched targeting, each against its baseline in the same run.

- The boost kernel, microseconds per row: 2,000 Minuteman III boosts flown to depletion
  (median of 7). Baseline: the same command on an older tree (``PYTHONPATH=/tmp/base/src``,
  e.g. ``git archive dc85750 src``, before the rows were stepped in pairs), run in turn.
- Grouping 10,000 rows by vehicle: :meth:`VehicleBatch.groups` against comparing every row's
  vehicle with each distinct one (``dict.fromkeys`` and ``==``, what the code did before).
- Boost flights per trajectory: the rows of every boost that one ``aim`` batch of 3,000 pairs
  flies (counted by wrapping the targeting's ``fly_boost``), per vehicle type and iteration;
  the coarse boosts of the first pass (three times the step) apart.
- Path dependence: the same 3,000 pairs aimed with and without that first pass, and how far
  apart the two solutions' flight times and kicks are (both within the solver's tolerance).
- Joining the flights of :func:`glasnost.physics.parallel.chunks` (six chunks of 10,000
  targeted trajectories) with :meth:`TargetingResult.join`, the second of two joins (the first
  also pays for fresh memory).

Run:  .venv/bin/python benchmarks/bench_targeting_parts.py
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np

from bench_trajectories import choose_missiles, pairs
from glasnost.physics import frames, parallel, targeting
from glasnost.physics.constants import WGS84
from glasnost.physics.rocket import BoostProblem, fly_boost
from glasnost.physics.targeted import TargetingResult
from glasnost.physics.targeting import aim


def boost_us_per_row(rows: int = 2000, repeats: int = 7) -> float:
    lat0, lon0, _, _, distance = pairs(3 * rows, 1)
    vehicles = choose_missiles(distance)
    mm3 = np.flatnonzero([v.name == "minuteman_iii" for v in vehicles.vehicles])[:rows]
    batch = vehicles.take(mm3)
    launch = frames.geodetic_to_vector(lat0[mm3], lon0[mm3], 0.0, WGS84)
    r0, v0 = frames.ecef_to_eci(launch, 0.0, WGS84)
    problem = BoostProblem(
        batch, np.radians(np.full(mm3.size, 45.0)), np.radians(np.full(mm3.size, 10.0)), WGS84
    )
    fly_boost(problem, r0, v0)  # load the kernel
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fly_boost(problem, r0, v0)
        times.append(time.process_time() - start)
    return statistics.median(times) / mm3.size * 1e6


def boost_flights(n: int = 3000) -> None:
    """Print the rows of each boost one ``aim`` batch of ``n`` pairs flies, per vehicle type;
    the coarse boosts of the targeting's first pass (longer steps) are counted apart."""
    lat0, lon0, lat1, lon1, distance = pairs(n, 1)
    vehicles = choose_missiles(distance)
    flown: dict[str, list[int]] = {}
    coarse: dict[str, list[int]] = {}
    original = vars(targeting)["fly_boost"]

    def counted(problem: BoostProblem, *args: Any, **kwargs: Any) -> Any:
        name = problem.vehicles.vehicles[0].name
        full = kwargs.get("step_s", 1.0) == 1.0
        (flown if full else coarse).setdefault(name, []).append(problem.vehicles.size)
        return original(problem, *args, **kwargs)

    vars(targeting)["fly_boost"] = counted
    try:
        aim(vehicles, lat0, lon0, lat1, lon1)
    finally:
        vars(targeting)["fly_boost"] = original
    for name, sizes in flown.items():
        print(f"  {name}: rows of each boost flown {sizes}, coarse {coarse.get(name, [])}")
    total = sum(sum(sizes) for sizes in flown.values())
    total_coarse = sum(sum(sizes) for sizes in coarse.values())
    print(
        f"boost flights per trajectory ({n} pairs, one aim batch): {total / n:.2f} full, "
        f"{total_coarse / n:.2f} coarse"
    )


def path_dependence(n: int = 3000) -> None:
    """How far apart the solutions of one ``aim`` batch of ``n`` pairs are with and without
    the coarse first pass (two paths to the same band of accepted answers, decision 20)."""
    lat0, lon0, lat1, lon1, distance = pairs(n, 1)
    vehicles = choose_missiles(distance)
    with_pass = aim(vehicles, lat0, lon0, lat1, lon1)
    original = vars(targeting)["_coarse_first_pass"]
    vars(targeting)["_coarse_first_pass"] = lambda *args: None
    try:
        without = aim(vehicles, lat0, lon0, lat1, lon1)
    finally:
        vars(targeting)["_coarse_first_pass"] = original
    both = with_pass.on_target & without.on_target
    time_apart = np.abs(with_pass.trajectory.impact_s - without.trajectory.impact_s)[both]
    kick_apart = np.abs(with_pass.kick_deg - without.kick_deg)[both]
    print(
        f"with and without the coarse first pass ({n} pairs): the same rows on target: "
        f"{np.array_equal(with_pass.on_target, without.on_target)}; flight times apart by a "
        f"median of {np.median(time_apart):.2f} s, {np.percentile(time_apart, 99):.1f} s at the "
        f"99th percentile, {time_apart.max():.0f} s at most; kicks by a median of "
        f"{np.median(kick_apart):.4f} deg"
    )
    rows = np.flatnonzero(both)[time_apart > 60.0]
    for i in rows:
        burnout = vehicles.burnout_s[i, -1]
        print(
            f"  {vehicles.vehicles[i].name} over {distance[i] / 1e3:,.0f} km: flight times "
            f"{with_pass.trajectory.impact_s[i]:.0f} and {without.trajectory.impact_s[i]:.0f} s, "
            f"thrust terminated {burnout - with_pass.cutoff_s[i]:.2f} and "
            f"{burnout - without.cutoff_s[i]:.2f} s before burnout"
        )


def main() -> None:
    boost_flights()
    path_dependence()
    print(f"boost kernel: {boost_us_per_row():.1f} us CPU a row (2,000 Minuteman III boosts)")
    lat0, lon0, lat1, lon1, distance = pairs(10_000, 1)
    vehicles = choose_missiles(distance)
    if hasattr(vehicles, "groups"):
        start = time.perf_counter()
        groups = vehicles.groups()
        grouped = time.perf_counter() - start
        start = time.perf_counter()
        compared = [
            np.flatnonzero([v == kind for v in vehicles.vehicles])
            for kind in dict.fromkeys(vehicles.vehicles)
        ]
        by_equality = time.perf_counter() - start
        same = all(np.array_equal(a, b) for (_, a), b in zip(groups, compared, strict=True))
        print(
            f"grouping 10,000 rows by vehicle: groups() {grouped * 1e3:.1f} ms, every row "
            f"compared {by_equality * 1e3:.1f} ms ({by_equality / grouped:.0f}x); same rows: {same}"
        )
    rows = parallel.chunks(vehicles)
    parts = [aim(vehicles.take(c), lat0[c], lon0[c], lat1[c], lon1[c]) for c in rows]
    times = []
    for _ in range(2):
        start = time.perf_counter()
        TargetingResult.join(parts, rows)
        times.append(time.perf_counter() - start)
    print(
        f"joining {len(rows)} chunks of 10,000 targeted trajectories: {times[1]:.3f} s "
        f"(first join, fresh memory: {times[0]:.3f} s)"
    )


if __name__ == "__main__":
    main()
