"""The compiled two-body solvers, row by row: Kepler's problem (:func:`propagate_rows`) and the
zero-revolution Lambert problem (:func:`lambert_rows`, Izzo 2015, the arithmetic of
``kepler._lambert_batch``).

The algorithm and the arithmetic of ``glasnost.physics.kepler._propagate_batch`` (the NumPy
reference, which runs the same iteration on a whole batch under a convergence mask; see
:mod:`glasnost.physics.kepler` for the method): period reduction, the bracket from the
periapsis and the overflow cap, Vallado's first guesses, Laguerre steps (n = 5) safeguarded by
bisection, the Stumpff series near the parabola, and the Lagrange coefficients. Each row's
iteration is independent of the others in both, so the two agree to the last bits of the
elementary functions (tested). SI units; positions and velocities (N, 3).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from glasnost.physics.compiled import kernel

FloatArray = NDArray[np.float64]

KEPLER_MAX_ITER = 60
KEPLER_RTOL = 1e-12
Y_MAX = 600.0
N_SERIES = 12
C_SERIES = np.array([(-1.0) ** k / math.factorial(2 * k + 2) for k in range(N_SERIES)])
S_SERIES = np.array([(-1.0) ** k / math.factorial(2 * k + 3) for k in range(N_SERIES)])
_EPS = float(np.finfo(np.float64).eps)


@kernel
def stumpff(z: float) -> tuple[float, float]:
    """Stumpff functions C(z), S(z): series for |z| < 1, trigonometric and hyperbolic forms
    beyond (sqrt(-z) clipped at 700)."""
    if abs(z) < 1.0:
        cs = C_SERIES[N_SERIES - 1]
        ss = S_SERIES[N_SERIES - 1]
        for k in range(N_SERIES - 2, -1, -1):
            cs = cs * z + C_SERIES[k]
            ss = ss * z + S_SERIES[k]
        return cs, ss
    if z >= 1.0:
        y = math.sqrt(z)
        half = math.sin(0.5 * y)
        return 2.0 * (half * half) / z, (y - math.sin(y)) / (y * z)
    if z <= -1.0:
        y = min(math.sqrt(-z), 700.0)
        half = math.sinh(0.5 * y)
        return 2.0 * (half * half) / (y * y), (math.sinh(y) - y) / (y * y * y)
    return math.nan, math.nan


@kernel
def propagate_rows(
    R0: FloatArray, V0: FloatArray, dt: FloatArray, mu: float
) -> tuple[FloatArray, FloatArray]:
    """Two-body states (N, 3) after ``dt`` (N,) seconds from ``R0``, ``V0`` (N, 3) (validated
    inputs: finite, |r0| > 0, mu > 0)."""
    n = R0.shape[0]
    r_out = np.empty((n, 3))
    v_out = np.empty((n, 3))
    for i in range(n):
        (
            r_out[i, 0],
            r_out[i, 1],
            r_out[i, 2],
            v_out[i, 0],
            v_out[i, 1],
            v_out[i, 2],
        ) = propagate_one(R0[i, 0], R0[i, 1], R0[i, 2], V0[i, 0], V0[i, 1], V0[i, 2], dt[i], mu)
    return r_out, v_out


@kernel
def propagate_one(
    x0: float, y0: float, z0: float, vx: float, vy: float, vz: float, dt: float, mu: float
) -> tuple[float, float, float, float, float, float]:
    """The two-body state (m, m/s) ``dt`` seconds after (x0, y0, z0), (vx, vy, vz): one row
    of :func:`propagate_rows`."""
    sqmu = math.sqrt(mu)
    t = dt
    r0n = math.sqrt(x0 * x0 + y0 * y0 + z0 * z0)
    sigma0 = (x0 * vx + y0 * vy + z0 * vz) / sqmu
    alpha = 2.0 / r0n - (vx * vx + vy * vy + vz * vz) / mu
    one_m_ar = 1.0 - alpha * r0n
    hx, hy, hz = y0 * vz - z0 * vy, z0 * vx - x0 * vz, x0 * vy - y0 * vx
    p = (hx * hx + hy * hy + hz * hz) / mu
    ecc = math.sqrt(max(1.0 - p * alpha, 0.0))
    r_peri = p / (1.0 + ecc)
    reduce = alpha * r0n > 1e-10
    chi_max = math.inf
    if reduce:
        period = 2.0 * math.pi / (sqmu * alpha**1.5)
        t = t - period * np.rint(t / period)
        chi_max = 1.001 * (math.pi + 2.0 * ecc) / math.sqrt(alpha)
    if r_peri > 0.0:
        chi_max = min(chi_max, sqmu * abs(t) / r_peri)
    chi_cap = math.inf
    if alpha < 0.0:
        chi_cap = Y_MAX / math.sqrt(-alpha)
    chi_max = min(chi_max, chi_cap)
    lo, hi = (0.0, chi_max) if t >= 0.0 else (-chi_max, 0.0)
    sqmu_t = sqmu * t
    chi = sqmu_t / r0n
    if reduce:
        chi = sqmu_t * alpha
    if alpha < 0.0 and -alpha * r0n > 1e-6 and t != 0.0:
        a = 1.0 / alpha
        sgn = 1.0 if t > 0.0 else -1.0
        num = -2.0 * mu * alpha * t
        den = sigma0 * sqmu + sgn * math.sqrt(-mu * a) * one_m_ar
        ratio = num / (den if den != 0.0 else 1.0)
        ok = den != 0.0 and ratio > 0.0 and math.isfinite(ratio)
        guess = sgn * math.sqrt(-a) * math.log(ratio if ok else 1.0)
        if ok and guess * sgn > 0.0:
            chi = guess
    if chi <= lo or chi >= hi:  # outside the bracket: its middle, or clipped to a half-line
        finite = math.isfinite(lo) and math.isfinite(hi)
        chi = 0.5 * (lo + hi) if finite else min(max(chi, lo), hi)
    active = t != 0.0
    if not active:
        chi = 0.0
    last_step = math.inf
    for _ in range(KEPLER_MAX_ITER):
        if not active:
            break
        x = chi
        x2 = x * x
        z = alpha * x2
        c, s = stumpff(z)
        f_val = sigma0 * x2 * c + one_m_ar * x2 * x * s + r0n * x - sqmu_t
        df = x2 * c + sigma0 * x * (1.0 - z * s) + r0n * (1.0 - z * c)
        ddf = sigma0 * (1.0 - z * c) + one_m_ar * x * (1.0 - z * s)
        if f_val < 0.0:
            lo = x
        else:
            hi = x
        disc = math.sqrt(abs(16.0 * df * df - 20.0 * f_val * ddf))
        den = df + (disc if df >= 0.0 else -disc)
        step = 5.0 * f_val / den if den != 0.0 else 0.0
        x_new = x - step
        done = abs(step) <= KEPLER_RTOL * abs(x) or f_val == 0.0
        outside = not done and not (x_new > lo and x_new < hi)
        slow = not done and abs(step) > 0.5 * last_step
        if (outside or slow) and math.isfinite(lo) and math.isfinite(hi):
            x_new = 0.5 * (lo + hi)
        elif outside:
            x_new = min(max(x_new, lo), hi)
        last_step = abs(x_new - x)
        done = done or (hi - lo) <= 4.0 * _EPS * abs(x_new)
        chi = x if f_val == 0.0 else x_new
        if done:
            active = False
    chi2 = chi * chi
    z = alpha * chi2
    c, s = stumpff(z)
    residual = sigma0 * chi2 * c + one_m_ar * chi2 * chi * s + r0n * chi - sqmu_t
    if abs(chi) >= 0.999 * chi_cap and abs(residual) > 1e-8 * (abs(sqmu_t) + r0n * abs(chi)):
        chi = math.nan  # a "root" pinned at the overflow cap is none
    f = 1.0 - chi2 * c / r0n
    g = t - chi2 * chi * s / sqmu
    rx, ry, rz = f * x0 + g * vx, f * y0 + g * vy, f * z0 + g * vz
    rn = math.sqrt(rx * rx + ry * ry + rz * rz)
    fdot = sqmu * chi * (z * s - 1.0) / (rn * r0n)
    gdot = 1.0 - chi2 * c / rn
    return (
        rx,
        ry,
        rz,
        fdot * x0 + gdot * vx,
        fdot * y0 + gdot * vy,
        fdot * z0 + gdot * vz,
    )


# --------------------------------------------------------------------------------------------
# Lambert's problem (Izzo 2015), the arithmetic of kepler._lambert_batch row by row
# --------------------------------------------------------------------------------------------

LAMBERT_MAX_ITER = 25
LAMBERT_TOL = 1e-13
LAMBERT_FINAL_STEP = 1e-5
DEGENERATE_SIN = 1e-12


@kernel
def _hypergeometric(z: float) -> float:
    """Gauss 2F1(3, 1; 5/2; z) by its series."""
    total = 1.0
    term = 1.0
    for j in range(200):
        term = term * (3.0 + j) * (1.0 + j) / (2.5 + j) * z / (j + 1.0)
        total = total + term
        if not abs(term) > 1e-17 * abs(total):
            break
    return total


@kernel
def _tof(x: float, lam: float) -> float:
    """Izzo's non-dimensional time of flight T(x; lambda), zero revolutions."""
    dist = abs(x - 1.0)
    if dist < 0.01:  # Battin's series
        e = x * x - 1.0
        zb = math.sqrt(1.0 + lam * lam * e)
        eta = zb - lam * x
        s1 = 0.5 * (1.0 - lam - x * eta)
        q = 4.0 / 3.0 * _hypergeometric(s1)
        return (eta**3 * q + 4.0 * lam * eta) / 2.0
    sign_lam = 1.0 if lam > 0.0 else (-1.0 if lam < 0.0 else 0.0)
    if dist < 0.2:  # Lagrange
        omx2 = 1.0 - x * x
        if omx2 > 0.0:
            alfa = 2.0 * math.acos(x)
            beta = 2.0 * math.asin(min(abs(lam) * math.sqrt(omx2), 1.0)) * sign_lam
            return ((alfa - math.sin(alfa)) - (beta - math.sin(beta))) / (2.0 * omx2**1.5)
        u = -omx2
        alfa = 2.0 * math.acosh(x)
        beta = 2.0 * math.asinh(abs(lam) * math.sqrt(u)) * sign_lam
        return ((beta - math.sinh(beta)) - (alfa - math.sinh(alfa))) / (2.0 * u**1.5)
    e = x * x - 1.0  # Lancaster-Blanchard
    zc = math.sqrt(1.0 + lam * lam * e)
    y = math.sqrt(abs(e))
    lx = lam * x
    w = (1.0 - lam * lam) / (zc + lx) if lx > 0.0 else zc - lx
    g = x * w + lam
    d = math.acos(min(max(g, -1.0), 1.0)) if e < 0.0 else math.log(y * w + g)
    return (x - lam * zc - d / y) / e


@kernel
def _solve_x(t: float, lam: float, x_start: float) -> float:
    """Householder iterations on x for T(x; lambda) = t from ``x_start`` when it is finite and
    above -1 (a warm start: the solution of a neighbouring problem), else from Izzo's starting
    point."""
    if math.isfinite(x_start) and x_start > -1.0:
        x = x_start
    else:
        x = _first_guess(t, lam, math.acos(lam) + lam * math.sqrt(1.0 - lam * lam))
    for _ in range(LAMBERT_MAX_ITER):
        x, done = _householder(x, t, lam)
        if done:
            break
    return x


@kernel
def _first_guess(t: float, lam: float, t00: float) -> float:
    """Izzo's starting point for T(x; lambda) = t; ``t00``: T(0), acos(lambda) +
    lambda sqrt(1 - lambda^2)."""
    l2 = lam * lam
    t1 = 2.0 / 3.0 * (1.0 - l2 * lam)
    if t >= t00:
        return -(t - t00) / (t - t00 + 4.0)
    if t <= t1:
        return t1 * (t1 - t) / (0.4 * (1.0 - lam**5) * t) + 1.0
    return (t / t00) ** (math.log(2.0) / math.log(t1 / t00)) - 1.0


@kernel
def _householder(x: float, t: float, lam: float) -> tuple[float, bool]:
    """One step of :func:`_solve_x` from x (Householder's fourth-order step, Newton's where
    that is not safe) and whether the iteration ends with it."""
    l2 = lam * lam
    l3 = l2 * lam
    tof = _tof(x, lam)
    delta = tof - t
    xd, td = x, tof
    if abs(x - 1.0) < 1e-3:
        xd = 1.0 + 1e-3 if x >= 1.0 else 1.0 - 1e-3
        td = _tof(xd, lam)
    umx2 = 1.0 - xd * xd
    y = math.sqrt(1.0 - l2 * umx2)
    y2 = y * y
    y3 = y2 * y
    d1 = (3.0 * td * xd - 2.0 + 2.0 * l3 * xd / y) / umx2
    d2 = (3.0 * td + 5.0 * xd * d1 + 2.0 * (1.0 - l2) * l3 / y3) / umx2
    d3 = (7.0 * xd * d2 + 8.0 * d1 - 6.0 * (1.0 - l2) * l2 * l3 * xd / (y3 * y2)) / umx2
    d1sq = d1 * d1
    den = d1 * (d1sq - delta * d2) + d3 * delta * delta / 6.0
    step = delta * (d1sq - 0.5 * delta * d2) / den if den != 0.0 else 0.0
    newton = delta / d1 if d1 != 0.0 else 0.0
    householder = math.isfinite(step) and abs(step) <= 2.0 * abs(newton)
    if not householder:
        step = newton
    x_new = x - step
    if x_new <= -1.0:
        x_new = 0.5 * (x - 1.0)
    done = abs(x_new - x) <= LAMBERT_TOL * max(1.0, abs(x_new)) or delta == 0.0
    # kepler._LAMBERT_FINAL_STEP: a small fourth-order step on exact derivatives is the last.
    done = done or (householder and xd == x and abs(step) <= LAMBERT_FINAL_STEP * max(1.0, abs(x)))
    return x_new, done


@kernel
def least_transfer_energy(s: float, c: float, tof: float, mu: float) -> float:
    """A lower bound (J/kg) on the specific energy of every zero-revolution conic that joins two
    points at most pi apart (seen from the focus) with semi-perimeter ``s`` and chord ``c`` (m)
    in at most ``tof`` s.

    By Lambert's theorem the time depends only on (a, s, c); in Izzo's variables lambda =
    sqrt(1 - c / s), T = sqrt(2 mu / s^3) t and x, with 1 / a = 2 (1 - x^2) / s, the energy
    is -mu (1 - x^2) / s, least (-mu / s, the minimum-energy conic) at x = 0, and T(x) falls
    strictly on x > -1 (Izzo 2015, zero revolutions). So every time up to ``tof`` has an x at
    least the root x* of T(x) = T(tof) when T(tof) is below T(0) (then x* > 0 and the energy
    at least -mu (1 - x*^2) / s), else any x (the energy at least -mu / s). Any x with
    T(x) >= T(tof) is at most x*: the bound takes one Householder step from Izzo's starting
    point, 1e-7 low, where that step is below 1e-3 (its error is of the order of the step's
    fourth power) and T there is at least T(tof); else the root of the full iteration, a
    relative 1e-9 low, where T there is at least T(tof); else the least energy."""
    if not (s > 0.0 and c >= 0.0 and tof > 0.0):
        return -math.inf
    lam = math.sqrt(max(1.0 - c / s, 0.0))
    t = math.sqrt(2.0 * mu / s**3) * tof
    t00 = math.acos(lam) + lam * math.sqrt(1.0 - lam * lam)
    least = -mu / s
    if not t < t00:
        return least
    guess = _first_guess(t, lam, t00)
    stepped, _ = _householder(guess, t, lam)
    x = stepped - 1e-7 * max(1.0, abs(stepped))
    if abs(stepped - guess) <= 1e-3 and x > 0.0 and _tof(x, lam) >= t:
        return -mu * (1.0 - x * x) / s
    x = _solve_x(t, lam, stepped)
    x = x - 1e-9 * max(1.0, abs(x))
    if not (math.isfinite(x) and x > 0.0 and _tof(x, lam) >= t):
        return least
    return -mu * (1.0 - x * x) / s


@kernel
def lambert_one(
    a1: float,
    a2: float,
    a3: float,
    b1: float,
    b2: float,
    b3: float,
    tof: float,
    mu: float,
    prograde: bool,
    x_start: float,
) -> tuple[float, float, float, float, float, float, float]:
    """One zero-revolution Lambert problem from (a1, a2, a3) to (b1, b2, b3) (m) in ``tof`` s:
    the departure and arrival velocities (m/s) and Izzo's x of the solution (to warm-start a
    neighbouring problem through ``x_start``; NaN: Izzo's starting point)."""
    r1n = math.sqrt(a1 * a1 + a2 * a2 + a3 * a3)
    r2n = math.sqrt(b1 * b1 + b2 * b2 + b3 * b3)
    c1, c2, c3 = b1 - a1, b2 - a2, b3 - a3
    chord = math.sqrt(c1 * c1 + c2 * c2 + c3 * c3)
    s = 0.5 * (r1n + r2n + chord)
    u1, u2, u3 = a1 / r1n, a2 / r1n, a3 / r1n
    w1, w2, w3 = b1 / r2n, b2 / r2n, b3 / r2n
    h1, h2, h3 = u2 * w3 - u3 * w2, u3 * w1 - u1 * w3, u1 * w2 - u2 * w1
    sin_theta = math.sqrt(h1 * h1 + h2 * h2 + h3 * h3)
    if sin_theta >= DEGENERATE_SIN:
        h1, h2, h3 = h1 / sin_theta, h2 / sin_theta, h3 / sin_theta
    else:  # the plane through r1 whose normal is closest to +z (+x when r1 is polar)
        h1, h2, h3 = -u3 * u1, -u3 * u2, 1.0 - u3 * u3
        if math.sqrt(h1 * h1 + h2 * h2 + h3 * h3) < 1e-6:
            h1, h2, h3 = 1.0 - u1 * u1, -u1 * u2, -u1 * u3
        hn = math.sqrt(h1 * h1 + h2 * h2 + h3 * h3)
        h1, h2, h3 = h1 / hn, h2 / hn, h3 / hn
    short = (h3 >= 0.0) == prograde
    if not short:
        h1, h2, h3 = -h1, -h2, -h3
    t1x, t1y, t1z = h2 * u3 - h3 * u2, h3 * u1 - h1 * u3, h1 * u2 - h2 * u1
    t1n = math.sqrt(t1x * t1x + t1y * t1y + t1z * t1z)
    t1x, t1y, t1z = t1x / t1n, t1y / t1n, t1z / t1n
    t2x, t2y, t2z = h2 * w3 - h3 * w2, h3 * w1 - h1 * w3, h1 * w2 - h2 * w1
    t2n = math.sqrt(t2x * t2x + t2y * t2y + t2z * t2z)
    t2x, t2y, t2z = t2x / t2n, t2y / t2n, t2z / t2n
    sqrt_r1r2 = math.sqrt(r1n * r2n)
    p1, p2, p3 = u1 + w1, u2 + w2, u3 + w3
    lam = min(sqrt_r1r2 * math.sqrt(p1 * p1 + p2 * p2 + p3 * p3) / (2.0 * s), 1.0)
    if not short:
        lam = -lam
    m1, m2, m3 = w1 - u1, w2 - u2, w3 - u3
    sigma = min(sqrt_r1r2 * math.sqrt(m1 * m1 + m2 * m2 + m3 * m3) / chord, 1.0)
    rho = (r1n - r2n) / chord
    t_nd = math.sqrt(2.0 * mu / s**3) * tof
    x = _solve_x(t_nd, lam, x_start)
    y = math.sqrt(1.0 - lam * lam * (1.0 - x * x))
    gamma = math.sqrt(mu * s / 2.0)
    vr1 = gamma * ((lam * y - x) - rho * (lam * y + x)) / r1n
    vr2 = -gamma * ((lam * y - x) + rho * (lam * y + x)) / r2n
    vt = gamma * sigma * (y + lam * x)
    k1, k2 = vt / r1n, vt / r2n
    return (
        vr1 * u1 + k1 * t1x,
        vr1 * u2 + k1 * t1y,
        vr1 * u3 + k1 * t1z,
        vr2 * w1 + k2 * t2x,
        vr2 * w2 + k2 * t2y,
        vr2 * w3 + k2 * t2z,
        x,
    )


@kernel
def lambert_departure(
    a1: float,
    a2: float,
    a3: float,
    b1: float,
    b2: float,
    b3: float,
    tof: float,
    mu: float,
    min_sin: float,
    x_start: float,
) -> tuple[float, float, float, float]:
    """The departure velocity (m/s) and Izzo's x of the zero-revolution Lambert transfer the
    short way (the transfer angle below pi, in the plane of r1 x r2) from (a1, a2, a3) to
    (b1, b2, b3) (m) in ``tof`` s: :func:`lambert_one` with the direction of r1 x r2, without
    the arrival velocity (for the solves that need only the departure). NaN where the sine
    of the angle is below ``min_sin`` (at least ``DEGENERATE_SIN``: the plane is the caller's
    to choose) or the points coincide."""
    r1n = math.sqrt(a1 * a1 + a2 * a2 + a3 * a3)
    r2n = math.sqrt(b1 * b1 + b2 * b2 + b3 * b3)
    c1, c2, c3 = b1 - a1, b2 - a2, b3 - a3
    chord = math.sqrt(c1 * c1 + c2 * c2 + c3 * c3)
    h1, h2, h3 = a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1
    hn = math.sqrt(h1 * h1 + h2 * h2 + h3 * h3)
    if not (hn >= max(min_sin, DEGENERATE_SIN) * r1n * r2n and chord > 0.0):
        return math.nan, math.nan, math.nan, math.nan
    s = 0.5 * (r1n + r2n + chord)
    u1, u2, u3 = a1 / r1n, a2 / r1n, a3 / r1n
    w1, w2, w3 = b1 / r2n, b2 / r2n, b3 / r2n
    to_tangent = 1.0 / (hn * r1n)  # t1 = (r1 x r2) x r1 / (|r1 x r2| |r1|), a unit vector
    t1x = (h2 * a3 - h3 * a2) * to_tangent
    t1y = (h3 * a1 - h1 * a3) * to_tangent
    t1z = (h1 * a2 - h2 * a1) * to_tangent
    sqrt_r1r2 = math.sqrt(r1n * r2n)
    p1, p2, p3 = u1 + w1, u2 + w2, u3 + w3
    lam = min(sqrt_r1r2 * math.sqrt(p1 * p1 + p2 * p2 + p3 * p3) / (2.0 * s), 1.0)
    m1, m2, m3 = w1 - u1, w2 - u2, w3 - u3
    sigma = min(sqrt_r1r2 * math.sqrt(m1 * m1 + m2 * m2 + m3 * m3) / chord, 1.0)
    rho = (r1n - r2n) / chord
    x = _solve_x(math.sqrt(2.0 * mu / s**3) * tof, lam, x_start)
    y = math.sqrt(1.0 - lam * lam * (1.0 - x * x))
    gamma = math.sqrt(mu * s / 2.0)
    vr1 = gamma * ((lam * y - x) - rho * (lam * y + x)) / r1n
    k1 = gamma * sigma * (y + lam * x) / r1n
    return vr1 * u1 + k1 * t1x, vr1 * u2 + k1 * t1y, vr1 * u3 + k1 * t1z, x


@kernel
def lambert_rows(
    R1: FloatArray, R2: FloatArray, tof: FloatArray, mu: float, prograde: NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Velocities (N, 3) at ``R1`` and ``R2`` (N, 3) of the zero-revolution conics of times of
    flight ``tof`` (N,) s (validated inputs; see :func:`glasnost.physics.kepler.lambert`)."""
    n = R1.shape[0]
    v1 = np.empty((n, 3))
    v2 = np.empty((n, 3))
    for i in range(n):
        v1[i, 0], v1[i, 1], v1[i, 2], v2[i, 0], v2[i, 1], v2[i, 2], _ = lambert_one(
            R1[i, 0],
            R1[i, 1],
            R1[i, 2],
            R2[i, 0],
            R2[i, 1],
            R2[i, 2],
            tof[i],
            mu,
            prograde[i],
            math.nan,
        )
    return v1, v2
