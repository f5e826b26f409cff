"""The kill vehicle's coast from burnout: Kepler, or with drag below 120 km.

Pure NumPy on SI arrays. :func:`coast_samples` samples the coasts of a fan of burnout states
(n, 3), launched from (R, 0, 0) towards +z in one vertical plane of a non-rotating sphere, every
``step_s`` from burnout: the Kepler coast (:func:`glasnost.physics.kepler.propagate`, all rows
in one batch), or with a :class:`CoastDrag` the coast with drag. The staged flyout tables
(:func:`glasnost.defense.flyout.staged_flyout_table`) fly their kill vehicles this way.

The staged model's kill vehicle coasts with drag below :data:`COAST_DRAG_CEILING_M` (120 km;
the table's ``coast_drag=False`` restores the vacuum Kepler coast, identical to the tables
before the drag): a :class:`CoastDrag` body -- by default the payload with the last stage's
cross-section and drag curve, an assumption; ``kill_vehicle_beta_kg_m2`` sets a constant
ballistic coefficient instead -- in the US 1976 atmosphere, integrated with RK4 on the
sample grid (sub-steps where drag is stiff: :data:`STEP_DRAG_RATE`), batched over the fan
in three legs: from a burnout below the ceiling until the flight climbs above it, Kepler
above it, and from the last sample above it down to the ground. Drag delays the points a
flight reaches on its way up from a low burnout (endo-atmospheric types: the 53T6 at
5-80 km, THAAD low in its band). Points reached only by a coast coming back down can be
reached sooner, because drag on the way up lowers the arc; and the fan's flat edge moves,
so nodes at the edge of the reach change. Above the ceiling, flights that burned out above
it are unchanged.

Accuracy. Against SciPy's DOP853 (rtol 1e-10) the coasts of the derived 53T6, THAAD and SM-3
IIA kill vehicles stay within 6 m of position at every sample
(tests/validation/test_flyout_validation.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glasnost.physics import atmosphere, flight_kernels, kepler
from glasnost.physics.constants import EarthModel
from glasnost.physics.gravity import acceleration_components
from glasnost.physics.vehicle import MACH_GRID, SLENDER_BODY_CD, Vehicle

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

__all__ = ["CoastDrag", "coast_samples"]

COAST_DRAG_CEILING_M = 120e3
"""Altitude (m) below which the kill vehicle's coast feels drag. The US 1976 density there is
about 2e-8 kg/m^3: a kill vehicle of 1,000 kg/m^2 at 7 km/s decelerates by 5e-7 m/s^2."""

STEP_DRAG_RATE = 0.1
"""Largest h lambda (1 + 3 h |v_r| / H) of one RK4 step of the coast with drag from burnout
(lambda: drag deceleration over speed; v_r: radial speed; H: :data:`DENSITY_SCALE_HEIGHT_M`):
each 2 s sample step is cut into as many equal sub-steps as the stiffest row needs. Errors
made here are carried through the whole coast."""

DESCENT_DRAG_RATE = 0.5
"""The same bound for the descent back into the atmosphere, which ends the flight: drag damps
velocity differences there, so a coarser step (still well inside RK4's stability limit,
h lambda < 2.78) changes the samples by centimetres (the accuracy this gives: module doc)."""

DENSITY_SCALE_HEIGHT_M = 7000.0
"""Density scale height of the lower atmosphere (m), for the step rule only."""


@dataclass(frozen=True)
class CoastDrag:
    """Drag on the kill vehicle's coast below ``ceiling_m`` (SI units).

    Deceleration 0.5 rho |v| Cd(Mach) A / m along -v: US 1976 density and speed of sound
    (:func:`glasnost.physics.atmosphere.properties_tabulated`) at |r| minus the sphere's
    radius, still air (the tables' sphere does not rotate), ``cd`` tabulated on
    :data:`~glasnost.physics.vehicle.MACH_GRID`."""

    mass_kg: float
    reference_area_m2: float
    cd: tuple[float, ...] = SLENDER_BODY_CD
    ceiling_m: float = COAST_DRAG_CEILING_M

    def __post_init__(self) -> None:
        if not (self.mass_kg > 0.0 and self.reference_area_m2 > 0.0 and self.ceiling_m > 0.0):
            raise ValueError("coast drag needs a positive mass, reference area and ceiling")
        if len(self.cd) != len(MACH_GRID) or min(self.cd) < 0.0:
            raise ValueError(f"the drag curve needs {len(MACH_GRID)} values >= 0 on MACH_GRID")

    @classmethod
    def kill_vehicle(cls, vehicle: Vehicle, beta_kg_m2: float | None = None) -> CoastDrag:
        """The coast drag of ``vehicle``'s kill vehicle. Default (an assumption): its payload
        with the last stage's cross-section and drag curve -- the body the boost integrator
        flies just before burnout, less the spent stage. With ``beta_kg_m2``: a constant
        ballistic coefficient m / (Cd A) (kg/m^2)."""
        if beta_kg_m2 is not None:
            if not beta_kg_m2 > 0.0:
                raise ValueError("the ballistic coefficient must be positive")
            return cls(float(beta_kg_m2), 1.0, (1.0,) * len(MACH_GRID))
        last = vehicle.stages[-1]
        return cls(vehicle.payload_kg, last.reference_area_m2, last.cd)

    def acceleration(self, r: FloatArray, v: FloatArray, earth: EarthModel) -> FloatArray:
        """Gravity plus drag (m/s^2) for component-first states ``r``, ``v`` (3, M)."""
        r2 = np.einsum("ij,ij->j", r, r)
        acc = acceleration_components(r, earth, r2)
        rho, sound = atmosphere.properties_tabulated(np.sqrt(r2) - earth.equatorial_radius_m)
        speed = np.sqrt(np.einsum("ij,ij->j", v, v))
        cd = np.interp(speed / sound, MACH_GRID, self.cd)
        acc -= (0.5 * self.reference_area_m2 / self.mass_kg) * (rho * speed * cd) * v
        return acc

    def _rate(self, r: FloatArray, v: FloatArray, h: float, earth: EarthModel) -> FloatArray:
        """Step-length measure (1/s) of each row for steps of ``h`` (s): the drag deceleration
        over speed at the lowest height the row can reach within h (its height less h times
        its sink rate), raised by the change of density over the step,
        lambda (1 + 3 h |v_r| / H) with H = :data:`DENSITY_SCALE_HEIGHT_M`."""
        rn = np.sqrt(np.einsum("ij,ij->j", r, r))
        radial = np.einsum("ij,ij->j", r, v) / rn
        low = np.maximum(rn - earth.equatorial_radius_m + h * np.minimum(radial, 0.0), 0.0)
        rho, _ = atmosphere.properties_tabulated(low)
        speed = np.sqrt(np.einsum("ij,ij->j", v, v))
        drag = (0.5 * self.reference_area_m2 * max(self.cd) / self.mass_kg) * (rho * speed)
        rate: FloatArray = drag * (1.0 + 3.0 * h * np.abs(radial) / DENSITY_SCALE_HEIGHT_M)
        return rate


def _rk4(
    drag: CoastDrag, r: FloatArray, v: FloatArray, h: float, earth: EarthModel
) -> tuple[FloatArray, FloatArray]:
    """One classical RK4 step (Nystrom form) of r'' = a(r, v), states (3, M): the NumPy
    reference of :func:`glasnost.physics.flight_kernels.drag_coast_steps`, which the march
    runs."""
    half = 0.5 * h
    a1 = drag.acceleration(r, v, earth)
    rv = r + half * v
    a2 = drag.acceleration(rv, v + half * a1, earth)
    a3 = drag.acceleration(rv + (half * half) * a1, v + half * a2, earth)
    a4 = drag.acceleration(r + h * v + (half * h) * a2, v + h * a3, earth)
    return r + h * v + (h * h / 6.0) * (a1 + a2 + a3), v + (h / 6.0) * (a1 + 2.0 * (a2 + a3) + a4)


def _march(
    drag: CoastDrag,
    earth: EarthModel,
    rows: NDArray[np.intp],
    first: NDArray[np.intp],
    r0: FloatArray,
    v0: FloatArray,
    step_s: float,
    out: FloatArray,
    until_exit: bool,
) -> tuple[NDArray[np.intp], FloatArray, FloatArray, BoolArray]:
    """Fly ``rows`` with drag from their sample indices ``first`` (M,) and states (M, 3),
    writing each sample's position into ``out`` (n, K, 3). All rows step together (the
    samples are uniform in time), each from its own index. A row stops at its first sample
    below ground, at the last sample, or -- with ``until_exit`` -- at its first sample above
    the ceiling. Returns each row's last index and state there, and whether it exited."""
    n_samples = out.shape[1]
    radius = earth.equatorial_radius_m
    last = first.copy()
    r_end, v_end = r0.copy(), v0.copy()
    exited = np.zeros(rows.size, dtype=bool)
    active = np.arange(rows.size)
    r, v, k = np.ascontiguousarray(r0.T), np.ascontiguousarray(v0.T), first.copy()
    while active.size:
        out[rows[active], k] = r.T
        alt = np.sqrt(np.einsum("ij,ij->j", r, r)) - radius
        up = (alt > drag.ceiling_m) & until_exit & (k > first[active])
        stop = (alt < 0.0) | (k >= n_samples - 1) | up
        if np.any(stop):
            done = active[stop]
            last[done], r_end[done], v_end[done], exited[done] = (
                k[stop],
                r.T[stop],
                v.T[stop],
                up[stop],
            )
            keep = ~stop
            active, r, v, k = active[keep], r[:, keep], v[:, keep], k[keep]
            if not active.size:
                break
        limit = STEP_DRAG_RATE if until_exit else DESCENT_DRAG_RATE
        rate = float(np.max(drag._rate(r, v, step_s, earth)))
        substeps = max(1, math.ceil(step_s * rate / limit))
        r, v = flight_kernels.drag_coast_steps(
            np.ascontiguousarray(r),
            np.ascontiguousarray(v),
            step_s / substeps,
            substeps,
            0.5 * drag.reference_area_m2 / drag.mass_kg,
            np.asarray(drag.cd, dtype=float),
            flight_kernels.earth_parameters(earth),
            flight_kernels.MACH,
            flight_kernels.ATMOSPHERE,
        )
        k = k + 1
    return last, r_end, v_end, exited


def _drag_coast(
    r_bo: FloatArray, v_bo: FloatArray, dt: FloatArray, earth: EarthModel, drag: CoastDrag
) -> FloatArray:
    """Positions (n, K, 3) at times ``dt`` (K,) after burnout (uniform from 0) of the coasts
    from burnout states (n, 3) with drag below the ceiling, Kepler above it.

    Three legs, each batched over the rows: flights that burn out below the ceiling are
    integrated with drag until they climb above it; from there (or from burnout) the Kepler
    coast; from the last Kepler sample above the ceiling before a flight comes down through
    it, drag again to the ground. Every row's samples after its end repeat its last one."""
    n, k = r_bo.shape[0], dt.size
    step_s = float(dt[1] - dt[0]) if k > 1 else 1.0
    out = np.full((n, k, 3), np.nan)
    ceiling = earth.equatorial_radius_m + drag.ceiling_m
    start = np.zeros(n, dtype=np.intp)
    r_start, v_start = r_bo.copy(), v_bo.copy()
    in_vacuum = np.ones(n, dtype=bool)
    low = np.flatnonzero(np.linalg.norm(r_bo, axis=-1) <= ceiling)
    if low.size:
        last, r_end, v_end, exited = _march(
            drag,
            earth,
            low,
            np.zeros(low.size, dtype=np.intp),
            r_bo[low],
            v_bo[low],
            step_s,
            out,
            until_exit=True,
        )
        start[low], r_start[low], v_start[low] = last, r_end, v_end
        in_vacuum[low] = exited
    # Kepler from each row's start sample to the end of the grid.
    rows = np.flatnonzero(in_vacuum)
    count = k - start[rows]
    pair_row = np.repeat(rows, count)
    pair_k = np.concatenate([np.arange(s, k) for s in start[rows]]) if rows.size else start[:0]
    r_pairs, v_pairs = kepler.propagate(
        r_start[pair_row], v_start[pair_row], dt[pair_k] - dt[start[pair_row]], earth.mu
    )
    out[pair_row, pair_k] = r_pairs
    # The last sample above the ceiling before each flight comes down through it.
    below = np.zeros((n, k), dtype=bool)
    below[pair_row, pair_k] = np.linalg.norm(r_pairs, axis=-1) < ceiling
    below[pair_row, pair_k] &= pair_k > start[pair_row]
    enters = in_vacuum & below.any(axis=1)
    rows = np.flatnonzero(enters)
    if rows.size:
        entry = np.argmax(below[rows], axis=1) - 1
        v_all = np.empty((n, k, 3))
        v_all[pair_row, pair_k] = v_pairs
        _march(
            drag,
            earth,
            rows,
            entry,
            out[rows, entry],
            v_all[rows, entry],
            step_s,
            out,
            until_exit=False,
        )
    # Repeat each row's last sample over the rest of the grid.
    filled = ~np.isnan(out[..., 0])
    index = np.maximum.accumulate(np.where(filled, np.arange(k), 0), axis=1)
    result: FloatArray = np.take_along_axis(out, index[..., None], axis=1)
    return result


def coast_samples(
    r_bo: FloatArray,
    v_bo: FloatArray,
    burn_s: float,
    max_time_s: float,
    step_s: float,
    earth: EarthModel,
    drag: CoastDrag | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Ground range, altitude (n_kicks, K), times (K,) and validity (n_kicks, K) of the coasts
    from burnout states (n_kicks, 3) launched from (R, 0, 0) towards +z, sampled every
    ``step_s`` from ``burn_s`` to ``max_time_s`` after launch: the Kepler coast, or with
    ``drag`` the kill vehicle's coast with drag below its ceiling (:class:`CoastDrag`)."""
    n = r_bo.shape[0]
    times = burn_s + np.arange(0.0, max_time_s - burn_s + 1e-9, step_s)
    k = times.size
    if drag is None:
        dt = np.tile(times - burn_s, n)
        r, _ = kepler.propagate(
            np.repeat(r_bo, k, axis=0), np.repeat(v_bo, k, axis=0), dt, earth.mu
        )
        r = r.reshape(n, k, 3)
    else:
        r = _drag_coast(r_bo, v_bo, times - burn_s, earth, drag)
    radius = earth.equatorial_radius_m
    # Signed central angle in the fan's plane (x-z; the plane normal is -y).
    angle = np.arctan2(r[..., 2], r[..., 0])
    norm = np.linalg.norm(r, axis=-1)
    alt = norm - radius
    # A flight ends at its first sample below ground (kept, so the mesh reaches the ground) or
    # when it nears the antipode (171 deg), whichever comes first.
    below = alt < 0.0
    after_ground = np.cumsum(below, axis=1) - below > 0
    beyond = np.cumsum(np.abs(angle) > 0.95 * math.pi, axis=1) > 0
    valid = ~after_ground & ~beyond
    ground = radius * np.maximum(angle, 0.0)
    return ground, alt, times, valid
