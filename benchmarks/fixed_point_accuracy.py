"""Accuracy report: the straight boost's required speed, its first guess and its damped fixed
point (decision 27), on the engagement benchmark's problem.

Rows: every candidate (site, sample) pair of ``bench_engagement.py``'s problem at
``--launch-times`` launch times spread evenly over its window (coasts of at least
``TAU_MIN_S``). For each row the fixed point u = lambert(r_bo(u), r_I, tau) - v_s is run to
convergence (``--converge`` damped steps, kept where the last moved u by under 1e-9 m/s and the
speed is below ``MAX_SPEED_MS``), and compared with:

- the first guess (``required_speed._boost_guess``): its error, by coast over burn time, for
  the straight line (below ``STRAIGHT_GUESS_COASTS``) and the corrected coast from mid-boost;
  and the previous guess, the uncorrected coast from mid-boost;
- the contraction of the damped step (|e_2| / |e_1|, the residuals at the guess and after
  one step), and the residual after one step itself;
- the speed after ``FIXED_POINT_ITERATIONS`` steps from the guess (what the search returns),
  and after three steps from the previous guess (what it returned before decision 27).

The arithmetic is ``required_speed``'s NumPy path (the reference of the compiled search),
applied to all rows at once.

Run:  .venv/bin/python benchmarks/fixed_point_accuracy.py [--samples 120] [--launch-times 10]
"""

from __future__ import annotations

import argparse

import numpy as np
from numpy.typing import NDArray

from bench_engagement import candidates, problem
from glasnost.defense import engagement_kernel as kernel
from glasnost.defense.required_speed import _boost_guess, _lambert_short
from glasnost.physics import frames
from glasnost.physics.constants import WGS84

FloatArray = NDArray[np.float64]


def _rows(n_samples: int, launch_times: int) -> tuple[FloatArray, ...]:
    """Site ECI position and velocity at launch, burn, coast and intercept point of each row."""
    sites, inter, samples, early = problem(n_samples)
    s, j, p = candidates(sites, inter, samples, early).T
    burn = inter.burn_time_s[s]
    t_i = samples.t_s[j, p]
    last = t_i - burn - kernel.TAU_MIN_S
    fraction = np.linspace(0.0, 1.0, launch_times)
    launch = early[s, j][:, None] + fraction[None, :] * (last - early[s, j])[:, None]
    site = np.repeat(sites[s], launch_times, axis=0)
    launch = launch.reshape(-1)
    r0, vs = frames.ecef_to_eci(site, launch, WGS84)
    tb = np.repeat(burn, launch_times)
    tau = np.repeat(t_i, launch_times) - launch - tb
    r_i = np.repeat(samples.r_eci[j, p], launch_times, axis=0)
    return r0, vs, tb, tau, r_i


def _residual(
    u: FloatArray, r0: FloatArray, vs: FloatArray, tb: FloatArray, tau: FloatArray, r_i: FloatArray
) -> FloatArray:
    """lambert(r_bo(u), r_I, tau) - v_s - u (N, 3): one fixed-point step's change, undamped."""
    r_bo = r0 + vs * tb[:, None] + 0.5 * u * tb[:, None]
    change: FloatArray = _lambert_short(r_bo, r_i, tau, WGS84.mu) - vs - u
    return change


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=120)
    parser.add_argument("--launch-times", type=int, default=10)
    parser.add_argument("--converge", type=int, default=200)
    args = parser.parse_args()
    r0, vs, tb, tau, r_i = _rows(args.samples, args.launch_times)
    damp = (1.0 / (1.0 + 0.5 * tb / tau))[:, None]
    guess = _boost_guess(r0, vs, tb, tau, r_i, WGS84.mu)
    half = 0.5 * tb[:, None]
    previous = _lambert_short(r0 + vs * half, r_i, tau + half[:, 0], WGS84.mu) - vs
    with np.errstate(invalid="ignore", over="ignore"):
        u = guess.copy()
        move = np.zeros_like(u)
        for _ in range(args.converge):
            move = _residual(u, r0, vs, tb, tau, r_i) * damp
            u = u + move
        speed = np.linalg.norm(u, axis=-1)
        ok = (np.linalg.norm(move, axis=-1) < 1e-9) & (speed < kernel.MAX_SPEED_MS)

        def stepped(start: FloatArray, steps: int) -> FloatArray:
            v = start.copy()
            for _ in range(steps):
                v = v + _residual(v, r0, vs, tb, tau, r_i) * damp
            return np.asarray(np.linalg.norm(v, axis=-1))

        now = stepped(guess, kernel.FIXED_POINT_ITERATIONS)
        before = stepped(previous, 3)
        e1 = np.linalg.norm(_residual(guess, r0, vs, tb, tau, r_i), axis=-1)
        second = guess + _residual(guess, r0, vs, tb, tau, r_i) * damp
        e2 = np.linalg.norm(_residual(second, r0, vs, tb, tau, r_i), axis=-1)
    print(f"{tau.size} rows, {ok.sum()} with a converged fixed point below MAX_SPEED_MS")
    ratio = tau / tb
    guess_error = np.linalg.norm(guess - u, axis=-1)
    previous_error = np.linalg.norm(previous - u, axis=-1)
    print("first guess's error (m/s), median / 99th percentile / most, by coast / burn time:")
    for lo, hi in [(0.0, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, np.inf)]:
        rows = ok & (ratio >= lo) & (ratio < hi)
        if not rows.any():
            continue
        kind = "straight line" if hi <= kernel.STRAIGHT_GUESS_COASTS else "corrected coast"
        g = np.percentile(guess_error[rows], [50, 99, 100])
        p = np.percentile(previous_error[rows], [50, 99, 100])
        print(
            f"  {lo:g}-{hi:g} ({rows.sum()} rows, {kind}): {g[0]:.3g} / {g[1]:.3g} / {g[2]:.3g};"
            f" the previous guess {p[0]:.3g} / {p[1]:.3g} / {p[2]:.3g}"
        )
    q = np.percentile(e2[ok], [50, 99, 100])
    print(
        f"residual after one step, |e_2| (m/s): median {q[0]:.2g}, 99th {q[1]:.2g}, most "
        f"{q[2]:.2g} (accepting on it instead of the check would need it below 1 m/s)"
    )
    rate = e2[ok] / e1[ok]
    rate = rate[np.isfinite(rate)]
    print(
        "contraction of a damped step |e_2| / |e_1|: median "
        f"{np.median(rate):.3g}, 99th percentile {np.percentile(rate, 99):.3g}"
    )
    for label, values in [
        (f"{kernel.FIXED_POINT_ITERATIONS} steps from the guess (now)", now),
        ("3 steps from the previous guess (before)", before),
    ]:
        error = np.abs(values[ok] - speed[ok])
        q = np.percentile(error, [50, 99, 100])
        print(f"speed error, {label}: median {q[0]:.2g}, 99th {q[1]:.2g}, most {q[2]:.2g} m/s")


if __name__ == "__main__":
    main()
