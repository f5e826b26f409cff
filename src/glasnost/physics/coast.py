"""Free flight between burnout and reentry: the analytic Kepler coast (default), a numerical
coast with J2 gravity (option), and the drag-affected marching integrator shared with reentry.

States are ECI, SI units, batched along the first axis ((N, 3) positions); the marching
integrator works component-first internally, like :mod:`glasnost.physics.rocket`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glasnost.errors import PhysicsError
from glasnost.physics import atmosphere, flight_kernels
from glasnost.physics.constants import EarthModel
from glasnost.physics.frames import altitude
from glasnost.physics.gravity import acceleration_components
from glasnost.physics.kepler import propagate
from glasnost.physics.rocket import air_velocity, approximate_altitude, hermite
from glasnost.physics.rows import Rows, join_padded, join_rows

FloatArray = NDArray[np.float64]
Acceleration = Callable[[FloatArray, FloatArray, NDArray[np.intp]], FloatArray]
"""a(r, v, rows) for component-first states (3, M) of the batch rows ``rows`` (M,) -> (3, M)."""

_NEWTON_ITERATIONS = 6


def ellipsoid_normal(r: FloatArray, earth: EarthModel) -> FloatArray:
    """Unit outward normals (N, 3) of the ellipsoid family through positions ``r`` (N, 3):
    the direction in which the geodetic height grows fastest."""
    a2, b2 = earth.equatorial_radius_m**2, earth.polar_radius_m**2
    n = r / np.array([a2, a2, b2])
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


def time_to_radius(r0: FloatArray, v0: FloatArray, radius_m: FloatArray, mu: float) -> FloatArray:
    """Time (s) from states (N, 3) until the two-body orbit descends through ``radius_m`` (N,).

    Elliptic orbits only; NaN where the orbit never reaches that radius while descending
    (apogee below it, or not bound). From the eccentric anomaly: e cos E = 1 - r/a,
    e sin E = r v_r / sqrt(mu a), the descending crossing at E = 2 pi - arccos((1 - r/a) / e).
    """
    rn = np.linalg.norm(r0, axis=-1)
    vr = np.einsum("ij,ij->i", r0, v0) / rn
    energy = 0.5 * np.einsum("ij,ij->i", v0, v0) - mu / rn
    bound = energy < 0.0
    a = np.where(bound, -mu / (2.0 * np.where(bound, energy, -1.0)), np.nan)
    sqrt_mu_a = np.sqrt(mu * a)
    ecos0, esin0 = 1.0 - rn / a, rn * vr / sqrt_mu_a
    e = np.hypot(ecos0, esin0)
    e0 = np.mod(np.arctan2(esin0, ecos0), 2.0 * np.pi)
    cos1 = (1.0 - radius_m / a) / e
    reachable = np.abs(cos1) <= 1.0
    e1 = 2.0 * np.pi - np.arccos(np.where(reachable, cos1, np.nan))
    # A state already descending below the radius has passed the crossing: next revolution.
    e1 = np.where(e1 < e0, e1 + 2.0 * np.pi, e1)
    mean_motion = np.sqrt(mu / a**3)
    return ((e1 - e * np.sin(e1)) - (e0 - esin0)) / mean_motion


def kepler_time_to_altitude(
    r0: FloatArray, v0: FloatArray, altitude_m: float, earth: EarthModel
) -> FloatArray:
    """Time (s) until the Kepler coast from (r0, v0) descends through a geodetic height.

    A conic first guess at the local radius, then Newton iterations on the exact geodetic
    height of the propagated state (rate = ellipsoid normal . velocity; the ellipsoid is
    symmetric about the spin axis, so heights are the same in ECI and ECEF). NaN where the
    coast never comes down through that height.
    """
    local_radius = np.linalg.norm(r0, axis=-1) - altitude(r0, earth)
    t = time_to_radius(r0, v0, local_radius + altitude_m, earth.mu)
    ok = np.isfinite(t)
    if not np.any(ok):
        return t
    r0k, v0k, tk = r0[ok], v0[ok], t[ok]
    for _ in range(_NEWTON_ITERATIONS):
        r, v = propagate(r0k, v0k, tk, mu=earth.mu)
        rate = np.einsum("ij,ij->i", ellipsoid_normal(r, earth), v)
        step = (altitude(r, earth) - altitude_m) / rate
        tk = tk - step
        if np.all(np.abs(step) < 1e-7):
            break
    t[ok] = tk
    return t


class NoImpactError(PhysicsError, ArithmeticError):
    """A flight that does not come back down: an orbital burnout speed, or a descent beyond
    the time limit."""


@dataclass(frozen=True)
class GravityOnly:
    """Vacuum coast with the model's gravity (J2 on WGS84): a(r, v, rows)."""

    earth: EarthModel

    def __call__(self, r: FloatArray, v: FloatArray, rows: NDArray[np.intp]) -> FloatArray:
        return acceleration_components(r, self.earth)

    def take(self, rows: NDArray[np.intp] | NDArray[np.bool_]) -> GravityOnly:
        return self

    def join(self, parts: Sequence[Dynamics], rows: Rows) -> GravityOnly:
        return self


@dataclass(frozen=True)
class ReentryVehicle:
    """Gravity plus the drag of reentry vehicles of ballistic coefficient m/(Cd A) = beta
    (kg/m^2, one per batch row): a(r, v, rows) for the batch rows ``rows``."""

    earth: EarthModel
    beta_kg_m2: FloatArray

    def __call__(self, r: FloatArray, v: FloatArray, rows: NDArray[np.intp]) -> FloatArray:
        acc = acceleration_components(r, self.earth)
        rho, _ = atmosphere.properties_tabulated(approximate_altitude(r, self.earth))
        v_air = air_velocity(r, v, self.earth)
        speed = np.sqrt(v_air[0] ** 2 + v_air[1] ** 2 + v_air[2] ** 2)
        acc -= (0.5 * rho * speed / self.beta_kg_m2[rows]) * v_air
        return acc

    def take(self, rows: NDArray[np.intp] | NDArray[np.bool_]) -> ReentryVehicle:
        return ReentryVehicle(self.earth, self.beta_kg_m2[rows])

    def join(self, parts: Sequence[Dynamics], rows: Rows) -> ReentryVehicle:
        betas = [p.beta_kg_m2 for p in parts if isinstance(p, ReentryVehicle)]
        return ReentryVehicle(self.earth, join_rows(betas, rows))


Dynamics = GravityOnly | ReentryVehicle

MAX_MARCH_S = 7200.0
"""Longest arc (s) a march may take before it is an error (the state never comes down)."""


@dataclass(frozen=True)
class MarchResult:
    """States at the nodes of a marched arc, (N, K) times and (N, K, 3) states; each row's
    nodes after its end repeat the end state. ``end_s`` is when each row crossed the height."""

    t: FloatArray
    r: FloatArray
    v: FloatArray
    end_s: FloatArray
    accel: Dynamics

    def take(self, rows: NDArray[np.intp] | NDArray[np.bool_]) -> MarchResult:
        """The arcs of the selected rows (a boolean mask or indices)."""
        return MarchResult(
            self.t[rows], self.r[rows], self.v[rows], self.end_s[rows], self.accel.take(rows)
        )

    @staticmethod
    def concat(arcs: Sequence[MarchResult], rows: Rows = None) -> MarchResult:
        """Rows of several arcs, padded to the longest node list (last node repeated); see
        :func:`glasnost.physics.rocket.join_rows` for ``rows``."""
        k = max(a.t.shape[1] for a in arcs)
        return MarchResult(
            join_padded([a.t for a in arcs], rows, k, pad_axis=1),
            join_padded([a.r for a in arcs], rows, k, pad_axis=1),
            join_padded([a.v for a in arcs], rows, k, pad_axis=1),
            join_rows([a.end_s for a in arcs], rows),
            arcs[0].accel.join([a.accel for a in arcs], rows),
        )

    def state_at(
        self, t_s: FloatArray, rows: NDArray[np.intp] | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Cubic Hermite interpolation (P, 3) at times ``t_s`` (P,) on the arc of row
        ``rows[i]`` (default: every row at its own time, P = N), with the exact accelerations of
        the arc's equations of motion at both nodes."""
        k = self.t.shape[1]
        rows = np.arange(self.t.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
        t_rows = self.t[rows]
        tq = np.clip(t_s, t_rows[:, 0], self.end_s[rows])
        j = np.clip(np.sum(t_rows[:, 1:] < tq[:, None], axis=1), 0, k - 2)
        t0, t1 = self.t[rows, j], self.t[rows, j + 1]
        r0, r1 = self.r[rows, j].T, self.r[rows, j + 1].T
        v0, v1 = self.v[rows, j].T, self.v[rows, j + 1].T
        h = t1 - t0
        x = np.where(h > 0.0, (tq - t0) / np.where(h > 0.0, h, 1.0), 0.0)
        r = hermite(r0, r1, v0 * h, v1 * h, x)
        v = hermite(v0, v1, self.accel(r0, v0, rows) * h, self.accel(r1, v1, rows) * h, x)
        return r.T, v.T


def march_to_altitude(
    accel: Dynamics,
    t0: FloatArray,
    r0: FloatArray,
    v0: FloatArray,
    altitude_m: float,
    earth: EarthModel,
    step: Callable[[FloatArray, FloatArray, NDArray[np.intp]], FloatArray],
    active: NDArray[np.bool_] | None = None,
    max_time_s: float = MAX_MARCH_S,
) -> MarchResult:
    """Integrate (RK4) N states from times ``t0`` until each descends through ``altitude_m``.

    ``step(r, v, rows)`` gives each row's next step length (s) from its component-first state, so
    steps can shrink where drag grows. The final step of each row is solved (regula falsi on
    the step length) to land on the height to a millimetre. Rows stop independently; rows not
    in ``active`` do not move (their arc is the single starting node).
    """
    n = len(t0)
    moving = np.ones(n, dtype=bool) if active is None else active.copy()
    # Nodes are kept sparse (row index, time, state of the rows still moving at each step) and
    # assembled per row at the end; the state arrays hold only the moving rows.
    node_rows, node_t, node_r, node_v = [np.arange(n)], [t0.astype(float)], [r0.T], [v0.T]
    idx = np.flatnonzero(moving)
    t = t0[idx].astype(float)
    r, v = np.ascontiguousarray(r0[idx].T), np.ascontiguousarray(v0[idx].T)
    end = t0.astype(float).copy()
    while idx.size:
        h = step(r, v, idx)
        rn, vn = _rk4(accel, r, v, h, idx)
        below = approximate_altitude(rn, earth) <= altitude_m
        if np.any(below):
            ib = idx[below]
            hb = _solve_final_step(accel, r[:, below], v[:, below], h[below], ib, altitude_m, earth)
            h[below] = hb
            rn[:, below], vn[:, below] = _rk4(accel, r[:, below], v[:, below], hb, ib)
        t = t + h
        node_rows.append(idx)
        node_t.append(t)
        node_r.append(rn)
        node_v.append(vn)
        if np.any(below):
            end[idx[below]] = t[below]
            keep = ~below
            idx, t, rn, vn = idx[keep], t[keep], rn[:, keep], vn[:, keep]
        r, v = rn, vn
        if idx.size and float(np.max(t - t0[idx])) > max_time_s:
            late = idx[t - t0[idx] > max_time_s]
            raise NoImpactError(
                f"did not come down within the time limit ({max_time_s:g} s)",
                where=f"row{'s' if late.size > 1 else ''} {', '.join(map(str, late[:5]))}"
                + (f" and {late.size - 5} more" if late.size > 5 else ""),
            )
    tt, rr, vv = _assemble(
        n,
        np.concatenate(node_rows),
        np.concatenate(node_t),
        np.concatenate(node_r, axis=1),
        np.concatenate(node_v, axis=1),
    )
    return MarchResult(tt, rr, vv, end, accel)


def _assemble(
    n: int, rows: NDArray[np.intp], t: FloatArray, r: FloatArray, v: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-row node arrays (N, K) and (N, K, 3) from chronological sparse nodes; each row is
    padded to K nodes by repeating its last one."""
    order = np.argsort(rows, kind="stable")  # chronological within each row
    rows, t, r, v = rows[order], t[order], r[:, order], v[:, order]
    r, v = np.ascontiguousarray(r.T), np.ascontiguousarray(v.T)
    counts = np.bincount(rows, minlength=n)
    k = int(counts.max())
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # Index of the node that fills slot (i, j): the row's j-th node, or its last one.
    slot = start[:, None] + np.minimum(np.arange(k)[None, :], counts[:, None] - 1)
    return t[slot], r[slot], v[slot]


def _solve_final_step(
    accel: Acceleration,
    r: FloatArray,
    v: FloatArray,
    h: FloatArray,
    rows: NDArray[np.intp],
    altitude_m: float,
    earth: EarthModel,
) -> FloatArray:
    """Step lengths (within (0, h]) whose RK4 step ends on ``altitude_m`` (secant/regula falsi)."""
    lo, hi = np.zeros_like(h), h.copy()
    f_lo = approximate_altitude(r, earth) - altitude_m
    f_hi = approximate_altitude(_rk4(accel, r, v, hi, rows)[0], earth) - altitude_m
    x = hi
    for _ in range(40):
        x = np.clip(lo - f_lo * (hi - lo) / (f_hi - f_lo), lo, hi)
        fx = approximate_altitude(_rk4(accel, r, v, x, rows)[0], earth) - altitude_m
        above = fx > 0.0
        lo, f_lo = np.where(above, x, lo), np.where(above, fx, f_lo)
        hi, f_hi = np.where(above, hi, x), np.where(above, f_hi, fx)
        if np.all(np.abs(fx) < 1e-3):
            break
    return x


def _rk4(
    accel: Acceleration, r: FloatArray, v: FloatArray, h: FloatArray, rows: NDArray[np.intp]
) -> tuple[FloatArray, FloatArray]:
    """One RK4 (Nystrom form) step of r'' = a(r, v), component-first states, per-row h: by
    the compiled :func:`glasnost.physics.flight_kernels.reentry_step` for reentry vehicles,
    else (and as its reference) by :func:`rk4_numpy`."""
    if isinstance(accel, ReentryVehicle):
        n = r.shape[1]
        return flight_kernels.reentry_step(
            np.ascontiguousarray(r, dtype=float),
            np.ascontiguousarray(v, dtype=float),
            np.ascontiguousarray(np.broadcast_to(h, (n,)), dtype=float),
            np.ascontiguousarray(accel.beta_kg_m2[rows], dtype=float),
            flight_kernels.earth_parameters(accel.earth),
            flight_kernels.ATMOSPHERE,
        )
    return rk4_numpy(accel, r, v, h, rows)


def rk4_numpy(
    accel: Acceleration, r: FloatArray, v: FloatArray, h: FloatArray, rows: NDArray[np.intp]
) -> tuple[FloatArray, FloatArray]:
    """One RK4 (Nystrom form) step of r'' = a(r, v) in NumPy, component-first states."""
    half = 0.5 * h
    a1 = accel(r, v, rows)
    rv = r + half * v
    a2 = accel(rv, v + half * a1, rows)
    a3 = accel(rv + (half * half) * a1, v + half * a2, rows)
    a4 = accel(r + h * v + (half * h) * a2, v + h * a3, rows)
    return r + h * v + (h * h / 6.0) * (a1 + a2 + a3), v + (h / 6.0) * (a1 + 2.0 * (a2 + a3) + a4)
