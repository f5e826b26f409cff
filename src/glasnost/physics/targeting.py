"""Targeting: launch azimuth, pitch-over and thrust termination that put a missile on a target.

Given launch and target points (batched), :func:`aim` finds for each row the launch azimuth,
the pitch-over kick angle and the thrust-termination time so that the full trajectory on the
rotating Earth (boost with drag, coast, reentry with drag) lands on the target, for the
trajectory shapes:

- ``min-energy``: the least-energy coast (decision 0003): the kick gives the burnout
  flight-path angle of the least-energy conic to the target, thrust termination the range;
  where that coast is out of the missile's reach, the first kick that reaches.
- ``lofted`` / ``depressed``: above / below the minimum-energy trajectory. With neither an
  apogee nor a burnout flight-path angle given, every stage burns to depletion and the kick
  takes the high or the low root; with ``apogee_m`` (the flown apogee, m above the ellipsoid)
  or ``flight_path_angle_deg`` (Earth-relative, above the local horizontal at burnout: the
  angle :meth:`Trajectory.burnout_ground_state` reports) the kick, azimuth and thrust
  termination meet that quantity and the target together. Any apogee from the lowest flight
  that lands up to the full-burn lofted one can be asked for.
- ``max-range`` (:func:`glasnost.physics.max_range.max_range`): full burn, the kick that
  flies farthest along an azimuth.

Method. Each vehicle type has an :class:`~glasnost.physics.envelope.Envelope`, flown once on a
non-rotating sphere over a grid of kicks and termination times, that gives first guesses, the
first slopes and the branch limits. Every vehicle type is solved on its own step grid. Each
outer iteration flies one batched boost per unconverged row with the current azimuth and kick
(stages to depletion, dense states kept), solves the termination time along that boost against
the vacuum model of :mod:`glasnost.physics.impact` (Hermite-interpolated burnout states and an
exact Kepler coast to the aim radius, Illinois regula falsi), flies the full trajectory (coast
and reentry with drag), moves the aim point by the displacement the vacuum model leaves out
(mostly reentry drag; damped when it oscillates), corrects the azimuth by the bearing error
seen from the launch point and the kick by a secant step on the shape condition. Min-energy
flights first correct the envelope's azimuth and kick for the Earth's rotation in one such
pass on a coarse boost (three times the step), which saves about one full boost per row.

Steep flights (an apogee or angle asked for, and full-burn lofted flights) are steered
differently (:mod:`glasnost.physics.steering`): their kick, azimuth and termination time
are solved together on a model of the boost just flown, and the next boost is flown there.
Rows converge independently and their flights are joined once at the end; unreachable
targets and shapes are reported, never silently clipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.physics import frames
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.envelope import Envelope, envelope
from glasnost.physics.impact import (
    range_and_bearing,
    surface_distance,
    vacuum_impact,
    wrap_deg,
)
from glasnost.physics.rocket import BoostProblem, BoostResult, fly_boost
from glasnost.physics.steering import _RANGE_TOLERANCE_M, _local_cutoff, _State, _steer_shaped
from glasnost.physics.targeted import (
    CONTRACT_MISS_M,
    FlownControls,
    TargetingError,
    TargetingResult,
    check_points,
)
from glasnost.physics.trajectory import (
    CoastModel,
    Trajectory,
    coast_and_reenter,
    fly,
    ground_flight_path_angle_deg,
)
from glasnost.physics.vehicle import VehicleBatch

__all__ = [
    "CONTRACT_MISS_M",
    "MISS_TOLERANCE_M",
    "SHAPES",
    "Envelope",
    "TargetingError",
    "TargetingResult",
    "aim",
    "check_points",
    "envelope",
    "surface_distance",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Shape = Literal["min-energy", "lofted", "depressed", "max-range"]
SHAPES: tuple[str, ...] = ("min-energy", "lofted", "depressed", "max-range")

MISS_TOLERANCE_M = 100.0
"""Targeting stops when the full trajectory lands this close to the target (the contract is
1 km; 100 m leaves margin)."""

_MAX_OUTER = 40

_CONDITION_TOLERANCE = {"apogee": 100.0, "fpa": 1e-3, "min-energy": 0.25}
"""How closely the shape's condition is met (m of apogee, deg of burnout flight-path angle,
deg of that angle from the least-energy one); the range's is 5 % of the miss tolerance."""

_COARSE_STEP_S = (3.0, 9.0)
"""The steps (s; first stage, upper stages) of the coarse boost of :func:`_coarse_first_pass`,
three times the full boost's. Chosen by measurement on the 10,000 min-energy targets of
``benchmarks/bench_trajectories.py`` (``bench_targeting_parts.boost_flights(10_000)``, this
constant changed for each run): 2.32 full boosts per target after one coarse pass at these
steps, against 3.38 without; 2.55 after a pass at twice these steps. Prototypes not kept
(decision 20): a second coarse pass (2.12 full boosts) saved no time, and one that also moved
the aim point for reentry drag (1.58) left a few rows needing 30 iterations and more."""
_TC_ITER = 30

_SHAPED_MIN_KICK_DEG = 0.01
"""Smallest kick (deg) of lofted flights and of an apogee or flight-path angle: below the
envelope's grid, so that the steepest lofts (the full-burn edge of short ranges, or of
westward ranges that the Earth's rotation helps) stay within the kicks searched."""


def _solve_cutoff(
    boost: BoostResult,
    lat0: FloatArray,
    lon0: FloatArray,
    aim_lat: FloatArray,
    aim_lon: FloatArray,
    t_lo: FloatArray,
    t_hi: FloatArray,
    earth: EarthModel,
    previous: FloatArray | None = None,
) -> tuple[FloatArray, NDArray[np.int8], FloatArray]:
    """Termination times in [t_lo, t_hi] whose vacuum impact is at the aim range (Illinois
    regula falsi on every row at once); whether the range was bracketed (0 yes, -1 short
    even at t_hi, +1 beyond the aim even at t_lo) and by how much it was missed (m). With the
    ``previous`` solution, a bracket of +-2 s around it is tried first."""

    def f(tc: FloatArray) -> FloatArray:
        return range_and_bearing(boost, tc, lat0, lon0, aim_lat, aim_lon, earth)[0]

    a, b = t_lo.copy(), t_hi.copy()
    if previous is not None:
        a, b = np.maximum(previous - 2.0, t_lo), np.minimum(previous + 2.0, t_hi)
    fa, fb = f(a), f(b)
    bracketed = (fa <= 0.0) & (fb >= 0.0)
    if previous is not None and not np.all(bracketed):
        wide = ~bracketed
        a[wide], b[wide] = t_lo[wide], t_hi[wide]
        fa[wide], fb[wide] = f(a)[wide], f(b)[wide]
        bracketed = (fa <= 0.0) & (fb >= 0.0)
    reach = np.where(bracketed, 0, np.where(fb < 0.0, -1, 1)).astype(np.int8)
    outside = np.where(fb < 0.0, fb, fa)  # how far short (at t_hi) or beyond (at t_lo), m
    fa = np.where(bracketed, fa, -1.0)  # a: short of the aim, b: beyond it
    fb = np.where(bracketed, fb, 1.0)
    last_short = np.zeros(len(a), dtype=np.int8)  # +1 replaced a last time, -1 replaced b
    x = 0.5 * (a + b)
    for _ in range(_TC_ITER):
        x = np.clip(b - fb * (b - a) / (fb - fa), a, b)
        fx = f(x)
        if np.all((np.abs(fx) < _RANGE_TOLERANCE_M) | ~bracketed):
            break
        short = fx < 0.0
        # Illinois: when the same end is replaced twice running, halve the other end's value.
        fb = np.where(short & (last_short == 1), 0.5 * fb, fb)
        fa = np.where(~short & (last_short == -1), 0.5 * fa, fa)
        a, fa = np.where(short, x, a), np.where(short, fx, fa)
        b, fb = np.where(short, b, x), np.where(short, fb, fx)
        last_short = np.where(short, 1, -1).astype(np.int8)
    return x, reach, np.where(bracketed, 0.0, outside)


def _subset(vehicles: VehicleBatch, rows: NDArray[np.intp]) -> VehicleBatch:
    return vehicles.take(rows)


def _cross(
    kicks: FloatArray, values: FloatArray, goal: FloatArray, bridge: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Per column of ``values`` (kicks, M), decreasing in the kick with NaN where undefined:
    the kick where it crosses ``goal`` (M,) by linear interpolation (clamped to the first or
    last defined kick when it does not cross) and the slope there. With ``bridge``, a
    crossing across undefined kicks (a range that the earliest termination overshoots with
    the kicks between) is interpolated over the gap before clamping."""
    d = values - goal[None, :]
    finite = np.isfinite(d)
    cross = finite[:-1] & finite[1:] & (d[:-1] >= 0.0) & (d[1:] < 0.0)
    has = np.any(cross, axis=0)
    k = np.argmax(cross, axis=0)
    cols = np.arange(values.shape[1])
    d0, d1 = d[k, cols], d[np.minimum(k + 1, len(kicks) - 1), cols]
    k0, k1 = kicks[k], kicks[np.minimum(k + 1, len(kicks) - 1)]
    guess = np.where(has, k0 + d0 / np.where(has, d0 - d1, 1.0) * (k1 - k0), np.nan)
    rate = np.where(has, (d1 - d0) / np.where(has, k1 - k0, 1.0), np.nan)
    # No crossing: every defined value is below the goal (take the first defined kick) or
    # above it (the last one).
    first = np.argmax(finite, axis=0)
    last = len(kicks) - 1 - np.argmax(finite[::-1], axis=0)
    below = np.all(~finite | (d < 0.0), axis=0)
    fallback = np.where(below, kicks[first], kicks[last])
    anything = np.any(finite, axis=0)
    if bridge:
        above = finite & (d >= 0.0)
        i_a = len(kicks) - 1 - np.argmax(above[::-1], axis=0)
        after = finite & (d < 0.0) & (np.arange(len(kicks))[:, None] > i_a[None, :])
        i_b = np.argmax(after, axis=0)
        gap = ~has & np.any(above, axis=0) & np.any(after, axis=0)
        da, db = d[i_a, cols], d[i_b, cols]
        bridged = kicks[i_a] + da / np.where(gap, da - db, 1.0) * (kicks[i_b] - kicks[i_a])
        guess, has = np.where(gap, bridged, guess), has | gap
    guess = np.where(has, guess, np.where(anything, fallback, np.nan))
    return guess, rate


def _initial_state(
    vehicles: VehicleBatch,
    distance: FloatArray,
    azimuth: FloatArray,
    lat1: FloatArray,
    lon1: FloatArray,
    shape: str,
    condition: str,
    goal: FloatArray,
) -> _State:
    n = vehicles.size
    kick = np.full(n, np.nan)
    lo = np.zeros(n)
    hi = np.zeros(n)
    sign = np.full(n, -1.0)
    k_max = np.zeros(n)
    slope = np.full(n, np.nan)  # d(condition error)/d(kick) at the guess, from the envelope
    for veh, m in vehicles.groups():
        env = envelope(veh)
        kicks = env.kicks_deg[env.valid]
        k_star = env.max_range_kick_deg
        k_max[m] = k_star
        cut = env.cutoff_for_range(distance[m])[env.valid]  # (K, M)
        lo[m], hi[m] = kicks[0], kicks[-1]
        # Lofted flights may need kicks below the grid (short ranges, or a westward drift
        # under the rotating Earth that carries a near-vertical flight to the target).
        lowest = min(kicks[0], _SHAPED_MIN_KICK_DEG)
        if condition == "range":
            full = env.full_burn_range_m[env.valid]
            branch = kicks <= k_star if shape == "lofted" else kicks >= k_star
            kb, rb = kicks[branch], full[branch]
            order = np.argsort(rb)
            reach = distance[m] <= rb.max()
            kick[m] = np.where(reach, np.interp(distance[m], rb[order], kb[order]), np.nan)
            if shape == "lofted":  # below the grid: full-burn range taken proportional to kick
                near = distance[m] < full[0]
                kick[m] = np.where(near, kicks[0] * distance[m] / full[0], kick[m])
            if kb.size > 1:
                slope[m] = np.interp(kick[m], kb, np.gradient(rb, kb))
            lo[m], hi[m] = (lowest, k_star) if shape == "lofted" else (k_star, kicks[-1])
            sign[m] = 1.0 if shape == "lofted" else -1.0
        else:
            table = {
                "apogee": env.apogee_m,
                "fpa": env.fpa_deg,
                "min-energy": env.fpa_deg - env.min_energy_fpa_deg,
            }[condition]
            values = np.array(
                [np.interp(cut[k], env.cutoffs_s, table[env.valid][k]) for k in range(kicks.size)]
            )  # (K, M), decreasing in the kick
            guess, rate = _cross(kicks, values, goal[m], bridge=condition != "min-energy")
            if condition != "min-energy":
                # No grid kick reaches the range (a short one: the steep end of the family
                # lies below the grid): start from the kick whose full burn reaches it, the
                # full-burn range taken proportional to the kick below the grid.
                full = env.full_burn_range_m[env.valid]
                below = np.isnan(guess) & (distance[m] < full[0])
                guess = np.where(below, kicks[0] * distance[m] / full[0], guess)
                lo[m] = lowest
            kick[m] = guess
            slope[m] = rate
    return _State(
        azimuth.copy(),
        kick,
        np.zeros(n),
        lat1.copy(),
        lon1.copy(),
        lo,
        hi,
        sign,
        np.full(n, np.nan),
        np.full(n, np.nan),
        np.isfinite(kick),
        k_max,
        np.zeros(n, dtype=bool),
        np.where(slope * sign > 0.0, slope, np.nan),
        np.zeros(n, dtype=bool),
        np.full(n, np.nan),
        np.full(n, np.nan),
        np.zeros(n, dtype=bool),
        np.ones(n),
        np.full(n, np.inf),
        np.zeros(n, dtype=np.int_),
        np.zeros(n),
    )


def _update_kick(st: _State, idx: NDArray[np.intp], err: FloatArray) -> BoolArray:
    """Secant step on the kick, limited to 2 degrees and to the shape's branch of kicks.

    The azimuth and aim point move between iterations too, so a secant over a tiny kick step
    can have the wrong sign; then the last good slope is used again (a 0.5 deg probe when
    there is none yet). Returns the rows pinned at a branch limit with the error still
    pushing outward.
    """
    kick, s = st.kick[idx], st.slope_sign[idx]
    dk = kick - st.prev_kick[idx]
    de = err - st.prev_err[idx]
    usable = np.isfinite(dk) & (np.abs(dk) > 1e-4) & (de != 0.0)
    slope = np.where(usable, de / np.where(usable, dk, 1.0), np.nan)
    good = np.isfinite(slope) & (slope * s > 0.0)
    slope = np.where(good, slope, st.slope[idx])
    st.slope[idx] = slope
    known = np.isfinite(slope)
    step = np.where(known, -err / np.where(known, slope, 1.0), -s * np.sign(err) * 0.5)
    new = np.clip(kick + np.clip(step, -2.0, 2.0), st.branch_lo[idx], st.branch_hi[idx])
    st.prev_kick[idx], st.prev_err[idx] = kick, err
    st.kick[idx] = new
    return np.abs(new - kick) < 1e-12


def _walk_kick(
    st: _State, idx: NDArray[np.intp], reach: NDArray[np.int8], outside: FloatArray
) -> None:
    """Move min-energy kicks that cannot reach the aim at any termination time.

    Rows short of the aim even at full burn step towards flatter flights (larger kicks), rows
    beyond it even at the earliest termination towards steeper ones: 0.5 deg at first, then
    a secant step on the distance missed (0.1 to 2 deg). The kicks passed over are fenced off
    for the min-energy secant, which then leaves the row at the first kick that reaches
    (within one step of the least-energy feasible one). A row whose miss grows along the walk
    has passed the best
    kick, and one at the end of the kicks has none left: it cannot reach (``st.exhausted``).
    """
    kick = st.kick[idx]
    sign = np.where(reach < 0, 1.0, -1.0)  # direction of the walk in kick
    before = st.walk_outside[idx]
    worse = np.isfinite(before) & (np.abs(outside) >= np.abs(before))
    limit = np.where(reach < 0, st.branch_hi[idx], st.branch_lo[idx])
    moved = np.abs(kick - st.walk_kick[idx])
    slope = (np.abs(before) - np.abs(outside)) / np.where(moved > 0.0, moved, np.nan)
    step = np.where(
        np.isfinite(slope) & (slope > 0.0), np.clip(np.abs(outside) / slope, 0.1, 2.0), 0.5
    )
    new = np.clip(kick + sign * step, st.branch_lo[idx], st.branch_hi[idx])
    st.exhausted[idx] = worse | (np.abs(kick - limit) < 1e-9)
    st.branch_lo[idx] = np.where(reach < 0, np.maximum(st.branch_lo[idx], kick), st.branch_lo[idx])
    st.branch_hi[idx] = np.where(reach < 0, st.branch_hi[idx], np.minimum(st.branch_hi[idx], kick))
    st.walk_kick[idx], st.walk_outside[idx] = kick, outside
    st.kick[idx] = new
    st.fenced[idx] = True
    st.prev_kick[idx] = np.nan
    st.slope[idx] = np.nan


def _aim_for_offset(
    st: _State,
    idx: NDArray[np.intp],
    lat_v: FloatArray,
    lon_v: FloatArray,
    lat_i: FloatArray,
    lon_i: FloatArray,
    lat1: FloatArray,
    lon1: FloatArray,
    earth: EarthModel,
) -> None:
    """Aim rows ``idx`` at target + (vacuum impact - full impact), in the target's ENU frame.

    The move towards that point is damped (``st.aim_gain``, halved each time the miss fails to
    shrink) for shallow reentries, where the drag displacement itself changes with the aim.
    """
    origin = frames.geodetic_to_vector(lat1[idx], lon1[idx], 0.0, earth)
    offset = frames.geodetic_to_vector(lat_v, lon_v, 0.0, earth) - frames.geodetic_to_vector(
        lat_i, lon_i, 0.0, earth
    )
    basis = frames.enu_basis(lat1[idx], lon1[idx])
    wanted = np.einsum("nij,nj->ni", basis, offset)
    current = np.einsum(
        "nij,nj->ni",
        basis,
        frames.geodetic_to_vector(st.aim_lat[idx], st.aim_lon[idx], 0.0, earth) - origin,
    )
    horizontal = current + st.aim_gain[idx, None] * (wanted - current)
    horizontal[:, 2] = 0.0
    point = origin + np.einsum("nij,ni->nj", basis, horizontal)
    lat, lon, _ = frames.vector_to_geodetic(point, earth)
    st.aim_lat[idx], st.aim_lon[idx] = lat, lon


def aim(
    vehicles: VehicleBatch,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    target_lat_deg: ArrayLike,
    target_lon_deg: ArrayLike,
    shape: Shape = "min-energy",
    apogee_m: float | FloatArray | None = None,
    flight_path_angle_deg: float | FloatArray | None = None,
    earth: EarthModel = WGS84,
    coast: CoastModel = "kepler",
    tolerance_m: float = MISS_TOLERANCE_M,
) -> TargetingResult:
    """Find azimuth, kick and termination so each row lands on its target (module doc).

    Arrays of shape (N,) in degrees; ``apogee_m`` / ``flight_path_angle_deg`` scalars or (N,).
    Rows whose target is out of reach (too far, or too close for the vehicle's earliest
    termination) come back with ``reachable`` False and the closest trajectory found.
    """
    n = vehicles.size
    lat0, lon0, lat1, lon1 = (
        np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()
        for x in (launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg)
    )
    check_points("launch point", lat0, lon0, vehicles)
    check_points("target", lat1, lon1, vehicles)
    if shape not in ("min-energy", "lofted", "depressed"):
        raise TargetingError("does not aim at a target (use max_range)", where=f"shape {shape!r}")
    if apogee_m is not None and flight_path_angle_deg is not None:
        raise TargetingError(
            "give an apogee or a burnout flight-path angle, not both",
            where="apogee_m, flight_path_angle_deg",
        )
    given = apogee_m if apogee_m is not None else flight_path_angle_deg
    if shape == "min-energy" and given is not None:
        raise TargetingError(
            "an apogee or a flight-path angle sets a lofted or depressed shape",
            where="shape 'min-energy'",
        )
    condition = "range" if given is None else ("apogee" if apogee_m is not None else "fpa")
    if shape == "min-energy":
        condition = "min-energy"
    goal = np.broadcast_to(np.asarray(0.0 if given is None else given, dtype=float), (n,)).copy()
    if not np.all(np.isfinite(goal)):
        raise TargetingError(
            "apogee and flight-path angle must be finite numbers",
            where=f"{condition} of {vehicles.rows_named(np.flatnonzero(~np.isfinite(goal)))}",
        )
    # Rows are independent: each vehicle type is solved on its own step grid (a long-burning
    # type would otherwise impose its step count on every row); the flights are joined once.
    pieces: list[tuple[NDArray[np.intp], Trajectory]] = []
    controls = np.zeros((4, n))
    interpolated = np.zeros(n, dtype=bool)
    outer = 0
    for _, g in vehicles.groups():
        solved = _solve_one_type(
            vehicles.take(g),
            lat0[g],
            lon0[g],
            lat1[g],
            lon1[g],
            shape,
            condition,
            goal[g],
            earth,
            coast,
            tolerance_m,
        )
        pieces += [(g[rows], traj) for rows, traj in solved.pieces]
        controls[:, g] = solved.controls
        interpolated[g] = solved.interpolated
        outer = max(outer, solved.outer)
    if len(pieces) == 1 and np.array_equal(pieces[0][0], np.arange(n)):
        traj = pieces[0][1]
    else:
        traj = Trajectory.concat([t for _, t in pieces], [i for i, _ in pieces])
    lat_i, lon_i = traj.impact_geodetic()
    miss = surface_distance(lat_i, lon_i, lat1, lon1, earth)
    az, kick, cutoff, reachable = controls
    flown = FlownControls(az.copy(), interpolated)
    return TargetingResult(traj, az % 360.0, kick, cutoff, miss, reachable > 0.5, outer, flown)


@dataclass
class _Solved:
    """One vehicle type's solution: flights by row groups, controls (az, kick, cutoff,
    reachable as 0/1) per row, iterations used, and the rows whose flight interpolates a boost
    flown to depletion (the converged ones; :class:`FlownControls`)."""

    pieces: list[tuple[NDArray[np.intp], Trajectory]]
    controls: FloatArray
    outer: int
    interpolated: BoolArray


def _solve_one_type(
    vehicles: VehicleBatch,
    lat0: FloatArray,
    lon0: FloatArray,
    lat1: FloatArray,
    lon1: FloatArray,
    shape: str,
    condition: str,
    goal: FloatArray,
    earth: EarthModel,
    coast: CoastModel,
    tolerance_m: float,
) -> _Solved:
    """The iteration of :func:`aim` for a batch of one vehicle type (see the module doc)."""
    n = vehicles.size
    full_burn = condition == "range"
    shaped = condition in ("apogee", "fpa")
    kick_free = True
    distance, azimuth = frames.great_circle(lat0, lon0, lat1, lon1)
    st = _initial_state(vehicles, distance, azimuth, lat1, lon1, shape, condition, goal)
    # No first guess (beyond the non-rotating envelope): start from the longest-range kick;
    # the Earth's rotation may still bring the target within reach.
    st.kick = np.where(np.isfinite(st.kick), st.kick, st.max_range_kick)
    st.reachable[:] = True
    t_end = vehicles.burnout_s[:, -1]
    # Thrust may stop after the first stage of a multi-stage vehicle, after the pitch-over of
    # a single-stage one; per row, as a batch pads shorter stacks with zero-length stages.
    staged_rows = np.sum(vehicles.stage_duration_s > 0.0, axis=1) > 1
    t_first = np.where(
        staged_rows,
        vehicles.burnout_s[:, 0],
        np.minimum(vehicles.vertical_rise_s + vehicles.pitch_over_s, t_end),
    )
    launch_ecef = frames.geodetic_to_vector(lat0, lon0, 0.0, earth)
    r0, v0 = frames.ecef_to_eci(launch_ecef, 0.0, earth)
    # Steep flights (shaped, or lofted at full burn) are steered on the steered-flight model
    # (_steer_shaped), whose reference is the kick-free flight of each row.
    steep = shaped or (full_burn and shape == "lofted")
    if steep:
        vertical = fly_boost(BoostProblem(vehicles, np.zeros(n), np.zeros(n), earth), r0, v0)
    if condition == "min-energy":
        _coarse_first_pass(st, vehicles, r0, v0, lat0, lon0, lat1, lon1, t_first, t_end, earth)
    done = np.zeros(n, dtype=bool)
    pieces: list[tuple[NDArray[np.intp], Trajectory]] = []
    outer = 0
    cond_tol = 0.05 * tolerance_m if condition == "range" else _CONDITION_TOLERANCE[condition]
    hopeless = {"range": 50e3, "apogee": 20e3, "fpa": 0.5, "min-energy": np.inf}[condition]
    for outer in range(1, _MAX_OUTER + 1):
        todo = np.flatnonzero(~done)
        if todo.size == 0:
            break
        sub = vehicles.take(todo)
        problem = BoostProblem(sub, np.radians(st.az[todo]), np.radians(st.kick[todo]), earth)
        boost = fly_boost(problem, r0[todo], v0[todo])
        previous = st.cutoff[todo] if outer > 1 else None
        if full_burn:
            tc, reach = t_end[todo].copy(), np.zeros(todo.size, dtype=np.int8)
            outside = np.zeros(todo.size)
        elif shaped and outer > 1:
            tc, reach, outside = _local_cutoff(
                boost,
                lat0[todo],
                lon0[todo],
                st.aim_lat[todo],
                st.aim_lon[todo],
                st.cutoff[todo],
                t_first[todo],
                t_end[todo],
                earth,
            )
        else:
            tc, reach, outside = _solve_cutoff(
                boost,
                lat0[todo],
                lon0[todo],
                st.aim_lat[todo],
                st.aim_lon[todo],
                t_first[todo],
                t_end[todo],
                earth,
                previous,
            )
        if shaped:
            # No termination time reaches the aim: judge the shape at the nearest end (full
            # burn when short, the earliest termination when beyond).
            tc = np.where(reach < 0, t_end[todo], np.where(reach > 0, t_first[todo], tc))
        st.cutoff[todo] = tc
        bracketed = reach == 0
        # Min-energy at the edge of the envelope: when no termination time reaches the aim with
        # this kick, walk the kick towards longer (or shorter) flights and fence the kicks
        # behind; the least-energy trajectory is then on that fence.
        walk = (reach != 0) & (condition == "min-energy")
        if np.any(walk):
            _walk_kick(st, todo[walk], reach[walk], outside[walk])
        aim_radius = np.linalg.norm(
            frames.geodetic_to_vector(st.aim_lat[todo], st.aim_lon[todo], 0.0, earth), axis=-1
        )
        lat_v, lon_v, apogee, fpa, fpa_opt = vacuum_impact(boost, tc, aim_radius, earth)
        if condition == "fpa":  # the Earth-relative angle, as reported (not the inertial one)
            fpa = ground_flight_path_angle_deg(*boost.state_at(tc), tc, earth)
        want, want_bearing = frames.great_circle(
            lat0[todo], lon0[todo], st.aim_lat[todo], st.aim_lon[todo]
        )
        comes_down = np.isfinite(lat_v)
        got, bearing = frames.great_circle(lat0[todo], lon0[todo], np.nan_to_num(lat_v), lon_v)
        d_range = np.where(comes_down, got - want, -want)
        err = {
            "range": d_range,
            "apogee": apogee - goal[todo],
            "fpa": fpa - goal[todo],
            "min-energy": np.nan_to_num(fpa - fpa_opt),
        }[condition]
        cond_ok = np.abs(err) < cond_tol if kick_free else np.ones(todo.size, dtype=bool)
        # The full flight (coast and reentry with drag) from this boost and termination.
        fine = bracketed & comes_down
        miss_now = np.full(todo.size, np.inf)
        if np.any(fine):
            idx = todo[fine]
            traj = coast_and_reenter(
                vehicles.take(idx),
                launch_ecef[idx],
                boost if np.all(fine) else boost.subset(fine),
                tc[fine],
                *boost_state(boost, fine, tc[fine]),
                earth,
                coast,
            )
            lat_i, lon_i = traj.impact_geodetic()
            miss_now[fine] = surface_distance(lat_i, lon_i, lat1[idx], lon1[idx], earth)
            if condition == "apogee":
                # The apogee asked for is the flown one (drag acts on burnouts inside the
                # atmosphere): the vacuum model aims at the goal less what it left out.
                flown = traj.apogee_m()
                st.apogee_offset[idx] = flown - apogee[fine]
                err[fine] = flown - goal[idx]
                cond_ok[fine] = np.abs(err[fine]) < cond_tol
            # With the range as the kick's condition the miss itself says it is met.
            hit = (miss_now[fine] < tolerance_m) & (
                cond_ok[fine] | (condition == "range") | st.fenced[idx]
            )
            done[idx[hit]] = True
            if np.all(hit):
                pieces.append((idx, traj))
            elif np.any(hit):
                pieces.append((idx[hit], traj.take(hit)))
            # Aim the vacuum model at target - (impact - vacuum impact): the displacement that
            # drag (and the rest the vacuum model leaves out) adds to the vacuum impact.
            again = ~hit
            worse = miss_now[fine] > 0.7 * st.last_miss[idx]
            st.aim_gain[idx] = np.where(
                worse, np.maximum(0.5 * st.aim_gain[idx], 0.125), st.aim_gain[idx]
            )
            st.last_miss[idx] = miss_now[fine]
            if np.any(again):
                before = want[fine][again]
                _aim_for_offset(
                    st,
                    idx[again],
                    lat_v[fine][again],
                    lon_v[fine][again],
                    lat_i[again],
                    lon_i[again],
                    lat1,
                    lon1,
                    earth,
                )
                after, after_bearing = frames.great_circle(
                    lat0[idx[again]],
                    lon0[idx[again]],
                    st.aim_lat[idx[again]],
                    st.aim_lon[idx[again]],
                )
                want[np.flatnonzero(fine)[again]] = after
                want_bearing[np.flatnonzero(fine)[again]] = after_bearing
                if condition == "range":
                    st.prev_err[idx[again]] -= after - before
                    err[np.flatnonzero(fine)[again]] -= after - before
        active = ~done[todo]
        if steep:
            lost = active & _steer_shaped(
                st,
                todo,
                active,
                sub,
                r0[todo],
                v0[todo],
                boost,
                vertical.subset(todo),
                np.where(reach < 0, t_end[todo], np.where(reach > 0, t_first[todo], tc)),
                t_end[todo] if full_burn else t_first[todo],
                t_end[todo],
                lat0[todo],
                lon0[todo],
                goal[todo] - st.apogee_offset[todo],
                condition,
                cond_tol,
                earth,
            )
            st.reachable[todo[lost]] = False
            done[todo[lost]] = True
            continue
        st.az[todo] += np.where(active & comes_down, wrap_deg(want_bearing - bearing), 0.0)
        pinned = np.zeros(todo.size, dtype=bool)
        # Fenced min-energy rows keep the first kick that reaches: the least-energy coast is
        # out of reach there, and the least-energy feasible flight is at the fence.
        steer = active & ~walk & ~st.fenced[todo]
        if kick_free and np.any(steer):
            ia = todo[steer]
            pinned[steer] = _update_kick(st, ia, np.where(cond_ok[steer], 0.0, err[steer]))
            pinned &= ~cond_ok & np.isfinite(hopeless)
        # A kick held at the end of its branch twice running cannot meet the condition.
        stuck = pinned & st.pinned[todo]
        st.pinned[todo] = pinned
        # Out of reach: the termination times do not bracket the range (after the azimuth has
        # settled), or the kick sits at the end of its branch with the condition still unmet.
        lost = active & (
            (~fine & ~walk & (outer > 2)) | stuck | (pinned & (np.abs(err) > hopeless))
        )
        lost |= active & walk & st.exhausted[todo]
        if condition == "min-energy":  # held on a fence by reach, not by the condition
            lost &= ~(stuck & st.fenced[todo] & ~walk)
        st.reachable[todo[lost]] = False
        done[todo[lost]] = True
    # Rows without a converged flight: out of reach (flown as the longest full burn towards
    # the target and reported unreachable) or not converged within the iteration limit
    # (flown with the last controls; their miss says so). A shaped row's miss does not say
    # whether its apogee or angle was met: one not converged is reported unreachable.
    if shaped:
        st.reachable &= done
    lost = ~st.reachable
    st.kick[lost], st.cutoff[lost] = st.max_range_kick[lost], t_end[lost]
    rest = np.setdiff1d(np.arange(n), np.concatenate([i for i, _ in pieces] or [np.zeros(0, int)]))
    if rest.size:
        pieces.append(
            (
                rest,
                fly(
                    vehicles.take(rest),
                    lat0[rest],
                    lon0[rest],
                    st.az[rest],
                    st.kick[rest],
                    st.cutoff[rest],
                    earth=earth,
                    coast=coast,
                ),
            )
        )
    controls = np.stack([st.az, st.kick, st.cutoff, st.reachable.astype(float)])
    interpolated = np.ones(n, dtype=bool)
    interpolated[rest] = False
    return _Solved(pieces, controls, outer, interpolated)


def _coarse_first_pass(
    st: _State,
    vehicles: VehicleBatch,
    r0: FloatArray,
    v0: FloatArray,
    lat0: FloatArray,
    lon0: FloatArray,
    lat1: FloatArray,
    lon1: FloatArray,
    t_first: FloatArray,
    t_end: FloatArray,
    earth: EarthModel,
) -> None:
    """Move the first guesses of azimuth and kick (min-energy) by one pass on a coarse boost.

    The envelope's guesses are for a non-rotating sphere; the Earth's rotation turns the
    flight and changes its burnout angle. One boost on steps of ``_COARSE_STEP_S`` (a third
    of the work of a full one) and the vacuum model towards the target give the azimuth's
    bearing error and the kick's secant step, as an outer iteration would, before the first
    full boost. Nothing is landed or given up here; the secant's memory is cleared so that the
    full boosts' steps do not mix the two step sizes.
    """
    problem = BoostProblem(vehicles, np.radians(st.az), np.radians(st.kick), earth)
    boost = fly_boost(problem, r0, v0, step_s=_COARSE_STEP_S[0], upper_step_s=_COARSE_STEP_S[1])
    tc, reach, _ = _solve_cutoff(boost, lat0, lon0, lat1, lon1, t_first, t_end, earth)
    radius = np.linalg.norm(frames.geodetic_to_vector(lat1, lon1, 0.0, earth), axis=-1)
    lat_v, lon_v, _, fpa, fpa_opt = vacuum_impact(boost, tc, radius, earth)
    ok = (reach == 0) & np.isfinite(lat_v)
    _, want_bearing = frames.great_circle(lat0, lon0, lat1, lon1)
    _, bearing = frames.great_circle(lat0, lon0, np.nan_to_num(lat_v), lon_v)
    st.az = np.where(ok, st.az + wrap_deg(want_bearing - bearing), st.az)
    st.cutoff = np.where(ok, tc, st.cutoff)
    err = fpa - fpa_opt
    steer = ok & (np.abs(err) >= _CONDITION_TOLERANCE["min-energy"])
    _update_kick(st, np.flatnonzero(steer), err[steer])
    st.prev_kick[:] = np.nan


def boost_state(
    boost: BoostResult, rows: BoolArray, cutoff: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Burnout states (M, 3) of the selected rows of a boost at their termination times."""
    tq = np.zeros(len(rows))
    tq[rows] = cutoff
    r, v = boost.state_at(tq)
    return r[rows], v[rows]


def _boost_rows(boost: BoostResult, rows: BoolArray) -> BoostResult:
    return boost.subset(rows)
