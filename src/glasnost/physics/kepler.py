"""Two-body (Kepler) propagation and the zero-revolution Lambert problem, vectorized.

Both functions work on a batch of N trajectories at once (arrays of shape (N, 3)) and run the
compiled row-by-row solvers of :mod:`glasnost.physics.kepler_kernel`; the NumPy solvers here
(``_propagate_batch``, ``_lambert_batch``: the iterations on the whole batch with a convergence
mask and an iteration cap) are the reference those kernels are tested against. SI units
throughout: metres, seconds, m/s, m^3/s^2.

``propagate`` solves Kepler's problem with the universal variable chi (Vallado, *Fundamentals of
Astrodynamics and Applications*, 4th ed. 2013, sec. 2.3, algorithm 8; Curtis, *Orbital Mechanics
for Engineering Students*, ch. 3). The universal Kepler equation

    sqrt(mu) dt = sigma0 chi^2 C(z) + (1 - alpha r0) chi^3 S(z) + r0 chi,   z = alpha chi^2,

with sigma0 = r0 . v0 / sqrt(mu) and alpha = 1/a, holds for ellipses, parabolas and hyperbolas.
It is solved with Laguerre's method (Conway, "An improved algorithm due to Laguerre for the
solution of Kepler's equation", Celest. Mech. 39, 1986), safeguarded by bisection inside a bracket
(the left side is increasing in chi, its derivative being the radius r > 0). Elliptic time spans
are first reduced modulo the period. The Stumpff functions C(z), S(z) use their Taylor series for
|z| < 1, so nothing cancels near the parabola. The state follows from the Lagrange coefficients
f, g, fdot, gdot.

``lambert`` implements Izzo's algorithm (D. Izzo, "Revisiting Lambert's problem", Celest. Mech.
Dyn. Astr. 121, 1-15, 2015) for zero revolutions: the time of flight is written as a function
T(x; lambda) of one variable, solved with Householder's third-order iterations from Izzo's initial
guess (a step below 1e-5 in x taken with exact derivatives is the last: its error is of its
fourth power), using the Lancaster-Blanchard expression away from the parabola, Lagrange's between
0.01 and 0.2 from it, and Battin's hypergeometric series within 0.01 of x = 1, as in the reference
implementation (ESA pykep). lambda and the velocity geometry are evaluated from the half-angle
forms (sqrt(r1 r2) cos(theta/2) / s and sqrt(r1 r2) sin(theta/2) / (c/2)), which stay accurate
at transfer angles near 0 and 180 degrees. Near x = 1 the derivatives of T, which divide by
1 - x^2, are taken 1e-3 away from the parabola (the fixed point is unchanged); a Householder step
that overshoots falls back on Newton's. At exactly 0 or 180 degrees the transfer plane is
undefined: ``lambert`` then takes the plane through r1 whose normal is closest to +z (documented
on the function) rather than raising, so a batch is never lost to one degenerate row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.physics import kepler_kernel
from glasnost.physics.compiled import kernel_array
from glasnost.physics.constants import MU

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

__all__ = ["lambert", "propagate"]

_KEPLER_MAX_ITER = 60
"""Iteration cap of the Laguerre / bisection solve for chi (typically 3 to 6 are used)."""

_KEPLER_RTOL = 1e-12
"""Relative size of the last Laguerre step below which chi counts as converged."""

_LAMBERT_MAX_ITER = 25
"""Iteration cap of the Householder solve for x (typically 2 to 4 are used)."""

_LAMBERT_TOL = 1e-13
"""Step in x (scaled by max(1, |x|)) below which x counts as converged."""

_LAMBERT_FINAL_STEP = 1e-5
"""A Householder step in x (scaled by max(1, |x|)) at most this, taken with the exact
derivatives (not within 1e-3 of the parabola), is the last: the iteration is of fourth order,
so the x it gives is within a constant times (1e-5)^4 of the root, far inside
``_LAMBERT_TOL`` (tested against the fully converged x)."""

_DEGENERATE_SIN = 1e-12
"""|ir1 x ir2| below which the transfer plane counts as undefined (angle 0 or 180 degrees)."""

_Y_MAX = 600.0
"""Largest hyperbolic sqrt(-z) allowed in the iteration (keeps sinh/cosh finite)."""

_N_SERIES = 12
_C_SERIES = np.array([(-1.0) ** k / math.factorial(2 * k + 2) for k in range(_N_SERIES)])
_S_SERIES = np.array([(-1.0) ** k / math.factorial(2 * k + 3) for k in range(_N_SERIES)])


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def _vectors(name: str, value: ArrayLike) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim not in (1, 2) or arr.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (3,) or (N, 3), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _scalars(name: str, value: ArrayLike) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or have shape (N,), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _mu(mu: float) -> float:
    mu_f = float(mu)
    if not (math.isfinite(mu_f) and mu_f > 0.0):
        raise ValueError(f"mu must be finite and positive, got {mu!r}")
    return mu_f


def _batch_size(vectors: Sequence[NDArray[Any]], scalars: Sequence[NDArray[Any]]) -> int | None:
    """Common batch length N, or None when every input is a single (3,) vector / scalar."""
    shapes = [v.shape[:-1] for v in vectors] + [s.shape for s in scalars]
    try:
        common = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"inputs have incompatible batch shapes {shapes}") from None
    return None if common == () else int(common[0])


def _norm(v: FloatArray) -> FloatArray:
    out: FloatArray = np.sqrt(np.einsum("ij,ij->i", v, v))
    return out


def _dot(a: FloatArray, b: FloatArray) -> FloatArray:
    out: FloatArray = np.einsum("ij,ij->i", a, b)
    return out


# --------------------------------------------------------------------------------------------
# Kepler's problem (universal variable)
# --------------------------------------------------------------------------------------------


def _stumpff(z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Stumpff functions C(z) = (1 - cos sqrt z)/z and S(z) = (sqrt z - sin sqrt z)/sqrt(z)^3.

    Series for |z| < 1 (no cancellation near z = 0), trigonometric forms for z >= 1 and
    hyperbolic ones for z <= -1 (sqrt(-z) clipped at 700 so nothing overflows).
    """
    c = np.empty_like(z)
    s = np.empty_like(z)
    small = np.abs(z) < 1.0
    ell = z >= 1.0
    hyp = z <= -1.0
    if np.any(small):
        zs = z[small]
        cs = np.full_like(zs, _C_SERIES[-1])
        ss = np.full_like(zs, _S_SERIES[-1])
        for k in range(_N_SERIES - 2, -1, -1):
            cs = cs * zs + _C_SERIES[k]
            ss = ss * zs + _S_SERIES[k]
        c[small] = cs
        s[small] = ss
    if np.any(ell):
        ze = z[ell]
        y = np.sqrt(ze)
        c[ell] = 2.0 * np.sin(0.5 * y) ** 2 / ze
        s[ell] = (y - np.sin(y)) / (y * ze)
    if np.any(hyp):
        y = np.minimum(np.sqrt(-z[hyp]), 700.0)
        c[hyp] = 2.0 * np.sinh(0.5 * y) ** 2 / (y * y)
        s[hyp] = (np.sinh(y) - y) / (y * y * y)
    return c, s


def propagate(
    r0: ArrayLike, v0: ArrayLike, dt: ArrayLike, mu: float = MU
) -> tuple[FloatArray, FloatArray]:
    """Two-body state after ``dt`` seconds (any conic), by the universal-variable method.

    Args:
        r0: initial position (m), shape (3,) or (N, 3).
        v0: initial velocity (m/s), shape (3,) or (N, 3).
        dt: time of flight (s), scalar or shape (N,); may be negative (backward in time).
        mu: gravitational parameter (m^3/s^2).

    Returns:
        ``(r, v)`` in m and m/s, shape (3,) when every input is single, else (N, 3).

    Raises:
        ValueError: non-finite input, incompatible shapes, |r0| = 0 or mu <= 0; also a state
            that overflows (|dt| far outside any physical range).
    """
    r0a = _vectors("r0", r0)
    v0a = _vectors("v0", v0)
    dta = _scalars("dt", dt)
    mu_f = _mu(mu)
    n_batch = _batch_size([r0a, v0a], [dta])
    n = 1 if n_batch is None else n_batch
    R0 = np.broadcast_to(r0a, (n, 3))
    V0 = np.broadcast_to(v0a, (n, 3))
    t = np.array(np.broadcast_to(dta, (n,)), dtype=np.float64)

    if np.any(_norm(R0) == 0.0):
        raise ValueError("r0 must have a nonzero norm")
    # Out-of-range intermediates (only for absurd inputs such as |dt| ~ 1e300 s on a hyperbola)
    # are caught by the finiteness check below instead of surfacing as RuntimeWarnings.
    with np.errstate(all="ignore"):
        r, v = kepler_kernel.propagate_rows(kernel_array(R0), kernel_array(V0), t, mu_f)
    if not (np.all(np.isfinite(r)) and np.all(np.isfinite(v))):
        raise ValueError("propagate: the state overflows (time span far outside physical range)")
    if n_batch is None:
        return r[0], v[0]
    return r, v


def _propagate_batch(
    R0: FloatArray, V0: FloatArray, t: FloatArray, mu_f: float
) -> tuple[FloatArray, FloatArray]:
    """Universal-variable solve on validated (N, 3) inputs; ``t`` (N,) is modified in place.

    The NumPy reference of the compiled :func:`glasnost.physics.kepler_kernel.propagate_rows`
    that :func:`propagate` runs."""
    n = t.shape[0]
    r0n = _norm(R0)
    sqmu = math.sqrt(mu_f)
    sigma0 = _dot(R0, V0) / sqmu
    alpha = 2.0 / r0n - _dot(V0, V0) / mu_f  # 1/a (1/m): > 0 ellipse, < 0 hyperbola
    one_m_ar = 1.0 - alpha * r0n
    h = np.cross(R0, V0)
    p = _dot(h, h) / mu_f  # semi-latus rectum (m)
    ecc = np.sqrt(np.maximum(1.0 - p * alpha, 0.0))
    r_peri = p / (1.0 + ecc)

    # Elliptic spans: remove whole periods so that |dt| <= T/2 (f and g are periodic).
    reduce = alpha * r0n > 1e-10
    chi_max = np.full(n, np.inf)
    if np.any(reduce):
        a_inv = alpha[reduce]
        period = 2.0 * math.pi / (sqmu * a_inv**1.5)
        t[reduce] = t[reduce] - period * np.round(t[reduce] / period)
        # chi = sqrt(a) dE and |dE| <= |dM| + 2e <= pi + 2e once |dt| <= T/2.
        chi_max[reduce] = 1.001 * (math.pi + 2.0 * ecc[reduce]) / np.sqrt(a_inv)
    # chi = sqrt(mu) int dt / r, and r >= r_peri along the arc.
    has_peri = r_peri > 0.0
    chi_max[has_peri] = np.minimum(chi_max[has_peri], sqmu * np.abs(t[has_peri]) / r_peri[has_peri])
    hyper = alpha < 0.0
    chi_cap = np.full(n, np.inf)  # where sinh(sqrt(-z)) would overflow
    chi_cap[hyper] = _Y_MAX / np.sqrt(-alpha[hyper])
    chi_max = np.minimum(chi_max, chi_cap)
    forward = t >= 0.0
    lo = np.where(forward, 0.0, -chi_max)
    hi = np.where(forward, chi_max, 0.0)

    # Initial guesses (Vallado alg. 8): mean motion for ellipses, the hyperbolic formula, else
    # the short-arc value sqrt(mu) dt / r0; then forced into the bracket.
    sqmu_t = sqmu * t
    chi = sqmu_t / r0n
    chi[reduce] = sqmu_t[reduce] * alpha[reduce]
    hyp_guess = hyper & (-alpha * r0n > 1e-6) & (t != 0.0)
    if np.any(hyp_guess):
        a = 1.0 / alpha[hyp_guess]
        sgn = np.sign(t[hyp_guess])
        num = -2.0 * mu_f * alpha[hyp_guess] * t[hyp_guess]
        den = sigma0[hyp_guess] * sqmu + sgn * np.sqrt(-mu_f * a) * one_m_ar[hyp_guess]
        ratio = num / np.where(den != 0.0, den, 1.0)
        ok = (den != 0.0) & (ratio > 0.0) & np.isfinite(ratio)
        guess = sgn * np.sqrt(-a) * np.log(np.where(ok, ratio, 1.0))
        use = ok & (guess * sgn > 0.0)
        chi[hyp_guess] = np.where(use, guess, chi[hyp_guess])
    outside = (chi <= lo) | (chi >= hi)
    finite = np.isfinite(lo) & np.isfinite(hi)
    chi = np.where(outside & finite, 0.5 * (lo + hi), chi)
    chi = np.where(outside & ~finite, np.clip(chi, lo, hi), chi)

    active = t != 0.0
    chi[~active] = 0.0
    last_step = np.full(n, np.inf)
    for _ in range(_KEPLER_MAX_ITER):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        x = chi[idx]
        al = alpha[idx]
        s0 = sigma0[idx]
        oar = one_m_ar[idx]
        x2 = x * x
        z = al * x2
        c, s = _stumpff(z)
        f_val = s0 * x2 * c + oar * x2 * x * s + r0n[idx] * x - sqmu_t[idx]
        df = x2 * c + s0 * x * (1.0 - z * s) + r0n[idx] * (1.0 - z * c)  # = r (m)
        ddf = s0 * (1.0 - z * c) + oar * x * (1.0 - z * s)
        below = f_val < 0.0
        lo_i = np.where(below, x, lo[idx])
        hi_i = np.where(below, hi[idx], x)
        lo[idx] = lo_i
        hi[idx] = hi_i
        # Laguerre step, n = 5: dx = n F / (F' + sgn(F') sqrt|(n-1)^2 F'^2 - n (n-1) F F''|).
        disc = np.sqrt(np.abs(16.0 * df * df - 20.0 * f_val * ddf))
        den = df + np.where(df >= 0.0, disc, -disc)
        safe = den != 0.0
        step = np.where(safe, 5.0 * f_val / np.where(safe, den, 1.0), 0.0)
        x_new = x - step
        done = (np.abs(step) <= _KEPLER_RTOL * np.abs(x)) | (f_val == 0.0)
        # Bisect when the step leaves the bracket or makes slow progress (far-off start on a
        # hyperbola, where the left side is exponential in chi): as in "rtsafe".
        outside = ~done & ~((x_new > lo_i) & (x_new < hi_i))
        slow = ~done & (np.abs(step) > 0.5 * last_step[idx])
        bisect = (outside | slow) & np.isfinite(lo_i) & np.isfinite(hi_i)
        x_new = np.where(bisect, 0.5 * (lo_i + hi_i), x_new)
        x_new = np.where(outside & ~bisect, np.clip(x_new, lo_i, hi_i), x_new)
        last_step[idx] = np.abs(x_new - x)
        done |= (hi_i - lo_i) <= 4.0 * np.finfo(np.float64).eps * np.abs(x_new)
        chi[idx] = np.where(f_val == 0.0, x, x_new)
        active[idx[done]] = False

    chi2 = chi * chi
    z = alpha * chi2
    c, s = _stumpff(z)
    # A "root" pinned at the overflow cap (hyperbola, |dt| absurdly large) is none: NaN.
    residual = sigma0 * chi2 * c + one_m_ar * chi2 * chi * s + r0n * chi - sqmu_t
    failed = (np.abs(chi) >= 0.999 * chi_cap) & (
        np.abs(residual) > 1e-8 * (np.abs(sqmu_t) + r0n * np.abs(chi))
    )
    chi[failed] = np.nan
    f = 1.0 - chi2 * c / r0n
    g = t - chi2 * chi * s / sqmu
    r = f[:, None] * R0 + g[:, None] * V0
    rn = _norm(r)
    fdot = sqmu * chi * (z * s - 1.0) / (rn * r0n)
    gdot = 1.0 - chi2 * c / rn
    v = fdot[:, None] * R0 + gdot[:, None] * V0
    return r, v


# --------------------------------------------------------------------------------------------
# Lambert's problem (Izzo 2015)
# --------------------------------------------------------------------------------------------


def _hypergeometric(z: FloatArray) -> FloatArray:
    """Gauss 2F1(3, 1; 5/2; z) by its series (|z| small near the parabola)."""
    total = np.ones_like(z)
    term = np.ones_like(z)
    for j in range(200):
        term = term * (3.0 + j) * (1.0 + j) / (2.5 + j) * z / (j + 1.0)
        total = total + term
        if not np.any(np.abs(term) > 1e-17 * np.abs(total)):
            break
    return total


def _tof(x: FloatArray, lam: FloatArray) -> FloatArray:
    """Izzo's non-dimensional time of flight T(x; lambda), zero revolutions."""
    tof = np.empty_like(x)
    dist = np.abs(x - 1.0)
    battin = dist < 0.01
    lagrange = (dist >= 0.01) & (dist < 0.2)
    lancaster = dist >= 0.2
    if np.any(battin):
        xb, lb = x[battin], lam[battin]
        e = xb * xb - 1.0
        zb = np.sqrt(1.0 + lb * lb * e)
        eta = zb - lb * xb
        s1 = 0.5 * (1.0 - lb - xb * eta)
        q = 4.0 / 3.0 * _hypergeometric(s1)
        tof[battin] = (eta**3 * q + 4.0 * lb * eta) / 2.0
    if np.any(lagrange):
        xl, ll = x[lagrange], lam[lagrange]
        omx2 = 1.0 - xl * xl
        out = np.empty_like(xl)
        el = omx2 > 0.0
        if np.any(el):
            xe, le, ue = xl[el], ll[el], omx2[el]
            alfa = 2.0 * np.arccos(xe)
            beta = 2.0 * np.arcsin(np.minimum(np.abs(le) * np.sqrt(ue), 1.0)) * np.sign(le)
            out[el] = ((alfa - np.sin(alfa)) - (beta - np.sin(beta))) / (2.0 * ue**1.5)
        hy = ~el
        if np.any(hy):
            xh, lh, uh = xl[hy], ll[hy], -omx2[hy]
            alfa = 2.0 * np.arccosh(xh)
            beta = 2.0 * np.arcsinh(np.abs(lh) * np.sqrt(uh)) * np.sign(lh)
            out[hy] = ((beta - np.sinh(beta)) - (alfa - np.sinh(alfa))) / (2.0 * uh**1.5)
        tof[lagrange] = out
    if np.any(lancaster):
        xc, lc = x[lancaster], lam[lancaster]
        e = xc * xc - 1.0
        zc = np.sqrt(1.0 + lc * lc * e)
        y = np.sqrt(np.abs(e))
        # w = z - lambda x without cancellation (z^2 - lambda^2 x^2 = 1 - lambda^2), and
        # g = x z - lambda E = x w + lambda; matters for large x (very short flights).
        lx = lc * xc
        w = np.where(lx > 0.0, (1.0 - lc * lc) / (zc + lx), zc - lx)
        g = xc * w + lc
        d = np.empty_like(xc)
        el = e < 0.0
        d[el] = np.arccos(np.clip(g[el], -1.0, 1.0))
        hy = ~el
        d[hy] = np.log(y[hy] * w[hy] + g[hy])
        tof[lancaster] = (xc - lc * zc - d / y) / e
    return tof


def _tof_derivatives(
    x: FloatArray, t: FloatArray, lam: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """First three derivatives of T(x) (Izzo 2015, eq. 22), given T = T(x)."""
    l2 = lam * lam
    l3 = l2 * lam
    umx2 = 1.0 - x * x
    y = np.sqrt(1.0 - l2 * umx2)
    y2 = y * y
    y3 = y2 * y
    dt = (3.0 * t * x - 2.0 + 2.0 * l3 * x / y) / umx2
    ddt = (3.0 * t + 5.0 * x * dt + 2.0 * (1.0 - l2) * l3 / y3) / umx2
    dddt = (7.0 * x * ddt + 8.0 * dt - 6.0 * (1.0 - l2) * l2 * l3 * x / (y3 * y2)) / umx2
    return dt, ddt, dddt


def _initial_x(t: FloatArray, lam: FloatArray) -> FloatArray:
    """Izzo's zero-revolution starting point x0(T, lambda) (2015, eq. 30)."""
    l2 = lam * lam
    t00 = np.arccos(lam) + lam * np.sqrt(1.0 - l2)  # T at x = 0
    t1 = 2.0 / 3.0 * (1.0 - l2 * lam)  # T at x = 1 (parabola)
    x0 = np.empty_like(t)
    long_t = t >= t00
    short_t = t <= t1
    mid = ~long_t & ~short_t
    x0[long_t] = -(t[long_t] - t00[long_t]) / (t[long_t] - t00[long_t] + 4.0)
    if np.any(short_t):
        ts, t1s, ls = t[short_t], t1[short_t], lam[short_t]
        x0[short_t] = t1s * (t1s - ts) / (0.4 * (1.0 - ls**5) * ts) + 1.0
    if np.any(mid):
        tm, t1m, t00m = t[mid], t1[mid], t00[mid]
        x0[mid] = (tm / t00m) ** (math.log(2.0) / np.log(t1m / t00m)) - 1.0
    return x0


def _solve_x(t: FloatArray, lam: FloatArray) -> FloatArray:
    """Householder iterations on x for T(x; lambda) = t, on the whole batch."""
    x = _initial_x(t, lam)
    active = np.ones(t.shape, dtype=bool)
    for _ in range(_LAMBERT_MAX_ITER):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xi, li, ti = x[idx], lam[idx], t[idx]
        tof = _tof(xi, li)
        delta = tof - ti
        # The derivative formulas divide by 1 - x^2 and lose digits as x -> 1; there they are
        # taken 1e-3 away, which costs the iteration only its order, not its fixed point.
        near = np.abs(xi - 1.0) < 1e-3
        xd = np.where(near, np.where(xi >= 1.0, 1.0 + 1e-3, 1.0 - 1e-3), xi)
        td = tof.copy()
        if np.any(near):
            td[near] = _tof(xd[near], li[near])
        d1, d2, d3 = _tof_derivatives(xd, td, li)
        d1sq = d1 * d1
        den = d1 * (d1sq - delta * d2) + d3 * delta * delta / 6.0
        safe = den != 0.0
        step = np.where(safe, delta * (d1sq - 0.5 * delta * d2) / np.where(safe, den, 1.0), 0.0)
        newton = np.where(d1 != 0.0, delta / np.where(d1 != 0.0, d1, 1.0), 0.0)
        # Householder may overshoot where T(x) is strongly curved; fall back on Newton then.
        householder = np.isfinite(step) & (np.abs(step) <= 2.0 * np.abs(newton))
        step = np.where(householder, step, newton)
        x_new = xi - step
        x_new = np.where(x_new <= -1.0, 0.5 * (xi - 1.0), x_new)  # stay inside (-1, inf)
        x[idx] = x_new
        done = (np.abs(x_new - xi) <= _LAMBERT_TOL * np.maximum(1.0, np.abs(x_new))) | (
            delta == 0.0
        )
        # A Householder step on exact derivatives (fourth order) this small leaves an error of
        # its fourth power: no further iteration is needed to confirm it.
        final = np.abs(step) <= _LAMBERT_FINAL_STEP * np.maximum(1.0, np.abs(xi))
        done |= householder & ~near & final
        active[idx[done]] = False
    return x


def lambert(
    r1: ArrayLike, r2: ArrayLike, tof: ArrayLike, mu: float = MU, prograde: ArrayLike = True
) -> tuple[FloatArray, FloatArray]:
    """Velocities at r1 and r2 of the zero-revolution conic from r1 to r2 in ``tof`` seconds.

    Izzo's method (2015), vectorized over the batch.

    Args:
        r1: departure position (m), shape (3,) or (N, 3).
        r2: arrival position (m), shape (3,) or (N, 3).
        tof: time of flight (s), > 0, scalar or shape (N,).
        mu: gravitational parameter (m^3/s^2).
        prograde: True (default) picks the transfer whose angular momentum has h_z >= 0 (the
            short way when (r1 x r2)_z >= 0, else the long way); False the one with h_z <= 0.
            A bool or a boolean array of shape (N,).

    Returns:
        ``(v1, v2)`` in m/s, shape (3,) when every input is single, else (N, 3).

    When r1 and r2 are (anti)parallel (|r1 x r2| < 1e-12 |r1| |r2|, transfer angle 0 or 180
    degrees) the plane is undefined; the plane through r1 whose normal is closest to +z is taken
    (through r1 and the x-axis normal when r1 lies on the z-axis), so a prograde transfer then
    has its largest possible h_z > 0.

    Raises:
        ValueError: non-finite input, incompatible shapes, tof <= 0, |r1| or |r2| = 0,
            r1 == r2, or mu <= 0; also no finite solution (tof far outside any physical range,
            such as 1e-300 s or 1e300 s).
    """
    r1a = _vectors("r1", r1)
    r2a = _vectors("r2", r2)
    tofa = _scalars("tof", tof)
    mu_f = _mu(mu)
    pro = np.asarray(prograde, dtype=bool)
    if pro.ndim > 1:
        raise ValueError(f"prograde must be a bool or have shape (N,), got {pro.shape}")
    if np.any(tofa <= 0.0):
        raise ValueError("tof must be positive")
    n_batch = _batch_size([r1a, r2a], [tofa, pro])
    n = 1 if n_batch is None else n_batch
    R1 = np.broadcast_to(r1a, (n, 3))
    R2 = np.broadcast_to(r2a, (n, 3))
    t_s = np.broadcast_to(tofa, (n,))
    pro_b = np.broadcast_to(pro, (n,))

    if np.any(_norm(R1) == 0.0) or np.any(_norm(R2) == 0.0):
        raise ValueError("r1 and r2 must have nonzero norms")
    if np.any(_norm(R2 - R1) == 0.0):
        raise ValueError("r1 and r2 coincide: the transfer is undefined")
    with np.errstate(all="ignore"):  # absurd inputs (tof ~ 1e-300 s) end in the check below
        v1, v2 = kepler_kernel.lambert_rows(
            np.ascontiguousarray(R1),
            np.ascontiguousarray(R2),
            np.ascontiguousarray(t_s, dtype=float),
            mu_f,
            np.ascontiguousarray(pro_b),
        )
    if not (np.all(np.isfinite(v1)) and np.all(np.isfinite(v2))):
        raise ValueError("lambert: no finite solution (time of flight far outside physical range)")
    if n_batch is None:
        return v1[0], v2[0]
    return v1, v2


def _lambert_batch(
    R1: FloatArray, R2: FloatArray, t_s: FloatArray, mu_f: float, pro_b: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """Izzo's zero-revolution solve on validated (N, 3) inputs: the NumPy reference of the
    compiled :func:`glasnost.physics.kepler_kernel.lambert_rows` that :func:`lambert` runs."""
    r1n = _norm(R1)
    r2n = _norm(R2)
    chord = _norm(R2 - R1)
    s = 0.5 * (r1n + r2n + chord)
    ir1 = R1 / r1n[:, None]
    ir2 = R2 / r2n[:, None]

    cross = np.cross(ir1, ir2)
    sin_theta = _norm(cross)
    degenerate = sin_theta < _DEGENERATE_SIN
    ih = np.empty_like(cross)
    ok = ~degenerate
    ih[ok] = cross[ok] / sin_theta[ok, None]
    if np.any(degenerate):
        u = ir1[degenerate]
        ref = np.zeros_like(u)
        ref[:, 2] = 1.0
        normal = ref - u[:, 2:3] * u
        polar = _norm(normal) < 1e-6
        if np.any(polar):  # r1 on the z-axis: take the plane normal closest to +x instead
            ref_x = np.zeros_like(u[polar])
            ref_x[:, 0] = 1.0
            normal[polar] = ref_x - u[polar, 0:1] * u[polar]
        ih[degenerate] = normal / _norm(normal)[:, None]

    # Short way (|theta| < 180 deg) when its angular momentum has the requested z sign.
    short = (ih[:, 2] >= 0.0) == pro_b
    h_dir = np.where(short[:, None], ih, -ih)
    it1 = np.cross(h_dir, ir1)
    it1 /= _norm(it1)[:, None]
    it2 = np.cross(h_dir, ir2)
    it2 /= _norm(it2)[:, None]

    sqrt_r1r2 = np.sqrt(r1n * r2n)
    lam_abs = np.minimum(sqrt_r1r2 * _norm(ir1 + ir2) / (2.0 * s), 1.0)  # cos(theta/2) form
    lam = np.where(short, lam_abs, -lam_abs)
    sigma = np.minimum(sqrt_r1r2 * _norm(ir2 - ir1) / chord, 1.0)  # sqrt(1 - rho^2)
    rho = (r1n - r2n) / chord
    t_nd = np.sqrt(2.0 * mu_f / s**3) * t_s

    x = _solve_x(t_nd, lam)

    y = np.sqrt(1.0 - lam * lam * (1.0 - x * x))
    gamma = np.sqrt(mu_f * s / 2.0)
    vr1 = gamma * ((lam * y - x) - rho * (lam * y + x)) / r1n
    vr2 = -gamma * ((lam * y - x) + rho * (lam * y + x)) / r2n
    vt = gamma * sigma * (y + lam * x)
    v1 = vr1[:, None] * ir1 + (vt / r1n)[:, None] * it1
    v2 = vr2[:, None] * ir2 + (vt / r2n)[:, None] * it2
    return v1, v2
