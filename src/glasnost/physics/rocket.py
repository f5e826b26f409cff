"""The batched boost-phase integrator of staged vehicles (:mod:`glasnost.physics.vehicle`).

:func:`fly_boost` flies N vehicles at once in the Earth-centred inertial
frame with fixed-step RK4: thrust, mass flow, drag on the air-relative velocity and J2 gravity.
Every stage boundary, steering-mode change and thrust termination falls exactly on a step
boundary (each row has its own step length inside a segment), so the integrator never steps
across a discontinuity.

Steering: vertical rise, a pitch-over that tilts the thrust by the ``kick`` angle towards the
launch azimuth at a constant rate, then a gravity turn (thrust along the air-relative velocity,
zero angle of attack) until burnout or thrust termination.

The steps run in the compiled kernel of :mod:`glasnost.physics.flight_kernels`;
:meth:`BoostProblem.acceleration` is the same model in NumPy (the reference the kernel is
tested against, and what :meth:`BoostResult.state_at` evaluates).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glasnost.physics import atmosphere, flight_kernels
from glasnost.physics.compiled import kernel_array
from glasnost.physics.constants import EarthModel
from glasnost.physics.gravity import acceleration_components as gravity_components
from glasnost.physics.rows import Rows, join_padded, join_rows
from glasnost.physics.vehicle import MACH_GRID, VehicleBatch

FloatArray = NDArray[np.float64]

STEER_VERTICAL, STEER_PITCH_OVER, STEER_GRAVITY_TURN = 0, 1, 2
"""Steering modes of a boost segment."""

# ---------------------------------------------------------------------------------------------
# Equations of motion


def approximate_altitude(
    r: FloatArray, earth: EarthModel, r2: FloatArray | None = None
) -> FloatArray:
    """Height (m) above the reference ellipsoid of component-first positions ``r`` (3, ...):
    |r| minus the ellipsoid radius at the same geocentric latitude. Within about 20 m of the
    geodetic height below 1,000 km, which is all the atmosphere model needs (exact for a
    sphere). ``r2`` may pass |r|^2 already computed."""
    if r2 is None:
        r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2]
    rn = np.sqrt(r2)
    if earth.flattening == 0.0:
        return rn - earth.equatorial_radius_m
    s2 = r[2] * r[2] / r2
    a, b = earth.equatorial_radius_m, earth.polar_radius_m
    return rn - a * b / np.sqrt(b * b + (a * a - b * b) * s2)


def air_velocity(r: FloatArray, v: FloatArray, earth: EarthModel) -> FloatArray:
    """Velocity relative to the co-rotating atmosphere, v - omega x r (m/s), component-first."""
    w = earth.rotation_rad_s
    if w == 0.0:
        return v
    out = v.copy()
    out[0] += w * r[1]
    out[1] -= w * r[0]
    return out


def drag_cd(cd_table: FloatArray, mach: FloatArray) -> FloatArray:
    """Per-row linear interpolation of drag curves (N, G) on MACH_GRID at Mach numbers (N,)."""
    grid = np.asarray(MACH_GRID)
    m = np.clip(mach, grid[0], grid[-1])
    j = np.clip(np.searchsorted(grid, m, side="right") - 1, 0, grid.size - 2)
    w = (m - grid[j]) / (grid[j + 1] - grid[j])
    rows = np.arange(cd_table.shape[0])
    return cd_table[rows, j] * (1.0 - w) + cd_table[rows, j + 1] * w


@dataclass(frozen=True)
class BoostSegment:
    """Per-row parameters that stay constant between two step boundaries (N rows)."""

    steer: int  # STEER_*, the same for every row
    ignition_s: FloatArray
    ignition_mass_kg: FloatArray
    mass_flow_kg_s: FloatArray
    thrust_vac_n: FloatArray  # zero where the row does not thrust in this segment
    exit_area_m2: FloatArray
    reference_area_m2: FloatArray
    cd: FloatArray  # (G,) when every row shares one drag curve, else (N, G)

    @property
    def any_exit_area(self) -> bool:
        """Whether any row feels the back-pressure loss (nozzle exit area > 0)."""
        return bool(np.any(self.exit_area_m2 > 0.0))

    @classmethod
    def build(
        cls,
        vehicles: VehicleBatch,
        steer: int,
        stage: NDArray[np.intp],
        thrusting: NDArray[np.bool_],
    ) -> BoostSegment:
        rows = np.arange(vehicles.size)
        cd = vehicles.cd[rows, stage]
        if np.all(cd == cd[:1]):
            cd = cd[0].copy()
        return cls(
            steer,
            vehicles.ignition_s[rows, stage],
            vehicles.ignition_mass_kg[rows, stage],
            vehicles.mass_flow_kg_s[rows, stage],
            np.where(thrusting, vehicles.thrust_vac_n[rows, stage], 0.0),
            np.where(thrusting, vehicles.exit_area_m2[rows, stage], 0.0),
            vehicles.reference_area_m2[rows, stage],
            cd,
        )

    @staticmethod
    def concat(
        segments: Sequence[BoostSegment], sizes: Sequence[int], rows: Rows = None
    ) -> BoostSegment:
        """Rows of several segments of the same kind, ``sizes`` rows each (see join_rows)."""
        first = segments[0]
        if any(seg.steer != first.steer for seg in segments):
            raise ValueError("segments to join must steer alike")
        if all(seg.cd.ndim == 1 and np.array_equal(seg.cd, first.cd) for seg in segments):
            cd = first.cd
        else:
            cd = join_rows(
                [
                    np.broadcast_to(seg.cd, (n, seg.cd.shape[-1]))
                    for seg, n in zip(segments, sizes, strict=True)
                ],
                rows,
            )

        def cat(arrays: Sequence[FloatArray]) -> FloatArray:
            return join_rows(arrays, rows)

        return BoostSegment(
            first.steer,
            cat([seg.ignition_s for seg in segments]),
            cat([seg.ignition_mass_kg for seg in segments]),
            cat([seg.mass_flow_kg_s for seg in segments]),
            cat([seg.thrust_vac_n for seg in segments]),
            cat([seg.exit_area_m2 for seg in segments]),
            cat([seg.reference_area_m2 for seg in segments]),
            cd,
        )

    def subset(self, mask: NDArray[np.bool_] | NDArray[np.intp]) -> BoostSegment:
        return BoostSegment(
            self.steer,
            self.ignition_s[mask],
            self.ignition_mass_kg[mask],
            self.mass_flow_kg_s[mask],
            self.thrust_vac_n[mask],
            self.exit_area_m2[mask],
            self.reference_area_m2[mask],
            self.cd if self.cd.ndim == 1 else self.cd[mask],
        )


@dataclass(frozen=True)
class BoostProblem:
    """Everything the boost equations of motion need besides the state."""

    vehicles: VehicleBatch
    azimuth_rad: FloatArray  # (N,)
    kick_rad: FloatArray  # (N,)
    earth: EarthModel
    drag: bool = True
    gravity: bool = True

    def acceleration(
        self, t: FloatArray, r: FloatArray, v: FloatArray, seg: BoostSegment
    ) -> FloatArray:
        """Total acceleration (m/s^2) at times ``t`` (N,) in segment ``seg``.

        States are component-first, ``r`` and ``v`` of shape (3, N); so is the result.
        """
        earth = self.earth
        r2 = np.einsum("ij,ij->j", r, r)
        acc = gravity_components(r, earth, r2) if self.gravity else np.zeros_like(r)
        rho, sound = atmosphere.properties_tabulated(approximate_altitude(r, earth, r2))
        v_air = air_velocity(r, v, earth)
        speed_air = np.sqrt(np.einsum("ij,ij->j", v_air, v_air))
        mass = seg.ignition_mass_kg - seg.mass_flow_kg_s * (t - seg.ignition_s)
        if seg.any_exit_area:
            pressure = rho * sound * sound * (1.0 / atmosphere.GAMMA)
            thrust_per_mass = (seg.thrust_vac_n - pressure * seg.exit_area_m2) / mass
        else:
            thrust_per_mass = seg.thrust_vac_n / mass
        if self.drag:
            cd = (
                np.interp(speed_air / sound, MACH_GRID, seg.cd)
                if seg.cd.ndim == 1
                else drag_cd(seg.cd, speed_air / sound)
            )
            drag = (0.5 * seg.reference_area_m2) * rho * speed_air * cd / mass
        else:
            drag = 0.0
        if seg.steer == STEER_GRAVITY_TURN:
            # Thrust along the air-relative velocity: one term along v_air (1/s).
            acc += (thrust_per_mass / np.maximum(speed_air, 1e-9) - drag) * v_air
        else:
            acc += thrust_per_mass * self._pitch_direction(t, r, seg.steer) - drag * v_air
        return acc

    def _pitch_direction(self, t: FloatArray, r: FloatArray, steer: int) -> FloatArray:
        """Thrust direction (3, N) during the vertical rise and the pitch-over: the ellipsoid
        normal, tilted by kick * (fraction of the pitch-over done) towards the azimuth."""
        a2 = self.earth.equatorial_radius_m**2
        b2 = self.earth.polar_radius_m**2
        up = np.stack([r[0] / a2, r[1] / a2, r[2] / b2])
        up /= np.sqrt(np.sum(up * up, axis=0))
        if steer == STEER_VERTICAL:
            return up
        veh = self.vehicles
        rho_xy = np.hypot(r[0], r[1])
        east = np.stack([-r[1] / rho_xy, r[0] / rho_xy, np.zeros_like(rho_xy)])
        north = np.cross(up, east, axis=0)
        horizontal = np.cos(self.azimuth_rad) * north + np.sin(self.azimuth_rad) * east
        theta = self.kick_rad * np.clip((t - veh.vertical_rise_s) / veh.pitch_over_s, 0.0, 1.0)
        return np.cos(theta) * up + np.sin(theta) * horizontal


BoostArguments = tuple[
    FloatArray,
    FloatArray,
    FloatArray,
    NDArray[np.intp],
    FloatArray,
    NDArray[np.intp],
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    bool,
    bool,
    FloatArray,
    FloatArray,
]
"""The arguments of :attr:`BoostResult.kernel_arguments`."""


@dataclass(frozen=True)
class BoostResult:
    """Boost-phase states of N trajectories at their step nodes (ECI, SI).

    Row i has nodes ``t[i, :]`` (non-decreasing; nodes after that row's burnout repeat it).
    States are stored step-major and component-first, ``r_nodes[k, :, i]``, as the integrator
    produces them; ``r`` and ``v`` are (N, K, 3) views. ``step_segment[i, j]`` is the segment
    of row i's step j (between nodes j and j+1).
    """

    problem: BoostProblem
    t: FloatArray  # (N, K)
    r_nodes: FloatArray  # (K, 3, N)
    v_nodes: FloatArray  # (K, 3, N)
    segments: tuple[BoostSegment, ...]
    step_segment: NDArray[np.intp]  # (N, K-1)
    burnout_s: FloatArray  # (N,)

    @property
    def r(self) -> FloatArray:
        """Node positions (N, K, 3) (a view)."""
        return self.r_nodes.transpose(2, 0, 1)

    @property
    def v(self) -> FloatArray:
        """Node velocities (N, K, 3) (a view)."""
        return self.v_nodes.transpose(2, 0, 1)

    def subset(self, rows: NDArray[np.bool_] | NDArray[np.intp]) -> BoostResult:
        """The same boost for the selected rows only (a boolean mask or indices)."""
        return BoostResult(
            _subset_problem(self.problem, rows),
            self.t[rows],
            self.r_nodes[:, :, rows],
            self.v_nodes[:, :, rows],
            tuple(seg.subset(rows) for seg in self.segments),
            self.step_segment[rows],
            self.burnout_s[rows],
        )

    @staticmethod
    def concat(results: Sequence[BoostResult], rows: Rows = None) -> BoostResult:
        """Rows of several boosts (same stage structure), padded to the longest node list by
        repeating each row's last node (see :func:`join_rows` for ``rows``)."""
        k = max(b.t.shape[1] for b in results)
        sizes = [b.t.shape[0] for b in results]
        if len({len(b.segments) for b in results}) != 1:
            raise ValueError("boosts to join must have the same segments")
        first = results[0].problem
        problem = BoostProblem(
            VehicleBatch.concat([b.problem.vehicles for b in results], rows),
            join_rows([b.problem.azimuth_rad for b in results], rows),
            join_rows([b.problem.kick_rad for b in results], rows),
            first.earth,
            first.drag,
            first.gravity,
        )
        return BoostResult(
            problem,
            join_padded([b.t for b in results], rows, k, pad_axis=1),
            join_padded([b.r_nodes for b in results], rows, k, pad_axis=0, axis=2),
            join_padded([b.v_nodes for b in results], rows, k, pad_axis=0, axis=2),
            tuple(
                BoostSegment.concat([b.segments[i] for b in results], sizes, rows)
                for i in range(len(results[0].segments))
            ),
            join_padded([b.step_segment for b in results], rows, k - 1, pad_axis=1),
            join_rows([b.burnout_s for b in results], rows),
        )

    def state_at(
        self, t_s: FloatArray, compiled: bool = True, rows: NDArray[np.intp] | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """ECI position and velocity (P, 3) at times ``t_s`` (P,) within the boost of row
        ``rows[i]`` (default: every row at its own time, P = N).

        Cubic Hermite interpolation between the enclosing nodes with the exact accelerations
        of that step's segment at both ends (error well below a millimetre at 1 s steps), from
        :func:`glasnost.physics.flight_kernels.accelerations` (``compiled``, the default) or from
        :meth:`BoostProblem.acceleration` (the NumPy reference).
        """
        k = self.t.shape[1]
        rows = np.arange(self.t.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
        t_rows = self.t[rows]
        tq = np.clip(np.asarray(t_s, dtype=float), t_rows[:, 0], self.burnout_s[rows])
        j = np.clip(np.sum(t_rows[:, 1:] < tq[:, None], axis=1), 0, k - 2)
        t0, t1 = self.t[rows, j], self.t[rows, j + 1]
        r0, r1 = self.r_nodes[j, :, rows].T, self.r_nodes[j + 1, :, rows].T
        v0, v1 = self.v_nodes[j, :, rows].T, self.v_nodes[j + 1, :, rows].T
        seg_of_row = self.step_segment[rows, j]
        if compiled:
            a0 = self._accelerations(t0, r0, v0, seg_of_row, rows)
            a1 = self._accelerations(t1, r1, v1, seg_of_row, rows)
        else:
            a0 = np.empty_like(r0)
            a1 = np.empty_like(r0)
            for s in np.unique(seg_of_row):
                m = seg_of_row == s
                sub = _subset_problem(self.problem, rows[m])
                sub_seg = self.segments[int(s)].subset(rows[m])
                a0[:, m] = sub.acceleration(t0[m], r0[:, m], v0[:, m], sub_seg)
                a1[:, m] = sub.acceleration(t1[m], r1[:, m], v1[:, m], sub_seg)
        h = t1 - t0
        x = np.where(h > 0.0, (tq - t0) / np.where(h > 0.0, h, 1.0), 0.0)
        r = hermite(r0, r1, v0 * h, v1 * h, x)
        v = hermite(v0, v1, a0 * h, a1 * h, x)
        return r.T, v.T

    def _accelerations(
        self,
        t: FloatArray,
        r: FloatArray,
        v: FloatArray,
        segment: NDArray[np.intp],
        rows: NDArray[np.intp],
    ) -> FloatArray:
        """Accelerations (3, P) of points of ``rows``, each in its ``segment``, by the compiled
        kernel."""
        problem = self.problem
        steers, params, cd = self._packed_segments
        return (
            flight_kernels.accelerations(
                np.ascontiguousarray(t, dtype=float),
                np.ascontiguousarray(r, dtype=float),
                np.ascontiguousarray(v, dtype=float),
                np.ascontiguousarray(segment, dtype=np.intp),
                np.ascontiguousarray(rows, dtype=np.intp),
                steers,
                params,
                cd,
                *_model(problem),
            )
            if len(t)
            else np.empty((3, 0))
        )

    @functools.cached_property
    def kernel_arguments(self) -> BoostArguments:
        """The stored boost as the compiled kernels of :mod:`glasnost.physics.impact_kernel`
        read it: node times (N, K), node states (K, 3, N) and velocities, each step's segment
        (N, K-1), burnout times (N,), the packed segments and the model (as ``state_at``
        passes them to :func:`glasnost.physics.flight_kernels.accelerations`)."""
        steers, params, cd = self._packed_segments
        return (
            kernel_array(self.t),
            kernel_array(self.r_nodes),
            kernel_array(self.v_nodes),
            kernel_array(self.step_segment, np.intp),
            kernel_array(self.burnout_s),
            steers,
            params,
            cd,
            *_model(self.problem),
        )

    @functools.cached_property
    def _packed_segments(self) -> tuple[NDArray[np.intp], FloatArray, FloatArray]:
        """Every segment's steering mode (S,), parameters (S, 6, N) and drag curves (S, N, G)."""
        n = self.t.shape[0]
        steers = np.array([seg.steer for seg in self.segments], dtype=np.intp)
        params = np.ascontiguousarray(np.stack([_segment_params(seg) for seg in self.segments]))
        cd = np.ascontiguousarray(
            np.stack([np.broadcast_to(seg.cd, (n, len(MACH_GRID))) for seg in self.segments]),
            dtype=float,
        )
        return steers, params, cd


def hermite(
    p0: FloatArray, p1: FloatArray, m0: FloatArray, m1: FloatArray, x: FloatArray
) -> FloatArray:
    """Cubic Hermite interpolation at fractions ``x`` of the interval, with end values p0, p1
    and end derivatives m0, m1 already scaled by the interval length."""
    x2 = x * x
    x3 = x2 * x
    return (
        (2 * x3 - 3 * x2 + 1) * p0
        + (x3 - 2 * x2 + x) * m0
        + (3 * x2 - 2 * x3) * p1
        + (x3 - x2) * m1
    )


def _subset_problem(
    problem: BoostProblem, mask: NDArray[np.bool_] | NDArray[np.intp]
) -> BoostProblem:
    sub = problem.vehicles.take(mask)
    return BoostProblem(
        sub,
        problem.azimuth_rad[mask],
        problem.kick_rad[mask],
        problem.earth,
        problem.drag,
        problem.gravity,
    )


UPPER_STAGE_STEP_S = 3.0
"""Step (s) above the first stage, where the flight is exo-atmospheric and smooth."""


def fly_boost(
    problem: BoostProblem,
    r0: FloatArray,
    v0: FloatArray,
    cutoff_s: FloatArray | None = None,
    step_s: float = 1.0,
    upper_step_s: float = UPPER_STAGE_STEP_S,
    compiled: bool = True,
) -> BoostResult:
    """Integrate the boost of N vehicles from ECI states ``r0``, ``v0`` (N, 3) at t = 0.

    ``cutoff_s`` (N,) terminates thrust early (None: burn every stage to depletion). Each row's
    timeline is cut into segments (vertical rise, pitch-over, then one per stage, each clipped
    at the cutoff); every segment is split into the same number of RK4 steps for all rows, of
    at most ``step_s`` seconds in the first stage (through the atmosphere) and ``upper_step_s``
    above it, so each row steps exactly onto its own boundaries.

    ``compiled`` steps with the compiled kernel of :mod:`glasnost.physics.flight_kernels`
    (default); False with :meth:`BoostProblem.acceleration` in NumPy, the reference it is
    tested against.
    """
    veh = problem.vehicles
    n = veh.size
    end = veh.burnout_s[:, -1] if cutoff_s is None else np.minimum(cutoff_s, veh.burnout_s[:, -1])
    t_v = veh.vertical_rise_s
    starts = [np.zeros(n), t_v, t_v + veh.pitch_over_s]
    starts += [veh.ignition_s[:, k] for k in range(1, veh.n_stages)]
    steer = [STEER_VERTICAL, STEER_PITCH_OVER] + [STEER_GRAVITY_TURN] * veh.n_stages
    stage = [0, 0, 0, *range(1, veh.n_stages)]
    bounds = np.minimum(np.stack([*starts, veh.burnout_s[:, -1]], axis=1), end[:, None])
    lengths = np.diff(bounds, axis=1)
    n_steps = [
        max(
            1,
            int(np.ceil(lengths[:, s].max() / (step_s if stage[s] == 0 else upper_step_s) - 1e-9)),
        )
        for s in range(len(steer))
    ]
    k = 1 + sum(n_steps)
    times = np.empty((n, k))
    r_nodes = np.empty((k, 3, n))
    v_nodes = np.empty((k, 3, n))
    step_segment = np.repeat(np.arange(len(steer)), n_steps)
    times[:, 0] = 0.0
    r = np.array(r0.T, dtype=float, order="C")  # copies: the compiled steps write in place
    v = np.array(v0.T, dtype=float, order="C")
    r_nodes[0], v_nodes[0] = r, v
    segments: list[BoostSegment] = []
    node = 0
    for s in range(len(steer)):
        t_a, t_b = bounds[:, s], bounds[:, s + 1]
        length = lengths[:, s]
        seg = BoostSegment.build(veh, steer[s], np.full(n, stage[s], dtype=np.intp), length > 0.0)
        segments.append(seg)
        h = length / n_steps[s]
        if compiled:
            _fly_segment_compiled(problem, seg, t_a, h, n_steps[s], r, v, r_nodes, v_nodes, node)
            # The step times t_a + (i + 1) h as the loop below writes them, the last t_b.
            steps = np.arange(1, n_steps[s], dtype=float)
            times[:, node + 1 : node + n_steps[s]] = t_a[:, None] + steps[None, :] * h[:, None]
            node += n_steps[s]
            times[:, node] = t_b
            continue
        for i in range(n_steps[s]):
            r, v = _rk4_step(problem, seg, t_a + i * h, r, v, h)
            r_nodes[node + 1], v_nodes[node + 1] = r, v
            node += 1
            times[:, node] = t_a + (i + 1) * h if i + 1 < n_steps[s] else t_b
    return BoostResult(
        problem,
        times,
        r_nodes,
        v_nodes,
        tuple(segments),
        np.broadcast_to(step_segment, (n, k - 1)),
        end,
    )


def _fly_segment_compiled(
    problem: BoostProblem,
    seg: BoostSegment,
    t_a: FloatArray,
    h: FloatArray,
    n_steps: int,
    r: FloatArray,
    v: FloatArray,
    r_nodes: FloatArray,
    v_nodes: FloatArray,
    node: int,
) -> None:
    """One segment's steps by :func:`glasnost.physics.flight_kernels.fly_segment` (in place)."""
    n = problem.vehicles.size
    flight_kernels.fly_segment(
        kernel_array(t_a),
        kernel_array(h),
        n_steps,
        seg.steer,
        r,
        v,
        r_nodes,
        v_nodes,
        node,
        _segment_params(seg),
        kernel_array(np.broadcast_to(seg.cd, (n, len(MACH_GRID)))),
        *_model(problem),
    )


def _segment_params(seg: BoostSegment) -> FloatArray:
    """A segment's per-row parameters as the kernels read them (6, N)."""
    params = np.stack(
        [
            seg.ignition_s,
            seg.ignition_mass_kg,
            seg.mass_flow_kg_s,
            seg.thrust_vac_n,
            seg.exit_area_m2,
            seg.reference_area_m2,
        ]
    )
    return np.ascontiguousarray(params, dtype=float)


def _model(
    problem: BoostProblem,
) -> tuple[FloatArray, FloatArray, bool, bool, FloatArray, FloatArray]:
    """The last arguments of the boost kernels: steering, Earth, drag and gravity switches,
    Mach grid, atmosphere table."""
    return (
        _steering(problem),
        flight_kernels.earth_parameters(problem.earth),
        problem.drag,
        problem.gravity,
        flight_kernels.MACH,
        flight_kernels.ATMOSPHERE,
    )


def _steering(problem: BoostProblem) -> FloatArray:
    """Azimuth, kick (rad), vertical rise and pitch-over durations (s) per row (4, N)."""
    veh = problem.vehicles
    steering = np.stack(
        [problem.azimuth_rad, problem.kick_rad, veh.vertical_rise_s, veh.pitch_over_s]
    )
    return np.ascontiguousarray(steering, dtype=float)


def _rk4_step(
    problem: BoostProblem,
    seg: BoostSegment,
    t: FloatArray,
    r: FloatArray,
    v: FloatArray,
    h: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Classical RK4 for r'' = a(t, r, r') in Nystrom form (the same arithmetic, fewer vector
    operations); component-first states (3, N), per-row step ``h`` (N,)."""
    half = 0.5 * h
    a1 = problem.acceleration(t, r, v, seg)
    rv = r + half * v
    a2 = problem.acceleration(t + half, rv, v + half * a1, seg)
    a3 = problem.acceleration(t + half, rv + (half * half) * a1, v + half * a2, seg)
    r4 = r + h * v + (half * h) * a2
    a4 = problem.acceleration(t + h, r4, v + h * a3, seg)
    r_new = r + h * v + (h * h / 6.0) * (a1 + a2 + a3)
    v_new = v + (h / 6.0) * (a1 + 2.0 * (a2 + a3) + a4)
    return r_new, v_new
