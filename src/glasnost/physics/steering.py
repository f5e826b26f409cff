"""Steering of steep targeted flights: apogee and flight-path-angle shapes, full-burn lofts.

:func:`glasnost.physics.targeting.aim` steers most flights one control at a time: the
termination time meets the range, the azimuth the bearing, a secant on the kick the shape.
Steep flights (an apogee or angle asked for, and full-burn lofted flights) are steered
differently: a lofted flight of 45 min drifts hundreds of km under the rotating Earth, so its
reach and the bearing of its impact depend on the azimuth, and over short eastward ranges the
family of flights that land folds in the kick. Their kick, azimuth and termination time are
solved together by Newton on a steered-flight model of the boost just flown (its departure
from a kick-free flight, moved in kick along a probe boost and turned about the launch
vertical, :func:`_turned_state`, :func:`_solve_shape`), and the next boost is flown there
(:func:`_steer_shaped`, once per outer iteration of the targeting). From the second
iteration the termination time of an apogee or angle is found by Newton from where the model
put it (:func:`_local_cutoff`), as a steep eastward flight's range can peak before full burn.

The targeting's per-row solver state (:class:`_State`) lives here, so that this module, which
updates it, need not import :mod:`glasnost.physics.targeting`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from glasnost.physics import frames
from glasnost.physics.coast import time_to_radius
from glasnost.physics.constants import EarthModel
from glasnost.physics.impact import range_and_bearing, wrap_deg
from glasnost.physics.kepler import propagate
from glasnost.physics.rocket import BoostProblem, BoostResult, fly_boost
from glasnost.physics.trajectory import ground_flight_path_angle_deg
from glasnost.physics.vehicle import VehicleBatch

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


_RANGE_TOLERANCE_M = 2.0
_LOCAL_ITER = 8
_SHAPE_ITER = 6

_MAX_UNREACHED = 8
"""Iterations in a row that the steered-flight model of a shaped row does not land on the aim
before the row is reported out of reach."""

_SHAPE_WEIGHT = {"apogee": 1.0, "fpa": 1e4, "range": 1.0}
"""Metres of miss that weigh as much as a unit of shape error (m of apogee, deg of angle) in
the backtracking of :func:`_solve_shape`."""

_LANDS_M = 1000.0
"""The steered-flight model counts a row as landing on the aim point within this distance (its
own accuracy is about 1 % of the change it models; the outer iterations do the rest)."""


@dataclass
class _State:
    """Per-row state of the targeting solver (internal, mutable while solving)."""

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
    pinned: BoolArray
    slope: FloatArray  # last good d(error)/d(kick)
    fenced: BoolArray  # min-energy kick range cut by reach (see _walk_kick)
    walk_kick: FloatArray
    walk_outside: FloatArray
    exhausted: BoolArray  # the walk reached the end of the kicks
    aim_gain: FloatArray  # damping of the aim-point update
    last_miss: FloatArray
    unreached: NDArray[np.int_]  # shaped rows: iterations in a row out of reach
    apogee_offset: FloatArray  # flown apogee - vacuum apogee of the last full flight (m)


def _local_cutoff(
    boost: BoostResult,
    lat0: FloatArray,
    lon0: FloatArray,
    aim_lat: FloatArray,
    aim_lon: FloatArray,
    start: FloatArray,
    t_lo: FloatArray,
    t_hi: FloatArray,
    earth: EarthModel,
) -> tuple[FloatArray, NDArray[np.int8], FloatArray]:
    """Like :func:`~glasnost.physics.targeting._solve_cutoff`, by Newton from the termination
    times ``start`` (where the steered-flight model put the aim): a steep eastward flight's
    range can peak before full burn, so the range need not change sign across [t_lo, t_hi]
    for a root to lie near ``start``. Returns the times, 0 where the range is met (else the
    sign of what is left) and what is left (m)."""

    def f(tc: FloatArray) -> FloatArray:
        return range_and_bearing(boost, tc, lat0, lon0, aim_lat, aim_lon, earth)[0]

    t = np.clip(start, t_lo, t_hi)
    err = f(t)
    for _ in range(_LOCAL_ITER):
        h = np.where(t + 0.02 > t_hi, -0.02, 0.02)
        slope = (f(t + h) - err) / h
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.clip(np.nan_to_num(-err / slope), -5.0, 5.0)
        t = np.clip(t + step, t_lo, t_hi)
        err = f(t)
        if np.all(np.abs(err) < _RANGE_TOLERANCE_M):
            break
    met = np.abs(err) < _RANGE_TOLERANCE_M
    return t, np.where(met, 0, np.sign(err)).astype(np.int8), np.where(met, 0.0, err)


def _turned_state(
    boost: BoostResult,
    vertical: BoostResult,
    tc: FloatArray,
    turn_deg: FloatArray,
    up: FloatArray,
    earth: EarthModel,
    probe: BoostResult | None = None,
    toward_probe: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """ECI state (M, 3) at ``tc`` of each row's flight with its launch azimuth turned by
    ``turn_deg`` and, with a ``probe`` boost flown with a larger kick, its kick moved by
    ``toward_probe`` times that difference (states interpolated linearly in the kick): the
    Earth-relative departure from the kick-free flight (``vertical``, the same vehicle with
    no pitch-over, which carries the drift that the azimuth does not steer) turned about
    the launch vertical ``up`` (M, 3). Agrees with a flown boost to about 1 % of the change
    for turns of tens of degrees."""
    r_i, v_i = boost.state_at(tc)
    if probe is not None and toward_probe is not None:
        rp_i, vp_i = probe.state_at(tc)
        r_i = r_i + toward_probe[:, None] * (rp_i - r_i)
        v_i = v_i + toward_probe[:, None] * (vp_i - v_i)
    rv_i, vv_i = vertical.state_at(tc)
    r, v = frames.eci_to_ecef(r_i, tc, earth, v_eci=v_i)
    rv, vv = frames.eci_to_ecef(rv_i, tc, earth, v_eci=vv_i)
    angle = -np.radians(turn_deg)[:, None]  # azimuth is clockwise seen from above

    def turned(x: FloatArray) -> FloatArray:  # Rodrigues' rotation formula
        along = np.sum(up * x, axis=-1, keepdims=True) * up
        return np.cos(angle) * x + np.sin(angle) * np.cross(up, x) + (1 - np.cos(angle)) * along

    return frames.ecef_to_eci(rv + turned(r - rv), tc, earth, v_ecef=vv + turned(v - vv))


def _impact_offset(
    r: FloatArray, v: FloatArray, t: FloatArray, aim: FloatArray, earth: EarthModel
) -> FloatArray:
    """East and north offset (M, 2; m) at the aim points ``aim`` (ECEF, M, 3) of the vacuum
    impact of ECI states at times ``t`` (NaN where the coast does not come down)."""
    dt = time_to_radius(r, v, np.linalg.norm(aim, axis=-1), earth.mu)
    ri, _ = propagate(r, v, np.nan_to_num(dt), mu=earth.mu)
    re, _ = frames.eci_to_ecef(ri, t + np.nan_to_num(dt), earth)
    lat, lon, _ = frames.vector_to_geodetic(re, earth)
    aim_lat, aim_lon, _ = frames.vector_to_geodetic(aim, earth)
    axes = frames.enu_basis(aim_lat, aim_lon)[:, :2]
    off = np.einsum("mij,mj->mi", axes, frames.geodetic_to_vector(lat, lon, 0.0, earth) - aim)
    return np.where(np.isfinite(dt)[:, None], off, np.nan)


def _apogee_height_m(r: FloatArray, v: FloatArray, earth: EarthModel) -> FloatArray:
    """Apogee (m) of the two-body coasts from ECI states (M, 3) above the ellipsoid under it
    (the state's own height where the coast starts descending), as the vacuum model of
    :mod:`glasnost.physics.impact` measures it: r_a = a (1 + e) (Bate, Mueller & White ch. 2)."""
    rn = np.linalg.norm(r, axis=-1)
    speed2 = np.sum(v * v, axis=-1)
    a = -earth.mu / (2.0 * (0.5 * speed2 - earth.mu / rn))
    radial = np.sum(r * v, axis=-1)
    e_vec = ((speed2 - earth.mu / rn)[:, None] * r - radial[:, None] * v) / earth.mu
    e = np.linalg.norm(e_vec, axis=-1)
    rising = (radial > 0.0) & (e > 1e-12)
    toward = np.where(rising[:, None], -e_vec / np.maximum(e, 1e-12)[:, None], r / rn[:, None])
    ea, eb = earth.equatorial_radius_m, earth.polar_radius_m
    surface = ea * eb / np.sqrt(eb * eb + (ea * ea - eb * eb) * toward[:, 2] ** 2)
    return np.asarray(np.where(radial > 0.0, a * (1.0 + e), rn) - surface, dtype=np.float64)


class _Shape(NamedTuple):
    """The steered-flight model's answer per row (see :func:`_solve_shape`)."""

    kick_deg: FloatArray  # change of the kick
    turn_deg: FloatArray  # azimuth turn
    cutoff_s: FloatArray  # termination time
    err: FloatArray  # shape error left (m or deg)
    miss_m: FloatArray  # distance left to the aim
    at_end: NDArray[np.int8]  # +1 termination at t_hi, -1 at t_lo, 0 between


def _solve_shape(
    boost: BoostResult,
    vertical: BoostResult,
    tc: FloatArray,
    t_lo: FloatArray,
    t_hi: FloatArray,
    probe: BoostResult,
    probe_deg: FloatArray,
    kick_lo: FloatArray,
    kick_hi: FloatArray,
    lat0: FloatArray,
    lon0: FloatArray,
    aim_lat: FloatArray,
    aim_lon: FloatArray,
    goal: FloatArray,
    condition: str,
    earth: EarthModel,
) -> _Shape:
    """Kick change (within [kick_lo, kick_hi], deg), azimuth turn and termination time that
    land each row's flight on the aim point with the shape ``goal`` (apogee m or flight-path
    angle deg), on the steered-flight model (:func:`_turned_state`) of this boost and its
    ``probe`` flown with ``probe_deg`` more kick: Newton on the east and north miss and the
    shape error, with difference quotients and backtracking. A termination time that would
    leave [t_lo, t_hi] is held there and the kick and turn meet the aim alone. With
    ``condition`` "range" (full burn: t_lo = t_hi) there is no shape to meet.

    The three are solved together because for steep flights no one of them orders the
    others: under the rotating Earth a lofted flight drifts hundreds of km, its reach and
    the bearing of its impact depend on the azimuth, and over short eastward ranges two
    flights of one kick land on the target (the family of flights folds in the kick).
    """
    m = len(tc)
    up = frames.enu_basis(lat0, lon0)[:, 2]
    aim = frames.geodetic_to_vector(aim_lat, aim_lon, 0.0, earth)
    weight = _SHAPE_WEIGHT[condition]

    def residual(x: FloatArray) -> FloatArray:
        r, v = _turned_state(
            boost, vertical, x[:, 2], x[:, 1], up, earth, probe, x[:, 0] / probe_deg
        )
        off = _impact_offset(r, v, x[:, 2], aim, earth)
        if condition == "apogee":
            value = _apogee_height_m(r, v, earth)
        elif condition == "fpa":
            value = ground_flight_path_angle_deg(r, v, x[:, 2], earth)
        else:  # the range alone (full burn): no shape to meet
            value = goal
        return np.concatenate([off, (weight * (value - goal))[:, None]], axis=1)

    x = np.stack([np.zeros(m), np.zeros(m), tc], axis=1)
    f = residual(x)
    for _ in range(_SHAPE_ITER):
        h = np.stack(
            [0.1 * probe_deg, np.full(m, 0.01), np.where(x[:, 2] + 0.05 > t_hi, -0.05, 0.05)], 1
        )
        jac = np.empty((m, 3, 3))
        for j in range(3):
            x_j = x.copy()
            x_j[:, j] += h[:, j]
            jac[:, :, j] = (residual(x_j) - f) / h[:, j, None]
        ok = np.all(np.isfinite(jac), axis=(1, 2)) & np.all(np.isfinite(f), axis=1)
        jac[~ok], f_safe = np.eye(3), np.where(ok[:, None], f, 0.0)
        step = -np.einsum("mij,mj->mi", np.linalg.pinv(jac), f_safe)
        # Termination held at an end: kick and turn alone on the linearised miss there.
        dt = np.clip(x[:, 2] + np.clip(step[:, 2], -20.0, 20.0), t_lo, t_hi) - x[:, 2]
        held = dt != step[:, 2]
        f_end = f_safe[:, :2] + jac[:, :2, 2] * dt[:, None]
        step_h = -np.einsum("mij,mj->mi", np.linalg.pinv(jac[:, :2, :2]), f_end)
        step[:, :2] = np.where(held[:, None], step_h, step[:, :2])
        step[:, 2] = dt
        # Turn by at most 30 deg, keep the kick within [kick_lo, kick_hi].
        step[:, 0] = np.clip(x[:, 0] + step[:, 0], kick_lo, kick_hi) - x[:, 0]
        step[:, 1] = np.clip(step[:, 1], -30.0, 30.0)
        step[~ok] = 0.0
        # Backtracking: the largest of 1, 1/2, 1/4, 1/8 of the step that shrinks |f|.
        best = np.linalg.norm(f, axis=-1)
        new_x, new_f = x, f
        for frac in (0.125, 0.25, 0.5, 1.0):
            x_try = x + frac * step
            f_try = residual(x_try)
            size = np.linalg.norm(f_try, axis=-1)
            take = np.isfinite(size) & ~(size >= best)  # a NaN best (no impact yet) gives way
            best = np.where(take, size, best)
            new_x = np.where(take[:, None], x_try, new_x)
            new_f = np.where(take[:, None], f_try, new_f)
        x, f = new_x, new_f
    miss = np.linalg.norm(f[:, :2], axis=-1)
    at_end = np.where(x[:, 2] >= t_hi - 1e-9, 1, np.where(x[:, 2] <= t_lo + 1e-9, -1, 0))
    return _Shape(
        x[:, 0],
        wrap_deg(x[:, 1]),
        x[:, 2],
        f[:, 2] / weight,
        np.where(np.isfinite(miss), miss, np.inf),
        at_end.astype(np.int8),
    )


def _steer_shaped(
    st: _State,
    todo: NDArray[np.intp],
    active: BoolArray,
    vehicles: VehicleBatch,
    r0: FloatArray,
    v0: FloatArray,
    boost: BoostResult,
    vertical: BoostResult,
    tc: FloatArray,
    t_lo: FloatArray,
    t_hi: FloatArray,
    lat0: FloatArray,
    lon0: FloatArray,
    goal: FloatArray,
    condition: str,
    cond_tol: float,
    earth: EarthModel,
) -> BoolArray:
    """Kick, azimuth and termination steps of the apogee and flight-path-angle shapes.

    For the ``active`` rows of ``todo`` (``vehicles``, launch states ``r0``, ``v0`` and
    ``boost`` of those), a probe boost with a little more kick is flown and
    :func:`_solve_shape` moves the controls to where the steered-flight model lands on the
    aim point with the shape asked for; the next boost is flown there. Returns the rows (of
    ``todo``) found out of reach: the model lands on the aim only with the termination held
    at an end of its interval and the shape still unmet, twice running (the goal is beyond
    the highest or lowest shape that lands), or it has not landed on the aim for
    :data:`_MAX_UNREACHED` iterations.
    """
    lost = np.zeros(todo.size, dtype=bool)
    ia = np.flatnonzero(active)
    if ia.size == 0:
        return lost
    rows = todo[ia]
    kick = st.kick[rows]
    probe_deg = np.maximum(0.02, 0.02 * kick)
    problem = BoostProblem(
        vehicles.take(ia), np.radians(st.az[rows]), np.radians(kick + probe_deg), earth
    )
    model = _solve_shape(
        boost.subset(active),
        vertical.subset(active),
        tc[ia],
        t_lo[ia],
        t_hi[ia],
        fly_boost(problem, r0[ia], v0[ia]),
        probe_deg,
        np.maximum(st.branch_lo[rows] - kick, -0.5 * kick),
        np.minimum(st.branch_hi[rows] - kick, np.maximum(kick, 2.0)),
        lat0[ia],
        lon0[ia],
        st.aim_lat[rows],
        st.aim_lon[rows],
        goal[ia],
        condition,
        earth,
    )
    st.kick[rows] = kick + model.kick_deg
    st.az[rows] += model.turn_deg
    st.cutoff[rows] = model.cutoff_s
    lands = model.miss_m < _LANDS_M
    short = lands & (model.at_end != 0) & (np.abs(model.err) > cond_tol)
    st.unreached[rows] = np.where(lands, 0, st.unreached[rows] + 1)
    lost[ia] = (short & st.pinned[rows]) | (st.unreached[rows] >= _MAX_UNREACHED)
    st.pinned[rows] = short
    return lost
