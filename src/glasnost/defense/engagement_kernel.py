"""The compiled engagement search, candidate by candidate: :func:`search`.

The algorithm of :mod:`glasnost.defense.engagement`'s NumPy path (its reference, kept and
tested against this kernel): per candidate intercept point, the required burnout speed on a
grid of log coast times, safeguarded parabolic refinement of the grid minimum, and for a
feasible candidate the latest launch by Illinois steps. Each required speed is the straight
boost's damped fixed point (or the burnout delay's single solve) on
:func:`glasnost.physics.kepler_kernel.lambert_departure` (the departure velocity only;
``lambert_one`` both ways where the plane is undefined); each Lambert solve of the fixed
point starts from the solution of the step before or of the first guess's coast (a warm
start: the same x to the solver's tolerance, 1e-13, in fewer iterations).

Bound first (:func:`speed_bound`): before any search, a lower bound on the speed a candidate
needs at *any* launch time (the least energy of a Lambert transfer in the longest coast, one
root of Lagrange's equation, tried after the least energy of any conic, which needs none,
decision 29; a straight line with gravity bounded) drops the candidates that
cannot matter: those that need more than the interceptor's burnout velocity (infeasible) and
more than the least speed found so far for their (site, trajectory) pair (not critical).
Within a pair the candidates run nearest first, so that least speed falls early. For the
burnout delay the bound is the same at every speed (:func:`speed_floor`, which also bounds
the direction the departure velocity can take), so the pair's least speed is searched first:
the candidate of least distance per second of coast, then the others in the order of their
bounds, least first, up to the first bound above the least speed found
(:func:`_least_pace_first`, :func:`_floor_order`); a pair whose least speed is above the
burnout velocity then needs nothing more. A candidate's latest launch is searched only where
it can be after the latest launch found (:func:`_later_possible`, the same bound at the coast
that launch time allows; and, once the candidate's grid is evaluated, its Illinois steps are
skipped where the bracket already shows it). Within a candidate the launch-time grid runs
from the longest coast down and skips a point whose straight line shows it needs more than
the least speed of the grid so far, and than the burnout velocity where the latest launch is
wanted (:func:`_required_below`): it can be neither the grid's least nor, unless evaluated
after, that least's neighbour, nor feasible, so the refinement and the latest launch start
from the same points. The refinement's Lambert solves start from
the solution at its best point. Where a candidate's grid least is at an end of the window,
the refinement's last point decides whether its other steps run
(:func:`end_refinement_point`, decision 28). A dropped candidate reports an infinite speed;
the pair's critical velocity, feasibility, window and latest launch are those of the full search
(:func:`search`, tested bit for bit against the search without bounds).

SI units; candidates along the first axis, (n,) and (n, 3).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from glasnost.physics.compiled import kernel
from glasnost.physics.kepler_kernel import lambert_departure, lambert_one, least_transfer_energy

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
Vector = tuple[float, float, float]
Geometry = tuple[float, float, float, float, float, float, float, float]
"""The conic bound's geometry over the launch window (:func:`_conic_geometry`)."""

# The rules of the search, shared with the NumPy path of glasnost.defense.engagement.
TAU_MIN_S = 1.0
"""Shortest coast (s) from burnout to intercept that counts as a flight."""

MAX_SPEED_MS = 20e3
"""Required burnout speeds above this (m/s; far beyond Earth escape and any interceptor) are
reported as inf."""

FIXED_POINT_ITERATIONS = 2
"""Damped fixed-point steps on the burnout velocity after the first guess (module doc)."""

STRAIGHT_GUESS_COASTS = 2.0
"""The straight boost's first guess is the straight line for coasts shorter than this many
burn times, the coast from mid-boost otherwise (:func:`_boost_guess`)."""

MIN_SEARCH_STEPS = 5
"""Parabolic / golden-section refinement steps of the least-speed launch time per candidate."""

ROOT_STEPS = 4
"""Illinois steps on the latest launch time per feasible candidate."""

FIXED_POINT_TOLERANCE_MS = 1.0
"""A required burnout velocity is accepted only when one more fixed-point step moves it by less
than this (m/s) or 1e-3 of itself."""

G_BOUND = 40.0
"""Generous bound (m/s^2) on gravity along a coast, for the speed lower bound of the screen."""

X_TOL = 1e-6
"""Brackets of ln(coast time) narrower than this (a relative 1e-6 of the coast) are not
refined further."""

VERTICAL_TILT = 4e-3
"""Bound (rad) on the angle between a site's vertical (the ellipsoid's normal) and its radius
(at most 3.4e-3 on WGS84)."""

GOLD = 0.5 * (3.0 - math.sqrt(5.0))
"""Golden-section fraction (0.382) of the fallback step of the least-speed search."""


@kernel
def _lambert_short(
    a1: float,
    a2: float,
    a3: float,
    b1: float,
    b2: float,
    b3: float,
    tof: float,
    mu: float,
    x_start: float,
) -> tuple[float, float, float, float]:
    """Departure velocity (m/s) of the short-way transfer from r1 = (a1, a2, a3) to r2 =
    (b1, b2, b3) (m) in tof s and its Izzo x; NaN where undefined (the rules of
    ``required_speed._lambert_short``)."""
    c1, c2, c3 = b1 - a1, b2 - a2, b3 - a3
    chord = math.sqrt(c1 * c1 + c2 * c2 + c3 * c3)
    if not (math.isfinite(chord) and chord > 1e-3 and math.isfinite(tof) and tof > 0.0):
        return math.nan, math.nan, math.nan, math.nan
    v1, v2, v3, x = lambert_departure(a1, a2, a3, b1, b2, b3, tof, mu, 1e-9, x_start)
    if not math.isnan(x):
        return v1, v2, v3, x
    # The transfer plane is (nearly) undefined (sine of the angle below 1e-9): the smaller
    # departure speed is the short way. The way goes as a bool computed at run time (tof > 0
    # here), not a literal True or False, which would have Numba compile lambert_one once
    # for each.
    prograde = tof > 0.0
    p1, p2, p3, _, _, _, xp = lambert_one(a1, a2, a3, b1, b2, b3, tof, mu, prograde, math.nan)
    q1, q2, q3, _, _, _, xq = lambert_one(a1, a2, a3, b1, b2, b3, tof, mu, not prograde, math.nan)
    if math.sqrt(p1 * p1 + p2 * p2 + p3 * p3) <= math.sqrt(q1 * q1 + q2 * q2 + q3 * q3):
        return p1, p2, p3, xp
    return q1, q2, q3, xq


@kernel
def required_speed(
    site: FloatArray,
    up: FloatArray,
    burn_s: float,
    launch_s: float,
    intercept_s: float,
    r_i: FloatArray,
    mu: float,
    omega: float,
    burnout_delay: bool,
) -> float:
    """Required burnout speed (m/s) of one launch time; inf: no flight (module doc of
    :mod:`glasnost.defense.engagement`)."""
    return _required_below(
        site, up, burn_s, launch_s, intercept_s, r_i, mu, omega, burnout_delay, math.inf, math.nan
    )[0]


@kernel
def _required_below(
    site: FloatArray,
    up: FloatArray,
    burn_s: float,
    launch_s: float,
    intercept_s: float,
    r_i: FloatArray,
    mu: float,
    omega: float,
    burnout_delay: bool,
    cap: float,
    x_start: float,
) -> tuple[float, float]:
    """:func:`required_speed` (m/s), or NaN (no Lambert solve) where the speed is shown to
    be above ``cap`` (m/s) by the straight line of this launch time; and the burnout delay's
    Izzo x (NaN where none is solved), its solve started from ``x_start`` where that is
    finite (a warm start: the same solution to the solver's tolerance, 1e-13).

    Notation of :func:`speed_bound` at this launch time: the coast is a Kepler conic, so
    r_I = r_0 + v_1 tau + G with G = int_0^tau (tau - t) g(r(t)) dt, v_1 = v_s + u + e and
    r_0 = p + u t_b / 2, so u (t_b / 2 + tau) = r_I - q - e tau - G with q = p + v_s tau
    (the burnout delay: t_b = 0, e = 0, r_0 = p the site at burnout). A flight counts only
    with u above the local horizon, so the short way's radius stays above
    min(|r_0|, |r_I|) less 10 km (no periapsis passed; the allowance of :func:`speed_bound`'s
    time bound), with |r_0| >= |s| - (VERTICAL_TILT + omega t_b) |u| t_b / 2 (the straight
    boost: u . s >= -|u| |s| VERTICAL_TILT, |v_s . u| <= omega |s| |u|); so |G| <=
    g_max tau^2 / 2, g_max = mu / r_low^2, and |u| (t_b / 2 + tau) + |e| tau >= D =
    |r_I - q| - g_max tau^2 / 2 with |e| <= max(1, 1e-3 |u|). Where |u| <= ``cap`` the left
    side is at most its value at ``cap`` and r_low at least its value there; so D above that
    value (D taken a relative 1e-9 low for the solver's rounding) shows the speed above
    ``cap``, or no flight."""
    t0 = launch_s + burn_s if burnout_delay else launch_s
    tau = intercept_s - t0 if burnout_delay else intercept_s - launch_s - burn_s
    angle = omega * t0
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    x0 = cos_a * site[0] - sin_a * site[1]
    y0 = sin_a * site[0] + cos_a * site[1]
    z0 = site[2]
    sx, sy = -omega * y0, omega * x0  # the site's velocity (its z component is 0)
    xi, yi, zi = r_i[0], r_i[1], r_i[2]
    lever = 0.0 if burnout_delay else burn_s
    # Screen (required_speed._screened): coast of at least TAU_MIN_S and the straight-line bound.
    d1, d2, d3 = xi - x0 - sx * lever, yi - y0 - sy * lever, zi - z0
    chord0 = math.sqrt(d1 * d1 + d2 * d2 + d3 * d3)
    bound = (chord0 - math.sqrt(sx * sx + sy * sy) * tau - 0.5 * G_BOUND * tau * tau) / (
        0.5 * lever + tau
    )
    if not (
        math.isfinite(chord0) and math.isfinite(tau) and tau >= TAU_MIN_S and bound <= MAX_SPEED_MS
    ):
        return math.inf, math.nan
    if burnout_delay and cap < math.inf:
        e1, e2 = d1 - sx * tau, d2 - sy * tau
        r_low = min(math.sqrt(x0 * x0 + y0 * y0 + z0 * z0), math.sqrt(xi * xi + yi * yi + zi * zi))
        r_low = r_low - 10e3
        straight = (
            math.sqrt(e1 * e1 + e2 * e2 + d3 * d3) - 0.5 * mu / (r_low * r_low) * tau * tau
        ) / tau
        if r_low > 0.0 and straight * (1.0 - 1e-9) > cap:
            return math.nan, math.nan
    elif cap < math.inf:  # the straight boost (docstring)
        e1, e2 = d1 - sx * tau, d2 - sy * tau
        sink = 0.5 * cap * lever * (VERTICAL_TILT + omega * lever)
        r_site = math.sqrt(x0 * x0 + y0 * y0 + z0 * z0)
        r_low = min(r_site - sink, math.sqrt(xi * xi + yi * yi + zi * zi)) - 10e3
        straight = math.sqrt(e1 * e1 + e2 * e2 + d3 * d3) - 0.5 * mu / (r_low * r_low) * tau * tau
        most = cap * (0.5 * lever + tau) + max(FIXED_POINT_TOLERANCE_MS, 1e-3 * cap) * tau
        if r_low > 0.0 and straight * (1.0 - 1e-9) > most:
            return math.nan, math.nan
    residual = 0.0
    x = math.nan
    if burnout_delay:
        v1, v2, v3, x = _lambert_short(x0, y0, z0, xi, yi, zi, tau, mu, x_start)
        u1, u2, u3 = v1 - sx, v2 - sy, v3
    else:
        tb = burn_s
        # x: the guess's coast's solution, the first step's warm start (_boost_guess)
        u1, u2, u3, x = _boost_guess(x0, y0, z0, sx, sy, xi, yi, zi, tb, tau, mu)
        p1, p2, p3 = x0 + sx * tb, y0 + sy * tb, z0
        damp = 1.0 / (1.0 + 0.5 * tb / tau)
        for step in range(FIXED_POINT_ITERATIONS + 1):
            if step < FIXED_POINT_ITERATIONS:
                un = math.sqrt(u1 * u1 + u2 * u2 + u3 * u3)
                if not (math.isfinite(un) and un <= 2.0 * MAX_SPEED_MS):
                    u1, u2, u3 = math.nan, math.nan, math.nan
            v1, v2, v3, x = _lambert_short(
                p1 + 0.5 * u1 * tb, p2 + 0.5 * u2 * tb, p3 + 0.5 * u3 * tb, xi, yi, zi, tau, mu, x
            )
            e1, e2, e3 = v1 - sx - u1, v2 - sy - u2, v3 - 0.0 - u3
            if step == FIXED_POINT_ITERATIONS:
                # Only consistent flights: the coast from the burnout point that u itself
                # implies must need u again.
                residual = math.sqrt(e1 * e1 + e2 * e2 + e3 * e3)
            else:
                u1, u2, u3 = u1 + e1 * damp, u2 + e2 * damp, u3 + e3 * damp
    speed = math.sqrt(u1 * u1 + u2 * u2 + u3 * u3)
    up_x, up_y = cos_a * up[0] - sin_a * up[1], sin_a * up[0] + cos_a * up[1]
    above = u1 * up_x + u2 * up_y + u3 * up[2] >= 0.0
    if not (burnout_delay or residual <= max(FIXED_POINT_TOLERANCE_MS, 1e-3 * speed)):
        return math.inf, math.nan
    if math.isfinite(speed) and speed <= MAX_SPEED_MS and above:
        return speed, x
    return math.inf, math.nan


@kernel
def _gravity(x: float, y: float, z: float, mu: float) -> tuple[float, float, float]:
    """Point-mass gravity (m/s^2) at (x, y, z) (m)."""
    r2 = x * x + y * y + z * z
    k = -mu / (r2 * math.sqrt(r2))
    return k * x, k * y, k * z


@kernel
def _boost_guess(
    x0: float,
    y0: float,
    z0: float,
    sx: float,
    sy: float,
    xi: float,
    yi: float,
    zi: float,
    tb: float,
    tau: float,
    mu: float,
) -> tuple[float, float, float, float]:
    """First guess (m/s) of the straight boost's u from the site (x0, y0, z0) (m, ECI at
    launch; velocity (sx, sy, 0) m/s) to r_I = (xi, yi, zi) in a burn of ``tb`` s and a coast
    of ``tau`` s (``required_speed._boost_guess``, the module doc of
    :mod:`glasnost.defense.engagement`): the straight line with gravity for coasts shorter
    than STRAIGHT_GUESS_COASTS burn times, else the coast from mid-boost corrected for the
    gravity over the half boost it coasts; and that coast's Izzo x (NaN for the straight
    line), the first step's warm start (a coast at most 1.25 times as long, to a point near
    the burnout point: the same x to the solver's tolerance, in fewer iterations)."""
    p1, p2, p3 = x0 + sx * tb, y0 + sy * tb, z0
    if tau < STRAIGHT_GUESS_COASTS * tb:
        lever = 0.5 * tb + tau
        h = 0.5 * tau * tau
        d1, d2, d3 = xi - p1 - sx * tau, yi - p2 - sy * tau, zi - p3
        g1, g2, g3 = _gravity(0.5 * (p1 + xi), 0.5 * (p2 + yi), 0.5 * (p3 + zi), mu)
        u1, u2, u3 = (d1 - h * g1) / lever, (d2 - h * g2) / lever, (d3 - h * g3) / lever
        b1, b2, b3 = p1 + 0.5 * u1 * tb, p2 + 0.5 * u2 * tb, p3 + 0.5 * u3 * tb
        a1, a2, a3 = _gravity(b1, b2, b3, mu)
        m1, m2, m3 = _gravity(0.5 * (b1 + xi), 0.5 * (b2 + yi), 0.5 * (b3 + zi), mu)
        g1, g2, g3 = (a1 + 2.0 * m1) / 3.0, (a2 + 2.0 * m2) / 3.0, (a3 + 2.0 * m3) / 3.0
        return (d1 - h * g1) / lever, (d2 - h * g2) / lever, (d3 - h * g3) / lever, math.nan
    c1, c2, c3 = x0 + 0.5 * sx * tb, y0 + 0.5 * sy * tb, z0
    g1, g2, g3 = _gravity(c1, c2, c3, mu)
    drop = 0.125 * tb * tb
    v1, v2, v3, xg = _lambert_short(
        c1 + drop * g1, c2 + drop * g2, c3 + drop * g3, xi, yi, zi, tau + 0.5 * tb, mu, math.nan
    )
    half = 0.5 * tb
    return v1 + half * g1 - sx, v2 + half * g2 - sy, v3 + half * g3, xg


@kernel
def _excess(
    speed: float,
    lever: float,
    geometry: Geometry,
    coast_s: float,
    mu: float,
) -> float:
    """g(U) of :func:`speed_bound`'s conic bound (m/s) at U = ``speed``: U plus the fixed
    point's tolerance less the least |v_1 - v_s| that U allows. ``geometry``: |p|, |r_I|,
    c_min, |v_s|, the least |r_I . (v_s x p)|, the least and largest |p x r_I|, and the bound
    on the angle (rad) between p and the site's vertical."""
    reach = 0.5 * speed * lever
    least = _off_plane(_departure(reach, geometry, coast_s, mu), reach, geometry)
    return speed + max(FIXED_POINT_TOLERANCE_MS, 1e-3 * speed) - least


@kernel
def _departure(
    reach: float,
    geometry: Geometry,
    coast_s: float,
    mu: float,
) -> float:
    """H: the least |v_1| (m/s) of (iii)-(iv) of :func:`speed_bound` with w = ``reach`` (m)."""
    p_norm, r2, chord, _, _, _, _, tilt = geometry
    c = max(chord - reach, 0.0)
    s = 0.5 * (p_norm + r2 + chord) - 0.5 * reach * (1.0 + tilt)
    energy = least_transfer_energy(s, c, coast_s, mu)
    return math.sqrt(max(2.0 * mu / (p_norm + reach) + 2.0 * energy, 0.0)) * (1.0 - 1e-9)


@kernel
def _least_departure(reach: float, geometry: Geometry, mu: float) -> float:
    """At most :func:`_departure` (m/s): (iv) of :func:`speed_bound` with the least energy of
    any conic of semi-perimeter s, -mu / s, instead of the root of Lagrange's equation at the
    longest coast (:func:`~glasnost.physics.kepler_kernel.least_transfer_energy`, which is
    never below it); 0 where s is not positive."""
    p_norm, r2, chord, _, _, _, _, tilt = geometry
    s = 0.5 * (p_norm + r2 + chord) - 0.5 * reach * (1.0 + tilt)
    if not s > 0.0:
        return 0.0
    return math.sqrt(max(2.0 * mu / (p_norm + reach) - 2.0 * mu / s, 0.0)) * (1.0 - 1e-9)


@kernel
def _off_plane(
    departure: float,
    reach: float,
    geometry: Geometry,
) -> float:
    """The least |v_1 - v_s| (m/s) of (v) of :func:`speed_bound` where |v_1| >= ``departure``
    (m/s), w = ``reach`` (m)."""
    p_norm, r2, _, v_s, twist, cross_lo, cross_hi, _ = geometry
    normal = 0.0  # the least |v_s . n|, n the normal of the coast's plane
    if cross_lo - reach * r2 > 1e-6 * (p_norm + reach) * r2:
        normal = min(max(twist - r2 * v_s * reach, 0.0) / (cross_hi + reach * r2), v_s)
    in_plane = max(departure - math.sqrt(max(v_s * v_s - normal * normal, 0.0)), 0.0)
    return math.hypot(in_plane, normal)


@kernel
def speed_bound(
    site: FloatArray,
    lever: float,
    t_i: float,
    r_i: FloatArray,
    coast_max_s: float,
    mu: float,
    omega: float,
    limit: float,
    steps: int,
) -> float:
    """A lower bound (m/s) on the burnout speed relative to the site that any launch time with
    a coast of at most ``coast_max_s`` needs to reach r_i (ECI, m) at ``t_i`` (s), valid where
    that speed is at most ``limit`` (m/s): above ``limit`` only where none is; 0 where none is
    found. ``lever``: the straight boost's burn time t_b (0 for the burnout delay). The larger
    of two bounds; the conic bound costs one Lambert root per evaluation of g, ``steps``
    bisection steps (0: only whether it exceeds ``limit``, first with the least energy of any
    conic, -mu / s, in (iii), which costs no root: it shows a speed above ``limit`` only
    where the root would, and then the value returned is that level's, still a bound).

    Notation (:func:`required_speed`): launch at t_L; the coast starts at t_0 = t_L + t_b from
    r_0 = p + u t_b / 2 with velocity v_1 = v_s + u + e and lasts tau = t_I - t_0 <= tau_max;
    p = s(t_L) + v_s t_b, s(t) the site's ECI position, v_s = omega z x s(t_L) its velocity
    (|v_s| = omega rho_s, rho_s the site's distance from the axis); e the residual the fixed
    point accepts, |e| <= max(1, 1e-3 |u|) (the burnout delay: t_b = 0, r_0 = p = s(t_0),
    e = 0). Seen in the Earth-fixed frame of t_I (a rotation about z, which keeps lengths),
    r_I is r_E and p is R(-phi) p_0, p_0 = s + omega t_b z x s, phi = omega (tau + t_b) in
    [omega t_b, omega (tau_max + t_b)].

    - Conic (Lambert). (i) |p| = sqrt(|s|^2 + (omega rho_s t_b)^2) (v_s is normal to s), and
      c_p = |r_I - p| >= c_min, the least distance from r_E to that arc of p's circle
      (:func:`_conic_geometry`). (ii) With U = |u| and w = U t_b / 2, by the triangle
      inequality |r_0| <= |p| + w and the chord c = |r_I - r_0| >= c_min - w; a flight
      counts only with u above the site's vertical at launch, within VERTICAL_TILT + omega t_b
      = alpha of p's direction (the ellipsoid's normal against the radius; p against s), so
      |r_0| >= |p| + p/|p| . (u t_b / 2) >= |p| - alpha w (the norm is convex) and the
      semi-perimeter s = (|r_0| + |r_I| + c) / 2 >= (|p| + |r_I| + c_min) / 2 - (1 + alpha)
      w / 2. (iii) The
      coast is the zero-revolution conic the short way round (``_lambert_short``; where the
      way is undefined the smaller speed of both, and the long way's lambda < 0 only lengthens
      the time of an energy) in tau <= tau_max, so its energy E is at least
      :func:`~glasnost.physics.kepler_kernel.least_transfer_energy` (s, c, tau_max), which
      does not fall as s or c grows (Lagrange's equation at fixed a: dt/ds is proportional
      to tan(alpha / 2) - tan(beta / 2) >= 0 (tanh for a hyperbola), dt/dc to
      1 - cos(beta) >= 0 times -d(beta)/dc >= 0; the time falls as the energy rises, so a time
      kept needs no less energy; and the least energy -mu / s rises with s): E >= E_*(U), the
      value at the bounds of (ii). (iv) Vis-viva: |v_1|^2 = 2 mu / |r_0| + 2 E >=
      2 mu / (|p| + w) + 2 E_*(U) = H(U)^2. (v) v_1 lies in the coast's plane, normal n to
      r_0 and r_I (the solver's plane wherever sin(angle) >= 1e-12; the bound takes n only
      where the lower bound on |r_0 x r_I| below exceeds 1e-6 |r_0| |r_I|): with
      sigma = |v_s . n| and v_s's part in the plane of length sqrt(|v_s|^2 - sigma^2),
      |u + e| = |v_1 - v_s| >= sqrt(max(|v_1| - sqrt(|v_s|^2 - sigma^2), 0)^2 + sigma^2),
      rising in |v_1| and in sigma. Here v_s . (r_0 x r_I) = r_I . (v_s x p) +
      r_I . (v_s x w), and v_s x p = R(-phi) k, k = omega (s_z s - |s|^2 z) (v_s and p turn
      together), so sigma >= (min over the arc |r_E . R(-phi) k| - |r_I| |v_s| w) /
      (max over the arc |p x r_I| + w |r_I|), |p x r_I|^2 = |p|^2 |r_I|^2 - (p . r_I)^2 and
      p . r_I over the arc in closed form (:func:`_conic_geometry`). (vi) So g(U) = U +
      max(1, 1e-3 U) - (the bound of (v) with H(U) and sigma's bound at U) >= 0 at the true
      U; neither bound rises with U, so g rises strictly and U is at least every U' with
      g(U') <= 0 (bisection on [0, limit]), and g(limit) < 0 shows U > limit (then
      limit - g(limit) is returned).
    - Time (straight line). r_I = r_0 + v_1 tau + G with G = int_0^tau (tau - t) g(r(t)) dt,
      so u (t_b / 2 + tau) = r_I - q - e tau - G, q = s(t_L) + v_s (t_I - t_L) =
      R(-phi) (s + phi z x s) in the frame of t_I, and |q - s| = rho_s sqrt((1 - cos phi)^2
      + (phi - sin phi)^2), rising in phi. A flight counts only with u above the local
      horizontal, so the short way's radius stays above min(|r_0|, |r_I|) (no periapsis
      passed; 10 km and 0.4 % of |u| t_b / 2 allowed for the ellipsoid's normal against the
      radial direction): |G| <= g_max tau^2 / 2 with g_max = mu / r_low^2. Then
      |u| >= (|r_E - s| - |q - s| - g_max tau^2 / 2) / (t_b / 2 + tau) - |e|, falling in tau
      where positive: taken at tau_max and phi's largest value.

    Both less a relative 1e-9 of the departure speed for the solvers' rounding.
    """
    if not (math.isfinite(limit) and coast_max_s > 0.0):
        return 0.0
    r_e = _earth_fixed(r_i, omega * t_i)
    r2 = math.sqrt(r_i[0] * r_i[0] + r_i[1] * r_i[1] + r_i[2] * r_i[2])
    tolerance = max(FIXED_POINT_TOLERANCE_MS, 1e-3 * limit)
    phi_hi = omega * (coast_max_s + lever)
    turn = (math.cos(phi_hi), math.sin(phi_hi))
    by_time = _straight_line(site, lever, r_e, r2, coast_max_s, mu, omega, limit, turn)
    by_time = by_time - tolerance
    if by_time > limit:
        return by_time
    width = omega * coast_max_s
    geometry, _, _ = _conic_geometry(
        site, lever, r_e, r2, width, (math.cos(width), math.sin(width)), omega
    )
    if steps == 0:
        # Whether it exceeds the limit only: first with the least energy of any conic (no
        # root), which shows it only where the root would too.
        reach = 0.5 * limit * lever
        least = _off_plane(_least_departure(reach, geometry, mu), reach, geometry)
        if least > limit + tolerance:
            return least - tolerance
    over = _excess(limit, lever, geometry, coast_max_s, mu)
    if over < 0.0:
        return limit - over
    lo, hi = 0.0, limit
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if _excess(mid, lever, geometry, coast_max_s, mu) <= 0.0:
            lo = mid
        else:
            hi = mid
    return max(by_time, lo, 0.0)


@kernel
def speed_floor(
    site: FloatArray, t_i: float, r_i: FloatArray, coast_max_s: float, mu: float, omega: float
) -> float:
    """:func:`speed_bound` of the burnout delay (t_b = 0) at every speed at once, with the
    direction of the departure velocity: a lower bound (m/s) on the speed any launch time with
    a coast of at most ``coast_max_s`` needs to reach r_i (ECI, m) at ``t_i`` (s); 0 where
    none is found.

    With t_b = 0 (so w = 0 and e = 0) no bound depends on U but through the fixed point's
    tolerance: the straight line gives U + max(1, 1e-3 U) >= D (its bound before the
    tolerance is taken off), the conic U + max(1, 1e-3 U) >= C (the bound of (v) of
    :func:`speed_bound`, the same at every U) and so does the direction's bound
    (:func:`_toward`). U + max(1, 1e-3 U) rises strictly in U, so U is at least its inverse
    at the largest (:func:`_less_tolerance`), taken a relative 1e-12 low for the rounding."""
    return _floor(site, t_i, r_i, coast_max_s, mu, omega, math.inf)


@kernel
def _floor(
    site: FloatArray,
    t_i: float,
    r_i: FloatArray,
    coast_max_s: float,
    mu: float,
    omega: float,
    cap: float,
) -> float:
    """:func:`speed_floor` (m/s) in three levels of cost, or the bound of the first level
    that is above ``cap`` (m/s): the straight line; then the conic and the direction with the
    least energy of any conic, -mu / s (no root of Lagrange's equation); then both with the
    energy of the longest coast (one root). Every level is a lower bound: the conic's and the
    direction's bounds do not fall as the least departure speed H rises (:func:`_off_plane`,
    :func:`_toward`), and H rises with the energy bound."""
    if not coast_max_s > 0.0:
        return 0.0
    r_e = _earth_fixed(r_i, omega * t_i)
    r2 = math.sqrt(r_i[0] * r_i[0] + r_i[1] * r_i[1] + r_i[2] * r_i[2])
    width = omega * coast_max_s
    turn = (math.cos(width), math.sin(width))
    straight = _straight_line(site, 0.0, r_e, r2, coast_max_s, mu, omega, 0.0, turn)
    floor = max(_less_tolerance(straight) * (1.0 - 1e-12), 0.0)
    if floor > cap:
        return floor
    geometry, along, dot_lo = _conic_geometry(site, 0.0, r_e, r2, width, turn, omega)
    least = _least_departure(0.0, geometry, mu)
    for level in range(2):
        departure = least if level == 0 else _departure(0.0, geometry, coast_max_s, mu)
        conic = _off_plane(departure, 0.0, geometry)
        toward = _toward(departure, geometry, along, dot_lo)
        floor = max(_less_tolerance(max(straight, conic, toward)) * (1.0 - 1e-12), 0.0)
        if floor > cap:
            break
    return floor


@kernel
def _ends(cos_d: float, sin_d: float, cos_w: float, sin_w: float) -> tuple[float, float]:
    """The least and largest cosine (each widened by 1e-15 for the rounding) of the angles in
    [d - w, d], given the cosine and sine of d and of w (0 <= w < pi / 2, so the arc passes
    0 (pi) only from below (above) the real axis, at an end d with a positive (negative)
    cosine)."""
    cos_s, sin_s = cos_d * cos_w + sin_d * sin_w, sin_d * cos_w - cos_d * sin_w  # at d - w
    lo, hi = min(cos_s, cos_d) - 1e-15, max(cos_s, cos_d) + 1e-15
    if sin_s <= 1e-12 and sin_d >= -1e-12 and cos_d > 0.0:
        hi = 1.0
    if sin_s >= -1e-12 and sin_d <= 1e-12 and cos_d < 0.0:
        lo = -1.0
    return max(lo, -1.0), min(hi, 1.0)


@kernel
def _toward(departure: float, geometry: Geometry, along: float, dot_lo: float) -> float:
    """A lower bound (m/s) on |v_1 - v_s| of the burnout delay from the direction v_1 can
    take: :func:`speed_floor`, notation of :func:`speed_bound` (t_b = 0: r_0 = p = s(t_0),
    |r_0| = |s|; ``departure``: H, the least |v_1|; c_min the least chord; ``along`` and
    ``dot_lo``: the largest r_E . R(-phi) (omega z x s) and the least r_E . R(-phi) s over
    the arc, :func:`_conic_geometry`).

    The coast is the short way round, and taken only where r_E . r_0 > 0 over the whole arc
    (theta < pi / 2; theta near 0 is the vertical shot's limit), so
    with Lagrange's coefficients v_1 = (r_I - f r_0) / g = (c c_hat + (1 - f) r_0) / g, g =
    |r_0| |r_I| sin(theta) / sqrt(mu p) > 0 and 1 - f = |r_I| (1 - cos(theta)) / p > 0: v_1 is
    a positive combination of c_hat, the chord's direction, and r_0_hat (any conic, any time).
    v_s = omega z x r_0 is normal to r_0, so v_1 . v_s <= |v_1| m, m the largest d . v_s over
    the unit d = (a c_hat + b r_0_hat) / |...|, a, b >= 0: m = max(c_hat . v_s, 0) where
    kappa = c_hat . r_0_hat >= 0, and max(c_hat . v_s, 0) / sqrt(1 - kappa^2) where
    kappa < 0 (the least |d| at b = -a kappa). In the Earth-fixed frame of t_I,
    c_hat . v_s = r_E . R(-phi) (omega z x s) / c (r_0 . v_s = 0), at most its largest value
    over the arc over c_min where that is positive, else m = 0; and
    kappa = (r_E . r_0 - |s|^2) / (c |s|) >= q = (the least r_E . r_0 - |s|^2) / (c_min |s|)
    where that is negative, so 1 / sqrt(1 - kappa^2) <= 1 / sqrt(1 - q^2) (q > -1). Also
    m <= |v_s|. Then |v_1 - v_s|^2 >= |v_1|^2 - 2 |v_1| m + |v_s|^2, which rises in |v_1|
    above m: at |v_1| = H where H >= m, else |v_s|^2 - m^2. The bound on m is taken a
    relative 1e-9 high and the result 1e-9 low for the rounding."""
    r_site, _, chord, v_s, _, _, _, _ = geometry
    if not (chord > 0.0 and dot_lo > 0.0):
        return 0.0  # theta may reach pi/2 on the arc: only nearer points are taken
    m = v_s
    if along <= 0.0:
        m = 0.0
    else:
        q = (dot_lo - r_site * r_site) / (r_site * chord)
        if q >= 0.0:
            m = min(v_s, along / chord)
        elif q > -1.0:
            m = min(v_s, along / chord / math.sqrt(1.0 - q * q))
    m = m * (1.0 + 1e-9)
    if departure >= m:
        least_sq = departure * departure - 2.0 * departure * m + v_s * v_s
    else:
        least_sq = v_s * v_s - m * m
    return math.sqrt(max(least_sq, 0.0)) * (1.0 - 1e-9)


@kernel
def _less_tolerance(need: float) -> float:
    """The U (m/s) with U + max(FIXED_POINT_TOLERANCE_MS, 1e-3 U) = ``need``."""
    if need - FIXED_POINT_TOLERANCE_MS <= FIXED_POINT_TOLERANCE_MS / 1e-3:
        return need - FIXED_POINT_TOLERANCE_MS
    return need / (1.0 + 1e-3)


@kernel
def _earth_fixed(r_i: FloatArray, angle: float) -> Vector:
    """r_i (m) turned by -``angle`` (rad) about z: r_E, the point in the Earth-fixed frame of
    the intercept time."""
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    return (cos_a * r_i[0] + sin_a * r_i[1], -sin_a * r_i[0] + cos_a * r_i[1], r_i[2])


@kernel
def _straight_line(
    site: FloatArray,
    lever: float,
    r_e: Vector,
    r2: float,
    coast_max_s: float,
    mu: float,
    omega: float,
    limit: float,
    turn: tuple[float, float],
) -> float:
    """The time bound of :func:`speed_bound` (m/s) before the residual's tolerance is taken
    off: (|r_E - s| - |q - s| - g_max tau^2 / 2) / (t_b / 2 + tau) at the longest coast; 0
    where undefined. ``r2``: |r_I| (m); ``limit`` (m/s) bounds |u| in the allowance for the
    ellipsoid's normal; ``turn``: the cosine and sine of phi's largest value,
    omega (tau + t_b)."""
    rho_s = math.hypot(site[0], site[1])
    r_site = math.sqrt(site[0] * site[0] + site[1] * site[1] + site[2] * site[2])
    tau = coast_max_s
    phi_hi = omega * (tau + lever)
    dist = math.sqrt((r_e[0] - site[0]) ** 2 + (r_e[1] - site[1]) ** 2 + (r_e[2] - site[2]) ** 2)
    drift = rho_s * math.hypot(1.0 - turn[0], phi_hi - turn[1])
    r_low = min(r_site, r2) - 10e3 - 0.004 * limit * 0.5 * lever
    g = mu / (r_low * r_low)
    reach = (dist - drift - 0.5 * g * tau * tau) / (0.5 * lever + tau)
    if not (r_low > 0.0 and math.isfinite(reach)):
        return 0.0
    return reach


@kernel
def _conic_geometry(
    site: FloatArray,
    lever: float,
    r_e: Vector,
    r2: float,
    width: float,
    turn: tuple[float, float],
    omega: float,
) -> tuple[Geometry, float, float]:
    """The geometry of :func:`speed_bound`'s conic bound (the argument of :func:`_excess`) over
    the arc of p's positions, phi in [omega t_b, omega t_b + ``width``] (rad; ``turn``: the
    width's cosine and sine; ``r2``: |r_I|, m); and, for :func:`_toward` (t_b = 0), the
    largest r_E . R(-phi) (omega z x s) (m^2/s) and the least r_E . R(-phi) s (m^2) over it.

    Every range over the arc is that of the cosine of an azimuth difference over an interval
    of ``width`` (:func:`_ends`), from that difference's cosine and sine at the arc's start
    by the angle sum, without an inverse tangent: p_0's for the chord and p . r_I; s's for
    k = v_s x p_0 = omega (s_z s - |s|^2 z) (s's azimuth where s_z > 0, the opposite where
    s_z < 0); s's a quarter turn on for omega z x s. A whole turn's range where ``width`` is
    pi / 2 or more (a coast of six hours, beyond any interceptor's)."""
    rho_s, rho_r = math.hypot(site[0], site[1]), math.hypot(r_e[0], r_e[1])
    v_s = omega * rho_s
    r_site = math.sqrt(site[0] * site[0] + site[1] * site[1] + site[2] * site[2])
    p0 = (site[0] - omega * lever * site[1], site[1] + omega * lever * site[0])
    rho_p = math.hypot(p0[0], p0[1])
    p_norm = math.hypot(r_site, v_s * lever)
    lo, hi, s_lo, s_hi, quarter = -1.0, 1.0, -1.0, 1.0, 1.0
    if width < 0.5 * math.pi:
        start = (1.0, 0.0) if lever == 0.0 else (math.cos(omega * lever), math.sin(omega * lever))
        cos_s, sin_s = _azimuth_gap((site[0], site[1]), rho_s, r_e, rho_r, start)
        cos_p, sin_p = cos_s, sin_s  # p_0 = s without the boost
        if lever != 0.0:
            cos_p, sin_p = _azimuth_gap(p0, rho_p, r_e, rho_r, start)
        s_lo, s_hi = _ends(cos_s, sin_s, turn[0], turn[1])
        lo, hi = s_lo, s_hi
        if lever != 0.0:
            lo, hi = _ends(cos_p, sin_p, turn[0], turn[1])
        _, quarter = _ends(-sin_s, cos_s, turn[0], turn[1])
    dz2 = (r_e[2] - site[2]) ** 2
    chord = math.sqrt((rho_r - rho_p) ** 2 + 2.0 * rho_p * rho_r * (1.0 - hi) + dz2)
    dot_lo = r_e[2] * site[2] + rho_p * rho_r * lo
    dot_hi = r_e[2] * site[2] + rho_p * rho_r * hi
    # |p x r_I|^2 = |p|^2 |r_I|^2 - (p . r_I)^2 over the arc.
    dot_least = 0.0 if dot_lo <= 0.0 <= dot_hi else min(abs(dot_lo), abs(dot_hi))
    dot_most = max(abs(dot_lo), abs(dot_hi))
    cross_hi = math.sqrt(max((p_norm * r2) ** 2 - dot_least**2, 0.0))
    cross_lo = math.sqrt(max((p_norm * r2) ** 2 - dot_most**2, 0.0))
    # r_I . (v_s x p) = r_E . R(-phi) k.
    k_lo, k_hi = (s_lo, s_hi) if site[2] >= 0.0 else (-s_hi, -s_lo)
    rho_k = omega * abs(site[2]) * rho_s
    twist_lo = -r_e[2] * v_s * rho_s + rho_k * rho_r * k_lo
    twist_hi = -r_e[2] * v_s * rho_s + rho_k * rho_r * k_hi
    twist = 0.0 if twist_lo <= 0.0 <= twist_hi else min(abs(twist_lo), abs(twist_hi))
    tilt = VERTICAL_TILT + omega * lever
    geometry = (p_norm, r2, chord, v_s, twist * (1.0 - 1e-9), cross_lo, cross_hi, tilt)
    return geometry, v_s * rho_r * quarter, r_e[2] * site[2] + rho_s * rho_r * s_lo


@kernel
def _azimuth_gap(
    a: tuple[float, float], rho_a: float, r_e: Vector, rho_r: float, start: tuple[float, float]
) -> tuple[float, float]:
    """The cosine and sine of a's azimuth less r_E's less the angle whose cosine and sine are
    ``start`` (a: the x and y of a vector, m; ``rho_a``, ``rho_r``: a's and r_E's distances
    from the z axis); (1, 0) where either lies on the axis."""
    axis = rho_a * rho_r
    if not axis > 0.0:
        return 1.0, 0.0
    cos_d = (a[0] * r_e[0] + a[1] * r_e[1]) / axis
    sin_d = (a[1] * r_e[0] - a[0] * r_e[1]) / axis
    return cos_d * start[0] + sin_d * start[1], sin_d * start[0] - cos_d * start[1]


@kernel
def _shortest_coast(
    site: FloatArray, burn_s: float, r_i: FloatArray, omega: float, burnout_delay: bool
) -> float:
    """Coast time (s) below which every launch time needs more than MAX_SPEED_MS (the bound
    of ``launch_search.LaunchChunk.shortest_coast``)."""
    rho_s = math.hypot(site[0], site[1])
    rho_i = math.hypot(r_i[0], r_i[1])
    d = math.hypot(rho_i - rho_s, r_i[2] - site[2])
    v_s = omega * rho_s
    slack = d if burnout_delay else d - v_s * burn_s - 0.5 * MAX_SPEED_MS * burn_s
    slack = max(slack, 0.0)
    b = v_s + MAX_SPEED_MS
    tau = 2.0 * slack / (b + math.sqrt(b * b + 2.0 * G_BOUND * slack))
    return max(tau, TAU_MIN_S)


@kernel
def _candidate(
    site: FloatArray,
    up: FloatArray,
    burn_s: float,
    t_i: float,
    r_i: FloatArray,
    early: float,
    late: float,
    v_bo: float,
    want_latest: bool,
    capped: bool,
    fractions: FloatArray,
    mu: float,
    omega: float,
    burnout_delay: bool,
    after: float,
) -> tuple[float, float]:
    """Least required speed (m/s) over launch times in [early, late] and, when ``want_latest``
    and that speed is at most ``v_bo``, the latest launch time (s) with speed <= v_bo (else
    -inf): the search of ``launch_search.evaluate_chunk`` for one candidate. Each step of
    the refinement starts its Lambert solve from the solution at the best point so far.

    Where the result is the same (the tables, not each candidate's numbers):

    - with ``capped`` (where the search is bounded) the grid skips the points that cannot be
      its least or their neighbours, nor, with ``want_latest``, feasible (above ``v_bo``
      too); :func:`_shortest_feasible` evaluates the one it needs after;
    - the latest launch is reported -inf where it is shown not to be after ``after`` (s), a
      latest launch found for the pair (:func:`_shortest_feasible`)."""
    base = t_i - burn_s
    x_hi = math.log(base - early)
    gap = max(base - late, 0.0)
    x_late = math.log(gap) if gap > 0.0 else -math.inf
    shortest = _shortest_coast(site, burn_s, r_i, omega, burnout_delay)
    x_lo = min(max(math.log(shortest), x_late), x_hi)
    k = fractions.size
    n_pts = k + 3
    pts = np.empty(n_pts)
    vals = np.empty(n_pts)
    xs = np.empty(n_pts)
    # Capped: the grid from the longest coast down, a point skipped where it needs
    # more than the least found so far (:func:`_required_below`; it can then be neither the
    # grid's least nor, unless evaluated after, its neighbour) and, where the latest launch is
    # wanted, more than v_bo (so it is not a feasible point either).
    least = math.inf
    for step in range(k):
        j = k - 1 - step if capped else step
        x = x_lo + (x_hi - x_lo) * fractions[j] if j < k - 1 else x_hi
        pts[j] = x
        cap = (max(least, v_bo) if want_latest else least) if capped else math.inf
        vals[j], xs[j] = _required_below(
            site, up, burn_s, base - math.exp(x), t_i, r_i, mu, omega, burnout_delay, cap, math.nan
        )
        if vals[j] < least:
            least = vals[j]
    kb = 0
    for j in range(k):
        if vals[j] < vals[kb] or math.isnan(vals[kb]):
            kb = j
    ka, kc = max(kb - 1, 0), min(kb + 1, k - 1)
    for j in range(ka, kc + 1):
        if math.isnan(vals[j]):
            launch = base - math.exp(pts[j])
            vals[j], xs[j] = _required_below(
                site, up, burn_s, launch, t_i, r_i, mu, omega, burnout_delay, math.inf, math.nan
            )
    a, b, c = pts[ka], pts[kb], pts[kc]
    fa, fb, fc = vals[ka], vals[kb], vals[kc]
    xb = xs[kb]
    steps = MIN_SEARCH_STEPS
    if (kb == k - 1 or kb == 0) and math.isfinite(fb):
        # The grid's least at an end of the window: the refinement's points would all lie on
        # one side of b (golden sections towards it). Where its last point, the nearest to b,
        # needs no less than b, a unimodal speed needs no less at the others either: no step
        # would move b, and the refinement would end with the last point as the bracket's
        # far end. One evaluation instead of MIN_SEARCH_STEPS (:func:`end_refinement_point`).
        x = end_refinement_point(a, b, c)
        if not math.isnan(x):
            launch = base - math.exp(x)
            fx, _ = _required_below(
                site, up, burn_s, launch, t_i, r_i, mu, omega, burnout_delay, math.inf, xb
            )
            if not fx < fb:
                steps = 0
                if kb == 0:
                    c, fc = x, fx
                else:
                    a, fa = x, fx
    for _ in range(steps):
        if not (math.isfinite(fb) and c - a > X_TOL):
            break
        d1, d2 = b - a, b - c
        num = d1 * d1 * (fb - fc) - d2 * d2 * (fb - fa)
        den = d1 * (fb - fc) - d2 * (fb - fa)
        x = b - 0.5 * num / den
        golden = b - GOLD * (b - a) if b - a > c - b else b + GOLD * (c - b)
        if not (
            math.isfinite(x)
            and x > a + 0.5 * X_TOL
            and x < c - 0.5 * X_TOL
            and abs(x - b) > 0.5 * X_TOL
        ):
            x = golden
        fx, xx = _required_below(
            site, up, burn_s, base - math.exp(x), t_i, r_i, mu, omega, burnout_delay, math.inf, xb
        )
        left = x < b
        if fx < fb:
            xb = xx
            if left:
                c, fc = b, fb
            else:
                a, fa = b, fb
            b, fb = x, fx
        elif left:
            a, fa = x, fx
        else:
            c, fc = x, fx
    if not (want_latest and fb <= v_bo):
        return fb, -math.inf
    pts[k], pts[k + 1], pts[k + 2] = a, b, c
    vals[k], vals[k + 1], vals[k + 2] = fa, fb, fc
    # ln(t_I - t_b - after), 1e-9 wide for the rounding: a shorter coast launches after it.
    gap = base - after
    limit = math.log(gap * (1.0 + 1e-9)) if gap > 0.0 else -math.inf
    shortest = _shortest_feasible(
        site, up, burn_s, t_i, r_i, v_bo, pts, vals, b, limit, mu, omega, burnout_delay
    )
    return fb, base - math.exp(shortest)


@kernel
def end_refinement_point(a: float, b: float, c: float) -> float:
    """The last point (ln coast) of :func:`_candidate`'s refinement of a bracket (a, b, c)
    with b at an end (a == b or b == c) where no step finds a speed below b's: the golden
    section towards b, MIN_SEARCH_STEPS times or until the bracket is X_TOL narrow (the
    parabola through a bracket with two equal ends is 0 / 0, so every step is golden; the
    same arithmetic as the refinement, point for point). NaN where no step would run.

    Its speed decides the refinement where the speed is unimodal on [a, c]: each earlier
    point lies farther from b on the same side, so where the last needs no less than b, the
    speed falls from each earlier point to it, and no step would have found less."""
    x = math.nan
    for _ in range(MIN_SEARCH_STEPS):
        if not c - a > X_TOL:
            break
        if b - a > c - b:
            x = b - GOLD * (b - a)
            a = x
        else:
            x = b + GOLD * (c - b)
            c = x
    return x


@kernel
def _shortest_feasible(
    site: FloatArray,
    up: FloatArray,
    burn_s: float,
    t_i: float,
    r_i: FloatArray,
    v_bo: float,
    pts: FloatArray,
    vals: FloatArray,
    x_best: float,
    limit: float,
    mu: float,
    omega: float,
    burnout_delay: bool,
) -> float:
    """The shortest feasible log coast time below ``x_best``: bracketed on the points
    evaluated, refined by Illinois steps, interpolated (``launch_search._latest_launch``);
    inf where it is shown to be at least ``limit``.

    The bracket: ok, the least point evaluated at or below ``x_best`` whose speed is at most
    ``v_bo``, and no, the largest point below it (every point below ok needs more than
    ``v_bo``; where :func:`_candidate`'s grid skipped no, a NaN in ``vals``, it is evaluated
    here). The Illinois steps only raise no and the result is not below it, so where no is at
    least ``limit`` the steps are not run."""
    k_ok = -1
    for j in range(pts.size):
        if pts[j] <= x_best and vals[j] <= v_bo and (k_ok < 0 or pts[j] < pts[k_ok]):
            k_ok = j
    ok, f_ok = float(pts[k_ok]), float(vals[k_ok]) - v_bo
    k_no = -1
    for j in range(pts.size):
        if pts[j] < ok and (k_no < 0 or pts[j] > pts[k_no]):
            k_no = j
    if k_no < 0:
        return ok
    if pts[k_no] >= limit:
        return math.inf  # the result, at least no, is not below limit
    base = t_i - burn_s
    if math.isnan(vals[k_no]):
        vals[k_no] = required_speed(
            site, up, burn_s, base - math.exp(pts[k_no]), t_i, r_i, mu, omega, burnout_delay
        )
    no, f_no = float(pts[k_no]), float(vals[k_no]) - v_bo
    kept = 0  # which end was kept last: 1 no, -1 ok
    for _ in range(ROOT_STEPS):
        x = ok - f_ok * (no - ok) / (f_no - f_ok)
        if not (math.isfinite(x) and x < ok and x > no):
            x = 0.5 * (ok + no)
        fx = (
            required_speed(site, up, burn_s, base - math.exp(x), t_i, r_i, mu, omega, burnout_delay)
            - v_bo
        )
        if fx <= 0.0:
            if kept == 1:  # Illinois: halve the value of the end kept a second time in a row
                f_no = 0.5 * f_no
            ok, f_ok, kept = x, fx, 1
        else:
            if kept == -1:
                f_ok = 0.5 * f_ok
            no, f_no, kept = x, fx, -1
    est = ok - f_ok * (no - ok) / (f_no - f_ok)
    return est if math.isfinite(est) and est <= ok and est >= no else ok


@kernel
def _later_possible(
    i: int,
    cands: tuple[FloatArray, ...],
    after: float,
    fractions: FloatArray,
    mu: float,
    omega: float,
    burnout_delay: bool,
) -> bool:
    """Whether :func:`_candidate` of candidate i of ``cands`` (the arrays of :func:`search`)
    can return a latest launch after ``after`` (s); False only where it cannot.

    In log coast x, :func:`_shortest_feasible` returns est in [no, ok] (ok where there is no
    no): ok an evaluated point whose speed is at most ``v_bo``, no the largest evaluated point
    below ok, whose speed is above it; and est >= x_lo, the grid's first point. Take x_j, the
    first grid point at or above ln(t_I - t_b - after). Where every launch time with a coast
    of at most e^x_j needs more than ``v_bo`` (:func:`_needs_more`), x_j is evaluated and
    above ``v_bo``, and ok, whose speed is not, lies above it; so no >= x_j, est >= x_j and
    the launch time t_I - t_b - e^est is not after ``after``. The coasts taken a relative
    1e-9 wide for the rounding."""
    site, _, burn, t, r, early_all, late_all, v_bo_all = cands
    site_i, burn_s, t_i, r_i = site[i], burn[i], t[i], r[i]
    early, late, v_bo = early_all[i], late_all[i], v_bo_all[i]
    base = t_i - burn_s
    if not after > -math.inf:
        return True
    gap_after = base - after
    if not gap_after > 0.0:
        return False  # every launch time is before t_I - t_b
    x_hi = math.log(base - early)
    gap = max(base - late, 0.0)
    x_late = math.log(gap) if gap > 0.0 else -math.inf
    shortest = _shortest_coast(site_i, burn_s, r_i, omega, burnout_delay)
    x_lo = min(max(math.log(shortest), x_late), x_hi)
    limit = math.log(gap_after * (1.0 + 1e-9))
    if x_lo >= limit:
        return False
    k = fractions.size
    for j in range(k):
        x = x_lo + (x_hi - x_lo) * fractions[j] if j < k - 1 else x_hi  # _candidate's grid
        if x >= limit:
            lever = 0.0 if burnout_delay else burn_s
            coast = math.exp(x) * (1.0 + 1e-9)
            return not _needs_more(site_i, lever, t_i, r_i, coast, v_bo, mu, omega, burnout_delay)
    return True  # every grid point launches after it


@kernel
def _needs_more(
    site: FloatArray,
    lever: float,
    t_i: float,
    r_i: FloatArray,
    coast_max_s: float,
    cap: float,
    mu: float,
    omega: float,
    burnout_delay: bool,
) -> bool:
    """Whether every launch time with a coast of at most ``coast_max_s`` (s) needs more than
    ``cap`` (m/s) to reach r_i (ECI, m) at ``t_i`` (s): :func:`_floor` for the burnout delay
    (the direction's bound too), else :func:`speed_bound` (``lever``: the burn time, s)."""
    if not cap < math.inf:
        return False
    if burnout_delay:
        return _floor(site, t_i, r_i, coast_max_s, mu, omega, cap) > cap
    return speed_bound(site, lever, t_i, r_i, coast_max_s, mu, omega, cap, 0) > cap


@kernel
def _dropped(
    i: int,
    cands: tuple[FloatArray, ...],
    cap: float,
    mu: float,
    omega: float,
    burnout_delay: bool,
) -> bool:
    """Whether candidate i of ``cands`` (the arrays of :func:`search`) needs more than ``cap``
    (m/s) at every launch time (:func:`_needs_more`)."""
    site, _, burn_s, t_i, r_i, early, _, _ = cands
    lever = 0.0 if burnout_delay else burn_s[i]
    coast = (t_i[i] - burn_s[i] - early[i]) * (1.0 + 1e-9)
    return _needs_more(site[i], lever, t_i[i], r_i[i], coast, cap, mu, omega, burnout_delay)


@kernel
def search(
    site: FloatArray,
    up: FloatArray,
    burn_s: FloatArray,
    t_i: FloatArray,
    r_i: FloatArray,
    early: FloatArray,
    late: FloatArray,
    v_bo: FloatArray,
    tabled: BoolArray,
    starts: IntArray,
    order: IntArray,
    near: FloatArray,
    speeds: bool,
    fractions: FloatArray,
    mu: float,
    omega: float,
    burnout_delay: bool,
    bounded: bool,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Least required speed and latest launch (n,) of candidates (module doc), and which
    were searched; a candidate not searched gets speed inf and latest launch -inf.

    Candidate i: site ECEF ``site[i]`` and its vertical ``up[i]``, burn time, intercept time
    and ECI point, launch times in [early, late], burnout velocity ``v_bo``; ``tabled``: its
    site's flyout table decides its feasibility (then no latest launch is searched; alike for
    all candidates of a pair). The candidates of pair k are ``order[starts[k]:starts[k + 1]]``
    in increasing intercept time; ``near`` (n,) orders the search within a pair (nearest
    first). ``fractions``: the launch-time grid, ``np.linspace(0, 1, launch_times)``.

    Without ``speeds`` (the window edges) only feasibility and the latest launch are wanted:
    a candidate is dropped when it cannot be feasible (:func:`_dropped`: it needs more than
    ``v_bo`` at every launch time). With ``speeds``, per pair:

    - The least speed (:func:`_least_speed`): nearest first, each candidate dropped when it
      cannot need less than the least speed found; for the burnout delay the one of least
      distance per second of coast first, the others least floor first, up to the first
      floor above the least speed found (:func:`_least_pace_first`, :func:`_floor_order`).
      A tabled pair needs nothing more. Nor does an untabled one whose least speed is above
      every burnout velocity: no candidate is feasible.
    - Untabled, the window's ends: from the last candidate backwards to the first feasible
      one, then from the first forwards to the first feasible one (:func:`_until_feasible`;
      a candidate searched is feasible or not by its speed, another dropped when it cannot
      be feasible).
    - Untabled, the window's inside, nearest first: a candidate whose latest launch cannot
      be after the latest found (:func:`_later_possible`) needs nothing more (its speed, if
      it can be the least, is known); nor one that cannot be feasible.

    A candidate's latest launch is searched where it can be after the latest found so far
    (:func:`_latest_wanted`, :func:`_candidate`'s ``after``). The burnout delay runs the
    least speed first: its floor is tight, so that pass searches few candidates besides the
    least, and a pair with no feasible candidate needs nothing else. The straight boost runs
    it last, over the candidates not yet searched, from the least speed of the window's
    search: its bound is looser, and the window's candidates lower the least speed first.

    A candidate whose speed alone is searched reports latest launch -inf. Without ``bounded``
    no candidate is dropped, no grid point skipped and every latest launch searched (the
    reference the bounds are tested against)."""
    n = t_i.size
    speed = np.full(n, math.inf)
    latest = np.full(n, -math.inf)
    searched = np.zeros(n, dtype=np.bool_)
    cands = (site, up, burn_s, t_i, r_i, early, late, v_bo)
    work = (speed, latest, searched, np.zeros(n, dtype=np.bool_))
    rules = (fractions, mu, omega, burnout_delay, bounded)
    settled = work[3]
    for k in range(starts.size - 1):
        rows = order[starts[k] : starts[k + 1]]
        if not speeds:
            for position in _nearest_first(rows, near):
                i = rows[position]
                if not (bounded and _dropped(i, cands, v_bo[i], mu, omega, burnout_delay)):
                    _visit(i, not speeds, -math.inf, cands, rules, work)
            continue
        # Flags go to the callees as variables (here ``not speeds`` and ``untabled`` are
        # True, ``untabled and burnout_delay`` False after the window): a literal True or
        # False would have Numba compile the callee, and the candidate search under it, again.
        untabled = not tabled[rows[0]]
        last_launch = -math.inf
        speed_first = not untabled or burnout_delay
        if speed_first:
            best, last_launch = _least_speed(
                rows, near, untabled and burnout_delay, math.inf, cands, rules, work
            )
            if not (untabled and best <= _extreme(v_bo, rows, True)):
                continue  # the table decides the rest, or no candidate is feasible
        # The window's ends: backwards to the last feasible candidate, then forwards.
        backwards = rows[::-1].copy()
        last, last_launch = _until_feasible(backwards, untabled, last_launch, cands, rules, work)
        end = rows.size - 1 - last
        first = -1
        if last >= 0:
            first, last_launch = _until_feasible(
                rows[:end], untabled, last_launch, cands, rules, work
            )
        inside = rows[first + 1 : end] if first >= 0 else rows[:0]
        for position in _nearest_first(inside, near):
            i = inside[position]
            if searched[i]:
                if (
                    speed[i] <= v_bo[i]
                    and not settled[i]
                    and _latest_wanted(i, untabled, last_launch, cands, rules)
                ):
                    last_launch = _visit(i, untabled, last_launch, cands, rules, work)
                continue
            if bounded and (
                _dropped(i, cands, v_bo[i], mu, omega, burnout_delay)
                or not _later_possible(i, cands, last_launch, fractions, mu, omega, burnout_delay)
            ):
                # It cannot be feasible, or it cannot launch later: only its speed can matter,
                # and that is :func:`_least_speed`'s to search.
                continue
            last_launch = _visit(i, untabled, last_launch, cands, rules, work)
        if not speed_first:
            best = _extreme(speed, rows, False)
            rest = _unsearched(rows, searched)
            _least_speed(rest, near, untabled and burnout_delay, best, cands, rules, work)
    return speed, latest, searched


def search_probe() -> tuple[object, ...]:
    """Arguments of :func:`search` on a problem of four candidates (two pairs, one tabled),
    of the argument types of the assessment's call: one call compiles the search
    (:mod:`glasnost.physics.compile_ahead`; ``benchmarks/bench_engagement.py --compile``)."""
    site = np.array([[6378137.0, 0.0, 0.0]] * 4)
    r_i = np.array([[6378137.0 + 3e5, 5e5, 1e5]] * 4)
    return (
        site,
        site / 6378137.0,
        np.full(4, 30.0),
        np.full(4, 600.0),
        r_i,
        np.zeros(4),
        np.full(4, 500.0),
        np.full(4, 5000.0),
        np.array([True, True, False, False]),
        np.array([0, 2, 4], dtype=np.int64),
        np.arange(4, dtype=np.int64),
        np.arange(4.0),
        True,
        np.linspace(0.0, 1.0, 8),
        3.986004418e14,
        7.292115e-5,
        True,
        True,
    )


@kernel
def _extreme(values: FloatArray, rows: IntArray, largest: bool) -> float:
    """The largest (else the least) of ``values[rows]``; a loop, not fancy indexing (whose
    compilation costs seconds at each place it is used)."""
    sign = 1.0 if largest else -1.0
    most = -math.inf
    for i in rows:
        most = max(most, sign * values[i])
    return sign * most


@kernel
def _nearest_first(rows: IntArray, near: FloatArray) -> IntArray:
    """Positions in ``rows`` (candidates), the least ``near`` first."""
    return np.argsort(near[rows])


@kernel
def _unsearched(rows: IntArray, searched: BoolArray) -> IntArray:
    """The candidates ``rows`` not yet searched, in that order."""
    kept = np.empty(rows.size, dtype=np.int64)
    m = 0
    for i in rows:
        if not searched[i]:
            kept[m] = i
            m += 1
    return kept[:m]


@kernel
def _visit(
    i: int,
    want_latest: bool,
    after: float,
    cands: tuple[FloatArray, ...],
    rules: tuple[FloatArray, float, float, bool, bool],
    work: tuple[FloatArray, FloatArray, BoolArray, BoolArray],
) -> float:
    """Search candidate i of ``cands`` (:func:`_candidate`; ``rules`` = (fractions, mu,
    omega, burnout_delay, bounded) of :func:`search`) into ``work`` = (speed, latest,
    searched, settled), its latest launch where ``want_latest`` unless shown not after
    ``after`` (s; where ``bounded``). Returns the latest launch found, ``after`` included.
    ``settled``: its latest launch is searched or shown not to be after one found."""
    fractions, mu, omega, burnout_delay, bounded = rules
    speed, latest, searched, settled = work
    site, up, burn_s, t_i, r_i, early, late, v_bo = cands
    least, last = _candidate(
        site[i],
        up[i],
        burn_s[i],
        t_i[i],
        r_i[i],
        early[i],
        late[i],
        v_bo[i],
        want_latest,
        bounded,
        fractions,
        mu,
        omega,
        burnout_delay,
        after if bounded else -math.inf,
    )
    speed[i], latest[i], searched[i], settled[i] = least, last, True, want_latest
    return max(after, last)


@kernel
def _latest_wanted(
    i: int,
    untabled: bool,
    last_launch: float,
    cands: tuple[FloatArray, ...],
    rules: tuple[FloatArray, float, float, bool, bool],
) -> bool:
    """Whether candidate i's latest launch is to be searched: in an untabled pair, where it
    can be after ``last_launch`` (s), the latest found (:func:`_later_possible`; everywhere
    without bounds)."""
    fractions, mu, omega, burnout_delay, bounded = rules
    return untabled and (
        not bounded or _later_possible(i, cands, last_launch, fractions, mu, omega, burnout_delay)
    )


@kernel
def _least_speed(
    rows: IntArray,
    near: FloatArray,
    untabled: bool,
    best: float,
    cands: tuple[FloatArray, ...],
    rules: tuple[FloatArray, float, float, bool, bool],
    work: tuple[FloatArray, FloatArray, BoolArray, BoolArray],
) -> tuple[float, float]:
    """Search the least speed of candidates ``rows`` (a pair's, of ``cands``; into ``work``),
    below ``best`` (m/s), the least speed found before (inf: none), and return the least
    found and the latest launch found: nearest first, each dropped (where ``bounded``) when
    it cannot need less than the least found so far; for the burnout delay
    the one of least distance per second of coast first, the others least floor first, up
    to the first floor above the least found (:func:`_least_pace_first`,
    :func:`_floor_order`). Every candidate not searched needs more than the least found.
    The latest launch too where :func:`_latest_wanted`."""
    _, mu, omega, burnout_delay, bounded = rules
    least_first = bounded and burnout_delay
    sequence = _least_pace_first(rows, near, cands) if least_first else _nearest_first(rows, near)
    floors = np.empty(0)
    last_launch = -math.inf
    speed = work[0]
    position = -1
    while position + 1 < sequence.size:
        position += 1
        if least_first and position == 1:
            sequence, floors = _floor_order(rows, sequence, best, cands, mu, omega)
            if sequence.size < 2:
                break
        i = rows[sequence[position]]
        if least_first and position >= 1:
            if floors[position] > best:
                break  # this and every later floor is above the least speed found
        elif bounded and _dropped(i, cands, best, mu, omega, burnout_delay):
            continue
        want_latest = _latest_wanted(i, untabled, last_launch, cands, rules)
        last_launch = _visit(i, want_latest, last_launch, cands, rules, work)
        best = min(best, speed[i])
    return best, last_launch


@kernel
def _until_feasible(
    rows: IntArray,
    untabled: bool,
    last_launch: float,
    cands: tuple[FloatArray, ...],
    rules: tuple[FloatArray, float, float, bool, bool],
    work: tuple[FloatArray, FloatArray, BoolArray, BoolArray],
) -> tuple[int, float]:
    """The position in ``rows`` (candidates of ``cands``, an untabled pair's, after
    :func:`_least_speed`) of the first feasible candidate (-1: none), and the latest launch
    found (``last_launch`` before). A candidate already searched is feasible or not by its
    speed; another is dropped (where ``bounded``) when it cannot be feasible, else searched
    (:func:`_visit`, its latest launch where :func:`_latest_wanted`)."""
    _, mu, omega, burnout_delay, bounded = rules
    speed, _, searched, settled = work
    v_bo = cands[7]
    for position in range(rows.size):
        i = rows[position]
        if not searched[i]:
            if bounded and _dropped(i, cands, v_bo[i], mu, omega, burnout_delay):
                continue
            want_latest = _latest_wanted(i, untabled, last_launch, cands, rules)
            last_launch = _visit(i, want_latest, last_launch, cands, rules, work)
        elif (
            speed[i] <= v_bo[i]
            and not settled[i]
            and _latest_wanted(i, untabled, last_launch, cands, rules)
        ):
            last_launch = _visit(i, untabled, last_launch, cands, rules, work)
        if speed[i] <= v_bo[i]:
            return position, last_launch
    return -1, last_launch


@kernel
def _least_pace_first(rows: IntArray, near: FloatArray, cands: tuple[FloatArray, ...]) -> IntArray:
    """Positions in ``rows`` (candidates of ``cands``, of a pair of the burnout delay whose
    least speed alone is wanted), the candidate of least distance ``near`` (m) per second of
    its longest coast first (a rough speed, so its least speed is a low threshold for the
    others' floors; the nearest candidate often has too short a coast for any flight); the
    others in any order."""
    _, _, burn_s, t_i, _, early, _, _ = cands
    first, pace = 0, math.inf
    for j in range(rows.size):
        i = rows[j]
        if near[i] / (t_i[i] - burn_s[i] - early[i]) < pace:
            first, pace = j, near[i] / (t_i[i] - burn_s[i] - early[i])
    sequence = np.arange(rows.size)
    sequence[0], sequence[first] = first, 0
    return sequence


@kernel
def _floor_order(
    rows: IntArray,
    sequence: IntArray,
    best: float,
    cands: tuple[FloatArray, ...],
    mu: float,
    omega: float,
) -> tuple[IntArray, FloatArray]:
    """``sequence[0]`` (a position in ``rows``, candidates of ``cands``, of a pair of the
    burnout delay whose least speed alone is wanted; already searched), then the positions
    of ``sequence[1:]`` whose :func:`speed_floor` is at most ``best`` (m/s), the least speed
    found, least floor first; and their floors (the first -inf). A floor is taken only as
    far as it is not above ``best`` (:func:`_floor`): the least speed found only falls, so a
    candidate whose floor is above it now is never searched, whatever its floor's exact
    value."""
    site, _, burn_s, t_i, r_i, early, _, _ = cands
    kept = np.empty(sequence.size, dtype=np.int64)
    floors = np.empty(sequence.size)
    n_kept = 0
    for position in range(1, sequence.size):
        i = rows[sequence[position]]
        coast = (t_i[i] - burn_s[i] - early[i]) * (1.0 + 1e-9)
        floor = _floor(site[i], t_i[i], r_i[i], coast, mu, omega, best)
        if floor <= best:
            kept[n_kept], floors[n_kept], n_kept = sequence[position], floor, n_kept + 1
    # A C array, as search's other sort: one compiled sort; loops, not fancy indexing (its
    # compilation costs seconds).
    least = np.argsort(floors[:n_kept].copy())
    ordered = np.empty(n_kept + 1, dtype=np.int64)
    ordered_floors = np.empty(n_kept + 1)
    ordered[0], ordered_floors[0] = sequence[0], -math.inf
    for j in range(n_kept):
        ordered[j + 1], ordered_floors[j + 1] = kept[least[j]], floors[least[j]]
    return ordered, ordered_floors
