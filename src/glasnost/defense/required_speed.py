"""The core of the closed interceptor models: the burnout velocity an interceptor needs to reach
a point at a time from a launch time, for one straight boost and a Kepler coast, batched
(straight-boost, and the literature's burnout delay), with the bound that screens candidates
first (module doc of :mod:`glasnost.defense.engagement`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.defense.engagement_kernel import (
    FIXED_POINT_ITERATIONS,
    FIXED_POINT_TOLERANCE_MS,
    G_BOUND,
    MAX_SPEED_MS,
    STRAIGHT_GUESS_COASTS,
    TAU_MIN_S,
)
from glasnost.defense.engagement_types import MAX_BATCH, FloatArray, LambertModel
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.kepler import lambert


def up_ecef(site_ecef: FloatArray, earth: EarthModel) -> FloatArray:
    """Unit ellipsoid normals (N, 3) at ECEF points (N, 3)."""
    a2 = earth.equatorial_radius_m**2
    b2 = earth.polar_radius_m**2
    n = site_ecef / np.array([a2, a2, b2])
    out: FloatArray = n / np.linalg.norm(n, axis=-1, keepdims=True)
    return out


def _rotate(v: FloatArray, angle: FloatArray) -> FloatArray:
    """Rotate vectors (N, 3) about z by angles (N,) (ECEF -> ECI at time angle / omega)."""
    c, s = np.cos(angle), np.sin(angle)
    out = np.empty_like(v)
    out[:, 0] = c * v[:, 0] - s * v[:, 1]
    out[:, 1] = s * v[:, 0] + c * v[:, 1]
    out[:, 2] = v[:, 2]
    return out


def _lambert_short(r1: FloatArray, r2: FloatArray, tof: FloatArray, mu: float) -> FloatArray:
    """Departure velocities (N, 3) of the short-way zero-revolution transfers; NaN rows where
    the problem is undefined (non-finite input, coincident points)."""
    chord = np.linalg.norm(r2 - r1, axis=-1)
    ok = np.isfinite(chord) & (chord > 1e-3) & np.isfinite(tof) & (tof > 0.0)
    out = np.full(r1.shape, np.nan)
    if not np.any(ok):
        return out
    a, b, t = r1[ok], r2[ok], tof[ok]
    cross = np.cross(a, b)
    sin_angle = np.linalg.norm(cross, axis=-1) / (
        np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    )
    # Prograde (h_z >= 0) is the short way when (r1 x r2)_z >= 0. Where the transfer plane is
    # (nearly) undefined -- an intercept straight above the burnout point -- both are solved
    # and the smaller departure speed is the short way.
    v1, _ = lambert(a, b, t, mu=mu, prograde=cross[:, 2] >= 0.0)
    flat = sin_angle < 1e-9
    if np.any(flat):
        va, _ = lambert(a[flat], b[flat], t[flat], mu=mu, prograde=True)
        vb, _ = lambert(a[flat], b[flat], t[flat], mu=mu, prograde=False)
        take_a = np.linalg.norm(va, axis=-1) <= np.linalg.norm(vb, axis=-1)
        v1[flat] = np.where(take_a[:, None], va, vb)
    out[ok] = v1
    return out


def _site_inertial(
    site_ecef: FloatArray, angle: FloatArray, earth: EarthModel
) -> tuple[FloatArray, FloatArray]:
    """ECI position and velocity (N, 3) of sites (ECEF, N x 3) turned by Earth angles (N,)."""
    w = earth.rotation_rad_s
    r0 = _rotate(site_ecef, angle)
    vs = np.zeros_like(r0)
    vs[:, 0] = -w * r0[:, 1]
    vs[:, 1] = w * r0[:, 0]
    return r0, vs


def _screened(
    chord: FloatArray, vs: FloatArray, tau: FloatArray, lever_s: FloatArray
) -> NDArray[np.intp]:
    """Rows worth a Lambert solve: a coast of at least TAU_MIN_S and the lower bound
    |u| >= (|chord| - |v_s| tau - g tau^2 / 2) / (lever + tau) not above MAX_SPEED_MS."""
    with np.errstate(invalid="ignore"):
        chord0 = np.linalg.norm(chord, axis=-1)
        bound = (chord0 - np.linalg.norm(vs, axis=-1) * tau - 0.5 * G_BOUND * tau**2) / (
            lever_s + tau
        )
        solve = (
            np.isfinite(chord0) & np.isfinite(tau) & (tau >= TAU_MIN_S) & (bound <= MAX_SPEED_MS)
        )
    return np.flatnonzero(solve)


def required_flat(
    site_ecef: FloatArray,
    up_ecef: FloatArray,
    burn_s: FloatArray,
    launch_s: FloatArray,
    intercept_s: FloatArray,
    r_i: FloatArray,
    earth: EarthModel,
    model: LambertModel = "straight-boost",
) -> FloatArray:
    """Required burnout speed (N,) on flat validated arrays (module doc); inf: no flight."""
    if model == "burnout-delay":
        return _required_burnout_delay(
            site_ecef, up_ecef, burn_s, launch_s, intercept_s, r_i, earth
        )
    n = launch_s.shape[0]
    speed = np.full(n, np.inf)
    tau_all = intercept_s - launch_s - burn_s
    angle = earth.rotation_rad_s * launch_s
    r0, vs = _site_inertial(site_ecef, angle, earth)
    # Screen: r_I = r_bo + (v_s + u) tau + G with |G| <= g tau^2 / 2 and r_bo = r0 + v_s t_b +
    # u t_b / 2, so |u| >= (|r_I - r0 - v_s t_b| - |v_s| tau - g tau^2 / 2) / (t_b / 2 + tau).
    idx = _screened(r_i - r0 - vs * burn_s[:, None], vs, tau_all, 0.5 * burn_s)
    if idx.size == 0:
        return speed
    mu = earth.mu
    r0, vs, tb, tau, ri = r0[idx], vs[idx], burn_s[idx, None], tau_all[idx], r_i[idx]
    u = _boost_guess(r0, vs, tb[:, 0], tau, ri, mu)
    p0 = r0 + vs * tb
    damp = 1.0 / (1.0 + 0.5 * tb / tau[:, None])
    for _ in range(FIXED_POINT_ITERATIONS):
        bad = ~np.all(np.isfinite(u), axis=-1) | (np.linalg.norm(u, axis=-1) > 2.0 * MAX_SPEED_MS)
        u[bad] = np.nan
        v1 = _lambert_short(p0 + 0.5 * u * tb, ri, tau, mu)
        u = u + (v1 - vs - u) * damp
    up = _rotate(up_ecef[idx], angle[idx])
    s = np.linalg.norm(u, axis=-1)
    # Keep only consistent flights: the coast from the burnout point that u itself implies must
    # need u again (the iteration has no fixed point where the intercept point lies on the
    # boost's own line, e.g. straight above the site and below the vertical burnout height).
    v_check = _lambert_short(p0 + 0.5 * u * tb, ri, tau, mu)
    with np.errstate(invalid="ignore"):
        residual = np.linalg.norm(v_check - vs - u, axis=-1)
        consistent = residual <= np.maximum(FIXED_POINT_TOLERANCE_MS, 1e-3 * s)
    ok = np.isfinite(s) & (s <= MAX_SPEED_MS) & (np.einsum("ij,ij->i", u, up) >= 0.0) & consistent
    speed[idx] = np.where(ok, s, np.inf)
    return speed


def _gravity(r: FloatArray, mu: float) -> FloatArray:
    """Point-mass gravity (N, 3) (m/s^2) at points r (N, 3) (m)."""
    r2 = np.einsum("ij,ij->i", r, r)
    out: FloatArray = (-mu / (r2 * np.sqrt(r2)))[:, None] * r
    return out


def _boost_guess(
    r0: FloatArray, vs: FloatArray, tb: FloatArray, tau: FloatArray, ri: FloatArray, mu: float
) -> FloatArray:
    """First guess of u (N, 3) (m/s) from sites at r0 with velocities vs (N, 3) (ECI at
    launch) to ri (N, 3) in burns tb and coasts tau (N,) (s), module doc of
    :mod:`glasnost.defense.engagement`.

    Coasts shorter than STRAIGHT_GUESS_COASTS burn times: the straight line. r_I = r_bo +
    (v_s + u) tau + G with r_bo = p + u t_b / 2, p = r0 + v_s t_b, and G = int_0^tau (tau - t)
    g dt, taken first with g at the middle of the chord p r_I, then by Simpson's rule along
    the straight path from the burnout point that gives, tau^2 / 2 (g(r_bo) + 2 g(mid)) / 3.

    Longer coasts: the coast from mid-boost. In the model the interceptor moves from
    c = r0 + v_s t_b / 2 at v = v_s + u in a straight line for t_b / 2, then coasts; a conic
    from c would fall g t_b^2 / 8 and gain g t_b / 2 over that half boost (g at c). So the
    conic from c + g t_b^2 / 8 over tau + t_b / 2 leaves at v - g t_b / 2 and meets the
    model's burnout state, to the change of g over the half boost."""
    u = np.empty_like(r0)
    p = r0 + vs * tb[:, None]
    short = tau < STRAIGHT_GUESS_COASTS * tb
    if np.any(short):
        ps, vss, ts, ris = p[short], vs[short], tau[short, None], ri[short]
        lever = 0.5 * tb[short, None] + ts
        reach = ris - ps - vss * ts
        h = 0.5 * ts * ts
        g = _gravity(0.5 * (ps + ris), mu)
        guess = (reach - h * g) / lever
        r_bo = ps + 0.5 * guess * tb[short, None]
        g = (_gravity(r_bo, mu) + 2.0 * _gravity(0.5 * (r_bo + ris), mu)) / 3.0
        u[short] = (reach - h * g) / lever
    long = ~short
    if np.any(long):
        half = 0.5 * tb[long, None]
        c = r0[long] + vs[long] * half
        g = _gravity(c, mu)
        v1 = _lambert_short(
            c + 0.125 * tb[long, None] ** 2 * g, ri[long], tau[long] + half[:, 0], mu
        )
        u[long] = v1 + half * g - vs[long]
    return u


def _required_burnout_delay(
    site_ecef: FloatArray,
    up_ecef: FloatArray,
    burn_s: FloatArray,
    launch_s: FloatArray,
    intercept_s: FloatArray,
    r_i: FloatArray,
    earth: EarthModel,
) -> FloatArray:
    """Required burnout speed (N,) of the burnout-delay model (module doc): the interceptor
    leaves the site at t_L + t_b with the site's velocity plus u and coasts to r_I; inf where
    no flight exists or u points below the site's local horizontal."""
    n = launch_s.shape[0]
    speed = np.full(n, np.inf)
    t_bo = launch_s + burn_s
    tau_all = intercept_s - t_bo
    angle = earth.rotation_rad_s * t_bo
    r0, vs = _site_inertial(site_ecef, angle, earth)
    # Screen: r_I = r0 + (v_s + u) tau + G with |G| <= g tau^2 / 2.
    idx = _screened(r_i - r0, vs, tau_all, np.zeros(n))
    if idx.size == 0:
        return speed
    v1 = _lambert_short(r0[idx], r_i[idx], tau_all[idx], earth.mu)
    u = v1 - vs[idx]
    up = _rotate(up_ecef[idx], angle[idx])
    s = np.linalg.norm(u, axis=-1)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(s) & (s <= MAX_SPEED_MS) & (np.einsum("ij,ij->i", u, up) >= 0.0)
    speed[idx] = np.where(ok, s, np.inf)
    return speed


def required_burnout_velocity(
    site_ecef: ArrayLike,
    burn_time_s: ArrayLike,
    launch_s: ArrayLike,
    intercept_s: ArrayLike,
    r_intercept_eci: ArrayLike,
    earth: EarthModel = WGS84,
    model: LambertModel = "straight-boost",
) -> FloatArray:
    """Burnout speed relative to the site (m/s) that puts the interceptor on ``r_intercept_eci``
    at ``intercept_s`` when launched at ``launch_s`` (``model``: the straight boost or the
    burnout delay, then a Kepler coast; module doc).

    Args:
        site_ecef: site position ECEF (m), shape (..., 3).
        burn_time_s: boost duration (s), shape (...) broadcastable.
        launch_s, intercept_s: times (s) after the common launch (t = 0, ECI = ECEF), (...).
        r_intercept_eci: intercept point (m), ECI, shape (..., 3).
        earth: Earth model (its mu, rotation and ellipsoid for the local vertical).

    Returns:
        Speeds (m/s) of the broadcast leading shape; inf where no flight exists (coast shorter
        than ``TAU_MIN_S``, a boost below the local horizontal, or above ``MAX_SPEED_MS``).
    """
    site = np.asarray(site_ecef, dtype=np.float64)
    r_i = np.asarray(r_intercept_eci, dtype=np.float64)
    if site.shape[-1:] != (3,) or r_i.shape[-1:] != (3,):
        raise ValueError("site_ecef and r_intercept_eci must have shape (..., 3)")
    tb, t_l, t_i = (np.asarray(x, dtype=np.float64) for x in (burn_time_s, launch_s, intercept_s))
    if np.any(tb < 0.0):
        raise ValueError("burn_time_s must be non-negative")
    shape = np.broadcast_shapes(site.shape[:-1], r_i.shape[:-1], tb.shape, t_l.shape, t_i.shape)
    n = math.prod(shape)
    site_f = np.broadcast_to(site, (*shape, 3)).reshape(n, 3)
    r_f = np.broadcast_to(r_i, (*shape, 3)).reshape(n, 3)
    tb_f, tl_f, ti_f = (np.broadcast_to(x, shape).reshape(n) for x in (tb, t_l, t_i))
    out = np.empty(n)
    for lo in range(0, n, MAX_BATCH):
        sl = slice(lo, min(lo + MAX_BATCH, n))
        out[sl] = required_flat(
            site_f[sl],
            up_ecef(site_f[sl], earth),
            tb_f[sl],
            tl_f[sl],
            ti_f[sl],
            r_f[sl],
            earth,
            model,
        )
    return out.reshape(shape)
