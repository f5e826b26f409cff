"""Benchmark: engagement feasibility, the compiled search vs the NumPy path vs a per-point loop.

Problem: 8 targeted ICBM trajectories (RS-24 Yars from Kozelsk and Teykovo to four US cities,
Minuteman III from Malmstrom and Minot to Moscow and St Petersburg), sampled at ``--samples``
points each, against 6 interceptor sites (SM-3 Block IIA-class at Redzikowo and Deveselu,
GBI-class at Fort Greely and Vandenberg, A-235-class near Moscow, THAAD-class at Seongju).
The rate is counted in candidate (site, sample) pairs -- samples inside a site's intercept band
and range with a launch time left -- evaluated per second, each evaluation being the least
required burnout speed over launch times and the feasibility verdict.

Kernel: ``glasnost.defense.engagement.engage`` (the compiled search of
``defense/engagement_kernel.py``: bound first, candidate by candidate). Baselines, in the same
run: (1) the NumPy path (``engage(..., compiled=False)``, all candidates at once, chunked and
masked: the reference the compiled search is tested against; the results of the two are
compared and printed); (2) the same model and the same search, written straightforwardly: a
Python loop over
the candidate pairs; for each, the same log-spaced launch-time grid and the same number of
refinement steps (plain golden section), every point solved with single-row ``kepler.lambert``
calls (first guess plus the same fixed-point steps). It is timed on a random subset of the
candidates (``--baseline``). Equal accuracy: both searches are compared with a 200-point
launch-time grid per candidate.

Times are CPU seconds of this process (``time.process_time``), the median of ``--repeat``
runs after a warm-up (the machine is shared; CPU time is less sensitive to other work than
wall time).

The bound: how many candidates the compiled search drops without searching them, how close
the bound is to the least speed found for those it keeps (for the burnout delay of the
built-in assessment, ``speed_floor``, the bound by which its tabled pairs are searched, least
first), and the search's CPU time against the same search without the bound (its reference
switch), on this problem and (``--builtin``) on each direction of the built-in assessment (the
median of 3 runs). The same command run on an older tree (``PYTHONPATH=<tree>/src``) is the
baseline of a change to the search.

With ``--builtin`` it also times, in wall-clock seconds, each large search of the built-in
assessment with its (site, trajectory) pairs in runs on one worker thread per core against one
kernel call (``candidate_rules._search_pairs``), and says whether the speeds are identical.
The CPU times above count every thread's CPU (``time.process_time``).

With ``--builtin`` it also times, on every call the built-in assessment makes, the
flyout-table reach times of the candidates (``candidate_rules._reach_times``, compiled in
``defense/reach_kernel.py``) and the radar visibility of the threat samples
(``sensors.visible``, compiled in ``defense/radar_kernel.py``): each compiled path against its
NumPy path (``compiled=False``), the medians of 5 runs each, alternating, and whether the
results are identical bit for bit.

With ``--solves`` it only counts, under each closed interceptor model (and with ``--builtin``
on the built-in assessment's searches under all three, their arguments recorded from a compiled
run), the work of the search on this problem: the Lambert solves (``lambert_departure`` and
``lambert_one`` calls; those of the grid, the refinement and the latest launch apart), the
required speeds solved and those screened without a solve, and the candidates searched. The
counts come from the same search run as Python (``NUMBA_DISABLE_JIT=1``, in a child process,
one kernel call), so they are exact and do not depend on the machine's speed, which on a shared
machine moves by tens of percent; the same command on an older tree (``PYTHONPATH=<tree>/src``)
is the baseline.

With ``--split`` it only splits, under each closed interceptor model, the search's CPU time
on this problem into its Lambert solves and the rest: the search runs as Python in a child
(as for ``--solves``) that records the arguments of every Lambert solve it makes, and this
process times the search (one kernel call, as ``--solves`` counts it) and, in turn with it,
those solves replayed by a compiled loop over the recorded arguments, the same solver with
the same warm starts, and one test of every candidate against its burnout velocity by the
search's bound (``_dropped``); the medians of ``--repeat`` alternating rounds. The solves
alone give the rate the search could reach with no other work and the same solves.

With ``--compile N`` it only times, N times, the compilation of the search: the first call
of ``engagement_kernel.search`` (a tabled pair of the burnout delay and an untabled pair, so
every path of the search is typed) in a new process with an empty kernel cache
(``NUMBA_CACHE_DIR``), wall-clock seconds, the kernels it calls included. The same command
on an older tree (``PYTHONPATH=<tree>/src``) is the baseline.

Run:  .venv/bin/python benchmarks/bench_engagement.py [--samples 120] [--baseline 120] [--builtin]
      .venv/bin/python benchmarks/bench_engagement.py --compile 2
      .venv/bin/python benchmarks/bench_engagement.py --solves
      .venv/bin/python benchmarks/bench_engagement.py --split
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from glasnost.common import memo
from glasnost.defense import assessment, candidate_rules, required_speed, sensors
from glasnost.defense import engagement as eng
from glasnost.defense import engagement_kernel as kernel
from glasnost.defense.engagement import EngagementTable, Interceptors, Samples, engage
from glasnost.defense.launch_search import LaunchChunk
from glasnost.physics import frames
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.cores import default_workers
from glasnost.physics.kepler import lambert
from glasnost.physics.kepler_kernel import lambert_departure, lambert_one
from glasnost.physics.targeting import aim
from glasnost.physics.vehicle import stack
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.missiles import missile
from glasnost.scenario.models import Scenario

FloatArray = NDArray[np.float64]

FLIGHTS = [  # missile, launch (lat, lon), target (lat, lon)
    ("rs24_yars", (54.03, 35.78), (38.90, -77.04)),
    ("rs24_yars", (54.03, 35.78), (40.71, -74.01)),
    ("rs24_yars", (56.85, 40.54), (41.88, -87.63)),
    ("rs24_yars", (56.85, 40.54), (42.36, -71.06)),
    ("minuteman_iii", (47.51, -111.18), (55.76, 37.62)),
    ("minuteman_iii", (48.42, -101.36), (55.76, 37.62)),
    ("minuteman_iii", (47.51, -111.18), (59.94, 30.31)),
    ("minuteman_iii", (48.42, -101.36), (59.94, 30.31)),
]
# lat, lon, burnout m/s, burn s, min alt m, max alt m, max range m
SITES = [
    (54.48, 17.11, 4500.0, 50.0, 70e3, 1500e3, math.inf),  # Redzikowo, SM-3 IIA
    (44.08, 24.38, 4500.0, 50.0, 70e3, 1500e3, math.inf),  # Deveselu, SM-3 IIA
    (63.95, -145.73, 6300.0, 80.0, 100e3, 2000e3, math.inf),  # Fort Greely, GBI
    (34.74, -120.57, 6300.0, 80.0, 100e3, 2000e3, math.inf),  # Vandenberg, GBI
    (55.90, 37.60, 5500.0, 20.0, 5e3, 100e3, 350e3),  # Moscow, A-235-class
    (35.95, 128.12, 2800.0, 20.0, 40e3, 150e3, 200e3),  # Seongju, THAAD-class
]
EARLIEST_S = 120.0


def problem(n_samples: int) -> tuple[FloatArray, Interceptors, Samples, FloatArray]:
    res = aim(
        stack([missile(m).vehicle() for m, _, _ in FLIGHTS]),
        [a[0] for _, a, _ in FLIGHTS],
        [a[1] for _, a, _ in FLIGHTS],
        [b[0] for _, _, b in FLIGHTS],
        [b[1] for _, _, b in FLIGHTS],
    )
    traj = res.trajectory
    t = np.linspace(0.0, 1.0, n_samples)[None, :] * traj.impact_s[:, None]
    r, _ = traj.sample(t)
    alt = frames.altitude(r.reshape(-1, 3)).reshape(r.shape[:2])
    sites = frames.geodetic_to_vector(
        np.array([s[0] for s in SITES]), np.array([s[1] for s in SITES])
    )
    inter = Interceptors(*(np.array([s[k] for s in SITES]) for k in range(2, 7)))
    early = np.full((len(SITES), len(FLIGHTS)), EARLIEST_S)
    return sites, inter, Samples(t, r, alt, np.ones(t.shape, dtype=bool)), early


def candidates(
    sites: FloatArray, inter: Interceptors, samples: Samples, early: FloatArray
) -> NDArray[np.intp]:
    """(site, trajectory, sample) index triples of the candidate points (the kernel's mask)."""
    alt, t = samples.altitude_m, samples.t_s
    mask = (alt[None] >= inter.min_altitude_m[:, None, None]) & (
        alt[None] <= inter.max_altitude_m[:, None, None]
    )
    mask &= t[None] - inter.burn_time_s[:, None, None] - kernel.TAU_MIN_S >= early[:, :, None]
    r_ecef, _ = frames.eci_to_ecef(samples.r_eci, t)
    lat, lon, _ = frames.vector_to_geodetic(r_ecef)
    s_lat, s_lon, _ = frames.vector_to_geodetic(sites)
    ground, _ = frames.great_circle(
        s_lat[:, None, None], s_lon[:, None, None], lat[None], lon[None]
    )
    mask &= ground <= inter.max_range_m[:, None, None]
    return np.argwhere(mask)


def point_speed(
    site: FloatArray, burn: float, t_l: float, t_i: float, r_i: FloatArray, earth: EarthModel
) -> float:
    """Required burnout speed at one launch time, single-row Lambert calls (the same model)."""
    tau = t_i - t_l - burn
    if tau < kernel.TAU_MIN_S:
        return math.inf
    r0, vs = frames.ecef_to_eci(site, t_l, earth)
    pro = bool(np.cross(r0, r_i)[2] >= 0.0)
    guess = getattr(required_speed, "_boost_guess", None)  # None: a tree before decision 27
    if guess is not None:
        u = guess(r0[None], vs[None], np.array([burn]), np.array([tau]), r_i[None], earth.mu)[0]
    else:
        v1, _ = lambert(r0 + 0.5 * vs * burn, r_i, tau + 0.5 * burn, mu=earth.mu, prograde=pro)
        u = v1 - vs
    damp = 1.0 / (1.0 + 0.5 * burn / tau)
    for _ in range(kernel.FIXED_POINT_ITERATIONS):
        r_bo = r0 + vs * burn + 0.5 * u * burn
        v1, _ = lambert(r_bo, r_i, tau, mu=earth.mu, prograde=pro)
        u = u + (v1 - vs - u) * damp
    lat, lon, _ = frames.vector_to_geodetic(site)
    up, _ = frames.ecef_to_eci(frames.enu_basis(lat, lon)[2], t_l, earth)
    speed = float(np.linalg.norm(u))
    return speed if float(u @ up) >= 0.0 and speed <= kernel.MAX_SPEED_MS else math.inf


def baseline_least_speed(
    site: FloatArray, burn: float, early: float, t_i: float, r_i: FloatArray, k: int
) -> float:
    """The kernel's search, one point at a time: k log-spaced coast times from the shortest
    useful one to the longest, then golden-section steps in the bracket of the grid minimum."""
    one = LaunchChunk(
        site[None],
        site[None],
        np.array([burn]),
        np.array([t_i]),
        r_i[None],
        WGS84,
        "straight-boost",
    )
    x_hi = math.log(t_i - burn - early)
    x_lo = min(math.log(float(one.shortest_coast()[0])), x_hi)
    grid = np.linspace(x_lo, x_hi, k)

    def speed(x: float) -> float:
        return point_speed(site, burn, t_i - burn - math.exp(x), t_i, r_i, WGS84)

    speeds = [speed(float(x)) for x in grid]
    j = int(np.argmin(speeds))
    a, c = grid[max(j - 1, 0)], grid[min(j + 1, k - 1)]
    best_x, best = grid[j], speeds[j]
    gold = 0.5 * (3.0 - math.sqrt(5.0))
    for _ in range(kernel.MIN_SEARCH_STEPS):
        if not math.isfinite(best) or c - a < 1e-6:
            break
        x = (
            best_x - gold * (best_x - a)
            if best_x - a > c - best_x
            else best_x + gold * (c - best_x)
        )
        fx = speed(float(x))
        if fx < best:
            a, c = (a, best_x) if x < best_x else (best_x, c)
            best_x, best = x, fx
        else:
            a, c = (x, c) if x < best_x else (a, x)
    return best


@dataclass
class SearchRecord:
    """One compiled search for speeds (not the window edges' checks): its CPU seconds, how
    many candidates it searched of how many, and for the searched ones with a finite least
    speed the bound over that speed (``speed_bound``, 40 bisection steps, limit the speed;
    for the burnout delay ``speed_floor``, the bound its tabled pairs are searched by)."""

    cpu_s: float
    searched: int
    candidates: int
    tightness: FloatArray


def recorded_searches(
    run: Callable[[], object], bounded: bool = True, tightness: bool = False
) -> list[SearchRecord]:
    """The compiled searches for speeds that ``run`` makes, with the bound or (``bounded``
    False, the search's reference switch) without it; the bound's tightness only where
    ``tightness`` (else empty)."""
    records: list[SearchRecord] = []
    original: Callable[..., tuple[FloatArray, FloatArray, NDArray[np.bool_]]] = kernel.search

    def recording(*args: Any) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        t0 = time.process_time()
        speed, latest, searched = original(*args[:-1], bounded)
        cpu = time.process_time() - t0
        if args[12]:  # speeds
            site, _, burn, t_i, r_i, early = args[:6]
            lever = np.zeros_like(burn) if args[16] else burn
            rows = np.flatnonzero(searched & np.isfinite(speed) & tightness)
            coast = (t_i - burn - early) * (1.0 + 1e-9)
            mu, omega = args[14], args[15]
            floor = getattr(kernel, "speed_floor", None)  # None: a tree before it (baseline)
            ratio = np.array(
                [
                    (
                        floor(site[i], t_i[i], r_i[i], coast[i], mu, omega)
                        if args[16] and floor is not None
                        else kernel.speed_bound(
                            site[i], lever[i], t_i[i], r_i[i], coast[i], mu, omega, speed[i], 40
                        )
                    )
                    / speed[i]
                    for i in rows
                ]
            )
            records.append(SearchRecord(cpu, int(searched.sum()), int(searched.size), ratio))
        return speed, latest, searched

    kernel.search = recording  # type: ignore[assignment]
    split = candidate_rules.SPLIT_MIN_CANDIDATES
    candidate_rules.SPLIT_MIN_CANDIDATES = sys.maxsize  # one kernel call per search
    try:
        run()
    finally:
        kernel.search = original
        candidate_rules.SPLIT_MIN_CANDIDATES = split
    return records


def threads_report(run: Callable[[], object], repeat: int) -> str:
    """Wall-clock seconds of each search of ``run`` (``candidate_rules._search_pairs``): its
    pairs in runs on one worker thread per core against one kernel call on the calling thread
    (medians of ``repeat`` runs each, alternating), and whether the results are identical."""
    original = candidate_rules._search_pairs
    split = candidate_rules.SPLIT_MIN_CANDIDATES

    def timed(threads: bool) -> list[tuple[float, int, bytes]]:
        out: list[tuple[float, int, bytes]] = []

        def recording(*args: Any) -> tuple[FloatArray, FloatArray]:
            t0 = time.perf_counter()
            speed, latest = original(*args)
            out.append((time.perf_counter() - t0, int(args[1][-1]), speed.tobytes()))
            return speed, latest

        candidate_rules._search_pairs = recording  # type: ignore[assignment]
        candidate_rules.SPLIT_MIN_CANDIDATES = split if threads else sys.maxsize
        try:
            run()
        finally:
            candidate_rules._search_pairs = original
            candidate_rules.SPLIT_MIN_CANDIDATES = split
        return out

    rounds = [(timed(True), timed(False)) for _ in range(repeat)]
    lines = []
    for k, (_, n, _) in enumerate(rounds[0][0]):
        if n < split:
            continue
        on = statistics.median(r[0][k][0] for r in rounds)
        off = statistics.median(r[1][k][0] for r in rounds)
        same = all(r[0][k][2] == r[1][k][2] for r in rounds)
        lines.append(
            f"search of {n:,} candidates: {on:.4f} s wall on {default_workers()} threads, "
            f"{off:.4f} s in one call ({off / on:.2f}x); identical speeds: {same}"
        )
    return "\n          ".join(lines)


def bound_report(run: Callable[[], object], repeat: int) -> str:
    """Per compiled search of ``run``: the candidates the bound drops, the bound's tightness
    on those kept, and the search's CPU time with the bound against without it (medians of
    ``repeat`` runs each, alternating)."""
    kept_bound = recorded_searches(run, tightness=True)  # also the warm-up
    rounds = [(recorded_searches(run), recorded_searches(run, False)) for _ in range(repeat)]
    lines = []
    for k, a in enumerate(kept_bound):
        cpu = statistics.median(r[0][k].cpu_s for r in rounds)
        cpu_without = statistics.median(r[1][k].cpu_s for r in rounds)
        n, kept = a.candidates, a.searched
        q = np.quantile(a.tightness, [0.25, 0.5, 0.75]) if a.tightness.size else np.full(3, np.nan)
        lines.append(
            f"{n - kept:,} of {n:,} dropped ({(n - kept) / n:.0%}); bound / least speed of those "
            f"searched: median {q[1]:.3f} (quartiles {q[0]:.3f}-{q[2]:.3f}); search "
            f"{cpu:.4f} s CPU ({n / max(cpu, 1e-9):,.0f} candidates per second), "
            f"{cpu_without:.4f} s without the bound "
            f"({cpu_without / max(cpu, 1e-9):.1f}x), {cpu / max(kept, 1) * 1e6:.1f} us per "
            "searched candidate"
        )
    return "\n          ".join(lines)


def compiled_report(module: Any, name: str, run: Callable[[], object], repeat: int) -> str:
    """``module.name`` on every call that ``run`` makes: CPU seconds of its compiled path and
    of its NumPy path (``compiled=False``), summed over the calls, medians of ``repeat`` runs
    each, alternating, and whether the results are identical bit for bit."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    original = getattr(module, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    setattr(module, name, recording)
    memo.forget_all()  # results kept from earlier runs would skip the calls
    try:
        run()
    finally:
        setattr(module, name, original)
    signature = inspect.signature(original)

    def with_path(compiled: bool) -> list[inspect.BoundArguments]:
        bound = [signature.bind(*a, **k) for a, k in calls]
        for b in bound:
            b.arguments["compiled"] = compiled
        return bound

    times: dict[bool, list[float]] = {True: [], False: []}
    same = True
    for _ in range(repeat):
        outs = {}
        for compiled in (True, False):
            bound = with_path(compiled)
            t0 = time.process_time()
            outs[compiled] = [original(*b.args, **b.kwargs) for b in bound]
            times[compiled].append(time.process_time() - t0)
        same &= all(a.tobytes() == b.tobytes() for a, b in zip(*outs.values(), strict=True))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    return (
        f"{len(calls)} calls: {on:.4f} s CPU compiled, {off:.4f} s with NumPy "
        f"({off / on:.1f}x); identical: {same}"
    )


def agreement(table: EngagementTable, reference: EngagementTable) -> str:
    """Whether two tables agree: feasible flags and shots identical, the largest relative
    difference of the critical velocities and of the windows and latest launches (s)."""
    same = np.array_equal(table.feasible, reference.feasible) and np.array_equal(
        table.shots, reference.shots
    )
    crit = np.isfinite(reference.critical_burnout_velocity_ms)
    rel = np.abs(
        table.critical_burnout_velocity_ms[crit] / reference.critical_burnout_velocity_ms[crit]
        - 1.0
    )
    f = reference.feasible
    secs = max(
        (
            float(np.max(np.abs(getattr(table, k)[f] - getattr(reference, k)[f]), initial=0.0))
            for k in ("earliest_intercept_s", "latest_intercept_s", "latest_launch_s")
        ),
        default=0.0,
    )
    return (
        f"feasible flags and shots identical to the NumPy path: {same}; critical velocities "
        f"within {float(np.max(rel, initial=0.0)):.1e} relative, windows and latest launches "
        f"within {secs:.1e} s"
    )


COMPILE_PROBE = """
import math, time
import numpy as np
from glasnost.defense import engagement_kernel as k
site = np.array([[6378137.0, 0.0, 0.0]] * 4)
up = site / 6378137.0
r_i = np.array([[6378137.0 + 3e5, 5e5, 1e5]] * 4)
t_i, burn = np.full(4, 600.0), np.full(4, 30.0)
early, late, v_bo = np.zeros(4), np.full(4, 500.0), np.full(4, 5000.0)
tabled = np.array([True, True, False, False])
starts, order = np.array([0, 2, 4]), np.arange(4)
near, fractions = np.arange(4.0), np.linspace(0.0, 1.0, 8)
t0 = time.perf_counter()
k.search(site, up, burn, t_i, r_i, early, late, v_bo, tabled, starts, order, near, True,
         fractions, 3.986004418e14, 7.292115e-5, True, True)
print(time.perf_counter() - t0)
"""


def compile_seconds() -> float:
    """Wall-clock seconds of the first call of the search in a new process with an empty
    kernel cache (the module doc)."""
    with tempfile.TemporaryDirectory() as cache:
        done = subprocess.run(
            [sys.executable, "-c", COMPILE_PROBE],
            env={**os.environ, "NUMBA_CACHE_DIR": cache},
            capture_output=True,
            text=True,
            check=True,
        )
    return float(done.stdout.split()[-1])


def count_solves_here(spec: str, n_samples: int, record: str | None = None) -> dict[str, int]:
    """The work of the search (``--solves``, module doc) on this problem under the model
    ``spec``, or, for ``spec`` = "@path", on the searches whose arguments ``path`` holds (a
    pickle of :func:`search_arguments`), in this process, which must run the kernels as Python
    (``NUMBA_DISABLE_JIT=1``). With ``record`` (a path) it also pickles there the arguments of
    every search and of every Lambert solve (``--split``: :func:`Recorded`)."""
    if os.environ.get("NUMBA_DISABLE_JIT") != "1":
        raise SystemExit("the counts need NUMBA_DISABLE_JIT=1 (the search run as Python)")
    keys = ("candidates", "searched", "lambert", "solved", "screened", "unsolved")
    stages = ("grid", "refinement", "latest launch")
    phases = tuple(f"{p} {k}" for p in PHASES for k in ("candidates", "solves"))
    later = ("latest later", "latest not later")
    counts = dict.fromkeys(keys + stages + phases + later, 0)
    in_latest = [False]
    phase = ["window inside"]
    recorded = Recorded([], [], [])

    def counted(function: Callable[..., Any], key: str | None) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            before = counts["lambert"]
            out = function(*args)
            if key is not None:
                counts[key] += 1
                if record is not None and function is lambert_departure:
                    recorded.departure.append(args)
                elif record is not None:
                    recorded.both_ways.append(args)
                return out
            # _required_below: the stage its solves belong to (the refinement's calls start
            # from the best point's solution, x_start finite; the grid's do not)
            stage = "latest launch" if in_latest[0] else "grid"
            if not in_latest[0] and not math.isnan(args[-1]):
                stage = "refinement"
            counts[stage] += counts["lambert"] - before
            if math.isnan(out[0]):  # its straight line screens it
                counts["screened"] += 1
            else:  # solved, or no flight shown before any solve (too short, too fast)
                counts["solved" if counts["lambert"] > before else "unsolved"] += 1
            return out

        return wrapper

    def latest_launch(*args: Any) -> float:
        in_latest[0] = True
        try:
            out: float = shortest_feasible(*args)
        finally:
            in_latest[0] = False
        return out

    def searched(*args: Any) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        if record is not None:
            recorded.searches.append(args)
        phase[0] = "window inside" if args[12] else "window edges"  # args[12]: speeds
        speed, latest, done = search(*args)
        counts["candidates"] += done.size
        counts["searched"] += int(done.sum())
        return speed, latest, done

    def in_phase(function: Callable[..., Any], name: str) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            outer, phase[0] = phase[0], name
            try:
                return function(*args)
            finally:
                phase[0] = outer

        return wrapper

    def visited(i: int, want_latest: bool, after: float, *rest: Any) -> float:
        before = counts["lambert"]
        out: float = visit(i, want_latest, after, *rest)
        counts[f"{phase[0]} candidates"] += 1
        counts[f"{phase[0]} solves"] += counts["lambert"] - before
        if want_latest and phase[0] == "window inside":
            counts["latest later" if rest[-1][1][i] > after else "latest not later"] += 1
        return out

    search, shortest_feasible = kernel.search, kernel._shortest_feasible
    visit = kernel._visit
    kernel._visit = visited  # type: ignore[assignment]
    kernel._least_speed = in_phase(kernel._least_speed, "least speed")  # type: ignore[assignment]
    kernel._until_feasible = in_phase(kernel._until_feasible, "window ends")  # type: ignore[assignment]
    kernel._shortest_feasible = latest_launch  # type: ignore[assignment]
    kernel.lambert_departure = counted(kernel.lambert_departure, "lambert")  # type: ignore[assignment]
    kernel.lambert_one = counted(kernel.lambert_one, "lambert")  # type: ignore[assignment]
    kernel._required_below = counted(kernel._required_below, None)  # type: ignore[assignment]
    kernel.search = searched  # type: ignore[assignment]
    candidate_rules.SPLIT_MIN_CANDIDATES = sys.maxsize  # one kernel call, one thread
    if spec.startswith("@"):
        with open(spec[1:], "rb") as f:
            for args in pickle.load(f):
                kernel.search(*args)
    else:
        sites, inter, samples, early = problem(n_samples)
        engage(sites, inter, samples, early, 60.0, model=spec)  # type: ignore[arg-type]
    if record is not None:
        with open(record, "wb") as f:
            pickle.dump(recorded, f)
    return counts


PHASES = ("least speed", "window ends", "window inside", "window edges")
"""The parts of :func:`engagement_kernel.search` whose candidates ``--solves`` counts apart:
:func:`engagement_kernel._least_speed`, :func:`engagement_kernel._until_feasible`, the
window's inside (the loop of ``search``) and the search of the window's edges (``speeds``
False)."""


@dataclass
class Recorded:
    """The arguments of a search's kernel calls (``--split``): of each ``search``, of each
    ``lambert_departure`` and of each ``lambert_one``, in the order made."""

    searches: list[tuple[Any, ...]]
    departure: list[tuple[Any, ...]]
    both_ways: list[tuple[Any, ...]]


@numba.njit(cache=False)
def _replay_departure(args: FloatArray) -> float:
    """``lambert_departure`` on each row of recorded arguments (n, 10); a sum, so that no
    solve is optimized away."""
    total = 0.0
    for i in range(args.shape[0]):
        a = args[i]
        v = lambert_departure(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9])
        total += v[0]
    return total


@numba.njit(cache=False)
def _replay_both_ways(args: FloatArray) -> float:
    """``lambert_one`` on each row of recorded arguments (n, 10; the way as 0 or 1)."""
    total = 0.0
    for i in range(args.shape[0]):
        a = args[i]
        v = lambert_one(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8] != 0.0, a[9])
        total += v[0]
    return total


@numba.njit(cache=False)
def _bound_pass(args: tuple[Any, ...], burnout_delay: bool) -> int:
    """One test of every candidate of a search's arguments ``args`` against its burnout
    velocity (``engagement_kernel._dropped``); the number dropped."""
    site, up, burn_s, t_i, r_i, early, late, v_bo = args[:8]
    cands = (site, up, burn_s, t_i, r_i, early, late, v_bo)
    mu, omega = args[14], args[15]
    dropped = 0
    for i in range(t_i.size):
        dropped += kernel._dropped(i, cands, v_bo[i], mu, omega, burnout_delay)
    return dropped


def split_report(spec: str, n_samples: int, rounds: int) -> str:
    """The search's CPU time on this problem under the model ``spec`` split into its Lambert
    solves and the rest (``--split``, module doc)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "recorded")
        command = [sys.executable, __file__, "--count-here", spec, "--record-here", path]
        subprocess.run(
            [*command, "--samples", str(n_samples)],
            env={**os.environ, "NUMBA_DISABLE_JIT": "1"},
            capture_output=True,
            check=True,
        )
        with open(path, "rb") as f:
            recorded: Recorded = pickle.load(f)
    departure = np.array(recorded.departure, dtype=np.float64).reshape(-1, 10)
    both_ways = np.array(recorded.both_ways, dtype=np.float64).reshape(-1, 10)
    candidates = sum(int(args[3].size) for args in recorded.searches)

    def search() -> None:
        for args in recorded.searches:
            kernel.search(*args)

    def solves() -> None:
        _replay_departure(departure)
        _replay_both_ways(both_ways)

    def bounds() -> None:
        for args in recorded.searches:
            _bound_pass(args[:16], bool(args[16]))

    search()
    solves()
    bounds()  # compiled before timing
    times: dict[str, list[float]] = {"search": [], "solves": [], "bounds": []}
    for _ in range(rounds):
        for name, run in (("search", search), ("solves", solves), ("bounds", bounds)):
            t0 = time.process_time()
            for _ in range(20):
                run()
            times[name].append((time.process_time() - t0) / 20)
    t_search = statistics.median(times["search"])
    t_solves = statistics.median(times["solves"])
    count = departure.shape[0] + both_ways.shape[0]
    return (
        f"search {t_search * 1e3:.2f} ms CPU ({candidates / t_search:,.0f} candidates per "
        f"second); its {count:,} Lambert solves replayed {t_solves * 1e3:.2f} ms "
        f"({t_solves / t_search:.0%}; {t_solves / max(count, 1) * 1e9:.0f} ns each); the rest "
        f"{(t_search - t_solves) * 1e3:.2f} ms; the solves alone: "
        f"{candidates / t_solves:,.0f} candidates per second; one test of every candidate "
        f"against its burnout velocity (the bound of _dropped) "
        f"{statistics.median(times['bounds']) * 1e3:.2f} ms (medians of {rounds} rounds)"
    )


def search_arguments(run: Callable[[], object]) -> list[tuple[Any, ...]]:
    """The arguments of every search ``run`` makes (one kernel call per search)."""
    calls: list[tuple[Any, ...]] = []
    original = kernel.search

    def recording(*args: Any) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        calls.append(args)
        return original(*args)

    kernel.search = recording  # type: ignore[assignment]
    split = candidate_rules.SPLIT_MIN_CANDIDATES
    candidate_rules.SPLIT_MIN_CANDIDATES = sys.maxsize
    try:
        run()
    finally:
        kernel.search = original
        candidate_rules.SPLIT_MIN_CANDIDATES = split
    return calls


def solve_counts(spec: str, n_samples: int) -> dict[str, int]:
    """:func:`count_solves_here` in a child process that runs the kernels as Python."""
    done = subprocess.run(
        [sys.executable, __file__, "--count-here", spec, "--samples", str(n_samples)],
        env={**os.environ, "NUMBA_DISABLE_JIT": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    counts: dict[str, int] = json.loads(done.stdout.splitlines()[-1])
    return counts


def builtin_with(interceptor_model: str) -> Scenario:
    """The built-in scenario with its interceptor model set (flyout tables only under
    ``flyout``, its default)."""
    scenario = builtin_scenario("us-ru")
    settings = scenario.assessment.model_copy(update={"interceptor_model": interceptor_model})
    return scenario.model_copy(update={"assessment": settings})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=120, help="samples per trajectory")
    parser.add_argument("--baseline", type=int, default=120, help="candidates timed in the loop")
    parser.add_argument("--launch-times", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each engage")
    parser.add_argument(
        "--builtin", action="store_true", help="also the bound's share on the built-in assessment"
    )
    parser.add_argument(
        "--compile", type=int, default=0, metavar="N", help="only time the search's compilation"
    )
    parser.add_argument(
        "--solves", action="store_true", help="only count the search's Lambert solves"
    )
    parser.add_argument(
        "--split", action="store_true", help="only split the search's time: Lambert solves, rest"
    )
    parser.add_argument("--count-here", help=argparse.SUPPRESS)
    parser.add_argument("--record-here", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_here:
        counts = count_solves_here(args.count_here, args.samples, args.record_here)
        print(json.dumps(counts))
        return
    if args.split:
        for model in ("straight-boost", "burnout-delay"):
            print(f"{model}: {split_report(model, args.samples, args.repeat)}")
        return
    if args.solves:
        specs = [(model, model) for model in ("straight-boost", "burnout-delay")]
        folder = tempfile.TemporaryDirectory()
        if args.builtin:  # the built-in assessment's searches, their arguments recorded here
            for model in ("flyout", "straight-boost", "burnout-delay"):
                path = os.path.join(folder.name, model)
                with open(path, "wb") as f:
                    run_model = functools.partial(assessment.assess, builtin_with(model))
                    pickle.dump(search_arguments(run_model), f)
                specs.append((f"built-in assessment, {model}", "@" + path))
        for name, spec in specs:
            c = solve_counts(spec, args.samples)
            print(
                f"{name}: {c['lambert']:,} Lambert solves for {c['candidates']:,} candidates "
                f"({c['lambert'] / c['candidates']:.2f} per candidate, "
                f"{c['lambert'] / max(c['searched'], 1):.1f} per searched candidate; "
                f"{c['searched']:,} searched); required speeds: {c['solved']:,} solved "
                f"({c['lambert'] / max(c['solved'], 1):.2f} Lambert solves each), "
                f"{c['screened']:,} screened and {c['unsolved']:,} shown no flight without "
                f"a solve; Lambert solves of the grid {c['grid']:,}, of the refinement "
                f"{c['refinement']:,}, of the latest launch {c['latest launch']:,}"
            )
            parts = "; ".join(
                f"{p} {c[p + ' candidates']:,} candidates, {c[p + ' solves']:,} solves"
                for p in PHASES
                if c[p + " candidates"]
            )
            wanted = c["latest later"] + c["latest not later"]
            if wanted:
                parts += (
                    f"; of the {wanted:,} candidates of the window's inside whose latest "
                    f"launch was searched, {c['latest later']:,} launch later than the latest "
                    "found before them"
                )
            print(f"          by part of the search: {parts}")
        folder.cleanup()
        return
    if args.compile:
        times = [compile_seconds() for _ in range(args.compile)]
        print(
            "search compiled (empty kernel cache): " + ", ".join(f"{t:.2f}" for t in times) + " s"
        )
        return

    sites, inter, samples, early = problem(args.samples)
    cand = candidates(sites, inter, samples, early)
    n = len(cand)
    print(
        f"problem: {len(SITES)} sites x {len(FLIGHTS)} trajectories x {args.samples} samples; "
        f"{n} candidate (site, sample) pairs, {args.launch_times} launch times each"
    )

    run = functools.partial(
        engage, sites, inter, samples, early, 60.0, launch_times=args.launch_times
    )

    def timed(compiled: bool) -> tuple[float, EngagementTable]:
        run()  # warm-up
        times, out = [], None
        for _ in range(args.repeat):
            t0 = time.process_time()
            out = run(compiled=compiled)
            times.append(time.process_time() - t0)
        assert out is not None
        return statistics.median(times), out

    t_kernel, table = timed(True)
    rate_kernel = n / t_kernel
    print(f"kernel:   {t_kernel:8.4f} s CPU {rate_kernel:12,.0f} pairs/s  (all {n})")
    print(f"          feasible pairs: {int(table.feasible.sum())} of {table.feasible.size}")
    for model in ("straight-boost", "burnout-delay"):
        report = bound_report(functools.partial(run, model=model), args.repeat)
        print(f"bound, {model}:\n          {report}")
    t_numpy, reference = timed(False)
    rate_numpy = n / t_numpy
    print(f"NumPy path: {t_numpy:6.4f} s CPU {rate_numpy:12,.0f} pairs/s  (all {n})")
    print(f"ratio kernel / NumPy path: {rate_kernel / rate_numpy:,.1f}x")
    print(f"          {agreement(table, reference)}")

    rng = np.random.default_rng(args.seed)
    pick = rng.choice(n, size=min(args.baseline, n), replace=False)
    t0 = time.process_time()
    base = np.array(
        [
            baseline_least_speed(
                sites[s],
                float(inter.burn_time_s[s]),
                float(early[s, j]),
                float(samples.t_s[j, p]),
                samples.r_eci[j, p],
                args.launch_times,
            )
            for s, j, p in cand[pick]
        ]
    )
    t_base = time.process_time() - t0
    rate_base = len(pick) / t_base
    print(f"loop:     {t_base:8.3f} s CPU {rate_base:12,.0f} pairs/s  ({len(pick)} sampled)")
    print(f"ratio kernel / loop: {rate_kernel / rate_base:,.0f}x")

    # Equal accuracy: both searches against a fine launch grid (200 points per candidate).
    s, j, p = cand.T
    t_hi = samples.t_s[j, p] - inter.burn_time_s[s] - kernel.TAU_MIN_S
    frac = np.linspace(0.0, 1.0, 200)[None, :]
    fine = eng.required_burnout_velocity(
        sites[s][:, None],
        inter.burn_time_s[s][:, None],
        early[s, j][:, None] + (t_hi - early[s, j])[:, None] * frac,
        samples.t_s[j, p][:, None],
        samples.r_eci[j, p][:, None],
    ).min(axis=1)
    critical = np.full(table.feasible.shape, np.inf)
    np.minimum.at(critical, (s, j), fine)
    finite = np.isfinite(critical)
    kernel_err = table.critical_burnout_velocity_ms[finite] / critical[finite] - 1.0
    base_err = base[np.isfinite(fine[pick])] / fine[pick][np.isfinite(fine[pick])] - 1.0
    print(
        "relative difference from a 200-point launch grid: kernel critical velocities "
        f"{kernel_err.min():+.1e} .. {kernel_err.max():+.1e} ({int(finite.sum())} pairs), "
        f"baseline least speeds {base_err.min():+.1e} .. {base_err.max():+.1e}"
    )
    if args.builtin:
        report = bound_report(lambda: assessment.assess(builtin_scenario("us-ru")), 3)
        threads = threads_report(lambda: assessment.assess(builtin_scenario("us-ru")), 5)
        print(f"built-in assessment, each direction:\n          {report}")
        for model in ("burnout-delay", "straight-boost"):
            report = bound_report(functools.partial(assessment.assess, builtin_with(model)), 3)
            print(f"built-in assessment, interceptor model {model}:\n          {report}")
        print(f"built-in assessment, threads:\n          {threads}")
        assess = lambda: assessment.assess(builtin_scenario("us-ru"))  # noqa: E731
        reach = compiled_report(candidate_rules, "_reach_times", assess, 5)
        print(f"built-in assessment, flyout-table reach times:\n          {reach}")
        radar = compiled_report(sensors, "visible", assess, 5)
        print(f"built-in assessment, radar visibility:\n          {radar}")


if __name__ == "__main__":
    main()
