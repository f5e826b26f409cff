"""Engagement feasibility: which interceptor site can reach which trajectory, when, how fast.

SI arrays (docs/assessment.md, "Engagement"); the search over launch times runs compiled
(:mod:`glasnost.defense.engagement_kernel`, below) with this module's NumPy path as its
reference. Shapes: ``S`` interceptor sites, ``T`` trajectories, ``P`` samples per trajectory,
``K`` launch times per candidate point.

Interceptor model (the open literature's simple model, e.g. Wilkening, *Survival* 54(1), 2012):

- The interceptor leaves its site at the launch time t_L with the site's inertial velocity
  v_s = omega x r_site (the site turns with the Earth) and boosts along a straight line for
  ``burn_time_s`` t_b with a constant acceleration, reaching the burnout velocity u *relative to
  the site* (inertial burnout velocity v_s + u). The burnout point is therefore

      r_bo = r_site(t_L) + v_s t_b + u t_b / 2.

  Gravity is not modelled separately during the boost: the *total* acceleration (thrust plus
  gravity) is taken constant, so the displacement is the mean of the initial and the burnout
  velocities times t_b whatever gravity does, and gravity losses are part of the rocket's
  delta-v budget behind the stated burnout velocity (the literature's convention). What this
  leaves out is the shape of a real boost (thrust that is not constant, a path that gravity
  curves), as the literature's model does.
- It then coasts on a two-body conic (point-mass gravity, ``earth.mu``) from r_bo to the
  intercept point r_I, arriving at t_I, coast time tau = t_I - t_L - t_b >= ``TAU_MIN_S``.

Required burnout velocity. For given (t_L, t_I, r_I) the burnout velocity is the fixed point of
u = lambert(r_bo(u), r_I, tau) - v_s (zero revolutions, the short way: the transfer angle is
below 180 degrees). The first guess is exact without gravity over half the boost: an
interceptor coasting at v_s + u from r_site(t_L) + v_s t_b / 2 from t_L + t_b / 2 reaches r_bo
at t_L + t_b, so u_0 = lambert(r_site + v_s t_b / 2, r_I, tau + t_b / 2) - v_s. Then
``FIXED_POINT_ITERATIONS`` damped steps u <- u + (lambert(r_bo(u), r_I, tau) - v_s - u) /
(1 + t_b / (2 tau)): the damping is Newton's step with the straight-line Jacobian of the
Lambert map (d v_1 / d r_1 ~ -1 / tau), which keeps the iteration contracting even for coasts
shorter than the boost; three steps leave the burnout speed within 1e-4 m/s of the converged
fixed point for burns of 20-80 s and coasts of 5-200 s (0.002 m/s for a 50 s burn to ICBM
intercept points at 1,000-2,000 km). The required burnout speed is |u|. A flight is impossible
(speed inf) when the coast is shorter than ``TAU_MIN_S``, when u points below the site's local
horizontal (the straight boost would run into the ground), or when the speed exceeds
``MAX_SPEED_MS`` (no interceptor; such rows are also screened out before any Lambert solve by a
lower bound).

Burnout-delay model (``model="burnout-delay"``, the convention of the critical-velocity
analyses: Wilkening 2012; Lewis and Postol 2007): the burn is a delay. The interceptor leaves
the site at t_L + t_b from r_0 = r_site(t_L + t_b) with velocity v_s(t_L + t_b) + u and coasts
for tau = t_I - t_L - t_b, so u = lambert(r_0, r_I, tau) - v_s directly (no fixed point); the
same screens (coast, horizon, speed bound) apply.

Kernel (:func:`engage`). Candidate points of a (site, trajectory) pair are the valid samples
whose altitude lies in the interceptor's band, whose ground range from the site (great circle
between the site and the sample's sub-point on the rotating Earth at t_I) is within the maximum
range, and that leave at least one launch time: earliest launch <= t_I - t_b - TAU_MIN_S. For
each candidate the least required speed over launch times in [earliest, t_I - t_b - TAU_MIN_S]
is searched in x = ln(coast time), where the speed is well scaled (distance / coast for short
coasts, a slow rise for long lofted ones; a window may be 30 times the best coast): a grid of
``launch_times`` equally spaced x from the shortest coast that could need less than
``MAX_SPEED_MS`` (a bound from the distance between r_I and the circle the site describes) to
the longest (launch at the earliest time), then ``MIN_SEARCH_STEPS`` steps of safeguarded
successive parabolic interpolation (golden-section fallback) in the bracket around the grid
minimum. A candidate is feasible when that least speed is at most the interceptor's burnout
velocity; per pair:

- ``critical_burnout_velocity_ms``: the least speed over candidates (inf: no candidate);
- ``feasible``: critical <= burnout velocity (so the critical speed is the exact threshold);
- the intercept window: earliest and latest t_I of the feasible candidates, with altitudes;
- ``latest_launch_s``: over feasible candidates, the largest t_L with required speed <= burnout
  velocity (the shortest feasible coast), bracketed on the points evaluated on the short-coast
  side of the minimum, refined by ``ROOT_STEPS`` Illinois (regula falsi) steps in x, then
  interpolated;
- ``shots``: shoot-look-shoot, each further shot intercepting at least ``assessment_s`` after
  the previous intercept: 1 + floor(window / assessment_s) when feasible, else 0.

Launch times may also be bounded above (``latest_launch_s``): equal to the earliest launch
they fix it (a commit time), and the search runs over that one coast.

Window edges between samples. With ``samples.sample_at`` (positions of the trajectories at any
time), the earliest intercept of each feasible pair is bisected between its first feasible
sample and the sample before it, and the latest between its last feasible sample and the one
after, to ``window_resolution_s`` (0.5 s): the same rules decide each new point
(:class:`_Kernel`). The window, its altitudes, the latest launch and the shots use the refined
edges, so they do not depend on the sampling step; ``EngagementTable.window_resolution_s``
states the resolution (the largest sample gap where nothing was refined).

Flyout tables (the staged-vehicle model, :mod:`glasnost.defense.flyout`). A site may come with
a :class:`~glasnost.defense.flyout.FlyoutTable`: the least time T(d, h) from launch to reach a
ground range d and altitude h, computed once per interceptor type in the site's frame. For such
a site the table decides feasibility: each candidate point (the same candidates as above) is
measured in the Earth-fixed frame at its intercept time t_I -- d = mean Earth radius times the
central angle between the site and the point, h = the point's radius minus the site's -- so
the site's motion with the Earth during the flight is accounted for (the Coriolis acceleration
of the interceptor's own flight is not; the flyout module quantifies it), and it is feasible
when t_I - T(d, h) >= the earliest launch. The window, the altitudes and the shots follow from
the feasible candidates as above; the latest launch is the largest t_I - T(d, h) over them.
The table's ``burnout_speed_ms`` and ``burn_time_s`` replace the site's burnout velocity and
burn time, and the critical burnout velocity is still the simple model's least required speed
with that burn time: for a staged type, the speed an *equivalent simple interceptor* would
need, so ``feasible`` need not equal critical <= burnout speed at such a site.

Everything runs on flat arrays of candidates (indices from one mask over (S, T, P)), with
per-pair reductions by index (lexsort / ufunc ``at``); no Python loop runs over sites,
trajectories, samples or candidates (only over the few distinct flyout tables). The search of
each candidate (grid, refinement, latest launch) runs in the compiled kernel
(:func:`glasnost.defense.engagement_kernel.search`), bound first: a closed-form lower bound on
the speed a candidate needs drops the candidates that cannot change their pair's results (not
feasible and not critical; inside the window found, not critical and unable to launch later);
the others get the search above, with the same arithmetic, and every Lambert solve of a
fixed point is warm-started from the step before. ``engage(..., compiled=False)`` runs the
NumPy path instead -- every candidate, in chunks of at most ``max_batch`` Lambert problems --
the reference the kernel is tested against (the same feasible pairs and shots, speeds and
times within 1e-9 relative).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.defense import engagement_kernel
from glasnost.defense.engagement_kernel import (
    FIXED_POINT_ITERATIONS,
    FIXED_POINT_TOLERANCE_MS,
    G_BOUND,
    GOLD,
    MAX_SPEED_MS,
    MIN_SEARCH_STEPS,
    ROOT_STEPS,
    TAU_MIN_S,
    X_TOL,
)
from glasnost.defense.flyout import FlyoutTable, time_to_reach
from glasnost.physics import frames
from glasnost.physics.constants import R_MEAN, WGS84, EarthModel
from glasnost.physics.kepler import lambert

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
LambertModel = Literal["straight-boost", "burnout-delay"]
"""The two closed interceptor models of the kernel (module doc)."""
SampleAt = Callable[[IntArray, FloatArray], FloatArray]
"""sample_at(trajectory rows (n,), times (n,) s) -> ECI positions (n, 3) m."""

__all__ = [
    "EngagementTable",
    "Interceptors",
    "Samples",
    "engage",
    "required_burnout_velocity",
]

MAX_BATCH = 1 << 17
"""Default bound on the Lambert problems solved at once (peak memory of the kernel ~60 MB)."""

WINDOW_RESOLUTION_S = 0.5
"""Default tolerance (s) of the window edges found between samples."""


@dataclass(frozen=True)
class Interceptors:
    """The simple interceptor model, one row per site, every field shape (S,), SI units."""

    burnout_velocity_ms: FloatArray
    burn_time_s: FloatArray
    min_altitude_m: FloatArray
    max_altitude_m: FloatArray
    max_range_m: FloatArray
    """Ground range limit (m); ``np.inf`` where the type states none."""


@dataclass(frozen=True)
class Samples:
    """Sampled offensive trajectories: T trajectories x P samples."""

    t_s: FloatArray
    """(T, P) seconds after the (common) launch."""
    r_eci: FloatArray
    """(T, P, 3) metres, ECI aligned with ECEF at t = 0."""
    altitude_m: FloatArray
    """(T, P) height above the ellipsoid."""
    valid: BoolArray
    """(T, P) False for padding and after impact; the valid samples of a row come first, in
    increasing time."""
    sample_at: SampleAt | None = None
    """Optional: ECI positions of trajectory rows at any times, for the window edges between
    samples (:func:`engage`)."""


@dataclass(frozen=True)
class EngagementTable:
    """Per (site, trajectory) results, every field shape (S, T)."""

    feasible: BoolArray
    critical_burnout_velocity_ms: FloatArray
    """Least burnout speed that would make the pair feasible (inf: no candidate point)."""
    earliest_intercept_s: FloatArray
    """NaN where infeasible (also the other intercept and launch fields)."""
    latest_intercept_s: FloatArray
    earliest_intercept_altitude_m: FloatArray
    latest_intercept_altitude_m: FloatArray
    latest_launch_s: FloatArray
    window_s: FloatArray
    """latest - earliest intercept (0 for a single feasible instant, NaN if infeasible)."""
    shots: IntArray
    """Shoot-look-shoot opportunities (0 if infeasible)."""
    best_sample: IntArray
    """Index of the sample needing the least burnout speed (-1 if none)."""
    window_resolution_s: float = 0.0
    """How closely the window edges are known (s): the bisection tolerance where they were
    refined between samples, else the largest gap between samples."""


# --------------------------------------------------------------------------------------------
# The core: required burnout velocity of one straight boost + Kepler coast, batched
# --------------------------------------------------------------------------------------------


def _up_ecef(site_ecef: FloatArray, earth: EarthModel) -> FloatArray:
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


def _required_flat(
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
    v1 = _lambert_short(r0 + 0.5 * vs * tb, ri, tau + 0.5 * tb[:, 0], mu)
    u = v1 - vs
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
        out[sl] = _required_flat(
            site_f[sl],
            _up_ecef(site_f[sl], earth),
            tb_f[sl],
            tl_f[sl],
            ti_f[sl],
            r_f[sl],
            earth,
            model,
        )
    return out.reshape(shape)


# --------------------------------------------------------------------------------------------
# The kernel
# --------------------------------------------------------------------------------------------


def _group_best(groups: IntArray, key: FloatArray) -> tuple[IntArray, IntArray]:
    """Per group present: the group id and the position of its smallest key (first on ties)."""
    order = np.lexsort((key, groups))
    g = groups[order]
    first = np.ones(g.size, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    return g[first], order[first]


def _update_best(
    best_key: FloatArray,
    best_val: NDArray[np.float64] | IntArray,
    groups: IntArray,
    key: FloatArray,
    val: NDArray[np.float64] | IntArray,
) -> None:
    """Keep, per group, the value whose key is smallest (in place; earlier calls win ties)."""
    if groups.size == 0:
        return
    g, pos = _group_best(groups, key)
    better = key[pos] < best_key[g]
    best_key[g[better]] = key[pos[better]]
    best_val[g[better]] = val[pos[better]]


@dataclass(frozen=True)
class _Chunk:
    """Candidate points of one chunk: site, its vertical, burn time, intercept time and point.

    Launch times are searched in x = ln(coast time): t_L = t_I - t_b - exp(x). The required
    speed goes as distance / coast for short coasts and rises slowly for long (lofted) ones, so
    it is far better scaled in x than in t_L (a window can be 30 times the best coast).
    """

    site: FloatArray  # (n, 3) ECEF
    up: FloatArray  # (n, 3) ECEF
    burn_s: FloatArray  # (n,)
    t_i: FloatArray  # (n,)
    r_i: FloatArray  # (n, 3) ECI
    earth: EarthModel
    model: LambertModel

    def launch(self, x: FloatArray, rows: IntArray) -> FloatArray:
        """Launch times (len(rows), m) of log coast times x (len(rows), m)."""
        out: FloatArray = (self.t_i[rows] - self.burn_s[rows])[:, None] - np.exp(x)
        return out

    def speed(self, x: FloatArray, rows: IntArray) -> FloatArray:
        """Required speeds for candidate ``rows`` at log coast times x (len(rows), m)."""
        m = x.shape[1]
        out = _required_flat(
            np.repeat(self.site[rows], m, axis=0),
            np.repeat(self.up[rows], m, axis=0),
            np.repeat(self.burn_s[rows], m),
            self.launch(x, rows).reshape(-1),
            np.repeat(self.t_i[rows], m),
            np.repeat(self.r_i[rows], m, axis=0),
            self.earth,
            self.model,
        )
        return out.reshape(len(rows), m)

    def shortest_coast(self) -> FloatArray:
        """Coast time (n,) below which every launch time needs more than MAX_SPEED_MS.

        The distance from r_I to the circle that the site describes in ECI is a lower bound d
        of |r_I - r_site(t)| at every time; with the bound of the screen in
        :func:`_required_flat`, |u| (t_b / 2 + tau) >= d - |v_s| (t_b + tau) - g tau^2 / 2, so
        coasts with g tau^2 / 2 + (|v_s| + V) tau < d - |v_s| t_b - V t_b / 2 need |u| > V
        (burnout delay: |u| tau >= d - |v_s| tau - g tau^2 / 2, the same with t_b = 0).
        """
        rho_s = np.hypot(self.site[:, 0], self.site[:, 1])
        rho_i = np.hypot(self.r_i[:, 0], self.r_i[:, 1])
        d = np.hypot(rho_i - rho_s, self.r_i[:, 2] - self.site[:, 2])
        v_s = self.earth.rotation_rad_s * rho_s
        if self.model == "burnout-delay":
            slack = d
        else:
            slack = d - v_s * self.burn_s - 0.5 * MAX_SPEED_MS * self.burn_s
        b = v_s + MAX_SPEED_MS
        tau = (
            2.0
            * np.maximum(slack, 0.0)
            / (b + np.sqrt(b * b + 2.0 * G_BOUND * np.maximum(slack, 0.0)))
        )
        out: FloatArray = np.maximum(tau, TAU_MIN_S)
        return out


def _least_speed(
    chunk: _Chunk, grid: FloatArray, v_grid: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Refine each row's grid minimum (grid of log coast times, increasing): bracket (a, b, c)
    around it, then safeguarded successive parabolic interpolation with a golden-section
    fallback. Returns a, b, c, V(a), V(b), V(c) with V(b) the least speed found."""
    n, k = v_grid.shape
    rows = np.arange(n)
    kb = np.argmin(v_grid, axis=1)
    ka, kc = np.maximum(kb - 1, 0), np.minimum(kb + 1, k - 1)
    a, b, c = grid[rows, ka], grid[rows, kb], grid[rows, kc]
    fa, fb, fc = v_grid[rows, ka], v_grid[rows, kb], v_grid[rows, kc]
    for _ in range(MIN_SEARCH_STEPS):
        act = np.flatnonzero(np.isfinite(fb) & (c - a > X_TOL))
        if act.size == 0:
            break
        aa, bb, cc = a[act], b[act], c[act]
        ffa, ffb, ffc = fa[act], fb[act], fc[act]
        d1, d2 = bb - aa, bb - cc
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            num = d1 * d1 * (ffb - ffc) - d2 * d2 * (ffb - ffa)
            den = d1 * (ffb - ffc) - d2 * (ffb - ffa)
            x = bb - 0.5 * num / den
        golden = np.where(bb - aa > cc - bb, bb - GOLD * (bb - aa), bb + GOLD * (cc - bb))
        good = (
            np.isfinite(x)
            & (x > aa + 0.5 * X_TOL)
            & (x < cc - 0.5 * X_TOL)
            & (np.abs(x - bb) > 0.5 * X_TOL)
        )
        x = np.where(good, x, golden)
        fx = chunk.speed(x[:, None], act)[:, 0]
        better, left = fx < ffb, x < bb
        a[act] = np.where(better, np.where(left, aa, bb), np.where(left, x, aa))
        fa[act] = np.where(better, np.where(left, ffa, ffb), np.where(left, fx, ffa))
        c[act] = np.where(better, np.where(left, bb, cc), np.where(left, cc, x))
        fc[act] = np.where(better, np.where(left, ffb, ffc), np.where(left, ffc, fx))
        b[act] = np.where(better, x, bb)
        fb[act] = np.where(better, fx, ffb)
    return a, b, c, fa, fb, fc


def _latest_launch(
    chunk: _Chunk,
    rows: IntArray,
    pts: FloatArray,
    vals: FloatArray,
    x_best: FloatArray,
    v_bo: FloatArray,
) -> FloatArray:
    """Largest launch time with required speed <= v_bo, per feasible candidate ``rows``.

    ``pts`` / ``vals`` (len(rows), m): the log coast times evaluated so far and their speeds;
    ``x_best`` the least-speed one (speed <= v_bo). The latest launch is the shortest feasible
    coast: the root of V(x) = v_bo below ``x_best`` is bracketed on those points, refined by
    Illinois steps and interpolated; when the shortest coast evaluated is feasible, it is the
    answer (shorter ones need more than MAX_SPEED_MS, are shorter than TAU_MIN_S, or launch
    after the latest launch allowed).
    """
    m = len(rows)
    idx = np.arange(m)
    ok_pts = np.where((pts <= x_best[:, None]) & (vals <= v_bo[:, None]), pts, np.inf)
    k_ok = np.argmin(ok_pts, axis=1)
    ok, f_ok = pts[idx, k_ok], vals[idx, k_ok] - v_bo
    no_pts = np.where((pts < ok[:, None]) & (vals > v_bo[:, None]), pts, -np.inf)
    k_no = np.argmax(no_pts, axis=1)
    no, f_no = no_pts[idx, k_no], vals[idx, k_no] - v_bo
    x_root: FloatArray = ok.copy()
    r = np.flatnonzero(np.isfinite(no))
    if r.size:
        ok, no, f_ok, f_no, vb = ok[r], no[r], f_ok[r], f_no[r], v_bo[r]
        kept = np.zeros(r.size, dtype=np.int8)  # which end was kept last: 1 no, -1 ok
        for _ in range(ROOT_STEPS):
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                x = ok - f_ok * (no - ok) / (f_no - f_ok)
            inside = np.isfinite(x) & (x < ok) & (x > no)
            x = np.where(inside, x, 0.5 * (ok + no))
            fx = chunk.speed(x[:, None], rows[r])[:, 0] - vb
            feasible = fx <= 0.0
            # Illinois: halve the value of the end that is kept a second time in a row.
            f_no = np.where(feasible & (kept == 1), 0.5 * f_no, f_no)
            f_ok = np.where(~feasible & (kept == -1), 0.5 * f_ok, f_ok)
            ok, f_ok = np.where(feasible, x, ok), np.where(feasible, fx, f_ok)
            no, f_no = np.where(feasible, no, x), np.where(feasible, f_no, fx)
            kept = np.where(feasible, 1, -1).astype(np.int8)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            est = ok - f_ok * (no - ok) / (f_no - f_ok)
        x_root[r] = np.where(np.isfinite(est) & (est <= ok) & (est >= no), est, ok)
    return chunk.launch(x_root[:, None], rows)[:, 0]


def _evaluate_chunk(
    chunk: _Chunk,
    early: FloatArray,
    late: FloatArray,
    v_bo: FloatArray,
    reach: FloatArray,
    launch_times: int,
) -> tuple[FloatArray, BoolArray, FloatArray]:
    """Least required speed, feasibility and latest launch of each candidate of ``chunk``.

    Launch times run from ``early`` to ``late`` (n,) (``late`` inf: no bound). ``reach`` (n,):
    the flyout table's least time to reach each candidate, NaN where its site has no table
    (then the Lambert speed decides feasibility)."""
    n = early.size
    x_hi = np.log(chunk.t_i - chunk.burn_s - early)  # the longest coast: launch at once
    with np.errstate(invalid="ignore", divide="ignore"):
        x_late = np.log(np.maximum(chunk.t_i - chunk.burn_s - late, 0.0))
    x_lo = np.minimum(np.maximum(np.log(chunk.shortest_coast()), x_late), x_hi)
    grid = x_lo[:, None] + (x_hi - x_lo)[:, None] * np.linspace(0.0, 1.0, launch_times)[None, :]
    grid[:, -1] = x_hi
    v_grid = chunk.speed(grid, np.arange(n))
    a, b, c, fa, fb, fc = _least_speed(chunk, grid, v_grid)

    tabled = ~np.isnan(reach)
    latest = np.full(n, -np.inf)
    with np.errstate(invalid="ignore"):
        feasible = np.where(tabled, chunk.t_i - reach >= early, fb <= v_bo)
    by_table = np.flatnonzero(feasible & tabled)
    latest[by_table] = np.minimum(late[by_table], chunk.t_i[by_table] - reach[by_table])
    feas = np.flatnonzero(feasible & ~tabled)
    if feas.size:
        pts = np.concatenate([grid[feas], np.stack([a[feas], b[feas], c[feas]], axis=1)], axis=1)
        vals = np.concatenate(
            [v_grid[feas], np.stack([fa[feas], fb[feas], fc[feas]], axis=1)], axis=1
        )
        latest[feas] = _latest_launch(chunk, feas, pts, vals, b[feas], v_bo[feas])
    return fb, feasible, latest


def _reach_times(
    site_ecef: FloatArray,
    tables: Sequence[FlyoutTable | None],
    s_idx: IntArray,
    r_eci: FloatArray,
    t_s: FloatArray,
    earth: EarthModel,
) -> FloatArray:
    """Flyout-table time to reach each candidate (n,) (NaN where its site has no table): the
    point measured in the Earth-fixed frame at its intercept time (module doc)."""
    reach = np.full(s_idx.size, np.nan)
    distinct: dict[int, FlyoutTable] = {}
    table_of_site = np.full(len(tables), -1, dtype=np.int64)
    for i, table in enumerate(tables):
        if table is not None:
            distinct.setdefault(id(table), table)
            table_of_site[i] = list(distinct).index(id(table))
    rows = np.flatnonzero(table_of_site[s_idx] >= 0)
    if rows.size == 0:
        return reach
    r_ecef, _ = frames.eci_to_ecef(r_eci[rows], t_s[rows], earth)
    s = site_ecef[s_idx[rows]]
    angle = np.arctan2(
        np.linalg.norm(np.cross(s, r_ecef), axis=-1), np.einsum("ij,ij->i", s, r_ecef)
    )
    ground = R_MEAN * angle
    height = np.linalg.norm(r_ecef, axis=-1) - np.linalg.norm(s, axis=-1)
    which = table_of_site[s_idx[rows]]
    for k, table in enumerate(distinct.values()):
        m = which == k
        reach[rows[m]] = time_to_reach(table, ground[m], height[m])
    return reach


def _check_1d(name: str, value: ArrayLike, n: int) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr


@dataclass(frozen=True)
class _Kernel:
    """The validated inputs of :func:`engage` and the rules that decide one candidate point:
    the same for the samples and for the points between them that refine the window edges."""

    site: FloatArray  # (S, 3) ECEF
    up: FloatArray  # (S, 3)
    v_bo: FloatArray  # (S,)
    burn: FloatArray  # (S,)
    h_min: FloatArray  # (S,)
    h_max: FloatArray  # (S,)
    rng_max: FloatArray  # (S,)
    early: FloatArray  # (S, T)
    late: FloatArray  # (S, T)
    tables: Sequence[FlyoutTable | None]
    tabled: bool
    earth: EarthModel
    model: LambertModel
    launch_times: int
    max_batch: int
    compiled: bool

    def admissible(
        self, s_idx: IntArray, t_idx: IntArray, t_i: FloatArray, r_i: FloatArray, alt: FloatArray
    ) -> BoolArray:
        """Whether each point (site, trajectory, time, ECI point, altitude) is a candidate: in
        the site's altitude band and range, and leaving a launch time with a coast of at least
        TAU_MIN_S after the earliest launch."""
        e = self.early[s_idx, t_idx]
        with np.errstate(invalid="ignore"):
            ok = (
                np.isfinite(t_i)
                & np.isfinite(alt)
                & np.all(np.isfinite(r_i), axis=-1)
                & (alt >= self.h_min[s_idx])
                & (alt <= self.h_max[s_idx])
                & np.isfinite(e)
                & (t_i - self.burn[s_idx] - TAU_MIN_S >= e)
            )
        ranged = ok & np.isfinite(self.rng_max[s_idx])
        if np.any(ranged):
            rows = np.flatnonzero(ranged)
            r_ecef, _ = frames.eci_to_ecef(r_i[rows], t_i[rows], self.earth)
            lat, lon, _ = frames.vector_to_geodetic(r_ecef, self.earth)
            s_lat, s_lon, _ = frames.vector_to_geodetic(self.site[s_idx[rows]], self.earth)
            ground, _ = frames.great_circle(s_lat, s_lon, lat, lon)
            ok[rows] = ground <= self.rng_max[s_idx[rows]]
        out: BoolArray = ok
        return out

    def evaluate(
        self,
        s_idx: IntArray,
        t_idx: IntArray,
        t_i: FloatArray,
        r_i: FloatArray,
        speeds: bool = True,
    ) -> tuple[FloatArray, BoolArray, FloatArray]:
        """Least required speed, feasibility and latest launch of admissible points (n,).
        Without ``speeds`` the points of sites with a flyout table get no speed (inf): their
        table alone decides."""
        n = s_idx.size
        speed, feasible, latest = np.full(n, np.inf), np.zeros(n, dtype=bool), np.full(n, -np.inf)
        reach = (
            _reach_times(self.site, self.tables, s_idx, r_i, t_i, self.earth)
            if self.tabled
            else np.full(n, np.nan)
        )
        todo = np.arange(n)
        if not speeds and self.tabled:
            by_table = np.flatnonzero(~np.isnan(reach))
            e = self.early[s_idx[by_table], t_idx[by_table]]
            free = t_i[by_table] - reach[by_table]
            with np.errstate(invalid="ignore"):
                feasible[by_table] = free >= e
            latest[by_table] = np.where(
                feasible[by_table],
                np.minimum(self.late[s_idx[by_table], t_idx[by_table]], free),
                -np.inf,
            )
            todo = np.flatnonzero(np.isnan(reach))
        if self.compiled:
            speed[todo], feasible[todo], latest[todo] = self._search(
                s_idx[todo], t_idx[todo], t_i[todo], r_i[todo], reach[todo], speeds
            )
            return speed, feasible, latest
        step = max(1, self.max_batch // self.launch_times)
        for lo in range(0, todo.size, step):
            sl = todo[lo : lo + step]
            si, ti = s_idx[sl], t_idx[sl]
            chunk = _Chunk(
                self.site[si],
                self.up[si],
                self.burn[si],
                t_i[sl],
                r_i[sl],
                self.earth,
                self.model,
            )
            speed[sl], feasible[sl], latest[sl] = _evaluate_chunk(
                chunk,
                self.early[si, ti],
                self.late[si, ti],
                self.v_bo[si],
                reach[sl],
                self.launch_times,
            )
        return speed, feasible, latest

    def _search(
        self,
        s_idx: IntArray,
        t_idx: IntArray,
        t_i: FloatArray,
        r_i: FloatArray,
        reach: FloatArray,
        speeds: bool,
    ) -> tuple[FloatArray, BoolArray, FloatArray]:
        """:meth:`evaluate` by the compiled search (:mod:`glasnost.defense.engagement_kernel`:
        bound first; the candidates that cannot change the pair's results are dropped)."""
        tabled = ~np.isnan(reach)
        if t_i.size == 0:
            return np.full(0, np.inf), np.zeros(0, dtype=bool), np.full(0, -np.inf)
        group = s_idx * self.early.shape[1] + t_idx
        order = np.lexsort((t_i, group))
        in_order = group[order]
        starts = np.flatnonzero(np.r_[True, in_order[1:] != in_order[:-1], True])
        site = self.site[s_idx]
        # Nearest first within each pair: the distance from the point to the site's circle.
        rho_s = np.hypot(site[:, 0], site[:, 1])
        near = np.hypot(np.hypot(r_i[:, 0], r_i[:, 1]) - rho_s, r_i[:, 2] - site[:, 2])
        early, late = self.early[s_idx, t_idx], self.late[s_idx, t_idx]
        v_bo = self.v_bo[s_idx]
        speed, latest = engagement_kernel.search(
            site,
            self.up[s_idx],
            self.burn[s_idx],
            np.ascontiguousarray(t_i),
            np.ascontiguousarray(r_i),
            early,
            late,
            v_bo,
            tabled,
            starts,
            order,
            near,
            speeds,
            np.linspace(0.0, 1.0, self.launch_times),
            self.earth.mu,
            self.earth.rotation_rad_s,
            self.model == "burnout-delay",
        )
        with np.errstate(invalid="ignore"):
            feasible = np.where(tabled, t_i - reach >= early, speed <= v_bo)
        by_table = feasible & tabled
        latest[by_table] = np.minimum(late[by_table], t_i[by_table] - reach[by_table])
        return speed, feasible, latest


def _refine_edges(
    kernel: _Kernel,
    sample_at: SampleAt,
    groups: IntArray,
    n_t: int,
    lo_t: FloatArray,
    hi_t: FloatArray,
    feasible_hi: bool,
    resolution_s: float,
    last_launch: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Bisect window edges between two samples to ``resolution_s``.

    Per group, the bracket [lo_t, hi_t] has one feasible end: ``hi_t`` when ``feasible_hi``
    (an earliest edge), else ``lo_t`` (a latest edge). Returns the feasible end after
    bisection and its altitude (m); ``last_launch`` (flat, S * T) takes the latest launch of
    every feasible point evaluated."""
    s_idx, t_idx = groups // n_t, groups % n_t
    lo, hi = lo_t.copy(), hi_t.copy()
    alt_edge = np.full(groups.size, np.nan)
    gap = float(np.max(hi - lo, initial=0.0))
    steps = max(0, math.ceil(math.log2(gap / resolution_s))) if gap > resolution_s else 0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        r = sample_at(t_idx, mid)
        alt = frames.altitude(r, kernel.earth)
        ok = kernel.admissible(s_idx, t_idx, mid, r, alt)
        feas = np.zeros(groups.size, dtype=bool)
        rows = np.flatnonzero(ok)
        if rows.size:
            _, f, late = kernel.evaluate(s_idx[rows], t_idx[rows], mid[rows], r[rows], speeds=False)
            feas[rows] = f
            np.maximum.at(last_launch, groups[rows[f]], late[f])
        alt_edge = np.where(feas, alt, alt_edge)
        if feasible_hi:
            hi, lo = np.where(feas, mid, hi), np.where(feas, lo, mid)
        else:
            lo, hi = np.where(feas, mid, lo), np.where(feas, hi, mid)
    return (hi if feasible_hi else lo), alt_edge


def engage(
    site_ecef: ArrayLike,
    interceptors: Interceptors,
    samples: Samples,
    earliest_launch_s: ArrayLike,
    assessment_s: float,
    earth: EarthModel = WGS84,
    launch_times: int = 8,
    *,
    max_batch: int = MAX_BATCH,
    flyout: Sequence[FlyoutTable | None] | None = None,
    latest_launch_s: ArrayLike | None = None,
    model: LambertModel = "straight-boost",
    window_resolution_s: float = WINDOW_RESOLUTION_S,
    compiled: bool = True,
) -> EngagementTable:
    """Engagement table of every (site, trajectory) pair (module doc).

    Args:
        site_ecef: interceptor sites, ECEF (m), shape (S, 3).
        interceptors: the sites' interceptor types, fields of shape (S,).
        samples: the offensive trajectories sampled (T, P); with ``samples.sample_at`` the
            window edges are refined between samples to ``window_resolution_s``.
        earliest_launch_s: earliest interceptor launch (s) per (site, trajectory), (S, T);
            inf where nothing can cue the site.
        assessment_s: time (s) to assess an intercept before the next shot (> 0).
        earth: Earth model (rotation, mu, ellipsoid).
        launch_times: launch times on the grid of each candidate point (>= 2).
        max_batch: bound on the Lambert problems solved at once.
        flyout: per site, its interceptor type's flyout table or None (length S); a table
            decides the site's feasibility, window and latest launch, and its burnout speed and
            burn time replace the site's (module doc, "Flyout tables"). None: no tables.
        latest_launch_s: latest interceptor launch allowed (s), (S, T) (default: no bound);
            equal to ``earliest_launch_s`` it fixes the launch time (a commit time).
        model: the closed interceptor model of the required speed: ``straight-boost`` or
            ``burnout-delay`` (module doc).
        window_resolution_s: how closely the window edges are bisected between samples (s).
        compiled: run the compiled search (:mod:`glasnost.defense.engagement_kernel`: bound
            first, then the search where needed); False runs the NumPy path, its reference.
    """
    site = np.asarray(site_ecef, dtype=np.float64)
    if site.ndim != 2 or site.shape[1] != 3:
        raise ValueError(f"site_ecef must have shape (S, 3), got {site.shape}")
    n_s = site.shape[0]
    v_bo = _check_1d("burnout_velocity_ms", interceptors.burnout_velocity_ms, n_s)
    burn = _check_1d("burn_time_s", interceptors.burn_time_s, n_s)
    h_min = _check_1d("min_altitude_m", interceptors.min_altitude_m, n_s)
    h_max = _check_1d("max_altitude_m", interceptors.max_altitude_m, n_s)
    rng_max = _check_1d("max_range_m", interceptors.max_range_m, n_s)
    tables: list[FlyoutTable | None] = [None] * n_s if flyout is None else list(flyout)
    if len(tables) != n_s:
        raise ValueError(f"flyout must have one entry per site ({n_s}), got {len(tables)}")
    if model not in ("straight-boost", "burnout-delay"):
        raise ValueError(f"model must be 'straight-boost' or 'burnout-delay', got {model!r}")
    tabled_sites = np.array([t is not None for t in tables], dtype=bool)
    if tabled_sites.any():
        v_bo, burn = v_bo.copy(), burn.copy()
        for i, table in enumerate(tables):
            if table is not None:
                v_bo[i], burn[i] = table.burnout_speed_ms, table.burn_time_s
    if np.any(~np.isfinite(burn) | (burn < 0.0)):
        raise ValueError("burn_time_s must be finite and non-negative")
    t_s = np.asarray(samples.t_s, dtype=np.float64)
    if t_s.ndim != 2:
        raise ValueError(f"samples.t_s must have shape (T, P), got {t_s.shape}")
    n_t, n_p = t_s.shape
    r_eci = np.asarray(samples.r_eci, dtype=np.float64)
    alt = np.asarray(samples.altitude_m, dtype=np.float64)
    valid = np.asarray(samples.valid, dtype=bool)
    if r_eci.shape != (n_t, n_p, 3) or alt.shape != (n_t, n_p) or valid.shape != (n_t, n_p):
        raise ValueError("samples: r_eci must be (T, P, 3), altitude_m and valid (T, P)")
    early = np.asarray(earliest_launch_s, dtype=np.float64)
    if early.shape != (n_s, n_t):
        raise ValueError(f"earliest_launch_s must have shape ({n_s}, {n_t}), got {early.shape}")
    late = (
        np.full((n_s, n_t), np.inf)
        if latest_launch_s is None
        else np.asarray(latest_launch_s, dtype=np.float64)
    )
    if late.shape != (n_s, n_t):
        raise ValueError(f"latest_launch_s must have shape ({n_s}, {n_t}), got {late.shape}")
    with np.errstate(invalid="ignore"):
        if np.any(late < early):
            raise ValueError("latest_launch_s must not be before earliest_launch_s")
    if not (math.isfinite(assessment_s) and assessment_s > 0.0):
        raise ValueError("assessment_s must be finite and positive")
    if launch_times < 2:
        raise ValueError("launch_times must be at least 2")
    if max_batch < 1:
        raise ValueError("max_batch must be positive")
    if not (math.isfinite(window_resolution_s) and window_resolution_s > 0.0):
        raise ValueError("window_resolution_s must be finite and positive")
    kernel = _Kernel(
        site,
        _up_ecef(site, earth),
        v_bo,
        burn,
        h_min,
        h_max,
        rng_max,
        early,
        late,
        tables,
        bool(tabled_sites.any()),
        earth,
        model,
        launch_times,
        max_batch,
        compiled,
    )

    # ---- candidate points: one mask over (S, T, P) ------------------------------------------
    with np.errstate(invalid="ignore"):
        ok_tp = valid & np.isfinite(t_s) & np.isfinite(alt) & np.all(np.isfinite(r_eci), axis=-1)
        mask = (
            ok_tp[None] & (alt[None] >= h_min[:, None, None]) & (alt[None] <= h_max[:, None, None])
        )
        mask &= np.isfinite(early)[:, :, None]
        mask &= t_s[None] - burn[:, None, None] - TAU_MIN_S >= early[:, :, None]
    ranged = np.flatnonzero(np.isfinite(rng_max))
    if ranged.size and np.any(mask[ranged]):
        # Padding samples get a harmless point on the equator (the geodetic conversion is
        # undefined near the Earth's centre); they are masked out anyway.
        r_safe = np.where(ok_tp[..., None], r_eci, np.array([earth.equatorial_radius_m, 0, 0]))
        t_safe = np.where(ok_tp, t_s, 0.0)
        r_ecef, _ = frames.eci_to_ecef(r_safe, t_safe, earth)
        lat, lon, _ = frames.vector_to_geodetic(r_ecef, earth)
        s_lat, s_lon, _ = frames.vector_to_geodetic(site[ranged], earth)
        ground, _ = frames.great_circle(
            s_lat[:, None, None], s_lon[:, None, None], lat[None], lon[None]
        )
        mask[ranged] &= ground <= rng_max[ranged, None, None]
    s_idx, t_idx, p_idx = np.nonzero(mask)
    s_idx, t_idx, p_idx = (x.astype(np.int64) for x in (s_idx, t_idx, p_idx))
    n_groups = n_s * n_t
    groups = s_idx * n_t + t_idx
    t_i = t_s[t_idx, p_idx]
    speed, feas, latest = kernel.evaluate(s_idx, t_idx, t_i, r_eci[t_idx, p_idx])

    # ---- per-pair reductions ----------------------------------------------------------------
    critical = np.full(n_groups, np.inf)
    best_sample = np.full(n_groups, -1, dtype=np.int64)
    finite = np.isfinite(speed)
    _update_best(critical, best_sample, groups[finite], speed[finite], p_idx[finite])
    first_t = np.full(n_groups, np.inf)
    first_p = np.full(n_groups, -1, dtype=np.int64)
    neg_last_t = np.full(n_groups, np.inf)
    last_p = np.full(n_groups, -1, dtype=np.int64)
    _update_best(first_t, first_p, groups[feas], t_i[feas], p_idx[feas])
    _update_best(neg_last_t, last_p, groups[feas], -t_i[feas], p_idx[feas])
    last_launch = np.full(n_groups, -np.inf)
    np.maximum.at(last_launch, groups[feas], latest[feas])
    feasible = np.isfinite(first_t)
    last_t = -neg_last_t
    g_all = np.arange(n_groups)
    t_row = g_all % n_t
    first_alt = np.where(feasible, alt[t_row, np.maximum(first_p, 0)], np.nan)
    last_alt = np.where(feasible, alt[t_row, np.maximum(last_p, 0)], np.nan)

    # ---- window edges between samples -------------------------------------------------------
    resolution = _sample_gap(t_s, valid)
    if samples.sample_at is not None and np.any(feasible):
        g = np.flatnonzero(feasible)
        tr = g % n_t
        pf, pl = first_p[g], last_p[g]
        before = pf >= 1
        if np.any(before):
            gb = g[before]
            edge, a_edge = _refine_edges(
                kernel,
                samples.sample_at,
                gb,
                n_t,
                t_s[tr[before], pf[before] - 1],
                t_s[tr[before], pf[before]],
                True,
                window_resolution_s,
                last_launch,
            )
            first_alt[gb] = np.where(edge < first_t[gb], a_edge, first_alt[gb])
            first_t[gb] = np.minimum(edge, first_t[gb])
        nxt = np.minimum(pl + 1, n_p - 1)
        after = (pl + 1 < n_p) & valid[tr, nxt]
        if np.any(after):
            ga = g[after]
            edge, a_edge = _refine_edges(
                kernel,
                samples.sample_at,
                ga,
                n_t,
                t_s[tr[after], pl[after]],
                t_s[tr[after], nxt[after]],
                False,
                window_resolution_s,
                last_launch,
            )
            last_alt[ga] = np.where(edge > last_t[ga], a_edge, last_alt[ga])
            last_t[ga] = np.maximum(edge, last_t[ga])
        resolution = min(resolution, window_resolution_s)

    nan = np.full(n_groups, np.nan)
    window = np.where(feasible, last_t - first_t, nan)
    with np.errstate(invalid="ignore"):
        shots = np.where(feasible, 1 + np.floor(np.nan_to_num(window) / assessment_s), 0)
    shape = (n_s, n_t)
    return EngagementTable(
        feasible=feasible.reshape(shape),
        critical_burnout_velocity_ms=critical.reshape(shape),
        earliest_intercept_s=np.where(feasible, first_t, nan).reshape(shape),
        latest_intercept_s=np.where(feasible, last_t, nan).reshape(shape),
        earliest_intercept_altitude_m=first_alt.reshape(shape),
        latest_intercept_altitude_m=last_alt.reshape(shape),
        latest_launch_s=np.where(feasible, last_launch, nan).reshape(shape),
        window_s=window.reshape(shape),
        shots=shots.astype(np.int64).reshape(shape),
        best_sample=best_sample.reshape(shape),
        window_resolution_s=float(resolution),
    )


def _sample_gap(t_s: FloatArray, valid: BoolArray) -> float:
    """The largest time (s) between two successive valid samples (0 with fewer than two)."""
    if t_s.shape[1] < 2:
        return 0.0
    both = valid[:, 1:] & valid[:, :-1]
    gaps = np.where(both, np.diff(t_s, axis=1), 0.0)
    return float(np.max(gaps, initial=0.0))
