"""The compiled flight integrators: RK4 steps of the boost (:func:`fly_segment`), of reentry
(:func:`reentry_step`) and of a coast with drag (:func:`drag_coast_steps`), row by row.

The boost has the same equations of motion and the same RK4 (Nystrom form) as
:meth:`glasnost.physics.rocket.BoostProblem.acceleration` and ``rocket._rk4_step``, which stay
as the NumPy reference: J2 gravity (:mod:`glasnost.physics.gravity`), the tabulated US76
atmosphere (:func:`glasnost.physics.atmosphere.properties_tabulated`), thrust with the nozzle
back-pressure loss, drag on the air-relative velocity with the drag curve interpolated on
``MACH_GRID`` as ``np.interp`` does, and the steering of the vertical rise, the pitch-over and
the gravity turn. NumPy evaluates every step as some 60 array operations on all rows; here
each row is one scalar loop, which removes the per-operation cost that dominates for the
batch sizes targeting flies (tens to thousands of rows). Reentry (J2 gravity and the drag of a
reentry vehicle, :class:`glasnost.physics.coast.ReentryVehicle`) and the coast with drag of a
kill vehicle (:class:`glasnost.defense.coast_drag.CoastDrag`) share the gravity and the
atmosphere. Results agree with the NumPy references to rounding (tested).

All quantities SI; states component-first, as in :mod:`glasnost.physics.rocket`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from glasnost.physics import atmosphere
from glasnost.physics.compiled import kernel
from glasnost.physics.constants import EarthModel
from glasnost.physics.vehicle import MACH_GRID

FloatArray = NDArray[np.float64]

STEER_VERTICAL, STEER_PITCH_OVER, STEER_GRAVITY_TURN = 0, 1, 2

State = tuple[float, float, float, float, float, float]
"""One row's position and velocity (x, y, z, vx, vy, vz), m and m/s."""


def earth_parameters(earth: EarthModel) -> FloatArray:
    """The Earth model as the kernel reads it: [a, b, flattening, rotation, J2, mu] (SI)."""
    return np.array(
        [
            earth.equatorial_radius_m,
            earth.polar_radius_m,
            earth.flattening,
            earth.rotation_rad_s,
            earth.j2,
            earth.mu,
        ]
    )


def atmosphere_table() -> FloatArray:
    """The tabulated atmosphere as rows [ln rho, its slope, sound speed, its slope] (4, M)."""
    return np.ascontiguousarray(
        np.stack(
            [
                atmosphere._LOG_RHO,
                atmosphere._LOG_RHO_SLOPE,
                atmosphere._SOUND,
                atmosphere._SOUND_SLOPE,
            ]
        )
    )


ATMOSPHERE = atmosphere_table()
"""The tabulated atmosphere as the kernels read it (computed once)."""

MACH = np.asarray(MACH_GRID, dtype=float)
"""The Mach grid of the drag curves as the kernels read it."""


@kernel
def _interp(x: float, xp: FloatArray, fp: FloatArray) -> float:
    """``np.interp`` for one point (its arithmetic and its clamping at both ends)."""
    n = xp.size
    if x >= xp[n - 1]:
        return fp[n - 1]
    if x < xp[0]:
        return fp[0]
    j = np.searchsorted(xp, x, side="right") - 1
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return slope * (x - xp[j]) + fp[j]


@kernel
def gravity(x: float, y: float, z: float, earth: FloatArray) -> tuple[float, float, float]:
    """Point-mass plus J2 gravity (m/s^2) at (x, y, z) (m), as
    :func:`glasnost.physics.gravity.acceleration_components`."""
    a_eq, j2, mu = earth[0], earth[4], earth[5]
    r2 = x * x + y * y + z * z
    k = -mu / (r2 * math.sqrt(r2))
    if j2 == 0.0:
        return x * k, y * k, z * k
    c = 1.5 * j2 * a_eq**2 / r2
    z2r2 = 5.0 * z * z / r2
    kxy = k * (1.0 + c * (1.0 - z2r2))
    return x * kxy, y * kxy, z * kxy + (2.0 * c * k) * z


@kernel
def air(x: float, y: float, z: float, earth: FloatArray, atm: FloatArray) -> tuple[float, float]:
    """Density (kg/m^3) and speed of sound (m/s) at (x, y, z) (m): the height above the
    ellipsoid of :func:`glasnost.physics.rocket.approximate_altitude` and the tabulated
    atmosphere of :func:`glasnost.physics.atmosphere.properties_tabulated`."""
    a_eq, b_pol, flattening = earth[0], earth[1], earth[2]
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    if flattening == 0.0:
        alt = rn - a_eq
    else:
        s2 = z * z / r2
        alt = rn - a_eq * b_pol / math.sqrt(b_pol * b_pol + (a_eq * a_eq - b_pol * b_pol) * s2)
    return tabulated_air(alt, atm)


@kernel
def tabulated_air(alt: float, atm: FloatArray) -> tuple[float, float]:
    """Density (kg/m^3) and speed of sound (m/s) at height ``alt`` (m) from the table of
    :func:`atmosphere_table` (:func:`glasnost.physics.atmosphere.properties_tabulated`)."""
    size = atm.shape[1]
    u = (alt - atmosphere._LOWEST) * (1.0 / atmosphere._TABLE_STEP)
    u = min(max(u, 0.0), size - 1.000001)
    m = int(u)
    w = u - m
    return math.exp(atm[0, m] + w * atm[1, m]), atm[2, m] + w * atm[3, m]


@kernel
def _acceleration(
    t: float,
    s: State,
    i: int,
    steer: int,
    seg: FloatArray,
    cd: FloatArray,
    steering: FloatArray,
    earth: FloatArray,
    drag_on: bool,
    gravity_on: bool,
    mach_grid: FloatArray,
    atm: FloatArray,
) -> tuple[float, float, float]:
    """Acceleration (m/s^2) of row ``i`` at time ``t`` (s) and state ``s`` (m, m/s)."""
    x, y, z, vx, vy, vz = s
    omega = earth[3]
    ax = ay = az = 0.0
    if gravity_on:
        ax, ay, az = gravity(x, y, z, earth)
    rho, sound = air(x, y, z, earth, atm)
    # Air-relative velocity, v - omega x r.
    wx, wy, wz = vx + omega * y, vy - omega * x, vz
    speed_air = math.sqrt(wx * wx + wy * wy + wz * wz)
    ignition_s, ignition_mass, mass_flow, thrust_vac, exit_area, ref_area = (
        seg[0, i],
        seg[1, i],
        seg[2, i],
        seg[3, i],
        seg[4, i],
        seg[5, i],
    )
    mass = ignition_mass - mass_flow * (t - ignition_s)
    pressure = rho * sound * sound * (1.0 / atmosphere.GAMMA)
    thrust_per_mass = (thrust_vac - pressure * exit_area) / mass
    drag = 0.0
    if drag_on:
        c_d = _interp(speed_air / sound, mach_grid, cd[i])
        drag = (0.5 * ref_area) * rho * speed_air * c_d / mass
    if steer == STEER_GRAVITY_TURN:
        along = thrust_per_mass / max(speed_air, 1e-9) - drag
        return ax + along * wx, ay + along * wy, az + along * wz
    # Vertical rise and pitch-over: the ellipsoid normal tilted towards the azimuth.
    a_eq, b_pol = earth[0], earth[1]
    ux, uy, uz = x / (a_eq * a_eq), y / (a_eq * a_eq), z / (b_pol * b_pol)
    un = math.sqrt(ux * ux + uy * uy + uz * uz)
    ux, uy, uz = ux / un, uy / un, uz / un
    dx, dy, dz = ux, uy, uz
    if steer != STEER_VERTICAL:
        azimuth, kick, rise, pitch = steering[0, i], steering[1, i], steering[2, i], steering[3, i]
        rho_xy = math.hypot(x, y)
        ex, ey, ez = -y / rho_xy, x / rho_xy, 0.0
        nx, ny, nz = uy * ez - uz * ey, uz * ex - ux * ez, ux * ey - uy * ex
        ca, sa = math.cos(azimuth), math.sin(azimuth)
        hx, hy, hz = ca * nx + sa * ex, ca * ny + sa * ey, ca * nz + sa * ez
        theta = kick * min(max((t - rise) / pitch, 0.0), 1.0)
        ct, st = math.cos(theta), math.sin(theta)
        dx, dy, dz = ct * ux + st * hx, ct * uy + st * hy, ct * uz + st * hz
    return (
        ax + (thrust_per_mass * dx - drag * wx),
        ay + (thrust_per_mass * dy - drag * wy),
        az + (thrust_per_mass * dz - drag * wz),
    )


@kernel
def _second_stage(s: State, half: float, a1: tuple[float, float, float]) -> State:
    """The state at which RK4 (Nystrom) evaluates its second stage."""
    x, y, z, vx, vy, vz = s
    return (
        x + half * vx,
        y + half * vy,
        z + half * vz,
        vx + half * a1[0],
        vy + half * a1[1],
        vz + half * a1[2],
    )


@kernel
def _third_stage(
    s: State, half: float, a1: tuple[float, float, float], a2: tuple[float, float, float]
) -> State:
    """The state of the third stage (the second's position moved by ``half**2 * a1``)."""
    x, y, z, vx, vy, vz = s
    hh = half * half
    return (
        x + half * vx + hh * a1[0],
        y + half * vy + hh * a1[1],
        z + half * vz + hh * a1[2],
        vx + half * a2[0],
        vy + half * a2[1],
        vz + half * a2[2],
    )


@kernel
def _fourth_stage(
    s: State, hi: float, half: float, a2: tuple[float, float, float], a3: tuple[float, float, float]
) -> State:
    """The state of the fourth stage, at the end of the step."""
    x, y, z, vx, vy, vz = s
    hhalf = half * hi
    return (
        x + hi * vx + hhalf * a2[0],
        y + hi * vy + hhalf * a2[1],
        z + hi * vz + hhalf * a2[2],
        vx + hi * a3[0],
        vy + hi * a3[1],
        vz + hi * a3[2],
    )


@kernel
def _advance(
    s: State,
    hi: float,
    a1: tuple[float, float, float],
    a2: tuple[float, float, float],
    a3: tuple[float, float, float],
    a4: tuple[float, float, float],
) -> State:
    """The state after one RK4 (Nystrom) step of ``hi`` seconds from the stages' accelerations."""
    x, y, z, vx, vy, vz = s
    c6 = hi * hi / 6.0
    s6 = hi / 6.0
    return (
        x + hi * vx + c6 * (a1[0] + a2[0] + a3[0]),
        y + hi * vy + c6 * (a1[1] + a2[1] + a3[1]),
        z + hi * vz + c6 * (a1[2] + a2[2] + a3[2]),
        vx + s6 * (a1[0] + 2.0 * (a2[0] + a3[0]) + a4[0]),
        vy + s6 * (a1[1] + 2.0 * (a2[1] + a3[1]) + a4[1]),
        vz + s6 * (a1[2] + 2.0 * (a2[2] + a3[2]) + a4[2]),
    )


@kernel
def fly_segment(
    t_a: FloatArray,
    h: FloatArray,
    n_steps: int,
    steer: int,
    r: FloatArray,
    v: FloatArray,
    r_nodes: FloatArray,
    v_nodes: FloatArray,
    node: int,
    seg: FloatArray,
    cd: FloatArray,
    steering: FloatArray,
    earth: FloatArray,
    drag_on: bool,
    gravity_on: bool,
    mach_grid: FloatArray,
    atm: FloatArray,
) -> None:
    """``n_steps`` RK4 steps of length ``h`` (N,) from times ``t_a`` (N,) and states ``r``,
    ``v`` (3, N); the states after each step go to ``r_nodes[node + 1 + step]`` (K, 3, N), and
    likewise ``v_nodes``; ``r`` and ``v`` are left at the segment's end.

    ``seg`` (6, N): ignition time, ignition mass, mass flow, vacuum thrust (0 where the row
    does not thrust), nozzle exit area, reference area; ``cd`` (N, G) drag curves on
    ``mach_grid``; ``steering`` (4, N): azimuth and kick (rad), vertical rise and pitch-over
    durations (s); ``earth`` from :func:`earth_parameters`; ``atm`` from
    :func:`atmosphere_table`.

    Rows go two at a time, their RK4 stages interleaved: a stage's acceleration is a long
    chain of dependent operations (square roots, divisions, an exponential), and two rows'
    independent chains side by side let the processor overlap some of them (measured on 2,000
    Minuteman III boosts: 43.4-45.4 us a row against 48.2-48.4 us one row at a time, three
    alternating runs). Each row's arithmetic is that of one row
    alone, operation for operation, so the results do not depend on the pairing (an odd last
    row is paired with itself).
    """
    args = (steer, seg, cd, steering, earth, drag_on, gravity_on, mach_grid, atm)
    n = r.shape[1]
    for first in range(0, n, 2):
        ia, ib = first, min(first + 1, n - 1)
        sa = (r[0, ia], r[1, ia], r[2, ia], v[0, ia], v[1, ia], v[2, ia])
        sb = (r[0, ib], r[1, ib], r[2, ib], v[0, ib], v[1, ib], v[2, ib])
        ha, hb = h[ia], h[ib]
        half_a, half_b = 0.5 * ha, 0.5 * hb
        for step in range(n_steps):
            ta, tb = t_a[ia] + step * ha, t_a[ib] + step * hb
            a1a = _acceleration(ta, sa, ia, *args)
            a1b = _acceleration(tb, sb, ib, *args)
            a2a = _acceleration(ta + half_a, _second_stage(sa, half_a, a1a), ia, *args)
            a2b = _acceleration(tb + half_b, _second_stage(sb, half_b, a1b), ib, *args)
            a3a = _acceleration(ta + half_a, _third_stage(sa, half_a, a1a, a2a), ia, *args)
            a3b = _acceleration(tb + half_b, _third_stage(sb, half_b, a1b, a2b), ib, *args)
            a4a = _acceleration(ta + ha, _fourth_stage(sa, ha, half_a, a2a, a3a), ia, *args)
            a4b = _acceleration(tb + hb, _fourth_stage(sb, hb, half_b, a2b, a3b), ib, *args)
            sa = _advance(sa, ha, a1a, a2a, a3a, a4a)
            sb = _advance(sb, hb, a1b, a2b, a3b, a4b)
            k = node + 1 + step
            for c in range(3):
                r_nodes[k, c, ia], v_nodes[k, c, ia] = sa[c], sa[3 + c]
                r_nodes[k, c, ib], v_nodes[k, c, ib] = sb[c], sb[3 + c]
        for c in range(3):
            r[c, ia], v[c, ia] = sa[c], sa[3 + c]
            r[c, ib], v[c, ib] = sb[c], sb[3 + c]


@kernel
def accelerations(
    t: FloatArray,
    r: FloatArray,
    v: FloatArray,
    segment: NDArray[np.intp],
    row: NDArray[np.intp],
    steers: NDArray[np.intp],
    seg: FloatArray,
    cd: FloatArray,
    steering: FloatArray,
    earth: FloatArray,
    drag_on: bool,
    gravity_on: bool,
    mach_grid: FloatArray,
    atm: FloatArray,
) -> FloatArray:
    """Accelerations (3, P) (m/s^2) at P points: times ``t`` (P,) and states ``r``, ``v``
    (3, P), point i of boost row ``row[i]`` in its segment ``segment[i]``: ``steers`` (S,),
    ``seg`` (S, 6, N) and ``cd`` (S, N, G) hold each segment's steering mode and parameters
    per row as in :func:`fly_segment`, ``steering`` (4, N) the rows' steering."""
    n = r.shape[1]
    out = np.empty((3, n))
    for i in range(n):
        s = segment[i]
        out[0, i], out[1, i], out[2, i] = _acceleration(
            t[i],
            (r[0, i], r[1, i], r[2, i], v[0, i], v[1, i], v[2, i]),
            row[i],
            steers[s],
            seg[s],
            cd[s],
            steering,
            earth,
            drag_on,
            gravity_on,
            mach_grid,
            atm,
        )
    return out


@kernel
def reentry_step(
    r: FloatArray,
    v: FloatArray,
    h: FloatArray,
    beta_kg_m2: FloatArray,
    earth: FloatArray,
    atm: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """One RK4 (Nystrom) step of length ``h`` (N,) s from states ``r``, ``v`` (3, N) under J2
    gravity and the drag of reentry vehicles of ballistic coefficient ``beta_kg_m2`` (N,)
    (:class:`glasnost.physics.coast.ReentryVehicle`, stepped as ``coast._rk4``); returns the
    new states (3, N)."""
    n = r.shape[1]
    r_new = np.empty((3, n))
    v_new = np.empty((3, n))
    for i in range(n):
        out = rk4_reentry(
            r[0, i], r[1, i], r[2, i], v[0, i], v[1, i], v[2, i], h[i], beta_kg_m2[i], earth, atm
        )
        for c in range(3):
            r_new[c, i] = out[c]
            v_new[c, i] = out[3 + c]
    return r_new, v_new


@kernel
def rk4_reentry(
    x: float,
    y: float,
    z: float,
    vx: float,
    vy: float,
    vz: float,
    hi: float,
    beta: float,
    earth: FloatArray,
    atm: FloatArray,
) -> tuple[float, float, float, float, float, float]:
    """One RK4 (Nystrom) step of length ``hi`` (s) of one reentry vehicle (:func:`reentry_step`
    for one row): the new position and velocity (SI)."""
    half = 0.5 * hi
    a1x, a1y, a1z = _reentry_acceleration(x, y, z, vx, vy, vz, beta, earth, atm)
    rvx, rvy, rvz = x + half * vx, y + half * vy, z + half * vz
    a2x, a2y, a2z = _reentry_acceleration(
        rvx, rvy, rvz, vx + half * a1x, vy + half * a1y, vz + half * a1z, beta, earth, atm
    )
    hh = half * half
    a3x, a3y, a3z = _reentry_acceleration(
        rvx + hh * a1x,
        rvy + hh * a1y,
        rvz + hh * a1z,
        vx + half * a2x,
        vy + half * a2y,
        vz + half * a2z,
        beta,
        earth,
        atm,
    )
    hhalf = half * hi
    a4x, a4y, a4z = _reentry_acceleration(
        x + hi * vx + hhalf * a2x,
        y + hi * vy + hhalf * a2y,
        z + hi * vz + hhalf * a2z,
        vx + hi * a3x,
        vy + hi * a3y,
        vz + hi * a3z,
        beta,
        earth,
        atm,
    )
    c6 = hi * hi / 6.0
    s6 = hi / 6.0
    return (
        x + hi * vx + c6 * (a1x + a2x + a3x),
        y + hi * vy + c6 * (a1y + a2y + a3y),
        z + hi * vz + c6 * (a1z + a2z + a3z),
        vx + s6 * (a1x + 2.0 * (a2x + a3x) + a4x),
        vy + s6 * (a1y + 2.0 * (a2y + a3y) + a4y),
        vz + s6 * (a1z + 2.0 * (a2z + a3z) + a4z),
    )


@kernel
def _reentry_acceleration(
    x: float,
    y: float,
    z: float,
    vx: float,
    vy: float,
    vz: float,
    beta: float,
    earth: FloatArray,
    atm: FloatArray,
) -> tuple[float, float, float]:
    """J2 gravity and the drag of a reentry vehicle (m/s^2), as ``ReentryVehicle.__call__``."""
    omega = earth[3]
    gx, gy, gz = gravity(x, y, z, earth)
    rho, _ = air(x, y, z, earth, atm)
    wx, wy, wz = vx + omega * y, vy - omega * x, vz
    k = 0.5 * rho * math.sqrt(wx * wx + wy * wy + wz * wz) / beta
    return gx - k * wx, gy - k * wy, gz - k * wz


@kernel
def drag_coast_steps(
    r: FloatArray,
    v: FloatArray,
    h: float,
    steps: int,
    drag_per_mass_m2_kg: float,
    cd: FloatArray,
    earth: FloatArray,
    mach_grid: FloatArray,
    atm: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """``steps`` RK4 (Nystrom) steps of ``h`` s from states ``r``, ``v`` (3, N) under gravity
    and drag in still air: deceleration ``drag_per_mass_m2_kg`` (0.5 A / m) rho |v| Cd(Mach) v,
    the density at |r| less the equatorial radius (a sphere), ``cd`` on ``mach_grid``
    (:class:`glasnost.defense.coast_drag.CoastDrag`, stepped as ``coast_drag._rk4``)."""
    n = r.shape[1]
    r_new = np.empty((3, n))
    v_new = np.empty((3, n))
    half = 0.5 * h
    hh = half * half
    hhalf = half * h
    c6 = h * h / 6.0
    s6 = h / 6.0
    args = (drag_per_mass_m2_kg, cd, earth, mach_grid, atm)
    for i in range(n):
        x, y, z = r[0, i], r[1, i], r[2, i]
        vx, vy, vz = v[0, i], v[1, i], v[2, i]
        for _ in range(steps):
            a1x, a1y, a1z = _drag_acceleration(x, y, z, vx, vy, vz, *args)
            rvx, rvy, rvz = x + half * vx, y + half * vy, z + half * vz
            a2x, a2y, a2z = _drag_acceleration(
                rvx, rvy, rvz, vx + half * a1x, vy + half * a1y, vz + half * a1z, *args
            )
            a3x, a3y, a3z = _drag_acceleration(
                rvx + hh * a1x,
                rvy + hh * a1y,
                rvz + hh * a1z,
                vx + half * a2x,
                vy + half * a2y,
                vz + half * a2z,
                *args,
            )
            a4x, a4y, a4z = _drag_acceleration(
                x + h * vx + hhalf * a2x,
                y + h * vy + hhalf * a2y,
                z + h * vz + hhalf * a2z,
                vx + h * a3x,
                vy + h * a3y,
                vz + h * a3z,
                *args,
            )
            x, y, z = (
                x + h * vx + c6 * (a1x + a2x + a3x),
                y + h * vy + c6 * (a1y + a2y + a3y),
                z + h * vz + c6 * (a1z + a2z + a3z),
            )
            vx = vx + s6 * (a1x + 2.0 * (a2x + a3x) + a4x)
            vy = vy + s6 * (a1y + 2.0 * (a2y + a3y) + a4y)
            vz = vz + s6 * (a1z + 2.0 * (a2z + a3z) + a4z)
        r_new[0, i], r_new[1, i], r_new[2, i] = x, y, z
        v_new[0, i], v_new[1, i], v_new[2, i] = vx, vy, vz
    return r_new, v_new


@kernel
def _drag_acceleration(
    x: float,
    y: float,
    z: float,
    vx: float,
    vy: float,
    vz: float,
    drag_per_mass_m2_kg: float,
    cd: FloatArray,
    earth: FloatArray,
    mach_grid: FloatArray,
    atm: FloatArray,
) -> tuple[float, float, float]:
    """Gravity and still-air drag (m/s^2), as ``CoastDrag.acceleration``."""
    gx, gy, gz = gravity(x, y, z, earth)
    rho, sound = tabulated_air(math.sqrt(x * x + y * y + z * z) - earth[0], atm)
    speed = math.sqrt(vx * vx + vy * vy + vz * vz)
    k = drag_per_mass_m2_kg * (rho * speed * _interp(speed / sound, mach_grid, cd))
    return gx - k * vx, gy - k * vy, gz - k * vz
