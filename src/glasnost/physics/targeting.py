"""Targeting: launch azimuth, pitch-over and thrust termination that put a missile on a target.

Given launch and target points (batched), :func:`aim` finds for each row the launch azimuth,
the pitch-over kick angle and the thrust-termination time so that the full trajectory on the
rotating Earth (boost with drag, coast, reentry with drag) lands on the target, for the
trajectory shapes:

- ``min-energy``: the least-energy trajectory; the range is set by thrust termination and the
  kick is the one that needs the earliest termination (least propellant) for that range.
- ``lofted`` / ``depressed``: above / below the minimum-energy trajectory. With neither an
  apogee nor a burnout flight-path angle given, every stage burns to depletion and the kick
  takes the high or the low root; with ``apogee_m`` or ``flight_path_angle_deg`` the kick sets
  that quantity and thrust termination sets the range.
- ``max-range`` (:func:`max_range`): full burn, the kick that flies farthest along an azimuth.

Method. Each vehicle type has an :class:`Envelope`, flown once on a non-rotating sphere over a
grid of kicks and termination times (vacuum coast), that gives first guesses and the branch
limits. Then every outer iteration flies one batched boost per unconverged row with the
current azimuth and kick (stages to depletion, dense states kept), solves the termination time
in closed form along that boost (Hermite-interpolated burnout states and an analytic Kepler
coast to the aim radius, regula falsi), corrects the azimuth by the bearing error seen from the
launch point and the kick by a secant step on the shape condition. When the vacuum solution
hits the aim point, the full trajectory (with reentry drag) is flown and the aim point is moved
by the remaining miss, which takes out the range lost to drag and the small differences
between the inner model and the full one. Rows converge independently; unreachable targets are
reported, never silently clipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.physics import frames
from glasnost.physics.coast import time_to_radius
from glasnost.physics.constants import R_MEAN, WGS84, EarthModel
from glasnost.physics.kepler import propagate
from glasnost.physics.rocket import (
    BoostProblem,
    BoostResult,
    Vehicle,
    VehicleBatch,
    fly_boost,
    stack,
)
from glasnost.physics.trajectory import CoastModel, Trajectory, coast_and_reenter, fly

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Shape = Literal["min-energy", "lofted", "depressed", "max-range"]
SHAPES: tuple[str, ...] = ("min-energy", "lofted", "depressed", "max-range")

MISS_TOLERANCE_M = 100.0
"""Targeting stops when the full trajectory lands this close to the target (the contract is
1 km; 100 m leaves margin)."""

MIN_BURNOUT_ALTITUDE_M = 80e3
"""Kicks that burn out lower than this are not used (the vehicle would fly through the
atmosphere on its way, which the vacuum coast does not model)."""

_KICK_GRID_DEG = np.arange(1.0, 70.01, 0.5)
_MAX_OUTER = 40
_TC_ITER = 30


class TargetingError(ValueError):
    """Raised for inputs that cannot describe a targeting problem."""


@dataclass(frozen=True)
class Envelope:
    """Vacuum performance of one vehicle on a non-rotating sphere (first guesses).

    ``range_m``, ``apogee_m`` and ``fpa_deg`` have shape (kicks, cutoffs); ``valid`` marks kicks
    that never touch the ground and burn out (at depletion) above MIN_BURNOUT_ALTITUDE_M.
    """

    kicks_deg: FloatArray
    cutoffs_s: FloatArray
    range_m: FloatArray
    apogee_m: FloatArray
    fpa_deg: FloatArray
    valid: BoolArray

    def cutoff_for_range(self, range_m: FloatArray) -> FloatArray:
        """Termination time (kicks, N) that reaches each range with each kick (NaN if none)."""
        out = np.full((self.kicks_deg.size, len(range_m)), np.nan)
        for k in range(self.kicks_deg.size):
            rk = np.maximum.accumulate(self.range_m[k])
            ok = (range_m >= rk[0]) & (range_m <= rk[-1])
            out[k, ok] = np.interp(range_m[ok], rk, self.cutoffs_s)
        return out

    @property
    def full_burn_range_m(self) -> FloatArray:
        return self.range_m[:, -1]

    @property
    def max_range_kick_deg(self) -> float:
        r = np.where(self.valid, self.full_burn_range_m, -np.inf)
        return float(self.kicks_deg[int(np.argmax(r))])


@lru_cache(maxsize=64)
def envelope(vehicle: Vehicle) -> Envelope:
    """Fly ``vehicle`` over the kick grid (non-rotating sphere, launch north from the equator)
    and tabulate vacuum range, apogee and burnout flight-path angle by termination time."""
    n = _KICK_GRID_DEG.size
    sphere = EarthModel("calibration", R_MEAN, 0.0, 0.0, 0.0)
    batch = stack([vehicle] * n)
    problem = BoostProblem(batch, np.zeros(n), np.radians(_KICK_GRID_DEG), sphere)
    r0 = np.tile([R_MEAN, 0.0, 0.0], (n, 1))
    boost = fly_boost(problem, r0, np.zeros((n, 3)))
    t_first = (
        float(batch.burnout_s[0, 0])
        if batch.n_stages > 1
        else vehicle.vertical_rise_s + vehicle.pitch_over_s
    )
    cutoffs = np.linspace(t_first, float(batch.burnout_s[0, -1]), 64)
    rng = np.empty((n, cutoffs.size))
    apo = np.empty_like(rng)
    fpa = np.empty_like(rng)
    for j, tc in enumerate(cutoffs):
        r, v = boost.state_at(np.full(n, tc))
        rn = np.linalg.norm(r, axis=-1)
        dt = time_to_radius(r, v, np.full(n, R_MEAN), sphere.mu)
        ri, _ = propagate(r, v, np.nan_to_num(dt), mu=sphere.mu)
        cos_angle = np.clip(ri[:, 0] / np.linalg.norm(ri, axis=-1), -1.0, 1.0)
        rng[:, j] = np.where(np.isfinite(dt), R_MEAN * np.arccos(cos_angle), np.nan)
        energy = 0.5 * np.sum(v * v, axis=-1) - sphere.mu / rn
        a = -sphere.mu / (2.0 * energy)
        h2 = np.sum(np.cross(r, v) ** 2, axis=-1)
        e = np.sqrt(np.maximum(1.0 - h2 / (sphere.mu * a), 0.0))
        ascending = np.sum(r * v, axis=-1) > 0.0
        apo[:, j] = np.where(ascending, a * (1.0 + e), rn) - R_MEAN
        fpa[:, j] = np.degrees(
            np.arcsin(np.sum(r * v, axis=-1) / (rn * np.linalg.norm(v, axis=-1)))
        )
    lowest = np.min(np.linalg.norm(boost.r[:, 1:], axis=-1), axis=1) - R_MEAN
    valid = (lowest > 0.0) & (rng[:, -1] > 0.0) & (apo[:, -1] > 0.0)
    valid &= np.linalg.norm(boost.r[:, -1], axis=-1) - R_MEAN >= MIN_BURNOUT_ALTITUDE_M
    return Envelope(_KICK_GRID_DEG.copy(), cutoffs, np.nan_to_num(rng), apo, fpa, valid)


@dataclass(frozen=True)
class TargetingResult:
    """Targeted trajectories and the controls found, per row (N,)."""

    trajectory: Trajectory
    azimuth_deg: FloatArray
    kick_deg: FloatArray
    cutoff_s: FloatArray
    miss_m: FloatArray
    reachable: BoolArray
    outer_iterations: int


def check_points(name: str, lat_deg: FloatArray, lon_deg: FloatArray) -> None:
    """Raise :class:`TargetingError` for non-finite or out-of-range coordinates."""
    if not (np.all(np.isfinite(lat_deg)) and np.all(np.isfinite(lon_deg))):
        raise TargetingError(f"{name}: coordinates must be finite numbers")
    if np.any(np.abs(lat_deg) > 90.0):
        raise TargetingError(f"{name}: latitude must be within [-90, 90] degrees")
    if np.any(np.abs(lon_deg) > 180.0):
        raise TargetingError(f"{name}: longitude must be within [-180, 180] degrees")


def _wrap(angle_deg: FloatArray) -> FloatArray:
    return (angle_deg + 180.0) % 360.0 - 180.0


def _vacuum_impact(
    boost: BoostResult, cutoff: FloatArray, aim_radius: FloatArray, earth: EarthModel
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Vacuum impact (lat, lon deg; NaN lat where the coast does not come down) at the aim
    radius, apogee height above the aim radius (m) and inertial burnout flight-path angle (deg)
    for thrust termination at ``cutoff`` along each row's boost."""
    r, v = boost.state_at(cutoff)
    dt = time_to_radius(r, v, aim_radius, earth.mu)
    ri, _ = propagate(r, v, np.nan_to_num(dt), mu=earth.mu)
    re, _ = frames.eci_to_ecef(ri, cutoff + np.nan_to_num(dt), earth)
    lat, lon, _ = frames.vector_to_geodetic(re, earth)
    lat = np.where(np.isfinite(dt), lat, np.nan)
    rn = np.linalg.norm(r, axis=-1)
    speed = np.linalg.norm(v, axis=-1)
    a = -earth.mu / (2.0 * (0.5 * speed * speed - earth.mu / rn))
    e = np.sqrt(np.maximum(1.0 - np.sum(np.cross(r, v) ** 2, axis=-1) / (earth.mu * a), 0.0))
    radial = np.sum(r * v, axis=-1)
    apogee = np.where(radial > 0.0, a * (1.0 + e), rn) - aim_radius
    return lat, lon, apogee, np.degrees(np.arcsin(radial / (rn * speed)))


def _range_and_bearing(
    boost: BoostResult,
    cutoff: FloatArray,
    lat0: FloatArray,
    lon0: FloatArray,
    aim_lat: FloatArray,
    aim_lon: FloatArray,
    earth: EarthModel,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Range error (m; -aim range where the coast does not come down), bearing error (deg),
    apogee (m) and flight-path angle (deg) of the vacuum impact relative to the aim point."""
    aim_radius = np.linalg.norm(frames.geodetic_to_vector(aim_lat, aim_lon, 0.0, earth), axis=-1)
    lat, lon, apogee, fpa = _vacuum_impact(boost, cutoff, aim_radius, earth)
    want, want_bearing = frames.great_circle(lat0, lon0, aim_lat, aim_lon)
    got, bearing = frames.great_circle(lat0, lon0, np.nan_to_num(lat), lon)
    ok = np.isfinite(lat)
    return (
        np.where(ok, got - want, -want),
        np.where(ok, _wrap(want_bearing - bearing), 0.0),
        apogee,
        fpa,
    )


def _solve_cutoff(
    boost: BoostResult,
    lat0: FloatArray,
    lon0: FloatArray,
    aim_lat: FloatArray,
    aim_lon: FloatArray,
    t_lo: FloatArray,
    t_hi: FloatArray,
    earth: EarthModel,
) -> tuple[FloatArray, BoolArray]:
    """Termination times in [t_lo, t_hi] whose vacuum impact is at the aim range (Illinois
    regula falsi on every row at once); False where the aim range is not bracketed."""

    def f(tc: FloatArray) -> FloatArray:
        return _range_and_bearing(boost, tc, lat0, lon0, aim_lat, aim_lon, earth)[0]

    a, b = t_lo.copy(), t_hi.copy()
    fa, fb = f(a), f(b)  # a: short of the aim (f <= 0), b: beyond it (f >= 0)
    bracketed = (fa <= 0.0) & (fb >= 0.0)
    fa = np.where(bracketed, fa, -1.0)
    fb = np.where(bracketed, fb, 1.0)
    last_short = np.zeros(len(a), dtype=np.int8)  # +1 replaced a last time, -1 replaced b
    x = 0.5 * (a + b)
    for _ in range(_TC_ITER):
        x = np.clip(b - fb * (b - a) / (fb - fa), a, b)
        fx = f(x)
        if np.all((np.abs(fx) < 0.5) | ~bracketed):
            break
        short = fx < 0.0
        # Illinois: when the same end is replaced twice running, halve the other end's value.
        fb = np.where(short & (last_short == 1), 0.5 * fb, fb)
        fa = np.where(~short & (last_short == -1), 0.5 * fa, fa)
        a, fa = np.where(short, x, a), np.where(short, fx, fa)
        b, fb = np.where(short, b, x), np.where(short, fb, fx)
        last_short = np.where(short, 1, -1).astype(np.int8)
    return x, bracketed


def _subset(vehicles: VehicleBatch, rows: NDArray[np.intp]) -> VehicleBatch:
    return stack([vehicles.vehicles[i] for i in rows])


@dataclass
class _State:
    """Per-row solver state (internal, mutable while solving)."""

    az: FloatArray
    kick: FloatArray
    cutoff: FloatArray
    aim_lat: FloatArray
    aim_lon: FloatArray
    branch_lo: FloatArray
    branch_hi: FloatArray
    slope_sign: FloatArray  # sign of d(condition error)/d(kick)
    prev_kick: FloatArray
    prev_err: FloatArray
    reachable: BoolArray
    max_range_kick: FloatArray


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
    for veh in set(vehicles.vehicles):
        m = np.array([v == veh for v in vehicles.vehicles])
        env = envelope(veh)
        kicks = env.kicks_deg[env.valid]
        k_star = env.max_range_kick_deg
        k_max[m] = k_star
        cut = env.cutoff_for_range(distance[m])[env.valid]  # (K, M)
        lo[m], hi[m] = kicks[0], kicks[-1]
        if condition == "range" and shape == "min-energy":
            best = np.nanargmin(np.where(np.isfinite(cut), cut, np.inf), axis=0)
            kick[m] = np.where(np.any(np.isfinite(cut), axis=0), kicks[best], np.nan)
        elif condition == "range":
            full = env.full_burn_range_m[env.valid]
            branch = kicks <= k_star if shape == "lofted" else kicks >= k_star
            kb, rb = kicks[branch], full[branch]
            order = np.argsort(rb)
            reach = distance[m] <= rb.max()
            kick[m] = np.where(reach, np.interp(distance[m], rb[order], kb[order]), np.nan)
            lo[m], hi[m] = (kicks[0], k_star) if shape == "lofted" else (k_star, kicks[-1])
            sign[m] = 1.0 if shape == "lofted" else -1.0
        else:
            table = env.apogee_m if condition == "apogee" else env.fpa_deg
            values = np.array(
                [np.interp(cut[k], env.cutoffs_s, table[env.valid][k]) for k in range(kicks.size)]
            )  # (K, M), decreasing in the kick
            g = goal[m]
            guess = np.empty(g.size)
            for j in range(g.size):
                col = values[:, j]
                fin = np.isfinite(col)
                guess[j] = (
                    np.interp(g[j], col[fin][::-1], kicks[fin][::-1]) if np.any(fin) else np.nan
                )
            kick[m] = guess
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
    )


def _update_kick(st: _State, idx: NDArray[np.intp], err: FloatArray) -> BoolArray:
    """Secant step on the kick, limited to 2 degrees and to the shape's branch of kicks.

    Returns the rows pinned at a branch limit with the error still pushing outward.
    """
    kick, s = st.kick[idx], st.slope_sign[idx]
    dk = kick - st.prev_kick[idx]
    de = err - st.prev_err[idx]
    usable = np.isfinite(dk) & (dk != 0.0) & (de != 0.0)
    slope = np.where(usable, de / np.where(usable, dk, 1.0), np.nan)
    good = np.isfinite(slope) & (slope * s > 0.0)
    step = np.where(good, -err / np.where(good, slope, 1.0), -s * np.sign(err) * 0.5)
    new = np.clip(kick + np.clip(step, -2.0, 2.0), st.branch_lo[idx], st.branch_hi[idx])
    st.prev_kick[idx], st.prev_err[idx] = kick, err
    st.kick[idx] = new
    return np.abs(new - kick) < 1e-12


def _move_aim(
    st: _State,
    idx: NDArray[np.intp],
    lat_i: FloatArray,
    lon_i: FloatArray,
    lat1: FloatArray,
    lon1: FloatArray,
    earth: EarthModel,
) -> None:
    """Shift the aim point of rows ``idx`` by the miss: aim += target - impact (local ENU)."""
    miss = frames.ecef_to_enu(
        frames.geodetic_to_vector(lat1[idx], lon1[idx], 0.0, earth), lat_i, lon_i, 0.0, earth
    )
    aim = (
        frames.ecef_to_enu(
            frames.geodetic_to_vector(st.aim_lat[idx], st.aim_lon[idx], 0.0, earth),
            lat1[idx],
            lon1[idx],
            0.0,
            earth,
        )
        + miss
    )
    basis = frames.enu_basis(lat1[idx], lon1[idx])
    point = frames.geodetic_to_vector(lat1[idx], lon1[idx], 0.0, earth) + np.einsum(
        "nij,ni->nj", basis, aim
    )
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
    check_points("launch point", lat0, lon0)
    check_points("target", lat1, lon1)
    if shape not in ("min-energy", "lofted", "depressed"):
        raise TargetingError(f"shape {shape!r} does not aim at a target (use max_range)")
    if apogee_m is not None and flight_path_angle_deg is not None:
        raise TargetingError("give an apogee or a burnout flight-path angle, not both")
    given = apogee_m if apogee_m is not None else flight_path_angle_deg
    if shape == "min-energy" and given is not None:
        raise TargetingError("an apogee or a flight-path angle sets a lofted or depressed shape")
    condition = "range" if given is None else ("apogee" if apogee_m is not None else "fpa")
    goal = np.broadcast_to(np.asarray(0.0 if given is None else given, dtype=float), (n,)).copy()
    if not np.all(np.isfinite(goal)):
        raise TargetingError("apogee and flight-path angle must be finite numbers")
    full_burn = shape != "min-energy" and condition == "range"
    kick_free = condition != "range" or full_burn

    distance, azimuth = frames.great_circle(lat0, lon0, lat1, lon1)
    st = _initial_state(vehicles, distance, azimuth, lat1, lon1, shape, condition, goal)
    # No first guess (beyond the non-rotating envelope): start from the longest-range kick;
    # the Earth's rotation may still bring the target within reach.
    st.kick = np.where(np.isfinite(st.kick), st.kick, st.max_range_kick)
    st.reachable[:] = True
    t_end = vehicles.burnout_s[:, -1]
    t_first = (
        vehicles.burnout_s[:, 0]
        if vehicles.n_stages > 1
        else np.minimum(vehicles.vertical_rise_s + vehicles.pitch_over_s, t_end)
    )
    launch_ecef = frames.geodetic_to_vector(lat0, lon0, 0.0, earth)
    r0, v0 = frames.ecef_to_eci(launch_ecef, 0.0, earth)
    miss = np.full(n, np.inf)
    done = ~st.reachable
    outer = 0
    cond_tol = {"range": 0.05 * tolerance_m, "apogee": 100.0, "fpa": 1e-3}[condition]
    for outer in range(1, _MAX_OUTER + 1):
        todo = np.flatnonzero(~done)
        if todo.size == 0:
            break
        sub = _subset(vehicles, todo)
        problem = BoostProblem(sub, np.radians(st.az[todo]), np.radians(st.kick[todo]), earth)
        boost = fly_boost(problem, r0[todo], v0[todo])
        if full_burn:
            tc, bracketed = t_end[todo].copy(), np.ones(todo.size, dtype=bool)
        else:
            tc, bracketed = _solve_cutoff(
                boost,
                lat0[todo],
                lon0[todo],
                st.aim_lat[todo],
                st.aim_lon[todo],
                t_first[todo],
                t_end[todo],
                earth,
            )
        st.cutoff[todo] = tc
        d_range, d_bearing, apogee, fpa = _range_and_bearing(
            boost, tc, lat0[todo], lon0[todo], st.aim_lat[todo], st.aim_lon[todo], earth
        )
        st.az[todo] += d_bearing
        err = {"range": d_range, "apogee": apogee - goal[todo], "fpa": fpa - goal[todo]}[condition]
        cond_ok = np.abs(err) < cond_tol if kick_free else np.ones(todo.size, dtype=bool)
        pinned = np.zeros(todo.size, dtype=bool)
        if kick_free:
            pinned = _update_kick(st, todo, np.where(cond_ok, 0.0, err)) & ~cond_ok
            st.kick[todo] = np.where(cond_ok, st.prev_kick[todo], st.kick[todo])
        # Out of reach: the termination times do not bracket the range (after the azimuth has
        # settled), or the kick sits at the end of its branch with the condition still unmet.
        lost = (~bracketed & (outer > 2)) | pinned
        st.reachable[todo[lost]] = False
        done[todo[lost]] = True
        span = distance[todo] * np.radians(np.abs(d_bearing)) + np.abs(d_range)
        ready = bracketed & cond_ok & (span < max(0.2 * tolerance_m, 5.0)) & ~lost
        if not np.any(ready):
            continue
        idx = todo[ready]
        traj = coast_and_reenter(
            _subset(vehicles, idx),
            launch_ecef[idx],
            _boost_rows(boost, ready),
            tc[ready],
            *boost_state(boost, ready, tc[ready]),
            earth,
            coast,
        )
        lat_i, lon_i = traj.impact_geodetic()
        miss[idx] = surface_distance(lat_i, lon_i, lat1[idx], lon1[idx], earth)
        hit = miss[idx] < tolerance_m
        done[idx[hit]] = True
        if np.any(~hit):
            again = idx[~hit]
            before, _ = frames.great_circle(
                lat0[again], lon0[again], st.aim_lat[again], st.aim_lon[again]
            )
            _move_aim(st, again, lat_i[~hit], lon_i[~hit], lat1, lon1, earth)
            after, _ = frames.great_circle(
                lat0[again], lon0[again], st.aim_lat[again], st.aim_lon[again]
            )
            # The aim moved: carry the secant memory over to the new aim range.
            if condition == "range":
                st.prev_err[again] -= after - before
    # Out of reach: fly the longest full burn towards the target, reported as unreachable.
    lost = ~st.reachable
    st.kick[lost], st.cutoff[lost] = st.max_range_kick[lost], t_end[lost]
    traj = fly(vehicles, lat0, lon0, st.az, st.kick, st.cutoff, earth=earth, coast=coast)
    lat_i, lon_i = traj.impact_geodetic()
    miss = surface_distance(lat_i, lon_i, lat1, lon1, earth)
    return TargetingResult(traj, st.az % 360.0, st.kick, st.cutoff, miss, st.reachable, outer)


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


def surface_distance(
    lat1_deg: FloatArray,
    lon1_deg: FloatArray,
    lat2_deg: FloatArray,
    lon2_deg: FloatArray,
    earth: EarthModel = WGS84,
) -> FloatArray:
    """Straight-line distance (m) between two points on the ellipsoid surface (the miss)."""
    a = frames.geodetic_to_vector(lat1_deg, lon1_deg, 0.0, earth)
    b = frames.geodetic_to_vector(lat2_deg, lon2_deg, 0.0, earth)
    return np.linalg.norm(a - b, axis=-1)


_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_MAX_RANGE_ITER = 14


def max_range(
    vehicles: VehicleBatch,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    earth: EarthModel = WGS84,
    coast: CoastModel = "kepler",
) -> TargetingResult:
    """The longest full-burn trajectory of each row along a launch azimuth (deg, (N,)).

    Golden-section search over the kick, 6 degrees either side of the envelope's best kick
    (clipped to the valid kicks), each probe a batched boost with a vacuum coast to the radius
    of the ellipsoid under the launch point; the chosen kick is then flown in full (reentry
    with drag), and that trajectory's ground range is the result.
    """
    n = vehicles.size
    lat0, lon0, az = (
        np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()
        for x in (launch_lat_deg, launch_lon_deg, azimuth_deg)
    )
    check_points("launch point", lat0, lon0)
    if not np.all(np.isfinite(az)):
        raise TargetingError("azimuth must be a finite number")
    lo = np.empty(n)
    hi = np.empty(n)
    for veh in set(vehicles.vehicles):
        m = np.array([v == veh for v in vehicles.vehicles])
        env = envelope(veh)
        kicks = env.kicks_deg[env.valid]
        k_star = env.max_range_kick_deg
        lo[m], hi[m] = max(kicks[0], k_star - 6.0), min(kicks[-1], k_star + 6.0)
    launch_ecef = frames.geodetic_to_vector(lat0, lon0, 0.0, earth)
    r0, v0 = frames.ecef_to_eci(launch_ecef, 0.0, earth)
    radius = np.linalg.norm(launch_ecef, axis=-1)
    t_end = vehicles.burnout_s[:, -1]

    def reach(kick: FloatArray) -> FloatArray:
        problem = BoostProblem(vehicles, np.radians(az), np.radians(kick), earth)
        boost = fly_boost(problem, r0, v0)
        lat, lon, _, _ = _vacuum_impact(boost, t_end, radius, earth)
        got, _ = frames.great_circle(lat0, lon0, np.nan_to_num(lat), lon)
        return np.where(np.isfinite(lat), got, 0.0)

    a, b = lo, hi
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = reach(c), reach(d)
    for _ in range(_MAX_RANGE_ITER):
        left = fc >= fd  # the maximum lies in [a, d]
        a, b = np.where(left, a, c), np.where(left, d, b)
        c_new = np.where(left, b - _GOLDEN * (b - a), d)
        d_new = np.where(left, c, a + _GOLDEN * (b - a))
        probe = np.where(left, c_new, d_new)
        fp = reach(probe)
        fc, fd = np.where(left, fp, fd), np.where(left, fc, fp)
        c, d = c_new, d_new
    kick = np.where(fc >= fd, c, d)
    traj = fly(vehicles, lat0, lon0, az, kick, None, earth=earth, coast=coast)
    return TargetingResult(
        traj,
        az % 360.0,
        kick,
        t_end.copy(),
        np.zeros(n),
        np.ones(n, dtype=bool),
        _MAX_RANGE_ITER + 2,
    )
