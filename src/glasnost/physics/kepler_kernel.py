"""The compiled universal-variable Kepler solve: :func:`propagate_rows`, row by row.

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
    sqmu = math.sqrt(mu)
    for i in range(n):
        x0, y0, z0 = R0[i, 0], R0[i, 1], R0[i, 2]
        vx, vy, vz = V0[i, 0], V0[i, 1], V0[i, 2]
        t = dt[i]
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
        if chi <= lo or chi >= hi:
            if math.isfinite(lo) and math.isfinite(hi):
                chi = 0.5 * (lo + hi)
            else:
                chi = min(max(chi, lo), hi)
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
        r_out[i, 0], r_out[i, 1], r_out[i, 2] = rx, ry, rz
        v_out[i, 0] = fdot * x0 + gdot * vx
        v_out[i, 1] = fdot * y0 + gdot * vy
        v_out[i, 2] = fdot * z0 + gdot * vz
    return r_out, v_out
