"""Analysis: the straight boost's speed bound against the least speeds its search finds.

Not a timing. On ``bench_engagement.py``'s problem under the straight boost (one search of
3,354 candidates in (site, trajectory) pairs), from the search without bounds (every
candidate's least required speed) and the bound (``engagement_kernel.speed_bound``, 40
bisection steps, over each candidate's whole window as the search takes it):

- **What no order can skip.** The candidates whose bound is at most their pair's least speed:
  a search that drops a candidate only where its bound shows it above the least speed found
  must search them, in any order. Against the candidates the search searches (the window's
  ends and latest launches included), and the candidates whose own least speed is within
  0.5, 1, 2, 5 and 10 % of their pair's: what even a bound that tight would leave.
- **Where the bound's slack is**, on ``--sample`` candidates within 10 % of their pair's least
  speed (a seeded draw): the least over a 200-point grid of log coast times, its launch time,
  and at that launch time, over that least:

  1. the bound as the search takes it (the whole window: the least chord over the launch
     times' arc, the longest coast);
  2. the same conic bound at the least's launch time only (the site's position known, the
     arc gone; the boost's reach w = U t_b / 2 still taken as ``speed_bound`` takes it: the
     chord shortened by all of w and the radius raised by all of w, each at its worst);
  3. as 2, the boost's direction one direction d for both: the burnout point p + w d, d in the
     plane of p and the chord between them (61 directions), the least over d of the exact
     vis-viva speed with the least energy of Lagrange's equation at that point. A ceiling
     of what coupling the reach with the boost's direction can give (decision 29);
  4. the conic bound with the burnout point known (the fixed point converged, w = 0): what
     is left is the site's velocity, taken out of the departure speed only in the plane, and
     the fixed point's tolerance.

Run:  .venv/bin/python benchmarks/bound_headroom.py [--samples 120] [--sample 150] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from bench_engagement import problem, search_arguments
from glasnost.defense import engagement_kernel as kernel
from glasnost.defense.engagement import engage
from glasnost.physics.kepler_kernel import least_transfer_energy

FloatArray = NDArray[np.float64]
Geometry = tuple[float, float, float, float, float, float, float, float]
DIRECTIONS = 61
"""Directions of the boost between the chord and the vertical in the ceiling of item 3."""
NEAR_SHARES = (1.005, 1.01, 1.02, 1.05, 1.10)


def the_search(n_samples: int) -> tuple[Any, ...]:
    """The arguments of the benchmark's one search under the straight boost."""
    sites, inter, samples, early = problem(n_samples)
    calls = search_arguments(
        lambda: engage(sites, inter, samples, early, 60.0, model="straight-boost")
    )
    (args,) = calls
    return args


def pairs(args: tuple[Any, ...]) -> list[NDArray[np.int64]]:
    """The candidates of each (site, trajectory) pair of a search's arguments."""
    starts, order = args[9], args[10]
    return [order[starts[k] : starts[k + 1]] for k in range(starts.size - 1)]


def bound(args: tuple[Any, ...], i: int) -> float:
    """``speed_bound`` of candidate i over its window (the search's drop rule's coast)."""
    site, _, burn, t_i, r_i, early = args[:6]
    coast = (t_i[i] - burn[i] - early[i]) * (1.0 + 1e-9)
    mu, omega = args[14], args[15]
    return float(
        kernel.speed_bound(
            site[i], burn[i], t_i[i], r_i[i], coast, mu, omega, kernel.MAX_SPEED_MS, 40
        )
    )


def skip_report(args: tuple[Any, ...]) -> str:
    """What no order can skip (module doc)."""
    speed, _, _ = kernel.search(*args[:-1], False)
    _, _, searched = kernel.search(*args[:-1], True)
    must = 0
    near = dict.fromkeys(NEAR_SHARES, 0)
    ratios = []
    for rows in pairs(args):
        least = float(speed[rows].min())
        if not math.isfinite(least):
            continue
        for i in rows:
            b = bound(args, int(i))
            must += b <= least
            if math.isfinite(speed[i]):
                ratios.append(b / speed[i])
            for share in NEAR_SHARES:
                near[share] += bool(speed[i] <= share * least)
    within = ", ".join(f"{(s - 1) * 100:g} %: {n:,}" for s, n in near.items())
    return (
        f"{args[3].size:,} candidates; the search searches {int(searched.sum()):,}; "
        f"{must:,} have a bound at most their pair's least speed (no order skips them); "
        f"bound / least speed, median {np.median(ratios):.3f}; candidates within ... of "
        f"their pair's least: {within}"
    )


@numba.njit(cache=False)
def _direction_excess(
    speed: float,
    lever: float,
    p: FloatArray,
    r_i: FloatArray,
    geometry: Geometry,
    coast: float,
    mu: float,
) -> float:
    """``engagement_kernel._excess`` with the least |v_1| over DIRECTIONS boost directions
    between the chord and the vertical, each at its exact burnout point (item 3)."""
    reach = 0.5 * speed * lever
    p_norm = math.sqrt(p[0] ** 2 + p[1] ** 2 + p[2] ** 2)
    r2 = math.sqrt(r_i[0] ** 2 + r_i[1] ** 2 + r_i[2] ** 2)
    chord = r_i - p
    c_hat = chord / math.sqrt(chord[0] ** 2 + chord[1] ** 2 + chord[2] ** 2)
    p_hat = p / p_norm
    cos_psi = min(max(p_hat[0] * c_hat[0] + p_hat[1] * c_hat[1] + p_hat[2] * c_hat[2], -1.0), 1.0)
    psi = math.acos(cos_psi)
    normal = p_hat - cos_psi * c_hat
    normal = normal / math.sqrt(normal[0] ** 2 + normal[1] ** 2 + normal[2] ** 2)
    least = math.inf
    for k in range(DIRECTIONS):
        gamma = psi * k / (DIRECTIONS - 1)
        r_0 = p + reach * (math.cos(gamma) * c_hat + math.sin(gamma) * normal)
        r0n = math.sqrt(r_0[0] ** 2 + r_0[1] ** 2 + r_0[2] ** 2)
        c = r_i - r_0
        cn = math.sqrt(c[0] ** 2 + c[1] ** 2 + c[2] ** 2)
        energy = least_transfer_energy(0.5 * (r0n + r2 + cn), cn, coast, mu)
        least = min(least, math.sqrt(max(2.0 * mu / r0n + 2.0 * energy, 0.0)))
    off = kernel._off_plane(least, reach, geometry)
    return speed + max(kernel.FIXED_POINT_TOLERANCE_MS, 1e-3 * speed) - off


def _geometry(p: FloatArray, r_i: FloatArray, v_s: FloatArray, tilt: float) -> Geometry:
    """``_conic_geometry``'s tuple for one known p (no arc)."""
    cross = float(np.linalg.norm(np.cross(p, r_i)))
    twist = abs(float(r_i @ np.cross(v_s, p)))
    return (
        float(np.linalg.norm(p)),
        float(np.linalg.norm(r_i)),
        float(np.linalg.norm(r_i - p)),
        float(np.linalg.norm(v_s)),
        twist * (1.0 - 1e-9),
        cross,
        cross,
        tilt,
    )


def _bisect(excess: Any, top: float = kernel.MAX_SPEED_MS, steps: int = 50) -> float:
    """The largest U in [0, top] with excess(U) <= 0, by bisection (excess rises in U)."""
    lo, hi = 0.0, top
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if excess(mid) <= 0.0:
            lo = mid
        else:
            hi = mid
    return lo


def slack_row(args: tuple[Any, ...], i: int) -> tuple[float, ...]:
    """Items 1-4 of the module doc over the least speed, and the least's coast over the
    longest, for candidate i."""
    site, up, burn, t_i, r_i, early, late = args[:7]
    mu, omega = args[14], args[15]
    tb, base = float(burn[i]), float(t_i[i] - burn[i])
    longest = base - float(early[i])
    xs = np.linspace(math.log(max(kernel.TAU_MIN_S, base - late[i])), math.log(longest), 200)
    speeds = [
        kernel.required_speed(
            site[i], up[i], tb, base - math.exp(x), t_i[i], r_i[i], mu, omega, False
        )
        for x in xs
    ]
    j = int(np.argmin(speeds))
    least, tau = float(speeds[j]), math.exp(xs[j])
    launch = base - tau
    angle = omega * launch
    s = site[i]
    s_eci = np.array(
        [
            math.cos(angle) * s[0] - math.sin(angle) * s[1],
            math.sin(angle) * s[0] + math.cos(angle) * s[1],
            s[2],
        ]
    )
    v_s = omega * np.array([-s_eci[1], s_eci[0], 0.0])
    p = s_eci + v_s * tb
    geometry = _geometry(p, r_i[i], v_s, kernel.VERTICAL_TILT + omega * tb)
    coast = tau * (1.0 + 1e-9)
    window = bound(args, i)
    known_site = _bisect(lambda u: kernel._excess(u, tb, geometry, coast, mu))
    directed = _bisect(lambda u: _direction_excess(u, tb, p, r_i[i], geometry, coast, mu))
    # The burnout point known: the fixed point run to convergence.
    u = (r_i[i] - p) / (0.5 * tb + tau)
    for _ in range(200):
        r_0 = p + 0.5 * tb * u
        v1, v2, v3, _ = kernel._lambert_short(*r_0, *r_i[i], tau, mu, math.nan)
        u = u + (np.array([v1, v2, v3]) - v_s - u) / (1.0 + 0.5 * tb / tau)
    r_0 = p + 0.5 * tb * u
    known = _geometry(r_0, r_i[i], v_s, kernel.VERTICAL_TILT)
    burnout = _bisect(lambda u: kernel._excess(u, 0.0, known, coast, mu))
    return window / least, known_site / least, directed / least, burnout / least, tau / longest


def slack_report(args: tuple[Any, ...], n: int, seed: int) -> str:
    """Where the bound's slack is (module doc), medians and deciles over ``n`` candidates."""
    speed, _, _ = kernel.search(*args[:-1], False)
    near = [
        int(i)
        for rows in pairs(args)
        for i in rows
        if math.isfinite(speed[i]) and speed[i] <= 1.10 * speed[rows].min()
    ]
    drawn = np.random.default_rng(seed).choice(near, size=min(n, len(near)), replace=False)
    rows = np.array([slack_row(args, int(i)) for i in drawn])
    names = (
        "1. the bound as the search takes it",
        "2. at the least's launch time",
        "3. the boost's direction coupled (ceiling)",
        "4. the burnout point known",
    )
    lines = [
        f"{len(drawn)} of the {len(near):,} candidates within 10 % of their pair's least speed; "
        f"the least's coast over the longest: median {np.median(rows[:, 4]):.3f}; "
        "bound / least speed, median (10th-90th percentile):"
    ]
    for k, name in enumerate(names):
        lo, mid, hi = np.percentile(rows[:, k], [10, 50, 90])
        lines.append(f"  {name}: {mid:.3f} ({lo:.3f}-{hi:.3f})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=120, help="samples per trajectory")
    parser.add_argument("--sample", type=int, default=150, help="candidates of the slack rows")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    args = the_search(options.samples)
    print(skip_report(args))
    print(slack_report(args, options.sample, options.seed))


if __name__ == "__main__":
    main()
